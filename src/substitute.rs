//! Variable substitution as Docker and Compose do it for an unset variable:
//! what a Dockerfile or compose file says when nothing in the environment
//! overrides it.

/// `${NAME:-default}` and `${NAME-default}` replaced by their default,
/// `${NAME}`, `${NAME:+word}` and `${NAME:?error}` by nothing (each may hold
/// another, `${HOST:+${HOST}:}`), and `$$` by `$`.
pub(crate) fn expand_defaults(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('$') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        if let Some(after) = after.strip_prefix('$') {
            out.push('$');
            rest = after;
            continue;
        }
        let Some(braced) = after.strip_prefix('{') else {
            out.push('$');
            rest = after;
            continue;
        };
        let Some(end) = closing_brace(braced) else {
            // Unclosed: left as written.
            out.push_str(&rest[start..]);
            return out;
        };
        out.push_str(&unset_value(&braced[..end]));
        rest = &braced[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Where the `}` that closes a `${` opened just before `text` is.
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// What `${inner}` is for an unset variable.
fn unset_value(inner: &str) -> String {
    let name_end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let operator = &inner[name_end..];
    match operator
        .strip_prefix(":-")
        .or_else(|| operator.strip_prefix('-'))
    {
        Some(default) => expand_defaults(default),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::expand_defaults;

    #[test]
    fn substitutes_what_an_unset_variable_gives() {
        assert_eq!(expand_defaults("${PORT:-5000}"), "5000");
        assert_eq!(expand_defaults("${PORT-5000}/tcp"), "5000/tcp");
        assert_eq!(expand_defaults("a${NAME}b"), "ab");
        assert_eq!(expand_defaults("${NAME:?set it}x"), "x");
        assert_eq!(
            expand_defaults("${HOST:+${HOST}:}${PORT:-8080}:${PORT:-8080}"),
            "8080:8080"
        );
        assert_eq!(expand_defaults("${A:-${B:-7}}"), "7");
        assert_eq!(expand_defaults("$$HOME and $HOME"), "$HOME and $HOME");
        assert_eq!(expand_defaults("${UNCLOSED"), "${UNCLOSED");
        assert_eq!(
            expand_defaults("${DB_URL:-postgres://u:p@db/x}"),
            "postgres://u:p@db/x"
        );
    }
}
