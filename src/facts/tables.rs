//! Table inputs as facts: an input file with a `[table]` section (a site's
//! `DIR/inputs/<name>.toml`, given with `--rules DIR`) becomes the fact
//! `<name>` with `-` as `_`, with no Rust written for it. The fact is the
//! list of the export's rows, each with its fields and
//! `source: {file, line}`. The files are read and checked by the input
//! table (`inputs`), the one loader of built-in and site inputs; this
//! module reads their `[table]`.

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value as Json;

use super::{FactProblem, FactResult, NodeFacts, outcome_problem, source};
use crate::inputs::{Input, InputError};
use crate::parse::Outcome;
use crate::parse::table::TableSpec;
use crate::snapshot::{Layout, Node};

/// One input read as a table.
#[derive(Debug)]
pub struct TableInput {
    /// The input's name: its file's stem (`nms-patches`).
    pub name: String,
    /// The fact rules read: the name with `-` as `_` (`nms_patches`).
    pub fact: &'static str,
    /// The file that declares it.
    pub origin: String,
    pub description: String,
    /// Candidate files relative to a native node folder, best first.
    pub native: Vec<String>,
    /// Candidate files relative to a sosreport; none when sos never holds it.
    pub sos: Vec<String>,
    pub table: TableSpec,
    /// The line of each `[[table.examples]]`, for messages.
    pub example_lines: Vec<usize>,
}

/// A problem with an input file, at its line when one is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableInputError {
    /// The folder or a file cannot be read.
    Unreadable { path: String, reason: String },
    /// Not TOML, or not the input format, or a `[table]` that cannot be used.
    Invalid {
        origin: String,
        line: usize,
        message: String,
    },
}

impl std::fmt::Display for TableInputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TableInputError::Unreadable { path, reason } => {
                write!(f, "{path}: cannot read: {reason}")
            }
            TableInputError::Invalid {
                origin,
                line,
                message,
            } => write!(f, "{origin}:{line}: {message}"),
        }
    }
}

/// The table inputs of a run's site folders, loaded with the rules catalog
/// and lent to each node's facts and to the rule checks.
#[derive(Debug, Default)]
pub struct SiteTables {
    inputs: Vec<TableInput>,
    /// The facts of site input files that did not load: their errors are
    /// reported, and a rule that requires one is not an error of its own.
    broken: Vec<String>,
}

/// No site table: the facts of a node read without a catalog.
pub static NO_TABLES: SiteTables = SiteTables {
    inputs: Vec::new(),
    broken: Vec::new(),
};

impl SiteTables {
    /// The table inputs of each folder's `inputs/`, with every problem met.
    pub fn load(dirs: &[PathBuf]) -> (SiteTables, Vec<TableInputError>) {
        let (inputs, errors) = site_inputs(dirs);
        let broken = errors
            .iter()
            .filter_map(|e| match e {
                TableInputError::Invalid { origin, .. } => Some(origin),
                TableInputError::Unreadable { .. } => None,
            })
            .map(|origin| {
                let file = origin.rsplit(['/', '\\']).next().unwrap_or(origin);
                file.trim_end_matches(".toml").replace('-', "_")
            })
            .collect();
        (SiteTables { inputs, broken }, errors)
    }

    /// Whether a site input file declares fact `fact`, loaded or not.
    pub fn is_declared(&self, fact: &str) -> bool {
        self.find(fact).is_some() || self.broken.iter().any(|f| f == fact)
    }

    /// The table input that makes fact `fact`, if any.
    pub fn find(&self, fact: &str) -> Option<&TableInput> {
        self.inputs.iter().find(|i| i.fact == fact)
    }

    /// The facts of the table inputs.
    pub fn fact_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.inputs.iter().map(|i| i.fact)
    }

    pub fn inputs(&self) -> &[TableInput] {
        &self.inputs
    }
}

/// The site inputs with a `[table]` of the input table (`inputs::Catalog`,
/// the built-in inputs and those of each folder's `inputs/`), with every
/// problem met. The input table reads and checks the files; a `[table]`
/// is read here, each mistake at its line of the file.
fn site_inputs(dirs: &[PathBuf]) -> (Vec<TableInput>, Vec<TableInputError>) {
    let catalog = match crate::inputs::Catalog::load(dirs) {
        Ok(catalog) => catalog,
        Err(errors) => return (vec![], errors.0.iter().map(TableInputError::from).collect()),
    };
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let site = catalog
        .iter()
        .filter(|i| !i.origin.starts_with("embedded:"));
    for input in site {
        match from_input(input) {
            Ok(Some(table)) => inputs.push(table),
            Ok(None) => {}
            Err(mut more) => errors.append(&mut more),
        }
    }
    (inputs, errors)
}

impl From<&InputError> for TableInputError {
    fn from(e: &InputError) -> Self {
        let (origin, line) = e.location();
        match (e, line) {
            (InputError::Unreadable { reason, .. }, _) => TableInputError::Unreadable {
                path: origin,
                reason: reason.clone(),
            },
            (_, line) => {
                let line = line.unwrap_or(1);
                let text = e.to_string();
                let message = text
                    .strip_prefix(&format!("{origin}:{line}: "))
                    .unwrap_or(&text)
                    .to_string();
                TableInputError::Invalid {
                    origin,
                    line,
                    message,
                }
            }
        }
    }
}

/// The table of one input of the input table; `None` when it has no
/// `[table]`.
pub fn from_input(input: &Input) -> Result<Option<TableInput>, Vec<TableInputError>> {
    if input.table.is_none() {
        return Ok(None);
    }
    let (origin, text) = (input.origin.as_str(), input.source.as_str());
    let invalid = |line: usize, message: String| TableInputError::Invalid {
        origin: origin.to_string(),
        line,
        message,
    };
    // Read again from the text, so that a mistake is found at its line.
    #[derive(Deserialize)]
    struct WithTable {
        table: TableSpec,
    }
    let spec = toml::from_str::<WithTable>(text)
        .map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            vec![invalid(line, format!("[table]: {}", e.message().trim()))]
        })?
        .table;
    let table_line = line_near(text, "[table", 1);
    let fact = input.name.replace('-', "_");
    let mut problems: Vec<TableInputError> = spec
        .problems()
        .into_iter()
        .map(|(needle, message)| invalid(line_near(text, &needle, table_line), message))
        .collect();
    if super::spec(&fact).is_some() {
        problems.push(invalid(
            1,
            format!("the input would make fact `{fact}`, which is built in: give it another name"),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Some(TableInput {
        name: input.name.clone(),
        fact: Box::leak(fact.into_boxed_str()),
        origin: origin.to_string(),
        description: input.description.clone(),
        native: input.paths.native.clone(),
        sos: input.paths.sos.clone(),
        table: spec,
        example_lines: input.example_lines.clone(),
    }))
}

/// The problems of the examples of `input`, as `inputs check` finds them:
/// each at the example's line.
pub fn example_errors(input: &TableInput) -> Vec<TableInputError> {
    input
        .table
        .example_findings(&input.example_lines)
        .into_iter()
        .map(|(line, message)| TableInputError::Invalid {
            origin: input.origin.clone(),
            line: line.unwrap_or(1),
            message,
        })
        .collect()
}

/// The fact of a table input on one node: its rows, each with `source`.
pub fn build(facts: &mut NodeFacts<'_>, input: &TableInput) -> FactResult {
    let missing = |looked_for| FactProblem::Missing {
        input: input.name.clone(),
        looked_for,
    };
    let path = resolve(facts.node, input).map_err(missing)?;
    let (rel, outcome) = facts.parse_file(&path, |text| input.table.parse(text))?;
    let rows = match outcome {
        Outcome::Parsed { records } => records,
        other => return Err(outcome_problem(&rel, &other).unwrap_or_else(|| missing(vec![]))),
    };
    Ok(Json::Array(
        rows.into_iter()
            .map(|mut row| {
                let line = row
                    .remove("line")
                    .and_then(|l| l.as_u64())
                    .and_then(|l| usize::try_from(l).ok())
                    .unwrap_or(0);
                row.insert("source".into(), source(&rel, line));
                Json::Object(row)
            })
            .collect(),
    ))
}

/// The first candidate file of `input` that the node holds, or the
/// candidates looked for.
pub fn resolve(node: &Node, input: &TableInput) -> Result<PathBuf, Vec<String>> {
    let candidates = match node.layout {
        Layout::Native => &input.native,
        Layout::Sos => &input.sos,
    };
    if candidates.is_empty() {
        return Err(vec!["nothing: a sosreport never holds it".into()]);
    }
    candidates
        .iter()
        .map(|c| node.dir.join(c))
        .find(|p| node.is_file(p))
        .ok_or_else(|| candidates.clone())
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |s| s.matches('\n').count() + 1)
}

/// The line of the first occurrence of `needle` at or after line `from`,
/// else `from`.
fn line_near(text: &str, needle: &str, from: usize) -> usize {
    if needle.is_empty() {
        return from;
    }
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| l.contains(needle))
        .map_or(from, |(i, _)| i + 1)
}
