//! Helpers shared by the test modules.

use std::path::{Path, PathBuf};

use anyhow::Result;
use flaskdock::InitOptions;
use flaskdock::answers::Flags;
use flaskdock::prompt::Prompter;
use flaskdock::write::Mode;

pub fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// Every example project, sorted by name.
pub fn examples() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(examples_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Copies an example into a fresh temporary folder (named like the example,
/// so project names in the output match), leaving out any file `init` writes:
/// a newcomer who ran the README's quick start into `examples/` must not change
/// what the tests see.
///
/// Examples ship without lock files that name package registries; where a
/// tool would need one (`Pipfile.lock`), a stand-in is written, as `pipenv lock`
/// would. The container tier makes real ones.
pub fn copy_example(name: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let target = temp.path().join(name);
    copy_dir(&examples_dir().join(name), &target);
    for file in GENERATED {
        let _ = std::fs::remove_file(target.join(file));
    }
    if target.join("Pipfile").is_file() && !target.join("Pipfile.lock").exists() {
        std::fs::write(target.join("Pipfile.lock"), "{}\n").unwrap();
    }
    (temp, target)
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Writes `files` (path, contents) under `root`.
pub fn write_tree(root: &Path, files: &[(&str, &str)]) {
    for (path, contents) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
}

/// `init` (no questions) on a fresh folder holding `files`: the folder,
/// kept alive for the test to read what was written, and the report.
pub fn init_tree(files: &[(&str, &str)]) -> (tempfile::TempDir, flaskdock::InitReport) {
    let temp = tempfile::tempdir().unwrap();
    write_tree(temp.path(), files);
    let report = flaskdock::init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    (temp, report)
}

/// The error `init` (no questions) gives on a fresh folder holding `files`.
pub fn init_error(files: &[(&str, &str)]) -> String {
    let temp = tempfile::tempdir().unwrap();
    write_tree(temp.path(), files);
    flaskdock::init(&options(temp.path(), false), &mut NoPrompts)
        .unwrap_err()
        .to_string()
}

/// The files `init` writes.
pub const GENERATED: &[&str] = &[
    "Dockerfile",
    ".dockerignore",
    "docker-compose.yml",
    ".env.example",
    "README.Docker.md",
    ".flaskdock.toml",
];

/// Fails the test if anything asks a question.
pub struct NoPrompts;

impl Prompter for NoPrompts {
    fn input(
        &mut self,
        prompt: &str,
        _: &str,
        _: &dyn Fn(&str) -> Result<(), String>,
    ) -> Result<String> {
        panic!("prompted for {prompt:?} in a non-interactive run")
    }
    fn select(&mut self, prompt: &str, _: &[String], _: usize) -> Result<usize> {
        panic!("prompted for {prompt:?} in a non-interactive run")
    }
    fn show(&mut self, text: &str) {
        panic!("showed {text:?} in a non-interactive run")
    }
}

pub fn options(path: &std::path::Path, interactive: bool) -> InitOptions {
    InitOptions {
        path: path.to_path_buf(),
        output: None,
        flags: Flags::default(),
        template: None,
        values: Default::default(),
        mode: Mode::Write { force: false },
        interactive,
    }
}
