//! The project's `.gitignore` rewritten as `.dockerignore` patterns.
//!
//! The two syntaxes differ: a gitignore pattern without a slash matches at any
//! depth, a dockerignore pattern is anchored at the context root. So `*.log`
//! becomes `**/*.log` and `/build` becomes `build`.

use ignore::gitignore::GitignoreBuilder;

/// Translates `.gitignore` lines, leaving out any pattern that would exclude
/// one of `needed` (files the image build reads).
pub fn from_gitignore(lines: &[String], needed: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for line in lines {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (negated, pattern) = match line.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        if !negated && excludes_any(line, needed) {
            continue;
        }
        let translated = translate(pattern);
        if translated.is_empty() {
            continue;
        }
        let translated = if negated {
            format!("!{translated}")
        } else {
            translated
        };
        if !out.contains(&translated) {
            out.push(translated);
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

fn excludes_any(pattern: &str, needed: &[String]) -> bool {
    let mut builder = GitignoreBuilder::new("/");
    if builder.add_line(None, pattern).is_err() {
        return true; // a pattern we cannot read is safer left out
    }
    let Ok(matcher) = builder.build() else {
        return true;
    };
    needed.iter().any(|file| {
        let path = std::path::Path::new("/").join(file);
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
            got,
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
        assert_eq!(got, ["**/*.db"]);
    }
}
