//! Replays the fuzz seeds (the hand-written ones, the examples' files, the
//! ACME set's manifest) and every input a fuzz run ever crashed on
//! (`tests/fuzz/regressions/<target>/`) through the same entry points the fuzz
//! targets call: none may panic.

use std::path::Path;

type Target = (&'static str, fn(&str));

const TARGETS: &[Target] = &[
    ("requirements", flaskdock::inspect::fuzz::requirements),
    ("python_source", flaskdock::inspect::fuzz::python_source),
    ("pyproject", flaskdock::inspect::fuzz::pyproject),
    ("pipfile", flaskdock::inspect::fuzz::pipfile),
    ("template_manifest", |text| {
        let _ = flaskdock::templates::manifest::parse_manifest(text, "fuzz");
    }),
    ("dockerfile", flaskdock::doctor::fuzz::dockerfile),
    ("compose", flaskdock::doctor::fuzz::compose),
];

#[test]
fn every_seed_and_regression_input_is_handled() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let mut replayed = 0;
    for (target, run) in TARGETS {
        assert!(
            fuzz.join("fuzz_targets")
                .join(format!("{target}.rs"))
                .is_file(),
            "{target} has no fuzz target"
        );
        let mut inputs: Vec<std::path::PathBuf> = Vec::new();
        for folder in ["seeds", "regressions"] {
            if let Ok(entries) = std::fs::read_dir(fuzz.join(folder).join(target)) {
                inputs.extend(entries.map(|e| e.unwrap().path()));
            }
        }
        inputs.extend(example_files(target));
        for path in inputs {
            let bytes = std::fs::read(&path).unwrap();
            if let Ok(text) = std::str::from_utf8(&bytes) {
                run(text);
                replayed += 1;
            }
        }
    }
    assert!(replayed >= TARGETS.len(), "only {replayed} inputs replayed");
}

/// The repository's own files a target reads: the examples' and the ACME set's.
fn example_files(target: &str) -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if target == "template_manifest" {
        return vec![root.join("tests/fixtures/acme-set/flaskdock-template.toml")];
    }
    let wanted = |name: &str| match target {
        "requirements" => name.starts_with("requirements") && name.ends_with(".txt"),
        "python_source" => name.ends_with(".py"),
        "pyproject" => name == "pyproject.toml",
        "pipfile" => name == "Pipfile",
        _ => false,
    };
    let mut found = Vec::new();
    let mut stack = vec![root.join("examples")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .file_name()
                .is_some_and(|n| wanted(&n.to_string_lossy()))
            {
                found.push(path);
            }
        }
    }
    found
}
