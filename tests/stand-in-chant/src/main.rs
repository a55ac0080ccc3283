//! A test double of the `chant` 0.23.2 CLI: `work`, `approve`, `reject` and
//! `--version`, behaving as chant-lsp's reference (shared/reference/chant.md)
//! describes. See README.md for the `STANDIN_*` environment knobs.

mod agent;
mod approve;
mod clock;
mod config;
mod git;
mod spec;
mod work;

use anyhow::Result;
use clap::{ColorChoice, Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;
use std::path::Path;

pub const VERSION: &str = "0.23.2";

#[derive(Parser)]
#[command(name = "chant", version = VERSION, about = "Intent Driven Development (stand-in)")]
#[command(color = ColorChoice::Never)]
struct Cli {
    /// Suppress all non-essential output
    #[arg(short, long, global = true)]
    quiet: bool,

    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    /// Approve a spec for work
    Approve {
        /// Spec ID (full or partial)
        id: String,
        /// Name of the person approving (validated against git committers)
        #[arg(long)]
        by: String,
    },
    /// Reject a spec with a reason
    Reject {
        /// Spec ID (full or partial)
        id: String,
        /// Name of the person rejecting (validated against git committers)
        #[arg(long)]
        by: String,
        /// Reason for rejection
        #[arg(long)]
        reason: String,
    },
    /// Execute a spec
    Work {
        /// Spec ID(s) (full or partial)
        #[arg(value_name = "ID")]
        ids: Vec<String>,
        /// Prompt to use
        #[arg(long)]
        prompt: Option<String>,
        /// Override dependency checks (work on a blocked spec)
        #[arg(long)]
        skip_deps: bool,
        /// Skip validation of unchecked acceptance criteria
        #[arg(long)]
        skip_criteria: bool,
        /// Skip approval check (for emergencies)
        #[arg(long)]
        skip_approval: bool,
        /// Disable auto-start of watch process (for testing)
        #[arg(long)]
        no_watch: bool,
    },
}

/// Real chant subcommands the stand-in does not implement.
const NOT_IMPLEMENTED: &[&str] = &[
    "init",
    "add",
    "template",
    "list",
    "show",
    "edit",
    "search",
    "mcp",
    "status",
    "refresh",
    "lint",
    "log",
    "split",
    "archive",
    "merge",
    "diagnose",
    "drift",
    "resume",
    "pause",
    "takeover",
    "cancel",
    "config",
    "silent",
    "version",
    "export",
    "activity",
    "cleanup",
    "worktree",
    "verify",
    "prep",
    "derive",
    "finalize",
    "merge-driver",
    "completion",
    "site",
    "watch",
    "dag",
    "man",
];

fn not_a_project() -> anyhow::Error {
    anyhow::anyhow!(
        "Not a chant project (no .chant/ directory found)\n\n\
         To initialize chant, run:\n    chant init\n\n\
         This starts an interactive wizard to configure your project."
    )
}

fn run(cli: Cli) -> Result<()> {
    let root = std::env::current_dir()?;
    if !root.join(spec::SPECS_DIR).is_dir() {
        return Err(not_a_project());
    }
    let config = config::Config::load(&root)?;
    match cli.command {
        Commands::Approve { id, by } => approve::approve(&root, &id, &by),
        Commands::Reject { id, by, reason } => approve::reject(&root, &config, &id, &by, &reason),
        Commands::Work {
            ids,
            prompt,
            skip_deps,
            skip_criteria,
            skip_approval,
            no_watch: _,
        } => work::work(
            &root,
            &config,
            work::WorkArgs {
                ids,
                prompt,
                skip_deps,
                skip_criteria,
                skip_approval,
            },
        ),
    }
}

fn record_invocation(args: &[OsString]) {
    if let Some(log) = std::env::var_os("STANDIN_LOG") {
        let argv: Vec<String> = args
            .iter()
            .skip(1)
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        if let Ok(line) = serde_json::to_string(&argv) {
            work::append_line(Path::new(&log), &line);
        }
    }
    if let Some(file) = std::env::var_os("STANDIN_PID_FILE") {
        work::append_line(Path::new(&file), &format!("chant {}", std::process::id()));
    }
}

fn main() {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "__agent") {
        std::process::exit(agent::run());
    }
    record_invocation(&args);
    // chant prints a configuration warning on stderr on every run; so does
    // the stand-in, so that callers learn not to treat stderr as failure.
    eprintln!(
        "Warning: stand-in chant: config warning printed on every run (as chant {VERSION} does)"
    );

    let command = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy())
        .find(|a| !a.starts_with('-'));
    if let Some(name) = command {
        if NOT_IMPLEMENTED.contains(&name.as_ref()) {
            eprintln!(
                "Error: `chant {}` is not implemented by the stand-in chant (tests/stand-in-chant)",
                name
            );
            std::process::exit(1);
        }
    }

    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let Err(e) = run(cli) {
        let _ = std::io::stdout().flush();
        eprintln!("{}", error_report(&e));
        std::process::exit(1);
    }
}

/// anyhow's `Debug` report (what `fn main() -> Result` prints) without the
/// backtrace that `RUST_BACKTRACE` would add.
fn error_report(e: &anyhow::Error) -> String {
    let mut text = format!("Error: {}", e);
    let causes: Vec<String> = e.chain().skip(1).map(|c| c.to_string()).collect();
    match causes.len() {
        0 => {}
        1 => text.push_str(&format!("\n\nCaused by:\n    {}", causes[0])),
        _ => {
            text.push_str("\n\nCaused by:");
            for (i, c) in causes.iter().enumerate() {
                text.push_str(&format!("\n    {}: {}", i, c));
            }
        }
    }
    text
}
