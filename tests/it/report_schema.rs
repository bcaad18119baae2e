//! docs/report.schema.json is generated from the report types (docs_fresh
//! keeps it fresh); here it is held to the reports themselves: the reports
//! of fixture runs that between them use every part of the format (a
//! baseline and waivers, a shard, the digest cache) validate against it,
//! and every field it describes is written by one of them, so the schema
//! describes no field that reports never carry.

use crate::common::run_on;
use serde_json::Value;
use std::collections::BTreeSet;

/// The compliance fleet's day: its waivers are live then.
const NOV_21: &str = "1795219200";

/// The JSON report of `upcheck ARGS --format json`.
fn json_run(args: &[&str]) -> Value {
    let out = run_on(NOV_21, &[args, &["--format", "json"]].concat());
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 3)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// Reports that between them use every field: waivers, a baseline and
/// recorded ISO digests (compliance); computed then cached digests; shard
/// reports, one with nodes that have no data for a group rule (mid-upgrade);
/// log evidence with context lines (the OSN 6800 diagnosis).
fn fixture_reports(scratch: &std::path::Path) -> Vec<Value> {
    let baseline = scratch.join("accepted.json");
    let baseline = baseline.to_str().unwrap();
    let cache = scratch.join("cache");
    let cache = cache.to_str().unwrap();
    let accepted = json_run(&["check", "fixtures/compliance", "--ignore", "2"]);
    std::fs::write(baseline, accepted.to_string()).unwrap();
    let with_cache = [
        "check",
        "fixtures/oracle-pm/pre-with-problems",
        "--cache",
        cache,
    ];
    let mid_upgrade = "fixtures/oracle-pm/mid-upgrade-post";
    vec![
        accepted,
        json_run(&["check", "fixtures/compliance", "--baseline", baseline]),
        json_run(&with_cache),
        json_run(&with_cache),
        json_run(&["check", "fixtures/demo", "--shard", "1/1"]),
        json_run(&["check", mid_upgrade, "--phase", "post", "--shard", "1/1"]),
        json_run(&[
            "check",
            "fixtures/huawei-osn6800-load-failure",
            "--phase",
            "diagnose",
        ]),
    ]
}

/// The subschema `$ref` points to, else the schema itself.
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(pointer) => root
            .pointer(pointer.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("unresolved {pointer}")),
        None => schema,
    }
}

/// The subschemas a value may follow in place of `schema` itself.
fn branches(schema: &Value) -> impl Iterator<Item = &Value> {
    ["anyOf", "oneOf", "allOf"]
        .into_iter()
        .filter_map(|k| schema[k].as_array())
        .flatten()
}

/// The field paths (`evaluations[].waiver.ticket`) `schema` describes.
fn described(root: &Value, schema: &Value, path: &str, out: &mut BTreeSet<String>) {
    let schema = resolve(root, schema);
    if let Some(properties) = schema["properties"].as_object() {
        for (name, sub) in properties {
            let field = format!("{path}.{name}");
            if out.insert(field.clone()) {
                described(root, sub, &field, out);
            }
        }
    }
    if schema["items"].is_object() {
        described(root, &schema["items"], &format!("{path}[]"), out);
    }
    for values in values_of_maps(schema) {
        described(root, values, &format!("{path}{{}}"), out);
    }
    for branch in branches(schema) {
        described(root, branch, path, out);
    }
}

/// The schemas of a map's values (`patternProperties`, `additionalProperties`).
fn values_of_maps(schema: &Value) -> Vec<&Value> {
    let mut values: Vec<&Value> = schema["patternProperties"]
        .as_object()
        .map(|p| p.values().collect())
        .unwrap_or_default();
    if schema["additionalProperties"].is_object() {
        values.push(&schema["additionalProperties"]);
    }
    values
}

/// The field paths of `schema` that `value` carries.
fn emitted(root: &Value, schema: &Value, value: &Value, path: &str, out: &mut BTreeSet<String>) {
    let schema = resolve(root, schema);
    match value {
        Value::Object(fields) => {
            for (name, field) in fields {
                if let Some(sub) = schema["properties"].get(name) {
                    let field_path = format!("{path}.{name}");
                    emitted(root, sub, field, &field_path, out);
                    out.insert(field_path);
                }
                for values in values_of_maps(schema) {
                    emitted(root, values, field, &format!("{path}{{}}"), out);
                }
            }
        }
        Value::Array(items) if schema["items"].is_object() => {
            for item in items {
                emitted(root, &schema["items"], item, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
    for branch in branches(schema) {
        emitted(root, branch, value, path, out);
    }
}

#[test]
fn fixture_reports_validate_and_write_every_field_the_schema_describes() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string("docs/report.schema.json").unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("docs/report.schema.json is a schema");
    let scratch = tempfile::tempdir().unwrap();
    let mut seen = BTreeSet::new();
    for (i, report) in fixture_reports(scratch.path()).iter().enumerate() {
        let errors: Vec<String> = validator
            .iter_errors(report)
            .take(5)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "report {i}: {errors:#?}");
        emitted(&schema, &schema, report, "", &mut seen);
    }
    let mut fields = BTreeSet::new();
    described(&schema, &schema, "", &mut fields);
    assert!(fields.len() > 50, "{fields:?}");
    let never: Vec<&String> = fields.difference(&seen).collect();
    assert!(
        never.is_empty(),
        "the schema describes fields no fixture report writes: {never:#?}"
    );
}
