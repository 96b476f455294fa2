//! What the code reads from its environment (`os.environ[...]`, `.get`,
//! `os.getenv`), the port given to `app.run(...)`, and PostgreSQL URLs.

use serde::Serialize;

use super::source::Module;
use super::{Fact, Source};
use crate::secret::{is_secret_name, is_secret_value};
use crate::syntax::{
    Expr, Ranged, Stmt, TextSize, Visitor, ast, call_name, dotted_name, is_main_guard,
    leading_text, literal_text, string_literal, visitor,
};

/// An environment variable the project's code reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    pub name: String,
    /// Read without a default somewhere (`os.environ["X"]`): the app fails without it.
    pub required: bool,
    /// The default the code gives, when it is a literal and neither the name
    /// nor the value looks secret (`crate::secret`).
    pub default: Option<String>,
    /// The first place it is read.
    pub source: Source,
}

/// What scanning the code found.
#[derive(Debug, Default)]
pub struct CodeFacts {
    /// Sorted by name, one entry per variable.
    pub env_vars: Vec<EnvVar>,
    /// `app.run(port=N)`.
    pub run_port: Option<Fact<u16>>,
    /// The numeric default of a `PORT` variable read from the environment.
    pub port_env_default: Option<Fact<u16>>,
    /// String literals that are PostgreSQL URLs.
    pub postgres_urls: Vec<Source>,
    /// String literals that are MySQL or MariaDB URLs.
    pub mysql_urls: Vec<Source>,
    /// String literals that are Redis URLs.
    pub redis_urls: Vec<Source>,
    /// SQLite URLs and `sqlite3.connect(...)` calls.
    pub sqlite_urls: Vec<Source>,
    /// `app.config.from_prefixed_env(prefix)`: the prefix (default `FLASK`).
    pub prefixed_env: Option<Fact<String>>,
    /// A server the project starts itself (`WSGIServer(...)`, `socketio.run(app)`).
    pub own_server: Option<Fact<String>>,
    /// Names read from the environment that are not plain variable names
    /// (`os.environ["A=B"]`): left out, each with where it is read.
    pub rejected_names: Vec<Fact<String>>,
}

pub fn scan_code(modules: &[Module]) -> CodeFacts {
    merge(modules.iter().map(scan_module).collect())
}

/// The facts of one module. Test code has none: its variables, ports and
/// throwaway SQLite databases are not the running app's.
pub fn scan_module(module: &Module) -> CodeFacts {
    let mut facts = CodeFacts::default();
    if crate::syntax::is_test_path(&module.path) {
        return facts;
    }
    let mut scanner = Scanner {
        module,
        facts: &mut facts,
        environ_names: Vec::new(),
        getenv_names: Vec::new(),
        in_main_block: false,
        index: std::collections::HashMap::new(),
    };
    scanner.visit_body(&module.body);
    facts
}

/// Facts of modules in path order, merged as if read one after another: a
/// variable's first source and default win, `required` from any read.
pub fn merge(parts: Vec<CodeFacts>) -> CodeFacts {
    let mut facts = CodeFacts::default();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for part in parts {
        for var in part.env_vars {
            match index.get(&var.name).map(|&i| &mut facts.env_vars[i]) {
                Some(known) => {
                    known.required |= var.required;
                    if known.default.is_none() {
                        known.default = var.default;
                    }
                }
                None => {
                    index.insert(var.name.clone(), facts.env_vars.len());
                    facts.env_vars.push(var);
                }
            }
        }
        facts.run_port = facts.run_port.or(part.run_port);
        facts.port_env_default = facts.port_env_default.or(part.port_env_default);
        facts.prefixed_env = facts.prefixed_env.or(part.prefixed_env);
        facts.own_server = facts.own_server.or(part.own_server);
        facts.postgres_urls.extend(part.postgres_urls);
        facts.mysql_urls.extend(part.mysql_urls);
        facts.redis_urls.extend(part.redis_urls);
        facts.sqlite_urls.extend(part.sqlite_urls);
        facts.rejected_names.extend(part.rejected_names);
    }
    facts.env_vars.sort_by(|a, b| a.name.cmp(&b.name));
    facts
}

struct Scanner<'a> {
    module: &'a Module,
    facts: &'a mut CodeFacts,
    /// Names bound by `from os import environ [as NAME]`: a bare `environ`
    /// is otherwise a WSGI environ or some other mapping.
    environ_names: Vec<String>,
    /// Names bound by `from os import getenv [as NAME]`.
    getenv_names: Vec<String>,
    /// Inside `if __name__ == "__main__":`, where scripts start development servers.
    in_main_block: bool,
    /// Where each variable is in `facts.env_vars`: a module reading tens of
    /// thousands of names stays linear.
    index: std::collections::HashMap<String, usize>,
}

impl Scanner<'_> {
    /// `os.environ`, or a name imported as it.
    fn is_environ(&self, expr: &Expr) -> bool {
        is_from_os(expr, "environ", &self.environ_names)
    }

    /// `os.getenv`, or a name imported as it.
    fn is_getenv(&self, func: &Expr) -> bool {
        is_from_os(func, "getenv", &self.getenv_names)
    }

    /// `5000`, `"5000"`, or `int(os.environ.get("PORT", 5000))` (its default).
    fn port_value(&self, expr: &Expr) -> Option<u16> {
        match expr {
            Expr::StringLiteral(_) | Expr::NumberLiteral(_) => literal_text(expr)?.parse().ok(),
            Expr::Call(call) => {
                let inner = match call_name(&call.func) {
                    Some("int") => call.arguments.args.first()?,
                    _ => expr,
                };
                let Expr::Call(get) = inner else { return None };
                let is_env_read = match get.func.as_ref() {
                    Expr::Attribute(a) if a.attr.as_str() == "get" => self.is_environ(&a.value),
                    func => self.is_getenv(func),
                };
                if is_env_read {
                    self.port_value(get.arguments.args.get(1)?)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    fn source(&self, offset: TextSize) -> Source {
        Source::at(&self.module.path, self.module.line(offset))
    }

    fn record(&mut self, name: &str, required: bool, default: Option<&Expr>, offset: TextSize) {
        if !crate::safe::is_env_name(name) {
            let source = self.source(offset);
            self.facts
                .rejected_names
                .push(Fact::new(name.to_string(), source));
            return;
        }
        let default = default
            .and_then(literal_text)
            .filter(|value| !is_secret_name(name) && !is_secret_value(value));
        if (name == "PORT" || name.ends_with("_PORT") && name.starts_with("FLASK"))
            && let Some(port) = default.as_deref().and_then(|d| d.parse::<u16>().ok())
            && self.facts.port_env_default.is_none()
        {
            self.facts.port_env_default = Some(Fact::new(
                port,
                self.source(offset)
                    .with_note(format!("default of `{name}`")),
            ));
        }
        match self.index.get(name).map(|&i| &mut self.facts.env_vars[i]) {
            Some(var) => {
                var.required |= required;
                if var.default.is_none() {
                    var.default = default;
                }
            }
            None => {
                let source = self.source(offset);
                self.index
                    .insert(name.to_string(), self.facts.env_vars.len());
                self.facts.env_vars.push(EnvVar {
                    name: name.to_string(),
                    required,
                    default,
                    source,
                });
            }
        }
    }

    fn check_call(&mut self, call: &ast::ExprCall) {
        let offset = call.start();
        let (args, keywords) = (&call.arguments.args, &call.arguments.keywords);
        // `socketio.run(app)` in a script's main block is Flask-SocketIO's
        // development server, as `app.run` is Flask's: gunicorn replaces both.
        if self.facts.own_server.is_none()
            && let Some(server) = own_server(call, &call.func)
                .filter(|s| !(self.in_main_block && s.contains("SocketIO")))
        {
            self.facts.own_server = Some(Fact::new(server.to_string(), self.source(offset)));
        }
        match call.func.as_ref() {
            // os.getenv("X", default) / getenv("X")
            func if self.is_getenv(func) => {
                if let Some(name) = args.first().and_then(string_literal) {
                    self.record(name, false, args.get(1), offset);
                }
            }
            // os.environ.get("X", default) / environ.setdefault("X", default)
            Expr::Attribute(attr)
                if matches!(attr.attr.as_str(), "get" | "setdefault")
                    && self.is_environ(&attr.value) =>
            {
                if let Some(name) = args.first().and_then(string_literal) {
                    self.record(name, false, args.get(1), offset);
                }
            }
            // sqlite3.connect(...): a database file inside the container
            Expr::Attribute(attr)
                if attr.attr.as_str() == "connect"
                    && matches!(attr.value.as_ref(), Expr::Name(n) if n.id.as_str() == "sqlite3") =>
            {
                let source = self.source(offset);
                self.facts.sqlite_urls.push(source);
            }
            // app.config.from_prefixed_env() / from_prefixed_env("MYAPP")
            Expr::Attribute(attr) if attr.attr.as_str() == "from_prefixed_env" => {
                let prefix = args.first().and_then(string_literal).unwrap_or("FLASK");
                if !crate::safe::is_env_name(prefix) {
                    let source = self.source(offset);
                    self.facts
                        .rejected_names
                        .push(Fact::new(prefix.to_string(), source));
                } else if self.facts.prefixed_env.is_none() {
                    self.facts.prefixed_env =
                        Some(Fact::new(prefix.to_string(), self.source(offset)));
                }
            }
            // app.run(host, port, debug) / app.run(port=5000)
            Expr::Attribute(attr) if attr.attr.as_str() == "run" => {
                let port = keywords
                    .iter()
                    .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "port"))
                    .map(|k| &k.value)
                    .or(args.get(1));
                if let Some(port) = port.and_then(|p| self.port_value(p))
                    && self.facts.run_port.is_none()
                {
                    self.facts.run_port = Some(Fact::new(port, self.source(offset)));
                }
            }
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for Scanner<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::If(node) if is_main_guard(&node.test) && !self.in_main_block => {
                self.in_main_block = true;
                visitor::walk_stmt(self, stmt);
                self.in_main_block = false;
            }
            Stmt::ImportFrom(node) if node.module.as_ref().is_some_and(|m| m.as_str() == "os") => {
                for alias in &node.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
                    match alias.name.as_str() {
                        "environ" => self.environ_names.push(bound),
                        "getenv" => self.getenv_names.push(bound),
                        _ => {}
                    }
                }
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => self.check_call(call),
            // A read; `os.environ["X"] = ...` sets it for the process instead.
            Expr::Subscript(sub)
                if sub.ctx == ast::ExprContext::Load && self.is_environ(&sub.value) =>
            {
                if let Some(name) = string_literal(&sub.slice) {
                    self.record(name, true, None, sub.start());
                }
            }
            _ => {}
        }
        // A URL in a plain string, or at the start of an f-string.
        if let Some(text) = string_literal(expr).or_else(|| leading_text(expr)) {
            let urls = if text.starts_with("postgres://")
                || text.starts_with("postgresql://")
                || text.starts_with("postgresql+")
            {
                Some(&mut self.facts.postgres_urls)
            } else if ["mysql://", "mysql+", "mariadb://", "mariadb+"]
                .iter()
                .any(|scheme| text.starts_with(scheme))
            {
                Some(&mut self.facts.mysql_urls)
            } else if text.starts_with("redis://") || text.starts_with("rediss://") {
                Some(&mut self.facts.redis_urls)
            } else if text.starts_with("sqlite:") {
                Some(&mut self.facts.sqlite_urls)
            } else {
                None
            };
            if let Some(urls) = urls {
                urls.push(Source::at(
                    &self.module.path,
                    self.module.line(expr.start()),
                ));
            }
        }
        visitor::walk_expr(self, expr);
    }
}

/// `os.environ` or a bare `environ` (from `from os import environ`).
/// `os.ATTR`, or one of `imported`, the names `from os import ATTR` bound.
fn is_from_os(expr: &Expr, attr: &str, imported: &[String]) -> bool {
    match expr {
        Expr::Name(n) => imported.iter().any(|name| name == n.id.as_str()),
        Expr::Attribute(a) => {
            a.attr.as_str() == attr
                && matches!(a.value.as_ref(), Expr::Name(n) if n.id.as_str() == "os")
        }
        _ => false,
    }
}

/// A call that starts a server other than gunicorn: the launcher a project
/// ships for itself. Flask's own `app.run` is left out (the development server
/// under `__main__` is the common case, and gunicorn replaces it).
fn own_server(call: &ast::ExprCall, func: &Expr) -> Option<&'static str> {
    // Every call in every parsed module comes here: look at the last name
    // before building the dotted one.
    let last = call_name(func)?;
    if !matches!(
        last,
        "WSGIServer" | "make_server" | "serve" | "server" | "run" | "HTTPServer"
    ) {
        return None;
    }
    let dotted = dotted_name(func)?;
    match last {
        "WSGIServer" => Some("WSGIServer"),
        "make_server" => Some("wsgiref's make_server"),
        "serve" if dotted.contains("waitress") => Some("waitress.serve"),
        "server" if dotted.ends_with("wsgi.server") => Some("eventlet.wsgi.server"),
        "run" if dotted.to_ascii_lowercase().contains("socketio") => Some("Flask-SocketIO's run"),
        "HTTPServer" => call
            .arguments
            .args
            .first()
            .and_then(|arg| match arg {
                Expr::Call(inner) => dotted_name(&inner.func),
                _ => None,
            })
            .filter(|inner| inner.ends_with("WSGIContainer"))
            .map(|_| "tornado's HTTPServer"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(code: &str) -> CodeFacts {
        scan_code(&[Module::from_text("app.py", code).unwrap()])
    }

    #[test]
    fn finds_every_way_of_reading_the_environment() {
        let facts = scan(
            "import os\nfrom os import environ, getenv\nA = os.environ['A']\nB = os.environ.get('B', 'x')\nC = os.getenv('C')\nD = getenv('D', 3)\nE = environ.get('E')\nF = environ['F']\n",
        );
        let vars: Vec<(&str, bool, Option<&str>, usize)> = facts
            .env_vars
            .iter()
            .map(|v| {
                (
                    v.name.as_str(),
                    v.required,
                    v.default.as_deref(),
                    v.source.line.unwrap(),
                )
            })
            .collect();
        assert_eq!(
            vars,
            [
                ("A", true, None, 3),
                ("B", false, Some("x"), 4),
                ("C", false, None, 5),
                ("D", false, Some("3"), 6),
                ("E", false, None, 7),
                ("F", true, None, 8),
            ]
        );
    }

    #[test]
    fn a_wsgi_environ_and_writes_to_the_environment_are_not_reads() {
        // A WSGI middleware's `environ` parameter, and `os.environ[...] = ...`.
        let facts = scan(
            "import os\nclass Fix:\n    def __call__(self, environ, start_response):\n        environ['HTTP_HOST'] = environ.get('HTTP_X_FORWARDED_SERVER', '')\n        return self.app(environ, start_response)\nos.environ['TZ'] = 'UTC'\ndef getenv(name):\n    return name\ngetenv('NOT_THE_OS')\n",
        );
        assert!(facts.env_vars.is_empty(), "{:?}", facts.env_vars);
    }

    #[test]
    fn aliased_imports_from_os_still_count() {
        let facts =
            scan("from os import environ as env, getenv as ge\nA = env['A']\nB = ge('B', 'b')\n");
        let names: Vec<&str> = facts.env_vars.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["A", "B"]);
    }

    #[test]
    fn test_code_says_nothing_about_the_running_app() {
        let code = "import os\nURL = os.environ['TEST_DATABASE_URL']\napp.run(port=11080)\nDB = 'sqlite:///:memory:'\n";
        for path in [
            "tests/test_app.py",
            "pkg/tests/smtp/server.py",
            "conftest.py",
            "pkg/views_test.py",
        ] {
            let facts = scan_code(&[Module::from_text(path, code).unwrap()]);
            assert!(
                facts.env_vars.is_empty() && facts.run_port.is_none(),
                "{path}"
            );
            assert!(facts.sqlite_urls.is_empty(), "{path}");
        }
        let facts = scan_code(&[Module::from_text("pkg/testimonials.py", code).unwrap()]);
        assert_eq!(facts.run_port.map(|p| p.value), Some(11080));
    }

    #[test]
    fn finds_servers_the_project_starts_itself() {
        let server = |code: &str| scan(code).own_server.map(|f| (f.value, f.source.line));
        for (code, expected) in [
            (
                "from gevent.pywsgi import WSGIServer\nWSGIServer(('', 80), app).serve_forever()\n",
                "WSGIServer",
            ),
            (
                "import waitress\nwaitress.serve(app, port=80)\n",
                "waitress.serve",
            ),
            (
                "from eventlet import wsgi\nwsgi.server(sock, app)\n",
                "eventlet.wsgi.server",
            ),
            (
                "socketio.run(app, host='0.0.0.0')\n",
                "Flask-SocketIO's run",
            ),
            (
                "HTTPServer(WSGIContainer(app)).listen(80)\n",
                "tornado's HTTPServer",
            ),
        ] {
            let line = code.lines().count();
            assert_eq!(
                server(code),
                Some((expected.to_string(), Some(line))),
                "{code}"
            );
        }
        // Flask-SocketIO's `run` in a main block is its development server; in a
        // function (a launcher's `main()`) it is the server the project starts.
        assert_eq!(
            server("if __name__ == '__main__':\n    socketio.run(app)\n"),
            None
        );
        assert_eq!(
            server("def main():\n    socketio.run(app, port=5000)\n"),
            Some(("Flask-SocketIO's run".to_string(), Some(2)))
        );
        // Flask's own development server, and unrelated calls, are not launchers.
        assert_eq!(
            server("app.run(port=5000)\nserve(app)\nHTTPServer(handler)\n"),
            None
        );
    }

    #[test]
    fn looks_inside_keywords_defaults_with_and_comprehensions() {
        let facts = scan(
            "f(x=os.environ['A'])\ndef g(y=os.getenv('B')):\n    pass\nwith open(os.environ['C']):\n    pass\n[v for v in os.environ.get('D', '')]\n",
        );
        let names: Vec<&str> = facts.env_vars.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "C", "D"]);
    }

    #[test]
    fn hides_defaults_of_secret_looking_variables() {
        let facts = scan("import os\nKEY = os.getenv('SECRET_KEY', 'dev-only-secret')\n");
        assert_eq!(facts.env_vars[0].default, None);
    }

    #[test]
    fn reads_the_port_from_app_run() {
        let facts = scan(
            "if __name__ == '__main__':\n    app.run(host='0.0.0.0', port=int(os.environ.get('PORT', 8080)))\n",
        );
        assert_eq!(
            facts.run_port.map(|p| (p.value, p.source.line)),
            Some((8080, Some(2)))
        );
        let facts = scan("app.run('0.0.0.0', 5001)\n");
        assert_eq!(facts.run_port.map(|p| p.value), Some(5001));
    }

    #[test]
    fn finds_postgres_urls() {
        let facts = scan("URL = 'postgresql://u@db/x'\nOTHER = 'sqlite:///x.db'\n");
        assert_eq!(facts.postgres_urls, [Source::at("app.py", 1)]);
    }

    #[test]
    fn finds_mysql_urls() {
        let facts = scan("A = 'mysql+pymysql://u@db/x'\nB = 'mariadb://u@db/x'\nC = 'mysqlx'\n");
        assert_eq!(
            facts.mysql_urls,
            [Source::at("app.py", 1), Source::at("app.py", 2)]
        );
    }
}
