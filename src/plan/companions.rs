//! The releases of a framework's own dependencies that an old pin of it
//! needs. Flask before 2.3 names Werkzeug (Flask 1 also Jinja2, itsdangerous
//! and, through Jinja2, MarkupSafe) and Celery names kombu without an upper
//! bound, and their newest releases removed what the old release uses:
//! `Flask==2.0.2` with Werkzeug unpinned installs Werkzeug 3, and the app
//! fails at import (`cannot import name 'url_quote' from 'werkzeug.urls'`);
//! `celery==5.2.3` gets a kombu whose Redis transport its worker cannot
//! connect with. The image installs the companions of the pinned release's
//! time, each only when the project names no version of it itself.

use crate::inspect::{Pin, Project};
use crate::safe::Text;

/// Requirements of one release line, each with the name it is for.
type Companions = &'static [(&'static str, &'static str)];

/// The companions of each release line of a pinned package, newest first.
/// Flask and Werkzeug 2.x were released in step, as Celery and kombu 5.x
/// are; Flask 1 and older predate Jinja2 3, itsdangerous 2 and Werkzeug 2,
/// and Jinja2 2 needs MarkupSafe before 2.1.
const COMPANIONS: &[(&str, (u32, u32), Companions)] = &[
    // Flask 2.3 serves with Werkzeug 3 (it no longer imports `url_quote`).
    ("flask", (2, 3), &[]),
    ("flask", (2, 2), &[("werkzeug", "Werkzeug<2.3")]),
    ("flask", (2, 1), &[("werkzeug", "Werkzeug<2.2")]),
    ("flask", (2, 0), &[("werkzeug", "Werkzeug<2.1")]),
    (
        "flask",
        (0, 0),
        &[
            ("werkzeug", "Werkzeug<2.0"),
            ("jinja2", "Jinja2<3.0"),
            ("itsdangerous", "itsdangerous<2.0"),
            ("markupsafe", "MarkupSafe<2.1"),
        ],
    ),
    ("celery", (5, 5), &[]),
    ("celery", (5, 4), &[("kombu", "kombu<5.5")]),
    ("celery", (5, 3), &[("kombu", "kombu<5.4")]),
    ("celery", (5, 2), &[("kombu", "kombu<5.3")]),
    ("celery", (5, 1), &[("kombu", "kombu<5.2")]),
    ("celery", (5, 0), &[("kombu", "kombu<5.1")]),
    ("celery", (0, 0), &[("kombu", "kombu<5.0")]),
];

/// The companion requirements the image adds for the project's exact pins;
/// none without one.
pub(super) fn companion_requirements(project: &Project) -> Vec<Text> {
    old_pins(project)
        .into_iter()
        .flat_map(|(_, requirements)| requirements)
        .collect()
}

/// Each exact pin of a package in the table that needs companions the
/// project does not name, with their requirements.
pub(super) fn old_pins(project: &Project) -> Vec<(&Pin, Vec<Text>)> {
    let named =
        |name: &str| project.depends_on(name) || project.pins.iter().any(|p| p.name == name);
    let mut found: Vec<(&Pin, Vec<Text>)> = Vec::new();
    for pin in &project.pins {
        if found.iter().any(|(p, _)| p.name == pin.name) {
            continue;
        }
        let mut parts = pin.version.split('.').map(|p| p.parse::<u32>().ok());
        let (Some(Some(major)), Some(Some(minor))) = (parts.next(), parts.next()) else {
            continue;
        };
        let Some((_, _, companions)) = COMPANIONS
            .iter()
            .find(|(name, line, _)| *name == pin.name && (major, minor) >= *line)
        else {
            continue;
        };
        let requirements: Vec<Text> = companions
            .iter()
            .filter(|(name, _)| !named(name))
            .map(|(_, requirement)| Text::from(*requirement))
            .collect();
        if !requirements.is_empty() {
            found.push((pin, requirements));
        }
    }
    found
}
