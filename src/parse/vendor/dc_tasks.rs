//! DC(CMF) or NMS task log: `exports/dc-tasks.csv` or `exports/dc-tasks.txt`.
//!
//! The DC (Data Center, the Huawei upgrade tool also called CMF) and the NMS
//! (U2000, T2000) run a "Patch Update Task" to load, activate and confirm a
//! patch on an NE, and a "Package Upgrade Task" to load the software
//! package, activate and commit it. Their task log, exported or copied per
//! NE, is one row per task event: a step that started, progressed, ended or
//! failed. The file is a table with a header row, written either as CSV or
//! as a whitespace-aligned text table.
//!
//! # Columns
//!
//! Header names are matched case-insensitively, with surrounding spaces
//! ignored, runs of spaces taken as one and `_` taken as a space
//! (`task_name` = `Task Name`). A name cut short by a GUI and ending in
//! `...` or `…` (`Pack...`, `Deta…`) matches the field whose names below it
//! is the start of, when exactly one field has such a name (`Task...`
//! starts several and matches none). The progress column may carry a note
//! after its name (`Progress (%)`). Columns may come in any order; other
//! columns are ignored; when two columns mean the same field, the one whose
//! name comes first in the list below wins, wherever it stands (the header
//! decides, never the position: a log with both `Start Time` and `End Time`
//! gives `Start Time`, and a `Task Status` beats an NE's `Status`).
//!
//! | field      | header names                                                         |
//! |------------|----------------------------------------------------------------------|
//! | `task`     | `Task Name`, `Task` (required)                                       |
//! | `type`     | `Task Type`, `Type`                                                  |
//! | `ne`       | `NE`, `NE Name`, `NE ID`                                             |
//! | `step`     | `Step`, `Operation`, `Sub Task`, `Subtask`                           |
//! | `progress` | `Progress`, `Progress(%)`                                            |
//! | `result`   | `Result`, `Task Status`, `Task State`, `Status`, `State` (required)  |
//! | `time`     | `Time`, `Start Time`, `End Time`, `Occurred At`                      |
//! | `package`  | `Package`, `Software Package`, `Package Name`, `File Name`           |
//! | `details`  | `Details`, `Description`, `Failure Cause`, `Cause`, `Message`        |
//!
//! Values are trimmed; an empty optional value, or the `-` or `--` that
//! the NMS prints for none, is absent. A row without a task name or a
//! result makes the file Malformed at that row's line.
//!
//! # Task types
//!
//! The type is normalised (case-insensitive; spaces, `_` and `-` alike; a
//! trailing `Task` dropped) to:
//!
//! | type              | printed as                                                |
//! |-------------------|-----------------------------------------------------------|
//! | `patch-update`    | Patch Update Task, patch update, patch, patch loading     |
//! | `package-upgrade` | Package Upgrade Task, package upgrade, software upgrade, software package upgrade, package loading, software loading |
//! | `other`           | anything else, or no type column; `raw_type` keeps what was printed |
//!
//! # Results
//!
//! The result is normalised the same way to:
//!
//! | result        | printed as                                                      |
//! |---------------|-----------------------------------------------------------------|
//! | `started`     | started, start, starting                                        |
//! | `running`     | running, in progress, executing, processing                     |
//! | `succeeded`   | successful, success, succeeded, completed, complete, finished, done, ok |
//! | `failed`      | failed, failure, fail, error                                    |
//! | `rolled-back` | rolled back, rollback, rolled-back, roll back                   |
//! | `waiting`     | waiting, not started, pending, created                          |
//! | `unknown`     | anything else; `raw_result` keeps what was printed              |
//!
//! # Progress
//!
//! `90%`, `90 %` or `90`: a whole percentage from 0 to 100 (a fraction,
//! `90.5%`, is rounded down). An empty value, `-` or `--` is no progress.
//! Anything else, or more than 100, makes the file Malformed at that row.
//!
//! # Times
//!
//! `time` keeps the time as printed; `epoch` is that time in seconds since
//! 1970-01-01T00:00:00Z when it is printed as `2012-07-20 09:40:12` (also
//! with `T`, a fraction of a second, an offset such as `+08:00`, or a
//! trailing ` UTC`), as `7/20/2012 9:40:12` (month first) or as
//! `Jul 20, 2012 09:40:12`. A time without an offset is taken as UTC. Any
//! other time leaves `epoch` absent; the row is still read.
//!
//! # CSV form
//!
//! Comma, semicolon or tab separated; the separator is the one that splits
//! the header row into a task and a result column (tried in the order tab,
//! semicolon, comma). A UTF-8 byte-order mark, CRLF line ends, and quoted
//! values (`"…"`, with `""` for a quote, and separators or line breaks
//! inside) are accepted. The log of an NE whose patch was confirmed but
//! stayed activating, so that loading the software package failed at 90%,
//! rolled back during file copying and failed again at 64%:
//!
//! ```text
//! # DC(CMF) task log of NE OSN6800-01, exported 2012-07-20
//! Task Name,Task Type,NE,Step,Progress,Result,Time,Package,Details
//! SPH106 patch,Patch Update Task,OSN6800-01,Load patch,100%,Successful,2012-07-19 14:02:10,V100R004C01SPH106,
//! SPH106 patch,Patch Update Task,OSN6800-01,Activate patch,100%,Successful,2012-07-19 14:20:41,V100R004C01SPH106,
//! SPH106 patch,Patch Update Task,OSN6800-01,Confirm patch,100%,Successful,2012-07-19 14:31:05,V100R004C01SPH106,
//! Upgrade to C04SPC800,Package Upgrade Task,OSN6800-01,Load software,0%,Started,2012-07-20 09:12:40,OSN6800V100R004C04SPC800.pkg,
//! Upgrade to C04SPC800,Package Upgrade Task,OSN6800-01,Load software,90%,Failed,2012-07-20 09:40:12,OSN6800V100R004C04SPC800.pkg,"NE error(0x32): The software package fails to be loaded because the software package is incorrect or the NE is rolled back."
//! Upgrade to C04SPC800,Package Upgrade Task,OSN6800-01,Load software,0%,Started,2012-07-20 10:31:55,OSN6800V100R004C04SPC800.pkg,
//! Upgrade to C04SPC800,Package Upgrade Task,OSN6800-01,Copy files,64%,Rolled back,2012-07-20 10:52:19,OSN6800V100R004C04SPC800.pkg,Rollback during file copying
//! Upgrade to C04SPC800,Package Upgrade Task,OSN6800-01,Load software,64%,Failed,2012-07-20 10:52:20,OSN6800V100R004C04SPC800.pkg,"NE error(0x32): The software package fails to be loaded because the software package is incorrect or the NE is rolled back."
//! ```
//!
//! The same kind of log with semicolons, quotes and other header names, as
//! spreadsheet programs save it where the comma is the decimal mark:
//!
//! ```text
//! "Task";"Type";"NE Name";"Operation";"Progress(%)";"Status";"Start Time";"Software Package";"Failure Cause"
//! "Upgrade OSN6800-02";"software upgrade";"OSN6800-02";"Load software";"";"Waiting";"2012-07-20 11:00:00";"OSN6800V100R004C04SPC800.pkg";""
//! "Upgrade OSN6800-02";"software upgrade";"OSN6800-02";"Load software";"12";"Running";"2012-07-20 11:03:10";"OSN6800V100R004C04SPC800.pkg";""
//! "Upgrade OSN6800-02";"software upgrade";"OSN6800-02";"Load software";"--";"Error";"2012-07-20 11:04:02";"OSN6800V100R004C04SPC800.pkg";"Communication with the NE failed; the task stops."
//! ```
//!
//! # Text-table form
//!
//! Columns are separated by two or more spaces, so values may contain
//! single spaces. Each column starts where its header name starts; a value
//! belongs to the column under whose header it lies, and a column may be
//! left blank. Tabs are expanded to 8-column stops. An optional rule line of
//! `-` or `=` may follow the header. When a row does not line up with the
//! header, it is split at its runs of two or more spaces instead, provided
//! that gives one value per column. A complete file:
//!
//! ```text
//! Task Name             Task Type             Step           Progress  Result       Time                 Details
//! --------------------  --------------------  -------------  --------  -----------  -------------------  --------------------------------
//! SPH106 patch          Patch Update Task     Confirm patch  100%      Successful   2012-07-19 14:31:05
//! Upgrade to C04SPC800  Package Upgrade Task  Load software  90%       Failed       2012-07-20 09:40:12  NE error(0x32): The software package fails to be loaded
//! Upgrade to C04SPC800  Package Upgrade Task  Copy files     64%       Rolled back  2012-07-20 10:52:19  Rollback during file copying
//! ```
//!
//! In both forms blank lines and lines starting with `#` are skipped, and a
//! header with no rows means no task events. The columns, types and
//! results are declared in `inputs/dc-tasks.toml` and read by the generic
//! table parser (`parse::table`); the progress is read here.

use std::sync::LazyLock;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

use crate::model::vocabulary::vocabulary;
use crate::parse::table::TableSpec;
use crate::parse::{Outcome, clipped};

vocabulary! {
    /// A task's type, normalised as the `task_type` column of
    /// `inputs/dc-tasks.toml` says.
    pub enum TaskType {
        PatchUpdate = "patch-update",
        PackageUpgrade = "package-upgrade",
        // No type given, or a word no list of the column holds.
        Other = "other",
    }
}

vocabulary! {
    /// A task event's result, normalised as the `result` column of
    /// `inputs/dc-tasks.toml` says.
    pub enum TaskResult {
        Started = "started",
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
        RolledBack = "rolled-back",
        Waiting = "waiting",
        // A word no list of the column holds.
        Unknown = "unknown",
    }
}

impl TaskResult {
    /// The event reports a failure: failed, or rolled back.
    pub fn is_failure(self) -> bool {
        matches!(self, TaskResult::Failed | TaskResult::RolledBack)
    }
}

/// One task event: a row of the task log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskEvent {
    /// 1-based line the row starts on.
    pub line: usize,
    /// The task name as printed.
    pub task: String,
    pub task_type: TaskType,
    /// The task type as printed.
    pub raw_type: Option<String>,
    pub ne: Option<String>,
    /// The step or operation: `Load software`, `Activate`, `Copy files`.
    pub step: Option<String>,
    /// Percent, 0 to 100.
    #[serde(deserialize_with = "progress_column")]
    pub progress: Option<u8>,
    pub result: TaskResult,
    /// The result as printed.
    pub raw_result: String,
    /// The time as printed.
    pub time: Option<String>,
    /// `time` in seconds since the epoch, when it is in a known form.
    pub epoch: Option<i64>,
    pub package: Option<String>,
    pub details: Option<String>,
}

/// The columns, types and results, as `inputs/dc-tasks.toml` declares them.
pub(crate) static SPEC: LazyLock<TableSpec> =
    LazyLock::new(|| TableSpec::built_in(include_str!("../../../inputs/dc-tasks.toml")));

/// Parses a DC(CMF) or NMS task log, CSV or text table.
pub fn parse(text: &str) -> Outcome<Vec<TaskEvent>> {
    SPEC.parse_as(text)
}

/// The progress column as the spec reads it (the text), as a percentage.
/// The task log's own grammar: a spec's `percent` takes any number.
fn progress_column<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
    let raw: Option<String> = Option::deserialize(d)?;
    raw.map(|r| progress(&r).map_err(D::Error::custom))
        .transpose()
}

/// `90%`, `90 %`, `90`, `90.5%` → 90; `Err` for anything else or more
/// than 100.
fn progress(raw: &str) -> Result<u8, String> {
    let number = raw.strip_suffix('%').unwrap_or(raw).trim_end();
    let whole = match number.split_once('.') {
        Some((whole, fraction))
            if !fraction.is_empty() && fraction.bytes().all(|b| b.is_ascii_digit()) =>
        {
            whole
        }
        Some(_) => "",
        None => number,
    };
    let percent =
        (!whole.is_empty() && whole.len() <= 3 && whole.bytes().all(|b| b.is_ascii_digit()))
            .then(|| whole.parse::<u8>().ok())
            .flatten()
            .filter(|p| *p <= 100);
    percent.ok_or_else(|| {
        format!(
            "progress '{}' is not a percentage from 0 to 100",
            clipped(raw, 40)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{self, export_junk, not_applicable, parse_every_prefix, parsed};

    /// 2012-07-20T09:40:12Z.
    const FAILED_AT_90: i64 = 1_342_777_212;
    const PKG: &str = "OSN6800V100R004C04SPC800.pkg";
    const NE_ERROR: &str = "NE error(0x32): The software package fails to be loaded because \
                            the software package is incorrect or the NE is rolled back.";

    fn events(text: &str) -> Vec<TaskEvent> {
        parsed(&parse(text), text)
    }

    fn malformed(text: &str) -> (usize, String) {
        let m = testing::malformed(&parse(text), text);
        (m.line, m.reason)
    }

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("dc_tasks.rs"))
    }

    /// An event of the seed log: `(line, task, type, step, progress,
    /// raw_result, result, time, package, details)`.
    #[allow(clippy::too_many_arguments)]
    fn seed(
        line: usize,
        task: &str,
        raw_type: &str,
        step: &str,
        progress: u8,
        raw_result: &str,
        time: &str,
        package: &str,
        details: Option<&str>,
    ) -> TaskEvent {
        TaskEvent {
            line,
            task: task.into(),
            task_type: if raw_type.starts_with("Patch") {
                TaskType::PatchUpdate
            } else {
                TaskType::PackageUpgrade
            },
            raw_type: Some(raw_type.into()),
            ne: Some("OSN6800-01".into()),
            step: Some(step.into()),
            progress: Some(progress),
            result: match raw_result {
                "Successful" => TaskResult::Succeeded,
                "Started" => TaskResult::Started,
                "Failed" => TaskResult::Failed,
                _ => TaskResult::RolledBack,
            },
            raw_result: raw_result.into(),
            time: Some(time.into()),
            epoch: crate::parse::time::gui_time::epoch(time),
            package: Some(package.into()),
            details: details.map(str::to_string),
        }
    }

    #[test]
    fn documentation_examples_parse() {
        let blocks = doc_blocks();
        let counts: Vec<usize> = blocks.iter().map(|b| events(b).len()).collect();
        assert_eq!(counts, vec![8, 3, 3]);
        let (patch, upgrade) = ("Patch Update Task", "Package Upgrade Task");
        let up = "Upgrade to C04SPC800";
        let sph = "V100R004C01SPH106";
        let want = vec![
            seed(
                3,
                "SPH106 patch",
                patch,
                "Load patch",
                100,
                "Successful",
                "2012-07-19 14:02:10",
                sph,
                None,
            ),
            seed(
                4,
                "SPH106 patch",
                patch,
                "Activate patch",
                100,
                "Successful",
                "2012-07-19 14:20:41",
                sph,
                None,
            ),
            seed(
                5,
                "SPH106 patch",
                patch,
                "Confirm patch",
                100,
                "Successful",
                "2012-07-19 14:31:05",
                sph,
                None,
            ),
            seed(
                6,
                up,
                upgrade,
                "Load software",
                0,
                "Started",
                "2012-07-20 09:12:40",
                PKG,
                None,
            ),
            seed(
                7,
                up,
                upgrade,
                "Load software",
                90,
                "Failed",
                "2012-07-20 09:40:12",
                PKG,
                Some(NE_ERROR),
            ),
            seed(
                8,
                up,
                upgrade,
                "Load software",
                0,
                "Started",
                "2012-07-20 10:31:55",
                PKG,
                None,
            ),
            seed(
                9,
                up,
                upgrade,
                "Copy files",
                64,
                "Rolled back",
                "2012-07-20 10:52:19",
                PKG,
                Some("Rollback during file copying"),
            ),
            seed(
                10,
                up,
                upgrade,
                "Load software",
                64,
                "Failed",
                "2012-07-20 10:52:20",
                PKG,
                Some(NE_ERROR),
            ),
        ];
        assert_eq!(events(&blocks[0]), want);
        let types: Vec<&str> = want.iter().map(|e| e.task_type.as_str()).collect();
        assert_eq!(
            types[..4],
            [
                "patch-update",
                "patch-update",
                "patch-update",
                "package-upgrade"
            ]
        );
        assert!(types[4..].iter().all(|t| *t == "package-upgrade"));
        let results: Vec<&str> = want.iter().map(|e| e.result.as_str()).collect();
        assert_eq!(
            results,
            [
                "succeeded",
                "succeeded",
                "succeeded",
                "started",
                "failed",
                "started",
                "rolled-back",
                "failed"
            ]
        );
        assert_eq!(want[4].epoch, Some(FAILED_AT_90));
    }

    #[test]
    fn semicolons_quotes_other_headers_and_no_progress() {
        let got = events(&doc_blocks()[1]);
        assert_eq!(
            got[0],
            TaskEvent {
                line: 2,
                task: "Upgrade OSN6800-02".into(),
                task_type: TaskType::PackageUpgrade,
                raw_type: Some("software upgrade".into()),
                ne: Some("OSN6800-02".into()),
                step: Some("Load software".into()),
                progress: None,
                result: TaskResult::Waiting,
                raw_result: "Waiting".into(),
                time: Some("2012-07-20 11:00:00".into()),
                epoch: Some(FAILED_AT_90 + 4_788),
                package: Some(PKG.into()),
                details: None,
            }
        );
        assert_eq!(
            (got[1].progress, got[1].result.as_str()),
            (Some(12), "running")
        );
        assert_eq!((got[2].progress, got[2].result.as_str()), (None, "failed"));
        assert_eq!(got[2].raw_result, "Error");
        assert_eq!(
            got[2].details.as_deref(),
            Some("Communication with the NE failed; the task stops.")
        );
    }

    #[test]
    fn text_table_documented_example() {
        let got = events(&doc_blocks()[2]);
        assert_eq!(
            got[1],
            TaskEvent {
                line: 4,
                task: "Upgrade to C04SPC800".into(),
                task_type: TaskType::PackageUpgrade,
                raw_type: Some("Package Upgrade Task".into()),
                ne: None,
                step: Some("Load software".into()),
                progress: Some(90),
                result: TaskResult::Failed,
                raw_result: "Failed".into(),
                time: Some("2012-07-20 09:40:12".into()),
                epoch: Some(FAILED_AT_90),
                package: None,
                details: Some("NE error(0x32): The software package fails to be loaded".into()),
            }
        );
        assert_eq!((got[0].line, got[0].details.as_ref()), (3, None));
        assert_eq!(got[0].task_type.as_str(), "patch-update");
        assert_eq!(
            (got[2].result.as_str(), got[2].progress),
            ("rolled-back", Some(64))
        );
    }

    #[test]
    fn every_type_mapping() {
        for (raw, want) in [
            ("Patch Update Task", "patch-update"),
            ("patch update", "patch-update"),
            ("PATCH", "patch-update"),
            ("patch_update_task", "patch-update"),
            ("Patch Loading", "patch-update"),
            ("Package Upgrade Task", "package-upgrade"),
            ("package upgrade", "package-upgrade"),
            ("Software Upgrade", "package-upgrade"),
            ("software-upgrade task", "package-upgrade"),
            ("Software Package Upgrade", "package-upgrade"),
            ("Package Loading", "package-upgrade"),
            ("Software Loading Task", "package-upgrade"),
            ("Database Backup Task", "other"),
            ("Task", "other"),
            ("升级", "other"),
        ] {
            let got = events(&format!("Task,Type,Result\nT1,{raw},ok\n"));
            assert_eq!(got[0].task_type.as_str(), want, "{raw}");
            assert_eq!(got[0].raw_type.as_deref(), Some(raw), "{raw}");
        }
        let got = events("Task,Result\nT1,ok\n");
        assert_eq!(
            (got[0].task_type.as_str(), got[0].raw_type.as_ref()),
            ("other", None)
        );
    }

    #[test]
    fn every_result_mapping() {
        for (raw, want) in [
            ("Started", "started"),
            ("start", "started"),
            ("Starting", "started"),
            ("Running", "running"),
            ("In Progress", "running"),
            ("in_progress", "running"),
            ("Executing", "running"),
            ("Processing", "running"),
            ("Successful", "succeeded"),
            ("Success", "succeeded"),
            ("SUCCEEDED", "succeeded"),
            ("Completed", "succeeded"),
            ("Complete", "succeeded"),
            ("Finished", "succeeded"),
            ("Done", "succeeded"),
            ("OK", "succeeded"),
            ("Failed", "failed"),
            ("Failure", "failed"),
            ("fail", "failed"),
            ("Error", "failed"),
            ("Rolled back", "rolled-back"),
            ("Rollback", "rolled-back"),
            ("rolled-back", "rolled-back"),
            ("Roll Back", "rolled-back"),
            ("Waiting", "waiting"),
            ("Not Started", "waiting"),
            ("Pending", "waiting"),
            ("Created", "waiting"),
            ("Partially successful", "unknown"),
            ("Paused", "unknown"),
            ("失败", "unknown"),
        ] {
            let got = events(&format!("Task;Result\nT1; {raw} \n"));
            assert_eq!(got[0].result.as_str(), want, "{raw}");
            assert_eq!(got[0].raw_result, raw, "{raw}");
        }
    }

    #[test]
    fn progress_forms() {
        for (raw, want) in [
            ("90%", Some(90)),
            ("90 %", Some(90)),
            ("90", Some(90)),
            ("0", Some(0)),
            ("100%", Some(100)),
            ("064", Some(64)),
            ("90.5%", Some(90)),
            ("", None),
            ("-", None),
            ("--", None),
        ] {
            let got = events(&format!("Task,Progress,Result\nT1,{raw},Failed\n"));
            assert_eq!(got[0].progress, want, "{raw:?}");
        }
        for raw in [
            "101%", "1000", "-5", "ninety", "90%%", "9 0", "%", ".5", "90.", "٩٠",
        ] {
            let (line, why) =
                malformed(&format!("Task,Progress,Result\nT1,0,ok\nT1,{raw},Failed\n"));
            assert_eq!(line, 3, "{raw}");
            assert!(
                why.contains("progress") && why.contains(raw),
                "{raw}: {why}"
            );
        }
        // A long value is quoted clipped.
        let long = "x".repeat(200);
        let (_, why) = malformed(&format!("Task,Progress,Result\nT1,{long},Failed\n"));
        assert!(why.len() < 120 && why.contains('…'), "{why}");
        // A note after the name of the progress column.
        for header in ["Progress (%)", "Progress(%)", "progress [%]"] {
            let got = events(&format!("Task,{header},Result\nT1,64,Failed\n"));
            assert_eq!(got[0].progress, Some(64), "{header}");
        }
    }

    #[test]
    fn times() {
        for (raw, want) in [
            ("2012-07-20 09:40:12", Some(FAILED_AT_90)),
            ("2012-07-20T17:40:12+08:00", Some(FAILED_AT_90)),
            ("2012-07-20 09:40:12 UTC", Some(FAILED_AT_90)),
            ("7/20/2012 9:40:12", Some(FAILED_AT_90)),
            ("Jul 20, 2012 09:40:12", Some(FAILED_AT_90)),
            ("20/07/2012 09:40:12", None),
            ("yesterday", None),
        ] {
            let got = events(&format!("Task;Result;Occurred At\nT1;Failed;{raw}\n"));
            assert_eq!(got[0].time.as_deref(), Some(raw));
            assert_eq!(got[0].epoch, want, "{raw}");
        }
    }

    #[test]
    fn header_aliases() {
        for (header, field) in [
            ("NE", "ne"),
            ("NE Name", "ne"),
            ("Step", "step"),
            ("Operation", "step"),
            ("Sub Task", "step"),
            ("sub_task", "step"),
            ("Subtask", "step"),
            ("Time", "time"),
            ("Start Time", "time"),
            ("End Time", "time"),
            ("Occurred At", "time"),
            ("Package", "package"),
            ("Software Package", "package"),
            ("Package Name", "package"),
            ("File Name", "package"),
            ("Details", "details"),
            ("Description", "details"),
            ("Failure Cause", "details"),
            ("Cause", "details"),
            ("Message", "details"),
        ] {
            let got = events(&format!("Task Name,{header},Status\nT1,v,ok\n"));
            let value = match field {
                "ne" => &got[0].ne,
                "step" => &got[0].step,
                "time" => &got[0].time,
                "package" => &got[0].package,
                _ => &got[0].details,
            };
            assert_eq!(value.as_deref(), Some("v"), "{header}");
        }
        for task in ["Task Name", "task"] {
            for result in ["Result", "Status", "State", "Task Status", "Task State"] {
                let got = events(&format!("{task}\t{result}\nT1\tdone\n"));
                assert_eq!(
                    (got[0].task.as_str(), got[0].result.as_str()),
                    ("T1", "succeeded")
                );
            }
        }
        // The first of two time columns wins.
        let got = events(
            "Task,Result,Start Time,End Time\nT1,ok,2012-07-20 09:00:00,2012-07-20 10:00:00\n",
        );
        assert_eq!(got[0].time.as_deref(), Some("2012-07-20 09:00:00"));
        // Cut names: `Pack...` is the package, `Task...` starts three fields.
        let got = events("Task Name,Pack...,Deta…,Result\nT1,p.pkg,why,Failed\n");
        assert_eq!(got[0].package.as_deref(), Some("p.pkg"));
        assert_eq!(got[0].details.as_deref(), Some("why"));
        let (line, why) = malformed("Task...,Result\nT1,ok\n");
        assert_eq!(line, 1);
        assert!(why.contains("a Task Name column"), "{why}");
    }

    #[test]
    fn dashes_are_absent_values() {
        let got = events("Task,NE,Step,Package,Details,Result\nT1,-,--,-,--,Failed\n");
        let e = &got[0];
        assert_eq!(
            (&e.ne, &e.step, &e.package, &e.details),
            (&None, &None, &None, &None)
        );
        let (line, why) = malformed("Task,Result\nT1,ok\n--,Failed\n");
        assert_eq!(line, 3);
        assert!(why.contains("task name"), "{why}");
        let (line, why) = malformed("Task,Result\nT1,-\n");
        assert_eq!(line, 2);
        assert!(why.contains("result"), "{why}");
    }

    #[test]
    fn malformed_headers_and_rows() {
        let (line, why) = malformed("# log\nNE,Step,Progress\nNE1,Load,90%\n");
        assert_eq!(line, 2);
        assert!(
            why.contains("no task-log export header")
                && why.contains("a Task Name column")
                && why.contains("a Result column"),
            "{why}"
        );
        let (line, why) = malformed("Task,Result\nT1,\"Failed\n");
        assert_eq!(line, 2);
        assert!(why.contains("quoted"), "{why}");
        let (line, why) = malformed("Task Name  Result\nT1         ok\nT1  x  y  ok\n");
        assert_eq!(line, 3);
        assert!(why.contains("line up"), "{why}");
    }

    #[test]
    fn empty_header_only_and_collector_messages() {
        assert_eq!(events("Task Name,Task Type,Result\n"), vec![]);
        assert_eq!(events("Task  Result\n----  ------\n"), vec![]);
        for text in ["", "\n\r\n", "\u{feff}", "# nothing exported\n"] {
            let na = not_applicable(&parse(text), text);
            assert_eq!(na.kind, Absence::Empty, "{text:?}");
        }
        let text = "cat: exports/dc-tasks.csv: No such file or directory\n";
        let na = not_applicable(&parse(text), text);
        assert_eq!((na.kind, na.line), (Absence::ToolMissing, Some(1)));
    }

    #[test]
    fn serialises() {
        let json =
            serde_json::to_value(parse("Task,Type,Progress,Result\nT1,patch,90%,Rollback\n"))
                .unwrap();
        assert_eq!(json["outcome"], "parsed");
        let r = &json["records"][0];
        assert_eq!(r["task_type"], "patch-update");
        assert_eq!(r["progress"], 90);
        assert_eq!(r["result"], "rolled-back");
        assert_eq!(r["raw_result"], "Rollback");
        assert_eq!(r["epoch"], serde_json::Value::Null);
    }

    #[test]
    fn never_panics() {
        let mut inputs = doc_blocks();
        inputs.extend([
            "\u{feff}Task;Progress(%);Result\r\n\"T\"\"1\";\"9\r\n0\";ok\r\n".to_string(),
            "Task Na…\tProg...\tResult\n升级\t٩٠%\t失败\té\t\t\t\n".into(),
            "Task  Progress  Result  Time\nT1    255%      ok      99/99/9999 99:99:99\n".into(),
        ]);
        let alphabet = [
            "Task", "Result", "Progress", "%", "100", "90.5", "…", "...", ",", ";", "\t", "\"",
            "\n", "\r\n", "  ", " ", "#", "---", "é", "北京", "\u{feff}", "--", "(%)", "\0",
        ];
        inputs.extend(export_junk(
            "Task,Progress,Result",
            "Task  Progress  Result",
            &alphabet,
        ));
        parse_every_prefix(&inputs, parse);
    }

    #[test]
    fn the_type_enum_is_the_input_file_s_vocabulary() {
        crate::model::vocabulary::testing::assert_is_the_column_s::<TaskType>(
            include_str!("../../../inputs/dc-tasks.toml"),
            "task_type",
        );
    }

    #[test]
    fn the_result_enum_is_the_input_file_s_vocabulary() {
        crate::model::vocabulary::testing::assert_is_the_column_s::<TaskResult>(
            include_str!("../../../inputs/dc-tasks.toml"),
            "result",
        );
    }
}
