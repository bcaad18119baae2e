//! The JSON report's schema (docs/report.schema.json), generated from the
//! report types so that it cannot drift from what is written: their doc
//! comments are its descriptions, their `schemars` attributes its patterns
//! and ranges.

use super::{Report, SCHEMA_VERSION};
use crate::model::{Severity, Status};
use schemars::generate::SchemaSettings;
use schemars::transform::{Transform, transform_subschemas};
use schemars::{Schema, SchemaGenerator, json_schema};

/// The schema as published: JSON Schema 2020-12 of what reports emit.
pub fn json_schema() -> String {
    let generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .with_transform(Published)
        .into_generator();
    let mut schema = generator.into_root_schema_for::<Report>();
    schema.insert(
        "$id".into(),
        format!("https://upcheck.invalid/schemas/report/{SCHEMA_VERSION}").into(),
    );
    schema.insert("title".into(), "upcheck check report".into());
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is JSON");
    text.push('\n');
    text
}

/// Every object the schema describes field by field rejects other fields,
/// so a report validates only against the schema of its own version; a
/// description is one paragraph, not the doc comment's line breaks; the
/// Rust integer widths (`format: uint32`) are no JSON format.
#[derive(Clone)]
struct Published;

impl Transform for Published {
    fn transform(&mut self, schema: &mut Schema) {
        if schema.get("properties").is_some() && schema.get("additionalProperties").is_none() {
            schema.insert("additionalProperties".into(), false.into());
        }
        if let Some(text) = schema.get("description").and_then(|d| d.as_str()) {
            let joined = text
                .split("\n\n")
                .map(|paragraph| paragraph.split('\n').collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join("\n\n");
            schema.insert("description".into(), joined.into());
        }
        let integer_width = schema
            .get("format")
            .and_then(|f| f.as_str())
            .is_some_and(|f| f.starts_with("int") || f.starts_with("uint"));
        if integer_width {
            schema.remove("format");
        }
        transform_subschemas(self, schema);
    }
}

/// An object with one count per name, every name present.
fn counts(names: Vec<&str>) -> Schema {
    let count = serde_json::json!({ "type": "integer", "minimum": 0 });
    let properties: serde_json::Map<String, serde_json::Value> = names
        .iter()
        .map(|n| (n.to_string(), count.clone()))
        .collect();
    json_schema!({
        "type": "object",
        "additionalProperties": false,
        "required": names,
        "properties": properties,
    })
}

pub(super) fn status_counts(_: &mut SchemaGenerator) -> Schema {
    counts(Status::ALL.iter().map(|s| s.as_str()).collect())
}

pub(super) fn severity_counts(_: &mut SchemaGenerator) -> Schema {
    counts(Severity::ALL.iter().map(|s| s.as_str()).collect())
}
