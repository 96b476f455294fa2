//! requirements.txt: one logical line at a time through a real PEP 508 parser,
//! and whole `-r`/`-c` chains with cycles detected.

use std::collections::BTreeSet;
use std::str::FromStr;

use anyhow::{Context, Result, bail};

use super::fact::Source;
use super::files::{Tree, resolve};
use super::own_deps;
use super::package::{Package, normalize};
use super::wheels::Pin;

/// What one logical line of a requirements file means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequirementLine {
    Requirement {
        name: String,
        vcs: bool,
        /// Extras asked for (`celery[redis]` -> `redis`), normalized.
        extras: Vec<String>,
        /// The exact version of `name==1.2.3`.
        pinned: Option<String>,
    },
    /// `-r FILE`: another requirements file.
    Include(String),
    /// `-c FILE`: a constraints file.
    Constraint(String),
    /// A local path (`.`, `./pkg`, `-e .`): needs the source to install.
    Local(String),
    /// Understood and irrelevant here (pip options), or not understood.
    Skipped { reason: String },
}

/// Parses a requirements file's text into `(line number, meaning)` pairs.
pub fn parse_requirements(text: &str) -> Vec<(usize, RequirementLine)> {
    let mut out = Vec::new();
    let mut pending = String::new();
    let mut start = 0;
    for (index, raw) in text.lines().enumerate() {
        if pending.is_empty() {
            start = index + 1;
        }
        if let Some(stripped) = raw.strip_suffix('\\') {
            pending.push_str(stripped);
            pending.push(' ');
            continue;
        }
        pending.push_str(raw);
        let line = strip_comment(&pending).trim().to_string();
        pending.clear();
        if !line.is_empty() {
            out.push((start, parse_line(&line)));
        }
    }
    out
}

fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    match line.find(" #").or_else(|| line.find("\t#")) {
        Some(at) => &line[..at],
        None => line,
    }
}

fn option_value<'a>(line: &'a str, names: &[&str]) -> Option<&'a str> {
    for name in names {
        if let Some(rest) = line.strip_prefix(name) {
            if let Some(value) = rest.strip_prefix('=') {
                return Some(value.trim());
            }
            if rest.starts_with(char::is_whitespace) {
                return Some(rest.trim());
            }
            if name.len() == 2 && !rest.is_empty() {
                return Some(rest.trim()); // `-rfile.txt`
            }
        }
    }
    None
}

/// `.`, `./libs/shared`, `/abs/path`, `file:...`, with or without extras
/// (`.[redis]`, `-e .[dev]`).
fn is_local_path(target: &str) -> bool {
    let target = target.split_once('[').map_or(target, |(path, _)| path);
    target == "."
        || target.starts_with("./")
        || target.starts_with("../")
        || target.starts_with('/')
        || target.starts_with("file:")
}

/// The first shell word of `text`, as pip reads an option's value (it
/// splits option lines with `shlex`): `"req dir/base.txt"` is one path.
fn first_word(text: &str) -> String {
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.trim_start().chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => break,
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None | Some('"'), '\\') => word.extend(chars.next()),
            (_, c) => word.push(c),
        }
    }
    word
}

pub(super) fn parse_line(line: &str) -> RequirementLine {
    if let Some(path) = option_value(line, &["-r", "--requirement", "--requirements"]) {
        return RequirementLine::Include(first_word(path));
    }
    if let Some(path) = option_value(line, &["-c", "--constraint"]) {
        return RequirementLine::Constraint(first_word(path));
    }
    let (target, editable) = match option_value(line, &["-e", "--editable"]) {
        Some(target) => (target, true),
        None => (line, false),
    };
    if !editable && target.starts_with('-') {
        return RequirementLine::Skipped {
            reason: format!(
                "pip option `{}`",
                target.split_whitespace().next().unwrap_or(target)
            ),
        };
    }
    // `--hash=...` and other per-requirement options follow the requirement.
    let target = match target.find(" --") {
        Some(at) => target[..at].trim(),
        None => target.trim(),
    };
    if is_local_path(target) {
        return RequirementLine::Local(target.to_string());
    }
    if let Some(url) = target
        .strip_prefix("git+")
        .or_else(|| target.strip_prefix("hg+"))
    {
        return match url.split("#egg=").nth(1) {
            Some(egg) => RequirementLine::Requirement {
                name: normalize(egg.split('&').next().unwrap_or(egg)),
                vcs: true,
                extras: Vec::new(),
                pinned: None,
            },
            None => RequirementLine::Skipped {
                reason: "a version-control URL without `#egg=NAME`".to_string(),
            },
        };
    }
    // PEP 508 names start and end with a letter or digit (pep508_rs 0.9 panics
    // on one that ends in `.`: found by fuzzing).
    let name: String = target
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    if name.ends_with(['.', '-', '_']) || name.starts_with(['.', '-', '_']) {
        return RequirementLine::Skipped {
            reason: format!("`{name}` is not a valid package name"),
        };
    }
    let parsed = match parse_pep508(target) {
        Some(parsed) => parsed,
        None => {
            return RequirementLine::Skipped {
                reason: "not a requirement PEP 508 can read".to_string(),
            };
        }
    };
    match parsed {
        Ok(req) => {
            let vcs = matches!(&req.version_or_url, Some(pep508_rs::VersionOrUrl::Url(url)) if url.to_string().starts_with("git+"));
            RequirementLine::Requirement {
                name: req.name.to_string(),
                vcs,
                extras: req.extras.iter().map(ToString::to_string).collect(),
                pinned: exact_version(&req.version_or_url),
            }
        }
        Err(err) => RequirementLine::Skipped {
            reason: format!("not a requirement: {}", err.message),
        },
    }
}

/// `==1.2.3` (or `===1.2.3`) alone: the one version a requirement allows.
fn exact_version(spec: &Option<pep508_rs::VersionOrUrl<pep508_rs::VerbatimUrl>>) -> Option<String> {
    use pep508_rs::pep440_rs::Operator;
    let Some(pep508_rs::VersionOrUrl::VersionSpecifier(specifiers)) = spec else {
        return None;
    };
    match specifiers.iter().collect::<Vec<_>>()[..] {
        [one] if matches!(one.operator(), Operator::Equal | Operator::ExactEqual) => {
            Some(one.version().to_string())
        }
        _ => None,
    }
}

std::thread_local! {
    /// Set while pep508_rs runs: its panics are caught, and not printed.
    static QUIET_PANICS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

type Pep508 = Result<
    pep508_rs::Requirement<pep508_rs::VerbatimUrl>,
    pep508_rs::Pep508Error<pep508_rs::VerbatimUrl>,
>;

/// pep508_rs 0.9 panics on some names it accepted a moment before (`x[a.]`,
/// found by fuzzing). Its panics are caught here and the line is skipped;
/// `None` when it panicked.
fn parse_pep508(target: &str) -> Option<Pep508> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET_PANICS.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET_PANICS.with(|q| q.set(true));
    let parsed = std::panic::catch_unwind(|| {
        pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(target)
    });
    QUIET_PANICS.with(|q| q.set(false));
    parsed.ok()
}

/// A requirements file and every file it includes, read once each.
#[derive(Default)]
pub(super) struct RequirementsChain {
    pub files: Vec<String>,
    pub packages: Vec<Package>,
    /// Exact versions asked for.
    pub pins: Vec<Pin>,
    /// Lines that install a local path.
    pub local: Vec<Source>,
    seen: BTreeSet<String>,
    /// Names in `packages`, for a quick duplicate check.
    names: std::collections::HashSet<String>,
}

impl RequirementsChain {
    pub(super) fn read(
        &mut self,
        tree: &Tree,
        file: &str,
        warnings: &mut Vec<String>,
    ) -> Result<()> {
        self.read_file(tree, file, false, warnings)
    }

    /// Reads one file of the chain; a constraints file (`-c`) is copied into
    /// the image but names no package to install.
    fn read_file(
        &mut self,
        tree: &Tree,
        file: &str,
        constraints: bool,
        warnings: &mut Vec<String>,
    ) -> Result<()> {
        if !self.seen.insert(file.to_string()) {
            return Ok(()); // already read: an include cycle or a diamond
        }
        let text = tree
            .read_manifest(file)
            .with_context(|| format!("failed to read requirements file `{file}`"))?;
        self.files.push(file.to_string());
        for (line, meaning) in parse_requirements(&text) {
            match meaning {
                RequirementLine::Requirement {
                    name,
                    vcs,
                    extras,
                    pinned,
                } => {
                    let package = Package {
                        name,
                        vcs,
                        extras,
                        source: Source::at(file, line),
                    };
                    self.add(package, pinned, constraints);
                }
                RequirementLine::Include(target) => {
                    self.include(tree, (file, line), &target, constraints, warnings)?
                }
                RequirementLine::Constraint(target) => {
                    self.include(tree, (file, line), &target, true, warnings)?
                }
                RequirementLine::Local(target) => {
                    self.local.push(Source::at(file, line));
                    if !constraints {
                        self.read_own(tree, &target);
                    }
                }
                RequirementLine::Skipped { reason } if !reason.starts_with("pip option") => {
                    warnings.push(format!("{file}:{line}: skipped, {reason}"));
                }
                RequirementLine::Skipped { .. } => {}
            }
        }
        Ok(())
    }
}

impl RequirementsChain {
    /// Records a requirement; a constraints file's pin decides the version
    /// as much as a requirement's, but names no package to install.
    fn add(&mut self, package: Package, pinned: Option<String>, constraints: bool) {
        if let Some(version) = pinned {
            self.pins.push(Pin {
                name: package.name.clone(),
                version,
                source: package.source.clone(),
            });
        }
        if !constraints && self.names.insert(package.name.clone()) {
            self.packages.push(package);
        }
    }

    /// `-e .` or `.[extras]` installs the project at the root, and with it
    /// the requirements it declares for itself (and for those extras).
    fn read_own(&mut self, tree: &Tree, target: &str) {
        let (path, extras) = target.split_once('[').unwrap_or((target, ""));
        if !matches!(path.trim_end_matches('/'), "." | "") {
            return;
        }
        let extras: Vec<String> = extras
            .trim_end_matches(']')
            .split(',')
            .map(|e| normalize(e.trim()))
            .filter(|e| !e.is_empty())
            .collect();
        for (source, requirement) in own_deps::declared(tree, &extras) {
            if let RequirementLine::Requirement {
                name,
                vcs,
                extras,
                pinned,
            } = parse_line(&requirement)
            {
                let package = Package {
                    name,
                    vcs,
                    extras,
                    source,
                };
                self.add(package, pinned, false);
            }
        }
    }

    /// Follows `-r`/`-c` on line `at` of a file, relative to that file.
    fn include(
        &mut self,
        tree: &Tree,
        (file, line): (&str, usize),
        target: &str,
        constraints: bool,
        warnings: &mut Vec<String>,
    ) -> Result<()> {
        let included = resolve(file, target);
        if !tree.has_file(&included) {
            bail!(
                "`{file}` line {line} includes `{target}`, which does not exist; fix the path and run again"
            );
        }
        self.read_file(tree, &included, constraints, warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meanings(text: &str) -> Vec<RequirementLine> {
        parse_requirements(text)
            .into_iter()
            .map(|(_, m)| m)
            .collect()
    }

    fn req(name: &str) -> RequirementLine {
        RequirementLine::Requirement {
            name: name.to_string(),
            vcs: false,
            extras: Vec::new(),
            pinned: None,
        }
    }

    fn pinned(name: &str, version: &str) -> RequirementLine {
        RequirementLine::Requirement {
            name: name.to_string(),
            vcs: false,
            extras: Vec::new(),
            pinned: Some(version.to_string()),
        }
    }

    #[test]
    fn parses_names_specifiers_extras_and_markers() {
        let text = "Flask==3.0.3\npsycopg2-binary>=2.9 # db\nFlask_SQLAlchemy[async]==3.1.1 ; python_version >= '3.8'\nnumpy===1.26.4\nlxml==5.*\nwerkzeug>=3,==3.1.3\n";
        assert_eq!(
            meanings(text),
            [
                pinned("flask", "3.0.3"),
                req("psycopg2-binary"),
                RequirementLine::Requirement {
                    name: "flask-sqlalchemy".into(),
                    vcs: false,
                    extras: vec!["async".into()],
                    pinned: Some("3.1.1".into()),
                },
                pinned("numpy", "1.26.4"),
                req("lxml"),
                req("werkzeug"),
            ]
        );
    }

    #[test]
    fn follows_includes_and_skips_options() {
        let text = "-r base.txt\n--requirement=extra.txt\n-c constraints.txt\n--index-url https://example.invalid/simple\n# comment\n\n";
        assert_eq!(
            meanings(text),
            [
                RequirementLine::Include("base.txt".into()),
                RequirementLine::Include("extra.txt".into()),
                RequirementLine::Constraint("constraints.txt".into()),
                RequirementLine::Skipped {
                    reason: "pip option `--index-url`".into()
                },
            ]
        );
    }

    #[test]
    fn include_paths_are_read_as_pip_reads_them() {
        assert_eq!(
            meanings("-r \"req dir/base.txt\"\n-c 'pins dir/c.txt' # note\n-r a\\ b.txt\n"),
            [
                RequirementLine::Include("req dir/base.txt".into()),
                RequirementLine::Constraint("pins dir/c.txt".into()),
                RequirementLine::Include("a b.txt".into()),
            ]
        );
    }

    #[test]
    fn hashes_and_continuations_do_not_become_packages() {
        let text =
            "gunicorn==23.0.0 \\\n    --hash=sha256:aaaa \\\n    --hash=sha256:bbbb\nflask\n";
        let parsed = parse_requirements(text);
        assert_eq!(
            parsed,
            [(1, pinned("gunicorn", "23.0.0")), (4, req("flask"))]
        );
    }

    #[test]
    fn local_paths_and_vcs_urls() {
        let text = "-e .\n./libs/shared\n-e .[redis]\ngit+https://example.invalid/org/tool.git#egg=my_tool\n";
        assert_eq!(
            meanings(text),
            [
                RequirementLine::Local(".".into()),
                RequirementLine::Local("./libs/shared".into()),
                RequirementLine::Local(".[redis]".into()),
                RequirementLine::Requirement {
                    name: "my-tool".into(),
                    vcs: true,
                    extras: Vec::new(),
                    pinned: None,
                },
            ]
        );
    }

    #[test]
    fn normalizes_like_pep_503() {
        assert_eq!(normalize("Flask__SQLAlchemy"), "flask-sqlalchemy");
        assert_eq!(normalize("zope.interface"), "zope-interface");
    }

    #[test]
    fn joins_include_paths() {
        assert_eq!(
            resolve("requirements.txt", "requirements/prod.txt"),
            "requirements/prod.txt"
        );
        assert_eq!(
            resolve("requirements/prod.txt", "base.txt"),
            "requirements/base.txt"
        );
        assert_eq!(
            resolve("requirements/prod.txt", "../requirements.in"),
            "requirements.in"
        );
    }
}
