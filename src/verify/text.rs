//! How a run reads on a terminal: a line per check as it finishes, with its
//! cause and evidence when it failed, and a table at the end.

use super::report::{Check, Report, Status};

/// `✓ build  built localhost/...  (83.2 s)`, and for a failure its cause and
/// evidence, indented.
pub fn check_text(check: &Check) -> String {
    let mark = match check.status {
        Status::Passed => "✓",
        Status::Failed => "✗",
        Status::Skipped => "-",
    };
    let mut text = format!(
        "{mark} {:<16} {}  ({})\n",
        check.name,
        check.summary,
        seconds(check.duration_ms)
    );
    if check.status == Status::Failed {
        if let Some(cause) = &check.cause {
            text.push_str(&format!("    cause: {cause}\n"));
        }
        for line in &check.evidence {
            text.push_str(&format!("    | {line}\n"));
        }
    }
    text
}

/// The table of every check, and the totals.
pub fn summary_text(report: &Report) -> String {
    let mut text = format!("\n{:<16} {:<8} {:>8}\n", "check", "result", "time");
    for check in &report.checks {
        let result = match check.status {
            Status::Passed => "passed",
            Status::Failed => "FAILED",
            Status::Skipped => "skipped",
        };
        text.push_str(&format!(
            "{:<16} {:<8} {:>8}\n",
            check.name,
            result,
            seconds(check.duration_ms)
        ));
    }
    let count = |s: Status| report.checks.iter().filter(|c| c.status == s).count();
    text.push_str(&format!(
        "\nverify: {} passed, {} failed, {} skipped on {}; build logs in {}\n",
        count(Status::Passed),
        count(Status::Failed),
        count(Status::Skipped),
        report.engine,
        report.logs
    ));
    text
}

fn seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}
