//! A Dockerfile through doctor's parser and checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        flaskdock::doctor::fuzz::dockerfile(text);
    }
});
