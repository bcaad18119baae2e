//! Flags shared by several commands: output, policy, memory, phase and
//! format.

use crate::engine;
use crate::policy::FailOn;
use crate::report::{self, ReportFormat};
use clap::ValueEnum;
use std::path::PathBuf;

/// How much input text a run holds (docs/robustness.md#memory).
#[derive(clap::Args, Debug)]
pub struct MemoryArgs {
    /// MiB of input text one node may hold; a file past it is not read
    /// (90009 node-input-limit) and the rules that need it are unknown.
    #[arg(long, value_name = "MIB", default_value_t = 256,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_node_input_mib: u64,
    /// MiB of input text the whole run may hold: nodes are evaluated at
    /// most MIB / --max-node-input-mib at a time.
    #[arg(long, value_name = "MIB", default_value_t = 4096,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_input_mib: u64,
}

impl MemoryArgs {
    pub(super) fn input_memory(&self) -> Result<engine::InputMemory, super::Error> {
        if self.max_node_input_mib > self.max_input_mib {
            return Err(super::Error::Usage(format!(
                "--max-node-input-mib {} is more than --max-input-mib {}",
                self.max_node_input_mib, self.max_input_mib
            )));
        }
        const MIB: u64 = 1024 * 1024;
        Ok(engine::InputMemory {
            per_node: self.max_node_input_mib.saturating_mul(MIB),
            total: self.max_input_mib.saturating_mul(MIB),
        })
    }
}

/// Where and how `check` and `merge` write their report.
#[derive(clap::Args, Debug)]
pub struct OutputArgs {
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the report in FORMAT to FILE (atomically); repeatable:
    /// `--report junit=junit.xml --report sarif=upcheck.sarif`.
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = parse_report_target)]
    pub reports: Vec<(ReportFormat, PathBuf)>,
    /// Show passing and not-applicable evaluations in the table too.
    #[arg(long, conflicts_with = "quiet")]
    pub show_passing: bool,
    /// In the table, only the failing evaluations and the summary line:
    /// no unknown or waived rows, no line naming the clean nodes.
    #[arg(short, long)]
    pub quiet: bool,
    /// With --baseline: report failures the baseline report already had
    /// in JUnit as failures (tagged `[known]`), skipped or passed testcases.
    #[arg(long, value_enum, default_value = "failure", value_name = "AS")]
    pub junit_known: report::KnownAs,
    /// Print, instead of the --format output, the count of failing, unknown
    /// and waived evaluations per code, severity and status, most first.
    #[arg(long)]
    pub statistics: bool,
}

/// What counts and how much, for `check` and `merge` (docs/reports.md).
#[derive(clap::Args, Debug)]
pub struct PolicyArgs {
    /// Lowest failing severity that makes the exit code 1 (default: major,
    /// or `fail_on` of upcheck.toml).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Exit 0 instead of 3 when the only problems are unknown checks.
    #[arg(long)]
    pub allow_unknown: bool,
    /// Change the severity of a code or family, or turn it off:
    /// `30002=minor`, `5xxxx=off`; comma separated or repeated. Wins over
    /// `[severity]` of upcheck.toml.
    #[arg(long, value_delimiter = ',', value_name = "CODE=LEVEL")]
    pub severity: Vec<String>,
    /// Settings file (check's default: upcheck.toml in the first folder
    /// given; merge reads one only when given).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Waivers file (default: waivers.toml beside upcheck.toml, or in the
    /// first folder given to check).
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// An earlier JSON report: its failures are known, only new failures
    /// make the exit code 1; each failure is marked new or known.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
    /// Say on stderr which settings, waivers, baseline, plan and rule
    /// files were loaded, or where each was looked for.
    #[arg(short = 'v', long)]
    pub verbose: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
}

/// A `--report` value that is not `FORMAT=FILE`.
#[derive(Debug, thiserror::Error)]
pub enum ReportTargetError {
    #[error("expected FORMAT=FILE, got `{0}`")]
    NoEquals(String),
    #[error("unknown format `{0}` (table, json, junit, sarif, markdown, html)")]
    Format(String),
    #[error("no file after `{0}=`")]
    NoFile(String),
}

/// `FORMAT=FILE` of `--report`.
fn parse_report_target(arg: &str) -> Result<(ReportFormat, PathBuf), ReportTargetError> {
    let (format, file) = arg
        .split_once('=')
        .ok_or_else(|| ReportTargetError::NoEquals(arg.to_string()))?;
    let format = ReportFormat::from_str(format, true)
        .map_err(|_| ReportTargetError::Format(format.to_string()))?;
    if file.is_empty() {
        return Err(ReportTargetError::NoFile(
            arg.trim_end_matches('=').to_string(),
        ));
    }
    Ok((format, PathBuf::from(file)))
}
