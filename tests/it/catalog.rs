//! Meta-tests of the rule catalog: unique codes, canonical files, fixtures
//! that make every rule fire and pass, `rules check` clean.

use std::collections::BTreeSet;
use std::path::Path;
use upcheck::catalog::Catalog;
use upcheck::engine::fixture_check;

#[test]
fn rules_check_is_clean_with_warnings_as_errors() {
    let result = fixture_check::check(Some(Path::new("rules")), Some(Path::new("fixtures/rules")));
    let problems: Vec<String> = result.problems.iter().map(ToString::to_string).collect();
    assert!(
        problems.is_empty(),
        "rules check found:\n{}",
        problems.join("\n")
    );
    assert!(result.rules >= 12, "only {} rules", result.rules);
    let unknown_cases = std::fs::read_dir("fixtures/rules")
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("unknown").is_dir())
        .count();
    assert!(unknown_cases > 0, "no rule has an unknown fixture");
    assert_eq!(
        result.fixture_runs,
        2 * result.rules + unknown_cases,
        "every rule runs fires and passes, and unknown where it has one"
    );
}

#[test]
fn the_embedded_catalog_is_the_rules_folder() {
    let embedded = Catalog::load(&[]);
    let folder = Catalog::load_dir(Path::new("rules"));
    assert!(embedded.problems.is_empty(), "{:?}", embedded.problems);
    let a: Vec<u32> = embedded.rules.keys().copied().collect();
    let b: Vec<u32> = folder.rules.keys().copied().collect();
    assert_eq!(a, b);
    for (code, rule) in &embedded.rules {
        assert_eq!(
            rule.source_text, folder.rules[code].source_text,
            "{code} differs"
        );
    }
}

#[test]
fn codes_are_unique_and_name_their_files() {
    let mut codes = BTreeSet::new();
    for entry in std::fs::read_dir("rules").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let code: u32 = stem[..5].parse().expect("file name starts with the code");
        assert!(codes.insert(code), "code {code} used twice");
        assert_eq!(&stem[5..6], "-", "{stem}");
        assert!(code / 10000 != 9, "9xxxx is reserved for the tool: {stem}");
    }
    for tool in upcheck::model::tool_codes::TOOL_CODES {
        assert!(codes.insert(tool.code), "tool code {} clashes", tool.code);
    }
}

#[test]
fn rule_files_are_canonical_text() {
    for entry in std::fs::read_dir("rules").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.display();
        assert!(!text.contains('\r'), "{name}: CRLF");
        assert!(
            text.ends_with('\n') && !text.ends_with("\n\n"),
            "{name}: one final newline"
        );
        for (i, line) in text.lines().enumerate() {
            assert_eq!(
                line.trim_end(),
                line,
                "{name}:{}: trailing whitespace",
                i + 1
            );
            assert!(!line.contains('\t'), "{name}:{}: tab", i + 1);
        }
    }
}

#[test]
fn every_rule_has_both_fixtures() {
    let catalog = Catalog::load(&[]);
    for rule in catalog.rules.values() {
        for case in ["fires", "passes"] {
            let dir = Path::new("fixtures/rules")
                .join(rule.file_stem())
                .join(case);
            let nodes = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .count();
            assert!(nodes > 0, "{} is empty", dir.display());
        }
    }
}

#[test]
fn a_noisy_or_silent_rule_is_caught() {
    // A copy of 40004 with an impossible threshold never fires: rules check
    // must say so, and a rule firing on everything must be called noisy.
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    let text = std::fs::read_to_string("rules/40004-ntp-offset-high.toml").unwrap();
    let silent = text
        .replace("major_ms = 100.0", "major_ms = 100000.0")
        .replace("critical_ms = 1000.0", "critical_ms = 1000000.0");
    std::fs::write(rules.join("40004-ntp-offset-high.toml"), silent).unwrap();
    let result = fixture_check::check(Some(&rules), Some(Path::new("fixtures/rules")));
    assert!(
        result
            .problems
            .iter()
            .any(|p| p.message.starts_with("silent:")),
        "{:?}",
        result.problems
    );
    let noisy = text.replace("major_ms = 100.0", "major_ms = 0.0");
    std::fs::write(rules.join("40004-ntp-offset-high.toml"), noisy).unwrap();
    let result = fixture_check::check(Some(&rules), Some(Path::new("fixtures/rules")));
    assert!(
        result
            .problems
            .iter()
            .any(|p| p.message.starts_with("noisy:")),
        "{:?}",
        result.problems
    );
}

#[test]
fn an_unknown_fixture_that_passes_is_caught() {
    // 70003's passing cluster given as its `unknown` case: every input is
    // there, so the rule passes, and rules check must say it is not unknown.
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    let stem = "70003-forced-standby-left";
    std::fs::copy(
        format!("rules/{stem}.toml"),
        rules.join(format!("{stem}.toml")),
    )
    .unwrap();
    let fixtures = dir.path().join("fixtures").join("rules").join(stem);
    let source = Path::new("fixtures/rules").join(stem);
    crate::common::copy_tree(&source.join("fires"), &fixtures.join("fires"));
    crate::common::copy_tree(&source.join("passes"), &fixtures.join("passes"));
    crate::common::copy_tree(&source.join("passes"), &fixtures.join("unknown"));
    let result = fixture_check::check(Some(&rules), None);
    let problems: Vec<String> = result.problems.iter().map(ToString::to_string).collect();
    assert_eq!(result.fixture_runs, 3, "{problems:?}");
    assert!(
        problems.iter().any(|p| p.contains("not unknown on")),
        "{problems:?}"
    );
}

#[test]
fn the_built_in_catalog_leaves_the_site_codes_free() {
    // docs/writing-rules.md promises sites the codes x5000-x5999 of each family.
    let catalog = Catalog::load(&[]);
    let taken: Vec<u32> = catalog
        .rules
        .keys()
        .copied()
        .filter(|code| code / 1000 % 10 == 5)
        .collect();
    assert!(
        taken.is_empty(),
        "built-in rules in the site range: {taken:?}"
    );
}
