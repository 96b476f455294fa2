//! Rebuild when a built-in template changes: `include_dir!` alone does not notice
//! added or removed files.
#![allow(clippy::disallowed_macros)] // cargo reads its directives from stdout
fn main() {
    println!("cargo:rerun-if-changed=templates");
}
