//! Fills every core answer the plan needs (Python, port, WSGI target,
//! database, migrations) in the order of [`crate::precedence`]: flags, saved
//! answers (`.flaskdock.toml`), the team set's `[defaults]`, what inspection
//! found, flaskdock's defaults; prompts offer the value found. All prompting
//! goes through [`Prompter`], so everything else stays pure.

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

use crate::inspect::{CURRENT_STABLE_PYTHON, Project, Source};
use crate::precedence::{self, Found, Layer};
use crate::prompt::Prompter;
use crate::safe::{DnsName, PythonVersion};
use crate::services::DbChoice;

/// Values given on the command line, or saved in `.flaskdock.toml` by an
/// earlier run; `None` means not given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flags {
    pub python: Option<PythonVersion>,
    pub port: Option<u16>,
    pub entry: Option<String>,
    pub db: Option<DbChoice>,
    /// `--migrate` / `--no-migrate`.
    pub migrate: Option<bool>,
    /// `--health-path`: what the HEALTHCHECK requests.
    pub health_path: Option<String>,
    /// `--kubernetes` / `--no-kubernetes`: write the Kustomize tree under `k8s/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<bool>,
    /// `--ingress-host`: the Ingress's host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress_host: Option<DnsName>,
}

/// The answers to every question, with where each came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answers {
    pub python: PythonVersion,
    pub port: u16,
    pub entry: String,
    pub db: DbChoice,
    /// Run the project's migrations before gunicorn starts.
    pub migrate: bool,
    /// The path the image's HEALTHCHECK requests (`/healthz`).
    pub health_path: String,
    /// Write Kubernetes manifests under `k8s/` too.
    pub kubernetes: bool,
    /// The Ingress host, when one was given.
    pub ingress_host: Option<DnsName>,
    /// Where each answer came from, by question name.
    pub sources: Vec<(String, Source)>,
}

impl Answers {
    /// The answers as `.flaskdock.toml` records them.
    pub fn to_flags(&self) -> SavedAnswers {
        Flags {
            python: Some(self.python),
            port: Some(self.port),
            entry: Some(self.entry.clone()),
            db: Some(self.db),
            migrate: Some(self.migrate),
            health_path: Some(self.health_path.clone()),
            kubernetes: Some(self.kubernetes),
            ingress_host: self.ingress_host.clone(),
        }
    }
}

/// Answers saved by an earlier run: the same optional values as the flags.
pub type SavedAnswers = Flags;

/// A team set's `[defaults]` for the core answers: the same optional
/// values as the flags, but `entry`, which names a module of one project.
pub type TeamDefaults = Flags;

/// Where the answers can come from besides inspection and prompts, in
/// [`precedence`] order.
#[derive(Debug, Clone, Copy)]
pub struct Given<'a> {
    pub flags: &'a Flags,
    /// `[answers]` of `.flaskdock.toml`.
    pub saved: Option<FromFile<'a>>,
    /// The team set's `[defaults]`.
    pub team: Option<FromFile<'a>>,
}

/// Answers read from a file, and its name for the report.
#[derive(Debug, Clone, Copy)]
pub struct FromFile<'a> {
    pub answers: &'a Flags,
    pub file: &'a str,
}

impl<'a> Given<'a> {
    /// Only `flags`: no saved answers, no team set.
    pub fn flags(flags: &'a Flags) -> Given<'a> {
        Given {
            flags,
            saved: None,
            team: None,
        }
    }

    /// The strongest of the flag, the saved answer, the team default (each
    /// read with `field`), the `detected` fact and the built-in `default`.
    fn pick<T: Clone>(
        &self,
        field: impl Fn(&Flags) -> Option<&T>,
        detected: Option<(T, Source)>,
        default: Option<(T, &str)>,
    ) -> Option<Found<T>> {
        let from = |file: Option<FromFile>, note: &str| {
            let file = file?;
            let source = Source::file(file.file).with_note(note);
            field(file.answers).map(|v| (v.clone(), source))
        };
        precedence::strongest([
            (
                Layer::Flag,
                field(self.flags).map(|v| (v.clone(), Source::default("command line"))),
            ),
            (Layer::Saved, from(self.saved, "saved answer")),
            (Layer::TeamDefault, from(self.team, "team default")),
            (Layer::Detected, detected),
            (
                Layer::Builtin,
                default.map(|(value, why)| (value, Source::default(why))),
            ),
        ])
    }
}

/// The source of a value the user typed or picked.
fn asked() -> Source {
    Source::default("answered at the prompt")
}

/// `answer` with its source: the found value's when the user kept it.
fn kept_or_asked<T: PartialEq>(found: Found<T>, answer: T) -> (T, Source) {
    let source = if answer == found.value {
        found.source
    } else {
        asked()
    };
    (answer, source)
}

/// Asks for a value unless the user gave it for this run; the answer keeps
/// the found value's source when the user accepts it.
fn ask(
    prompter: &mut Option<&mut dyn Prompter>,
    found: Found<String>,
    question: &str,
    validate: &dyn Fn(&str) -> Result<(), String>,
) -> Result<(String, Source)> {
    match prompter.as_deref_mut() {
        Some(p) if !found.given() => {
            let answer = p.input(question, &found.value, validate)?;
            Ok(kept_or_asked(found, answer))
        }
        _ => Ok((found.value, found.source)),
    }
}

/// Resolves every answer, each in the [`precedence`] order. With `prompter`
/// set, asks for each value the user did not give for this run, with the
/// found one as default; without it, never asks and fails naming the flag
/// when a value cannot be found.
pub fn resolve(
    project: &Project,
    given: &Given,
    mut prompter: Option<&mut dyn Prompter>,
) -> Result<Answers> {
    let detected_python = project
        .python_version
        .as_ref()
        .map(|f| (f.value, f.source.clone()));
    let python = given
        .pick(
            |f| f.python.as_ref(),
            detected_python,
            Some((
                CURRENT_STABLE_PYTHON,
                "nothing declared: current stable Python",
            )),
        )
        .expect("python has a default")
        .map(|v| v.to_string());
    let (python, python_source) = ask(&mut prompter, python, "Python version", &|v| {
        v.parse::<PythonVersion>().map(|_| ())
    })?;
    let python: PythonVersion = python.parse().map_err(anyhow::Error::msg)?;

    let detected_port = project.port.as_ref().map(|f| (f.value, f.source.clone()));
    let port = given
        .pick(
            |f| f.port.as_ref(),
            detected_port,
            Some((8000, "gunicorn's usual port")),
        )
        .expect("port has a default")
        .map(|v| v.to_string());
    let (port, port_source) = ask(&mut prompter, port, "Port the app listens on", &|v| {
        validate_port(v).map(|_| ())
    })?;
    let port = validate_port(&port).map_err(anyhow::Error::msg)?;

    let (entry, entry_source) = resolve_entry(project, given, &mut prompter)?;
    let (db, db_source) = resolve_db(project, given, &mut prompter)?;
    let migrate = given
        .pick(
            |f| f.migrate.as_ref(),
            project
                .migrations
                .as_ref()
                .map(|m| match &project.migrations_need_tables {
                    // They cannot start from an empty database.
                    Some(need) => (false, need.source.clone()),
                    None => (true, m.source.clone()),
                }),
            Some((false, "no migrations found")),
        )
        .expect("migrate has a default");
    let health_path = given
        .pick(
            |f| f.health_path.as_ref(),
            project
                .health_path
                .as_ref()
                .map(|p| (p.value.clone(), p.source.clone())),
            Some(("/".to_string(), "no health route found: the home page")),
        )
        .expect("the health path has a default");
    validate_health_path(&health_path.value).map_err(anyhow::Error::msg)?;
    let (kubernetes, kubernetes_source) = resolve_kubernetes(given, &mut prompter)?;
    let ingress_host = given.pick(|f| f.ingress_host.as_ref(), None, None);
    Ok(Answers {
        python,
        port,
        entry,
        db,
        migrate: migrate.value,
        health_path: health_path.value,
        kubernetes,
        ingress_host: ingress_host.as_ref().map(|h| h.value.clone()),
        sources: vec![
            ("python".to_string(), python_source),
            ("port".to_string(), port_source),
            ("entry".to_string(), entry_source),
            ("db".to_string(), db_source),
            ("migrate".to_string(), migrate.source),
            ("health_path".to_string(), health_path.source),
            ("kubernetes".to_string(), kubernetes_source),
        ]
        .into_iter()
        .chain(ingress_host.map(|h| ("ingress_host".to_string(), h.source)))
        .collect(),
    })
}

/// Whether to write Kubernetes manifests: asked (no by default) unless given.
fn resolve_kubernetes(
    given: &Given,
    prompter: &mut Option<&mut dyn Prompter>,
) -> Result<(bool, Source)> {
    let found = given
        .pick(
            |f| f.kubernetes.as_ref(),
            None,
            Some((false, "not asked for (--kubernetes)")),
        )
        .expect("kubernetes has a default");
    match prompter.as_deref_mut() {
        Some(p) if !found.given() => {
            let items = ["no".to_string(), "yes".to_string()];
            let answer = p.select(
                "Kubernetes manifests too (k8s/)",
                &items,
                usize::from(found.value),
            )? == 1;
            Ok(kept_or_asked(found, answer))
        }
        _ => Ok((found.value, found.source)),
    }
}

/// The WSGI target. Several found: the prompt picks from them, best first,
/// or takes another.
fn resolve_entry(
    project: &Project,
    given: &Given,
    prompter: &mut Option<&mut dyn Prompter>,
) -> Result<(String, Source)> {
    let detected = project
        .entry()
        .map(|e| (e.target.clone(), e.source.clone()));
    let found = given
        .pick(|f| f.entry.as_ref(), detected, None)
        .unwrap_or(Found {
            value: String::new(),
            source: asked(),
            layer: Layer::Builtin,
        });
    let mut targets: Vec<String> = project.entries.iter().map(|e| e.target.clone()).collect();
    if !targets.contains(&found.value) && !found.value.is_empty() {
        targets.insert(0, found.value.clone());
    }
    let (entry, source) = match prompter.as_deref_mut() {
        Some(p) if targets.len() > 1 && !found.given() => {
            let default = targets.iter().position(|t| *t == found.value).unwrap_or(0);
            let mut items = targets.clone();
            items.push("another target...".to_string());
            match p.select("WSGI target for gunicorn", &items, default)? {
                i if i < targets.len() && i == default => (targets[i].clone(), found.source),
                i if i < targets.len() => {
                    let source = project
                        .entries
                        .iter()
                        .find(|e| e.target == targets[i])
                        .map_or_else(asked, |e| e.source.clone());
                    (targets[i].clone(), source)
                }
                _ => (
                    p.input("WSGI target (module:object)", "", &|v| validate_entry(v))?,
                    asked(),
                ),
            }
        }
        _ => ask(prompter, found, "WSGI target for gunicorn", &|v| {
            validate_entry(v)
        })?,
    };
    // Inspection's reason, when it saw one (a Dash app that names no server).
    let reason = project
        .warnings
        .iter()
        .find(|w| w.ends_with(crate::inspect::ENTRY_REASON_END));
    if let (true, Some(reason)) = (entry.is_empty(), reason) {
        bail!(
            "no Flask app found in `{}`: {}",
            project.root,
            crate::safe::escaped(reason)
        );
    }
    if entry.is_empty() {
        bail!(
            "no Flask app found in `{}`; pass the WSGI target with `--entry module:app` (or `--entry \"package:create_app()\"`)",
            project.root
        );
    }
    validate_entry(&entry).map_err(anyhow::Error::msg)?;
    Ok((entry, source))
}

/// The database service: the driver or URL found, else none.
fn resolve_db(
    project: &Project,
    given: &Given,
    prompter: &mut Option<&mut dyn Prompter>,
) -> Result<(DbChoice, Source)> {
    let detected = project
        .database
        .as_ref()
        .map(|f| (DbChoice(Some(f.value)), f.source.clone()));
    let found = given
        .pick(
            |f| f.db.as_ref(),
            detected,
            Some((DbChoice::NONE, "no database driver found")),
        )
        .expect("db has a default");
    match prompter {
        Some(p) if !found.given() => {
            let all = DbChoice::all();
            let choices: Vec<String> = all.iter().map(|c| c.to_string()).collect();
            let default = all.iter().position(|c| *c == found.value).unwrap_or(0);
            let answer = all
                .get(p.select("Database service", &choices, default)?)
                .copied()
                .unwrap_or(DbChoice::NONE);
            Ok(kept_or_asked(found, answer))
        }
        _ => Ok((found.value, found.source)),
    }
}

pub fn validate_port(value: &str) -> Result<u16, String> {
    match value.trim().parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(format!(
            "invalid port `{value}`; use a number from 1 to 65535"
        )),
    }
}

/// A URL path for the HEALTHCHECK: `/` then URL path characters only.
pub fn validate_health_path(value: &str) -> Result<(), String> {
    if crate::safe::is_url_path(value) {
        Ok(())
    } else {
        Err(format!(
            "invalid health path `{}`; use a URL path such as /healthz",
            crate::safe::escaped(value)
        ))
    }
}

/// `module.sub:name` or `module:factory(...)`.
pub fn validate_entry(value: &str) -> Result<(), String> {
    let err = || {
        Err(format!(
            "invalid WSGI target `{value}`; use `module:app` or `package:create_app()`"
        ))
    };
    let Some((module, object)) = value.split_once(':') else {
        return err();
    };
    let ident = |s: &str| {
        let mut c = s.chars();
        c.next().is_some_and(|f| f.is_alphabetic() || f == '_')
            && c.all(|c| c.is_alphanumeric() || c == '_')
    };
    let object_name = object.split('(').next().unwrap_or(object);
    let call_ok = (!object.contains('(') || object.ends_with(')'))
        && !object.chars().any(crate::safe::is_unsafe_char);
    if module.split('.').all(crate::safe::is_module_part) && ident(object_name) && call_ok {
        Ok(())
    } else {
        err()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_targets() {
        assert!(validate_entry("app:app").is_ok());
        assert!(validate_entry("shop.wsgi:application").is_ok());
        assert!(validate_entry("flaskr:create_app()").is_ok());
        assert!(validate_entry("flaskr:create_app('prod')").is_ok());
        assert!(validate_entry("app").is_err());
        assert!(validate_entry("rest-server:app").is_ok());
        assert!(validate_entry("-app:app").is_err());
        assert!(validate_entry("app:my-app").is_err());
        assert!(validate_entry("app:create_app(").is_err());
        assert!(validate_entry("app:create_app('\u{1b}[2J')").is_err());
    }

    #[test]
    fn validates_python_and_port() {
        assert!("3.12".parse::<PythonVersion>().is_ok());
        assert!("3.12.1".parse::<PythonVersion>().is_err());
        assert!("2.7".parse::<PythonVersion>().is_err());
        assert_eq!(validate_port("8080"), Ok(8080));
        assert!(validate_port("0").is_err());
        assert!(validate_port("70000").is_err());
    }
}
