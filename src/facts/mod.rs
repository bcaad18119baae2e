//! The fact model: what rules see of a node. Facts are built on demand from
//! the node's inputs, once per node, and only when a selected rule needs
//! them. Every record that came from a line of a file carries
//! `source: {file, line}` so findings can point at it.

pub mod file_digest;
pub mod log_scan;
pub mod procedure;
pub mod shared_exports;

mod backups;
mod clock;
mod cluster_patch;
mod cmp_gui;
mod dms;
mod exports;
mod health;
mod huawei;
mod media;
mod ne_rows;
mod node;
mod openscape;
mod patches;
mod platform;
mod security;
mod ssh_keys;
mod storage;
mod time;

pub use node::{identity_fact, plan_fact, toml_to_json};

use crate::parse::{Absence, Outcome};
use crate::snapshot::{self, Node};
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;

/// A fact rules can read, the inputs it is built from, and its fields.
pub struct FactSpec {
    pub name: &'static str,
    /// Always present (identity, plan, parameters); never needs `requires`.
    pub always: bool,
    pub inputs: &'static [&'static str],
    pub summary: &'static str,
    /// (field, type, meaning)
    pub fields: &'static [(&'static str, &'static str, &'static str)],
}

pub const FACTS: &[FactSpec] = &[
    node::NODE,
    node::PLAN,
    node::PARAMS,
    time::TIME,
    clock::CLOCK,
    clock::RTC,
    storage::FILESYSTEMS,
    storage::INODES,
    patches::PATCHES,
    security::ACCOUNTS,
    security::LOGIN_DEFS,
    security::LIBUSER,
    security::PAM_PASSWORD,
    media::STAGED_ISOS,
    media::CHECKSUM_FILE,
    media::ISO_CHECKSUMS,
    backups::BACKUPS,
    backups::BACKUP_REPOSITORY,
    health::SYSCHECK,
    exports::ALARMS,
    exports::BASELINE_ALARMS,
    exports::UPGRADE_LOG,
    ssh_keys::SSH_KEY_CHECK,
    cmp_gui::CLUSTER_CONFIG,
    cmp_gui::AUDIT_LOG,
    platform::PLATFORM_LEVELS,
    huawei::DC_TASKS,
    huawei::NE_STORAGE,
    huawei::NE_REACHABILITY,
    huawei::PACKAGE_REPOSITORY,
    huawei::LOAD_PACKAGES,
    openscape::OPENSCAPE_PATCHES,
    openscape::AMO_PATCH_FILES,
    openscape::INSTALLED_APS,
    dms::PRSM_DESTS,
    dms::PRSM_PRSUS,
    dms::PRSM_AUDIT,
    dms::PRSM_IMAGES,
    dms::PRSM_AUTOPROC,
    cluster_patch::CLUSTER_PATCH,
    cluster_patch::PATCH_FILES,
    cluster_patch::PATCH_MANIFEST,
    cluster_patch::PATCH_RUN,
];

pub fn spec(name: &str) -> Option<&'static FactSpec> {
    FACTS.iter().find(|f| f.name == name)
}

pub fn names() -> Vec<&'static str> {
    FACTS.iter().map(|f| f.name).collect()
}

/// Why a fact could not be built.
#[derive(Debug, Clone, PartialEq)]
pub enum FactProblem {
    /// No candidate file exists.
    Missing {
        input: String,
        looked_for: Vec<String>,
    },
    /// A file exists but could not be read.
    Unreadable { path: String, reason: String },
    /// A file exists but breaks its format.
    Malformed {
        path: String,
        line: usize,
        reason: String,
    },
    /// The input says the check does not apply here (no RTC on a VM).
    NotApplicable { path: String, reason: String },
}

impl FactProblem {
    pub fn describe(&self) -> String {
        match self {
            FactProblem::Missing { input, looked_for } => {
                format!(
                    "input `{input}` is missing: looked for {}",
                    looked_for.join(", ")
                )
            }
            FactProblem::Unreadable { path, reason } => format!("{path} is unreadable: {reason}"),
            FactProblem::Malformed { path, line, reason } => {
                format!("{path} is malformed at line {line}: {reason}")
            }
            FactProblem::NotApplicable { path, reason } => format!("{path}: {reason}"),
        }
    }
}

pub type FactResult = Result<Json, FactProblem>;

/// A file that was read: its text (for evidence excerpts) and digest.
pub struct InputRead {
    /// Path relative to the node folder.
    pub rel: String,
    pub text: String,
    pub digest: String,
    /// Lines (1-based, inclusive) of PEM private key blocks, found when an
    /// excerpt of the file is first asked for.
    pub key_blocks: std::sync::OnceLock<Vec<(usize, usize)>>,
}

/// A file a parser rejected, reported once per node as a tool finding.
#[derive(Debug, Clone)]
pub struct MalformedInput {
    pub path: String,
    pub line: usize,
    pub reason: String,
}

/// A file that exists but was not read, reported once per node as a tool
/// finding: why, and the code that says it (90003, or 90007 to 90009).
#[derive(Debug, Clone)]
pub struct UnreadInput {
    pub path: String,
    pub reason: String,
    pub code: u32,
}

/// The bytes of input text one node may hold while it is evaluated,
/// unless `--max-node-input-mib` says otherwise.
pub const DEFAULT_NODE_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// The facts of one node, built lazily and cached.
pub struct NodeFacts<'a> {
    pub node: &'a Node,
    /// The same node in the pre snapshot, when one was given.
    pub baseline: Option<&'a Node>,
    cache: BTreeMap<&'static str, FactResult>,
    /// Files read, by the path shown in findings (node folder joined).
    pub reads: BTreeMap<String, InputRead>,
    pub malformed: Vec<MalformedInput>,
    pub unreadable: Vec<UnreadInput>,
    /// The node folder's files, listed on first use.
    files: Option<Vec<String>>,
    /// Bytes of input text this node may still hold in `reads`.
    budget: u64,
    /// The plan file of the node's fleet root, if one was read.
    pub plan_file: Option<std::path::PathBuf>,
}

impl<'a> NodeFacts<'a> {
    pub fn new(node: &'a Node) -> Self {
        NodeFacts {
            node,
            baseline: None,
            cache: BTreeMap::new(),
            reads: BTreeMap::new(),
            malformed: Vec::new(),
            unreadable: Vec::new(),
            files: None,
            budget: DEFAULT_NODE_INPUT_BYTES,
            plan_file: None,
        }
    }

    /// The plan file the run read for the node's fleet root.
    pub fn with_plan_file(mut self, file: Option<std::path::PathBuf>) -> Self {
        self.plan_file = file;
        self
    }

    /// The bytes of input text the node may hold in all.
    pub fn with_input_limit(mut self, bytes: u64) -> Self {
        self.budget = bytes;
        self
    }

    pub fn with_baseline(mut self, baseline: Option<&'a Node>) -> Self {
        self.baseline = baseline;
        self
    }

    /// The fact `name` of the baseline node. Its files count as read by
    /// this node (evidence excerpts, input digest, tool findings).
    pub fn baseline_fact(&mut self, name: &str) -> FactResult {
        let Some(baseline) = self.baseline else {
            return Err(FactProblem::Missing {
                input: "baseline snapshot".into(),
                looked_for: vec![
                    format!("{} in --baseline-snapshot DIR", self.node.name()),
                    "a pre/ folder beside post/".into(),
                ],
            });
        };
        // The baseline's texts are held with this node's: one budget.
        let mut other = NodeFacts::new(baseline).with_input_limit(self.budget);
        let result = other.get(name);
        self.budget = other.budget;
        self.reads.append(&mut other.reads);
        self.malformed.append(&mut other.malformed);
        self.unreadable.append(&mut other.unreadable);
        result
    }

    /// The fact `name`, building it on first use.
    pub fn get(&mut self, name: &str) -> FactResult {
        if let Some(r) = self.cache.get(name) {
            return r.clone();
        }
        let Some(spec) = spec(name) else {
            return Err(FactProblem::Missing {
                input: name.to_string(),
                looked_for: vec![],
            });
        };
        let result = match spec.name {
            "node" => Ok(identity_fact(self.node)),
            "time" => time::build(self),
            "clock" => clock::build_clock(self),
            "rtc" => clock::build_rtc(self),
            "filesystems" => storage::build_filesystems(self),
            "inodes" => storage::build_inodes(self),
            "patches" => patches::build(self),
            "accounts" => security::build_accounts(self),
            "login_defs" => security::build_login_defs(self),
            "libuser" => security::build_libuser(self),
            "pam_password" => security::build_pam_password(self),
            "staged_isos" => media::build_staged_isos(self),
            "checksum_file" => media::build_checksum_file(self),
            "iso_checksums" => media::build_iso_checksums(self),
            "backups" => backups::build(self),
            "backup_repository" => backups::build_repository(self),
            "syscheck" => health::build(self),
            "alarms" => exports::build_alarms(self),
            "baseline_alarms" => exports::build_baseline_alarms(self),
            "upgrade_log" => exports::build_upgrade_log(self),
            "ssh_key_check" => ssh_keys::build(self),
            "cluster_config" => cmp_gui::build_cluster_config(self),
            "audit_log" => cmp_gui::build_audit_log(self),
            "platform_levels" => platform::build(self),
            "dc_tasks" => huawei::build_dc_tasks(self),
            "ne_storage" => huawei::build_ne_storage(self),
            "ne_reachability" => huawei::build_ne_reachability(self),
            "package_repository" => huawei::build_package_repository(self),
            "load_packages" => huawei::build_load_packages(self),
            "openscape_patches" => openscape::build_openscape_patches(self),
            "amo_patch_files" => openscape::build_amo_patch_files(self),
            "installed_aps" => openscape::build_installed_aps(self),
            "prsm_dests" => dms::build_dests(self),
            "prsm_prsus" => dms::build_prsus(self),
            "prsm_audit" => dms::build_audit(self),
            "prsm_images" => dms::build_images(self),
            "prsm_autoproc" => dms::build_autoproc(self),
            "cluster_patch" => cluster_patch::build_cluster_patch(self),
            "patch_files" => cluster_patch::build_patch_files(self),
            "patch_manifest" => cluster_patch::build_patch_manifest(self),
            "patch_run" => cluster_patch::build_patch_run(self),
            // plan and params come from the fleet and the rule, not the node.
            _ => Ok(json!({})),
        };
        // The file that left the fact without data becomes a tool finding,
        // once; a file a better source replaced does not.
        match &result {
            Err(FactProblem::Unreadable { path, reason })
                if !self.unreadable.iter().any(|u| &u.path == path) =>
            {
                self.unreadable.push(UnreadInput {
                    path: path.clone(),
                    reason: reason.clone(),
                    code: crate::model::tool_codes::INPUT_UNREADABLE,
                });
            }
            Err(FactProblem::Malformed { path, line, reason })
                if !self.malformed.iter().any(|m| &m.path == path) =>
            {
                self.malformed.push(MalformedInput {
                    path: path.clone(),
                    line: *line,
                    reason: reason.clone(),
                });
            }
            _ => {}
        }
        self.cache.insert(spec.name, result.clone());
        result
    }

    /// A path shown in findings, relative to the node folder: the stable
    /// part used in fingerprints, whatever path the user typed.
    pub fn node_relative(&self, shown: &str) -> String {
        self.reads
            .get(shown)
            .map(|r| r.rel.clone())
            .unwrap_or_else(|| {
                self.node
                    .relative(std::path::Path::new(shown))
                    .to_string_lossy()
                    .into_owned()
            })
    }

    /// Reads and parses one logical input. Missing and unreadable files are
    /// problems; the parser's outcome is returned as is with the path shown
    /// in findings (the node folder joined with the file's relative path).
    pub fn parse<T>(
        &mut self,
        input: &str,
        parser: fn(&str) -> Outcome<T>,
    ) -> Result<(String, Outcome<T>), FactProblem> {
        let Some(spec) = snapshot::input_spec(input) else {
            return Err(FactProblem::Missing {
                input: input.to_string(),
                looked_for: vec![],
            });
        };
        let path = self
            .node
            .resolve(spec)
            .map_err(|looked_for| FactProblem::Missing {
                input: input.to_string(),
                looked_for,
            })?;
        self.parse_file(&path, parser)
    }

    /// Reads and parses one file of the node (once; later calls reuse the
    /// text). An unreadable file is a problem.
    pub fn parse_file<T>(
        &mut self,
        path: &std::path::Path,
        parser: fn(&str) -> Outcome<T>,
    ) -> Result<(String, Outcome<T>), FactProblem> {
        let rel = self.read_file(path)?;
        let text = &self.reads[&rel].text;
        let outcome = parser(text);
        if let Outcome::Malformed(m) = &outcome
            && !self.malformed.iter().any(|x| x.path == rel)
        {
            self.malformed.push(MalformedInput {
                path: rel.clone(),
                line: m.line,
                reason: m.reason.clone(),
            });
        }
        Ok((rel, outcome))
    }

    /// Reads one file of the node once; returns the path shown in findings,
    /// the key of its text in `reads`. An unreadable file is a problem.
    pub fn read_file(&mut self, path: &std::path::Path) -> Result<String, FactProblem> {
        let rel = path.display().to_string();
        if self.reads.contains_key(&rel) {
            return Ok(rel);
        }
        // A many-NE export elsewhere in the fleet is read as its owner would.
        let read = match self.node.shared.read(path, self.budget) {
            Some(read) if !path.starts_with(&self.node.dir) => read,
            _ => self.node.read_within(path, self.budget),
        };
        match read {
            Ok(text) => {
                self.budget = self.budget.saturating_sub(text.len() as u64);
                let digest = crate::model::hex(&sha2_digest(text.as_bytes()));
                let node_rel = self.node.relative(path).to_string_lossy().into_owned();
                let read = InputRead {
                    rel: node_rel,
                    text,
                    digest,
                    key_blocks: Default::default(),
                };
                self.reads.insert(rel.clone(), read);
                Ok(rel)
            }
            Err(e) => {
                if !self.unreadable.iter().any(|u| u.path == rel) {
                    self.unreadable.push(UnreadInput {
                        path: rel.clone(),
                        reason: e.reason.clone(),
                        code: e.code,
                    });
                }
                Err(FactProblem::Unreadable {
                    path: rel,
                    reason: e.reason,
                })
            }
        }
    }

    /// Reads a file of the fleet rather than of the node (beside plan.toml),
    /// once; the path shown in findings is also its key in `reads`, and its
    /// name alone is the stable part used in fingerprints.
    pub fn read_fleet_file(&mut self, path: &std::path::Path) -> Result<String, FactProblem> {
        let shown = path.display().to_string();
        if self.reads.contains_key(&shown) {
            return Ok(shown);
        }
        let text = snapshot::read_input(path).map_err(|reason| FactProblem::Unreadable {
            path: shown.clone(),
            reason,
        })?;
        let read = InputRead {
            rel: path
                .file_name()
                .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned()),
            digest: crate::model::hex(&sha2_digest(text.as_bytes())),
            text,
            key_blocks: Default::default(),
        };
        self.reads.insert(shown.clone(), read);
        Ok(shown)
    }

    /// Every file of the node folder, relative to it with `/` separators,
    /// sorted; listed once per node.
    pub fn files(&mut self) -> &[String] {
        let node = self.node;
        self.files.get_or_insert_with(|| node.files())
    }

    /// The text of line `line` of a file read for this node.
    pub fn line_text(&self, rel: &str, line: usize) -> Option<&str> {
        let text = &self.reads.get(rel)?.text;
        text.lines().nth(line.checked_sub(1)?)
    }

    /// Whether `line` of `rel` lies inside a private key, where a line of
    /// base64 is the key itself and no excerpt may show it.
    pub fn in_private_key(&self, rel: &str, line: usize) -> bool {
        let Some(read) = self.reads.get(rel) else {
            return false;
        };
        read.key_blocks
            .get_or_init(|| crate::model::redact::private_key_blocks(&read.text))
            .iter()
            .any(|&(first, last)| (first..=last).contains(&line))
    }
}

fn sha2_digest(bytes: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).to_vec()
}

/// `{file, line}` for a record.
pub fn source(file: &str, line: usize) -> Json {
    json!({ "file": file, "line": line })
}

/// The records of a parsed file, or the problem that stands in for them.
pub(crate) fn parsed<T>(rel: &str, outcome: Outcome<T>) -> Result<T, FactProblem> {
    match outcome {
        Outcome::Parsed { records } => Ok(records),
        // outcome_problem answers None only for Parsed.
        other => Err(outcome_problem(rel, &other).expect("not parsed")),
    }
}

/// Turns a parser outcome that is not `Parsed` into the matching problem.
pub fn outcome_problem<T>(rel: &str, outcome: &Outcome<T>) -> Option<FactProblem> {
    match outcome {
        Outcome::Parsed { .. } => None,
        Outcome::Malformed(m) => Some(FactProblem::Malformed {
            path: rel.to_string(),
            line: m.line,
            reason: m.reason.clone(),
        }),
        Outcome::NotApplicable(na) => Some(match na.kind {
            // The collector failed or wrote nothing: as good as missing.
            Absence::ToolMissing | Absence::Empty => FactProblem::Unreadable {
                path: rel.to_string(),
                reason: na.reason.clone(),
            },
            Absence::ServiceDown | Absence::NoDevice => FactProblem::NotApplicable {
                path: rel.to_string(),
                reason: na.reason.clone(),
            },
        }),
    }
}

/// Every fact of a node, for `upcheck facts`: values, or the problem.
pub fn all_facts(node: &Node, plan: &Json, plan_file: Option<&std::path::Path>) -> Json {
    let mut facts =
        NodeFacts::new(node).with_plan_file(plan_file.map(std::path::Path::to_path_buf));
    let mut out = serde_json::Map::new();
    for spec in FACTS {
        let value = match spec.name {
            "plan" => plan.clone(),
            "params" => continue,
            name => match facts.get(name) {
                Ok(v) => v,
                Err(p) => json!({ "problem": p.describe() }),
            },
        };
        out.insert(spec.name.to_string(), value);
    }
    Json::Object(out)
}

/// Facts of a one-node snapshot written for a test.
#[cfg(test)]
pub(crate) mod testing {
    use super::{FactResult, NodeFacts};
    use crate::snapshot;

    /// The facts `names` of a node whose folder holds `node.json` and
    /// `files` (relative path, text).
    pub fn facts_of(node_json: &str, files: &[(&str, &str)], names: &[&str]) -> Vec<FactResult> {
        let dir = tempfile::tempdir().unwrap();
        let node = dir.path().join("node");
        std::fs::create_dir_all(&node).unwrap();
        std::fs::write(node.join("node.json"), node_json).unwrap();
        for (rel, text) in files {
            let path = node.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let (nodes, _) = snapshot::discover(&[dir.path().to_path_buf()]);
        let mut facts = NodeFacts::new(&nodes[0]);
        names.iter().map(|n| facts.get(n)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fact_and_input_names_are_unique() {
        let mut facts = names();
        facts.sort();
        let before = facts.len();
        facts.dedup();
        assert_eq!(facts.len(), before, "a fact name is used twice");
        let mut inputs: Vec<&str> = snapshot::INPUTS.iter().map(|i| i.name).collect();
        inputs.sort();
        let before = inputs.len();
        inputs.dedup();
        assert_eq!(inputs.len(), before, "an input name is used twice");
        for spec in FACTS {
            for input in spec.inputs {
                assert!(
                    snapshot::input_spec(input).is_some(),
                    "fact {} reads unknown input {input}",
                    spec.name
                );
            }
        }
    }
}
