//! The build context: what `.dockerignore` lets through (FD2xx).

use globset::{Glob, GlobMatcher};

use super::dockerfile::{Dockerfile, Instruction, copies_context};
use super::finding::Found;
use crate::inspect::files::Tree;

/// `.dockerignore` rules, in order; the last rule that matches decides.
pub struct DockerIgnore {
    rules: Vec<(GlobMatcher, bool)>,
}

impl DockerIgnore {
    /// Parses `.dockerignore` text as Docker reads it: one pattern per line,
    /// `#` comments, `!` exceptions, paths from the context root.
    pub fn parse(text: &str) -> Self {
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|line| {
                let (negated, pattern) = match line.strip_prefix('!') {
                    Some(rest) => (true, rest.trim()),
                    None => (false, line),
                };
                let pattern = pattern.trim_start_matches('/').trim_end_matches('/');
                let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
                let glob = globset::GlobBuilder::new(pattern)
                    .literal_separator(true)
                    .build()
                    .or_else(|_| Glob::new(&globset::escape(pattern)))
                    .ok()?;
                Some((glob.compile_matcher(), negated))
            })
            .collect();
        DockerIgnore { rules }
    }

    /// Whether `path` (relative, `/` separators) stays out of the context: a
    /// rule matches it or one of its parent folders.
    pub fn excludes(&self, path: &str) -> bool {
        let mut candidates = vec![path.to_string()];
        let mut prefix = String::new();
        for part in path.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            candidates.push(prefix.clone());
        }
        let mut excluded = false;
        for (glob, negated) in &self.rules {
            if candidates.iter().any(|c| glob.is_match(c)) {
                excluded = !negated;
            }
        }
        excluded
    }
}

/// What the build-context checks read: the project's files, its
/// Dockerfile and its `.dockerignore` (when there is one).
pub(super) struct Input<'a> {
    pub tree: &'a Tree,
    pub dockerfile: &'a Dockerfile,
    pub dockerignore: Option<&'a str>,
    rules: DockerIgnore,
}

impl<'a> Input<'a> {
    pub(super) fn new(
        tree: &'a Tree,
        dockerfile: &'a Dockerfile,
        dockerignore: Option<&'a str>,
    ) -> Self {
        Input {
            tree,
            dockerfile,
            dockerignore,
            rules: DockerIgnore::parse(dockerignore.unwrap_or("")),
        }
    }

    /// The file a context finding points at: `.dockerignore` when there is
    /// one to fix, else the Dockerfile.
    fn file(&self) -> &'static str {
        if self.dockerignore.is_some() {
            ".dockerignore"
        } else {
            "Dockerfile"
        }
    }

    /// "`what` is sent to the build", and the line that copies it in.
    fn sent_in(&self, what: &str) -> String {
        let copy = self
            .dockerfile
            .stages
            .iter()
            .flat_map(|s| &s.instructions)
            .find(|i| copies_context(i));
        match copy {
            Some(c) => format!(
                "{what} is sent to the build, and `{} {}` (Dockerfile:{}) copies it into the image",
                c.keyword, c.args, c.line
            ),
            None => format!("{what} is sent to the build"),
        }
    }

    /// Each source a `COPY`/`ADD` from the context names, with its instruction.
    fn named_sources(&self) -> impl Iterator<Item = (&'a Instruction, &'a str)> {
        self.dockerfile
            .stages
            .iter()
            .flat_map(|s| &s.instructions)
            .filter(|i| (i.keyword == "COPY" || i.keyword == "ADD") && !i.args.contains("--from="))
            .flat_map(|copy| {
                let words: Vec<&str> = copy
                    .args
                    .split_whitespace()
                    .filter(|w| !w.starts_with("--"))
                    .collect();
                let sources = words.len().saturating_sub(1);
                words
                    .into_iter()
                    .take(sources)
                    .map(move |source| (copy, source.trim_start_matches("./")))
            })
    }
}

/// FD201. No `.dockerignore`: the whole folder, `.env` and `.git`
/// included, goes to every build. Example: a project with a Dockerfile and
/// nothing beside it.
pub(super) fn no_dockerignore(input: &Input, found: &mut Found) {
    if input.dockerignore.is_none() {
        found.at(
            "Dockerfile",
            None,
            "there is no `.dockerignore`: the whole folder is sent to every build",
        );
    }
}

/// FD202. `.env` reaches the build context, or a `COPY` names it: the
/// secrets land in a layer anyone who pulls the image can read. Example: a
/// `.dockerignore` without `.env`, or `COPY .env .env`. `.env` may not exist
/// yet; it will once someone follows `.env.example`.
pub(super) fn dotenv_in_context(input: &Input, found: &mut Found) {
    for (copy, source) in input.named_sources() {
        let secret_env =
            source == ".env" || (source.starts_with(".env.") && source != ".env.example");
        if secret_env {
            found.at(
                "Dockerfile",
                Some(copy.line),
                format!(
                    "`{} {}` puts `{source}` into the image: anyone who pulls it reads the secrets",
                    copy.keyword, copy.args
                ),
            );
        }
    }
    if !input.rules.excludes(".env") {
        found.at(input.file(), None, input.sent_in("`.env`"));
    }
}

/// FD203. `.git` reaches the build context: large, and its history may hold
/// secrets removed long ago. Example: a `.dockerignore` without `.git`.
pub(super) fn git_in_context(input: &Input, found: &mut Found) {
    if input.tree.root.join(".git").exists() && !input.rules.excludes(".git/HEAD") {
        found.at(input.file(), None, input.sent_in("`.git`"));
    }
}

/// FD204. A private key or certificate reaches the build context, or a
/// `COPY` names one. Example: `server.key` at the root with no `*.key` rule.
pub(super) fn key_in_context(input: &Input, found: &mut Found) {
    for (copy, source) in input.named_sources() {
        if crate::inspect::is_key_file(source) {
            found.at(
                "Dockerfile",
                Some(copy.line),
                format!(
                    "`{} {}` puts the key `{source}` into the image",
                    copy.keyword, copy.args
                ),
            );
        }
    }
    let keys = input
        .tree
        .files
        .iter()
        .filter(|f| crate::inspect::is_key_file(f));
    for key in keys.filter(|key| !input.rules.excludes(key)) {
        found.at(input.file(), None, input.sent_in(&format!("`{key}`")));
    }
}

/// FD205. A local virtualenv reaches the build context: built for another
/// machine, often hundreds of MB. Example: `venv/` with no `venv` rule.
pub(super) fn virtualenv_in_context(input: &Input, found: &mut Found) {
    for venv in &input.tree.virtualenvs {
        if !input.rules.excludes(&format!("{venv}/pyvenv.cfg")) {
            found.at(
                input.file(),
                None,
                input.sent_in(&format!("the virtualenv `{venv}/`")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_like_docker() {
        let rules = DockerIgnore::parse(
            "# c\n.env\n.env.*\n!.env.example\n**/__pycache__\n/venv/\n*.pem\n",
        );
        assert!(rules.excludes(".env"));
        assert!(rules.excludes(".env.local"));
        assert!(!rules.excludes(".env.example"));
        assert!(rules.excludes("pkg/__pycache__/x.pyc"));
        assert!(rules.excludes("venv/pyvenv.cfg"));
        assert!(rules.excludes("server.pem"));
        // Unlike .gitignore, a bare name matches only at the root.
        assert!(!rules.excludes("certs/server.pem"));
        assert!(!rules.excludes("app.py"));
    }
}
