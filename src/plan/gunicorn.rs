//! How gunicorn serves the app: the requirements the image adds, the
//! worker, and the command line itself.

use serde::{Deserialize, Serialize};

use crate::inspect::Project;
use crate::safe::Text;

/// gunicorn settings, and the command line they make.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GunicornPlan {
    /// Requirement to add when the project does not list gunicorn, else `None`.
    pub extra_requirement: Option<Text>,
    /// Every requirement the image adds beyond the project's own, in order:
    /// `extra_requirement`, then uvicorn's worker for an ASGI app (when the
    /// project does not list it). The built-in templates install these.
    pub requirements: Vec<Text>,
    /// `gunicorn.conf.py` in the project root: gunicorn loads it, and the
    /// command line still forces the bind address.
    pub config: Option<Text>,
    /// `--worker-class`, when a WebSocket extension needs one (`eventlet`, `gthread`).
    pub worker_class: Option<Text>,
    /// `--threads`, for the threaded worker.
    pub threads: Option<u32>,
    /// `--workers 1`: Flask-SocketIO needs a single process.
    pub single_process: bool,
    /// The container's command, one argument each: `gunicorn`, the options
    /// above, `--bind 0.0.0.0:PORT`, the access log (unless the config file
    /// decides), then the app.
    pub argv: Vec<Text>,
}

/// How gunicorn serves `entry` on `port` in an image of `python_minor`.
pub(super) fn gunicorn_plan(
    project: &Project,
    python_minor: u32,
    port: u16,
    entry: &str,
) -> GunicornPlan {
    // Each pin is the newest release that installs on that Python: 23.0.0
    // needs 3.7, and an old project's own Dockerfile may still say 3.6.
    let pin = match python_minor {
        10.. => "gunicorn==27.0.1",
        7..=9 => "gunicorn==23.0.0",
        _ => "gunicorn==21.2.0",
    };
    let extra_requirement = (!project.depends_on("gunicorn")).then_some(pin);
    let worker = project.worker.as_ref().map(|w| &w.value);
    let mut plan = GunicornPlan {
        extra_requirement: extra_requirement.map(Text::from),
        requirements: extra_requirement
            .into_iter()
            .chain(worker_requirements(project, python_minor))
            .map(Text::from)
            .collect(),
        config: project.gunicorn_config.as_deref().map(Text::escaped),
        worker_class: worker.map(|w| Text::escaped(&w.class)),
        threads: worker.and_then(|w| w.threads),
        single_process: worker.is_some_and(|w| w.single_process),
        argv: Vec::new(),
    };
    plan.argv = command_line(&plan, port, entry);
    plan
}

fn command_line(plan: &GunicornPlan, port: u16, entry: &str) -> Vec<Text> {
    let mut argv = vec![Text::from("gunicorn")];
    let mut option = |name: &str, value: Text| argv.extend([Text::from(name), value]);
    if let Some(config) = &plan.config {
        option("--config", config.clone());
    }
    option("--bind", Text::escaped(&format!("0.0.0.0:{port}")));
    if let Some(class) = &plan.worker_class {
        option("--worker-class", class.clone());
    }
    if plan.single_process {
        option("--workers", Text::from("1"));
    }
    if let Some(threads) = plan.threads {
        option("--threads", Text::escaped(&threads.to_string()));
    }
    if plan.config.is_none() {
        option("--access-logfile", Text::from("-"));
    }
    argv.push(Text::escaped(entry));
    argv
}

/// uvicorn's worker for gunicorn, when the app is ASGI and the project does
/// not list it. uvicorn 0.54 needs Python 3.10; older images get the last
/// pair that runs on 3.9.
fn worker_requirements(project: &Project, python_minor: u32) -> Vec<&'static str> {
    let asgi = project
        .worker
        .as_ref()
        .is_some_and(|w| w.value.class == crate::inspect::ASGI_WORKER_CLASS);
    if !asgi || project.depends_on("uvicorn-worker") {
        return Vec::new();
    }
    if python_minor >= 10 {
        vec!["uvicorn-worker==0.4.0", "uvicorn==0.54.0"]
    } else {
        vec!["uvicorn-worker==0.3.0", "uvicorn==0.33.0"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(config: Option<&str>, class: Option<&str>, threads: Option<u32>) -> GunicornPlan {
        GunicornPlan {
            extra_requirement: None,
            requirements: Vec::new(),
            config: config.map(Text::from),
            worker_class: class.map(Text::from),
            threads,
            single_process: false,
            argv: Vec::new(),
        }
    }

    fn words(argv: Vec<Text>) -> Vec<String> {
        argv.iter().map(|w| w.as_str().to_string()).collect()
    }

    #[test]
    fn the_command_line_binds_every_address_and_logs_access_without_a_config() {
        let argv = command_line(&plan(None, None, None), 8000, "app:app");
        assert_eq!(
            words(argv),
            [
                "gunicorn",
                "--bind",
                "0.0.0.0:8000",
                "--access-logfile",
                "-",
                "app:app"
            ]
        );
    }

    #[test]
    fn a_config_file_is_loaded_first_and_decides_the_access_log() {
        let argv = command_line(
            &plan(Some("gunicorn.conf.py"), Some("gthread"), Some(8)),
            5000,
            "shop:create_app()",
        );
        assert_eq!(
            words(argv),
            [
                "gunicorn",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                "0.0.0.0:5000",
                "--worker-class",
                "gthread",
                "--threads",
                "8",
                "shop:create_app()"
            ]
        );
    }

    #[test]
    fn a_single_process_worker_gets_one_worker() {
        let mut single = plan(None, Some("eventlet"), None);
        single.single_process = true;
        let argv = words(command_line(&single, 8000, "app:app"));
        let at = argv.iter().position(|w| w == "--workers").unwrap();
        assert_eq!(argv[at + 1], "1");
        assert_eq!(argv[argv.len() - 1], "app:app");
    }
}
