//! DMS-100 PRSM (Post-Release Software Manager) patch state. The node is
//! the switch: PRSM runs on the CM, and the DESTs it patches (the CM, the
//! XPMs, the SPM units) are records of the node. The facts join PRSM's
//! PRSU set, DEST set and load PRSU sets with the SPM301 logs and the image
//! dump times, so rules can see what PAL (Patching After Loading, XPMs) and
//! SPARTS (SPM Patching After Return To Service) will do at the next
//! reload or RTS, and whether they did it.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value as Json;

use super::node::identity_fact;
use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, parsed};
use super::spec::{Build, FactSpec, Source, to_fact, typed};
use crate::parse::time::log_time;
use crate::parse::vendor::prsm_autoproc::{self, AutoprocStatus};
use crate::parse::vendor::prsm_dests::{self, Dest};
use crate::parse::vendor::prsm_images;
use crate::parse::vendor::prsm_loads;
use crate::parse::vendor::prsm_prsus::{self, PrsuRow, PrsuStatus};
use crate::parse::vendor::prsm_spm301::{self, Patchfail, Spm301};

pub const PRSM_DESTS: FactSpec = FactSpec {
    name: "prsm_dests",
    always: false,
    build: Build::Node(build_dests),
    diff: None,
    inputs: &["prsm-dests"],
    summary: "The DESTs PRSM patches (exports/prsm-dests.txt or .csv), one map per DEST.",
    schema: typed::<Vec<DestRow>>,
};

pub const PRSM_PRSUS: FactSpec = FactSpec {
    name: "prsm_prsus",
    always: false,
    build: Build::Node(build_prsus),
    diff: None,
    inputs: &["prsm-prsus", "prsm-dests"],
    summary: "PRSM's PRSU set (exports/prsm-prsus.txt or .csv): one map per PRSU and DEST, with \
              the DEST's type and loadname from the DEST set.",
    schema: typed::<Vec<PrsuFact>>,
};

pub const PRSM_AUDIT: FactSpec = FactSpec {
    name: "prsm_audit",
    always: false,
    build: Build::Node(build_audit),
    diff: None,
    inputs: &["prsm-prsus", "prsm-dests", "prsm-loads", "spm301-logs"],
    summary: "What PAL (XPM) or SPARTS (SPM) would find on each XPM and SPM DEST of the DEST \
              set: the PRSUs applied on it against the PRSUs of its loadname whose AOR flag is Y \
              on some DEST of the same type and loadname, and the last SPM301 patchfail report. \
              The SPM301 logs are needed only when the DEST set has SPM DESTs.",
    schema: typed::<Vec<Audit>>,
};

pub const PRSM_IMAGES: FactSpec = FactSpec {
    name: "prsm_images",
    always: false,
    build: Build::Node(build_images),
    diff: None,
    inputs: &["prsm-images", "prsm-prsus"],
    summary: "Each DEST's image (exports/prsm-images.txt or .csv) against the last PRSU apply \
              or remove on that DEST in the PRSU set.",
    schema: typed::<Vec<Image>>,
};

pub const PRSM_AUTOPROC: FactSpec = FactSpec {
    name: "prsm_autoproc",
    always: false,
    build: Build::Node(build_autoproc),
    diff: None,
    inputs: &["prsm-autoproc"],
    summary: "The PRSM automated processes and their status as AUTOPROC reports it \
              (exports/prsm-autoproc.txt or .csv), one map per process.",
    schema: typed::<Vec<Process>>,
};

/// A DEST of the DEST set.
#[derive(Serialize, JsonSchema)]
struct DestRow {
    /// DEST, upper case, e.g. `SPM 3 CEM 1`, `LTC 0`, `CM`
    dest: String,
    /// XPM, SPM, CM, …
    #[serde(rename = "type")]
    kind: String,
    /// the load the DEST runs
    loadname: String,
    /// the DEST is held (ASSIGN HOLD Y IN DESTSET): SPARTS cannot apply or
    /// remove PRSUs on it
    held: bool,
    /// {file, line}
    source: Source,
}

/// A PRSU on a DEST, with the DEST's type and loadname.
#[derive(Serialize, JsonSchema)]
struct PrsuFact {
    /// PRSU name, upper case
    prsu: String,
    /// category as printed; `???` when PRSM could not validate the PRSU
    /// from its file
    category: Option<String>,
    /// DEST
    dest: String,
    /// the DEST's type from the DEST set; from its name when the DEST set
    /// lacks it
    #[serde(rename = "type")]
    kind: String,
    /// the DEST's loadname; null when the DEST set lacks the DEST
    loadname: Option<String>,
    /// the status on this DEST
    status: PrsuStatus,
    /// status as printed
    raw_status: String,
    /// Apply On Reload flag on this DEST: Y, N or null
    aor: Option<&'static str>,
    /// AOR is Y for this PRSU on some DEST of the same type and loadname,
    /// which is what PAL and SPARTS go by; null without a loadname
    aor_in_office: Option<bool>,
    /// the PRSU is onhold (ASSIGN ONHOLD Y IN PRSUSET) on any row: its
    /// status is frozen
    onhold: bool,
    /// time of the last apply or remove, as printed
    changed: Option<String>,
    /// that time, seconds since 1970
    changed_epoch: Option<i64>,
    /// {file, line}
    source: Source,
}

/// What PAL or SPARTS would find on an XPM or SPM DEST.
#[derive(Serialize, JsonSchema)]
struct Audit {
    /// DEST
    dest: String,
    /// XPM or SPM
    #[serde(rename = "type")]
    kind: String,
    /// PAL (XPM) or SPARTS (SPM)
    process: &'static str,
    /// the DEST's loadname
    loadname: String,
    /// PRSUs applied on the DEST, sorted
    applied: Vec<String>,
    /// PRSUs of the loadname's set with AOR Y on some DEST of the same type
    /// and loadname
    expected: Vec<String>,
    /// applied but not expected: PAL/SPARTS would remove them
    extra: Vec<String>,
    /// expected but not applied: PAL/SPARTS would apply them
    missing: Vec<String>,
    /// the state of the last SPM301 report naming the DEST (or its SPM);
    /// null for XPMs and when there is none
    patchfail: Option<Patchfail>,
    /// that report's date and time as printed
    patchfail_time: Option<String>,
    /// that time, seconds since 1970, in the year that puts it at most two
    /// days after collected_at; null without collected_at
    patchfail_epoch: Option<i64>,
    /// its `Reason:` line
    patchfail_reason: Option<String>,
    /// {file, line} of that report
    patchfail_source: Option<Source>,
    /// {file, line} of the DEST and of its PRSU rows that differ
    #[schemars(with = "Vec<Json>")]
    sources: Vec<Source>,
    /// {file, line} of the DEST in the DEST set
    source: Source,
}

/// A DEST's image against the last PRSU change on it.
#[derive(Serialize, JsonSchema)]
struct Image {
    /// DEST
    dest: String,
    /// image or file name
    image: Option<String>,
    /// dump time as printed
    dumped: String,
    /// dump time, seconds since 1970
    dumped_epoch: i64,
    /// the latest time a PRSU was applied or removed on the DEST, as printed
    last_change: Option<String>,
    /// that time, seconds since 1970
    last_change_epoch: Option<i64>,
    /// the PRSU of that change
    last_change_prsu: Option<String>,
    /// the PRSU's status after that change (never validated)
    last_change_status: Option<PrsuStatus>,
    /// a PRSU was applied or removed after the dump; null when it cannot be
    /// told (a PRSU applied or removed on the DEST has no date)
    stale: Option<bool>,
    /// {file, line}
    source: Source,
}

/// An automated process and its status.
#[derive(Serialize, JsonSchema)]
struct Process {
    /// process name, upper case, e.g. SPARTS, PAL
    process: String,
    /// as AUTOPROC reports it: stopped by AUTOPROC STOP, delayed by
    /// AUTOPROC DELAY
    status: AutoprocStatus,
    /// status as printed
    raw_status: String,
    /// until when a delayed process waits, as printed
    until: Option<String>,
    /// {file, line}
    source: Source,
}

/// The DEST set, parsed once per node: three facts are built from it.
fn read_dests(facts: &mut NodeFacts) -> Result<(String, Vec<Dest>), FactProblem> {
    let once = facts.derived("prsm-dests parsed", |facts| {
        let (rel, outcome) = facts.parse("prsm-dests", prsm_dests::parse)?;
        Ok((rel.clone(), parsed(&rel, outcome)?))
    });
    Result::clone(&once)
}

/// The PRSU list, parsed once per node: three facts are built from it.
fn read_prsus(facts: &mut NodeFacts) -> Result<(String, Vec<PrsuRow>), FactProblem> {
    let once = facts.derived("prsm-prsus parsed", |facts| {
        let (rel, outcome) = facts.parse("prsm-prsus", prsm_prsus::parse)?;
        Ok((rel.clone(), parsed(&rel, outcome)?))
    });
    Result::clone(&once)
}

pub fn build_autoproc(facts: &mut NodeFacts) -> FactResult {
    let (rel, outcome) = facts.parse("prsm-autoproc", prsm_autoproc::parse)?;
    let processes = parsed(&rel, outcome)?;
    let processes: Vec<Process> = processes
        .into_iter()
        .map(|p| Process {
            source: Source::new(&rel, p.line),
            process: p.process,
            status: p.status,
            raw_status: p.raw_status,
            until: p.until,
        })
        .collect();
    to_fact(&processes)
}

pub fn build_dests(facts: &mut NodeFacts) -> FactResult {
    let (rel, dests) = read_dests(facts)?;
    let dests: Vec<DestRow> = dests
        .into_iter()
        .map(|d| DestRow {
            source: Source::new(&rel, d.line),
            dest: d.dest,
            kind: d.kind,
            loadname: d.loadname,
            held: d.held,
        })
        .collect();
    to_fact(&dests)
}

/// PRSU rows joined with their DEST.
struct Joined<'a> {
    row: &'a PrsuRow,
    kind: String,
    loadname: Option<&'a str>,
}

fn join<'a>(rows: &'a [PrsuRow], dests: &'a [Dest]) -> Vec<Joined<'a>> {
    let by_name: BTreeMap<&str, &Dest> = dests.iter().map(|d| (d.dest.as_str(), d)).collect();
    rows.iter()
        .map(|row| match by_name.get(row.dest.as_str()) {
            Some(d) => Joined {
                row,
                kind: d.kind.clone(),
                loadname: Some(&d.loadname),
            },
            None => Joined {
                row,
                kind: prsm_dests::kind_of(&row.dest),
                loadname: None,
            },
        })
        .collect()
}

/// (PRSU, type, loadname) with AOR Y on some DEST.
fn aor_y<'a>(joined: &'a [Joined<'a>]) -> BTreeSet<(&'a str, &'a str, &'a str)> {
    joined
        .iter()
        .filter(|j| j.row.aor == Some(true))
        .filter_map(|j| Some((j.row.prsu.as_str(), j.kind.as_str(), j.loadname?)))
        .collect()
}

pub fn build_prsus(facts: &mut NodeFacts) -> FactResult {
    let (rel, rows) = read_prsus(facts)?;
    let (_, dests) = read_dests(facts)?;
    let joined = join(&rows, &dests);
    let aor = aor_y(&joined);
    let onhold: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.onhold == Some(true))
        .map(|r| r.prsu.as_str())
        .collect();
    let prsus: Vec<PrsuFact> = joined
        .iter()
        .map(|j| {
            let r = j.row;
            let in_office = j
                .loadname
                .map(|l| aor.contains(&(r.prsu.as_str(), j.kind.as_str(), l)));
            PrsuFact {
                prsu: r.prsu.clone(),
                category: r.category.clone(),
                dest: r.dest.clone(),
                kind: j.kind.clone(),
                loadname: j.loadname.map(str::to_string),
                status: r.status,
                raw_status: r.raw_status.clone(),
                aor: r.aor.map(|y| if y { "Y" } else { "N" }),
                aor_in_office: in_office,
                onhold: onhold.contains(r.prsu.as_str()),
                changed: r.changed.clone(),
                changed_epoch: r.changed_epoch,
                source: Source::new(&rel, r.line),
            }
        })
        .collect();
    to_fact(&prsus)
}

/// The last SPM301 report for `dest`: one naming it, or naming its SPM
/// (`SPM 3` for `SPM 3 CEM 1`).
fn last_report<'r>(reports: &'r [Spm301], dest: &str) -> Option<&'r Spm301> {
    reports
        .iter()
        .rev()
        .find(|r| r.dest == dest || dest.starts_with(&format!("{} ", r.dest)))
}

pub fn build_audit(facts: &mut NodeFacts) -> FactResult {
    let (prsu_rel, rows) = read_prsus(facts)?;
    let (dest_rel, dests) = read_dests(facts)?;
    let (load_rel, outcome) = facts.parse("prsm-loads", prsm_loads::parse)?;
    let loads = parsed(&load_rel, outcome)?;
    // Only SPMs have SPARTS and SPM301 logs: an office without them needs none.
    let (log_rel, reports) = if dests.iter().any(|d| d.kind == "SPM") {
        let (rel, outcome) = facts.parse("spm301-logs", prsm_spm301::parse)?;
        let reports = parsed(&rel, outcome)?;
        (rel, reports)
    } else {
        (String::new(), Vec::new())
    };
    let collected = identity_fact(facts.node)["collected_epoch"].as_i64();

    let joined = join(&rows, &dests);
    let aor = aor_y(&joined);
    let mut out = Vec::new();
    for d in dests.iter().filter(|d| d.kind == "XPM" || d.kind == "SPM") {
        let on_dest: Vec<&PrsuRow> = rows.iter().filter(|r| r.dest == d.dest).collect();
        let applied: BTreeSet<&str> = on_dest
            .iter()
            .filter(|r| r.status == PrsuStatus::Applied)
            .map(|r| r.prsu.as_str())
            .collect();
        let expected: BTreeSet<&str> = loads
            .iter()
            .filter(|l| l.loadname == d.loadname)
            .map(|l| l.prsu.as_str())
            .filter(|p| aor.contains(&(*p, d.kind.as_str(), d.loadname.as_str())))
            .collect();
        let extra: Vec<&str> = applied.difference(&expected).copied().collect();
        let missing: Vec<&str> = expected.difference(&applied).copied().collect();
        let mut sources = vec![Source::new(&dest_rel, d.line)];
        sources.extend(
            on_dest
                .iter()
                .filter(|r| extra.contains(&r.prsu.as_str()) || missing.contains(&r.prsu.as_str()))
                .map(|r| Source::new(&prsu_rel, r.line)),
        );
        let report = (d.kind == "SPM")
            .then(|| last_report(&reports, &d.dest))
            .flatten();
        if let Some(r) = report {
            sources.push(Source::new(&log_rel, r.line));
        }
        let names = |set: Vec<&str>| set.into_iter().map(str::to_string).collect();
        out.push(Audit {
            dest: d.dest.clone(),
            kind: d.kind.clone(),
            process: if d.kind == "SPM" { "SPARTS" } else { "PAL" },
            loadname: d.loadname.clone(),
            applied: names(applied.iter().copied().collect()),
            expected: names(expected.iter().copied().collect()),
            extra: names(extra),
            missing: names(missing),
            patchfail: report.map(|r| r.patchfail),
            patchfail_time: report.map(|r| r.time.clone()),
            patchfail_epoch: report
                .and_then(|r| log_time::line_time(&r.syslog_time, collected))
                .and_then(|t| t.epoch),
            patchfail_reason: report.and_then(|r| r.reason.clone()),
            patchfail_source: report.map(|r| Source::new(&log_rel, r.line)),
            sources,
            source: Source::new(&dest_rel, d.line),
        });
    }
    to_fact(&out)
}

pub fn build_images(facts: &mut NodeFacts) -> FactResult {
    let (rel, outcome) = facts.parse("prsm-images", prsm_images::parse)?;
    let images = parsed(&rel, outcome)?;
    let (_, rows) = read_prsus(facts)?;
    let images: Vec<Image> = images
        .into_iter()
        .map(|image| {
            let changes: Vec<&PrsuRow> = rows
                .iter()
                .filter(|r| r.dest == image.dest && r.status != PrsuStatus::Validated)
                .collect();
            let last = changes
                .iter()
                .filter(|r| r.changed_epoch.is_some())
                .max_by_key(|r| r.changed_epoch);
            let newer = last.is_some_and(|r| r.changed_epoch > Some(image.dumped_epoch));
            let undated = changes.iter().any(|r| r.changed_epoch.is_none());
            let stale = if newer {
                Some(true)
            } else if undated {
                None
            } else {
                Some(false)
            };
            Image {
                source: Source::new(&rel, image.line),
                dest: image.dest,
                image: image.image,
                dumped: image.dumped,
                dumped_epoch: image.dumped_epoch,
                last_change: last.and_then(|r| r.changed.clone()),
                last_change_epoch: last.and_then(|r| r.changed_epoch),
                last_change_prsu: last.map(|r| r.prsu.clone()),
                last_change_status: last.map(|r| r.status),
                stale,
            }
        })
        .collect();
    to_fact(&images)
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::{Value, json};

    const DESTS: &str = "\
DEST         DESTTYPE  LOADNAME  HOLD
CM           CM        BASE23BD  N
LTC 0        XPM       XLT23BK   N
LTC 1        XPM       XLT23BK   N
SPM 3 CEM 0  SPM       SPM23AJ   N
SPM 3 CEM 1  SPM       SPM23AJ   Y
";

    const PRSUS: &str = "\
PRSUID    CATEGORY  DEST         PRSUSTATUS  AOR  ONHOLD  DATE
ABC04X17  GEN       LTC 0        APPLIED     N    N       2026-11-17 02:10:44
ABC04X17  GEN       LTC 1        APPLIED     Y    N       2026-11-17 02:12:09
DEF09S0P  ACT       SPM 3 CEM 0  REMOVED     N    Y       2026-11-18 22:40:05
DEF09S0P  ACT       SPM 3 CEM 1  APPLIED     Y    N       2026-11-18 21:00:00
GHI12Q07  ???       SPM 3 CEM 1  APPLIED     N    N
MNO55T01  GEN       LGC 9        VA          -    N
";

    const LOADS: &str = "LOADNAME,PRSUID\nXLT23BK,ABC04X17\nSPM23AJ,DEF09S0P\nSPM23AJ,GHI12Q07\n";

    const LOGS: &str = "\
** SPM301 NOV20 23:41:05 6100 FAIL SPM Patchfail Alarm
       SPM 3
       PATCHFAIL alarm: FAILED
       Reason: SPARTS could not apply PRSU DEF09S0P
";

    const IMAGES: &str = "\
DEST,IMAGE,DUMPED
SPM 3 CEM 0,FLASH0,2026-11-18 21:05:00
LTC 0,XLT0,2026-11-18 00:00:00
SPM 3 CEM 1,FLASH1,2026-11-19 00:00:00
CM,OFFICE,2026-11-19 00:00:00
";

    fn facts_of(files: &[(&str, &str)], names: &[&str]) -> Vec<FactResult> {
        super::super::testing::facts_of(
            r#"{"hostname": "cm", "platform": "dms100", "collected_at": "2026-11-21T08:00:00Z"}"#,
            files,
            names,
        )
    }

    fn all_files() -> Vec<(&'static str, &'static str)> {
        vec![
            ("exports/prsm-dests.txt", DESTS),
            ("exports/prsm-prsus.txt", PRSUS),
            ("exports/prsm-loads.csv", LOADS),
            ("logs/spm301.log", LOGS),
            ("exports/prsm-images.csv", IMAGES),
        ]
    }

    fn ok(name: &str) -> Value {
        facts_of(&all_files(), &[name])
            .remove(0)
            .unwrap_or_else(|p| panic!("{name}: {}", p.describe()))
    }

    #[test]
    fn prsus_carry_their_dest_and_the_office_aor() {
        let prsus = ok("prsm_prsus");
        let row = |i: usize| &prsus[i];
        assert_eq!(row(0)["type"], "XPM");
        assert_eq!(row(0)["loadname"], "XLT23BK");
        assert_eq!(row(0)["aor"], "N");
        // AOR is Y on LTC 1, the other XPM with that loadname.
        assert_eq!(row(0)["aor_in_office"], true);
        // DEF09S0P is onhold on one row: onhold everywhere.
        assert_eq!(
            (&row(2)["onhold"], &row(3)["onhold"]),
            (&json!(true), &json!(true))
        );
        assert_eq!(row(4)["aor_in_office"], false);
        assert_eq!(row(4)["category"], "???");
        // LGC 9 is not in the DEST set: type from its name, no loadname.
        assert_eq!(
            (&row(5)["type"], &row(5)["loadname"]),
            (&json!("XPM"), &Value::Null)
        );
        assert_eq!(row(5)["aor_in_office"], Value::Null);
        assert_eq!(row(5)["aor"], Value::Null);
        assert_eq!(row(5)["source"]["line"], 7);
        let dests = ok("prsm_dests");
        assert_eq!(dests[4]["held"], true);
        assert_eq!(dests[0]["type"], "CM");
    }

    #[test]
    fn audit_compares_applied_with_the_load_per_aor() {
        let audit = ok("prsm_audit");
        let audit = audit.as_array().unwrap();
        // The CM has no PAL or SPARTS.
        let names: Vec<&str> = audit.iter().map(|a| a["dest"].as_str().unwrap()).collect();
        assert_eq!(names, vec!["LTC 0", "LTC 1", "SPM 3 CEM 0", "SPM 3 CEM 1"]);
        assert_eq!(audit[0]["process"], "PAL");
        assert_eq!(audit[0]["extra"], json!([]));
        assert_eq!(audit[0]["patchfail"], Value::Null);
        // DEF09S0P has AOR Y on SPM 3 CEM 1, so SPARTS wants it on CEM 0 too.
        assert_eq!(audit[2]["process"], "SPARTS");
        assert_eq!(audit[2]["missing"], json!(["DEF09S0P"]));
        assert_eq!(audit[2]["extra"], json!([]));
        // GHI12Q07 has AOR N on every SPM with the load: SPARTS removes it.
        assert_eq!(audit[3]["applied"], json!(["DEF09S0P", "GHI12Q07"]));
        assert_eq!(audit[3]["expected"], json!(["DEF09S0P"]));
        assert_eq!(audit[3]["extra"], json!(["GHI12Q07"]));
        // The SPM301 for SPM 3 covers both of its units.
        for a in &audit[2..] {
            assert_eq!(a["patchfail"], "failed");
            assert_eq!(a["patchfail_time"], "NOV20 23:41:05");
            assert_eq!(a["patchfail_epoch"], 1_795_218_065);
            assert_eq!(
                a["patchfail_reason"],
                "SPARTS could not apply PRSU DEF09S0P"
            );
            assert_eq!(a["patchfail_source"]["line"], 1);
        }
        let lines: Vec<&Value> = audit[2]["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| &s["line"])
            .collect();
        assert_eq!(lines, vec![&json!(5), &json!(4), &json!(1)]);
    }

    #[test]
    fn images_against_the_last_prsu_change() {
        let images = ok("prsm_images");
        // Removed at 22:40, flash dumped at 21:05: stale.
        assert_eq!(images[0]["stale"], true);
        assert_eq!(images[0]["last_change_prsu"], "DEF09S0P");
        assert_eq!(images[0]["last_change_status"], "removed");
        assert_eq!(images[0]["last_change"], "2026-11-18 22:40:05");
        assert_eq!(images[1]["stale"], false);
        // GHI12Q07 on SPM 3 CEM 1 has no date: cannot tell.
        assert_eq!(images[2]["stale"], Value::Null);
        // No PRSU changed on the CM.
        assert_eq!(images[3]["stale"], false);
        assert_eq!(images[3]["last_change"], Value::Null);
    }

    #[test]
    fn missing_and_malformed_inputs_are_problems() {
        let files = all_files();
        let without_logs: Vec<_> = files
            .iter()
            .copied()
            .filter(|f| f.0 != "logs/spm301.log")
            .collect();
        let got = facts_of(&without_logs, &["prsm_audit", "prsm_prsus"]);
        match &got[0] {
            Err(FactProblem::Missing { input, looked_for }) => {
                assert_eq!(input, "spm301-logs");
                assert!(looked_for.contains(&"logs/spm301.log".to_string()));
            }
            other => panic!("{other:?}"),
        }
        assert!(got[1].is_ok());
        // Without SPMs there is no SPARTS, and no SPM301 log is needed.
        let xpm_only = "DEST,LOADNAME\nLTC 0,XLT23BK\nLTC 1,XLT23BK\n";
        let mut files = without_logs.clone();
        files[0] = ("exports/prsm-dests.txt", xpm_only);
        let audit = facts_of(&files, &["prsm_audit"]).remove(0).unwrap();
        assert_eq!(audit.as_array().unwrap().len(), 2);
        assert_eq!(audit[0]["extra"], json!([]));
        let mut cut = files.clone();
        cut[1] = (
            "exports/prsm-prsus.txt",
            "PRSUID    DEST   PRSUSTATUS\nABC04X17  LTC 0  APPL",
        );
        let got = facts_of(&cut, &["prsm_prsus", "prsm_images"]);
        for g in got {
            match g {
                Err(FactProblem::Malformed { path, line, .. }) => {
                    assert!(path.ends_with("exports/prsm-prsus.txt"), "{path}");
                    assert_eq!(line, 2);
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
