//! The platform levels the Policy Management upgrade presumes: TPD, PM&C,
//! TVOE and the HP firmware upgrade pack (FUP). `appRev` prints the
//! product and base distro (TPD) releases of a TPD-based server; node.json
//! `versions` (`tpd`, `pmac`, `tvoe`, `fup`) gives what no command prints
//! (the firmware pack) or stands in where `appRev` was not collected.

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, outcome_problem};
use super::spec::{Build, FactSpec, Source, to_fact, typed};
use crate::parse::vendor::app_rev;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value as Json;

pub const PLATFORM_LEVELS: FactSpec = FactSpec {
    name: "platform_levels",
    always: false,
    build: Build::Node(build),
    diff: None,
    inputs: &["app-rev"],
    summary: "The release of each platform component known on the node: from `appRev` \
              (product and base distro) and node.json `versions`.",
    schema: typed::<PlatformLevels>,
};

/// The `platform_levels` fact.
#[derive(Serialize, JsonSchema, Default)]
struct PlatformLevels<'r> {
    /// the TPD release (appRev Base Distro
    /// Release, else versions.tpd)
    tpd: Option<Level<'r>>,
    /// the PM&C release (appRev Product Release of a PMAC product, else
    /// versions.pmac)
    pmac: Option<Level<'r>>,
    /// the TVOE release (appRev Product Release of a TVOE product, else
    /// versions.tvoe)
    tvoe: Option<Level<'r>>,
    /// the HP firmware upgrade pack (versions.fup; `n/a` where the hardware
    /// takes none)
    fup: Option<Level<'r>>,
    /// {name, version, from, source}: the application appRev names (Policy,
    /// PMAC, TVOE, …)
    product: Option<Product<'r>>,
}

/// A component's release and where it was read.
#[derive(Serialize, JsonSchema, Clone)]
struct Level<'r> {
    /// the release as printed or given
    version: &'r str,
    /// where it was read
    from: ReadFrom,
    /// {file, line} of the appRev line; null from node.json
    source: Option<Source>,
}

impl<'r> Level<'r> {
    /// A release appRev printed at `line` of `file`.
    fn app_rev(file: &str, (version, line): &'r (String, usize)) -> Self {
        Level {
            version,
            from: ReadFrom::AppRev,
            source: Some(Source::new(file, *line)),
        }
    }
}

#[derive(Serialize, JsonSchema)]
struct Product<'r> {
    /// the product name appRev prints
    name: Option<&'r str>,
    #[serde(flatten)]
    level: Level<'r>,
}

/// Where a release was read.
#[derive(Serialize, JsonSchema, Clone, Copy)]
enum ReadFrom {
    #[serde(rename = "appRev")]
    AppRev,
    #[serde(rename = "node.json")]
    NodeJson,
}

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
    let mut levels = PlatformLevels::default();
    let app_rev = match facts.parse("app-rev", app_rev::parse) {
        Ok(read) => Some(read),
        Err(FactProblem::Missing { .. }) => None,
        Err(other) => return Err(other),
    };
    if let Some((shown, outcome)) = &app_rev {
        let Some(rev) = outcome.records() else {
            return Err(outcome_problem(shown, outcome).expect("not parsed"));
        };
        let level = |read| Level::app_rev(shown, read);
        levels.tpd = rev.base_release.as_ref().map(level);
        if let Some(release) = &rev.product_release {
            let name = rev.product_name.as_ref().map(|(n, _)| n.as_str());
            match name.and_then(component) {
                Some("pmac") => levels.pmac = Some(level(release)),
                Some(_) => levels.tvoe = Some(level(release)),
                None => {}
            }
            levels.product = Some(Product {
                name,
                level: level(release),
            });
        }
    }
    let versions = facts
        .node
        .identity
        .get("versions")
        .and_then(Json::as_object);
    for (key, level) in [
        ("tpd", &mut levels.tpd),
        ("pmac", &mut levels.pmac),
        ("tvoe", &mut levels.tvoe),
        ("fup", &mut levels.fup),
    ] {
        let given = versions.and_then(|v| v.get(key)).and_then(Json::as_str);
        if let (Some(version), None) = (given, &level) {
            *level = Some(Level {
                version,
                from: ReadFrom::NodeJson,
                source: None,
            });
        }
    }
    to_fact(&levels)
}
