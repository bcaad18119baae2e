//! `df` output: one table of mounted filesystems.
//!
//! ```text
//! Filesystem     1K-blocks    Used Available Use% Mounted on
//! /dev/sda2       17813504 2127172  15686332  12% /
//! systemd-1              -       -         -    - /proc/sys/fs/binfmt_misc
//! ```
//!
//! The header names the columns and fixes what the numbers mean:
//! `Filesystem`, an optional `Type` (`-T`), a size column (`1K-blocks`,
//! `1024-blocks`, `512-blocks`, `2MB-blocks`, … for block counts, `Size` for
//! `-h`, `Inodes` for `-i`), `Used`/`IUsed`, `Available`/`Avail`/`IFree`,
//! `Use%`/`Capacity`/`IUse%` and `Mounted on`. Sizes are reported in KiB
//! whatever the block size; inode columns are counts.
//!
//! Each row is the filesystem, the type with `-T`, three amounts and a
//! percentage (each may be `-` when the filesystem does not say), then the
//! mount point: the rest of the line, which may hold spaces. Columns are only
//! separated by blanks and a long filesystem name pushes the others right,
//! so rows are read token by token, not by position. Older `df` put a long
//! filesystem name alone on its line and the values on the next, indented
//! line. `df` writes its errors (`df: …`, `/bin/df: …`) to stderr, which
//! collectors usually merge above the table; those lines are skipped.

use serde::Serialize;

use crate::parse::{Outcome, collector_message, numbered_lines};

/// What the size columns count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DfKind {
    /// `df`, `df -h`, `df -P`, …: sizes in KiB.
    Space,
    /// `df -i`: inode counts.
    Inodes,
}

/// The table of one `df` run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DfReport {
    pub kind: DfKind,
    pub rows: Vec<DfRow>,
}

/// One filesystem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DfRow {
    /// 1-based line where the row starts (the filesystem line if wrapped).
    pub line: usize,
    pub filesystem: String,
    /// Only with `-T`.
    pub fs_type: Option<String>,
    /// Space: KiB (1024 bytes); Inodes: inode count. `None` for `-`.
    pub total: Option<u64>,
    pub used: Option<u64>,
    pub available: Option<u64>,
    /// `Use%`, `Capacity` or `IUse%`; `None` for `-`.
    pub use_pct: Option<u8>,
    /// Everything after the percentage, inner spaces kept.
    pub mount: String,
}

/// Parses the saved output of `df` (any of `-a`, `-l`, `-P`, `-T`, `-h`,
/// `-i`, `-B SIZE`).
pub fn parse(text: &str) -> Outcome<DfReport> {
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let lines: Vec<(usize, &str)> = numbered_lines(text).collect();
    let Some(header_at) = lines
        .iter()
        .position(|(_, l)| next_token(l).is_some_and(|(t, _)| t == "Filesystem"))
    else {
        return Outcome::malformed(1, "no df header");
    };
    let (before, from_header) = lines.split_at(header_at);
    if let Some(&(no, line)) = before.iter().find(|(_, l)| !skippable(l)) {
        return Outcome::malformed(
            no,
            format!("unexpected line before the df header: '{}'", shown(line)),
        );
    }
    let Some((&(header_no, header_line), body)) = from_header.split_first() else {
        return Outcome::malformed(1, "no df header");
    };
    let Some(header) = Header::parse(header_line) else {
        return Outcome::malformed(
            header_no,
            format!("unrecognised df header: '{}'", shown(header_line)),
        );
    };

    let mut body = body.iter().copied().filter(|(_, l)| !skippable(l));
    let mut rows = Vec::new();
    while let Some((no, line)) = body.next() {
        if line.starts_with(is_blank) {
            return Outcome::malformed(no, "values without a filesystem name");
        }
        let Some((filesystem, after)) = next_token(line) else {
            continue;
        };
        // A filesystem name alone on its line: the values follow on the next
        // non-blank line, indented.
        let values = if next_token(after).is_some() {
            after
        } else {
            match body.next() {
                Some((_, next)) if next.starts_with(is_blank) => next,
                Some((next_no, _)) => {
                    return Outcome::malformed(
                        no,
                        format!(
                            "filesystem '{}' is alone on its line but line {next_no} does not hold its values",
                            shown(filesystem)
                        ),
                    );
                }
                None => {
                    return Outcome::malformed(
                        no,
                        format!(
                            "filesystem '{}' is alone on the last line; its values are missing",
                            shown(filesystem)
                        ),
                    );
                }
            }
        };
        match header.row(no, filesystem, values) {
            Ok(row) => rows.push(row),
            Err(reason) => return Outcome::malformed(no, reason),
        }
    }
    Outcome::parsed(DfReport {
        kind: header.kind,
        rows,
    })
}

/// How the amounts in the size, used and available columns are written.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    /// Counts of blocks of this many bytes (`1K-blocks`, `2MB-blocks`, …).
    Blocks(u128),
    /// `-h`: `1.9G`, `782K`; a bare number is bytes.
    Human,
    /// Inode counts; `-hi` writes them as `1.2M`.
    Inodes,
}

/// The header line: which columns there are and what their numbers mean.
#[derive(Debug)]
struct Header<'a> {
    kind: DfKind,
    unit: Unit,
    has_type: bool,
    /// Names of the size, used, available and percent columns as printed,
    /// for messages.
    columns: [&'a str; 4],
}

impl<'a> Header<'a> {
    fn parse(line: &'a str) -> Option<Self> {
        let tokens: Vec<&str> = tokens(line).collect();
        let (first, rest) = tokens.split_first()?;
        if *first != "Filesystem" {
            return None;
        }
        let (has_type, rest) = match rest.split_first() {
            Some((&"Type", rest)) => (true, rest),
            _ => (false, rest),
        };
        let &[size, used, avail, pct, "Mounted", "on"] = rest else {
            return None;
        };
        let (kind, unit) = match size {
            "Inodes" => (DfKind::Inodes, Unit::Inodes),
            "Size" => (DfKind::Space, Unit::Human),
            _ => (DfKind::Space, Unit::Blocks(block_bytes(size)?)),
        };
        let known = matches!(used, "Used" | "IUsed")
            && matches!(avail, "Available" | "Avail" | "IFree")
            && matches!(pct, "Use%" | "Capacity" | "IUse%");
        known.then_some(Header {
            kind,
            unit,
            has_type,
            columns: [size, used, avail, pct],
        })
    }

    /// Reads what follows the filesystem name: `[type] total used avail pct mount`.
    fn row(&self, line: usize, filesystem: &str, values: &str) -> Result<DfRow, String> {
        let [size_col, used_col, avail_col, pct_col] = self.columns;
        let mut rest = values;
        let mut next = |column: &str| {
            let (token, after) = next_token(rest)
                .ok_or_else(|| format!("expected a value in column {column}, found end of line"))?;
            rest = after;
            Ok::<_, String>(token)
        };
        let fs_type = if self.has_type {
            Some(next("Type")?.to_string())
        } else {
            None
        };
        let total = self.amount(next(size_col)?, size_col)?;
        let used = self.amount(next(used_col)?, used_col)?;
        let available = self.amount(next(avail_col)?, avail_col)?;
        let use_pct = percent(next(pct_col)?, pct_col)?;
        let mount = rest.trim_start_matches(is_blank);
        if mount.is_empty() {
            return Err(format!("no mount point after column {pct_col}"));
        }
        Ok(DfRow {
            line,
            filesystem: filesystem.to_string(),
            fs_type,
            total,
            used,
            available,
            use_pct,
            mount: mount.to_string(),
        })
    }

    /// One amount, in KiB for space and as a count for inodes.
    fn amount(&self, token: &str, column: &str) -> Result<Option<u64>, String> {
        if token == "-" {
            return Ok(None);
        }
        let value = match self.unit {
            Unit::Blocks(bytes) => whole(token).and_then(|n| scale(n, 0, bytes, 1024)),
            Unit::Human => human(token).and_then(|(m, frac, mult)| scale(m, frac, mult, 1024)),
            Unit::Inodes => human(token).and_then(|(m, frac, mult)| scale(m, frac, mult, 1)),
        };
        match value {
            Ok(v) => Ok(Some(v)),
            Err(Bad::NotANumber) => Err(format!(
                "expected a number in column {column}, found '{}'",
                shown(token)
            )),
            Err(Bad::TooLarge) => Err(format!(
                "value '{}' in column {column} is too large",
                shown(token)
            )),
        }
    }
}

/// Why an amount could not be read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bad {
    NotANumber,
    TooLarge,
}

/// Bytes per block from a `NK-blocks`-style column name: `1K-blocks`,
/// `1024-blocks`, `512-blocks`, `2MB-blocks`, `1kB-blocks`, `1GiB-blocks`.
/// `K`, `M`, `G`, … are powers of 1024; `KB`/`kB`, `MB`, `GB`, … of 1000.
fn block_bytes(column: &str) -> Option<u128> {
    let spec = column.strip_suffix("-blocks")?;
    let digits_end = spec
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(spec.len());
    let (count, suffix) = spec.split_at_checked(digits_end)?;
    let count: u128 = if count.is_empty() {
        1
    } else {
        count.parse().ok()?
    };
    let mut chars = suffix.chars();
    let multiplier = match chars.next() {
        None => 1,
        Some(letter) => {
            let exp = power_of(letter.to_ascii_uppercase())?;
            let base: u128 = match chars.as_str() {
                "" | "iB" => 1024,
                "B" => 1000,
                _ => return None,
            };
            // Lower case only exists as `kB`.
            if letter.is_ascii_lowercase() && !(letter == 'k' && base == 1000) {
                return None;
            }
            base.checked_pow(exp)?
        }
    };
    count.checked_mul(multiplier).filter(|&b| b > 0)
}

/// The exponent of a size suffix: `K` = 1, `M` = 2, … `Q` = 10.
fn power_of(letter: char) -> Option<u32> {
    let at = "KMGTPEZYRQ".find(letter)?;
    u32::try_from(at).ok()?.checked_add(1)
}

/// A plain decimal integer.
fn whole(token: &str) -> Result<u128, Bad> {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Bad::NotANumber);
    }
    token.parse().map_err(|_| Bad::TooLarge)
}

/// A `-h` amount: `0`, `12M`, `1.9G`. Returns the digits as one integer,
/// how many of them are decimals, and the multiplier of the suffix
/// (powers of 1024; 1 without a suffix).
fn human(token: &str) -> Result<(u128, u32, u128), Bad> {
    let (number, multiplier) = match token.chars().last() {
        Some(c) if c.is_ascii_digit() => (token, 1),
        Some(c) => {
            let exp = power_of(c).ok_or(Bad::NotANumber)?;
            let number = token.strip_suffix(c).ok_or(Bad::NotANumber)?;
            (number, 1024u128.checked_pow(exp).ok_or(Bad::TooLarge)?)
        }
        None => return Err(Bad::NotANumber),
    };
    let (int, frac) = match number.split_once('.') {
        Some((_, "")) => return Err(Bad::NotANumber),
        Some((int, frac)) => (int, frac),
        None => (number, ""),
    };
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits_only(int) || !digits_only(frac) {
        return Err(Bad::NotANumber);
    }
    let frac_digits = u32::try_from(frac.len()).map_err(|_| Bad::TooLarge)?;
    let mut mantissa = whole(int)?;
    for b in frac.bytes() {
        mantissa = mantissa
            .checked_mul(10)
            .and_then(|m| m.checked_add(u128::from(b - b'0')))
            .ok_or(Bad::TooLarge)?;
    }
    Ok((mantissa, frac_digits, multiplier))
}

/// `mantissa / 10^frac_digits * multiplier / divisor`, rounded to nearest,
/// exact whenever it divides.
fn scale(mantissa: u128, frac_digits: u32, multiplier: u128, divisor: u128) -> Result<u64, Bad> {
    let numerator = mantissa.checked_mul(multiplier).ok_or(Bad::TooLarge)?;
    let denominator = 10u128
        .checked_pow(frac_digits)
        .and_then(|p| p.checked_mul(divisor))
        .ok_or(Bad::TooLarge)?;
    let quotient = numerator.checked_div(denominator).ok_or(Bad::TooLarge)?;
    let remainder = numerator.checked_rem(denominator).ok_or(Bad::TooLarge)?;
    // Half rounds up; compared this way so the doubling cannot overflow.
    let rounded = if remainder >= denominator - remainder {
        quotient.checked_add(1).ok_or(Bad::TooLarge)?
    } else {
        quotient
    };
    u64::try_from(rounded).map_err(|_| Bad::TooLarge)
}

/// `12%` or `-`.
fn percent(token: &str, column: &str) -> Result<Option<u8>, String> {
    if token == "-" {
        return Ok(None);
    }
    let digits = token
        .strip_suffix('%')
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            format!(
                "expected a percentage in column {column}, found '{}'",
                shown(token)
            )
        })?;
    digits.parse().map(Some).map_err(|_| {
        format!(
            "percentage '{}' in column {column} is out of range",
            shown(token)
        )
    })
}

/// Blank lines and `df`'s own error messages carry no rows.
fn skippable(line: &str) -> bool {
    match next_token(line) {
        None => true,
        Some((first, _)) => {
            !line.starts_with(is_blank) && (first == "df:" || first.ends_with("/df:"))
        }
    }
}

/// `df` pads with spaces; anything else (including non-ASCII spaces) is
/// part of a name.
fn is_blank(c: char) -> bool {
    c.is_ascii_whitespace()
}

/// The first blank-separated token of `s` and the text after it.
fn next_token(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_start_matches(is_blank);
    if s.is_empty() {
        return None;
    }
    let end = s.find(is_blank).unwrap_or(s.len());
    s.split_at_checked(end)
}

fn tokens(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_blank).filter(|t| !t.is_empty())
}

/// Input text quoted in a message, cut short so junk cannot flood it.
fn shown(s: &str) -> String {
    crate::parse::clipped(s, 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{self, parsed, samples};
    use crate::parse::{Absence, Malformed};

    fn report(text: &str) -> DfReport {
        parsed(&parse(text), text)
    }

    fn malformed(text: &str) -> Malformed {
        testing::malformed(&parse(text), text)
    }

    fn mount<'a>(r: &'a DfReport, mount: &str) -> &'a DfRow {
        r.rows
            .iter()
            .find(|row| row.mount == mount)
            .unwrap_or_else(|| panic!("no row mounted on {mount:?}"))
    }

    /// What one real sample must give.
    struct Expect {
        kind: DfKind,
        rows: usize,
        check: fn(&DfReport),
    }

    fn expectation(name: &str) -> Option<Expect> {
        use DfKind::{Inodes, Space};
        let e =
            |kind: DfKind, rows: usize, check: fn(&DfReport)| Some(Expect { kind, rows, check });
        match name {
            "df-TP-jc-long-filesystem.txt" => e(Space, 3, |r| {
                let root = mount(r, "/");
                assert_eq!(root.filesystem, "/dev/mapper/VolGroup00-LogVol00");
                assert_eq!(root.fs_type.as_deref(), Some("ext3"));
                assert_eq!(root.available, Some(4_571_556));
                assert_eq!(root.use_pct, Some(21));
                let proc = mount(r, "/proc");
                assert_eq!(proc.fs_type.as_deref(), Some("proc"));
                assert_eq!((proc.total, proc.use_pct), (Some(0), None));
            }),
            // 2MB = 2,000,000 bytes, which is not a whole number of KiB.
            "df-al-2MB-blocks-ic-test.txt" => e(Space, 1, |r| {
                let root = mount(r, "/");
                assert_eq!(root.total, Some(121_154_297)); // 62031 × 2e6 / 1024 = …296.875
                assert_eq!(root.available, Some(18_906_250)); // 9680 × 2e6 / 1024, exact
                assert_eq!(root.use_pct, Some(84));
            }),
            "df-al-ic-doc.txt" | "df-alP-ic-doc.txt" => e(Space, 20, |r| {
                let root = mount(r, "/");
                assert_eq!((root.available, root.use_pct), (Some(15_686_332), Some(12)));
                assert_eq!(mount(r, "/V M T o o l s").filesystem, "/dev/sdb1");
                let binfmt = mount(r, "/proc/sys/fs/binfmt_misc");
                assert_eq!((binfmt.total, binfmt.used), (None, None));
                assert_eq!((binfmt.available, binfmt.use_pct), (None, None));
            }),
            // An injected blank line between rows.
            "df-al-ic-test.txt" => e(Space, 9, |r| {
                let root = mount(r, "/");
                assert_eq!((root.available, root.use_pct), (Some(89_313_940), Some(5)));
                assert_eq!(mount(r, "/dev/shm").line, 8);
            }),
            "df-al-x-autofs-hotsos-openstack.txt" => e(Space, 53, |r| {
                let root = mount(r, "/");
                assert_eq!((root.available, root.use_pct), (Some(267_326_276), Some(9)));
                assert_eq!(mount(r, "/snap/core20/1328").use_pct, Some(100));
            }),
            "df-al-x-autofs-sos-rhcos.txt" => e(Space, 50, |r| {
                let root = mount(r, "/");
                assert_eq!((root.available, root.use_pct), (Some(127_645_568), Some(4)));
                assert_eq!(mount(r, "/boot/efi").total, Some(96_050));
            }),
            // Two stderr lines above the header, a blank line inside.
            "df-alP-ic-test-error-lines.txt" => e(Space, 9, |r| {
                let root = mount(r, "/");
                assert_eq!(root.line, 4);
                assert_eq!((root.available, root.use_pct), (Some(89_313_940), Some(5)));
                assert_eq!(mount(r, "/sys/fs/cgroup").line, 13);
            }),
            "df-alP-ica-rhel67.txt" => e(Space, 6, |r| {
                let root = mount(r, "/");
                assert_eq!((root.available, root.use_pct), (Some(7_616_032), Some(22)));
            }),
            // `/` appears twice: `rootfs` with no numbers, then the real device.
            "df-alP-ica-rhel7.txt" => e(Space, 31, |r| {
                let roots: Vec<&DfRow> = r.rows.iter().filter(|row| row.mount == "/").collect();
                assert_eq!(roots.len(), 2);
                assert_eq!(roots[0].filesystem, "rootfs");
                assert_eq!((roots[0].available, roots[0].use_pct), (None, None));
                assert_eq!(roots[1].filesystem, "/dev/xvda2");
                assert_eq!(
                    (roots[1].available, roots[1].use_pct),
                    (Some(9_244_848), Some(12))
                );
            }),
            "df-ali-x-autofs-sos-rhcos.txt" => e(Inodes, 50, |r| {
                let root = mount(r, "/");
                assert_eq!(root.total, Some(66_011_584));
                assert_eq!((root.available, root.use_pct), (Some(65_944_831), Some(1)));
                assert_eq!(mount(r, "/boot/efi").use_pct, None);
            }),
            "df-h-jc-centos77.txt" => e(Space, 7, |r| {
                let root = mount(r, "/");
                assert_eq!(root.total, Some(17 * 1024 * 1024)); // 17G
                assert_eq!(root.used, Some(1_887_437)); // 1.8G = 1887436.8 KiB
                assert_eq!(
                    (root.available, root.use_pct),
                    (Some(16 * 1024 * 1024), Some(11))
                );
                assert_eq!(mount(r, "/boot").total, Some(1_038_336)); // 1014M
            }),
            "df-jc-centos77.txt" => e(Space, 7, |r| {
                let root = mount(r, "/");
                assert_eq!((root.available, root.use_pct), (Some(16_005_876), Some(11)));
            }),
            "df-li-ic-doc.txt" => e(Inodes, 8, |r| {
                let root = mount(r, "/");
                assert_eq!((root.available, root.use_pct), (Some(8_853_742), Some(1)));
                assert_eq!(mount(r, "/opt/data").total, Some(26_213_888));
            }),
            // Wrapped device name with blank lines around its values, and
            // mount points with spaces.
            "df-li-ic-test-wrapped-device.txt" => e(Inodes, 10, |r| {
                let root = mount(r, "/");
                assert_eq!(root.filesystem, "/dev/mapper/vg_lxcrhel6sat56-lv_root");
                assert_eq!(root.line, 2);
                assert_eq!((root.available, root.use_pct), (Some(6_150_117), Some(2)));
                assert_eq!(mount(r, "/V M T o o l s").filesystem, "/dev/sdb1");
                assert_eq!(mount(r, "/VM Tools").used, Some(15));
            }),
            "df-li-ica-rhel67.txt" => e(Inodes, 2, |r| {
                let root = mount(r, "/");
                assert_eq!((root.available, root.use_pct), (Some(598_963), Some(9)));
            }),
            "df-li-ica-rhel7.txt" => e(Inodes, 7, |r| {
                let root = mount(r, "/");
                assert_eq!((root.available, root.use_pct), (Some(5_214_657), Some(1)));
            }),
            _ => None,
        }
    }

    #[test]
    fn every_real_world_sample_parses_as_expected() {
        for (name, text) in samples("df") {
            let expect =
                expectation(&name).unwrap_or_else(|| panic!("no expectation for sample {name}"));
            let r = parsed(&parse(&text), &name);
            assert_eq!(r.kind, expect.kind, "{name}");
            assert_eq!(r.rows.len(), expect.rows, "{name}");
            (expect.check)(&r);
        }
    }

    #[test]
    fn wrapped_device_takes_values_from_the_next_line() {
        let text = "Filesystem     1K-blocks    Used Available Use% Mounted on\n\
                    /dev/mapper/a-very-long-volume-name\n\
                    \n                98571884 4244032  89313940   5% /\n\
                    tmpfs            5998736       0   5998736   0% /dev/shm\n";
        let r = report(text);
        assert_eq!(r.rows.len(), 2);
        let root = &r.rows[0];
        assert_eq!(root.filesystem, "/dev/mapper/a-very-long-volume-name");
        assert_eq!(root.line, 2);
        assert_eq!(root.total, Some(98_571_884));
        assert_eq!(root.mount, "/");
        assert_eq!(r.rows[1].line, 5);
    }

    #[test]
    fn wrapped_device_without_values_is_malformed() {
        let head = "Filesystem 1K-blocks Used Available Use% Mounted on\n";
        let m = malformed(&format!("{head}/dev/mapper/long\n"));
        assert_eq!(m.line, 2);
        assert!(m.reason.contains("values are missing"), "{}", m.reason);
        let m = malformed(&format!("{head}/dev/mapper/long\n/dev/sda1 1 1 0 50% /\n"));
        assert_eq!(m.line, 2);
        assert!(m.reason.contains("line 3"), "{}", m.reason);
    }

    #[test]
    fn indented_values_without_a_device_are_malformed() {
        let m = malformed("Filesystem 1K-blocks Used Available Use% Mounted on\n   1 1 0 50% /\n");
        assert_eq!(m.line, 2);
    }

    #[test]
    fn mount_point_keeps_inner_spaces() {
        let r = report(
            "Filesystem 1K-blocks Used Available Use% Mounted on\n\
             /dev/sdb1 100 10 90 10%   /V M T o o l s\n\
             /dev/sdb2 100 10 90 10% /VM  Tools\n",
        );
        assert_eq!(r.rows[0].mount, "/V M T o o l s");
        assert_eq!(r.rows[1].mount, "/VM  Tools");
    }

    #[test]
    fn human_sizes_are_converted_to_kib() {
        let r = report(
            "Filesystem Size Used Avail Use% Mounted on\n\
             a 1.9G 12M 782K 1% /a\n\
             b 1.2T 0 1014M 0% /b\n\
             c 2048 512 1.5K 5% /c\n",
        );
        let a = &r.rows[0];
        assert_eq!(a.total, Some(1_992_294)); // 1.9 × 1024² = 1992294.4
        assert_eq!(a.used, Some(12 * 1024));
        assert_eq!(a.available, Some(782));
        let b = &r.rows[1];
        assert_eq!(b.total, Some(1_288_490_189)); // 1.2 × 1024³ = 1288490188.8
        assert_eq!((b.used, b.available), (Some(0), Some(1_038_336)));
        // Bare numbers are bytes; half a KiB rounds up.
        let c = &r.rows[2];
        assert_eq!((c.total, c.used, c.available), (Some(2), Some(1), Some(2)));
    }

    #[test]
    fn bad_human_sizes_are_malformed() {
        for value in ["1.9X", "1.", ".5G", "G", "1.9g", "1..2M", "1,9G"] {
            let m = malformed(&format!(
                "Filesystem Size Used Avail Use% Mounted on\na {value} 0 0 0% /a\n"
            ));
            assert_eq!(m.line, 2, "{value}");
            assert!(m.reason.contains("column Size"), "{value}: {}", m.reason);
        }
    }

    #[test]
    fn block_sizes_are_converted_to_kib() {
        let row = |header: &str| {
            let r = report(&format!(
                "Filesystem {header} Used Available Use% Mounted on\nd 3 2 1 67% /\n"
            ));
            (r.rows[0].total, r.rows[0].used, r.rows[0].available)
        };
        assert_eq!(row("2MB-blocks"), (Some(5_859), Some(3_906), Some(1_953))); // 5859.375, 3906.25, 1953.125
        assert_eq!(row("1K-blocks"), (Some(3), Some(2), Some(1)));
        assert_eq!(row("1024-blocks"), (Some(3), Some(2), Some(1)));
        assert_eq!(row("512-blocks"), (Some(2), Some(1), Some(1))); // 1.5 and 0.5 round up
        assert_eq!(row("1M-blocks"), (Some(3072), Some(2048), Some(1024)));
        assert_eq!(row("4K-blocks"), (Some(12), Some(8), Some(4)));
        assert_eq!(row("1kB-blocks"), (Some(3), Some(2), Some(1))); // 2.93, 1.95, 0.98
        assert_eq!(
            row("1GB-blocks"),
            (Some(2_929_688), Some(1_953_125), Some(976_563))
        );
        assert_eq!(
            row("1G-blocks"),
            (Some(3 << 20), Some(2 << 20), Some(1 << 20))
        );
        assert_eq!(row("1MiB-blocks"), (Some(3072), Some(2048), Some(1024)));
    }

    #[test]
    fn unknown_block_sizes_are_an_unrecognised_header() {
        for size in [
            "1X-blocks",
            "0K-blocks",
            "1m-blocks",
            "1KX-blocks",
            "K-blocks-x",
        ] {
            let m = malformed(&format!(
                "\nFilesystem {size} Used Available Use% Mounted on\nd 3 2 1 67% /\n"
            ));
            assert_eq!(m.line, 2, "{size}");
            assert!(m.reason.starts_with("unrecognised df header"), "{size}");
        }
    }

    #[test]
    fn type_column_with_long_filesystem() {
        let r = report(
            "Filesystem    Type 1024-blocks      Used Available Capacity Mounted on\n\
             /dev/mapper/VolGroup00-LogVol00 ext3     6030784   1147932   4571556      21% /\n\
             proc          proc           0         0         0       -  /proc\n",
        );
        assert_eq!(r.kind, DfKind::Space);
        let root = &r.rows[0];
        assert_eq!(root.fs_type.as_deref(), Some("ext3"));
        assert_eq!(
            (root.total, root.used, root.available, root.use_pct),
            (Some(6_030_784), Some(1_147_932), Some(4_571_556), Some(21))
        );
        assert_eq!(r.rows[1].mount, "/proc");
        assert_eq!(r.rows[1].use_pct, None);
    }

    #[test]
    fn wrapped_device_with_type_column() {
        let r = report(
            "Filesystem    Type   1K-blocks  Used Available Use% Mounted on\n\
             /dev/mapper/VolGroup00-LogVol00\n\
             \x20             ext3    6030784 1147932 4571556  21% /\n",
        );
        assert_eq!(r.rows[0].fs_type.as_deref(), Some("ext3"));
        assert_eq!(r.rows[0].line, 2);
        assert_eq!(r.rows[0].mount, "/");
    }

    #[test]
    fn dash_values_are_none() {
        let r = report(
            "Filesystem 1K-blocks Used Available Use% Mounted on\n\
             systemd-1 - - - - /proc/sys/fs/binfmt_misc\n\
             proc 0 - 0 - /proc\n",
        );
        let row = &r.rows[0];
        assert_eq!(
            (row.total, row.used, row.available, row.use_pct),
            (None, None, None, None)
        );
        assert_eq!(row.mount, "/proc/sys/fs/binfmt_misc");
        assert_eq!((r.rows[1].total, r.rows[1].used), (Some(0), None));
    }

    #[test]
    fn df_errors_are_skipped_around_the_table() {
        let r = report(
            "/bin/df: '/vobs/GEMS': No such file or directory\n\
             df: '/x': Permission denied\n\
             \n\
             Filesystem 1K-blocks Used Available Use% Mounted on\n\
             /dev/sda1 100 10 90 10% /\n\
             /usr/bin/df: '/y': No such file or directory\n\
             /dev/sda2 100 10 90 10% /home\n",
        );
        assert_eq!(r.rows.len(), 2);
        assert_eq!(r.rows[0].line, 5);
        assert_eq!(r.rows[1].line, 7);
    }

    #[test]
    fn other_text_before_the_header_is_malformed() {
        let m = malformed("hello\nFilesystem 1K-blocks Used Available Use% Mounted on\n");
        assert_eq!(m.line, 1);
        assert!(m.reason.contains("before the df header"), "{}", m.reason);
    }

    #[test]
    fn malformed_row_reports_its_line_and_column() {
        let m = malformed(
            "Filesystem 1K-blocks Used Available Use% Mounted on\n\
             /dev/sda1 100 10 90 10% /\n\
             \n\
             /dev/sda2 100 abc 90 10% /home\n",
        );
        assert_eq!(
            m,
            Malformed {
                line: 4,
                reason: "expected a number in column Used, found 'abc'".into()
            }
        );
    }

    #[test]
    fn bad_percentages_are_malformed() {
        let head = "Filesystem 1024-blocks Used Available Capacity Mounted on\n";
        for (pct, wanted) in [
            ("10", "expected a percentage in column Capacity, found '10'"),
            ("%", "expected a percentage in column Capacity, found '%'"),
            ("x%", "expected a percentage in column Capacity, found 'x%'"),
            (
                "-5%",
                "expected a percentage in column Capacity, found '-5%'",
            ),
            (
                "300%",
                "percentage '300%' in column Capacity is out of range",
            ),
        ] {
            let m = malformed(&format!("{head}/dev/sda1 100 10 90 {pct} /\n"));
            assert_eq!((m.line, m.reason.as_str()), (2, wanted));
        }
    }

    #[test]
    fn truncated_rows_are_malformed() {
        let head = "Filesystem 1K-blocks Used Available Use% Mounted on\n";
        let m = malformed(&format!("{head}/dev/sda1 100 10\n"));
        assert_eq!(
            m.reason,
            "expected a value in column Available, found end of line"
        );
        let m = malformed(&format!("{head}/dev/sda1 100 10 90 10%\n"));
        assert_eq!(m.reason, "no mount point after column Use%");
        let m = malformed(&format!("{head}/dev/sda1 100 10 90 10%   \n"));
        assert_eq!(m.reason, "no mount point after column Use%");
    }

    #[test]
    fn values_too_large_are_malformed() {
        let m = malformed(
            "Filesystem 1K-blocks Used Available Use% Mounted on\n\
             d 18446744073709551616 0 0 0% /\n",
        );
        assert!(m.reason.contains("too large"), "{}", m.reason);
        // Fits u64 as a count, not once multiplied to KiB.
        let m = malformed(
            "Filesystem 1Q-blocks Used Available Use% Mounted on\nd 99999999999 0 0 0% /\n",
        );
        assert!(m.reason.contains("too large"), "{}", m.reason);
        let m = malformed("Filesystem Size Used Avail Use% Mounted on\nd 1Q 0 0 0% /\n");
        assert!(m.reason.contains("too large"), "{}", m.reason);
        // u64::MAX itself is fine as a count.
        let r = report(
            "Filesystem Inodes IUsed IFree IUse% Mounted on\nd 18446744073709551615 0 0 0% /\n",
        );
        assert_eq!(r.rows[0].total, Some(u64::MAX));
    }

    #[test]
    fn human_inode_counts() {
        let r =
            report("Filesystem Inodes IUsed IFree IUse% Mounted on\n/dev/sda3 63M 66K 63M 1% /\n");
        assert_eq!(r.kind, DfKind::Inodes);
        assert_eq!(r.rows[0].total, Some(63 << 20));
        assert_eq!(r.rows[0].used, Some(66 << 10));
    }

    #[test]
    fn collector_messages_and_missing_headers() {
        match parse("bash: df: command not found\n") {
            Outcome::NotApplicable(na) => assert_eq!(na.kind, Absence::ToolMissing),
            other => panic!("{other:?}"),
        }
        match parse("\n \n") {
            Outcome::NotApplicable(na) => assert_eq!(na.kind, Absence::Empty),
            other => panic!("{other:?}"),
        }
        let m = malformed("\nsome other output\n");
        assert_eq!((m.line, m.reason.as_str()), (1, "no df header"));
        let m = malformed("Filesystem 1K-blocks Used Available Use%\n");
        assert_eq!(m.line, 1);
        assert!(m.reason.starts_with("unrecognised df header"));
    }

    #[test]
    fn header_only_gives_no_rows() {
        let r = report("Filesystem Inodes IUsed IFree IUse% Mounted on\r\n");
        assert_eq!((r.kind, r.rows.len()), (DfKind::Inodes, 0));
    }

    #[test]
    fn non_ascii_names_and_crlf() {
        let r = report(
            "Filesystem 1K-blocks Used Available Use% Mounted on\r\n\
             //srv/données 100 10 90 10% /mnt/partagé\u{a0}ici\r\n\
             überfs\r\n    1 0 1 0% /ü\r\n",
        );
        assert_eq!(r.rows[0].filesystem, "//srv/données");
        assert_eq!(r.rows[0].mount, "/mnt/partagé\u{a0}ici");
        assert_eq!(r.rows[1].filesystem, "überfs");
        assert_eq!(r.rows[1].mount, "/ü");
        let m = malformed("Filesystem 1K-blocks Used Available Use% Mounted on\nd 1 ½ 0 0% /\n");
        assert_eq!(m.reason, "expected a number in column Used, found '½'");
        let long = "é".repeat(500);
        let m = malformed(&format!(
            "Filesystem 1K-blocks Used Available Use% Mounted on\nd 1 {long} 0 0% /\n"
        ));
        assert!(m.reason.chars().count() < 120, "{}", m.reason);
    }

    #[test]
    fn never_panics_on_truncated_or_junk_input() {
        // Every prefix of every real sample, cut at each character boundary.
        for (_, text) in samples("df") {
            for (at, _) in text.char_indices() {
                let _ = parse(text.get(..at).unwrap_or(""));
            }
        }
        // Pseudo-random junk built from df-ish pieces, control bytes and
        // multi-byte characters.
        let pieces = [
            "Filesystem",
            " ",
            "  ",
            "\n",
            "\r\n",
            "\t",
            "Type",
            "1K-blocks",
            "Size",
            "Inodes",
            "Used",
            "IUsed",
            "Available",
            "Avail",
            "IFree",
            "Use%",
            "IUse%",
            "Capacity",
            "Mounted",
            "on",
            "-",
            "%",
            "0",
            "99",
            "1.9G",
            ".",
            "18446744073709551615",
            "99999999999999999999999999999999999999999",
            "2MB-blocks",
            "1Q-blocks",
            "é",
            "½",
            "\u{0}",
            "\u{7f}",
            "\u{feff}",
            "😀",
            "df:",
            "/bin/df:",
            "/dev/sda1",
            "\u{a0}",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..4000 {
            let mut text = String::from(if seed.is_multiple_of(3) {
                "Filesystem 1K-blocks Used Available Use% Mounted on\n"
            } else {
                ""
            });
            for _ in 0..(seed % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = usize::try_from(seed % pieces.len() as u64).unwrap_or(0);
                text.push_str(pieces.get(at).copied().unwrap_or(""));
            }
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let _ = parse(&text);
        }
        let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        let _ = parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn serialises_kind_in_kebab_case() {
        let r = report("Filesystem Inodes IUsed IFree IUse% Mounted on\nd 1 0 1 0% /\n");
        let json = serde_json::to_value(Outcome::parsed(r)).expect("serialises");
        assert_eq!(json["outcome"], "parsed");
        assert_eq!(json["records"]["kind"], "inodes");
        assert_eq!(json["records"]["rows"][0]["use_pct"], 0);
        assert_eq!(
            json["records"]["rows"][0]["fs_type"],
            serde_json::Value::Null
        );
    }
}
