//! pyproject.toml: dependencies, Poetry tables, requires-python.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        flaskdock::inspect::fuzz::pyproject(text);
    }
});
