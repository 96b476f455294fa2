//! The project's own deployment files, read as evidence: the `web:` line of a
//! `Procfile`, the server line of a boot or entrypoint script, a supervisord
//! program, an existing Dockerfile (`FROM python:X`, `EXPOSE`, `CMD`, its
//! `apt-get install` build packages) and an existing compose file (its web
//! command and ports, its database images). What a project says it runs wins
//! over what inspection would guess.

use super::fact::{Fact, Source};
use super::files::Tree;
use crate::services::{self, Database};

/// A server started by one of the project's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ServerCommand {
    /// `gunicorn`, `uwsgi`, `waitress-serve`, `uvicorn` or `flask run`.
    pub server: &'static str,
    /// The WSGI target as written (`flasky:app`, `CTFd:create_app()`).
    pub target: Option<String>,
    /// The TCP port it binds, when the command names a number.
    pub port: Option<u16>,
    /// `-c FILE`: a gunicorn config file.
    pub config: Option<String>,
    /// `-k CLASS`: gunicorn's worker class, when written literally.
    pub worker_class: Option<String>,
}

impl ServerCommand {
    /// A command of `server` that names only its target and port (the other
    /// servers take no gunicorn config or worker class).
    fn serving(server: &'static str, target: Option<String>, port: Option<u16>) -> Self {
        ServerCommand {
            server,
            target,
            port,
            config: None,
            worker_class: None,
        }
    }
}

/// Everything the deployment files say.
#[derive(Debug, Default)]
pub(super) struct Deployment {
    /// Server commands, most explicit first: `Procfile`, scripts, supervisord,
    /// Dockerfile, compose.
    pub commands: Vec<Fact<ServerCommand>>,
    /// `EXPOSE` of an existing Dockerfile, then the container side of the web
    /// service's compose `ports`.
    pub exposed: Option<Fact<u16>>,
    /// `FROM python:3.11-slim` of an existing Dockerfile: `3.11`.
    pub python: Option<Fact<String>>,
    /// Build packages an existing Dockerfile installs (`*-dev`, compilers).
    pub build_packages: Vec<Fact<String>>,
    /// A compose service running PostgreSQL, MySQL or MariaDB.
    pub database: Option<Fact<Database>>,
    /// A compose service running Redis.
    pub redis: Option<Source>,
    /// The `Procfile`'s other long-running processes (`worker: rq worker
    /// tasks`, `clock: python clock.py`): name and shell command. Its
    /// `release:` line is a one-off step, not a process.
    pub processes: Vec<Fact<Process>>,
    /// One-off steps the project runs before it serves: the `Procfile`'s
    /// `release:` line, and the `flask ...` / `python manage.py ...` lines a
    /// start script runs before its server (`flask deploy`, `flask init-db`).
    pub setup_steps: Vec<Fact<String>>,
    /// The path the project's own healthcheck requests of the app (a
    /// Dockerfile's `HEALTHCHECK`, the built service's compose
    /// `healthcheck`): `curl -f http://localhost:5000/healthz` gives `/healthz`.
    pub health_path: Option<Fact<String>>,
    /// Values the project's deployment gives variables: `ENV` of its
    /// Dockerfile, `environment` of the compose services it builds, then
    /// its environment templates (`.env.example`, `.flaskenv`); the first
    /// of each name.
    pub environment: Vec<Fact<(String, String)>>,
    /// A command of the `Procfile`'s `web:` line or a Dockerfile's `CMD` that
    /// runs a Python script of the project (`python ./run.py -d /data`): the
    /// launcher of a project that starts its own server.
    pub launch_command: Option<Fact<String>>,
}

impl Deployment {
    /// Keeps the first value given to `name`.
    fn set_variable(&mut self, name: &str, value: &str, source: Source) {
        if !self.environment.iter().any(|f| f.value.0 == name) {
            let value = (name.to_string(), value.to_string());
            self.environment.push(Fact::new(value, source));
        }
    }
}

/// A compose service's `environment`, as a list of `NAME=value` or a
/// mapping; a name given no value sets nothing.
fn compose_environment(service: &serde_norway::Value) -> Vec<(String, String)> {
    match service.get("environment") {
        Some(serde_norway::Value::Sequence(items)) => items
            .iter()
            .filter_map(|item| item.as_str()?.split_once('='))
            .map(|(name, value)| (name.trim().to_string(), value.to_string()))
            .collect(),
        Some(serde_norway::Value::Mapping(map)) => map
            .iter()
            .filter_map(|(name, value)| {
                let value = match value {
                    serde_norway::Value::String(s) => s.clone(),
                    serde_norway::Value::Number(n) => n.to_string(),
                    serde_norway::Value::Bool(b) => b.to_string(),
                    _ => return None,
                };
                Some((name.as_str()?.to_string(), value))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A long-running process a `Procfile` declares besides `web`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Process {
    /// Its `Procfile` name, lower-cased (`worker`).
    pub name: String,
    /// The shell command, as written.
    pub command: String,
}

/// Folders that hold how a project is deployed: its Dockerfile, compose
/// file and start scripts, at any depth of them (`deploy/docker/`,
/// `docker/production/`); not a development or test setup's (`docker/dev/`).
const DEPLOY_DIRS: &[&str] = &[
    "docker",
    ".docker",
    "deploy",
    "deployment",
    "production",
    "prod",
    "container",
    "containers",
];

/// Folders under a deployment folder that hold another setup than the
/// deployed one: development, tests, examples, documentation.
const NOT_DEPLOYED_DIRS: &[&str] = &[
    "dev",
    "develop",
    "development",
    "local",
    "test",
    "tests",
    "e2e",
    "ci",
    "example",
    "examples",
    "docs",
    "demo",
];

/// The files at a project's root that show the variables it expects, with
/// example values.
const ENV_TEMPLATES: &[&str] = &[
    ".flaskenv",
    ".env.example",
    ".env.sample",
    ".env.template",
    ".env.dist",
    "env.example",
    "example.env",
    "sample.env",
];

/// Folders that hold scripts of how a project runs, besides [`DEPLOY_DIRS`].
const SCRIPT_DIRS: &[&str] = &["bin", "scripts", "shell_scripts"];

pub(super) fn detect(tree: &Tree) -> Deployment {
    let mut found = Deployment::default();
    let read = |path: &str| tree.read(path).ok();

    if let Some(text) = read("Procfile") {
        read_procfile(&text, &mut found);
    }
    for path in tree.files.iter().filter(|f| is_script(f)) {
        let Some(text) = read(path) else { continue };
        let mut steps = Vec::new();
        for (line, command) in joined_lines(&text, '\\') {
            // `exec gunicorn ...` or a bare `gunicorn ...`: not an `echo` of one.
            if let Some(server) = server_command(&command) {
                found.commands.push(Fact::new(
                    server,
                    Source::at(path, line).with_note("its start script"),
                ));
                found.setup_steps.append(&mut steps);
                break;
            }
            if let Some(step) = setup_step(&command) {
                steps.push(Fact::new(step, Source::at(path, line)));
            }
        }
    }
    for path in tree.files.iter().filter(|f| is_supervisor_config(f)) {
        let Some(text) = read(path) else { continue };
        if !text.contains("[program:") {
            continue;
        }
        for (line, command) in supervisor_commands(&text) {
            if let Some(server) = server_command(&command) {
                found.commands.push(Fact::new(
                    server,
                    Source::at(path, line).with_note("a supervisord program"),
                ));
            }
        }
    }
    // Of several uWSGI configs (one per service), the one named plainly
    // `uwsgi.ini` is the site's: `api_compat/uwsgi-api-compat.ini` is another.
    let mut ini_configs: Vec<&String> = tree.files.iter().filter(|f| is_ini_config(f)).collect();
    ini_configs.sort_by_key(|path| file_name(without_template_suffix(path)) != "uwsgi.ini");
    for path in ini_configs {
        let Some(text) = read(path) else { continue };
        if let Some((line, server)) = uwsgi_ini(&text) {
            found.commands.push(Fact::new(
                server,
                Source::at(path, line).with_note("its uWSGI config"),
            ));
        }
    }
    for path in tree.files.iter().filter(|f| is_dockerfile(f)) {
        let Some(text) = read(path) else { continue };
        read_dockerfile(path, &text, &mut found);
    }
    for path in tree.files.iter().filter(|f| is_compose_file(f)) {
        let Some(text) = read(path) else { continue };
        read_compose(tree, path, &text, &mut found);
    }
    // The project's own environment templates, after its deployment files
    // (never `.env`: its values are the developer's secrets).
    for path in ENV_TEMPLATES {
        let Some(text) = read(path) else { continue };
        for (line, name, value) in super::flaskenv::parse_dotenv(&text) {
            let at = Source::at(*path, line).with_note("the project's environment template");
            found.set_variable(&name, &value, at);
        }
    }
    // nginx in the project's own image (EXPOSE 80, supervisord running both)
    // publishes its port; the app's is the one nginx passes requests to.
    if let Some(exposed) = &found.exposed
        && matches!(exposed.value, 80 | 443)
        && let Some(upstream) = nginx_local_upstream(tree)
    {
        let note = format!(
            "nginx in the project's image passes port {} to it",
            exposed.value
        );
        found.exposed = Some(Fact::new(upstream.value, upstream.source.with_note(note)));
    }
    found
}

/// The `Procfile`'s lines: its `web:` server or launcher, its `release:`
/// step and its other processes.
fn read_procfile(text: &str, found: &mut Deployment) {
    for (line, command) in joined_lines(text, '\\') {
        let Some((name, rest)) = command.split_once(':') else {
            continue;
        };
        let (name, rest) = (name.trim(), rest.trim());
        if name != "web" {
            let is_name = !name.is_empty()
                && name.len() <= 40
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if name == "release" && !rest.is_empty() {
                found
                    .setup_steps
                    .push(Fact::new(rest.to_string(), Source::at("Procfile", line)));
            } else if is_name && !rest.is_empty() {
                let process = Process {
                    name: name.to_ascii_lowercase(),
                    command: rest.to_string(),
                };
                found
                    .processes
                    .push(Fact::new(process, Source::at("Procfile", line)));
            }
            continue;
        }
        if let Some(server) = server_command(rest) {
            found.commands.push(Fact::new(
                server,
                Source::at("Procfile", line).with_note("its web process"),
            ));
        } else if let Some(command) = launch_command(rest) {
            found.launch_command.get_or_insert(Fact::new(
                command,
                Source::at("Procfile", line).with_note("its web process"),
            ));
        }
    }
}

/// Web servers and proxies whose image a compose service may build from.
const PROXY_IMAGES: &[&str] = &["nginx", "caddy", "httpd", "traefik", "haproxy", "openresty"];

/// Whether a compose service's `build` (a context, or a context and a
/// `dockerfile`) makes an image whose last stage is a web server or proxy.
fn builds_a_proxy(tree: &Tree, compose: &str, build: &serde_norway::Value) -> bool {
    let (context, dockerfile) = match build {
        serde_norway::Value::String(context) => (context.as_str(), "Dockerfile"),
        serde_norway::Value::Mapping(_) => (
            build.get("context").and_then(|c| c.as_str()).unwrap_or("."),
            build
                .get("dockerfile")
                .and_then(|d| d.as_str())
                .unwrap_or("Dockerfile"),
        ),
        _ => return false,
    };
    let Ok(text) = tree.read(&super::files::resolve(
        compose,
        &format!("{context}/{dockerfile}"),
    )) else {
        return false;
    };
    let last_from = text.lines().rev().find_map(|l| {
        l.trim()
            .strip_prefix("FROM ")
            .or_else(|| l.trim().strip_prefix("from "))
    });
    last_from
        .and_then(|from| from.split_whitespace().find(|w| !w.starts_with("--")))
        .is_some_and(|image| PROXY_IMAGES.contains(&services::image_base(image)))
}

/// The port an nginx config of the project passes requests to on its own
/// host (`proxy_pass http://127.0.0.1:8000;`): nginx then runs beside the
/// app in one container. One passing to another service (`http://web:8000`)
/// is a proxy of its own.
fn nginx_local_upstream(tree: &Tree) -> Option<Fact<u16>> {
    let configs = tree
        .files
        .iter()
        .filter(|f| f.ends_with(".conf") && f.contains("nginx") && !crate::syntax::is_test_path(f));
    configs.into_iter().find_map(|path| {
        let text = tree.read(path).ok()?;
        text.lines().enumerate().find_map(|(index, line)| {
            let rest = line.trim().strip_prefix("proxy_pass")?.trim();
            let address = rest
                .strip_prefix("http://")?
                .trim_end_matches(';')
                .trim_end_matches('/');
            let (host, port) = address.split_once(':')?;
            let port = port.split('/').next()?.parse::<u16>().ok()?;
            matches!(host, "127.0.0.1" | "localhost" | "0.0.0.0")
                .then(|| Fact::new(port, Source::at(path, index + 1)))
        })
    })
}

/// Whether `path` is at the root, or in a folder each of whose parts is one
/// of `dirs` or of [`DEPLOY_DIRS`].
fn in_deploy_dirs(path: &str, dirs: &[&str]) -> bool {
    let Some((dir, _)) = path.rsplit_once('/') else {
        return true;
    };
    dir.split('/')
        .all(|part| DEPLOY_DIRS.contains(&part) || dirs.contains(&part))
}

/// A file in any folder under a deployment folder (`docker/release/web/`),
/// but not a development, test or example setup's (`docker/dev/`,
/// `docker/e2e/`). (A Dockerfile there is often another service's:
/// `docker/influxdb/Dockerfile`; a start script that runs a WSGI server is
/// the app's.)
fn under_deploy_dir(path: &str) -> bool {
    let Some((dir, _)) = path.rsplit_once('/') else {
        return false;
    };
    dir.split('/')
        .next()
        .is_some_and(|first| DEPLOY_DIRS.contains(&first))
        && !dir.split('/').any(|part| NOT_DEPLOYED_DIRS.contains(&part))
}

pub(super) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn is_script(path: &str) -> bool {
    path.ends_with(".sh")
        && (in_deploy_dirs(path, SCRIPT_DIRS) || under_deploy_dir(path))
        && !crate::syntax::is_test_path(path)
}

/// A config file's path without the suffix of the template it is rendered
/// from at deployment (`uwsgi.ini.ctmpl` for consul-template, `.j2` for Jinja).
fn without_template_suffix(path: &str) -> &str {
    [".ctmpl", ".tmpl", ".j2", ".jinja", ".template"]
        .iter()
        .find_map(|suffix| path.strip_suffix(suffix))
        .unwrap_or(path)
}

fn is_ini_config(path: &str) -> bool {
    without_template_suffix(path).ends_with(".ini")
        && (in_deploy_dirs(path, &["uwsgi", "conf", "config", "etc"]) || under_deploy_dir(path))
        && !crate::syntax::is_test_path(path)
}

/// The `[uwsgi]` section of an ini file, read as the command line it stands
/// for (`module = manage` and `callable = application` are `--module manage
/// --callable application`), with the line naming the module (else the
/// section's); `None` when it names neither a target nor a port.
fn uwsgi_ini(text: &str) -> Option<(usize, ServerCommand)> {
    let mut line = None;
    let mut module_line = None;
    let mut args = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if trimmed.starts_with('[') {
            if line.is_some() {
                break;
            }
            if trimmed == "[uwsgi]" {
                line = Some(i + 1);
            }
            continue;
        }
        if line.is_none() || trimmed.starts_with([';', '#']) {
            continue;
        }
        if let Some((key, value)) = trimmed.split_once('=') {
            if matches!(key.trim(), "module" | "wsgi" | "wsgi-file") {
                module_line.get_or_insert(i + 1);
            }
            args.push(format!("--{}", key.trim()));
            args.push(value.trim().to_string());
        }
    }
    let server = uwsgi(&args)?;
    (server.target.is_some() || server.port.is_some()).then_some((module_line.or(line)?, server))
}

fn is_supervisor_config(path: &str) -> bool {
    path.ends_with(".conf") && path.split('/').count() <= 2 && !crate::syntax::is_test_path(path)
}

fn is_dockerfile(path: &str) -> bool {
    let name = file_name(path);
    let named = name == "Dockerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile");
    // A development image (`Dockerfile.dev`, `dev.dockerfile`) says less
    // about production.
    let development = name.ends_with(".dev") || name.starts_with("dev.");
    named && in_deploy_dirs(path, &[]) && !development
}

fn is_compose_file(path: &str) -> bool {
    let name = file_name(path);
    let stem = name
        .strip_suffix(".yml")
        .or_else(|| name.strip_suffix(".yaml"));
    stem.is_some_and(|s| s.starts_with("docker-compose") || s.starts_with("compose"))
        && in_deploy_dirs(path, &[])
}

/// Logical lines with their first physical line: comments dropped, lines
/// ending in `continuation` joined to the next.
fn joined_lines(text: &str, continuation: char) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if trimmed.starts_with('#') && current.is_none() {
            continue;
        }
        let (start, mut text) = current.take().unwrap_or((i + 1, String::new()));
        match trimmed.strip_suffix(continuation) {
            Some(head) => {
                text.push_str(head);
                text.push(' ');
                current = Some((start, text));
            }
            None => {
                text.push_str(trimmed);
                out.push((start, text));
            }
        }
    }
    out.extend(current);
    out
}

/// `command=` of each supervisord program, with its indented continuation lines.
fn supervisor_commands(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut open = false;
    for (i, line) in text.lines().enumerate() {
        if open && line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            if let Some((_, command)) = out.last_mut() {
                command.push(' ');
                command.push_str(line.trim());
            }
            continue;
        }
        open = false;
        if let Some(value) = line.trim().strip_prefix("command")
            && let Some(value) = value.trim_start().strip_prefix('=')
        {
            out.push((i + 1, value.trim().to_string()));
            open = true;
        }
    }
    out
}

/// The server a shell line starts, if it starts one: `exec`, variable
/// assignments, `python -m` and the path of the program are looked through,
/// and each `;`/`&&`/`||` part is read on its own.
fn server_command(line: &str) -> Option<ServerCommand> {
    for part in line.split([';', '|', '&']) {
        let Ok(words) = shell_words::split(part.trim()) else {
            continue;
        };
        let mut words = words.as_slice();
        while let [first, rest @ ..] = words {
            let assignment = first.contains('=') && !first.starts_with('-');
            if first == "exec" || first == "env" || assignment {
                words = rest;
            } else {
                break;
            }
        }
        if let [python, flag, rest @ ..] = words
            && file_name(python).starts_with("python")
            && flag == "-m"
        {
            words = rest;
        }
        let [program, args @ ..] = words else {
            continue;
        };
        let command = match file_name(program) {
            "gunicorn" => gunicorn(args),
            "uwsgi" => uwsgi(args),
            "waitress-serve" => waitress(args),
            "uvicorn" => uvicorn(args),
            "flask" => flask_run(args),
            _ => None,
        };
        if command.is_some() {
            return command;
        }
    }
    None
}

/// `python ./run.py -d /data`: the words of a command that runs a Python
/// script (after `exec`, `env` and assignments), as one line.
fn launch_command(line: &str) -> Option<String> {
    let words = shell_words::split(line.trim()).ok()?;
    let start = words
        .iter()
        .position(|w| !(w == "exec" || w == "env" || w.contains('=') && !w.starts_with('-')))?;
    let words = &words[start..];
    match words {
        [python, script, ..]
            if file_name(python).starts_with("python") && script.ends_with(".py") =>
        {
            Some(shell_words::join(words))
        }
        _ => None,
    }
}

/// `flask deploy`, `flask --app x init-db`, `python manage.py create_db`: a
/// command of the app's own CLI, run once before it serves.
fn setup_step(line: &str) -> Option<String> {
    let words = shell_words::split(line.trim()).ok()?;
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let command = match words.as_slice() {
        ["flask", rest @ ..] | [_, "-m", "flask", rest @ ..] => {
            let first = rest.iter().find(|w| !w.starts_with('-'))?;
            (!matches!(*first, "run" | "shell" | "routes")).then(|| line.trim())
        }
        [python, "manage.py", sub, ..] if python.starts_with("python") => {
            (!matches!(*sub, "run" | "runserver" | "shell")).then(|| line.trim())
        }
        _ => None,
    }?;
    Some(command.to_string())
}

/// gunicorn's options that take no value; every other option does.
const GUNICORN_FLAGS: &[&str] = &[
    "--reload",
    "--preload",
    "-D",
    "--daemon",
    "--capture-output",
    "--enable-stdio-inheritance",
    "--check-config",
    "--print-config",
    "--spew",
    "--no-sendfile",
    "--reuse-port",
    "--strip-header-spaces",
    "-R",
    "--help",
    "-v",
    "--version",
];

fn gunicorn(args: &[String]) -> Option<ServerCommand> {
    let mut command = ServerCommand::serving("gunicorn", None, None);
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        let (option, inline) = match arg.split_once('=') {
            Some((o, v)) if o.starts_with("--") => (o, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        if !option.starts_with('-') {
            if command.target.is_none() && is_target(arg) {
                command.target = Some(with_default_object(arg, "application"));
            }
            i += 1;
            continue;
        }
        if GUNICORN_FLAGS.contains(&option) {
            i += 1;
            continue;
        }
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                match args.get(i) {
                    Some(v) => v.clone(),
                    None => break,
                }
            }
        };
        match option {
            "-b" | "--bind" if command.port.is_none() => command.port = bind_port(&value),
            "-c" | "--config" => command.config = Some(value),
            "-k" | "--worker-class" if !value.contains('$') => command.worker_class = Some(value),
            _ => {}
        }
        i += 1;
    }
    Some(command)
}

fn uwsgi(args: &[String]) -> Option<ServerCommand> {
    let mut command = ServerCommand::serving("uwsgi", None, None);
    let mut callable = None;
    for (option, value) in option_pairs(args) {
        match option {
            "--http" | "--http-socket" | "--socket" | "-s" => {
                command.port = command.port.or_else(|| bind_port(value))
            }
            "--module" | "-w" | "--wsgi" => command.target = Some(value.replace('/', ".")),
            "--wsgi-file" => command.target = Some(value.trim_end_matches(".py").replace('/', ".")),
            "--callable" => callable = Some(value),
            _ => {}
        }
    }
    if let (Some(target), Some(callable)) = (&mut command.target, callable)
        && !target.contains(':')
    {
        *target = format!("{target}:{callable}");
    }
    command.target = command
        .target
        .filter(|t| is_target(t))
        .map(|t| with_default_object(&t, "application"));
    Some(command)
}

fn waitress(args: &[String]) -> Option<ServerCommand> {
    let mut port = None;
    for (option, value) in option_pairs(args) {
        match option {
            "--port" => port = value.parse().ok(),
            "--listen" => port = port.or_else(|| bind_port(value)),
            _ => {}
        }
    }
    let target = args
        .iter()
        .rev()
        .find(|a| !a.starts_with('-') && is_target(a))
        .map(|t| with_default_object(t, "application"));
    Some(ServerCommand::serving("waitress-serve", target, port))
}

fn uvicorn(args: &[String]) -> Option<ServerCommand> {
    let mut port = None;
    let mut target = None;
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if let Some(value) = arg.strip_prefix("--port=") {
            port = value.parse().ok();
        } else if arg == "--port" {
            port = args.get(i + 1).and_then(|v| v.parse().ok());
            i += 1;
        } else if arg.starts_with('-') {
            if matches!(
                arg.as_str(),
                "--host" | "--workers" | "--log-level" | "--root-path"
            ) {
                i += 1;
            }
        } else if target.is_none() && is_target(arg) && arg.contains(':') {
            target = Some(arg.clone());
        }
        i += 1;
    }
    Some(ServerCommand::serving("uvicorn", target, port))
}

/// `flask [--app X] run [--port N]`; other `flask` commands start no server.
fn flask_run(args: &[String]) -> Option<ServerCommand> {
    let run = args.iter().position(|a| a == "run")?;
    let mut target = None;
    let mut port = None;
    for (option, value) in option_pairs(&args[..run]) {
        if matches!(option, "--app" | "-A") {
            target = Some(value.to_string());
        }
    }
    for (option, value) in option_pairs(&args[run + 1..]) {
        if matches!(option, "--port" | "-p") {
            port = value.parse().ok();
        }
    }
    Some(ServerCommand::serving(
        "flask run",
        target.filter(|t| is_target(t)),
        port,
    ))
}

/// `--option value` and `--option=value` pairs.
fn option_pairs(args: &[String]) -> Vec<(&str, &str)> {
    let mut pairs = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        if let Some((option, value)) = arg.split_once('=').filter(|(o, _)| o.starts_with('-')) {
            pairs.push((option, value));
        } else if arg.starts_with('-')
            && let Some(value) = args.get(i + 1).filter(|v| !v.starts_with('-'))
        {
            pairs.push((arg, value.as_str()));
            i += 1;
        }
        i += 1;
    }
    pairs
}

/// `module`, `pkg.module:object` or `pkg:factory(args)`, as gunicorn reads it.
fn is_target(text: &str) -> bool {
    let (module, object) = text.split_once(':').unwrap_or((text, "app"));
    let name = |s: &str| {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && chars.all(|c| c.is_alphanumeric() || c == '_')
    };
    let object_name = object.split('(').next().unwrap_or(object);
    module.split('.').all(name)
        && object_name.split('.').all(name)
        && (!object.contains('(') || object.ends_with(')'))
        && !text.contains('$')
}

/// A bare module names the server's default object (`application`).
fn with_default_object(target: &str, object: &str) -> String {
    if target.contains(':') {
        target.to_string()
    } else {
        format!("{target}:{object}")
    }
}

/// The port of a bind address: `:5000`, `0.0.0.0:5000`, `[::]:5000`,
/// `0.0.0.0:${PORT:-5000}` (the shell default); none for a Unix socket or a
/// bare variable.
pub(super) fn bind_port(bind: &str) -> Option<u16> {
    if bind.starts_with("unix:") || bind.starts_with("fd://") || bind.starts_with('/') {
        return None;
    }
    let port = bind.rsplit_once(':').map_or(bind, |(_, p)| p);
    let port = port.trim_end_matches('}');
    let port = port.rsplit_once(":-").map_or(port, |(_, default)| default);
    let port = port.rsplit_once('-').map_or(port, |(_, default)| default);
    port.parse().ok().filter(|&p| p > 0)
}

/// Build packages an image installs: headers and compilers, not tools.
fn is_build_package(name: &str) -> bool {
    name.ends_with("-dev")
        || matches!(
            name,
            "build-essential" | "gcc" | "g++" | "make" | "pkg-config" | "cmake" | "rustc" | "cargo"
        )
}

/// A package of another release or distribution under the name the
/// generated image's Debian gives it; `None` for one it must not install:
/// Python's headers (`python-dev` is Python 2's and gone from Debian; the
/// Python image carries its own) and names with shell syntax.
fn on_debian(package: &str) -> Option<&str> {
    let python_headers = package
        .strip_prefix("python")
        .and_then(|rest| rest.strip_suffix("-dev"))
        .is_some_and(|version| !version.contains('-'));
    if python_headers || package.contains(['$', '{', '`', '\\', '"', '\'']) {
        return None;
    }
    Some(match package {
        // Ubuntu's names, and releases' old ones.
        "libmysqlclient-dev" => "default-libmysqlclient-dev",
        "libssl1.0-dev" | "libssl1.1-dev" => "libssl-dev",
        "libpng12-dev" => "libpng-dev",
        "libjpeg8-dev" | "libjpeg62-dev" => "libjpeg-dev",
        "libgdbm3-dev" => "libgdbm-dev",
        "libreadline6-dev" => "libreadline-dev",
        other => other,
    })
}

/// The build packages a `RUN` line installs with `apt-get install`.
fn apt_build_packages(run: &str, at: &Source, found: &mut Deployment) {
    for part in run.split("&&").flat_map(|p| p.split(';')) {
        let words: Vec<&str> = part.split_whitespace().collect();
        let Some(install) = words
            .windows(2)
            .position(|w| matches!(w[0], "apt-get" | "apt") && w[1] == "install")
        else {
            continue;
        };
        for package in words[install + 2..].iter().filter(|w| !w.starts_with('-')) {
            let package = package.split('=').next().unwrap_or(package);
            let Some(package) = on_debian(package) else {
                continue;
            };
            if is_build_package(package) && !found.build_packages.iter().any(|p| p.value == package)
            {
                found.build_packages.push(Fact::new(
                    package.to_string(),
                    at.clone()
                        .with_note("installed by the project's Dockerfile"),
                ));
            }
        }
    }
}

fn read_dockerfile(path: &str, text: &str, found: &mut Deployment) {
    let mut exposed = None;
    let mut commands = Vec::new();
    // `ARG port=5000` and `ENV PORT=$port`: what `EXPOSE $PORT` exposes.
    let mut variables = std::collections::HashMap::new();
    // `ARG PYTHON_VERSION=3.13`, for a base that is no Python image (Wolfi's
    // `apk add python-${PYTHON_VERSION}`) or names it through the argument.
    let mut python_arg = None;
    for (line, instruction) in joined_lines(text, '\\') {
        let (keyword, rest) = instruction
            .split_once(char::is_whitespace)
            .unwrap_or((instruction.as_str(), ""));
        let rest = rest.trim();
        let at = || Source::at(path, line);
        match keyword.to_ascii_uppercase().as_str() {
            "FROM" => {
                // `python:3.11-slim`, or a publisher's build of it
                // (`metabrainz/python:3.13-20260216`).
                let image = rest.split_whitespace().find(|w| !w.starts_with("--"));
                let tag = image
                    .filter(|image| services::image_base(image) == "python")
                    .and_then(|image| image.split('@').next()?.rsplit_once(':'))
                    .map(|(_, tag)| tag);
                if let Some(minor) = tag.and_then(super::python::minor_of)
                    && found.python.is_none()
                {
                    found.python =
                        Some(Fact::new(minor, at().with_note("the project's Dockerfile")));
                }
            }
            "ARG" => {
                for (name, value) in assignments(rest) {
                    if python_arg.is_none()
                        && matches!(name.as_str(), "PYTHON_VERSION" | "PY_VERSION")
                        && let Some(minor) = super::python::minor_of(&value)
                    {
                        let at = at().with_note(format!("the project's Dockerfile `ARG {name}`"));
                        python_arg = Some(Fact::new(minor, at));
                    }
                    variables.insert(name, value);
                }
            }
            "ENV" => {
                for (name, value) in assignments(rest) {
                    found.set_variable(&name, &value, at().with_note("the project's Dockerfile"));
                    variables.insert(name, value);
                }
            }
            "HEALTHCHECK" if found.health_path.is_none() && !crate::syntax::is_test_path(path) => {
                found.health_path = local_url_path(rest)
                    .map(|p| Fact::new(p, at().with_note("the project's Dockerfile HEALTHCHECK")));
            }
            "EXPOSE" => {
                let port = rest
                    .split_whitespace()
                    .next()
                    .and_then(|p| expand(p.split('/').next()?, &variables, 4))
                    .and_then(|p| p.parse::<u16>().ok());
                if let Some(port) = port {
                    exposed.get_or_insert(Fact::new(port, at().with_note("EXPOSE")));
                }
            }
            "CMD" | "ENTRYPOINT" => {
                let command = match serde_json::from_str::<Vec<String>>(rest) {
                    Ok(words) => shell_words::join(words),
                    Err(_) => rest.to_string(),
                };
                if let Some(server) = server_command(&command) {
                    commands.push(Fact::new(
                        server,
                        at().with_note("the project's Dockerfile"),
                    ));
                } else if let Some(command) = launch_command(&command) {
                    found.launch_command.get_or_insert(Fact::new(
                        command,
                        at().with_note("the project's Dockerfile"),
                    ));
                }
            }
            "RUN" => apt_build_packages(rest, &at(), found),
            _ => {}
        }
    }
    found.exposed = found.exposed.take().or(exposed);
    found.python = found.python.take().or(python_arg);
    found.commands.extend(commands);
    // A compiler alone is often for a tool of the build; headers say a
    // dependency is compiled against a library, and then the compiler with them.
    if !found
        .build_packages
        .iter()
        .any(|p| p.value.ends_with("-dev"))
    {
        found.build_packages.clear();
    }
}

/// The path of the first URL of the container itself in a healthcheck
/// command (`curl -f http://localhost:${PORT}/healthz || exit 1` gives
/// `/healthz`; `urlopen('http://127.0.0.1:8080/api/ping')`, `/api/ping`).
fn local_url_path(command: &str) -> Option<String> {
    command.match_indices("http://").find_map(|(at, scheme)| {
        let rest = &command[at + scheme.len()..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '|' | ';' | ')' | ','))
            .unwrap_or(rest.len());
        let url = &rest[..end];
        let (authority, path) = url.split_once('/').unwrap_or((url, ""));
        let host = authority.split(':').next().unwrap_or(authority);
        let local = matches!(host, "localhost" | "127.0.0.1" | "0.0.0.0" | "[::1]");
        let path = format!("/{}", path.split(['?', '#']).next().unwrap_or(""));
        (local && crate::safe::is_url_path(&path)).then_some(path)
    })
}

/// A compose command (`command`, a healthcheck's `test`) as one shell line:
/// a string as written, a list of words joined.
fn command_line(value: Option<&serde_norway::Value>) -> Option<String> {
    match value? {
        serde_norway::Value::String(s) => Some(s.clone()),
        serde_norway::Value::Sequence(words) => {
            Some(shell_words::join(words.iter().filter_map(|w| w.as_str())))
        }
        _ => None,
    }
}

/// The `NAME=value` pairs of an `ARG` or `ENV` instruction (`ENV NAME value`,
/// the older form, too; an `ARG` without a default sets nothing).
fn assignments(rest: &str) -> Vec<(String, String)> {
    let Ok(words) = shell_words::split(rest) else {
        return Vec::new();
    };
    match words.as_slice() {
        [name, value] if !name.contains('=') => vec![(name.clone(), value.clone())],
        words => words
            .iter()
            .filter_map(|w| w.split_once('='))
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect(),
    }
}

/// A Dockerfile word with `$NAME`, `${NAME}` or `${NAME:-default}` replaced
/// by what the file's `ARG`/`ENV` set, `depth` levels deep; a word without
/// a variable as it is. `None` when a variable has no value.
fn expand(
    word: &str,
    variables: &std::collections::HashMap<String, String>,
    depth: u8,
) -> Option<String> {
    let Some(reference) = word.strip_prefix('$') else {
        return Some(word.to_string());
    };
    let (name, fallback) = match reference.strip_prefix('{') {
        Some(braced) => {
            let inner = braced.strip_suffix('}')?;
            match inner.split_once(":-") {
                Some((name, fallback)) => (name, Some(fallback)),
                None => (inner, None),
            }
        }
        None => (reference, None),
    };
    let value = variables
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .or(fallback)?;
    match depth {
        0 => None,
        _ => expand(value, variables, depth - 1),
    }
}

fn read_compose(tree: &Tree, path: &str, text: &str, found: &mut Deployment) {
    let Ok(doc) = serde_norway::from_str::<serde_norway::Value>(text) else {
        return;
    };
    let Some(services) = doc.get("services").and_then(|s| s.as_mapping()) else {
        return;
    };
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map_or(1, |i| i + 1)
    };
    // (A test setup's file sets the variables its tests need.)
    let test_setup = file_name(path).contains("test") || crate::syntax::is_test_path(path);
    for (name, service) in services {
        let name = name.as_str().unwrap_or("");
        if let Some(image) = service.get("image").and_then(|i| i.as_str()) {
            let at =
                Source::at(path, line_of(image)).with_note(format!("compose service `{name}`"));
            if let Some(database) = Database::of_image(image) {
                found.database.get_or_insert(Fact::new(database, at));
            } else if services::REDIS
                .images
                .contains(&services::image_base(image))
            {
                found.redis.get_or_insert(at);
            }
        }
        let Some(build) = service.get("build") else {
            continue;
        };
        // A front end or proxy the project builds (its image ends `FROM nginx`)
        // publishes its own port, not the app's.
        if builds_a_proxy(tree, path, build) {
            continue;
        }
        let environment = match test_setup {
            true => Vec::new(),
            false => compose_environment(service),
        };
        for (variable, value) in environment {
            let at = Source::at(path, line_of(&format!("{variable}=")))
                .with_note(format!("compose service `{name}`"));
            found.set_variable(&variable, &value, at);
        }
        let check = command_line(service.get("healthcheck").and_then(|h| h.get("test")));
        // (A test setup's check waits for what its tests need.)
        if found.health_path.is_none()
            && !crate::syntax::is_test_path(path)
            && let Some(health) = check.as_deref().and_then(local_url_path)
        {
            let at = Source::at(path, line_of("healthcheck"))
                .with_note(format!("compose service `{name}`'s healthcheck"));
            found.health_path = Some(Fact::new(health, at));
        }
        let command = command_line(service.get("command"));
        if let Some(server) = command.as_deref().and_then(server_command) {
            let needle = command.as_deref().unwrap_or("command");
            let first = needle.lines().next().unwrap_or(needle);
            let at = Source::at(
                path,
                line_of(first.get(..first.len().min(40)).unwrap_or(first)),
            )
            .with_note(format!("compose service `{name}`"));
            found.commands.push(Fact::new(server, at));
        }
        let port = service
            .get("ports")
            .and_then(|p| p.as_sequence())
            .and_then(|ports| ports.first())
            .and_then(|port| match port {
                // `${PORT:-8080}:${PORT:-8080}`: what compose publishes by default.
                serde_norway::Value::String(s) => crate::substitute::expand_defaults(s)
                    .rsplit(':')
                    .next()?
                    .split('/')
                    .next()?
                    .parse()
                    .ok(),
                serde_norway::Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
                serde_norway::Value::Mapping(_) => port
                    .get("target")?
                    .as_u64()
                    .and_then(|n| u16::try_from(n).ok()),
                _ => None,
            });
        if let Some(port) = port
            && found.exposed.is_none()
        {
            let at =
                Source::at(path, line_of("ports")).with_note(format!("compose service `{name}`"));
            found.exposed = Some(Fact::new(port, at));
        }
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // the tests build projects on disk
mod tests {
    use super::*;

    use super::super::files::scanned as tree;

    #[test]
    fn a_command_that_runs_a_python_script_is_a_launch_command() {
        for (line, expected) in [
            (
                "python ./run.py -d /datastore",
                Some("python ./run.py -d /datastore"),
            ),
            ("exec env DEBUG=0 python3 cps.py", Some("python3 cps.py")),
            (
                "/usr/local/bin/python 'my app.py'",
                Some("/usr/local/bin/python 'my app.py'"),
            ),
            ("python -m shop", None),
            ("python", None),
            ("./docker-entrypoint.sh", None),
            ("celery -A shop worker", None),
        ] {
            assert_eq!(launch_command(line).as_deref(), expected, "{line}");
        }
        // Read from a Dockerfile's CMD (JSON or shell form) when it is no server.
        let mut found = Deployment::default();
        read_dockerfile(
            "Dockerfile",
            "FROM python:3.12\nCMD [\"python\", \"./run.py\", \"-d\", \"/data\"]\n",
            &mut found,
        );
        let command = found.launch_command.unwrap();
        assert_eq!(command.value, "python ./run.py -d /data");
        assert_eq!(command.source.to_string(), "Dockerfile:2");
    }

    #[test]
    fn nginx_beside_the_app_in_its_image_gives_the_app_its_upstream_port() {
        let conf = |upstream: &str| {
            format!(
                "server {{\n    listen 80;\n    location / {{\n        proxy_pass  {upstream};\n    }}\n}}\n"
            )
        };
        let local = conf("http://127.0.0.1:8000");
        let (_dir, found) = tree(&[
            ("docker/Dockerfile", "FROM python:3.12-slim\nEXPOSE 80\n"),
            ("docker/nginx/default.conf", &local),
        ]);
        let exposed = detect(&found).exposed.unwrap();
        assert_eq!(exposed.value, 8000);
        assert_eq!(exposed.source.to_string(), "docker/nginx/default.conf:4");

        // A proxy service in front of another service is not the app's container.
        let other = conf("http://web:5000");
        let (_dir, found) = tree(&[
            ("docker/Dockerfile", "FROM python:3.12-slim\nEXPOSE 80\n"),
            ("docker/nginx/default.conf", &other),
        ]);
        assert_eq!(detect(&found).exposed.map(|p| p.value), Some(80));
    }

    #[test]
    fn values_given_to_variables_come_from_deployment_files_then_env_templates() {
        let (_dir, found) = tree(&[
            (
                "docker-compose.yml",
                "services:\n  web:\n    build: .\n    environment:\n      - APP_SETTINGS=shop.config.Deployed\n  db:\n    image: postgres:17\n    environment:\n      POSTGRES_PASSWORD: not-the-apps\n",
            ),
            (
                "docker-compose.test.yml",
                "services:\n  web:\n    build: .\n    environment:\n      MODE: testing\n",
            ),
            (
                ".env.example",
                "APP_SETTINGS=shop.config.Example\nMODE=production\n",
            ),
            (".env", "SECRET_TOKEN=abc123\n"),
        ]);
        let found = detect(&found);
        let values: Vec<(&str, &str, String)> = found
            .environment
            .iter()
            .map(|f| (f.value.0.as_str(), f.value.1.as_str(), f.source.to_string()))
            .collect();
        assert_eq!(
            values,
            [
                (
                    "APP_SETTINGS",
                    "shop.config.Deployed",
                    "docker-compose.yml:5".to_string()
                ),
                ("MODE", "production", ".env.example:2".to_string()),
            ]
        );
    }

    #[test]
    fn deployment_files_are_read_in_nested_deployment_folders_only() {
        let (_dir, found) = tree(&[
            (
                "deploy/docker/Dockerfile",
                "FROM python:3.13-slim\nEXPOSE 8080\nENTRYPOINT [\"./entrypoint.sh\"]\n",
            ),
            (
                "deploy/docker/entrypoint.sh",
                "#!/bin/sh\nexec python3 -m gunicorn --bind \"0.0.0.0:8080\" 'shop.app:create_docker_app()'\n",
            ),
            ("docker/dev/Dockerfile", "FROM python:3.9\nEXPOSE 5000\n"),
            (
                "docker/e2e/docker-entrypoint.sh",
                "#!/bin/sh\ngunicorn -b 0.0.0.0:80 shop.app:create_test_app()\n",
            ),
            ("tools/docker/Dockerfile", "FROM python:3.8\nEXPOSE 5001\n"),
        ]);
        let found = detect(&found);
        let command = &found.commands[0];
        assert_eq!(
            command.value.target.as_deref(),
            Some("shop.app:create_docker_app()")
        );
        assert_eq!(command.source.to_string(), "deploy/docker/entrypoint.sh:2");
        assert_eq!(found.commands.len(), 1, "docker/e2e/ is a test setup");
        assert_eq!(found.python.map(|p| p.value).as_deref(), Some("3.13"));
        assert_eq!(found.exposed.map(|p| p.value), Some(8080));

        // A script in any folder under `docker/` that is no test setup.
        let (_dir, found) = tree(&[
            (
                "docker/release/web/docker-entrypoint.sh",
                "#!/bin/bash\nif [ \"$1\" = web ]; then\n  gunicorn --bind 0.0.0.0:5000 shop.wsgi:application\nfi\n",
            ),
            (
                "docker/e2e/docker-entrypoint.sh",
                "#!/bin/sh\ngunicorn -b 0.0.0.0:80 shop.wsgi:application\n",
            ),
            // Another service's image, beside the app's.
            (
                "docker/influxdb/Dockerfile",
                "FROM influxdb:1.8\nEXPOSE 8086\n",
            ),
        ]);
        let found = detect(&found);
        let commands: Vec<(Option<u16>, String)> = found
            .commands
            .iter()
            .map(|c| (c.value.port, c.source.to_string()))
            .collect();
        assert_eq!(
            commands,
            [(
                Some(5000),
                "docker/release/web/docker-entrypoint.sh:3".to_string()
            )]
        );
        assert_eq!(found.exposed, None);
    }

    #[test]
    fn a_uwsgi_ini_is_a_server_command() {
        let (_dir, found) = tree(&[
            (
                "docker/uwsgi/uwsgi.ini",
                "; the site's\n[uwsgi]\nmaster = true\nsocket = 0.0.0.0:13032\nmodule = manage\ncallable = application\n\n[other]\nmodule = other\n",
            ),
            (
                "uwsgi.ini",
                "[uwsgi]\nhttp = :9090\nwsgi-file = site/app.py\n",
            ),
            // A test setup's, and an ini of another tool.
            ("tests/uwsgi.ini", "[uwsgi]\nmodule = test_app:app\n"),
            ("setup.ini", "[metadata]\nname = shop\n"),
        ]);
        let found = detect(&found);
        let commands: Vec<(Option<String>, Option<u16>, String)> = found
            .commands
            .iter()
            .map(|c| (c.value.target.clone(), c.value.port, c.source.to_string()))
            .collect();
        assert_eq!(
            commands,
            [
                (
                    Some("manage:application".to_string()),
                    Some(13032),
                    "docker/uwsgi/uwsgi.ini:5".to_string()
                ),
                (
                    Some("site.app:application".to_string()),
                    Some(9090),
                    "uwsgi.ini:3".to_string()
                ),
            ]
        );
    }

    #[test]
    fn exposed_variables_are_read_from_the_args_and_envs_that_set_them() {
        let exposed = |dockerfile: &str| {
            let (_dir, found) = tree(&[("Dockerfile", dockerfile)]);
            detect(&found)
                .exposed
                .map(|p| (p.value, p.source.to_string()))
        };
        let chained = "FROM python:3.12-alpine\nARG web_port=5000\nENV CONFIG=/config \\\n    WEB_PORT=$web_port\nEXPOSE $WEB_PORT\n";
        assert_eq!(exposed(chained), Some((5000, "Dockerfile:5".to_string())));
        let legacy = "FROM python:3.12-slim\nENV PORT 8080\nEXPOSE ${PORT}/tcp\n";
        assert_eq!(exposed(legacy).map(|p| p.0), Some(8080));
        let fallback = "FROM python:3.12-slim\nARG PORT\nEXPOSE ${PORT:-9000}\n";
        assert_eq!(exposed(fallback).map(|p| p.0), Some(9000));
        // A variable nothing sets exposes nothing known.
        assert_eq!(exposed("FROM python:3.12-slim\nEXPOSE $PORT\n"), None);
        // A variable set to itself does not loop.
        assert_eq!(
            exposed("FROM python:3.12-slim\nENV P=$P\nEXPOSE $P\n"),
            None
        );
    }

    #[test]
    fn the_projects_own_healthcheck_names_the_health_path() {
        let health = |files: &[(&str, &str)]| {
            let (_dir, found) = tree(files);
            detect(&found)
                .health_path
                .map(|p| (p.value, p.source.to_string()))
        };
        let dockerfile = "FROM python:3.12-slim\nHEALTHCHECK --interval=30s \\\n  CMD curl -f http://localhost:${PORT}/healthz || exit 1\n";
        assert_eq!(
            health(&[("Dockerfile", dockerfile)]),
            Some(("/healthz".to_string(), "Dockerfile:2".to_string()))
        );
        let python = "FROM python:3.12-slim\nHEALTHCHECK CMD python3 -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/api/ping?full=1', timeout=3)\"\n";
        assert_eq!(health(&[("Dockerfile", python)]).unwrap().0, "/api/ping");
        let compose = "services:\n  web:\n    build: .\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"--fail\", \"http://localhost:5000/status\"]\n  db:\n    image: postgres:17\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\"]\n";
        assert_eq!(
            health(&[("docker-compose.yml", compose)]),
            Some(("/status".to_string(), "docker-compose.yml:4".to_string()))
        );
        // Another host, no URL, or a path the probe cannot carry: none.
        for check in [
            "CMD curl -f http://example.com/healthz",
            "CMD pgrep gunicorn",
            "CMD curl http://localhost/a\\b",
        ] {
            let dockerfile = format!("FROM python:3.12-slim\nHEALTHCHECK {check}\n");
            assert_eq!(health(&[("Dockerfile", &dockerfile)]), None, "{check}");
        }
        // A test setup's check is not the app's.
        let compose_test = compose.replace("/status", "/login");
        assert_eq!(
            health(&[("docker/docker-compose-browser-test.yml", &compose_test)]),
            None
        );
        // The root alone is a path too.
        let root =
            "FROM python:3.12-slim\nHEALTHCHECK CMD wget -qO- http://localhost:8000 || exit 1\n";
        assert_eq!(health(&[("Dockerfile", root)]).unwrap().0, "/");
    }

    #[test]
    fn a_compose_service_built_as_a_proxy_publishes_no_port_of_the_app() {
        let compose = "services:\n  app:\n    build:\n      context: .\n      dockerfile: deploy/Dockerfile\n  front:\n    build:\n      context: .\n      dockerfile: deploy/Dockerfile-web\n    ports:\n      - \"80:80\"\n  api:\n    build: ./api\n    ports:\n      - \"8080:5000\"\n";
        let (_dir, found) = tree(&[
            ("docker-compose.yml", compose),
            ("deploy/Dockerfile", "FROM python:3.12-slim\n"),
            (
                "deploy/Dockerfile-web",
                "FROM node:22 AS build\nRUN npm ci\nFROM nginx:stable\n",
            ),
            ("api/Dockerfile", "FROM python:3.12-slim\n"),
        ]);
        let exposed = detect(&found).exposed.unwrap();
        assert_eq!(exposed.value, 5000, "{exposed:?}");
    }

    fn command(line: &str) -> Option<(Option<String>, Option<u16>)> {
        server_command(line).map(|c| (c.target, c.port))
    }

    #[test]
    fn reads_the_server_commands_projects_write() {
        let some = |t: &str, p: Option<u16>| Some((Some(t.to_string()), p));
        assert_eq!(
            command("exec gunicorn -b :5000 --access-logfile - shop:app"),
            some("shop:app", Some(5000))
        );
        assert_eq!(
            command("gunicorn 'shop:create_app()' --bind '0.0.0.0:8000' --workers $W"),
            some("shop:create_app()", Some(8000))
        );
        assert_eq!(
            command("flask db upgrade; gunicorn wsgi:app"),
            some("wsgi:app", None)
        );
        assert_eq!(
            command("PORT=1 python -m gunicorn --bind=0.0.0.0:${PORT:-7000} app:app"),
            some("app:app", Some(7000))
        );
        assert_eq!(
            command("/venv/bin/gunicorn -c conf/g.py -k gevent site.wsgi"),
            some("site.wsgi:application", None)
        );
        assert_eq!(
            command("uwsgi --http :9090 --module shop.wsgi:app"),
            some("shop.wsgi:app", Some(9090))
        );
        assert_eq!(
            command("waitress-serve --port=8080 shop:app"),
            some("shop:app", Some(8080))
        );
        assert_eq!(
            command("uvicorn shop.asgi:app --port 8001"),
            some("shop.asgi:app", Some(8001))
        );
        assert_eq!(
            command("flask --app shop run --port 5001"),
            some("shop", Some(5001))
        );
        assert_eq!(
            command("gunicorn shop:app -b 0.0.0.0:$PORT"),
            some("shop:app", None)
        );
        assert_eq!(
            command("gunicorn -b unix:/run/app.sock shop:app"),
            some("shop:app", None)
        );
        assert_eq!(command("flask db upgrade"), None);
        assert_eq!(command("echo gunicorn is starting"), None);
        let gevent = server_command("gunicorn -k gevent a:b").unwrap();
        assert_eq!(gevent.worker_class.as_deref(), Some("gevent"));
    }

    #[test]
    fn deployment_files_are_evidence() {
        let (_temp, tree) = tree(&[
            (
                "Procfile",
                "web: flask db upgrade; gunicorn shop:app\nworker: rq worker\nrelease: flask db upgrade\n",
            ),
            (
                "boot.sh",
                "#!/bin/sh\nflask db upgrade\nexec gunicorn \\\n  -b :5000 shop:app\n",
            ),
            (
                "Dockerfile",
                "FROM python:3.10-slim AS build\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n    build-essential libffi-dev curl\nEXPOSE 5000\nENTRYPOINT [\"./boot.sh\"]\n",
            ),
            (
                "docker-compose.yml",
                "services:\n  web:\n    build: .\n    ports:\n      - \"8000:5000\"\n  db:\n    image: postgres:16\n  cache:\n    image: redis:7-alpine\n",
            ),
            (
                "supervisord_programs/web.conf",
                "[program:web]\ncommand=gunicorn\n    shop:create_app()\n    -b :5001\n",
            ),
        ]);
        let found = detect(&tree);
        let commands: Vec<(String, Option<String>, Option<u16>)> = found
            .commands
            .iter()
            .map(|c| (c.source.to_string(), c.value.target.clone(), c.value.port))
            .collect();
        assert_eq!(
            commands,
            [
                ("Procfile:1".to_string(), Some("shop:app".to_string()), None),
                (
                    "boot.sh:3".to_string(),
                    Some("shop:app".to_string()),
                    Some(5000)
                ),
                (
                    "supervisord_programs/web.conf:2".to_string(),
                    Some("shop:create_app()".to_string()),
                    Some(5001)
                ),
            ]
        );
        assert_eq!(found.exposed.map(|p| p.value), Some(5000));
        let processes: Vec<(&str, &str)> = found
            .processes
            .iter()
            .map(|p| (p.value.name.as_str(), p.value.command.as_str()))
            .collect();
        assert_eq!(processes, [("worker", "rq worker")]);
        let steps: Vec<(&str, String)> = found
            .setup_steps
            .iter()
            .map(|s| (s.value.as_str(), s.source.to_string()))
            .collect();
        assert_eq!(
            steps,
            [
                ("flask db upgrade", "Procfile:3".to_string()),
                ("flask db upgrade", "boot.sh:2".to_string())
            ]
        );
        assert_eq!(found.python.map(|p| p.value).as_deref(), Some("3.10"));
        let packages: Vec<&str> = found
            .build_packages
            .iter()
            .map(|p| p.value.as_str())
            .collect();
        assert_eq!(packages, ["build-essential", "libffi-dev"]);
        assert_eq!(found.database.map(|d| d.value), Some(Database::POSTGRES));
        assert!(found.redis.is_some());
    }

    #[test]
    fn another_distributions_build_packages_get_debians_names() {
        let (_dir, tree) = tree(&[(
            "docker/Dockerfile",
            "FROM ubuntu:xenial\nRUN apt-get install -y sudo python-pip python-dev python3.6-dev libxml2-dev libmysqlclient-dev libssl1.0-dev gcc ${EXTRA}-dev\n",
        )]);
        let packages: Vec<String> = detect(&tree)
            .build_packages
            .into_iter()
            .map(|p| p.value)
            .collect();
        assert_eq!(
            packages,
            [
                "libxml2-dev",
                "default-libmysqlclient-dev",
                "libssl-dev",
                "gcc"
            ]
        );
    }

    #[test]
    fn a_compose_port_written_with_a_variable_is_its_default() {
        let (_dir, tree) = tree(&[(
            "deploy/docker-compose.yml",
            "services:\n  search:\n    build: ..\n    ports:\n      - \"${BIND_HOST:+${BIND_HOST}:}${APP_PORT:-8080}:${APP_PORT:-8080}\"\n",
        )]);
        let exposed = detect(&tree)
            .exposed
            .map(|p| (p.value, p.source.to_string()));
        assert_eq!(
            exposed,
            Some((8080, "deploy/docker-compose.yml:4".to_string()))
        );
    }

    #[test]
    fn a_python_version_argument_names_the_python() {
        let python = |dockerfile: &str| {
            let (_dir, tree) = tree(&[("deploy/docker/Dockerfile", dockerfile)]);
            detect(&tree)
                .python
                .map(|p| (p.value, p.source.to_string()))
        };
        assert_eq!(
            python(
                "FROM wolfi-base AS build\nARG PYTHON_VERSION=3.13\nRUN apk add python-${PYTHON_VERSION}\n"
            ),
            Some(("3.13".to_string(), "deploy/docker/Dockerfile:2".to_string()))
        );
        assert_eq!(
            python("ARG PYTHON_VERSION=3.11\nFROM python:${PYTHON_VERSION}-slim\n").map(|p| p.0),
            Some("3.11".to_string())
        );
        // The image's own tag wins; an argument that is no version says nothing.
        assert_eq!(
            python("ARG PYTHON_VERSION=3.11\nFROM python:3.12-slim\n").map(|p| p.0),
            Some("3.12".to_string())
        );
        assert_eq!(python("ARG PYTHON_VERSION=latest\nFROM debian\n"), None);
        // A publisher's build of the Python image, a platform, a digest.
        assert_eq!(
            python("FROM metabrainz/python:3.13-20260216 AS base\n").map(|p| p.0),
            Some("3.13".to_string())
        );
        assert_eq!(
            python("FROM --platform=linux/amd64 python:3.10-slim@sha256:0123abcd\n").map(|p| p.0),
            Some("3.10".to_string())
        );
        assert_eq!(python("FROM localhost:5000/pythonista\n"), None);
    }

    #[test]
    fn dockerfiles_by_their_names() {
        for name in [
            "Dockerfile",
            "Dockerfile.prod",
            "web.Dockerfile",
            "container/dist.dockerfile",
        ] {
            assert!(is_dockerfile(name), "{name}");
        }
        for name in [
            "Dockerfile.dev",
            "dev.dockerfile",
            "docs/Dockerfile",
            "dockerfile.md",
        ] {
            assert!(!is_dockerfile(name), "{name}");
        }
    }

    #[test]
    fn ports_of_binds() {
        assert_eq!(bind_port(":5000"), Some(5000));
        assert_eq!(bind_port("[::]:8000"), Some(8000));
        assert_eq!(bind_port("0.0.0.0:${PORT:-5000}"), Some(5000));
        assert_eq!(bind_port("0.0.0.0:$PORT"), None);
        assert_eq!(bind_port("unix:/tmp/s.sock"), None);
        assert_eq!(bind_port("127.0.0.1:8000"), Some(8000));
        assert_eq!(bind_port("0.0.0.0"), None);
    }
}
