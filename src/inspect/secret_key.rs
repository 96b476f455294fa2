//! Flask's secret key as the code sets it: made at random when the app
//! starts (`app.secret_key = os.urandom(24)`), not read from the environment
//! (each gunicorn worker then signs sessions, CSRF tokens and login cookies
//! with a key of its own, and rejects those another worker signed); or read
//! from a variable of the app's own naming (`SECRET_KEY =
//! os.getenv("SHOP_KEY")`), which `.env` must then set.

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

/// What `module` says of its keys.
#[derive(Debug, Default)]
pub(super) struct KeyFacts {
    /// The first key set to a value made at random, with where: the
    /// setting's name (`SECRET_KEY`, `JWT_SECRET_KEY`, `secret_key`).
    pub random: Option<Fact<String>>,
    /// Variables Flask's own key (`SECRET_KEY`, `app.secret_key`, a settings
    /// table's `"secret_key"`) is read from, each where.
    pub read_from: Vec<Fact<String>>,
}

pub(super) fn scan(module: &Module) -> KeyFacts {
    let mut scanner = Scanner {
        module,
        found: KeyFacts::default(),
        in_function: 0,
    };
    scanner.visit_body(&module.body);
    scanner.found
}

struct Scanner<'m> {
    module: &'m Module,
    found: KeyFacts,
    /// How many function bodies the statement is in: a plain name bound
    /// there is a local (`secret_key = token_hex(16)` written into a config
    /// file a command generates), not a setting.
    in_function: usize,
}

impl Scanner<'_> {
    fn source(&self, node: &impl Ranged) -> Source {
        Source::at(&self.module.path, self.module.line(node.start()))
    }

    /// `KEY = value` (or a keyword or a table's entry): a random key (where
    /// `random` is looked for), or the variables Flask's key is read from.
    fn bound(&mut self, name: &str, value: &Expr, at: &impl Ranged, random: bool) {
        if !is_key(name) {
            return;
        }
        if random && self.found.random.is_none() && made_at_random(value) {
            self.found.random = Some(Fact::new(name.to_string(), self.source(at)));
        }
        if matches!(name, "SECRET_KEY" | "secret_key") {
            // `app.secret_key = config.FLASK_SECRET`: a constant named as the
            // variable it is read from (`FLASK_SECRET = os.environ["FLASK_SECRET"]`
            // in the config module), kept where the code reads that variable.
            let constant = match value {
                Expr::Name(n) => Some(n.id.as_str()),
                Expr::Attribute(a) => Some(a.attr.as_str()),
                _ => None,
            };
            let through = constant
                .filter(|c| {
                    crate::safe::is_env_name(c) && !c.contains(|ch: char| ch.is_ascii_lowercase())
                })
                .map(str::to_string);
            for variable in variables_read(value).into_iter().chain(through) {
                let source = self.source(at);
                self.found.read_from.push(Fact::new(variable, source));
            }
        }
    }
}

impl<'a> Visitor<'a> for Scanner<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
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
            if let Some(name) = key_name(target).filter(|_| !local) {
                self.bound(name, value, stmt, true);
            }
        }
        // A script's main block (`app.secret_key = os.urandom(24)` before
        // `app.run()`) never runs under gunicorn, and a test suite's config
        // class (`class TestingConfig: SECRET_KEY = uuid4().hex`) is not the
        // one it serves with.
        if let Stmt::If(test) = stmt
            && crate::syntax::is_main_guard(&test.test)
        {
            return;
        }
        if let Stmt::ClassDef(class) = stmt
            && class.name.as_str().contains("Test")
        {
            return;
        }
        let function = matches!(stmt, Stmt::FunctionDef(_));
        self.in_function += usize::from(function);
        visitor::walk_stmt(self, stmt);
        self.in_function -= usize::from(function);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            // `app.config.update(SECRET_KEY=os.urandom(16))`, `dict(SECRET_KEY=...)`;
            // not the arguments of a function that writes a config file.
            Expr::Call(call)
                if matches!(
                    crate::syntax::call_name(&call.func),
                    Some("update" | "dict" | "from_mapping")
                ) =>
            {
                for k in &call.arguments.keywords {
                    if let Some(name) = &k.arg {
                        self.bound(name.as_str(), &k.value, k, true);
                    }
                }
            }
            // `{"secret_key": SettingsValue(str, environ_name="APP_SECRET")}`
            // (a table may be written into a file, so its random value is not
            // the running app's)
            Expr::Dict(dict) => {
                for item in &dict.items {
                    if let Some(name) = item.key.as_ref().and_then(string_literal) {
                        self.bound(name, &item.value, &item.value, false);
                    }
                }
            }
            _ => {}
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

/// The variables a value reads by a literal name: `os.environ.get("X")`,
/// `os.getenv("X")`, `os.environ["X"]`, a config library's `config("X")` or
/// `env.str("X")`, a settings value's `environ_name="X"`.
fn variables_read(value: &Expr) -> Vec<String> {
    struct Reads(Vec<String>);
    impl Reads {
        fn add(&mut self, expr: Option<&Expr>) {
            let name = expr.and_then(string_literal).filter(|n| {
                crate::safe::is_env_name(n) && !n.contains(|c: char| c.is_ascii_lowercase())
            });
            if let Some(name) = name
                && !self.0.iter().any(|n| n == name)
            {
                self.0.push(name.to_string());
            }
        }
    }
    impl<'a> Visitor<'a> for Reads {
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Call(call) => {
                    let callee = crate::syntax::dotted_name(&call.func).unwrap_or_default();
                    let name = callee.rsplit('.').next().unwrap_or_default();
                    let read = callee.contains("environ")
                        || name == "getenv"
                        || callee == "config"
                        || callee == "env"
                        || callee.starts_with("env.");
                    if read {
                        self.add(call.arguments.args.first());
                    }
                    for k in &call.arguments.keywords {
                        if k.arg.as_ref().is_some_and(|a| a.as_str().contains("env")) {
                            self.add(Some(&k.value));
                        }
                    }
                    // What another call makes of a read (`read_file(os.getenv("KEY_FILE"))`)
                    // is not the variable's value; a conversion's is.
                    if !read && !matches!(name, "str" | "bytes" | "encode" | "strip") {
                        return;
                    }
                }
                Expr::Subscript(s)
                    if crate::syntax::dotted_name(&s.value)
                        .is_some_and(|d| d.ends_with("environ")) =>
                {
                    self.add(Some(&s.slice));
                }
                _ => {}
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut reads = Reads(Vec::new());
    reads.visit_expr(value);
    reads.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(code: &str) -> Option<(String, usize)> {
        let module = Module::from_text("app.py", code).unwrap();
        scan(&module)
            .random
            .map(|f| (f.value, f.source.line.unwrap_or(0)))
    }

    fn read_from(code: &str) -> Vec<(String, usize)> {
        let module = Module::from_text("app.py", code).unwrap();
        scan(&module)
            .read_from
            .into_iter()
            .map(|f| (f.value, f.source.line.unwrap_or(0)))
            .collect()
    }

    #[test]
    fn the_variables_flasks_key_is_read_from() {
        let var = |name: &str, line| vec![(name.to_string(), line)];
        assert_eq!(
            read_from(
                "import os
class Config:
    SECRET_KEY = os.environ.get('SHOP_KEY', 'dev')
"
            ),
            var("SHOP_KEY", 3)
        );
        assert_eq!(
            read_from(
                "app.secret_key = os.environ['SESSION_SECRET']
"
            ),
            var("SESSION_SECRET", 1)
        );
        assert_eq!(
            read_from(
                "app.config.update(
    SECRET_KEY=config('APP_SIGNING_KEY'),
)
"
            ),
            var("APP_SIGNING_KEY", 2)
        );
        assert_eq!(
            read_from(
                "SCHEMA = {
    'server': {
        'secret_key': Setting(str, environ_name='SHOP_SECRET'),
        'port': Setting(int, environ_name='SHOP_PORT'),
    },
}
"
            ),
            var("SHOP_SECRET", 3)
        );
        // Through a constant of the config module, named as its variable.
        assert_eq!(
            read_from(
                "app.secret_key = config.FLASK_SECRET
"
            ),
            var("FLASK_SECRET", 1)
        );
        // Another key, or a name that is not a variable's, is not Flask's.
        for code in [
            "JWT_SECRET_KEY = os.getenv('JWT_KEY')
",
            "SECRET_KEY = read_file(os.getenv('KEY_FILE_path'))
",
            "SECRET_KEY = 'dev'
",
        ] {
            assert_eq!(read_from(code), [], "{code}");
        }
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
            // a script's main block, which gunicorn never runs
            "if __name__ == '__main__':\n    app.secret_key = os.urandom(24)\n    app.run()\n",
            // a test suite's config classes
            "class TestingConfig(BaseConfig):\n    SECRET_KEY = uuid4().hex\n",
            "class End2EndTestConfig:\n    SECRET_KEY = os.urandom(16)\n",
        ] {
            assert_eq!(found(code), None, "{code}");
        }
    }
}
