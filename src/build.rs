//! Rebuild when a built-in template changes: `include_dir!` alone does not notice
//! added or removed files.
fn main() {
    println!("cargo:rerun-if-changed=templates");
}
