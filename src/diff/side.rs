//! One side of a diff: a snapshot tree judged as `check` would, or a JSON
//! report of `upcheck check`, read into failing and unknown findings and,
//! for a tree, each node's release, patch states and alarms.

use crate::catalog::Catalog;
use crate::engine::{self, RunOptions};
use crate::facts::{DiffAs, FACTS, FactProblem, FactResult, NodeFacts};
use crate::model::{Evaluation, Phase, Scope, Severity, Status};
use crate::policy::Selection;
use crate::snapshot::{self, Node};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;
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
    pub(super) fn key(&self) -> AlarmKey<'_> {
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
pub(super) enum Fact<T> {
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
pub(super) type Patches = BTreeMap<(String, String), String>;

/// What a snapshot node shows beyond findings.
#[derive(Debug, Clone)]
pub(super) struct NodeState {
    pub(super) release: Option<String>,
    pub(super) patches: Fact<Patches>,
    pub(super) alarms: Fact<Vec<Alarm>>,
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
pub(super) fn combine<T: Merge>(a: Fact<T>, b: Fact<T>) -> Fact<T> {
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

pub(super) trait Merge {
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
pub(super) fn states_of(fact: &Json, place: &str, name: &str, state: &str) -> Patches {
    let mut out = Patches::new();
    for p in fact.as_array().into_iter().flatten() {
        let text = |k: &str| p.get(k).and_then(Json::as_str).unwrap_or("").to_string();
        out.entry((text(place), text(name)))
            .or_insert_with(|| text(state));
    }
    out
}

/// None when the snapshot holds no alarm export.
pub(super) fn alarms_of(fact: &Json, list: &str, exported: &str) -> Option<Vec<Alarm>> {
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
pub(super) struct Subject {
    /// Failing evaluations by match key (the fingerprint, see `Side::add`).
    pub(super) failing: BTreeMap<String, Finding>,
    pub(super) unknown: BTreeMap<String, Finding>,
    /// Snapshot trees only, node scope only.
    pub(super) state: Option<NodeState>,
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
    pub(super) subjects: BTreeMap<(Scope, String), Subject>,
}

impl Side {
    pub(super) fn new(path: &Path, is_tree: bool, phase: Phase) -> Side {
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
    pub(super) fn add(&mut self, scope: Scope, node: &str, status: Status, finding: Finding) {
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
    pub(super) fn add_state(&mut self, node: String, state: NodeState) {
        let subject = self.subjects.entry((Scope::Node, node)).or_default();
        subject.state.get_or_insert(state);
    }
}

/// The fields of a report evaluation the diff reads; the others are ignored.
#[derive(Deserialize)]
pub(super) struct ReportEvaluation {
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
    for e in run.evaluations.iter() {
        side.add_evaluation(&e);
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

pub(super) type AlarmKey<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a str);
