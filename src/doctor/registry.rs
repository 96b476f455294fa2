//! The check table: every check doctor runs, its id, severity, fix and the
//! function that looks for it. A new check is one function (in the file of
//! what it reads) and one row here, plus its fixtures in `tests/doctor.rs`.

use super::finding::{Code, Finding, Found, Severity};
use super::{code, compose, context, dockerfile, kubernetes};

/// What `init --diff` offers for a check's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Generated {
    /// `flaskdock init --diff` shows a file that does it right.
    Yes,
    /// The fix is in the user's own code or machine.
    No,
}

/// The function that runs a check, by what it reads.
#[derive(Clone, Copy)]
pub(super) enum Run {
    Dockerfile(fn(&dockerfile::Input, &mut Found)),
    Context(fn(&context::Input, &mut Found)),
    Compose(fn(&compose::Input, &mut Found)),
    /// The project's Python modules.
    Python(fn(&code::Input, &mut Found)),
    /// The project's Kubernetes manifests.
    Kubernetes(fn(&kubernetes::Input, &mut Found)),
}

/// One kind of problem doctor looks for.
#[derive(Clone, Copy)]
pub struct Check {
    pub id: Code,
    pub severity: Severity,
    /// What is wrong, in a few words (the README table lists these).
    pub title: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    pub(super) generated: Generated,
    pub(super) run: Run,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check")
            .field("id", &self.id)
            .field("severity", &self.severity)
            .field("title", &self.title)
            .finish_non_exhaustive()
    }
}

use Generated::{No, Yes};
use Run::{Compose, Context, Dockerfile, Kubernetes, Python};
use Severity::{Error, Info, Warning};

/// Every check, in id order.
pub const CHECKS: &[Check] = &[
    Check {
        id: Code::new("FD101"),
        severity: Error,
        title: "the container runs as root",
        fix: "create a user and end the final stage with `USER <uid>` (a numeric uid, not root)",
        generated: Yes,
        run: Dockerfile(dockerfile::runs_as_root),
    },
    Check {
        id: Code::new("FD102"),
        severity: Warning,
        title: "source copied before the dependencies are installed",
        fix: "copy only the dependency manifests (requirements.txt, pyproject.toml, lock files), install, then copy the source: a code change then keeps the install layer cached",
        generated: Yes,
        run: Dockerfile(dockerfile::source_before_install),
    },
    Check {
        id: Code::new("FD103"),
        severity: Warning,
        title: "compilers in the final image",
        fix: "build in a `builder` stage with the compilers and copy only the virtualenv into a `-slim` final stage",
        generated: Yes,
        run: Dockerfile(dockerfile::compilers_in_final_image),
    },
    Check {
        id: Code::new("FD104"),
        severity: Warning,
        title: "base image is not a slim image",
        fix: "use the `-slim` variant (`python:3.12-slim`): the full image is about 1 GB and carries compilers and headers",
        generated: Yes,
        run: Dockerfile(dockerfile::full_base_image),
    },
    Check {
        id: Code::new("FD105"),
        severity: Warning,
        title: "base image unpinned or `latest`",
        fix: "pin the Python minor version (`python:3.12-slim`) so a rebuild does not change Python under the app",
        generated: Yes,
        run: Dockerfile(dockerfile::unpinned_base_image),
    },
    Check {
        id: Code::new("FD106"),
        severity: Warning,
        title: "`apt-get update` and `apt-get install` in separate RUNs",
        fix: "run `apt-get update && apt-get install ...` in one RUN: a cached update layer installs stale package lists",
        generated: Yes,
        run: Dockerfile(dockerfile::apt_update_alone),
    },
    Check {
        id: Code::new("FD107"),
        severity: Info,
        title: "`apt-get install` without `--no-install-recommends`",
        fix: "add `--no-install-recommends`: recommended packages add size and attack surface",
        generated: Yes,
        run: Dockerfile(dockerfile::apt_recommends),
    },
    Check {
        id: Code::new("FD108"),
        severity: Info,
        title: "apt package lists left in the image",
        fix: "end the RUN with `&& rm -rf /var/lib/apt/lists/*`",
        generated: Yes,
        run: Dockerfile(dockerfile::apt_lists_left),
    },
    Check {
        id: Code::new("FD109"),
        severity: Error,
        title: "a secret in ENV or ARG",
        fix: "remove it from the Dockerfile (it stays in the image's history); pass it at run time with `env_file: .env` or a secret",
        generated: Yes,
        run: Dockerfile(dockerfile::secret_in_env),
    },
    Check {
        id: Code::new("FD110"),
        severity: Error,
        title: "Flask's development server as the command",
        fix: "serve with gunicorn: `CMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"app:app\"]`",
        generated: Yes,
        run: Dockerfile(dockerfile::development_server),
    },
    Check {
        id: Code::new("FD111"),
        severity: Warning,
        title: "ports that disagree",
        fix: "make EXPOSE, gunicorn's `--bind` and the app's port the same number",
        generated: Yes,
        run: Dockerfile(dockerfile::ports_disagree),
    },
    Check {
        id: Code::new("FD112"),
        severity: Warning,
        title: "no HEALTHCHECK",
        fix: "add a HEALTHCHECK that requests the app (compose then waits for a healthy web service)",
        generated: Yes,
        run: Dockerfile(dockerfile::no_healthcheck),
    },
    Check {
        id: Code::new("FD113"),
        severity: Warning,
        title: "shell-form CMD or ENTRYPOINT",
        fix: "use the JSON form (`CMD [\"gunicorn\", ...]`): in shell form `/bin/sh` is PID 1 and SIGTERM never reaches the app",
        generated: Yes,
        run: Dockerfile(dockerfile::shell_form_command),
    },
    Check {
        id: Code::new("FD201"),
        severity: Error,
        title: "no .dockerignore",
        fix: "add a `.dockerignore` that excludes `.env`, `.git`, virtualenvs, caches and keys",
        generated: Yes,
        run: Context(context::no_dockerignore),
    },
    Check {
        id: Code::new("FD202"),
        severity: Error,
        title: "`.env` is sent to the build",
        fix: "add `.env` and `.env.*` to `.dockerignore` (keep `!.env.example`)",
        generated: Yes,
        run: Context(context::dotenv_in_context),
    },
    Check {
        id: Code::new("FD203"),
        severity: Warning,
        title: "`.git` is sent to the build",
        fix: "add `.git` to `.dockerignore`: history is large and may hold removed secrets",
        generated: Yes,
        run: Context(context::git_in_context),
    },
    Check {
        id: Code::new("FD204"),
        severity: Error,
        title: "a private key or certificate is sent to the build",
        fix: "add the key files (`*.pem`, `*.key`, ...) to `.dockerignore` and mount them at run time",
        generated: Yes,
        run: Context(context::key_in_context),
    },
    Check {
        id: Code::new("FD205"),
        severity: Warning,
        title: "a virtualenv is sent to the build",
        fix: "add the virtualenv folder to `.dockerignore`: it is built for another machine and can be huge",
        generated: Yes,
        run: Context(context::virtualenv_in_context),
    },
    Check {
        id: Code::new("FD301"),
        severity: Warning,
        title: "obsolete `version:` in the compose file",
        fix: "delete the `version:` line: Compose ignores it and warns",
        generated: Yes,
        run: Compose(compose::obsolete_version),
    },
    Check {
        id: Code::new("FD302"),
        severity: Error,
        title: "`localhost` in a database URL",
        fix: "inside Compose, use the service name as the host (`db`, `redis`): `localhost` is the app's own container",
        generated: Yes,
        run: Compose(compose::localhost_url),
    },
    Check {
        id: Code::new("FD303"),
        severity: Error,
        title: "a literal password in the compose file",
        fix: "use `${POSTGRES_PASSWORD:?set it in .env}` and keep the value in `.env`, out of version control",
        generated: Yes,
        run: Compose(compose::literal_password),
    },
    Check {
        id: Code::new("FD304"),
        severity: Warning,
        title: "a database without a volume",
        fix: "mount a named volume on the data folder (`db-data:/var/lib/postgresql/data`), or the data goes with the container",
        generated: Yes,
        run: Compose(compose::database_without_volume),
    },
    Check {
        id: Code::new("FD305"),
        severity: Warning,
        title: "`depends_on` without a healthcheck condition",
        fix: "use `depends_on: {db: {condition: service_healthy}}` and give `db` a healthcheck: started is not ready",
        generated: Yes,
        run: Compose(compose::depends_on_unready),
    },
    Check {
        id: Code::new("FD306"),
        severity: Warning,
        title: "`container_name` set",
        fix: "remove `container_name`: it makes `docker compose up --scale` fail and clashes between projects",
        generated: Yes,
        run: Compose(compose::container_name),
    },
    Check {
        id: Code::new("FD307"),
        severity: Warning,
        title: "host port already in use on this machine",
        fix: "stop what holds the port, or publish another host port (`WEB_PORT=8001` with `\"${WEB_PORT:-8000}:8000\"`)",
        generated: No,
        run: Compose(compose::host_port_in_use),
    },
    Check {
        id: Code::new("FD401"),
        severity: Error,
        title: "a hard-coded secret in the code",
        fix: "read it from the environment (`os.environ[\"SECRET_KEY\"]`) and rotate the value that was committed",
        generated: No,
        run: Python(code::hard_coded_secret),
    },
    Check {
        id: Code::new("FD402"),
        severity: Error,
        title: "debug mode on where production runs it",
        fix: "remove `debug=True` (or set it from `FLASK_DEBUG` in development only): the debugger runs any code a visitor sends",
        generated: No,
        run: Python(code::debug_mode),
    },
    Check {
        id: Code::new("FD501"),
        severity: Error,
        title: "a Kubernetes pod may run as root",
        fix: "set `securityContext: {runAsNonRoot: true, runAsUser: <uid above 10000>}` on the pod (the image needs a numeric USER)",
        generated: Yes,
        run: Kubernetes(kubernetes::runs_as_root),
    },
    Check {
        id: Code::new("FD502"),
        severity: Warning,
        title: "a Kubernetes container that serves a port has no readiness or liveness probe",
        fix: "add `readinessProbe` and `livenessProbe` (an httpGet of a health route, or an exec of the app's own check): without them traffic reaches pods that cannot answer and hung pods are never restarted",
        generated: Yes,
        run: Kubernetes(kubernetes::no_probes),
    },
    Check {
        id: Code::new("FD503"),
        severity: Warning,
        title: "a Kubernetes container can write its root filesystem",
        fix: "set `readOnlyRootFilesystem: true` in the container's securityContext and mount an `emptyDir` where the app writes (/tmp, the instance folder)",
        generated: Yes,
        run: Kubernetes(kubernetes::writable_root),
    },
    Check {
        id: Code::new("FD504"),
        severity: Warning,
        title: "a Kubernetes container has no CPU or memory limit",
        fix: "set `resources.requests` and `resources.limits` for cpu and memory: gunicorn's workers follow the CPU limit, and a leak is stopped by the memory limit instead of the node",
        generated: Yes,
        run: Kubernetes(kubernetes::no_limits),
    },
    Check {
        id: Code::new("FD505"),
        severity: Error,
        title: "a secret's value in a committed Kubernetes manifest",
        fix: "take secrets out of the manifests: a kustomize `secretGenerator` reading a git-ignored env file, or your secret manager; rotate the value that was committed",
        generated: Yes,
        run: Kubernetes(kubernetes::committed_secret),
    },
];

impl Check {
    /// Where this check reports what it finds, into `findings`.
    pub(super) fn found<'a>(&self, findings: &'a mut Vec<Finding>) -> Found<'a> {
        let fix = match self.generated {
            Yes => format!(
                "{}. `flaskdock init --diff` shows a generated file that does this",
                self.fix
            ),
            No => self.fix.to_string(),
        };
        Found::new(self.id, self.severity, fix, findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_in_order() {
        let ids: Vec<Code> = CHECKS.iter().map(|c| c.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }

    #[test]
    fn each_id_runs_on_the_input_its_hundred_names() {
        for check in CHECKS {
            let reads = match check.run {
                Dockerfile(_) => '1',
                Context(_) => '2',
                Compose(_) => '3',
                Python(_) => '4',
                Kubernetes(_) => '5',
            };
            assert_eq!(
                check.id.as_str().as_bytes()[2] as char,
                reads,
                "{}",
                check.id
            );
        }
    }
}
