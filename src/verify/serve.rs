//! The checks that run the app: it serves its health path, and a source
//! change rebuilds with every dependency step from the cache.

use std::time::{Duration, Instant};

use anyhow::Result;

use super::diagnose;
use super::stop::stopping;
use super::{COPY_SKIP, Created, Found, Run, args, http};

impl Run<'_> {
    /// The image run alone, read-only with a tmpfs `/tmp` and a volume home
    /// where compose runs it so, answers its health path below 500 within the bound.
    pub(super) fn serve(&mut self, created: &mut Created) -> Result<Found> {
        if !self.target.services.is_empty() {
            return self.serve_with_compose(created);
        }
        let (env_file, env_set, env_source) = self.target.env_file(self.scratch)?;
        let host_port =
            http::free_port().ok_or_else(|| anyhow::anyhow!("no free port on 127.0.0.1"))?;
        let container = format!(
            "flaskdock-verify-{}-{}",
            self.target.slug,
            std::process::id()
        );
        let env_file = env_file.display().to_string();
        let publish = format!("127.0.0.1:{host_port}:{}", self.target.port);
        // Read-only as compose runs it: with a tmpfs `/tmp` and the home a
        // volume (removed with the container).
        let read_only: &[&str] = match self.target.read_only {
            true => &["--read-only", "--tmpfs", "/tmp", "--volume", "/home/app"],
            false => &[],
        };
        let mut run = vec!["run", "-d", "--name", &container];
        run.extend(read_only);
        run.extend(["--env-file", &env_file, "-p", &publish, self.image]);
        let started = self.engine.run(&args(&run), Duration::from_secs(120))?;
        created.containers.push(container.clone());
        if !started.success {
            return Ok(Found::failed("the container did not start").with_evidence(started.tail(10)));
        }
        let path = &self.target.health_path;
        let start = Instant::now();
        let (answered, stopped) = self.wait_for_status(&container, host_port);
        if let Some(status) = answered
            && status < 500
        {
            return Ok(Found::passed(format!(
                "GET {path} answered {status} after {:.1} s (env: {env_source})",
                start.elapsed().as_secs_f64()
            )));
        }
        let logs = self
            .engine
            .run(&args(&["logs", &container]), Duration::from_secs(30))?
            .text;
        let summary = match answered {
            Some(status) => format!("GET {path} answered {status} (env: {env_source})"),
            None if stopped => {
                format!("the container stopped before GET {path} answered (env: {env_source})")
            }
            None => format!(
                "GET {path} on port {} got no answer within {} s (env: {env_source})",
                self.target.port,
                self.options.serve_timeout.as_secs()
            ),
        };
        Ok(self.app_failed(summary, &logs, &env_set))
    }

    /// Polls the health path until it answers below 500, the container
    /// stops, or the bound passes: the last status seen, and whether the
    /// container stopped.
    fn wait_for_status(&self, container: &str, host_port: u16) -> (Option<u16>, bool) {
        let deadline = Instant::now() + self.options.serve_timeout;
        let mut last = None;
        while Instant::now() < deadline && !stopping() {
            let path = &self.target.health_path;
            last = http::status(host_port, path, Duration::from_secs(3)).or(last);
            if last.is_some_and(|s| s < 500) {
                return (last, false);
            }
            // A container that stopped will not answer.
            if !self.running(container) {
                return (last, true);
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        (last, false)
    }

    /// An app that did not serve: its first traceback as evidence, and the
    /// likely cause judged from its `logs` and the names `env_set` sets.
    pub(super) fn app_failed(
        &self,
        summary: String,
        logs: &str,
        env_set: &std::collections::BTreeSet<String>,
    ) -> Found {
        let context = diagnose::Context {
            env_set,
            reads: &self.target.reads,
            entry: self.target.entry.as_deref(),
            port: self.target.port,
        };
        let mut found = Found::failed(summary).with_evidence(diagnose::traceback_first(logs, 20));
        found.cause = diagnose::cause(logs, &context);
        found
    }

    fn running(&self, container: &str) -> bool {
        let state = self.engine.run(
            &args(&["inspect", "--format", "{{.State.Running}}", container]),
            Duration::from_secs(30),
        );
        state.is_ok_and(|o| o.stdout.trim() == "true")
    }

    /// A change to the entry module, made in a scratch copy of the project,
    /// rebuilds with every dependency step from the cache and the source
    /// copied again.
    pub(super) fn cache(&mut self) -> Result<Found> {
        let Some(entry_file) = self.target.entry_file() else {
            return Ok(Found::skipped(
                "no entry module to change (`.flaskdock.toml` names no `entry` found on disk)",
            ));
        };
        // Podman may pick an older matching layer chain than a --no-cache
        // build's; an unchanged rebuild first settles the chain.
        let (warm, _) = self.build_into(&self.target.dir, false, "warm.log")?;
        if !warm.success {
            return Ok(Found::failed("an unchanged rebuild failed").with_evidence(warm.tail(10)));
        }
        let copy = self.scratch.join("changed");
        crate::write::scratch::copy_project(&self.target.dir, &copy, COPY_SKIP)?;
        crate::write::scratch::append(
            &copy.join(&entry_file),
            "\n# changed by flaskdock verify\n",
        )?;
        let (output, log) = self.build_into(&copy, false, "rebuild.log")?;
        if !output.success {
            return Ok(Found::failed("the rebuild after a source change failed")
                .with_build_log(&output, 10, &log));
        }
        let steps = cached_steps(&output.text);
        let evidence = vec![format!(
            "changed {}; log: {}",
            entry_file.display(),
            log.display()
        )];
        Ok(match steps.problems.is_empty() {
            true => Found::passed(format!(
                "after a change to {}, {} dependency step(s) came from the cache and the source was copied again",
                entry_file.display(),
                steps.dependency
            )),
            false => Found::failed(steps.problems.join("; ")),
        }
        .with_evidence(evidence))
    }
}

/// What a rebuild's log says of its steps.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Steps {
    pub dependency: usize,
    pub source: usize,
    pub problems: Vec<String>,
}

/// Reads a build log (podman's `STEP n/m:` then `--> Using cache`, or
/// BuildKit's `#9 [builder 6/7] RUN` then `#9 CACHED`): every step that
/// installs dependencies must come from the cache, the source copy not. A
/// step after the source copy in the same stage (a project installed from
/// its source) runs again by design.
pub(super) fn cached_steps(log: &str) -> Steps {
    let lines: Vec<&str> = log.lines().collect();
    let is_step =
        |l: &str| l.contains(" STEP ") || l.starts_with("STEP ") || buildkit_step(l).is_some();
    let starts: Vec<usize> = (0..lines.len()).filter(|&i| is_step(lines[i])).collect();
    let mut steps = Steps::default();
    let mut after_source: Vec<&str> = Vec::new();
    for (n, &i) in starts.iter().enumerate() {
        let header = lines[i];
        let body: Vec<&str> = match buildkit_step(header) {
            // BuildKit interleaves steps: a step's lines carry its `#N`.
            Some(id) => lines
                .iter()
                .copied()
                .filter(|l| l.starts_with(&format!("{id} ")))
                .collect(),
            None => lines[i..starts.get(n + 1).copied().unwrap_or(lines.len())].to_vec(),
        };
        let cached = body
            .iter()
            .any(|l| l.contains("Using cache") || l.ends_with(" CACHED"));
        let stage = stage_of(header);
        if copies_source(header) {
            steps.source += 1;
            after_source.push(stage);
            if cached {
                steps.problems.push(format!(
                    "the source copy came from the cache, so the change was not seen: {}",
                    header.trim()
                ));
            }
        } else if header.contains("RUN") && installs(header) && !after_source.contains(&stage) {
            steps.dependency += 1;
            if !cached {
                steps.problems.push(format!("re-ran: {}", header.trim()));
            }
        }
    }
    if steps.dependency == 0 || steps.source == 0 {
        steps.problems.push(format!(
            "found {} dependency step(s) and {} source copies in the log; expected both",
            steps.dependency, steps.source
        ));
    }
    steps
}

/// A `RUN` that installs packages. `python -c`: one that installs what
/// pyproject.toml lists (`pip` called from Python, for a project without a lock).
fn installs(header: &str) -> bool {
    const INSTALLS: &[&str] = &[
        "pip install",
        "python -c",
        "apt-get install",
        "uv sync",
        "poetry install",
        "pipenv ",
        "pdm ",
        "npm ci",
        "npm install",
        "yarn ",
        "pnpm ",
    ];
    INSTALLS.iter().any(|i| header.contains(i))
}

/// A `COPY` of the whole build context (`COPY . .`, `COPY --chmod=755 . .`,
/// `COPY . /src`): its first source is `.`.
fn copies_source(header: &str) -> bool {
    let Some((_, rest)) = header.split_once("COPY ") else {
        return false;
    };
    rest.split_whitespace().find(|word| !word.starts_with("--")) == Some(".")
}

/// The stage a step header belongs to: podman's `[2/3]` before `STEP`,
/// BuildKit's stage name in `[project 2/3]`, or "" for a one-stage build.
fn stage_of(header: &str) -> &str {
    if let Some(id) = buildkit_step(header) {
        let rest = &header[id.len() + 2..];
        return rest.split(' ').next().unwrap_or("");
    }
    header
        .split_once(" STEP ")
        .map_or("", |(before, _)| before.trim())
}

/// `#9` of a BuildKit step header `#9 [builder 6/7] RUN ...`.
fn buildkit_step(line: &str) -> Option<&str> {
    let (id, rest) = line.split_once(' ')?;
    (id.starts_with('#') && id[1..].chars().all(|c| c.is_ascii_digit()) && rest.starts_with('['))
        .then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn podman_and_buildkit_logs_of_a_cached_rebuild() {
        let podman = "[1/2] STEP 5/7: RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n--> Using cache 1a2b\n[2/2] STEP 9/14: COPY --chown=${UID}:${UID} . .\n--> 3c4d\n";
        let steps = cached_steps(podman);
        assert_eq!((steps.dependency, steps.source), (1, 1));
        assert!(steps.problems.is_empty(), "{:?}", steps.problems);

        let buildkit = "#8 [builder 5/7] RUN pip install -r requirements.txt\n#9 [runtime 9/14] COPY --chown=10001:10001 . .\n#8 CACHED\n#9 DONE 0.1s\n";
        assert!(cached_steps(buildkit).problems.is_empty());

        let rerun = "STEP 5/7: RUN pip install -r requirements.txt\nCollecting flask\nSTEP 9/14: COPY --chown=1:1 . .\n--> Using cache 9f\n";
        let steps = cached_steps(rerun);
        assert_eq!(steps.problems.len(), 2, "{:?}", steps.problems);
        assert!(steps.problems[0].starts_with("re-ran: STEP 5/7"));

        assert!(!cached_steps("nothing here\n").problems.is_empty());

        // The install of a project without a lock: pip called from Python.
        let python = "[1/2] STEP 6/7: RUN --mount=type=cache,target=/root/.cache/pip     python -c 'import subprocess, sys; subprocess.check_call([sys.executable, \"-m\", \"pip\", \"install\", *deps])'\n--> Using cache 67a2\n[2/2] STEP 7/15: COPY --chown=${UID}:${UID} . .\n--> 1b2c\n";
        let steps = cached_steps(python);
        assert_eq!(
            (steps.dependency, steps.source),
            (1, 1),
            "{:?}",
            steps.problems
        );
        assert!(steps.problems.is_empty());
    }

    #[test]
    fn a_project_installed_after_its_source_copy_may_run_again() {
        let podman = "[1/3] STEP 6/8: RUN --mount=type=cache,target=/root/.cache/uv uv sync --no-install-project\n--> Using cache 1a\n\
            [2/3] STEP 2/3: COPY . /src\n--> 2b\n\
            [2/3] STEP 3/3: RUN --mount=type=cache,target=/root/.cache/pip python -m pip install --no-deps --target /opt/project /src\n--> 3c\n\
            [3/3] STEP 9/14: COPY --chmod=755 . .\n--> 4d\n";
        let steps = cached_steps(podman);
        assert_eq!((steps.dependency, steps.source), (1, 2));
        assert!(steps.problems.is_empty(), "{:?}", steps.problems);

        let buildkit = "#8 [builder 6/8] RUN uv sync --no-install-project\n#8 CACHED\n\
            #10 [project 2/3] COPY . /src\n#10 DONE 0.1s\n\
            #11 [project 3/3] RUN python -m pip install --no-deps --target /opt/project /src\n#11 DONE 2.0s\n\
            #12 [runtime 9/14] COPY --chmod=755 . .\n#12 DONE 0.1s\n";
        let steps = cached_steps(buildkit);
        assert_eq!((steps.dependency, steps.source), (1, 2));
        assert!(steps.problems.is_empty(), "{:?}", steps.problems);

        // A dependency step of another stage still must come from the cache.
        let rerun = "[1/3] STEP 6/8: RUN pip install -r requirements.txt\nCollecting flask\n[2/3] STEP 2/3: COPY . /src\n--> 2b\n";
        assert_eq!(cached_steps(rerun).problems.len(), 1);
    }
}
