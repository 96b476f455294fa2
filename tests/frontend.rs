//! Front-end builds: a `package.json` with a `build` script becomes a Node
//! stage whose output alone reaches the runtime image.

use flaskdock::init;

use crate::common::{NoPrompts, options, write_tree};

const APP: (&str, &str) = (
    "app.py",
    "from flask import Flask\n\napp = Flask(__name__)\n",
);

/// `init` on `files` (plus a one-file app): the Dockerfile and the notes.
fn generate(files: &[(&str, &str)]) -> (String, Vec<String>, flaskdock::InitReport) {
    let temp = tempfile::tempdir().unwrap();
    let mut all = vec![APP, ("requirements.txt", "Flask==3.1.3\n")];
    all.extend_from_slice(files);
    write_tree(temp.path(), &all);
    let report = init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let dockerfile = std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap();
    (dockerfile, report.notes.clone(), report)
}

/// The folders the runtime stage copies from the Node stage.
fn outputs(frontend: &flaskdock::plan::FrontendPlan) -> Vec<&str> {
    frontend.outputs.iter().map(|o| o.as_str()).collect()
}

fn package_json(build: &str, extra: &str) -> String {
    format!(
        "{{\n  \"name\": \"web\",\n  \"private\": true,{extra}\n  \"scripts\": {{\n    \"dev\": \"vite\",\n    \"build\": {}\n  }}\n}}\n",
        serde_json::to_string(build).unwrap()
    )
}

#[test]
fn an_npm_build_with_a_lock_runs_npm_ci_and_keeps_only_its_output() {
    let manifest = package_json(
        "esbuild assets/app.js --bundle --outfile=static/js/app.js",
        "\n  \"engines\": { \"node\": \">=18 <21\" },",
    );
    let (dockerfile, notes, report) = generate(&[
        ("package.json", &manifest),
        ("package-lock.json", "{\"lockfileVersion\": 3}\n"),
        ("assets/app.js", "console.log('hi');\n"),
        ("static/logo.txt", "logo\n"),
    ]);
    let frontend = report.plan.frontend.as_ref().expect("a Node stage");
    // `engines.node` allows 18 to 20: the newest LTS it allows.
    assert_eq!(frontend.node_version.as_str(), "20");
    assert!(dockerfile.contains("ARG NODE_VERSION=20\n"), "{dockerfile}");
    assert!(
        dockerfile.contains("FROM node:${NODE_VERSION}-slim AS assets\n"),
        "{dockerfile}"
    );
    // The manifest and lock before the source, so the install stays cached.
    let install = dockerfile
        .find("RUN --mount=type=cache,target=/root/.npm \\\n    npm ci\n")
        .expect("npm ci with a cache mount");
    let lock = dockerfile
        .find("COPY [\"package-lock.json\", \"./package-lock.json\"]")
        .unwrap();
    let source = dockerfile[install..].find("COPY . .").unwrap() + install;
    let build = dockerfile.find("RUN npm run build\n").unwrap();
    assert!(
        lock < install && install < source && source < build,
        "{dockerfile}"
    );
    // The runtime stage copies the bundle's folder from the Node stage, after the source.
    let copy = dockerfile
        .find("COPY --from=assets [\"/app/static/js\", \"./static/js\"]")
        .expect("the output copied");
    assert!(
        copy > dockerfile.find("COPY --chmod=755 . .").unwrap(),
        "{dockerfile}"
    );
    assert!(
        notes.iter().any(|n| n.contains("Node 20 stage (`npm ci`")),
        "{notes:?}"
    );
    assert!(
        !notes.iter().any(|n| n.contains("no lock file")),
        "{notes:?}"
    );
}

#[test]
fn a_front_end_in_a_subfolder_builds_there_with_its_own_manager_and_node() {
    let manifest = package_json("vite build", "");
    let (dockerfile, _, report) = generate(&[
        ("frontend/package.json", &manifest),
        ("frontend/yarn.lock", "# yarn lockfile v1\n"),
        ("frontend/.nvmrc", "lts/iron\n"),
        (
            "frontend/vite.config.js",
            "export default {\n  build: {\n    outDir: '../app/static/build',\n  },\n};\n",
        ),
    ]);
    let frontend = report.plan.frontend.as_ref().expect("a Node stage");
    assert_eq!(frontend.node_version.as_str(), "20");
    assert_eq!(frontend.node_source.as_str(), "frontend/.nvmrc:1");
    assert!(
        dockerfile.contains("COPY [\"frontend/yarn.lock\", \"./frontend/yarn.lock\"]"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains(
            "    corepack enable \\\n    && yarn --cwd frontend install --frozen-lockfile\n"
        ),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("RUN yarn --cwd frontend run build\n"),
        "{dockerfile}"
    );
    // Vite's outDir, relative to the config's folder, from the root; the
    // project commits nothing in `app/static`, so the build makes it whole.
    assert!(
        dockerfile.contains("[\"/app/app/static\", \"./app/static\"]"),
        "{dockerfile}"
    );
}

#[test]
fn a_build_that_names_no_output_keeps_the_static_folder_and_no_lock_is_warned_about() {
    let manifest = package_json("postcss src/site.css -d static/css", "");
    let (dockerfile, notes, _) =
        generate(&[("package.json", &manifest), ("static/site.txt", "x\n")]);
    // `-d` names the folder.
    assert!(
        dockerfile.contains("[\"/app/static/css\", \"./static/css\"]"),
        "{dockerfile}"
    );
    assert!(dockerfile.contains("    npm install\n"), "{dockerfile}");
    assert!(
        dockerfile.contains("# No lock file is committed"),
        "{dockerfile}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("warning: the front end has no lock file")),
        "{notes:?}"
    );

    let manifest = package_json("gulp", "");
    let (dockerfile, _, report) = generate(&[
        ("package.json", &manifest),
        ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
        ("static/site.txt", "x\n"),
    ]);
    // gulp without a gulpfile naming `dest()`: the static folder is the output.
    let frontend = report.plan.frontend.as_ref().unwrap();
    assert_eq!(outputs(frontend), ["static"]);
    assert!(
        dockerfile.contains("pnpm install --frozen-lockfile\n"),
        "{dockerfile}"
    );
}

#[test]
fn package_files_without_a_build_are_not_a_front_end() {
    let (dockerfile, _, report) = generate(&[(
        "package.json",
        "{\"name\": \"tools\", \"scripts\": {\"lint\": \"eslint .\"}}\n",
    )]);
    assert!(report.plan.frontend.is_none());
    assert!(!dockerfile.contains("AS assets"), "{dockerfile}");
    // Tooling and test folders are never the app's front end.
    let manifest = package_json("webpack", "");
    let (_, _, report) = generate(&[
        ("docs/package.json", &manifest),
        ("tests/e2e/package.json", &manifest),
    ]);
    assert!(report.plan.frontend.is_none());
}

/// A `package.json` without a build whose packages the app serves itself
/// (`node_modules/` in a template, or in Flask-Assets' bundles, both read in
/// the static folder): a Node stage installs them, and only they reach the
/// runtime image, where the app looks for them.
#[test]
fn packages_the_app_serves_as_installed_are_installed_and_copied_where_it_looks() {
    let vendored =
        "{\n  \"name\": \"shop\",\n  \"dependencies\": {\n    \"bootstrap\": \"5.3.8\"\n  }\n}\n";
    let page = "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='node_modules/bootstrap/dist/css/bootstrap.css') }}\">\n";
    // `package.json` in the static folder: served from beside it.
    let (dockerfile, notes, report) = generate(&[
        ("static/package.json", vendored),
        ("static/package-lock.json", "{\"lockfileVersion\": 3}\n"),
        ("templates/base.html", page),
    ]);
    let frontend = report.plan.frontend.as_ref().expect("a Node stage");
    assert!(frontend.build.is_empty());
    assert_eq!(outputs(frontend), ["static/node_modules"]);
    assert!(
        dockerfile.contains("npm --prefix static ci"),
        "{dockerfile}"
    );
    assert!(!dockerfile.contains("run build"), "{dockerfile}");
    assert!(
        dockerfile.contains(
            "COPY --from=assets [\"/app/static/node_modules\", \"./static/node_modules\"]"
        ),
        "{dockerfile}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("no build: the app serves the installed packages")),
        "{notes:?}"
    );
    // At the root, with Flask-Assets bundling them from the package's static folder.
    let assets = "from flask_assets import Bundle\njs = Bundle('node_modules/jquery/dist/jquery.js', output='generated/main.js')\n";
    let (dockerfile, _, report) = generate(&[
        ("package.json", vendored),
        ("yarn.lock", "# yarn lockfile v1\n"),
        (
            "shop/__init__.py",
            "from flask import Flask\napp = Flask(__name__)\n",
        ),
        ("shop/static/site.css", "body {}\n"),
        ("shop/assets.py", assets),
    ]);
    let frontend = report.plan.frontend.as_ref().expect("a Node stage");
    assert_eq!(outputs(frontend), ["shop/static/node_modules"]);
    assert!(
        dockerfile
            .contains("COPY --from=assets [\"/app/node_modules\", \"./shop/static/node_modules\"]"),
        "{dockerfile}"
    );
    // Packages nothing of the app names are no front end.
    let (_, _, report) = generate(&[("package.json", vendored)]);
    assert!(report.plan.frontend.is_none());
    // README.Docker.md says what the stage does.
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            APP,
            ("static/package.json", vendored),
            ("templates/base.html", page),
        ],
    );
    init(&options(temp.path(), false), &mut NoPrompts).unwrap();
    let readme = std::fs::read_to_string(temp.path().join("README.Docker.md")).unwrap();
    assert!(
        readme.contains("The app serves its front-end packages as installed"),
        "{readme}"
    );
    assert!(readme.contains("`static/node_modules`"), "{readme}");
}

#[test]
fn a_broken_package_json_is_a_warning_naming_it() {
    let (dockerfile, notes, _) = generate(&[("package.json", "{\"scripts\": {\"build\": ")]);
    assert!(!dockerfile.contains("AS assets"), "{dockerfile}");
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("warning: skipped package.json: not valid JSON")),
        "{notes:?}"
    );
}

#[test]
fn outputs_outside_the_project_or_with_shell_syntax_are_never_copied() {
    for build in [
        "esbuild a.js --outdir=../../etc",
        "esbuild a.js --outdir=/usr/local",
        "esbuild a.js --outdir=static/$(id)",
        "esbuild a.js --outdir=node_modules/x",
    ] {
        let manifest = package_json(build, "");
        let (dockerfile, notes, report) = generate(&[("package.json", &manifest)]);
        // Nothing else names an output, and there is no static folder.
        assert!(report.plan.frontend.is_none(), "{build}: {dockerfile}");
        assert!(
            notes.iter().any(|n| n.contains("names no output folder")),
            "{build}: {notes:?}"
        );
    }
}

#[test]
fn a_build_that_also_runs_python_runs_its_node_commands_and_names_the_rest() {
    // cookiecutter-flask's shape: an OS-dispatching build whose webpack run is
    // followed by Flask-Static-Digest's `flask digest compile`.
    let manifest = r#"{
  "scripts": {
    "build": "run-script-os",
    "build:win32": "SET NODE_ENV=production && webpack",
    "build:default": "NODE_ENV=production webpack --progress && npm run digest",
    "digest": "flask digest compile"
  }
}
"#;
    let (dockerfile, notes, report) = generate(&[
        ("package.json", manifest),
        (
            "webpack.config.js",
            "module.exports = {\n  output: {\n    path: path.join(__dirname, \"shop\", \"static\", \"build\"),\n  },\n};\n",
        ),
    ]);
    let frontend = report.plan.frontend.as_ref().expect("a Node stage");
    // Nothing is committed in `shop/static`: the build makes it whole.
    assert_eq!(outputs(frontend), ["shop/static"]);
    assert!(
        dockerfile.contains(
            "RUN sh -c 'PATH=\"$PWD/node_modules/.bin:$PATH\"; NODE_ENV=production webpack --progress'\n"
        ),
        "{dockerfile}"
    );
    assert!(!dockerfile.contains("npm run build"), "{dockerfile}");
    assert!(!dockerfile.contains("RUN flask"), "{dockerfile}");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("leaves out `flask digest compile`")),
        "{notes:?}"
    );
    // The stage ran the script's Node commands, not the script.
    assert!(
        notes
            .iter()
            .any(|n| n.contains("then the Node commands of the `build` script at")),
        "{notes:?}"
    );
}

/// An output folder set to an expression (`outDir: PATH.dist`) is not
/// Vite's default `dist`: with nothing readable, the static folder is what
/// the build is taken to fill. Without any `outDir`, the default stands.
#[test]
fn an_output_folder_written_as_an_expression_is_not_taken_for_the_default() {
    let manifest = package_json("vite build", "");
    let config = "const PATH = { dist: resolve('../shop/static/') };\nexport default { build: { outDir: PATH.dist } };\n";
    let (dockerfile, _, _) = generate(&[
        ("client/package.json", &manifest),
        ("client/vite.config.ts", config),
        ("shop/__init__.py", ""),
        ("shop/static/site.css", "body {}\n"),
    ]);
    assert!(
        dockerfile.contains("[\"/app/shop/static\", \"./shop/static\"]"),
        "{dockerfile}"
    );
    assert!(!dockerfile.contains("client/dist"), "{dockerfile}");
    let (dockerfile, _, _) = generate(&[
        ("client/package.json", &manifest),
        (
            "client/vite.config.ts",
            "export default { build: { minify: true } };\n",
        ),
    ]);
    assert!(
        dockerfile.contains("[\"/app/client/dist\", \"./client/dist\"]"),
        "{dockerfile}"
    );
}

/// A build that is a Python task runner alone (`doit run deploy`, which
/// drives the bundlers itself) leaves a Node stage nothing to run: no stage,
/// and a warning, never an empty `RUN`.
#[test]
fn a_build_that_runs_python_alone_gets_no_node_stage() {
    let manifest = r#"{
  "scripts": {
    "build": "doit run deploy"
  }
}
"#;
    let (dockerfile, notes, report) = generate(&[("package.json", manifest)]);
    assert!(report.plan.frontend.is_none(), "{dockerfile}");
    assert!(!dockerfile.contains("AS assets"), "{dockerfile}");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("runs Python only (`doit run deploy`)")),
        "{notes:?}"
    );
}
