//! The background services besides the Celery worker: Celery beat, and an
//! RQ worker with its scheduler, decided from what the code sets up.

use super::model::{BeatPlan, RqWorkerPlan, WorkerPlan};
use crate::inspect::Project;
use crate::safe::{Text, Word};

/// Whether the shell line `command` runs `program` (by its file name), with
/// `word` among its words when given.
pub(super) fn command_runs(command: &str, program: &str, word: Option<&str>) -> bool {
    let words = shell_words::split(command).unwrap_or_default();
    let first = words.first().map(|w| w.rsplit('/').next().unwrap_or(w));
    first == Some(program) && word.is_none_or(|word| words.iter().any(|w| w == word))
}

/// Whether a `Procfile` line already runs `program` (with `word` among its
/// words, when given): then that process is the service, not another one.
fn procfile_runs(project: &Project, program: &str, word: Option<&str>) -> bool {
    project
        .processes
        .iter()
        .any(|fact| command_runs(&fact.value.command, program, word))
}

/// Celery beat, when the worker runs and the code configures a schedule.
pub(super) fn beat_plan(project: &Project, worker: Option<&WorkerPlan>) -> Option<BeatPlan> {
    let worker = worker?;
    let source = project.background.beat_schedule.as_ref()?;
    if procfile_runs(project, "celery", Some("beat")) {
        return None;
    }
    Some(BeatPlan {
        app: worker.app.clone(),
        source: Text::escaped(&source.to_string()),
    })
}

/// An RQ worker, when rq is a dependency, Redis runs, the code makes queues
/// with names that are words and puts jobs on a queue, and no `Procfile`
/// line runs `rq` already.
pub(super) fn rq_worker_plan(project: &Project, redis: bool) -> Option<RqWorkerPlan> {
    let background = &project.background;
    if !redis
        || !project.depends_on("rq")
        || !background.fills_rq_queues()
        || procfile_runs(project, "rq", None)
    {
        return None;
    }
    let queues: Vec<Word> = background
        .rq_queues
        .iter()
        .filter_map(|q| Word::parse(&q.value))
        .collect();
    let first = background.rq_queues.first()?;
    if queues.is_empty() {
        return None;
    }
    let rq_scheduler = background
        .rq_scheduler
        .as_ref()
        .filter(|_| project.depends_on("rq-scheduler"))
        .filter(|_| !procfile_runs(project, "rqscheduler", None))
        .map(|s| Text::escaped(&s.to_string()));
    Some(RqWorkerPlan {
        queues,
        source: Text::escaped(&first.source.to_string()),
        with_scheduler: rq_runs_its_scheduler(project),
        rq_scheduler,
    })
}

/// rq 1.2 added `rq worker --with-scheduler`; an older pin would refuse it.
fn rq_runs_its_scheduler(project: &Project) -> bool {
    let Some(pin) = project.pins.iter().find(|p| p.name == "rq") else {
        return true;
    };
    let mut parts = pin
        .version
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (1, 2)
}
