//! The floor under `flaskdock inspect`: walk a tree as the scan does (hidden
//! folders and `node_modules` skipped) and read every `.py` file on every
//! core, doing nothing else. `scripts/bench.py` runs it as a process on the
//! same trees, so the table says how much of inspection's time is reading.
//!
//! Usage: cargo bench --bench read_floor -- TREE   (prints files, bytes, ms)

// A benchmark prints its figures.
#![allow(clippy::disallowed_macros)]

use std::path::{Path, PathBuf};

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        match entry.file_type() {
            Ok(t) if t.is_dir() && !name.starts_with('.') && name != "node_modules" => {
                walk(&entry.path(), files);
            }
            Ok(t) if t.is_file() && name.ends_with(".py") => files.push(entry.path()),
            _ => {}
        }
    }
}

fn main() {
    // `cargo bench` adds `--bench`; the tree is the one other argument.
    let Some(root) = std::env::args().skip(1).find(|a| a != "--bench") else {
        eprintln!("usage: cargo bench --bench read_floor -- TREE");
        std::process::exit(2);
    };
    let start = std::time::Instant::now();
    let mut files = Vec::new();
    walk(Path::new(&root), &mut files);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = files.len().div_ceil(workers).max(1);
    let bytes: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|p| std::fs::read(p).map_or(0, |b| b.len()))
                        .sum::<usize>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    println!(
        "{} files, {} bytes, {:.1} ms",
        files.len(),
        bytes,
        start.elapsed().as_secs_f64() * 1000.0
    );
}
