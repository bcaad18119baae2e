//! `upcheck facts` and `upcheck parse`: what rules and parsers see of one
//! node or file.

use super::{Error, Exit, Outcome, emit, warn};
use crate::parse::kind::ParseKind;
use crate::snapshot;
use std::path::Path;

pub(super) fn facts(node_dir: &Path, plan_file: Option<&Path>) -> Outcome {
    if !node_dir.join(snapshot::NODE_MARKER).is_file()
        && !node_dir.join(crate::snapshot::sos::MARKER).is_dir()
    {
        return Err(Error::Usage(format!(
            "{} is not a node snapshot: it has no {} and no {}/",
            node_dir.display(),
            snapshot::NODE_MARKER,
            crate::snapshot::sos::MARKER
        )));
    }
    let (nodes, problems) = snapshot::discover(&[node_dir.to_path_buf()]);
    for p in problems {
        warn(format!("{}: {}", p.path.display(), p.message));
    }
    let Some(node) = nodes.first() else {
        return Err(Error::Usage(format!(
            "{} could not be read",
            node_dir.display()
        )));
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
    emit(&text, None)?;
    Ok(Exit::Clean)
}

pub(super) fn parse_file(kind: ParseKind, file: &Path) -> Outcome {
    let text = snapshot::read_input(file)
        .map_err(|e| Error::Usage(format!("cannot read {}: {e}", file.display())))?;
    let mut out = kind.parse_to_json(&text);
    out.push('\n');
    emit(&out, None)?;
    Ok(Exit::Clean)
}
