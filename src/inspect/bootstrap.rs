//! A script at the project's root that creates the app's tables when it is
//! run (`create_db.py`: `with app.app_context(): db.create_all()`): the
//! project's own bootstrap, which a new database needs once before the first
//! request. It is named as a setup step (`python create_db.py`).

use super::fact::{Fact, Source};
use super::files::Tree;
use crate::syntax::{self, Expr, Ranged, Stmt};

/// Root scripts (named in plain letters, digits, `_`, `-` and `.`) that
/// call `*.create_all()` when run (at module level, in a
/// `with` block, or in their `__main__` block; not in a function), each as
/// `python FILE` with the line of the call. `entry_file` (the module gunicorn
/// imports) is the app itself, not a script.
pub(super) fn scripts(tree: &Tree, entry_file: Option<&str>) -> Vec<Fact<String>> {
    tree.python_files()
        .filter(|path| {
            // A name the step's command line holds as one plain word.
            path.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                && !matches!(path.as_str(), "setup.py" | "conftest.py")
                && Some(path.as_str()) != entry_file
                && !syntax::is_test_path(path)
        })
        .filter_map(|path| {
            let text = tree.read(path).ok()?;
            // A module that builds the app is the app, not its setup.
            if !text.contains("create_all(") || text.contains("Flask(") {
                return None;
            }
            let parsed = syntax::parse(path, &text).ok()?;
            let statements = syntax::flat_statements(&parsed.body);
            // One that also starts a server (`app.run()` after the tables)
            // never ends: no step.
            if statements.iter().any(|stmt| calls(stmt, "run")) {
                return None;
            }
            let call = statements
                .into_iter()
                .find(|stmt| calls(stmt, "create_all"))?;
            let line = parsed.lines.line(call.range().start());
            Some(Fact::new(
                format!("python {path}"),
                Source::at(path.clone(), line),
            ))
        })
        .collect()
}

/// `receiver.method(...)` (`db.create_all()`), as a statement of its own.
fn calls(stmt: &Stmt, method: &str) -> bool {
    let Stmt::Expr(expr) = stmt else {
        return false;
    };
    matches!(expr.value.as_ref(), Expr::Call(call)
        if matches!(call.func.as_ref(), Expr::Attribute(a) if a.attr.as_str() == method))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_root_script_that_creates_the_tables_is_a_setup_step() {
        let (_dir, tree) = crate::inspect::files::scanned(&[
            (
                "create_db.py",
                "from project.app import app, db\n\nwith app.app_context():\n    db.create_all()\n    db.session.commit()\n",
            ),
            (
                "manage_db.py",
                "from app import db\n\nif __name__ == '__main__':\n    db.create_all()\n",
            ),
            // The app module itself, a function that is never called, a
            // test, and a module in a package: none is a setup script.
            (
                "app.py",
                "from flask import Flask\napp = Flask(__name__)\nwith app.app_context():\n    db.create_all()\n",
            ),
            (
                "helpers.py",
                "def reset(db):\n    db.drop_all()\n    db.create_all()\n",
            ),
            ("test_models.py", "db.create_all()\n"),
            ("project/setup_db.py", "db.create_all()\n"),
            // A module beside the entry that builds an app, or that starts
            // the development server after making the tables.
            (
                "server.py",
                "from flask import Flask\nserver = Flask(__name__)\nwith server.app_context():\n    db.create_all()\n",
            ),
            (
                "run.py",
                "from blog import app, db\nif __name__ == '__main__':\n    db.create_all()\n    app.run(debug=True)\n",
            ),
            // A name that is no plain word of a command line is never one.
            ("$(touch x) db.py", "db.create_all()\n"),
        ]);
        let found: Vec<(String, String)> = scripts(&tree, Some("app.py"))
            .into_iter()
            .map(|f| (f.value, f.source.to_string()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "python create_db.py".to_string(),
                    "create_db.py:4".to_string()
                ),
                (
                    "python manage_db.py".to_string(),
                    "manage_db.py:4".to_string()
                ),
            ]
        );
    }
}
