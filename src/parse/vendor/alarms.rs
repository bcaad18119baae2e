//! Active-alarm export: what the "Active Alarms" view of the Oracle Policy
//! Management CMP shows, saved as CSV or copied as a text table.
//!
//! One row per active alarm. The file is a table with a header row, written
//! either as CSV or as a whitespace-aligned text table. A header with no
//! rows is valid: no alarm is active.
//!
//! # Columns
//!
//! Header names are matched case-insensitively, with surrounding spaces
//! ignored, runs of spaces taken as one and `_` taken as a space
//! (`alarm_id` = `Alarm ID`). A name cut short by a GUI and ending in `...`
//! or `…` (`Sever...`, `Raised…`) matches the field whose names below it is
//! the start of, when exactly one field has such a name (`Alarm...` starts
//! several and matches none). Columns may come in any order; other columns
//! are ignored; when two columns mean the same field, the one whose name
//! comes first in the list below wins, wherever it stands (the header
//! decides, never the position).
//!
//! | field       | header names                                                      |
//! |-------------|-------------------------------------------------------------------|
//! | `id`        | `Alarm ID`, `ID`, `Alarm Number`, `Alarm`, `Event ID` (required)  |
//! | `severity`  | `Severity`, `Alarm Severity` (required)                           |
//! | `name`      | `Name`, `Alarm Name`, `Text`, `Alarm Text`, `Description`         |
//! | `server`    | `Server`, `Server Name`, `Hostname`, `Host`, `Node`               |
//! | `raised_at` | `Raised At`, `Time`, `Timestamp`, `Date/Time`, `Time Raised`, `Raised` |
//! | `instance`  | `Instance`, `Resource`, `Instance Name`                           |
//!
//! Values are trimmed; an empty optional value is absent. A row without an
//! alarm id or a severity makes the file Malformed at that row's line.
//!
//! # Severities
//!
//! The severity is normalised (case-insensitive, surrounding spaces
//! ignored) to:
//!
//! | severity   | printed as                  |
//! |------------|-----------------------------|
//! | `critical` | critical, CR                |
//! | `major`    | major, MA                   |
//! | `minor`    | minor, MI                   |
//! | `warning`  | warning                     |
//! | `info`     | info, informational         |
//! | `cleared`  | cleared                     |
//! | `unknown`  | anything else; `raw_severity` keeps what was printed |
//!
//! # Times
//!
//! `raised_at` keeps the time as printed; `raised_epoch` is that time in
//! seconds since 1970-01-01T00:00:00Z when it is printed in one of these
//! forms (runs of spaces taken as one):
//!
//! - `2/9/2015 9:21:36`: month, day, four-digit year, as the CMP GUI prints it;
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
//! date (a day-first `13/2/2015`) leaves `raised_epoch` absent; the row
//! is still read.
//!
//! # CSV form
//!
//! Comma, semicolon or tab separated; the separator is the one that splits
//! the header row into an alarm id and a severity column (tried in the order
//! tab, semicolon, comma). A UTF-8 byte-order mark, CRLF line ends, and
//! quoted values (`"…"`, with `""` for a quote, and separators or line
//! breaks inside) are accepted. A complete file:
//!
//! ```text
//! # Active Alarms exported from CMP cmp-a, 2015-02-09
//! Server,Server Type,Severity,Alarm ID,Description,Time
//! cmp-a,CMP,Minor,70500,System Mixed Version,2/9/2015 9:21:36
//! mpe-1a,MPE,Critical,31201,Process Not Running,2/9/2015 9:25:02
//! mpe-1b,MPE,Major,32532,Server Upgrade Pending Accept/Reject,2/9/2015 11:20:08
//! ```
//!
//! The same kind of file with semicolons, quotes and abbreviated severities:
//!
//! ```text
//! "Alarm ID";"Alarm Severity";"Alarm Text";"Hostname";"Timestamp";"Instance"
//! "70500";"MI";"System Mixed Version";"cmp-a";"2015-02-09T09:21:36Z";""
//! "31201";"CR";"Process ""qp_procmgr"" Not Running";"mpe-1a";"2015-02-09 10:25:02 +01:00";"pcrf"
//! ```
//!
//! No alarm active:
//!
//! ```text
//! Alarm ID,Severity,Alarm Name,Server,Raised At
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
//! Alarm ID  Severity  Name                  Server  Raised At
//! --------  --------  --------------------  ------  ----------------------
//! 70500     Minor     System Mixed Version  cmp-a   Feb 9, 2015 09:21:36
//! 31201     Critical  Process Not Running   mpe-1a  2/9/2015 9:25:02 UTC
//! 31101     Warning                         mpe-1b
//! ```
//!
//! When a row does not line up with the header, it is split at its runs of
//! two or more spaces instead, provided that gives one value per column.
//!
//! In both forms blank lines and lines starting with `#` are skipped. The
//! columns and severities are declared in `inputs/alarms.toml` and read by
//! the generic table parser (`parse::table`).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::model::vocabulary::vocabulary;
use crate::parse::Outcome;
use crate::parse::table::TableSpec;

vocabulary! {
    /// An alarm's severity, normalised as the `severity` column of
    /// `inputs/alarms.toml` says.
    pub enum AlarmSeverity {
        Critical = "critical",
        Major = "major",
        Minor = "minor",
        Warning = "warning",
        Info = "info",
        Cleared = "cleared",
        // A word no list of the column holds.
        Unknown = "unknown",
    }
}

/// One active alarm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    /// 1-based line the row starts on.
    pub line: usize,
    /// The alarm id as printed: `70500`.
    pub id: String,
    pub severity: AlarmSeverity,
    /// The severity as printed.
    pub raw_severity: String,
    pub name: Option<String>,
    pub server: Option<String>,
    /// The time raised, as printed.
    pub raised_at: Option<String>,
    /// `raised_at` in seconds since the epoch, when it is in a known form.
    pub raised_epoch: Option<i64>,
    pub instance: Option<String>,
}

/// The columns and severities, as `inputs/alarms.toml` declares them.
static SPEC: LazyLock<TableSpec> =
    LazyLock::new(|| TableSpec::built_in(include_str!("../../../inputs/alarms.toml")));

/// Parses an active-alarm export, CSV or text table.
pub fn parse(text: &str) -> Outcome<Vec<Alarm>> {
    SPEC.parse_as(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{self, export_junk, not_applicable, parse_every_prefix, parsed};

    /// 2015-02-09T09:21:36Z.
    const T0: i64 = 1_423_473_696;

    fn alarms(text: &str) -> Vec<Alarm> {
        parsed(&parse(text), text)
    }

    fn malformed(text: &str) -> (usize, String) {
        let m = testing::malformed(&parse(text), text);
        (m.line, m.reason)
    }

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("alarms.rs"))
    }

    #[test]
    fn documentation_examples_parse() {
        let blocks = doc_blocks();
        let counts: Vec<usize> = blocks.iter().map(|b| alarms(b).len()).collect();
        assert_eq!(counts, vec![3, 2, 0, 3]);
        assert_eq!(
            alarms(&blocks[0]),
            vec![
                Alarm {
                    line: 3,
                    id: "70500".into(),
                    severity: AlarmSeverity::Minor,
                    raw_severity: "Minor".into(),
                    name: Some("System Mixed Version".into()),
                    server: Some("cmp-a".into()),
                    raised_at: Some("2/9/2015 9:21:36".into()),
                    raised_epoch: Some(T0),
                    instance: None,
                },
                Alarm {
                    line: 4,
                    id: "31201".into(),
                    severity: AlarmSeverity::Critical,
                    raw_severity: "Critical".into(),
                    name: Some("Process Not Running".into()),
                    server: Some("mpe-1a".into()),
                    raised_at: Some("2/9/2015 9:25:02".into()),
                    raised_epoch: Some(T0 + 206),
                    instance: None,
                },
                Alarm {
                    line: 5,
                    id: "32532".into(),
                    severity: AlarmSeverity::Major,
                    raw_severity: "Major".into(),
                    name: Some("Server Upgrade Pending Accept/Reject".into()),
                    server: Some("mpe-1b".into()),
                    raised_at: Some("2/9/2015 11:20:08".into()),
                    raised_epoch: Some(T0 + 7_112),
                    instance: None,
                },
            ]
        );
    }

    #[test]
    fn csv_semicolons_quotes_and_offsets() {
        let got = alarms(&doc_blocks()[1]);
        assert_eq!(
            got[0],
            Alarm {
                line: 2,
                id: "70500".into(),
                severity: AlarmSeverity::Minor,
                raw_severity: "MI".into(),
                name: Some("System Mixed Version".into()),
                server: Some("cmp-a".into()),
                raised_at: Some("2015-02-09T09:21:36Z".into()),
                raised_epoch: Some(T0),
                instance: None,
            }
        );
        assert_eq!(
            got[1],
            Alarm {
                line: 3,
                id: "31201".into(),
                severity: AlarmSeverity::Critical,
                raw_severity: "CR".into(),
                name: Some("Process \"qp_procmgr\" Not Running".into()),
                server: Some("mpe-1a".into()),
                raised_at: Some("2015-02-09 10:25:02 +01:00".into()),
                raised_epoch: Some(T0 + 206),
                instance: Some("pcrf".into()),
            }
        );
    }

    #[test]
    fn text_table_documented_example() {
        let got = alarms(&doc_blocks()[3]);
        assert_eq!(
            got[0],
            Alarm {
                line: 3,
                id: "70500".into(),
                severity: AlarmSeverity::Minor,
                raw_severity: "Minor".into(),
                name: Some("System Mixed Version".into()),
                server: Some("cmp-a".into()),
                raised_at: Some("Feb 9, 2015 09:21:36".into()),
                raised_epoch: Some(T0),
                instance: None,
            }
        );
        assert_eq!(got[1].raised_at.as_deref(), Some("2/9/2015 9:25:02 UTC"));
        assert_eq!(got[1].raised_epoch, Some(T0 + 206));
        assert_eq!(
            got[2],
            Alarm {
                line: 5,
                id: "31101".into(),
                severity: AlarmSeverity::Warning,
                raw_severity: "Warning".into(),
                name: None,
                server: Some("mpe-1b".into()),
                raised_at: None,
                raised_epoch: None,
                instance: None,
            }
        );
    }

    #[test]
    fn tab_separated_bom_crlf_and_quoted_line_break() {
        let text = "\u{feff}ID\tSeverity\tText\tNode\tResource\r\n\
                    70500\tminor\t\"Mixed\r\nVersion\"\tcmp-a\tcluster-1\r\n\
                    # a comment\r\n\
                    31201\tINFORMATIONAL\t\tmpe-1a\t\r\n";
        let got = alarms(text);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].line, 2);
        assert_eq!(got[0].name.as_deref(), Some("Mixed\nVersion"));
        assert_eq!(got[0].instance.as_deref(), Some("cluster-1"));
        assert_eq!(got[1].line, 5);
        assert_eq!(got[1].severity.as_str(), "info");
        assert_eq!(
            (got[1].name.as_ref(), got[1].instance.as_ref()),
            (None, None)
        );
        assert_eq!(got[1].server.as_deref(), Some("mpe-1a"));
    }

    #[test]
    fn truncated_header_names() {
        let got = alarms(
            "Alarm I...\tSever...\tAlarm Na…\tServer N...\tRaised…\tInst...\n\
                          70500\tMinor\tSystem Mixed Version\tcmp-a\t2/9/2015 9:21:36\tx\n",
        );
        assert_eq!(got[0].id, "70500");
        assert_eq!(got[0].severity.as_str(), "minor");
        assert_eq!(got[0].name.as_deref(), Some("System Mixed Version"));
        assert_eq!(got[0].server.as_deref(), Some("cmp-a"));
        assert_eq!(got[0].raised_epoch, Some(T0));
        assert_eq!(got[0].instance.as_deref(), Some("x"));
        // `Alarm...` starts names of three fields: no match, so no id column.
        let (line, why) = malformed("Alarm...,Severity\n70500,Minor\n");
        assert_eq!(line, 1);
        assert!(why.contains("Alarm ID column"), "{why}");
    }

    #[test]
    fn header_aliases() {
        for (header, field) in [
            ("Name", "name"),
            ("Alarm Name", "name"),
            ("TEXT", "name"),
            ("alarm_text", "name"),
            ("Description", "name"),
            ("Server", "server"),
            ("Server Name", "server"),
            ("Hostname", "server"),
            ("Host", "server"),
            ("Node", "server"),
            ("Raised At", "raised_at"),
            ("Time", "raised_at"),
            ("Timestamp", "raised_at"),
            ("Date/Time", "raised_at"),
            ("Time Raised", "raised_at"),
            ("Raised", "raised_at"),
            ("Instance", "instance"),
            ("Resource", "instance"),
            ("Instance Name", "instance"),
        ] {
            let got = alarms(&format!("Alarm ID;{header};Severity\n1;v;Major\n"));
            let value = match field {
                "name" => &got[0].name,
                "server" => &got[0].server,
                "raised_at" => &got[0].raised_at,
                _ => &got[0].instance,
            };
            assert_eq!(value.as_deref(), Some("v"), "{header}");
        }
        for id in ["Alarm ID", "ID", "Alarm Number", "alarm", "Event_ID"] {
            for severity in ["Severity", "Alarm Severity"] {
                let got = alarms(&format!("{id},{severity}\n70500,Major\n"));
                assert_eq!(
                    (got[0].id.as_str(), got[0].severity.as_str()),
                    ("70500", "major")
                );
            }
        }
        // Of two columns for one field, the name listed first wins,
        // wherever the column stands.
        let got = alarms("ID,Severity,Alarm ID,Text,Description\n1,Major,2,a,b\n");
        assert_eq!(
            (got[0].id.as_str(), got[0].name.as_deref()),
            ("2", Some("a"))
        );
    }

    #[test]
    fn every_severity_mapping() {
        for (raw, want) in [
            ("Critical", "critical"),
            ("CR", "critical"),
            ("cr", "critical"),
            ("MAJOR", "major"),
            ("Ma", "major"),
            ("minor", "minor"),
            ("MI", "minor"),
            ("Warning", "warning"),
            ("Info", "info"),
            ("Informational", "info"),
            ("Cleared", "cleared"),
            ("Indeterminate", "unknown"),
            ("严重", "unknown"),
        ] {
            let got = alarms(&format!("ID,Severity\n1, {raw} \n"));
            assert_eq!(got[0].severity.as_str(), want, "{raw}");
            assert_eq!(got[0].raw_severity, raw, "{raw}");
        }
    }

    #[test]
    fn times() {
        for (raised, want) in [
            ("2/9/2015 9:21:36", Some(T0)),
            ("02/09/2015 09:21:36 UTC", Some(T0)),
            ("2015-02-09 09:21:36", Some(T0)),
            ("2015-02-09T09:21:36.250", Some(T0)),
            ("2015-02-09T10:21:36+01:00", Some(T0)),
            ("2015-02-09 04:21:36 -0500", Some(T0)),
            ("2015-02-09T10:21:36+01", Some(T0)),
            ("2015-02-09T09:21:36Z", Some(T0)),
            ("Feb. 9, 2015 09:21:36", Some(T0)),
            ("Jul 12, 2016 13:14:59", Some(1_468_329_299)),
            ("2015-02-09T09:21:36+01:00 UTC", None),
            ("July 12, 2016 13:14:59 GMT", Some(1_468_329_299)),
            ("13/2/2015 9:21:36", None),
            ("yesterday", None),
            ("2/9/2015 9:2...", None),
        ] {
            let got = alarms(&format!("ID;Severity;Raised At\n1;Major;{raised}\n"));
            assert_eq!(got[0].raised_at.as_deref(), Some(raised));
            assert_eq!(got[0].raised_epoch, want, "{raised}");
        }
    }

    #[test]
    fn header_only_means_no_alarms() {
        assert_eq!(
            alarms("Alarm ID,Severity,Alarm Name,Server,Raised At\n"),
            vec![]
        );
        assert_eq!(alarms("\u{feff}ID;Severity\r\n"), vec![]);
        assert_eq!(
            alarms("Alarm ID  Severity  Name\n--------  --------  ----\n"),
            vec![]
        );
        assert_eq!(alarms("# no alarms\nID\tSeverity\n\n"), vec![]);
    }

    #[test]
    fn empty_files_and_collector_messages_are_not_applicable() {
        for text in ["", "\n \r\n", "\u{feff}", "# nothing\n"] {
            let na = not_applicable(&parse(text), text);
            assert_eq!(na.kind, Absence::Empty, "{text:?}");
        }
        for text in [
            "bash: cmp-alarms: command not found\n",
            "cat: exports/alarms.csv: No such file or directory\n",
        ] {
            let na = not_applicable(&parse(text), text);
            assert_eq!(
                (na.kind, na.line),
                (Absence::ToolMissing, Some(1)),
                "{text}"
            );
        }
    }

    #[test]
    fn malformed_rows_and_headers() {
        let (line, why) = malformed("ID,Severity\n1,Major\n\n# x\n,Minor\n");
        assert_eq!(line, 5);
        assert!(why.contains("alarm id"), "{why}");
        let (line, why) = malformed("ID,Severity,Name\n1,Major,a\n2,  ,b\n");
        assert_eq!(line, 3);
        assert!(why.contains("severity"), "{why}");
        let (line, _) = malformed("Alarm ID  Severity  Name\n70500                 x\n");
        assert_eq!(line, 2);
        let (line, why) = malformed("ID,Severity\n1,\"Major\n");
        assert_eq!(line, 2);
        assert!(why.contains("quoted"), "{why}");
        let (line, why) = malformed("70500 Minor System Mixed Version\n");
        assert_eq!(line, 1);
        assert!(
            why.contains("no active-alarm export header")
                && why.contains("an Alarm ID column")
                && why.contains("a Severity column"),
            "{why}"
        );
        let (line, why) = malformed("\n# x\nServer,Severity\ncmp-a,Minor\n");
        assert_eq!(line, 3);
        assert!(
            why.contains("Alarm ID") && !why.contains("Severity column"),
            "{why}"
        );
    }

    #[test]
    fn serialises() {
        let json = serde_json::to_value(parse("ID,Severity\n70500,MI\n")).unwrap();
        assert_eq!(json["outcome"], "parsed");
        assert_eq!(json["records"][0]["id"], "70500");
        assert_eq!(json["records"][0]["severity"], "minor");
        assert_eq!(json["records"][0]["raw_severity"], "MI");
        assert_eq!(json["records"][0]["raised_epoch"], serde_json::Value::Null);
    }

    #[test]
    fn never_panics() {
        let mut inputs = doc_blocks();
        inputs.extend([
            "\u{feff}ID;Severity\r\n\"1\"\"\";\"CR\r\n".to_string(),
            "Alarm I…\tSever...\n北京\t严重\té\t\t\t\n".into(),
            "ID  Severity  Raised\n1   MA        99/99/9999 99:99:99 UTC\n".into(),
        ]);
        let alphabet = [
            "ID",
            "Severity",
            "Raised",
            "…",
            "...",
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
            "+01:00",
            "\0",
        ];
        inputs.extend(export_junk(
            "ID,Severity,Time",
            "ID  Severity  Time",
            &alphabet,
        ));
        parse_every_prefix(&inputs, parse);
    }

    #[test]
    fn the_severity_enum_is_the_input_file_s_vocabulary() {
        crate::model::vocabulary::testing::assert_is_the_column_s::<AlarmSeverity>(
            include_str!("../../../inputs/alarms.toml"),
            "severity",
        );
    }
}
