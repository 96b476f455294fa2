//! The integration tests: one binary, a module per area.

mod cli;
mod common;
mod detect;
mod doctor;
mod fuzz_inputs;
mod hardening;
mod hostile;
mod hostile_render;
mod pipeline;
mod snapshots;
mod templates;
