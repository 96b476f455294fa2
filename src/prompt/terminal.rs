//! The terminal side of prompting: dialoguer behind [`Prompter`], and the
//! message for Ctrl-C (the handler itself is installed by `main`).
// The terminal Prompter shows text (see .clippy.toml).
#![allow(clippy::disallowed_macros)]

use anyhow::Result;

use super::prompter::Prompter;

/// The user pressed Ctrl-C (or Escape at a prompt) before anything was written.
#[derive(Debug)]
pub struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted; nothing was written")
    }
}

impl std::error::Error for Interrupted {}

/// Restores the cursor and prints the interruption message, once, whichever
/// of the signal handler and the prompt's error path gets there first.
pub fn report_interrupted() {
    static REPORTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let _ = console::Term::stderr().show_cursor();
    if !REPORTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
        eprintln!();
        eprintln!("error: {Interrupted}");
    }
}

/// Prompts on the terminal with dialoguer.
pub struct TerminalPrompter {
    theme: dialoguer::theme::SimpleTheme,
}

impl TerminalPrompter {
    pub fn new() -> Self {
        TerminalPrompter {
            theme: dialoguer::theme::SimpleTheme,
        }
    }
}

impl Default for TerminalPrompter {
    fn default() -> Self {
        Self::new()
    }
}

fn prompt_error(err: dialoguer::Error) -> anyhow::Error {
    let _ = console::Term::stderr().show_cursor();
    match err {
        dialoguer::Error::IO(io) if io.kind() == std::io::ErrorKind::Interrupted => {
            Interrupted.into()
        }
        dialoguer::Error::IO(io) => anyhow::Error::new(io).context(
            "cannot read the answer from the terminal; pass `--yes` to take the detected values",
        ),
    }
}

impl Prompter for TerminalPrompter {
    fn input(
        &mut self,
        prompt: &str,
        default: &str,
        validate: &dyn Fn(&str) -> Result<(), String>,
    ) -> Result<String> {
        let mut input = dialoguer::Input::<String>::with_theme(&self.theme).with_prompt(prompt);
        if !default.is_empty() {
            input = input.default(default.to_string());
        }
        input
            .validate_with(|value: &String| validate(value))
            .interact_text()
            .map_err(prompt_error)
    }

    fn select(&mut self, prompt: &str, items: &[String], default: usize) -> Result<usize> {
        dialoguer::Select::with_theme(&self.theme)
            .with_prompt(prompt)
            .items(items)
            .default(default)
            .interact_opt()
            .map_err(prompt_error)?
            .ok_or_else(|| Interrupted.into())
    }

    fn show(&mut self, text: &str) {
        eprint!("{text}");
    }
}
