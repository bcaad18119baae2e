//! Embeds every rule file of `rules/` and every input file of `inputs/` in
//! the binary, so an installed upcheck carries its catalog and its input
//! table with it.

use std::fmt::Write;
use std::path::Path;

fn main() {
    embed("rules", "EMBEDDED_RULES", "embedded_rules.rs");
    embed("inputs", "EMBEDDED_INPUTS", "embedded_inputs.rs");
}

/// Writes `target` in OUT_DIR: a static `(file name, text)` slice of the
/// `.toml` files of `folder`, sorted by name.
fn embed(folder: &str, name: &str, target: &str) {
    println!("cargo:rerun-if-changed={folder}");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = format!("pub static {name}: &[(&str, &str)] = &[\n");
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        writeln!(
            out,
            "    ({file:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").unwrap()).join(target);
    std::fs::write(target, out).unwrap();
}
