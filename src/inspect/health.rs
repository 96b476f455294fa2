//! Health routes the app serves (`@app.get("/healthz")`): a path the image's
//! HEALTHCHECK can request that answers without the database, where `/` is
//! often a login redirect or a query. Read as each module is parsed.

use serde::Serialize;

use super::fact::{Fact, Source};
use super::module::Module;
use crate::syntax::{self, Expr, Ranged, Stmt, Visitor, ast, visitor};

/// Health paths, in the order one is preferred to another: a liveness check
/// says most about the process itself.
pub(super) const PATHS: &[&str] = &[
    "/healthz",
    "/livez",
    "/health",
    "/healthcheck",
    "/health-check",
    "/_health",
    "/ping",
    "/readyz",
    "/status",
];

/// Words a file must hold to be worth reading for health routes (the parse
/// prefilter of `source.rs` adds them to its own).
pub(super) const NEEDLES: &[&str] = &[
    "/health", "/_health", "/livez", "/readyz", "/ping", "/status",
];

/// Names a view reaches a service through: a view that uses one answers
/// only while that service does.
const SERVICE_NAMES: &[&str] = &[
    "db", "session", "query", "execute", "cursor", "engine", "connect", "redis", "cache",
    "requests", "httpx", "urlopen",
];

/// One health route: its path, and whether its view uses a service.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HealthRoute {
    pub path: Fact<String>,
    pub uses_services: bool,
}

/// The health routes one module declares: views decorated with
/// `@x.route(PATH)` or `@x.get(PATH)` (a blueprint's `url_prefix`, when its
/// `Blueprint(...)` call in the module gives one, is put first).
pub(super) fn scan(module: &Module) -> Vec<HealthRoute> {
    let mut scanner = Scanner {
        module,
        prefixes: Vec::new(),
        found: Vec::new(),
    };
    scanner.visit_body(&module.body);
    scanner.found
}

/// The path the HEALTHCHECK should request: the one the project's own
/// healthcheck requests (`declared`: its authors chose it), else the
/// preferred path among the views that use no service.
pub(super) fn choose(
    routes: &[HealthRoute],
    declared: Option<Fact<String>>,
) -> Option<Fact<String>> {
    declared.or_else(|| {
        PATHS.iter().find_map(|path| {
            routes
                .iter()
                .find(|r| !r.uses_services && r.path.value.trim_end_matches('/') == *path)
                .map(|r| r.path.clone())
        })
    })
}

struct Scanner<'m> {
    module: &'m Module,
    /// `bp = Blueprint(..., url_prefix="/api")`: the name and its prefix.
    prefixes: Vec<(String, String)>,
    found: Vec<HealthRoute>,
}

impl Scanner<'_> {
    fn route(&mut self, function: &ast::StmtFunctionDef, decorator: &Expr) {
        let Expr::Call(call) = decorator else {
            return;
        };
        let Expr::Attribute(attribute) = call.func.as_ref() else {
            return;
        };
        let verb = attribute.attr.as_str();
        if verb != "route" && verb != "get" {
            return;
        }
        let Some(path) = call.arguments.args.first().and_then(syntax::string_literal) else {
            return;
        };
        let prefix = match attribute.value.as_ref() {
            Expr::Name(name) => self
                .prefixes
                .iter()
                .find(|(n, _)| n == name.id.as_str())
                .map_or("", |(_, p)| p.as_str()),
            _ => "",
        };
        let full = format!("{}{path}", prefix.trim_end_matches('/'));
        let bare = full.trim_end_matches('/');
        if !PATHS.contains(&bare) {
            return;
        }
        let mut uses = UsesServices(false);
        for stmt in &function.body {
            uses.visit_stmt(stmt);
        }
        let source = Source::at(&self.module.path, self.module.line(function.start()));
        self.found.push(HealthRoute {
            path: Fact::new(full, source),
            uses_services: uses.0,
        });
    }
}

impl<'a> Visitor<'a> for Scanner<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign(assign) => {
                if let (Some(Expr::Name(target)), Expr::Call(call)) =
                    (assign.targets.first(), assign.value.as_ref())
                    && syntax::call_name(&call.func) == Some("Blueprint")
                    && let Some(prefix) = call
                        .arguments
                        .keywords
                        .iter()
                        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "url_prefix"))
                        .and_then(|k| syntax::string_literal(&k.value))
                {
                    self.prefixes
                        .push((target.id.to_string(), prefix.to_string()));
                }
            }
            Stmt::FunctionDef(function) => {
                for decorator in &function.decorator_list {
                    self.route(function, &decorator.expression);
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }
}

/// Whether a view's body names a service (`db.session`, `redis.ping()`).
struct UsesServices(bool);

impl<'a> Visitor<'a> for UsesServices {
    fn visit_expr(&mut self, expr: &'a Expr) {
        let name = match expr {
            Expr::Name(name) => Some(name.id.as_str()),
            Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
            _ => None,
        };
        if name.is_some_and(|n| SERVICE_NAMES.contains(&n)) {
            self.0 = true;
        }
        visitor::walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes(code: &str) -> Vec<(String, bool)> {
        let module = Module::from_text("app.py", code).unwrap();
        scan(&module)
            .into_iter()
            .map(|r| (r.path.value, r.uses_services))
            .collect()
    }

    #[test]
    fn health_views_are_found_with_what_they_use() {
        let code = "from flask import Flask, Blueprint\n\
            app = Flask(__name__)\n\
            ops = Blueprint('ops', __name__, url_prefix='/ops')\n\
            @app.get('/healthz')\n\
            def healthz():\n    return 'ok'\n\
            @app.route('/readyz')\n\
            def readyz():\n    db.session.execute('select 1')\n    return 'ok'\n\
            @ops.route('/health')\n\
            def ops_health():\n    return 'ok'\n\
            def create_app():\n    app = Flask(__name__)\n\
            \n    @app.route('/ping/')\n    def ping():\n        return 'pong'\n    return app\n\
            @app.route('/users')\n\
            def users():\n    return 'no'\n";
        assert_eq!(
            routes(code),
            [
                ("/healthz".to_string(), false),
                ("/readyz".to_string(), true),
                ("/ping/".to_string(), false),
            ]
        );
    }

    #[test]
    fn the_preferred_view_that_needs_no_service_is_chosen() {
        let module = Module::from_text(
            "app.py",
            "@app.route('/status')\ndef status():\n    return 'ok'\n\
             @app.route('/health')\ndef health():\n    return str(db.engine)\n",
        )
        .unwrap();
        let chosen = choose(&scan(&module), None).unwrap();
        assert_eq!(chosen.value, "/status");
        assert_eq!(chosen.source.to_string(), "app.py:1");
        assert!(choose(&[], None).is_none());
    }
}
