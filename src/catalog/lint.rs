//! What a rule file must be beyond its TOML shape: names, codes, facts it
//! may read, and the variables each part of a rule sees.

use super::problem::Problem;
use super::rule_file::{KEY_ORDER, RuleFile, line_of};
use crate::facts;
use crate::facts::tables::SiteTables;
use cel::Program;
use toml::Spanned;

/// The errors a rule file shows before anything is compiled; its facts
/// may be the site's `tables` too.
pub fn file_errors(origin: &str, file: &RuleFile, tables: &SiteTables) -> Vec<Problem> {
    let err = |line, message: String| Problem::error(origin, line, message);
    let mut errors = Vec::new();
    let file_name = origin.rsplit(['/', '\\']).next().unwrap_or(origin);
    let expected = format!("{}-{}.toml", file.code, file.name);
    if file_name != expected {
        errors.push(err(
            Some(1),
            format!("file name must be `{expected}` to match its code and name"),
        ));
    }
    if !(10000..=99999).contains(&file.code) {
        errors.push(err(
            Some(1),
            format!("code {} is not five digits", file.code),
        ));
    }
    if file.code / 10000 == 9 {
        errors.push(err(
            Some(1),
            "codes 9xxxx are reserved for the tool itself".into(),
        ));
    }
    if !is_kebab(&file.name) {
        errors.push(err(
            Some(1),
            format!("name `{}` is not kebab-case", file.name),
        ));
    }
    if file.phases.is_empty() {
        errors.push(err(
            None,
            "phases is empty: the rule would never run".into(),
        ));
    }
    if file.fail_when.is_empty() && file.unknown_when.is_empty() {
        errors.push(err(
            None,
            "fail_when is empty: the rule could never fail".into(),
        ));
    }
    for req in &file.requires {
        if facts::spec(req).is_some() || tables.find(req).is_some() {
            continue;
        }
        if tables.is_declared(req) {
            errors.push(err(
                None,
                format!("requires `{req}`, whose site input file has errors"),
            ));
        } else {
            let mut known = facts::names();
            known.extend(tables.fact_names());
            errors.push(err(
                None,
                format!(
                    "requires names `{req}`, which is no fact (known: {})",
                    known.join(", ")
                ),
            ));
        }
    }
    if file.for_each.is_some() != file.key.is_some() {
        errors.push(err(
            None,
            "for_each and key go together: key names the item in fingerprints".into(),
        ));
    }
    errors
}

fn is_kebab(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// A warning for each top-level key out of canonical order.
pub fn key_order(origin: &str, text: &str) -> Vec<Problem> {
    out_of_order_keys(text)
        .into_iter()
        .map(|(key, line)| Problem {
            origin: origin.to_string(),
            line: Some(line),
            message: format!(
                "key `{key}` is out of canonical order ({})",
                KEY_ORDER.join(", ")
            ),
            warning: true,
        })
        .collect()
}

/// The guard runs before any input is read: it sees identity only.
pub fn applies_to_reads_identity(
    origin: &str,
    text: &str,
    program: &Program,
    src: &Spanned<String>,
) -> Vec<Problem> {
    super::expr::variables(program)
        .into_iter()
        .filter(|var| facts::spec(var).is_some_and(|f| !f.always))
        .map(|var| {
            Problem::error(
                origin,
                Some(line_of(text, src.span().start)),
                format!("applies_to reads `{var}`: the guard sees only node, plan and params"),
            )
        })
        .collect()
}

/// A `fail_when` may lower the rule's severity, never raise it.
pub fn fail_severity(origin: &str, text: &str, file: &RuleFile) -> Vec<Problem> {
    file.fail_when
        .iter()
        .filter(|f| f.severity.is_some_and(|s| s > file.severity))
        .map(|f| {
            Problem::error(
                origin,
                Some(line_of(text, f.expr.span().start)),
                format!(
                    "fail_when severity is above the rule's severity `{}`",
                    file.severity
                ),
            )
        })
        .collect()
}

pub fn check_requires(
    used: &[String],
    requires: &[String],
    tables: &SiteTables,
    line: usize,
    what: &str,
    origin: &str,
    errors: &mut Vec<Problem>,
) {
    for var in used {
        let is_fact = facts::spec(var).is_some_and(|s| !s.always) || tables.find(var).is_some();
        if is_fact && !requires.iter().any(|r| r == var) {
            errors.push(Problem {
                origin: origin.to_string(),
                line: Some(line),
                message: format!("{what} reads `{var}` but `requires` does not list it"),
                warning: false,
            });
        }
    }
}

/// Top-level keys and table headers that break the canonical order.
fn out_of_order_keys(text: &str) -> Vec<(String, usize)> {
    let mut last = 0;
    let mut bad = Vec::new();
    let mut in_table = false;
    for (i, line) in text.lines().enumerate() {
        let name = if let Some(h) = line.strip_prefix('[') {
            in_table = true;
            h.trim_matches(|c| c == '[' || c == ']').trim()
        } else if !in_table && !line.starts_with([' ', '\t', '#']) && line.contains('=') {
            line.split('=').next().unwrap_or("").trim()
        } else {
            continue;
        };
        if let Some(pos) = KEY_ORDER.iter().position(|k| *k == name) {
            if pos < last {
                bad.push((name.to_string(), i + 1));
            } else {
                last = pos;
            }
        }
    }
    bad
}
