//! The front-end build a project carries: a `package.json` with a `build`
//! script, the lock its packages install from, the Node it asks for, and the
//! folders the build writes (named by the build's commands or by its bundler's
//! config). The image builds it in a Node stage and keeps only those folders.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

mod node;
mod outputs;

use super::fact::{Fact, Source};
use super::files::{Tree, join};

/// The package manager the lock file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeManager {
    #[serde(rename = "npm")]
    Npm,
    /// Yarn 1 (`yarn.lock` without `.yarnrc.yml`).
    #[serde(rename = "yarn")]
    Yarn,
    /// Yarn 2 and later (`.yarnrc.yml`, or `packageManager: yarn@2+`).
    #[serde(rename = "yarn-berry")]
    YarnBerry,
    #[serde(rename = "pnpm")]
    Pnpm,
}

/// A `package.json` whose `build` script the image runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Frontend {
    /// The folder holding `package.json`, relative to the root (`""` at the root).
    pub dir: String,
    pub manager: NodeManager,
    /// The lock file, relative to the root; `None` when none is committed.
    pub lock: Option<String>,
    /// Other files the install reads (`.yarnrc.yml`, `pnpm-workspace.yaml`).
    pub install_files: Vec<String>,
    /// The `build` script as `package.json` writes it, and where.
    pub script: Fact<String>,
    /// What the build writes, relative to the root: folders, or a file at the root.
    pub outputs: Vec<Fact<String>>,
    /// The build's commands that run Python (`flask digest compile`), which
    /// the Node stage does not have: it runs the others one by one instead.
    pub python_steps: Vec<Fact<String>>,
    /// The build's other commands, in order, when some run Python.
    pub node_commands: Vec<String>,
    /// The Node release asked for (`20`, `20.11.1`), and where.
    pub node: Option<Fact<String>>,
    /// No build: the app serves the installed packages themselves
    /// (`url_for('static', filename='node_modules/...')`, Flask-Assets
    /// bundles of them). The folder they are installed in, relative to the
    /// root (`node_modules` beside `package.json`); the one output is where
    /// the app finds them.
    pub vendored_from: Option<String>,
}

/// The deepest `package.json` considered (`app/static/package.json`).
const MAX_DEPTH: usize = 3;

/// Finds the project's front-end build: the shallowest `package.json` with a
/// `build` script outside tooling and test folders. `static_dir` is where
/// the build's output is taken to be when nothing names it.
pub(super) fn detect(
    tree: &Tree,
    static_dir: Option<&str>,
    warnings: &mut Vec<String>,
) -> Option<Frontend> {
    let mut manifests: Vec<&String> = tree
        .files
        .iter()
        .filter(|f| {
            (f.as_str() == "package.json" || f.ends_with("/package.json"))
                && f.matches('/').count() < MAX_DEPTH
                && !crate::syntax::is_tooling_path(f)
                && !crate::syntax::is_test_path(f)
                // `--prefix DIR`: a folder the package manager would read as an option.
                && !f.split('/').any(|part| part.starts_with('-'))
        })
        .collect();
    manifests.sort_by_key(|f| (f.matches('/').count(), f.as_str()));
    for manifest in manifests {
        let Some((text, json)) = read_manifest(tree, manifest, warnings) else {
            continue;
        };
        let dir = manifest
            .strip_suffix("package.json")
            .unwrap_or("")
            .trim_end_matches('/')
            .to_string();
        let scripts = scripts(&json).unwrap_or_default();
        let Some(build) = scripts.get("build") else {
            let found = Manifest {
                dir: &dir,
                manifest,
                text: &text,
                json: &json,
            };
            if let Some(vendored) = vendored(tree, &found, static_dir, warnings) {
                return Some(vendored);
            }
            continue;
        };
        let script = Fact::new(
            build.clone(),
            Source::at(manifest.clone(), line_of(&text, "build")),
        );
        let (manager, lock, install_files) = manager(tree, &dir, &json);
        let commands = outputs::build_commands(&scripts);
        let mut outputs = outputs::outputs(tree, &dir, &commands);
        let (python, node): (Vec<_>, Vec<_>) = commands.iter().partition(|c| c.needs_python());
        let python_steps: Vec<Fact<String>> = python
            .iter()
            .map(|c| {
                Fact::new(
                    c.text.clone(),
                    Source::file(manifest.clone()).with_note(format!("the `{}` script", c.script)),
                )
            })
            .collect();
        if node.is_empty() && !python_steps.is_empty() {
            // Nothing for a Node stage to run (`doit run deploy` drives the
            // bundlers itself): the stage would be an empty `RUN`.
            warnings.push(format!(
                "{}: the front-end build runs Python only (`{}`), which a Node stage does not have: the image does not build the front end; commit its output, or add the build to the Dockerfile's runtime stage",
                script.source,
                crate::safe::escaped(&python_steps[0].value)
            ));
            return None;
        }
        let node_commands = if python_steps.is_empty() {
            Vec::new()
        } else {
            node.iter().map(|c| c.text.clone()).collect()
        };
        if outputs.is_empty() {
            match static_dir {
                Some(folder) => outputs.push(Fact::new(
                    folder.to_string(),
                    Source::default(format!(
                        "{manifest}'s build names no output folder; the built `{folder}` is copied"
                    )),
                )),
                None => {
                    warnings.push(format!(
                        "{manifest} has a build script but names no output folder and the project has no static folder: the image does not build the front end; name the output (--outdir, outDir, output.path) for flaskdock to copy it"
                    ));
                    return None;
                }
            }
        }
        return Some(Frontend {
            node: node::node_version(tree, &dir, &json, manifest, &text, warnings),
            dir,
            manager,
            lock,
            install_files,
            script,
            outputs,
            python_steps,
            node_commands,
            vendored_from: None,
        });
    }
    None
}

/// A `package.json`'s text and JSON; one that cannot be read or parsed is a warning.
fn read_manifest(
    tree: &Tree,
    manifest: &str,
    warnings: &mut Vec<String>,
) -> Option<(String, serde_json::Value)> {
    let text = match tree.read(manifest) {
        Ok(text) => text,
        Err(err) => {
            warnings.push(format!("skipped {manifest}: {err:#}"));
            return None;
        }
    };
    match serde_json::from_str(&text) {
        Ok(json) => Some((text, json)),
        Err(err) => {
            warnings.push(format!(
                "skipped {manifest}: not valid JSON ({err}); fix it for the image to build its front end"
            ));
            None
        }
    }
}

/// A `package.json` as read: its folder, path, text and JSON.
struct Manifest<'a> {
    dir: &'a str,
    manifest: &'a str,
    text: &'a str,
    json: &'a serde_json::Value,
}

/// A `package.json` without a build whose packages the app serves as
/// installed: it has `dependencies`, and a template or module of the project
/// names `node_modules/`, which Flask resolves in the static folder
/// (`url_for('static', ...)`, Flask-Assets' bundles). They are installed
/// beside `package.json` and copied where the app looks for them.
fn vendored(
    tree: &Tree,
    found: &Manifest,
    static_dir: Option<&str>,
    warnings: &mut Vec<String>,
) -> Option<Frontend> {
    let Manifest {
        dir,
        manifest,
        text,
        json,
    } = *found;
    let packages = json.get("dependencies")?.as_object()?;
    if packages.is_empty() {
        return None;
    }
    let served = tree.files.iter().find(|f| {
        let code = [".html", ".htm", ".jinja", ".jinja2", ".j2", ".py"]
            .iter()
            .any(|ext| f.ends_with(ext));
        code && !f.split('/').any(|part| part == "node_modules")
            && !crate::syntax::is_test_path(f)
            && !crate::syntax::is_tooling_path(f)
            && tree.read(f).is_ok_and(|t| t.contains("node_modules/"))
    })?;
    let installed = join(dir, "node_modules");
    // Beside a `package.json` in the static folder, or else in it.
    let target = match static_dir {
        Some(folder) if !(dir == folder || dir.starts_with(&format!("{folder}/"))) => {
            join(folder, "node_modules")
        }
        _ => installed.clone(),
    };
    let (manager, lock, install_files) = manager(tree, dir, json);
    Some(Frontend {
        node: node::node_version(tree, dir, json, manifest, text, warnings),
        dir: dir.to_string(),
        manager,
        lock,
        install_files,
        script: Fact::new(
            "(none: the app serves the installed packages)".to_string(),
            Source::at(manifest.to_string(), line_of(text, "dependencies")),
        ),
        outputs: vec![Fact::new(
            target,
            Source::file(served.clone()).with_note("it names `node_modules/`"),
        )],
        python_steps: Vec::new(),
        node_commands: Vec::new(),
        vendored_from: Some(installed),
    })
}

/// `scripts` of a `package.json`: the string-valued entries.
fn scripts(json: &serde_json::Value) -> Option<BTreeMap<String, String>> {
    let scripts = json.get("scripts")?.as_object()?;
    Some(
        scripts
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect(),
    )
}

/// The 1-based line of `"key":` in a JSON text, 1 when not found.
pub(super) fn line_of(text: &str, key: &str) -> usize {
    let quoted = format!("\"{key}\"");
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(&quoted)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map_or(1, |i| i + 1)
}

/// The manager, the lock and the other files the install reads.
fn manager(
    tree: &Tree,
    dir: &str,
    json: &serde_json::Value,
) -> (NodeManager, Option<String>, Vec<String>) {
    let at = |name: &str| join(dir, name);
    let declared = json
        .get("packageManager")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("");
    let has = |name: &str| tree.has_file(&at(name));
    let mut files: Vec<String> = ["pnpm-workspace.yaml", ".yarnrc.yml", ".yarnrc"]
        .iter()
        .filter(|f| has(f))
        .map(|f| at(f))
        .collect();
    files.sort();
    let berry = has(".yarnrc.yml")
        || declared
            .strip_prefix("yarn@")
            .is_some_and(|v| !v.starts_with('1'));
    for (lock, manager) in [
        ("package-lock.json", NodeManager::Npm),
        ("npm-shrinkwrap.json", NodeManager::Npm),
        ("pnpm-lock.yaml", NodeManager::Pnpm),
        (
            "yarn.lock",
            if berry {
                NodeManager::YarnBerry
            } else {
                NodeManager::Yarn
            },
        ),
    ] {
        if has(lock) {
            return (manager, Some(at(lock)), files);
        }
    }
    let manager = if declared.starts_with("pnpm@") {
        NodeManager::Pnpm
    } else if declared.starts_with("yarn@") {
        if berry {
            NodeManager::YarnBerry
        } else {
            NodeManager::Yarn
        }
    } else {
        NodeManager::Npm
    };
    (manager, None, files)
}
