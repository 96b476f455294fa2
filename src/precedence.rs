//! The one order every value is decided in, core answers (Python, port,
//! target, database, migrations) and team placeholders alike:
//!
//! flag (`--port`, `--define`) > values file and `FLASKDOCK_VALUE_*` >
//! saved in `.flaskdock.toml` > the team set's default > what inspection
//! found > flaskdock's own default.
//!
//! In an interactive run every value not given by a flag or a values input
//! is asked, with the strongest one found as the prompt's default.

use crate::inspect::Source;

/// Where a candidate value comes from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Layer {
    /// A command-line flag: `--python`, `--port`, `--define KEY=VALUE`.
    Flag,
    /// `--values-file` and `FLASKDOCK_VALUE_<KEY>`.
    Input,
    /// An earlier run's answer in `.flaskdock.toml`.
    Saved,
    /// The team set's manifest: `[defaults]`, or a placeholder's `default`.
    TeamDefault,
    /// What inspection read in the project.
    Detected,
    /// flaskdock's own default.
    Builtin,
}

/// The value chosen, where it came from, and at which layer.
#[derive(Debug, Clone)]
pub(crate) struct Found<T> {
    pub value: T,
    pub source: Source,
    pub layer: Layer,
}

impl<T> Found<T> {
    /// Whether the user gave this value for this run (a flag or a values
    /// input), so an interactive run does not ask for it again.
    pub(crate) fn given(&self) -> bool {
        self.layer <= Layer::Input
    }

    pub(crate) fn map<U>(self, f: impl FnOnce(T) -> U) -> Found<U> {
        Found {
            value: f(self.value),
            source: self.source,
            layer: self.layer,
        }
    }
}

/// The candidate at the strongest layer (the first one given there, when a
/// layer has several).
pub(crate) fn strongest<T>(
    candidates: impl IntoIterator<Item = (Layer, Option<(T, Source)>)>,
) -> Option<Found<T>> {
    candidates
        .into_iter()
        .filter_map(|(layer, candidate)| {
            candidate.map(|(value, source)| Found {
                value,
                source,
                layer,
            })
        })
        .min_by_key(|found| found.layer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strongest_layer_wins_whatever_the_order() {
        let found = strongest([
            (Layer::Detected, Some((5000, Source::default("app.py")))),
            (Layer::Builtin, Some((8000, Source::default("default")))),
            (Layer::TeamDefault, Some((8080, Source::default("team")))),
            (Layer::Flag, None),
        ])
        .unwrap();
        assert_eq!((found.value, found.layer), (8080, Layer::TeamDefault));
        assert!(!found.given());
    }

    #[test]
    fn within_a_layer_the_first_wins() {
        let found = strongest([
            (Layer::Input, Some(("file", Source::default("values file")))),
            (Layer::Input, Some(("env", Source::default("environment")))),
        ])
        .unwrap();
        assert_eq!(found.value, "file");
        assert!(found.given());
    }
}
