//! The rule catalog: rule files (TOML, one rule each) loaded from the
//! binary and from `--rules` folders, validated and compiled once.

pub mod docs;
pub mod expr;

use crate::catalog::expr::Template;
use crate::facts;
use crate::facts::log_scan::{LogPattern, LogSection};
use crate::model::{Phase, Scope, Severity};
use cel::Program;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// A rule file as written. Field order here is the canonical order of keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub code: u32,
    pub name: String,
    pub title: String,
    pub severity: Severity,
    pub phases: Vec<Phase>,
    #[serde(default = "node_scope")]
    pub scope: Scope,
    pub applies_to: Option<Spanned<String>>,
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub depends_on: Vec<u32>,
    pub for_each: Option<Spanned<String>>,
    pub key: Option<Spanned<String>>,
    pub evidence: Option<Spanned<String>>,
    pub message: Spanned<String>,
    pub remediation: Arc<str>,
    pub explanation: String,
    #[serde(default)]
    pub references: Vec<String>,
    pub log: Option<LogSection>,
    #[serde(default)]
    pub params: toml::Table,
    #[serde(default)]
    pub not_applicable_when: Vec<Condition>,
    #[serde(default)]
    pub unknown_when: Vec<Condition>,
    #[serde(default)]
    pub fail_when: Vec<FailWhen>,
}

fn node_scope() -> Scope {
    Scope::Node
}

/// The canonical order of top-level keys in a rule file.
pub const KEY_ORDER: &[&str] = &[
    "code",
    "name",
    "title",
    "severity",
    "phases",
    "scope",
    "applies_to",
    "requires",
    "depends_on",
    "for_each",
    "key",
    "evidence",
    "message",
    "remediation",
    "explanation",
    "references",
    "log",
    "params",
    "not_applicable_when",
    "unknown_when",
    "fail_when",
];

/// A condition with the reason it gives (`not_applicable_when`,
/// `unknown_when`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub expr: Spanned<String>,
    pub reason: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailWhen {
    pub severity: Option<Severity>,
    pub expr: Spanned<String>,
    pub message: Option<Spanned<String>>,
}

/// A rule ready to evaluate.
#[derive(Debug)]
pub struct Rule {
    pub code: u32,
    pub name: Arc<str>,
    pub title: String,
    pub severity: Severity,
    pub phases: Vec<Phase>,
    pub scope: Scope,
    pub requires: Vec<String>,
    pub depends_on: Vec<u32>,
    pub remediation: Arc<str>,
    pub explanation: String,
    pub references: Vec<String>,
    pub applies_to_source: Option<String>,
    /// The message of every run where `applies_to` is false, shared.
    pub does_not_apply: Arc<str>,
    pub applies_to: Option<Program>,
    pub for_each: Option<Program>,
    pub key: Option<Template>,
    pub evidence: Option<Program>,
    pub message: Template,
    /// The logs a log-pattern rule scans into `matches`.
    pub log: Option<LogPattern>,
    /// Judged once the facts are built: true makes the rule not applicable.
    pub not_applicable_when: Vec<(Program, Template)>,
    /// The rule reads `findings`, so it runs after the node's other rules.
    pub reads_findings: bool,
    /// `unknown_when` conditions judged once per rule run.
    pub unknown_when: Vec<(Program, Template)>,
    /// `unknown_when` conditions that read `item`: judged per item.
    pub item_unknown_when: Vec<(Program, Template)>,
    pub fail_when: Vec<(Severity, Program, Option<Template>)>,
    pub params: serde_json::Value,
    /// `params` converted once for CEL, lent to every run of the rule.
    pub params_bound: expr::Bound,
    /// Where the rule came from: `embedded:<file>` or a path.
    pub origin: String,
    /// The rule file's text, for the catalog digest.
    pub source_text: String,
    /// The line of each expression in the rule file, so that one that
    /// fails at run time is reported at its line.
    pub lines: ExprLines,
}

/// The 1-based lines of a rule's expressions, in the order of the rule's
/// vectors of conditions.
#[derive(Debug, Clone, Default)]
pub struct ExprLines {
    pub applies_to: Option<usize>,
    pub for_each: Option<usize>,
    pub not_applicable_when: Vec<usize>,
    pub unknown_when: Vec<usize>,
    pub item_unknown_when: Vec<usize>,
    pub fail_when: Vec<usize>,
}

impl Rule {
    pub fn file_stem(&self) -> String {
        format!("{}-{}", self.code, self.name)
    }
}

/// A problem with a rule file, located at a line when one is to blame.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub origin: String,
    pub line: Option<usize>,
    pub message: String,
    pub warning: bool,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.warning { "warning" } else { "error" };
        match self.line {
            Some(l) => write!(f, "{kind}: {}:{l}: {}", self.origin, self.message),
            None => write!(f, "{kind}: {}: {}", self.origin, self.message),
        }
    }
}

/// All rules by code, with the problems met while loading them.
#[derive(Debug, Default)]
pub struct Catalog {
    pub rules: BTreeMap<u32, Rule>,
    pub problems: Vec<Problem>,
}

impl Catalog {
    /// The embedded rules, then each folder's rules, a later rule replacing
    /// an earlier one of the same code.
    pub fn load(extra_dirs: &[PathBuf]) -> Catalog {
        let mut files: Vec<(String, String)> = EMBEDDED_RULES
            .iter()
            .map(|(name, text)| (format!("embedded:rules/{name}"), text.to_string()))
            .collect();
        let mut catalog = Catalog::default();
        for dir in extra_dirs {
            match read_rule_dir(dir) {
                Ok(mut more) => files.append(&mut more),
                Err(p) => catalog.problems.push(p),
            }
        }
        catalog.add_files(files, true, &[]);
        catalog
    }

    /// Only the rules of one folder (for `rules check DIR`). Its rules may
    /// depend on built-in codes, as they will when run with `--rules`.
    pub fn load_dir(dir: &Path) -> Catalog {
        let built_in: Vec<u32> = EMBEDDED_RULES
            .iter()
            .filter_map(|(name, _)| name.get(..5)?.parse().ok())
            .collect();
        let mut catalog = Catalog::default();
        match read_rule_dir(dir) {
            Ok(files) => catalog.add_files(files, false, &built_in),
            Err(p) => catalog.problems.push(p),
        }
        catalog
    }

    fn add_files(&mut self, files: Vec<(String, String)>, overrides: bool, also_known: &[u32]) {
        for (origin, text) in files {
            match compile_rule(&origin, &text) {
                Ok((rule, warnings)) => {
                    self.problems.extend(warnings);
                    if let Some(old) = self.rules.get(&rule.code)
                        && !overrides
                    {
                        self.problems.push(Problem {
                            origin: origin.clone(),
                            line: Some(1),
                            message: format!(
                                "duplicate code {}: also used by {}",
                                rule.code, old.origin
                            ),
                            warning: false,
                        });
                        continue;
                    }
                    self.rules.insert(rule.code, rule);
                }
                Err(problems) => self.problems.extend(problems),
            }
        }
        self.check_dependencies(also_known);
    }

    /// Every `depends_on` names a rule of this catalog or of `also_known`.
    fn check_dependencies(&mut self, also_known: &[u32]) {
        for rule in self.rules.values() {
            for dep in &rule.depends_on {
                if !self.rules.contains_key(dep) && !also_known.contains(dep) {
                    self.problems.push(Problem {
                        origin: rule.origin.clone(),
                        line: None,
                        message: format!("depends_on names {dep}, which is not in the catalog"),
                        warning: false,
                    });
                }
            }
        }
    }

    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| !p.warning)
    }

    /// sha256 over every rule's origin-free text in code order, so the same
    /// catalog gives the same digest wherever it is installed.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for rule in self.rules.values() {
            h.update(rule.code.to_string().as_bytes());
            h.update([0]);
            h.update(rule.source_text.as_bytes());
            h.update([0]);
        }
        format!("sha256:{}", crate::model::hex(&h.finalize()))
    }
}

fn read_rule_dir(dir: &Path) -> Result<Vec<(String, String)>, Problem> {
    let entries = std::fs::read_dir(dir).map_err(|e| Problem {
        origin: dir.display().to_string(),
        line: None,
        message: format!("cannot read the rules folder: {e}"),
        warning: false,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push((path.display().to_string(), text)),
            Err(e) => {
                return Err(Problem {
                    origin: path.display().to_string(),
                    line: None,
                    message: format!("cannot read: {e}"),
                    warning: false,
                });
            }
        }
    }
    Ok(files)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map(|s| s.matches('\n').count() + 1)
        .unwrap_or(1)
}

/// The 1-based line of a CEL error inside an expression (`<input>:L:C`).
fn cel_error_line(err: &str) -> usize {
    err.split("<input>:")
        .nth(1)
        .and_then(|s| s.split(':').next())
        .and_then(|l| l.parse().ok())
        .unwrap_or(1)
}

/// Compiles one rule file; returns the rule and its warnings, or every error.
pub fn compile_rule(origin: &str, text: &str) -> Result<(Rule, Vec<Problem>), Vec<Problem>> {
    let err = |line: Option<usize>, message: String| Problem {
        origin: origin.to_string(),
        line,
        message,
        warning: false,
    };
    let file: RuleFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        vec![err(line, e.message().trim().to_string())]
    })?;
    let mut errors = Vec::new();
    let mut warnings = Vec::new();

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
    let kebab = !file.name.is_empty()
        && file
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !file.name.starts_with('-')
        && !file.name.ends_with('-');
    if !kebab {
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
        if facts::spec(req).is_none() {
            errors.push(err(
                None,
                format!(
                    "requires names `{req}`, which is no fact (known: {})",
                    facts::names().join(", ")
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
    for key in out_of_order_keys(text) {
        warnings.push(Problem {
            origin: origin.to_string(),
            line: Some(key.1),
            message: format!(
                "key `{}` is out of canonical order ({})",
                key.0,
                KEY_ORDER.join(", ")
            ),
            warning: true,
        });
    }

    // Every expression compiles, and every fact it reads is required.
    let mut compile_expr = |src: &Spanned<String>, what: &str| -> Option<Program> {
        let base = line_of(text, src.span().start);
        match expr::compile(src.get_ref()) {
            Ok(p) => {
                check_requires(
                    &expr::variables(&p),
                    &file.requires,
                    base,
                    what,
                    origin,
                    &mut errors,
                );
                Some(p)
            }
            Err(e) => {
                let line = base + cel_error_line(&e) - 1;
                errors.push(err(Some(line), format!("{what}: {e}")));
                None
            }
        }
    };
    let applies_to = file
        .applies_to
        .as_ref()
        .and_then(|s| compile_expr(s, "applies_to"));
    let for_each = file
        .for_each
        .as_ref()
        .and_then(|s| compile_expr(s, "for_each"));
    let evidence = file
        .evidence
        .as_ref()
        .and_then(|s| compile_expr(s, "evidence"));
    let not_applicable_progs: Vec<Option<Program>> = file
        .not_applicable_when
        .iter()
        .map(|u| compile_expr(&u.expr, "not_applicable_when.expr"))
        .collect();
    let unknown_progs: Vec<Option<Program>> = file
        .unknown_when
        .iter()
        .map(|u| compile_expr(&u.expr, "unknown_when.expr"))
        .collect();
    let fail_progs: Vec<Option<Program>> = file
        .fail_when
        .iter()
        .map(|f| compile_expr(&f.expr, "fail_when.expr"))
        .collect();

    // The guard runs before any input is read: it sees identity only.
    if let (Some(p), Some(src)) = (&applies_to, &file.applies_to) {
        for var in expr::variables(p) {
            if facts::spec(&var).is_some_and(|f| !f.always) {
                errors.push(err(
                    Some(line_of(text, src.span().start)),
                    format!("applies_to reads `{var}`: the guard sees only node, plan and params"),
                ));
            }
        }
    }

    let mut compile_template = |src: &Spanned<String>, what: &str| -> Option<Template> {
        let line = line_of(text, src.span().start);
        match Template::compile(src.get_ref()) {
            Ok(t) => {
                for p in t.programs() {
                    check_requires(
                        &expr::variables(p),
                        &file.requires,
                        line,
                        what,
                        origin,
                        &mut errors,
                    );
                }
                Some(t)
            }
            Err(e) => {
                errors.push(err(Some(line), format!("{what}: {e}")));
                None
            }
        }
    };
    let message = compile_template(&file.message, "message");
    let key = file.key.as_ref().and_then(|k| compile_template(k, "key"));
    let not_applicable_reasons: Vec<Option<Template>> = file
        .not_applicable_when
        .iter()
        .map(|u| compile_template(&u.reason, "not_applicable_when.reason"))
        .collect();
    let unknown_reasons: Vec<Option<Template>> = file
        .unknown_when
        .iter()
        .map(|u| compile_template(&u.reason, "unknown_when.reason"))
        .collect();
    let fail_messages: Vec<Option<Option<Template>>> = file
        .fail_when
        .iter()
        .map(|f| match &f.message {
            Some(m) => compile_template(m, "fail_when.message").map(Some),
            None => Some(None),
        })
        .collect();

    for f in &file.fail_when {
        if f.severity.is_some_and(|s| s > file.severity) {
            errors.push(err(
                Some(line_of(text, f.expr.span().start)),
                format!(
                    "fail_when severity is above the rule's severity `{}`",
                    file.severity
                ),
            ));
        }
    }

    let log = match &file.log {
        None => None,
        Some(section) => match LogPattern::compile(section) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.push(err(None, e));
                None
            }
        },
    };
    if file.log.is_some() && file.scope != Scope::Node {
        errors.push(err(None, "a [log] table needs node scope".into()));
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    // Every Option below is Some: a None pushed an error above.
    let flatten = |v: Vec<Option<Program>>| v.into_iter().flatten().collect::<Vec<_>>();
    let line_at = |src: &Spanned<String>| line_of(text, src.span().start);
    let (item_unknown_when, unknown_when): (Vec<_>, Vec<_>) = flatten(unknown_progs)
        .into_iter()
        .zip(unknown_reasons.into_iter().flatten())
        .zip(file.unknown_when.iter().map(|u| line_at(&u.expr)))
        .partition(|((program, _), _)| expr::variables(program).iter().any(|v| v == "item"));
    let (item_unknown_when, item_unknown_lines): (Vec<_>, Vec<_>) =
        item_unknown_when.into_iter().unzip();
    let (unknown_when, unknown_lines): (Vec<_>, Vec<_>) = unknown_when.into_iter().unzip();
    let lines = ExprLines {
        applies_to: file.applies_to.as_ref().map(line_at),
        for_each: file.for_each.as_ref().map(line_at),
        not_applicable_when: file
            .not_applicable_when
            .iter()
            .map(|u| line_at(&u.expr))
            .collect(),
        unknown_when: unknown_lines,
        item_unknown_when: item_unknown_lines,
        fail_when: file.fail_when.iter().map(|f| line_at(&f.expr)).collect(),
    };
    if file.for_each.is_none() && !item_unknown_when.is_empty() {
        return Err(vec![err(
            None,
            "unknown_when reads `item`, which exists only with for_each".into(),
        )]);
    }
    let not_applicable_when: Vec<(Program, Template)> = flatten(not_applicable_progs)
        .into_iter()
        .zip(not_applicable_reasons.into_iter().flatten())
        .collect();
    let fail_when: Vec<(Severity, Program, Option<Template>)> = file
        .fail_when
        .iter()
        .zip(flatten(fail_progs))
        .zip(fail_messages.into_iter().flatten())
        .map(|((f, p), m)| (f.severity.unwrap_or(file.severity), p, m))
        .collect();
    let message = message.expect("message compiled");

    // Variables the engine binds only in some rules.
    let mut programs: Vec<&Program> = [&applies_to, &for_each, &evidence]
        .into_iter()
        .flatten()
        .chain(unknown_when.iter().map(|(p, _)| p))
        .chain(item_unknown_when.iter().map(|(p, _)| p))
        .chain(not_applicable_when.iter().map(|(p, _)| p))
        .chain(fail_when.iter().map(|(_, p, _)| p))
        .collect();
    let templates = [Some(&message), key.as_ref()]
        .into_iter()
        .flatten()
        .chain(unknown_when.iter().map(|(_, t)| t))
        .chain(item_unknown_when.iter().map(|(_, t)| t))
        .chain(not_applicable_when.iter().map(|(_, t)| t))
        .chain(fail_when.iter().filter_map(|(_, _, t)| t.as_ref()));
    for t in templates {
        programs.extend(t.programs());
    }
    let reads = |var: &str| {
        programs
            .iter()
            .any(|p| expr::variables(p).iter().any(|v| v == var))
    };
    let reads_findings = reads("findings");
    let mut late = Vec::new();
    if reads_findings && file.scope != Scope::Node {
        late.push(err(None, "`findings` exists only in node scope".into()));
    }
    for var in ["matches", "logs"] {
        if reads(var) && log.is_none() {
            late.push(err(
                None,
                format!("reads `{var}`, which only a rule with a [log] table has"),
            ));
        }
    }
    if not_applicable_when
        .iter()
        .any(|(p, _)| expr::variables(p).iter().any(|v| v == "item"))
    {
        late.push(err(
            None,
            "not_applicable_when is judged once per rule and cannot read `item`".into(),
        ));
    }
    if !late.is_empty() {
        return Err(late);
    }
    let params = crate::facts::toml_to_json(toml::Value::Table(file.params));
    Ok((
        Rule {
            code: file.code,
            name: file.name.into(),
            title: file.title,
            severity: file.severity,
            phases: file.phases,
            scope: file.scope,
            requires: file.requires,
            depends_on: file.depends_on,
            remediation: file.remediation.trim().into(),
            explanation: file.explanation.trim().to_string(),
            references: file.references,
            does_not_apply: format!(
                "does not apply: {}",
                file.applies_to.as_ref().map_or("", |a| a.get_ref())
            )
            .into(),
            applies_to_source: file.applies_to.map(Spanned::into_inner),
            applies_to,
            for_each,
            key,
            evidence,
            message,
            log,
            not_applicable_when,
            reads_findings,
            unknown_when,
            item_unknown_when,
            fail_when,
            params_bound: expr::to_bound(&params),
            params,
            origin: origin.to_string(),
            source_text: text.to_string(),
            lines,
        },
        warnings,
    ))
}

fn check_requires(
    used: &[String],
    requires: &[String],
    line: usize,
    what: &str,
    origin: &str,
    errors: &mut Vec<Problem>,
) {
    for var in used {
        if facts::spec(var).is_some_and(|s| !s.always) && !requires.iter().any(|r| r == var) {
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

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"code = 40099
name = "thing-broken"
title = "Thing is broken"
severity = "major"
phases = ["pre"]
requires = ["time"]
message = "broken {node.hostname}"
remediation = "fix"
explanation = "why"

[[fail_when]]
expr = "time.synchronised == false"
"#;

    #[test]
    fn a_good_rule_compiles() {
        let (rule, warnings) = compile_rule("x/40099-thing-broken.toml", GOOD).unwrap();
        assert_eq!(rule.code, 40099);
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn cel_errors_carry_the_file_line() {
        let bad = GOOD.replace("time.synchronised == false", "time.synchronised ==");
        let errs = compile_rule("x/40099-thing-broken.toml", &bad).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].line, Some(12));
        assert!(errs[0].message.contains("fail_when.expr"));
    }

    #[test]
    fn unknown_fields_and_wrong_names_are_errors() {
        let bad = GOOD.replace("remediation", "remedy");
        let errs = compile_rule("x/40099-thing-broken.toml", &bad).unwrap_err();
        assert!(
            errs[0].message.contains("unknown field `remedy`"),
            "{errs:?}"
        );
        assert_eq!(errs[0].line, Some(8));
        let errs = compile_rule("x/40098-thing-broken.toml", GOOD).unwrap_err();
        assert!(errs[0].message.contains("40099-thing-broken.toml"));
    }

    #[test]
    fn reading_an_unrequired_fact_is_an_error() {
        let bad = GOOD.replace("requires = [\"time\"]", "requires = []");
        let errs = compile_rule("x/40099-thing-broken.toml", &bad).unwrap_err();
        assert!(errs[0].message.contains("reads `time`"), "{errs:?}");
    }

    #[test]
    fn applies_to_may_not_read_facts() {
        let bad = GOOD.replace(
            "requires = [\"time\"]",
            "applies_to = \"time.running\"\nrequires = [\"time\"]",
        );
        let errs = compile_rule("x/40099-thing-broken.toml", &bad).unwrap_err();
        assert!(
            errs[0].message.contains("applies_to reads `time`"),
            "{errs:?}"
        );
        assert_eq!(errs[0].line, Some(6));
    }

    #[test]
    fn keys_out_of_order_are_warnings() {
        let swapped = GOOD.replacen(
            "name = \"thing-broken\"\ntitle = \"Thing is broken\"",
            "title = \"Thing is broken\"\nname = \"thing-broken\"",
            1,
        );
        let (_, warnings) = compile_rule("x/40099-thing-broken.toml", &swapped).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].message.contains("`name`"));
        assert_eq!(warnings[0].line, Some(3));
    }

    #[test]
    fn unknown_when_on_items_is_split_out_and_needs_for_each() {
        let per_item = GOOD.replace(
            "[[fail_when]]",
            "[[unknown_when]]\nexpr = \"item.x == null\"\nreason = \"no x\"\n\n[[unknown_when]]\nexpr = \"time.running == false\"\nreason = \"down\"\n\n[[fail_when]]",
        );
        let errs = compile_rule("x/40099-thing-broken.toml", &per_item).unwrap_err();
        assert!(errs[0].message.contains("only with for_each"), "{errs:?}");
        let with_items = per_item.replace(
            "requires = [\"time\"]",
            "requires = [\"time\"]\nfor_each = \"[{'x': 1}]\"\nkey = \"{item.x}\"",
        );
        let (rule, _) = compile_rule("x/40099-thing-broken.toml", &with_items).unwrap();
        assert_eq!(rule.unknown_when.len(), 1);
        assert_eq!(rule.item_unknown_when.len(), 1);
    }

    #[test]
    fn log_tables_and_their_variables_are_checked() {
        let log = GOOD.replace(
            "[[fail_when]]\nexpr = \"time.synchronised == false\"",
            "[log]\nfiles = ['var/log/messages*']\npattern = 'x (?P<who>\\\\S+)'\n\n[[fail_when]]\nexpr = \"size(matches) > 0\"",
        );
        let (rule, _) = compile_rule("x/40099-thing-broken.toml", &log).unwrap();
        assert!(rule.log.is_some() && !rule.reads_findings);
        let no_log = GOOD.replace("time.synchronised == false", "size(matches) > 0");
        let errs = compile_rule("x/40099-thing-broken.toml", &no_log).unwrap_err();
        assert!(
            errs[0].message.contains("only a rule with a [log] table"),
            "{errs:?}"
        );
        let bad_regex = log.replace("'x (?P<who>", "'x (?P<who");
        let errs = compile_rule("x/40099-thing-broken.toml", &bad_regex).unwrap_err();
        assert!(errs[0].message.contains("log.pattern"), "{errs:?}");
        let grouped = log.replace(
            "requires = [\"time\"]",
            "scope = \"fleet\"\nrequires = [\"time\"]",
        );
        let errs = compile_rule("x/40099-thing-broken.toml", &grouped).unwrap_err();
        assert!(
            errs.iter().any(|e| e.message.contains("needs node scope")),
            "{errs:?}"
        );
    }

    #[test]
    fn findings_and_not_applicable_when_are_checked() {
        let late = GOOD.replace(
            "[[fail_when]]",
            "[[not_applicable_when]]\nexpr = \"size(findings) == 0\"\nreason = \"nothing failed\"\n\n[[fail_when]]",
        );
        let (rule, _) = compile_rule("x/40099-thing-broken.toml", &late).unwrap();
        assert!(rule.reads_findings);
        assert_eq!(rule.not_applicable_when.len(), 1);
        let per_item = late.replace("size(findings) == 0", "item == 1");
        let errs = compile_rule("x/40099-thing-broken.toml", &per_item).unwrap_err();
        assert!(errs[0].message.contains("cannot read `item`"), "{errs:?}");
        // Without fail_when, a rule needs unknown_when: it then never fails.
        let never_fails = GOOD.replace(
            "[[fail_when]]\nexpr = \"time.synchronised == false\"",
            "[[unknown_when]]\nexpr = \"true\"\nreason = \"unexplained\"",
        );
        assert!(compile_rule("x/40099-thing-broken.toml", &never_fails).is_ok());
        let nothing = GOOD.replace("[[fail_when]]\nexpr = \"time.synchronised == false\"\n", "");
        let errs = compile_rule("x/40099-thing-broken.toml", &nothing).unwrap_err();
        assert!(errs[0].message.contains("could never fail"), "{errs:?}");
    }
}
