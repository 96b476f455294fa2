//! How gunicorn must run the app when its default worker will not do: a
//! WebSocket extension's worker, the class the project's own start command
//! names, an ASGI app's, or the event loop the served module patches the
//! standard library for at import.

use serde::Serialize;

use super::deployment;
use super::deps;
use super::entry::EntryCandidate;
use super::fact::Fact;
use super::module::Module;
use super::package::Package;
use super::wheels;
use crate::syntax::{self, Expr, Ranged, Stmt};

/// How gunicorn must run an app that serves WebSockets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Worker {
    /// gunicorn's `--worker-class`.
    pub class: String,
    /// `--threads`, for the threaded worker (each open WebSocket holds a thread).
    pub threads: Option<u32>,
    /// Flask-SocketIO's clients must reach the process that holds their
    /// session, and gunicorn's balancing between workers is not sticky.
    pub single_process: bool,
}

/// Flask-SocketIO runs on the eventlet or gevent worker when the project
/// installs one (gevent-websocket has its own), else in threading mode on
/// threads; Flask-Sock runs on threads. As Flask-SocketIO's deployment guide
/// says, it needs a single worker process.
fn detect_worker(packages: &[Package]) -> Option<Fact<Worker>> {
    let find = |name: &str| packages.iter().find(|p| p.name == name);
    let (extension, single_process) = match (find("flask-socketio"), find("flask-sock")) {
        (Some(socketio), _) => (socketio, true),
        (None, Some(sock)) => (sock, false),
        (None, None) => return None,
    };
    let async_worker = [
        (
            "gevent-websocket",
            "geventwebsocket.gunicorn.workers.GeventWebSocketWorker",
        ),
        ("eventlet", "eventlet"),
        ("gevent", "gevent"),
    ]
    .into_iter()
    .find(|(package, _)| find(package).is_some());
    let (class, threads, why) = match async_worker {
        Some((package, class)) => (
            class,
            None,
            format!("`{}` with `{package}`", extension.name),
        ),
        None => (
            "gthread",
            Some(100),
            format!("`{}` on threads", extension.name),
        ),
    };
    Some(Fact::new(
        Worker {
            class: class.to_string(),
            threads,
            single_process,
        },
        extension.source.clone().with_note(why),
    ))
}

/// The worker gunicorn needs, when not its default: a WebSocket extension's,
/// then the one the project's start command names, then an ASGI app's, then
/// the event loop's whose monkey-patching the served module does.
pub(super) fn gunicorn_worker(
    deps: &deps::Dependencies,
    deployment: &deployment::Deployment,
    entry: Option<&EntryCandidate>,
    modules: &[Module],
    warnings: &mut Vec<String>,
) -> Option<Fact<Worker>> {
    detect_worker(&deps.packages)
        .or_else(|| declared_worker(deployment, &deps.packages, warnings))
        .or_else(|| asgi_worker(entry, &deps.pins))
        .or_else(|| patched_worker(entry?, modules, &deps.packages))
}

/// A served module that monkey-patches the standard library at import
/// (`gevent.monkey.patch_all()`, `eventlet.monkey_patch()`) runs on that
/// library's gunicorn worker: patched after gunicorn's threads have started,
/// the threaded worker hangs or fails. Only where the project installs it.
fn patched_worker(
    entry: &EntryCandidate,
    modules: &[Module],
    packages: &[Package],
) -> Option<Fact<Worker>> {
    let dotted = entry.target.split(':').next()?;
    let module = modules.iter().find(|m| m.name.as_deref() == Some(dotted))?;
    let (class, line) = syntax::import_time_statements(&module.body)
        .into_iter()
        .find_map(|stmt| {
            let Stmt::Expr(e) = stmt else { return None };
            let Expr::Call(call) = e.value.as_ref() else {
                return None;
            };
            let name = syntax::dotted_name(&call.func)?;
            let class = match name.as_str() {
                "gevent.monkey.patch_all" | "monkey.patch_all" | "patch_all" => "gevent",
                "eventlet.monkey_patch" | "monkey_patch" => "eventlet",
                _ => return None,
            };
            Some((class, module.line(stmt.start())))
        })?;
    packages.iter().any(|p| p.name == class).then(|| {
        let source = super::fact::Source::at(&module.path, line).with_note(format!(
            "the served module patches the standard library for {class}"
        ));
        Fact::new(
            Worker {
                class: class.to_string(),
                threads: None,
                single_process: false,
            },
            source,
        )
    })
}

/// The worker class the project's own start command names (`-k gevent`),
/// when the project installs its package: the app may rely on it (gevent's
/// monkey-patching, many open connections). `sync` and `gthread` are left to
/// flaskdock's threaded worker; a class whose package the project does not
/// install is warned about and not used (gunicorn would not start).
fn declared_worker(
    deployment: &deployment::Deployment,
    packages: &[Package],
    warnings: &mut Vec<String>,
) -> Option<Fact<Worker>> {
    const PACKAGES: &[(&str, &str)] = &[
        ("gevent", "gevent"),
        ("eventlet", "eventlet"),
        (
            "geventwebsocket.gunicorn.workers.GeventWebSocketWorker",
            "gevent-websocket",
        ),
        ("uvicorn.workers.UvicornWorker", "uvicorn"),
        (ASGI_WORKER_CLASS, "uvicorn-worker"),
    ];
    let command = deployment
        .commands
        .iter()
        .find(|c| c.value.worker_class.is_some())?;
    let class = command.value.worker_class.as_deref()?;
    let (_, package) = PACKAGES.iter().find(|(name, _)| *name == class)?;
    if !packages.iter().any(|p| p.name == *package) {
        warnings.push(format!(
            "{}: the project's start command runs gunicorn's `{}` worker, but the project does not install `{package}`: the image runs the threaded worker",
            command.source,
            crate::safe::escaped(class)
        ));
        return None;
    }
    Some(Fact::new(
        Worker {
            class: class.to_string(),
            threads: None,
            single_process: false,
        },
        command
            .source
            .clone()
            .with_note(format!("`-k {class}` in the project's start command")),
    ))
}

/// gunicorn runs an ASGI app with uvicorn's worker. Connexion 2's `FlaskApp`
/// is WSGI, so a pin of it below 3 says the app is not ASGI.
fn asgi_worker(entry: Option<&EntryCandidate>, pins: &[wheels::Pin]) -> Option<Fact<Worker>> {
    let entry = entry?;
    let what = entry.asgi.as_deref()?;
    let connexion_2 = pins.iter().any(|p| {
        p.name == "connexion"
            && p.version
                .split('.')
                .next()
                .is_some_and(|m| m < "3" && m.len() == 1)
    });
    if what.contains("Connexion") && connexion_2 {
        return None;
    }
    Some(Fact::new(
        Worker {
            class: ASGI_WORKER_CLASS.to_string(),
            threads: None,
            single_process: false,
        },
        entry
            .source
            .clone()
            .with_note(format!("{what} is an ASGI app")),
    ))
}

/// The worker class of the `uvicorn-worker` package.
pub const ASGI_WORKER_CLASS: &str = "uvicorn_worker.UvicornWorker";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::fact::Source;

    fn worker_of(code: &str, installed: &[&str]) -> Option<(String, String)> {
        let module = Module::from_text("wsgi.py", code).unwrap();
        // Named by a config file, not by the module itself.
        let entry = EntryCandidate::for_tests("wsgi:app", Source::at("uwsgi.ini", 3));
        let packages: Vec<Package> = installed
            .iter()
            .map(|name| Package {
                name: name.to_string(),
                vcs: false,
                extras: Vec::new(),
                source: Source::at("requirements.txt", 1),
            })
            .collect();
        patched_worker(&entry, &[module], &packages)
            .map(|fact| (fact.value.class, fact.source.to_string()))
    }

    #[test]
    fn a_served_module_patched_for_an_event_loop_runs_on_its_worker() {
        let gevent = "import gevent.monkey\ngevent.monkey.patch_all()\nfrom shop import create_app\napp = create_app()\n";
        assert_eq!(
            worker_of(gevent, &["gevent"]),
            Some(("gevent".to_string(), "wsgi.py:2".to_string()))
        );
        let eventlet = "import os\nif os.environ.get('GREEN'):\n    import eventlet\n    eventlet.monkey_patch()\nfrom shop import app\n";
        assert_eq!(
            worker_of(eventlet, &["eventlet"]).map(|w| w.0),
            Some("eventlet".to_string())
        );
        // Not installed: the import fails before gunicorn's worker matters.
        assert_eq!(worker_of(gevent, &[]), None);
        // Patched only when run as a script, or in a function: the threaded worker.
        let main_only = "from shop import app\nif __name__ == '__main__':\n    from gevent import monkey\n    monkey.patch_all()\n    app.run()\n";
        assert_eq!(worker_of(main_only, &["gevent"]), None);
        let in_function = "from shop import app\ndef serve():\n    from gevent import monkey\n    monkey.patch_all()\n";
        assert_eq!(worker_of(in_function, &["gevent"]), None);
    }
}
