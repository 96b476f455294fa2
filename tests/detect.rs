//! Detection on small temporary trees and examples, and what it does to the plan
//! and the Dockerfile.

use flaskdock::write::Mode;
use flaskdock::{init, inspect};

use crate::common::{NoPrompts, copy_example, init_error, init_tree, options, write_tree};

fn entry_of(files: &[(&str, &str)]) -> Vec<String> {
    let temp = tempfile::tempdir().unwrap();
    write_tree(temp.path(), files);
    inspect::inspect(temp.path())
        .unwrap()
        .entries
        .iter()
        .map(|e| e.target.clone())
        .collect()
}

#[test]
fn detects_app_objects_under_any_name() {
    assert_eq!(
        entry_of(&[("server.py", "import flask\nAPI = flask.Flask('x')\n")]),
        ["server:API"]
    );
}

#[test]
fn detects_factories_in_packages() {
    let init = "from flask import Flask\n\ndef create_app(test_config=None):\n    app = Flask(__name__)\n    return app\n";
    assert_eq!(
        entry_of(&[("flaskr/__init__.py", init)]),
        ["flaskr:create_app()"]
    );
}

#[test]
fn a_factory_that_finishes_the_module_app_comes_before_the_bare_object() {
    // calibre-web's shape: the object exists at import, but its blueprints,
    // session and secret key are set up by create_app().
    let init = "from flask import Flask\napp = Flask(__name__)\n\ndef create_app():\n    app.secret_key = 'x'\n    return app\n";
    assert_eq!(
        entry_of(&[("cps/__init__.py", init)]),
        ["cps:create_app()", "cps:app"]
    );
    // A function returning something else leaves the object first.
    let other =
        "from flask import Flask\napp = Flask(__name__)\n\ndef create_app():\n    return None\n";
    assert_eq!(entry_of(&[("cps/__init__.py", other)]), ["cps:app"]);
    // Nor does one that expects arguments, even defaulted ones.
    let with_config = "from flask import Flask\napp = Flask(__name__)\n\ndef create_app(config=None):\n    app.secret_key = config['key']\n    return app\n";
    assert_eq!(entry_of(&[("cps/__init__.py", with_config)]), ["cps:app"]);
}

#[test]
fn prefers_wsgi_module_over_the_factory_it_calls() {
    let init = "from flask import Flask\n\ndef make_app():\n    return Flask(__name__)\n";
    let wsgi = "from blog import make_app\napplication = make_app()\n";
    assert_eq!(
        entry_of(&[("blog/__init__.py", init), ("wsgi.py", wsgi)]),
        ["wsgi:application", "blog:make_app()"]
    );
}

#[test]
fn ignores_apps_made_under_the_main_guard() {
    let app = "from flask import Flask\nif __name__ == '__main__':\n    dev = Flask(__name__)\n";
    assert!(entry_of(&[("app.py", app)]).is_empty());
}

#[test]
fn ranks_apps_in_tests_last() {
    let app = "from flask import Flask\napp = Flask(__name__)\n";
    assert_eq!(
        entry_of(&[("tests/conftest.py", app), ("app.py", app)]),
        ["app:app", "conftest:app"]
    );
}

#[test]
fn src_layout_puts_src_on_pythonpath() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            (
                "src/page_analyzer/__init__.py",
                "from flask import Flask\napp = Flask(__name__)\n",
            ),
            ("requirements.txt", "flask\n"),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(report.plan.entry, "page_analyzer:app");
    assert_eq!(report.plan.pythonpath.as_deref(), Some("src"));
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("PYTHONPATH=/app/src"), "{dockerfile}");
}

/// An app written in today's Python: every construct from 3.8 to 3.14 that
/// the old parser refused, with an environment read inside each. The same
/// file seeds the `python_source` fuzz target.
const MODERN_APP: &str = include_str!("fuzz/seeds/python_source/modern_syntax.py");

#[test]
fn reads_python_3_12_to_3_14_syntax() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(temp.path(), &[("app.py", MODERN_APP)]);
    let project = inspect::inspect(temp.path()).unwrap();
    assert_eq!(project.entries[0].target, "app:app");
    assert!(
        !project.warnings.iter().any(|w| w.contains("syntax")),
        "{:?}",
        project.warnings
    );
    let names: Vec<&str> = project.env_vars.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "APP_MODE",
            "GREETING",
            "PING_URL",
            "S3_BUCKET",
            "STORAGE",
            "TEMPLATE_NAME"
        ]
    );
    let bucket = project.env_vars.iter().find(|v| v.name == "S3_BUCKET");
    assert!(bucket.is_some_and(|v| v.required));
}

#[test]
fn syntax_errors_are_warnings_naming_the_file() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            // It reads the environment, so inspection parses it.
            (
                "broken.py",
                "import os\nvalue = os.getenv('A') +\nos.environ['X']\n",
            ),
        ],
    );
    let project = inspect::inspect(temp.path()).unwrap();
    assert_eq!(project.entries[0].target, "app:app");
    assert!(
        project
            .warnings
            .iter()
            .any(|w| w.starts_with("broken.py:2: Python syntax error")),
        "{:?}",
        project.warnings
    );
    // The parser recovers: the read after the broken line still counts.
    assert!(
        project.env_vars.iter().any(|v| v.name == "X"),
        "{:?}",
        project.env_vars
    );
}

#[test]
fn requirements_chains_are_followed_and_copied_before_source() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("requirements.txt", "-r requirements/prod.txt\n"),
            ("requirements/prod.txt", "-r base.txt\npsycopg2==2.9.13\n"),
            ("requirements/base.txt", "flask\n-r prod.txt\n"),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(
        report.plan.install.manifests,
        [
            "requirements.txt",
            "requirements/prod.txt",
            "requirements/base.txt"
        ]
    );
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    let copy_manifest = dockerfile.find("COPY [\"requirements/base.txt\"").unwrap();
    let install = dockerfile.find("pip install -r requirements.txt").unwrap();
    let copy_source = dockerfile.find("COPY --chmod=755 . .").unwrap();
    assert!(copy_manifest < install && install < copy_source);
}

#[test]
fn psycopg2_gets_build_tools_in_the_builder_only() {
    let (_temp, dir) = copy_example("sqlalchemy-postgres");
    init(&options(&dir, false), &mut NoPrompts).unwrap();
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    let (builder, runtime) = dockerfile.split_once("AS runtime").unwrap();
    assert!(builder.contains("--no-install-recommends gcc libpq-dev"));
    assert!(!runtime.contains("gcc") && !runtime.contains("libpq-dev"));
    // libpq5 from the table, and whatever else the builder finds linked.
    assert!(builder.contains("-exec ldd {} +"));
    assert!(builder.contains("> /tmp/runtime-packages.txt"));
    assert!(runtime.contains("for p in libpq5 $(cat /tmp/runtime-packages.txt)"));
    assert!(runtime.contains("apt-get install -y --no-install-recommends $missing"));
}

#[test]
fn pyproject_dependencies_install_without_the_source() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            (
                "flaskr/__init__.py",
                "from flask import Flask\ndef create_app():\n    return Flask(__name__)\n",
            ),
            (
                "pyproject.toml",
                "[project]\nname = \"flaskr\"\nversion = \"1.0\"\nrequires-python = \">=3.10,<3.14\"\ndependencies = [\n  \"flask\",\n  \"psycopg[binary]\",\n]\n",
            ),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(
        report.plan.install.kind,
        flaskdock::plan::InstallKind::Pyproject
    );
    assert_eq!(report.plan.python_version.to_string(), "3.13");
    assert_eq!(report.plan.entry, "flaskr:create_app()");
    assert!(report.plan.database.is_some());
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("COPY [\"pyproject.toml\", \"./pyproject.toml\"]"));
    assert!(dockerfile.contains("import tomllib as t"));
}

#[test]
fn flask_in_an_extra_of_pyproject_is_installed_when_requirements_lack_it() {
    // A command-line tool whose web interface is an extra: requirements.txt
    // holds the tool's own dependencies, the extra holds Flask and the driver.
    let temp = tempfile::tempdir().unwrap();
    let pyproject = "[project]\nname = \"marks\"\nversion = \"1.0\"\ndependencies = [\"click\"]\n\n[project.optional-dependencies]\ntests = [\"pytest\"]\nweb = [\"Flask>=3\", \"psycopg2-binary==2.9.10\"]\n";
    write_tree(
        temp.path(),
        &[
            (
                "marks/server.py",
                "from flask import Flask\ndef create_app():\n    return Flask(__name__)\n",
            ),
            ("requirements.txt", "click\n"),
            ("pyproject.toml", pyproject),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(
        report.plan.install.kind,
        flaskdock::plan::InstallKind::Pyproject
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("`requirements.txt` does not list Flask")
                && n.contains("`web` extra")),
        "{:?}",
        report.notes
    );
    // The extra's driver is the app's: the database is found.
    assert!(report.plan.database.is_some());
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("deps += [d for e in [\"web\"] for d in"),
        "{dockerfile}"
    );
    assert!(!dockerfile.contains("COPY [\"requirements.txt\""));

    // A requirements file that lists Flask (or an extension of it) stays the install.
    write_tree(
        temp.path(),
        &[("requirements.txt", "click\nFlask-Admin==2.0.0\n")],
    );
    let facts = inspect::inspect(temp.path()).unwrap();
    assert!(
        matches!(facts.install, inspect::Install::Requirements { .. }),
        "{:?}",
        facts.install
    );
    // An extra whose name is not one pip takes is not carried into the build.
    write_tree(
        temp.path(),
        &[
            ("requirements.txt", "click\n"),
            (
                "pyproject.toml",
                &pyproject.replace("\nweb =", "\n\"web'; rm -rf /\" ="),
            ),
        ],
    );
    let facts = inspect::inspect(temp.path()).unwrap();
    assert!(
        matches!(facts.install, inspect::Install::Requirements { .. }),
        "{:?}",
        facts.install
    );
}

#[test]
fn poetry_lock_is_preferred_to_requirements_txt() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            (
                "page_analyzer/app.py",
                "from flask import Flask\napp = Flask(__name__)\n",
            ),
            ("page_analyzer/__init__.py", ""),
            ("requirements.txt", "flask\n"),
            ("poetry.lock", "# a lock\n"),
            (
                "pyproject.toml",
                "[tool.poetry]\nname = \"hexlet-code\"\n\n[tool.poetry.dependencies]\npython = \"^3.10\"\nflask = \"^3.0\"\npsycopg2 = \"^2.9\"\n",
            ),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(
        report.plan.install.kind,
        flaskdock::plan::InstallKind::Poetry
    );
    assert_eq!(
        report.plan.install.manifests,
        ["pyproject.toml", "poetry.lock"]
    );
    assert_eq!(report.plan.python_version.to_string(), "3.14");
    assert_eq!(report.plan.build_packages, ["gcc", "libpq-dev"]);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("rather than `requirements.txt`")),
        "{:?}",
        report.notes
    );
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    let (builder, runtime) = dockerfile.split_once("AS runtime").unwrap();
    assert!(builder.contains(
        "/opt/poetry/bin/poetry export --only main --format requirements.txt --output /tmp/requirements.txt \\\n    && pip install --require-hashes -r /tmp/requirements.txt"
    ));
    assert!(
        !runtime.contains("poetry"),
        "Poetry must stay in the builder"
    );
}

const POETRY_PYPROJECT: &str = "[tool.poetry]\nname = \"shop\"\npackage-mode = false\n\n[tool.poetry.dependencies]\npython = \"^3.12\"\nflask = \"^3.1\"\n";

fn poetry_project(lock: &str) -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("pyproject.toml", POETRY_PYPROJECT),
            ("poetry.lock", lock),
        ],
    );
    temp
}

#[test]
fn a_locked_git_package_turns_hash_checking_off() {
    let temp = poetry_project(
        "[[package]]\nname = \"flask\"\nversion = \"3.1.3\"\nfiles = []\n\n[[package]]\nname = \"shared-lib\"\nversion = \"1.0\"\nfiles = []\n\n[package.source]\ntype = \"git\"\nurl = \"https://git.example.com/shared-lib.git\"\nreference = \"main\"\n",
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(
        report.plan.install.kind,
        flaskdock::plan::InstallKind::Poetry
    );
    assert!(!report.plan.install.hashes);
    assert!(!report.plan.install.needs_source);
    let note = report.notes.iter().find(|n| n.contains("`shared-lib`"));
    assert!(
        note.is_some_and(|n| n.contains("from git") && n.contains("without checking hashes")),
        "{:?}",
        report.notes
    );
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("--without-hashes --output /tmp/requirements.txt"));
    assert!(dockerfile.contains("pip install -r /tmp/requirements.txt"));
    assert!(!dockerfile.contains("--require-hashes"));
}

#[test]
fn a_locked_path_package_needs_the_source_before_the_install() {
    let temp = poetry_project(
        "[[package]]\nname = \"shop-core\"\nversion = \"0.1\"\nfiles = []\ndevelop = true\n\n[package.source]\ntype = \"directory\"\nurl = \"libs/core\"\n",
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert!(report.plan.install.needs_source);
    assert!(!report.plan.install.hashes);
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    let copy_all = dockerfile.find("COPY . .").unwrap();
    let export = dockerfile.find("poetry export").unwrap();
    assert!(
        copy_all < export,
        "the source must be in place for the path package"
    );
}

#[test]
fn poetry_dependencies_without_a_lock_are_refused() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("pyproject.toml", POETRY_PYPROJECT),
        ],
    );
    let err = init(&options(temp.path(), false), &mut NoPrompts).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`pyproject.toml` lists its dependencies for Poetry but there is no `poetry.lock`; run `poetry lock` so the image installs pinned versions, then run again"
    );
    assert!(!temp.path().join("Dockerfile").exists());
}

#[test]
fn a_malformed_lock_names_the_file_and_line() {
    let temp = poetry_project("[[package]]\nname = \"flask\"\nversion = \n");
    let err = init(&options(temp.path(), false), &mut NoPrompts).unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("failed to parse `poetry.lock` at line 3:")
            && message.ends_with("run `poetry lock` to write it again"),
        "{message}"
    );
}

#[test]
fn pdm_lock_is_exported_with_hashes() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            (
                "pyproject.toml",
                "[project]\nname = \"shop\"\nversion = \"0.1\"\nrequires-python = \">=3.12\"\ndependencies = [\"flask>=3.1\"]\n\n[tool.pdm]\ndistribution = false\n",
            ),
            (
                "pdm.lock",
                "[metadata]\ngroups = [\"default\"]\n\n[[package]]\nname = \"flask\"\nversion = \"3.1.3\"\nfiles = []\n",
            ),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(report.plan.install.kind, flaskdock::plan::InstallKind::Pdm);
    assert_eq!(
        report.plan.install.manifests,
        ["pyproject.toml", "pdm.lock"]
    );
    assert!(report.plan.install.hashes);
    assert!(
        !report.notes.iter().any(|n| n.contains("pdm")),
        "{:?}",
        report.notes
    );
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    let (builder, runtime) = dockerfile.split_once("AS runtime").unwrap();
    assert!(builder.contains("/opt/pdm/bin/pip install pdm==2.29.4"));
    assert!(builder.contains(
        "PDM_PYTHON=/opt/venv/bin/python \\\n    /opt/pdm/bin/pdm export --prod --output /tmp/requirements.txt \\\n    && pip install --require-hashes -r /tmp/requirements.txt"
    ));
    assert!(!runtime.contains("pdm"), "PDM must stay in the builder");
}

#[test]
fn requirements_txt_wins_over_poetry_without_a_lock() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("requirements.txt", "flask==3.1.3\n"),
            (
                "pyproject.toml",
                "[tool.poetry.dependencies]\npython = \"~3.11\"\nflask = \"*\"\n",
            ),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(
        report.plan.install.kind,
        flaskdock::plan::InstallKind::Requirements
    );
    assert_eq!(report.plan.python_version.to_string(), "3.11");
}

#[test]
fn uv_lock_installs_locked_and_compiled_without_the_project() {
    // Without a lock: installed anyway, with a warning that nothing is pinned.
    let (_temp, unlocked) = copy_example("uv-package");
    let report = init(&options(&unlocked, false), &mut NoPrompts).unwrap();
    assert!(
        report.notes.iter().any(
            |n| n.starts_with("warning: uv manages the dependencies but there is no `uv.lock`")
        ),
        "{:?}",
        report.notes
    );
    let (_temp, dir) = copy_example("uv-package");
    std::fs::write(dir.join("uv.lock"), "version = 1\n").unwrap();
    let report = init(&options(&dir, false), &mut NoPrompts).unwrap();
    assert_eq!(report.plan.install.kind, flaskdock::plan::InstallKind::Uv);
    assert!(!report.notes.iter().any(|n| n.contains("no `uv.lock`")));
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("COPY [\"uv.lock\", \"./uv.lock\"]"));
    // --locked: a lock older than pyproject.toml fails the build (--frozen
    // would install it quietly); the dependencies are compiled to bytecode.
    assert!(
        dockerfile.contains("UV_COMPILE_BYTECODE=1 \\\n    /opt/uv/bin/uv sync --locked --no-install-project --no-dev"),
        "{dockerfile}"
    );
}

#[test]
fn of_two_tools_locks_the_one_whose_tool_pyproject_configures_is_used() {
    // A project that moved from Poetry to uv and kept its old lock.
    let (_temp, dir) = copy_example("uv-package");
    std::fs::write(dir.join("uv.lock"), "version = 1\n").unwrap();
    std::fs::write(
        dir.join("poetry.lock"),
        "[[package]]\nname = \"flask\"\nversion = \"1.0\"\n",
    )
    .unwrap();
    let facts = inspect::inspect(&dir).unwrap();
    assert_eq!(
        facts.dependency_manager.value,
        flaskdock::inspect::DependencyManager::Uv
    );
    let source = facts.dependency_manager.source.described();
    assert!(source.contains("poetry.lock not used"), "{source}");
    // Without the tool's table the fixed order still decides.
    let toml = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    std::fs::write(
        dir.join("pyproject.toml"),
        toml.replace("[tool.uv]\npackage = true\n", ""),
    )
    .unwrap();
    let facts = inspect::inspect(&dir).unwrap();
    assert_eq!(
        facts.dependency_manager.value,
        flaskdock::inspect::DependencyManager::Poetry
    );
}

#[test]
fn malformed_pyproject_is_an_error_naming_file_and_line() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("pyproject.toml", "[project]\nname = \n"),
        ],
    );
    let err = init(&options(temp.path(), false), &mut NoPrompts).unwrap_err();
    let message = format!("{err:#}");
    assert!(
        message.starts_with("failed to parse `pyproject.toml` at line 2"),
        "{message}"
    );
}

#[test]
fn flaskenv_names_the_app_and_the_port() {
    let (_temp, dir) = copy_example("src-layout-flaskenv");
    let report = init(&options(&dir, false), &mut NoPrompts).unwrap();
    assert_eq!(report.plan.entry, "notes:create_app()");
    assert_eq!(report.plan.pythonpath.as_deref(), Some("src"));
    assert_eq!(report.plan.port, 5001);
    assert_eq!(report.plan.prefixed_env.as_deref(), Some("FLASK"));
    assert_eq!(
        report.answers.sources[2].1.file.as_deref(),
        Some(".flaskenv")
    );
    assert!(
        report.notes.iter().any(|n| n.contains("SQLite")),
        "{:?}",
        report.notes
    );
}

#[test]
fn dot_env_flask_app_wins_over_flaskenv_and_nothing_else_is_kept() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("wsgi.py", "from app import app as application\n"),
            (".flaskenv", "FLASK_APP=app:app\nFLASK_RUN_PORT=5001\n"),
            (
                ".env",
                "SECRET_KEY=s3cr3t-from-dotenv\nFLASK_APP=wsgi:application\n",
            ),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(report.plan.entry, "wsgi:application");
    assert_eq!(report.answers.sources[2].1.to_string(), ".env:2");
    assert_eq!(
        report.plan.port, 5001,
        "the port still comes from .flaskenv"
    );
    for file in [
        "Dockerfile",
        "docker-compose.yml",
        ".env.example",
        ".flaskdock.toml",
    ] {
        let text = std::fs::read_to_string(temp.path().join(file)).unwrap();
        assert!(
            !text.contains("s3cr3t-from-dotenv"),
            "{file} has a .env value"
        );
    }
}

#[test]
fn gunicorn_config_gives_the_port_and_daemon_is_flagged() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            (
                "app.py",
                "from flask import Flask\napp = Flask(__name__)\napp.run(port=5000)\n",
            ),
            (
                "gunicorn.conf.py",
                "bind = ['127.0.0.1:9000']\ndaemon = True\n",
            ),
        ],
    );
    let project = inspect::inspect(temp.path()).unwrap();
    assert_eq!(
        project
            .port
            .as_ref()
            .map(|p| (p.value, p.source.to_string())),
        Some((9000, "gunicorn.conf.py:1".to_string()))
    );
    assert!(
        project
            .warnings
            .iter()
            .any(|w| w.starts_with("gunicorn.conf.py:2: `daemon = True`")),
        "{:?}",
        project.warnings
    );
    // In a branch the environment picks, at any depth.
    std::fs::write(
        temp.path().join("gunicorn.conf.py"),
        "import os\nMODE = os.environ.get('MODE')\nif MODE is None:\n    reload = True\nelif MODE == 'production':\n    if True:\n        daemon = True\n",
    )
    .unwrap();
    let project = inspect::inspect(temp.path()).unwrap();
    assert!(
        project.warnings.iter().any(|w| w.starts_with(
            "gunicorn.conf.py:7: `daemon = True` makes the container exit at once where that branch runs"
        )),
        "{:?}",
        project.warnings
    );
}

#[test]
fn tool_versions_declares_python() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            (".tool-versions", "nodejs 20.1.0\npython 3.11.9\n"),
        ],
    );
    let project = inspect::inspect(temp.path()).unwrap();
    let python = project.python_version.unwrap();
    assert_eq!(
        (python.value.to_string(), python.source.to_string()),
        ("3.11".to_string(), ".tool-versions:2".to_string())
    );
}

#[test]
fn migrations_run_once_in_a_migrate_service_or_before_gunicorn_without_a_database() {
    let (_temp, dir) = copy_example("migrate-postgres");
    let report = init(&options(&dir, false), &mut NoPrompts).unwrap();
    assert_eq!(report.plan.migrations.as_deref(), Some("flask db upgrade"));
    assert!(report.plan.migrate_service);
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("ENV FLASK_APP=wsgi:app\n"));
    // With a `db` service, replicas never migrate: the one-shot service does.
    let cmd = dockerfile.lines().find(|l| l.starts_with("CMD ")).unwrap();
    assert!(!cmd.contains("flask db upgrade"), "{cmd}");
    assert!(
        cmd.starts_with(
            r#"CMD ["sh", "-c", "if [ -z \"${WEB_CONCURRENCY:-}\" ]; then cpus=$(nproc); "#
        ),
        "{cmd}"
    );
    assert!(
        cmd.contains(r#"export WEB_CONCURRENCY; fi; exec \"$@\"", "sh", "gunicorn", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", "--threads", "8", "#),
        "{cmd}"
    );
    let compose = std::fs::read_to_string(dir.join("docker-compose.yml")).unwrap();
    assert!(
        compose.contains("  migrate:\n")
            && compose.contains(r#"    command: ["flask", "db", "upgrade"]"#),
        "{compose}"
    );
    assert!(
        compose.contains("      migrate:\n        condition: service_completed_successfully\n"),
        "{compose}"
    );

    // SQLite: the database is a file of web's own container, so web migrates.
    let sqlite = tempfile::tempdir().unwrap();
    write_tree(
        sqlite.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            (
                "requirements.txt",
                "flask\nflask-migrate\nflask-sqlalchemy\n",
            ),
            ("migrations/env.py", ""),
        ],
    );
    let report = init(&options(sqlite.path(), false), &mut NoPrompts).unwrap();
    assert!(!report.plan.migrate_service);
    let dockerfile = std::fs::read_to_string(sqlite.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains(r#"export WEB_CONCURRENCY; fi; flask db upgrade && exec \"$@\""#),
        "{dockerfile}"
    );
    let compose = std::fs::read_to_string(sqlite.path().join("docker-compose.yml")).unwrap();
    assert!(!compose.contains("migrate:"), "{compose}");

    let mut off = options(&dir, false);
    off.flags.migrate = Some(false);
    off.mode = Mode::Write { force: true };
    let report = init(&off, &mut NoPrompts).unwrap();
    assert_eq!(report.plan.migrations, None);
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(!dockerfile.contains("flask db upgrade"));
    assert!(
        std::fs::read_to_string(dir.join(".flaskdock.toml"))
            .unwrap()
            .contains("migrate = false")
    );
}

#[test]
fn constraints_files_are_copied_but_install_nothing() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("requirements.txt", "-c constraints.txt\nflask\n"),
            ("constraints.txt", "psycopg2==2.9.13\n"),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(
        report.plan.install.manifests,
        ["requirements.txt", "constraints.txt"]
    );
    assert!(
        report.plan.build_packages.is_empty(),
        "a constraint is not a dependency"
    );
    assert!(report.plan.database.is_none());
}

#[test]
fn celery_with_redis_gets_a_worker_and_a_redis_service() {
    let (_temp, dir) = copy_example("celery-redis");
    let report = init(&options(&dir, false), &mut NoPrompts).unwrap();
    assert_eq!(
        report.plan.worker.as_ref().map(|w| w.app.as_str()),
        Some("tasks:celery_app")
    );
    assert!(report.plan.redis.is_some());
    let compose = std::fs::read_to_string(dir.join("docker-compose.yml")).unwrap();
    assert!(compose.contains("command: [\"celery\", \"--app\", \"tasks:celery_app\", \"worker\""));
    assert!(
        compose.contains("test: [\"CMD\", \"redis-cli\", \"ping\"]")
            && compose.contains("redis-data:/data")
    );
    let env = std::fs::read_to_string(dir.join(".env.example")).unwrap();
    assert!(
        env.contains("CELERY_BROKER_URL=redis://redis:6379/0"),
        "{env}"
    );
    assert!(!env.contains("localhost"));
}

#[test]
fn celery_without_redis_gets_no_worker() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            (
                "worker.py",
                "from celery import Celery\nq = Celery('w', broker='amqp://guest@rabbit//')\n",
            ),
            ("requirements.txt", "flask\ncelery\n"),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert!(report.plan.redis.is_none() && report.plan.worker.is_none());
    assert_eq!(
        report.project.celery.as_ref().map(|c| c.value.as_str()),
        Some("worker:q")
    );
}

#[test]
fn pdm_projects_without_a_lock_install_project_dependencies_and_say_so() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            (
                "pyproject.toml",
                "[project]\nname = \"x\"\nversion = \"1\"\ndependencies = [\"flask>=3\"]\n\n[tool.pdm]\ndistribution = false\n",
            ),
        ],
    );
    let project = inspect::inspect(temp.path()).unwrap();
    assert_eq!(
        project.dependency_manager.value,
        inspect::DependencyManager::Pdm
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(
        report.plan.install.kind,
        flaskdock::plan::InstallKind::Pyproject
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("there is no `pdm.lock`") && n.contains("run `pdm lock`")),
        "{:?}",
        report.notes
    );
}

#[test]
fn mysql_drivers_and_urls_choose_the_mysql_service() {
    let by_driver = tempfile::tempdir().unwrap();
    write_tree(
        by_driver.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("requirements.txt", "flask\nPyMySQL==1.2.4\nSQLAlchemy\n"),
        ],
    );
    let report = init(&options(by_driver.path(), false), &mut NoPrompts).unwrap();
    let database = report.plan.database.as_ref().expect("a database");
    assert_eq!(database.kind, flaskdock::services::Database::MYSQL);
    assert_eq!(database.url, "mysql+pymysql://app:change-me@db:3306/app");
    assert!(
        report.plan.build_packages.is_empty(),
        "PyMySQL is pure Python"
    );
    // MySQL 8 logs PyMySQL in with caching_sha2_password, which needs cryptography.
    let dockerfile = std::fs::read_to_string(by_driver.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile
            .contains("pip install -r requirements.txt gunicorn==27.0.1 cryptography==50.0.2\n"),
        "{dockerfile}"
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.starts_with("the image installs `cryptography==50.0.2`: PyMySQL needs it")),
        "{:?}",
        report.notes
    );
    write_tree(
        by_driver.path(),
        &[(
            "requirements.txt",
            "flask\nPyMySQL==1.2.4\ncryptography==46.0.3\nSQLAlchemy\n",
        )],
    );
    let mut forced = options(by_driver.path(), false);
    forced.mode = Mode::Write { force: true };
    let report = init(&forced, &mut NoPrompts).unwrap();
    assert!(report.plan.driver_requirements.is_empty());

    let by_url = tempfile::tempdir().unwrap();
    write_tree(
        by_url.path(),
        &[(
            "app.py",
            "from flask import Flask\napp = Flask(__name__)\nURL = 'mysql://root@localhost/shop'\n",
        )],
    );
    // A URL alone is no service: without a driver the app could not reach it.
    let project = inspect::inspect(by_url.path()).unwrap();
    assert!(project.database.is_none());
    assert!(
        project.warnings.iter().any(|w| w
            == "app.py:3 names a MySQL URL, but no MySQL driver is in the dependencies, so no `db` service is written: add one (mysqlclient or pymysql) and re-run, or pass `--db mysql`"),
        "{:?}",
        project.warnings
    );
    let report = init(&options(by_url.path(), false), &mut NoPrompts).unwrap();
    assert!(report.plan.database.is_none());
    let compose = std::fs::read_to_string(by_url.path().join("docker-compose.yml")).unwrap();
    assert!(!compose.contains("  db:"), "{compose}");
}

#[test]
fn postgres_wins_when_both_drivers_are_listed() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("requirements.txt", "flask\npymysql\npsycopg2-binary\n"),
        ],
    );
    let project = inspect::inspect(temp.path()).unwrap();
    assert_eq!(
        project.database.unwrap().value,
        flaskdock::services::Database::POSTGRES
    );
}

#[test]
fn a_module_that_only_calls_a_factory_defined_elsewhere_is_still_read() {
    // `serve.py` names neither Flask nor the environment: inspection parses it
    // only once it knows `build` is a factory.
    let entries = entry_of(&[
        ("shop/__init__.py", ""),
        (
            "shop/factory.py",
            "from flask import Flask\n\ndef build():\n    return Flask(__name__)\n",
        ),
        (
            "serve.py",
            "from shop.factory import build\n\napplication = build()\n",
        ),
        (
            "shop/views.py",
            "from flask import Blueprint\nbp = Blueprint('v', __name__)\n",
        ),
    ]);
    assert_eq!(entries[0], "serve:application", "{entries:?}");
}

#[test]
fn a_port_and_prefixed_env_set_outside_the_app_module_are_found() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            (
                "shop/__init__.py",
                "from flask import Flask\napp = Flask(__name__)\n",
            ),
            (
                "shop/settings.py",
                "def configure(app):\n    app.config.from_prefixed_env('SHOP')\n",
            ),
            ("dev.py", "from shop import app\napp.run(port=5050)\n"),
        ],
    );
    let project = inspect::inspect(temp.path()).unwrap();
    assert_eq!(project.port.map(|p| p.value), Some(5050));
    assert_eq!(
        project.prefixed_env.map(|p| p.value).as_deref(),
        Some("SHOP")
    );
}

#[test]
fn a_package_that_re_exports_its_app_offers_the_shorter_target() {
    let entries = entry_of(&[
        ("page_analyzer/__init__.py", "from .app import app\n"),
        (
            "page_analyzer/app.py",
            "from flask import Flask\napp = Flask(__name__)\n",
        ),
    ]);
    assert_eq!(entries, ["page_analyzer:app", "page_analyzer.app:app"]);

    let factories = entry_of(&[
        (
            "shop/__init__.py",
            "from shop.factory import create_app as make\n",
        ),
        (
            "shop/factory.py",
            "from flask import Flask\ndef create_app():\n    return Flask(__name__)\n",
        ),
    ]);
    assert_eq!(factories[0], "shop:make()", "{factories:?}");
}

#[test]
fn a_plugin_that_imports_the_app_of_another_package_is_no_target() {
    // A plugin under docs/ uses the app; it does not serve it.
    let entries = entry_of(&[
        (
            "notes/__init__.py",
            "from flask import Flask\nimport os\napp = Flask(__name__)\nos.makedirs('data', exist_ok=True)\n",
        ),
        (
            "docs/example-plugin/notes_tags/__init__.py",
            "import click\nfrom notes import app\n",
        ),
    ]);
    assert_eq!(entries, ["notes:app"]);
}

#[test]
fn a_requirements_file_that_installs_the_project_brings_its_declared_dependencies() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("requirements.txt", "-e .[worker]\n"),
            ("setup.py", "from setuptools import setup\nsetup()\n"),
            (
                "setup.cfg",
                "[options]\ninstall_requires =\n    flask==3.1.0\n    psycopg[binary]==3.2.1\n\n[options.extras_require]\nworker =\n    gevent==24.2.1\ntest =\n    pymysql\n",
            ),
            (
                "shop/__init__.py",
                "from flask import Flask\napp = Flask(__name__)\n",
            ),
        ],
    );
    let project = inspect::inspect(temp.path()).unwrap();
    let names: Vec<&str> = project.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["flask", "psycopg", "gevent"]);
    let database = project.database.expect("the driver setup.cfg declares");
    assert_eq!(database.source.to_string(), "setup.cfg:4");
}

#[test]
fn facts_from_kept_and_dropped_syntax_trees_merge_in_path_order() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            // No app here: read for its facts, its syntax tree dropped.
            (
                "config.py",
                "import os\nTIMEOUT = os.environ.get('TIMEOUT', '30')\n",
            ),
            (
                "wsgi.py",
                "import os\nfrom flask import Flask\napp = Flask(__name__)\nos.environ['TIMEOUT']\n",
            ),
        ],
    );
    let project = inspect::inspect(temp.path()).unwrap();
    let timeout = project
        .env_vars
        .iter()
        .find(|v| v.name == "TIMEOUT")
        .unwrap();
    assert!(timeout.required, "wsgi.py reads it without a default");
    assert_eq!(timeout.default.as_deref(), Some("30"));
    assert_eq!(timeout.source.to_string(), "config.py:2");
    assert_eq!(project.entries[0].target, "wsgi:app");
}

#[test]
fn old_binary_pins_choose_a_python_they_have_wheels_for() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            (
                "requirements.txt",
                "Flask==2.0.3\npsycopg2-binary==2.8.6\nnumpy==1.23.5\n",
            ),
        ],
    );
    let project = inspect::inspect(temp.path()).unwrap();
    let python = project.python_version.as_ref().unwrap();
    assert_eq!(python.value, "3.9");
    assert_eq!(
        python.source.described(),
        "requirements.txt:2 (psycopg2-binary==2.8.6 has wheels up to Python 3.9)"
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(report.plan.python_version.to_string(), "3.9");
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("ARG PYTHON_VERSION=3.9\n"));
}

#[test]
fn a_declared_python_newer_than_a_locked_wheel_is_kept_with_a_warning() {
    let temp = poetry_project(
        "[[package]]\nname = \"flask\"\nversion = \"3.1.3\"\nfiles = []\n\n[[package]]\nname = \"numpy\"\nversion = \"1.21.0\"\nfiles = []\n",
    );
    let project = inspect::inspect(temp.path()).unwrap();
    let python = project.python_version.as_ref().unwrap().value;
    assert_eq!(python, "3.14");
    assert_eq!(
        project.on_python(python).warnings,
        [
            "poetry.lock:7: numpy==1.21.0 has wheels up to Python 3.9, not 3.14: pip compiles it from source in the image, or fails; upgrade the pin or choose an older Python (`--python 3.9`)"
        ],
    );
}

#[test]
fn the_build_packages_follow_the_python_chosen_not_the_one_declared() {
    // lxml 5.2.2 has wheels up to 3.12: on 3.13 pip compiles it, with headers.
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("requirements.txt", "flask==3.0.3\nlxml==5.2.2\n"),
            (".python-version", "3.12\n"),
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(report.plan.python_version, "3.12");
    assert!(
        report.plan.build_packages.is_empty(),
        "{:?}",
        report.plan.build_packages
    );

    let mut flagged = options(temp.path(), false);
    flagged.flags.python = Some("3.13".parse().unwrap());
    flagged.mode = Mode::Write { force: true };
    let report = init(&flagged, &mut NoPrompts).unwrap();
    assert_eq!(report.plan.python_version, "3.13");
    assert_eq!(
        report.plan.build_packages,
        ["gcc", "libxml2-dev", "libxslt1-dev"]
    );
    assert_eq!(report.plan.runtime_packages, ["libxml2", "libxslt1.1"]);
    assert!(
        report.notes.iter().any(|n| n.starts_with(
            "warning: requirements.txt:2: lxml==5.2.2 has wheels up to Python 3.12, not 3.13"
        )),
        "{:?}",
        report.notes
    );
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile
            .contains("apt-get install -y --no-install-recommends gcc libxml2-dev libxslt1-dev")
    );
    // The saved answer keeps the choice, and with it the packages.
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(report.plan.python_version, "3.13");
    assert_eq!(
        report.plan.build_packages,
        ["gcc", "libxml2-dev", "libxslt1-dev"]
    );
}

#[test]
fn pipfile_lock_is_exported_with_hashes_unless_a_package_has_none() {
    let pipfile = "[packages]\nflask = \"==3.1.3\"\nshared = {git = \"https://git.example.com/shared.git\"}\n";
    let hashed = "{\n  \"default\": {\n    \"flask\": {\n      \"hashes\": [\"sha256:aa\"],\n      \"version\": \"==3.1.3\"\n    },\n    \"numpy\": {\n      \"hashes\": [\"sha256:bb\"],\n      \"version\": \"==1.21.0\"\n    }\n  }\n}\n";
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("Pipfile", pipfile),
            ("Pipfile.lock", hashed),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(
        report.plan.install.kind,
        flaskdock::plan::InstallKind::Pipenv
    );
    assert!(report.plan.install.hashes);
    // The lock's pin of numpy 1.21.0 (wheels up to 3.9) chose the Python.
    assert_eq!(report.plan.python_version.to_string(), "3.9");
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    assert!(dockerfile.contains(
        "pipenv requirements --hash > /tmp/requirements.txt \\\n    && pip install --require-hashes -r /tmp/requirements.txt"
    ));

    let with_git = hashed.replace(
        "\"numpy\": {\n      \"hashes\": [\"sha256:bb\"],\n      \"version\": \"==1.21.0\"\n    }",
        "\"shared\": {\n      \"git\": \"https://git.example.com/shared.git\",\n      \"ref\": \"abc\"\n    }",
    );
    std::fs::write(temp.path().join("Pipfile.lock"), with_git).unwrap();
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert!(!report.plan.install.hashes);
    assert!(
        report.notes.iter().any(|n| n.contains("`shared` from git")),
        "{:?}",
        report.notes
    );
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("pipenv requirements > /tmp/requirements.txt \\\n    && pip install -r /tmp/requirements.txt"));

    std::fs::write(
        temp.path().join("Pipfile.lock"),
        "{\n  \"default\": {\n    \"flask\": \n",
    )
    .unwrap();
    let err = init(&options(temp.path(), false), &mut NoPrompts).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("failed to parse `Pipfile.lock` at line 4:")
            && err
                .to_string()
                .ends_with("run `pipenv lock` to write it again"),
        "{err}"
    );
}

#[test]
fn a_launcher_that_starts_its_own_server_is_named_in_a_warning() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            (
                "serve.py",
                "from gevent.pywsgi import WSGIServer\nfrom app import app\n\ndef main():\n    WSGIServer(('0.0.0.0', 8083), app).serve_forever()\n",
            ),
        ],
    );
    let project = inspect::inspect(temp.path()).unwrap();
    assert!(
        project.warnings.iter().any(|w| w.starts_with(
            "serve.py:5: the project starts its own server (WSGIServer); the image runs gunicorn on `app:app` instead"
        )),
        "{:?}",
        project.warnings
    );
}

#[test]
fn pages_only_the_launcher_registers_are_reported_with_the_command_that_runs_it() {
    // The factory makes a bare app; the launcher's `main()` adds the pages and
    // serves them itself: gunicorn on the factory would answer 404.
    let files = [
        (
            "shop/__init__.py",
            "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n",
        ),
        (
            "shop/main.py",
            "from gevent.pywsgi import WSGIServer\nfrom . import create_app\nfrom .views import web\n\ndef main():\n    app = create_app()\n    app.register_blueprint(web)\n    WSGIServer(('0.0.0.0', 8083), app).serve_forever()\n",
        ),
        (
            "shop/views.py",
            "from flask import Blueprint\nweb = Blueprint('web', __name__)\n@web.route('/')\ndef index():\n    return 'ok'\n",
        ),
        (
            "run.py",
            "from shop.main import main\n\nif __name__ == '__main__':\n    main()\n",
        ),
        ("requirements.txt", "flask\ngevent\n"),
    ];
    let (temp, report) = init_tree(&files);
    assert!(
        report.project.warnings.iter().any(|w| w.starts_with(
            "shop/main.py:5: `main()` registers the app's pages on the app `create_app()` makes, and only the project's own launcher runs it (it serves with WSGIServer, shop/main.py:8): gunicorn on `shop:create_app()` would answer 404 for them; so the image runs the launcher, as the project does: `python run.py` (run.py)"
        )),
        "{:?}",
        report.project.warnings
    );
    // The image runs the launcher, and README.Docker.md says why.
    let read = |temp: &tempfile::TempDir, file: &str| {
        std::fs::read_to_string(temp.path().join(file)).unwrap()
    };
    assert!(
        read(&temp, "Dockerfile").contains("\nCMD [\"python\", \"run.py\"]\n"),
        "{}",
        read(&temp, "Dockerfile")
    );
    let readme = read(&temp, "README.Docker.md");
    for expected in [
        "The project's own launcher (below) serves it on port",
        "**The app's pages need the project's own launcher.** `main()`",
        "So the image runs the launcher as the project does\n(run.py): `python run.py`.",
    ] {
        assert!(readme.contains(expected), "{expected}\n{readme}");
    }
    // gunicorn neither installed nor described: the launcher serves.
    let dockerfile = read(&temp, "Dockerfile");
    assert!(!dockerfile.contains("gunicorn=="), "{dockerfile}");
    let env = read(&temp, ".env.example");
    assert!(!env.contains("WEB_CONCURRENCY"), "{env}");
    assert!(!env.contains("FORWARDED_ALLOW_IPS"), "{env}");
    assert!(!readme.contains("gunicorn starts one worker"), "{readme}");

    // The project's Procfile says how it starts: that command, with the
    // plain folder it names made the app user's, and a system one only named.
    let mut declared = files.to_vec();
    declared.push((
        "Procfile",
        "web: python ./run.py --data /data --config /etc/shop.cfg\n",
    ));
    let (temp, _) = init_tree(&declared);
    let dockerfile = read(&temp, "Dockerfile");
    for expected in [
        "CMD [\"python\", \"./run.py\", \"--data\", \"/data\", \"--config\", \"/etc/shop.cfg\"]",
        "RUN mkdir -p /app/instance /data \\",
        "VOLUME [\"/app/instance\", \"/data\"]",
    ] {
        assert!(dockerfile.contains(expected), "{expected}\n{dockerfile}");
    }
    let compose = read(&temp, "docker-compose.yml");
    assert!(compose.contains("      - \"data:/data\"\n"), "{compose}");
    let readme = read(&temp, "README.Docker.md");
    assert!(
        readme.contains("The launcher's command names `/etc/shop.cfg`, outside `/app`"),
        "{readme}"
    );

    // No command found: gunicorn stays, and the README says what to do.
    let unlaunched: Vec<(&str, &str)> = files
        .iter()
        .filter(|(p, _)| *p != "run.py")
        .copied()
        .collect();
    let (temp, _) = init_tree(&unlaunched);
    assert!(read(&temp, "Dockerfile").contains("\"gunicorn\", \"--bind\""));
    let readme = read(&temp, "README.Docker.md");
    assert!(
        readme.contains("would answer 404. Start the app the way the project's own\nlauncher does"),
        "{readme}"
    );

    // A console script into the launcher's module runs it: by its name where
    // the image installs the project, else as what the script runs. A name a
    // shell would read as more than a word is not one.
    let scripts = "[project]\nname = \"shop\"\nversion = \"1.0\"\ndependencies = [\"flask\", \"gevent\"]\n\n[project.scripts]\n\"shop;reboot\" = \"shop.main:main\"\nshop-serve = \"shop.main:main\"\n";
    let mut console = unlaunched.clone();
    console.retain(|(p, _)| *p != "requirements.txt");
    console.push(("pyproject.toml", scripts));
    let installed = format!(
        "{scripts}\n[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n"
    );
    let mut packaged = unlaunched.clone();
    packaged.retain(|(p, _)| *p != "requirements.txt");
    packaged.push(("pyproject.toml", &installed));
    for (tree, cmd) in [
        (
            &console,
            "CMD [\"sh\", \"-c\", \"python -c 'import sys; from shop.main import main; sys.exit(main())'\"]",
        ),
        (&packaged, "CMD [\"shop-serve\"]"),
    ] {
        let (temp, report) = init_tree(tree);
        let dockerfile = read(&temp, "Dockerfile");
        assert!(dockerfile.contains(cmd), "{cmd}\n{dockerfile}");
        let command = report
            .project
            .launcher
            .as_ref()
            .and_then(|l| l.command.as_ref())
            .unwrap();
        assert_eq!(command.source.to_string(), "pyproject.toml:8");
    }

    // With the pages registered in the factory, the launcher may set up
    // something else: the README says so without the 404.
    let mut registered = files.to_vec();
    registered[0].1 = "from flask import Flask\nfrom .views import web\n\ndef create_app():\n    app = Flask(__name__)\n    app.register_blueprint(web)\n    return app\n";
    registered[1].1 = "from gevent.pywsgi import WSGIServer\nfrom . import create_app\n\ndef main():\n    WSGIServer(('0.0.0.0', 8083), create_app()).serve_forever()\n";
    let (temp, _) = init_tree(&registered);
    assert!(read(&temp, "Dockerfile").contains("\"gunicorn\", \"--bind\""));
    let readme = read(&temp, "README.Docker.md");
    assert!(!readme.contains("answer 404"), "{readme}");
    for expected in [
        "The project starts its own server (WSGIServer, shop/main.py:5)",
        "If the app fails for want of it, run the launcher instead",
        "docker compose run --service-ports web python run.py\n",
        "    command: [\"python\", \"run.py\"]\n",
    ] {
        assert!(readme.contains(expected), "{expected}\n{readme}");
    }
}

#[test]
fn websocket_extensions_choose_gunicorns_worker() {
    let worker = |requirements: &str| {
        let temp = tempfile::tempdir().unwrap();
        write_tree(
            temp.path(),
            &[
                (
                    "app.py",
                    "from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    socketio.run(app)\n",
                ),
                ("requirements.txt", requirements),
            ],
        );
        let project = inspect::inspect(temp.path()).unwrap();
        // `socketio.run` under `__main__` is Flask-SocketIO's development server,
        // like `app.run`: no launcher warning.
        assert!(
            !project.warnings.iter().any(|w| w.contains("own server")),
            "{:?}",
            project.warnings
        );
        project
            .worker
            .map(|w| (w.value.class, w.value.threads, w.value.single_process))
    };
    assert_eq!(worker("flask\n"), None);
    assert_eq!(
        worker("flask\nflask-socketio\neventlet\n"),
        Some(("eventlet".into(), None, true))
    );
    assert_eq!(
        worker("flask\nflask-socketio\ngevent\ngevent-websocket\n"),
        Some((
            "geventwebsocket.gunicorn.workers.GeventWebSocketWorker".into(),
            None,
            true
        ))
    );
    assert_eq!(
        worker("flask\nflask-socketio\nsimple-websocket\n"),
        Some(("gthread".into(), Some(100), true))
    );
    assert_eq!(
        worker("flask\nflask-sock\n"),
        Some(("gthread".into(), Some(100), false))
    );

    let (_temp, dir) = copy_example("socketio-board");
    init(&options(&dir, false), &mut NoPrompts).unwrap();
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    // One process, so no worker count from the CPUs: gunicorn is the command itself.
    assert!(
        dockerfile.contains(
            r#"CMD ["gunicorn", "--bind", "0.0.0.0:5000", "--worker-class", "gevent", "--workers", "1", "--worker-tmp-dir", "/dev/shm", "--timeout", "30", "--graceful-timeout", "30", "--keep-alive", "5", "--access-logfile", "-", "app:app"]"#
        ),
        "{dockerfile}"
    );
}

#[test]
fn a_python_range_nothing_supported_satisfies_is_ignored_with_a_warning() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("setup.cfg", "[options]\npython_requires = <3.0\n"),
        ],
    );
    let project = inspect::inspect(temp.path()).unwrap();
    assert!(project.python_version.is_none());
    assert!(
        project
            .warnings
            .iter()
            .any(|w| w == "setup.cfg:2: no supported Python matches `<3.0`; ignored"),
        "{:?}",
        project.warnings
    );
}

fn inspect_tree(files: &[(&str, &str)]) -> inspect::Project {
    let temp = tempfile::tempdir().unwrap();
    write_tree(temp.path(), files);
    inspect::inspect(temp.path()).unwrap()
}

const PACKAGE_FACTORY: &str = "from flask import Flask\n\ndef create_app(config_name):\n    app = Flask(__name__)\n    app.config['NAME'] = config_name\n    return app\n";

#[test]
fn a_module_level_app_made_by_a_factory_with_arguments_is_the_target() {
    // The module names neither Flask nor the environment's usual words: it is
    // read because it calls a function that builds the app.
    let project = inspect_tree(&[
        ("shop/__init__.py", PACKAGE_FACTORY),
        (
            "site.py",
            "import os\nfrom shop import create_app\n\napp = create_app(os.getenv('SHOP_CONFIG') or 'default')\n",
        ),
    ]);
    assert_eq!(project.entries[0].target, "site:app");
    // A factory that needs its argument is not offered as `shop:create_app()`.
    assert!(
        project
            .entries
            .iter()
            .all(|e| e.target != "shop:create_app()"),
        "{:?}",
        project.entries
    );
}

#[test]
fn a_factory_reached_through_helpers_is_found() {
    let project = inspect_tree(&[(
        "shop/__init__.py",
        "from flask import Flask\n\ndef _from_config(cfg):\n    return Flask(__name__)\n\ndef _configured():\n    app = _from_config({})\n    return app\n\ndef create_app():\n    return _configured()\n",
    )]);
    assert_eq!(project.entries[0].target, "shop:create_app()");
}

#[test]
fn teaching_copies_under_examples_never_win_over_the_project_app() {
    let copy = "from flask import Flask\napp = Flask(__name__)\napp.run(port=5005)\n";
    let project = inspect_tree(&[
        (
            "main.py",
            "from flask import Flask\nAPP = Flask(__name__)\n",
        ),
        ("examples/basic/app.py", copy),
        ("docs/tutorial/wsgi.py", copy),
    ]);
    assert_eq!(project.entries[0].target, "main:APP");
    assert_eq!(project.entries[0].import_root, "");
}

#[test]
fn modules_that_do_work_at_import_are_not_the_web_target() {
    let project = inspect_tree(&[
        (
            "shop/__init__.py",
            "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n",
        ),
        // A cron script: it makes an app to get a context, runs, and exits.
        (
            "cron.py",
            "import sys\nfrom shop import create_app\napp = create_app()\nprune(app)\nsys.exit(0)\n",
        ),
        // A Celery module: a bare app for the worker.
        (
            "app.py",
            "from celery import Celery\nfrom shop import create_app\napp = create_app()\ncelery = Celery(app.name)\n",
        ),
    ]);
    assert_eq!(project.entries[0].target, "shop:create_app()");
}

#[test]
fn a_module_python_cannot_import_is_not_the_web_target() {
    // Python 2's `print` statement: the file does not compile, though the
    // app assignment around it parses.
    let project = inspect_tree(&[
        (
            "wsgi.py",
            "from flask import Flask\napp = Flask(__name__)\nprint \"ready\"\n",
        ),
        (
            "site/__init__.py",
            "from flask import Flask\napp = Flask(__name__)\n",
        ),
    ]);
    let targets: Vec<&str> = project.entries.iter().map(|e| e.target.as_str()).collect();
    assert_eq!(targets, ["site:app", "wsgi:app"]);
    // The only candidate is still offered (with the syntax error warned of).
    let alone = inspect_tree(&[(
        "wsgi.py",
        "from flask import Flask\napp = Flask(__name__)\nprint \"ready\"\n",
    )]);
    assert_eq!(alone.entries[0].target, "wsgi:app");
    assert!(
        alone.warnings.iter().any(|w| w.starts_with(
            "wsgi.py: the app's module has a syntax error (above), so Python cannot import it"
        )),
        "{:?}",
        alone.warnings
    );
    assert!(
        !project
            .warnings
            .iter()
            .any(|w| w.contains("the app's module has a syntax error")),
        "{:?}",
        project.warnings
    );
}

#[test]
fn a_sibling_apps_server_does_not_give_the_port() {
    // Two services in one repository, each in its own folder: the port is
    // the chosen app's (Flask's default), not the one the other app runs on.
    let project = inspect_tree(&[
        (
            "api/service.py",
            "from flask import Flask\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(port=5002)\n",
        ),
        (
            "web/wsgi.py",
            "from flask import Flask\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(host='0.0.0.0')\n",
        ),
    ]);
    assert_eq!(project.entries[0].target, "wsgi:app");
    let port = project.port.unwrap();
    assert_eq!(
        (port.value, port.source.to_string()),
        (5000, "web/wsgi.py:5".to_string())
    );
    // With nothing in its own folder, the other app's port is still better
    // than none.
    let project = inspect_tree(&[
        (
            "api/service.py",
            "from flask import Flask\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(port=5002)\n",
        ),
        (
            "web/wsgi.py",
            "from flask import Flask\napp = Flask(__name__)\n",
        ),
    ]);
    assert_eq!(project.port.map(|p| p.value), Some(5002));
}

#[test]
fn flasks_own_development_server_gives_its_default_port() {
    let port_of = |files: &[(&str, &str)]| {
        inspect_tree(files)
            .port
            .map(|p| (p.value, p.source.to_string()))
    };
    // `app.run()` with no port, on the project's app: Flask's 5000.
    assert_eq!(
        port_of(&[(
            "app.py",
            "from flask import Flask\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(debug=True)\n",
        )]),
        Some((5000, "app.py:5".to_string()))
    );
    // A `FlaskGroup` CLI, bound by assignment or by decorator, runs `flask run`.
    let package = (
        "shop/__init__.py",
        "from flask import Flask\napp = Flask(__name__)\n",
    );
    assert_eq!(
        port_of(&[
            package,
            (
                "manage.py",
                "from flask.cli import FlaskGroup\nfrom shop import app\ncli = FlaskGroup(app)\n\nif __name__ == '__main__':\n    cli()\n",
            ),
        ]),
        Some((5000, "manage.py:6".to_string()))
    );
    assert_eq!(
        port_of(&[
            package,
            (
                "manage.py",
                "import click\nfrom flask.cli import FlaskGroup\n\n@click.group(cls=FlaskGroup)\ndef cli():\n    pass\n\nif __name__ == '__main__':\n    cli()\n",
            ),
        ]),
        Some((5000, "manage.py:9".to_string()))
    );
    // A `run()` of something else, a call outside the main block, or a
    // `socketio.run(app)` is not Flask's server: no port is claimed.
    for code in [
        "from flask import Flask\nimport threading\napp = Flask(__name__)\nworker = threading.Thread()\nif __name__ == '__main__':\n    worker.run()\n",
        "from flask import Flask\napp = Flask(__name__)\napp.run()\n",
        "from flask import Flask\nfrom flask_socketio import SocketIO\napp = Flask(__name__)\nsocketio = SocketIO(app)\nif __name__ == '__main__':\n    socketio.run(app)\n",
    ] {
        assert_eq!(port_of(&[("app.py", code)]), None, "{code}");
    }
    // Any port the project states wins over the default.
    assert_eq!(
        port_of(&[
            (
                "app.py",
                "from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run()\n",
            ),
            ("Procfile", "web: gunicorn -b 0.0.0.0:7000 app:app\n"),
        ]),
        Some((7000, "Procfile:1".to_string()))
    );
}

#[test]
fn the_projects_own_start_commands_give_the_target_and_port() {
    let project = inspect_tree(&[
        ("shop/__init__.py", PACKAGE_FACTORY),
        (
            "serve.py",
            "from shop import create_app\napp = create_app('production')\n",
        ),
        (
            "wsgi.py",
            "from shop import create_app\napp = create_app('development')\n",
        ),
        ("Procfile", "web: flask db upgrade; gunicorn serve:app\n"),
        (
            "boot.sh",
            "#!/bin/sh\nexec gunicorn -b :5000 --access-logfile - serve:app\n",
        ),
        (
            "Dockerfile",
            "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y libxml2-dev gcc\nEXPOSE 5000\n",
        ),
    ]);
    let entry = &project.entries[0];
    assert_eq!(
        (entry.target.as_str(), entry.source.to_string()),
        ("serve:app", "Procfile:1".to_string())
    );
    let port = project.port.as_ref().unwrap();
    assert_eq!(
        (port.value, port.source.to_string()),
        (5000, "boot.sh:2".to_string())
    );
    assert_eq!(
        project.python_version.as_ref().map(|p| p.value.to_string()),
        Some("3.11".to_string())
    );
    let on_python = project.on_python(project.python_version.as_ref().unwrap().value);
    let build: Vec<&str> = on_python.build.iter().map(|p| p.value.as_str()).collect();
    assert!(
        build.contains(&"libxml2-dev") && build.contains(&"gcc"),
        "{build:?}"
    );
    // A command naming a module the project does not have is not followed.
    let project = inspect_tree(&[
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        ("Procfile", "web: gunicorn missing:app\n"),
    ]);
    assert_eq!(project.entries[0].target, "app:app");
    // A script that starts the development server (a front-end test
    // runner's `flask run -p 3002`) says less than the project's Dockerfile.
    let project = inspect_tree(&[
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        (
            "runfrontendtests.sh",
            "#!/bin/sh\nflask run -p 3002 --no-reload &\nnpx cypress run\n",
        ),
        ("Dockerfile", "FROM python:3.12-slim\nEXPOSE 3000\n"),
    ]);
    let port = project.port.as_ref().unwrap();
    assert_eq!(
        (port.value, port.source.to_string()),
        (3000, "Dockerfile:2".to_string())
    );
}

#[test]
fn a_module_read_for_its_facts_alone_skips_statements_that_hold_none() {
    let project = inspect_tree(&[
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        (
            "shop/config.py",
            "import os\n\ndef setting(name, default=None):\n    return os.environ.get(name, default)\n",
        ),
        // Read for its facts only: the view (broken, even) is never parsed;
        // the reads and the wrapper's call are.
        (
            "shop/views.py",
            "import os\nfrom shop.config import setting\n\n@bp.route('/')\ndef index():\n    return )\n\nURL = os.environ['SHOP_URL']\nNAME = setting('SHOP_NAME')\n",
        ),
    ]);
    let names: Vec<&str> = project.env_vars.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["SHOP_NAME", "SHOP_URL"]);
    let url = project
        .env_vars
        .iter()
        .find(|v| v.name == "SHOP_URL")
        .unwrap();
    assert_eq!(url.source.to_string(), "shop/views.py:8");
    assert!(
        !project.warnings.iter().any(|w| w.contains("syntax")),
        "{:?}",
        project.warnings
    );
}

#[test]
fn a_declared_range_is_bounded_by_the_pythons_the_project_is_tested_on() {
    let app = ("app.py", "from flask import Flask\napp = Flask(__name__)\n");
    let project = inspect_tree(&[
        app,
        (
            "pyproject.toml",
            "[project]\nname = \"shop\"\nversion = \"1\"\nrequires-python = \">=3.9\"\ndependencies = [\"flask\"]\nclassifiers = [\n  \"Programming Language :: Python :: 3.10\",\n]\n",
        ),
        ("tox.ini", "[tox]\nenvlist = py39, py310, py311\n"),
    ]);
    let python = project.python_version.unwrap();
    assert_eq!(python.value, "3.11");
    let note = python.source.note.unwrap_or_default();
    assert!(note.contains("tested on (tox.ini:2)"), "{note}");
    // Nothing declared: the CI matrix, a list on the lines after the key.
    let project = inspect_tree(&[
        app,
        (
            ".github/workflows/ci.yml",
            "jobs:\n  test:\n    strategy:\n      matrix:\n        python-version:\n          - \"3.10\"\n          - \"3.12\"\n",
        ),
    ]);
    let python = project.python_version.unwrap();
    assert_eq!(
        (python.value.to_string(), python.source.to_string()),
        ("3.12".to_string(), ".github/workflows/ci.yml:7".to_string())
    );
    // setup-python's `3.x` is the newest release: then the project's own
    // image's Python is not above what it is tested on, and it is chosen.
    let project = inspect_tree(&[
        app,
        (
            ".github/workflows/publish.yml",
            "jobs:\n  build:\n    steps:\n      - uses: actions/setup-python@v5\n        with:\n          python-version: 3.9\n",
        ),
        (
            ".github/workflows/tests.yml",
            "jobs:\n  test:\n    steps:\n      - uses: actions/setup-python@v5\n        with:\n          python-version: '3.x'\n",
        ),
        ("Dockerfile", "FROM python:3.12-alpine\n"),
    ]);
    let python = project.python_version.unwrap();
    assert_eq!(
        (python.value.to_string(), python.source.to_string()),
        ("3.12".to_string(), "Dockerfile:1".to_string())
    );
    // An exact declaration is not moved.
    let project = inspect_tree(&[
        app,
        (".python-version", "3.13\n"),
        ("tox.ini", "[tox]\nenvlist = py310\n"),
    ]);
    assert_eq!(project.python_version.unwrap().value, "3.13");
}

/// A project that serves on port 80 (its compose file says so) is served on
/// 8080 inside the container: its user is not root, and may not bind 80.
#[test]
fn a_privileged_port_of_the_project_is_served_on_an_unprivileged_one() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            (
                "docker/docker-compose.yml",
                "services:\n  web:\n    build: ..\n    ports:\n      - \"80:80\"\n",
            ),
        ],
    );
    let project = flaskdock::inspect::inspect(temp.path()).unwrap();
    assert_eq!(project.port.as_ref().map(|p| p.value), Some(80));
    init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("EXPOSE 8080\n"), "{dockerfile}");
    assert!(dockerfile.contains("\"0.0.0.0:8080\""), "{dockerfile}");
    // The answer stays the app's own port; the README says why it moved.
    let saved = std::fs::read_to_string(temp.path().join(".flaskdock.toml")).unwrap();
    assert!(saved.contains("port = 80\n"), "{saved}");
    let readme = std::fs::read_to_string(temp.path().join("README.Docker.md")).unwrap();
    assert!(
        readme.contains("The app's own port, 80, is below 1024"),
        "{readme}"
    );
    let compose = std::fs::read_to_string(temp.path().join("docker-compose.yml")).unwrap();
    assert!(compose.contains("\"${WEB_PORT:-8080}:8080\""), "{compose}");
}

/// The other WSGI targets the notes offer are the project's: apps its tests
/// build are no choice for the image.
#[test]
fn the_notes_offer_no_app_of_the_tests_as_another_target() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            (
                "sync_users.py",
                "from flask import Flask\napp = Flask(__name__)\n",
            ),
            (
                "tests/unit/test_views.py",
                "from flask import Flask\n\ndef test_index():\n    app = Flask(__name__)\n    return app\n",
            ),
            (
                "tests/conftest.py",
                "from flask import Flask\n\ndef app():\n    return Flask(__name__)\n",
            ),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let note = report
        .notes
        .iter()
        .find(|n| n.starts_with("other WSGI targets found"))
        .expect("a note of the other targets");
    assert!(note.contains("`sync_users:app`"), "{note}");
    assert!(!note.contains("tests"), "{note}");
}

/// README.Docker.md describes the workers the image runs: threads for the
/// threaded worker, the worker class otherwise (never "each with  threads").
#[test]
fn the_docker_readme_names_the_threads_or_the_worker_class() {
    let readme_of = |files: &[(&str, &str)]| {
        let temp = tempfile::tempdir().unwrap();
        write_tree(temp.path(), files);
        init(&options(temp.path(), false), &mut NoPrompts).unwrap();
        std::fs::read_to_string(temp.path().join("README.Docker.md")).unwrap()
    };
    let threaded = readme_of(&[("app.py", "from flask import Flask\napp = Flask(__name__)\n")]);
    assert!(
        threaded.contains("at most 12), each with 8 threads;"),
        "{threaded}"
    );
    let asgi = readme_of(&[
        ("app.py", "from quart import Quart\napp = Quart(__name__)\n"),
        ("requirements.txt", "quart==0.20.0\n"),
    ]);
    assert!(
        asgi.contains("each serving many requests on its `uvicorn_worker.UvicornWorker` worker;"),
        "{asgi}"
    );
    assert!(!asgi.contains("each with  threads"), "{asgi}");
}

/// `-k gevent` in the project's own start command is kept when the project
/// installs gevent (the app may rely on its monkey-patching), and warned
/// about, not used, when it does not (gunicorn could not start).
#[test]
fn the_start_commands_async_worker_is_kept_when_its_package_is_installed() {
    let app = ("app.py", "from flask import Flask\napp = Flask(__name__)\n");
    let procfile = (
        "Procfile",
        "web: gunicorn app:app -k gevent --bind 0.0.0.0:$PORT\n",
    );
    let with = inspect_tree(&[
        app,
        procfile,
        ("requirements.txt", "flask\ngevent==24.2.1\n"),
    ]);
    let worker = with.worker.expect("the declared worker");
    assert_eq!(worker.value.class, "gevent");
    assert_eq!(worker.value.threads, None);
    assert_eq!(
        worker.source.described(),
        "Procfile:1 (`-k gevent` in the project's start command)"
    );
    let without = inspect_tree(&[app, procfile, ("requirements.txt", "flask\n")]);
    assert!(without.worker.is_none());
    assert!(
        without.warnings.iter().any(|w| w
            == "Procfile:1: the project's start command runs gunicorn's `gevent` worker, but the project does not install `gevent`: the image runs the threaded worker"),
        "{:?}",
        without.warnings
    );
}

#[test]
fn an_asgi_app_gets_uvicorns_worker_and_a_wsgi_app_never_does() {
    let init_of = |files: &[(&str, &str)]| {
        let temp = tempfile::tempdir().unwrap();
        write_tree(temp.path(), files);
        let project = inspect::inspect(temp.path()).unwrap();
        let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
        let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
        (project, report, dockerfile)
    };
    let (project, report, dockerfile) = init_of(&[
        ("app.py", "from quart import Quart\napp = Quart(__name__)\n"),
        ("requirements.txt", "quart==0.20.0\n"),
    ]);
    assert_eq!(project.entries[0].target, "app:app");
    let worker = project.worker.unwrap();
    assert_eq!(worker.value.class, "uvicorn_worker.UvicornWorker");
    assert!(worker.source.note.unwrap().contains("Quart"));
    assert_eq!(
        report.plan.gunicorn.requirements,
        [
            "gunicorn==27.0.1",
            "uvicorn-worker==0.4.0",
            "uvicorn==0.54.0"
        ]
    );
    assert!(
        dockerfile.contains("uvicorn-worker==0.4.0 uvicorn==0.54.0"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("\"--worker-class\", \"uvicorn_worker.UvicornWorker\""),
        "{dockerfile}"
    );
    // The project's own command names the object a Quart factory made in
    // the same module: still ASGI.
    let project = inspect_tree(&[
        (
            "app.py",
            "from quart import Quart\ndef create_app():\n    app = Quart(__name__)\n    return app\napp = create_app()\n",
        ),
        (
            "Dockerfile",
            "FROM python:3.11-slim\nCMD [\"gunicorn\", \"-b\", \"0.0.0.0:80\", \"app:app\"]\n",
        ),
        ("requirements.txt", "quart==0.20.0\n"),
    ]);
    assert_eq!(project.entries[0].target, "app:app");
    assert_eq!(
        project.worker.map(|w| w.value.class),
        Some("uvicorn_worker.UvicornWorker".to_string())
    );
    // Served through asgiref's wrapper: the wrapper is the target.
    let (project, _, _) = init_of(&[(
        "app.py",
        "from flask import Flask\nfrom asgiref.wsgi import WsgiToAsgi\napp = Flask(__name__)\nasgi_app = WsgiToAsgi(app)\n",
    )]);
    assert_eq!(project.entries[0].target, "app:asgi_app");
    assert!(project.worker.is_some());
    // Connexion 2's FlaskApp is WSGI; a plain Flask app never gets an ASGI worker.
    let (project, _, _) = init_of(&[
        (
            "app.py",
            "import connexion\napp = connexion.FlaskApp(__name__)\n",
        ),
        ("requirements.txt", "connexion==2.14.2\n"),
    ]);
    assert!(project.worker.is_none());
    let (project, report, _) =
        init_of(&[("app.py", "from flask import Flask\napp = Flask(__name__)\n")]);
    assert!(project.worker.is_none());
    assert_eq!(report.plan.gunicorn.requirements, ["gunicorn==27.0.1"]);
}

#[test]
fn a_gunicorn_config_named_by_the_start_command_is_read_and_passed() {
    let project = inspect_tree(&[
        (
            "shop.py",
            "from flask import Flask\napp = Flask(__name__)\n",
        ),
        ("Procfile", "web: gunicorn -c deploy/gunicorn.py shop:app\n"),
        ("deploy/gunicorn.py", "bind = '0.0.0.0:7000'\nworkers = 3\n"),
    ]);
    assert_eq!(
        project.gunicorn_config.as_deref(),
        Some("deploy/gunicorn.py")
    );
    let port = project.port.unwrap();
    assert_eq!(
        (port.value, port.source.to_string()),
        (7000, "deploy/gunicorn.py:1".to_string())
    );
}

#[test]
fn a_gunicorn_config_named_as_a_python_module_is_read_with_its_env_default_bind() {
    let project = inspect_tree(&[
        (
            "shop.py",
            "from flask import Flask\napp = Flask(__name__)\n",
        ),
        (
            "Procfile",
            "web: gunicorn -c python:config.gunicorn shop:app\n",
        ),
        (
            "config/gunicorn.py",
            "import os\nbind = os.getenv('WEB_BIND', '0.0.0.0:7100')\n",
        ),
    ]);
    assert_eq!(
        project.gunicorn_config.as_deref(),
        Some("config/gunicorn.py")
    );
    let port = project.port.unwrap();
    assert_eq!(
        (port.value, port.source.to_string()),
        (7100, "config/gunicorn.py:2".to_string())
    );
    assert!(
        !project
            .warnings
            .iter()
            .any(|w| w.contains("not a TCP port")),
        "{:?}",
        project.warnings
    );
    // An f-string of a read's default; a bind computed otherwise is said to be.
    let with_bind = |bind: &str| {
        inspect_tree(&[
            (
                "shop.py",
                "from flask import Flask\napp = Flask(__name__)\n",
            ),
            (
                "Procfile",
                "web: gunicorn -c python:config.gunicorn shop:app\n",
            ),
            ("config/gunicorn.py", &format!("import os\nbind = {bind}\n")),
        ])
    };
    let project = with_bind("f\"0.0.0.0:{os.getenv('PORT', '7200')}\"");
    assert_eq!(project.port.map(|p| p.value), Some(7200));
    let project = with_bind("'0.0.0.0:' + PORT");
    assert!(
        project
            .warnings
            .iter()
            .any(|w| w.contains("config/gunicorn.py:2: its bind is computed when gunicorn starts")),
        "{:?}",
        project.warnings
    );
    let project = with_bind("'unix:/run/shop.sock'");
    assert!(
        project
            .warnings
            .iter()
            .any(|w| w.contains("not a TCP port")),
        "{:?}",
        project.warnings
    );
}

#[test]
fn a_procfiles_other_processes_become_services_of_the_web_image() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("requirements.txt", "flask\nrq==2.6.0\n"),
            (
                "Procfile",
                "web: gunicorn app:app\nworker: rq worker tasks\nrelease: flask db upgrade\n",
            ),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let services: Vec<(&str, &str)> = report
        .plan
        .processes
        .iter()
        .map(|p| (p.service.as_str(), p.command.as_str()))
        .collect();
    assert_eq!(services, [("worker", "rq worker tasks")]);
    let compose = std::fs::read_to_string(temp.path().join("docker-compose.yml")).unwrap();
    assert!(compose.contains("  worker:\n"), "{compose}");
    assert!(
        compose.contains(r#"command: ["sh", "-c", "rq worker tasks"]"#),
        "{compose}"
    );
    let env = std::fs::read_to_string(temp.path().join(".env.example")).unwrap();
    assert!(env.contains("RQ_REDIS_URL=redis://redis:6379/0"), "{env}");
}

#[test]
fn a_celery_app_made_by_a_factory_is_found_and_a_demo_one_is_not() {
    let project = inspect_tree(&[
        (
            "shop/__init__.py",
            "from celery import Celery\nfrom flask import Flask\n\ndef make_celery(app):\n    celery = Celery(app.import_name)\n    return celery\n\ndef create_app():\n    return Flask(__name__)\n",
        ),
        (
            "worker.py",
            "from shop import create_app, make_celery\napp = create_app()\ncelery = make_celery(app)\n",
        ),
        (
            "examples/demo/tasks.py",
            "from celery import Celery\ncelery = Celery('demo', broker='redis://localhost')\n",
        ),
    ]);
    assert_eq!(
        project.celery.map(|c| c.value).as_deref(),
        Some("worker:celery")
    );
    // A factory that configures Celery's `current_app` and returns it.
    let project = inspect_tree(&[
        ("shop/__init__.py", ""),
        (
            "shop/app.py",
            "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n",
        ),
        (
            "shop/util/tasks.py",
            "from celery import current_app as current_celery\n\ndef setup_celery(app):\n    celery = current_celery\n    celery.conf.update(app.config)\n    return celery\n",
        ),
        (
            "shop/celery.py",
            "from .app import create_app\nfrom .util.tasks import setup_celery\ncelery = setup_celery(create_app())\n",
        ),
    ]);
    assert_eq!(
        project.celery.map(|c| c.value).as_deref(),
        Some("shop.celery:celery")
    );
    let project = inspect_tree(&[
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        (
            "examples/demo/tasks.py",
            "from celery import Celery\ncelery = Celery('demo', broker='redis://localhost')\n",
        ),
    ]);
    assert!(project.celery.is_none());
}

#[test]
fn the_projects_own_setup_steps_are_said_and_the_migrations_not_twice() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("requirements.txt", "flask\nflask-migrate\n"),
            ("migrations/env.py", "# alembic\n"),
            (
                "boot.sh",
                "#!/bin/sh\nflask db upgrade\nflask init-db --seed\nexec gunicorn -b :5000 app:app\nflask never-reached\n",
            ),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let steps: Vec<(&str, &str)> = report
        .plan
        .setup_steps
        .iter()
        .map(|s| (s.command.as_str(), s.source.as_str()))
        .collect();
    assert_eq!(steps, [("flask init-db --seed", "boot.sh:3")]);
    let readme = std::fs::read_to_string(temp.path().join("README.Docker.md")).unwrap();
    assert!(
        readme.contains("docker compose run --rm web flask init-db --seed"),
        "{readme}"
    );
}

#[test]
fn flask_migrate_without_committed_migrations_is_said_and_not_run() {
    let files = [
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        ("requirements.txt", "flask\nflask-migrate\n"),
    ];
    let temp = tempfile::tempdir().unwrap();
    write_tree(temp.path(), &files);
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert!(report.plan.uncommitted_migrations);
    assert!(report.plan.migrations.is_none());
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("commits no migrations") && n.contains("requirements.txt")),
        "{:?}",
        report.notes
    );
    let readme = std::fs::read_to_string(temp.path().join("README.Docker.md")).unwrap();
    assert!(readme.contains("flask --app app:app db init\n"), "{readme}");

    // Scripts in a `migrations` folder anywhere (`Migrate(directory=...)`), or Alembic's own.
    for scripts in ["shop/migrations/env.py", "alembic.ini"] {
        let project = inspect_tree(&[files[0], files[1], (scripts, "# alembic\n")]);
        assert!(project.uncommitted_migrations.is_none(), "{scripts}");
    }
}

#[test]
fn a_table_read_in_a_loop_and_a_settings_class_in_files_read_for_their_facts() {
    let project = inspect_tree(&[
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        (
            "shop/defaults.py",
            "import os\n\nDEFAULTS = {'SHOP_URL': 'http://shop'}\n\n@bp.route('/')\ndef index():\n    return 'x'\n\nfor key, default in DEFAULTS.items():\n    config[key] = os.environ.get(key, default)\n",
        ),
        (
            "shop/settings.py",
            "from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n    shop_token: str\n",
        ),
    ]);
    let names: Vec<(&str, bool)> = project
        .env_vars
        .iter()
        .map(|v| (v.name.as_str(), v.required))
        .collect();
    assert_eq!(names, [("SHOP_TOKEN", true), ("SHOP_URL", false)]);
}

#[test]
fn an_apps_own_setup_command_is_offered_with_the_target() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            (
                "shop/__init__.py",
                "from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n",
            ),
            (
                "shop/db.py",
                "import click, sqlite3\n\n@click.command('init-db')\ndef init_db_command():\n    sqlite3.connect('x.db')\n",
            ),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let step = &report.plan.setup_steps[0];
    assert_eq!(
        step.command.as_str(),
        "flask --app 'shop:create_app()' init-db"
    );
    let argv: Vec<&str> = step.argv.iter().map(|w| w.as_str()).collect();
    assert_eq!(argv, ["flask", "--app", "shop:create_app()", "init-db"]);
    let readme = std::fs::read_to_string(temp.path().join("README.Docker.md")).unwrap();
    assert!(
        readme.contains("docker compose run --rm web flask --app 'shop:create_app()' init-db"),
        "{readme}"
    );
}

#[test]
fn gunicorn_is_pinned_to_a_release_the_images_python_installs() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("Dockerfile", "FROM python:3.6-alpine\n"),
        ],
    );
    // The project's own Dockerfile stays: the files go to a folder beside it.
    let out = tempfile::tempdir().unwrap();
    let mut opts = options(temp.path(), false);
    opts.output = Some(out.path().to_path_buf());
    let report = init(&opts, &mut NoPrompts).unwrap();
    assert_eq!(report.plan.python_version.to_string(), "3.6");
    assert_eq!(report.plan.gunicorn.requirements, ["gunicorn==21.2.0"]);
}

/// A Celery app, its broker's client and `extra` files: the shapes of a beat
/// schedule are each found, in files read whole or for their facts alone.
fn celery_project<'a>(extra: (&'a str, &'a str)) -> Vec<(&'a str, &'a str)> {
    vec![
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        (
            "tasks.py",
            "from celery import Celery\ncelery_app = Celery('tasks', broker='redis://redis:6379/0')\n",
        ),
        ("requirements.txt", "flask\ncelery[redis]\n"),
        extra,
    ]
}

#[test]
fn a_celery_beat_schedule_becomes_one_beat_service() {
    let shapes = [
        (
            "schedule.py",
            "from tasks import celery_app\n\ncelery_app.conf.beat_schedule = {'tick': {'task': 'tick', 'schedule': 2.0}}\n",
        ),
        (
            "shop/config.py",
            "class Config:\n    CELERYBEAT_SCHEDULE = {'tick': {'task': 'tick', 'schedule': 60}}\n",
        ),
        (
            "schedule.py",
            "from tasks import celery_app\n\ncelery_app.conf.update(beat_schedule={'t': {'task': 't', 'schedule': 5}})\n",
        ),
        (
            "schedule.py",
            "from tasks import celery_app\n\ncelery_app.conf.update({'beat_schedule': {}})\n",
        ),
        (
            "periodic.py",
            "from tasks import celery_app\n\n@celery_app.on_after_configure.connect\ndef setup(sender, **kwargs):\n    sender.add_periodic_task(10.0, ping.s())\n",
        ),
        (
            "periodic.py",
            "from celery.decorators import periodic_task\n\n@periodic_task(run_every=60)\ndef ping():\n    pass\n",
        ),
    ];
    for (path, code) in shapes {
        let files = celery_project((path, code));
        let project = inspect_tree(&files);
        let source = project.background.beat_schedule.as_ref();
        assert_eq!(source.and_then(|s| s.file.as_deref()), Some(path), "{code}");
        let temp = tempfile::tempdir().unwrap();
        write_tree(temp.path(), &files);
        let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
        let beat = report.plan.beat.as_ref().expect("a beat service");
        assert_eq!(beat.app.as_str(), "tasks:celery_app");
        let compose = std::fs::read_to_string(temp.path().join("docker-compose.yml")).unwrap();
        assert!(
            compose.contains(r#"command: ["celery", "--app", "tasks:celery_app", "beat", "--loglevel", "INFO", "--schedule", "/tmp/celerybeat-schedule"]"#),
            "{compose}"
        );
        let readme = std::fs::read_to_string(temp.path().join("README.Docker.md")).unwrap();
        assert!(readme.contains("Run exactly one `beat`"), "{readme}");
    }

    // No schedule: no beat. A Procfile's own beat line: that process is beat.
    let no_schedule = celery_project(("other.py", "x = 1\n"));
    assert!(
        inspect_tree(&no_schedule)
            .background
            .beat_schedule
            .is_none()
    );
    let files = celery_project((
        "Procfile",
        "web: gunicorn app:app\nclock: celery -A tasks:celery_app beat\n",
    ));
    let mut files = files;
    files.push((
        "schedule.py",
        "from tasks import celery_app\ncelery_app.conf.beat_schedule = {}\n",
    ));
    let temp = tempfile::tempdir().unwrap();
    write_tree(temp.path(), &files);
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert!(report.plan.beat.is_none());
    assert_eq!(report.plan.processes.len(), 1);
    assert_eq!(report.plan.processes[0].service.as_str(), "clock");
}

#[test]
fn rq_queues_the_code_makes_get_a_worker_that_listens_on_them() {
    let files = [
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        (
            "shop/queues.py",
            "import os\nimport rq\nfrom redis import Redis\nfrom rq import Queue\n\nredis = Redis.from_url(os.environ['REDIS_URL'])\nemails = Queue('emails', connection=redis)\nplain = Queue(connection=redis)\nnamed = rq.Queue(name='high')\nhostile = Queue('--burst', connection=redis)\ncomputed = Queue(os.environ['QUEUE'], connection=redis)\nfrom queue import Queue as Local\nlocal = Local(maxsize=3)\n",
        ),
        ("requirements.txt", "flask\nrq==1.16.2\nrq-scheduler\n"),
        ("shop/later.py", "from rq_scheduler import Scheduler\n"),
        (
            "shop/jobs.py",
            "from rq.decorators import job as rq_job\n\n@rq_job('emails')\ndef send(to):\n    pass\n",
        ),
    ];
    let project = inspect_tree(&files);
    assert_eq!(
        project
            .background
            .rq_enqueue
            .as_ref()
            .map(|s| s.to_string())
            .as_deref(),
        Some("shop/jobs.py:1")
    );
    let queues: Vec<&str> = project
        .background
        .rq_queues
        .iter()
        .map(|q| q.value.as_str())
        .collect();
    assert_eq!(queues, ["emails", "default", "high", "--burst"]);
    assert!(project.background.rq_unknown_queue.is_some());

    let temp = tempfile::tempdir().unwrap();
    write_tree(temp.path(), &files);
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let rq = report.plan.rq_worker.as_ref().expect("an RQ worker");
    let planned: Vec<&str> = rq.queues.iter().map(|q| q.as_str()).collect();
    assert_eq!(
        planned,
        ["emails", "default", "high"],
        "--burst is no queue name"
    );
    assert!(rq.with_scheduler, "rq 1.16 runs its own scheduler");
    assert_eq!(
        rq.rq_scheduler.as_ref().map(|s| s.as_str()),
        Some("shop/later.py:1")
    );
    let compose = std::fs::read_to_string(temp.path().join("docker-compose.yml")).unwrap();
    assert!(
        compose.contains(
            r#"command: ["rq", "worker", "--with-scheduler", "emails", "default", "high"]"#
        ),
        "{compose}"
    );
    assert!(compose.contains("  rq_scheduler:\n"), "{compose}");
    assert!(
        compose.contains(r#"command: ["sh", "-c", "exec rqscheduler --url \"$$RQ_REDIS_URL\""]"#),
        "{compose}"
    );
    let env = std::fs::read_to_string(temp.path().join(".env.example")).unwrap();
    assert!(
        env.contains("\nRQ_REDIS_URL=redis://redis:6379/0\n"),
        "{env}"
    );
    let said = report.notes.join("\n");
    assert!(
        said.contains("does not listen on the queue `--burst` (shop/queues.py:10)"),
        "{said}"
    );
    assert!(
        said.contains("shop/queues.py:11 is named at run time"),
        "{said}"
    );

    // A Procfile that runs `rq worker` itself is the worker; rq before 1.2
    // has no `--with-scheduler`.
    let mut procfile = files.to_vec();
    procfile.push((
        "Procfile",
        "web: gunicorn app:app\nworker: rq worker emails\n",
    ));
    let temp = tempfile::tempdir().unwrap();
    write_tree(temp.path(), &procfile);
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert!(report.plan.rq_worker.is_none());
    let mut old = files.to_vec();
    old[2] = ("requirements.txt", "flask\nrq==1.1.0\n");
    let temp = tempfile::tempdir().unwrap();
    write_tree(temp.path(), &old);
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let rq = report.plan.rq_worker.as_ref().expect("an RQ worker");
    assert!(!rq.with_scheduler);
    assert!(
        rq.rq_scheduler.is_none(),
        "rq-scheduler is no dependency here"
    );
}

#[test]
fn a_queue_made_inside_an_rq_connection_block_is_the_default_queue() {
    let views = "import redis\nfrom rq import Connection, Queue as RQueue\nfrom flask import Blueprint, current_app\n\n\
                 bp = Blueprint('main', __name__)\n\n\
                 @bp.post('/tasks')\ndef run_task():\n    with Connection(redis.from_url(current_app.config['REDIS_URL'])):\n        q = RQueue()\n        q.enqueue('shop.tasks.work')\n    return '', 202\n";
    let files = [
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        ("shop/__init__.py", ""),
        ("shop/views.py", views),
        ("requirements.txt", "flask\nredis\nrq==1.10.1\n"),
    ];
    let project = inspect_tree(&files);
    let queues: Vec<(&str, String)> = project
        .background
        .rq_queues
        .iter()
        .map(|q| (q.value.as_str(), q.source.to_string()))
        .collect();
    assert_eq!(queues, [("default", "shop/views.py:10".to_string())]);
    let temp = tempfile::tempdir().unwrap();
    write_tree(temp.path(), &files);
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let rq = report.plan.rq_worker.as_ref().expect("an RQ worker");
    assert_eq!(rq.queues.len(), 1);

    // Queues only read (a dashboard's: counts, listings), never filled: no
    // worker, and the notes say why.
    let mut dashboard = files.to_vec();
    dashboard[2] = (
        "shop/views.py",
        "import redis\nfrom rq import Queue\nfrom flask import Blueprint, current_app\n\n\
         bp = Blueprint('main', __name__)\n\n\
         @bp.get('/queues/<name>')\ndef count(name):\n    q = Queue('default', connection=redis.Redis())\n    return str(q.count)\n",
    );
    let (_temp, report) = init_tree(&dashboard);
    assert!(report.plan.rq_worker.is_none());
    let said = report.notes.join("\n");
    assert!(
        said.contains("RQ queues are made at shop/views.py:9, but the code puts no job on one"),
        "{said}"
    );
    // rq-scheduler puts the jobs it schedules on the queues: a worker.
    dashboard.push(("shop/cron.py", "from rq_scheduler import Scheduler\n"));
    dashboard[3] = (
        "requirements.txt",
        "flask\nredis\nrq==1.10.1\nrq-scheduler\n",
    );
    let (_temp, report) = init_tree(&dashboard);
    assert!(report.plan.rq_worker.is_some());

    // The standard library's queue, called the same, is no RQ queue.
    let mut local = files.to_vec();
    local[2] = (
        "shop/views.py",
        "from queue import Queue\n\npending = Queue()\n",
    );
    let project = inspect_tree(&local);
    assert!(project.background.rq_queues.is_empty());
}

#[test]
fn the_variable_naming_the_config_class_is_set_to_the_production_one() {
    let init_py = "import os\nfrom flask import Flask\n\n\
                   def create_app():\n    app = Flask(__name__)\n    app.config.from_object(os.getenv('APP_SETTINGS'))\n    return app\n";
    let config = "class BaseConfig:\n    QUEUES = ['default']\n\n\
                  class DevelopmentConfig(BaseConfig):\n    DEBUG = True\n\n\
                  class ProductionConfig(BaseConfig):\n    pass\n";
    let compose = "services:\n  web:\n    build: .\n    environment:\n      - APP_SETTINGS=shop.config.DevelopmentConfig\n";
    // `init` into a folder of its own (the project has a compose file):
    // `.env.example` and the notes.
    let env_and_notes = |files: &[(&str, &str)]| {
        let temp = tempfile::tempdir().unwrap();
        write_tree(temp.path(), files);
        let out = tempfile::tempdir().unwrap();
        let mut opts = options(temp.path(), false);
        opts.output = Some(out.path().to_path_buf());
        let report = init(&opts, &mut NoPrompts).unwrap();
        let env = std::fs::read_to_string(out.path().join(".env.example")).unwrap();
        (env, report.notes.join("\n"))
    };
    let files = [
        ("shop/__init__.py", init_py),
        ("shop/config.py", config),
        (
            "wsgi.py",
            "from shop import create_app\napp = create_app()\n",
        ),
        ("docker-compose.yml", compose),
        ("requirements.txt", "flask\n"),
    ];
    let (env, said) = env_and_notes(&files);
    // Required (unset, Flask loads no settings), listed first, with a value.
    let required = env.split("# --- Flask").next().unwrap();
    assert!(
        required.contains("\nAPP_SETTINGS=shop.config.ProductionConfig\n"),
        "{env}"
    );
    assert!(
        said.contains(
            "sets APP_SETTINGS (read at shop/__init__.py:6) to `shop.config.ProductionConfig`"
        ),
        "{said}"
    );

    // With no production or base class, the project's own compose value.
    let mut dev_only = files.to_vec();
    dev_only[1] = (
        "shop/config.py",
        "class DevelopmentConfig:\n    DEBUG = True\n",
    );
    let (env, said) = env_and_notes(&dev_only);
    assert!(
        env.contains("\nAPP_SETTINGS=shop.config.DevelopmentConfig\n"),
        "{env}"
    );
    assert!(
        said.contains("the value the project's own deployment gives it (docker-compose.yml:5"),
        "{said}"
    );

    // With no value to give, it stays an optional line: set empty, Flask
    // would fail to import `""`; unset, the app starts and the note says.
    let mut unknown = dev_only.to_vec();
    unknown[3] = ("docker-compose.yml", "services:\n  web:\n    build: .\n");
    let (env, said) = env_and_notes(&unknown);
    assert!(env.contains("\n# APP_SETTINGS=\n"), "{env}");
    assert!(said.contains("APP_SETTINGS (read at shop/__init__.py:6) names the object the app loads its settings from"), "{said}");
}

#[test]
fn a_variable_whose_fallback_is_a_database_url_points_at_the_db_service() {
    let (temp, report) = init_tree(&[
        (
            "app.py",
            "import os\nfrom flask import Flask\napp = Flask(__name__)\nurl = os.environ.get('STORE_CONN')\nif not url:\n    url = 'postgresql://:@/store_test'\napp.config['SQLALCHEMY_DATABASE_URI'] = url\n",
        ),
        (
            "requirements.txt",
            "Flask==3.1.3\npsycopg2-binary==2.9.10\n",
        ),
    ]);
    let env = std::fs::read_to_string(temp.path().join(".env.example")).unwrap();
    assert!(
        env.contains("\nSTORE_CONN=postgresql://app:change-me@db:5432/app\n"),
        "{env}"
    );
    // Not a URL written for this machine: the variable's default.
    assert!(
        !report
            .project
            .warnings
            .iter()
            .any(|w| w.contains("written in the code for this machine")),
        "{:?}",
        report.project.warnings
    );
}

#[test]
fn a_secret_key_read_under_the_apps_own_name_gets_the_placeholder() {
    let (temp, report) = init_tree(&[
        (
            "app.py",
            "import os\nfrom flask import Flask\napp = Flask(__name__)\napp.config['SECRET_KEY'] = os.environ.get('SHOP_SESSION_SECRET')\npayments = {'secret_key': os.environ.get('STRIPE_SECRET_KEY')}\n",
        ),
        ("requirements.txt", "Flask==3.1.3\n"),
    ]);
    let env = std::fs::read_to_string(temp.path().join(".env.example")).unwrap();
    assert!(
        env.contains("\nSHOP_SESSION_SECRET=replace-with-a-long-random-string\n"),
        "{env}"
    );
    // Stripe's key is the user's to fill, not a placeholder that turns it on.
    assert!(env.contains("\n# STRIPE_SECRET_KEY=\n"), "{env}");
    let vars: Vec<(&str, String)> = report
        .project
        .secret_key_vars
        .iter()
        .map(|f| (f.value.as_str(), f.source.to_string()))
        .collect();
    assert_eq!(vars, [("SHOP_SESSION_SECRET", "app.py:4".to_string())]);
}

#[test]
fn a_redis_url_no_installed_library_can_open_gets_no_service() {
    let app = "from flask import Flask\napp = Flask(__name__)\nclass DevelopmentConfig:\n    REDIS_URL = 'redis://localhost'\n";
    let (temp, report) = init_tree(&[("app.py", app), ("requirements.txt", "Flask==3.1.3\n")]);
    assert!(report.project.redis.is_none());
    let compose = std::fs::read_to_string(temp.path().join("docker-compose.yml")).unwrap();
    assert!(!compose.contains("redis:"), "{compose}");
    assert!(
        report
            .project
            .warnings
            .iter()
            .any(|w| w.starts_with("app.py:4 names a Redis URL, but no Redis client")),
        "{:?}",
        report.project.warnings
    );
    // With a client, or with no dependency file to tell, the URL is used.
    for deps in [
        &[("requirements.txt", "Flask==3.1.3\nredis==5.2.1\n")][..],
        &[],
    ] {
        let files: Vec<(&str, &str)> = [("app.py", app)]
            .into_iter()
            .chain(deps.iter().copied())
            .collect();
        let (_temp, report) = init_tree(&files);
        assert!(report.project.redis.is_some(), "{deps:?}");
    }
}

#[test]
fn a_pip_freeze_artifact_is_left_out_of_the_install() {
    let (temp, report) = init_tree(&[
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        ("requirements.txt", "-r base.txt\npkg-resources==0.0.0\n"),
        ("base.txt", "Flask==3.1.3\n"),
    ]);
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    // A copy without the line, beside the file (its `-r base.txt` resolves
    // from there), is what pip installs.
    assert!(
        dockerfile.contains("sed -E '/^[[:space:]]*pkg[-_.]resources[[:space:]]*==[[:space:]]*0\\.0\\.0[[:space:]]*$/Id' requirements.txt > requirements.txt.flaskdock \\\n    && pip install -r requirements.txt.flaskdock gunicorn=="),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("# requirements.txt:2: `pkg-resources==0.0.0`"),
        "{dockerfile}"
    );
    assert!(
        report.project.warnings.iter().any(|w| w
            .starts_with("requirements.txt:2: `pkg-resources==0.0.0` is what `pip freeze` writes")),
        "{:?}",
        report.project.warnings
    );
    // Without the line, pip reads the project's file itself.
    std::fs::write(temp.path().join("requirements.txt"), "-r base.txt\n").unwrap();
    std::fs::remove_file(temp.path().join("Dockerfile")).unwrap();
    std::fs::remove_file(temp.path().join(".flaskdock.toml")).unwrap();
    init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    assert!(!dockerfile.contains("sed "), "{dockerfile}");
    assert!(
        dockerfile.contains("pip install -r requirements.txt gunicorn=="),
        "{dockerfile}"
    );
}

#[test]
fn an_old_flask_pin_gets_the_releases_of_its_dependencies_of_its_time() {
    let companions = |requirements: &str| -> (Vec<String>, String, Vec<String>) {
        let (temp, report) = init_tree(&[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("requirements.txt", requirements),
        ]);
        let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
        let planned = report
            .plan
            .companions
            .iter()
            .map(|r| r.to_string())
            .collect();
        (planned, dockerfile, report.notes)
    };
    // Flask 2.0 imports `url_quote`, which Werkzeug 3 removed.
    let (planned, dockerfile, notes) = companions("Flask==2.0.2\nredis==4.1.1\n");
    assert_eq!(planned, ["Werkzeug<2.1"]);
    assert!(
        dockerfile.contains("pip install -r requirements.txt gunicorn==")
            && dockerfile.contains(" 'Werkzeug<2.1'\n"),
        "{dockerfile}"
    );
    let said = notes.join("\n");
    assert!(
        said.contains("installs `Werkzeug<2.1` with `flask==2.0.2` (requirements.txt:1)"),
        "{said}"
    );
    // Flask 1: Werkzeug, itsdangerous and MarkupSafe of its time; Jinja2 is
    // the project's own pin.
    let (planned, _, _) = companions("flask==1.1.2\nJinja2==2.11.3\n");
    assert_eq!(
        planned,
        ["Werkzeug<2.0", "itsdangerous<2.0", "MarkupSafe<2.1"]
    );
    // Celery and kombu are released in step; a project's own kombu pin stays.
    let (planned, dockerfile, notes) = companions("celery==5.2.3\nFlask==2.0.3\nredis==4.1.4\n");
    assert_eq!(planned, ["kombu<5.3", "Werkzeug<2.1"]);
    assert!(
        dockerfile.contains(" 'kombu<5.3' 'Werkzeug<2.1'\n"),
        "{dockerfile}"
    );
    let said = notes.join("\n");
    assert!(
        said.contains("installs `kombu<5.3` with `celery==5.2.3` (requirements.txt:1)"),
        "{said}"
    );
    let (planned, _, _) = companions("celery==5.2.3\nkombu==5.2.4\nFlask==3.1.0\n");
    assert!(planned.is_empty(), "{planned:?}");
    // A current Flask, or no exact pin: nothing added.
    for requirements in [
        "Flask==3.1.0\n",
        "Flask>=2.0\n",
        "Flask==2.2.5\nWerkzeug==2.2.3\n",
    ] {
        let (planned, dockerfile, _) = companions(requirements);
        assert!(planned.is_empty(), "{requirements}: {planned:?}");
        assert!(!dockerfile.contains("Werkzeug<"), "{dockerfile}");
    }
}

#[test]
fn database_parts_named_with_db_glued_on_point_at_the_db_service() {
    let config = "import os\n\nDATABASE_URI = 'postgresql+psycopg2://{u}:{p}@{h}/{n}'.format(\n    u=os.environ['DBUSER'],\n    p=os.environ['DBPASS'],\n    h=os.environ['DBHOST'],\n    n=os.environ['DBNAME'],\n)\n";
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            (
                "app.py",
                "from flask import Flask\napp = Flask(__name__)\napp.config.from_object('settings')\n",
            ),
            ("settings.py", config),
            (
                "requirements.txt",
                "flask\nflask-sqlalchemy\npsycopg2-binary\n",
            ),
        ],
    );
    init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let env = std::fs::read_to_string(temp.path().join(".env.example")).unwrap();
    for line in ["\nDBHOST=db\n", "\nDBNAME=app\n", "\nDBUSER=app\n"] {
        assert!(env.contains(line), "{line}: {env}");
    }
    assert!(!env.contains("\nDBPASS=\n"), "{env}");
    assert!(
        env.contains("reaches it through DBHOST, DBNAME, DBPASS, DBUSER"),
        "{env}"
    );
}

#[test]
fn a_gitignored_folder_the_project_commits_stays_in_the_build_context() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("requirements.txt", "Flask==3.1.3\n"),
            (".gitignore", "dist/\n*.log\n"),
            ("static/dist/app.css", "body {}\n"),
        ],
    );
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(temp.path())
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    // Built assets committed on purpose, although `.gitignore` names `dist/`.
    git(&["add", "-f", "static/dist/app.css"]);
    init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let ignore = std::fs::read_to_string(temp.path().join(".dockerignore")).unwrap();
    assert!(!ignore.contains("dist"), "{ignore}");
    assert!(ignore.contains("\n**/*.log\n"), "{ignore}");
}

#[test]
fn lock_tools_are_pinned_to_a_release_that_runs_on_the_chosen_python() {
    for (example, newest, for_3_9) in [
        ("poetry-app", "poetry==2.5.1", "poetry==2.2.1"),
        ("pdm-app", "pdm==2.29.4", "pdm==2.26.9"),
        ("pipenv-app", "pipenv==2026.10.3", "pipenv==2025.0.4"),
    ] {
        for (python, pin) in [("3.13", newest), ("3.9", for_3_9)] {
            let (_temp, dir) = copy_example(example);
            let mut flagged = options(&dir, false);
            flagged.flags.python = Some(python.parse().unwrap());
            let report = init(&flagged, &mut NoPrompts).unwrap();
            let tools: Vec<&str> = report
                .plan
                .install
                .tool_requirements
                .iter()
                .map(|t| t.as_str())
                .collect();
            assert!(tools.contains(&pin), "{example} on {python}: {tools:?}");
            let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
            assert!(
                dockerfile.contains(pin),
                "{example} on {python}: {dockerfile}"
            );
        }
    }
}

/// The shell that sets gunicorn's workers (one per CPU), run against a
/// stand-in cgroup tree: the quota decides, `max` and `-1` (no quota) leave the CPU count,
/// and a `WEB_CONCURRENCY` already set wins.
#[test]
fn the_worker_count_follows_the_containers_cpu_quota() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().to_str().unwrap();
    let script = format!(
        "{}echo \"$WEB_CONCURRENCY\"",
        flaskdock::plan::WORKERS_FROM_CPUS.replace("/sys/fs/cgroup", root)
    );
    let run_with = |set: Option<&str>| {
        let mut command = std::process::Command::new("sh");
        command.args(["-c", &script]).env_remove("WEB_CONCURRENCY");
        if let Some(value) = set {
            command.env("WEB_CONCURRENCY", value);
        }
        let out = command.output().expect("sh runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let run = || run_with(None);
    let nproc = std::process::Command::new("nproc").output().unwrap();
    let cpus: usize = String::from_utf8(nproc.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let unlimited = cpus.min(12).to_string();
    assert_eq!(run(), unlimited, "no cgroup files");
    assert_eq!(run_with(Some("7")), "7", "WEB_CONCURRENCY set");
    std::fs::write(temp.path().join("cpu.max"), "150000 100000\n").unwrap();
    assert_eq!(run(), cpus.min(2).to_string(), "1.5 CPUs round up to 2");
    std::fs::write(temp.path().join("cpu.max"), "50000 100000\n").unwrap();
    assert_eq!(run(), "1", "half a CPU is one");
    std::fs::write(temp.path().join("cpu.max"), "max 100000\n").unwrap();
    assert_eq!(run(), unlimited, "v2 without a quota");
    std::fs::remove_file(temp.path().join("cpu.max")).unwrap();
    std::fs::create_dir(temp.path().join("cpu")).unwrap();
    std::fs::write(temp.path().join("cpu/cpu.cfs_period_us"), "100000\n").unwrap();
    std::fs::write(temp.path().join("cpu/cpu.cfs_quota_us"), "-1\n").unwrap();
    assert_eq!(run(), unlimited, "v1 without a quota");
    std::fs::write(temp.path().join("cpu/cpu.cfs_quota_us"), "100000\n").unwrap();
    assert_eq!(run(), "1", "v1 with one CPU");
}

#[test]
fn the_healthcheck_requests_a_health_route_that_needs_no_database() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            (
                "shop/__init__.py",
                "from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    from .ops import ops\n    app.register_blueprint(ops)\n    return app\n",
            ),
            // A blueprint module: parsed for its facts only.
            (
                "shop/ops.py",
                "from flask import Blueprint\n\nops = Blueprint('ops', __name__)\n\n\n@ops.route('/readyz')\ndef ready():\n    db.session.execute('select 1')\n    return 'ready'\n\n\n@ops.get('/livez')\ndef live():\n    return 'live'\n",
            ),
            ("requirements.txt", "Flask==3.1.3\n"),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(report.plan.healthcheck_path.as_str(), "/livez");
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains(r#"raise SystemExit(c.getresponse().status >= 500)", "/livez"]"#),
        "{dockerfile}"
    );
    let source = report.project.health_path.unwrap().source.to_string();
    assert_eq!(source, "shop/ops.py:12");
}

#[test]
fn health_path_flag_wins_is_saved_and_refuses_what_is_not_a_path() {
    let (_temp, dir) = copy_example("single-file");
    let mut flagged = options(&dir, false);
    flagged.flags.health_path = Some("/up".to_string());
    let report = init(&flagged, &mut NoPrompts).unwrap();
    assert_eq!(report.plan.healthcheck_path.as_str(), "/up");
    let saved = std::fs::read_to_string(dir.join(".flaskdock.toml")).unwrap();
    assert!(saved.contains("health_path = \"/up\""), "{saved}");
    // A re-run without the flag keeps the saved answer.
    let mut again = options(&dir, false);
    again.mode = Mode::Write { force: true };
    assert_eq!(
        init(&again, &mut NoPrompts).unwrap().answers.health_path,
        "/up"
    );
    for bad in ["up", "/a b", "/x\"]\nRUN id", ""] {
        let mut flagged = options(&dir, false);
        flagged.flags.health_path = Some(bad.to_string());
        let err = init(&flagged, &mut NoPrompts).unwrap_err().to_string();
        assert!(err.starts_with("invalid health path"), "{bad:?}: {err}");
    }
}

#[test]
fn a_pin_without_a_wheel_for_the_python_gets_compilers_in_the_builder_only() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            // Wheels up to CPython 3.11 only.
            ("requirements.txt", "Flask==3.1.3\nregex==2022.10.31\n"),
        ],
    );
    let build = |python: &str| {
        let project = inspect::inspect(temp.path()).unwrap();
        project
            .on_python(python.parse().unwrap())
            .build
            .into_iter()
            .map(|f| (f.value, f.source.described()))
            .collect::<Vec<_>>()
    };
    assert_eq!(build("3.11"), []);
    assert_eq!(
        build("3.13"),
        [(
            "build-essential".to_string(),
            "requirements.txt:2 (needed to compile `regex==2022.10.31`, which has no wheel for Python 3.13)".to_string()
        )]
    );
    let mut flagged = options(temp.path(), false);
    flagged.flags.python = Some("3.13".parse().unwrap());
    init(&flagged, &mut NoPrompts).unwrap();
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    let runtime = &dockerfile[dockerfile.find("AS runtime").unwrap()..];
    let builder = &dockerfile[..dockerfile.find("AS runtime").unwrap()];
    assert!(
        builder.contains("install -y --no-install-recommends build-essential"),
        "{dockerfile}"
    );
    assert!(!runtime.contains("build-essential"), "{dockerfile}");
}

#[test]
fn folders_the_code_writes_into_are_the_app_users_and_the_source_is_roots() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("requirements.txt", "flask==3.1.1\n"),
            (
                "config.py",
                "import os\nbasedir = os.path.abspath(os.path.dirname(__file__))\n\
                 class Config:\n    UPLOAD_FOLDER = os.path.join(basedir, 'uploads')\n\
                 \x20   SQLALCHEMY_DATABASE_URI = os.environ.get('DATABASE_URL') or \\\n\
                 \x20       'sqlite:///' + os.path.join(basedir, 'app.db')\n",
            ),
            (
                "shop/__init__.py",
                "import os\nfrom logging.handlers import RotatingFileHandler\nfrom flask import Flask\n\
                 def create_app():\n    app = Flask(__name__)\n\
                 \x20   os.makedirs('logs', exist_ok=True)\n\
                 \x20   app.logger.addHandler(RotatingFileHandler('logs/shop.log'))\n\
                 \x20   os.makedirs('/var/log/shop', exist_ok=True)\n    return app\n",
            ),
            (
                "wsgi.py",
                "from shop import create_app\napp = create_app()\n",
            ),
        ],
    );
    let project = inspect::inspect(temp.path()).unwrap();
    let found: Vec<_> = project
        .write_dirs
        .iter()
        .map(|d| {
            (
                d.folder.value.as_str(),
                d.holds_files,
                d.folder.source.to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("uploads", false, "config.py:4".to_string()),
            ("", true, "config.py:6".to_string()),
            ("logs", false, "shop/__init__.py:6".to_string()),
        ]
    );
    let mut with_kubernetes = options(temp.path(), false);
    with_kubernetes.flags.kubernetes = Some(true);
    init(&with_kubernetes, &mut NoPrompts).unwrap();
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("COPY --chmod=755 . .\n"),
        "{dockerfile}"
    );
    // Each folder is a volume in the pods too.
    let app = std::fs::read_to_string(temp.path().join("k8s/base/app.yaml")).unwrap();
    for (volume, folder) in [("writes-1", "/app/uploads"), ("writes-2", "/app/logs")] {
        assert!(
            app.contains(&format!(
                "            - name: {volume}\n              mountPath: \"{folder}\"\n"
            )),
            "{app}"
        );
        assert!(
            app.contains(&format!("        - name: {volume}\n          emptyDir:\n")),
            "{app}"
        );
    }
    assert!(
        dockerfile.contains(
            "RUN mkdir -p /app/instance /app/uploads /app/logs \\\n    \
             && chown \"${UID}:${UID}\" /app/instance /app/uploads /app/logs\n\
             VOLUME [\"/app/instance\", \"/app/uploads\", \"/app/logs\"]\n"
        ),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("RUN chgrp \"${UID}\" /app \\\n    && chmod 1775 /app\n"),
        "{dockerfile}"
    );
    assert!(!dockerfile.contains("/var/log/shop"), "{dockerfile}");
    // It adds files beside its source, so neither compose nor the pods can
    // make its root read-only (checkov is told why).
    let compose = std::fs::read_to_string(temp.path().join("docker-compose.yml")).unwrap();
    assert!(!compose.contains("read_only"), "{compose}");
    // Each a named compose volume, kept across `docker compose down`.
    for expected in [
        "      - \"instance-data:/app/instance\"\n      # The other folders the app writes, kept across containers too.\n      - \"uploads-data:/app/uploads\"\n      - \"logs-data:/app/logs\"\n",
        "\nvolumes:\n  instance-data:\n  uploads-data:\n  logs-data:\n",
    ] {
        assert!(compose.contains(expected), "{expected}\n{compose}");
    }
    assert!(app.contains("readOnlyRootFilesystem: false\n"), "{app}");
    assert!(!app.contains("readOnlyRootFilesystem: true"), "{app}");
    assert!(
        app.contains("CKV_K8S_22=The app adds files beside its source"),
        "{app}"
    );
}

#[test]
fn an_app_behind_werkzeugs_proxy_fix_is_told_it_needs_no_forwarded_allow_ips() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("requirements.txt", "flask==3.1.1\n"),
            (
                "app.py",
                "from flask import Flask\nfrom werkzeug.middleware.proxy_fix import ProxyFix\n\
                 app = Flask(__name__)\napp.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1)\n",
            ),
        ],
    );
    let project = inspect::inspect(temp.path()).unwrap();
    assert_eq!(project.proxy_fix.unwrap().to_string(), "app.py:4");
    init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let env = std::fs::read_to_string(temp.path().join(".env.example")).unwrap();
    assert!(
        env.contains(
            "# The app applies Werkzeug's ProxyFix (app.py:4), which reads these headers itself\n"
        ),
        "{env}"
    );
    let readme = std::fs::read_to_string(temp.path().join("README.Docker.md")).unwrap();
    assert!(
        readme.contains("applies Werkzeug's `ProxyFix`\n(`app.py:4`)"),
        "{readme}"
    );
}

#[test]
fn migrations_that_change_tables_none_creates_are_not_run_and_the_readme_says_how() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            (
                "requirements.txt",
                "flask==3.1.1\nflask-migrate==4.1.0\npsycopg2-binary==2.9.10\n",
            ),
            (
                "app.py",
                "import os\nfrom flask import Flask\nfrom flask_migrate import Migrate\n\
                 app = Flask(__name__)\napp.config['SQLALCHEMY_DATABASE_URI'] = os.environ['DATABASE_URL']\n",
            ),
            ("migrations/env.py", "from alembic import context\n"),
            (
                "migrations/versions/a1_add_age.py",
                "from alembic import op\nimport sqlalchemy as sa\nrevision = 'a1'\ndown_revision = None\n\
                 def upgrade():\n    op.add_column('users', sa.Column('age', sa.Integer()))\n",
            ),
        ],
    );
    let project = inspect::inspect(temp.path()).unwrap();
    let need = project.migrations_need_tables.as_ref().unwrap();
    assert_eq!(need.value, ["users"]);
    assert!(
        project.warnings.iter().any(|w| w.starts_with(
            "migrations/versions/a1_add_age.py:6: the migrations change `users` but none creates it"
        )),
        "{:?}",
        project.warnings
    );
    init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let compose = std::fs::read_to_string(temp.path().join("docker-compose.yml")).unwrap();
    assert!(!compose.contains("migrate:"), "{compose}");
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    assert!(!dockerfile.contains("upgrade"), "{dockerfile}");
    let readme = std::fs::read_to_string(temp.path().join("README.Docker.md")).unwrap();
    assert!(
        readme.contains("The migrations change `users`, which none of them creates"),
        "{readme}"
    );
    assert!(
        readme.contains(
            "docker compose run --rm web flask db stamp head\ndocker compose run --rm web flask db upgrade\n"
        ),
        "{readme}"
    );
}

#[test]
fn a_localhost_broker_in_a_settings_class_of_another_module_gets_no_worker() {
    for (setting, worker) in [
        (
            "    CELERY_BROKER_URL = \"redis://localhost:6379\"\n",
            false,
        ),
        (
            "    CELERY_BROKER_URL = os.getenv(\"CELERY_BROKER_URL\", \"redis://localhost:6379\")\n",
            true,
        ),
    ] {
        let temp = tempfile::tempdir().unwrap();
        let config = format!(
            "import os\n\nclass Config:\n    SECRET_KEY = os.getenv(\"SECRET_KEY\")\n{setting}"
        );
        write_tree(
            temp.path(),
            &[
                ("requirements.txt", "flask==3.1.1\ncelery[redis]==5.5.3\n"),
                (
                    "shop/__init__.py",
                    "from flask import Flask\napp = Flask(__name__)\n",
                ),
                ("shop/config.py", &config),
                (
                    "shop/tasks.py",
                    "from celery import Celery\nfrom shop.config import Config\n\n\
                     celery_app = Celery(\"shop\", broker=Config.CELERY_BROKER_URL)\n",
                ),
            ],
        );
        let project = inspect::inspect(temp.path()).unwrap();
        assert_eq!(project.celery_local_broker.is_none(), worker, "{setting}");
        let warned = project.warnings.iter().any(|w| {
            w.starts_with("shop/config.py:5: the Celery broker is `redis://localhost:6379`")
        });
        assert_eq!(warned, !worker, "{setting}: {:?}", project.warnings);
    }
}

#[test]
fn a_celery_broker_written_for_localhost_gets_no_worker_and_an_env_default_does() {
    for (broker, worker) in [
        ("'redis://localhost:6379/0'", false),
        ("'redis://:pw@127.0.0.1/1'", false),
        (
            "os.environ.get('CELERY_BROKER_URL', 'redis://localhost:6379/0')",
            true,
        ),
        (
            "os.getenv('CELERY_BROKER_URL') or 'redis://localhost:6379/0'",
            true,
        ),
        ("'redis://redis:6379/0'", true),
    ] {
        let temp = tempfile::tempdir().unwrap();
        let code = format!(
            "import os\nfrom celery import Celery\nfrom flask import Flask\napp = Flask(__name__)\n\
             celery = Celery(app.name, broker={broker})\n"
        );
        write_tree(
            temp.path(),
            &[
                ("requirements.txt", "flask==3.1.1\ncelery[redis]==5.5.3\n"),
                ("app.py", &code),
            ],
        );
        let project = inspect::inspect(temp.path()).unwrap();
        assert_eq!(project.celery_local_broker.is_none(), worker, "{broker}");
        let warned = project
            .warnings
            .iter()
            .any(|w| w.starts_with("app.py:5: the Celery broker is `redis://"));
        assert_eq!(warned, !worker, "{broker}: {:?}", project.warnings);
        init(&options(temp.path(), false), &mut NoPrompts).unwrap();
        let compose = std::fs::read_to_string(temp.path().join("docker-compose.yml")).unwrap();
        assert_eq!(
            compose.contains("  worker:\n"),
            worker,
            "{broker}: {compose}"
        );
    }
}

#[test]
fn flasks_instance_folder_is_the_app_users_and_a_volume() {
    for (example, folder) in [
        ("src-layout-flaskenv", "/app/src/instance"),
        ("single-file", "/app/instance"),
    ] {
        let (_temp, dir) = copy_example(example);
        init(&options(&dir, false), &mut NoPrompts).unwrap();
        let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
        assert!(
            dockerfile.contains(&format!(
                "RUN mkdir -p {folder} \\\n    && chown \"${{UID}}:${{UID}}\" {folder}\nVOLUME [\"{folder}\"]\n"
            )),
            "{dockerfile}"
        );
        // Before the switch to the app user, after the source copy, which
        // stays root's.
        let volume = dockerfile.find("VOLUME [").unwrap();
        assert!(dockerfile.find("COPY --chmod=755 . .").unwrap() < volume);
        assert!(!dockerfile.contains("COPY --chown"), "{dockerfile}");
        assert!(!dockerfile.contains("chmod 1775"), "{dockerfile}");
        let compose = std::fs::read_to_string(dir.join("docker-compose.yml")).unwrap();
        assert!(
            compose.contains("    read_only: true\n    tmpfs: [/tmp]\n"),
            "{compose}"
        );
        // The app user's home stays writable, a volume.
        assert!(
            compose.contains("      - \"home-data:/home/app\"\n")
                && compose.contains("\n  home-data:\n"),
            "{compose}"
        );
        assert!(volume < dockerfile.find("USER ${UID}").unwrap());
        let compose = std::fs::read_to_string(dir.join("docker-compose.yml")).unwrap();
        assert!(
            compose.contains(&format!("      - \"instance-data:{folder}\"\n")),
            "{compose}"
        );
        assert!(
            compose.contains("\nvolumes:\n  instance-data:\n"),
            "{compose}"
        );
    }
}

#[test]
fn a_project_is_installed_as_a_package_by_its_managers_rule() {
    let app = ("app.py", "from flask import Flask\napp = Flask(__name__)\n");
    let packaged = |files: &[(&str, &str)]| {
        let temp = tempfile::tempdir().unwrap();
        write_tree(temp.path(), &[files, &[app]].concat());
        inspect::inspect(temp.path())
            .unwrap()
            .packaged
            .map(|p| p.source.to_string())
    };
    let project = "[project]\nname = \"x\"\nversion = \"1\"\ndependencies = [\"flask\"]\n";
    let backend =
        "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n";
    // pip installs a [project] with a build system (`pip install .`).
    assert_eq!(
        packaged(&[("pyproject.toml", &format!("{project}{backend}"))]).as_deref(),
        Some("pyproject.toml:5")
    );
    assert_eq!(packaged(&[("pyproject.toml", project)]), None);
    // uv: a build system unless `package = false`; `package = true` alone.
    let uv = |tool: &str, with_backend: bool| {
        let backend = if with_backend { backend } else { "" };
        packaged(&[
            (
                "pyproject.toml",
                &format!("{project}{backend}[tool.uv]\n{tool}\n"),
            ),
            ("uv.lock", "version = 1\n"),
        ])
    };
    assert!(uv("", true).is_some());
    assert_eq!(uv("package = false", true), None);
    assert!(uv("package = true", false).is_some());
    assert_eq!(uv("", false), None);
    // PDM: a build system unless `distribution = false`.
    let pdm = |tool: &str| {
        packaged(&[
            (
                "pyproject.toml",
                &format!("{project}{backend}[tool.pdm]\n{tool}\n"),
            ),
            ("pdm.lock", "[metadata]\n"),
        ])
    };
    assert!(pdm("").is_some());
    assert_eq!(pdm("distribution = false"), None);
    // A lock with a package at a path in the project installs from the source,
    // the project with it: not a second time.
    assert_eq!(
        packaged(&[
            ("pyproject.toml", &format!("{project}{backend}[tool.pdm]\n")),
            (
                "pdm.lock",
                "[[package]]\nname = \"x-core\"\nversion = \"0.1\"\npath = \"libs/core\"\n"
            ),
        ]),
        None
    );
    // Requirements files install the project only where they list it.
    assert_eq!(
        packaged(&[
            ("pyproject.toml", &format!("{project}{backend}")),
            ("requirements.txt", "flask\n")
        ]),
        None
    );
    // ... or where it declares entry points, which only an installed project has.
    let scripts = "[project.scripts]\nx-admin = \"x.cli:main\"\n";
    assert_eq!(
        packaged(&[
            ("pyproject.toml", &format!("{project}{scripts}{backend}")),
            ("requirements.txt", "flask\n")
        ])
        .as_deref(),
        Some("pyproject.toml:5")
    );
    let setup = "from setuptools import setup\nsetup(\n    name=\"x\",\n    entry_points={\"console_scripts\": [\"x=x:main\"]},\n)\n";
    assert_eq!(
        packaged(&[("setup.py", setup), ("requirements.txt", "flask\n")]).as_deref(),
        Some("setup.py:4")
    );
    assert_eq!(
        packaged(&[
            ("setup.cfg", "[flake8]\nmax-line-length = 99\n"),
            ("requirements.txt", "flask\n")
        ]),
        None
    );
    assert_eq!(
        packaged(&[("setup.py", setup), ("requirements.txt", "flask\n-e .\n")]),
        None,
        "`-e .` installs it already"
    );
    // Poetry: a root package with scripts, where the package exists; built by Poetry.
    let poetry = |extra: &str, module: Option<&str>| {
        let file = format!(
            "[tool.poetry]\nname = \"my-app\"\nversion = \"1\"\n{extra}\n[tool.poetry.dependencies]\npython = \"^3.11\"\nflask = \"*\"\n[tool.poetry.scripts]\nrun = \"wsgi:app\"\n"
        );
        let mut files = vec![("pyproject.toml", file.as_str()), ("poetry.lock", "")];
        if let Some(module) = module {
            files.push((module, ""));
        }
        packaged(&files)
    };
    assert_eq!(
        poetry("", Some("my_app/__init__.py")).as_deref(),
        Some("pyproject.toml:8")
    );
    assert_eq!(poetry("", None), None, "nothing for Poetry to build");
    assert_eq!(
        poetry("package-mode = false", Some("my_app/__init__.py")),
        None
    );

    // The image installs it in a stage of its own, after the source, and
    // puts the source under /app first on the path.
    let (_temp, dir) = copy_example("uv-package");
    std::fs::write(dir.join("uv.lock"), "version = 1\n").unwrap();
    let report = init(&options(&dir, false), &mut NoPrompts).unwrap();
    let package = report.plan.install.package.as_ref().unwrap();
    assert_eq!(package.declared.to_string(), "pyproject.toml:15");
    assert!(!package.poetry);
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    for line in [
        "FROM builder AS project\nWORKDIR /src\nCOPY . .\n",
        "python -m pip install --no-deps --target /opt/project .",
        "PYTHONPATH=/app:/opt/project",
        "COPY --from=project /opt/project /opt/project",
    ] {
        assert!(dockerfile.contains(line), "{line}\n{dockerfile}");
    }
}

#[test]
fn a_sqlite_default_beside_the_source_is_pointed_at_the_instance_folder() {
    let settings = "import os\nbasedir = os.path.dirname(os.path.dirname(__file__))\n\
                    class Config:\n    SECRET_KEY = os.getenv('SECRET_KEY', 'dev')\n\
                    \x20   SQLALCHEMY_DATABASE_URI = os.getenv('DATABASE_URL', 'sqlite:///' + os.path.join(basedir, 'data.db'))\n\
                    class TestConfig(Config):\n    SQLALCHEMY_DATABASE_URI = 'sqlite:///:memory:'\n";
    let app = "from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n\
               from blog.settings import Config\napp = Flask(__name__)\napp.config.from_object(Config)\n\
               db = SQLAlchemy(app)\n";
    for (requirements, sqlite) in [
        ("flask==3.1.1\nflask-sqlalchemy==3.1.1\n", true),
        (
            "flask==3.1.1\nflask-sqlalchemy==3.1.1\npsycopg2-binary==2.9.10\n",
            false,
        ),
    ] {
        let temp = tempfile::tempdir().unwrap();
        write_tree(
            temp.path(),
            &[
                ("requirements.txt", requirements),
                ("blog/__init__.py", app),
                ("blog/settings.py", settings),
            ],
        );
        let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
        let env = std::fs::read_to_string(temp.path().join(".env.example")).unwrap();
        let line = env
            .lines()
            .find(|l| l.starts_with("DATABASE_URL="))
            .unwrap();
        let note = report.notes.iter().any(|n| {
            n.contains("sets DATABASE_URL (read at blog/settings.py:5) to `sqlite:////app/instance/app.db`")
        });
        if sqlite {
            assert_eq!(line, "DATABASE_URL=sqlite:////app/instance/app.db");
            assert!(note, "{:?}", report.notes);
        } else {
            assert!(line.starts_with("DATABASE_URL=postgresql"), "{line}");
            assert!(!note);
        }
    }
    // An in-memory database (a test config's) is no file to keep.
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("requirements.txt", "flask==3.1.1\n"),
            (
                "app.py",
                "import os\nfrom flask import Flask\napp = Flask(__name__)\n\
                 URL = os.getenv('DATABASE_URL', 'sqlite://')\nTEST = 'sqlite:///:memory:'\n",
            ),
        ],
    );
    let project = inspect::inspect(temp.path()).unwrap();
    assert!(project.sqlite.is_none());
    assert!(
        !project.warnings.iter().any(|w| w.contains("SQLite")),
        "{:?}",
        project.warnings
    );
}

#[test]
fn a_variable_holding_the_sqlite_files_path_is_pointed_at_the_instance_folder() {
    let app = |default: &str| {
        format!(
            "import os, sqlite3\nfrom flask import Flask\napp = Flask(__name__)\n\
             DB_FILE = os.getenv('NOTES_DB_FILE', '{default}')\n\
             def db():\n    return sqlite3.connect(DB_FILE)\n"
        )
    };
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("requirements.txt", "flask==3.1.1\n"),
            ("app.py", &app("notes.db")),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let env = std::fs::read_to_string(temp.path().join(".env.example")).unwrap();
    assert!(
        env.lines()
            .any(|l| l == "NOTES_DB_FILE=/app/instance/app.db"),
        "{env}"
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("sets NOTES_DB_FILE (read at app.py:4) to `/app/instance/app.db`")),
        "{:?}",
        report.notes
    );
    assert!(
        !report
            .notes
            .iter()
            .any(|n| n.contains("the app uses SQLite"))
    );

    // A default that is no database file (a folder) is left to the user, who is warned.
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("requirements.txt", "flask==3.1.1\n"),
            ("app.py", &app("/var/lib/notes")),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let env = std::fs::read_to_string(temp.path().join(".env.example")).unwrap();
    assert!(!env.contains("NOTES_DB_FILE=/app"), "{env}");
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("the app uses SQLite")),
        "{:?}",
        report.notes
    );
}

#[test]
fn a_flat_layout_setuptools_refuses_to_build_is_not_installed() {
    // setuptools' discovery takes every folder at the root with an
    // identifier's name for a package (templates too) and refuses more than
    // one unless `packages` says which: `pip install .` fails.
    let inspect_tree = |pyproject: &str, extra: &[(&str, &str)]| {
        let temp = tempfile::tempdir().unwrap();
        let files = [
            (
                "shop/__init__.py",
                "from flask import Flask\napp = Flask(__name__)\n",
            ),
            ("templates/index.html", "<p>hi</p>\n"),
            ("tests/test_shop.py", ""),
            ("pyproject.toml", pyproject),
        ];
        write_tree(temp.path(), &[&files[..], extra].concat());
        inspect::inspect(temp.path()).unwrap()
    };
    let project = "[project]\nname = \"shop\"\nversion = \"1\"\ndependencies = [\"flask\"]\n";
    let setuptools =
        "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n";
    let refused = inspect_tree(&format!("{project}{setuptools}"), &[]);
    assert!(refused.packaged.is_none());
    assert!(
        refused.warnings.iter().any(|w| w.starts_with(
            "pyproject.toml: setuptools finds several top-level packages at the root (shop, templates)"
        )),
        "{:?}",
        refused.warnings
    );
    // Told which packages, given a `setup.py` that may, or with another
    // backend: it builds (the `tests` folder never counted).
    for (pyproject, extra) in [
        (
            format!("{project}{setuptools}[tool.setuptools]\npackages = [\"shop\"]\n"),
            &[][..],
        ),
        (format!("{project}{setuptools}"), &[("setup.py", "")][..]),
        (
            format!(
                "{project}[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n"
            ),
            &[][..],
        ),
    ] {
        let built = inspect_tree(&pyproject, extra);
        assert!(built.packaged.is_some(), "{pyproject} {extra:?}");
        assert!(
            !built
                .warnings
                .iter()
                .any(|w| w.contains("setuptools finds"))
        );
    }
    // Two top-level modules and no package are refused the same way.
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("models.py", ""),
            ("manage.py", ""),
            ("pyproject.toml", &format!("{project}{setuptools}")),
        ],
    );
    let modules = inspect::inspect(temp.path()).unwrap();
    assert!(modules.packaged.is_none());
    assert!(
        modules
            .warnings
            .iter()
            .any(|w| w.contains("top-level modules at the root (app, models)")),
        "{:?}",
        modules.warnings
    );
}

#[test]
fn a_driver_only_the_lock_pins_gets_its_build_and_runtime_packages() {
    let temp = tempfile::tempdir().unwrap();
    let lock = r#"{
    "_meta": {"hash": {"sha256": "x"}, "pipfile-spec": 6, "requires": {}, "sources": []},
    "default": {
        "flask": {"hashes": ["sha256:aa"], "version": "==3.1.1"},
        "psycopg2": {"hashes": ["sha256:bb"], "version": "==2.9.10"}
    },
    "develop": {}
}
"#;
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("Pipfile", "[packages]\nflask = \"*\"\n"),
            ("Pipfile.lock", lock),
        ],
    );
    let project = inspect::inspect(temp.path()).unwrap();
    let on_python = project.on_python("3.12".parse().unwrap());
    let names = |facts: &[flaskdock::inspect::Fact<String>]| -> Vec<String> {
        facts.iter().map(|f| f.value.clone()).collect()
    };
    // The lock installs psycopg2, a stale entry or not: it compiles and links libpq.
    assert_eq!(names(&on_python.build), ["gcc", "libpq-dev"]);
    assert_eq!(names(&on_python.runtime), ["libpq5"]);
    assert!(
        on_python.build[1]
            .source
            .to_string()
            .starts_with("Pipfile.lock:")
    );
    // A database service is still the declared dependencies' to ask for.
    assert!(project.database.is_none());
}

#[test]
fn flask_script_setup_commands_keep_their_names_and_dev_variants_are_left_out() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("requirements.txt", "flask==1.1.4\nflask-script==2.0.6\n"),
            (
                "manage.py",
                "from flask import Flask\nfrom flask_script import Manager\n\
                 app = Flask(__name__)\nmanager = Manager(app)\n\n\
                 @manager.command\ndef recreate_db():\n    pass\n\n\
                 @manager.command\ndef setup_dev():\n    pass\n\n\
                 @manager.command\ndef setup_prod():\n    pass\n\n\
                 @manager.command\ndef run_worker():\n    pass\n",
            ),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let steps: Vec<&str> = report
        .plan
        .setup_steps
        .iter()
        .map(|s| s.command.as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "python manage.py recreate_db",
            "python manage.py setup_prod"
        ]
    );
}

#[test]
fn flask_assets_may_add_its_bundles_to_the_static_folder_kept_in_the_image() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("requirements.txt", "flask==3.1.1\nflask-assets==2.1.0\n"),
            (
                "shop/__init__.py",
                "from flask import Flask\nfrom flask_assets import Bundle, Environment\n\
                 app = Flask(__name__)\nassets = Environment(app)\n\
                 assets.register('css', Bundle('css/a.css', output='gen/packed.css'))\n",
            ),
            ("shop/static/css/a.css", "body { color: red }\n"),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let shared: Vec<&str> = report.plan.shared_dirs.iter().map(|d| d.as_str()).collect();
    assert_eq!(shared, ["/app/shop/static"]);
    assert!(
        !report
            .plan
            .writable_dirs
            .iter()
            .any(|d| d.as_str() == "/app/shop/static"),
        "never a volume: it would keep an old release's files"
    );
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("chmod 1775 /app/shop/static"),
        "{dockerfile}"
    );
}

#[test]
fn an_optional_server_name_without_a_default_stays_unset() {
    // Unset, Flask answers every host: setting it would make every other one a 404.
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("requirements.txt", "flask==3.1.1\n"),
            (
                "app.py",
                "import os\nfrom flask import Flask\napp = Flask(__name__)\n\
                 app.config['SERVER_NAME'] = os.environ.get('SERVER_NAME')\n",
            ),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let env = std::fs::read_to_string(temp.path().join(".env.example")).unwrap();
    assert!(env.contains("\n# SERVER_NAME=\n"), "{env}");
    assert!(!report.notes.iter().any(|n| n.contains("sets SERVER_NAME")));
}

#[test]
fn flasks_server_name_is_given_the_published_host_and_is_no_longer_asked_for() {
    for (read, required) in [
        ("os.environ.get('SERVER_NAME', 'app.docker:5000')", false),
        ("os.environ['SERVER_NAME']", true),
    ] {
        let temp = tempfile::tempdir().unwrap();
        let app = format!(
            "import os\nfrom flask import Flask\napp = Flask(__name__)\n\
             app.config['SERVER_NAME'] = {read}\nTOKEN = os.environ['API_TOKEN']\n"
        );
        write_tree(
            temp.path(),
            &[("requirements.txt", "flask==3.1.1\n"), ("app.py", &app)],
        );
        let mut opts = options(temp.path(), false);
        opts.flags.port = Some(8080);
        opts.flags.kubernetes = Some(true);
        let report = init(&opts, &mut NoPrompts).unwrap();
        let env = std::fs::read_to_string(temp.path().join(".env.example")).unwrap();
        assert!(env.contains("\nSERVER_NAME=localhost:8080\n"), "{env}");
        // Behind the Ingress it is the Ingress's host, in the ConfigMap.
        let k8s = |path: &str| std::fs::read_to_string(temp.path().join(path)).unwrap();
        let config = k8s("k8s/base/config.env");
        let line = config
            .lines()
            .find(|l| l.starts_with("SERVER_NAME="))
            .unwrap_or_else(|| panic!("{config}"));
        assert!(line.ends_with(".example.com"), "{line}");
        assert!(!k8s("k8s/overlays/dev/secrets.env.example").contains("SERVER_NAME"));
        let asked = report
            .notes
            .iter()
            .find(|n| n.contains("needs these variables at startup"))
            .unwrap();
        assert!(asked.ends_with(": API_TOKEN"), "{required}: {asked}");
        assert!(
            report.notes.iter().any(|n| n.starts_with(
                "`.env.example` sets SERVER_NAME (read at app.py:4) to `localhost:8080`"
            )),
            "{:?}",
            report.notes
        );
    }
}

#[test]
fn an_app_in_a_subfolder_with_its_own_requirements_is_pointed_at() {
    let project = inspect_tree(&[
        ("client/package.json", "{\"name\": \"client\"}\n"),
        (
            "server/app.py",
            "from flask import Flask\napp = Flask(__name__)\n",
        ),
        (
            "server/requirements.txt",
            "flask==3.1.1\nflask-cors==6.0.0\n",
        ),
    ]);
    assert!(
        project.warnings.iter().any(|w| w
            == "the app (server/app.py) has its own `server/requirements.txt` and the root has no dependency file: run `flaskdock init server` to containerize that folder; the files written here install Flask alone"),
        "{:?}",
        project.warnings
    );
    // With a dependency file at the root, the root is the project.
    let project = inspect_tree(&[
        ("requirements.txt", "flask==3.1.1\n"),
        (
            "server/app.py",
            "from flask import Flask\napp = Flask(__name__)\n",
        ),
        ("server/requirements.txt", "flask-cors==6.0.0\n"),
    ]);
    assert!(
        !project
            .warnings
            .iter()
            .any(|w| w.contains("containerize that folder"))
    );
}

#[test]
fn a_release_line_with_an_assignment_runs_through_env_and_the_migration_is_not_repeated() {
    let steps = |release: &str| -> Vec<Vec<String>> {
        let temp = tempfile::tempdir().unwrap();
        let procfile = format!("release: {release}\nweb: gunicorn shop:app\n");
        write_tree(
            temp.path(),
            &[
                (
                    "requirements.txt",
                    "flask==3.1.1\nflask-migrate==4.1.0\npsycopg2-binary==2.9.10\n",
                ),
                (
                    "shop/__init__.py",
                    "from flask import Flask\napp = Flask(__name__)\n",
                ),
                ("migrations/env.py", "# alembic\n"),
                ("Procfile", &procfile),
            ],
        );
        let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
        report
            .plan
            .setup_steps
            .iter()
            .map(|s| s.argv.iter().map(|w| w.to_string()).collect())
            .collect()
    };
    // A shell's `NAME=value cmd` is `env`'s argument for `docker compose run`.
    assert_eq!(
        steps("FLASK_APP=shop:app flask seed-roles"),
        [["env", "FLASK_APP=shop:app", "flask", "seed-roles"]]
    );
    // `flask db upgrade` is compose's migrate service already.
    assert!(steps("FLASK_APP=shop:app flask db upgrade").is_empty());
}

#[test]
fn a_configuration_picked_by_a_variable_that_defaults_to_development_is_pointed_out() {
    for (default, noted) in [("development", true), ("production", false)] {
        let temp = tempfile::tempdir().unwrap();
        let app = format!(
            "import os\nfrom flask import Flask\n\ndef create_app(name):\n    return Flask(__name__)\n\n\
             app = create_app(os.getenv('FLASK_CONFIG', '{default}'))\n"
        );
        write_tree(
            temp.path(),
            &[("requirements.txt", "flask==3.1.1\n"), ("wsgi.py", &app)],
        );
        let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
        let note = report
            .notes
            .iter()
            .find(|n| n.starts_with("FLASK_CONFIG picks the app's configuration"));
        assert_eq!(note.is_some(), noted, "{:?}", report.notes);
        if let Some(note) = note {
            assert!(
                note.contains("defaults to `development` (wsgi.py:7)"),
                "{note}"
            );
            assert!(note.ends_with("(such as `production`)"), "{note}");
        }
    }
}

#[test]
fn a_database_url_written_for_localhost_is_warned_about_without_its_password() {
    for (uri, warned) in [
        ("'postgresql://app:s3cret@localhost/shop'", true),
        (
            "os.getenv('DATABASE_URL', 'postgresql://localhost/shop')",
            false,
        ),
        (
            "os.environ.get('DATABASE_URL') or 'postgresql://localhost/shop'",
            false,
        ),
        ("'postgresql://app:s3cret@db/shop'", false),
        (
            "os.environ.get('DATABASE_URL', '').replace('postgres://', 'postgresql://')",
            false,
        ),
        // A URL left in a settings module while the app reads its own from
        // the environment (which compose sets): a fallback, not a warning.
        (
            "os.environ['DATABASE_URL']\nPOSTGRES_URI = 'postgresql://localhost/old'  # not used",
            false,
        ),
    ] {
        let code = format!(
            "import os\nfrom flask import Flask\napp = Flask(__name__)\n\
             app.config['SQLALCHEMY_DATABASE_URI'] = {uri}\n"
        );
        let project = inspect_tree(&[
            (
                "requirements.txt",
                "flask==3.1.1\npsycopg2-binary==2.9.10\n",
            ),
            ("app.py", &code),
        ]);
        let warning = project
            .warnings
            .iter()
            .find(|w| w.contains("is written in the code for this machine"));
        assert_eq!(warning.is_some(), warned, "{uri}: {:?}", project.warnings);
        if let Some(warning) = warning {
            assert!(
                warning.starts_with(
                    "app.py:4: the database URL `postgresql://app:***@localhost/shop`"
                ),
                "{warning}"
            );
            assert!(!warning.contains("s3cret"));
        }
    }
}

#[test]
fn a_secret_key_made_at_random_at_start_runs_one_worker_and_one_replica() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("requirements.txt", "flask==3.1.1\n"),
            (
                "app.py",
                "import os\nfrom flask import Flask\napp = Flask(__name__)\napp.secret_key = os.urandom(24)\n",
            ),
        ],
    );
    let mut opts = options(temp.path(), false);
    opts.flags.kubernetes = Some(true);
    let report = init(&opts, &mut NoPrompts).unwrap();
    assert!(
        report
            .project
            .warnings
            .iter()
            .any(|w| w.starts_with("app.py:4: the app makes its `secret_key` at random")),
        "{:?}",
        report.project.warnings
    );
    let read = |path: &str| std::fs::read_to_string(temp.path().join(path)).unwrap();
    let dockerfile = read("Dockerfile");
    let cmd = dockerfile.lines().last().unwrap();
    assert!(
        cmd.contains("\"--workers\", \"1\", \"--threads\", \"8\""),
        "{cmd}"
    );
    assert!(!cmd.contains("WEB_CONCURRENCY"), "{cmd}");
    assert!(read("k8s/base/app.yaml").contains("\n  replicas: 1\n"));

    // Read from the environment, with a random default: `.env` sets it.
    std::fs::write(
        temp.path().join("app.py"),
        "import os\nfrom flask import Flask\napp = Flask(__name__)\napp.secret_key = os.environ.get('SECRET_KEY', os.urandom(24))\n",
    )
    .unwrap();
    let mut opts = options(temp.path(), false);
    opts.mode = Mode::Write { force: true };
    init(&opts, &mut NoPrompts).unwrap();
    assert!(!read("Dockerfile").contains("\"--workers\", \"1\""));
}

#[test]
fn a_port_named_after_the_project_with_a_constant_default_is_its_port() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("shelf-web");
    std::fs::create_dir(&root).unwrap();
    write_tree(
        &root,
        &[
            ("requirements.txt", "flask==3.1.1\n"),
            (
                "shelf/__init__.py",
                "from flask import Flask\ndef create_app():\n    return Flask(__name__)\n",
            ),
            (
                "shelf/constants.py",
                "import os\nDEFAULT_PORT = 8083\nMAIL_PORT = os.environ.get('MAIL_PORT', 25)\nport = int(os.environ.get('SHELF_PORT', DEFAULT_PORT))\n",
            ),
        ],
    );
    let project = inspect::inspect(&root).unwrap();
    let port = project.port.expect("SHELF_PORT's default");
    assert_eq!(port.value, 8083);
    assert_eq!(port.source.to_string(), "shelf/constants.py:4");
    let var = project
        .env_vars
        .iter()
        .find(|v| v.name == "SHELF_PORT")
        .unwrap();
    assert_eq!(var.default.as_deref(), Some("8083"));
}

#[test]
fn a_uv_lock_that_no_longer_matches_pyproject_is_named_before_the_build() {
    let lock = |version: &str, deps: &str| {
        format!(
            "version = 1\nrevision = 2\nrequires-python = \">=3.11\"\n\n[[package]]\nname = \"shop\"\nversion = \"{version}\"\nsource = {{ editable = \".\" }}\ndependencies = []\n\n[package.metadata]\nrequires-dist = [{deps}]\n"
        )
    };
    let pyproject = "[project]\nname = \"Shop\"\nversion = \"1.1\"\nrequires-python = \">=3.11\"\ndependencies = [\"flask>=3\", \"redis\"]\n\n[tool.uv]\npackage = false\n";
    let cases = [
        (
            lock(
                "1.0",
                r#"{ name = "flask", specifier = ">=3" }, { name = "redis" }"#,
            ),
            Some("the project's version is 1.1, the lock's 1.0"),
        ),
        (
            lock("1.1", r#"{ name = "flask", specifier = ">=3" }"#),
            Some("it does not lock `redis`"),
        ),
        (
            lock(
                "1.1",
                r#"{ name = "flask", specifier = ">=3" }, { name = "redis" }, { name = "pytest", marker = "extra == 'test'" }"#,
            ),
            None,
        ),
        // uv writes versions normalized: 1.1 is 1.1.0.
        (
            lock(
                "1.1.0",
                r#"{ name = "flask", specifier = ">=3" }, { name = "redis" }"#,
            ),
            None,
        ),
    ];
    for (lock, drift) in cases {
        let temp = tempfile::tempdir().unwrap();
        write_tree(
            temp.path(),
            &[
                ("pyproject.toml", pyproject),
                ("uv.lock", &lock),
                ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ],
        );
        let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
        let readme = std::fs::read_to_string(temp.path().join("README.Docker.md")).unwrap();
        match drift {
            Some(drift) => {
                assert!(
                    report
                        .project
                        .warnings
                        .iter()
                        .any(|w| w.starts_with(&format!(
                            "`uv.lock` no longer matches `pyproject.toml` ({drift})"
                        ))),
                    "{:?}",
                    report.project.warnings
                );
                assert!(readme.contains("First lock again"), "{readme}");
            }
            None => {
                assert!(
                    !report
                        .project
                        .warnings
                        .iter()
                        .any(|w| w.contains("no longer matches")),
                    "{:?}",
                    report.project.warnings
                );
                assert!(!readme.contains("First lock again"));
            }
        }
    }
}

#[test]
fn the_generic_service_urls_are_written_only_where_the_app_reads_them() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            (
                "app.py",
                "import os\nfrom flask import Flask\napp = Flask(__name__)\napp.config['SQLALCHEMY_DATABASE_URI'] = os.environ['DB_URI']\napp.config['CACHE'] = os.getenv('REDIS_URI', 'redis://localhost')\n",
            ),
            (
                "requirements.txt",
                "flask\nflask-sqlalchemy\npsycopg2-binary\nredis\n",
            ),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let names = |names: &[flaskdock::safe::EnvName]| -> Vec<String> {
        names.iter().map(|n| n.as_str().to_string()).collect()
    };
    assert_eq!(
        names(&report.plan.database.as_ref().unwrap().variables),
        ["DB_URI"]
    );
    assert_eq!(
        names(&report.plan.redis.as_ref().unwrap().variables),
        ["REDIS_URI"]
    );
    let env = std::fs::read_to_string(temp.path().join(".env.example")).unwrap();
    assert!(
        env.contains("\nDB_URI=postgresql+psycopg2://app:change-me@db:5432/app\n"),
        "{env}"
    );
    assert!(env.contains("\nREDIS_URI=redis://redis:6379/0\n"), "{env}");
    assert!(
        !env.contains("DATABASE_URL") && !env.contains("REDIS_URL"),
        "{env}"
    );
    let readme = std::fs::read_to_string(temp.path().join("README.Docker.md")).unwrap();
    assert!(readme.contains("through `DB_URI` in `.env`"), "{readme}");

    // Where no read points at the services, the usual names are the guess.
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            (
                "requirements.txt",
                "flask\nflask-sqlalchemy\npsycopg2-binary\nredis\n",
            ),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    assert_eq!(
        names(&report.plan.database.as_ref().unwrap().variables),
        ["DATABASE_URL"]
    );
    assert_eq!(
        names(&report.plan.redis.as_ref().unwrap().variables),
        ["REDIS_URL"]
    );
    let env = std::fs::read_to_string(temp.path().join(".env.example")).unwrap();
    assert!(
        env.contains("\nDATABASE_URL=postgresql+psycopg2://app:change-me@db:5432/app\n"),
        "{env}"
    );
    assert!(env.contains("\nREDIS_URL=redis://redis:6379/0\n"), "{env}");
}

#[test]
fn a_settings_module_the_repository_leaves_out_is_made_from_its_example() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            (
                "shop/__init__.py",
                "from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    app.config.from_object('shop.local_settings')\n    return app\n",
            ),
            ("shop/local_settings_example.py", "DEBUG = False\n"),
            (
                "wsgi.py",
                "from shop import create_app\napp = create_app()\n",
            ),
            ("requirements.txt", "flask\n"),
            (".gitignore", "shop/local_settings.py\n"),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("RUN test -e shop/local_settings.py || cp -- shop/local_settings_example.py shop/local_settings.py\n"),
        "{dockerfile}"
    );
    // After the source copy, which brings the example in.
    assert!(dockerfile.find("COPY --chmod=755 . .") < dockerfile.find("RUN test -e"));
    let readme = std::fs::read_to_string(temp.path().join("README.Docker.md")).unwrap();
    assert!(
        readme.contains("The app loads `shop/local_settings.py` (shop/\\_\\_init\\_\\_.py:5)"),
        "{readme}"
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("makes it from `shop/local_settings_example.py`")),
        "{:?}",
        report.notes
    );
}

#[test]
fn an_app_made_by_a_subclass_of_flask_is_a_target() {
    let project = inspect_tree(&[
        (
            "shop/__init__.py",
            "from flask import Flask\n\nclass ShopApp(Flask):\n    pass\n\nclass AuditedShopApp(ShopApp):\n    pass\n\ndef create_app():\n    app = AuditedShopApp(__name__)\n    return app\n",
        ),
        // Names no Flask: read because it calls the subclass.
        (
            "serve.py",
            "from shop import ShopApp\napplication = ShopApp('shop')\n",
        ),
        ("requirements.txt", "flask\n"),
    ]);
    let targets: Vec<&str> = project.entries.iter().map(|e| e.target.as_str()).collect();
    assert!(targets.contains(&"serve:application"), "{targets:?}");
    assert!(targets.contains(&"shop:create_app()"), "{targets:?}");
    // A library's subclass, known by its name.
    let project = inspect_tree(&[
        ("reviews/__init__.py", ""),
        (
            "reviews/frontend/__init__.py",
            "from toolkit.web import CustomFlask\n\ndef create_app(config_path=None):\n    app = CustomFlask(import_name=__name__)\n    return app\n",
        ),
        (
            "api.py",
            "from apiflask import APIFlask as Api\napp = Api(__name__)\n",
        ),
        ("requirements.txt", "flask\napiflask\n"),
    ]);
    let targets: Vec<&str> = project.entries.iter().map(|e| e.target.as_str()).collect();
    assert!(
        targets.contains(&"reviews.frontend:create_app()"),
        "{targets:?}"
    );
    assert!(targets.contains(&"api:app"), "{targets:?}");
    // Libraries' subclasses by other names, known by the module they come
    // from; the same name from elsewhere makes nothing.
    let project = inspect_tree(&[
        ("run.py", "import eve\napp = eve.Eve()\n"),
        (
            "docs_api.py",
            "from flask_openapi3 import OpenAPI, Info\napi = OpenAPI(__name__, info=Info(title='t', version='1'))\n",
        ),
        (
            "browsable.py",
            "from flask_api import FlaskAPI\nweb = FlaskAPI(__name__)\n",
        ),
        ("requirements.txt", "eve\nflask-openapi3\nflask-api\n"),
    ]);
    let mut targets: Vec<&str> = project.entries.iter().map(|e| e.target.as_str()).collect();
    targets.sort_unstable();
    assert_eq!(targets, ["browsable:web", "docs_api:api", "run:app"]);
    let project = inspect_tree(&[
        (
            "spec.py",
            "from schema import OpenAPI\nspec = OpenAPI('x')\n",
        ),
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        ("requirements.txt", "flask\n"),
    ]);
    let targets: Vec<&str> = project.entries.iter().map(|e| e.target.as_str()).collect();
    assert_eq!(targets, ["app:app"]);
    // A class that is not a Flask app makes nothing.
    let project = inspect_tree(&[
        (
            "forms.py",
            "from flask_wtf import FlaskForm\n\nclass LoginForm(FlaskForm):\n    pass\n\nform = LoginForm()\n",
        ),
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        ("requirements.txt", "flask\nflask-wtf\n"),
    ]);
    let targets: Vec<&str> = project.entries.iter().map(|e| e.target.as_str()).collect();
    assert_eq!(targets, ["app:app"]);
}

#[test]
fn a_dash_app_is_served_through_the_flask_server_it_names() {
    let inspect = |files: &[(&str, &str)]| {
        let mut tree = vec![("requirements.txt", "dash\n")];
        tree.extend_from_slice(files);
        inspect_tree(&tree)
    };
    let entry = |project: &flaskdock::inspect::Project| {
        project.entries.first().expect("a target").target.clone()
    };
    // One module: the Dash app, its server, and Dash's port.
    let project = inspect(&[(
        "app.py",
        "import dash\nfrom dash import html\n\napp = dash.Dash(__name__)\nserver = app.server\napp.layout = html.Div('hi')\n\nif __name__ == '__main__':\n    app.run(debug=True)\n",
    )]);
    assert_eq!(entry(&project), "app:server");
    let port = project.port.as_ref().expect("a port");
    assert_eq!(port.value, 8050);
    assert!(
        port.source
            .note
            .as_deref()
            .is_some_and(|n| n.starts_with("Dash's default")),
        "{port:?}"
    );
    // A multi-page app: the Dash app made in one module, its server named
    // in the module that imports it; the older `run_server` with a port.
    let project = inspect(&[
        ("app.py", "from dash import Dash\napp = Dash(__name__)\n"),
        (
            "index.py",
            "from dash import dcc, html\nfrom app import app\n\napp.layout = html.Div([dcc.Location(id='url')])\nserver = app.server\n\nif __name__ == '__main__':\n    app.run_server(debug=True, port=8051)\n",
        ),
    ]);
    assert_eq!(entry(&project), "index:server");
    assert_eq!(project.port.as_ref().map(|p| p.value), Some(8051));
    // Made by the project's own factory: a Flask app has no `server`, so
    // the module's `server` is what gunicorn serves, not `app`.
    let project = inspect(&[
        ("board/__init__.py", ""),
        (
            "board/layout.py",
            "from dash import Dash, html\n\ndef create_app():\n    app = Dash(__name__)\n    app.layout = html.Div('x')\n    return app\n",
        ),
        (
            "wsgi.py",
            "from board.layout import create_app\napp = create_app()\nserver = app.server\n\nif __name__ == '__main__':\n    app.run()\n",
        ),
    ]);
    assert_eq!(entry(&project), "wsgi:server");
    assert_eq!(project.port.as_ref().map(|p| p.value), Some(8050));
    // Embedded in the project's Flask app: that app is the target, and its
    // own `run()` is Flask's.
    let project = inspect(&[(
        "app.py",
        "from flask import Flask\nfrom dash import Dash\n\nserver = Flask(__name__)\ndash_app = Dash(__name__, server=server, url_base_pathname='/dash/')\n\nif __name__ == '__main__':\n    server.run()\n",
    )]);
    assert_eq!(entry(&project), "app:server");
    assert_eq!(project.port.as_ref().map(|p| p.value), Some(5000));
    // No server named: nothing gunicorn can import, and `init` says what to add.
    let files = [
        ("requirements.txt", "dash\n"),
        ("app.py", "import dash\napp = dash.Dash(__name__)\n"),
    ];
    let project = inspect_tree(&files);
    assert!(project.entries.is_empty(), "{:?}", project.entries);
    let error = init_error(&files);
    assert!(
        error.contains("app.py:2: `app` is a Dash app")
            && error.contains("add `server = app.server`"),
        "{error}"
    );
}

#[test]
fn an_app_made_in_a_method_is_no_target_and_init_says_why() {
    let files = [
        ("requirements.txt", "flask\ngevent\n"),
        (
            "backend/server.py",
            "from flask import Flask\n\nclass APIServer:\n    def __init__(self, rest_api):\n        flask_app = Flask(__name__)\n        self.flask_app = flask_app\n",
        ),
    ];
    let error = init_error(&files);
    assert!(
        error.contains("backend/server.py:5: the Flask app is made in `APIServer.__init__`"),
        "{error}"
    );
}

#[test]
fn the_module_that_imports_runs_and_completes_the_app_is_the_target() {
    // `site/app.py` makes the app; `site/web.py` imports it, imports the
    // package's modules that register blueprints on it, and runs it.
    let files = [
        ("requirements.txt", "flask\n"),
        ("site/__init__.py", ""),
        (
            "site/app.py",
            "from flask import Flask\napp = Flask(__name__)\n",
        ),
        (
            "site/pages/__init__.py",
            "from flask import Blueprint\nfrom site.app import app\npages = Blueprint('pages', __name__)\napp.register_blueprint(pages)\n",
        ),
        (
            "site/web.py",
            "from .app import app\nfrom . import pages\n\ndef main():\n    app.run(port=8123)\n",
        ),
        // Imports the app and runs it, but adds nothing to it: not preferred.
        (
            "run.py",
            "from site.app import app\n\nif __name__ == '__main__':\n    app.run()\n",
        ),
    ];
    let project = inspect_tree(&files);
    let targets: Vec<&str> = project.entries.iter().map(|e| e.target.as_str()).collect();
    assert_eq!(targets.first(), Some(&"site.web:app"), "{targets:?}");
    assert!(!targets.contains(&"run:app"), "{targets:?}");
}

#[test]
fn a_start_command_naming_an_object_its_module_lacks_is_warned_about() {
    let project = inspect_tree(&[
        ("requirements.txt", "flask\ngunicorn\n"),
        ("Procfile", "web: gunicorn app:application\n"),
        (
            "app.py",
            "from flask import Flask\nif True:\n    app = Flask(__name__)\n",
        ),
    ]);
    assert_eq!(project.entries[0].target, "app:application");
    assert!(
        project.warnings.iter().any(|w| w.starts_with("Procfile:1: gunicorn is to serve `app:application`, but app.py defines no `application`")),
        "{:?}",
        project.warnings
    );
    // Bound in a branch, by an import or a star import: no warning.
    for app in [
        "from flask import Flask\ntry:\n    application = Flask(__name__)\nexcept ImportError:\n    raise\n",
        "from shop import app as application\n",
        "from shop import *\n",
    ] {
        let project = inspect_tree(&[
            ("requirements.txt", "flask\ngunicorn\n"),
            ("Procfile", "web: gunicorn app:application\n"),
            (
                "shop.py",
                "from flask import Flask\napp = Flask(__name__)\n",
            ),
            ("app.py", app),
        ]);
        assert!(
            !project.warnings.iter().any(|w| w.contains("defines no")),
            "{app}: {:?}",
            project.warnings
        );
    }
}

#[test]
fn the_sites_uwsgi_config_wins_over_another_services_and_may_be_a_template() {
    let project = inspect_tree(&[
        ("requirements.txt", "flask\nuwsgi\n"),
        ("site/__init__.py", ""),
        (
            "site/web.py",
            "from flask import Flask\napplication = Flask(__name__)\n",
        ),
        (
            "site/compat.py",
            "from flask import Flask\napplication = Flask(__name__)\n",
        ),
        (
            "docker/services/compat/uwsgi-compat.ini",
            "[uwsgi]\nsocket = 0.0.0.0:3032\nmodule = site.compat\ncallable = application\n",
        ),
        (
            "docker/services/uwsgi/uwsgi.ini.ctmpl",
            "[uwsgi]\nsocket = 0.0.0.0:3031\nmodule = site.web\ncallable = application\nprocesses = {{ key \"processes\" }}\n",
        ),
    ]);
    assert_eq!(project.entries[0].target, "site.web:application");
    assert_eq!(project.port.as_ref().map(|p| p.value), Some(3031));
}

#[test]
fn a_root_script_that_creates_the_tables_is_named_when_no_migration_makes_them() {
    let app = "import os\nfrom flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n\n\
               url = os.getenv('DATABASE_URL', 'sqlite:///blog.db')\n\
               app = Flask(__name__)\napp.config['SQLALCHEMY_DATABASE_URI'] = url\ndb = SQLAlchemy(app)\n";
    let create_db =
        "from blog.app import app, db\n\nwith app.app_context():\n    db.create_all()\n";
    let files = [
        ("blog/__init__.py", ""),
        ("blog/app.py", app),
        ("create_db.py", create_db),
        (
            "requirements.txt",
            "flask\nflask-sqlalchemy\npsycopg2-binary\n",
        ),
    ];
    let project = inspect_tree(&files);
    let steps: Vec<(&str, String)> = project
        .setup_steps
        .iter()
        .map(|s| (s.value.as_str(), s.source.to_string()))
        .collect();
    assert_eq!(
        steps,
        [("python create_db.py", "create_db.py:4".to_string())]
    );
    // SQLite is only the fallback of the URL compose sets for PostgreSQL.
    assert!(
        !project.warnings.iter().any(|w| w.contains("SQLite")),
        "{:?}",
        project.warnings
    );
    // Without a database driver the app uses SQLite, in the file
    // `.env.example` points the URL at (the instance folder, a volume).
    let mut bare = files.to_vec();
    bare[3] = ("requirements.txt", "flask\nflask-sqlalchemy\n");
    let project = inspect_tree(&bare);
    assert!(
        !project.warnings.iter().any(|w| w.contains("SQLite")),
        "{:?}",
        project.warnings
    );
    // A SQLite URL the environment cannot change is warned about.
    bare[1] = (
        "blog/app.py",
        "from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n\n\
         app = Flask(__name__)\napp.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite:///blog.db'\ndb = SQLAlchemy(app)\n",
    );
    let project = inspect_tree(&bare);
    assert!(
        project
            .warnings
            .iter()
            .any(|w| w.contains("the app uses SQLite")),
        "{:?}",
        project.warnings
    );
    // Migrations the image runs make the tables: the script is not named.
    let mut migrated = files.to_vec();
    migrated[3] = (
        "requirements.txt",
        "flask\nflask-sqlalchemy\nflask-migrate\npsycopg2-binary\n",
    );
    migrated.push(("migrations/env.py", "from alembic import context\n"));
    migrated.push((
        "migrations/versions/0001_posts.py",
        "from alembic import op\nimport sqlalchemy as sa\nrevision = '0001'\ndown_revision = None\n\ndef upgrade():\n    op.create_table('post', sa.Column('id', sa.Integer))\n",
    ));
    let project = inspect_tree(&migrated);
    assert!(project.setup_steps.is_empty(), "{:?}", project.setup_steps);
}

#[test]
fn servers_flaskdock_runs_no_service_for_are_named_with_their_client() {
    let project = inspect_tree(&[
        (
            "app.py",
            "from flask import Flask\nfrom flask_pymongo import PyMongo\napp = Flask(__name__)\nmongo = PyMongo(app)\n",
        ),
        (
            "requirements.txt",
            "flask\nFlask-PyMongo==2.3.0\npymongo\npymemcache\nredis\n",
        ),
    ]);
    let found: Vec<(&str, &str, String)> = project
        .unserved
        .iter()
        .map(|f| {
            (
                f.value.server,
                f.value.package.as_str(),
                f.source.to_string(),
            )
        })
        .collect();
    // Each server once, through the first client listed; Redis is a service.
    assert_eq!(
        found,
        [
            ("MongoDB", "flask-pymongo", "requirements.txt:2".to_string()),
            ("memcached", "pymemcache", "requirements.txt:4".to_string()),
        ]
    );
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("requirements.txt", "flask\npymongo\n"),
        ],
    );
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let readme = std::fs::read_to_string(temp.path().join("README.Docker.md")).unwrap();
    assert!(
        readme.contains("include a client for MongoDB (`pymongo`, requirements.txt:2)"),
        "{readme}"
    );
    assert!(
        report.notes.iter().any(|n| n.starts_with(
            "the app's dependencies include a client for MongoDB (`pymongo`, requirements.txt:2)"
        )),
        "{:?}",
        report.notes
    );
}
