//! Command line: the command definitions, their dispatch and the exit
//! codes; one file per command, and the allocator the process runs with.
//! Results go to stdout, diagnostics to stderr.

pub mod allocator;
pub mod args;
pub mod check;
pub mod collect;
pub mod diff;
mod error;
pub mod init;
pub mod inputs;
pub mod inspect;
pub mod merge;
pub mod output;
mod policy;
pub mod rules;
mod verbose;

use crate::catalog::Catalog;
use crate::cli::output::{print, write_atomically};
use crate::model::quote::printable_lines;
use crate::model::{BaselineState, Evaluation, Status};
use crate::parse::kind::ParseKind;
use crate::policy::FailOn;
use crate::report::Report;
use check::CheckArgs;
use clap::{CommandFactory, Parser, Subcommand};
use collect::CollectArgs;
use diff::DiffArgs;
pub use error::{Error, Exit, Outcome};
use merge::MergeArgs;
use rules::RulesCommand;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "upcheck",
    version,
    about = "Offline pre-/post-upgrade checker for node snapshots"
)]
pub struct Cli {
    /// Colour severity and status in tables: `auto` when stdout is a
    /// terminal (none when NO_COLOR is set; CLICOLOR_FORCE forces it),
    /// `always`, `never`.
    #[arg(
        long,
        value_enum,
        global = true,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub color: clap::ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Evaluate the rule catalog over node snapshots.
    Check(CheckArgs),
    /// Combine the JSON reports of `check --shard K/N` runs into the report
    /// of one run, evaluating cluster-, site- and fleet-scope rules.
    Merge(MergeArgs),
    /// Compare two snapshot trees or JSON reports: what changed per node,
    /// and whether anything got worse (exit 1).
    Diff(DiffArgs),
    /// List or validate the rule catalog.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// List or check the input table (docs/inputs.md).
    Inputs {
        #[command(subcommand)]
        command: inputs::InputsCommand,
    },
    /// Print a rule's title, severity, phases, inputs, explanation and remediation.
    Explain {
        /// Five-digit code (20002) or name (patch-not-running).
        code: String,
        /// Add or override rules from this folder.
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
    /// Print, as JSON, the facts rules see for one node snapshot.
    Facts {
        /// A node snapshot folder (holding node.json).
        node_dir: PathBuf,
        /// The maintenance plan the node sees (a plan.toml inside the node
        /// folder is the snapshot's, never read).
        #[arg(long, value_name = "FILE")]
        plan: Option<PathBuf>,
    },
    /// Print, as JSON, what one parser makes of one file.
    Parse { kind: ParseKind, file: PathBuf },
    /// Snapshot the Linux host this runs on (native layout) into --out.
    Collect(CollectArgs),
    /// Print a shell completion script: `upcheck completions bash > /etc/bash_completion.d/upcheck`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `upcheck man > upcheck.1`.
    Man,
    /// Write a commented upcheck.toml and plan.toml in DIR (default: the
    /// current folder) to start from; never overwrites one without --force.
    Init(init::InitArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    output::set_color(cli.color);
    match run(cli) {
        Ok(exit) => exit.into(),
        Err(error) => {
            warn(error);
            Exit::Errors.into()
        }
    }
}

fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Check(args) => check::check(args),
        Command::Merge(args) => merge::merge(args),
        Command::Diff(args) => diff::diff(args),
        Command::Rules { command } => match command {
            RulesCommand::List {
                format,
                family,
                phase,
                rules,
            } => rules::list(format, &family, phase, &rules),
            RulesCommand::Check {
                dir,
                rules,
                fixtures,
                deny_warnings,
            } => rules::check(dir.or(rules).as_deref(), fixtures.as_deref(), deny_warnings),
        },
        Command::Inputs { command } => inputs::run(command),
        Command::Explain { code, rules } => rules::explain(&code, &rules),
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "upcheck", &mut std::io::stdout());
            Ok(Exit::Clean)
        }
        Command::Man => man_page(),
        Command::Init(args) => init::init(args),
        Command::Facts { node_dir, plan } => inspect::facts(&node_dir, plan.as_deref()),
        Command::Parse { kind, file } => inspect::parse_file(kind, &file),
        Command::Collect(args) => collect::collect(args),
    }
}

/// Errors and warnings quote paths and text from snapshots: what a
/// terminal would act on is shown instead.
fn warn(message: impl std::fmt::Display) {
    eprintln!("upcheck: {}", printable_lines(&message.to_string()));
}

/// The catalog, or the errors that make it unusable (exit 2).
fn load_catalog(dirs: &[PathBuf]) -> Result<Catalog, Error> {
    let catalog = Catalog::load(dirs);
    let mut errors = false;
    for p in &catalog.problems {
        eprintln!("{p}");
        errors |= !p.warning;
    }
    if errors {
        return Err(Error::Catalog);
    }
    Ok(catalog)
}

fn emit(text: &str, output: Option<&Path>) -> Result<(), Error> {
    emit_with(output, |out| out.write_all(text.as_bytes()))
}

/// Like `emit`, for output written piece by piece.
fn emit_with(
    output: Option<&Path>,
    write: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> Result<(), Error> {
    match output {
        Some(path) => write_atomically(path, write).map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        }),
        None => print(write).map_err(Error::Stdout),
    }
}

/// DESIGN §5: 1 for failures at or above the threshold, else 3 for unknowns
/// (unless allowed), else 0. With a baseline report only new failures and
/// new unknowns count. `--fail-on never` is 0 whatever was found: a report
/// job that must not gate; tool errors exit 2 before this is reached.
pub fn exit_code(report: &Report, fail_on: FailOn, allow_unknown: bool) -> Exit {
    let FailOn(Some(min)) = fail_on else {
        return Exit::Clean;
    };
    let new = |e: &&Evaluation| e.baseline != Some(BaselineState::Known);
    // Failing and unknown evaluations are held whole.
    let failing = report
        .evaluations
        .wholes()
        .filter(new)
        .any(|e| e.status == Status::Fail && e.severity >= min);
    let unknown = report
        .evaluations
        .wholes()
        .filter(new)
        .any(|e| e.status == Status::Unknown);
    if failing {
        Exit::Findings
    } else if !allow_unknown && unknown {
        Exit::Unknown
    } else {
        Exit::Clean
    }
}

/// The man page, generated from the same definition as `--help`.
fn man_page() -> Outcome {
    emit_with(None, |out| {
        clap_mangen::Man::new(Cli::command()).render(out)
    })?;
    Ok(Exit::Clean)
}
