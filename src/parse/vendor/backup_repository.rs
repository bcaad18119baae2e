//! Backup repository listing: the server and system backups of a Policy
//! Management deployment as they sit in the backup repository, off the
//! servers (procedure 4.6.4, step 3 copies them there and step 4 records
//! where "there" is). One row per backup file, saved as CSV or copied as a
//! text table.
//!
//! # Columns
//!
//! Header names are matched as in the other exports (case-insensitive,
//! `_` for a space, a cut name ending in `...` matches the one column it
//! starts). Columns may come in any order; other columns are ignored.
//!
//! | field    | header names                                   |
//! |----------|------------------------------------------------|
//! | `server` | `Server`, `Hostname`, `Host` (required)        |
//! | `file`   | `File`, `File Name`, `Name`, `Backup` (required) |
//! | `size`   | `Size`, `Bytes`, `Size (bytes)` (required)     |
//! | `time`   | `Time`, `Taken At`, `Date`, `Modified` (required) |
//! | `kind`   | `Kind`, `Type`                                 |
//!
//! - `size` is the file's size in bytes, digits only (`,` and `_` group
//!   separators are dropped).
//! - `time` is when the backup was taken, in one of the forms of the GUI
//!   exports: `2026-11-20 08:00:00` (UTC), RFC 3339 with an offset,
//!   `11/20/2026 8:00:00` (month first) or `Nov 20, 2026 08:00:00`.
//! - `kind` is `server` or `system`. Without the column (or left blank) the
//!   file name tells: a name containing `systembackup` is a system backup,
//!   one containing `serverbackup` a server backup (the names platcfg gives
//!   them); failing that, a name ending in `.tar.gz` is a system backup and
//!   one ending in `.iso` a server backup (the forms platcfg writes).
//!
//! A row without a server, a file, a size in bytes, a time in a known form,
//! or whose kind cannot be told, makes the file Malformed at that row's
//! line: a listing that cannot be read whole is not taken as proof that a
//! backup is there. A header without rows means the repository is empty.
//! The columns are declared in `inputs/backup-repository.toml` and read by
//! the generic table parser (`parse::table`); the size and the kind are
//! read here.
//!
//! ```text
//! # ls of backup-host:/srv/backups/pcrf, 2026-11-20
//! Server,File,Size,Time
//! cmp-s1-a,cmp-s1-a-cmp_12.1.1.0.0_14.1.0-serverbackup-201611200800.iso,1555210,2026-11-20 08:00:00
//! cmp-s1-a,cmp-s1-a-cmp_12.1.1.0.0_14.1.0-systembackup-201611200810.tar.gz,880412,2026-11-20 08:10:00
//! ```
//!
//! The same as a text table, with the kind given:
//!
//! ```text
//! Server    Kind    File                    Size (bytes)  Taken At
//! mpe-s1-a  server  mpe-s1-a-backup.iso          1555210  11/20/2026 8:05:00
//! ```

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::parse::Outcome;
use crate::parse::export_table::words;
use crate::parse::table::TableSpec;

/// One backup file in the repository.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepositoryBackup {
    /// 1-based line the row starts on.
    pub line: usize,
    pub server: String,
    /// `server` or `system`.
    pub kind: BackupKind,
    pub file: String,
    pub size: u64,
    /// The time as printed.
    pub time: String,
    pub time_epoch: i64,
}

/// A row as `inputs/backup-repository.toml` declares it.
#[derive(Deserialize)]
struct Listed {
    line: usize,
    server: String,
    file: String,
    size: String,
    time: String,
    time_epoch: i64,
    kind: Option<String>,
}

/// The columns, as `inputs/backup-repository.toml` declares them.
static SPEC: LazyLock<TableSpec> =
    LazyLock::new(|| TableSpec::built_in(include_str!("../../../inputs/backup-repository.toml")));

/// Parses a backup repository listing, CSV or text table.
pub fn parse(text: &str) -> Outcome<Vec<RepositoryBackup>> {
    SPEC.parse_with(text, record)
}

/// What a backup holds (the platcfg menu's two backups).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BackupKind {
    /// a platcfg server backup, `serverbackup` in its name
    Server,
    /// a platcfg system backup, `systembackup` in its name
    System,
}

/// The kind a `Kind` value or, without one, the file name gives.
pub fn kind_of(given: Option<&str>, file: &str) -> Result<BackupKind, String> {
    if let Some(given) = given {
        return match words(given).as_str() {
            "server" | "server backup" => Ok(BackupKind::Server),
            "system" | "system backup" => Ok(BackupKind::System),
            other => Err(format!("kind `{other}` is neither server nor system")),
        };
    }
    // The platcfg name says it; the extension only when the name does not.
    let name = file.to_ascii_lowercase();
    if name.contains("systembackup") {
        Ok(BackupKind::System)
    } else if name.contains("serverbackup") {
        Ok(BackupKind::Server)
    } else if name.ends_with(".tar.gz") {
        Ok(BackupKind::System)
    } else if name.ends_with(".iso") {
        Ok(BackupKind::Server)
    } else {
        Err(format!(
            "`{file}` is named like neither a server backup (serverbackup, .iso) nor a system \
             backup (systembackup, .tar.gz): add a Kind column"
        ))
    }
}

/// Bytes as printed, group separators dropped.
pub fn bytes(text: &str) -> Option<u64> {
    let digits: String = text.chars().filter(|c| !matches!(c, ',' | '_')).collect();
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// The vendor logic the spec cannot state: the size in bytes, and the
/// kind, from the file name when no column gives it.
fn record(row: Listed) -> Result<RepositoryBackup, String> {
    let size =
        bytes(&row.size).ok_or_else(|| format!("size `{}` is no number of bytes", row.size))?;
    Ok(RepositoryBackup {
        line: row.line,
        server: row.server,
        kind: kind_of(row.kind.as_deref(), &row.file)?,
        file: row.file,
        size,
        time: row.time,
        time_epoch: row.time_epoch,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{self, parsed};

    fn rows(text: &str) -> Vec<RepositoryBackup> {
        parsed(&parse(text), text)
    }

    #[test]
    fn documentation_examples_parse() {
        let blocks = testing::doc_text_blocks(include_str!("backup_repository.rs"));
        let first = rows(&blocks[0]);
        assert_eq!(first.len(), 2);
        assert_eq!((first[0].kind, first[0].line), (BackupKind::Server, 3));
        assert_eq!(first[1].kind, BackupKind::System);
        assert_eq!(first[1].time_epoch, 1_795_162_200);
        let second = rows(&blocks[1]);
        assert_eq!(second.len(), 1);
        assert_eq!(
            (second[0].kind, second[0].size),
            (BackupKind::Server, 1_555_210)
        );
        assert_eq!(second[0].time_epoch, 1_795_161_900);
    }

    #[test]
    fn a_header_alone_is_an_empty_repository() {
        assert!(rows("Server,File,Size,Time\n").is_empty());
    }

    #[test]
    fn a_bad_row_is_located() {
        for (text, line, says) in [
            (
                "Server,File,Size,Time\na,a.iso,12,2026-11-20 08:00:00\nb,b.iso,1.5G,2026-11-20 08:00:00\n",
                3,
                "1.5G",
            ),
            (
                "Server,File,Size,Time\na,a.iso,12,yesterday\n",
                2,
                "yesterday",
            ),
            (
                "Server,File,Size,Time\n,a.iso,12,2026-11-20 08:00:00\n",
                2,
                "no server",
            ),
            (
                "Server,File,Size,Time\na,a.bin,12,2026-11-20 08:00:00\n",
                2,
                "Kind column",
            ),
            (
                "Server,Kind,File,Size,Time\na,full,a.iso,12,2026-11-20 08:00:00\n",
                2,
                "neither",
            ),
        ] {
            let m = testing::malformed(&parse(text), text);
            assert_eq!(m.line, line, "{text}");
            assert!(m.reason.contains(says), "{}", m.reason);
        }
    }

    #[test]
    fn a_header_without_the_columns_is_malformed_at_it() {
        let m = testing::malformed(&parse("Server,File\na,b\n"), "");
        assert_eq!(m.line, 1);
        assert!(
            m.reason.contains("backup repository listing"),
            "{}",
            m.reason
        );
    }

    #[test]
    fn the_name_tells_the_kind_before_the_extension() {
        assert_eq!(
            kind_of(None, "a-serverbackup-1.tar.gz"),
            Ok(BackupKind::Server)
        );
        assert_eq!(
            kind_of(None, "a-systembackup-1.iso"),
            Ok(BackupKind::System)
        );
        assert_eq!(kind_of(None, "a.tar.gz"), Ok(BackupKind::System));
        assert_eq!(
            kind_of(Some("System"), "a-serverbackup.iso"),
            Ok(BackupKind::System)
        );
    }

    #[test]
    fn sizes_take_group_separators_only() {
        assert_eq!(bytes("1,555,210"), Some(1_555_210));
        assert_eq!(bytes("0"), Some(0));
        assert_eq!(bytes("12k"), None);
        assert_eq!(bytes(""), None);
    }
}
