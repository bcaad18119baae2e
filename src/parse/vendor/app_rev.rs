//! `appRev` output: the application and platform releases of a TPD-based
//! server (Policy Management CMP/MPE/MRA, PM&C, TVOE host), one
//! `Key: value` line each:
//!
//! ```text
//! Install Time: Wed Jun 15 10:41:35 2016
//! Product Name: PMAC
//! Product Release: 6.0.1.0.0_60.21.0
//! Base Distro Product: TPD
//! Base Distro Release: 7.0.2.0.0_86.28.0
//! Base Distro ISO: TPD.install-7.0.2.0.0_86.28.0-OracleLinux6.7-x86_64.iso
//! OS: OracleLinux 6.7
//! ```
//!
//! # Lines
//!
//! Keys are matched case-insensitively with runs of spaces as one; values
//! are trimmed. CR line ends and blank lines are ignored. The keys read are
//! `Product Name`, `Product Release`, `Base Distro Product` and `Base Distro
//! Release`; other keys are kept out. Lines without a `:` above the first
//! `Key: value` line are taken for stray messages (a login banner, a sudo
//! warning) and skipped; once the list has begun, a line without a `:` makes
//! the file Malformed at that line, and so does a file that names neither a
//! product release nor a base distro release (Malformed at its first line).
//! An empty file, or one holding only a collector message (`bash: appRev:
//! command not found`), is NotApplicable.

use serde::Serialize;

use crate::parse::{Outcome, clipped, collector_message, numbered_lines};

/// The releases `appRev` printed, each with its 1-based line.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AppRev {
    pub product_name: Option<(String, usize)>,
    pub product_release: Option<(String, usize)>,
    pub base_product: Option<(String, usize)>,
    pub base_release: Option<(String, usize)>,
}

/// Parses the output of `appRev`.
pub fn parse(text: &str) -> Outcome<AppRev> {
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let mut rev = AppRev::default();
    let mut first: Option<usize> = None;
    for (no, raw) in numbered_lines(text) {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            if first.is_some() {
                return Outcome::malformed(
                    no,
                    format!("`{}` is no `Key: value` line", clipped(line, 60)),
                );
            }
            continue;
        };
        first.get_or_insert(no);
        let key = key.split_whitespace().collect::<Vec<_>>().join(" ");
        let value = value.trim();
        let slot = match key.to_ascii_lowercase().as_str() {
            "product name" => &mut rev.product_name,
            "product release" => &mut rev.product_release,
            "base distro product" => &mut rev.base_product,
            "base distro release" => &mut rev.base_release,
            _ => continue,
        };
        if !value.is_empty() && slot.is_none() {
            *slot = Some((value.to_string(), no));
        }
    }
    if rev.product_release.is_none() && rev.base_release.is_none() {
        return Outcome::malformed(
            first.unwrap_or(1),
            "no `Product Release` or `Base Distro Release` line",
        );
    }
    Outcome::parsed(rev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{self, doc_text_blocks, junk, parse_every_prefix, parsed};

    fn some(v: &str, line: usize) -> Option<(String, usize)> {
        Some((v.to_string(), line))
    }

    #[test]
    fn the_documented_pmac_output_parses() {
        let text = &doc_text_blocks(include_str!("app_rev.rs"))[0];
        let rev = parsed(&parse(text), text);
        assert_eq!(rev.product_name, some("PMAC", 2));
        assert_eq!(rev.product_release, some("6.0.1.0.0_60.21.0", 3));
        assert_eq!(rev.base_product, some("TPD", 4));
        assert_eq!(rev.base_release, some("7.0.2.0.0_86.28.0", 5));
    }

    #[test]
    fn crlf_spacing_case_and_a_stray_banner() {
        let text = "sudo: unable to resolve host cmp-1a\r\n\r\nproduct  name :  Policy \r\nPRODUCT RELEASE: 12.1.2.0.0_22.1.0\r\n";
        let rev = parsed(&parse(text), text);
        assert_eq!(rev.product_name, some("Policy", 3));
        assert_eq!(rev.product_release, some("12.1.2.0.0_22.1.0", 4));
        assert_eq!(rev.base_release, None);
    }

    #[test]
    fn bad_files_are_malformed_at_their_line() {
        let text = "Product Name: TVOE\nProduct Release: 3.0.2.0.0_86.28.0\ngarbage here\n";
        let m = testing::malformed(&parse(text), text);
        assert_eq!(m.line, 3);
        let text = "\nInstall Time: Wed Jun 15 10:41:35 2016\nOS: OracleLinux 6.7\n";
        let m = testing::malformed(&parse(text), text);
        assert_eq!(m.line, 2);
        assert!(m.reason.contains("Product Release"));
        let text = "Product Release:\nBase Distro Release:   \n";
        assert_eq!(testing::malformed(&parse(text), text).line, 1);
    }

    #[test]
    fn collector_messages_are_not_applicable() {
        assert_eq!(testing::not_applicable(&parse(""), "").kind, Absence::Empty);
        let text = "bash: appRev: command not found\n";
        let na = testing::not_applicable(&parse(text), text);
        assert_eq!(na.kind, Absence::ToolMissing);
    }

    #[test]
    fn junk_and_cut_output_never_panic() {
        let mut texts: Vec<String> = (1..=16)
            .map(|s| String::from_utf8_lossy(&junk(s, 300)).into_owned())
            .collect();
        texts.extend(doc_text_blocks(include_str!("app_rev.rs")));
        parse_every_prefix(&texts, parse);
    }
}
