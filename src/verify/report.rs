//! What a run found: each check's status, summary, cause and evidence.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    Skipped,
}

/// One check: what it found, why it failed, and what it saw.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    /// One line: what was shown, or why it failed or was skipped.
    pub summary: String,
    /// The likely cause of a failure, in one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// Lines of evidence: a build's last lines, the app's log, the log's path.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    pub duration_ms: u64,
}

/// The checks of one run, in order.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub project: String,
    pub engine: String,
    pub image: String,
    /// Where the build logs are kept.
    pub logs: String,
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether no check failed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.status != Status::Failed)
    }
}

/// What `verify` tells its caller as it goes.
pub enum Event<'a> {
    Started(&'static str),
    Finished(&'a Check),
}
