//! The Plan: every decision about the generated files, typed and documented.
//! Templates see only this struct, so it is the API of template authors.

mod background;
mod companions;
pub mod dockerignore;
mod frontend;
mod gunicorn;
mod install;
mod kubernetes;
mod model;
mod notes;
mod wiring;

pub use dockerignore::IgnoreRule;
pub use frontend::{DEFAULT_NODE, FrontendPlan, NodeCache, NodeCommand, NodeProgram};
use gunicorn::gunicorn_plan;
pub use gunicorn::{GunicornPlan, WORKERS_FROM_CPUS};
use install::install_plan;
pub use install::{
    Cache, CommandEnv, InstallKind, InstallPlan, InstallRun, PackagePlan, ShellCommand, TomlModule,
};
pub use model::{
    APP_UID, BeatPlan, DataVolume, DatabasePlan, DebianRelease, EnvVarPlan, HealthcheckPlan,
    KubeProcess, KubeVar, KubernetesPlan, LatePagesPlan, LauncherPlan, Layout, LocalSettingsPlan,
    MigrationsNeed, Plan, ProcessPlan, RedisPlan, RqWorkerPlan, ServiceSetting, SetupStep,
    UnservedPlan, WorkerPlan,
};
pub use notes::notes;

use crate::answers::Answers;
use crate::inspect::Project;
use crate::safe::{DnsName, EnvName, Text};
use crate::services::{Database, SettingValue};

/// The project's setup steps, each command once, without the migrations the
/// container already runs: what its own files run before serving, then its
/// CLI's setup commands they do not run (`flask --app TARGET init-db`).
fn setup_steps(project: &Project, migrations: Option<&str>, entry: &str) -> Vec<SetupStep> {
    let mut seen: Vec<String> = migrations.into_iter().map(str::to_string).collect();
    let mut steps = Vec::new();
    let run_by_files = project
        .setup_steps
        .iter()
        .map(|fact| (fact.value.clone(), fact.source.to_string()));
    let cli = project.setup_commands.iter().filter_map(|fact| {
        let name = &fact.value.name;
        let covered = project
            .setup_steps
            .iter()
            .any(|s| s.value.split_whitespace().any(|w| w == name));
        let typed = match &fact.value.group {
            Some(group) => format!("{group} {name}"),
            None => name.clone(),
        };
        let command = if fact.value.in_manage_py {
            format!("python manage.py {typed}")
        } else {
            format!(
                "flask --app {} {typed}",
                crate::templates::encode::sh(entry)
            )
        };
        (!covered).then(|| (command, format!("{} (its CLI command)", fact.source)))
    });
    for (command, source) in run_by_files.chain(cli) {
        // `FLASK_APP=x flask db upgrade` is the migration all the same.
        let bare = without_assignments(&command);
        if seen.contains(&command) || seen.iter().any(|s| s == bare) {
            continue;
        }
        steps.push(SetupStep {
            command: Text::escaped(&command),
            argv: argv(&command),
            source: Text::escaped(&source),
        });
        seen.push(command);
    }
    steps
}

/// The variables `.env.example` sets to the signing key's placeholder.
fn session_keys(env_vars: &[EnvVarPlan]) -> Vec<EnvName> {
    env_vars
        .iter()
        .filter(|v| {
            v.value
                .as_ref()
                .is_some_and(|value| value.as_str() == wiring::SECRET_PLACEHOLDER)
        })
        .map(|v| v.name.clone())
        .collect()
}

/// [`command_words`] as Plan words.
fn argv(line: &str) -> Vec<Text> {
    command_words(line)
        .iter()
        .map(|w| Text::escaped(w))
        .collect()
}

/// A shell line as the words to run it with: its own, when it needs no shell.
fn command_words(line: &str) -> Vec<String> {
    let needs_shell = line.contains(['$', '`', '*', '?', '~'])
        || shell_words::split(line).map_or(true, |words| {
            words.iter().any(|w| {
                w.is_empty() || w.contains([';', '&', '|', '<', '>', '(', ')']) && !w.contains(':')
            })
        });
    if needs_shell {
        return vec!["sh".into(), "-c".into(), line.into()];
    }
    let mut words = shell_words::split(line).unwrap_or_default();
    // `NAME=value cmd`: a shell's assignment, `env`'s argument.
    if words.first().is_some_and(|w| is_assignment(w)) {
        words.insert(0, "env".into());
    }
    words
}

/// `NAME=value`, as a shell reads it before a command.
fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// `line` without the `NAME=value` words before its command.
fn without_assignments(line: &str) -> &str {
    let mut rest = line.trim_start();
    while let Some((word, after)) = rest.split_once(char::is_whitespace) {
        if !is_assignment(word) {
            break;
        }
        rest = after.trim_start();
    }
    rest
}

/// The `Procfile`'s processes as services: names kept to what compose
/// accepts and unique beside `web`, `db`, `redis` and the `services` planned
/// already; a Celery worker already run by `worker` skipped.
fn process_plans(project: &Project, services: &[&str]) -> Vec<ProcessPlan> {
    let celery_worker = services.contains(&"worker");
    let mut taken: Vec<String> = ["web", "db", "redis"]
        .iter()
        .chain(services)
        .map(|s| s.to_string())
        .collect();
    let mut plans = Vec::new();
    for fact in &project.processes {
        let process = &fact.value;
        if celery_worker && background::command_runs(&process.command, "celery", Some("worker")) {
            continue;
        }
        let base = process.name.replace('-', "_");
        let service = first_free(&taken, |n| match n {
            None => base.clone(),
            Some(n) => format!("{base}_{n}"),
        });
        let Some(service_name) = EnvName::parse(&service) else {
            continue;
        };
        taken.push(service);
        plans.push(ProcessPlan {
            name: Text::escaped(&process.name),
            service: service_name,
            command: Text::escaped(&process.command),
            source: Text::escaped(&fact.source.to_string()),
        });
    }
    plans
}

/// The services planned besides web and the database and Redis.
fn planned_services(
    worker: Option<&WorkerPlan>,
    beat: Option<&BeatPlan>,
    rq_worker: Option<&RqWorkerPlan>,
) -> Vec<&'static str> {
    let mut services = Vec::new();
    if worker.is_some() {
        services.push("worker");
    }
    if beat.is_some() {
        services.push("beat");
    }
    if let Some(rq) = rq_worker {
        services.push("rq_worker");
        if rq.rq_scheduler.is_some() {
            services.push("rq_scheduler");
        }
    }
    services
}

/// Decides everything from the inspected project and the answers, for the
/// files of the template set named `template`.
pub fn plan(project: &Project, answers: &Answers, layout: &Layout, template: &str) -> Plan {
    let mut plan = container_plan(project, answers, layout, template);
    if answers.kubernetes {
        plan.kubernetes = Some(kubernetes::kubernetes_plan(
            &plan,
            answers.ingress_host.as_ref(),
        ));
    }
    plan
}

/// The Celery worker, when the project has a Celery app and Redis.
fn worker_plan(project: &Project, redis: bool) -> Option<WorkerPlan> {
    project
        .celery
        .as_ref()
        .filter(|_| redis && project.celery_local_broker.is_none())
        .map(|c| WorkerPlan {
            app: Text::escaped(&c.value),
            source: Text::escaped(&c.source.to_string()),
        })
}

/// Migrations that cannot start from an empty database: what README.Docker.md
/// tells the user to run once the app's own setup made the tables.
fn migrations_need(project: &Project) -> Option<MigrationsNeed> {
    let need = project.migrations_need_tables.as_ref()?;
    let command = &project.migrations.as_ref()?.value;
    let stamp = match command.starts_with("alembic") {
        true => "alembic stamp head",
        false => "flask db stamp head",
    };
    Some(MigrationsNeed {
        tables: need.value.iter().map(|t| Text::escaped(t)).collect(),
        source: Text::escaped(&need.source.to_string()),
        stamp: argv(stamp),
        upgrade: argv(command),
    })
}

/// Everything but the Kubernetes part.
fn container_plan(project: &Project, answers: &Answers, layout: &Layout, template: &str) -> Plan {
    let database = answers.db.0.map(|kind| database_plan(project, kind));
    let redis = project.redis.as_ref().map(|_| wiring::redis_plan(project));
    let worker = worker_plan(project, redis.is_some());

    let beat = background::beat_plan(project, worker.as_ref());
    let rq_worker = background::rq_worker_plan(project, redis.is_some());
    let port = unprivileged_port(answers.port);
    let entry_root = entry_root(project, &answers.entry);
    let launcher = project.launcher.as_ref().map(launcher_plan);
    let launched = launcher.as_ref().filter(|l| l.serves);
    let (instance_dir, writable_dirs, shared_dirs) =
        write_dirs(&entry_root, &project.write_dirs, launched);
    let env_vars = wiring::env_vars(
        project,
        database.as_ref(),
        redis.as_ref(),
        rq_worker.as_ref(),
        &instance_dir,
        port,
    );

    let python_version = answers.python;
    let python_minor = python_version.minor();
    let on_python = project.on_python(python_version);
    let gunicorn = gunicorn_plan(
        project,
        python_minor,
        port,
        &answers.entry,
        launched.is_some(),
    );
    let driver_requirements = driver_requirements(project, database.as_ref());
    let companions = companions::companion_requirements(project);
    let added = [&gunicorn.requirements, &driver_requirements, &companions];
    let extra: Vec<Text> = added.into_iter().flatten().cloned().collect();

    let dockerignore = dockerignore::plan_rules(project, &entry_root);
    let migrations = migrations(project, answers);
    let migrate_service = migrations.is_some() && database.is_some();
    let in_start = migrations.as_ref().filter(|_| !migrate_service);
    let start = start_command(&gunicorn, launched, in_start);
    let secret_key = project.env_vars.iter().find(|v| v.name == "SECRET_KEY");

    Plan {
        project_name: Text::escaped(&layout.project_name),
        image_name: Text::escaped(&image_name(&layout.project_name)),
        python_version,
        debian_release: DebianRelease::for_python(python_minor),
        port,
        privileged_port: (port != answers.port).then_some(answers.port),
        entry: Text::escaped(&answers.entry),
        pythonpath: (!entry_root.is_empty()).then(|| Text::escaped(&entry_root)),
        install: install_plan(
            &project.install,
            project.packaged.as_ref(),
            python_minor,
            &extra,
        ),
        driver_requirements,
        companions,
        gunicorn,
        frontend: project.frontend.as_ref().map(frontend::frontend_plan),
        build_packages: texts(&on_python.build),
        runtime_packages: texts(&on_python.runtime),
        start,
        instance_dir: Text::escaped(&instance_dir),
        data_volumes: data_volumes(&writable_dirs),
        writable_dirs,
        shared_dirs,
        local_settings: local_settings(project),
        unserved: unserved(project),
        launcher,
        migrations_need: migrations_need(project),
        proxy_fix: project.proxy_fix.as_ref().map(shown),
        uid: APP_UID,
        healthcheck_path: Text::escaped(&answers.health_path),
        health_probe: health_probe(port, &answers.health_path),
        migrate_service,
        migrations_argv: migrations.as_deref().map(argv).unwrap_or_default(),
        migrations: migrations.clone(),
        uncommitted_migrations: project.uncommitted_migrations.is_some(),
        stale_lock: project.stale_lock.as_deref().map(Text::escaped),
        database,
        redis,
        processes: process_plans(
            project,
            &planned_services(worker.as_ref(), beat.as_ref(), rq_worker.as_ref()),
        ),
        beat,
        rq_worker,
        setup_steps: setup_steps(project, migrations.as_deref(), &answers.entry),
        worker,
        session_keys: session_keys(&env_vars),
        env_vars,
        prefixed_env: prefixed_env(project),
        reads_secret_key: secret_key.is_some(),
        requires_secret_key: secret_key.is_some_and(|v| v.required),
        dockerignore: dockerignore.rules,
        build_context: Text::escaped(&layout.build_context),
        dockerfile: (layout.dockerfile != "Dockerfile").then(|| Text::escaped(&layout.dockerfile)),
        kubernetes: None,
        template: Text::escaped(template),
        dropped_gitignore: dockerignore.dropped,
    }
}

/// Where a fact was found (`app.py:12`), as the files show it.
fn shown(source: &crate::inspect::Source) -> Text {
    Text::escaped(&source.to_string())
}

/// What PyMySQL needs to log in to MySQL 8: `caching_sha2_password`, the
/// server's default, sends the password RSA-encrypted without TLS.
const PYMYSQL_CRYPTOGRAPHY: &str = "cryptography==50.0.2";

/// Requirements the database driver needs with the planned server that the
/// project does not list.
fn driver_requirements(project: &Project, database: Option<&DatabasePlan>) -> Vec<Text> {
    let pymysql = project.depends_on("pymysql") || project.depends_on("aiomysql");
    match database {
        Some(db)
            if db.kind == Database::MYSQL && pymysql && !project.depends_on("cryptography") =>
        {
            vec![Text::from(PYMYSQL_CRYPTOGRAPHY)]
        }
        _ => Vec::new(),
    }
}

/// The container's command: gunicorn (or the project's own launcher, when
/// it serves), behind a shell that first sets gunicorn's worker count from
/// the CPUs and applies the migrations, when the plan asks for either (the
/// server's words are the shell's `"$@"`).
fn start_command(
    gunicorn: &GunicornPlan,
    launcher: Option<&LauncherPlan>,
    migrations: Option<&Text>,
) -> Vec<Text> {
    let server = launcher.map_or(&gunicorn.argv, |l| &l.argv);
    let mut script = String::new();
    if gunicorn.workers_from_cpus && launcher.is_none() {
        script.push_str(gunicorn::WORKERS_FROM_CPUS);
    }
    if let Some(migrations) = migrations {
        script.push_str(migrations.as_str());
        script.push_str(" && ");
    }
    if script.is_empty() {
        return server.clone();
    }
    script.push_str("exec \"$@\"");
    [
        Text::from("sh"),
        Text::from("-c"),
        Text::escaped(&script),
        Text::from("sh"),
    ]
    .into_iter()
    .chain(server.iter().cloned())
    .collect()
}

/// The values of `facts`, as Plan text.
fn texts(facts: &[crate::inspect::Fact<String>]) -> Vec<Text> {
    facts.iter().map(|f| Text::escaped(&f.value)).collect()
}

/// The folder the entry's module is imported from (`src` in a src layout).
fn entry_root(project: &Project, entry: &str) -> String {
    project
        .entries
        .iter()
        .find(|e| e.target == entry)
        .map(|e| e.import_root.clone())
        .unwrap_or_default()
}

/// Flask's instance folder (beside the entry's top-level package or module,
/// under `entry_root`), the folders the app user owns (the instance folder
/// first) and those it may only add files to, as absolute paths in the
/// image. A folder inside one it owns is still made and handed over:
/// `mkdir -p` makes it root's. The folders a launcher that serves names
/// (`/datastore`) are the app user's too.
fn write_dirs(
    entry_root: &str,
    found: &[crate::inspect::WriteDir],
    launcher: Option<&LauncherPlan>,
) -> (String, Vec<Text>, Vec<Text>) {
    let instance_dir = crate::inspect::files::join(entry_root, "instance");
    let absolute = |folder: &str| match folder {
        "" => "/app".to_string(),
        _ => format!("/app/{folder}"),
    };
    let mut writable = vec![absolute(&instance_dir)];
    let mut shared = Vec::new();
    for dir in found {
        let list = if dir.holds_files {
            &mut shared
        } else {
            &mut writable
        };
        let path = absolute(&dir.folder.value);
        if !list.contains(&path) {
            list.push(path);
        }
    }
    let texts = |list: Vec<String>| list.iter().map(|p| Text::escaped(p)).collect::<Vec<_>>();
    let mut writable = texts(writable);
    writable.extend(launcher.iter().flat_map(|l| l.data_dirs.iter().cloned()));
    (instance_dir, writable, texts(shared))
}

/// `name(None)`, else the first of `name(Some(2))`, `name(Some(3))`, ...
/// that `taken` does not hold: a service or volume name compose has not used.
fn first_free(taken: &[String], name: impl Fn(Option<u32>) -> String) -> String {
    let mut candidate = name(None);
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = name(Some(n));
        n += 1;
    }
    candidate
}

/// The command that applies the project's migrations, unless `--no-migrate`.
fn migrations(project: &Project, answers: &Answers) -> Option<Text> {
    let command = project.migrations.as_ref().filter(|_| answers.migrate)?;
    Some(Text::escaped(&command.value))
}

/// The prefix `from_prefixed_env()` reads settings under (`FLASK`), when
/// it is a plain variable name.
fn prefixed_env(project: &Project) -> Option<EnvName> {
    let prefix = project.prefixed_env.as_ref()?;
    EnvName::parse(&prefix.value)
}

/// A named volume for each writable folder after the instance folder (the
/// first, `instance-data`), named from its path (`/app/static/uploads`:
/// `static-uploads-data`; `/data`: `data`), never one compose already uses; none for a
/// folder inside another that has one.
fn data_volumes(writable: &[Text]) -> Vec<DataVolume> {
    let mut taken: Vec<String> = ["instance", "home", "db", "redis"]
        .iter()
        .map(|n| format!("{n}-data"))
        .collect();
    let mut volumes = Vec::new();
    for (i, path) in writable.iter().enumerate().skip(1) {
        // A folder inside another one's volume is kept by that volume.
        let inside = |outer: &Text| path.as_str().starts_with(&format!("{}/", outer.as_str()));
        if writable[..i].iter().any(inside) {
            continue;
        }
        let folder = path.as_str();
        let folder = folder.strip_prefix("/app/").unwrap_or(folder);
        let base = DnsName::label_from(folder, "data");
        let base = base.as_str()[..base.as_str().len().min(50)].trim_end_matches('-');
        let suffix = if base == "data" || base.ends_with("-data") {
            ""
        } else {
            "-data"
        };
        let name = first_free(&taken, |n| match n {
            None => format!("{base}{suffix}"),
            Some(n) => format!("{base}-{n}{suffix}"),
        });
        let Some(dns) = DnsName::label(&name) else {
            continue;
        };
        taken.push(name);
        volumes.push(DataVolume {
            name: dns,
            path: path.clone(),
        });
    }
    volumes
}

/// The lowest port a process that is not root may bind.
const FIRST_UNPRIVILEGED_PORT: u16 = 1024;

/// The port gunicorn binds for the app's `port`: the image's user is not
/// root (nor is Kubernetes' pod, every capability dropped), so a port below
/// 1024 is served on an unprivileged one: 80 on 8080, 443 on 8443, N on 8000 + N.
fn unprivileged_port(port: u16) -> u16 {
    match port {
        80 => 8080,
        443 => 8443,
        port if port < FIRST_UNPRIVILEGED_PORT => 8000 + port,
        port => port,
    }
}

/// The healthcheck's command: a GET of `path` on `port`, healthy below 500.
fn health_probe(port: u16, path: &str) -> Vec<Text> {
    let code = format!(
        "import http.client as h, sys; c = h.HTTPConnection('127.0.0.1', {port}, timeout=4); c.request('GET', sys.argv[1]); raise SystemExit(c.getresponse().status >= 500)"
    );
    ["python", "-c", &code, path]
        .into_iter()
        .map(Text::escaped)
        .collect()
}

fn image_name(project: &str) -> String {
    let name: String = project
        .to_ascii_lowercase()
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '.' | '_' | '-' => c,
            _ => '-',
        })
        .collect();
    let name = name.trim_matches(|c| matches!(c, '.' | '_' | '-'));
    if name.is_empty() {
        "app".to_string()
    } else {
        name.to_string()
    }
}

/// Whether the app reaches the database through SQLAlchemy, which needs the
/// driver named in the URL scheme.
fn uses_sqlalchemy(project: &Project) -> bool {
    project.depends_on("sqlalchemy") || project.depends_on("flask-sqlalchemy")
}

const EXAMPLE_USER: &str = "app";
const EXAMPLE_DATABASE: &str = "app";
const EXAMPLE_PASSWORD: &str = "change-me";

/// The settings modules the image makes from their examples.
fn local_settings(project: &Project) -> Vec<LocalSettingsPlan> {
    project
        .local_settings
        .iter()
        .map(|fact| LocalSettingsPlan {
            example: Text::escaped(&fact.value.example),
            target: Text::escaped(&fact.value.target),
            source: Text::escaped(&fact.source.to_string()),
        })
        .collect()
}

/// The servers the app needs that no service runs.
fn unserved(project: &Project) -> Vec<UnservedPlan> {
    project
        .unserved
        .iter()
        .map(|fact| UnservedPlan {
            server: Text::escaped(fact.value.server),
            package: Text::escaped(&fact.value.package),
            source: Text::escaped(&fact.source.to_string()),
        })
        .collect()
}

/// Top-level folders of the image's system: never made the app user's.
const SYSTEM_DIRS: &[&str] = &[
    "app", "bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "media", "mnt",
    "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var",
];

/// The launcher's plan: it serves where only it registers the pages and the
/// project says how it starts; the plain top-level folders its command names
/// (`-d /datastore`) are then made for the app user, the others named.
fn launcher_plan(launcher: &crate::inspect::Launcher) -> LauncherPlan {
    let argv = launcher
        .command
        .as_ref()
        .map(|c| argv(&c.value))
        .unwrap_or_default();
    let serves = launcher.pages.is_some() && !argv.is_empty();
    // The program itself (`/usr/bin/python3`) is read, not written.
    let (data_dirs, outside_paths): (Vec<Text>, Vec<Text>) = argv
        .iter()
        .skip(1)
        .filter(|w| {
            let w = w.as_str();
            w.starts_with('/')
                && !["/app", "/tmp"]
                    .iter()
                    .any(|d| w == *d || w.starts_with(&format!("{d}/")))
        })
        .cloned()
        .partition(|w| serves && is_data_dir(w.as_str()));
    LauncherPlan {
        server: Text::escaped(&launcher.server.value),
        server_source: shown(&launcher.server.source),
        pages: launcher.pages.as_ref().map(|pages| LatePagesPlan {
            function: Text::escaped(&pages.value),
            source: shown(&pages.source),
            factory: launcher.factory.as_deref().map(Text::escaped),
        }),
        argv,
        command_source: launcher.command.as_ref().map(|c| shown(&c.source)),
        outside_paths,
        serves,
        data_dirs,
    }
}

/// `/datastore`: one plain name under `/`, not a folder of the system.
fn is_data_dir(path: &str) -> bool {
    let name = path.strip_prefix('/').unwrap_or(path).trim_end_matches('/');
    !name.is_empty()
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !SYSTEM_DIRS.contains(&name)
}

/// The `db` service for `database`, from the catalogue: the URL names the
/// dialect+driver of the first listed driver package when the app uses
/// SQLAlchemy, else the bare scheme.
fn database_plan(project: &Project, database: Database) -> DatabasePlan {
    let kind = database.kind();
    let dialect = kind
        .drivers
        .iter()
        .find(|d| !d.dialect.is_empty() && project.depends_on(d.package))
        .map(|d| d.dialect);
    let url_scheme = match dialect {
        Some(dialect) if uses_sqlalchemy(project) => dialect,
        _ => kind.bare_scheme,
    };
    let mut plan = DatabasePlan::new(database, url_scheme);
    plan.variables = wiring::database_variables(project, &plan);
    plan
}

impl DatabasePlan {
    /// The `db` service, its URL with `url_scheme`.
    fn new(database: Database, url_scheme: &str) -> DatabasePlan {
        let kind = database.kind();
        let environment = kind
            .environment
            .iter()
            .filter_map(|setting| {
                let (value, from_env) = match setting.value {
                    SettingValue::User => (EXAMPLE_USER, true),
                    SettingValue::Password => (EXAMPLE_PASSWORD, true),
                    SettingValue::Database => (EXAMPLE_DATABASE, true),
                    SettingValue::Fixed(value) => (value, false),
                };
                Some(ServiceSetting {
                    name: EnvName::parse(setting.name)?,
                    value: value.into(),
                    from_env,
                    comment: setting.comment.map(Text::from),
                })
            })
            .collect();
        let port = kind.port;
        DatabasePlan {
            kind: database,
            title: kind.title.into(),
            image: kind.image.into(),
            port,
            data_folder: kind.data_folder.into(),
            environment,
            healthcheck: HealthcheckPlan::of(&kind.healthcheck),
            url: Text::escaped(&format!(
                "{url_scheme}://{EXAMPLE_USER}:{EXAMPLE_PASSWORD}@db:{port}/{EXAMPLE_DATABASE}"
            )),
            url_scheme: url_scheme.into(),
            variables: Vec::new(),
            user: EXAMPLE_USER.into(),
            name: EXAMPLE_DATABASE.into(),
            password_placeholder: EXAMPLE_PASSWORD.into(),
        }
    }
}
