//! A Dockerfile read into instructions and stages, and the checks on it (FD1xx).

use super::finding::Found;
use crate::secret::is_secret_name;

const FILE: &str = "Dockerfile";

/// One instruction: its first line, keyword (upper case) and arguments, with
/// continuation lines joined and comment lines dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub line: usize,
    pub keyword: String,
    pub args: String,
}

/// A `FROM` and the instructions up to the next one.
#[derive(Debug, Clone)]
pub struct Stage {
    pub line: usize,
    /// The image, with `ARG` defaults declared before the first FROM substituted.
    pub image: String,
    pub name: Option<String>,
    pub instructions: Vec<Instruction>,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    pub stages: Vec<Stage>,
}

impl Dockerfile {
    fn last(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The final stage's command (`ENTRYPOINT` then `CMD`), as words.
    fn command(&self) -> Option<(&Instruction, Vec<String>)> {
        let stage = self.last()?;
        let cmd = stage
            .instructions
            .iter()
            .rev()
            .find(|i| i.keyword == "CMD" || i.keyword == "ENTRYPOINT")?;
        Some((cmd, words(&cmd.args)))
    }

    /// Whether the image runs a Python file directly (`python app.py`), so code
    /// under `if __name__ == "__main__":` runs in the container.
    pub fn runs_python_file(&self) -> bool {
        self.command()
            .is_some_and(|(_, w)| python_file(&w).is_some())
    }
}

/// Reads Dockerfile text. Unknown or malformed lines are kept as they are:
/// doctor reports on what it can read, and `docker build` reports the rest.
pub fn parse_dockerfile(text: &str) -> Dockerfile {
    let mut instructions: Vec<Instruction> = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((index, raw)) = lines.next() {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut logical = String::new();
        let mut current = trimmed.to_string();
        loop {
            match current.strip_suffix('\\') {
                Some(head) => {
                    logical.push_str(head.trim_end());
                    logical.push(' ');
                    // Comment lines inside a continuation are dropped, as Docker does.
                    let next = loop {
                        match lines.next() {
                            Some((_, l)) if l.trim().starts_with('#') => continue,
                            other => break other,
                        }
                    };
                    match next {
                        Some((_, l)) => current = l.trim().to_string(),
                        None => break,
                    }
                }
                None => {
                    logical.push_str(&current);
                    break;
                }
            }
        }
        // A heredoc body belongs to its instruction.
        if let Some(marker) = heredoc_marker(&logical) {
            for (_, l) in lines.by_ref() {
                if l.trim() == marker {
                    break;
                }
                logical.push('\n');
                logical.push_str(l);
            }
        }
        let (keyword, args) = logical
            .split_once(char::is_whitespace)
            .unwrap_or((&logical, ""));
        instructions.push(Instruction {
            line: index + 1,
            keyword: keyword.to_ascii_uppercase(),
            args: args.trim().to_string(),
        });
    }

    let mut global_args: Vec<(String, String)> = Vec::new();
    let mut dockerfile = Dockerfile::default();
    for instruction in instructions {
        if instruction.keyword == "FROM" {
            let parts: Vec<&str> = instruction
                .args
                .split_whitespace()
                .filter(|p| !p.starts_with("--"))
                .collect();
            let image = substitute(parts.first().copied().unwrap_or(""), &global_args);
            let name = match parts.as_slice() {
                [_, as_, name] if as_.eq_ignore_ascii_case("as") => Some(name.to_string()),
                _ => None,
            };
            dockerfile.stages.push(Stage {
                line: instruction.line,
                image,
                name,
                instructions: Vec::new(),
            });
        } else if let Some(stage) = dockerfile.stages.last_mut() {
            stage.instructions.push(instruction);
        } else if instruction.keyword == "ARG"
            && let Some((name, value)) = instruction.args.split_once('=')
        {
            global_args.push((name.trim().to_string(), unquote(value.trim())));
        }
    }
    dockerfile
}

fn heredoc_marker(logical: &str) -> Option<String> {
    let start = logical.find("<<")?;
    let rest = logical[start + 2..].trim_start_matches('-');
    let marker: String = rest
        .trim_matches(|c| c == '"' || c == '\'')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!marker.is_empty()).then_some(marker)
}

fn unquote(value: &str) -> String {
    value.trim_matches(|c| c == '"' || c == '\'').to_string()
}

/// `${NAME}`, `${NAME:-default}` and `$NAME` replaced by the ARG defaults.
fn substitute(text: &str, args: &[(String, String)]) -> String {
    let mut out = text.to_string();
    for (name, value) in args {
        out = out
            .replace(&format!("${{{name}}}"), value)
            .replace(&format!("${name}"), value);
    }
    // A variable with no ARG default: its `${NAME:-default}`.
    crate::substitute::expand_defaults(&out)
}

/// The words of an exec-form (`["a", "b"]`) or shell-form command.
fn words(args: &str) -> Vec<String> {
    if args.trim_start().starts_with('[')
        && let Ok(list) = serde_json::from_str::<Vec<String>>(args.trim())
    {
        return list;
    }
    args.split_whitespace()
        .map(|w| w.trim_matches(|c| c == '"' || c == '\'').to_string())
        .collect()
}

/// `python app.py` (or `python3 -u app.py`): the file it runs.
fn python_file(words: &[String]) -> Option<&String> {
    let python = words.iter().position(|w| {
        w.rsplit('/')
            .next()
            .is_some_and(|b| b.starts_with("python"))
    })?;
    words[python + 1..]
        .iter()
        .find(|w| !w.starts_with('-'))
        .filter(|w| w.ends_with(".py"))
}

/// Words that start the development server.
fn dev_server(words: &[String]) -> Option<String> {
    let joined = words.join(" ");
    if joined.contains("flask run") || joined.contains("-m flask run") {
        return Some("`flask run`".to_string());
    }
    python_file(words).map(|file| format!("`python {file}`"))
}

/// Compilers and headers that have no place in a final image.
fn is_build_package(name: &str) -> bool {
    matches!(
        name,
        "gcc" | "g++" | "cc" | "clang" | "make" | "build-essential" | "cmake" | "cargo" | "rustc"
    ) || name.ends_with("-dev")
}

/// Packages an `apt-get install` in this RUN installs.
fn apt_packages(args: &str) -> Vec<String> {
    let mut packages = Vec::new();
    for part in args.split("&&").chain(args.split(';')) {
        let words: Vec<&str> = part.split_whitespace().collect();
        if let Some(at) = words
            .windows(2)
            .position(|w| w == ["apt-get", "install"] || w == ["apt", "install"])
        {
            packages.extend(
                words[at + 2..]
                    .iter()
                    .take_while(|w| !matches!(**w, "&&" | "||" | "|" | ";"))
                    .filter(|w| !w.starts_with('-') && **w != "\\")
                    .map(|w| w.split('=').next().unwrap_or(w).to_string()),
            );
        }
    }
    packages.sort();
    packages.dedup();
    packages
}

fn is_slim(image: &str) -> bool {
    image_tag(image).is_some_and(|tag| tag.contains("slim") || tag.contains("alpine"))
}

/// A `python` image (official or mirrored), not a stage or another base.
fn is_python_image(image: &str) -> bool {
    let name = image.split('@').next().unwrap_or(image);
    let name = name.rsplit('/').next().unwrap_or(name);
    name.split(':').next() == Some("python")
}

/// Copies the whole build context (`COPY . .`, `ADD . /app`).
pub(super) fn copies_context(instruction: &Instruction) -> bool {
    if instruction.keyword != "COPY" && instruction.keyword != "ADD" {
        return false;
    }
    let words: Vec<&str> = instruction
        .args
        .split_whitespace()
        .filter(|w| !w.starts_with("--"))
        .collect();
    if instruction.args.contains("--from=") {
        return false;
    }
    words.len() >= 2
        && words[..words.len() - 1]
            .iter()
            .any(|w| matches!(*w, "." | "./" | "*" | "./*"))
}

/// A `RUN` with a command that installs packages; `pip install --no-deps`
/// installs only what it names (the project itself, from its source).
fn installs_dependencies(args: &str) -> bool {
    const INSTALLS: &[&str] = &[
        "pip install",
        "pip3 install",
        "poetry install",
        "pipenv install",
        "pipenv sync",
        "uv sync",
        "uv pip install",
        "pdm install",
        "pdm sync",
    ];
    args.split(['&', ';', '|']).any(|command| {
        INSTALLS.iter().any(|cmd| command.contains(cmd))
            && !command.split_whitespace().any(|word| word == "--no-deps")
    })
}

/// What the Dockerfile checks read: a Dockerfile with at least one stage.
pub(super) struct Input<'a> {
    pub dockerfile: &'a Dockerfile,
    /// The final stage.
    pub last: &'a Stage,
    /// The port the code or its config says, and where it says so.
    pub app_port: Option<(u16, String)>,
    /// The script of the project's own launcher (`run.py`), where only it
    /// registers the app's pages: running it is no development server.
    pub launcher: Option<String>,
}

impl<'a> Input<'a> {
    /// `None` for a Dockerfile with no `FROM`: `docker build` reports that.
    pub(super) fn new(
        dockerfile: &'a Dockerfile,
        app_port: Option<(u16, String)>,
        launcher: Option<String>,
    ) -> Option<Input<'a>> {
        Some(Input {
            dockerfile,
            last: dockerfile.last()?,
            app_port,
            launcher,
        })
    }

    fn runs(&self) -> impl Iterator<Item = &'a Instruction> {
        self.dockerfile
            .stages
            .iter()
            .flat_map(|s| &s.instructions)
            .filter(|i| i.keyword == "RUN")
    }
}

/// FD101. The final stage has no `USER`, or `USER root`/`USER 0`: a flaw in
/// the app or a dependency then owns the container, and every file it can
/// reach. Example: a Dockerfile that ends `CMD ["gunicorn", "app:app"]` with
/// no `USER` line.
pub(super) fn runs_as_root(input: &Input, found: &mut Found) {
    let last = input.last;
    match last.instructions.iter().rev().find(|i| i.keyword == "USER") {
        None => found.at(
            FILE,
            Some(last.line),
            "the final stage has no USER, so the app runs as root",
        ),
        Some(user) => {
            let who = user.args.split(':').next().unwrap_or("").trim();
            if who == "root" || who == "0" {
                found.at(
                    FILE,
                    Some(user.line),
                    format!("`USER {}`: the app runs as root", user.args),
                );
            }
        }
    }
}

/// FD102. The whole source is copied before the dependencies are installed,
/// so any code change invalidates the install layer. Example: `COPY . .`
/// then `RUN pip install -r requirements.txt`.
pub(super) fn source_before_install(input: &Input, found: &mut Found) {
    for stage in &input.dockerfile.stages {
        let Some(copy) = stage.instructions.iter().position(copies_context) else {
            continue;
        };
        if let Some(install) = stage.instructions[copy..]
            .iter()
            .find(|i| i.keyword == "RUN" && installs_dependencies(&i.args))
        {
            let copy = &stage.instructions[copy];
            found.at(
                FILE,
                Some(copy.line),
                format!(
                    "`{} {}` comes before the install at line {}: every code change reinstalls every package",
                    copy.keyword, copy.args, install.line
                ),
            );
        }
    }
}

/// FD103. Compilers or headers ship in the final image: hundreds of MB and a
/// toolchain for whoever gets in. Example: one stage on `python:3.12`, or
/// `apt-get install gcc` in the stage that runs the app.
pub(super) fn compilers_in_final_image(input: &Input, found: &mut Found) {
    let last = input.last;
    if input.dockerfile.stages.len() == 1 && is_python_image(&last.image) && !is_slim(&last.image) {
        found.at(
            FILE,
            Some(last.line),
            format!(
                "single stage on `{}`: gcc and the headers ship with the app",
                last.image
            ),
        );
    }
    for run in last.instructions.iter().filter(|i| i.keyword == "RUN") {
        let compilers: Vec<String> = apt_packages(&run.args)
            .into_iter()
            .filter(|p| is_build_package(p))
            .collect();
        if !compilers.is_empty() {
            found.at(
                FILE,
                Some(run.line),
                format!("the final stage installs {}", compilers.join(", ")),
            );
        }
    }
}

/// FD104. The final stage is the full `python` image (about 1 GB, with
/// compilers). Example: `FROM python:3.12`.
pub(super) fn full_base_image(input: &Input, found: &mut Found) {
    let last = input.last;
    if is_python_image(&last.image) && !is_slim(&last.image) {
        found.at(
            FILE,
            Some(last.line),
            format!("`FROM {}` is the full image (about 1 GB)", last.image),
        );
    }
}

/// FD105. A base image with no tag, `latest`, or a `python` tag with no
/// version: a rebuild changes Python under the app. Example: `FROM python`
/// or `FROM python:slim`.
pub(super) fn unpinned_base_image(input: &Input, found: &mut Found) {
    let stage_names: Vec<&str> = input
        .dockerfile
        .stages
        .iter()
        .filter_map(|s| s.name.as_deref())
        .collect();
    for stage in &input.dockerfile.stages {
        let image = &stage.image;
        if stage_names.contains(&image.as_str()) || image == "scratch" {
            continue;
        }
        let unpinned = match image_tag(image) {
            _ if image.contains('@') => false,
            None => true,
            Some(tag) => {
                tag == "latest"
                    || (is_python_image(image) && !tag.contains(|c: char| c.is_ascii_digit()))
            }
        };
        if unpinned {
            found.at(
                FILE,
                Some(stage.line),
                format!("`FROM {image}` takes whatever Python is newest at build time"),
            );
        }
    }
}

/// FD106. `apt-get update` in a RUN that installs nothing: its cached layer
/// goes stale and a later install fetches lists that no longer exist.
/// Example: `RUN apt-get update` then `RUN apt-get install -y libpq5`.
pub(super) fn apt_update_alone(input: &Input, found: &mut Found) {
    for run in input.runs() {
        let update = run.args.contains("apt-get update") || run.args.contains("apt update");
        if update && apt_packages(&run.args).is_empty() {
            found.at(
                FILE,
                Some(run.line),
                "`apt-get update` without an install in the same RUN: the cached update goes stale",
            );
        }
    }
}

/// FD107. `apt-get install` without `--no-install-recommends` pulls in
/// packages nobody asked for. Example: `apt-get install -y libpq5`.
pub(super) fn apt_recommends(input: &Input, found: &mut Found) {
    for run in input.runs() {
        let packages = apt_packages(&run.args);
        if !packages.is_empty() && !run.args.contains("--no-install-recommends") {
            found.at(
                FILE,
                Some(run.line),
                format!(
                    "`apt-get install {}` without `--no-install-recommends`",
                    packages.join(" ")
                ),
            );
        }
    }
}

/// FD108. The apt package lists stay in the layer that installed packages
/// (tens of MB). Example: an install RUN with no `rm -rf /var/lib/apt/lists/*`
/// and no cache mount on that folder.
pub(super) fn apt_lists_left(input: &Input, found: &mut Found) {
    for run in input.runs() {
        let cleaned =
            run.args.contains("/var/lib/apt/lists") || run.args.contains("target=/var/lib/apt");
        if !apt_packages(&run.args).is_empty() && !cleaned {
            found.at(
                FILE,
                Some(run.line),
                "the apt package lists stay in this layer",
            );
        }
    }
}

/// FD109. A secret-named `ENV` or `ARG` with a literal value: it is in the
/// image's history for anyone who pulls it. Example: `ENV SECRET_KEY=dev`.
/// A value taken from a build argument (`$TOKEN`) is not flagged.
pub(super) fn secret_in_env(input: &Input, found: &mut Found) {
    let settings = input
        .dockerfile
        .stages
        .iter()
        .flat_map(|s| &s.instructions)
        .filter(|i| i.keyword == "ENV" || i.keyword == "ARG");
    for i in settings {
        for (name, value) in assignments(&i.keyword, &i.args) {
            if is_secret_name(&name) && !value.is_empty() && !value.starts_with('$') {
                found.at(
                    FILE,
                    Some(i.line),
                    format!(
                        "`{} {name}` has a literal value: it is readable in the image's history",
                        i.keyword
                    ),
                );
            }
        }
    }
}

/// FD110. The image starts Flask's development server (single-threaded,
/// with the debugger a flag away). Example: `CMD ["flask", "run"]` or
/// `CMD python app.py`. Not the project's own launcher where only it
/// registers the pages: it starts a server of its own.
pub(super) fn development_server(input: &Input, found: &mut Found) {
    if let Some((cmd, words)) = input.dockerfile.command()
        && let Some(server) = dev_server(&words)
        && python_file(&words)
            .is_none_or(|file| input.launcher.as_deref() != Some(file.trim_start_matches("./")))
    {
        found.at(
            FILE,
            Some(cmd.line),
            format!("the container starts {server}, Flask's development server: single-threaded and not for production"),
        );
    }
}

/// FD111. `EXPOSE` names a port the server does not listen on, so
/// `docker run -P` and compose publish the wrong one. Example: `EXPOSE 5000`
/// with `gunicorn --bind 0.0.0.0:8000`.
pub(super) fn ports_disagree(input: &Input, found: &mut Found) {
    let exposed: Vec<(u16, usize)> = input
        .last
        .instructions
        .iter()
        .filter(|i| i.keyword == "EXPOSE")
        .flat_map(|i| {
            i.args
                .split_whitespace()
                .filter_map(|p| p.split('/').next()?.parse().ok())
                .map(move |p| (p, i.line))
        })
        .collect();
    let Some((cmd, words)) = input.dockerfile.command() else {
        return;
    };
    let listens = match (bound_port(&words), python_file(&words), &input.app_port) {
        (Some(port), _, _) => Some((port, format!("gunicorn binds {port} (line {})", cmd.line))),
        (None, Some(_), Some((port, source))) => {
            Some((*port, format!("the app listens on {port} ({source})")))
        }
        _ => None,
    };
    if let (Some((port, what)), Some(&(exposed_port, line))) = (listens, exposed.first())
        && !exposed.iter().any(|(p, _)| *p == port)
    {
        found.at(
            FILE,
            Some(line),
            format!("EXPOSE {exposed_port}, but {what}"),
        );
    }
}

/// The port of a `--bind`/`-b` argument.
fn bound_port(words: &[String]) -> Option<u16> {
    words
        .iter()
        .position(|w| w == "--bind" || w == "-b")
        .and_then(|i| words.get(i + 1))
        .or_else(|| words.iter().find(|w| w.starts_with("--bind=")))
        .and_then(|b| {
            b.trim_start_matches("--bind=")
                .rsplit(':')
                .next()?
                .parse::<u16>()
                .ok()
        })
}

/// FD112. No `HEALTHCHECK`: compose cannot wait for a healthy web service
/// and nothing notices a hung worker. Example: a final stage that ends at
/// `CMD` with no `HEALTHCHECK` before it.
pub(super) fn no_healthcheck(input: &Input, found: &mut Found) {
    let last = input.last;
    if !last.instructions.iter().any(|i| i.keyword == "HEALTHCHECK") {
        found.at(FILE, Some(last.line), "the final stage has no HEALTHCHECK");
    }
}

/// FD113. A shell-form `CMD` or `ENTRYPOINT`: `/bin/sh` is PID 1, so
/// `docker stop`'s SIGTERM never reaches the server and it is killed after
/// the timeout. Example: `CMD gunicorn app:app`.
pub(super) fn shell_form_command(input: &Input, found: &mut Found) {
    if let Some((cmd, _)) = input.dockerfile.command()
        && !cmd.args.trim_start().starts_with('[')
    {
        found.at(
            FILE,
            Some(cmd.line),
            format!("`{} {}` is in shell form", cmd.keyword, cmd.args),
        );
    }
}

/// The tag of `repo:tag` (a `host:port/` prefix is not a tag).
fn image_tag(image: &str) -> Option<&str> {
    let name = image.rsplit('/').next().unwrap_or(image);
    name.split_once(':').map(|(_, tag)| tag)
}

/// `ENV A=1 B=2`, `ENV A 1` and `ARG A=1` as name/value pairs.
fn assignments(keyword: &str, args: &str) -> Vec<(String, String)> {
    let args = args.trim();
    if !args.contains('=')
        || (keyword == "ENV"
            && args
                .split_whitespace()
                .next()
                .is_some_and(|w| !w.contains('=')))
    {
        // `ENV NAME value` (legacy form), or `ARG NAME` without a default.
        let mut parts = args.splitn(2, char::is_whitespace);
        let name = parts.next().unwrap_or("").to_string();
        let value = parts.next().map(|v| unquote(v.trim())).unwrap_or_default();
        return vec![(name, value)];
    }
    let mut pairs = Vec::new();
    let mut rest = args;
    while let Some((name, after)) = rest.split_once('=') {
        let name = name.trim().to_string();
        let after = after.trim_start();
        let (value, next) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => {
                // An unterminated quote runs to the end (found by fuzzing).
                let body = &after[1..];
                match body.find(q) {
                    Some(end) => (body[..end].to_string(), &body[end + 1..]),
                    None => (body.to_string(), ""),
                }
            }
            _ => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (after[..end].to_string(), &after[end..])
            }
        };
        pairs.push((name, value));
        rest = next;
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_continuations_and_skips_comments() {
        let d = parse_dockerfile(
            "ARG PY=3.12\nFROM python:${PY}-slim AS base\n# c\nRUN a \\\n  # inside\n  && b\nCMD [\"x\"]\n",
        );
        assert_eq!(d.stages.len(), 1);
        assert_eq!(d.stages[0].image, "python:3.12-slim");
        assert_eq!(d.stages[0].name.as_deref(), Some("base"));
        assert_eq!(
            d.stages[0].instructions[0],
            Instruction {
                line: 4,
                keyword: "RUN".into(),
                args: "a && b".into()
            }
        );
    }

    #[test]
    fn reads_env_forms() {
        assert_eq!(
            assignments("ENV", "A=1 B=\"two words\" C=3"),
            [
                ("A".into(), "1".into()),
                ("B".into(), "two words".into()),
                ("C".into(), "3".into())
            ]
        );
        assert_eq!(
            assignments("ENV", "SECRET_KEY abc def"),
            [("SECRET_KEY".into(), "abc def".into())]
        );
        assert_eq!(
            assignments("ARG", "TOKEN"),
            [("TOKEN".into(), String::new())]
        );
    }

    #[test]
    fn an_unterminated_quote_runs_to_the_end() {
        assert_eq!(assignments("ENV", "A=\""), [("A".into(), String::new())]);
        assert_eq!(assignments("ENV", "A='x y"), [("A".into(), "x y".into())]);
    }

    #[test]
    fn finds_apt_packages() {
        assert_eq!(
            apt_packages(
                "apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev=15 && rm -rf x"
            ),
            ["gcc", "libpq-dev"]
        );
    }

    #[test]
    fn installing_only_the_project_is_not_a_dependency_install() {
        assert!(installs_dependencies("pip install -r requirements.txt"));
        assert!(!installs_dependencies(
            "python -m pip install --no-deps --target /opt/project /src"
        ));
        // One command of the RUN installs everything: still an install.
        assert!(installs_dependencies(
            "pip install --no-deps . && pip install -r requirements.txt"
        ));
    }
}
