//! Template sets: the built-in one, embedded in the binary, and team sets
//! loaded from a folder or a git repository. Both reach Tera the same way.

pub mod encode;
pub mod limits;
pub mod manifest;
pub mod set;
pub mod values;

use std::collections::HashMap;

use anyhow::{Context, Result};
use include_dir::{Dir, include_dir};
use tera::Tera;

pub use set::{BUILTIN, TeamSet, TemplateSpec};

static BUILTIN_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/default");

/// Name prefix of the built-in templates inside Tera: a team file can
/// `{% extends "builtin/Dockerfile.tera" %}`.
pub const BUILTIN_PREFIX: &str = "builtin/";

/// Output file and the built-in template that renders it, in the order files are reported.
pub const OUTPUTS: &[(&str, &str)] = &[
    ("Dockerfile", "Dockerfile.tera"),
    (".dockerignore", ".dockerignore.tera"),
    ("docker-compose.yml", "docker-compose.yml.tera"),
    (".env.example", ".env.example.tera"),
    ("README.Docker.md", "README.Docker.md.tera"),
];

/// Where the built-in set keeps the Kubernetes templates.
const KUBERNETES_FOLDER: &str = "k8s/";

/// The Kustomize tree `--kubernetes` adds: output file, built-in template,
/// and the Tera condition on the Plan under which it is written (an ejected
/// set keeps these as its `[conditions]`).
pub const KUBERNETES_OUTPUTS: &[(&str, &str, &str)] = &[
    ("k8s/.gitignore", "k8s/.gitignore.tera", "kubernetes"),
    (
        "k8s/base/kustomization.yaml",
        "k8s/base/kustomization.yaml.tera",
        "kubernetes",
    ),
    (
        "k8s/base/namespace.yaml",
        "k8s/base/namespace.yaml.tera",
        "kubernetes",
    ),
    ("k8s/base/app.yaml", "k8s/base/app.yaml.tera", "kubernetes"),
    (
        "k8s/base/ingress.yaml",
        "k8s/base/ingress.yaml.tera",
        "kubernetes",
    ),
    (
        "k8s/base/network-policy.yaml",
        "k8s/base/network-policy.yaml.tera",
        "kubernetes",
    ),
    (
        "k8s/base/config.env",
        "k8s/base/config.env.tera",
        "kubernetes",
    ),
    (
        "k8s/overlays/dev/kustomization.yaml",
        "k8s/overlays/dev/kustomization.yaml.tera",
        "kubernetes",
    ),
    (
        "k8s/overlays/dev/secrets.env.example",
        "k8s/overlays/dev/secrets.env.example.tera",
        "kubernetes",
    ),
    (
        "k8s/overlays/dev/services.yaml",
        "k8s/overlays/dev/services.yaml.tera",
        "kubernetes and (database or redis)",
    ),
    (
        "k8s/overlays/prod/kustomization.yaml",
        "k8s/overlays/prod/kustomization.yaml.tera",
        "kubernetes",
    ),
    (
        "k8s/overlays/prod/secrets.env.example",
        "k8s/overlays/prod/secrets.env.example.tera",
        "kubernetes",
    ),
];

/// Every embedded template file, by its path in the set (`Dockerfile.tera`,
/// `k8s/base/web.yaml.tera`).
pub fn builtin_files() -> impl Iterator<Item = (&'static str, &'static str)> {
    fn walk(dir: &'static Dir<'static>, out: &mut Vec<(&'static str, &'static str)>) {
        out.extend(
            dir.files()
                .filter_map(|f| Some((f.path().to_str()?, f.contents_utf8()?))),
        );
        for sub in dir.dirs() {
            walk(sub, out);
        }
    }
    let mut files = Vec::new();
    walk(&BUILTIN_DIR, &mut files);
    files.into_iter()
}

/// The manifest `flaskdock template eject` writes beside the built-in files.
pub fn ejected_manifest() -> String {
    format!(
        "# A copy of flaskdock's built-in template set. Edit the files, or replace a\n\
         # file's body with `{{% extends \"builtin/<file>\" %}}` and override its blocks.\n\
         [template]\n\
         name = \"custom\"\n\
         description = \"flaskdock's built-in set, ejected\"\n\
         min_flaskdock_version = \"{}\"\n\n\
         # Values the set asks for; templates see them as `values.NAME`.\n\
         # [placeholders.company]\n\
         # prompt = \"Company slug\"\n\
         # type = \"string\"   # string | bool | choice\n\
         # default = \"acme\"\n\
         # regex = \"^[a-z]+$\"\n\n\
         # Render a file only when a Tera expression is true\n\
         # (\"Makefile.tera\" = \"values.make\").\n\
         [conditions]\n{}",
        env!("CARGO_PKG_VERSION"),
        KUBERNETES_OUTPUTS
            .iter()
            .map(|(_, template, condition)| format!("\"{template}\" = \"{condition}\"\n"))
            .collect::<String>()
    )
}

/// A Tera instance holding the built-in set under `builtin/`, the team set's
/// templates (`.tera` files) under their own paths, and flaskdock's filters.
/// The built-in Kubernetes templates are left out unless `kubernetes` or a
/// team template names one (Tera's `include`/`extends`/`import` take literal
/// names): parsing them doubled the time of an `init` that writes none.
pub fn tera(team: Option<&TeamSet>, kubernetes: bool) -> Result<Tera> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![]);
    let kubernetes = kubernetes
        || team.is_some_and(|team| {
            let name = format!("{BUILTIN_PREFIX}{KUBERNETES_FOLDER}");
            team.files.iter().any(|f| f.contents.contains(&name))
        });
    let mut builtin: Vec<(String, &str)> = builtin_files()
        .filter(|(name, _)| kubernetes || !name.starts_with(KUBERNETES_FOLDER))
        .map(|(name, text)| (format!("{BUILTIN_PREFIX}{name}"), text))
        .collect();
    builtin.sort();
    tera.add_raw_templates(builtin)
        .context("a built-in template does not parse; this is a flaskdock bug, please report it")?;
    if let Some(team) = team {
        let files: Vec<(&str, &str)> = team
            .files
            .iter()
            .filter(|f| f.path.ends_with(".tera"))
            .map(|f| (f.path.as_str(), f.contents.as_str()))
            .collect();
        limits::check_set(team.name(), &files)?;
        tera.add_raw_templates(files).map_err(|err| {
            anyhow::anyhow!("template set `{}`: {}", team.name(), parse_error(&err))
        })?;
    }
    tera.register_filter("toml", toml_filter);
    encode::register(&mut tera);
    limits::register(&mut tera);
    Ok(tera)
}

/// Tera's error and its causes on one line (Tera puts the useful part in the causes).
pub fn tera_chain(err: &tera::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    parts
        .iter()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join(": ")
}

/// A Tera syntax error as `file:line:column: reason`, when Tera gives them.
fn parse_error(err: &tera::Error) -> String {
    let chain = tera_chain(err);
    let pattern = regex::Regex::new(r"Failed to parse '([^']+)'.*--> (\d+):(\d+).*= (.+)$")
        .expect("a valid regex");
    match pattern.captures(&chain) {
        Some(c) => format!("`{}:{}:{}`: {}", &c[1], &c[2], &c[3], c[4].trim()),
        None => chain,
    }
}

/// `{{ value | toml }}`: the value as a TOML literal (strings quoted and escaped).
fn toml_filter(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let literal = match value {
        tera::Value::String(s) => toml::Value::String(s.clone()).to_string(),
        other => other.to_string(),
    };
    Ok(tera::Value::String(literal))
}
