//! Evaluation: every selected rule on every node (in parallel), then the
//! cluster-, site- and fleet-scope rules over the nodes' facts, then root
//! causes. The result is sorted, so it never depends on the thread count.

mod causes;
#[cfg(test)]
mod complexity;
mod conditions;
mod evidence;
pub mod fixture_check;
pub mod group;
pub mod member_facts;
pub mod merge;
mod node;
mod node_run;
pub mod shard;
mod subject;

use self::causes::link_root_causes;
use self::evidence::evidence_path;
use self::group::{GroupMember, ShardRoot, evaluate_group_rules};
pub use self::node_run::{DEFAULT_INPUT_BYTES, InputMemory};
use self::node_run::{NodeRun, digest_of};
use self::shard::Shard;
use crate::catalog::expr::{Bound, to_bound, to_cel};
use crate::catalog::functions;
use crate::catalog::{Catalog, Rule};
use crate::facts::shared_exports::Unsplit;
use crate::facts::{self, plan_fact};
use crate::model::tool_codes::tool_evaluation;
use crate::model::tool_codes::{EXPORT_ROW_UNMATCHED, HOSTNAME_AMBIGUOUS, SNAPSHOT_UNREADABLE};
use crate::model::{Evaluation, Evaluations, Evidence, Phase, Scope};
use crate::policy::Selection;
use crate::report::Places;
use crate::snapshot::{self, Node};
use cel::Context;
use rayon::prelude::*;
use serde_json::{Value as Json, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

pub struct RunOutput {
    pub evaluations: Evaluations,
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

pub fn run(paths: &[PathBuf], catalog: &Catalog, options: &RunOptions) -> RunOutput {
    run_discovered(discover(paths, options), catalog, options, None)
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
    run_discovered(discover(paths, options), catalog, options, Some(shard))
}

/// The snapshots of a run, found before the catalog is needed: `check`
/// looks for them while its catalog loads (compiling the rules is most of
/// a small fleet's fixed cost, and walking folders leaves a thread idle).
pub struct Discovered {
    roots: Vec<snapshot::CheckedRoot>,
    nodes: Vec<Node>,
    baseline_nodes: Vec<Node>,
    /// Problems of the fleet rather than a node, found so far.
    fleet_level: Vec<Evaluation>,
    /// The run's own pool, for `jobs`.
    pool: Option<rayon::ThreadPool>,
    timings: Timings,
}

/// Runs `work` in the run's own pool, if it has one.
fn run_in_pool(pool: Option<&rayon::ThreadPool>, work: &mut (dyn FnMut() + Send)) {
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// Finds the snapshots under `paths` and their baselines: `options` gives
/// the phase, the baseline and the number of threads.
pub fn discover(paths: &[PathBuf], options: &RunOptions) -> Discovered {
    let roots = snapshot::checked_roots(paths, options.phase == Some(Phase::Pre));
    let paths: Vec<PathBuf> = roots.iter().map(|r| r.checked.clone()).collect();
    let baseline_roots: Vec<PathBuf> = match &options.baseline {
        Some(b) => vec![b.clone()],
        None => roots.iter().filter_map(|r| r.baseline.clone()).collect(),
    };
    let mut found = Discovered {
        roots,
        nodes: vec![],
        baseline_nodes: vec![],
        fleet_level: vec![],
        pool: options
            .jobs
            .and_then(|n| rayon::ThreadPoolBuilder::new().num_threads(n).build().ok()),
        timings: Timings::start(),
    };
    // Discovery walks folders in parallel: in the pool, so `-j1` is one thread.
    let mut walked = Default::default();
    run_in_pool(found.pool.as_ref(), &mut || {
        let (nodes, mut walk_problems) = snapshot::discover(&paths);
        let (baseline_nodes, baseline_problems) = snapshot::discover(&baseline_roots);
        walk_problems.extend(baseline_problems);
        let fleet_level = fleet_findings(&walk_problems, &nodes, &baseline_nodes);
        walked = (nodes, baseline_nodes, fleet_level);
    });
    (found.nodes, found.baseline_nodes, found.fleet_level) = walked;
    found.timings.mark("discovery");
    found
}

/// Evaluates the catalog on the snapshots found, or on one shard of them.
pub fn run_discovered(
    found: Discovered,
    catalog: &Catalog,
    options: &RunOptions,
    shard: Option<Shard>,
) -> RunOutput {
    let Discovered {
        roots,
        nodes: all_nodes,
        baseline_nodes,
        mut fleet_level,
        pool,
        mut timings,
    } = found;
    let in_pool = |work: &mut (dyn FnMut() + Send)| run_in_pool(pool.as_ref(), work);
    let nodes: Vec<&Node> = match shard {
        Some(shard) => all_nodes.iter().filter(|n| shard.holds_node(n)).collect(),
        None => all_nodes.iter().collect(),
    };
    let plans = Plans::load(&roots, options.plan.as_ref(), &mut fleet_level);
    // So far only fleet-level problems: shard 1 alone reports them.
    if shard.is_some_and(|s| s.index != 1) {
        fleet_level.clear();
    }
    let mut evaluations = Evaluations::from(fleet_level);
    let node_rules = node_rules(catalog, options);
    let group_rules = group_rules(catalog, options.phase, &options.selection);
    // For `check`, what is left of the catalog's load once the snapshots
    // are found, then the policy, the plans and the rules of the run.
    timings.mark("catalog and plans");
    let root = root_context(options.phase);
    let run = NodeRun {
        plans: &plans.by_root,
        baselines: &baseline_nodes,
        node_rules: &node_rules,
        group_rules: &group_rules,
        root: &root,
        input_memory: options.input_memory,
        tables: &catalog.tables,
    };
    let mut members = Vec::new();
    let mut digests = crate::report::Digests::default();
    in_pool(&mut || (members, digests) = run.evaluate(&nodes, &mut evaluations));
    let node_count = nodes.len();
    // Group rules read the members alone: the snapshots as discovered are
    // freed before them, not held through the rest of the run.
    drop(nodes);
    drop(all_nodes);
    drop(baseline_nodes);
    timings.mark("nodes");
    let mut group_evaluations = Vec::new();
    if shard.is_none() {
        in_pool(&mut || {
            group_evaluations =
                evaluate_group_rules(&group_rules, &members, &plans.shard_roots, &root);
        });
    }
    timings.mark("group rules");
    let inputs_digest = inputs_digest(&members);
    let mut places = Places::default();
    in_pool(&mut || places = self::places(&members));
    // Only a shard report carries them; a whole run is done with them.
    let members = if shard.is_some() { members } else { vec![] };
    evaluations.reserve_exact(group_evaluations.len());
    evaluations.extend(group_evaluations);
    finish(&mut evaluations, catalog, &options.selection);
    timings.mark("root causes and sorting");
    RunOutput {
        evaluations,
        nodes: node_count,
        inputs_digest,
        places,
        digests,
        timings,
        members,
        roots: plans.shard_roots,
        plan_files: plans.files.into_iter().collect(),
    }
}

/// Findings about the fleet rather than a node: folders that could not be
/// walked, export rows no node is judged on, hostnames used twice.
fn fleet_findings(
    walk_problems: &[snapshot::WalkProblem],
    nodes: &[Node],
    baseline_nodes: &[Node],
) -> Vec<Evaluation> {
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
    evaluations.extend(shared_export_findings(nodes));
    for clash in snapshot::name_clashes(nodes)
        .into_iter()
        .chain(snapshot::name_clashes(baseline_nodes))
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
    evaluations
}

/// The plan of each path checked, converted to CEL once per fleet root,
/// not once per node.
struct Plans {
    /// Each root's plan for CEL, and what its nodes share.
    by_root: BTreeMap<PathBuf, (Bound, Arc<facts::FleetInputs>)>,
    shard_roots: Vec<ShardRoot>,
    /// The plan files read.
    files: BTreeSet<String>,
}

impl Plans {
    /// A plan that cannot be read is a finding, and its nodes see `{}`.
    fn load(
        roots: &[snapshot::CheckedRoot],
        given: Option<&PathBuf>,
        evaluations: &mut Vec<Evaluation>,
    ) -> Plans {
        let mut plans = Plans {
            by_root: BTreeMap::new(),
            shard_roots: Vec::new(),
            files: BTreeSet::new(),
        };
        for root in roots {
            let file = given
                .cloned()
                .or_else(|| snapshot::plan_file(&root.checked, &root.given));
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
                    message.to_string(),
                    vec![evidence_path(file.display().to_string())],
                ));
                json!({})
            });
            plans
                .files
                .extend(file.as_ref().map(|f| f.display().to_string()));
            plans.by_root.insert(
                root.checked.clone(),
                (to_bound(&plan), Arc::new(facts::FleetInputs::new(file))),
            );
            plans.shard_roots.push(ShardRoot {
                path: root.checked.display().to_string(),
                plan,
            });
        }
        plans
    }
}

/// The rules of the run's phase (every phase when none is given).
fn phase_rules(catalog: &Catalog, phase: Option<Phase>) -> impl Iterator<Item = &Rule> {
    catalog
        .rules
        .values()
        .filter(move |r| phase.is_none_or(|p| r.phases.contains(&p)))
}

/// The node-scope rules a run evaluates. A selected rule that reads
/// `findings` needs the node's other rules to run too; their evaluations
/// are dropped by `finish`.
fn node_rules<'a>(catalog: &'a Catalog, options: &RunOptions) -> Vec<&'a Rule> {
    let all_node_rules = phase_rules(catalog, options.phase)
        .filter(|r| options.selection.keeps(r.code))
        .any(|r| r.reads_findings);
    phase_rules(catalog, options.phase)
        .filter(|r| r.scope == Scope::Node)
        .filter(|r| all_node_rules || options.selection.keeps(r.code))
        .collect()
}

/// Each node's node.json, or its folder when it has none: a file system
/// call per node, in parallel.
pub fn places(members: &[GroupMember]) -> Places {
    let nodes = members
        .par_iter()
        .map(|m| {
            let dir = Path::new(&m.root).join(&m.path);
            let file = dir.join(snapshot::NODE_MARKER);
            let place = if file.is_file() { file } else { dir };
            (m.node.clone(), place.display().to_string())
        })
        .collect::<Vec<_>>();
    // In the members' order: of two nodes of one name, the last is kept.
    Places {
        nodes: nodes.into_iter().collect(),
    }
}

/// The CEL context every rule starts from.
pub fn root_context(phase: Option<Phase>) -> Context<'static, 'static> {
    let mut root = functions::root_context();
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
    phase_rules(catalog, phase)
        .filter(|r| selection.keeps(r.code))
        .filter(|r| r.scope != Scope::Node)
        .collect()
}

/// The last steps of every run, merged or not: the selection, root causes
/// and the report order.
pub fn finish(evaluations: &mut Evaluations, catalog: &Catalog, selection: &Selection) {
    evaluations.retain(|e| selection.keeps(e.code));
    link_root_causes(evaluations, catalog);
    evaluations.sort_for_report();
}

/// sha256 over the (node, node inputs digest) pairs of every node, sorted:
/// the same whether the nodes were checked in one run or in shards.
pub fn inputs_digest(members: &[GroupMember]) -> String {
    let mut pairs: Vec<[&str; 2]> = members
        .iter()
        .map(|m| [m.node.as_str(), m.inputs_digest.as_str()])
        .collect();
    pairs.sort_unstable();
    digest_of(pairs.into_iter())
}

/// The finding for a many-NE export that could not be split by NE: about
/// the fleet when it lies outside the snapshots, else about its node.
pub(super) fn unsplit_finding(
    u: &Unsplit,
    subject: &str,
    scope: Scope,
    key: &str,
    excerpt: Option<String>,
) -> Evaluation {
    let who = if scope == Scope::Fleet {
        "no node"
    } else {
        "no other node"
    };
    let message = format!(
        "{}: the {} export cannot be split by NE, so {who} is judged on its rows",
        u.problem, u.input
    );
    let evidence = Evidence {
        line: u.line,
        excerpt,
        ..evidence_path(u.file.display().to_string())
    };
    tool_evaluation(u.code, subject, scope, key, message, vec![evidence])
}

/// The rows of the fleet's many-NE exports that no node is judged on: one
/// finding per file and NE, and one per file that could not be split by
/// NE; each fleet root's index once.
fn shared_export_findings(nodes: &[Node]) -> Vec<Evaluation> {
    let mut seen: Vec<&crate::facts::shared_exports::SharedIndex> = Vec::new();
    let mut out = Vec::new();
    for node in nodes {
        if seen
            .iter()
            .any(|s| std::ptr::eq(*s, std::sync::Arc::as_ptr(&node.shared)))
        {
            continue;
        }
        seen.push(&node.shared);
        for u in &node.shared.unsplit {
            let file = u.file.display().to_string();
            out.push(unsplit_finding(u, &file, Scope::Fleet, u.input, None));
        }
        for u in &node.shared.unmatched {
            let file = u.file.display().to_string();
            let lines: Vec<String> = u.lines.iter().map(ToString::to_string).collect();
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
