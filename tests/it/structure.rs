//! The layout measures of issue 19 hold: no import loop between source
//! files (by their `use` of each other), no production file over ~600
//! lines, no production function over ~80 lines, `src/` root holds main.rs
//! and lib.rs only. Production means without `#[cfg(test)]` modules and
//! files.
//!
//! `cargo test --test it structure:: -- --nocapture` also prints the production
//! lines per folder and the `Result<_, String>` left outside the parsers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Production lines a file may have.
const MAX_LINES: usize = 600;

/// Files over the limit, each with the reason it is left so.
const OVER_LIMIT: &[(&str, &str)] = &[(
    "src/parse/vendor/amo_patch_file.rs",
    "one grammar (AMO patch files), kept whole",
)];

/// One source file: its module path (`crate::a::b`) and production text.
struct Source {
    file: String,
    module: Vec<String>,
    production: Vec<String>,
}

fn sources() -> Vec<Source> {
    let mut files = Vec::new();
    walk(Path::new("src"), &mut files);
    files.sort();
    let texts: BTreeMap<PathBuf, String> = files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            (f, text)
        })
        .collect();
    let test_only = test_only_files(&texts);
    texts
        .iter()
        .filter(|(f, _)| !test_only.contains(*f) && f.file_name().unwrap() != "main.rs")
        .map(|(f, text)| Source {
            file: f.display().to_string().replace('\\', "/"),
            module: module_of(f),
            production: production_lines(text),
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/a/b.rs` and `src/a/b/mod.rs` are `crate::a::b`.
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix("src").unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// Files declared under `#[cfg(test)]` (`#[cfg(test)] mod testing;`).
fn test_only_files(texts: &BTreeMap<PathBuf, String>) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for (file, text) in texts {
        let lines: Vec<&str> = text.lines().collect();
        let dir = match file.file_stem().unwrap().to_str().unwrap() {
            "mod" | "lib" => file.parent().unwrap().to_path_buf(),
            stem => file.parent().unwrap().join(stem),
        };
        for pair in lines.windows(2) {
            if pair[0].trim() != "#[cfg(test)]" {
                continue;
            }
            let decl = pair[1].trim().trim_start_matches("pub(crate) ");
            if let Some(name) = decl.strip_prefix("mod ").and_then(|d| d.strip_suffix(';')) {
                out.insert(dir.join(format!("{name}.rs")));
                out.insert(dir.join(name).join("mod.rs"));
            }
        }
    }
    out
}

/// The file up to its `#[cfg(test)] mod … {` block.
fn production_lines(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .windows(2)
        .position(|p| {
            p[0].starts_with("#[cfg(test)]") && p[1].starts_with("mod ") && p[1].ends_with('{')
        })
        .unwrap_or(lines.len());
    lines[..end].iter().map(ToString::to_string).collect()
}

/// Every path named by the file's `use` declarations, as written
/// (`crate::a::{b, c::D}` gives `crate::a::b` and `crate::a::c::D`).
fn use_paths(lines: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending: Option<String> = None;
    for line in lines {
        let t = line.trim();
        let start = t
            .strip_prefix("pub use ")
            .or_else(|| t.strip_prefix("pub(crate) use "))
            .or_else(|| t.strip_prefix("pub(super) use "))
            .or_else(|| t.strip_prefix("use "));
        let text = match (&mut pending, start) {
            (Some(p), _) => {
                p.push_str(t);
                p.clone()
            }
            (None, Some(s)) => s.to_string(),
            (None, None) => continue,
        };
        if let Some(body) = text.strip_suffix(';') {
            pending = None;
            expand("", &body.replace(" as ", "@").replace(' ', ""), &mut out);
        } else {
            pending = Some(text);
        }
    }
    out
}

fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
    match tree.find('{') {
        None => out.push(format!(
            "{prefix}{}",
            tree.split('@').next().unwrap_or(tree)
        )),
        Some(open) => {
            let head = format!("{prefix}{}", &tree[..open]);
            let inner = &tree[open + 1..tree.rfind('}').unwrap()];
            let (mut depth, mut from) = (0, 0);
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(&head, &inner[from..i], out);
                        from = i + 1;
                    }
                    _ => {}
                }
            }
            if from < inner.len() {
                expand(&head, &inner[from..], out);
            }
        }
    }
}

/// The file a `use` path points into: the longest module prefix that is a
/// source file; `None` for other crates.
fn target(from: &[String], path: &str, modules: &BTreeMap<Vec<String>, String>) -> Option<String> {
    let mut segments: Vec<String> = Vec::new();
    let mut parts = path.split("::").filter(|s| !s.is_empty()).peekable();
    match parts.peek().copied() {
        Some("crate") => {
            parts.next();
        }
        Some("super" | "self") => segments = from.to_vec(),
        _ => return None,
    }
    for part in parts {
        match part {
            "super" => {
                segments.pop();
            }
            "self" => {}
            p => segments.push(p.to_string()),
        }
    }
    (0..=segments.len())
        .rev()
        .find_map(|n| modules.get(&segments[..n]))
        .cloned()
}

/// The file-level import graph: file → files it `use`s.
fn import_graph(sources: &[Source]) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeMap<Vec<String>, String> = sources
        .iter()
        .map(|s| (s.module.clone(), s.file.clone()))
        .collect();
    sources
        .iter()
        .map(|s| {
            let targets = use_paths(&s.production)
                .iter()
                .filter_map(|p| target(&s.module, p, &modules))
                .filter(|t| *t != s.file)
                .collect();
            (s.file.clone(), targets)
        })
        .collect()
}

/// A loop through `start`, if there is one.
fn loop_through(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_string(), vec![start.to_string()])];
    let mut seen = BTreeSet::new();
    while let Some((file, path)) = stack.pop() {
        for next in graph.get(&file).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(start.to_string());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

#[test]
fn no_import_loop_between_source_files() {
    let graph = import_graph(&sources());
    let loops: BTreeSet<String> = graph
        .keys()
        .filter_map(|f| loop_through(&graph, f))
        .map(|cycle| cycle.join(" → "))
        .collect();
    assert!(
        loops.is_empty(),
        "import loops:\n{}",
        loops.into_iter().collect::<Vec<_>>().join("\n")
    );
}

/// Arrows that would run back up the pipeline: (from folder, to folder, why not).
const BACKWARD_ARROWS: &[(&str, &str, &str)] = &[
    (
        "src/diff/",
        "src/report/",
        "report renders diffs; the tool stamp is model's",
    ),
    (
        "src/engine/",
        "src/cli/",
        "the engine runs without a command line",
    ),
    (
        "src/policy/",
        "src/engine/",
        "the engine applies the selection policy holds",
    ),
    (
        "src/model/",
        "src/",
        "model is the shared vocabulary: it uses only itself",
    ),
];

#[test]
fn no_arrow_runs_back_up_the_pipeline() {
    let graph = import_graph(&sources());
    let backward: Vec<String> = graph
        .iter()
        .flat_map(|(from, targets)| targets.iter().map(move |to| (from, to)))
        .filter(|(from, to)| {
            BACKWARD_ARROWS
                .iter()
                .any(|(f, t, _)| from.starts_with(f) && to.starts_with(t) && !to.starts_with(f))
        })
        .map(|(from, to)| format!("{from} → {to}"))
        .collect();
    assert!(
        backward.is_empty(),
        "arrows against the pipeline:\n{}",
        backward.join("\n")
    );
}

#[test]
fn the_loop_check_sees_loops() {
    let source = |file: &str, module: &[&str], uses: &[&str]| Source {
        file: file.into(),
        module: module.iter().map(ToString::to_string).collect(),
        production: uses.iter().map(ToString::to_string).collect(),
    };
    let sources = [
        source("src/a/mod.rs", &["a"], &["use crate::b::{self, X};"]),
        source("src/b.rs", &["b"], &["use crate::a::{", "    c::Y,", "};"]),
        source("src/a/c.rs", &["a", "c"], &["use super::super::b::Z;"]),
    ];
    let graph = import_graph(&sources);
    assert_eq!(
        loop_through(&graph, "src/b.rs").unwrap(),
        ["src/b.rs", "src/a/c.rs", "src/b.rs"]
    );
    assert!(loop_through(&graph, "src/a/mod.rs").is_none());
}

#[test]
fn no_production_file_is_over_the_limit() {
    let over: Vec<String> = sources()
        .iter()
        .filter(|s| s.production.len() > MAX_LINES)
        .filter(|s| !OVER_LIMIT.iter().any(|(f, _)| *f == s.file))
        .map(|s| format!("{}: {} lines", s.file, s.production.len()))
        .collect();
    assert!(
        over.is_empty(),
        "over {MAX_LINES} production lines (split the file, or say why in OVER_LIMIT):\n{}",
        over.join("\n")
    );
    for (file, _) in OVER_LIMIT {
        let lines = sources()
            .into_iter()
            .find(|s| s.file == *file)
            .map_or(0, |s| s.production.len());
        assert!(
            lines > MAX_LINES,
            "{file} is {lines} lines now: take it off OVER_LIMIT"
        );
    }
}

/// Lines a production function may have, signature and braces included.
const MAX_FN_LINES: usize = 80;

/// A parser's one pass over its lines: a branch per kind of line, all
/// sharing the record being read; split with the parser's next change.
const ONE_PASS: &str = "one pass over the lines, a branch per kind of line sharing the open record";

/// Functions over the limit, each with the reason it is left so:
/// (file, function, reason).
const LONG_FUNCTIONS: &[(&str, &str, &str)] = &[
    ("src/parse/vendor/patch_record.rs", "parse", ONE_PASS),
    ("src/parse/linux/ping.rs", "runs", ONE_PASS),
    ("src/parse/time/ntpq.rs", "parse", ONE_PASS),
    ("src/parse/vendor/amo_patch_file.rs", "body", ONE_PASS),
    ("src/parse/linux/ls_listing.rs", "entry", ONE_PASS),
    (
        "src/snapshot/fuzz.rs",
        "seeds",
        "data: one hostile snapshot after another, each a few lines",
    ),
    (
        "src/engine/fixture_check.rs",
        "check_fixtures",
        "the fires/passes/unknown contract, one check after another, each with its message",
    ),
    (
        "src/facts/media.rs",
        "build_iso_checksums",
        "being moved to a typed fact (issue 19 §2); split with that change",
    ),
    (
        "src/report/sarif.rs",
        "result",
        "one SARIF result built field by field with the format's builders",
    ),
    (
        "src/parse/table.rs",
        "problems",
        "one check per key of a [table] spec, each with its message",
    ),
];

/// Every function of `lines` (production lines of one file): its name and
/// its length, from its `fn` line to the `}` at the same indentation
/// (the layout rustfmt gives).
fn functions(lines: &[String]) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let code = line.trim_start();
        let indent = &line[..line.len() - code.len()];
        let mut rest = code;
        for qualifier in [
            "pub ",
            "pub(crate) ",
            "pub(super) ",
            "const ",
            "async ",
            "unsafe ",
        ] {
            rest = rest.strip_prefix(qualifier).unwrap_or(rest);
        }
        let Some(rest) = rest.strip_prefix("fn ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if code.ends_with(';') || code.ends_with('}') {
            out.push((name, 1));
            continue;
        }
        let close = format!("{indent}}}");
        if let Some(end) = lines[i..].iter().position(|l| *l == close) {
            out.push((name, end + 1));
        }
    }
    out
}

#[test]
fn no_production_function_is_over_the_limit() {
    let sources = sources();
    let long: Vec<(String, String, usize)> = sources
        .iter()
        .flat_map(|s| {
            functions(&s.production)
                .into_iter()
                .filter(|(_, n)| *n > MAX_FN_LINES)
                .map(|(name, n)| (s.file.clone(), name, n))
        })
        .collect();
    let unexplained: Vec<String> = long
        .iter()
        .filter(|(file, name, _)| {
            !LONG_FUNCTIONS
                .iter()
                .any(|(f, n, _)| f == file && n == name)
        })
        .map(|(file, name, n)| format!("{file}: {name}: {n} lines"))
        .collect();
    assert!(
        unexplained.is_empty(),
        "over {MAX_FN_LINES} lines (split the function, or say why in LONG_FUNCTIONS):\n{}",
        unexplained.join("\n")
    );
    for (file, name, _) in LONG_FUNCTIONS {
        assert!(
            long.iter().any(|(f, n, _)| f == file && n == name),
            "{file}: {name} is no longer over {MAX_FN_LINES} lines: take it off LONG_FUNCTIONS"
        );
    }
}

#[test]
fn the_function_measure_sees_functions() {
    let text = "fn one() -> u8 { 1 }\n\
                pub(crate) fn two(\n    a: u8,\n) -> u8 {\n    a\n}\n\
                impl X {\n    pub async fn three(&self) {\n        if x {\n        }\n    }\n}\n\
                trait Y {\n    fn four(&self);\n}";
    let lines: Vec<String> = text.lines().map(ToString::to_string).collect();
    assert_eq!(
        functions(&lines),
        [
            ("one".to_string(), 1),
            ("two".to_string(), 5),
            ("three".to_string(), 4),
            ("four".to_string(), 1),
        ]
    );
}

#[test]
fn the_crate_root_holds_only_main_and_lib() {
    let mut root: Vec<String> = std::fs::read_dir("src")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    root.sort();
    assert_eq!(root, ["lib.rs", "main.rs"]);
}

/// `Result<…, String>` types in `text`.
fn string_results(text: &str) -> usize {
    text.match_indices("Result<")
        .filter(|(at, _)| {
            let rest = &text[at + "Result<".len()..];
            let (mut depth, mut last_arg) = (0, 0);
            for (i, c) in rest.char_indices() {
                match c {
                    '<' | '(' => depth += 1,
                    ')' => depth -= 1,
                    '>' if rest[..i].ends_with('-') => {}
                    '>' if depth == 0 => return rest[last_arg..i].trim() == "String",
                    '>' => depth -= 1,
                    ',' if depth == 0 => last_arg = i + 1,
                    _ => {}
                }
            }
            false
        })
        .count()
}

/// `Result<_, String>` outside `src/parse/`, where parsers turn theirs
/// into `Malformed` at a line. There were 37 before the command line,
/// policy and merge had error enums; every module now has its own error
/// type, and none may come back.
fn string_errors_outside_the_parsers(sources: &[Source]) -> Vec<String> {
    sources
        .iter()
        .filter(|s| s.module.first().is_none_or(|m| m != "parse"))
        .filter_map(|s| {
            let n = string_results(&s.production.join("\n"));
            (n > 0).then(|| format!("{}: {n}", s.file))
        })
        .collect()
}

#[test]
fn no_string_errors_outside_the_parsers() {
    let left = string_errors_outside_the_parsers(&sources());
    assert!(
        left.is_empty(),
        "Result<_, String> outside src/parse: give the module an error type\n{}",
        left.join("\n")
    );
}

#[test]
fn the_string_error_count_sees_string_errors() {
    assert_eq!(string_results("fn a() -> Result<Vec<u8>, String> {"), 1);
    assert_eq!(string_results("fn a() -> Result<String, Error> {"), 0);
    assert_eq!(string_results("type D = (Result<String, String>, u8);"), 1);
    assert_eq!(
        string_results("fn f(x: impl Fn() -> u8) -> Result<(), String>"),
        1
    );
}

/// Printed with `--nocapture`: production lines per top-level folder, the
/// largest files, and `Result<_, String>` outside `src/parse/`.
#[test]
fn print_the_measures() {
    let sources = sources();
    let mut per_folder: BTreeMap<String, usize> = BTreeMap::new();
    let mut string_errors = 0;
    for s in &sources {
        let folder = s.module.first().cloned().unwrap_or_else(|| "(root)".into());
        *per_folder.entry(folder.clone()).or_default() += s.production.len();
        if folder != "parse" {
            string_errors += string_results(&s.production.join("\n"));
        }
    }
    for (folder, lines) in &per_folder {
        println!("{folder:10} {lines:6}");
    }
    println!("{:10} {:6}", "total", per_folder.values().sum::<usize>());
    let mut largest: Vec<(usize, &str)> = sources
        .iter()
        .map(|s| (s.production.len(), s.file.as_str()))
        .collect();
    largest.sort_by(|a, b| b.cmp(a));
    for (lines, file) in largest.iter().take(8) {
        println!("largest: {lines:5} {file}");
    }
    println!("Result<_, String> outside src/parse: {string_errors}");
}
