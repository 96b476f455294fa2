//! The vocabulary every detector speaks: a value and where it was found.

use serde::Serialize;

/// Where a fact came from: a file and line, or a note saying why a default was used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// Path relative to the project root, with `/` separators.
    pub file: Option<String>,
    /// 1-based line number, when the fact comes from one line.
    pub line: Option<usize>,
    /// Why this value, when there is something to say (defaults, preferences).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Source {
    /// `file:line (note)`: the place, and why, for reports meant to be read.
    pub fn described(&self) -> String {
        match (&self.file, &self.note) {
            (Some(_), Some(note)) => format!("{self} ({note})"),
            _ => self.to_string(),
        }
    }

    pub fn at(file: impl Into<String>, line: usize) -> Self {
        Source {
            file: Some(file.into()),
            line: Some(line),
            note: None,
        }
    }

    pub fn file(file: impl Into<String>) -> Self {
        Source {
            file: Some(file.into()),
            line: None,
            note: None,
        }
    }

    pub fn default(note: impl Into<String>) -> Self {
        Source {
            file: None,
            line: None,
            note: Some(note.into()),
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}:{line}"),
            (Some(file), None) => write!(f, "{file}"),
            (None, _) => write!(f, "{}", self.note.as_deref().unwrap_or("default")),
        }
    }
}

/// A value and where it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Fact<T> {
    pub fn new(value: T, source: Source) -> Self {
        Fact { value, source }
    }
}
