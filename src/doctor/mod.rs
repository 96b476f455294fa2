//! `flaskdock doctor`: audits an existing Docker setup for a Flask app the way a
//! senior engineer reviews one. Every check has a stable id, a severity, and a fix.
//! Read-only: nothing here writes.

mod code;
mod compose;
pub mod context;
mod dockerfile;

use std::path::Path;

use anyhow::{Result, bail};
use serde::Serialize;

pub use dockerfile::{Dockerfile, parse_dockerfile};

/// How bad a finding is. `error`s make `doctor` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl std::str::FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity `{other}`; use info, warning or error"
            )),
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// What `init --diff` offers for a check's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Generated {
    /// `flaskdock init --diff` shows a file that does it right.
    Yes,
    /// The fix is in the user's own code or machine.
    No,
}

/// One kind of problem doctor looks for.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    pub id: &'static str,
    pub severity: Severity,
    /// What is wrong, in a few words (the README table lists these).
    pub title: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    generated: Generated,
}

const fn check(
    id: &'static str,
    severity: Severity,
    title: &'static str,
    fix: &'static str,
    generated: Generated,
) -> Check {
    Check {
        id,
        severity,
        title,
        fix,
        generated,
    }
}

use Generated::{No, Yes};
use Severity::{Error, Info, Warning};

/// Every check, in id order.
pub const CHECKS: &[Check] = &[
    check(
        "FD101",
        Error,
        "the container runs as root",
        "create a user and end the final stage with `USER <uid>` (a numeric uid, not root)",
        Yes,
    ),
    check(
        "FD102",
        Warning,
        "source copied before the dependencies are installed",
        "copy only the dependency manifests (requirements.txt, pyproject.toml, lock files), install, then copy the source: a code change then keeps the install layer cached",
        Yes,
    ),
    check(
        "FD103",
        Warning,
        "compilers in the final image",
        "build in a `builder` stage with the compilers and copy only the virtualenv into a `-slim` final stage",
        Yes,
    ),
    check(
        "FD104",
        Warning,
        "base image is not a slim image",
        "use the `-slim` variant (`python:3.12-slim`): the full image is about 1 GB and carries compilers and headers",
        Yes,
    ),
    check(
        "FD105",
        Warning,
        "base image unpinned or `latest`",
        "pin the Python minor version (`python:3.12-slim`) so a rebuild does not change Python under the app",
        Yes,
    ),
    check(
        "FD106",
        Warning,
        "`apt-get update` and `apt-get install` in separate RUNs",
        "run `apt-get update && apt-get install ...` in one RUN: a cached update layer installs stale package lists",
        Yes,
    ),
    check(
        "FD107",
        Info,
        "`apt-get install` without `--no-install-recommends`",
        "add `--no-install-recommends`: recommended packages add size and attack surface",
        Yes,
    ),
    check(
        "FD108",
        Info,
        "apt package lists left in the image",
        "end the RUN with `&& rm -rf /var/lib/apt/lists/*`",
        Yes,
    ),
    check(
        "FD109",
        Error,
        "a secret in ENV or ARG",
        "remove it from the Dockerfile (it stays in the image's history); pass it at run time with `env_file: .env` or a secret",
        Yes,
    ),
    check(
        "FD110",
        Error,
        "Flask's development server as the command",
        "serve with gunicorn: `CMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"app:app\"]`",
        Yes,
    ),
    check(
        "FD111",
        Warning,
        "ports that disagree",
        "make EXPOSE, gunicorn's `--bind` and the app's port the same number",
        Yes,
    ),
    check(
        "FD112",
        Warning,
        "no HEALTHCHECK",
        "add a HEALTHCHECK that requests the app (compose then waits for a healthy web service)",
        Yes,
    ),
    check(
        "FD113",
        Warning,
        "shell-form CMD or ENTRYPOINT",
        "use the JSON form (`CMD [\"gunicorn\", ...]`): in shell form `/bin/sh` is PID 1 and SIGTERM never reaches the app",
        Yes,
    ),
    check(
        "FD201",
        Error,
        "no .dockerignore",
        "add a `.dockerignore` that excludes `.env`, `.git`, virtualenvs, caches and keys",
        Yes,
    ),
    check(
        "FD202",
        Error,
        "`.env` is sent to the build",
        "add `.env` and `.env.*` to `.dockerignore` (keep `!.env.example`)",
        Yes,
    ),
    check(
        "FD203",
        Warning,
        "`.git` is sent to the build",
        "add `.git` to `.dockerignore`: history is large and may hold removed secrets",
        Yes,
    ),
    check(
        "FD204",
        Error,
        "a private key or certificate is sent to the build",
        "add the key files (`*.pem`, `*.key`, ...) to `.dockerignore` and mount them at run time",
        Yes,
    ),
    check(
        "FD205",
        Warning,
        "a virtualenv is sent to the build",
        "add the virtualenv folder to `.dockerignore`: it is built for another machine and can be huge",
        Yes,
    ),
    check(
        "FD301",
        Warning,
        "obsolete `version:` in the compose file",
        "delete the `version:` line: Compose ignores it and warns",
        Yes,
    ),
    check(
        "FD302",
        Error,
        "`localhost` in a database URL",
        "inside Compose, use the service name as the host (`db`, `redis`): `localhost` is the app's own container",
        Yes,
    ),
    check(
        "FD303",
        Error,
        "a literal password in the compose file",
        "use `${POSTGRES_PASSWORD:?set it in .env}` and keep the value in `.env`, out of version control",
        Yes,
    ),
    check(
        "FD304",
        Warning,
        "a database without a volume",
        "mount a named volume on the data folder (`db-data:/var/lib/postgresql/data`), or the data goes with the container",
        Yes,
    ),
    check(
        "FD305",
        Warning,
        "`depends_on` without a healthcheck condition",
        "use `depends_on: {db: {condition: service_healthy}}` and give `db` a healthcheck: started is not ready",
        Yes,
    ),
    check(
        "FD306",
        Warning,
        "`container_name` set",
        "remove `container_name`: it makes `docker compose up --scale` fail and clashes between projects",
        Yes,
    ),
    check(
        "FD307",
        Warning,
        "host port already in use on this machine",
        "stop what holds the port, or publish another host port (`WEB_PORT=8001` with `\"${WEB_PORT:-8000}:8000\"`)",
        No,
    ),
    check(
        "FD401",
        Error,
        "a hard-coded secret in the code",
        "read it from the environment (`os.environ[\"SECRET_KEY\"]`) and rotate the value that was committed",
        No,
    ),
    check(
        "FD402",
        Error,
        "debug mode on where production runs it",
        "remove `debug=True` (or set it from `FLASK_DEBUG` in development only): the debugger runs any code a visitor sends",
        No,
    ),
];

/// Looks a check up by id.
pub fn check_by_id(id: &str) -> &'static Check {
    CHECKS
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("unknown check id {id}"))
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub severity: Severity,
    /// Path relative to the project, `/` separators.
    pub file: String,
    /// 1-based line, when the problem sits on one.
    pub line: Option<usize>,
    pub message: String,
    pub fix: String,
}

impl Finding {
    pub fn new(id: &'static str, file: &str, line: Option<usize>, message: String) -> Self {
        let check = check_by_id(id);
        let fix = match check.generated {
            Yes => format!(
                "{}. `flaskdock init --diff` shows a generated file that does this",
                check.fix
            ),
            No => check.fix.to_string(),
        };
        Finding {
            id,
            severity: check.severity,
            file: file.to_string(),
            line,
            message,
            fix,
        }
    }
}

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
    let mut findings = Vec::new();
    let mut files = Vec::new();

    let dockerfile = match read("Dockerfile")? {
        Some(text) => {
            files.push("Dockerfile".to_string());
            Some(parse_dockerfile(&text))
        }
        None => None,
    };
    let mut warnings = Vec::new();
    let modules = crate::inspect::source::parse_modules(&tree, &mut warnings);

    if let Some(dockerfile) = &dockerfile {
        let app_port = crate::inspect::from_tree(&tree)
            .ok()
            .and_then(|p| p.port.map(|f| (f.value, f.source.to_string())));
        findings.extend(dockerfile::check(dockerfile, app_port));
        let dockerignore = read(".dockerignore")?;
        if dockerignore.is_some() {
            files.push(".dockerignore".to_string());
        }
        findings.extend(context::check(&tree, dockerfile, dockerignore.as_deref()));
    }

    if let Some(name) = COMPOSE_FILES.iter().find(|f| tree.has_file(f))
        && let Some(text) = read(name)?
    {
        files.push(name.to_string());
        let dotenv = read(".env")?;
        findings.extend(compose::check(name, &text, dotenv.as_deref())?);
    }

    let runs_the_file = dockerfile.as_ref().is_some_and(|d| d.runs_python_file());
    findings.extend(code::check(&modules, runs_the_file));

    findings.sort_by(|a, b| (&a.file, a.line, a.id).cmp(&(&b.file, b.line, b.id)));
    Ok(Report { findings, files })
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

/// `${NAME:-default}` and `${NAME-default}` replaced by their default and
/// `${NAME}` by nothing: what Docker and Compose substitute for an unset variable.
pub(crate) fn expand_defaults(text: &str) -> String {
    let mut out = text.to_string();
    while let Some(start) = out.find("${") {
        let Some(end) = out[start..].find('}') else {
            break;
        };
        let inner = &out[start + 2..start + end];
        let value = inner
            .split_once(":-")
            .or_else(|| inner.split_once('-'))
            .map(|(_, d)| d)
            .unwrap_or("")
            .to_string();
        out.replace_range(start..start + end + 1, &value);
    }
    out
}

/// Entry points for the fuzz targets (`tests/fuzz`): they must never panic or hang.
#[doc(hidden)]
pub mod fuzz {
    /// A Dockerfile, parsed and checked.
    pub fn dockerfile(text: &str) {
        let parsed = super::parse_dockerfile(text);
        let _ = super::dockerfile::check(&parsed, Some((8000, "app.py:1".into())));
    }

    /// A compose file (and the same text as `.env`), checked.
    pub fn compose(text: &str) {
        let _ = super::compose::check("docker-compose.yml", text, Some(text));
    }
}
