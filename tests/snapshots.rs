//! Snapshots of the Plan and of every rendered file, for each example.
//! A detection change shows up first as a Plan diff.

use flaskdock::answers::{Flags, Given, resolve};
use flaskdock::{inspect, layout, plan, render, templates};

use crate::common::{copy_example, examples};

#[test]
fn every_example_renders_as_snapshotted() {
    for example in examples() {
        let name = example.file_name().unwrap().to_string_lossy().into_owned();
        let (_temp, dir) = copy_example(&name);
        let project = inspect::inspect(&dir).unwrap();
        let answers = resolve(&project, &Given::flags(&Flags::default()), None).unwrap();
        let plan = plan::plan(&project, &answers, &layout(&dir, &dir), templates::BUILTIN);
        insta::assert_json_snapshot!(format!("plan-{name}"), plan);

        let files = render::render(&plan, None, &Default::default()).unwrap();
        let mut all = String::new();
        for file in &files {
            all.push_str(&format!("===== {} =====\n{}\n", file.path, file.contents));
        }
        insta::assert_snapshot!(format!("files-{name}"), all);
    }
}

/// The Kustomize tree, for the examples that cover its shapes: a database
/// with migrations, MySQL, a Celery worker and beat, RQ with its scheduler,
/// one SocketIO process, and an app with neither.
#[test]
fn kubernetes_manifests_render_as_snapshotted() {
    let flags = Flags {
        kubernetes: Some(true),
        ..Flags::default()
    };
    for name in [
        "migrate-postgres",
        "mysql-app",
        "celery-beat",
        "rq-worker",
        "socketio-board",
        "single-file",
    ] {
        let (_temp, dir) = copy_example(name);
        let project = inspect::inspect(&dir).unwrap();
        let answers = resolve(&project, &Given::flags(&flags), None).unwrap();
        let plan = plan::plan(&project, &answers, &layout(&dir, &dir), templates::BUILTIN);
        insta::assert_json_snapshot!(format!("kubernetes-plan-{name}"), plan.kubernetes);
        let files = render::render(&plan, None, &Default::default()).unwrap();
        let mut all = String::new();
        for file in files.iter().filter(|f| f.path.starts_with("k8s/")) {
            all.push_str(&format!("===== {} =====\n{}\n", file.path, file.contents));
        }
        insta::assert_snapshot!(format!("kubernetes-{name}"), all);
    }
}

#[test]
fn every_builtin_template_is_known_and_renders() {
    let known: Vec<&str> = flaskdock::templates::OUTPUTS
        .iter()
        .map(|(_, t)| *t)
        .chain(
            flaskdock::templates::KUBERNETES_OUTPUTS
                .iter()
                .map(|(_, t, _)| *t),
        )
        .collect();
    let mut embedded: Vec<&str> = flaskdock::templates::builtin_files()
        .map(|(name, _)| name)
        .collect();
    embedded.sort();
    let mut expected = known.clone();
    expected.sort();
    assert_eq!(
        embedded, expected,
        "every embedded template has an output, and every output a template"
    );

    let (_temp, dir) = copy_example("sqlalchemy-postgres");
    let project = inspect::inspect(&dir).unwrap();
    let flags = Flags {
        kubernetes: Some(true),
        ..Flags::default()
    };
    let answers = resolve(&project, &Given::flags(&flags), None).unwrap();
    let files = render::render(
        &plan::plan(&project, &answers, &layout(&dir, &dir), templates::BUILTIN),
        None,
        &Default::default(),
    )
    .unwrap();
    // sqlalchemy-postgres has every Kubernetes file but the processes' (no
    // worker), which live in app.yaml.
    assert_eq!(files.len(), known.len());
    assert!(files.iter().all(|f| !f.contents.trim().is_empty()));
}

#[test]
fn settings_file_records_template_answers_and_hashes() {
    let (_temp, dir) = copy_example("sqlalchemy-postgres");
    let options = crate::common::options(&dir, false);
    flaskdock::init(&options, &mut crate::common::NoPrompts).unwrap();
    let settings = std::fs::read_to_string(dir.join(".flaskdock.toml")).unwrap();
    insta::assert_snapshot!("settings-sqlalchemy-postgres", settings);
}
