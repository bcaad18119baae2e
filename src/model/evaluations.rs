//! The evaluations of a run as it holds them from the nodes to the
//! report. Most pass or do not apply and say only rule, node, status,
//! severity and message: those are kept as that (24 bytes) instead of a
//! whole `Evaluation` (200), and made whole where a format writes them;
//! every other evaluation (each failing, unknown or waived one) is held
//! whole. At 20,000 nodes this is about 25 MB instead of 200
//! (docs/performance.md).

use super::{Chain, Evaluation, Fingerprint, Scope, Severity, Status, fingerprint};
use rayon::slice::ParallelSliceMut;
use rustc_hash::FxHashMap;
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

/// The remediation of every evaluation that did not fail.
pub static NO_REMEDIATION: LazyLock<Arc<str>> = LazyLock::new(|| "".into());

/// A run's evaluations, in the order pushed (then sorted for the report).
#[derive(Default)]
pub struct Evaluations {
    items: Vec<Item>,
    tables: Tables,
}

/// What plain evaluations share, each once.
#[derive(Default)]
struct Tables {
    /// The nodes plain evaluations are about.
    subjects: Vec<Subject>,
    subject_index: FxHashMap<Subject, u32>,
    /// The rules of plain evaluations: code and name.
    rules: Vec<(u32, Arc<str>)>,
    rule_index: FxHashMap<u32, u16>,
    /// A `for_each` pass says "no finding in N item(s)" on every node.
    messages: HashSet<Arc<str>>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Subject {
    node: Arc<str>,
    site: Option<Arc<str>>,
    cluster: Option<Arc<str>>,
}

enum Item {
    Whole(Box<Evaluation>),
    Plain(Plain),
}

/// A passing or not-applicable evaluation of a node without key, evidence,
/// remediation, cause, waiver or baseline state: all the rest follows.
struct Plain {
    message: Arc<str>,
    /// Index into `Tables::subjects`.
    subject: u32,
    /// Index into `Tables::rules`.
    rule: u16,
    status: Status,
    severity: Severity,
}

/// What every evaluation says without being made whole: enough to count,
/// filter, group and order them.
#[derive(Clone, Copy)]
pub struct Brief<'a> {
    pub code: u32,
    pub name: &'a Arc<str>,
    pub status: Status,
    pub severity: Severity,
    pub scope: Scope,
    pub node: &'a Arc<str>,
    pub site: Option<&'a Arc<str>>,
    pub cluster: Option<&'a Arc<str>>,
    pub message: &'a Arc<str>,
    /// The evaluation itself when it is held whole, as every failing,
    /// unknown and waived one is.
    pub whole: Option<&'a Evaluation>,
}

impl Evaluations {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Room for `more` evaluations, exactly.
    pub fn reserve_exact(&mut self, more: usize) {
        self.items.reserve_exact(more);
    }

    /// Room left before the list grows.
    pub fn spare(&self) -> usize {
        self.items.capacity() - self.items.len()
    }

    /// Takes an evaluation made by this program, whose fingerprint is
    /// always that of its code, node and key.
    pub fn push(&mut self, e: Evaluation) {
        debug_assert!(e.fingerprint == fingerprint(e.code, &e.node, &e.key));
        let item = self
            .tables
            .plain(&e)
            .map_or_else(|| Item::Whole(Box::new(e)), Item::Plain);
        self.items.push(item);
    }

    /// Takes an evaluation read from a file: held plain only when its
    /// fingerprint is the one it would be made with again.
    pub fn push_read(&mut self, e: Evaluation) {
        if e.fingerprint == fingerprint(e.code, &e.node, &e.key) {
            self.push(e);
        } else {
            self.items.push(Item::Whole(Box::new(e)));
        }
    }

    /// Moves the evaluations of `other` to the end of this list.
    pub fn append(&mut self, other: Evaluations) {
        let Evaluations { items, tables } = other;
        for item in items {
            match item {
                Item::Whole(e) => self.items.push(Item::Whole(e)),
                plain @ Item::Plain(_) => self.push(tables.whole(&plain).into_owned()),
            }
        }
    }

    /// The `i`th evaluation, made whole when it is held plain.
    pub fn get(&self, i: usize) -> Cow<'_, Evaluation> {
        self.tables.whole(&self.items[i])
    }

    /// Every evaluation, each made whole as it comes.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Cow<'_, Evaluation>> {
        self.items.iter().map(|item| self.tables.whole(item))
    }

    /// The `i`th evaluation as the JSON report writes it, a plain one
    /// without being made whole (allocating nothing).
    pub fn json(&self, i: usize) -> Json<'_> {
        self.tables.json(&self.items[i])
    }

    /// Every evaluation made whole, for a small run (fixtures, tests).
    pub fn into_vec(self) -> Vec<Evaluation> {
        self.iter().map(Cow::into_owned).collect()
    }

    /// What every evaluation says, in order, none made whole.
    pub fn briefs(&self) -> impl ExactSizeIterator<Item = Brief<'_>> {
        self.items.iter().map(|item| self.tables.brief(item))
    }

    pub fn brief(&self, i: usize) -> Brief<'_> {
        self.tables.brief(&self.items[i])
    }

    /// The evaluations held whole, in order: among them every failing,
    /// unknown and waived one.
    pub fn wholes(&self) -> impl Iterator<Item = &Evaluation> {
        self.items.iter().filter_map(|item| match item {
            Item::Whole(e) => Some(&**e),
            Item::Plain(_) => None,
        })
    }

    /// The evaluations held whole, to change: a plain one never changes
    /// but by its severity ([`Evaluations::set_severity`]).
    pub fn wholes_mut(&mut self) -> impl Iterator<Item = &mut Evaluation> {
        self.items.iter_mut().filter_map(|item| match item {
            Item::Whole(e) => Some(&mut **e),
            Item::Plain(_) => None,
        })
    }

    /// Keeps the evaluations `keep` says yes to, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(Brief) -> bool) {
        let tables = &self.tables;
        self.items.retain(|item| keep(tables.brief(item)));
    }

    /// Sets the severity `of` a code gives, where it gives one.
    pub fn set_severity(&mut self, of: impl Fn(u32) -> Option<Severity>) {
        for item in &mut self.items {
            match item {
                Item::Whole(e) => e.severity = of(e.code).unwrap_or(e.severity),
                Item::Plain(p) => {
                    let code = self.tables.rules[usize::from(p.rule)].0;
                    p.severity = of(code).unwrap_or(p.severity);
                }
            }
        }
    }

    /// Puts the evaluations in report order ([`Evaluation::sort_key`]).
    /// Stable, so evaluations that the key does not tell apart (a group
    /// finding repeated for nodes that share a hostname) stay in the order
    /// made, which never depends on the thread count; the list is a tenth
    /// of the size of whole evaluations, so the stable sort's copy is
    /// small. Sorted on the run's threads: rayon's merge sort is stable
    /// too, so the order is the same as one thread's.
    pub fn sort_for_report(&mut self) {
        let tables = &self.tables;
        self.items
            .par_sort_by(|a, b| tables.sort_key(a).cmp(&tables.sort_key(b)));
    }
}

impl Tables {
    /// `e` as a plain evaluation, when it is one.
    fn plain(&mut self, e: &Evaluation) -> Option<Plain> {
        let plain = matches!(e.status, Status::Pass | Status::NotApplicable)
            && e.scope == Scope::Node
            && e.key.is_empty()
            && e.evidence.is_empty()
            && e.remediation.is_empty()
            && e.caused_by.is_empty()
            && e.waiver.is_none()
            && e.baseline.is_none()
            && e.chain == Chain::Unlinked;
        if !plain {
            return None;
        }
        let rule = self.rule(e.code, &e.name)?;
        Some(Plain {
            message: self.message(&e.message),
            subject: self.subject(e)?,
            rule,
            status: e.status,
            severity: e.severity,
        })
    }

    /// The index of rule `code` named `name`; none when the code was seen
    /// with another name, or there are too many rules.
    fn rule(&mut self, code: u32, name: &Arc<str>) -> Option<u16> {
        if let Some(&i) = self.rule_index.get(&code) {
            return (self.rules[usize::from(i)].1 == *name).then_some(i);
        }
        let i = u16::try_from(self.rules.len()).ok()?;
        self.rules.push((code, name.clone()));
        self.rule_index.insert(code, i);
        Some(i)
    }

    fn subject(&mut self, e: &Evaluation) -> Option<u32> {
        let subject = Subject {
            node: e.node.clone(),
            site: e.site.clone(),
            cluster: e.cluster.clone(),
        };
        // A node's evaluations come together.
        if let Some(last) = self.subjects.last()
            && *last == subject
        {
            return u32::try_from(self.subjects.len() - 1).ok();
        }
        if let Some(&i) = self.subject_index.get(&subject) {
            return Some(i);
        }
        let i = u32::try_from(self.subjects.len()).ok()?;
        self.subjects.push(subject.clone());
        self.subject_index.insert(subject, i);
        Some(i)
    }

    fn message(&mut self, message: &Arc<str>) -> Arc<str> {
        if let Some(shared) = self.messages.get(&**message) {
            return shared.clone();
        }
        self.messages.insert(message.clone());
        message.clone()
    }

    fn brief<'a>(&'a self, item: &'a Item) -> Brief<'a> {
        match item {
            Item::Whole(e) => Brief {
                code: e.code,
                name: &e.name,
                status: e.status,
                severity: e.severity,
                scope: e.scope,
                node: &e.node,
                site: e.site.as_ref(),
                cluster: e.cluster.as_ref(),
                message: &e.message,
                whole: Some(e),
            },
            Item::Plain(p) => {
                let (code, name) = &self.rules[usize::from(p.rule)];
                let subject = &self.subjects[p.subject as usize];
                Brief {
                    code: *code,
                    name,
                    status: p.status,
                    severity: p.severity,
                    scope: Scope::Node,
                    node: &subject.node,
                    site: subject.site.as_ref(),
                    cluster: subject.cluster.as_ref(),
                    message: &p.message,
                    whole: None,
                }
            }
        }
    }

    fn whole<'a>(&self, item: &'a Item) -> Cow<'a, Evaluation> {
        let p = match item {
            Item::Whole(e) => return Cow::Borrowed(e),
            Item::Plain(p) => p,
        };
        let (code, name) = &self.rules[usize::from(p.rule)];
        let subject = &self.subjects[p.subject as usize];
        Cow::Owned(Evaluation {
            code: *code,
            name: name.clone(),
            severity: p.severity,
            status: p.status,
            node: subject.node.clone(),
            scope: Scope::Node,
            site: subject.site.clone(),
            cluster: subject.cluster.clone(),
            message: p.message.clone(),
            evidence: vec![],
            remediation: NO_REMEDIATION.clone(),
            caused_by: vec![],
            fingerprint: fingerprint(*code, &subject.node, ""),
            waiver: None,
            baseline: None,
            key: Box::default(),
            chain: Chain::Unlinked,
        })
    }

    fn json<'a>(&'a self, item: &'a Item) -> Json<'a> {
        let p = match item {
            Item::Whole(e) => return Json::Whole(e),
            Item::Plain(p) => p,
        };
        let (code, name) = &self.rules[usize::from(p.rule)];
        let subject = &self.subjects[p.subject as usize];
        Json::Plain(PlainJson {
            code: *code,
            name,
            severity: p.severity,
            status: p.status,
            node: &subject.node,
            scope: Scope::Node,
            site: subject.site.as_deref(),
            cluster: subject.cluster.as_deref(),
            message: &p.message,
            evidence: [],
            fingerprint: fingerprint(*code, &subject.node, ""),
        })
    }

    /// [`Evaluation::sort_key`] of either form.
    fn sort_key<'a>(
        &'a self,
        item: &'a Item,
    ) -> (Scope, &'a str, Chain, u32, &'a str, Status, &'a str) {
        match item {
            Item::Whole(e) => e.sort_key(),
            Item::Plain(p) => (
                Scope::Node,
                &self.subjects[p.subject as usize].node,
                Chain::Unlinked,
                self.rules[usize::from(p.rule)].0,
                "",
                p.status,
                &p.message,
            ),
        }
    }
}

impl From<Vec<Evaluation>> for Evaluations {
    fn from(list: Vec<Evaluation>) -> Evaluations {
        list.into_iter().collect()
    }
}

impl FromIterator<Evaluation> for Evaluations {
    fn from_iter<I: IntoIterator<Item = Evaluation>>(list: I) -> Evaluations {
        let mut all = Evaluations::default();
        all.extend(list);
        all
    }
}

impl Extend<Evaluation> for Evaluations {
    fn extend<I: IntoIterator<Item = Evaluation>>(&mut self, list: I) {
        for e in list {
            self.push(e);
        }
    }
}

/// An evaluation as JSON: a plain one writes what a whole one would.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Json<'a> {
    Whole(&'a Evaluation),
    Plain(PlainJson<'a>),
}

/// The fields of [`Evaluation`] that a plain evaluation writes, in the
/// same order; the rest are empty and left out as they would be.
#[derive(Serialize)]
pub struct PlainJson<'a> {
    pub code: u32,
    pub name: &'a str,
    pub severity: Severity,
    pub status: Status,
    pub node: &'a str,
    pub scope: Scope,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<&'a str>,
    pub message: &'a str,
    pub evidence: [(); 0],
    pub fingerprint: Fingerprint,
}

/// As the list of whole evaluations.
impl Serialize for Evaluations {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.items.iter().map(|item| self.tables.json(item)))
    }
}

impl std::fmt::Debug for Evaluations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An eighth of a whole evaluation (`model::tests::an_evaluation_does_not_grow`).
    #[test]
    fn a_plain_evaluation_is_small() {
        let size = std::mem::size_of::<Item>();
        assert!(size <= 24, "a held evaluation is {size} bytes");
    }

    fn evaluation(code: u32, node: &str, status: Status, key: &str, message: &str) -> Evaluation {
        Evaluation {
            code,
            name: format!("rule-{code}").into(),
            severity: Severity::Major,
            status,
            node: node.into(),
            scope: Scope::Node,
            site: Some("east".into()),
            cluster: None,
            message: message.into(),
            evidence: vec![],
            remediation: NO_REMEDIATION.clone(),
            caused_by: vec![],
            fingerprint: fingerprint(code, node, key),
            waiver: None,
            baseline: None,
            key: key.into(),
            chain: Chain::Unlinked,
        }
    }

    fn as_json<'a>(
        es: impl Iterator<Item = Cow<'a, Evaluation>>,
    ) -> Vec<(String, Box<str>, Chain)> {
        es.map(|e| (serde_json::to_string(&*e).unwrap(), e.key.clone(), e.chain))
            .collect()
    }

    /// Plain evaluations come back as they went in, and the others whole,
    /// in the order taken; sorting orders both forms alike.
    #[test]
    fn evaluations_come_back_as_they_were_taken() {
        let items = |n: usize| format!("no finding in {n} item(s)");
        let mut with_evidence = evaluation(10002, "ne-1", Status::NotApplicable, "", "gone");
        with_evidence.evidence = vec![crate::model::Evidence {
            path: "x".into(),
            line: None,
            excerpt: None,
            context: vec![],
        }];
        let mut renamed = evaluation(10001, "ne-2", Status::Pass, "", "ok");
        renamed.name = "other-name".into();
        let mut forged = evaluation(10002, "ne-2", Status::Pass, "", "ok");
        forged.fingerprint = fingerprint(1, "x", "");
        let taken = vec![
            evaluation(10001, "ne-2", Status::Pass, "", &items(3)),
            evaluation(10001, "ne-1", Status::Fail, "board 3", "bad"),
            with_evidence,
            evaluation(10002, "ne-1", Status::NotApplicable, "", "n/a"),
            evaluation(10001, "ne-1", Status::Pass, "", &items(3)),
            renamed,
        ];
        let expected = as_json(taken.iter().map(Cow::Borrowed));
        let mut held: Evaluations = taken.clone().into();
        held.push_read(forged.clone());
        let kinds: Vec<bool> = held.briefs().map(|b| b.whole.is_some()).collect();
        assert_eq!(kinds, [false, true, true, false, false, true, true]);
        assert_eq!(held.tables.messages.len(), 2, "one copy of each message");
        assert_eq!(as_json(held.iter().take(6)), expected);
        for (i, e) in held.iter().enumerate() {
            let written = serde_json::to_string_pretty(&held.json(i)).unwrap();
            assert_eq!(written, serde_json::to_string_pretty(&*e).unwrap(), "{i}");
        }
        assert_eq!(
            as_json([held.get(6)].into_iter()),
            as_json([Cow::Owned(forged)].into_iter())
        );

        let mut sorted = taken;
        sorted.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        held.retain(|b| !(b.code == 10002 && b.node.as_ref() == "ne-2"));
        held.sort_for_report();
        assert_eq!(
            as_json(held.iter()),
            as_json(sorted.iter().map(Cow::Borrowed))
        );
    }
}
