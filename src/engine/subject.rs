//! Who an evaluation is about, and the evaluations every scope makes the same way.

use super::evidence::evidence_path;
use crate::catalog::Rule;
use crate::model::evaluations::NO_REMEDIATION;
use crate::model::tool_codes::RULE_ERROR;
use crate::model::tool_codes::tool_evaluation;
use crate::model::{Chain, Evaluation, Evidence, Scope, Severity, Status, fingerprint};
use std::sync::{Arc, LazyLock};

/// The message of most passing evaluations, shared by all of them.
pub(super) static NO_FINDING: LazyLock<Arc<str>> = LazyLock::new(|| "no finding".into());

/// Who an evaluation is about.
#[derive(Clone)]
pub(super) struct Subject {
    pub(super) name: Arc<str>,
    pub(super) scope: Scope,
    pub(super) site: Option<Arc<str>>,
    pub(super) cluster: Option<Arc<str>>,
}

impl Subject {
    pub(super) fn evaluation(
        &self,
        rule: &Rule,
        status: Status,
        severity: Severity,
        key: &str,
        message: impl Into<Arc<str>>,
    ) -> Evaluation {
        Evaluation {
            code: rule.code,
            name: rule.name.clone(),
            severity,
            status,
            node: self.name.clone(),
            scope: self.scope,
            site: self.site.clone(),
            cluster: self.cluster.clone(),
            message: message.into(),
            evidence: vec![],
            remediation: if status == Status::Fail {
                rule.remediation.clone()
            } else {
                NO_REMEDIATION.clone()
            },
            caused_by: vec![],
            fingerprint: fingerprint(rule.code, &self.name, key),
            waiver: None,
            baseline: None,
            key: key.into(),
            chain: Chain::Unlinked,
        }
    }
}

/// The rule's own evaluation and a 90004 finding for an expression that
/// failed at run time; the finding's evidence is the rule file at the
/// expression's line.
pub(super) fn rule_error(
    rule: &Rule,
    subject: &Subject,
    part: &str,
    line: Option<usize>,
    error: impl std::fmt::Display,
) -> Vec<Evaluation> {
    let message = format!("rule {} {}: {part} failed: {error}", rule.code, rule.name);
    let evidence = Evidence {
        line,
        ..evidence_path(rule.origin.clone())
    };
    vec![
        subject.evaluation(rule, Status::Unknown, rule.severity, "", message.clone()),
        tool_evaluation(
            RULE_ERROR,
            &subject.name,
            subject.scope,
            &rule.code.to_string(),
            message,
            vec![evidence],
        ),
    ]
}
