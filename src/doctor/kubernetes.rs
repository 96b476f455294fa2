//! Kubernetes manifests (FD5xx): every YAML document of the project with an
//! `apiVersion` and a `kind`, and kustomizations' generators.

use serde::Deserialize;
use serde_norway::{Mapping, Value};

use super::finding::Found;
use crate::secret::{is_secret_name, is_secret_value, url_password};

/// Kinds that run pods, and where their pod spec sits.
const WORKLOADS: &[(&str, &[&str])] = &[
    ("Pod", &["spec"]),
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
];

/// One YAML document of a manifest file.
pub(super) struct Document {
    pub file: String,
    /// 1-based line where the document starts.
    pub line: usize,
    pub value: Mapping,
}

/// Every Kubernetes document found.
pub(super) struct Input {
    pub documents: Vec<Document>,
}

impl Input {
    /// The Kubernetes documents of `files` (path and text): a file that is
    /// not YAML, or a document without `apiVersion` and `kind`, is not one.
    pub(super) fn parse<'a>(files: impl Iterator<Item = (&'a str, &'a str)>) -> Option<Input> {
        let mut documents = Vec::new();
        for (file, text) in files {
            let starts = document_lines(text);
            for (index, doc) in serde_norway::Deserializer::from_str(text).enumerate() {
                let Ok(Value::Mapping(value)) = Value::deserialize(doc) else {
                    break;
                };
                let kustomization =
                    file.ends_with("kustomization.yaml") || file.ends_with("kustomization.yml");
                let kube = kustomization
                    || value.get("kind").is_some_and(Value::is_string)
                        && value.contains_key("apiVersion");
                if kube {
                    documents.push(Document {
                        file: file.to_string(),
                        line: starts.get(index).copied().unwrap_or(1),
                        value,
                    });
                }
            }
        }
        (!documents.is_empty()).then_some(Input { documents })
    }

    /// Each workload's pod spec, with its document and a label (`Deployment web`).
    fn pods(&self) -> impl Iterator<Item = (&Document, String, &Mapping)> {
        self.documents.iter().filter_map(|doc| {
            let kind = doc.value.get("kind")?.as_str()?;
            let (_, path) = WORKLOADS.iter().find(|(k, _)| *k == kind)?;
            let pod = path
                .iter()
                .try_fold(&doc.value, |m, key| m.get(*key)?.as_mapping())?;
            Some((doc, format!("{kind} {}", name(&doc.value)), pod))
        })
    }
}

/// The 1-based first content line of each `---`-separated document.
fn document_lines(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut pending = true;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if line.starts_with("---") {
            pending = true;
        } else if pending && !trimmed.is_empty() && !trimmed.starts_with('#') {
            starts.push(i + 1);
            pending = false;
        }
    }
    starts
}

fn name(doc: &Mapping) -> String {
    let name = doc
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("(unnamed)");
    crate::safe::escaped(name).into_owned()
}

fn containers(pod: &Mapping) -> impl Iterator<Item = &Mapping> {
    ["containers", "initContainers"]
        .into_iter()
        .filter_map(|key| pod.get(key)?.as_sequence())
        .flatten()
        .filter_map(Value::as_mapping)
}

fn context_value<'a>(m: &'a Mapping, key: &str) -> Option<&'a Value> {
    m.get("securityContext")?.as_mapping()?.get(key)
}

fn container_name(c: &Mapping) -> String {
    crate::safe::escaped(c.get("name").and_then(Value::as_str).unwrap_or("?")).into_owned()
}

/// A finding about container `c` of the workload `what` in `doc`: `problem`
/// after its name.
fn container_finding(found: &mut Found, doc: &Document, what: &str, c: &Mapping, problem: &str) {
    found.at(
        &doc.file,
        Some(doc.line),
        format!("{what}: container `{}` {problem}", container_name(c)),
    );
}

/// A secret's value for `key` written in `doc` (`what` names it).
fn secret_finding(found: &mut Found, doc: &Document, what: &str, key: &str) {
    found.at(
        &doc.file,
        Some(doc.line),
        format!(
            "{what}: the value of `{}` is in the file",
            crate::safe::escaped(key)
        ),
    );
}

/// FD501: a container may run as root: neither it nor its pod says
/// `runAsNonRoot: true`, or one of them says `runAsUser: 0`.
pub(super) fn runs_as_root(input: &Input, found: &mut Found) {
    for (doc, what, pod) in input.pods() {
        let pod_non_root = context_value(pod, "runAsNonRoot") == Some(&Value::Bool(true));
        let pod_root = context_value(pod, "runAsUser").and_then(Value::as_u64) == Some(0);
        for c in containers(pod) {
            let non_root = match context_value(c, "runAsNonRoot") {
                Some(v) => v == &Value::Bool(true),
                None => pod_non_root,
            };
            let root = match context_value(c, "runAsUser") {
                Some(v) => v.as_u64() == Some(0),
                None => pod_root,
            };
            if root || !non_root {
                let why = if root {
                    "runAsUser: 0"
                } else {
                    "no runAsNonRoot: true"
                };
                container_finding(found, doc, &what, c, &format!("may run as root ({why})"));
            }
        }
    }
}

/// FD502: a long-running container that serves a port (`ports`) without a
/// readiness or liveness probe. A worker that serves none is left alone:
/// no traffic waits on its readiness.
pub(super) fn no_probes(input: &Input, found: &mut Found) {
    for (doc, what, pod) in input.pods() {
        let kind = doc.value.get("kind").and_then(Value::as_str);
        if matches!(kind, Some("Job" | "CronJob" | "Pod")) {
            continue;
        }
        let Some(list) = pod.get("containers").and_then(Value::as_sequence) else {
            continue;
        };
        for c in list
            .iter()
            .filter_map(Value::as_mapping)
            .filter(|c| c.contains_key("ports"))
        {
            let missing: Vec<&str> = ["readinessProbe", "livenessProbe"]
                .into_iter()
                .filter(|p| !c.contains_key(*p))
                .collect();
            if !missing.is_empty() {
                let problem = format!("has no {}", missing.join(" and "));
                container_finding(found, doc, &what, c, &problem);
            }
        }
    }
}

/// FD503: a container whose root filesystem is writable.
pub(super) fn writable_root(input: &Input, found: &mut Found) {
    for (doc, what, pod) in input.pods() {
        for c in containers(pod) {
            if context_value(c, "readOnlyRootFilesystem") != Some(&Value::Bool(true)) {
                container_finding(found, doc, &what, c, "can write its root filesystem");
            }
        }
    }
}

/// FD504: a container without a CPU or memory limit.
pub(super) fn no_limits(input: &Input, found: &mut Found) {
    for (doc, what, pod) in input.pods() {
        for c in containers(pod) {
            let limits = c
                .get("resources")
                .and_then(|r| r.get("limits"))
                .and_then(Value::as_mapping);
            let missing: Vec<&str> = ["cpu", "memory"]
                .into_iter()
                .filter(|k| !limits.is_some_and(|l| l.contains_key(*k)))
                .collect();
            if !missing.is_empty() {
                let problem = format!("has no {} limit", missing.join(" or "));
                container_finding(found, doc, &what, c, &problem);
            }
        }
    }
}

/// Whether `key: value` in a manifest holds a secret: a secret's name with a
/// value (not a file path for `NAME_FILE`, not a switch such as
/// `MYSQL_RANDOM_ROOT_PASSWORD: "yes"`), a secret's shape, or a URL with a
/// password.
fn looks_secret(key: &str, value: &str) -> bool {
    let path = key.ends_with("_FILE") && value.starts_with('/');
    let switch = ["yes", "no", "true", "false", "1", "0"]
        .iter()
        .any(|w| value.eq_ignore_ascii_case(w));
    (!value.is_empty() && !path && !switch && is_secret_name(key))
        || is_secret_value(value)
        || url_password(value).is_some_and(|p| !p.starts_with('$'))
}

/// FD505: a secret's value written in a committed manifest: a `Secret`'s
/// data, a kustomization's `secretGenerator` literal, a ConfigMap's data (or
/// `configMapGenerator` literal) or a container's `env` value with a
/// secret's name or shape.
pub(super) fn committed_secret(input: &Input, found: &mut Found) {
    for doc in &input.documents {
        let kind = doc.value.get("kind").and_then(Value::as_str);
        let what = format!("{} {}", kind.unwrap_or("?"), name(&doc.value));
        let mut report = |key: &str| secret_finding(found, doc, &what, key);
        if kind == Some("Secret") {
            for field in ["data", "stringData"] {
                let data = doc.value.get(field).and_then(Value::as_mapping);
                for (key, value) in data.into_iter().flatten() {
                    if value.as_str().is_some_and(|v| !v.is_empty()) {
                        report(key.as_str().unwrap_or("?"));
                    }
                }
            }
        }
        if kind == Some("ConfigMap") {
            let data = doc.value.get("data").and_then(Value::as_mapping);
            for (key, value) in data.into_iter().flatten() {
                if let (Some(key), Some(value)) = (key.as_str(), value.as_str())
                    && looks_secret(key, value)
                {
                    report(key);
                }
            }
        }
        // A secretGenerator literal is a secret whatever its name; a
        // configMapGenerator literal when it looks like one.
        for (field, any_value) in [("secretGenerator", true), ("configMapGenerator", false)] {
            let generators = doc.value.get(field).and_then(Value::as_sequence);
            for generator in generators.into_iter().flatten() {
                let literals = generator.get("literals").and_then(Value::as_sequence);
                for literal in literals.into_iter().flatten().filter_map(Value::as_str) {
                    if let Some((key, value)) = literal.split_once('=')
                        && (any_value && !value.is_empty() || looks_secret(key, value))
                    {
                        report(key);
                    }
                }
            }
        }
    }
    for (doc, what, pod) in input.pods() {
        for c in containers(pod) {
            let env = c.get("env").and_then(Value::as_sequence);
            for var in env.into_iter().flatten().filter_map(Value::as_mapping) {
                if let (Some(key), Some(value)) = (
                    var.get("name").and_then(Value::as_str),
                    var.get("value").and_then(Value::as_str),
                ) && looks_secret(key, value)
                {
                    secret_finding(found, doc, &what, key);
                }
            }
        }
    }
}
