//! What a fleet's member keeps for the group rules until they run: each fact
//! once, in one flat buffer, and per group rule the facts it reads.

use crate::model::compact_json::{CompactJson, View};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What one node gives one group rule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberFacts {
    /// `node` (identity) and each fact the rule `requires`, each shared by
    /// every group rule of the node that reads it.
    Facts(BTreeMap<String, Json>),
    /// Why the node has no data for the rule.
    NoData(String),
}

/// What one node gives its group rules: per group rule code the node takes
/// part in, the facts the rule reads or why the node has none. A member
/// holds this until the group rules run, so it is built to be small: the
/// facts (most rules read the identity, several the same alarms) are held
/// once, as one [`CompactJson`] object of their distinct (name, value)
/// entries, and each code names the entries it reads. Two equal sets of
/// memberships build equal values. Serialized as `BTreeMap<u32, MemberFacts>`.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupFacts {
    /// The distinct (name, value) entries, by name.
    facts: CompactJson,
    /// Indices into the entries of `facts`: a run for each distinct set of
    /// facts the codes read.
    picks: Box<[u16]>,
    /// Per code (ascending): its run of `picks`, or why it has no data.
    codes: Box<[(u32, Pick)]>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Pick {
    Facts { start: u32, end: u32 },
    NoData(Arc<str>),
}

/// One code's membership, read in place.
pub(super) enum Member<'a> {
    Facts(Picked<'a>),
    NoData(&'a str),
}

/// The facts one code reads: an iterator of (name, value).
#[derive(Clone, Copy)]
pub(super) struct Picked<'a> {
    facts: &'a CompactJson,
    picks: &'a [u16],
}

impl<'a> Picked<'a> {
    pub(super) fn entries(self) -> impl Iterator<Item = (&'a str, View<'a>)> {
        let View::Object(entries) = self.facts.view() else {
            unreachable!("a member's facts are one object")
        };
        (0u16..)
            .zip(entries)
            .filter(move |(i, _)| self.picks.contains(i))
            .map(|(_, entry)| entry)
    }
}

impl GroupFacts {
    /// The membership of `code`; none when the rule does not apply to the node.
    pub(super) fn get(&self, code: u32) -> Option<Member<'_>> {
        let i = self.codes.binary_search_by_key(&code, |(c, _)| *c).ok()?;
        Some(match &self.codes[i].1 {
            Pick::Facts { start, end } => Member::Facts(Picked {
                facts: &self.facts,
                picks: &self.picks[*start as usize..*end as usize],
            }),
            Pick::NoData(why) => Member::NoData(why),
        })
    }

    /// As a shard report writes it.
    pub fn to_memberships(&self) -> BTreeMap<u32, MemberFacts> {
        (self.codes.iter())
            .filter_map(|(code, _)| Some((*code, self.get(*code)?)))
            .map(|(code, member)| {
                let facts = match member {
                    Member::Facts(picked) => MemberFacts::Facts(
                        (picked.entries())
                            .map(|(name, value)| (name.to_string(), Json::from(value)))
                            .collect(),
                    ),
                    Member::NoData(why) => MemberFacts::NoData(why.to_string()),
                };
                (code, facts)
            })
            .collect()
    }
}

/// No memberships: a node whose identity could not be read.
impl Default for GroupFacts {
    fn default() -> GroupFacts {
        GroupFactsBuilder::default().build()
    }
}

impl From<BTreeMap<u32, MemberFacts>> for GroupFacts {
    fn from(memberships: BTreeMap<u32, MemberFacts>) -> GroupFacts {
        let mut builder = GroupFactsBuilder::default();
        for (code, facts) in memberships {
            let entries = match facts {
                MemberFacts::Facts(map) => Ok(map
                    .into_iter()
                    .map(|(name, value)| builder.entry(&name, &Arc::new(value)))
                    .collect()),
                MemberFacts::NoData(why) => Err(why.into()),
            };
            builder.code(code, entries);
        }
        builder.build()
    }
}

impl Serialize for GroupFacts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_memberships().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for GroupFacts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<GroupFacts, D::Error> {
        BTreeMap::<u32, MemberFacts>::deserialize(deserializer).map(GroupFacts::from)
    }
}

/// What one code reads: indices of a [`GroupFactsBuilder`]'s entries, or
/// why the node has no data for it.
pub(super) type Reads = Result<Vec<u16>, Arc<str>>;

/// Collects a node's memberships, then lays them out in [`GroupFacts`].
#[derive(Default)]
pub(super) struct GroupFactsBuilder {
    entries: Vec<(String, Arc<Json>)>,
    codes: Vec<(u32, Reads)>,
}

impl GroupFactsBuilder {
    /// The index of the (name, value) entry, added if it is new.
    pub(super) fn entry(&mut self, name: &str, value: &Arc<Json>) -> u16 {
        let same =
            |(n, v): &(String, Arc<Json>)| n == name && (Arc::ptr_eq(v, value) || v == value);
        let i = self.entries.iter().position(same).unwrap_or_else(|| {
            self.entries.push((name.to_string(), value.clone()));
            self.entries.len() - 1
        });
        u16::try_from(i).expect("fewer than 65,536 distinct facts a node")
    }

    /// What `code` reads.
    pub(super) fn code(&mut self, code: u32, reads: Reads) {
        self.codes.push((code, reads));
    }

    pub(super) fn build(mut self) -> GroupFacts {
        // Entries by name (then by value, which only a hand-made shard
        // report can make differ), so that equal memberships lay out equally.
        let mut order: Vec<usize> = (0..self.entries.len()).collect();
        order.sort_by(|&a, &b| {
            let ((name_a, a), (name_b, b)) = (&self.entries[a], &self.entries[b]);
            name_a
                .cmp(name_b)
                .then_with(|| a.to_string().cmp(&b.to_string()))
        });
        let mut new_index = vec![0u16; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new as u16;
        }
        let facts = CompactJson::object(
            (order.iter()).map(|&i| (self.entries[i].0.as_str(), &*self.entries[i].1)),
        );
        self.codes.sort_by_key(|(code, _)| *code);
        let mut runs = Runs::default();
        let codes = (self.codes.into_iter())
            .map(|(code, reads)| {
                let pick = match reads {
                    Err(why) => Pick::NoData(why),
                    Ok(entries) => runs.pick(entries.iter().map(|&i| new_index[i as usize])),
                };
                (code, pick)
            })
            .collect();
        GroupFacts {
            facts,
            picks: runs.picks.into(),
            codes,
        }
    }
}

/// The runs of `picks` laid out so far, each distinct set of entries once.
#[derive(Default)]
struct Runs {
    picks: Vec<u16>,
    laid_out: Vec<(Vec<u16>, Pick)>,
}

impl Runs {
    fn pick(&mut self, entries: impl Iterator<Item = u16>) -> Pick {
        let mut run: Vec<u16> = entries.collect();
        run.sort_unstable();
        run.dedup();
        if let Some((_, pick)) = self.laid_out.iter().find(|(r, _)| *r == run) {
            return pick.clone();
        }
        let start = self.picks.len() as u32;
        self.picks.extend(&run);
        let pick = Pick::Facts {
            start,
            end: self.picks.len() as u32,
        };
        self.laid_out.push((run, pick.clone()));
        pick
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn memberships() -> BTreeMap<u32, MemberFacts> {
        let node = json!({"hostname": "a", "site": "s"});
        let alarms = json!([{"id": 1}]);
        let facts = |pairs: &[(&str, &Json)]| {
            MemberFacts::Facts(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), (*v).clone()))
                    .collect(),
            )
        };
        BTreeMap::from([
            (70001, facts(&[("node", &node)])),
            (60001, facts(&[("alarms", &alarms), ("node", &node)])),
            (
                60002,
                facts(&[
                    ("alarms", &alarms),
                    ("node", &node),
                    ("upgrade_log", &json!(null)),
                ]),
            ),
            (
                70002,
                facts(&[
                    ("alarms", &alarms),
                    ("node", &node),
                    ("upgrade_log", &json!(null)),
                ]),
            ),
            (10011, MemberFacts::NoData("ssh_key_check: no file".into())),
        ])
    }

    #[test]
    fn it_gives_each_code_what_it_was_given() {
        let group = GroupFacts::from(memberships());
        assert_eq!(group.to_memberships(), memberships());
        assert!(group.get(20016).is_none());
        let Some(Member::Facts(picked)) = group.get(60001) else {
            panic!("facts for 60001")
        };
        let names: Vec<&str> = picked.entries().map(|(name, _)| name).collect();
        assert_eq!(names, ["alarms", "node"]);
        let text = serde_json::to_string(&group).unwrap();
        assert_eq!(text, serde_json::to_string(&memberships()).unwrap());
        assert_eq!(serde_json::from_str::<GroupFacts>(&text).unwrap(), group);
    }

    #[test]
    fn it_holds_each_fact_and_each_set_of_facts_once() {
        let group = GroupFacts::from(memberships());
        let View::Object(entries) = group.facts.view() else {
            panic!("an object")
        };
        assert_eq!(entries.count(), 3);
        // node; alarms, node; alarms, node, upgrade_log
        assert_eq!(group.picks.len(), 1 + 2 + 3);
    }

    #[test]
    fn the_same_name_with_two_values_stays_two_entries() {
        let mut memberships = memberships();
        memberships.insert(
            70007,
            MemberFacts::Facts(BTreeMap::from([("node".into(), json!("other"))])),
        );
        let group = GroupFacts::from(memberships.clone());
        assert_eq!(group.to_memberships(), memberships);
    }
}
