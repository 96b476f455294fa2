//! `.flaskenv` and `.env`: the settings `flask run` reads (`FLASK_APP`,
//! `FLASK_RUN_PORT`). Only those two keys are kept; every other line of `.env`
//! is dropped as it is parsed, so no secret reaches the plan or the output.

use super::fact::{Fact, Source};
use super::files::Tree;

/// What `.flaskenv` and `.env` say.
#[derive(Debug, Default)]
pub(super) struct FlaskEnv {
    /// `FLASK_APP` as written (`flaskr`, `app.py`, `"app:create_app()"`).
    pub app: Option<Fact<String>>,
    pub port: Option<Fact<u16>>,
}

/// Parses dotenv text: `KEY=VALUE` lines, optional `export`, quotes, comments.
pub fn parse_dotenv(text: &str) -> Vec<(usize, String, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.trim();
            let line = line.strip_prefix("export ").unwrap_or(line);
            if line.starts_with('#') {
                return None;
            }
            let (key, value) = line.split_once('=')?;
            let value = value.trim();
            let value = match value.chars().next() {
                Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
                _ => value.split(" #").next().unwrap_or(value).trim(),
            };
            Some((i + 1, key.trim().to_string(), value.to_string()))
        })
        .collect()
}

/// Reads `.flaskenv`, then `.env`: like `flask run`, a value in `.env` wins.
pub(super) fn detect_flaskenv(tree: &Tree, warnings: &mut Vec<String>) -> FlaskEnv {
    let mut found = FlaskEnv::default();
    for file in [".flaskenv", ".env"] {
        if !tree.has_file(file) {
            continue;
        }
        let text = match tree.read(file) {
            Ok(text) => text,
            Err(err) => {
                warnings.push(format!("skipped: {err:#}"));
                continue;
            }
        };
        for (line, key, value) in parse_dotenv(&text) {
            let source = Source::at(file, line);
            match key.as_str() {
                "FLASK_APP" if !value.is_empty() => found.app = Some(Fact::new(value, source)),
                "FLASK_RUN_PORT" => match value.parse() {
                    Ok(port) => found.port = Some(Fact::new(port, source)),
                    Err(_) => warnings.push(format!(
                        "{file}:{line}: FLASK_RUN_PORT `{value}` is not a port; ignored"
                    )),
                },
                _ => {}
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dotenv_lines() {
        let parsed = parse_dotenv(
            "# c\nFLASK_APP=flaskr\nexport FLASK_RUN_PORT = \"5001\"\nX='a b' \nY=1 # note\n",
        );
        let pairs: Vec<(usize, &str, &str)> = parsed
            .iter()
            .map(|(l, k, v)| (*l, k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                (2, "FLASK_APP", "flaskr"),
                (3, "FLASK_RUN_PORT", "5001"),
                (4, "X", "a b"),
                (5, "Y", "1")
            ]
        );
    }
}
