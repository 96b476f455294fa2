//! The checks' logic against a recording fake engine: what is run, in which
//! order, what each answer makes of a check, and that everything created is
//! removed.

#![allow(clippy::disallowed_methods)] // the tests build projects on disk

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Mutex;

use super::*;

/// An engine that records every command and answers from `answer`; a
/// `run -d ... -p 127.0.0.1:H:P` starts a server on H that answers `status`.
type Answer = Box<dyn Fn(&str) -> Option<Output> + Send + Sync>;

struct Fake {
    calls: Mutex<Vec<String>>,
    answer: Answer,
    status: Option<u16>,
}

impl Fake {
    fn new(
        status: Option<u16>,
        answer: impl Fn(&str) -> Option<Output> + Send + Sync + 'static,
    ) -> Self {
        Fake {
            calls: Mutex::new(Vec::new()),
            answer: Box::new(answer),
            status,
        }
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    fn called(&self, prefix: &str) -> bool {
        self.calls().iter().any(|c| c.starts_with(prefix))
    }
}

fn ok(stdout: &str) -> Output {
    Output {
        success: true,
        stdout: stdout.to_string(),
        text: stdout.to_string(),
        timed_out: false,
    }
}

fn failed(text: &str) -> Output {
    Output {
        success: false,
        stdout: String::new(),
        text: text.to_string(),
        timed_out: false,
    }
}

impl Engine for Fake {
    fn name(&self) -> &str {
        "podman"
    }

    fn run(&self, args: &[String], _: Duration) -> Result<Output> {
        let call = args.join(" ");
        self.calls.lock().unwrap().push(call.clone());
        if let Some(output) = (self.answer)(&call) {
            return Ok(output);
        }
        if call.starts_with("run -d")
            && let Some(status) = self.status
        {
            let publish = args.iter().find(|a| a.starts_with("127.0.0.1:")).unwrap();
            let port: u16 = publish.split(':').nth(1).unwrap().parse().unwrap();
            serve_once(port, status);
        }
        Ok(match call.as_str() {
            c if c.starts_with("run --rm --entrypoint id") => ok("10001\n"),
            c if c.starts_with("run --rm --entrypoint sh") && c.contains(".env") => ok("none\n"),
            c if c.starts_with("run --rm --entrypoint sh") && c.contains("-k .") => {
                ok("ok /app ./app.py\n")
            }
            c if c.starts_with("run --rm --entrypoint sh") => ok(""),
            c if c.starts_with("build") => ok(
                "STEP 1/2: RUN pip install -r requirements.txt\n--> Using cache 1\nSTEP 2/2: COPY --chown=1:1 . .\n--> 2\n",
            ),
            c if c.starts_with("image inspect") => failed("no such image"),
            c if c.starts_with("inspect --format") => ok("true\n"),
            _ => ok(""),
        })
    }

    fn compose(&self, dir: &Path, args: &[String], _: Duration) -> Option<Result<Output>> {
        let call = format!("compose {}", args.join(" "));
        self.calls.lock().unwrap().push(call.clone());
        if let Some(output) = (self.answer)(&call) {
            return Some(Ok(output));
        }
        if call.contains(" up ")
            && let Some(status) = self.status
        {
            // The web service's host port, from the copy's `.env`.
            let env = std::fs::read_to_string(dir.join(".env")).unwrap();
            let port = env
                .lines()
                .find_map(|l| l.strip_prefix("WEB_PORT=127.0.0.1:"))
                .unwrap();
            serve_once(port.parse().unwrap(), status);
        }
        Some(Ok(ok("")))
    }

    fn scan(&self, args: &[String], needles: &[String], _: Duration) -> Result<Vec<usize>> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("{} [{}]", args.join(" "), needles.join(",")));
        Ok(Vec::new())
    }

    fn kustomize(&self, dir: &Path, _: Duration) -> Option<Result<Output>> {
        let call = format!("kustomize {}", dir.display());
        self.calls.lock().unwrap().push(call.clone());
        (self.answer)("kustomize").map(Ok)
    }
}

/// Runs share the Ctrl-C flag: one test at a time.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Answers one request on `port` with `status`.
fn serve_once(port: u16, status: u16) {
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(5) {
            let mut stream = stream.unwrap();
            let mut request = [0u8; 512];
            let _ = stream.read(&mut request);
            let _ = write!(stream, "HTTP/1.1 {status} X\r\n\r\n");
        }
    });
}

/// A project as `flaskdock init` leaves it: Dockerfile, answers, app, and
/// `.env.example` (plus `files`).
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let base = [
        ("Dockerfile", "FROM python:3.12-slim\nEXPOSE 8000\n"),
        (
            ".flaskdock.toml",
            "[answers]\nentry = \"app:app\"\nhealth_path = \"/healthz\"\n",
        ),
        (
            "app.py",
            "import os\nfrom flask import Flask\napp = Flask(__name__)\nTOKEN = os.environ[\"API_TOKEN\"]\n",
        ),
        ("requirements.txt", "flask\npsycopg2==2.9.10\n"),
        (
            ".env.example",
            "SECRET_KEY=replace-with-a-long-random-string\n",
        ),
    ];
    for (name, text) in base.iter().chain(files) {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn options(dir: &Path) -> Options {
    Options {
        path: dir.to_path_buf(),
        cold: false,
        keep: false,
        build_args: vec![("PYTHON_VERSION".into(), "3.11".into())],
        base_images: Vec::new(),
        serve_timeout: Duration::from_secs(3),
        build_timeout: Duration::from_secs(60),
        kubernetes: false,
    }
}

fn status_of(report: &Report, name: &str) -> Status {
    report
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap()
        .status
}

fn check<'r>(report: &'r Report, name: &str) -> &'r Check {
    report.checks.iter().find(|c| c.name == name).unwrap()
}

/// An app that adds files beside its source runs on a writable root in
/// compose (its web service has no `read_only`), and so in `verify`.
#[test]
fn the_app_runs_read_only_only_where_compose_runs_it_so() {
    let _serial = serial();
    let run_of = |compose: &str| {
        let dir = project(&[("docker-compose.yml", compose)]);
        let engine = Fake::new(Some(200), |_| None);
        verify(&options(dir.path()), &engine, &mut |_| {}).unwrap();
        let calls = engine.calls();
        calls
            .iter()
            .find(|c| c.starts_with("run -d"))
            .unwrap()
            .clone()
    };
    let writable = run_of("services:\n  web:\n    build: .\n    cap_drop: [ALL]\n");
    assert!(!writable.contains("--read-only"), "{writable}");
    let read_only = run_of("services:\n  web:\n    build: .\n    read_only: true\n");
    assert!(
        read_only.contains("--read-only --tmpfs /tmp --volume /home/app "),
        "{read_only}"
    );
}

#[test]
fn every_check_passes_and_everything_created_is_removed() {
    let _serial = serial();
    let dir = project(&[]);
    let engine = Fake::new(Some(200), |_| None);
    let mut events = Vec::new();
    let report = verify(&options(dir.path()), &engine, &mut |e| {
        events.push(match e {
            Event::Started(name) => format!("start {name}"),
            Event::Finished(c) => format!("end {}", c.name),
        })
    })
    .unwrap();
    assert!(report.passed(), "{report:#?}");
    assert_eq!(report.checks.len(), 8);
    assert_eq!(
        check(&report, "read-only-source").summary,
        "the app user cannot change its code (/app ./app.py)"
    );
    assert_eq!(events[..2], ["start build", "end build"]);
    assert_eq!(check(&report, "drivers").summary, "imports psycopg2");
    assert!(
        check(&report, "serve")
            .summary
            .starts_with("GET /healthz answered 200")
    );
    assert!(
        check(&report, "cache")
            .summary
            .contains("1 dependency step(s) came from the cache")
    );
    let calls = engine.calls();
    let build = calls.iter().find(|c| c.starts_with("build")).unwrap();
    assert!(build.contains(
        "--format docker --build-arg PYTHON_VERSION=3.11 -t localhost/flaskdock-verify-"
    ));
    assert!(!build.contains("--no-cache"));
    // The container got the example's env with its placeholder filled, from
    // a scratch file, never the project's.
    let run = calls.iter().find(|c| c.starts_with("run -d")).unwrap();
    assert!(run.contains("--read-only --tmpfs /tmp --volume /home/app --env-file "));
    assert!(!run.contains(&dir.path().display().to_string()));
    // Removed at the end: the container, then the image.
    let last: Vec<&String> = calls.iter().rev().take(4).collect();
    assert!(
        last.iter()
            .any(|c| c.starts_with("rm -f -v flaskdock-verify-")),
        "{calls:#?}"
    );
    assert!(
        last.iter()
            .any(|c| c.starts_with("rmi -f localhost/flaskdock-verify-")),
        "{calls:#?}"
    );
    assert!(
        !dir.path().join(".env").exists(),
        "nothing written into the project"
    );
}

#[test]
fn a_failed_build_skips_the_rest_with_its_last_lines_and_log() {
    let _serial = serial();
    let dir = project(&[]);
    let engine = Fake::new(None, |call| {
        call.starts_with("build").then(|| {
            failed("STEP 3/9: RUN pip install\nERROR: No matching distribution found for flsk\n")
        })
    });
    let report = verify(&options(dir.path()), &engine, &mut |_| {}).unwrap();
    let build = check(&report, "build");
    assert_eq!(build.status, Status::Failed);
    assert!(
        build
            .evidence
            .iter()
            .any(|l| l.contains("No matching distribution"))
    );
    assert!(build.evidence.last().unwrap().starts_with("full log: "));
    assert!(
        report.checks[1..]
            .iter()
            .all(|c| c.status == Status::Skipped && c.summary == "the image did not build")
    );
    assert!(!engine.called("run "), "nothing ran after the failed build");
}

#[test]
fn root_a_compiler_and_a_missing_variable_fail_with_their_cause() {
    let _serial = serial();
    let dir = project(&[]);
    let engine = Fake::new(None, |call| match call {
        c if c.starts_with("run --rm --entrypoint id") => Some(ok("0\n")),
        c if c.starts_with("run --rm --entrypoint sh") && c.contains("command -v") => {
            Some(ok("/usr/bin/gcc\n"))
        }
        c if c.starts_with("run --rm --entrypoint sh") && c.contains("-k .") => {
            Some(ok("module ./app.py\n"))
        }
        c if c.starts_with("logs") => Some(ok(
            "Traceback (most recent call last):\n  File \"/app/app.py\", line 4\nKeyError: 'API_TOKEN'\n",
        )),
        c if c.starts_with("inspect --format") => Some(ok("false\n")),
        _ => None,
    });
    let report = verify(&options(dir.path()), &engine, &mut |_| {}).unwrap();
    assert!(!report.passed());
    assert_eq!(
        check(&report, "non-root").summary,
        "the container runs as root (uid 0)"
    );
    assert_eq!(
        check(&report, "no-compiler").summary,
        "a compiler is in the runtime image: /usr/bin/gcc"
    );
    assert_eq!(
        check(&report, "read-only-source").summary,
        "the app user can change its own code (./app.py): copy the source without --chown"
    );
    let serve = check(&report, "serve");
    assert_eq!(serve.status, Status::Failed);
    assert!(
        serve
            .cause
            .as_deref()
            .unwrap()
            .starts_with("the code reads API_TOKEN when it starts"),
        "{serve:#?}"
    );
    assert_eq!(serve.evidence[0], "Traceback (most recent call last):");
}

#[test]
fn env_values_are_looked_for_in_the_image() {
    let _serial = serial();
    let dir = project(&[(".env", "SECRET_KEY=0123456789abcdef\nPORT=8000\n")]);
    let engine = Fake::new(Some(200), |_| None);
    let report = verify(&options(dir.path()), &engine, &mut |_| {}).unwrap();
    let scan = engine
        .calls()
        .into_iter()
        .find(|c| c.starts_with("save localhost/flaskdock-verify-"));
    assert_eq!(
        scan.unwrap().rsplit(' ').next(),
        Some("[0123456789abcdef]"),
        "short values are not looked for"
    );
    assert_eq!(status_of(&report, "no-secrets"), Status::Passed);
    // The user's own .env is what the container gets, as a literal env
    // file in the scratch folder, never the project's path.
    let run = engine
        .calls()
        .into_iter()
        .find(|c| c.starts_with("run -d"))
        .unwrap();
    assert!(
        !run.contains(&dir.path().canonicalize().unwrap().display().to_string()),
        "{run}"
    );
}

#[test]
fn a_compose_app_is_served_through_its_stack_and_the_stack_is_taken_down() {
    let _serial = serial();
    let compose = "services:\n  web:\n    build: .\n  db:\n    image: postgres:17\n  redis:\n    image: redis:7\n";
    let dir = project(&[("docker-compose.yml", compose)]);
    let engine = Fake::new(Some(200), |_| None);
    let report = verify(&options(dir.path()), &engine, &mut |_| {}).unwrap();
    let serve = check(&report, "serve");
    assert_eq!(serve.status, Status::Passed, "{serve:#?}");
    assert!(serve.summary.contains("through compose with db, redis"));
    assert!(
        serve.summary.contains("every service healthy"),
        "{}",
        serve.summary
    );
    let calls = engine.calls();
    let build = calls.iter().find(|c| c.contains(" build ")).unwrap();
    assert!(
        build.ends_with(" build --build-arg PYTHON_VERSION=3.11"),
        "{build}"
    );
    assert!(calls.iter().any(|c| c.ends_with(" up -d --no-build")));
    // podman has no healthcheck scheduler here: verify ran them.
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("ps --format {{.Names}} --filter name=flaskdock-verify-"))
    );
    let down = calls
        .iter()
        .position(|c| c.contains(" down --volumes --remove-orphans --rmi local"));
    assert!(down.is_some(), "{calls:#?}");
    assert!(
        !dir.path().join(".env").exists(),
        "the stack's .env is in the scratch copy"
    );
}

#[test]
fn a_compose_app_without_a_compose_command_is_skipped() {
    let _serial = serial();
    struct NoCompose(Fake);
    impl Engine for NoCompose {
        fn name(&self) -> &str {
            self.0.name()
        }
        fn run(&self, args: &[String], timeout: Duration) -> Result<Output> {
            self.0.run(args, timeout)
        }
        fn compose(&self, _: &Path, _: &[String], _: Duration) -> Option<Result<Output>> {
            None
        }
        fn scan(
            &self,
            args: &[String],
            needles: &[String],
            timeout: Duration,
        ) -> Result<Vec<usize>> {
            self.0.scan(args, needles, timeout)
        }
        fn kustomize(&self, dir: &Path, timeout: Duration) -> Option<Result<Output>> {
            self.0.kustomize(dir, timeout)
        }
    }
    let compose = "services:\n  web:\n    build: .\n  db:\n    image: postgres:17\n";
    let dir = project(&[("docker-compose.yml", compose)]);
    let engine = NoCompose(Fake::new(None, |_| None));
    let report = verify(&options(dir.path()), &engine, &mut |_| {}).unwrap();
    assert_eq!(status_of(&report, "serve"), Status::Skipped);
    assert!(
        check(&report, "serve")
            .summary
            .contains("no compose command answers")
    );
}

#[test]
fn a_base_image_is_tagged_for_the_run_and_untagged_after() {
    let _serial = serial();
    let dir = project(&[]);
    let mut opts = options(dir.path());
    opts.base_images = vec![("python:3.12-slim".into(), "localhost/standin".into())];
    let engine = Fake::new(Some(302), |_| None);
    let report = verify(&opts, &engine, &mut |_| {}).unwrap();
    assert!(report.passed());
    assert!(engine.called("tag localhost/standin docker.io/library/python:3.12-slim"));
    assert!(engine.called("rmi -f docker.io/library/python:3.12-slim"));
    // A missing local image is bad input.
    let engine = Fake::new(None, |call| {
        call.starts_with("tag").then(|| failed("image not known"))
    });
    let err = verify(&opts, &engine, &mut |_| {}).unwrap_err().to_string();
    assert!(
        err.contains("the engine has no image `localhost/standin`"),
        "{err}"
    );
}

#[test]
fn a_folder_without_a_dockerfile_is_bad_input() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let engine = Fake::new(None, |_| None);
    let err = verify(&options(dir.path()), &engine, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("run `flaskdock init` there first"), "{err}");
    assert!(engine.calls().is_empty());
}

#[test]
fn ctrl_c_skips_the_rest_removes_what_was_created_and_says_interrupted() {
    let _serial = serial();
    let dir = project(&[]);
    let engine = Fake::new(None, |call| {
        call.starts_with("build").then(|| {
            // Ctrl-C arrives while the build runs; the engine command is stopped.
            assert!(request_stop(), "a run is in progress");
            Output {
                timed_out: true,
                ..failed("")
            }
        })
    });
    let err = verify(&options(dir.path()), &engine, &mut |_| {}).unwrap_err();
    assert!(err.is::<crate::prompt::Interrupted>(), "{err}");
    assert!(!engine.called("run "), "nothing ran after Ctrl-C");
    assert!(engine.called("rmi -f localhost/flaskdock-verify-"));
    assert!(!request_stop(), "no run in progress after it");
}

#[test]
fn an_env_file_in_the_image_fails_and_an_image_without_a_shell_is_not_looked_into() {
    let _serial = serial();
    let dir = project(&[]);
    let engine = Fake::new(Some(200), |call| {
        (call.starts_with("run --rm --entrypoint sh") && call.contains(".env"))
            .then(|| ok("found in /app\n"))
    });
    let report = verify(&options(dir.path()), &engine, &mut |_| {}).unwrap();
    assert_eq!(
        check(&report, "no-secrets").summary,
        "`.env` is in the image (in /app): list it in .dockerignore"
    );
    let engine = Fake::new(Some(200), |call| {
        call.starts_with("run --rm --entrypoint sh")
            .then(|| failed("exec: \"sh\": executable file not found in $PATH"))
    });
    let report = verify(&options(dir.path()), &engine, &mut |_| {}).unwrap();
    for name in ["no-compiler", "no-secrets"] {
        assert_eq!(status_of(&report, name), Status::Skipped, "{name}");
    }
    assert!(check(&report, "no-compiler").evidence[0].contains("executable file not found"));
}

#[test]
fn a_volume_the_app_user_cannot_write_fails_read_only_source() {
    let _serial = serial();
    let dockerfile =
        "FROM python:3.12-slim\nVOLUME [\"/app/instance\", \"/app/uploads\"]\nEXPOSE 8000\n";
    let dir = project(&[("Dockerfile", dockerfile)]);
    // The folders reach the probe as its arguments, after its script.
    let engine = Fake::new(Some(200), |call| {
        (call.starts_with("run --rm --entrypoint sh") && call.contains("-k ."))
            .then(|| ok("volume /app/uploads\n"))
    });
    let report = verify(&options(dir.path()), &engine, &mut |_| {}).unwrap();
    let found = check(&report, "read-only-source");
    assert_eq!(found.status, Status::Failed);
    assert!(
        found
            .summary
            .starts_with("the app user cannot write /app/uploads"),
        "{}",
        found.summary
    );
    let calls = engine.calls();
    let probe = calls.iter().find(|c| c.contains("-k .")).unwrap();
    assert!(probe.ends_with(" sh /app/instance /app/uploads"), "{probe}");

    // Both writable: the summary names them.
    let engine = Fake::new(Some(200), |_| None);
    let report = verify(&options(dir.path()), &engine, &mut |_| {}).unwrap();
    assert_eq!(
        check(&report, "read-only-source").summary,
        "the app user cannot change its code (/app ./app.py) and writes in /app/instance, /app/uploads"
    );
}

#[test]
fn a_service_that_never_passes_its_healthcheck_fails_serve() {
    let _serial = serial();
    let compose = "services:\n  web:\n    build: .\n  worker:\n    build: .\n";
    let dir = project(&[("docker-compose.yml", compose)]);
    let engine = Fake::new(Some(200), |call| {
        if call.starts_with("ps --format") {
            let stack = call.rsplit("name=").next().unwrap();
            // Another run's stack whose name starts with this one's is not ours.
            return Some(ok(&format!(
                "{stack}-web-1\n{stack}-worker-1\n{stack}9-db-1\n"
            )));
        }
        (call.starts_with("healthcheck run") && call.contains("-worker-"))
            .then(|| failed("Error: unhealthy\n"))
    });
    let report = verify(&options(dir.path()), &engine, &mut |_| {}).unwrap();
    let serve = check(&report, "serve");
    assert_eq!(serve.status, Status::Failed);
    assert!(
        serve.summary.contains("but flaskdock-verify-")
            && serve
                .summary
                .contains("-worker-1 never passed its healthcheck"),
        "{}",
        serve.summary
    );
    assert!(
        serve.evidence[0].ends_with("-worker-1: Error: unhealthy"),
        "{:?}",
        serve.evidence
    );
    assert!(
        !engine
            .calls()
            .iter()
            .any(|c| c.starts_with("healthcheck run") && c.contains("9-db-1")),
        "another stack's container was checked"
    );
}

/// An overlay as `kubectl kustomize` renders it: PostgreSQL, a migration
/// Job, a worker and the web Deployment.
const RENDERED: &str = "\
apiVersion: v1
kind: Secret
metadata: {name: secrets-1}
data: {SECRET_KEY: YWJj}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      containers:
        - {name: db, image: postgres:17, readinessProbe: {exec: {command: [pg_isready]}}}
  volumeClaimTemplates:
    - metadata: {name: data}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      containers:
        - {name: migrate, image: app:dev}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec:
  template:
    spec:
      containers:
        - {name: worker, image: app:dev}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: web
          image: app:dev
          envFrom: [{secretRef: {name: secrets-1}}]
          readinessProbe: {httpGet: {path: /healthz, port: 8000}}
      volumes:
        - {name: tmp, emptyDir: {}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
";

/// A project with the dev overlay `init --kubernetes` writes.
fn kube_project() -> tempfile::TempDir {
    let dir = project(&[]);
    let overlay = dir.path().join("k8s/overlays/dev");
    std::fs::create_dir_all(&overlay).unwrap();
    std::fs::write(overlay.join("kustomization.yaml"), "resources: []\n").unwrap();
    std::fs::write(
        overlay.join("secrets.env.example"),
        "SECRET_KEY=replace-with-a-long-random-string\n",
    )
    .unwrap();
    dir
}

/// The engine's answers to a kube play that goes well; `migrated` is what
/// `podman wait` says of the migration pod.
fn kube_answers(call: &str, migrated: &'static str) -> Option<Output> {
    match call {
        "kustomize" => Some(ok(RENDERED)),
        c if c.starts_with("pod exists") || c.starts_with("volume exists") => {
            Some(failed("no such"))
        }
        c if c.starts_with("container exists") => {
            // podman 4.3's names: a Deployment's pod is NAME-pod-0.
            let known = [
                "db-db",
                "migrate-migrate",
                "worker-pod-0-worker",
                "web-pod-0-web",
            ];
            Some(if known.iter().any(|k| c.ends_with(k)) {
                ok("")
            } else {
                failed("no such container")
            })
        }
        c if c.starts_with("wait ") => Some(ok(migrated)),
        c if c.starts_with("inspect --format {{.State.Status}}") => Some(ok("running\n")),
        c if c.starts_with("exec web-pod-0-web id -u") => Some(ok("10001\n")),
        _ => None,
    }
}

#[test]
fn kubernetes_plays_the_overlay_in_order_and_takes_it_all_down() {
    let _serial = serial();
    let dir = kube_project();
    let engine = Fake::new(Some(200), |c| kube_answers(c, "0\n"));
    let mut options = options(dir.path());
    options.kubernetes = true;
    let report = verify(&options, &engine, &mut |_| {}).unwrap();
    let kube = check(&report, "kubernetes");
    assert_eq!(kube.status, Status::Passed, "{kube:#?}");
    assert_eq!(
        kube.summary,
        "podman kube play: db ready; migrate completed; worker running; web ready as uid 10001 on a read-only root"
    );
    assert!(
        kube.evidence
            .iter()
            .any(|e| e == "left to a cluster: Service web")
    );
    let calls = engine.calls();
    let position = |prefix: &str| {
        calls
            .iter()
            .position(|c| c.starts_with(prefix) || c.contains(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` in {calls:#?}"))
    };
    let parts = ["services", "migrate", "processes", "web"];
    let played: Vec<usize> = parts
        .iter()
        .map(|part| {
            let file = format!("kube-{part}.yaml");
            calls
                .iter()
                .position(|c| c.starts_with("kube play --network ") && c.ends_with(&file))
                .unwrap_or_else(|| panic!("{file} not played: {calls:#?}"))
        })
        .collect();
    assert!(played.windows(2).all(|w| w[0] < w[1]), "{calls:#?}");
    // The services were ready before the Job ran, the Job done before the web.
    assert!(position("exec db-db pg_isready") < position("kube-migrate.yaml"));
    assert!(position("wait migrate-migrate") < position("kube-web.yaml"));
    // The web's httpGet probe, asked inside its container.
    let probe = &calls[position("exec web-pod-0-web python -c")];
    assert!(probe.ends_with("/healthz 8000"), "{probe}");
    // Everything played is taken down, the last first, with its volumes.
    let downs: Vec<&String> = calls
        .iter()
        .filter(|c| c.starts_with("kube down"))
        .collect();
    assert_eq!(downs.len(), 4);
    assert!(downs[0].ends_with("kube-web.yaml"));
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("volume rm -f flaskdock-verify-") && c.ends_with("-db-data"))
    );
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("volume rm -f flaskdock-verify-") && c.ends_with("-web-tmp"))
    );
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("network rm -f flaskdock-verify-"))
    );
    assert!(!dir.path().join("k8s/overlays/dev/secrets.env").exists());
}

#[test]
fn kubernetes_fails_with_the_migration_pods_exit_and_still_cleans_up() {
    let _serial = serial();
    let dir = kube_project();
    let engine = Fake::new(Some(200), |c| match c {
        c if c.starts_with("logs migrate-migrate") => Some(ok(
            "Traceback (most recent call last):\nsqlalchemy.exc.OperationalError: could not connect\n",
        )),
        c => kube_answers(c, "1\n"),
    });
    let mut options = options(dir.path());
    options.kubernetes = true;
    let report = verify(&options, &engine, &mut |_| {}).unwrap();
    let kube = check(&report, "kubernetes");
    assert_eq!(kube.status, Status::Failed);
    assert_eq!(kube.summary, "the migrate Job's pod ended with `1`");
    assert!(kube.evidence.iter().any(|e| e.contains("OperationalError")));
    let calls = engine.calls();
    assert!(
        !calls
            .iter()
            .any(|c| c.contains("kube-web.yaml") && c.starts_with("kube play"))
    );
    assert_eq!(
        calls.iter().filter(|c| c.starts_with("kube down")).count(),
        2
    );
}

#[test]
fn kubernetes_refuses_a_taken_pod_name_and_a_project_without_an_overlay() {
    let _serial = serial();
    let dir = kube_project();
    let engine = Fake::new(Some(200), |c| match c {
        "pod exists db" => Some(ok("")),
        c => kube_answers(c, "0\n"),
    });
    let mut options = options(dir.path());
    options.kubernetes = true;
    let report = verify(&options, &engine, &mut |_| {}).unwrap();
    let kube = check(&report, "kubernetes");
    assert_eq!(kube.status, Status::Failed);
    assert!(
        kube.summary
            .starts_with("a pod named db is already on podman"),
        "{}",
        kube.summary
    );
    assert!(!engine.called("kube play"));
    assert!(
        !engine.called("kube down"),
        "another run's pods are left alone"
    );

    let bare = project(&[]);
    let mut options = options.clone();
    options.path = bare.path().to_path_buf();
    let err = verify(&options, &engine, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no k8s/overlays/dev/kustomization.yaml"),
        "{err}"
    );
}
