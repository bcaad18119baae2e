//! Node scope: every node rule on one node, and what group rules get of it.

use super::conditions::RuleRun;
use super::evidence::{evidence_path, excerpt, problem_evidence};
use super::member_facts::{GroupFacts, GroupFactsBuilder, Reads};
use super::subject::{Subject, rule_error};
use crate::catalog::Rule;
use crate::catalog::expr::{self, Lent, to_bound, to_cel};
use crate::catalog::lent_object::lend_json;
use crate::facts::{self, FactProblem, NodeFacts};
use crate::model::tool_codes::tool_evaluation;
use crate::model::tool_codes::{INPUT_MALFORMED, SNAPSHOT_UNREADABLE};
use crate::model::{Evaluation, Evidence, Scope, Status};
use crate::snapshot;
use cel::Context;
use cel::common::value::Val;
use rustc_hash::FxHashMap as HashMap;
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use typed_arena::Arena;

/// What one node contributes: its evaluations, the facts group rules need,
/// and the digests of the files read.
pub(super) struct NodeOutcome {
    pub(super) evaluations: Vec<Evaluation>,
    pub(super) group_members: GroupFacts,
    pub(super) reads: Vec<(String, String)>,
    /// The ISO digests used: (file, origin).
    pub(super) digests: Vec<(String, String)>,
}

pub(super) fn evaluate_node(
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
    if let Some(error) = &node.identity_error {
        return unreadable_identity(&facts, &subject, error, node_rules);
    }
    let identity = Arc::new(facts::identity_fact(node));
    let identity_lent = lend_json(&identity);
    let node_vars = Lent(vec![("node", &*identity_lent), ("plan", plan)]);
    // The scopes below lend values that live only for this call.
    let root: &Context = root;
    let mut node_scope = root.new_inner_scope();
    node_scope.set_variable_resolver(&node_vars);
    let mut applies_memo = HashMap::default();
    let mut evaluations = evaluate_rules(
        node_rules,
        &subject,
        &mut node_scope,
        &mut facts,
        &mut applies_memo,
    );
    let group_members = group_membership(
        group_rules,
        &node_scope,
        &identity,
        &mut facts,
        &mut applies_memo,
    );
    evaluations.extend(input_findings(&facts, &subject));
    fill_excerpts(&mut evaluations, &facts);
    NodeOutcome {
        evaluations,
        group_members,
        digests: facts::digests_used(&facts),
        reads: facts
            .reads
            .values()
            .map(|r| (r.rel.clone(), r.digest.clone()))
            .collect(),
    }
}

/// A node whose node.json cannot be read: a finding, and every rule unknown.
fn unreadable_identity(
    facts: &NodeFacts,
    subject: &Subject,
    error: &str,
    node_rules: &[&Rule],
) -> NodeOutcome {
    let mut evaluations = vec![tool_evaluation(
        SNAPSHOT_UNREADABLE,
        &subject.name,
        Scope::Node,
        "node.json",
        error.to_string(),
        vec![evidence_path(
            facts
                .node
                .dir
                .join(snapshot::NODE_MARKER)
                .display()
                .to_string(),
        )],
    )];
    for rule in node_rules {
        evaluations.push(subject.evaluation(
            rule,
            Status::Unknown,
            rule.severity,
            "",
            format!("not checked: {error}"),
        ));
    }
    NodeOutcome {
        evaluations,
        group_members: GroupFacts::default(),
        reads: vec![],
        digests: vec![],
    }
}

/// Every node rule; rules that read `findings` run last and see the
/// failures of the node's other rules.
fn evaluate_rules<'r>(
    node_rules: &[&'r Rule],
    subject: &Subject,
    node_scope: &mut Context,
    facts: &mut NodeFacts,
    applies_memo: &mut HashMap<&'r str, bool>,
) -> Vec<Evaluation> {
    // Each fact a rule reads is lent to CEL in place, once per node, and
    // held here while it is.
    let held = Arena::new();
    let mut cel_facts = HashMap::default();
    let (late, early): (Vec<&Rule>, Vec<&Rule>) =
        node_rules.iter().copied().partition(|r| r.reads_findings);
    let mut out = Vec::new();
    for rule in early {
        out.extend(evaluate_rule(
            rule,
            subject,
            node_scope,
            facts,
            (&held, &mut cel_facts),
            applies_memo,
        ));
    }
    if !late.is_empty() {
        let findings: Vec<Json> = out
            .iter()
            .filter(|e| e.status == Status::Fail)
            .map(|e| {
                json!({"code": e.code, "name": e.name, "severity": e.severity.as_str(),
                       "key": e.key, "message": e.message})
            })
            .collect();
        node_scope.add_variable_from_value("findings", to_cel(&Json::Array(findings)));
        for rule in late {
            out.extend(evaluate_rule(
                rule,
                subject,
                node_scope,
                facts,
                (&held, &mut cel_facts),
                applies_memo,
            ));
        }
    }
    out
}

/// What group rules get of the node: one copy of each fact, and one
/// member entry per set of facts, however many rules read them.
fn group_membership<'r>(
    group_rules: &[&'r Rule],
    node_scope: &Context,
    identity: &Arc<Json>,
    facts: &mut NodeFacts,
    applies_memo: &mut HashMap<&'r str, bool>,
) -> GroupFacts {
    let mut members = GroupFactsBuilder::default();
    let mut by_requires: HashMap<&[String], Reads> = HashMap::default();
    for rule in group_rules {
        let params = Lent(vec![("params", &*rule.params_bound)]);
        let mut scope = node_scope.new_inner_scope();
        scope.set_variable_resolver(&params);
        match applies_once(rule, &scope, applies_memo) {
            Ok(false) => continue,
            Err(e) => {
                members.code(rule.code, Err(format!("applies_to failed: {e}").into()));
                continue;
            }
            Ok(true) => {}
        }
        let entries = by_requires
            .entry(&rule.requires)
            .or_insert_with(|| member_facts(&rule.requires, identity, facts, &mut members));
        members.code(rule.code, entries.clone());
    }
    members.build()
}

/// A finding for each input that was malformed or could not be read.
fn input_findings(facts: &NodeFacts, subject: &Subject) -> Vec<Evaluation> {
    let malformed = facts.malformed.iter().map(|m| {
        tool_evaluation(
            INPUT_MALFORMED,
            &subject.name,
            Scope::Node,
            &facts.node_relative(&m.path),
            format!("{} is malformed at line {}: {}", m.path, m.line, m.reason),
            vec![Evidence {
                path: m.path.clone(),
                line: Some(m.line),
                excerpt: excerpt(facts, &m.path, m.line),
                context: vec![],
            }],
        )
    });
    let unreadable = facts.unreadable.iter().map(|u| {
        tool_evaluation(
            u.code,
            &subject.name,
            Scope::Node,
            &facts.node_relative(&u.path),
            format!("{} is unreadable: {}", u.path, u.reason),
            vec![evidence_path(u.path.clone())],
        )
    });
    // Its own many-NE exports that could not be split, unless the above
    // named them already.
    let named = |path: &str| {
        (facts.malformed.iter().any(|m| m.path == path))
            || facts.unreadable.iter().any(|u| u.path == path)
    };
    let unsplit = (facts.node.shared.unsplit_of(&facts.node.dir).iter())
        .map(|u| (u, u.file.display().to_string()))
        .filter(|(_, path)| !named(path))
        .map(|(u, path)| {
            let excerpt = u.line.and_then(|line| excerpt(facts, &path, line));
            let key = facts.node_relative(&path);
            super::unsplit_finding(u, &subject.name, Scope::Node, &key, excerpt)
        });
    malformed.chain(unreadable).chain(unsplit).collect()
}

/// The excerpt of every evidence line that has none yet.
fn fill_excerpts(evaluations: &mut [Evaluation], facts: &NodeFacts) {
    for e in evaluations {
        for ev in &mut e.evidence {
            if ev.excerpt.is_none()
                && let Some(line) = ev.line
            {
                ev.excerpt = excerpt(facts, &ev.path, line);
            }
        }
    }
}

/// The node's identity and the facts `requires` names (as entries of
/// `members`), or why it has none.
fn member_facts(
    requires: &[String],
    identity: &Arc<Json>,
    facts: &mut NodeFacts,
    members: &mut GroupFactsBuilder,
) -> Reads {
    let mut member = BTreeMap::from([("node", identity.clone())]);
    for req in requires {
        match facts.get_shared(req) {
            Ok(json) => member.insert(req.as_str(), json),
            Err(problem) => return Err(problem.describe().into()),
        };
    }
    Ok((member.iter())
        .map(|(name, value)| members.entry(name, value))
        .collect())
}

pub(super) fn applies(rule: &Rule, scope: &Context) -> Result<bool, expr::ExprError> {
    match &rule.applies_to {
        None => Ok(true),
        Some(p) => expr::eval_bool(p, scope),
    }
}

/// `applies`, judged once per node for the rules that share an
/// `applies_key`: most rules gate on the same platforms.
fn applies_once<'r>(
    rule: &'r Rule,
    scope: &Context,
    memo: &mut HashMap<&'r str, bool>,
) -> Result<bool, expr::ExprError> {
    let Some(key) = rule.applies_key.as_deref() else {
        return applies(rule, scope);
    };
    if let Some(&known) = memo.get(key) {
        return Ok(known);
    }
    let judged = applies(rule, scope)?;
    memo.insert(key, judged);
    Ok(judged)
}

/// The facts lent to CEL so far on a node, and what holds them.
type LentFacts<'h, 'c> = (
    &'h Arena<Arc<Json>>,
    &'c mut HashMap<String, Box<dyn Val + 'h>>,
);

/// One rule on one node.
pub(super) fn evaluate_rule<'r>(
    rule: &'r Rule,
    subject: &Subject,
    node_scope: &Context,
    facts: &mut NodeFacts,
    (held, cel_facts): LentFacts,
    applies_memo: &mut HashMap<&'r str, bool>,
) -> Vec<Evaluation> {
    let params = Lent(vec![("params", &*rule.params_bound)]);
    let mut scope = node_scope.new_inner_scope();
    scope.set_variable_resolver(&params);
    match applies_once(rule, &scope, applies_memo) {
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
        Err(e) => return rule_error(rule, subject, "applies_to", rule.applies_to_line, e),
    }
    for req in &rule.requires {
        // Each fact is lent to CEL once per node, to every rule that reads
        // it: copying it per rule was most of a rule's cost.
        if cel_facts.contains_key(req) {
            continue;
        }
        match facts.get_shared(req) {
            Ok(json) => {
                cel_facts.insert(req.clone(), lend_json(held.alloc(json)));
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
        facts: Some(facts),
    };
    group.conditions(&scope)
}
