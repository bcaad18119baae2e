//! The shadow file `collect` writes in place of /etc/shadow: per account
//! line the name, a fixed token for the password field's scheme, and the
//! age fields, so that no byte of a hash, a salt or a clear-text password
//! is ever written, whatever the line looks like. A line that is not a
//! well-formed account line (slid fields, a wrapped hash, a wrong field
//! count, a day count that is not a number) becomes [`UNREADABLE`], which
//! the shadow parser reports as malformed at the same line number.
//!
//! The POSIX-sh collector derives the same file (`derive_shadow` in
//! src/snapshot/collect/collect.sh); docs/snapshot-format.md gives the format, and
//! tests/it/collect.rs checks that both write the same bytes.

use crate::parse::Outcome;
use crate::parse::linux::shadow::{self, ShadowEntry};

pub use crate::parse::linux::shadow::UNREADABLE;

/// The derived file of the text of a shadow file: one line per line.
pub fn derive(text: &str) -> String {
    text.lines().map(|l| derive_line(l) + "\n").collect()
}

fn derive_line(line: &str) -> String {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.trim().is_empty() {
        return String::new();
    }
    let fields: Vec<&str> = line.split(':').collect();
    if !(8..=9).contains(&fields.len()) {
        return UNREADABLE.to_string();
    }
    let (name, password, ages) = (fields[0], fields[1], &fields[2..8]);
    // A DES hash (13 crypt characters) can stand where the name belongs
    // when the fields slid left; a 13-character name stays only beside a
    // password field that cannot be a day count.
    let slid_des = is_des_shaped(name) && (password.is_empty() || is_digits(password));
    if !is_account_name(name) || slid_des || !ages.iter().all(|a| is_day_count(a)) {
        return UNREADABLE.to_string();
    }
    match shadow::parse(line) {
        Outcome::Parsed { records } if records.len() == 1 => {
            format!("{name}:{}:{}:", token(&records[0]), ages.join(":"))
        }
        _ => UNREADABLE.to_string(),
    }
}

/// The password field of the derived file: `!!` (never set), empty (no
/// password), `*` / `!*` (no usable hash, unlocked / locked) or
/// `<redacted-SCHEME>` with `!` before it when locked.
fn token(entry: &ShadowEntry) -> String {
    let lock = if entry.locked { "!" } else { "" };
    match entry.scheme.as_str() {
        _ if entry.never_set => "!!".to_string(),
        "empty" => String::new(),
        "none" => format!("{lock}*"),
        scheme => format!("{lock}<redacted-{scheme}>"),
    }
}

/// A name as useradd creates one: a lower-case letter or `_`, then
/// lower-case letters, digits, `_`, `.` and `-`, at most 32 bytes, with the
/// trailing `$` of machine accounts. Upper case and `/` belong to hashes.
fn is_account_name(name: &str) -> bool {
    let body = name.strip_suffix('$').unwrap_or(name);
    let mut bytes = body.bytes();
    name.len() <= 32
        && bytes
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && bytes.all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-')
        })
}

fn is_des_shaped(s: &str) -> bool {
    s.len() == 13
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/')
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Empty, or a whole number of days of at most 18 digits with an optional
/// `-` (libuser writes `-1`).
fn is_day_count(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    s.is_empty() || (is_digits(digits) && digits.len() <= 18)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Vec<ShadowEntry> {
        match shadow::parse(text) {
            Outcome::Parsed { records } => records,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_normal_file_gives_the_same_records() {
        let text = "\
root:$6$FAKESALT$FAKEHASHBODY:19723:0:99999:7:::
bin:*:18353:0:99999:7:::
sshd:!!:19500::::::
lu:!!:19000:-1:-1:-1:-1:-1:
tekelec:$5$FAKESALT$FAKEHASHBODY:19600:7:90:7:::
admusr:!$y$j9T$FAKESALT$FAKEHASHBODY:19650:0:99999:7::20100:
bob:!!$1$FAKESALT$FAKEHASHBODY:19000:0:99999:7:::
olddes:!abFAKEHASH/.9:19000:0:99999:7:::
bsdi:_J9..FAKEfakeHASHbod:19000:0:99999:7:::
guest::19000:0:99999:7:::
ops:LK:19000:0:99999:7:::
argon:$argon2id$v=19$FAKEHASHBODY:19000:0:99999:7:::
administrator:$6$FAKESALT$FAKEHASHBODY:19723:0:99999:7:::
host01$:*:19000:0:99999:7:::

eight:$6$FAKESALT$FAKEHASHBODY:19723:0:99999:7::
";
        let derived = derive(text);
        assert_eq!(parsed(&derived), parsed(text));
        assert!(!derived.contains("FAKE"), "{derived}");
        assert_eq!(derived.lines().count(), text.lines().count());
    }

    #[test]
    fn each_line_keeps_name_scheme_and_ages_only() {
        let cases = [
            (
                "root:$6$salt$hash:19000:0:99999:7:::",
                "root:<redacted-sha512>:19000:0:99999:7:::",
            ),
            (
                "ops:!$y$j9T$salt$hash:19000:0:99999:7::20100:",
                "ops:!<redacted-yescrypt>:19000:0:99999:7::20100:",
            ),
            ("bin:x:1:0:99999:7:::", "bin:*:1:0:99999:7:::"),
            ("svc:!:1::::::", "svc:!!:1::::::"),
            ("u:!LK:1::::::", "u:!*:1::::::"),
            ("guest::1::::::", "guest::1::::::"),
        ];
        for (line, want) in cases {
            assert_eq!(derive(line), format!("{want}\n"), "{line}");
        }
    }

    #[test]
    fn lines_that_are_not_account_lines_become_the_marker() {
        for line in [
            // slid left: a hash where the name belongs
            "$6$SLIDSALT$SLIDHASH:19723:0:99999:7:::",
            "abFAKEHASHx.9:19723:0:99999:7:::",
            "abFAKEHASHx.9::0:99999:7::::",
            // wrapped: the halves of one line
            "root:$6$WRAPSALT$WRAP",
            "HASHBODY:19723:0:99999:7:::",
            // too many fields, text in an age field
            "root:*:1:2:3:4:5:6:7:8",
            "root:*:19723:$6$AGESALT$AGEHASH:99999:7:::",
            "root:*:1234567890123456789:0:99999:7:::",
            "root:*:-:0:99999:7:::",
            // a name no account tool makes
            "ro ot:*:1:0:99999:7:::",
            "Root:*:1:0:99999:7:::",
        ] {
            assert_eq!(derive(line), format!("{UNREADABLE}\n"), "{line}");
        }
    }
}
