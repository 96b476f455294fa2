//! The Flask code (FD4xx): hard-coded secrets and debug mode.

use super::finding::Found;
use crate::inspect::module::Module;
use crate::secret::is_secret_name;
use crate::syntax::{
    Expr, Ranged, Stmt, TextSize, Visitor, is_main_guard, is_test_path, is_true, string_literal,
    visitor,
};

/// Literal shapes of well-known API keys: (pattern, what it is).
const KEY_SHAPES: &[(&str, &str)] = &[
    (r"^AKIA[0-9A-Z]{16}$", "an AWS access key id"),
    (r"^sk_live_[0-9A-Za-z]{16,}$", "a Stripe live secret key"),
    (r"^gh[pousr]_[0-9A-Za-z]{36,}$", "a GitHub token"),
    (r"^xox[abprs]-[0-9A-Za-z-]{10,}$", "a Slack token"),
    (r"^AIza[0-9A-Za-z_-]{35}$", "a Google API key"),
    (r"^sk-[A-Za-z0-9_-]{32,}$", "an API secret key"),
];

/// What the code checks read: the project's parsed modules.
pub(super) struct Input<'a> {
    pub modules: &'a [Module],
    /// The image runs `python file.py`, so `__main__` blocks run in the container.
    pub runs_the_file: bool,
}

/// FD401. A secret in the code: a secret-named variable or config key set
/// to a literal, an `os.environ.get("SECRET_KEY", "dev")` fallback, or a
/// string shaped like a well-known API key. Anyone with the repository can
/// sign sessions or call the API. Example: `SECRET_KEY = "dev"`. Tests are
/// not read.
pub(super) fn hard_coded_secret(input: &Input, found: &mut Found) {
    scan(input, Rule::Secrets, found);
}

/// FD402. Debug mode on where the container runs it: `app.run(debug=True)`,
/// `app.debug = True` or `DEBUG = True` in config, outside a `__main__`
/// block the image never runs. Werkzeug's debugger runs any code a visitor
/// sends. Example: `app.run(debug=True)` at module level.
pub(super) fn debug_mode(input: &Input, found: &mut Found) {
    scan(input, Rule::Debug, found);
}

/// Which of the two code checks a scan reports.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rule {
    Secrets,
    Debug,
}

fn scan(input: &Input, rule: Rule, found: &mut Found) {
    let shapes: Vec<(regex::Regex, &str)> = KEY_SHAPES
        .iter()
        .map(|(p, what)| (regex::Regex::new(p).expect("valid pattern"), *what))
        .collect();
    for module in input.modules.iter().filter(|m| !is_test_path(&m.path)) {
        let mut scanner = Scanner {
            module,
            rule,
            runs_the_file: input.runs_the_file,
            in_main: false,
            shapes: &shapes,
            found: &mut *found,
        };
        scanner.visit_body(&module.body);
    }
}

struct Scanner<'a, 'f> {
    module: &'a Module,
    rule: Rule,
    /// The image runs `python file.py`, so `__main__` blocks run in the container.
    runs_the_file: bool,
    /// Inside `if __name__ == "__main__":`.
    in_main: bool,
    shapes: &'a [(regex::Regex, &'a str)],
    found: &'a mut Found<'f>,
}

impl Scanner<'_, '_> {
    fn push(&mut self, rule: Rule, offset: TextSize, message: String) {
        if rule == self.rule {
            let line = self.module.line(offset);
            self.found.at(&self.module.path, Some(line), message);
        }
    }

    /// Debug mode matters where the container runs it.
    fn debug_runs(&self) -> bool {
        !self.in_main || self.runs_the_file
    }

    fn secret_literal(&mut self, name: &str, value: &Expr, offset: TextSize) {
        if let Some(text) = string_literal(value)
            && is_secret_name(name)
            && !text.trim().is_empty()
        {
            self.push(
                Rule::Secrets,
                offset,
                format!("`{name}` is set to a literal in the code"),
            );
        }
    }
}

impl<'a> Visitor<'a> for Scanner<'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::If(node) => {
                self.visit_expr(&node.test);
                let was = self.in_main;
                self.in_main |= is_main_guard(&node.test);
                self.visit_body(&node.body);
                self.in_main = was;
                for clause in &node.elif_else_clauses {
                    self.visit_elif_else_clause(clause);
                }
            }
            Stmt::Assign(assign) => {
                let offset = assign.start();
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
                                Rule::Debug,
                                offset,
                                "`.debug = True` turns on the interactive debugger".into(),
                            );
                        }
                        Expr::Subscript(sub) => {
                            if let Some(key) = string_literal(&sub.slice) {
                                self.secret_literal(key, &assign.value, offset);
                                if key == "DEBUG" && is_true(&assign.value) && self.debug_runs() {
                                    self.push(Rule::Debug, offset, "`config[\"DEBUG\"] = True` turns on the interactive debugger".into());
                                }
                            }
                        }
                        _ => {}
                    }
                }
                self.visit_expr(&assign.value);
            }
            Stmt::AnnAssign(assign) => {
                if let (Expr::Name(n), Some(value)) = (assign.target.as_ref(), &assign.value) {
                    self.secret_literal(n.id.as_str(), value, assign.start());
                }
                if let Some(value) = &assign.value {
                    self.visit_expr(value);
                }
            }
            other => visitor::walk_stmt(self, other),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => {
                let offset = call.start();
                let (args, keywords) = (&call.arguments.args, &call.arguments.keywords);
                let method = match call.func.as_ref() {
                    Expr::Attribute(a) => Some(a.attr.as_str()),
                    _ => None,
                };
                for keyword in keywords {
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
                            Rule::Debug,
                            offset,
                            format!("{what}`{arg}=True` turns on the interactive debugger"),
                        );
                    }
                }
                // os.environ.get("SECRET_KEY", "dev"): a known key when the variable is missing.
                if (matches!(method, Some("get" | "getenv" | "setdefault"))
                    || matches!(call.func.as_ref(), Expr::Name(n) if n.id.as_str() == "getenv"))
                    && let (Some(name), Some(default)) =
                        (args.first().and_then(string_literal), args.get(1))
                    && is_secret_name(name)
                    && string_literal(default).is_some_and(|d| !d.trim().is_empty())
                {
                    self.push(
                        Rule::Secrets,
                        offset,
                        format!("`{name}` falls back to a literal when the variable is not set"),
                    );
                }
            }
            Expr::StringLiteral(literal) => {
                let s = literal.value.to_str();
                if let Some((_, what)) = self.shapes.iter().find(|(re, _)| re.is_match(s)) {
                    let prefix: String = s.chars().take(4).collect();
                    let message = format!("a string literal that looks like {what} (`{prefix}…`)");
                    self.push(Rule::Secrets, literal.start(), message);
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}
