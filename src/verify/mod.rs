//! `flaskdock verify`: builds and runs what `flaskdock init` wrote for a
//! project, on the engine that answers, and reports each check with its
//! evidence. Nothing is written into the project: an env file made from
//! `.env.example` and the copy a source change is made in live in a scratch
//! folder; build logs in a kept folder under the system's temporary folder.
//! Everything the run creates on the engine is removed at the end, Ctrl-C
//! included.

mod checks;
mod compose;
mod diagnose;
mod engine;
mod http;
mod kube;
mod manifests;
mod project;
mod report;
mod serve;
mod stop;
mod text;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;

pub use engine::{CliEngine, Engine, Output};
use project::Target;
pub use report::{Check, Event, Report, Status};
pub use stop::request_stop;
use stop::stopping;
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
    /// Play the dev overlay of `k8s/` with `podman kube play` (`--kubernetes`).
    pub kubernetes: bool,
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

    /// A failed build's evidence: its last `lines` lines and where its full log is.
    fn with_build_log(mut self, output: &Output, lines: usize, log: &Path) -> Self {
        let mut evidence = output.tail(lines);
        evidence.push(format!("full log: {}", log.display()));
        self.cause = diagnose::build_cause(&output.text);
        self.with_evidence(evidence)
    }
}

/// Folders left out of the scratch copies of a project (the compose stack's,
/// the changed source's): never in an image's build context.
const COPY_SKIP: &[&str] = &[".git", ".venv", "venv", "node_modules"];

/// The engine's names for what the run created, removed when dropped.
struct Created<'a> {
    engine: &'a dyn Engine,
    containers: Vec<String>,
    images: Vec<String>,
    /// Compose projects brought up: (folder, project name).
    stacks: Vec<(PathBuf, String)>,
    /// Files given to `podman kube play`, the networks and the named
    /// volumes made for them.
    kube_files: Vec<PathBuf>,
    networks: Vec<String>,
    volumes: Vec<String>,
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
        stop::clean_up();
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
        for file in self.kube_files.iter().rev() {
            let file = file.display().to_string();
            let _ = self
                .engine
                .run(&args(&["kube", "down", &file]), Duration::from_secs(180));
        }
        for volume in &self.volumes {
            let _ = self
                .engine
                .run(&args(&["volume", "rm", "-f", volume]), bound);
        }
        for network in &self.networks {
            let _ = self
                .engine
                .run(&args(&["network", "rm", "-f", network]), bound);
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
        stop::end();
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
    if options.kubernetes
        && !target
            .dir
            .join("k8s/overlays/dev/kustomization.yaml")
            .is_file()
    {
        anyhow::bail!(
            "--kubernetes: `{}` has no k8s/overlays/dev/kustomization.yaml; run `flaskdock init --kubernetes` first",
            options.path.display()
        );
    }
    let logs = crate::write::scratch::kept_folder("flaskdock-verify-logs-")?;
    let scratch = crate::write::scratch::folder("flaskdock-verify-")?;
    let image = format!(
        "localhost/flaskdock-verify-{}:{}",
        target.slug,
        std::process::id()
    );
    stop::begin();
    let mut created = Created {
        engine,
        containers: Vec::new(),
        images: Vec::new(),
        stacks: Vec::new(),
        kube_files: Vec::new(),
        networks: Vec::new(),
        volumes: Vec::new(),
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
    let interrupted = stopping();
    drop(created);
    if interrupted {
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
        let mut steps: Vec<(&'static str, Step)> = vec![
            ("non-root", |run, _| run.non_root()),
            ("read-only-source", |run, _| run.read_only_source()),
            ("no-compiler", |run, _| run.no_compiler()),
            ("no-secrets", |run, _| run.no_secrets()),
            ("drivers", |run, _| run.drivers()),
            ("serve", |run, created| run.serve(created)),
            ("cache", |run, _| run.cache()),
        ];
        if self.options.kubernetes {
            steps.push(("kubernetes", |run, created| run.kubernetes(created)));
        }
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
}

#[cfg(test)]
mod tests;
