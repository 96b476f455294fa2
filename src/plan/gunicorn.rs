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
    /// `--workers 1`: Flask-SocketIO needs a single process, and so does an
    /// app that makes its secret key at random when it starts.
    pub single_process: bool,
    /// Where the app makes its secret key at random (`config.py:9`), the
    /// reason for `single_process` when no WebSocket extension is.
    #[serde(default)]
    pub random_secret: Option<Text>,
    /// The threads hold open WebSockets (an extension's worker), rather than
    /// serve requests side by side (flaskdock's `gthread` default).
    pub websocket_threads: bool,
    /// flaskdock sets the workers, threads and timeouts for a container: the
    /// project has no gunicorn config file (whose settings then decide).
    pub tuned: bool,
    /// The container sets `WEB_CONCURRENCY` (gunicorn's default worker count),
    /// when `.env` does not, from the CPUs its cgroup quota allows:
    /// [`WORKERS_FROM_CPUS`] sets one per CPU, at most 12.
    pub workers_from_cpus: bool,
    /// `--timeout`: a worker silent this long is restarted.
    pub timeout: u32,
    /// `--graceful-timeout`: how long requests in flight may finish after
    /// SIGTERM; compose's `stop_grace_period` waits longer.
    pub graceful_timeout: u32,
    /// `--keep-alive`: seconds an idle connection from a proxy stays open.
    pub keep_alive: u32,
    /// Compose's `stop_grace_period`, in seconds: above the graceful timeout
    /// (Docker's own 10 s would kill gunicorn mid-shutdown).
    pub stop_grace_period: u32,
    /// The container's command, one argument each: `gunicorn`, the options
    /// above, `--bind 0.0.0.0:PORT`, the access log (unless the config file
    /// decides), then the app.
    pub argv: Vec<Text>,
}

/// Shell that sets `WEB_CONCURRENCY`, unless it is set, for the CPUs this
/// container may use: its cgroup's CPU quota (v2 `cpu.max`, else v1's CFS
/// quota; `max` or `-1` is none), else the CPUs it may run on (`nproc`):
/// one worker per CPU, at most 12 (memory, not CPU, bounds more). Every
/// worker serves on threads (or an event loop), so a request waiting on I/O
/// holds a thread, not a process: the `2 × CPUs + 1` of sync workers would
/// only add processes that import the app side by side at start (the serve
/// benchmark's first 200) and hold more memory and connections. Builtins and
/// `nproc` only: it adds no start-up time. One line: Plan strings hold no
/// line break.
pub const WORKERS_FROM_CPUS: &str = "if [ -z \"${WEB_CONCURRENCY:-}\" ]; then cpus=$(nproc); q=max; p=0; if [ -r /sys/fs/cgroup/cpu.max ]; then read -r q p < /sys/fs/cgroup/cpu.max; elif [ -r /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then read -r q < /sys/fs/cgroup/cpu/cpu.cfs_quota_us; read -r p < /sys/fs/cgroup/cpu/cpu.cfs_period_us; fi; case \"$q\" in \"\"|*[!0-9]*) ;; *) if [ \"$p\" -gt 0 ]; then c=$(( (q + p - 1) / p )); if [ \"$c\" -ge 1 ] && [ \"$c\" -lt \"$cpus\" ]; then cpus=$c; fi; fi ;; esac; WEB_CONCURRENCY=$cpus; if [ \"$WEB_CONCURRENCY\" -gt 12 ]; then WEB_CONCURRENCY=12; fi; export WEB_CONCURRENCY; fi; ";

/// Threads per worker for the threaded worker: requests waiting on a database
/// or an API do not hold a whole process. With one worker per CPU, eight
/// threads each keep as many requests in flight as five workers of four did.
const THREADS: u32 = 8;

/// The first gunicorn release with a control socket (`--no-control-socket`).
const CONTROL_SOCKET_SINCE: (u32, u32) = (25, 1);

/// How gunicorn serves `entry` on `port` in an image of `python_minor`;
/// where the project's own launcher serves instead (`launcher_serves`), the
/// image installs no gunicorn.
pub(super) fn gunicorn_plan(
    project: &Project,
    python_minor: u32,
    port: u16,
    entry: &str,
    launcher_serves: bool,
) -> GunicornPlan {
    // Each pin is the newest release that installs on that Python: 23.0.0
    // needs 3.7, and an old project's own Dockerfile may still say 3.6.
    let pin = match python_minor {
        10.. => "gunicorn==27.0.1",
        7..=9 => "gunicorn==23.0.0",
        _ => "gunicorn==21.2.0",
    };
    // The release the command line is written for, installed unless the
    // launcher serves.
    let release = (!project.depends_on("gunicorn")).then_some(pin);
    let extra_requirement = release.filter(|_| !launcher_serves);
    let worker = project.worker.as_ref().map(|w| &w.value);
    let tuned = project.gunicorn_config.is_none();
    let random_secret = project
        .random_secret
        .as_ref()
        .map(|key| Text::escaped(&format!("its `{}` ({})", key.value, key.source)));
    let single_process = worker.is_some_and(|w| w.single_process) || random_secret.is_some();
    // The threaded worker unless an extension or ASGI needs its own.
    let (worker_class, threads) = match worker {
        Some(w) => (Some(Text::escaped(&w.class)), w.threads),
        None if tuned => (Some(Text::from("gthread")), Some(THREADS)),
        None => (None, None),
    };
    let mut plan = GunicornPlan {
        extra_requirement: extra_requirement.map(Text::from),
        requirements: extra_requirement
            .into_iter()
            .chain(
                worker_requirements(project, python_minor)
                    .into_iter()
                    .filter(|_| !launcher_serves),
            )
            .map(Text::from)
            .collect(),
        config: project.gunicorn_config.as_deref().map(Text::escaped),
        worker_class,
        threads,
        single_process,
        random_secret,
        websocket_threads: worker.is_some_and(|w| w.threads.is_some()),
        tuned,
        workers_from_cpus: tuned && !single_process,
        timeout: 30,
        graceful_timeout: 30,
        keep_alive: 5,
        stop_grace_period: 40,
        argv: Vec::new(),
    };
    let version = match release {
        Some(pin) => pin.strip_prefix("gunicorn=="),
        None => project
            .pins
            .iter()
            .find(|p| p.name == "gunicorn")
            .map(|p| p.version.as_str()),
    };
    plan.argv = command_line(&plan, port, entry, has_control_socket(version));
    plan
}

/// Whether gunicorn `version` has a control socket (written under `$HOME`
/// unless turned off); `None`, an unknown release, is taken to have none, so
/// no option it would refuse is passed.
fn has_control_socket(version: Option<&str>) -> bool {
    let Some(version) = version else {
        return false;
    };
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(major), minor) => (major, minor.unwrap_or(0)) >= CONTROL_SOCKET_SINCE,
        _ => false,
    }
}

fn command_line(plan: &GunicornPlan, port: u16, entry: &str, control_socket: bool) -> Vec<Text> {
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
    if plan.tuned {
        // Heartbeats in memory: on the container's overlay /tmp they can stall.
        option("--worker-tmp-dir", Text::from("/dev/shm"));
        option("--timeout", Text::escaped(&plan.timeout.to_string()));
        option(
            "--graceful-timeout",
            Text::escaped(&plan.graceful_timeout.to_string()),
        );
        option("--keep-alive", Text::escaped(&plan.keep_alive.to_string()));
        option("--access-logfile", Text::from("-"));
    }
    if control_socket && plan.tuned {
        argv.push(Text::from("--no-control-socket"));
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
            random_secret: None,
            websocket_threads: false,
            tuned: config.is_none(),
            workers_from_cpus: config.is_none(),
            timeout: 30,
            graceful_timeout: 30,
            keep_alive: 5,
            stop_grace_period: 40,
            argv: Vec::new(),
        }
    }

    fn words(argv: Vec<Text>) -> Vec<String> {
        argv.iter().map(|w| w.as_str().to_string()).collect()
    }

    #[test]
    fn the_command_line_is_tuned_for_a_container_without_a_config() {
        let argv = command_line(
            &plan(None, Some("gthread"), Some(THREADS)),
            8000,
            "app:app",
            true,
        );
        assert_eq!(
            words(argv).join(" "),
            "gunicorn --bind 0.0.0.0:8000 --worker-class gthread --threads 8 \
             --worker-tmp-dir /dev/shm --timeout 30 --graceful-timeout 30 --keep-alive 5 \
             --access-logfile - --no-control-socket app:app"
        );
    }

    #[test]
    fn a_config_file_is_loaded_first_and_decides_the_rest() {
        let argv = command_line(
            &plan(Some("gunicorn.conf.py"), Some("eventlet"), None),
            5000,
            "shop:create_app()",
            true,
        );
        assert_eq!(
            words(argv).join(" "),
            "gunicorn --config gunicorn.conf.py --bind 0.0.0.0:5000 --worker-class eventlet shop:create_app()"
        );
    }

    #[test]
    fn a_single_process_worker_gets_one_worker() {
        let mut single = plan(None, Some("eventlet"), None);
        single.single_process = true;
        let argv = words(command_line(&single, 8000, "app:app", false));
        let at = argv.iter().position(|w| w == "--workers").unwrap();
        assert_eq!(argv[at + 1], "1");
        assert_eq!(argv[argv.len() - 1], "app:app");
    }

    #[test]
    fn only_releases_with_a_control_socket_are_told_to_open_none() {
        assert!(has_control_socket(Some("27.0.1")));
        assert!(has_control_socket(Some("25.1")));
        assert!(!has_control_socket(Some("25.0.3")));
        assert!(!has_control_socket(Some("23.0.0")));
        assert!(!has_control_socket(Some("garbage")));
        assert!(!has_control_socket(None));
    }
}
