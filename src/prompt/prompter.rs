//! The one trait every question goes through.

use anyhow::Result;

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
