//! The generated docs match the catalog, the fact specs and the report
//! types. Run with UPCHECK_UPDATE_DOCS=1 to rewrite them.

use upcheck::catalog::Catalog;
use upcheck::catalog::docs;

fn check_fresh(path: &str, expected: String) {
    if std::env::var_os("UPCHECK_UPDATE_DOCS").is_some() {
        std::fs::write(path, &expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "{path} is stale: run `UPCHECK_UPDATE_DOCS=1 cargo test --test it docs_fresh`"
    );
}

#[test]
fn rules_md_is_fresh() {
    check_fresh("docs/rules.md", docs::rules_markdown(&Catalog::load(&[])));
}

#[test]
fn facts_md_is_fresh() {
    check_fresh("docs/facts.md", docs::facts_markdown());
}

#[test]
fn report_schema_is_fresh() {
    check_fresh("docs/report.schema.json", upcheck::report::json_schema());
}

#[test]
fn snapshot_format_inputs_table_is_fresh() {
    let path = "docs/snapshot-format.md";
    let doc = std::fs::read_to_string(path).unwrap();
    let fresh = upcheck::inputs::docs::with_fresh_table(&doc, upcheck::inputs::builtin())
        .unwrap_or_else(|| panic!("{path} lacks the inputs table's marker lines"));
    check_fresh(path, fresh);
}
