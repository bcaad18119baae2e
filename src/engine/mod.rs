//! Evaluation: every selected rule on every node (in parallel), then the
//! cluster-, site- and fleet-scope rules over the nodes' facts, then root
//! causes. The result is sorted, so it never depends on the thread count.

pub mod fixture_check;
pub mod merge;
pub mod shard;

use crate::catalog::expr::{self, Bound, Lent, to_bound, to_cel};
use crate::catalog::{Catalog, Rule};
use crate::engine::shard::{Shard, ShardRoot};
use crate::facts::{self, FactProblem, NodeFacts, plan_fact};
use crate::model::quote::{clip, clip_message};
use crate::model::redact::{redact, redact_in};
use crate::model::tool_codes::{
    self, EXPORT_ROW_UNMATCHED, HOSTNAME_AMBIGUOUS, INPUT_MALFORMED, RULE_ERROR,
    SNAPSHOT_UNREADABLE,
};
use crate::model::{
    Cause, Chain, Evaluation, Evidence, Phase, Scope, Severity, Status, fingerprint,
};
use crate::policy::{code_matches, is_code_pattern};
use crate::report::Places;
use crate::snapshot::{self, Node};
use cel::common::types::CelList;
use cel::common::value::Val;
use cel::{Context, Value};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

/// Which codes a run keeps: `40001`, a family `4` / `4xxxx`, or any prefix.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    /// Tool findings (9xxxx) say why something could not be checked, so
    /// `--select` never hides them; only `--ignore` does.
    pub fn keeps(&self, code: u32) -> bool {
        let selected = self.select.is_empty()
            || code / 10000 == 9
            || self.select.iter().any(|p| code_matches(p, code));
        selected && !self.ignore.iter().any(|p| code_matches(p, code))
    }

    /// Patterns that are not codes or code prefixes.
    pub fn invalid(&self) -> Vec<String> {
        self.select
            .iter()
            .chain(&self.ignore)
            .filter(|p| !is_code_pattern(p))
            .cloned()
            .collect()
    }
}

#[derive(Default)]
pub struct RunOptions {
    /// `None` runs every phase (fixtures do).
    pub phase: Option<Phase>,
    pub selection: Selection,
    pub jobs: Option<usize>,
    /// The pre snapshot post-phase rules compare with (`--baseline-snapshot`).
    pub baseline: Option<PathBuf>,
    pub input_memory: InputMemory,
    /// The plan every path checked uses (`--plan`), instead of the
    /// plan.toml found for it (snapshot::plan_file).
    pub plan: Option<PathBuf>,
}

/// The bytes of input text a run holds: per node (a file past it is not
/// read: 90009), and in all, by evaluating at most `total / per_node`
/// nodes at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputMemory {
    pub per_node: u64,
    pub total: u64,
}

impl Default for InputMemory {
    fn default() -> Self {
        InputMemory {
            per_node: facts::DEFAULT_NODE_INPUT_BYTES,
            total: DEFAULT_INPUT_BYTES,
        }
    }
}

/// The bytes of input text a whole run may hold, unless
/// `--max-input-mib` says otherwise.
pub const DEFAULT_INPUT_BYTES: u64 = 4096 * 1024 * 1024;

impl InputMemory {
    /// Nodes evaluated at once: each may hold `per_node`, all together no
    /// more than `total`. Whatever rayon's work stealing does, no more
    /// nodes than one batch are ever in flight.
    fn nodes_at_once(&self) -> usize {
        let n = self.total / self.per_node.max(1);
        usize::try_from(n)
            .unwrap_or(usize::MAX)
            .clamp(1, NODE_BATCH)
    }
}

pub struct RunOutput {
    pub evaluations: Vec<Evaluation>,
    pub nodes: usize,
    pub inputs_digest: String,
    /// For a shard: every node checked, with the facts group-scope rules
    /// need, which the shard report carries for `merge`. Empty otherwise.
    pub members: Vec<GroupMember>,
    /// The paths checked, with the plan their nodes see.
    pub roots: Vec<ShardRoot>,
    /// The plan files read, sorted.
    pub plan_files: Vec<String>,
    /// Where findings without evidence are located.
    pub places: Places,
    /// The ISO digests the run used, by how they were had.
    pub digests: crate::report::Digests,
    /// How long each step took.
    pub timings: Timings,
}

/// The wall time of each step of a run, for `UPCHECK_TIMINGS=1`
/// (docs/performance.md): which steps run on one thread and what they
/// cost.
#[derive(Debug, Clone)]
pub struct Timings {
    last: std::time::Instant,
    pub steps: Vec<(&'static str, std::time::Duration)>,
}

impl Timings {
    pub fn start() -> Timings {
        Timings {
            last: std::time::Instant::now(),
            steps: vec![],
        }
    }

    /// Ends the step `name`, begun at the previous mark.
    pub fn mark(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.steps.push((name, now - self.last));
        self.last = now;
    }

    /// `upcheck: timing: STEP SECONDS s` per step on stderr, when the
    /// environment sets UPCHECK_TIMINGS.
    pub fn print_if_asked(&self) {
        if std::env::var_os("UPCHECK_TIMINGS").is_some() {
            for (name, took) in &self.steps {
                eprintln!("upcheck: timing: {name} {:.3} s", took.as_secs_f64());
            }
        }
    }
}

/// The message of most passing evaluations, shared by all of them.
static NO_FINDING: LazyLock<Arc<str>> = LazyLock::new(|| "no finding".into());

/// The remediation of every evaluation that did not fail.
static NO_REMEDIATION: LazyLock<Arc<str>> = LazyLock::new(|| "".into());

/// Nodes evaluated in parallel before their evaluations are collected.
const NODE_BATCH: usize = 256;

/// Per group rule code: the member's facts, or why it has none; absent when
/// the rule does not apply to the node.
type Membership = BTreeMap<u32, MemberFacts>;

/// What one node gives one group rule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum MemberFacts {
    /// `node` (identity) and each fact the rule `requires`, each shared by
    /// every group rule of the node that reads it.
    Facts(Arc<BTreeMap<String, Arc<Json>>>),
    /// Why the node has no data for the rule.
    NoData(Arc<str>),
}

/// A node as group rules see it (JSON: an entry of `shard.nodes`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GroupMember {
    /// The name reports use (hostname).
    pub node: String,
    /// The node folder relative to `root`, `/`-separated.
    pub path: String,
    /// The path given that the node was found under.
    pub root: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// sha256 over the (file, content digest) pairs the node's rules read.
    pub inputs_digest: String,
    /// Per group-scope rule code the node takes part in.
    pub group_facts: Membership,
}

/// The nodes of one cluster, site or fleet for one rule.
struct Group<'a> {
    root: &'a str,
    /// Facts of members with data.
    with: Vec<&'a BTreeMap<String, Arc<Json>>>,
    /// "hostname (why)" of members without.
    without: Vec<String>,
}

/// What one node contributes: its evaluations, the facts group rules need,
/// and the digests of the files read.
struct NodeOutcome {
    evaluations: Vec<Evaluation>,
    group_members: Membership,
    reads: Vec<(String, String)>,
    /// The ISO digests used: (file, origin).
    digests: Vec<(String, String)>,
}

pub fn run(paths: &[PathBuf], catalog: &Catalog, options: &RunOptions) -> RunOutput {
    run_part(paths, catalog, options, None)
}

/// The nodes of one shard: node-scope rules only; group-scope rules are
/// left to `merge`, which gets their facts from `RunOutput::members`. Only
/// shard 1 reports fleet-level problems (an unreadable folder or plan), so
/// that merged shards report them once.
pub fn run_shard(
    paths: &[PathBuf],
    catalog: &Catalog,
    options: &RunOptions,
    shard: Shard,
) -> RunOutput {
    run_part(paths, catalog, options, Some(shard))
}

fn run_part(
    paths: &[PathBuf],
    catalog: &Catalog,
    options: &RunOptions,
    shard: Option<Shard>,
) -> RunOutput {
    let roots = snapshot::checked_roots(paths, options.phase == Some(Phase::Pre));
    let paths: Vec<PathBuf> = roots.iter().map(|r| r.checked.clone()).collect();
    let baseline_roots: Vec<PathBuf> = match &options.baseline {
        Some(b) => vec![b.clone()],
        None => roots.iter().filter_map(|r| r.baseline.clone()).collect(),
    };
    let mut timings = Timings::start();
    let (all_nodes, mut walk_problems) = snapshot::discover(&paths);
    let nodes: Vec<&Node> = match shard {
        Some(shard) => all_nodes.iter().filter(|n| shard.holds_node(n)).collect(),
        None => all_nodes.iter().collect(),
    };
    let (baseline_nodes, baseline_problems) = snapshot::discover(&baseline_roots);
    walk_problems.extend(baseline_problems);
    // The first node of each hostname; a baseline is matched by name.
    let mut baselines: HashMap<String, &Node> = HashMap::new();
    for b in &baseline_nodes {
        baselines.entry(b.name()).or_insert(b);
    }
    let mut evaluations: Vec<Evaluation> = walk_problems
        .iter()
        .map(|p| {
            tool_evaluation(
                p.code,
                &p.path.display().to_string(),
                Scope::Fleet,
                "",
                format!("{}: {}", p.path.display(), p.message),
                vec![evidence_path(p.path.display().to_string())],
            )
        })
        .collect();
    evaluations.extend(unmatched_rows(&all_nodes));

    for clash in snapshot::name_clashes(&all_nodes)
        .into_iter()
        .chain(snapshot::name_clashes(&baseline_nodes))
    {
        let subject = match clash.name.trim() {
            "" => clash.files[0].display().to_string(),
            name => name.to_string(),
        };
        evaluations.push(tool_evaluation(
            HOSTNAME_AMBIGUOUS,
            &subject,
            Scope::Fleet,
            &format!("hostname:{}", clash.name),
            clash.message,
            clash
                .files
                .iter()
                .map(|f| evidence_path(f.display().to_string()))
                .collect(),
        ));
    }

    // Converted to CEL once per fleet root, not once per node.
    let mut plans: BTreeMap<PathBuf, (Bound, Option<PathBuf>)> = BTreeMap::new();
    let mut shard_roots = Vec::new();
    let mut plan_files = BTreeSet::new();
    for root in &roots {
        let file =
            (options.plan.clone()).or_else(|| snapshot::plan_file(&root.checked, &root.given));
        let plan = match &file {
            None => Ok(json!({})),
            Some(file) => plan_fact(file),
        };
        let plan = plan.unwrap_or_else(|message| {
            let file = file.clone().unwrap_or_default();
            evaluations.push(tool_evaluation(
                SNAPSHOT_UNREADABLE,
                &root.checked.display().to_string(),
                Scope::Fleet,
                "plan.toml",
                message,
                vec![evidence_path(file.display().to_string())],
            ));
            json!({})
        });
        plan_files.extend(file.as_ref().map(|f| f.display().to_string()));
        plans.insert(root.checked.clone(), (to_bound(&plan), file));
        shard_roots.push(ShardRoot {
            path: root.checked.display().to_string(),
            plan,
        });
    }
    // So far only fleet-level problems: shard 1 alone reports them.
    if shard.is_some_and(|s| s.index != 1) {
        evaluations.clear();
    }

    let rules: Vec<&Rule> = catalog
        .rules
        .values()
        .filter(|r| options.phase.is_none_or(|p| r.phases.contains(&p)))
        .filter(|r| options.selection.keeps(r.code))
        .collect();
    // A selected rule that reads `findings` needs the node's other rules
    // to run too; their evaluations are dropped below.
    let all_node_rules = rules.iter().any(|r| r.reads_findings);
    let node_rules: Vec<&Rule> = catalog
        .rules
        .values()
        .filter(|r| options.phase.is_none_or(|p| r.phases.contains(&p)))
        .filter(|r| r.scope == Scope::Node)
        .filter(|r| all_node_rules || options.selection.keeps(r.code))
        .collect();
    let group_rules = group_rules(catalog, options.phase, &options.selection);

    timings.mark("discovery");
    let root = root_context(options.phase);
    // Nodes are evaluated in parallel a batch at a time, and each batch's
    // evaluations are moved into one vector, so a large fleet never holds
    // its evaluations twice.
    let mut members = Vec::with_capacity(nodes.len());
    let mut digests = crate::report::Digests::default();
    let mut evaluate = || {
        let batch_size = options.input_memory.nodes_at_once();
        for (done, batch) in nodes.chunks(batch_size).enumerate() {
            reserve_for_rest(&mut evaluations, done * batch_size, nodes.len());
            let outcomes: Vec<NodeOutcome> = batch
                .par_iter()
                .map(|node| {
                    let (plan, plan_file) = &plans[&node.root];
                    let baseline = baselines.get(&node.name()).copied();
                    let facts = NodeFacts::new(node)
                        .with_baseline(baseline)
                        .with_input_limit(options.input_memory.per_node)
                        .with_plan_file(plan_file.clone());
                    evaluate_node(facts, &**plan, &node_rules, &group_rules, &root)
                })
                .collect();
            for (node, outcome) in batch.iter().zip(outcomes) {
                evaluations.extend(outcome.evaluations);
                digests.extend(outcome.digests);
                members.push(GroupMember {
                    node: node.name(),
                    path: shard::relative_path(node),
                    root: node.root.display().to_string(),
                    site: node.field("site").map(str::to_string),
                    cluster: node.field("cluster").map(str::to_string),
                    inputs_digest: node_inputs_digest(outcome.reads),
                    group_facts: outcome.group_members,
                });
            }
        }
    };
    let pool = options
        .jobs
        .and_then(|n| rayon::ThreadPoolBuilder::new().num_threads(n).build().ok());
    let in_pool = |work: &mut (dyn FnMut() + Send)| match &pool {
        Some(pool) => pool.install(work),
        None => work(),
    };
    in_pool(&mut evaluate);
    timings.mark("nodes");
    if shard.is_none() {
        in_pool(&mut || {
            evaluations.extend(evaluate_group_rules(
                &group_rules,
                &members,
                &shard_roots,
                &root,
            ))
        });
    }
    timings.mark("group rules");
    finish(&mut evaluations, catalog, &options.selection);
    timings.mark("root causes and sorting");
    let inputs_digest = inputs_digest(&members);
    RunOutput {
        evaluations,
        nodes: nodes.len(),
        inputs_digest,
        places: places(&members),
        digests,
        timings,
        // Only a shard report carries them; a whole run is done with them.
        members: if shard.is_some() { members } else { vec![] },
        roots: shard_roots,
        plan_files: plan_files.into_iter().collect(),
    }
}

/// Each node's node.json, or its folder when it has none.
pub fn places(members: &[GroupMember]) -> Places {
    let nodes = members
        .iter()
        .map(|m| {
            let dir = Path::new(&m.root).join(&m.path);
            let file = dir.join(snapshot::NODE_MARKER);
            let place = if file.is_file() { file } else { dir };
            (m.node.clone(), place.display().to_string())
        })
        .collect();
    Places { nodes }
}

/// Room for the nodes not yet evaluated at the rate so far, and a
/// sixteenth more: the vector grows while it is small instead of doubling
/// when it holds most of the run.
fn reserve_for_rest(evaluations: &mut Vec<Evaluation>, done: usize, nodes: usize) {
    if done == 0 {
        return;
    }
    let rest = (nodes - done) * evaluations.len().div_ceil(done);
    if evaluations.capacity() - evaluations.len() < rest {
        evaluations.reserve_exact(rest + rest / 16);
    }
}

/// The CEL context every rule starts from.
pub fn root_context(phase: Option<Phase>) -> Context<'static, 'static> {
    let mut root = expr::root_context();
    root.add_variable_from_value(
        "phase",
        to_cel(&phase.map_or(Json::Null, |p| json!(p.as_str()))),
    );
    root
}

/// The cluster-, site- and fleet-scope rules a run evaluates.
pub fn group_rules<'a>(
    catalog: &'a Catalog,
    phase: Option<Phase>,
    selection: &Selection,
) -> Vec<&'a Rule> {
    catalog
        .rules
        .values()
        .filter(|r| phase.is_none_or(|p| r.phases.contains(&p)))
        .filter(|r| selection.keeps(r.code))
        .filter(|r| r.scope != Scope::Node)
        .collect()
}

/// Every group rule over `members` (in the order nodes were found), each
/// group seeing the plan of its root.
pub fn evaluate_group_rules(
    rules: &[&Rule],
    members: &[GroupMember],
    roots: &[ShardRoot],
    root: &Context,
) -> Vec<Evaluation> {
    let plans: BTreeMap<&str, Bound> = roots
        .iter()
        .map(|r| (r.path.as_str(), to_bound(&r.plan)))
        .collect();
    // Rules, and the groups of each, are evaluated in parallel; the report
    // order comes from the sort in `finish`.
    rules
        .par_iter()
        .flat_map_iter(|rule| evaluate_groups(rule, members, &plans, root))
        .collect()
}

/// The last steps of every run, merged or not: the selection, root causes
/// and the report order.
pub fn finish(evaluations: &mut Vec<Evaluation>, catalog: &Catalog, selection: &Selection) {
    evaluations.retain(|e| selection.keeps(e.code));
    link_root_causes(evaluations, catalog);
    crate::model::sort_for_report(evaluations);
}

/// sha256 over the (file, content digest) pairs one node read, sorted.
fn node_inputs_digest(mut reads: Vec<(String, String)>) -> String {
    reads.sort();
    digest_of(
        reads
            .iter()
            .map(|(file, digest)| [file.as_str(), digest.as_str()]),
    )
}

/// sha256 over the (node, node inputs digest) pairs of every node, sorted:
/// the same whether the nodes were checked in one run or in shards.
pub fn inputs_digest(members: &[GroupMember]) -> String {
    let mut pairs: Vec<[&str; 2]> = members
        .iter()
        .map(|m| [m.node.as_str(), m.inputs_digest.as_str()])
        .collect();
    pairs.sort();
    digest_of(pairs.into_iter())
}

fn digest_of<'a>(parts: impl Iterator<Item = [&'a str; 2]>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for pair in parts {
        for part in pair {
            h.update(part.as_bytes());
            h.update([0]);
        }
    }
    format!("sha256:{}", crate::model::hex(&h.finalize()))
}

/// The rows of the fleet's many-NE exports that no node is judged on, one
/// finding per file and NE; each fleet root's index once.
fn unmatched_rows(nodes: &[Node]) -> Vec<Evaluation> {
    let mut seen: Vec<&crate::facts::shared_exports::SharedIndex> = Vec::new();
    let mut out = Vec::new();
    for node in nodes {
        if seen.iter().any(|s| std::ptr::eq(*s, &*node.shared)) {
            continue;
        }
        seen.push(&node.shared);
        for u in &node.shared.unmatched {
            let file = u.file.display().to_string();
            let lines: Vec<String> = u.lines.iter().map(|l| l.to_string()).collect();
            let who = match &u.ne {
                Some(ne) => format!("name NE {ne}, which no snapshot of the fleet is"),
                None => "name no NE".to_string(),
            };
            let message = format!(
                "{file}: {} row(s) of the {} export (line(s) {}) {who}: they are checked on no node",
                u.lines.len(),
                u.input,
                lines.join(", ")
            );
            let evidence = u
                .lines
                .iter()
                .map(|&line| Evidence {
                    line: Some(line),
                    ..evidence_path(file.clone())
                })
                .collect();
            let key = format!("{} {}", u.input, u.ne.as_deref().unwrap_or("-"));
            out.push(tool_evaluation(
                EXPORT_ROW_UNMATCHED,
                &file,
                Scope::Fleet,
                &key,
                message,
                evidence,
            ));
        }
    }
    out
}

fn evidence_path(path: String) -> Evidence {
    Evidence {
        path,
        line: None,
        excerpt: None,
        context: vec![],
    }
}

pub(crate) fn tool_evaluation(
    code: u32,
    node: &str,
    scope: Scope,
    key: &str,
    message: String,
    evidence: Vec<Evidence>,
) -> Evaluation {
    let tool = tool_codes::tool_code(code).expect("tool codes are defined");
    Evaluation {
        code,
        name: tool.name.into(),
        severity: tool.severity,
        status: Status::Unknown,
        node: node.into(),
        scope,
        site: None,
        cluster: None,
        // Tool messages quote paths, parser reasons and run-time errors.
        message: redact(&clip_message(&message)).into(),
        evidence,
        remediation: tool.remediation.into(),
        caused_by: vec![],
        fingerprint: fingerprint(code, node, key),
        waiver: None,
        baseline: None,
        key: key.into(),
        chain: Chain::Unlinked,
    }
}

/// Who an evaluation is about.
#[derive(Clone)]
struct Subject {
    name: Arc<str>,
    scope: Scope,
    site: Option<Arc<str>>,
    cluster: Option<Arc<str>>,
}

impl Subject {
    fn evaluation(
        &self,
        rule: &Rule,
        status: Status,
        severity: Severity,
        key: &str,
        message: impl Into<Arc<str>>,
    ) -> Evaluation {
        Evaluation {
            code: rule.code,
            name: rule.name.clone(),
            severity,
            status,
            node: self.name.clone(),
            scope: self.scope,
            site: self.site.clone(),
            cluster: self.cluster.clone(),
            message: message.into(),
            evidence: vec![],
            remediation: if status == Status::Fail {
                rule.remediation.clone()
            } else {
                NO_REMEDIATION.clone()
            },
            caused_by: vec![],
            fingerprint: fingerprint(rule.code, &self.name, key),
            waiver: None,
            baseline: None,
            key: key.into(),
            chain: Chain::Unlinked,
        }
    }
}

fn evaluate_node(
    mut facts: NodeFacts,
    plan: &dyn Val,
    node_rules: &[&Rule],
    group_rules: &[&Rule],
    root: &Context,
) -> NodeOutcome {
    let node = facts.node;
    let subject = Subject {
        name: node.name().into(),
        scope: Scope::Node,
        site: node.field("site").map(Arc::from),
        cluster: node.field("cluster").map(Arc::from),
    };
    let mut out = NodeOutcome {
        evaluations: vec![],
        group_members: BTreeMap::new(),
        reads: vec![],
        digests: vec![],
    };
    if let Some(error) = &node.identity_error {
        out.evaluations.push(tool_evaluation(
            SNAPSHOT_UNREADABLE,
            &subject.name,
            Scope::Node,
            "node.json",
            error.clone(),
            vec![evidence_path(
                node.dir.join(snapshot::NODE_MARKER).display().to_string(),
            )],
        ));
        for rule in node_rules {
            out.evaluations.push(subject.evaluation(
                rule,
                Status::Unknown,
                rule.severity,
                "",
                format!("not checked: {error}"),
            ));
        }
        return out;
    }

    let identity = facts::identity_fact(node);
    let identity_bound = to_bound(&identity);
    let node_vars = Lent(vec![("node", &*identity_bound), ("plan", plan)]);
    // The scopes below lend values that live only for this call.
    let root: &Context = root;
    let mut node_scope = root.new_inner_scope();
    node_scope.set_variable_resolver(&node_vars);
    let mut cel_facts: HashMap<String, Bound> = HashMap::new();

    // Rules that read `findings` see the failures of the node's other rules.
    let (late, early): (Vec<&Rule>, Vec<&Rule>) =
        node_rules.iter().copied().partition(|r| r.reads_findings);
    for rule in early {
        let evals = evaluate_rule(rule, &subject, &node_scope, &mut facts, &mut cel_facts);
        out.evaluations.extend(evals);
    }
    if !late.is_empty() {
        let findings: Vec<Json> = out
            .evaluations
            .iter()
            .filter(|e| e.status == Status::Fail)
            .map(|e| {
                json!({"code": e.code, "name": e.name, "severity": e.severity.as_str(),
                       "key": e.key, "message": e.message})
            })
            .collect();
        node_scope.add_variable_from_value("findings", to_cel(&Json::Array(findings)));
        for rule in late {
            let evals = evaluate_rule(rule, &subject, &node_scope, &mut facts, &mut cel_facts);
            out.evaluations.extend(evals);
        }
    }
    // What group rules get of the node: one copy of each fact, and one
    // member entry per set of facts, however many rules read them.
    let identity = Arc::new(identity);
    let mut shared_facts: HashMap<String, Arc<Json>> = HashMap::new();
    let mut by_requires: HashMap<&[String], MemberFacts> = HashMap::new();
    for rule in group_rules {
        let params = Lent(vec![("params", &*rule.params_bound)]);
        let mut scope = node_scope.new_inner_scope();
        scope.set_variable_resolver(&params);
        match applies(rule, &scope) {
            Ok(false) => continue,
            Err(e) => {
                out.group_members.insert(
                    rule.code,
                    MemberFacts::NoData(format!("applies_to failed: {e}").into()),
                );
                continue;
            }
            Ok(true) => {}
        }
        let entry = by_requires.entry(&rule.requires).or_insert_with(|| {
            member_facts(&rule.requires, &identity, &mut facts, &mut shared_facts)
        });
        out.group_members.insert(rule.code, entry.clone());
    }

    for m in &facts.malformed {
        out.evaluations.push(tool_evaluation(
            INPUT_MALFORMED,
            &subject.name,
            Scope::Node,
            &facts.node_relative(&m.path),
            format!("{} is malformed at line {}: {}", m.path, m.line, m.reason),
            vec![Evidence {
                path: m.path.clone(),
                line: Some(m.line),
                excerpt: excerpt(&facts, &m.path, m.line),
                context: vec![],
            }],
        ));
    }
    for u in &facts.unreadable {
        out.evaluations.push(tool_evaluation(
            u.code,
            &subject.name,
            Scope::Node,
            &facts.node_relative(&u.path),
            format!("{} is unreadable: {}", u.path, u.reason),
            vec![evidence_path(u.path.clone())],
        ));
    }
    out.reads = facts
        .reads
        .values()
        .map(|r| (r.rel.clone(), r.digest.clone()))
        .collect();
    out.digests = facts::digests_used(&facts);
    for e in &mut out.evaluations {
        for ev in &mut e.evidence {
            if ev.excerpt.is_none()
                && let Some(line) = ev.line
            {
                ev.excerpt = excerpt(&facts, &ev.path, line);
            }
        }
    }
    out
}

/// The node's identity and the facts `requires` names, or why it has none.
fn member_facts(
    requires: &[String],
    identity: &Arc<Json>,
    facts: &mut NodeFacts,
    shared: &mut HashMap<String, Arc<Json>>,
) -> MemberFacts {
    let mut member = BTreeMap::from([("node".to_string(), identity.clone())]);
    for req in requires {
        let fact = match shared.get(req) {
            Some(fact) => fact.clone(),
            None => match facts.get(req) {
                Ok(json) => Arc::new(json),
                Err(problem) => return MemberFacts::NoData(problem.describe().into()),
            },
        };
        shared.insert(req.clone(), fact.clone());
        member.insert(req.clone(), fact);
    }
    MemberFacts::Facts(Arc::new(member))
}

/// A short, redacted excerpt of line `line` of `path`.
fn excerpt(facts: &NodeFacts, path: &str, line: usize) -> Option<String> {
    if facts.in_private_key(path, line) {
        return Some(crate::model::redact::REDACTED.to_string());
    }
    facts.line_text(path, line).map(|l| shown_line(path, l))
}

/// A line of `path` as an excerpt shows it: clipped first, so that
/// redaction never reads more than a clipped line.
fn shown_line(path: &str, line: &str) -> String {
    redact_in(path, &clip(line.trim_end()))
}

fn applies(rule: &Rule, scope: &Context) -> Result<bool, String> {
    match &rule.applies_to {
        None => Ok(true),
        Some(p) => expr::eval_bool(p, scope),
    }
}

/// One rule on one node.
fn evaluate_rule(
    rule: &Rule,
    subject: &Subject,
    node_scope: &Context,
    facts: &mut NodeFacts,
    cel_facts: &mut HashMap<String, Bound>,
) -> Vec<Evaluation> {
    let params = Lent(vec![("params", &*rule.params_bound)]);
    let mut scope = node_scope.new_inner_scope();
    scope.set_variable_resolver(&params);
    match applies(rule, &scope) {
        Ok(true) => {}
        Ok(false) => {
            return vec![subject.evaluation(
                rule,
                Status::NotApplicable,
                rule.severity,
                "",
                rule.does_not_apply.clone(),
            )];
        }
        Err(e) => return rule_error(rule, subject, "applies_to", rule.lines.applies_to, e),
    }
    for req in &rule.requires {
        // Each fact is converted for CEL once per node and lent to every
        // rule that reads it: copying it per rule was most of a rule's cost.
        if cel_facts.contains_key(req) {
            continue;
        }
        match facts.get(req) {
            Ok(json) => {
                cel_facts.insert(req.clone(), to_bound(&json));
            }
            Err(problem) => {
                let status = match problem {
                    FactProblem::NotApplicable { .. } => Status::NotApplicable,
                    _ => Status::Unknown,
                };
                let mut e = subject.evaluation(rule, status, rule.severity, "", problem.describe());
                e.evidence = problem_evidence(&problem);
                return vec![e];
            }
        }
    }
    drop(scope);
    let mut vars = params.0;
    vars.extend(rule.requires.iter().map(|r| (r.as_str(), &*cel_facts[r])));
    let vars = Lent(vars);
    let mut scope = node_scope.new_inner_scope();
    scope.set_variable_resolver(&vars);
    if let Some(log) = &rule.log {
        match log.scan(facts) {
            Ok(scan) => {
                scope.add_variable_as_val("matches", to_bound(&Json::Array(scan.matches)));
                scope.add_variable_as_val("logs", to_bound(&json!(scan.files)));
            }
            Err(problem) => {
                let mut e = subject.evaluation(
                    rule,
                    Status::Unknown,
                    rule.severity,
                    "",
                    problem.describe(),
                );
                e.evidence = problem_evidence(&problem);
                return vec![e];
            }
        }
    }
    let group = RuleRun {
        rule,
        subject,
        node: Some(facts.node),
    };
    group.conditions(&scope)
}

/// Files that a fact was read from, for evidence when no line is known.
fn input_files(node: &Node, fact: &str) -> Vec<Evidence> {
    let Some(spec) = facts::spec(fact) else {
        return vec![];
    };
    spec.inputs
        .iter()
        .filter_map(|i| snapshot::input_spec(i))
        .filter_map(|i| node.resolve(i).ok())
        .map(|p| evidence_path(p.display().to_string()))
        .collect()
}

fn problem_evidence(problem: &FactProblem) -> Vec<Evidence> {
    match problem {
        FactProblem::Missing { .. } => vec![],
        FactProblem::Unreadable { path, .. } | FactProblem::NotApplicable { path, .. } => {
            vec![evidence_path(path.clone())]
        }
        FactProblem::Malformed { path, line, .. } => vec![Evidence {
            path: path.clone(),
            line: Some(*line),
            excerpt: None,
            context: vec![],
        }],
    }
}

/// The rule's own evaluation and a 90004 finding for an expression that
/// failed at run time; the finding's evidence is the rule file at the
/// expression's line.
fn rule_error(
    rule: &Rule,
    subject: &Subject,
    part: &str,
    line: Option<usize>,
    error: String,
) -> Vec<Evaluation> {
    let message = format!("rule {} {}: {part} failed: {error}", rule.code, rule.name);
    let evidence = Evidence {
        line,
        ..evidence_path(rule.origin.clone())
    };
    vec![
        subject.evaluation(rule, Status::Unknown, rule.severity, "", message.clone()),
        tool_evaluation(
            RULE_ERROR,
            &subject.name,
            subject.scope,
            &rule.code.to_string(),
            message,
            vec![evidence],
        ),
    ]
}

/// The condition part of one rule on one node or group, shared by every scope.
struct RuleRun<'a> {
    rule: &'a Rule,
    subject: &'a Subject,
    /// The node, for node scope: its input files are the evidence of last resort.
    node: Option<&'a Node>,
}

impl RuleRun<'_> {
    fn conditions(&self, scope: &Context) -> Vec<Evaluation> {
        let (rule, subject) = (self.rule, self.subject);
        for (i, (program, reason)) in rule.not_applicable_when.iter().enumerate() {
            match expr::eval_bool(program, scope) {
                Ok(true) => {
                    return vec![subject.evaluation(
                        rule,
                        Status::NotApplicable,
                        rule.severity,
                        "",
                        reason.render(scope),
                    )];
                }
                Ok(false) => {}
                Err(err) => {
                    let line = rule.lines.not_applicable_when.get(i).copied();
                    return rule_error(rule, subject, "not_applicable_when", line, err);
                }
            }
        }
        for (i, (program, reason)) in rule.unknown_when.iter().enumerate() {
            match expr::eval_bool(program, scope) {
                Ok(true) => {
                    let mut e = subject.evaluation(
                        rule,
                        Status::Unknown,
                        rule.severity,
                        "",
                        reason.render(scope),
                    );
                    e.evidence = self.evidence(scope, None);
                    return vec![e];
                }
                Ok(false) => {}
                Err(err) => {
                    let line = rule.lines.unknown_when.get(i).copied();
                    return rule_error(rule, subject, "unknown_when", line, err);
                }
            }
        }
        let Some(for_each) = &rule.for_each else {
            return match self.first_failure(scope) {
                Err((i, err)) => {
                    let line = rule.lines.fail_when.get(i).copied();
                    rule_error(rule, subject, "fail_when", line, err)
                }
                Ok(None) => vec![subject.evaluation(
                    rule,
                    Status::Pass,
                    rule.severity,
                    "",
                    NO_FINDING.clone(),
                )],
                Ok(Some((severity, message))) => {
                    let mut e = subject.evaluation(rule, Status::Fail, severity, "", message);
                    e.evidence = self.evidence(scope, None);
                    vec![e]
                }
            };
        };
        let items = match expr::eval_list(for_each, scope) {
            Ok(items) => items,
            Err(err) => return rule_error(rule, subject, "for_each", rule.lines.for_each, err),
        };
        let mut out = Vec::new();
        let key_of = |item_scope: &Context| {
            rule.key
                .as_ref()
                .map(|k| k.render(item_scope))
                .unwrap_or_default()
        };
        'items: for item in items.iter() {
            let mut item_scope = scope.new_inner_scope();
            item_scope.add_variable_from_value("item", item.clone());
            for (i, (program, reason)) in rule.item_unknown_when.iter().enumerate() {
                match expr::eval_bool(program, &item_scope) {
                    Ok(true) => {
                        let key = key_of(&item_scope);
                        let message = reason.render(&item_scope);
                        let mut e =
                            subject.evaluation(rule, Status::Unknown, rule.severity, &key, message);
                        e.evidence = self.evidence(&item_scope, Some(item));
                        out.push(e);
                        continue 'items;
                    }
                    Ok(false) => {}
                    Err(err) => {
                        let line = rule.lines.item_unknown_when.get(i).copied();
                        return rule_error(rule, subject, "unknown_when", line, err);
                    }
                }
            }
            match self.first_failure(&item_scope) {
                Err((i, err)) => {
                    let line = rule.lines.fail_when.get(i).copied();
                    return rule_error(rule, subject, "fail_when", line, err);
                }
                Ok(None) => {}
                Ok(Some((severity, message))) => {
                    let key = key_of(&item_scope);
                    let mut e = subject.evaluation(rule, Status::Fail, severity, &key, message);
                    e.evidence = self.evidence(&item_scope, Some(item));
                    out.push(e);
                }
            }
        }
        if out.is_empty() {
            out.push(subject.evaluation(
                rule,
                Status::Pass,
                rule.severity,
                "",
                format!("no finding in {} item(s)", items.len()),
            ));
        }
        out
    }

    /// The first fail_when that holds: its severity and rendered message.
    /// The first `fail_when` that holds; an error carries the index of the
    /// condition that raised it.
    fn first_failure(
        &self,
        scope: &Context,
    ) -> Result<Option<(Severity, String)>, (usize, String)> {
        for (i, (severity, program, message)) in self.rule.fail_when.iter().enumerate() {
            if expr::eval_bool(program, scope).map_err(|e| (i, e))? {
                let template = message.as_ref().unwrap_or(&self.rule.message);
                return Ok(Some((*severity, template.render(scope))));
            }
        }
        Ok(None)
    }

    /// The rule's `evidence` expression, else the item's `source`, else the
    /// files the rule's facts came from.
    fn evidence(&self, scope: &Context, item: Option<&Value>) -> Vec<Evidence> {
        let from_rule = self
            .rule
            .evidence
            .as_ref()
            .and_then(|p| expr::eval(p, scope).ok())
            .map(|v| sources(&expr::to_json(&v)))
            .filter(|v| !v.is_empty());
        if let Some(found) = from_rule {
            return found;
        }
        if let Some(item) = item {
            let found = sources(
                &expr::to_json(item)
                    .get("source")
                    .cloned()
                    .unwrap_or(Json::Null),
            );
            if !found.is_empty() {
                return found;
            }
        }
        // Resolved only here: most evaluations pass and need no evidence.
        self.node
            .map(|node| {
                self.rule
                    .requires
                    .iter()
                    .flat_map(|fact| input_files(node, fact))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// `{file, line}` maps (or a list of them) as evidence.
fn sources(value: &Json) -> Vec<Evidence> {
    match value {
        Json::Array(items) => items.iter().flat_map(sources).collect(),
        Json::Object(map) => match map.get("file").and_then(Json::as_str) {
            Some(file) => vec![Evidence {
                path: file.to_string(),
                line: map.get("line").and_then(Json::as_u64).map(|l| l as usize),
                excerpt: None,
                context: map
                    .get("context")
                    .and_then(Json::as_array)
                    .map(|lines| {
                        lines
                            .iter()
                            .filter_map(Json::as_str)
                            .map(|l| shown_line(file, l))
                            .collect()
                    })
                    .unwrap_or_default(),
            }],
            None => vec![],
        },
        _ => vec![],
    }
}

/// Cluster, site and fleet scope: the rule once per group of nodes.
fn evaluate_groups(
    rule: &Rule,
    members: &[GroupMember],
    plans: &BTreeMap<&str, Bound>,
    root: &Context,
) -> Vec<Evaluation> {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for member in members {
        let Some(entry) = member.group_facts.get(&rule.code) else {
            continue;
        };
        let name = match rule.scope {
            Scope::Cluster => member.cluster.clone(),
            Scope::Site => member.site.clone(),
            Scope::Fleet => Some(member.root.clone()),
            Scope::Node => None,
        };
        let Some(name) = name else { continue };
        let group = groups.entry(name).or_insert_with(|| Group {
            root: &member.root,
            with: vec![],
            without: vec![],
        });
        match entry {
            MemberFacts::Facts(facts) => group.with.push(facts),
            MemberFacts::NoData(why) => group.without.push(format!("{} ({why})", member.node)),
        }
    }
    let groups: Vec<(String, Group)> = groups.into_iter().collect();
    groups
        .into_par_iter()
        .flat_map_iter(|(name, group)| evaluate_group(rule, name, group, plans, root))
        .collect()
}

/// One group rule over one cluster, site or fleet.
fn evaluate_group(
    rule: &Rule,
    name: String,
    group: Group,
    plans: &BTreeMap<&str, Bound>,
    root: &Context,
) -> Vec<Evaluation> {
    let Group {
        root: fleet_root,
        with,
        without,
    } = group;
    let name: Arc<str> = name.into();
    let subject = Subject {
        name: name.clone(),
        scope: rule.scope,
        site: (rule.scope == Scope::Site).then(|| name.clone()),
        cluster: (rule.scope == Scope::Cluster).then(|| name.clone()),
    };
    let no_plan = to_bound(&json!({}));
    let plan = plans.get(fleet_root).unwrap_or(&no_plan);
    let vars = Lent(vec![("plan", &**plan), ("params", &*rule.params_bound)]);
    // The scope lends values that live only for this call.
    let root: &Context = root;
    let mut scope = root.new_inner_scope();
    scope.set_variable_resolver(&vars);
    let size = with.len() + without.len();
    let with_data = !with.is_empty();
    // Converted one group at a time, lending the members' strings: a
    // fleet-scope rule sees every node of the fleet at once.
    let nodes: Vec<_> = with.into_iter().map(expr::lend_map).collect();
    scope.add_variable_as_val("nodes", Box::new(CelList::from(nodes)));
    scope.add_variable_as_val(
        "group",
        to_bound(&json!({"name": name, "scope": rule.scope.as_str(), "size": size})),
    );
    let eval = RuleRun {
        rule,
        subject: &subject,
        node: None,
    };
    let mut evals = if !with_data {
        vec![]
    } else {
        eval.conditions(&scope)
    };
    let failed = evals.iter().any(|e| e.status == Status::Fail);
    if !without.is_empty() {
        let missing = without.join("; ");
        if failed {
            for e in &mut evals {
                e.message = format!("{} (not counted, no data: {missing})", e.message).into();
            }
        } else {
            evals = vec![subject.evaluation(
                rule,
                Status::Unknown,
                rule.severity,
                "",
                format!(
                    "cannot judge the {} without data from: {missing}",
                    rule.scope.as_str()
                ),
            )];
        }
    }
    evals
}

/// Marks failures whose `depends_on` codes also failed on the same node, so
/// a report can show the chain of causes once instead of a cascade, and
/// ranks them: root causes, then consequences, then the rest.
fn link_root_causes(evaluations: &mut [Evaluation], catalog: &Catalog) {
    let failed: BTreeSet<Cause> = evaluations
        .iter()
        .filter(|e| e.status == Status::Fail)
        .map(|e| Cause {
            code: e.code,
            node: e.node.clone(),
        })
        .collect();
    for e in evaluations.iter_mut().filter(|e| e.status == Status::Fail) {
        let Some(rule) = catalog.rules.get(&e.code) else {
            continue;
        };
        e.caused_by = rule
            .depends_on
            .iter()
            .map(|&code| Cause {
                code,
                node: e.node.clone(),
            })
            .filter(|cause| failed.contains(cause))
            .collect();
    }
    let causes: BTreeSet<Cause> = evaluations
        .iter()
        .flat_map(|e| e.caused_by.iter().cloned())
        .collect();
    for e in evaluations.iter_mut().filter(|e| e.status == Status::Fail) {
        e.chain = if !e.caused_by.is_empty() {
            Chain::Consequence
        } else if causes.contains(&Cause {
            code: e.code,
            node: e.node.clone(),
        }) {
            Chain::RootCause
        } else {
            Chain::Unlinked
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_by_code_family_and_prefix() {
        let s = Selection {
            select: vec!["4xxxx".into()],
            ignore: vec!["40005".into()],
        };
        assert!(s.keeps(40001));
        assert!(!s.keeps(40005));
        assert!(!s.keeps(30001));
        let s = Selection {
            select: vec!["3".into(), "20002".into()],
            ignore: vec![],
        };
        assert!(s.keeps(30003) && s.keeps(20002) && !s.keeps(20003));
        assert!(s.keeps(90002), "tool findings survive --select");
        let s = Selection {
            select: vec![],
            ignore: vec!["9".into()],
        };
        assert!(!s.keeps(90002) && s.keeps(40001));
        let bad = Selection {
            select: vec!["ntp".into(), "4xxxx".into(), "400011".into()],
            ignore: vec![],
        };
        assert_eq!(bad.invalid(), vec!["ntp".to_string(), "400011".to_string()]);
    }
}
