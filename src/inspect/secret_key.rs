//! A secret key the app makes at random when it starts
//! (`app.secret_key = os.urandom(24)`), not read from the environment: each
//! gunicorn worker then signs sessions, CSRF tokens and login cookies with a
//! key of its own, and rejects those another worker signed.

use super::fact::{Fact, Source};
use super::module::Module;
use crate::syntax::{Expr, Ranged, Stmt, Visitor, string_literal, visitor};

/// Words a file must hold to be worth reading for its key.
pub(super) const NEEDLES: &[&str] = &["SECRET_KEY", "secret_key"];

/// Calls whose value differs at every start.
const RANDOM_CALLS: &[&str] = &[
    "urandom",
    "token_hex",
    "token_bytes",
    "token_urlsafe",
    "uuid4",
    "getrandbits",
    "randbytes",
];

/// The first key `module` sets to a value made at random, with where: the
/// setting's name (`SECRET_KEY`, `JWT_SECRET_KEY`, `secret_key`).
pub(super) fn scan(module: &Module) -> Option<Fact<String>> {
    let mut scanner = Scanner {
        module,
        found: None,
        in_function: 0,
    };
    scanner.visit_body(&module.body);
    scanner.found
}

struct Scanner<'m> {
    module: &'m Module,
    found: Option<Fact<String>>,
    /// How many function bodies the statement is in: a plain name bound
    /// there is a local (`secret_key = token_hex(16)` written into a config
    /// file a command generates), not a setting.
    in_function: usize,
}

impl<'a> Visitor<'a> for Scanner<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found.is_some() {
            return;
        }
        let assigned: Vec<(&Expr, &Expr)> = match stmt {
            Stmt::Assign(a) => a.targets.iter().map(|t| (t, a.value.as_ref())).collect(),
            Stmt::AnnAssign(a) => a
                .value
                .iter()
                .map(|v| (a.target.as_ref(), v.as_ref()))
                .collect(),
            _ => Vec::new(),
        };
        for (target, value) in assigned {
            let local = self.in_function > 0 && matches!(target, Expr::Name(_));
            if let Some(name) = key_name(target).filter(|_| !local && made_at_random(value)) {
                self.found = Some(Fact::new(
                    name.to_string(),
                    Source::at(&self.module.path, self.module.line(stmt.start())),
                ));
                return;
            }
        }
        let function = matches!(stmt, Stmt::FunctionDef(_));
        self.in_function += usize::from(function);
        visitor::walk_stmt(self, stmt);
        self.in_function -= usize::from(function);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        // `app.config.update(SECRET_KEY=os.urandom(16))`, `dict(SECRET_KEY=...)`;
        // not the arguments of a function that writes a config file.
        if self.found.is_none()
            && let Expr::Call(call) = expr
            && matches!(
                crate::syntax::call_name(&call.func),
                Some("update" | "dict" | "from_mapping")
            )
        {
            let keyword = call.arguments.keywords.iter().find(|k| {
                k.arg.as_ref().is_some_and(|a| is_key(a.as_str())) && made_at_random(&k.value)
            });
            if let Some(k) = keyword {
                let name = k.arg.as_ref().map_or("", |a| a.as_str());
                self.found = Some(Fact::new(
                    name.to_string(),
                    Source::at(&self.module.path, self.module.line(k.start())),
                ));
            }
        }
        visitor::walk_expr(self, expr);
    }
}

/// `SECRET_KEY`, `self.SECRET_KEY`, `app.secret_key`, `app.config["SECRET_KEY"]`.
fn key_name(target: &Expr) -> Option<&str> {
    let name = match target {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.as_str(),
        Expr::Subscript(s) => string_literal(&s.slice)?,
        _ => return None,
    };
    is_key(name).then_some(name)
}

fn is_key(name: &str) -> bool {
    name.to_ascii_uppercase().ends_with("SECRET_KEY")
}

/// The value calls a random source and reads no setting: a key read from
/// the environment with a random default is the environment's when `.env`
/// sets it.
fn made_at_random(value: &Expr) -> bool {
    struct Calls {
        random: bool,
        reads: bool,
    }
    impl<'a> Visitor<'a> for Calls {
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Call(call) => {
                    let callee = crate::syntax::dotted_name(&call.func).unwrap_or_default();
                    let name = callee.rsplit('.').next().unwrap_or_default();
                    self.random |= RANDOM_CALLS.contains(&name);
                    // os.environ.get, os.getenv, decouple's config, environs' env.str
                    self.reads |= callee.contains("environ")
                        || name == "getenv"
                        || callee == "config"
                        || callee.starts_with("env.");
                }
                Expr::Subscript(s) => {
                    self.reads |=
                        crate::syntax::dotted_name(&s.value).is_some_and(|d| d.ends_with("environ"))
                }
                _ => {}
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut calls = Calls {
        random: false,
        reads: false,
    };
    calls.visit_expr(value);
    calls.random && !calls.reads
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(code: &str) -> Option<(String, usize)> {
        let module = Module::from_text("app.py", code).unwrap();
        scan(&module).map(|f| (f.value, f.source.line.unwrap_or(0)))
    }

    #[test]
    fn keys_made_at_random_at_start() {
        let key = |name: &str, line| Some((name.to_string(), line));
        assert_eq!(
            found("import os\napp.secret_key = os.urandom(24)\n"),
            key("secret_key", 2)
        );
        assert_eq!(
            found("class Config:\n    SECRET_KEY = secrets.token_hex(16)\n"),
            key("SECRET_KEY", 2)
        );
        assert_eq!(
            found("def create_app():\n    app.config['SECRET_KEY'] = str(uuid.uuid4())\n"),
            key("SECRET_KEY", 2)
        );
        assert_eq!(
            found("app.config.update(\n    JWT_SECRET_KEY=os.urandom(32).hex(),\n)\n"),
            key("JWT_SECRET_KEY", 2)
        );
    }

    #[test]
    fn keys_read_from_the_environment_or_fixed_are_not() {
        for code in [
            "SECRET_KEY = os.environ.get('SECRET_KEY', os.urandom(24))\n",
            "SECRET_KEY = os.getenv('SECRET_KEY') or secrets.token_hex()\n",
            "SECRET_KEY = os.environ['SECRET_KEY']\n",
            "SECRET_KEY = 'dev'\n",
            "TOKEN = os.urandom(8)\n",
            // a command that writes a config file with a new key
            "def configure():\n    secret_key = token_hex(16)\n    write(secret_key)\n",
            "def configure():\n    write(TEMPLATE.format(flask_secret_key=os.urandom(24)))\n",
        ] {
            assert_eq!(found(code), None, "{code}");
        }
    }
}
