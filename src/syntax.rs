//! Python source: ruff's parser, with error recovery, and the syntax helpers
//! every reader of code shares (`inspect` and `doctor` alike).

pub(crate) use ruff_python_ast::visitor::{self, Visitor};
pub(crate) use ruff_python_ast::{self as ast, Expr, Stmt};
pub(crate) use ruff_text_size::{Ranged, TextSize};

/// A file's statements, with what is needed to name the line of each node.
pub(crate) struct Parsed {
    pub body: ast::Suite,
    pub lines: Lines,
    /// Syntax errors the parser recovered from, as `(line, message)`: the
    /// statements that hold one are left out of `body`.
    pub errors: Vec<(usize, String)>,
}

/// Byte offsets of line starts, to turn a node's offset into its line.
#[derive(Debug, Default)]
pub(crate) struct Lines(Vec<u32>);

impl Lines {
    pub(crate) fn new(text: &str) -> Self {
        let breaks = text.bytes().enumerate().filter(|&(_, b)| b == b'\n');
        Lines(
            std::iter::once(0)
                .chain(breaks.map(|(i, _)| i as u32 + 1))
                .collect(),
        )
    }

    /// 1-based line of a byte offset.
    pub(crate) fn line(&self, offset: TextSize) -> usize {
        let offset = offset.to_u32();
        self.0.partition_point(|&start| start <= offset)
    }
}

/// Parses one file. A syntax error does not lose the file: the parser
/// recovers, and every statement without an error in it is kept (the errors
/// are in `errors`). Only a statement nested deeper than CPython compiles
/// makes the file unreadable, with the reason.
pub(crate) fn parse(path: &str, text: &str) -> Result<Parsed, String> {
    // Every operator or bracket `expression_depth` counts is a byte that is
    // not white space, and no byte counts twice over: a file with few such
    // bytes (most, and all whose statements were masked) needs no count.
    let solid = text.bytes().filter(|b| !b.is_ascii_whitespace()).count();
    let depth = if solid * 2 <= MAX_EXPRESSION_DEPTH {
        0
    } else {
        expression_depth(text)
    };
    if depth > MAX_EXPRESSION_DEPTH {
        return Err(format!(
            "skipped `{path}`: one statement nests about {depth} operators or brackets deep, more than CPython compiles"
        ));
    }
    let lines = Lines::new(text);
    let parsed =
        ruff_python_parser::parse_unchecked_source(text, ruff_python_ast::PySourceType::Python);
    let errors: Vec<(TextSize, String)> = parsed
        .errors()
        .iter()
        .map(|e| (e.location.start(), e.error.to_string()))
        .collect();
    let mut body = parsed.into_syntax().body;
    if !errors.is_empty() {
        let at: Vec<TextSize> = errors.iter().map(|(offset, _)| *offset).collect();
        drop_broken(&mut body, &at);
    }
    Ok(Parsed {
        body,
        errors: errors
            .into_iter()
            .map(|(offset, message)| (lines.line(offset), message))
            .collect(),
        lines,
    })
}

/// Removes the simple statements that hold an error offset, and looks inside
/// compound ones (a broken line in a function keeps the rest of the function).
fn drop_broken(body: &mut ast::Suite, errors: &[TextSize]) {
    body.retain_mut(|stmt| {
        let range = stmt.range();
        if !errors.iter().any(|&e| range.contains_inclusive(e)) {
            return true;
        }
        match stmt {
            Stmt::FunctionDef(s) => drop_broken(&mut s.body, errors),
            Stmt::ClassDef(s) => drop_broken(&mut s.body, errors),
            Stmt::If(s) => {
                drop_broken(&mut s.body, errors);
                for clause in &mut s.elif_else_clauses {
                    drop_broken(&mut clause.body, errors);
                }
            }
            Stmt::For(s) => {
                drop_broken(&mut s.body, errors);
                drop_broken(&mut s.orelse, errors);
            }
            Stmt::While(s) => {
                drop_broken(&mut s.body, errors);
                drop_broken(&mut s.orelse, errors);
            }
            Stmt::With(s) => drop_broken(&mut s.body, errors),
            Stmt::Try(s) => {
                drop_broken(&mut s.body, errors);
                for handler in &mut s.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = handler;
                    drop_broken(&mut h.body, errors);
                }
                drop_broken(&mut s.orelse, errors);
                drop_broken(&mut s.finalbody, errors);
            }
            Stmt::Match(s) => {
                for case in &mut s.cases {
                    drop_broken(&mut case.body, errors);
                }
            }
            _ => return false,
        }
        true
    });
}

/// `text` with every top-level statement that `relevant` rejects blanked
/// out (its bytes but line breaks turned into spaces, so that offsets and
/// lines stay those of the file), or `None` when every statement is kept.
/// Imports are always kept (they bind the names other statements use), and
/// an `if` right after a kept statement (`if not x: raise ...`).
///
/// Statements are found by a light scan of brackets, strings and line
/// continuations; a scan that went wrong shows as a syntax error in the
/// masked text, and the caller then parses the whole file.
pub(crate) fn mask_statements(text: &str, relevant: impl Fn(&str) -> bool) -> Option<String> {
    let starts = statement_starts(text);
    let mut masked: Option<Vec<u8>> = None;
    let mut previous_kept = false;
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let chunk = &text[start..end];
        let keep = chunk.starts_with("import ")
            || chunk.starts_with("from ")
            || previous_kept && chunk.starts_with("if ")
            || relevant(chunk);
        previous_kept = keep;
        if !keep {
            let bytes = masked.get_or_insert_with(|| text.as_bytes().to_vec());
            for byte in &mut bytes[start..end] {
                if *byte != b'\n' {
                    *byte = b' ';
                }
            }
        }
    }
    // Only ASCII spaces replaced whole statements: still UTF-8.
    masked.map(|bytes| String::from_utf8(bytes).unwrap_or_default())
}

/// Byte offsets where top-level statements start: a line that begins in
/// column 0 outside brackets, strings and continuations, and that does not
/// continue the statement before (`else:`, `except`, a decorated `def`).
fn statement_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let (mut depth, mut i) = (0usize, 0usize);
    // Inside a string: its quote and whether it is triple-quoted.
    let mut string: Option<(u8, bool)> = None;
    let mut decorated = false;
    let mut at_line_start = true;
    let mut continued = false;
    while i < bytes.len() {
        let b = bytes[i];
        if at_line_start
            && string.is_none()
            && depth == 0
            && !continued
            && !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'#' | b'\x0c')
        {
            let line = &text[i..];
            let continues = decorated
                || ["else", "elif", "except", "finally"].iter().any(|k| {
                    line.strip_prefix(k)
                        .is_some_and(|rest| rest.starts_with([':', ' ', '(', '*']))
                });
            if !continues && i > 0 {
                starts.push(i);
            }
            decorated = b == b'@';
        }
        at_line_start = false;
        match string {
            Some((quote, triple)) => {
                if b == b'\\' {
                    i += 2;
                    continue;
                }
                if triple && bytes[i..].starts_with(&[quote; 3]) {
                    string = None;
                    i += 3;
                    continue;
                }
                if !triple && b == quote {
                    string = None;
                } else if !triple && b == b'\n' {
                    string = None; // an unterminated string ends with its line
                    at_line_start = true;
                    continued = false;
                }
            }
            None => match b {
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'"' | b'\'' => {
                    let triple = bytes[i..].starts_with(&[b; 3]);
                    string = Some((b, triple));
                    i += if triple { 3 } else { 1 };
                    continue;
                }
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b'\n' => {
                    continued = i > 0 && bytes[i - 1] == b'\\'
                        || i > 1 && bytes[i - 1] == b'\r' && bytes[i - 2] == b'\\';
                    at_line_start = true;
                }
                _ => {}
            },
        }
        i += 1;
    }
    starts
}

/// Deepest statement flaskdock parses. CPython's own compiler gives up near a
/// thousand levels; the syntax tree of a deeper one would exhaust the stack.
const MAX_EXPRESSION_DEPTH: usize = 1000;

/// A cheap upper bound of how deep one statement's syntax tree can be: its
/// operators plus its deepest bracket nesting, with strings and comments skipped.
fn expression_depth(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut deepest, mut operators, mut brackets, mut max_brackets) = (0, 0usize, 0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            quote @ (b'"' | b'\'') => {
                let triple = bytes[i..].starts_with(&[quote; 3]);
                let step = if triple { 3 } else { 1 };
                i += step;
                while i < bytes.len() {
                    if bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if triple && bytes[i..].starts_with(&[quote; 3]) || !triple && bytes[i] == quote
                    {
                        i += step;
                        break;
                    }
                    if !triple && bytes[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' | b'{' => {
                if i > 0 && matches!(bytes[i - 1], b')' | b']') {
                    operators += 1;
                }
                brackets += 1;
                max_brackets = max_brackets.max(brackets);
            }
            b')' | b']' | b'}' => brackets = brackets.saturating_sub(1),
            b'+' | b'-' | b'*' | b'/' | b'%' | b'|' | b'&' | b'^' | b'@' | b'<' | b'>' | b'~' => {
                operators += 1
            }
            // `a.b.c` (not `1.5`), and calls or subscripts chained on a result: `f()()`, `x[0][0]`.
            b'.' if i > 0 && !bytes[i - 1].is_ascii_digit() => operators += 1,
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &text[start..i];
                if matches!(
                    word,
                    "not" | "and" | "or" | "if" | "lambda" | "await" | "in" | "is"
                ) {
                    operators += 1;
                }
                continue;
            }
            b'\n' if brackets == 0 && !text[..i].ends_with('\\') => {
                deepest = deepest.max(operators + max_brackets);
                operators = 0;
                max_brackets = 0;
            }
            _ => {}
        }
        i += 1;
    }
    deepest.max(operators + max_brackets)
}

/// Test code (`tests/`, `browser-test/`, `test_*.py`, `*_test.py`,
/// `seed-tests.py`, `conftest.py`, `compose-test.yml`) at any depth: it says how the project is
/// tested, not how it runs.
pub(crate) fn is_test_path(path: &str) -> bool {
    let mut parts = path.split('/').rev();
    let file = parts.next().unwrap_or(path);
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    names_a_test(stem) || file == "conftest.py" || parts.any(names_a_test)
}

/// A file stem or folder name whose first or last word (split at `_` and
/// `-`) is `test`, `tests` or `testing`: `tests`, `test_app`, `views_test`,
/// `browser-test`; not `testimonials` or `latest`.
fn names_a_test(name: &str) -> bool {
    let is_test = |word: &str| matches!(word, "test" | "tests" | "testing");
    let mut words = name.split(['_', '-']);
    words.next().is_some_and(is_test) || words.next_back().is_some_and(is_test)
}

/// Folders whose code is not the running app: teaching copies, docs, tools.
const TOOLING_DIRS: &[&str] = &[
    "examples",
    "example",
    "samples",
    "sample",
    "demo",
    "demos",
    "docs",
    "doc",
    "scripts",
    "tools",
    "contrib",
    "benchmarks",
    // release managers, database maintenance, one-off utilities
    "bin",
];

/// Code that never runs in the app: under a [`TOOLING_DIRS`] folder at any
/// depth, or a packaging or task-runner file at the root (`setup.py`,
/// `noxfile.py`, `fabfile.py`).
pub(crate) fn is_tooling_path(path: &str) -> bool {
    let mut parts = path.split('/').rev();
    let file = parts.next().unwrap_or(path);
    parts.any(|dir| TOOLING_DIRS.contains(&dir))
        || !path.contains('/') && matches!(file, "setup.py" | "noxfile.py" | "fabfile.py")
}

/// Whether a module's top level imports a module `wanted` accepts by its
/// full dotted name (`import invoke`, `from dash import html`); a relative
/// import is the project's own and never counts.
pub(crate) fn imports_module(body: &[Stmt], wanted: impl Fn(&str) -> bool) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::Import(node) => node.names.iter().any(|alias| wanted(alias.name.as_str())),
        Stmt::ImportFrom(node) => {
            node.level == 0 && node.module.as_ref().is_some_and(|m| wanted(m.as_str()))
        }
        _ => false,
    })
}

/// `Flask`, `flask.Flask`: the callee name's last segment.
pub(crate) fn call_name(func: &Expr) -> Option<&str> {
    match func {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attr) => Some(attr.attr.as_str()),
        _ => None,
    }
}

/// The value a call passes by the keyword `name` (`Queue(name="mail")`).
pub(crate) fn keyword<'e>(call: &'e ast::ExprCall, name: &str) -> Option<&'e Expr> {
    call.arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
        .map(|k| &k.value)
}

/// `a.b.c` for a name or an attribute chain.
pub(crate) fn dotted_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Attribute(a) => Some(format!("{}.{}", dotted_name(&a.value)?, a.attr.as_str())),
        _ => None,
    }
}

/// The value of a string literal (implicitly concatenated parts joined), if
/// the expression is one. An f-string or t-string is not: its value is known
/// only when it runs.
pub(crate) fn string_literal(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str()),
        _ => None,
    }
}

/// The literal text an f-string starts with (`f"postgresql://{user}@db"` ->
/// `postgresql://`), to recognise what it builds.
pub(crate) fn leading_text(expr: &Expr) -> Option<&str> {
    let Expr::FString(f) = expr else { return None };
    match f.value.iter().next()? {
        ast::FStringPart::Literal(literal) => Some(&literal.value),
        ast::FStringPart::FString(f) => match f.elements.iter().next()? {
            ast::InterpolatedStringElement::Literal(literal) => Some(&literal.value),
            ast::InterpolatedStringElement::Interpolation(_) => None,
        },
    }
}

/// An f-string's pieces in order: its literal text (`Err`) and its
/// interpolations (`Ok`): `f"SHOP_{key}"` -> `Err("SHOP_")`, `Ok({key})`.
pub(crate) fn fstring_pieces(f: &ast::ExprFString) -> Vec<Result<&ast::InterpolatedElement, &str>> {
    let mut pieces = Vec::new();
    for part in f.value.iter() {
        match part {
            ast::FStringPart::Literal(literal) => pieces.push(Err(&*literal.value)),
            ast::FStringPart::FString(f) => {
                pieces.extend(f.elements.iter().map(|element| match element {
                    ast::InterpolatedStringElement::Literal(literal) => Err(&*literal.value),
                    ast::InterpolatedStringElement::Interpolation(i) => Ok(i),
                }));
            }
        }
    }
    pieces
}

/// A literal's text as `.env` would hold it: a string, a number or a boolean.
pub(crate) fn literal_text(expr: &Expr) -> Option<String> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => Some(i.to_string()),
            ast::Number::Float(f) => Some(f.to_string()),
            ast::Number::Complex { .. } => None,
        },
        Expr::BooleanLiteral(b) => Some(if b.value { "True" } else { "False" }.to_string()),
        _ => None,
    }
}

/// The literal `True`.
pub(crate) fn is_true(expr: &Expr) -> bool {
    matches!(expr, Expr::BooleanLiteral(b) if b.value)
}

/// `__name__ == "__main__"` (either way round), the test of a script's main
/// block, which gunicorn never runs.
pub(crate) fn is_main_guard(test: &Expr) -> bool {
    let Expr::Compare(cmp) = test else {
        return false;
    };
    let sides: Vec<&Expr> = std::iter::once(cmp.left.as_ref())
        .chain(cmp.comparators.iter())
        .collect();
    sides
        .iter()
        .any(|e| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__"))
        && sides.iter().any(|e| string_literal(e) == Some("__main__"))
}

/// Statements of `body`, descending into `if`/`elif`/`else`, `try` and
/// `with` blocks (not functions, classes or loops).
pub(crate) fn flat_statements(body: &[Stmt]) -> Vec<&Stmt> {
    let mut out = Vec::new();
    for stmt in body {
        out.push(stmt);
        match stmt {
            Stmt::If(s) => {
                out.extend(flat_statements(&s.body));
                for clause in &s.elif_else_clauses {
                    out.extend(flat_statements(&clause.body));
                }
            }
            Stmt::Try(s) => {
                out.extend(flat_statements(&s.body));
                for handler in &s.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = handler;
                    out.extend(flat_statements(&h.body));
                }
                out.extend(flat_statements(&s.orelse));
                out.extend(flat_statements(&s.finalbody));
            }
            Stmt::With(s) => out.extend(flat_statements(&s.body)),
            _ => {}
        }
    }
    out
}

/// The statements a module runs at import: top-level ones, including those
/// under `if`/`try`/`with`, but not the `if __name__ == "__main__":` block,
/// which gunicorn never runs.
pub(crate) fn import_time_statements(body: &[Stmt]) -> Vec<&Stmt> {
    // Found once, by address: asking each statement whether a guard holds
    // it was quadratic (85,000 top-level lines took 30 s).
    let guarded: std::collections::HashSet<*const Stmt> = body
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::If(s) if is_main_guard(&s.test) => Some(flat_statements(&s.body)),
            _ => None,
        })
        .flatten()
        .map(|stmt| stmt as *const Stmt)
        .collect();
    flat_statements(body)
        .into_iter()
        .filter(|stmt| !guarded.contains(&(*stmt as *const Stmt)))
        .collect()
}

/// What a statement hands on: the value of `return value`, or of an
/// assignment to one name (`x = value`, `x: T = value`).
pub(crate) fn produced_value(stmt: &Stmt) -> Option<&Expr> {
    match stmt {
        Stmt::Return(r) => r.value.as_deref(),
        other => single_assignment(other).map(|(_, value)| value),
    }
}

/// The callee's name when `stmt` produces a call (`return Flask(...)`,
/// `app = create_app()`).
pub(crate) fn produced_call(stmt: &Stmt) -> Option<&str> {
    match produced_value(stmt)? {
        Expr::Call(call) => call_name(&call.func),
        _ => None,
    }
}

/// How many of a function's parameters a caller must give: those without a
/// default (`*args` and `**kwargs` need nothing).
pub(crate) fn required_parameters(function: &ast::StmtFunctionDef) -> usize {
    let parameters = &function.parameters;
    parameters
        .posonlyargs
        .iter()
        .chain(&parameters.args)
        .chain(&parameters.kwonlyargs)
        .filter(|p| p.default.is_none())
        .count()
}

/// `name = value` or `name: T = value` with a single plain name.
pub(crate) fn single_assignment(stmt: &Stmt) -> Option<(&str, &Expr)> {
    match assignment(stmt)? {
        (Expr::Name(n), value) => Some((n.id.as_str(), value)),
        _ => None,
    }
}

/// `TARGET = value` or `TARGET: T = value` with one target of any kind
/// (a name, `self.attr`, a subscript): the target and the value.
pub(crate) fn assignment(stmt: &Stmt) -> Option<(&Expr, &Expr)> {
    match stmt {
        Stmt::Assign(a) if a.targets.len() == 1 => Some((&a.targets[0], a.value.as_ref())),
        Stmt::AnnAssign(a) => Some((a.target.as_ref(), a.value.as_deref()?)),
        _ => None,
    }
}

/// `self.ATTR`: the attribute's name.
pub(crate) fn self_attribute(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Attribute(a) if matches!(a.value.as_ref(), Expr::Name(n) if n.id.as_str() == "self") => {
            Some(a.attr.as_str())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statements(code: &str) -> usize {
        parse("app.py", code).unwrap().body.len()
    }

    #[test]
    fn estimates_statement_depth() {
        assert_eq!(expression_depth("x = 1 + 2\ny = f(g(3))\n"), 2);
        // Strings and comments do not count; brackets span lines.
        assert_eq!(
            expression_depth("s = '+++(((' # ---\nt = (1 +\n 2 +\n 3)\n"),
            3
        );
        let deep = format!("x = {}\n", vec!["1"; 5000].join("+"));
        assert!(expression_depth(&deep) > MAX_EXPRESSION_DEPTH);
        for deep in [
            format!("x = {}b\n", "a.".repeat(5000)),
            format!("x = x{}\n", "[0]".repeat(5000)),
            format!("x = {}1\n", "not ".repeat(5000)),
            format!("x = {}1\n", "lambda: ".repeat(5000)),
        ] {
            assert!(
                expression_depth(&deep) > MAX_EXPRESSION_DEPTH,
                "{}",
                &deep[..20]
            );
        }
        // Flat data is not deep: floats and a long list.
        let data = format!("DATA = [{}]\n", vec!["1.5"; 5000].join(", "));
        assert!(expression_depth(&data) < 10);
    }

    #[test]
    fn reads_python_3_12_to_3_14_syntax() {
        for code in [
            // PEP 701: quotes reused inside an f-string (3.12)
            "x = f\"{cfg[\"a\"]} world\"\n",
            // PEP 695: generics and `type` (3.12)
            "type Pair[T] = tuple[T, T]\ndef first[T](p: Pair[T]) -> T:\n    return p[0]\nclass Box[T]:\n    pass\n",
            // PEP 750: template strings (3.14)
            "greeting = t\"hello {name}\"\n",
            // PEP 758: `except` without brackets (3.14)
            "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
        ] {
            let parsed = parse("app.py", code).unwrap();
            assert!(parsed.errors.is_empty(), "{code}: {:?}", parsed.errors);
        }
    }

    #[test]
    fn keeps_every_statement_around_a_syntax_error() {
        let parsed = parse("app.py", "import os\nbroken = )\nA = os.environ['A']\n").unwrap();
        assert!(
            parsed.errors.iter().all(|(line, _)| *line == 2),
            "{:?}",
            parsed.errors
        );
        assert!(
            matches!(&parsed.body[0], Stmt::Import(_)),
            "{:?}",
            parsed.body
        );
        assert!(
            matches!(parsed.body.last(), Some(Stmt::Assign(a)) if a.targets.len() == 1 && matches!(&a.targets[0], Expr::Name(n) if n.id.as_str() == "A")),
            "the statement after the error stays: {:?}",
            parsed.body
        );
        // A broken line inside a function keeps the function and its other lines.
        let code = "def make():\n    ok = 1\n    broken = )\n    return ok\n";
        let parsed = parse("app.py", code).unwrap();
        let Stmt::FunctionDef(f) = &parsed.body[0] else {
            panic!("the function was dropped")
        };
        assert_eq!(parsed.errors[0].0, 3);
        assert!(f.body.iter().any(|s| matches!(s, Stmt::Return(_))));
        assert_eq!(statements("a = 1\nb = 2\n"), 2);
    }

    #[test]
    fn masks_whole_top_level_statements_and_keeps_lines() {
        let code = "import os\n\n@bp.route('/')\ndef index():\n    return 'x'\n\nURL = os.environ.get('URL')\nif not URL:\n    raise SystemExit\ntry:\n    a = 1\nexcept ValueError:\n    pass\nTEXT = \"\"\"\nFOO = os.environ['FOO']\n\"\"\"\nDATA = {\n'k': 1,\n}\n";
        let masked = mask_statements(code, |chunk| chunk.contains("environ")).unwrap();
        assert_eq!(masked.len(), code.len());
        assert_eq!(masked.lines().count(), code.lines().count());
        let kept: Vec<&str> = masked.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(
            kept,
            [
                "import os",
                "URL = os.environ.get('URL')",
                "if not URL:",
                "    raise SystemExit",
                // The string mentions `environ`: kept whole, still a string.
                "TEXT = \"\"\"",
                "FOO = os.environ['FOO']",
                "\"\"\"",
            ]
        );
        let parsed = parse("app.py", &masked).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.body.len(), 4);
        assert_eq!(parsed.lines.line(parsed.body[1].start()), 7);
        // Nothing to mask: no copy.
        assert_eq!(mask_statements("import os\n", |_| false), None);
    }

    #[test]
    fn a_main_guard_reads_either_way_round() {
        let test = |code: &str| {
            let parsed = parse("app.py", code).unwrap();
            match &parsed.body[0] {
                Stmt::If(s) => is_main_guard(&s.test),
                _ => false,
            }
        };
        assert!(test("if __name__ == '__main__':\n    pass\n"));
        assert!(test("if '__main__' == __name__:\n    pass\n"));
        assert!(!test("if __name__ == 'app':\n    pass\n"));
    }

    #[test]
    fn test_paths_at_any_depth() {
        for path in [
            "tests/test_app.py",
            "pkg/tests/smtp/server.py",
            "conftest.py",
            "pkg/views_test.py",
            "testing/helpers.py",
            "tests_e2e.py",
            "tests.py",
            "pkg/api_tests.py",
            "docker/browser-test/seed.py",
            "deploy/seed-browser-tests.py",
            "integration_tests/app.py",
        ] {
            assert!(is_test_path(path), "{path}");
        }
        for path in ["pkg/testimonials.py", "pkg/latest.py", "contest/app.py"] {
            assert!(!is_test_path(path), "{path}");
        }
        for path in [
            "docs/conf.py",
            "examples/basic/app.py",
            "setup.py",
            "shop/scripts/seed.py",
            "bin/release_manager.py",
        ] {
            assert!(is_tooling_path(path), "{path}");
        }
        assert!(!is_tooling_path("shop/setup.py") && !is_tooling_path("shop/documents.py"));
        assert!(!is_tooling_path("shop/binary.py") && !is_tooling_path("cabin/app.py"));
    }
}
