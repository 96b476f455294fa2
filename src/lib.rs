//! flaskdock: turns a Flask project into a production Docker setup.
//!
//! The pipeline, top to bottom:
//! `inspect(path) -> Project`, `resolve(...) -> Answers`, `plan(...) -> Plan`,
//! `render(plan) -> files`, `write(files) -> Outcome`.

pub mod answers;
pub mod inspect;
pub mod plan;
pub mod render;
pub mod report;
pub mod templates;
pub mod write;

use std::path::{Path, PathBuf};

use anyhow::Result;

use answers::{Answers, Flags, Prompter};
use inspect::Project;
use plan::{Layout, Plan};
use write::{Mode, Outcome};

/// What `flaskdock init` was asked to do.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The Flask project.
    pub path: PathBuf,
    /// Where to write; the project folder when `None`.
    pub output: Option<PathBuf>,
    pub flags: Flags,
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
    let settings = answers::read_settings(&output)?;
    let saved = settings.as_ref().map(|s| &s.answers);
    let prompter = match options.interactive {
        true => {
            report::print_detected(&project);
            Some(prompter)
        }
        false => None,
    };
    let answers = answers::resolve(&project, &options.flags, saved, prompter)?;

    let plan = plan::plan(&project, &answers, &layout(&options.path, &output));
    let files = render::render(&plan)?;
    let outcome = write::write(&files, &output, options.mode)?;
    let notes = report::notes(&project, &plan);
    Ok(InitReport {
        project,
        answers,
        plan,
        outcome,
        notes,
    })
}

/// Inspects and resolves without flags, saved answers or prompts: what
/// `flaskdock inspect` shows.
pub fn inspect_only(path: &Path) -> Result<(Project, Option<Answers>)> {
    let project = inspect::inspect(path)?;
    let answers = answers::resolve(&project, &Flags::default(), None, None).ok();
    Ok((project, answers))
}

/// Project name, build context and Dockerfile path as compose sees them.
pub fn layout(project: &Path, output: &Path) -> Layout {
    let absolute = |p: &Path| {
        std::fs::canonicalize(p)
            .unwrap_or_else(|_| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
    };
    let project_abs = absolute(project);
    let output_abs = absolute(output);
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
