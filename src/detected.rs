//! What inspection found, as rows: the detection table before the prompts,
//! `flaskdock inspect` and its `--json` all print the one list.

use serde_json::{Value, json};

use crate::answers::Answers;
use crate::inspect::{CURRENT_STABLE_PYTHON, Project, Source};
use crate::safe::PythonVersion;
use crate::services::Database;

/// One decided value, and where it came from: the detection table prints
/// each row as a line, `--json` keys each source under `sources`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The table's label (`build_package`).
    pub label: &'static str,
    /// The key under `sources` in `--json` (`build_packages`).
    pub key: &'static str,
    /// For one item of a list (a package, a variable): its name, which keys
    /// its source inside `key`.
    pub item: Option<String>,
    /// The value as the table shows it.
    pub value: String,
    pub source: Source,
}

impl Row {
    fn one(key: &'static str, value: impl Into<String>, source: Source) -> Row {
        Row {
            label: key,
            key,
            item: None,
            value: value.into(),
            source,
        }
    }

    fn item(
        (label, key): (&'static str, &'static str),
        item: &str,
        value: impl Into<String>,
        source: &Source,
    ) -> Row {
        Row {
            label,
            key,
            item: Some(item.to_string()),
            value: value.into(),
            source: source.clone(),
        }
    }
}

/// The answer named `key`, with its source, when `answers` are given.
fn answered<'a, T>(
    answers: Option<&'a Answers>,
    key: &str,
    value: impl Fn(&'a Answers) -> T,
) -> Option<(T, Source)> {
    let answers = answers?;
    let (_, source) = answers.sources.iter().find(|(k, _)| k == key)?;
    Some((value(answers), source.clone()))
}

/// What inspection found, and the answers when resolved, as rows: the one
/// list the detection table, `inspect` and `inspect --json` print.
pub fn rows(project: &Project, answers: Option<&Answers>) -> Vec<Row> {
    let (mut rows, python) = answer_rows(project, answers);
    rows.extend(fact_rows(project, python));
    rows
}

/// The rows of the core answers (the answer when resolved, else what was
/// found), and the Python they name.
fn answer_rows(project: &Project, answers: Option<&Answers>) -> (Vec<Row>, PythonVersion) {
    let mut rows = Vec::new();
    let (python, source) = answered(answers, "python", |a| a.python)
        .or_else(|| {
            let fact = project.python_version.as_ref()?;
            Some((fact.value, fact.source.clone()))
        })
        .unwrap_or_else(|| {
            (
                CURRENT_STABLE_PYTHON,
                Source::default("nothing declared: current stable"),
            )
        });
    rows.push(Row::one("python_version", python.to_string(), source));
    let port = answered(answers, "port", |a| a.port)
        .or_else(|| project.port.as_ref().map(|f| (f.value, f.source.clone())))
        .unwrap_or_else(|| (8000, Source::default("default")));
    rows.push(Row::one("port", port.0.to_string(), port.1));
    let entry = answered(answers, "entry", |a| a.entry.clone())
        .or_else(|| {
            project
                .entry()
                .map(|e| (e.target.clone(), e.source.clone()))
        })
        .unwrap_or_else(|| ("(none found)".into(), Source::default("pass --entry")));
    rows.push(Row::one("entry", entry.0, entry.1));
    (rows, python)
}

/// The folders the app writes into, each with where the code says so.
fn write_dir_rows(project: &Project) -> Vec<Row> {
    project
        .write_dirs
        .iter()
        .map(|dir| {
            let folder = crate::inspect::shown_folder(&dir.folder.value);
            let value = match dir.holds_files {
                true => format!("{folder} (beside source: the app may add files)"),
                false => format!("{folder}/"),
            };
            Row::item(
                ("write_dir", "write_dirs"),
                folder,
                value,
                &dir.folder.source,
            )
        })
        .collect()
}

/// The settings modules the image makes from their examples.
fn local_settings_rows(project: &Project) -> impl Iterator<Item = Row> + '_ {
    project.local_settings.iter().map(|fact| {
        let settings = &fact.value;
        Row::item(
            ("local_settings", "local_settings"),
            &settings.target,
            format!("{} (from {})", settings.target, settings.example),
            &fact.source,
        )
    })
}

/// The servers the app needs that no service runs.
fn unserved_rows(project: &Project) -> impl Iterator<Item = Row> + '_ {
    project.unserved.iter().map(|fact| {
        let unserved = &fact.value;
        Row::item(
            ("unserved", "unserved"),
            unserved.server,
            format!("{} (client `{}`)", unserved.server, unserved.package),
            &fact.source,
        )
    })
}

/// The app's own config prefix, key variables and config object, and what the code runs in the background:
/// a Celery beat schedule, RQ queues, rq-scheduler.
fn background_rows(project: &Project) -> Vec<Row> {
    let mut rows = Vec::new();
    if let Some(fact) = &project.prefixed_env {
        rows.push(Row::one(
            "prefixed_env",
            format!("{}_*", fact.value),
            fact.source.clone(),
        ));
    }
    for fact in &project.secret_key_vars {
        rows.push(Row::item(
            ("secret_key_var", "secret_key_vars"),
            &fact.value,
            fact.value.clone(),
            &fact.source,
        ));
    }
    for fact in &project.config_objects {
        rows.push(Row::item(
            ("config_object", "config_objects"),
            &fact.value.variable,
            fact.value.shown(),
            &fact.source,
        ));
    }
    let background = &project.background;
    if let Some(source) = &background.beat_schedule {
        rows.push(Row::one("celery_beat", "schedule", source.clone()));
    }
    for queue in &background.rq_queues {
        rows.push(Row::item(
            ("rq_queue", "rq_queues"),
            &queue.value,
            queue.value.clone(),
            &queue.source,
        ));
    }
    if let Some(source) = &background.rq_scheduler {
        rows.push(Row::one("rq_scheduler", "yes", source.clone()));
    }
    rows
}

/// The front-end build: its script, the Node release and what it writes.
fn frontend_rows(project: &Project) -> Vec<Row> {
    let Some(frontend) = &project.frontend else {
        return Vec::new();
    };
    let mut rows = vec![Row::one(
        "frontend_build",
        frontend.script.value.clone(),
        frontend.script.source.clone(),
    )];
    if let Some(node) = &frontend.node {
        rows.push(Row::one("node", node.value.clone(), node.source.clone()));
    }
    for output in &frontend.outputs {
        rows.push(Row::item(
            ("frontend_output", "frontend_outputs"),
            &output.value,
            output.value.clone(),
            &output.source,
        ));
    }
    rows
}

/// The rows of what inspection found besides the core answers; the system
/// packages are those of `python`.
fn fact_rows(project: &Project, python: PythonVersion) -> Vec<Row> {
    let mut rows = Vec::new();
    rows.push(Row::one(
        "dependency_manager",
        format!("{:?}", project.dependency_manager.value).to_lowercase(),
        project.dependency_manager.source.clone(),
    ));
    if let Some(packaged) = &project.packaged {
        rows.push(Row::one(
            "packaged",
            "yes (installed too)",
            packaged.source.clone(),
        ));
    }
    rows.push(match &project.database {
        Some(fact) => Row::one("database", fact.value.name(), fact.source.clone()),
        None => Row::one(
            "database",
            "none",
            Source::default(format!(
                "no {} driver or URL",
                Database::all()
                    .map(|db| db.kind().title)
                    .collect::<Vec<_>>()
                    .join(" or ")
            )),
        ),
    });
    if let Some(fact) = &project.migrations {
        rows.push(Row::one(
            "migrations",
            fact.value.clone(),
            fact.source.clone(),
        ));
    }
    if let Some(source) = &project.redis {
        rows.push(Row::one("redis", "yes", source.clone()));
    }
    if let Some(fact) = &project.celery {
        rows.push(Row::one(
            "celery_app",
            fact.value.clone(),
            fact.source.clone(),
        ));
    }
    rows.extend(background_rows(project));
    rows.extend(frontend_rows(project));
    if let Some(path) = &project.health_path {
        rows.push(Row::one(
            "health_path",
            path.value.clone(),
            path.source.clone(),
        ));
    }
    rows.extend(write_dir_rows(project));
    rows.extend(local_settings_rows(project));
    rows.extend(unserved_rows(project));
    for fact in &project.processes {
        let process = &fact.value;
        let value = format!("{}: {}", process.name, process.command);
        rows.push(Row::item(
            ("process", "processes"),
            &process.name,
            value,
            &fact.source,
        ));
    }
    if let Some(fact) = &project.worker {
        rows.push(Row::one(
            "gunicorn_worker",
            fact.value.class.clone(),
            fact.source.clone(),
        ));
    }
    let on_python = project.on_python(python);
    for (names, facts) in [
        (("build_package", "build_packages"), &on_python.build),
        (("runtime_package", "runtime_packages"), &on_python.runtime),
    ] {
        for fact in facts {
            rows.push(Row::item(
                names,
                &fact.value,
                fact.value.clone(),
                &fact.source,
            ));
        }
    }
    for var in &project.env_vars {
        let kind = if var.required { "required" } else { "optional" };
        let value = format!("{} ({kind})", var.name);
        rows.push(Row::item(
            ("env_var", "env_vars"),
            &var.name,
            value,
            &var.source,
        ));
    }
    rows
}

/// Every warning about the project: inspection's, then those of the chosen
/// Python (pins with no wheel for it).
fn warnings(project: &Project, rows: &[Row]) -> Vec<String> {
    let python = rows
        .iter()
        .find(|r| r.key == "python_version")
        .and_then(|r| PythonVersion::parse(&r.value))
        .unwrap_or(CURRENT_STABLE_PYTHON);
    let mut all = project.warnings.clone();
    all.extend(project.on_python(python).warnings);
    all
}

/// The detection table shown before the prompts.
pub fn detected_text(project: &Project) -> String {
    let root = crate::safe::escaped(&project.root);
    let table = table(project, None, std::iter::empty());
    let lines: String = table.lines().map(|l| format!("  {l}\n")).collect();
    format!("Detected in {root}:\n{lines}\n")
}

/// One line per row, then `folders`, then the warnings, each escaped for
/// the terminal (values and sources can hold a file's text).
fn table<'a>(
    project: &Project,
    answers: Option<&Answers>,
    folders: impl Iterator<Item = &'a String>,
) -> String {
    use crate::safe::escaped;
    use std::fmt::Write as _;
    let rows = rows(project, answers);
    let mut out = String::with_capacity(rows.len() * 80);
    // Writing to a `String` cannot fail.
    for row in &rows {
        let source = row.source.described();
        let (value, source) = (escaped(&row.value), escaped(&source));
        let _ = writeln!(out, "{:<20} {value:<28} {source}", row.label);
    }
    for dir in folders {
        let _ = writeln!(out, "{:<20} {}", "folder", escaped(dir));
    }
    for warning in warnings(project, &rows) {
        let _ = writeln!(out, "warning: {}", escaped(&warning));
    }
    out
}

/// Human output of `flaskdock inspect`: the table, the folders, the warnings.
pub fn inspect_text(project: &Project, answers: Option<&Answers>) -> String {
    let folders = [&project.templates_dir, &project.static_dir];
    table(project, answers, folders.into_iter().flatten())
}

fn source_json(source: &Source) -> Value {
    serde_json::to_value(source).expect("sources serialize")
}

/// `flaskdock inspect --json`: the keys DESIGN.md promises, plus details.
pub fn inspect_json(project: &Project, answers: Option<&Answers>) -> Value {
    let rows = rows(project, answers);
    let mut sources = serde_json::Map::new();
    for key in ["build_packages", "runtime_packages", "env_vars"] {
        sources.insert(key.into(), Value::Object(Default::default()));
    }
    for row in &rows {
        match &row.item {
            None => {
                sources.insert(row.key.into(), source_json(&row.source));
            }
            Some(item) => {
                let list = sources
                    .entry(row.key)
                    .or_insert_with(|| Value::Object(Default::default()));
                if let Value::Object(list) = list {
                    list.insert(item.clone(), source_json(&row.source));
                }
            }
        }
    }
    let items = |key: &str| {
        rows.iter()
            .filter(|r| r.key == key)
            .filter_map(|r| r.item.clone())
            .collect::<Vec<_>>()
    };

    json!({
        "python_version": answers.map(|a| a.python),
        "port": answers.map(|a| a.port),
        "entry": answers.map(|a| a.entry.clone()),
        "dependency_manager": project.dependency_manager.value,
        "dependency_files": project.install.manifests(),
        "packaged": project.packaged.is_some(),
        "packages": project.packages,
        "database": project.database.as_ref().map(|f| f.value.name()),
        "env_vars": items("env_vars"),
        "build_packages": items("build_packages"),
        "runtime_packages": items("runtime_packages"),
        "migrations": project.migrations.as_ref().map(|m| m.value.clone()),
        "templates_dir": project.templates_dir,
        "static_dir": project.static_dir,
        "entry_candidates": project.entries,
        "env_var_details": project.env_vars,
        "gunicorn_config": project.gunicorn_config,
        "prefixed_env": project.prefixed_env,
        "secret_key_vars": project.secret_key_vars.iter().map(|f| &f.value).collect::<Vec<_>>(),
        "config_objects": project.config_objects.iter().map(|f| &f.value).collect::<Vec<_>>(),
        "redis": project.redis.is_some(),
        "celery_app": project.celery.as_ref().map(|c| c.value.clone()),
        "processes": project.processes.iter().map(|p| &p.value).collect::<Vec<_>>(),
        "celery_beat": project.background.beat_schedule.is_some(),
        "rq_queues": project.background.rq_queues.iter().map(|q| &q.value).collect::<Vec<_>>(),
        "rq_scheduler": project.background.rq_scheduler.is_some(),
        "gunicorn_worker": project.worker.as_ref().map(|w| &w.value),
        "frontend": project.frontend,
        "health_path": project.health_path.as_ref().map(|p| &p.value),
        "migrations_need_tables": project.migrations_need_tables.as_ref().map(|m| &m.value),
        "write_dirs": project.write_dirs.iter().map(|d| crate::inspect::shown_folder(&d.folder.value)).collect::<Vec<_>>(),
        "warnings": warnings(project, &rows),
        "sources": sources,
    })
}
