//! One scan of the project tree. Detectors query the result instead of walking
//! the disk again. Vendored trees (virtualenvs, `node_modules`, caches) are
//! skipped even when `.gitignore` does not mention them.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Largest file inspection reads; anything bigger is not hand-written config or code.
pub(crate) const MAX_READ_BYTES: u64 = 2 * 1024 * 1024;

/// Most bytes read from one requirements file.
pub(crate) const MAX_MANIFEST_BYTES: u64 = 32 * 1024 * 1024;

/// Most committed files ignored by `.gitignore` kept: each is matched
/// against every `.gitignore` line.
pub(crate) const MAX_COMMITTED_IGNORED: usize = 64;

/// Folder names that never hold the project's own code.
const VENDORED_DIRS: &[&str] = &[
    "node_modules",
    "__pycache__",
    "site-packages",
    "venv",
    "env",
    "build",
    "dist",
    "htmlcov",
];

/// What the scan found, as paths relative to the root with `/` separators.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    pub root: PathBuf,
    /// Every regular file seen (outside vendored trees).
    pub files: BTreeSet<String>,
    /// Every folder seen (outside vendored trees).
    pub dirs: BTreeSet<String>,
    /// Folders that are virtualenvs (they hold a `pyvenv.cfg`), at any depth.
    pub virtualenvs: Vec<String>,
    /// Lines of the root `.gitignore` (read only when it is a regular file in
    /// the project), trimmed, without blanks and comments.
    pub gitignore: Vec<String>,
    /// Files git tracks (from `.git/index`) although `.gitignore` ignores
    /// them. At most [`MAX_COMMITTED_IGNORED`].
    pub committed_ignored: Vec<String>,
    /// Paths left out because their names hold a control character or a line
    /// separator (escaped for printing): nothing reads them, nothing names them.
    pub unsafe_names: Vec<String>,
}

impl Tree {
    pub(crate) fn has_file(&self, rel: &str) -> bool {
        self.files.contains(rel)
    }

    /// `.py` files, in sorted order.
    pub(crate) fn python_files(&self) -> impl Iterator<Item = &String> {
        self.files.iter().filter(|f| f.ends_with(".py"))
    }

    /// `name/` at the root, else `pkg/name/` one level down (Flask's package layout).
    pub(crate) fn find_dir(&self, name: &str) -> Option<String> {
        if self.dirs.contains(name) {
            return Some(name.to_string());
        }
        self.dirs
            .iter()
            .find(|d| {
                let mut parts = d.split('/');
                let (Some(pkg), Some(last), None) = (parts.next(), parts.next(), parts.next())
                else {
                    return false;
                };
                last == name && self.files.contains(&format!("{pkg}/__init__.py"))
            })
            .cloned()
    }

    /// Reads a project file as UTF-8 text, refusing anything the scan did not
    /// find as a regular file inside the project (a link out of it, a device)
    /// or larger than [`MAX_READ_BYTES`].
    pub(crate) fn read(&self, rel: &str) -> Result<String> {
        self.read_capped(rel, MAX_READ_BYTES)
    }

    /// Reads a dependency manifest: machine-written ones (a `pip freeze` of a
    /// big monorepo) can be long, so the cap is [`MAX_MANIFEST_BYTES`].
    pub(crate) fn read_manifest(&self, rel: &str) -> Result<String> {
        self.read_capped(rel, MAX_MANIFEST_BYTES)
    }

    fn read_capped(&self, rel: &str, cap: u64) -> Result<String> {
        if !self.files.contains(rel) {
            anyhow::bail!(
                "`{}` is not a regular file inside the project",
                crate::safe::escaped(rel)
            );
        }
        read_text_as(&self.root.join(rel), rel, cap)
    }
}

/// The lines of a `.gitignore` that say something: trimmed, no blanks or comments.
fn gitignore_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// `dir/name` for a path relative to the root, or `name` when `dir` is the
/// root (`""`).
pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Resolves `target` relative to the folder of `file`, normalizing `.` and `..`.
pub(crate) fn resolve(file: &str, target: &str) -> String {
    let mut parts: Vec<&str> = file.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Reads a text file with a size cap; never opens FIFOs or devices.
pub fn read_text(path: &Path) -> Result<String> {
    read_text_as(path, &path.display().to_string(), MAX_READ_BYTES)
}

/// [`read_text`], naming the file `name` in errors (a path relative to the project).
pub(crate) fn read_text_as(path: &Path, name: &str, cap: u64) -> Result<String> {
    let file = open_nonblocking(path).with_context(|| format!("cannot read `{}`", name))?;
    // The open file's own metadata: one system call, and no window between
    // checking a path and opening it.
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read `{}`", name))?;
    if !meta.is_file() {
        anyhow::bail!("`{}` is not a regular file", name);
    }
    if meta.len() > cap {
        anyhow::bail!(
            "`{}` is larger than {} MiB; flaskdock reads only hand-written files",
            name,
            cap >> 20
        );
    }
    // Sized from the stat: the whole file in one read, no growing series and
    // no probe for the end (a file that grows meanwhile is read as it was).
    let expected = usize::try_from(meta.len()).unwrap_or(0);
    let mut bytes = vec![0; expected];
    let mut filled = 0;
    let mut file = file;
    while filled < expected {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err).with_context(|| format!("cannot read `{}`", name)),
        }
    }
    bytes.truncate(filled);
    String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("`{}` is not UTF-8 text; save it as UTF-8", name))
}

/// Opens for reading without waiting: a FIFO (or a device) opened this way
/// returns at once, and is then refused as not a regular file.
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// A one-line error naming the file and line of a TOML syntax error (toml's own
/// message spans several lines with a source excerpt).
pub fn toml_error(
    file: &str,
    text: &str,
    err: &toml::de::Error,
    what_to_do: &str,
) -> anyhow::Error {
    let line = err
        .span()
        .map_or(1, |span| text[..span.start].matches('\n').count() + 1);
    let message = err.message().trim().replace('\n', " ");
    anyhow::anyhow!("failed to parse `{file}` at line {line}: {message}; {what_to_do}")
}

/// Walks `root` once, honouring the root `.gitignore` and skipping hidden
/// and vendored folders.
///
/// The walker reads no ignore file itself (a `.gitignore` linked to
/// `/dev/zero` or a FIFO would hang it): the root `.gitignore` is read once,
/// like any project file, and applied here; nested ones are not read.
pub(crate) fn scan(root: &Path) -> Result<Tree> {
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut tree = Tree {
        root: root.to_path_buf(),
        ..Tree::default()
    };
    let gitignore_path = root.join(".gitignore");
    if is_file_inside(&gitignore_path, &canonical_root) {
        // An unreadable or oversized `.gitignore` only loses its rules.
        if let Ok(text) = read_text_as(&gitignore_path, ".gitignore", MAX_READ_BYTES) {
            tree.gitignore = gitignore_lines(&text);
        }
    }
    let gitignore = walk(&mut tree, &canonical_root);
    drop_copied_libraries(&mut tree);
    add_root_virtualenvs(&mut tree);
    add_hidden_files(&mut tree, &canonical_root);
    if !tree.gitignore.is_empty()
        && let Some(tracked) = super::git_index::tracked_files(root)
    {
        tree.committed_ignored = committed_ignored(&tree.files, tracked, |f| {
            gitignore
                .matched_path_or_any_parents(root.join(f), false)
                .is_ignore()
        });
    }
    Ok(tree)
}

/// The tracked files (`tracked`, in the index's byte order) that `ignored`
/// says `.gitignore` ignores. Only those the walk did not list (`listed`,
/// also in byte order) can be: one merge of the two lists finds them, so
/// the matcher runs on the few, not on every file of a large checkout.
fn committed_ignored(
    listed: &BTreeSet<String>,
    tracked: Vec<String>,
    ignored: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut listed = listed.iter().peekable();
    tracked
        .into_iter()
        .filter(|f| {
            while listed.next_if(|l| l.as_str() < f.as_str()).is_some() {}
            listed.peek().is_none_or(|l| l.as_str() != f.as_str())
        })
        .filter(|f| !f.chars().any(crate::safe::is_unsafe_char) && ignored(f))
        .take(MAX_COMMITTED_IGNORED)
        .collect()
}

/// The walk itself: every file and folder not ignored, not hidden, not
/// vendored and not in a virtualenv. Virtualenvs are listed instead, so the
/// `.dockerignore` can name them whatever they are called, and names with
/// unsafe characters are listed and skipped. Returns the `.gitignore`'s matcher.
fn walk(tree: &mut Tree, canonical_root: &Path) -> std::sync::Arc<ignore::gitignore::Gitignore> {
    let root = tree.root.clone();
    let mut rules = ignore::gitignore::GitignoreBuilder::new(&root);
    for line in &tree.gitignore {
        let _ = rules.add_line(None, line); // a line git cannot read ignores nothing
    }
    let rules = std::sync::Arc::new(
        rules
            .build()
            .unwrap_or_else(|_| ignore::gitignore::Gitignore::empty()),
    );
    let gitignore = std::sync::Arc::clone(&rules);
    // Filled by the walk's filter, which must be `'static`.
    let virtualenvs = Shared::default();
    let unsafe_names = Shared::default();
    let (found_virtualenvs, found_unsafe) = (virtualenvs.clone(), unsafe_names.clone());
    let walk_root = root.clone();
    let relative = move |path: &Path| {
        let rel = path.strip_prefix(&walk_root).unwrap_or(path);
        rel.to_string_lossy().replace('\\', "/")
    };
    let walker = ignore::WalkBuilder::new(&root)
        .standard_filters(false)
        .hidden(true)
        .follow_links(false)
        .max_depth(Some(64))
        .filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_str();
            if name.is_none_or(|n| n.chars().any(crate::safe::is_unsafe_char)) {
                found_unsafe.push(crate::safe::escaped(&relative(entry.path())).into_owned());
                return false;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if rules
                .matched_path_or_any_parents(entry.path(), is_dir)
                .is_ignore()
            {
                return false;
            }
            if !is_dir {
                return true;
            }
            if entry.path().join("pyvenv.cfg").is_file() {
                found_virtualenvs.push(relative(entry.path()));
                return false;
            }
            let name = entry.file_name().to_string_lossy();
            // `{{cookiecutter.project}}/`: a project generator's template, whose
            // files become some other project.
            !VENDORED_DIRS.contains(&name.as_ref()) && !name.contains("{{")
        })
        .build();

    for entry in walker {
        let Ok(entry) = entry else { continue };
        let Ok(rel) = entry.path().strip_prefix(&root) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel.is_empty() {
            continue;
        }
        match entry.file_type() {
            Some(t) if t.is_dir() => {
                tree.dirs.insert(rel);
            }
            Some(t) if t.is_file() => {
                tree.files.insert(rel);
            }
            // A link to a regular file inside the project counts as that file
            // (`requirements.txt -> requirements/prod.txt`); links out of the
            // project, to devices or to folders are not followed.
            Some(t) if t.is_symlink() && links_to_file_inside(entry.path(), canonical_root) => {
                tree.files.insert(rel);
            }
            _ => {}
        }
    }
    tree.virtualenvs = virtualenvs.take();
    tree.unsafe_names = unsafe_names.take();
    tree.unsafe_names.sort();
    gitignore
}

/// Import names of libraries a Flask app installs and a project that copies
/// its dependencies into a folder (`lib/` for App Engine, bazarr's `libs/`)
/// copies too.
const COPIED_LIBRARIES: &[&str] = &[
    "flask",
    "werkzeug",
    "jinja2",
    "click",
    "itsdangerous",
    "markupsafe",
    "requests",
    "urllib3",
    "certifi",
    "idna",
    "sqlalchemy",
];

/// Drops the dependencies a project copied into its tree: a folder holding
/// two or more of [`COPIED_LIBRARIES`] as packages is a copy of installed
/// libraries, none of them the app's code (at the root, only those packages
/// go: the app lives beside them).
fn drop_copied_libraries(tree: &mut Tree) {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for file in &tree.files {
        let Some(package_dir) = file.strip_suffix("/__init__.py") else {
            continue;
        };
        let (parent, name) = package_dir.rsplit_once('/').unwrap_or(("", package_dir));
        if COPIED_LIBRARIES.contains(&name) {
            *counts.entry(parent).or_default() += 1;
        }
    }
    let copies: Vec<String> = counts
        .into_iter()
        .filter(|(_, count)| *count >= 2)
        .flat_map(|(parent, _)| match parent {
            "" => COPIED_LIBRARIES
                .iter()
                .map(|name| format!("{name}/"))
                .collect(),
            parent => vec![format!("{parent}/")],
        })
        .collect();
    if copies.is_empty() {
        return;
    }
    let copied = |path: &String| {
        copies
            .iter()
            .any(|c| format!("{path}/").starts_with(c.as_str()))
    };
    tree.files.retain(|f| !copied(f));
    tree.dirs.retain(|d| !copied(d));
}

/// Hidden virtualenvs at the root (`.venv`), which the walk skips as hidden.
fn add_root_virtualenvs(tree: &mut Tree) {
    if let Ok(read_dir) = std::fs::read_dir(&tree.root) {
        for entry in read_dir.flatten() {
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let safe = !name.chars().any(crate::safe::is_unsafe_char);
            if safe
                && entry.path().join("pyvenv.cfg").is_file()
                && !tree.virtualenvs.contains(&name)
            {
                tree.virtualenvs.push(name);
            }
        }
    }
    tree.virtualenvs.sort();
}

/// Root dotfiles the walk skips as hidden but detectors need (environment
/// templates among them), and the CI
/// workflows, which say which Pythons the project is tested on.
fn add_hidden_files(tree: &mut Tree, canonical_root: &Path) {
    let root = tree.root.clone();
    for name in [
        ".python-version",
        ".gitignore",
        ".flaskenv",
        ".env",
        ".env.example",
        ".env.sample",
        ".env.template",
        ".env.dist",
        ".tool-versions",
        ".travis.yml",
        ".travis.yaml",
        ".gitlab-ci.yml",
    ] {
        if is_file_inside(&root.join(name), canonical_root) {
            tree.files.insert(name.to_string());
        }
    }
    // Beside each `package.json`: the Node release and the package
    // manager's settings its front-end build uses.
    let front_ends: Vec<String> = tree
        .files
        .iter()
        .filter_map(|f| f.strip_suffix("package.json"))
        .filter(|dir| dir.is_empty() || dir.ends_with('/'))
        .map(str::to_string)
        .collect();
    for dir in front_ends {
        for name in [".nvmrc", ".node-version", ".yarnrc.yml", ".yarnrc"] {
            let rel = format!("{dir}{name}");
            if is_file_inside(&root.join(&rel), canonical_root) {
                tree.files.insert(rel);
            }
        }
    }
    let workflows = root.join(".github/workflows");
    let real_dir = workflows.symlink_metadata().is_ok_and(|m| m.is_dir())
        && root
            .join(".github")
            .symlink_metadata()
            .is_ok_and(|m| m.is_dir());
    if !real_dir {
        return;
    }
    let Ok(entries) = std::fs::read_dir(&workflows) else {
        return;
    };
    for entry in entries.flatten().take(200) {
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
        let safe = !name.chars().any(crate::safe::is_unsafe_char);
        if yaml && safe && is_file_inside(&entry.path(), canonical_root) {
            tree.files.insert(format!(".github/workflows/{name}"));
        }
    }
}

/// A list the walk's filter fills from its own thread.
#[derive(Clone, Default)]
struct Shared(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Shared {
    fn push(&self, item: String) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(item);
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// A regular file, or a link to a regular file inside the project.
fn is_file_inside(path: &Path, root: &Path) -> bool {
    path.symlink_metadata().is_ok_and(|meta| meta.is_file()) || links_to_file_inside(path, root)
}

fn links_to_file_inside(link: &Path, root: &Path) -> bool {
    std::fs::canonicalize(link).is_ok_and(|target| target.starts_with(root) && target.is_file())
}

/// A tree that lists `files` and nothing else (nothing on disk): for tests.
#[cfg(test)]
pub(super) fn listed(files: &[&str]) -> Tree {
    Tree {
        files: files.iter().map(|f| f.to_string()).collect(),
        ..Tree::default()
    }
}

/// A project on disk with `files`, scanned: for the detectors' tests.
#[cfg(test)]
#[allow(clippy::disallowed_methods)] // the tests build projects on disk
pub(super) fn scanned(files: &[(&str, &str)]) -> (tempfile::TempDir, Tree) {
    let temp = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let full = temp.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    let tree = scan(temp.path()).unwrap();
    (temp, tree)
}

/// A TOML manifest (`pyproject.toml`, `Pipfile`) read and parsed once, with
/// its text kept to point at lines.
pub(crate) struct TomlFile {
    pub text: String,
    pub doc: toml::Table,
}

impl TomlFile {
    /// Parses `text`; a syntax error names `name` and the line.
    pub(crate) fn parse(name: &str, text: String) -> Result<Self> {
        let doc = toml::from_str(&text)
            .map_err(|err| toml_error(name, &text, &err, "fix the TOML and run again"))?;
        Ok(TomlFile { text, doc })
    }

    /// Reads and parses the project file `rel`, when the project has one.
    pub(crate) fn read(tree: &Tree, rel: &str) -> Result<Option<Self>> {
        match tree.has_file(rel) {
            true => Self::parse(rel, tree.read(rel)?).map(Some),
            false => Ok(None),
        }
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // the tests build projects on disk
mod tests {
    use super::*;

    #[test]
    fn only_committed_files_the_walk_left_out_are_matched() {
        let listed: BTreeSet<String> = ["a.py", "b/c.py", "d.txt"].map(String::from).into();
        let tracked = [
            "a.py",
            "b/c.py",
            "b/dist/x.css",
            "d.txt",
            "e.log",
            "z/dist/y.js",
        ]
        .map(String::from)
        .to_vec();
        let asked = std::cell::RefCell::new(Vec::new());
        let found = committed_ignored(&listed, tracked, |f| {
            asked.borrow_mut().push(f.to_string());
            f.contains("dist/")
        });
        assert_eq!(found, ["b/dist/x.css", "z/dist/y.js"]);
        assert_eq!(asked.into_inner(), ["b/dist/x.css", "e.log", "z/dist/y.js"]);
    }

    #[test]
    fn skips_vendored_virtualenv_and_template_folders() {
        let (_dir, tree) = scanned(&[
            ("app.py", ""),
            ("node_modules/x/index.py", ""),
            (".venv/lib/site.py", ""),
            ("myenv/pyvenv.cfg", ""),
            ("myenv/lib/a.py", ""),
            ("pkg/__init__.py", ""),
            ("contrib/template/{{cookiecutter.name}}/cli.py", ""),
        ]);
        let py: Vec<_> = tree.python_files().cloned().collect();
        assert_eq!(py, ["app.py", "pkg/__init__.py"]);
        assert_eq!(tree.virtualenvs, ["myenv"]);
    }

    #[test]
    fn libraries_copied_into_the_tree_are_not_the_projects_code() {
        let (_dir, tree) = scanned(&[
            ("app.py", ""),
            ("libs/flask/__init__.py", ""),
            ("libs/werkzeug/__init__.py", ""),
            ("libs/other_lib/core.py", ""),
            ("flask/__init__.py", ""),
            ("jinja2/__init__.py", ""),
            ("shop/__init__.py", ""),
            ("src/flask/__init__.py", ""),
            ("src/flask/app.py", ""),
        ]);
        let py: Vec<_> = tree.python_files().cloned().collect();
        // `libs/` goes whole; at the root only the copied packages; one
        // library alone (Flask's own repository) is no copy.
        assert_eq!(
            py,
            [
                "app.py",
                "shop/__init__.py",
                "src/flask/__init__.py",
                "src/flask/app.py"
            ]
        );
        assert!(!tree.dirs.contains("libs/other_lib"));
    }

    #[cfg(unix)]
    #[test]
    fn follows_links_to_files_inside_the_project_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("requirements")).unwrap();
        std::fs::write(root.join("requirements/prod.txt"), "flask\n").unwrap();
        std::os::unix::fs::symlink("requirements/prod.txt", root.join("requirements.txt")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join("app.py")).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", root.join("outside.txt")).unwrap();
        let tree = scan(root).unwrap();
        assert!(tree.has_file("requirements.txt"));
        assert!(!tree.has_file("app.py") && !tree.has_file("outside.txt"));
    }

    #[test]
    fn finds_templates_inside_the_package() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("shop/templates")).unwrap();
        std::fs::write(root.join("shop/__init__.py"), "").unwrap();
        let tree = scan(root).unwrap();
        assert_eq!(
            tree.find_dir("templates").as_deref(),
            Some("shop/templates")
        );
        assert_eq!(tree.find_dir("static"), None);
    }
}
