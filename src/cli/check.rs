//! `upcheck check`: evaluate the catalog over node snapshots.

use super::args::{MemoryArgs, OutputArgs, PolicyArgs};
use super::policy::{CheckPolicy, PolicyFlags, apply_policy, check_policy};
use super::{Error, Exit, Outcome, emit_with, exit_code, load_catalog, verbose};
use crate::catalog::Catalog;
use crate::engine::shard::{Shard, ShardData};
use crate::engine::{self, RunOptions, RunOutput, Timings};
use crate::model::Phase;
use crate::report::{self, Report};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Fleet folders, node snapshot folders, or both.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "pre")]
    pub phase: Phase,
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
    /// Keep the md5 of staged ISO images in this folder (created if
    /// missing) and reuse it while a file's device, inode, size and time
    /// are unchanged, so unchanged images are not hashed again.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
}

pub(super) fn check(args: CheckArgs) -> Outcome {
    refuse_missing_paths(&args)?;
    // The report is rendered in rayon's global pool: as many threads as
    // the run was given.
    if let Some(jobs) = args.jobs {
        // Fails only when the pool exists already (tests): it is kept.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build_global();
    }
    refuse_policy_on_a_shard(&args)?;
    let walk = RunOptions {
        phase: Some(args.phase),
        jobs: args.jobs,
        baseline: args.baseline_snapshot.clone(),
        ..RunOptions::default()
    };
    // The snapshots are found while the catalog loads: compiling the rules
    // is CPU work, and the walk leaves a thread idle. A site input file
    // (DIR/inputs/) that does not load stops the run, naming it: the rules
    // catalog reads the site inputs and their tables.
    let (catalog, discovered) = rayon::join(
        || load_catalog(&args.rules),
        || engine::discover(&args.paths, &walk),
    );
    let catalog = catalog?;
    let policy = check_policy(&PolicyFlags::from(&args), &catalog)?;
    let verbose = args.policy.verbose;
    verbose::say(verbose, verbose::rules(&catalog, &args.rules));
    verbose::say(verbose, policy.loaded.iter().cloned());
    let input_memory = args.memory.input_memory()?;
    if let Some(dir) = &args.cache {
        crate::facts::file_digest::use_cache_dir(dir)?;
    }
    let options = RunOptions {
        selection: policy.selection.clone(),
        input_memory,
        plan: args.plan.clone(),
        ..walk
    };
    let run = engine::run_discovered(discovered, &catalog, &options, args.shard);
    verbose::say(
        verbose,
        verbose::plans(args.plan.as_deref(), &args.paths, &run.plan_files),
    );
    if let Err(message) = crate::facts::file_digest::save_cache() {
        eprintln!("upcheck: warning: the digest cache was not saved: {message}");
    }
    if run.nodes == 0 {
        match args.shard {
            Some(shard) => eprintln!("upcheck: note: shard {shard} holds no node"),
            // Checking nothing is a mistake (a wrong path, an empty
            // artifact), and a CI job must not pass on it.
            None => return Err(no_node_under(&args.paths)),
        }
    }
    let (report, mut timings) = report_of(&args, &catalog, &policy, run);
    timings.mark("policy and report assembly");
    write_reports(&report, &args.out)?;
    timings.mark("rendering and writing");
    timings.print_if_asked();
    let exit = match args.shard {
        // Exit 0 so that a CI matrix reaches the merge, which decides.
        Some(_) => Exit::Clean,
        None => exit_code(&report, policy.fail_on, policy.allow_unknown),
    };
    // The process ends with this command, and the system takes its memory
    // back at once: freeing the report's evaluations and the compiled
    // catalog piece by piece took 17 ms of a 2,000-node run and 130 ms of
    // a 20,000-node one. The reports are written and their files closed.
    std::mem::forget(report);
    std::mem::forget(catalog);
    Ok(exit)
}

fn refuse_missing_paths(args: &CheckArgs) -> Result<(), Error> {
    match (args.paths.iter())
        .chain(&args.baseline_snapshot)
        .find(|p| !p.exists())
    {
        Some(missing) => Err(Error::Usage(format!(
            "{}: no such file or directory",
            missing.display()
        ))),
        None => Ok(()),
    }
}

/// A shard's failures are judged by merge, with the whole fleet's policy.
fn refuse_policy_on_a_shard(args: &CheckArgs) -> Result<(), Error> {
    let policy = &args.policy;
    if args.shard.is_some()
        && (policy.waivers.is_some() || policy.baseline.is_some() || !policy.severity.is_empty())
    {
        return Err(Error::Usage(
            "--shard: give --severity, --waivers and --baseline to `upcheck merge`, \
             which applies them to the whole fleet"
                .into(),
        ));
    }
    Ok(())
}

fn no_node_under(paths: &[PathBuf]) -> Error {
    Error::Usage(format!(
        "no node snapshot under {}: a node is a folder holding node.json \
         (native layout) or sos_commands/ (a sosreport), or a .tar.gz/.tar.xz of one",
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// The run's report, with the policy applied (a shard's is left to merge),
/// and the run's timings so far.
fn report_of(
    args: &CheckArgs,
    catalog: &Catalog,
    policy: &CheckPolicy,
    run: RunOutput,
) -> (Report, Timings) {
    let generated_at = report::generated_at();
    let mut evaluations = run.evaluations;
    if args.shard.is_none() {
        apply_policy(policy, &mut evaluations, &generated_at);
    }
    let extras = report::RunExtras {
        phase: args.phase,
        nodes: run.nodes,
        rules_digest: catalog.digest(),
        inputs_digest: run.inputs_digest,
        generated_at,
        command_line: command_line(),
        policy_files: report::PolicyFiles {
            plans: run.plan_files,
            ..policy.files.clone()
        },
        places: run.places,
        digests: run.digests,
        junit_known: args.out.junit_known,
    };
    let mut report = Report::of_run(catalog, evaluations, extras);
    if let Some(shard) = args.shard {
        report.shard = Some(ShardData {
            index: shard.index,
            count: shard.count,
            fleet: policy.root.clone(),
            selection: policy.selection.clone(),
            roots: run.roots,
            nodes: run.members,
            keys: report
                .evaluations
                .iter()
                .map(|e| e.key.to_string())
                .collect(),
        });
    }
    (report, run.timings)
}

/// Every `--report` file (each whole or not at all), then the main output:
/// a failed write is reported even when stdout is a closed pipe.
pub(super) fn write_reports(report: &Report, out: &OutputArgs) -> Result<(), Error> {
    let table = |to_stdout: bool| report::TableOptions {
        width: super::output::table_width(to_stdout),
        show_passing: out.show_passing,
        quiet: out.quiet,
        color: super::output::color(to_stdout),
    };
    for (format, file) in &out.reports {
        emit_with(Some(file), |w| format.write(report, table(false), w))?;
    }
    emit_with(out.output.as_deref(), |w| {
        if out.statistics {
            return w.write_all(report::render_statistics(report).as_bytes());
        }
        out.format.write(report, table(out.output.is_none()), w)
    })
}

/// The command line stamped on reports: the program named by its file name
/// (the stamp does not depend on where upcheck is installed), and without
/// the thread count, which never changes a result, so that reports of
/// `-j1` and `-j8` runs are byte-identical.
pub(super) fn command_line() -> Vec<String> {
    let mut args = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    let program = args.next().map_or_else(
        || "upcheck".into(),
        |p| {
            Path::new(&p)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or(p)
        },
    );
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
