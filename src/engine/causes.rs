//! Root causes: failures linked through their rules' `depends_on`.

use crate::catalog::Catalog;
use crate::model::{Cause, Chain, Evaluations, Status};
use std::collections::BTreeSet;

/// Marks failures whose `depends_on` codes also failed on the same node, so
/// a report can show the chain of causes once instead of a cascade, and
/// ranks them: root causes, then consequences, then the rest. Failures
/// are held whole.
pub(super) fn link_root_causes(evaluations: &mut Evaluations, catalog: &Catalog) {
    let failed: BTreeSet<Cause> = evaluations
        .wholes()
        .filter(|e| e.status == Status::Fail)
        .map(|e| Cause {
            code: e.code,
            node: e.node.clone(),
        })
        .collect();
    for e in evaluations
        .wholes_mut()
        .filter(|e| e.status == Status::Fail)
    {
        let Some(rule) = catalog.rules.get(&e.code) else {
            continue;
        };
        e.caused_by = rule
            .depends_on
            .iter()
            .map(|&code| Cause {
                code,
                node: e.node.clone(),
            })
            .filter(|cause| failed.contains(cause))
            .collect();
    }
    let causes: BTreeSet<Cause> = evaluations
        .wholes()
        .flat_map(|e| e.caused_by.iter().cloned())
        .collect();
    for e in evaluations
        .wholes_mut()
        .filter(|e| e.status == Status::Fail)
    {
        e.chain = if !e.caused_by.is_empty() {
            Chain::Consequence
        } else if causes.contains(&Cause {
            code: e.code,
            node: e.node.clone(),
        }) {
            Chain::RootCause
        } else {
            Chain::Unlinked
        };
    }
}
