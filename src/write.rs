//! The only module that touches the output folder: compares, diffs, checks,
//! and writes atomically (temporary file in the same folder, then rename).
//! Nothing is written unless every file can be.
// The one writer (see .clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};
use serde::Serialize;

/// One generated file, as `write` places it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// Path relative to the output folder, `/` separators.
    pub path: String,
    pub contents: String,
}

/// SHA-256 of a file's text: what `.flaskdock.toml` records of each file
/// flaskdock wrote, and what the guard compares before overwriting one.
pub fn file_hash(contents: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(contents.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// What to do with the rendered files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write new and changed files; changed ones only with `force`.
    Write { force: bool },
    /// Report what would happen.
    DryRun,
    /// Report, with a unified diff of each change.
    Diff,
    /// Report; the caller exits 1 if anything would change.
    Check,
}

/// What happened (or would happen) to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Created,
    Overwritten,
    Unchanged,
    WouldCreate,
    WouldChange,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileOutcome {
    pub path: String,
    pub status: Status,
}

/// The result of [`write()`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    pub files: Vec<FileOutcome>,
    /// Unified diff of every change (`Mode::Diff` only).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub diff: String,
}

impl Outcome {
    /// Whether any file is missing or differs from what was rendered.
    pub fn drift(&self) -> bool {
        self.files
            .iter()
            .any(|f| matches!(f.status, Status::WouldCreate | Status::WouldChange))
    }
}

enum Existing {
    Missing,
    /// The file's text (lossy for non-UTF-8 files, which then always differ).
    Present(String),
}

fn existing(path: &Path, rel: &str) -> Result<Existing> {
    match std::fs::symlink_metadata(path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Existing::Missing),
        Err(err) => Err(err).with_context(|| format!("cannot read `{rel}` in the output folder")),
        Ok(meta) if !meta.is_file() => {
            bail!(
                "`{}` exists and is not a regular file; move it away and run again",
                path.display()
            )
        }
        Ok(_) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
            Ok(Existing::Present(
                String::from_utf8_lossy(&bytes).into_owned(),
            ))
        }
    }
}

static WRITING: AtomicBool = AtomicBool::new(false);
static STOP: AtomicBool = AtomicBool::new(false);

/// Asks a write in progress to stop after the file in hand. Returns false
/// when no write is in progress (the caller may then exit at once).
pub fn request_stop() -> bool {
    STOP.store(true, Ordering::SeqCst);
    WRITING.load(Ordering::SeqCst)
}

/// Ctrl-C or SIGTERM arrived while writing: the files before stayed complete.
#[derive(Debug)]
pub struct Stopped {
    pub written: usize,
    pub total: usize,
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "interrupted after writing {} of {} files; each file is either as it was or completely written: run `flaskdock init` again to finish",
            self.written, self.total
        )
    }
}

impl std::error::Error for Stopped {}

/// Prefix and suffix of the temporary files renamed into place.
const TEMP_PREFIX: &str = ".flaskdock-";
const TEMP_SUFFIX: &str = ".tmp";

/// A temporary file name only flaskdock makes: `.flaskdock-<random>-<check>.tmp`,
/// where `<check>` is derived from `<random>`, so a user's own
/// `.flaskdock-notes.tmp` is never taken for one.
#[doc(hidden)]
pub fn temp_name() -> String {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let random = format!("{:016x}", hasher.finish());
    format!("{TEMP_PREFIX}{random}-{}{TEMP_SUFFIX}", temp_check(&random))
}

fn temp_check(random: &str) -> String {
    file_hash(&format!("flaskdock temporary {random}"))[..8].to_string()
}

/// Whether `name` is one of [`temp_name`]'s.
fn is_our_temp(name: &str) -> bool {
    let Some(inner) = name
        .strip_prefix(TEMP_PREFIX)
        .and_then(|n| n.strip_suffix(TEMP_SUFFIX))
    else {
        return false;
    };
    inner.split_once('-').is_some_and(|(random, check)| {
        random.len() == 16
            && random.chars().all(|c| c.is_ascii_hexdigit())
            && check == temp_check(random)
    })
}

/// Removes temporary files a killed run (SIGKILL, power loss) left in
/// `dir`: only names [`temp_name`] makes, and only regular files.
fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let ours = entry.file_name().to_str().is_some_and(is_our_temp);
        if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// How long a run waits for another one writing to the same folder.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Holds an advisory lock on the output folder while files are written there;
/// a second run waits up to [`LOCK_WAIT`], then gives up with an error.
fn lock_folder(dir: &Path) -> Result<std::fs::File> {
    let folder = std::fs::File::open(dir)
        .with_context(|| format!("cannot open output folder `{}`", dir.display()))?;
    let start = std::time::Instant::now();
    loop {
        match folder.try_lock() {
            Ok(()) => return Ok(folder),
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < LOCK_WAIT => {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "another flaskdock is writing to `{}`; nothing was written: run again when it has finished",
                dir.display()
            ),
            // A file system without locks: write as before.
            Err(std::fs::TryLockError::Error(_)) => return Ok(folder),
        }
    }
}

/// Applies `files` to `out_dir` according to `mode`. `last_written` holds the
/// SHA-256 of each file as flaskdock last wrote it: a changed file that still
/// matches is replaced; one edited since (or never recorded) needs `force`.
pub fn write(
    files: &[RenderedFile],
    out_dir: &Path,
    mode: Mode,
    last_written: &BTreeMap<String, String>,
) -> Result<Outcome> {
    if out_dir.exists() && !out_dir.is_dir() {
        bail!(
            "output path `{}` is a file; pass a folder with `--output`",
            out_dir.display()
        );
    }
    let mut outcome = Outcome::default();
    let mut pending = Vec::new();
    let mut edited = Vec::new();
    for file in files {
        check_no_links_on_the_way(out_dir, &file.path)?;
        let path = out_dir.join(&file.path);
        let status = match existing(&path, &file.path)? {
            Existing::Missing => Status::WouldCreate,
            Existing::Present(old) if old == file.contents => Status::Unchanged,
            Existing::Present(old) => {
                if last_written.get(&file.path) != Some(&file_hash(&old)) {
                    edited.push(file.path.clone());
                }
                if mode == Mode::Diff {
                    outcome
                        .diff
                        .push_str(&unified_diff(&file.path, &old, &file.contents));
                }
                Status::WouldChange
            }
        };
        if mode == Mode::Diff && status == Status::WouldCreate {
            outcome
                .diff
                .push_str(&unified_diff(&file.path, "", &file.contents));
        }
        outcome.files.push(FileOutcome {
            path: file.path.clone(),
            status,
        });
        pending.push((file, path, status));
    }

    let Mode::Write { force } = mode else {
        return Ok(outcome);
    };
    if !force && let Some(conflict) = edited.first() {
        let what = match last_written.contains_key(conflict) {
            true => "was edited by hand since flaskdock wrote it",
            false => "exists and differs from what flaskdock would write",
        };
        bail!(
            "`{}` {what}; nothing was written. \
                 Run with `--diff` to see the changes, or `--force` to overwrite",
            out_dir.join(conflict).display()
        );
    }
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create output folder `{}`", out_dir.display()))?;
    let _lock = lock_folder(out_dir)?;
    // Another run may have written while this one waited: compare again.
    for ((file, path, status), reported) in pending.iter_mut().zip(outcome.files.iter_mut()) {
        if let Existing::Present(old) = existing(path, &file.path)? {
            if old == file.contents {
                *status = Status::Unchanged;
                reported.status = Status::Unchanged;
            } else if *status == Status::WouldCreate && !force {
                bail!(
                    "`{}` appeared while flaskdock waited for another run; nothing was written: run again",
                    path.display()
                );
            }
        }
    }
    WRITING.store(true, Ordering::SeqCst);
    let result = write_pending(pending, &mut outcome);
    WRITING.store(false, Ordering::SeqCst);
    result?;
    Ok(outcome)
}

fn write_pending(
    pending: Vec<(&RenderedFile, std::path::PathBuf, Status)>,
    outcome: &mut Outcome,
) -> Result<()> {
    let total = pending.len();
    let mut cleaned: Vec<std::path::PathBuf> = Vec::new();
    for (index, ((file, path, status), reported)) in pending
        .into_iter()
        .zip(outcome.files.iter_mut())
        .enumerate()
    {
        if STOP.load(Ordering::SeqCst) {
            return Err(Stopped {
                written: index,
                total,
            }
            .into());
        }
        if let Some(parent) = path.parent().filter(|p| !cleaned.iter().any(|c| c == p)) {
            remove_stale_temps(parent);
            cleaned.push(parent.to_path_buf());
        }
        if let Some(parent) = path.parent().filter(|_| file.path.contains('/')) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create folder `{}`", parent.display()))?;
        }
        match status {
            Status::WouldCreate => {
                write_atomic(&path, &file.contents)?;
                reported.status = Status::Created;
            }
            Status::WouldChange => {
                write_atomic(&path, &file.contents)?;
                reported.status = Status::Overwritten;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Refuses a path whose folders inside `out_dir` are links or files: a link
/// there would carry the write out of the output folder.
fn check_no_links_on_the_way(out_dir: &Path, rel: &str) -> Result<()> {
    let mut dir = out_dir.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        dir.push(part);
        match std::fs::symlink_metadata(&dir) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => bail!(
                "`{}` is a link or a file, and `{rel}` would be written through it; nothing was written",
                dir.display()
            ),
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// Writes through a temporary file in the same folder, then renames it into
/// place, so a reader (or a crash) sees the old file or the new one, never half.
fn write_atomic(path: &Path, contents: &str) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let context = || {
        format!(
            "cannot write `{}`; check that the folder is writable",
            path.display()
        )
    };
    let mut temp = tempfile::Builder::new()
        .prefix(&temp_name())
        .rand_bytes(0)
        .tempfile_in(dir)
        .with_context(context)?;
    temp.write_all(contents.as_bytes()).with_context(context)?;
    temp.as_file().sync_all().with_context(context)?;
    if let Ok(meta) = std::fs::metadata(path) {
        // Keep the permissions of a file being replaced.
        std::fs::set_permissions(temp.path(), meta.permissions()).with_context(context)?;
    } else {
        set_default_permissions(temp.path()).with_context(context)?;
    }
    temp.persist(path)
        .map_err(|e| e.error)
        .with_context(context)?;
    Ok(())
}

#[cfg(unix)]
fn set_default_permissions(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_default_permissions(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let (from, to) = if old.is_empty() {
        ("/dev/null".to_string(), format!("b/{path}"))
    } else {
        (format!("a/{path}"), format!("b/{path}"))
    };
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&from, &to)
        .to_string()
}

/// `flaskdock verify`'s files, which never go into the project: a scratch
/// folder (removed when dropped) or a log folder (kept), under the system's
/// temporary folder.
pub mod scratch {
    use std::path::{Path, PathBuf};

    use anyhow::{Context, Result};

    /// A new folder `<tmp>/<prefix>XXXX`, removed when the value is dropped.
    pub fn folder(prefix: &str) -> Result<tempfile::TempDir> {
        tempfile::Builder::new()
            .prefix(prefix)
            .tempdir()
            .context("cannot make a folder under the system's temporary folder")
    }

    /// A new folder `<tmp>/<prefix>XXXX` that stays after the run.
    pub fn kept_folder(prefix: &str) -> Result<PathBuf> {
        Ok(folder(prefix)?.keep())
    }

    /// Writes `contents` to `dir/name`; `dir` is one of [`folder`]'s.
    pub fn file(dir: &Path, name: &str, contents: &str) -> Result<PathBuf> {
        let path = dir.join(name);
        std::fs::write(&path, contents)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        Ok(path)
    }

    /// Appends `text` to a file of a scratch copy.
    pub fn append(path: &Path, text: &str) -> Result<()> {
        use std::io::Write;
        std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .with_context(|| format!("cannot change `{}`", path.display()))
    }

    /// Copies the project at `from` into the scratch folder `to`: regular
    /// files and folders only (links are left out, never followed), without
    /// the folders named in `skip`.
    pub fn copy_project(from: &Path, to: &Path, skip: &[&str]) -> Result<()> {
        std::fs::create_dir_all(to).with_context(|| format!("cannot make `{}`", to.display()))?;
        copy_tree(from, to, skip)
    }

    fn copy_tree(from: &Path, to: &Path, skip: &[&str]) -> Result<()> {
        for entry in
            std::fs::read_dir(from).with_context(|| format!("cannot read `{}`", from.display()))?
        {
            let entry = entry?;
            let kind = entry.file_type()?;
            let target = to.join(entry.file_name());
            if kind.is_dir() && !skip.iter().any(|s| entry.file_name() == *s) {
                std::fs::create_dir(&target)
                    .with_context(|| format!("cannot make `{}`", target.display()))?;
                copy_tree(&entry.path(), &target, skip)?;
            } else if kind.is_file() {
                std::fs::copy(entry.path(), &target)
                    .with_context(|| format!("cannot copy to `{}`", target.display()))?;
            }
        }
        Ok(())
    }
}
