//! A settings module the app loads that the repository leaves out, each
//! checkout writing its own from an example beside it:
//! `app.config.from_object('app.local_settings')` or `from .local_settings
//! import *`, with `app/local_settings_example.py` committed. Without the
//! module the app fails at import, so the image starts from the example.

use serde::Serialize;

use super::fact::{Fact, Source};
use super::files::Tree;
use super::module::Module;
use crate::syntax::{self, Expr, Ranged, Stmt, Visitor, visitor};

/// A settings module to make from its example.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalSettings {
    /// The committed example (`app/local_settings_example.py`).
    pub example: String,
    /// The module the app loads (`app/local_settings.py`).
    pub target: String,
}

/// The settings modules the app's code loads unconditionally (not in a
/// `try` or an `if`, not from tests or tools) that the project lacks and
/// ships an example of, each with where it is loaded, first load first.
/// Only the files that name such a module are parsed, and only when the
/// project has an example of one.
pub(crate) fn detect(tree: &Tree) -> Vec<Fact<LocalSettings>> {
    let stems = missing_stems(tree);
    if stems.is_empty() {
        return Vec::new();
    }
    let modules: Vec<Module> = tree
        .python_files()
        .filter(|path| !syntax::is_test_path(path) && !syntax::is_tooling_path(path))
        .filter_map(|path| {
            let text = tree.read(path).ok()?;
            stems
                .iter()
                .any(|stem| text.contains(stem.as_str()))
                .then_some(())?;
            // Syntax errors are reported where the project's code is parsed.
            let parsed = syntax::parse(path, &text).ok()?;
            Some(Module::of_project(tree, path, parsed))
        })
        .collect();
    detect_in(tree, &modules)
}

/// The stems of the modules an example stands for that the project lacks
/// (`local_settings` for `app/local_settings_example.py`).
fn missing_stems(tree: &Tree) -> Vec<String> {
    let mut stems: Vec<String> = tree
        .files
        .iter()
        .filter_map(|path| {
            let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
            let stem = EXAMPLE_FORMS.iter().find_map(|(prefix, suffix)| {
                let stem = file.strip_prefix(prefix)?.strip_suffix(suffix)?;
                (!stem.is_empty()).then_some(stem)
            })?;
            let target = super::files::join(dir, stem);
            let missing = !tree.has_file(&format!("{target}.py"))
                && !tree.has_file(&format!("{target}/__init__.py"));
            missing.then(|| stem.to_string())
        })
        .collect();
    stems.sort();
    stems.dedup();
    stems
}

/// The loads in `modules` of a module the project lacks and has an example of.
fn detect_in(tree: &Tree, modules: &[Module]) -> Vec<Fact<LocalSettings>> {
    let mut found: Vec<Fact<LocalSettings>> = Vec::new();
    for module in modules {
        let mut scanner = Scanner {
            module,
            loads: Vec::new(),
        };
        scanner.visit_body(&module.body);
        for (dotted, line) in scanner.loads {
            let Some(settings) = missing_with_example(tree, &module.import_root, &dotted) else {
                continue;
            };
            if !found.iter().any(|f| f.value.target == settings.target) {
                found.push(Fact::new(settings, Source::at(&module.path, line)));
            }
        }
    }
    found
}

/// The names an example of `STEM.py` has: a prefix and a suffix around the
/// stem, in the order tried.
const EXAMPLE_FORMS: &[(&str, &str)] = &[
    ("", "_example.py"),
    ("", ".example.py"),
    ("", "-example.py"),
    ("example_", ".py"),
    ("", "_sample.py"),
    ("", ".sample.py"),
    ("", "_template.py"),
    ("", ".py.example"),
    ("", ".py.sample"),
    ("", ".py.template"),
    ("", ".py.tmpl"),
    ("", ".py.dist"),
];

/// `dotted` (or its parent, when it ends in a class: `local_config.Local`)
/// as a module the project lacks but has an example of.
fn missing_with_example(tree: &Tree, root: &str, dotted: &str) -> Option<LocalSettings> {
    let parent = dotted.rsplit_once('.').map(|(parent, _)| parent);
    [Some(dotted), parent]
        .into_iter()
        .flatten()
        .find_map(|name| {
            let path = super::files::join(root, &name.replace('.', "/"));
            if tree.has_file(&format!("{path}.py")) || tree.has_file(&format!("{path}/__init__.py"))
            {
                return None;
            }
            let (dir, stem) = path.rsplit_once('/').unwrap_or(("", &path));
            let example = EXAMPLE_FORMS
                .iter()
                .map(|(prefix, suffix)| super::files::join(dir, &format!("{prefix}{stem}{suffix}")))
                .find(|candidate| tree.has_file(candidate))?;
            Some(LocalSettings {
                example,
                target: format!("{path}.py"),
            })
        })
}

struct Scanner<'m> {
    module: &'m Module,
    /// Dotted module names loaded, each with its line.
    loads: Vec<(String, usize)>,
}

impl Scanner<'_> {
    fn load(&mut self, dotted: String, node: &impl Ranged) {
        self.loads.push((dotted, self.module.line(node.start())));
    }

    /// The package a relative import of `level` dots starts from.
    fn package(&self, level: u32) -> Option<String> {
        let name = self.module.name.as_deref()?;
        let is_package = self.module.path.ends_with("__init__.py");
        let mut parts: Vec<&str> = name.split('.').filter(|p| *p != "__init__").collect();
        let up = level as usize - usize::from(is_package);
        (up <= parts.len()).then(|| {
            parts.truncate(parts.len() - up);
            parts.join(".")
        })
    }

    fn imports(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    self.load(alias.name.to_string(), stmt);
                }
            }
            Stmt::ImportFrom(import) => {
                let module = import.module.as_ref().map(|m| m.to_string());
                let base = if import.level == 0 {
                    module
                } else {
                    let Some(package) = self.package(import.level) else {
                        return;
                    };
                    let joined = [Some(package), module].into_iter().flatten();
                    Some(
                        joined
                            .filter(|p| !p.is_empty())
                            .collect::<Vec<_>>()
                            .join("."),
                    )
                };
                let Some(base) = base.filter(|b| !b.is_empty()) else {
                    return;
                };
                // `from . import local_settings` names modules too.
                for alias in import.names.iter().filter(|a| a.name.as_str() != "*") {
                    self.load(format!("{base}.{}", alias.name), stmt);
                }
                self.load(base, stmt);
            }
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for Scanner<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            // An import the code guards, or makes only in some cases, is
            // one it can do without.
            Stmt::Try(_) | Stmt::If(_) => {}
            Stmt::Import(_) | Stmt::ImportFrom(_) => self.imports(stmt),
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr
            && let Expr::Attribute(attr) = call.func.as_ref()
            && attr.attr.as_str() == "from_object"
            && let Some(dotted) = call.arguments.args.first().and_then(syntax::string_literal)
        {
            self.load(dotted.to_string(), expr);
        }
        visitor::walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found_in(files: &[(&str, &str)]) -> Vec<(String, String, String)> {
        let tree = Tree {
            files: files.iter().map(|(p, _)| p.to_string()).collect(),
            ..Tree::default()
        };
        let modules: Vec<Module> = files
            .iter()
            .filter(|(p, _)| p.ends_with(".py"))
            .map(|(p, text)| Module::from_text(p, text).unwrap())
            .collect();
        let modules: Vec<Module> = modules
            .into_iter()
            .filter(|m| !syntax::is_test_path(&m.path) && !syntax::is_tooling_path(&m.path))
            .collect();
        detect_in(&tree, &modules)
            .into_iter()
            .map(|f| (f.value.example, f.value.target, f.source.to_string()))
            .collect()
    }

    #[test]
    fn a_settings_module_left_out_with_an_example_beside_it() {
        let found = found_in(&[
            (
                "app/__init__.py",
                "def create_app():\n    app = Flask(__name__)\n    app.config.from_object('app.settings')\n    app.config.from_object('app.local_settings')\n    return app\n",
            ),
            ("app/settings.py", "DEBUG = False\n"),
            ("app/local_settings_example.py", "SECRET_KEY = 'x'\n"),
        ]);
        assert_eq!(
            found,
            [(
                "app/local_settings_example.py".to_string(),
                "app/local_settings.py".to_string(),
                "app/__init__.py:4".to_string()
            )]
        );
        // A relative import, a class inside the module, other example names.
        let found = found_in(&[
            ("shop/__init__.py", "from .local_config import *\n"),
            ("shop/local_config.py.template", "X = 1\n"),
            (
                "web.py",
                "app.config.from_object('site_config.Production')\n",
            ),
            ("site_config.py.tmpl", "class Production: pass\n"),
        ]);
        let targets: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
        assert_eq!(targets, ["shop/local_config.py", "site_config.py"]);
        assert_eq!(found[0].0, "shop/local_config.py.template");
    }

    #[test]
    fn present_guarded_or_exampleless_modules_are_not_reported() {
        let found = found_in(&[
            // Committed.
            (
                "a.py",
                "import config\napp.config.from_object('config.Prod')\n",
            ),
            ("config.py", "class Prod: pass\n"),
            ("config_example.py", "class Prod: pass\n"),
            // Guarded: the app does without it.
            (
                "b.py",
                "try:\n    from local_settings import *\nexcept ImportError:\n    pass\n",
            ),
            ("local_settings.py.example", "X = 1\n"),
            (
                "d.py",
                "if app.config.get('EXTRA'):\n    from extra_settings import X\n",
            ),
            ("extra_settings.py.tmpl", "X = 1\n"),
            // No example: an installed package, not a settings file.
            ("c.py", "import requests\nfrom flask import Flask\n"),
            // Tests load their own.
            ("tests/conftest.py", "import test_settings\n"),
            ("tests/test_settings_example.py", "X = 1\n"),
        ]);
        assert_eq!(found, []);
    }
}
