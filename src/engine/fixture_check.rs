//! `upcheck rules check`: a catalog is sound when every file compiles, codes
//! are unique, and every rule fires on its `fires` fixture and stays quiet
//! on its `passes` fixture (and, where it has one, answers unknown on its
//! `unknown` fixture).

use crate::catalog::{Catalog, Problem, Rule};
use crate::engine::{self, RunOptions};
use crate::model::{Evaluation, Status};
use crate::policy::Selection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub struct CheckResult {
    pub rules: usize,
    pub fixture_runs: usize,
    pub problems: Vec<Problem>,
}

/// Where a rule folder's fixtures are: `DIR/fixtures/rules` in a site
/// folder (one with `rules/` inside), else `DIR/../fixtures/rules`; the
/// built-in catalog's, when run from a source checkout.
pub fn default_fixtures(dir: Option<&Path>) -> PathBuf {
    match dir {
        Some(d) if d.join("rules").is_dir() => d.join("fixtures").join("rules"),
        Some(d) => d.join("..").join("fixtures").join("rules"),
        None => PathBuf::from("fixtures").join("rules"),
    }
}

pub fn check(dir: Option<&Path>, fixtures: Option<&Path>) -> CheckResult {
    let catalog = match dir {
        Some(d) => Catalog::load_dir(d),
        None => Catalog::load(&[]),
    };
    let fixtures = fixtures.map_or_else(|| default_fixtures(dir), Path::to_path_buf);
    let mut problems = catalog.problems.clone();
    let mut fixture_runs = 0;
    for rule in catalog.rules.values() {
        let (runs, mut found) = check_fixtures(&catalog, rule, &fixtures);
        fixture_runs += runs;
        problems.append(&mut found);
    }
    problems.sort();
    CheckResult {
        rules: catalog.rules.len(),
        fixture_runs,
        problems,
    }
}

fn check_fixtures(catalog: &Catalog, rule: &Rule, fixtures: &Path) -> (usize, Vec<Problem>) {
    let base = fixtures.join(rule.file_stem());
    let problem = |message: String| Problem {
        origin: rule.origin.clone(),
        line: None,
        message,
        warning: false,
    };
    // A rule without fail_when reports what it cannot explain as unknown
    // and is quiet (not applicable) otherwise: that is its firing and passing.
    let (fired, passed) = if rule.fail_when.is_empty() {
        (Status::Unknown, Status::NotApplicable)
    } else {
        (Status::Fail, Status::Pass)
    };
    let mut problems = Vec::new();
    let mut runs = 0;
    for case in ["fires", "passes", "unknown"] {
        let dir = base.join(case);
        // `unknown` is optional: the inputs missing or incomplete, and the
        // rule saying so instead of passing.
        if case == "unknown" && !dir.exists() {
            continue;
        }
        if !dir.is_dir() {
            problems.push(problem(format!("missing fixture {}", dir.display())));
            continue;
        }
        runs += 1;
        // In the rule's first phase, so that `phase` is what a real run sees.
        let options = RunOptions {
            phase: rule.phases.first().copied(),
            selection: Selection {
                select: vec![rule.code.to_string()],
                ignore: vec![],
            },
            jobs: Some(1),
            baseline: None,
            ..Default::default()
        };
        let run = engine::run(std::slice::from_ref(&dir), catalog, &options);
        let evaluations = run.evaluations.into_vec();
        // Each node (or group) of a fixture is one scenario: in `fires`
        // every one must fail, in `passes` every one must pass.
        let mut by_subject: BTreeMap<&str, Vec<&Evaluation>> = BTreeMap::new();
        for e in evaluations.iter().filter(|e| e.code == rule.code) {
            by_subject.entry(&e.node).or_default().push(e);
        }
        if by_subject.is_empty() {
            problems.push(problem(format!(
                "no evaluation at all on {}",
                dir.display()
            )));
        }
        for (subject, evals) in by_subject {
            let fails = evals.iter().any(|e| e.status == fired);
            let clean = evals
                .iter()
                .all(|e| matches!(e.status, Status::Pass | Status::NotApplicable));
            let describe = || {
                evals
                    .iter()
                    .map(|e| format!("{}: {}", e.status, e.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            if case == "fires" && !fails {
                problems.push(problem(format!(
                    "silent: does not fire on {} {subject} ({})",
                    dir.display(),
                    describe()
                )));
            }
            if case == "passes" && !clean {
                problems.push(problem(format!(
                    "noisy: does not pass on {} {subject} ({})",
                    dir.display(),
                    describe()
                )));
            }
            let unknown = evals.iter().any(|e| e.status == Status::Unknown)
                && evals
                    .iter()
                    .all(|e| matches!(e.status, Status::Unknown | Status::NotApplicable));
            if case == "unknown" && !unknown {
                problems.push(problem(format!(
                    "not unknown on {} {subject} ({})",
                    dir.display(),
                    describe()
                )));
            }
        }
        let any_pass = evaluations
            .iter()
            .any(|e| e.code == rule.code && e.status == passed);
        if case == "passes" && !any_pass {
            problems.push(problem(format!(
                "passes fixture {} has no passing evaluation",
                dir.display()
            )));
        }
        // Tool findings (malformed or unreadable inputs) mean a broken fixture.
        for e in evaluations.iter().filter(|e| e.code != rule.code) {
            problems.push(problem(format!(
                "fixture {} has a tool finding: {} {} on {}: {}",
                dir.display(),
                e.code,
                e.name,
                e.node,
                e.message
            )));
        }
    }
    (runs, problems)
}
