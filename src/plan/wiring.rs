//! The values `.env.example` gives the variables an app reads to reach its
//! services, under whatever names it reads them: a URL (`DATABASE_URL`,
//! `SQLALCHEMY_DATABASE_URI`, `DB_URI`, `REDISTOGO_URL`, `CELERY_BROKER_URL`),
//! or split settings (`DB_HOST`, `DB_USER`, `DB_PASSWORD`, `DB_NAME`,
//! `REDIS_HOST`), pointed at the compose services by their names, and a
//! session key the app reads under a prefix (`MYAPP_SECRET_KEY`).

use super::model::{DatabasePlan, EnvVarPlan, RedisPlan, RqWorkerPlan};
use crate::inspect::Project;
use crate::safe::{EnvName, Text};
use crate::services::{SqliteSetting, sqlite_setting};

/// The placeholder `.env.example` gives a key that signs sessions.
pub(super) const SECRET_PLACEHOLDER: &str = "replace-with-a-long-random-string";

/// The variables `.env.example` lists: those the code reads (but
/// `SECRET_KEY` and the database section's own), the settings
/// `from_prefixed_env()` loads, and RQ's Redis URL; required ones first.
/// Without a database service, an app that keeps a SQLite file gets its
/// database URL pointed at the instance folder (`instance_dir`, a volume
/// the app user may write), not beside its read-only source. Flask's
/// `SERVER_NAME`, read from the environment, is the host it answers for
/// (every other host gets 404): where the app needs one or defaults to one,
/// `localhost:PORT`, the address compose publishes, until the user sets the
/// real one.
pub(super) fn env_vars(
    project: &Project,
    database: Option<&DatabasePlan>,
    redis: Option<&RedisPlan>,
    rq_worker: Option<&RqWorkerPlan>,
    instance_dir: &str,
    port: u16,
) -> Vec<EnvVarPlan> {
    let sqlite = database
        .is_none()
        .then_some(project.sqlite.as_ref())
        .flatten()
        .map(|_| sqlite_path(instance_dir));
    let local_value = |name: &str, default: Option<&str>, required: bool| -> Option<Text> {
        // Unset (read without a default, optional), Flask answers every host.
        if name == "SERVER_NAME" {
            return (required || default.is_some_and(|d| !d.is_empty()))
                .then(|| Text::escaped(&format!("localhost:{port}")));
        }
        // The config class a container loads (`app.config.from_object`).
        if let Some(object) = project
            .config_objects
            .iter()
            .find(|fact| fact.value.variable == name)
            .and_then(|fact| fact.value.object.as_deref())
        {
            return Some(Text::escaped(object));
        }
        let path = sqlite.as_ref()?;
        Some(Text::escaped(&match sqlite_setting(name, default)? {
            SqliteSetting::Url => format!("sqlite:///{path}"),
            SqliteSetting::File => path.clone(),
        }))
    };
    let mut env_vars: Vec<EnvVarPlan> = project
        .env_vars
        .iter()
        .filter(|v| v.name != "SECRET_KEY")
        // The database section of `.env.example` sets these itself.
        .filter(|v| database.is_none_or(|db| !is_database_service_variable(db, &v.name)))
        // Inspection dropped names that are not plain names, with a warning.
        .filter_map(|v| {
            Some(EnvVarPlan {
                name: EnvName::parse(&v.name)?,
                // Unset, a config selector loads no settings: required where
                // the plan knows its value (an empty one fails the import).
                required: v.required || selects_known_config(project, &v.name),
                default: v.default.as_deref().map(Text::escaped),
                value: value_for(&v.name, database, redis)
                    .or_else(|| signing_key(project, &v.name))
                    .or_else(|| url_by_default(v.default.as_deref(), database))
                    .or_else(|| local_value(&v.name, v.default.as_deref(), v.required)),
                source: Text::escaped(&v.source.to_string()),
            })
        })
        .collect();
    for extra in prefixed_settings(project, database, redis)
        .into_iter()
        .chain(rq_redis_url(project, redis, rq_worker))
    {
        if !env_vars.iter().any(|v| v.name == extra.name) {
            env_vars.push(extra);
        }
    }
    env_vars.sort_by(|a, b| {
        b.required
            .cmp(&a.required)
            .then_with(|| a.name.cmp(&b.name))
    });
    env_vars
}

/// A variable whose default is a URL of the database compose runs
/// (`SQLA_CONN` falling back to `postgresql://:@/app_test`), whatever its
/// name: that database's URL. A driver's name alone (`DB_DRIVER` falling
/// back to `postgresql+psycopg`, joined into a URL by the app) is not one.
fn url_by_default(default: Option<&str>, database: Option<&DatabasePlan>) -> Option<Text> {
    let db = database?;
    let default = default.filter(|d| d.contains("://"))?;
    (crate::services::Database::of_url(default) == Some(db.kind)).then(|| db.url.clone())
}

/// A variable the code reads Flask's secret key from under a name of its
/// own (`SECRET_KEY = os.getenv("SHOP_KEY")`): the placeholder `SECRET_KEY`
/// gets, for the user to replace.
fn signing_key(project: &Project, name: &str) -> Option<Text> {
    project
        .secret_key_vars
        .iter()
        .any(|fact| fact.value == name)
        .then(|| SECRET_PLACEHOLDER.into())
}

/// Whether `name` selects the config object and the plan knows its value.
fn selects_known_config(project: &Project, name: &str) -> bool {
    project
        .config_objects
        .iter()
        .any(|fact| fact.value.variable == name && fact.value.object.is_some())
}

/// `app.config.from_prefixed_env()` loads `FLASK_SECRET_KEY` as
/// `SECRET_KEY`: the key, and Flask-SQLAlchemy's URI, under the prefix.
fn prefixed_settings(
    project: &Project,
    database: Option<&DatabasePlan>,
    redis: Option<&RedisPlan>,
) -> Vec<EnvVarPlan> {
    let Some(prefixed) = &project.prefixed_env else {
        return Vec::new();
    };
    let mut settings = vec![format!("{}_SECRET_KEY", prefixed.value)];
    if database.is_some() && project.depends_on("flask-sqlalchemy") {
        settings.push(format!("{}_SQLALCHEMY_DATABASE_URI", prefixed.value));
    }
    settings
        .iter()
        .filter_map(|name| {
            Some(EnvVarPlan {
                value: value_for(name, database, redis),
                name: EnvName::parse(name)?,
                required: false,
                default: None,
                source: Text::escaped(&format!(
                    "{} (app.config.from_prefixed_env)",
                    prefixed.source
                )),
            })
        })
        .collect()
}

/// `rq worker` (a `Procfile` line, or the service for the code's queues)
/// and `rqscheduler` find Redis through `RQ_REDIS_URL`, else localhost.
fn rq_redis_url(
    project: &Project,
    redis: Option<&RedisPlan>,
    rq_worker: Option<&RqWorkerPlan>,
) -> Option<EnvVarPlan> {
    let redis = redis?;
    let source = match rq_worker {
        Some(worker) => format!("{} (the `rq_worker` service reads it)", worker.source),
        None => {
            let rq = project
                .processes
                .iter()
                .find(|p| p.value.command.split_whitespace().next() == Some("rq"))?;
            format!("{} (`rq worker` reads it)", rq.source)
        }
    };
    Some(EnvVarPlan {
        name: EnvName::parse("RQ_REDIS_URL").expect("a variable name"),
        required: false,
        default: None,
        value: Some(redis.url.clone()),
        source: Text::escaped(&source),
    })
}

/// The variables the app reaches the `db` service through: those it reads
/// that `.env.example` points at `db` (a URL, a host, a user...) or that the
/// database section sets, `DATABASE_URL` among them when the code reads it.
/// Where no read is found, `DATABASE_URL` alone: the usual name, and the one
/// a read flaskdock missed most likely has.
pub(super) fn database_variables(project: &Project, db: &DatabasePlan) -> Vec<EnvName> {
    let read_by_code = project
        .env_vars
        .iter()
        .filter(|v| {
            is_database_service_variable(db, &v.name) || database_value(&v.name, db).is_some()
        })
        .filter_map(|v| EnvName::parse(&v.name));
    let prefixed = prefixed_settings(project, Some(db), None)
        .into_iter()
        .filter(|v| database_value(v.name.as_str(), db).is_some())
        .map(|v| v.name);
    or_usual_name(read_by_code.chain(prefixed).collect(), "DATABASE_URL")
}

/// The `redis` service, with the variables the app reaches it through:
/// those it reads that `.env.example` points at `redis`, else `REDIS_URL`.
pub(super) fn redis_plan(project: &Project) -> RedisPlan {
    let redis = RedisPlan::new();
    let read_by_code = project
        .env_vars
        .iter()
        .filter(|v| redis_value(&v.name, &redis).is_some())
        .filter_map(|v| EnvName::parse(&v.name));
    RedisPlan {
        variables: or_usual_name(read_by_code.collect(), "REDIS_URL"),
        ..redis
    }
}

/// `names` sorted, each once; `usual` alone when there are none.
fn or_usual_name(mut names: Vec<EnvName>, usual: &str) -> Vec<EnvName> {
    names.sort();
    names.dedup();
    if names.is_empty() {
        names.push(EnvName::parse(usual).expect("a plain name"));
    }
    names
}

/// The variables the database section of `.env.example` sets: the image's
/// own from `.env` (`POSTGRES_USER`, `POSTGRES_PASSWORD`, `POSTGRES_DB`) and
/// `DATABASE_URL`.
fn is_database_service_variable(db: &DatabasePlan, name: &str) -> bool {
    name == "DATABASE_URL"
        || db
            .environment
            .iter()
            .any(|s| s.from_env && s.name.as_str() == name)
}

/// What `.env.example` sets `name` to, when it is a setting of a service the
/// compose file runs (or a session key).
pub(super) fn value_for(
    name: &str,
    database: Option<&DatabasePlan>,
    redis: Option<&RedisPlan>,
) -> Option<Text> {
    // A test suite's database (`TEST_DATABASE_URL`) is not the app's: a
    // suite pointed at it would drop the app's tables.
    if name
        .split('_')
        .any(|word| matches!(word, "TEST" | "TESTS" | "TESTING"))
    {
        return None;
    }
    if let Some(db) = database
        && let Some(value) = database_value(name, db)
    {
        return Some(value);
    }
    if let Some(redis) = redis
        && let Some(value) = redis_value(name, redis)
    {
        return Some(value);
    }
    is_session_key(name).then(|| SECRET_PLACEHOLDER.into())
}

/// The URL of a SQLite file in the image's instance folder (`instance`,
/// or `src/instance`): four slashes, an absolute path.
pub(super) fn sqlite_url(instance_dir: &str) -> String {
    format!("sqlite:///{}", sqlite_path(instance_dir))
}

/// Where the image keeps an app's SQLite file: the instance folder.
pub(super) fn sqlite_path(instance_dir: &str) -> String {
    format!("/app/{instance_dir}/app.db")
}

fn ends_with_any(name: &str, suffixes: &[&str]) -> bool {
    suffixes.iter().any(|s| name.ends_with(s))
}

fn database_value(name: &str, db: &DatabasePlan) -> Option<Text> {
    if !crate::services::names_database(name) {
        return None;
    }
    let port = db.port.to_string();
    if ends_with_any(name, &["_URL", "_URI", "_DSN", "DATABASE_URL"]) {
        return Some(db.url.clone());
    }
    if ends_with_any(name, &["HOST", "HOSTNAME", "SERVER"]) {
        return Some("db".into());
    }
    if name.ends_with("PORT") {
        return Some(Text::escaped(&port));
    }
    if ends_with_any(name, &["USER", "USERNAME"]) {
        return Some(db.user.clone());
    }
    if ends_with_any(name, &["PASSWORD", "PASS", "PASSWD"]) {
        return Some(db.password_placeholder.clone());
    }
    if ends_with_any(
        name,
        &[
            "_NAME",
            "DB_DATABASE",
            "DATABASE_DATABASE",
            "PGDATABASE",
            "DBNAME",
        ],
    ) {
        return Some(db.name.clone());
    }
    None
}

fn redis_value(name: &str, redis: &RedisPlan) -> Option<Text> {
    let redis_word = crate::services::REDIS.names(name);
    let celery = name.ends_with("BROKER_URL") || name.ends_with("RESULT_BACKEND");
    if celery || redis_word && ends_with_any(name, &["_URL", "_URI", "REDIS_URL"]) {
        return Some(redis.url.clone());
    }
    if !redis_word {
        return None;
    }
    if ends_with_any(name, &["_HOST", "_HOSTNAME"]) {
        return Some("redis".into());
    }
    if name.ends_with("_PORT") {
        return Some(Text::from(&crate::services::REDIS.port.to_string()));
    }
    None
}

/// `FLASK_SECRET_KEY`, `MYAPP_SECRET_KEY`: the app's own signing key under a
/// prefix. A third party's secret (`AWS_SECRET_ACCESS_KEY`,
/// `STRIPE_SECRET_KEY`) is the user's to fill: a placeholder there would turn
/// on an integration with a bogus credential.
fn is_session_key(name: &str) -> bool {
    name.ends_with("_SECRET_KEY") && !crate::secret::names_a_third_party(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::Database;

    fn db(kind: Database) -> DatabasePlan {
        DatabasePlan::new(kind, "postgresql+psycopg2")
    }

    fn redis() -> RedisPlan {
        RedisPlan::new()
    }

    #[test]
    fn service_settings_under_the_names_apps_read() {
        let (db, redis) = (db(Database::POSTGRES), redis());
        let value = |name: &str| value_for(name, Some(&db), Some(&redis)).map(|t| t.to_string());
        let url = Some(db.url.to_string());
        for name in [
            "DATABASE_URL",
            "SQLALCHEMY_DATABASE_URI",
            "DB_URI",
            "DEV_DATABASE_URL",
            "POSTGRES_DSN",
        ] {
            assert_eq!(value(name), url, "{name}");
        }
        assert_eq!(value("DB_HOST").as_deref(), Some("db"));
        assert_eq!(value("DATABASE_PORT").as_deref(), Some("5432"));
        assert_eq!(value("DB_USER").as_deref(), Some("app"));
        assert_eq!(value("DB_PASSWORD").as_deref(), Some("change-me"));
        assert_eq!(value("DB_NAME").as_deref(), Some("app"));
        assert_eq!(value("PGHOST").as_deref(), Some("db"));
        for name in [
            "REDIS_URL",
            "REDISTOGO_URL",
            "CELERY_BROKER_URL",
            "CELERY_RESULT_BACKEND",
            "CACHE_REDIS_URL",
        ] {
            assert_eq!(
                value(name).as_deref(),
                Some("redis://redis:6379/0"),
                "{name}"
            );
        }
        assert_eq!(value("REDIS_HOST").as_deref(), Some("redis"));
        assert_eq!(value("KV_HOST").as_deref(), Some("redis"));
        assert_eq!(value("REDIS_PORT").as_deref(), Some("6379"));
        assert_eq!(
            value("MYAPP_SECRET_KEY").as_deref(),
            Some(SECRET_PLACEHOLDER)
        );
        // Not service settings, and third parties' secrets.
        for name in [
            "MAIL_SERVER",
            "MAIL_PASSWORD",
            "AWS_SECRET_ACCESS_KEY",
            "STRIPE_SECRET_KEY",
            "APP_NAME",
            "SERVER_NAME",
        ] {
            assert_eq!(value(name), None, "{name}");
        }
        // Without the service, nothing points at it.
        assert_eq!(value_for("DB_HOST", None, None), None);
        // A test suite's settings stay the user's: a suite drops its tables.
        for name in ["TEST_DATABASE_URL", "DB_TEST_HOST", "REDIS_TESTING_URL"] {
            assert_eq!(value(name), None, "{name}");
        }
    }

    #[test]
    fn a_default_database_url_is_a_url_not_a_driver_name() {
        let db = db(Database::POSTGRES);
        let url = |default: &str| url_by_default(Some(default), Some(&db)).map(|t| t.to_string());
        assert_eq!(url("postgresql://:@/app_test"), Some(db.url.to_string()));
        assert_eq!(
            url("postgresql+psycopg2://u@localhost/x"),
            Some(db.url.to_string())
        );
        // `DB_DRIVER` falling back to a driver the app joins into its URL.
        assert_eq!(url("postgresql+psycopg"), None);
        assert_eq!(url("mysql+pymysql://u@localhost/x"), None);
    }
}
