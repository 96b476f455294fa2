//! `flaskdock doctor`: a bad and a good fixture for every check, the classic
//! beginner setup, and flaskdock's own output passing clean.

use std::path::Path;

use assert_cmd::Command;
use flaskdock::doctor::{CHECKS, Severity, doctor};
use predicates::prelude::*;

use crate::common::{copy_example, examples, write_tree};

const APP: (&str, &str) = ("app.py", "from flask import Flask\napp = Flask(__name__)\n");
const IGNORE: (&str, &str) = (
    ".dockerignore",
    ".env\n.env.*\n!.env.example\n.git\n*.pem\n",
);

/// A Dockerfile with nothing wrong, to change one thing at a time.
const GOOD_DOCKERFILE: &str = "\
ARG PYTHON_VERSION=3.12
FROM python:${PYTHON_VERSION}-slim AS builder
RUN apt-get update \\
    && apt-get install -y --no-install-recommends gcc libpq-dev \\
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt ./
RUN pip install -r requirements.txt
FROM python:${PYTHON_VERSION}-slim
COPY --from=builder /opt/venv /opt/venv
COPY . .
USER 10001
EXPOSE 8000
HEALTHCHECK CMD [\"python\", \"-c\", \"print(1)\"]
CMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"app:app\"]
";

const GOOD_COMPOSE: &str = "\
services:
  web:
    build: .
    env_file: .env
    environment:
      DATABASE_URL: postgresql://app:${POSTGRES_PASSWORD}@db:5432/app
    depends_on:
      db:
        condition: service_healthy
  db:
    image: postgres:17
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}
    healthcheck:
      test: [\"CMD\", \"pg_isready\"]
    volumes:
      - db-data:/var/lib/postgresql/data
volumes:
  db-data:
";

fn ids(files: &[(&str, &str)]) -> Vec<&'static str> {
    let temp = tempfile::tempdir().unwrap();
    write_tree(temp.path(), files);
    let mut ids: Vec<&str> = doctor(temp.path())
        .unwrap()
        .findings
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    ids.dedup();
    ids
}

fn dockerfile_with(from: &str, to: &str) -> String {
    assert!(GOOD_DOCKERFILE.contains(from), "fixture lacks {from:?}");
    GOOD_DOCKERFILE.replace(from, to)
}

fn compose_with(from: &str, to: &str) -> String {
    assert!(GOOD_COMPOSE.contains(from), "fixture lacks {from:?}");
    GOOD_COMPOSE.replace(from, to)
}

/// A check with a fixture that must trigger it and one that must not; both
/// start from a small app and a sound `.dockerignore`.
struct Case {
    id: &'static str,
    bad: Vec<(String, String)>,
    good: Vec<(String, String)>,
}

fn case(id: &'static str, bad: &[(&str, String)], good: &[(&str, String)]) -> Case {
    let own = |files: &[(&str, String)]| {
        files
            .iter()
            .map(|(p, t)| (p.to_string(), t.clone()))
            .collect()
    };
    Case {
        id,
        bad: own(bad),
        good: own(good),
    }
}

/// A Deployment that passes every FD5xx check.
const GOOD_MANIFEST: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
      containers:
        - name: web
          image: shop:1.0.0
          ports:
            - containerPort: 8000
          env:
            - name: LOG_LEVEL
              value: info
          resources:
            limits:
              cpu: \"1\"
              memory: 512Mi
          securityContext:
            readOnlyRootFilesystem: true
          readinessProbe:
            httpGet: {path: /healthz, port: 8000}
          livenessProbe:
            httpGet: {path: /healthz, port: 8000}
";

fn manifest_with(from: &str, to: &str) -> String {
    assert!(
        GOOD_MANIFEST.contains(from),
        "{from:?} not in the good manifest"
    );
    GOOD_MANIFEST.replace(from, to)
}

fn cases() -> Vec<Case> {
    let df = |text: String| ("Dockerfile", text);
    let dc = |text: String| ("docker-compose.yml", text);
    let py = |text: &str| ("app.py", text.to_string());
    let good_df = || df(GOOD_DOCKERFILE.to_string());
    let good_dc = || dc(GOOD_COMPOSE.to_string());
    let k8s = |text: String| ("k8s/web.yaml", text);
    let good_k8s = || k8s(GOOD_MANIFEST.to_string());
    vec![
        case("FD501", &[k8s(manifest_with("runAsNonRoot: true", "runAsNonRoot: false"))], &[good_k8s()]),
        case("FD501", &[k8s(manifest_with("runAsUser: 10001", "runAsUser: 0"))], &[good_k8s()]),
        case("FD502", &[k8s(manifest_with("          livenessProbe:\n            httpGet: {path: /healthz, port: 8000}\n", ""))], &[good_k8s()]),
        case("FD503", &[k8s(manifest_with("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"))], &[good_k8s()]),
        case("FD504", &[k8s(manifest_with("              memory: 512Mi\n", ""))], &[good_k8s()]),
        case("FD505", &[k8s(manifest_with("LOG_LEVEL\n              value: info", "API_TOKEN\n              value: abc123"))], &[good_k8s()]),
        case("FD505", &[k8s(format!("{GOOD_MANIFEST}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  KEY: hunter2\n"))], &[good_k8s()]),
        case("FD505", &[k8s(format!("{GOOD_MANIFEST}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  SMTP_PASSWORD: hunter2\n"))], &[k8s(format!("{GOOD_MANIFEST}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  LOG_LEVEL: info\n"))]),
        case("FD505", &[("k8s/kustomization.yaml", "resources: [web.yaml]\nsecretGenerator:\n  - name: s\n    literals: [DB_PASSWORD=hunter2]\n".into())], &[("k8s/kustomization.yaml", "resources: [web.yaml]\nsecretGenerator:\n  - name: s\n    envs: [secrets.env]\n".into())]),
        case("FD101", &[df(dockerfile_with("USER 10001\n", ""))], &[good_df()]),
        case("FD101", &[df(dockerfile_with("USER 10001\n", "USER 10001\nUSER root\n"))], &[good_df()]),
        case(
            "FD102",
            &[df(dockerfile_with("COPY requirements.txt ./\n", "COPY . .\n"))],
            &[good_df()],
        ),
        case(
            "FD103",
            &[df(dockerfile_with("COPY . .\n", "COPY . .\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*\n"))],
            &[good_df()],
        ),
        case(
            "FD103",
            &[df("FROM python:3.12\nUSER 1000\nHEALTHCHECK CMD true\nCMD [\"gunicorn\", \"app:app\"]\n".into())],
            &[df("FROM python:3.12-slim\nUSER 1000\nHEALTHCHECK CMD true\nCMD [\"gunicorn\", \"app:app\"]\n".into())],
        ),
        case("FD104", &[df(dockerfile_with("FROM python:${PYTHON_VERSION}-slim\n", "FROM python:${PYTHON_VERSION}\n"))], &[good_df()]),
        case("FD105", &[df(dockerfile_with("FROM python:${PYTHON_VERSION}-slim\n", "FROM python:latest\n"))], &[good_df()]),
        case("FD105", &[df(dockerfile_with("FROM python:${PYTHON_VERSION}-slim\n", "FROM python:slim\n"))], &[good_df()]),
        case(
            "FD106",
            &[df(dockerfile_with("RUN apt-get update \\\n    && apt-get install", "RUN apt-get update\nRUN apt-get install"))],
            &[good_df()],
        ),
        case("FD107", &[df(dockerfile_with(" --no-install-recommends", ""))], &[good_df()]),
        case("FD108", &[df(dockerfile_with(" \\\n    && rm -rf /var/lib/apt/lists/*", ""))], &[good_df()]),
        case(
            "FD109",
            &[df(dockerfile_with("USER 10001\n", "ENV FLASK_ENV=production SECRET_KEY=abc123\nUSER 10001\n"))],
            &[df(dockerfile_with("USER 10001\n", "ENV FLASK_ENV=production\nARG SECRET_KEY\nUSER 10001\n"))],
        ),
        case(
            "FD109",
            &[df(dockerfile_with("USER 10001\n", "ARG API_KEY=sk-123\nUSER 10001\n"))],
            &[good_df()],
        ),
        case(
            "FD110",
            &[df(dockerfile_with("CMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"app:app\"]", "CMD [\"flask\", \"run\", \"--host\", \"0.0.0.0\"]"))],
            &[good_df()],
        ),
        case(
            "FD111",
            &[df(dockerfile_with("EXPOSE 8000", "EXPOSE 5000"))],
            &[good_df()],
        ),
        case("FD112", &[df(dockerfile_with("HEALTHCHECK CMD [\"python\", \"-c\", \"print(1)\"]\n", ""))], &[good_df()]),
        case(
            "FD113",
            &[df(dockerfile_with("CMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"app:app\"]", "CMD gunicorn --bind 0.0.0.0:8000 app:app"))],
            &[good_df()],
        ),
        case("FD201", &[good_df(), (".dockerignore", String::new())], &[good_df()]),
        case("FD202", &[good_df(), (".dockerignore", ".git\n".into())], &[good_df()]),
        case(
            "FD202",
            &[df(dockerfile_with("COPY . .\n", "COPY .env .env\nCOPY . .\n"))],
            &[df(dockerfile_with("COPY . .\n", "COPY .env.example .env.example\nCOPY . .\n"))],
        ),
        case("FD203", &[good_df(), (".dockerignore", ".env\n".into()), (".git/HEAD", "ref\n".into())], &[good_df(), (".git/HEAD", "ref\n".into())]),
        case("FD204", &[good_df(), ("certs/server.key", "k".into())], &[good_df(), ("certs/server.key", "k".into()), (".dockerignore", ".env\n.git\n**/*.key\n".into())]),
        case("FD205", &[good_df(), ("venv/pyvenv.cfg", "home = /usr\n".into())], &[good_df(), ("venv/pyvenv.cfg", "home = /usr\n".into()), (".dockerignore", ".env\n.git\nvenv/\n".into())]),
        case("FD301", &[dc(format!("version: '3.8'\n{GOOD_COMPOSE}"))], &[good_dc()]),
        case("FD302", &[dc(compose_with("@db:5432", "@localhost:5432"))], &[good_dc()]),
        case("FD302", &[good_dc(), (".env", "DATABASE_URL=postgresql://u:p@127.0.0.1/app\n".into())], &[good_dc(), (".env", "DATABASE_URL=postgresql://u:p@db/app\n".into())]),
        case("FD303", &[dc(compose_with("${POSTGRES_PASSWORD:?set it}", "postgres"))], &[good_dc()]),
        case("FD303", &[dc(compose_with("app:${POSTGRES_PASSWORD}@db", "app:hunter2@db"))], &[good_dc()]),
        case("FD304", &[dc(compose_with("    volumes:\n      - db-data:/var/lib/postgresql/data\n", ""))], &[good_dc()]),
        case("FD305", &[dc(compose_with("      db:\n        condition: service_healthy\n", "      - db\n"))], &[good_dc()]),
        case("FD305", &[dc(compose_with("    healthcheck:\n      test: [\"CMD\", \"pg_isready\"]\n", ""))], &[good_dc()]),
        case("FD306", &[dc(compose_with("    build: .\n", "    build: .\n    container_name: web\n"))], &[good_dc()]),
        case(
            "FD401",
            &[py("from flask import Flask\napp = Flask(__name__)\napp.config['SECRET_KEY'] = 'dev-key'\n")],
            &[py("import os\nfrom flask import Flask\napp = Flask(__name__)\napp.config['SECRET_KEY'] = os.environ['SECRET_KEY']\n")],
        ),
        case(
            "FD401",
            &[py("EXAMPLE = 'AKIAABCDEFGHIJKLMNOP'\n")],
            &[py("EXAMPLE = 'AKIA-not-a-key'\n")],
        ),
        case(
            "FD401",
            &[py("import os\nSECRET_KEY = os.environ.get('SECRET_KEY', 'dev')\n")],
            &[py("import os\nSECRET_KEY = os.environ.get('SECRET_KEY')\n")],
        ),
        case(
            "FD402",
            &[py("from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n")],
            &[py("from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run(debug=True)\n")],
        ),
        case(
            "FD402",
            &[good_df(), py("from flask import Flask\napp = Flask(__name__)\napp.debug = True\n")],
            &[good_df(), py("from flask import Flask\napp = Flask(__name__)\napp.debug = False\n")],
        ),
    ]
}

#[test]
fn every_check_has_a_bad_and_a_good_fixture() {
    let cases = cases();
    for check in CHECKS.iter().filter(|c| c.id != "FD307") {
        assert!(
            cases.iter().any(|c| check.id == c.id),
            "no fixture for {}",
            check.id
        );
    }
    for case in &cases {
        let with_defaults = |files: &[(String, String)]| {
            let mut all: Vec<(String, String)> = vec![
                (APP.0.into(), APP.1.into()),
                (IGNORE.0.into(), IGNORE.1.into()),
            ];
            for (path, text) in files {
                all.retain(|(p, _)| p != path);
                all.push((path.clone(), text.clone()));
            }
            // An empty .dockerignore in a case means "none at all".
            all.retain(|(p, t)| !(p == ".dockerignore" && t.is_empty()));
            all
        };
        let bad = with_defaults(&case.bad);
        let good = with_defaults(&case.good);
        let run = |files: &[(String, String)]| {
            let refs: Vec<(&str, &str)> = files
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            ids(&refs)
        };
        let found_bad = run(&bad);
        assert!(
            found_bad.contains(&case.id),
            "{}: bad fixture not flagged: {found_bad:?}",
            case.id
        );
        let found_good = run(&good);
        assert!(
            !found_good.contains(&case.id),
            "{}: good fixture flagged: {found_good:?}",
            case.id
        );
    }
}

#[test]
fn a_host_port_in_use_is_flagged() {
    let listener = std::net::TcpListener::bind(("0.0.0.0", 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let compose = format!("services:\n  web:\n    build: .\n    ports:\n      - \"{port}:8000\"\n");
    assert!(ids(&[("docker-compose.yml", &compose)]).contains(&"FD307"));
    drop(listener);
    assert!(!ids(&[("docker-compose.yml", &compose)]).contains(&"FD307"));
}

/// The setup tutorials teach, with every classic mistake.
fn beginner_setup(root: &Path) {
    write_tree(
        root,
        &[
            (
                "Dockerfile",
                "FROM python:3.9\n\nWORKDIR /app\nCOPY . .\nRUN apt-get update\nRUN apt-get install -y libpq-dev gcc\nRUN pip install -r requirements.txt\nENV SECRET_KEY=super-secret-dev-key\nEXPOSE 5000\nCMD [\"python\", \"app.py\"]\n",
            ),
            (
                "docker-compose.yml",
                "version: '3.8'\nservices:\n  web:\n    build: .\n    ports:\n      - \"5000:5000\"\n    environment:\n      DATABASE_URL: postgresql://postgres:postgres@localhost:5432/app\n    depends_on:\n      - db\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: postgres\n",
            ),
            (
                "app.py",
                "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route(\"/\")\ndef index():\n    return \"hi\"\n\n\nif __name__ == \"__main__\":\n    app.run(host=\"0.0.0.0\", port=5000, debug=True)\n",
            ),
            ("requirements.txt", "flask\npsycopg2\n"),
        ],
    );
}

#[test]
fn the_beginner_setup_gets_every_problem_named() {
    let temp = tempfile::tempdir().unwrap();
    beginner_setup(temp.path());
    let report = doctor(temp.path()).unwrap();
    let at = |id: &str| -> Vec<(String, Option<usize>)> {
        report
            .findings
            .iter()
            .filter(|f| f.id == id)
            .map(|f| (f.file.clone(), f.line))
            .collect()
    };
    let line = |file: &str, line: usize| (file.to_string(), Some(line));
    assert_eq!(
        at("FD104"),
        [line("Dockerfile", 1)],
        "FROM python:3.9, not slim"
    );
    assert!(
        at("FD103").contains(&line("Dockerfile", 1)),
        "single stage keeps compilers"
    );
    assert_eq!(
        at("FD102"),
        [line("Dockerfile", 4)],
        "COPY . . before pip install"
    );
    assert_eq!(at("FD106"), [line("Dockerfile", 5)], "split apt-get lines");
    assert_eq!(at("FD109"), [line("Dockerfile", 8)], "ENV SECRET_KEY=...");
    assert_eq!(at("FD110"), [line("Dockerfile", 10)], "python app.py");
    assert_eq!(at("FD101"), [line("Dockerfile", 1)], "root");
    assert_eq!(
        at("FD301"),
        [line("docker-compose.yml", 1)],
        "version: '3.8'"
    );
    assert_eq!(
        at("FD302"),
        [line("docker-compose.yml", 8)],
        "localhost in DATABASE_URL"
    );
    assert!(
        at("FD303").contains(&line("docker-compose.yml", 14)),
        "literal Postgres password"
    );
    assert_eq!(at("FD304"), [line("docker-compose.yml", 12)], "no volume");
    assert_eq!(
        at("FD402"),
        [line("app.py", 12)],
        "debug=True, and the image runs app.py"
    );
    assert!(report.fails(Severity::Error));

    // The command line: grouped by file, fixes, summary, exit 1.
    Command::cargo_bin("flaskdock")
        .unwrap()
        .arg("doctor")
        .arg(temp.path())
        .assert()
        .code(1)
        .stdout(
            predicate::str::starts_with("Dockerfile\n").and(predicate::str::contains(
                "\n     1  error    FD101  the final stage has no USER",
            )),
        )
        .stdout(
            predicate::str::contains("fix: ")
                .and(predicate::str::contains("flaskdock init --diff")),
        )
        .stdout(
            predicate::str::is_match(r"\n\d+ findings: \d+ errors, \d+ warnings, \d+ info\n$")
                .unwrap(),
        );
}

#[test]
fn json_output_and_the_severity_threshold() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            APP,
            IGNORE,
            (
                "Dockerfile",
                &dockerfile_with(" --no-install-recommends", ""),
            ),
        ],
    );
    let out = Command::cargo_bin("flaskdock")
        .unwrap()
        .args(["doctor", "--json"])
        .arg(temp.path())
        .assert()
        .success() // info only
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let finding = &json["findings"][0];
    for key in ["id", "severity", "file", "line", "message", "fix"] {
        assert!(!finding[key].is_null(), "{key} missing in {finding}");
    }
    assert_eq!(finding["id"], "FD107");
    assert_eq!(finding["severity"], "info");
    Command::cargo_bin("flaskdock")
        .unwrap()
        .args(["doctor", "--severity", "info"])
        .arg(temp.path())
        .assert()
        .code(1);
}

#[test]
fn what_flaskdock_generates_passes_doctor() {
    for example in examples() {
        let name = example.file_name().unwrap().to_string_lossy().into_owned();
        let (_temp, dir) = copy_example(&name);
        // With the Kubernetes tree: doctor reads its manifests too.
        let mut options = crate::common::options(&dir, false);
        options.flags.kubernetes = Some(true);
        flaskdock::init(&options, &mut crate::common::NoPrompts).unwrap();
        let report = doctor(&dir).unwrap();
        assert!(
            report.files.iter().any(|f| f == "k8s/base/app.yaml"),
            "{name}: doctor did not read the manifests: {:?}",
            report.files
        );
        let serious: Vec<_> = report
            .findings
            .iter()
            // FD307 is about this machine (is port 8000 free?), not the files.
            .filter(|f| f.severity >= Severity::Warning && f.id != "FD307")
            .collect();
        assert!(serious.is_empty(), "{name}: {serious:#?}");
    }
}

#[test]
fn every_check_is_documented_in_the_readme() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for check in CHECKS {
        assert!(
            readme.contains(&format!("| {} |", check.id)),
            "{} is not in the README",
            check.id
        );
    }
}

#[test]
fn a_broken_compose_file_is_a_one_line_error() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[("docker-compose.yml", "services:\n  web: [\n")],
    );
    Command::cargo_bin("flaskdock")
        .unwrap()
        .arg("doctor")
        .arg(temp.path())
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: failed to parse `docker-compose.yml` at line",
        ));
}
