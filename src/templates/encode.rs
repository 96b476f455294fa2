//! The encoders templates print values through, one per kind of file: a value
//! from the repository, however hostile, stays one value of the file it lands
//! in. Registered as Tera filters with short names (see the README's template
//! section); a team set that prints a value raw makes that choice itself.
//!
//! The Plan's strings hold no line break (`crate::safe::Text`), so none of
//! these has to handle one; each still escapes what it would need to.

use std::collections::HashMap;

use tera::{Result, Tera, Value};

/// Registers every encoder on `tera`.
pub fn register(tera: &mut Tera) {
    tera.register_filter("dockerfile", filter(dockerfile));
    tera.register_filter("yaml", filter(yaml));
    tera.register_filter("yaml_literal", filter(yaml_literal));
    tera.register_filter("envfile", filter(envfile));
    tera.register_filter("dotenv", filter(dotenv));
    tera.register_filter("sh", filter(sh));
    tera.register_filter("md", filter(md));
    tera.register_filter("mdtext", filter(mdtext));
    tera.register_filter("ignore", |value: &Value, args: &HashMap<String, Value>| {
        let glob = args.get("glob").and_then(Value::as_bool).unwrap_or(false);
        let encode = if glob { ignore_glob } else { ignore };
        filter(encode)(value, args)
    });
}

/// A Tera filter from a string encoder. Numbers and booleans are encoded as
/// their text; a list is encoded item by item and joined with spaces (a
/// list of shell words, say).
fn filter(
    encode: fn(&str) -> String,
) -> impl Fn(&Value, &HashMap<String, Value>) -> Result<Value> + Sync + Send {
    move |value, _| Ok(Value::String(encode_value(value, encode)?))
}

fn encode_value(value: &Value, encode: fn(&str) -> String) -> Result<String> {
    match value {
        Value::String(s) => Ok(encode(s)),
        Value::Number(n) => Ok(encode(&n.to_string())),
        Value::Bool(b) => Ok(encode(&b.to_string())),
        Value::Array(items) => {
            let words: Result<Vec<String>> =
                items.iter().map(|v| encode_value(v, encode)).collect();
            Ok(words?.join(" "))
        }
        other => Err(tera::Error::msg(format!(
            "an encoder takes a string or a list of strings, not `{other}`"
        ))),
    }
}

/// A Dockerfile word, for `ENV`, `ARG` and (inside a JSON array) `COPY`: the
/// Dockerfile expands `$` and reads quotes, backslashes and whitespace in
/// those, so anything but plain text is put in double quotes with `\`, `"`
/// and `$` escaped.
pub fn dockerfile(text: &str) -> String {
    if !text.is_empty() && text.chars().all(is_plain) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '\\' | '$' | '"') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A YAML double-quoted scalar, with `$` doubled: Compose interpolates every
/// value, and so does Kubernetes in a container's `command`, `args` and
/// `env` values (`$(NAME)`); both read `$$` as a literal dollar.
pub fn yaml(text: &str) -> String {
    yaml_scalar(text, "$$")
}

/// A YAML double-quoted scalar taken as it is: for Kubernetes fields nothing
/// interpolates (labels, an exec probe's command, a ConfigMap's data).
pub fn yaml_literal(text: &str) -> String {
    yaml_scalar(text, "$")
}

fn yaml_scalar(text: &str, dollar: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' => out.push_str(dollar),
            c if crate::safe::is_unsafe_char(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters a dotenv value, a shell word and a Compose value all read as
/// themselves when unquoted.
fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '_' | '.' | '/' | ':' | '@' | '+' | ',' | '=' | '%' | '-')
}

/// A dotenv value. Plain text stays bare, so `docker run --env-file` (which
/// keeps quotes) reads it too; anything else is single-quoted, which Compose
/// reads literally; a value holding a single quote or a backslash (Compose
/// reads `\'` as an escaped quote even there) is double-quoted with `\`,
/// `"` and `$` escaped.
pub fn dotenv(text: &str) -> String {
    if !text.is_empty() && text.chars().all(is_plain) {
        return text.to_string();
    }
    if !text.contains(['\'', '\\']) {
        return format!("'{text}'");
    }
    let mut out = String::from("\"");
    for c in text.chars() {
        if matches!(c, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A value of an env file kustomize reads (`configMapGenerator` and
/// `secretGenerator` `envs`): everything after the first `=` up to the end of
/// the line is the value, quotes and `#` included, so only a line break (or
/// another unsafe character, escaped as `\u{..}`) could change the file.
pub fn envfile(text: &str) -> String {
    crate::safe::escaped(text).into_owned()
}

/// A literal path as a `.dockerignore` pattern: glob characters escaped,
/// then written as [`ignore_glob`] writes a pattern.
pub fn ignore(text: &str) -> String {
    let mut literal = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '?' | '[' | ']') {
            literal.push('\\');
        }
        literal.push(c);
    }
    ignore_glob(&literal)
}

/// A `.dockerignore` pattern kept as a pattern (its `*`, `?` and `**` still
/// match), but never read as an exception or a comment: a leading `!` or `#`
/// is escaped, and leading or trailing spaces (which Docker trims) become `[ ]`.
pub fn ignore_glob(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let last = text.chars().count().saturating_sub(1);
    for (i, c) in text.chars().enumerate() {
        match c {
            '!' | '#' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_whitespace() && (i == 0 || i == last) => out.push_str("[ ]"),
            c => out.push(c),
        }
    }
    out
}

/// A POSIX shell word: bare when every character is plain, else in single
/// quotes (a single quote inside as `'\''`). Quoting does not stop a word
/// that starts with `-` from reading as an option: templates print such
/// values only where the command takes them as an option's value.
pub fn sh(text: &str) -> String {
    if !text.is_empty() && text.chars().all(is_plain) {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// Markdown inline code: fenced by one more backtick than the longest run
/// inside, padded when the text starts or ends with a backtick.
pub fn md(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", crate::safe::escaped(text))
}

/// Markdown text: the characters that make emphasis, links, HTML, code
/// spans, entities or tables backslash-escaped, and at the start also those
/// that open a list, a heading or a quote, so the text reads as itself.
pub fn mdtext(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in crate::safe::escaped(text).chars().enumerate() {
        let inline = "\\`*_[]<>!&|~{}()".contains(c);
        let at_start = i == 0 && "#-+=.>:0123456789".contains(c);
        if inline || at_start {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_words_escape_what_the_dockerfile_expands() {
        assert_eq!(dockerfile("src"), "src");
        assert_eq!(dockerfile("my src"), "\"my src\"");
        assert_eq!(dockerfile("a$HOME\"'\\"), "\"a\\$HOME\\\"'\\\\\"");
    }

    #[test]
    fn yaml_scalars_are_double_quoted_with_dollars_doubled() {
        assert_eq!(yaml("."), "\".\"");
        assert_eq!(yaml("a: \"b\" ${X}"), "\"a: \\\"b\\\" $${X}\"");
        let parsed: String = serde_norway::from_str(&yaml("x\": y #$")).unwrap();
        assert_eq!(parsed, "x\": y #$$");
    }

    #[test]
    fn literal_yaml_keeps_dollars_and_env_files_keep_one_line() {
        let parsed: String =
            serde_norway::from_str(&yaml_literal("pg_isready -U \"${U}\" #")).unwrap();
        assert_eq!(parsed, "pg_isready -U \"${U}\" #");
        assert_eq!(envfile("a # b \"c\""), "a # b \"c\"");
        assert!(!envfile("a\nB=evil").contains('\n'));
    }

    #[test]
    fn dotenv_values_stay_bare_only_when_plain() {
        assert_eq!(
            dotenv("postgresql://app:pw@db:5432/app"),
            "postgresql://app:pw@db:5432/app"
        );
        assert_eq!(dotenv("a b #c"), "'a b #c'");
        assert_eq!(dotenv("it's $X"), "\"it's \\$X\"");
        assert_eq!(dotenv(""), "''");
        assert_eq!(dotenv("a\\"), "\"a\\\\\"");
    }

    #[test]
    fn ignore_patterns_match_only_the_literal_path() {
        assert_eq!(ignore("venv"), "venv");
        assert_eq!(ignore("!keep*"), "\\!keep\\*");
        assert_eq!(ignore("#x "), "\\#x[ ]");
        assert_eq!(ignore_glob("!**/*.log"), "\\!**/*.log");
        assert_eq!(ignore_glob("*.log"), "*.log");
    }

    #[test]
    fn shell_words_are_quoted_unless_plain() {
        assert_eq!(sh("app:create_app"), "app:create_app");
        assert_eq!(sh("app:create_app()"), "'app:create_app()'");
        assert_eq!(sh("$(id)'x"), "'$(id)'\\''x'");
        assert_eq!(shell_words_split(&sh("a b'c")), ["a b'c"]);
    }

    fn shell_words_split(line: &str) -> Vec<String> {
        // A tiny POSIX single-quote reader, enough for the encoder's output.
        let mut words = vec![String::new()];
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('\'', _) => quoted = !quoted,
                ('\\', false) => words.last_mut().unwrap().extend(chars.next()),
                (' ', false) => words.push(String::new()),
                (c, _) => words.last_mut().unwrap().push(c),
            }
        }
        words
    }

    #[test]
    fn markdown_code_spans_outlast_any_backticks_inside() {
        assert_eq!(md("app:app"), "`app:app`");
        assert_eq!(md("a`b"), "``a`b``");
        assert_eq!(md("`x"), "`` `x ``");
        assert_eq!(mdtext("my_app *1*"), "my\\_app \\*1\\*");
        assert_eq!(mdtext("uv-package"), "uv-package");
        assert_eq!(mdtext("- x"), "\\- x");
    }
}
