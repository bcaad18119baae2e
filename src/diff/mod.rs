//! Comparing two sides — snapshot trees, or JSON reports of `upcheck check` —
//! node by node: the running release, patch states, alarms and findings, and
//! whether anything got worse. Rendering lives in `report::diff`.

use crate::catalog::Catalog;
use crate::engine::{self, RunOptions};
use crate::facts::{DiffAs, FACTS, FactProblem, FactResult, NodeFacts};
use crate::model::{Evaluation, Phase, Scope, Severity, Status, TOOL, Tool};
use crate::policy::Selection;
use crate::snapshot::{self, Node};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// Why a side cannot be compared (exit 2).
#[derive(Debug)]
pub enum SideError {
    Missing(PathBuf),
    Unreadable(PathBuf, std::io::Error),
    InvalidJson(PathBuf, serde_json::Error),
    NotAReport(PathBuf, String),
}

impl fmt::Display for SideError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SideError::Missing(p) => write!(f, "{}: no such file or directory", p.display()),
            SideError::Unreadable(p, e) => write!(f, "cannot read {}: {e}", p.display()),
            SideError::InvalidJson(p, e) => write!(f, "{}: invalid JSON: {e}", p.display()),
            SideError::NotAReport(p, why) => {
                write!(
                    f,
                    "{} is not a JSON report of upcheck check: {why}",
                    p.display()
                )
            }
        }
    }
}

impl std::error::Error for SideError {}

/// One side as given on the command line: a folder or a snapshot archive
/// is a snapshot tree, judged later; another file is a JSON report, read
/// at once.
pub enum Input {
    Tree(PathBuf),
    Report(Side),
}

impl Input {
    pub fn open(path: &Path) -> Result<Input, SideError> {
        // A snapshot archive is a tree, read in place as `check` reads it.
        if path.is_dir() || crate::snapshot::archive::is_archive(path) {
            Ok(Input::Tree(path.to_path_buf()))
        } else if path.exists() {
            read_report(path).map(Input::Report)
        } else {
            Err(SideError::Missing(path.to_path_buf()))
        }
    }

    /// The phase a report was checked in; trees have none of their own.
    pub fn report_phase(&self) -> Option<Phase> {
        match self {
            Input::Tree(_) => None,
            Input::Report(side) => Some(side.phase),
        }
    }

    /// The side, judging a tree with `catalog` in `phase`.
    pub fn into_side(self, catalog: &Catalog, phase: Phase) -> Side {
        match self {
            Input::Tree(path) => read_tree(&path, catalog, phase),
            Input::Report(side) => side,
        }
    }
}

/// A failing or unknown evaluation, as the diff shows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Finding {
    pub code: u32,
    pub name: String,
    pub severity: Severity,
    pub message: String,
    pub fingerprint: String,
}

/// An active alarm. Fields in the order alarms are matched and sorted by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Alarm {
    pub id: String,
    pub server: Option<String>,
    pub instance: Option<String>,
    pub severity: String,
    pub name: Option<String>,
}

impl Alarm {
    /// Raising one of these makes a node worse.
    pub fn is_serious(&self) -> bool {
        matches!(self.severity.as_str(), "critical" | "major")
    }

    /// id, server, instance and severity: a severity change is a clear and
    /// a raise.
    fn key(&self) -> AlarmKey<'_> {
        (
            &self.id,
            self.server.as_deref(),
            self.instance.as_deref(),
            &self.severity,
        )
    }
}

/// A fact of a snapshot node, as far as the diff is concerned.
#[derive(Debug, Clone, PartialEq)]
enum Fact<T> {
    Present(T),
    /// Not collected (no export): nothing to compare.
    Absent,
    /// Collected, but unusable: why.
    Problem(String),
}

impl<T> Fact<T> {
    fn from_result(result: FactResult, read: impl FnOnce(&Json) -> Option<T>) -> Fact<T> {
        match result {
            Ok(value) => read(&value).map_or(Fact::Absent, Fact::Present),
            Err(FactProblem::Missing { .. } | FactProblem::NotApplicable { .. }) => Fact::Absent,
            Err(problem) => Fact::Problem(problem.describe()),
        }
    }
}

/// (where, patch) → state.
type Patches = BTreeMap<(String, String), String>;

/// What a snapshot node shows beyond findings.
#[derive(Debug, Clone)]
struct NodeState {
    release: Option<String>,
    patches: Fact<Patches>,
    alarms: Fact<Vec<Alarm>>,
}

impl NodeState {
    /// The release, and every fact whose spec says how to compare it.
    fn read(node: &Node) -> NodeState {
        let mut facts = NodeFacts::new(node);
        let mut state = NodeState {
            release: node.field("running_release").map(str::to_string),
            patches: Fact::Absent,
            alarms: Fact::Absent,
        };
        for spec in FACTS {
            match spec.diff {
                None => {}
                Some(DiffAs::States {
                    place,
                    name,
                    state: field,
                }) => {
                    let read = |v: &Json| Some(states_of(v, place, name, field));
                    let more = Fact::from_result(facts.get(spec.name), read);
                    state.patches =
                        combine(std::mem::replace(&mut state.patches, Fact::Absent), more);
                }
                Some(DiffAs::Raised { list, exported }) => {
                    let read = |v: &Json| alarms_of(v, list, exported);
                    let more = Fact::from_result(facts.get(spec.name), read);
                    state.alarms =
                        combine(std::mem::replace(&mut state.alarms, Fact::Absent), more);
                }
            }
        }
        state
    }
}

/// Two facts compared as one: a problem in either is the problem, the rows
/// of both are the rows (the first fact's row wins a key both hold).
fn combine<T: Merge>(a: Fact<T>, b: Fact<T>) -> Fact<T> {
    match (a, b) {
        (Fact::Problem(p), Fact::Problem(q)) => Fact::Problem(format!("{p}; {q}")),
        (Fact::Problem(p), _) | (_, Fact::Problem(p)) => Fact::Problem(p),
        (Fact::Absent, other) | (other, Fact::Absent) => other,
        (Fact::Present(mut x), Fact::Present(y)) => {
            x.merge(y);
            Fact::Present(x)
        }
    }
}

trait Merge {
    fn merge(&mut self, other: Self);
}

impl Merge for Patches {
    fn merge(&mut self, other: Self) {
        for (k, v) in other {
            self.entry(k).or_insert(v);
        }
    }
}

impl Merge for Vec<Alarm> {
    fn merge(&mut self, mut other: Self) {
        self.append(&mut other);
    }
}

/// The first row of each (place, name) wins.
fn states_of(fact: &Json, place: &str, name: &str, state: &str) -> Patches {
    let mut out = Patches::new();
    for p in fact.as_array().into_iter().flatten() {
        let text = |k: &str| p.get(k).and_then(Json::as_str).unwrap_or("").to_string();
        out.entry((text(place), text(name)))
            .or_insert_with(|| text(state));
    }
    out
}

/// None when the snapshot holds no alarm export.
fn alarms_of(fact: &Json, list: &str, exported: &str) -> Option<Vec<Alarm>> {
    if fact.get(exported).and_then(Json::as_bool) != Some(true) {
        return None;
    }
    let list = fact.get(list).and_then(Json::as_array)?;
    let text = |a: &Json, k: &str| a.get(k).and_then(Json::as_str).map(str::to_string);
    Some(
        list.iter()
            .map(|a| Alarm {
                id: text(a, "id").unwrap_or_default(),
                server: text(a, "server"),
                instance: text(a, "instance"),
                severity: text(a, "severity").unwrap_or_default(),
                name: text(a, "name"),
            })
            .collect(),
    )
}

/// A node, or a cluster, site or fleet, on one side.
#[derive(Debug, Default)]
struct Subject {
    /// Failing evaluations by match key (the fingerprint, see `Side::add`).
    failing: BTreeMap<String, Finding>,
    unknown: BTreeMap<String, Finding>,
    /// Snapshot trees only, node scope only.
    state: Option<NodeState>,
}

/// The name every fleet-scope evaluation is filed under.
pub const FLEET: &str = "fleet";

/// One side, ready to compare.
#[derive(Debug)]
pub struct Side {
    /// The path as given.
    pub path: String,
    pub is_tree: bool,
    /// The phase whose rules judged this side.
    pub phase: Phase,
    pub rules_digest: Option<String>,
    /// Nodes found, for a snapshot tree.
    pub nodes: Option<usize>,
    subjects: BTreeMap<(Scope, String), Subject>,
}

impl Side {
    fn new(path: &Path, is_tree: bool, phase: Phase) -> Side {
        Side {
            path: path.display().to_string(),
            is_tree,
            phase,
            rules_digest: None,
            nodes: None,
            subjects: BTreeMap::new(),
        }
    }

    /// Files one evaluation. Any evaluation makes its subject present.
    /// Fleet-scope evaluations are named after the fleet folder, which
    /// differs between two trees, and so is their fingerprint: they are
    /// filed under `fleet` and matched by code and message.
    fn add(&mut self, scope: Scope, node: &str, status: Status, finding: Finding) {
        let (name, key) = match scope {
            Scope::Fleet => (
                FLEET.to_string(),
                format!("{}\0{}", finding.code, finding.message),
            ),
            _ => (node.to_string(), finding.fingerprint.clone()),
        };
        let subject = self.subjects.entry((scope, name)).or_default();
        let list = match status {
            Status::Fail => &mut subject.failing,
            Status::Unknown => &mut subject.unknown,
            _ => return,
        };
        list.entry(key).or_insert(finding);
    }

    fn add_evaluation(&mut self, e: &Evaluation) {
        let finding = Finding {
            code: e.code,
            name: e.name.to_string(),
            severity: e.severity,
            message: e.message.to_string(),
            fingerprint: e.fingerprint.to_string(),
        };
        self.add(e.scope, &e.node, e.status, finding);
    }

    /// The first node of a hostname keeps its state, as the engine matches
    /// baselines.
    fn add_state(&mut self, node: String, state: NodeState) {
        let subject = self.subjects.entry((Scope::Node, node)).or_default();
        subject.state.get_or_insert(state);
    }
}

/// The fields of a report evaluation the diff reads; the others are ignored.
#[derive(Deserialize)]
struct ReportEvaluation {
    scope: Scope,
    node: String,
    status: Status,
    #[serde(flatten)]
    finding: Finding,
}

/// Reads a JSON report of `upcheck check`.
pub fn read_report(path: &Path) -> Result<Side, SideError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| SideError::Unreadable(path.to_path_buf(), e))?;
    let mut doc: Json =
        serde_json::from_str(&text).map_err(|e| SideError::InvalidJson(path.to_path_buf(), e))?;
    let not_a_report = |why: String| SideError::NotAReport(path.to_path_buf(), why);
    let phase = match doc.get("phase") {
        None => Phase::Post,
        Some(p) => serde_json::from_value(p.clone())
            .map_err(|_| not_a_report(format!("`phase` is {p}, not pre, post or diagnose")))?,
    };
    let mut side = Side::new(path, false, phase);
    side.rules_digest = doc
        .get("rules_digest")
        .and_then(Json::as_str)
        .map(str::to_string);
    let Some(Json::Array(evaluations)) = doc.get_mut("evaluations").map(Json::take) else {
        return Err(not_a_report("it has no `evaluations` list".into()));
    };
    for (i, e) in evaluations.into_iter().enumerate() {
        let e: ReportEvaluation = serde_json::from_value(e)
            .map_err(|err| not_a_report(format!("evaluation {}: {err}", i + 1)))?;
        side.add(e.scope, &e.node, e.status, e.finding);
    }
    Ok(side)
}

/// Judges a snapshot tree as `check --phase` would (a `post` folder beside
/// a `pre` folder has it as its baseline) and reads each node's state.
pub fn read_tree(path: &Path, catalog: &Catalog, phase: Phase) -> Side {
    let options = RunOptions {
        phase: Some(phase),
        selection: Selection::default(),
        jobs: None,
        baseline: None,
        ..Default::default()
    };
    let paths = [path.to_path_buf()];
    let run = engine::run(&paths, catalog, &options);
    let mut side = Side::new(path, true, phase);
    side.rules_digest = Some(catalog.digest());
    side.nodes = Some(run.nodes);
    for e in &run.evaluations {
        side.add_evaluation(e);
    }
    // The same nodes the engine judged.
    let checked: Vec<PathBuf> = snapshot::checked_roots(&paths, phase == Phase::Pre)
        .into_iter()
        .map(|r| r.checked)
        .collect();
    let (nodes, _already_reported) = snapshot::discover(&checked);
    let states: Vec<(String, NodeState)> = nodes
        .par_iter()
        .map(|n| (n.name(), NodeState::read(n)))
        .collect();
    for (name, state) in states {
        side.add_state(name, state);
    }
    side
}

/// What the user should know before trusting the comparison.
pub fn warnings(before: &Side, after: &Side) -> Vec<String> {
    let mut out = Vec::new();
    if before.phase != after.phase {
        out.push(format!(
            "{} was judged by the rules of the {} phase and {} by those of the {} phase: \
             findings may differ for that reason alone",
            before.path,
            before.phase.as_str(),
            after.path,
            after.phase.as_str()
        ));
    }
    if let (Some(b), Some(a)) = (&before.rules_digest, &after.rules_digest)
        && a != b
    {
        out.push(format!(
            "{} and {} were judged by different rule catalogs (rules_digest differs)",
            before.path, after.path
        ));
    }
    for side in [before, after] {
        if side.nodes == Some(0) {
            out.push(format!(
                "no node snapshot (folder with node.json) found under {}",
                side.path
            ));
        }
    }
    out
}

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

type AlarmKey<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a str);

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
    use Severity::{Critical, Major, Minor};

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
