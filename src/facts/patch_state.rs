//! One patch-state row per patch, whatever the vendor: Huawei NE patches,
//! the OpenScape 4000 patch catalog, DMS PRSM PRSUs and the cluster patch
//! installer. Each vendor's own fact keeps its own words; this one maps
//! them onto one vocabulary so a rule or a site can write one expression
//! over every vendor ("a patch that is not running") and `diff` can
//! compare patch states of every vendor.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::node_facts::NodeFacts;
use super::openscape::OpenScapePatchState;
use super::problem::{FactProblem, FactResult};
use super::spec::{Build, DiffAs, FactSpec, Source, to_fact, typed};
use crate::model::vocabulary::vocabulary;
use crate::parse::vendor::patches::HuaweiPatchState;
use crate::parse::vendor::prsm_prsus::PrsuStatus;

pub const PATCH_STATE: FactSpec = FactSpec {
    name: "patch_state",
    always: false,
    build: Build::Node(build),
    diff: Some(DiffAs::States {
        place: "where",
        name: "name",
        state: "state",
    }),
    inputs: &[
        "patches",
        "amo-patch-catalog",
        "prsm-prsus",
        "prsm-dests",
        "patch-conf",
        "patch-history",
        "patch-log",
        "patch-err",
    ],
    summary: "Every patch of the node in one vocabulary, whatever the vendor: the rows of \
              `patches` (Huawei), `openscape_patches` (OpenScape 4000), `prsm_prsus` (DMS PRSM) \
              and the cluster patch installer's history and last run (`cluster_patch`, \
              `patch_run`), in that order. The vendor's facts stay as they are; this one is \
              for rules and `diff` that judge patches across vendors. Missing when the node \
              has none of those sources; a source that is unreadable or malformed is the \
              fact's problem, since the list would be incomplete without it.",
    schema: typed::<Vec<PatchStateRow>>,
};

vocabulary! {
    /// The state vocabulary shared by every vendor.
    pub enum PatchState {
        // In effect, and kept over a restart.
        Running = "running",
        // In effect until the next restart.
        Temporary = "temporary",
        // In place, in effect from the next reload.
        PendingReload = "pending-reload",
        Activating = "activating",
        // Known to the system, not in effect.
        Loaded = "loaded",
        NotRunning = "not-running",
        Failed = "failed",
        // A word the vendor's vocabulary does not know.
        Unknown = "unknown",
    }
}

impl From<HuaweiPatchState> for PatchState {
    fn from(state: HuaweiPatchState) -> PatchState {
        match state {
            HuaweiPatchState::Running => PatchState::Running,
            HuaweiPatchState::Activating => PatchState::Activating,
            // A trial patch that is not confirmed rolls back at a reboot.
            HuaweiPatchState::Active => PatchState::Temporary,
            HuaweiPatchState::Loaded => PatchState::Loaded,
            HuaweiPatchState::Deactivated | HuaweiPatchState::Idle => PatchState::NotRunning,
            HuaweiPatchState::Failed => PatchState::Failed,
            HuaweiPatchState::Unknown => PatchState::Unknown,
        }
    }
}

impl From<OpenScapePatchState> for PatchState {
    fn from(state: OpenScapePatchState) -> PatchState {
        match state {
            OpenScapePatchState::HdAndRam => PatchState::Running,
            // Main memory only: lost at the next reload.
            OpenScapePatchState::RamOnly => PatchState::Temporary,
            // On the hard disk only: in effect when the subsystem is loaded again.
            OpenScapePatchState::HdOnly => PatchState::PendingReload,
            OpenScapePatchState::Inactive => PatchState::NotRunning,
        }
    }
}

/// Whether PAL or SPARTS re-applies a PRSU after a reload (the AOR flag)
/// is not its state: rule 20013 judges it.
impl From<PrsuStatus> for PatchState {
    fn from(status: PrsuStatus) -> PatchState {
        match status {
            PrsuStatus::Applied => PatchState::Running,
            PrsuStatus::Validated => PatchState::Loaded,
            PrsuStatus::Removed => PatchState::NotRunning,
        }
    }
}

/// One patch in one place.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PatchStateRow {
    /// the patch as the vendor names it: Huawei patch, OpenScape PATNO, DMS
    /// PRSU, cluster installer PATCH
    pub name: String,
    /// where it is in that state: Huawei `NE` or `NE board B slot S`;
    /// OpenScape the subsystem; DMS the DEST; cluster installer the node's
    /// hostname
    #[serde(rename = "where")]
    pub place: String,
    /// running: in effect, and kept over a restart; temporary: in effect
    /// until the next restart (Huawei active (trial), OpenScape ram-only);
    /// pending-reload: in place, in effect from the next reload (OpenScape
    /// hd-only); activating (Huawei); loaded: known to the system, not in
    /// effect (Huawei loaded, DMS validated); not-running: deactivated,
    /// idle, inactive, removed; failed: Huawei failed, or the installer's
    /// last run of it did not complete or was rolled back; unknown: a word
    /// the vendor's vocabulary does not know
    pub state: PatchState,
    /// the state in the vendor's words: Huawei as exported; OpenScape
    /// hd&ram, ram-only, hd-only or inactive (from the catalog's H and RAM
    /// columns); DMS as printed; cluster installer `installed` (a history
    /// record), `install complete`, `rollback complete` or `start install
    /// patch` (the last line of the log's last run for it)
    pub vendor_state: String,
    /// the vendor fact the row comes from: patches, openscape_patches,
    /// prsm_prsus, cluster_patch or patch_run
    pub fact: &'static str,
    /// {file, line}
    pub source: Source,
}

/// The rows one vendor's facts give, or why there are none.
type Rows = fn(&mut NodeFacts) -> Result<Vec<PatchStateRow>, FactProblem>;

pub fn build(facts: &mut NodeFacts) -> FactResult {
    let mut rows = Vec::new();
    let mut looked_for = Vec::new();
    let sources: [(&str, Rows); 4] = [
        ("patches", huawei),
        ("openscape_patches", openscape),
        ("prsm_prsus", dms),
        ("cluster_patch", cluster_installer),
    ];
    let mut found = false;
    for (fact, read) in sources {
        match read(facts) {
            Ok(mut more) => {
                found = true;
                rows.append(&mut more);
            }
            Err(FactProblem::Missing { looked_for: l, .. }) => {
                looked_for.extend(l.into_iter().map(|p| format!("{p} (for {fact})")));
            }
            Err(other) => return Err(other),
        }
    }
    if !found {
        return Err(FactProblem::Missing {
            input: "patch states (Huawei patches, OpenScape patch catalog, PRSM PRSU set or \
                    cluster patch installer)"
                .into(),
            looked_for,
        });
    }
    to_fact(&rows)
}

/// The rows of vendor fact `name`, read through `T`: the vendor facts are
/// built here, so a field they lose is a bug the tests catch.
fn rows_of<T: for<'de> Deserialize<'de>>(
    facts: &mut NodeFacts,
    name: &str,
) -> Result<T, FactProblem> {
    let value = facts.get(name)?;
    serde_json::from_value(value).map_err(|e| FactProblem::Malformed {
        path: name.into(),
        line: 0,
        reason: format!("the {name} fact does not have the shape patch_state reads: {e}"),
    })
}

#[derive(Deserialize)]
struct HuaweiPatch {
    patch: String,
    #[serde(rename = "where")]
    place: String,
    state: HuaweiPatchState,
    raw_state: String,
    source: Source,
}

fn huawei(facts: &mut NodeFacts) -> Result<Vec<PatchStateRow>, FactProblem> {
    let patches: Vec<HuaweiPatch> = rows_of(facts, "patches")?;
    Ok(patches
        .into_iter()
        .map(|p| PatchStateRow {
            state: p.state.into(),
            name: p.patch,
            place: p.place,
            vendor_state: p.raw_state,
            fact: "patches",
            source: p.source,
        })
        .collect())
}

#[derive(Deserialize)]
struct OpenScapePatch {
    patno: String,
    subsystem: String,
    state: OpenScapePatchState,
    source: Source,
}

fn openscape(facts: &mut NodeFacts) -> Result<Vec<PatchStateRow>, FactProblem> {
    let patches: Vec<OpenScapePatch> = rows_of(facts, "openscape_patches")?;
    Ok(patches
        .into_iter()
        .map(|p| PatchStateRow {
            state: p.state.into(),
            name: p.patno,
            place: p.subsystem,
            vendor_state: p.state.to_string(),
            fact: "openscape_patches",
            source: p.source,
        })
        .collect())
}

#[derive(Deserialize)]
struct Prsu {
    prsu: String,
    dest: String,
    status: PrsuStatus,
    raw_status: String,
    source: Source,
}

fn dms(facts: &mut NodeFacts) -> Result<Vec<PatchStateRow>, FactProblem> {
    let prsus: Vec<Prsu> = rows_of(facts, "prsm_prsus")?;
    Ok(prsus
        .into_iter()
        .map(|p| PatchStateRow {
            state: p.status.into(),
            name: p.prsu,
            place: p.dest,
            vendor_state: p.raw_status,
            fact: "prsm_prsus",
            source: p.source,
        })
        .collect())
}

#[derive(Deserialize)]
struct Installer {
    installed: bool,
    patches: Vec<HistoryPatch>,
}

#[derive(Deserialize)]
struct HistoryPatch {
    patch: String,
    source: Source,
}

#[derive(Deserialize)]
struct Run {
    started: bool,
    completed: bool,
    rolled_back: bool,
    start: Option<HistoryPatch>,
}

/// The history's patches are installed; the last run's patch, when that
/// run did not complete, failed, and its row replaces a history record of
/// the same patch (the log is the later word). Without a patch.conf the
/// node runs no installer: missing here.
fn cluster_installer(facts: &mut NodeFacts) -> Result<Vec<PatchStateRow>, FactProblem> {
    let installer: Installer = rows_of(facts, "cluster_patch")?;
    if !installer.installed {
        return Err(FactProblem::Missing {
            input: "patch-conf".into(),
            looked_for: looked_for(facts, "patch-conf"),
        });
    }
    let host = facts.node.name();
    let row = |p: HistoryPatch, state, vendor_state: &str, fact| PatchStateRow {
        name: p.patch,
        place: host.clone(),
        state,
        vendor_state: vendor_state.to_string(),
        fact,
        source: p.source,
    };
    let mut rows: Vec<PatchStateRow> = installer
        .patches
        .into_iter()
        .map(|p| row(p, PatchState::Running, "installed", "cluster_patch"))
        .collect();
    let run: Option<Run> = match rows_of(facts, "patch_run") {
        Ok(run) => Some(run),
        Err(FactProblem::Missing { .. }) => None,
        Err(other) => return Err(other),
    };
    let Some(Run {
        started: true,
        completed,
        rolled_back,
        start: Some(start),
    }) = run
    else {
        return Ok(rows);
    };
    let (state, said) = match (completed, rolled_back) {
        (true, _) => (PatchState::Running, "install complete"),
        (false, true) => (PatchState::Failed, "rollback complete"),
        (false, false) => (PatchState::Failed, "start install patch"),
    };
    let known = rows.iter().position(|r| r.name == start.patch);
    match known {
        Some(_) if completed => {}
        Some(i) => rows[i] = row(start, state, said, "patch_run"),
        None => rows.push(row(start, state, said, "patch_run")),
    }
    Ok(rows)
}

/// Where input `name` was looked for on this node.
fn looked_for(facts: &NodeFacts, name: &str) -> Vec<String> {
    crate::snapshot::input_spec(name)
        .map(|spec| facts.node.resolve(spec).err().unwrap_or_default())
        .unwrap_or_default()
}
