//! The WSGI target: module-level `Flask(...)` objects, objects made by an app
//! factory, and `create_app()`-style factories, ranked best first.

use serde::Serialize;

use super::deployment::ServerCommand;
use super::fact::{Fact, Source};
use super::files::Tree;
use super::module::Module;
use crate::syntax::{
    Expr, Ranged, Stmt, ast, call_name, flat_statements, import_time_statements, imports_module,
    is_test_path, produced_call, produced_value, single_assignment,
};

/// A possible gunicorn target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryCandidate {
    /// `module:object` or `package:factory()`.
    pub target: String,
    /// Folder that must be on `sys.path` (`""` for the project root, `"src"` for a src layout).
    pub import_root: String,
    pub source: Source,
    /// What makes the object an ASGI app (`Quart`, Connexion's `FlaskApp`,
    /// `WsgiToAsgi`), when it is one: gunicorn must run it with an ASGI worker.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asgi: Option<String>,
    #[serde(skip)]
    score: u32,
}

#[cfg(test)]
impl EntryCandidate {
    /// A candidate as detection would make it, for other modules' tests.
    pub(super) fn for_tests(target: &str, source: Source) -> Self {
        EntryCandidate {
            target: target.to_string(),
            import_root: String::new(),
            source,
            asgi: None,
            score: 0,
        }
    }
}

/// Constructors of ASGI apps served the way a Flask app is, and how each is named.
const ASGI_MAKERS: &[(&str, &str)] = &[
    ("Quart", "a Quart app"),
    ("FlaskApp", "Connexion's `FlaskApp`"),
    ("AsyncApp", "Connexion's `AsyncApp`"),
    ("WsgiToAsgi", "asgiref's `WsgiToAsgi`"),
];

/// The ASGI maker `callee` is, if it is one.
fn asgi_maker(callee: &str) -> Option<String> {
    ASGI_MAKERS
        .iter()
        .find(|(name, _)| *name == callee)
        .map(|(_, what)| what.to_string())
}

/// Flask subclasses of libraries whose names do not end in `Flask`, by the
/// module they are imported from: calling one makes an app.
const LIBRARY_APPS: &[(&str, &str)] = &[
    ("eve", "Eve"),
    ("flask_openapi3", "OpenAPI"),
    ("flask_api", "FlaskAPI"),
];

/// How a warning that says why no target was found ends: `init`'s error
/// for a missing target gives the first such warning as its reason.
pub(crate) const ENTRY_REASON_END: &str = "(or pass --entry)";

/// Whether `module` is Dash or one of its component packages
/// (`dash.dependencies`, `dash_bootstrap_components`).
fn is_dash(module: &str) -> bool {
    module
        .strip_prefix("dash")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '_']))
}

/// The names that hold a Dash app: in a module that imports Dash, those
/// bound to `Dash(...)` at module level and those imported from another
/// module of the project (`from app import app` in a multi-page app's
/// `index.py`); in any module, an app a factory made whose `server` the
/// module takes (`app = create_app()`, `server = app.server`: a Flask app has
/// no `server`). Dash is no WSGI app: gunicorn serves the Flask server it holds.
pub(super) fn dash_apps(module: &Module) -> Vec<String> {
    let imports_dash = imports_module(&module.body, is_dash);
    let statements = import_time_statements(&module.body);
    let takes_server = |name: &str| {
        statements
            .iter()
            .any(|stmt| server_taken(stmt).is_some_and(|(_, app)| app == name))
    };
    let mut names = Vec::new();
    for stmt in &statements {
        match stmt {
            Stmt::ImportFrom(import)
                if imports_dash
                    && (import.level > 0
                        || import.module.as_ref().is_some_and(|m| !is_dash(m.as_str()))) =>
            {
                names.extend(
                    import
                        .names
                        .iter()
                        .map(|alias| alias.asname.as_ref().unwrap_or(&alias.name).to_string()),
                );
            }
            _ => {
                if let Some((name, Expr::Call(call))) = single_assignment(stmt)
                    && let Some(callee) = call_name(&call.func)
                    && (imports_dash && callee == "Dash"
                        || FACTORY_NAMES.contains(&callee) && takes_server(name))
                {
                    names.push(name.to_string());
                }
            }
        }
    }
    names
}

/// `server = app.server`: the name bound, and the app whose server it is.
fn server_taken(stmt: &Stmt) -> Option<(&str, &str)> {
    let (name, Expr::Attribute(attr)) = single_assignment(stmt)? else {
        return None;
    };
    let Expr::Name(app) = attr.value.as_ref() else {
        return None;
    };
    (attr.attr.as_str() == "server").then(|| (name, app.id.as_str()))
}

/// `server = app.server` at module level, where `app` is one of the
/// module's Dash apps: the name gunicorn serves.
fn dash_server<'m>(stmt: &'m Stmt, dash: &[String]) -> Option<&'m str> {
    let (name, app) = server_taken(stmt)?;
    dash.iter().any(|d| d == app).then_some(name)
}

/// A project with no WSGI target whose Dash app names no server for
/// gunicorn: what to add, and where.
pub(super) fn dash_without_server(modules: &[Module]) -> Option<String> {
    modules.iter().find_map(|module| {
        import_time_statements(&module.body).into_iter().find_map(|stmt| {
            let (name, Expr::Call(call)) = single_assignment(stmt)? else {
                return None;
            };
            (call_name(&call.func) == Some("Dash") && imports_module(&module.body, is_dash)).then(|| {
                format!(
                    "{}:{}: `{name}` is a Dash app, which gunicorn serves through the Flask server it holds: add `server = {name}.server` below it and run flaskdock again {ENTRY_REASON_END}",
                    module.path,
                    module.line(stmt.start())
                )
            })
        })
    })
}

/// A project with no WSGI target whose Flask app is made in a method of a
/// class (`self.flask_app = Flask(__name__)` in `APIServer.__init__`), which
/// its own launcher calls: what gunicorn needs instead, and where.
pub(super) fn app_in_class(modules: &[Module]) -> Option<String> {
    modules
        .iter()
        .filter(|module| !is_test_path(&module.path))
        .find_map(|module| {
            module.body.iter().find_map(|stmt| {
                let Stmt::ClassDef(class) = stmt else { return None };
                class.body.iter().find_map(|method| {
                    let Stmt::FunctionDef(method) = method else { return None };
                    let made = flat_statements(&method.body).into_iter().find(|stmt| {
                        matches!(crate::syntax::assignment(stmt), Some((_, Expr::Call(call)))
                            if call_name(&call.func) == Some("Flask"))
                    })?;
                    Some(format!(
                        "{}:{}: the Flask app is made in `{}.{}`, which only the project's own code calls; gunicorn needs an app at module level or a function that returns one: add one and run flaskdock again {ENTRY_REASON_END}",
                        module.path,
                        module.line(made.start()),
                        class.name,
                        method.name
                    ))
                })
            })
        })
}

/// The chosen target names an object its module does not define (a stale
/// `Procfile` line, `app:server` for a Dash app that names no server):
/// gunicorn will not find it.
pub(super) fn missing_object(modules: &[Module], entry: Option<&EntryCandidate>) -> Option<String> {
    let entry = entry?;
    let (module_name, object) = entry.target.split_once(':')?;
    let object = object.split('(').next().unwrap_or(object).trim();
    let module = modules
        .iter()
        .find(|m| m.name.as_deref() == Some(module_name) && m.import_root == entry.import_root)?;
    if binds(module, object) {
        return None;
    }
    let dash = dash_apps(module)
        .into_iter()
        .find(|_| object == "server")
        .map(|app| format!(" (`{app}` there is a Dash app: add `server = {app}.server` below it)"))
        .unwrap_or_default();
    Some(format!(
        "{}: gunicorn is to serve `{}`, but {} defines no `{object}` at its top level, so gunicorn will not start{dash}; fix the command or pass --entry",
        entry.source, entry.target, module.path
    ))
}

/// Whether `module` binds `name` at its top level, in any branch. A star
/// import or a module-level `__getattr__` may bind any name.
fn binds(module: &Module, name: &str) -> bool {
    fn target_binds(target: &Expr, name: &str) -> bool {
        match target {
            Expr::Name(n) => n.id.as_str() == name,
            Expr::Tuple(t) => t.elts.iter().any(|e| target_binds(e, name)),
            Expr::List(l) => l.elts.iter().any(|e| target_binds(e, name)),
            Expr::Starred(s) => target_binds(&s.value, name),
            _ => false,
        }
    }
    flat_statements(&module.body)
        .into_iter()
        .any(|stmt| match stmt {
            Stmt::FunctionDef(f) => matches!(f.name.as_str(), n if n == name || n == "__getattr__"),
            Stmt::ClassDef(c) => c.name.as_str() == name,
            Stmt::Import(import) => import.names.iter().any(|alias| match &alias.asname {
                Some(asname) => asname.as_str() == name,
                None => alias.name.split('.').next() == Some(name),
            }),
            Stmt::ImportFrom(import) => import.names.iter().any(|alias| {
                alias.name.as_str() == "*"
                    || alias.asname.as_ref().unwrap_or(&alias.name).as_str() == name
            }),
            Stmt::Assign(a) => a.targets.iter().any(|t| target_binds(t, name)),
            Stmt::AnnAssign(a) => target_binds(&a.target, name),
            Stmt::For(f) => target_binds(&f.target, name),
            Stmt::With(w) => w.items.iter().any(|item| {
                item.optional_vars
                    .as_deref()
                    .is_some_and(|v| target_binds(v, name))
            }),
            _ => false,
        })
}

/// Names commonly given to app factories.
pub(crate) const FACTORY_NAMES: &[&str] = &[
    "create_app",
    "make_app",
    "create_application",
    "app_factory",
];

/// Conventional entry modules and how much a Flask object there is preferred.
fn file_score(module: &Module) -> u32 {
    let file = module.path.rsplit('/').next().unwrap_or(&module.path);
    let top_level = !module.path.contains('/');
    // Python cannot import it: any other candidate is better.
    if module.has_syntax_error {
        return 5;
    }
    if is_test_path(&module.path) {
        return 10;
    }
    if crate::syntax::is_tooling_path(&module.path) {
        return 20;
    }
    // A module that does work when imported (a cron script, a Celery or RQ
    // module) is not the one to serve when another candidate exists.
    if does_work_at_import(module) {
        return 30;
    }
    let base = match file {
        "wsgi.py" => 100,
        "app.py" => 95,
        "application.py" | "autoapp.py" => 90,
        "main.py" | "run.py" | "server.py" | "manage.py" => 85,
        "__init__.py" => 75,
        _ => 70,
    };
    // Deeper is less likely the entry point: 10 below for the first folder,
    // 2 more for each further one.
    let depth = module.path.split('/').count() as u32 - 1;
    if top_level {
        base
    } else {
        base - 10 - 2 * (depth - 1).min(10)
    }
}

/// Calls at module level (outside the `__main__` block) that do a job rather
/// than define an app: exiting, starting a scheduler, a worker, a server
/// loop; or a Celery app, which a worker imports.
fn does_work_at_import(module: &Module) -> bool {
    import_time_statements(&module.body).into_iter().any(|stmt| match stmt {
        Stmt::Expr(e) => matches!(e.value.as_ref(), Expr::Call(call)
            if matches!(call_name(&call.func), Some("exit" | "_exit" | "start" | "work" | "run" | "run_forever" | "serve_forever" | "main"))),
        _ => matches!(single_assignment(stmt), Some((_, Expr::Call(call)))
            if matches!(call_name(&call.func), Some("Celery" | "Worker" | "BlockingScheduler"))),
    })
}

/// Finds every WSGI target in the project, best first.
pub(super) fn detect_entries(modules: &[Module]) -> Vec<EntryCandidate> {
    let builders = app_builders(modules);
    let factories: Vec<(&Module, String)> = modules
        .iter()
        .flat_map(|m| {
            module_factories(m, &builders)
                .into_iter()
                .map(move |f| (m, f))
        })
        .collect();

    let mut found = Vec::new();
    for module in modules {
        let Some(name) = &module.name else { continue };
        let score = file_score(module);
        // Names whose `server` is the Flask app to serve: the module's Dash
        // apps, and what a factory made here (a Flask app has no `server`;
        // a Dash app made by the project's `create_app()` has).
        let mut dash = dash_apps(module);
        for stmt in import_time_statements(&module.body) {
            // Above `app = create_app()` beside it.
            if let Some(server) = dash_server(stmt, &dash) {
                found.push(EntryCandidate {
                    target: format!("{name}:{server}"),
                    import_root: module.import_root.clone(),
                    source: Source::at(&module.path, module.line(stmt.start()))
                        .with_note("a Dash app's Flask server"),
                    asgi: None,
                    score: score + 7,
                });
                continue;
            }
            let Some((target, value)) = single_assignment(stmt) else {
                continue;
            };
            let Expr::Call(call) = value else { continue };
            let Some(callee) = call_name(&call.func) else {
                continue;
            };
            // `app = create_app(os.getenv("CONFIG") or "default")`: a
            // factory's arguments do not matter to the object it returns.
            let asgi = asgi_maker(callee);
            let makes_app = callee == "Flask"
                || asgi.is_some()
                || FACTORY_NAMES.contains(&callee)
                || builders.iter().any(|f| f == callee);
            if makes_app {
                // `asgi_app = WsgiToAsgi(app)`: the wrapper is what is served.
                let wraps = callee == "WsgiToAsgi";
                found.push(EntryCandidate {
                    target: format!("{name}:{target}"),
                    import_root: module.import_root.clone(),
                    source: Source::at(&module.path, module.line(stmt.start())),
                    asgi,
                    score: score + if wraps { 6 } else { 5 },
                });
                dash.push(target.to_string());
            }
        }
    }
    for (module, factory) in &factories {
        let Some(name) = &module.name else { continue };
        let line = module
            .body
            .iter()
            .find_map(|s| match s {
                Stmt::FunctionDef(f) if f.name.as_str() == factory => Some(module.line(f.start())),
                _ => None,
            })
            .unwrap_or(1);
        // Above the module's own app object when the factory finishes it.
        let finishes_app = module.body.iter().any(|s| {
            matches!(s, Stmt::FunctionDef(f) if f.name.as_str() == factory && sets_up_module_app(module, f))
        });
        let asgi = module.body.iter().find_map(|s| match s {
            Stmt::FunctionDef(f) if f.name.as_str() == factory => asgi_made_by(f),
            _ => None,
        });
        found.push(EntryCandidate {
            target: format!("{name}:{factory}()"),
            import_root: module.import_root.clone(),
            source: Source::at(&module.path, line),
            asgi,
            // A conventional name (`create_app`) over a helper it calls,
            // and a private helper (`_configured`) last.
            score: (file_score(module)
                + if finishes_app { 6 } else { 0 }
                + if FACTORY_NAMES.contains(&factory.as_str()) {
                    2
                } else {
                    0
                })
            .saturating_sub(if factory.starts_with('_') { 3 } else { 0 }),
        });
    }
    found.extend(re_exports(modules, &found));
    found.extend(run_modules(modules, &found));
    // Stable: best score first, then path order.
    found.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.source.file.cmp(&b.source.file))
    });
    found.dedup_by(|a, b| a.target == b.target);
    found
}

/// A package that re-exports a target found in one of its modules
/// (`from .app import app` in `shop/__init__.py`) offers the shorter target
/// (`shop:app` over `shop.app:app`), preferred by a point.
fn re_exports(modules: &[Module], found: &[EntryCandidate]) -> Vec<EntryCandidate> {
    let mut extra = Vec::new();
    for module in modules.iter().filter(|m| m.path.ends_with("__init__.py")) {
        let Some(package) = &module.name else {
            continue;
        };
        for stmt in &module.body {
            let Stmt::ImportFrom(import) = stmt else {
                continue;
            };
            let relative = import.level;
            let from = import.module.as_ref().map(|m| m.as_str()).unwrap_or("");
            // From one of its own modules: a package that imports another's
            // app (`from shop import app` in a plugin under `docs/`) uses it.
            let source = match relative {
                0 if from.starts_with(&format!("{package}.")) => from.to_string(),
                1 if !from.is_empty() => format!("{package}.{from}"),
                _ => continue,
            };
            for alias in &import.names {
                let name = alias.name.as_str();
                let exported = alias.asname.as_ref().map_or(name, |a| a.as_str());
                for suffix in ["", "()"] {
                    let target = format!("{source}:{name}{suffix}");
                    if let Some(original) = found.iter().find(|c| c.target == target) {
                        extra.push(EntryCandidate {
                            target: format!("{package}:{exported}{suffix}"),
                            import_root: module.import_root.clone(),
                            source: Source::at(&module.path, module.line(import.start())),
                            asgi: original.asgi.clone(),
                            score: original.score + 1,
                        });
                    }
                }
            }
        }
    }
    extra
}

/// A module that imports the app another module made, imports its own
/// package's modules for what they add to it (`from . import api`, whose
/// import registers a blueprint), and runs it (`app.run()`, in its main
/// block or a `main()`): the app is whole only there, so that module is the
/// target (`lmfdb.website:app` over `lmfdb.app:app`), preferred by two points.
fn run_modules(modules: &[Module], found: &[EntryCandidate]) -> Vec<EntryCandidate> {
    let mut extra = Vec::new();
    for module in modules {
        let Some(name) = &module.name else { continue };
        if file_score(module) <= 30 {
            continue;
        }
        let package = if module.path.ends_with("__init__.py") {
            name.as_str()
        } else {
            name.rsplit_once('.').map_or("", |(package, _)| package)
        };
        let statements = import_time_statements(&module.body);
        let imports_own_modules = statements.iter().any(|stmt| match stmt {
            Stmt::ImportFrom(import) => import.level > 0 && import.module.is_none(),
            Stmt::Import(import) => import.names.iter().any(|alias| {
                !package.is_empty() && alias.name.as_str().starts_with(&format!("{package}."))
            }),
            _ => false,
        });
        if !imports_own_modules {
            continue;
        }
        let dash = dash_apps(module);
        for stmt in &statements {
            let Stmt::ImportFrom(import) = stmt else {
                continue;
            };
            let Some(from) = imported_module(package, import) else {
                continue;
            };
            for alias in &import.names {
                let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                let original = found.iter().find(|c| {
                    c.target == format!("{from}:{}", alias.name)
                        && c.import_root == module.import_root
                });
                if let Some(original) = original
                    && !dash.iter().any(|d| d == local)
                    && runs(&module.body, local)
                {
                    extra.push(EntryCandidate {
                        target: format!("{name}:{local}"),
                        import_root: module.import_root.clone(),
                        source: Source::at(&module.path, module.line(import.start())).with_note(
                            "imports the app and the modules that add to it, and runs it",
                        ),
                        asgi: original.asgi.clone(),
                        score: original.score + 2,
                    });
                }
            }
        }
    }
    extra
}

/// The dotted name of the module `from X import ...` reads, for a module in
/// `package`: `from .app import app` in `lmfdb` is `lmfdb.app`.
fn imported_module(package: &str, import: &ast::StmtImportFrom) -> Option<String> {
    let from = import.module.as_ref().map(|m| m.as_str());
    if import.level == 0 {
        return from.map(str::to_string);
    }
    let mut base = package;
    for _ in 1..import.level {
        base = base.rsplit_once('.').map_or("", |(parent, _)| parent);
    }
    match (base, from) {
        ("", Some(from)) => Some(from.to_string()),
        (base, Some(from)) => Some(format!("{base}.{from}")),
        (_, None) => None,
    }
}

/// Whether `body`, its functions' bodies included, runs `name` as a server:
/// `name.run(...)`, `name.run_server(...)`, or `socketio.run(name, ...)`.
fn runs(body: &[Stmt], name: &str) -> bool {
    flat_statements(body).into_iter().any(|stmt| match stmt {
        Stmt::FunctionDef(f) => runs(&f.body, name),
        Stmt::Expr(e) => matches!(e.value.as_ref(), Expr::Call(call)
            if matches!(call.func.as_ref(), Expr::Attribute(attr)
                if matches!(attr.attr.as_str(), "run" | "run_server")
                    && (matches!(attr.value.as_ref(), Expr::Name(n) if n.id.as_str() == name)
                        || matches!(call.arguments.args.first(), Some(Expr::Name(n)) if n.id.as_str() == name)))),
        _ => false,
    })
}

/// Names of what makes a Flask app in the project: its subclasses of
/// `Flask` (`class ShopApp(Flask)`), its top-level functions that call
/// `Flask(...)` or one of those classes, and those that return what another
/// one returns (`create_app()` -> `create_app_from_config()` -> `Flask(...)`),
/// whatever their parameters.
pub(crate) fn app_builders<'a>(modules: impl IntoIterator<Item = &'a Module>) -> Vec<String> {
    let modules: Vec<&Module> = modules.into_iter().collect();
    let functions: Vec<&ast::StmtFunctionDef> = modules
        .iter()
        .flat_map(|m| &m.body)
        .filter_map(|stmt| match stmt {
            Stmt::FunctionDef(f) => Some(f),
            _ => None,
        })
        .collect();
    let mut builders = flask_subclasses(&modules);
    builders.extend(
        functions
            .iter()
            .filter(|f| returns_made(f, is_flask_call))
            .map(|f| f.name.to_string()),
    );
    // Each round adds the callers of the last; a chain is short, but a
    // project's own mutual calls must not loop.
    for _ in 0..8 {
        let before = builders.len();
        for f in &functions {
            if !builders.iter().any(|b| b == f.name.as_str())
                && returns_made(f, |value| is_call_to(value, &builders))
            {
                builders.push(f.name.to_string());
            }
        }
        if builders.len() == before {
            break;
        }
    }
    builders
}

/// The project's top-level subclasses of `Flask`, and their subclasses:
/// calling one makes an app (`app = ShopApp(__name__)`). A library's
/// subclass is known by its name (`from apiflask import APIFlask`, `from
/// brainzutils.flask import CustomFlask`).
fn flask_subclasses(modules: &[&Module]) -> Vec<String> {
    let classes: Vec<&ast::StmtClassDef> = modules
        .iter()
        .flat_map(|m| &m.body)
        .filter_map(|stmt| match stmt {
            Stmt::ClassDef(c) => Some(c),
            _ => None,
        })
        .collect();
    let mut names = vec!["Flask".to_string()];
    for stmt in modules.iter().flat_map(|m| &m.body) {
        // `import eve` and `eve.Eve()`: the callee's name is the class's.
        if let Stmt::Import(import) = stmt {
            for alias in import.names.iter().filter(|a| a.asname.is_none()) {
                let classes = LIBRARY_APPS
                    .iter()
                    .filter(|(m, _)| *m == alias.name.as_str());
                names.extend(classes.map(|(_, class)| class.to_string()));
            }
        }
        let Stmt::ImportFrom(import) = stmt else {
            continue;
        };
        for alias in &import.names {
            let name = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
            let library_subclass = alias.name.as_str().len() > "Flask".len()
                && alias.name.as_str().ends_with("Flask")
                && alias
                    .name
                    .as_str()
                    .starts_with(|c: char| c.is_ascii_uppercase());
            let library_app = LIBRARY_APPS.iter().any(|(module, class)| {
                import.level == 0
                    && import
                        .module
                        .as_ref()
                        .is_some_and(|m| m.as_str() == *module)
                    && alias.name.as_str() == *class
            });
            if (library_subclass || library_app) && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    for _ in 0..4 {
        let before = names.len();
        for class in &classes {
            let subclass = class
                .bases()
                .iter()
                .any(|b| call_name(b).is_some_and(|b| names.iter().any(|n| n == b)));
            if subclass && !names.iter().any(|n| n == class.name.as_str()) {
                names.push(class.name.to_string());
            }
        }
        if names.len() == before {
            break;
        }
    }
    names.remove(0);
    names
}

/// `return builder(...)` or `x = builder(...)` for one of `builders`.
fn is_call_to(value: &Expr, builders: &[String]) -> bool {
    matches!(value, Expr::Call(call)
        if call_name(&call.func).is_some_and(|name| builders.iter().any(|b| b == name)))
}

/// Whether `function` returns what a call `made` recognises makes:
/// `return Flask(...)`, or `app = Flask(...)` and later `return app`. A
/// function that makes an app and serves it (`def main(): app =
/// create_app(); serve(app)`) builds none for a caller.
fn returns_made(function: &ast::StmtFunctionDef, made: impl Fn(&Expr) -> bool) -> bool {
    let statements = flat_statements(&function.body);
    let names: Vec<&str> = statements
        .iter()
        .filter_map(|stmt| single_assignment(stmt).filter(|(_, value)| made(value)))
        .map(|(name, _)| name)
        .collect();
    statements.iter().any(|stmt| match stmt {
        Stmt::Return(r) => r.value.as_deref().is_some_and(|value| match value {
            Expr::Name(name) => names.contains(&name.id.as_str()),
            other => made(other),
        }),
        _ => false,
    })
}

/// Functions of `module` that return an app (one of `builders`) and can be
/// called with no arguments: each is a `module:factory()` target.
pub(crate) fn module_factories(module: &Module, builders: &[String]) -> Vec<String> {
    module
        .body
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::FunctionDef(f) => Some(f),
            _ => None,
        })
        .filter(|f| {
            crate::syntax::required_parameters(f) == 0
                && (builders.iter().any(|b| b == f.name.as_str()) || sets_up_module_app(module, f))
        })
        .map(|f| f.name.to_string())
        .collect()
}

/// A function without parameters that configures and returns the module's
/// own app object (`app = Flask(...)` at module level, `def create_app():
/// ...; return app`). Such an object is unfinished until the function has run,
/// so the factory is the target. One with parameters, even defaulted, expects
/// a caller to pass them (changedetection.io's `changedetection_app(config=None)`
/// fails without its config).
fn sets_up_module_app(module: &Module, function: &ast::StmtFunctionDef) -> bool {
    let args = &function.parameters;
    if !(args.posonlyargs.is_empty() && args.args.is_empty() && args.kwonlyargs.is_empty()) {
        return false;
    }
    let returned: Vec<&str> = flat_statements(&function.body)
        .into_iter()
        .filter_map(|stmt| match stmt {
            Stmt::Return(r) => match r.value.as_deref() {
                Some(Expr::Name(n)) => Some(n.id.as_str()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    !returned.is_empty()
        && import_time_statements(&module.body)
            .into_iter()
            .any(|stmt| {
                matches!(single_assignment(stmt), Some((target, value))
                if returned.contains(&target) && is_flask_call(value))
            })
}

/// `Flask(...)`, or an ASGI app made the same way (`Quart(...)`).
fn is_flask_call(value: &Expr) -> bool {
    matches!(value, Expr::Call(call) if call_name(&call.func)
        .is_some_and(|name| name == "Flask" || asgi_maker(name).is_some()))
}

/// What makes the app a factory returns ASGI, when it makes one itself.
fn asgi_made_by(function: &ast::StmtFunctionDef) -> Option<String> {
    flat_statements(&function.body)
        .into_iter()
        .find_map(|stmt| produced_call(stmt).and_then(asgi_maker))
}

/// A module-level Celery app (`celery_app = Celery(...)`) as `module:name`, for
/// a worker's `--app`. Test code is skipped.
pub(super) fn detect_celery(modules: &[Module]) -> Option<Fact<String>> {
    // `celery = make_celery(app)`: a project function that returns
    // `Celery(...)`, or Celery's `current_app` configured.
    let builders: Vec<&str> = modules
        .iter()
        .flat_map(|m| {
            let current = celery_current_app_names(&m.body);
            m.body.iter().filter_map(move |stmt| match stmt {
                Stmt::FunctionDef(f) if builds_celery(f, &current) => Some(f.name.as_str()),
                _ => None,
            })
        })
        .collect();
    modules
        .iter()
        .filter(|m| !is_test_path(&m.path) && !crate::syntax::is_tooling_path(&m.path))
        .find_map(|module| {
            let name = module.name.as_ref()?;
            module.body.iter().find_map(|stmt| {
                let (target, Expr::Call(call)) = single_assignment(stmt)? else {
                    return None;
                };
                let callee = call_name(&call.func)?;
                (callee == "Celery" || builders.contains(&callee)).then(|| {
                    Fact::new(
                        format!("{name}:{target}"),
                        Source::at(&module.path, module.line(stmt.start())),
                    )
                })
            })
        })
}

/// The names a module binds Celery's `current_app` to (`from celery import
/// current_app as current_celery_app`).
fn celery_current_app_names(body: &[Stmt]) -> Vec<&str> {
    body.iter()
        .filter_map(|stmt| match stmt {
            Stmt::ImportFrom(import)
                if import
                    .module
                    .as_ref()
                    .is_some_and(|m| m.as_str() == "celery") =>
            {
                Some(
                    import
                        .names
                        .iter()
                        .filter(|a| a.name.as_str() == "current_app"),
                )
            }
            _ => None,
        })
        .flatten()
        .map(|alias| alias.asname.as_ref().unwrap_or(&alias.name).as_str())
        .collect()
}

/// Whether a function makes the Celery app: `Celery(...)`, or Celery's
/// `current_app` (bound to a name of `current`) given as its value.
fn builds_celery(function: &ast::StmtFunctionDef, current: &[&str]) -> bool {
    flat_statements(&function.body).into_iter().any(|stmt| {
        produced_call(stmt) == Some("Celery")
            || matches!(produced_value(stmt), Some(Expr::Name(name)) if current.contains(&name.id.as_str()))
    })
}

/// The name the Celery app's `broker=` argument reads, when it is a name
/// (`broker=Config.CELERY_BROKER_URL` -> `CELERY_BROKER_URL`).
pub(super) fn celery_broker_name(modules: &[Module], celery: &Fact<String>) -> Option<String> {
    let module = modules
        .iter()
        .find(|m| Some(&m.path) == celery.source.file.as_ref())?;
    module.body.iter().find_map(|stmt| {
        if Some(module.line(stmt.start())) != celery.source.line {
            return None;
        }
        let (_, Expr::Call(call)) = single_assignment(stmt)? else {
            return None;
        };
        let broker = call.arguments.find_keyword("broker")?;
        match &broker.value {
            Expr::Name(name) => Some(name.id.to_string()),
            Expr::Attribute(attribute) => Some(attribute.attr.to_string()),
            _ => None,
        }
    })
}

/// The target a project's own start command serves (`gunicorn flasky:app` in
/// a `Procfile`), when its module is a file of the project.
pub(super) fn from_command(
    tree: &Tree,
    command: &Fact<ServerCommand>,
    candidates: &[EntryCandidate],
) -> Option<EntryCandidate> {
    let target = command.value.target.as_deref()?;
    let module = target.split(':').next().unwrap_or(target);
    let known = candidates
        .iter()
        .find(|c| c.target.split(':').next() == Some(module));
    let import_root = match known {
        Some(candidate) => candidate.import_root.clone(),
        None => ["", "src"]
            .into_iter()
            .find(|root| is_module_of(tree, root, module))?
            .to_string(),
    };
    if command.value.server == "flask run" {
        let mut chosen = from_flask_app(tree, target, command.source.clone(), candidates)?;
        chosen.source = command.source.clone();
        chosen.import_root = import_root;
        return Some(chosen);
    }
    // The object itself, else what its module makes (`app = create_app()`
    // beside a factory returning `Quart(...)`).
    let asgi = candidates
        .iter()
        .find(|c| c.target == target)
        .and_then(|c| c.asgi.clone())
        .or_else(|| {
            candidates
                .iter()
                .filter(|c| {
                    c.target.split(':').next() == Some(module) && c.import_root == import_root
                })
                .find_map(|c| c.asgi.clone())
        })
        .or_else(|| {
            (command.value.server == "uvicorn").then(|| "served by uvicorn in the project".into())
        });
    Some(EntryCandidate {
        target: target.to_string(),
        import_root,
        source: command.source.clone(),
        asgi,
        score: u32::MAX,
    })
}

/// Whether `module` (`shop.wsgi`) is a file or package under `root`.
fn is_module_of(tree: &Tree, root: &str, module: &str) -> bool {
    let path = module.replace('.', "/");
    let prefix = if root.is_empty() {
        String::new()
    } else {
        format!("{root}/")
    };
    tree.has_file(&format!("{prefix}{path}.py"))
        || tree.has_file(&format!("{prefix}{path}/__init__.py"))
}

/// The target `FLASK_APP` names, the way `flask run` reads it: `module:object`
/// as written; a bare module (or `path/module.py`) means the best candidate
/// found in that module, else its `app`. `None` when the module is no file
/// of the project (a stale `.flaskenv`).
pub(super) fn from_flask_app(
    tree: &Tree,
    value: &str,
    source: Source,
    candidates: &[EntryCandidate],
) -> Option<EntryCandidate> {
    let (module, object) = match value.split_once(':') {
        Some((module, object)) => (module, Some(object)),
        None => (value, None),
    };
    let module = module
        .trim_end_matches(".py")
        .trim_end_matches("/__init__")
        .replace('/', ".");
    let in_module = candidates
        .iter()
        .find(|c| c.target.split(':').next() == Some(module.as_str()));
    let import_root = match in_module {
        Some(candidate) => candidate.import_root.clone(),
        None => ["", "src"]
            .into_iter()
            .find(|root| is_module_of(tree, root, &module))?
            .to_string(),
    };
    let target = match (object, in_module) {
        (Some(object), _) => format!("{module}:{object}"),
        (None, Some(candidate)) => candidate.target.clone(),
        (None, None) => format!("{module}:app"),
    };
    let asgi = candidates
        .iter()
        .find(|c| c.target == target)
        .and_then(|c| c.asgi.clone());
    Some(EntryCandidate {
        target,
        import_root,
        source: source.with_note("FLASK_APP"),
        asgi,
        score: u32::MAX,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(target: &str, root: &str) -> EntryCandidate {
        EntryCandidate {
            target: target.into(),
            import_root: root.into(),
            source: Source::at("x.py", 1),
            asgi: None,
            score: 1,
        }
    }

    #[test]
    fn flask_app_resolves_like_flask_run() {
        let found = [
            candidate("flaskr:create_app()", ""),
            candidate("blog:app", "src"),
        ];
        let tree = super::super::files::listed(&["autoapp.py", "app.py", "shop/__init__.py"]);
        let at = || Source::at(".flaskenv", 1);
        let target = |value: &str| from_flask_app(&tree, value, at(), &found).map(|c| c.target);
        assert_eq!(target("flaskr").unwrap(), "flaskr:create_app()");
        let blog = from_flask_app(&tree, "blog", at(), &found).unwrap();
        assert_eq!(blog.import_root, "src");
        assert_eq!(target("autoapp.py").unwrap(), "autoapp:app");
        assert_eq!(
            target("app:create_app('dev')").unwrap(),
            "app:create_app('dev')"
        );
        assert_eq!(target("shop/__init__.py").unwrap(), "shop:app");
        // A stale `.flaskenv`: the module is gone.
        assert_eq!(target("other.py"), None);
        assert_eq!(target("other:app"), None);
    }
}
