//! The parser kinds `upcheck parse` offers, and one place that maps each
//! kind to its parser, so the command, the property tests and the fuzz
//! target all reach every parser through the same list.

use clap::ValueEnum;

use super::Outcome;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParseKind {
    Ntpq,
    ChronycSources,
    ChronycTracking,
    Df,
    Hwclock,
    Date,
    /// `timedatectl` status (every layout since systemd 2xx).
    Timedatectl,
    Patches,
    Shadow,
    LoginDefs,
    Libuser,
    Pam,
    ChecksumList,
    Syscheck,
    LsListing,
    Alarms,
    UpgradeLog,
    DcTasks,
    NeStorage,
    Ping,
    NeCommunication,
    PackageListing,
    /// OpenScape 4000 DISPLAY-PATCH listing (exports/display-patch.txt).
    AmoPatchCatalog,
    /// OpenScape 4000 patch file in E-file format (pds/…).
    AmoPatchFile,
    /// OpenScape 4000 installed APS list (exports/installed-aps.txt).
    InstalledAps,
    PrsmPrsus,
    PrsmDests,
    PrsmLoads,
    PrsmImages,
    PrsmSpm301,
    /// DMS-100 PRSM AUTOPROC status (exports/prsm-autoproc.txt).
    PrsmAutoproc,
    PatchConf,
    PatchHistory,
    PatchManifest,
    PatchLog,
    PatchErr,
    /// Output of `qpSSHKeyProv.pl --check` on the primary active CMP.
    SshKeyCheck,
    /// CMP GUI: configuration state of the MPE/MRA clusters (exports/cluster-config.csv).
    ClusterConfig,
    /// `appRev` on a TPD server: product and base distro releases.
    AppRev,
    /// CMP GUI: the audit log of operator actions (exports/audit-log.csv).
    AuditLog,
}

/// Runs the parser of `$kind` over `$text` and evaluates `$body` with its
/// outcome bound to `$outcome`: the records' types differ per parser, so
/// each arm is its own expression.
macro_rules! with_outcome {
    ($kind:expr, $text:expr, $outcome:ident => $body:expr) => {
        match $kind {
            ParseKind::Ntpq => {
                let $outcome = super::time::ntpq::parse($text);
                $body
            }
            ParseKind::ChronycSources => {
                let $outcome = super::time::chronyc::parse_sources($text);
                $body
            }
            ParseKind::ChronycTracking => {
                let $outcome = super::time::chronyc::parse_tracking($text);
                $body
            }
            ParseKind::Df => {
                let $outcome = super::linux::df::parse($text);
                $body
            }
            ParseKind::Hwclock => {
                let $outcome = super::time::hwclock::parse($text);
                $body
            }
            ParseKind::Date => {
                let $outcome = super::time::date::parse($text);
                $body
            }
            ParseKind::Timedatectl => {
                let $outcome = super::time::timedatectl::parse($text);
                $body
            }
            ParseKind::Patches => {
                let $outcome = super::vendor::patches::parse($text);
                $body
            }
            ParseKind::Shadow => {
                let $outcome = super::linux::shadow::parse($text);
                $body
            }
            ParseKind::LoginDefs => {
                let $outcome = super::linux::login_defs::parse($text);
                $body
            }
            ParseKind::Libuser => {
                let $outcome = super::linux::libuser::parse($text);
                $body
            }
            ParseKind::Pam => {
                let $outcome = super::linux::pam::parse($text);
                $body
            }
            ParseKind::ChecksumList => {
                let $outcome = super::linux::checksum_list::parse($text);
                $body
            }
            ParseKind::Syscheck => {
                let $outcome = super::vendor::syscheck::parse($text);
                $body
            }
            ParseKind::LsListing => {
                let $outcome = super::linux::ls_listing::parse($text);
                $body
            }
            ParseKind::Alarms => {
                let $outcome = super::vendor::alarms::parse($text);
                $body
            }
            ParseKind::UpgradeLog => {
                let $outcome = super::vendor::upgrade_log::parse($text);
                $body
            }
            ParseKind::DcTasks => {
                let $outcome = super::vendor::dc_tasks::parse($text);
                $body
            }
            ParseKind::NeStorage => {
                let $outcome = super::vendor::ne_storage::parse($text);
                $body
            }
            ParseKind::Ping => {
                let $outcome = super::linux::ping::parse($text);
                $body
            }
            ParseKind::NeCommunication => {
                let $outcome = super::vendor::ne_comm::parse($text);
                $body
            }
            ParseKind::PackageListing => {
                let $outcome = super::linux::package_listing::parse($text);
                $body
            }
            ParseKind::AmoPatchCatalog => {
                let $outcome = super::vendor::amo_patch_catalog::parse($text);
                $body
            }
            ParseKind::AmoPatchFile => {
                let $outcome = super::vendor::amo_patch_file::parse($text);
                $body
            }
            ParseKind::InstalledAps => {
                let $outcome = super::vendor::installed_aps::parse($text);
                $body
            }
            ParseKind::PrsmPrsus => {
                let $outcome = super::vendor::prsm_prsus::parse($text);
                $body
            }
            ParseKind::PrsmDests => {
                let $outcome = super::vendor::prsm_dests::parse($text);
                $body
            }
            ParseKind::PrsmLoads => {
                let $outcome = super::vendor::prsm_loads::parse($text);
                $body
            }
            ParseKind::PrsmImages => {
                let $outcome = super::vendor::prsm_images::parse($text);
                $body
            }
            ParseKind::PrsmSpm301 => {
                let $outcome = super::vendor::prsm_spm301::parse($text);
                $body
            }
            ParseKind::PrsmAutoproc => {
                let $outcome = super::vendor::prsm_autoproc::parse($text);
                $body
            }
            ParseKind::PatchConf => {
                let $outcome = super::vendor::patch_conf::parse($text);
                $body
            }
            ParseKind::PatchHistory => {
                let $outcome = super::vendor::patch_record::parse_history($text);
                $body
            }
            ParseKind::PatchManifest => {
                let $outcome = super::vendor::patch_record::parse_manifest($text);
                $body
            }
            ParseKind::PatchLog => {
                let $outcome = super::vendor::patch_log::parse($text);
                $body
            }
            ParseKind::PatchErr => {
                let $outcome = super::vendor::patch_err::parse($text);
                $body
            }
            ParseKind::SshKeyCheck => {
                let $outcome = super::vendor::ssh_key_check::parse($text);
                $body
            }
            ParseKind::ClusterConfig => {
                let $outcome = super::vendor::cluster_config::parse($text);
                $body
            }
            ParseKind::AppRev => {
                let $outcome = super::vendor::app_rev::parse($text);
                $body
            }
            ParseKind::AuditLog => {
                let $outcome = super::vendor::audit_log::parse($text);
                $body
            }
        }
    };
}

impl ParseKind {
    /// Every kind, in the order `upcheck parse --help` lists them.
    pub fn all() -> &'static [ParseKind] {
        ParseKind::value_variants()
    }

    /// The name on the command line (`chronyc-sources`).
    pub fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }

    /// What the parser makes of `text`, as pretty JSON.
    pub fn parse_to_json(self, text: &str) -> String {
        with_outcome!(self, text, outcome => serde_json::to_string_pretty(&outcome).unwrap_or_default())
    }

    /// What the parser makes of `text`, without the records.
    pub fn verdict(self, text: &str) -> Outcome<()> {
        with_outcome!(self, text, outcome => outcome.without_records())
    }
}

/// What must hold of any parser's answer to any text: a `Malformed` line
/// is a line of the text (line 1 for an empty one) and a `NotApplicable`
/// line, when given, is one too.
pub fn check_verdict(text: &str, verdict: &Outcome<()>) -> Result<(), String> {
    let last = text.lines().count().max(1);
    let line = match verdict {
        Outcome::Parsed { .. } => return Ok(()),
        Outcome::Malformed(m) => Some(m.line),
        Outcome::NotApplicable(na) => na.line,
    };
    match line {
        Some(n) if n == 0 || n > last => Err(format!(
            "line {n} is outside the text's {last} line(s): {verdict:?}"
        )),
        _ => Ok(()),
    }
}

/// The fuzz target's body: the first byte picks the parser, the rest is
/// the file (lossy UTF-8, as `snapshot::read_input` reads it). Panics when
/// a parser panics or breaks [`check_verdict`], which is what the fuzzer
/// looks for.
pub fn fuzz_one(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let kinds = ParseKind::all();
    let kind = kinds[first as usize % kinds.len()];
    let text = String::from_utf8_lossy(rest);
    let verdict = kind.verdict(&text);
    if let Err(why) = check_verdict(&text, &verdict) {
        panic!("{}: {why}", kind.name());
    }
}
