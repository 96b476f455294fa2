//! Parses arguments, runs the library, prints, and picks the exit code:
//! 0 success, 1 `--check` drift, 2 usage or input errors, 130 interrupted.

mod cli;

use std::process::ExitCode;

use anyhow::Result;
use clap::{CommandFactory, Parser};

use cli::{Cli, Command, TemplateCommand};
use flaskdock::answers::{Interrupted, TerminalPrompter, report_interrupted};
use flaskdock::doctor::Severity;
use flaskdock::write::Mode;
use flaskdock::{InitOptions, report};

/// Stack for the work thread: syntax trees of deeply nested (but accepted)
/// Python are walked recursively.
const STACK_BYTES: usize = 64 << 20;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Ctrl-C or SIGTERM: while files are being written, the writer finishes the
    // file in hand and stops; otherwise leave at once (nothing written yet),
    // restoring the cursor a prompt may have hidden.
    let _ = ctrlc::set_handler(|| {
        if !flaskdock::write::request_stop() {
            report_interrupted();
            std::process::exit(130);
        }
    });
    // NO_COLOR wins even over CLICOLOR_FORCE (no-color.org).
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        console::set_colors_enabled(false);
        console::set_colors_enabled_stderr(false);
    }
    let result = std::thread::Builder::new()
        .name("flaskdock".into())
        .stack_size(STACK_BYTES)
        .spawn(move || run(cli))
        .map_err(anyhow::Error::from)
        .and_then(|worker| {
            worker.join().map_err(|_| {
                anyhow::anyhow!("flaskdock stopped on an internal error; please report it")
            })?
        });
    match result {
        Ok(code) => code,
        Err(err) if err.is::<Interrupted>() => {
            report_interrupted();
            ExitCode::from(130)
        }
        Err(err) if err.is::<flaskdock::write::Stopped>() => {
            eprintln!("error: {err:#}");
            ExitCode::from(130)
        }
        Err(err) => {
            // One line, whatever a file put in the message.
            eprintln!("error: {}", flaskdock::safe::escaped(&format!("{err:#}")));
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Init(args) => {
            let options = InitOptions {
                path: args.path.clone(),
                output: args.output.clone(),
                flags: args.flags(),
                template: args.template(),
                values: args.values(),
                mode: args.mode(),
                interactive: args.interactive(),
            };
            let mut prompter = TerminalPrompter::new();
            let report = flaskdock::init(&options, &mut prompter)?;
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report::init_json(&report))?
                );
            } else if !args.quiet {
                if args.verbose && !options.interactive {
                    print!(
                        "{}",
                        report::inspect_text(&report.project, Some(&report.answers))
                    );
                    println!();
                }
                print!("{}", report::init_text(&report));
            }
            let drift = options.mode == Mode::Check && report.outcome.drift();
            if drift && !args.json {
                eprintln!(
                    "error: the Docker files differ from what flaskdock would write; run `flaskdock init --diff` to see how"
                );
            }
            Ok(if drift {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "flaskdock", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Template(TemplateCommand::Eject { dir, force }) => {
            let outcome = flaskdock::eject(&dir, Mode::Write { force })?;
            print!("{}", report::outcome_text(&outcome));
            println!(
                "Edit the files in `{}`, then: flaskdock init --template {}",
                dir.display(),
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Doctor {
            path,
            json,
            severity,
            quiet,
        } => {
            let threshold: Severity = severity.parse().map_err(anyhow::Error::msg)?;
            let report = flaskdock::doctor::doctor(&path)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else if !quiet {
                print!("{}", flaskdock::doctor::report_text(&report));
            }
            Ok(if report.fails(threshold) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Inspect { path, json } => {
            let (project, answers) = flaskdock::inspect_only(&path)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report::inspect_json(
                        &project,
                        answers.as_ref()
                    ))?
                );
            } else {
                print!("{}", report::inspect_text(&project, answers.as_ref()));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
