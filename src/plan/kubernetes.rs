//! Kubernetes manifests from the same Plan: the web Deployment's size and
//! probes, the processes that become Deployments of their own, and which
//! variables are configuration and which are secrets.

use super::gunicorn::GunicornPlan;
use super::model::{
    DatabasePlan, EnvVarPlan, KubeProcess, KubeVar, KubernetesPlan, Plan, RedisPlan,
};
use super::wiring::SECRET_PLACEHOLDER;
use crate::safe::{DnsName, EnvName, Text};

/// CPUs one web pod may use: its cgroup quota, from which the image's start
/// script sets one gunicorn worker per CPU.
const WEB_CPU_LIMIT: u32 = 1;

/// Memory of gunicorn's master and the app, and of each further worker, in MiB.
const BASE_MIB: u32 = 128;
const PER_WORKER_MIB: u32 = 64;

/// Seconds of the `preStop` pause.
const PRESTOP_SECONDS: u32 = 5;

/// The Kubernetes part of `plan`, for the Ingress `host` given (or none).
pub(super) fn kubernetes_plan(plan: &Plan, host: Option<&DnsName>) -> KubernetesPlan {
    let name = DnsName::label_from(&plan.image_name, "app");
    let gunicorn = &plan.gunicorn;
    let workers = web_workers(gunicorn);
    let single = gunicorn.single_process;
    let host_placeholder = host.is_none();
    let host = host.cloned().unwrap_or_else(|| {
        DnsName::parse(&format!("{name}.example.com"))
            .unwrap_or_else(|| DnsName::label_from("app.example.com", "app"))
    });
    // Behind the Ingress, Flask's SERVER_NAME is its host, not the
    // `localhost:PORT` compose publishes.
    let env_vars: Vec<EnvVarPlan> = plan
        .env_vars
        .iter()
        .map(|v| match v.name.as_str() {
            "SERVER_NAME" if v.value.is_some() => EnvVarPlan {
                value: Some(Text::escaped(host.as_str())),
                ..v.clone()
            },
            _ => v.clone(),
        })
        .collect();
    KubernetesPlan {
        host,
        host_placeholder,
        name,
        replicas: if single { 1 } else { 2 },
        max_replicas: (!single).then_some(6),
        workers,
        cpu_request: Text::from("250m"),
        cpu_limit: Text::escaped(&WEB_CPU_LIMIT.to_string()),
        memory_request: Text::escaped(&format!("{}Mi", BASE_MIB + PER_WORKER_MIB * workers)),
        memory_limit: Text::escaped(&format!("{}Mi", 2 * (BASE_MIB + PER_WORKER_MIB * workers))),
        http_probe: plan.healthcheck_path != "/",
        prestop_seconds: PRESTOP_SECONDS,
        termination_grace_seconds: PRESTOP_SECONDS + gunicorn.stop_grace_period,
        config: env_vars
            .iter()
            .filter(|v| !is_secret(v))
            .map(kube_var)
            .collect(),
        secrets: secrets(plan, &env_vars),
        processes: processes(plan),
    }
}

/// gunicorn workers in a pod limited to [`WEB_CPU_LIMIT`] CPUs.
fn web_workers(gunicorn: &GunicornPlan) -> u32 {
    if gunicorn.single_process {
        1
    } else {
        WEB_CPU_LIMIT
    }
}

/// A variable goes to the secrets: its name looks secret, or it points at a
/// service (a URL or a password the dev overlay sets).
fn is_secret(var: &EnvVarPlan) -> bool {
    (var.value.is_some() && var.name.as_str() != "SERVER_NAME")
        || crate::secret::is_secret_name(&var.name)
}

fn kube_var(var: &EnvVarPlan) -> KubeVar {
    KubeVar {
        name: var.name.clone(),
        // flaskdock's own example values: code defaults never reach a value.
        value: var.value.clone(),
        required: var.required,
        default: var.default.clone(),
        service: var.value.is_some(),
        dev_only: false,
        source: Some(Text::escaped(&format!("read at {}", var.source))),
    }
}

/// The secrets, in `.env.example`'s order: the session key, the variables
/// the code reads, the database image's own settings and URL, Redis's URL.
fn secrets(plan: &Plan, env_vars: &[EnvVarPlan]) -> Vec<KubeVar> {
    let mut secrets = vec![KubeVar {
        name: EnvName::parse("SECRET_KEY").expect("a plain name"),
        value: Some(Text::from(SECRET_PLACEHOLDER)),
        required: true,
        default: None,
        service: false,
        dev_only: false,
        source: None,
    }];
    secrets.extend(env_vars.iter().filter(|v| is_secret(v)).map(kube_var));
    if let Some(db) = &plan.database {
        secrets.extend(database_secrets(db));
    }
    if let Some(redis) = &plan.redis {
        secrets.extend(redis_url(plan, redis));
    }
    secrets
}

fn database_secrets(db: &DatabasePlan) -> Vec<KubeVar> {
    let source = Text::escaped(&format!("the dev overlay's {} (`db`)", db.title));
    let mut vars: Vec<KubeVar> = db
        .environment
        .iter()
        .filter(|s| s.from_env)
        .map(|s| KubeVar {
            dev_only: true,
            ..service_var(s.name.clone(), &s.value, &source)
        })
        .collect();
    if let Some(url) = db
        .variables
        .iter()
        .find(|name| name.as_str() == "DATABASE_URL")
    {
        vars.push(service_var(url.clone(), &db.url, &source));
    }
    vars
}

fn redis_url(plan: &Plan, redis: &RedisPlan) -> Option<KubeVar> {
    let url_read = redis
        .variables
        .iter()
        .any(|name| name.as_str() == "REDIS_URL");
    (url_read && !plan.env_vars.iter().any(|v| v.name == "REDIS_URL")).then(|| {
        service_var(
            EnvName::parse("REDIS_URL").expect("a plain name"),
            &redis.url,
            &Text::from("the dev overlay's Redis (`redis`)"),
        )
    })
}

/// A required variable that points at a service of the dev overlay, set to
/// `value` there.
fn service_var(name: EnvName, value: &Text, source: &Text) -> KubeVar {
    KubeVar {
        name,
        value: Some(value.clone()),
        required: true,
        default: None,
        service: true,
        dev_only: false,
        source: Some(source.clone()),
    }
}

/// The compose services besides web, db, redis and migrate, as Deployments.
fn processes(plan: &Plan) -> Vec<KubeProcess> {
    let words = |list: &[&str]| list.iter().map(|w| Text::from(*w)).collect::<Vec<_>>();
    let mut processes = Vec::new();
    if let Some(worker) = &plan.worker {
        let app = worker.app.as_str();
        processes.push(KubeProcess {
            name: DnsName::label_from("worker", "worker"),
            command: words(&["celery", "--app", app, "worker", "--loglevel", "INFO"]),
            probe: Some(words(&[
                "celery",
                "--app",
                app,
                "inspect",
                "ping",
                "--timeout",
                "10",
            ])),
            singleton: false,
            about: Text::escaped(&format!("The Celery app found at {}.", worker.source)),
        });
    }
    if let Some(beat) = &plan.beat {
        processes.push(KubeProcess {
            name: DnsName::label_from("beat", "beat"),
            command: words(&[
                "celery",
                "--app",
                beat.app.as_str(),
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                "/tmp/celerybeat-schedule",
            ]),
            probe: None,
            singleton: true,
            about: Text::escaped(&format!(
                "Celery beat, for the schedule configured at {}.",
                beat.source
            )),
        });
    }
    if let Some(rq) = &plan.rq_worker {
        let mut command = words(&["rq", "worker"]);
        if rq.with_scheduler {
            command.push(Text::from("--with-scheduler"));
        }
        command.extend(rq.queues.iter().map(|q| Text::from(q.as_str())));
        processes.push(KubeProcess {
            name: DnsName::label_from("rq-worker", "rq-worker"),
            command,
            probe: None,
            singleton: false,
            about: Text::escaped(&format!("`rq worker` on the queues made at {}.", rq.source)),
        });
        if let Some(source) = &rq.rq_scheduler {
            processes.push(KubeProcess {
                name: DnsName::label_from("rq-scheduler", "rq-scheduler"),
                command: words(&["sh", "-c", "exec rqscheduler --url \"$RQ_REDIS_URL\""]),
                probe: None,
                singleton: true,
                about: Text::escaped(&format!("rq-scheduler, imported at {source}.")),
            });
        }
    }
    for process in &plan.processes {
        let name = DnsName::label_from(&process.service, "process");
        if processes.iter().any(|p| p.name == name)
            || ["web", "db", "redis", "migrate"].contains(&name.as_str())
        {
            continue;
        }
        processes.push(KubeProcess {
            name,
            command: vec![Text::from("sh"), Text::from("-c"), process.command.clone()],
            probe: None,
            singleton: false,
            about: Text::escaped(&format!(
                "The Procfile's `{}` process ({}).",
                process.name, process.source
            )),
        });
    }
    processes
}
