//! Parses arguments, runs the library, prints, and picks the exit code:
//! 0 success, 1 `--check` drift, 2 usage or input errors, 130 interrupted.
// main prints what the library returns (see .clippy.toml).
#![allow(clippy::disallowed_macros)]
#![warn(clippy::too_many_lines, unreachable_pub)]

mod cli;

use std::alloc::{GlobalAlloc, Layout, System};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Result;
use clap::{CommandFactory, Parser};

use cli::{Cli, Command, TemplateCommand};
use flaskdock::doctor::Severity;
use flaskdock::prompt::{Interrupted, TerminalPrompter, report_interrupted};
use flaskdock::write::Mode;
use flaskdock::{InitOptions, detected, report};

/// Memory flaskdock may hold at once, unless `FLASKDOCK_MEMORY_LIMIT_MIB`
/// says otherwise. A template set or a file can ask for any amount; past
/// this the run stops with a one-line error instead of the machine running
/// out (inspecting the largest trees measured takes under 100 MiB).
const MEMORY_BUDGET_BYTES: usize = 4 << 30;

static BUDGET: AtomicUsize = AtomicUsize::new(MEMORY_BUDGET_BYTES);
static IN_USE: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting what is held against [`BUDGET`].
///
/// Each thread takes the budget in slices of [`SLICE`] and counts its own
/// allocations against the slice it holds, so the threads that parse in
/// parallel do not all update one shared counter on every allocation (that
/// cost a tenth of the run). What is counted is off by at most two slices
/// per thread, against a limit of gigabytes.
struct Budgeted;

/// How much of the budget a thread takes at once.
const SLICE: usize = 1 << 20;

thread_local! {
    /// Bytes of the budget this thread holds and has not allocated.
    static CREDIT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

unsafe extern "C" {
    fn write(fd: i32, buf: *const u8, count: usize) -> isize;
    fn _exit(status: i32) -> !;
}

/// Stops the process with a one-line error, allocating nothing (this runs
/// inside the allocator).
fn over_budget() -> ! {
    let parts: [&[u8]; 4] = [
        b"error: flaskdock stopped: it would need more than its memory limit (",
        b"FLASKDOCK_MEMORY_LIMIT_MIB, 4 GiB by default) while ",
        flaskdock::templates::limits::activity()
            .unwrap_or("reading the project")
            .as_bytes(),
        b"; nothing was written: a template set or a file asks for too much\n",
    ];
    for part in parts {
        // SAFETY: writes a valid buffer to stderr; then ends the process at once.
        unsafe { write(2, part.as_ptr(), part.len()) };
    }
    unsafe { _exit(2) }
}

impl Budgeted {
    /// Counts `size` more bytes held, taking a new slice of the budget when
    /// this thread's credit does not cover them.
    fn reserve(size: usize) {
        // A thread being torn down has no credit left to use: count directly.
        let Ok(credit) = CREDIT.try_with(|c| c.get()) else {
            return Self::take(size);
        };
        if let Some(left) = credit.checked_sub(size) {
            CREDIT.set(left);
            return;
        }
        let slice = size.max(SLICE);
        Self::take(slice);
        CREDIT.set(credit + slice - size);
    }

    fn take(size: usize) {
        let before = IN_USE.fetch_add(size, Ordering::Relaxed);
        if before.saturating_add(size) > BUDGET.load(Ordering::Relaxed) {
            over_budget();
        }
    }

    /// Counts `size` bytes freed: they become this thread's credit, and
    /// credit past two slices goes back to the shared count.
    fn release(size: usize) {
        let Ok(credit) = CREDIT.try_with(|c| c.get()) else {
            IN_USE.fetch_sub(size, Ordering::Relaxed);
            return;
        };
        let credit = credit + size;
        if credit > 2 * SLICE {
            IN_USE.fetch_sub(credit - SLICE, Ordering::Relaxed);
            CREDIT.set(SLICE);
        } else {
            CREDIT.set(credit);
        }
    }
}

// SAFETY: every call is passed to `System` unchanged; only a counter is kept.
unsafe impl GlobalAlloc for Budgeted {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::reserve(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::reserve(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        Self::release(layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            Self::reserve(new_size - layout.size());
        } else {
            Self::release(layout.size() - new_size);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Budgeted = Budgeted;

/// Stack for the work thread: syntax trees of deeply nested (but accepted)
/// Python are walked recursively.
const STACK_BYTES: usize = 64 << 20;

fn main() -> ExitCode {
    if let Some(mib) = std::env::var("FLASKDOCK_MEMORY_LIMIT_MIB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        BUDGET.store(mib.saturating_mul(1 << 20), Ordering::Relaxed);
    }
    let cli = Cli::parse();
    // Ctrl-C or SIGTERM: while files are being written, the writer finishes the
    // file in hand and stops; otherwise leave at once (nothing written yet),
    // restoring the cursor a prompt may have hidden.
    let _ = ctrlc::set_handler(|| {
        if !flaskdock::write::request_stop() && !flaskdock::verify::request_stop() {
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
                        detected::inspect_text(&report.project, Some(&report.answers))
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
        Command::Verify(args) => verify(&args),
        Command::Inspect { path, json } => {
            let (project, answers) = flaskdock::inspect_only(&path)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&detected::inspect_json(
                        &project,
                        answers.as_ref()
                    ))?
                );
            } else {
                print!("{}", detected::inspect_text(&project, answers.as_ref()));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `flaskdock verify`: a line per check as it finishes (a spinner while it
/// runs, on a terminal), then the table; or the JSON report.
fn verify(args: &cli::VerifyArgs) -> Result<ExitCode> {
    use flaskdock::verify::{self, CliEngine, Event, Options};
    let options = Options {
        path: args.path.clone(),
        cold: args.cold,
        keep: args.keep,
        build_args: args.build_arg.clone(),
        base_images: args.base_image.clone(),
        serve_timeout: std::time::Duration::from_secs(args.timeout),
        build_timeout: std::time::Duration::from_secs(3600),
        kubernetes: args.kubernetes,
    };
    let mut engine = CliEngine::detect(args.engine.as_deref())?;
    if let Some(command) = &args.compose {
        engine = engine.with_compose(command)?;
    }
    let lines = !args.json && !args.quiet;
    // A spinner while a check runs, on a terminal only (indicatif hides
    // itself when stderr is not one).
    let mut spinner: Option<indicatif::ProgressBar> = None;
    let mut progress = |event: Event| match event {
        Event::Started(name) if lines => {
            let bar = indicatif::ProgressBar::new_spinner().with_message(name);
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            spinner = Some(bar);
        }
        Event::Finished(check) if lines => {
            if let Some(bar) = spinner.take() {
                bar.finish_and_clear();
            }
            print!("{}", verify::check_text(check));
        }
        _ => {}
    };
    let report = verify::verify(&options, &engine, &mut progress)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", verify::summary_text(&report));
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
