//! Configuration state of the MPE and MRA clusters, as the CMP GUI shows it
//! on the System tab of each cluster (Policy Server → Configuration →
//! cluster → System; MRA → Configuration → cluster → System), exported or
//! copied as a table, one row per server.
//!
//! After a failover to the new release (procedure §10.2 step 5) or back to
//! the old one (§12.3.3 step 4) the tab shows different releases for the
//! Active and Standby servers "with Config mismatch" until the operator runs
//! Operations → Reapply Configuration, which changes the cluster's version to
//! the release of the active server.
//!
//! # Columns
//!
//! Header names are matched as in the other CMP exports (case-insensitive,
//! `_` as a space, names cut by the GUI with `...` match the one column they
//! start). Columns may come in any order; other columns are ignored.
//!
//! | field            | header names                                                        |
//! |------------------|---------------------------------------------------------------------|
//! | `cluster`        | `Cluster`, `Cluster Name` (required)                                |
//! | `kind`           | `Type`, `Cluster Type`, `Application`                               |
//! | `server`         | `Server`, `Server Name`, `Hostname`, `Host`                         |
//! | `role`           | `Role`, `Server Role`, `HA Role`                                    |
//! | `release`        | `Running Release`, `Release`, `Server Version`, `Software Version`  |
//! | `config_version` | `Config Version`, `Configuration Version`, `Cluster Version`, `Version` |
//! | `config`         | `Config Status`, `Configuration Status`, `Config State`, `Config`, `Config Mismatch`, `Mismatch`, `Status` (required) |
//!
//! The config cell says a mismatch when it contains `mismatch` (any case:
//! `Config mismatch`, `Configuration Mismatch`) or, in a yes/no column such
//! as `Config Mismatch`, is `Yes`, `Y` or `true`. Any other value (`OK`,
//! `In Sync`, `On-line`, `Degraded`, `No`) is no mismatch: the procedure
//! says a Degraded status is normal while the servers run different
//! releases. A row whose config cell is blank, or that has no cluster, is
//! Malformed at its line; so is a header without the two required columns.
//!
//! The CSV form (comma, semicolon or tab, quotes, BOM, CRLF):
//!
//! ```text
//! Cluster,Type,Server,Role,Running Release,Config Version,Config Status
//! mpe-1,MPE,mpe-1a,Active,12.1.2.0.0_22.1.0,12.1.1.0.0_14.1.0,Config mismatch
//! mpe-1,MPE,mpe-1b,Forced Standby,12.1.1.0.0_14.1.0,12.1.1.0.0_14.1.0,Config mismatch
//! mra-1,MRA,mra-1a,Active,12.1.2.0.0_22.1.0,12.1.2.0.0_22.1.0,OK
//! ```
//!
//! The text-table form, columns two or more spaces apart:
//!
//! ```text
//! Cluster  Server  Role     Release            Version            Status
//! -------  ------  -------  -----------------  -----------------  --------
//! mpe-2    mpe-2a  Active   12.1.2.0.0_22.1.0  12.1.2.0.0_22.1.0  Degraded
//! mpe-2    mpe-2b  Standby  12.1.1.0.0_14.1.0  12.1.2.0.0_22.1.0  Degraded
//! ```
//!
//! Blank lines, `#` comments and rule lines are skipped; a header with no
//! rows is Parsed with none. The columns are declared in
//! `inputs/cluster-config.toml` and read by the generic table parser
//! (`parse::table`); the role and the mismatch are read here.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::parse::Outcome;
use crate::parse::export_table::words;
use crate::parse::table::TableSpec;

/// One server row of a cluster's System tab.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterServer {
    /// 1-based line the row starts on.
    pub line: usize,
    pub cluster: String,
    /// As printed: MPE, MRA, CMP.
    pub kind: Option<String>,
    pub server: Option<String>,
    /// Lowercase, as printed: active, standby, forced standby.
    pub role: Option<String>,
    pub release: Option<String>,
    pub config_version: Option<String>,
    /// The config cell as printed.
    pub config: String,
    /// The config cell says `Config mismatch`.
    pub mismatch: bool,
}

/// A row as `inputs/cluster-config.toml` declares it.
#[derive(Deserialize)]
struct Listed {
    line: usize,
    cluster: String,
    kind: Option<String>,
    server: Option<String>,
    role: Option<String>,
    release: Option<String>,
    config_version: Option<String>,
    config: String,
}

/// The columns, as `inputs/cluster-config.toml` declares them.
static SPEC: LazyLock<TableSpec> =
    LazyLock::new(|| TableSpec::built_in(include_str!("../../../inputs/cluster-config.toml")));

/// Parses a cluster configuration export, CSV or text table.
pub fn parse(text: &str) -> Outcome<Vec<ClusterServer>> {
    SPEC.parse_with(text, |row: Listed| Ok(record(row)))
}

/// Whether a config cell says the configuration does not match.
fn says_mismatch(cell: &str) -> bool {
    let key = words(cell);
    key.contains("mismatch") || matches!(key.as_str(), "yes" | "y" | "true")
}

/// The vendor logic the spec cannot state: the role compared in lower case,
/// and whether the config cell says a mismatch.
fn record(row: Listed) -> ClusterServer {
    ClusterServer {
        line: row.line,
        cluster: row.cluster,
        kind: row.kind,
        server: row.server,
        role: row.role.as_deref().map(words),
        release: row.release,
        config_version: row.config_version,
        mismatch: says_mismatch(&row.config),
        config: row.config,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{self, doc_text_blocks, export_junk, parse_every_prefix, parsed};

    fn rows(text: &str) -> Vec<ClusterServer> {
        parsed(&parse(text), text)
    }

    #[test]
    fn documented_examples_parse() {
        let blocks = doc_text_blocks(include_str!("cluster_config.rs"));
        let csv = rows(&blocks[0]);
        assert_eq!(csv.len(), 3);
        assert_eq!(csv[0].cluster, "mpe-1");
        assert_eq!(csv[0].kind.as_deref(), Some("MPE"));
        assert_eq!(csv[0].server.as_deref(), Some("mpe-1a"));
        assert_eq!(csv[0].role.as_deref(), Some("active"));
        assert_eq!(csv[0].release.as_deref(), Some("12.1.2.0.0_22.1.0"));
        assert_eq!(csv[0].config_version.as_deref(), Some("12.1.1.0.0_14.1.0"));
        assert!(csv[0].mismatch && csv[1].mismatch && !csv[2].mismatch);
        assert_eq!(csv[1].role.as_deref(), Some("forced standby"));
        assert_eq!(csv[2].line, 4);
        let table = rows(&blocks[1]);
        assert_eq!(table.len(), 2);
        assert_eq!(table[1].line, 4);
        assert_eq!(table[1].config, "Degraded");
        assert!(!table[1].mismatch, "Degraded alone is no mismatch");
    }

    #[test]
    fn yes_no_columns_and_crlf() {
        let text =
            "\u{feff}Cluster;Server;Config Mismatch\r\nmra-1;mra-1a;Yes\r\nmra-1;mra-1b;No\r\n";
        let got = rows(text);
        assert!(got[0].mismatch);
        assert!(!got[1].mismatch);
        assert_eq!(got[1].server.as_deref(), Some("mra-1b"));
    }

    #[test]
    fn stray_comment_and_rule_lines_are_skipped() {
        let text = "# System tab of mpe-1, copied 2026-11-21\n\nCluster,Status\n---,---\nmpe-1,Configuration Mismatch\n";
        let got = rows(text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].line, 5);
        assert!(got[0].mismatch);
    }

    #[test]
    fn missing_columns_and_values_are_malformed_at_their_line() {
        let m = testing::malformed(&parse("Cluster,Server\nmpe-1,mpe-1a\n"), "no status");
        assert_eq!(m.line, 1);
        assert!(m.reason.contains("Config Status"), "{}", m.reason);
        let text = "Cluster,Server,Status\nmpe-1,mpe-1a,OK\nmpe-1,mpe-1b\n";
        let m = testing::malformed(&parse(text), text);
        assert_eq!(
            (m.line, m.reason.as_str()),
            (3, "the row has no config status")
        );
        let text = "Cluster,Server,Status\n,mpe-1a,OK\n";
        let m = testing::malformed(&parse(text), text);
        assert_eq!((m.line, m.reason.as_str()), (2, "the row has no cluster"));
    }

    #[test]
    fn empty_and_header_only_files() {
        let na = testing::not_applicable(&parse("\n\n"), "blank");
        assert_eq!(na.kind, Absence::Empty);
        assert!(rows("Cluster,Status\n").is_empty());
    }

    #[test]
    fn junk_and_cut_exports_never_panic() {
        let mut texts = export_junk(
            "Cluster,Server,Role,Release,Version,Status",
            "Cluster  Server  Role  Release  Version  Status",
            &[
                "mpe-1",
                ",",
                "  ",
                "\n",
                "Config mismatch",
                "\"",
                "Active",
                "\r",
            ],
        );
        texts.extend(doc_text_blocks(include_str!("cluster_config.rs")));
        parse_every_prefix(&texts, parse);
    }
}
