//! The nodes' evaluations as a run holds them while its group rules run:
//! most pass or do not apply, and those keep only what tells them apart
//! (rule, node, status, severity, message), about a sixth of a whole
//! evaluation; the rest stay whole. Made whole again, in the same order,
//! once the group rules' members are freed (docs/performance.md).

use super::subject::Subject;
use crate::catalog::Rule;
use crate::model::{Chain, Evaluation, Scope, Status};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The evaluations of every node evaluated so far, in the order they came.
#[derive(Default)]
pub(super) struct HeldEvaluations<'r> {
    subjects: Vec<Subject>,
    held: Vec<Held<'r>>,
    /// One copy of each message of a plain evaluation: a `for_each` pass
    /// says "no finding in N item(s)" on every node.
    messages: HashSet<Arc<str>>,
}

enum Held<'r> {
    Whole(Box<Evaluation>),
    Plain(Plain<'r>),
}

/// A passing or not-applicable evaluation of a node rule, without key,
/// evidence or remediation: all the rest follows from its rule and node.
struct Plain<'r> {
    rule: &'r Rule,
    /// Index into `HeldEvaluations::subjects`.
    subject: u32,
    status: Status,
    severity: crate::model::Severity,
    message: Arc<str>,
}

impl<'r> HeldEvaluations<'r> {
    pub(super) fn len(&self) -> usize {
        self.held.len()
    }

    /// Room for `more` evaluations, exactly.
    pub(super) fn reserve_exact(&mut self, more: usize) {
        self.held.reserve_exact(more);
    }

    pub(super) fn spare(&self) -> usize {
        self.held.capacity() - self.held.len()
    }

    /// Takes one node's evaluations; `rules` are the run's node rules by code.
    pub(super) fn push_node(
        &mut self,
        subject: Subject,
        evaluations: Vec<Evaluation>,
        rules: &HashMap<u32, &'r Rule>,
    ) {
        let index = u32::try_from(self.subjects.len()).expect("fewer than 2^32 nodes");
        for e in evaluations {
            let held = match rules.get(&e.code) {
                Some(rule) if is_plain(&e, rule, &subject) => Held::Plain(Plain {
                    rule,
                    subject: index,
                    status: e.status,
                    severity: e.severity,
                    message: self.shared_message(e.message),
                }),
                _ => Held::Whole(Box::new(e)),
            };
            self.held.push(held);
        }
        self.subjects.push(subject);
    }

    fn shared_message(&mut self, message: Arc<str>) -> Arc<str> {
        if let Some(shared) = self.messages.get(&*message) {
            return shared.clone();
        }
        self.messages.insert(message.clone());
        message
    }

    /// Every evaluation made whole, appended to `out` in the order taken.
    /// In parallel: making one whole computes its fingerprint again, a
    /// million times at 20,000 nodes.
    pub(super) fn append_to(self, out: &mut Vec<Evaluation>) {
        out.reserve_exact(self.held.len());
        let subjects = self.subjects;
        out.par_extend(self.held.into_par_iter().map(|held| match held {
            Held::Whole(e) => *e,
            Held::Plain(p) => {
                subjects[p.subject as usize].evaluation(p.rule, p.status, p.severity, "", p.message)
            }
        }));
    }
}

/// Whether `Subject::evaluation` makes `e` again from its rule, node,
/// status, severity and message alone.
fn is_plain(e: &Evaluation, rule: &Rule, subject: &Subject) -> bool {
    let plain = matches!(e.status, Status::Pass | Status::NotApplicable)
        && e.scope == Scope::Node
        && e.key.is_empty()
        && e.evidence.is_empty()
        && e.remediation.is_empty()
        && e.caused_by.is_empty()
        && e.waiver.is_none()
        && e.baseline.is_none()
        && e.chain == Chain::Unlinked
        && e.name == rule.name
        && e.node == subject.name
        && e.site == subject.site
        && e.cluster == subject.cluster;
    debug_assert!(!plain || e.fingerprint == crate::model::fingerprint(e.code, &e.node, ""));
    plain
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sixth of a whole evaluation (`model::tests::an_evaluation_does_not_grow`).
    #[test]
    fn a_held_evaluation_is_small() {
        let size = std::mem::size_of::<Held>();
        assert!(size <= 32, "a held evaluation is {size} bytes");
    }

    /// Plain evaluations come back as they went in, and the others whole,
    /// in the order taken.
    #[test]
    fn evaluations_come_back_as_they_were_taken() {
        let catalog = crate::catalog::Catalog::load(&[]);
        let mut rules = catalog.rules.values().filter(|r| r.scope == Scope::Node);
        let (a, b) = (rules.next().unwrap(), rules.next().unwrap());
        let by_code: HashMap<u32, &Rule> = [(a.code, a), (b.code, b)].into();
        let subject = Subject {
            name: "ne-1".into(),
            scope: Scope::Node,
            site: Some("east".into()),
            cluster: None,
        };
        let items = |n: usize| format!("no finding in {n} item(s)");
        let mut with_evidence =
            subject.evaluation(b, Status::NotApplicable, b.severity, "", "gone");
        with_evidence.evidence = vec![super::super::evidence::evidence_path("x".into())];
        let taken = vec![
            subject.evaluation(a, Status::Pass, a.severity, "", items(3)),
            subject.evaluation(a, Status::Fail, a.severity, "board 3", "bad"),
            with_evidence,
            subject.evaluation(
                b,
                Status::NotApplicable,
                crate::model::Severity::Info,
                "",
                "n/a",
            ),
        ];
        let as_json = |es: &[Evaluation]| {
            (es.iter())
                .map(|e| (serde_json::to_value(e).unwrap(), e.key.clone(), e.chain))
                .collect::<Vec<_>>()
        };
        let expected = as_json(&taken);
        let mut held = HeldEvaluations::default();
        held.push_node(subject.clone(), taken, &by_code);
        let second = vec![subject.evaluation(a, Status::Pass, a.severity, "", items(3))];
        held.push_node(subject.clone(), second, &by_code);
        assert!(matches!(held.held[0], Held::Plain(_)) && matches!(held.held[1], Held::Whole(_)));
        assert!(matches!(held.held[2], Held::Whole(_)) && matches!(held.held[3], Held::Plain(_)));
        assert_eq!(held.messages.len(), 2, "one copy of each message");
        let mut back = vec![];
        held.append_to(&mut back);
        assert_eq!(as_json(&back[..4]), expected);
        assert_eq!(back[4].message, back[0].message);
    }
}
