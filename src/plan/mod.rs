//! The Plan: every decision about the generated files, typed and documented.
//! Templates see only this struct, so it is the API of template authors.

pub mod dockerignore;
mod gunicorn;
mod install;
mod notes;
mod wiring;

pub use dockerignore::IgnoreRule;
pub use gunicorn::GunicornPlan;
use gunicorn::gunicorn_plan;
use install::install_plan;
pub use install::{
    Cache, CommandEnv, InstallKind, InstallPlan, InstallRun, ShellCommand, TomlModule,
};
pub use notes::notes;

use serde::{Deserialize, Serialize};

use crate::answers::Answers;
use crate::inspect::Project;
use crate::safe::{EnvName, PythonVersion, Text};
use crate::services::{self, Database, SettingValue};

/// Numeric user the app runs as (`ARG UID` in the Dockerfile).
pub const APP_UID: u32 = 10001;

/// Everything the templates need, decided.
///
/// Every string that can come from the repository is a [`Text`] (no control
/// character or line break) or an [`EnvName`]; templates still encode each
/// one for the file it lands in (`templates::encode`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    /// Folder name of the project, for comments.
    pub project_name: Text,
    /// Image name for `docker build -t`: the project name in lower case, with
    /// anything but `a-z 0-9 . _ -` as `-`.
    pub image_name: Text,
    /// Python minor version for `ARG PYTHON_VERSION` (`3.12`).
    pub python_version: PythonVersion,
    /// Port gunicorn binds inside the container, and `EXPOSE`s.
    pub port: u16,
    /// gunicorn's WSGI target (`app:app`, `shop:create_app()`).
    pub entry: Text,
    /// Folder under `/app` to put on `PYTHONPATH` (`src` for a src layout), if any.
    pub pythonpath: Option<Text>,
    /// How the builder installs dependencies.
    pub install: InstallPlan,
    /// gunicorn: how it is installed and configured.
    pub gunicorn: GunicornPlan,
    /// Debian packages for the builder stage only (compilers, headers), sorted.
    pub build_packages: Vec<Text>,
    /// Debian libraries for the runtime stage, sorted.
    pub runtime_packages: Vec<Text>,
    /// Numeric uid and gid of the runtime user.
    pub uid: u32,
    /// Path the container healthcheck requests; any answer below 500 is healthy.
    pub healthcheck_path: Text,
    /// Command run before gunicorn to apply migrations (`flask db upgrade`), if any.
    pub migrations: Option<Text>,
    /// The database service, when there is one.
    pub database: Option<DatabasePlan>,
    /// The Redis service, when the app uses Redis.
    pub redis: Option<RedisPlan>,
    /// A Celery worker service, when the project has a Celery app.
    pub worker: Option<WorkerPlan>,
    /// The `Procfile`'s other processes, each a compose service running the
    /// web image (a Celery worker the `worker` service already runs is left out).
    pub processes: Vec<ProcessPlan>,
    /// The project's own one-off steps before it serves (`flask deploy`), for
    /// the user to run once: README.Docker.md says how. The migrations the
    /// container runs itself are left out.
    pub setup_steps: Vec<SetupStep>,
    /// Variables for `.env.example`, required first, then by name.
    pub env_vars: Vec<EnvVarPlan>,
    /// Prefix of `app.config.from_prefixed_env()` (`FLASK`), when the app uses it:
    /// every `PREFIX_*` variable then becomes a config key.
    pub prefixed_env: Option<EnvName>,
    /// Whether the code itself reads `SECRET_KEY`.
    pub reads_secret_key: bool,
    /// Whether the code reads `SECRET_KEY` with no default (fails without it).
    pub requires_secret_key: bool,
    /// Extra `.dockerignore` rules: the project's virtualenvs and `.gitignore`
    /// (print each with `{{ rule.pattern | ignore(glob=true) }}` after a `!` for an exception).
    pub dockerignore: Vec<IgnoreRule>,
    /// Build context for compose, relative to the output folder (`.` normally).
    pub build_context: Text,
    /// The Dockerfile's path relative to the build context, when it is not
    /// `Dockerfile` at the context's root (files written with `--output`).
    pub dockerfile: Option<Text>,
    /// Name of the template set the files come from (`builtin`, or the team set's name).
    pub template: Text,
    /// `.gitignore` exceptions left out of `.dockerignore` because they would
    /// let a secret back in: for the report's note, not for templates.
    #[serde(skip)]
    pub dropped_gitignore: Vec<String>,
}

/// The database service.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatabasePlan {
    /// `postgres` or `mysql`: a name of the catalogue (`src/services.rs`).
    pub kind: Database,
    /// The name people know it by (`PostgreSQL`), for headings.
    pub title: Text,
    /// Image for the `db` service.
    pub image: Text,
    /// The port it listens on inside compose.
    pub port: u16,
    /// Where the image keeps its data: the `db-data` volume is mounted there.
    pub data_folder: Text,
    /// The image's own variables, in order: those `from_env` are the
    /// database section of `.env.example`.
    pub environment: Vec<ServiceSetting>,
    pub healthcheck: HealthcheckPlan,
    /// URL scheme SQLAlchemy or the driver expects (`postgresql+psycopg2`, `mysql+pymysql`).
    pub url_scheme: Text,
    /// `DATABASE_URL` for `.env.example`, with the service name `db` as host.
    pub url: Text,
    /// Example user, database name and password for `.env.example`.
    pub user: Text,
    pub name: Text,
    pub password_placeholder: Text,
}

/// A variable of a service's image.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceSetting {
    pub name: EnvName,
    /// The value: the example `.env.example` sets when `from_env`, else the
    /// fixed value the compose file sets.
    pub value: Text,
    /// Compose takes it from `.env`, where it is required.
    pub from_env: bool,
    /// Why, when the value is not obvious: a comment above it.
    pub comment: Option<Text>,
}

/// A compose healthcheck.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HealthcheckPlan {
    /// `CMD` or `CMD-SHELL`, then the words as the container reads them
    /// (the `yaml` filter doubles each `$` for compose).
    pub test: Vec<Text>,
    /// Why this test, when there is something to say.
    pub comment: Option<Text>,
    /// Seconds between checks, and before one fails.
    pub interval: u32,
    pub timeout: u32,
    pub retries: u32,
    /// Seconds the first start may take before failures count.
    pub start_period: Option<u32>,
}

impl HealthcheckPlan {
    fn of(check: &services::Healthcheck) -> HealthcheckPlan {
        HealthcheckPlan {
            test: check.test.iter().map(|w| Text::from(*w)).collect(),
            comment: check.comment.map(Text::from),
            interval: 5,
            timeout: 5,
            retries: check.retries,
            start_period: check.start_period,
        }
    }
}

/// The Redis service.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RedisPlan {
    /// Image for the `redis` service.
    pub image: Text,
    /// URL for `.env.example`, with the service name `redis` as host.
    pub url: Text,
    pub healthcheck: HealthcheckPlan,
    /// Where the image keeps its data (a volume, so a restart keeps the queue).
    pub data_folder: Text,
}

impl RedisPlan {
    fn new() -> RedisPlan {
        let kind = &services::REDIS;
        RedisPlan {
            image: kind.image.into(),
            url: Text::escaped(&format!("redis://redis:{}/0", kind.port)),
            healthcheck: HealthcheckPlan::of(&kind.healthcheck),
            data_folder: kind.data_folder.into(),
        }
    }
}

/// A one-off command the project runs before it serves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SetupStep {
    pub command: Text,
    /// The words to run it with (`docker compose run --rm web ARGV`): its own
    /// words, or `sh -c COMMAND` when it needs a shell (`;`, `&&`, `$VAR`).
    pub argv: Vec<Text>,
    /// `boot.sh:5`, `Procfile:3`.
    pub source: Text,
}

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
        let command = if fact.value.in_manage_py {
            format!("python manage.py {name}")
        } else {
            format!("flask --app {} {name}", crate::templates::encode::sh(entry))
        };
        (!covered).then(|| (command, format!("{} (its CLI command)", fact.source)))
    });
    for (command, source) in run_by_files.chain(cli) {
        if seen.contains(&command) {
            continue;
        }
        steps.push(SetupStep {
            command: Text::escaped(&command),
            argv: command_words(&command)
                .iter()
                .map(|w| Text::escaped(w))
                .collect(),
            source: Text::escaped(&source),
        });
        seen.push(command);
    }
    steps
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
        vec!["sh".into(), "-c".into(), line.into()]
    } else {
        shell_words::split(line).unwrap_or_default()
    }
}

/// A process of the project's own `Procfile`: the web image with its command.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProcessPlan {
    /// Its `Procfile` name (`worker`).
    pub name: Text,
    /// The compose service: the name (`-` as `_`), unless another service
    /// has it. A typed name: it is a key of the compose file.
    pub service: EnvName,
    /// The shell command, run with `sh -c` as a `Procfile` line is.
    pub command: Text,
    /// `Procfile:line`.
    pub source: Text,
}

/// The `Procfile`'s processes as services: names kept to what compose
/// accepts and unique beside `web`, `worker`, `db`, `redis`; a Celery worker
/// already run by `worker` skipped.
fn process_plans(project: &Project, celery_worker: bool) -> Vec<ProcessPlan> {
    let mut taken: Vec<String> = ["web", "db", "redis"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if celery_worker {
        taken.push("worker".into());
    }
    let mut plans = Vec::new();
    for fact in &project.processes {
        let process = &fact.value;
        let words = shell_words::split(&process.command).unwrap_or_default();
        let program = words.first().map(|w| w.rsplit('/').next().unwrap_or(w));
        if celery_worker && program == Some("celery") && words.iter().any(|w| w == "worker") {
            continue;
        }
        let base = process.name.replace('-', "_");
        let mut service = base.clone();
        let mut n = 2;
        while taken.contains(&service) {
            service = format!("{base}_{n}");
            n += 1;
        }
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

/// A Celery worker: the web image with another command.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkerPlan {
    /// Celery's `--app` (`tasks:celery_app`).
    pub app: Text,
    /// `file:line` where the Celery app is made.
    pub source: Text,
}

/// A variable for `.env.example`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnvVarPlan {
    pub name: EnvName,
    /// The app cannot start without it.
    pub required: bool,
    /// The default found in the code, shown as a comment (never a secret:
    /// secret-looking names and values were dropped when read).
    pub default: Option<Text>,
    /// The value `.env.example` sets (database URLs), if any.
    pub value: Option<Text>,
    /// `file:line` where the code reads it.
    pub source: Text,
}

/// Where the files are written relative to the project.
#[derive(Debug, Clone)]
pub struct Layout {
    pub project_name: String,
    pub build_context: String,
    pub dockerfile: String,
}

/// Decides everything from the inspected project and the answers, for the
/// files of the template set named `template`.
pub fn plan(project: &Project, answers: &Answers, layout: &Layout, template: &str) -> Plan {
    let database = answers.db.0.map(|kind| database_plan(project, kind));
    let redis = project.redis.as_ref().map(|_| RedisPlan::new());
    let worker = project
        .celery
        .as_ref()
        .filter(|_| redis.is_some())
        .map(|c| WorkerPlan {
            app: Text::escaped(&c.value),
            source: Text::escaped(&c.source.to_string()),
        });

    let env_vars = wiring::env_vars(project, database.as_ref(), redis.as_ref());

    let entry_root = project
        .entries
        .iter()
        .find(|e| e.target == answers.entry)
        .map(|e| e.import_root.clone())
        .unwrap_or_default();

    let python_version = answers.python;
    let python_minor = python_version.minor();
    let on_python = project.on_python(python_version);
    let gunicorn = gunicorn_plan(project, python_minor, answers.port, &answers.entry);

    let dockerignore = dockerignore::plan_rules(project, &entry_root);

    Plan {
        project_name: Text::escaped(&layout.project_name),
        image_name: Text::escaped(&image_name(&layout.project_name)),
        python_version,
        port: answers.port,
        entry: Text::escaped(&answers.entry),
        pythonpath: (!entry_root.is_empty()).then(|| Text::escaped(&entry_root)),
        install: install_plan(&project.install, python_minor, &gunicorn.requirements),
        gunicorn,
        build_packages: on_python
            .build
            .iter()
            .map(|f| Text::escaped(&f.value))
            .collect(),
        runtime_packages: on_python
            .runtime
            .iter()
            .map(|f| Text::escaped(&f.value))
            .collect(),
        uid: APP_UID,
        healthcheck_path: "/".into(),
        migrations: project
            .migrations
            .as_ref()
            .filter(|_| answers.migrate)
            .map(|m| Text::escaped(&m.value)),
        database,
        redis,
        processes: process_plans(project, worker.is_some()),
        setup_steps: setup_steps(
            project,
            project
                .migrations
                .as_ref()
                .filter(|_| answers.migrate)
                .map(|m| m.value.as_str()),
            &answers.entry,
        ),
        worker,
        env_vars,
        prefixed_env: project
            .prefixed_env
            .as_ref()
            .and_then(|f| EnvName::parse(&f.value)),
        reads_secret_key: project.env_vars.iter().any(|v| v.name == "SECRET_KEY"),
        requires_secret_key: project
            .env_vars
            .iter()
            .any(|v| v.name == "SECRET_KEY" && v.required),
        dockerignore: dockerignore.rules,
        build_context: Text::escaped(&layout.build_context),
        dockerfile: (layout.dockerfile != "Dockerfile").then(|| Text::escaped(&layout.dockerfile)),
        template: Text::escaped(template),
        dropped_gitignore: dockerignore.dropped,
    }
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
    DatabasePlan::new(database, url_scheme)
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
            user: EXAMPLE_USER.into(),
            name: EXAMPLE_DATABASE.into(),
            password_placeholder: EXAMPLE_PASSWORD.into(),
        }
    }
}
