//! The likely cause of an app that did not serve, in one line, from its
//! logs and what `verify` knows of the project.

use std::collections::BTreeSet;

/// What the cause is judged against.
pub(super) struct Context<'a> {
    /// Names the `.env` given to the container sets (to a non-empty value).
    pub(super) env_set: &'a BTreeSet<String>,
    /// Names the code reads (from `inspect`).
    pub(super) reads: &'a [String],
    /// The WSGI target, `module:app`.
    pub(super) entry: Option<&'a str>,
    /// The port the image publishes.
    pub(super) port: u16,
}

/// The likely cause, or `None` when the logs say nothing recognisable.
pub(super) fn cause(logs: &str, context: &Context) -> Option<String> {
    missing_variable(logs, context)
        .or_else(|| bad_entry(logs, context))
        .or_else(|| unreachable_database(logs))
        .or_else(|| missing_module(logs))
        .or_else(|| other_port(logs, context.port))
        .or_else(|| last_exception(logs).map(|line| format!("the app stopped on `{line}`")))
}

/// Why an image did not build, from the build's log, when pip says so: the
/// project's own pins conflict, or a pin has no release for the image.
pub(super) fn build_cause(log: &str) -> Option<String> {
    let lines: Vec<&str> = log.lines().map(str::trim).collect();
    if let Some(start) = lines
        .iter()
        .position(|l| *l == "The conflict is caused by:")
    {
        let conflict: Vec<&str> = lines[start + 1..]
            .iter()
            .take_while(|l| !l.is_empty())
            .copied()
            .collect();
        let conflict = crate::safe::escaped(&conflict.join("; ")).into_owned();
        return Some(format!(
            "the project's requirements cannot all be installed ({conflict}): change one of those pins"
        ));
    }
    let missing = lines.iter().find_map(|l| {
        l.split_once("No matching distribution found for ")
            .map(|(_, r)| r)
    })?;
    let missing = crate::safe::escaped(missing.trim()).into_owned();
    // "from versions: none" after failed connections: the index is out of reach.
    if lines.iter().any(|l| {
        l.contains("NewConnectionError")
            || l.contains("Name or service not known")
            || l.contains("ConnectTimeoutError")
    }) {
        let index = lines
            .iter()
            .find_map(|l| l.strip_prefix("Looking in indexes: "))
            .map(|i| format!(" ({})", crate::safe::escaped(i)))
            .unwrap_or_default();
        return Some(format!(
            "pip could not reach the package index{index} to fetch `{missing}`: check the build's network, or the index the project's dependency files name"
        ));
    }
    Some(format!(
        "pip finds no release of `{missing}` for the image's Python and platform: pin a release that has one, or choose the Python it supports (`--python`)"
    ))
}

/// The app's first traceback (a gunicorn worker's import error comes before
/// the master's `HaltServer`), shortened to `n` lines around its end (where
/// the exception is), else the logs' last `n` lines.
pub(super) fn traceback_first(logs: &str, n: usize) -> Vec<String> {
    let lines: Vec<&str> = logs.lines().collect();
    let block = match lines
        .iter()
        .position(|l| l.contains("Traceback (most recent call last)"))
    {
        Some(start) => {
            let end = (start + 1..lines.len())
                .find(|&i| is_exception(lines[i]))
                .map_or(lines.len(), |i| i + 1);
            let block = &lines[start..end];
            match block.len() > n {
                true => [&block[..1], &["  ..."], &block[block.len() - (n - 2)..]].concat(),
                false => block.to_vec(),
            }
        }
        None => lines[lines.len().saturating_sub(n)..].to_vec(),
    };
    block
        .iter()
        .map(|l| crate::safe::escaped(l).into_owned())
        .collect()
}

/// `KeyError: 'API_TOKEN'`, or an exception that names a variable the code
/// reads, for a name the `.env` does not set.
fn missing_variable(logs: &str, context: &Context) -> Option<String> {
    for line in exception_lines(logs) {
        let named = key_error(line).into_iter().chain(
            context
                .reads
                .iter()
                .filter(|name| mentions(line, name))
                .map(String::as_str),
        );
        for name in named {
            if !context.env_set.contains(name) {
                return Some(format!(
                    "the code reads {name} when it starts and the .env does not set it: add {name}=... to .env"
                ));
            }
        }
    }
    None
}

/// The name in `KeyError: 'NAME'` when it looks like a variable's.
fn key_error(line: &str) -> Option<&str> {
    let rest = line.split("KeyError: ").nth(1)?;
    let name = rest.trim().trim_matches(['\'', '"']);
    let variable = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    variable.then_some(name)
}

/// Whether `name` appears in `line` as a whole word.
fn mentions(line: &str, name: &str) -> bool {
    line.match_indices(name).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + name.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        !word(before) && !word(after)
    })
}

/// gunicorn could not load the target: the module or the attribute is not there.
fn bad_entry(logs: &str, context: &Context) -> Option<String> {
    let entry = context.entry?;
    let module = entry.split(':').next().unwrap_or(entry);
    let top = module.split('.').next().unwrap_or(module);
    let line = logs.lines().find(|l| {
        l.contains("Failed to find attribute")
            || l.contains("Failed to parse")
            || [module, top]
                .iter()
                .any(|m| l.contains(&format!("No module named '{m}'")))
    })?;
    Some(format!(
        "the WSGI target `{entry}` does not load ({}): pass the right one with `flaskdock init --entry module:app`",
        crate::safe::escaped(line.trim())
    ))
}

/// A database or Redis that does not answer, and why when the address says.
fn unreachable_database(logs: &str) -> Option<String> {
    const REFUSED: &[&str] = &[
        "could not connect to server",
        "connection to server at",
        "Can't connect to MySQL server",
        "Connection refused",
        "Error 111 connecting to",
        "Name or service not known",
    ];
    let line = logs
        .lines()
        .find(|l| REFUSED.iter().any(|r| l.contains(r)))?;
    let local = ["localhost", "127.0.0.1", "::1"]
        .iter()
        .any(|host| line.contains(host));
    Some(if local {
        "a database is not reachable: its URL points at localhost, which in a container is the container itself; use the compose service's name (db, redis) or the host's address".to_string()
    } else {
        format!(
            "a database is not reachable ({}): start it, or check its URL in .env",
            crate::safe::escaped(line.trim())
        )
    })
}

/// A dependency that is not in the image.
fn missing_module(logs: &str) -> Option<String> {
    let line = logs
        .lines()
        .find(|l| l.contains("ModuleNotFoundError: No module named"))?;
    let name = line.rsplit("named").next().unwrap_or("").trim();
    Some(format!(
        "a module is missing from the image ({name}): add its package to the dependencies"
    ))
}

/// The app listens, but not on the port the image publishes.
fn other_port(logs: &str, port: u16) -> Option<String> {
    const LISTENING: &[&str] = &["Listening at: ", "Running on ", "running on "];
    for line in logs.lines() {
        let Some(address) = LISTENING
            .iter()
            .find_map(|marker| line.split(marker).nth(1))
        else {
            continue;
        };
        let digits: String = address
            .split(['(', ' '])
            .next()
            .unwrap_or("")
            .rsplit(':')
            .next()
            .unwrap_or("")
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(listening) = digits.parse::<u16>()
            && listening != port
        {
            return Some(format!(
                "the app listens on port {listening}, the image publishes {port}: make them agree (`flaskdock init --port {listening}`, or the app's own bind setting)"
            ));
        }
    }
    None
}

/// Lines that state an exception (`ValueError: ...`, `RuntimeError: ...`).
fn exception_lines(logs: &str) -> impl Iterator<Item = &str> {
    logs.lines().filter(|l| is_exception(l))
}

fn is_exception(line: &str) -> bool {
    let head = line.trim_start().split(':').next().unwrap_or("");
    !head.contains(' ')
        && (head.ends_with("Error") || head.ends_with("Exception") || head.ends_with("Exit"))
}

/// The last exception line of the logs.
fn last_exception(logs: &str) -> Option<String> {
    exception_lines(logs)
        .last()
        .map(|l| crate::safe::escaped(l.trim()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context<'a>(env_set: &'a BTreeSet<String>, reads: &'a [String]) -> Context<'a> {
        Context {
            env_set,
            reads,
            entry: Some("app:app"),
            port: 8000,
        }
    }

    #[test]
    fn a_variable_read_at_import_and_missing_from_the_env() {
        let set: BTreeSet<String> = ["SECRET_KEY".to_string()].into();
        let reads = vec!["API_TOKEN".to_string(), "SECRET_KEY".to_string()];
        let logs = "Traceback (most recent call last):\n  File \"/app/app.py\", line 5\nKeyError: 'API_TOKEN'\n";
        let cause = cause(logs, &context(&set, &reads)).unwrap();
        assert!(cause.starts_with("the code reads API_TOKEN"), "{cause}");
        // Named in a message of the app's own.
        let logs = "RuntimeError: API_TOKEN must be set\n";
        assert!(cause_of(logs, &set, &reads).contains("API_TOKEN"));
        // A name the .env sets is not the cause.
        let logs = "RuntimeError: SECRET_KEY is too short\n";
        assert_eq!(
            cause_of(logs, &set, &reads),
            "the app stopped on `RuntimeError: SECRET_KEY is too short`"
        );
    }

    fn cause_of(logs: &str, set: &BTreeSet<String>, reads: &[String]) -> String {
        cause(logs, &context(set, reads)).unwrap_or_default()
    }

    #[test]
    fn a_wrong_entry_a_database_at_localhost_a_missing_module_and_another_port() {
        let (set, reads) = (BTreeSet::new(), Vec::new());
        let entry = "Failed to find attribute 'app' in 'app'.\n[INFO] Worker exiting";
        assert!(
            cause_of(entry, &set, &reads).starts_with("the WSGI target `app:app` does not load")
        );
        let db = "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at \"localhost\" (127.0.0.1), port 5432 failed: Connection refused";
        assert!(cause_of(db, &set, &reads).contains("points at localhost"));
        let remote = "redis.exceptions.ConnectionError: Error 111 connecting to cache:6379. Connection refused.";
        assert!(cause_of(remote, &set, &reads).contains("check its URL"));
        let module = "ModuleNotFoundError: No module named 'requests'";
        assert!(cause_of(module, &set, &reads).contains("missing from the image ('requests')"));
        let port =
            "[INFO] Starting gunicorn 23.0.0\n[INFO] Listening at: http://0.0.0.0:5055 (1)\n";
        assert!(
            cause_of(port, &set, &reads)
                .starts_with("the app listens on port 5055, the image publishes 8000")
        );
        let same = "[INFO] Listening at: http://0.0.0.0:8000 (1)\n";
        assert_eq!(cause(same, &context(&set, &reads)), None);
    }

    #[test]
    fn a_build_that_pip_refuses_names_the_pins() {
        let conflict = "INFO: pip is looking at multiple versions of flask\n\nThe conflict is caused by:\n    The user requested MarkupSafe==2.0.1\n    werkzeug 2.2.3 depends on MarkupSafe>=2.1.1\n\nTo fix this you could try to:\n";
        assert_eq!(
            build_cause(conflict).as_deref(),
            Some(
                "the project's requirements cannot all be installed (The user requested MarkupSafe==2.0.1; werkzeug 2.2.3 depends on MarkupSafe>=2.1.1): change one of those pins"
            )
        );
        let missing = "ERROR: Could not find a version that satisfies the requirement numpy==1.19.5\nERROR: No matching distribution found for numpy==1.19.5\n";
        assert!(
            build_cause(missing)
                .unwrap()
                .contains("no release of `numpy==1.19.5`")
        );
        assert_eq!(
            build_cause("error: failed to solve: process did not complete\n"),
            None
        );
        let offline = "Looking in indexes: https://index.example/simple\nWARNING: Retrying after connection broken by 'NewConnectionError(...: [Errno -2] Name or service not known)': /simple/blinker/\nERROR: No matching distribution found for blinker==1.9.0\n";
        assert_eq!(
            build_cause(offline).as_deref(),
            Some(
                "pip could not reach the package index (https://index.example/simple) to fetch `blinker==1.9.0`: check the build's network, or the index the project's dependency files name"
            )
        );
    }

    #[test]
    fn the_traceback_comes_first_and_control_characters_are_escaped() {
        let logs =
            "starting\nTraceback (most recent call last):\n  File \"x\"\nKeyError: 'A\u{1b}[2J'\n";
        let lines = traceback_first(logs, 10);
        assert_eq!(lines[0], "Traceback (most recent call last):");
        assert!(!lines.iter().any(|l| l.contains('\u{1b}')));
        assert_eq!(traceback_first("a\nb\nc\n", 2), ["b", "c"]);
        // A long traceback keeps its head and its end, where the exception is.
        let frames: String = (0..30).map(|i| format!("  File \"f{i}.py\"\n")).collect();
        let logs = format!(
            "[ERROR] boot\nTraceback (most recent call last):\n{frames}KeyError: 'X'\n[INFO] exiting\n"
        );
        let lines = traceback_first(&logs, 6);
        let expected = [
            "Traceback (most recent call last):",
            "  ...",
            "  File \"f27.py\"",
            "  File \"f28.py\"",
            "  File \"f29.py\"",
            "KeyError: 'X'",
        ];
        assert_eq!(lines, expected);
        // The worker's import error, not the master's HaltServer after it.
        let two = "Traceback (most recent call last):\nKeyError: 'A'\nTraceback (most recent call last):\ngunicorn.errors.HaltServer: <HaltServer 'Worker failed to boot.' 3>\n";
        assert_eq!(traceback_first(two, 10)[1], "KeyError: 'A'");
    }
}
