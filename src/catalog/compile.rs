//! A rule file compiled into a rule ready to evaluate: its expressions and
//! templates compiled once, each condition with its line.

use super::expr::{self, Compiled, Template};
use super::lint;
use super::problem::Problem;
use super::rule_file::{self, FailWhen, ReasonWhen, RuleFile, cel_error_line, line_of};
use crate::facts::log_scan::LogPattern;
use crate::facts::tables::SiteTables;
use crate::model::{Phase, Scope, Severity};
use cel::Program;
use std::sync::Arc;
use toml::Spanned;

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
    pub applies_to: Option<Compiled>,
    /// What `applies_to` judges besides the node (see [`applies_key`]), so
    /// that the rules sharing it judge a node once.
    pub applies_key: Option<String>,
    /// The line of `applies_to` in the rule file.
    pub applies_to_line: Option<usize>,
    pub for_each: Option<Compiled>,
    /// The line of `for_each` in the rule file.
    pub for_each_line: Option<usize>,
    pub key: Option<Template>,
    pub evidence: Option<Compiled>,
    pub message: Template,
    /// The logs a log-pattern rule scans into `matches`.
    pub log: Option<LogPattern>,
    /// Judged once the facts are built: true makes the rule not applicable.
    pub not_applicable_when: Vec<Condition>,
    /// The rule reads `findings`, so it runs after the node's other rules.
    pub reads_findings: bool,
    /// `unknown_when` conditions judged once per rule run.
    pub unknown_when: Vec<Condition>,
    /// `unknown_when` conditions that read `item`: judged per item.
    pub item_unknown_when: Vec<Condition>,
    pub fail_when: Vec<Condition>,
    pub params: serde_json::Value,
    /// `params` converted once for CEL, lent to every run of the rule.
    pub params_bound: expr::Bound,
    /// Where the rule came from: `embedded:<file>` or a path.
    pub origin: String,
    /// The rule file's text, for the catalog digest.
    pub source_text: String,
}

/// One `not_applicable_when`, `unknown_when` or `fail_when` entry, compiled.
#[derive(Debug)]
pub struct Condition {
    pub program: Compiled,
    /// The expression's 1-based line in the rule file, so that one that
    /// fails at run time is reported at its line.
    pub line: usize,
    /// The severity of a failure: the entry's, else the rule's.
    pub severity: Severity,
    /// The reason or message; `None` for a `fail_when` that uses the
    /// rule's message.
    pub message: Option<Template>,
}

impl Rule {
    pub fn file_stem(&self) -> String {
        format!("{}-{}", self.code, self.name)
    }

    /// Whether any expression or template of the rule reads `var`.
    pub fn reads(&self, var: &str) -> bool {
        self.programs()
            .any(|p| expr::variables(p).iter().any(|v| v == var))
    }

    fn programs(&self) -> impl Iterator<Item = &Program> {
        let conditions = (self.unknown_when.iter())
            .chain(&self.item_unknown_when)
            .chain(&self.not_applicable_when)
            .chain(&self.fail_when);
        let templates = [Some(&self.message), self.key.as_ref()]
            .into_iter()
            .flatten()
            .chain(conditions.clone().filter_map(|c| c.message.as_ref()));
        [&self.applies_to, &self.for_each, &self.evidence]
            .into_iter()
            .flatten()
            .chain(conditions.map(|c| &c.program))
            .map(|c| &**c)
            .chain(templates.flat_map(Template::programs))
    }
}

/// Compiles one rule file, whose facts may be the site's `tables` too;
/// returns the rule and its warnings, or every error.
pub fn compile_rule(
    origin: &str,
    text: &str,
    tables: &SiteTables,
) -> Result<(Rule, Vec<Problem>), Vec<Problem>> {
    let file = rule_file::decode(origin, text)?;
    let warnings = lint::key_order(origin, text);
    let mut c = Compiler {
        origin,
        text,
        requires: &file.requires,
        tables,
        errors: lint::file_errors(origin, &file, tables),
    };
    let programs = Programs::compile(&mut c, &file);
    if let (Some(p), Some(src)) = (&programs.applies_to, &file.applies_to) {
        let guard = lint::applies_to_reads_identity(origin, text, p, src);
        c.errors.extend(guard);
    }
    let texts = Texts::compile(&mut c, &file);
    c.errors.extend(lint::fail_severity(origin, text, &file));
    let log = match &file.log {
        None => None,
        Some(section) => LogPattern::compile(section)
            .map_err(|e| c.errors.push(Problem::error(origin, None, e.to_string())))
            .ok(),
    };
    if file.log.is_some() && file.scope != Scope::Node {
        c.errors.push(Problem::error(
            origin,
            None,
            "a [log] table needs node scope".into(),
        ));
    }
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    let rule = assemble(file, programs, texts, log, origin, text)?;
    let unbound = bound_variables(origin, &rule);
    if !unbound.is_empty() {
        return Err(unbound);
    }
    Ok((rule, warnings))
}

/// Compiles expressions and templates, collecting every error.
struct Compiler<'a> {
    origin: &'a str,
    text: &'a str,
    requires: &'a [String],
    tables: &'a SiteTables,
    errors: Vec<Problem>,
}

impl Compiler<'_> {
    fn line(&self, src: &Spanned<String>) -> usize {
        line_of(self.text, src.span().start)
    }

    /// An expression that compiles and reads only facts the rule requires.
    fn expr(&mut self, src: &Spanned<String>, what: &str) -> Option<Compiled> {
        let base = self.line(src);
        match expr::compile(src.get_ref()) {
            Ok(p) => {
                self.check_requires(&p, base, what);
                Some(p)
            }
            Err(e) => {
                let line = base + cel_error_line(&e.to_string()) - 1;
                let problem = Problem::error(self.origin, Some(line), format!("{what}: {e}"));
                self.errors.push(problem);
                None
            }
        }
    }

    /// A template whose expressions read only facts the rule requires.
    fn template(&mut self, src: &Spanned<String>, what: &str) -> Option<Template> {
        let line = self.line(src);
        match Template::compile(src.get_ref()) {
            Ok(t) => {
                for p in t.programs() {
                    self.check_requires(p, line, what);
                }
                Some(t)
            }
            Err(e) => {
                let problem = Problem::error(self.origin, Some(line), format!("{what}: {e}"));
                self.errors.push(problem);
                None
            }
        }
    }

    fn check_requires(&mut self, program: &Program, line: usize, what: &str) {
        let used = expr::variables(program);
        lint::check_requires(
            &used,
            self.requires,
            self.tables,
            line,
            what,
            self.origin,
            &mut self.errors,
        );
    }
}

/// The rule's expressions, each `None` where it did not compile.
struct Programs {
    applies_to: Option<Compiled>,
    for_each: Option<Compiled>,
    evidence: Option<Compiled>,
    not_applicable_when: Vec<Option<Compiled>>,
    unknown_when: Vec<Option<Compiled>>,
    fail_when: Vec<Option<Compiled>>,
}

impl Programs {
    fn compile(c: &mut Compiler, file: &RuleFile) -> Programs {
        let optional = |c: &mut Compiler, src: &Option<Spanned<String>>, what| {
            src.as_ref().and_then(|s| c.expr(s, what))
        };
        Programs {
            applies_to: optional(c, &file.applies_to, "applies_to"),
            for_each: optional(c, &file.for_each, "for_each"),
            evidence: optional(c, &file.evidence, "evidence"),
            not_applicable_when: (file.not_applicable_when.iter())
                .map(|u| c.expr(&u.expr, "not_applicable_when.expr"))
                .collect(),
            unknown_when: (file.unknown_when.iter())
                .map(|u| c.expr(&u.expr, "unknown_when.expr"))
                .collect(),
            fail_when: (file.fail_when.iter())
                .map(|f| c.expr(&f.expr, "fail_when.expr"))
                .collect(),
        }
    }
}

/// The rule's templates, each `None` where it did not compile.
struct Texts {
    message: Option<Template>,
    key: Option<Template>,
    not_applicable_reasons: Vec<Option<Template>>,
    unknown_reasons: Vec<Option<Template>>,
    /// `Some(None)`: the entry has no message of its own.
    fail_messages: Vec<Option<Option<Template>>>,
}

impl Texts {
    fn compile(c: &mut Compiler, file: &RuleFile) -> Texts {
        Texts {
            message: c.template(&file.message, "message"),
            key: file.key.as_ref().and_then(|k| c.template(k, "key")),
            not_applicable_reasons: (file.not_applicable_when.iter())
                .map(|u| c.template(&u.reason, "not_applicable_when.reason"))
                .collect(),
            unknown_reasons: (file.unknown_when.iter())
                .map(|u| c.template(&u.reason, "unknown_when.reason"))
                .collect(),
            fail_messages: (file.fail_when.iter())
                .map(|f| match &f.message {
                    Some(m) => c.template(m, "fail_when.message").map(Some),
                    None => Some(None),
                })
                .collect(),
        }
    }
}

/// The rule, from parts that all compiled (every `Option` above is
/// `Some`: a `None` pushed an error).
fn assemble(
    file: RuleFile,
    programs: Programs,
    texts: Texts,
    log: Option<LogPattern>,
    origin: &str,
    text: &str,
) -> Result<Rule, Vec<Problem>> {
    let line_at = |src: &Spanned<String>| line_of(text, src.span().start);
    let with_reasons = |entries: &[ReasonWhen], progs: Vec<Option<Compiled>>, reasons| {
        reason_conditions(entries, progs, reasons, file.severity, &line_at)
    };
    let not_applicable_when = with_reasons(
        &file.not_applicable_when,
        programs.not_applicable_when,
        texts.not_applicable_reasons,
    );
    let (item_unknown_when, unknown_when): (Vec<_>, Vec<_>) = with_reasons(
        &file.unknown_when,
        programs.unknown_when,
        texts.unknown_reasons,
    )
    .into_iter()
    .partition(|c| expr::variables(&c.program).iter().any(|v| v == "item"));
    if file.for_each.is_none() && !item_unknown_when.is_empty() {
        return Err(vec![Problem::error(
            origin,
            None,
            "unknown_when reads `item`, which exists only with for_each".into(),
        )]);
    }
    let fail_when = fail_conditions(
        &file.fail_when,
        programs.fail_when,
        texts.fail_messages,
        file.severity,
        &line_at,
    );
    let params = crate::facts::toml_to_json(toml::Value::Table(file.params));
    let mut rule = Rule {
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
        applies_to_line: file.applies_to.as_ref().map(line_at),
        applies_to_source: file.applies_to.map(Spanned::into_inner),
        applies_to: programs.applies_to,
        applies_key: None,
        for_each_line: file.for_each.as_ref().map(line_at),
        for_each: programs.for_each,
        key: texts.key,
        evidence: programs.evidence,
        message: texts.message.expect("message compiled"),
        log,
        not_applicable_when,
        reads_findings: false,
        unknown_when,
        item_unknown_when,
        fail_when,
        params_bound: expr::to_bound(&params),
        params,
        origin: origin.to_string(),
        source_text: text.to_string(),
    };
    rule.reads_findings = rule.reads("findings");
    rule.applies_key = applies_key(&rule);
    Ok(rule)
}

/// Variables the engine binds only in some rules, checked once the rule
/// is compiled.
fn bound_variables(origin: &str, rule: &Rule) -> Vec<Problem> {
    let err = |message: String| Problem::error(origin, None, message);
    let mut errors = Vec::new();
    if rule.reads_findings && rule.scope != Scope::Node {
        errors.push(err("`findings` exists only in node scope".into()));
    }
    for var in ["matches", "logs"] {
        if rule.reads(var) && rule.log.is_none() {
            errors.push(err(format!(
                "reads `{var}`, which only a rule with a [log] table has"
            )));
        }
    }
    if rule.not_applicable_when.iter().any(|c| {
        super::expr::variables(&c.program)
            .iter()
            .any(|v| v == "item")
    }) {
        errors.push(err(
            "not_applicable_when is judged once per rule and cannot read `item`".into(),
        ));
    }
    errors
}

/// `not_applicable_when` or `unknown_when` entries with their reasons.
fn reason_conditions(
    entries: &[ReasonWhen],
    programs: Vec<Option<Compiled>>,
    reasons: Vec<Option<Template>>,
    severity: Severity,
    line_at: &impl Fn(&Spanned<String>) -> usize,
) -> Vec<Condition> {
    entries
        .iter()
        .zip(programs.into_iter().flatten())
        .zip(reasons.into_iter().flatten())
        .map(|((entry, program), reason)| Condition {
            program,
            line: line_at(&entry.expr),
            severity,
            message: Some(reason),
        })
        .collect()
}

/// `fail_when` entries, each with its severity (the rule's unless given).
fn fail_conditions(
    entries: &[FailWhen],
    programs: Vec<Option<Compiled>>,
    messages: Vec<Option<Option<Template>>>,
    severity: Severity,
    line_at: &impl Fn(&Spanned<String>) -> usize,
) -> Vec<Condition> {
    entries
        .iter()
        .zip(programs.into_iter().flatten())
        .zip(messages.into_iter().flatten())
        .map(|((entry, program), message)| Condition {
            program,
            line: line_at(&entry.expr),
            severity: entry.severity.unwrap_or(severity),
            message,
        })
        .collect()
}

/// What `applies_to` judges besides the node: its source and the params it
/// reads (all of them when it reads `params` whole), so that rules gating
/// on the same platforms judge a node once whatever their other params.
fn applies_key(rule: &Rule) -> Option<String> {
    let (source, program) = (rule.applies_to_source.as_ref()?, rule.applies_to.as_ref()?);
    let params = &rule.params;
    let Some(fields) = expr::fields_read(program, "params") else {
        return Some(format!("{source}\n{params}"));
    };
    let read = fields.into_iter().map(|field| {
        let value = params.get(field).map_or("-".into(), ToString::to_string);
        format!("{field}={value}")
    });
    Some(
        std::iter::once(source.clone())
            .chain(read)
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::tables::NO_TABLES;

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
        let (rule, warnings) = compile_rule("x/40099-thing-broken.toml", GOOD, &NO_TABLES).unwrap();
        assert_eq!(rule.code, 40099);
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn cel_errors_carry_the_file_line() {
        let bad = GOOD.replace("time.synchronised == false", "time.synchronised ==");
        let errs = compile_rule("x/40099-thing-broken.toml", &bad, &NO_TABLES).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].line, Some(12));
        assert!(errs[0].message.contains("fail_when.expr"));
    }

    #[test]
    fn unknown_fields_and_wrong_names_are_errors() {
        let bad = GOOD.replace("remediation", "remedy");
        let errs = compile_rule("x/40099-thing-broken.toml", &bad, &NO_TABLES).unwrap_err();
        assert!(
            errs[0].message.contains("unknown field `remedy`"),
            "{errs:?}"
        );
        assert_eq!(errs[0].line, Some(8));
        let errs = compile_rule("x/40098-thing-broken.toml", GOOD, &NO_TABLES).unwrap_err();
        assert!(errs[0].message.contains("40099-thing-broken.toml"));
    }

    #[test]
    fn reading_an_unrequired_fact_is_an_error() {
        let bad = GOOD.replace("requires = [\"time\"]", "requires = []");
        let errs = compile_rule("x/40099-thing-broken.toml", &bad, &NO_TABLES).unwrap_err();
        assert!(errs[0].message.contains("reads `time`"), "{errs:?}");
    }

    #[test]
    fn applies_to_may_not_read_facts() {
        let bad = GOOD.replace(
            "requires = [\"time\"]",
            "applies_to = \"time.running\"\nrequires = [\"time\"]",
        );
        let errs = compile_rule("x/40099-thing-broken.toml", &bad, &NO_TABLES).unwrap_err();
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
        let (_, warnings) =
            compile_rule("x/40099-thing-broken.toml", &swapped, &NO_TABLES).unwrap();
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
        let errs = compile_rule("x/40099-thing-broken.toml", &per_item, &NO_TABLES).unwrap_err();
        assert!(errs[0].message.contains("only with for_each"), "{errs:?}");
        let with_items = per_item.replace(
            "requires = [\"time\"]",
            "requires = [\"time\"]\nfor_each = \"[{'x': 1}]\"\nkey = \"{item.x}\"",
        );
        let (rule, _) = compile_rule("x/40099-thing-broken.toml", &with_items, &NO_TABLES).unwrap();
        assert_eq!(rule.unknown_when.len(), 1);
        assert_eq!(rule.item_unknown_when.len(), 1);
    }

    #[test]
    fn log_tables_and_their_variables_are_checked() {
        let log = GOOD.replace(
            "[[fail_when]]\nexpr = \"time.synchronised == false\"",
            "[log]\nfiles = ['var/log/messages*']\npattern = 'x (?P<who>\\\\S+)'\n\n[[fail_when]]\nexpr = \"size(matches) > 0\"",
        );
        let (rule, _) = compile_rule("x/40099-thing-broken.toml", &log, &NO_TABLES).unwrap();
        assert!(rule.log.is_some() && !rule.reads_findings);
        let no_log = GOOD.replace("time.synchronised == false", "size(matches) > 0");
        let errs = compile_rule("x/40099-thing-broken.toml", &no_log, &NO_TABLES).unwrap_err();
        assert!(
            errs[0].message.contains("only a rule with a [log] table"),
            "{errs:?}"
        );
        let bad_regex = log.replace("'x (?P<who>", "'x (?P<who");
        let errs = compile_rule("x/40099-thing-broken.toml", &bad_regex, &NO_TABLES).unwrap_err();
        assert!(errs[0].message.contains("log.pattern"), "{errs:?}");
        let grouped = log.replace(
            "requires = [\"time\"]",
            "scope = \"fleet\"\nrequires = [\"time\"]",
        );
        let errs = compile_rule("x/40099-thing-broken.toml", &grouped, &NO_TABLES).unwrap_err();
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
        let (rule, _) = compile_rule("x/40099-thing-broken.toml", &late, &NO_TABLES).unwrap();
        assert!(rule.reads_findings);
        assert_eq!(rule.not_applicable_when.len(), 1);
        let per_item = late.replace("size(findings) == 0", "item == 1");
        let errs = compile_rule("x/40099-thing-broken.toml", &per_item, &NO_TABLES).unwrap_err();
        assert!(errs[0].message.contains("cannot read `item`"), "{errs:?}");
        // Without fail_when, a rule needs unknown_when: it then never fails.
        let never_fails = GOOD.replace(
            "[[fail_when]]\nexpr = \"time.synchronised == false\"",
            "[[unknown_when]]\nexpr = \"true\"\nreason = \"unexplained\"",
        );
        assert!(compile_rule("x/40099-thing-broken.toml", &never_fails, &NO_TABLES).is_ok());
        let nothing = GOOD.replace("[[fail_when]]\nexpr = \"time.synchronised == false\"\n", "");
        let errs = compile_rule("x/40099-thing-broken.toml", &nothing, &NO_TABLES).unwrap_err();
        assert!(errs[0].message.contains("could never fail"), "{errs:?}");
    }

    #[test]
    fn rules_gating_alike_share_an_applies_key_whatever_their_other_params() {
        let key = |applies: &str, params: &str| {
            let text = GOOD.replace(
                "requires = [\"time\"]",
                &format!("applies_to = \"{applies}\"\nrequires = [\"time\"]"),
            ) + "\n[params]\n"
                + params;
            let (rule, _) = compile_rule("x/40099-thing-broken.toml", &text, &NO_TABLES).unwrap();
            rule.applies_key.unwrap()
        };
        let gate = "node.platform in params.platforms";
        assert_eq!(
            key(gate, "platforms = ['tpd']\nmax = 1"),
            key(gate, "platforms = ['tpd']\nmax = 2")
        );
        assert_ne!(
            key(gate, "platforms = ['tpd']"),
            key(gate, "platforms = ['linux']")
        );
        assert_ne!(key(gate, "platforms = ['tpd']"), key(gate, "max = 1"));
        let whole = "size(params) > 1";
        assert_ne!(key(whole, "max = 1"), key(whole, "max = 2"));
    }
}
