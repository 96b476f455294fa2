//! The Python version for the base image, from the files that declare it.

use std::str::FromStr;

use anyhow::Result;
use pep508_rs::pep440_rs::{Version, VersionSpecifiers};

use super::files::{TomlFile, Tree};
use super::{Fact, Source};

/// Minor versions with official `python:X-slim` images, newest first.
pub const SUPPORTED_PYTHONS: &[&str] = &["3.14", "3.13", "3.12", "3.11", "3.10", "3.9"];

/// Used when the project declares nothing. 3.14 rather than the newest 3.15:
/// a year of releases means binary wheels exist for nearly every dependency.
pub const CURRENT_STABLE_PYTHON: &str = "3.14";

/// Reads `.python-version`, `.tool-versions`, `runtime.txt`, `requires-python`
/// and Poetry's `python`, in that order.
pub fn detect_python_version(
    tree: &Tree,
    pyproject: Option<&TomlFile>,
    pipfile: Option<&TomlFile>,
    warnings: &mut Vec<String>,
) -> Result<Option<Fact<String>>> {
    for (file, find, read, expected) in VERSION_FILES {
        if !tree.has_file(file) {
            continue;
        }
        let text = tree.read(file)?;
        if let Some((line, value)) = find(&text) {
            match read(value) {
                Some(minor) => return Ok(Some(Fact::new(minor, Source::at(*file, line)))),
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
                Some(minor) => return Ok(Some(Fact::new(minor, Source::at("Pipfile", line)))),
                None => warnings.push(format!(
                    "Pipfile:{line}: `{value}` is not a CPython version; ignored"
                )),
            }
        }
    }
    if let Some(file) = pyproject {
        if let Some((line, spec)) = requires_python(file) {
            match newest_satisfying(&spec) {
                Some(minor) => {
                    let source = Source::at("pyproject.toml", line)
                        .with_note(format!("newest supported version matching `{spec}`"));
                    return Ok(Some(Fact::new(minor.to_string(), source)));
                }
                None => warnings.push(format!(
                    "pyproject.toml:{line}: no supported Python matches `{spec}`; ignored"
                )),
            }
        }
    }
    Ok(None)
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
pub fn minor_of(version: &str) -> Option<String> {
    let mut parts = version.trim().split('.');
    let (major, minor) = (parts.next()?, parts.next()?);
    let minor: String = minor.chars().take_while(char::is_ascii_digit).collect();
    (major == "3" && !minor.is_empty()).then(|| format!("3.{minor}"))
}

/// `3.12` -> 12: the minor number of a CPython 3 version.
pub fn minor_number(version: &str) -> Option<u32> {
    minor_of(version)?.strip_prefix("3.")?.parse().ok()
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
pub fn poetry_to_pep440(spec: &str) -> String {
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
pub fn newest_satisfying(spec: &str) -> Option<&'static str> {
    let specifiers = VersionSpecifiers::from_str(spec).ok()?;
    SUPPORTED_PYTHONS.iter().copied().find(|minor| {
        let probe = Version::from_str(&format!("{minor}.99")).expect("valid version");
        specifiers.contains(&probe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
