//! `upcheck merge`: shard reports of one fleet combined into the report a
//! single run would have made. Node-scope evaluations come from the shards;
//! group-scope rules are evaluated here over the facts the shards carried,
//! by the engine's own group evaluation.

use crate::catalog::Catalog;
use crate::engine;
use crate::engine::group::{self, GroupMember, ShardRoot};
use crate::engine::shard::ShardData;
use crate::model::{Evaluation, Evaluations, Phase};
use crate::policy::Selection;
use crate::report::{Places, PolicyFiles};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The parts of a shard report that merge reads.
#[derive(Deserialize)]
struct ShardReport {
    schema_version: String,
    phase: Phase,
    rules_digest: String,
    evaluations: Vec<Evaluation>,
    shard: Option<ShardData>,
    /// Absent from reports of older versions.
    #[serde(default)]
    policy_files: PolicyFiles,
    /// Absent from reports of older versions, and when none was used.
    #[serde(default)]
    digests: crate::report::Digests,
}

/// One shard report, read and checked on its own.
struct Part {
    file: PathBuf,
    report: ShardReport,
    shard: ShardData,
    /// The report's evaluations with their keys, the plain ones compact:
    /// the shards of a large fleet are all read before they are merged.
    evaluations: Evaluations,
}

/// The merged run, before policy (severity overrides, waivers, baseline).
pub struct Merged {
    pub phase: Phase,
    pub rules_digest: String,
    pub evaluations: Evaluations,
    pub nodes: usize,
    pub inputs_digest: String,
    /// The selection every shard ran with, and merge's `off` codes.
    pub selection: Selection,
    /// The fleet group waiver findings belong to.
    pub fleet: String,
    /// The plan files the shards read, sorted.
    pub plans: Vec<String>,
    /// Where findings without evidence are located.
    pub places: Places,
    /// The ISO digests the shards used.
    pub digests: crate::report::Digests,
}

/// Why shard reports cannot be merged; each names the files concerned.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("no shard report given")]
    NoReport,
    #[error("{}: cannot read it: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{}: not a JSON report of `upcheck check --format json`: {source}", path.display(), source.line())]
    NotJson {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{}: report schema {version} is not 1.x; merge reports of this upcheck version", path.display())]
    Schema { path: PathBuf, version: String },
    #[error("{}: not a shard report (it has no `shard`); make it with `upcheck check --shard K/N --format json`", path.display())]
    NotShard { path: PathBuf },
    #[error("{}: shard.keys has {keys} entries for {evaluations} evaluations; the file was changed after the run", path.display())]
    Changed {
        path: PathBuf,
        keys: usize,
        evaluations: usize,
    },
    #[error("{} and {} are not shards of one run: {what} {this} vs {theirs}", first.display(), other.display())]
    Disagree {
        first: PathBuf,
        other: PathBuf,
        what: &'static str,
        this: String,
        theirs: String,
    },
    #[error("{} was made with rule catalog {made}, but merge loaded {loaded}: give merge the same --rules as the shard runs", path.display())]
    OtherCatalog {
        path: PathBuf,
        made: String,
        loaded: String,
    },
    #[error("{}: shard {index}/{count} is out of range", path.display())]
    OutOfRange {
        path: PathBuf,
        index: usize,
        count: usize,
    },
    #[error("shard {index}/{count} is given twice: {} and {}", first.display(), second.display())]
    Twice {
        index: usize,
        count: usize,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("shard(s) {} missing: merge needs all {count} shard reports", missing.join(", "))]
    Missing { missing: Vec<String>, count: usize },
    #[error("node {node} ({root}/{path}) is in both {} and {}", first.display(), second.display())]
    NodeTwice {
        node: String,
        root: String,
        path: String,
        first: PathBuf,
        second: PathBuf,
    },
}

fn read(file: &Path) -> Result<Part, MergeError> {
    let path = || file.to_path_buf();
    let text = std::fs::read_to_string(file).map_err(|source| MergeError::Read {
        path: path(),
        source,
    })?;
    let mut report: ShardReport =
        serde_json::from_str(&text).map_err(|source| MergeError::NotJson {
            path: path(),
            source,
        })?;
    if !report.schema_version.starts_with("1.") {
        return Err(MergeError::Schema {
            path: path(),
            version: report.schema_version,
        });
    }
    let Some(mut shard) = report.shard.clone() else {
        return Err(MergeError::NotShard { path: path() });
    };
    if shard.keys.len() != report.evaluations.len() {
        return Err(MergeError::Changed {
            path: path(),
            keys: shard.keys.len(),
            evaluations: report.evaluations.len(),
        });
    }
    let mut evaluations = Evaluations::default();
    let keys = std::mem::take(&mut shard.keys);
    for (mut e, key) in std::mem::take(&mut report.evaluations)
        .into_iter()
        .zip(keys)
    {
        e.key = key.into();
        evaluations.push_read(e);
    }
    Ok(Part {
        file: file.to_path_buf(),
        report,
        shard,
        evaluations,
    })
}

/// Refuses shard reports that do not make up one run: other phases, rule
/// catalogs, selections, paths or shard counts, a shard missing or given
/// twice, a node in two shards.
fn check_agreement(parts: &[Part], catalog: &Catalog) -> Result<(), MergeError> {
    let first = &parts[0];
    for part in parts {
        agrees(first, part)?;
    }
    let digest = catalog.digest();
    if first.report.rules_digest != digest {
        return Err(MergeError::OtherCatalog {
            path: first.file.clone(),
            made: first.report.rules_digest.clone(),
            loaded: digest,
        });
    }
    every_shard_once(parts, first.shard.count)?;
    every_node_once(parts)
}

/// `part` is a shard of the same run as `first`.
fn agrees(first: &Part, part: &Part) -> Result<(), MergeError> {
    let differs = |what: &'static str, this: String, theirs: String| {
        Err(MergeError::Disagree {
            first: first.file.clone(),
            other: part.file.clone(),
            what,
            this,
            theirs,
        })
    };
    let (a, b) = (&first.shard, &part.shard);
    if part.report.phase != first.report.phase {
        return differs(
            "phase",
            first.report.phase.as_str().into(),
            part.report.phase.as_str().into(),
        );
    }
    if part.report.rules_digest != first.report.rules_digest {
        return differs(
            "rule catalog",
            first.report.rules_digest.clone(),
            part.report.rules_digest.clone(),
        );
    }
    if a.count != b.count {
        return differs("shard count", a.count.to_string(), b.count.to_string());
    }
    if a.selection != b.selection {
        return differs(
            "selection (--select/--ignore/off)",
            format!("{:?}", a.selection),
            format!("{:?}", b.selection),
        );
    }
    let paths = |s: &ShardData| s.roots.iter().map(|r| r.path.clone()).collect::<Vec<_>>();
    if paths(a) != paths(b) {
        return differs("paths checked", paths(a).join(" "), paths(b).join(" "));
    }
    if a.fleet != b.fleet {
        return differs("fleet", a.fleet.clone(), b.fleet.clone());
    }
    if a.roots != b.roots {
        return differs("plan.toml", "one plan".into(), "another".into());
    }
    Ok(())
}

/// Shards 1 to `count`, each given once.
fn every_shard_once(parts: &[Part], count: usize) -> Result<(), MergeError> {
    let mut by_index: BTreeMap<usize, &Part> = BTreeMap::new();
    for part in parts {
        let index = part.shard.index;
        if index == 0 || index > count {
            return Err(MergeError::OutOfRange {
                path: part.file.clone(),
                index,
                count,
            });
        }
        if let Some(other) = by_index.insert(index, part) {
            return Err(MergeError::Twice {
                index,
                count,
                first: other.file.clone(),
                second: part.file.clone(),
            });
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|i| !by_index.contains_key(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing, count });
    }
    Ok(())
}

/// No node checked by two shards.
fn every_node_once(parts: &[Part]) -> Result<(), MergeError> {
    let mut seen: BTreeMap<(&str, &str), &Part> = BTreeMap::new();
    for part in parts {
        for node in &part.shard.nodes {
            if let Some(other) = seen.insert((&node.root, &node.path), part) {
                return Err(MergeError::NodeTwice {
                    node: node.node.clone(),
                    root: node.root.clone(),
                    path: node.path.clone(),
                    first: other.file.clone(),
                    second: part.file.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Reads, checks and combines the shard reports in `files`; `ignore` adds
/// to the codes the shards left out (merge's own severity `off`).
pub fn merge(
    files: &[PathBuf],
    catalog: &Catalog,
    ignore: &[String],
) -> Result<Merged, MergeError> {
    let parts = files
        .iter()
        .map(|f| read(f))
        .collect::<Result<Vec<_>, _>>()?;
    if parts.is_empty() {
        return Err(MergeError::NoReport);
    }
    check_agreement(&parts, catalog)?;
    let first = &parts[0].shard;
    let (phase, rules_digest) = (parts[0].report.phase, parts[0].report.rules_digest.clone());
    let plans: std::collections::BTreeSet<String> = parts
        .iter()
        .flat_map(|p| p.report.policy_files.plans.iter().cloned())
        .collect();
    let roots: Vec<ShardRoot> = first.roots.clone();
    let mut selection = first.selection.clone();
    selection.ignore.extend_from_slice(ignore);
    let fleet = first.fleet.clone();

    let mut evaluations = Evaluations::default();
    let mut members: Vec<GroupMember> = Vec::new();
    let mut digests = crate::report::Digests::default();
    for part in parts {
        digests.unite(part.report.digests);
        evaluations.append(part.evaluations);
        members.extend(part.shard.nodes);
    }
    // The order a single run finds nodes in: by path given, then by folder
    // path (a sorted walk), which orders the `nodes` group rules see.
    let root_rank = |root: &str| roots.iter().position(|r| r.path == root);
    members.sort_by(|a, b| {
        (root_rank(&a.root), Path::new(&a.path)).cmp(&(root_rank(&b.root), Path::new(&b.path)))
    });
    let group_rules = engine::group_rules(catalog, Some(phase), &selection);
    let root = engine::root_context(Some(phase));
    evaluations.extend(group::evaluate_group_rules(
        &group_rules,
        &members,
        &roots,
        &root,
    ));
    engine::finish(&mut evaluations, catalog, &selection);
    Ok(Merged {
        phase,
        rules_digest,
        evaluations,
        nodes: members.len(),
        inputs_digest: engine::inputs_digest(&members),
        places: engine::places(&members),
        digests,
        selection,
        fleet,
        plans: plans.into_iter().collect(),
    })
}
