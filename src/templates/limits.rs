//! Bounds on what a team set can make flaskdock do: read no environment,
//! loop a bounded number of times, nest a bounded depth, never recurse, and
//! render in bounded time and size. A set is code from someone else's
//! repository; each limit is a one-line error naming the set, the file and,
//! where it can be told, the line.

use std::collections::{BTreeMap, HashMap, HashSet};

use anyhow::{Result, bail};
use tera::{Tera, Value};

/// Most items `range()` may make.
pub const MAX_RANGE: usize = 10_000;
/// Deepest nesting of block tags (`if`, `for`, `macro`, ...) or of brackets in one tag.
pub const MAX_NESTING: usize = 64;
/// Largest file a set may render.
pub const MAX_OUTPUT_BYTES: usize = 8 << 20;
/// Longest a whole render may take, unless `FLASKDOCK_RENDER_SECONDS` says otherwise.
pub const MAX_RENDER_SECONDS: u64 = 20;

/// The render time limit in force.
pub fn render_seconds() -> u64 {
    std::env::var("FLASKDOCK_RENDER_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(MAX_RENDER_SECONDS)
}

static ACTIVITY: std::sync::atomic::AtomicPtr<String> =
    std::sync::atomic::AtomicPtr::new(std::ptr::null_mut());

/// Says what flaskdock is rendering now (`None` when done), for a message
/// that must be printed without allocating (the binary's memory budget).
pub fn set_activity(activity: Option<String>) {
    let new = activity.map_or(std::ptr::null_mut(), |a| Box::into_raw(Box::new(a)));
    // The old text is leaked: another thread may be printing it.
    ACTIVITY.swap(new, std::sync::atomic::Ordering::SeqCst);
}

/// What [`set_activity`] last said.
pub fn activity() -> Option<&'static str> {
    let current = ACTIVITY.load(std::sync::atomic::Ordering::SeqCst);
    // SAFETY: a non-null pointer comes from `Box::into_raw` and is never freed.
    unsafe { current.as_ref() }.map(|s| s.as_str())
}

/// Replaces Tera's built-ins that reach outside the Plan or can make
/// unbounded work: `get_env` errors, `range` is capped.
pub fn register(tera: &mut Tera) {
    tera.register_function("get_env", |_: &HashMap<String, Value>| {
        Err(tera::Error::msg(
            "`get_env` is not available: templates see only the plan and `values`, never flaskdock's environment",
        ))
    });
    tera.register_function("range", range);
}

/// Tera's `range(end, start=0, step_by=1)`, refusing more than [`MAX_RANGE`] items.
fn range(args: &HashMap<String, Value>) -> tera::Result<Value> {
    let number = |key: &str, default: Option<i64>| -> tera::Result<i64> {
        match args.get(key) {
            Some(value) => value
                .as_i64()
                .ok_or_else(|| tera::Error::msg(format!("`range`: `{key}` must be an integer"))),
            None => default.ok_or_else(|| tera::Error::msg("`range` needs `end`")),
        }
    };
    let (start, end, step) = (
        number("start", Some(0))?,
        number("end", None)?,
        number("step_by", Some(1))?,
    );
    if step <= 0 {
        return Err(tera::Error::msg("`range`: `step_by` must be positive"));
    }
    let count: u128 = if end > start {
        ((end - start) as u128).div_ceil(step as u128)
    } else {
        0
    };
    if count > MAX_RANGE as u128 {
        return Err(tera::Error::msg(format!(
            "`range` of {count} items is over flaskdock's limit of {MAX_RANGE}"
        )));
    }
    Ok(Value::Array(
        (0..count as i64)
            .map(|i| Value::from(start + i * step))
            .collect(),
    ))
}

/// A tag or an expression of a template: `{% ... %}` or `{{ ... }}`, its
/// inside, and the 1-based line it starts on.
struct Tag<'a> {
    block: bool,
    inside: &'a str,
    line: usize,
}

fn tags(text: &str) -> Vec<Tag<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    // Lines are counted as the scan goes: counting from the start for every
    // tag was quadratic in a large set file.
    let (mut line, mut counted) = (1, 0);
    while let Some(start) = rest.find('{') {
        let after = &rest[start..];
        let (block, close) = if after.starts_with("{%") {
            (true, "%}")
        } else if after.starts_with("{{") {
            (false, "}}")
        } else if after.starts_with("{#") {
            let end = after.find("#}").map_or(after.len(), |e| e + 2);
            offset += start + end;
            rest = &rest[start + end..];
            continue;
        } else {
            offset += start + 1;
            rest = &rest[start + 1..];
            continue;
        };
        let Some(end) = after[2..].find(close) else {
            break;
        };
        let inside = &after[2..2 + end];
        line += text[counted..offset + start].matches('\n').count();
        counted = offset + start;
        out.push(Tag {
            block,
            inside: inside.trim_matches(|c: char| c == '-' || c.is_whitespace()),
            line,
        });
        offset += start + 2 + end + 2;
        rest = &rest[start + 2 + end + 2..];
    }
    out
}

const OPENERS: &[&str] = &["if", "for", "macro", "block", "filter", "raw"];

/// Checks every template of a set before Tera parses it (Tera's parser and
/// renderer recurse, so nesting or recursion without a bound would overflow
/// the stack): nesting depth, macros that call themselves through any chain,
/// and includes or extends that come back to their own file.
pub fn check_set(set: &str, files: &[(&str, &str)]) -> Result<()> {
    let mut includes: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    let mut calls: CallGraph = BTreeMap::new();
    for (file, text) in files {
        let mut depth = 0usize;
        let mut imports: HashMap<String, String> = HashMap::new();
        let mut current_macro: Option<String> = None;
        for tag in tags(text) {
            let brackets = bracket_depth(tag.inside);
            if brackets > MAX_NESTING {
                bail!(
                    "template set `{set}`: `{file}:{}` nests brackets {brackets} deep, over flaskdock's limit of {MAX_NESTING}",
                    tag.line
                );
            }
            let mut words = tag.inside.split_whitespace();
            // An expression (`{{ ... }}`) has no keyword: it can only call.
            let keyword = if tag.block {
                words.next().unwrap_or("")
            } else {
                ""
            };
            if OPENERS.contains(&keyword) {
                depth += 1;
                if depth > MAX_NESTING {
                    bail!(
                        "template set `{set}`: `{file}:{}` nests blocks {depth} deep, over flaskdock's limit of {MAX_NESTING}",
                        tag.line
                    );
                }
            } else if keyword.starts_with("end") {
                depth = depth.saturating_sub(1);
            }
            match keyword {
                "macro" => {
                    let name = words.next().unwrap_or("").split('(').next().unwrap_or("");
                    current_macro = Some(name.to_string());
                    calls
                        .entry((file.to_string(), name.to_string()))
                        .or_default();
                }
                "endmacro" => current_macro = None,
                "import" => {
                    if let (Some(path), Some(alias)) =
                        (quoted(tag.inside).first(), tag.inside.rsplit(" as ").next())
                    {
                        imports.insert(alias.trim().to_string(), path.clone());
                    }
                }
                "include" | "extends" => {
                    for target in quoted(tag.inside) {
                        includes
                            .entry(file.to_string())
                            .or_default()
                            .push((target, tag.line));
                    }
                }
                _ => record_calls(
                    file,
                    &current_macro,
                    &imports,
                    tag.inside,
                    tag.line,
                    &mut calls,
                ),
            }
        }
    }
    if let Some((file, line, target)) = find_cycle(&includes) {
        bail!(
            "template set `{set}`: `{file}:{line}` includes or extends `{target}`, which comes back to it; remove the loop"
        );
    }
    if let Some(((file, name), line, _)) = find_cycle(&calls) {
        bail!(
            "template set `{set}`: `{file}:{line}`: macro `{name}` calls itself (directly or through other macros); flaskdock renders no recursive macros"
        );
    }
    Ok(())
}

fn bracket_depth(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for c in text.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The string literals of a tag, in order.
fn quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.char_indices();
    while let Some((start, c)) = chars.next() {
        if c == '"' || c == '\'' || c == '`' {
            let rest = &text[start + 1..];
            if let Some(end) = rest.find(c) {
                out.push(rest[..end].to_string());
                for _ in 0..rest[..end].chars().count() + 1 {
                    chars.next();
                }
            }
        }
    }
    out
}

/// A macro: its file and name.
type MacroId = (String, String);

/// Which macros each macro calls, with the line of the call.
type CallGraph = BTreeMap<MacroId, Vec<(MacroId, usize)>>;

/// Calls `NS::name(` made inside a macro's body, as edges between macros.
fn record_calls(
    file: &str,
    current: &Option<String>,
    imports: &HashMap<String, String>,
    inside: &str,
    line: usize,
    calls: &mut CallGraph,
) {
    let Some(current) = current else { return };
    let mut rest = inside;
    while let Some(at) = rest.find("::") {
        let namespace: String = rest[..at]
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let name: String = rest[at + 2..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let target_file = match namespace.as_str() {
            "self" => Some(file.to_string()),
            ns => imports.get(ns).cloned(),
        };
        if let Some(target_file) = target_file {
            calls
                .entry((file.to_string(), current.clone()))
                .or_default()
                .push(((target_file, name), line));
        }
        rest = &rest[at + 2..];
    }
}

/// The first edge that closes a cycle: (from, line, to).
fn find_cycle<N: Ord + Clone + std::hash::Hash>(
    graph: &BTreeMap<N, Vec<(N, usize)>>,
) -> Option<(N, usize, N)> {
    let mut done: HashSet<&N> = HashSet::new();
    for start in graph.keys() {
        if done.contains(start) {
            continue;
        }
        // Iterative depth-first search: a set's graph can be deep.
        let mut on_path: HashSet<&N> = HashSet::new();
        let mut stack: Vec<(&N, usize)> = vec![(start, 0)];
        on_path.insert(start);
        while let Some((node, next)) = stack.last_mut() {
            let edges = graph.get(*node).map(Vec::as_slice).unwrap_or(&[]);
            if let Some((target, line)) = edges.get(*next) {
                *next += 1;
                if on_path.contains(target) {
                    return Some(((*node).clone(), *line, target.clone()));
                }
                if !done.contains(target)
                    && let Some((key, _)) = graph.get_key_value(target)
                {
                    on_path.insert(key);
                    stack.push((key, 0));
                }
            } else {
                on_path.remove(*node);
                done.insert(*node);
                stack.pop();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_past_the_limit_names_the_line() {
        let deep = "{% if a %}\n".repeat(MAX_NESTING + 1);
        let err = check_set("acme", &[("x.tera", &deep)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("`x.tera:65`"), "{err}");
        let brackets = format!("{{{{ {}1{} }}}}", "(".repeat(100), ")".repeat(100));
        assert!(check_set("acme", &[("y.tera", &brackets)]).is_err());
    }

    #[test]
    fn recursive_macros_and_include_loops_are_refused() {
        let direct = "{% macro m(n) %}{{ self::m(n=n) }}{% endmacro m %}";
        assert!(check_set("acme", &[("a.tera", direct)]).is_err());
        let a = "{% import \"b.tera\" as b %}{% macro m() %}{{ b::n() }}{% endmacro %}";
        let b = "{% import \"a.tera\" as a %}{% macro n() %}{{ a::m() }}{% endmacro %}";
        let err = check_set("acme", &[("a.tera", a), ("b.tera", b)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("calls itself"), "{err}");
        let looped = check_set("acme", &[("x.tera", "{% include \"x.tera\" %}")]);
        assert!(looped.unwrap_err().to_string().contains("`x.tera:1`"));
        let fine = "{% macro m() %}{{ self::n() }}{% endmacro %}{% macro n() %}x{% endmacro %}{% include \"y.tera\" %}";
        assert!(check_set("acme", &[("x.tera", fine), ("y.tera", "y")]).is_ok());
    }

    #[test]
    fn a_large_set_file_is_checked_in_linear_time() {
        let flat = "{{ project_name }}\n".repeat(100_000);
        assert!(check_set("acme", &[("big.tera", &flat)]).is_ok());
        let tags = tags(&flat);
        assert_eq!((tags.len(), tags.last().unwrap().line), (100_000, 100_000));
    }

    #[test]
    fn range_is_capped() {
        let mut args = HashMap::new();
        args.insert("end".to_string(), Value::from(3));
        assert_eq!(range(&args).unwrap(), Value::from(vec![0, 1, 2]));
        args.insert("end".to_string(), Value::from(100_000_000));
        assert!(range(&args).is_err());
    }
}
