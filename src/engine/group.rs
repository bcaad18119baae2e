//! Cluster, site and fleet scope: what each node gives group rules, and the
//! rules once per group of nodes.

use super::conditions::RuleRun;
use super::member_facts::{GroupFacts, Member, MemberFacts, Picked};
use super::subject::Subject;
use crate::catalog::Rule;
use crate::catalog::expr::{Bound, Lent, to_bound};
use crate::catalog::lent_object;
use crate::model::{Evaluation, Scope, Status};
use cel::Context;
use cel::common::types::CelList;
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A node as group rules see it (JSON: an entry of `shard.nodes`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
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
    #[schemars(regex(pattern = r"^sha256:[0-9a-f]{64}$"))]
    pub inputs_digest: String,
    /// Per group-scope rule code the node takes part in.
    #[schemars(with = "BTreeMap<u32, MemberFacts>")]
    pub group_facts: GroupFacts,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct ShardRoot {
    pub path: String,
    /// The maintenance plan (plan.toml) as rules see it, `{}` without one.
    pub plan: Json,
}

/// The nodes of one cluster, site or fleet for one rule.
pub(super) struct Group<'a> {
    pub(super) root: &'a str,
    /// Facts of members with data.
    pub(super) with: Vec<Picked<'a>>,
    /// "hostname (why)" of members without.
    pub(super) without: Vec<String>,
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
    // The rules run side by side: a group's members are lent to CEL with
    // their objects read in place, so a fleet-scope rule no longer holds a
    // copy of the fleet's facts. The report order comes from the sort in
    // `finish`.
    (rules.par_iter())
        .flat_map_iter(|rule| evaluate_groups(rule, members, &plans, root))
        .collect()
}

/// Cluster, site and fleet scope: the rule once per group of nodes.
pub(super) fn evaluate_groups(
    rule: &Rule,
    members: &[GroupMember],
    plans: &BTreeMap<&str, Bound>,
    root: &Context,
) -> Vec<Evaluation> {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for member in members {
        let Some(entry) = member.group_facts.get(rule.code) else {
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
            Member::Facts(facts) => group.with.push(facts),
            Member::NoData(why) => group.without.push(format!("{} ({why})", member.node)),
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
    // Converted one group at a time, lending the members' strings and
    // objects.
    let nodes: Vec<_> = (with.into_par_iter())
        .map(|facts| lent_object::lend_map(facts.entries()))
        .collect();
    scope.add_variable_as_val("nodes", Box::new(CelList::from(nodes)));
    scope.add_variable_as_val(
        "group",
        to_bound(&json!({"name": name, "scope": rule.scope.as_str(), "size": size})),
    );
    let eval = RuleRun {
        rule,
        subject: &subject,
        facts: None,
    };
    let mut evals = if with_data {
        eval.conditions(&scope)
    } else {
        vec![]
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

#[cfg(test)]
mod tests {
    use super::super::complexity::{fixture_members, fleet};
    use super::super::{group_rules, root_context};
    use super::*;
    use crate::catalog::Catalog;
    use crate::policy::Selection;

    /// The work of a group rule splits across threads (rules, groups, the
    /// members a fleet function reads): what comes out, and its order, is
    /// the same on one thread as on eight.
    #[test]
    fn group_rules_give_the_same_evaluations_in_the_same_order_on_one_thread_and_on_eight() {
        let catalog = Catalog::load(&[]);
        let (members, roots) = fixture_members(&catalog);
        let members = fleet(&members, 6);
        let root = root_context(None);
        let rules = group_rules(&catalog, None, &Selection::default());
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let evaluations =
                pool.install(|| evaluate_group_rules(&rules, &members, &roots, &root));
            serde_json::to_value(evaluations).unwrap()
        };
        let one = run(1);
        assert!(one.as_array().is_some_and(|e| e.len() > 100), "{one}");
        assert_eq!(one, run(8));
    }
}
