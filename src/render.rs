//! Plan -> file contents. Pure: no disk access.

use anyhow::{Context, Result, bail};

use crate::plan::Plan;
use crate::templates::values::Values;
use crate::templates::{self, BUILTIN_PREFIX, TeamSet, limits, tera_chain};

pub use crate::write::RenderedFile;

/// Renders the files of `team` (when given) and every built-in output the team
/// set does not produce. Team templates see the plan's fields and `values`.
///
/// The render runs on a thread of its own with a large stack, and is given
/// [`limits::render_seconds`]: a set that loops for longer gets an error
/// naming it (the caller then exits, which ends the thread), and no file
/// may pass [`limits::MAX_OUTPUT_BYTES`].
pub fn render(plan: &Plan, team: Option<&TeamSet>, values: &Values) -> Result<Vec<RenderedFile>> {
    let (plan, team, values) = (plan.clone(), team.cloned(), values.clone());
    let set = team
        .as_ref()
        .map_or(templates::BUILTIN.to_string(), |t| t.name().to_string());
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("render".into())
        .stack_size(RENDER_STACK_BYTES)
        .spawn(move || {
            let _ = sender.send(render_files(&plan, team.as_ref(), &values));
        })
        .context("cannot start the render thread")?;
    let seconds = limits::render_seconds();
    let timeout = std::time::Duration::from_secs(seconds);
    let files = match receiver.recv_timeout(timeout) {
        Ok(result) => result?,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => bail!(
            "template set `{set}` took longer than {seconds} s to render ({}); nothing was written: look for a loop that never ends",
            limits::activity().unwrap_or("rendering")
        ),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            bail!("template set `{set}` stopped flaskdock's renderer; nothing was written")
        }
    };
    if let Some(big) = files
        .iter()
        .find(|f| f.contents.len() > limits::MAX_OUTPUT_BYTES)
    {
        bail!(
            "template set `{set}`: `{}` renders to {} MiB, over flaskdock's limit of {} MiB; nothing was written",
            big.path,
            big.contents.len() >> 20,
            limits::MAX_OUTPUT_BYTES >> 20
        );
    }
    Ok(files)
}

/// Stack for the render thread: Tera recurses once per nested tag and call,
/// and `limits` bounds both.
const RENDER_STACK_BYTES: usize = 256 << 20;

fn render_files(plan: &Plan, team: Option<&TeamSet>, values: &Values) -> Result<Vec<RenderedFile>> {
    let tera = templates::tera(team, plan.kubernetes.is_some())?;
    let mut context = tera::Context::from_serialize(plan)
        .context("the plan does not serialize; this is a flaskdock bug")?;
    context.insert("values", values);

    let mut team_files = Vec::new();
    if let Some(team) = team {
        let set = team.name();
        for file in &team.files {
            if let Some(condition) = team.manifest.conditions.get(&file.path) {
                let holds = holds(condition, &context).map_err(|err| {
                    anyhow::anyhow!(
                        "template set `{set}`: the condition of `{}` (`{condition}`) failed: {err}",
                        file.path,
                    )
                })?;
                if !holds {
                    continue;
                }
            }
            let name = output_name(&file.path, &context, set)?;
            limits::set_activity(Some(format!(
                "rendering `{}` of template set `{set}`",
                file.path
            )));
            let contents = match file.path.ends_with(".tera") {
                true => tidy(&tera.render(&file.path, &context).map_err(|err| {
                    anyhow::anyhow!("{}", team_error(set, &file.path, &file.contents, &err))
                })?),
                false => file.contents.clone(),
            };
            if team_files.iter().any(|f: &RenderedFile| f.path == name) {
                bail!("template set `{set}`: two files render to `{name}`; rename one");
            }
            team_files.push(RenderedFile {
                path: name,
                contents,
            });
        }
    }

    let mut files = Vec::new();
    let mut builtin: Vec<(&str, &str)> = templates::OUTPUTS.to_vec();
    for (path, template, condition) in templates::KUBERNETES_OUTPUTS {
        if holds(condition, &context).map_err(|err| {
            anyhow::anyhow!(
                "built-in condition `{condition}` failed ({err}); this is a flaskdock bug"
            )
        })? {
            builtin.push((path, template));
        }
    }
    for (path, template) in builtin {
        if let Some(index) = team_files.iter().position(|f| f.path == *path) {
            files.push(team_files.remove(index));
            continue;
        }
        let name = format!("{BUILTIN_PREFIX}{template}");
        let contents = tera.render(&name, &context).map_err(|err| {
            anyhow::anyhow!(
                "built-in template `{template}` failed to render ({}); this is a flaskdock bug, please report it",
                tera_chain(&err)
            )
        })?;
        files.push(RenderedFile {
            path: path.to_string(),
            contents: tidy(&contents),
        });
    }
    files.extend(team_files);
    limits::set_activity(None);
    Ok(files)
}

/// Whether the Tera expression `condition` is true in `context`.
fn holds(condition: &str, context: &tera::Context) -> Result<bool, String> {
    let test = format!("{{% if {condition} %}}yes{{% endif %}}");
    tera::Tera::one_off(&test, context, false)
        .map(|outcome| outcome == "yes")
        .map_err(|err| tera_chain(&err))
}

/// The output path of a set file: its name rendered (names may hold Tera
/// expressions), `.tera` dropped, and checked to stay inside the output folder.
fn output_name(path: &str, context: &tera::Context, set: &str) -> Result<String> {
    let rendered = if path.contains("{{") || path.contains("{%") {
        tera::Tera::one_off(path, context, false).map_err(|err| {
            anyhow::anyhow!(
                "template set `{set}`: the file name `{path}` failed to render: {}",
                tera_chain(&err)
            )
        })?
    } else {
        path.to_string()
    };
    let name = rendered
        .strip_suffix(".tera")
        .unwrap_or(&rendered)
        .to_string();
    let inside = !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains('\0')
        && !name.contains(':')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    if !inside {
        bail!(
            "template set `{set}`: `{path}` would write `{name}`, outside the output folder; nothing was written"
        );
    }
    if name.split('/').any(|part| {
        [".git", ".hg", ".svn"]
            .iter()
            .any(|vcs| part.eq_ignore_ascii_case(vcs))
    }) {
        bail!(
            "template set `{set}`: `{path}` would write `{name}`, inside a version-control folder; nothing was written"
        );
    }
    if name.chars().any(crate::safe::is_unsafe_char) {
        bail!(
            "template set `{set}`: `{}` would write a file whose name holds a control character; nothing was written",
            crate::safe::escaped(path)
        );
    }
    if name == crate::settings::SETTINGS_FILE || name.ends_with(templates::manifest::MANIFEST_FILE)
    {
        bail!(
            "template set `{set}`: `{path}` would write `{name}`, which flaskdock keeps for itself; rename it"
        );
    }
    Ok(name)
}

/// A team template's error: the set, the file, the line when it can be found, and Tera's reason.
fn team_error(set: &str, file: &str, source: &str, err: &tera::Error) -> String {
    let reason = tera_chain(err);
    // Tera names the variable (in backticks) or the filter or test (in quotes)
    // but not the line: point at the first line that uses it.
    let quoted = |quote: char| -> Vec<&str> { reason.split(quote).skip(1).step_by(2).collect() };
    let line = quoted('`')
        .into_iter()
        .chain(quoted('\''))
        .filter(|needle| !needle.is_empty() && *needle != file)
        .find_map(|needle| source.lines().position(|l| l.contains(needle)))
        .map(|i| format!(":{}", i + 1))
        .unwrap_or_default();
    format!("template set `{set}`: `{file}{line}` failed to render: {reason}")
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
