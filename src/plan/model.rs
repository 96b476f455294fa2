//! The Plan's types: every decision about the generated files, typed and
//! documented. Templates see only these, so they are the API of template
//! authors; `plan()` in `mod.rs` fills them.

use serde::{Deserialize, Serialize};

use super::dockerignore::IgnoreRule;
use super::frontend::FrontendPlan;
use super::gunicorn::GunicornPlan;
use super::install::InstallPlan;
use crate::safe::{DnsName, EnvName, PythonVersion, Text, Word};
use crate::services::{self, Database};

/// The Debian releases the official `python:X-slim` images are built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DebianRelease {
    /// Debian 10: the last release Python 3.5's images were built on.
    Buster,
    /// Debian 11: the last for Python 3.6's and 3.7's images.
    Bullseye,
    /// Debian 12.
    Bookworm,
    /// Debian 13, the base of the default tags since August 2025.
    Trixie,
}

impl DebianRelease {
    /// The release the images of Python 3.`minor` are pinned to: Debian 13,
    /// except the Pythons whose images ended with their support, each pinned
    /// to the last release it was built on (3.8 and 3.9 on Debian 12; 3.6
    /// and 3.7, which ended around Debian 12's release, on Debian 11, whose
    /// tags surely exist; older ones on Debian 10). There is no
    /// `python:3.6-slim-bookworm`.
    pub fn for_python(minor: u32) -> DebianRelease {
        match minor {
            10.. => DebianRelease::Trixie,
            8 | 9 => DebianRelease::Bookworm,
            6 | 7 => DebianRelease::Bullseye,
            _ => DebianRelease::Buster,
        }
    }
}

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
    /// Debian release of the `python:X-slim-RELEASE` base (`trixie`): named,
    /// so the base never moves to the next release under the app.
    pub debian_release: DebianRelease,
    /// Port gunicorn binds inside the container, and `EXPOSE`s.
    pub port: u16,
    /// The app's own port, when it is below 1024 and so served on `port`
    /// (only root may bind it, and the image's user is not).
    pub privileged_port: Option<u16>,
    /// gunicorn's WSGI target (`app:app`, `shop:create_app()`).
    pub entry: Text,
    /// Folder under `/app` to put on `PYTHONPATH` (`src` for a src layout), if any.
    pub pythonpath: Option<Text>,
    /// How the builder installs dependencies.
    pub install: InstallPlan,
    /// gunicorn: how it is installed and configured.
    pub gunicorn: GunicornPlan,
    /// Requirements the database driver needs with the planned server that
    /// the project does not list (`cryptography` for PyMySQL on MySQL 8),
    /// installed after the project's dependencies.
    pub driver_requirements: Vec<Text>,
    /// Releases of a framework's own dependencies that the project's old
    /// pin of it needs and the project does not name (`Werkzeug<2.1` for
    /// `Flask==2.0.2`, `kombu<5.3` for `celery==5.2.3`), installed with its
    /// dependencies.
    #[serde(default)]
    pub companions: Vec<Text>,
    /// The Node stage that builds the front end, when the project has a
    /// `package.json` with a `build` script.
    pub frontend: Option<FrontendPlan>,
    /// Debian packages for the builder stage only (compilers, headers), sorted.
    pub build_packages: Vec<Text>,
    /// Debian libraries for the runtime stage, sorted.
    pub runtime_packages: Vec<Text>,
    /// The image's `CMD`, one argument each: gunicorn's [`GunicornPlan::argv`],
    /// behind `sh -c` when the container first sets `WEB_CONCURRENCY` from its
    /// CPUs or applies the migrations (then `exec`s gunicorn, which gets the
    /// signals).
    pub start: Vec<Text>,
    /// Flask's instance folder for the entry's package, relative to `/app`
    /// (`instance`, `src/instance`): where apps write their SQLite file and
    /// uploads. The image creates it for the app user and declares it a
    /// volume, so it stays writable under a read-only root; compose names it.
    pub instance_dir: Text,
    /// Absolute folders the app user owns (each a volume): the instance
    /// folder, then those the code writes into that hold no project file.
    /// The rest of `/app` belongs to root.
    pub writable_dirs: Vec<Text>,
    /// Absolute folders that hold project files and where the code also
    /// creates files (a SQLite file beside `config.py`): the app's group may
    /// add files, the sticky bit keeps it from changing or removing others'.
    /// Without any, compose runs the app's services with a read-only root.
    pub shared_dirs: Vec<Text>,
    /// The named compose volumes over the writable folders after the
    /// instance folder (which has `instance-data`): data the app keeps there
    /// outlives `docker compose down`, where an image's anonymous volume
    /// would be left behind.
    #[serde(default)]
    pub data_volumes: Vec<DataVolume>,
    /// Settings modules the app loads that the repository leaves out: the
    /// image makes each from its committed example unless the build context
    /// has one.
    #[serde(default)]
    pub local_settings: Vec<LocalSettingsPlan>,
    /// Servers the app needs that no service runs (MongoDB): README.Docker.md
    /// tells the user to run them.
    #[serde(default)]
    pub unserved: Vec<UnservedPlan>,
    /// The server the project starts itself instead of gunicorn, if it does.
    #[serde(default)]
    pub launcher: Option<LauncherPlan>,
    /// Migrations that change tables none of them creates, which therefore
    /// are not run: README.Docker.md says how to start them.
    pub migrations_need: Option<MigrationsNeed>,
    /// Where the app applies Werkzeug's `ProxyFix` (`app.py:7`), if it does.
    pub proxy_fix: Option<Text>,
    /// Numeric uid and gid of the runtime user.
    pub uid: u32,
    /// Path the container healthcheck requests; any answer below 500 is healthy.
    pub healthcheck_path: Text,
    /// The command that asks it, one argument each: Python's `http.client`
    /// (no curl in the image), exit 0 for any answer below 500.
    pub health_probe: Vec<Text>,
    /// Command run before gunicorn to apply migrations (`flask db upgrade`), if any.
    pub migrations: Option<Text>,
    /// The migrations run once in a compose `migrate` service that web and
    /// the workers wait for (`service_completed_successfully`), so replicas
    /// never race: when there is a `db` service. Otherwise (SQLite, whose
    /// file only web's container sees) the container's `CMD` runs them.
    pub migrate_service: bool,
    /// [`Plan::migrations`] as the words the `migrate` service runs.
    pub migrations_argv: Vec<Text>,
    /// Flask-Migrate is used but no migration scripts are committed: the
    /// user creates them once (README.Docker.md says how).
    pub uncommitted_migrations: bool,
    /// How `uv.lock` differs from `pyproject.toml`: the build refuses it
    /// until `uv lock` runs (README.Docker.md says so first).
    #[serde(default)]
    pub stale_lock: Option<Text>,
    /// The database service, when there is one.
    pub database: Option<DatabasePlan>,
    /// The Redis service, when the app uses Redis.
    pub redis: Option<RedisPlan>,
    /// A Celery worker service, when the project has a Celery app.
    pub worker: Option<WorkerPlan>,
    /// Celery beat, when the worker's app has a schedule: one process that
    /// sends the scheduled tasks to the worker.
    pub beat: Option<BeatPlan>,
    /// An RQ worker (and rq-scheduler), when the code makes RQ queues and no
    /// `Procfile` line already runs one.
    pub rq_worker: Option<RqWorkerPlan>,
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
    /// Variables besides `SECRET_KEY` that hold a signing key of the app's
    /// (`SHOP_SESSION_SECRET`), which `.env.example` sets to the same
    /// placeholder for the user to replace.
    pub session_keys: Vec<EnvName>,
    /// Extra `.dockerignore` rules: the project's virtualenvs and `.gitignore`
    /// (print each with `{{ rule.pattern | ignore(glob=true) }}` after a `!` for an exception).
    pub dockerignore: Vec<IgnoreRule>,
    /// Build context for compose, relative to the output folder (`.` normally).
    pub build_context: Text,
    /// The Dockerfile's path relative to the build context, when it is not
    /// `Dockerfile` at the context's root (files written with `--output`).
    pub dockerfile: Option<Text>,
    /// The Kustomize tree under `k8s/`, when asked for (`--kubernetes`).
    pub kubernetes: Option<KubernetesPlan>,
    /// Name of the template set the files come from (`builtin`, or the team set's name).
    pub template: Text,
    /// `.gitignore` exceptions left out of `.dockerignore` because they would
    /// let a secret back in: for the report's note, not for templates.
    #[serde(skip)]
    pub dropped_gitignore: Vec<String>,
}

/// A named compose volume and the folder in the image it holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataVolume {
    /// `datastore-data`, `static-uploads-data`: from the folder's path.
    pub name: DnsName,
    /// The folder (`/datastore`, `/app/static/uploads`).
    pub path: Text,
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
    /// The database URL for `.env.example`, with the service name `db` as host.
    pub url: Text,
    /// The variables the app reaches `db` through, which `.env.example`
    /// points at it: those the code reads (`DB_URI`, `DB_HOST`...), with
    /// `DATABASE_URL` only when the code reads it or reads none of them.
    #[serde(default)]
    pub variables: Vec<EnvName>,
    /// Example user, database name and password for `.env.example`.
    pub user: Text,
    pub name: Text,
    pub password_placeholder: Text,
}

/// A settings module to make from its example, paths relative to `/app`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LocalSettingsPlan {
    pub example: Text,
    pub target: Text,
    /// Where the app loads it (`app/__init__.py:32`).
    pub source: Text,
}

/// A server the app needs that flaskdock writes no service for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnservedPlan {
    /// `MongoDB`.
    pub server: Text,
    /// The client package that reaches it (`pymongo`).
    pub package: Text,
    /// Where the dependency is declared (`pyproject.toml:73`).
    pub source: Text,
}

/// The project's own launcher, a server it starts itself: README.Docker.md
/// says what gunicorn skips and how to run the launcher instead.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LauncherPlan {
    /// The server it starts (`WSGIServer`), and where (`shop/server.py:9`).
    pub server: Text,
    pub server_source: Text,
    /// The function only the launcher runs that registers the app's pages:
    /// gunicorn serves the app without them.
    pub pages: Option<LatePagesPlan>,
    /// The words that run the launcher (`python run.py`), empty when the
    /// project names none, and where it does.
    pub argv: Vec<Text>,
    pub command_source: Option<Text>,
    /// Absolute paths outside `/app` the command names (`/datastore`) that
    /// the app's user cannot write.
    pub outside_paths: Vec<Text>,
    /// The launcher is what the image runs: only it registers the pages, and
    /// the project says how it starts.
    #[serde(default)]
    pub serves: bool,
    /// Folders the command names that the image then makes for the app's
    /// user (a volume each), as the project's own image does: a plain
    /// top-level folder (`/datastore`), never a system one.
    #[serde(default)]
    pub data_dirs: Vec<Text>,
}

/// A function that registers the app's pages when the launcher runs it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LatePagesPlan {
    /// Its name (`main`), and where it is defined.
    pub function: Text,
    pub source: Text,
    /// The factory whose app it adds the pages to (`create_app`), if any.
    pub factory: Option<Text>,
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
    /// The same check as a command, one argument each, for a Kubernetes exec
    /// probe: `CMD`'s words, or `sh -c` and the line of `CMD-SHELL`.
    pub command: Vec<Text>,
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
    pub(super) fn of(check: &services::Healthcheck) -> HealthcheckPlan {
        let command: Vec<&str> = match check.test {
            ["CMD-SHELL", line] => vec!["sh", "-c", line],
            [_, words @ ..] => words.to_vec(),
            [] => Vec::new(),
        };
        HealthcheckPlan {
            test: check.test.iter().map(|w| Text::from(*w)).collect(),
            command: command.into_iter().map(Text::from).collect(),
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
    /// The variables the app reaches `redis` through (`REDIS_URI`,
    /// `CELERY_BROKER_URL`...), `REDIS_URL` only when the code reads it or
    /// reads none of them.
    #[serde(default)]
    pub variables: Vec<EnvName>,
    pub healthcheck: HealthcheckPlan,
    /// Where the image keeps its data (a volume, so a restart keeps the queue).
    pub data_folder: Text,
}

impl RedisPlan {
    pub(super) fn new() -> RedisPlan {
        let kind = &services::REDIS;
        RedisPlan {
            image: kind.image.into(),
            url: Text::escaped(&format!("redis://redis:{}/0", kind.port)),
            variables: Vec::new(),
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

/// Migrations that change tables none of them creates (see
/// [`Plan::migrations_need`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MigrationsNeed {
    /// The tables, sorted.
    pub tables: Vec<Text>,
    /// Where the first change of one is (`migrations/versions/a1.py:12`).
    pub source: Text,
    /// The command that marks every migration applied (`flask db stamp head`).
    pub stamp: Vec<Text>,
    /// The command that applies them from then on.
    pub upgrade: Vec<Text>,
}

/// A Celery worker: the web image with another command.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkerPlan {
    /// Celery's `--app` (`tasks:celery_app`).
    pub app: Text,
    /// `file:line` where the Celery app is made.
    pub source: Text,
}

/// Celery beat: the web image sending the schedule's tasks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BeatPlan {
    /// Celery's `--app`, the worker's.
    pub app: Text,
    /// `file:line` where the schedule is configured.
    pub source: Text,
}

/// `rq worker` on the queues the code makes, from the web image.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RqWorkerPlan {
    /// The queues it listens on, in the order the code makes them: plain
    /// words, so none reads as an option of `rq worker`.
    pub queues: Vec<Word>,
    /// `file:line` of the first queue.
    pub source: Text,
    /// The installed rq runs its own scheduler (`--with-scheduler`, rq 1.2
    /// and later): jobs queued with `enqueue_in`/`enqueue_at` run.
    pub with_scheduler: bool,
    /// `file:line` where `rq_scheduler` is imported, when rq-scheduler is a
    /// dependency: compose then runs `rqscheduler` too.
    pub rq_scheduler: Option<Text>,
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

/// What the Kustomize tree under `k8s/` needs beyond the rest of the Plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KubernetesPlan {
    /// The namespace every object lives in, and the `app.kubernetes.io/name`
    /// label: the image name as a DNS label.
    pub name: DnsName,
    /// The Ingress host: `--ingress-host`, else `NAME.example.com`.
    pub host: DnsName,
    /// No host was given: the README says to set it.
    pub host_placeholder: bool,
    /// Web pods to start with, and the autoscaler's bounds.
    pub replicas: u32,
    /// The HorizontalPodAutoscaler's ceiling; `None` when web must stay one
    /// pod (Flask-SocketIO keeps sessions in its one process).
    pub max_replicas: Option<u32>,
    /// gunicorn workers per pod: what the image's start script computes from
    /// [`KubernetesPlan::cpu_limit`] (its cgroup quota), for the memory sizing.
    pub workers: u32,
    pub cpu_request: Text,
    pub cpu_limit: Text,
    pub memory_request: Text,
    pub memory_limit: Text,
    /// The probes ask the health path over HTTP (a health route: 200
    /// expected); otherwise they run the image's own healthcheck, for which
    /// any answer below 500 (a redirect to a login page, a 404 at `/`) is healthy.
    pub http_probe: bool,
    /// `preStop` pause, so the Service stops sending requests before gunicorn
    /// hears SIGTERM.
    pub prestop_seconds: u32,
    /// Above the pause plus gunicorn's graceful timeout.
    pub termination_grace_seconds: u32,
    /// `k8s/base/config.env`: the variables the code reads that are not
    /// secrets and not a service's address.
    pub config: Vec<KubeVar>,
    /// The overlays' `secrets.env`: the session key, the variables whose
    /// names look secret, and the services' addresses (they carry passwords).
    pub secrets: Vec<KubeVar>,
    /// The processes besides web, each a Deployment of its own.
    pub processes: Vec<KubeProcess>,
}

/// A line of an env file kustomize reads (`config.env`, `secrets.env`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KubeVar {
    pub name: EnvName,
    /// The value the dev overlay's example sets (`change-me` passwords, the
    /// `db` and `redis` Service names); `None` leaves it for the user.
    pub value: Option<Text>,
    /// The app needs it (`NAME=`); an optional one is a commented line.
    pub required: bool,
    /// The default the code has, for the comment of an optional one.
    pub default: Option<Text>,
    /// Points at a service the dev overlay runs: production sets its own.
    pub service: bool,
    /// A setting of the dev overlay's database image (its password), which
    /// production's managed service does not read.
    pub dev_only: bool,
    /// Where it comes from, for the comment above it (`read at config.py:12`);
    /// none for the session key, which the files' header explains.
    pub source: Option<Text>,
}

/// A process besides web: the web image with another command.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KubeProcess {
    /// The Deployment's name and `app.kubernetes.io/component`.
    pub name: DnsName,
    /// Its command, one argument each.
    pub command: Vec<Text>,
    /// An exec probe that asks the process whether it works (Celery's
    /// `inspect ping`), when the program has one.
    pub probe: Option<Vec<Text>>,
    /// Exactly one pod, replaced (not rolled) on update: a scheduler that
    /// would send each task twice when two run.
    pub singleton: bool,
    /// What it is, for the comment above it.
    pub about: Text,
}

/// Where the files are written relative to the project.
#[derive(Debug, Clone)]
pub struct Layout {
    pub project_name: String,
    pub build_context: String,
    pub dockerfile: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_python_is_pinned_to_a_debian_release_its_images_were_built_on() {
        let releases: Vec<(u32, DebianRelease)> = [5, 6, 7, 8, 9, 10, 14]
            .into_iter()
            .map(|minor| (minor, DebianRelease::for_python(minor)))
            .collect();
        assert_eq!(
            releases,
            [
                (5, DebianRelease::Buster),
                (6, DebianRelease::Bullseye),
                (7, DebianRelease::Bullseye),
                (8, DebianRelease::Bookworm),
                (9, DebianRelease::Bookworm),
                (10, DebianRelease::Trixie),
                (14, DebianRelease::Trixie)
            ]
        );
    }
}
