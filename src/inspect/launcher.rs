//! The project's own launcher: a server it starts itself (`WSGIServer`,
//! `socketio.run` in a `main()`), the pages only that launcher registers, and
//! the command that runs it. gunicorn imports the app and never runs the
//! launcher, so pages it registers (`def main(): app = create_app();
//! app.register_blueprint(web); serve(app)`) answer 404 under gunicorn.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::entry::EntryCandidate;
use super::fact::{Fact, Source};
use super::files::{TomlFile, Tree};
use super::module::Module;
use super::packaged::ConsoleScript;
use crate::syntax::{self, Expr, Ranged, Stmt, Visitor, ast, visitor};

/// A server the project starts itself.
#[derive(Debug, Clone)]
pub(crate) struct OwnServer {
    /// What it is (`WSGIServer`), and where it is started.
    pub started: Fact<String>,
    /// The loopback address it listens on, where the call names one or the
    /// server's default is one (`WSGIServer(("localhost", 5000), app)`,
    /// `socketio.run(app)`): nothing outside the container reaches it.
    pub loopback: Option<String>,
}

/// Calls that add pages to the app they are made on.
const REGISTERS: &[&str] = &[
    "register_blueprint",
    "add_url_rule",
    "route",
    "get",
    "post",
    "put",
    "patch",
    "delete",
];

/// Scripts at the root that are not launchers even with a main block.
const NOT_LAUNCHERS: &[&str] = &["setup.py", "manage.py", "conftest.py", "noxfile.py"];

/// What the modules say about where the app's pages are registered, merged
/// over the project.
#[derive(Debug, Clone, Default)]
pub(super) struct Pages {
    /// Registrations inside functions, which run only when called.
    late: Vec<Late>,
    /// Names pages are registered on at import (`@app.route` on a module's view).
    at_import: HashSet<String>,
    /// Functions called at import (module level, outside `__main__`), by name.
    called_at_import: HashSet<String>,
    /// Each module-level function's name, and the names it calls.
    calls: Vec<(String, HashSet<String>)>,
    /// Top-level scripts (a root's `run.py`, `web/run.py` on a `web` root)
    /// with a `__main__` block, and the top-level packages they import.
    scripts: Vec<(String, HashSet<String>)>,
    /// Each importable module's path and its top-level package (`shop` for
    /// `src/shop/main.py`), or module for a top-level one.
    packages: HashMap<String, String>,
    /// Each importable module's path and its dotted name.
    modules: HashMap<String, String>,
}

impl Pages {
    pub(super) fn extend(&mut self, other: Pages) {
        self.late.extend(other.late);
        self.at_import.extend(other.at_import);
        self.called_at_import.extend(other.called_at_import);
        self.calls.extend(other.calls);
        self.scripts.extend(other.scripts);
        self.packages.extend(other.packages);
        self.modules.extend(other.modules);
    }
}

/// A function that registers pages on an app when it runs.
#[derive(Debug, Clone)]
struct Late {
    /// Its name, where it is defined.
    function: Fact<String>,
    on: On,
}

/// The app a function registers pages on.
#[derive(Debug, Clone, PartialEq)]
enum On {
    /// A module-level name (`app`).
    Global(String),
    /// What a factory returned in the function (`app = create_app()`).
    MadeBy(String),
}

/// The project's launcher, as inspect reports it.
#[derive(Debug, Clone, Serialize)]
pub struct Launcher {
    /// The server it starts (`WSGIServer`), and where.
    pub server: Fact<String>,
    /// A function only the launcher runs that registers the app's pages
    /// (`main`), and where: gunicorn serves the app without them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<Fact<String>>,
    /// The factory whose app that function adds its pages to (`create_app`),
    /// when it is not the module's own app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub factory: Option<String>,
    /// The command that runs the launcher (`python cps.py`), and where the
    /// project says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Fact<String>>,
    /// The loopback host the server listens on (`localhost`): nothing
    /// outside the container reaches it there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loopback: Option<String>,
}

/// What one module says about where pages are registered.
pub(super) fn scan(module: &Module) -> Pages {
    let mut pages = Pages::default();
    let mut has_main_block = false;
    let mut imports = HashSet::new();
    module_level(
        module,
        &module.body,
        &mut pages,
        &mut has_main_block,
        &mut imports,
    );
    if let Some(name) = &module.name {
        let top = top_package(name);
        // A module at its import root (`run.py`, or `web/run.py` on `web`).
        if has_main_block
            && top == *name
            && !NOT_LAUNCHERS.contains(&super::deployment::file_name(&module.path))
        {
            imports.insert(top.clone());
            pages.scripts.push((module.path.clone(), imports));
        }
        pages.packages.insert(module.path.clone(), top);
        pages.modules.insert(module.path.clone(), name.clone());
    }
    pages
}

fn module_level(
    module: &Module,
    body: &[Stmt],
    pages: &mut Pages,
    has_main_block: &mut bool,
    imports: &mut HashSet<String>,
) {
    for stmt in body {
        match stmt {
            Stmt::If(node) if syntax::is_main_guard(&node.test) => *has_main_block = true,
            Stmt::If(node) => {
                module_level(module, &node.body, pages, has_main_block, imports);
                for clause in &node.elif_else_clauses {
                    module_level(module, &clause.body, pages, has_main_block, imports);
                }
            }
            Stmt::Try(node) => {
                for block in [&node.body, &node.orelse, &node.finalbody] {
                    module_level(module, block, pages, has_main_block, imports);
                }
            }
            Stmt::FunctionDef(function) => {
                let mut decorators = Calls::default();
                for decorator in &function.decorator_list {
                    decorators.visit_expr(&decorator.expression);
                }
                pages.at_import.extend(decorators.registered_on);
                in_function(module, function, pages);
            }
            // A method's calls count for what runs at import (`Setup().run()`);
            // its registrations are not followed.
            Stmt::ClassDef(class) => {
                for method in class.body.iter().filter_map(|s| match s {
                    Stmt::FunctionDef(method) => Some(method),
                    _ => None,
                }) {
                    let mut calls = Calls::default();
                    calls.visit_body(&method.body);
                    pages.calls.push((method.name.to_string(), calls.names));
                }
            }
            Stmt::Import(node) => {
                imports.extend(node.names.iter().map(|a| top_package(a.name.as_str())));
            }
            Stmt::ImportFrom(node) => {
                if let Some(name) = &node.module {
                    imports.insert(top_package(name.as_str()));
                }
            }
            _ => {
                let mut calls = Calls::default();
                calls.visit_stmt(stmt);
                pages.at_import.extend(calls.registered_on);
                pages.called_at_import.extend(calls.names);
            }
        }
    }
}

fn top_package(dotted: &str) -> String {
    dotted.split('.').next().unwrap_or(dotted).to_string()
}

/// A module-level function: what it calls, and the pages it registers on an
/// app that is not its parameter.
fn in_function(module: &Module, function: &ast::StmtFunctionDef, pages: &mut Pages) {
    let mut calls = Calls::default();
    for stmt in &function.body {
        calls.visit_stmt(stmt);
    }
    let parameters: HashSet<&str> = function
        .parameters
        .posonlyargs
        .iter()
        .chain(&function.parameters.args)
        .chain(&function.parameters.kwonlyargs)
        .map(|p| p.parameter.name.as_str())
        .collect();
    let name = function.name.to_string();
    let source = Source::at(&module.path, module.line(function.start()));
    let mut seen = Vec::new();
    for receiver in &calls.registered_on {
        let on = if let Some((_, callee)) = calls.made_by.iter().find(|(n, _)| n == receiver) {
            On::MadeBy(callee.clone())
        } else if calls.globals.contains(receiver)
            || !(parameters.contains(receiver.as_str()) || calls.assigned.contains(receiver))
        {
            On::Global(receiver.clone())
        } else {
            continue;
        };
        if !seen.contains(&on) {
            seen.push(on.clone());
            pages.late.push(Late {
                function: Fact::new(name.clone(), source.clone()),
                on,
            });
        }
    }
    pages.calls.push((name, calls.names));
}

/// The calls a piece of code makes and the names it binds.
#[derive(Default)]
struct Calls {
    /// Names called (`create_app`, `main`), by their last segment.
    names: HashSet<String>,
    /// Names pages are registered on (`app` in `app.register_blueprint(...)`).
    registered_on: Vec<String>,
    /// `x = factory(...)`: the name and the factory's.
    made_by: Vec<(String, String)>,
    /// Names assigned.
    assigned: HashSet<String>,
    /// Names declared `global`.
    globals: HashSet<String>,
}

impl<'a> Visitor<'a> for Calls {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign(node) => {
                for target in &node.targets {
                    if let Expr::Name(name) = target {
                        self.assigned.insert(name.id.to_string());
                        if let Expr::Call(call) = node.value.as_ref()
                            && let Some(callee) = syntax::call_name(&call.func)
                        {
                            self.made_by.push((name.id.to_string(), callee.to_string()));
                        }
                    }
                }
            }
            Stmt::AnnAssign(node) => {
                if let Expr::Name(name) = node.target.as_ref() {
                    self.assigned.insert(name.id.to_string());
                }
            }
            Stmt::Global(node) => {
                self.globals
                    .extend(node.names.iter().map(|n| n.as_str().to_string()));
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if let Some(name) = syntax::call_name(&call.func) {
                self.names.insert(name.to_string());
            }
            if let Expr::Attribute(attribute) = call.func.as_ref()
                && REGISTERS.contains(&attribute.attr.as_str())
                && let Expr::Name(receiver) = attribute.value.as_ref()
                && !self.registered_on.iter().any(|r| r == receiver.id.as_str())
                // `@app.get("/")` registers; `requests.get(url)`, `d.get(k)` do not:
                // only the two methods are taken on any name, the decorators'
                // verbs only with a path.
                && (matches!(attribute.attr.as_str(), "register_blueprint" | "add_url_rule")
                    || call
                        .arguments
                        .args
                        .first()
                        .and_then(syntax::string_literal)
                        .is_some_and(|path| path.starts_with('/')))
            {
                self.registered_on.push(receiver.id.to_string());
            }
        }
        visitor::walk_expr(self, expr);
    }
}

/// The launcher of a project that starts its own server (`server`): the
/// pages only it registers on the app `entry` names, and the command that
/// runs it (`declared`: the project's own Dockerfile `CMD` or Procfile's
/// `web:` line that runs a Python script; else a root script with a main
/// block that imports the launcher's package; else a console script into
/// the launcher's module), warned of where there is an app to serve.
pub(super) fn find(
    server: Option<OwnServer>,
    pages: &Pages,
    entry: Option<&EntryCandidate>,
    commands: Commands<'_>,
    warnings: &mut Vec<String>,
) -> Option<Launcher> {
    let OwnServer {
        started: server,
        loopback,
    } = server?;
    let late = entry.and_then(|entry| added_late(pages, entry));
    // The launcher's own files: a script runs them only from a folder they
    // are in (`run.py` at the root, `web/run.py` for `web/app/`), not from
    // a side folder that puts the root on `sys.path` (`misc/tool.py`).
    let files: Vec<&str> = late
        .iter()
        .map(|l| &l.function.source)
        .chain([&server.source])
        .filter_map(|source| source.file.as_deref())
        .collect();
    let packages: Vec<&String> = files
        .iter()
        .filter_map(|f| pages.packages.get(*f))
        .collect();
    let command = commands
        .declared
        .or_else(|| {
            pages
                .scripts
                .iter()
                .filter(|(path, _)| {
                    let folder = path.rsplit_once('/').map_or("", |(folder, _)| folder);
                    files.iter().all(|file| {
                        folder.is_empty()
                            || file
                                .strip_prefix(folder)
                                .is_some_and(|rest| rest.starts_with('/'))
                    })
                })
                .find(|(_, imports)| packages.iter().any(|p| imports.contains(*p)))
                .map(|(path, _)| {
                    Fact::new(
                        format!("python {}", shell_words::quote(path)),
                        Source::file(path.clone()).with_note("its main block"),
                    )
                })
        })
        .or_else(|| {
            let modules: Vec<&String> =
                files.iter().filter_map(|f| pages.modules.get(*f)).collect();
            // (read only here: most projects start no server of their own)
            let scripts = super::packaged::console_scripts(commands.tree, commands.pyproject);
            let script = scripts.iter().find(|c| modules.contains(&&c.module))?;
            Some(console_command(script, commands.installed))
        });
    let factory = late.and_then(|late| match &late.on {
        On::MadeBy(factory) => Some(factory.clone()),
        On::Global(_) => None,
    });
    let launcher = Launcher {
        server,
        pages: late.map(|late| late.function.clone()),
        factory,
        command,
        loopback,
    };
    if let Some(entry) = entry {
        warnings.push(warning(&launcher, entry));
    }
    Some(launcher)
}

/// How a launcher may be run, as the project says.
pub(super) struct Commands<'t> {
    /// Its Dockerfile's `CMD` or Procfile's `web:` line running a script.
    pub declared: Option<Fact<String>>,
    /// Where its console scripts are declared.
    pub tree: &'t Tree,
    pub pyproject: Option<&'t TomlFile>,
    /// The image installs the project, with its console scripts.
    pub installed: bool,
}

/// A console script's command: its name where the image installs the
/// project, else what the script would run (`python -c "import sys; from
/// app.routes import run_app; sys.exit(run_app())"`).
fn console_command(script: &ConsoleScript, installed: bool) -> Fact<String> {
    let command = if installed {
        shell_words::quote(&script.name).into_owned()
    } else {
        let imported = script.function.split('.').next().unwrap_or_default();
        let code = format!(
            "import sys; from {} import {imported}; sys.exit({}())",
            script.module, script.function
        );
        shell_words::join(["python", "-c", &code])
    };
    let note = format!("its console script `{}`", script.name);
    Fact::new(command, script.source.clone().with_note(note))
}

/// The project starts its own server: what gunicorn skips, and how to run the
/// launcher instead (README.Docker.md says the same).
fn warning(launcher: &Launcher, entry: &EntryCandidate) -> String {
    let mut warning = launch_warning(launcher, entry);
    if let Some(host) = &launcher.loopback {
        warning.push_str(&format!(
            "; that launcher listens on `{}` ({}), which nothing outside the container reaches: make it listen on 0.0.0.0 there",
            crate::safe::escaped(host),
            launcher.server.source
        ));
    }
    warning
}

fn launch_warning(launcher: &Launcher, entry: &EntryCandidate) -> String {
    let server = &launcher.server;
    let command = launcher
        .command
        .as_ref()
        .map(|command| (crate::safe::escaped(&command.value), &command.source));
    match (&launcher.pages, command) {
        (Some(pages), command) => format!(
            "{}: `{}()` registers the app's pages{}, and only the project's own launcher runs it (it serves with {}, {}): gunicorn on `{}` would answer 404 for them; {} (README.Docker.md says so too)",
            pages.source,
            pages.value,
            launcher
                .factory
                .as_ref()
                .map_or_else(String::new, |f| format!(" on the app `{f}()` makes")),
            server.value,
            server.source,
            entry.target,
            command.map_or_else(
                || "start the app the way the project's own launcher does".to_string(),
                |(command, source)| {
                    format!("so the image runs the launcher, as the project does: `{command}` ({source})")
                },
            ),
        ),
        (None, command) => format!(
            "{}: the project starts its own server ({}); the image runs gunicorn on `{}` instead, which skips whatever that launcher sets up; check that the app serves without it, or {}",
            server.source,
            server.value,
            entry.target,
            command.map_or_else(
                || "start the app the way the project's own launcher does".to_string(),
                |(command, source)| {
                    format!("run the launcher instead: `docker compose run --service-ports web {command}` ({source})")
                },
            ),
        ),
    }
}

/// A function that registers pages on the app `entry` names and that nothing
/// run at import calls: `def main(): app = create_app(); app.register_blueprint(...)`
/// for a factory entry, `def setup(): app.register_blueprint(...)` on the
/// module's own `app` for an object entry that gets no page at import.
fn added_late<'p>(pages: &'p Pages, entry: &EntryCandidate) -> Option<&'p Late> {
    let (_, object) = entry.target.split_once(':')?;
    let factory = object.split_once('(').map(|(name, _)| name);
    // gunicorn calls a factory target: what it calls runs too.
    let reachable = reachable(pages, factory);
    pages.late.iter().find(|late| {
        let name = &late.function.value;
        !reachable.contains(name.as_str())
            && match (&late.on, factory) {
                (On::MadeBy(callee), Some(factory)) => callee == factory && name != factory,
                (On::Global(receiver), None) => {
                    receiver == object
                        && !pages.at_import.contains(receiver)
                        && late.function.source.file == entry.source.file
                }
                _ => false,
            }
    })
}

/// Names of the functions that run when gunicorn loads the app: those
/// called at module level and the `factory` target, and those they call, by
/// name (a name any module's function or method has).
fn reachable<'p>(pages: &'p Pages, factory: Option<&'p str>) -> HashSet<&'p str> {
    let mut calls_of: HashMap<&str, Vec<&HashSet<String>>> = HashMap::new();
    for (function, calls) in &pages.calls {
        calls_of.entry(function.as_str()).or_default().push(calls);
    }
    let mut reached: HashSet<&str> = pages
        .called_at_import
        .iter()
        .map(String::as_str)
        .chain(factory)
        .collect();
    let mut queue: Vec<&str> = reached.iter().copied().collect();
    while let Some(name) = queue.pop() {
        for call in calls_of.get(name).into_iter().flatten().copied().flatten() {
            if reached.insert(call.as_str()) {
                queue.push(call.as_str());
            }
        }
    }
    reached
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(files: &[(&str, &str)]) -> Pages {
        let mut pages = Pages::default();
        for (path, text) in files {
            pages.extend(scan(&Module::from_text(path, text).unwrap()));
        }
        pages
    }

    fn declared(command: Option<Fact<String>>) -> Commands<'static> {
        Commands {
            declared: command,
            tree: Box::leak(Box::default()),
            pyproject: None,
            installed: false,
        }
    }

    fn entry(target: &str, file: &str) -> EntryCandidate {
        EntryCandidate::for_tests(target, Source::at(file, 1))
    }

    fn server() -> Option<OwnServer> {
        Some(OwnServer {
            started: Fact::new("WSGIServer".to_string(), Source::at("shop/server.py", 9)),
            loopback: None,
        })
    }

    #[test]
    fn pages_a_launcher_adds_to_the_factorys_app_are_found() {
        let files = [
            (
                "shop/__init__.py",
                "from flask import Flask\ndef create_app():\n    app = Flask(__name__)\n    return app\n",
            ),
            (
                "shop/main.py",
                "from . import create_app\nfrom .views import web\ndef main():\n    app = create_app()\n    app.register_blueprint(web)\n    serve(app)\n",
            ),
            (
                "run.py",
                "from shop.main import main\nif __name__ == '__main__':\n    main()\n",
            ),
        ];
        let found = find(
            server(),
            &pages(&files),
            Some(&entry("shop:create_app()", "shop/__init__.py")),
            declared(None),
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(found.factory.as_deref(), Some("create_app"));
        let late = found.pages.unwrap();
        assert_eq!(late.value, "main");
        assert_eq!(late.source.to_string(), "shop/main.py:3");
        assert_eq!(found.command.unwrap().value, "python run.py");
        // A script in a side folder that puts the root on `sys.path` is a
        // tool, not the launcher.
        let tool = (
            "misc/tool.py",
            "import sys\nsys.path.insert(0, '..')\nfrom shop.main import main\nif __name__ == '__main__':\n    main()\n",
        );
        let mut with_tool = pages(&[files[0], files[1]]);
        let mut module = Module::from_text(tool.0, tool.1).unwrap();
        // (a folder without `__init__.py` is an import root of its own)
        (module.name, module.import_root) = (Some("tool".into()), "misc".into());
        with_tool.extend(scan(&module));
        assert_eq!(with_tool.scripts.len(), 1);
        let found = find(
            server(),
            &with_tool,
            Some(&entry("shop:create_app()", "shop/__init__.py")),
            declared(None),
            &mut Vec::new(),
        )
        .unwrap();
        assert!(found.command.is_none(), "{:?}", found.command);
    }

    #[test]
    fn pages_a_function_adds_to_the_modules_app_are_found_when_nothing_calls_it_at_import() {
        let app = "from flask import Flask\napp = Flask(__name__)\ndef build(store):\n    @app.route('/')\n    def index():\n        return 'ok'\n    return app\n";
        let launcher =
            "from shop.app import build\ndef main():\n    build(None)\n    socketio.run(app)\n";
        let found = |app: &str| {
            find(
                server(),
                &pages(&[("shop/app.py", app), ("shop/__init__.py", launcher)]),
                Some(&entry("shop.app:app", "shop/app.py")),
                declared(Some(Fact::new(
                    "python run.py -d /data".into(),
                    Source::at("Dockerfile", 30),
                ))),
                &mut Vec::new(),
            )
            .unwrap()
        };
        let late = found(app);
        assert_eq!(late.pages.unwrap().value, "build");
        assert!(late.factory.is_none());
        assert_eq!(late.command.unwrap().value, "python run.py -d /data");
        // Called at import (directly, through another function or a method):
        // the pages exist.
        for tail in [
            "build(None)\n",
            "def setup():\n    build(1)\nsetup()\n",
            "class Setup:\n    def run(self):\n        build(1)\nSetup().run()\n",
        ] {
            assert!(found(&format!("{app}{tail}")).pages.is_none(), "{tail}");
        }
        // Views registered at import besides: the app has pages under gunicorn.
        let with_views = format!("{app}@app.route('/about')\ndef about():\n    return ''\n");
        assert!(found(&with_views).pages.is_none());
    }

    #[test]
    fn helpers_that_take_the_app_and_factories_that_register_are_not_late() {
        let files = [(
            "shop/__init__.py",
            "from flask import Flask\ndef register(app):\n    app.register_blueprint(bp)\ndef create_app():\n    app = Flask(__name__)\n    app.register_blueprint(bp)\n    register(app)\n    return app\n",
        )];
        let found = find(
            server(),
            &pages(&files),
            Some(&entry("shop:create_app()", "shop/__init__.py")),
            declared(None),
            &mut Vec::new(),
        )
        .unwrap();
        assert!(found.pages.is_none());
        assert!(found.command.is_none());
        // `requests.get(url)` and `settings.get("x")` register nothing.
        let quiet = pages(&[(
            "shop/app.py",
            "app = Flask(__name__)\ndef fetch():\n    app.get(URL)\n    app.get('x')\n",
        )]);
        assert!(quiet.late.is_empty());
    }

    #[test]
    fn a_launcher_listening_on_loopback_is_warned_of() {
        let files = [(
            "shop/server.py",
            "from flask import Flask\napp = Flask(__name__)\n",
        )];
        let mut warnings = Vec::new();
        let local = server().map(|s| OwnServer {
            loopback: Some("localhost".to_string()),
            ..s
        });
        let found = find(
            local,
            &pages(&files),
            Some(&entry("shop.server:app", "shop/server.py")),
            declared(Some(Fact::new(
                "python shop/server.py".to_string(),
                Source::at("Procfile", 1),
            ))),
            &mut warnings,
        )
        .unwrap();
        assert_eq!(found.loopback.as_deref(), Some("localhost"));
        assert!(
            warnings[0].ends_with("that launcher listens on `localhost` (shop/server.py:9), which nothing outside the container reaches: make it listen on 0.0.0.0 there"),
            "{warnings:?}"
        );
    }

    #[test]
    fn no_server_of_its_own_is_no_launcher() {
        let mut warnings = Vec::new();
        assert!(find(None, &Pages::default(), None, declared(None), &mut warnings).is_none());
        assert!(warnings.is_empty());
    }
}
