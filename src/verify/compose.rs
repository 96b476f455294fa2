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
            return Ok(Found::passed(format!(
                "GET {path} answered {status} through compose with {services} after {:.1} s (env: {source})",
                start.elapsed().as_secs_f64()
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

    /// podman without systemd schedules no healthcheck: run each once.
    fn run_healthchecks(&self, stack: &str) {
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
        for name in listed.map(|o| o.stdout).unwrap_or_default().lines() {
            let _ = self.engine.run(
                &args(&["healthcheck", "run", name.trim()]),
                Duration::from_secs(30),
            );
        }
    }
}
