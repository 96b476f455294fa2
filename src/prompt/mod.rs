//! Asking the user: the one trait every question goes through, so the
//! library never reads the terminal or prints to it itself.

mod prompter;
mod terminal;

pub use prompter::Prompter;
pub use terminal::{Interrupted, TerminalPrompter, report_interrupted};
