//! `upcheck merge`: the shard reports of one fleet into the report of one run.

use super::args::{OutputArgs, PolicyArgs};
use super::check::{command_line, write_reports};
use super::policy::{PolicyFlags, apply_policy, check_policy};
use super::{Outcome, exit_code, load_catalog, verbose};
use crate::report::{self, Report};
use std::path::PathBuf;

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

/// Shard reports in, the report of one run out; exit codes as for check.
pub(super) fn merge(args: MergeArgs) -> Outcome {
    let catalog = load_catalog(&args.rules)?;
    let flags = PolicyFlags {
        args: &args.policy,
        paths: &[],
        select: &[],
        ignore: &[],
    };
    let mut policy = check_policy(&flags, &catalog)?;
    let verbose = args.policy.verbose;
    verbose::say(verbose, verbose::rules(&catalog, &args.rules));
    verbose::say(verbose, policy.loaded.iter().cloned());
    // The shards chose what ran; `off` here hides more, before root causes
    // are linked, as in check.
    let off = policy.severity.off(catalog.rules.keys().copied());
    let merged = crate::engine::merge::merge(&args.shard_reports, &catalog, &off)?;
    verbose::say(
        verbose,
        merged
            .plans
            .iter()
            .map(|p| format!("plan: {p} (read by the shard runs)")),
    );
    policy.selection = merged.selection;
    policy.root = merged.fleet;
    let mut evaluations = merged.evaluations;
    let generated_at = report::generated_at();
    apply_policy(&policy, &mut evaluations, &generated_at);
    let extras = report::RunExtras {
        phase: merged.phase,
        nodes: merged.nodes,
        rules_digest: merged.rules_digest,
        inputs_digest: merged.inputs_digest,
        generated_at,
        command_line: command_line(),
        policy_files: report::PolicyFiles {
            plans: merged.plans,
            ..policy.files.clone()
        },
        places: merged.places,
        digests: merged.digests,
        junit_known: args.out.junit_known,
    };
    let report = Report::of_run(&catalog, evaluations, extras);
    write_reports(&report, &args.out)?;
    Ok(exit_code(&report, policy.fail_on, policy.allow_unknown))
}
