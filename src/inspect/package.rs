//! A dependency the project names: the vocabulary the readers of
//! dependency files (`requirements`, `deps`) and the detectors share.

use serde::Serialize;

use super::fact::Source;

/// One dependency and the line that names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// Normalized name (PEP 503): lowercase, runs of `-_.` as `-`.
    pub name: String,
    /// Installed from a version-control URL (the builder then needs `git`).
    pub vcs: bool,
    /// Extras asked for (`celery[redis]` -> `redis`).
    pub extras: Vec<String>,
    pub source: Source,
}
