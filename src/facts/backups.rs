//! Policy Management backups: the archives in
//! /var/camiant/backup/local_archive/{serverbackup,systembackup}.

use std::collections::HashMap;
use std::path::Path;

use super::fleet_inputs::{FleetRead, SharedFact};
use super::node_facts::NodeFacts;
use super::problem::{FactResult, outcome_problem};
use super::spec::{Build, FactSpec, FileSource, Source, to_fact, typed};
use crate::parse::linux::ls_listing;
use crate::parse::vendor::backup_repository::{self, BackupKind};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value as Json;

/// Where the backups live, relative to the node folder.
pub const BACKUP_DIR: &str = "var/camiant/backup/local_archive";
/// (sub-folder, kind)
const KINDS: [(&str, BackupKind); 2] = [
    ("serverbackup", BackupKind::Server),
    ("systembackup", BackupKind::System),
];

/// A `backups` row: an archive on the node.
#[derive(Serialize, JsonSchema)]
struct Archive {
    /// what the backup holds
    kind: BackupKind,
    /// file name
    name: String,
    /// bytes
    size: Option<u64>,
    /// modification time, seconds since 1970; null when the listing's time
    /// form has no year
    mtime_epoch: Option<i64>,
    /// {file, line}; line null for a file copied into the snapshot
    source: FileSource,
}

/// The `backup_repository` fact.
#[derive(Serialize, JsonSchema)]
struct Repository {
    /// plan.toml `backup_location`: where the repository is
    #[schemars(with = "Option<String>")]
    location: Json,
    /// one map per backup file:
    backups: Vec<RepositoryBackup>,
}

/// A backup recorded off the servers.
#[derive(Serialize, JsonSchema)]
struct RepositoryBackup {
    /// hostname of the server backed up
    server: String,
    /// what the backup holds
    kind: BackupKind,
    /// file name
    file: String,
    /// bytes
    size: u64,
    /// when it was taken, as recorded
    time: String,
    /// the same, seconds since 1970
    time_epoch: i64,
    /// {file, line}
    source: Source,
}

pub const BACKUPS: FactSpec = FactSpec {
    name: "backups",
    always: false,
    build: Build::Node(build),
    diff: None,
    inputs: &["backup-dir", "backup-listing"],
    summary: "The backup archives of the node: the files of the snapshot's \
              var/camiant/backup/local_archive/{serverbackup,systembackup}/ when the collector \
              copied them, else the entries of an `ls -lR --time-style=+%s` listing of that folder.",
    schema: typed::<Vec<Archive>>,
};

pub fn build(facts: &mut NodeFacts) -> FactResult {
    let dir = facts.node.dir.join(BACKUP_DIR);
    if facts.node.is_dir(&dir) {
        if facts.node.archive.is_some() {
            // Their times would be the tar headers', not the node's.
            return Err(crate::facts::FactProblem::Unreadable {
                path: dir.display().to_string(),
                reason: crate::snapshot::archive_note("backup-dir"),
            });
        }
        return to_fact(&copied_archives(&facts.node.dir, &dir));
    }
    let (shown, outcome) = facts.parse("backup-listing", ls_listing::parse)?;
    let Some(listing) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    let kind_of = |dir: &str| {
        let folder = dir.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        KINDS.iter().find(|(f, _)| *f == folder).map(|(_, k)| *k)
    };
    let archives: Vec<Archive> = listing
        .entries
        .iter()
        .filter(|e| e.kind == "file")
        .filter_map(|e| {
            let kind = kind_of(e.dir.as_deref()?)?;
            Some(Archive {
                kind,
                name: e.name.clone(),
                size: e.size,
                mtime_epoch: e.mtime_epoch,
                source: FileSource::line(&shown, e.line),
            })
        })
        .collect();
    to_fact(&archives)
}

/// Archives copied into the snapshot, with their size and time on disk:
/// regular files only, in folders reached without leaving the node's.
fn copied_archives(node_dir: &Path, dir: &Path) -> Vec<Archive> {
    let mut out = Vec::new();
    for (folder, kind) in KINDS {
        let Ok(real) = crate::snapshot::confined::resolve(node_dir, &dir.join(folder)) else {
            continue;
        };
        let Ok(entries) = std::fs::read_dir(real) else {
            continue;
        };
        let mut files: Vec<(String, std::fs::Metadata, String)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let meta = e.metadata().ok().filter(std::fs::Metadata::is_file)?;
                Some((
                    e.file_name().to_string_lossy().into_owned(),
                    meta,
                    e.path().display().to_string(),
                ))
            })
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, meta, shown) in files {
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .and_then(|d| i64::try_from(d.as_secs()).ok());
            out.push(Archive {
                kind,
                name,
                size: Some(meta.len()),
                mtime_epoch: mtime,
                source: FileSource::whole(shown),
            });
        }
    }
    out
}

/// The listing of the backup repository, in the fleet's plan folder.
const REPOSITORY_FILES: [&str; 2] = ["backup-repository.csv", "backup-repository.txt"];

pub const BACKUP_REPOSITORY: FactSpec = FactSpec {
    name: "backup_repository",
    always: false,
    build: Build::Node(build_repository),
    diff: None,
    inputs: &["backup-repository"],
    summary: "The backups recorded off the servers (procedure 4.6.4 steps 3 and 4): the rows of \
              `backup-repository.csv` (or `.txt`) beside plan.toml, and the `[[backups]]` \
              tables of plan.toml, for every server of the fleet. Missing when there is \
              neither.",
    schema: typed::<Repository>,
};

/// The same for every node of a fleet root: built once per root.
pub fn build_repository(facts: &mut NodeFacts) -> FactResult {
    with_repository(facts, |repository, _| repository.clone())
}

/// `read` of the fleet root's repository, built on first use; the node
/// counts the fleet files it was read from as read.
fn with_repository(
    facts: &mut NodeFacts,
    read: impl FnOnce(&FactResult, &NodeFacts) -> FactResult,
) -> FactResult {
    let fleet = facts.fleet.clone();
    let shared = fleet.backup_repository.get_or_init(|| {
        let mut reads = Vec::new();
        let result = repository(fleet.plan_file.as_deref(), &facts.node.root, &mut reads);
        SharedFact { result, reads }
    });
    for fleet_read in &shared.reads {
        facts.add_fleet_read(fleet_read);
    }
    read(&shared.result, facts)
}

pub const RECORDED_BACKUPS: FactSpec = FactSpec {
    name: "recorded_backups",
    always: false,
    build: Build::Node(build_recorded),
    diff: None,
    inputs: &["backup-repository"],
    summary: "The node's own backups as the backup repository records them: \
              `backup_repository` with only the rows whose `server` is the node's hostname \
              (ASCII case ignored), in the same order. Missing when `backup_repository` is.",
    schema: typed::<Repository>,
};

/// The rows of the fleet's repository that are the node's: a rule reads a
/// few rows instead of matching every row of the fleet on every node.
pub fn build_recorded(facts: &mut NodeFacts) -> FactResult {
    let fleet = facts.fleet.clone();
    with_repository(facts, |repository, facts| {
        let repository = repository.as_ref().map_err(Clone::clone)?;
        let rows = repository["backups"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        // Indexed once per fleet root: a scan per node is quadratic when
        // every server of the fleet has its rows.
        let by_server = fleet.backups_by_server.get_or_init(|| by_server(rows));
        let hostname = facts.node.name().to_ascii_lowercase();
        let own: Vec<&Json> = (by_server.get(&hostname).into_iter().flatten())
            .map(|&i| &rows[i])
            .collect();
        Ok(serde_json::json!({"location": repository["location"], "backups": own}))
    })
}

/// The indexes of the repository's rows by their server, in ASCII lower
/// case (as `eq_ignore_ascii_case` compares), in order.
fn by_server(rows: &[Json]) -> HashMap<String, Vec<usize>> {
    let mut index: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(server) = row["server"].as_str() {
            index
                .entry(server.to_ascii_lowercase())
                .or_default()
                .push(i);
        }
    }
    index
}

/// The `backup_repository` fact of the fleet root `root`; `reads` gets
/// the fleet files it read.
fn repository(plan_file: Option<&Path>, root: &Path, reads: &mut Vec<FleetRead>) -> FactResult {
    // Beside the plan the run read, else in the path checked: the
    // operator's folders, never one inside a node snapshot.
    let dir = match plan_file {
        Some(file) => file.parent().unwrap_or(Path::new("")).to_path_buf(),
        None => root.to_path_buf(),
    };
    if plan_file.is_none() && crate::snapshot::is_node_dir(&dir) {
        return Err(repository_missing(&dir));
    }
    let plan = match plan_file {
        Some(file) => super::plan_fact(file).unwrap_or_default(),
        None => Json::Null,
    };
    let plan_path =
        plan_file.map_or_else(|| dir.join(crate::snapshot::PLAN_FILE), Path::to_path_buf);
    let mut backups = planned_backups(&plan_path, &plan)?;
    let listing = REPOSITORY_FILES
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.is_file());
    if listing.is_none() && plan.get("backups").is_none() {
        return Err(repository_missing(&dir));
    }
    if let Some(path) = listing {
        let read = FleetRead::read(&path)?;
        let shown = read.shown.clone();
        let rows = backup_repository::parse(&read.text);
        reads.push(read);
        let rows = super::parsed(&shown, rows)?;
        backups.extend(rows.into_iter().map(|b| RepositoryBackup {
            server: b.server,
            kind: b.kind,
            file: b.file,
            size: b.size,
            time: b.time,
            time_epoch: b.time_epoch,
            source: Source::new(&shown, b.line),
        }));
    }
    let location = plan.get("backup_location").cloned().unwrap_or(Json::Null);
    to_fact(&Repository { location, backups })
}

fn repository_missing(dir: &Path) -> crate::facts::FactProblem {
    let mut looked_for: Vec<String> = REPOSITORY_FILES
        .iter()
        .map(|f| dir.join(f).display().to_string())
        .collect();
    looked_for.push("[[backups]] in plan.toml (record where the backups were copied)".into());
    crate::facts::FactProblem::Missing {
        input: "backup-repository".into(),
        looked_for,
    }
}

/// The `[[backups]]` tables of plan.toml, checked like the listing's rows.
fn planned_backups(
    path: &Path,
    plan: &Json,
) -> Result<Vec<RepositoryBackup>, crate::facts::FactProblem> {
    let Some(entries) = plan.get("backups") else {
        return Ok(Vec::new());
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let bad = |index: usize, reason: String| crate::facts::FactProblem::Malformed {
        path: shown.clone(),
        line: table_line(&text, index),
        reason: format!("[[backups]] entry {}: {reason}", index + 1),
    };
    let Some(entries) = entries.as_array() else {
        return Err(bad(0, "`backups` must be an array of tables".into()));
    };
    let mut out = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let text_of = |key: &str| entry.get(key).and_then(Json::as_str).map(str::to_string);
        let server = text_of("server").ok_or_else(|| bad(index, "no server".into()))?;
        let file = text_of("file").ok_or_else(|| bad(index, "no file".into()))?;
        let size = entry
            .get("size")
            .and_then(Json::as_u64)
            .ok_or_else(|| bad(index, "no size in bytes".into()))?;
        let time = text_of("time").ok_or_else(|| bad(index, "no time".into()))?;
        let time_epoch = crate::parse::time::gui_time::epoch(&time)
            .ok_or_else(|| bad(index, format!("time `{time}` is in no known form")))?;
        let kind = backup_repository::kind_of(text_of("kind").as_deref(), &file)
            .map_err(|reason| bad(index, reason))?;
        out.push(RepositoryBackup {
            server,
            kind,
            file,
            size,
            time,
            time_epoch,
            source: Source::new(&shown, table_line(&text, index)),
        });
    }
    Ok(out)
}

/// 1-based line of the `index`th `[[backups]]` header of plan.toml.
fn table_line(text: &str, index: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[backups]]")
        .nth(index)
        .map_or(1, |(n, _)| n + 1)
}

#[cfg(test)]
mod tests {
    use crate::facts::FactProblem;
    use crate::facts::testing::facts_of;

    const NODE: &str = r#"{"hostname": "mpe-a", "role": "mpe", "platform": "tpd"}"#;

    #[test]
    fn without_a_record_the_repository_is_missing_and_says_what_to_record() {
        let got = facts_of(NODE, &[], &["backup_repository"]).remove(0);
        let Err(FactProblem::Missing { input, looked_for }) = got else {
            panic!("{got:?}");
        };
        assert_eq!(input, "backup-repository");
        assert!(
            looked_for[0].ends_with("backup-repository.csv"),
            "{looked_for:?}"
        );
        assert!(
            looked_for[2].contains("[[backups]] in plan.toml"),
            "{looked_for:?}"
        );
    }

    #[test]
    fn a_plan_entry_without_a_size_is_located_at_its_table() {
        let dir = tempfile::tempdir().unwrap();
        let node = dir.path().join("mpe-a");
        std::fs::create_dir_all(&node).unwrap();
        std::fs::write(node.join("node.json"), NODE).unwrap();
        let plan = "window_start = 2026-11-21T14:00:00Z\n\n[[backups]]\nserver = \"mpe-a\"\n\
                    file = \"mpe-a-serverbackup.iso\"\nsize = 12\ntime = 2026-11-20T06:00:00Z\n\n\
                    [[backups]]\nserver = \"mpe-a\"\nfile = \"mpe-a-systembackup.tar.gz\"\n\
                    time = 2026-11-20T06:00:00Z\n";
        std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
        let (nodes, _) = crate::snapshot::discover(&[dir.path().to_path_buf()]);
        let got = crate::facts::NodeFacts::new(&nodes[0])
            .with_plan_file(Some(dir.path().join("plan.toml")))
            .get("backup_repository");
        let Err(FactProblem::Malformed { line, reason, .. }) = got else {
            panic!("{got:?}");
        };
        assert_eq!(line, 9);
        assert_eq!(reason, "[[backups]] entry 2: no size in bytes");
    }
}
