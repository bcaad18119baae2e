//! `upcheck rules check`: a catalog is sound when every file compiles, codes
//! are unique, and every rule fires on its `fires` fixture and stays quiet
//! on its `passes` fixture.

use crate::catalog::{Catalog, Problem, Rule};
use crate::engine::{self, RunOptions, Selection};
use crate::model::Status;
use std::path::{Path, PathBuf};

pub struct CheckResult {
    pub rules: usize,
    pub fixture_runs: usize,
    pub problems: Vec<Problem>,
}

/// The built-in catalog's fixtures, when run from a source checkout.
pub fn default_fixtures(dir: Option<&Path>) -> PathBuf {
    match dir {
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
    let mut problems = Vec::new();
    let mut runs = 0;
    for case in ["fires", "passes"] {
        let dir = base.join(case);
        if !dir.is_dir() {
            problems.push(problem(format!("missing fixture {}", dir.display())));
            continue;
        }
        runs += 1;
        let options = RunOptions {
            phase: None,
            selection: Selection {
                select: vec![rule.code.to_string()],
                ignore: vec![],
            },
            jobs: Some(1),
        };
        let run = engine::run(std::slice::from_ref(&dir), catalog, &options);
        let statuses: Vec<String> = run
            .evaluations
            .iter()
            .map(|e| format!("{} {}: {}", e.node, e.status, e.message))
            .collect();
        let fails = run
            .evaluations
            .iter()
            .filter(|e| e.status == Status::Fail)
            .count();
        let others = run
            .evaluations
            .iter()
            .filter(|e| !matches!(e.status, Status::Pass | Status::NotApplicable))
            .count();
        let passes = run
            .evaluations
            .iter()
            .filter(|e| e.status == Status::Pass)
            .count();
        if case == "fires" && fails == 0 {
            problems.push(problem(format!(
                "silent: does not fire on {} ({})",
                dir.display(),
                statuses.join("; ")
            )));
        }
        if case == "passes" && (others > 0 || passes == 0) {
            problems.push(problem(format!(
                "noisy: does not pass cleanly on {} ({})",
                dir.display(),
                statuses.join("; ")
            )));
        }
    }
    (runs, problems)
}
