//! OpenScape 4000 patches (AMO PATCH): the patch catalog with where each
//! patch is active (hard disk, main memory), the patch files in E-file
//! format from the `:PDS:` area, and the installed APS with its
//! subsystems.

use serde_json::{Map, Value as Json, json};

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, parsed};
use super::spec::{Build, FactSpec, Fields, source};
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
    fields: Fields::Listed(&[
        (
            "subsystem",
            "string",
            "subsystem with correction version, e.g. ZMIPTCH0.D.10.031",
        ),
        ("group", "string|null", "group identifier (GRPID)"),
        (
            "patno",
            "string",
            "patch number without markers, e.g. PA10001",
        ),
        (
            "test_no",
            "bool",
            "marked `*`: added with TEST=N, without consistency check",
        ),
        ("mega_patch", "bool", "marked `+`: activated by MegaPatch"),
        (
            "hard_disk",
            "bool",
            "H (HD) column `X`: active on the hard disk, in the PGLIB",
        ),
        (
            "memory",
            "bool",
            "active in main memory: an `X` in any RAM column (A, VMS, TCS, BP, G)",
        ),
        (
            "memory_units",
            "list",
            "the memory units it is active in: ADS, V1–V3, T1–T3, BPA, BPB, GP",
        ),
        (
            "active",
            "bool",
            "active on the hard disk or in main memory",
        ),
        (
            "state",
            "string",
            "hd&ram, ram-only (lost at the next reload), hd-only (not in effect until the \
             next reload), inactive",
        ),
        (
            "changed_at",
            "string|null",
            "HHMM DDMMYY as `YYYY-MM-DD HH:MM`: the last adding or (de)activation on the \
             hard disk",
        ),
        ("source", "map", "{file, line}"),
    ]),
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
    fields: Fields::Listed(&[
        (
            "file",
            "string",
            "path inside the node folder, e.g. pds/PATCH/PA10001.E",
        ),
        (
            "patch_id",
            "string|null",
            "PATCH# as printed, e.g. PA10001.E01",
        ),
        (
            "patno",
            "string|null",
            "PATCH# before its first `.`, upper case: the catalog's patch number",
        ),
        ("aps_name", "string|null", "APS-NAME"),
        ("subsystem", "string|null", "SUBSYSTEM"),
        (
            "subsystem_name",
            "string|null",
            "SUBSYSTEM before its first `.`, e.g. ZMIPTCH0",
        ),
        (
            "correction_key",
            "string|null",
            "the source correction version (SUBSYSTEM after its first `.`) as a key that \
             sorts as versions do (numeric parts padded to ten digits); null without one",
        ),
        ("date", "string|null", "DATE (DD.MM.YY)"),
        ("activation", "string|null", "ACTIVATION as printed"),
        (
            "related",
            "list",
            "patch numbers named by RELATED PATCHES (split at commas, spaces, `;` and `&`; \
             `-` and `NONE` name none), upper case",
        ),
        (
            "fields",
            "map",
            "every header value by label (`PATCH#`, `MRCAT#`, …); repeated ERROR DESCRIPT. \
             lines joined with a space; a label absent from the header is absent",
        ),
        (
            "problems",
            "list",
            "{line, reason, source}: header defects (unknown or repeated label, labels and \
             values that do not pair up, bad DATE or area)",
        ),
        ("blocks", "int", "patched areas (BYTE … LENGTH blocks)"),
        (
            "address_check",
            "string",
            "the address check of AMO PATCH: inside (every block lies within the CODE AREA \
             or the DATE AREA of the header), outside (some block does not), no-areas (the \
             header gives neither area, so nothing to check against)",
        ),
        (
            "outside_blocks",
            "list",
            "{line, address, length, source} of each block outside both areas",
        ),
        (
            "old_data",
            "string",
            "secured (every block holds as many old data bytes as its LENGTH), reserved (a \
             block holds only the blank area reserved for old data), incomplete (fewer or \
             more bytes than LENGTH), absent (a block has no OLD DATA comment)",
        ),
        ("source", "map", "{file, line} of the SOH line"),
    ]),
};

pub const INSTALLED_APS: FactSpec = FactSpec {
    name: "installed_aps",
    always: false,
    build: Build::Node(build_installed_aps),
    diff: None,
    inputs: &["installed-aps"],
    summary: "The installed OpenScape 4000 APS and its subsystems with their correction \
              versions (exports/installed-aps.txt).",
    fields: Fields::Listed(&[
        ("aps", "string", "APS name, e.g. SP300-V10.031"),
        (
            "subsystem",
            "string",
            "subsystem with correction version, e.g. ZMIPTCH0.D.10.031",
        ),
        ("name", "string", "subsystem name before the first `.`"),
        (
            "correction",
            "string|null",
            "correction version, e.g. D.10.031",
        ),
        (
            "correction_key",
            "string|null",
            "the correction version as a key that sorts as versions do",
        ),
        (
            "dummy",
            "string|null",
            "the valid dummy correction version of the subsystem header (DUMMY column), \
             e.g. D.10.027; null when none is given",
        ),
        ("dummy_key", "string|null", "the dummy as a sortable key"),
        ("source", "map", "{file, line}"),
    ]),
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

pub fn build_openscape_patches(facts: &mut NodeFacts) -> FactResult {
    let (rel, outcome) = facts.parse("amo-patch-catalog", amo_patch_catalog::parse)?;
    let entries = parsed(&rel, outcome)?;
    Ok(Json::Array(
        entries
            .iter()
            .map(|e| {
                let memory = !e.memory_units.is_empty();
                let state = OpenScapePatchState::of(e.hard_disk, memory);
                json!({
                    "subsystem": e.subsystem,
                    "group": e.group,
                    "patno": e.patno,
                    "test_no": e.test_no,
                    "mega_patch": e.mega_patch,
                    "hard_disk": e.hard_disk,
                    "memory": memory,
                    "memory_units": e.memory_units,
                    "active": e.hard_disk || memory,
                    "state": state,
                    "changed_at": e.changed_at,
                    "source": source(&rel, e.line),
                })
            })
            .collect(),
    ))
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

fn patch_file_json(file: &PatchFile, node_rel: &str, shown: &str) -> Json {
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
    json!({
        "file": node_rel,
        "patch_id": patch_id,
        "patno": patno,
        "aps_name": value("APS-NAME"),
        "subsystem": value("SUBSYSTEM"),
        "subsystem_name": subsystem.map(|(name, _)| name),
        "correction_key": subsystem
            .map(|(_, cv)| cv)
            .filter(|cv| !cv.is_empty())
            .map(correction_key),
        "date": value("DATE"),
        "activation": value("ACTIVATION"),
        "related": related(value("RELATED PATCHES")),
        "fields": fields,
        "problems": file.problems.iter().map(|p| json!({
            "line": p.line,
            "reason": p.reason,
            "source": source(shown, p.line),
        })).collect::<Vec<_>>(),
        "blocks": file.blocks.len(),
        "address_check": address_check,
        "outside_blocks": outside_blocks,
        "old_data": old,
        "source": source(shown, file.line),
    })
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
        out.push(patch_file_json(&file, &rel, &shown));
    }
    Ok(Json::Array(out))
}

pub fn build_installed_aps(facts: &mut NodeFacts) -> FactResult {
    let (rel, outcome) = facts.parse("installed-aps", installed_aps::parse)?;
    let list = parsed(&rel, outcome)?;
    Ok(Json::Array(
        list.iter()
            .map(|s| {
                json!({
                    "aps": s.aps,
                    "subsystem": s.subsystem,
                    "name": s.name,
                    "correction": s.correction,
                    "correction_key": s.correction.as_deref().map(correction_key),
                    "dummy": s.dummy,
                    "dummy_key": s.dummy.as_deref().map(correction_key),
                    "source": source(&rel, s.line),
                })
            })
            .collect(),
    ))
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
