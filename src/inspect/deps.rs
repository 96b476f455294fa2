//! Dependencies: which tool manages them, which files the image installs from,
//! and every package named. Requirement lines go through a real PEP 508 parser.

use std::collections::BTreeSet;
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use super::files::Tree;
use super::{Fact, Source};

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
    },
    /// PEP 621 `[project].dependencies` from `pyproject.toml`.
    Pyproject { manifests: Vec<String> },
    /// `poetry install --only main --no-root` from `pyproject.toml` and `poetry.lock`.
    Poetry { manifests: Vec<String> },
    /// `uv sync --frozen --no-install-project` from `pyproject.toml` and `uv.lock`.
    Uv { manifests: Vec<String> },
    /// `pipenv requirements` from `Pipfile.lock`, installed with pip.
    Pipenv { manifests: Vec<String> },
    /// Nothing declared: Flask alone.
    Bare,
}

impl Install {
    /// Files to copy into the builder before installing.
    pub fn manifests(&self) -> &[String] {
        match self {
            Install::Requirements { manifests, .. }
            | Install::Pyproject { manifests }
            | Install::Poetry { manifests }
            | Install::Uv { manifests }
            | Install::Pipenv { manifests } => manifests,
            Install::Bare => &[],
        }
    }
}

/// One dependency and the line that names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// Normalized name (PEP 503): lowercase, runs of `-_.` as `-`.
    pub name: String,
    /// Installed from a version-control URL (the builder then needs `git`).
    pub vcs: bool,
    pub source: Source,
}

/// What one logical line of a requirements file means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequirementLine {
    Requirement {
        name: String,
        vcs: bool,
    },
    /// `-r FILE`: another requirements file.
    Include(String),
    /// `-c FILE`: a constraints file.
    Constraint(String),
    /// A local path (`.`, `./pkg`, `-e .`): needs the source to install.
    Local(String),
    /// Understood and irrelevant here (pip options), or not understood.
    Skipped {
        reason: String,
    },
}

/// Parses a requirements file's text into `(line number, meaning)` pairs.
pub fn parse_requirements(text: &str) -> Vec<(usize, RequirementLine)> {
    let mut out = Vec::new();
    let mut pending = String::new();
    let mut start = 0;
    for (index, raw) in text.lines().enumerate() {
        if pending.is_empty() {
            start = index + 1;
        }
        if let Some(stripped) = raw.strip_suffix('\\') {
            pending.push_str(stripped);
            pending.push(' ');
            continue;
        }
        pending.push_str(raw);
        let line = strip_comment(&pending).trim().to_string();
        pending.clear();
        if !line.is_empty() {
            out.push((start, parse_line(&line)));
        }
    }
    out
}

fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    match line.find(" #").or_else(|| line.find("\t#")) {
        Some(at) => &line[..at],
        None => line,
    }
}

fn option_value<'a>(line: &'a str, names: &[&str]) -> Option<&'a str> {
    for name in names {
        if let Some(rest) = line.strip_prefix(name) {
            if let Some(value) = rest.strip_prefix('=') {
                return Some(value.trim());
            }
            if rest.starts_with(char::is_whitespace) {
                return Some(rest.trim());
            }
            if name.len() == 2 && !rest.is_empty() {
                return Some(rest.trim()); // `-rfile.txt`
            }
        }
    }
    None
}

fn is_local_path(target: &str) -> bool {
    target == "."
        || target.starts_with("./")
        || target.starts_with("../")
        || target.starts_with('/')
        || target.starts_with("file:")
}

fn parse_line(line: &str) -> RequirementLine {
    if let Some(path) = option_value(line, &["-r", "--requirement", "--requirements"]) {
        return RequirementLine::Include(path.to_string());
    }
    if let Some(path) = option_value(line, &["-c", "--constraint"]) {
        return RequirementLine::Constraint(path.to_string());
    }
    let (target, editable) = match option_value(line, &["-e", "--editable"]) {
        Some(target) => (target, true),
        None => (line, false),
    };
    if !editable && target.starts_with('-') {
        return RequirementLine::Skipped {
            reason: format!(
                "pip option `{}`",
                target.split_whitespace().next().unwrap_or(target)
            ),
        };
    }
    // `--hash=...` and other per-requirement options follow the requirement.
    let target = match target.find(" --") {
        Some(at) => target[..at].trim(),
        None => target.trim(),
    };
    if is_local_path(target) {
        return RequirementLine::Local(target.to_string());
    }
    if let Some(url) = target
        .strip_prefix("git+")
        .or_else(|| target.strip_prefix("hg+"))
    {
        return match url.split("#egg=").nth(1) {
            Some(egg) => RequirementLine::Requirement {
                name: normalize(egg.split('&').next().unwrap_or(egg)),
                vcs: true,
            },
            None => RequirementLine::Skipped {
                reason: "a version-control URL without `#egg=NAME`".to_string(),
            },
        };
    }
    match pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(target) {
        Ok(req) => {
            let vcs = matches!(&req.version_or_url, Some(pep508_rs::VersionOrUrl::Url(url)) if url.to_string().starts_with("git+"));
            RequirementLine::Requirement {
                name: req.name.to_string(),
                vcs,
            }
        }
        Err(err) => RequirementLine::Skipped {
            reason: format!("not a requirement: {}", err.message),
        },
    }
}

/// PEP 503 name normalization.
pub fn normalize(name: &str) -> String {
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

/// What [`detect_dependencies`] found.
pub struct Dependencies {
    pub manager: Fact<DependencyManager>,
    pub install: Install,
    pub packages: Vec<Package>,
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

pub fn detect_dependencies(tree: &Tree) -> Result<Dependencies> {
    let mut warnings = Vec::new();
    let pyproject = match tree.has_file("pyproject.toml") {
        true => Some(read_pyproject(tree)?),
        false => None,
    };
    let manager = detect_manager(tree, pyproject.as_ref());
    let requirements = REQUIREMENTS_FILES.iter().find(|f| tree.has_file(f));

    // A lock file pins every version: prefer it to a requirements file.
    let with_lock = |lock: &str| {
        let mut manifests = vec!["pyproject.toml".to_string()];
        if tree.has_file(lock) {
            manifests.push(lock.to_string());
        }
        manifests
    };
    // Without its lock, a tool would resolve at build time: a requirements
    // file, when there is one, is then the better-pinned choice.
    let usable = |lock: &str| tree.has_file(lock) || requirements.is_none();
    let locked = match (manager.value, &pyproject) {
        (DependencyManager::Poetry, Some(p))
            if (p.has_poetry || p.project_dependencies.is_some()) && usable("poetry.lock") =>
        {
            Some(Install::Poetry {
                manifests: with_lock("poetry.lock"),
            })
        }
        (DependencyManager::Uv, Some(p))
            if p.project_dependencies.is_some() && usable("uv.lock") =>
        {
            Some(Install::Uv {
                manifests: with_lock("uv.lock"),
            })
        }
        _ => None,
    };
    if tree.has_file("Pipfile.lock") && tree.has_file("Pipfile") {
        if let Some(file) = requirements {
            warnings.push(format!(
                "installing from `Pipfile.lock` rather than `{file}`: the lock pins every version"
            ));
        }
        let install = Install::Pipenv {
            manifests: vec!["Pipfile".into(), "Pipfile.lock".into()],
        };
        return Ok(Dependencies {
            manager,
            install,
            packages: pipfile_packages(tree)?,
            warnings,
        });
    }
    if tree.has_file("Pipfile") && requirements.is_none() {
        bail!(
            "`Pipfile` has no `Pipfile.lock`; run `pipenv lock` so the image installs pinned versions, then run again"
        );
    }
    if let (Some(install), Some(pyproject)) = (locked, &pyproject) {
        if let Some(file) = requirements {
            warnings.push(format!(
                "installing from {} rather than `{file}`: the lock pins every version",
                manager.source
            ));
        }
        return Ok(Dependencies {
            manager,
            install,
            packages: pyproject.packages.clone(),
            warnings,
        });
    }

    if let Some(file) = requirements {
        let mut chain = RequirementsChain::default();
        chain.read(tree, file, &mut warnings)?;
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
        let install = Install::Requirements {
            file: file.to_string(),
            manifests: chain.files,
            needs_source,
        };
        return Ok(Dependencies {
            manager,
            install,
            packages: chain.packages,
            warnings,
        });
    }

    if let Some(pyproject) = pyproject
        .as_ref()
        .filter(|p| p.project_dependencies.is_some())
    {
        let install = Install::Pyproject {
            manifests: vec!["pyproject.toml".into()],
        };
        return Ok(Dependencies {
            manager,
            install,
            packages: pyproject.packages.clone(),
            warnings,
        });
    }

    if manager.value != DependencyManager::Pip {
        bail!(
            "flaskdock cannot install from {} yet; export a `requirements.txt` from it and run again",
            manager.source
        );
    }
    warnings.push("no `requirements.txt` or `pyproject.toml` dependencies found; the image installs Flask alone".into());
    Ok(Dependencies {
        manager,
        install: Install::Bare,
        packages: Vec::new(),
        warnings,
    })
}

struct Pyproject {
    has_poetry: bool,
    has_pdm: bool,
    has_uv: bool,
    /// `[project].dependencies`, when the table has them.
    project_dependencies: Option<Vec<String>>,
    /// Packages named by `[project].dependencies` or `[tool.poetry.dependencies]`.
    packages: Vec<Package>,
}

fn read_pyproject(tree: &Tree) -> Result<Pyproject> {
    let text = tree.read("pyproject.toml")?;
    let doc: toml::Table =
        toml::from_str(&text).map_err(|err| toml_error("pyproject.toml", &text, &err))?;
    let tool = doc.get("tool").and_then(|t| t.as_table());
    let has = |name: &str| tool.is_some_and(|t| t.contains_key(name));
    let source = |needle: &str| Source::at("pyproject.toml", line_of(&text, needle));

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
    let mut packages = Vec::new();
    for dep in project_dependencies.iter().flatten() {
        if let RequirementLine::Requirement { name, vcs } = parse_line(dep) {
            packages.push(Package {
                name,
                vcs,
                source: source(dep),
            });
        }
    }
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
            source: Source::at("pyproject.toml", key_line(&text, name)),
        });
    }
    Ok(Pyproject {
        has_poetry: has("poetry"),
        has_pdm: has("pdm"),
        has_uv: has("uv"),
        project_dependencies,
        packages,
    })
}

/// Packages of `[packages]` in the Pipfile.
fn pipfile_packages(tree: &Tree) -> Result<Vec<Package>> {
    let text = tree.read("Pipfile")?;
    let doc: toml::Table =
        toml::from_str(&text).map_err(|err| toml_error("Pipfile", &text, &err))?;
    let packages = doc.get("packages").and_then(|p| p.as_table());
    Ok(packages
        .into_iter()
        .flatten()
        .map(|(name, spec)| Package {
            name: normalize(name),
            vcs: spec.get("git").is_some(),
            source: Source::at("Pipfile", key_line(&text, name)),
        })
        .collect())
}

/// A one-line error naming the file and line of a TOML syntax error.
pub fn toml_error(file: &str, text: &str, err: &toml::de::Error) -> anyhow::Error {
    let line = err
        .span()
        .map_or(1, |span| text[..span.start].matches('\n').count() + 1);
    anyhow::anyhow!(
        "failed to parse `{file}` at line {line}: {}; fix the TOML and run again",
        err.message().trim()
    )
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
    if let Some((file, manager)) = by_file.iter().find(|(f, _)| tree.has_file(f)) {
        return Fact::new(*manager, Source::file(*file));
    }
    if let Some(p) = pyproject {
        for (present, manager, table) in [
            (p.has_poetry, Poetry, "[tool.poetry]"),
            (p.has_pdm, Pdm, "[tool.pdm]"),
            (p.has_uv, Uv, "[tool.uv]"),
        ] {
            if present {
                return Fact::new(manager, Source::file("pyproject.toml").with_note(table));
            }
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

/// A requirements file and every file it includes, read once each.
#[derive(Default)]
struct RequirementsChain {
    files: Vec<String>,
    packages: Vec<Package>,
    local: Vec<Source>,
    seen: BTreeSet<String>,
}

impl RequirementsChain {
    fn read(&mut self, tree: &Tree, file: &str, warnings: &mut Vec<String>) -> Result<()> {
        if !self.seen.insert(file.to_string()) {
            return Ok(()); // already read: an include cycle or a diamond
        }
        let text = tree
            .read(file)
            .with_context(|| format!("failed to read requirements file `{file}`"))?;
        self.files.push(file.to_string());
        for (line, meaning) in parse_requirements(&text) {
            match meaning {
                RequirementLine::Requirement { name, vcs } => {
                    if !self.packages.iter().any(|p| p.name == name) {
                        self.packages.push(Package {
                            name,
                            vcs,
                            source: Source::at(file, line),
                        });
                    }
                }
                RequirementLine::Include(target) | RequirementLine::Constraint(target) => {
                    let included = join(file, &target);
                    if !tree.has_file(&included) {
                        bail!(
                            "`{file}` line {line} includes `{target}`, which does not exist; fix the path and run again"
                        );
                    }
                    self.read(tree, &included, warnings)?;
                }
                RequirementLine::Local(_) => self.local.push(Source::at(file, line)),
                RequirementLine::Skipped { reason } if !reason.starts_with("pip option") => {
                    warnings.push(format!("{file}:{line}: skipped, {reason}"));
                }
                RequirementLine::Skipped { .. } => {}
            }
        }
        Ok(())
    }
}

/// Resolves `target` relative to the folder of `file`, normalizing `.` and `..`.
fn join(file: &str, target: &str) -> String {
    let mut parts: Vec<&str> = file.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meanings(text: &str) -> Vec<RequirementLine> {
        parse_requirements(text)
            .into_iter()
            .map(|(_, m)| m)
            .collect()
    }

    fn req(name: &str) -> RequirementLine {
        RequirementLine::Requirement {
            name: name.to_string(),
            vcs: false,
        }
    }

    #[test]
    fn parses_names_specifiers_extras_and_markers() {
        let text = "Flask==3.0.3\npsycopg2-binary>=2.9 # db\nFlask_SQLAlchemy[async] ; python_version >= '3.8'\n";
        assert_eq!(
            meanings(text),
            [
                req("flask"),
                req("psycopg2-binary"),
                req("flask-sqlalchemy")
            ]
        );
    }

    #[test]
    fn follows_includes_and_skips_options() {
        let text = "-r base.txt\n--requirement=extra.txt\n-c constraints.txt\n--index-url https://example.invalid/simple\n# comment\n\n";
        assert_eq!(
            meanings(text),
            [
                RequirementLine::Include("base.txt".into()),
                RequirementLine::Include("extra.txt".into()),
                RequirementLine::Constraint("constraints.txt".into()),
                RequirementLine::Skipped {
                    reason: "pip option `--index-url`".into()
                },
            ]
        );
    }

    #[test]
    fn hashes_and_continuations_do_not_become_packages() {
        let text =
            "gunicorn==23.0.0 \\\n    --hash=sha256:aaaa \\\n    --hash=sha256:bbbb\nflask\n";
        let parsed = parse_requirements(text);
        assert_eq!(parsed, [(1, req("gunicorn")), (4, req("flask"))]);
    }

    #[test]
    fn local_paths_and_vcs_urls() {
        let text = "-e .\n./libs/shared\ngit+https://example.invalid/org/tool.git#egg=my_tool\n";
        assert_eq!(
            meanings(text),
            [
                RequirementLine::Local(".".into()),
                RequirementLine::Local("./libs/shared".into()),
                RequirementLine::Requirement {
                    name: "my-tool".into(),
                    vcs: true
                },
            ]
        );
    }

    #[test]
    fn normalizes_like_pep_503() {
        assert_eq!(normalize("Flask__SQLAlchemy"), "flask-sqlalchemy");
        assert_eq!(normalize("zope.interface"), "zope-interface");
    }

    #[test]
    fn joins_include_paths() {
        assert_eq!(
            join("requirements.txt", "requirements/prod.txt"),
            "requirements/prod.txt"
        );
        assert_eq!(
            join("requirements/prod.txt", "base.txt"),
            "requirements/base.txt"
        );
        assert_eq!(
            join("requirements/prod.txt", "../requirements.in"),
            "requirements.in"
        );
    }
}
