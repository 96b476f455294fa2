//! Python source files parsed once with a real parser; detectors share the result.

use super::module::Module;

use super::env::{CodeFacts, merge, scan_module};
use super::files::Tree;
use crate::services;
use crate::syntax;

/// Which `.py` files to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selection {
    /// Every file.
    All,
    /// Files that can hold a fact `inspect` looks for: they name Flask, Celery,
    /// the environment, a database, or a factory another file defines, or they
    /// have a conventional entry name. Others cannot change the result.
    ThatMatter,
}

/// Words one of which a file must contain to be worth parsing for `inspect`.
/// (`from flask import Blueprint` alone is not: an app is made with `Flask(`.)
const NEEDLES: &[&str] = &[
    "Flask",
    // ASGI apps served like one
    "Quart",
    "WsgiToAsgi",
    "environ",
    "getenv",
    "Celery",
    "make_celery",
    "create_celery",
    // a factory that configures Celery's own `current_app`
    "celery import current_app",
    "BaseSettings",
    // and the services of the catalogue (`services::code_words`)
    "sqlite",
    "create_app",
    "make_app",
    "create_application",
    "app_factory",
    "from_prefixed_env",
    ".run(",
    "FlaskGroup",
    // Werkzeug's ProxyFix, which changes what gunicorn should trust
    "ProxyFix",
    // servers a project may start itself
    "WSGIServer",
    "make_server",
    "waitress",
    "wsgi.server",
    "WSGIContainer",
    "--port",
];

/// Flask apps by other names (`entry::LIBRARY_APPS`), and Dash's: a file
/// holding one is parsed whole (its tree is kept), so these are not among
/// the statement needles, whose searcher packs at most 64 words.
const APP_NEEDLES: &[&str] = &["Eve(", "OpenAPI(", "import dash", "from dash"];

/// Words that make a statement worth reading in a file parsed for its facts
/// only, beside [`NEEDLES`]: the config libraries' readers and binders.
const STATEMENT_NEEDLES: &[&str] = &[
    "__main__",
    "Env(",
    "AutoConfig",
    "ConfigParser",
    "Interpolation",
    "get_debug_flag",
    // a port's default bound to a name (`DEFAULT_PORT = 8083`)
    "_PORT",
    // a launcher's option (`parser.add_argument("--port", default=5000)`)
    "--port",
];

/// Words one of which a text must contain, or, after one of `brackets`, a
/// quoted upper-case name: `("NAME` or `('NAME` is a call with a literal
/// first argument, which reads a variable when the callee is one of the
/// project's wrappers (`setting("API_URL")`); `]["NAME` a config parser's key
/// (`ini["server"]["SECRET_KEY"]`); `{"NAME` a table of names a loop reads;
/// `= "NAME` a constant a read names (`DB_ENV = "SHOP_DB_URL"`).
/// The names are found with `memchr` rather than as 52 more words per
/// bracket, and the words with a packed (vector) searcher where the machine
/// has one: the automaton alone made this search a tenth of `inspect`.
struct Needles {
    words: Words,
    brackets: &'static [&'static str],
}

enum Words {
    Packed(aho_corasick::packed::Searcher),
    Automaton(aho_corasick::AhoCorasick),
}

impl Needles {
    fn new<'a>(
        words: impl IntoIterator<Item = &'a str>,
        brackets: &'static [&'static str],
    ) -> Self {
        let words: Vec<&str> = words.into_iter().collect();
        let packed = aho_corasick::packed::Config::new()
            .builder()
            .extend(&words)
            .build();
        let words = match packed {
            Some(searcher) => Words::Packed(searcher),
            None => {
                Words::Automaton(aho_corasick::AhoCorasick::new(&words).expect("valid needles"))
            }
        };
        Self { words, brackets }
    }

    fn is_match(&self, text: &str) -> bool {
        let word = match &self.words {
            Words::Packed(searcher) => searcher.find(text).is_some(),
            Words::Automaton(automaton) => automaton.is_match(text),
        };
        word || self.brackets.iter().any(|b| opens_named(text, b))
    }
}

/// Whether `bracket` is followed somewhere in `text` by a quote and an
/// upper-case letter.
fn opens_named(text: &str, bracket: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, bracket.as_bytes()).any(|at| {
        matches!(&bytes[at + bracket.len()..], [b'"' | b'\'', letter, ..] if letter.is_ascii_uppercase())
    })
}

/// Files parsed whatever they hold: where Flask apps conventionally live.
const ENTRY_FILES: &[&str] = &[
    "wsgi.py",
    "app.py",
    "application.py",
    "autoapp.py",
    "main.py",
    "run.py",
    "server.py",
    "manage.py",
    "gunicorn.conf.py",
    "__init__.py",
];

/// A file read, and parsed when selected; the `Option<String>`s are the
/// warnings of syntax errors the parser recovered from. `R` is boxed: it
/// is large (a module's facts, about a kilobyte) and most files have none,
/// while every file's `Read` is moved through the threads' result lists.
enum Read<R> {
    Parsed(Module, Box<R>, Option<String>),
    /// Read but not (fully) kept: a factory found later may make its syntax tree
    /// needed. `R` is what `after` made of it, when it was parsed.
    Skipped(String, String, Option<Box<R>>, Option<String>),
    Failed(String),
}

/// Parses every `.py` file of the project (doctor reads all code for secrets),
/// in parallel, in path order; files that cannot be read or parsed become warnings.
pub(crate) fn parse_modules(tree: &Tree, warnings: &mut Vec<String>) -> Vec<Module> {
    parse_files(tree, warnings, Selection::All, |_, _| true, |_| ())
        .into_iter()
        .filter_map(|(_, module, ())| module)
        .collect()
}

/// What `inspect` needs of the code: the modules where an app, a Celery app or
/// gunicorn's settings can be (syntax trees kept), and the facts of every
/// parsed module (read as it is parsed; other syntax trees are dropped then).
pub(crate) fn parse_for_inspect(
    tree: &Tree,
    warnings: &mut Vec<String>,
) -> (Vec<Module>, CodeFacts) {
    let keeps_tree = Needles::new(
        [
            "Flask",
            // a module that runs an app another one made (`entry::run_modules`)
            ".run(",
            "Celery",
            "make_celery",
            "create_celery",
            "celery import current_app",
            "Quart",
            "WsgiToAsgi",
        ]
        .into_iter()
        .chain(APP_NEEDLES.iter().copied())
        .chain(super::entry::FACTORY_NAMES.iter().copied()),
        &[],
    );
    let keeps = |path: &str, text: &str| {
        let file = path.rsplit('/').next().unwrap_or(path);
        ENTRY_FILES.contains(&file) || keeps_tree.is_match(text)
    };
    let results = parse_files(tree, warnings, Selection::ThatMatter, keeps, scan_module);
    let mut modules = Vec::new();
    let mut facts = Vec::new();
    for (_, module, part) in results {
        modules.extend(module);
        facts.push(part);
    }
    (modules, merge(facts))
}

/// What a file must hold to be parsed at all.
fn file_needles() -> Needles {
    Needles::new(
        NEEDLES
            .iter()
            .chain(APP_NEEDLES)
            .copied()
            .chain(services::code_words())
            .chain(super::background::NEEDLES.iter().copied())
            .chain(super::cli::NEEDLES.iter().copied())
            .chain(super::health::NEEDLES.iter().copied())
            .chain(super::writes::NEEDLES.iter().copied())
            .chain(super::secret_key::NEEDLES.iter().copied()),
        &["("],
    )
}

/// What a statement of a file parsed for its facts alone must hold to be parsed.
fn statement_needles() -> Needles {
    Needles::new(
        NEEDLES
            .iter()
            .chain(STATEMENT_NEEDLES)
            .copied()
            .chain(services::code_words())
            .chain(super::background::NEEDLES.iter().copied())
            .chain(super::cli::NEEDLES.iter().copied())
            .chain(super::health::NEEDLES.iter().copied())
            .chain(super::writes::NEEDLES.iter().copied())
            .chain(super::writes::BINDINGS.iter().copied())
            .chain(super::secret_key::NEEDLES.iter().copied()),
        // `= "NAME`: a constant a read may name (`DB_ENV = "SHOP_DB_URL"`).
        &["(", "][", "{", "= "],
    )
}

/// Reads and parses every selected file; `keeps` says from a file's path and
/// text whether its syntax tree is kept, and `scan` reads each parsed module.
/// A file whose tree is not kept is parsed for its facts only: the statements
/// that cannot hold one are skipped. Files left unparsed or dropped are
/// parsed (whole, and kept) later when they call a factory found in a kept
/// module. Results in path order.
fn parse_files<R: Send + Default>(
    tree: &Tree,
    warnings: &mut Vec<String>,
    selection: Selection,
    keeps: impl Fn(&str, &str) -> bool + Sync,
    scan: impl Fn(&Module) -> R + Sync,
) -> Vec<(String, Option<Module>, R)> {
    let paths: Vec<&String> = tree.python_files().collect();
    let needles = file_needles();
    let statement_needles = statement_needles();
    let read = |path: &&String| -> Read<R> {
        let text = match tree.read(path) {
            Ok(text) => text,
            Err(err) => return Read::Failed(format!("skipped: {err:#}")),
        };
        let file = path.rsplit('/').next().unwrap_or(path);
        let wanted =
            selection == Selection::All || ENTRY_FILES.contains(&file) || needles.is_match(&text);
        if !wanted {
            return Read::Skipped(path.to_string(), text, None, None);
        }
        let keep = keeps(path, &text);
        let parsed = if keep {
            parse(tree, path, &text)
        } else {
            parse_for_facts(tree, path, &text, |chunk| statement_needles.is_match(chunk))
        };
        match parsed {
            Ok((module, warning)) => {
                let r = Box::new(scan(&module));
                if keep {
                    Read::Parsed(module, r, warning)
                } else {
                    Read::Skipped(path.to_string(), text, Some(r), warning)
                }
            }
            Err(warning) => Read::Failed(warning),
        }
    };
    let mut results = Vec::new();
    let mut skipped = Vec::new();
    for outcome in parallel_map(&paths, read) {
        match outcome {
            Read::Parsed(module, r, warning) => {
                warnings.extend(warning);
                results.push((module.path.clone(), Some(module), *r));
            }
            Read::Skipped(path, text, r, warning) => {
                warnings.extend(warning);
                if let Some(r) = r {
                    results.push((path.clone(), None, *r));
                }
                skipped.push((path, text));
            }
            Read::Failed(warning) => warnings.push(warning),
        }
    }
    // `app = build(...)` in a file that names nothing else: `build` is a
    // function defined elsewhere that returns an app, known only now. Its facts, if any, were read already.
    let factories = super::entry::app_builders(results.iter().filter_map(|(_, m, _)| m.as_ref()));
    if !factories.is_empty() && !skipped.is_empty() {
        let calls = aho_corasick::AhoCorasick::new(&factories).expect("valid factory names");
        for (path, text) in skipped.iter().filter(|(_, text)| calls.is_match(text)) {
            // Its syntax errors, if any, were reported when it was first read.
            match parse(tree, path, text) {
                Ok((module, _)) => results.push((path.clone(), Some(module), R::default())),
                Err(warning) => warnings.push(warning),
            }
        }
        // Stable: a module read for its facts stays before its later reparse.
        results.sort_by(|a, b| a.0.cmp(&b.0));
    }
    results
}

/// One file as a module of the project, and the warning for the syntax
/// errors the parser recovered from, if any.
fn parse(tree: &Tree, path: &str, text: &str) -> Result<(Module, Option<String>), String> {
    let parsed = syntax::parse(path, text)?;
    let warning = syntax_warning(path, &parsed.errors);
    Ok((Module::of_project(tree, path, parsed), warning))
}

/// A file read for its facts alone: only the statements `relevant` accepts
/// are parsed (with the file's lines). Should skipping statements leave text
/// that does not parse, the whole file is parsed instead, so its real syntax
/// errors are the ones reported. A syntax error inside a skipped statement
/// goes unreported: nothing is read from it.
fn parse_for_facts(
    tree: &Tree,
    path: &str,
    text: &str,
    relevant: impl Fn(&str) -> bool,
) -> Result<(Module, Option<String>), String> {
    if let Some(masked) = syntax::mask_statements(text, relevant)
        && let Ok((module, None)) = parse(tree, path, &masked)
    {
        return Ok((module, None));
    }
    parse(tree, path, text)
}

/// `app.py:12: Python syntax error (...)`: the first error, and how many more.
fn syntax_warning(path: &str, errors: &[(usize, String)]) -> Option<String> {
    let ((line, message), rest) = errors.split_first()?;
    let more = match rest.len() {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    Some(format!(
        "{path}:{line}: Python syntax error ({message}){more}; the statements around it were still read"
    ))
}

/// `f` over `items` on every core, results in the items' order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if workers == 1 || items.len() < 16 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let f = &f;
                // Deep (but accepted) syntax trees are walked recursively.
                std::thread::Builder::new()
                    .stack_size(32 << 20)
                    .spawn_scoped(scope, move || part.iter().map(f).collect::<Vec<R>>())
                    .expect("a parser thread")
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a parser thread panicked"))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needles_are_words_or_a_quoted_upper_case_name_after_a_bracket() {
        let packed = Needles::new(["getenv", "Flask"], &["(", "]["]);
        let automaton = Needles {
            words: Words::Automaton(aho_corasick::AhoCorasick::new(["getenv", "Flask"]).unwrap()),
            brackets: &["(", "]["],
        };
        assert!(matches!(packed.words, Words::Packed(_)));
        for needles in [packed, automaton] {
            assert!(needles.is_match("key = os.getenv('A')"));
            assert!(needles.is_match("app = Flask(__name__)"));
            assert!(needles.is_match("url = setting(\"API_URL\")"));
            assert!(needles.is_match("key = ini['server']['SECRET_KEY']"));
            assert!(!needles.is_match("print(\"hello\")"));
            assert!(
                !needles.is_match("names = {\"KEY\": 1}"),
                "a brace is not one of these brackets"
            );
            assert!(!needles.is_match("call = f('"), "ends before the name");
            assert!(!needles.is_match(""));
        }
    }

    #[test]
    fn the_needle_sets_fit_the_packed_searcher() {
        // The packed (Teddy) searcher takes at most 64 words; past that the
        // automaton, several times slower on every file, takes over unseen.
        for needles in [file_needles(), statement_needles()] {
            assert!(matches!(needles.words, Words::Packed(_)));
        }
    }
}
