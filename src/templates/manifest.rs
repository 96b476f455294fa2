//! `flaskdock-template.toml`: what a template set is called, the values it
//! needs, and when its files are rendered.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

use crate::answers::TeamDefaults;
use crate::inspect::toml_error;

/// File name of a set's manifest.
pub const MANIFEST_FILE: &str = "flaskdock-template.toml";

/// A parsed manifest.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub template: TemplateInfo,
    /// Values the set needs, by name; templates see them as `values.NAME`.
    #[serde(default)]
    pub placeholders: BTreeMap<String, Placeholder>,
    /// File of the set -> Tera expression; the file is rendered only when it is true.
    #[serde(default)]
    pub conditions: BTreeMap<String, String>,
    /// The team's defaults for the core answers (`python`, `port`, `db`,
    /// `migrate`): stronger than what inspection finds, weaker than a flag
    /// or a saved answer.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub defaults: TeamDefaults,
}

fn is_empty(defaults: &TeamDefaults) -> bool {
    *defaults == TeamDefaults::default()
}

/// `[template]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateInfo {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Oldest flaskdock that can render the set (semver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_flaskdock_version: Option<String>,
}

/// The kind of a placeholder's value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaceholderType {
    #[default]
    String,
    Bool,
    Choice,
}

/// `[placeholders.NAME]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Placeholder {
    /// The question asked in interactive mode.
    pub prompt: String,
    #[serde(default, rename = "type")]
    pub kind: PlaceholderType,
    /// Used when nothing else gives a value (a string, or a bool for `bool`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<toml::Value>,
    /// The allowed values of a `choice`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// A regular expression a `string` value must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
}

/// Parses a manifest's text; `origin` names it in errors (`acme/flaskdock-template.toml`).
pub fn parse_manifest(text: &str, origin: &str) -> Result<Manifest> {
    let manifest: Manifest = toml::from_str(text)
        .map_err(|err| toml_error(origin, text, &err, "fix the manifest and run again"))?;
    if manifest.template.name.trim().is_empty() {
        bail!("`{origin}`: `[template] name` is empty; give the set a name");
    }
    if let Some(min) = &manifest.template.min_flaskdock_version {
        let min = semver::Version::parse(min).map_err(|err| {
            anyhow::anyhow!(
                "`{origin}`: min_flaskdock_version `{min}` is not a version ({err}); write it like `0.3.0`"
            )
        })?;
        let ours =
            semver::Version::parse(env!("CARGO_PKG_VERSION")).expect("our version is semver");
        if ours < min {
            bail!(
                "template set `{}` needs flaskdock {min} or newer, and this is {ours}; upgrade flaskdock",
                manifest.template.name
            );
        }
    }
    for (name, placeholder) in &manifest.placeholders {
        check_placeholder(name, placeholder, origin)?;
    }
    if manifest.defaults.entry.is_some() {
        bail!(
            "`{origin}`: `[defaults] entry` is not a team default (the WSGI target names a module of one project); remove it and pass `--entry` instead"
        );
    }
    if manifest.defaults.port == Some(0) {
        bail!("`{origin}`: `[defaults] port` is 0; use a number from 1 to 65535");
    }
    Ok(manifest)
}

fn check_placeholder(name: &str, placeholder: &Placeholder, origin: &str) -> Result<()> {
    let valid_name = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !valid_name {
        bail!(
            "`{origin}`: placeholder `{name}` must be letters, digits and `_` (templates use it as `values.{name}`)"
        );
    }
    match placeholder.kind {
        PlaceholderType::Choice if placeholder.choices.is_empty() => {
            bail!("`{origin}`: placeholder `{name}` is a choice with no `choices`; list them")
        }
        _ => {}
    }
    if let Some(regex) = &placeholder.regex {
        regex::Regex::new(regex).map_err(|err| {
            anyhow::anyhow!("`{origin}`: placeholder `{name}` has a bad regex: {err}")
        })?;
    }
    if let Some(default) = &placeholder.default {
        let text = match default {
            toml::Value::String(s) => s.clone(),
            toml::Value::Boolean(b) => b.to_string(),
            other => bail!(
                "`{origin}`: placeholder `{name}` has default `{other}`; use a string or a boolean"
            ),
        };
        validate_value(name, placeholder, &text).map_err(|err| {
            anyhow::anyhow!("`{origin}`: the default of placeholder `{name}` is invalid: {err}")
        })?;
    }
    Ok(())
}

/// Checks `text` against the placeholder and returns the typed value.
pub fn validate_value(
    name: &str,
    placeholder: &Placeholder,
    text: &str,
) -> std::result::Result<toml::Value, String> {
    match placeholder.kind {
        PlaceholderType::Bool => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Ok(toml::Value::Boolean(true)),
            "false" | "no" | "n" | "0" => Ok(toml::Value::Boolean(false)),
            _ => Err(format!(
                "placeholder `{name}` is a bool, and `{text}` is not one; use true or false"
            )),
        },
        PlaceholderType::Choice => {
            if placeholder.choices.iter().any(|c| c == text) {
                Ok(toml::Value::String(text.to_string()))
            } else {
                Err(format!(
                    "placeholder `{name}` must be one of {}, not `{text}`",
                    placeholder
                        .choices
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        }
        PlaceholderType::String => {
            if let Some(pattern) = &placeholder.regex {
                let regex = regex::Regex::new(pattern).map_err(|err| err.to_string())?;
                if !regex.is_match(text) {
                    return Err(format!(
                        "placeholder `{name}` must match `{pattern}`, and `{text}` does not"
                    ));
                }
            }
            Ok(toml::Value::String(text.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACME: &str = r#"
[template]
name = "acme"
description = "ACME's Flask images"
min_flaskdock_version = "0.1.0"

[placeholders.company]
prompt = "Company slug"
default = "acme"
regex = "^[a-z]+$"

[placeholders.make]
prompt = "Add a Makefile?"
type = "bool"
default = true

[placeholders.tier]
prompt = "Tier"
type = "choice"
choices = ["gold", "silver"]

[conditions]
"Makefile.tera" = "values.make"
"#;

    #[test]
    fn parses_the_documented_manifest() {
        let manifest = parse_manifest(ACME, "acme").unwrap();
        assert_eq!(manifest.template.name, "acme");
        assert_eq!(manifest.placeholders.len(), 3);
        assert_eq!(manifest.placeholders["make"].kind, PlaceholderType::Bool);
        assert_eq!(manifest.conditions["Makefile.tera"], "values.make");
    }

    #[test]
    fn refuses_newer_sets_and_bad_placeholders() {
        let newer = ACME.replace("0.1.0", "99.0.0");
        let err = parse_manifest(&newer, "acme").unwrap_err().to_string();
        assert!(err.contains("needs flaskdock 99.0.0 or newer"), "{err}");

        let unknown = format!("{ACME}\n[extra]\nx = 1\n");
        let err = format!("{:#}", parse_manifest(&unknown, "m.toml").unwrap_err());
        assert!(err.contains("m.toml") && err.contains("line"), "{err}");

        let bad_default = ACME.replace("default = \"acme\"", "default = \"ACME\"");
        let err = parse_manifest(&bad_default, "m").unwrap_err().to_string();
        assert!(err.contains("default of placeholder `company`"), "{err}");
    }

    #[test]
    fn validates_values_by_type() {
        let manifest = parse_manifest(ACME, "acme").unwrap();
        let p = &manifest.placeholders;
        assert_eq!(
            validate_value("make", &p["make"], "no"),
            Ok(toml::Value::Boolean(false))
        );
        assert!(validate_value("make", &p["make"], "maybe").is_err());
        assert!(
            validate_value("tier", &p["tier"], "bronze")
                .unwrap_err()
                .contains("`gold`")
        );
        assert!(validate_value("company", &p["company"], "Acme Inc").is_err());
        assert_eq!(
            validate_value("company", &p["company"], "initech"),
            Ok(toml::Value::String("initech".into()))
        );
    }
}
