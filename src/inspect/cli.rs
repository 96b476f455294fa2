//! The app's own CLI commands that set it up before its first start
//! (`flask --app shop init-db`, `python manage.py database create_tables`):
//! found as each module is parsed, then resolved once every module is read,
//! since a command registered on a sub-group (`manager = AppGroup(...)`) is
//! typed after the name another module gives that group (`add_command`).

use serde::Serialize;

use super::fact::{Fact, Source};
use super::module::Module;
use crate::syntax::{
    self, Expr, Ranged, Stmt, Visitor, ast, call_name, dotted_name, keyword, string_literal,
    visitor,
};

/// Words that make a statement worth reading for these facts (the parse
/// prefilter of `source.rs` adds them to its own).
pub(super) const NEEDLES: &[&str] = &[".command(", "AppGroup", "add_command(", ".group("];

/// A command of the app's own CLI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetupCommand {
    /// As typed on the command line (`init-db`).
    pub name: String,
    /// The sub-group it is registered on, as typed before it (`database`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Run through the project's `manage.py` (`python manage.py create_db`,
    /// a `FlaskGroup` script); otherwise `flask NAME` runs it.
    pub in_manage_py: bool,
}

/// What one module says; [`resolve`] turns it into commands.
#[derive(Debug, Default)]
pub(super) struct CliFacts {
    commands: Vec<Fact<Found>>,
    adds: Vec<GroupAdd>,
}

impl CliFacts {
    pub(super) fn merge(&mut self, other: CliFacts) {
        self.commands.extend(other.commands);
        self.adds.extend(other.adds);
    }
}

#[derive(Debug)]
struct Found {
    name: String,
    in_manage_py: bool,
    /// Registered on a group rather than the top-level CLI.
    group: Option<GroupRef>,
}

/// A group a command is registered on, as the module that defines it names it.
#[derive(Debug)]
struct GroupRef {
    /// The module's last part (`database` for `redash/cli/database.py`), by
    /// which another module reaches the group (`database.manager`).
    module: String,
    var: String,
    /// Its own name (`AppGroup("user")`, `@click.group("user")`, a grouping
    /// function's name), when it has one.
    own_name: Option<String>,
    /// Made by Flask's `AppGroup`, which is never the top-level CLI.
    app_group: bool,
}

/// `X.add_command(group, "name")`: which group, under which name, and
/// whether Flask's own CLI (`app.cli`) receives it.
#[derive(Debug)]
struct GroupAdd {
    group: String,
    name: Option<String>,
    on_app_cli: bool,
}

/// The commands of the app's CLI that set it up, each as it is typed.
/// `manage_py`: the project has a root `manage.py`, which runs a group that
/// other groups are added to (`manager.add_command(database.manager, ...)`).
pub(super) fn resolve(facts: CliFacts, manage_py: bool) -> Vec<Fact<SetupCommand>> {
    let CliFacts { commands, adds } = facts;
    commands
        .into_iter()
        .filter_map(|fact| {
            let found = fact.value;
            let (group, in_manage_py) = match found.group {
                None => (None, found.in_manage_py),
                Some(group) => {
                    let dotted = format!("{}.{}", group.module, group.var);
                    match adds
                        .iter()
                        .find(|a| a.group == dotted || a.group == group.var)
                    {
                        Some(add) => {
                            let name = add.name.clone().or(group.own_name)?;
                            // A group added to a project's own top-level group
                            // runs through the script that calls it.
                            if !add.on_app_cli && !manage_py {
                                return None;
                            }
                            (Some(name), !add.on_app_cli)
                        }
                        // Added nowhere: `cli` and `manager` are what projects
                        // call their top-level CLI; another name is unknown.
                        // A plain click group is no part of `flask`'s CLI:
                        // only the root `manage.py` that defines it runs it
                        // (`mbid_mapping/manage.py` is another tool's).
                        None if !group.app_group
                            && found.in_manage_py
                            && matches!(group.var.as_str(), "cli" | "manager") =>
                        {
                            (None, true)
                        }
                        None => return None,
                    }
                }
            };
            // Typed on a command line the user pastes: plain words only.
            let plain = |word: &str| crate::safe::Word::parse(word).is_some();
            if !plain(&found.name) || group.as_deref().is_some_and(|g| !plain(g)) {
                return None;
            }
            Some(Fact::new(
                SetupCommand {
                    name: found.name,
                    group,
                    in_manage_py,
                },
                fact.source,
            ))
        })
        .collect()
}

pub(super) fn scan(module: &Module) -> CliFacts {
    let mut scanner = Scanner {
        module,
        groups: Vec::new(),
        facts: CliFacts::default(),
    };
    scanner.visit_body(&module.body);
    scanner.facts
}

struct Scanner<'m> {
    module: &'m Module,
    /// Groups this module makes: name, own name, made by `AppGroup`.
    groups: Vec<(String, Option<String>, bool)>,
    facts: CliFacts,
}

impl Scanner<'_> {
    /// A function registered as a CLI command by a decorator whose call is
    /// `*.command(...)` (click, Flask's `app.cli`, a `FlaskGroup`, a group),
    /// when its name says it sets the app up. click names `init_db` as `init-db`.
    fn command(&mut self, function: &ast::StmtFunctionDef) {
        let Some((receiver, call)) = function.decorator_list.iter().find_map(|d| {
            let (func, call) = match &d.expression {
                Expr::Call(call) => (call.func.as_ref(), Some(call)),
                other => (other, None),
            };
            match func {
                Expr::Attribute(a) if a.attr.as_str() == "command" => Some((&*a.value, call)),
                _ => None,
            }
        }) else {
            return;
        };
        // One that takes arguments needs answers this step cannot give.
        if syntax::required_parameters(function) > 0 {
            return;
        }
        let receiver_name = dotted_name(receiver);
        let group = match receiver_name.as_deref() {
            Some("click") => None,
            // Flask's own CLI: `app.cli`, `self.app.cli`.
            _ if is_app_cli(receiver) => None,
            Some(var) => match self.groups.iter().find(|(name, ..)| name == var) {
                Some((var, own_name, app_group)) => Some(GroupRef {
                    module: module_stem(&self.module.path),
                    var: var.clone(),
                    own_name: own_name.clone(),
                    app_group: *app_group,
                }),
                None if matches!(var, "cli" | "manager") => None,
                None => return,
            },
            None => return,
        };
        let named = call.and_then(|call| name_argument(call, 0));
        // Flask-Script's `@manager.command` keeps the function's name; click
        // (Flask's CLI) puts dashes for its underscores.
        let flask_script = call.is_none() && receiver_name.as_deref() == Some("manager");
        let name = match named {
            Some(name) => name.to_string(),
            None if flask_script => function.name.to_string(),
            None => function.name.as_str().replace('_', "-"),
        };
        if !is_setup_name(&name) {
            return;
        }
        let source = Source::at(&self.module.path, self.module.line(function.start()));
        self.facts.commands.push(Fact::new(
            Found {
                name,
                in_manage_py: self.module.path == "manage.py",
                group,
            },
            source,
        ));
    }

    /// `user = AppGroup("user")`, `tools = click.Group("tools")`.
    fn group_assignment(&mut self, target: &str, value: &Expr) {
        let Expr::Call(call) = value else {
            return;
        };
        let app_group = match call_name(&call.func) {
            Some("AppGroup") => true,
            Some("Group") => false,
            _ => return,
        };
        let own_name = name_argument(call, 0).map(str::to_string);
        self.groups.push((target.to_string(), own_name, app_group));
    }

    /// `@click.group()` or `@cli.group("user")` (not a `FlaskGroup`, which is
    /// the top-level CLI itself).
    fn group_function(&mut self, function: &ast::StmtFunctionDef) {
        for decorator in &function.decorator_list {
            let call = match &decorator.expression {
                Expr::Call(call) => Some(call),
                _ => None,
            };
            let func = call.map_or(&decorator.expression, |c| c.func.as_ref());
            if call_name(func) != Some("group") {
                continue;
            }
            if call.is_some_and(|c| keyword(c, "cls").is_some()) {
                return;
            }
            let own_name = call
                .and_then(|c| name_argument(c, 0))
                .map_or_else(|| function.name.as_str().replace('_', "-"), str::to_string);
            self.groups
                .push((function.name.to_string(), Some(own_name), false));
            return;
        }
    }

    /// `manager.add_command(database.manager, "database")`,
    /// `app.cli.add_command(user_cli)`.
    fn add_command(&mut self, call: &ast::ExprCall) {
        let Expr::Attribute(a) = call.func.as_ref() else {
            return;
        };
        if a.attr.as_str() != "add_command" {
            return;
        }
        let Some(group) = call.arguments.args.first().and_then(dotted_name) else {
            return;
        };
        let name = name_argument(call, 1).map(str::to_string);
        self.facts.adds.push(GroupAdd {
            group,
            name,
            on_app_cli: is_app_cli(&a.value),
        });
    }
}

impl<'a> Visitor<'a> for Scanner<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(function) => {
                self.command(function);
                self.group_function(function);
            }
            Stmt::Assign(assign) => {
                if let [Expr::Name(target)] = assign.targets.as_slice() {
                    self.group_assignment(target.id.as_str(), &assign.value);
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            self.add_command(call);
        }
        visitor::walk_expr(self, expr);
    }
}

/// The name a call gives as a string, at `position` or as `name=`
/// (`AppGroup("user")`, `add_command(group, name="db")`).
fn name_argument(call: &ast::ExprCall, position: usize) -> Option<&str> {
    call.arguments
        .args
        .get(position)
        .or_else(|| keyword(call, "name"))
        .and_then(string_literal)
}

/// Flask's CLI of an app: `app.cli`, `self.app.cli`, `flask_app.cli`.
fn is_app_cli(expr: &Expr) -> bool {
    matches!(expr, Expr::Attribute(cli) if cli.attr.as_str() == "cli"
        && dotted_name(&cli.value).is_some_and(|base| base.contains("app")))
}

/// `redash/cli/database.py` -> `database`; a package's `__init__.py` -> its folder.
fn module_stem(path: &str) -> String {
    let mut parts = path.trim_end_matches(".py").rsplit('/');
    match parts.next() {
        Some("__init__") => parts.next().unwrap_or_default().to_string(),
        Some(last) => last.to_string(),
        None => String::new(),
    }
}

/// Names of CLI commands that set an app up before its first start.
fn is_setup_name(name: &str) -> bool {
    let name = name.replace('-', "_");
    // A development or test variant is not the first start of a deployment
    // (`setup_dev` beside `setup_prod`).
    let variant = ["dev", "development", "test", "testing", "local"]
        .iter()
        .any(|v| name.strip_suffix(v).is_some_and(|rest| rest.ends_with('_')));
    if variant {
        return false;
    }
    matches!(
        name.as_str(),
        "init_db"
            | "initdb"
            | "create_db"
            | "createdb"
            | "recreate_db"
            | "create_database"
            | "create_tables"
            | "create_all"
            | "deploy"
            | "setup"
            | "bootstrap"
            | "init"
            | "initialize"
            | "setup_db"
    ) || name.starts_with("setup_")
        || name.starts_with("init_")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (group, name, in manage.py) of the setup commands of MODULES.
    fn commands(modules: &[(&str, &str)], manage_py: bool) -> Vec<(Option<String>, String, bool)> {
        let mut facts = CliFacts::default();
        for (path, code) in modules {
            facts.merge(scan(&Module::from_text(path, code).unwrap()));
        }
        resolve(facts, manage_py)
            .into_iter()
            .map(|c| (c.value.group, c.value.name, c.value.in_manage_py))
            .collect()
    }

    fn top(name: &str, in_manage_py: bool) -> (Option<String>, String, bool) {
        (None, name.to_string(), in_manage_py)
    }

    #[test]
    fn finds_the_apps_own_setup_commands() {
        let code = "import click\n@click.command('init-db')\ndef init_db_command():\n    pass\n@app.cli.command()\ndef deploy():\n    pass\n@app.cli.command()\ndef create_db():\n    pass\n@translate.command()\ndef init():\n    pass\n@app.cli.command()\ndef seed(count):\n    pass\n@app.cli.command()\ndef routes_report():\n    pass\n";
        assert_eq!(
            commands(&[("shop/cli.py", code)], false),
            [
                top("init-db", false),
                top("deploy", false),
                top("create-db", false)
            ]
        );
        let manage = "from flask.cli import FlaskGroup\ncli = FlaskGroup(app)\n@cli.command('create_db')\ndef create_db():\n    pass\n";
        assert_eq!(
            commands(&[("manage.py", manage)], true),
            [top("create_db", true)]
        );
    }

    #[test]
    fn a_command_of_a_sub_group_is_typed_after_the_groups_name() {
        // A group of the app's CLI, added to the project's own top-level
        // group that the root manage.py runs, under the name given there.
        let group = "from flask.cli import AppGroup\nmanager = AppGroup(help='the database')\n@manager.command(name='create_tables')\ndef create_tables():\n    pass\n";
        let top_level = "import click\nfrom flask.cli import FlaskGroup\nfrom shop.cli import database\n@click.group(cls=FlaskGroup)\ndef manager():\n    pass\nmanager.add_command(database.manager, 'database')\n";
        let modules = [
            ("shop/cli/database.py", group),
            ("shop/cli/__init__.py", top_level),
        ];
        assert_eq!(
            commands(&modules, true),
            [(
                Some("database".to_string()),
                "create_tables".to_string(),
                true
            )]
        );
        // Without a manage.py nothing says how to run that top-level group.
        assert_eq!(commands(&modules, false), []);
        // Added to Flask's own CLI, under the group's own name.
        let users = "from flask.cli import AppGroup\nusers = AppGroup('users')\n@users.command()\ndef init_admin():\n    pass\ndef register(app):\n    app.cli.add_command(users)\n";
        assert_eq!(
            commands(&[("shop/users.py", users)], false),
            [(Some("users".to_string()), "init-admin".to_string(), false)]
        );
        // Added nowhere: not a command anyone can type.
        let orphan = "from flask.cli import AppGroup\nmanager = AppGroup('tools')\n@manager.command()\ndef setup():\n    pass\n";
        assert_eq!(commands(&[("shop/tools.py", orphan)], true), []);
    }

    #[test]
    fn a_plain_click_group_in_a_script_is_its_top_level_cli() {
        let script = "import click\n@click.group()\ndef cli():\n    pass\n@cli.command()\ndef init_db():\n    pass\nif __name__ == '__main__':\n    cli()\n";
        assert_eq!(
            commands(&[("manage.py", script)], true),
            [top("init-db", true)]
        );
        // Another tool's script in a folder: neither `flask` nor the root
        // `manage.py` runs its group.
        assert_eq!(commands(&[("mapping/manage.py", script)], true), []);
    }

    #[test]
    fn names_that_are_not_plain_words_are_left_out() {
        let code = "@app.cli.command('init_$(touch x)')\ndef init_x():\n    pass\nfrom flask.cli import AppGroup\ng = AppGroup('a b')\n@g.command()\ndef setup():\n    pass\napp.cli.add_command(g)\n";
        assert_eq!(commands(&[("shop/cli.py", code)], false), []);
    }
}
