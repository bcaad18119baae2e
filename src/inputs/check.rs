//! `upcheck inputs check`: what must hold across the whole table, beyond
//! each file on its own (which loading already checks: the schema, valid
//! path patterns, commands and copies landing where discovery looks).
//! Each check is one function of [`CHECKS`]; add one there.

use super::{Catalog, Input, pattern};
use crate::facts::FACTS;
use crate::parse::table::TableSpec;
use std::fmt;

/// One problem `inputs check` reports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub origin: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "error: {}:{line}: {}", self.origin, self.message),
            None => write!(f, "error: {}: {}", self.origin, self.message),
        }
    }
}

/// What a check sees: the input table and the rules run with it.
pub struct Context<'a> {
    pub inputs: &'a Catalog,
    pub rules: &'a crate::catalog::Catalog,
}

/// A check over the table, by the name `inputs check` prints.
pub type Check = fn(&Context) -> Vec<Finding>;

pub const CHECKS: &[(&str, Check)] = &[
    ("no two inputs claim one path", no_shared_path),
    ("every input is read", every_input_read),
    ("every input a fact reads exists", fact_inputs_exist),
    ("every table's examples give their rows", table_examples),
];

/// Every check's findings, sorted.
pub fn run(context: &Context) -> Vec<Finding> {
    let mut findings: Vec<Finding> = CHECKS.iter().flat_map(|(_, c)| c(context)).collect();
    findings.sort();
    findings
}

fn finding(input: &Input, message: String) -> Finding {
    Finding {
        origin: input.origin.clone(),
        line: Some(1),
        message,
    }
}

/// No file can be two inputs: per layout, two inputs may not give the same
/// path, nor may one's glob match another's plain path. (Globs with
/// placeholders stand for paths known only at run time, and two globs are
/// not compared: the check says nothing about them.)
fn no_shared_path(context: &Context) -> Vec<Finding> {
    let layouts: [(&str, PathsOf); 2] =
        [("native", |i| &i.paths.native), ("sos", |i| &i.paths.sos)];
    let inputs: Vec<&Input> = context.inputs.iter().collect();
    let mut out = Vec::new();
    for (layout, paths) in layouts {
        for (n, a) in inputs.iter().enumerate() {
            for b in &inputs[n + 1..] {
                for pa in paths(a) {
                    for pb in paths(b) {
                        if claims_same(pa, pb) {
                            out.push(finding(
                                b,
                                format!(
                                    "{layout} path `{pb}` of `{}` also names `{pa}` of `{}` ({}): one file cannot be two inputs",
                                    b.name, a.name, a.origin
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }
    out
}

/// One layout's candidate paths of an input.
type PathsOf = fn(&Input) -> &Vec<String>;

fn claims_same(a: &str, b: &str) -> bool {
    let matches = |glob: &str, path: &str| {
        pattern::is_literal(path) && pattern::matcher(glob).is_some_and(|m| m.is_match(path))
    };
    a == b || matches(a, b) || matches(b, a)
}

/// Every input is read by a fact, or by a log-pattern rule whose `files`
/// match one of its paths, or says why it is collected all the same
/// (`unread`).
fn every_input_read(context: &Context) -> Vec<Finding> {
    context
        .inputs
        .iter()
        .filter_map(|input| {
            let readers = readers(context, input);
            match (readers.is_empty(), &input.unread) {
                (true, None) => Some(finding(
                    input,
                    format!(
                        "no fact or rule reads input `{}`: remove it, or say why it is kept with `unread`",
                        input.name
                    ),
                )),
                (false, Some(_)) => Some(finding(
                    input,
                    format!(
                        "input `{}` says it is `unread`, but {} reads it",
                        input.name,
                        readers.join(", ")
                    ),
                )),
                _ => None,
            }
        })
        .collect()
}

/// The facts and rules that read `input`: `fact <name>`, `rule <code>`.
pub fn readers(context: &Context, input: &Input) -> Vec<String> {
    let facts = FACTS
        .iter()
        .filter(|f| f.inputs.contains(&input.name.as_str()))
        .map(|f| format!("fact {}", f.name));
    let logs = context
        .rules
        .rules
        .values()
        .filter(|r| {
            r.log.as_ref().is_some_and(|log| {
                let paths = input.paths.native.iter().chain(&input.paths.sos);
                paths
                    .filter(|p| pattern::is_literal(p))
                    .any(|p| log.reads(p))
            })
        })
        .map(|r| format!("rule {}", r.code));
    // A `[table]` input is the fact of its name (`nms-patches` gives
    // `nms_patches`): the rules that require it read it.
    let table_fact = input.table.as_ref().map(|_| input.name.replace('-', "_"));
    let tables = context
        .rules
        .rules
        .values()
        .filter(|r| table_fact.as_ref().is_some_and(|f| r.requires.contains(f)))
        .map(|r| format!("rule {}", r.code));
    facts.chain(logs).chain(tables).collect()
}

/// Every input a fact names is in the table.
fn fact_inputs_exist(context: &Context) -> Vec<Finding> {
    FACTS
        .iter()
        .flat_map(|f| f.inputs.iter().map(move |i| (f, i)))
        .filter(|(_, i)| context.inputs.get(i).is_none())
        .map(|(f, i)| Finding {
            origin: "src/facts".into(),
            line: None,
            message: format!(
                "fact `{}` reads input `{i}`, which no input file declares",
                f.name
            ),
        })
        .collect()
}

/// Every `[table]` has examples, and each parses to the rows it states
/// (`TableSpec::example_findings`, which `rules check` runs on a site
/// folder's inputs too).
fn table_examples(context: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for input in context.inputs.iter() {
        let Some(section) = &input.table else {
            continue;
        };
        let at = |line: Option<usize>, message: String| Finding {
            origin: input.origin.clone(),
            line: line.or(Some(1)),
            message,
        };
        match TableSpec::from_section(section) {
            Ok(spec) => out.extend(
                spec.example_findings(&input.example_lines)
                    .into_iter()
                    .map(|(line, message)| at(line, message)),
            ),
            Err(e) => out.push(at(None, format!("[table]: {}", e.trim()))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_table_is_clean() {
        let rules = crate::catalog::Catalog::load(&[]);
        let context = Context {
            inputs: super::super::builtin(),
            rules: &rules,
        };
        let findings = run(&context);
        assert!(findings.is_empty(), "{findings:#?}");
    }

    #[test]
    fn a_table_without_examples_or_with_a_wrong_one_is_found_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let inputs = dir.path().join(super::super::SITE_FOLDER);
        std::fs::create_dir(&inputs).unwrap();
        let head = "description = \"x\"\nunread = \"kept\"\n[paths]\nnative = [\"exports/{n}.csv\"]\n\
                    [collect]\nhow = \"x\"\n[table]\nwhat = \"x\"\n[[table.columns]]\n\
                    field = \"board\"\nnames = [\"Board\"]\nrequired = true\n";
        std::fs::write(inputs.join("bare.toml"), head.replace("{n}", "bare")).unwrap();
        let wrong = "[[table.examples]]\ntext = \"Board\\nMPU\\n\"\nrows = [{ board = \"SCC\" }]\n";
        std::fs::write(
            inputs.join("wrong.toml"),
            format!("{}{wrong}", head.replace("{n}", "wrong")),
        )
        .unwrap();
        let table = Catalog::load(&[dir.path().to_path_buf()]).unwrap();
        let rules = crate::catalog::Catalog::load(&[]);
        let text: Vec<String> = run(&Context {
            inputs: &table,
            rules: &rules,
        })
        .iter()
        .map(ToString::to_string)
        .collect();
        let file = |n: &str| inputs.join(format!("{n}.toml")).display().to_string();
        assert_eq!(
            text,
            vec![
                format!(
                    "error: {}:1: [table] has no [[table.examples]]: give an export's text and \
                     the rows it must give, so that the spec is checked",
                    file("bare")
                ),
                format!(
                    "error: {}:13: example 1: row 1: board is \"MPU\", the example states \"SCC\"",
                    file("wrong")
                ),
            ]
        );
    }

    #[test]
    fn a_glob_claims_the_plain_paths_it_matches() {
        assert!(claims_same("pds/**", "pds/PATCH/PA1.E"));
        assert!(claims_same("etc/shadow", "etc/shadow"));
        assert!(!claims_same(
            "var/TKLC/upgrade/*.iso",
            "var/TKLC/upgrade/md5sum.out"
        ));
        assert!(!claims_same("<PATCH_HISTORY_DIR>/*", "etc/shadow"));
        assert!(!claims_same("pds/**", "pds/*"));
    }

    #[test]
    fn an_unread_input_and_a_shared_path_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let inputs = dir.path().join(super::super::SITE_FOLDER);
        std::fs::create_dir(&inputs).unwrap();
        std::fs::write(
            inputs.join("my-shadow.toml"),
            "description = \"x\"\n[paths]\nnative = [\"etc/shadow\"]\n[collect]\nhow = \"x\"\n",
        )
        .unwrap();
        let table = Catalog::load(&[dir.path().to_path_buf()]).unwrap();
        let rules = crate::catalog::Catalog::load(&[]);
        let findings = run(&Context {
            inputs: &table,
            rules: &rules,
        });
        let text: Vec<String> = findings.iter().map(ToString::to_string).collect();
        assert_eq!(findings.len(), 2, "{text:#?}");
        assert!(
            text.iter()
                .any(|t| t.contains("one file cannot be two inputs")),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("no fact or rule reads input `my-shadow`")),
            "{text:#?}"
        );
    }
}
