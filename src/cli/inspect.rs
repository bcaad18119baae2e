//! `upcheck facts` and `upcheck parse`: what rules and parsers see of one
//! node or file.

use super::{emit, exit, fail, warn};
use crate::parse::kind::ParseKind;
use crate::snapshot;
use std::path::Path;

pub(super) fn facts(node_dir: &Path, plan_file: Option<&Path>) -> u8 {
    if !node_dir.join(snapshot::NODE_MARKER).is_file()
        && !node_dir.join(crate::snapshot::sos::MARKER).is_dir()
    {
        return fail(format!(
            "{} is not a node snapshot: it has no {} and no {}/",
            node_dir.display(),
            snapshot::NODE_MARKER,
            crate::snapshot::sos::MARKER
        ));
    }
    let (nodes, problems) = snapshot::discover(&[node_dir.to_path_buf()]);
    for p in problems {
        warn(format!("{}: {}", p.path.display(), p.message));
    }
    let Some(node) = nodes.first() else {
        return fail(format!("{} could not be read", node_dir.display()));
    };
    if let Some(err) = &node.identity_error {
        warn(err);
    }
    let plan = match plan_file {
        None => Ok(serde_json::json!({})),
        Some(file) => crate::facts::plan_fact(file),
    }
    .unwrap_or_else(|e| {
        warn(e);
        serde_json::json!({})
    });
    let facts = crate::facts::all_facts(node, &plan, plan_file);
    let mut text = serde_json::to_string_pretty(&facts).unwrap_or_default();
    text.push('\n');
    match emit(&text, None) {
        Ok(()) => exit::CLEAN,
        Err(code) => code,
    }
}

pub(super) fn parse_file(kind: ParseKind, file: &Path) -> u8 {
    let text = match snapshot::read_input(file) {
        Ok(t) => t,
        Err(e) => return fail(format!("cannot read {}: {e}", file.display())),
    };
    let mut out = kind.parse_to_json(&text);
    out.push('\n');
    match emit(&out, None) {
        Ok(()) => exit::CLEAN,
        Err(code) => code,
    }
}
