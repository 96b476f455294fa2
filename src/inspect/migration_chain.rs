//! Whether a project's migrations can start from an empty database: the
//! `upgrade()` of every revision is read for the tables it creates
//! (`op.create_table`, a `CREATE TABLE` it executes) and those it changes
//! (`op.add_column`, `op.alter_column`, `op.create_index`, ...). A table
//! changed but created by no revision was made by something else, usually
//! the app's own bootstrap (`db.create_all()`, `flask init-db`): on an empty
//! database `flask db upgrade` then fails at that step.

use super::fact::{Fact, Source};
use super::files::Tree;
use super::module::Module;
use crate::syntax::{self, Expr, Ranged, Stmt, Visitor, ast, visitor};

/// Most revision files read: a longer history is read no further.
const MAX_REVISIONS: usize = 2000;

/// `op.X(...)` calls that change a table, and which positional argument
/// names it (or the keyword that does).
const CHANGES: &[(&str, usize, &str)] = &[
    ("add_column", 0, "table_name"),
    ("drop_column", 0, "table_name"),
    ("alter_column", 0, "table_name"),
    ("batch_alter_table", 0, "table_name"),
    ("drop_table", 0, "table_name"),
    ("rename_table", 0, "old_table_name"),
    ("create_index", 1, "table_name"),
    ("drop_index", 1, "table_name"),
    ("create_unique_constraint", 1, "table_name"),
    ("create_check_constraint", 1, "table_name"),
    ("create_primary_key", 1, "table_name"),
    ("drop_constraint", 1, "table_name"),
    ("create_foreign_key", 1, "source_table"),
];

/// The tables the migrations change but never create, with where the first
/// such change is; `None` when the chain can start from an empty database
/// (or there are no revisions to read).
pub(super) fn missing_tables(tree: &Tree, script_dir: &str) -> Option<Fact<Vec<String>>> {
    let prefix = format!("{script_dir}/versions/");
    let mut created = Vec::new();
    let mut changed: Vec<(String, Source)> = Vec::new();
    let revisions = tree
        .python_files()
        .filter(|f| {
            f.strip_prefix(&prefix)
                .is_some_and(|rest| !rest.contains('/'))
        })
        .take(MAX_REVISIONS);
    for path in revisions {
        let Ok(text) = tree.read(path) else { continue };
        let Ok(module) = Module::from_text(path, &text) else {
            continue;
        };
        let mut reader = Reader {
            module: &module,
            created: &mut created,
            changed: &mut changed,
        };
        for stmt in module.body.iter() {
            if let Stmt::FunctionDef(function) = stmt
                && function.name.as_str() == "upgrade"
            {
                reader.visit_body(&function.body);
            }
        }
    }
    let mut missing: Vec<(String, Source)> = changed
        .into_iter()
        .filter(|(table, _)| !created.contains(table))
        .collect();
    let source = missing.first()?.1.clone();
    missing.sort_by(|a, b| a.0.cmp(&b.0));
    missing.dedup_by(|a, b| a.0 == b.0);
    Some(Fact::new(
        missing.into_iter().map(|(table, _)| table).collect(),
        source,
    ))
}

/// What `inspect` says of a chain that needs tables first.
pub(super) fn warning(need: &Fact<Vec<String>>) -> String {
    let tables: Vec<String> = need
        .value
        .iter()
        .map(|t| format!("`{}`", crate::safe::escaped(t)))
        .collect();
    format!(
        "{}: the migrations change {} but none creates {}, so they cannot start from an empty database and the image does not run them: create the tables with the app's own setup first, then mark the migrations applied (README.Docker.md says how)",
        need.source,
        tables.join(", "),
        if tables.len() == 1 { "it" } else { "them" }
    )
}

struct Reader<'a> {
    module: &'a Module,
    created: &'a mut Vec<String>,
    changed: &'a mut Vec<(String, Source)>,
}

impl Reader<'_> {
    fn call(&mut self, call: &ast::ExprCall) {
        // `op.X(...)`: a batch's own `batch.drop_column("x")` names a column.
        let Expr::Attribute(attribute) = call.func.as_ref() else {
            return;
        };
        if !matches!(attribute.value.as_ref(), Expr::Name(n) if n.id.as_str() == "op") {
            return;
        }
        let verb = attribute.attr.as_str();
        let args = &call.arguments.args;
        let keyword = |name: &str| syntax::keyword(call, name).and_then(syntax::string_literal);
        match verb {
            "create_table" => {
                if let Some(table) = args.first().and_then(syntax::string_literal) {
                    self.created.push(table.to_string());
                }
            }
            "rename_table" => {
                if let Some(table) = args.get(1).and_then(syntax::string_literal) {
                    self.created.push(table.to_string());
                }
            }
            "execute" => {
                if let Some(table) = args
                    .first()
                    .and_then(syntax::string_literal)
                    .and_then(created_by_sql)
                {
                    self.created.push(table);
                }
            }
            _ => {}
        }
        let Some((_, position, name)) = CHANGES.iter().find(|(v, _, _)| *v == verb) else {
            return;
        };
        let table = args
            .get(*position)
            .and_then(syntax::string_literal)
            .or_else(|| keyword(name));
        if let Some(table) = table {
            let source = Source::at(&self.module.path, self.module.line(call.start()));
            self.changed.push((table.to_string(), source));
        }
    }
}

impl<'a> Visitor<'a> for Reader<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            self.call(call);
        }
        visitor::walk_expr(self, expr);
    }
}

/// The table a `CREATE TABLE [IF NOT EXISTS] name (...)` statement makes.
fn created_by_sql(sql: &str) -> Option<String> {
    let words: Vec<&str> = sql.split_whitespace().collect();
    let at = words
        .windows(2)
        .position(|w| w[0].eq_ignore_ascii_case("create") && w[1].eq_ignore_ascii_case("table"))?;
    let mut rest = words[at + 2..].iter();
    let mut name = rest.next()?;
    if name.eq_ignore_ascii_case("if") {
        name = rest.nth(2)?; // NOT EXISTS name
    }
    let name = name
        .split('(')
        .next()?
        .trim_matches(|c| c == '"' || c == '`');
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::files::scanned as tree;

    #[test]
    fn a_chain_that_alters_tables_it_never_creates_needs_them_first() {
        let (_dir, tree) = tree(&[
            (
                "migrations/versions/a1_first.py",
                "from alembic import op\nimport sqlalchemy as sa\nrevision = 'a1'\ndown_revision = None\n\
                 def upgrade():\n    op.add_column('users', sa.Column('age', sa.Integer()))\n\
                 \x20   op.create_table('tags', sa.Column('id', sa.Integer()))\n\
                 \x20   op.create_index('ix', 'posts', ['title'])\n\
                 def downgrade():\n    op.drop_table('audit')\n",
            ),
            (
                "migrations/versions/b2_second.py",
                "from alembic import op\nrevision = 'b2'\ndown_revision = 'a1'\n\
                 def upgrade():\n    with op.batch_alter_table('tags') as batch:\n        batch.drop_column('x')\n\
                 \x20   op.execute('CREATE TABLE IF NOT EXISTS notes (id int)')\n\
                 \x20   op.alter_column('notes', 'id')\n",
            ),
        ]);
        let missing = missing_tables(&tree, "migrations").unwrap();
        assert_eq!(missing.value, ["posts", "users"]);
        assert_eq!(
            missing.source.to_string(),
            "migrations/versions/a1_first.py:6"
        );
    }

    #[test]
    fn a_chain_that_creates_what_it_changes_starts_from_nothing() {
        let (_dir, tree) = tree(&[(
            "migrations/versions/a1_first.py",
            "from alembic import op\nimport sqlalchemy as sa\ndown_revision = None\n\
             def upgrade():\n    op.create_table('users', sa.Column('id', sa.Integer()))\n\
             \x20   op.create_index(op.f('ix_users_id'), 'users', ['id'])\n\
             \x20   op.create_foreign_key(None, 'users', 'users', ['id'], ['id'])\n",
        )]);
        assert!(missing_tables(&tree, "migrations").is_none());
        assert!(missing_tables(&tree, "alembic").is_none());
        assert_eq!(
            created_by_sql("create table \"Log\"(id int)").as_deref(),
            Some("Log")
        );
    }
}
