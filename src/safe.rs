//! The types a repository string must pass through to reach the Plan.
//!
//! Everything inspection reads is attacker-controlled: a clone of a stranger's
//! repository. [`Text`] can hold no control character or line separator, so a
//! value printed into a comment or a one-line instruction can never start a
//! line of its own; [`EnvName`] can hold only what a dotenv file, a shell and
//! Compose accept as a variable name. The templates' encoders
//! (`templates::encode`) then quote each value for the file it lands in.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Characters that end a line or a comment somewhere, or steer a terminal or
/// a reader: C0 and C1 controls (newline, carriage return, NEL, escape, NUL),
/// DEL, Unicode line and paragraph separators, and bidirectional overrides.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every unsafe character written as a visible `\u{..}` escape
/// (`\n` as `\u{a}`), for reports and comments; borrowed when there is none.
pub fn escaped(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_char(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` for a terminal: every unsafe character escaped but the newlines
/// that separate the lines flaskdock itself composed. Repository strings
/// inside those lines went through [`escaped`] or [`Text`] already, so an
/// escape sequence or a carriage return from a file can never move the
/// cursor or forge one of flaskdock's own lines.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe_char(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.split('\n')
            .map(|line| escaped(line).into_owned())
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// A checked string reads like the `str` it holds: `Deref`, `Display`, and
/// comparison with string slices.
macro_rules! string_type {
    ($name:ident) => {
        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

/// A string that holds no unsafe character (see [`is_unsafe_char`]).
///
/// It serializes as a plain string. Built from repository text, any unsafe
/// character is escaped ([`Text::escaped`]); deserializing goes the same way,
/// so no path into the Plan can skip the check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(#[serde(deserialize_with = "deserialize_escaped")] String);

fn deserialize_escaped<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let raw = String::deserialize(d)?;
    Ok(escaped(&raw).into_owned())
}

impl Text {
    /// `text`, with any unsafe character escaped.
    pub fn escaped(text: &str) -> Text {
        Text(escaped(text).into_owned())
    }

    /// `text` as it is, or `None` when it holds an unsafe character.
    pub fn checked(text: &str) -> Option<Text> {
        (!text.chars().any(is_unsafe_char)).then(|| Text(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text::escaped(text)
    }
}

impl From<&String> for Text {
    fn from(text: &String) -> Text {
        Text::escaped(text)
    }
}

string_type!(Text);

/// A CPython minor version, `3.N`: what `ARG PYTHON_VERSION` and the base
/// image tag take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PythonVersion {
    minor: u32,
}

impl PythonVersion {
    /// `3.N` with one or two digits, else `None`.
    pub fn parse(text: &str) -> Option<PythonVersion> {
        let minor = text.strip_prefix("3.")?;
        let digits =
            !minor.is_empty() && minor.len() <= 2 && minor.chars().all(|c| c.is_ascii_digit());
        digits.then(|| PythonVersion {
            minor: minor.parse().unwrap_or(0),
        })
    }

    /// The minor version of a release as files write it (`3.12.1`,
    /// `3.13rc1`, `3.11`): `3.12`, `3.13`, `3.11`. Not Python 3: `None`.
    pub fn of_release(text: &str) -> Option<PythonVersion> {
        let mut parts = text.trim().split('.');
        let (major, minor) = (parts.next()?, parts.next()?);
        let digits: String = minor.chars().take_while(char::is_ascii_digit).collect();
        (major == "3").then_some(())?;
        PythonVersion::parse(&format!("3.{digits}"))
    }

    /// Python 3.`minor`.
    pub const fn new(minor: u32) -> PythonVersion {
        PythonVersion { minor }
    }

    /// The `N` of `3.N`.
    pub fn minor(self) -> u32 {
        self.minor
    }
}

impl PartialEq<&str> for PythonVersion {
    fn eq(&self, other: &&str) -> bool {
        PythonVersion::parse(other) == Some(*self)
    }
}

impl std::str::FromStr for PythonVersion {
    type Err = String;

    /// What `--python` and a prompt accept: `3.N`, nothing more.
    fn from_str(text: &str) -> Result<PythonVersion, String> {
        PythonVersion::parse(text).ok_or_else(|| {
            format!(
                "invalid Python version `{}`; use a minor version such as `3.12`",
                escaped(text)
            )
        })
    }
}

impl fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "3.{}", self.minor)
    }
}

impl Serialize for PythonVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PythonVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PythonVersion, D::Error> {
        let raw = String::deserialize(d)?;
        PythonVersion::parse(&raw).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{}` is not a Python version such as 3.12",
                escaped(&raw)
            ))
        })
    }
}

/// A URL path an HTTP probe may request: `/` then URL path characters only,
/// at most 200 bytes.
pub fn is_url_path(value: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@%/".contains(c);
    value.starts_with('/') && value.len() <= 200 && value.chars().all(allowed)
}

/// One part of a module's import path as gunicorn, `flask --app` and
/// `importlib` take it: an identifier, or a file or folder name with hyphens
/// after its first character (`rest-server` for `rest-server.py`), which no
/// `import` statement can name but `importlib.import_module` imports.
pub fn is_module_part(part: &str) -> bool {
    let mut chars = part.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// An environment variable name: `^[A-Za-z_][A-Za-z0-9_]*$`, the names a
/// dotenv file, a POSIX shell and Compose all read as one name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct EnvName(String);

impl EnvName {
    /// The name, or `None` when it is not a plain variable name.
    pub fn parse(name: &str) -> Option<EnvName> {
        is_env_name(name).then(|| EnvName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `name` matches `^[A-Za-z_][A-Za-z0-9_]*$`.
pub fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl<'de> Deserialize<'de> for EnvName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<EnvName, D::Error> {
        let raw = String::deserialize(d)?;
        EnvName::parse(&raw).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{}` is not an environment variable name",
                escaped(&raw)
            ))
        })
    }
}

string_type!(EnvName);

/// A name a command takes as one plain argument and never as an option (an
/// RQ queue): letters, digits, `_ . : -`, not starting with `-`, at most 100.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Word(String);

impl Word {
    /// The name, or `None` when a command could read it otherwise.
    pub fn parse(name: &str) -> Option<Word> {
        let plain = !name.is_empty()
            && !name.starts_with('-')
            && name.len() <= 100
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'));
        plain.then(|| Word(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Word {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Word, D::Error> {
        let raw = String::deserialize(d)?;
        Word::parse(&raw).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{}` is not a plain word (letters, digits, `_ . : -`, not starting with `-`)",
                escaped(&raw)
            ))
        })
    }
}

string_type!(Word);

/// A DNS name as Kubernetes takes it for an object's name, a namespace or an
/// Ingress host (RFC 1123): lower-case labels of `a-z 0-9 -`, each 1 to 63
/// long and neither starting nor ending with `-`, joined by `.`, at most 253
/// in all. [`DnsName::label`] is a single label (a namespace, a Service name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DnsName(String);

impl DnsName {
    /// The name, or `None` when Kubernetes would refuse it.
    pub fn parse(name: &str) -> Option<DnsName> {
        let labels_ok = name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
        (labels_ok && name.len() <= 253).then(|| DnsName(name.to_string()))
    }

    /// A single label (no `.`), or `None`.
    pub fn label(name: &str) -> Option<DnsName> {
        DnsName::parse(name).filter(|n| !n.0.contains('.'))
    }

    /// The nearest label to `text`: lower case, anything but `a-z 0-9` as
    /// `-`, runs of `-` as one, trimmed, at most 63; `fallback` when nothing is left.
    pub fn label_from(text: &str, fallback: &str) -> DnsName {
        let mut label = String::new();
        for c in text.to_ascii_lowercase().chars() {
            let c = if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            };
            if !(c == '-' && (label.is_empty() || label.ends_with('-'))) {
                label.push(c);
            }
        }
        label.truncate(63);
        let label = label.trim_end_matches('-');
        DnsName::label(label)
            .or_else(|| DnsName::label(fallback))
            .unwrap_or_else(|| DnsName("app".to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for DnsName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<DnsName, D::Error> {
        let raw = String::deserialize(d)?;
        DnsName::parse(&raw).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{}` is not a DNS name (lower-case letters, digits, `-` and `.`)",
                escaped(&raw)
            ))
        })
    }
}

string_type!(DnsName);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names_are_what_kubernetes_accepts() {
        for good in ["web", "my-shop", "shop.example.com", "a1", "x.y-z.io"] {
            assert!(DnsName::parse(good).is_some(), "{good}");
        }
        let long = "a".repeat(64);
        for bad in [
            "",
            "Web",
            "-web",
            "web-",
            "a..b",
            "a_b",
            "a b",
            "a/b",
            "é",
            long.as_str(),
        ] {
            assert!(DnsName::parse(bad).is_none(), "{bad}");
            let json = serde_json::to_string(bad).unwrap();
            assert!(serde_json::from_str::<DnsName>(&json).is_err(), "{bad}");
        }
        assert!(DnsName::label("a.b").is_none());
        assert_eq!(DnsName::label_from("My_Shop..App", "app"), "my-shop-app");
        assert_eq!(DnsName::label_from("--", "app"), "app");
        assert_eq!(DnsName::label_from(&"x".repeat(80), "app").len(), 63);
    }

    #[test]
    fn words_are_plain_arguments_that_read_as_no_option() {
        for good in ["default", "microblog-tasks", "emails.high", "a:b_c"] {
            assert!(Word::parse(good).is_some(), "{good}");
        }
        for bad in ["", "--burst", "-q", "two words", "a;b", "$(id)", "é"] {
            assert!(Word::parse(bad).is_none(), "{bad}");
            let json = serde_json::to_string(bad).unwrap();
            assert!(serde_json::from_str::<Word>(&json).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_escapes_every_line_break_and_control() {
        for bad in [
            "a\nb",
            "a\rb",
            "a\u{85}b",
            "a\u{2028}b",
            "a\u{2029}b",
            "a\u{1b}[2Jb",
            "a\0b",
            "a\u{202e}b",
        ] {
            let text = Text::escaped(bad);
            assert!(!text.as_str().chars().any(is_unsafe_char), "{bad:?}");
            assert!(Text::checked(bad).is_none());
        }
        assert_eq!(Text::escaped("a\nb").as_str(), "a\\u{a}b");
        assert_eq!(Text::escaped("café/app.py").as_str(), "café/app.py");
    }

    #[test]
    fn deserializing_text_cannot_skip_the_check() {
        let text: Text = serde_json::from_str("\"x\\ny\"").unwrap();
        assert_eq!(text.as_str(), "x\\u{a}y");
    }

    #[test]
    fn env_names_are_plain_names_only() {
        for good in ["SECRET_KEY", "_X", "a1"] {
            assert!(EnvName::parse(good).is_some(), "{good}");
        }
        for bad in ["", "1X", "COMPOSE_FILE=x #", "A B", "A\nB", "A-B", "É"] {
            assert!(EnvName::parse(bad).is_none(), "{bad:?}");
        }
        assert!(serde_json::from_str::<EnvName>("\"A=B\"").is_err());
    }
}
