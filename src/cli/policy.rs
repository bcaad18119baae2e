//! The policy of `check` and `merge`: flags over upcheck.toml over the
//! defaults, and its application to a run's evaluations.

use super::Error;
use super::args::PolicyArgs;
use crate::catalog::Catalog;
use crate::model::Evaluations;
use crate::policy::baseline;
use crate::policy::waivers;
use crate::policy::{self, FailOn, FleetConfig, PolicyError, Selection, SeverityOverrides};
use crate::report;
use crate::snapshot;
use clap::ValueEnum;
use std::path::{Path, PathBuf};

/// What a check run counts and how: the flags, over upcheck.toml, over
/// the defaults.
pub(super) struct CheckPolicy {
    pub(super) fail_on: FailOn,
    pub(super) allow_unknown: bool,
    pub(super) selection: Selection,
    pub(super) severity: SeverityOverrides,
    pub(super) waivers: Vec<waivers::Waiver>,
    /// Fingerprints of the baseline report's failures.
    pub(super) known: Option<baseline::Known>,
    /// The fleet group waiver findings belong to.
    pub(super) root: String,
    /// The settings and waivers files loaded (plans are the run's).
    pub(super) files: report::PolicyFiles,
    /// For `-v`: the settings, waivers and baseline files loaded, or
    /// where each was looked for.
    pub(super) loaded: Vec<String>,
}

/// The flags a policy is made of; `check` and `merge` share them.
pub(super) struct PolicyFlags<'a> {
    pub(super) args: &'a PolicyArgs,
    pub(super) paths: &'a [PathBuf],
    pub(super) select: &'a [String],
    pub(super) ignore: &'a [String],
}

pub(super) fn check_policy(flags: &PolicyFlags, catalog: &Catalog) -> Result<CheckPolicy, Error> {
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
    let mut loaded = vec![config_note(
        args,
        config.as_ref(),
        root.as_deref(),
        flags.paths,
    )];
    let config = config.unwrap_or_default();
    let fail_on = fail_on(args, &config)?;
    let severity = SeverityOverrides::parse(&config.severity_args())
        .map_err(|e| PolicyError::at(&config.path, None, format!("[severity] {e}")))?
        .then(SeverityOverrides::parse(&args.severity)?);
    let selection = selection(flags, &config, &severity, catalog)?;
    let (waivers_file, waivers, note) = load_waivers(args, &config, policy_root.as_deref())?;
    loaded.push(note);
    let known = match &args.baseline {
        Some(file) => Some(baseline::load(file)?),
        None => None,
    };
    loaded.push(match (&args.baseline, &known) {
        (Some(file), Some(known)) => format!(
            "baseline: {}: {} failing or waived and {} unknown evaluation(s) known",
            file.display(),
            known.failures.len(),
            known.unknowns.len()
        ),
        _ => "baseline: none (no --baseline)".to_string(),
    });
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
        loaded,
        root: root
            .or_else(|| flags.paths.first().cloned())
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    })
}

/// --fail-on, else `fail_on` of upcheck.toml, else the default.
fn fail_on(args: &PolicyArgs, config: &FleetConfig) -> Result<FailOn, PolicyError> {
    Ok(match (args.fail_on, &config.fail_on) {
        (Some(f), _) => f,
        (None, Some(text)) => FailOn::from_str(text, true).map_err(|_| {
            PolicyError::at(
                &config.path,
                None,
                format!("fail_on = \"{text}\": use critical, major, minor, info or never"),
            )
        })?,
        (None, None) => FailOn::DEFAULT,
    })
}

/// The codes selected and ignored: a list given on the command line
/// replaces the file's; each pattern must name a code of the catalog, and
/// codes whose severity is set `off` are ignored.
fn selection(
    flags: &PolicyFlags,
    config: &FleetConfig,
    severity: &SeverityOverrides,
    catalog: &Catalog,
) -> Result<Selection, Error> {
    let pick = |cli: &[String], file: &[String]| if cli.is_empty() { file } else { cli }.to_vec();
    let mut selection = Selection {
        select: pick(flags.select, &config.select),
        ignore: pick(flags.ignore, &config.ignore),
    };
    let invalid = selection.invalid();
    if !invalid.is_empty() {
        return Err(Error::Usage(format!(
            "not a code or family: {} (use 40001, 4 or 4xxxx)",
            invalid.join(", ")
        )));
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
        return Err(Error::Usage(format!(
            "no rule has the code {}; `upcheck rules list` shows the catalog",
            unmatched.join(", ")
        )));
    }
    selection
        .ignore
        .extend(severity.off(catalog.rules.keys().copied()));
    Ok(selection)
}

/// The waivers file (--waivers, else `waivers` of upcheck.toml, else
/// waivers.toml beside upcheck.toml or in the fleet folder when there is
/// one), its waivers, and the `-v` note saying which and why.
fn load_waivers(
    args: &PolicyArgs,
    config: &FleetConfig,
    policy_root: Option<&Path>,
) -> Result<(Option<PathBuf>, Vec<waivers::Waiver>, String), PolicyError> {
    let default_waivers = config
        .path
        .parent()
        .filter(|_| !config.path.as_os_str().is_empty())
        .or(policy_root)
        .map(|dir| dir.join(waivers::WAIVERS_FILE));
    let (file, how) = match (&args.waivers, &config.waivers) {
        (Some(file), _) => (Some(file.clone()), "--waivers".to_string()),
        (None, Some(file)) => (
            Some(config.path.parent().unwrap_or(Path::new(".")).join(file)),
            format!("`waivers` of {}", config.path.display()),
        ),
        (None, None) => (
            default_waivers.clone().filter(|f| f.is_file()),
            "found".to_string(),
        ),
    };
    let waivers = match &file {
        Some(file) => waivers::load(file)?,
        None => vec![],
    };
    let note = match (&file, &default_waivers) {
        (Some(file), _) => format!(
            "waivers: {} ({how}): {} waiver(s)",
            file.display(),
            waivers.len()
        ),
        (None, Some(looked)) => format!("waivers: none (no {})", looked.display()),
        (None, None) => "waivers: none (no --waivers, and no folder to look in)".to_string(),
    };
    Ok((file, waivers, note))
}

/// For `-v`: the settings file read and why, or where none was found.
fn config_note(
    args: &PolicyArgs,
    config: Option<&FleetConfig>,
    root: Option<&Path>,
    paths: &[PathBuf],
) -> String {
    match (config, root) {
        (Some(c), _) if args.config.is_some() => format!("config: {} (--config)", c.path.display()),
        (Some(c), _) => format!("config: {} (found)", c.path.display()),
        (None, Some(root)) if snapshot::is_node_dir(root) => format!(
            "config: none ({} is a node snapshot, whose upcheck.toml is never loaded; give --config)",
            root.display()
        ),
        (None, Some(root)) => format!(
            "config: none (no {})",
            root.join(policy::CONFIG_FILE).display()
        ),
        (None, None) if paths.is_empty() => {
            "config: none (merge reads a settings file only with --config)".to_string()
        }
        (None, None) => "config: none (no folder given to look in; give --config)".to_string(),
    }
}

/// Severity overrides, waivers and the baseline report, then report order.
pub(super) fn apply_policy(
    policy: &CheckPolicy,
    evaluations: &mut Evaluations,
    generated_at: &str,
) {
    policy.severity.apply(evaluations);
    let today = chrono::DateTime::parse_from_rfc3339(generated_at)
        .map_or_else(|_| chrono::Utc::now().date_naive(), |t| t.date_naive());
    waivers::apply(&policy.waivers, evaluations, today, &policy.root);
    if let Some(known) = &policy.known {
        baseline::mark(evaluations, known);
    }
    evaluations.sort_for_report();
}
