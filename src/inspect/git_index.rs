//! The files git tracks, read from the checkout's own `.git/index` (no git
//! process: a cloned repository's config can make git run commands). A
//! `.gitignore` pattern that matches a committed file (a `dist/` the app
//! serves, added with `git add -f`) must not reach the `.dockerignore`.

use std::path::Path;

/// Largest index read; bigger ones are left unread (nothing is known then).
const MAX_INDEX_BYTES: u64 = 64 * 1024 * 1024;

/// The paths of a checkout's index at `root/.git/index`, or `None` when
/// there is none (not a checkout, a worktree's `.git` file) or it cannot be
/// read as one: then nothing is known about what git tracks.
pub(super) fn tracked_files(root: &Path) -> Option<Vec<String>> {
    let git = root.join(".git");
    // A real folder only: `.git` as a link or a file points elsewhere.
    if !git.symlink_metadata().ok()?.is_dir() {
        return None;
    }
    let index = git.join("index");
    let meta = index.symlink_metadata().ok()?;
    if !meta.is_file() || meta.len() > MAX_INDEX_BYTES {
        return None;
    }
    parse_index(&std::fs::read(index).ok()?)
}

/// Reads the entries of a git index (versions 2, 3 and 4, SHA-1 object
/// names): their paths, in the index's order. `None` when the bytes are not
/// such an index.
pub(super) fn parse_index(bytes: &[u8]) -> Option<Vec<String>> {
    const HASH: usize = 20;
    // ctime, mtime, dev, ino, mode, uid, gid, size, the object name, flags
    const FIXED: usize = 8 + 8 + 6 * 4 + HASH + 2;
    let (magic, rest) = bytes.split_first_chunk::<4>()?;
    if magic != b"DIRC" {
        return None;
    }
    let version = u32::from_be_bytes(*rest.first_chunk::<4>()?);
    let count = u32::from_be_bytes(*rest.get(4..)?.first_chunk::<4>()?);
    if !(2..=4).contains(&version) {
        return None;
    }
    // Each entry takes at least FIXED bytes: a count the file cannot hold is a lie.
    if usize::try_from(count).ok()? > bytes.len() / FIXED {
        return None;
    }
    let mut paths: Vec<String> = Vec::with_capacity(count as usize);
    let mut at = 12;
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = at;
        let flags = u16::from_be_bytes(*bytes.get(at + FIXED - 2..)?.first_chunk::<2>()?);
        at += FIXED;
        // Version 3 and later: an extended entry has two more flag bytes.
        if version >= 3 && flags & 0x4000 != 0 {
            at += 2;
        }
        let path = if version == 4 {
            // The length to drop from the previous path (a varint), then the rest.
            let (drop, used) = varint(bytes.get(at..)?)?;
            at += used;
            let end = at + bytes.get(at..)?.iter().position(|&b| b == 0)?;
            let keep = previous.len().checked_sub(usize::try_from(drop).ok()?)?;
            let mut path = previous[..keep].to_vec();
            path.extend_from_slice(&bytes[at..end]);
            at = end + 1;
            path
        } else {
            let end = at + bytes.get(at..)?.iter().position(|&b| b == 0)?;
            let path = bytes[at..end].to_vec();
            // Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
            at = start + (end - start + 8) / 8 * 8;
            path
        };
        paths.push(String::from_utf8(path.clone()).ok()?);
        previous = path;
    }
    Some(paths)
}

/// Git's offset varint (used by index version 4): the value and the bytes read.
fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut iter = bytes.iter().enumerate();
    let (_, &first) = iter.next()?;
    let mut value = u64::from(first & 0x7f);
    let mut more = first & 0x80 != 0;
    while more {
        let (i, &byte) = iter.next()?;
        if i > 8 {
            return None;
        }
        value = ((value + 1) << 7) | u64::from(byte & 0x7f);
        more = byte & 0x80 != 0;
    }
    let used = bytes.len() - iter.len();
    Some((value, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version-2 index of `paths`, as git writes it.
    fn index_v2(paths: &[&str]) -> Vec<u8> {
        let mut out = b"DIRC".to_vec();
        out.extend(2u32.to_be_bytes());
        out.extend(u32::try_from(paths.len()).unwrap().to_be_bytes());
        for path in paths {
            let start = out.len();
            out.extend([0u8; 40]); // stat data
            out.extend([0xab; 20]); // object name
            out.extend(u16::try_from(path.len()).unwrap().to_be_bytes());
            out.extend(path.as_bytes());
            let len = out.len() - start;
            out.extend(std::iter::repeat_n(0u8, 8 - len % 8));
        }
        out.extend([0u8; 20]); // checksum
        out
    }

    #[test]
    fn reads_the_paths_of_a_version_2_index() {
        let paths = ["app.py", "static/dist/app.css", "a"];
        assert_eq!(
            parse_index(&index_v2(&paths)).unwrap(),
            paths.map(String::from)
        );
    }

    #[test]
    fn reads_prefix_compressed_paths_of_a_version_4_index() {
        let mut out = b"DIRC".to_vec();
        out.extend(4u32.to_be_bytes());
        out.extend(2u32.to_be_bytes());
        for (drop, rest) in [(0u8, "static/dist/app.css"), (7, "js")] {
            out.extend([0u8; 40]);
            out.extend([0xab; 20]);
            out.extend(0u16.to_be_bytes());
            out.push(drop);
            out.extend(rest.as_bytes());
            out.push(0);
        }
        assert_eq!(
            parse_index(&out).unwrap(),
            ["static/dist/app.css", "static/dist/js"]
        );
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // the test builds a checkout on disk
    fn reads_the_index_git_writes_in_every_version() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        let git = |args: &[&str]| {
            let status = std::process::Command::new("git")
                .args(args)
                .current_dir(root)
                .output()
                .expect("git runs");
            assert!(status.status.success(), "git {args:?}");
            String::from_utf8(status.stdout).unwrap()
        };
        git(&["init", "-q"]);
        for path in [
            "app.py",
            "static/dist/app.css",
            "static/dist/app.js",
            "a/b/c d.txt",
        ] {
            let file = root.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, path).unwrap();
        }
        git(&["add", "."]);
        for version in ["2", "3", "4"] {
            git(&["update-index", "--index-version", version]);
            let listed: Vec<String> = git(&["ls-files", "-z"])
                .split('\0')
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect();
            assert_eq!(tracked_files(root).unwrap(), listed, "version {version}");
        }
    }

    #[test]
    fn anything_else_is_not_an_index() {
        assert_eq!(parse_index(b""), None);
        assert_eq!(parse_index(b"DIRC"), None);
        let mut lying = index_v2(&["app.py"]);
        lying[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(parse_index(&lying), None);
        let mut cut = index_v2(&["app.py", "wsgi.py"]);
        cut.truncate(80);
        assert_eq!(parse_index(&cut), None);
        let mut v9 = index_v2(&["app.py"]);
        v9[7] = 9;
        assert_eq!(parse_index(&v9), None);
    }
}
