//! The platform levels the Policy Management upgrade presumes: TPD, PM&C,
//! TVOE and the HP firmware upgrade pack (FUP). `appRev` prints the
//! product and base distro (TPD) releases of a TPD-based server; node.json
//! `versions` (`tpd`, `pmac`, `tvoe`, `fup`) gives what no command prints
//! (the firmware pack) or stands in where `appRev` was not collected.

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, outcome_problem};
use super::spec::{Build, FactSpec, Fields, source};
use crate::parse::vendor::app_rev;
use serde_json::{Map, Value as Json, json};

pub const PLATFORM_LEVELS: FactSpec = FactSpec {
    name: "platform_levels",
    always: false,
    build: Build::Node(build),
    diff: None,
    inputs: &["app-rev"],
    summary: "The release of each platform component known on the node: from `appRev` \
              (product and base distro) and node.json `versions`.",
    fields: Fields::Listed(&[
        (
            "tpd",
            "map|null",
            "{version, from, source}: the TPD release (appRev Base Distro Release, else versions.tpd)",
        ),
        (
            "pmac",
            "map|null",
            "the PM&C release (appRev Product Release of a PMAC product, else versions.pmac)",
        ),
        (
            "tvoe",
            "map|null",
            "the TVOE release (appRev Product Release of a TVOE product, else versions.tvoe)",
        ),
        (
            "fup",
            "map|null",
            "the HP firmware upgrade pack (versions.fup; `n/a` where the hardware takes none)",
        ),
        (
            "product",
            "map|null",
            "{name, version, from, source}: the application appRev names (Policy, PMAC, TVOE, …)",
        ),
    ]),
};

/// The component an appRev product name is the release of.
fn component(product: &str) -> Option<&'static str> {
    let p = product.to_ascii_lowercase();
    if p.contains("pmac") || p.contains("pm&c") {
        Some("pmac")
    } else if p.contains("tvoe") {
        Some("tvoe")
    } else {
        None
    }
}

pub fn build(facts: &mut NodeFacts) -> FactResult {
    let mut levels = Map::new();
    match facts.parse("app-rev", app_rev::parse) {
        Ok((shown, outcome)) => {
            let Some(rev) = outcome.records() else {
                return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
            };
            let level = |(v, line): &(String, usize)| json!({ "version": v, "from": "appRev", "source": source(&shown, *line) });
            if let Some(base) = &rev.base_release {
                levels.insert("tpd".into(), level(base));
            }
            if let Some(release) = &rev.product_release {
                let name = rev.product_name.as_ref().map(|(n, _)| n.as_str());
                if let Some(c) = name.and_then(component) {
                    levels.insert(c.into(), level(release));
                }
                let mut product = level(release);
                product["name"] = json!(name);
                levels.insert("product".into(), product);
            }
        }
        Err(FactProblem::Missing { .. }) => {}
        Err(other) => return Err(other),
    }
    let versions = facts
        .node
        .identity
        .get("versions")
        .and_then(Json::as_object);
    for key in ["tpd", "pmac", "tvoe", "fup"] {
        let given = versions.and_then(|v| v.get(key)).and_then(Json::as_str);
        if let (Some(v), false) = (given, levels.contains_key(key)) {
            let level = json!({ "version": v, "from": "node.json", "source": null });
            levels.insert(key.into(), level);
        }
    }
    for key in ["tpd", "pmac", "tvoe", "fup", "product"] {
        levels.entry(key).or_insert(Json::Null);
    }
    Ok(Json::Object(levels))
}
