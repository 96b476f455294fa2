//! Ctrl-C during a run: the engine command in hand is stopped, the
//! remaining checks are skipped, and what the run created is removed.

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);
static RUNNING: AtomicBool = AtomicBool::new(false);

/// Asks a run in progress to stop: the engine command in hand is stopped and
/// everything created is removed. Returns false when no run is in progress.
pub fn request_stop() -> bool {
    STOP.store(true, Ordering::SeqCst);
    RUNNING.load(Ordering::SeqCst)
}

/// Whether the run was asked to stop.
pub(super) fn stopping() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// A run begins: nothing asked yet.
pub(super) fn begin() {
    STOP.store(false, Ordering::SeqCst);
    RUNNING.store(true, Ordering::SeqCst);
}

/// The clean-up begins: engine commands may run again, whatever was asked.
pub(super) fn clean_up() {
    STOP.store(false, Ordering::SeqCst);
}

/// The run is over.
pub(super) fn end() {
    RUNNING.store(false, Ordering::SeqCst);
}
