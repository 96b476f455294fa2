//! The serve check of an app that runs with compose services: the stack is
//! brought up from a scratch copy of the project (with its own `.env`), the
//! healthchecks run where the engine has no scheduler (podman without
//! systemd), and the health path must answer through the published port.

use std::time::{Duration, Instant};

use anyhow::Result;

use super::stop::stopping;
use super::{COPY_SKIP, Created, Found, Run, args, http, project};

impl Run<'_> {
    pub(super) fn serve_with_compose(&mut self, created: &mut Created) -> Result<Found> {
        let services = self.target.services.join(", ");
        let stack = format!(
            "flaskdock-verify-{}-{}",
            self.target.slug,
            std::process::id()
        );
        let probe = self
            .engine
            .compose(self.scratch, &args(&["version"]), Duration::from_secs(30));
        if probe.is_none() {
            return Ok(Found::skipped(format!(
                "the app runs with compose services ({services}) and no compose command answers: install one (docker compose, podman-compose) or pass --compose"
            )));
        }
        let copy = self.scratch.join("compose");
        crate::write::scratch::copy_project(&self.target.dir, &copy, COPY_SKIP)?;
        let host_port =
            http::free_port().ok_or_else(|| anyhow::anyhow!("no free port on 127.0.0.1"))?;
        let (env, source) = self.target.env_text();
        let mut env: String = env
            .lines()
            .filter(|l| {
                !l.trim_start()
                    .trim_start_matches("export ")
                    .starts_with("WEB_PORT=")
            })
            .map(|l| format!("{l}\n"))
            .collect();
        env.push_str(&format!(
            "\n# flaskdock verify: the web service's host port\nWEB_PORT=127.0.0.1:{host_port}\n"
        ));
        crate::write::scratch::file(&copy, ".env", &env)?;
        created.stacks.push((copy.clone(), stack.clone()));

        let mut build = args(&["-p", &stack, "build"]);
        for (key, value) in &self.options.build_args {
            build.extend(["--build-arg".to_string(), format!("{key}={value}")]);
        }
        let built = self.compose_run(&copy, &build, self.options.build_timeout)?;
        let log = crate::write::scratch::file(self.logs, "compose-build.log", &built.text)?;
        if !built.success {
            return Ok(
                Found::failed(format!("the compose stack ({services}) does not build"))
                    .with_build_log(&built, 15, &log),
            );
        }
        let start = Instant::now();
        let status = self.up_until_served(&copy, &stack, host_port)?;
        let path = &self.target.health_path;
        if let Some(status) = status
            && status < 500
        {
            let answered = start.elapsed().as_secs_f64();
            let unhealthy = self.unhealthy_containers(&stack);
            if !unhealthy.is_empty() {
                let names: Vec<&str> = unhealthy.iter().map(|(name, _)| name.as_str()).collect();
                return Ok(Found::failed(format!(
                    "GET {path} answered {status} through compose, but {} never passed its healthcheck (env: {source})",
                    names.join(", ")
                ))
                .with_evidence(
                    unhealthy
                        .iter()
                        .map(|(name, said)| format!("{name}: {said}"))
                        .collect(),
                ));
            }
            return Ok(Found::passed(format!(
                "GET {path} answered {status} through compose with {services} after {answered:.1} s, every service healthy (env: {source})"
            )));
        }
        let logs = self
            .compose_run(
                &copy,
                &args(&["-p", &stack, "logs", "--no-color", "--tail", "80", "web"]),
                Duration::from_secs(60),
            )?
            .text;
        let summary = match status {
            Some(status) => format!("GET {path} answered {status} through compose (env: {source})"),
            None => format!(
                "GET {path} got no answer through compose with {services} within {} s (env: {source})",
                self.options.serve_timeout.as_secs()
            ),
        };
        Ok(self.app_failed(summary, &logs, &project::names_set(&env)))
    }

    fn compose_run(
        &self,
        dir: &std::path::Path,
        list: &[String],
        timeout: Duration,
    ) -> Result<super::Output> {
        self.engine
            .compose(dir, list, timeout)
            .unwrap_or_else(|| Err(anyhow::anyhow!("no compose command")))
    }

    /// `up -d` in the background (it waits for healthy services), running
    /// the healthchecks on podman, until the health path answers below 500,
    /// `up` fails, the serve bound passes after `up` returned, or the whole
    /// bound passes; the last status seen.
    fn up_until_served(
        &self,
        dir: &std::path::Path,
        stack: &str,
        host_port: u16,
    ) -> Result<Option<u16>> {
        let bound = self.options.serve_timeout + Duration::from_secs(120);
        let deadline = Instant::now() + bound;
        std::thread::scope(|scope| {
            let (done, up) = std::sync::mpsc::channel();
            scope.spawn(move || {
                let up =
                    self.compose_run(dir, &args(&["-p", stack, "up", "-d", "--no-build"]), bound);
                let _ = done.send(up.is_ok_and(|o| o.success));
            });
            let (mut last, mut up_since) = (None, None);
            while Instant::now() < deadline && !stopping() {
                if self.engine.name() == "podman" {
                    self.run_healthchecks(stack);
                }
                last = http::status(host_port, &self.target.health_path, Duration::from_secs(3))
                    .or(last);
                if last.is_some_and(|s| s < 500) {
                    break;
                }
                match up.try_recv() {
                    Ok(false) => break, // compose gave up
                    Ok(true) => up_since = Some(Instant::now()),
                    Err(_) => {}
                }
                if up_since.is_some_and(|t: Instant| t.elapsed() > self.options.serve_timeout) {
                    break;
                }
                std::thread::sleep(Duration::from_secs(2));
            }
            Ok(last)
        })
    }

    /// The running containers of the stack (a one-shot `migrate` that has
    /// finished is not among them). The engine's name filter matches a part
    /// of the name, so only `<stack>-…` (compose v2) and `<stack>_…`
    /// (podman-compose) are kept: another run's stack `<stack>9` is not ours.
    fn stack_containers(&self, stack: &str) -> Vec<String> {
        let listed = self.engine.run(
            &args(&[
                "ps",
                "--format",
                "{{.Names}}",
                "--filter",
                &format!("name={stack}"),
            ]),
            Duration::from_secs(30),
        );
        let names = listed.map(|o| o.stdout).unwrap_or_default();
        names
            .lines()
            .map(str::trim)
            .filter(|name| {
                name.strip_prefix(stack)
                    .is_some_and(|rest| rest.starts_with(['-', '_']))
            })
            .map(str::to_string)
            .collect()
    }

    /// podman without systemd schedules no healthcheck: run each once.
    fn run_healthchecks(&self, stack: &str) {
        for name in self.stack_containers(stack) {
            let _ = self.engine.run(
                &args(&["healthcheck", "run", &name]),
                Duration::from_secs(30),
            );
        }
    }

    /// The containers of the stack whose healthcheck does not pass within
    /// the bound (podman: run by verify; Docker: its own schedule), each
    /// with the engine's last word on it. A container without one passes.
    fn unhealthy_containers(&self, stack: &str) -> Vec<(String, String)> {
        let deadline = Instant::now() + HEALTHY_WITHIN.min(self.options.serve_timeout);
        let mut waiting = self.stack_containers(stack);
        let mut last: Vec<(String, String)> = Vec::new();
        while !waiting.is_empty() && !stopping() {
            last.clear();
            for name in std::mem::take(&mut waiting) {
                match self.health_of(&name) {
                    Ok(()) => {}
                    Err(said) => {
                        last.push((name.clone(), said));
                        waiting.push(name);
                    }
                }
            }
            if waiting.is_empty() || Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(Duration::from_secs(3));
        }
        last.into_iter()
            .map(|(name, said)| {
                let name = crate::safe::escaped(&name).into_owned();
                (name, crate::safe::escaped(said.trim()).into_owned())
            })
            .collect()
    }

    /// One look at a container's health: `Ok` when healthy or when it has
    /// no healthcheck; else what the engine said.
    fn health_of(&self, name: &str) -> Result<(), String> {
        let bound = Duration::from_secs(30);
        if self.engine.name() == "podman" {
            let ran = self
                .engine
                .run(&args(&["healthcheck", "run", name]), bound)
                .map_err(|err| err.to_string())?;
            return match ran.success || ran.text.contains("no defined healthcheck") {
                true => Ok(()),
                false => Err(ran.tail(3).join(" ")),
            };
        }
        let format = "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}";
        let inspected = self
            .engine
            .run(&args(&["inspect", "--format", format, name]), bound)
            .map_err(|err| err.to_string())?;
        match inspected.stdout.trim() {
            "healthy" | "none" => Ok(()),
            other => Err(format!("health {other}")),
        }
    }
}

/// How long the stack's services may take to be healthy once web answers
/// (at most the serve bound).
const HEALTHY_WITHIN: Duration = Duration::from_secs(60);
