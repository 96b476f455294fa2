//! A Python module through the parser and every detector that reads code.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        flaskdock::inspect::fuzz::python_source(text);
    }
});
