//! The Python version for the base image, from the files that declare it.

use std::str::FromStr;

use anyhow::Result;
use pep508_rs::pep440_rs::{Version, VersionSpecifiers};

use super::fact::{Fact, Source};
use super::files::{TomlFile, Tree};
use super::module::Module;
use crate::safe::PythonVersion;

/// Minor versions with official `python:X-slim` images, newest first.
pub const SUPPORTED_PYTHONS: &[&str] = &["3.14", "3.13", "3.12", "3.11", "3.10", "3.9"];

/// Used when the project declares nothing. 3.14 rather than the newest 3.15:
/// a year of releases means binary wheels exist for nearly every dependency.
pub const CURRENT_STABLE_PYTHON: PythonVersion = PythonVersion::new(14);

/// The Python a project declares.
#[derive(Debug)]
pub(super) struct Declared {
    /// The minor version the image gets.
    pub fact: Fact<String>,
    /// The PEP 440 range it was chosen from (`requires-python`, ...); `None`
    /// when a file names one version.
    pub range: Option<String>,
}

impl Declared {
    fn exact(fact: Fact<String>) -> Option<Self> {
        Some(Declared { fact, range: None })
    }

    /// The newest supported minor in `spec`, found at `file:line`; a range no
    /// supported Python satisfies is ignored with a warning.
    fn newest_in(spec: &str, file: &str, line: usize, warnings: &mut Vec<String>) -> Option<Self> {
        let Some(minor) = newest_satisfying(spec) else {
            warnings.push(format!(
                "{file}:{line}: no supported Python matches `{spec}`; ignored"
            ));
            return None;
        };
        let source =
            Source::at(file, line).with_note(format!("newest supported version matching `{spec}`"));
        Some(Declared {
            fact: Fact::new(minor.to_string(), source),
            range: Some(spec.to_string()),
        })
    }
}

/// Reads `.python-version`, `.tool-versions`, `runtime.txt`, Pipfile's
/// `python_version`, `requires-python`, Poetry's `python`, then setuptools'
/// `python_requires` (`setup.cfg`, `setup.py`), in that order. A version a
/// file names exactly wins, unless the packaging's range excludes it (a
/// `runtime.txt` left from an older deployment): then the range does, with
/// a warning.
pub(super) fn detect_python_version(
    tree: &Tree,
    pyproject: Option<&TomlFile>,
    pipfile: Option<&TomlFile>,
    warnings: &mut Vec<String>,
) -> Result<Option<Declared>> {
    let exact = named_version(tree, pipfile, warnings)?;
    let range = declared_range(tree, pyproject, warnings)?;
    Ok(match (exact, range) {
        (Some(exact), Some(range))
            if range
                .range
                .as_deref()
                .is_some_and(|spec| !admits_any_release(spec, &exact.fact.value)) =>
        {
            let spec = range.range.as_deref().unwrap_or_default();
            warnings.push(format!(
                "{}: Python {} is outside `{spec}`, which {} declares; the range is used: update or remove the older file",
                exact.fact.source,
                exact.fact.value,
                range.fact.source,
            ));
            Some(range)
        }
        (Some(exact), _) => Some(exact),
        (None, range) => range,
    })
}

/// The one version a file names: `.python-version`, `.tool-versions`,
/// `runtime.txt`, then Pipfile's `python_version`.
fn named_version(
    tree: &Tree,
    pipfile: Option<&TomlFile>,
    warnings: &mut Vec<String>,
) -> Result<Option<Declared>> {
    for (file, find, read, expected) in VERSION_FILES {
        if !tree.has_file(file) {
            continue;
        }
        let text = tree.read(file)?;
        if let Some((line, value)) = find(&text) {
            match read(value) {
                Some(minor) => {
                    return Ok(Declared::exact(Fact::new(minor, Source::at(*file, line))));
                }
                None => warnings.push(format!(
                    "{file}:{line}: `{value}` is not {expected}; ignored"
                )),
            }
        }
    }
    if let Some(TomlFile { text, doc }) = pipfile {
        let requires = doc.get("requires");
        let version = requires.and_then(|r| {
            r.get("python_version")
                .or_else(|| r.get("python_full_version"))
        });
        if let Some(value) = version.and_then(|v| v.as_str()) {
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with("python_"))
                .map_or(1, |i| i + 1);
            match minor_of(value) {
                Some(minor) => {
                    return Ok(Declared::exact(Fact::new(
                        minor,
                        Source::at("Pipfile", line),
                    )));
                }
                None => warnings.push(format!(
                    "Pipfile:{line}: `{value}` is not a CPython version; ignored"
                )),
            }
        }
    }
    Ok(None)
}

/// The range the packaging declares: `requires-python` (or Poetry's
/// `python`), then setuptools' `python_requires`.
fn declared_range(
    tree: &Tree,
    pyproject: Option<&TomlFile>,
    warnings: &mut Vec<String>,
) -> Result<Option<Declared>> {
    if let Some((line, spec)) = pyproject.and_then(requires_python)
        && let Some(declared) = Declared::newest_in(&spec, "pyproject.toml", line, warnings)
    {
        return Ok(Some(declared));
    }
    for (file, read) in SETUPTOOLS_FILES {
        if !tree.has_file(file) {
            continue;
        }
        let Some((line, spec)) = read(&tree.read(file)?) else {
            continue;
        };
        if let Some(declared) = Declared::newest_in(&spec, file, line, warnings) {
            return Ok(Some(declared));
        }
    }
    Ok(None)
}

/// The newest Python a project says it is tested on: its trove classifiers
/// (`Programming Language :: Python :: 3.11`), its tox environments
/// (`py311`), its CI matrix (`python-version: ["3.10", "3.11"]`).
pub(super) fn tested_on(tree: &Tree) -> Option<Fact<String>> {
    let classifier = regex::Regex::new(r"Programming Language :: Python :: 3\.(\d{1,2})\b").ok()?;
    let tox = regex::Regex::new(r"\bpy3\.?(\d{1,2})\b").ok()?;
    let version = regex::Regex::new(r#"(?:^|[\s\[,'"-])3\.(\d{1,2})\b"#).ok()?;
    let mut newest: Option<(u32, Source)> = None;
    let mut consider = |minor: &str, file: &str, line: usize| {
        let Ok(minor) = minor.parse::<u32>() else {
            return;
        };
        if newest.as_ref().is_none_or(|(n, _)| minor > *n) {
            newest = Some((minor, Source::at(file, line)));
        }
    };
    for file in ["pyproject.toml", "setup.cfg", "setup.py"] {
        let Some(text) = tree.has_file(file).then(|| tree.read(file).ok()).flatten() else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            for m in classifier.captures_iter(line) {
                consider(&m[1], file, i + 1);
            }
        }
    }
    if let Some(text) = tree
        .has_file("tox.ini")
        .then(|| tree.read("tox.ini").ok())
        .flatten()
    {
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_start();
            if line.starts_with("envlist")
                || line.starts_with("[testenv:")
                || line.starts_with("py")
            {
                for m in tox.captures_iter(line) {
                    consider(&m[1], "tox.ini", i + 1);
                }
            }
        }
    }
    let ci_files = tree.files.iter().filter(|f| {
        f.starts_with(".github/workflows/") || f.starts_with(".travis.") || *f == ".gitlab-ci.yml"
    });
    // A workflow that runs no tests (it publishes, or builds the docs) says
    // nothing of the Pythons the project is tested on.
    let runs_tests = regex::Regex::new(r"(?i)\b(?:py)?tests?\b|\b(?:tox|nox|unittest)\b").ok()?;
    for file in ci_files {
        let Ok(text) = tree.read(file) else { continue };
        if !runs_tests.is_match(&text) {
            continue;
        }
        // `python-version: "3.11"`, `python-version: [3.9, "3.10"]`, or a list
        // on the lines after the key; Travis' `python:` the same way.
        let mut in_list = false;
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            let value = trimmed
                .strip_prefix("python-version:")
                .or_else(|| trimmed.strip_prefix("python:"))
                .or_else(|| trimmed.strip_prefix("- python-version:"));
            match value {
                Some(value) => {
                    in_list = value.trim().is_empty();
                    for minor in ci_minors(&version, value) {
                        consider(&minor, file, i + 1);
                    }
                }
                None if in_list && trimmed.starts_with('-') => {
                    for minor in ci_minors(&version, trimmed) {
                        consider(&minor, file, i + 1);
                    }
                }
                None => in_list = false,
            }
        }
    }
    let (minor, source) = newest?;
    Some(Fact::new(
        format!("3.{minor}"),
        source.with_note("the newest Python it is tested on"),
    ))
}

/// The minors a CI line names: `3.11`, and `3.x` (setup-python's newest
/// release) as the newest stable one.
fn ci_minors(version: &regex::Regex, value: &str) -> Vec<String> {
    let mut minors: Vec<String> = version
        .captures_iter(value)
        .map(|m| m[1].to_string())
        .collect();
    let newest = value
        .split(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | ',' | '\'' | '"' | '-'))
        .any(|word| word == "3.x");
    if newest {
        minors.push(CURRENT_STABLE_PYTHON.minor().to_string());
    }
    minors
}

/// A declared range is bounded above by the newest Python the project is
/// tested on, when the range allows a supported one below that bound; with
/// nothing declared, the tested Python is the choice (older ones stay open to
/// the pins' wheels).
pub(super) fn bounded_by_tests(
    declared: Option<Declared>,
    tested: Option<Fact<String>>,
) -> Option<Declared> {
    let Some(tested) = tested else {
        return declared;
    };
    let Some(newest) = minor_number(&tested.value) else {
        return declared;
    };
    let within = |range: &str| {
        SUPPORTED_PYTHONS.iter().copied().find(|python| {
            minor_number(python).is_some_and(|m| m <= newest) && satisfies(range, python)
        })
    };
    match declared {
        None => Some(Declared {
            range: Some(format!("<3.{}", newest + 1)),
            fact: tested,
        }),
        Some(Declared {
            fact,
            range: Some(range),
        }) => match within(&range) {
            Some(python) if minor_number(&fact.value).is_some_and(|m| m > newest) => {
                let note = format!(
                    "newest version matching `{range}` that the project is tested on ({})",
                    tested.source
                );
                Some(Declared {
                    fact: Fact::new(python.to_string(), fact.source.with_note(note)),
                    range: Some(range),
                })
            }
            _ => Some(Declared {
                fact,
                range: Some(range),
            }),
        },
        exact => exact,
    }
}

/// The Python an existing Dockerfile builds on (`FROM python:3.11-slim`) is
/// what the project runs: it is the version when nothing else declares one,
/// and it is chosen inside a declared range that allows it.
pub(super) fn with_deployment(
    declared: Option<Declared>,
    image: Option<Fact<String>>,
) -> Option<Declared> {
    let Some(image) = image else { return declared };
    match declared {
        None => Declared::exact(image),
        Some(Declared {
            range: Some(range), ..
        }) if satisfies(&range, &image.value) => {
            let source = image
                .source
                .with_note(format!("the project's Dockerfile, within `{range}`"));
            Some(Declared {
                fact: Fact::new(image.value, source),
                range: Some(range),
            })
        }
        declared => declared,
    }
}

/// Finds a version range in a file's text, with its line.
type RangeReader = fn(&str) -> Option<(usize, String)>;

/// setuptools' `python_requires`, read after `pyproject.toml`.
const SETUPTOOLS_FILES: &[(&str, RangeReader)] = &[
    ("setup.cfg", setup_cfg_python_requires),
    ("setup.py", setup_py_python_requires),
];

/// `python_requires = >=3.8` in the `[options]` section of `setup.cfg`.
fn setup_cfg_python_requires(text: &str) -> Option<(usize, String)> {
    let mut in_options = false;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            in_options = line == "[options]";
        } else if let Some((key, value)) = line.split_once('=').filter(|_| in_options) {
            let value = value.trim();
            if key.trim() == "python_requires" && !value.is_empty() {
                return Some((i + 1, value.to_string()));
            }
        }
    }
    None
}

/// `python_requires="..."` given to `setup()` (or put in a dict of its
/// arguments) in `setup.py`: a string, or a module-level name bound to one.
fn setup_py_python_requires(text: &str) -> Option<(usize, String)> {
    use crate::syntax::{
        Expr, Ranged, Stmt, TextSize, Visitor, flat_statements, string_literal, visitor,
    };
    let module = Module::from_text("setup.py", text).ok()?;
    let constants: Vec<(&str, &str)> = flat_statements(&module.body)
        .into_iter()
        .filter_map(|stmt| match stmt {
            Stmt::Assign(a) => match (a.targets.as_slice(), string_literal(&a.value)) {
                ([Expr::Name(name)], Some(value)) => Some((name.id.as_str(), value)),
                _ => None,
            },
            _ => None,
        })
        .collect();

    struct Find<'a> {
        constants: &'a [(&'a str, &'a str)],
        found: Option<(TextSize, String)>,
    }
    impl Find<'_> {
        fn value(&self, expr: &Expr) -> Option<String> {
            match expr {
                Expr::Name(name) => self
                    .constants
                    .iter()
                    .find(|(n, _)| *n == name.id.as_str())
                    .map(|(_, v)| v.to_string()),
                expr => string_literal(expr).map(str::to_string),
            }
        }
    }
    impl<'a> Visitor<'a> for Find<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found.is_some() {
                return;
            }
            match expr {
                Expr::Call(call) => {
                    let keyword = call.arguments.keywords.iter().find(|k| {
                        k.arg
                            .as_ref()
                            .is_some_and(|a| a.as_str() == "python_requires")
                    });
                    if let Some(k) = keyword {
                        self.found = self.value(&k.value).map(|v| (k.start(), v));
                    }
                }
                Expr::Dict(dict) => {
                    let entry = dict.items.iter().find(|item| {
                        item.key
                            .as_ref()
                            .and_then(string_literal)
                            .is_some_and(|k| k == "python_requires")
                    });
                    if let Some(item) = entry {
                        let at = item.key.as_ref().map_or(dict.start(), Ranged::start);
                        self.found = self.value(&item.value).map(|v| (at, v));
                    }
                }
                _ => {}
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut find = Find {
        constants: &constants,
        found: None,
    };
    find.visit_body(&module.body);
    let (offset, spec) = find.found?;
    Some((module.line(offset), spec))
}

/// A version file: its name, how to find the version in it, how to read the
/// version, and what it should look like (for the warning).
type VersionFile = (
    &'static str,
    fn(&str) -> Option<(usize, &str)>,
    fn(&str) -> Option<String>,
    &'static str,
);

/// Plain version files, in order of precedence (`pyproject.toml` comes after).
const VERSION_FILES: &[VersionFile] = &[
    (
        ".python-version",
        first_value,
        minor_of,
        "a CPython version",
    ),
    (
        ".tool-versions",
        tool_versions_python,
        minor_of,
        "a CPython version",
    ),
    ("runtime.txt", first_value, runtime_txt, "`python-X.Y.Z`"),
];

/// `python 3.12.1` in asdf's `.tool-versions`.
fn tool_versions_python(text: &str) -> Option<(usize, &str)> {
    text.lines().enumerate().find_map(|(i, l)| {
        let mut words = l.split_whitespace();
        (words.next() == Some("python")).then(|| (i + 1, words.next().unwrap_or("")))
    })
}

/// `python-3.11.4` in Heroku's `runtime.txt`.
fn runtime_txt(value: &str) -> Option<String> {
    value.strip_prefix("python-").and_then(minor_of)
}

fn first_value(text: &str) -> Option<(usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .find(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// `3.12.1` or `3.12` -> `3.12`.
pub(super) fn minor_of(version: &str) -> Option<String> {
    PythonVersion::of_release(version).map(|v| v.to_string())
}

/// `3.12` -> 12: the minor number of a CPython 3 version.
pub(super) fn minor_number(version: &str) -> Option<u32> {
    PythonVersion::of_release(version).map(PythonVersion::minor)
}

/// `[project].requires-python`, else Poetry's `python` dependency as a PEP 440 specifier.
pub(crate) fn requires_python(file: &TomlFile) -> Option<(usize, String)> {
    let (text, doc) = (&file.text, &file.doc);
    let line_of = |key: &str| {
        text.lines()
            .position(|l| l.trim_start().starts_with(key))
            .map_or(1, |i| i + 1)
    };
    if let Some(spec) = doc
        .get("project")
        .and_then(|p| p.get("requires-python"))
        .and_then(|v| v.as_str())
    {
        return Some((line_of("requires-python"), spec.to_string()));
    }
    let poetry = doc
        .get("tool")?
        .get("poetry")?
        .get("dependencies")?
        .get("python")?
        .as_str()?;
    Some((line_of("python"), poetry_to_pep440(poetry)))
}

/// Poetry's `^3.10` and `~3.10` to PEP 440; other forms pass through.
pub(super) fn poetry_to_pep440(spec: &str) -> String {
    let bump = |v: &str, minor_only: bool| {
        let nums: Vec<u64> = v.split('.').filter_map(|n| n.parse().ok()).collect();
        match (minor_only, nums.as_slice()) {
            (false, [major, ..]) => format!(">={v},<{}", major + 1),
            (true, [major, minor, ..]) => format!(">={v},<{major}.{}", minor + 1),
            _ => format!(">={v}"),
        }
    };
    spec.split(',')
        .map(|part| {
            let part = part.trim();
            if let Some(v) = part.strip_prefix('^') {
                bump(v.trim(), false)
            } else if let Some(v) = part.strip_prefix('~').filter(|v| !v.starts_with('=')) {
                bump(v.trim(), true)
            } else if part.starts_with(|c: char| c.is_ascii_digit()) {
                format!("=={part}")
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The newest supported minor version whose later patch releases satisfy `spec`.
pub(super) fn newest_satisfying(spec: &str) -> Option<&'static str> {
    SUPPORTED_PYTHONS
        .iter()
        .copied()
        .find(|minor| satisfies(spec, minor))
}

/// Whether some release of `minor` is in `spec`: `==3.11.4` and `<3.11.5`
/// admit 3.11 (patch releases 0 to 40 and 99 are tried).
fn admits_any_release(spec: &str, minor: &str) -> bool {
    admits_patch(spec, minor, (0..=40).chain([99]))
}

/// Whether the later patch releases of `minor` (`3.12`) satisfy `spec`.
pub(super) fn satisfies(spec: &str, minor: &str) -> bool {
    admits_patch(spec, minor, [99])
}

/// Whether one of the `patches` releases of `minor` is in `spec`.
fn admits_patch(spec: &str, minor: &str, patches: impl IntoIterator<Item = u32>) -> bool {
    let Ok(specifiers) = VersionSpecifiers::from_str(spec) else {
        return false;
    };
    patches.into_iter().any(|patch| {
        Version::from_str(&format!("{minor}.{patch}")).is_ok_and(|v| specifiers.contains(&v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_python_requires_from_setuptools_files() {
        let cfg = "[metadata]\nname = x\npython_requires = >=2.7\n\n[options]\npackages = find:\npython_requires = >=3.8, <3.12\n";
        assert_eq!(
            setup_cfg_python_requires(cfg),
            Some((7, ">=3.8, <3.12".to_string()))
        );
        let direct = "from setuptools import setup\n\nsetup(\n    name='x',\n    python_requires='>=3.10',\n)\n";
        assert_eq!(
            setup_py_python_requires(direct),
            Some((5, ">=3.10".to_string()))
        );
        let by_name = "import setuptools\nPYTHON_REQUIRES = '>=3.7, <3.14'\ndef params():\n    return dict(name='x', python_requires=PYTHON_REQUIRES)\nsetuptools.setup(**params())\n";
        assert_eq!(
            setup_py_python_requires(by_name),
            Some((4, ">=3.7, <3.14".to_string()))
        );
        let in_dict = "ARGS = {\n  'name': 'x',\n  'python_requires': '~=3.9',\n}\n";
        assert_eq!(
            setup_py_python_requires(in_dict),
            Some((3, "~=3.9".to_string()))
        );
        assert_eq!(setup_py_python_requires("setup(name='x')\n"), None);
        assert_eq!(setup_py_python_requires("setup(\n"), None);
    }

    #[test]
    fn a_named_version_outside_the_packagings_range_gives_way_to_it() {
        let pyproject_text = "[project]\nname = \"x\"\nrequires-python = \">=3.8\"\n";
        let declared = |runtime: &str| {
            let (_temp, tree) = super::super::files::scanned(&[
                ("runtime.txt", runtime),
                ("pyproject.toml", pyproject_text),
            ]);
            let pyproject = TomlFile::parse("pyproject.toml", pyproject_text.to_string()).unwrap();
            let mut warnings = Vec::new();
            let declared =
                detect_python_version(&tree, Some(&pyproject), None, &mut warnings).unwrap();
            (declared.unwrap(), warnings)
        };
        // A runtime.txt left from an old Heroku deployment.
        let (stale, warnings) = declared("python-3.6.5\n");
        assert_eq!(stale.fact.value, "3.14");
        assert_eq!(stale.range.as_deref(), Some(">=3.8"));
        assert_eq!(
            warnings,
            [
                "runtime.txt:1: Python 3.6 is outside `>=3.8`, which pyproject.toml:3 declares; the range is used: update or remove the older file"
            ]
        );
        assert!(admits_any_release("==3.11.4", "3.11"));
        assert!(admits_any_release(">=3.8,<3.11.5", "3.11"));
        assert!(!admits_any_release(">=3.8", "3.6"));
        // Inside the range, the named version wins as before.
        let (named, warnings) = declared("python-3.11.4\n");
        assert_eq!(named.fact.value, "3.11");
        assert_eq!(named.range, None);
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn minor_versions() {
        assert_eq!(minor_of("3.12.1").as_deref(), Some("3.12"));
        assert_eq!(minor_of("3.11").as_deref(), Some("3.11"));
        assert_eq!(minor_of("pypy3.10"), None);
        assert_eq!(minor_of("2.7"), None);
    }

    #[test]
    fn poetry_constraints_become_pep_440() {
        assert_eq!(poetry_to_pep440("^3.10"), ">=3.10,<4");
        assert_eq!(poetry_to_pep440("~3.11"), ">=3.11,<3.12");
        assert_eq!(poetry_to_pep440(">=3.9,<3.13"), ">=3.9,<3.13");
        assert_eq!(poetry_to_pep440("3.12.*"), "==3.12.*");
        assert_eq!(newest_satisfying(&poetry_to_pep440("~3.11")), Some("3.11"));
    }

    #[test]
    fn specifiers_resolve_to_the_newest_supported_minor() {
        assert_eq!(newest_satisfying(">=3.10"), Some("3.14"));
        assert_eq!(newest_satisfying(">=3.9,<3.13"), Some("3.12"));
        assert_eq!(newest_satisfying("~=3.11.0"), Some("3.11"));
        assert_eq!(newest_satisfying("==3.10.*"), Some("3.10"));
        assert_eq!(newest_satisfying(">=4"), None);
    }
}
