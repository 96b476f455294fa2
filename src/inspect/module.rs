//! A parsed `.py` file of the project: the vocabulary every detector that
//! reads code shares. Parsing the project's files (which ones, on how many
//! cores) is `source`'s work, above the detectors.

use super::files::Tree;
use crate::syntax::{self, Lines, Parsed, TextSize, ast::Suite};

/// One parsed `.py` file of the project.
pub(crate) struct Module {
    /// Path relative to the project root.
    pub path: String,
    /// Dotted import name (`app`, `shop`, `shop.views`), or `None` when the
    /// file's folder is not importable (a folder without `__init__.py`).
    pub name: Option<String>,
    /// Folder that must be on `sys.path` for `name` to import (`""` or `"src"`).
    pub import_root: String,
    pub body: Suite,
    /// The file has a syntax error (Python 2's `print "x"`, a mix of tabs
    /// and spaces): Python cannot import it, whatever parsed around it.
    pub has_syntax_error: bool,
    lines: Lines,
}

impl Module {
    /// 1-based line of a byte offset.
    pub(crate) fn line(&self, offset: TextSize) -> usize {
        self.lines.line(offset)
    }

    /// A file of the project, named by its import path from its package root.
    pub(super) fn of_project(tree: &Tree, path: &str, parsed: Parsed) -> Self {
        let (name, import_root) = module_name(tree, path);
        Module {
            path: path.to_string(),
            name,
            import_root,
            has_syntax_error: !parsed.errors.is_empty(),
            body: parsed.body,
            lines: parsed.lines,
        }
    }

    /// A module parsed from text alone, named after its path (`shop/views.py`
    /// -> `shop.views`), as if every folder were a package. Syntax errors are
    /// recovered from, as for a project's files.
    pub(crate) fn from_text(path: &str, text: &str) -> Result<Self, String> {
        let parsed = syntax::parse(path, text)?;
        let name = path.trim_end_matches(".py").replace('/', ".");
        Ok(Module {
            path: path.into(),
            name: is_identifier(&name.replace('.', "_")).then_some(name),
            import_root: String::new(),
            has_syntax_error: !parsed.errors.is_empty(),
            body: parsed.body,
            lines: parsed.lines,
        })
    }
}

/// `shop/views.py` -> `shop.views`; `src/shop/__init__.py` -> `shop` with root `src`.
pub(super) fn module_name(tree: &Tree, path: &str) -> (Option<String>, String) {
    let stem = path.trim_end_matches(".py");
    let mut parts: Vec<&str> = stem.split('/').collect();
    if parts.last() == Some(&"__init__") {
        parts.pop();
    }
    let folders = path.split('/').count() - 1;
    // Every folder between the import root and the file must be a package.
    let is_package = |depth: usize| {
        let dir: Vec<&str> = path.split('/').take(depth).collect();
        tree.has_file(&format!("{}/__init__.py", dir.join("/")))
    };
    let import_root_len = (0..=folders)
        .find(|&root| ((root + 1)..=folders).all(is_package))
        .unwrap_or(folders);
    let import_root = path
        .split('/')
        .take(import_root_len)
        .collect::<Vec<_>>()
        .join("/");
    let name: Vec<&str> = parts.into_iter().skip(import_root_len).collect();
    let valid = !name.is_empty() && name.iter().all(|p| crate::safe::is_module_part(p));
    (valid.then(|| name.join(".")), import_root)
}

pub(super) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::files::listed as tree;

    #[test]
    fn names_modules_from_their_package_root() {
        let t = tree(&[
            "app.py",
            "shop/__init__.py",
            "shop/views.py",
            "src/blog/__init__.py",
            "scripts/run.py",
            "rest-server.py",
            "2fa.py",
        ]);
        assert_eq!(
            module_name(&t, "app.py"),
            (Some("app".into()), String::new())
        );
        assert_eq!(
            module_name(&t, "shop/__init__.py"),
            (Some("shop".into()), String::new())
        );
        assert_eq!(
            module_name(&t, "shop/views.py"),
            (Some("shop.views".into()), String::new())
        );
        assert_eq!(
            module_name(&t, "src/blog/__init__.py"),
            (Some("blog".into()), "src".into())
        );
        assert_eq!(
            module_name(&t, "scripts/run.py"),
            (Some("run".into()), "scripts".into())
        );
        // importlib (so gunicorn) imports a hyphenated file; a leading digit
        // no importer accepts.
        assert_eq!(
            module_name(&t, "rest-server.py"),
            (Some("rest-server".into()), String::new())
        );
        assert_eq!(module_name(&t, "2fa.py"), (None, String::new()));
    }
}
