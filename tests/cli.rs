//! The command line, as a user runs it: flags, exit codes, exact messages.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

use crate::common::{GENERATED, copy_example, examples, write_tree};

fn flaskdock() -> Command {
    let mut cmd = Command::cargo_bin("flaskdock").unwrap();
    cmd.env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(60));
    cmd
}

fn init(dir: &Path) -> Command {
    let mut cmd = flaskdock();
    cmd.arg("init").arg(dir);
    cmd
}

fn read(dir: &Path, file: &str) -> String {
    fs::read_to_string(dir.join(file)).unwrap()
}

#[test]
fn init_yes_writes_all_five_files_for_every_example() {
    for example in examples() {
        let name = example.file_name().unwrap().to_string_lossy().into_owned();
        let (_temp, dir) = copy_example(&name);
        init(&dir)
            .arg("--yes")
            .assert()
            .success()
            .stdout(predicate::str::contains("created  Dockerfile"));
        for file in GENERATED {
            assert!(dir.join(file).is_file(), "{name}: {file} missing");
        }
        let dockerfile = read(&dir, "Dockerfile");
        for must in [
            "# syntax=docker/dockerfile:1",
            "ARG PYTHON_VERSION=",
            "AS builder",
            "/opt/venv",
            "ARG UID=10001",
            "USER ${UID}",
            "HEALTHCHECK",
        ] {
            assert!(dockerfile.contains(must), "{name}: Dockerfile lacks {must}");
        }
        // gunicorn serves, unless only the project's own launcher registers the pages.
        let server: &[&str] = if name == "own-launcher" {
            &["CMD [\"python\", \"run.py\"]"]
        } else {
            &["\"gunicorn\", ", "\"--bind\", \"0.0.0.0:"]
        };
        for must in server {
            assert!(dockerfile.contains(must), "{name}: Dockerfile lacks {must}");
        }
        let compose = read(&dir, "docker-compose.yml");
        assert!(
            !compose.contains("version:") && !compose.contains("container_name"),
            "{name}"
        );
    }
}

#[test]
fn without_a_terminal_it_never_prompts() {
    let (_temp, dir) = copy_example("single-file");
    // No --yes and stdin is not a terminal: must finish on its own.
    init(&dir).write_stdin("").assert().success();
    assert!(dir.join("Dockerfile").is_file());
}

#[test]
fn refuses_to_overwrite_without_force() {
    let (_temp, dir) = copy_example("single-file");
    init(&dir).arg("--yes").assert().success();
    let edited = read(&dir, "Dockerfile").replace("EXPOSE 5000", "EXPOSE 5000\nLABEL team=web");
    fs::write(dir.join("Dockerfile"), &edited).unwrap();
    let expected = format!(
        "error: `{}` was edited by hand since flaskdock wrote it; nothing was written. Run with `--diff` to see the changes, or `--force` to overwrite\n",
        dir.join("Dockerfile").display()
    );
    // Even when the new render differs too (another port), the edit is kept.
    init(&dir)
        .args(["--yes", "--port", "9000"])
        .assert()
        .code(2)
        .stderr(expected)
        .stdout("");
    assert_eq!(read(&dir, "Dockerfile"), edited);

    // A file flaskdock never wrote gets the plainer message.
    let (_temp2, fresh) = copy_example("single-file");
    fs::write(fresh.join("Dockerfile"), "FROM python:3.12\n").unwrap();
    init(&fresh).arg("--yes").assert().code(2).stderr(format!(
        "error: `{}` exists and differs from what flaskdock would write; nothing was written. Run with `--diff` to see the changes, or `--force` to overwrite\n",
        fresh.join("Dockerfile").display()
    ));
}

#[test]
fn a_settings_file_from_before_team_sets_still_reads() {
    let (_temp, dir) = copy_example("single-file");
    fs::write(
        dir.join(".flaskdock.toml"),
        "template = \"builtin\"\n\n[answers]\npython = \"3.12\"\nport = 7000\nentry = \"app:app\"\ndb = \"none\"\nmigrate = false\n",
    )
    .unwrap();
    init(&dir).arg("--yes").assert().success();
    assert!(read(&dir, "Dockerfile").contains("EXPOSE 7000"));
    let settings = read(&dir, ".flaskdock.toml");
    assert!(
        settings.contains("[template]\nsource = \"builtin\"\n"),
        "{settings}"
    );
}

#[test]
fn unedited_files_follow_new_answers_without_force() {
    let (_temp, dir) = copy_example("single-file");
    init(&dir).arg("--yes").assert().success();
    init(&dir)
        .args(["--yes", "--port", "9000"])
        .assert()
        .success()
        .stdout(predicate::str::contains("overwritten  Dockerfile"));
    assert!(read(&dir, "Dockerfile").contains("EXPOSE 9000"));
    let settings = read(&dir, ".flaskdock.toml");
    assert!(settings.contains("port = 9000"), "{settings}");
    // The record holds each file's hash as written.
    let hash = flaskdock::settings::file_hash(&read(&dir, "Dockerfile"));
    assert!(
        settings.contains(&format!("Dockerfile = \"{hash}\"")),
        "{settings}"
    );
    // And a re-run with no flags reproduces the same files.
    init(&dir).arg("--check").assert().success();
}

#[test]
fn overwrites_with_force() {
    let (_temp, dir) = copy_example("single-file");
    init(&dir).arg("--yes").assert().success();
    let original = read(&dir, "Dockerfile");
    fs::write(dir.join("Dockerfile"), "FROM scratch\n").unwrap();
    init(&dir)
        .args(["--yes", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("overwritten  Dockerfile"));
    assert_eq!(read(&dir, "Dockerfile"), original);
}

#[test]
fn rerun_reports_unchanged_and_writes_identical_bytes() {
    let (_temp, dir) = copy_example("factory-package");
    init(&dir).arg("--yes").assert().success();
    let first: Vec<Vec<u8>> = GENERATED
        .iter()
        .map(|f| fs::read(dir.join(f)).unwrap())
        .collect();
    init(&dir)
        .arg("--yes")
        .assert()
        .success()
        .stdout(predicate::str::contains("unchanged  Dockerfile"));
    let second: Vec<Vec<u8>> = GENERATED
        .iter()
        .map(|f| fs::read(dir.join(f)).unwrap())
        .collect();
    assert_eq!(first, second);
    let leftovers: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".flaskdock-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

#[test]
fn output_flag_writes_elsewhere_and_is_byte_identical_across_runs() {
    let (_temp, dir) = copy_example("sqlalchemy-postgres");
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("docker");
    init(&dir)
        .arg("--yes")
        .arg("-o")
        .arg(&target)
        .assert()
        .success();
    let first: Vec<Vec<u8>> = GENERATED
        .iter()
        .map(|f| fs::read(target.join(f)).unwrap())
        .collect();
    fs::remove_dir_all(&target).unwrap();
    init(&dir)
        .arg("--yes")
        .arg("--output")
        .arg(&target)
        .assert()
        .success();
    let second: Vec<Vec<u8>> = GENERATED
        .iter()
        .map(|f| fs::read(target.join(f)).unwrap())
        .collect();
    assert_eq!(first, second);
    assert!(
        !dir.join("Dockerfile").exists(),
        "--output must not write into PATH"
    );
    let compose = read(&target, "docker-compose.yml");
    let expected_context = pathdiff(&dir, &target);
    assert!(
        compose.contains(&format!("context: \"{expected_context}\"")),
        "{compose}"
    );
}

fn pathdiff(to: &Path, from: &Path) -> String {
    let (to, from) = (
        fs::canonicalize(to).unwrap(),
        fs::canonicalize(from).unwrap(),
    );
    let common = to
        .components()
        .zip(from.components())
        .take_while(|(a, b)| a == b)
        .count();
    let ups = from.components().count() - common;
    let mut parts: Vec<String> = vec!["..".to_string(); ups];
    parts.extend(
        to.components()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[test]
fn check_exits_1_on_drift() {
    let (_temp, dir) = copy_example("env-config");
    init(&dir)
        .arg("--check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("would create  Dockerfile"));
    init(&dir).arg("--yes").assert().success();
    fs::write(dir.join(".dockerignore"), "# hand edited\n").unwrap();
    init(&dir)
        .arg("--check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("would change  .dockerignore"))
        .stderr("error: the Docker files differ from what flaskdock would write; run `flaskdock init --diff` to see how\n");
    assert_eq!(read(&dir, ".dockerignore"), "# hand edited\n");
}

#[test]
fn check_exits_0_when_up_to_date() {
    let (_temp, dir) = copy_example("env-config");
    init(&dir)
        .args(["--yes", "--port", "9000"])
        .assert()
        .success();
    // The saved answers reproduce the same files without flags.
    init(&dir)
        .arg("--check")
        .assert()
        .success()
        .stdout(predicate::str::contains("unchanged  Dockerfile"));
}

#[test]
fn dry_run_writes_nothing() {
    let (_temp, dir) = copy_example("single-file");
    init(&dir)
        .arg("--dry-run")
        .assert()
        .success()
        .stdout(predicate::str::contains("would create  docker-compose.yml"));
    for file in GENERATED {
        assert!(!dir.join(file).exists());
    }
}

#[test]
fn diff_prints_a_unified_diff_and_writes_nothing() {
    let (_temp, dir) = copy_example("single-file");
    init(&dir).arg("--yes").assert().success();
    fs::write(
        dir.join("Dockerfile"),
        read(&dir, "Dockerfile").replace("EXPOSE 5000", "EXPOSE 9999"),
    )
    .unwrap();
    init(&dir).arg("--diff").assert().success().stdout(
        predicate::str::contains("--- a/Dockerfile\n+++ b/Dockerfile\n")
            .and(predicate::str::contains("-EXPOSE 9999\n+EXPOSE 5000\n")),
    );
    assert!(read(&dir, "Dockerfile").contains("EXPOSE 9999"));
}

#[test]
fn value_flags_reach_the_files() {
    let (_temp, dir) = copy_example("single-file");
    init(&dir)
        .args([
            "--yes", "--python", "3.11", "--port", "7000", "--entry", "app:app", "--db", "postgres",
        ])
        .assert()
        .success();
    let dockerfile = read(&dir, "Dockerfile");
    assert!(dockerfile.contains("ARG PYTHON_VERSION=3.11"));
    assert!(dockerfile.contains("EXPOSE 7000"));
    assert!(dockerfile.contains("\"--bind\", \"0.0.0.0:7000\""));
    let compose = read(&dir, "docker-compose.yml");
    assert!(
        compose.contains("\"${WEB_PORT:-7000}:7000\"")
            && compose.contains("image: \"postgres:17\"")
    );
    assert!(
        compose.contains("condition: service_healthy")
            && compose.contains("db-data:/var/lib/postgresql/data")
    );
    let env = read(&dir, ".env.example");
    assert!(env.contains("DATABASE_URL=postgresql://app:change-me@db:5432/app"));

    let (_temp2, dir2) = copy_example("sqlalchemy-postgres");
    init(&dir2)
        .args(["--yes", "--db", "none"])
        .assert()
        .success();
    let compose = read(&dir2, "docker-compose.yml");
    assert!(!compose.contains("db:") && !compose.contains("depends_on"));
}

#[test]
fn db_mysql_writes_a_mysql_service_and_its_variables() {
    // The example talks to PostgreSQL; the flag wins over what was found.
    let (_temp, dir) = copy_example("sqlalchemy-postgres");
    init(&dir)
        .args(["--yes", "--db", "mysql", "--force"])
        .assert()
        .success();
    let compose = read(&dir, "docker-compose.yml");
    assert!(compose.contains("image: \"mysql:8.4\""), "{compose}");
    assert!(compose.contains("MYSQL_PASSWORD: ${MYSQL_PASSWORD:?set MYSQL_PASSWORD in .env}"));
    assert!(compose.contains("db-data:/var/lib/mysql"));
    assert!(!compose.contains("POSTGRES_"));
    let env = read(&dir, ".env.example");
    assert!(env.contains("MYSQL_USER=app\nMYSQL_PASSWORD=change-me\nMYSQL_DATABASE=app\n"));
    assert!(env.contains("DATABASE_URL=mysql://app:change-me@db:3306/app"));
    assert!(read(&dir, ".flaskdock.toml").contains("db = \"mysql\""));
}

#[test]
fn rejects_bad_flag_values() {
    let (_temp, dir) = copy_example("single-file");
    init(&dir)
        .args(["--python", "2.7"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid Python version `2.7`"));
    init(&dir)
        .args(["--entry", "app"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid WSGI target `app`"));
    init(&dir).args(["--db", "mongo"]).assert().code(2);
    init(&dir).args(["--port", "0"]).assert().code(2);
    for file in GENERATED {
        assert!(!dir.join(file).exists());
    }
}

#[test]
fn no_flask_app_is_a_one_line_error_naming_entry() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("requirements.txt", "requests\n"),
            ("tool.py", "print('hi')\n"),
        ],
    );
    let expected = format!(
        "error: no Flask app found in `{}`; pass the WSGI target with `--entry module:app` (or `--entry \"package:create_app()\"`)\n",
        temp.path().display()
    );
    init(temp.path())
        .arg("--yes")
        .assert()
        .code(2)
        .stderr(expected);
    init(temp.path())
        .args(["--yes", "--entry", "tool:app"])
        .assert()
        .success();
}

#[test]
fn missing_path_is_a_one_line_error() {
    flaskdock()
        .args(["init", "/nonexistent/flask-app", "--yes"])
        .assert()
        .code(2)
        .stderr("error: cannot read `/nonexistent/flask-app`; pass the path of a Flask project: No such file or directory (os error 2)\n");
}

#[test]
fn real_env_values_never_reach_generated_files() {
    let (_temp, dir) = copy_example("sqlalchemy-postgres");
    let secret = "s3cr3t-value-from-the-real-env-file";
    fs::write(
        dir.join(".env"),
        format!("SECRET_KEY={secret}\nDATABASE_URL=postgresql://prod:{secret}@prod-host/db\n"),
    )
    .unwrap();
    init(&dir).arg("--yes").assert().success();
    for file in GENERATED {
        assert!(
            !read(&dir, file).contains(secret),
            "{file} contains a value from .env"
        );
    }
    let ignore = read(&dir, ".dockerignore");
    assert!(
        ignore.lines().any(|l| l == "**/.env") && ignore.lines().any(|l| l == "!**/.env.example")
    );
}

#[test]
fn json_report_is_machine_readable() {
    let (_temp, dir) = copy_example("sqlalchemy-postgres");
    let output = init(&dir)
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&output).unwrap();
    assert_eq!(report["files"][0]["path"], "Dockerfile");
    assert_eq!(report["files"][0]["status"], "created");
    assert_eq!(report["plan"]["entry"], "app:app");
}

#[test]
fn inspect_json_has_the_documented_keys_and_sources() {
    let (_temp, dir) = copy_example("sqlalchemy-postgres");
    let output = flaskdock()
        .args(["inspect", "--json"])
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&output).unwrap();
    for key in [
        "python_version",
        "port",
        "entry",
        "dependency_manager",
        "dependency_files",
        "database",
        "env_vars",
        "build_packages",
        "runtime_packages",
        "migrations",
        "templates_dir",
        "static_dir",
        "sources",
    ] {
        assert!(json.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(json["python_version"], "3.12");
    assert_eq!(json["entry"], "app:app");
    assert_eq!(json["database"], "postgres");
    assert_eq!(json["dependency_manager"], "pip");
    assert_eq!(
        json["env_vars"],
        serde_json::json!(["DATABASE_URL", "SECRET_KEY"])
    );
    assert_eq!(
        json["build_packages"],
        serde_json::json!(["gcc", "libpq-dev"])
    );
    assert_eq!(
        json["sources"]["python_version"],
        serde_json::json!({"file": ".python-version", "line": 1})
    );
    assert_eq!(
        json["sources"]["entry"],
        serde_json::json!({"file": "app.py", "line": 8})
    );
    assert_eq!(json["sources"]["database"]["file"], "requirements.txt");
    assert_eq!(json["sources"]["database"]["line"], 3);
}

#[test]
fn no_migrate_flag_is_saved_and_reproduced() {
    let (_temp, dir) = copy_example("migrate-postgres");
    init(&dir)
        .args(["--yes", "--no-migrate"])
        .assert()
        .success();
    assert!(!read(&dir, "Dockerfile").contains("flask db upgrade"));
    // The saved answer keeps migrations off without the flag.
    init(&dir).arg("--check").assert().success();
    init(&dir).args(["--check", "--migrate"]).assert().code(1);
}

#[test]
fn keys_in_the_project_are_named_as_left_out_of_the_image() {
    let (_temp, dir) = copy_example("single-file");
    write_tree(
        &dir,
        &[("certs/db-ca.crt", "-----BEGIN CERTIFICATE-----\n")],
    );
    init(&dir)
        .arg("--yes")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "note: `.dockerignore` keeps keys and certificates out of the image: certs/db-ca.crt;",
        ));
    assert!(read(&dir, ".dockerignore").lines().any(|l| l == "**/*.crt"));
}

#[test]
fn malformed_settings_file_is_a_one_line_error() {
    let (_temp, dir) = copy_example("single-file");
    fs::write(
        dir.join(".flaskdock.toml"),
        "[answers]\nport = \"eighty\"\n",
    )
    .unwrap();
    let output = init(&dir)
        .arg("--yes")
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(output).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error: failed to parse `{}` at line 2: ",
            dir.join(".flaskdock.toml").display()
        )),
        "{stderr}"
    );
    assert!(
        stderr
            .trim_end()
            .ends_with("; fix it or delete it to start over"),
        "{stderr}"
    );
    assert!(!dir.join("Dockerfile").exists());
}

#[cfg(unix)]
#[test]
fn a_requirements_file_linked_to_a_device_is_refused() {
    let (_temp, dir) = copy_example("single-file");
    fs::remove_file(dir.join("requirements.txt")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("requirements.txt")).unwrap();
    init(&dir).arg("--yes").assert().code(2).stderr(
        "error: `requirements.txt` is not a regular file inside the project (a link out of it, a device or a pipe); replace it with the file itself\n",
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_module_does_not_hang() {
    let (_temp, dir) = copy_example("single-file");
    let status = std::process::Command::new("mkfifo")
        .arg(dir.join("wsgi.py"))
        .status()
        .unwrap();
    assert!(status.success());
    init(&dir).arg("--yes").assert().success();
    assert!(read(&dir, "Dockerfile").contains("\"app:app\""));
}

#[test]
fn quiet_verbose_and_colour() {
    let (_temp, dir) = copy_example("single-file");
    init(&dir)
        .args(["--yes", "--quiet"])
        .assert()
        .success()
        .stdout("");
    init(&dir)
        .args(["--yes", "--verbose"])
        .assert()
        .success()
        .stdout(predicate::str::contains("entry                app:app"))
        .stdout(predicate::str::contains("unchanged  Dockerfile"));
    // Piped output has no colour; CLICOLOR_FORCE turns it on; NO_COLOR wins.
    init(&dir)
        .arg("--yes")
        .assert()
        .stdout(predicate::str::contains("\u{1b}[").not());
    init(&dir)
        .arg("--yes")
        .env("CLICOLOR_FORCE", "1")
        .env_remove("NO_COLOR")
        .assert()
        .stdout(predicate::str::contains("\u{1b}["));
    init(&dir)
        .arg("--yes")
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .assert()
        .stdout(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        flaskdock()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("doctor").and(predicate::str::contains("subfolder")));
    }
    flaskdock()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(".ie").or(predicate::str::contains(".TH flaskdock")));
}

#[test]
fn every_subcommand_has_examples_in_its_help() {
    for command in [
        "init",
        "inspect",
        "doctor",
        "completions",
        "man",
        "template",
    ] {
        let mut args = vec![command, "--help"];
        if command == "template" {
            args = vec!["template", "eject", "--help"];
        }
        flaskdock()
            .args(&args)
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:"));
    }
}
