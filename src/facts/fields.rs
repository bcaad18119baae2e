//! A fact's documented fields read from the JSON schema of the Rust type
//! its build function serializes: docs/facts.md lists what the type
//! declares, with each field's doc comment as its meaning, so the docs
//! cannot drift from the value rules see.
//!
//! The schema is the serialize side's (every field is written, `None` as
//! null), so its `required` list holds every field in declaration order:
//! the order the docs keep. Fields written only when set
//! (`skip_serializing_if`, as plan.toml's keys) are not in it: they follow
//! in name order, and are absent rather than null. Types read as the docs always wrote them:
//! `string`, `int`, `double`, `bool`, `list` (`list<string>` for a list of
//! words), `map`, `|null` for an `Option`. A list of rows lists the rows'
//! fields as `list[].field`; a row type that several fields share lists
//! its fields once, as `row.field`, and those fields' types name it
//! (`list<row>`, `row|null`); a map of another type (`source`) is a `map`
//! its doc comment describes. A field whose type is an enum of words lists
//! the words, each with its doc comment.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value as Json};

/// One row of a fact's field table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDoc {
    pub name: String,
    pub ty: String,
    pub meaning: String,
}

/// The schema of `T` as serialized: `schema: typed::<T>` of a fact spec.
pub fn typed<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
}

/// The documented fields of a fact whose value has `schema`: a map's
/// fields, or, for a list, its rows' fields.
pub fn documented(schema: &Schema) -> Vec<FieldDoc> {
    let root = schema.as_value();
    let defs = root.get("$defs").and_then(Json::as_object);
    let walker = Walker {
        defs,
        shared: shared_defs(root),
    };
    let shape = walker.shape(root);
    let mut out = Vec::new();
    if let Some(row) = shape.row {
        walker.fields(row, "", &mut out);
    }
    out
}

/// What a schema says of a value, in the docs' words.
#[derive(Default)]
struct Shape<'s> {
    word: &'static str,
    nullable: bool,
    /// The row type's schema (a map with declared fields), directly or as
    /// the items of a list.
    row: Option<&'s Map<String, Json>>,
    /// Its `$defs` name, when it has one.
    row_name: Option<&'s str>,
    /// The words of an enum, each with its doc comment.
    words: Vec<Word>,
}

/// A word of an enum and its doc comment ("" without one).
#[derive(Debug, Clone, PartialEq)]
struct Word {
    word: String,
    doc: String,
}

struct Walker<'s> {
    defs: Option<&'s Map<String, Json>>,
    /// `$defs` names referred to more than once: documented once by name.
    shared: Vec<String>,
}

impl<'s> Walker<'s> {
    fn resolve(&self, schema: &'s Json) -> (&'s Json, Option<&'s str>) {
        let name = schema
            .get("$ref")
            .and_then(Json::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"));
        match name.and_then(|n| self.defs?.get(n).map(|d| (d, n))) {
            Some((def, name)) => (def, Some(name)),
            None => (schema, None),
        }
    }

    fn shape(&self, schema: &'s Json) -> Shape<'s> {
        let (schema, name) = self.resolve(schema);
        let mut shape = Shape::default();
        for key in ["anyOf", "oneOf"] {
            let Some(branches) = schema.get(key).and_then(Json::as_array) else {
                continue;
            };
            let (nulls, others): (Vec<&Json>, Vec<&Json>) = branches
                .iter()
                .partition(|b| b.get("type").and_then(Json::as_str) == Some("null"));
            shape.nullable |= !nulls.is_empty();
            // An enum whose variants have doc comments: a branch per
            // documented word, one for the others.
            let words: Option<Vec<Vec<Word>>> = others.iter().map(|b| words_of(b)).collect();
            if let Some(words) = words.filter(|w| !w.is_empty()) {
                shape.word = "string";
                shape.words = words.concat();
            } else if let [one] = others.as_slice() {
                let inner = self.shape(one);
                return Shape {
                    nullable: shape.nullable || inner.nullable,
                    ..inner
                };
            }
        }
        if let Some(words) = words_of(schema) {
            shape.nullable |= schema
                .get("enum")
                .and_then(Json::as_array)
                .is_some_and(|w| w.iter().any(Json::is_null));
            shape.words = words;
        }
        let types: Vec<&str> = match schema.get("type") {
            Some(Json::String(t)) => vec![t.as_str()],
            Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
            _ => vec![],
        };
        shape.nullable |= types.contains(&"null");
        match types.into_iter().find(|t| *t != "null") {
            Some("string") => shape.word = "string",
            Some("integer") => shape.word = "int",
            Some("number") => shape.word = "double",
            Some("boolean") => shape.word = "bool",
            Some("array") => {
                shape.word = "list";
                if let Some(items) = schema.get("items") {
                    let item = self.shape(items);
                    shape.row = item.row;
                    shape.row_name = item.row_name;
                    shape.word = match item.word {
                        "string" => "list<string>",
                        "int" => "list<int>",
                        "double" => "list<double>",
                        "bool" => "list<bool>",
                        _ => "list",
                    };
                }
            }
            Some("object") => {
                shape.word = "map";
                shape.row = schema.as_object().filter(|o| o.contains_key("properties"));
                shape.row_name = name;
            }
            _ if shape.word.is_empty() => shape.word = "any",
            _ => {}
        }
        shape
    }

    /// The fields of the row type `row`, named `{prefix}field`; a list of
    /// rows lists its rows' fields after it.
    fn fields(&self, row: &'s Map<String, Json>, prefix: &str, out: &mut Vec<FieldDoc>) {
        let Some(properties) = row.get("properties").and_then(Json::as_object) else {
            return;
        };
        let required: Vec<&str> = row
            .get("required")
            .and_then(Json::as_array)
            .map(|r| r.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let order = required.iter().copied().chain(
            properties
                .keys()
                .map(String::as_str)
                .filter(|k| !required.contains(k)),
        );
        let mut named = Vec::new();
        for key in order {
            let Some(field) = properties.get(key) else {
                continue;
            };
            let shape = self.shape(field);
            let shared = shape
                .row_name
                .filter(|n| self.shared.iter().any(|s| s == n));
            let word = match shared {
                Some(name) if shape.word == "list" => format!("list<{}>", lower(name)),
                Some(name) => lower(name),
                None => shape.word.to_string(),
            };
            // A field written only when set is absent, never null.
            let null = if shape.nullable && required.contains(&key) {
                "|null"
            } else {
                ""
            };
            out.push(FieldDoc {
                name: format!("{prefix}{key}"),
                ty: format!("{word}{null}"),
                meaning: meaning(field, &shape.words),
            });
            match (shared, shape.row) {
                (Some(name), Some(row)) if !named.iter().any(|(n, _)| *n == name) => {
                    named.push((name, row));
                }
                (None, Some(row)) if shape.word == "list" => {
                    self.fields(row, &format!("{prefix}{key}[]."), out);
                }
                _ => {}
            }
        }
        for (name, row) in named {
            self.fields(row, &format!("{}.", lower(name)), out);
        }
    }
}

/// The words of a schema that is a fixed word (`const`) or a set of them
/// (`enum`); None for any other schema.
fn words_of(schema: &Json) -> Option<Vec<Word>> {
    let doc = one_line(schema);
    if let Some(word) = schema.get("const") {
        let word = word.as_str()?.to_string();
        return Some(vec![Word { word, doc }]);
    }
    let words = schema.get("enum")?.as_array()?;
    Some(
        words
            .iter()
            .filter_map(Json::as_str)
            .map(|word| Word {
                word: word.to_string(),
                doc: String::new(),
            })
            .collect(),
    )
}

/// A schema's description on one line.
fn one_line(schema: &Json) -> String {
    schema
        .get("description")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The field's doc comment on one line, then the words of its enum, each
/// with its own doc comment.
fn meaning(field: &Json, words: &[Word]) -> String {
    let doc = one_line(field);
    if words.is_empty() {
        return doc;
    }
    let words: Vec<String> = words
        .iter()
        .map(|w| match w.doc.as_str() {
            "" => format!("`{}`", w.word),
            doc => format!("`{}` ({doc})", w.word),
        })
        .collect();
    let words = words.join(", ");
    if doc.is_empty() {
        format!("one of {words}")
    } else {
        format!("{doc}; one of {words}")
    }
}

/// The docs' name of a row type: `Peer` reads `peer`.
fn lower(name: &str) -> String {
    name.to_lowercase()
}

/// `$defs` names that more than one place of the schema refers to: their
/// fields are documented once, by name.
fn shared_defs(root: &Json) -> Vec<String> {
    type Counts = std::collections::BTreeMap<String, usize>;
    fn count(value: &Json, counts: &mut Counts) {
        match value {
            Json::Object(map) => {
                if let Some(name) = map
                    .get("$ref")
                    .and_then(Json::as_str)
                    .and_then(|r| r.strip_prefix("#/$defs/"))
                {
                    *counts.entry(name.to_string()).or_default() += 1;
                }
                map.values().for_each(|v| count(v, counts));
            }
            Json::Array(items) => items.iter().for_each(|v| count(v, counts)),
            _ => {}
        }
    }
    let mut counts = Counts::new();
    count(root, &mut counts);
    counts
        .into_iter()
        .filter(|(_, refs)| *refs > 1)
        .map(|(name, _)| name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use schemars::JsonSchema;
    use serde::Serialize;

    /// A peer.
    #[derive(Serialize, JsonSchema)]
    #[allow(dead_code)]
    struct Peer {
        /// its address
        remote: String,
    }

    #[derive(Serialize, JsonSchema)]
    #[serde(rename_all = "kebab-case")]
    #[allow(dead_code)]
    enum Mode {
        Client,
        /// documented variant
        SymmetricActive,
    }

    #[derive(Serialize, JsonSchema)]
    #[allow(dead_code)]
    struct Event {
        /// when, seconds
        at: f64,
        /// how it ended
        mode: Option<Mode>,
    }

    #[derive(Serialize, JsonSchema)]
    #[allow(dead_code)]
    struct Fact {
        /// the name
        /// on two lines
        zeta: String,
        /// a count
        count: Option<u32>,
        /// the system peer
        selected: Option<Peer>,
        /// every peer
        peers: Vec<Peer>,
        /// what happened
        events: Vec<Event>,
        /// {file, line}
        source: super::super::Source,
        /// {file, line} of another line
        other_source: super::super::Source,
        /// free-form
        labels: std::collections::BTreeMap<String, String>,
        /// yes or no
        flag: bool,
    }

    fn rows<T: JsonSchema>() -> Vec<(String, String, String)> {
        documented(&typed::<T>())
            .into_iter()
            .map(|f| (f.name, f.ty, f.meaning))
            .collect()
    }

    #[test]
    fn fields_come_in_declaration_order_with_the_docs_type_words() {
        let want = [
            ("zeta", "string", "the name on two lines"),
            ("count", "int|null", "a count"),
            ("selected", "peer|null", "the system peer"),
            ("peers", "list<peer>", "every peer"),
            ("events", "list", "what happened"),
            ("events[].at", "double", "when, seconds"),
            (
                "events[].mode",
                "string|null",
                "how it ended; one of `client`, `symmetric-active` (documented variant)",
            ),
            ("source", "map", "{file, line}"),
            ("other_source", "map", "{file, line} of another line"),
            ("labels", "map", "free-form"),
            ("flag", "bool", "yes or no"),
            ("peer.remote", "string", "its address"),
        ];
        let want: Vec<(String, String, String)> = want
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        assert_eq!(rows::<Fact>(), want);
    }

    #[test]
    fn a_list_fact_documents_its_rows() {
        assert_eq!(
            rows::<Vec<Event>>()[0],
            ("at".into(), "double".into(), "when, seconds".into())
        );
    }
}
