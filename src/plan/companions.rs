//! The releases of Flask's own dependencies that an old Flask pin needs.
//! Flask before 3.0 names Werkzeug (and Flask 1 names Jinja2, itsdangerous
//! and, through Jinja2, MarkupSafe) without an upper bound, and their newest
//! releases removed what it imports: `Flask==2.0.2` with Werkzeug unpinned
//! installs Werkzeug 3, and the app fails at import (`cannot import name
//! 'url_quote' from 'werkzeug.urls'`). The image installs the companions of
//! the pinned Flask's time, each only when the project names no version of
//! it itself.

use crate::inspect::{Pin, Project};
use crate::safe::Text;

/// Requirements of one Flask line, each with the name it is for.
type Companions = &'static [(&'static str, &'static str)];

/// The companions of each Flask line, newest first: Flask and Werkzeug 2.x
/// were released in step; Flask 1 and older predate Jinja2 3, itsdangerous 2
/// and Werkzeug 2, and Jinja2 2 needs MarkupSafe before 2.1.
const COMPANIONS: &[((u32, u32), Companions)] = &[
    ((3, 0), &[]),
    ((2, 3), &[("werkzeug", "Werkzeug<3.0")]),
    ((2, 2), &[("werkzeug", "Werkzeug<2.3")]),
    ((2, 1), &[("werkzeug", "Werkzeug<2.2")]),
    ((2, 0), &[("werkzeug", "Werkzeug<2.1")]),
    (
        (0, 0),
        &[
            ("werkzeug", "Werkzeug<2.0"),
            ("jinja2", "Jinja2<3.0"),
            ("itsdangerous", "itsdangerous<2.0"),
            ("markupsafe", "MarkupSafe<2.1"),
        ],
    ),
];

/// The companion requirements the image adds for the project's exact Flask
/// pin; none without one.
pub(super) fn companion_requirements(project: &Project) -> Vec<Text> {
    flask_pin(project).map_or_else(Vec::new, |(_, companions)| {
        let named =
            |name: &str| project.depends_on(name) || project.pins.iter().any(|p| p.name == name);
        companions
            .iter()
            .filter(|(name, _)| !named(name))
            .map(|(_, requirement)| Text::from(*requirement))
            .collect()
    })
}

/// The project's exact Flask pin, with the companions of its line.
pub(super) fn flask_pin(
    project: &Project,
) -> Option<(&Pin, &'static [(&'static str, &'static str)])> {
    let flask = project.pins.iter().find(|p| p.name == "flask")?;
    let mut parts = flask.version.split('.').map(|p| p.parse::<u32>().ok());
    let (Some(Some(major)), Some(Some(minor))) = (parts.next(), parts.next()) else {
        return None;
    };
    let (_, companions) = COMPANIONS
        .iter()
        .find(|(line, _)| (major, minor) >= *line)?;
    Some((flask, companions))
}
