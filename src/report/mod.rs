//! Reports: the stamped result of a run, and one renderer per format.

mod ci;
#[cfg(test)]
mod complexity;
mod diff;
mod format;
mod html;
mod json;
mod junit;
mod markdown;
mod pieces;
mod sarif;
mod schema;
mod table;

pub use ci::{render_github, render_gitlab};
pub use diff::render_diff_table;
pub use format::ReportFormat;
pub use html::{render_html, write_html};
pub use json::{render_json, write_json, write_report_json};
pub use junit::{KnownAs, render_junit, write_junit};
pub use markdown::render_markdown;
pub use sarif::{render_sarif, write_sarif};
pub use schema::json_schema;
pub use table::{DEFAULT_WIDTH, TableOptions, render_rules, render_statistics, render_table};

use crate::catalog::Catalog;
use crate::engine::shard::ShardData;
use crate::model::tool_codes::TOOL_CODES;
use crate::model::{
    BaselineState, Cause, Evaluation, Evaluations, Phase, Scope, Severity, Status, TOOL, Tool,
    WaiverNote,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The version of the JSON report's shape (docs/report.schema.json).
/// Changes are additive: a new minor version adds fields, never removes one.
pub const SCHEMA_VERSION: &str = "1.3.0";

/// Counts for summaries.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Summary {
    pub nodes: usize,
    pub evaluations: usize,
    /// Evaluations per status; every status present, zero or not.
    #[schemars(schema_with = "schema::status_counts")]
    pub by_status: BTreeMap<&'static str, usize>,
    /// Failing evaluations per severity; every severity present.
    #[schemars(schema_with = "schema::severity_counts")]
    pub failing_by_severity: BTreeMap<&'static str, usize>,
}

/// What a rule (or a tool code) is, for formats that describe every rule
/// they may report (SARIF's driver, the HTML legend).
#[derive(Debug, Clone)]
pub struct RuleDescriptor {
    pub code: u32,
    pub name: String,
    pub title: String,
    pub severity: Severity,
    pub explanation: String,
    pub remediation: String,
    /// What `upcheck explain CODE` prints.
    pub help: String,
}

/// The catalog's rules and the tool's own codes, by code.
pub fn rule_descriptors(catalog: &Catalog) -> Vec<RuleDescriptor> {
    let mut all: Vec<RuleDescriptor> = catalog
        .rules
        .values()
        .map(|r| RuleDescriptor {
            code: r.code,
            name: r.name.to_string(),
            title: r.title.clone(),
            severity: r.severity,
            explanation: r.explanation.clone(),
            remediation: r.remediation.to_string(),
            help: crate::catalog::docs::explain(catalog, r.code).unwrap_or_default(),
        })
        .chain(TOOL_CODES.iter().map(|t| RuleDescriptor {
            code: t.code,
            name: t.name.to_string(),
            title: t.title.to_string(),
            severity: t.severity,
            explanation: t.explanation.to_string(),
            remediation: t.remediation.to_string(),
            help: crate::catalog::docs::explain(catalog, t.code).unwrap_or_default(),
        }))
        .collect();
    all.sort_by_key(|r| r.code);
    all
}

/// What was checked, with what, when and how: stamped on every format.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Provenance {
    /// sha256 over the rule files of the catalog that ran.
    #[schemars(regex(pattern = r"^sha256:[0-9a-f]{64}$"))]
    pub rules_digest: String,
    /// sha256 over the (node, node inputs digest) pairs of every node
    /// checked, sorted; a node's inputs digest is sha256 over the (file,
    /// content digest) pairs its rules read, sorted. Defined per node so
    /// that merged shards give the digest of a single run.
    #[schemars(regex(pattern = r"^sha256:[0-9a-f]{64}$"))]
    pub inputs_digest: String,
    /// RFC 3339 time of the run (SOURCE_DATE_EPOCH when set).
    #[schemars(extend("format" = "date-time"))]
    pub generated_at: String,
    /// The arguments of the run, the program's file name first.
    #[schemars(length(min = 1))]
    pub command_line: Vec<String>,
}

/// What a run hands its report beside the evaluations: `check` fills it
/// from the engine's run, `merge` from the shard reports.
pub struct RunExtras {
    pub phase: Phase,
    pub nodes: usize,
    pub rules_digest: String,
    pub inputs_digest: String,
    pub generated_at: String,
    pub command_line: Vec<String>,
    /// The settings, waivers and plan files the run read.
    pub policy_files: PolicyFiles,
    pub places: Places,
    pub digests: Digests,
    pub junit_known: KnownAs,
}

/// The settings (upcheck.toml), waivers and plan files a run loaded, as
/// given or found; null or empty when none. A file inside a node snapshot
/// is the snapshot's and is never loaded. Since 1.2.0.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct PolicyFiles {
    pub config: Option<String>,
    pub waivers: Option<String>,
    pub plans: Vec<String>,
}

/// Where findings without evidence are located (SARIF needs a file for
/// every result): per node name, its node.json, where its identity, site
/// and cluster are declared, or its folder when it has none (a sosreport).
#[derive(Debug, Clone, Default)]
pub struct Places {
    pub nodes: BTreeMap<String, String>,
}

/// The digests of staged ISO images a run used (rule 20008), by how each
/// was had: the files listed, sorted. Absent from the JSON report when the
/// run used none.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct Digests {
    /// Images read and hashed by this run.
    pub computed: BTreeSet<String>,
    /// Images whose digest the digest cache (`--cache DIR`) had.
    pub cached: BTreeSet<String>,
    /// The `commands/md5sum_…` outputs whose md5, recorded on the node,
    /// was used instead of hashing a copy.
    pub recorded: BTreeSet<String>,
}

impl Digests {
    pub fn is_empty(&self) -> bool {
        self.computed.is_empty() && self.cached.is_empty() && self.recorded.is_empty()
    }

    /// Adds the digests of another part of the fleet (a shard).
    pub fn unite(&mut self, other: Digests) {
        self.computed.extend(other.computed);
        self.cached.extend(other.cached);
        self.recorded.extend(other.recorded);
    }

    /// Adds (file, origin) pairs; nodes may share a file.
    pub fn extend(&mut self, used: impl IntoIterator<Item = (String, String)>) {
        for (file, origin) in used {
            let list = match origin.as_str() {
                "computed" => &mut self.computed,
                "cached" => &mut self.cached,
                _ => &mut self.recorded,
            };
            list.insert(file);
        }
    }
}

/// The JSON report of `upcheck check --format json` (and of `merge`):
/// everything a run produced, stamped so an auditor can tell what was
/// checked. schema_version follows semantic versioning: a minor version
/// only adds optional fields, a major version may change or remove them.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Report {
    /// The version of this schema the report follows.
    #[schemars(regex(pattern = r"^1\.[0-9]+\.[0-9]+$"))]
    pub schema_version: &'static str,
    pub tool: Tool,
    #[schemars(with = "Phase")]
    pub phase: &'static str,
    #[serde(flatten)]
    pub provenance: Provenance,
    /// The operator's files the run loaded.
    pub policy_files: PolicyFiles,
    pub summary: Summary,
    /// The md5 digests of staged ISO images the run used (rule 20008), by
    /// how each was had; each list sorted. Absent when the run used none;
    /// a merged report unites its shards'. Since 1.3.0.
    #[serde(skip_serializing_if = "Digests::is_empty")]
    pub digests: Digests,
    /// Every evaluation of the run, ranked: nodes by name, then groups;
    /// within one, root causes, consequences, the rest, by code.
    #[schemars(with = "Vec<Evaluation>")]
    pub evaluations: Evaluations,
    /// Only in the report of `check --shard K/N` (since 1.1.0): what
    /// `upcheck merge` needs to combine the shards into the report of one
    /// run. Group-scope rules are not evaluated in a shard; their facts are
    /// carried here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardData>,
    /// Every rule the run could report; not part of the JSON report.
    #[serde(skip)]
    pub rules: Vec<RuleDescriptor>,
    /// Where findings without evidence are located; not part of the JSON report.
    #[serde(skip)]
    pub places: Places,
    /// How JUnit reports failures the baseline already had.
    #[serde(skip)]
    pub junit_known: KnownAs,
    /// The first member's file of each group, found once for all the
    /// group findings a format locates.
    #[serde(skip)]
    member_files: std::sync::OnceLock<MemberFiles>,
    /// The positions of the failing evaluations per (code, subject), found
    /// once for all the causes a format follows.
    #[serde(skip)]
    failures: std::sync::OnceLock<BTreeMap<Cause, Vec<usize>>>,
}

/// The node file of the first node (in report order) of each cluster and
/// site, and of the whole fleet: where a group finding without evidence is
/// located.
#[derive(Debug, Default)]
struct MemberFiles {
    cluster: BTreeMap<String, String>,
    site: BTreeMap<String, String>,
    any: Option<String>,
}

impl MemberFiles {
    fn of(report: &Report) -> MemberFiles {
        let mut files = MemberFiles::default();
        for e in report
            .evaluations
            .briefs()
            .filter(|e| e.scope == Scope::Node)
        {
            let Some(file) = report.places.nodes.get(&**e.node) else {
                continue;
            };
            for (group, by) in [(e.cluster, &mut files.cluster), (e.site, &mut files.site)] {
                if let Some(group) = group {
                    by.entry(group.to_string()).or_insert_with(|| file.clone());
                }
            }
            files.any.get_or_insert_with(|| file.clone());
        }
        files
    }
}

impl Report {
    pub fn new(
        phase: Phase,
        provenance: Provenance,
        rules: Vec<RuleDescriptor>,
        nodes: usize,
        evaluations: Evaluations,
    ) -> Report {
        let mut by_status: BTreeMap<&'static str, usize> =
            Status::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        let mut failing_by_severity: BTreeMap<&'static str, usize> =
            Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        for e in evaluations.briefs() {
            *by_status.entry(e.status.as_str()).or_default() += 1;
            if e.status == Status::Fail {
                *failing_by_severity.entry(e.severity.as_str()).or_default() += 1;
            }
        }
        Report {
            schema_version: SCHEMA_VERSION,
            tool: TOOL,
            phase: phase.as_str(),
            provenance,
            policy_files: PolicyFiles::default(),
            summary: Summary {
                nodes,
                evaluations: evaluations.len(),
                by_status,
                failing_by_severity,
            },
            digests: Digests::default(),
            evaluations,
            shard: None,
            rules,
            places: Places::default(),
            junit_known: KnownAs::default(),
            member_files: std::sync::OnceLock::new(),
            failures: std::sync::OnceLock::new(),
        }
    }

    /// The report of a run over `catalog`, stamped with its provenance.
    pub fn of_run(catalog: &Catalog, evaluations: Evaluations, run: RunExtras) -> Report {
        let provenance = Provenance {
            rules_digest: run.rules_digest,
            inputs_digest: run.inputs_digest,
            generated_at: run.generated_at,
            command_line: run.command_line,
        };
        let rules = rule_descriptors(catalog);
        let mut report = Report::new(run.phase, provenance, rules, run.nodes, evaluations);
        report.policy_files = run.policy_files;
        report.places = run.places;
        report.digests = run.digests;
        report.junit_known = run.junit_known;
        report
    }

    /// The file a subject is declared in, where formats that need a file
    /// for every finding (SARIF, JUnit's `file`) put one without evidence:
    /// a node's node.json; a cluster's or site's, the node.json of its
    /// first member (where membership is declared); the fleet's, the first
    /// plan file read, else the first node's node.json.
    pub fn subject_file(&self, e: &Evaluation) -> String {
        let members = self.member_files.get_or_init(|| MemberFiles::of(self));
        let plan = || self.policy_files.plans.first().cloned();
        let place = match e.scope {
            Scope::Node => self.places.nodes.get(&*e.node).cloned(),
            Scope::Cluster => members.cluster.get(&*e.node).cloned().or_else(plan),
            Scope::Site => members.site.get(&*e.node).cloned().or_else(plan),
            Scope::Fleet => plan().or_else(|| members.any.clone()),
        };
        // A report read back without its snapshots still names a file.
        place
            .or_else(|| self.places.nodes.values().next().cloned())
            .unwrap_or_else(|| crate::snapshot::NODE_MARKER.to_string())
    }

    /// The failing evaluations a cause names, in report order.
    pub fn failures_of(&self, cause: &Cause) -> impl Iterator<Item = &Evaluation> {
        let index = self.failures.get_or_init(|| {
            let mut index: BTreeMap<Cause, Vec<usize>> = BTreeMap::new();
            for (i, e) in self.evaluations.briefs().enumerate() {
                if e.status == Status::Fail {
                    let cause = Cause {
                        code: e.code,
                        node: e.node.clone(),
                    };
                    index.entry(cause).or_default().push(i);
                }
            }
            index
        });
        let found = index.get(cause).map_or(&[][..], Vec::as_slice);
        // Failures are held whole.
        found
            .iter()
            .filter_map(|&i| self.evaluations.brief(i).whole)
    }

    /// The file and line an evaluation is shown at by formats that show
    /// one place: its first evidence, else the file its subject is
    /// declared in, at line 1.
    pub fn place(&self, e: &Evaluation) -> (String, usize) {
        match e.evidence.first() {
            Some(ev) => (ev.path.clone(), ev.line.filter(|l| *l > 0).unwrap_or(1)),
            None => (self.subject_file(e), 1),
        }
    }

    pub fn rule(&self, code: u32) -> Option<&RuleDescriptor> {
        // rule_descriptors sorts them by code.
        match self.rules.binary_search_by_key(&code, |r| r.code) {
            Ok(i) => Some(&self.rules[i]),
            Err(_) => self.rules.iter().find(|r| r.code == code),
        }
    }

    pub fn count(&self, status: Status) -> usize {
        self.summary
            .by_status
            .get(status.as_str())
            .copied()
            .unwrap_or(0)
    }

    /// The one-line summary human formats end with.
    pub fn summary_line(&self) -> String {
        let s = &self.summary;
        let fails: Vec<String> = Severity::ALL
            .iter()
            .filter_map(|sev| {
                let n = s.failing_by_severity[sev.as_str()];
                (n > 0).then(|| format!("{n} {sev}"))
            })
            .collect();
        let failed = self.count(Status::Fail);
        let detail = if fails.is_empty() {
            String::new()
        } else {
            format!(" ({})", fails.join(", "))
        };
        format!(
            "{} node(s), {} evaluation(s): {failed} failed{detail}, {} unknown, {} passed, {} not applicable, {} waived",
            s.nodes,
            s.evaluations,
            self.count(Status::Unknown),
            self.count(Status::Pass),
            self.count(Status::NotApplicable),
            self.count(Status::Waived),
        )
    }
}

/// The positions of the evaluations of each subject (one node, or one
/// cluster, site or fleet group): in report order, they come together.
pub fn subject_ranges(evaluations: &Evaluations) -> Vec<std::ops::Range<usize>> {
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let mut last = None;
    for (i, e) in evaluations.briefs().enumerate() {
        let subject = (e.scope, e.node);
        match ranges.last_mut() {
            Some(range) if last == Some(subject) => range.end = i + 1,
            _ => ranges.push(i..i + 1),
        }
        last = Some(subject);
    }
    ranges
}

/// Evaluations (in report order) grouped by what they cover: one node, or
/// one cluster, site or fleet group.
pub fn by_subject<'a>(
    evaluations: impl IntoIterator<Item = &'a Evaluation>,
) -> Vec<Vec<&'a Evaluation>> {
    let mut groups: Vec<Vec<&Evaluation>> = Vec::new();
    for e in evaluations {
        match groups.last_mut() {
            Some(list) if list[0].scope == e.scope && list[0].node == e.node => list.push(e),
            _ => groups.push(vec![e]),
        }
    }
    groups
}

/// How a subject is headed in every format: `node mpe-east-a (east /
/// mpe-east)`, `cluster mpe-east`.
pub fn subject_heading(e: &Evaluation) -> String {
    let mut h = format!("{} {}", e.scope.as_str(), e.node);
    let place: Vec<&str> = [e.site.as_deref(), e.cluster.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if e.scope == Scope::Node && !place.is_empty() {
        h.push_str(&format!(" ({})", place.join(" / ")));
    }
    h
}

/// How every format words a waiver: `waived by j.doe until 2026-12-31
/// (CHG-1234): archive volume, cleaned weekly`.
pub fn waiver_text(w: &WaiverNote) -> String {
    let ticket = w
        .ticket
        .as_ref()
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    format!(
        "waived by {} until {}{ticket}: {}",
        w.approver,
        w.expires,
        w.reason.trim()
    )
}

/// `[known] ` before a failure the baseline report already had, `[new] `
/// before one it had not, nothing without a baseline.
pub fn baseline_tag(e: &Evaluation) -> &'static str {
    match e.baseline {
        Some(BaselineState::Known) => "[known] ",
        Some(BaselineState::New) => "[new] ",
        None => "",
    }
}

/// `unknown: ` before the message of an evaluation that could not be
/// decided, for formats whose readers do not show a status of their own
/// (SARIF in GitHub, annotations, Code Quality).
pub fn unknown_tag(e: &Evaluation) -> &'static str {
    if e.status == Status::Unknown {
        "unknown: "
    } else {
        ""
    }
}

/// The time stamped on reports: SOURCE_DATE_EPOCH when set (reproducible
/// builds convention), else now.
pub fn generated_at() -> String {
    let now = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .unwrap_or_else(chrono::Utc::now);
    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
