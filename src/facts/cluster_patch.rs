//! The cluster patch installer: its settings (`patch.conf`), the patch
//! history in the folder `PATCH_HISTORY_DIR` names, the installed files,
//! the manifest of the patch about to be installed, and the log and errors
//! of the last run. The installer compares build numbers (a file in the
//! cluster newer than the one in the patch) and sizes (a file modified
//! since the last patch: its size no longer matches the history).
//!
//! Every fact here is built on every node: where the snapshot has no
//! `patch.conf` the node runs no such installer, and the facts say
//! `installed: false` with empty lists, so the rules are not applicable
//! there instead of unknown. Where it has one, a missing input is missing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Serialize;

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, parsed};
use super::spec::{Build, FactSpec, Source, to_fact, typed};
use crate::model::vocabulary::vocabulary;
use crate::parse::linux::ls_listing::{self, Listing};
use crate::parse::vendor::patch_conf::{self, PatchConf};
use crate::parse::vendor::patch_err;
use crate::parse::vendor::patch_log::{self, EntryKind, LogLevel};
use crate::parse::vendor::patch_record::{self, PatchRecord, PatchType};

pub const CLUSTER_PATCH: FactSpec = FactSpec {
    name: "cluster_patch",
    always: false,
    build: Build::Node(build_cluster_patch),
    diff: None,
    inputs: &["patch-conf", "patch-history"],
    summary: "The cluster patch installer's settings and patch history: one history file per \
              installed patch in the folder PATCH_HISTORY_DIR names, read in the order the \
              patches were installed.",
    schema: typed::<ClusterPatch>,
};

pub const PATCH_FILES: FactSpec = FactSpec {
    name: "patch_files",
    always: false,
    build: Build::Node(build_patch_files),
    diff: None,
    inputs: &["patch-conf", "patch-history", "patch-files"],
    summary: "Each file the patch history names, with its size now (from the `ls -l` listing of \
              exports/patch-files.txt) next to the size the history recorded.",
    schema: typed::<PatchFiles>,
};

pub const PATCH_MANIFEST: FactSpec = FactSpec {
    name: "patch_manifest",
    always: false,
    build: Build::Node(build_patch_manifest),
    diff: None,
    inputs: &[
        "patch-conf",
        "patch-manifest",
        "patch-history",
        "patch-files",
    ],
    summary: "The manifest of the patch about to be installed (pre) or last installed (post, \
              diagnose), each file next to the build and size the history recorded and the \
              size it has now. The listing is optional here: without it `current_size` is null \
              (rules that judge current sizes also require `patch_files`).",
    schema: typed::<PatchManifest>,
};

pub const PATCH_RUN: FactSpec = FactSpec {
    name: "patch_run",
    always: false,
    build: Build::Node(build_patch_run),
    diff: None,
    inputs: &["patch-conf", "patch-log", "patch-err"],
    summary: "The installer's last run, from patch.log (the entries from its last `start install \
              patch` line on; the whole log when it has none) and patch.err.",
    schema: typed::<PatchRun>,
};

/// The `cluster_patch` fact.
#[derive(Default, Serialize, JsonSchema)]
struct ClusterPatch {
    /// the snapshot holds the installer's patch.conf (false: every list is
    /// empty)
    installed: bool,
    /// the patch.conf read
    conf_file: Option<String>,
    /// PATCH_HISTORY_DIR as set
    history_dir: Option<String>,
    /// {file, line} of the PATCH_HISTORY_DIR line
    history_dir_source: Option<Source>,
    /// the snapshot holds that folder (false: not copied, or not on the node)
    history_dir_found: bool,
    /// history files in the folder; 0 means the patch history is missing
    history_files: usize,
    /// the installed patches, oldest first:
    patches: Vec<InstalledPatch>,
    /// the patch names in install order: what nodes of one cluster must
    /// agree on
    patch_set: Vec<String>,
    /// the last patch installed
    latest: Option<String>,
    /// each file the history names, by path, as the last patch that
    /// installed it recorded it:
    files: Vec<RecordedFile>,
}

/// A patch of the history.
#[derive(Serialize, JsonSchema)]
struct InstalledPatch {
    /// patch name, e.g. APP-7.2.0-F2
    patch: String,
    /// what the patch replaces
    #[serde(rename = "type")]
    patch_type: PatchType,
    /// INSTALLED as recorded
    installed: String,
    /// INSTALLED, seconds since 1970
    installed_epoch: i64,
    /// files the patch installed
    files: usize,
    /// {file, line} of its PATCH= line
    source: Source,
}

/// A file as the history last recorded it.
#[derive(Serialize, JsonSchema)]
struct RecordedFile {
    /// absolute path on the node
    path: String,
    /// build number in the cluster
    build: u64,
    /// size recorded, bytes
    size: u64,
    /// the patch that recorded it
    patch: String,
    /// {file, line} of the history record
    source: Source,
}

/// The `patch_files` fact.
#[derive(Default, Serialize, JsonSchema)]
struct PatchFiles {
    /// the snapshot holds the installer's patch.conf (false: every list is
    /// empty)
    installed: bool,
    /// the listing read
    file: Option<String>,
    /// one map per file of the history, by path:
    files: Vec<FileNow>,
}

/// A file of the history against the listing.
#[derive(Serialize, JsonSchema)]
struct FileNow {
    /// absolute path on the node
    path: String,
    /// build number the history recorded
    build: u64,
    /// the patch that recorded it
    patch: String,
    /// size the history recorded, bytes
    recorded_size: u64,
    /// size in the listing; null when not listed or missing
    current_size: Option<u64>,
    /// what the listing says of it: missing when ls could not access it
    state: FileState,
    /// {file, line}: the listing line, else the history record
    source: Source,
}

/// The `patch_manifest` fact.
#[derive(Default, Serialize, JsonSchema)]
struct PatchManifest {
    /// the snapshot holds the installer's patch.conf (false: every list is
    /// empty)
    installed: bool,
    /// the manifest read
    file: Option<String>,
    /// patch name
    patch: Option<String>,
    /// fix (some files) or update (a full distribution)
    #[serde(rename = "type")]
    patch_type: Option<PatchType>,
    /// {file, line} of its PATCH= line
    source: Option<Source>,
    /// the files of the patch, in manifest order:
    files: Vec<ManifestFile>,
}

/// A file of the manifest against the history and the listing.
#[derive(Serialize, JsonSchema)]
struct ManifestFile {
    /// absolute path on the node
    path: String,
    /// build number in the patch
    build: u64,
    /// size in the patch, bytes
    size: u64,
    /// build number the history recorded; null when the history has no
    /// record
    cluster_build: Option<u64>,
    /// the patch that recorded it
    cluster_patch: Option<String>,
    /// size the history recorded
    recorded_size: Option<u64>,
    /// size in the listing
    current_size: Option<u64>,
    /// {file, line} of the listing line that names it
    current_source: Option<Source>,
    /// {file, line} of the manifest line
    source: Source,
}

/// The `patch_run` fact.
#[derive(Default, Serialize, JsonSchema)]
struct PatchRun {
    /// the snapshot holds the installer's patch.conf (false: every list is
    /// empty)
    installed: bool,
    /// the patch.log read
    log_file: Option<String>,
    /// the patch.err read
    err_file: Option<String>,
    /// the log has a start line
    started: bool,
    /// the last start: {patch, type, time, epoch, source}
    start: Option<RunStart>,
    /// an `install complete` line follows the last start
    completed: bool,
    /// a `rollback complete` line follows the last start: the installer
    /// reversed the update
    rolled_back: bool,
    /// ERROR and FATAL entries of the run
    errors: Vec<RunError>,
    /// `size mismatch` entries of the run
    size_mismatches: Vec<SizeMismatch>,
    /// the non-blank lines of patch.err
    err_lines: Vec<ErrLine>,
}

/// The start line of a run.
#[derive(Serialize, JsonSchema)]
struct RunStart {
    patch: String,
    #[serde(rename = "type")]
    patch_type: PatchType,
    time: String,
    epoch: i64,
    source: Source,
}

/// An ERROR or FATAL entry.
#[derive(Serialize, JsonSchema)]
struct RunError {
    /// as printed
    time: String,
    /// the entry's text
    text: String,
    /// {file, line}
    source: Source,
}

/// A `size mismatch` entry.
#[derive(Serialize, JsonSchema)]
struct SizeMismatch {
    /// the file's path
    path: String,
    /// its size now, bytes
    current_size: u64,
    /// the size the history recorded, bytes
    history_size: u64,
    /// {file, line}
    source: Source,
}

/// A line of patch.err.
#[derive(Serialize, JsonSchema)]
struct ErrLine {
    /// as printed
    text: String,
    /// {file, line}
    source: Source,
}

/// The installer's settings and history, when the node has the installer.
#[derive(Clone)]
struct Installer {
    conf_rel: String,
    conf: PatchConf,
    dir_found: bool,
    /// (path shown, record), oldest first.
    history: Vec<(String, PatchRecord)>,
}

/// The latest history record of one file.
struct Recorded<'h> {
    build: u64,
    size: u64,
    patch: &'h str,
    source: Source,
}

impl Installer {
    /// The last record of each file, by path.
    fn recorded(&self) -> BTreeMap<&str, Recorded<'_>> {
        let mut out = BTreeMap::new();
        for (rel, record) in &self.history {
            for f in &record.files {
                out.insert(
                    f.path.as_str(),
                    Recorded {
                        build: f.build,
                        size: f.size,
                        patch: &record.patch,
                        source: Source::new(rel, f.line),
                    },
                );
            }
        }
        out
    }
}

/// `None` when the snapshot has no patch.conf; read once per node, as
/// four facts are built from it.
fn installer(facts: &mut NodeFacts) -> Result<Option<Installer>, FactProblem> {
    Result::clone(&facts.derived("patch installer", read_installer))
}

fn read_installer(facts: &mut NodeFacts) -> Result<Option<Installer>, FactProblem> {
    let (conf_rel, outcome) = match facts.parse("patch-conf", patch_conf::parse) {
        Ok(read) => read,
        Err(FactProblem::Missing { .. }) => return Ok(None),
        Err(other) => return Err(other),
    };
    let conf = parsed(&conf_rel, outcome)?;
    let dir_rel = conf.history_dir.trim_matches('/').to_string();
    let dir_found = facts.node.is_dir(&facts.node.dir.join(&dir_rel));
    let prefix = format!("{dir_rel}/");
    let names: Vec<String> = facts
        .files()
        .iter()
        .filter(|f| f.strip_prefix(&prefix).is_some_and(|n| !n.contains('/')))
        .cloned()
        .collect();
    let mut history = Vec::new();
    for name in names {
        let path: PathBuf = facts.node.dir.join(&name);
        let (rel, outcome) = facts.parse_file(&path, patch_record::parse_history)?;
        let record = parsed(&rel, outcome)?;
        history.push((rel, record));
    }
    history.sort_by(|(a, x), (b, y)| x.installed_epoch.cmp(&y.installed_epoch).then(a.cmp(b)));
    Ok(Some(Installer {
        conf_rel,
        conf,
        dir_found,
        history,
    }))
}

pub fn build_cluster_patch(facts: &mut NodeFacts) -> FactResult {
    let Some(inst) = installer(facts)? else {
        return to_fact(&ClusterPatch::default());
    };
    let patches: Vec<InstalledPatch> = inst
        .history
        .iter()
        .map(|(rel, r)| InstalledPatch {
            patch: r.patch.clone(),
            patch_type: r.patch_type,
            // A history file without INSTALLED is malformed.
            installed: r.installed.clone().unwrap_or_default(),
            installed_epoch: r.installed_epoch.unwrap_or_default(),
            files: r.files.len(),
            source: Source::new(rel, r.patch_line),
        })
        .collect();
    let patch_set: Vec<String> = inst.history.iter().map(|(_, r)| r.patch.clone()).collect();
    let files: Vec<RecordedFile> = inst
        .recorded()
        .into_iter()
        .map(|(path, r)| RecordedFile {
            path: path.to_string(),
            build: r.build,
            size: r.size,
            patch: r.patch.to_string(),
            source: r.source,
        })
        .collect();
    to_fact(&ClusterPatch {
        installed: true,
        conf_file: Some(inst.conf_rel.clone()),
        history_dir: Some(inst.conf.history_dir.clone()),
        history_dir_source: Some(Source::new(&inst.conf_rel, inst.conf.history_dir_line)),
        history_dir_found: inst.dir_found,
        history_files: inst.history.len(),
        patches,
        latest: patch_set.last().cloned(),
        patch_set,
        files,
    })
}

vocabulary! {
    /// A file of the patch history against the listing of the files now.
    pub enum FileState {
        // Listed with the size the history recorded.
        Unchanged = "unchanged",
        // Listed with another size.
        SizeDiffers = "size-differs",
        // `ls` could not access it.
        Missing = "missing",
        // The listing does not name it.
        NotListed = "not-listed",
    }
}

/// What the listing says of each path: its size and line, or that `ls`
/// could not access it (size `None`).
fn listed(rel: &str, listing: &Listing) -> BTreeMap<String, (Option<u64>, Source)> {
    let mut out = BTreeMap::new();
    for m in &listing.missing {
        out.insert(m.path.clone(), (None, Source::new(rel, m.line)));
    }
    for e in listing.entries.iter().filter(|e| e.kind != "dir") {
        let path = match &e.dir {
            Some(dir) => format!("{}/{}", dir.trim_end_matches('/'), e.name),
            None => e.name.clone(),
        };
        out.insert(path, (e.size, Source::new(rel, e.line)));
    }
    out
}

fn listing(facts: &mut NodeFacts) -> Result<(String, Listing), FactProblem> {
    let (rel, outcome) = facts.parse("patch-files", ls_listing::parse)?;
    let listing = parsed(&rel, outcome)?;
    Ok((rel, listing))
}

pub fn build_patch_files(facts: &mut NodeFacts) -> FactResult {
    let Some(inst) = installer(facts)? else {
        return to_fact(&PatchFiles::default());
    };
    let (rel, listing) = listing(facts)?;
    let now = listed(&rel, &listing);
    let files: Vec<FileNow> = inst
        .recorded()
        .into_iter()
        .map(|(path, r)| {
            let (current, state, at) = match now.get(path) {
                None => (None, FileState::NotListed, r.source.clone()),
                Some((None, at)) => (None, FileState::Missing, at.clone()),
                Some((Some(size), at)) if *size == r.size => {
                    (Some(*size), FileState::Unchanged, at.clone())
                }
                Some((Some(size), at)) => (Some(*size), FileState::SizeDiffers, at.clone()),
            };
            FileNow {
                path: path.to_string(),
                build: r.build,
                patch: r.patch.to_string(),
                recorded_size: r.size,
                current_size: current,
                state,
                source: at,
            }
        })
        .collect();
    to_fact(&PatchFiles {
        installed: true,
        file: Some(rel),
        files,
    })
}

pub fn build_patch_manifest(facts: &mut NodeFacts) -> FactResult {
    let Some(inst) = installer(facts)? else {
        return to_fact(&PatchManifest::default());
    };
    let (rel, outcome) = facts.parse("patch-manifest", patch_record::parse_manifest)?;
    let manifest = parsed(&rel, outcome)?;
    let now = match listing(facts) {
        Ok((listing_rel, listing)) => Some(listed(&listing_rel, &listing)),
        Err(FactProblem::Missing { .. }) => None,
        Err(other) => return Err(other),
    };
    let recorded = inst.recorded();
    let files: Vec<ManifestFile> = manifest
        .files
        .iter()
        .map(|f| {
            let r = recorded.get(f.path.as_str());
            let current = now
                .as_ref()
                .and_then(|n| n.get(&f.path))
                .map(|(size, at)| (*size, at));
            ManifestFile {
                path: f.path.clone(),
                build: f.build,
                size: f.size,
                cluster_build: r.map(|r| r.build),
                cluster_patch: r.map(|r| r.patch.to_string()),
                recorded_size: r.map(|r| r.size),
                current_size: current.and_then(|(size, _)| size),
                current_source: current.map(|(_, at)| at.clone()),
                source: Source::new(&rel, f.line),
            }
        })
        .collect();
    to_fact(&PatchManifest {
        installed: true,
        source: Some(Source::new(&rel, manifest.patch_line)),
        file: Some(rel),
        patch: Some(manifest.patch),
        patch_type: Some(manifest.patch_type),
        files,
    })
}

pub fn build_patch_run(facts: &mut NodeFacts) -> FactResult {
    if installer(facts)?.is_none() {
        return to_fact(&PatchRun::default());
    }
    let (log_rel, outcome) = facts.parse("patch-log", patch_log::parse)?;
    let entries = parsed(&log_rel, outcome)?;
    let (err_rel, outcome) = facts.parse("patch-err", patch_err::parse)?;
    let err_lines = parsed(&err_rel, outcome)?;
    let first = entries
        .iter()
        .rposition(|e| matches!(e.kind, EntryKind::Start { .. }))
        .unwrap_or(0);
    let run = &entries[first.min(entries.len())..];
    let start = run.first().and_then(|e| match &e.kind {
        EntryKind::Start { patch, patch_type } => Some(RunStart {
            patch: patch.clone(),
            patch_type: *patch_type,
            time: e.time.clone(),
            epoch: e.epoch,
            source: Source::new(&log_rel, e.line),
        }),
        _ => None,
    });
    let errors: Vec<RunError> = run
        .iter()
        .filter(|e| e.level == LogLevel::Error)
        .map(|e| RunError {
            time: e.time.clone(),
            text: e.text.clone(),
            source: Source::new(&log_rel, e.line),
        })
        .collect();
    let size_mismatches: Vec<SizeMismatch> = run
        .iter()
        .filter_map(|e| match &e.kind {
            EntryKind::SizeMismatch {
                path,
                current_size,
                history_size,
            } => Some(SizeMismatch {
                path: path.clone(),
                current_size: *current_size,
                history_size: *history_size,
                source: Source::new(&log_rel, e.line),
            }),
            _ => None,
        })
        .collect();
    to_fact(&PatchRun {
        installed: true,
        started: start.is_some(),
        start,
        completed: run
            .iter()
            .any(|e| matches!(e.kind, EntryKind::Complete { .. })),
        rolled_back: run.iter().any(|e| e.kind == EntryKind::RolledBack),
        errors,
        size_mismatches,
        err_lines: err_lines
            .iter()
            .map(|l| ErrLine {
                text: l.text.clone(),
                source: Source::new(&err_rel, l.line),
            })
            .collect(),
        log_file: Some(log_rel),
        err_file: Some(err_rel),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::{Value, json};

    const CONF: &str = "PATCH_HISTORY_DIR=/var/opt/app/patch/history\n";
    const HISTORY: &str = "var/opt/app/patch/history";
    const BASE: &str = "PATCH=U1\nTYPE=update\nINSTALLED=2026-03-10 08:00:00\n\
                        /opt/app/bin/appserver 4100 1000\n/opt/app/lib/libnet.so 4100 500\n";
    // Named to sort before the update: the order comes from INSTALLED.
    const FIX: &str = "PATCH=F1\nTYPE=fix\nINSTALLED=2026-06-02 01:30:12\n\
                       /opt/app/bin/appserver 4150 1100\n";
    const MANIFEST: &str = "PATCH=F2\nTYPE=fix\n/opt/app/bin/appserver 4210 1200\n\
                            /opt/app/lib/libnet.so 4090 600\n/opt/app/lib/new.so 4210 70\n";

    fn facts_of(files: &[(&str, &str)], names: &[&str]) -> Vec<FactResult> {
        super::super::testing::facts_of(r#"{"hostname": "n1"}"#, files, names)
    }

    fn ok(files: &[(&str, &str)], name: &str) -> Value {
        facts_of(files, &[name])
            .remove(0)
            .unwrap_or_else(|p| panic!("{name}: {}", p.describe()))
    }

    fn installed(extra: &[(&'static str, &'static str)]) -> Vec<(String, &'static str)> {
        let mut files = vec![
            ("opt/patch/patch.conf".to_string(), CONF),
            (format!("{HISTORY}/z-u1.hist"), BASE),
            (format!("{HISTORY}/a-f1.hist"), FIX),
        ];
        files.extend(extra.iter().map(|(p, t)| (p.to_string(), *t)));
        files
    }

    fn with<'a>(files: &'a [(String, &'static str)]) -> Vec<(&'a str, &'static str)> {
        files.iter().map(|(p, t)| (p.as_str(), *t)).collect()
    }

    #[test]
    fn without_patch_conf_every_fact_is_not_installed() {
        let names = [
            "cluster_patch",
            "patch_files",
            "patch_manifest",
            "patch_run",
        ];
        for (name, fact) in names.iter().zip(facts_of(&[], &names)) {
            let fact = fact.unwrap_or_else(|p| panic!("{name}: {}", p.describe()));
            assert_eq!(fact["installed"], false, "{name}");
        }
    }

    #[test]
    fn history_in_install_order_and_the_last_record_wins() {
        let files = installed(&[]);
        let fact = ok(&with(&files), "cluster_patch");
        assert_eq!(fact["patch_set"], json!(["U1", "F1"]));
        assert_eq!(fact["latest"], "F1");
        assert_eq!(fact["history_files"], 2);
        assert_eq!(fact["history_dir_found"], true);
        assert_eq!(fact["history_dir_source"]["line"], 1);
        assert_eq!(fact["files"][0]["path"], "/opt/app/bin/appserver");
        assert_eq!(fact["files"][0]["build"], 4150);
        assert_eq!(fact["files"][0]["size"], 1100);
        assert_eq!(fact["files"][0]["patch"], "F1");
        assert_eq!(fact["files"][1]["patch"], "U1");
        assert_eq!(fact["patches"][0]["type"], "update");
        // No folder: an empty history, and the fact says the folder is absent.
        let fact = ok(&[("opt/patch/patch.conf", CONF)], "cluster_patch");
        assert_eq!(
            (&fact["history_files"], &fact["history_dir_found"]),
            (&json!(0), &json!(false))
        );
    }

    #[test]
    fn a_cut_history_file_is_malformed_at_its_line() {
        let mut files = installed(&[]);
        files[1].1 =
            "PATCH=U1\nTYPE=update\nINSTALLED=2026-03-10 08:00:00\n/opt/app/bin/appserver 41";
        let problem = facts_of(&with(&files), &["cluster_patch"])
            .remove(0)
            .unwrap_err();
        match problem {
            FactProblem::Malformed { path, line, .. } => {
                assert!(path.ends_with("z-u1.hist"), "{path}");
                assert_eq!(line, 4);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn patch_files_compares_sizes_with_the_history() {
        let listing = "ls: cannot access '/opt/app/lib/libnet.so': No such file or directory\n\
                       -rwxr-xr-x 1 app app 1234 1789438238 /opt/app/bin/appserver\n";
        let files = installed(&[("exports/patch-files.txt", listing)]);
        let fact = ok(&with(&files), "patch_files");
        let states: Vec<(&str, &Value)> = fact["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["state"].as_str().unwrap(), &f["current_size"]))
            .collect();
        assert_eq!(
            states,
            vec![("size-differs", &json!(1234)), ("missing", &Value::Null)]
        );
        assert_eq!(fact["files"][0]["source"]["line"], 2);
        let listing = "-rwxr-xr-x 1 app app 1100 1789438238 /opt/app/bin/appserver\n";
        let files = installed(&[("exports/patch-files.txt", listing)]);
        let fact = ok(&with(&files), "patch_files");
        assert_eq!(fact["files"][0]["state"], "unchanged");
        assert_eq!(fact["files"][1]["state"], "not-listed");
        // With the installer, a missing listing is missing.
        let files = installed(&[]);
        let problem = facts_of(&with(&files), &["patch_files"])
            .remove(0)
            .unwrap_err();
        assert!(
            matches!(problem, FactProblem::Missing { .. }),
            "{problem:?}"
        );
    }

    #[test]
    fn patch_manifest_states_by_size() {
        let listing = "-rwxr-xr-x 1 app app 1200 1 /opt/app/bin/appserver\n\
                       -rwxr-xr-x 1 app app  500 1 /opt/app/lib/libnet.so\n";
        let files = installed(&[
            ("exports/patch-manifest.txt", MANIFEST),
            ("exports/patch-files.txt", listing),
        ]);
        let fact = ok(&with(&files), "patch_manifest");
        assert_eq!(
            (&fact["patch"], &fact["type"]),
            (&json!("F2"), &json!("fix"))
        );
        let f = &fact["files"];
        // The patch's size on the first, the recorded one on the second:
        // which is a mixed install is 20018's to say.
        assert_eq!(
            (&f[0]["current_size"], &f[0]["size"]),
            (&json!(1200), &json!(1200))
        );
        assert_eq!(f[0]["cluster_build"], 4150);
        assert_eq!(f[0]["cluster_patch"], "F1");
        assert_eq!(f[1]["current_size"], f[1]["recorded_size"]);
        assert_eq!(f[1]["cluster_build"], 4100);
        assert_eq!(f[2]["current_size"], Value::Null);
        assert_eq!(f[1]["current_source"]["line"], 2);
        assert_eq!(f[2]["current_source"], Value::Null);
        assert_eq!(f[2]["cluster_build"], Value::Null);
        // Without a listing the sizes now are unknown, the builds are not.
        let files = installed(&[("exports/patch-manifest.txt", MANIFEST)]);
        let fact = ok(&with(&files), "patch_manifest");
        assert_eq!(fact["files"][0]["current_size"], Value::Null);
        assert_eq!(fact["files"][0]["current_source"], Value::Null);
        assert_eq!(fact["files"][1]["cluster_build"], 4100);
    }

    #[test]
    fn patch_run_reads_the_last_run() {
        let log = "2026-09-15 02:10:31 INFO  start install patch F1 (fix)\n\
                   2026-09-15 02:10:44 INFO  install complete: patch F1\n\
                   2026-11-20 22:05:11 INFO  start install patch F2 (fix)\n\
                   2026-11-20 22:05:15 ERROR size mismatch /opt/app/lib/libnet.so: current size 9, history size 8\n\
                   2026-11-20 22:05:16 INFO  rollback complete\n";
        let files = installed(&[
            ("opt/patch/patch.log", log),
            ("opt/patch/patch.err", "cannot replace x\n\n"),
        ]);
        let run = ok(&with(&files), "patch_run");
        assert_eq!(run["started"], true);
        assert_eq!(run["start"]["patch"], "F2");
        assert_eq!(run["start"]["source"]["line"], 3);
        assert_eq!(run["completed"], false, "F1's completion is another run");
        assert_eq!(run["rolled_back"], true);
        assert_eq!(run["errors"].as_array().unwrap().len(), 1);
        assert_eq!(run["size_mismatches"][0]["current_size"], 9);
        assert_eq!(run["size_mismatches"][0]["history_size"], 8);
        assert_eq!(
            run["err_lines"],
            json!([{"text": "cannot replace x", "source": run["err_lines"][0]["source"].clone()}])
        );
        // A log without a start line is one run that did not start.
        let files = installed(&[("opt/patch/patch.log", ""), ("opt/patch/patch.err", "")]);
        let run = ok(&with(&files), "patch_run");
        assert_eq!(
            (&run["started"], &run["completed"]),
            (&json!(false), &json!(false))
        );
        // patch.err is required with the installer.
        let files = installed(&[("opt/patch/patch.log", log)]);
        let problem = facts_of(&with(&files), &["patch_run"])
            .remove(0)
            .unwrap_err();
        assert!(
            matches!(problem, FactProblem::Missing { .. }),
            "{problem:?}"
        );
    }
}
