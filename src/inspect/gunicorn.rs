//! A root `gunicorn.conf.py`: gunicorn loads it by itself, so its `bind` and
//! `daemon` settings matter. The image always binds 0.0.0.0 on the command line.

use super::deployment::bind_port;
use super::fact::{Fact, Source};
use super::files::Tree;
use super::module::Module;
use crate::syntax::{Expr, Ranged, Stmt, ast, is_true, string_literal};

/// The config file and what it says.
pub(super) struct GunicornConfig {
    pub path: String,
    /// The port of its first TCP `bind`, if any.
    pub port: Option<Fact<u16>>,
}

/// The config file the project's own start command names (`-c conf/gunicorn.py`),
/// when it is a file of the project, else the root `gunicorn.conf.py`.
/// The text of a `bind` value: a string; an environment read's default
/// (`os.getenv("WEB_BIND", "0.0.0.0:8000")`); an f-string whose every
/// interpolation is such a read (`f"0.0.0.0:{os.getenv('PORT', '8000')}"`).
fn bind_text(value: &Expr) -> Option<String> {
    let env_default = |expr: &Expr| match expr {
        Expr::Call(call)
            if matches!(crate::syntax::call_name(&call.func), Some("getenv" | "get")) =>
        {
            call.arguments
                .args
                .get(1)
                .and_then(crate::syntax::literal_text)
        }
        _ => None,
    };
    match value {
        Expr::FString(f) => {
            let mut text = String::new();
            for piece in crate::syntax::fstring_pieces(f) {
                match piece {
                    Err(literal) => text.push_str(literal),
                    Ok(i) => text.push_str(&env_default(&i.expression)?),
                }
            }
            Some(text)
        }
        value => string_literal(value)
            .map(str::to_string)
            .or_else(|| env_default(value)),
    }
}

pub(super) fn detect_gunicorn_config(
    modules: &[Module],
    tree: &Tree,
    declared: Option<&str>,
    warnings: &mut Vec<String>,
) -> Option<GunicornConfig> {
    // `-c conf/gunicorn.py`, `-c file:conf/gunicorn.py`, `-c python:conf.gunicorn`.
    let declared = declared
        .map(|path| match path.strip_prefix("python:") {
            Some(module) => format!("{}.py", module.replace('.', "/")),
            None => path.trim_start_matches("file:").to_string(),
        })
        .map(|path| path.trim_start_matches("./").to_string())
        .filter(|path| path.ends_with(".py") && tree.has_file(path));
    let declared = declared.as_deref();
    let parsed;
    let module = match declared {
        Some(path) if path != "gunicorn.conf.py" => {
            parsed = Module::from_text(path, &tree.read(path).ok()?).ok()?;
            &parsed
        }
        _ => modules.iter().find(|m| m.path == "gunicorn.conf.py")?,
    };
    let mut port = None;
    for stmt in &module.body {
        let Stmt::Assign(assign) = stmt else { continue };
        let [Expr::Name(name)] = assign.targets.as_slice() else {
            continue;
        };
        let line = module.line(assign.start());
        match name.id.as_str() {
            "bind" => {
                let first = match assign.value.as_ref() {
                    Expr::List(list) => list.elts.first().and_then(bind_text),
                    Expr::Tuple(tuple) => tuple.elts.first().and_then(bind_text),
                    value => bind_text(value),
                };
                match first.as_deref().map(bind_port) {
                    Some(Some(p)) => port = Some(Fact::new(p, Source::at(&module.path, line).with_note("gunicorn bind"))),
                    Some(None) => warnings.push(format!(
                        "{}:{line}: its bind is not a TCP port; the image binds 0.0.0.0 on the command line instead",
                        module.path
                    )),
                    None => warnings.push(format!(
                        "{}:{line}: its bind is computed when gunicorn starts, so flaskdock cannot read its port; the image binds 0.0.0.0 on the command line instead",
                        module.path
                    )),
                }
            }
            "daemon" if is_true(&assign.value) => {
                warnings.push(format!(
                    "{}:{line}: `daemon = True` makes the container exit at once; remove it (a container's process must stay in the foreground)",
                    module.path
                ));
            }
            _ => {}
        }
    }
    // `daemon = True` in a branch (`elif ENVIRONMENT == "production":`).
    for stmt in &module.body {
        if let Stmt::If(node) = stmt {
            for line in branch_daemons(module, node) {
                warnings.push(format!(
                    "{}:{line}: `daemon = True` makes the container exit at once where that branch runs; remove it (a container's process must stay in the foreground)",
                    module.path
                ));
            }
        }
    }
    Some(GunicornConfig {
        path: module.path.clone(),
        port,
    })
}

/// The lines of `daemon = True` in an `if` statement's branches, at any depth.
fn branch_daemons(module: &Module, node: &ast::StmtIf) -> Vec<usize> {
    let bodies = std::iter::once(&node.body).chain(node.elif_else_clauses.iter().map(|c| &c.body));
    let mut lines = Vec::new();
    for stmt in bodies.flatten() {
        match stmt {
            Stmt::Assign(assign)
                if matches!(assign.targets.as_slice(), [Expr::Name(n)] if n.id.as_str() == "daemon")
                    && is_true(&assign.value) =>
            {
                lines.push(module.line(assign.start()));
            }
            Stmt::If(inner) => lines.extend(branch_daemons(module, inner)),
            _ => {}
        }
    }
    lines
}
