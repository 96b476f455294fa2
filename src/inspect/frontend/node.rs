//! The Node release a front-end build asks for: `.nvmrc`, `.node-version`,
//! Volta's pin, or the newest LTS release `engines.node` allows.

use super::line_of;
use crate::inspect::fact::{Fact, Source};
use crate::inspect::files::Tree;
use crate::inspect::files::join;

/// Newest Node releases with long-term support, newest first: a range in
/// `engines.node` gets the newest of these it allows.
const LTS_MAJORS: &[u32] = &[24, 22, 20, 18, 16];

/// Node's LTS code names (`lts/iron` in `.nvmrc`).
const LTS_NAMES: &[(&str, &str)] = &[
    ("krypton", "24"),
    ("jod", "22"),
    ("iron", "20"),
    ("hydrogen", "18"),
    ("gallium", "16"),
    ("fermium", "14"),
];

/// The Node release asked for: `.nvmrc` or `.node-version` (beside
/// `package.json`, then at the root), `volta.node`, then the newest LTS
/// release `engines.node` allows. `None`: the image's default.
pub(super) fn node_version(
    tree: &Tree,
    dir: &str,
    json: &serde_json::Value,
    manifest: &str,
    text: &str,
    warnings: &mut Vec<String>,
) -> Option<Fact<String>> {
    let mut files = vec![join(dir, ".nvmrc"), join(dir, ".node-version")];
    if !dir.is_empty() {
        files.extend([".nvmrc".to_string(), ".node-version".to_string()]);
    }
    for file in files {
        let Ok(content) = tree.read(&file) else {
            continue;
        };
        let first = content
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'));
        let Some(first) = first else {
            continue;
        };
        if let Some(version) = release(first) {
            return Some(Fact::new(version, Source::at(file, 1)));
        }
        warnings.push(format!(
            "{file}: `{}` is not a Node release the image can name; the Node stage uses its default",
            crate::safe::escaped(first)
        ));
        return None;
    }
    if let Some(version) = json
        .pointer("/volta/node")
        .and_then(serde_json::Value::as_str)
        .and_then(release)
    {
        return Some(Fact::new(
            version,
            Source::at(manifest, line_of(text, "volta")),
        ));
    }
    let range = json.pointer("/engines/node")?.as_str()?;
    let source = Source::at(manifest, line_of(text, "node"));
    match newest_lts(range) {
        Some(major) => Some(Fact::new(
            major.to_string(),
            source.with_note(format!("the newest LTS release `{range}` allows")),
        )),
        None => {
            warnings.push(format!(
                "{manifest}: engines.node `{}` allows no LTS release flaskdock knows; the Node stage uses its default",
                crate::safe::escaped(range)
            ));
            None
        }
    }
}

/// `v20.11.1`, `20`, `lts/iron` as an image tag's release (`20.11.1`, `20`).
fn release(text: &str) -> Option<String> {
    if let Some(name) = text.strip_prefix("lts/") {
        return LTS_NAMES
            .iter()
            .find(|(n, _)| name.eq_ignore_ascii_case(n))
            .map(|(_, major)| major.to_string());
    }
    let version = text.strip_prefix('v').unwrap_or(text);
    let parts: Vec<&str> = version.split('.').collect();
    (parts.len() <= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit())))
    .then(|| version.to_string())
}

/// The newest of [`LTS_MAJORS`] an npm range (`>=18`, `^20.11 || ^22`,
/// `18.x`, `>=18 <21`) allows.
fn newest_lts(range: &str) -> Option<u32> {
    let alternatives: Vec<semver::VersionReq> = range
        .split("||")
        .map(|alt| {
            let alt = alt.trim();
            if alt.is_empty() || alt == "*" {
                return Some(semver::VersionReq::STAR);
            }
            let mut joined = String::new();
            let mut words = alt.split_whitespace().peekable();
            while let Some(word) = words.next() {
                joined.push_str(word);
                // `>= 18` is one comparator; `>=18 <21` is two.
                let is_operator = word
                    .bytes()
                    .all(|b| matches!(b, b'<' | b'>' | b'=' | b'~' | b'^'));
                if !is_operator && words.peek().is_some() {
                    joined.push(',');
                }
            }
            semver::VersionReq::parse(&joined).ok()
        })
        .collect::<Option<_>>()?;
    // A release of a major is allowed when its newest, or the lowest one a
    // comparator names in it (`~22.1` allows 22.1.x only), matches.
    LTS_MAJORS.iter().copied().find(|&major| {
        let major = u64::from(major);
        alternatives.iter().any(|req| {
            let named = req
                .comparators
                .iter()
                .filter(|c| c.major == major)
                .map(|c| semver::Version::new(major, c.minor.unwrap_or(0), c.patch.unwrap_or(0)));
            std::iter::once(semver::Version::new(major, 999, 999))
                .chain(named)
                .any(|v| req.matches(&v))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engines_ranges_get_the_newest_lts_they_allow() {
        assert_eq!(newest_lts(">=18"), Some(24));
        assert_eq!(newest_lts("^20.11.0"), Some(20));
        assert_eq!(newest_lts("18.x || 20.x"), Some(20));
        assert_eq!(newest_lts(">=18 <21"), Some(20));
        assert_eq!(newest_lts(">= 16 < 19"), Some(18));
        assert_eq!(newest_lts("~22.1"), Some(22));
        assert_eq!(newest_lts("^12"), None);
        assert_eq!(newest_lts("not a range"), None);
    }

    #[test]
    fn nvmrc_lines_name_a_release_or_nothing() {
        assert_eq!(release("v20.11.1").as_deref(), Some("20.11.1"));
        assert_eq!(release("22").as_deref(), Some("22"));
        assert_eq!(release("lts/iron").as_deref(), Some("20"));
        assert_eq!(release("lts/*"), None);
        assert_eq!(release("node"), None);
        assert_eq!(release("20; rm -rf /"), None);
    }
}
