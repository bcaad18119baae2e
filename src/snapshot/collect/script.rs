//! `upcheck collect --print-script`: the POSIX-sh collector for nodes where
//! no upcheck binary can run. collect.sh holds the runner; the commands and
//! files come from the input table and the search folders from the list
//! `collect` itself uses, so both collectors collect the same things.

use super::{EXTRA_PATH, UPGRADE_DIR};
use crate::inputs::Catalog;
use crate::snapshot::MAX_INPUT_BYTES;

const TEMPLATE: &str = include_str!("collect.sh");

/// The self-contained script that collects the inputs of `table`.
pub fn script(table: &Catalog) -> String {
    TEMPLATE
        .replace("@VERSION@", env!("CARGO_PKG_VERSION"))
        .replace("@MAX_BYTES@", &MAX_INPUT_BYTES.to_string())
        .replace("@UPGRADE_DIR@", &quote(UPGRADE_DIR))
        .replace("@EXTRA_PATH@", &EXTRA_PATH.map(quote).join(" "))
        .replace("@TABLE@", &functions(table))
}

/// The shell functions that run the table's commands and copy its files.
fn functions(table: &Catalog) -> String {
    let mut text = String::from("collect_commands() {\n");
    for input in table.commands() {
        let c = &input.collect;
        let env: Vec<String> = c.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let env = env.join(" ");
        let file = c.command_file().unwrap_or_default();
        let words = [file.as_str(), c.only_if.as_deref().unwrap_or(""), &env]
            .into_iter()
            .chain(c.argv.iter().map(String::as_str));
        text.push_str("    run_command");
        for word in words {
            text.push(' ');
            text.push_str(&quote(word));
        }
        text.push('\n');
    }
    text.push_str("}\n\ncopy_files() {\n");
    for file in table.copied_files() {
        text.push_str(&format!("    copy_file {}\n", quote(file)));
    }
    text.push('}');
    text
}

/// One shell word, single-quoted.
fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_and_file_of_the_table_is_in_the_script() {
        let table = crate::inputs::builtin();
        let script = script(table);
        for marker in [
            "@VERSION@",
            "@MAX_BYTES@",
            "@UPGRADE_DIR@",
            "@EXTRA_PATH@",
            "@TABLE@",
        ] {
            assert!(!script.contains(marker), "{marker}");
        }
        for input in table.commands() {
            let file = input.collect.command_file().unwrap();
            let start = format!("run_command {}", quote(&file));
            let line = script
                .lines()
                .find(|l| l.trim_start().starts_with(&start))
                .unwrap_or_else(|| panic!("{file} is not run"));
            let argv: Vec<String> = input.collect.argv.iter().map(|a| quote(a)).collect();
            assert!(line.ends_with(&argv.join(" ")), "{line}");
        }
        for f in table.copied_files() {
            assert!(script.contains(&format!("copy_file {}\n", quote(f))), "{f}");
        }
    }

    #[test]
    fn quoting_survives_quotes() {
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
