//! Every fact rules can read, and how a node's facts are built from it.

use super::node_facts::{MalformedInput, NodeFacts, UnreadInput};
use super::problem::{FactProblem, FactResult};
use super::spec::{Build, FactSpec};
use super::{
    backups, clock, cluster_patch, cmp_gui, dms, exports, health, huawei, media, node, openscape,
    patch_state, patches, platform, security, ssh_keys, storage, time,
};
use crate::snapshot::Node;
use serde_json::{Value as Json, json};

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
    patch_state::PATCH_STATE,
];

pub fn spec(name: &str) -> Option<&'static FactSpec> {
    FACTS.iter().find(|f| f.name == name)
}

pub fn names() -> Vec<&'static str> {
    FACTS.iter().map(|f| f.name).collect()
}

impl NodeFacts<'_> {
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
        let result = match spec.build {
            Build::Node(build) => build(self),
            // The plan and the rule's parameters are lent by the engine.
            Build::Plan | Build::RuleParams => Ok(json!({})),
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
}

/// Every fact of a node, for `upcheck facts`: values, or the problem.
pub fn all_facts(node: &Node, plan: &Json, plan_file: Option<&std::path::Path>) -> Json {
    let mut facts =
        NodeFacts::new(node).with_plan_file(plan_file.map(std::path::Path::to_path_buf));
    let mut out = serde_json::Map::new();
    for spec in FACTS {
        let value = match spec.build {
            Build::Plan => plan.clone(),
            Build::RuleParams => continue,
            Build::Node(_) => match facts.get(spec.name) {
                Ok(v) => v,
                Err(p) => json!({ "problem": p.describe() }),
            },
        };
        out.insert(spec.name.to_string(), value);
    }
    Json::Object(out)
}
