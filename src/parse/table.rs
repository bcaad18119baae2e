//! Header-named vendor tables described as data: the `[table]` section of
//! an input file (`inputs/<name>.toml`, built in or in a site folder) names
//! each column's field, its header names, its type, whether it is required
//! and, for an enum, the vocabulary that normalises what vendors print.
//! [`TableSpec::parse`] reads a file with the shared reader of
//! `export_table` (CSV through `csv-core`, or a text table aligned on
//! two or more spaces) and gives one JSON row per data row, each with the
//! `line` it starts on. docs/writing-rules.md documents the format field
//! by field.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde::de::value::MapDeserializer;
use serde_json::{Map, Value as Json};

use super::export_table::{self, Row, Spec, words};
use super::size::{size_kib, unit_bytes};
use super::{Outcome, clipped, time::gui_time};

mod examples;
pub use examples::example_lines;

/// One row as read: `line` and a value (or `null`) per field.
pub type TableRow = Map<String, Json>;

/// One row's fields in the order they are read, named as the spec names
/// them: built and handed on without a map of its own. Where a name comes
/// twice (a time's epoch field named like another field), `parse`'s maps
/// and `where` take its last value, as a map inserted into in this order
/// would; a record type, whose fields serde reads once each, refuses it.
type Fields<'s> = Vec<(&'s str, Json)>;

/// The `[table]` section of an input file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    /// The export as messages name it: `no {what} header`.
    pub what: String,
    /// Values that mean "none" in any column (`-`, `--`), as if blank.
    #[serde(default)]
    pub blank: Vec<String>,
    /// Regular expressions of lines to pass over (command echoes, prompts),
    /// blanked so the line numbers of the rest stay those of the file.
    #[serde(default)]
    pub skip_lines: Vec<String>,
    /// A template naming where a row's thing is, from its fields:
    /// `{ne}/{board}` gives each row a `where` field.
    #[serde(default, rename = "where")]
    pub where_template: Option<String>,
    pub columns: Vec<Column>,
    #[serde(default)]
    pub examples: Vec<Example>,
    #[serde(skip)]
    compiled: OnceLock<Vec<Regex>>,
    /// The columns as the export reader takes them, header names
    /// normalised: built on the first read, not for every file.
    #[serde(skip)]
    header: OnceLock<Spec<usize>>,
}

/// One column: a field of the rows and the header names it goes by.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub field: String,
    /// Header names, most specific first: when two columns of one file
    /// mean this field, the one whose name comes first here wins.
    pub names: Vec<String>,
    #[serde(default, rename = "type")]
    pub kind: ColumnType,
    /// The header must name the column and every row must give a value.
    #[serde(default)]
    pub required: bool,
    /// For `enum`: each normalised value and the printed words that mean it.
    #[serde(default)]
    pub values: BTreeMap<String, Vec<String>>,
    /// For `enum`: the value of printed words that are in no list; without
    /// it such a word makes the file malformed.
    #[serde(default)]
    pub other: Option<String>,
    /// For `enum`: a field that keeps the value as printed.
    #[serde(default)]
    pub raw: Option<String>,
    /// Kept upper case with single spaces, as names compared without
    /// regard to case or spacing are (`spm 3  cem 1` = `SPM 3 CEM 1`).
    #[serde(default)]
    pub upper: bool,
    /// What messages call the column: `the row has no {label}`. Default:
    /// the field.
    #[serde(default)]
    pub label: Option<String>,
    /// The value of a row that leaves the column blank, or of every row
    /// when the header lacks it; without it such a value is `null`.
    #[serde(default)]
    pub default: Option<String>,
    /// The header name may end in a note in parentheses or brackets
    /// (`Progress (%)`); a `kib` column's always may, the note naming its
    /// unit.
    #[serde(default)]
    pub note: bool,
    /// For `time`: the field that holds the seconds since 1970. Default:
    /// `<field>_epoch`.
    #[serde(default)]
    pub epoch: Option<String>,
    /// For `time`: a text in none of the time forms is kept as printed,
    /// its epoch `null`, instead of making the file malformed.
    #[serde(default)]
    pub lenient: bool,
    /// For `enum`: the [`vocabulary_key`] of each printed word and the
    /// value it means, in the order `values` lists them; made on first use.
    #[serde(skip)]
    keys: OnceLock<Vec<(String, String)>>,
    /// [`Column::epoch_field`], made on first use.
    #[serde(skip)]
    epoch_key: OnceLock<String>,
}

/// How a column's text becomes a value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    /// The trimmed text.
    #[default]
    String,
    /// A whole number.
    Int,
    /// A number, with or without a `%` after it.
    Percent,
    /// A size (`1.8 GB`, `152,043,520`) in KiB, rounded down; a number
    /// without a unit is in the unit its header names (`Free (MB)`), else
    /// in bytes.
    Kib,
    /// A time as vendor GUIs print it (see `gui_time`): the text, and
    /// `<field>_epoch` (seconds since 1970, UTC unless the time says
    /// otherwise). Another text makes the file malformed.
    Time,
    /// One of the `values`, matched without regard to case, spaces, `_`
    /// and `-`.
    Enum,
    /// `Y` or `N` (also `YES`, `NO`, any case): `true` or `false`.
    Flag,
}

/// A text the spec must read, and the rows it must give.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub text: String,
    /// Each row's fields; `line` and absent (`null`) fields may be left out.
    #[serde(default)]
    pub rows: Vec<toml::Table>,
}

impl TableSpec {
    /// What is wrong with the spec itself, each with a text of the input
    /// file to find the line by (the field's name; empty for the table).
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.columns.is_empty() {
            out.push((String::new(), "[table] has no columns".into()));
        }
        if !self.columns.iter().any(|c| c.required) {
            out.push((
                String::new(),
                "[table] has no required column: one must tell the export from other files".into(),
            ));
        }
        let mut seen: Vec<&str> = Vec::new();
        for column in &self.columns {
            let field = column.field.as_str();
            let at = format!("\"{field}\"");
            if !is_field_name(field) {
                out.push((
                    at.clone(),
                    format!("field `{field}` is not lower_snake_case"),
                ));
            }
            if seen.contains(&field) || column.raw.as_deref().is_some_and(|r| seen.contains(&r)) {
                out.push((at.clone(), format!("field `{field}` is given twice")));
            }
            seen.push(field);
            seen.extend(column.raw.as_deref());
            seen.extend(column.epoch.as_deref());
            if column.names.iter().all(|n| words(n).is_empty()) {
                out.push((at.clone(), format!("field `{field}` has no header names")));
            }
            let is_enum = column.kind == ColumnType::Enum;
            if is_enum && column.values.is_empty() {
                out.push((at.clone(), format!("enum field `{field}` has no `values`")));
            }
            if column.upper && column.kind != ColumnType::String {
                out.push((
                    at.clone(),
                    format!("field `{field}` is `upper` but not a string"),
                ));
            }
            let is_time = column.kind == ColumnType::Time;
            if !is_time && (column.epoch.is_some() || column.lenient) {
                out.push((
                    at.clone(),
                    format!("field `{field}` has `epoch` or `lenient` but is not a time"),
                ));
            }
            if column.default.is_some()
                && !matches!(column.kind, ColumnType::String | ColumnType::Enum)
            {
                out.push((
                    at.clone(),
                    format!("field `{field}` has a `default` but is neither a string nor an enum"),
                ));
            }
            if !is_enum && (!column.values.is_empty() || column.other.is_some()) {
                out.push((
                    at.clone(),
                    format!("field `{field}` has `values` or `other` but is not an enum"),
                ));
            }
        }
        for pattern in &self.skip_lines {
            if let Err(e) = Regex::new(pattern) {
                out.push((
                    pattern.clone(),
                    format!("skip_lines `{pattern}` is no regular expression: {e}"),
                ));
            }
        }
        if let Some(template) = &self.where_template {
            for name in placeholders(template) {
                if !seen.contains(&name) {
                    out.push((
                        template.clone(),
                        format!("where names `{name}`, which is no field"),
                    ));
                }
            }
        }
        out
    }

    /// Reads an export: one row per data row, or why the file is not one.
    pub fn parse(&self, text: &str) -> Outcome<Vec<TableRow>> {
        self.read(text, |fields| {
            Ok((fields.into_iter())
                .map(|(name, value)| (name.to_string(), value))
                .collect())
        })
    }

    /// Reads an export into records of a parser's own type, whose fields
    /// are the spec's (and `line`).
    pub fn parse_as<T: DeserializeOwned>(&self, text: &str) -> Outcome<Vec<T>> {
        self.parse_with(text, Ok)
    }

    /// Like [`TableSpec::parse_as`], each row then given to `build`, the
    /// vendor logic a spec cannot state; an `Err` from it makes the file
    /// malformed at the row's line, as a bad value would.
    pub fn parse_with<T: DeserializeOwned, R>(
        &self,
        text: &str,
        mut build: impl FnMut(T) -> Result<R, String>,
    ) -> Outcome<Vec<R>> {
        self.read(text, |fields| {
            // Only a spec out of step with its record type fails here.
            let fields = MapDeserializer::<_, serde_json::Error>::new(fields.into_iter());
            let record = T::deserialize(fields).map_err(|e| e.to_string())?;
            build(record)
        })
    }

    /// The text of one field in each data row, by the line the row starts
    /// on: all a reader that sorts rows by that field needs. The rows'
    /// other values are not checked: whoever reads the whole file reports
    /// a bad one. `None` for a row that leaves the field blank, and for
    /// every row when the spec has no such field.
    pub fn field_texts(&self, text: &str, field: &str) -> Outcome<Vec<(usize, Option<String>)>> {
        let column = self.columns.iter().position(|c| c.field == field);
        self.read_rows(text, |row| {
            let value = column
                .and_then(|i| row.get(i))
                .filter(|v| !self.is_blank(v));
            Ok((row.line, value.map(str::to_string)))
        })
    }

    /// Reads an export, each row's fields handed to `record`.
    fn read<R>(
        &self,
        text: &str,
        mut record: impl FnMut(Fields<'_>) -> Result<R, String>,
    ) -> Outcome<Vec<R>> {
        self.read_rows(text, |row| record(self.row(row)?))
    }

    /// Reads an export, each data row handed to `record` as it is read.
    fn read_rows<R>(
        &self,
        text: &str,
        record: impl FnMut(&Row<'_, usize>) -> Result<R, String>,
    ) -> Outcome<Vec<R>> {
        let kept;
        let text = if self.skip_lines.is_empty() {
            text
        } else {
            let skip = self.compiled.get_or_init(|| {
                self.skip_lines
                    .iter()
                    .filter_map(|p| Regex::new(p).ok())
                    .collect()
            });
            kept = text
                .split('\n')
                .map(|l| {
                    let bare = l.trim_start_matches('\u{feff}').trim();
                    if skip.iter().any(|r| r.is_match(bare)) {
                        ""
                    } else {
                        l
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            &kept
        };
        export_table::read(text, self.header(), record)
    }

    /// The columns as the export reader takes them: each column's index
    /// and header names, the required ones, those whose name may carry a
    /// unit note.
    fn header(&self) -> &Spec<usize> {
        self.header.get_or_init(|| {
            let names: Vec<Vec<&str>> = (self.columns.iter())
                .map(|c| c.names.iter().map(String::as_str).collect())
                .collect();
            let columns = names.iter().enumerate().map(|(i, n)| (i, n.as_slice()));
            let required: Vec<usize> = (0..self.columns.len())
                .filter(|&i| self.columns[i].required)
                .collect();
            let noted: Vec<usize> = (0..self.columns.len())
                .filter(|&i| self.columns[i].kind == ColumnType::Kib || self.columns[i].note)
                .collect();
            Spec::new(&self.what, columns, &required, &noted)
        })
    }

    /// A value that means "none".
    fn is_blank(&self, text: &str) -> bool {
        self.blank.iter().any(|b| b == text)
    }

    /// The fields of one data row.
    fn row(&self, row: &Row<'_, usize>) -> Result<Fields<'_>, String> {
        let mut out = Vec::with_capacity(self.columns.len() + 2);
        out.push(("line", Json::from(row.line)));
        for (i, column) in self.columns.iter().enumerate() {
            let field = &column.field;
            let text = row.get(i).filter(|v| !self.is_blank(v));
            let Some(text) = text else {
                if column.required {
                    return Err(format!("the row has no {}", column.label()));
                }
                let default = column.default.as_deref();
                out.push((field, default.map_or(Json::Null, Json::from)));
                if let Some(raw) = &column.raw {
                    out.push((raw, Json::Null));
                }
                if column.kind == ColumnType::Time {
                    out.push((column.epoch_field(), Json::Null));
                }
                continue;
            };
            let labelled = |why| format!("{} {why}", column.label());
            let value = if column.kind == ColumnType::Time {
                let (value, epoch) = column.time_value(text).map_err(labelled)?;
                out.push((column.epoch_field(), epoch.into()));
                value
            } else {
                column.value(text, row.note(i)).map_err(labelled)?
            };
            out.push((field, value));
            if let Some(raw) = &column.raw {
                out.push((raw, Json::from(text)));
            }
        }
        if let Some(template) = &self.where_template {
            let at = render(template, &out);
            out.push(("where", Json::from(at)));
        }
        Ok(out)
    }

    /// The `[table]` section of an input file, as the input table read it.
    pub fn from_section(section: &toml::Table) -> Result<TableSpec, String> {
        TableSpec::deserialize(toml::Value::Table(section.clone())).map_err(|e| e.to_string())
    }

    /// The `[table]` of a built-in input file (`inputs/<name>.toml`,
    /// embedded). The files are tested (`built_in_specs_load_and_their_examples_hold`),
    /// so they always load.
    pub fn built_in(input_file: &str) -> TableSpec {
        #[derive(Deserialize)]
        struct File {
            table: TableSpec,
        }
        toml::from_str::<File>(input_file).map_or_else(
            |e| panic!("a built-in table spec is broken: {e}"),
            |f| f.table,
        )
    }
}

impl Column {
    fn label(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.field)
    }

    fn epoch_field(&self) -> &str {
        self.epoch_key.get_or_init(|| {
            self.epoch
                .clone()
                .unwrap_or_else(|| format!("{}_epoch", self.field))
        })
    }

    /// The value of a cell's non-blank text; `note` is the note ending the
    /// column's header name (`MB` of `Free (MB)`).
    fn value(&self, text: &str, note: Option<&str>) -> Result<Json, String> {
        let shown = || clipped(text, 40);
        match self.kind {
            ColumnType::String if self.upper => {
                let mut upper = String::with_capacity(text.len());
                for word in text.split_whitespace() {
                    if !upper.is_empty() {
                        upper.push(' ');
                    }
                    upper.push_str(word);
                }
                if upper.is_ascii() {
                    upper.make_ascii_uppercase();
                    return Ok(Json::from(upper));
                }
                Ok(Json::from(upper.to_uppercase()))
            }
            ColumnType::String => Ok(Json::from(text)),
            ColumnType::Time => self.time_value(text).map(|(value, _)| value),
            ColumnType::Int => text
                .parse::<i64>()
                .map(Json::from)
                .map_err(|_| format!("'{}' is not a whole number", shown())),
            ColumnType::Percent => text
                .strip_suffix('%')
                .unwrap_or(text)
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|p| p.is_finite())
                .map(Json::from)
                .ok_or_else(|| format!("'{}' is not a percentage", shown())),
            ColumnType::Kib => {
                let unit = match note {
                    None => 1,
                    Some(note) => unit_bytes(note).ok_or_else(|| {
                        format!(
                            "column's header names '{}', which is not a size unit",
                            clipped(note, 20)
                        )
                    })?,
                };
                size_kib(text, unit).map(Json::from)
            }
            ColumnType::Enum => self.vocabulary_value(text),
            ColumnType::Flag => match text.to_ascii_uppercase().as_str() {
                "Y" | "YES" => Ok(Json::Bool(true)),
                "N" | "NO" => Ok(Json::Bool(false)),
                _ => Err(format!("'{}' is not Y or N", shown())),
            },
        }
    }

    /// A time cell's text and its epoch, read once. A time whose instant
    /// cannot be read is no time, unless the column is lenient: a rule
    /// could not judge an age from it.
    fn time_value(&self, text: &str) -> Result<(Json, Option<i64>), String> {
        match gui_time::epoch(text) {
            None if !self.lenient => Err(format!("'{}' is not a time", clipped(text, 40))),
            epoch => Ok((Json::from(text), epoch)),
        }
    }

    fn vocabulary_value(&self, text: &str) -> Result<Json, String> {
        let keys = self.keys.get_or_init(|| {
            let printed = self.values.iter().flat_map(|(value, printed)| {
                printed.iter().map(|p| (vocabulary_key(p), value.clone()))
            });
            printed.collect()
        });
        let key = vocabulary_key(text);
        let known = keys.iter().find(|(printed, _)| *printed == key);
        match (known, &self.other) {
            (Some((_, value)), _) => Ok(Json::from(value.as_str())),
            (None, Some(other)) => Ok(Json::from(other.as_str())),
            (None, None) => Err(format!(
                "'{}' is none of {}",
                clipped(text, 40),
                self.values.keys().cloned().collect::<Vec<_>>().join(", ")
            )),
        }
    }
}

/// Printed words as vocabularies compare them: lowercase, `_` and `-` as
/// spaces, runs of spaces as one, none inside parentheses.
fn vocabulary_key(text: &str) -> String {
    let key = export_table::words_split_at(text, &['-', '_']);
    if !key.contains(['(', ')']) {
        return key;
    }
    key.replace(" (", "(").replace("( ", "(").replace(" )", ")")
}

fn is_field_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The `{name}` placeholders of a template.
fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name.trim()))
}

/// A template with each `{field}` replaced by the row's value; an absent
/// value leaves nothing, and separators around it are dropped.
fn render(template: &str, row: &Fields<'_>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        let Some((name, tail)) = after.split_once('}') else {
            out.push('{');
            rest = after;
            continue;
        };
        let name = name.trim();
        let value = row.iter().rev().find(|(field, _)| *field == name);
        match value.map(|(_, value)| value) {
            Some(Json::String(s)) => out.push_str(s),
            Some(Json::Null) | None => {}
            Some(other) => out.push_str(&other.to_string()),
        }
        rest = tail;
    }
    out.push_str(rest);
    out.trim_matches(|c: char| c == '/' || c == ' ' || c == ',')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{self, junk, parse_every_prefix, parsed};
    use super::*;
    use serde_json::json;

    const SPEC: &str = r#"
what = "test export"
blank = ["-"]
skip_lines = ["^>"]
where = "{ne}/{board}"

[[columns]]
field = "ne"
names = ["NE", "NE Name"]

[[columns]]
field = "board"
names = ["Board"]
required = true

[[columns]]
field = "count"
names = ["Count"]
type = "int"

[[columns]]
field = "used"
names = ["Used"]
type = "percent"

[[columns]]
field = "free_kib"
names = ["Free"]
type = "kib"

[[columns]]
field = "at"
names = ["Time"]
type = "time"

[[columns]]
field = "held"
names = ["Held"]
type = "flag"

[[columns]]
field = "state"
names = ["State", "Status"]
type = "enum"
raw = "raw_state"
values = { running = ["Running", "run"], activating = ["activating", "activing"] }
"#;

    fn spec(text: &str) -> TableSpec {
        toml::from_str(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn rows(text: &str) -> Vec<TableRow> {
        parsed(&spec(SPEC).parse(text), text)
    }

    #[test]
    fn vocabulary_keys_are_lowercase_words_with_parentheses_closed_up() {
        assert_eq!(vocabulary_key("  Patch__Name\t-X "), "patch name x");
        assert_eq!(vocabulary_key("re-run ( X )"), "re run(x)");
        assert_eq!(vocabulary_key("Running (Active)"), "running(active)");
        // Any white space separates words; other scripts are lowercased
        // as Unicode says, even where that makes the word longer.
        assert_eq!(vocabulary_key("ÉTAT\u{2003}Fini"), "état fini");
        assert_eq!(vocabulary_key("İ_X"), "i\u{307} x");
        assert_eq!(vocabulary_key(" -_ "), "");
    }

    #[test]
    fn each_type_reads_its_values() {
        let got = rows(
            ">report boards\n\
             NE,Board,Count,Used,Free (MB),Time,State,Held\n\
             ne-1,MPU,3,93%,1.5,2/9/2015 9:21:36,ACTIVING,yes\n\
             -,SCC,-,7, ,,run\n",
        );
        assert_eq!(
            Json::Object(got[0].clone()),
            json!({"line": 3, "ne": "ne-1", "board": "MPU", "count": 3, "used": 93.0,
                   "free_kib": 1536, "at": "2/9/2015 9:21:36", "at_epoch": 1423473696,
                   "held": true, "state": "activating", "raw_state": "ACTIVING", "where": "ne-1/MPU"})
        );
        assert_eq!(
            Json::Object(got[1].clone()),
            json!({"line": 4, "ne": null, "board": "SCC", "count": null, "used": 7.0,
                   "free_kib": null, "at": null, "at_epoch": null,
                   "held": null, "state": "running", "raw_state": "run", "where": "SCC"})
        );
    }

    #[test]
    fn bad_values_and_missing_required_values_are_malformed_at_the_row() {
        let s = spec(SPEC);
        for (row, why) in [
            ("ne,MPU,x,,,,", "count 'x' is not a whole number"),
            ("ne,MPU,,lots,,,", "used 'lots' is not a percentage"),
            ("ne,MPU,,,full,,", "free_kib 'full' is not a size"),
            (
                "ne,MPU,,,,,paused",
                "state 'paused' is none of activating, running",
            ),
            ("ne,-,,,,,", "the row has no board"),
            ("ne,MPU,,,,yesterday,", "at 'yesterday' is not a time"),
            ("ne,MPU,,,,,,maybe", "held 'maybe' is not Y or N"),
        ] {
            let text = format!("NE,Board,Count,Used,Free,Time,State,Held\n{row}\n");
            let m = testing::malformed(&s.parse(&text), &text);
            assert_eq!((m.line, m.reason.as_str()), (2, why), "{row}");
        }
        let text = "NE,Board,Free (parsecs)\nne,MPU,1\n";
        let m = testing::malformed(&s.parse(text), text);
        assert!(
            m.reason.contains("'parsecs', which is not a size unit"),
            "{}",
            m.reason
        );
    }

    /// One field's text per row, as the rows are read, other values
    /// unchecked: a row the whole parse refuses still gives its field.
    #[test]
    fn field_texts_reads_one_field_of_every_row_and_checks_no_other() {
        let s = spec(SPEC);
        let text = ">echo\nNE,Board,Count\nne-1,MPU,3\n-,SCC,x\n ne-2 ,,\n";
        let got = parsed(&s.field_texts(text, "ne"), text);
        assert_eq!(
            got,
            vec![
                (3, Some("ne-1".into())),
                (4, None),
                (5, Some("ne-2".into()))
            ]
        );
        assert_eq!(testing::malformed(&s.parse(text), text).line, 4);
        let none = parsed(&s.field_texts(text, "site"), text);
        assert_eq!(none, vec![(3, None), (4, None), (5, None)]);
        // What breaks the table itself breaks this read too.
        let text = "NE,Board\nne-1,MPU\nne-2,\"SCC\n";
        assert_eq!(testing::malformed(&s.field_texts(text, "ne"), text).line, 3);
    }

    #[test]
    fn other_names_the_words_no_list_holds() {
        let s = spec(&SPEC.replace(
            "raw = \"raw_state\"",
            "raw = \"raw_state\"\nother = \"unknown\"",
        ));
        let text = "Board,State\nMPU,paused\n";
        let got = parsed(&s.parse(text), text);
        assert_eq!(got[0]["state"], "unknown");
        assert_eq!(got[0]["raw_state"], "paused");
    }

    #[test]
    fn defaults_notes_and_lenient_times() {
        let s = spec(
            r#"
what = "x"
[[columns]]
field = "task"
names = ["Task"]
required = true
[[columns]]
field = "kind"
names = ["Type"]
type = "enum"
values = { patch = ["patch"] }
other = "other"
default = "other"
[[columns]]
field = "progress"
names = ["Progress"]
note = true
[[columns]]
field = "time"
names = ["Time"]
type = "time"
lenient = true
epoch = "epoch"
"#,
        );
        assert_eq!(s.problems(), vec![]);
        let text = "Task,Type,Progress (%),Time\n\
                    T1,,90,2/9/2015 9:21:36\n\
                    T2,patch,,yesterday\n";
        let got = parsed(&s.parse(text), text);
        assert_eq!(
            Json::Object(got[0].clone()),
            json!({"line": 2, "task": "T1", "kind": "other", "progress": "90",
                   "time": "2/9/2015 9:21:36", "epoch": 1423473696})
        );
        assert_eq!(
            Json::Object(got[1].clone()),
            json!({"line": 3, "task": "T2", "kind": "patch", "progress": null,
                   "time": "yesterday", "epoch": null})
        );
        // Without the column, every row has the default.
        let got = parsed(&s.parse("Task\nT1\n"), "");
        assert_eq!(got[0]["kind"], "other");
        // Without `note`, a name with a note is no column's.
        let got = parsed(&spec(SPEC).parse("Board,Count (n)\nMPU,3\n"), "");
        assert_eq!(got[0]["count"], Json::Null);
    }

    #[test]
    fn a_build_step_refuses_a_row_at_its_line() {
        #[derive(Deserialize)]
        struct Board {
            board: String,
        }
        let s = spec(SPEC);
        let text = "NE,Board\nn,MPU\nn,SCC\n\"open\n";
        let m = testing::malformed(
            &s.parse_with(text, |b: Board| {
                if b.board == "SCC" {
                    Err("SCC is refused".to_string())
                } else {
                    Ok(b.board)
                }
            }),
            text,
        );
        // The first bad line wins, before the unclosed quote after it.
        assert_eq!((m.line, m.reason.as_str()), (3, "SCC is refused"));
    }

    #[test]
    fn spec_problems_name_their_field() {
        assert_eq!(spec(SPEC).problems(), vec![]);
        let bad = spec(
            r#"
what = "x"
skip_lines = ["("]
where = "{nowhere}"
[[columns]]
field = "Board"
names = [" "]
values = { a = ["b"] }
[[columns]]
field = "Board"
names = ["B"]
type = "enum"
epoch = "at"
default = "x"
[[columns]]
field = "n"
names = ["N"]
type = "int"
default = "0"
"#,
        );
        let got: Vec<String> = bad.problems().into_iter().map(|(_, m)| m).collect();
        for want in [
            "[table] has no required column",
            "field `Board` is not lower_snake_case",
            "field `Board` is given twice",
            "field `Board` has no header names",
            "enum field `Board` has no `values`",
            "field `Board` has `values` or `other` but is not an enum",
            "where names `nowhere`, which is no field",
            "field `Board` has `epoch` or `lenient` but is not a time",
            "field `n` has a `default` but is neither a string nor an enum",
        ] {
            assert!(got.iter().any(|m| m.starts_with(want)), "{want}: {got:?}");
        }
        assert!(
            got.iter().any(|m| m.starts_with("skip_lines `(`")),
            "{got:?}"
        );
        let unknown: Result<TableSpec, _> =
            toml::from_str("what = \"x\"\ncolumns = []\nsort = 1\n");
        assert!(
            unknown
                .unwrap_err()
                .to_string()
                .contains("unknown field `sort`")
        );
    }

    #[test]
    fn examples_must_give_their_rows() {
        let with = |rows: &str| {
            spec(&format!(
                "{SPEC}\n[[examples]]\ntext = \"Board,State\\nMPU,run\\n\"\n{rows}"
            ))
            .example_problems()
        };
        let good = "[[examples.rows]]\nboard = \"MPU\"\nstate = \"running\"\nraw_state = \"run\"\nwhere = \"MPU\"\n";
        assert_eq!(with(good), vec![]);
        assert_eq!(
            with(&good.replace("\"running\"", "\"idle\"")),
            vec![(
                1,
                "example 1: row 1: state is \"running\", the example states \"idle\"".to_string()
            )]
        );
        assert_eq!(
            with(""),
            vec![(
                1,
                "example 1: gives 1 rows, the example states 0".to_string()
            )]
        );
        let broken = spec(&format!(
            "{SPEC}\n[[examples]]\ntext = \"Board,State\\n,run\\n\"\n"
        ));
        assert_eq!(
            broken.example_problems(),
            vec![(
                1,
                "example 1 is malformed at its line 2: the row has no board".to_string()
            )]
        );
    }

    #[test]
    fn built_in_specs_load_and_their_examples_hold() {
        let mut tables = 0;
        for input in crate::inputs::builtin().iter() {
            let Some(section) = &input.table else {
                continue;
            };
            tables += 1;
            let spec = TableSpec::from_section(section).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(spec.problems(), vec![], "{}", input.name);
            let findings = spec.example_findings(&input.example_lines);
            assert_eq!(findings, vec![], "{}", input.name);
        }
        // The fifteen header-named vendor tables.
        assert!(tables >= 15, "{tables}");
    }

    #[test]
    fn never_panics() {
        let s = spec(SPEC);
        let mut inputs: Vec<String> = vec![
            "NE,Board,Free (MB),State\nne,MPU,1.5,run\n".into(),
            "Board  Used  Free  Time\nMPU   93%   1 GB  2/9/2015 9:21:36\n".into(),
        ];
        for seed in 1..=16 {
            inputs.push(format!(
                "Board,Count,Used,Free,State\n{}",
                String::from_utf8_lossy(&junk(seed, 128))
            ));
        }
        parse_every_prefix(&inputs, |t| s.parse(t));
    }
}
