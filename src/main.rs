//! The `chant-lsp` binary: a language server on stdio, or `check`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use chant_lsp::cli::check::{self, CheckOptions, Format};

#[derive(Parser)]
#[command(
    name = "chant-lsp",
    version,
    about = "Language server and checker for chant spec files"
)]
struct Cli {
    /// Serve the Language Server Protocol on stdin/stdout (the default).
    #[arg(long)]
    stdio: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Report the editor's diagnostics for chant projects or spec files.
    Check {
        /// Projects (folders holding .chant/), folders that contain projects,
        /// or spec files. Default: the current folder.
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
        /// Switch a diagnostic off by its code (repeatable), e.g. `--disable chant/unchecked-criterion`.
        #[arg(long = "disable", value_name = "CODE")]
        disable: Vec<String>,
        /// When to use colours in human output.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// List every diagnostic code and exit.
        #[arg(long)]
        list_codes: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    // The supervisor of a chant run (see `runner::supervisor`): not a
    // user-facing command.
    let mut args = std::env::args_os().skip(1);
    if args.next().as_deref() == Some(std::ffi::OsStr::new(chant_lsp::runner::supervisor::ARG)) {
        chant_lsp::runner::supervisor::main(args.collect());
    }
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Check {
            paths,
            format,
            disable,
            color,
            list_codes,
        }) => {
            if list_codes {
                for code in chant_lsp::analysis::Code::ALL {
                    let rule = code
                        .chant_rule()
                        .map(|r| format!(" (chant rule: {r})"))
                        .unwrap_or_default();
                    println!(
                        "{:<36} {:<7} {}{rule}",
                        code.as_str(),
                        code.default_severity().as_str(),
                        code.summary()
                    );
                }
                return ExitCode::SUCCESS;
            }
            let color = match color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::IsTerminal::is_terminal(&std::io::stdout())
                        && std::env::var_os("NO_COLOR").is_none()
                }
            };
            let format = match format {
                OutputFormat::Human => Format::Human,
                OutputFormat::Json => Format::Json,
            };
            let code = check::run(&CheckOptions {
                paths,
                format,
                disabled: disable,
                color,
            });
            ExitCode::from(code as u8)
        }
        None => {
            let _ = cli.stdio;
            chant_lsp::server::run_stdio();
            ExitCode::SUCCESS
        }
    }
}
