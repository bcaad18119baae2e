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
use std::sync::Arc;

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
    backups::RECORDED_BACKUPS,
    health::SYSCHECK,
    exports::ALARMS,
    exports::BASELINE_ALARMS,
    exports::UPGRADE_LOG,
    ssh_keys::SSH_KEY_CHECK,
    cmp_gui::CLUSTER_CONFIG,
    cmp_gui::AUDIT_LOG,
    cmp_gui::KPIS,
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
        self.get_shared(name).map(|fact| (*fact).clone())
    }

    /// The fact `name` as the node holds it, building it on first use:
    /// a rule reading it shares it instead of copying it.
    pub fn get_shared(&mut self, name: &str) -> Result<Arc<Json>, FactProblem> {
        if let Some(r) = self.cache.get(name) {
            return r.clone();
        }
        let (key, result) = if let Some(spec) = spec(name) {
            let result = match spec.build {
                Build::Node(build) => build(self),
                // The plan and the rule's parameters are lent by the engine.
                Build::Plan | Build::RuleParams => Ok(json!({})),
            };
            (spec.name, result)
        } else if let Some(input) = self.tables.find(name) {
            (input.fact, super::tables::build(self, input))
        } else {
            return Err(FactProblem::Missing {
                input: name.to_string(),
                looked_for: vec![],
            });
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
        let result = result.map(Arc::new);
        self.cache.insert(key, result.clone());
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The fields a spec declares at `prefix` (`""` for the fact's own
    /// fields or its rows', `"events[]."` for the maps of its `events` list).
    fn declared(spec: &FactSpec, prefix: &str) -> BTreeSet<String> {
        spec.fields()
            .iter()
            .filter_map(|field| field.name.strip_prefix(prefix))
            .filter(|rest| !rest.contains('.'))
            .map(str::to_string)
            .collect()
    }

    /// The fact's type keeps fields it does not declare (node.json's
    /// others, through a flattened map).
    fn keeps_undeclared(spec: &FactSpec) -> bool {
        (spec.schema)()
            .get("additionalProperties")
            .is_some_and(|a| a != &Json::Bool(false))
    }

    /// Compares the keys of `value` (a map, or a list of maps) with the
    /// fields declared at `prefix`, then each list field that has fields of
    /// its own; pushes what differs.
    fn compare(spec: &FactSpec, prefix: &str, value: &Json, out: &mut Vec<String>) {
        let maps: Vec<&serde_json::Map<String, Json>> = match value {
            Json::Array(items) => items.iter().filter_map(Json::as_object).collect(),
            Json::Object(map) => vec![map],
            _ => return,
        };
        let want = declared(spec, prefix);
        for map in maps {
            let got: BTreeSet<String> = map.keys().cloned().collect();
            let undeclared: Vec<_> = got.difference(&want).collect();
            let absent: Vec<_> = want.difference(&got).collect();
            if (!undeclared.is_empty() && !keeps_undeclared(spec)) || !absent.is_empty() {
                out.push(format!(
                    "{} {prefix}: undeclared {undeclared:?}, declared but absent {absent:?}",
                    spec.name
                ));
            }
            for key in &want {
                let nested = format!("{prefix}{key}[].");
                if !declared(spec, &nested).is_empty()
                    && let Some(list) = map.get(key)
                {
                    compare(spec, &nested, list, out);
                }
            }
        }
    }

    /// docs/facts.md is written from the declared fields: every fact built
    /// on every fixture node has exactly those keys, so the docs cannot
    /// drift from what rules see.
    #[test]
    fn every_fact_has_the_fields_its_spec_declares() {
        let (nodes, _) = crate::snapshot::discover(&[std::path::PathBuf::from("fixtures")]);
        assert!(nodes.len() > 100, "{} fixture nodes", nodes.len());
        // What differs, and the first node it differs on.
        let mut drift = std::collections::BTreeMap::new();
        let mut seen = BTreeSet::new();
        for node in &nodes {
            let mut facts = NodeFacts::new(node);
            for spec in FACTS.iter().filter(|s| matches!(s.build, Build::Node(_))) {
                let Ok(value) = facts.get(spec.name) else {
                    continue;
                };
                seen.insert(spec.name);
                let mut out = Vec::new();
                compare(spec, "", &value, &mut out);
                for what in out {
                    drift.entry(what).or_insert_with(|| node.dir.clone());
                }
            }
        }
        assert!(drift.is_empty(), "{drift:#?}");
        // Built only beside a baseline snapshot or the fleet's plan file,
        // which a node read on its own does not have.
        let needs_more = ["baseline_alarms", "backup_repository", "recorded_backups"];
        let never: Vec<&str> = FACTS
            .iter()
            .filter(|s| matches!(s.build, Build::Node(_)) && !seen.contains(s.name))
            .filter(|s| !needs_more.contains(&s.name))
            .map(|s| s.name)
            .collect();
        assert!(never.is_empty(), "no fixture node has {never:?}");
    }
}
