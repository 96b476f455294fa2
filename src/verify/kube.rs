//! `verify --kubernetes`: the dev overlay `flaskdock init --kubernetes`
//! wrote, rendered (kubectl kustomize) from a scratch copy with its own
//! `secrets.env`, and played by `podman kube play` with the image `verify`
//! built: the services' pods until their readiness commands pass, the
//! migration Job's pod to completion, the background processes, then the web
//! Deployment, which must pass its readinessProbe as a non-root user with a
//! read-only root filesystem. Kinds podman does not run are listed as left
//! to a cluster.

use std::time::{Duration, Instant};

use anyhow::Result;

use super::manifests::{self, Play, Workload};
use super::stop::stopping;
use super::{Created, Found, Run, args, project};

/// How long the services (a database's first start) may take to be ready.
const SERVICES_READY: Duration = Duration::from_secs(180);
/// How long the migration Job's pod may run.
const MIGRATE: Duration = Duration::from_secs(300);

impl Run<'_> {
    pub(super) fn kubernetes(&mut self, created: &mut Created) -> Result<Found> {
        if self.engine.name() != "podman" {
            return Ok(Found::skipped(format!(
                "the manifests are played by `podman kube play` and the engine is {}: run with --engine podman",
                self.engine.name()
            )));
        }
        let copy = self.scratch.join("k8s");
        crate::write::scratch::copy_project(&self.target.dir.join("k8s"), &copy, &[])?;
        let overlay = copy.join("overlays").join("dev");
        let mut evidence = Vec::new();
        if !overlay.join("secrets.env").is_file() {
            let example =
                crate::inspect::read_text(&overlay.join("secrets.env.example")).unwrap_or_default();
            crate::write::scratch::file(&overlay, "secrets.env", &project::filled(&example))?;
            evidence.push("secrets.env: made from secrets.env.example, placeholders filled".into());
        }
        let Some(rendered) = self.engine.kustomize(&overlay, Duration::from_secs(120)) else {
            return Ok(Found::skipped(
                "neither kubectl nor kustomize is installed: install kubectl to render k8s/overlays/dev",
            ));
        };
        let rendered = rendered?;
        if !rendered.success {
            return Ok(Found::failed("kustomize could not render k8s/overlays/dev")
                .with_evidence(rendered.tail(10)));
        }
        let prefix = format!(
            "flaskdock-verify-{}-{}",
            self.target.slug,
            std::process::id()
        );
        let play = manifests::split(&rendered.stdout, &prefix, self.image)?;
        if let Some(taken) = self.pod_taken(&play) {
            return Ok(Found::failed(format!(
                "a pod named {taken} is already on podman (another run, or one of your own): remove it (`podman pod rm -f {taken}`) and run again"
            )));
        }
        evidence.extend(play.changes.iter().map(|c| format!("changed: {c}")));
        if !play.left.is_empty() {
            evidence.push(format!("left to a cluster: {}", play.left.join(", ")));
        }
        let network = format!("{prefix}-kube");
        let made = self.engine.run(
            &args(&["network", "create", &network]),
            Duration::from_secs(60),
        )?;
        if !made.success {
            return Ok(
                Found::failed(format!("podman cannot create the network {network}"))
                    .with_evidence(made.tail(5)),
            );
        }
        created.networks.push(network.clone());
        created.volumes.extend(play.volumes.iter().cloned());
        // A ConfigMap's volume that is already there is not this run's.
        for volume in &play.config_volumes {
            let there = self
                .engine
                .run(
                    &args(&["volume", "exists", volume]),
                    Duration::from_secs(30),
                )
                .is_ok_and(|o| o.success);
            if !there {
                created.volumes.push(volume.clone());
            }
        }
        let mut steps = Vec::new();
        let mut found = self.play_parts(&play, &network, created, &mut steps)?;
        evidence.append(&mut steps);
        evidence.append(&mut found.evidence);
        found.evidence = evidence;
        Ok(found)
    }

    /// Plays each part in order and waits for what it must show.
    fn play_parts(
        &self,
        play: &Play,
        network: &str,
        created: &mut Created,
        steps: &mut Vec<String>,
    ) -> Result<Found> {
        for (part, text) in &play.files {
            let file =
                crate::write::scratch::file(self.scratch, &format!("kube-{part}.yaml"), text)?;
            created.kube_files.push(file.clone());
            let file = file.display().to_string();
            let played = self.engine.run(
                &args(&["kube", "play", "--network", network, &file]),
                Duration::from_secs(300),
            )?;
            if !played.success {
                return Ok(
                    Found::failed(format!("podman kube play {part}.yaml failed"))
                        .with_evidence(played.tail(10)),
                );
            }
            let workloads: Vec<&Workload> = match *part {
                "services" => play.services.iter().collect(),
                "migrate" => play.migrate.iter().collect(),
                "web" => play.web.iter().collect(),
                _ => Vec::new(),
            };
            for workload in workloads {
                let step = match *part {
                    "migrate" => self.completed(workload),
                    "web" => self.ready(workload, self.options.serve_timeout),
                    _ => self.ready(workload, SERVICES_READY),
                };
                match step {
                    Ok(line) => steps.push(line),
                    Err(failed) => return Ok(failed),
                }
                if stopping() {
                    return Ok(Found::skipped("interrupted"));
                }
            }
        }
        for workload in &play.processes {
            match self.still_running(workload) {
                Ok(line) => steps.push(line),
                Err(failed) => return Ok(failed),
            }
        }
        let Some(web) = &play.web else {
            return Ok(Found::failed("the dev overlay has no web Deployment"));
        };
        self.web_locked_down(play, web)
    }

    /// The first pod name podman would give a workload that is already taken.
    fn pod_taken(&self, play: &Play) -> Option<String> {
        let all = play
            .services
            .iter()
            .chain(&play.migrate)
            .chain(&play.processes)
            .chain(&play.web);
        all.flat_map(Workload::pod_names).find(|pod| {
            self.engine
                .run(&args(&["pod", "exists", pod]), Duration::from_secs(30))
                .is_ok_and(|o| o.success)
        })
    }

    /// The engine's name of the workload's container, once it exists; the
    /// failed check when it never does.
    fn container_of(&self, workload: &Workload) -> Result<String, Found> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline && !stopping() {
            let found = workload.container_names().into_iter().find(|name| {
                self.engine
                    .run(
                        &args(&["container", "exists", name]),
                        Duration::from_secs(30),
                    )
                    .is_ok_and(|o| o.success)
            });
            if let Some(found) = found {
                return Ok(found);
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        Err(Found::failed(format!(
            "kube play started no container for {}",
            workload.name
        )))
    }

    /// The workload's readiness command passes inside it within `bound`.
    fn ready(&self, workload: &Workload, bound: Duration) -> Result<String, Found> {
        let name = &workload.name;
        let container = self.container_of(workload)?;
        let command = match (&workload.ready, name.as_str()) {
            (Some(command), _) => command.clone(),
            (None, "web") => {
                manifests::http_below_500(&self.target.health_path, u64::from(self.target.port))
            }
            (None, _) => return Ok(format!("{name}: started (it has no readinessProbe)")),
        };
        let mut exec = args(&["exec", &container]);
        exec.extend(command.iter().cloned());
        let start = Instant::now();
        while start.elapsed() < bound && !stopping() {
            let passed = self.engine.run(&exec, Duration::from_secs(10));
            if passed.is_ok_and(|o| o.success) {
                return Ok(format!(
                    "{name}: ready after {:.0} s ({})",
                    start.elapsed().as_secs_f64(),
                    shown(&command)
                ));
            }
            std::thread::sleep(Duration::from_secs(2));
        }
        Err(self.with_logs(
            Found::failed(format!(
                "{name} never passed its readiness command in {} s: {}",
                bound.as_secs(),
                shown(&command)
            )),
            &container,
        ))
    }

    /// The migration Job's pod ends with exit code 0.
    fn completed(&self, workload: &Workload) -> Result<String, Found> {
        let name = &workload.name;
        let container = self.container_of(workload)?;
        let waited = self
            .engine
            .run(&args(&["wait", &container]), MIGRATE)
            .map_err(|e| Found::failed(format!("{name}: {e:#}")))?;
        let code = waited.stdout.trim();
        if waited.success && code == "0" {
            return Ok(format!("{name}: the Job's pod completed"));
        }
        let ended = if waited.timed_out {
            format!("did not end within {} s", MIGRATE.as_secs())
        } else {
            format!("ended with `{}`", crate::safe::escaped(code))
        };
        Err(self.with_logs(
            Found::failed(format!("the {name} Job's pod {ended}")),
            &container,
        ))
    }

    /// A background process is still running once the web pod is ready.
    fn still_running(&self, workload: &Workload) -> Result<String, Found> {
        let name = &workload.name;
        let container = self.container_of(workload)?;
        let state = self.engine.run(
            &args(&["inspect", "--format", "{{.State.Status}}", &container]),
            Duration::from_secs(30),
        );
        match state {
            Ok(o) if o.stdout.trim() == "running" => Ok(format!("{name}: running")),
            Ok(o) => Err(self.with_logs(
                Found::failed(format!(
                    "the {name} Deployment's container is {}, not running",
                    crate::safe::escaped(o.stdout.trim())
                )),
                &container,
            )),
            Err(e) => Err(Found::failed(format!("{name}: {e:#}"))),
        }
    }

    /// The ready web container runs as a non-root user on a read-only root.
    fn web_locked_down(&self, play: &Play, web: &Workload) -> Result<Found> {
        let container = match self.container_of(web) {
            Ok(container) => container,
            Err(failed) => return Ok(failed),
        };
        let bound = Duration::from_secs(30);
        let uid = self
            .engine
            .run(&args(&["exec", &container, "id", "-u"]), bound)?;
        let uid = crate::safe::escaped(uid.stdout.trim()).into_owned();
        if uid == "0" || uid.parse::<u32>().is_err() {
            return Ok(Found::failed(format!(
                "the web pod runs as uid `{uid}`: its securityContext must set runAsUser to the image's user"
            )));
        }
        let read_only = self.engine.run(
            &args(&[
                "inspect",
                "--format",
                "{{.HostConfig.ReadonlyRootfs}}",
                &container,
            ]),
            bound,
        )?;
        let root = match (read_only.stdout.trim() == "true", self.target.read_only) {
            (true, _) => "a read-only root",
            // The app adds files beside its source: compose leaves its root writable too.
            (false, false) => "a writable root (the app adds files beside its source)",
            (false, true) => {
                return Ok(Found::failed(
                    "the web pod's root filesystem is writable: set readOnlyRootFilesystem: true",
                ));
            }
        };
        let names = |list: &[Workload]| {
            list.iter()
                .map(|w| w.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if !play.services.is_empty() {
            parts.push(format!("{} ready", names(&play.services)));
        }
        if !play.migrate.is_empty() {
            parts.push(format!("{} completed", names(&play.migrate)));
        }
        if !play.processes.is_empty() {
            parts.push(format!("{} running", names(&play.processes)));
        }
        parts.push(format!("web ready as uid {uid} on {root}"));
        Ok(Found::passed(format!(
            "podman kube play: {}",
            parts.join("; ")
        )))
    }

    /// `found`, with the container's last log lines (its traceback first).
    fn with_logs(&self, found: Found, container: &str) -> Found {
        let logs = self
            .engine
            .run(&args(&["logs", container]), Duration::from_secs(30))
            .map(|o| o.text)
            .unwrap_or_default();
        let mut evidence = found.evidence.clone();
        evidence.extend(super::diagnose::traceback_first(&logs, 15));
        found.with_evidence(evidence)
    }
}

/// A command as one escaped line.
fn shown(command: &[String]) -> String {
    let line = shell_words::join(command);
    let line = crate::safe::escaped(&line).into_owned();
    match line.char_indices().nth(100) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}
