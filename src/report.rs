//! What flaskdock tells the user: the detection table, the notes about the
//! generated files, and the JSON shapes of `inspect --json` and `init --json`.

use console::style;
use serde_json::{Value, json};

use crate::InitReport;
use crate::detected::inspect_json;
use crate::write::{Outcome, Status};

/// `flaskdock init --json`.
pub fn init_json(report: &InitReport) -> Value {
    json!({
        "files": report.outcome.files,
        "drift": report.outcome.drift(),
        "diff": (!report.outcome.diff.is_empty()).then_some(&report.outcome.diff),
        "notes": report.notes,
        "template": report.plan.template,
        "plan": report.plan,
        "values": report.values,
        "inspect": inspect_json(&report.project, Some(&report.answers)),
    })
}

/// Human summary of `flaskdock init`.
pub fn init_text(report: &InitReport) -> String {
    let mut out = outcome_text(&report.outcome);
    for note in &report.notes {
        // A note is one line: any line break from a file is shown escaped.
        let note = crate::safe::escaped(note);
        let line = match note.strip_prefix("warning: ") {
            Some(warning) => format!("{} {warning}\n", style("warning:").yellow().bold()),
            None => format!("{} {note}\n", style("note:").cyan().bold()),
        };
        out.push_str(&line);
    }
    out
}

/// The diff, if any, then one line per file: what happened to it. Colours
/// only on a terminal, and never with `NO_COLOR`.
pub fn outcome_text(outcome: &Outcome) -> String {
    let mut out = String::new();
    if !outcome.diff.is_empty() {
        // The old side is whatever was on disk, so a file of the repository's.
        out.push_str(&crate::safe::for_terminal(&outcome.diff));
        out.push('\n');
    }
    for file in &outcome.files {
        let verb = |text: &str| style(format!("{text:>12}"));
        let verb = match file.status {
            Status::Created => verb("created").green(),
            Status::Overwritten => verb("overwritten").yellow(),
            Status::Unchanged => verb("unchanged").dim(),
            Status::WouldCreate => verb("would create").cyan(),
            Status::WouldChange => verb("would change").yellow(),
        };
        out.push_str(&format!("{verb}  {}\n", crate::safe::escaped(&file.path)));
    }
    out
}
