//! Reads a Flask project and returns the facts found in it, each with the file
//! and line it came from. Nothing here writes, prompts or decides defaults that
//! a user could change: that is `answers` and `plan`.

mod background;
mod bootstrap;
mod cli;
mod config_object;
mod deployment;
mod deps;
mod entry;
mod env;
mod fact;
pub(crate) mod files;
mod flaskenv;
mod frontend;
mod git_index;
mod gunicorn;
mod health;
mod launcher;
mod local_settings;
mod migration_chain;
pub(crate) mod module;
mod own_deps;
mod package;
mod packaged;
mod python;
mod requirements;
mod secret_key;
pub(crate) mod source;
mod system_packages;
mod wheels;
mod worker;
mod writes;

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Serialize;

pub use background::Background;
pub use cli::SetupCommand;
pub use config_object::ConfigObject;
pub use deployment::Process;
pub use deps::{DependencyManager, Install, LockExport, is_extra_name};
pub(crate) use entry::ENTRY_REASON_END;
pub use entry::EntryCandidate;
pub use env::EnvVar;
pub use fact::{Fact, Source};
pub use files::{read_text, toml_error};
pub use flaskenv::parse_dotenv;
pub use frontend::{Frontend, NodeManager};
pub use launcher::Launcher;
pub use local_settings::LocalSettings;
pub use package::Package;
pub use packaged::{PackageBuilder, Packaged};
pub use python::{CURRENT_STABLE_PYTHON, SUPPORTED_PYTHONS};
pub use requirements::{RequirementLine, parse_requirements};
pub use wheels::Pin;
pub use worker::{ASGI_WORKER_CLASS, Worker};
pub use writes::{WriteDir, shown as shown_folder};

use crate::safe::PythonVersion;
use crate::services::{self, Database};
use worker::gunicorn_worker;

/// Everything inspection found in a project.
#[derive(Debug, Clone, Serialize)]
pub struct Project {
    /// The folder inspected, as the user gave it.
    #[serde(skip)]
    pub root: String,
    /// The Python the project declares (`3.12`), moved down to the newest
    /// its exact pins have wheels for when it declares a range or nothing.
    pub python_version: Option<Fact<PythonVersion>>,
    /// Port the app listens on, if the code says.
    pub port: Option<Fact<u16>>,
    /// WSGI targets found, best first.
    pub entries: Vec<EntryCandidate>,
    /// How dependencies are declared and installed.
    pub dependency_manager: Fact<DependencyManager>,
    /// What the Dockerfile installs from.
    pub install: Install,
    /// The project is itself a package the image installs too, for its
    /// metadata, entry points and scripts: where that is declared, and
    /// what builds it.
    pub packaged: Option<Packaged>,
    /// Every dependency named by the project.
    pub packages: Vec<Package>,
    /// Exact versions the project asks for (`lxml==5.2.2`, a lock's entries).
    pub pins: Vec<Pin>,
    /// A PostgreSQL or MySQL driver or URL, if found.
    pub database: Option<Fact<Database>>,
    /// A Redis client or URL, if found: where from.
    pub redis: Option<Source>,
    /// A module-level Celery app (`module:name`), if found.
    pub celery: Option<Fact<String>>,
    /// The Celery app's broker written in its module as a `localhost` URL:
    /// no worker can reach it from its own container.
    pub celery_local_broker: Option<Fact<String>>,
    /// Celery beat schedules, RQ queues and rq-scheduler, from the code.
    pub background: Background,
    /// Other long-running processes the project's `Procfile` declares.
    pub processes: Vec<Fact<Process>>,
    /// Flask-Migrate is a dependency but no migration scripts are committed
    /// (no `migrations/` folder, no `alembic.ini`): where the dependency is.
    /// The tables exist only once the user creates and commits them.
    pub uncommitted_migrations: Option<Source>,
    /// How `uv.lock` differs from `pyproject.toml` where the build's
    /// `uv sync --locked` refuses it (`the project's version is 2.1, the lock's 2.0`).
    pub stale_lock: Option<String>,
    /// One-off commands the project runs before it serves (`flask deploy`,
    /// a `Procfile`'s `release:` line), in the order found.
    pub setup_steps: Vec<Fact<String>>,
    /// Commands of the app's own CLI that set it up (`init-db`, `deploy`).
    pub setup_commands: Vec<Fact<SetupCommand>>,
    /// The gunicorn worker a WebSocket extension needs, if the project uses one.
    pub worker: Option<Fact<Worker>>,
    /// Environment variables the code reads, sorted by name.
    pub env_vars: Vec<EnvVar>,
    /// `app.config.from_prefixed_env()` loads every variable with this prefix.
    pub prefixed_env: Option<Fact<String>>,
    /// Variables that name the object the config is loaded from
    /// (`app.config.from_object(os.getenv("APP_SETTINGS"))`), each with the
    /// project's config classes.
    pub config_objects: Vec<Fact<ConfigObject>>,
    /// Debian build packages the project's own Dockerfile installs.
    pub dockerfile_packages: Vec<Fact<String>>,
    /// `templates/` folder (or `pkg/templates`), if present.
    pub templates_dir: Option<String>,
    /// `static/` folder (or `pkg/static`), if present.
    pub static_dir: Option<String>,
    /// Folders of the project the app writes into at run time (a log or
    /// upload folder, a SQLite file's), relative to the root (`""` is the
    /// root itself), each with where the code says so.
    pub write_dirs: Vec<writes::WriteDir>,
    /// Settings modules the app loads that the repository leaves out but
    /// has an example of (`app/local_settings_example.py`), with where.
    pub local_settings: Vec<Fact<LocalSettings>>,
    /// Servers the app's dependencies reach that flaskdock runs no service
    /// for (MongoDB through `pymongo`), each once.
    pub unserved: Vec<Fact<Unserved>>,
    /// Where the app applies Werkzeug's `ProxyFix`, if it does.
    pub proxy_fix: Option<Source>,
    /// The server the project starts itself instead of gunicorn, the pages
    /// only that launcher registers, and the command that runs it.
    pub launcher: Option<Launcher>,
    /// A secret key the app makes at random when it starts, not read from
    /// the environment (`app.secret_key = os.urandom(24)`): its name and
    /// where. Each process would sign sessions with a key of its own.
    pub random_secret: Option<Fact<String>>,
    /// Variables the code reads Flask's secret key from, under names of its
    /// own (`SECRET_KEY = os.getenv("SHOP_KEY")`), each where; once each.
    pub secret_key_vars: Vec<Fact<String>>,
    /// Where the code names a SQLite file (a `sqlite:///` URL, not one in
    /// memory, or `sqlite3.connect`), if it does.
    pub sqlite: Option<Source>,
    /// A health route whose view uses no service (`/healthz`), for the
    /// image's HEALTHCHECK, if the app declares one.
    pub health_path: Option<Fact<String>>,
    /// A front-end build (`package.json` with a `build` script), if any.
    pub frontend: Option<Frontend>,
    /// The command that applies database migrations (`flask db upgrade`), if the
    /// project has them.
    pub migrations: Option<Fact<String>>,
    /// Tables the migrations change but never create (the app's own
    /// bootstrap makes them): the chain cannot start from an empty database.
    pub migrations_need_tables: Option<Fact<Vec<String>>>,
    /// The gunicorn config file: the one the project's start command names
    /// (`-c FILE`), else `gunicorn.conf.py` in the project root, if present.
    pub gunicorn_config: Option<String>,
    /// Folders that hold virtualenvs (they have a `pyvenv.cfg`), to keep out of the image.
    pub virtualenvs: Vec<String>,
    /// Keys and certificates in the project, which `.dockerignore` keeps out of the image.
    pub key_files: Vec<String>,
    /// Lines of the project's `.gitignore`, in order.
    pub gitignore: Vec<String>,
    /// Files git tracks although `.gitignore` names them (added with
    /// `git add -f`): `.dockerignore` must not exclude them.
    pub committed_ignored: Vec<String>,
    /// Things the user should know: unparsable files, guesses, missing pieces.
    pub warnings: Vec<String>,
}

impl Project {
    /// The best WSGI target found, if any.
    pub fn entry(&self) -> Option<&EntryCandidate> {
        self.entries.first()
    }

    /// Whether a package (normalized PEP 503 name) is a dependency.
    pub fn depends_on(&self, name: &str) -> bool {
        self.packages.iter().any(|p| p.name == name)
    }

    /// What the dependencies need on Python `python`: the Debian packages
    /// (some only where a pin has no wheel for it), and a warning for each
    /// pin pip must compile there. Made from the Python chosen, which a flag
    /// or a saved answer can change, never from the one detected.
    pub fn on_python(&self, python: PythonVersion) -> OnPython {
        let (mut build, runtime) = system_packages::detect(&self.packages, &self.pins, python);
        for package in &self.dockerfile_packages {
            if !build.iter().any(|p| p.value == package.value) {
                build.push(package.clone());
            }
        }
        OnPython {
            build,
            runtime,
            warnings: [
                wheels::python2_pins(&self.pins),
                wheels::late_pins(&self.pins, python),
            ]
            .concat(),
        }
    }
}

/// What the dependencies need on one Python ([`Project::on_python`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnPython {
    /// Debian packages to build the dependencies (builder stage only).
    pub build: Vec<Fact<String>>,
    /// Debian libraries they need at run time.
    pub runtime: Vec<Fact<String>>,
    /// Pins with no wheel for that Python.
    pub warnings: Vec<String>,
}

/// Inspects the Flask project at `root`.
pub fn inspect(root: &Path) -> Result<Project> {
    let meta = std::fs::metadata(root).with_context(|| {
        format!(
            "cannot read `{}`; pass the path of a Flask project",
            root.display()
        )
    })?;
    if !meta.is_dir() {
        bail!(
            "`{}` is not a directory; pass the folder that holds the Flask project",
            root.display()
        );
    }

    from_tree(&files::scan(root)?)
}

/// Inspects a project already scanned (doctor scans once for its own checks too).
pub(crate) fn from_tree(tree: &files::Tree) -> Result<Project> {
    let mut warnings = Vec::new();

    // Read and parsed once; deps and the Python version both need them.
    let pyproject = files::TomlFile::read(tree, "pyproject.toml")?;
    let pipfile = files::TomlFile::read(tree, "Pipfile")?;
    let deps = deps::detect_dependencies(tree, pyproject.as_ref(), pipfile.as_ref())?;
    let package_rule = pyproject.as_ref().map(packaged::PackageRule::read);
    let packaged = packaged::packaged(tree, &deps.install, package_rule.as_ref(), &mut warnings);
    warnings.extend(deps.warnings.iter().cloned());

    // Syntax trees are kept only where an app can be; every module's facts
    // are read as it is parsed.
    let (modules, code) = source::parse_for_inspect(tree, &mut warnings);
    let flaskenv = flaskenv::detect_flaskenv(tree, &mut warnings);
    let deployment = deployment::detect(tree);
    let entries = ranked_entries(tree, &modules, &flaskenv, &deployment, &mut warnings);
    let gunicorn = gunicorn_config(tree, &modules, &deployment, &mut warnings);

    let declared =
        python::detect_python_version(tree, pyproject.as_ref(), pipfile.as_ref(), &mut warnings)?;
    let python_version = python_version(tree, declared, &deployment, &deps.pins);

    let database = detect_database(&deps.packages, &code, &deployment, &mut warnings);
    let redis = detect_redis(&deps, &code, &deployment, &mut warnings);
    let migrations = detect_migrations(tree, &deps.packages);
    let celery = entry::detect_celery(&modules);
    let migrations_need_tables = migrations
        .as_ref()
        .and_then(|_| tables_missing(tree, &mut warnings));
    let worker = gunicorn_worker(&deps, &deployment, entries.first(), &modules, &mut warnings);

    // The project's names (its folder's one costs a system call) only when
    // nothing before them gave the port.
    let names = || project_names(tree, package_rule.as_ref(), entries.first());
    let port = port(
        &deployment,
        gunicorn.as_ref(),
        &flaskenv,
        &code,
        names,
        &entries,
    );
    warn_about_code(tree, &code, database.is_some(), &mut warnings);
    warnings.extend(subfolder_project(tree, &deps.install, entries.first()));
    let static_dir = tree.find_dir("static");
    let frontend = frontend::detect(tree, static_dir.as_deref(), &mut warnings);
    let write_dirs = write_dirs(tree, code.writes, static_dir.as_deref(), &deps.packages);

    let setup_steps = setup_steps(
        tree,
        deployment.setup_steps,
        entries.first(),
        migrations.is_none() || migrations_need_tables.is_some(),
    );
    Ok(Project {
        root: tree.root.display().to_string(),
        // (these borrow what the fields below move)
        uncommitted_migrations: uncommitted_migrations(tree, &deps.packages),
        secret_key_vars: secret_key_vars(code.secret_key_vars, &code.env_vars),
        launcher: launcher::find(
            code.own_server,
            &code.pages,
            entries.first(),
            launch_commands(tree, &pyproject, &packaged, deployment.launch_command),
            &mut warnings,
        ),
        python_version,
        port,
        entries,
        dependency_manager: deps.manager,
        install: deps.install,
        packaged,
        unserved: unserved(&deps.packages),
        packages: deps.packages,
        pins: deps.pins,
        database,
        redis,
        celery_local_broker: local_broker(
            celery.as_ref(),
            &modules,
            &code.local_brokers,
            &mut warnings,
        ),
        celery,
        background: code.background,
        processes: deployment.processes,
        setup_steps,
        setup_commands: cli::resolve(code.cli, tree.has_file("manage.py")),
        worker,
        env_vars: code.env_vars,
        prefixed_env: code.prefixed_env,
        config_objects: config_object::find(tree, &code.config_selectors, &deployment.environment),
        dockerfile_packages: deployment.build_packages,
        templates_dir: tree.find_dir("templates"),
        static_dir,
        write_dirs,
        local_settings: local_settings::detect(tree),
        proxy_fix: code.proxy_fix,
        random_secret: code.random_secret.clone(),
        sqlite: code.sqlite_urls.first().cloned(),
        frontend,
        health_path: health::choose(&code.health_routes, deployment.health_path),
        migrations,
        migrations_need_tables,
        stale_lock: deps.stale_lock.clone(),
        gunicorn_config: gunicorn.map(|g| g.path),
        virtualenvs: tree.virtualenvs.clone(),
        key_files: key_files(tree),
        gitignore: tree.gitignore.clone(),
        committed_ignored: tree.committed_ignored.clone(),
        warnings,
    })
}

/// How the project says its launcher runs: a command of its deployment
/// files, or its console scripts (by name where the image installs it).
fn launch_commands<'t>(
    tree: &'t files::Tree,
    pyproject: &'t Option<files::TomlFile>,
    packaged: &Option<Packaged>,
    declared: Option<Fact<String>>,
) -> launcher::Commands<'t> {
    launcher::Commands {
        declared,
        tree,
        pyproject: pyproject.as_ref(),
        installed: packaged.is_some(),
    }
}

/// The WSGI targets, best first: what the project's own start command
/// serves, then `FLASK_APP`, then what the code defines, in rank order.
fn ranked_entries(
    tree: &files::Tree,
    modules: &[module::Module],
    flaskenv: &flaskenv::FlaskEnv,
    deployment: &deployment::Deployment,
    warnings: &mut Vec<String>,
) -> Vec<EntryCandidate> {
    let mut entries = entry::detect_entries(modules);
    if let Some(app) = &flaskenv.app {
        match entry::from_flask_app(tree, &app.value, app.source.clone(), &entries) {
            Some(chosen) => {
                entries.retain(|e| e.target != chosen.target);
                entries.insert(0, chosen);
            }
            None => warnings.push(format!(
                "{}: FLASK_APP names `{}`, which is no module of the project: ignored",
                app.source,
                crate::safe::escaped(&app.value)
            )),
        }
    }
    if let Some(chosen) = deployment
        .commands
        .iter()
        .find_map(|c| entry::from_command(tree, c, &entries))
    {
        entries.retain(|e| e.target != chosen.target);
        entries.insert(0, chosen);
    }
    warnings.extend(unimportable_entry(modules, entries.first()));
    warnings.extend(entry::missing_object(modules, entries.first()));
    if entries.is_empty() {
        warnings
            .extend(entry::dash_without_server(modules).or_else(|| entry::app_in_class(modules)));
    }
    entries
}

/// The chosen target's module has a syntax error (it ranks last, so it is
/// chosen only when there is no other): Python cannot import it.
fn unimportable_entry(
    modules: &[module::Module],
    entry: Option<&EntryCandidate>,
) -> Option<String> {
    let entry = entry?;
    let target_module = entry.target.split(':').next()?;
    let module = modules.iter().find(|m| {
        m.has_syntax_error
            && m.name.as_deref() == Some(target_module)
            && m.import_root == entry.import_root
    })?;
    Some(format!(
        "{}: the app's module has a syntax error (above), so Python cannot import it and gunicorn will not start until it is fixed",
        module.path
    ))
}

/// The port the project's own production server command binds, then
/// gunicorn's own config, an existing Dockerfile's or compose file's, a
/// `flask run` command's (a development server: a script that runs one, such
/// as a test runner's, says less than the project's Dockerfile), `.flaskenv`'s,
/// `app.run`'s, a `PORT` default's, a `<PROJECT>_PORT` default's, its
/// launcher's `--port` option's, and Flask's own when a script starts its
/// development server without one.
fn port(
    deployment: &deployment::Deployment,
    gunicorn: Option<&gunicorn::GunicornConfig>,
    flaskenv: &flaskenv::FlaskEnv,
    code: &env::CodeFacts,
    names: impl FnOnce() -> Vec<String>,
    entries: &[EntryCandidate],
) -> Option<Fact<u16>> {
    let command_port = |development: bool| {
        deployment
            .commands
            .iter()
            .filter(|c| (c.value.server == "flask run") == development)
            .find_map(|c| Some(Fact::new(c.value.port?, c.source.clone())))
    };
    // A server started in another app of the repository (a sibling service
    // under its own folder) says nothing of this one's port, unless no other
    // source does.
    let own = |source: &Source| !is_another_apps(source, entries);
    command_port(false)
        .or_else(|| gunicorn.and_then(|g| g.port.clone()))
        .or_else(|| deployment.exposed.clone())
        .or_else(|| command_port(true))
        .or(flaskenv.port.clone())
        .or_else(|| code.run_ports.iter().find(|p| own(&p.source)).cloned())
        .or_else(|| code.port_env_default.clone())
        .or_else(|| project_port(&code.env_vars, &names()))
        .or_else(|| code.cli_port.clone())
        .or_else(|| {
            let server = code.dev_servers.iter().find(|s| own(&s.source));
            flask_default_port(server, entries)
        })
        .or_else(|| code.run_ports.first().cloned())
        .or_else(|| flask_default_port(code.dev_servers.first(), entries))
}

/// Whether `source` lies in the folder of another app than the first
/// candidate: under a candidate's own import root (`metadata/` beside the
/// chosen `frontend/`), not under the chosen one's.
fn is_another_apps(source: &Source, entries: &[EntryCandidate]) -> bool {
    let (Some(chosen), Some(file)) = (entries.first(), source.file.as_deref()) else {
        return false;
    };
    let under = |root: &str| !root.is_empty() && file.starts_with(&format!("{root}/"));
    !under(&chosen.import_root)
        && entries
            .iter()
            .any(|e| e.import_root != chosen.import_root && under(&e.import_root))
}

/// What the project calls itself, lower case, letters and digits only: its
/// folder's name, its package name, its entry's top-level module.
fn project_names(
    tree: &files::Tree,
    rule: Option<&packaged::PackageRule>,
    entry: Option<&EntryCandidate>,
) -> Vec<String> {
    let folder = tree
        .root
        .canonicalize()
        .ok()
        .and_then(|p| Some(p.file_name()?.to_string_lossy().into_owned()));
    let module = entry.and_then(|e| e.target.split(['.', ':']).next().map(str::to_string));
    [folder, rule.and_then(|r| r.module.clone()), module]
        .into_iter()
        .flatten()
        .map(|n| {
            n.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .filter(|n| n.len() >= 3)
        .collect()
}

/// The numeric default of `<PROJECT>_PORT` (`CALIBRE_PORT` in calibre-web),
/// the port the project's own server listens on.
fn project_port(vars: &[env::EnvVar], names: &[String]) -> Option<Fact<u16>> {
    vars.iter().find_map(|var| {
        let prefix = var
            .name
            .strip_suffix("_PORT")?
            .replace('_', "")
            .to_ascii_lowercase();
        // A service's port is not, whatever the project is called (`MAIL_PORT` in `mailman`).
        const SERVICES: &[&str] = &[
            "mail",
            "smtp",
            "email",
            "redis",
            "postgres",
            "postgresql",
            "pg",
            "mysql",
            "mongo",
            "mongodb",
            "database",
            "cache",
            "memcached",
            "broker",
            "rabbitmq",
            "amqp",
            "ldap",
            "elastic",
            "elasticsearch",
            "statsd",
            "prometheus",
            "metrics",
            "debug",
            "proxy",
        ];
        let ours = prefix.len() >= 3
            && !SERVICES.contains(&prefix.as_str())
            && names.iter().any(|n| n.starts_with(&prefix));
        let port = var
            .default
            .as_deref()?
            .parse::<u16>()
            .ok()
            .filter(|_| ours)?;
        let note = format!("default of `{}`, named after the project", var.name);
        Some(Fact::new(port, var.source.clone().with_note(note)))
    })
}

/// The Python the project declares, bounded by what it is tested on and by
/// its existing image; old pins may call for an older Python than the
/// default or a range's newest.
fn python_version(
    tree: &files::Tree,
    declared: Option<python::Declared>,
    deployment: &deployment::Deployment,
    pins: &[Pin],
) -> Option<Fact<PythonVersion>> {
    let declared = python::bounded_by_tests(declared, python::tested_on(tree));
    let declared = python::with_deployment(declared, deployment.python.clone());
    let fitted = wheels::fit(declared.as_ref(), CURRENT_STABLE_PYTHON, pins);
    fitted
        .or(declared.map(|d| d.fact))
        .and_then(|f| Some(Fact::new(PythonVersion::parse(&f.value)?, f.source)))
}

/// An app in a subfolder that has its own dependency file (`server/app.py`
/// beside `server/requirements.txt`) while the root has none: the folder to
/// run flaskdock on.
fn subfolder_project(
    tree: &files::Tree,
    install: &Install,
    entry: Option<&EntryCandidate>,
) -> Option<String> {
    if !matches!(install, Install::Bare) {
        return None;
    }
    let file = entry?.source.file.as_deref()?;
    let mut dir = file.rsplit_once('/').map_or("", |(dir, _)| dir);
    while !dir.is_empty() {
        for manifest in ["requirements.txt", "pyproject.toml", "Pipfile", "setup.py"] {
            if tree.has_file(&format!("{dir}/{manifest}")) {
                return Some(format!(
                    "the app ({file}) has its own `{dir}/{manifest}` and the root has no dependency file: run `flaskdock init {}` to containerize that folder; the files written here install Flask alone",
                    shell_words::quote(dir)
                ));
            }
        }
        dir = dir.rsplit_once('/').map_or("", |(parent, _)| parent);
    }
    None
}

/// Warnings about what the code does that the image does not: names that
/// are not variable names, skipped paths, SQLite.
fn warn_about_code(
    tree: &files::Tree,
    code: &env::CodeFacts,
    has_database: bool,
    warnings: &mut Vec<String>,
) {
    if let Some(key) = &code.random_secret {
        warnings.push(format!(
            "{}: the app makes its `{}` at random when it starts, so each process signs sessions and tokens with a key of its own and rejects the others': the image runs one gunicorn worker (with threads) and one Kubernetes replica; read the key from the environment to run more",
            key.source, key.value
        ));
    }
    for name in &code.rejected_names {
        warnings.push(format!(
            "{}: `{}` is not an environment variable name (letters, digits and `_`); it is left out of `.env.example`",
            name.source,
            crate::safe::escaped(&name.value)
        ));
    }
    if !tree.unsafe_names.is_empty() {
        let shown: Vec<&str> = tree
            .unsafe_names
            .iter()
            .take(3)
            .map(String::as_str)
            .collect();
        warnings.push(format!(
            "skipped {} path(s) whose names hold a control character or a line break ({}{}); flaskdock neither reads nor names them: rename them to have them inspected",
            tree.unsafe_names.len(),
            shown.join(", "),
            if tree.unsafe_names.len() > 3 { ", ..." } else { "" }
        ));
    }
    // Where the code also reads its database's URL or host from the
    // environment (which compose sets), the one written in it is a fallback.
    let located_by_environment = code.env_vars.iter().any(|v| {
        crate::services::names_database_url(&v.name)
            || (crate::services::names_database(&v.name) && v.name.ends_with("HOST"))
    });
    if !located_by_environment && let Some(url) = code.local_databases.first() {
        warnings.push(format!(
            "{}: the database URL `{}` is written in the code for this machine: in a container that is the container itself, so the app cannot reach the `db` service; read it from the environment (`os.environ.get(\"DATABASE_URL\", ...)`) and run flaskdock init again",
            url.source,
            crate::safe::escaped(&without_password(&url.value))
        ));
    }
    if let Some(url) = &code.sqlite_in_tmp {
        warnings.push(format!(
            "{}: the app keeps its SQLite database in /tmp (`{}`), which is memory in the container (compose's tmpfs): every restart loses the data; point it at the instance folder (`sqlite:////app/instance/app.db`, a volume)",
            url.source,
            crate::safe::escaped(&url.value)
        ));
    } else if let Some(source) = code.sqlite_urls.first()
        // A fallback for the database URL that compose sets, or that
        // `.env.example` points at a file in the instance folder (a URL
        // variable read with a SQLite default or none, and no database).
        && !(located_by_environment && has_database)
        && (has_database || !sqlite_url_from_environment(code))
    {
        warnings.push(format!(
            "{source}: the app uses SQLite; the image's source belongs to root, so the file must be in the instance folder or a `write_dir` (volumes, both): one beside the source is lost with the container"
        ));
    }
}

/// Whether the code reads a variable that locates its SQLite database (a
/// URL, or a file's path): the plan sets it to a file in the instance folder.
fn sqlite_url_from_environment(code: &env::CodeFacts) -> bool {
    code.env_vars
        .iter()
        .any(|v| crate::services::sqlite_setting(&v.name, v.default.as_deref()).is_some())
}

/// Flask's development server listens on 5000 unless told otherwise: a
/// project whose own way to start is `app.run()` (on one of its apps) or a
/// `FlaskGroup` CLI's `run` serves there, and its README, port mappings and
/// habits say 5000. A `run()` on anything else is not Flask's.
fn flask_default_port(
    dev_server: Option<&Fact<Option<String>>>,
    entries: &[EntryCandidate],
) -> Option<Fact<u16>> {
    const FLASK_DEFAULT_PORT: u16 = 5000;
    let server = dev_server?;
    let note = match &server.value {
        None => "Flask's default: a `FlaskGroup` CLI starts the development server".to_string(),
        Some(name) => {
            let is_app = entries
                .iter()
                .any(|e| e.target.rsplit(':').next() == Some(name.as_str()));
            if !is_app {
                return None;
            }
            format!("Flask's default: `{name}.run()` gives no port")
        }
    };
    Some(Fact::new(
        FLASK_DEFAULT_PORT,
        server.source.clone().with_note(note),
    ))
}

/// A driver in the dependencies decides, in the catalogue's order.
/// PostgreSQL comes first: an app with both drivers most often uses MySQL
/// only for an import job, and the user can still pass `--db mysql`. A
/// database URL in the code without a driver is a warning, not a service:
/// the app could not reach it. Without a driver, the database service of
/// the project's own deployment files decides.
fn detect_database(
    packages: &[Package],
    code: &env::CodeFacts,
    deployment: &deployment::Deployment,
    warnings: &mut Vec<String>,
) -> Option<Fact<Database>> {
    for database in Database::all() {
        let driver = packages
            .iter()
            .find(|p| Database::of_driver(&p.name).is_some_and(|(db, _)| db == database));
        if let Some(driver) = driver {
            let note = format!("driver `{}`", driver.name);
            return Some(Fact::new(database, driver.source.clone().with_note(note)));
        }
    }
    if let Some((database, url)) = Database::all().find_map(|database| {
        let url = code
            .database_urls
            .iter()
            .find(|url| url.value == database)?;
        Some((database, url))
    }) {
        let kind = database.kind();
        warnings.push(format!(
            "{} names a {} URL, but no {} driver is in the dependencies, so no `db` service is written: add one ({}) and re-run, or pass `--db {}`",
            url.source,
            kind.title,
            kind.title,
            kind.drivers
                .iter()
                .map(|d| d.package)
                .take(2)
                .collect::<Vec<_>>()
                .join(" or "),
            database.name()
        ));
    }
    deployment.database.clone()
}

/// Flask-Migrate with its `migrations/` folder, or plain Alembic with `alembic.ini`.
fn detect_migrations(tree: &files::Tree, packages: &[Package]) -> Option<Fact<String>> {
    let package = |name: &str| packages.iter().find(|p| p.name == name);
    if let Some(flask_migrate) = package("flask-migrate")
        && tree.has_file("migrations/env.py")
    {
        let source = flask_migrate
            .source
            .clone()
            .with_note("Flask-Migrate with migrations/env.py");
        return Some(Fact::new("flask db upgrade".to_string(), source));
    }
    if package("alembic").is_some() && tree.has_file("alembic.ini") {
        return Some(Fact::new(
            "alembic upgrade head".to_string(),
            Source::file("alembic.ini"),
        ));
    }
    None
}

/// `scheme://user:password@host/...` with the password left out (`***`):
/// a URL from the code is shown in warnings, which reach terminals and CI logs.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, password)) if !password.is_empty() => {
                format!("{scheme}://{user}:***@{host}{path}")
            }
            _ => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// The key's variables under names of the app's own that it is found
/// reading (a read through a helper the scan does not follow is not
/// listed), each once; not another
/// service's (Stripe's `{"secret_key": os.environ["STRIPE_SECRET_KEY"]}`).
fn secret_key_vars(found: Vec<Fact<String>>, env_vars: &[EnvVar]) -> Vec<Fact<String>> {
    let mut kept: Vec<Fact<String>> = Vec::new();
    for fact in found {
        let read = env_vars.iter().any(|v| v.name == fact.value);
        // (`SECRET_KEY` itself `.env.example` sets in any case)
        let own = fact.value != "SECRET_KEY" && !crate::secret::names_a_third_party(&fact.value);
        if read && own && !kept.iter().any(|k| k.value == fact.value) {
            kept.push(fact);
        }
    }
    kept
}

/// A `localhost` broker URL written in the Celery app's own module, or
/// assigned to the name its `broker=` argument reads (a settings class in
/// another module): the worker would retry it forever from its container.
fn local_broker(
    celery: Option<&Fact<String>>,
    modules: &[module::Module],
    brokers: &[env::LocalBroker],
    warnings: &mut Vec<String>,
) -> Option<Fact<String>> {
    let celery = celery?;
    let broker_name = entry::celery_broker_name(modules, celery);
    let broker = brokers
        .iter()
        .find(|b| b.url.source.file == celery.source.file)
        .or_else(|| {
            brokers
                .iter()
                .find(|b| b.name.is_some() && b.name == broker_name)
        })
        .map(|b| &b.url)?;
    warnings.push(format!(
        "{}: the Celery broker is `{}`, written in the code: in a container that is the container itself, so no worker is generated; read it from the environment (`os.environ.get(\"CELERY_BROKER_URL\", ...)`) and run flaskdock init again",
        broker.source,
        crate::safe::escaped(&without_password(&broker.value))
    ));
    Some(broker.clone())
}

/// gunicorn's config file: the one the project's start command names (`-c`),
/// else the usual `gunicorn.conf.py`.
fn gunicorn_config(
    tree: &files::Tree,
    modules: &[module::Module],
    deployment: &deployment::Deployment,
    warnings: &mut Vec<String>,
) -> Option<gunicorn::GunicornConfig> {
    let declared = deployment
        .commands
        .iter()
        .find_map(|c| c.value.config.as_deref());
    gunicorn::detect_gunicorn_config(modules, tree, declared, warnings)
}

/// The tables the migration chain changes but never creates, with a warning.
fn tables_missing(tree: &files::Tree, warnings: &mut Vec<String>) -> Option<Fact<Vec<String>>> {
    let need = migration_chain::missing_tables(tree, &migration_scripts(tree))?;
    warnings.push(migration_chain::warning(&need));
    Some(need)
}

/// What the project's files run before it serves, then, where no migration
/// chain the image runs makes the tables, its root scripts that create them
/// (`python create_db.py`) and that its files do not run already.
fn setup_steps(
    tree: &files::Tree,
    mut steps: Vec<Fact<String>>,
    entry: Option<&EntryCandidate>,
    needs_tables: bool,
) -> Vec<Fact<String>> {
    if !needs_tables {
        return steps;
    }
    let entry_file = entry
        .filter(|e| e.import_root.is_empty())
        .and_then(|e| e.target.split(':').next())
        .filter(|module| !module.contains('.'))
        .map(|module| format!("{module}.py"));
    for script in bootstrap::scripts(tree, entry_file.as_deref()) {
        let file = script.value.trim_start_matches("python ");
        if !steps.iter().any(|s| s.value.contains(file)) {
            steps.push(script);
        }
    }
    steps
}

/// The folders the app writes into (`writes.rs`). Flask-Assets builds its
/// bundles into the static folder when a page first asks for them (and
/// keeps its cache there): the app may add files to it, never change the
/// source's, and it stays in the image (a volume over it would keep an old
/// release's files).
fn write_dirs(
    tree: &files::Tree,
    writes: Vec<Fact<String>>,
    static_dir: Option<&str>,
    packages: &[Package],
) -> Vec<writes::WriteDir> {
    let mut dirs = writes::write_dirs(tree, writes);
    let assets = packages.iter().find(|p| p.name == "flask-assets");
    if let (Some(folder), Some(assets)) = (static_dir, assets) {
        dirs.retain(|d| d.folder.value != folder);
        let source = assets
            .source
            .clone()
            .with_note("Flask-Assets builds its bundles into it");
        dirs.push(writes::WriteDir {
            folder: Fact::new(folder.to_string(), source),
            holds_files: true,
        });
    }
    dirs
}

/// The folder of the migration scripts: `alembic.ini`'s `script_location`
/// when the project has one at its root, else Flask-Migrate's `migrations`.
fn migration_scripts(tree: &files::Tree) -> String {
    let configured = tree
        .has_file("alembic.ini")
        .then(|| tree.read("alembic.ini").ok())
        .flatten();
    configured
        .as_deref()
        .and_then(|text| {
            text.lines().find_map(|line| {
                let (key, value) = line.split_once('=')?;
                (key.trim() == "script_location")
                    .then(|| value.trim().trim_start_matches("./").to_string())
            })
        })
        .filter(|dir| !dir.is_empty() && !dir.contains(':') && !dir.contains('%'))
        .unwrap_or_else(|| "migrations".to_string())
}

/// Flask-Migrate without any migration scripts in the project: no folder
/// named `migrations` (wherever `Migrate(directory=...)` puts it, it is
/// usually called that) and no `alembic.ini`.
fn uncommitted_migrations(tree: &files::Tree, packages: &[Package]) -> Option<Source> {
    let flask_migrate = packages.iter().find(|p| p.name == "flask-migrate")?;
    let has_scripts = tree.files.iter().any(|f| {
        f == "alembic.ini"
            || f.ends_with("/alembic.ini")
            || f.split('/').rev().skip(1).any(|d| d == "migrations")
    });
    (!has_scripts).then(|| flask_migrate.source.clone())
}

/// The project's files that hold keys or certificates ([`is_key_file`]).
fn key_files(tree: &files::Tree) -> Vec<String> {
    tree.files
        .iter()
        .filter(|f| is_key_file(f))
        .cloned()
        .collect()
}

/// Private keys and certificates, by name, as `.dockerignore` matches them.
pub(crate) fn is_key_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    [".pem", ".key", ".crt", ".p12", ".pfx"]
        .iter()
        .any(|ext| name.ends_with(ext))
        || name.starts_with("id_rsa")
        || name.starts_with("id_ed25519")
}

/// A server the app needs that flaskdock writes no service for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unserved {
    /// What it is (`MongoDB`).
    pub server: &'static str,
    /// The client package that reaches it (`pymongo`).
    pub package: String,
}

/// The servers of [`services::UNSERVED`] the dependencies reach, each once,
/// with the first client package found.
fn unserved(packages: &[Package]) -> Vec<Fact<Unserved>> {
    services::UNSERVED
        .iter()
        .filter_map(|(server, clients)| {
            let package = packages
                .iter()
                .find(|p| clients.contains(&p.name.as_str()))?;
            Some(Fact::new(
                Unserved {
                    server,
                    package: package.name.clone(),
                },
                package.source.clone(),
            ))
        })
        .collect()
}

/// A Redis client or task queue of the catalogue, a package's `redis`
/// extra (`celery[redis]`), else a Redis URL in the code.
/// Redis: a client in the dependencies (a lock's entries too), else a Redis
/// service the project's own compose file runs, else a `redis://` URL in the
/// code when no dependency file says what the app installs.
fn detect_redis(
    deps: &deps::Dependencies,
    code: &env::CodeFacts,
    deployment: &deployment::Deployment,
    warnings: &mut Vec<String>,
) -> Option<Source> {
    // Clients beside the catalogue's drivers, which a URL needs to be used.
    const OTHER_CLIENTS: &[&str] = &["valkey", "aioredis", "redis-py-cluster", "walrus"];
    let client = |name: &str| {
        services::REDIS.drivers.iter().any(|d| d.package == name) || OTHER_CLIENTS.contains(&name)
    };
    if let Some(p) = deps
        .packages
        .iter()
        .find(|p| client(&p.name) || p.extras.iter().any(|e| e == "redis"))
    {
        return Some(p.source.clone().with_note(format!("client `{}`", p.name)));
    }
    if let Some(pin) = deps.pins.iter().find(|p| client(&p.name)) {
        return Some(
            pin.source
                .clone()
                .with_note(format!("client `{}`", pin.name)),
        );
    }
    if deployment.redis.is_some() {
        return deployment.redis.clone();
    }
    let url = code.redis_urls.first()?;
    if deps.packages.is_empty() {
        return Some(url.clone().with_note("a `redis://` URL in the code"));
    }
    // A URL no installed library can open (a development config's
    // `REDIS_URL = "redis://localhost"`): a service would serve nothing.
    warnings.push(format!(
        "{url} names a Redis URL, but no Redis client (redis, flask-redis, rq, a `[redis]` extra) is in the dependencies, so no `redis` service is written: add one and re-run if the app uses Redis"
    ));
    None
}

/// Entry points for the fuzz targets (`tests/fuzz`): each reads text the way
/// flaskdock reads the file it stands for, and must never panic or hang.
#[doc(hidden)]
pub mod fuzz {
    use super::files::TomlFile;
    use super::module::Module;

    /// A requirements file.
    pub fn requirements(text: &str) {
        let _ = super::parse_requirements(text);
    }

    /// A Python module: parsed, then every detector that reads code.
    pub fn python_source(text: &str) {
        // Skipping statements keeps every offset and line of the file.
        if let Some(masked) = crate::syntax::mask_statements(text, |s| s.contains("environ")) {
            assert_eq!(masked.len(), text.len());
            assert_eq!(masked.matches('\n').count(), text.matches('\n').count());
            let _ = Module::from_text("app.py", &masked);
        }
        let Ok(module) = Module::from_text("app.py", text) else {
            return;
        };
        let modules = [module];
        let _ = super::env::scan_code(&modules);
        let _ = super::entry::detect_entries(&modules);
        let _ = super::entry::detect_celery(&modules);
        let _ = super::gunicorn::detect_gunicorn_config(
            &modules,
            &super::files::Tree::default(),
            None,
            &mut Vec::new(),
        );
    }

    /// `pyproject.toml`: dependencies and the Python version.
    pub fn pyproject(text: &str) {
        if let Ok(file) = TomlFile::parse("pyproject.toml", text.to_string()) {
            let _ = super::deps::parse_pyproject(&file);
            if let Some((_, spec)) = super::python::requires_python(&file) {
                let _ = super::python::newest_satisfying(&spec);
            }
        }
    }

    /// A `Pipfile`: packages and `[requires]`.
    pub fn pipfile(text: &str) {
        if let Ok(file) = TomlFile::parse("Pipfile", text.to_string()) {
            let _ = super::deps::pipfile_packages(&file);
            if let Some(version) = file
                .doc
                .get("requires")
                .and_then(|r| r.get("python_version"))
                .and_then(|v| v.as_str())
            {
                let _ = super::python::minor_of(version);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn a_urls_password_is_left_out_of_what_is_shown() {
        assert_eq!(
            without_password("postgresql://app:s3cret@localhost:5432/app"),
            "postgresql://app:***@localhost:5432/app"
        );
        assert_eq!(
            without_password("redis://:pw@127.0.0.1/1"),
            "redis://:***@127.0.0.1/1"
        );
        assert_eq!(
            without_password("postgresql://postgres:@localhost/"),
            "postgresql://postgres:@localhost/"
        );
        assert_eq!(
            without_password("redis://localhost:6379/0"),
            "redis://localhost:6379/0"
        );
    }
}
