//! Team template sets, as a team uses them: a folder, a git repository, a name in
//! the config file; values from flags, files and the environment; inheritance from
//! the built-in set; and the ways a set or a value could try to escape.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

use crate::common::{copy_example, write_tree};

/// The ACME set in `tests/fixtures/acme-set`: a Dockerfile extending the
/// built-in one with a label, a conditional Makefile, a file with a templated
/// name, and a plain file. The container tier uses the same set.
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/acme-set")
}

/// One file of the ACME set.
fn fixture_file(name: &str) -> String {
    fs::read_to_string(fixture().join(name)).unwrap()
}

/// Copies the ACME set to `root`.
fn acme_set(root: &Path) {
    crate::common::copy_dir(&fixture(), root);
}

/// flaskdock with a config file of its own (never the developer's).
fn flaskdock(config: &Path) -> Command {
    let mut cmd = Command::cargo_bin("flaskdock").unwrap();
    cmd.env("FLASKDOCK_CONFIG", config)
        .env_remove("FLASKDOCK_VALUE_COMPANY")
        .timeout(std::time::Duration::from_secs(60));
    cmd
}

struct Setup {
    _temp: tempfile::TempDir,
    root: PathBuf,
    app: PathBuf,
    set: PathBuf,
    config: PathBuf,
}

fn setup() -> Setup {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().to_path_buf();
    let (example_temp, app) = copy_example("single-file");
    let target = root.join("single-file");
    fs::rename(&app, &target).unwrap();
    drop(example_temp);
    let set = root.join("acme-set");
    acme_set(&set);
    Setup {
        config: root.join("config.toml"),
        _temp: temp,
        root,
        app: target,
        set,
    }
}

fn init(s: &Setup) -> Command {
    let mut cmd = flaskdock(&s.config);
    cmd.arg("init").arg(&s.app);
    cmd
}

/// `flaskdock init --yes --template <the ACME set>` on the app.
fn with_set(s: &Setup) -> Command {
    let mut cmd = init(s);
    cmd.arg("--yes").arg("--template").arg(&s.set);
    cmd
}

fn read(dir: &Path, file: &str) -> String {
    fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// What the built-in set writes for the same app.
fn builtin_output(file: &str) -> String {
    let (_temp, dir) = copy_example("single-file");
    let mut cmd = Command::cargo_bin("flaskdock").unwrap();
    cmd.args(["init", "--yes"]).arg(&dir).assert().success();
    read(&dir, file)
}

#[test]
fn a_folder_set_extends_the_builtin_dockerfile_and_adds_its_files() {
    let s = setup();
    with_set(&s)
        .args(["-d", "company=initech"])
        .assert()
        .success()
        .stdout(predicate::str::contains("created  Makefile"))
        .stdout(predicate::str::contains("created  deploy/initech.conf"))
        .stdout(predicate::str::contains(
            "note: the files come from the template set `acme`",
        ));

    let dockerfile = read(&s.app, "Dockerfile");
    let label = "LABEL org.opencontainers.image.vendor=\"initech\"\n";
    let label_at = dockerfile
        .find(label)
        .expect("the label is in the Dockerfile");
    assert!(
        label_at > dockerfile.find("AS runtime").unwrap(),
        "in the runtime stage"
    );
    assert!(
        label_at < dockerfile.find("USER ${UID}").unwrap(),
        "before USER"
    );
    // Everything else is the built-in Dockerfile, untouched.
    assert_eq!(
        dockerfile.replacen(&format!("\n{label}"), "", 1),
        builtin_output("Dockerfile")
    );
    assert_eq!(
        read(&s.app, "docker-compose.yml"),
        builtin_output("docker-compose.yml")
    );

    assert_eq!(
        read(&s.app, "Makefile"),
        "IMAGE = registry.acme.internal/initech/single-file\n\nbuild:\n\tdocker build -t $(IMAGE) .\n"
    );
    assert_eq!(
        read(&s.app, "deploy/initech.conf"),
        "port = 5000\nentry = \"app:app\"\n"
    );
    assert_eq!(
        read(&s.app, "TEAM.md"),
        "Ask #platform. {{ not rendered }}\n"
    );

    let settings = read(&s.app, ".flaskdock.toml");
    assert!(
        settings.contains("[template]\nsource = \"../acme-set\"\n"),
        "{settings}"
    );
    assert!(
        settings.contains(
            "[values]\ncompany = \"initech\"\nmake = true\nregistry = \"registry.acme.internal\"\n"
        ),
        "{settings}"
    );
    assert!(settings.contains("Makefile = \""), "{settings}");

    // A set recorded in `.flaskdock.toml` came with the repository: without
    // the user's word it is not rendered.
    init(&s)
        .arg("--check")
        .assert()
        .code(2)
        .stderr(
            "error: `.flaskdock.toml` records the template set `../acme-set`, which came with the project and is not rendered unless you name it; pass `--template ../acme-set` to render it, or `--template builtin`\n",
        );
    // Named in the user's own config file, it is: no flags, the saved set,
    // values and answers reproduce every file.
    fs::write(
        &s.config,
        format!(
            "[templates.acme]\npath = {:?}\n",
            s.set.display().to_string()
        ),
    )
    .unwrap();
    init(&s).arg("--check").assert().success();
    init(&s)
        .arg("--yes")
        .assert()
        .success()
        .stdout(predicate::str::contains("overwritten").not());
}

#[test]
fn conditions_and_choices_follow_the_values() {
    let s = setup();
    with_set(&s)
        .args([
            "-d",
            "company=initech",
            "-d",
            "make=no",
            "--define",
            "registry=ghcr.io",
        ])
        .assert()
        .success();
    assert!(
        !s.app.join("Makefile").exists(),
        "make=no skips the Makefile"
    );
    assert!(read(&s.app, ".flaskdock.toml").contains("registry = \"ghcr.io\""));
}

#[test]
fn values_come_from_define_then_values_file_then_environment() {
    let s = setup();
    let values = s.root.join("values.toml");
    fs::write(&values, "company = \"globex\"\nmake = false\n").unwrap();
    with_set(&s)
        .arg("--values-file")
        .arg(&values)
        .env("FLASKDOCK_VALUE_COMPANY", "umbrella")
        .assert()
        .success();
    assert!(
        read(&s.app, "Dockerfile").contains("vendor=\"globex\""),
        "file beats env"
    );
    assert!(!s.app.join("Makefile").exists());

    let s = setup();
    with_set(&s)
        .env("FLASKDOCK_VALUE_COMPANY", "umbrella")
        .assert()
        .success();
    assert!(
        read(&s.app, "Dockerfile").contains("vendor=\"umbrella\""),
        "env is used"
    );

    let s = setup();
    with_set(&s)
        .arg("--values-file")
        .arg(&values)
        .args(["-d", "company=initech"])
        .assert()
        .success();
    assert!(
        read(&s.app, "Dockerfile").contains("vendor=\"initech\""),
        "define beats file"
    );
}

#[test]
fn missing_or_invalid_values_exit_2_and_write_nothing() {
    let s = setup();
    with_set(&s)
        .assert()
        .code(2)
        .stderr("error: template set `acme` needs a value for `company` (Company slug); pass `--define company=...`\n");
    with_set(&s)
        .args(["-d", "company=Big Co"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "placeholder `company` must match `^[a-z][a-z0-9-]*$`",
        ));
    with_set(&s)
        .args(["-d", "company=initech", "-d", "registry=docker.io"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "placeholder `registry` must be one of `ghcr.io`, `registry.acme.internal`",
        ));
    with_set(&s)
        .args(["-d", "compnay=initech"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no placeholder `compnay`"));
    assert!(!s.app.join("Dockerfile").exists());
}

fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

fn commit_of(repo: &Path, rev: &str) -> String {
    let out = std::process::Command::new("git")
        .current_dir(repo)
        .args(["rev-parse", rev])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn a_git_set_is_cloned_pinned_to_its_commit_and_updated_on_request() {
    let s = setup();
    let repo = s.root.join("templates-repo");
    acme_set(&repo.join("flask"));
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "acme v1"]);
    let first = commit_of(&repo, "HEAD");
    let url = format!("file://{}", repo.display());

    init(&s)
        .args([
            "--yes",
            "--template",
            &url,
            "--subfolder",
            "flask",
            "-d",
            "company=initech",
        ])
        .assert()
        .success();
    let settings = read(&s.app, ".flaskdock.toml");
    assert!(
        settings.contains(&format!("source = \"{url}\"")),
        "{settings}"
    );
    assert!(settings.contains("subfolder = \"flask\""), "{settings}");
    assert!(
        settings.contains(&format!("commit = \"{first}\"")),
        "{settings}"
    );

    // The set moves on; the project stays on the recorded commit until asked.
    let dockerfile = repo.join("flask/Dockerfile.tera");
    fs::write(
        &dockerfile,
        fixture_file("Dockerfile.tera").replace("vendor", "vendor.name"),
    )
    .unwrap();
    git(&repo, &["commit", "-q", "-am", "acme v2"]);
    fs::write(&s.config, format!("[templates.acme]\ngit = {url:?}\n")).unwrap();
    init(&s).arg("--check").assert().success();

    init(&s)
        .args(["--yes", "--template", &url, "--subfolder", "flask"])
        .assert()
        .success()
        .stdout(predicate::str::contains("overwritten  Dockerfile"));
    assert!(read(&s.app, "Dockerfile").contains("vendor.name=\"initech\""));
    assert!(read(&s.app, ".flaskdock.toml").contains(&commit_of(&repo, "HEAD")));

    // --branch picks another line of the set.
    git(&repo, &["checkout", "-q", "-b", "legacy", &first]);
    fs::write(repo.join("flask/TEAM.md"), "legacy\n").unwrap();
    git(&repo, &["commit", "-q", "-am", "legacy"]);
    git(&repo, &["checkout", "-q", "main"]);
    init(&s)
        .args([
            "--yes",
            "--template",
            &url,
            "--subfolder",
            "flask",
            "--branch",
            "legacy",
            "--force",
        ])
        .assert()
        .success();
    assert_eq!(read(&s.app, "TEAM.md"), "legacy\n");
    assert!(read(&s.app, ".flaskdock.toml").contains("branch = \"legacy\""));

    init(&s)
        .args([
            "--yes",
            "--template",
            &format!("file://{}/nowhere", s.root.display()),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("error: cannot clone"));
}

#[test]
fn a_name_from_the_config_file_finds_the_set() {
    let s = setup();
    fs::write(
        &s.config,
        // A relative path is taken from the config file's folder.
        "[templates.acme]\npath = \"acme-set\"\n",
    )
    .unwrap();
    init(&s)
        .args(["--yes", "--template", "acme", "-d", "company=initech"])
        .assert()
        .success();
    assert!(read(&s.app, "Dockerfile").contains("vendor=\"initech\""));
    assert!(read(&s.app, ".flaskdock.toml").contains("source = \"acme\""));
    init(&s).arg("--check").assert().success();

    init(&s)
        .args(["--yes", "--template", "unknown-set"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "add `[templates.unknown-set]` with `path` or `git`",
        ));
}

/// Runs init with a set holding `files` plus a manifest with a free `name` value.
fn escape_attempt(files: &[(&str, &str)], name: &str) -> (Setup, assert_cmd::assert::Assert) {
    let s = setup();
    let set = s.root.join("evil-set");
    write_tree(
        &set,
        &[(
            "flaskdock-template.toml",
            "[template]\nname = \"evil\"\n[placeholders.name]\nprompt = \"Name\"\n",
        )],
    );
    write_tree(&set, files);
    let assert = init(&s)
        .arg("--yes")
        .arg("--template")
        .arg(&set)
        .args(["-d", &format!("name={name}")])
        .assert();
    (s, assert)
}

#[test]
fn nothing_a_set_or_a_value_holds_writes_outside_the_output_folder() {
    for name in [
        "../../escaped",
        "/tmp/flaskdock-escaped",
        "a/../../escaped",
        "..",
    ] {
        let (s, assert) = escape_attempt(&[("{{ values.name }}.tera", "x")], name);
        assert.code(2).stderr(predicate::str::contains(
            "outside the output folder; nothing was written",
        ));
        assert!(
            !s.app.join("Dockerfile").exists(),
            "{name}: nothing written"
        );
        assert!(!s.root.join("escaped").exists());
        assert!(!Path::new("/tmp/flaskdock-escaped").exists());
    }

    // A set may not claim flaskdock's own record.
    let (_s, assert) = escape_attempt(&[(".flaskdock.toml", "template = 'x'\n")], "x");
    assert
        .code(2)
        .stderr(predicate::str::contains("which flaskdock keeps for itself"));
}

#[cfg(unix)]
#[test]
fn links_are_never_followed() {
    // A link inside the set.
    let s = setup();
    std::os::unix::fs::symlink("/etc/hostname", s.set.join("hostname.tera")).unwrap();
    init(&s)
        .args(["--yes", "-d", "company=initech", "--template"])
        .arg(&s.set)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "holds a symbolic link `hostname.tera`; links are never followed",
        ));
    assert!(!s.app.join("Dockerfile").exists());

    // A link in the output folder that a set's file would be written through.
    let s = setup();
    let outside = s.root.join("outside");
    fs::create_dir(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, s.app.join("deploy")).unwrap();
    init(&s)
        .args(["--yes", "-d", "company=initech", "--template"])
        .arg(&s.set)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "would be written through it; nothing was written",
        ));
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
    assert!(!s.app.join("Dockerfile").exists());
}

#[test]
fn a_broken_team_template_names_the_set_the_file_and_the_line() {
    let s = setup();
    fs::write(
        s.set.join("Makefile.tera"),
        "all:\n\techo ok\n\techo {{ values.nope }}\n",
    )
    .unwrap();
    init(&s)
        .args(["--yes", "-d", "company=initech", "--template"])
        .arg(&s.set)
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: template set `acme`: `Makefile.tera:3` failed to render:",
        ));

    fs::write(s.set.join("Makefile.tera"), "all:\n{% if %}\n").unwrap();
    init(&s)
        .args(["--yes", "-d", "company=initech", "--template"])
        .arg(&s.set)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("template set `acme`")
                .and(predicate::str::contains("Makefile.tera"))
                .and(predicate::str::contains("`Makefile.tera:2:")),
        );
    assert!(!s.app.join("Dockerfile").exists());
}

#[test]
fn a_set_for_a_newer_flaskdock_is_refused() {
    let s = setup();
    fs::write(
        s.set.join("flaskdock-template.toml"),
        fixture_file("flaskdock-template.toml").replace("0.1.0", "99.0.0"),
    )
    .unwrap();
    init(&s)
        .args(["--yes", "-d", "company=initech", "--template"])
        .arg(&s.set)
        .assert()
        .code(2)
        .stderr(format!(
            "error: template set `acme` needs flaskdock 99.0.0 or newer, and this is {}; upgrade flaskdock\n",
            env!("CARGO_PKG_VERSION")
        ));
}

#[test]
fn the_ejected_set_renders_exactly_like_the_builtin_set() {
    let s = setup();
    let ejected = s.root.join("ejected");
    flaskdock(&s.config)
        .args(["template", "eject"])
        .arg(&ejected)
        .assert()
        .success()
        .stdout(predicate::str::contains("created  flaskdock-template.toml"));
    for example in crate::common::examples() {
        let name = example.file_name().unwrap().to_string_lossy().into_owned();
        let (_a, with_builtin) = copy_example(&name);
        let (_b, with_ejected) = copy_example(&name);
        flaskdock(&s.config)
            .args(["init", "--yes"])
            .arg(&with_builtin)
            .assert()
            .success();
        flaskdock(&s.config)
            .args(["init", "--yes", "--template"])
            .arg(&ejected)
            .arg(&with_ejected)
            .assert()
            .success();
        for file in [
            "Dockerfile",
            ".dockerignore",
            "docker-compose.yml",
            ".env.example",
        ] {
            assert_eq!(
                read(&with_builtin, file),
                read(&with_ejected, file),
                "{name}: {file}"
            );
        }
    }
    // Ejecting again over the same files changes nothing; over edited ones it refuses.
    flaskdock(&s.config)
        .args(["template", "eject"])
        .arg(&ejected)
        .assert()
        .success();
    fs::write(ejected.join("Dockerfile.tera"), "edited").unwrap();
    flaskdock(&s.config)
        .args(["template", "eject"])
        .arg(&ejected)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
}

#[test]
fn a_block_can_keep_the_builtin_content_with_super() {
    let s = setup();
    let set = s.root.join("ca-set");
    write_tree(
        &set,
        &[
            ("flaskdock-template.toml", "[template]\nname = \"ca\"\n"),
            (
                "Dockerfile.tera",
                "{% extends \"builtin/Dockerfile.tera\" %}\n{% block builder_setup %}\nCOPY acme-ca.crt /usr/local/share/ca-certificates/acme-ca.crt\n{{ super() }}\n{% endblock builder_setup %}\n",
            ),
        ],
    );
    let (_temp, app) = copy_example("sqlalchemy-postgres");
    flaskdock(&s.config)
        .args(["init", "--yes", "--template"])
        .arg(&set)
        .arg(&app)
        .assert()
        .success();
    let dockerfile = read(&app, "Dockerfile");
    let ca = dockerfile.find("COPY acme-ca.crt").expect("the added line");
    let apt = dockerfile
        .find("apt-get install -y --no-install-recommends gcc libpq-dev")
        .expect("the built-in content");
    assert!(ca < apt && apt < dockerfile.find("AS runtime").unwrap());
}

/// Appends a `[defaults]` table holding `body` to the ACME set's manifest.
fn add_team_defaults(s: &Setup, body: &str) {
    let text = read(&s.set, "flaskdock-template.toml");
    fs::write(
        s.set.join("flaskdock-template.toml"),
        format!("{text}\n[defaults]\n{body}"),
    )
    .unwrap();
}

/// A set's `[defaults]` sit between the saved answers and what inspection
/// found: they beat the detected port and "no database", lose to a flag and
/// to a saved answer.
#[test]
fn team_defaults_beat_detection_and_lose_to_flags_and_saved_answers() {
    let s = setup();
    fs::write(s.app.join(".flaskenv"), "FLASK_RUN_PORT=5000\n").unwrap();
    let plan = |s: &Setup, extra: &[&str]| -> serde_json::Value {
        let out = with_set(s)
            .args(["-d", "company=acme", "--json"])
            .args(extra)
            .assert()
            .success();
        let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        report["plan"].clone()
    };

    let control = s.root.join("control");
    let without = plan(&s, &["-o", control.to_str().unwrap()]);
    assert_eq!(without["port"], 5000, "the port is detected");
    assert!(without["database"].is_null());

    add_team_defaults(&s, "port = 8080\ndb = \"postgres\"\n");
    let first = plan(&s, &[]);
    assert_eq!(first["port"], 8080);
    assert_eq!(first["database"]["kind"], "postgres");
    assert!(read(&s.app, "Dockerfile").contains("EXPOSE 8080"));

    // The saved answer, not the team default, decides the next run.
    with_set(&s)
        .args(["-d", "company=acme", "--port", "9000", "--force"])
        .assert()
        .success();
    assert_eq!(plan(&s, &["--force"])["port"], 9000);
    assert_eq!(plan(&s, &["--port", "7000", "--force"])["port"], 7000);
}

#[test]
fn a_team_default_for_the_entry_is_refused() {
    let s = setup();
    add_team_defaults(&s, "entry = \"app:app\"\n");
    with_set(&s)
        .args(["-d", "company=acme"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`[defaults] entry` is not a team default",
        ));
    assert!(!s.app.join("Dockerfile").exists());
}

#[test]
fn a_set_that_names_a_builtin_kubernetes_template_finds_it() {
    // The built-in Kubernetes templates are parsed only for `--kubernetes` or
    // when a team template names one. Without `--kubernetes` this one is
    // found and rendered, and stops at the Plan's missing Kubernetes part.
    let files = [(
        "namespace-copy.yaml.tera",
        "{% include \"builtin/k8s/base/namespace.yaml.tera\" %}",
    )];
    let (s, assert) = escape_attempt(&files, "x");
    assert.code(2).stderr(predicate::str::contains(
        "while rendering 'builtin/k8s/base/namespace.yaml.tera'",
    ));
    init(&s)
        .args(["--yes", "--kubernetes", "--template"])
        .arg(s.root.join("evil-set"))
        .args(["-d", "name=x"])
        .assert()
        .success();
    let copy = read(&s.app, "namespace-copy.yaml");
    assert!(copy.contains("kind: Namespace"), "{copy}");
}
