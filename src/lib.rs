//! flaskdock: turns a Flask project into a production Docker setup.
//!
//! The pipeline, top to bottom:
//! `inspect(path) -> Project`, `resolve(...) -> Answers`, `plan(...) -> Plan`,
//! `render(plan) -> files`, `write(files) -> Outcome`.

#![warn(clippy::too_many_lines, unreachable_pub)]

// The pipeline's stages and the types of the commands' options and outcomes.
pub mod answers;
pub mod doctor;
pub mod inspect;
pub mod plan;
pub mod precedence;
pub mod prompt;
pub mod render;
pub mod templates;
pub mod verify;
pub mod write;

// What the binary prints and the tests reach into: not part of the API.
#[doc(hidden)]
pub mod detected;
#[doc(hidden)]
pub mod report;
#[doc(hidden)]
pub mod safe;
#[doc(hidden)]
pub mod services;
#[doc(hidden)]
pub mod settings;

pub(crate) mod secret;
pub(crate) mod substitute;
pub(crate) mod syntax;

use std::path::{Path, PathBuf};

use anyhow::Result;

use answers::{Answers, Flags};
use inspect::Project;
use plan::{Layout, Plan};
use prompt::Prompter;
use settings::{SETTINGS_FILE, Settings};
use templates::values::{ValueInputs, Values};
use templates::{TeamSet, TemplateSpec};
use write::{Mode, Outcome};

/// What `flaskdock init` was asked to do.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The Flask project.
    pub path: PathBuf,
    /// Where to write; the project folder when `None`.
    pub output: Option<PathBuf>,
    pub flags: Flags,
    /// `--template` (with `--branch`, `--subfolder`); `None` keeps the saved set.
    pub template: Option<TemplateSpec>,
    /// Placeholder values from `--define`, `--values-file` and the environment.
    pub values: ValueInputs,
    pub mode: Mode,
    /// Ask questions through the prompter; when false it is never called.
    pub interactive: bool,
}

/// Everything `init` decided and did, for the report.
#[derive(Debug)]
pub struct InitReport {
    pub project: Project,
    pub answers: Answers,
    pub plan: Plan,
    /// The team set's placeholder values (empty for the built-in set).
    pub values: Values,
    pub outcome: Outcome,
    /// What the user should know about the generated files.
    pub notes: Vec<String>,
}

/// Runs the whole pipeline. `prompter` is called only when
/// `options.interactive` is set.
pub fn init(options: &InitOptions, prompter: &mut dyn Prompter) -> Result<InitReport> {
    let project = inspect::inspect(&options.path)?;
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| options.path.clone());
    let saved = settings::read_settings(&output)?;
    let settings = saved.as_ref().map(|(s, _)| s.clone()).unwrap_or_default();
    let team = load_template(options, &output, &settings, prompter)?;
    if options.interactive {
        prompter.show(&detected::detected_text(&project));
    }
    let values = match &team {
        Some(team) => templates::values::resolve_values(
            &team.manifest,
            &options.values,
            &settings.values,
            options
                .interactive
                .then_some(&mut *prompter as &mut dyn Prompter),
        )?,
        None => Values::new(),
    };
    let manifest = team.as_ref().map(|t| t.manifest_path());
    let given = answers::Given {
        flags: &options.flags,
        saved: Some(answers::FromFile {
            answers: &settings.answers,
            file: SETTINGS_FILE,
        }),
        team: team
            .as_ref()
            .zip(manifest.as_deref())
            .map(|(t, file)| answers::FromFile {
                answers: &t.manifest.defaults,
                file,
            }),
    };
    let answers = answers::resolve(&project, &given, options.interactive.then_some(prompter))?;

    let template = team.as_ref().map_or(templates::BUILTIN, |t| t.name());
    let plan = plan::plan(
        &project,
        &answers,
        &layout(&options.path, &output),
        template,
    );
    let mut files = render::render(&plan, team.as_ref(), &values)?;
    let record = Settings::record(team.as_ref(), &values, &answers, &files);
    files.push(record.to_file(plan.project_name.as_str()));
    // `.flaskdock.toml` was just read and used: rewriting it loses nothing.
    let mut last_written = settings.files.clone();
    if let Some((_, text)) = &saved {
        last_written.insert(SETTINGS_FILE.to_string(), settings::file_hash(text));
    }
    let outcome = write::write(&files, &output, options.mode, &last_written)?;
    let notes = plan::notes(&project, &plan);
    Ok(InitReport {
        project,
        answers,
        plan,
        values,
        outcome,
        notes,
    })
}

/// The team set named by `--template`, else the one `.flaskdock.toml` recorded;
/// `None` for the built-in set. A folder given on the command line is read from
/// the current folder and recorded relative to the output folder.
///
/// A recorded set is data from the repository, not the user's choice: it
/// renders only when the user's own config file names it, or the user
/// confirms it at a prompt that names it. Without a prompt it is an error
/// saying which flag to pass.
fn load_template(
    options: &InitOptions,
    output: &Path,
    settings: &Settings,
    prompter: &mut dyn Prompter,
) -> Result<Option<TeamSet>> {
    let Some(spec) = options.template.clone() else {
        let spec = settings.template.spec();
        if spec.is_builtin() {
            return Ok(None);
        }
        let shown = safe::escaped(&spec.source);
        if !templates::set::named_in_config(&spec.source, output)? {
            if !options.interactive {
                anyhow::bail!(
                    "`{SETTINGS_FILE}` records the template set `{shown}`, which came with the project and is not rendered unless you name it; pass `--template {}` to render it, or `--template builtin`",
                    shell_word(&spec.source)
                );
            }
            let choices = [
                "no: use flaskdock's built-in set".to_string(),
                format!("yes: render `{shown}`"),
            ];
            let question = format!(
                "`{SETTINGS_FILE}` here asks for the template set `{shown}`, which came with the project; render it?"
            );
            if prompter.select(&question, &choices, 0)? == 0 {
                return Ok(None);
            }
        }
        return templates::set::load(&spec, output).map(Some);
    };
    if spec.is_builtin() {
        return Ok(None);
    }
    let mut team = templates::set::load(&spec, Path::new("."))?;
    let folder = Path::new(&spec.source);
    if folder.is_dir() {
        let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let relative = pathdiff::diff_paths(absolute(folder), absolute(output))
            .unwrap_or_else(|| absolute(folder));
        team.spec.source = relative.to_string_lossy().replace('\\', "/");
    }
    Ok(Some(team))
}

/// `source` as the user would type it after `--template`.
fn shell_word(source: &str) -> String {
    templates::encode::sh(&safe::escaped(source))
}

/// Writes the built-in set, with a manifest, to `dir`: the start of a team set.
pub fn eject(dir: &Path, mode: Mode) -> Result<Outcome> {
    let mut files: Vec<render::RenderedFile> = templates::builtin_files()
        .map(|(path, contents)| render::RenderedFile {
            path: path.to_string(),
            contents: contents.to_string(),
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.push(render::RenderedFile {
        path: templates::manifest::MANIFEST_FILE.to_string(),
        contents: templates::ejected_manifest(),
    });
    write::write(&files, dir, mode, &Default::default())
}

/// Inspects and resolves without flags, saved answers or prompts: what
/// `flaskdock inspect` shows.
pub fn inspect_only(path: &Path) -> Result<(Project, Option<Answers>)> {
    let project = inspect::inspect(path)?;
    let answers = answers::resolve(&project, &answers::Given::flags(&Flags::default()), None).ok();
    Ok((project, answers))
}

/// `path` made absolute with every link and `..` resolved, also when its
/// last folders do not exist yet (`-o ../out`): each existing prefix is
/// resolved on disk, the rest lexically.
fn resolved(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut current = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                current.pop();
            }
            Component::CurDir => {}
            other => {
                current.push(other);
                if let Ok(real) = std::fs::canonicalize(&current) {
                    current = real;
                }
            }
        }
    }
    current
}

/// Project name, build context and Dockerfile path as compose sees them.
pub fn layout(project: &Path, output: &Path) -> Layout {
    let project_abs = resolved(project);
    let output_abs = resolved(output);
    let project_name = project_abs
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "app".to_string());
    if project_abs == output_abs {
        return Layout {
            project_name,
            build_context: ".".into(),
            dockerfile: "Dockerfile".into(),
        };
    }
    let slash = |p: PathBuf| p.to_string_lossy().replace('\\', "/");
    let context = pathdiff::diff_paths(&project_abs, &output_abs)
        .map(slash)
        .unwrap_or_else(|| slash(project_abs.clone()));
    let dockerfile = pathdiff::diff_paths(output_abs.join("Dockerfile"), &project_abs)
        .map(slash)
        .unwrap_or_else(|| slash(output_abs.join("Dockerfile")));
    Layout {
        project_name,
        build_context: if context.is_empty() {
            ".".into()
        } else {
            context
        },
        dockerfile,
    }
}
