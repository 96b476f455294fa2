//! The built-in template set, embedded in the binary, loaded into Tera.

use std::collections::HashMap;

use anyhow::{Context, Result};
use include_dir::{Dir, include_dir};
use tera::Tera;

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/default");

/// Output file and the template that renders it, in the order files are reported.
pub const OUTPUTS: &[(&str, &str)] = &[
    ("Dockerfile", "Dockerfile.tera"),
    (".dockerignore", ".dockerignore.tera"),
    ("docker-compose.yml", "docker-compose.yml.tera"),
    (".env.example", ".env.example.tera"),
    (".flaskdock.toml", ".flaskdock.toml.tera"),
];

/// Every embedded template file, by name.
pub fn builtin_files() -> impl Iterator<Item = (&'static str, &'static str)> {
    BUILTIN
        .files()
        .filter_map(|f| Some((f.path().to_str()?, f.contents_utf8()?)))
}

/// A Tera instance holding the built-in set and flaskdock's filters.
pub fn builtin() -> Result<Tera> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![]);
    let mut files: Vec<_> = builtin_files().collect();
    files.sort();
    tera.add_raw_templates(files)
        .context("a built-in template does not parse; this is a flaskdock bug, please report it")?;
    tera.register_filter("toml", toml_filter);
    Ok(tera)
}

/// `{{ value | toml }}`: the value as a TOML literal (strings quoted and escaped).
fn toml_filter(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let literal = match value {
        tera::Value::String(s) => toml::Value::String(s.clone()).to_string(),
        other => other.to_string(),
    };
    Ok(tera::Value::String(literal))
}
