//! How the builder stage installs the dependencies: the kind of install,
//! the manifests copied before the source, the pinned tools, and the
//! install's `RUN` itself, word by word.

use serde::{Deserialize, Serialize};

use crate::inspect::{Install, LockExport, PackageBuilder, Packaged};
use crate::safe::{EnvName, Text};

/// How the builder installs the dependencies; templates compare it with the
/// lower-case name (`install.kind == "poetry"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstallKind {
    /// `pip install -r` a requirements file.
    Requirements,
    /// `[project].dependencies` of `pyproject.toml`.
    Pyproject,
    Poetry,
    Pdm,
    Uv,
    Pipenv,
    /// No dependency file: Flask alone.
    Bare,
}

/// The module that reads `pyproject.toml` in the builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TomlModule {
    /// The standard library's, from Python 3.11.
    Tomllib,
    /// The backport, installed first on older Pythons.
    Tomli,
}

/// Install method for the builder stage.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InstallPlan {
    pub kind: InstallKind,
    /// For `requirements`: the file given to `pip install -r`.
    pub file: Option<Text>,
    /// Files copied before any source, so code changes keep the install layer cached.
    pub manifests: Vec<Text>,
    /// The install needs the whole source (a requirement on a local path).
    pub needs_source: bool,
    /// For `pyproject` on Python older than 3.11: `tomli` stands in for `tomllib`.
    pub toml_module: TomlModule,
    /// For `poetry`, `pdm`, `uv` and `pipenv`: the pinned tool's requirements
    /// (one argument each), installed in its own builder-only virtualenv.
    pub tool_requirements: Vec<Text>,
    /// For `poetry`, `pdm` and `pipenv`: the exported lock carries hashes and pip checks every download against them.
    pub hashes: bool,
    /// The `RUN` that installs the dependencies (and the image's own
    /// requirements, `gunicorn.requirements`) into `/opt/venv`.
    pub run: InstallRun,
    /// The project is itself a package: a stage of its own installs it,
    /// without its dependencies and not editable, into `/opt/project` after
    /// the source copy, so its metadata, entry points and scripts are in the
    /// image and a source change leaves the virtualenv's layer cached.
    pub package: Option<PackagePlan>,
}

/// How the project stage builds the project.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackagePlan {
    /// Where the project says it is a package (`pyproject.toml:12`).
    pub declared: Text,
    /// `poetry build` first (Poetry's own builder), else pip builds it.
    pub poetry: bool,
}

/// A builder `RUN`: comment lines above it, its cache mounts, then its
/// commands joined with `&&`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InstallRun {
    pub comment: Vec<Text>,
    pub caches: Vec<Cache>,
    pub commands: Vec<ShellCommand>,
}

/// A folder a `RUN` keeps between builds (`--mount=type=cache,target=…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cache {
    #[serde(rename = "/root/.cache/pip")]
    Pip,
    #[serde(rename = "/root/.cache/uv")]
    Uv,
}

/// One command of a `RUN`: the template quotes each argument for the shell.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShellCommand {
    /// Variables set for this command only (`NAME=value` before it).
    pub env: Vec<CommandEnv>,
    pub program: Program,
    pub args: Vec<Text>,
    /// The file its output is written to (`> FILE`).
    pub stdout: Option<Text>,
}

/// The programs a builder `RUN` calls, by the path it calls them with. A
/// typed value, so no string can open a `RUN` line and be read as one of
/// its flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Program {
    /// The virtualenv's pip (`/opt/venv/bin` is first on `PATH`).
    #[serde(rename = "pip")]
    Pip,
    #[serde(rename = "python")]
    Python,
    #[serde(rename = "/opt/poetry/bin/poetry")]
    Poetry,
    #[serde(rename = "/opt/pdm/bin/pdm")]
    Pdm,
    #[serde(rename = "/opt/uv/bin/uv")]
    Uv,
    #[serde(rename = "/opt/pipenv/bin/pipenv")]
    Pipenv,
    #[serde(rename = "sed")]
    Sed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommandEnv {
    pub name: EnvName,
    pub value: Text,
}

impl ShellCommand {
    fn new(program: Program, args: &[&str]) -> ShellCommand {
        ShellCommand {
            env: Vec::new(),
            program,
            args: args.iter().map(|&word| Text::from(word)).collect(),
            stdout: None,
        }
    }

    /// `self` with `words` appended (one argument each).
    fn with(mut self, words: impl IntoIterator<Item = Text>) -> ShellCommand {
        self.args.extend(words);
        self
    }

    fn writing_to(mut self, file: &str) -> ShellCommand {
        self.stdout = Some(Text::from(file));
        self
    }

    fn with_env(mut self, settings: &[(&str, &str)]) -> ShellCommand {
        self.env = settings
            .iter()
            .map(|&(name, value)| CommandEnv {
                name: EnvName::parse(name).expect("a built-in variable name"),
                value: Text::from(value),
            })
            .collect();
        self
    }
}

/// Flask alone, when no dependency file was found.
const FLASK_REQUIREMENT: &str = "flask==3.1.3";
/// The `tomllib` backport, for a `pyproject` install before Python 3.11.
const TOMLI_REQUIREMENT: &str = "tomli==2.2.1";
/// Adds the requirements of the extras named in the list `{names}` of
/// `[project.optional-dependencies]`.
const PYPROJECT_EXTRAS: &str = "deps += [d for e in {names} for d in \
t.load(open(\"pyproject.toml\", \"rb\"))[\"project\"].get(\"optional-dependencies\", {}).get(e, [])]; ";
/// Installs `[project].dependencies` (and `{extras}`) and the arguments it is given, with
/// no single quote inside, so the shell word stays readable.
const PYPROJECT_INSTALL: &str = "import {module} as t, subprocess, sys; \
deps = t.load(open(\"pyproject.toml\", \"rb\"))[\"project\"].get(\"dependencies\", []); \
{extras}subprocess.check_call([sys.executable, \"-m\", \"pip\", \"install\", *deps, *sys.argv[1:]])";

/// Tools pinned for installs from lock files, one requirement an argument:
/// the newest release, and the newest that still runs on Python 3.9 (the
/// newest releases of Poetry, its export plugin, PDM and Pipenv need 3.10;
/// each older pin installed and exported a lock on CPython 3.9.18 here).
/// Poetry 2 exports through its plugin. PDM 2.29.4 asks for `hishel>=1.4` but
/// breaks on hishel 2.0 (no `SyncSqliteStorage`), so hishel is held below 2.
const POETRY_REQUIREMENTS: &[&str] = &["poetry==2.5.1", "poetry-plugin-export==1.10.1"];
const POETRY_REQUIREMENTS_3_9: &[&str] = &["poetry==2.2.1", "poetry-plugin-export==1.9.0"];
const PDM_REQUIREMENTS: &[&str] = &["pdm==2.29.4", "hishel[httpx2]>=1.4,<2"];
const PDM_REQUIREMENTS_3_9: &[&str] = &["pdm==2.26.9"];
const UV_REQUIREMENTS: &[&str] = &["uv==0.13.8"];
const PIPENV_REQUIREMENTS: &[&str] = &["pipenv==2026.10.3"];
const PIPENV_REQUIREMENTS_3_9: &[&str] = &["pipenv==2025.0.4"];

/// The tool release that runs on `python_minor`: `newest` from 3.10, else `for_3_9`.
fn tool_for(
    python_minor: u32,
    newest: &'static [&'static str],
    for_3_9: &'static [&'static str],
) -> &'static [&'static str] {
    if python_minor >= 10 { newest } else { for_3_9 }
}

/// How the builder installs `install` on `python_minor`, adding `extra`
/// (gunicorn and the worker it needs, when the project does not list them).
pub(super) fn install_plan(
    install: &Install,
    packaged: Option<&Packaged>,
    python_minor: u32,
    extra: &[Text],
) -> InstallPlan {
    let toml_module = if python_minor >= 11 {
        TomlModule::Tomllib
    } else {
        TomlModule::Tomli
    };
    let plan =
        |kind: InstallKind, file: Option<&String>, needs_source: bool, tool: &[&str]| InstallPlan {
            kind,
            file: file.map(Text::from),
            manifests: install.manifests().iter().map(Text::from).collect(),
            needs_source,
            toml_module,
            tool_requirements: tool.iter().map(|&r| Text::from(r)).collect(),
            hashes: false,
            run: InstallRun::new(&[], Vec::new(), Vec::new()),
            package: None,
        };
    let exported = |kind: InstallKind, lock: &LockExport, tool: &[&str]| InstallPlan {
        hashes: lock.hashes,
        ..plan(kind, None, lock.needs_source, tool)
    };
    let mut plan = match install {
        Install::Requirements {
            file, needs_source, ..
        } => plan(InstallKind::Requirements, Some(file), *needs_source, &[]),
        Install::Pyproject { .. } => plan(InstallKind::Pyproject, None, false, &[]),
        Install::Poetry(lock) => exported(
            InstallKind::Poetry,
            lock,
            tool_for(python_minor, POETRY_REQUIREMENTS, POETRY_REQUIREMENTS_3_9),
        ),
        Install::Pdm(lock) => exported(
            InstallKind::Pdm,
            lock,
            tool_for(python_minor, PDM_REQUIREMENTS, PDM_REQUIREMENTS_3_9),
        ),
        Install::Uv { .. } => plan(InstallKind::Uv, None, false, UV_REQUIREMENTS),
        Install::Pipenv(lock) => exported(
            InstallKind::Pipenv,
            lock,
            tool_for(python_minor, PIPENV_REQUIREMENTS, PIPENV_REQUIREMENTS_3_9),
        ),
        Install::Bare => plan(InstallKind::Bare, None, false, &[]),
    };
    plan.run = install_run(&plan, install, extra);
    plan.package = packaged.map(|packaged| PackagePlan {
        declared: Text::escaped(&packaged.source.to_string()),
        poetry: packaged.builder == PackageBuilder::Poetry,
    });
    plan
}

/// The install's `RUN`, from the decisions already in `plan`.
fn install_run(plan: &InstallPlan, install: &Install, extra: &[Text]) -> InstallRun {
    let extra = extra.to_vec();
    match plan.kind {
        InstallKind::Requirements => {
            let file = plan
                .file
                .clone()
                .unwrap_or_else(|| "requirements.txt".into());
            let freeze_artifact = match install {
                Install::Requirements {
                    freeze_artifact, ..
                } => freeze_artifact.as_ref(),
                _ => None,
            };
            let Some(line) = freeze_artifact else {
                let pip = ShellCommand::new(Program::Pip, &["install", "-r"]).with([file]);
                return InstallRun::new(&[], vec![Cache::Pip], vec![pip.with(extra)]);
            };
            // A copy without the line, beside the file so that its `-r`
            // includes resolve as they do from it.
            let filtered = format!("{}.flaskdock", file.as_str());
            let drop = ShellCommand::new(Program::Sed, &["-E", FREEZE_ARTIFACT_LINE])
                .with([file])
                .writing_to(&filtered);
            let pip = ShellCommand::new(Program::Pip, &["install", "-r", &filtered]);
            let mut run = InstallRun::new(&[], vec![Cache::Pip], vec![drop, pip.with(extra)]);
            run.comment.push(Text::escaped(&format!(
                "{line}: `pkg-resources==0.0.0`, which `pip freeze` writes on Debian and Ubuntu and no package index has, is left out."
            )));
            run
        }
        InstallKind::Poetry | InstallKind::Pdm | InstallKind::Pipenv => {
            lock_export_run(plan.kind, plan.hashes, extra)
        }
        InstallKind::Uv => uv_run(install, extra),
        InstallKind::Pyproject => {
            let extras = match install {
                Install::Pyproject { extras, .. } => extras.as_slice(),
                _ => &[],
            };
            pyproject_run(plan.toml_module, extras, extra)
        }
        InstallKind::Bare => InstallRun::new(
            &["No dependency file was found: Flask alone."],
            vec![Cache::Pip],
            vec![ShellCommand::new(Program::Pip, &["install", FLASK_REQUIREMENT]).with(extra)],
        ),
    }
}

/// Poetry, PDM or Pipenv writes the lock's production requirements to
/// [`EXPORTED`], pip installs them (checking `hashes` when the lock has
/// them), then pip installs `extra` on its own.
fn lock_export_run(kind: InstallKind, hashes: bool, extra: Vec<Text>) -> InstallRun {
    let flag = |on: bool, word: &str| on.then(|| Text::from(word));
    let output = ["--output", EXPORTED].map(Text::from);
    let (comment, export) = match kind {
        InstallKind::Poetry => (
            "Poetry exports poetry.lock's main group{hashes}; pip installs it into /opt/venv.",
            ShellCommand::new(
                Program::Poetry,
                &["export", "--only", "main", "--format", "requirements.txt"],
            )
            .with(flag(!hashes, "--without-hashes"))
            .with(output),
        ),
        InstallKind::Pdm => (
            "PDM exports pdm.lock's production group{hashes}; pip installs it into /opt/venv.",
            ShellCommand::new(Program::Pdm, &["export", "--prod"])
                .with_env(&[("PDM_PYTHON", "/opt/venv/bin/python")])
                .with(flag(!hashes, "--no-hashes"))
                .with(output),
        ),
        _ => (
            "Pipenv exports Pipfile.lock's default packages{hashes}; pip installs them into /opt/venv.",
            ShellCommand::new(Program::Pipenv, &["requirements"])
                .with(flag(hashes, "--hash"))
                .writing_to(EXPORTED),
        ),
    };
    let with_hashes = match (hashes, kind) {
        (false, _) => "",
        (true, InstallKind::Pipenv) => " with their hashes",
        (true, _) => " with its hashes",
    };
    let pip = ShellCommand::new(Program::Pip, &["install"])
        .with(flag(hashes, "--require-hashes"))
        .with(["-r", EXPORTED].map(Text::from));
    let mut commands = vec![export, pip];
    if !extra.is_empty() {
        commands.push(ShellCommand::new(Program::Pip, &["install"]).with(extra));
    }
    InstallRun::new(
        &[&comment.replace("{hashes}", with_hashes)],
        vec![Cache::Pip],
        commands,
    )
}

/// `uv sync` of the lock (frozen when there is one) into `/opt/venv`,
/// then pip installs `extra`.
fn uv_run(install: &Install, extra: Vec<Text>) -> InstallRun {
    let locked = install.manifests().iter().any(|m| m == "uv.lock");
    let sync = ShellCommand::new(Program::Uv, &["sync"])
        .with_env(&[
            ("UV_PROJECT_ENVIRONMENT", "/opt/venv"),
            ("UV_PYTHON_DOWNLOADS", "never"),
            ("UV_LINK_MODE", "copy"),
            ("UV_SYSTEM_CERTS", "1"),
            ("UV_COMPILE_BYTECODE", "1"),
        ])
        .with(locked.then(|| Text::from("--locked")))
        .with(["--no-install-project", "--no-dev"].map(Text::from));
    let mut commands = vec![sync];
    if !extra.is_empty() {
        commands.push(ShellCommand::new(Program::Pip, &["install"]).with(extra));
    }
    InstallRun::new(
        &[
            "Installs the locked dependencies into /opt/venv, not the project itself, compiled",
            "to bytecode as pip does; --locked fails when uv.lock no longer matches pyproject.toml.",
            "uv trusts the system CA store, like pip does (company proxies add their CA there).",
        ],
        vec![Cache::Uv, Cache::Pip],
        commands,
    )
}

/// `[project].dependencies` read with `module` (the `tomli` backport
/// installed first when that is the one), installed with `extra`.
fn pyproject_run(module: TomlModule, extras: &[String], extra: Vec<Text>) -> InstallRun {
    let mut commands = Vec::new();
    if module == TomlModule::Tomli {
        commands.push(ShellCommand::new(
            Program::Pip,
            &["install", TOMLI_REQUIREMENT],
        ));
    }
    // Only names pip takes as extras reach the script (and its shell word).
    let valid: Vec<&str> = extras
        .iter()
        .map(String::as_str)
        .filter(|name| crate::inspect::is_extra_name(name))
        .collect();
    let added = match valid.as_slice() {
        [] => String::new(),
        names => {
            let quoted: Vec<String> = names.iter().map(|name| format!("\"{name}\"")).collect();
            PYPROJECT_EXTRAS.replace("{names}", &format!("[{}]", quoted.join(", ")))
        }
    };
    let script = PYPROJECT_INSTALL
        .replace("{module}", module.name())
        .replace("{extras}", &added);
    commands.push(ShellCommand::new(Program::Python, &["-c", &script]).with(extra));
    let comment = match valid.as_slice() {
        [] => "Installs [project].dependencies from pyproject.toml without the project's source."
            .to_string(),
        names => format!(
            "Installs [project].dependencies and its {} extra from pyproject.toml without the project's source.",
            names.join(", ")
        ),
    };
    InstallRun::new(&[comment.as_str()], vec![Cache::Pip], commands)
}

impl InstallRun {
    fn new(comment: &[&str], caches: Vec<Cache>, commands: Vec<ShellCommand>) -> InstallRun {
        InstallRun {
            comment: comment.iter().map(|&line| Text::from(line)).collect(),
            caches,
            commands,
        }
    }
}

/// sed's script deleting a `pkg-resources==0.0.0` line (any case, `-`,
/// `_` or `.`, spaces around `==`).
const FREEZE_ARTIFACT_LINE: &str =
    r"/^[[:space:]]*pkg[-_.]resources[[:space:]]*==[[:space:]]*0\.0\.0[[:space:]]*$/Id";

/// Where a lock export writes the requirements pip then installs.
const EXPORTED: &str = "/tmp/requirements.txt";

impl TomlModule {
    fn name(self) -> &'static str {
        match self {
            TomlModule::Tomllib => "tomllib",
            TomlModule::Tomli => "tomli",
        }
    }
}
