//! The requirements a project declares for itself, read when a requirements
//! file installs the project (`-e .`, `.[postgres]`): pip then installs them
//! too, so the drivers, workers and pins they name are the image's as much
//! as those the requirements file lists.

use super::fact::Source;
use super::files::Tree;
use super::module::Module;
use super::package::normalize;
use crate::syntax::{Expr, Ranged, Stmt, Visitor, flat_statements, string_literal, visitor};

/// Each requirement the project at the root declares, with where: the
/// dependencies of `pyproject.toml`'s `[project]`, else `setup.cfg`'s
/// `install_requires`, else `setup.py`'s; and those of the `extras` asked
/// for, where the same file declares them.
pub(super) fn declared(tree: &Tree, extras: &[String]) -> Vec<(Source, String)> {
    let readers: [(&str, Reader); 3] = [
        ("pyproject.toml", from_pyproject),
        ("setup.cfg", from_setup_cfg),
        ("setup.py", from_setup_py),
    ];
    readers
        .into_iter()
        .filter(|(file, _)| tree.has_file(file))
        .filter_map(|(file, read)| {
            let text = tree.read(file).ok()?;
            let found = read(&text, extras);
            (!found.is_empty()).then(|| {
                found
                    .into_iter()
                    .map(|(line, requirement)| (Source::at(file, line), requirement))
                    .collect()
            })
        })
        .next()
        .unwrap_or_default()
}

/// Reads a file's text for `(line, requirement)` pairs, given the extras.
type Reader = fn(&str, &[String]) -> Vec<(usize, String)>;

/// `[project].dependencies` and `[project.optional-dependencies]` entries.
/// Extras are compared normalized, as pip does (`dev_tools` is `dev-tools`).
fn from_pyproject(text: &str, extras: &[String]) -> Vec<(usize, String)> {
    let Ok(doc) = toml::from_str::<toml::Table>(text) else {
        return Vec::new();
    };
    let project = doc.get("project");
    let optional = project.and_then(|p| p.get("optional-dependencies"));
    let asked = |key: &str| extras.contains(&normalize(key));
    let optional_lists = optional
        .and_then(toml::Value::as_table)
        .into_iter()
        .flatten()
        .filter(|(key, _)| asked(key))
        .map(|(_, list)| Some(list));
    let lists = std::iter::once(project.and_then(|p| p.get("dependencies"))).chain(optional_lists);
    lists
        .flatten()
        .filter_map(toml::Value::as_array)
        .flatten()
        .filter_map(toml::Value::as_str)
        .map(|requirement| (line_of(text, requirement), requirement.to_string()))
        .collect()
}

/// `install_requires` in `[options]` and the extras' keys in
/// `[options.extras_require]`: one requirement per continuation line (or
/// after `=` on the key's own line).
fn from_setup_cfg(text: &str, extras: &[String]) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut section = String::new();
    let mut taking = false;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.split_once(" #").map_or(raw, |(before, _)| before);
        let continues = raw.starts_with([' ', '\t']);
        let line = line.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        let value = if continues {
            taking.then_some(line)
        } else if line.starts_with('[') {
            section = line.to_string();
            taking = false;
            None
        } else {
            let (key, value) = line.split_once('=').unwrap_or((line, ""));
            let key = key.trim();
            taking = match section.as_str() {
                "[options]" => key == "install_requires",
                "[options.extras_require]" => extras.contains(&normalize(key)),
                _ => false,
            };
            taking.then_some(value.trim())
        };
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            found.push((index + 1, value.to_string()));
        }
    }
    found
}

/// `install_requires=[...]` given to `setup()`: a list of strings, or a
/// module-level name bound to one.
fn from_setup_py(text: &str, _extras: &[String]) -> Vec<(usize, String)> {
    let Ok(module) = Module::from_text("setup.py", text) else {
        return Vec::new();
    };
    let lists: Vec<(&str, &Expr)> = flat_statements(&module.body)
        .into_iter()
        .filter_map(|stmt| match stmt {
            Stmt::Assign(a) => match a.targets.as_slice() {
                [Expr::Name(name)] => Some((name.id.as_str(), a.value.as_ref())),
                _ => None,
            },
            _ => None,
        })
        .collect();
    struct Find<'a> {
        value: Option<&'a Expr>,
    }
    impl<'a> Visitor<'a> for Find<'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr
                && let Some(k) = call.arguments.keywords.iter().find(|k| {
                    k.arg
                        .as_ref()
                        .is_some_and(|a| a.as_str() == "install_requires")
                })
            {
                self.value = Some(&k.value);
            }
            if self.value.is_none() {
                visitor::walk_expr(self, expr);
            }
        }
    }
    let mut find = Find { value: None };
    find.visit_body(&module.body);
    let value = match find.value {
        Some(Expr::Name(name)) => lists
            .iter()
            .rev()
            .find(|(n, _)| *n == name.id.as_str())
            .map(|(_, v)| *v),
        other => other,
    };
    let Some(Expr::List(list)) = value else {
        return Vec::new();
    };
    list.elts
        .iter()
        .filter_map(|elt| Some((module.line(elt.start()), string_literal(elt)?.to_string())))
        .collect()
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extras(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn setup_cfg_install_requires_and_asked_extras() {
        let text = "[metadata]\nname = shop\n\n[options]\npackages = find:\ninstall_requires =\n    flask==3.1.0\n    psycopg[binary]==3.2.1  # the driver\n\n[options.extras_require]\nworker =\n    gevent==24.2.1\ndocs =\n    sphinx\n";
        assert_eq!(
            from_setup_cfg(text, &extras(&["worker"])),
            vec![
                (7, "flask==3.1.0".to_string()),
                (8, "psycopg[binary]==3.2.1".to_string()),
                (12, "gevent==24.2.1".to_string()),
            ]
        );
        assert_eq!(from_setup_cfg(text, &[]).len(), 2);
    }

    #[test]
    fn setup_py_list_inline_or_by_name() {
        let inline = "from setuptools import setup\nsetup(name='shop', install_requires=[\n    'flask',\n    'redis>=5',\n])\n";
        assert_eq!(
            from_setup_py(inline, &[]),
            vec![(3, "flask".to_string()), (4, "redis>=5".to_string())]
        );
        let named = "REQUIRES = ['flask', 'pymysql']\nsetup(install_requires=REQUIRES)\n";
        assert_eq!(from_setup_py(named, &[]).len(), 2);
        // Read from a file at run time: nothing known.
        let computed = "setup(install_requires=open('req.txt').read().split())\n";
        assert!(from_setup_py(computed, &[]).is_empty());
    }

    #[test]
    fn pyproject_dependencies_and_extras() {
        let text = "[project]\nname = 'shop'\ndependencies = ['flask', 'gunicorn']\n[project.optional-dependencies]\nPostgres_DB = ['psycopg2-binary']\n";
        let found = from_pyproject(text, &extras(&["postgres-db"]));
        assert_eq!(
            found.iter().map(|(_, r)| r.as_str()).collect::<Vec<_>>(),
            ["flask", "gunicorn", "psycopg2-binary"]
        );
        assert_eq!(found[2].0, 5);
    }
}
