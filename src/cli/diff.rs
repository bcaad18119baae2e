//! `upcheck diff`: what changed between two snapshot trees or reports.

use super::args::Format;
use super::{Exit, Outcome, emit, load_catalog, warn};
use crate::diff;
use crate::model::Phase;
use crate::policy::FailOn;
use crate::report;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The earlier side: a snapshot tree (folder or archive) or a JSON
    /// report of `check`.
    pub before: PathBuf,
    /// The later side: a snapshot tree (folder or archive) or a JSON report
    /// of `check`.
    pub after: PathBuf,
    /// Rules of this phase judge both snapshot trees. Default: the phase of
    /// a JSON report given, else post.
    #[arg(long, value_enum)]
    pub phase: Option<Phase>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Write the diff to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity of a new failing finding that makes the exit code 1.
    #[arg(long, value_enum, default_value = "major")]
    pub fail_on: FailOn,
    /// Add or override rules (by code) from this folder.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
}

/// 1 when something got worse, else 0; unknowns do not change the code.
pub(super) fn diff(args: DiffArgs) -> Outcome {
    let open = |path: &Path| diff::Input::open(path);
    let (before, after) = match (open(&args.before), open(&args.after)) {
        (Ok(before), Ok(after)) => (before, after),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => return Err(e.into()),
        // Both sides are said, the first here, the second at the edge.
        (Err(first), Err(second)) => {
            warn(first);
            return Err(second.into());
        }
    };
    let catalog = load_catalog(&args.rules)?;
    let phase = args
        .phase
        .or_else(|| after.report_phase())
        .or_else(|| before.report_phase())
        .unwrap_or(Phase::Post);
    let before = before.into_side(&catalog, phase);
    let after = after.into_side(&catalog, phase);
    for warning in diff::warnings(&before, &after) {
        warn(format!("warning: {warning}"));
    }
    let result = diff::compare(&before, &after, args.fail_on.0);
    let text = match args.format {
        Format::Table => {
            report::render_diff_table(&result, super::output::table_width(args.output.is_none()))
        }
        Format::Json => report::render_json(&result),
    };
    emit(&text, args.output.as_deref())?;
    Ok(if result.worse {
        Exit::Findings
    } else {
        Exit::Clean
    })
}
