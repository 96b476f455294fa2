//! `init` through the library with prompts: what is asked, with which defaults,
//! and that a non-interactive run never asks.

use anyhow::Result;
use flaskdock::init;
use flaskdock::prompt::Prompter;

use crate::common::{NoPrompts, copy_example, options, write_tree};

/// Answers from a script, recording the questions and defaults it saw.
struct Scripted {
    answers: Vec<&'static str>,
    seen: Vec<(String, String)>,
    /// What was shown before the questions.
    shown: String,
}

impl Prompter for Scripted {
    fn input(
        &mut self,
        prompt: &str,
        default: &str,
        validate: &dyn Fn(&str) -> Result<(), String>,
    ) -> Result<String> {
        self.seen.push((prompt.to_string(), default.to_string()));
        let answer = self.answers.remove(0);
        let answer = if answer.is_empty() { default } else { answer };
        validate(answer).map_err(anyhow::Error::msg)?;
        Ok(answer.to_string())
    }
    fn select(&mut self, prompt: &str, items: &[String], default: usize) -> Result<usize> {
        self.seen.push((prompt.to_string(), items[default].clone()));
        let answer = self.answers.remove(0);
        Ok(if answer.is_empty() {
            default
        } else {
            items.iter().position(|i| i == answer).unwrap()
        })
    }
    fn show(&mut self, text: &str) {
        assert!(self.seen.is_empty(), "the table comes before the questions");
        self.shown.push_str(text);
    }
}

#[test]
fn non_interactive_run_never_prompts() {
    let (_temp, dir) = copy_example("sqlalchemy-postgres");
    let report = init(&options(&dir, false), &mut NoPrompts).unwrap();
    assert_eq!(report.plan.entry, "app:app");
    assert!(dir.join("Dockerfile").is_file());
}

#[test]
fn interactive_run_asks_with_detected_defaults_and_uses_the_answers() {
    let (_temp, dir) = copy_example("env-config");
    let mut prompter = Scripted {
        answers: vec!["", "9000", "", "postgres", "yes"],
        seen: Vec::new(),
        shown: String::new(),
    };
    let report = init(&options(&dir, true), &mut prompter).unwrap();
    let defaults: Vec<&str> = prompter.seen.iter().map(|(_, d)| d.as_str()).collect();
    assert_eq!(defaults, ["3.12", "8080", "main:application", "none", "no"]);
    // The library shows the detection table through the prompter, never itself.
    assert!(
        prompter.shown.starts_with("Detected in "),
        "{}",
        prompter.shown
    );
    assert!(
        prompter.shown.contains("\n  port                 8080 "),
        "{}",
        prompter.shown
    );
    assert_eq!(
        (
            report.plan.port,
            report.plan.python_version.to_string().as_str()
        ),
        (9000, "3.12")
    );
    assert!(report.plan.database.is_some());
    let saved = std::fs::read_to_string(dir.join(".flaskdock.toml")).unwrap();
    assert!(
        saved.contains("port = 9000")
            && saved.contains("db = \"postgres\"")
            && saved.contains("kubernetes = true"),
        "{saved}"
    );
    // The answer "yes" to Kubernetes writes the Kustomize tree beside the Docker files.
    assert!(report.plan.kubernetes.is_some());
    assert!(dir.join("k8s/base/app.yaml").is_file());
    assert!(dir.join("k8s/overlays/dev/services.yaml").is_file());
}

#[test]
fn interactive_run_does_not_ask_what_flags_answered() {
    let (_temp, dir) = copy_example("single-file");
    let mut options = options(&dir, true);
    options.flags.port = Some(9100);
    options.flags.db = Some(flaskdock::services::DbChoice::NONE);
    let mut prompter = Scripted {
        answers: vec!["3.13", "", ""],
        seen: Vec::new(),
        shown: String::new(),
    };
    let report = init(&options, &mut prompter).unwrap();
    let asked: Vec<&str> = prompter.seen.iter().map(|(q, _)| q.as_str()).collect();
    assert_eq!(
        asked,
        [
            "Python version",
            "WSGI target for gunicorn",
            "Kubernetes manifests too (k8s/)"
        ]
    );
    assert!(report.plan.kubernetes.is_none());
    assert_eq!(
        (
            report.plan.python_version.to_string().as_str(),
            report.plan.port
        ),
        ("3.13", 9100)
    );
}

#[test]
fn interactive_run_offers_every_target_found_best_first() {
    let temp = tempfile::tempdir().unwrap();
    write_tree(
        temp.path(),
        &[
            (
                "blog/__init__.py",
                "from flask import Flask\n\ndef make_app():\n    return Flask(__name__)\n",
            ),
            (
                "wsgi.py",
                "from blog import make_app\napplication = make_app()\n",
            ),
        ],
    );
    let mut prompter = Scripted {
        answers: vec!["", "", "blog:make_app()", "", ""],
        seen: Vec::new(),
        shown: String::new(),
    };
    let report = init(&options(temp.path(), true), &mut prompter).unwrap();
    assert_eq!(
        prompter.seen[2],
        (
            "WSGI target for gunicorn".to_string(),
            "wsgi:application".to_string()
        )
    );
    assert_eq!(report.plan.entry, "blog:make_app()");
    assert_eq!(
        report.answers.sources[2].1.file.as_deref(),
        Some("blog/__init__.py")
    );
}

#[test]
fn interactive_run_asks_a_team_sets_placeholders_first() {
    let (_temp, dir) = copy_example("single-file");
    let set = dir.parent().unwrap().join("set");
    write_tree(
        &set,
        &[
            (
                "flaskdock-template.toml",
                "[template]\nname = \"acme\"\n\n[placeholders.company]\nprompt = \"Company slug\"\nregex = \"^[a-z]+$\"\n\n[placeholders.make]\nprompt = \"Add a Makefile?\"\ntype = \"bool\"\ndefault = true\n\n[placeholders.tier]\nprompt = \"Tier\"\ntype = \"choice\"\nchoices = [\"gold\", \"silver\"]\ndefault = \"silver\"\n",
            ),
            (
                "Makefile.tera",
                "# {{ values.company }} {{ values.tier }} {{ values.make }}\n",
            ),
        ],
    );
    let mut options = options(&dir, true);
    options.template = Some(flaskdock::templates::TemplateSpec {
        source: set.display().to_string(),
        ..Default::default()
    });
    let mut prompter = Scripted {
        answers: vec!["initech", "no", "gold", "", "", "", "", ""],
        seen: Vec::new(),
        shown: String::new(),
    };
    init(&options, &mut prompter).unwrap();
    let asked: Vec<(&str, &str)> = prompter
        .seen
        .iter()
        .take(3)
        .map(|(p, d)| (p.as_str(), d.as_str()))
        .collect();
    assert_eq!(
        asked,
        [
            ("Company slug", ""),
            ("Add a Makefile?", "yes"),
            ("Tier", "silver")
        ]
    );
    let makefile = std::fs::read_to_string(dir.join("Makefile")).unwrap();
    assert_eq!(makefile, "# initech gold false\n");
}
