//! Kubernetes manifests from the same Plan: the web Deployment's size and
//! probes, the processes that become Deployments of their own, and which
//! variables are configuration and which are secrets.

use serde::{Deserialize, Serialize};

use super::gunicorn::GunicornPlan;
use super::model::{DatabasePlan, EnvVarPlan, Plan, RedisPlan};
use super::wiring::SECRET_PLACEHOLDER;
use crate::safe::{DnsName, EnvName, Text};

/// What the Kustomize tree under `k8s/` needs beyond the rest of the Plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KubernetesPlan {
    /// The namespace every object lives in, and the `app.kubernetes.io/name`
    /// label: the image name as a DNS label.
    pub name: DnsName,
    /// The Ingress host: `--ingress-host`, else `NAME.example.com`.
    pub host: DnsName,
    /// No host was given: the README says to set it.
    pub host_placeholder: bool,
    /// Web pods to start with, and the autoscaler's bounds.
    pub replicas: u32,
    /// The HorizontalPodAutoscaler's ceiling; `None` when web must stay one
    /// pod (Flask-SocketIO keeps sessions in its one process).
    pub max_replicas: Option<u32>,
    /// gunicorn workers per pod: what the image's start script computes from
    /// [`KubernetesPlan::cpu_limit`] (its cgroup quota), for the memory sizing.
    pub workers: u32,
    pub cpu_request: Text,
    pub cpu_limit: Text,
    pub memory_request: Text,
    pub memory_limit: Text,
    /// The probes ask the health path over HTTP (a health route: 200
    /// expected); otherwise they run the image's own healthcheck, for which
    /// any answer below 500 (a redirect to a login page, a 404 at `/`) is healthy.
    pub http_probe: bool,
    /// `preStop` pause, so the Service stops sending requests before gunicorn
    /// hears SIGTERM.
    pub prestop_seconds: u32,
    /// Above the pause plus gunicorn's graceful timeout.
    pub termination_grace_seconds: u32,
    /// `k8s/base/config.env`: the variables the code reads that are not
    /// secrets and not a service's address.
    pub config: Vec<KubeVar>,
    /// The overlays' `secrets.env`: the session key, the variables whose
    /// names look secret, and the services' addresses (they carry passwords).
    pub secrets: Vec<KubeVar>,
    /// The processes besides web, each a Deployment of its own.
    pub processes: Vec<KubeProcess>,
}

/// A line of an env file kustomize reads (`config.env`, `secrets.env`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KubeVar {
    pub name: EnvName,
    /// The value the dev overlay's example sets (`change-me` passwords, the
    /// `db` and `redis` Service names); `None` leaves it for the user.
    pub value: Option<Text>,
    /// The app needs it (`NAME=`); an optional one is a commented line.
    pub required: bool,
    /// The default the code has, for the comment of an optional one.
    pub default: Option<Text>,
    /// Points at a service the dev overlay runs: production sets its own.
    pub service: bool,
    /// A setting of the dev overlay's database image (its password), which
    /// production's managed service does not read.
    pub dev_only: bool,
    /// Where it comes from, for the comment above it (`read at config.py:12`);
    /// none for the session key, which the files' header explains.
    pub source: Option<Text>,
}

/// A process besides web: the web image with another command.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KubeProcess {
    /// The Deployment's name and `app.kubernetes.io/component`.
    pub name: DnsName,
    /// Its command, one argument each.
    pub command: Vec<Text>,
    /// An exec probe that asks the process whether it works (Celery's
    /// `inspect ping`), when the program has one.
    pub probe: Option<Vec<Text>>,
    /// Exactly one pod, replaced (not rolled) on update: a scheduler that
    /// would send each task twice when two run.
    pub singleton: bool,
    /// What it is, for the comment above it.
    pub about: Text,
}

/// CPUs one web pod may use: its cgroup quota, from which the image's start
/// script sets 2 × CPUs + 1 gunicorn workers.
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
    KubernetesPlan {
        host: host.cloned().unwrap_or_else(|| {
            DnsName::parse(&format!("{name}.example.com"))
                .unwrap_or_else(|| DnsName::label_from("app.example.com", "app"))
        }),
        host_placeholder: host.is_none(),
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
        config: plan
            .env_vars
            .iter()
            .filter(|v| !is_secret(v))
            .map(kube_var)
            .collect(),
        secrets: secrets(plan),
        processes: processes(plan),
    }
}

/// gunicorn workers in a pod limited to [`WEB_CPU_LIMIT`] CPUs.
fn web_workers(gunicorn: &GunicornPlan) -> u32 {
    if gunicorn.single_process {
        1
    } else {
        2 * WEB_CPU_LIMIT + 1
    }
}

/// A variable goes to the secrets: its name looks secret, or it points at a
/// service (a URL or a password the dev overlay sets).
fn is_secret(var: &EnvVarPlan) -> bool {
    var.value.is_some() || crate::secret::is_secret_name(&var.name)
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
fn secrets(plan: &Plan) -> Vec<KubeVar> {
    let mut secrets = vec![KubeVar {
        name: EnvName::parse("SECRET_KEY").expect("a plain name"),
        value: Some(Text::from(SECRET_PLACEHOLDER)),
        required: true,
        default: None,
        service: false,
        dev_only: false,
        source: None,
    }];
    secrets.extend(plan.env_vars.iter().filter(|v| is_secret(v)).map(kube_var));
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
            name: s.name.clone(),
            value: Some(s.value.clone()),
            required: true,
            default: None,
            service: true,
            dev_only: true,
            source: Some(source.clone()),
        })
        .collect();
    vars.push(KubeVar {
        name: EnvName::parse("DATABASE_URL").expect("a plain name"),
        value: Some(db.url.clone()),
        required: true,
        default: None,
        service: true,
        dev_only: false,
        source: Some(source),
    });
    vars
}

fn redis_url(plan: &Plan, redis: &RedisPlan) -> Option<KubeVar> {
    (!plan.env_vars.iter().any(|v| v.name == "REDIS_URL")).then(|| KubeVar {
        name: EnvName::parse("REDIS_URL").expect("a plain name"),
        value: Some(redis.url.clone()),
        required: true,
        default: None,
        service: true,
        dev_only: false,
        source: Some(Text::from("the dev overlay's Redis (`redis`)")),
    })
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
