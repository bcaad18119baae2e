//! Policy Management backups: the archives in
//! /var/camiant/backup/local_archive/{serverbackup,systembackup}.

use std::path::Path;

use super::{FactResult, FactSpec, NodeFacts, outcome_problem, source};
use crate::parse::ls_listing;
use serde_json::{Value as Json, json};

/// Where the backups live, relative to the node folder.
pub const BACKUP_DIR: &str = "var/camiant/backup/local_archive";
/// (sub-folder, kind)
const KINDS: [(&str, &str); 2] = [("serverbackup", "server"), ("systembackup", "system")];

pub const BACKUPS: FactSpec = FactSpec {
    name: "backups",
    always: false,
    inputs: &["backup-dir", "backup-listing"],
    summary: "The backup archives of the node: the files of the snapshot's \
              var/camiant/backup/local_archive/{serverbackup,systembackup}/ when the collector \
              copied them, else the entries of an `ls -lR --time-style=+%s` listing of that folder.",
    fields: &[
        ("kind", "string", "server or system"),
        ("name", "string", "file name"),
        ("size", "int|null", "bytes"),
        (
            "mtime_epoch",
            "int|null",
            "modification time, seconds since 1970; null when the listing's time form has no year",
        ),
        ("source", "map", "{file, line}"),
    ],
};

pub fn build(facts: &mut NodeFacts) -> FactResult {
    let dir = facts.node.dir.join(BACKUP_DIR);
    if facts.node.is_dir(&dir) {
        if facts.node.archive.is_some() {
            // Their times would be the tar headers', not the node's.
            return Err(crate::facts::FactProblem::Unreadable {
                path: dir.display().to_string(),
                reason: "copied backups are not read inside an archive: extract it, or collect the backup-listing instead".into(),
            });
        }
        return Ok(Json::Array(copied_archives(&facts.node.dir, &dir)));
    }
    let (shown, outcome) = facts.parse("backup-listing", ls_listing::parse)?;
    let Some(listing) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    let kind_of = |dir: &str| {
        let folder = dir.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        KINDS.iter().find(|(f, _)| *f == folder).map(|(_, k)| *k)
    };
    let archives: Vec<Json> = listing
        .entries
        .iter()
        .filter(|e| e.kind == "file")
        .filter_map(|e| {
            let kind = kind_of(e.dir.as_deref()?)?;
            Some(json!({
                "kind": kind,
                "name": e.name,
                "size": e.size,
                "mtime_epoch": e.mtime_epoch,
                "source": source(&shown, e.line),
            }))
        })
        .collect();
    Ok(Json::Array(archives))
}

/// Archives copied into the snapshot, with their size and time on disk:
/// regular files only, in folders reached without leaving the node's.
fn copied_archives(node_dir: &Path, dir: &Path) -> Vec<Json> {
    let mut out = Vec::new();
    for (folder, kind) in KINDS {
        let Ok(real) = crate::confined::resolve(node_dir, &dir.join(folder)) else {
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
            out.push(json!({
                "kind": kind,
                "name": name,
                "size": meta.len(),
                "mtime_epoch": mtime,
                "source": { "file": shown, "line": null },
            }));
        }
    }
    out
}
