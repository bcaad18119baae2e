//! The rule catalog: rule files (TOML, one rule each) loaded from the
//! binary and from `--rules` folders, validated and compiled once.

mod compile;
pub mod docs;
pub mod expr;
mod expr_error;
pub mod functions;
mod indexed_form;
pub mod lent_object;
mod lint;
mod plain_form;
mod problem;
pub mod rule_file;
mod shared;

use crate::facts::tables::{self, SiteTables};
pub use compile::{Condition, Rule, compile_rule};
pub use problem::Problem;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// All rules by code, with the problems met while loading them.
#[derive(Debug, Default)]
pub struct Catalog {
    pub rules: BTreeMap<u32, Rule>,
    pub problems: Vec<Problem>,
    /// The table inputs of the site folders, which rules read as facts.
    pub tables: SiteTables,
}

impl Catalog {
    /// The embedded rules, then each folder's rules, a later rule replacing
    /// an earlier one of the same code.
    pub fn load(extra_dirs: &[PathBuf]) -> Catalog {
        let mut files: Vec<(String, String)> = EMBEDDED_RULES
            .iter()
            .map(|(name, text)| (format!("embedded:rules/{name}"), text.to_string()))
            .collect();
        let mut catalog = Catalog::default();
        catalog.load_table_inputs(extra_dirs, false);
        for dir in extra_dirs {
            match read_rule_dir(&rules_folder(dir)) {
                Ok(mut more) => files.append(&mut more),
                Err(p) => catalog.problems.push(p),
            }
        }
        catalog.add_files(files, true, &[]);
        catalog
    }

    /// Only the rules of one folder (for `rules check DIR`). Its rules may
    /// depend on built-in codes, as they will when run with `--rules`.
    pub fn load_dir(dir: &Path) -> Catalog {
        let built_in: Vec<u32> = EMBEDDED_RULES
            .iter()
            .filter_map(|(name, _)| name.get(..5)?.parse().ok())
            .collect();
        let mut catalog = Catalog::default();
        catalog.load_table_inputs(&[dir.to_path_buf()], true);
        match read_rule_dir(&rules_folder(dir)) {
            Ok(files) => catalog.add_files(files, false, &built_in),
            Err(p) => catalog.problems.push(p),
        }
        catalog
    }

    /// Reads the table inputs of each site folder's `inputs/` (see
    /// `facts::tables`); with `examples`, also checks that each spec's
    /// examples parse to their rows.
    fn load_table_inputs(&mut self, dirs: &[PathBuf], examples: bool) {
        let (tables, failed) = SiteTables::load(dirs);
        self.problems.extend(failed.iter().map(input_problem));
        if examples {
            for input in tables.inputs() {
                let errors = tables::example_errors(input);
                self.problems.extend(errors.iter().map(input_problem));
            }
        }
        self.tables = tables;
    }

    fn add_files(&mut self, files: Vec<(String, String)>, overrides: bool, also_known: &[u32]) {
        // Compiling is most of a small run's fixed cost (the CEL parser),
        // and each file compiles on its own.
        let tables = &self.tables;
        let compiled: Vec<_> = (files.into_par_iter())
            .map(|(origin, text)| {
                let result = compile_rule(&origin, &text, tables);
                (origin, result)
            })
            .collect();
        for (origin, result) in compiled {
            match result {
                Ok((rule, warnings)) => {
                    self.problems.extend(warnings);
                    if let Some(old) = self.rules.get(&rule.code)
                        && !overrides
                    {
                        self.problems.push(Problem {
                            origin: origin.clone(),
                            line: Some(1),
                            message: format!(
                                "duplicate code {}: also used by {}",
                                rule.code, old.origin
                            ),
                            warning: false,
                        });
                        continue;
                    }
                    self.rules.insert(rule.code, rule);
                }
                Err(problems) => self.problems.extend(problems),
            }
        }
        self.check_dependencies(also_known);
    }

    /// Every `depends_on` names a rule of this catalog or of `also_known`.
    fn check_dependencies(&mut self, also_known: &[u32]) {
        for rule in self.rules.values() {
            for dep in &rule.depends_on {
                if !self.rules.contains_key(dep) && !also_known.contains(dep) {
                    self.problems.push(Problem {
                        origin: rule.origin.clone(),
                        line: None,
                        message: format!("depends_on names {dep}, which is not in the catalog"),
                        warning: false,
                    });
                }
            }
        }
    }

    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| !p.warning)
    }

    /// sha256 over every rule's origin-free text in code order, so the same
    /// catalog gives the same digest wherever it is installed.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for rule in self.rules.values() {
            h.update(rule.code.to_string().as_bytes());
            h.update([0]);
            h.update(rule.source_text.as_bytes());
            h.update([0]);
        }
        format!("sha256:{}", crate::model::hex(&h.finalize()))
    }
}

/// The folder of a `--rules DIR` that holds its rules: `DIR/rules/` in a
/// site folder that has one (beside `DIR/inputs/` and `DIR/fixtures/`),
/// else DIR itself.
pub fn rules_folder(dir: &Path) -> PathBuf {
    let nested = dir.join("rules");
    if nested.is_dir() {
        nested
    } else {
        dir.to_path_buf()
    }
}

fn input_problem(e: &tables::TableInputError) -> Problem {
    let (origin, line, message) = match e {
        tables::TableInputError::Unreadable { path, reason } => {
            (path.clone(), None, format!("cannot read: {reason}"))
        }
        tables::TableInputError::Invalid {
            origin,
            line,
            message,
        } => (origin.clone(), Some(*line), message.clone()),
    };
    Problem {
        origin,
        line,
        message,
        warning: false,
    }
}

fn read_rule_dir(dir: &Path) -> Result<Vec<(String, String)>, Problem> {
    let entries = std::fs::read_dir(dir).map_err(|e| Problem {
        origin: dir.display().to_string(),
        line: None,
        message: format!("cannot read the rules folder: {e}"),
        warning: false,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push((path.display().to_string(), text)),
            Err(e) => {
                return Err(Problem {
                    origin: path.display().to_string(),
                    line: None,
                    message: format!("cannot read: {e}"),
                    warning: false,
                });
            }
        }
    }
    Ok(files)
}
