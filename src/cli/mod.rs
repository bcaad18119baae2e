//! Command line: argument definitions and one function per command. Results
//! go to stdout, diagnostics to stderr.

pub mod output;

use crate::catalog::Catalog;
use crate::cli::output::{print, write_atomically};
use crate::diff;
use crate::engine::fixture_check;
use crate::engine::shard::{Shard, ShardData, ShardSelection};
use crate::engine::{self, RunOptions, Selection};
use crate::model::quote::printable_lines;
use crate::model::{BaselineState, Evaluation, Phase, Severity, Status};
use crate::parse::kind::ParseKind;
use crate::policy::baseline;
use crate::policy::waivers;
use crate::policy::{self, FleetConfig, SeverityOverrides};
use crate::report::{self, Report};
use crate::snapshot;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit codes (DESIGN §5).
pub mod exit {
    /// Nothing at or above --fail-on.
    pub const CLEAN: u8 = 0;
    /// Findings at or above --fail-on.
    pub const FINDINGS: u8 = 1;
    /// Usage, rule-catalog or I/O error of the tool itself.
    pub const TOOL_ERROR: u8 = 2;
    /// No such findings, but some checks were unknown.
    pub const UNKNOWN: u8 = 3;
}

#[derive(Parser, Debug)]
#[command(
    name = "upcheck",
    version,
    about = "Offline pre-/post-upgrade checker for node snapshots"
)]
pub struct Cli {
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
}

#[derive(clap::Args, Debug)]
pub struct CollectArgs {
    /// The node folder to write; it must be new or empty.
    #[arg(long, value_name = "DIR", required_unless_present = "print_script")]
    pub out: Option<PathBuf>,
    /// Print the POSIX-sh collector (same commands, files and options) for
    /// nodes where this binary cannot run, and collect nothing.
    #[arg(long, conflicts_with = "out")]
    pub print_script: bool,
    #[arg(long)]
    pub hostname: Option<String>,
    #[arg(long)]
    pub site: Option<String>,
    #[arg(long)]
    pub cluster: Option<String>,
    #[arg(long)]
    pub role: Option<String>,
    /// `linux` unless given (`tpd` on a TPD server).
    #[arg(long)]
    pub platform: Option<String>,
    #[arg(long)]
    pub ha_role: Option<String>,
    #[arg(long)]
    pub running_release: Option<String>,
    #[arg(long)]
    pub target_release: Option<String>,
    /// RFC 3339 time of the host driving the collection; this host's clock
    /// when absent (node.json then says `collected_at_clock: node`, and 40009
    /// cannot see this host's skew).
    #[arg(long)]
    pub collected_at: Option<String>,
    /// Seconds one command may run before it is killed.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// md5sum the ISOs staged in /var/TKLC/upgrade on this host, so the
    /// images need not travel.
    #[arg(long)]
    pub hash_iso: bool,
    /// Seconds one ISO's md5sum may run.
    #[arg(long, default_value_t = 1800)]
    pub hash_timeout: u64,
    /// Pack the snapshot as DIR.tar.gz and remove DIR.
    #[arg(long)]
    pub archive: bool,
    /// The shadow file whose account names, hash schemes and ages are
    /// written (never a hash), e.g. that of a mounted system image.
    #[arg(long, value_name = "FILE", default_value = crate::snapshot::collect::SHADOW_FILE)]
    pub shadow_file: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Fleet folders, node snapshot folders, or both.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "pre")]
    pub phase: PhaseArg,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Only these codes or families (40001, 4, 4xxxx), comma separated.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,
    /// Skip these codes or families, comma separated.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Add or override rules (by code) from this folder.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<usize>,
    /// The pre snapshot of the same fleet: post-phase rules compare with it
    /// (nodes matched by hostname). A folder holding `pre/` and `post/`
    /// needs no flag.
    #[arg(long, value_name = "DIR")]
    pub baseline_snapshot: Option<PathBuf>,
    /// Check only shard K of N (1-based: 1/3, 2/3, 3/3), chosen by a hash of
    /// each node's path relative to the path given; cluster-, site- and
    /// fleet-scope rules are left to `upcheck merge` (docs/scale-out.md).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// The maintenance plan for every path given, instead of the plan.toml
    /// in each (never one inside a node snapshot, never one above the path).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    #[command(flatten)]
    pub memory: MemoryArgs,
}

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
    fn input_memory(&self) -> Result<engine::InputMemory, String> {
        if self.max_node_input_mib > self.max_input_mib {
            return Err(format!(
                "--max-node-input-mib {} is more than --max-input-mib {}",
                self.max_node_input_mib, self.max_input_mib
            ));
        }
        const MIB: u64 = 1024 * 1024;
        Ok(engine::InputMemory {
            per_node: self.max_node_input_mib.saturating_mul(MIB),
            total: self.max_input_mib.saturating_mul(MIB),
        })
    }
}

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// The JSON reports of `check --shard K/N --format json`, one per shard.
    #[arg(required = true, value_name = "REPORT.json")]
    pub shard_reports: Vec<PathBuf>,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The rule folders the shard runs were given.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
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
    #[arg(long)]
    pub show_passing: bool,
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
}

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
    pub phase: Option<PhaseArg>,
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

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// List the rules.
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Only these codes or families (`4`, `4xxxx`, `20002`), comma-separated.
        #[arg(long, value_delimiter = ',', value_name = "CODES")]
        family: Vec<String>,
        /// Only the rules of this phase.
        #[arg(long, value_enum)]
        phase: Option<PhaseArg>,
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
    /// Validate a rule folder (default: the built-in catalog) and run each
    /// rule on its fires/passes fixtures.
    Check {
        /// Rule folder; its fixtures are looked for in DIR/../fixtures/rules.
        dir: Option<PathBuf>,
        /// Fixture folder (holding <code>-<name>/fires and passes).
        #[arg(long, value_name = "DIR")]
        fixtures: Option<PathBuf>,
        /// Treat warnings (key order) as errors.
        #[arg(long)]
        deny_warnings: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhaseArg {
    Pre,
    Post,
    Diagnose,
}

impl From<PhaseArg> for Phase {
    fn from(p: PhaseArg) -> Phase {
        match p {
            PhaseArg::Pre => Phase::Pre,
            PhaseArg::Post => Phase::Post,
            PhaseArg::Diagnose => Phase::Diagnose,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
}

/// The formats of a check report.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// The terminal table: failures and unknowns per node.
    Table,
    /// Every evaluation, per docs/report.schema.json.
    Json,
    /// JUnit XML: a testsuite per node or group, a testcase per evaluation.
    Junit,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
    /// Markdown for a CI job summary.
    Markdown,
    /// One self-contained HTML page.
    Html,
    /// GitHub Actions workflow commands: annotations on the run and the pull request.
    Github,
    /// GitLab Code Quality JSON, shown in the merge request.
    Gitlab,
}

impl ReportFormat {
    /// JSON is streamed (it holds every evaluation); the other formats are
    /// rendered whole first.
    fn write(
        self,
        report: &Report,
        show_passing: bool,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        match self {
            ReportFormat::Json => report::write_json(report, out),
            other => out.write_all(other.render(report, show_passing).as_bytes()),
        }
    }

    fn render(self, report: &Report, show_passing: bool) -> String {
        match self {
            ReportFormat::Table => report::render_table(report, show_passing),
            ReportFormat::Json => report::render_json(report),
            ReportFormat::Junit => report::render_junit(report),
            ReportFormat::Sarif => report::render_sarif(report),
            ReportFormat::Markdown => report::render_markdown(report),
            ReportFormat::Html => report::render_html(report),
            ReportFormat::Github => report::render_github(report),
            ReportFormat::Gitlab => report::render_gitlab(report),
        }
    }
}

/// `FORMAT=FILE` of `--report`.
fn parse_report_target(arg: &str) -> Result<(ReportFormat, PathBuf), String> {
    let (format, file) = arg
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=FILE, got `{arg}`"))?;
    let format = ReportFormat::from_str(format, true).map_err(|_| {
        format!("unknown format `{format}` (table, json, junit, sarif, markdown, html)")
    })?;
    if file.is_empty() {
        return Err(format!("no file after `{}=`", arg.trim_end_matches('=')));
    }
    Ok((format, PathBuf::from(file)))
}

/// The command line stamped on reports: the program named by its file name
/// (the stamp does not depend on where upcheck is installed), and without
/// the thread count, which never changes a result, so that reports of
/// `-j1` and `-j8` runs are byte-identical.
fn command_line() -> Vec<String> {
    let mut args = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    let program = args
        .next()
        .map(|p| {
            Path::new(&p)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or(p)
        })
        .unwrap_or_else(|| "upcheck".into());
    let mut line = vec![program];
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-j" | "--jobs" => {
                args.next();
            }
            a if a.starts_with("--jobs=") || (a.starts_with("-j") && a.len() > 2) => {}
            _ => line.push(arg),
        }
    }
    line
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Critical,
    Major,
    Minor,
    Info,
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::Major => Some(Severity::Major),
            FailOn::Minor => Some(Severity::Minor),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check(args),
        Command::Merge(args) => merge(args),
        Command::Diff(args) => diff(args),
        Command::Rules { command } => match command {
            RulesCommand::List {
                format,
                family,
                phase,
                rules,
            } => rules_list(format, &family, phase.map(Phase::from), &rules),
            RulesCommand::Check {
                dir,
                fixtures,
                deny_warnings,
            } => rules_check(dir.as_deref(), fixtures.as_deref(), deny_warnings),
        },
        Command::Explain { code, rules } => explain(&code, &rules),
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "upcheck", &mut std::io::stdout());
            exit::CLEAN
        }
        Command::Man => man_page(),
        Command::Facts { node_dir, plan } => facts(&node_dir, plan.as_deref()),
        Command::Parse { kind, file } => parse_file(kind, &file),
        Command::Collect(args) => collect(args),
    };
    ExitCode::from(code)
}

/// Errors and warnings quote paths and text from snapshots: what a
/// terminal would act on is shown instead.
fn warn(message: impl std::fmt::Display) {
    eprintln!("upcheck: {}", printable_lines(&message.to_string()));
}

fn fail(message: impl std::fmt::Display) -> u8 {
    warn(message);
    exit::TOOL_ERROR
}

/// The catalog, or the errors that make it unusable (exit 2).
fn load_catalog(dirs: &[PathBuf]) -> Result<Catalog, u8> {
    let catalog = Catalog::load(dirs);
    let mut errors = false;
    for p in &catalog.problems {
        eprintln!("{p}");
        errors |= !p.warning;
    }
    if errors {
        return Err(fail(
            "the rule catalog has errors; `upcheck rules check` lists them",
        ));
    }
    Ok(catalog)
}

fn emit(text: &str, output: Option<&Path>) -> Result<(), u8> {
    emit_with(output, |out| out.write_all(text.as_bytes()))
}

/// Like `emit`, for output written piece by piece.
fn emit_with(
    output: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), u8> {
    let written = match output {
        Some(path) => write_atomically(path, write)
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => print(write).map_err(|e| format!("cannot write to stdout: {e}")),
    };
    written.map_err(fail)
}

/// What a check run counts and how: the flags, over upcheck.toml, over
/// the defaults.
struct CheckPolicy {
    fail_on: FailOn,
    allow_unknown: bool,
    selection: Selection,
    severity: SeverityOverrides,
    waivers: Vec<waivers::Waiver>,
    /// Fingerprints of the baseline report's failures.
    known: Option<baseline::Known>,
    /// The fleet group waiver findings belong to.
    root: String,
    /// The settings and waivers files loaded (plans are the run's).
    files: report::PolicyFiles,
}

/// The flags a policy is made of; `check` and `merge` share them.
struct PolicyFlags<'a> {
    args: &'a PolicyArgs,
    paths: &'a [PathBuf],
    select: &'a [String],
    ignore: &'a [String],
}

impl<'a> From<&'a CheckArgs> for PolicyFlags<'a> {
    fn from(args: &'a CheckArgs) -> Self {
        PolicyFlags {
            args: &args.policy,
            paths: &args.paths,
            select: &args.select,
            ignore: &args.ignore,
        }
    }
}

fn check_policy(flags: &PolicyFlags, catalog: &Catalog) -> Result<CheckPolicy, String> {
    let args = flags.args;
    let root = flags.paths.iter().find(|p| p.is_dir()).cloned();
    // Policy is the operator's: files inside a node snapshot are the
    // snapshot's and never loaded.
    let policy_root = root.clone().filter(|r| !snapshot::is_node_dir(r));
    let config = match (&args.config, &policy_root) {
        (Some(file), _) => Some(FleetConfig::load(file)?),
        (None, Some(root)) => FleetConfig::find(root)?,
        (None, None) => None,
    };
    let config_file = config.as_ref().map(|c| c.path.display().to_string());
    let config = config.unwrap_or_default();
    let fail_on = match (args.fail_on, &config.fail_on) {
        (Some(f), _) => f,
        (None, Some(text)) => FailOn::from_str(text, true).map_err(|_| {
            format!(
                "{}: fail_on = \"{text}\": use critical, major, minor, info or never",
                config.path.display()
            )
        })?,
        (None, None) => FailOn::Major,
    };
    // A list given on the command line replaces the file's.
    let pick = |cli: &[String], file: &[String]| if cli.is_empty() { file } else { cli }.to_vec();
    let severity = SeverityOverrides::parse(&config.severity_args())
        .map_err(|e| format!("{}: [severity] {e}", config.path.display()))?
        .then(SeverityOverrides::parse(&args.severity)?);
    let mut selection = Selection {
        select: pick(flags.select, &config.select),
        ignore: pick(flags.ignore, &config.ignore),
    };
    let invalid = selection.invalid();
    if !invalid.is_empty() {
        return Err(format!(
            "not a code or family: {} (use 40001, 4 or 4xxxx)",
            invalid.join(", ")
        ));
    }
    let mut codes: Vec<u32> = catalog.rules.keys().copied().collect();
    codes.extend(crate::model::tool_codes::TOOL_CODES.iter().map(|t| t.code));
    let unmatched = policy::unmatched_patterns(
        selection
            .select
            .iter()
            .chain(&selection.ignore)
            .chain(severity.patterns()),
        &codes,
    );
    if !unmatched.is_empty() {
        return Err(format!(
            "no rule has the code {}; `upcheck rules list` shows the catalog",
            unmatched.join(", ")
        ));
    }
    selection
        .ignore
        .extend(severity.off(catalog.rules.keys().copied()));
    let waivers_file = match (&args.waivers, &config.waivers) {
        (Some(file), _) => Some(file.clone()),
        (None, Some(file)) => Some(config.path.parent().unwrap_or(Path::new(".")).join(file)),
        (None, None) => {
            let beside = config
                .path
                .parent()
                .filter(|_| !config.path.as_os_str().is_empty());
            beside
                .or(policy_root.as_deref())
                .map(|dir| dir.join(waivers::WAIVERS_FILE))
                .filter(|f| f.is_file())
        }
    };
    let waivers = match &waivers_file {
        Some(file) => waivers::load(file)?,
        None => vec![],
    };
    let known = match &args.baseline {
        Some(file) => Some(baseline::load(file)?),
        None => None,
    };
    Ok(CheckPolicy {
        fail_on,
        allow_unknown: args.allow_unknown || config.allow_unknown.unwrap_or(false),
        selection,
        severity,
        waivers,
        known,
        files: report::PolicyFiles {
            config: config_file,
            waivers: waivers_file.map(|f| f.display().to_string()),
            plans: vec![],
        },
        root: root
            .or_else(|| flags.paths.first().cloned())
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    })
}

fn check(args: CheckArgs) -> u8 {
    if let Some(missing) = args
        .paths
        .iter()
        .chain(&args.baseline_snapshot)
        .find(|p| !p.exists())
    {
        return fail(format!("{}: no such file or directory", missing.display()));
    }
    let catalog = match load_catalog(&args.rules) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if args.shard.is_some()
        && (args.policy.waivers.is_some()
            || args.policy.baseline.is_some()
            || !args.policy.severity.is_empty())
    {
        return fail(
            "--shard: give --severity, --waivers and --baseline to `upcheck merge`, \
             which applies them to the whole fleet",
        );
    }
    let policy = match check_policy(&PolicyFlags::from(&args), &catalog) {
        Ok(p) => p,
        Err(message) => return fail(message),
    };
    let input_memory = match args.memory.input_memory() {
        Ok(m) => m,
        Err(message) => return fail(message),
    };
    let phase: Phase = args.phase.into();
    let options = RunOptions {
        phase: Some(phase),
        selection: policy.selection.clone(),
        jobs: args.jobs,
        baseline: args.baseline_snapshot.clone(),
        input_memory,
        plan: args.plan.clone(),
    };
    let run = match args.shard {
        Some(shard) => engine::run_shard(&args.paths, &catalog, &options, shard),
        None => engine::run(&args.paths, &catalog, &options),
    };
    if run.nodes == 0 {
        match args.shard {
            Some(shard) => eprintln!("upcheck: note: shard {shard} holds no node"),
            // Checking nothing is a mistake (a wrong path, an empty
            // artifact), and a CI job must not pass on it.
            None => {
                return fail(format!(
                    "no node snapshot under {}: a node is a folder holding node.json \
                     (native layout) or sos_commands/ (a sosreport), or a .tar.gz/.tar.xz of one",
                    args.paths
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    let generated_at = report::generated_at();
    let mut evaluations = run.evaluations;
    // A shard's failures are judged by merge, with the whole fleet's waivers.
    if args.shard.is_none() {
        apply_policy(&policy, &mut evaluations, &generated_at);
    }
    let provenance = report::Provenance {
        rules_digest: catalog.digest(),
        inputs_digest: run.inputs_digest,
        generated_at,
        command_line: command_line(),
    };
    let mut report = Report::new(
        phase,
        provenance,
        report::rule_descriptors(&catalog),
        run.nodes,
        evaluations,
    );
    report.policy_files = report::PolicyFiles {
        plans: run.plan_files,
        ..policy.files.clone()
    };
    report.places = run.places;
    report.junit_known = args.out.junit_known;
    if let Some(shard) = args.shard {
        report.shard = Some(ShardData {
            index: shard.index,
            count: shard.count,
            fleet: policy.root.clone(),
            selection: ShardSelection {
                select: policy.selection.select.clone(),
                ignore: policy.selection.ignore.clone(),
            },
            roots: run.roots,
            nodes: run.members,
            keys: report
                .evaluations
                .iter()
                .map(|e| e.key.to_string())
                .collect(),
        });
    }
    if let Err(code) = write_reports(&report, &args.out) {
        return code;
    }
    match args.shard {
        // Exit 0 so that a CI matrix reaches the merge, which decides.
        Some(_) => exit::CLEAN,
        None => exit_code(&report, policy.fail_on, policy.allow_unknown),
    }
}

/// Severity overrides, waivers and the baseline report, then report order.
fn apply_policy(policy: &CheckPolicy, evaluations: &mut Vec<Evaluation>, generated_at: &str) {
    policy.severity.apply(evaluations);
    let today = chrono::DateTime::parse_from_rfc3339(generated_at)
        .map(|t| t.date_naive())
        .unwrap_or_else(|_| chrono::Utc::now().date_naive());
    waivers::apply(&policy.waivers, evaluations, today, &policy.root);
    if let Some(known) = &policy.known {
        baseline::mark(evaluations, known);
    }
    crate::model::sort_for_report(evaluations);
}

/// Every `--report` file (each whole or not at all), then the main output:
/// a failed write is reported even when stdout is a closed pipe.
fn write_reports(report: &Report, out: &OutputArgs) -> Result<(), u8> {
    for (format, file) in &out.reports {
        emit_with(Some(file), |w| format.write(report, out.show_passing, w))?;
    }
    emit_with(out.output.as_deref(), |w| {
        if out.statistics {
            return w.write_all(report::render_statistics(report).as_bytes());
        }
        out.format.write(report, out.show_passing, w)
    })
}

/// Shard reports in, the report of one run out; exit codes as for check.
fn merge(args: MergeArgs) -> u8 {
    let catalog = match load_catalog(&args.rules) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let flags = PolicyFlags {
        args: &args.policy,
        paths: &[],
        select: &[],
        ignore: &[],
    };
    let mut policy = match check_policy(&flags, &catalog) {
        Ok(p) => p,
        Err(message) => return fail(message),
    };
    // The shards chose what ran; `off` here hides more, before root causes
    // are linked, as in check.
    let off = policy.severity.off(catalog.rules.keys().copied());
    let merged = match crate::engine::merge::merge(&args.shard_reports, &catalog, &off) {
        Ok(m) => m,
        Err(message) => return fail(message),
    };
    policy.selection = merged.selection;
    policy.root = merged.fleet;
    let mut evaluations = merged.evaluations;
    let generated_at = report::generated_at();
    apply_policy(&policy, &mut evaluations, &generated_at);
    let provenance = report::Provenance {
        rules_digest: merged.rules_digest,
        inputs_digest: merged.inputs_digest,
        generated_at,
        command_line: command_line(),
    };
    let mut report = Report::new(
        merged.phase,
        provenance,
        report::rule_descriptors(&catalog),
        merged.nodes,
        evaluations,
    );
    report.policy_files = report::PolicyFiles {
        plans: merged.plans,
        ..policy.files.clone()
    };
    report.places = merged.places;
    report.junit_known = args.out.junit_known;
    if let Err(code) = write_reports(&report, &args.out) {
        return code;
    }
    exit_code(&report, policy.fail_on, policy.allow_unknown)
}

/// DESIGN §5: 1 for failures at or above the threshold, else 3 for unknowns
/// (unless allowed), else 0. With a baseline report only new failures and
/// new unknowns count. `--fail-on never` is 0 whatever was found: a report
/// job that must not gate; tool errors exit 2 before this is reached.
pub fn exit_code(report: &Report, fail_on: FailOn, allow_unknown: bool) -> u8 {
    let Some(min) = fail_on.threshold() else {
        return exit::CLEAN;
    };
    let new = |e: &&Evaluation| e.baseline != Some(BaselineState::Known);
    let failing = report
        .evaluations
        .iter()
        .filter(new)
        .any(|e| e.status == Status::Fail && e.severity >= min);
    let unknown = report
        .evaluations
        .iter()
        .filter(new)
        .any(|e| e.status == Status::Unknown);
    if failing {
        exit::FINDINGS
    } else if !allow_unknown && unknown {
        exit::UNKNOWN
    } else {
        exit::CLEAN
    }
}

/// 1 when something got worse, else 0; unknowns do not change the code.
fn diff(args: DiffArgs) -> u8 {
    let open = |path: &Path| diff::Input::open(path).map_err(fail);
    let (before, after) = match (open(&args.before), open(&args.after)) {
        (Ok(before), Ok(after)) => (before, after),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let catalog = match load_catalog(&args.rules) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let phase = args
        .phase
        .map(Phase::from)
        .or_else(|| after.report_phase())
        .or_else(|| before.report_phase())
        .unwrap_or(Phase::Post);
    let before = before.into_side(&catalog, phase);
    let after = after.into_side(&catalog, phase);
    for warning in diff::warnings(&before, &after) {
        warn(format!("warning: {warning}"));
    }
    let result = diff::compare(&before, &after, args.fail_on.threshold());
    let text = match args.format {
        Format::Table => report::render_diff_table(&result),
        Format::Json => report::render_json(&result),
    };
    if let Err(code) = emit(&text, args.output.as_deref()) {
        return code;
    }
    if result.worse {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

fn rules_list(format: Format, family: &[String], phase: Option<Phase>, dirs: &[PathBuf]) -> u8 {
    let catalog = match load_catalog(dirs) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Some(bad) = family.iter().find(|f| !policy::is_code_pattern(f)) {
        return fail(format!(
            "--family {bad}: not a code or family (use 40001, 4 or 4xxxx)"
        ));
    }
    let rules: Vec<&crate::catalog::Rule> = catalog
        .rules
        .values()
        .filter(|r| family.is_empty() || family.iter().any(|f| policy::code_matches(f, r.code)))
        .filter(|r| phase.is_none_or(|p| r.phases.contains(&p)))
        .collect();
    let text = match format {
        Format::Json => {
            let list: Vec<serde_json::Value> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code,
                        "name": r.name,
                        "title": r.title,
                        "severity": r.severity,
                        "phases": r.phases,
                        "scope": r.scope,
                        "requires": r.requires,
                        "depends_on": r.depends_on,
                        "origin": r.origin,
                    })
                })
                .collect();
            let mut t = serde_json::to_string_pretty(&list).unwrap_or_default();
            t.push('\n');
            t
        }
        Format::Table => {
            let mut table = comfy_table::Table::new();
            table
                .load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
                .set_header(["code", "name", "severity", "phases", "scope", "title"]);
            for r in &rules {
                let phases: Vec<&str> = r.phases.iter().map(|p| p.as_str()).collect();
                table.add_row([
                    r.code.to_string(),
                    r.name.to_string(),
                    r.severity.to_string(),
                    phases.join(", "),
                    r.scope.as_str().to_string(),
                    r.title.clone(),
                ]);
            }
            format!("{table}\n{} rule(s)\n", rules.len())
        }
    };
    match emit(&text, None) {
        Ok(()) => exit::CLEAN,
        Err(code) => code,
    }
}

fn rules_check(dir: Option<&Path>, fixtures: Option<&Path>, deny_warnings: bool) -> u8 {
    let result = fixture_check::check(dir, fixtures);
    for p in &result.problems {
        eprintln!("{p}");
    }
    let errors = result.problems.iter().filter(|p| !p.warning).count();
    let warnings = result.problems.len() - errors;
    let summary = format!(
        "{} rule(s) checked, {} fixture run(s): {errors} error(s), {warnings} warning(s)\n",
        result.rules, result.fixture_runs
    );
    if let Err(code) = emit(&summary, None) {
        return code;
    }
    if errors > 0 || (deny_warnings && warnings > 0) {
        exit::TOOL_ERROR
    } else {
        exit::CLEAN
    }
}

fn explain(wanted: &str, dirs: &[PathBuf]) -> u8 {
    let catalog = match load_catalog(dirs) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let by_name = || {
        let rules = catalog.rules.values().map(|r| (r.code, &*r.name));
        let tools = crate::model::tool_codes::TOOL_CODES
            .iter()
            .map(|t| (t.code, t.name));
        rules
            .chain(tools)
            .find(|(_, name)| *name == wanted)
            .map(|(code, _)| code)
    };
    let code = wanted.parse::<u32>().ok().or_else(by_name);
    match code.and_then(|code| crate::catalog::docs::explain(&catalog, code)) {
        Some(text) => match emit(&text, None) {
            Ok(()) => exit::CLEAN,
            Err(code) => code,
        },
        None => {
            let mut near: Vec<(f64, &str)> = catalog
                .rules
                .values()
                .map(|r| (strsim::jaro_winkler(&r.name, wanted), &*r.name))
                .filter(|(score, _)| *score > 0.9)
                .collect();
            near.sort_by(|a, b| b.0.total_cmp(&a.0));
            let hint = match near.first() {
                Some((_, name)) => format!(" (did you mean {name}?)"),
                None => String::new(),
            };
            fail(format!(
                "no rule or tool code `{wanted}`{hint}; `upcheck rules list` shows them"
            ))
        }
    }
}

/// The man page, generated from the same definition as `--help`.
fn man_page() -> u8 {
    let mut page = Vec::new();
    if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut page) {
        return fail(format!("cannot render the man page: {e}"));
    }
    match emit(&String::from_utf8_lossy(&page), None) {
        Ok(()) => exit::CLEAN,
        Err(code) => code,
    }
}

fn collect(args: CollectArgs) -> u8 {
    if args.print_script {
        return match emit(&crate::snapshot::collect::script(), None) {
            Ok(()) => exit::CLEAN,
            Err(code) => code,
        };
    }
    // clap requires --out without --print-script.
    let Some(out) = args.out.clone() else {
        return fail("collect needs --out DIR".to_string());
    };
    let given = [
        ("hostname", &args.hostname),
        ("site", &args.site),
        ("cluster", &args.cluster),
        ("role", &args.role),
        ("platform", &args.platform),
        ("ha_role", &args.ha_role),
        ("running_release", &args.running_release),
        ("target_release", &args.target_release),
        ("collected_at", &args.collected_at),
    ];
    let options = crate::snapshot::collect::Options {
        out: out.clone(),
        identity: given
            .iter()
            .filter_map(|(k, v)| Some((k.to_string(), serde_json::json!(v.as_ref()?))))
            .collect(),
        timeout: std::time::Duration::from_secs(args.timeout),
        hash_timeout: std::time::Duration::from_secs(args.hash_timeout),
        hash_iso: args.hash_iso,
        upgrade_dir: PathBuf::from(crate::snapshot::collect::UPGRADE_DIR),
        shadow_file: args.shadow_file.clone(),
    };
    let summary = match crate::snapshot::collect::collect(&options) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let mut written = out.display().to_string();
    if args.archive {
        match crate::snapshot::collect::pack(&out) {
            Ok(path) => written = path.display().to_string(),
            Err(e) => return fail(e),
        }
    }
    eprintln!(
        "upcheck: collected {written}: {} command(s) run, {} failed ({}), {} not installed ({}), {} file(s) copied",
        summary.commands_run,
        summary.commands_failed.len(),
        summary.commands_failed.join(", "),
        summary.commands_absent.len(),
        summary.commands_absent.join(", "),
        summary.files_copied
    );
    exit::CLEAN
}

fn facts(node_dir: &Path, plan_file: Option<&Path>) -> u8 {
    if !node_dir.join(snapshot::NODE_MARKER).is_file()
        && !node_dir.join(crate::snapshot::sos::MARKER).is_dir()
    {
        return fail(format!(
            "{} is not a node snapshot: it has no {} and no {}/",
            node_dir.display(),
            snapshot::NODE_MARKER,
            crate::snapshot::sos::MARKER
        ));
    }
    let (nodes, problems) = snapshot::discover(&[node_dir.to_path_buf()]);
    for p in problems {
        warn(format!("{}: {}", p.path.display(), p.message));
    }
    let Some(node) = nodes.first() else {
        return fail(format!("{} could not be read", node_dir.display()));
    };
    if let Some(err) = &node.identity_error {
        warn(err);
    }
    let plan = match plan_file {
        None => Ok(serde_json::json!({})),
        Some(file) => crate::facts::plan_fact(file),
    }
    .unwrap_or_else(|e| {
        warn(e);
        serde_json::json!({})
    });
    let facts = crate::facts::all_facts(node, &plan, plan_file);
    let mut text = serde_json::to_string_pretty(&facts).unwrap_or_default();
    text.push('\n');
    match emit(&text, None) {
        Ok(()) => exit::CLEAN,
        Err(code) => code,
    }
}

fn parse_file(kind: ParseKind, file: &Path) -> u8 {
    let text = match snapshot::read_input(file) {
        Ok(t) => t,
        Err(e) => return fail(format!("cannot read {}: {e}", file.display())),
    };
    let mut out = kind.parse_to_json(&text);
    out.push('\n');
    match emit(&out, None) {
        Ok(()) => exit::CLEAN,
        Err(code) => code,
    }
}
