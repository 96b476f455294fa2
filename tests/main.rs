//! The integration tests: one binary, a module per area.

// Tests build projects on disk and print what they compare (see .clippy.toml).
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

mod cli;
mod common;
mod detect;
mod doctor;
mod frontend;
mod fuzz_inputs;
mod hardening;
mod hostile;
mod hostile_render;
mod pipeline;
mod snapshots;
mod templates;
