//! Where a front-end build writes: the commands its `build` script runs
//! (other scripts followed), their output flags, and the output settings of
//! the bundlers' configs.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::inspect::fact::{Fact, Source};
use crate::inspect::files::{Tree, join};

/// Most scripts followed from `build` (`npm run build:css && npm run build:js`).
const MAX_SCRIPTS: usize = 16;

/// One command a build script runs, as its words.
pub(super) struct BuildCommand {
    /// The script it is written in (`build:css`).
    pub(super) script: String,
    /// The command as written.
    pub(super) text: String,
    /// Its words, without leading `NAME=value` settings.
    words: Vec<String>,
}

impl BuildCommand {
    /// The program it runs (`webpack`), past `npx` and a path.
    pub(super) fn program(&self) -> &str {
        let program = self
            .words
            .iter()
            .map(String::as_str)
            .find(|w| !matches!(*w, "npx" | "pnpx" | "exec" | "--yes" | "-y"))
            .unwrap_or("");
        program.rsplit('/').next().unwrap_or(program)
    }

    /// Whether it runs Python (`flask digest compile`), which the Node
    /// stage does not have.
    pub(super) fn needs_python(&self) -> bool {
        matches!(
            self.program(),
            "flask"
                | "python"
                | "python3"
                | "pip"
                | "pip3"
                | "poetry"
                | "pipenv"
                | "pdm"
                | "uv"
                // Python task runners (`doit run deploy`, `invoke build`)
                | "doit"
                | "invoke"
                | "inv"
                | "nox"
                | "pybabel"
        )
    }
}

/// A command's words, without the `NAME=value` settings before it.
fn words_of(command: &str) -> Vec<String> {
    let words = shell_words::split(command)
        .unwrap_or_else(|_| command.split_whitespace().map(str::to_string).collect());
    let settings = words
        .iter()
        .take_while(|w| {
            w.split_once('=')
                .is_some_and(|(name, _)| crate::safe::is_env_name(name))
        })
        .count();
    words[settings..].to_vec()
}

/// The commands `npm run build` runs: the `prebuild`, `build` and `postbuild`
/// scripts, with `npm run X`, `yarn X`, `pnpm X`, `run-s`/`run-p`/`npm-run-all`
/// and `run-script-os` of other scripts followed, each script once.
pub(super) fn build_commands(scripts: &BTreeMap<String, String>) -> Vec<BuildCommand> {
    let mut queue: Vec<String> = ["prebuild", "build", "postbuild"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut seen = Vec::new();
    let mut commands = Vec::new();
    while let Some(name) = (!queue.is_empty()).then(|| queue.remove(0)) {
        if seen.contains(&name) || seen.len() >= MAX_SCRIPTS {
            continue;
        }
        let Some(text) = scripts.get(&name) else {
            continue;
        };
        seen.push(name.clone());
        for command in text
            .split(['&', ';', '|'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            let words = words_of(command);
            let called = called_scripts(&name, &words, scripts);
            if called.is_empty() {
                commands.push(BuildCommand {
                    script: name.clone(),
                    text: command.to_string(),
                    words,
                });
            }
            queue.extend(called);
        }
    }
    commands
}

/// The scripts a command of the script `name` runs by name, when it is a
/// script runner.
fn called_scripts(name: &str, words: &[String], scripts: &BTreeMap<String, String>) -> Vec<String> {
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let names: Vec<&str> = match words.as_slice() {
        ["npm" | "pnpm" | "bun", "run" | "run-script", name, ..] => vec![name],
        ["yarn", "run", name, ..] => vec![name],
        ["yarn" | "pnpm", name, ..] if scripts.contains_key(*name) => vec![name],
        ["run-s" | "run-p" | "npm-run-all", rest @ ..] => rest
            .iter()
            .copied()
            .filter(|w| !w.starts_with('-'))
            .collect(),
        // `run-script-os` runs `NAME:linux`, else `NAME:nix`, else `NAME:default`.
        ["run-script-os", ..] => {
            return ["linux", "nix", "default"]
                .iter()
                .map(|os| format!("{name}:{os}"))
                .find(|script| scripts.contains_key(script))
                .into_iter()
                .collect();
        }
        _ => Vec::new(),
    };
    names
        .into_iter()
        .flat_map(|name| match name.strip_suffix('*') {
            // `run-s build:*`: every script with that prefix, in name order.
            Some(prefix) => scripts
                .keys()
                .filter(|k| k.starts_with(prefix))
                .cloned()
                .collect(),
            None => vec![name.to_string()],
        })
        .collect()
}

/// Flags whose value is where a bundler or compiler writes, and whether it
/// names a file (its folder is the output) or a folder.
const OUTPUT_FLAGS: &[(&str, bool)] = &[
    ("--outfile", true),
    ("--out-file", true),
    ("--output", true),
    ("-o", true),
    ("--file", true),
    ("--outdir", false),
    ("--out-dir", false),
    ("--dist-dir", false),
    ("--output-path", false),
    ("--dir", false),
    ("--dest", false),
    ("-d", false),
];

/// Where the build writes, relative to the root: the output flags of its
/// commands, `sass in:out`, and the output settings of the bundlers'
/// configs (Vite's `outDir`, webpack's `output.path`, Rollup's `file`/`dir`,
/// gulp's `dest()`); each once, folders inside other outputs dropped.
pub(super) fn outputs(tree: &Tree, dir: &str, commands: &[BuildCommand]) -> Vec<Fact<String>> {
    let manifest = join(dir, "package.json");
    let mut found: Vec<Fact<String>> = Vec::new();
    for command in commands {
        let words = &command.words;
        let source =
            || Source::file(manifest.clone()).with_note(format!("the `{}` script", command.script));
        let flagged = flag_outputs(words);
        let has_flag = !flagged.is_empty();
        for (path, is_file) in flagged {
            found.extend(output_at(dir, &path, is_file).map(|p| Fact::new(p, source())));
        }
        match command.program() {
            "sass" | "node-sass" | "sass-embedded" => {
                for word in words.iter().skip(1).filter(|w| !w.starts_with('-')) {
                    if let Some((_, out)) = word.split_once(':') {
                        let is_file = out.ends_with(".css");
                        found.extend(output_at(dir, out, is_file).map(|p| Fact::new(p, source())));
                    }
                }
            }
            // An output flag overrides the config's output and the default.
            program @ ("vite" | "webpack" | "rollup" | "gulp" | "parcel") if !has_flag => {
                found.extend(config_outputs(tree, dir, program));
            }
            // Vue CLI: `vue-cli-service build`, its output `outputDir`.
            program @ "vue-cli-service" if !has_flag && words.iter().any(|w| w == "build") => {
                found.extend(config_outputs(tree, dir, program));
            }
            _ => {}
        }
    }
    for output in &mut found {
        if let Some(folder) = generated_static_folder(tree, &output.value) {
            output.value = folder;
        }
    }
    found.sort_by(|a, b| a.value.cmp(&b.value));
    found.dedup_by(|b, a| a.value == b.value);
    let folders: Vec<String> = found.iter().map(|f| f.value.clone()).collect();
    found.retain(|f| {
        !folders
            .iter()
            .any(|other| *other != f.value && f.value.starts_with(&format!("{other}/")))
    });
    found
}

/// The `static` folder an output is inside, when the project commits
/// nothing in it: the build makes that folder whole (`app/static/`,
/// ignored by git), and also copies there what no setting names (a copy
/// plugin's fonts and images), so the whole folder is its output.
fn generated_static_folder(tree: &Tree, output: &str) -> Option<String> {
    let parts: Vec<&str> = output.split('/').collect();
    let at = parts.iter().position(|p| *p == "static")?;
    let folder = parts[..=at].join("/");
    let prefix = format!("{folder}/");
    let committed = tree.files.iter().any(|f| f.starts_with(&prefix));
    (at + 1 < parts.len() && !committed).then_some(folder)
}

/// The output flags' values in one command's words.
fn flag_outputs(words: &[String]) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut iter = words.iter().skip(1).peekable();
    while let Some(word) = iter.next() {
        for &(flag, is_file) in OUTPUT_FLAGS {
            if word == flag {
                if let Some(value) = iter.peek() {
                    out.push(((*value).clone(), is_file));
                }
            } else if let Some(value) = word.strip_prefix(flag).and_then(|v| v.strip_prefix('=')) {
                out.push((value.to_string(), is_file));
            }
        }
    }
    out
}

static VITE_OUT_DIR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"outDir\s*:\s*([^,\n}]+)"#).expect("valid regex"));
static VUE_OUTPUT_DIR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"outputDir\s*:\s*([^,\n}]+)"#).expect("valid regex"));
static WEBPACK_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"path\s*:\s*path\.(?:resolve|join)\(\s*__dirname\s*,((?:\s*['"][^'"]+['"]\s*,?)+)\)"#,
    )
    .expect("valid regex")
});
/// `path: path.resolve(staticDir, 'build/')`, from a folder bound to a name.
static WEBPACK_PATH_FROM_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"path\s*:\s*path\.(?:resolve|join)\(\s*([A-Za-z_$][\w$]*)\s*,((?:\s*['"][^'"]+['"]\s*,?)+)\)"#,
    )
    .expect("valid regex")
});
/// `const staticDir = path.resolve(__dirname, 'app/static')`.
static JS_DIR_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"\b([A-Za-z_$][\w$]*)\s*=\s*path\.(?:resolve|join)\(\s*__dirname\s*,((?:\s*['"][^'"]+['"]\s*,?)+)\)"#,
    )
    .expect("valid regex")
});
/// `path: __dirname + '/../public'`.
static WEBPACK_CONCAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"path\s*:\s*__dirname\s*\+\s*['"`]([^'"`]+)['"`]"#).expect("valid regex")
});
static QUOTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"['"]([^'"]+)['"]"#).expect("valid regex"));
static ROLLUP_OUTPUT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\b(file|dir)\s*:\s*([^,\n}]+)"#).expect("valid regex"));
static GULP_DEST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\bdest\(\s*([^)\n]+)\)"#).expect("valid regex"));
/// `dist: 'app/static/'`, `const out = "build"`: a name bound to a string.
static JS_STRING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b([A-Za-z_$][\w$]*)\s*[:=]\s*(?:'([^'\n]*)'|"([^"\n]*)"|`([^`$\n]*)`)"#)
        .expect("valid regex")
});
/// `${paths.dist}` in a template literal.
static JS_PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\$\{\s*([\w$.]+)\s*\}"#).expect("valid regex"));

/// The names a config file binds to one string each (`dist: 'app/static/'`
/// in a `paths` object, `const out = "build"`); a name bound to two
/// different strings is left out.
fn js_strings(text: &str) -> BTreeMap<String, Option<String>> {
    let mut strings: BTreeMap<String, Option<String>> = BTreeMap::new();
    for c in JS_STRING.captures_iter(text) {
        let value = c
            .get(2)
            .or(c.get(3))
            .or(c.get(4))
            .map_or("", |m| m.as_str());
        strings
            .entry(c[1].to_string())
            .and_modify(|known| {
                if known.as_deref() != Some(value) {
                    *known = None;
                }
            })
            .or_insert_with(|| Some(value.to_string()));
    }
    strings
}

/// The string an output setting's expression gives, where it is made of
/// string literals, template literals and names bound to one string, joined
/// with `+`: `paths.dist + 'javascripts/'`, `` `${out}/js` ``. `None` for
/// anything else (a call, a variable this cannot know).
fn js_value(expr: &str, strings: &BTreeMap<String, Option<String>>) -> Option<String> {
    let lookup = |name: &str| {
        let last = name.rsplit('.').next().unwrap_or(name);
        strings.get(last).cloned().flatten()
    };
    let mut value = String::new();
    for term in expr.trim().trim_end_matches(';').split('+') {
        let term = term.trim();
        let quoted = |q: char| term.strip_prefix(q).and_then(|t| t.strip_suffix(q));
        if let Some(text) = quoted('\'').or_else(|| quoted('"')) {
            value.push_str(text);
        } else if let Some(text) = quoted('`') {
            let mut failed = false;
            let resolved = JS_PLACEHOLDER.replace_all(text, |c: &regex::Captures| {
                lookup(&c[1]).unwrap_or_else(|| {
                    failed = true;
                    String::new()
                })
            });
            if failed || resolved.contains("${") {
                return None;
            }
            value.push_str(&resolved);
        } else if !term.is_empty()
            && term
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.'))
        {
            value.push_str(&lookup(term)?);
        } else {
            return None;
        }
    }
    Some(value)
}

/// The quoted parts of a `path.resolve` call's arguments, joined with `/`.
fn joined_parts(arguments: &str) -> String {
    let parts: Vec<&str> = QUOTED
        .captures_iter(arguments)
        .filter_map(|q| q.get(1).map(|m| m.as_str()))
        .collect();
    parts.join("/")
}

/// The output folders a webpack config names, relative to its folder, each
/// with where it starts: `path.resolve(__dirname, "..", "static")`,
/// `__dirname + "/../static"`, and `path.resolve(staticDir, "build")` where
/// `staticDir` is bound to a folder of the first kind.
fn webpack_paths(text: &str) -> Vec<(usize, String)> {
    let joined = WEBPACK_PATH
        .captures_iter(text)
        .map(|c| (c.get(0).map_or(0, |m| m.start()), joined_parts(&c[1])));
    let dirs: BTreeMap<String, String> = JS_DIR_NAME
        .captures_iter(text)
        .map(|c| (c[1].to_string(), joined_parts(&c[2])))
        .collect();
    let from_names = WEBPACK_PATH_FROM_NAME.captures_iter(text).filter_map(|c| {
        let dir = dirs.get(&c[1])?;
        let at = c.get(0).map_or(0, |m| m.start());
        Some((
            at,
            format!("{}/{}", dir.trim_end_matches('/'), joined_parts(&c[2])),
        ))
    });
    let joined: Vec<(usize, String)> = joined.chain(from_names).collect();
    let concatenated = WEBPACK_CONCAT.captures_iter(text).map(|c| {
        let rest = c[1].trim_start_matches('/');
        (c.get(0).map_or(0, |m| m.start()), rest.to_string())
    });
    let mut paths: Vec<(usize, String)> = joined.into_iter().chain(concatenated).collect();
    paths.sort();
    paths
}

/// The outputs a bundler's config file names, or the bundler's default
/// (`dist`) when its config names none. An output it sets to something this
/// cannot read (`outDir: PATH.dist`) is not the default: nothing is assumed.
fn config_outputs(tree: &Tree, dir: &str, program: &str) -> Vec<Fact<String>> {
    // The config files, and the key that sets the output where this reads one.
    let (stems, setting): (&[&str], Option<&str>) = match program {
        "vite" => (&["vite.config"], Some("outDir")),
        "vue-cli-service" => (&["vue.config"], Some("outputDir")),
        "webpack" => (
            &["webpack.config", "webpack.prod", "webpack.production"],
            Some("path:"),
        ),
        "rollup" => (&["rollup.config"], None),
        "gulp" => (&["gulpfile"], None),
        _ => (&[], None),
    };
    let mut found = Vec::new();
    let mut unread = false;
    for stem in stems {
        for ext in ["js", "mjs", "cjs", "ts", "mts"] {
            let file = join(dir, &format!("{stem}.{ext}"));
            let Ok(text) = tree.read(&file) else {
                continue;
            };
            let before = found.len();
            let strings = js_strings(&text);
            let mut add = |at: usize, path: &str, is_file: bool| {
                let line = text[..at].matches('\n').count() + 1;
                found.extend(
                    output_at(dir, path, is_file)
                        .map(|p| Fact::new(p, Source::at(file.clone(), line))),
                );
            };
            let mut add_expr = |c: &regex::Captures, expr: usize, is_file: bool| {
                if let Some(path) = js_value(&c[expr], &strings) {
                    add(c.get(0).map_or(0, |m| m.start()), &path, is_file);
                }
            };
            match program {
                "vite" => VITE_OUT_DIR
                    .captures_iter(&text)
                    .for_each(|c| add_expr(&c, 1, false)),
                "vue-cli-service" => VUE_OUTPUT_DIR
                    .captures_iter(&text)
                    .for_each(|c| add_expr(&c, 1, false)),
                "webpack" => webpack_paths(&text)
                    .into_iter()
                    .for_each(|(at, path)| add(at, &path, false)),
                "rollup" => ROLLUP_OUTPUT
                    .captures_iter(&text)
                    .for_each(|c| add_expr(&c, 2, &c[1] == "file")),
                _ => GULP_DEST
                    .captures_iter(&text)
                    .for_each(|c| add_expr(&c, 1, false)),
            }
            unread |= found.len() == before && setting.is_some_and(|key| text.contains(key));
        }
    }
    if found.is_empty()
        && !unread
        && matches!(program, "vite" | "webpack" | "parcel" | "vue-cli-service")
    {
        found.extend(output_at(dir, "dist", false).map(|p| {
            Fact::new(
                p,
                Source::default(format!("{program}'s default output folder")),
            )
        }));
    }
    found
}

/// `path` (relative to `dir`) as a path relative to the root, for a folder;
/// for a file, its folder (or the file itself when that folder is the root).
/// `None` when it leaves the project, is absolute, or holds a glob, a
/// variable or a character a Dockerfile path should not hold.
fn output_at(dir: &str, path: &str, is_file: bool) -> Option<String> {
    if path.starts_with('/')
        || path.starts_with('~')
        || path.chars().any(|c| {
            matches!(c, '*' | '?' | '[' | '{' | '$' | '`' | '\\' | '"' | '\'')
                || crate::safe::is_unsafe_char(c)
        })
    {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    if is_file && parts.len() > 1 {
        parts.pop();
    }
    match parts.first() {
        None => None,
        Some(&"node_modules") => None,
        Some(_) => Some(parts.join("/")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `package.json`'s `scripts`.
    fn scripts_of(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The outputs of the build those scripts run, at the root of `tree`.
    fn output_values(tree: &Tree, scripts: &BTreeMap<String, String>) -> Vec<String> {
        outputs(tree, "", &build_commands(scripts))
            .into_iter()
            .map(|f| f.value)
            .collect()
    }

    /// Those outputs with where each was read.
    fn output_sources(tree: &Tree, scripts: &BTreeMap<String, String>) -> Vec<(String, String)> {
        outputs(tree, "", &build_commands(scripts))
            .into_iter()
            .map(|f| (f.value, f.source.to_string()))
            .collect()
    }

    #[test]
    fn outputs_stay_inside_the_project() {
        assert_eq!(
            output_at("", "app/static/dist/app.js", true).as_deref(),
            Some("app/static/dist")
        );
        assert_eq!(
            output_at("frontend", "../app/static/build", false).as_deref(),
            Some("app/static/build")
        );
        assert_eq!(
            output_at("", "bundle.js", true).as_deref(),
            Some("bundle.js")
        );
        assert_eq!(output_at("", "../outside", false), None);
        assert_eq!(output_at("", "/abs/dist", false), None);
        assert_eq!(output_at("", "static/$OUT", false), None);
        assert_eq!(output_at("", "static/*.css", false), None);
        assert_eq!(output_at("", ".", false), None);
    }

    #[test]
    fn chained_scripts_are_followed_to_their_commands() {
        let scripts = scripts_of(&[
            ("build", "npm run build:css && run-s build:js:*"),
            (
                "build:css",
                "sass assets/scss:app/static/css --style compressed",
            ),
            (
                "build:js:main",
                "esbuild assets/main.js --bundle --outfile=app/static/js/main.js",
            ),
            ("prebuild", "rimraf app/static/js"),
        ]);
        let commands: Vec<String> = build_commands(&scripts)
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert_eq!(
            commands,
            [
                "rimraf app/static/js",
                "sass assets/scss:app/static/css --style compressed",
                "esbuild assets/main.js --bundle --outfile=app/static/js/main.js",
            ]
        );
        let committed = crate::inspect::files::listed(&["app/static/logo.png"]);
        assert_eq!(
            output_values(&committed, &scripts),
            ["app/static/css", "app/static/js"]
        );
        // A static folder the project commits nothing in is the build's whole.
        assert_eq!(output_values(&Tree::default(), &scripts), ["app/static"]);
    }

    #[test]
    fn os_scripts_settings_and_python_steps_are_read() {
        let scripts = scripts_of(&[
            ("build", "run-script-os"),
            ("build:win32", "SET NODE_ENV=production && webpack"),
            (
                "build:default",
                "NODE_ENV=production webpack --progress && npm run digest",
            ),
            ("digest", "flask digest compile"),
        ]);
        let commands = build_commands(&scripts);
        let programs: Vec<(&str, bool)> = commands
            .iter()
            .map(|c| (c.program(), c.needs_python()))
            .collect();
        assert_eq!(programs, [("webpack", false), ("flask", true)]);
        assert_eq!(commands[0].script, "build:default");
    }

    #[test]
    fn webpack_output_paths_are_read_joined_or_concatenated() {
        let config = "module.exports = {\n  output: {\n    path: __dirname + '/../public',\n  },\n  \
                      other: { path: path.resolve(__dirname, '..', 'app', 'static') },\n};\n";
        let paths: Vec<String> = webpack_paths(config).into_iter().map(|(_, p)| p).collect();
        assert_eq!(paths, ["../public", "../app/static"]);
        assert_eq!(
            output_at("assets", &paths[0], false).as_deref(),
            Some("public")
        );
        // From a folder bound to a name; a name bound to no folder says nothing.
        let config = "const staticDir = path.resolve(__dirname, 'shop/static');\n\
                      module.exports = { output: { path: path.resolve(staticDir, 'build/') },\n\
                      other: { path: path.join(unknownDir, 'x') } };\n";
        let paths: Vec<String> = webpack_paths(config).into_iter().map(|(_, p)| p).collect();
        assert_eq!(paths, ["shop/static/build/"]);
    }

    #[test]
    fn output_settings_built_from_named_strings_are_read() {
        let strings = js_strings(
            "const paths = {\n  src: 'assets/',\n  dist: 'app/static/',\n};\nconst out = `build`;\n\
             const mode = 'a';\nconst other = { mode: 'b' };\nif (env === 'dev') {}\n",
        );
        assert_eq!(
            js_value("paths.dist + 'javascripts/'", &strings).as_deref(),
            Some("app/static/javascripts/")
        );
        assert_eq!(
            js_value("`${paths.src}${out}/js`", &strings).as_deref(),
            Some("assets/build/js")
        );
        assert_eq!(js_value("\"public\"", &strings).as_deref(), Some("public"));
        // Bound twice to different strings, unknown, or a call: not read.
        assert_eq!(js_value("mode + '/x'", &strings), None);
        assert_eq!(js_value("paths.missing", &strings), None);
        assert_eq!(js_value("`${process.env.OUT}`", &strings), None);
        assert_eq!(js_value("path.resolve(__dirname", &strings), None);
        assert!(!strings.contains_key("env"));

        let (_dir, tree) = crate::inspect::files::scanned(&[(
            "rollup.config.mjs",
            "const paths = { src: 'app/assets/', dist: 'app/static/' };\nexport default [{\n  \
             output: { dir: paths.dist + 'javascripts/', format: 'es' },\n}, {\n  \
             output: { dir: paths.dist + 'stylesheets/' },\n}];\n",
        )]);
        let scripts = scripts_of(&[
            ("build", "npm run clean && rollup -c"),
            ("clean", "del-cli app/static/*"),
        ]);
        let found = output_sources(&tree, &scripts);
        assert_eq!(
            found,
            [("app/static".to_string(), "rollup.config.mjs:3".to_string())]
        );
    }

    #[test]
    fn an_output_flag_overrides_the_bundlers_default() {
        let scripts = scripts_of(&[(
            "build",
            "parcel build site/app.js --out-dir site/static/dist/ && parcel build site/extra.js",
        )]);
        let tree = crate::inspect::files::listed(&["site/static/logo.png"]);
        let found = output_values(&tree, &scripts);
        // The second command names none: parcel's default `dist` is its output.
        assert_eq!(found, ["dist", "site/static/dist"]);
        let scripts = scripts_of(&[(
            "build",
            "parcel build site/app.js --out-dir site/static/dist/",
        )]);
        let found = output_values(&tree, &scripts);
        assert_eq!(found, ["site/static/dist"]);
    }

    #[test]
    fn vue_clis_output_is_its_configs_output_dir_or_dist() {
        let build = scripts_of(&[
            ("build", "vue-cli-service build"),
            ("serve", "vue-cli-service serve"),
        ]);
        let (_dir, tree) = crate::inspect::files::scanned(&[(
            "vue.config.js",
            "module.exports = {\n  outputDir: 'site/dist',\n  assetsDir: 'static',\n}\n",
        )]);
        let found = output_sources(&tree, &build);
        assert_eq!(
            found,
            [("site/dist".to_string(), "vue.config.js:2".to_string())]
        );
        // No config: Vue CLI's default; `--dest` overrides both.
        assert_eq!(output_values(&Tree::default(), &build), ["dist"]);
        let flagged = scripts_of(&[("build", "vue-cli-service build --dest public/app")]);
        assert_eq!(output_values(&tree, &flagged), ["public/app"]);
    }

    #[test]
    fn a_script_that_calls_itself_ends() {
        let scripts = scripts_of(&[("build", "npm run build")]);
        assert!(build_commands(&scripts).is_empty());
    }
}
