//! Upgrade Manager log export: the Upgrade Log of the Oracle Policy
//! Management Upgrade Manager, copied as tab-separated text or saved as CSV.
//!
//! One row per upgrade action; an action started by another names it as
//! its parent. The file is a table with a header row, written either as CSV
//! or as a whitespace-aligned text table. A header with no rows means no
//! action is logged.
//!
//! # Columns
//!
//! Header names are matched case-insensitively, with surrounding spaces
//! ignored, runs of spaces taken as one and `_` taken as a space
//! (`action_name` = `Action Name`). The GUI cuts names that do not fit
//! their column and ends them in `...` or `…` (`Pare...`, `Durat...`): such
//! a name matches the field whose names below it is the start of, when
//! exactly one field has such a name. Columns may come in any order; other
//! columns are ignored; when two columns mean the same field, the one whose
//! name comes first in the list below wins, wherever it stands (the header
//! decides, never the position).
//!
//! | field         | header names                                    |
//! |---------------|-------------------------------------------------|
//! | `id`          | `ID` (required)                                 |
//! | `parent`      | `Parent`                                        |
//! | `action`      | `Action Name`, `Action` (required)              |
//! | `start`       | `Start Time`, `Start`                           |
//! | `end`         | `End Time`, `End`                               |
//! | `duration_s`  | `Duration`                                      |
//! | `scope`       | `Scope`                                         |
//! | `hostname`    | `Hostname`, `Host`, `Target`                    |
//! | `result`      | `Result`, `Status` (required)                   |
//! | `mode`        | `Mode`                                          |
//! | `description` | `Description`                                   |
//!
//! Values are trimmed; an empty optional value is absent, and cells cut by
//! the GUI (`Automatic action initi...`) are kept as printed. The ID and
//! the parent are integers; a parent of `0` or none means a top-level
//! action. A row without an ID, an action or a result, or with an ID or
//! parent that is not an integer, makes the file Malformed at that row's
//! line. The scope is lowercased (`server`, `cluster`, `site`). The
//! duration `H:MM:SS` (`1:03:11`) is read into seconds; another form leaves
//! `duration_s` absent.
//!
//! # Results
//!
//! The result is normalised (case-insensitive; spaces, `_` and `-` alike) to:
//!
//! | result        | printed as                                            |
//! |---------------|-------------------------------------------------------|
//! | `success`     | Success, Successful, Completed                        |
//! | `failed`      | Failed, Failure, Error, UPGRADE_OPERATION_FAILED      |
//! | `in-progress` | In Progress, Running, Started, or starting `[Step N]` as in `[Step 4] 36%` |
//! | `pending`     | Pending, Queued                                       |
//! | `cancelled`   | Cancelled, Canceled, Aborted                          |
//! | `unknown`     | anything else; `raw_result` keeps what was printed    |
//!
//! # Times
//!
//! `start` and `end` keep the times as printed; `start_epoch` and
//! `end_epoch` are those times in seconds since 1970-01-01T00:00:00Z when
//! printed in one of these forms (runs of spaces taken as one):
//!
//! - `2/9/2015 9:21:36`: month, day, four-digit year, as the Upgrade
//!   Manager prints it;
//! - `2015-02-09 09:21:36`, also with `T` for the space and a fraction of a
//!   second (`.123` or `,123`, dropped);
//! - RFC 3339 / ISO 8601 with an offset: `2015-02-09T10:21:36+01:00`,
//!   `2015-02-09 10:21:36 +0100`, `2015-02-09T10:21:36+01`,
//!   `2015-02-09T09:21:36Z`;
//! - `Feb 9, 2015 09:21:36`, the month in English, abbreviated (`Feb`,
//!   `Feb.`) or in full (`February`).
//!
//! Each may end in ` UTC` or ` GMT`. A time without an offset is taken as
//! UTC. Any other text, an offset together with ` UTC`, or an impossible
//! date (a day-first `13/2/2015`) leaves the epoch absent; the row is still
//! read.
//!
//! # Tab-separated and CSV forms
//!
//! Tab, semicolon or comma separated; the separator is the one that splits
//! the header row into an ID, an action and a result column (tried in the
//! order tab, semicolon, comma). A UTF-8 byte-order mark, CRLF line ends,
//! and quoted values (`"…"`, with `""` for a quote, and separators or line
//! breaks inside) are accepted. The log as the GUI copies it, tab-separated
//! with cut names and cells, each tab shown here as `→`:
//!
//! ```text
//! ID→Pare...→Action Name→Start Time→End Time→Durat...→Scope→Hostname→Result→Mode→Description
//! 6→0→Preflight Check→2/9/2015 9:21:36→2/9/2015 9:21:54→0:00:17→Server→chris16→Success→Manual→User initiated action: ...
//! 7→6→Initiate upgrade→2/9/2015 9:21:54→2/9/2015 10:25:06→1:03:11→Server→chris16→Success→Automatic→Automatic action initi...
//! 8→6→Modify the role/replication ...→2/9/2015 9:21:54→2/9/2015 9:21:58→0:00:04→Cluster→TestMPE→Success→Automatic→Automatic action for ...
//! 10→0→Failover to new version→2/9/2015 11:20:08→2/9/2015 11:20:08→0:00:00→Cluster→TestMPE→Success→Manual→User initiated action: ...
//! ```
//!
//! Saved as CSV, with a failed and a running action:
//!
//! ```text
//! # Upgrade Log of cluster TestMPE, copied 2015-02-09
//! ID,Parent,Action Name,Start Time,End Time,Duration,Scope,Hostname,Result,Mode,Description
//! 14,0,Initiate upgrade,2/9/2015 11:25:40,2/9/2015 11:31:02,0:05:22,Server,chris17,UPGRADE_OPERATION_FAILED,Manual,"User initiated action: upgrade, then reboot"
//! 15,0,Initiate upgrade,2/9/2015 11:40:00,,,Server,chris17,[Step 4] 36%,Manual,User initiated action
//! 16,15,Failover to new version,,,,Cluster,TestMPE,Pending,Automatic,
//! ```
//!
//! With semicolons, quotes, the short header names and ISO times:
//!
//! ```text
//! "ID";"Parent";"Action";"Start";"End";"Duration";"Scope";"Target";"Status"
//! "20";"";"Accept upgrade";"2015-02-10T08:00:00Z";"2015-02-10T09:00:03+01:00";"0:00:03";"Cluster";"TestMPE";"Completed"
//! ```
//!
//! # Text-table form
//!
//! Columns are separated by two or more spaces, so values may contain single
//! spaces. Each column starts where its header name starts; a value belongs
//! to the column under whose header it lies, and a column may be left blank.
//! Tabs are expanded to 8-column stops. An optional rule line of `-` or `=`
//! may follow the header. A complete file:
//!
//! ```text
//! ID  Parent  Action Name              Start Time         End Time           Duration  Scope    Hostname  Result
//! --  ------  -----------------------  -----------------  -----------------  --------  -------  --------  -------
//! 6   0       Preflight Check          2/9/2015 9:21:36   2/9/2015 9:21:54   0:00:17   Server   chris16   Success
//! 10          Failover to new version  2/9/2015 11:20:08  2/9/2015 11:20:08  0:00:00   Cluster  TestMPE   Success
//! ```
//!
//! When a row does not line up with the header, it is split at its runs of
//! two or more spaces instead, provided that gives one value per column.
//!
//! In all forms blank lines and lines starting with `#` are skipped.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::model::vocabulary::{Vocabulary, vocabulary};
use crate::parse::Outcome;
use crate::parse::table::TableSpec;

/// One action of the Upgrade Log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpgradeAction {
    /// 1-based line the row starts on.
    pub line: usize,
    pub id: i64,
    /// The ID of the action that started this one; `None` for a top-level
    /// action (printed `0` or empty).
    pub parent: Option<i64>,
    pub action: String,
    /// Start time as printed.
    pub start: Option<String>,
    /// `start` in seconds since the epoch, when it is in a known form.
    pub start_epoch: Option<i64>,
    /// End time as printed.
    pub end: Option<String>,
    /// `end` in seconds since the epoch, when it is in a known form.
    pub end_epoch: Option<i64>,
    /// The duration `H:MM:SS` in seconds.
    pub duration_s: Option<i64>,
    /// Lowercase: server | cluster | …
    pub scope: Option<String>,
    pub hostname: Option<String>,
    /// Normalised as `inputs/upgrade-log.toml` says.
    pub result: UpgradeResult,
    /// The result as printed.
    pub raw_result: String,
    /// As printed: `Manual`, `Automatic`.
    pub mode: Option<String>,
    pub description: Option<String>,
}

vocabulary! {
    /// An Upgrade Manager action's result, normalised: the values of the
    /// `result` column of `inputs/upgrade-log.toml` and its `other`, written
    /// as those words in facts and reports.
    pub enum UpgradeResult {
        Success = "success",
        Failed = "failed",
        InProgress = "in-progress",
        Pending = "pending",
        Cancelled = "cancelled",
        Unknown = "unknown",
    }
}

impl UpgradeResult {
    /// The result a fact's text names; `unknown` for any other text.
    pub fn from_text(text: &str) -> UpgradeResult {
        UpgradeResult::from_word(text).unwrap_or(UpgradeResult::Unknown)
    }
}

/// The columns and results, as `inputs/upgrade-log.toml` declares them.
static SPEC: LazyLock<TableSpec> =
    LazyLock::new(|| TableSpec::built_in(include_str!("../../../inputs/upgrade-log.toml")));

/// A row as `inputs/upgrade-log.toml` reads it.
#[derive(Deserialize)]
struct Row {
    line: usize,
    id: String,
    parent: Option<String>,
    action: String,
    start: Option<String>,
    start_epoch: Option<i64>,
    end: Option<String>,
    end_epoch: Option<i64>,
    duration: Option<String>,
    scope: Option<String>,
    hostname: Option<String>,
    result: UpgradeResult,
    raw_result: String,
    mode: Option<String>,
    description: Option<String>,
}

/// Parses an Upgrade Log export, tab-separated, CSV or text table.
pub fn parse(text: &str) -> Outcome<Vec<UpgradeAction>> {
    SPEC.parse_with(text, action)
}

/// The Upgrade Manager's own conventions on a row the spec has read.
fn action(row: Row) -> Result<UpgradeAction, String> {
    let parent = match &row.parent {
        None => None,
        // `0`: a top-level action.
        Some(p) => Some(integer("parent", p)?).filter(|&p| p != 0),
    };
    let result = if is_step(&row.raw_result) {
        UpgradeResult::InProgress
    } else {
        row.result
    };
    Ok(UpgradeAction {
        line: row.line,
        id: integer("ID", &row.id)?,
        parent,
        action: row.action,
        start: row.start,
        start_epoch: row.start_epoch,
        end: row.end,
        end_epoch: row.end_epoch,
        duration_s: row.duration.as_deref().and_then(duration_s),
        scope: row.scope.map(|s| s.to_lowercase()),
        hostname: row.hostname,
        result,
        raw_result: row.raw_result,
        mode: row.mode,
        description: row.description,
    })
}

/// `[Step 4] 36%`: the progress the GUI shows for a running action.
fn is_step(raw: &str) -> bool {
    crate::parse::export_table::words(raw)
        .strip_prefix("[step ")
        .and_then(|rest| rest.split_once(']'))
        .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Seconds of an `H:MM:SS` duration.
fn duration_s(text: &str) -> Option<i64> {
    let mut parts = text.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let digits = |p: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<i64>().ok())
            .flatten()
    };
    let (h, m, s) = (digits(h, 1..=9)?, digits(m, 2..=2)?, digits(s, 2..=2)?);
    (m < 60 && s < 60).then_some(h * 3600 + m * 60 + s)
}

/// An integer cell, or why it is not one.
fn integer(what: &str, value: &str) -> Result<i64, String> {
    value.parse().map_err(|_| {
        let shown: String = value.chars().take(40).collect();
        format!("the {what} `{shown}` is not an integer")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{self, export_junk, not_applicable, parse_every_prefix, parsed};

    /// 2015-02-09T09:21:36Z.
    const T0: i64 = 1_423_473_696;

    fn actions(text: &str) -> Vec<UpgradeAction> {
        parsed(&parse(text), text)
    }

    fn malformed(text: &str) -> (usize, String) {
        let m = testing::malformed(&parse(text), text);
        (m.line, m.reason)
    }

    /// The ```text blocks of the module documentation, with the tabs the
    /// documentation shows as `→`.
    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("upgrade_log.rs"))
            .into_iter()
            .map(|b| b.replace('→', "\t"))
            .collect()
    }

    /// An action with the optional fields absent.
    fn bare(line: usize, id: i64, action: &str, result: &str, raw: &str) -> UpgradeAction {
        UpgradeAction {
            line,
            id,
            parent: None,
            action: action.into(),
            start: None,
            start_epoch: None,
            end: None,
            end_epoch: None,
            duration_s: None,
            scope: None,
            hostname: None,
            result: UpgradeResult::from_text(result),
            raw_result: raw.into(),
            mode: None,
            description: None,
        }
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn documentation_examples_parse() {
        let blocks = doc_blocks();
        let counts: Vec<usize> = blocks.iter().map(|b| actions(b).len()).collect();
        assert_eq!(counts, vec![4, 3, 1, 2]);
        // The vendor's form: eleven tab-separated columns on every line.
        assert!(blocks[0].lines().all(|l| l.matches('\t').count() == 10));
    }

    /// A successful action with every field present: `[action, start, end,
    /// scope, hostname, mode, description]` as printed and `[start_epoch,
    /// end_epoch, duration_s]`.
    fn logged(
        line: usize,
        id: i64,
        parent: Option<i64>,
        text: [&str; 7],
        numbers: [i64; 3],
    ) -> UpgradeAction {
        let [action, start, end, scope, hostname, mode, description] = text;
        let [start_epoch, end_epoch, duration_s] = numbers;
        UpgradeAction {
            line,
            id,
            parent,
            action: action.into(),
            start: some(start),
            start_epoch: Some(start_epoch),
            end: some(end),
            end_epoch: Some(end_epoch),
            duration_s: Some(duration_s),
            scope: some(scope),
            hostname: some(hostname),
            result: UpgradeResult::Success,
            raw_result: "Success".into(),
            mode: some(mode),
            description: some(description),
        }
    }

    #[test]
    fn vendor_tab_separated_example() {
        let got = actions(&doc_blocks()[0]);
        let want = vec![
            logged(
                2,
                6,
                None,
                [
                    "Preflight Check",
                    "2/9/2015 9:21:36",
                    "2/9/2015 9:21:54",
                    "server",
                    "chris16",
                    "Manual",
                    "User initiated action: ...",
                ],
                [T0, T0 + 18, 17],
            ),
            logged(
                3,
                7,
                Some(6),
                [
                    "Initiate upgrade",
                    "2/9/2015 9:21:54",
                    "2/9/2015 10:25:06",
                    "server",
                    "chris16",
                    "Automatic",
                    "Automatic action initi...",
                ],
                [T0 + 18, T0 + 3_810, 3_791],
            ),
            logged(
                4,
                8,
                Some(6),
                [
                    "Modify the role/replication ...",
                    "2/9/2015 9:21:54",
                    "2/9/2015 9:21:58",
                    "cluster",
                    "TestMPE",
                    "Automatic",
                    "Automatic action for ...",
                ],
                [T0 + 18, T0 + 22, 4],
            ),
            logged(
                5,
                10,
                None,
                [
                    "Failover to new version",
                    "2/9/2015 11:20:08",
                    "2/9/2015 11:20:08",
                    "cluster",
                    "TestMPE",
                    "Manual",
                    "User initiated action: ...",
                ],
                [T0 + 7_112, T0 + 7_112, 0],
            ),
        ];
        assert_eq!(got, want);
        // Copied with CRLF line ends and a byte-order mark, it reads the same.
        let crlf = format!("\u{feff}{}", doc_blocks()[0].replace('\n', "\r\n"));
        assert_eq!(actions(&crlf), want);
    }

    #[test]
    fn csv_example_failed_running_and_pending() {
        let got = actions(&doc_blocks()[1]);
        assert_eq!(
            got[0],
            UpgradeAction {
                line: 3,
                id: 14,
                parent: None,
                action: "Initiate upgrade".into(),
                start: some("2/9/2015 11:25:40"),
                start_epoch: Some(T0 + 7_444),
                end: some("2/9/2015 11:31:02"),
                end_epoch: Some(T0 + 7_766),
                duration_s: Some(322),
                scope: some("server"),
                hostname: some("chris17"),
                result: UpgradeResult::Failed,
                raw_result: "UPGRADE_OPERATION_FAILED".into(),
                mode: some("Manual"),
                description: some("User initiated action: upgrade, then reboot"),
            }
        );
        let mut running = bare(4, 15, "Initiate upgrade", "in-progress", "[Step 4] 36%");
        running.start = some("2/9/2015 11:40:00");
        running.start_epoch = Some(T0 + 8_304);
        running.scope = some("server");
        running.hostname = some("chris17");
        running.mode = some("Manual");
        running.description = some("User initiated action");
        assert_eq!(got[1], running);
        let mut pending = bare(5, 16, "Failover to new version", "pending", "Pending");
        pending.parent = Some(15);
        pending.scope = some("cluster");
        pending.hostname = some("TestMPE");
        pending.mode = some("Automatic");
        assert_eq!(got[2], pending);
    }

    #[test]
    fn csv_semicolons_quotes_and_short_names() {
        let got = actions(&doc_blocks()[2]);
        let mut want = bare(2, 20, "Accept upgrade", "success", "Completed");
        want.start = some("2015-02-10T08:00:00Z");
        want.start_epoch = Some(1_423_555_200);
        want.end = some("2015-02-10T09:00:03+01:00");
        want.end_epoch = Some(1_423_555_203);
        want.duration_s = Some(3);
        want.scope = some("cluster");
        want.hostname = some("TestMPE");
        assert_eq!(got, vec![want]);
    }

    #[test]
    fn text_table_example() {
        let got = actions(&doc_blocks()[3]);
        let mut first = bare(3, 6, "Preflight Check", "success", "Success");
        first.start = some("2/9/2015 9:21:36");
        first.start_epoch = Some(T0);
        first.end = some("2/9/2015 9:21:54");
        first.end_epoch = Some(T0 + 18);
        first.duration_s = Some(17);
        first.scope = some("server");
        first.hostname = some("chris16");
        assert_eq!(got[0], first);
        assert_eq!((got[1].line, got[1].id, got[1].parent), (4, 10, None));
        assert_eq!(got[1].action, "Failover to new version");
        assert_eq!(got[1].start_epoch, Some(T0 + 7_112));
        assert_eq!(got[1].hostname.as_deref(), Some("TestMPE"));
    }

    #[test]
    fn bom_crlf_and_quoted_line_breaks() {
        let text = "\u{feff}ID,Action,Result,Description\r\n\
                    1,Backup,Success,\"line one\r\nline two\"\r\n\
                    \r\n\
                    2,Upgrade,Failure,\r\n";
        let got = actions(text);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].line, 2);
        assert_eq!(got[0].description.as_deref(), Some("line one\nline two"));
        assert_eq!((got[1].line, got[1].result.as_str()), (5, "failed"));
    }

    #[test]
    fn truncated_header_names() {
        let got = actions(
            "I…\tParent\tAction N...\tStart T...\tEnd...\tDur…\tSco...\tHostn...\tRes...\tMo…\tDesc...\n\
                           3\t1\tBackup\t2/9/2015 9:21:36\t2/9/2015 9:21:54\t0:00:18\tServer\th1\tSuccess\tManual\td\n",
        );
        let a = &got[0];
        assert_eq!((a.id, a.parent, a.action.as_str()), (3, Some(1), "Backup"));
        assert_eq!(
            (a.start_epoch, a.end_epoch, a.duration_s),
            (Some(T0), Some(T0 + 18), Some(18))
        );
        assert_eq!(
            (a.scope.as_deref(), a.hostname.as_deref()),
            (Some("server"), Some("h1"))
        );
        assert_eq!(
            (
                a.result.as_str(),
                a.mode.as_deref(),
                a.description.as_deref()
            ),
            ("success", Some("Manual"), Some("d"))
        );
    }

    #[test]
    fn header_aliases() {
        let got = actions("id;action;status;start;end;host\n1;a;ok;s;e;h\n");
        assert_eq!(got[0].raw_result, "ok");
        assert_eq!(got[0].result.as_str(), "unknown");
        assert_eq!(
            (got[0].start.as_deref(), got[0].end.as_deref()),
            (Some("s"), Some("e"))
        );
        assert_eq!(got[0].hostname.as_deref(), Some("h"));
        let got = actions("ID,Action_Name,Result,Target\n1,a,Running,t\n");
        assert_eq!(got[0].hostname.as_deref(), Some("t"));
        // The first of two columns for one field wins.
        let got = actions("ID,Action,Result,Status\n1,a,Success,Failed\n");
        assert_eq!(got[0].result.as_str(), "success");
    }

    #[test]
    fn every_result_mapping() {
        for (raw, want) in [
            ("Success", "success"),
            ("successful", "success"),
            ("COMPLETED", "success"),
            ("Failed", "failed"),
            ("Failure", "failed"),
            ("error", "failed"),
            ("UPGRADE_OPERATION_FAILED", "failed"),
            ("In Progress", "in-progress"),
            ("in_progress", "in-progress"),
            ("In-Progress", "in-progress"),
            ("Running", "in-progress"),
            ("Started", "in-progress"),
            ("[Step 4] 36%", "in-progress"),
            ("[step 12] 100%", "in-progress"),
            ("[Step 3]", "in-progress"),
            ("[Step 2] 5... ", "in-progress"),
            ("Pending", "pending"),
            ("QUEUED", "pending"),
            ("Cancelled", "cancelled"),
            ("Canceled", "cancelled"),
            ("Aborted", "cancelled"),
            ("[Step] 3%", "unknown"),
            ("[Step x] 3%", "unknown"),
            ("Succ...", "unknown"),
            ("成功", "unknown"),
        ] {
            let got = actions(&format!("ID,Action,Result\n1,a,{raw}\n"));
            assert_eq!(got[0].result.as_str(), want, "{raw}");
            assert_eq!(got[0].raw_result, raw.trim(), "{raw}");
        }
    }

    #[test]
    fn parents_durations_and_times() {
        for (parent, want) in [("", None), ("0", None), ("00", None), ("7", Some(7))] {
            let got = actions(&format!("ID,Parent,Action,Result\n1,{parent},a,Success\n"));
            assert_eq!(got[0].parent, want, "{parent:?}");
        }
        for (duration, want) in [
            ("0:00:17", Some(17)),
            ("1:03:11", Some(3_791)),
            ("26:00:00", Some(93_600)),
            ("00:01:00", Some(60)),
            ("0:60:00", None),
            ("0:00:7", None),
            ("1:03", None),
            ("0:0...", None),
            ("1:00:00:00", None),
            ("-1:00:00", None),
            ("17s", None),
        ] {
            let got = actions(&format!(
                "ID,Duration,Action,Result\n1,{duration},a,Success\n"
            ));
            assert_eq!(got[0].duration_s, want, "{duration}");
        }
        for (time, want) in [
            ("2/9/2015 9:21:36", Some(T0)),
            ("2015-02-09 09:21:36 UTC", Some(T0)),
            ("2015-02-09T10:21:36+01:00", Some(T0)),
            ("Feb 9, 2015 09:21:36", Some(T0)),
            ("2/9/2015 9:2...", None),
            ("n/a", None),
        ] {
            let got = actions(&format!("ID;Start;Action;Result\n1;{time};a;Success\n"));
            assert_eq!(got[0].start.as_deref(), Some(time));
            assert_eq!(got[0].start_epoch, want, "{time}");
        }
    }

    #[test]
    fn header_only_means_no_actions() {
        assert_eq!(actions("ID\tParent\tAction Name\tResult\n"), vec![]);
        assert_eq!(actions("ID  Action  Result\n--  ------  ------\n"), vec![]);
    }

    #[test]
    fn empty_files_and_collector_messages_are_not_applicable() {
        for text in ["", " \r\n\n", "\u{feff}", "# nothing\n"] {
            let na = not_applicable(&parse(text), text);
            assert_eq!(na.kind, Absence::Empty, "{text:?}");
        }
        let na = not_applicable(&parse("sh: upgrade-log: command not found\n"), "not found");
        assert_eq!((na.kind, na.line), (Absence::ToolMissing, Some(1)));
    }

    #[test]
    fn malformed_rows_and_headers() {
        let (line, why) = malformed("ID,Action,Result\n1,a,Success\nseven,b,Success\n");
        assert_eq!(line, 3);
        assert!(why.contains("ID `seven` is not an integer"), "{why}");
        let (line, why) = malformed("ID\tAction\tResult\n\n1.5\ta\tSuccess\n");
        assert_eq!(line, 3);
        assert!(why.contains("not an integer"), "{why}");
        let (line, why) = malformed("ID,Action,Result\n,a,Success\n");
        assert_eq!(line, 2);
        assert!(why.contains("no ID"), "{why}");
        let (line, why) = malformed("ID,Parent,Action,Result\n1,0,a,Success\n2,x,b,Success\n");
        assert_eq!(line, 3);
        assert!(why.contains("parent `x`"), "{why}");
        let (line, why) = malformed("ID,Action,Result\n1,,Success\n");
        assert_eq!(line, 2);
        assert!(why.contains("action"), "{why}");
        let (line, why) = malformed("ID  Action  Result\n1   a\n");
        assert_eq!(line, 2);
        assert!(why.contains("result"), "{why}");
        let (line, why) = malformed("6 0 Preflight Check Success\n");
        assert_eq!(line, 1);
        assert!(
            why.contains("no upgrade-log header")
                && why.contains("an ID column (ID), an Action Name column (Action Name, Action) and a Result column (Result, Status)"),
            "{why}"
        );
        let (line, why) = malformed("ID,Action Name,Hostname\n1,a,h\n");
        assert_eq!(line, 1);
        assert!(
            why.contains("a Result column") && !why.contains("ID column"),
            "{why}"
        );
    }

    #[test]
    fn serialises() {
        let json =
            serde_json::to_value(parse("ID,Parent,Action,Result\n7,6,a,[Step 1] 5%\n")).unwrap();
        assert_eq!(json["outcome"], "parsed");
        assert_eq!(json["records"][0]["id"], 7);
        assert_eq!(json["records"][0]["parent"], 6);
        assert_eq!(json["records"][0]["result"], "in-progress");
        assert_eq!(json["records"][0]["raw_result"], "[Step 1] 5%");
        assert_eq!(json["records"][0]["duration_s"], serde_json::Value::Null);
    }

    #[test]
    fn never_panics() {
        let mut inputs = doc_blocks();
        inputs.extend([
            "\u{feff}ID;Action;Result\r\n\"1\"\"\";\"a\r\n".to_string(),
            "I…\tAct...\tRes...\n北京\t升级\té\t\t\t\n".into(),
            "ID,Parent,Duration,Action,Result\n99999999999999999999,-0,999999999:59:59,a,[Step 99999999999999999999]\n".into(),
        ]);
        let alphabet = [
            "ID",
            "Parent",
            "Action",
            "Result",
            "Duration",
            "Pare...",
            "…",
            ",",
            ";",
            "\t",
            "\"",
            "\n",
            "\r\n",
            "  ",
            " ",
            "#",
            "---",
            "é",
            "北京",
            "\u{feff}",
            "2/9/2015 9:21:36",
            "0:00:17",
            "[Step 4]",
            "7",
            "\0",
        ];
        inputs.extend(export_junk(
            "ID,Action,Result,Duration",
            "ID  Action  Result  Duration",
            &alphabet,
        ));
        parse_every_prefix(&inputs, parse);
    }

    #[test]
    fn the_result_enum_is_the_input_file_s_vocabulary() {
        crate::model::vocabulary::testing::assert_is_the_column_s::<UpgradeResult>(
            include_str!("../../../inputs/upgrade-log.toml"),
            "result",
        );
        assert_eq!(UpgradeResult::from_text("done"), UpgradeResult::Unknown);
    }
}
