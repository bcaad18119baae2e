//! The servers and upgrade-log actions of a fleet, read from the `nodes`
//! list a group-scope rule sees (`node`, and the `alarms` and `upgrade_log`
//! facts when the rule requires them).

use crate::catalog::expr::{map_entry, to_json, value_of};
use crate::parse::vendor::upgrade_log::UpgradeResult;
use cel::common::types::{CelString, Kind};
use cel::common::value::{BuiltinRef, CowVal, Val};
use rayon::prelude::*;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeSet, HashMap};

/// Roles of the Policy Management servers the procedure upgrades.
pub const CMP: &[&str] = &["cmp"];
pub const MPE_MRA: &[&str] = &["mpe", "mpe-li", "mra"];

pub struct Server<'a> {
    pub hostname: &'a str,
    pub role: Option<&'a str>,
    pub cluster: Option<&'a str>,
    pub site: Option<&'a str>,
    pub running: Option<&'a str>,
    pub previous: Option<&'a str>,
    /// node.json `upgrade_operation`: the Upgrade Manager's Upgrade
    /// Operation column for the server.
    pub operation: Option<&'a str>,
}

impl Server<'_> {
    pub fn is(&self, roles: &[&str]) -> bool {
        self.role.is_some_and(|r| roles.contains(&r))
    }

    pub fn on(&self, target: &str) -> Option<bool> {
        self.running.map(|r| r.starts_with(target))
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Direction {
    Upgrade,
    Backout,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Upgrade => "upgrade",
            Direction::Backout => "backout",
        }
    }

    /// From the name of an action or the text of an Upgrade Operation cell.
    pub fn of(text: &str) -> Option<Direction> {
        let t = text.to_ascii_lowercase();
        if ["backout", "rollback", "roll back", "old version"]
            .iter()
            .any(|w| t.contains(w))
        {
            Some(Direction::Backout)
        } else if ["upgrade", "new version"].iter().any(|w| t.contains(w)) {
            Some(Direction::Upgrade)
        } else {
            None
        }
    }
}

pub struct Action<'a> {
    pub id: i64,
    pub parent: Option<i64>,
    pub name: &'a str,
    pub start: Option<&'a str>,
    pub start_epoch: Option<i64>,
    pub end: Option<&'a str>,
    pub end_epoch: Option<i64>,
    pub scope: Option<&'a str>,
    pub host: Option<&'a str>,
    pub result: UpgradeResult,
    pub source: &'a Json,
    /// Upgrade or backout: from the name, else from the parent or a child
    /// (a Preflight Check starts an Initiate upgrade).
    pub direction: Option<Direction>,
}

impl Action<'_> {
    /// Started and not (yet) completed.
    pub fn open(&self) -> bool {
        self.start.is_some()
            && match self.result {
                UpgradeResult::InProgress | UpgradeResult::Pending => true,
                UpgradeResult::Success | UpgradeResult::Failed | UpgradeResult::Cancelled => false,
                UpgradeResult::Unknown => self.end.is_none(),
            }
    }

    /// The end as seconds, or "not yet" for an open action.
    pub fn end_or_open(&self) -> i64 {
        if self.open() {
            i64::MAX
        } else {
            self.end_epoch.or(self.start_epoch).unwrap_or(i64::MAX)
        }
    }

    /// The upgrade (or backout) of one server itself, not a check or a
    /// failover around it.
    pub fn is_server_upgrade(&self) -> bool {
        let n = self.name.to_ascii_lowercase();
        self.direction == Some(Direction::Upgrade)
            && (n.contains("initiate upgrade") || n.contains("upgrading server"))
    }

    pub fn is_failover_to_new(&self) -> bool {
        let n = self.name.to_ascii_lowercase();
        n.contains("failover") && self.direction == Some(Direction::Upgrade)
    }

    /// `Initiate upgrade on mpe-a (started 2/9/2015 9:21:54, completed …)`.
    pub fn describe(&self) -> String {
        let host = self.host.unwrap_or("?");
        let start = self.start.unwrap_or("?");
        let end = if self.open() {
            "not completed".to_string()
        } else {
            format!("ended {}", self.end.unwrap_or("?"))
        };
        format!("`{}` on {host} (started {start}, {end})", self.name)
    }
}

/// What [`Fleet::read`] reads of a node's identity and of an alarm.
const NODE_FIELDS: &[&str] = &[
    "hostname",
    "role",
    "cluster",
    "site",
    "running_release",
    "previous_release",
    "upgrade_operation",
];
const ALARM_FIELDS: &[&str] = &["id", "server", "instance"];

/// The parts of a CEL `nodes` list that [`Fleet::read`] reads, as JSON:
/// per node the fields of its identity a `Server` holds, its `upgrade_log`
/// and its alarms' keys. Converting the whole list (every identity and
/// every fact) held a fleet-scope rule's nodes twice more while it ran.
/// Each node is read on its own, so the nodes are read side by side.
pub fn read_input(nodes: &dyn Val) -> Json {
    match nodes.as_builtin() {
        BuiltinRef::List(list) => {
            Json::Array(list.inner().par_iter().map(|n| node_input(&**n)).collect())
        }
        _ => whole(nodes),
    }
}

fn node_input(n: &dyn Val) -> Json {
    let mut out = Map::new();
    if let Some(node) = entry(n, "node") {
        out.insert("node".into(), pick(&*node, NODE_FIELDS));
    }
    if let Some(log) = entry(n, "upgrade_log") {
        out.insert("upgrade_log".into(), whole(&*log));
    }
    if let Some(alarms) = entry(n, "alarms") {
        let mut kept = Map::new();
        if let Some(exported) = entry(&*alarms, "exported") {
            kept.insert("exported".into(), whole(&*exported));
        }
        if let Some(list) = entry(&*alarms, "alarms") {
            let list = match list.as_builtin() {
                BuiltinRef::List(l) => {
                    Json::Array(l.inner().iter().map(|a| pick(&**a, ALARM_FIELDS)).collect())
                }
                _ => whole(&*list),
            };
            kept.insert("alarms".into(), list);
        }
        out.insert("alarms".into(), Json::Object(kept));
    }
    Json::Object(out)
}

/// The entry `key` of a map; `None` for a missing key or a value that is
/// not a map.
fn entry<'b, 'v>(map: &'b (dyn Val + 'v), key: &str) -> Option<CowVal<'b, 'v>> {
    map_entry(map, key)
}

/// The entries `keys` of a map (anything else whole).
fn pick(map: &dyn Val, keys: &[&str]) -> Json {
    if map.get_type().kind() != Kind::Map {
        return whole(map);
    }
    let picked = keys
        .iter()
        .filter_map(|k| entry(map, k).map(|v| ((*k).to_string(), whole(&*v))))
        .collect();
    Json::Object(picked)
}

/// `value` as JSON, by the rule of [`to_json`] of [`value_of`] (`null` for
/// a value that cannot be converted), but converted once: lists, strings
/// and maps with string keys straight into JSON, the rest through
/// [`value_of`].
fn whole(value: &dyn Val) -> Json {
    match value.as_builtin() {
        BuiltinRef::List(list) => Json::Array(list.inner().iter().map(|i| whole(&**i)).collect()),
        BuiltinRef::String(s) => Json::String(s.inner().to_string()),
        _ if value.get_type().kind() == Kind::Map => {
            object(value).unwrap_or_else(|| converted(value))
        }
        _ => converted(value),
    }
}

/// A map whose keys are all strings, entries by key as [`to_json`] orders
/// them; `None` for any other.
fn object(map: &dyn Val) -> Option<Json> {
    let (keys, indexer) = (map.as_iterable()?, map.as_indexer()?);
    let mut keys = keys.iter();
    let mut entries = Vec::new();
    while let Some(key) = keys.next() {
        let name = key.downcast_ref::<CelString>()?.inner();
        entries.push((name.to_string(), whole(&*indexer.get(key).ok()?)));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Some(Json::Object(entries.into_iter().collect()))
}

fn converted(value: &dyn Val) -> Json {
    value_of(value).map_or(Json::Null, |v| to_json(&v))
}

pub struct Fleet<'a> {
    pub servers: Vec<Server<'a>>,
    pub actions: Vec<Action<'a>>,
    pub alarms: Vec<&'a Json>,
    pub log_exported: bool,
    pub alarms_exported: bool,
    /// Indexes built once by `read`, so that looking a server, a cluster
    /// or an action's cluster up does not scan the fleet: the first server
    /// of each hostname, the servers of each cluster, and the first
    /// cluster-scope action of each parent.
    by_host: HashMap<&'a str, usize>,
    by_cluster: HashMap<&'a str, Vec<usize>>,
    cluster_action_by_parent: HashMap<i64, usize>,
}

fn text<'a>(map: &'a Json, key: &str) -> Option<&'a str> {
    map.get(key)
        .and_then(Json::as_str)
        .filter(|s| !s.is_empty())
}

impl<'a> Fleet<'a> {
    pub fn read(nodes: &'a Json) -> Fleet<'a> {
        let list = nodes.as_array().map_or(&[][..], Vec::as_slice);
        let mut fleet = Fleet {
            servers: vec![],
            actions: vec![],
            alarms: vec![],
            log_exported: false,
            alarms_exported: false,
            by_host: HashMap::new(),
            by_cluster: HashMap::new(),
            cluster_action_by_parent: HashMap::new(),
        };
        let mut seen_actions = BTreeSet::new();
        let mut seen_alarms = BTreeSet::new();
        for n in list {
            let node = &n["node"];
            if let Some(hostname) = text(node, "hostname") {
                fleet.servers.push(Server {
                    hostname,
                    role: text(node, "role"),
                    cluster: text(node, "cluster"),
                    site: text(node, "site"),
                    running: text(node, "running_release"),
                    previous: text(node, "previous_release"),
                    operation: text(node, "upgrade_operation"),
                });
            }
            let log = &n["upgrade_log"];
            fleet.log_exported |= log["exported"] == Json::Bool(true);
            for a in log["actions"].as_array().into_iter().flatten() {
                // The same log may be exported on both CMPs of a cluster.
                let id = a["id"].as_i64().unwrap_or(-1);
                if seen_actions.insert((
                    id,
                    text(a, "action"),
                    text(a, "start"),
                    text(a, "hostname"),
                )) {
                    fleet.actions.push(Action {
                        id,
                        parent: a["parent"].as_i64().filter(|p| *p != 0),
                        name: text(a, "action").unwrap_or(""),
                        start: text(a, "start"),
                        start_epoch: a["start_epoch"].as_i64(),
                        end: text(a, "end"),
                        end_epoch: a["end_epoch"].as_i64(),
                        scope: text(a, "scope"),
                        host: text(a, "hostname"),
                        result: UpgradeResult::from_text(text(a, "result").unwrap_or("")),
                        source: &a["source"],
                        direction: None,
                    });
                }
            }
            let alarms = &n["alarms"];
            fleet.alarms_exported |= alarms["exported"] == Json::Bool(true);
            for a in alarms["alarms"].as_array().into_iter().flatten() {
                let key = (text(a, "id"), text(a, "server"), text(a, "instance"));
                if seen_alarms.insert(key) {
                    fleet.alarms.push(a);
                }
            }
        }
        fleet.settle_directions();
        fleet.index();
        fleet
    }

    fn index(&mut self) {
        for (i, s) in self.servers.iter().enumerate() {
            self.by_host.entry(s.hostname).or_insert(i);
            if let Some(cluster) = s.cluster {
                self.by_cluster.entry(cluster).or_default().push(i);
            }
        }
        for (i, a) in self.actions.iter().enumerate() {
            if a.scope == Some("cluster")
                && let Some(parent) = a.parent
            {
                self.cluster_action_by_parent.entry(parent).or_insert(i);
            }
        }
    }

    /// The servers of a cluster, in the order they were read.
    pub fn cluster_members(&self, cluster: &str) -> impl Iterator<Item = &Server<'a>> {
        (self.by_cluster.get(cluster).into_iter().flatten()).map(|&i| &self.servers[i])
    }

    fn settle_directions(&mut self) {
        for a in &mut self.actions {
            a.direction = Direction::of(a.name);
        }
        // The direction of the first action with each id, and of the first
        // child of each parent, among those whose name gives one.
        let mut by_id: HashMap<i64, Direction> = HashMap::new();
        let mut by_parent: HashMap<i64, Direction> = HashMap::new();
        for a in &self.actions {
            if let Some(d) = a.direction {
                by_id.entry(a.id).or_insert(d);
                if let Some(parent) = a.parent {
                    by_parent.entry(parent).or_insert(d);
                }
            }
        }
        for a in &mut self.actions {
            if a.direction.is_some() {
                continue;
            }
            let parent = a.parent.and_then(|p| by_id.get(&p));
            let child = by_parent.get(&a.id);
            a.direction = parent.or(child).copied();
        }
    }

    pub fn server(&self, hostname: &str) -> Option<&Server<'a>> {
        self.by_host.get(hostname).map(|&i| &self.servers[i])
    }

    /// The servers an action acts on: the server it names, or the members
    /// of the cluster it names.
    pub fn targets(&self, action: &Action) -> Vec<&Server<'a>> {
        let Some(host) = action.host else {
            return vec![];
        };
        if let Some(s) = self.server(host) {
            return vec![s];
        }
        self.cluster_members(host).collect()
    }

    /// The cluster an action belongs to: its server's (node.json), the
    /// cluster it names, or the cluster named by a cluster-scope action
    /// with the same parent (the log's "Modify the role/replication").
    pub fn cluster_of(&self, action: &Action<'a>) -> Option<&'a str> {
        let host = action.host?;
        if let Some(s) = self.server(host) {
            return s.cluster;
        }
        if action.scope == Some("cluster") || self.by_cluster.contains_key(host) {
            return Some(host);
        }
        self.log_cluster_of(action)
    }

    /// The cluster the log itself names for an action: the host of a
    /// cluster-scope action with the same parent (the log's "Modify the
    /// role/replication …"), which is the GUI's cluster name.
    pub fn log_cluster_of(&self, action: &Action<'a>) -> Option<&'a str> {
        if action.scope == Some("cluster") {
            return action.host;
        }
        let first =
            |parent: Option<i64>| parent.and_then(|p| self.cluster_action_by_parent.get(&p));
        // The first in the log of the two candidates.
        let found = match (first(action.parent), first(Some(action.id))) {
            (Some(&a), Some(&b)) => Some(a.min(b)),
            (a, b) => a.or(b).copied(),
        };
        found.and_then(|i| self.actions[i].host)
    }

    /// The role of the servers an action acts on (or of its cluster's
    /// servers), when a snapshot tells it.
    pub fn role_of(&self, action: &Action<'a>) -> Option<&'a str> {
        self.targets(action)
            .iter()
            .find_map(|s| s.role)
            .or_else(|| {
                let cluster = self.cluster_of(action)?;
                self.cluster_members(cluster).find_map(|s| s.role)
            })
    }
}
