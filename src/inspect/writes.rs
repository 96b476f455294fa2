//! Folders of the project the app writes into at run time: a log folder it
//! makes (`os.makedirs("logs")`), a log file's folder (`RotatingFileHandler`),
//! an upload folder in its configuration, a SQLite file beside a module
//! (`"sqlite:///" + os.path.join(basedir, "app.db")`). The image's source
//! belongs to root and is read-only to the app, so these folders are made and
//! handed to the app user. Only paths the code spells out are followed:
//! relative literals (the working directory is the project's root), a
//! module's own folder (`os.path.dirname(__file__)`, `Path(__file__).parent`)
//! joined with literals, and the default of an environment read.

use super::fact::{Fact, Source};
use super::module::Module;
use crate::syntax::{self, Expr, Ranged, Stmt, Visitor, ast, visitor};

/// Words a file must hold to be worth reading for its writes (the parse
/// prefilter of `source.rs` adds them to its own).
pub(super) const NEEDLES: &[&str] = &["mkdir", "makedirs", "FileHandler", "_FOLDER", "sqlite:///"];

/// And the statements that bind a module's own folder (`basedir = ...`),
/// which a file read for its facts alone keeps for the writes to follow.
pub(super) const BINDINGS: &[&str] = &["__file__"];

/// Words of a configuration key (`UPLOAD_FOLDER`, `LOG_DIR`) that name a
/// folder the app writes into; `STATIC_FOLDER` or `BASE_DIR` are read.
const WRITTEN_KEY_WORDS: &[&str] = &[
    "UPLOAD", "UPLOADS", "MEDIA", "LOG", "LOGS", "DATA", "CACHE", "STORAGE", "BACKUP", "BACKUPS",
    "EXPORT", "EXPORTS", "OUTPUT", "FILES",
];

/// Calls that make the folder their first argument names.
const MAKE_FOLDER: &[&str] = &["mkdir", "makedirs"];

/// Calls that open, and may first create, the file their first argument names.
const LOG_FILES: &[&str] = &[
    "FileHandler",
    "RotatingFileHandler",
    "TimedRotatingFileHandler",
    "WatchedFileHandler",
];

/// How a path bound to a configuration key (`app.config["DATA_DIR"] = ...`)
/// is named among the scanner's names: never a Python name.
fn config_key(key: &str) -> String {
    format!("[{key}]")
}

/// The folders `module` writes into, relative to the project's root (`.` is
/// the root itself), each with where the code says so.
pub(super) fn scan(module: &Module) -> Vec<Fact<String>> {
    let mut scanner = Scanner {
        module,
        names: Vec::new(),
        found: Vec::new(),
    };
    scanner.visit_body(&module.body);
    scanner.found
}

struct Scanner<'m> {
    module: &'m Module,
    /// Names bound to a path this scanner can follow (`basedir = ...`).
    names: Vec<(String, String)>,
    found: Vec<Fact<String>>,
}

impl Scanner<'_> {
    /// The path `expr` spells, relative to the root, when it can be known.
    fn path(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::StringLiteral(_) => relative(syntax::string_literal(expr)?),
            Expr::Name(name) if name.id.as_str() == "__file__" => Some(self.file()),
            Expr::Name(name) => self.bound(name.id.as_str()),
            // `app.config["DATA_DIR"]`, bound earlier in the module
            Expr::Subscript(subscript) => {
                self.bound(&config_key(syntax::string_literal(&subscript.slice)?))
            }
            // `Path(a) / "b"`
            Expr::BinOp(op) if op.op == ast::Operator::Div => {
                join(&self.path(&op.left)?, &self.path(&op.right)?)
            }
            // `Path(__file__).parent`, `.resolve().parent.parent`
            Expr::Attribute(attribute) if attribute.attr.as_str() == "parent" => {
                parent(&self.path(&attribute.value)?)
            }
            Expr::Call(call) => self.call_path(call),
            // `setting or default`: the first that can be known.
            Expr::BoolOp(op) if op.op == ast::BoolOp::Or => {
                op.values.iter().find_map(|v| self.path(v))
            }
            _ => None,
        }
    }

    /// The path last bound to `name` (a variable, or a [`config_key`]).
    fn bound(&self, name: &str) -> Option<String> {
        self.names
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.clone())
    }

    fn call_path(&self, call: &ast::ExprCall) -> Option<String> {
        let args = &call.arguments.args;
        let name = syntax::call_name(&call.func)?;
        match name {
            "join" => args.iter().try_fold(String::new(), |acc, a| match a {
                // `os.pardir`
                Expr::Attribute(up) if up.attr.as_str() == "pardir" => join(&acc, ".."),
                _ => join(&acc, &self.path(a)?),
            }),
            "dirname" => parent(&self.path(args.first()?)?),
            "abspath" | "realpath" | "normpath" | "Path" | "PurePath" | "str" => {
                self.path(args.first()?)
            }
            "resolve" | "absolute" => match call.func.as_ref() {
                Expr::Attribute(attribute) => self.path(&attribute.value),
                _ => None,
            },
            // `os.environ.get("UPLOAD_FOLDER", default)`: the default.
            "get" | "getenv" => self.path(args.get(1)?),
            _ => None,
        }
    }

    /// The module's own path, relative to the root.
    fn file(&self) -> String {
        self.module.path.clone()
    }

    fn record(&mut self, folder: Option<String>, at: &impl Ranged) {
        let Some(folder) = folder else { return };
        let source = Source::at(&self.module.path, self.module.line(at.start()));
        if !self.found.iter().any(|f| f.value == folder) {
            self.found.push(Fact::new(folder, source));
        }
    }

    fn call(&mut self, call: &ast::ExprCall) {
        let Some(name) = syntax::call_name(&call.func) else {
            return;
        };
        if MAKE_FOLDER.contains(&name) {
            // `os.makedirs(p)`, or `Path(p).mkdir()` on its receiver.
            let folder = match (call.arguments.args.first(), call.func.as_ref()) {
                (Some(arg), _) => self.path(arg),
                (None, Expr::Attribute(attribute)) => self.path(&attribute.value),
                _ => None,
            };
            self.record(folder, call);
        } else if LOG_FILES.contains(&name) {
            let file = call.arguments.args.first().and_then(|a| self.path(a));
            self.record(file.and_then(|f| parent(&f)), call);
        }
    }

    /// `UPLOAD_FOLDER = ...`, `app.config["LOG_FOLDER"] = ...`: a folder the
    /// app is configured to write into.
    fn configured(&mut self, target: &Expr, value: &Expr) {
        let key = match target {
            Expr::Name(name) => Some(name.id.as_str()),
            Expr::Subscript(subscript) => syntax::string_literal(&subscript.slice),
            _ => None,
        };
        // `_PATH` names files as often as folders: only an upload's is taken.
        let written = |key: &str| {
            let words = |list: &[&str]| key.split('_').any(|word| list.contains(&word));
            ((key.ends_with("_FOLDER") || key.ends_with("_DIR")) && words(WRITTEN_KEY_WORDS))
                || (key.ends_with("_PATH") && words(&["UPLOAD", "UPLOADS", "MEDIA"]))
        };
        if key.is_some_and(written) {
            let folder = self.path(value);
            self.record(folder, value);
        }
    }

    /// `"sqlite:///" + <path>`: the database file's folder.
    fn sqlite(&mut self, expr: &Expr) {
        let Expr::BinOp(op) = expr else { return };
        if op.op == ast::Operator::Add
            && syntax::string_literal(&op.left).is_some_and(|s| s == "sqlite:///")
        {
            let file = self.path(&op.right);
            self.record(file.and_then(|f| parent(&f)), expr);
        }
    }
}

impl<'a> Visitor<'a> for Scanner<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let (targets, value) = match stmt {
            Stmt::Assign(assign) => (assign.targets.as_slice(), Some(assign.value.as_ref())),
            Stmt::AnnAssign(assign) => (
                std::slice::from_ref(assign.target.as_ref()),
                assign.value.as_deref(),
            ),
            _ => (&[][..], None),
        };
        if let Some(value) = value {
            for target in targets {
                self.configured(target, value);
            }
            let name = match targets.first() {
                Some(Expr::Name(name)) => Some(name.id.to_string()),
                Some(Expr::Subscript(subscript)) => {
                    syntax::string_literal(&subscript.slice).map(config_key)
                }
                _ => None,
            };
            if let (Some(name), Some(path)) = (name, self.path(value)) {
                self.names.push((name, path));
            }
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => self.call(call),
            Expr::BinOp(_) => self.sqlite(expr),
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// A literal path relative to the root: absolute ones and those that leave
/// the project are not followed.
fn relative(text: &str) -> Option<String> {
    if text.starts_with('/') || text.contains('\\') {
        return None;
    }
    join("", text)
}

/// `base` joined with `rest`, normalised (`.` and `..` folded), or `None`
/// when it leaves the root or a part is not a plain file name: the folder
/// ends up in a Dockerfile's `RUN` line, quoted, but there is no reason to
/// carry anything else.
fn join(base: &str, rest: &str) -> Option<String> {
    if rest.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in base.split('/').chain(rest.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ if part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) =>
            {
                parts.push(part);
            }
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

/// The folder holding `path` (`""` is the root).
fn parent(path: &str) -> Option<String> {
    Some(path.rsplit_once('/').map_or("", |(dir, _)| dir).to_string())
}

/// How a folder is shown and written: `.` for the root.
pub fn shown(folder: &str) -> &str {
    if folder.is_empty() { "." } else { folder }
}

/// A folder the app writes into.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WriteDir {
    /// Relative to the root; `""` is the root itself.
    pub folder: Fact<String>,
    /// It holds files of the project (the root, a package): the app may
    /// add files there but must not change the source.
    pub holds_files: bool,
}

/// The folders `writes` found, each told whether it holds project files.
/// A path the project has as a file is left out: `mkdir` would fail the build.
pub(super) fn write_dirs(tree: &super::files::Tree, writes: Vec<Fact<String>>) -> Vec<WriteDir> {
    writes
        .into_iter()
        .filter(|folder| !tree.files.contains(&folder.value))
        .map(|folder| {
            let holds_files = tree
                .files
                .iter()
                .any(|f| f.rsplit_once('/').map_or("", |(dir, _)| dir) == folder.value);
            WriteDir {
                folder,
                holds_files,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writes(path: &str, code: &str) -> Vec<(String, String)> {
        let module = Module::from_text(path, code).unwrap();
        scan(&module)
            .into_iter()
            .map(|f| (shown(&f.value).to_string(), f.source.to_string()))
            .collect()
    }

    #[test]
    fn folders_made_logged_to_or_configured_are_found() {
        let code = "import os\nfrom pathlib import Path\n\
            from logging.handlers import RotatingFileHandler\n\
            basedir = os.path.abspath(os.path.dirname(__file__))\n\
            class Config:\n    UPLOAD_FOLDER = os.path.join(basedir, 'uploads')\n\
            \x20   SQLALCHEMY_DATABASE_URI = os.environ.get('DATABASE_URL') or 'sqlite:///' + os.path.join(basedir, 'app.db')\n\
            def create_app():\n    if not os.path.exists('logs'):\n        os.mkdir('logs')\n\
            \x20   handler = RotatingFileHandler('logs/app.log', maxBytes=10240)\n\
            \x20   Path(__file__).resolve().parent.joinpath('x')\n\
            \x20   (Path(__file__).parent / 'cache').mkdir(exist_ok=True)\n\
            \x20   os.makedirs(os.environ.get('MEDIA_DIR', 'media/files'), exist_ok=True)\n";
        assert_eq!(
            writes("shop/config.py", code),
            [
                ("shop/uploads".to_string(), "shop/config.py:6".to_string()),
                ("shop".to_string(), "shop/config.py:7".to_string()),
                ("logs".to_string(), "shop/config.py:10".to_string()),
                ("shop/cache".to_string(), "shop/config.py:13".to_string()),
                ("media/files".to_string(), "shop/config.py:14".to_string()),
            ]
        );
    }

    #[test]
    fn paths_bound_to_config_keys_are_followed() {
        let code = "import os\nfrom flask import Flask\napp = Flask(__name__)\n\
            app.config['ROOT'] = os.getenv('ROOT', os.path.dirname(os.path.abspath(__file__)))\n\
            app.config['STATIC'] = os.path.join(app.config['ROOT'], 'static')\n\
            app.config['STATE_PATH'] = os.getenv('STATE_VOLUME', os.path.join(app.config['STATIC'], 'state'))\n\
            if not os.path.exists(app.config['STATE_PATH']):\n    os.makedirs(app.config['STATE_PATH'])\n\
            os.makedirs(app.config['UNKNOWN'])\n";
        assert_eq!(
            writes("search/__init__.py", code),
            [(
                "search/static/state".to_string(),
                "search/__init__.py:8".to_string()
            )]
        );
    }

    #[test]
    fn an_upload_path_is_a_folder_written_and_another_path_is_not() {
        let code = "import os\nbasedir = os.path.dirname(os.path.dirname(__file__))\n\
            class Config:\n    BLOG_UPLOAD_PATH = os.path.join(basedir, 'uploads')\n\
            \x20   TEMPLATE_PATH = os.path.join(basedir, 'themes')\n\
            \x20   LOG_PATH = os.path.join(basedir, 'logs', 'app.log')\n";
        assert_eq!(
            writes("blog/settings.py", code),
            [("uploads".to_string(), "blog/settings.py:4".to_string())]
        );
    }

    #[test]
    fn a_folder_holding_files_is_shared_and_a_file_of_that_name_is_no_folder() {
        let tree = super::super::files::listed(&["app.py", "data", "shop/__init__.py"]);
        let at = || Source::at("app.py", 1);
        let found = ["", "data", "shop", "logs"].map(|f| Fact::new(f.to_string(), at()));
        let dirs: Vec<(String, bool)> = write_dirs(&tree, found.to_vec())
            .into_iter()
            .map(|d| (d.folder.value, d.holds_files))
            .collect();
        assert_eq!(
            dirs,
            [
                (String::new(), true),
                ("shop".to_string(), true),
                ("logs".to_string(), false)
            ]
        );
    }

    #[test]
    fn paths_outside_the_project_unknown_or_only_read_are_not_followed() {
        let code = "import os\n\
            os.makedirs('/var/log/app')\n\
            os.makedirs('../elsewhere')\n\
            os.makedirs(f'{root}/x')\n\
            os.makedirs(some_dir)\n\
            os.makedirs('a b/$(reboot)')\n\
            UPLOAD_FOLDER = os.path.join(os.path.dirname(__file__), '..', '..', 'up')\n\
            LOG_FOLDER = 'logs/../data'\n\
            BASE_DIR = os.path.dirname(__file__)\n\
            STATIC_FOLDER = 'static'\n\
            class Config:\n    CACHE_DIR: str = config['x'] or os.path.join(BASE_DIR, os.pardir, 'cache')\n";
        assert_eq!(
            writes("app/x.py", code),
            [
                ("data".to_string(), "app/x.py:8".to_string()),
                ("cache".to_string(), "app/x.py:12".to_string()),
            ]
        );
    }
}
