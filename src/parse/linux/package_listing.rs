//! The DC package repository listing: `exports/package-repository.txt`.
//!
//! The software packages (`.pkg`) and patch packages the DC(CMF) or the NMS
//! loads onto NEs sit in its package folder. A package upgrade task rolls
//! back when the `.pkg` file it names is not there. The listing of that
//! folder is saved as printed by `ls -l` (Linux, Solaris: `ls -l
//! /opt/DC/package`, or `ls -lR` for a tree) or by `dir` (Windows: `dir
//! D:\DC\package`, or `dir /s`). Only regular files are kept: folders,
//! links and devices are skipped.
//!
//! # Which form
//!
//! The file is read as a `dir` listing when one of its lines is a `dir`
//! entry (a date, a time, `<DIR>` or a size, and a name), a ` Directory of
//! …` header, a `N File(s)` footer, `File Not Found` or `The system cannot
//! find the path specified.`; otherwise as an
//! `ls -l` listing.
//!
//! # `ls -l` form
//!
//! Read as the `ls-listing` parser reads it (see `upcheck parse
//! ls-listing`): entries `mode links owner group size time name`, folder
//! headers of `ls -lR`, `total N` lines, and `ls:` errors. An `ls: cannot
//! access …: No such file or directory` means the folder is not there: no
//! packages. Any other line is Malformed.
//!
//! ```text
//! total 148496
//! -rw-r--r-- 1 dcuser dcgroup 152043520 Jul 20 09:12 OSN6800V100R004C04SPC800.pkg
//! -rw-r--r-- 1 dcuser dcgroup   2043904 Jul 18 16:40 OSN6800V100R004C01SPH106.pat
//! drwxr-xr-x 2 dcuser dcgroup      4096 Jul 18 16:40 backup
//! ```
//!
//! # `dir` form
//!
//! An entry is a date, a time (`09:12 AM`, `09:12`), then `<DIR>` (or
//! `<JUNCTION>`, `<SYMLINK>`, `<SYMLINKD>`: skipped) or the size in bytes,
//! then the name, which keeps its inner spaces. The date is ignored, so any
//! locale's order reads (`07/20/2012`, `20/07/2012`, `20.07.2012`,
//! `2012-07-20`). Sizes may group thousands with `,`, `.`, `'` or a
//! no-break space (`152,043,520`, `152.043.520`); `dir /-C` prints none.
//! `dir` indents its own header and footer lines (` Volume in drive D is
//! …`, ` Directory of D:\DC\package`, `               1 File(s) …`), so
//! indented lines that are not entries are skipped, and the folder of the
//! entries below a ` Directory of` line is the path it names. `File Not
//! Found` and `The system cannot find the path specified.` mean no files.
//! Any other line that starts at the first column is Malformed.
//!
//! ```text
//!  Volume in drive D is DATA
//!  Volume Serial Number is 5C3A-1F07
//!
//!  Directory of D:\DC\package
//!
//! 07/20/2012  09:12 AM    <DIR>          .
//! 07/20/2012  09:12 AM    <DIR>          ..
//! 07/20/2012  09:12 AM       152,043,520 OSN6800V100R004C04SPC800.pkg
//! 07/18/2012  04:40 PM         2,043,904 OSN6800V100R004C01SPH106.pat
//!                2 File(s)    154,087,424 bytes
//!                2 Dir(s)  10,234,567,168 bytes free
//! ```
//!
//! The same in a day-first locale, with the 24-hour clock:
//!
//! ```text
//!  Directory of D:\DC\package
//!
//! 20/07/2012  09:12    <DIR>          .
//! 20/07/2012  09:12    <DIR>          ..
//! 20/07/2012  09:12       152.043.520 OSN6800V100R004C04SPC800.pkg
//! 18/07/2012  16:40         2.043.904 OSN6800V100R004C01SPH106.pat
//! ```
//!
//! An empty file, or one holding only collector messages (`command not
//! found`), is NotApplicable.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::ls_listing;
use crate::parse::{Outcome, clipped, collector_message, numbered_lines};

/// One file of the package folder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackageFile {
    /// 1-based line.
    pub line: usize,
    /// The folder the listing names for it (`ls -lR` header, `dir`'s
    /// ` Directory of`), when it names one.
    pub dir: Option<String>,
    pub name: String,
    pub size_bytes: u64,
}

/// A `dir` entry: date, time, `<DIR>`-like tag or size, name.
static DIR_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)^
        [0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4}\.?   # date, any order
        \s+ [0-9]{1,2}:[0-9]{2}(?::[0-9]{2})? (?:\s*[AaPp]\.?[Mm]?\.?)?  # time
        \s+ (?: <(?P<tag>[A-Za-z]+)> | (?P<size>[0-9][0-9,.'\u{a0}\u{202f}]*) )
        \s (?P<name>.*)$",
    )
    .expect("constant pattern")
});

/// `dir`'s own lines that start at the first column.
static DIR_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:Directory of |[0-9]+ File\(s\)|[0-9]+ Dir\(s\)|File Not Found\s*$|The system cannot find the (?:path|file) specified\.)",
    )
    .expect("constant pattern")
});

/// Parses an `ls -l` or `dir` listing of the package folder.
pub fn parse(text: &str) -> Outcome<Vec<PackageFile>> {
    let is_dir_form =
        numbered_lines(text).any(|(_, l)| DIR_ENTRY.is_match(l) || DIR_MARKER.is_match(l));
    if is_dir_form {
        return parse_dir(text);
    }
    match ls_listing::parse(text) {
        Outcome::Parsed { records } => Outcome::parsed(
            records
                .entries
                .into_iter()
                .filter(|e| e.kind == "file")
                .filter_map(|e| {
                    Some(PackageFile {
                        line: e.line,
                        dir: e.dir,
                        name: e.name,
                        size_bytes: e.size?,
                    })
                })
                .collect(),
        ),
        Outcome::NotApplicable(na) => Outcome::NotApplicable(na),
        Outcome::Malformed(m) => Outcome::Malformed(m),
    }
}

/// A size as `dir` prints it, thousands grouped or not.
fn dir_size(raw: &str) -> Option<u64> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ',' | '.' | '\'' | '\u{a0}' | '\u{202f}'))
        .collect();
    let grouped = digits.len() != raw.len();
    if grouped {
        // Groups of three after the first one to three digits.
        let groups: Vec<&str> = raw.split([',', '.', '\'', '\u{a0}', '\u{202f}']).collect();
        let (first, rest) = groups.split_first()?;
        if first.is_empty() || first.len() > 3 || rest.iter().any(|g| g.len() != 3) {
            return None;
        }
    }
    digits.parse().ok()
}

fn parse_dir(text: &str) -> Outcome<Vec<PackageFile>> {
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let mut files = Vec::new();
    let mut dir: Option<String> = None;
    for (no, line) in numbered_lines(text) {
        if let Some(c) = DIR_ENTRY.captures(line) {
            let name = c.name("name").map_or("", |m| m.as_str()).trim_end();
            if name.is_empty() {
                return Outcome::malformed(
                    no,
                    format!("entry '{}' has no name", clipped(line, 60)),
                );
            }
            if c.name("tag").is_some() {
                continue;
            }
            let raw = c.name("size").map_or("", |m| m.as_str());
            let Some(size_bytes) = dir_size(raw) else {
                return Outcome::malformed(
                    no,
                    format!("size '{}' is not a byte count", clipped(raw, 30)),
                );
            };
            files.push(PackageFile {
                line: no,
                dir: dir.clone(),
                name: name.to_string(),
                size_bytes,
            });
            continue;
        }
        if let Some(path) = line.trim_start().strip_prefix("Directory of ") {
            dir = Some(path.trim().to_string());
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if line.trim().is_empty() || indented || DIR_MARKER.is_match(line) {
            continue;
        }
        return Outcome::malformed(
            no,
            format!(
                "'{}' is not a dir entry (date, time, <DIR> or size, name)",
                clipped(line, 60)
            ),
        );
    }
    Outcome::parsed(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{self, junk, lcg_junk, not_applicable, parse_every_prefix, parsed};

    const PKG: &str = "OSN6800V100R004C04SPC800.pkg";
    const PAT: &str = "OSN6800V100R004C01SPH106.pat";

    fn files(text: &str) -> Vec<PackageFile> {
        parsed(&parse(text), text)
    }

    fn malformed(text: &str) -> (usize, String) {
        let m = testing::malformed(&parse(text), text);
        (m.line, m.reason)
    }

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("package_listing.rs"))
    }

    fn file(line: usize, dir: Option<&str>, name: &str, size_bytes: u64) -> PackageFile {
        PackageFile {
            line,
            dir: dir.map(str::to_string),
            name: name.into(),
            size_bytes,
        }
    }

    #[test]
    fn documentation_examples_parse() {
        let blocks = doc_blocks();
        assert_eq!(blocks.len(), 3);
        assert_eq!(
            files(&blocks[0]),
            vec![
                file(2, None, PKG, 152_043_520),
                file(3, None, PAT, 2_043_904),
            ]
        );
        let dc = Some(r"D:\DC\package");
        assert_eq!(
            files(&blocks[1]),
            vec![file(8, dc, PKG, 152_043_520), file(9, dc, PAT, 2_043_904),]
        );
        assert_eq!(
            files(&blocks[2]),
            vec![file(5, dc, PKG, 152_043_520), file(6, dc, PAT, 2_043_904),]
        );
    }

    #[test]
    fn ls_recursive_links_and_missing_folder() {
        let text = "/opt/DC/package:\ntotal 4\n\
                    drwxr-xr-x 2 dc dc 4096 1342775520 OSN6800\n\
                    lrwxrwxrwx 1 dc dc   28 1342775520 latest.pkg -> OSN6800/current.pkg\n\n\
                    /opt/DC/package/OSN6800:\ntotal 148484\n\
                    -rw-r--r-- 1 dc dc 152043520 1342775520 my package.pkg\n";
        assert_eq!(
            files(text),
            vec![file(
                8,
                Some("/opt/DC/package/OSN6800"),
                "my package.pkg",
                152_043_520
            )]
        );
        let text = "ls: cannot access '/opt/DC/package': No such file or directory\n";
        assert_eq!(files(text), vec![]);
        let (line, why) = malformed("total 4\n-rw-r--r-- 1 dc dc 145M Jul 20 09:12 a.pkg\n");
        assert_eq!(line, 2);
        assert!(why.contains("145M"), "{why}");
    }

    #[test]
    fn dir_entries_in_each_locale() {
        for (entry, name, size) in [
            (
                "07/20/2012  09:12 AM       152,043,520 a.pkg",
                "a.pkg",
                152_043_520,
            ),
            (
                "07/20/2012  09:12 PM       152043520 a.pkg",
                "a.pkg",
                152_043_520,
            ),
            (
                "20/07/2012  21:12       152.043.520 a b.pkg",
                "a b.pkg",
                152_043_520,
            ),
            (
                "20.07.2012  21:12       152'043'520 a.pkg",
                "a.pkg",
                152_043_520,
            ),
            (
                "2012-07-20  21:12       152\u{a0}043\u{a0}520 a.pkg",
                "a.pkg",
                152_043_520,
            ),
            (
                "2012/07/20  21:12:05                 0 empty.pkg",
                "empty.pkg",
                0,
            ),
            (
                "7/20/2012   9:12a              1,024 old.pkg",
                "old.pkg",
                1_024,
            ),
            ("07/20/2012  09:12 AM             999 x.pkg  ", "x.pkg", 999),
        ] {
            let got = files(&format!("{entry}\r\n"));
            assert_eq!(got, vec![file(1, None, name, size)], "{entry}");
        }
        for entry in [
            "07/20/2012  09:12 AM    <DIR>          OSN6800",
            "07/20/2012  09:12 AM    <JUNCTION>     link [D:\\x]",
            "07/20/2012  09:12 AM    <SYMLINK>      latest.pkg [a.pkg]",
            "07/20/2012  09:12 AM    <SYMLINKD>     dir [D:\\y]",
        ] {
            assert_eq!(files(&format!("{entry}\n")), vec![], "{entry}");
        }
    }

    #[test]
    fn dir_recursive_and_not_found() {
        let text = " Directory of D:\\DC\\package\n\n\
                    07/20/2012  09:12 AM    <DIR>          OSN6800\n\
                    \x20              0 File(s)              0 bytes\n\n\
                    \x20Directory of D:\\DC\\package\\OSN6800\n\n\
                    07/20/2012  09:12 AM       152,043,520 a.pkg\n\
                    \x20              1 File(s)    152,043,520 bytes\n\n\
                    \x20    Total Files Listed:\n\
                    \x20              1 File(s)    152,043,520 bytes\n";
        assert_eq!(
            files(text),
            vec![file(
                8,
                Some("D:\\DC\\package\\OSN6800"),
                "a.pkg",
                152_043_520
            )]
        );
        assert_eq!(
            files(" Directory of D:\\DC\\package\n\nFile Not Found\n"),
            vec![]
        );
        assert_eq!(files("File Not Found\n"), vec![]);
        assert_eq!(
            files("The system cannot find the path specified.\r\n"),
            vec![]
        );
    }

    #[test]
    fn dir_malformed_lines() {
        let (line, why) =
            malformed(" Directory of D:\\x\n07/20/2012  09:12 AM     1,52,043 a.pkg\n");
        assert_eq!(line, 2);
        assert!(why.contains("1,52,043"), "{why}");
        let (line, why) =
            malformed("07/20/2012  09:12 AM       1 a.pkg\nPress any key to continue . . .\n");
        assert_eq!(line, 2);
        assert!(why.contains("not a dir entry"), "{why}");
        let (line, _) = malformed("07/20/2012  09:12 AM  99999999999999999999999 a.pkg\n");
        assert_eq!(line, 1);
        let (line, why) = malformed("07/20/2012  09:12 AM       12 \n");
        assert_eq!(line, 1);
        assert!(why.contains("no name"), "{why}");
    }

    #[test]
    fn empty_and_collector_messages() {
        for text in ["", "\n \n"] {
            assert_eq!(not_applicable(&parse(text), text).kind, Absence::Empty);
        }
        let text = "bash: ls: command not found\n";
        assert_eq!(
            not_applicable(&parse(text), text).kind,
            Absence::ToolMissing
        );
    }

    #[test]
    fn never_panics() {
        let mut inputs = doc_blocks();
        inputs.push(
            "07/20/2012  9:1 A <DIR\n Directory of \n1 File(s)\n99/99/9999  99:99 ,,, x\n".into(),
        );
        let alphabet = [
            "07/20/2012",
            "  ",
            "09:12",
            " AM",
            "<DIR>",
            "152,043,520",
            " a.pkg",
            "\n",
            "\r\n",
            " Directory of D:\\",
            "-rw-r--r-- 1 a b ",
            "total 1",
            "é",
            "\u{a0}",
            "\0",
        ];
        for seed in 1..=8 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 512)).into_owned());
            inputs.push(String::from_utf8_lossy(&lcg_junk(seed as u32, 512)).into_owned());
        }
        for seed in 1..=48 {
            let mut text = String::new();
            for b in junk(seed, 40) {
                text.push_str(alphabet[b as usize % alphabet.len()]);
            }
            inputs.push(text);
        }
        parse_every_prefix(&inputs, parse);
    }
}
