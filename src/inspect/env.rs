//! What the code reads from its environment (`os.environ[...]`, `.get`,
//! `os.getenv`), the port given to `app.run(...)`, and PostgreSQL URLs.

use serde::Serialize;

use super::fact::{Fact, Source};
use super::launcher::OwnServer;
use super::module::Module;
use crate::secret::{is_secret_name, is_secret_value};
use crate::services::{self, Database};
use crate::syntax::{
    Expr, Ranged, Stmt, TextSize, Visitor, ast, call_name, dotted_name, imports_module,
    is_main_guard, keyword, leading_text, literal_text, single_assignment, string_literal, visitor,
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
pub(crate) struct CodeFacts {
    /// Sorted by name, one entry per variable.
    pub env_vars: Vec<EnvVar>,
    /// `app.run(port=N)`: each module's first, in path order.
    pub run_ports: Vec<Fact<u16>>,
    /// The numeric default of a `PORT` variable read from the environment.
    pub port_env_default: Option<Fact<u16>>,
    /// The default of a `--port` option of the project's own launcher
    /// (`parser.add_argument("--port", default=5000)`, `@click.option("-p",
    /// "--port", default=5000)`).
    pub cli_port: Option<Fact<u16>>,
    /// Flask's own development server started in a script's main block with
    /// no port (`app.run()`, or a `FlaskGroup` CLI's `cli()`): the name it is
    /// started through, `None` for a `FlaskGroup`. Each module's first, in
    /// path order.
    pub dev_servers: Vec<Fact<Option<String>>>,
    /// String literals that are database URLs, each with its database.
    pub database_urls: Vec<Fact<Database>>,
    /// Database URLs written in the code for this machine (not an
    /// environment read's default): in a container, the container itself.
    pub local_databases: Vec<Fact<String>>,
    /// String literals that are Redis URLs.
    pub redis_urls: Vec<Source>,
    /// SQLite URLs (of a file, not in memory) and `sqlite3.connect(...)` calls.
    pub sqlite_urls: Vec<Source>,
    /// A SQLite URL of a file under `/tmp` (memory in the container: compose's tmpfs).
    pub sqlite_in_tmp: Option<Fact<String>>,
    /// `app.config.from_prefixed_env(prefix)`: the prefix (default `FLASK`).
    pub prefixed_env: Option<Fact<String>>,
    /// Variables whose value names the object the config is loaded from,
    /// read without a default (`app.config.from_object(os.getenv("APP_SETTINGS"))`):
    /// unset, Flask loads nothing and the app runs unconfigured.
    pub config_selectors: Vec<Fact<String>>,
    /// A server the project starts itself (`WSGIServer(...)`, `socketio.run(app)`).
    pub own_server: Option<OwnServer>,
    /// Where the app wraps itself in Werkzeug's `ProxyFix`, which reads the
    /// `X-Forwarded-*` headers of the proxies it is told of.
    pub proxy_fix: Option<Source>,
    /// Commands of the app's own CLI that set it up (`@click.command("init-db")`,
    /// `@app.cli.command() def deploy()`), and where groups are added.
    pub(super) cli: super::cli::CliFacts,
    /// Names read from the environment that are not plain variable names
    /// (`os.environ["A=B"]`): left out, each with where it is read.
    pub rejected_names: Vec<Fact<String>>,
    /// Names bound to a config library's reader object (`env = Env()`,
    /// cfenv's `env = AppEnv()`), which other modules import.
    exported_readers: Vec<String>,
    /// Reads through a reader object another module made (`from .config
    /// import env`, then `env.str("X")`): kept when some module of the
    /// project binds that name to a reader.
    imported_reads: Vec<ImportedRead>,
    /// Background processes the code sets up (beat, RQ).
    pub background: super::background::Background,
    /// Health routes the app declares (`@app.get("/healthz")`).
    pub health_routes: Vec<super::health::HealthRoute>,
    /// Where the app's pages are registered: at import, or in functions only
    /// a launcher may run (`launcher.rs`).
    pub(super) pages: super::launcher::Pages,
    /// Redis URLs written in the code for `localhost` (not an environment
    /// read's default): inside a container, the container itself.
    pub local_brokers: Vec<LocalBroker>,
    /// Folders of the project the app writes into (`writes.rs`).
    pub writes: Vec<Fact<String>>,
    /// A secret key the app makes at random when it starts (`secret_key.rs`).
    pub random_secret: Option<Fact<String>>,
    /// Variables Flask's secret key is read from (`secret_key.rs`).
    pub secret_key_vars: Vec<Fact<String>>,
    /// The project's own functions that read the variable a parameter names
    /// (`def setting(name, default=None): return os.environ.get(name, default)`).
    wrappers: Vec<Wrapper>,
    /// Calls with an upper-case literal first argument (`setting("API_URL")`),
    /// which read a variable when the callee is one of the `wrappers`: known
    /// only once every module has been scanned.
    named_calls: Vec<NamedCall>,
}

/// A function of the project that reads the environment variable named by
/// one of its parameters, or a class whose constructor keeps one that a
/// method reads (`SettingsValue(int, 8888, environ_name="PORT")`).
#[derive(Debug)]
struct Wrapper {
    name: String,
    /// Which positional argument is the name.
    position: usize,
    /// The parameter's own name, for calls that pass it by keyword.
    keyword: String,
    /// It reads with a subscript, failing when the variable is missing.
    required: bool,
    /// How it makes the variable's name from the argument.
    namings: Vec<Naming>,
}

/// `callee(..., "NAME", ...)` or `callee(key="NAME")` somewhere in the code.
#[derive(Debug)]
struct NamedCall {
    callee: String,
    position: usize,
    /// The keyword the name is passed by, if it is.
    keyword: Option<String>,
    name: String,
    /// A second argument or a `default=` is given.
    defaulted: bool,
    source: Source,
}

/// `RECEIVER.method("NAME")` on a name imported from another module.
#[derive(Debug)]
struct ImportedRead {
    receiver: String,
    name: String,
    required: bool,
    source: Source,
}

/// The readers config libraries make ready to import, as (module, name).
const READY_READERS: &[(&str, &str)] = &[
    ("decouple", "config"),
    ("envparse", "env"),
    ("environs", "env"),
];

/// environs' typed readers: `env.str("X")`, `env.int("X", default=1)`.
const ENVIRONS_READERS: &[&str] = &[
    "str",
    "int",
    "bool",
    "float",
    "decimal",
    "list",
    "dict",
    "json",
    "url",
    "path",
    "date",
    "datetime",
    "time",
    "timedelta",
    "uuid",
    "log_level",
    "enum",
    "dj_db_url",
    "dj_email_url",
    "dj_cache_url",
    // cfenv's `AppEnv().get_credential("X")`: a bound service's credential,
    // else the variable (optional: `None` when missing).
    "get_credential",
];

/// A variable that names the port the app's own server listens on: `PORT`,
/// Flask's (`FLASK_RUN_PORT`), or a generic server's (`APP_PORT`,
/// `HTTP_PORT`); a service's (`DB_PORT`, `MAIL_PORT`) is not.
fn is_server_port(name: &str) -> bool {
    name == "PORT"
        || name.ends_with("_PORT") && name.starts_with("FLASK")
        || matches!(
            name,
            "APP_PORT" | "SERVER_PORT" | "HTTP_PORT" | "LISTEN_PORT" | "WEBSERVER_PORT"
        )
}

pub(super) fn scan_code(modules: &[Module]) -> CodeFacts {
    merge(modules.iter().map(scan_module).collect())
}

/// Task runners whose task files (`tasks.py`, `noxfile.py`, `dodo.py`)
/// deploy, lint or release the project, and load testers (`locustfile.py`):
/// they never run in the app. (Fabric is left out: an app may use its SSH
/// `Connection`; a root `fabfile.py` is tooling by its name.)
const TASK_RUNNERS: &[&str] = &["invoke", "nox", "doit", "paver", "locust"];

/// Whether a module imports a task runner or a load tester at its top level
/// (`from invoke import task`): a Makefile written in Python, not the app's
/// code (a Celery `tasks.py` imports Celery, not these).
fn imports_task_runner(body: &[Stmt]) -> bool {
    imports_module(body, |module| {
        TASK_RUNNERS.contains(&module.split('.').next().unwrap_or(module))
    })
}

/// A read through a reader object's method: `RECEIVER.str("X")`,
/// `RECEIVER.int("X", default=3)`, `RECEIVER.get_credential("X")`.
struct ReaderMethodRead<'e> {
    receiver: &'e str,
    name: &'e str,
    /// No default, and the method refuses a missing variable (environs'
    /// typed readers do; cfenv's `get_credential` gives `None`).
    required: bool,
    default: Option<&'e Expr>,
}

/// `call` as a reader method's read, whoever the receiver is: the caller
/// decides whether the receiver is a reader.
fn reader_method_read(call: &ast::ExprCall) -> Option<ReaderMethodRead<'_>> {
    let Expr::Attribute(a) = call.func.as_ref() else {
        return None;
    };
    let Expr::Name(receiver) = a.value.as_ref() else {
        return None;
    };
    if !ENVIRONS_READERS.contains(&a.attr.as_str()) {
        return None;
    }
    let args = &call.arguments.args;
    let name = args.first().and_then(string_literal)?;
    let default = keyword(call, "default").or(args.get(1));
    Some(ReaderMethodRead {
        receiver: receiver.id.as_str(),
        name,
        required: default.is_none() && a.attr.as_str() != "get_credential",
        default,
    })
}

/// The facts of one module. Test code, docs and tools have none: their
/// variables, ports and throwaway SQLite databases are not the running app's.
pub(super) fn scan_module(module: &Module) -> CodeFacts {
    let mut facts = CodeFacts::default();
    if crate::syntax::is_test_path(&module.path)
        || crate::syntax::is_tooling_path(&module.path)
        || imports_task_runner(&module.body)
    {
        return facts;
    }
    let mut scanner = Scanner {
        module,
        facts: &mut facts,
        environ_names: Vec::new(),
        getenv_names: Vec::new(),
        in_main_block: false,
        index: std::collections::HashMap::new(),
        env_readers: Vec::new(),
        env_interpolations: Vec::new(),
        env_parsers: Vec::new(),
        literal_tables: std::collections::HashMap::new(),
        flask_groups: Vec::new(),
        env_defaults: std::collections::HashSet::new(),
        assigned_literals: Vec::new(),
        constants: std::collections::HashMap::new(),
        optional_targets: std::collections::HashMap::new(),
        tested_set: Vec::new(),
        set_tests: std::collections::HashMap::new(),
        caught: 0,
        imported_names: Vec::new(),
    };
    scanner.visit_body(&module.body);
    facts.cli = super::cli::scan(module);
    facts.background = super::background::scan(module);
    facts.health_routes = super::health::scan(module);
    facts.pages = super::launcher::scan(module);
    facts.writes = super::writes::scan(module);
    let key = super::secret_key::scan(module);
    facts.random_secret = key.random;
    facts.secret_key_vars = key.read_from;
    facts
}

/// Facts of modules in path order, merged as if read one after another: a
/// variable's first source and default win, `required` from any read.
pub(super) fn merge(parts: Vec<CodeFacts>) -> CodeFacts {
    let mut facts = CodeFacts::default();
    for part in parts {
        facts.env_vars.extend(part.env_vars);
        facts.run_ports.extend(part.run_ports);
        facts.port_env_default = facts.port_env_default.or(part.port_env_default);
        facts.cli_port = facts.cli_port.or(part.cli_port);
        facts.dev_servers.extend(part.dev_servers);
        facts.prefixed_env = facts.prefixed_env.or(part.prefixed_env);
        facts.config_selectors.extend(part.config_selectors);
        facts.own_server = facts.own_server.or(part.own_server);
        facts.pages.extend(part.pages);
        facts.proxy_fix = facts.proxy_fix.or(part.proxy_fix);
        facts.random_secret = facts.random_secret.or(part.random_secret);
        facts.secret_key_vars.extend(part.secret_key_vars);
        facts.local_brokers.extend(part.local_brokers);
        facts.cli.merge(part.cli);
        facts.database_urls.extend(part.database_urls);
        facts.local_databases.extend(part.local_databases);
        facts.redis_urls.extend(part.redis_urls);
        facts.sqlite_urls.extend(part.sqlite_urls);
        facts.sqlite_in_tmp = facts.sqlite_in_tmp.or(part.sqlite_in_tmp);
        facts.rejected_names.extend(part.rejected_names);
        facts.exported_readers.extend(part.exported_readers);
        facts.imported_reads.extend(part.imported_reads);
        facts.wrappers.extend(part.wrappers);
        facts.named_calls.extend(part.named_calls);
        facts.background.merge(part.background);
        facts.health_routes.extend(part.health_routes);
        for write in part.writes {
            if !facts.writes.iter().any(|w| w.value == write.value) {
                facts.writes.push(write);
            }
        }
    }
    // Calls of the project's own wrappers, wherever they were defined, read
    // after every direct read.
    for call in std::mem::take(&mut facts.named_calls) {
        let Some(wrapper) = facts.wrappers.iter().find(|w| {
            w.name == call.callee
                && match &call.keyword {
                    Some(keyword) => *keyword == w.keyword,
                    None => w.position == call.position,
                }
        }) else {
            continue;
        };
        for naming in &wrapper.namings {
            let name = naming.apply(&call.name);
            if !crate::safe::is_env_name(&name) || is_system_variable(&name) {
                continue;
            }
            facts.env_vars.push(EnvVar {
                name,
                required: wrapper.required && !call.defaulted,
                default: None,
                source: call.source.clone(),
            });
        }
    }
    for read in std::mem::take(&mut facts.imported_reads) {
        if facts.exported_readers.contains(&read.receiver) {
            facts.env_vars.push(EnvVar {
                name: read.name,
                required: read.required,
                default: None,
                source: read.source,
            });
        }
    }
    // One entry per name: the first read's source and the first default
    // (a stable sort keeps reads of one name in reading order).
    facts.env_vars.sort_by(|a, b| a.name.cmp(&b.name));
    facts.env_vars.dedup_by(|later, first| {
        if later.name != first.name {
            return false;
        }
        first.required |= later.required;
        if first.default.is_none() {
            first.default = later.default.take();
        }
        true
    });
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
    /// Names bound to a config library's reader: an environs `Env()`
    /// (`env.str("X")`), python-decouple's `config` or an `AutoConfig()`.
    env_readers: Vec<String>,
    /// Classes of this module that make a `ConfigParser` fall back to the
    /// environment (an `Interpolation` that reads `os.getenv(option)`).
    env_interpolations: Vec<String>,
    /// Names bound to such a `ConfigParser`: `parser["section"]["X"]` reads `X`.
    env_parsers: Vec<String>,
    /// Module-level names bound to a literal dict, list or tuple of strings
    /// (`DEFAULTS = {"API_URL": "http://x"}`): the keys, with their values.
    literal_tables: std::collections::HashMap<String, Vec<(String, Option<String>)>>,
    /// Names bound to a `FlaskGroup` (`cli = FlaskGroup(app)`, or a function
    /// decorated `@click.group(cls=FlaskGroup)`).
    flask_groups: Vec<String>,
    /// Where the defaults of environment reads start (`os.getenv("X", "redis://...")`):
    /// a URL there is no hard-coded one.
    env_defaults: std::collections::HashSet<TextSize>,
    /// String literals assigned to a name (`BROKER = "redis://..."`): where
    /// each starts, and the name.
    assigned_literals: Vec<(TextSize, String)>,
    /// Names bound to a literal (`DEFAULT_PORT = 8083`), for a read whose
    /// default is one of them.
    constants: std::collections::HashMap<String, String>,
    /// Names bound to a read without a default (`settings = os.getenv("X")`):
    /// the variable each holds.
    optional_targets: std::collections::HashMap<String, String>,
    /// Variables the enclosing `if` (or conditional expression) tested as
    /// set (`if os.environ.get("X"):`, `if "X" in os.environ:`): a subscript
    /// read of one of them there happens only when it is set.
    tested_set: Vec<String>,
    /// Names bound to such a test (`ENABLED = "X" in os.environ`), for an
    /// `if ENABLED:` later: the variables each tests.
    set_tests: std::collections::HashMap<String, Vec<String>>,
    /// How many `try:` bodies that catch a missing key (`except KeyError:`)
    /// the statement is in: a subscript read there may fail.
    caught: usize,
    /// Names a `from X import name` binds (not from `os`): a reader object
    /// another module made may be one of them.
    imported_names: Vec<String>,
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

    /// A callee that reads one variable with an optional default:
    /// `os.environ.get` or `os.getenv` (under any name imported from `os`).
    fn is_env_get(&self, func: &Expr) -> bool {
        match func {
            Expr::Attribute(a) if a.attr.as_str() == "get" => self.is_environ(&a.value),
            func => self.is_getenv(func),
        }
    }

    /// A read through a config library or an env-backed `ConfigParser`: the
    /// name, whether it is required, and its default.
    fn config_library_read<'e>(
        &self,
        call: &'e ast::ExprCall,
    ) -> Option<(&'e str, bool, Option<&'e Expr>)> {
        let args = &call.arguments.args;
        let name = args.first().and_then(string_literal)?;
        let default = keyword(call, "default").or(args.get(1));
        match call.func.as_ref() {
            // decouple's `config("X")`, environs' `env("X")`
            Expr::Name(n) if self.env_readers.iter().any(|r| r == n.id.as_str()) => {
                Some((name, default.is_none(), default))
            }
            Expr::Attribute(a) => match a.value.as_ref() {
                // environs: `env.str("X")`, `env.int("X", default=3)`
                Expr::Name(n) if self.env_readers.iter().any(|r| r == n.id.as_str()) => {
                    reader_method_read(call).map(|read| (read.name, read.required, read.default))
                }
                // `parser["server"].get("X")`, `.getboolean("X", fallback=True)`
                Expr::Subscript(section)
                    if self.is_env_parser(&section.value)
                        && matches!(
                            a.attr.as_str(),
                            "get" | "getboolean" | "getint" | "getfloat"
                        ) =>
                {
                    Some((name, false, None))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// `target = os.environ.get("X")` (or `getenv`) with no default: the
    /// target and the variable.
    fn optional_read<'e>(&self, stmt: &'e Stmt) -> Option<(&'e str, &'e str)> {
        let (target, Expr::Call(call)) = single_assignment(stmt)? else {
            return None;
        };
        let args = &call.arguments.args;
        // `os.environ.get("X")`, or cfenv's `env.get_credential("X")`.
        let credential = matches!(call.func.as_ref(), Expr::Attribute(a)
            if a.attr.as_str() == "get_credential"
                && matches!(a.value.as_ref(), Expr::Name(n)
                    if self.env_readers.iter().chain(&self.imported_names).any(|r| r == n.id.as_str())));
        if !(self.is_env_get(&call.func) || credential)
            || args.len() != 1
            || !call.arguments.keywords.is_empty()
        {
            return None;
        }
        Some((target, string_literal(&args[0])?))
    }

    /// The string keys of a literal dict, list or tuple, or of a name bound
    /// to one, with each key's value when it is a literal.
    fn table_of(&self, expr: &Expr) -> Option<Vec<(String, Option<String>)>> {
        match expr {
            Expr::Name(n) => self.literal_tables.get(n.id.as_str()).cloned(),
            Expr::Attribute(_) => self.literal_tables.get(&dotted_name(expr)?).cloned(),
            Expr::Dict(dict) => Some(
                dict.items
                    .iter()
                    .filter_map(|item| {
                        let key = item.key.as_ref().and_then(string_literal)?;
                        Some((key.to_string(), literal_text(&item.value)))
                    })
                    .collect(),
            ),
            Expr::List(list) => Some(strings_of(&list.elts)),
            Expr::Tuple(tuple) => Some(strings_of(&tuple.elts)),
            _ => None,
        }
    }

    /// `for key, default in DEFAULTS.items(): os.environ.get(key, default)`:
    /// every key of the table is read.
    fn loop_reads(&mut self, node: &ast::StmtFor) {
        let (key, value) = match node.target.as_ref() {
            Expr::Name(n) => (n.id.as_str(), None),
            Expr::Tuple(t) => match t.elts.as_slice() {
                [Expr::Name(k), Expr::Name(v)] => (k.id.as_str(), Some(v.id.as_str())),
                _ => return,
            },
            _ => return,
        };
        let iterated = match node.iter.as_ref() {
            Expr::Call(call)
                if matches!(call.func.as_ref(), Expr::Attribute(a) if matches!(a.attr.as_str(), "items" | "keys"))
                    && call.arguments.args.is_empty() =>
            {
                let Expr::Attribute(a) = call.func.as_ref() else {
                    return;
                };
                a.value.as_ref()
            }
            other => other,
        };
        let Some(table) = self.table_of(iterated) else {
            return;
        };
        let parameters = [key];
        let mut reads = ParameterReads::new(self, &parameters);
        reads.visit_body(&node.body);
        let Some((_, required)) = reads.found else {
            return;
        };
        let namings = reads.namings();
        let offset = node.start();
        for (key, default) in table {
            let default = default.filter(|_| value.is_some());
            for naming in &namings {
                let name = naming.apply(&key);
                self.record_text(
                    &name,
                    required && default.is_none(),
                    default.clone(),
                    offset,
                );
            }
        }
    }

    /// Fields of a pydantic-settings class (`class Settings(BaseSettings)`):
    /// each reads the variable of its name, upper-cased, after the class's
    /// `env_prefix`; one without a default is required.
    fn settings_fields(&mut self, class: &ast::StmtClassDef) {
        let is_settings = class
            .bases()
            .iter()
            .any(|b| call_name(b).is_some_and(|n| n == "BaseSettings"));
        if !is_settings {
            return;
        }
        let prefix = class
            .body
            .iter()
            .find_map(|stmt| match single_assignment(stmt) {
                Some(("model_config", Expr::Call(call))) => {
                    keyword(call, "env_prefix").and_then(string_literal)
                }
                _ => match stmt {
                    Stmt::ClassDef(inner) if inner.name.as_str() == "Config" => {
                        inner.body.iter().find_map(|s| match single_assignment(s) {
                            Some(("env_prefix", value)) => string_literal(value),
                            _ => None,
                        })
                    }
                    _ => None,
                },
            })
            .unwrap_or("")
            .to_string();
        for stmt in &class.body {
            let Stmt::AnnAssign(field) = stmt else {
                continue;
            };
            let Expr::Name(name) = field.target.as_ref() else {
                continue;
            };
            let field_name = name.id.as_str();
            if field_name.starts_with('_') || field_name == "model_config" {
                continue;
            }
            let env = format!("{prefix}{field_name}").to_ascii_uppercase();
            let default = field.value.as_deref();
            // `Field(...)` without a default, or no value at all: required.
            let required = match default {
                None => true,
                Some(Expr::Call(call)) if call_name(&call.func) == Some("Field") => {
                    keyword(call, "default").is_none()
                        && call
                            .arguments
                            .args
                            .first()
                            .is_none_or(|a| matches!(a, Expr::EllipsisLiteral(_)))
                }
                Some(_) => false,
            };
            let literal = default.filter(|d| literal_text(d).is_some());
            self.record(&env, required, literal, field.start());
        }
    }

    fn is_env_parser(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Name(n) if self.env_parsers.iter().any(|p| p == n.id.as_str()))
    }

    /// Binds the names config libraries read through: `env = Env()`,
    /// `config = AutoConfig()`, `parser = ConfigParser(interpolation=EnvInterpolation())`.
    fn bind_readers(&mut self, stmt: &Stmt) {
        let Some((target, Expr::Call(call))) = single_assignment(stmt) else {
            return;
        };
        match call_name(&call.func) {
            Some("Env" | "AutoConfig" | "AppEnv") => {
                self.env_readers.push(target.to_string());
                self.facts.exported_readers.push(target.to_string());
            }
            Some("ConfigParser" | "RawConfigParser" | "SafeConfigParser") => {
                let falls_back = keyword(call, "interpolation").is_some_and(|i| {
                    matches!(i, Expr::Call(c) if call_name(&c.func)
                        .is_some_and(|n| self.env_interpolations.iter().any(|e| e == n)))
                });
                if falls_back {
                    self.env_parsers.push(target.to_string());
                }
            }
            _ => {}
        }
    }

    /// A function whose parameter names the variable it reads is a wrapper:
    /// its callers' literal names are the variables.
    fn find_wrapper(&mut self, function: &ast::StmtFunctionDef) {
        let parameters: Vec<&str> = function
            .parameters
            .posonlyargs
            .iter()
            .chain(&function.parameters.args)
            .map(|p| p.parameter.name.as_str())
            .collect();
        let mut reads = ParameterReads::new(self, &parameters);
        reads.visit_body(&function.body);
        if let Some((position, required)) = reads.found {
            let namings = reads.namings();
            self.facts.wrappers.push(Wrapper {
                name: function.name.to_string(),
                position,
                keyword: parameters[position].to_string(),
                required: required || self.refuses_missing(&function.body, parameters[position]),
                namings,
            });
        }
    }

    /// `value = os.getenv(parameter)` followed by `if value is None: raise`
    /// in a wrapper's body: every call without a default is required.
    fn refuses_missing(&self, body: &[Stmt], parameter: &str) -> bool {
        body.iter().enumerate().any(|(i, stmt)| {
            let Some((target, Expr::Call(read))) = crate::syntax::single_assignment(stmt) else {
                return false;
            };
            self.is_env_get(&read.func)
                && matches!(read.arguments.args.first(), Some(Expr::Name(n)) if n.id.as_str() == parameter)
                && read.arguments.args.len() == 1
                && is_refused_when_missing(target, body.get(i + 1))
        })
    }

    /// A class whose `__init__` keeps a parameter (`self.environ_name =
    /// environ_name`) that one of its methods reads the environment with:
    /// its constructor's calls name the variables.
    fn find_class_wrapper(&mut self, class: &ast::StmtClassDef) {
        let methods: Vec<&ast::StmtFunctionDef> = class
            .body
            .iter()
            .filter_map(|s| match s {
                Stmt::FunctionDef(f) => Some(f),
                _ => None,
            })
            .collect();
        let Some(init) = methods.iter().find(|f| f.name.as_str() == "__init__") else {
            return;
        };
        let parameters: Vec<&str> = init
            .parameters
            .posonlyargs
            .iter()
            .chain(&init.parameters.args)
            .skip(1) // self
            .chain(&init.parameters.kwonlyargs)
            .map(|p| p.parameter.name.as_str())
            .collect();
        // `self.ATTR = PARAMETER`: the attribute, and the parameter's position.
        let kept: Vec<(&str, usize)> = init
            .body
            .iter()
            .filter_map(|stmt| {
                let (target, Expr::Name(value)) = crate::syntax::assignment(stmt)? else {
                    return None;
                };
                let attribute = crate::syntax::self_attribute(target)?;
                let position = parameters.iter().position(|p| *p == value.id.as_str())?;
                Some((attribute, position))
            })
            .collect();
        if kept.is_empty() {
            return;
        }
        let attributes: Vec<&str> = kept.iter().map(|(attr, _)| *attr).collect();
        for method in &methods {
            let mut reads = ParameterReads::new(self, &attributes);
            reads.on_self = true;
            reads.visit_body(&method.body);
            if let Some((index, required)) = reads.found {
                let position = kept[index].1;
                let namings = reads.namings();
                self.facts.wrappers.push(Wrapper {
                    name: class.name.to_string(),
                    position,
                    keyword: parameters[position].to_string(),
                    required,
                    namings,
                });
                return;
            }
        }
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
                if self.is_env_get(&get.func) {
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

    /// Each argument of `call` that reads as a variable's name, positional
    /// or by keyword: the call reads that variable when `callee` is one of
    /// the project's wrappers (known only once every module is read).
    fn named_calls(&mut self, callee: &str, call: &ast::ExprCall, offset: TextSize) {
        let args = &call.arguments.args;
        let positional = args.iter().enumerate().map(|(i, a)| (i, None, a));
        let by_keyword = call
            .arguments
            .keywords
            .iter()
            .filter_map(|k| Some((usize::MAX, Some(k.arg.as_ref()?), &k.value)));
        for (position, keyword, arg) in positional.chain(by_keyword) {
            let Some(name) = self.read_name(arg).filter(|n| is_upper_env_name(n)) else {
                continue;
            };
            let keyword = keyword.map(|k| k.to_string());
            let defaulted = args.len() > position.saturating_add(1) || has_keyword(call, "default");
            let source = self.source(offset);
            self.facts.named_calls.push(NamedCall {
                callee: callee.to_string(),
                position,
                keyword,
                name: name.to_string(),
                defaulted,
                source,
            });
        }
    }

    /// `env.str("X")` on an `env` imported from another module: a read if
    /// that module's `env` is a reader, which only the merge knows.
    fn imported_read(&mut self, call: &ast::ExprCall) {
        let Some(read) = reader_method_read(call) else {
            return;
        };
        if !is_upper_env_name(read.name) || !self.imported_names.iter().any(|n| n == read.receiver)
        {
            return;
        }
        let source = self.source(call.start());
        self.facts.imported_reads.push(ImportedRead {
            receiver: read.receiver.to_string(),
            name: read.name.to_string(),
            required: read.required,
            source,
        });
    }

    /// `from os import environ, getenv`: the names they are bound to.
    fn bind_os_names(&mut self, node: &ast::StmtImportFrom) {
        for alias in &node.names {
            let bound = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
            match alias.name.as_str() {
                "environ" => self.environ_names.push(bound),
                "getenv" => self.getenv_names.push(bound),
                _ => {}
            }
        }
    }

    /// The variable a read names: a string literal, or a constant bound to
    /// one that looks like a variable's name (`DB_ENV = "SHOP_DB_URL"`,
    /// `os.getenv(DB_ENV)`; `Keys.TOKEN` for a class's constant).
    fn read_name(&self, expr: &Expr) -> Option<String> {
        if let Some(name) = string_literal(expr) {
            return Some(name.to_string());
        }
        let bound = match expr {
            Expr::Name(n) => n.id.to_string(),
            Expr::Attribute(a) => format!("{}.{}", dotted_name(&a.value)?, a.attr),
            _ => return None,
        };
        self.constants
            .get(&bound)
            .filter(|name| is_upper_env_name(name))
            .cloned()
    }

    /// The variables a test requires to be set: `os.environ.get("X")`,
    /// `os.getenv("X")`, `"X" in os.environ`, and those joined with `and`.
    fn tested_as_set(&self, test: &Expr) -> Vec<String> {
        match test {
            Expr::BoolOp(op) if op.op == ast::BoolOp::And => op
                .values
                .iter()
                .flat_map(|value| self.tested_as_set(value))
                .collect(),
            Expr::Call(call) if self.is_env_get(&call.func) => call
                .arguments
                .args
                .first()
                .and_then(|name| self.read_name(name))
                .into_iter()
                .collect(),
            Expr::Compare(compare)
                if matches!(compare.ops.first(), Some(ast::CmpOp::In))
                    && compare
                        .comparators
                        .first()
                        .is_some_and(|c| self.is_environ(c)) =>
            {
                self.read_name(&compare.left).into_iter().collect()
            }
            Expr::Name(n) => self
                .set_tests
                .get(n.id.as_str())
                .cloned()
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Visits `body` with the variables `test` checks as set counted as
    /// guarded.
    fn visit_guarded(&mut self, test: &Expr, body: impl FnOnce(&mut Self)) {
        let depth = self.tested_set.len();
        let names = self.tested_as_set(test);
        self.tested_set.extend(names);
        body(self);
        self.tested_set.truncate(depth);
    }

    /// A class's constants (`class Keys: TOKEN = "SHOP_TOKEN"`) and tables
    /// (`class Settings: defaults = {"port": 8080}`), bound as `Keys.TOKEN`.
    fn bind_class_constants(&mut self, class: &ast::StmtClassDef) {
        for stmt in &class.body {
            let Some((target, value)) = single_assignment(stmt) else {
                continue;
            };
            let bound = format!("{}.{target}", class.name);
            if let Some(text) = string_literal(value) {
                self.constants.insert(bound, text.to_string());
            } else if let Some(table) = self.table_of(value).filter(|t| !t.is_empty()) {
                self.literal_tables.insert(bound, table);
            }
        }
    }

    /// What an assignment binds: a test of the environment (`ENABLED = "X"
    /// in os.environ`), a reader, a constant, a Redis URL, a `FlaskGroup`,
    /// a table of names.
    fn bind_assignment(&mut self, stmt: &Stmt) {
        self.bind_readers(stmt);
        self.bind_constant(stmt);
        let Some((target, value)) = single_assignment(stmt) else {
            return;
        };
        let tested = self.tested_as_set(value);
        if tested.is_empty() {
            self.set_tests.remove(target);
        } else {
            self.set_tests.insert(target.to_string(), tested);
        }
        let redis_url = string_literal(value).is_some_and(|text| {
            services::REDIS
                .url_prefixes
                .iter()
                .any(|p| text.starts_with(p))
        });
        if redis_url {
            self.assigned_literals
                .push((value.start(), target.to_string()));
        }
        if matches!(value, Expr::Call(call) if call_name(&call.func) == Some("FlaskGroup")) {
            self.flask_groups.push(target.to_string());
        }
        if let Some(table) = self.table_of(value).filter(|t| !t.is_empty()) {
            self.literal_tables.insert(target.to_string(), table);
        }
    }

    /// `NAME = <literal>` binds a constant; any other value unbinds it.
    fn bind_constant(&mut self, stmt: &Stmt) {
        if let Some((target, value)) = single_assignment(stmt) {
            match literal_text(value) {
                Some(text) => self.constants.insert(target.to_string(), text),
                None => self.constants.remove(target),
            };
        }
    }

    fn record(&mut self, name: &str, required: bool, default: Option<&Expr>, offset: TextSize) {
        let default = default.and_then(|d| match d {
            Expr::Name(n) => self.constants.get(n.id.as_str()).cloned(),
            d => literal_text(d),
        });
        self.record_text(name, required, default, offset);
    }

    /// [`Scanner::record`] with the default as text.
    fn record_text(
        &mut self,
        name: &str,
        required: bool,
        default: Option<String>,
        offset: TextSize,
    ) {
        if is_system_variable(name) {
            return;
        }
        if !crate::safe::is_env_name(name) {
            let source = self.source(offset);
            self.facts
                .rejected_names
                .push(Fact::new(name.to_string(), source));
            return;
        }
        let default = default.filter(|value| !is_secret_name(name) && !is_secret_value(value));
        if is_server_port(name)
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

    /// `os.getenv`, `os.environ.get` or `os.environ.setdefault`, under any
    /// name the module binds them to.
    fn is_os_read(&self, func: &Expr) -> bool {
        self.is_getenv(func)
            || matches!(func, Expr::Attribute(attr)
                if matches!(attr.attr.as_str(), "get" | "setdefault") && self.is_environ(&attr.value))
    }

    /// `os.getenv("X", ...)`, `os.environ.get(...)` or `os.environ["X"]`.
    fn is_env_read(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Call(call) => self.is_os_read(&call.func),
            Expr::Subscript(sub) => self.is_environ(&sub.value),
            _ => false,
        }
    }

    /// `app.config.from_object(os.getenv("APP_SETTINGS"))`, directly or
    /// through a name bound to that read: the variable selects the config,
    /// and unset Flask loads nothing (the plan makes it required where it
    /// knows a value; an empty one would fail the import).
    fn config_selector(&mut self, argument: Option<&Expr>, offset: TextSize) {
        let selector = match argument {
            Some(Expr::Name(n)) => self.optional_targets.get(n.id.as_str()).cloned(),
            Some(Expr::Call(read))
                if self.is_env_get(&read.func)
                    && read.arguments.args.len() == 1
                    && read.arguments.keywords.is_empty() =>
            {
                read.arguments
                    .args
                    .first()
                    .and_then(string_literal)
                    .map(str::to_string)
            }
            _ => None,
        };
        if let Some(name) = selector.filter(|n| crate::safe::is_env_name(n)) {
            self.record(&name, false, None, offset);
            let source = self.source(offset);
            self.facts.config_selectors.push(Fact::new(name, source));
        }
    }

    /// `app.run(host, port, debug)` / `app.run(port=5000)`: the port, or in
    /// a script's main block with none, Flask's development server.
    fn app_run(&mut self, call: &ast::ExprCall, attr: &ast::ExprAttribute) {
        let (args, keywords) = (&call.arguments.args, &call.arguments.keywords);
        let offset = call.start();
        let port = keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "port"))
            .map(|k| &k.value)
            .or(args.get(1));
        if let Some(port) = port.and_then(|p| self.port_value(p))
            && self.facts.run_ports.is_empty()
        {
            let source = self.source(offset);
            self.facts.run_ports.push(Fact::new(port, source));
        } else if port.is_none()
            && args
                .first()
                .is_none_or(|host| string_literal(host).is_some())
            && self.in_main_block
            && let Expr::Name(receiver) = attr.value.as_ref()
        {
            self.dev_server(receiver.id.as_str(), attr.attr.as_str(), offset);
        }
    }

    /// A development server a script starts with no port (`app.run()`): Flask's,
    /// or a Dash app's (see [`super::entry::dash_apps`]), which listens on
    /// Dash's own default.
    fn dev_server(&mut self, receiver: &str, method: &str, offset: TextSize) {
        const DASH_DEFAULT_PORT: u16 = 8050;
        if method == "run_server"
            || super::entry::dash_apps(self.module)
                .iter()
                .any(|d| d == receiver)
        {
            if self.facts.run_ports.is_empty() {
                let note = format!("Dash's default: `{receiver}.{method}()` gives no port");
                let source = self.source(offset).with_note(note);
                self.facts
                    .run_ports
                    .push(Fact::new(DASH_DEFAULT_PORT, source));
            }
        } else if self.facts.dev_servers.is_empty() {
            let source = self.source(offset);
            self.facts
                .dev_servers
                .push(Fact::new(Some(receiver.to_string()), source));
        }
    }

    fn check_call(&mut self, call: &ast::ExprCall) {
        let offset = call.start();
        let (args, keywords) = (&call.arguments.args, &call.arguments.keywords);
        if self.is_os_read(&call.func) {
            let keyword = keywords
                .iter()
                .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "default"));
            let default = args.get(1).or(keyword.map(|k| &k.value));
            self.env_defaults.extend(default.map(|d| d.start()));
        }
        // `socketio.run(app)` in a script's main block is Flask-SocketIO's
        // development server, as `app.run` is Flask's: gunicorn replaces both.
        if self.facts.own_server.is_none()
            && let Some(server) = own_server(call, &call.func)
                .filter(|s| !(self.in_main_block && s.contains("SocketIO")))
        {
            self.facts.own_server = Some(OwnServer {
                started: Fact::new(server.to_string(), self.source(offset)),
                loopback: loopback_host(call, server),
            });
        }
        if self.facts.cli_port.is_none()
            && let Some(port) = port_option_default(call)
        {
            self.facts.cli_port = Some(Fact::new(port, self.source(offset)));
        }
        if self.facts.proxy_fix.is_none() && call_name(&call.func) == Some("ProxyFix") {
            self.facts.proxy_fix = Some(self.source(offset));
        }
        // (`os.getenv("X")` itself is read below, never a wrapper's call.)
        if let Some(callee) = call_name(&call.func)
            && !self.is_os_read(&call.func)
        {
            self.named_calls(callee, call, offset);
        }
        if let Some(read) = self.config_library_read(call) {
            let (name, required, default) = read;
            self.record(name, required, default, offset);
            return;
        }
        self.imported_read(call);
        match call.func.as_ref() {
            // Flask's `get_debug_flag()` reads FLASK_DEBUG.
            Expr::Name(n) if n.id.as_str() == "get_debug_flag" => {
                self.record("FLASK_DEBUG", false, None, offset);
            }
            // os.getenv("X", default) / getenv("X") / os.environ.get("X", default)
            // / environ.setdefault("X", default)
            func if self.is_os_read(func) => {
                if let Some(name) = args.first().and_then(|a| self.read_name(a)) {
                    self.record(&name, false, args.get(1), offset);
                }
            }
            // sqlite3.connect(...): a database file inside the container,
            // unless opened read-only (`'file:' + path + '?mode=ro'`).
            Expr::Attribute(attr)
                if attr.attr.as_str() == "connect"
                    && matches!(attr.value.as_ref(), Expr::Name(n) if n.id.as_str() == "sqlite3")
                    && !args.first().is_some_and(opens_read_only) =>
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
            // app.config.from_object(os.getenv("APP_SETTINGS"))
            Expr::Attribute(attr) if attr.attr.as_str() == "from_object" => {
                self.config_selector(args.first(), offset);
            }
            // app.run(host, port, debug) / app.run(port=5000), and Dash's
            // older `app.run_server(...)`
            Expr::Attribute(attr) if matches!(attr.attr.as_str(), "run" | "run_server") => {
                self.app_run(call, attr)
            }
            // `cli()` of a `FlaskGroup` in the main block: `python manage.py run`
            Expr::Name(name)
                if self.in_main_block
                    && self.facts.dev_servers.is_empty()
                    && self.flask_groups.iter().any(|g| g == name.id.as_str()) =>
            {
                self.facts
                    .dev_servers
                    .push(Fact::new(None, self.source(offset)));
            }
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for Scanner<'a> {
    fn visit_body(&mut self, body: &'a [Stmt]) {
        for (i, stmt) in body.iter().enumerate() {
            self.visit_stmt(stmt);
            // Read as optional, then refused when missing: required.
            if let Some((target, name)) = self.optional_read(stmt) {
                if is_refused_when_missing(target, body.get(i + 1))
                    || target == "SQLALCHEMY_DATABASE_URI"
                {
                    self.record(name, true, None, stmt.start());
                }
                // `if not x: x = "postgresql://..."`: that literal is the default.
                if let Some(default) = fallback_value(target, body.get(i + 1)) {
                    self.env_defaults.insert(default.start());
                    self.record(name, false, Some(default), stmt.start());
                }
                self.optional_targets
                    .insert(target.to_string(), name.to_string());
            }
        }
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::If(node) if is_main_guard(&node.test) && !self.in_main_block => {
                self.in_main_block = true;
                visitor::walk_stmt(self, stmt);
                self.in_main_block = false;
            }
            Stmt::If(node) => {
                self.visit_expr(&node.test);
                self.visit_guarded(&node.test, |scanner| scanner.visit_body(&node.body));
                for clause in &node.elif_else_clauses {
                    visitor::walk_elif_else_clause(self, clause);
                }
            }
            Stmt::FunctionDef(function) => {
                self.find_wrapper(function);
                if function
                    .decorator_list
                    .iter()
                    .any(|d| is_flask_group_decorator(&d.expression))
                {
                    self.flask_groups.push(function.name.to_string());
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::ClassDef(class) => {
                self.bind_class_constants(class);
                self.settings_fields(class);
                self.find_class_wrapper(class);
                // `class EnvInterpolation(configparser.BasicInterpolation)` whose
                // methods read `os.getenv(option)`.
                let is_interpolation = class
                    .bases()
                    .iter()
                    .any(|b| call_name(b).is_some_and(|n| n.ends_with("Interpolation")));
                if is_interpolation
                    && class.body.iter().any(|s| match s {
                        Stmt::FunctionDef(f) => {
                            let mut reads = ParameterReads::new(self, &["option"]);
                            reads.visit_body(&f.body);
                            reads.found.is_some()
                        }
                        _ => false,
                    })
                {
                    self.env_interpolations.push(class.name.to_string());
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::Try(node) if catches_missing_key(node) => {
                self.caught += 1;
                self.visit_body(&node.body);
                self.caught -= 1;
                for handler in &node.handlers {
                    visitor::walk_except_handler(self, handler);
                }
                self.visit_body(&node.orelse);
                self.visit_body(&node.finalbody);
            }
            Stmt::Assign(_) | Stmt::AnnAssign(_) => {
                self.bind_assignment(stmt);
                visitor::walk_stmt(self, stmt);
            }
            Stmt::For(node) => {
                self.loop_reads(node);
                visitor::walk_stmt(self, stmt);
            }
            // A config library's ready-made reader: decouple's `config`,
            // envparse's and environs' `env`.
            Stmt::ImportFrom(node) if node.module.is_some() => {
                let module = node.module.as_ref().map_or("", |m| m.as_str());
                for alias in &node.names {
                    if READY_READERS.contains(&(module, alias.name.as_str())) {
                        let bound = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
                        self.env_readers.push(bound);
                    }
                }
                if module == "os" {
                    self.bind_os_names(node);
                } else {
                    let bound = node
                        .names
                        .iter()
                        .map(|alias| alias.asname.as_ref().unwrap_or(&alias.name).to_string());
                    self.imported_names.extend(bound);
                }
            }

            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        // `os.getenv("X") or "redis://localhost"`: the literal is a default too.
        if let Expr::BoolOp(op) = expr
            && op.values.iter().any(|v| self.is_env_read(v))
        {
            self.env_defaults
                .extend(op.values.iter().map(|v| v.start()));
        }
        match expr {
            Expr::Call(call) => self.check_call(call),
            // `os.environ["X"] if "X" in os.environ else ...`
            Expr::If(node) => {
                self.visit_expr(&node.test);
                self.visit_guarded(&node.test, |scanner| scanner.visit_expr(&node.body));
                self.visit_expr(&node.orelse);
                return;
            }
            // A read; `os.environ["X"] = ...` sets it for the process instead.
            Expr::Subscript(sub)
                if sub.ctx == ast::ExprContext::Load && self.is_environ(&sub.value) =>
            {
                if let Some(name) = self.read_name(&sub.slice) {
                    let required = !self.tested_set.contains(&name) && self.caught == 0;
                    self.record(&name, required, None, sub.start());
                }
            }
            // `"X" in os.environ`: a switch the variable's presence turns on.
            Expr::Compare(test)
                if matches!(test.ops.first(), Some(ast::CmpOp::In | ast::CmpOp::NotIn))
                    && test.comparators.first().is_some_and(|c| self.is_environ(c)) =>
            {
                if let Some(name) = self.read_name(&test.left) {
                    self.record(&name, false, None, test.start());
                }
            }
            // `parser["server"]["SECRET_KEY"]` on an env-backed ConfigParser
            Expr::Subscript(sub) if matches!(sub.value.as_ref(), Expr::Subscript(section) if self.is_env_parser(&section.value)) => {
                if let Some(name) = string_literal(&sub.slice) {
                    self.record(name, false, None, sub.start());
                }
            }
            _ => {}
        }
        // A URL in a plain string, or at the start of an f-string.
        if let Some(text) = string_literal(expr).or_else(|| leading_text(expr)) {
            let at = Source::at(&self.module.path, self.module.line(expr.start()));
            if let Some(database) = Database::of_url(text) {
                // (a bare `postgres://` is a scheme, as in `.replace("postgres://", ...)`)
                if is_local_url(text)
                    && !text.ends_with("://")
                    && !self.env_defaults.contains(&expr.start())
                {
                    self.facts
                        .local_databases
                        .push(Fact::new(text.to_string(), at.clone()));
                }
                self.facts.database_urls.push(Fact::new(database, at));
                visitor::walk_expr(self, expr);
                return;
            }
            let redis = services::REDIS
                .url_prefixes
                .iter()
                .any(|p| text.starts_with(p));
            let urls = if redis {
                Some(&mut self.facts.redis_urls)
            } else if text.starts_with("sqlite:") && !is_memory_sqlite(text) {
                if text.starts_with("sqlite:////tmp/") && self.facts.sqlite_in_tmp.is_none() {
                    self.facts.sqlite_in_tmp = Some(Fact::new(text.to_string(), at.clone()));
                }
                Some(&mut self.facts.sqlite_urls)
            } else {
                None
            };
            if redis && is_local_url(text) && !self.env_defaults.contains(&expr.start()) {
                self.facts.local_brokers.push(LocalBroker {
                    url: Fact::new(text.to_string(), at.clone()),
                    name: self
                        .assigned_literals
                        .iter()
                        .find(|(start, _)| *start == expr.start())
                        .map(|(_, name)| name.clone()),
                });
            }
            if let Some(urls) = urls {
                urls.push(at);
            }
        }
        visitor::walk_expr(self, expr);
    }
}

/// A `localhost` Redis URL written in the code.
#[derive(Debug, Clone)]
pub(crate) struct LocalBroker {
    pub url: Fact<String>,
    /// The name it is assigned to (`CELERY_BROKER_URL = "redis://localhost"`,
    /// a class attribute too), which a `Celery(broker=Config.CELERY_BROKER_URL)`
    /// in another module reads.
    pub name: Option<String>,
}

/// How a read makes its variable's name from a loop's key or a wrapper's
/// parameter: `"SHOP_" + key`, `f"SHOP_{key}"`, `key.upper()`, or the key
/// itself.
#[derive(Clone, Debug, Default, PartialEq)]
struct Naming {
    prefix: String,
    suffix: String,
    upper: bool,
}

impl Naming {
    fn apply(&self, key: &str) -> String {
        let name = format!("{}{key}{}", self.prefix, self.suffix);
        if self.upper {
            name.to_ascii_uppercase()
        } else {
            name
        }
    }

    /// `other` with more after the key: `key + "_FILE"` beside `key`.
    fn extends(&self, other: &Naming) -> bool {
        self.prefix == other.prefix
            && self.upper == other.upper
            && self.suffix.len() > other.suffix.len()
            && self.suffix.starts_with(&other.suffix)
    }
}

/// Finds, in a function body, an environment read keyed by one of the
/// function's parameters: `os.environ.get(name)`, `os.getenv(name)`,
/// `os.environ[name]`, or a name made from it (`os.getenv("SHOP_" +
/// name.upper())`, through a local too: `env_name = name.upper()`).
struct ParameterReads<'s, 'a, 'p> {
    scanner: &'s Scanner<'a>,
    parameters: &'p [&'p str],
    /// The parameter's position, and whether the first read is a subscript.
    found: Option<(usize, bool)>,
    /// How that parameter's reads name their variables, in reading order.
    namings: Vec<Naming>,
    /// Locals named from a parameter: `env_name = name.upper()`.
    derived: Vec<(String, usize, Naming)>,
    /// Parameters tested with `NAME in os.environ` first: their subscript
    /// reads happen only when the variable is set.
    checked: Vec<usize>,
    /// The "parameters" are attributes of `self` (a class's methods).
    on_self: bool,
}

impl<'s, 'a, 'p> ParameterReads<'s, 'a, 'p> {
    fn new(scanner: &'s Scanner<'a>, parameters: &'p [&'p str]) -> Self {
        ParameterReads {
            scanner,
            parameters,
            found: None,
            namings: Vec::new(),
            derived: Vec::new(),
            checked: Vec::new(),
            on_self: false,
        }
    }

    fn position(&self, expr: &Expr) -> Option<usize> {
        let name = match expr {
            Expr::Name(n) if !self.on_self => n.id.as_str(),
            other if self.on_self => crate::syntax::self_attribute(other)?,
            _ => return None,
        };
        self.parameters.iter().position(|p| *p == name)
    }

    /// The parameter `expr` names a variable from, and how.
    fn named(&self, expr: &Expr) -> Option<(usize, Naming)> {
        if let Some(position) = self.position(expr) {
            return Some((position, Naming::default()));
        }
        match expr {
            Expr::Name(n) => self
                .derived
                .iter()
                .rev()
                .find(|(local, ..)| local == n.id.as_str())
                .map(|(_, position, naming)| (*position, naming.clone())),
            Expr::Call(call) if call.arguments.is_empty() => {
                let Expr::Attribute(method) = call.func.as_ref() else {
                    return None;
                };
                let (position, mut naming) = self.named(&method.value)?;
                match method.attr.as_str() {
                    "upper" => naming.upper = true,
                    "strip" => {}
                    _ => return None,
                }
                Some((position, naming))
            }
            Expr::BinOp(op) if op.op == ast::Operator::Add => {
                if let Some(text) = self.text(&op.left) {
                    let (position, mut naming) = self.named(&op.right)?;
                    naming.prefix.insert_str(0, &text);
                    Some((position, naming))
                } else {
                    let text = self.text(&op.right)?;
                    let (position, mut naming) = self.named(&op.left)?;
                    naming.suffix.push_str(&text);
                    Some((position, naming))
                }
            }
            Expr::FString(f) => {
                // One interpolation, of the parameter, between literal text.
                let pieces = crate::syntax::fstring_pieces(f);
                let at = pieces.iter().position(Result::is_ok)?;
                if pieces[at + 1..].iter().any(Result::is_ok) {
                    return None;
                }
                let interpolation = pieces[at].ok().filter(|i| i.format_spec.is_none())?;
                let (position, mut naming) = self.named(&interpolation.expression)?;
                let text = |pieces: &[Result<_, &str>]| -> String {
                    pieces.iter().filter_map(|p| p.err()).collect()
                };
                naming.prefix.insert_str(0, &text(&pieces[..at]));
                naming.suffix.push_str(&text(&pieces[at + 1..]));
                Some((position, naming))
            }
            _ => None,
        }
    }

    /// A literal string, or a name bound to one (`_prefix = "LT_"`).
    fn text(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(n) => self.scanner.constants.get(n.id.as_str()).cloned(),
            other => string_literal(other).map(str::to_string),
        }
    }

    fn read(&mut self, expr: Option<&Expr>, subscript: bool) {
        let Some((position, naming)) = expr.and_then(|e| self.named(e)) else {
            return;
        };
        match self.found {
            None => {
                let required = subscript && !self.checked.contains(&position);
                self.found = Some((position, required));
            }
            Some((first, _)) if first != position => return,
            Some(_) => {}
        }
        if !self.namings.contains(&naming) {
            self.namings.push(naming);
        }
    }

    /// The namings of the parameter's reads, but for those that only add to
    /// another's name (`key + "_FILE"` beside `key`: a file holding the
    /// value, the same setting).
    fn namings(&self) -> Vec<Naming> {
        self.namings
            .iter()
            .filter(|n| !self.namings.iter().any(|other| n.extends(other)))
            .cloned()
            .collect()
    }
}

impl<'x> Visitor<'x> for ParameterReads<'_, '_, '_> {
    fn visit_stmt(&mut self, stmt: &'x Stmt) {
        if let Some((target, value)) = single_assignment(stmt)
            && let Some((position, naming)) = self.named(value)
        {
            self.derived.push((target.to_string(), position, naming));
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'x Expr) {
        match expr {
            Expr::Call(call) if self.scanner.is_env_get(&call.func) => {
                self.read(call.arguments.args.first(), false);
            }
            // (not `os.environ[name] = "1"`, which sets it)
            Expr::Subscript(sub) if sub.ctx.is_load() && self.scanner.is_environ(&sub.value) => {
                self.read(Some(&sub.slice), true);
            }
            Expr::Compare(test)
                if matches!(test.ops.first(), Some(ast::CmpOp::In))
                    && test
                        .comparators
                        .first()
                        .is_some_and(|c| self.scanner.is_environ(c)) =>
            {
                self.checked
                    .extend(self.named(&test.left).map(|(position, _)| position));
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// A SQLite URI that opens its file read-only: `mode=ro` in one of the
/// literals it is joined from.
fn opens_read_only(expr: &Expr) -> bool {
    match expr {
        Expr::BinOp(op) => opens_read_only(&op.left) || opens_read_only(&op.right),
        _ => string_literal(expr).is_some_and(|text| text.contains("mode=ro")),
    }
}

/// `if not x: raise ...` (or `sys.exit(...)`, or `if x is None:`) right after
/// `x` was read: the app stops without the variable.
fn is_refused_when_missing(target: &str, next: Option<&Stmt>) -> bool {
    let Some(Stmt::If(check)) = next else {
        return false;
    };
    let tests_target = tests_missing(target, &check.test);
    tests_target
        && check.body.iter().any(|stmt| match stmt {
            Stmt::Raise(_) => true,
            Stmt::Expr(e) => matches!(e.value.as_ref(), Expr::Call(call)
                if matches!(call_name(&call.func), Some("exit" | "_exit"))),
            _ => false,
        })
}

/// `try:` with a handler that catches a missing variable: `except
/// KeyError:`, its bases, `Exception`, or a bare `except:`.
fn catches_missing_key(node: &ast::StmtTry) -> bool {
    const CATCHING: &[&str] = &["KeyError", "LookupError", "Exception", "BaseException"];
    node.handlers.iter().any(|handler| {
        let ast::ExceptHandler::ExceptHandler(handler) = handler;
        match handler.type_.as_deref() {
            None => true,
            Some(Expr::Tuple(types)) => types
                .elts
                .iter()
                .any(|t| call_name(t).is_some_and(|n| CATCHING.contains(&n))),
            Some(single) => call_name(single).is_some_and(|n| CATCHING.contains(&n)),
        }
    })
}

/// `not target` or `target is None`.
fn tests_missing(target: &str, test: &Expr) -> bool {
    match test {
        Expr::UnaryOp(op) if op.op == ast::UnaryOp::Not => {
            matches!(op.operand.as_ref(), Expr::Name(n) if n.id.as_str() == target)
        }
        Expr::Compare(cmp) => {
            matches!(cmp.left.as_ref(), Expr::Name(n) if n.id.as_str() == target)
                && matches!(cmp.comparators.first(), Some(Expr::NoneLiteral(_)))
        }
        _ => false,
    }
}

/// The string `next` gives `target` when it is missing: `if not target:`
/// (or `is None`) then `target = "..."`.
fn fallback_value<'e>(target: &str, next: Option<&'e Stmt>) -> Option<&'e Expr> {
    let Some(Stmt::If(check)) = next else {
        return None;
    };
    let tests_target = tests_missing(target, &check.test);
    if !tests_target {
        return None;
    }
    check
        .body
        .iter()
        .find_map(|stmt| match single_assignment(stmt) {
            Some((assigned, value)) if assigned == target && string_literal(value).is_some() => {
                Some(value)
            }
            _ => None,
        })
}

/// An in-memory SQLite URL (`sqlite://`, `sqlite:///:memory:`, a test
/// config's): no file to keep.
fn is_memory_sqlite(url: &str) -> bool {
    url == "sqlite://" || url.contains(":memory:")
}

/// A URL whose host is this machine (`redis://localhost:6379/0`).
fn is_local_url(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => host.split(':').next().unwrap_or(host),
    };
    matches!(host, "" | "localhost" | "127.0.0.1" | "::1" | "0.0.0.0")
}

/// Variables the system, the shell or a CI service sets, never the user:
/// listed in `.env.example`, `PATH=` would empty the container's `PATH`.
/// The image sets `FLASK_APP` to the target it serves.
fn is_system_variable(name: &str) -> bool {
    matches!(
        name,
        "PATH"
            | "FLASK_APP"
            | "HOME"
            | "USER"
            | "USERNAME"
            | "LOGNAME"
            | "SHELL"
            | "TERM"
            | "PWD"
            | "LANG"
            | "LANGUAGE"
            | "TMPDIR"
            | "HOSTNAME"
            | "PYTHONPATH"
            | "PYTHONHASHSEED"
            | "VIRTUAL_ENV"
            | "CI"
            | "READTHEDOCS"
            | "TRAVIS"
            | "GITLAB_CI"
            | "JENKINS_URL"
            | "EDITOR"
            | "VISUAL"
            | "DISPLAY"
            | "TEMP"
            | "TMP"
            // Windows's own.
            | "COMSPEC"
            | "PATHEXT"
            | "APPDATA"
            | "LOCALAPPDATA"
            | "USERPROFILE"
            | "SYSTEMROOT"
            | "WINDIR"
            | "PROGRAMFILES"
            | "COMPUTERNAME"
            // the test runner's, the C library's and the loader's
            | "PYTEST_CURRENT_TEST"
            | "MALLOC_ARENA_MAX"
            | "LD_PRELOAD"
            | "LD_LIBRARY_PATH"
            // Werkzeug's reloader's, set for its child process
            | "WERKZEUG_RUN_MAIN"
            | "WERKZEUG_SERVER_FD"
            // the terminal's, the browser's and the proxy's
            | "NO_COLOR"
            | "PYTHONIOENCODING"
            | "BROWSER"
            | "STY"
            | "TMUX"
            | "TMUX_PANE"
            | "ConEmuDir"
            | "ConemuDir"
            | "http_proxy"
            | "https_proxy"
            | "no_proxy"
            | "HTTP_PROXY"
            | "HTTPS_PROXY"
            | "NO_PROXY"
    ) || name.starts_with("LC_")
        // A process's own marker for a child it starts (`_APP_REEXEC`).
        || name.starts_with('_')
        || name.starts_with("XDG_")
        || is_github_actions_variable(name)
        || name.starts_with("TRAVIS_")
        || name.starts_with("CIRCLE")
        || name.starts_with("READTHEDOCS_")
}

/// The variables a GitHub Actions runner sets. Other `GITHUB_` names
/// (`GITHUB_OAUTH_CLIENT_ID`, `GITHUB_TOKEN`) are the app's own settings.
fn is_github_actions_variable(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("GITHUB_") else {
        return false;
    };
    matches!(
        rest,
        "ACTION"
            | "ACTION_PATH"
            | "ACTION_REPOSITORY"
            | "ACTIONS"
            | "ACTOR"
            | "ACTOR_ID"
            | "API_URL"
            | "BASE_REF"
            | "ENV"
            | "EVENT_NAME"
            | "EVENT_PATH"
            | "GRAPHQL_URL"
            | "HEAD_REF"
            | "JOB"
            | "OUTPUT"
            | "PATH"
            | "REF"
            | "REF_NAME"
            | "REF_PROTECTED"
            | "REF_TYPE"
            | "REPOSITORY"
            | "REPOSITORY_ID"
            | "REPOSITORY_OWNER"
            | "REPOSITORY_OWNER_ID"
            | "RETENTION_DAYS"
            | "RUN_ATTEMPT"
            | "RUN_ID"
            | "RUN_NUMBER"
            | "SERVER_URL"
            | "SHA"
            | "STEP_SUMMARY"
            | "TRIGGERING_ACTOR"
            | "WORKFLOW"
            | "WORKFLOW_REF"
            | "WORKFLOW_SHA"
            | "WORKSPACE"
    )
}

/// The string literals of a list or tuple, as keys without values.
fn strings_of(items: &[Expr]) -> Vec<(String, Option<String>)> {
    items
        .iter()
        .filter_map(|e| string_literal(e).map(|s| (s.to_string(), None)))
        .collect()
}

/// `DATABASE_URL`: the shape of a variable name passed to a wrapper (a
/// lower-case literal is more often a key of something else).
fn is_upper_env_name(name: &str) -> bool {
    name.len() > 1
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn has_keyword(call: &ast::ExprCall, name: &str) -> bool {
    keyword(call, name).is_some()
}

/// `os.environ` or a bare `environ` (from `from os import environ`).
/// `os.ATTR`, or one of `imported`, the names `from os import ATTR` bound.
/// The numeric default of a `--port` option declared with argparse
/// (`add_argument`) or click (`option`).
fn port_option_default(call: &ast::ExprCall) -> Option<u16> {
    if !matches!(call_name(&call.func), Some("add_argument" | "option")) {
        return None;
    }
    if !call
        .arguments
        .args
        .iter()
        .any(|a| string_literal(a) == Some("--port"))
    {
        return None;
    }
    // A launcher's `--port` for the database it reads (`help="PostgreSQL
    // server port"`, `default=5432`) is not the one it serves on.
    const SERVICE_PORTS: &[u16] = &[25, 389, 587, 3306, 5432, 5672, 6379, 9200, 11211, 27017];
    const SERVICE_WORDS: &[&str] = &[
        "postgres", "mysql", "mariadb", "redis", "mongo", "database", "smtp", "mail", "ldap",
        "broker", "memcache", "elastic",
    ];
    let help = keyword(call, "help")
        .and_then(string_literal)
        .unwrap_or_default();
    let help = help.to_ascii_lowercase();
    if SERVICE_WORDS.iter().any(|word| help.contains(word)) {
        return None;
    }
    let default = call.arguments.find_keyword("default")?;
    match &default.value {
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) => literal_text(&default.value)?
            .parse()
            .ok()
            .filter(|port| *port > 0 && !SERVICE_PORTS.contains(port)),
        _ => None,
    }
}

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

/// `@click.group(cls=FlaskGroup)` (or `@group(cls=FlaskGroup, ...)`).
fn is_flask_group_decorator(decorator: &Expr) -> bool {
    let Expr::Call(call) = decorator else {
        return false;
    };
    call_name(&call.func) == Some("group")
        && call.arguments.keywords.iter().any(|k| {
            k.arg.as_ref().is_some_and(|a| a.as_str() == "cls")
                && call_name(&k.value) == Some("FlaskGroup")
        })
}

/// The loopback host a server call listens on: a literal host of its
/// address (`("127.0.0.1", 5000)`, `host="localhost"`, `listen="127.0.0.1:80"`),
/// or Flask-SocketIO's default (`127.0.0.1`) when it names none.
fn loopback_host(call: &ast::ExprCall, server: &str) -> Option<String> {
    let is_loopback = |host: &str| matches!(host, "localhost" | "::1") || host.starts_with("127.");
    let keyword_host = keyword(call, "host").or_else(|| keyword(call, "listen"));
    let positional = call.arguments.args.first().and_then(|arg| match arg {
        Expr::Tuple(t) => t.elts.first(),
        other => Some(other),
    });
    let host = match keyword_host.or(positional).and_then(string_literal) {
        Some(written) => written
            .rsplit_once(':')
            .filter(|_| !written.contains("::"))
            .map_or(written, |(host, _)| host),
        None if server == "Flask-SocketIO's run" && keyword_host.is_none() => "127.0.0.1",
        None => return None,
    };
    is_loopback(host).then(|| host.to_string())
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
                facts.env_vars.is_empty() && facts.run_ports.is_empty(),
                "{path}"
            );
            assert!(facts.sqlite_urls.is_empty(), "{path}");
        }
        let facts = scan_code(&[Module::from_text("pkg/testimonials.py", code).unwrap()]);
        assert_eq!(facts.run_ports.first().map(|p| p.value), Some(11080));
    }

    #[test]
    fn a_server_listening_on_loopback_is_told_apart() {
        let loopback = |code: &str| scan(code).own_server.and_then(|s| s.loopback);
        for (code, expected) in [
            (
                "from gevent.pywsgi import WSGIServer\nWSGIServer(('localhost', 5000), app).serve_forever()\n",
                Some("localhost"),
            ),
            ("WSGIServer(('', 80), app).serve_forever()\n", None),
            (
                "import waitress\nwaitress.serve(app, listen='127.0.0.1:8080')\n",
                Some("127.0.0.1"),
            ),
            (
                "import waitress\nwaitress.serve(app, host='0.0.0.0')\n",
                None,
            ),
            ("import waitress\nwaitress.serve(app)\n", None),
            // Flask-SocketIO listens on 127.0.0.1 unless told otherwise.
            ("socketio.run(app)\n", Some("127.0.0.1")),
            ("socketio.run(app, host=args.host)\n", None),
            (
                "from wsgiref.simple_server import make_server\nmake_server('127.0.0.1', 8000, app)\n",
                Some("127.0.0.1"),
            ),
        ] {
            assert_eq!(loopback(code).as_deref(), expected, "{code}");
        }
    }

    #[test]
    fn finds_servers_the_project_starts_itself() {
        let server = |code: &str| {
            scan(code)
                .own_server
                .map(|s| (s.started.value, s.started.source.line))
        };
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

    fn names_and_required(facts: &CodeFacts) -> Vec<(&str, bool)> {
        facts
            .env_vars
            .iter()
            .map(|v| (v.name.as_str(), v.required))
            .collect()
    }

    #[test]
    fn reads_through_config_libraries() {
        // environs: a typed reader is required unless it has a default
        // (`default=` or the second argument).
        let facts = scan(
            "from environs import Env\nenv = Env()\nenv.read_env()\nA = env.str('A')\nB = env.int('B', default=3)\nC = env('C')\nD = env.bool('D', False)\n",
        );
        assert_eq!(
            names_and_required(&facts),
            [("A", true), ("B", false), ("C", true), ("D", false)]
        );
        assert_eq!(facts.env_vars[1].default.as_deref(), Some("3"));
        // python-decouple, and Flask's own reader of FLASK_DEBUG.
        let facts = scan(
            "from decouple import config as cfg\nX = cfg('X')\nY = cfg('Y', default='y', cast=str)\nfrom flask.helpers import get_debug_flag\nDEV = get_debug_flag()\n",
        );
        assert_eq!(
            names_and_required(&facts),
            [("FLASK_DEBUG", false), ("X", true), ("Y", false)]
        );
        // envparse's ready-made `env`, and environs' (11 and later).
        for module in ["envparse", "environs"] {
            let facts = scan(&format!(
                "from {module} import env\nenv.read_envfile()\nURL = env('SHOP_URL', default=None)\nON = env.bool('SHOP_ON', default=False)\nKEY = env.str('SHOP_KEY')\n"
            ));
            assert_eq!(
                names_and_required(&facts),
                [("SHOP_KEY", true), ("SHOP_ON", false), ("SHOP_URL", false)],
                "{module}"
            );
        }
        // Another module's `env` reads nothing.
        let facts = scan("from shop.tools import env\nX = env('SHOP_X')\n");
        assert!(facts.env_vars.is_empty());
    }

    #[test]
    fn reads_through_the_projects_own_wrappers_in_any_module() {
        let helper = Module::from_text(
            "shop/settings.py",
            "import os\ndef setting(name, default=None):\n    return os.environ.get(name, default)\ndef need(key):\n    return os.environ[key]\ndef config(key, default=None):\n    if key in os.environ:\n        return os.environ[key]\n    return default\n\
             def env_or_fail(key):\n    value = os.getenv(key)\n    if value is None:\n        raise ValueError(key)\n    return value\n",
        )
        .unwrap();
        let user = Module::from_text(
            "shop/app.py",
            "from shop.settings import setting, need, config, env_or_fail\nURL = setting('API_URL')\nKEY = need('API_KEY')\nNAME = need('API_NAME', 'x')\nlabel('NOT_A_READ')\nTIMEOUT = config('ACK_TIMEOUT')\nDEADLINE = env_or_fail('API_DEADLINE')\n",
        )
        .unwrap();
        let facts = scan_code(&[helper, user]);
        assert_eq!(
            names_and_required(&facts),
            [
                ("ACK_TIMEOUT", false),
                ("API_DEADLINE", true),
                ("API_KEY", true),
                ("API_NAME", false),
                ("API_URL", false)
            ],
            "a subscript read only when `key in os.environ` is optional; one refused when missing is required"
        );
    }

    #[test]
    fn a_value_given_when_the_variable_is_missing_is_its_default() {
        let facts = scan(
            "import os\ndef conn():\n    url = os.environ.get('STORE_CONN')\n    if not url:\n        url = 'postgresql://:@/store_test'\n    return url\nmode = os.getenv('MODE')\nif mode is None:\n    mode = 'basic'\n",
        );
        let defaults: Vec<(&str, Option<&str>, bool)> = facts
            .env_vars
            .iter()
            .map(|v| (v.name.as_str(), v.default.as_deref(), v.required))
            .collect();
        assert_eq!(
            defaults,
            [
                ("MODE", Some("basic"), false),
                ("STORE_CONN", Some("postgresql://:@/store_test"), false)
            ]
        );
        // The fallback is the variable's default, not a URL written for this machine.
        assert!(
            facts.local_databases.is_empty(),
            "{:?}",
            facts.local_databases
        );
    }

    #[test]
    fn reads_through_a_reader_object_another_module_made() {
        let module = |path: &str, code: &str| Module::from_text(path, code).unwrap();
        let made = [
            module("shop/config.py", "from environs import Env\nenv = Env()\n"),
            module(
                "shop/cloud.py",
                "import cfenv\ncloud = cfenv.AppEnv()\nBUCKET = cloud.get_credential('BUCKET_NAME')\n",
            ),
            module(
                "shop/app.py",
                "from shop.config import env\nfrom shop.cloud import cloud\nfrom shop.forms import form\nDB = env.str('SHOP_DB')\nPAGES = env.int('SHOP_PAGES', 20)\nKEY = cloud.get_credential('API_KEY', 'x')\nform.str('NOT_A_READ')\n",
            ),
        ];
        assert_eq!(
            names_and_required(&scan_code(&made)),
            [
                ("API_KEY", false),
                ("BUCKET_NAME", false),
                ("SHOP_DB", true),
                ("SHOP_PAGES", false)
            ]
        );
        // No module makes `env` a reader: its calls are no reads.
        let alone = [module(
            "shop/app.py",
            "from shop.config import env\nDB = env.str('SHOP_DB')\n",
        )];
        assert!(scan_code(&alone).env_vars.is_empty());
    }

    #[test]
    fn a_sqlite_file_opened_read_only_is_not_one_the_app_writes() {
        let writes = scan("import sqlite3\ndef rows(path):\n    return sqlite3.connect(path)\n");
        assert_eq!(writes.sqlite_urls.len(), 1);
        let reads = scan(
            "import sqlite3\ndef rows(path):\n    return sqlite3.connect('file:' + path + '?mode=ro', uri=True)\n",
        );
        assert!(reads.sqlite_urls.is_empty());
    }

    #[test]
    fn a_sqlite_file_under_tmp_is_told_apart() {
        let facts = scan("SQLALCHEMY_DATABASE_URI = 'sqlite:////tmp/budget.db'\n");
        let url = facts.sqlite_in_tmp.expect("a file under /tmp");
        assert_eq!(url.value, "sqlite:////tmp/budget.db");
        assert_eq!(facts.sqlite_urls.len(), 1);
        assert!(scan("URI = 'sqlite:///app.db'\n").sqlite_in_tmp.is_none());
    }

    #[test]
    fn a_settings_class_that_keeps_the_variables_name_reads_it() {
        let facts = scan(
            "import os\nclass SettingsValue:\n    def __init__(self, kind, default=None, environ_name=None):\n        self.kind = kind\n        self.environ_name = environ_name\n    def __call__(self, value):\n        if self.environ_name and self.environ_name in os.environ:\n            return os.environ[self.environ_name]\n        return value\nSCHEMA = {\n    'port': SettingsValue(int, 8888, 'APP_PORT'),\n    'secret': SettingsValue(str, environ_name='APP_SECRET'),\n    'label': SettingsValue(str, 'NOT_A_NAME_ARGUMENT'),\n    'mode': Other(str, None, 'NOT_READ'),\n}\n",
        );
        assert_eq!(
            names_and_required(&facts),
            [("APP_PORT", false), ("APP_SECRET", false)],
            "the third positional argument or `environ_name=`, read only when set"
        );
    }

    #[test]
    fn a_config_parser_that_falls_back_to_the_environment_reads_its_keys() {
        let facts = scan(
            "import configparser, os\nclass EnvInterpolation(configparser.BasicInterpolation):\n    def before_get(self, parser, section, option, value, defaults):\n        return os.getenv(option) or value\nini = configparser.ConfigParser(interpolation=EnvInterpolation())\nSECRET = ini['server']['SECRET_KEY']\nSAFE = ini['security'].getboolean('HTTPS_ONLY', fallback=True)\nplain = configparser.ConfigParser()\nOTHER = plain['x']['NOT_ENV']\n",
        );
        assert_eq!(
            names_and_required(&facts),
            [("HTTPS_ONLY", false), ("SECRET_KEY", false)]
        );
    }

    #[test]
    fn a_variable_naming_the_config_object_is_a_selector() {
        let facts = scan(
            "import os\nfrom flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    settings = os.getenv('APP_SETTINGS')\n    app.config.from_object(settings)\n    app.config.from_object(os.environ.get('EXTRA_SETTINGS'))\n    app.config.from_object(os.getenv('WITH_DEFAULT', 'config.Prod'))\n    return app\n",
        );
        let selectors: Vec<(&str, String)> = facts
            .config_selectors
            .iter()
            .map(|f| (f.value.as_str(), f.source.to_string()))
            .collect();
        assert_eq!(
            selectors,
            [
                ("APP_SETTINGS", "app.py:7".to_string()),
                ("EXTRA_SETTINGS", "app.py:8".to_string())
            ]
        );
        assert_eq!(
            names_and_required(&facts),
            [
                ("APP_SETTINGS", false),
                ("EXTRA_SETTINGS", false),
                ("WITH_DEFAULT", false)
            ]
        );
    }

    #[test]
    fn a_read_refused_when_missing_is_required() {
        let facts = scan(
            "import os, sys\nTOKEN = os.environ.get('TOKEN')\nif not TOKEN:\n    raise RuntimeError('set TOKEN')\nHOME = os.getenv('APP_HOME')\nif HOME is None:\n    sys.exit('set APP_HOME')\nLAX = os.getenv('LAX')\nif not LAX:\n    LAX = 'x'\nclass Config:\n    SQLALCHEMY_DATABASE_URI = os.environ.get('DB_URI')\n",
        );
        assert_eq!(
            names_and_required(&facts),
            [
                ("APP_HOME", true),
                ("DB_URI", true),
                ("LAX", false),
                ("TOKEN", true)
            ]
        );
    }

    #[test]
    fn a_subscript_read_only_where_the_variable_was_tested_as_set_is_optional() {
        let facts = scan(
            "import os\nif os.environ.get('DRIVER'):\n    driver = os.environ['DRIVER']\nelse:\n    driver = os.environ['FALLBACK']\nif 'HOST' in os.environ and os.getenv('USER_NAME'):\n    login = (os.environ['HOST'], os.environ['USER_NAME'], os.environ['TOKEN'])\nsource = int(os.environ['SOURCE']) if os.getenv('SOURCE') else 0\nlast = os.environ['SOURCE_B'] if os.getenv('SOURCE') else os.environ['SOURCE_C']\n",
        );
        assert_eq!(
            names_and_required(&facts),
            [
                ("DRIVER", false),
                ("FALLBACK", true),
                ("HOST", false),
                ("SOURCE", false),
                ("SOURCE_B", true),
                ("SOURCE_C", true),
                ("TOKEN", true),
                ("USER_NAME", false)
            ]
        );
    }

    #[test]
    fn a_task_runners_file_is_not_the_apps_code() {
        let tasks = |code: &str| {
            let module = Module::from_text("tasks.py", code).unwrap();
            names_and_required(&scan_module(&module))
                .into_iter()
                .map(|(name, _)| name.to_string())
                .collect::<Vec<_>>()
        };
        assert!(
            tasks(
                "import os\nfrom invoke import task\nPROJECT = os.environ.get('CLOUD_PROJECT')\n"
            )
            .is_empty()
        );
        assert!(tasks("import os\nimport nox\nPY = os.environ['NOX_PY']\n").is_empty());
        assert!(
            tasks("import os\nfrom locust import HttpUser\nKEY = os.environ['LOAD_KEY']\n")
                .is_empty()
        );
        // A Celery tasks module is the app's.
        assert_eq!(
            tasks("import os\nfrom celery import Celery\nBROKER = os.environ.get('BROKER_URL')\n"),
            ["BROKER_URL"]
        );
    }

    #[test]
    fn system_variables_and_tooling_code_are_not_the_apps_settings() {
        let facts = scan(
            "import os\nPATH = os.environ['PATH']\nHOME = os.getenv('HOME')\nREF = os.getenv('GITHUB_REF_NAME')\nGH = os.getenv('GITHUB_OAUTH_CLIENT_ID')\nNC = os.getenv('NO_COLOR')\nRM = os.getenv('WERKZEUG_RUN_MAIN')\nRE = os.getenv('_SHOP_REEXEC')\nLOC = os.getenv('LC_ALL')\nSH = os.environ.get('COMSPEC')\nCFG = os.getenv('XDG_CONFIG_HOME')\nKEY = os.environ['APP_KEY']\n",
        );
        assert_eq!(
            names_and_required(&facts),
            [("APP_KEY", true), ("GITHUB_OAUTH_CLIENT_ID", false)]
        );
        for path in [
            "docs/conf.py",
            "scripts/release.py",
            "setup.py",
            "contrib/tool.py",
        ] {
            let facts =
                scan_code(&[Module::from_text(path, "import os\nX = os.environ['X']\n").unwrap()]);
            assert!(facts.env_vars.is_empty(), "{path}");
        }
    }

    #[test]
    fn reads_that_name_the_variable_through_a_constant() {
        let facts = scan(
            "import os\nDB_ENV = 'SHOP_DB_URL'\nlower = 'not_a_name'\nclass Keys:\n    TOKEN = 'SHOP_TOKEN'\nDB = os.environ.get(DB_ENV)\nTOKEN = os.environ[Keys.TOKEN]\nX = os.getenv(lower)\nY = os.getenv(Keys.MISSING)\ndef secret(name):\n    return os.environ.get(name)\nclass Docker:\n    PEPPER_KEY = 'SHOP_PEPPER'\n    PEPPER = secret(PEPPER_KEY)\n",
        );
        assert_eq!(
            names_and_required(&facts),
            [
                ("SHOP_DB_URL", false),
                ("SHOP_PEPPER", false),
                ("SHOP_TOKEN", true)
            ]
        );
    }

    #[test]
    fn reads_in_a_loop_over_a_table_and_settings_classes() {
        let facts = scan(
            "import os\nDEFAULTS = {'API_URL': 'http://api', 'API_TIMEOUT': '5'}\nfor key, default in DEFAULTS.items():\n    settings[key] = os.environ.get(key, default)\nfor name in ('TOKEN_A', 'TOKEN_B'):\n    tokens[name] = os.environ[name]\n",
        );
        assert_eq!(
            names_and_required(&facts),
            [
                ("API_TIMEOUT", false),
                ("API_URL", false),
                ("TOKEN_A", true),
                ("TOKEN_B", true)
            ]
        );
        assert_eq!(facts.env_vars[1].default.as_deref(), Some("http://api"));
        let facts = scan(
            "from pydantic import Field\nfrom pydantic_settings import BaseSettings, SettingsConfigDict\nclass Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='shop_')\n    database_url: str\n    debug: bool = False\n    api_key: str = Field(...)\n    timeout: int = Field(default=5)\n",
        );
        assert_eq!(
            names_and_required(&facts),
            [
                ("SHOP_API_KEY", true),
                ("SHOP_DATABASE_URL", true),
                ("SHOP_DEBUG", false),
                ("SHOP_TIMEOUT", false)
            ]
        );
    }

    #[test]
    fn reads_of_names_made_from_a_loops_key_or_a_wrappers_argument() {
        // A class's table of lower-case settings, upper-cased; the `_FILE`
        // variant of each (a file holding the value) is the same setting.
        let facts = scan(
            "import os
class AppSettings:
    defaults = {'bind_address': '0.0.0.0', 'mail_port': 25}
    @staticmethod
    def load(app):
        for var_name, default in AppSettings.defaults.items():
            env_name = var_name.upper()
            if env_name + '_FILE' in os.environ:
                value = open(os.environ[env_name + '_FILE']).read()
            elif env_name in os.environ:
                value = os.environ[env_name]
for key in ('HOST', 'PORT'):
    settings[key] = os.getenv(f'SHOP_{key}')
for port in ['25', '143']:
    os.environ[f'PROXY_{port}'] = 'True'
",
        );
        assert_eq!(
            names_and_required(&facts),
            [
                ("BIND_ADDRESS", false),
                ("MAIL_PORT", false),
                ("SHOP_HOST", false),
                ("SHOP_PORT", false)
            ]
        );
        assert_eq!(facts.env_vars[1].default.as_deref(), Some("25"));
        // A wrapper that prefixes its argument, with a constant or a literal.
        let facts = scan(
            "import os
_PREFIX = 'SHOP_'
def setting(name, default=None):
    return os.environ.get(_PREFIX + name, default)
def need(name):
    return os.environ['SHOP_' + name.upper() + '_VALUE']
URL = setting('API_URL')
KEY = need('TOKEN')
",
        );
        assert_eq!(
            names_and_required(&facts),
            [("SHOP_API_URL", false), ("SHOP_TOKEN_VALUE", true)]
        );
        // A prefix that cannot make a variable's name makes none.
        let facts = scan(
            "import os
def setting(name):
    return os.environ.get('A=B ' + name)
URL = setting('API_URL')
",
        );
        assert_eq!(names_and_required(&facts), []);
    }

    #[test]
    fn a_subscript_read_that_may_fail_is_optional() {
        let facts = scan(
            "import os
try:
    LIMIT = int(os.environ['FREE_LIMIT'])
except Exception:
    LIMIT = 5
try:
    VENDOR = int(os.environ['VENDOR_ID'])
except (KeyError, ValueError):
    VENDOR = None
try:
    TOKEN = os.environ['API_TOKEN']
except ValueError:
    pass
REPLACE = 'MAX_REPLACED' in os.environ
if REPLACE:
    MAX_REPLACED = int(os.environ['MAX_REPLACED'])
if 'SHOP_MODE' not in os.environ:
    pass
URL = os.environ['URL']
",
        );
        assert_eq!(
            names_and_required(&facts),
            [
                ("API_TOKEN", true),
                ("FREE_LIMIT", false),
                ("MAX_REPLACED", false),
                ("SHOP_MODE", false),
                ("URL", true),
                ("VENDOR_ID", false)
            ]
        );
    }

    #[test]
    fn hides_defaults_of_secret_looking_variables() {
        let facts = scan("import os\nKEY = os.getenv('SECRET_KEY', 'dev-only-secret')\n");
        assert_eq!(facts.env_vars[0].default, None);
    }

    #[test]
    fn reads_the_default_of_a_launchers_port_option() {
        let argparse = "import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument('--host', default='127.0.0.1')\nparser.add_argument('--port', default=5000, help='port')\n";
        let facts = scan(argparse);
        assert_eq!(
            facts.cli_port.map(|p| (p.value, p.source.line)),
            Some((5000, Some(4)))
        );
        let click = "import click\n@click.command()\n@click.option('-p', '--port', type=int, default=9181)\ndef run(port):\n    pass\n";
        assert_eq!(scan(click).cli_port.map(|p| p.value), Some(9181));
        // Another option's default, or a port read elsewhere, is not one.
        let other = "import click\n@click.option('--redis-port', default=6379)\n@click.option('--port', default=os.environ.get('X'))\ndef run(port):\n    pass\n";
        assert!(scan(other).cli_port.is_none());
        // A command-line tool's `--port` of the database it queries.
        let database = "import argparse\np = argparse.ArgumentParser()\np.add_argument('--port', type=int, help='PostgreSQL server port', default=5433)\np.add_argument('--port', type=int, default=5432)\n";
        assert!(scan(database).cli_port.is_none());
    }

    #[test]
    fn reads_the_port_from_app_run() {
        let facts = scan(
            "if __name__ == '__main__':\n    app.run(host='0.0.0.0', port=int(os.environ.get('PORT', 8080)))\n",
        );
        assert_eq!(
            facts.run_ports.first().map(|p| (p.value, p.source.line)),
            Some((8080, Some(2)))
        );
        let facts = scan("app.run('0.0.0.0', 5001)\n");
        assert_eq!(facts.run_ports.first().map(|p| p.value), Some(5001));
    }

    #[test]
    fn finds_postgres_urls() {
        let facts = scan("URL = 'postgresql://u@db/x'\nOTHER = 'sqlite:///x.db'\n");
        assert_eq!(
            facts.database_urls,
            [Fact::new(Database::POSTGRES, Source::at("app.py", 1))]
        );
    }

    #[test]
    fn finds_mysql_urls() {
        let facts = scan("A = 'mysql+pymysql://u@db/x'\nB = 'mariadb://u@db/x'\nC = 'mysqlx'\n");
        let mysql = |line| Fact::new(Database::MYSQL, Source::at("app.py", line));
        assert_eq!(facts.database_urls, [mysql(1), mysql(2)]);
    }
}
