//! The object a config-selecting variable names. An app that loads its
//! configuration with `app.config.from_object(os.getenv("APP_SETTINGS"))`
//! loads nothing when the variable is unset (Flask's `from_object(None)`
//! finds no settings) and runs unconfigured. The project's config classes
//! (`class ProductionConfig(BaseConfig)` in `project/config.py`) are what
//! the variable may name; the container's choice is a production class, or
//! else the one class that is no development or test setup.

use serde::Serialize;

use super::fact::{Fact, Source};
use super::files::Tree;
use super::module::module_name;

/// What a config-selecting variable may be set to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigObject {
    /// The variable (`APP_SETTINGS`).
    pub variable: String,
    /// The import path `.env.example` sets it to, when one class is plainly
    /// the container's (`project.config.ProductionConfig`), or else the one
    /// the project's own deployment files set.
    pub object: Option<String>,
    /// Where the project's deployment sets `object`, when that is its source.
    pub set_by: Option<Source>,
    /// Every config class found, as import paths from the image's working
    /// folder, in the order of their files.
    pub choices: Vec<String>,
}

/// Words of a config class name that say it is not the deployment's.
const NOT_DEPLOYED: &[&str] = &[
    "dev",
    "develop",
    "development",
    "test",
    "tests",
    "testing",
    "local",
    "debug",
    "ci",
    "stage",
    "staging",
    "demo",
];

/// The lower-case words of a class name (`ProdConfig` -> `prod`, `config`;
/// `CI_Config` -> `ci`, `config`).
fn words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            previous_lower = false;
            words.push(String::new());
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower || words.is_empty() {
            words.push(String::new());
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        if let Some(word) = words.last_mut() {
            word.push(c.to_ascii_lowercase());
        }
    }
    words.retain(|w| !w.is_empty());
    words
}

/// The config object each selector may name, from the project's top-level
/// `class ...Config` definitions in modules importable from the root
/// (config and settings modules first), or from the value the project's
/// deployment files give it (`environment`).
pub(super) fn find(
    tree: &Tree,
    selectors: &[Fact<String>],
    environment: &[Fact<(String, String)>],
) -> Vec<Fact<ConfigObject>> {
    if selectors.is_empty() {
        return Vec::new();
    }
    let mut classes = config_classes(tree);
    // `config.py`, `settings.py` (and `project/config.py`) before the rest.
    classes.sort_by_key(|(module, _)| {
        let last = module.rsplit('.').next().unwrap_or(module);
        !matches!(last, "config" | "settings" | "configs" | "configuration")
    });
    let choices: Vec<String> = classes
        .iter()
        .map(|(module, class)| format!("{module}.{class}"))
        .collect();
    let is_production = |class: &str| {
        words(class)
            .iter()
            .any(|w| w == "prod" || w == "production")
    };
    let is_neutral = |class: &str| {
        !words(class)
            .iter()
            .any(|w| NOT_DEPLOYED.contains(&w.as_str()))
    };
    let pick = |test: &dyn Fn(&str) -> bool| {
        classes
            .iter()
            .find(|(_, class)| test(class))
            .map(|(module, class)| format!("{module}.{class}"))
    };
    let object = pick(&is_production).or_else(|| pick(&is_neutral));
    let mut found: Vec<Fact<ConfigObject>> = Vec::new();
    for selector in selectors {
        if found.iter().any(|f| f.value.variable == selector.value) {
            continue;
        }
        // The project's own deployment value: an import path, nothing else.
        let deployed = environment.iter().find(|fact| {
            let (name, value) = &fact.value;
            *name == selector.value && value.split('.').all(super::module::is_identifier)
        });
        let (object, set_by) = match (&object, deployed) {
            (Some(object), _) => (Some(object.clone()), None),
            (None, Some(fact)) => (Some(fact.value.1.clone()), Some(fact.source.clone())),
            (None, None) => (None, None),
        };
        let value = ConfigObject {
            variable: selector.value.clone(),
            object,
            set_by,
            choices: choices.clone(),
        };
        found.push(Fact::new(value, selector.source.clone()));
    }
    found
}

/// `(module, class)` of every top-level class whose name ends in `Config`,
/// in modules importable from the root; tests and tooling left out.
fn config_classes(tree: &Tree) -> Vec<(String, String)> {
    let mut classes = Vec::new();
    for path in tree.python_files() {
        if crate::syntax::is_test_path(path) || crate::syntax::is_tooling_path(path) {
            continue;
        }
        let (Some(module), root) = module_name(tree, path) else {
            continue;
        };
        if !root.is_empty() {
            continue;
        }
        let Ok(text) = tree.read(path) else { continue };
        if !text.contains("Config") {
            continue;
        }
        for line in text.lines() {
            let Some(rest) = line.strip_prefix("class ") else {
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name.ends_with("Config") && !classes.iter().any(|(m, c)| *m == module && *c == name)
            {
                classes.push((module.clone(), name));
            }
        }
    }
    classes
}

impl ConfigObject {
    /// As `inspect` shows it: `APP_SETTINGS=project.config.ProductionConfig`.
    pub fn shown(&self) -> String {
        match &self.object {
            Some(value) => format!("{}={value}", self.variable),
            None => format!("{} (no production config class found)", self.variable),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selector(name: &str) -> Fact<String> {
        Fact::new(name.to_string(), Source::at("project/__init__.py", 9))
    }

    fn objects(files: &[(&str, &str)]) -> Vec<ConfigObject> {
        let (_dir, tree) = crate::inspect::files::scanned(files);
        find(&tree, &[selector("APP_SETTINGS")], &[])
            .into_iter()
            .map(|f| f.value)
            .collect()
    }

    #[test]
    fn a_production_class_is_the_containers_choice() {
        let config = "import os\n\nclass BaseConfig:\n    DEBUG = False\n\nclass DevelopmentConfig(BaseConfig):\n    DEBUG = True\n\nclass ProductionConfig(BaseConfig):\n    pass\n";
        let found = objects(&[
            ("project/__init__.py", "import os\n"),
            ("project/config.py", config),
            // A class nested in another, and one in a test, are not choices.
            (
                "project/models.py",
                "class User:\n    class Config:\n        orm_mode = True\n",
            ),
            ("tests/test_config.py", "class TestingConfig:\n    pass\n"),
        ]);
        assert_eq!(
            found,
            [ConfigObject {
                variable: "APP_SETTINGS".into(),
                object: Some("project.config.ProductionConfig".into()),
                set_by: None,
                choices: vec![
                    "project.config.BaseConfig".into(),
                    "project.config.DevelopmentConfig".into(),
                    "project.config.ProductionConfig".into(),
                ],
            }]
        );
    }

    #[test]
    fn without_one_the_base_class_not_a_development_or_test_one() {
        let config = "class DevelopmentConfig:\n    pass\n\nclass TestingConfig:\n    pass\n\nclass BaseConfig:\n    QUEUES = ['default']\n";
        let found = objects(&[("config.py", config)]);
        assert_eq!(found[0].object.as_deref(), Some("config.BaseConfig"));
        // Only development and test setups: the user must choose.
        let found = objects(&[(
            "config.py",
            "class DevelopmentConfig:\n    pass\n\nclass TestingConfig:\n    pass\n",
        )]);
        assert_eq!(found[0].object, None);
        assert_eq!(found[0].choices.len(), 2);
        assert!(found[0].shown().contains("no production config class"));
        // Then the value the project's own deployment gives it, if it is
        // an import path.
        let (_dir, tree) = crate::inspect::files::scanned(&[(
            "config.py",
            "class DevelopmentConfig:\n    pass\n",
        )]);
        let deployed = |value: &str| {
            let set = ("APP_SETTINGS".to_string(), value.to_string());
            vec![Fact::new(set, Source::at("docker-compose.yml", 12))]
        };
        let found = find(
            &tree,
            &[selector("APP_SETTINGS")],
            &deployed("config.DevelopmentConfig"),
        );
        assert_eq!(
            found[0].value.object.as_deref(),
            Some("config.DevelopmentConfig")
        );
        assert_eq!(
            found[0].value.set_by,
            Some(Source::at("docker-compose.yml", 12))
        );
        let found = find(&tree, &[selector("APP_SETTINGS")], &deployed("$(touch x)"));
        assert_eq!(found[0].value.object, None);
    }

    #[test]
    fn class_names_are_read_word_by_word() {
        assert_eq!(words("ProductionConfig"), ["production", "config"]);
        assert_eq!(words("CI_Config"), ["ci", "config"]);
        assert_eq!(words("DevConfig2"), ["dev", "config2"]);
        // `Social` holds `ci` and `Product` holds `prod`, as letters only.
        let found = objects(&[(
            "config.py",
            "class ProductConfig:\n    pass\n\nclass SocialConfig:\n    pass\n",
        )]);
        assert_eq!(found[0].object.as_deref(), Some("config.ProductConfig"));
        let found = objects(&[(
            "config.py",
            "class DevelopmentConfig:\n    pass\n\nclass SocialConfig:\n    pass\n",
        )]);
        assert_eq!(found[0].object.as_deref(), Some("config.SocialConfig"));
    }

    #[test]
    fn a_folder_that_is_not_a_package_from_the_root_offers_nothing() {
        // `src/app/config.py` imports as `app.config` only with `src` on the path.
        let found = objects(&[
            ("src/app/__init__.py", ""),
            ("src/app/config.py", "class ProductionConfig:\n    pass\n"),
        ]);
        assert_eq!(found[0].object, None);
        assert!(found[0].choices.is_empty());
    }
}
