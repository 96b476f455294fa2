//! Replays the fuzz seeds and every input a fuzz run ever crashed on
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
        for folder in ["seeds", "regressions"] {
            let Ok(entries) = std::fs::read_dir(fuzz.join(folder).join(target)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                let bytes = std::fs::read(&path).unwrap();
                if let Ok(text) = std::str::from_utf8(&bytes) {
                    run(text);
                    replayed += 1;
                }
            }
        }
    }
    assert!(replayed >= TARGETS.len(), "only {replayed} inputs replayed");
}
