//! What `verify` reads of the project: the files `flaskdock init` wrote,
//! `.flaskdock.toml`'s answers, and what `inspect` finds in the code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Compiled drivers whose import proves their C library is in the runtime
/// image: (package, module).
const DRIVERS: &[(&str, &str)] = &[
    ("psycopg2", "psycopg2"),
    ("psycopg2-binary", "psycopg2"),
    ("mysqlclient", "MySQLdb"),
    ("python-ldap", "ldap"),
    ("lxml", "lxml.etree"),
];

/// The project being verified.
pub(super) struct Target {
    pub(super) dir: PathBuf,
    /// The folder's name, as engine names allow it.
    pub(super) slug: String,
    /// The port the Dockerfile exposes.
    pub(super) port: u16,
    pub(super) health_path: String,
    /// `module:app`, from `.flaskdock.toml`.
    pub(super) entry: Option<String>,
    /// Compose services besides the web service (`db`, `redis`, `worker`).
    pub(super) services: Vec<String>,
    /// `.env`, when the user has one.
    pub(super) env: Option<String>,
    pub(super) env_example: Option<String>,
    /// Variables the code reads.
    pub(super) reads: Vec<String>,
    /// Modules of the compiled drivers among the dependencies.
    pub(super) drivers: Vec<String>,
    /// The folders the Dockerfile declares as volumes: where the app writes.
    pub(super) volumes: Vec<String>,
    /// Whether the app runs on a read-only root: compose's web service says
    /// `read_only: true` (it does not when the app adds files beside its
    /// source); with no compose file, the strict way.
    pub(super) read_only: bool,
}

impl Target {
    pub(super) fn read(path: &Path) -> Result<Self> {
        let dir = path.canonicalize().with_context(|| {
            format!(
                "cannot read `{}`; pass the folder of a Flask project",
                path.display()
            )
        })?;
        if !dir.is_dir() {
            bail!(
                "`{}` is not a directory; pass the folder that holds the Flask project",
                path.display()
            );
        }
        let dockerfile = dir.join("Dockerfile");
        if !dockerfile.is_file() {
            bail!(
                "no Dockerfile in `{}`; run `flaskdock init` there first",
                path.display()
            );
        }
        let dockerfile = crate::inspect::read_text(&dockerfile)?;
        let answers = crate::settings::read_settings(&dir)?
            .map(|(settings, _)| settings.answers)
            .unwrap_or_default();
        // A committed `.flaskdock.toml` is the repository's word: the path
        // goes into a request line, the entry names a file to change.
        let checked = answers
            .health_path
            .as_deref()
            .map_or(Ok(()), crate::answers::validate_health_path)
            .and(
                answers
                    .entry
                    .as_deref()
                    .map_or(Ok(()), crate::answers::validate_entry),
            );
        if let Err(err) = checked {
            bail!(
                "`.flaskdock.toml` in `{}`: {err}; fix it, or run `flaskdock init` again",
                path.display()
            );
        }
        let port = exposed_port(&dockerfile)
            .or(answers.port)
            .with_context(|| {
                format!(
                    "the Dockerfile in `{}` exposes no port; add `EXPOSE <port>`",
                    path.display()
                )
            })?;
        let project = crate::inspect::inspect(&dir).ok();
        let compose = compose_file(&dir);
        let depends = |name: &str| project.as_ref().is_some_and(|p| p.depends_on(name));
        Ok(Target {
            slug: slug(&dir),
            port,
            health_path: answers.health_path.unwrap_or_else(|| "/".to_string()),
            entry: answers.entry,
            services: compose_services(compose.as_ref()),
            read_only: web_read_only(compose.as_ref()),
            env: read_optional(&dir.join(".env"))?,
            env_example: read_optional(&dir.join(".env.example"))?,
            reads: project
                .as_ref()
                .map(|p| p.env_vars.iter().map(|v| v.name.clone()).collect())
                .unwrap_or_default(),
            drivers: DRIVERS
                .iter()
                .filter(|(package, _)| depends(package))
                .map(|(_, module)| module.to_string())
                .collect(),
            volumes: volumes(&dockerfile),
            dir,
        })
    }

    /// Values of the user's `.env` worth looking for in the image: long
    /// enough not to occur by chance, and not the example's own.
    pub(super) fn secret_values(&self) -> Vec<String> {
        let Some(env) = &self.env else {
            return Vec::new();
        };
        let example = self.env_example.as_deref().unwrap_or("");
        let values: BTreeSet<String> = crate::inspect::parse_dotenv(env)
            .into_iter()
            .map(|(_, _, value)| value)
            .filter(|v| v.len() >= 8 && !example.contains(v.as_str()))
            .collect();
        values.into_iter().collect()
    }

    /// The env the app gets: the user's `.env`, else `.env.example` with
    /// every placeholder (`change-me`, `replace-with-...`) replaced by a
    /// random value; its text, and where it came from.
    pub(super) fn env_text(&self) -> (String, &'static str) {
        match (&self.env, &self.env_example) {
            (Some(env), _) => (env.clone(), ".env"),
            (None, Some(example)) => (filled(example), ".env.example, placeholders filled"),
            (None, None) => (String::new(), "no .env"),
        }
    }

    /// The env file the container gets, in `scratch`: each `NAME=value` of
    /// the env as `docker run --env-file` reads it (the value taken
    /// literally to the end of the line, so quotes are taken off first, as
    /// compose would; a value over several lines is left out); the names
    /// it sets, and where it came from.
    pub(super) fn env_file(
        &self,
        scratch: &Path,
    ) -> Result<(PathBuf, BTreeSet<String>, &'static str)> {
        let (text, source) = self.env_text();
        let literal: String = crate::inspect::parse_dotenv(&text)
            .into_iter()
            .filter(|(_, _, value)| !value.contains(['\n', '\r']))
            .map(|(_, name, value)| format!("{name}={value}\n"))
            .collect();
        let path = crate::write::scratch::file(scratch, "env", &literal)?;
        Ok((path, names_set(&text), source))
    }

    /// The file of the entry module, where a source change is made.
    pub(super) fn entry_file(&self) -> Option<PathBuf> {
        let module = self.entry.as_deref()?.split(':').next()?.replace('.', "/");
        [
            format!("{module}.py"),
            format!("{module}/__init__.py"),
            format!("src/{module}.py"),
            format!("src/{module}/__init__.py"),
        ]
        .into_iter()
        .map(PathBuf::from)
        .filter(|p| {
            p.components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
        })
        .find(|p| self.dir.join(p).is_file())
    }
}

/// The names an env text sets to a non-empty value.
pub(super) fn names_set(text: &str) -> BTreeSet<String> {
    crate::inspect::parse_dotenv(text)
        .into_iter()
        .filter(|(_, _, value)| !value.is_empty())
        .map(|(_, name, _)| name)
        .collect()
}

fn read_optional(path: &Path) -> Result<Option<String>> {
    match path.is_file() {
        true => crate::inspect::read_text(path).map(Some),
        false => Ok(None),
    }
}

/// The first `EXPOSE` port of a Dockerfile.
fn exposed_port(dockerfile: &str) -> Option<u16> {
    dockerfile.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("EXPOSE ")?;
        rest.split_whitespace()
            .next()?
            .split('/')
            .next()?
            .parse()
            .ok()
    })
}

/// The absolute folders of a Dockerfile's `VOLUME` lines, in either form
/// (`VOLUME ["/a", "/b"]` or `VOLUME /a /b`). Each is passed to a probe as
/// one argument, never into its script.
fn volumes(dockerfile: &str) -> Vec<String> {
    dockerfile
        .lines()
        .filter_map(|line| line.trim().strip_prefix("VOLUME "))
        .flat_map(|rest| {
            rest.trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split([',', ' '])
                .map(|word| word.trim().trim_matches('"').to_string())
                .collect::<Vec<_>>()
        })
        .filter(|folder| folder.starts_with('/') && !folder.chars().any(char::is_control))
        .collect()
}

/// `My App` -> `my-app`: a name engines accept in image and container names.
fn slug(dir: &Path) -> String {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let slug: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let slug = slug.trim_matches('-');
    match slug.is_empty() {
        true => "app".to_string(),
        false => slug.chars().take(40).collect(),
    }
}

/// The project's `docker-compose.yml`, when it has one that parses.
fn compose_file(dir: &Path) -> Option<serde_norway::Value> {
    let text = std::fs::read_to_string(dir.join("docker-compose.yml")).ok()?;
    serde_norway::from_str(&text).ok()
}

/// Whether compose runs the web service on a read-only root (so does
/// `verify`); with no compose file, yes.
fn web_read_only(compose: Option<&serde_norway::Value>) -> bool {
    let Some(compose) = compose else {
        return true;
    };
    compose
        .get("services")
        .and_then(|s| s.get("web"))
        .and_then(|web| web.get("read_only"))
        .and_then(serde_norway::Value::as_bool)
        .unwrap_or(false)
}

/// Service names of `docker-compose.yml` other than `web`.
fn compose_services(compose: Option<&serde_norway::Value>) -> Vec<String> {
    let Some(compose) = compose else {
        return Vec::new();
    };
    compose
        .get("services")
        .and_then(|s| s.as_mapping())
        .map(|services| {
            services
                .keys()
                .filter_map(|k| k.as_str())
                .filter(|k| *k != "web")
                .map(|k| crate::safe::escaped(k).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// `.env.example` with every placeholder replaced by a random value, the
/// same placeholder by the same value (a password in `POSTGRES_PASSWORD`
/// and in `DATABASE_URL`).
pub(super) fn filled(example: &str) -> String {
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    let mut out = String::new();
    for line in example.lines() {
        let mut line = line.to_string();
        if !line.trim_start().starts_with('#') {
            for token in placeholders(&line) {
                let value = values
                    .entry(token.clone())
                    .or_insert_with(random_hex)
                    .clone();
                line = line.replace(&token, &value);
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `change-me` and `replace-with-...` words of a line.
fn placeholders(line: &str) -> Vec<String> {
    line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| *w == "change-me" || w.starts_with("replace-with-"))
        .map(str::to_string)
        .collect()
}

/// 32 random hex digits from the system's generator.
fn random_hex() -> String {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if read.is_err() {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        bytes[..8].copy_from_slice(&hasher.finish().to_le_bytes());
        bytes[8..].copy_from_slice(
            &std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
                .to_le_bytes(),
        );
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_alike_and_comments_kept() {
        let example = "SECRET_KEY=replace-with-a-long-random-string\nPOSTGRES_PASSWORD=change-me\nDATABASE_URL=postgresql://app:change-me@db:5432/app\n# MAIL_PASSWORD=change-me\nPORT=5000\n";
        let env = filled(example);
        let parsed = crate::inspect::parse_dotenv(&env);
        let value = |name: &str| {
            parsed
                .iter()
                .find(|(_, n, _)| n == name)
                .map(|(_, _, v)| v.clone())
                .unwrap()
        };
        let password = value("POSTGRES_PASSWORD");
        assert_eq!(password.len(), 32);
        assert_eq!(
            value("DATABASE_URL"),
            format!("postgresql://app:{password}@db:5432/app")
        );
        assert_ne!(value("SECRET_KEY"), password);
        assert!(env.contains("# MAIL_PASSWORD=change-me\n"));
        assert_eq!(value("PORT"), "5000");
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // the test builds a project on disk
    fn the_env_file_holds_literal_values_in_the_scratch_folder() {
        let project = tempfile::tempdir().unwrap();
        std::fs::write(project.path().join("Dockerfile"), "FROM x\nEXPOSE 8000\n").unwrap();
        let env = "export A=\"quoted value\"\nB='single'\n# C=commented\nD=plain\n";
        std::fs::write(project.path().join(".env"), env).unwrap();
        let target = Target::read(project.path()).unwrap();
        let scratch = tempfile::tempdir().unwrap();
        let (path, set, source) = target.env_file(scratch.path()).unwrap();
        assert!(path.starts_with(scratch.path()));
        assert_eq!(
            std::fs::read_to_string(path).unwrap(),
            "A=quoted value\nB=single\nD=plain\n"
        );
        assert_eq!(set.into_iter().collect::<Vec<_>>(), ["A", "B", "D"]);
        assert_eq!(source, ".env");
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // the test builds a project on disk
    fn a_committed_settings_file_cannot_aim_the_run_elsewhere() {
        let project = tempfile::tempdir().unwrap();
        std::fs::write(project.path().join("Dockerfile"), "FROM x\nEXPOSE 8000\n").unwrap();
        for answers in [
            "entry = \"../../../../etc/passwd:x\"",
            "entry = \"/etc/hosts:app\"",
            "health_path = \"/ HTTP/1.0\\r\\nX: y\"",
        ] {
            let settings = format!("[answers]\n{answers}\n");
            std::fs::write(project.path().join(".flaskdock.toml"), settings).unwrap();
            let err = Target::read(project.path())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.starts_with("`.flaskdock.toml` in "), "{answers}: {err}");
        }
    }

    #[test]
    fn volumes_in_either_form() {
        let dockerfile = "FROM x\nVOLUME [\"/app/instance\", \"/app/uploads\"]\nVOLUME /data /cache\nVOLUME relative\n";
        assert_eq!(
            volumes(dockerfile),
            ["/app/instance", "/app/uploads", "/data", "/cache"]
        );
        assert!(volumes("FROM x\n").is_empty());
    }

    #[test]
    fn the_exposed_port_and_a_slug() {
        assert_eq!(
            exposed_port("FROM x\nEXPOSE 8000/tcp\nEXPOSE 9000\n"),
            Some(8000)
        );
        assert_eq!(exposed_port("FROM x\n"), None);
        assert_eq!(slug(Path::new("/tmp/My App!")), "my-app");
        assert_eq!(slug(Path::new("/tmp/...")), "app");
    }
}
