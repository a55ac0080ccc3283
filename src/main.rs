//! The `chant-lsp` binary: a language server on stdio, `check`, or
//! `editor-config`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use chant_lsp::cli::{self, CheckOptions, Format};

#[derive(Parser)]
#[command(
    name = "chant-lsp",
    version,
    about = "Language server and checker for chant spec files",
    after_help = "Without a command, chant-lsp serves the Language Server Protocol on stdin/stdout."
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
    ///
    /// Exit status: 0 when no error is found, 1 when an error is found,
    /// 2 on a usage or I/O problem (an unknown code for --disable, a path
    /// that does not exist or holds no chant project, a report that cannot
    /// be written).
    Check {
        /// Projects (folders holding .chant/), folders that contain projects,
        /// or spec files. Default: the current folder.
        paths: Vec<PathBuf>,
        /// Output format: `human` (rustc-style), `json`, `github` (GitHub
        /// Actions annotations) or `sarif` (SARIF 2.1.0 for code scanning).
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
    /// Print a ready configuration for an editor that needs no plugin.
    ///
    /// `chant-lsp editor-config helix >> ~/.config/helix/languages.toml`
    EditorConfig {
        #[arg(value_enum)]
        editor: Editor,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Human,
    Json,
    Github,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum Editor {
    /// A `languages.toml` snippet: the server and the `chant-spec` language.
    Helix,
}

fn main() -> ExitCode {
    // The supervisor of a chant run (see `runner::supervisor`): not a
    // user-facing command.
    let mut args = std::env::args_os().skip(1);
    if args.next().as_deref() == Some(std::ffi::OsStr::new(chant_lsp::runner::supervisor::ARG)) {
        chant_lsp::runner::supervisor::main(args.collect());
    }
    // clap exits 2 on a usage error, 0 after --help and --version.
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
                return print(|out| cli::list_codes(out));
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
                OutputFormat::Github => Format::Github,
                OutputFormat::Sarif => Format::Sarif,
            };
            ExitCode::from(cli::run_check(&CheckOptions {
                paths,
                format,
                disabled: disable,
                color,
            }))
        }
        Some(Command::EditorConfig {
            editor: Editor::Helix,
        }) => print(|out| out.write_all(cli::HELIX_LANGUAGES_TOML.as_bytes())),
        None => {
            let _ = cli.stdio;
            chant_lsp::server::run_stdio();
            ExitCode::SUCCESS
        }
    }
}

/// Writes to stdout; a write error other than a closed pipe is exit status 2.
fn print(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: {e}");
            ExitCode::from(cli::EXIT_TROUBLE)
        }
        _ => ExitCode::SUCCESS,
    }
}
