//! Fills every value the plan needs, in order of precedence: flags, saved
//! answers (`.flaskdock.toml`), what inspection found, prompts, defaults.
//! All prompting goes through [`Prompter`], so everything else stays pure.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

use crate::inspect::{CURRENT_STABLE_PYTHON, Project, Source};
use crate::prompt::Prompter;
use crate::safe::PythonVersion;
use crate::services::DbChoice;
use crate::templates::TemplateSpec;
use crate::templates::values::Values;

/// Name of the file that records the answers.
pub const SETTINGS_FILE: &str = ".flaskdock.toml";

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
        }
    }
}

/// What `.flaskdock.toml` holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The template set the files came from.
    #[serde(default)]
    pub template: SavedTemplate,
    /// The set's placeholder values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: Values,
    #[serde(default)]
    pub answers: SavedAnswers,
    /// SHA-256 of each file as flaskdock last wrote it, by path.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
}

/// `template = "builtin"` (written before team sets existed) or a `[template]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SavedTemplate {
    Name(String),
    Spec(TemplateSpec),
}

impl Default for SavedTemplate {
    fn default() -> Self {
        SavedTemplate::Spec(TemplateSpec::builtin())
    }
}

impl SavedTemplate {
    pub fn spec(&self) -> TemplateSpec {
        match self {
            SavedTemplate::Name(source) => TemplateSpec {
                source: source.clone(),
                ..TemplateSpec::default()
            },
            SavedTemplate::Spec(spec) => spec.clone(),
        }
    }
}

/// Answers saved by an earlier run: the same optional values as the flags.
pub type SavedAnswers = Flags;

/// Reads `.flaskdock.toml` from `dir`, if there is one, with its text.
pub fn read_settings(dir: &Path) -> Result<Option<(Settings, String)>> {
    let path = dir.join(SETTINGS_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let text = crate::inspect::read_text(&path)?;
    let settings = toml::from_str(&text).map_err(|err| {
        crate::inspect::toml_error(
            &path.display().to_string(),
            &text,
            &err,
            "fix it or delete it to start over",
        )
    })?;
    Ok(Some((settings, text)))
}

/// SHA-256 of a file's text, as `.flaskdock.toml` records it.
pub fn file_hash(contents: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(contents.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The text of `.flaskdock.toml` recording this run.
pub fn settings_text(project_name: &str, settings: &Settings) -> String {
    let body = toml::to_string(settings).expect("settings serialize to TOML");
    format!(
        "# flaskdock settings for {project_name}.\n\
         # `flaskdock init --yes` re-generates the Docker files from these answers;\n\
         # `flaskdock init --check` exits 1 when the files on disk have drifted.\n\
         # [files] holds each file's SHA-256 as flaskdock last wrote it: a file edited\n\
         # since is never overwritten without `--force`.\n\n{body}"
    )
}

/// A value found before prompting, where it came from, and whether a flag set it.
struct Found<T> {
    value: T,
    source: Source,
    from_flag: bool,
}

/// Picks the first of: flag, saved answer, detected fact; else the default.
fn found<T: Clone>(
    flag: Option<&T>,
    saved: Option<&T>,
    detected: Option<(T, Source)>,
    default: Option<(T, &str)>,
) -> Option<Found<T>> {
    if let Some(v) = flag {
        return Some(Found {
            value: v.clone(),
            source: Source::default("command line"),
            from_flag: true,
        });
    }
    if let Some(v) = saved {
        let source = Source::file(SETTINGS_FILE).with_note("saved answer");
        return Some(Found {
            value: v.clone(),
            source,
            from_flag: false,
        });
    }
    if let Some((value, source)) = detected {
        return Some(Found {
            value,
            source,
            from_flag: false,
        });
    }
    default.map(|(value, why)| Found {
        value,
        source: Source::default(why),
        from_flag: false,
    })
}

/// The source of a value the user typed or picked.
fn asked() -> Source {
    Source::default("answered at the prompt")
}

/// Asks for a value unless a flag gave it; the answer keeps the found
/// value's source when the user accepts it.
fn ask(
    prompter: &mut Option<&mut dyn Prompter>,
    found: Found<String>,
    question: &str,
    validate: &dyn Fn(&str) -> Result<(), String>,
) -> Result<(String, Source)> {
    match prompter.as_deref_mut() {
        Some(p) if !found.from_flag => {
            let answer = p.input(question, &found.value, validate)?;
            let source = if answer == found.value {
                found.source
            } else {
                asked()
            };
            Ok((answer, source))
        }
        _ => Ok((found.value, found.source)),
    }
}

/// Resolves every answer. With `prompter` set, asks for each value not given
/// by a flag, with the found one as default; without it, never asks and fails
/// naming the flag when a value cannot be found.
pub fn resolve(
    project: &Project,
    flags: &Flags,
    saved: Option<&SavedAnswers>,
    mut prompter: Option<&mut dyn Prompter>,
) -> Result<Answers> {
    let saved = saved.cloned().unwrap_or_default();
    let mut sources = Vec::new();

    let python = found(
        flags.python.as_ref(),
        saved.python.as_ref(),
        project
            .python_version
            .as_ref()
            .map(|f| (f.value, f.source.clone())),
        Some((
            CURRENT_STABLE_PYTHON,
            "nothing declared: current stable Python",
        )),
    )
    .expect("python has a default");
    let port = found(
        flags.port.as_ref(),
        saved.port.as_ref(),
        project.port.as_ref().map(|f| (f.value, f.source.clone())),
        Some((8000, "gunicorn's usual port")),
    )
    .expect("port has a default");
    let entry = found(
        flags.entry.as_ref(),
        saved.entry.as_ref(),
        project
            .entry()
            .map(|e| (e.target.clone(), e.source.clone())),
        None,
    );
    let detected_db = project
        .database
        .as_ref()
        .map(|f| (DbChoice(Some(f.value)), f.source.clone()));
    let db = found(
        flags.db.as_ref(),
        saved.db.as_ref(),
        detected_db,
        Some((DbChoice::NONE, "no database driver found")),
    )
    .expect("db has a default");

    let python = Found {
        value: python.value.to_string(),
        source: python.source,
        from_flag: python.from_flag,
    };
    let (python, python_source) = ask(&mut prompter, python, "Python version", &|v| {
        v.parse::<PythonVersion>().map(|_| ())
    })?;
    let python: PythonVersion = python.parse().map_err(anyhow::Error::msg)?;
    let port = Found {
        value: port.value.to_string(),
        source: port.source,
        from_flag: port.from_flag,
    };
    let (port, port_source) = ask(&mut prompter, port, "Port the app listens on", &|v| {
        validate_port(v).map(|_| ())
    })?;
    let port = validate_port(&port).map_err(anyhow::Error::msg)?;
    let entry_found = entry.unwrap_or(Found {
        value: String::new(),
        source: asked(),
        from_flag: false,
    });
    // Several targets found: pick from them, best first, or type another.
    let mut targets: Vec<String> = project.entries.iter().map(|e| e.target.clone()).collect();
    if !targets.contains(&entry_found.value) && !entry_found.value.is_empty() {
        targets.insert(0, entry_found.value.clone());
    }
    let choose = targets.len() > 1 && !entry_found.from_flag;
    let (entry, entry_source) = match prompter.as_deref_mut() {
        Some(p) if choose => {
            let default = targets
                .iter()
                .position(|t| *t == entry_found.value)
                .unwrap_or(0);
            let mut items = targets.clone();
            items.push("another target...".to_string());
            match p.select("WSGI target for gunicorn", &items, default)? {
                i if i < targets.len() && i == default => (targets[i].clone(), entry_found.source),
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
        _ => ask(
            &mut prompter,
            entry_found,
            "WSGI target for gunicorn",
            &|v| validate_entry(v),
        )?,
    };
    if entry.is_empty() {
        bail!(
            "no Flask app found in `{}`; pass the WSGI target with `--entry module:app` (or `--entry \"package:create_app()\"`)",
            project.root
        );
    }
    let (db, db_source) = match prompter {
        Some(p) if !db.from_flag => {
            let all = DbChoice::all();
            let choices: Vec<String> = all.iter().map(|c| c.to_string()).collect();
            let default = all.iter().position(|c| *c == db.value).unwrap_or(0);
            let answer = all
                .get(p.select("Database service", &choices, default)?)
                .copied()
                .unwrap_or(DbChoice::NONE);
            let source = if answer == db.value {
                db.source
            } else {
                asked()
            };
            (answer, source)
        }
        _ => (db.value, db.source),
    };

    validate_entry(&entry).map_err(anyhow::Error::msg)?;
    sources.push(("python".to_string(), python_source));
    sources.push(("port".to_string(), port_source));
    sources.push(("entry".to_string(), entry_source));
    sources.push(("db".to_string(), db_source));
    let migrate = found(
        flags.migrate.as_ref(),
        saved.migrate.as_ref(),
        project
            .migrations
            .as_ref()
            .map(|m| (true, m.source.clone())),
        Some((false, "no migrations found")),
    )
    .expect("migrate has a default");
    sources.push(("migrate".to_string(), migrate.source));
    Ok(Answers {
        python,
        port,
        entry,
        db,
        migrate: migrate.value,
        sources,
    })
}

pub fn validate_port(value: &str) -> Result<u16, String> {
    match value.trim().parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(format!(
            "invalid port `{value}`; use a number from 1 to 65535"
        )),
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
    if module.split('.').all(ident) && ident(object_name) && call_ok {
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
        assert!(validate_entry("my-app:app").is_err());
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
