//! Comparing two sides — snapshot trees, or JSON reports of `upcheck check` —
//! node by node: the running release, patch states, alarms and findings, and
//! whether anything got worse. Rendering lives in `report::diff`.

use crate::model::{Phase, Scope, Severity, TOOL, Tool};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

mod side;

pub use side::{Alarm, FLEET, Finding, Input, Side, SideError, read_report, read_tree, warnings};
use side::{AlarmKey, Fact, NodeState, Patches, Subject};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeStatus {
    Changed,
    Unchanged,
    Added,
    Removed,
}

impl NodeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeStatus::Changed => "changed",
            NodeStatus::Unchanged => "unchanged",
            NodeStatus::Added => "added",
            NodeStatus::Removed => "removed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseChange {
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatchChange {
    #[serde(rename = "where")]
    pub place: String,
    pub patch: String,
    /// State before; null when the patch was added.
    pub before: Option<String>,
    /// State after; null when the patch was removed.
    pub after: Option<String>,
    pub worse: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AlarmChanges {
    pub raised: Vec<Alarm>,
    pub cleared: Vec<Alarm>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FindingChanges {
    /// Failing after, not before.
    pub new: Vec<Finding>,
    /// Failing before; after neither failing nor unknown.
    pub resolved: Vec<Finding>,
    /// Failing on both sides (as after shows them).
    pub unchanged: Vec<Finding>,
    /// Unknown after, not before.
    pub new_unknown: Vec<Finding>,
}

/// What changed on one node (or cluster, site, fleet).
#[derive(Debug, Clone, Serialize)]
pub struct NodeDiff {
    pub node: String,
    pub scope: Scope,
    pub status: NodeStatus,
    pub release: Option<ReleaseChange>,
    pub patches: Vec<PatchChange>,
    pub alarms: AlarmChanges,
    pub findings: FindingChanges,
    /// What could not be compared, and why.
    pub notes: Vec<String>,
    pub worse: bool,
}

/// The whole comparison, sorted: nodes by scope then name, patches by
/// (where, patch), alarms by (id, server, instance, severity), findings by
/// code, name, severity, message.
#[derive(Debug, Serialize)]
pub struct Diff {
    pub tool: Tool,
    pub before: String,
    pub after: String,
    pub phase: Phase,
    pub worse: bool,
    pub nodes: Vec<NodeDiff>,
}

/// Compares the sides. `fail_on`: the lowest severity of a new failing
/// finding that makes a node worse (None: findings never do).
pub fn compare(before: &Side, after: &Side, fail_on: Option<Severity>) -> Diff {
    let keys: BTreeSet<&(Scope, String)> = before
        .subjects
        .keys()
        .chain(after.subjects.keys())
        .collect();
    let nodes: Vec<NodeDiff> = keys
        .into_iter()
        .map(|key| {
            compare_subject(
                key,
                before.subjects.get(key),
                after.subjects.get(key),
                fail_on,
            )
        })
        .collect();
    Diff {
        tool: TOOL,
        before: before.path.clone(),
        after: after.path.clone(),
        phase: after.phase,
        worse: nodes.iter().any(|n| n.worse),
        nodes,
    }
}

fn compare_subject(
    (scope, name): &(Scope, String),
    before: Option<&Subject>,
    after: Option<&Subject>,
    fail_on: Option<Severity>,
) -> NodeDiff {
    let mut diff = NodeDiff {
        node: name.clone(),
        scope: *scope,
        status: NodeStatus::Unchanged,
        release: None,
        patches: vec![],
        alarms: AlarmChanges::default(),
        findings: FindingChanges::default(),
        notes: vec![],
        worse: false,
    };
    let is_worse = |f: &Finding| fail_on.is_some_and(|min| f.severity >= min);
    let (before, after) = match (before, after) {
        (Some(b), Some(a)) => (b, a),
        (None, Some(a)) => {
            // Nothing to compare with: its failures are new.
            diff.status = NodeStatus::Added;
            diff.findings.new = a.failing.values().cloned().collect();
            diff.findings.new_unknown = a.unknown.values().cloned().collect();
            diff.findings.new.sort();
            diff.findings.new_unknown.sort();
            diff.worse = diff.findings.new.iter().any(is_worse);
            return diff;
        }
        // A node missing after is not proof that its failures are gone.
        (Some(_), None) => {
            diff.status = NodeStatus::Removed;
            return diff;
        }
        (None, None) => return diff,
    };

    if let (Some(b), Some(a)) = (&before.state, &after.state) {
        compare_states(b, a, &mut diff);
    }
    diff.findings = compare_findings(before, after);

    let f = &diff.findings;
    diff.worse = f.new.iter().any(is_worse)
        || diff.patches.iter().any(|p| p.worse)
        || diff.alarms.raised.iter().any(Alarm::is_serious);
    let changed = diff.release.is_some()
        || !diff.patches.is_empty()
        || !diff.alarms.raised.is_empty()
        || !diff.alarms.cleared.is_empty()
        || !f.new.is_empty()
        || !f.resolved.is_empty()
        || !f.new_unknown.is_empty();
    if changed {
        diff.status = NodeStatus::Changed;
    }
    diff
}

fn compare_findings(before: &Subject, after: &Subject) -> FindingChanges {
    let mut out = FindingChanges::default();
    for (key, f) in &after.failing {
        if before.failing.contains_key(key) {
            out.unchanged.push(f.clone());
        } else {
            out.new.push(f.clone());
        }
    }
    // A failure that became unknown is not resolved: it is among the
    // unknowns that appeared.
    out.resolved = before
        .failing
        .iter()
        .filter(|(k, _)| !after.failing.contains_key(*k) && !after.unknown.contains_key(*k))
        .map(|(_, f)| f.clone())
        .collect();
    out.new_unknown = after
        .unknown
        .iter()
        .filter(|(k, _)| !before.unknown.contains_key(*k))
        .map(|(_, f)| f.clone())
        .collect();
    for list in [
        &mut out.new,
        &mut out.resolved,
        &mut out.unchanged,
        &mut out.new_unknown,
    ] {
        list.sort();
    }
    out
}

fn compare_states(before: &NodeState, after: &NodeState, diff: &mut NodeDiff) {
    if before.release != after.release {
        diff.release = Some(ReleaseChange {
            before: before.release.clone(),
            after: after.release.clone(),
        });
    }
    // An upgrade to another release takes the old release's patches away.
    let upgraded = before.release.is_some() && after.release.is_some() && diff.release.is_some();
    if let Some((b, a)) = both("patches", &before.patches, &after.patches, &mut diff.notes) {
        diff.patches = compare_patches(b, a, upgraded);
    }
    if let Some((b, a)) = both("alarms", &before.alarms, &after.alarms, &mut diff.notes) {
        diff.alarms = compare_alarms(b, a);
    }
}

/// Both sides' values, or a note saying why the fact is not compared.
/// Absent on both sides needs no note: there is nothing to compare.
fn both<'a, T>(
    what: &str,
    before: &'a Fact<T>,
    after: &'a Fact<T>,
    notes: &mut Vec<String>,
) -> Option<(&'a T, &'a T)> {
    let mut why = Vec::new();
    for (side, fact) in [("before", before), ("after", after)] {
        match fact {
            Fact::Problem(p) => why.push(format!("{side}: {p}")),
            Fact::Absent => why.push(format!("{side}: not exported")),
            Fact::Present(_) => {}
        }
    }
    match (before, after) {
        (Fact::Present(b), Fact::Present(a)) => Some((b, a)),
        (Fact::Absent, Fact::Absent) => None,
        _ => {
            notes.push(format!("{what} not compared: {}", why.join("; ")));
            None
        }
    }
}

fn compare_patches(before: &Patches, after: &Patches, upgraded: bool) -> Vec<PatchChange> {
    let keys: BTreeSet<&(String, String)> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter_map(|key| {
            let (b, a) = (before.get(key), after.get(key));
            if b == a {
                return None;
            }
            let was_running = b.is_some_and(|s| s == "running");
            let worse = match a {
                Some(state) => was_running && state != "running",
                None => was_running && !upgraded,
            };
            Some(PatchChange {
                place: key.0.clone(),
                patch: key.1.clone(),
                before: b.cloned(),
                after: a.cloned(),
                worse,
            })
        })
        .collect()
}

/// The first alarm of each key.
fn index_alarms(list: &[Alarm]) -> BTreeMap<AlarmKey<'_>, &Alarm> {
    let mut map = BTreeMap::new();
    for a in list {
        map.entry(a.key()).or_insert(a);
    }
    map
}

fn compare_alarms(before: &[Alarm], after: &[Alarm]) -> AlarmChanges {
    let (b, a) = (index_alarms(before), index_alarms(after));
    let only = |one: &BTreeMap<AlarmKey, &Alarm>, other: &BTreeMap<AlarmKey, &Alarm>| {
        one.iter()
            .filter(|(k, _)| !other.contains_key(*k))
            .map(|(_, v)| (*v).clone())
            .collect()
    };
    AlarmChanges {
        raised: only(&a, &b),
        cleared: only(&b, &a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;
    use Severity::{Critical, Major, Minor};
    use std::path::Path;

    const MAJOR: Option<Severity> = Some(Major);

    fn finding(code: u32, severity: Severity, fingerprint: &str) -> Finding {
        Finding {
            code,
            name: format!("rule-{code}"),
            severity,
            message: format!("message of {fingerprint}"),
            fingerprint: fingerprint.to_string(),
        }
    }

    fn side() -> Side {
        Side::new(Path::new("side"), true, Phase::Post)
    }

    /// A side with node `n` holding these (status, code, severity, fingerprint).
    fn with(evaluations: &[(Status, u32, Severity, &str)]) -> Side {
        let mut s = side();
        for (status, code, severity, fp) in evaluations {
            s.add(Scope::Node, "n", *status, finding(*code, *severity, fp));
        }
        s
    }

    fn state(release: &str, patches: &[(&str, &str, &str)], alarms: &[Alarm]) -> Side {
        let patches = patches
            .iter()
            .map(|(w, p, s)| ((w.to_string(), p.to_string()), s.to_string()))
            .collect();
        let mut s = side();
        s.add_state(
            "n".into(),
            NodeState {
                release: Some(release.to_string()),
                patches: Fact::Present(patches),
                alarms: Fact::Present(alarms.to_vec()),
            },
        );
        s
    }

    fn alarm(id: &str, severity: &str) -> Alarm {
        Alarm {
            id: id.into(),
            server: Some("ne-a".into()),
            instance: None,
            severity: severity.into(),
            name: Some(format!("ALARM_{id}")),
        }
    }

    fn node<'a>(diff: &'a Diff, name: &str) -> &'a NodeDiff {
        diff.nodes.iter().find(|n| n.node == name).unwrap()
    }

    #[test]
    fn findings_are_new_resolved_or_unchanged_by_fingerprint() {
        let b = with(&[
            (Status::Fail, 1, Major, "f1"),
            (Status::Fail, 2, Major, "f2"),
            (Status::Fail, 3, Critical, "f3"),
        ]);
        let mut a = with(&[
            (Status::Fail, 2, Major, "f2"),
            (Status::Fail, 4, Minor, "f4"),
        ]);
        // Reworded, same fingerprint: the same finding.
        let mut reworded = finding(3, Critical, "f3");
        reworded.message = "said otherwise".into();
        a.add(Scope::Node, "n", Status::Fail, reworded.clone());

        let d = compare(&b, &a, MAJOR);
        let f = &node(&d, "n").findings;
        assert_eq!(f.new, vec![finding(4, Minor, "f4")]);
        assert_eq!(f.resolved, vec![finding(1, Major, "f1")]);
        assert_eq!(f.unchanged, vec![finding(2, Major, "f2"), reworded]);
        assert_eq!(node(&d, "n").status, NodeStatus::Changed);
        // The new finding is minor: below --fail-on major, at --fail-on minor.
        assert!(!d.worse);
        assert!(compare(&b, &a, Some(Minor)).worse);
        assert!(!compare(&b, &a, None).worse);
    }

    #[test]
    fn a_new_finding_at_the_threshold_is_worse() {
        let b = with(&[(Status::Pass, 1, Major, "p")]);
        let a = with(&[(Status::Pass, 1, Major, "p"), (Status::Fail, 2, Major, "f")]);
        let d = compare(&b, &a, MAJOR);
        assert!(d.worse && node(&d, "n").worse);
        assert!(!compare(&b, &a, Some(Critical)).worse);
    }

    #[test]
    fn a_failure_that_became_unknown_is_not_resolved() {
        let b = with(&[
            (Status::Fail, 1, Major, "f"),
            (Status::Unknown, 2, Major, "u"),
        ]);
        let a = with(&[
            (Status::Unknown, 1, Major, "f"),
            (Status::Unknown, 2, Major, "u"),
        ]);
        let d = compare(&b, &a, MAJOR);
        let f = &node(&d, "n").findings;
        assert!(f.resolved.is_empty());
        assert_eq!(f.new_unknown, vec![finding(1, Major, "f")]);
        assert_eq!(node(&d, "n").status, NodeStatus::Changed);
        assert!(!d.worse, "an unknown is not worse");
    }

    #[test]
    fn identical_sides_are_unchanged() {
        let make = || {
            let mut s = state("R1", &[("n", "P1", "activating")], &[alarm("9", "major")]);
            s.add(Scope::Node, "n", Status::Fail, finding(1, Critical, "f"));
            s
        };
        let d = compare(&make(), &make(), MAJOR);
        let n = node(&d, "n");
        assert_eq!(n.status, NodeStatus::Unchanged);
        assert!(!d.worse);
        assert_eq!(n.findings.unchanged.len(), 1);
        assert!(n.release.is_none() && n.patches.is_empty() && n.notes.is_empty());
        assert!(n.alarms.raised.is_empty() && n.alarms.cleared.is_empty());
    }

    #[test]
    fn a_patch_that_stops_running_is_worse() {
        let b = state(
            "R1",
            &[
                ("n slot 9", "P1", "running"),
                ("n slot 10", "P1", "running"),
                ("n", "P2", "loaded"),
                ("n", "P3", "running"),
            ],
            &[],
        );
        let a = state(
            "R1",
            &[
                ("n slot 9", "P1", "running"),
                ("n slot 10", "P1", "activating"),
                ("n", "P2", "running"),
                ("n", "P4", "running"),
            ],
            &[],
        );
        let d = compare(&b, &a, MAJOR);
        let got: Vec<_> = node(&d, "n")
            .patches
            .iter()
            .map(|p| {
                let (b, a) = (p.before.as_deref(), p.after.as_deref());
                (p.place.as_str(), p.patch.as_str(), b, a, p.worse)
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("n", "P2", Some("loaded"), Some("running"), false),
                ("n", "P3", Some("running"), None, true),
                ("n", "P4", None, Some("running"), false),
                ("n slot 10", "P1", Some("running"), Some("activating"), true),
            ]
        );
        assert!(d.worse);
    }

    #[test]
    fn an_upgrade_takes_the_old_release_patches_away_without_getting_worse() {
        let b = state("R1", &[("n", "R1SPH1", "running")], &[]);
        let a = state("R2", &[("n", "R2SPH1", "running")], &[]);
        let d = compare(&b, &a, MAJOR);
        let n = node(&d, "n");
        let release = n.release.as_ref().unwrap();
        assert_eq!(release.before.as_deref(), Some("R1"));
        assert_eq!(release.after.as_deref(), Some("R2"));
        assert_eq!(n.patches.len(), 2);
        assert!(n.patches.iter().all(|p| !p.worse));
        assert!(!d.worse);
        assert_eq!(n.status, NodeStatus::Changed);
    }

    #[test]
    fn serious_raised_alarms_are_worse_and_a_severity_change_is_clear_and_raise() {
        let b = state("R1", &[], &[alarm("1", "minor"), alarm("2", "minor")]);
        let a = state("R1", &[], &[alarm("2", "minor"), alarm("3", "warning")]);
        let d = compare(&b, &a, MAJOR);
        let n = node(&d, "n");
        assert_eq!(n.alarms.raised, vec![alarm("3", "warning")]);
        assert_eq!(n.alarms.cleared, vec![alarm("1", "minor")]);
        assert!(!d.worse, "a warning is not serious");

        let a = state("R1", &[], &[alarm("1", "minor"), alarm("2", "critical")]);
        let d = compare(&b, &a, MAJOR);
        let n = node(&d, "n");
        assert_eq!(n.alarms.raised, vec![alarm("2", "critical")]);
        assert_eq!(n.alarms.cleared, vec![alarm("2", "minor")]);
        assert!(d.worse);
    }

    #[test]
    fn a_fact_on_one_side_only_is_a_note_not_a_change() {
        let b = state("R1", &[("n", "P1", "running")], &[]);
        let mut a = state("R1", &[], &[]);
        let s = a
            .subjects
            .values_mut()
            .next()
            .unwrap()
            .state
            .as_mut()
            .unwrap();
        s.patches = Fact::Absent;
        s.alarms = Fact::Problem("exports/alarms.csv is malformed at line 3: no id".into());
        let d = compare(&b, &a, MAJOR);
        let n = node(&d, "n");
        assert_eq!(
            n.notes,
            [
                "patches not compared: after: not exported",
                "alarms not compared: after: exports/alarms.csv is malformed at line 3: no id",
            ]
        );
        assert!(n.patches.is_empty());
        assert_eq!(n.status, NodeStatus::Unchanged);
        assert!(!d.worse);
    }

    #[test]
    fn added_nodes_bring_new_findings_and_removed_nodes_resolve_nothing() {
        let (mut b, mut a) = (side(), side());
        b.add(Scope::Node, "gone", Status::Fail, finding(1, Critical, "g"));
        a.add(Scope::Node, "new", Status::Fail, finding(1, Critical, "n"));
        let d = compare(&b, &a, MAJOR);
        let gone = node(&d, "gone");
        assert_eq!(gone.status, NodeStatus::Removed);
        assert!(gone.findings.resolved.is_empty() && !gone.worse);
        let new = node(&d, "new");
        assert_eq!(new.status, NodeStatus::Added);
        assert_eq!(new.findings.new.len(), 1);
        assert!(new.worse && d.worse);
    }

    #[test]
    fn fleet_findings_match_by_code_and_message_whatever_the_folder() {
        let (mut b, mut a) = (side(), side());
        let mut f = finding(6, Critical, "fingerprint-over-trees/pre");
        b.add(Scope::Fleet, "trees/pre", Status::Fail, f.clone());
        f.fingerprint = "fingerprint-over-trees/post".into();
        a.add(Scope::Fleet, "trees/post", Status::Fail, f);
        let d = compare(&b, &a, MAJOR);
        assert_eq!(d.nodes.len(), 1);
        assert_eq!(d.nodes[0].node, FLEET);
        assert_eq!(d.nodes[0].findings.unchanged.len(), 1);
        assert!(!d.worse);
    }

    #[test]
    fn nodes_sort_before_groups() {
        let mut b = side();
        b.add(
            Scope::Cluster,
            "a-cluster",
            Status::Pass,
            finding(1, Minor, "c"),
        );
        b.add(Scope::Node, "z-node", Status::Pass, finding(1, Minor, "n"));
        let d = compare(&b, &side(), MAJOR);
        let names: Vec<&str> = d.nodes.iter().map(|n| n.node.as_str()).collect();
        assert_eq!(names, ["z-node", "a-cluster"]);
    }

    #[test]
    fn reports_are_read_or_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let good = write(
            "good.json",
            r#"{"phase": "pre", "rules_digest": "sha256:1", "evaluations": [
              {"code": 20002, "name": "patch-not-running", "severity": "critical",
               "status": "fail", "node": "ne-a", "scope": "node", "message": "m",
               "fingerprint": "0123456789abcdef0123456789abcdef", "evidence": []}]}"#,
        );
        let side = read_report(&good).unwrap();
        assert_eq!(side.phase, Phase::Pre);
        assert_eq!(side.rules_digest.as_deref(), Some("sha256:1"));
        assert!(!side.is_tree);
        let subject = &side.subjects[&(Scope::Node, "ne-a".to_string())];
        assert_eq!(
            subject.failing["0123456789abcdef0123456789abcdef"].severity,
            Critical
        );

        let refused = |name: &str, text: &str| {
            let path = write(name, text);
            let e = read_report(&path).unwrap_err().to_string();
            assert!(e.starts_with(&path.display().to_string()), "{e}");
            e
        };
        let e = refused("bad.json", "{\"evaluations\": [");
        assert!(e.contains("bad.json: invalid JSON: "), "{e}");
        let e = refused("none.json", r#"{"tool": {}}"#);
        assert!(e.ends_with("not a JSON report of upcheck check: it has no `evaluations` list"));
        let e = refused("field.json", r#"{"evaluations": [{"code": 1}]}"#);
        assert!(e.contains("evaluation 1: missing field"), "{e}");
        let e = refused("phase.json", r#"{"phase": "later", "evaluations": []}"#);
        assert!(e.contains("`phase` is \"later\""), "{e}");
        let missing = dir.path().join("nope.json");
        assert!(matches!(Input::open(&missing), Err(SideError::Missing(_))));
    }

    #[test]
    fn warnings_name_a_phase_or_catalog_mismatch() {
        let (mut b, mut a) = (side(), side());
        assert!(warnings(&b, &a).is_empty());
        b.phase = Phase::Pre;
        b.rules_digest = Some("sha256:1".into());
        a.rules_digest = Some("sha256:2".into());
        a.nodes = Some(0);
        let w = warnings(&b, &a);
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w[0].contains("pre phase") && w[0].contains("post phase"));
        assert!(w[1].contains("different rule catalogs"));
        assert!(w[2].contains("no node snapshot"));
    }
}
