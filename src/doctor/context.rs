//! The build context: what `.dockerignore` lets through (FD2xx).

use globset::{Glob, GlobMatcher};

use super::Finding;
use super::dockerfile::{Dockerfile, copies_context};
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

pub fn check(tree: &Tree, dockerfile: &Dockerfile, dockerignore: Option<&str>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let copy = dockerfile
        .stages
        .iter()
        .flat_map(|s| &s.instructions)
        .find(|i| copies_context(i));
    if dockerignore.is_none() {
        findings.push(Finding::new(
            "FD201",
            "Dockerfile",
            None,
            "there is no `.dockerignore`: the whole folder is sent to every build".into(),
        ));
    }
    let rules = DockerIgnore::parse(dockerignore.unwrap_or(""));
    let file = if dockerignore.is_some() {
        ".dockerignore"
    } else {
        "Dockerfile"
    };
    let into_image = |what: &str| match copy {
        Some(c) => format!(
            "{what} is sent to the build, and `{} {}` (Dockerfile:{}) copies it into the image",
            c.keyword, c.args, c.line
        ),
        None => format!("{what} is sent to the build"),
    };

    // `COPY .env .env`: the secrets go into a layer, whatever `.dockerignore` says.
    let named_copies = dockerfile
        .stages
        .iter()
        .flat_map(|s| &s.instructions)
        .filter(|i| (i.keyword == "COPY" || i.keyword == "ADD") && !i.args.contains("--from="));
    for copy in named_copies {
        let words: Vec<&str> = copy
            .args
            .split_whitespace()
            .filter(|w| !w.starts_with("--"))
            .collect();
        let sources = &words[..words.len().saturating_sub(1)];
        for source in sources.iter().map(|s| s.trim_start_matches("./")) {
            let secret_env =
                source == ".env" || (source.starts_with(".env.") && source != ".env.example");
            if secret_env {
                findings.push(Finding::new(
                    "FD202",
                    "Dockerfile",
                    Some(copy.line),
                    format!("`{} {}` puts `{source}` into the image: anyone who pulls it reads the secrets", copy.keyword, copy.args),
                ));
            } else if crate::inspect::is_key_file(source) {
                findings.push(Finding::new(
                    "FD204",
                    "Dockerfile",
                    Some(copy.line),
                    format!(
                        "`{} {}` puts the key `{source}` into the image",
                        copy.keyword, copy.args
                    ),
                ));
            }
        }
    }

    // `.env` may not exist yet; it will once someone follows `.env.example`.
    if !rules.excludes(".env") {
        findings.push(Finding::new("FD202", file, None, into_image("`.env`")));
    }
    if tree.root.join(".git").exists() && !rules.excludes(".git/HEAD") {
        findings.push(Finding::new("FD203", file, None, into_image("`.git`")));
    }
    for key in tree.files.iter().filter(|f| crate::inspect::is_key_file(f)) {
        if !rules.excludes(key) {
            findings.push(Finding::new(
                "FD204",
                file,
                None,
                into_image(&format!("`{key}`")),
            ));
        }
    }
    for venv in &tree.virtualenvs {
        if !rules.excludes(&format!("{venv}/pyvenv.cfg")) {
            findings.push(Finding::new(
                "FD205",
                file,
                None,
                into_image(&format!("the virtualenv `{venv}/`")),
            ));
        }
    }
    findings
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
