//! A dependency the project names, and how its name is compared: the
//! vocabulary the readers of dependency files (`requirements`, `deps`,
//! `own_deps`) and the detectors share.

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

/// PEP 503 name normalization.
pub(super) fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_dash = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !last_dash {
                out.push('-');
            }
            last_dash = true;
        } else {
            out.push(c.to_ascii_lowercase());
            last_dash = false;
        }
    }
    out
}
