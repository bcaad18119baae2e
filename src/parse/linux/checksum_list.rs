//! Checksum lists: the output of `md5sum` / `sha1sum` / `sha224sum` /
//! `sha256sum` / `sha384sum` / `sha512sum`, which is also the format of the
//! checksum files they check (`md5sum -c`), such as the vendor's
//! `md5sum.out` shipped next to an ISO image, or `md5sum
//! /var/TKLC/upgrade/x.iso` run on a node.
//!
//! One file per line, in any of these forms, mixed freely:
//!
//! ```text
//! d41d8cd98f00b204e9800998ecf8427e  /dev/null
//! d41d8cd98f00b204e9800998ecf8427e *cmp-12.1.2.0.0_20.4.0.iso
//! d41d8cd98f00b204e9800998ecf8427e file with spaces in the name
//! \d41d8cd98f00b204e9800998ecf8427e  dir\\name\nwith newline
//! MD5 (cmp-12.1.2.0.0_20.4.0.iso) = d41d8cd98f00b204e9800998ecf8427e
//! \SHA256 (back\\slash.iso) = e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
//! cca84e669c8db680f3264a93fe83aab7/home/build/build/PLATFORM-70/iso/cmp-12.1.2.x.x.x.iso
//! /usr/bin/md5sum: /etc/pki/product/69.pem: No such file or directory
//! md5sum: 'x y.iso': Permission denied
//! ```
//!
//! - GNU form (`gnu`): the hex digest, one space or tab, then a mode
//!   character — a space for text mode, `*` for binary mode — and the name.
//!   As in `md5sum -c`, when the character after the separator is neither a
//!   space nor `*` the name starts right there (the single-space form of
//!   `md5 -r` and hand-written lists). The name is everything after that, up
//!   to the end of the line, spaces included, exactly as `md5sum -c` would
//!   open it.
//! - GNU escaped form (`gnu-escaped`): a line starting with `\` is a GNU line
//!   whose name holds escapes, because the real name contains a backslash or
//!   a line break: `\\` is a backslash, `\n` a newline and `\r` a carriage
//!   return (written by coreutils 9). Any other escape, or a name ending in a
//!   lone `\`, is a problem on that line. Without the leading `\`
//!   backslashes in a name are literal.
//! - BSD tag form (`bsd`): `TAG (name) = digest` with `TAG` one of `MD5`,
//!   `SHA1`, `SHA224`, `SHA256`, `SHA384`, `SHA512` (written by `--tag`, BSD
//!   `md5` and `cksum`). The space before `(` may be missing and spaces
//!   around `=` vary, so OpenSSL's `MD5(name)= digest` is read too. The name
//!   runs to the last `)` on the line. A leading `\` means the name is
//!   escaped as in the GNU escaped form.
//! - Unseparated form (`unseparated`): a digest of one of the lengths below
//!   run straight into an absolute path, as printed in the vendor's upgrade
//!   procedure where the two spaces were lost:
//!   `cca84e669c8db680f3264a93fe83aab7/home/build/…/cmp-12.1.2.x.x.x.iso`.
//!   Only a `/` right after the digest is read this way; a relative name run
//!   into the digest cannot be told apart from it.
//! - An error line of the hashing program, `<program>: <name>: <message>`,
//!   where `<program>` (the path of the program is allowed) is one of the
//!   six above and the message is a system error text, which starts with a
//!   capital letter: `No such file or directory`, `Permission denied`,
//!   `Input/output error`, `Is a directory`. The file named could not be
//!   hashed: it is listed under `unreadable`, not taken for a collector
//!   failure. coreutils 8.25 and later quote awkward names in these
//!   messages (`'x y.iso'`); a name wholly inside one pair of `'…'`, or of
//!   `"…"` without `\`, `$` or `` ` `` inside, has its quotes removed; more
//!   complex shell quoting is kept as written.
//!
//! Blank lines and lines starting with `#` (after optional spaces) are
//! skipped. CRLF line ends and a leading UTF-8 byte-order mark are accepted.
//! Leading spaces and tabs before the digest or tag are ignored, as
//! `md5sum -c` does. The digest may be written in either case; it is stored
//! in lower case.
//!
//! The digest's length gives the algorithm: 32 hex digits md5, 40 sha1, 56
//! sha224, 64 sha256, 96 sha384, 128 sha512. (A BLAKE2b digest from `b2sum`
//! has 128 digits too and is read as sha512: the length cannot tell them
//! apart.)
//!
//! A line in none of these forms, a digest of a length that fits no
//! algorithm, a BSD tag whose digest has the length of another algorithm,
//! an unsupported BSD tag (`BLAKE2b`, `SHA3-256`, …), a bad escape or a
//! missing name is not fatal: it becomes a `LineProblem` with its line
//! number and the reason, quoting the start of the line, and the other lines
//! are still read. `md5sum -c`'s own output (`x.iso: OK`) and its
//! lower-case diagnostics (`md5sum: x: no properly formatted MD5 checksum
//! lines found`) are such problems. The outcome is never `Malformed`.
//!
//! A file with no entry and no unreadable file is `NotApplicable` when it
//! is empty or holds only collector messages (`bash: md5sum: command not
//! found`, `cat: /var/TKLC/upgrade/md5sum.out: No such file or directory`).
//! The hashing program's own error lines are checked first, so a file that
//! holds only `md5sum: /var/TKLC/upgrade/x.iso: No such file or directory`
//! is parsed, with that file unreadable.

use serde::Serialize;

use crate::parse::{Outcome, collector_message, numbered_lines};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChecksumList {
    pub entries: Vec<ChecksumEntry>,
    /// Files the program reported it could not hash.
    pub unreadable: Vec<UnreadableFile>,
    /// Lines that could not be read as any form; the others still count.
    pub problems: Vec<LineProblem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChecksumEntry {
    /// 1-based line.
    pub line: usize,
    /// `md5`, `sha1`, `sha224`, `sha256`, `sha384` or `sha512`.
    pub algorithm: &'static str,
    /// Lower-case hex.
    pub digest: String,
    /// Unescaped, otherwise as written: may be relative, or an absolute path
    /// on the machine that built the list.
    pub name: String,
    /// GNU binary mode (`*` before the name). Always false for other forms.
    pub binary: bool,
    /// `gnu`, `gnu-escaped`, `bsd` or `unseparated`.
    pub form: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnreadableFile {
    /// 1-based line.
    pub line: usize,
    pub name: String,
    /// The system error text, e.g. `No such file or directory`.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineProblem {
    /// 1-based line.
    pub line: usize,
    pub reason: String,
}

/// BSD tag, algorithm and digest length in hex digits.
const ALGORITHMS: [(&str, &str, usize); 6] = [
    ("MD5", "md5", 32),
    ("SHA1", "sha1", 40),
    ("SHA224", "sha224", 56),
    ("SHA256", "sha256", 64),
    ("SHA384", "sha384", 96),
    ("SHA512", "sha512", 128),
];

const LENGTHS: &str = "32 md5, 40 sha1, 56 sha224, 64 sha256, 96 sha384, 128 sha512";

/// The programs whose error lines name a file they could not hash.
const PROGRAMS: [&str; 6] = [
    "md5sum",
    "sha1sum",
    "sha224sum",
    "sha256sum",
    "sha384sum",
    "sha512sum",
];

/// Shorter runs of hex letters at the start of a line are words (`added`,
/// `cafe`), not damaged digests; the problem then says "no known form".
const DIGEST_LIKE: usize = 16;

/// How much of a line a problem quotes.
const EXCERPT_CHARS: usize = 60;

pub fn parse(text: &str) -> Outcome<ChecksumList> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut list = ChecksumList::default();
    for (no, line) in numbered_lines(text) {
        let content = line.trim_start_matches([' ', '\t']);
        if content.trim().is_empty() || content.starts_with('#') {
            continue;
        }
        match read_line(no, content) {
            Ok(Line::Entry(e)) => list.entries.push(e),
            Ok(Line::Unreadable(u)) => list.unreadable.push(u),
            Err(what) => list.problems.push(LineProblem {
                line: no,
                reason: format!("{what}: {}", excerpt(line)),
            }),
        }
    }
    // Only now: md5sum's "No such file or directory" about a file it was
    // asked to hash would otherwise pass for the collector's own failure.
    if list.entries.is_empty()
        && list.unreadable.is_empty()
        && let Some(na) = collector_message(text)
    {
        return Outcome::NotApplicable(na);
    }
    Outcome::parsed(list)
}

/// The last `/`-separated component of a name: `""` when it ends in `/`.
pub fn basename(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

enum Line {
    Entry(ChecksumEntry),
    Unreadable(UnreadableFile),
}

/// One non-blank, non-comment line with its leading blanks removed.
fn read_line(no: usize, line: &str) -> Result<Line, String> {
    if let Some(result) = program_error(no, line) {
        return result.map(Line::Unreadable);
    }
    let (escaped, body) = match line.strip_prefix('\\') {
        Some(body) => (true, body),
        None => (false, line),
    };
    let entry = match bsd_tag(body, escaped) {
        Some(result) => result?,
        None => gnu_or_unseparated(body, escaped)?,
    };
    let (algorithm, digest, name, binary, form) = entry;
    Ok(Line::Entry(ChecksumEntry {
        line: no,
        algorithm,
        digest: digest.to_ascii_lowercase(),
        name,
        binary,
        form,
    }))
}

/// Algorithm, digest as written, name, binary mode, form.
type Fields<'a> = (&'static str, &'a str, String, bool, &'static str);

/// `md5sum: <name>: <message>`; `None` when the line does not start with
/// one of the hashing programs.
fn program_error(no: usize, line: &str) -> Option<Result<UnreadableFile, String>> {
    let line = line.trim_end();
    let (program, rest) = line.split_once(": ")?;
    // A program path holds no blanks and is not a digest run into a path:
    // `SHA256 (/usr/bin/md5sum: …) = …` and `<md5>/usr/bin/md5sum: …` are
    // checksum lines for oddly named files.
    let hex_len = program.bytes().take_while(u8::is_ascii_hexdigit).count();
    if program.contains(char::is_whitespace)
        || (algorithm_for(hex_len).is_some() && program[hex_len..].starts_with('/'))
    {
        return None;
    }
    let program = basename(program);
    if !PROGRAMS.contains(&program) {
        return None;
    }
    // strerror texts start with a capital letter and hold no ": ", so the
    // last ": " ends the name even when the name holds one.
    let unreadable = rest.rsplit_once(": ").filter(|(name, message)| {
        !name.is_empty() && message.starts_with(|c: char| c.is_ascii_uppercase())
    });
    Some(match unreadable {
        Some((name, message)) => Ok(UnreadableFile {
            line: no,
            name: unquote(name),
            reason: message.to_string(),
        }),
        None => Err(format!(
            "a message from {program} that names no file it could not read"
        )),
    })
}

/// Removes the simple shell quoting coreutils puts around awkward names.
fn unquote(name: &str) -> String {
    let inside = |q: char| name.strip_prefix(q).and_then(|n| n.strip_suffix(q));
    if let Some(inner) = inside('\'').filter(|n| !n.contains('\'')) {
        return inner.to_string();
    }
    if let Some(inner) = inside('"').filter(|n| !n.contains(['"', '\\', '$', '`'])) {
        return inner.to_string();
    }
    name.to_string()
}

/// `TAG (name) = digest`; `None` when the line does not have that shape.
fn bsd_tag(body: &str, escaped: bool) -> Option<Result<Fields<'_>, String>> {
    let tag_end = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(body.len());
    let (tag, after) = body.split_at(tag_end);
    // An all-hex "tag" is a GNU digest whose name starts with `(`.
    if tag.is_empty() || tag.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let after = after.strip_prefix(' ').unwrap_or(after);
    let inner = after.strip_prefix('(')?;
    let close = inner.rfind(')')?;
    let (raw_name, tail) = (&inner[..close], &inner[close + 1..]);
    let digest = tail
        .trim_start_matches([' ', '\t'])
        .strip_prefix('=')?
        .trim_matches([' ', '\t']);
    Some(bsd_fields(tag, raw_name, digest, escaped))
}

fn bsd_fields<'a>(
    tag: &str,
    raw_name: &str,
    digest: &'a str,
    escaped: bool,
) -> Result<Fields<'a>, String> {
    let Some(&(_, algorithm, expected)) = ALGORITHMS.iter().find(|(t, _, _)| *t == tag) else {
        return Err(format!(
            "the BSD tag {tag:?} names no supported algorithm (MD5, SHA1, SHA224, SHA256, SHA384, SHA512)"
        ));
    };
    if digest.is_empty() || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("the {tag} digest after '=' is not hex"));
    }
    if digest.len() != expected {
        return Err(match algorithm_for(digest.len()) {
            Some(other) => format!(
                "the BSD tag {tag} needs {expected} hex digits but the digest has {} (the length of {other})",
                digest.len()
            ),
            None => format!(
                "the BSD tag {tag} needs {expected} hex digits but the digest has {}, which fits no algorithm ({LENGTHS})",
                digest.len()
            ),
        });
    }
    let name = name(raw_name, escaped)?;
    if name.is_empty() {
        return Err("no file name between the parentheses".into());
    }
    Ok((algorithm, digest, name, false, "bsd"))
}

/// `digest  name`, `digest *name`, `digest name` or `digest/absolute/path`.
fn gnu_or_unseparated(body: &str, escaped: bool) -> Result<Fields<'_>, String> {
    let hex_len = body.bytes().take_while(u8::is_ascii_hexdigit).count();
    let (digest, rest) = body.split_at(hex_len);
    let digest_like = hex_len >= DIGEST_LIKE;
    let algorithm = algorithm_for(hex_len);
    let unfit = || format!("{hex_len} hex digits fit no algorithm ({LENGTHS})");
    match (rest.chars().next(), algorithm) {
        (Some(' ' | '\t'), Some(algorithm)) => {
            let after = &rest[1..];
            let (binary, raw_name) = match after.as_bytes().first() {
                Some(b'*') => (true, &after[1..]),
                Some(b' ') => (false, &after[1..]),
                _ => (false, after),
            };
            if raw_name.is_empty() {
                return Err(format!("an {algorithm} digest with no file name after it"));
            }
            let form = if escaped { "gnu-escaped" } else { "gnu" };
            Ok((algorithm, digest, name(raw_name, escaped)?, binary, form))
        }
        (Some('/'), Some(algorithm)) => Ok((
            algorithm,
            digest,
            name(rest, escaped)?,
            false,
            "unseparated",
        )),
        (None, Some(algorithm)) => Err(format!("an {algorithm} digest with no file name after it")),
        (Some(' ' | '\t' | '/') | None, None) if digest_like => Err(unfit()),
        (Some(c), Some(algorithm)) if digest_like => Err(format!(
            "an {algorithm} digest runs straight into {c:?}, with no space before the name"
        )),
        (Some(c), None) if digest_like => Err(format!(
            "{hex_len} hex digits then {c:?}: not a digest of any algorithm ({LENGTHS})"
        )),
        _ => Err("not a checksum line in any known form".into()),
    }
}

/// The name as it is meant: unescaped when the line started with `\`.
fn name(raw: &str, escaped: bool) -> Result<String, String> {
    if !escaped {
        return Ok(raw.to_string());
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => {
                return Err(format!(
                    "the escaped name holds \\{other}, which md5sum does not write (only \\\\, \\n, \\r)"
                ));
            }
            None => return Err("the escaped name ends in a lone backslash".into()),
        }
    }
    Ok(out)
}

fn algorithm_for(hex_len: usize) -> Option<&'static str> {
    ALGORITHMS
        .iter()
        .find(|(_, _, len)| *len == hex_len)
        .map(|(_, algorithm, _)| *algorithm)
}

/// The start of a line, quoted, for a problem's reason.
fn excerpt(line: &str) -> String {
    format!("{:?}", crate::parse::clipped(line, EXCERPT_CHARS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{
        junk, lcg_junk, not_applicable, parse_every_prefix, parsed, samples,
    };

    const MD5_EMPTY: &str = "d41d8cd98f00b204e9800998ecf8427e";
    const SHA1_EMPTY: &str = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
    const SHA224_EMPTY: &str = "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f";
    const SHA256_EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const SHA384_EMPTY: &str = "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b";
    const SHA512_EMPTY: &str = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

    fn entry(
        line: usize,
        algorithm: &'static str,
        digest: &str,
        name: &str,
        binary: bool,
        form: &'static str,
    ) -> ChecksumEntry {
        ChecksumEntry {
            line,
            algorithm,
            digest: digest.into(),
            name: name.into(),
            binary,
            form,
        }
    }

    fn md5(line: usize, digest: &str, name: &str) -> ChecksumEntry {
        entry(line, "md5", digest, name, false, "gnu")
    }

    fn unreadable(line: usize, name: &str, reason: &str) -> UnreadableFile {
        UnreadableFile {
            line,
            name: name.into(),
            reason: reason.into(),
        }
    }

    fn list(text: &str) -> ChecksumList {
        parsed(&parse(text), text)
    }

    /// The problems of a list as `(line, reason)`.
    fn problems(l: &ChecksumList) -> Vec<(usize, &str)> {
        l.problems
            .iter()
            .map(|p| (p.line, p.reason.as_str()))
            .collect()
    }

    #[test]
    fn every_md5sum_sample_has_its_expected_outcome() {
        for (name, text) in samples("md5sum") {
            let l = parsed(&parse(&text), &name);
            assert!(l.problems.is_empty(), "{name}: {:?}", l.problems);
            match name.as_str() {
                "md5sum-ic-doc.txt" => {
                    assert_eq!(
                        l.entries,
                        [md5(
                            1,
                            "d1e6613cfb62d3f111db7bdda39ac821",
                            "/usr/lib64/libsoftokn3.so"
                        )]
                    );
                    assert!(l.unreadable.is_empty());
                }
                "md5sum-ic-test-localtime.txt" => {
                    assert_eq!(
                        l.entries,
                        [md5(1, "7d4855248419b8a3ce6616bbc0e58301", "/etc/localtime")]
                    );
                    assert!(l.unreadable.is_empty());
                }
                "md5sum-ic-test-with-errors.txt" => {
                    assert_eq!(l.entries, [md5(1, MD5_EMPTY, "/dev/null")]);
                    assert_eq!(
                        l.unreadable,
                        [
                            unreadable(2, "/etc/pki/product/69.pem", "No such file or directory"),
                            unreadable(
                                3,
                                "/etc/pki/product-default/69.pem",
                                "No such file or directory"
                            ),
                        ]
                    );
                }
                "md5sum-jc-centos77.txt" => {
                    assert_eq!(l.entries.len(), 56);
                    assert!(l.unreadable.is_empty());
                    assert!(
                        l.entries
                            .iter()
                            .all(|e| e.algorithm == "md5" && e.form == "gnu" && !e.binary)
                    );
                    assert_eq!(
                        l.entries[0],
                        md5(
                            1,
                            "65fc958c1add637ec23c4b137aecf3d3",
                            "devtoolset-3-gcc-4.9.2-6.el7.x86_64.rpm"
                        )
                    );
                    assert_eq!(
                        l.entries[3],
                        md5(4, MD5_EMPTY, "file with spaces in the name")
                    );
                    assert_eq!(
                        l.entries[55],
                        md5(56, "cbe28a0722637d2ea2c07378eba2206e", "whotext")
                    );
                }
                "sha256-not-md5-ic-test.txt" => {
                    assert_eq!(
                        l.entries,
                        [entry(1, "sha256", SHA256_EMPTY, "/dev/null", false, "gnu")]
                    );
                    assert!(l.unreadable.is_empty());
                }
                other => panic!("sample {other} has no expectation: add one to this test"),
            }
        }
    }

    #[test]
    fn gnu_text_binary_single_space_and_tab_forms() {
        let text = format!(
            "{MD5_EMPTY}  cmp-12.1.2.0.0_20.4.0.iso\n\
             {MD5_EMPTY} *cmp-12.1.2.0.0_20.4.0.iso\n\
             {MD5_EMPTY} file with spaces in the name\n\
             {MD5_EMPTY}\tTPD.install-7.6.2.0.0_88.58.0-OracleLinux6.10-x86_64.iso\n\
             {MD5_EMPTY}\t*tabbed-binary.iso\n\
             {MD5_EMPTY}   leading space kept \n\
             \t {MD5_EMPTY}  indented.iso\n"
        );
        let l = list(&text);
        assert_eq!(
            l.entries,
            [
                entry(
                    1,
                    "md5",
                    MD5_EMPTY,
                    "cmp-12.1.2.0.0_20.4.0.iso",
                    false,
                    "gnu"
                ),
                entry(
                    2,
                    "md5",
                    MD5_EMPTY,
                    "cmp-12.1.2.0.0_20.4.0.iso",
                    true,
                    "gnu"
                ),
                entry(
                    3,
                    "md5",
                    MD5_EMPTY,
                    "file with spaces in the name",
                    false,
                    "gnu"
                ),
                entry(
                    4,
                    "md5",
                    MD5_EMPTY,
                    "TPD.install-7.6.2.0.0_88.58.0-OracleLinux6.10-x86_64.iso",
                    false,
                    "gnu"
                ),
                entry(5, "md5", MD5_EMPTY, "tabbed-binary.iso", true, "gnu"),
                // As md5sum -c reads it: the mode character is a space, the
                // rest (spaces included) is the name.
                entry(6, "md5", MD5_EMPTY, " leading space kept ", false, "gnu"),
                entry(7, "md5", MD5_EMPTY, "indented.iso", false, "gnu"),
            ]
        );
        assert!(l.problems.is_empty() && l.unreadable.is_empty());
    }

    #[test]
    fn the_length_of_the_digest_gives_the_algorithm() {
        let text = format!(
            "{MD5_EMPTY}  a\n{SHA1_EMPTY}  b\n{SHA224_EMPTY}  c\n\
             {SHA256_EMPTY}  d\n{SHA384_EMPTY}  e\n{SHA512_EMPTY}  f\n"
        );
        let l = list(&text);
        let got: Vec<(&str, &str, usize)> = l
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.algorithm, e.digest.len()))
            .collect();
        assert_eq!(
            got,
            [
                ("a", "md5", 32),
                ("b", "sha1", 40),
                ("c", "sha224", 56),
                ("d", "sha256", 64),
                ("e", "sha384", 96),
                ("f", "sha512", 128),
            ]
        );
    }

    #[test]
    fn escaped_names_are_unescaped() {
        let text = format!(
            "\\{MD5_EMPTY}  dir\\\\name\\nwith newline\n\
             \\{MD5_EMPTY} *crlf\\r\\n.iso\n\
             {MD5_EMPTY}  not\\\\escaped\\n\n\
             \\{SHA256_EMPTY}  plain.iso\n"
        );
        let l = list(&text);
        assert_eq!(
            l.entries,
            [
                entry(
                    1,
                    "md5",
                    MD5_EMPTY,
                    "dir\\name\nwith newline",
                    false,
                    "gnu-escaped"
                ),
                entry(2, "md5", MD5_EMPTY, "crlf\r\n.iso", true, "gnu-escaped"),
                entry(3, "md5", MD5_EMPTY, "not\\\\escaped\\n", false, "gnu"),
                entry(4, "sha256", SHA256_EMPTY, "plain.iso", false, "gnu-escaped"),
            ]
        );
        assert!(l.problems.is_empty());
    }

    #[test]
    fn bad_escapes_are_problems() {
        let text = format!(
            "{MD5_EMPTY}  ok.iso\n\\{MD5_EMPTY}  tab\\there\n\\{MD5_EMPTY}  trailing\\\n\\MD5 (x\\y) = {MD5_EMPTY}\n"
        );
        let l = list(&text);
        assert_eq!(l.entries.len(), 1);
        let p = problems(&l);
        assert_eq!(p.iter().map(|p| p.0).collect::<Vec<_>>(), [2, 3, 4]);
        assert!(
            p[0].1.contains("\\t, which md5sum does not write"),
            "{}",
            p[0].1
        );
        assert!(p[1].1.contains("lone backslash"), "{}", p[1].1);
        assert!(p[2].1.contains("\\y"), "{}", p[2].1);
    }

    #[test]
    fn bsd_tag_form() {
        let text = format!(
            "MD5 (cmp-12.1.2.0.0_20.4.0.iso) = {MD5_EMPTY}\n\
             SHA1 (a) = {SHA1_EMPTY}\n\
             SHA224 (b) = {SHA224_EMPTY}\n\
             SHA256 (name (with) parens) = {SHA256_EMPTY}\n\
             SHA384 (d) = {SHA384_EMPTY}\n\
             SHA512 (/var/TKLC/upgrade/e.iso) = {SHA512_EMPTY}\n\
             \\SHA256 (back\\\\slash\\nnewline.iso) = {SHA256_EMPTY}\n\
             MD5(openssl.iso)= {MD5_EMPTY}\n\
             MD5 (spaced.iso)  =  {MD5_EMPTY}  \n"
        );
        let l = list(&text);
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert_eq!(
            l.entries,
            [
                entry(
                    1,
                    "md5",
                    MD5_EMPTY,
                    "cmp-12.1.2.0.0_20.4.0.iso",
                    false,
                    "bsd"
                ),
                entry(2, "sha1", SHA1_EMPTY, "a", false, "bsd"),
                entry(3, "sha224", SHA224_EMPTY, "b", false, "bsd"),
                entry(
                    4,
                    "sha256",
                    SHA256_EMPTY,
                    "name (with) parens",
                    false,
                    "bsd"
                ),
                entry(5, "sha384", SHA384_EMPTY, "d", false, "bsd"),
                entry(
                    6,
                    "sha512",
                    SHA512_EMPTY,
                    "/var/TKLC/upgrade/e.iso",
                    false,
                    "bsd"
                ),
                entry(
                    7,
                    "sha256",
                    SHA256_EMPTY,
                    "back\\slash\nnewline.iso",
                    false,
                    "bsd"
                ),
                entry(8, "md5", MD5_EMPTY, "openssl.iso", false, "bsd"),
                entry(9, "md5", MD5_EMPTY, "spaced.iso", false, "bsd"),
            ]
        );
    }

    #[test]
    fn bsd_tag_problems() {
        let text = format!(
            "SHA256 (x.iso) = {MD5_EMPTY}\n\
             MD5 (y.iso) = {SHA1_EMPTY}0\n\
             BLAKE2b (z.iso) = {SHA512_EMPTY}\n\
             MD5 (w.iso) = not-hex\n\
             MD5 () = {MD5_EMPTY}\n\
             MD5 (good.iso) = {MD5_EMPTY}\n"
        );
        let l = list(&text);
        assert_eq!(
            l.entries,
            [entry(6, "md5", MD5_EMPTY, "good.iso", false, "bsd")]
        );
        let p = problems(&l);
        assert_eq!(p.iter().map(|p| p.0).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        assert!(
            p[0].1.contains(
                "the BSD tag SHA256 needs 64 hex digits but the digest has 32 (the length of md5)"
            ),
            "{}",
            p[0].1
        );
        assert!(
            p[1].1.contains("has 41, which fits no algorithm"),
            "{}",
            p[1].1
        );
        assert!(
            p[2].1.contains("\"BLAKE2b\" names no supported algorithm"),
            "{}",
            p[2].1
        );
        assert!(p[3].1.contains("not hex"), "{}", p[3].1);
        assert!(p[4].1.contains("no file name"), "{}", p[4].1);
    }

    #[test]
    fn unseparated_form_of_the_printed_procedure() {
        let text = "cca84e669c8db680f3264a93fe83aab7/home/build/build/PLATFORM-70/iso/cmp-12.1.2.x.x.x.iso\n";
        assert_eq!(
            list(text).entries,
            [entry(
                1,
                "md5",
                "cca84e669c8db680f3264a93fe83aab7",
                "/home/build/build/PLATFORM-70/iso/cmp-12.1.2.x.x.x.iso",
                false,
                "unseparated"
            )]
        );
        let text = format!("{SHA256_EMPTY}/var/TKLC/upgrade/with space.iso\n");
        assert_eq!(
            list(&text).entries,
            [entry(
                1,
                "sha256",
                SHA256_EMPTY,
                "/var/TKLC/upgrade/with space.iso",
                false,
                "unseparated"
            )]
        );
    }

    #[test]
    fn program_errors_name_unreadable_files() {
        let text = format!(
            "{MD5_EMPTY}  /dev/null\n\
             /usr/bin/md5sum: /etc/pki/product/69.pem: No such file or directory\n\
             md5sum: x.iso: Permission denied\n\
             sha256sum: /mnt/upgrade/y.iso: Input/output error\n\
             md5sum: /var/TKLC/upgrade: Is a directory\n\
             md5sum: 'with space.iso': No such file or directory\n\
             md5sum: \"it's.iso\": No such file or directory\n\
             md5sum: a: b.iso: No such file or directory\n\
             md5sum: 'a'$'\\n''b': No such file or directory\n"
        );
        let l = list(&text);
        assert_eq!(l.entries, [md5(1, MD5_EMPTY, "/dev/null")]);
        assert_eq!(
            l.unreadable,
            [
                unreadable(2, "/etc/pki/product/69.pem", "No such file or directory"),
                unreadable(3, "x.iso", "Permission denied"),
                unreadable(4, "/mnt/upgrade/y.iso", "Input/output error"),
                unreadable(5, "/var/TKLC/upgrade", "Is a directory"),
                unreadable(6, "with space.iso", "No such file or directory"),
                unreadable(7, "it's.iso", "No such file or directory"),
                unreadable(8, "a: b.iso", "No such file or directory"),
                unreadable(9, "'a'$'\\n''b'", "No such file or directory"),
            ]
        );
        assert!(l.problems.is_empty());
    }

    #[test]
    fn names_that_look_like_program_errors_stay_names() {
        let text = format!(
            "SHA256 (/usr/bin/md5sum: x: Y) = {SHA256_EMPTY}\n\
             {MD5_EMPTY}/usr/bin/md5sum: x: Y\n"
        );
        let l = list(&text);
        assert!(l.unreadable.is_empty() && l.problems.is_empty());
        assert_eq!(
            l.entries,
            [
                entry(
                    1,
                    "sha256",
                    SHA256_EMPTY,
                    "/usr/bin/md5sum: x: Y",
                    false,
                    "bsd"
                ),
                entry(
                    2,
                    "md5",
                    MD5_EMPTY,
                    "/usr/bin/md5sum: x: Y",
                    false,
                    "unseparated"
                ),
            ]
        );
    }

    #[test]
    fn other_program_messages_are_problems() {
        let text = format!(
            "{MD5_EMPTY}  /dev/null\n\
             md5sum: x.iso: no properly formatted MD5 checksum lines found\n\
             md5sum: WARNING: 1 listed file could not be read\n\
             md5sum: invalid option -- 'z'\n\
             x.iso: OK\n"
        );
        let l = list(&text);
        assert_eq!(l.entries.len(), 1);
        assert!(l.unreadable.is_empty());
        let p = problems(&l);
        assert_eq!(p.iter().map(|p| p.0).collect::<Vec<_>>(), [2, 3, 4, 5]);
        assert!(
            p[0].1
                .starts_with("a message from md5sum that names no file")
        );
        assert!(p[3].1.starts_with("not a checksum line"));
    }

    #[test]
    fn blank_and_comment_lines_are_skipped() {
        let text = format!(
            "# md5sum.out for cmp-12.1.2\n\n   \n  # indented comment\n{MD5_EMPTY}  a.iso\n\t\n"
        );
        let l = list(&text);
        assert_eq!(l.entries, [md5(5, MD5_EMPTY, "a.iso")]);
        assert!(l.problems.is_empty());
        assert_eq!(list("# only a comment\n"), ChecksumList::default());
    }

    #[test]
    fn crlf_bom_and_upper_case_hex() {
        let text = format!(
            "\u{feff}{}  a.iso\r\n{} *b.iso\r\nSHA256 (c.iso) = {}\r\n",
            MD5_EMPTY.to_uppercase(),
            "D41d8CD98f00b204e9800998ecf8427E",
            SHA256_EMPTY.to_uppercase()
        );
        let l = list(&text);
        assert_eq!(
            l.entries,
            [
                md5(1, MD5_EMPTY, "a.iso"),
                entry(2, "md5", MD5_EMPTY, "b.iso", true, "gnu"),
                entry(3, "sha256", SHA256_EMPTY, "c.iso", false, "bsd"),
            ]
        );
        assert!(l.problems.is_empty());
    }

    #[test]
    fn bad_lengths_and_garbage_are_problems_on_their_lines() {
        let short = &MD5_EMPTY[..31];
        let long = format!("{MD5_EMPTY}0");
        let text = format!(
            "{MD5_EMPTY}  good-1.iso\n\
             {short}  short.iso\n\
             {long}  long.iso\n\
             \n\
             Total 3 files\n\
             {long}/home/build/x.iso\n\
             {MD5_EMPTY}x.iso\n\
             {short}g  x.iso\n\
             {MD5_EMPTY}\n\
             {MD5_EMPTY}  \n\
             added files\n\
             \\\n\
             {MD5_EMPTY}  good-2.iso\n"
        );
        let l = list(&text);
        assert_eq!(
            l.entries,
            [
                md5(1, MD5_EMPTY, "good-1.iso"),
                md5(13, MD5_EMPTY, "good-2.iso")
            ]
        );
        let p = problems(&l);
        let lines: Vec<usize> = p.iter().map(|p| p.0).collect();
        assert_eq!(lines, [2, 3, 5, 6, 7, 8, 9, 10, 11, 12]);
        let says = [
            "31 hex digits fit no algorithm",
            "33 hex digits fit no algorithm",
            "not a checksum line",
            "33 hex digits fit no algorithm",
            "an md5 digest runs straight into 'x'",
            "31 hex digits then 'g'",
            "an md5 digest with no file name",
            "an md5 digest with no file name",
            "not a checksum line",
            "not a checksum line",
        ];
        for ((line, reason), says) in p.iter().zip(says) {
            assert!(reason.starts_with(says), "line {line}: {reason}");
        }
        // The reason quotes the line.
        assert!(
            p[0].1
                .ends_with(&format!("{:?}", format!("{short}  short.iso")))
        );
    }

    #[test]
    fn problems_quote_at_most_sixty_characters() {
        let text = format!("{}  long.iso\n", "f".repeat(200));
        let l = list(&text);
        let reason = &l.problems[0].reason;
        assert!(
            reason.starts_with("200 hex digits fit no algorithm"),
            "{reason}"
        );
        assert!(
            reason.ends_with(&format!("\"{}…[210 bytes]\"", "f".repeat(60))),
            "{reason}"
        );
    }

    #[test]
    fn collector_messages_are_not_applicable() {
        for (text, kind) in [
            ("", Absence::Empty),
            ("\n \r\n", Absence::Empty),
            ("\u{feff}", Absence::Empty),
            ("bash: md5sum: command not found\n", Absence::ToolMissing),
            ("sh: 1: sha256sum: not found\n", Absence::ToolMissing),
            (
                "cat: /var/TKLC/upgrade/md5sum.out: No such file or directory\n",
                Absence::ToolMissing,
            ),
            (
                "bash: /usr/bin/md5sum: Permission denied\r\n",
                Absence::ToolMissing,
            ),
        ] {
            assert_eq!(not_applicable(&parse(text), text).kind, kind, "{text:?}");
        }
    }

    #[test]
    fn a_file_that_only_says_the_iso_is_missing_is_parsed() {
        let l = list("md5sum: /var/TKLC/upgrade/x.iso: No such file or directory\n");
        assert!(l.entries.is_empty() && l.problems.is_empty());
        assert_eq!(
            l.unreadable,
            [unreadable(
                1,
                "/var/TKLC/upgrade/x.iso",
                "No such file or directory"
            )]
        );
        let l = list("/usr/bin/sha256sum: x.iso: Permission denied\n");
        assert_eq!(l.unreadable, [unreadable(1, "x.iso", "Permission denied")]);
    }

    #[test]
    fn garbage_only_is_parsed_with_problems() {
        let l = list("hello world\n");
        assert!(l.entries.is_empty());
        assert_eq!(problems(&l).len(), 1);
        assert_eq!(l.problems[0].line, 1);
    }

    #[test]
    fn basename_is_the_last_component() {
        assert_eq!(
            basename("/home/build/build/PLATFORM-70/iso/cmp-12.1.2.x.x.x.iso"),
            "cmp-12.1.2.x.x.x.iso"
        );
        assert_eq!(basename("x.iso"), "x.iso");
        assert_eq!(basename("./x.iso"), "x.iso");
        assert_eq!(basename("dir/"), "");
        assert_eq!(basename(""), "");
    }

    #[test]
    fn serialises_as_tagged_outcome() {
        let text = format!("{MD5_EMPTY} *x.iso\nmd5sum: y.iso: Is a directory\nnonsense\n");
        let json = serde_json::to_value(parse(&text)).unwrap();
        assert_eq!(json["outcome"], "parsed");
        let e = &json["records"]["entries"][0];
        assert_eq!(e["line"], 1);
        assert_eq!(e["algorithm"], "md5");
        assert_eq!(e["digest"], MD5_EMPTY);
        assert_eq!(e["name"], "x.iso");
        assert_eq!(e["binary"], true);
        assert_eq!(e["form"], "gnu");
        let u = &json["records"]["unreadable"][0];
        assert_eq!(
            (u["line"].clone(), u["name"].clone()),
            (2.into(), "y.iso".into())
        );
        assert_eq!(u["reason"], "Is a directory");
        assert_eq!(json["records"]["problems"][0]["line"], 3);
    }

    #[test]
    fn never_panics_on_truncated_junk_or_non_ascii_input() {
        let mut inputs: Vec<String> = vec![
            format!("\u{feff}{MD5_EMPTY}  é.iso\r\n{MD5_EMPTY} *日本.iso\n"),
            format!("\\{MD5_EMPTY}  a\\\\b\\nc\\rd\\é\\\n"),
            format!("\\SHA256 (ä\\\\(b)) = {SHA256_EMPTY}\nMD5(é)= {MD5_EMPTY}\n"),
            format!("SHA512 (x) = {SHA512_EMPTY}\nBLAKE2b-256 (y) = {SHA256_EMPTY}\n"),
            "cca84e669c8db680f3264a93fe83aab7/home/build/build/PLATFORM-70/iso/cmp-12.1.2.x.x.x.iso\n".into(),
            "/usr/bin/md5sum: /etc/pki/product/69.pem: No such file or directory\nmd5sum: 'é': Is a directory\nmd5sum: : \n".into(),
            "\\\n\\\\\n()\nMD5 (\nMD5 ()\nMD5 () =\n: : :\n#\n\t\u{0}\n".into(),
            format!("{}é  x\n{}\u{0}/x\n", &MD5_EMPTY[..20], SHA1_EMPTY),
        ];
        for seed in 1..=8 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 2048)).into_owned());
            inputs.push(String::from_utf8_lossy(&lcg_junk(seed as u32, 2048)).into_owned());
            // Mostly hex, with separators, so that the digest paths are walked.
            let hexish: String = junk(seed, 1024)
                .iter()
                .map(|b| match b % 24 {
                    0 => ' ',
                    1 => '\n',
                    2 => '/',
                    3 => '*',
                    4 => '\\',
                    5 => '(',
                    6 => ')',
                    7 => '=',
                    n => char::from(b"0123456789abcdef"[usize::from(n - 8)]),
                })
                .collect();
            inputs.push(hexish);
        }
        for (_, text) in samples("md5sum") {
            inputs.push(text);
        }
        parse_every_prefix(&inputs, parse);
    }
}
