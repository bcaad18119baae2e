//! Snapshots of every report format over one fleet (fixtures/compliance):
//! waivers live, expired and unused, a severity override, a root-cause
//! chain, an unknown, a cluster finding and a baseline. A change to any
//! format shows up as a reviewable diff under tests/it/snapshots/
//! (`INSTA_UPDATE=always cargo test --test it report_snapshots` rewrites them;
//! review with `git diff`).

use crate::common::run_on;

const FLEET: &str = "fixtures/compliance";

/// The day of these runs: the fleet's waivers expire around it.
const NOV_21: &str = "1795219200";

/// stdout and the exit code of upcheck with `args`.
fn upcheck(args: &[&str]) -> (String, i32) {
    let out = run_on(NOV_21, args);
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

/// The parts that change with every rule edit or release, not with the
/// format: digests, the version, and the baseline's temporary path.
fn stable(text: &str, baseline: &str) -> String {
    let digest = regex::Regex::new(r"sha256:[0-9a-f]{64}").unwrap();
    let text = digest.replace_all(text, "sha256:[digest]");
    text.replace(baseline, "[baseline.json]")
        .replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn every_format_of_the_compliance_fleet() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("accepted.json");
    let baseline = baseline.to_str().unwrap();
    // The accepted report lacks the 2xxxx failures: 20008 is new.
    let (_, code) = upcheck(&[
        "check", FLEET, "--ignore", "2", "--format", "json", "--output", baseline,
    ]);
    assert_eq!(code, 1);
    for format in ["table", "json", "junit", "sarif", "markdown", "html"] {
        let (text, code) = upcheck(&["check", FLEET, "--baseline", baseline, "--format", format]);
        assert_eq!(code, 1, "{format}: 20008 is new and critical");
        insta::assert_snapshot!(format!("compliance_{format}"), stable(&text, baseline));
    }
}
