//! The integration tests: one binary, a module per area.

mod cli;
mod common;
mod detect;
mod doctor;
mod fuzz_inputs;
mod hardening;
mod pipeline;
mod snapshots;
mod templates;
