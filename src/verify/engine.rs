//! The container engine `verify` drives: a small trait, so the checks are
//! tested with a recording fake, and the Docker/podman command line behind it.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// What one engine command did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    pub success: bool,
    /// Standard output alone.
    pub stdout: String,
    /// Standard output and error, in that order.
    pub text: String,
    /// The command was stopped at its time bound (or by Ctrl-C).
    pub timed_out: bool,
}

impl Output {
    /// The output's last `n` lines, control characters escaped (a build's
    /// colours or a hostile project's bytes never reach the terminal raw).
    pub fn tail(&self, n: usize) -> Vec<String> {
        let lines: Vec<&str> = self.text.lines().collect();
        lines[lines.len().saturating_sub(n)..]
            .iter()
            .map(|l| crate::safe::escaped(l).into_owned())
            .collect()
    }
}

/// A container engine with Docker's command line.
pub trait Engine: Sync {
    /// `docker` or `podman`.
    fn name(&self) -> &str;
    /// Runs the engine with `args`, bounded by `timeout`.
    fn run(&self, args: &[String], timeout: Duration) -> Result<Output>;
    /// Runs the compose command in `dir` with `args`; `None` when the
    /// engine has no compose command.
    fn compose(&self, dir: &Path, args: &[String], timeout: Duration) -> Option<Result<Output>>;
    /// Runs the engine with `args` (an image archive on standard output) and
    /// returns the indexes of the `needles` found in its bytes.
    fn scan(&self, args: &[String], needles: &[String], timeout: Duration) -> Result<Vec<usize>>;
    /// Renders the kustomization in `dir` (`kubectl kustomize`, else
    /// `kustomize build`); `None` when neither is installed.
    fn kustomize(&self, dir: &Path, timeout: Duration) -> Option<Result<Output>>;
}

/// The engine's own command line.
pub struct CliEngine {
    program: String,
    /// The compose command: `docker compose`, `podman compose`,
    /// `podman-compose`, or the one given with `--compose`.
    compose: Option<Vec<String>>,
}

impl CliEngine {
    /// The engine named `choice`, else Docker when its daemon answers, else
    /// podman when it is installed.
    pub fn detect(choice: Option<&str>) -> Result<Self> {
        let candidates: Vec<&str> = match choice {
            Some(name) => vec![name],
            None => vec!["docker", "podman"],
        };
        for program in &candidates {
            let mut engine = CliEngine {
                program: program.to_string(),
                compose: None,
            };
            let probe = engine.run(&["info".to_string()], Duration::from_secs(20));
            if probe.is_ok_and(|o| o.success) {
                engine.compose = engine.find_compose();
                return Ok(engine);
            }
        }
        anyhow::bail!(
            "no container engine answers ({} tried); start Docker or install podman, or name one with --engine",
            candidates.join(", ")
        )
    }
}

impl CliEngine {
    /// Uses `command` (split as a shell would) for compose.
    pub fn with_compose(mut self, command: &str) -> Result<Self> {
        let words = shell_words::split(command).context("--compose: not a command")?;
        anyhow::ensure!(!words.is_empty(), "--compose: not a command");
        self.compose = Some(words);
        Ok(self)
    }

    /// The first compose command that answers `version`.
    fn find_compose(&self) -> Option<Vec<String>> {
        let candidates: &[&[&str]] = match self.program.as_str() {
            "docker" => &[&["docker", "compose"], &["docker-compose"]],
            _ => &[&["podman", "compose"], &["podman-compose"]],
        };
        candidates.iter().find_map(|words| {
            let answers = bounded(
                Command::new(words[0]).args(&words[1..]).arg("version"),
                Duration::from_secs(20),
            );
            answers
                .is_ok_and(|o| o.success)
                .then(|| words.iter().map(|w| w.to_string()).collect())
        })
    }
}

/// Runs `command` with its output captured, bounded by `timeout`.
fn bounded(command: &mut Command, timeout: Duration) -> Result<Output> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start `{}`", command.get_program().to_string_lossy()))?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let (success, timed_out) = wait_bounded(&mut child, timeout)?;
    // A process the command left behind may hold its pipes: wait for them
    // a little, not for that process.
    let grace = Duration::from_secs(if timed_out { 2 } else { 10 });
    let stdout = stdout.recv_timeout(grace).unwrap_or_default();
    let text = stdout.clone() + &stderr.recv_timeout(grace).unwrap_or_default();
    Ok(Output {
        success,
        stdout,
        text,
        timed_out,
    })
}

impl Engine for CliEngine {
    fn name(&self) -> &str {
        &self.program
    }

    fn run(&self, args: &[String], timeout: Duration) -> Result<Output> {
        bounded(Command::new(&self.program).args(args), timeout)
    }

    fn compose(&self, dir: &Path, args: &[String], timeout: Duration) -> Option<Result<Output>> {
        let words = self.compose.as_ref()?;
        let mut command = Command::new(&words[0]);
        command.args(&words[1..]).args(args).current_dir(dir);
        Some(bounded(&mut command, timeout))
    }

    fn scan(&self, args: &[String], needles: &[String], timeout: Duration) -> Result<Vec<usize>> {
        let mut child = Command::new(&self.program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start `{}`", self.program))?;
        let stdout = child.stdout.take().context("no standard output")?;
        let searcher = aho_corasick::AhoCorasick::new(needles)?;
        let reader = std::thread::spawn(move || {
            let mut found = std::collections::BTreeSet::new();
            for hit in searcher.stream_find_iter(std::io::BufReader::new(stdout)) {
                match hit {
                    Ok(hit) => found.insert(hit.pattern().as_usize()),
                    Err(_) => break,
                };
            }
            found
        });
        let (success, timed_out) = wait_bounded(&mut child, timeout)?;
        let found = reader.join().unwrap_or_default();
        if timed_out || !success {
            anyhow::bail!(
                "`{} {}` {}",
                self.program,
                args.join(" "),
                if timed_out { "timed out" } else { "failed" }
            );
        }
        Ok(found.into_iter().collect())
    }

    fn kustomize(&self, dir: &Path, timeout: Duration) -> Option<Result<Output>> {
        [["kubectl", "kustomize"], ["kustomize", "build"]]
            .iter()
            .find_map(|[program, verb]| {
                let mut command = Command::new(program);
                command.arg(verb).arg(dir);
                match bounded(&mut command, timeout) {
                    Err(err) if not_installed(&err) => None,
                    result => Some(result),
                }
            })
    }
}

/// The error of a command that could not start because it is not installed.
fn not_installed(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
    })
}

/// Reads a pipe to its end on a thread of its own; the text arrives on the
/// channel.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::sync::mpsc::Receiver<String> {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        let _ = send.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    receive
}

/// Waits for `child` until `timeout` or Ctrl-C, killing it then: (exited
/// successfully, was stopped).
fn wait_bounded(child: &mut std::process::Child, timeout: Duration) -> Result<(bool, bool)> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status.success(), false));
        }
        if Instant::now() >= deadline || super::stop::stopping() {
            let _ = child.kill();
            let _ = child.wait();
            return Ok((false, true));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_is_bounded_and_its_tail_escaped() {
        let engine = CliEngine {
            program: "sh".into(),
            compose: None,
        };
        let script = |s: &str| vec!["-c".to_string(), s.to_string()];
        let out = engine
            .run(
                &script("printf 'a\\n\\033[31mred\\n'; echo err >&2"),
                Duration::from_secs(10),
            )
            .unwrap();
        assert!(out.success);
        assert_eq!(out.stdout, "a\n\u{1b}[31mred\n");
        assert_eq!(out.tail(2), ["\\u{1b}[31mred", "err"]);
        let slow = engine
            .run(&script("sleep 30"), Duration::from_millis(300))
            .unwrap();
        assert!(slow.timed_out && !slow.success);
        assert!(
            engine
                .compose(Path::new("."), &[], Duration::from_secs(1))
                .is_none()
        );
    }
}
