//! The Flask code (FD4xx): hard-coded secrets and debug mode.

use rustpython_ast::{Constant, Expr, Stmt, Visitor};

use super::Finding;
use crate::inspect::source::Module;
use crate::secret::is_secret_name;

/// Literal shapes of well-known API keys: (pattern, what it is).
const KEY_SHAPES: &[(&str, &str)] = &[
    (r"^AKIA[0-9A-Z]{16}$", "an AWS access key id"),
    (r"^sk_live_[0-9A-Za-z]{16,}$", "a Stripe live secret key"),
    (r"^gh[pousr]_[0-9A-Za-z]{36,}$", "a GitHub token"),
    (r"^xox[abprs]-[0-9A-Za-z-]{10,}$", "a Slack token"),
    (r"^AIza[0-9A-Za-z_-]{35}$", "a Google API key"),
    (r"^sk-[A-Za-z0-9_-]{32,}$", "an API secret key"),
];

pub fn check(modules: &[Module], runs_the_file: bool) -> Vec<Finding> {
    let shapes: Vec<(regex::Regex, &str)> = KEY_SHAPES
        .iter()
        .map(|(p, what)| (regex::Regex::new(p).expect("valid pattern"), *what))
        .collect();
    let mut findings = Vec::new();
    for module in modules.iter().filter(|m| !is_test_file(&m.path)) {
        let mut scanner = Scanner {
            module,
            runs_the_file,
            in_main: false,
            shapes: &shapes,
            findings: &mut findings,
        };
        for stmt in module.body.clone() {
            scanner.visit_stmt(stmt);
        }
    }
    findings
}

/// Tests hold fake secrets and debug apps on purpose.
fn is_test_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.starts_with("tests/")
        || path.contains("/tests/")
        || name.starts_with("test_")
        || name.ends_with("_test.py")
        || name == "conftest.py"
}

struct Scanner<'a> {
    module: &'a Module,
    /// The image runs `python file.py`, so `__main__` blocks run in the container.
    runs_the_file: bool,
    /// Inside `if __name__ == "__main__":`.
    in_main: bool,
    shapes: &'a [(regex::Regex, &'a str)],
    findings: &'a mut Vec<Finding>,
}

fn literal_str(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Constant(c) => match &c.value {
            Constant::Str(s) => Some(s.as_str()),
            _ => None,
        },
        _ => None,
    }
}

fn is_true(expr: &Expr) -> bool {
    matches!(expr, Expr::Constant(c) if matches!(c.value, Constant::Bool(true)))
}

fn is_main_guard(test: &Expr) -> bool {
    let Expr::Compare(cmp) = test else {
        return false;
    };
    let sides = [cmp.left.as_ref()]
        .into_iter()
        .chain(cmp.comparators.iter())
        .collect::<Vec<_>>();
    sides
        .iter()
        .any(|e| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__"))
        && sides.iter().any(|e| literal_str(e) == Some("__main__"))
}

impl Scanner<'_> {
    fn push(
        &mut self,
        id: &'static str,
        offset: rustpython_parser::text_size::TextSize,
        message: String,
    ) {
        let line = self.module.line(offset);
        self.findings
            .push(Finding::new(id, &self.module.path, Some(line), message));
    }

    /// Debug mode matters where the container runs it.
    fn debug_runs(&self) -> bool {
        !self.in_main || self.runs_the_file
    }

    fn secret_literal(
        &mut self,
        name: &str,
        value: &Expr,
        offset: rustpython_parser::text_size::TextSize,
    ) {
        if let Some(text) = literal_str(value)
            && is_secret_name(name)
            && !text.trim().is_empty()
        {
            self.push(
                "FD401",
                offset,
                format!("`{name}` is set to a literal in the code"),
            );
        }
    }
}

impl Visitor for Scanner<'_> {
    fn visit_stmt(&mut self, node: Stmt) {
        match node {
            Stmt::If(stmt) => {
                self.visit_expr(*stmt.test.clone());
                let was = self.in_main;
                self.in_main |= is_main_guard(&stmt.test);
                stmt.body.into_iter().for_each(|s| self.visit_stmt(s));
                self.in_main = was;
                stmt.orelse.into_iter().for_each(|s| self.visit_stmt(s));
            }
            Stmt::Assign(assign) => {
                let offset = assign.range.start();
                for target in &assign.targets {
                    match target {
                        Expr::Name(n) => self.secret_literal(n.id.as_str(), &assign.value, offset),
                        Expr::Attribute(a) if a.attr.as_str() == "secret_key" => {
                            self.secret_literal("secret_key", &assign.value, offset)
                        }
                        Expr::Attribute(a)
                            if a.attr.as_str() == "debug"
                                && is_true(&assign.value)
                                && self.debug_runs() =>
                        {
                            self.push(
                                "FD402",
                                offset,
                                "`.debug = True` turns on the interactive debugger".into(),
                            );
                        }
                        Expr::Subscript(sub) => {
                            if let Some(key) = literal_str(&sub.slice) {
                                let key = key.to_string();
                                self.secret_literal(&key, &assign.value, offset);
                                if key == "DEBUG" && is_true(&assign.value) && self.debug_runs() {
                                    self.push("FD402", offset, "`config[\"DEBUG\"] = True` turns on the interactive debugger".into());
                                }
                            }
                        }
                        _ => {}
                    }
                }
                self.visit_expr(*assign.value);
            }
            Stmt::AnnAssign(assign) => {
                if let (Expr::Name(n), Some(value)) = (assign.target.as_ref(), &assign.value) {
                    self.secret_literal(n.id.as_str(), value, assign.range.start());
                }
                if let Some(value) = assign.value {
                    self.visit_expr(*value);
                }
            }
            other => self.generic_visit_stmt(other),
        }
    }

    fn visit_expr(&mut self, node: Expr) {
        match &node {
            Expr::Call(call) => {
                let offset = call.range.start();
                let method = match call.func.as_ref() {
                    Expr::Attribute(a) => Some(a.attr.as_str()),
                    _ => None,
                };
                for keyword in &call.keywords {
                    let Some(arg) = keyword.arg.as_ref().map(|a| a.as_str()) else {
                        continue;
                    };
                    // from_mapping(SECRET_KEY="dev"), update(API_KEY="...")
                    self.secret_literal(arg, &keyword.value, offset);
                    let debug_kw = arg == "debug" && method == Some("run")
                        || arg == "DEBUG" && matches!(method, Some("update" | "from_mapping"));
                    if debug_kw && is_true(&keyword.value) && self.debug_runs() {
                        let what = if self.in_main {
                            "the image runs this file, so "
                        } else {
                            ""
                        };
                        self.push(
                            "FD402",
                            offset,
                            format!("{what}`{arg}=True` turns on the interactive debugger"),
                        );
                    }
                }
                // os.environ.get("SECRET_KEY", "dev"): a known key when the variable is missing.
                if (matches!(method, Some("get" | "getenv" | "setdefault"))
                    || matches!(call.func.as_ref(), Expr::Name(n) if n.id.as_str() == "getenv"))
                    && let (Some(name), Some(default)) =
                        (call.args.first().and_then(literal_str), call.args.get(1))
                    && is_secret_name(name)
                    && literal_str(default).is_some_and(|d| !d.trim().is_empty())
                {
                    let name = name.to_string();
                    self.push(
                        "FD401",
                        offset,
                        format!("`{name}` falls back to a literal when the variable is not set"),
                    );
                }
            }
            Expr::Constant(c) => {
                if let Constant::Str(s) = &c.value
                    && let Some((_, what)) = self.shapes.iter().find(|(re, _)| re.is_match(s))
                {
                    let prefix: String = s.chars().take(4).collect();
                    let message = format!("a string literal that looks like {what} (`{prefix}…`)");
                    self.push("FD401", c.range.start(), message);
                }
            }
            _ => {}
        }
        self.generic_visit_expr(node);
    }

    fn visit_keyword(&mut self, node: rustpython_ast::Keyword) {
        self.visit_expr(node.value);
    }
}
