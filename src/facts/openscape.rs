//! OpenScape 4000 patches (AMO PATCH): the patch catalog with where each
//! patch is active (hard disk, main memory), the patch files in E-file
//! format from the `:PDS:` area, and the installed APS with its
//! subsystems.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value as Json, json};

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, parsed};
use super::spec::{Build, FactSpec, Source, source, to_fact, typed};
use crate::model::vocabulary::vocabulary;
use crate::parse::vendor::amo_patch_file::{OldData, PatchFile, address_parts, area_bounds};
use crate::parse::vendor::installed_aps::correction_key;
use crate::parse::vendor::{amo_patch_catalog, amo_patch_file, installed_aps};

/// Where the patch files of the `:PDS:` area are copied in a snapshot.
pub const PDS_DIR: &str = "pds";

pub const OPENSCAPE_PATCHES: FactSpec = FactSpec {
    name: "openscape_patches",
    always: false,
    build: Build::Node(build_openscape_patches),
    diff: None,
    inputs: &["amo-patch-catalog"],
    summary: "The OpenScape 4000 patch catalog as DISPLAY-PATCH:SYS; lists it \
              (exports/display-patch.txt): one map per catalogued patch.",
    schema: typed::<Vec<CatalogPatch>>,
};

pub const AMO_PATCH_FILES: FactSpec = FactSpec {
    name: "amo_patch_files",
    always: false,
    build: Build::Node(build_amo_patch_files),
    diff: None,
    inputs: &["amo-patch-files"],
    summary: "The OpenScape 4000 patch files in E-file format copied from the :PDS: area \
              (every file under pds/), one map per file in path order. Missing when the \
              snapshot has no pds/ folder.",
    schema: typed::<Vec<PatchFileFact>>,
};

pub const INSTALLED_APS: FactSpec = FactSpec {
    name: "installed_aps",
    always: false,
    build: Build::Node(build_installed_aps),
    diff: None,
    inputs: &["installed-aps"],
    summary: "The installed OpenScape 4000 APS and its subsystems with their correction \
              versions (exports/installed-aps.txt).",
    schema: typed::<Vec<Subsystem>>,
};

vocabulary! {
    /// Where a catalogued patch is active: on the hard disk (the PGLIB),
    /// in main memory, both or neither.
    pub enum OpenScapePatchState {
        HdAndRam = "hd&ram",
        // In main memory only: lost at the next reload.
        RamOnly = "ram-only",
        // On the hard disk only: in effect from the next reload.
        HdOnly = "hd-only",
        Inactive = "inactive",
    }
}

impl OpenScapePatchState {
    /// The state of a patch active (or not) on the hard disk and in memory.
    pub fn of(hard_disk: bool, memory: bool) -> OpenScapePatchState {
        match (hard_disk, memory) {
            (true, true) => OpenScapePatchState::HdAndRam,
            (false, true) => OpenScapePatchState::RamOnly,
            (true, false) => OpenScapePatchState::HdOnly,
            (false, false) => OpenScapePatchState::Inactive,
        }
    }
}

vocabulary! {
    /// How far the old data of a patch file lets a deactivation restore
    /// the code, by its worst block (the order here, worst first).
    pub enum OldDataState {
        // A block has no OLD DATA comment.
        Absent = "absent",
        // A block holds only the blank area reserved for old data.
        Reserved = "reserved",
        // A block holds fewer or more old data bytes than its LENGTH.
        Incomplete = "incomplete",
        // Every block holds as many old data bytes as its LENGTH.
        Secured = "secured",
    }
}

vocabulary! {
    /// The address check of AMO PATCH on a patch file's blocks.
    pub enum AddressCheck {
        // Every block lies within the CODE AREA or the DATE AREA.
        Inside = "inside",
        // Some block does not.
        Outside = "outside",
        // The header gives neither area.
        NoAreas = "no-areas",
    }
}

/// A patch of the catalog.
#[derive(Serialize, JsonSchema)]
struct CatalogPatch {
    /// subsystem with correction version, e.g. ZMIPTCH0.D.10.031
    subsystem: String,
    /// group identifier (GRPID)
    group: Option<String>,
    /// patch number without markers, e.g. PA10001
    patno: String,
    /// marked `*`: added with TEST=N, without consistency check
    test_no: bool,
    /// marked `+`: activated by MegaPatch
    mega_patch: bool,
    /// H (HD) column `X`: active on the hard disk, in the PGLIB
    hard_disk: bool,
    /// active in main memory: an `X` in any RAM column (A, VMS, TCS, BP, G)
    memory: bool,
    /// the memory units it is active in: ADS, V1–V3, T1–T3, BPA, BPB, GP
    memory_units: Vec<&'static str>,
    /// active on the hard disk or in main memory
    active: bool,
    /// where it is active: ram-only is lost at the next reload, hd-only is
    /// not in effect until the next reload
    state: OpenScapePatchState,
    /// HHMM DDMMYY as `YYYY-MM-DD HH:MM`: the last adding or (de)activation
    /// on the hard disk
    changed_at: Option<String>,
    /// {file, line}
    source: Source,
}

/// A patch file of the :PDS: area.
#[derive(Serialize, JsonSchema)]
struct PatchFileFact {
    /// path inside the node folder, e.g. pds/PATCH/PA10001.E
    file: String,
    /// PATCH# as printed, e.g. PA10001.E01
    patch_id: Option<String>,
    /// PATCH# before its first `.`, upper case: the catalog's patch number
    patno: Option<String>,
    /// APS-NAME
    aps_name: Option<String>,
    /// SUBSYSTEM
    subsystem: Option<String>,
    /// SUBSYSTEM before its first `.`, e.g. ZMIPTCH0
    subsystem_name: Option<String>,
    /// the source correction version (SUBSYSTEM after its first `.`) as a
    /// key that sorts as versions do (numeric parts padded to ten digits);
    /// null without one
    correction_key: Option<String>,
    /// DATE (DD.MM.YY)
    date: Option<String>,
    /// ACTIVATION as printed
    activation: Option<String>,
    /// patch numbers named by RELATED PATCHES (split at commas, spaces, `;`
    /// and `&`; `-` and `NONE` name none), upper case
    related: Vec<String>,
    /// every header value by label (`PATCH#`, `MRCAT#`, …); repeated ERROR
    /// DESCRIPT. lines joined with a space; a label absent from the header
    /// is absent
    fields: Map<String, Json>,
    /// {line, reason, source}: header defects (unknown or repeated label,
    /// labels and values that do not pair up, bad DATE or area)
    problems: Vec<Json>,
    /// patched areas (BYTE … LENGTH blocks)
    blocks: usize,
    /// the address check of AMO PATCH: inside (every block lies within the
    /// CODE AREA or the DATE AREA of the header), outside (some block does
    /// not), no-areas (the header gives neither area, so nothing to check
    /// against)
    address_check: AddressCheck,
    /// {line, address, length, source} of each block outside both areas
    outside_blocks: Vec<Json>,
    /// how far the old data lets a deactivation restore the code: secured
    /// (every block holds as many old data bytes as its LENGTH), reserved (a
    /// block holds only the blank area reserved for old data), incomplete
    /// (fewer or more bytes than LENGTH), absent (a block has no OLD DATA
    /// comment)
    old_data: OldDataState,
    /// {file, line} of the SOH line
    source: Source,
}

/// A subsystem of the installed APS.
#[derive(Serialize, JsonSchema)]
struct Subsystem {
    /// APS name, e.g. SP300-V10.031
    aps: String,
    /// subsystem with correction version, e.g. ZMIPTCH0.D.10.031
    subsystem: String,
    /// subsystem name before the first `.`
    name: String,
    /// correction version, e.g. D.10.031
    correction: Option<String>,
    /// the correction version as a key that sorts as versions do
    correction_key: Option<String>,
    /// the valid dummy correction version of the subsystem header (DUMMY
    /// column), e.g. D.10.027; null when none is given
    dummy: Option<String>,
    /// the dummy as a sortable key
    dummy_key: Option<String>,
    /// {file, line}
    source: Source,
}

pub fn build_openscape_patches(facts: &mut NodeFacts) -> FactResult {
    let (rel, outcome) = facts.parse("amo-patch-catalog", amo_patch_catalog::parse)?;
    let entries = parsed(&rel, outcome)?;
    let patches: Vec<CatalogPatch> = entries
        .into_iter()
        .map(|e| {
            let memory = !e.memory_units.is_empty();
            CatalogPatch {
                source: Source::new(&rel, e.line),
                state: OpenScapePatchState::of(e.hard_disk, memory),
                active: e.hard_disk || memory,
                subsystem: e.subsystem,
                group: e.group,
                patno: e.patno,
                test_no: e.test_no,
                mega_patch: e.mega_patch,
                hard_disk: e.hard_disk,
                memory,
                memory_units: e.memory_units,
                changed_at: e.changed_at,
            }
        })
        .collect();
    to_fact(&patches)
}

/// Patch numbers of a RELATED PATCHES value.
fn related(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or("")
        .split(|c: char| c == ',' || c == ';' || c == '&' || c.is_whitespace())
        .filter(|p| !p.is_empty() && *p != "-" && !p.eq_ignore_ascii_case("NONE"))
        .map(str::to_ascii_uppercase)
        .collect()
}

/// How far the old data of a file lets a deactivation restore the code.
fn old_data(file: &PatchFile) -> OldDataState {
    let state = |b: &amo_patch_file::PatchBlock| match b.old_data {
        OldData::Absent => OldDataState::Absent,
        OldData::Reserved => OldDataState::Reserved,
        OldData::Bytes if b.old_bytes as u64 != b.length => OldDataState::Incomplete,
        OldData::Bytes => OldDataState::Secured,
    };
    (file.blocks.iter().map(state).min()).unwrap_or(OldDataState::Secured)
}

/// The areas of the subsystem a patch file's header gives.
const AREAS: [&str; 2] = ["CODE AREA (B,E)", "DATE AREA (B,E)"];

/// The address check AMO PATCH makes when it (de)activates a patch: every
/// patched block must lie in the subsystem, here within one of the areas
/// the header gives. The status, and the blocks outside.
fn address_check(file: &PatchFile, shown: &str) -> (AddressCheck, Vec<Json>) {
    let areas: Vec<_> = AREAS
        .iter()
        .filter_map(|label| file.field(label))
        .filter_map(area_bounds)
        .collect();
    if areas.is_empty() {
        return (AddressCheck::NoAreas, vec![]);
    }
    let outside: Vec<Json> = file
        .blocks
        .iter()
        .filter(|b| {
            let Some((seg, off)) = address_parts(&b.address) else {
                return true;
            };
            let last = (seg, off.saturating_add(b.length.saturating_sub(1)));
            !areas
                .iter()
                .any(|(begin, end)| *begin <= (seg, off) && last <= *end)
        })
        .map(|b| {
            json!({
                "line": b.line,
                "address": b.address,
                "length": b.length,
                "source": source(shown, b.line),
            })
        })
        .collect();
    let status = if outside.is_empty() {
        AddressCheck::Inside
    } else {
        AddressCheck::Outside
    };
    (status, outside)
}

fn patch_file_fact(file: &PatchFile, node_rel: &str, shown: &str) -> PatchFileFact {
    let mut fields = Map::new();
    for f in &file.fields {
        match fields.get_mut(f.label) {
            Some(Json::String(v)) if f.label == "ERROR DESCRIPT." => {
                v.push(' ');
                v.push_str(&f.value);
            }
            Some(_) => {}
            None => {
                fields.insert(f.label.to_string(), json!(f.value));
            }
        }
    }
    let value = |label: &str| file.field(label).filter(|v| !v.is_empty());
    let patch_id = value("PATCH#");
    let patno = patch_id.map(|p| p.split('.').next().unwrap_or(p).trim().to_ascii_uppercase());
    let old = old_data(file);
    let subsystem = value("SUBSYSTEM").map(|s| s.split_once('.').unwrap_or((s, "")));
    let (address_check, outside_blocks) = address_check(file, shown);
    let text = |v: Option<&str>| v.map(str::to_string);
    PatchFileFact {
        file: node_rel.to_string(),
        patch_id: text(patch_id),
        patno,
        aps_name: text(value("APS-NAME")),
        subsystem: text(value("SUBSYSTEM")),
        subsystem_name: text(subsystem.map(|(name, _)| name)),
        correction_key: subsystem
            .map(|(_, cv)| cv)
            .filter(|cv| !cv.is_empty())
            .map(correction_key),
        date: text(value("DATE")),
        activation: text(value("ACTIVATION")),
        related: related(value("RELATED PATCHES")),
        fields,
        problems: file
            .problems
            .iter()
            .map(|p| json!({"line": p.line, "reason": p.reason, "source": source(shown, p.line)}))
            .collect(),
        blocks: file.blocks.len(),
        address_check,
        outside_blocks,
        old_data: old,
        source: Source::new(shown, file.line),
    }
}

pub fn build_amo_patch_files(facts: &mut NodeFacts) -> FactResult {
    if !facts.node.is_dir(&facts.node.dir.join(PDS_DIR)) {
        return Err(FactProblem::Missing {
            input: "amo-patch-files".into(),
            looked_for: vec![format!("{PDS_DIR}/**")],
        });
    }
    let prefix = format!("{PDS_DIR}/");
    let files: Vec<String> = facts
        .files()
        .iter()
        .filter(|f| f.starts_with(&prefix))
        .cloned()
        .collect();
    let mut out = Vec::new();
    for rel in files {
        let path = facts.node.dir.join(&rel);
        let (shown, outcome) = facts.parse_file(&path, amo_patch_file::parse)?;
        let file = parsed(&shown, outcome)?;
        out.push(patch_file_fact(&file, &rel, &shown));
    }
    to_fact(&out)
}

pub fn build_installed_aps(facts: &mut NodeFacts) -> FactResult {
    let (rel, outcome) = facts.parse("installed-aps", installed_aps::parse)?;
    let list = parsed(&rel, outcome)?;
    let subsystems: Vec<Subsystem> = list
        .into_iter()
        .map(|s| Subsystem {
            source: Source::new(&rel, s.line),
            correction_key: s.correction.as_deref().map(correction_key),
            dummy_key: s.dummy.as_deref().map(correction_key),
            aps: s.aps,
            subsystem: s.subsystem,
            name: s.name,
            correction: s.correction,
            dummy: s.dummy,
        })
        .collect();
    to_fact(&subsystems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::vendor::amo_patch_file::PatchBlock;

    fn block(old_data: OldData, old_bytes: usize, length: u64) -> PatchBlock {
        PatchBlock {
            line: 1,
            address: "01:01".into(),
            length,
            old_data,
            old_bytes,
            new_bytes: length as usize,
        }
    }

    fn file(blocks: Vec<PatchBlock>) -> PatchFile {
        PatchFile {
            line: 1,
            fields: vec![],
            problems: vec![],
            blocks,
        }
    }

    #[test]
    fn old_data_is_the_worst_block() {
        let secured = block(OldData::Bytes, 2, 2);
        assert_eq!(
            old_data(&file(vec![secured.clone()])),
            OldDataState::Secured
        );
        let short = block(OldData::Bytes, 1, 2);
        assert_eq!(
            old_data(&file(vec![secured.clone(), short])),
            OldDataState::Incomplete
        );
        let reserved = block(OldData::Reserved, 0, 2);
        assert_eq!(
            old_data(&file(vec![reserved, secured.clone()])),
            OldDataState::Reserved
        );
        let absent = block(OldData::Absent, 0, 2);
        assert_eq!(old_data(&file(vec![secured, absent])), OldDataState::Absent);
    }

    #[test]
    fn address_check_against_the_header_areas() {
        let mut f = file(vec![block(OldData::Bytes, 3, 3)]);
        f.blocks[0].address = "01A2B:0FFFD".into();
        assert_eq!(address_check(&f, "x").0, AddressCheck::NoAreas);
        f.fields.push(amo_patch_file::HeaderField {
            line: 1,
            label: "CODE AREA (B,E)",
            value: "01A2B:00000,01A2B:0FFFF".into(),
        });
        assert_eq!(address_check(&f, "x").0, AddressCheck::Inside);
        // One byte past the end of the code area.
        f.blocks[0].address = "01A2B:0FFFE".into();
        let (status, outside) = address_check(&f, "x");
        assert_eq!(status, AddressCheck::Outside);
        assert_eq!(outside[0]["address"], "01A2B:0FFFE");
        // Another segment is outside, unless the data area holds it.
        f.blocks[0].address = "02C00:00010".into();
        assert_eq!(address_check(&f, "x").0, AddressCheck::Outside);
        f.fields.push(amo_patch_file::HeaderField {
            line: 2,
            label: "DATE AREA (B,E)",
            value: "(02C00:00000,02C00:007FF)".into(),
        });
        assert_eq!(address_check(&f, "x").0, AddressCheck::Inside);
    }

    #[test]
    fn related_patches_split() {
        assert_eq!(
            related(Some("pa10001, PA10002;PA3 & PA4")),
            vec!["PA10001", "PA10002", "PA3", "PA4"]
        );
        assert!(related(Some("-")).is_empty());
        assert!(related(Some("NONE")).is_empty());
        assert!(related(None).is_empty());
    }
}
