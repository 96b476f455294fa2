//! How the builder stage installs the dependencies: the kind of install,
//! the manifests copied before the source, and the pinned tools.

use serde::{Deserialize, Serialize};

use crate::inspect::{Install, LockExport};
use crate::safe::Text;

/// How the builder installs the dependencies; templates compare it with the
/// lower-case name (`install.kind == "poetry"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstallKind {
    /// `pip install -r` a requirements file.
    Requirements,
    /// `[project].dependencies` of `pyproject.toml`.
    Pyproject,
    Poetry,
    Pdm,
    Uv,
    Pipenv,
    /// No dependency file: Flask alone.
    Bare,
}

/// The module that reads `pyproject.toml` in the builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TomlModule {
    /// The standard library's, from Python 3.11.
    Tomllib,
    /// The backport, installed first on older Pythons.
    Tomli,
}

/// Install method for the builder stage.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InstallPlan {
    pub kind: InstallKind,
    /// For `requirements`: the file given to `pip install -r`.
    pub file: Option<Text>,
    /// Files copied before any source, so code changes keep the install layer cached.
    pub manifests: Vec<Text>,
    /// The install needs the whole source (a requirement on a local path).
    pub needs_source: bool,
    /// For `pyproject` on Python older than 3.11: `tomli` stands in for `tomllib`.
    pub toml_module: TomlModule,
    /// For `poetry`, `pdm`, `uv` and `pipenv`: the pinned tool's requirements
    /// (one argument each), installed in its own builder-only virtualenv.
    pub tool_requirements: Vec<Text>,
    /// For `poetry`, `pdm` and `pipenv`: the exported lock carries hashes and pip checks every download against them.
    pub hashes: bool,
}

/// Tools pinned for installs from lock files, one requirement an argument.
/// Poetry 2 exports through its plugin. PDM 2.29.4 asks for `hishel>=1.4` but
/// breaks on hishel 2.0 (no `SyncSqliteStorage`), so hishel is held below 2.
const POETRY_REQUIREMENTS: &[&str] = &["poetry==2.5.1", "poetry-plugin-export==1.10.1"];
const PDM_REQUIREMENTS: &[&str] = &["pdm==2.29.4", "hishel[httpx2]>=1.4,<2"];
const UV_REQUIREMENTS: &[&str] = &["uv==0.13.8"];
const PIPENV_REQUIREMENTS: &[&str] = &["pipenv==2026.10.3"];

pub(super) fn install_plan(install: &Install, python_minor: u32) -> InstallPlan {
    let toml_module = if python_minor >= 11 {
        TomlModule::Tomllib
    } else {
        TomlModule::Tomli
    };
    let plan =
        |kind: InstallKind, file: Option<&String>, needs_source: bool, tool: &[&str]| InstallPlan {
            kind,
            file: file.map(Text::from),
            manifests: install.manifests().iter().map(Text::from).collect(),
            needs_source,
            toml_module,
            tool_requirements: tool.iter().map(|&r| Text::from(r)).collect(),
            hashes: false,
        };
    let exported = |kind: InstallKind, lock: &LockExport, tool: &[&str]| InstallPlan {
        hashes: lock.hashes,
        ..plan(kind, None, lock.needs_source, tool)
    };
    match install {
        Install::Requirements {
            file, needs_source, ..
        } => plan(InstallKind::Requirements, Some(file), *needs_source, &[]),
        Install::Pyproject { .. } => plan(InstallKind::Pyproject, None, false, &[]),
        Install::Poetry(lock) => exported(InstallKind::Poetry, lock, POETRY_REQUIREMENTS),
        Install::Pdm(lock) => exported(InstallKind::Pdm, lock, PDM_REQUIREMENTS),
        Install::Uv { .. } => plan(InstallKind::Uv, None, false, UV_REQUIREMENTS),
        Install::Pipenv(lock) => exported(InstallKind::Pipenv, lock, PIPENV_REQUIREMENTS),
        Install::Bare => plan(InstallKind::Bare, None, false, &[]),
    }
}
