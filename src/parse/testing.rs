//! Helpers shared by the parsers' tests.

use std::fmt::Debug;
use std::fs;
use std::path::PathBuf;

use super::{Malformed, NotApplicable, Outcome};

/// The directory holding the real-world samples of one kind.
fn samples_dir(kind: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/real-world/"
    ))
    .join(kind)
}

/// Every real-world sample of `kind` as `(file name, text)`, sorted by name; panics if none.
pub(crate) fn samples(kind: &str) -> Vec<(String, String)> {
    let dir = samples_dir(kind);
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no samples in {}", dir.display());
    names
        .into_iter()
        .map(|n| {
            let text = fs::read_to_string(dir.join(&n)).unwrap();
            (n, text)
        })
        .collect()
}

/// The text of one named real-world sample of one kind.
pub(crate) fn sample(kind: &str, name: &str) -> String {
    let path = samples_dir(kind).join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Deterministic pseudo-random bytes (xorshift) for the no-panic tests.
pub(crate) fn junk(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Deterministic pseudo-random bytes (linear congruential) for the no-panic tests.
pub(crate) fn lcg_junk(seed: u32, len: usize) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect()
}

/// Whether two values are equal to within 1e-9.
pub(crate) fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// Whether an optional value is present and within 1e-6 of `b`.
pub(crate) fn close_some(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-6)
}

/// The records of a `Parsed` outcome; panics naming `what` on any other.
pub(crate) fn parsed<T: Clone + Debug>(out: &Outcome<T>, what: &str) -> T {
    match out {
        Outcome::Parsed { records } => records.clone(),
        other => panic!("{what}: expected Parsed, got {other:?}"),
    }
}

/// The reason of a `NotApplicable` outcome; panics naming `what` on any other.
pub(crate) fn not_applicable<T: Debug>(out: &Outcome<T>, what: &str) -> NotApplicable {
    match out {
        Outcome::NotApplicable(na) => na.clone(),
        other => panic!("{what}: expected NotApplicable, got {other:?}"),
    }
}

/// The line and reason of a `Malformed` outcome; panics naming `what` on any other.
pub(crate) fn malformed<T: Debug>(out: &Outcome<T>, what: &str) -> Malformed {
    match out {
        Outcome::Malformed(m) => m.clone(),
        other => panic!("{what}: expected Malformed, got {other:?}"),
    }
}

/// Feeds `parse` every prefix of every text (cut at each character
/// boundary) and the whole text: truncated input must never panic.
pub fn parse_every_prefix<T>(texts: &[String], parse: impl Fn(&str) -> T) {
    for text in texts {
        for (i, _) in text.char_indices() {
            let _ = parse(text.get(..i).unwrap_or_default());
        }
        let _ = parse(text);
    }
}

/// The ```text blocks of a module's `//!` documentation, which users copy:
/// tests parse them so the documented examples stay true.
pub(crate) fn doc_text_blocks(source: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    let doc = source
        .lines()
        .map_while(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l));
    for line in doc {
        match (current.as_mut(), line) {
            (None, "```text") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// Inputs for the no-panic test of a header-named export: raw junk, and a
/// CSV or text-table header followed by random runs of `alphabet`.
pub(crate) fn export_junk(csv_header: &str, text_header: &str, alphabet: &[&str]) -> Vec<String> {
    let mut inputs = Vec::new();
    for seed in 1..=8 {
        inputs.push(String::from_utf8_lossy(&junk(seed, 512)).into_owned());
        inputs.push(String::from_utf8_lossy(&lcg_junk(seed as u32, 512)).into_owned());
    }
    for seed in 1..=48 {
        let mut text = String::from(if seed % 2 == 0 {
            csv_header
        } else {
            text_header
        });
        text.push('\n');
        for b in junk(seed, 48) {
            text.push_str(alphabet[b as usize % alphabet.len()]);
        }
        inputs.push(text);
    }
    inputs
}
