//! Every cluster-, site- and fleet-scope rule of the catalog evaluates in
//! time linear in the fleet: 4× the members in less than 8× the time (a
//! rule that scans the fleet once for each node shows as up to 16×; the
//! margin above 4× absorbs a loaded machine).
//! Measured as the fastest of interleaved repetitions in process: a loaded
//! machine only ever slows a repetition down, so the fastest is the one
//! nearest the rule's own cost, and a rule found over the bound is measured
//! again, longer, before it fails.

use super::member_facts::{GroupFacts, MemberFacts};
use super::*;
use crate::catalog::Rule;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

/// The group facts of the Oracle PM fixture fleets (the fleets every
/// cluster-, site- and fleet-scope rule reads), as a shard run gives them.
pub(super) fn fixture_members(catalog: &Catalog) -> (Vec<GroupMember>, Vec<ShardRoot>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/oracle-pm");
    let paths = [
        root.join("pre-with-problems"),
        root.join("mid-upgrade-post"),
    ];
    let out = run_shard(
        &paths,
        catalog,
        &RunOptions::default(),
        Shard { index: 1, count: 1 },
    );
    (out.members, out.roots)
}

/// `copies` copies of `members`, each copy's hosts, clusters and sites
/// renamed wherever the facts name them (node.json, upgrade logs, alarm and
/// KPI exports), so that the groups grow with the fleet as in a real one.
pub(super) fn fleet(members: &[GroupMember], copies: usize) -> Vec<GroupMember> {
    let names: BTreeSet<String> = members
        .iter()
        .flat_map(|m| [Some(m.node.clone()), m.site.clone(), m.cluster.clone()])
        .flatten()
        .collect();
    let rename = |name: &Option<String>, i: usize| name.as_ref().map(|n| format!("{n}-{i}"));
    let mut out = Vec::new();
    for i in 0..copies {
        for m in members {
            let mut copy = m.clone();
            copy.node = format!("{}-{i}", m.node);
            copy.path = format!("{}-{i}", m.path);
            copy.site = rename(&m.site, i);
            copy.cluster = rename(&m.cluster, i);
            let mut memberships = copy.group_facts.to_memberships();
            for facts in memberships.values_mut() {
                let MemberFacts::Facts(map) = facts else {
                    continue;
                };
                for value in map.values_mut() {
                    *value = renamed(value, &names, i);
                }
            }
            copy.group_facts = GroupFacts::from(memberships);
            out.push(copy);
        }
    }
    out
}

/// `value` with every string that is one of `names` suffixed with `-i`.
fn renamed(value: &Json, names: &BTreeSet<String>, i: usize) -> Json {
    match value {
        Json::String(s) if names.contains(s) => Json::String(format!("{s}-{i}")),
        Json::Array(items) => Json::Array(items.iter().map(|v| renamed(v, names, i)).collect()),
        Json::Object(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), renamed(v, names, i)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn time(rule: &Rule, members: &[GroupMember], roots: &[ShardRoot], root: &Context) -> Duration {
    let start = Instant::now();
    std::hint::black_box(evaluate_group_rules(&[rule], members, roots, root));
    start.elapsed()
}

/// The fastest of `repetitions` runs on the small and on the large fleet,
/// interleaved.
fn fastest(
    rule: &Rule,
    (small, large): (&[GroupMember], &[GroupMember]),
    roots: &[ShardRoot],
    root: &Context,
    repetitions: usize,
) -> (Duration, Duration) {
    (0..repetitions)
        .map(|_| {
            (
                time(rule, small, roots, root),
                time(rule, large, roots, root),
            )
        })
        .fold((Duration::MAX, Duration::MAX), |(s, l), (ts, tl)| {
            (s.min(ts), l.min(tl))
        })
}

#[test]
fn every_group_rule_evaluates_four_times_the_fleet_in_less_than_eight_times_the_time() {
    let catalog = Catalog::load(&[]);
    let (members, roots) = fixture_members(&catalog);
    assert!(members.len() >= 10, "the fixture fleets give group facts");
    let (small, large) = (fleet(&members, 3), fleet(&members, 12));
    let root = root_context(None);
    let rules = group_rules(&catalog, None, &Selection::default());
    assert!(rules.len() >= 15, "the catalog's group rules are measured");
    let mut superlinear = vec![];
    for rule in rules {
        let fleets = (small.as_slice(), large.as_slice());
        let (mut s, mut l) = fastest(rule, fleets, &roots, &root, 5);
        // Below a millisecond the clock, not the rule, sets the ratio.
        if l < Duration::from_millis(1) {
            continue;
        }
        if l.as_secs_f64() / s.as_secs_f64() >= 8.0 {
            (s, l) = fastest(rule, fleets, &roots, &root, 15);
        }
        let ratio = l.as_secs_f64() / s.as_secs_f64();
        eprintln!("{} {}: {ratio:.2} ({s:?} → {l:?})", rule.code, rule.name);
        if ratio >= 8.0 {
            superlinear.push(format!(
                "{} {}: 4× the fleet took {ratio:.1}× the time ({s:?} → {l:?})",
                rule.code, rule.name
            ));
        }
    }
    assert!(superlinear.is_empty(), "{}", superlinear.join("\n"));
}
