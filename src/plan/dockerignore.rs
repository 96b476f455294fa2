//! The project's `.gitignore` rewritten as `.dockerignore` patterns.
//!
//! The two syntaxes differ: a gitignore pattern without a slash matches at any
//! depth, a dockerignore pattern is anchored at the context root. So `*.log`
//! becomes `**/*.log` and `/build` becomes `build`.

use std::collections::HashSet;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::inspect::Project;
use crate::safe::Text;

/// Paths the built-in `.dockerignore` keeps out at every depth, one for each
/// of its secret and version-control rules. A `.gitignore` exception (`!`)
/// that would let one of them back in is dropped.
pub const SECRET_SAMPLES: &[&str] = &[
    ".git/config",
    "vendor/lib/.git/config",
    ".hg/hgrc",
    ".svn/entries",
    ".env",
    ".env.production",
    "instance/.env",
    "config/.env.local",
    ".envrc",
    "id_rsa",
    "deploy/id_ecdsa",
    "keys/id_ed25519",
    "certs/server.key",
    "certs/server.pem",
    "certs/server.crt",
    "store.p12",
    "store.pfx",
    "putty.ppk",
    "keystore.jks",
    "vault.kdbx",
    ".npmrc",
    ".pypirc",
    ".netrc",
    ".git-credentials",
    ".aws/credentials",
    ".docker/config.json",
    "credentials.json",
    "gcp/service-account-prod.json",
    "secrets.yaml",
    "config/secrets.yml",
    "terraform.tfstate",
    "infra/terraform.tfstate.backup",
    "kubeconfig",
    ".kube/config",
    ".vault-token",
    ".htpasswd",
    "instance/app.db",
    "data.sqlite",
    "data.sqlite3",
];

/// A literal path as a `.dockerignore` pattern (glob characters escaped).
pub fn literal(path: &str) -> String {
    crate::templates::encode::ignore(path)
}

/// One `.dockerignore` rule from the project.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct IgnoreRule {
    /// The pattern, in `.dockerignore` syntax, without a leading `!`.
    pub pattern: Text,
    /// An exception (`!pattern`): lets matching paths back in.
    pub exception: bool,
}

impl IgnoreRule {
    /// The rule as `.dockerignore` writes it.
    pub fn line(&self) -> String {
        let bang = if self.exception { "!" } else { "" };
        format!(
            "{bang}{}",
            crate::templates::encode::ignore_glob(self.pattern.as_str())
        )
    }
}

/// The `.dockerignore` rules beyond the built-in ones: the project's
/// virtualenvs, then its `.gitignore` translated (never excluding a file
/// the build reads; `entry_root` is the folder the entry imports from).
pub(super) fn plan_rules(project: &Project, entry_root: &str) -> FromGitignore {
    let from_gitignore = from_gitignore(&project.gitignore, &needed_files(project, entry_root));
    let rules = project
        .virtualenvs
        .iter()
        .map(|v| IgnoreRule {
            pattern: Text::escaped(&literal(v)),
            exception: false,
        })
        .chain(from_gitignore.rules)
        .collect();
    FromGitignore {
        rules,
        dropped: from_gitignore.dropped,
    }
}

/// Files the image build reads, and those the project commits although its
/// `.gitignore` names them (a built `dist/` the app serves): `.dockerignore`
/// must never exclude them.
fn needed_files(project: &Project, entry_root: &str) -> Vec<String> {
    let mut files: Vec<String> = project.install.manifests().to_vec();
    files.extend(project.committed_ignored.iter().cloned());
    if let Some(entry) = project.entries.first() {
        files.extend(entry.source.file.clone());
    }
    files.extend(project.gunicorn_config.clone());
    if !entry_root.is_empty() {
        files.push(entry_root.to_string());
    }
    files
}

/// What the project's `.gitignore` gives the `.dockerignore`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FromGitignore {
    /// Rules, translated and without duplicates, in the file's order.
    pub rules: Vec<IgnoreRule>,
    /// Exceptions (`!` lines) left out because they would let a secret back in.
    pub dropped: Vec<String>,
}

/// Translates `.gitignore` lines, leaving out any pattern that would exclude
/// one of `needed` (files the image build reads), any exception that would
/// re-include a secret, and any line holding a control character. Linear in
/// the number of lines.
pub fn from_gitignore(lines: &[String], needed: &[String]) -> FromGitignore {
    let mut out = FromGitignore::default();
    let mut seen = HashSet::new();
    for line in lines {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.chars().any(crate::safe::is_unsafe_char)
        {
            continue;
        }
        let (negated, pattern) = match line.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let Some(matcher) = matcher(pattern) else {
            continue; // a pattern we cannot read is safer left out
        };
        if negated && matches_any(&matcher, SECRET_SAMPLES) {
            out.dropped.push(line.to_string());
            continue;
        }
        if !negated && matches_any(&matcher, needed) {
            continue;
        }
        let translated = translate(pattern);
        if translated.is_empty() {
            continue;
        }
        let rule = IgnoreRule {
            pattern: Text::escaped(&translated),
            exception: negated,
        };
        if seen.insert(rule.clone()) {
            out.rules.push(rule);
        }
    }
    out
}

fn translate(pattern: &str) -> String {
    let trimmed = pattern.trim_end_matches('/');
    if let Some(anchored) = trimmed.strip_prefix('/') {
        return anchored.to_string();
    }
    if trimmed.contains('/') || trimmed.starts_with("**") {
        trimmed.to_string()
    } else {
        format!("**/{trimmed}")
    }
}

/// One `.gitignore` pattern (without its `!`) as git reads it.
fn matcher(pattern: &str) -> Option<Gitignore> {
    let mut builder = GitignoreBuilder::new("/");
    builder.add_line(None, pattern).ok()?;
    builder.build().ok()
}

fn matches_any(matcher: &Gitignore, paths: &[impl AsRef<str>]) -> bool {
    paths.iter().any(|file| {
        let path = std::path::Path::new("/").join(file.as_ref());
        matcher
            .matched_path_or_any_parents(&path, false)
            .is_ignore()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn from_gitignore(lines: &[String], needed: &[String]) -> Written {
        let got = super::from_gitignore(lines, needed);
        Written {
            patterns: got.rules.iter().map(IgnoreRule::line).collect(),
            dropped: got.dropped,
        }
    }

    struct Written {
        patterns: Vec<String>,
        dropped: Vec<String>,
    }

    #[test]
    fn anchors_patterns_the_way_docker_reads_them() {
        let got = from_gitignore(
            &lines(&[
                "*.log",
                "/instance",
                "build/",
                "docs/_build",
                "!keep.log",
                "# c",
            ]),
            &[],
        );
        assert_eq!(
            got.patterns,
            [
                "**/*.log",
                "instance",
                "**/build",
                "docs/_build",
                "!**/keep.log"
            ]
        );
    }

    #[test]
    fn never_excludes_what_the_build_needs() {
        let needed = lines(&["requirements.txt", "app.py"]);
        let got = from_gitignore(&lines(&["*.txt", "*.py", "*.db"]), &needed);
        assert_eq!(got.patterns, ["**/*.db"]);
    }

    #[test]
    fn drops_exceptions_that_would_let_a_secret_back_in() {
        let got = from_gitignore(
            &lines(&["!.env", "!instance/", "!*.key", "!docs/keep.txt", "!.git"]),
            &[],
        );
        assert_eq!(got.patterns, ["!docs/keep.txt"]);
        assert_eq!(got.dropped, ["!.env", "!instance/", "!*.key", "!.git"]);
    }

    #[test]
    fn drops_lines_with_control_characters() {
        let got = from_gitignore(&lines(&["ok", "bad\u{85}!.env", "x\u{2028}y"]), &[]);
        assert_eq!(got.patterns, ["**/ok"]);
    }

    #[test]
    fn a_long_gitignore_is_translated_in_linear_time() {
        let many: Vec<String> = (0..20_000).map(|i| format!("build-{i}/")).collect();
        let got = from_gitignore(&many, &lines(&["app.py"]));
        assert_eq!(got.patterns.len(), 20_000);
    }
}
