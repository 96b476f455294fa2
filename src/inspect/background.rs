//! The background processes a module sets up besides a Celery worker: a
//! Celery beat schedule, RQ queues and an rq-scheduler. Read as each module
//! is parsed, like its environment reads.

use serde::Serialize;

use super::fact::{Fact, Source};
use super::module::Module;
use crate::syntax::{self, Expr, Ranged, Stmt, Visitor, ast, visitor};

/// What one module (or, merged, the project) says runs in the background.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Background {
    /// Where a Celery beat schedule is configured: `beat_schedule = {...}`
    /// (or the old `CELERYBEAT_SCHEDULE`), `conf.update(beat_schedule=...)`,
    /// `add_periodic_task(...)`, `@periodic_task(...)`.
    pub beat_schedule: Option<Source>,
    /// RQ queues by literal name (`Queue("emails", connection=redis)`, or
    /// `default` when none is given), each where it is first made.
    pub rq_queues: Vec<Fact<String>>,
    /// An RQ queue whose name is computed at run time: a worker cannot be
    /// told to listen on it.
    pub rq_unknown_queue: Option<Source>,
    /// Where `rq_scheduler` is imported: its scheduler process is needed.
    pub rq_scheduler: Option<Source>,
    /// Where a job is first put on an RQ queue (`queue.enqueue(...)`,
    /// `enqueue_call`, `enqueue_at`, `enqueue_in`, rq's `@job` decorator).
    /// Queues that nothing fills (a dashboard's, a client of another app's
    /// queues) need no worker.
    pub rq_enqueue: Option<Source>,
}

/// Settings that hold a Celery beat schedule, new and old names.
const BEAT_SETTINGS: &[&str] = &[
    "beat_schedule",
    "CELERYBEAT_SCHEDULE",
    "CELERY_BEAT_SCHEDULE",
];

/// Words a file must hold to be worth reading for these facts (the parse
/// prefilter of `source.rs` adds them to its own).
pub(super) const NEEDLES: &[&str] = &[
    "beat_schedule",
    "BEAT_SCHEDULE",
    "periodic_task",
    "Queue(",
    "rq_scheduler",
    "enqueue",
    "rq.decorators",
];

/// The methods that put a job on an RQ queue.
const ENQUEUE_METHODS: &[&str] = &[
    "enqueue",
    "enqueue_call",
    "enqueue_at",
    "enqueue_in",
    "enqueue_many",
];

impl Background {
    /// Whether the code puts jobs on RQ queues: it enqueues, or runs
    /// rq-scheduler, which enqueues the jobs it schedules.
    pub fn fills_rq_queues(&self) -> bool {
        self.rq_enqueue.is_some() || self.rq_scheduler.is_some()
    }

    /// Facts of modules in path order: the first source of each wins.
    pub(super) fn merge(&mut self, other: Background) {
        self.beat_schedule = self.beat_schedule.take().or(other.beat_schedule);
        self.rq_unknown_queue = self.rq_unknown_queue.take().or(other.rq_unknown_queue);
        self.rq_scheduler = self.rq_scheduler.take().or(other.rq_scheduler);
        self.rq_enqueue = self.rq_enqueue.take().or(other.rq_enqueue);
        for queue in other.rq_queues {
            if !self.rq_queues.iter().any(|q| q.value == queue.value) {
                self.rq_queues.push(queue);
            }
        }
    }
}

/// The background facts of one module of the app (test and tool code is
/// left out by the caller).
pub(super) fn scan(module: &Module) -> Background {
    let mut scanner = Scanner {
        module,
        found: Background::default(),
        queue_names: Vec::new(),
    };
    scanner.visit_body(&module.body);
    scanner.found
}

struct Scanner<'m> {
    module: &'m Module,
    found: Background,
    /// The names `from rq import Queue [as Q]` binds in the module.
    queue_names: Vec<String>,
}

impl Scanner<'_> {
    fn source(&self, node: &impl Ranged) -> Source {
        Source::at(&self.module.path, self.module.line(node.start()))
    }

    /// Where a job is first put on a queue: `queue.enqueue(...)` and the
    /// like, or the import of rq's `@job` decorator (its functions'
    /// `.delay()` enqueues).
    fn enqueue(&mut self, node: &impl Ranged) {
        if self.found.rq_enqueue.is_none() {
            self.found.rq_enqueue = Some(self.source(node));
        }
    }

    fn beat(&mut self, node: &impl Ranged) {
        if self.found.beat_schedule.is_none() {
            self.found.beat_schedule = Some(self.source(node));
        }
    }

    /// `rq.Queue(...)`, `Queue(...)` imported from rq (its connection may be
    /// the one a `with Connection(...)` block pushes), or any `Queue(...)`
    /// given a `connection`: the queue's name.
    fn queue(&mut self, call: &ast::ExprCall) {
        let dotted = syntax::dotted_name(&call.func);
        let has_connection = call
            .arguments
            .keywords
            .iter()
            .any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "connection"));
        let is_queue = match dotted.as_deref() {
            Some("rq.Queue") => true,
            Some(name) if self.queue_names.iter().any(|n| n == name) => true,
            Some("Queue") => has_connection,
            _ => false,
        };
        if !is_queue {
            return;
        }
        let name = (call.arguments.args.first()).or_else(|| syntax::keyword(call, "name"));
        let name = match name {
            None => "default",
            Some(expr) => match syntax::string_literal(expr) {
                Some(name) => name,
                None => {
                    if self.found.rq_unknown_queue.is_none() {
                        self.found.rq_unknown_queue = Some(self.source(call));
                    }
                    return;
                }
            },
        };
        if !self.found.rq_queues.iter().any(|q| q.value == name) {
            let source = self.source(call);
            self.found
                .rq_queues
                .push(Fact::new(name.to_string(), source));
        }
    }
}

/// `beat_schedule`, `app.conf.beat_schedule`, `CELERYBEAT_SCHEDULE`.
fn names_beat_setting(target: &Expr) -> bool {
    let name = match target {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.as_str(),
        _ => return false,
    };
    BEAT_SETTINGS.contains(&name)
}

/// `from rq_scheduler import Scheduler`, `import rq_scheduler`.
fn imports_rq_scheduler(stmt: &Stmt) -> bool {
    let is_it = |module: &str| module.split('.').next() == Some("rq_scheduler");
    match stmt {
        Stmt::ImportFrom(import) => import.module.as_ref().is_some_and(|m| is_it(m.as_str())),
        Stmt::Import(import) => import.names.iter().any(|a| is_it(a.name.as_str())),
        _ => false,
    }
}

/// `@periodic_task(run_every=...)` or `@app.periodic_task`, as a decorator.
fn is_periodic_task(decorator: &Expr) -> bool {
    let named = match decorator {
        Expr::Call(call) => call.func.as_ref(),
        other => other,
    };
    syntax::dotted_name(named)
        .is_some_and(|n| n == "periodic_task" || n.ends_with(".periodic_task"))
}

impl<'a> Visitor<'a> for Scanner<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign(assign) if assign.targets.iter().any(names_beat_setting) => {
                self.beat(stmt);
            }
            Stmt::AnnAssign(assign) if names_beat_setting(&assign.target) => self.beat(stmt),
            Stmt::FunctionDef(function)
                if function
                    .decorator_list
                    .iter()
                    .any(|d| is_periodic_task(&d.expression)) =>
            {
                self.beat(stmt);
            }
            _ if self.found.rq_scheduler.is_none() && imports_rq_scheduler(stmt) => {
                self.found.rq_scheduler = Some(self.source(stmt));
            }
            Stmt::ImportFrom(import)
                if import
                    .module
                    .as_ref()
                    .is_some_and(|m| m.as_str() == "rq" || m.as_str() == "rq.queue") =>
            {
                let bound = import
                    .names
                    .iter()
                    .filter(|alias| alias.name.as_str() == "Queue")
                    .map(|alias| alias.asname.as_ref().unwrap_or(&alias.name).to_string());
                self.queue_names.extend(bound);
            }
            Stmt::ImportFrom(import)
                if import
                    .module
                    .as_ref()
                    .is_some_and(|m| m.as_str() == "rq.decorators")
                    && import
                        .names
                        .iter()
                        .any(|alias| alias.name.as_str() == "job") =>
            {
                self.enqueue(stmt);
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => {
                let keyword = call.arguments.keywords.iter().any(|k| {
                    k.arg
                        .as_ref()
                        .is_some_and(|a| BEAT_SETTINGS.contains(&a.as_str()))
                });
                let periodic = matches!(call.func.as_ref(),
                    Expr::Attribute(a) if a.attr.as_str() == "add_periodic_task");
                if keyword || periodic {
                    self.beat(expr);
                }
                self.queue(call);
                if matches!(call.func.as_ref(),
                    Expr::Attribute(a) if ENQUEUE_METHODS.contains(&a.attr.as_str()))
                {
                    self.enqueue(expr);
                }
            }
            // `celery.conf.update({"beat_schedule": {...}})`
            Expr::Dict(dict)
                if dict.items.iter().any(|item| {
                    item.key
                        .as_ref()
                        .and_then(syntax::string_literal)
                        .is_some_and(|k| BEAT_SETTINGS.contains(&k))
                }) =>
            {
                self.beat(expr);
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}
