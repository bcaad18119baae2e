//! Table inputs as facts: an input file with a `[table]` section (a site's
//! `DIR/inputs/<name>.toml`, given with `--rules DIR`) becomes the fact
//! `<name>` with `-` as `_`, with no Rust written for it. The fact is the
//! list of the export's rows, each with its fields and
//! `source: {file, line}`.

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use serde::Deserialize;
use serde_json::Value as Json;

use super::{FactProblem, FactResult, NodeFacts, outcome_problem, source};
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

/// An input file as written; the table spec is read from `table`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InputFile {
    description: String,
    paths: Paths,
    // Read by `upcheck collect`, not by the facts.
    #[serde(rename = "collect")]
    _collect: toml::Table,
    #[serde(default, rename = "unread")]
    _unread: Option<String>,
    table: Option<toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Paths {
    native: Vec<String>,
    #[serde(default)]
    sos: Vec<String>,
}

/// The table inputs of this run, set when the catalog is loaded.
static ACTIVE: RwLock<Vec<&'static TableInput>> = RwLock::new(Vec::new());

/// Makes `inputs` the table inputs facts are built from. Each is kept for
/// the rest of the process (a run loads its catalog once).
pub fn activate(inputs: Vec<TableInput>) {
    let leaked: Vec<&'static TableInput> = inputs
        .into_iter()
        .map(|i| &*Box::leak(Box::new(i)))
        .collect();
    if let Ok(mut active) = ACTIVE.write() {
        *active = leaked;
    }
}

/// The facts of site input files that did not load: their errors are
/// reported, and a rule that requires one is not an error of its own.
static BROKEN: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Notes the input files that did not load (see [`BROKEN`]).
pub fn note_broken(errors: &[TableInputError]) {
    if let Ok(mut broken) = BROKEN.write() {
        broken.clear();
        for e in errors {
            if let TableInputError::Invalid { origin, .. } = e {
                let file = origin.rsplit(['/', '\\']).next().unwrap_or(origin);
                broken.push(file.trim_end_matches(".toml").replace('-', "_"));
            }
        }
    }
}

/// Whether a site input file declares fact `fact`, loaded or not.
pub fn is_declared(fact: &str) -> bool {
    find(fact).is_some() || BROKEN.read().is_ok_and(|b| b.iter().any(|f| f == fact))
}

/// The table input that makes fact `fact`, if any.
pub fn find(fact: &str) -> Option<&'static TableInput> {
    ACTIVE.read().ok()?.iter().copied().find(|i| i.fact == fact)
}

/// The facts of the active table inputs.
pub fn fact_names() -> Vec<&'static str> {
    ACTIVE
        .read()
        .map(|a| a.iter().map(|i| i.fact).collect())
        .unwrap_or_default()
}

/// The table inputs of `DIR/inputs/` (none when it does not exist), with
/// every problem met.
pub fn load_site_folder(dir: &Path) -> (Vec<TableInput>, Vec<TableInputError>) {
    let folder = dir.join("inputs");
    if !folder.is_dir() {
        return (vec![], vec![]);
    }
    let unreadable = |path: &Path, e: std::io::Error| TableInputError::Unreadable {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut paths: Vec<_> = match std::fs::read_dir(&folder) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Err(e) => return (vec![], vec![unreadable(&folder, e)]),
    };
    paths.sort();
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::read_to_string(&path) {
            Ok(text) => match parse_input(&path.display().to_string(), &text) {
                Ok(Some(input)) => inputs.push(input),
                Ok(None) => {}
                Err(mut more) => errors.append(&mut more),
            },
            Err(e) => errors.push(unreadable(&path, e)),
        }
    }
    (inputs, errors)
}

/// One input file; `None` when it has no `[table]`.
pub fn parse_input(origin: &str, text: &str) -> Result<Option<TableInput>, Vec<TableInputError>> {
    let invalid = |line: usize, message: String| TableInputError::Invalid {
        origin: origin.to_string(),
        line,
        message,
    };
    let file: InputFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        vec![invalid(line, e.message().trim().to_string())]
    })?;
    let Some(table) = file.table else {
        return Ok(None);
    };
    drop(table);
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
    let file_name = origin.rsplit(['/', '\\']).next().unwrap_or(origin);
    let name = file_name
        .strip_suffix(".toml")
        .unwrap_or(file_name)
        .to_string();
    let fact = name.replace('-', "_");
    let mut problems: Vec<TableInputError> = spec
        .problems()
        .into_iter()
        .map(|(needle, message)| invalid(line_near(text, &needle, table_line), message))
        .collect();
    let name_ok = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !name_ok {
        problems.push(invalid(
            1,
            format!("`{name}` is no input name: name the file <name>.toml, with lower-case letters, digits and `-`"),
        ));
    }
    if crate::snapshot::input_spec(&name).is_some() {
        problems.push(invalid(
            1,
            format!("`{name}` is the name of a built-in input: give the site's another name"),
        ));
    } else if super::spec(&fact).is_some() {
        problems.push(invalid(
            1,
            format!("the input would make fact `{fact}`, which is built in: give it another name"),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Some(TableInput {
        name,
        fact: Box::leak(fact.into_boxed_str()),
        origin: origin.to_string(),
        description: file.description,
        native: file.paths.native,
        sos: file.paths.sos,
        table: spec,
        example_lines: crate::parse::table::example_lines(text),
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
