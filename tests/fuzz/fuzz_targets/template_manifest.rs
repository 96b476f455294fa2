//! flaskdock-template.toml: the manifest of a team template set.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = flaskdock::templates::manifest::parse_manifest(text, "fuzz");
    }
});
