//! CMP audit log export: what operators did on the CMP GUI (System
//! Administration → Reports → Audit Log), exported or copied as a table.
//! The procedure tells it apart from the Upgrade Log (§3.1.1): "The audit
//! log is meant to track what the operator has done".
//!
//! # Columns
//!
//! Header names are matched as in the other CMP exports (case-insensitive,
//! `_` as a space, names cut by the GUI with `...` match the one column they
//! start). Columns may come in any order; other columns are ignored.
//!
//! | field         | header names                                              |
//! |---------------|-----------------------------------------------------------|
//! | `time`        | `Timestamp`, `Time`, `Date`, `Date/Time` (required)       |
//! | `user`        | `User`, `User Name`, `Operator`                           |
//! | `action`      | `Action`, `Operation`, `Event` (required)                 |
//! | `object_type` | `Object Type`, `Type`, `Category`                         |
//! | `object`      | `Object`, `Object Name`, `Target`, `Name`                 |
//! | `description` | `Description`, `Details`, `Message`                       |
//!
//! Times are read like those of the upgrade log (`11/21/2026 16:05:12`,
//! `2026-11-21 16:05:12`, RFC 3339, `Nov 21, 2026 16:05:12`; UTC unless an
//! offset is given); a time in another form leaves `epoch` absent. A row
//! without a time or an action is Malformed at its line, and so is a header
//! without those columns.
//!
//! ```text
//! Timestamp,User,Action,Object Type,Object,Description
//! 11/21/2026 13:40:02,admin,Login,Session,,Login from 10.1.1.5
//! 11/21/2026 16:05:12,admin,Modify,Policy,Gold-QoS,Changed rule 3 action
//! 11/21/2026 17:55:40,admin,Reapply Configuration,MPE,mpe-1,
//! ```
//!
//! Blank lines, `#` comments and rule lines are skipped; a header with no
//! rows is Parsed with none. CRLF, a BOM, quotes, semicolon or tab
//! separators, and the aligned text-table form are accepted. The columns
//! are declared in `inputs/audit-log.toml` and read by the generic table
//! parser (`parse::table`).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::parse::Outcome;
use crate::parse::table::TableSpec;

/// One audited operator action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1-based line the row starts on.
    pub line: usize,
    pub time: String,
    pub epoch: Option<i64>,
    pub user: Option<String>,
    pub action: String,
    pub object_type: Option<String>,
    pub object: Option<String>,
    pub description: Option<String>,
}

/// The columns, as `inputs/audit-log.toml` declares them.
static SPEC: LazyLock<TableSpec> =
    LazyLock::new(|| TableSpec::built_in(include_str!("../../../inputs/audit-log.toml")));

/// Parses an audit log export, CSV or text table.
pub fn parse(text: &str) -> Outcome<Vec<AuditEntry>> {
    SPEC.parse_as(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{self, doc_text_blocks, export_junk, parse_every_prefix, parsed};

    fn entries(text: &str) -> Vec<AuditEntry> {
        parsed(&parse(text), text)
    }

    #[test]
    fn the_documented_export_parses() {
        let text = &doc_text_blocks(include_str!("audit_log.rs"))[0];
        let got = entries(text);
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].line, 3);
        assert_eq!(got[1].action, "Modify");
        assert_eq!(got[1].object_type.as_deref(), Some("Policy"));
        assert_eq!(got[1].object.as_deref(), Some("Gold-QoS"));
        // 2026-11-21T16:05:12Z
        assert_eq!(got[1].epoch, Some(1_795_277_112));
        assert_eq!(got[0].object, None);
        assert_eq!(got[2].description, None);
    }

    #[test]
    fn crlf_semicolons_and_comments() {
        let text = "# exported 2026-11-21\r\nTime;User;Operation;Target\r\n2026-11-21 16:05:12;admin;Delete;NE-7\r\n";
        let got = entries(text);
        assert_eq!(got[0].line, 3);
        assert_eq!(got[0].epoch, Some(1_795_277_112));
        assert_eq!(got[0].object.as_deref(), Some("NE-7"));
    }

    #[test]
    fn missing_columns_and_values_are_malformed_at_their_line() {
        let m = testing::malformed(&parse("User,Action\nadmin,Modify\n"), "no time");
        assert_eq!(m.line, 1);
        let text =
            "Timestamp,User,Action\n11/21/2026 16:05:12,admin,Modify\n11/21/2026 16:06:00,admin\n";
        let m = testing::malformed(&parse(text), text);
        assert_eq!((m.line, m.reason.as_str()), (3, "the row has no action"));
        let text = "Timestamp,User,Action\n,admin,Modify\n";
        let m = testing::malformed(&parse(text), text);
        assert_eq!((m.line, m.reason.as_str()), (2, "the row has no time"));
    }

    #[test]
    fn odd_times_keep_the_row_without_an_epoch() {
        let got = entries("Time,Action\nyesterday,Modify\n");
        assert_eq!(got[0].epoch, None);
        assert_eq!(got[0].time, "yesterday");
        let na = testing::not_applicable(&parse(""), "empty");
        assert_eq!(na.kind, Absence::Empty);
    }

    #[test]
    fn junk_and_cut_exports_never_panic() {
        let mut texts = export_junk(
            "Timestamp,User,Action,Object Type,Object,Description",
            "Timestamp  User  Action  Object",
            &[
                "11/21/2026 16:05:12",
                ",",
                "  ",
                "\n",
                "Modify",
                "\"",
                "admin",
                "\r",
            ],
        );
        texts.extend(doc_text_blocks(include_str!("audit_log.rs")));
        parse_every_prefix(&texts, parse);
    }
}
