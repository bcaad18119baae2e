//! The conditions of one rule on one node or group: not applicable, unknown,
//! then fail, per item for a `for_each` rule.

use super::evidence::rule_evidence;
use super::subject::{NO_FINDING, Subject, rule_error};
use crate::catalog::expr::{self, Compiled, ExprError, Lent};
use crate::catalog::{Condition, Rule};
use crate::facts::NodeFacts;
use crate::model::{Evaluation, Status};
use cel::Context;
use cel::common::value::Val;

/// The condition part of one rule on one node or group, shared by every scope.
pub(super) struct RuleRun<'a> {
    pub(super) rule: &'a Rule,
    pub(super) subject: &'a Subject,
    /// The node's facts, for node scope: its input files are the evidence
    /// of last resort.
    pub(super) facts: Option<&'a NodeFacts<'a>>,
}

/// The first condition that holds; an error names the condition that
/// raised it.
fn first_holding<'c>(
    conditions: &'c [Condition],
    scope: &Context,
) -> Result<Option<&'c Condition>, (&'c Condition, ExprError)> {
    for condition in conditions {
        if expr::eval_bool(&condition.program, scope).map_err(|e| (condition, e))? {
            return Ok(Some(condition));
        }
    }
    Ok(None)
}

impl RuleRun<'_> {
    pub(super) fn conditions(&self, scope: &Context) -> Vec<Evaluation> {
        let rule = self.rule;
        match first_holding(&rule.not_applicable_when, scope) {
            Err(e) => return self.error("not_applicable_when", e),
            Ok(Some(c)) => {
                let reason = self.message(c, scope);
                let e =
                    (self.subject).evaluation(rule, Status::NotApplicable, c.severity, "", reason);
                return vec![e];
            }
            Ok(None) => {}
        }
        match first_holding(&rule.unknown_when, scope) {
            Err(e) => return self.error("unknown_when", e),
            Ok(Some(c)) => return vec![self.finding(Status::Unknown, c, scope, "", None)],
            Ok(None) => {}
        }
        match &rule.for_each {
            Some(for_each) => self.items(for_each, scope),
            None => match first_holding(&rule.fail_when, scope) {
                Err(e) => self.error("fail_when", e),
                Ok(Some(c)) => vec![self.finding(Status::Fail, c, scope, "", None)],
                Ok(None) => {
                    let pass = NO_FINDING.clone();
                    vec![(self.subject).evaluation(rule, Status::Pass, rule.severity, "", pass)]
                }
            },
        }
    }

    /// A `for_each` rule: per item, unknown or failing, else one pass.
    fn items(&self, for_each: &Compiled, scope: &Context) -> Vec<Evaluation> {
        let rule = self.rule;
        let items = match expr::eval_items(for_each, scope) {
            Ok(items) => items,
            Err(err) => {
                return rule_error(rule, self.subject, "for_each", rule.for_each_line, err);
            }
        };
        let mut out = Vec::new();
        // The scopes below lend values that live only for this call.
        let scope: &Context = scope;
        for item in &items {
            // Lent rather than bound: a bound variable is a map entry, and
            // every name looked up in the scope would be hashed for it.
            let lent = Lent(vec![("item", &**item)]);
            let mut item_scope = scope.new_inner_scope();
            item_scope.set_variable_resolver(&lent);
            let holding = match first_holding(&rule.item_unknown_when, &item_scope) {
                Err(e) => return self.error("unknown_when", e),
                Ok(Some(c)) => Some((Status::Unknown, c)),
                Ok(None) => match first_holding(&rule.fail_when, &item_scope) {
                    Err(e) => return self.error("fail_when", e),
                    Ok(c) => c.map(|c| (Status::Fail, c)),
                },
            };
            if let Some((status, c)) = holding {
                let key = (rule.key.as_ref())
                    .map(|k| k.render(&item_scope))
                    .unwrap_or_default();
                out.push(self.finding(status, c, &item_scope, &key, Some(&**item)));
            }
        }
        if out.is_empty() {
            out.push(self.subject.evaluation(
                rule,
                Status::Pass,
                rule.severity,
                "",
                format!("no finding in {} item(s)", items.len()),
            ));
        }
        out
    }

    /// The evaluation of a condition that holds, with its evidence.
    fn finding(
        &self,
        status: Status,
        condition: &Condition,
        scope: &Context,
        key: &str,
        item: Option<&dyn Val>,
    ) -> Evaluation {
        let message = self.message(condition, scope);
        let mut e = (self.subject).evaluation(self.rule, status, condition.severity, key, message);
        e.evidence = rule_evidence(self.rule, self.facts, scope, item);
        e
    }

    /// The condition's reason or message, else the rule's message.
    fn message(&self, condition: &Condition, scope: &Context) -> String {
        let template = condition.message.as_ref().unwrap_or(&self.rule.message);
        template.render(scope)
    }

    fn error(&self, part: &str, (condition, err): (&Condition, ExprError)) -> Vec<Evaluation> {
        rule_error(self.rule, self.subject, part, Some(condition.line), err)
    }
}
