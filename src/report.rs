//! What flaskdock tells the user: the detection table, the notes about the
//! generated files, and the JSON shapes of `inspect --json` and `init --json`.

use console::style;
use serde_json::{Value, json};

use crate::InitReport;
use crate::answers::Answers;
use crate::inspect::{Project, Source};
use crate::plan::Plan;
use crate::write::{Outcome, Status};

/// Notes for the summary: everything that was added, assumed or left out.
pub fn notes(project: &Project, plan: &Plan) -> Vec<String> {
    let mut notes = Vec::new();
    notes.push(if plan.template == crate::templates::BUILTIN {
        "the files come from flaskdock's built-in template set".to_string()
    } else {
        format!("the files come from the template set `{}`", plan.template)
    });
    let dropped = &plan.dropped_gitignore;
    if !dropped.is_empty() {
        notes.push(format!(
            "`.dockerignore` leaves out `.gitignore` exceptions that would let secrets or version control into the image: {}",
            dropped
                .iter()
                .map(|l| format!("`{}`", crate::safe::escaped(l)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(requirement) = &plan.gunicorn.extra_requirement {
        notes.push(format!("the image installs `{requirement}`: the project's dependencies do not list gunicorn (your files are unchanged)"));
    }
    if let Some(config) = &plan.gunicorn.config {
        notes.push(format!(
            "`{config}` is passed to gunicorn with `--config`; `--bind 0.0.0.0:{}` on the command line overrides its bind",
            plan.port
        ));
    }
    let required: Vec<&str> = project
        .env_vars
        .iter()
        .filter(|v| v.required)
        .map(|v| v.name.as_str())
        .collect();
    if !required.is_empty() {
        notes.push(format!(
            "the app needs these variables at startup; set them in `.env`: {}",
            required.join(", ")
        ));
    }
    let others: Vec<String> = project
        .entries
        .iter()
        .filter(|e| plan.entry != e.target.as_str())
        .map(|e| format!("`{}` ({})", e.target, e.source))
        .collect();
    if !others.is_empty() {
        notes.push(format!(
            "other WSGI targets found: {}; pick one with `--entry`",
            others.join(", ")
        ));
    }
    if !project.key_files.is_empty() {
        notes.push(format!(
            "`.dockerignore` keeps keys and certificates out of the image: {}; mount them at run time (a volume or a secret) if the app needs them",
            project.key_files.join(", ")
        ));
    }
    if let Some(worker) = &plan.worker {
        notes.push(format!(
            "compose runs a Celery worker (`{}`, {}) next to web, with Redis as its broker",
            worker.app, worker.source
        ));
    } else if let Some(celery) = &project.celery {
        notes.push(format!(
            "a Celery app is made at {}, but no Redis was found for its broker: no worker service was written",
            celery.source
        ));
    }
    for step in &plan.setup_steps {
        notes.push(format!(
            "the project sets itself up with `{}` ({}); run it once, with the database up: `docker compose run --rm web {}` (README.Docker.md says so too)",
            step.command,
            step.source,
            step.argv
                .iter()
                .map(|w| crate::templates::encode::sh(w))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    for process in &plan.processes {
        notes.push(format!(
            "compose runs the `Procfile`'s `{}` process ({}) as the `{}` service, from the web image",
            process.name, process.source, process.service
        ));
    }
    if let Some(command) = &plan.migrations {
        notes.push(format!(
            "the container runs `{command}` before gunicorn; `--no-migrate` turns that off (with several replicas, run migrations once instead)"
        ));
    }
    if plan.build_context != "." {
        notes.push(format!(
            "files are written outside the project: compose builds from `{}`, and docker reads `.dockerignore` only from the context folder, so copy it there",
            plan.build_context
        ));
    }
    notes.extend(project.warnings.iter().map(|w| format!("warning: {w}")));
    notes
}

/// Prints what inspection found before the prompts (stderr).
pub fn print_detected(project: &Project) {
    let escaped = crate::safe::escaped;
    eprintln!("Detected in {}:", escaped(&project.root));
    for (key, value, source) in detection_rows(project, None) {
        eprintln!("  {key:<20} {value:<28} {source}");
    }
    for warning in &project.warnings {
        eprintln!("  warning: {}", escaped(warning));
    }
    eprintln!();
}

/// `(name, value, where from)` for each decided value, escaped for the
/// terminal (values and sources can hold a file's text).
fn detection_rows(project: &Project, answers: Option<&Answers>) -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    let mut row = |key: &str, value: String, source: String| {
        let escaped = |text: String| crate::safe::escaped(&text).into_owned();
        rows.push((key.to_string(), escaped(value), escaped(source)))
    };
    match answers.and_then(|a| {
        a.sources
            .iter()
            .find(|(k, _)| k == "python")
            .map(|(_, s)| (a.python.clone(), s))
    }) {
        Some((value, source)) => row("python_version", value, source.described()),
        None => match &project.python_version {
            Some(fact) => row(
                "python_version",
                fact.value.clone(),
                fact.source.described(),
            ),
            None => row(
                "python_version",
                crate::inspect::CURRENT_STABLE_PYTHON.into(),
                "nothing declared: current stable".into(),
            ),
        },
    }
    match &project.port {
        Some(fact) => row("port", fact.value.to_string(), fact.source.described()),
        None => row("port", "8000".into(), "default".into()),
    }
    match project.entry() {
        Some(entry) => row("entry", entry.target.clone(), entry.source.described()),
        None => row("entry", "(none found)".into(), "pass --entry".into()),
    }
    row(
        "dependency_manager",
        format!("{:?}", project.dependency_manager.value).to_lowercase(),
        project.dependency_manager.source.described(),
    );
    match &project.database {
        Some(fact) => row(
            "database",
            fact.value.name().into(),
            fact.source.described(),
        ),
        None => row(
            "database",
            "none".into(),
            "no PostgreSQL or MySQL driver or URL".into(),
        ),
    }
    if let Some(fact) = &project.migrations {
        row("migrations", fact.value.clone(), fact.source.described());
    }
    if let Some(source) = &project.redis {
        row("redis", "yes".into(), source.described());
    }
    if let Some(fact) = &project.celery {
        row("celery_app", fact.value.clone(), fact.source.described());
    }
    for fact in &project.processes {
        row(
            "process",
            format!("{}: {}", fact.value.name, fact.value.command),
            fact.source.described(),
        );
    }
    if let Some(fact) = &project.worker {
        row(
            "gunicorn_worker",
            fact.value.class.clone(),
            fact.source.described(),
        );
    }
    for fact in &project.build_packages {
        row("build_package", fact.value.clone(), fact.source.described());
    }
    for fact in &project.runtime_packages {
        row(
            "runtime_package",
            fact.value.clone(),
            fact.source.described(),
        );
    }
    for var in &project.env_vars {
        let kind = if var.required { "required" } else { "optional" };
        row(
            "env_var",
            format!("{} ({kind})", var.name),
            var.source.described(),
        );
    }
    rows
}

/// Human output of `flaskdock inspect`.
pub fn inspect_text(project: &Project, answers: Option<&Answers>) -> String {
    let mut out = String::new();
    for (key, value, source) in detection_rows(project, answers) {
        out.push_str(&format!("{key:<20} {value:<28} {source}\n"));
    }
    for dir in [&project.templates_dir, &project.static_dir]
        .into_iter()
        .flatten()
    {
        out.push_str(&format!("{:<20} {dir}\n", "folder"));
    }
    for warning in &project.warnings {
        out.push_str(&format!("warning: {}\n", crate::safe::escaped(warning)));
    }
    out
}

fn source_json(source: &Source) -> Value {
    serde_json::to_value(source).expect("sources serialize")
}

/// `flaskdock inspect --json`: the keys DESIGN.md promises, plus details.
pub fn inspect_json(project: &Project, answers: Option<&Answers>) -> Value {
    let answer_source = |key: &str| {
        answers
            .and_then(|a| a.sources.iter().find(|(k, _)| k == key))
            .map(|(_, s)| source_json(s))
    };
    let mut sources = serde_json::Map::new();
    if let Some(s) = answer_source("python") {
        sources.insert("python_version".into(), s);
    }
    if let Some(s) = answer_source("port") {
        sources.insert("port".into(), s);
    }
    if let Some(s) = answer_source("entry") {
        sources.insert("entry".into(), s);
    }
    sources.insert(
        "dependency_manager".into(),
        source_json(&project.dependency_manager.source),
    );
    if let Some(db) = &project.database {
        sources.insert("database".into(), source_json(&db.source));
    }
    if let Some(migrations) = &project.migrations {
        sources.insert("migrations".into(), source_json(&migrations.source));
    }
    if let Some(worker) = &project.worker {
        sources.insert("gunicorn_worker".into(), source_json(&worker.source));
    }
    let package_sources = |facts: &[crate::inspect::Fact<String>]| {
        facts
            .iter()
            .map(|f| (f.value.clone(), source_json(&f.source)))
            .collect::<serde_json::Map<_, _>>()
    };
    sources.insert(
        "build_packages".into(),
        Value::Object(package_sources(&project.build_packages)),
    );
    sources.insert(
        "runtime_packages".into(),
        Value::Object(package_sources(&project.runtime_packages)),
    );
    sources.insert(
        "env_vars".into(),
        Value::Object(
            project
                .env_vars
                .iter()
                .map(|v| (v.name.clone(), source_json(&v.source)))
                .collect(),
        ),
    );

    json!({
        "python_version": answers.map(|a| a.python.clone()),
        "port": answers.map(|a| a.port),
        "entry": answers.map(|a| a.entry.clone()),
        "dependency_manager": project.dependency_manager.value,
        "dependency_files": project.install.manifests(),
        "packages": project.packages,
        "database": project.database.as_ref().map(|f| f.value.name()),
        "env_vars": project.env_vars.iter().map(|v| v.name.clone()).collect::<Vec<_>>(),
        "build_packages": project.build_packages.iter().map(|f| f.value.clone()).collect::<Vec<_>>(),
        "runtime_packages": project.runtime_packages.iter().map(|f| f.value.clone()).collect::<Vec<_>>(),
        "migrations": project.migrations.as_ref().map(|m| m.value.clone()),
        "templates_dir": project.templates_dir,
        "static_dir": project.static_dir,
        "entry_candidates": project.entries,
        "env_var_details": project.env_vars,
        "gunicorn_config": project.gunicorn_config,
        "prefixed_env": project.prefixed_env,
        "redis": project.redis.is_some(),
        "celery_app": project.celery.as_ref().map(|c| c.value.clone()),
        "processes": project.processes.iter().map(|p| &p.value).collect::<Vec<_>>(),
        "gunicorn_worker": project.worker.as_ref().map(|w| &w.value),
        "warnings": project.warnings,
        "sources": sources,
    })
}

/// `flaskdock init --json`.
pub fn init_json(report: &InitReport) -> Value {
    json!({
        "files": report.outcome.files,
        "drift": report.outcome.drift(),
        "diff": (!report.outcome.diff.is_empty()).then_some(&report.outcome.diff),
        "notes": report.notes,
        "template": report.plan.template,
        "plan": report.plan,
        "values": report.values,
        "inspect": inspect_json(&report.project, Some(&report.answers)),
    })
}

/// Human summary of `flaskdock init`.
pub fn init_text(report: &InitReport) -> String {
    let mut out = outcome_text(&report.outcome);
    for note in &report.notes {
        // A note is one line: any line break from a file is shown escaped.
        let note = crate::safe::escaped(note);
        let line = match note.strip_prefix("warning: ") {
            Some(warning) => format!("{} {warning}\n", style("warning:").yellow().bold()),
            None => format!("{} {note}\n", style("note:").cyan().bold()),
        };
        out.push_str(&line);
    }
    out
}

/// The diff, if any, then one line per file: what happened to it. Colours
/// only on a terminal, and never with `NO_COLOR`.
pub fn outcome_text(outcome: &Outcome) -> String {
    let mut out = String::new();
    if !outcome.diff.is_empty() {
        // The old side is whatever was on disk, so a file of the repository's.
        out.push_str(&crate::safe::for_terminal(&outcome.diff));
        out.push('\n');
    }
    for file in &outcome.files {
        let verb = |text: &str| style(format!("{text:>12}"));
        let verb = match file.status {
            Status::Created => verb("created").green(),
            Status::Overwritten => verb("overwritten").yellow(),
            Status::Unchanged => verb("unchanged").dim(),
            Status::WouldCreate => verb("would create").cyan(),
            Status::WouldChange => verb("would change").yellow(),
        };
        out.push_str(&format!("{verb}  {}\n", crate::safe::escaped(&file.path)));
    }
    out
}
