//! The compose file (FD3xx).

use anyhow::{Result, anyhow};
use serde_norway::{Mapping, Value};

use super::finding::Found;
use crate::secret::is_secret_name;
use crate::substitute::expand_defaults;

/// Lines of the compose text, to point findings at the key they are about.
struct Lines<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Lines<'a> {
    fn indent(line: &str) -> usize {
        line.len() - line.trim_start().len()
    }

    /// 1-based line of `key:` at the top level.
    fn top(&self, key: &str) -> Option<usize> {
        self.lines
            .iter()
            .position(|l| Self::indent(l) == 0 && l.starts_with(&format!("{key}:")))
            .map(|i| i + 1)
    }

    /// The 0-based range of lines of service `name` under `services:`.
    fn service(&self, name: &str) -> Option<(usize, usize)> {
        let services = self.top("services")?;
        let start = self.lines[services..].iter().position(|l| {
            let t = l.trim_start();
            Self::indent(l) > 0
                && (t.starts_with(&format!("{name}:"))
                    || t.starts_with(&format!("\"{name}\":"))
                    || t.starts_with(&format!("'{name}':")))
        })? + services;
        let indent = Self::indent(self.lines[start]);
        let end = self.lines[start + 1..]
            .iter()
            .position(|l| {
                !l.trim().is_empty()
                    && !l.trim_start().starts_with('#')
                    && Self::indent(l) <= indent
            })
            .map_or(self.lines.len(), |i| i + start + 1);
        Some((start, end))
    }

    /// 1-based line of the first line in service `name` that contains `needle`,
    /// else the service's own line.
    fn in_service(&self, name: &str, needle: &str) -> Option<usize> {
        let (start, end) = self.service(name)?;
        let found = self.lines[start..end]
            .iter()
            .position(|l| l.contains(needle));
        Some(found.map_or(start, |i| i + start) + 1)
    }
}

fn as_str(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A service's `environment`, as name/value pairs (list or mapping form).
fn environment(service: &Mapping) -> Vec<(String, Option<String>)> {
    match service.get("environment") {
        Some(Value::Mapping(map)) => map
            .iter()
            .filter_map(|(k, v)| Some((as_str(k)?, as_str(v))))
            .collect(),
        Some(Value::Sequence(list)) => list
            .iter()
            .filter_map(as_str)
            .map(|item| match item.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (item, None),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A URL with `localhost`/`127.0.0.1`/`::1` as its host, for a database or cache.
fn local_database_url(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once("://") else {
        return false;
    };
    let database = crate::services::is_server_scheme(scheme);
    let host_port = rest.split('/').next().unwrap_or("");
    let host = host_port.rsplit('@').next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    database && matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "0.0.0.0")
}

/// A URL carrying a literal password (`postgres://user:secret@db/x`).
fn url_with_password(value: &str) -> bool {
    crate::secret::url_password(value).is_some_and(|p| !p.is_empty() && !p.contains("${"))
}

/// Host ports a service publishes, with the address they bind.
fn published_ports(service: &Mapping) -> Vec<(String, u16)> {
    let Some(Value::Sequence(ports)) = service.get("ports") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for port in ports {
        match port {
            Value::Mapping(long) => {
                let host = long
                    .get("host_ip")
                    .and_then(as_str)
                    .unwrap_or_else(|| "0.0.0.0".into());
                if let Some(p) = long
                    .get("published")
                    .and_then(as_str)
                    .map(|p| expand_defaults(&p))
                    && let Ok(p) = p.parse()
                {
                    out.push((host, p));
                }
            }
            other => {
                let Some(text) = as_str(other) else { continue };
                // Defaults first: `${WEB_PORT:-8000}:8000` holds colons of its own.
                let text = expand_defaults(&text);
                let parts: Vec<&str> = text.split(':').collect();
                let (host, published) = match parts.as_slice() {
                    [ip, published, _] => (ip.to_string(), *published),
                    [published, _] => ("0.0.0.0".to_string(), *published),
                    _ => continue, // only the container port: a random host port
                };
                // A range publishes its first port at least.
                let first = published.split('-').next().unwrap_or(published);
                if let Ok(p) = first.parse() {
                    out.push((host, p));
                }
            }
        }
    }
    out
}

/// Whether something on this machine already listens on `host:port`.
fn port_in_use(host: &str, port: u16) -> bool {
    let host = if host.is_empty() { "0.0.0.0" } else { host };
    matches!(
        std::net::TcpListener::bind((host, port)),
        Err(err) if err.kind() == std::io::ErrorKind::AddrInUse
    )
}

/// What the compose checks read: the compose file, parsed, with its lines
/// to point at, and the project's `.env` when there is one.
pub(super) struct Input<'a> {
    /// The compose file's name (`compose.yaml`, `docker-compose.yml`, ...).
    pub file: &'a str,
    doc: Mapping,
    lines: Lines<'a>,
    dotenv: Option<&'a str>,
}

impl<'a> Input<'a> {
    /// Parses `text`; a file that is not YAML is a one-line error naming it.
    pub(super) fn parse(
        file: &'a str,
        text: &'a str,
        dotenv: Option<&'a str>,
    ) -> Result<Input<'a>> {
        let doc: Value = serde_norway::from_str(text).map_err(|err| {
            let line = err
                .location()
                .map(|l| format!(" at line {}", l.line()))
                .unwrap_or_default();
            anyhow!("failed to parse `{file}`{line}: {err}; fix the YAML and run again")
        })?;
        Ok(Input {
            file,
            doc: match doc {
                Value::Mapping(doc) => doc,
                _ => Mapping::new(),
            },
            lines: Lines {
                lines: text.lines().collect(),
            },
            dotenv,
        })
    }

    fn services(&self) -> Option<&Mapping> {
        self.doc.get("services").and_then(Value::as_mapping)
    }

    /// Each service with a name and a mapping body.
    fn each_service(&self) -> impl Iterator<Item = (String, &Mapping)> {
        self.services()
            .into_iter()
            .flatten()
            .filter_map(|(name, service)| Some((as_str(name)?, service.as_mapping()?)))
    }

    /// Each `environment` setting with a value, and the service it is in.
    fn each_setting(&self) -> impl Iterator<Item = (String, String, String)> + '_ {
        self.each_service().flat_map(|(name, service)| {
            environment(service)
                .into_iter()
                .filter_map(move |(key, value)| Some((name.clone(), key, value?)))
        })
    }
}

/// FD301. A top-level `version:`: Compose ignores it and prints a warning
/// on every run. Example: `version: "3.8"`.
pub(super) fn obsolete_version(input: &Input, found: &mut Found) {
    if input.doc.contains_key("version") {
        found.at(
            input.file,
            input.lines.top("version"),
            "`version:` is obsolete; Compose ignores it",
        );
    }
}

/// FD302. A database or cache URL on `localhost` in a service's environment
/// or in `.env`: inside Compose that is the container itself, so the app
/// never reaches the database. Example:
/// `DATABASE_URL: postgresql://app@localhost/app`.
pub(super) fn localhost_url(input: &Input, found: &mut Found) {
    for (name, key, value) in input.each_setting() {
        if local_database_url(&value) {
            found.at(
                input.file,
                input.lines.in_service(&name, &key),
                format!("service `{name}`: `{key}` points at localhost, which is the `{name}` container itself"),
            );
        }
    }
    // `.env` values reach the containers through `env_file` and interpolation.
    let has_services = input.services().is_some_and(|s| !s.is_empty());
    if let Some(dotenv) = input.dotenv.filter(|_| has_services) {
        for (line, key, value) in crate::inspect::parse_dotenv(dotenv) {
            if local_database_url(&value) {
                found.at(
                    ".env",
                    Some(line),
                    format!("`{key}` points at localhost; inside Compose that is the app's own container"),
                );
            }
        }
    }
}

/// FD303. A literal password in the compose file, which is committed:
/// under a secret-looking name or inside a URL. Example:
/// `POSTGRES_PASSWORD: hunter2`. A switch (`MYSQL_RANDOM_ROOT_PASSWORD:
/// "yes"`) and a `${VARIABLE}` are not flagged.
pub(super) fn literal_password(input: &Input, found: &mut Found) {
    for (name, key, value) in input.each_setting() {
        let switch = matches!(
            value.to_ascii_lowercase().as_str(),
            "yes" | "no" | "true" | "false" | "1" | "0"
        );
        let literal = !value.is_empty() && !value.contains("${") && !switch;
        if (is_secret_name(&key) && literal) || url_with_password(&value) {
            found.at(
                input.file,
                input.lines.in_service(&name, &key),
                format!("service `{name}`: `{key}` holds a literal password"),
            );
        }
    }
}

/// FD304. A database image with no volume on its data folder:
/// `docker compose down` deletes the data. Example: `image: postgres:17`
/// with no `volumes:`.
pub(super) fn database_without_volume(input: &Input, found: &mut Found) {
    for (name, service) in input.each_service() {
        let image = service.get("image").and_then(as_str).unwrap_or_default();
        let Some(data) = crate::services::data_folder(&image) else {
            continue;
        };
        let is_data = |target: &str| target.trim_end_matches('/') == data;
        let mounts_data = match service.get("volumes") {
            Some(Value::Sequence(volumes)) => volumes.iter().any(|v| match v {
                Value::Mapping(long) => long
                    .get("target")
                    .and_then(as_str)
                    .is_some_and(|t| is_data(&t)),
                other => as_str(other).is_some_and(|s| s.split(':').nth(1).is_some_and(is_data)),
            }),
            _ => false,
        };
        if !mounts_data {
            found.at(
                input.file,
                input.lines.in_service(&name, "image:"),
                format!("service `{name}` ({image}) keeps its data in `{data}` with no volume there: `docker compose down` loses it"),
            );
        }
    }
}

/// FD305. `depends_on` that waits for a service to start, not to be ready,
/// so the app's first connection fails; or a `service_healthy` condition on
/// a service with no healthcheck, which never passes. Example:
/// `depends_on: [db]`.
pub(super) fn depends_on_unready(input: &Input, found: &mut Found) {
    let healthchecked: Vec<String> = input
        .each_service()
        .filter(|(_, s)| s.get("healthcheck").is_some())
        .map(|(name, _)| name)
        .collect();
    for (name, service) in input.each_service() {
        let loose: Vec<String> = match service.get("depends_on") {
            Some(Value::Sequence(list)) => list.iter().filter_map(as_str).collect(),
            Some(Value::Mapping(map)) => map
                .iter()
                .filter(|(_, v)| {
                    let condition = v.get("condition").and_then(as_str).unwrap_or_default();
                    condition != "service_healthy" && condition != "service_completed_successfully"
                })
                .filter_map(|(k, _)| as_str(k))
                .collect(),
            _ => Vec::new(),
        };
        if !loose.is_empty() {
            found.at(
                input.file,
                input.lines.in_service(&name, "depends_on"),
                format!(
                    "service `{name}` waits only for {} to start, not to be ready",
                    quoted(&loose)
                ),
            );
        }
        let Some(Value::Mapping(map)) = service.get("depends_on") else {
            continue;
        };
        for (target, v) in map {
            let target = as_str(target).unwrap_or_default();
            let healthy = v.get("condition").and_then(as_str).as_deref() == Some("service_healthy");
            let exists = input
                .services()
                .is_some_and(|s| s.contains_key(target.as_str()));
            if healthy && exists && !healthchecked.contains(&target) {
                found.at(
                    input.file,
                    input.lines.in_service(&target, &format!("{target}:")),
                    format!("service `{name}` waits for `{target}` to be healthy, but `{target}` has no healthcheck"),
                );
            }
        }
    }
}

/// FD306. A fixed `container_name`: `--scale` fails, and two checkouts of
/// the project clash. Example: `container_name: web`.
pub(super) fn container_name(input: &Input, found: &mut Found) {
    for (name, service) in input.each_service() {
        if service.contains_key("container_name") {
            found.at(
                input.file,
                input.lines.in_service(&name, "container_name"),
                format!("service `{name}` has a fixed `container_name`"),
            );
        }
    }
}

/// FD307. A published host port that something on this machine already
/// listens on: `docker compose up` fails with `port is already allocated`.
/// Example: `ports: ["5432:5432"]` beside a local PostgreSQL. About the
/// machine, not the files, so it has no fixture.
pub(super) fn host_port_in_use(input: &Input, found: &mut Found) {
    for (name, service) in input.each_service() {
        for (host, port) in published_ports(service) {
            if port_in_use(&host, port) {
                found.at(
                    input.file,
                    input.lines.in_service(&name, "ports"),
                    format!("service `{name}` publishes host port {port}, which something on this machine already uses (`docker compose up` fails with `port is already allocated`)"),
                );
            }
        }
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_local_database_urls() {
        assert!(local_database_url("postgresql://u:p@localhost:5432/db"));
        assert!(local_database_url("postgresql+psycopg2://u@127.0.0.1/db"));
        assert!(!local_database_url("postgresql://u@db:5432/db"));
        assert!(!local_database_url("http://localhost:8000/"));
    }

    #[test]
    fn reads_published_ports() {
        let service: Mapping = serde_norway::from_str(
            "ports:\n  - \"${WEB_PORT:-8000}:8000\"\n  - 127.0.0.1:5433:5432\n  - \"9000\"\n  - target: 80\n    published: \"8081\"\n",
        )
        .unwrap();
        assert_eq!(
            published_ports(&service),
            [
                ("0.0.0.0".to_string(), 8000),
                ("127.0.0.1".to_string(), 5433),
                ("0.0.0.0".to_string(), 8081)
            ]
        );
    }
}
