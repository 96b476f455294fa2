//! Plan -> file contents. Pure: no disk access.

use anyhow::{Context, Result};

use crate::plan::Plan;
use crate::templates;

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// Path relative to the output folder.
    pub path: String,
    pub contents: String,
}

/// Renders every built-in output for `plan`.
pub fn render(plan: &Plan) -> Result<Vec<RenderedFile>> {
    let tera = templates::builtin()?;
    let context = tera::Context::from_serialize(plan)
        .context("the plan does not serialize; this is a flaskdock bug")?;
    templates::OUTPUTS
        .iter()
        .map(|(path, template)| {
            let contents = tera.render(template, &context).with_context(|| {
                format!("built-in template `{template}` failed to render; this is a flaskdock bug, please report it")
            })?;
            Ok(RenderedFile { path: path.to_string(), contents: tidy(&contents) })
        })
        .collect()
}

/// Collapses runs of blank lines and ends the file with exactly one newline.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    let trimmed = out.trim_end_matches('\n').trim_start_matches('\n');
    format!("{trimmed}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_collapses_blank_runs() {
        assert_eq!(tidy("\na\n\n\n\nb  \n\n"), "a\n\nb\n");
    }
}
