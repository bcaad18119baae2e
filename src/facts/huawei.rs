//! Huawei OSN 6800 upgrade diagnosis: the DC(CMF)/NMS task log, the NE
//! board storage, whether the DC can reach the NE, and the DC package
//! repository. These are what the rollback causes of a failed package
//! upgrade are checked against: communication failure, a missing `.pkg`,
//! too little space on the system control board, a patch not in effect.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use schemars::JsonSchema;
use serde::Serialize;

use super::ne_rows;
use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, parsed};
use super::spec::{Build, FactSpec, Source, to_fact, typed};
use crate::model::vocabulary::vocabulary;
use crate::parse::linux::package_listing::{self, PackageFile};
use crate::parse::vendor::dc_tasks::{self, TaskEvent, TaskResult, TaskType};
use crate::parse::vendor::ne_comm::CommState;
use crate::parse::{
    linux::ping,
    vendor::{ne_comm, ne_storage},
};

pub const DC_TASKS: FactSpec = FactSpec {
    name: "dc_tasks",
    always: false,
    build: Build::Node(build_dc_tasks),
    diff: None,
    inputs: &["dc-tasks"],
    summary: "The DC(CMF)/NMS task log (exports/dc-tasks.csv or .txt): one map per task, its \
              events grouped by task name and NE in file order. Only this NE's rows: a log of \
              many NEs, here or elsewhere in the fleet, is split by its NE column (see \
              docs/snapshot-format.md, \"One NMS export for many NEs\").",
    schema: typed::<Vec<Task>>,
};

pub const NE_STORAGE: FactSpec = FactSpec {
    name: "ne_storage",
    always: false,
    build: Build::Node(build_ne_storage),
    diff: None,
    inputs: &["ne-storage"],
    summary: "Free space per NE board and storage (CF, Flash, OFS partition), from the board \
              storage export (exports/ne-storage.csv or .txt); only this NE's rows, wherever a \
              many-NE export sits. A software package is copied to the system control board \
              (SCC) before it is loaded.",
    schema: typed::<Vec<Board>>,
};

pub const NE_REACHABILITY: FactSpec = FactSpec {
    name: "ne_reachability",
    always: false,
    build: Build::Node(build_ne_reachability),
    diff: None,
    inputs: &["ne-ping", "ne-communication"],
    summary: "Whether the DC/NMS server reaches the NE: one entry per ping run (commands/ping) \
              and one for the row of the NMS NE list (communication state export) that is this \
              NE: its NE name or ID is the hostname, or `ne_name` / `ne_id` of node.json, \
              wherever the list sits (see docs/snapshot-format.md, \"One NMS export for many \
              NEs\"). Missing when there is no ping run and no row of the NE list for this NE.",
    schema: typed::<Vec<Reach>>,
};

pub const PACKAGE_REPOSITORY: FactSpec = FactSpec {
    name: "package_repository",
    always: false,
    build: Build::Node(build_package_repository),
    diff: None,
    inputs: &["package-repository"],
    summary: "The regular files of the DC package folder, from its `ls -l` or `dir` listing \
              (exports/package-repository.txt). A listing that says the folder does not exist \
              gives an empty list.",
    schema: typed::<Vec<RepositoryFile>>,
};

pub const LOAD_PACKAGES: FactSpec = FactSpec {
    name: "load_packages",
    always: false,
    build: Build::Node(build_load_packages),
    diff: None,
    inputs: &["dc-tasks", "package-repository"],
    summary: "The packages that package-upgrade tasks of the task log name, each once, in the \
              order the log first names them, looked up in the package repository listing. \
              Missing when the task log is; without a repository listing `listed` and \
              `size_bytes` are null.",
    schema: typed::<Vec<LoadPackage>>,
};

/// A task of the task log.
#[derive(Serialize, JsonSchema)]
struct Task {
    /// task name as printed
    name: String,
    /// the type of the task's first event that has one
    #[serde(rename = "type")]
    task_type: TaskType,
    /// that type as printed
    raw_type: Option<String>,
    /// NE name; the node's hostname when the log has no NE column
    ne: String,
    /// the first package named by the task's events
    package: Option<String>,
    /// the result of the task's last event
    status: TaskResult,
    /// the task's events in file order
    events: Vec<Event>,
    /// the events whose result is failed or rolled-back
    failures: Vec<Event>,
    /// progress of each failure that has one, in order: [90, 64]
    failed_at: Vec<u8>,
    /// the task has a failure
    failed: bool,
    /// an event's result is rolled-back, or its details say roll(ed) back
    rolled_back: bool,
    /// the last failure event
    last_failure: Option<Event>,
    /// {file, line} of the task's first event
    source: Source,
}

/// An event of a task: a row of the task log.
#[derive(Clone, Serialize, JsonSchema)]
struct Event {
    /// time as printed
    time: Option<String>,
    /// time, seconds since 1970
    epoch: Option<i64>,
    /// step or operation, e.g. Load software, Activate, Copy files
    step: Option<String>,
    /// percent, 0 to 100
    progress: Option<u8>,
    /// the event's result
    result: TaskResult,
    /// result as printed
    raw_result: String,
    /// details, description or failure cause
    details: Option<String>,
    /// {file, line}
    source: Source,
}

/// Free space on a storage of an NE board.
#[derive(Serialize, JsonSchema)]
struct Board {
    /// NE name; the node's hostname when the export has no NE column
    ne: String,
    /// board name or type, e.g. SCC
    board: String,
    /// slot
    slot: Option<String>,
    /// storage, e.g. CF, Flash, OFS1
    storage: Option<String>,
    /// total size, KiB
    total_kib: Option<u64>,
    /// free space, KiB
    free_kib: u64,
    /// `NE board B slot S storage X` (the parts present), for messages and
    /// fingerprints
    #[serde(rename = "where")]
    place: String,
    /// {file, line}
    source: Source,
}

/// One way of telling whether the NE is reached.
#[derive(Serialize, JsonSchema)]
struct Reach {
    /// ping or nms
    method: &'static str,
    /// ping: the host pinged (else its address, else the node's hostname);
    /// nms: the NE name
    target: String,
    /// nms: reachable when the NE list's communication state is normal,
    /// unreachable when it is disconnected, unknown for a state the
    /// vocabulary does not know; null for ping, whose `loss_percent` the
    /// rules judge
    state: Option<Reachability>,
    /// packet loss; Windows ICMP error replies (Destination host
    /// unreachable), which Windows counts as received, count as lost; 100
    /// for a name that does not resolve or an unreachable network; null for
    /// nms
    loss_percent: Option<f64>,
    /// the ping summary or error line, or `communication state: <as
    /// exported>`
    detail: String,
    /// {file, line}
    source: Source,
}

/// A file of the package repository.
#[derive(Serialize, JsonSchema)]
struct RepositoryFile {
    /// file name, e.g. OSN6800V100R004C04SPC800.pkg
    name: String,
    /// size in bytes
    size_bytes: u64,
    /// {file, line}
    source: Source,
}

/// A package a package-upgrade task names.
#[derive(Serialize, JsonSchema)]
struct LoadPackage {
    /// package as the task log names it
    name: String,
    /// task name of the event that first names it
    task: String,
    /// a repository file has that name (case-insensitive, any folder part
    /// of the name dropped), or, for a name without an extension, a file
    /// whose name before its extension ends with it; null without a listing
    listed: Option<bool>,
    /// size of the listed file; null when not listed or without a listing
    size_bytes: Option<u64>,
    /// {file, line} of the task event that first names it
    source: Source,
}

/// `rollback`, `roll back`, `rolled back`, any case.
static ROLLED_BACK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)rolled? ?back").expect("constant pattern"));

/// The events of one task, in file order.
struct Grouped<'e> {
    name: &'e str,
    ne: String,
    events: Vec<&'e TaskEvent>,
}

impl Grouped<'_> {
    /// The event that gives the task its type: the first with a type.
    fn typed(&self) -> Option<&TaskEvent> {
        self.events.iter().copied().find(|e| e.raw_type.is_some())
    }

    fn task_type(&self) -> TaskType {
        self.typed().map_or(TaskType::Other, |e| e.task_type)
    }
}

/// Events grouped by (task name, NE) in the order tasks first appear.
fn group_tasks<'e>(events: &'e [TaskEvent], host: &str) -> Vec<Grouped<'e>> {
    let mut tasks: Vec<Grouped<'e>> = Vec::new();
    let mut index: BTreeMap<(&str, String), usize> = BTreeMap::new();
    for e in events {
        let ne = e.ne.clone().unwrap_or_else(|| host.to_string());
        let i = *index
            .entry((e.task.as_str(), ne.clone()))
            .or_insert_with(|| {
                tasks.push(Grouped {
                    name: &e.task,
                    ne,
                    events: Vec::new(),
                });
                tasks.len() - 1
            });
        tasks[i].events.push(e);
    }
    tasks
}

fn event(e: &TaskEvent, rel: &str) -> Event {
    Event {
        time: e.time.clone(),
        epoch: e.epoch,
        step: e.step.clone(),
        progress: e.progress,
        result: e.result,
        raw_result: e.raw_result.clone(),
        details: e.details.clone(),
        source: Source::new(rel, e.line),
    }
}

fn task(task: &Grouped<'_>, rel: &str) -> Task {
    let failures: Vec<Event> = task
        .events
        .iter()
        .filter(|e| e.result.is_failure())
        .map(|e| event(e, rel))
        .collect();
    let rolled_back = task.events.iter().any(|e| {
        e.result == TaskResult::RolledBack
            || e.details
                .as_deref()
                .is_some_and(|d| ROLLED_BACK.is_match(d))
    });
    // A task is grouped from at least one event.
    let (first, last) = (task.events[0], task.events[task.events.len() - 1]);
    Task {
        name: task.name.to_string(),
        task_type: task.task_type(),
        raw_type: task.typed().and_then(|e| e.raw_type.clone()),
        ne: task.ne.clone(),
        package: task.events.iter().find_map(|e| e.package.clone()),
        status: last.result,
        events: task.events.iter().map(|e| event(e, rel)).collect(),
        failed_at: failures.iter().filter_map(|e| e.progress).collect(),
        failed: !failures.is_empty(),
        rolled_back,
        last_failure: failures.last().cloned(),
        failures,
        source: Source::new(rel, first.line),
    }
}

/// This node's task events, per task-log file read.
fn read_events(facts: &mut NodeFacts) -> Result<Vec<(String, Vec<TaskEvent>)>, FactProblem> {
    ne_rows::read(facts, "dc-tasks", dc_tasks::parse, |e| e.ne.as_deref())
}

pub fn build_dc_tasks(facts: &mut NodeFacts) -> FactResult {
    let files = read_events(facts)?;
    let host = facts.node.name();
    let tasks: Vec<Task> = files
        .iter()
        .flat_map(|(rel, events)| {
            group_tasks(events, &host)
                .iter()
                .map(|t| task(t, rel))
                .collect::<Vec<_>>()
        })
        .collect();
    to_fact(&tasks)
}

pub fn build_ne_storage(facts: &mut NodeFacts) -> FactResult {
    let files = ne_rows::read(facts, "ne-storage", ne_storage::parse, |b| b.ne.as_deref())?;
    let host = facts.node.name();
    let boards: Vec<Board> = files
        .iter()
        .flat_map(|(rel, boards)| boards.iter().map(move |b| (rel, b)))
        .map(|(rel, b)| {
            let ne = b.ne.clone().unwrap_or_else(|| host.clone());
            let mut place = format!("{ne} board {}", b.board);
            if let Some(s) = &b.slot {
                place.push_str(&format!(" slot {s}"));
            }
            if let Some(s) = &b.storage {
                place.push_str(&format!(" storage {s}"));
            }
            Board {
                ne,
                board: b.board.clone(),
                slot: b.slot.clone(),
                storage: b.storage.clone(),
                total_kib: b.total_kib,
                free_kib: b.free_kib,
                place,
                source: Source::new(rel, b.line),
            }
        })
        .collect();
    to_fact(&boards)
}

/// One ping run as a reachability entry.
fn ping_entry(run: &ping::PingRun, rel: &str, host: &str) -> Reach {
    let target = run
        .target
        .clone()
        .or_else(|| run.address.clone())
        .unwrap_or_else(|| host.to_string());
    // Windows counts ICMP error replies as received.
    let loss = if run.error_replies > 0 && run.transmitted > 0 {
        let answered = run.received.saturating_sub(run.error_replies);
        let lost = run.transmitted.saturating_sub(answered);
        (100.0 * f64::from(lost) / f64::from(run.transmitted)).max(run.loss_percent)
    } else {
        run.loss_percent
    };
    let mut detail = run.summary.clone();
    if run.error_replies > 0 {
        detail.push_str(&format!(
            " ({} of the replies were ICMP errors such as Destination host unreachable)",
            run.error_replies
        ));
    }
    Reach {
        method: "ping",
        target,
        // How much loss is too much is the rule's (10002's parameters).
        state: None,
        loss_percent: Some(loss),
        detail,
        source: Source::new(rel, run.line),
    }
}

vocabulary! {
    /// Whether the NMS reaches the NE, by its NE list (ping runs give no
    /// state: the rules judge their loss).
    pub enum Reachability {
        Reachable = "reachable",
        Unreachable = "unreachable",
        // The list shows a state its vocabulary does not know.
        Unknown = "unknown",
    }
}

impl Reachability {
    fn of(state: CommState) -> Reachability {
        match state {
            CommState::Normal => Reachability::Reachable,
            CommState::Disconnected => Reachability::Unreachable,
            CommState::Unknown => Reachability::Unknown,
        }
    }
}

/// The NMS NE list's row of this NE as a reachability entry.
fn nms_entry(ne: &ne_comm::NeCommState, rel: &str) -> Reach {
    Reach {
        method: "nms",
        target: ne.ne.clone(),
        state: Some(Reachability::of(ne.state)),
        loss_percent: None,
        detail: format!("communication state: {}", ne.raw_state),
        source: Source::new(rel, ne.line),
    }
}

pub fn build_ne_reachability(facts: &mut NodeFacts) -> FactResult {
    let host = facts.node.name();
    let mut entries = Vec::new();
    let mut looked_for = Vec::new();
    let mut found = false;
    match facts.parse("ne-ping", ping::parse) {
        Ok((rel, outcome)) => {
            found = true;
            for run in parsed(&rel, outcome)? {
                entries.push(ping_entry(&run, &rel, &host));
            }
        }
        Err(FactProblem::Missing { looked_for: l, .. }) => looked_for.extend(l),
        Err(other) => return Err(other),
    }
    match ne_rows::read(facts, "ne-communication", ne_comm::parse, |r| Some(&r.ne)) {
        Ok(files) => {
            found = true;
            for (rel, rows) in files {
                entries.extend(rows.iter().map(|ne| nms_entry(ne, &rel)));
            }
        }
        Err(FactProblem::Missing { looked_for: l, .. }) => looked_for.extend(l),
        Err(other) => return Err(other),
    }
    if !found {
        return Err(FactProblem::Missing {
            input: "ne-ping or ne-communication".into(),
            looked_for,
        });
    }
    to_fact(&entries)
}

/// The repository listing, or `None` when the snapshot has none.
fn repository(facts: &mut NodeFacts) -> Result<Option<(String, Vec<PackageFile>)>, FactProblem> {
    match facts.parse("package-repository", package_listing::parse) {
        Ok((rel, outcome)) => {
            let files = parsed(&rel, outcome)?;
            Ok(Some((rel, files)))
        }
        Err(FactProblem::Missing { .. }) => Ok(None),
        Err(other) => Err(other),
    }
}

pub fn build_package_repository(facts: &mut NodeFacts) -> FactResult {
    let (rel, outcome) = facts.parse("package-repository", package_listing::parse)?;
    let files = parsed(&rel, outcome)?;
    let files: Vec<RepositoryFile> = files
        .into_iter()
        .map(|f| RepositoryFile {
            source: Source::new(&rel, f.line),
            name: f.name,
            size_bytes: f.size_bytes,
        })
        .collect();
    to_fact(&files)
}

/// The repository file a task's package name stands for.
fn lookup<'f>(files: &'f [PackageFile], package: &str) -> Option<&'f PackageFile> {
    let base = package.rsplit(['/', '\\']).next().unwrap_or(package).trim();
    if base.is_empty() {
        return None;
    }
    let lower = base.to_lowercase();
    files
        .iter()
        .find(|f| f.name.to_lowercase() == lower)
        .or_else(|| {
            if base.contains('.') {
                return None;
            }
            files.iter().find(|f| {
                let name = f.name.to_lowercase();
                let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
                stem.ends_with(&lower)
            })
        })
}

pub fn build_load_packages(facts: &mut NodeFacts) -> FactResult {
    let files = read_events(facts)?;
    let repo = repository(facts)?;
    let host = facts.node.name();
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (rel, events) in &files {
        let upgrades: Vec<(&str, String)> = group_tasks(events, &host)
            .iter()
            .filter(|t| t.task_type() == TaskType::PackageUpgrade)
            .map(|t| (t.name, t.ne.clone()))
            .collect();
        for e in events {
            let Some(package) = e.package.as_deref() else {
                continue;
            };
            let ne = e.ne.clone().unwrap_or_else(|| host.clone());
            if seen.contains(&package) || !upgrades.contains(&(e.task.as_str(), ne)) {
                continue;
            }
            seen.push(package);
            let found = repo.as_ref().map(|(_, files)| lookup(files, package));
            out.push(LoadPackage {
                name: package.to_string(),
                task: e.task.clone(),
                listed: found.map(|f| f.is_some()),
                size_bytes: found.flatten().map(|f| f.size_bytes),
                source: Source::new(rel, e.line),
            });
        }
    }
    to_fact(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::{Value, json};

    /// The seed's log: a confirmed patch, then a package upgrade that
    /// fails at 90%, rolls back while copying and fails again at 64%.
    const SEED_LOG: &str = "\
Task Name,Task Type,NE,Step,Progress,Result,Time,Package,Details
SPH106 patch,Patch Update Task,OSN6800-01,Load patch,100%,Successful,2012-07-19 14:02:10,V100R004C01SPH106,
SPH106 patch,Patch Update Task,OSN6800-01,Confirm patch,100%,Successful,2012-07-19 14:31:05,V100R004C01SPH106,
Upgrade,Package Upgrade Task,OSN6800-01,Load software,0%,Started,2012-07-20 09:12:40,OSN6800V100R004C04SPC800.pkg,
Upgrade,Package Upgrade Task,OSN6800-01,Load software,90%,Failed,2012-07-20 09:40:12,,NE error(0x32): the NE is rolled back.
Upgrade,Package Upgrade Task,OSN6800-01,Copy files,64%,Running,2012-07-20 10:52:19,,
Upgrade,Package Upgrade Task,OSN6800-01,Load software,64%,Failed,2012-07-20 10:52:20,,
";

    /// The facts of a one-node snapshot holding the given files.
    fn facts_of(files: &[(&str, &str)], names: &[&str]) -> Vec<FactResult> {
        super::super::testing::facts_of(
            r#"{"hostname": "ne1", "ne_name": "OSN6800-01", "platform": "osn6800"}"#,
            files,
            names,
        )
    }

    fn fact(files: &[(&str, &str)], name: &str) -> Result<Value, FactProblem> {
        facts_of(files, &[name]).remove(0)
    }

    fn ok(files: &[(&str, &str)], name: &str) -> Value {
        fact(files, name).unwrap_or_else(|p| panic!("{name}: {}", p.describe()))
    }

    #[test]
    fn dc_tasks_groups_events_into_tasks() {
        let tasks = ok(&[("exports/dc-tasks.csv", SEED_LOG)], "dc_tasks");
        let tasks = tasks.as_array().unwrap();
        assert_eq!(tasks.len(), 2);
        let patch = &tasks[0];
        assert_eq!(patch["name"], "SPH106 patch");
        assert_eq!(patch["type"], "patch-update");
        assert_eq!(patch["raw_type"], "Patch Update Task");
        assert_eq!(patch["ne"], "OSN6800-01");
        assert_eq!(patch["package"], "V100R004C01SPH106");
        assert_eq!(patch["status"], "succeeded");
        assert_eq!(patch["failed"], false);
        assert_eq!(patch["rolled_back"], false);
        assert_eq!(patch["failed_at"], json!([]));
        assert_eq!(patch["last_failure"], Value::Null);
        assert_eq!(patch["events"].as_array().unwrap().len(), 2);
        let file = "exports/dc-tasks.csv";
        let upgrade = &tasks[1];
        assert_eq!(upgrade["type"], "package-upgrade");
        assert_eq!(upgrade["package"], "OSN6800V100R004C04SPC800.pkg");
        assert_eq!(upgrade["status"], "failed");
        assert_eq!(upgrade["failed"], true);
        assert_eq!(upgrade["failed_at"], json!([90, 64]));
        // No rolled-back result, but the details of one failure say so.
        assert_eq!(upgrade["rolled_back"], true);
        assert_eq!(upgrade["failures"].as_array().unwrap().len(), 2);
        assert_eq!(upgrade["source"]["line"], 4);
        assert!(upgrade["source"]["file"].as_str().unwrap().ends_with(file));
        assert_eq!(
            upgrade["events"][1],
            json!({
                "time": "2012-07-20 09:40:12",
                "epoch": 1_342_777_212,
                "step": "Load software",
                "progress": 90,
                "result": "failed",
                "raw_result": "Failed",
                "details": "NE error(0x32): the NE is rolled back.",
                "source": upgrade["events"][1]["source"].clone(),
            })
        );
        assert_eq!(upgrade["events"][1]["source"]["line"], 5);
        assert_eq!(upgrade["last_failure"]["source"]["line"], 7);
        assert_eq!(upgrade["last_failure"]["details"], Value::Null);
    }

    #[test]
    fn dc_tasks_by_ne_type_and_rollback() {
        let log = "Task,Type,Progress,Result\n\
                   T,,10,Started\n\
                   T,software upgrade,,Running\n\
                   T,,64,Rolled back\n\
                   U,,,Done\n";
        let tasks = ok(&[("exports/dc-tasks.txt", log)], "dc_tasks");
        // No NE column: the node's hostname; the type from the first event with one.
        assert_eq!(tasks[0]["ne"], "ne1");
        assert_eq!(tasks[0]["type"], "package-upgrade");
        assert_eq!(tasks[0]["raw_type"], "software upgrade");
        assert_eq!(tasks[0]["status"], "rolled-back");
        assert_eq!(tasks[0]["rolled_back"], true);
        assert_eq!(tasks[0]["failed_at"], json!([64]));
        assert_eq!(tasks[0]["package"], Value::Null);
        assert_eq!(tasks[1]["type"], "other");
        assert_eq!(tasks[1]["raw_type"], Value::Null);
        assert_eq!(tasks[1]["failed"], false);
        // The rows of another NE are that NE's, not this node's.
        let log = "Task,NE,Result\nT,osn6800-01,ok\nT,B,Failed\nT,osn6800-01,ok\n";
        let tasks = ok(&[("exports/dc-tasks.csv", log)], "dc_tasks");
        let tasks = tasks.as_array().unwrap();
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0]["events"].as_array().unwrap().len(), 2);
        assert_eq!(tasks[0]["failed"], false);
        // A log of other NEs only does not stand in for this one's.
        let log = "Task,NE,Result\nT,B,Failed\n";
        let p = fact(&[("exports/dc-tasks.csv", log)], "dc_tasks").unwrap_err();
        assert!(matches!(p, FactProblem::Missing { .. }), "{p:?}");
        // A malformed log is the fact's problem.
        let p = fact(&[("exports/dc-tasks.csv", "Task,Result\nT,\n")], "dc_tasks").unwrap_err();
        assert!(matches!(p, FactProblem::Malformed { line: 2, .. }), "{p:?}");
        let p = fact(&[], "dc_tasks").unwrap_err();
        assert!(matches!(p, FactProblem::Missing { .. }), "{p:?}");
    }

    #[test]
    fn ne_storage_entries() {
        let export = "NE,Board,Slot,Storage,Total (KB),Free (KB)\n\
                      OSN6800-01,SCC,17,OFS1,62464,1820\n\
                      ,SCC,,,,100\n";
        let boards = ok(&[("exports/ne-storage.csv", export)], "ne_storage");
        assert_eq!(
            boards[0]["where"],
            "OSN6800-01 board SCC slot 17 storage OFS1"
        );
        assert_eq!(boards[0]["free_kib"], 1820);
        assert_eq!(boards[0]["total_kib"], 62464);
        assert_eq!(boards[0]["source"]["line"], 2);
        assert_eq!(boards[1]["where"], "ne1 board SCC");
        assert_eq!(
            (
                &boards[1]["slot"],
                &boards[1]["storage"],
                &boards[1]["total_kib"]
            ),
            (&Value::Null, &Value::Null, &Value::Null)
        );
    }

    #[test]
    fn ne_reachability_from_ping_and_nms() {
        let ping = "PING 10.1.1.1 (10.1.1.1) 56(84) bytes of data.\n\
                    4 packets transmitted, 4 received, 0% packet loss, time 3003ms\n\
                    4 packets transmitted, 2 received, 50% packet loss, time 3003ms\n\
                    ping: unknown host ne09\n\
                    Pinging 10.1.1.2 with 32 bytes of data:\n\
                    Reply from 10.1.1.254: Destination host unreachable.\n\
                    Reply from 10.1.1.2: bytes=32 time<1ms TTL=64\n\
                    \x20   Packets: Sent = 2, Received = 2, Lost = 0 (0% loss),\n";
        // The NMS NE list of many NEs: only the row that is this node (ne1) counts.
        let comm = "NE,Status\nOSN6800-02,Normal\nne1,Disconnected\nOSN6800-03,Unknown\n";
        let both = [
            ("commands/ping", ping),
            ("exports/ne-communication.csv", comm),
        ];
        let entries = ok(&both, "ne_reachability");
        let brief: Vec<(String, String, Value, Value)> = entries
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["method"].as_str().unwrap().to_string(),
                    e["target"].as_str().unwrap().to_string(),
                    e["state"].clone(),
                    e["loss_percent"].clone(),
                )
            })
            .collect();
        let s = |a: &str, b: &str, c: Value, d: Value| (a.into(), b.into(), c, d);
        assert_eq!(
            brief,
            vec![
                s("ping", "10.1.1.1", Value::Null, json!(0.0)),
                s("ping", "ne1", Value::Null, json!(50.0)),
                s("ping", "ne09", Value::Null, json!(100.0)),
                s("ping", "10.1.1.2", Value::Null, json!(50.0)),
                s("nms", "ne1", json!("unreachable"), Value::Null),
            ]
        );
        assert_eq!(
            entries[0]["detail"],
            "4 packets transmitted, 4 received, 0% packet loss, time 3003ms"
        );
        assert_eq!(entries[0]["source"]["line"], 2);
        assert_eq!(entries[2]["detail"], "ping: unknown host ne09");
        assert!(
            entries[3]["detail"]
                .as_str()
                .unwrap()
                .contains("1 of the replies were ICMP errors"),
            "{}",
            entries[3]["detail"]
        );
        assert_eq!(entries[4]["detail"], "communication state: Disconnected");
        assert_eq!(entries[4]["source"]["line"], 3);
        // Either file alone will do.
        let only_ping = ok(&both[..1], "ne_reachability");
        assert_eq!(only_ping.as_array().unwrap().len(), 4);
        let only_nms = ok(&both[1..], "ne_reachability");
        assert_eq!(only_nms.as_array().unwrap().len(), 1);
        // This NE in a state the vocabulary does not know: an unknown entry.
        let unknown = ok(
            &[(
                "exports/ne-communication.txt",
                "NE  Status\nN1  Normal\nne1  Logging in\n",
            )],
            "ne_reachability",
        );
        assert_eq!(unknown[0]["state"], "unknown");
        assert_eq!(unknown.as_array().unwrap().len(), 1);
        // A list without this NE's row stands in for nothing: missing.
        match fact(
            &[("exports/ne-communication.csv", "NE,Status\nN1,Normal\n")],
            "ne_reachability",
        )
        .unwrap_err()
        {
            FactProblem::Missing { looked_for, .. } => assert!(
                looked_for.iter().any(|l| l.contains("a row naming NE1")),
                "{looked_for:?}"
            ),
            other => panic!("{other:?}"),
        }
        // Neither: missing, naming both inputs' files.
        match fact(&[], "ne_reachability").unwrap_err() {
            FactProblem::Missing { looked_for, .. } => {
                assert!(looked_for.contains(&"commands/ping".to_string()));
                assert!(looked_for.contains(&"exports/ne-communication.csv".to_string()));
            }
            other => panic!("{other:?}"),
        }
        // A bad file is the fact's problem, even beside a good one.
        let p = fact(
            &[("commands/ping", "PING x (1.1.1.1)\n"), both[1]],
            "ne_reachability",
        )
        .unwrap_err();
        assert!(matches!(p, FactProblem::Malformed { line: 1, .. }), "{p:?}");
        let p = fact(&[("commands/ping", ""), both[1]], "ne_reachability").unwrap_err();
        assert!(matches!(p, FactProblem::Unreadable { .. }), "{p:?}");
    }

    #[test]
    fn package_repository_and_load_packages() {
        let listing = "total 148496\n\
                       -rw-r--r-- 1 dc dc 152043520 Jul 20 09:12 osn6800v100r004c04spc800.PKG\n\
                       -rw-r--r-- 1 dc dc 2043904 Jul 18 16:40 OSN6800V100R004C01SPH106.pat\n";
        let log = "Task,Type,Package,Result\n\
                   P,Patch Update Task,OSN6800V100R004C01SPH106.pat,ok\n\
                   U,Package Upgrade Task,D:\\DC\\package\\OSN6800V100R004C04SPC800.pkg,Started\n\
                   U,Package Upgrade Task,OSN6800V100R004C04SPC800.pkg,Failed\n\
                   V,software upgrade,V100R004C01SPC900,Failed\n\
                   W,software upgrade,OSN6800V100R004C04SPC801.pkg,Failed\n\
                   X,software upgrade,V100R004C01SPH106,Failed\n";
        let files = [
            ("exports/package-repository.txt", listing),
            ("exports/dc-tasks.csv", log),
        ];
        let repo = ok(&files, "package_repository");
        assert_eq!(repo[0]["name"], "osn6800v100r004c04spc800.PKG");
        assert_eq!(repo[0]["size_bytes"], 152_043_520u64);
        assert_eq!(repo[1]["source"]["line"], 3);
        let packages = ok(&files, "load_packages");
        let brief: Vec<(Value, Value, Value, Value, Value)> = packages
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["name"].clone(),
                    p["task"].clone(),
                    p["listed"].clone(),
                    p["size_bytes"].clone(),
                    p["source"]["line"].clone(),
                )
            })
            .collect();
        assert_eq!(
            brief,
            vec![
                (
                    json!("D:\\DC\\package\\OSN6800V100R004C04SPC800.pkg"),
                    json!("U"),
                    json!(true),
                    json!(152_043_520u64),
                    json!(3)
                ),
                (
                    json!("OSN6800V100R004C04SPC800.pkg"),
                    json!("U"),
                    json!(true),
                    json!(152_043_520u64),
                    json!(4)
                ),
                (
                    json!("V100R004C01SPC900"),
                    json!("V"),
                    json!(false),
                    Value::Null,
                    json!(5)
                ),
                (
                    json!("OSN6800V100R004C04SPC801.pkg"),
                    json!("W"),
                    json!(false),
                    Value::Null,
                    json!(6)
                ),
                // A name without extension: the stem of the .pat file ends with it.
                (
                    json!("V100R004C01SPH106"),
                    json!("X"),
                    json!(true),
                    json!(2_043_904u64),
                    json!(7)
                ),
            ]
        );
        // Without a listing: null, not false.
        let packages = ok(&files[1..], "load_packages");
        assert_eq!(packages[0]["listed"], Value::Null);
        assert_eq!(packages[0]["size_bytes"], Value::Null);
        assert_eq!(packages.as_array().unwrap().len(), 5);
        // Without a task log: missing.
        let p = fact(&files[..1], "load_packages").unwrap_err();
        assert!(matches!(p, FactProblem::Missing { .. }), "{p:?}");
        // A bad listing is the fact's problem.
        let bad = [
            ("exports/package-repository.txt", "total 1\nnonsense\n"),
            files[1],
        ];
        let p = fact(&bad, "load_packages").unwrap_err();
        assert!(matches!(p, FactProblem::Malformed { line: 2, .. }), "{p:?}");
        // A listing that says the folder is absent lists nothing.
        let absent = [
            (
                "exports/package-repository.txt",
                "ls: cannot access '/opt/DC/package': No such file or directory\n",
            ),
            files[1],
        ];
        let got = facts_of(&absent, &["package_repository", "load_packages"]);
        assert_eq!(got[0].as_ref().unwrap(), &json!([]));
        assert_eq!(got[1].as_ref().unwrap()[0]["listed"], false);
    }
}
