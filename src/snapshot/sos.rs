//! The sosreport layout: the node identity read from the report itself
//! (sos writes no node.json). Where sos keeps each input is the `sos` list
//! of its input file (`inputs/<name>.toml`).
//!
//! sos saves a command's output as `sos_commands/<plugin>/<command line>`
//! (spaces → `_`, `/` → `.`) and copies files at their absolute path, so a
//! copied file is where the native layout keeps it.

use crate::parse::{Outcome, time::date};
use chrono::{NaiveDateTime, TimeZone, Utc};
use serde_json::{Map, Value, json};

/// The folder that marks a sosreport.
pub const MARKER: &str = "sos_commands";

/// The identity of a sosreport node. `read` returns the text of a file of
/// the report by its relative path; `folder` is the report's folder name.
/// node.json fields, when the folder has one, are laid over this.
pub fn identity(read: &dyn Fn(&str) -> Option<String>, folder: &str) -> Map<String, Value> {
    let mut map = Map::new();
    let hostname = ["hostname", "sos_commands/host/hostname"]
        .iter()
        .find_map(|p| first_line(read(p)?))
        .or_else(|| hostname_from_folder(folder));
    if let Some(h) = hostname {
        map.insert("hostname".into(), json!(h));
    }
    map.insert("platform".into(), json!("linux"));
    let mut versions = Map::new();
    if let Some(uname) = ["uname", "sos_commands/kernel/uname_-a"]
        .iter()
        .find_map(|p| first_line(read(p)?))
    {
        if let Some(kernel) = uname.split_whitespace().nth(2) {
            versions.insert("kernel".into(), json!(kernel));
        }
        versions.insert("uname".into(), json!(uname));
    }
    if let Some(sos) = read("version.txt").and_then(|t| {
        t.lines()
            .find_map(|l| l.strip_prefix("sosreport:").map(|v| v.trim().to_string()))
    }) {
        versions.insert("sosreport".into(), json!(sos));
    }
    map.insert("versions".into(), Value::Object(versions));
    if let Some(at) = collected_at(read) {
        map.insert("collected_at".into(), json!(at));
        // sos reads its start time from the node's own clock.
        map.insert("collected_at_clock".into(), json!("node"));
    }
    map.insert("labels".into(), json!({ "layout": "sosreport" }));
    map
}

fn first_line(text: String) -> Option<String> {
    let line = text.lines().next()?.trim();
    (!line.is_empty()).then(|| line.to_string())
}

/// `sosreport-<host>[-<label>]-YYYY-MM-DD-<random>`: the host is the first
/// part only, since a label may follow it and host names may hold `-`.
fn hostname_from_folder(folder: &str) -> Option<String> {
    let rest = folder.strip_prefix("sosreport-")?;
    let host = rest.split('-').next()?;
    (!host.is_empty()).then(|| host.to_string())
}

/// When sos started, in UTC. sos writes `start_time` in the node's local
/// time without a zone; the zone's offset comes from the `date` (local) and
/// `date --utc` outputs the same report holds. Without both, the time is
/// left out rather than guessed.
fn collected_at(read: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let manifest: Value = serde_json::from_str(&read("sos_reports/manifest.json")?).ok()?;
    let start = manifest.get("start_time")?.as_str()?;
    let local = NaiveDateTime::parse_from_str(start, "%Y-%m-%d %H:%M:%S%.f").ok()?;
    let offset = local_offset_s(read)?;
    let utc = local - chrono::Duration::seconds(offset);
    Some(
        Utc.from_utc_datetime(&utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

/// The node's UTC offset: the zone `date` printed when it is known, else
/// its wall time against `date --utc`, to the quarter hour.
fn local_offset_s(read: &dyn Fn(&str) -> Option<String>) -> Option<i64> {
    let reading = |path: &str| match date::parse(&read(path)?) {
        Outcome::Parsed { records } => Some(records),
        _ => None,
    };
    let local = reading("sos_commands/date/date")?;
    if let Some(offset) = local.utc_offset_s {
        return Some(offset.into());
    }
    let utc_epoch = reading("sos_commands/date/date_--utc")?.epoch?;
    let wall = NaiveDateTime::parse_from_str(local.local.as_deref()?, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()?
        .and_utc()
        .timestamp() as f64;
    let quarter = 900.0;
    Some(((wall - utc_epoch) / quarter).round() as i64 * 900)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn reader(files: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        move |p| map.get(p).cloned()
    }

    #[test]
    fn identity_comes_from_the_report() {
        let read = reader(&[
            ("hostname", "db-east-1\n"),
            (
                "uname",
                "Linux db-east-1 5.14.0-284.11.1.el9_2.x86_64 #1 SMP x86_64 GNU/Linux\n",
            ),
            ("version.txt", "sosreport: 4.5.4\nchrony: unversioned\n"),
            (
                "sos_reports/manifest.json",
                r#"{"start_time": "2026-11-21 20:24:08.008938"}"#,
            ),
            ("sos_commands/date/date", "Sat Nov 21 20:24:08 CET 2026\n"),
        ]);
        let id = identity(&read, "sosreport-other-2026-11-21-abcdefg");
        assert_eq!(id["hostname"], "db-east-1");
        assert_eq!(id["platform"], "linux");
        assert_eq!(id["versions"]["kernel"], "5.14.0-284.11.1.el9_2.x86_64");
        assert_eq!(id["versions"]["sosreport"], "4.5.4");
        assert_eq!(id["collected_at"], "2026-11-21T19:24:08Z");
    }

    #[test]
    fn an_unknown_zone_is_placed_by_date_utc() {
        let read = reader(&[
            (
                "sos_reports/manifest.json",
                r#"{"start_time": "2026-11-21 19:24:08.5"}"#,
            ),
            ("sos_commands/date/date", "Sat Nov 21 19:24:08 IST 2026\n"),
            (
                "sos_commands/date/date_--utc",
                "Sat Nov 21 13:54:09 UTC 2026\n",
            ),
        ]);
        let id = identity(&read, "sosreport-web01-2026-11-21-abcdefg");
        assert_eq!(id["hostname"], "web01");
        assert_eq!(id["collected_at"], "2026-11-21T13:54:08Z");
    }

    #[test]
    fn no_offset_no_collection_time() {
        let read = reader(&[(
            "sos_reports/manifest.json",
            r#"{"start_time": "2026-11-21 19:24:08.5"}"#,
        )]);
        let id = identity(&read, "report");
        assert!(id.get("collected_at").is_none());
        assert!(id.get("hostname").is_none());
    }
}
