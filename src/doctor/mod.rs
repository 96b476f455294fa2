//! `flaskdock doctor`: audits an existing Docker setup for a Flask app the way a
//! senior engineer reviews one. Every check has a stable id, a severity, and a fix.
//! Read-only: nothing here writes.

mod code;
mod compose;
pub mod context;
mod dockerfile;
mod finding;
mod kubernetes;
mod registry;

use std::path::Path;

use anyhow::{Result, bail};
use serde::Serialize;

pub use dockerfile::{Dockerfile, parse_dockerfile};

pub use finding::{Code, Finding, Severity};
use registry::Run;
pub use registry::{CHECKS, Check};

/// What doctor found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Sorted by file, then line.
    pub findings: Vec<Finding>,
    /// Files that were read.
    pub files: Vec<String>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Whether any finding is at `threshold` or worse.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= threshold)
    }
}

/// Compose file names, in the order Compose itself looks for them.
pub const COMPOSE_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// Audits the project at `root`.
pub fn doctor(root: &Path) -> Result<Report> {
    if !root.is_dir() {
        bail!(
            "`{}` is not a directory; pass the folder that holds the Flask project",
            root.display()
        );
    }
    let tree = crate::inspect::files::scan(root)?;
    let read = |rel: &str| -> Result<Option<String>> {
        match root.join(rel).symlink_metadata() {
            Ok(meta) if meta.is_file() => crate::inspect::read_text(&root.join(rel)).map(Some),
            _ => Ok(None),
        }
    };
    let mut files = Vec::new();

    let dockerfile = match read("Dockerfile")? {
        Some(text) => {
            files.push("Dockerfile".to_string());
            Some(parse_dockerfile(&text))
        }
        None => None,
    };
    let dockerignore = match &dockerfile {
        Some(_) => read(".dockerignore")?,
        None => None,
    };
    if dockerignore.is_some() {
        files.push(".dockerignore".to_string());
    }
    // The port the code says, and the script of a launcher that alone
    // registers the pages (`run.py`).
    let from_code = || {
        let project = crate::inspect::from_tree(&tree).ok();
        let port = project
            .as_ref()
            .and_then(|p| p.port.as_ref().map(|f| (f.value, f.source.to_string())));
        let launcher = project
            .and_then(|p| p.launcher)
            .filter(|l| l.pages.is_some())
            .and_then(|l| l.command)
            .and_then(|c| {
                let words = shell_words::split(&c.value).ok()?;
                Some(words.get(1)?.trim_start_matches("./").to_string())
            });
        (port, launcher)
    };
    let compose_file = COMPOSE_FILES.iter().find(|f| tree.has_file(f));
    let compose_text = match compose_file {
        Some(name) => read(name)?,
        None => None,
    };
    let dotenv = match compose_text {
        Some(_) => read(".env")?,
        None => None,
    };
    let compose = match (compose_file, &compose_text) {
        (Some(name), Some(text)) => {
            files.push(name.to_string());
            Some(compose::Input::parse(name, text, dotenv.as_deref())?)
        }
        _ => None,
    };
    let mut warnings = Vec::new();
    let modules = crate::inspect::source::parse_modules(&tree, &mut warnings);
    let manifests: Vec<(String, String)> = tree
        .files
        .iter()
        .filter(|f| is_manifest_candidate(f))
        .filter_map(|f| Some((f.clone(), tree.read(f).ok()?)))
        .collect();
    let kubernetes =
        kubernetes::Input::parse(manifests.iter().map(|(f, t)| (f.as_str(), t.as_str())));
    if let Some(k8s) = &kubernetes {
        let mut read: Vec<&String> = k8s.documents.iter().map(|d| &d.file).collect();
        read.dedup();
        files.extend(read.into_iter().cloned());
    }

    let inputs = Inputs {
        dockerfile: dockerfile.as_ref().and_then(|d| {
            let (port, launcher) = from_code();
            dockerfile::Input::new(d, port, launcher)
        }),
        context: dockerfile
            .as_ref()
            .map(|d| context::Input::new(&tree, d, dockerignore.as_deref())),
        compose,
        kubernetes,
        code: Some(code::Input {
            modules: &modules,
            runs_the_file: dockerfile.as_ref().is_some_and(|d| d.runs_python_file()),
        }),
    };
    let mut findings = inputs.run();
    findings.sort_by(|a, b| (&a.file, a.line, a.id).cmp(&(&b.file, b.line, b.id)));
    Ok(Report { findings, files })
}

/// What the checks read, each present when its file is: a check whose
/// input is absent does not run.
struct Inputs<'a> {
    dockerfile: Option<dockerfile::Input<'a>>,
    context: Option<context::Input<'a>>,
    compose: Option<compose::Input<'a>>,
    kubernetes: Option<kubernetes::Input>,
    code: Option<code::Input<'a>>,
}

/// A YAML file that may hold Kubernetes manifests: not a compose file, not
/// CI configuration.
fn is_manifest_candidate(file: &str) -> bool {
    let yaml = file.ends_with(".yaml") || file.ends_with(".yml");
    let base = file.rsplit('/').next().unwrap_or(file);
    yaml && !COMPOSE_FILES.contains(&base)
        && !file.starts_with(".github/")
        && !base.starts_with('.')
}

impl Inputs<'_> {
    /// Every check in [`CHECKS`] whose input is here, in table order.
    fn run(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        for check in CHECKS {
            let found = &mut check.found(&mut findings);
            match check.run {
                Run::Dockerfile(run) => self.dockerfile.iter().for_each(|i| run(i, found)),
                Run::Context(run) => self.context.iter().for_each(|i| run(i, found)),
                Run::Compose(run) => self.compose.iter().for_each(|i| run(i, found)),
                Run::Python(run) => self.code.iter().for_each(|i| run(i, found)),
                Run::Kubernetes(run) => self.kubernetes.iter().for_each(|i| run(i, found)),
            }
        }
        findings
    }
}

/// The human report: findings grouped by file, each with its fix, then a summary.
pub fn report_text(report: &Report) -> String {
    let mut out = String::new();
    let mut current: Option<&str> = None;
    for f in &report.findings {
        if current != Some(f.file.as_str()) {
            if current.is_some() {
                out.push('\n');
            }
            out.push_str(&format!(
                "{}\n",
                console::style(crate::safe::escaped(&f.file)).bold()
            ));
            current = Some(&f.file);
        }
        let line = f.line.map(|l| l.to_string()).unwrap_or_else(|| "-".into());
        let severity = console::style(format!("{:<7}", f.severity));
        let severity = match f.severity {
            Severity::Error => severity.red().bold(),
            Severity::Warning => severity.yellow(),
            Severity::Info => severity.blue(),
        };
        out.push_str(&format!(
            "  {line:>4}  {severity}  {}  {}\n        fix: {}\n",
            f.id,
            crate::safe::escaped(&f.message),
            crate::safe::escaped(&f.fix)
        ));
    }
    if !report.findings.is_empty() {
        out.push('\n');
    }
    let (e, w, i) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.count(Severity::Info),
    );
    if report.findings.is_empty() {
        out.push_str(&format!(
            "no findings in {}\n",
            if report.files.is_empty() {
                "the code (no Dockerfile or compose file found)".to_string()
            } else {
                report.files.join(", ")
            }
        ));
    } else {
        out.push_str(&format!(
            "{} finding{}: {e} error{}, {w} warning{}, {i} info\n",
            report.findings.len(),
            plural(report.findings.len()),
            plural(e),
            plural(w)
        ));
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Entry points for the fuzz targets (`tests/fuzz`): they must never panic or hang.
#[doc(hidden)]
pub mod fuzz {
    use super::{Inputs, compose, dockerfile, parse_dockerfile};

    /// A Dockerfile, parsed and checked.
    pub fn dockerfile(text: &str) {
        let parsed = parse_dockerfile(text);
        let inputs = Inputs {
            dockerfile: dockerfile::Input::new(&parsed, Some((8000, "app.py:1".into())), None),
            context: None,
            compose: None,
            kubernetes: None,
            code: None,
        };
        let _ = inputs.run();
    }

    /// A compose file (and the same text as `.env`), checked.
    pub fn compose(text: &str) {
        if let Ok(compose) = compose::Input::parse("docker-compose.yml", text, Some(text)) {
            let inputs = Inputs {
                dockerfile: None,
                context: None,
                compose: Some(compose),
                kubernetes: None,
                code: None,
            };
            let _ = inputs.run();
        }
    }

    /// A Kubernetes manifest, checked.
    pub fn kubernetes(text: &str) {
        let inputs = Inputs {
            dockerfile: None,
            context: None,
            compose: None,
            kubernetes: super::kubernetes::Input::parse(std::iter::once(("k8s.yaml", text))),
            code: None,
        };
        let _ = inputs.run();
    }
}
