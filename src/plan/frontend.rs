//! The Node stage: how the image installs and builds the project's front end,
//! and which of its outputs the runtime stage copies.

use serde::{Deserialize, Serialize};

use crate::inspect::files::join;
use crate::inspect::{Frontend, NodeManager};
use crate::safe::Text;

/// The Node release the stage uses when the project names none: the newest
/// with long-term support.
pub const DEFAULT_NODE: &str = "24";

/// The newest corepack, installed where Node no longer ships it (25 and later).
const COREPACK: &str = "corepack@0.36.0";

/// The Node stage (`FROM node:X-slim AS assets`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FrontendPlan {
    /// `ARG NODE_VERSION`: the image tag's release (`24`, `20.11.1`).
    pub node_version: Text,
    /// Where the release comes from (`.nvmrc:1`, or a default).
    pub node_source: Text,
    pub manager: NodeManager,
    /// Files copied before the install (`package.json`, the lock), so a
    /// source change keeps the install cached.
    pub manifests: Vec<Text>,
    /// Commands run before the install (`corepack enable`); none for npm.
    pub setup: Vec<NodeCommand>,
    /// The install (`npm ci`).
    pub install: NodeCommand,
    /// The folder the install keeps between builds (a cache mount).
    pub cache: NodeCache,
    /// A lock is committed: the install is exactly what it says.
    pub locked: bool,
    /// The build: `npm run build`, or, when the build script also runs
    /// Python, its Node commands one by one (`sh -c 'webpack ...'`).
    pub build: Vec<NodeCommand>,
    /// The build script's commands that need Python (`flask digest compile`),
    /// left out of the Node stage: for the user to run (README.Docker.md).
    pub python_steps: Vec<Text>,
    /// The folder of `package.json` in the stage (`/app/frontend`), where the
    /// one-by-one commands run and find the installed programs.
    pub bin_dir: Text,
    /// The `build` script, as `package.json` writes it (for the report).
    pub script: Text,
    /// Where the script is written (`package.json:5`).
    pub source: Text,
    /// What the runtime stage copies from the Node stage, relative to `/app`.
    pub outputs: Vec<Text>,
    /// No build: the packages installed here (`node_modules`, relative to
    /// `/app`) are the one output, copied to where the app finds them.
    pub vendored_from: Option<Text>,
}

/// One command of the Node stage: a typed program, so no string can open a
/// `RUN` line and be read as one of its flags; the template quotes each
/// argument for the shell.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeCommand {
    pub program: NodeProgram,
    pub args: Vec<Text>,
}

/// The programs the Node stage runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeProgram {
    Npm,
    Yarn,
    Pnpm,
    Corepack,
    /// One command of the build script, run by the shell as written.
    Sh,
}

/// The package managers' download caches, by path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeCache {
    #[serde(rename = "/root/.npm")]
    Npm,
    #[serde(rename = "/usr/local/share/.cache/yarn")]
    Yarn,
    #[serde(rename = "/root/.yarn/berry/cache")]
    YarnBerry,
    #[serde(rename = "/root/.local/share/pnpm/store")]
    Pnpm,
}

impl NodeProgram {
    /// The command's name, as the template writes it.
    pub fn name(self) -> &'static str {
        match self {
            NodeProgram::Npm => "npm",
            NodeProgram::Yarn => "yarn",
            NodeProgram::Pnpm => "pnpm",
            NodeProgram::Corepack => "corepack",
            NodeProgram::Sh => "sh",
        }
    }
}

impl NodeCommand {
    fn new(program: NodeProgram, args: &[&str]) -> NodeCommand {
        NodeCommand {
            program,
            args: args.iter().map(|&a| Text::from(a)).collect(),
        }
    }

    /// `self` run in `dir` (`npm --prefix web ci`): the flag goes first.
    fn in_dir(mut self, flag: &str, dir: &str) -> NodeCommand {
        if !dir.is_empty() {
            self.args
                .splice(0..0, [Text::from(flag), Text::escaped(dir)]);
        }
        self
    }
}

/// The Node stage for the front end inspection found.
pub(super) fn frontend_plan(frontend: &Frontend) -> FrontendPlan {
    let node = frontend
        .node
        .as_ref()
        .map_or(DEFAULT_NODE, |n| n.value.as_str());
    let node_source = frontend.node.as_ref().map_or_else(
        || "flaskdock's default (the newest LTS release)".to_string(),
        |n| n.source.described(),
    );
    let major: u32 = node
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let locked = frontend.lock.is_some();
    let (program, dir_flag, cache, install) = manager_commands(frontend.manager, locked);
    let mut setup = Vec::new();
    if frontend.manager != NodeManager::Npm {
        if major >= 25 {
            setup.push(NodeCommand::new(
                NodeProgram::Npm,
                &["install", "--global", COREPACK],
            ));
        }
        setup.push(NodeCommand::new(NodeProgram::Corepack, &["enable"]));
    }
    let manifests = std::iter::once(join(&frontend.dir, "package.json"))
        .chain(frontend.lock.clone())
        .chain(frontend.install_files.iter().cloned())
        .map(|f| Text::escaped(&f))
        .collect();
    FrontendPlan {
        node_version: Text::escaped(node),
        node_source: Text::escaped(&node_source),
        manager: frontend.manager,
        manifests,
        setup,
        install: NodeCommand::new(program, install).in_dir(dir_flag, &frontend.dir),
        cache,
        locked,
        build: if frontend.vendored_from.is_some() {
            Vec::new()
        } else if frontend.python_steps.is_empty() {
            vec![NodeCommand::new(program, &["run", "build"]).in_dir(dir_flag, &frontend.dir)]
        } else {
            frontend
                .node_commands
                .iter()
                .map(|command| NodeCommand {
                    program: NodeProgram::Sh,
                    // The programs the packages installed, as `npm run` finds them.
                    args: vec![
                        Text::from("-c"),
                        Text::escaped(&format!("PATH=\"$PWD/node_modules/.bin:$PATH\"; {command}")),
                    ],
                })
                .collect()
        },
        python_steps: frontend
            .python_steps
            .iter()
            .map(|step| Text::escaped(&step.value))
            .collect(),
        bin_dir: Text::escaped(&if frontend.dir.is_empty() {
            "/app".to_string()
        } else {
            format!("/app/{}", frontend.dir)
        }),
        script: Text::escaped(&frontend.script.value),
        source: Text::escaped(&frontend.script.source.to_string()),
        outputs: frontend
            .outputs
            .iter()
            .map(|o| Text::escaped(&o.value))
            .collect(),
        vendored_from: frontend.vendored_from.as_deref().map(Text::escaped),
    }
}

/// A manager's program, the flag that runs it in a folder, its download
/// cache, and its install's arguments (exactly the lock's, when `locked`).
fn manager_commands(
    manager: NodeManager,
    locked: bool,
) -> (
    NodeProgram,
    &'static str,
    NodeCache,
    &'static [&'static str],
) {
    match manager {
        NodeManager::Npm => (
            NodeProgram::Npm,
            "--prefix",
            NodeCache::Npm,
            if locked { &["ci"] } else { &["install"] },
        ),
        NodeManager::Yarn => (
            NodeProgram::Yarn,
            "--cwd",
            NodeCache::Yarn,
            if locked {
                &["install", "--frozen-lockfile"]
            } else {
                &["install"]
            },
        ),
        NodeManager::YarnBerry => (
            NodeProgram::Yarn,
            "--cwd",
            NodeCache::YarnBerry,
            if locked {
                &["install", "--immutable"]
            } else {
                &["install"]
            },
        ),
        NodeManager::Pnpm => (
            NodeProgram::Pnpm,
            "--dir",
            NodeCache::Pnpm,
            if locked {
                &["install", "--frozen-lockfile"]
            } else {
                &["install"]
            },
        ),
    }
}
