//! The services compose runs beside the app, as data: what tells inspection
//! a project uses one (driver packages, URL schemes, image names in an
//! existing compose file), and what the Plan needs to run it (image, port,
//! data folder, healthcheck, environment, the URL the app reaches it by).
//! Inspection, the answers, the CLI, the Plan and doctor all read this one
//! table: adding a database is one entry in [`DATABASES`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// A database or cache compose can run.
#[derive(Debug, PartialEq, Eq)]
pub struct ServiceKind {
    /// The name `--db`, `.flaskdock.toml`, `inspect --json` and the Plan's
    /// `kind` use (`postgres`).
    pub name: &'static str,
    /// Other names `--db` and `.flaskdock.toml` accept (`postgresql`).
    pub aliases: &'static [&'static str],
    /// The name people know it by, for messages.
    pub title: &'static str,
    /// Client packages (normalized PEP 503 names), most common first, each
    /// with the SQLAlchemy dialect+driver that names it in a URL.
    pub drivers: &'static [Driver],
    /// What a URL for it starts with in code (`postgresql://`, `postgresql+`).
    pub url_prefixes: &'static [&'static str],
    /// The scheme of the URL `.env.example` sets when the app does not go
    /// through SQLAlchemy, or no driver is listed.
    pub bare_scheme: &'static str,
    /// Image names (the last path part, no tag) that run it, in compose files.
    pub images: &'static [&'static str],
    /// The image compose runs.
    pub image: &'static str,
    /// Words of a variable name that make it this service's setting
    /// (`MYSQL` in `MYSQL_HOST`), and prefixes glued to the rest (`PG` in
    /// `PGHOST`).
    pub variable_words: &'static [&'static str],
    pub variable_prefixes: &'static [&'static str],
    /// The port it listens on.
    pub port: u16,
    /// Where the image keeps its data: the volume is mounted there.
    pub data_folder: &'static str,
    /// The image's own variables, set in compose from `.env`.
    pub environment: &'static [Setting],
    pub healthcheck: Healthcheck,
}

/// A client package and the SQLAlchemy dialect+driver for it.
#[derive(Debug, PartialEq, Eq)]
pub struct Driver {
    pub package: &'static str,
    /// `postgresql+psycopg2`; empty when SQLAlchemy has no dialect for it.
    pub dialect: &'static str,
}

/// A variable of the service's image.
#[derive(Debug, PartialEq, Eq)]
pub struct Setting {
    pub name: &'static str,
    pub value: SettingValue,
    /// Why, when the value is not obvious: a comment in the compose file.
    pub comment: Option<&'static str>,
}

/// What a variable of the service's image is set to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingValue {
    /// The example user, from `.env` (required there).
    User,
    /// The password, from `.env` (required there).
    Password,
    /// The database name, from `.env` (required there).
    Database,
    /// A fixed value written into the compose file.
    Fixed(&'static str),
}

/// The compose healthcheck.
#[derive(Debug, PartialEq, Eq)]
pub struct Healthcheck {
    /// `test`: `CMD` or `CMD-SHELL` first, as compose takes it, and the
    /// words as the container reads them (compose files double each `$`).
    pub test: &'static [&'static str],
    /// Why this test, for a comment in the compose file.
    pub comment: Option<&'static str>,
    pub retries: u32,
    /// `start_period` in seconds, when the first start takes long.
    pub start_period: Option<u32>,
}

/// The databases, PostgreSQL first: it wins when a project has drivers for
/// both (an app with both most often uses MySQL only for an import job).
pub const DATABASES: &[&ServiceKind] = &[&POSTGRES, &MYSQL];

/// PostgreSQL. 17 keeps the data folder at `/var/lib/postgresql/data`; 18
/// moved it and breaks volumes made for 17.
pub const POSTGRES: ServiceKind = ServiceKind {
    name: "postgres",
    aliases: &["postgresql"],
    title: "PostgreSQL",
    // Since SQLAlchemy 2.1 a bare `postgresql://` means psycopg 3, which
    // breaks apps that installed psycopg2: the driver is always named.
    drivers: &[
        Driver {
            package: "psycopg2",
            dialect: "postgresql+psycopg2",
        },
        Driver {
            package: "psycopg2-binary",
            dialect: "postgresql+psycopg2",
        },
        Driver {
            package: "psycopg",
            dialect: "postgresql+psycopg",
        },
        Driver {
            package: "asyncpg",
            dialect: "postgresql+asyncpg",
        },
        Driver {
            package: "pg8000",
            dialect: "postgresql+pg8000",
        },
    ],
    url_prefixes: &["postgres://", "postgresql://", "postgresql+"],
    bare_scheme: "postgresql",
    images: &["postgres", "postgis"],
    image: "postgres:17",
    variable_words: &["POSTGRES", "POSTGRESQL", "PG"],
    variable_prefixes: &["PG"],
    port: 5432,
    data_folder: "/var/lib/postgresql/data",
    environment: &[
        Setting {
            name: "POSTGRES_USER",
            value: SettingValue::User,
            comment: None,
        },
        Setting {
            name: "POSTGRES_PASSWORD",
            value: SettingValue::Password,
            comment: None,
        },
        Setting {
            name: "POSTGRES_DB",
            value: SettingValue::Database,
            comment: None,
        },
    ],
    healthcheck: Healthcheck {
        test: &[
            "CMD-SHELL",
            "pg_isready -U \"${POSTGRES_USER}\" -d \"${POSTGRES_DB}\"",
        ],
        comment: None,
        retries: 12,
        start_period: Some(10),
    },
};

/// MySQL, and MariaDB (one wire protocol, one compose choice): the current
/// long-term support release.
pub const MYSQL: ServiceKind = ServiceKind {
    name: "mysql",
    aliases: &["mariadb"],
    title: "MySQL",
    // A bare `mysql://` means mysqlclient to SQLAlchemy; other drivers must be named.
    drivers: &[
        Driver {
            package: "mysqlclient",
            dialect: "mysql+mysqldb",
        },
        Driver {
            package: "pymysql",
            dialect: "mysql+pymysql",
        },
        Driver {
            package: "mysql-connector-python",
            dialect: "mysql+mysqlconnector",
        },
        Driver {
            package: "mariadb",
            dialect: "mariadb+mariadbconnector",
        },
        Driver {
            package: "aiomysql",
            dialect: "mysql+aiomysql",
        },
        Driver {
            package: "asyncmy",
            dialect: "mysql+asyncmy",
        },
    ],
    url_prefixes: &["mysql://", "mysql+", "mariadb://", "mariadb+"],
    bare_scheme: "mysql",
    images: &["mysql", "mariadb"],
    image: "mysql:8.4",
    variable_words: &["MYSQL", "MARIADB"],
    variable_prefixes: &[],
    port: 3306,
    data_folder: "/var/lib/mysql",
    environment: &[
        Setting {
            name: "MYSQL_USER",
            value: SettingValue::User,
            comment: None,
        },
        Setting {
            name: "MYSQL_PASSWORD",
            value: SettingValue::Password,
            comment: None,
        },
        Setting {
            name: "MYSQL_DATABASE",
            value: SettingValue::Database,
            comment: None,
        },
        Setting {
            name: "MYSQL_RANDOM_ROOT_PASSWORD",
            value: SettingValue::Fixed("yes"),
            comment: Some("The app never needs root: the image makes a random root password."),
        },
    ],
    healthcheck: Healthcheck {
        test: &[
            "CMD",
            "mysqladmin",
            "ping",
            "--host",
            "127.0.0.1",
            "--silent",
        ],
        comment: Some("Over TCP: the image's first-start server listens only on its socket."),
        retries: 24,
        start_period: Some(30),
    },
};

/// Redis, for caches, sessions and task queues.
pub const REDIS: ServiceKind = ServiceKind {
    name: "redis",
    aliases: &["valkey"],
    title: "Redis",
    drivers: &[
        Driver {
            package: "redis",
            dialect: "",
        },
        Driver {
            package: "flask-redis",
            dialect: "",
        },
        Driver {
            package: "rq",
            dialect: "",
        },
        Driver {
            package: "flask-rq2",
            dialect: "",
        },
        Driver {
            package: "hiredis",
            dialect: "",
        },
    ],
    url_prefixes: &["redis://", "rediss://"],
    bare_scheme: "redis",
    images: &["redis", "valkey"],
    image: "redis:7",
    variable_words: &["REDIS", "VALKEY"],
    variable_prefixes: &["REDIS", "KV_"],
    port: 6379,
    data_folder: "/data",
    environment: &[],
    healthcheck: Healthcheck {
        test: &["CMD", "redis-cli", "ping"],
        comment: None,
        retries: 12,
        start_period: None,
    },
};

/// The words that make a source file worth parsing for services: each
/// kind's name and aliases (`postgres`, `mariadb`, `redis`).
pub(crate) fn code_words() -> impl Iterator<Item = &'static str> {
    DATABASES
        .iter()
        .copied()
        .chain([&REDIS])
        .flat_map(|kind| std::iter::once(kind.name).chain(kind.aliases.iter().copied()))
}

/// Whether a variable name says it is a database's setting: a generic word
/// (`DB`, `DATABASE`, `SQLALCHEMY`), `DB` glued to a connection part
/// (`DBHOST`, `DBPASS`), or one of a kind's words (`PGHOST`, `MYSQL_USER`).
pub(crate) fn names_database(name: &str) -> bool {
    let generic = ["DB", "DATABASE", "SQLALCHEMY"];
    let glued = [
        "HOST", "HOSTNAME", "SERVER", "PORT", "USER", "USERNAME", "PASS", "PASSWORD", "PASSWD",
        "NAME",
    ];
    name.split('_').any(|word| {
        generic.contains(&word)
            || word
                .strip_prefix("DB")
                .is_some_and(|part| glued.contains(&part))
    }) || DATABASES.iter().any(|kind| kind.names(name))
}

/// A variable that holds a whole database URL (`DATABASE_URL`,
/// `SQLALCHEMY_DATABASE_URI`, `DB_DSN`), not one of its parts.
pub(crate) fn names_database_url(name: &str) -> bool {
    names_database(name) && ["_URL", "_URI", "_DSN"].iter().any(|s| name.ends_with(s))
}

/// How a variable the code reads locates a SQLite database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SqliteSetting {
    /// A database URL (`DATABASE_URL`) whose default is a SQLite URL or none.
    Url,
    /// The path of the file (`APP_DB_FILE`, `SQLITE_PATH`) whose default is a
    /// database file's or none.
    File,
}

/// Whether the variable `name`, read with `default`, says where a SQLite
/// database is: the plan then points it at the instance folder.
pub(crate) fn sqlite_setting(name: &str, default: Option<&str>) -> Option<SqliteSetting> {
    if names_database_url(name) {
        return default
            .is_none_or(|d| d.starts_with("sqlite:"))
            .then_some(SqliteSetting::Url);
    }
    let database = names_database(name) || name.split('_').any(|w| w == "SQLITE");
    let file = ["_FILE", "_PATH", "_FILENAME"]
        .iter()
        .any(|s| name.ends_with(s));
    let file_default = default.is_none_or(|d| {
        [".db", ".db3", ".sqlite", ".sqlite3"]
            .iter()
            .any(|extension| d.ends_with(extension))
    });
    (database && file && file_default).then_some(SqliteSetting::File)
}

impl ServiceKind {
    /// Whether the variable `name` is this service's setting: one of its
    /// words is a [`ServiceKind::variable_words`] entry, or it starts with
    /// one of the [`ServiceKind::variable_prefixes`] (`REDISTOGO_URL`, `KV_HOST`).
    pub(crate) fn names(&self, name: &str) -> bool {
        name.split('_')
            .any(|word| self.variable_words.contains(&word))
            || self.variable_prefixes.iter().any(|p| name.starts_with(p))
    }
}

/// Servers an app may need that flaskdock writes no service for, each with
/// the client packages that reach it. An app that installs one is told to
/// run that server itself.
pub const UNSERVED: &[(&str, &[&str])] = &[
    (
        "MongoDB",
        &[
            "pymongo",
            "mongoengine",
            "flask-pymongo",
            "flask-mongoengine",
            "motor",
        ],
    ),
    (
        "Elasticsearch",
        &["elasticsearch", "elasticsearch-dsl", "flask-elasticsearch"],
    ),
    ("OpenSearch", &["opensearch-py"]),
    (
        "memcached",
        &[
            "pymemcache",
            "python-memcached",
            "pylibmc",
            "python3-memcached",
        ],
    ),
    ("RabbitMQ", &["pika", "aio-pika"]),
    ("Cassandra", &["cassandra-driver"]),
    ("Neo4j", &["neo4j", "py2neo"]),
    ("InfluxDB", &["influxdb", "influxdb-client"]),
];

/// Images of other data services doctor knows, with their data folders.
pub const OTHER_DATA_IMAGES: &[(&str, &str)] = &[("mongo", "/data/db")];

/// URL schemes of other servers an app reaches over the network, which
/// doctor also expects at a service name rather than `localhost`.
pub const OTHER_SERVER_SCHEMES: &[&str] = &["mongodb", "amqp"];

/// A database kind of the catalogue: what inspection finds, what the user
/// chooses, what the Plan runs. Serializes as its name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Database(&'static ServiceKind);

impl Database {
    pub const POSTGRES: Database = Database(&POSTGRES);
    pub const MYSQL: Database = Database(&MYSQL);

    /// Every database, in the catalogue's order.
    pub fn all() -> impl Iterator<Item = Database> {
        DATABASES.iter().map(|kind| Database(kind))
    }

    /// The database called `name` or one of its aliases.
    pub fn named(name: &str) -> Option<Database> {
        Database::all().find(|db| db.0.name == name || db.0.aliases.contains(&name))
    }

    /// The database a client package talks to, with its driver entry.
    pub fn of_driver(package: &str) -> Option<(Database, &'static Driver)> {
        Database::all()
            .find_map(|db| Some((db, db.0.drivers.iter().find(|d| d.package == package)?)))
    }

    /// The database a URL in code is for (`postgresql+psycopg2://...`).
    pub fn of_url(text: &str) -> Option<Database> {
        Database::all().find(|db| db.0.url_prefixes.iter().any(|p| text.starts_with(p)))
    }

    /// The database an image (`postgres:16`, `library/mariadb`) runs.
    pub fn of_image(image: &str) -> Option<Database> {
        let base = image_base(image);
        Database::all().find(|db| db.0.images.contains(&base))
    }

    /// The name `--db` and `inspect --json` use.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// Everything the catalogue knows about it.
    pub fn kind(self) -> &'static ServiceKind {
        self.0
    }
}

/// `registry/library/postgres:16@sha256:...` -> `postgres`.
pub fn image_base(image: &str) -> &str {
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split([':', '@']).next().unwrap_or(last)
}

/// Where a database image keeps the data that must outlive the container
/// (Redis, a cache, is left out). Only official images (`postgres`,
/// `library/mysql`) and those named after themselves (`postgis/postgis`):
/// another publisher's build (`bitnami/mysql`) keeps it elsewhere.
pub fn data_folder(image: &str) -> Option<&'static str> {
    let repo = image.split(['@']).next().unwrap_or(image);
    let repo = match repo.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => repo,
    };
    let repo = repo.strip_prefix("docker.io/").unwrap_or(repo);
    let repo = repo.strip_prefix("library/").unwrap_or(repo);
    let base = image_base(repo);
    if repo != base && repo != format!("{base}/{base}") {
        return None;
    }
    DATABASES
        .iter()
        .find(|kind| kind.images.contains(&base))
        .map(|kind| kind.data_folder)
        .or_else(|| {
            OTHER_DATA_IMAGES
                .iter()
                .find(|(name, _)| *name == base)
                .map(|(_, folder)| *folder)
        })
}

/// Whether a URL scheme (`postgresql+psycopg2`, `rediss`) is one of a
/// server the app reaches over the network.
pub fn is_server_scheme(scheme: &str) -> bool {
    let scheme = scheme.split('+').next().unwrap_or(scheme);
    let prefix = |p: &&str| p.split([':', '+']).next() == Some(scheme);
    DATABASES
        .iter()
        .copied()
        .chain([&REDIS])
        .any(|kind| kind.url_prefixes.iter().any(prefix))
        || OTHER_SERVER_SCHEMES.contains(&scheme)
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

impl Serialize for Database {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name)
    }
}

impl<'de> Deserialize<'de> for Database {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Database, D::Error> {
        let raw = String::deserialize(d)?;
        Database::named(&raw).ok_or_else(|| serde::de::Error::custom(unknown(&raw)))
    }
}

/// The database answer: one of the catalogue, or none. `none` on the
/// command line and in `.flaskdock.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbChoice(pub Option<Database>);

impl DbChoice {
    pub const NONE: DbChoice = DbChoice(None);

    /// Every choice, in the order the prompt lists them: the catalogue, then none.
    pub fn all() -> Vec<DbChoice> {
        Database::all()
            .map(|db| DbChoice(Some(db)))
            .chain([DbChoice::NONE])
            .collect()
    }

    /// Every name `--db` accepts, aliases included.
    pub fn names() -> Vec<&'static str> {
        DATABASES
            .iter()
            .flat_map(|kind| std::iter::once(kind.name).chain(kind.aliases.iter().copied()))
            .chain(["none"])
            .collect()
    }
}

fn unknown(name: &str) -> String {
    let known: Vec<&str> = Database::all().map(Database::name).collect();
    format!(
        "unknown database `{}`; use {} or `none`",
        crate::safe::escaped(name),
        known
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

impl std::str::FromStr for DbChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(DbChoice::NONE),
            name => Database::named(name)
                .map(|db| DbChoice(Some(db)))
                .ok_or_else(|| unknown(name)),
        }
    }
}

impl fmt::Display for DbChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.map_or("none", Database::name))
    }
}

impl Serialize for DbChoice {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DbChoice {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<DbChoice, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn variable_names_are_read_from_the_catalogue() {
        for name in [
            "DATABASE_URL",
            "DB_HOST",
            "PGHOST",
            "POSTGRES_USER",
            "MARIADB_PASSWORD",
            "DBHOST",
            "DBPASS",
            "APP_DBNAME",
        ] {
            assert!(names_database(name), "{name}");
        }
        for name in ["REDIS_URL", "DEBUG", "DBX", "DBT_PROFILE", "DBUS_SESSION"] {
            assert!(!names_database(name), "{name}");
        }
        for name in [
            "REDIS_URL",
            "CACHE_REDIS_HOST",
            "REDISTOGO_URL",
            "KV_HOST",
            "VALKEY_URL",
        ] {
            assert!(REDIS.names(name), "{name}");
        }
        assert!(!REDIS.names("DATABASE_URL"));
    }

    use super::*;

    #[test]
    fn names_aliases_and_none_parse_and_print_back() {
        assert_eq!("postgresql".parse(), Ok(DbChoice(Some(Database::POSTGRES))));
        assert_eq!("mariadb".parse(), Ok(DbChoice(Some(Database::MYSQL))));
        assert_eq!("none".parse(), Ok(DbChoice::NONE));
        assert_eq!(DbChoice(Some(Database::MYSQL)).to_string(), "mysql");
        assert_eq!(
            "oracle".parse::<DbChoice>(),
            Err("unknown database `oracle`; use `postgres`, `mysql` or `none`".to_string())
        );
        assert_eq!(
            DbChoice::names(),
            ["postgres", "postgresql", "mysql", "mariadb", "none"]
        );
    }

    #[test]
    fn drivers_urls_and_images_find_their_database() {
        assert_eq!(
            Database::of_driver("pymysql").map(|(db, _)| db),
            Some(Database::MYSQL)
        );
        assert_eq!(
            Database::of_driver("psycopg2-binary").map(|(_, d)| d.dialect),
            Some("postgresql+psycopg2")
        );
        assert_eq!(Database::of_driver("redis"), None);
        assert_eq!(
            Database::of_url("postgresql+asyncpg://u@db/x"),
            Some(Database::POSTGRES)
        );
        assert_eq!(Database::of_url("mariadb://u@db/x"), Some(Database::MYSQL));
        assert_eq!(Database::of_url("mysqlx://u@db/x"), None);
        assert_eq!(
            Database::of_image("postgis/postgis:16-3.4"),
            Some(Database::POSTGRES)
        );
        assert_eq!(Database::of_image("redis:7"), None);
    }

    #[test]
    fn every_data_service_has_its_folder_and_server_schemes_are_known() {
        assert_eq!(
            data_folder("postgis/postgis"),
            Some("/var/lib/postgresql/data")
        );
        assert_eq!(data_folder("mariadb:11"), Some("/var/lib/mysql"));
        assert_eq!(data_folder("redis:7"), None);
        assert_eq!(data_folder("mongo:7"), Some("/data/db"));
        assert_eq!(
            data_folder("docker.io/library/postgres:16"),
            Some("/var/lib/postgresql/data")
        );
        assert_eq!(data_folder("bitnami/mysql"), None);
        assert_eq!(data_folder("nginx"), None);
        for scheme in [
            "postgres",
            "postgresql+psycopg2",
            "mysql",
            "mariadb",
            "rediss",
            "amqp",
        ] {
            assert!(is_server_scheme(scheme), "{scheme}");
        }
        assert!(!is_server_scheme("https"));
    }

    #[test]
    fn every_kind_is_complete() {
        for kind in DATABASES.iter().copied().chain([&REDIS]) {
            assert!(
                !kind.drivers.is_empty() && !kind.url_prefixes.is_empty(),
                "{}",
                kind.name
            );
            assert!(
                kind.images.contains(&image_base(kind.image)),
                "{}",
                kind.name
            );
            assert!(kind.healthcheck.test[0].starts_with("CMD"), "{}", kind.name);
        }
        for kind in DATABASES {
            let roles: Vec<SettingValue> = kind.environment.iter().map(|s| s.value).collect();
            for role in [
                SettingValue::User,
                SettingValue::Password,
                SettingValue::Database,
            ] {
                assert!(roles.contains(&role), "{} sets no {role:?}", kind.name);
            }
        }
    }
}
