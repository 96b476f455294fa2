//! `flaskdock verify`: builds and runs what `flaskdock init` wrote for a
//! project, on the engine that answers, and reports each check with its
//! evidence. Nothing is written into the project: an env file made from
//! `.env.example` and the copy a source change is made in live in a scratch
//! folder; build logs in a kept folder under the system's temporary folder.
//! Everything the run creates on the engine is removed at the end, Ctrl-C
//! included.

mod compose;
mod diagnose;
mod engine;
mod http;
mod project;
mod serve;
mod text;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use serde::Serialize;

pub use engine::{CliEngine, Engine, Output};
use project::Target;
pub use text::{check_text, summary_text};

/// What `flaskdock verify` was asked.
#[derive(Debug, Clone)]
pub struct Options {
    pub path: PathBuf,
    /// Build without the engine's cache (`--cold`).
    pub cold: bool,
    /// Keep the image afterwards (`--keep`).
    pub keep: bool,
    /// `--build-arg KEY=VALUE`, passed to every build.
    pub build_args: Vec<(String, String)>,
    /// `--base-image IMAGE=LOCAL`: tag LOCAL as IMAGE for the run when the
    /// engine has no IMAGE (machines without a registry).
    pub base_images: Vec<(String, String)>,
    /// How long the app may take to answer once started.
    pub serve_timeout: Duration,
    /// How long one build may take.
    pub build_timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    Skipped,
}

/// One check: what it found, why it failed, and what it saw.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    /// One line: what was shown, or why it failed or was skipped.
    pub summary: String,
    /// The likely cause of a failure, in one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// Lines of evidence: a build's last lines, the app's log, the log's path.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    pub duration_ms: u64,
}

/// The checks of one run, in order.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub project: String,
    pub engine: String,
    pub image: String,
    /// Where the build logs are kept.
    pub logs: String,
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether no check failed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.status != Status::Failed)
    }
}

/// What `verify` tells its caller as it goes.
pub enum Event<'a> {
    Started(&'static str),
    Finished(&'a Check),
}

static STOP: AtomicBool = AtomicBool::new(false);
static RUNNING: AtomicBool = AtomicBool::new(false);

/// Asks a run in progress to stop: the engine command in hand is stopped and
/// everything created is removed. Returns false when no run is in progress.
pub fn request_stop() -> bool {
    STOP.store(true, Ordering::SeqCst);
    RUNNING.load(Ordering::SeqCst)
}

fn stopping() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// What one check found, before it is timed.
struct Found {
    status: Status,
    summary: String,
    cause: Option<String>,
    evidence: Vec<String>,
}

impl Found {
    fn passed(summary: impl Into<String>) -> Self {
        Self::of(Status::Passed, summary)
    }

    fn failed(summary: impl Into<String>) -> Self {
        Self::of(Status::Failed, summary)
    }

    fn skipped(summary: impl Into<String>) -> Self {
        Self::of(Status::Skipped, summary)
    }

    fn of(status: Status, summary: impl Into<String>) -> Self {
        Found {
            status,
            summary: summary.into(),
            cause: None,
            evidence: Vec::new(),
        }
    }

    fn with_evidence(mut self, evidence: Vec<String>) -> Self {
        self.evidence = evidence;
        self
    }
}

/// The engine's names for what the run created, removed when dropped.
struct Created<'a> {
    engine: &'a dyn Engine,
    containers: Vec<String>,
    images: Vec<String>,
    /// Compose projects brought up: (folder, project name).
    stacks: Vec<(PathBuf, String)>,
    /// Every image id the engine had when the run started; `None` keeps
    /// the new ones (`--keep`: the layers are the next build's cache).
    images_before: Option<BTreeSet<String>>,
}

impl Created<'_> {
    fn image_ids(&self) -> Option<BTreeSet<String>> {
        let listed = self
            .engine
            .run(&args(&["images", "-qa"]), Duration::from_secs(60))
            .ok()?;
        listed.success.then(|| {
            listed
                .stdout
                .lines()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect()
        })
    }
}

impl Drop for Created<'_> {
    fn drop(&mut self) {
        // Ctrl-C stops engine commands: let the removals run.
        STOP.store(false, Ordering::SeqCst);
        let bound = Duration::from_secs(60);
        for (dir, project) in &self.stacks {
            let down = args(&[
                "-p",
                project,
                "down",
                "--volumes",
                "--remove-orphans",
                "--rmi",
                "local",
            ]);
            let _ = self.engine.compose(dir, &down, Duration::from_secs(180));
        }
        for container in &self.containers {
            let _ = self
                .engine
                .run(&args(&["rm", "-f", "-v", container]), bound);
        }
        for image in self.images.iter().rev() {
            let _ = self.engine.run(&args(&["rmi", "-f", image]), bound);
        }
        // The stages and layers the builds left: a child goes before its
        // parent, so a few rounds.
        if let Some(before) = &self.images_before {
            for _ in 0..3 {
                let Some(now) = self.image_ids() else { break };
                let new: Vec<&String> = now.difference(before).collect();
                if new.is_empty() {
                    break;
                }
                for id in new {
                    let _ = self.engine.run(&args(&["rmi", "-f", id]), bound);
                }
            }
        }
        RUNNING.store(false, Ordering::SeqCst);
    }
}

/// `python:3.12-slim` -> `docker.io/library/python:3.12-slim`: the name a
/// `FROM` line resolves to (podman would file a bare tag under `localhost/`).
fn qualified(image: &str) -> String {
    let first = image.split('/').next().unwrap_or(image);
    let registry = image.contains('/') && (first.contains(['.', ':']) || first == "localhost");
    match (registry, image.contains('/')) {
        (true, _) => image.to_string(),
        (false, true) => format!("docker.io/{image}"),
        (false, false) => format!("docker.io/library/{image}"),
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| a.to_string()).collect()
}

/// One run of every check on the project at `options.path`.
pub fn verify(
    options: &Options,
    engine: &dyn Engine,
    progress: &mut dyn FnMut(Event),
) -> Result<Report> {
    let target = Target::read(&options.path)?;
    let logs = crate::write::scratch::kept_folder("flaskdock-verify-logs-")?;
    let scratch = crate::write::scratch::folder("flaskdock-verify-")?;
    let image = format!(
        "localhost/flaskdock-verify-{}:{}",
        target.slug,
        std::process::id()
    );
    STOP.store(false, Ordering::SeqCst);
    RUNNING.store(true, Ordering::SeqCst);
    let mut created = Created {
        engine,
        containers: Vec::new(),
        images: Vec::new(),
        stacks: Vec::new(),
        images_before: None,
    };
    if !options.keep {
        created.images_before = created.image_ids();
    }
    let mut run = Run {
        options,
        engine,
        target: &target,
        image: &image,
        logs: &logs,
        scratch: scratch.path(),
        checks: Vec::new(),
    };
    run.all(&mut created, progress)?;
    if options.keep {
        created.images.retain(|i| i != &image);
    }
    let checks = std::mem::take(&mut run.checks);
    drop(created);
    if stopping() {
        return Err(crate::prompt::Interrupted.into());
    }
    Ok(Report {
        project: target.dir.display().to_string(),
        engine: engine.name().to_string(),
        image,
        logs: logs.display().to_string(),
        checks,
    })
}

/// A check after the build.
type Step = fn(&mut Run, &mut Created) -> Result<Found>;

/// The state of one run.
struct Run<'a> {
    options: &'a Options,
    engine: &'a dyn Engine,
    target: &'a Target,
    image: &'a str,
    logs: &'a Path,
    scratch: &'a Path,
    checks: Vec<Check>,
}

impl Run<'_> {
    fn all(&mut self, created: &mut Created, progress: &mut dyn FnMut(Event)) -> Result<()> {
        self.map_base_images(created)?;
        created.images.push(self.image.to_string());
        let built = self.check("build", progress, |run| run.build())?;
        let steps: [(&'static str, Step); 6] = [
            ("non-root", |run, _| run.non_root()),
            ("no-compiler", |run, _| run.no_compiler()),
            ("no-secrets", |run, _| run.no_secrets()),
            ("drivers", |run, _| run.drivers()),
            ("serve", |run, created| run.serve(created)),
            ("cache", |run, _| run.cache()),
        ];
        for (name, step) in steps {
            if built != Status::Passed || stopping() {
                let why = if stopping() {
                    "interrupted"
                } else {
                    "the image did not build"
                };
                self.record(name, Found::skipped(why), Instant::now(), progress);
                continue;
            }
            self.check(name, progress, |run| step(run, created))?;
        }
        Ok(())
    }

    /// Runs one check, times it, records it and tells `progress`.
    fn check(
        &mut self,
        name: &'static str,
        progress: &mut dyn FnMut(Event),
        step: impl FnOnce(&mut Self) -> Result<Found>,
    ) -> Result<Status> {
        progress(Event::Started(name));
        let start = Instant::now();
        let found = match step(self) {
            Ok(found) => found,
            Err(err) => Found::failed(crate::safe::escaped(&format!("{err:#}")).into_owned()),
        };
        let status = found.status;
        self.record(name, found, start, progress);
        Ok(status)
    }

    fn record(
        &mut self,
        name: &'static str,
        found: Found,
        start: Instant,
        progress: &mut dyn FnMut(Event),
    ) {
        self.checks.push(Check {
            name,
            status: found.status,
            summary: found.summary,
            cause: found.cause,
            evidence: found.evidence,
            duration_ms: u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
        });
        progress(Event::Finished(self.checks.last().expect("just pushed")));
    }

    /// `--base-image IMAGE=LOCAL`: LOCAL tagged as IMAGE for the run, where
    /// the engine has no IMAGE of its own.
    fn map_base_images(&self, created: &mut Created) -> Result<()> {
        let bound = Duration::from_secs(60);
        for (image, local) in &self.options.base_images {
            let image = &qualified(image);
            if self
                .engine
                .run(&args(&["image", "inspect", image]), bound)?
                .success
            {
                continue;
            }
            let tagged = self.engine.run(&args(&["tag", local, image]), bound)?;
            if !tagged.success {
                anyhow::bail!(
                    "--base-image {image}={local}: the engine has no image `{local}` ({}); build or load it first",
                    tagged.text.trim()
                );
            }
            created.images.push(image.clone());
        }
        Ok(())
    }

    /// `build [--no-cache] -t IMAGE DIR` with the engine's flags.
    fn build_args(&self, dir: &Path, cold: bool) -> Vec<String> {
        let mut list = args(&["build"]);
        match self.engine.name() {
            // Docker's image format keeps HEALTHCHECK (OCI drops it).
            "podman" => list.extend(args(&["--format", "docker"])),
            _ => list.push("--progress=plain".into()),
        }
        if cold {
            list.push("--no-cache".into());
        }
        for (key, value) in &self.options.build_args {
            list.push("--build-arg".into());
            list.push(format!("{key}={value}"));
        }
        list.extend([
            "-t".into(),
            self.image.to_string(),
            dir.display().to_string(),
        ]);
        list
    }

    /// Builds `dir` into the run's image, its output kept as `logs/<log>`.
    fn build_into(&self, dir: &Path, cold: bool, log: &str) -> Result<(Output, PathBuf)> {
        let output = self
            .engine
            .run(&self.build_args(dir, cold), self.options.build_timeout)?;
        let path = crate::write::scratch::file(self.logs, log, &output.text)?;
        Ok((output, path))
    }

    fn build(&mut self) -> Result<Found> {
        let (output, log) = self.build_into(&self.target.dir, self.options.cold, "build.log")?;
        if output.success {
            return Ok(Found::passed(format!("built {}", self.image)));
        }
        let mut evidence = output.tail(20);
        evidence.push(format!("full log: {}", log.display()));
        let summary = if output.timed_out {
            format!(
                "the build did not finish within {} s",
                self.options.build_timeout.as_secs()
            )
        } else {
            "the image does not build".to_string()
        };
        Ok(Found::failed(summary).with_evidence(evidence))
    }

    /// `run --rm --entrypoint PROGRAM IMAGE ARGS...` in the image.
    fn in_image(&self, program: &str, rest: &[&str]) -> Result<Output> {
        let mut list = args(&["run", "--rm", "--entrypoint", program, self.image]);
        list.extend(args(rest));
        self.engine.run(&list, Duration::from_secs(120))
    }

    fn non_root(&mut self) -> Result<Found> {
        let output = self.in_image("id", &["-u"])?;
        let uid = output.stdout.trim();
        Ok(match uid.parse::<u32>() {
            Ok(0) => Found::failed("the container runs as root (uid 0)"),
            Ok(uid) => Found::passed(format!("runs as uid {uid}")),
            Err(_) => Found::failed(format!(
                "could not read the container's uid: {}",
                crate::safe::escaped(uid)
            )),
        })
    }

    fn no_compiler(&mut self) -> Result<Found> {
        let probe = "for c in gcc cc g++ c++ clang; do command -v $c; done; ls /usr/bin/*-gcc* 2>/dev/null; true";
        let output = self.in_image("sh", &["-c", probe])?;
        let found: Vec<String> = output
            .stdout
            .lines()
            .filter(|l| l.starts_with('/'))
            .map(str::to_string)
            .collect();
        Ok(match found.is_empty() {
            true => Found::passed("no C compiler in the runtime image"),
            false => Found::failed(format!(
                "a compiler is in the runtime image: {}",
                found.join(", ")
            )),
        })
    }

    fn no_secrets(&mut self) -> Result<Found> {
        let inside = self.in_image("sh", &["-c", "test -e .env && pwd"])?;
        if inside.success {
            return Ok(Found::failed(format!(
                "`.env` is in the image (in {}): list it in .dockerignore",
                crate::safe::escaped(inside.stdout.trim())
            )));
        }
        let secrets = self.target.secret_values();
        if secrets.is_empty() {
            return Ok(Found::passed(
                "no `.env` in the image (the project has no .env values to look for)",
            ));
        }
        let found = self.engine.scan(
            &args(&["save", self.image]),
            &secrets,
            self.options.build_timeout,
        )?;
        Ok(match found.is_empty() {
            true => Found::passed(format!(
                "no `.env` in the image, and none of the {} values of .env in any layer",
                secrets.len()
            )),
            false => Found::failed(format!(
                "{} value(s) of .env are in the image's layers: keep .env out of the build context (.dockerignore)",
                found.len()
            )),
        })
    }

    fn drivers(&mut self) -> Result<Found> {
        let modules = self.target.drivers.clone();
        if modules.is_empty() {
            return Ok(Found::skipped(
                "no compiled database driver among the dependencies",
            ));
        }
        let code = format!("import {}", modules.join(", "));
        let output = self.in_image("python", &["-c", &code])?;
        Ok(match output.success {
            true => Found::passed(format!("imports {}", modules.join(", "))),
            false => Found::failed(format!("`{code}` fails in the runtime image"))
                .with_evidence(output.tail(5)),
        })
    }
}

#[cfg(test)]
mod tests;
