//! `.flaskdock.toml`: the record of a run, read and written here only. It
//! holds the template set, its placeholder values, the answers, and the
//! SHA-256 of each file as flaskdock last wrote it.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::answers::{Answers, SavedAnswers};
use crate::templates::values::Values;
use crate::templates::{TeamSet, TemplateSpec};
use crate::write::RenderedFile;
pub use crate::write::file_hash;

/// Name of the file that records the answers.
pub const SETTINGS_FILE: &str = ".flaskdock.toml";

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

impl Settings {
    /// The record of a run that rendered `files` from `team` (the built-in
    /// set when `None`) with `values` and `answers`.
    pub fn record(
        team: Option<&TeamSet>,
        values: &Values,
        answers: &Answers,
        files: &[RenderedFile],
    ) -> Settings {
        Settings {
            template: SavedTemplate::Spec(
                team.map_or_else(TemplateSpec::builtin, |t| t.spec.clone()),
            ),
            values: values.clone(),
            answers: answers.to_flags(),
            files: files
                .iter()
                .map(|f| (f.path.clone(), file_hash(&f.contents)))
                .collect(),
        }
    }

    /// `.flaskdock.toml` as a file to write with the others.
    pub fn to_file(&self, project_name: &str) -> RenderedFile {
        RenderedFile {
            path: SETTINGS_FILE.to_string(),
            contents: settings_text(project_name, self),
        }
    }
}
