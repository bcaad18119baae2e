//! Waivers: accepted failures, written down with a reason, an approver and
//! an expiry. A live waiver turns a matching failure into `waived` (still in
//! every report, with the waiver); an expired one stops applying and is
//! itself a finding (90005), and so is one that matched no failure of the
//! rules that ran (90006), so that waivers do not outlive their cause.
//!
//! `waivers.toml` sits at the fleet root (or is named by `--waivers`):
//!
//! ```toml
//! [[waiver]]
//! code = 30002                # a rule code
//! node = "mpe-*"              # a glob over the node (or group) name; or
//! cluster = "mpe-east"        # every node of a cluster, and the cluster itself
//! reason = "archive volume, cleaned weekly"
//! approver = "j.doe"
//! ticket = "CHG-1234"         # optional
//! created = 2026-11-01        # optional
//! expires = 2026-12-31        # the last day it applies
//! ```

use crate::model::tool_codes::{WAIVER_EXPIRED, WAIVER_UNUSED, tool_evaluation};
use crate::model::{Evaluation, Evaluations, Evidence, Scope, Status, WaiverNote};
use crate::policy::{PolicyError, line_at};
use chrono::NaiveDate;
use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;

/// The waivers file a fleet root may hold.
pub const WAIVERS_FILE: &str = "waivers.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiversFile {
    /// Spanned, so that each waiver is reported at its own line.
    #[serde(default)]
    waiver: Vec<toml::Spanned<WaiverEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverEntry {
    code: u32,
    node: Option<String>,
    cluster: Option<String>,
    reason: String,
    approver: String,
    ticket: Option<String>,
    created: Option<toml::Spanned<toml::Value>>,
    expires: toml::Spanned<toml::Value>,
}

/// One waiver, checked and ready to match.
pub struct Waiver {
    pub code: u32,
    /// What it covers, as written: `node mpe-*` or `cluster mpe-east`.
    pub covers: String,
    node: Option<GlobMatcher>,
    cluster: Option<String>,
    pub expires: NaiveDate,
    pub note: WaiverNote,
}

impl Waiver {
    fn matches(&self, e: &Evaluation) -> bool {
        if e.code != self.code {
            return false;
        }
        let by_node = self.node.as_ref().is_some_and(|g| g.is_match(&*e.node));
        let by_cluster = self.cluster.as_ref().is_some_and(|c| {
            e.cluster.as_deref() == Some(c.as_str())
                || (e.scope == Scope::Cluster && *e.node == **c)
        });
        by_node || by_cluster
    }
}

/// Reads a waivers file. Every mistake is an error naming the file and the
/// line of the waiver, since a waiver silently not applying (or applying
/// too widely) would be worse than a stopped run.
pub fn load(path: &Path) -> Result<Vec<Waiver>, PolicyError> {
    let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
        path: path.to_path_buf(),
        what: "",
        source,
    })?;
    let file: WaiversFile =
        toml::from_str(&text).map_err(|e| PolicyError::toml(path, &text, &e))?;
    let mut waivers = Vec::new();
    for spanned in file.waiver {
        let line = line_at(&text, spanned.span().start);
        let entry = spanned.into_inner();
        let at = |problem: String| PolicyError::at(path, Some(line), problem);
        let node = match &entry.node {
            Some(pattern) => Some(
                Glob::new(pattern)
                    .map_err(|e| at(format!("node pattern `{pattern}`: {e}")))?
                    .compile_matcher(),
            ),
            None => None,
        };
        let covers = match (&entry.node, &entry.cluster) {
            (Some(n), None) => format!("node {n}"),
            (None, Some(c)) => format!("cluster {c}"),
            (Some(_), Some(_)) => {
                return Err(at("a waiver names a node or a cluster, not both".into()));
            }
            (None, None) => {
                return Err(at(
                    "a waiver must name what it covers: node = \"GLOB\" or cluster = \"NAME\""
                        .into(),
                ));
            }
        };
        for (field, value) in [("reason", &entry.reason), ("approver", &entry.approver)] {
            if value.trim().is_empty() {
                return Err(at(format!("`{field}` is empty")));
            }
        }
        // A date's own line, so that a mistake in it is found at once.
        let date_at = |field: &str, value: &toml::Spanned<toml::Value>| {
            date(value.get_ref()).map_err(|e| {
                let line = line_at(&text, value.span().start);
                PolicyError::at(path, Some(line), format!("{field}: {e}"))
            })
        };
        let expires = date_at("expires", &entry.expires)?;
        let created = match &entry.created {
            Some(v) => Some(date_at("created", v)?),
            None => None,
        };
        waivers.push(Waiver {
            code: entry.code,
            covers,
            node,
            cluster: entry.cluster,
            expires,
            note: WaiverNote {
                reason: entry.reason,
                approver: entry.approver,
                ticket: entry.ticket,
                created: created.map(|d| d.to_string()),
                expires: expires.to_string(),
                source: Evidence {
                    path: path.display().to_string(),
                    line: Some(line),
                    excerpt: None,
                    context: vec![],
                },
            },
        });
    }
    Ok(waivers)
}

/// A TOML date (`2026-12-31`) or a string holding one, and nothing else: a
/// time or any text after the day is an error, since a waiver lasts whole
/// days and `2026-12-31x` may be a typo for another day.
fn date(value: &toml::Value) -> Result<NaiveDate, BadDate> {
    let text = match value {
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::String(s) => s.clone(),
        other => return Err(BadDate::NotADate(other.to_string())),
    };
    let shown = |text: &str| {
        crate::model::quote::printable(crate::model::quote::clip(text).as_ref()).into_owned()
    };
    let (day, rest) = NaiveDate::parse_and_remainder(&text, "%Y-%m-%d")
        .map_err(|_| BadDate::Unreadable(shown(&text)))?;
    if !rest.is_empty() {
        return Err(BadDate::TextAfter {
            date: shown(&text),
            after: shown(rest),
        });
    }
    Ok(day)
}

/// A waiver date that is not one day; the texts are quoted for a terminal.
#[derive(Debug, thiserror::Error)]
enum BadDate {
    #[error("expected a date such as 2026-12-31, got {0}")]
    NotADate(String),
    #[error("`{0}` is not a date such as 2026-12-31")]
    Unreadable(String),
    #[error("`{date}` has `{after}` after the date; write the day alone, such as 2026-12-31")]
    TextAfter { date: String, after: String },
}

/// Applies the waivers to a run's evaluations on `today`: live waivers
/// turn matching failures into `waived`; expired and unused waivers become
/// findings of the fleet group `group`. Failures are held whole.
pub fn apply(waivers: &[Waiver], evaluations: &mut Evaluations, today: NaiveDate, group: &str) {
    let ran: BTreeSet<u32> = evaluations.briefs().map(|e| e.code).collect();
    let mut used = vec![false; waivers.len()];
    for e in evaluations
        .wholes_mut()
        .filter(|e| e.status == Status::Fail)
    {
        let live = waivers
            .iter()
            .enumerate()
            .find(|(_, w)| w.expires >= today && w.matches(e));
        if let Some((i, w)) = live {
            used[i] = true;
            e.status = Status::Waived;
            e.waiver = Some(Box::new(w.note.clone()));
        }
    }
    for (w, used) in waivers.iter().zip(used) {
        let key = format!(
            "{} {} {}",
            w.code,
            w.covers,
            w.note.source.line.unwrap_or(0)
        );
        let finding = if w.expires < today {
            let still = evaluations
                .wholes()
                .filter(|e| e.status == Status::Fail && w.matches(e))
                .count();
            Some((
                WAIVER_EXPIRED,
                format!(
                    "the waiver of {} for {} expired on {} ({} failure(s) it covered count again); \
                     reason was: {}",
                    w.code, w.covers, w.expires, still, w.note.reason
                ),
            ))
        } else if !used && ran.contains(&w.code) {
            Some((
                WAIVER_UNUSED,
                format!(
                    "the waiver of {} for {} matches no failure: the problem is gone or the \
                     pattern is wrong",
                    w.code, w.covers
                ),
            ))
        } else {
            None
        };
        if let Some((code, message)) = finding {
            let mut e = tool_evaluation(
                code,
                group,
                Scope::Fleet,
                &key,
                message,
                vec![w.note.source.clone()],
            );
            e.status = Status::Fail;
            evaluations.push(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Chain, Severity, fingerprint};
    use std::sync::Arc;

    fn failing(code: u32, node: &str, cluster: Option<&str>, scope: Scope) -> Evaluation {
        Evaluation {
            code,
            name: "x".into(),
            severity: Severity::Major,
            status: Status::Fail,
            node: node.into(),
            scope,
            site: None,
            cluster: cluster.map(Arc::from),
            message: "m".into(),
            evidence: vec![],
            remediation: "".into(),
            caused_by: vec![],
            fingerprint: fingerprint(code, node, ""),
            waiver: None,
            baseline: None,
            key: "".into(),
            chain: Chain::Unlinked,
        }
    }

    fn write(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(WAIVERS_FILE);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    const FILE: &str = r#"# site waivers
[[waiver]]
code = 30002
node = "mpe-*"
reason = "archive volume"
approver = "j.doe"
ticket = "CHG-1"
expires = 2026-12-31

[[waiver]]
code = 70001
cluster = "mra-east"
reason = "clock fix scheduled"
approver = "a.lee"
expires = "2026-01-31"

[[waiver]]
code = 50001
node = "nowhere-*"
reason = "stale"
approver = "a.lee"
created = 2026-01-01
expires = 2027-01-01
"#;

    #[test]
    fn live_waivers_waive_expired_and_unused_ones_are_findings() {
        let (_dir, path) = write(FILE);
        let waivers = load(&path).unwrap();
        assert_eq!(waivers.len(), 3);
        assert_eq!(waivers[1].note.source.line, Some(10));
        let mut evals = Evaluations::from(vec![
            failing(30002, "mpe-east-a", Some("mpe-east"), Scope::Node),
            failing(30002, "cmp-east-a", Some("cmp-east"), Scope::Node),
            failing(70001, "mra-east", None, Scope::Cluster),
            failing(50001, "cmp-west-b", None, Scope::Node),
        ]);
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        apply(&waivers, &mut evals, today, "fixtures/demo");
        let evals = evals.into_vec();
        let status: Vec<(u32, &str, Status)> =
            evals.iter().map(|e| (e.code, &*e.node, e.status)).collect();
        assert_eq!(
            status,
            vec![
                (30002, "mpe-east-a", Status::Waived),
                (30002, "cmp-east-a", Status::Fail),
                (70001, "mra-east", Status::Fail),
                (50001, "cmp-west-b", Status::Fail),
                (WAIVER_EXPIRED, "fixtures/demo", Status::Fail),
                (WAIVER_UNUSED, "fixtures/demo", Status::Fail),
            ]
        );
        assert_eq!(
            evals[0].waiver.as_ref().unwrap().ticket.as_deref(),
            Some("CHG-1")
        );
        assert!(
            evals[4]
                .message
                .contains("expired on 2026-01-31 (1 failure(s)"),
            "{}",
            evals[4].message
        );
        assert_eq!(evals[5].evidence[0].line, Some(17));
        // The day it expires it still applies.
        let mut evals = Evaluations::from(vec![failing(70001, "mra-east", None, Scope::Cluster)]);
        let last_day = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        apply(&waivers[1..2], &mut evals, last_day, "f");
        assert_eq!(evals.get(0).status, Status::Waived);
    }

    #[test]
    fn a_waiver_for_a_rule_that_did_not_run_is_not_called_unused() {
        let (_dir, path) = write(FILE);
        let waivers = load(&path).unwrap();
        let mut evals = Evaluations::from(vec![failing(30002, "mpe-east-a", None, Scope::Node)]);
        apply(
            &waivers[2..],
            &mut evals,
            NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
            "f",
        );
        assert_eq!(evals.len(), 1);
    }

    #[test]
    fn mistakes_name_the_file_and_the_waiver_line() {
        for (text, says) in [
            (
                "[[waiver]]\ncode = 1\nreason = \"r\"\napprover = \"a\"\nexpires = 2026-01-01\n",
                ":1: a waiver must name what it covers",
            ),
            (
                "\n[[waiver]]\ncode = 1\nnode = \"a\"\ncluster = \"b\"\nreason = \"r\"\napprover = \"a\"\nexpires = 2026-01-01\n",
                ":2: a waiver names a node or a cluster, not both",
            ),
            (
                "[[waiver]]\ncode = 1\nnode = \"a\"\nreason = \" \"\napprover = \"a\"\nexpires = 2026-01-01\n",
                ":1: `reason` is empty",
            ),
            (
                "[[waiver]]\ncode = 1\nnode = \"a\"\nreason = \"r\"\napprover = \"a\"\nexpires = \"soon\"\n",
                ":6: expires: `soon` is not a date",
            ),
            (
                "[[waiver]]\ncode = 1\nnode = \"a\"\nreason = \"r\"\napprover = \"a\"\nexpires = \"2026-12-31junk\"\n",
                ":6: expires: `2026-12-31junk` has `junk` after the date",
            ),
            (
                "[[waiver]]\ncode = 1\nnode = \"a\"\nreason = \"r\"\n\napprover = \"a\"\nexpires = 2026-12-31T08:00:00Z\n",
                ":7: expires: `2026-12-31T08:00:00Z` has `T08:00:00Z` after the date",
            ),
            (
                "[[waiver]]\ncode = 1\nnode = \"a\"\nreason = \"r\"\napprover = \"a\"\ncreated = \"2026-01-01 x\"\nexpires = 2026-12-31\n",
                ":6: created: `2026-01-01 x` has ` x` after the date",
            ),
            (
                "[[waiver]]\ncode = 1\nnode = \"a\"\nreason = \"r\"\napprover = \"a\"\n",
                "missing field `expires`",
            ),
            (
                "[[waiver]]\ncode = 1\nnode = \"a\"\nreason = \"r\"\napprover = \"a\"\nexpires = 2026-01-01\nowner = \"x\"\n",
                ":7: unknown field `owner`",
            ),
        ] {
            let (_dir, path) = write(text);
            let e = load(&path)
                .err()
                .unwrap_or_else(|| panic!("accepted: {text}"))
                .to_string();
            assert!(e.contains("waivers.toml") && e.contains(says), "{e}");
        }
    }
}
