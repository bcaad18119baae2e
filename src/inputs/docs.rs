//! The inputs table of docs/snapshot-format.md, rendered from the input
//! files, so that the documentation cannot drift from what discovery and
//! the collectors read (`tests/it/docs_fresh.rs` keeps it fresh).

use super::{Catalog, Input};

/// The line before the generated table.
pub const BEGIN: &str = "<!-- inputs table: generated from inputs/*.toml; \
                         do not edit (UPCHECK_UPDATE_DOCS=1 cargo test --test it docs_fresh) -->";
/// The line after it.
pub const END: &str = "<!-- end of inputs table -->";

/// One row per input, by name: what it is, its candidate files in a native
/// node folder, and how to obtain it.
pub fn markdown_table(catalog: &Catalog) -> String {
    let mut out = String::from(
        "| input | what it is | candidate files, best first | collect with |\n|---|---|---|---|\n",
    );
    for input in catalog.iter() {
        out.push_str(&row(input));
    }
    out
}

fn row(input: &Input) -> String {
    let files: Vec<String> = input
        .paths
        .native
        .iter()
        .map(|p| format!("`{}`", p.replace('|', "\\|")))
        .collect();
    format!(
        "| `{}` | {} | {} | {} |\n",
        input.name,
        cell(&input.description),
        files.join(", "),
        cell(&input.collect.how)
    )
}

/// Text as one Markdown table cell: on one line, its `|` escaped, and its
/// `<` outside code spans, so that `<NE IP>` is not taken for HTML.
fn cell(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    line.split('`')
        .enumerate()
        .map(|(i, part)| {
            let part = part.replace('|', "\\|");
            if i % 2 == 0 {
                part.replace('<', "\\<")
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

/// `doc` with the text between [`BEGIN`] and [`END`] replaced by the table
/// of `catalog`; `None` when `doc` lacks either marker line.
pub fn with_fresh_table(doc: &str, catalog: &Catalog) -> Option<String> {
    let start = doc.find(BEGIN)? + BEGIN.len();
    let end = start + doc[start..].find(END)?;
    Some(format!(
        "{}\n{}{}",
        &doc[..start],
        markdown_table(catalog),
        &doc[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_between_the_markers_is_replaced() {
        let doc = format!("# Inputs\n\n{BEGIN}\nold rows\n{END}\n\nAfter.\n");
        let fresh = with_fresh_table(&doc, super::super::builtin()).unwrap();
        assert!(fresh.starts_with(&format!("# Inputs\n\n{BEGIN}\n| input |")));
        assert!(fresh.ends_with(&format!("|\n{END}\n\nAfter.\n")));
        assert!(!fresh.contains("old rows"));
        assert!(fresh.contains(
            "| `hwclock` | The hardware clock's time, read against `date` for RTC drift \
             (40008). | `commands/hwclock`, `commands/hwclock_--show` |"
        ));
        assert_eq!(
            with_fresh_table(&fresh, super::super::builtin()),
            Some(fresh)
        );
    }

    #[test]
    fn without_both_markers_there_is_nothing_to_replace() {
        let builtin = super::super::builtin();
        assert_eq!(with_fresh_table("no markers\n", builtin), None);
        assert_eq!(with_fresh_table(&format!("{BEGIN}\nrows\n"), builtin), None);
    }

    #[test]
    fn a_cell_is_one_line_with_its_bars_escaped() {
        assert_eq!(cell("ls -l | sort\n  by name"), "ls -l \\| sort by name");
        assert_eq!(cell("ping <NE IP>, `<path>`"), "ping \\<NE IP>, `<path>`");
    }
}
