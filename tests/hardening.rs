//! Bad input, as an unkind user would supply it: every case ends with a sound
//! result or a one-line error naming the file, never a panic or a hang, and
//! every file the user had is byte-for-byte what it was.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::common::{GENERATED, write_tree};

const APP: (&str, &str) = ("app.py", "from flask import Flask\napp = Flask(__name__)\n");

/// Every file and link under `root` (links not followed), with its bytes or target.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if kind.is_symlink() {
                out.insert(
                    rel,
                    fs::read_link(&path)
                        .unwrap()
                        .into_os_string()
                        .into_encoded_bytes(),
                );
            } else if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                out.insert(rel, fs::read(&path).unwrap());
            } else {
                out.insert(rel, b"(special file)".to_vec());
            }
        }
    }
    out
}

/// What a run must end with.
#[derive(Clone, Copy)]
enum Expect {
    /// Exit 0; stderr may hold warnings containing this text.
    Ok(&'static str),
    /// Exit 2 with exactly one line on stderr containing this text.
    Error(&'static str),
}

/// Runs `flaskdock init --yes` (plus `args`) on `dir` and checks the outcome,
/// that nothing panicked, and that no user file changed.
fn run(dir: &Path, args: &[&str], expect: Expect) {
    let before = snapshot(dir);
    let output = Command::cargo_bin("flaskdock")
        .unwrap()
        .arg("init")
        .arg(dir)
        .arg("--yes")
        .args(args)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let code = output.status.code();
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
    match expect {
        Expect::Ok(text) => {
            assert_eq!(code, Some(0), "{}: {stderr}", dir.display());
            // Warnings reach the user as notes on stdout.
            assert!(
                stdout.contains(text) || stderr.contains(text),
                "expected {text:?} in {stdout}{stderr}"
            );
        }
        Expect::Error(text) => {
            assert_eq!(code, Some(2), "{}: {stderr}", dir.display());
            assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
            assert!(
                stderr.starts_with("error: ") && stderr.contains(text),
                "expected {text:?} in {stderr}"
            );
        }
    }
    let mut after = snapshot(dir);
    for generated in GENERATED {
        if !before.contains_key(Path::new(generated)) {
            after.remove(Path::new(generated));
        }
    }
    assert_eq!(before, after, "user files changed, or stray files left");
}

fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("app");
    fs::create_dir(&dir).unwrap();
    write_tree(&dir, files);
    (temp, dir)
}

#[test]
fn paths_that_are_not_a_project() {
    let temp = tempfile::tempdir().unwrap();
    let missing = temp.path().join("missing");
    let out = Command::cargo_bin("flaskdock")
        .unwrap()
        .args(["init", "--yes"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass the path of a Flask project"));

    let (_t, dir) = project(&[APP]);
    let out = Command::cargo_bin("flaskdock")
        .unwrap()
        .args(["init", "--yes"])
        .arg(dir.join("app.py"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a directory"));

    let (_t, dir) = project(&[APP, ("out", "a file\n")]);
    run(
        &dir,
        &["-o", dir.join("out").to_str().unwrap()],
        Expect::Error("is a file; pass a folder with `--output`"),
    );

    let (_t, dir) = project(&[]);
    run(&dir, &[], Expect::Error("no Flask app found"));
}

#[cfg(unix)]
#[test]
fn a_read_only_output_folder() {
    use std::os::unix::fs::PermissionsExt;
    let (_t, dir) = project(&[APP]);
    let out = dir.join("out");
    fs::create_dir(&out).unwrap();
    fs::set_permissions(&out, fs::Permissions::from_mode(0o555)).unwrap();
    // root writes anyway: then there is nothing to prove here.
    if fs::write(out.join("probe"), "x").is_ok() {
        fs::remove_file(out.join("probe")).unwrap();
        return;
    }
    run(
        &dir,
        &["-o", out.to_str().unwrap()],
        Expect::Error("check that the folder is writable"),
    );
    fs::set_permissions(&out, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn broken_and_binary_files() {
    // (file, its bytes, the answer): a dependency file that cannot be read is an
    // error naming it; a module that cannot be read or parsed is skipped.
    let cases: &[(&str, &[u8], Expect)] = &[
        (
            "requirements.txt",
            b"flask\n\xff\xfe\n",
            Expect::Error("requirements.txt` is not UTF-8 text; save it as UTF-8"),
        ),
        (
            "blob.py",
            &[0, 159, 146, 150, 0, 1, 2],
            Expect::Ok("blob.py` is not UTF-8 text"),
        ),
        (
            "broken.py",
            b"import os\ndef f(:\n    os.environ['X']\n",
            Expect::Ok("broken.py:2: Python syntax error"),
        ),
        (
            "pyproject.toml",
            b"[project]\nname = \"x\ndependencies = []\n",
            Expect::Error("failed to parse `pyproject.toml` at line 2"),
        ),
        (
            "Pipfile",
            b"[packages]\nflask = \n",
            Expect::Error("`Pipfile` at line 2"),
        ),
        (
            ".flaskdock.toml",
            b"[answers]\nport = \"eighty\"\n",
            Expect::Error(".flaskdock.toml` at line 2"),
        ),
        (
            "gunicorn.conf.py",
            b"bind = \n",
            Expect::Ok("gunicorn.conf.py"),
        ),
    ];
    for (file, bytes, expect) in cases {
        let (_t, dir) = project(&[APP]);
        fs::write(dir.join(file), bytes).unwrap();
        if *file == "Pipfile" {
            fs::write(dir.join("Pipfile.lock"), "{}\n").unwrap(); // so the Pipfile is what fails
        }
        run(&dir, &[], *expect);
    }
}

#[test]
fn huge_and_deep_inputs_finish() {
    // A 5 MB one-line module: over the read cap, skipped with a warning.
    let (_t, dir) = project(&[APP]);
    fs::write(
        dir.join("huge.py"),
        format!("x = '{}'\n", "a".repeat(5 << 20)),
    )
    .unwrap();
    run(&dir, &[], Expect::Ok("`huge.py` is larger than 2 MiB"));

    // 200,000 requirement lines (3.9 MB): read in full, every package known.
    let (_t, dir) = project(&[APP]);
    let lines: String = (0..200_000)
        .map(|i| format!("package-{i}==1.0\n"))
        .collect();
    fs::write(dir.join("requirements.txt"), lines).unwrap();
    run(&dir, &[], Expect::Ok(""));
    let out = Command::cargo_bin("flaskdock")
        .unwrap()
        .args(["inspect", "--json"])
        .arg(&dir)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["packages"].as_array().unwrap().len(), 200_000);

    // Past the manifest cap (32 MiB): a clear error.
    let (_t, dir) = project(&[APP]);
    let line = format!("# {}\n", "x".repeat(1021));
    fs::write(dir.join("requirements.txt"), line.repeat(33 << 10)).unwrap();
    run(
        &dir,
        &[],
        Expect::Error("`requirements.txt` is larger than 32 MiB"),
    );

    // A statement nested deeper than CPython compiles: skipped, not a stack overflow.
    let (_t, dir) = project(&[APP]);
    fs::write(
        dir.join("deep.py"),
        format!(
            "import os\nx = os.getenv('X') or {}1\n",
            "-".repeat(1 << 20)
        ),
    )
    .unwrap();
    run(
        &dir,
        &[],
        Expect::Ok("skipped `deep.py`: one statement nests"),
    );

    // A 300-deep folder tree.
    let (_t, dir) = project(&[APP]);
    let mut deep = dir.clone();
    for i in 0..300 {
        deep.push(format!("d{i}"));
    }
    fs::create_dir_all(&deep).unwrap();
    fs::write(deep.join("x.py"), "import os\nos.environ['DEEP']\n").unwrap();
    run(&dir, &[], Expect::Ok(""));
}

#[cfg(unix)]
#[test]
fn links_pipes_and_loops() {
    use std::os::unix::fs::symlink;

    // A link loop and a link to the whole filesystem: not followed.
    let (_t, dir) = project(&[APP]);
    symlink(".", dir.join("loop")).unwrap();
    symlink("/", dir.join("root")).unwrap();
    symlink("/etc/passwd", dir.join("passwd.py")).unwrap();
    run(&dir, &[], Expect::Ok(""));

    // A FIFO named like the app: never opened.
    let (_t, dir) = project(&[("wsgi.py", "from app import app\n"), APP]);
    fs::remove_file(dir.join("app.py")).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(dir.join("app.py"))
        .status()
        .unwrap();
    assert!(status.success());
    run(&dir, &["--entry", "wsgi:app"], Expect::Ok(""));

    // A dependency file that is a link to a device.
    let (_t, dir) = project(&[APP]);
    symlink("/dev/zero", dir.join("requirements.txt")).unwrap();
    run(
        &dir,
        &[],
        Expect::Error("`requirements.txt` is not a regular file inside the project"),
    );

    // `.env` linked out of the project is not read.
    let (_t, dir) = project(&[APP]);
    let outside = dir.parent().unwrap().join("outside.env");
    fs::write(&outside, "FLASK_APP=nowhere:app\n").unwrap();
    symlink(&outside, dir.join(".env")).unwrap();
    run(&dir, &[], Expect::Ok(""));
    assert!(
        fs::read_to_string(dir.join("Dockerfile"))
            .unwrap()
            .contains("\"app:app\"")
    );
}

#[test]
fn requirement_lines_of_every_form() {
    let requirements = "\
# comment
--index-url https://example.invalid/simple
--extra-index-url https://example.invalid/extra
-c constraints.txt
flask[async]>=3.0 ; python_version >= \"3.9\"  # trailing comment
gunicorn==23.0.0 \\
    --hash=sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
-e git+https://example.invalid/org/lib.git@v1#egg=lib
requests @ https://example.invalid/requests-2.0.tar.gz
./vendor/localpkg
-r requirements.txt
Django ; sys_platform == 'win32'
";
    let (_t, dir) = project(&[
        APP,
        ("requirements.txt", requirements),
        ("constraints.txt", "psycopg2==2.9.9\n"),
        (
            "vendor/localpkg/setup.py",
            "from setuptools import setup\nsetup(name='localpkg')\n",
        ),
    ]);
    run(&dir, &[], Expect::Ok(""));
    let out = Command::cargo_bin("flaskdock")
        .unwrap()
        .args(["inspect", "--json"])
        .arg(&dir)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages: Vec<&str> = json["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in ["flask", "gunicorn", "lib", "requests", "django"] {
        assert!(packages.contains(&name), "{name} missing from {packages:?}");
    }
    // Options, hashes, paths and constraints are never taken for packages.
    for not_a_package in [
        "index-url",
        "hash",
        "psycopg2",
        "vendor",
        "localpkg",
        "constraints",
    ] {
        assert!(
            !packages.iter().any(|p| p.contains(not_a_package)),
            "{not_a_package} in {packages:?}"
        );
    }
}

/// Temporary files a run leaves in `dir`.
fn temps(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".flaskdock-"))
        .collect()
}

#[cfg(unix)]
#[test]
fn a_run_killed_at_any_moment_leaves_each_file_old_or_new() {
    let (_t, dir) = project(&[APP, ("requirements.txt", "flask==3.1.3\n")]);
    let flaskdock = assert_cmd::cargo::cargo_bin("flaskdock");
    let status = std::process::Command::new(&flaskdock)
        .args(["init", "--yes"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(status.status.success());
    let old: BTreeMap<PathBuf, Vec<u8>> = snapshot(&dir);
    // What the finished run writes: another port changes every Docker file.
    let (_t2, other) = project(&[APP, ("requirements.txt", "flask==3.1.3\n")]);
    fs::write(
        other.join(".flaskdock.toml"),
        fs::read(dir.join(".flaskdock.toml")).unwrap(),
    )
    .unwrap();
    for file in GENERATED {
        fs::write(other.join(file), &old[Path::new(file)]).unwrap();
    }
    let done = std::process::Command::new(&flaskdock)
        .args(["init", "--yes", "--port", "9000"])
        .arg(&other)
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let new = snapshot(&other);

    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for round in 0..40 {
        for (path, bytes) in &old {
            fs::write(dir.join(path), bytes).unwrap();
        }
        // Leftovers of an earlier SIGKILL round (the last check covers them).
        for name in temps(&dir) {
            fs::remove_file(dir.join(name)).unwrap();
        }
        let mut child = std::process::Command::new(&flaskdock)
            .args(["init", "--yes", "--port", "9000"])
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(std::time::Duration::from_micros(seed % 12_000));
        let term = round % 2 == 0;
        if term {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
        } else {
            let _ = child.kill();
        }
        let exit = child.wait().unwrap();
        for file in GENERATED {
            let now = fs::read(dir.join(file)).unwrap();
            assert!(
                now == old[Path::new(file)] || now == new[Path::new(file)],
                "round {round}: {file} is neither the old nor the new file"
            );
        }
        // SIGTERM is handled: the file in hand is finished, no temporary file stays.
        if term {
            assert!(
                temps(&dir).is_empty(),
                "round {round} ({exit:?}): {:?}",
                temps(&dir)
            );
        }
    }
    // A SIGKILL can leave a temporary file; the next run removes it, and only
    // it: a file of the user's that looks like one stays.
    fs::write(dir.join(flaskdock::write::temp_name()), "half").unwrap();
    fs::write(dir.join(".flaskdock-notes.tmp"), "mine").unwrap();
    let finish = std::process::Command::new(&flaskdock)
        .args(["init", "--yes", "--port", "9000", "--force"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(finish.status.success());
    assert_eq!(temps(&dir), [".flaskdock-notes.tmp"]);
    assert_eq!(
        fs::read_to_string(dir.join(".flaskdock-notes.tmp")).unwrap(),
        "mine"
    );
    fs::remove_file(dir.join(".flaskdock-notes.tmp")).unwrap();
    assert!(snapshot(&dir) == new, "the files are not the new ones");
}
