//! Dependencies: which tool manages them, which files the image installs from
//! (preferring lock files), and every package named.

use anyhow::{Result, bail};
use serde::Serialize;

use super::fact::{Fact, Source};
use super::files::{TomlFile, Tree};
use super::package::Package;
use super::package::normalize;
use super::requirements::{RequirementLine, RequirementsChain, parse_line};
use super::wheels::Pin;

/// The tool a project uses for its dependencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DependencyManager {
    Pip,
    Poetry,
    Pipenv,
    Uv,
    Pdm,
}

/// How the builder stage installs the dependencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Install {
    /// `pip install -r <file>`; `manifests` are every file the chain reads.
    Requirements {
        file: String,
        manifests: Vec<String>,
        needs_source: bool,
        /// The file's `pkg-resources==0.0.0` line, where it has one: what
        /// `pip freeze` writes for Debian's and Ubuntu's patched pip, a
        /// release no package index has, so pip refuses the whole file.
        #[serde(skip_serializing_if = "Option::is_none")]
        freeze_artifact: Option<Source>,
    },
    /// PEP 621 `[project].dependencies` from `pyproject.toml`, and those of
    /// the `extras` of `[project.optional-dependencies]` (names checked by
    /// [`is_extra_name`]).
    Pyproject {
        manifests: Vec<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        extras: Vec<String>,
    },
    /// `poetry export --only main` from `poetry.lock`, installed with pip.
    Poetry(LockExport),
    /// `pdm export --prod` from `pdm.lock`, installed with pip.
    Pdm(LockExport),
    /// `uv sync --frozen --no-install-project` from `pyproject.toml` and `uv.lock`.
    Uv { manifests: Vec<String> },
    /// `pipenv requirements` from `Pipfile.lock`, installed with pip.
    Pipenv(LockExport),
    /// Nothing declared: Flask alone.
    Bare,
}

impl Install {
    /// Files to copy into the builder before installing.
    pub fn manifests(&self) -> &[String] {
        match self {
            Install::Requirements { manifests, .. }
            | Install::Pyproject { manifests, .. }
            | Install::Poetry(LockExport { manifests, .. })
            | Install::Pdm(LockExport { manifests, .. })
            | Install::Uv { manifests }
            | Install::Pipenv(LockExport { manifests, .. }) => manifests,
            Install::Bare => &[],
        }
    }

    /// The install needs the project's source first: a requirement or a
    /// locked package is a path in the project (`-e .`), which also installs
    /// the project itself.
    pub fn needs_source(&self) -> bool {
        match self {
            Install::Requirements { needs_source, .. } => *needs_source,
            Install::Poetry(lock) | Install::Pdm(lock) | Install::Pipenv(lock) => lock.needs_source,
            Install::Pyproject { .. } | Install::Uv { .. } | Install::Bare => false,
        }
    }
}

/// A lock file that its tool exports as a requirements list for pip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockExport {
    /// The manifest (`pyproject.toml`, `Pipfile`) and its lock.
    pub manifests: Vec<String>,
    /// Every locked package comes from a package index, so the export carries
    /// hashes and pip checks each download against them. A package from git, a
    /// URL or a path has none, and pip refuses a list where some lines lack them.
    pub hashes: bool,
    /// A locked package is a path in the project: the install needs the source.
    pub needs_source: bool,
}

impl LockExport {
    /// Hashes until a package without one turns up.
    fn new(manifest: &str, lock: &str) -> Self {
        LockExport {
            manifests: vec![manifest.to_string(), lock.to_string()],
            hashes: true,
            needs_source: false,
        }
    }

    /// Records a locked package that comes from git, a URL or a path (`kind`
    /// is `git`, `url`, `directory` or `file`): it has no hash, and a path
    /// needs the source in the build before the install.
    fn not_from_an_index(
        &mut self,
        lock: &str,
        name: &str,
        kind: &str,
        place: &str,
        warnings: &mut Vec<String>,
    ) {
        self.hashes = false;
        let local = matches!(kind, "directory" | "file");
        if !local {
            warnings.push(format!(
                "`{lock}` installs `{name}` from {kind} `{place}`, which has no hash in the lock: pip installs the export without checking hashes"
            ));
            return;
        }
        if !self.needs_source {
            self.needs_source = true;
            warnings.push(format!(
                "`{lock}` installs `{name}` from the path `{place}`, so the image copies the source before installing and loses dependency caching"
            ));
        }
        if place.starts_with("..") || place.starts_with('/') {
            warnings.push(format!(
                "`{lock}` installs `{name}` from `{place}`, outside the project: the image build cannot see it; publish it to an index or move it into the project"
            ));
        }
    }
}

/// What [`detect_dependencies`] found.
pub(super) struct Dependencies {
    pub manager: Fact<DependencyManager>,
    pub install: Install,
    pub packages: Vec<Package>,
    /// Exact versions from the install's files: `==` pins, or every entry of a lock.
    pub pins: Vec<Pin>,
    /// How `uv.lock` differs from `pyproject.toml`, when the build's
    /// `uv sync --locked` would refuse it.
    pub stale_lock: Option<String>,
    pub warnings: Vec<String>,
}

/// Requirements files tried, in order, when there is no `requirements.txt`.
const REQUIREMENTS_FILES: &[&str] = &[
    "requirements.txt",
    "requirements/prod.txt",
    "requirements/production.txt",
    "requirements/base.txt",
    "requirements/common.txt",
];

/// How the image installs the project's dependencies, in this order: a
/// Pipfile lock, a Poetry/PDM/uv lock, a requirements file, then
/// `[project].dependencies`, else Flask alone.
pub(super) fn detect_dependencies(
    tree: &Tree,
    pyproject: Option<&TomlFile>,
    pipfile: Option<&TomlFile>,
) -> Result<Dependencies> {
    let mut warnings = Vec::new();
    let pyproject = pyproject.map(parse_pyproject);
    let manager = detect_manager(tree, pyproject.as_ref());
    refuse_odd_dependency_files(tree)?;
    let requirements = REQUIREMENTS_FILES.iter().find(|f| tree.has_file(f));
    let prefer_lock = |warnings: &mut Vec<String>, lock: &str| {
        if let Some(file) = requirements {
            warnings.push(format!(
                "installing from {lock} rather than `{file}`: the lock pins every version"
            ));
        }
    };

    let locked = pyproject_lock(
        tree,
        &manager,
        pyproject.as_ref(),
        requirements,
        &mut warnings,
    )?;
    let stale_lock = locked.as_ref().and_then(|l| l.stale.clone());
    if let Some(drift) = &stale_lock {
        warnings.push(format!(
            "`uv.lock` no longer matches `pyproject.toml` ({drift}): the image build's `uv sync --locked` refuses it; run `uv lock` and commit `uv.lock`"
        ));
    }
    let (install, packages, pins) = if tree.has_file("Pipfile.lock") && tree.has_file("Pipfile") {
        prefer_lock(&mut warnings, "`Pipfile.lock`");
        let (export, pins) = read_pipfile_lock(tree, &mut warnings)?;
        let packages = pipfile.map(pipfile_packages).unwrap_or_default();
        (Install::Pipenv(export), packages, pins)
    } else if tree.has_file("Pipfile") && requirements.is_none() {
        bail!(
            "`Pipfile` has no `Pipfile.lock`; run `pipenv lock` so the image installs pinned versions, then run again"
        );
    } else if let (Some(locked), Some(pyproject)) = (locked, &pyproject) {
        prefer_lock(&mut warnings, &manager.source.to_string());
        (locked.install, pyproject.packages.clone(), locked.pins)
    } else if let Some(file) = requirements {
        let listed = from_requirements(tree, file, &manager, &mut warnings)?;
        match pyproject.filter(|p| p.lists_flask() && !brings_flask(&listed.1)) {
            Some(pyproject) => {
                let extra = pyproject
                    .flask_extra
                    .as_ref()
                    .map_or_else(String::new, |e| format!(" (its `{}` extra)", e.name));
                warnings.push(format!(
                    "`{file}` does not list Flask and `pyproject.toml` does{extra}: the image installs from `pyproject.toml`"
                ));
                from_pyproject(pyproject)
            }
            None => listed,
        }
    } else if let Some(pyproject) = pyproject.filter(|p| p.project_dependencies.is_some()) {
        if let Some((tool, lock)) = match manager.value {
            DependencyManager::Pdm => Some(("pdm", "pdm.lock")),
            DependencyManager::Poetry => Some(("poetry", "poetry.lock")),
            _ => None,
        } {
            warnings.push(format!(
                "{} manages the dependencies but there is no `{lock}`: the image installs `[project].dependencies` unpinned; run `{tool} lock` to pin them",
                manager.source
            ));
        }
        from_pyproject(pyproject)
    } else if manager.value != DependencyManager::Pip {
        bail!(
            "flaskdock cannot install from {} yet; export a `requirements.txt` from it and run again",
            manager.source
        );
    } else {
        warnings.push("no `requirements.txt` or `pyproject.toml` dependencies found; the image installs Flask alone".into());
        (Install::Bare, Vec::new(), Vec::new())
    };
    Ok(Dependencies {
        manager,
        install,
        packages,
        pins,
        stale_lock,
        warnings,
    })
}

/// A dependency file the scan did not take as a file (a device, a FIFO, a
/// link out of the project) must not be silently ignored.
fn refuse_odd_dependency_files(tree: &Tree) -> Result<()> {
    for file in REQUIREMENTS_FILES
        .iter()
        .chain(&["pyproject.toml", "Pipfile", "Pipfile.lock"])
    {
        let path = tree.root.join(file);
        let odd = path
            .symlink_metadata()
            .is_ok_and(|meta| !meta.is_file() && !meta.is_dir());
        if odd && !tree.has_file(file) {
            bail!(
                "`{file}` is not a regular file inside the project (a link out of it, a device or a pipe); replace it with the file itself"
            );
        }
    }
    Ok(())
}

/// The install of `[project].dependencies`, with the extra that lists
/// Flask where they do not.
fn from_pyproject(pyproject: Pyproject) -> (Install, Vec<Package>, Vec<Pin>) {
    let (mut packages, mut pins) = (pyproject.packages, pyproject.pins);
    let mut extras = Vec::new();
    if let Some(extra) = pyproject.flask_extra {
        packages.extend(extra.packages);
        pins.extend(extra.pins);
        extras.push(extra.name);
    }
    let install = Install::Pyproject {
        manifests: vec!["pyproject.toml".into()],
        extras,
    };
    (install, packages, pins)
}

/// Whether the packages install Flask: itself, Quart, or an extension that
/// depends on it (`flask-admin`).
fn brings_flask(packages: &[Package]) -> bool {
    packages
        .iter()
        .any(|p| p.name == "flask" || p.name == "quart" || p.name.starts_with("flask-"))
}

/// An install from a lock, with its pins.
struct Locked {
    install: Install,
    pins: Vec<Pin>,
    /// How `uv.lock` differs from `pyproject.toml` where uv refuses it.
    stale: Option<String>,
}

impl Locked {
    fn new(install: Install, pins: Vec<Pin>) -> Self {
        Locked {
            install,
            pins,
            stale: None,
        }
    }
}

/// The install from the lock of the tool that manages `pyproject.toml`
/// (Poetry, PDM or uv), with the lock's pins and how a `uv.lock` differs
/// from `pyproject.toml` where uv refuses it; `None` when there is no
/// usable lock. A lock pins every version, so it wins over a requirements
/// file; without its lock a tool would resolve at build time, so a
/// requirements file, when there is one, is then the better-pinned choice.
fn pyproject_lock(
    tree: &Tree,
    manager: &Fact<DependencyManager>,
    pyproject: Option<&Pyproject>,
    requirements: Option<&&str>,
    warnings: &mut Vec<String>,
) -> Result<Option<Locked>> {
    let Some(p) = pyproject else {
        return Ok(None);
    };
    let has_project = p.project_dependencies.is_some();
    Ok(match manager.value {
        DependencyManager::Poetry
            if (p.has_poetry || has_project) && tree.has_file("poetry.lock") =>
        {
            let (export, pins, _) = read_lock(tree, "poetry.lock", warnings)?;
            Some(Locked::new(Install::Poetry(export), pins))
        }
        DependencyManager::Poetry
            if !has_project && !p.packages.is_empty() && requirements.is_none() =>
        {
            bail!(
                "`pyproject.toml` lists its dependencies for Poetry but there is no `poetry.lock`; run `poetry lock` so the image installs pinned versions, then run again"
            );
        }
        DependencyManager::Pdm if has_project && tree.has_file("pdm.lock") => {
            let (export, pins, _) = read_lock(tree, "pdm.lock", warnings)?;
            Some(Locked::new(Install::Pdm(export), pins))
        }
        DependencyManager::Uv
            if has_project && (tree.has_file("uv.lock") || requirements.is_none()) =>
        {
            let mut manifests = vec!["pyproject.toml".to_string()];
            let (mut pins, mut stale) = (Vec::new(), None);
            if tree.has_file("uv.lock") {
                manifests.push("uv.lock".to_string());
                let (_, lock_pins, doc) = read_lock(tree, "uv.lock", warnings)?;
                (pins, stale) = (lock_pins, uv_lock_drift(&doc, p));
            } else {
                warnings.push(
                    "uv manages the dependencies but there is no `uv.lock`: every image build resolves them anew, unpinned; run `uv lock` and commit `uv.lock`"
                        .to_string(),
                );
            }
            Some(Locked {
                stale,
                ..Locked::new(Install::Uv { manifests }, pins)
            })
        }
        _ => None,
    })
}

/// How `uv.lock` differs from `pyproject.toml` where uv would refuse it:
/// the project's own version, or the names of its dependencies, as uv
/// recorded them (`[package.metadata] requires-dist` of the root package).
/// Specifiers are left to uv, which writes them in its own spelling.
fn uv_lock_drift(doc: &toml::Table, pyproject: &Pyproject) -> Option<String> {
    let name = normalize(pyproject.name.as_deref()?);
    let root = doc.get("package")?.as_array()?.iter().find(|p| {
        p.get("name")
            .and_then(|n| n.as_str())
            .map(normalize)
            .as_deref()
            == Some(&name)
    })?;
    let locked_version = root.get("version").and_then(|v| v.as_str());
    // uv writes the version normalized (`26.08.0-dev` as `26.8.0.dev0`).
    let same = |a: &str, b: &str| {
        use pep508_rs::pep440_rs::Version;
        use std::str::FromStr;
        match (Version::from_str(a), Version::from_str(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => a == b,
        }
    };
    if let (Some(declared), Some(locked)) = (pyproject.version.as_deref(), locked_version)
        && !same(declared, locked)
    {
        return Some(format!(
            "the project's version is {declared}, the lock's {locked}"
        ));
    }
    let requires = root.get("metadata")?.get("requires-dist")?.as_array()?;
    let locked: std::collections::BTreeSet<String> = requires
        .iter()
        .filter(|r| {
            r.get("marker")
                .and_then(|m| m.as_str())
                .is_none_or(|m| !m.contains("extra"))
        })
        .filter_map(|r| r.get("name")?.as_str().map(normalize))
        .collect();
    let declared: std::collections::BTreeSet<String> = pyproject
        .project_dependencies
        .iter()
        .flatten()
        .filter_map(|d| match parse_line(d) {
            RequirementLine::Requirement { name, .. } => Some(name),
            _ => None,
        })
        .collect();
    let added: Vec<&String> = declared.difference(&locked).collect();
    let removed: Vec<&String> = locked.difference(&declared).collect();
    let list = |names: &[&String]| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (added.is_empty(), removed.is_empty()) {
        (true, true) => None,
        (false, _) => Some(format!("it does not lock {}", list(&added))),
        (true, false) => Some(format!(
            "it still locks {}, which the project no longer lists",
            list(&removed)
        )),
    }
}

/// The install from a requirements file and the files it includes.
fn from_requirements(
    tree: &Tree,
    file: &str,
    manager: &Fact<DependencyManager>,
    warnings: &mut Vec<String>,
) -> Result<(Install, Vec<Package>, Vec<Pin>)> {
    let mut chain = RequirementsChain::default();
    chain.read(tree, file, warnings)?;
    if manager.value != DependencyManager::Pip {
        warnings.push(format!(
            "{} is managed by {:?} but the image installs from `{file}`; keep it in sync with the lock file",
            manager.source, manager.value
        ));
    }
    let needs_source = !chain.local.is_empty();
    if needs_source {
        warnings.push(format!(
            "{} installs a local path, so the image copies the source before installing and loses dependency caching",
            chain.local[0]
        ));
    }
    let freeze_artifact = chain
        .pins
        .iter()
        .find(|pin| {
            pin.name == "pkg-resources"
                && pin.version == "0.0.0"
                && pin.source.file.as_deref() == Some(file)
        })
        .map(|pin| pin.source.clone());
    if let Some(line) = &freeze_artifact {
        warnings.push(format!(
            "{line}: `pkg-resources==0.0.0` is what `pip freeze` writes on Debian and Ubuntu, and no package index has it: the image installs `{file}` without that line (delete it to install the file as it is)"
        ));
    }
    let install = Install::Requirements {
        file: file.to_string(),
        manifests: chain.files,
        needs_source,
        freeze_artifact,
    };
    Ok((install, chain.packages, chain.pins))
}

/// Reads `poetry.lock`, `pdm.lock` or `uv.lock`: each locked version, and
/// where each package comes from; the parsed lock too, for what else is
/// read of it (`uv.lock`'s drift), so that no lock is parsed twice.
fn read_lock(
    tree: &Tree,
    lock: &str,
    warnings: &mut Vec<String>,
) -> Result<(LockExport, Vec<Pin>, toml::Table)> {
    let tool = lock.trim_end_matches(".lock");
    let text = tree.read_manifest(lock)?;
    let doc: toml::Table = toml::from_str(&text).map_err(|err| {
        super::files::toml_error(
            lock,
            &text,
            &err,
            &format!("run `{tool} lock` to write it again"),
        )
    })?;
    let mut export = LockExport::new("pyproject.toml", lock);
    let mut pins = Vec::new();
    let packages = doc.get("package").and_then(|p| p.as_array());
    for package in packages.into_iter().flatten() {
        let name = package.get("name").and_then(|n| n.as_str()).unwrap_or("?");
        if let Some(version) = package.get("version").and_then(|v| v.as_str()) {
            pins.push(Pin {
                name: normalize(name),
                version: version.to_string(),
                source: Source::at(lock, line_of(&text, &format!("name = \"{name}\""))),
            });
        }
        if let Some((kind, place)) = locked_origin(package) {
            export.not_from_an_index(lock, name, kind, &place, warnings);
        }
    }
    Ok((export, pins, doc))
}

/// Reads `Pipfile.lock` (JSON): the `default` group's versions, and whether
/// each package comes from an index with hashes.
fn read_pipfile_lock(tree: &Tree, warnings: &mut Vec<String>) -> Result<(LockExport, Vec<Pin>)> {
    const LOCK: &str = "Pipfile.lock";
    let text = tree.read_manifest(LOCK)?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|err| {
        anyhow::anyhow!(
            "failed to parse `{LOCK}` at line {}: {err}; run `pipenv lock` to write it again",
            err.line()
        )
    })?;
    let mut export = LockExport::new("Pipfile", LOCK);
    let mut pins = Vec::new();
    let default = doc.get("default").and_then(|d| d.as_object());
    for (name, entry) in default.into_iter().flatten() {
        let line = line_of(&text, &format!("\"{name}\": {{"));
        if let Some(version) = entry.get("version").and_then(|v| v.as_str())
            && let Some(version) = version.strip_prefix("==")
        {
            pins.push(Pin {
                name: normalize(name),
                version: version.to_string(),
                source: Source::at(LOCK, line),
            });
        }
        let origin = [("git", "git"), ("path", "directory"), ("file", "url")]
            .into_iter()
            .find_map(|(key, kind)| Some((kind, entry.get(key)?.as_str()?)));
        let hashed = entry
            .get("hashes")
            .and_then(|h| h.as_array())
            .is_some_and(|h| !h.is_empty());
        match origin {
            Some((kind, place)) => export.not_from_an_index(LOCK, name, kind, place, warnings),
            None if !hashed => export.hashes = false,
            None => {}
        }
    }
    Ok((export, pins))
}

/// Where a locked package comes from when it is not a package index: the kind
/// (`git`, `url`, `directory`, `file`) and the address or path. Poetry writes
/// a `[package.source]` table; PDM puts `git`, `url` or `path` on the package.
fn locked_origin(package: &toml::Value) -> Option<(&'static str, String)> {
    let text = |value: Option<&toml::Value>| value.and_then(|v| v.as_str()).map(str::to_string);
    if let Some(source) = package.get("source") {
        let kind = match source.get("type").and_then(|t| t.as_str())? {
            "git" => "git",
            "url" => "url",
            "directory" => "directory",
            "file" => "file",
            _ => return None,
        };
        return Some((kind, text(source.get("url")).unwrap_or_default()));
    }
    for (key, kind) in [("git", "git"), ("url", "url"), ("path", "directory")] {
        if let Some(place) = text(package.get(key)) {
            return Some((kind, place));
        }
    }
    None
}

pub(crate) struct Pyproject {
    has_poetry: bool,
    has_pdm: bool,
    has_uv: bool,
    /// `[project].dependencies`, when the table has them.
    project_dependencies: Option<Vec<String>>,
    /// Packages named by `[project].dependencies` or `[tool.poetry.dependencies]`.
    packages: Vec<Package>,
    /// `==` pins in `[project].dependencies`.
    pins: Vec<Pin>,
    /// The `[project.optional-dependencies]` extra that lists Flask when
    /// `[project].dependencies` does not (`server` of a library with a web
    /// interface), with its packages and pins.
    flask_extra: Option<Extra>,
    /// `[project].name` and `[project].version` (absent when dynamic).
    name: Option<String>,
    version: Option<String>,
}

impl Pyproject {
    /// `[project]` lists Flask, in its dependencies or an extra.
    fn lists_flask(&self) -> bool {
        self.project_dependencies.is_some()
            && (self.flask_extra.is_some() || self.packages.iter().any(|p| p.name == "flask"))
    }
}

/// An extra of `[project.optional-dependencies]`.
#[derive(Debug, Clone)]
struct Extra {
    name: String,
    packages: Vec<Package>,
    pins: Vec<Pin>,
}

/// The packages and `==` pins of a list of PEP 508 requirements.
fn requirement_list(list: &[String], source: impl Fn(&str) -> Source) -> (Vec<Package>, Vec<Pin>) {
    let mut packages = Vec::new();
    let mut pins = Vec::new();
    for dep in list {
        if let RequirementLine::Requirement {
            name,
            vcs,
            extras,
            pinned,
        } = parse_line(dep)
        {
            if let Some(version) = pinned {
                pins.push(Pin {
                    name: name.clone(),
                    version,
                    source: source(dep),
                });
            }
            packages.push(Package {
                name,
                vcs,
                extras,
                source: source(dep),
            });
        }
    }
    (packages, pins)
}

/// A name pip takes as an extra, which the builder's install script then
/// carries: letters, digits, `-`, `_` and `.`.
pub fn is_extra_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The first extra of `[project.optional-dependencies]` that lists Flask,
/// when `dependencies` (`project_packages`) does not.
fn flask_extra(
    project: Option<&toml::Value>,
    project_packages: &[Package],
    source: impl Fn(&str) -> Source,
) -> Option<Extra> {
    if project_packages.iter().any(|p| p.name == "flask") {
        return None;
    }
    let optional = project?.get("optional-dependencies")?.as_table()?;
    optional.iter().find_map(|(name, list)| {
        let list: Vec<String> = list
            .as_array()?
            .iter()
            .filter_map(|d| Some(d.as_str()?.to_string()))
            .collect();
        let (packages, pins) = requirement_list(&list, &source);
        (is_extra_name(name) && packages.iter().any(|p| p.name == "flask")).then(|| Extra {
            name: name.clone(),
            packages,
            pins,
        })
    })
}

/// What `pyproject.toml` says about dependencies.
pub(crate) fn parse_pyproject(file: &TomlFile) -> Pyproject {
    let (text, doc) = (&file.text, &file.doc);
    let tool = doc.get("tool").and_then(|t| t.as_table());
    let has = |name: &str| tool.is_some_and(|t| t.contains_key(name));
    let source = |needle: &str| Source::at("pyproject.toml", line_of(text, needle));

    let project_text = |key: &str| {
        doc.get("project")
            .and_then(|p| p.get(key))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let project_dependencies: Option<Vec<String>> = doc
        .get("project")
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.as_array())
        .map(|deps| {
            deps.iter()
                .filter_map(|d| d.as_str())
                .map(str::to_string)
                .collect()
        });
    let (mut packages, pins) =
        requirement_list(project_dependencies.as_deref().unwrap_or_default(), source);
    let flask_extra = project_dependencies
        .is_some()
        .then(|| flask_extra(doc.get("project"), &packages, source))
        .flatten();
    let poetry_deps = tool
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.as_table());
    for (name, spec) in poetry_deps.into_iter().flatten() {
        if name == "python" {
            continue;
        }
        let vcs = spec.get("git").is_some();
        packages.push(Package {
            name: normalize(name),
            vcs,
            extras: toml_extras(spec),
            source: Source::at("pyproject.toml", key_line(text, name)),
        });
    }
    Pyproject {
        has_poetry: has("poetry"),
        has_pdm: has("pdm"),
        has_uv: has("uv"),
        name: project_text("name"),
        version: project_text("version"),
        project_dependencies,
        packages,
        pins,
        flask_extra,
    }
}

/// Packages of `[packages]` in the Pipfile.
pub(crate) fn pipfile_packages(file: &TomlFile) -> Vec<Package> {
    let (text, doc) = (&file.text, &file.doc);
    let packages = doc.get("packages").and_then(|p| p.as_table());
    packages
        .into_iter()
        .flatten()
        .map(|(name, spec)| Package {
            name: normalize(name),
            vcs: spec.get("git").is_some(),
            extras: toml_extras(spec),
            source: Source::at("Pipfile", key_line(text, name)),
        })
        .collect()
}

/// `extras = ["redis"]` in a Poetry or Pipfile dependency table.
fn toml_extras(spec: &toml::Value) -> Vec<String> {
    let extras = spec.get("extras").and_then(|e| e.as_array());
    extras
        .into_iter()
        .flatten()
        .filter_map(|e| e.as_str())
        .map(normalize)
        .collect()
}

/// The line of a TOML key (`name = ...`), or 1.
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let rest = l.trim_start().strip_prefix(key).unwrap_or("#");
            rest.trim_start().starts_with('=')
        })
        .map_or(1, |i| i + 1)
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(1, |i| i + 1)
}

fn detect_manager(tree: &Tree, pyproject: Option<&Pyproject>) -> Fact<DependencyManager> {
    use DependencyManager::*;
    let by_file = [
        ("poetry.lock", Poetry),
        ("uv.lock", Uv),
        ("Pipfile.lock", Pipenv),
        ("Pipfile", Pipenv),
        ("pdm.lock", Pdm),
    ];
    let tables = pyproject.map(|p| {
        [
            (p.has_poetry, Poetry, "[tool.poetry]"),
            (p.has_pdm, Pdm, "[tool.pdm]"),
            (p.has_uv, Uv, "[tool.uv]"),
        ]
    });
    let locks: Vec<&(&str, DependencyManager)> =
        by_file.iter().filter(|(f, _)| tree.has_file(f)).collect();
    // Two tools' locks (a project that moved from Poetry to uv and kept the
    // old lock): the one whose tool `pyproject.toml` configures.
    if locks.len() > 1
        && let Some((file, manager, table)) = locks.iter().find_map(|(file, manager)| {
            let (_, _, table) = tables?
                .into_iter()
                .find(|(present, m, _)| *present && m == manager)?;
            Some((file, manager, table))
        })
    {
        let others: Vec<&str> = locks
            .iter()
            .map(|(f, _)| *f)
            .filter(|f| f != file)
            .collect();
        let note = format!("{table} in pyproject.toml; {} not used", others.join(", "));
        return Fact::new(*manager, Source::file(*file).with_note(note));
    }
    if let Some((file, manager)) = locks.first() {
        return Fact::new(*manager, Source::file(*file));
    }
    for (present, manager, table) in tables.into_iter().flatten() {
        if present {
            return Fact::new(manager, Source::file("pyproject.toml").with_note(table));
        }
    }
    let source = match REQUIREMENTS_FILES.iter().find(|f| tree.has_file(f)) {
        Some(file) => Source::file(*file),
        None if pyproject.is_some_and(|p| p.project_dependencies.is_some()) => {
            Source::file("pyproject.toml").with_note("[project].dependencies")
        }
        None => Source::default("no dependency manager found"),
    };
    Fact::new(Pip, source)
}
