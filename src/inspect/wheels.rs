//! Exact pins against the Python the image will run: a release of a package
//! with compiled code ships wheels for the CPythons of its day only, and on a
//! newer one pip compiles it from source, slowly and with build packages, or
//! fails. The data is `wheel_horizon.toml`, written by `scripts/wheel-horizon.py`.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::fact::{Fact, Source};
use super::python::{Declared, SUPPORTED_PYTHONS, minor_number, satisfies};
use crate::safe::PythonVersion;

/// An exact version a project asks for (`numpy==1.21.0`, a lock's entry).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pin {
    /// Normalized name (PEP 503).
    pub name: String,
    pub version: String,
    pub source: Source,
}

/// What a release ships for Linux x86_64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wheels {
    /// Wheels up to this CPython 3 minor.
    UpTo(u32),
    /// A source distribution only.
    None,
}

/// package -> its releases as the data file writes them (`1.21.0:3.9 ...`).
/// Only the file's lines, one per package, are split here; a package's releases are read
/// when a pin asks for it, so a project with pins pays for its own packages,
/// not for parsing every release of every package.
fn table() -> &'static HashMap<&'static str, &'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        include_str!("wheel_horizon.toml")
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(|line| {
                let (name, releases) = line.split_once(" = ")?;
                Some((name, releases.trim_matches('"')))
            })
            .collect()
    })
}

/// `1.21.0:3.9` -> (`1.21.0`, up to 3.9); `0.1.0:-` -> (`0.1.0`, sources only).
fn release(pair: &str) -> Option<(&str, Wheels)> {
    let (version, python) = pair.split_once(':')?;
    let wheels = match python {
        "-" => Wheels::None,
        python => Wheels::UpTo(minor_number(python)?),
    };
    Some((version, wheels))
}

fn wheels(pin: &Pin) -> Option<Wheels> {
    table()
        .get(pin.name.as_str())?
        .split_whitespace()
        .filter_map(release)
        .find_map(|(version, wheels)| (version == pin.version).then_some(wheels))
}

/// The newest CPython minor `pin` has a wheel for, when the table knows the
/// release and it has wheels at all.
fn newest_wheel(pin: &Pin) -> Option<u32> {
    match wheels(pin)? {
        Wheels::UpTo(minor) => Some(minor),
        Wheels::None => None,
    }
}

/// Whether pip builds `pin` from source on Python 3.`minor`: the release has
/// no Linux wheel, or none for that Python. Unknown releases are taken to
/// have wheels.
pub(super) fn builds_from_source(pin: &Pin, minor: u32) -> bool {
    match wheels(pin) {
        Some(Wheels::None) => true,
        Some(Wheels::UpTo(newest)) => newest < minor,
        None => false,
    }
}

/// Pins whose wheels stop before `minor`, with their newest wheel's minor.
fn beyond(pins: &[Pin], minor: u32) -> Vec<(&Pin, u32)> {
    pins.iter()
        .filter_map(|pin| Some((pin, newest_wheel(pin)?)))
        .filter(|(_, newest)| *newest < minor)
        .collect()
}

/// Checks the Python the image would get against the pins. Returns a
/// replacement when one fits better: with nothing declared, or with a range
/// declared (`requires-python = ">=3.8"`), the newest supported Python in it
/// that every pinned release has a wheel for. A version a file names exactly
/// (`.python-version`) is kept; so is the choice when nothing older fits.
/// The pins left without a wheel are warned about once the Python is chosen
/// ([`late_pins`]).
pub(super) fn fit(
    declared: Option<&Declared>,
    default: PythonVersion,
    pins: &[Pin],
) -> Option<Fact<String>> {
    let chosen = declared.map_or(default.minor(), |d| {
        minor_number(&d.fact.value).unwrap_or(default.minor())
    });
    let late = beyond(pins, chosen);
    let (pin, newest) = *late.iter().min_by_key(|(_, newest)| *newest)?;
    // A version a file names exactly is kept.
    if declared.is_some_and(|d| d.range.is_none()) {
        return None;
    }
    let range = declared.and_then(|d| d.range.as_deref());
    let allowed = || {
        SUPPORTED_PYTHONS
            .iter()
            .copied()
            .filter_map(|python| Some((python, minor_number(python)?)))
            .filter(|(python, _)| range.is_none_or(|range| satisfies(range, python)))
    };
    let note = match range {
        Some(range) => format!(
            "newest version matching `{range}` that {}=={} has wheels for",
            pin.name, pin.version
        ),
        None => format!(
            "{}=={} has wheels up to Python 3.{newest}",
            pin.name, pin.version
        ),
    };
    // The newest Python every pin has a wheel for; when none has them all,
    // the one that leaves the fewest to compile (the newest on a tie).
    let (python, note) = match allowed().find(|(_, m)| *m <= newest) {
        Some((python, _)) => (python, note),
        None => {
            let (python, left) = allowed()
                .map(|(python, m)| (python, beyond(pins, m).len(), m))
                .min_by_key(|(_, left, m)| (*left, u32::MAX - m))
                .map(|(python, left, _)| (python, left))?;
            // No better than the Python already chosen (`late` is its list).
            if left >= late.len() {
                return None;
            }
            (
                python,
                format!(
                    "{note}; no supported Python has wheels for every pin, and {python} leaves the fewest to compile ({left})"
                ),
            )
        }
    };
    let mut source = pin.source.clone();
    source.note = Some(note);
    Some(Fact::new(python.to_string(), source))
}

/// A warning for each pin with no wheel for `python`: pip compiles it in
/// the image (with the build packages the table names), or fails.
pub(super) fn late_pins(pins: &[Pin], python: PythonVersion) -> Vec<String> {
    beyond(pins, python.minor())
        .into_iter()
        .map(|(pin, newest)| {
            let older = SUPPORTED_PYTHONS
                .iter()
                .find(|p| minor_number(p).is_some_and(|m| m <= newest))
                .map_or_else(String::new, |p| format!(" (`--python {p}`)"));
            format!(
                "{}: {}=={} has wheels up to Python 3.{newest}, not {python}: pip compiles it from source in the image, or fails; upgrade the pin or choose an older Python{older}",
                pin.source, pin.name, pin.version,
            )
        })
        .collect()
}

/// Where Python 3 support begins for a package whose old releases run on
/// Python 2 only.
enum Python3 {
    /// From this release on.
    From(&'static str),
    /// In no release: what to do instead.
    Never(&'static str),
}

/// Packages whose releases (some or all) run on Python 2 only.
const PYTHON2_ONLY: &[(&str, Python3)] = &[
    ("flask", Python3::From("0.10")),
    ("werkzeug", Python3::From("0.9")),
    ("jinja2", Python3::From("2.7")),
    (
        "wsgiref",
        Python3::Never("Python 3's standard library has it: remove the line"),
    ),
    (
        "mysql-python",
        Python3::Never("its Python 3 fork is `mysqlclient`"),
    ),
];

/// A warning for each pin that runs on Python 2 only: no Python 3 installs
/// it (`Flask==0.9`, the `wsgiref` backport).
pub(super) fn python2_pins(pins: &[Pin]) -> Vec<String> {
    let numbers = |version: &str| -> Vec<u32> {
        version
            .split('.')
            .map_while(|part| part.parse().ok())
            .collect()
    };
    pins.iter()
        .filter_map(|pin| {
            let (_, python3) = PYTHON2_ONLY.iter().find(|(name, _)| *name == pin.name)?;
            let advice = match python3 {
                Python3::From(first) if numbers(&pin.version) >= numbers(first) => return None,
                Python3::From(first) => format!("Python 3 runs {first} and later; upgrade the pin"),
                Python3::Never(advice) => advice.to_string(),
            };
            Some(format!(
                "{}: {}=={} runs on Python 2 only, so the image's Python 3 cannot install or run it: {advice}",
                pin.source, pin.name, pin.version,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(name: &str, version: &str, line: usize) -> Pin {
        Pin {
            name: name.into(),
            version: version.into(),
            source: Source::at("requirements.txt", line),
        }
    }

    #[test]
    fn the_table_parses_and_knows_old_releases() {
        assert_eq!(newest_wheel(&pin("psycopg2-binary", "2.8.6", 1)), Some(9));
        assert_eq!(newest_wheel(&pin("markupsafe", "1.1.1", 1)), Some(9));
        assert_eq!(newest_wheel(&pin("numpy", "1.21.0", 1)), Some(9));
        // A release with abi3 or pure-Python wheels has no limit.
        assert_eq!(newest_wheel(&pin("cryptography", "43.0.0", 1)), None);
        assert!(!builds_from_source(&pin("cryptography", "43.0.0", 1), 14));
        // Sources only, or no wheel for the Python asked for.
        assert!(builds_from_source(&pin("xmlsec", "1.3.13", 1), 11));
        assert!(builds_from_source(&pin("lxml", "4.9.3", 1), 13));
        assert!(!builds_from_source(&pin("lxml", "4.9.3", 1), 12));
        // Every line is read, and reads as TOML says it does.
        let toml: HashMap<String, String> =
            toml::from_str(include_str!("wheel_horizon.toml")).unwrap();
        assert_eq!(table().len(), toml.len());
        for (name, releases) in &toml {
            assert_eq!(
                table().get(name.as_str()),
                Some(&releases.as_str()),
                "{name}"
            );
            let pairs: Vec<&str> = releases.split_whitespace().collect();
            assert!(!pairs.is_empty(), "{name}");
            assert!(pairs.iter().all(|pair| release(pair).is_some()), "{name}");
        }
    }

    #[test]
    fn nothing_declared_picks_the_newest_python_every_pin_has_wheels_for() {
        let pins = [
            pin("flask", "1.0.2", 1),
            pin("numpy", "1.23.5", 2),
            pin("markupsafe", "2.0.1", 3),
        ];
        let fact = fit(None, PythonVersion::new(14), &pins).unwrap();
        assert_eq!(fact.value, "3.10");
        assert_eq!(fact.source.line, Some(3));
        assert_eq!(
            fact.source.note.as_deref(),
            Some("markupsafe==2.0.1 has wheels up to Python 3.10")
        );
        assert!(late_pins(&pins, PythonVersion::new(10)).is_empty());
    }

    #[test]
    fn a_declared_python_is_kept_and_each_late_pin_warned_about() {
        let declared = Declared {
            fact: Fact::new("3.12".to_string(), Source::at(".python-version", 1)),
            range: None,
        };
        let pins = [pin("psycopg2-binary", "2.8.6", 4), pin("numpy", "2.1.0", 5)];
        assert_eq!(fit(Some(&declared), PythonVersion::new(14), &pins), None);
        assert_eq!(
            late_pins(&pins, PythonVersion::new(12)),
            [
                "requirements.txt:4: psycopg2-binary==2.8.6 has wheels up to Python 3.9, not 3.12: pip compiles it from source in the image, or fails; upgrade the pin or choose an older Python (`--python 3.9`)"
            ]
        );
    }

    #[test]
    fn a_declared_range_moves_down_inside_itself() {
        let range = |spec: &str| Declared {
            fact: Fact::new("3.14".to_string(), Source::at("setup.py", 9)),
            range: Some(spec.to_string()),
        };
        let pins = [pin("numpy", "1.23.5", 2)];
        let fact = fit(Some(&range(">=3.8")), PythonVersion::new(14), &pins).unwrap();
        assert_eq!(fact.value, "3.11");
        assert_eq!(
            fact.source.described(),
            "requirements.txt:2 (newest version matching `>=3.8` that numpy==1.23.5 has wheels for)"
        );
        // Nothing in `>=3.12` has a wheel: the range's choice stays.
        assert_eq!(
            fit(Some(&range(">=3.12")), PythonVersion::new(14), &pins),
            None
        );
    }

    #[test]
    fn pins_older_than_every_supported_python_only_warn() {
        let pins = [pin("markupsafe", "1.1.0", 7)];
        assert_eq!(fit(None, PythonVersion::new(14), &pins), None);
        let warnings = late_pins(&pins, PythonVersion::new(14));
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with(
            "requirements.txt:7: markupsafe==1.1.0 has wheels up to Python 3.7, not 3.14"
        ));
        // No supported Python has its wheels: no version to suggest.
        assert!(warnings[0].ends_with("or choose an older Python"));
    }

    #[test]
    fn when_no_python_has_every_wheel_the_one_leaving_fewest_to_compile_wins() {
        // markupsafe 1.1.1 has wheels up to 3.9, pillow 7.1.1 up to 3.8: on
        // 3.14 both compile, on 3.9 only pillow does.
        let pins = [pin("markupsafe", "1.1.1", 3), pin("pillow", "7.1.1", 8)];
        let fact = fit(None, PythonVersion::new(14), &pins).unwrap();
        assert_eq!(fact.value, "3.9");
        assert_eq!(
            fact.source.described(),
            "requirements.txt:8 (pillow==7.1.1 has wheels up to Python 3.8; no supported Python has wheels for every pin, and 3.9 leaves the fewest to compile (1))"
        );
        // A range that excludes 3.9 leaves only its own Pythons to choose from.
        let declared = Declared {
            fact: Fact::new("3.14".to_string(), Source::at("setup.py", 9)),
            range: Some(">=3.12".to_string()),
        };
        assert_eq!(fit(Some(&declared), PythonVersion::new(14), &pins), None);
    }

    #[test]
    fn pins_for_python_2_only_are_warned_about() {
        let pins = [
            pin("flask", "0.9", 1),
            pin("werkzeug", "0.9.6", 2),
            pin("jinja2", "2.6", 3),
            pin("wsgiref", "0.1.2", 4),
            pin("flask-login", "0.1.3", 5),
        ];
        let warnings = python2_pins(&pins);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(
            warnings[0].starts_with("requirements.txt:1: flask==0.9 runs on Python 2 only, so the image's Python 3 cannot install or run it: Python 3 runs 0.10 and later"),
            "{warnings:?}"
        );
        assert!(warnings[1].contains("jinja2==2.6"), "{warnings:?}");
        assert!(warnings[2].contains("standard library"), "{warnings:?}");
    }

    #[test]
    fn current_pins_change_nothing() {
        let pins = [
            pin("markupsafe", "3.0.3", 1),
            pin("unknown-package", "0.1", 2),
        ];
        assert_eq!(fit(None, PythonVersion::new(14), &pins), None);
        assert!(late_pins(&pins, PythonVersion::new(14)).is_empty());
    }
}
