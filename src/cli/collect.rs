//! `upcheck collect`: snapshot the Linux host this runs on.

use super::{Error, Exit, Outcome, emit};
use std::path::PathBuf;

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
    /// Also run the commands and copy the files of the site inputs of
    /// DIR/inputs/ (the folder `check --rules DIR` reads them with).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
}

pub(super) fn collect(args: CollectArgs) -> Outcome {
    // Site inputs (DIR/inputs/) join the table the collectors run.
    let inputs = super::inputs::load_inputs(&args.rules)?;
    if args.print_script {
        emit(&crate::snapshot::collect::script(&inputs), None)?;
        return Ok(Exit::Clean);
    }
    // clap requires --out without --print-script.
    let Some(out) = args.out.clone() else {
        return Err(Error::Usage("collect needs --out DIR".into()));
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
        inputs,
    };
    let summary = crate::snapshot::collect::collect(&options)?;
    let mut written = out.display().to_string();
    if args.archive {
        let packed = crate::snapshot::collect::pack(&out)?;
        written = packed.display().to_string();
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
    Ok(Exit::Clean)
}
