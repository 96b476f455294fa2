//! Variable substitution as Docker and Compose do it for an unset variable.

/// `${NAME:-default}` and `${NAME-default}` replaced by their default and
/// `${NAME}` by nothing: what Docker and Compose substitute for an unset variable.
pub(super) fn expand_defaults(text: &str) -> String {
    let mut out = text.to_string();
    while let Some(start) = out.find("${") {
        let Some(end) = out[start..].find('}') else {
            break;
        };
        let inner = &out[start + 2..start + end];
        let value = inner
            .split_once(":-")
            .or_else(|| inner.split_once('-'))
            .map(|(_, d)| d)
            .unwrap_or("")
            .to_string();
        out.replace_range(start..start + end + 1, &value);
    }
    out
}
