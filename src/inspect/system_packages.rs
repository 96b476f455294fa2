//! Debian packages the dependencies need, from the table in `system_packages.toml`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Fact, Package};

#[derive(Deserialize)]
struct Needs {
    #[serde(default)]
    build: Vec<String>,
    #[serde(default)]
    runtime: Vec<String>,
}

fn table() -> BTreeMap<String, Needs> {
    toml::from_str(include_str!("system_packages.toml"))
        .expect("system_packages.toml is valid (checked by a test)")
}

/// Build and runtime Debian packages, sorted, each with the dependency that needs it.
pub fn detect(packages: &[Package]) -> (Vec<Fact<String>>, Vec<Fact<String>>) {
    let table = table();
    let mut build: BTreeMap<String, Fact<String>> = BTreeMap::new();
    let mut runtime: BTreeMap<String, Fact<String>> = BTreeMap::new();
    let add = |into: &mut BTreeMap<String, Fact<String>>, debian: &str, package: &Package| {
        into.entry(debian.to_string()).or_insert_with(|| {
            Fact::new(
                debian.to_string(),
                package
                    .source
                    .clone()
                    .with_note(format!("needed by `{}`", package.name)),
            )
        });
    };
    for package in packages {
        if package.vcs {
            add(&mut build, "git", package);
        }
        if let Some(needs) = table.get(&package.name) {
            needs.build.iter().for_each(|d| add(&mut build, d, package));
            needs
                .runtime
                .iter()
                .for_each(|d| add(&mut runtime, d, package));
        }
    }
    (
        build.into_values().collect(),
        runtime.into_values().collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::Source;

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
        let (build, runtime) = detect(&[package("flask"), package("psycopg2")]);
        let names = |v: &[Fact<String>]| v.iter().map(|f| f.value.clone()).collect::<Vec<_>>();
        assert_eq!(names(&build), ["gcc", "libpq-dev"]);
        assert_eq!(names(&runtime), ["libpq5"]);
    }

    #[test]
    fn binary_wheels_need_nothing() {
        let (build, runtime) = detect(&[package("psycopg2-binary")]);
        assert!(build.is_empty() && runtime.is_empty());
    }
}
