//! Team template sets: where they come from (a folder, a git repository, a name
//! in the user's config file) and what they hold.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::manifest::{MANIFEST_FILE, Manifest, parse_manifest};
use crate::inspect::{read_text, toml_error};

/// Where a team set comes from, as the user named it (`--template`, `--branch`,
/// `--subfolder`) or as `.flaskdock.toml` recorded it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateSpec {
    /// A folder, a git URL, a name from the config file, or `builtin`.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subfolder: Option<String>,
    /// The git commit last rendered; a re-run without `--template` checks it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl TemplateSpec {
    pub fn builtin() -> Self {
        TemplateSpec {
            source: BUILTIN.to_string(),
            ..TemplateSpec::default()
        }
    }

    pub fn is_builtin(&self) -> bool {
        self.source == BUILTIN
    }
}

/// The name of the set embedded in flaskdock.
pub const BUILTIN: &str = "builtin";

/// One file of a set: its path inside the set (`/` separators) and its text.
#[derive(Debug, Clone)]
pub struct SetFile {
    pub path: String,
    pub contents: String,
}

/// A loaded team set.
#[derive(Debug, Clone)]
pub struct TeamSet {
    pub manifest: Manifest,
    /// Every file but the manifest, sorted by path.
    pub files: Vec<SetFile>,
    /// What `.flaskdock.toml` records: the spec, with the commit when from git.
    pub spec: TemplateSpec,
}

impl TeamSet {
    pub fn name(&self) -> &str {
        &self.manifest.template.name
    }

    /// The manifest, as reports name it: `<set name>/flaskdock-template.toml`.
    pub fn manifest_path(&self) -> String {
        format!(
            "{}/{}",
            crate::safe::escaped(self.name()),
            super::manifest::MANIFEST_FILE
        )
    }
}

/// Where the user's config file lives: `FLASKDOCK_CONFIG`, else
/// `$XDG_CONFIG_HOME/flaskdock/config.toml`, else `~/.config/flaskdock/config.toml`.
pub fn config_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("FLASKDOCK_CONFIG") {
        return Some(PathBuf::from(path));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(base.join("flaskdock").join("config.toml"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default)]
    templates: std::collections::BTreeMap<String, NamedTemplate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NamedTemplate {
    path: Option<String>,
    git: Option<String>,
    branch: Option<String>,
    subfolder: Option<String>,
}

fn is_git_url(source: &str) -> bool {
    ["https://", "http://", "ssh://", "git@", "file://"]
        .iter()
        .any(|prefix| source.starts_with(prefix))
}

/// Loads the set `spec` names. Relative folders are taken from `base` (the
/// current folder for `--template`, the output folder for a recorded source).
pub fn load(spec: &TemplateSpec, base: &Path) -> Result<TeamSet> {
    let subfolder = spec.subfolder.as_deref();
    if is_git_url(&spec.source) {
        return load_git(spec, &spec.source);
    }
    let folder = base.join(&spec.source);
    if folder.is_dir() {
        if spec.branch.is_some() {
            bail!(
                "`--branch` needs a git URL, and `{}` is a folder",
                spec.source
            );
        }
        let root = within(&folder, subfolder)?;
        return Ok(TeamSet {
            spec: TemplateSpec {
                commit: None,
                ..spec.clone()
            },
            ..load_folder(&root, &spec.source)?
        });
    }
    let Some(config_file) = config_path() else {
        bail!(
            "template `{}` is not a folder or a git URL, and there is no config file to look the name up in",
            spec.source
        );
    };
    let config = read_config(&config_file)?;
    let Some(named) = config.templates.get(&spec.source) else {
        bail!(
            "template `{}` is not a folder, a git URL, or a name in `{}`; add `[templates.{}]` with `path` or `git` there",
            spec.source,
            config_file.display(),
            spec.source
        );
    };
    let subfolder = spec.subfolder.clone().or(named.subfolder.clone());
    let branch = spec.branch.clone().or(named.branch.clone());
    let resolved = |source: &str| TemplateSpec {
        source: source.to_string(),
        branch: branch.clone(),
        subfolder: subfolder.clone(),
        commit: spec.commit.clone(),
    };
    let mut set = match (&named.path, &named.git) {
        (Some(path), None) => {
            // A relative path is taken from the config file's folder.
            let base = config_file.parent().unwrap_or(Path::new("."));
            let root = within(&base.join(path), subfolder.as_deref())?;
            load_folder(&root, &spec.source)?
        }
        (None, Some(url)) => load_git(&resolved(url), url)?,
        _ => bail!(
            "`{}`: `[templates.{}]` needs exactly one of `path` or `git`",
            config_file.display(),
            spec.source
        ),
    };
    // Recorded by name, so a teammate's own config resolves it.
    set.spec.source = spec.source.clone();
    set.spec.branch = spec.branch.clone();
    set.spec.subfolder = spec.subfolder.clone();
    Ok(set)
}

/// Whether the user's own config file names `source` (a folder taken from
/// `base`, a git URL or a name): as one of its `[templates.NAME]`, as the
/// `git` URL of one, or as the folder the `path` of one leads to.
pub fn named_in_config(source: &str, base: &Path) -> Result<bool> {
    let Some(config_file) = config_path() else {
        return Ok(false);
    };
    let config = read_config(&config_file)?;
    let folder = std::fs::canonicalize(base.join(source)).ok();
    let config_dir = config_file.parent().unwrap_or(Path::new("."));
    Ok(config.templates.iter().any(|(name, named)| {
        let same_folder = named.path.as_ref().is_some_and(|path| {
            folder.is_some() && std::fs::canonicalize(config_dir.join(path)).ok() == folder
        });
        name == source || named.git.as_deref() == Some(source) || same_folder
    }))
}

fn read_config(path: &Path) -> Result<Config> {
    if !path.exists() {
        return Ok(Config::default());
    }
    let text = read_text(path)?;
    toml::from_str(&text).map_err(|err| {
        toml_error(
            &path.display().to_string(),
            &text,
            &err,
            "fix the config file and run again",
        )
    })
}

/// `root/subfolder`, refusing a subfolder that climbs out of `root`.
fn within(root: &Path, subfolder: Option<&str>) -> Result<PathBuf> {
    let Some(sub) = subfolder else {
        return Ok(root.to_path_buf());
    };
    let sub_path = Path::new(sub);
    let plain = sub_path.components().all(|c| {
        matches!(
            c,
            std::path::Component::Normal(_) | std::path::Component::CurDir
        )
    });
    if !plain {
        bail!("`--subfolder {sub}` must be a relative path inside the set, without `..`");
    }
    Ok(root.join(sub_path))
}

/// Clones `url` into a temporary folder (the commit in `spec`, when recorded)
/// and loads the set from it.
fn load_git(spec: &TemplateSpec, url: &str) -> Result<TeamSet> {
    if let Some(commit) = spec.commit.as_deref().filter(|c| !is_commit_id(c)) {
        bail!(
            "`.flaskdock.toml` records `{}` as the commit of `{url}`, which is not a commit id (hex digits); pass `--template` to take the newest",
            crate::safe::escaped(commit)
        );
    }
    let temp = tempfile::Builder::new()
        .prefix("flaskdock-template-")
        .tempdir()
        .context("cannot create a temporary folder for the template's clone")?;
    let checkout = temp.path().join("set");
    let mut clone = git();
    clone.args(["clone", "--quiet", "--no-recurse-submodules"]);
    if spec.commit.is_none() {
        clone.args(["--depth", "1"]);
    }
    if let Some(branch) = &spec.branch {
        if branch.starts_with('-') || branch.chars().any(crate::safe::is_unsafe_char) {
            bail!(
                "`{}` is not a branch or tag name; pass `--branch` with the name",
                crate::safe::escaped(branch)
            );
        }
        clone.args(["--branch", branch]);
    }
    clone.arg("--").arg(url).arg(&checkout);
    run_git(clone, &format!("cannot clone `{url}`"))?;
    if let Some(commit) = &spec.commit {
        let mut checkout_cmd = git();
        checkout_cmd.arg("-C").arg(&checkout).args([
            "checkout",
            "--quiet",
            "--detach",
            "--end-of-options",
            commit,
        ]);
        run_git(
            checkout_cmd,
            &format!(
                "`{url}` has no commit `{commit}` (recorded in .flaskdock.toml); pass `--template` to take the newest"
            ),
        )?;
    }
    let mut rev_parse = git();
    rev_parse
        .arg("-C")
        .arg(&checkout)
        .args(["rev-parse", "HEAD"]);
    let commit = run_git(rev_parse, "cannot read the cloned commit")?;
    let root = within(&checkout, spec.subfolder.as_deref())?;
    let set = load_folder(&root, url)?;
    Ok(TeamSet {
        spec: TemplateSpec {
            source: url.to_string(),
            branch: spec.branch.clone(),
            subfolder: spec.subfolder.clone(),
            commit: Some(commit.trim().to_string()),
        },
        ..set
    })
}

/// A full or abbreviated commit id: 7 to 64 hex digits, so it can never be
/// read as an option.
fn is_commit_id(text: &str) -> bool {
    (7..=64).contains(&text.len()) && text.chars().all(|c| c.is_ascii_hexdigit())
}

/// `git` that never asks for credentials on a terminal.
fn git() -> Command {
    let mut command = Command::new("git");
    command
        .env("GIT_TERMINAL_PROMPT", "0")
        // No `ext::` or other transports that run commands.
        .env("GIT_ALLOW_PROTOCOL", "https:http:ssh:git:file")
        .env("GIT_ASKPASS", "")
        .env("SSH_ASKPASS", "")
        .stdin(std::process::Stdio::null());
    command
}

fn run_git(mut command: Command, what: &str) -> Result<String> {
    let output = command
        .output()
        .with_context(|| format!("{what}: cannot run `git`; install git"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
        bail!("{what}: {}", reason.trim());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Most files a set may hold, and deepest folder: a set is a handful of templates.
const MAX_SET_FILES: usize = 500;
const MAX_SET_DEPTH: usize = 16;

/// Reads a set's folder. Symbolic links are refused, never followed; `.git` is skipped.
pub fn load_folder(root: &Path, origin: &str) -> Result<TeamSet> {
    let manifest_path = root.join(MANIFEST_FILE);
    let is_manifest_file = manifest_path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_file());
    if !is_manifest_file {
        bail!(
            "`{}` is not a template set: it has no `{MANIFEST_FILE}` (a regular file); `flaskdock template eject DIR` writes one to start from",
            root.display()
        );
    }
    let manifest_origin = format!("{origin}/{MANIFEST_FILE}");
    let manifest = parse_manifest(&read_text(&manifest_path)?, &manifest_origin)?;
    let mut files = Vec::new();
    collect(root, root, 0, &manifest.template.name, &mut files)?;
    files.retain(|f| f.path != MANIFEST_FILE);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    for path in manifest.conditions.keys() {
        if !files.iter().any(|f| &f.path == path) {
            bail!(
                "`{manifest_origin}`: `[conditions]` names `{path}`, which is not in the set; fix the name"
            );
        }
    }
    Ok(TeamSet {
        manifest,
        files,
        spec: TemplateSpec {
            source: origin.to_string(),
            ..TemplateSpec::default()
        },
    })
}

fn collect(
    root: &Path,
    dir: &Path,
    depth: usize,
    set: &str,
    files: &mut Vec<SetFile>,
) -> Result<()> {
    if depth > MAX_SET_DEPTH {
        bail!("template set `{set}` nests folders deeper than {MAX_SET_DEPTH}; flatten it");
    }
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read template folder `{}`", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read `{}`", dir.display()))?;
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let kind = entry
            .file_type()
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        if kind.is_symlink() {
            bail!(
                "template set `{set}` holds a symbolic link `{rel}`; links are never followed: replace it with the file"
            );
        } else if kind.is_dir() {
            if entry.file_name() != ".git" {
                collect(root, &path, depth + 1, set, files)?;
            }
        } else if kind.is_file() {
            if files.len() >= MAX_SET_FILES {
                bail!("template set `{set}` holds more than {MAX_SET_FILES} files");
            }
            let contents = read_text(&path)
                .with_context(|| format!("template set `{set}`: cannot use `{rel}`"))?;
            files.push(SetFile {
                path: rel,
                contents,
            });
        } else {
            bail!("template set `{set}` holds `{rel}`, which is not a regular file; remove it");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn commit_ids_are_hex_and_never_options() {
        assert!(super::is_commit_id("0123abc"));
        assert!(super::is_commit_id(&"f".repeat(40)));
        for bad in [
            "--upload-pack=touch /tmp/x",
            "-c",
            "HEAD",
            "0123ab",
            "main",
            "0123abc\n",
        ] {
            assert!(!super::is_commit_id(bad), "{bad:?}");
        }
    }
}
