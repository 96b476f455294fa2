//! Debian packages the dependencies need, from the table in `system_packages.toml`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::fact::{Fact, Source};
use super::package::Package;
use super::wheels::{Pin, builds_from_source};
use crate::safe::PythonVersion;

#[derive(Deserialize)]
struct Needs {
    #[serde(default)]
    build: Vec<String>,
    #[serde(default)]
    runtime: Vec<String>,
    /// Needed only when pip builds the package from source: a pinned release
    /// with no Linux wheel for the image's Python.
    #[serde(default)]
    without_wheel_only: bool,
}

fn table() -> BTreeMap<String, Needs> {
    toml::from_str(include_str!("system_packages.toml"))
        .expect("system_packages.toml is valid (checked by a test)")
}

/// Build and runtime Debian packages, sorted, each with the dependency that
/// needs it. `python` is the image's Python minor (`3.13`), for packages that
/// need their build dependencies only where they have no wheel.
pub(super) fn detect(
    packages: &[Package],
    pins: &[Pin],
    python: PythonVersion,
) -> (Vec<Fact<String>>, Vec<Fact<String>>) {
    let table = table();
    let minor = python.minor();
    let mut build: BTreeMap<String, Fact<String>> = BTreeMap::new();
    let mut runtime: BTreeMap<String, Fact<String>> = BTreeMap::new();
    let add = |into: &mut BTreeMap<String, Fact<String>>, debian: &str, source: &Source| {
        into.entry(debian.to_string())
            .or_insert_with(|| Fact::new(debian.to_string(), source.clone()));
    };
    // What the image installs: the declared packages, then what only a
    // lock pins (a driver a stale or transitive lock entry brings builds
    // and runs as one that is declared).
    const LOCKS: &[&str] = &["Pipfile.lock", "poetry.lock", "pdm.lock", "uv.lock"];
    let declared: std::collections::HashSet<&str> =
        packages.iter().map(|p| p.name.as_str()).collect();
    let locked_only = pins
        .iter()
        .filter(|pin| {
            pin.source
                .file
                .as_deref()
                .is_some_and(|f| LOCKS.contains(&f))
        })
        .filter(|pin| !declared.contains(pin.name.as_str()))
        .map(|pin| (pin.name.as_str(), false, &pin.source));
    let installed = packages
        .iter()
        .map(|p| (p.name.as_str(), p.vcs, &p.source))
        .chain(locked_only);
    for (name, vcs, declared_at) in installed {
        let needed_by = declared_at.clone().with_note(format!("needed by `{name}`"));
        if vcs {
            add(&mut build, "git", &needed_by);
        }
        let Some(needs) = table.get(name) else {
            continue;
        };
        let source = if needs.without_wheel_only {
            let from_source = pins
                .iter()
                .find(|pin| pin.name == name && builds_from_source(pin, minor));
            let Some(pin) = from_source else { continue };
            pin.source.clone().with_note(format!(
                "needed to build `{}=={}`, which has no wheel for Python {python}",
                pin.name, pin.version
            ))
        } else {
            needed_by
        };
        needs.build.iter().for_each(|d| add(&mut build, d, &source));
        needs
            .runtime
            .iter()
            .for_each(|d| add(&mut runtime, d, &source));
    }
    // A pin with no wheel for this Python is compiled by pip: where the table
    // names no build packages for it, C and C++ compilers and make (builder
    // stage only).
    let unlisted = |pin: &&Pin| table.get(&pin.name).is_none_or(|n| n.build.is_empty());
    for pin in pins
        .iter()
        .filter(|pin| builds_from_source(pin, minor))
        .filter(unlisted)
    {
        let source = pin.source.clone().with_note(format!(
            "needed to compile `{}=={}`, which has no wheel for Python {python}",
            pin.name, pin.version
        ));
        add(&mut build, "build-essential", &source);
    }
    (
        build.into_values().collect(),
        runtime.into_values().collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str) -> Package {
        Package {
            name: name.into(),
            vcs: false,
            extras: Vec::new(),
            source: Source::at("requirements.txt", 1),
        }
    }

    #[test]
    fn table_parses() {
        assert!(table().contains_key("psycopg2"));
    }

    #[test]
    fn psycopg2_builds_with_headers_and_runs_with_libpq() {
        let (build, runtime) = detect(
            &[package("flask"), package("psycopg2")],
            &[],
            PythonVersion::new(14),
        );
        let names = |v: &[Fact<String>]| v.iter().map(|f| f.value.clone()).collect::<Vec<_>>();
        assert_eq!(names(&build), ["gcc", "libpq-dev"]);
        assert_eq!(names(&runtime), ["libpq5"]);
    }

    #[test]
    fn binary_wheels_need_nothing() {
        let (build, runtime) = detect(&[package("psycopg2-binary")], &[], PythonVersion::new(14));
        assert!(build.is_empty() && runtime.is_empty());
    }

    #[test]
    fn lxml_needs_headers_only_where_its_pin_has_no_wheel() {
        let pin = |version: &str| Pin {
            name: "lxml".into(),
            version: version.into(),
            source: Source::at("requirements.txt", 3),
        };
        let names = |v: &[Fact<String>]| v.iter().map(|f| f.value.clone()).collect::<Vec<_>>();
        // Unpinned, or a release with wheels for the Python: nothing to build.
        assert!(
            detect(&[package("lxml")], &[], PythonVersion::new(14))
                .0
                .is_empty()
        );
        assert!(
            detect(&[package("lxml")], &[pin("4.9.3")], PythonVersion::new(12))
                .0
                .is_empty()
        );
        // lxml 4.9.3 has wheels up to 3.12: on 3.13 pip compiles it.
        let (build, runtime) = detect(&[package("lxml")], &[pin("4.9.3")], PythonVersion::new(13));
        assert_eq!(names(&build), ["gcc", "libxml2-dev", "libxslt1-dev"]);
        assert_eq!(names(&runtime), ["libxml2", "libxslt1.1"]);
        assert_eq!(
            build[0].source.described(),
            "requirements.txt:3 (needed to build `lxml==4.9.3`, which has no wheel for Python 3.13)"
        );
    }
}
