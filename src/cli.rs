//! Command-line arguments (clap derive only), turned into the library's plain options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use flaskdock::answers::Flags;
use flaskdock::services::DbChoice;
use flaskdock::templates::TemplateSpec;
use flaskdock::templates::values::ValueInputs;
use flaskdock::write::Mode;

#[derive(Debug, Parser)]
#[command(
    name = "flaskdock",
    version,
    about = "Write a production Docker setup for a Flask project"
)]
#[command(propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Write Dockerfile, .dockerignore, docker-compose.yml, .env.example and .flaskdock.toml
    #[command(
        after_help = "Examples:\n  flaskdock init                  ask about what was found, then write\n  flaskdock init --yes --db none  take what was found, no database\n  flaskdock init --diff           show what would change\n  flaskdock init --check          in CI: exit 1 if the files drifted"
    )]
    Init(Box<InitArgs>),
    /// Audit an existing Dockerfile, .dockerignore, compose file and Flask code
    #[command(
        after_help = "Examples:\n  flaskdock doctor\n  flaskdock doctor path/to/app --json\n  flaskdock doctor --severity warning    in CI: fail on warnings too\n\nExit codes: 0 no finding at or above the threshold, 1 some, 2 the files could not be read."
    )]
    Doctor {
        /// The Flask project
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Machine-readable output on stdout
        #[arg(long)]
        json: bool,
        /// Exit 1 when a finding is at this severity or worse
        #[arg(long, value_name = "LEVEL", default_value = "error", value_parser = ["info", "warning", "error"])]
        severity: String,
        /// Print nothing; only the exit code tells
        #[arg(short, long, conflicts_with = "json")]
        quiet: bool,
    },
    /// Print a shell completion script
    #[command(
        after_help = "Examples:\n  flaskdock completions bash > ~/.local/share/bash-completion/completions/flaskdock\n  flaskdock completions zsh > ~/.zfunc/_flaskdock\n  flaskdock completions fish > ~/.config/fish/completions/flaskdock.fish\n  flaskdock completions powershell >> $PROFILE"
    )]
    Completions {
        /// bash, zsh, fish, powershell or elvish
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    #[command(after_help = "Examples:\n  flaskdock man > /usr/local/share/man/man1/flaskdock.1")]
    Man,
    /// Work with template sets
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Show what was detected in a Flask project, and where from
    #[command(
        after_help = "Examples:\n  flaskdock inspect\n  flaskdock inspect path/to/app --json"
    )]
    Inspect {
        /// The Flask project
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Machine-readable output on stdout
        #[arg(long)]
        json: bool,
    },
    /// Build and run what `flaskdock init` wrote, and report each check
    #[command(
        after_help = "Examples:\n  flaskdock verify\n  flaskdock verify path/to/app --cold --json\n  flaskdock verify --engine podman --base-image python:3.12-slim-trixie=localhost/my-python\n  flaskdock verify --kubernetes\n\nChecks: build, non-root, read-only-source, no-compiler, no-secrets, drivers, serve, cache; kubernetes with --kubernetes.\nExit codes: 0 every check passed (or was skipped), 1 a check failed, 2 no engine or bad input."
    )]
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The Flask project, with the files `flaskdock init` wrote
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The engine to use: docker or podman (default: Docker when its daemon answers, else podman)
    #[arg(long, value_name = "ENGINE", value_parser = ["docker", "podman"])]
    pub engine: Option<String>,
    /// Build without the engine's layer cache
    #[arg(long)]
    pub cold: bool,
    /// Keep the built image afterwards
    #[arg(long)]
    pub keep: bool,
    /// Use a local image for a base image the engine cannot pull (IMAGE=LOCAL; repeatable)
    #[arg(long, value_name = "IMAGE=LOCAL", value_parser = key_value)]
    pub base_image: Vec<(String, String)>,
    /// The compose command for apps with services (default: `docker compose`, else `podman compose` or `podman-compose`)
    #[arg(long, value_name = "COMMAND")]
    pub compose: Option<String>,
    /// A build argument for every build (KEY=VALUE; repeatable)
    #[arg(long, value_name = "KEY=VALUE", value_parser = key_value)]
    pub build_arg: Vec<(String, String)>,
    /// Also play k8s/overlays/dev with `podman kube play` (needs podman and kubectl)
    #[arg(long)]
    pub kubernetes: bool,
    /// Seconds the app may take to answer its health path once started
    #[arg(long, value_name = "SECONDS", default_value_t = 90)]
    pub timeout: u64,
    /// Every check with its duration and evidence, as JSON on stdout
    #[arg(long)]
    pub json: bool,
    /// No line per check: only the table at the end
    #[arg(short, long, conflicts_with = "json")]
    pub quiet: bool,
}

/// `NAME=VALUE`, both non-empty and free of control characters.
fn key_value(text: &str) -> Result<(String, String), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not NAME=VALUE"))?;
    if key.is_empty() || value.is_empty() || text.chars().any(char::is_control) {
        return Err(format!("`{text}` is not NAME=VALUE"));
    }
    Ok((key.to_string(), value.to_string()))
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The Flask project
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Take detected values and defaults, ask nothing (also when stdin is not a terminal)
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Python version for the base image, e.g. 3.12
    #[arg(long, value_name = "VERSION")]
    pub python: Option<flaskdock::safe::PythonVersion>,
    /// Port the app listens on inside the container
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,
    /// WSGI target for gunicorn, e.g. app:app or "flaskr:create_app()"
    #[arg(long, value_name = "TARGET", value_parser = parse_entry)]
    pub entry: Option<String>,
    /// Database service in compose
    #[arg(long, value_parser = db_choice())]
    pub db: Option<DbChoice>,
    /// Run the project's migrations (Flask-Migrate, Alembic) before gunicorn; the default when found
    #[arg(long, overrides_with = "no_migrate")]
    pub migrate: bool,
    /// Never run migrations in the container
    #[arg(long, overrides_with = "migrate")]
    pub no_migrate: bool,
    /// Path the image's HEALTHCHECK requests (default: a health route found in the code, else /)
    #[arg(long, value_name = "PATH", value_parser = parse_health_path)]
    pub health_path: Option<String>,
    /// Write Kubernetes manifests too: a Kustomize tree under k8s/ (base, dev and prod overlays)
    #[arg(long, overrides_with = "no_kubernetes")]
    pub kubernetes: bool,
    /// Do not write Kubernetes manifests (overrides a saved answer)
    #[arg(long, overrides_with = "kubernetes")]
    pub no_kubernetes: bool,
    /// Host name of the Kubernetes Ingress (default: NAME.example.com, to replace)
    #[arg(long, value_name = "HOST", value_parser = parse_ingress_host)]
    pub ingress_host: Option<flaskdock::safe::DnsName>,
    /// Write there instead of PATH
    #[arg(short = 'o', long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Say what would be written; write nothing
    #[arg(long, conflicts_with_all = ["diff", "check"])]
    pub dry_run: bool,
    /// Print a unified diff against the files on disk; write nothing
    #[arg(long, conflicts_with = "check")]
    pub diff: bool,
    /// Write nothing; exit 1 if any file would change
    #[arg(long)]
    pub check: bool,
    /// Overwrite files that differ
    #[arg(long, conflicts_with_all = ["dry_run", "diff", "check"])]
    pub force: bool,
    /// Machine-readable report on stdout (never prompts)
    #[arg(long)]
    pub json: bool,
    /// Print nothing but errors (and the drift message of --check)
    #[arg(short, long, conflicts_with_all = ["verbose", "json"])]
    pub quiet: bool,
    /// Also print what was detected, and where from, before the files
    #[arg(short, long)]
    pub verbose: bool,
    /// Team template set: a folder, a git URL, a name from ~/.config/flaskdock/config.toml, or `builtin`
    #[arg(long, value_name = "SOURCE", help_heading = "Template sets")]
    pub template: Option<String>,
    /// Git branch or tag of the template set
    #[arg(long, requires = "template", help_heading = "Template sets")]
    pub branch: Option<String>,
    /// Folder of the template set inside the repository or folder
    #[arg(
        long,
        value_name = "DIR",
        requires = "template",
        help_heading = "Template sets"
    )]
    pub subfolder: Option<String>,
    /// A placeholder value for the template set (repeatable)
    #[arg(short = 'd', long = "define", value_name = "KEY=VALUE", value_parser = parse_define, help_heading = "Template sets")]
    pub defines: Vec<(String, String)>,
    /// Placeholder values from a TOML file (`key = "value"`)
    #[arg(long, value_name = "FILE", help_heading = "Template sets")]
    pub values_file: Option<PathBuf>,
}

/// `flaskdock template ...`
#[derive(Debug, Subcommand)]
pub(crate) enum TemplateCommand {
    /// Write the built-in template set, with its manifest, to DIR: the start of a team set
    #[command(
        after_help = "Examples:\n  flaskdock template eject acme-template\n  flaskdock init --template acme-template"
    )]
    Eject {
        /// Folder to write the set to
        dir: PathBuf,
        /// Overwrite files that differ
        #[arg(long)]
        force: bool,
    },
}

fn parse_define(value: &str) -> Result<(String, String), String> {
    flaskdock::templates::values::parse_define(value)
}

/// `--db`: the catalogue's names, listed in `--help` and in the error.
fn db_choice() -> impl clap::builder::TypedValueParser<Value = DbChoice> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(DbChoice::names())
        .map(|name| name.parse().expect("every listed name parses"))
}

fn parse_entry(value: &str) -> Result<String, String> {
    flaskdock::answers::validate_entry(value).map(|_| value.to_string())
}

fn parse_ingress_host(value: &str) -> Result<flaskdock::safe::DnsName, String> {
    flaskdock::safe::DnsName::parse(value).ok_or_else(|| {
        format!(
            "invalid host `{}`; use a DNS name such as shop.example.com (lower case, no scheme or port)",
            flaskdock::safe::escaped(value)
        )
    })
}

fn parse_health_path(value: &str) -> Result<String, String> {
    flaskdock::answers::validate_health_path(value).map(|_| value.to_string())
}

impl InitArgs {
    pub(crate) fn mode(&self) -> Mode {
        match (self.dry_run, self.diff, self.check) {
            (true, _, _) => Mode::DryRun,
            (_, true, _) => Mode::Diff,
            (_, _, true) => Mode::Check,
            _ => Mode::Write { force: self.force },
        }
    }

    pub(crate) fn flags(&self) -> Flags {
        Flags {
            python: self.python,
            port: self.port,
            entry: self.entry.clone(),
            migrate: match (self.migrate, self.no_migrate) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            db: self.db,
            health_path: self.health_path.clone(),
            kubernetes: match (self.kubernetes, self.no_kubernetes) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            ingress_host: self.ingress_host.clone(),
        }
    }

    /// `--template` with `--branch` and `--subfolder`.
    pub(crate) fn template(&self) -> Option<TemplateSpec> {
        self.template.as_ref().map(|source| TemplateSpec {
            source: source.clone(),
            branch: self.branch.clone(),
            subfolder: self.subfolder.clone(),
            commit: None,
        })
    }

    /// `--define`, `--values-file`, and `FLASKDOCK_VALUE_<KEY>` variables.
    pub(crate) fn values(&self) -> ValueInputs {
        ValueInputs {
            defines: self.defines.clone(),
            values_file: self.values_file.clone(),
            env: std::env::vars()
                .filter_map(|(k, v)| Some((k.strip_prefix("FLASKDOCK_VALUE_")?.to_string(), v)))
                .collect(),
        }
    }

    /// Prompts only for a person at a terminal who did not opt out.
    pub(crate) fn interactive(&self) -> bool {
        use std::io::IsTerminal;
        !self.yes
            && !self.json
            && !self.check
            && std::io::stdin().is_terminal()
            && std::io::stderr().is_terminal()
    }
}
