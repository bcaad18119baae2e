//! `upcheck rules list|check` and `upcheck explain`.

use super::args::Format;
use super::{Error, Exit, Outcome, emit, load_catalog};
use crate::engine::fixture_check;
use crate::model::Phase;
use crate::policy;
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// List the rules.
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Only these codes or families (`4`, `4xxxx`, `20002`), comma-separated.
        #[arg(long, value_delimiter = ',', value_name = "CODES")]
        family: Vec<String>,
        /// Only the rules of this phase.
        #[arg(long, value_enum)]
        phase: Option<Phase>,
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
    /// Validate a rule folder (default: the built-in catalog) and run each
    /// rule on its fires/passes fixtures.
    Check {
        /// Rule folder; its fixtures are looked for in DIR/../fixtures/rules.
        /// A site folder (with `rules/`, `inputs/` and `fixtures/rules/`
        /// inside) is checked whole, the examples of its table inputs too.
        dir: Option<PathBuf>,
        /// The same as DIR, as `check --rules DIR` names it.
        #[arg(long = "rules", value_name = "DIR", conflicts_with = "dir")]
        rules: Option<PathBuf>,
        /// Fixture folder (holding <code>-<name>/fires and passes).
        #[arg(long, value_name = "DIR")]
        fixtures: Option<PathBuf>,
        /// Treat warnings (key order) as errors.
        #[arg(long)]
        deny_warnings: bool,
    },
}

pub(super) fn list(
    format: Format,
    family: &[String],
    phase: Option<Phase>,
    dirs: &[PathBuf],
) -> Outcome {
    let catalog = load_catalog(dirs)?;
    if let Some(bad) = family.iter().find(|f| !policy::is_code_pattern(f)) {
        return Err(Error::Usage(format!(
            "--family {bad}: not a code or family (use 40001, 4 or 4xxxx)"
        )));
    }
    let rules: Vec<&crate::catalog::Rule> = catalog
        .rules
        .values()
        .filter(|r| family.is_empty() || family.iter().any(|f| policy::code_matches(f, r.code)))
        .filter(|r| phase.is_none_or(|p| r.phases.contains(&p)))
        .collect();
    let text = match format {
        Format::Json => {
            let list: Vec<serde_json::Value> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code,
                        "name": r.name,
                        "title": r.title,
                        "severity": r.severity,
                        "phases": r.phases,
                        "scope": r.scope,
                        "requires": r.requires,
                        "depends_on": r.depends_on,
                        "origin": r.origin,
                    })
                })
                .collect();
            let mut t = serde_json::to_string_pretty(&list).unwrap_or_default();
            t.push('\n');
            t
        }
        Format::Table => crate::report::render_rules(&rules, super::output::table_width(true)),
    };
    emit(&text, None)?;
    Ok(Exit::Clean)
}

pub(super) fn check(dir: Option<&Path>, fixtures: Option<&Path>, deny_warnings: bool) -> Outcome {
    let result = fixture_check::check(dir, fixtures);
    for p in &result.problems {
        eprintln!("{p}");
    }
    let errors = result.problems.iter().filter(|p| !p.warning).count();
    let warnings = result.problems.len() - errors;
    let summary = format!(
        "{} rule(s) checked, {} fixture run(s): {errors} error(s), {warnings} warning(s)\n",
        result.rules, result.fixture_runs
    );
    emit(&summary, None)?;
    Ok(if errors > 0 || (deny_warnings && warnings > 0) {
        Exit::Errors
    } else {
        Exit::Clean
    })
}

pub(super) fn explain(wanted: &str, dirs: &[PathBuf]) -> Outcome {
    let catalog = load_catalog(dirs)?;
    let by_name = || {
        let rules = catalog.rules.values().map(|r| (r.code, &*r.name));
        let tools = crate::model::tool_codes::TOOL_CODES
            .iter()
            .map(|t| (t.code, t.name));
        rules
            .chain(tools)
            .find(|(_, name)| *name == wanted)
            .map(|(code, _)| code)
    };
    let code = wanted.parse::<u32>().ok().or_else(by_name);
    if let Some(text) = code.and_then(|code| crate::catalog::docs::explain(&catalog, code)) {
        emit(&text, None)?;
        Ok(Exit::Clean)
    } else {
        let mut near: Vec<(f64, &str)> = catalog
            .rules
            .values()
            .map(|r| (strsim::jaro_winkler(&r.name, wanted), &*r.name))
            .filter(|(score, _)| *score > 0.9)
            .collect();
        near.sort_by(|a, b| b.0.total_cmp(&a.0));
        let hint = match near.first() {
            Some((_, name)) => format!(" (did you mean {name}?)"),
            None => String::new(),
        };
        Err(Error::Usage(format!(
            "no rule or tool code `{wanted}`{hint}; `upcheck rules list` shows them"
        )))
    }
}
