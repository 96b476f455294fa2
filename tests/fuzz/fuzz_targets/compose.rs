//! A compose file (and .env) through doctor's checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        flaskdock::doctor::fuzz::compose(text);
    }
});
