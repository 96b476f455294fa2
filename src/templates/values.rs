//! Placeholder values, in the order of [`crate::precedence`] that the core
//! answers follow too: `--define`, then `--values-file` and
//! `FLASKDOCK_VALUE_<KEY>` variables (the file wins), values saved in
//! `.flaskdock.toml`, the manifest's defaults. An interactive run asks for
//! each value not given for this run, with the strongest one as default.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};

use super::manifest::{Manifest, Placeholder, PlaceholderType, validate_value};
use crate::inspect::{Source, read_text, toml_error};
use crate::precedence::{self, Layer};
use crate::prompt::Prompter;

/// Values a placeholder can take.
pub type Values = BTreeMap<String, toml::Value>;

/// Where values come from, besides prompts and defaults.
#[derive(Debug, Clone, Default)]
pub struct ValueInputs {
    /// `--define KEY=VALUE`, in order (a later one wins).
    pub defines: Vec<(String, String)>,
    /// `--values-file FILE` (TOML: `key = "value"` or `key = true`).
    pub values_file: Option<PathBuf>,
    /// `FLASKDOCK_VALUE_<KEY>` variables, with `<KEY>` as written.
    pub env: Vec<(String, String)>,
}

/// Parses `KEY=VALUE` for `--define`.
pub fn parse_define(text: &str) -> std::result::Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("`{text}` is not KEY=VALUE")),
    }
}

/// Decides every placeholder's value. `prompter` is asked only for values no
/// input gave; without one, a value with no default is an error naming the flag.
pub fn resolve_values(
    manifest: &Manifest,
    inputs: &ValueInputs,
    saved: &Values,
    mut prompter: Option<&mut dyn Prompter>,
) -> Result<Values> {
    let set = &manifest.template.name;
    let known = |key: &str, from: &str| -> Result<()> {
        if manifest.placeholders.contains_key(key) {
            return Ok(());
        }
        let names: Vec<&str> = manifest.placeholders.keys().map(String::as_str).collect();
        bail!(
            "{from}: template set `{set}` has no placeholder `{key}`; it has: {}",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        )
    };

    let mut given: BTreeMap<String, (Layer, String, String)> = BTreeMap::new();
    for (key, value) in &inputs.env {
        let key = key.to_ascii_lowercase();
        if manifest.placeholders.contains_key(&key) {
            let from = format!("FLASKDOCK_VALUE_{}", key.to_ascii_uppercase());
            given.insert(key, (Layer::Input, value.clone(), from));
        }
    }
    if let Some(path) = &inputs.values_file {
        let origin = path.display().to_string();
        let text = read_text(path)?;
        let table: toml::Table = toml::from_str(&text)
            .map_err(|err| toml_error(&origin, &text, &err, "fix the values file and run again"))?;
        for (key, value) in table {
            known(&key, &format!("`{origin}`"))?;
            let value = match value {
                toml::Value::String(s) => s,
                toml::Value::Boolean(b) => b.to_string(),
                other => bail!("`{origin}`: `{key}` is `{other}`; use a string or a boolean"),
            };
            given.insert(key, (Layer::Input, value, format!("`{origin}`")));
        }
    }
    for (key, value) in &inputs.defines {
        known(key, &format!("`--define {key}=...`"))?;
        given.insert(
            key.clone(),
            (Layer::Flag, value.clone(), format!("`--define {key}`")),
        );
    }

    let mut values = Values::new();
    for (name, placeholder) in &manifest.placeholders {
        let valid = |text: &String| validate_value(name, placeholder, text).is_ok();
        let found = precedence::strongest([
            given
                .get(name)
                .map(|(layer, text, from)| (*layer, Some((text.clone(), Source::default(from)))))
                .unwrap_or((Layer::Flag, None)),
            (
                Layer::Saved,
                saved
                    .get(name)
                    .map(as_text)
                    .filter(valid)
                    .map(|text| (text, Source::default("saved value"))),
            ),
            (
                Layer::TeamDefault,
                placeholder
                    .default
                    .as_ref()
                    .map(|d| (as_text(d), Source::default(format!("template set `{set}`")))),
            ),
        ]);
        let value = match (found, prompter.as_deref_mut()) {
            (Some(found), _) if found.given() => validate_value(name, placeholder, &found.value)
                .map_err(|err| anyhow!("{}: {err}", found.source))?,
            (found, Some(p)) => ask(p, name, placeholder, found.map(|f| f.value).as_deref())?,
            (Some(found), None) => validate_value(name, placeholder, &found.value)
                .map_err(|err| anyhow!("template set `{set}`: {err}"))?,
            (None, None) => bail!(
                "template set `{set}` needs a value for `{name}` ({}); pass `--define {name}=...`",
                placeholder.prompt
            ),
        };
        values.insert(name.clone(), value);
    }
    Ok(values)
}

fn as_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn ask(
    prompter: &mut dyn Prompter,
    name: &str,
    placeholder: &Placeholder,
    default: Option<&str>,
) -> Result<toml::Value> {
    let text = match placeholder.kind {
        PlaceholderType::Bool => {
            let items = ["yes".to_string(), "no".to_string()];
            let default = usize::from(default.is_some_and(|d| d == "false"));
            items[prompter
                .select(&placeholder.prompt, &items, default)?
                .min(1)]
            .clone()
        }
        PlaceholderType::Choice => {
            let items = &placeholder.choices;
            let default = default
                .and_then(|d| items.iter().position(|c| c == d))
                .unwrap_or(0);
            let index = prompter.select(&placeholder.prompt, items, default)?;
            items.get(index).cloned().unwrap_or_default()
        }
        PlaceholderType::String => {
            prompter.input(&placeholder.prompt, default.unwrap_or(""), &|v| {
                validate_value(name, placeholder, v).map(|_| ())
            })?
        }
    };
    validate_value(name, placeholder, &text).map_err(anyhow::Error::msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::manifest::parse_manifest;

    fn manifest() -> Manifest {
        parse_manifest(
            "[template]\nname = \"acme\"\n[placeholders.company]\nprompt = \"Company\"\nregex = \"^[a-z]+$\"\n[placeholders.make]\nprompt = \"Makefile?\"\ntype = \"bool\"\ndefault = false\n",
            "acme",
        )
        .unwrap()
    }

    #[test]
    fn define_beats_env_and_defaults_fill_the_rest() {
        let inputs = ValueInputs {
            defines: vec![("company".into(), "initech".into())],
            env: vec![("COMPANY".into(), "globex".into())],
            values_file: None,
        };
        let values = resolve_values(&manifest(), &inputs, &Values::new(), None).unwrap();
        assert_eq!(values["company"], toml::Value::String("initech".into()));
        assert_eq!(values["make"], toml::Value::Boolean(false));
    }

    #[test]
    fn a_missing_value_names_the_flag_and_a_bad_one_the_placeholder() {
        let err = resolve_values(&manifest(), &ValueInputs::default(), &Values::new(), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("pass `--define company=...`"), "{err}");

        let inputs = ValueInputs {
            defines: vec![("company".into(), "Big Co".into())],
            ..ValueInputs::default()
        };
        let err = resolve_values(&manifest(), &inputs, &Values::new(), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("placeholder `company` must match"), "{err}");

        let typo = ValueInputs {
            defines: vec![("compnay".into(), "x".into())],
            ..ValueInputs::default()
        };
        let err = resolve_values(&manifest(), &typo, &Values::new(), None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no placeholder `compnay`; it has: company, make"),
            "{err}"
        );
    }

    #[test]
    fn saved_values_are_used_without_prompts() {
        let saved = Values::from([("company".to_string(), toml::Value::String("acme".into()))]);
        let values = resolve_values(&manifest(), &ValueInputs::default(), &saved, None).unwrap();
        assert_eq!(values["company"], toml::Value::String("acme".into()));
    }
}
