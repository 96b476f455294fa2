//! The notes `init` prints about the files it wrote: what was added,
//! assumed or left out, computed next to the Plan from the same facts.

use super::model::Plan;
use crate::inspect::Project;

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
    if let Some(privileged) = plan.privileged_port {
        notes.push(format!(
            "the app's port {privileged} is below 1024, which only root may bind, and the image runs as the unprivileged user {}: gunicorn binds {} inside the container (`WEB_PORT={privileged}` in `.env` publishes it on the host's {privileged})",
            plan.uid, plan.port
        ));
    }
    notes.extend(install_notes(project, plan));
    if let Some(config) = &plan.gunicorn.config {
        notes.push(format!(
            "`{config}` is passed to gunicorn with `--config`; `--bind 0.0.0.0:{}` on the command line overrides its bind",
            plan.port
        ));
    }
    notes.extend(required_note(project, plan));
    // Apps the tests build are no choice for the image.
    let others: Vec<String> = project
        .entries
        .iter()
        .filter(|e| plan.entry != e.target.as_str())
        .filter(|e| {
            !e.source
                .file
                .as_deref()
                .is_some_and(crate::syntax::is_test_path)
        })
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
    notes.extend(frontend_notes(plan));
    notes.extend(plan.local_settings.iter().map(|settings| {
        format!(
            "the app loads `{}` ({}), which the repository leaves out: the image makes it from `{}`, the project's example, unless the build context has one; review those settings before production (README.Docker.md says so too)",
            settings.target, settings.source, settings.example
        )
    }));
    notes.extend(plan.unserved.iter().map(|unserved| {
        format!(
            "the app's dependencies include a client for {} (`{}`, {}), which flaskdock runs no service for: where the app uses it, run one it can reach and set the variables it reads for it in `.env` (README.Docker.md says so too)",
            unserved.server, unserved.package, unserved.source
        )
    }));
    notes.extend(compose_notes(project, plan));
    notes.extend(local_value_notes(plan));
    notes.extend(development_config_notes(project));
    notes.extend(config_object_notes(project));
    if plan.build_context != "." {
        notes.push(format!(
            "files are written outside the project: compose builds from `{}`, and docker reads `.dockerignore` only from the context folder, so copy it there",
            plan.build_context
        ));
    }
    let on_python = project.on_python(plan.python_version).warnings;
    let warnings = project.warnings.iter().chain(&on_python);
    notes.extend(warnings.map(|w| format!("warning: {w}")));
    notes
}

/// What the Node stage builds, and what it leaves out.
fn frontend_notes(plan: &Plan) -> Vec<String> {
    let mut notes = Vec::new();
    let Some(frontend) = &plan.frontend else {
        return notes;
    };
    // With Python steps in it, the stage runs the script's Node commands one by one.
    let build = if frontend.vendored_from.is_some() {
        "no build: the app serves the installed packages, named"
    } else if frontend.python_steps.is_empty() {
        "the `build` script"
    } else {
        "the Node commands of the `build` script"
    };
    notes.push(format!(
        "the image builds the front end in a Node {} stage (`{} {}`, then {build} at {}) and keeps only {}",
        frontend.node_version,
        frontend.install.program.name(),
        frontend.install.args.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(" "),
        frontend.source,
        frontend.outputs.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", ")
    ));
    if !frontend.python_steps.is_empty() {
        notes.push(format!(
            "warning: the front-end build also runs Python, which the Node stage does not have; it runs the build's Node commands one by one and leaves out {}: add them to the runtime stage (after the source copy) if the app needs their output",
            frontend
                .python_steps
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !frontend.locked {
        notes.push("warning: the front end has no lock file (package-lock.json, yarn.lock or pnpm-lock.yaml): every build resolves its packages anew; commit one".to_string());
    }
    notes
}

/// The variables the app cannot start without that `.env.example` leaves
/// to the user (those it gives a working value are set already).
fn required_note(project: &Project, plan: &Plan) -> Option<String> {
    // (a set: an app may read tens of thousands of names)
    let given: std::collections::HashSet<&str> = plan
        .env_vars
        .iter()
        .filter(|v| {
            v.value
                .as_ref()
                .is_some_and(|value| !value.contains("replace-with-"))
        })
        .map(|v| v.name.as_str())
        .collect();
    let required: Vec<&str> = project
        .env_vars
        .iter()
        .filter(|v| v.required && !given.contains(v.name.as_str()))
        .map(|v| v.name.as_str())
        .collect();
    (!required.is_empty()).then(|| {
        format!(
            "the app needs these variables at startup; set them in `.env`: {}",
            required.join(", ")
        )
    })
}

/// A variable that picks the app's configuration and defaults to its
/// development one (`FLASK_CONFIG` = `development`, `APP_SETTINGS` =
/// `config.DevelopmentConfig`): the container runs that unless `.env` says.
fn development_config_notes(project: &Project) -> impl Iterator<Item = String> + '_ {
    project.env_vars.iter().filter_map(|var| {
        let selects = ["CONFIG", "SETTINGS", "ENV"]
            .iter()
            .any(|word| var.name.split('_').any(|w| w == *word));
        let default = var.default.as_deref()?;
        let production = default
            .replace("Development", "Production")
            .replace("development", "production");
        (selects && production != default).then(|| {
            format!(
                "{} picks the app's configuration and defaults to `{}` ({}): the container runs the development one unless `.env` sets it, for a deployment to its production value (such as `{}`)",
                var.name,
                crate::safe::escaped(default),
                var.source,
                crate::safe::escaped(&production)
            )
        })
    })
}

/// A variable that names the object the config is loaded from: what
/// `.env.example` sets it to, or that the user must.
fn config_object_notes(project: &Project) -> impl Iterator<Item = String> + '_ {
    project.config_objects.iter().map(|fact| {
        let config = &fact.value;
        let choices = match config.choices.as_slice() {
            [] => String::new(),
            classes => format!(" (the project's: {})", classes.join(", ")),
        };
        let from = match &config.set_by {
            Some(source) => format!(", the value the project's own deployment gives it ({source})"),
            None => String::new(),
        };
        match &config.object {
            Some(object) => format!(
                "`.env.example` sets {} (read at {}) to `{object}`{from}: the app loads its settings from the object it names (`app.config.from_object`), and none when it is unset; another config class may suit a deployment better{choices}",
                config.variable, fact.source
            ),
            None => format!(
                "{} (read at {}) names the object the app loads its settings from (`app.config.from_object`), and unset it loads none: set it in `.env` to the import path of the configuration for a deployment{choices}",
                config.variable, fact.source
            ),
        }
    })
}

/// The values `.env.example` gives for this machine: a database URL pointed
/// at a SQLite file in the instance folder, Flask's `SERVER_NAME`.
fn local_value_notes(plan: &Plan) -> impl Iterator<Item = String> + '_ {
    let path = super::wiring::sqlite_path(plan.instance_dir.as_str());
    let url = super::wiring::sqlite_url(plan.instance_dir.as_str());
    plan.env_vars.iter().filter_map(move |var| {
        let value = var.value.as_ref()?;
        if var.name.as_str() == "SERVER_NAME" {
            return Some(format!(
                "`.env.example` sets SERVER_NAME (read at {}) to `{value}`: Flask answers only requests for that host (any other gets 404), so browse http://{value}/, and set your domain there in production",
                var.source
            ));
        }
        (value.as_str() == url || value.as_str() == path).then(|| {
            format!(
                "`.env.example` sets {} (read at {}) to `{value}`: a SQLite file in Flask's instance folder, a volume the app user writes, since the image keeps the source read-only",
                var.name, var.source
            )
        })
    })
}

/// Celery beat and RQ: what compose runs for them, or why it runs nothing.
/// What the image installs beyond the project's dependencies.
fn install_notes(project: &Project, plan: &Plan) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(requirement) = &plan.gunicorn.extra_requirement {
        notes.push(format!("the image installs `{requirement}`: the project's dependencies do not list gunicorn (your files are unchanged)"));
    }
    // (`plan.companions` is these requirements, flattened.)
    for (pin, requirements) in super::companions::old_pins(project) {
        let shown: Vec<String> = requirements.iter().map(|r| format!("`{r}`")).collect();
        notes.push(format!(
            "the image installs {} with `{}=={}` ({}): that release names no upper bound for them, and their newest releases removed what it uses, so the app would fail; pin them in the project's dependencies to choose (your files are unchanged)",
            shown.join(", "),
            pin.name,
            crate::safe::escaped(&pin.version),
            pin.source
        ));
    }
    for requirement in &plan.driver_requirements {
        notes.push(format!("the image installs `{requirement}`: PyMySQL needs it to log in to MySQL 8, whose default authentication (caching_sha2_password) it cannot do without (your files are unchanged)"));
    }
    if let Some(package) = &plan.install.package {
        let declared = &package.declared;
        notes.push(format!("the project is a package ({declared}): the image installs it too, from its source in a stage of its own, for its metadata, entry points and scripts; the app still runs the source under /app"));
    }
    notes
}

fn background_notes(project: &Project, plan: &Plan) -> Vec<String> {
    let mut notes = Vec::new();
    let background = &project.background;
    match (&plan.beat, &background.beat_schedule) {
        (Some(beat), _) => notes.push(format!(
            "compose runs Celery beat for the schedule configured at {} as the `beat` service: run exactly one",
            beat.source
        )),
        (None, Some(source)) if plan.worker.is_none() => notes.push(format!(
            "a Celery beat schedule is configured at {source}, but no Celery worker service was written, so no beat service either"
        )),
        _ => {}
    }
    if let Some(rq) = &plan.rq_worker {
        let queues: Vec<&str> = rq.queues.iter().map(|q| q.as_str()).collect();
        notes.push(format!(
            "compose runs `rq worker` on the queue{} {} ({}) as the `rq_worker` service{}",
            if queues.len() == 1 { "" } else { "s" },
            queues.join(", "),
            rq.source,
            match &rq.rq_scheduler {
                Some(at) => format!(", and rq-scheduler ({at}) as `rq_scheduler`"),
                None => String::new(),
            }
        ));
        let refused: Vec<String> = background
            .rq_queues
            .iter()
            .filter(|q| !queues.contains(&q.value.as_str()))
            .map(|q| format!("`{}` ({})", crate::safe::escaped(&q.value), q.source))
            .collect();
        if !refused.is_empty() {
            notes.push(format!(
                "the RQ worker does not listen on the queue{} {}: not a plain word `rq worker` takes as a queue name; add it to the `rq_worker` command yourself",
                if refused.len() == 1 { "" } else { "s" },
                refused.join(", ")
            ));
        }
    } else if let Some(first) = background.rq_queues.first()
        && project.depends_on("rq")
        && !background.fills_rq_queues()
    {
        notes.push(format!(
            "RQ queues are made at {}, but the code puts no job on one (`enqueue`): no RQ worker service was written (a dashboard or a client of another app's queues needs none)",
            first.source
        ));
    } else if let Some(first) = background.rq_queues.first()
        && project.depends_on("rq")
        && plan.redis.is_none()
    {
        notes.push(format!(
            "RQ queues are made at {}, but no Redis was found: no RQ worker service was written",
            first.source
        ));
    }
    if let Some(source) = &background.rq_unknown_queue
        && project.depends_on("rq")
    {
        notes.push(format!(
            "an RQ queue at {source} is named at run time, so flaskdock cannot tell a worker to listen on it: add its name to the worker's command"
        ));
    }
    notes
}

/// What compose runs besides web: the Celery worker, the Procfile's other
/// processes, the setup steps and migrations.
fn compose_notes(project: &Project, plan: &Plan) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(worker) = &plan.worker {
        notes.push(format!(
            "compose runs a Celery worker (`{}`, {}) next to web, with Redis as its broker",
            worker.app, worker.source
        ));
    } else if let Some(celery) = project
        .celery
        .as_ref()
        .filter(|_| project.celery_local_broker.is_none())
    {
        // (A broker at localhost is a warning of inspect's.)
        notes.push(format!(
            "a Celery app is made at {}, but no Redis was found for its broker: no worker service was written",
            celery.source
        ));
    }
    notes.extend(background_notes(project, plan));
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
    if let Some(source) = &project.uncommitted_migrations {
        notes.push(format!(
            "the project uses Flask-Migrate ({source}) but commits no migrations, so no tables are created: run `flask db init` and `flask db migrate` once where you develop, commit `migrations/`, and run `flaskdock init` again so that the container applies them (README.Docker.md says so too)"
        ));
    }
    if let Some(need) = &plan.migrations_need {
        notes.push(format!(
            "the migrations change tables none of them creates ({}), so they are not run: README.Docker.md says how to start them once the app's own setup made the tables",
            need.source
        ));
    }
    if let Some(command) = &plan.migrations {
        notes.push(if plan.migrate_service {
            format!(
                "compose's `migrate` service runs `{command}` once before web and the workers start; `--no-migrate` turns that off"
            )
        } else {
            format!(
                "the container runs `{command}` before gunicorn; `--no-migrate` turns that off"
            )
        });
    }
    notes
}
