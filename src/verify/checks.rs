//! The checks of the image itself: it builds, runs as non-root, has no
//! compiler and no secret of `.env`, and imports its compiled drivers.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

use super::{Found, Output, Run, args};

impl Run<'_> {
    /// `build [--no-cache] -t IMAGE DIR` with the engine's flags.
    pub(super) fn build_args(&self, dir: &Path, cold: bool) -> Vec<String> {
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
    pub(super) fn build_into(
        &self,
        dir: &Path,
        cold: bool,
        log: &str,
    ) -> Result<(Output, PathBuf)> {
        let output = self
            .engine
            .run(&self.build_args(dir, cold), self.options.build_timeout)?;
        let path = crate::write::scratch::file(self.logs, log, &output.text)?;
        Ok((output, path))
    }

    pub(super) fn build(&mut self) -> Result<Found> {
        let (output, log) = self.build_into(&self.target.dir, self.options.cold, "build.log")?;
        if output.success {
            return Ok(Found::passed(format!("built {}", self.image)));
        }
        let summary = if output.timed_out {
            format!(
                "the build did not finish within {} s",
                self.options.build_timeout.as_secs()
            )
        } else {
            "the image does not build".to_string()
        };
        Ok(Found::failed(summary).with_build_log(&output, 20, &log))
    }

    /// `run --rm --entrypoint PROGRAM IMAGE ARGS...` in the image.
    pub(super) fn in_image(&self, program: &str, rest: &[&str]) -> Result<Output> {
        let mut list = args(&["run", "--rm", "--entrypoint", program, self.image]);
        list.extend(args(rest));
        self.engine.run(&list, Duration::from_secs(120))
    }

    pub(super) fn non_root(&mut self) -> Result<Found> {
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

    /// The app user can change neither its code nor the folder it runs in
    /// (unless that folder has the sticky bit: it may add files there, not
    /// touch root's), and can write every folder the Dockerfile declares as
    /// a volume (given to the probe as arguments).
    pub(super) fn read_only_source(&mut self) -> Result<Found> {
        let probe = "for v in \"$@\"; do [ -w \"$v\" ] || { echo \"volume $v\"; exit; }; done; \
            module=$(find . -name '*.py' -not -path './instance/*' | head -1); \
            if [ -z \"$module\" ]; then echo none; \
            elif [ -w \"$module\" ]; then echo \"module $module\"; \
            elif [ -w . ] && [ ! -k . ]; then echo \"folder $(pwd)\"; \
            elif [ -w . ]; then echo \"sticky $(pwd) $module\"; \
            else echo \"ok $(pwd) $module\"; fi";
        let mut rest = vec!["-c", probe, "sh"];
        rest.extend(self.target.volumes.iter().map(String::as_str));
        let output = self.in_image("sh", &rest)?;
        if !output.success {
            return Ok(no_shell(&output));
        }
        let answer = crate::safe::escaped(output.stdout.trim()).into_owned();
        let (verdict, rest) = answer.split_once(' ').unwrap_or((answer.as_str(), ""));
        Ok(match verdict {
            "none" => Found::skipped("no Python module in the image's working folder"),
            "module" => Found::failed(format!(
                "the app user can change its own code ({rest}): copy the source without --chown"
            )),
            "folder" => Found::failed(format!(
                "the app user can write {rest}, where its code is: give it only the folders it writes into"
            )),
            "sticky" => Found::passed(format!(
                "the app user cannot change its code; it may add files in {rest}, not remove root's"
            )),
            "volume" => Found::failed(format!(
                "the app user cannot write {rest}, a volume where the app writes: create it and chown it to the app user before VOLUME"
            )),
            "ok" if self.target.volumes.is_empty() => {
                Found::passed(format!("the app user cannot change its code ({rest})"))
            }
            "ok" => Found::passed(format!(
                "the app user cannot change its code ({rest}) and writes in {}",
                crate::safe::escaped(&self.target.volumes.join(", "))
            )),
            _ => Found::failed(format!("could not tell who may write the code: {answer}")),
        })
    }

    pub(super) fn no_compiler(&mut self) -> Result<Found> {
        let probe = "for c in gcc cc g++ c++ clang; do command -v $c; done; ls /usr/bin/*-gcc* 2>/dev/null; true";
        let output = self.in_image("sh", &["-c", probe])?;
        if !output.success {
            return Ok(no_shell(&output));
        }
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

    pub(super) fn no_secrets(&mut self) -> Result<Found> {
        let probe = "if [ -e .env ]; then echo \"found in $(pwd)\"; else echo none; fi";
        let inside = self.in_image("sh", &["-c", probe])?;
        if !inside.success {
            return Ok(no_shell(&inside));
        }
        if let Some(folder) = inside.stdout.trim().strip_prefix("found in ") {
            return Ok(Found::failed(format!(
                "`.env` is in the image (in {}): list it in .dockerignore",
                crate::safe::escaped(folder)
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

    pub(super) fn drivers(&mut self) -> Result<Found> {
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

/// A probe that could not run: the image has no `sh` (or no `sh` runs).
fn no_shell(output: &Output) -> Found {
    Found::skipped("could not look inside: `sh` does not run in the image")
        .with_evidence(output.tail(3))
}
