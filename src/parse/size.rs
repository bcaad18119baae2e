//! Sizes as vendor GUIs and exports print them (`1.8 GB`, `152,043,520`,
//! `64M`), read into KiB: the `kib` type of table specs. The units and
//! forms accepted are documented for operators in `ne_storage`, whose
//! tests cover them.

use super::clipped;

/// Bytes in one unit (`B`, `K`/`KB`/`KiB`, … up to `T`), any case; `None` for another word.
pub(crate) fn unit_bytes(unit: &str) -> Option<u64> {
    let power = match unit.to_ascii_lowercase().as_str() {
        "b" | "byte" | "bytes" => 0,
        "k" | "kb" | "kib" => 1,
        "m" | "mb" | "mib" => 2,
        "g" | "gb" | "gib" => 3,
        "t" | "tb" | "tib" => 4,
        _ => return None,
    };
    Some(1024u64.pow(power))
}

/// Digits, with optional comma-separated groups of three after the first
/// one to three: the whole part of a size.
fn whole_number(s: &str) -> Option<u128> {
    let mut groups = s.split(',');
    let first = groups.next()?;
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    if !digits(first) {
        return None;
    }
    let mut plain = first.to_string();
    let grouped = s.contains(',');
    if grouped && first.len() > 3 {
        return None;
    }
    for g in groups {
        if g.len() != 3 || !digits(g) {
            return None;
        }
        plain.push_str(g);
    }
    // 30 digits exceed any size in KiB that fits a u64, and any u128.
    if plain.len() > 30 {
        return None;
    }
    plain.parse().ok()
}

/// KiB of a printed size, rounded down; `default_unit` bytes per unit when
/// the value names none.
pub(crate) fn size_kib(raw: &str, default_unit: u64) -> Result<u64, String> {
    let bad = || format!("'{}' is not a size", clipped(raw, 40));
    let end = raw
        .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .unwrap_or(raw.len());
    let (number, unit) = raw.split_at(end);
    let unit = unit.trim();
    let per_unit = if unit.is_empty() {
        default_unit
    } else {
        unit_bytes(unit).ok_or_else(bad)?
    };
    let (whole, fraction) = match number.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (number, None),
    };
    let whole = whole_number(whole).ok_or_else(bad)?;
    let mut bytes = whole.checked_mul(u128::from(per_unit));
    if let Some(fraction) = fraction {
        if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if per_unit == 1 {
            return Err(format!(
                "'{}' is not a size: a byte count has no fraction",
                clipped(raw, 40)
            ));
        }
        // Nine digits are finer than a byte of a TiB; the rest only
        // matters for rounding down, which cutting them does too.
        let digits = &fraction[..fraction.len().min(9)];
        let scale = 10u128.pow(digits.len() as u32);
        let part = digits.parse::<u128>().map_err(|_| bad())? * u128::from(per_unit) / scale;
        bytes = bytes.and_then(|b| b.checked_add(part));
    }
    bytes
        .map(|b| b / 1024)
        .and_then(|kib| u64::try_from(kib).ok())
        .ok_or_else(|| format!("'{}' is too large a size", clipped(raw, 40)))
}
