//! Whether the project is itself a package the image installs (for its
//! metadata, entry points and console scripts), by the rule of the tool
//! that manages it.

use serde::Serialize;

use super::deps::Install;
use super::fact::Source;
use super::files::{TomlFile, Tree};

/// What builds the project's wheel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageBuilder {
    /// pip, through the backend `[build-system]` (or setuptools) names.
    Pip,
    /// `poetry build`: Poetry builds the root package with its own builder,
    /// whatever backend the file declares.
    Poetry,
}

/// The project as a package: where that is declared, and what builds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Packaged {
    pub source: Source,
    pub builder: PackageBuilder,
}

/// What `pyproject.toml` says of installing the project itself.
#[derive(Debug, Clone, Default)]
pub(super) struct PackageRule {
    /// Where `[build-system]` is declared.
    build_system: Option<Source>,
    /// `tool.uv.package`, when set.
    uv_package: Option<bool>,
    /// `tool.pdm.distribution`, when set.
    pdm_distribution: Option<bool>,
    /// `tool.poetry.package-mode`, when set.
    poetry_package_mode: Option<bool>,
    /// Where `[project.scripts]`, `[project.gui-scripts]` or
    /// `[project.entry-points]` is declared.
    entry_points: Option<Source>,
    /// Where `[tool.poetry.scripts]` or `[tool.poetry.plugins]` is declared.
    poetry_entry_points: Option<Source>,
    /// `tool.poetry.packages` names the packages to build.
    poetry_packages: bool,
    /// `tool.poetry.name` (or `project.name`), as a module name.
    pub(super) module: Option<String>,
    /// The build backend is setuptools' (`setuptools.build_meta`, or none named).
    setuptools: bool,
    /// `[tool.setuptools]` names its `packages` or `py-modules`.
    setuptools_packages: bool,
}

impl PackageRule {
    pub(super) fn read(file: &TomlFile) -> PackageRule {
        let (text, doc) = (&file.text, &file.doc);
        let at = |needle: &str| Source::at("pyproject.toml", line_of(text, needle));
        let table = |path: &[&str]| {
            path.iter()
                .try_fold(doc, |table, key| table.get(*key)?.as_table())
        };
        let flag = |path: &[&str], key: &str| table(path)?.get(key)?.as_bool();
        let project = table(&["project"]);
        let poetry = table(&["tool", "poetry"]);
        fn declares(t: Option<&toml::Table>, keys: &[&'static str]) -> Option<&'static str> {
            keys.iter()
                .find(|k| t.is_some_and(|t| t.contains_key(**k)))
                .copied()
        }
        let name = poetry
            .and_then(|p| p.get("name"))
            .or_else(|| project.and_then(|p| p.get("name")))
            .and_then(toml::Value::as_str);
        PackageRule {
            build_system: doc.get("build-system").map(|_| at("[build-system]")),
            uv_package: flag(&["tool", "uv"], "package"),
            pdm_distribution: flag(&["tool", "pdm"], "distribution"),
            poetry_package_mode: flag(&["tool", "poetry"], "package-mode"),
            entry_points: declares(project, &["scripts", "gui-scripts", "entry-points"])
                .map(|key| at(&format!("[project.{key}"))),
            poetry_entry_points: declares(poetry, &["scripts", "plugins"])
                .map(|key| at(&format!("[tool.poetry.{key}"))),
            poetry_packages: poetry.is_some_and(|p| p.contains_key("packages")),
            module: name.map(|n| n.to_lowercase().replace(['-', '.'], "_")),
            setuptools: table(&["build-system"]).is_some_and(|b| {
                b.get("build-backend")
                    .and_then(toml::Value::as_str)
                    .is_none_or(|backend| backend.starts_with("setuptools"))
            }),
            setuptools_packages: table(&["tool", "setuptools"]).is_some_and(|t| {
                ["packages", "py-modules", "package-dir"]
                    .iter()
                    .any(|k| t.contains_key(*k))
            }),
        }
    }
}

/// Whether the image installs the project itself, by its manager's rule:
///
/// - uv: a `[build-system]` unless `tool.uv.package = false`, or any
///   project with `package = true`;
/// - PDM: a `[build-system]` unless `tool.pdm.distribution = false`;
/// - pip from `[project].dependencies`: a `[build-system]` (`pip install .`);
/// - Poetry: a root package with scripts or plugins (`poetry build`), unless
///   `package-mode = false`, where the package to build exists;
/// - a requirements file or a Pipfile: a package (`[build-system]`,
///   `setup.py`, `setup.cfg`) that declares entry points, since only they
///   need it.
///
/// Never where the install needs the source (`-e .`, a path in a lock): it
/// installs the project already.
pub(super) fn packaged(
    tree: &Tree,
    install: &Install,
    rule: Option<&PackageRule>,
    warnings: &mut Vec<String>,
) -> Option<Packaged> {
    let packaged = by_managers_rule(tree, install, rule)?;
    if packaged.builder == PackageBuilder::Pip
        && let Some(rule) = rule
        && let Some((kind, names)) = flat_layout_refused(tree, rule)
    {
        warnings.push(format!(
            "pyproject.toml: setuptools finds several top-level {kind} at the root ({}) and, with no `packages` setting, refuses to build the project: the image installs its dependencies and runs it from its source; to install it too, name what to build (`[tool.setuptools] packages = [\"{}\"]`, or `packages.find`)",
            names.join(", "),
            names[0]
        ));
        return None;
    }
    Some(packaged)
}

/// Folders setuptools' discovery in a flat layout leaves out, besides names
/// starting with `.` or `_` (its `FlatLayoutPackageFinder`).
const FLAT_EXCLUDED_PACKAGES: &[&str] = &[
    "ci",
    "bin",
    "debian",
    "doc",
    "docs",
    "documentation",
    "manpages",
    "news",
    "newsfragments",
    "changelog",
    "test",
    "tests",
    "unit_test",
    "unit_tests",
    "example",
    "examples",
    "scripts",
    "tools",
    "util",
    "utils",
    "python",
    "build",
    "dist",
    "venv",
    "env",
    "requirements",
    "tasks",
    "fabfile",
    "site_scons",
    "benchmark",
    "benchmarks",
    "exercise",
    "exercises",
    "htmlcov",
];

/// Modules it leaves out (its `FlatLayoutModuleFinder`).
const FLAT_EXCLUDED_MODULES: &[&str] = &[
    "setup",
    "conftest",
    "test",
    "tests",
    "example",
    "examples",
    "build",
    "toxfile",
    "noxfile",
    "pavement",
    "dodo",
    "tasks",
    "fabfile",
    "SConstruct",
    "Sconstruct",
    "sconstruct",
    "conanfile",
    "manage",
    "benchmark",
    "benchmarks",
    "exercise",
    "exercises",
];

/// What setuptools' automatic discovery finds where nothing configures it
/// (a flat layout: no `src/`, no `packages`/`py-modules`, no `setup.py` or
/// `setup.cfg` that could name them), when it refuses to build: every folder
/// at the root with an identifier's name is a package to it (templates and
/// static files too), and more than one is an error; with none, more than
/// one top-level module is. `("packages", [...])` or `("modules", [...])`.
fn flat_layout_refused(tree: &Tree, rule: &PackageRule) -> Option<(&'static str, Vec<String>)> {
    if !rule.setuptools
        || rule.setuptools_packages
        || ["setup.py", "setup.cfg"].iter().any(|f| tree.has_file(f))
        || tree.dirs.contains("src")
    {
        return None;
    }
    let counted = |name: &str| super::module::is_identifier(name) && !name.starts_with(['.', '_']);
    let packages: Vec<String> = tree
        .dirs
        .iter()
        .filter(|d| !d.contains('/') && counted(d) && !FLAT_EXCLUDED_PACKAGES.contains(&d.as_str()))
        .cloned()
        .collect();
    if packages.len() > 1 {
        return Some(("packages", packages));
    }
    if !packages.is_empty() {
        return None;
    }
    let modules: Vec<String> = tree
        .files
        .iter()
        .filter_map(|f| f.strip_suffix(".py"))
        .filter(|m| !m.contains('/') && counted(m) && !FLAT_EXCLUDED_MODULES.contains(m))
        .map(str::to_string)
        .collect();
    (modules.len() > 1).then_some(("modules", modules))
}

/// [`packaged`] by the manager's rule alone.
fn by_managers_rule(
    tree: &Tree,
    install: &Install,
    rule: Option<&PackageRule>,
) -> Option<Packaged> {
    if install.needs_source() {
        return None;
    }
    let default = PackageRule::default();
    let rule = rule.unwrap_or(&default);
    let pip = |source: Source| Packaged {
        source,
        builder: PackageBuilder::Pip,
    };
    let by_flag = |setting: Option<bool>, key: &str| match setting {
        Some(false) => None,
        Some(true) => Some(
            rule.build_system
                .clone()
                .unwrap_or_else(|| Source::at("pyproject.toml", 1).with_note(key)),
        ),
        None => rule.build_system.clone(),
    };
    match install {
        Install::Uv { .. } => by_flag(rule.uv_package, "tool.uv.package").map(pip),
        Install::Pdm(_) => by_flag(rule.pdm_distribution, "tool.pdm.distribution").map(pip),
        Install::Pyproject { .. } => rule.build_system.clone().map(pip),
        Install::Poetry(_) if rule.poetry_package_mode != Some(false) => {
            let source = rule.poetry_entry_points.clone()?;
            poetry_package_exists(tree, rule).then_some(Packaged {
                source,
                builder: PackageBuilder::Poetry,
            })
        }
        Install::Requirements { .. } | Install::Pipenv(_) => {
            declared_entry_points(tree, rule).map(pip)
        }
        _ => None,
    }
}

/// What Poetry would build: the packages it is given, else the one named
/// after the project, at the root or under `src/`.
fn poetry_package_exists(tree: &Tree, rule: &PackageRule) -> bool {
    rule.poetry_packages
        || rule.module.as_deref().is_some_and(|module| {
            [
                format!("{module}/__init__.py"),
                format!("src/{module}/__init__.py"),
                format!("{module}.py"),
            ]
            .iter()
            .any(|file| tree.has_file(file))
        })
}

/// Entry points of a package: `[project.scripts]` and the like with a build
/// system, `entry_points=` in `setup.py`, `[options.entry_points]` in `setup.cfg`.
fn declared_entry_points(tree: &Tree, rule: &PackageRule) -> Option<Source> {
    if rule.build_system.is_some()
        && let Some(source) = &rule.entry_points
    {
        return Some(source.clone());
    }
    [
        ("setup.py", "entry_points"),
        ("setup.cfg", "[options.entry_points]"),
    ]
    .into_iter()
    .find_map(|(file, needle)| {
        let text = tree.has_file(file).then(|| tree.read(file).ok())??;
        text.contains(needle)
            .then(|| Source::at(file, line_of(&text, needle)))
    })
}

/// A console script the project declares: `whoogle-search =
/// app.routes:run_app` runs `run_app()` of `app.routes`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ConsoleScript {
    pub name: String,
    pub module: String,
    pub function: String,
    pub source: Source,
}

/// The console scripts of `[project.scripts]`, `[tool.poetry.scripts]`,
/// setup.cfg's `console_scripts` and setup.py's `"console_scripts"`, each
/// with a name a shell can take as it is and a dotted target.
pub(super) fn console_scripts(tree: &Tree, pyproject: Option<&TomlFile>) -> Vec<ConsoleScript> {
    let mut found = Vec::new();
    if let Some(file) = pyproject {
        let tables = [
            file.doc.get("project").and_then(|p| p.get("scripts")),
            file.doc
                .get("tool")
                .and_then(|t| t.get("poetry"))
                .and_then(|p| p.get("scripts")),
        ];
        for (name, value) in tables
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_table())
            .flatten()
        {
            // Poetry also takes `{ callable = "..." }` (or `reference`).
            let target = value.as_str().or_else(|| {
                let table = value.as_table()?;
                table.get("callable").or(table.get("reference"))?.as_str()
            });
            let source = Source::at("pyproject.toml", line_of(&file.text, &format!("{name} =")));
            found.extend(target.and_then(|t| console_script(name, t, source)));
        }
    }
    if let Some(text) = tree
        .has_file("setup.cfg")
        .then(|| tree.read("setup.cfg").ok())
        .flatten()
    {
        // `console_scripts =` then indented `name = module:function` lines.
        let mut inside = false;
        for (i, line) in text.lines().enumerate() {
            let indented = line.starts_with([' ', '\t']);
            if !indented && !line.trim().is_empty() {
                inside = line
                    .split('=')
                    .next()
                    .is_some_and(|k| k.trim() == "console_scripts");
            }
            let entry = if indented {
                line
            } else {
                line.split_once('=').map_or("", |(_, v)| v)
            };
            if inside && let Some((name, target)) = entry.split_once('=') {
                found.extend(console_script(
                    name.trim(),
                    target,
                    Source::at("setup.cfg", i + 1),
                ));
            }
        }
    }
    if let Some(text) = tree
        .has_file("setup.py")
        .then(|| tree.read("setup.py").ok())
        .flatten()
        && text.contains("console_scripts")
    {
        for (i, line) in text.lines().enumerate() {
            for quoted in line.split(['"', '\'']).skip(1).step_by(2) {
                if let Some((name, target)) = quoted.split_once('=') {
                    found.extend(console_script(
                        name.trim(),
                        target,
                        Source::at("setup.py", i + 1),
                    ));
                }
            }
        }
    }
    found
}

/// `name = module:function` (extras after the target are allowed).
fn console_script(name: &str, target: &str, source: Source) -> Option<ConsoleScript> {
    let target = target.split('[').next()?.trim();
    let (module, function) = target.split_once(':')?;
    let dotted = |s: &str| !s.is_empty() && s.split('.').all(super::module::is_identifier);
    let plain_name = !name.is_empty()
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    (plain_name && dotted(module) && dotted(function)).then(|| ConsoleScript {
        name: name.to_string(),
        module: module.to_string(),
        function: function.to_string(),
        source,
    })
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_console_script_is_a_plain_name_and_a_dotted_target() {
        let script = |name: &str, target: &str| {
            console_script(name, target, Source::file("setup.cfg"))
                .map(|s| (s.name, s.module, s.function))
        };
        let some = |name: &str, module: &str, function: &str| {
            Some((name.to_string(), module.to_string(), function.to_string()))
        };
        assert_eq!(
            script("whoogle-search", " app.routes:run_app"),
            some("whoogle-search", "app.routes", "run_app")
        );
        assert_eq!(
            script("shop", "shop.cli:Main.run [server]"),
            some("shop", "shop.cli", "Main.run")
        );
        // A name a shell reads as more than a word, an option, or a target
        // that is not a dotted name, is none.
        for (name, target) in [
            ("shop;reboot", "shop.cli:main"),
            ("shop serve", "shop.cli:main"),
            ("-rf", "shop.cli:main"),
            ("shop", "shop.cli"),
            ("shop", "shop.cli:main; reboot"),
            ("shop", "$(reboot):main"),
        ] {
            assert_eq!(script(name, target), None, "{name} = {target}");
        }
    }
}
