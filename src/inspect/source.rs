//! Python source files parsed once with a real parser; detectors share the result.

use rustpython_ast::{Expr, Stmt};
use rustpython_parser::{Parse, ast::Suite};

use super::env::{CodeFacts, merge, scan_module};
use super::files::Tree;

/// One parsed `.py` file of the project.
pub struct Module {
    /// Path relative to the project root.
    pub path: String,
    /// Dotted import name (`app`, `shop`, `shop.views`), or `None` when the
    /// file's folder is not importable (a folder without `__init__.py`).
    pub name: Option<String>,
    /// Folder that must be on `sys.path` for `name` to import (`""` or `"src"`).
    pub import_root: String,
    pub body: Suite,
    line_starts: Vec<u32>,
}

impl Module {
    /// 1-based line of a byte offset.
    pub fn line(&self, offset: rustpython_parser::text_size::TextSize) -> usize {
        let offset = u32::from(offset);
        self.line_starts.partition_point(|&start| start <= offset)
    }
}

/// Which `.py` files to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selection {
    /// Every file.
    All,
    /// Files that can hold a fact `inspect` looks for: they name Flask, Celery,
    /// the environment, a database, or a factory another file defines, or they
    /// have a conventional entry name. Others cannot change the result.
    ThatMatter,
}

/// Words one of which a file must contain to be worth parsing for `inspect`.
/// (`from flask import Blueprint` alone is not: an app is made with `Flask(`.)
const NEEDLES: &[&str] = &[
    "Flask",
    "environ",
    "getenv",
    "Celery",
    "postgres",
    "mysql",
    "mariadb",
    "redis",
    "sqlite",
    "create_app",
    "make_app",
    "create_application",
    "app_factory",
    "from_prefixed_env",
    ".run(",
    // servers a project may start itself
    "WSGIServer",
    "make_server",
    "waitress",
    "wsgi.server",
    "WSGIContainer",
];

/// Files parsed whatever they hold: where Flask apps conventionally live.
const ENTRY_FILES: &[&str] = &[
    "wsgi.py",
    "app.py",
    "application.py",
    "autoapp.py",
    "main.py",
    "run.py",
    "server.py",
    "manage.py",
    "gunicorn.conf.py",
    "__init__.py",
];

/// A file read, and parsed when selected.
enum Read<R> {
    Parsed(Module, R),
    /// Read but not (fully) kept: a factory found later may make its syntax tree
    /// needed. `R` is what `after` made of it, when it was parsed.
    Skipped(String, String, Option<R>),
    Failed(String),
}

/// Parses every `.py` file of the project (doctor reads all code for secrets),
/// in parallel, in path order; files that cannot be read or parsed become warnings.
pub fn parse_modules(tree: &Tree, warnings: &mut Vec<String>) -> Vec<Module> {
    parse_files(tree, warnings, Selection::All, |module, _| {
        (Some(module), ())
    })
    .into_iter()
    .filter_map(|(_, module, ())| module)
    .collect()
}

/// What `inspect` needs of the code: the modules where an app, a Celery app or
/// gunicorn's settings can be (syntax trees kept), and the facts of every
/// parsed module (read as it is parsed; other syntax trees are dropped then).
pub fn parse_for_inspect(tree: &Tree, warnings: &mut Vec<String>) -> (Vec<Module>, CodeFacts) {
    let keeps_tree = aho_corasick::AhoCorasick::new(["Flask", "Celery"]).expect("valid needles");
    let results = parse_files(tree, warnings, Selection::ThatMatter, |mut module, text| {
        let file = module.path.rsplit('/').next().unwrap_or(&module.path);
        if ENTRY_FILES.contains(&file) || keeps_tree.is_match(text) {
            let facts = scan_module(&module, module.body.clone());
            (Some(module), facts)
        } else {
            let body = std::mem::take(&mut module.body);
            (None, scan_module(&module, body))
        }
    });
    let mut modules = Vec::new();
    let mut facts = Vec::new();
    for (_, module, part) in results {
        modules.extend(module);
        facts.push(part);
    }
    (modules, merge(facts))
}

/// Reads and parses every selected file; `after` gets each parsed module and
/// its text and says whether to keep the module. Files left unparsed or
/// dropped are parsed (and kept) later when they call a factory found in a
/// kept module. Results in path order.
fn parse_files<R: Send + Default>(
    tree: &Tree,
    warnings: &mut Vec<String>,
    selection: Selection,
    after: impl Fn(Module, &str) -> (Option<Module>, R) + Sync,
) -> Vec<(String, Option<Module>, R)> {
    let paths: Vec<&String> = tree.python_files().collect();
    let needles = aho_corasick::AhoCorasick::new(NEEDLES).expect("valid needles");
    let read = |path: &&String| -> Read<R> {
        let text = match tree.read(path) {
            Ok(text) => text,
            Err(err) => return Read::Failed(format!("skipped: {err:#}")),
        };
        let file = path.rsplit('/').next().unwrap_or(path);
        let wanted =
            selection == Selection::All || ENTRY_FILES.contains(&file) || needles.is_match(&text);
        if !wanted {
            return Read::Skipped(path.to_string(), text, None);
        }
        match parse(tree, path, &text) {
            Ok(module) => match after(module, &text) {
                (Some(module), r) => Read::Parsed(module, r),
                (None, r) => Read::Skipped(path.to_string(), text, Some(r)),
            },
            Err(warning) => Read::Failed(warning),
        }
    };
    let mut results = Vec::new();
    let mut skipped = Vec::new();
    for outcome in parallel_map(&paths, read) {
        match outcome {
            Read::Parsed(module, r) => results.push((module.path.clone(), Some(module), r)),
            Read::Skipped(path, text, r) => {
                if let Some(r) = r {
                    results.push((path.clone(), None, r));
                }
                skipped.push((path, text));
            }
            Read::Failed(warning) => warnings.push(warning),
        }
    }
    // `app = build()` in a file that names nothing else: `build` is a factory
    // defined elsewhere, known only now. Its facts, if any, were read already.
    let factories: Vec<String> = results
        .iter()
        .filter_map(|(_, m, _)| m.as_ref())
        .flat_map(super::entry::module_factories)
        .collect();
    if !factories.is_empty() && !skipped.is_empty() {
        let calls = aho_corasick::AhoCorasick::new(&factories).expect("valid factory names");
        for (path, text) in skipped.iter().filter(|(_, text)| calls.is_match(text)) {
            match parse(tree, path, text) {
                Ok(module) => results.push((path.clone(), Some(module), R::default())),
                Err(warning) => warnings.push(warning),
            }
        }
        // Stable: a module read for its facts stays before its later reparse.
        results.sort_by(|a, b| a.0.cmp(&b.0));
    }
    results
}

fn parse(tree: &Tree, path: &str, text: &str) -> Result<Module, String> {
    let (body, line_starts) = parse_text(path, text)?;
    let (name, import_root) = module_name(tree, path);
    Ok(Module {
        path: path.to_string(),
        name,
        import_root,
        body,
        line_starts,
    })
}

/// `f` over `items` on every core, results in the items' order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if workers == 1 || items.len() < 16 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let f = &f;
                // Deep (but accepted) syntax trees are walked recursively.
                std::thread::Builder::new()
                    .stack_size(32 << 20)
                    .spawn_scoped(scope, move || part.iter().map(f).collect::<Vec<R>>())
                    .expect("a parser thread")
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a parser thread panicked"))
            .collect()
    })
}

/// Parses one file's text, or says why it was skipped.
pub fn parse_text(path: &str, text: &str) -> Result<(Suite, Vec<u32>), String> {
    let depth = expression_depth(text);
    if depth > MAX_EXPRESSION_DEPTH {
        return Err(format!(
            "skipped `{path}`: one statement nests about {depth} operators or brackets deep, more than CPython compiles"
        ));
    }
    let starts = line_starts(text);
    match Suite::parse(text, path) {
        Ok(body) => Ok((body, starts)),
        Err(err) => {
            let line = starts.partition_point(|&s| s <= u32::from(err.offset));
            Err(format!(
                "skipped `{path}`: Python syntax error at line {line}"
            ))
        }
    }
}

impl Module {
    /// A module parsed from text alone, named after its path (`shop/views.py`
    /// -> `shop.views`), as if every folder were a package.
    pub fn from_text(path: &str, text: &str) -> Result<Self, String> {
        let (body, line_starts) = parse_text(path, text)?;
        let name = path.trim_end_matches(".py").replace('/', ".");
        Ok(Module {
            path: path.into(),
            name: is_identifier(&name.replace('.', "_")).then_some(name),
            import_root: String::new(),
            body,
            line_starts,
        })
    }
}

/// Deepest statement flaskdock parses. CPython's own compiler gives up near a
/// thousand levels; the syntax tree of a deeper one would exhaust the stack.
const MAX_EXPRESSION_DEPTH: usize = 1000;

/// A cheap upper bound of how deep one statement's syntax tree can be: its
/// operators plus its deepest bracket nesting, with strings and comments skipped.
fn expression_depth(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut deepest, mut operators, mut brackets, mut max_brackets) = (0, 0usize, 0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            quote @ (b'"' | b'\'') => {
                let triple = bytes[i..].starts_with(&[quote; 3]);
                let step = if triple { 3 } else { 1 };
                i += step;
                while i < bytes.len() {
                    if bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if triple && bytes[i..].starts_with(&[quote; 3]) || !triple && bytes[i] == quote
                    {
                        i += step;
                        break;
                    }
                    if !triple && bytes[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' | b'{' => {
                if i > 0 && matches!(bytes[i - 1], b')' | b']') {
                    operators += 1;
                }
                brackets += 1;
                max_brackets = max_brackets.max(brackets);
            }
            b')' | b']' | b'}' => brackets = brackets.saturating_sub(1),
            b'+' | b'-' | b'*' | b'/' | b'%' | b'|' | b'&' | b'^' | b'@' | b'<' | b'>' | b'~' => {
                operators += 1
            }
            // `a.b.c` (not `1.5`), and calls or subscripts chained on a result: `f()()`, `x[0][0]`.
            b'.' if i > 0 && !bytes[i - 1].is_ascii_digit() => operators += 1,
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &text[start..i];
                if matches!(
                    word,
                    "not" | "and" | "or" | "if" | "lambda" | "await" | "in" | "is"
                ) {
                    operators += 1;
                }
                continue;
            }
            b'\n' if brackets == 0 && !text[..i].ends_with('\\') => {
                deepest = deepest.max(operators + max_brackets);
                operators = 0;
                max_brackets = 0;
            }
            _ => {}
        }
        i += 1;
    }
    deepest.max(operators + max_brackets)
}

fn line_starts(text: &str) -> Vec<u32> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i as u32 + 1))
        .collect()
}

/// `shop/views.py` -> `shop.views`; `src/shop/__init__.py` -> `shop` with root `src`.
fn module_name(tree: &Tree, path: &str) -> (Option<String>, String) {
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
    let valid = !name.is_empty() && name.iter().all(|p| is_identifier(p));
    (valid.then(|| name.join(".")), import_root)
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// `Flask`, `flask.Flask`: the callee name's last segment.
pub fn call_name(func: &Expr) -> Option<&str> {
    match func {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attr) => Some(attr.attr.as_str()),
        _ => None,
    }
}

/// The string value of a literal, if it is one.
pub fn string_literal(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Constant(c) => match &c.value {
            rustpython_ast::Constant::Str(s) => Some(s.as_str()),
            _ => None,
        },
        _ => None,
    }
}

/// Statements of `body`, descending into `if`/`try`/`with` blocks (not functions).
pub fn flat_statements(body: &[Stmt]) -> Vec<&Stmt> {
    let mut out = Vec::new();
    for stmt in body {
        out.push(stmt);
        match stmt {
            Stmt::If(s) => {
                out.extend(flat_statements(&s.body));
                out.extend(flat_statements(&s.orelse));
            }
            Stmt::Try(s) => {
                out.extend(flat_statements(&s.body));
                out.extend(flat_statements(&s.orelse));
                out.extend(flat_statements(&s.finalbody));
            }
            Stmt::With(s) => out.extend(flat_statements(&s.body)),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> Tree {
        Tree {
            files: files.iter().map(|f| f.to_string()).collect(),
            ..Tree::default()
        }
    }

    #[test]
    fn estimates_statement_depth() {
        assert_eq!(expression_depth("x = 1 + 2\ny = f(g(3))\n"), 2);
        // Strings and comments do not count; brackets span lines.
        assert_eq!(
            expression_depth("s = '+++(((' # ---\nt = (1 +\n 2 +\n 3)\n"),
            3
        );
        let deep = format!("x = {}\n", vec!["1"; 5000].join("+"));
        assert!(expression_depth(&deep) > MAX_EXPRESSION_DEPTH);
        for deep in [
            format!("x = {}b\n", "a.".repeat(5000)),
            format!("x = x{}\n", "[0]".repeat(5000)),
            format!("x = {}1\n", "not ".repeat(5000)),
            format!("x = {}1\n", "lambda: ".repeat(5000)),
        ] {
            assert!(
                expression_depth(&deep) > MAX_EXPRESSION_DEPTH,
                "{}",
                &deep[..20]
            );
        }
        // Flat data is not deep: floats and a long list.
        let data = format!("DATA = [{}]\n", vec!["1.5"; 5000].join(", "));
        assert!(expression_depth(&data) < 10);
    }

    #[test]
    fn names_modules_from_their_package_root() {
        let t = tree(&[
            "app.py",
            "shop/__init__.py",
            "shop/views.py",
            "src/blog/__init__.py",
            "scripts/run.py",
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
    }
}
