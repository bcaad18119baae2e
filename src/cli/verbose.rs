//! `-v`: which operator files a run loaded (settings, waivers, baseline,
//! plans, rule folders), or where it looked and found none, on stderr.

use crate::catalog::{Catalog, rules_folder};
use std::path::{Path, PathBuf};

/// Prints each line when asked to.
pub(super) fn say(verbose: bool, lines: impl IntoIterator<Item = String>) {
    if verbose {
        for line in lines {
            eprintln!("upcheck: {line}");
        }
    }
}

/// The catalog's rules: built in, and from each `--rules` folder.
pub(super) fn rules(catalog: &Catalog, dirs: &[PathBuf]) -> Vec<String> {
    let from = |folder: &Path| {
        let folder = folder.display().to_string();
        catalog
            .rules
            .values()
            .filter(|r| r.origin.starts_with(&folder))
            .count()
    };
    let mut lines = vec![format!(
        "rules: {} in the catalog; {}",
        catalog.rules.len(),
        if dirs.is_empty() {
            "no --rules folder".to_string()
        } else {
            format!(
                "{} from --rules folders",
                dirs.iter().map(|d| from(&rules_folder(d))).sum::<usize>()
            )
        }
    )];
    for dir in dirs {
        let folder = rules_folder(dir);
        lines.push(format!(
            "rules: {}: {} rule(s)",
            folder.display(),
            from(&folder)
        ));
    }
    lines
}

/// The plan files a check read: the `--plan` file, else the plan.toml of
/// each path given (never one inside a node snapshot).
pub(super) fn plans(flag: Option<&Path>, paths: &[PathBuf], found: &[String]) -> Vec<String> {
    if let Some(file) = flag {
        return vec![format!("plan: {} (--plan)", file.display())];
    }
    if !found.is_empty() {
        return found.iter().map(|f| format!("plan: {f} (found)")).collect();
    }
    let looked: Vec<String> = paths
        .iter()
        .filter(|p| p.is_dir() && !crate::snapshot::is_node_dir(p))
        .map(|p| p.join(crate::snapshot::PLAN_FILE).display().to_string())
        .collect();
    vec![if looked.is_empty() {
        "plan: none (no fleet folder given to look in; give --plan)".to_string()
    } else {
        format!("plan: none (no {})", looked.join(", no "))
    }]
}
