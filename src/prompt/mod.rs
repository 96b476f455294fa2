//! Asking the user: the one trait every question goes through, so the
//! library never reads the terminal or prints to it itself.

use anyhow::Result;

mod terminal;

pub use terminal::{Interrupted, TerminalPrompter, report_interrupted};

/// Asks the user. Implemented with dialoguer for terminals; tests pass their own.
pub trait Prompter {
    /// Free text with a default; `validate` returns an error message for bad input.
    fn input(
        &mut self,
        prompt: &str,
        default: &str,
        validate: &dyn Fn(&str) -> Result<(), String>,
    ) -> Result<String>;
    /// One of `items`, `default` preselected; returns the index.
    fn select(&mut self, prompt: &str, items: &[String], default: usize) -> Result<usize>;
    /// Shows what was found before the first question (the detection table).
    fn show(&mut self, text: &str);
}
