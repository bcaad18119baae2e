//! GNU `ls -l` listings, such as the backup folders of Oracle Policy
//! Management (`/var/camiant/backup/local_archive/serverbackup` and
//! `…/systembackup`).
//!
//! Collect with `LC_ALL=C ls -lR --time-style=+%s DIR` (or `ls -l
//! --time-style=+%s DIR` for one folder): epoch seconds are the only time
//! form that places every file in time whatever its age, locale or the
//! server's time zone. A recursive listing:
//!
//! ```text
//! /var/camiant/backup/local_archive:
//! total 8
//! drwxr-xr-x 2 root root 4096 1763568000 serverbackup
//! drwxr-xr-x 2 root root 4096 1763568000 systembackup
//!
//! /var/camiant/backup/local_archive/serverbackup:
//! total 1520
//! -rw-r--r-- 1 root root 1555000 1763560800 cmp-east-a-serverbackup-201611190800.tar.gz
//!
//! /var/camiant/backup/local_archive/systembackup:
//! total 0
//! ```
//!
//! A listing of one folder has no header; its entries get `dir: None`:
//!
//! ```text
//! total 1524
//! -rw-r--r--. 1 root root 1555000 1763560800 cmp-east-a-serverbackup-201611190800.tar.gz
//! lrwxrwxrwx  1 root root      47 1763560900 latest -> cmp-east-a-serverbackup-201611190800.tar.gz
//! crw-rw-rw-  1 root root   1,  3 1763500000 null
//! -rw-r--r--+ 1 root root    2048 1763561000 notes for the night shift.txt
//! ```
//!
//! # Lines
//!
//! - Directory header: a line ending with `:` at the top of the file or
//!   after a blank line; `dir` of the entries below it is the line without
//!   the colon.
//! - `total N`: skipped.
//! - Entry: mode, links, owner, group, size, time, name, separated by
//!   blanks. The mode is 10 characters (type `-` file, `d` dir, `l` link;
//!   `b`, `c`, `p`, `s`, `D`, `C`, `?` are kind `other`), optionally followed
//!   by `.` (SELinux context) or `+` (ACL). Character and block devices
//!   print `major, minor` instead of a size: `size` is `None`. The name is
//!   the rest of the line after the single space that follows the time, so
//!   it keeps inner and trailing spaces; `ls` only quotes names when writing
//!   to a terminal. For a link, `name -> target` is split at the first
//!   ` -> `. An entry `ls` could not stat prints `?` for every field
//!   (`d????????? ? ? ? ?            ? serverbackup`): size `None`, mtime
//!   `?`.
//! - `ls` errors, written to stderr and often saved with the listing:
//!   `ls: cannot access 'PATH': REASON`, `ls: cannot open directory 'PATH':
//!   REASON`, `ls: reading directory 'PATH': REASON`, older `ls: cannot
//!   access PATH: REASON` and the oldest `ls: PATH: REASON`. Each becomes a
//!   `missing` path with its reason (`No such file or directory`,
//!   `Permission denied`), so a caller can tell an absent folder from a
//!   command that did not run. A file holding only such lines is Parsed,
//!   not NotApplicable. Another `ls:` message (`ls: invalid option -- 'z'`)
//!   is Malformed.
//! - Blank lines separate folders.
//!
//! Any other line is Malformed at that line, as is a size that is not a
//! byte count (`-h` output: collect without `-h`).
//!
//! # Times
//!
//! `mtime` keeps the time as printed; `mtime_epoch` is in seconds since
//! 1970-01-01T00:00:00Z:
//!
//! | `--time-style`             | printed                                 | `mtime_epoch`             |
//! |----------------------------|-----------------------------------------|---------------------------|
//! | `+%s`                      | `1763560800`                            | as printed                |
//! | `full-iso`, `--full-time`  | `2016-11-19 08:00:00.000000000 +0000`   | exact (fraction dropped)  |
//! | `long-iso`                 | `2016-11-19 08:00`                      | read as UTC               |
//! | `iso`                      | `11-19 08:00`, `2016-11-19`             | `None`                    |
//! | default (C locale)         | `Nov 19 08:00`, `Nov 19  2016`          | `None`                    |
//!
//! `long-iso` prints the server's local time without a zone; it is read as
//! UTC, which is off by the server's UTC offset. The default and `iso`
//! styles print recent files without a year and older files without a
//! time, so placing them in time would mean guessing the year (from a clock
//! the parser does not have) or the hour: their `mtime_epoch` is `None`.
//! Month names are the English ones of the C locale; other locales are
//! Malformed, including day-first ones (`19 nov. 08:00`), which would
//! otherwise read as epoch 19 followed by a name: an epoch of one or two
//! digits followed, one token later, by `HH:MM` or a year is taken for one.

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;

use crate::parse::{Outcome, collector_message, numbered_lines};

/// One saved `ls -l` or `ls -lR` output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listing {
    /// Entries in the order printed.
    pub entries: Vec<ListingEntry>,
    /// Paths `ls` reported it could not list.
    pub missing: Vec<MissingPath>,
}

/// One file, folder or link in a listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListingEntry {
    /// 1-based line.
    pub line: usize,
    /// The folder header above the entry; `None` for a listing of one
    /// folder without header.
    pub dir: Option<String>,
    /// The name as printed; for a link, the part before ` -> `.
    pub name: String,
    /// `file`, `dir`, `link` or `other`.
    pub kind: &'static str,
    /// Bytes; `None` for devices and entries `ls` could not stat.
    pub size: Option<u64>,
    /// The time as printed.
    pub mtime: String,
    /// Seconds since 1970-01-01T00:00:00Z, for the time styles that place
    /// the file in time (see the module documentation).
    pub mtime_epoch: Option<i64>,
    /// For a link, the part after ` -> `.
    pub link_target: Option<String>,
}

/// A path `ls` reported on stderr.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingPath {
    /// 1-based line.
    pub line: usize,
    pub path: String,
    /// The reason as printed: `No such file or directory`, `Permission
    /// denied`, ….
    pub reason: String,
}

/// Parses the saved output of `ls -l` or `ls -lR`.
pub fn parse(text: &str) -> Outcome<Listing> {
    let lines: Vec<(usize, &str)> = numbered_lines(text).collect();
    // `ls: cannot access …: No such file or directory` alone would read as
    // a collector failure; it is an answer: the folder is not there.
    if !lines.iter().any(|(_, l)| ls_message(l).is_some())
        && let Some(na) = collector_message(text)
    {
        return Outcome::NotApplicable(na);
    }
    let mut listing = Listing {
        entries: Vec::new(),
        missing: Vec::new(),
    };
    let mut dir: Option<String> = None;
    // At the top, or after a blank line: where a folder header may stand.
    let mut at_break = true;
    for (no, line) in lines {
        if line.trim().is_empty() {
            at_break = true;
            continue;
        }
        // stderr lines land anywhere, even between a blank line and a header.
        if let Some(message) = ls_message(line) {
            match ls_error(message) {
                Some((path, reason)) => listing.missing.push(MissingPath {
                    line: no,
                    path,
                    reason: reason.to_string(),
                }),
                None => {
                    return Outcome::malformed(no, format!("ls reported: {}", shown(message)));
                }
            }
            continue;
        }
        let header_allowed = std::mem::replace(&mut at_break, false);
        if let Some(rest) = line.strip_prefix("total ") {
            if rest.split_whitespace().count() != 1 {
                return Outcome::malformed(
                    no,
                    format!("expected 'total N', found '{}'", shown(line)),
                );
            }
            continue;
        }
        if header_allowed
            && let Some(path) = line.strip_suffix(':')
            && mode_kind(first_token(line)).is_none()
        {
            if path.is_empty() {
                return Outcome::malformed(no, "folder header without a path");
            }
            dir = Some(path.to_string());
            continue;
        }
        match entry(line) {
            Ok(e) => listing.entries.push(ListingEntry {
                line: no,
                dir: dir.clone(),
                name: e.name.to_string(),
                kind: e.kind,
                size: e.size,
                mtime: e.mtime.to_string(),
                mtime_epoch: e.mtime_epoch,
                link_target: e.link_target.map(str::to_string),
            }),
            Err(reason) => return Outcome::malformed(no, reason),
        }
    }
    Outcome::parsed(listing)
}

/// The text after `ls: ` (or `/bin/ls: `) when `ls` itself wrote the line.
fn ls_message(line: &str) -> Option<&str> {
    let (program, rest) = line.split_once(": ")?;
    // A link target such as `-> /bin/ls: x` is not `ls` speaking.
    let is_ls = program == "ls" || program.ends_with("/ls") && !program.contains(' ');
    is_ls.then_some(rest)
}

/// `cannot access 'PATH': REASON` and its kin → (path, reason); `None` for
/// messages that name no path.
fn ls_error(message: &str) -> Option<(String, &str)> {
    let message = [
        "cannot access ",
        "cannot open directory ",
        "reading directory ",
    ]
    .into_iter()
    .find_map(|verb| message.strip_prefix(verb))
    .unwrap_or(message);
    // Errno texts hold no colon, paths may.
    let (path, reason) = message.rsplit_once(": ")?;
    let reason = reason.trim();
    if path.is_empty() || reason.is_empty() {
        return None;
    }
    Some((unquote(path), reason))
}

/// Undoes the shell quoting of newer `ls` (`'it'\''s'`, `"it's"`) for the
/// plain cases; anything else is kept as printed.
fn unquote(path: &str) -> String {
    if let Some(inner) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"'))
        && !inner.contains(['"', '\\', '$', '`'])
    {
        return inner.to_string();
    }
    if let Some(inner) = path.strip_prefix('\'').and_then(|p| p.strip_suffix('\'')) {
        let unescaped = inner.replace("'\\''", "'");
        if !unescaped.contains('\'') || inner.contains("'\\''") {
            return unescaped;
        }
    }
    path.to_string()
}

/// An entry line split into its fields.
struct Entry<'a> {
    name: &'a str,
    kind: &'static str,
    size: Option<u64>,
    mtime: &'a str,
    mtime_epoch: Option<i64>,
    link_target: Option<&'a str>,
}

fn entry(line: &str) -> Result<Entry<'_>, String> {
    let mut rest = line;
    let mut field = |what: &str| match next_token(rest) {
        Some((token, after)) => {
            rest = after;
            Ok(token)
        }
        None => Err(format!("entry '{}' ends before its {what}", shown(line))),
    };
    let mode = field("mode")?;
    let Some(kind) = mode_kind(mode) else {
        return Err(format!(
            "'{}' is neither a folder header, 'total N' nor an entry (no file mode '{}')",
            shown(line),
            shown(mode)
        ));
    };
    let unknown = mode.get(1..10) == Some("?????????");
    let links = field("link count")?;
    if !(is_digits(links) || unknown && links == "?") {
        return Err(format!("link count '{}' is not a number", shown(links)));
    }
    field("owner")?;
    field("group")?;
    let size_token = field("size")?;
    let size = if unknown && size_token == "?" {
        None
    } else if mode.starts_with(['b', 'c']) {
        // `major, minor`, with blanks after the comma.
        let major = size_token.strip_suffix(',').filter(|m| is_digits(m));
        let minor = field("minor device number")?;
        if major.is_none() || !is_digits(minor) {
            return Err(format!(
                "device '{}' has no 'major, minor' numbers",
                shown(line)
            ));
        }
        None
    } else {
        match size_token.parse::<u64>() {
            Ok(n) if is_digits(size_token) => Some(n),
            Ok(_) => {
                return Err(format!("size '{}' is not a byte count", shown(size_token)));
            }
            Err(_) if is_digits(size_token) => {
                return Err(format!("size '{}' is too large", shown(size_token)));
            }
            Err(_) => {
                return Err(format!(
                    "size '{}' is not a byte count (collect without -h)",
                    shown(size_token)
                ));
            }
        }
    };
    let (mtime, mtime_epoch, after) = match next_token(rest) {
        Some(("?", after)) if unknown => ("?", None, after),
        _ => time(line, rest)?,
    };
    // One space separates the time from the name; any further blank is the
    // name's own.
    let name = after.strip_prefix(' ').unwrap_or_default();
    if name.is_empty() {
        return Err(format!(
            "entry '{}' has no name after its time",
            shown(line)
        ));
    }
    let (name, link_target) = match (kind, name.split_once(" -> ")) {
        ("link", Some((name, target))) => (name, Some(target)),
        _ => (name, None),
    };
    Ok(Entry {
        name,
        kind,
        size,
        mtime,
        mtime_epoch,
        link_target,
    })
}

/// The kind a mode string names, `None` when `token` is not a mode.
fn mode_kind(token: &str) -> Option<&'static str> {
    let bytes = token.as_bytes();
    let (mode, suffix) = bytes.split_at_checked(10)?;
    if !matches!(suffix, [] | [b'.' | b'+']) {
        return None;
    }
    let (&kind, perms) = mode.split_first()?;
    let kind = match kind {
        b'-' => "file",
        b'd' => "dir",
        b'l' => "link",
        b'b' | b'c' | b'p' | b's' | b'D' | b'C' | b'?' => "other",
        _ => return None,
    };
    let perms_ok = perms.iter().all(|b| b"rwxsStT-".contains(b)) || perms == b"?????????";
    perms_ok.then_some(kind)
}

/// The time at the start of `rest` (which is part of `line`): the time as
/// printed, its epoch, and what follows it.
fn time<'a>(line: &'a str, rest: &'a str) -> Result<(&'a str, Option<i64>, &'a str), String> {
    let Some((t1, r1)) = next_token(rest) else {
        return Err(format!("entry '{}' ends before its time", shown(line)));
    };
    let t2 = next_token(r1);
    // The time as printed, inner spacing kept: from the first token up to
    // where `after` begins.
    let start = rest.len() - rest.trim_start_matches(BLANKS).len();
    let span = |after: &'a str| rest.get(start..rest.len() - after.len()).unwrap_or(t1);
    // A day-first locale (`19 nov. 08:00`, `19. Nov 2016`) would otherwise
    // read as epoch 19 followed by a name.
    let day_first = t1.trim_end_matches('.').len() <= 2
        && next_token(r1)
            .and_then(|(_, r2)| next_token(r2))
            .is_some_and(|(t3, _)| hh_mm(t3).is_some() || t3.len() == 4 && is_digits(t3));
    if is_digits(t1.trim_end_matches('.')) && day_first {
        return Err(format!(
            "the time in '{}' is in a day-first locale; collect with \
             LC_ALL=C ls --time-style=+%s",
            shown(line)
        ));
    }
    // `+%s`: epoch seconds, negative before 1970.
    if is_digits(t1.strip_prefix('-').unwrap_or(t1)) {
        return match t1.parse::<i64>() {
            Ok(epoch) => Ok((t1, Some(epoch), r1)),
            Err(_) => Err(format!("time '{}' is too large", shown(t1))),
        };
    }
    if let Some(date) = iso_date(t1) {
        let Some((t2, r2)) = t2 else {
            return Ok((t1, None, r1));
        };
        if let Some(clock) = hh_mm_ss(t2) {
            let utc = date.and_time(clock).and_utc().timestamp();
            // `full-iso`: the zone follows; without one, read as UTC like
            // `long-iso`.
            if let Some((t3, r3)) = next_token(r2)
                && let Some(offset) = numeric_zone(t3)
            {
                return Ok((span(r3), Some(utc - offset), r3));
            }
            return Ok((span(r2), Some(utc), r2));
        }
        if let Some(clock) = hh_mm(t2) {
            return Ok((
                span(r2),
                Some(date.and_time(clock).and_utc().timestamp()),
                r2,
            ));
        }
        // `iso` for an old file: the date alone.
        return Ok((t1, None, r1));
    }
    // `iso` for a recent file: `MM-DD HH:MM`.
    if is_month_day(t1)
        && let Some((t2, r2)) = t2
        && hh_mm(t2).is_some()
    {
        return Ok((span(r2), None, r2));
    }
    // Default style, C locale: `Nov 19 08:00` or `Nov 19  2016`.
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    if MONTHS.contains(&t1)
        && let Some((day, r2)) = t2
        && is_digits(day)
        && (1..=31).contains(&day.parse::<u8>().unwrap_or(0))
        && let Some((t3, r3)) = next_token(r2)
        && (hh_mm(t3).is_some() || t3.len() == 4 && is_digits(t3))
    {
        return Ok((span(r3), None, r3));
    }
    Err(format!(
        "no time after the size in '{}': expected epoch seconds (--time-style=+%s), \
         full-iso, long-iso, iso or the C-locale form",
        shown(line)
    ))
}

/// `YYYY-MM-DD`.
fn iso_date(token: &str) -> Option<NaiveDate> {
    let b = token.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(token, "%Y-%m-%d").ok()
}

/// `MM-DD`.
fn is_month_day(token: &str) -> bool {
    let b = token.as_bytes();
    b.len() == 5 && b[2] == b'-' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
}

/// `HH:MM`.
fn hh_mm(token: &str) -> Option<NaiveTime> {
    let b = token.as_bytes();
    let shape = b.len() == 5 && b[2] == b':' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveTime::parse_from_str(token, "%H:%M").ok()
}

/// `HH:MM:SS`, optionally with `.` and up to nine fraction digits.
fn hh_mm_ss(token: &str) -> Option<NaiveTime> {
    let (clock, fraction) = match token.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (token, None),
    };
    let b = clock.as_bytes();
    let shape = b.len() == 8
        && b[2] == b':'
        && b[5] == b':'
        && [0, 1, 3, 4, 6, 7].iter().all(|&i| b[i].is_ascii_digit())
        && fraction.is_none_or(|f| (1..=9).contains(&f.len()) && is_digits(f));
    if !shape {
        return None;
    }
    NaiveTime::parse_from_str(clock, "%H:%M:%S").ok()
}

/// `+HHMM` / `-HHMM` → seconds east of UTC.
fn numeric_zone(token: &str) -> Option<i64> {
    let (sign, digits) = match token.split_at_checked(1)? {
        ("+", d) => (1, d),
        ("-", d) => (-1, d),
        _ => return None,
    };
    if digits.len() != 4 || !is_digits(digits) {
        return None;
    }
    let hours: i64 = digits.get(..2)?.parse().ok()?;
    let minutes: i64 = digits.get(2..)?.parse().ok()?;
    (hours <= 23 && minutes <= 59).then_some(sign * (hours * 3600 + minutes * 60))
}

/// Non-empty and ASCII digits only (`str::parse` would also take a `+`).
fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// What `ls` pads columns with.
const BLANKS: [char; 2] = [' ', '\t'];

/// The first blank-separated token of `s` and the rest after it (starting
/// with the blank that ended the token).
fn next_token(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_start_matches(BLANKS);
    if s.is_empty() {
        return None;
    }
    let end = s.find(BLANKS).unwrap_or(s.len());
    Some(s.split_at(end))
}

fn first_token(s: &str) -> &str {
    next_token(s).map_or("", |(t, _)| t)
}

/// At most 60 characters of `s`, for messages.
fn shown(s: &str) -> String {
    crate::parse::clipped(s, 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{
        junk, lcg_junk, malformed, not_applicable, parse_every_prefix, parsed,
    };

    const RECURSIVE: &str = "\
/var/camiant/backup/local_archive:
total 8
drwxr-xr-x 2 root root 4096 1763568000 serverbackup
drwxr-xr-x 2 root root 4096 1763568000 systembackup

/var/camiant/backup/local_archive/serverbackup:
total 1520
-rw-r--r-- 1 root root 1555000 1763560800 cmp-east-a-serverbackup-201611190800.tar.gz

/var/camiant/backup/local_archive/systembackup:
total 0
";

    const ONE_FOLDER: &str = "\
total 1524
-rw-r--r--. 1 root root 1555000 1763560800 cmp-east-a-serverbackup-201611190800.tar.gz
lrwxrwxrwx  1 root root      47 1763560900 latest -> cmp-east-a-serverbackup-201611190800.tar.gz
crw-rw-rw-  1 root root   1,  3 1763500000 null
-rw-r--r--+ 1 root root    2048 1763561000 notes for the night shift.txt
";

    const ARCHIVE: &str = "cmp-east-a-serverbackup-201611190800.tar.gz";

    /// An entry, its fields in declaration order.
    #[allow(clippy::too_many_arguments)]
    fn row(
        line: usize,
        dir: Option<&str>,
        name: &str,
        kind: &'static str,
        size: Option<u64>,
        mtime: &str,
        mtime_epoch: Option<i64>,
        link_target: Option<&str>,
    ) -> ListingEntry {
        ListingEntry {
            line,
            dir: dir.map(str::to_string),
            name: name.into(),
            kind,
            size,
            mtime: mtime.into(),
            mtime_epoch,
            link_target: link_target.map(str::to_string),
        }
    }

    /// The one entry of a one-line listing.
    fn only(line: &str) -> ListingEntry {
        let l = parsed(&parse(&format!("{line}\n")), line);
        assert_eq!(l.entries.len(), 1, "{line}");
        l.entries[0].clone()
    }

    #[test]
    fn recursive_listing() {
        let l = parsed(&parse(RECURSIVE), "recursive");
        let top = Some("/var/camiant/backup/local_archive");
        let server = Some("/var/camiant/backup/local_archive/serverbackup");
        assert_eq!(
            l,
            Listing {
                entries: vec![
                    row(
                        3,
                        top,
                        "serverbackup",
                        "dir",
                        Some(4096),
                        "1763568000",
                        Some(1_763_568_000),
                        None
                    ),
                    row(
                        4,
                        top,
                        "systembackup",
                        "dir",
                        Some(4096),
                        "1763568000",
                        Some(1_763_568_000),
                        None
                    ),
                    row(
                        8,
                        server,
                        ARCHIVE,
                        "file",
                        Some(1_555_000),
                        "1763560800",
                        Some(1_763_560_800),
                        None
                    ),
                ],
                missing: Vec::new(),
            }
        );
    }

    #[test]
    fn one_folder_with_selinux_acl_link_and_device() {
        let l = parsed(&parse(ONE_FOLDER), "one folder");
        assert_eq!(
            l.entries,
            [
                row(
                    2,
                    None,
                    ARCHIVE,
                    "file",
                    Some(1_555_000),
                    "1763560800",
                    Some(1_763_560_800),
                    None
                ),
                row(
                    3,
                    None,
                    "latest",
                    "link",
                    Some(47),
                    "1763560900",
                    Some(1_763_560_900),
                    Some(ARCHIVE)
                ),
                row(
                    4,
                    None,
                    "null",
                    "other",
                    None,
                    "1763500000",
                    Some(1_763_500_000),
                    None
                ),
                row(
                    5,
                    None,
                    "notes for the night shift.txt",
                    "file",
                    Some(2048),
                    "1763561000",
                    Some(1_763_561_000),
                    None
                ),
            ]
        );
        assert!(l.missing.is_empty());
    }

    #[test]
    fn time_styles() {
        let cases: [(&str, &str, Option<i64>); 9] = [
            // full-iso / --full-time
            (
                "-rw-r--r-- 1 root root 5 2016-11-19 08:00:00.000000000 +0000 a",
                "2016-11-19 08:00:00.000000000 +0000",
                Some(1_479_542_400),
            ),
            (
                "-rw-r--r-- 1 root root 5 2016-11-19 08:00:00.999999999 +0530 a",
                "2016-11-19 08:00:00.999999999 +0530",
                Some(1_479_522_600),
            ),
            // long-iso, read as UTC
            (
                "-rw-r--r-- 1 root root 5 2016-11-19 08:00 a",
                "2016-11-19 08:00",
                Some(1_479_542_400),
            ),
            // iso: recent and old files
            (
                "-rw-r--r-- 1 root root 5 11-19 08:00 a",
                "11-19 08:00",
                None,
            ),
            ("-rw-r--r-- 1 root root 5 2016-11-19  a", "2016-11-19", None),
            // C locale: recent and old files
            (
                "-rw-r--r-- 1 root root 5 Nov 19 08:00 a",
                "Nov 19 08:00",
                None,
            ),
            (
                "-rw-r--r-- 1 root root 5 Nov  9  2016 a",
                "Nov  9  2016",
                None,
            ),
            // epoch before 1970
            ("-rw-r--r-- 1 root root 5 -1 a", "-1", Some(-1)),
            ("-rw-r--r-- 1 root root 5 0 a", "0", Some(0)),
        ];
        for (line, mtime, epoch) in cases {
            let e = only(line);
            assert_eq!((e.mtime.as_str(), e.mtime_epoch), (mtime, epoch), "{line}");
        }
        // The iso date-only form leaves the space before the name to the name.
        assert_eq!(only("-rw-r--r-- 1 root root 5 2016-11-19  a").name, " a");
        assert_eq!(only("-rw-r--r-- 1 root root 5 Nov 19 08:00 a").name, "a");
    }

    #[test]
    fn names_keep_their_spaces_and_arrows() {
        assert_eq!(
            only("-rw-r--r-- 1 root root 5 1 two  spaces ").name,
            "two  spaces "
        );
        // Only links are split at ` -> `.
        assert_eq!(only("-rw-r--r-- 1 root root 5 1 a -> b").name, "a -> b");
        let link = only("lrwxrwxrwx 1 root root 5 1 a b -> c -> d");
        assert_eq!(
            (link.name.as_str(), link.link_target.as_deref()),
            ("a b", Some("c -> d"))
        );
        // A link whose target ls could not read prints no arrow.
        let link = only("lrwxrwxrwx 1 root root 5 1 dangling");
        assert_eq!((link.name.as_str(), link.link_target), ("dangling", None));
    }

    #[test]
    fn kinds_owners_and_unstattable_entries() {
        assert_eq!(only("brw-rw---- 1 root disk 8, 0 1 sda").kind, "other");
        assert_eq!(only("prw-r--r-- 1 0 0 0 1 fifo").kind, "other");
        assert_eq!(only("srwxrwxrwx 1 u g 0 1 sock").kind, "other");
        assert_eq!(only("drwxrwxrwt 9 root root 4096 1 tmp").kind, "dir");
        assert_eq!(only("-rwsr-Sr-T 1 root root 5 1 x").kind, "file");
        let e = only("d????????? ? ? ? ?            ? serverbackup");
        assert_eq!(
            e,
            row(1, None, "serverbackup", "dir", None, "?", None, None)
        );
    }

    #[test]
    fn ls_errors_are_missing_paths() {
        let text = "\
ls: cannot access '/var/camiant/backup/local_archive/systembackup': No such file or directory
/var/camiant/backup/local_archive/serverbackup:
total 0

/bin/ls: cannot open directory /var/camiant/backup/local_archive/x: Permission denied
ls: reading directory 'it'\\''s': Input/output error
ls: /old/coreutils: No such file or directory
ls: cannot access \"it's\": No such file or directory
";
        let l = parsed(&parse(text), "errors");
        assert!(l.entries.is_empty());
        let got: Vec<(usize, &str, &str)> = l
            .missing
            .iter()
            .map(|m| (m.line, m.path.as_str(), m.reason.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    1,
                    "/var/camiant/backup/local_archive/systembackup",
                    "No such file or directory"
                ),
                (
                    5,
                    "/var/camiant/backup/local_archive/x",
                    "Permission denied"
                ),
                (6, "it's", "Input/output error"),
                (7, "/old/coreutils", "No such file or directory"),
                (8, "it's", "No such file or directory"),
            ]
        );
    }

    #[test]
    fn a_missing_folder_alone_is_parsed_not_a_collector_message() {
        let l = parsed(
            &parse("ls: cannot access '/var/camiant/backup': No such file or directory\n"),
            "absent",
        );
        assert_eq!(
            l,
            Listing {
                entries: Vec::new(),
                missing: vec![MissingPath {
                    line: 1,
                    path: "/var/camiant/backup".into(),
                    reason: "No such file or directory".into(),
                }],
            }
        );
    }

    #[test]
    fn errors_between_a_blank_line_and_a_header_keep_the_header() {
        let text = "\
/a:
total 0

ls: cannot open directory '/a/b': Permission denied
/a/c:
-rw-r--r-- 1 root root 5 1 f
";
        let l = parsed(&parse(text), "interleaved");
        assert_eq!(l.entries[0].dir.as_deref(), Some("/a/c"));
        assert_eq!(l.missing[0].line, 4);
    }

    #[test]
    fn collector_messages_are_not_applicable() {
        let na = not_applicable(&parse("bash: ls: command not found\n"), "missing");
        assert_eq!((na.kind, na.line), (Absence::ToolMissing, Some(1)));
        assert_eq!(not_applicable(&parse("\n\n"), "empty").kind, Absence::Empty);
    }

    #[test]
    fn crlf_is_stripped() {
        let crlf = parse(&RECURSIVE.replace('\n', "\r\n"));
        assert_eq!(crlf, parse(RECURSIVE));
        let l = parsed(&parse(&ONE_FOLDER.replace('\n', "\r\n")), "crlf");
        assert_eq!(l.entries[3].name, "notes for the night shift.txt");
        assert_eq!(l.entries[1].link_target.as_deref(), Some(ARCHIVE));
    }

    #[test]
    fn lines_that_fit_no_form_are_malformed() {
        for (line, says) in [
            ("hello world", "neither a folder header"),
            ("-rw-r--r-- x root root 5 1 a", "link count"),
            ("-rw-r--r-- 1 root root 1.5M 1 a", "collect without -h"),
            (
                "-rw-r--r-- 1 root root 99999999999999999999 1 a",
                "too large",
            ),
            (
                "-rw-r--r-- 1 root root 5 99999999999999999999 a",
                "too large",
            ),
            ("-rw-r--r-- 1 root root 5 1", "no name"),
            ("-rw-r--r-- 1 root root 5 1 ", "no name"),
            ("-rw-r--r-- 1 root root 5", "ends before its time"),
            ("-rw-r--r-- 1 root", "ends before its group"),
            ("-rw-r--r-- 1 root root", "ends before its size"),
            (
                "-rw-r--r-- 1 root root 5 19 nov. 08:00 a",
                "day-first locale",
            ),
            (
                "-rw-r--r-- 1 root root 5 19. Nov  2016 a",
                "day-first locale",
            ),
            ("-rw-r--r-- 1 root root 5 11月 19 08:00 a", "no time"),
            ("-rw-r--r-- 1 root root 5 Nov 32 08:00 a", "no time"),
            ("-rw-r--r-- 1 root root 5 2016-13-19 08:00 a", "no time"),
            ("crw-rw-rw- 1 root root 1 3 1 null", "major, minor"),
            ("-rw-r--r--x 1 root root 5 1 a", "no file mode"),
            ("-rw-r--r-Q 1 root root 5 1 a", "no file mode"),
            ("total", "neither a folder header"),
            ("total 4 8", "expected 'total N'"),
            ("/not/after/a/blank:", "neither a folder header"),
            ("ls: invalid option -- 'z'", "ls reported"),
        ] {
            let text = format!("/x:\n-rw-r--r-- 1 root root 5 1 ok\n{line}\n");
            let m = malformed(&parse(&text), line);
            assert_eq!(m.line, 3, "{line}");
            assert!(m.reason.contains(says), "{line}: {}", m.reason);
        }
        let m = malformed(&parse(":\n"), "empty header");
        assert_eq!(m.line, 1);
        assert!(m.reason.contains("without a path"), "{}", m.reason);
    }

    #[test]
    fn serialises_with_snake_case_fields() {
        let json = serde_json::to_value(parse(ONE_FOLDER)).unwrap();
        assert_eq!(json["outcome"], "parsed");
        let link = &json["records"]["entries"][1];
        assert_eq!(link["kind"], "link");
        assert_eq!(link["link_target"], ARCHIVE);
        assert_eq!(link["mtime_epoch"], 1_763_560_900);
        assert_eq!(
            json["records"]["entries"][2]["size"],
            serde_json::Value::Null
        );
        assert_eq!(json["records"]["missing"], serde_json::json!([]));
    }

    #[test]
    fn never_panics_on_truncated_junk_or_non_ascii_input() {
        let mut inputs: Vec<String> = vec![
            RECURSIVE.into(),
            ONE_FOLDER.into(),
            "-rw-r--r-- 1 rööt grüppe 5 2016-11-19 08:00:00.123 +0100 ünïcode\n".into(),
            "-rw-r--r-- 1 root root 5 Nov 19 08:00 日本語 -> x\nlrwxrwxrwx 1 r r 1 1 é -> 日本\n"
                .into(),
            "d????????? ? ? ? ? ? x\nc????????? ? ? ? ? ? y\nls: 'é': x\n/é:\n".into(),
            "-rw-r--r--\u{a0}1 root root 5 1 a\n\u{feff}total 0\n-rw-r--r--é 1\n".into(),
        ];
        for seed in 1..=8 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 2048)).into_owned());
            inputs.push(String::from_utf8_lossy(&lcg_junk(seed as u32, 2048)).into_owned());
            // Junk after a valid entry head, so the time and name readers see it.
            let tail = String::from_utf8_lossy(&junk(seed + 100, 256)).into_owned();
            inputs.push(format!("-rw-r--r-- 1 root root 5 {tail}"));
            inputs.push(format!("crw-rw-rw- 1 root root 1, {tail}"));
        }
        parse_every_prefix(&inputs, parse);
    }
}
