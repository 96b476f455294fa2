//! What a check reports: a finding with its id and severity, and the
//! collector each check function writes into. The checks and the table
//! import this; it imports neither.

use serde::Serialize;

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

/// A check's id: `FD` and three digits, the first naming what it reads (1
/// the Dockerfile, 2 the build context, 3 the compose file, 4 the code, 5 Kubernetes manifests).
/// [`Code::new`] refuses any other shape when the table is compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Code(&'static str);

impl Code {
    pub const fn new(id: &'static str) -> Code {
        let bytes = id.as_bytes();
        let mut shaped = bytes.len() == 5 && bytes[0] == b'F' && bytes[1] == b'D';
        let mut i = 2;
        while shaped && i < bytes.len() {
            shaped = bytes[i].is_ascii_digit();
            i += 1;
        }
        assert!(shaped, "a check id is FD and three digits");
        Code(id)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: Code,
    pub severity: Severity,
    /// Path relative to the project, `/` separators.
    pub file: String,
    /// 1-based line, when the problem sits on one.
    pub line: Option<usize>,
    pub message: String,
    pub fix: String,
}

/// Where a check reports what it finds: each finding gets the check's id,
/// severity and fix, so a check function never names its own id.
pub(super) struct Found<'a> {
    id: Code,
    severity: Severity,
    fix: String,
    findings: &'a mut Vec<Finding>,
}

impl<'a> Found<'a> {
    pub(super) fn new(
        id: Code,
        severity: Severity,
        fix: String,
        findings: &'a mut Vec<Finding>,
    ) -> Found<'a> {
        Found {
            id,
            severity,
            fix,
            findings,
        }
    }

    /// A finding in `file` (relative, `/` separators), on `line` when it sits on one.
    pub(super) fn at(&mut self, file: &str, line: Option<usize>, message: impl Into<String>) {
        self.findings.push(Finding {
            id: self.id,
            severity: self.severity,
            file: file.to_string(),
            line,
            message: message.into(),
            fix: self.fix.clone(),
        });
    }
}
