//! `/etc/shadow`: one account per line, nine colon-separated fields.
//!
//! ```text
//! root:$6$<salt>$<hash>:19723:0:99999:7:::
//! apache:!!:19500::::::
//! ```
//!
//! The fields are `name:password:lastchg:min:max:warn:inactive:expire:reserved`;
//! the ages are whole days (`lastchg` and `expire` count from 1970-01-01) and
//! an empty age means "not set". Lines with eight fields (no reserved field)
//! are accepted too.
//!
//! The password field is reduced to what a check needs: the hashing scheme
//! (from the crypt prefix: `$6$` sha512, `$y$` yescrypt, 13 characters des,
//! …), whether it is locked (a leading `!`, as `passwd -l` / `usermod -L`
//! write it; the hash after it is still classified) and whether it was never
//! set (`!!` or `!` alone, as RHEL `useradd` leaves it). `*`, `x`, `LK`, `NP`
//! and other text that crypt(3) cannot produce are scheme `none`.
//!
//! Security: no hash body, salt or other password material leaves this
//! parser. Records hold only the scheme and flags; Malformed and
//! NotApplicable reasons never quote a field value, and quote the account
//! name only when it cannot be a crypt string. A line that looks as if it
//! lost its first field (the hash where the name belongs) is Malformed
//! rather than read with the hash as the account: a first field that no
//! user name has (`$`, `/`, `!`, `*`, a BSDi shape), a number in the
//! password field, or a DES-shaped first field before an empty password
//! field on an eight-field line. The one case left is a DES hash without
//! `/` in the first field of an otherwise well-formed line: it cannot be
//! told from a 13-character user name such as `administrator`.

use serde::Serialize;

use crate::model::redact::REDACTED;
use crate::parse::{Absence, NotApplicable, Outcome, collector_message, numbered_lines};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShadowEntry {
    /// 1-based line.
    pub line: usize,
    pub account: String,
    /// `sha512`, `sha256`, `md5`, `bcrypt`, `yescrypt`, `gost-yescrypt`,
    /// `scrypt`, `sha1`, `sun-md5`, `bsdi`, `des`, `empty` (the field is
    /// empty: no password needed), `none` (no usable hash) or `unknown` (a
    /// `$id$` prefix not listed here).
    pub scheme: String,
    /// The field starts with `!`.
    pub locked: bool,
    /// The field is `!!` or `!` alone: the password was never set.
    pub never_set: bool,
    pub last_change_days: Option<i64>,
    pub min_days: Option<i64>,
    pub max_days: Option<i64>,
    pub warn_days: Option<i64>,
    pub inactive_days: Option<i64>,
    pub expire_days: Option<i64>,
}

/// Names of the age fields 3 to 8, as the records call them.
const AGE_FIELDS: [&str; 6] = [
    "last_change_days",
    "min_days",
    "max_days",
    "warn_days",
    "inactive_days",
    "expire_days",
];

/// The characters crypt(3) uses for salts and hash bodies.
fn is_crypt_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '/'
}

pub fn parse(text: &str) -> Outcome<Vec<ShadowEntry>> {
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(without_content(na));
    }
    let mut entries = Vec::new();
    for (no, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        match entry(no, line) {
            Ok(e) => entries.push(e),
            Err(reason) => return Outcome::malformed(no, reason),
        }
    }
    Outcome::parsed(entries)
}

/// The collector's own reason quotes the first line of the file; here that
/// line could be a shadow entry, so only the matched phrase is kept.
fn without_content(mut na: NotApplicable) -> NotApplicable {
    if na.kind != Absence::Empty {
        const PHRASES: [&str; 5] = [
            "Permission denied",
            "No such file or directory",
            "command not found",
            "failed to run command",
            "not found",
        ];
        let phrase = PHRASES
            .iter()
            .find(|p| na.reason.contains(*p))
            .copied()
            .unwrap_or("an error");
        na.reason = format!("the collector could not read the file: {phrase}");
    }
    na
}

fn entry(no: usize, line: &str) -> Result<ShadowEntry, String> {
    if line == UNREADABLE {
        return Err(
            "the collector found a line of /etc/shadow that is not an account line and left it out"
                .to_string(),
        );
    }
    let fields: Vec<&str> = line.split(':').collect();
    let account = fields.first().copied().unwrap_or_default();
    let password = fields.get(1).copied().unwrap_or_default();
    let who = describe_account(account);
    if fields.len() < 8 || fields.len() > 9 {
        return Err(format!(
            "{who}: the line has {} colon-separated fields; a shadow entry has 9 (or 8 without the reserved field)",
            fields.len()
        ));
    }
    if !could_be_user_name(account) || is_bsdi(account) {
        return Err(format!(
            "{who}: the first field is not a user name (lower-case letters, digits, `_`, `.` and `-`, as useradd accepts them; the fields may have slid left)"
        ));
    }
    // A line that lost its account field has the hash first and the day
    // count where the password belongs: `$6$…:19723:0:99999:7:::`.
    if !password.is_empty() && password.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{who}: the password field holds a number (the fields may have slid left)"
        ));
    }
    // The same with an empty day count, and a DES hash, which has no `$`
    // to give it away, in the account column.
    if password.is_empty() && fields.len() == 8 && is_des(account) {
        return Err(format!(
            "{who}: the first field looks like a DES hash and the password field is empty (the fields may have slid left)"
        ));
    }
    let mut ages = [None; 6];
    for (i, (slot, name)) in ages.iter_mut().zip(AGE_FIELDS).enumerate() {
        let value = fields.get(i + 2).copied().unwrap_or_default();
        *slot = days(value).map_err(|()| {
            format!(
                "{who}: field {} ({name}) is not a whole number of days",
                i + 3
            )
        })?;
    }
    let [
        last_change_days,
        min_days,
        max_days,
        warn_days,
        inactive_days,
        expire_days,
    ] = ages;
    let (scheme, locked, never_set) = classify(password);
    Ok(ShadowEntry {
        line: no,
        account: account.to_string(),
        scheme: scheme.to_string(),
        locked,
        never_set,
        last_change_days,
        min_days,
        max_days,
        warn_days,
        inactive_days,
        expire_days,
    })
}

/// `account "root"` for a message, or a neutral phrase when the first field
/// could be password material: anything a user name cannot be, and any name
/// shaped like a DES or BSDi hash (a real 13-character name such as
/// `administrator` then goes unnamed in the message; its record keeps it).
fn describe_account(account: &str) -> String {
    if could_be_user_name(account) && !is_des(account) && !is_bsdi(account) {
        format!("account {account:?}")
    } else {
        "an account whose name is not shown".to_string()
    }
}

/// Whether `s` is a valid account name as useradd creates one: a
/// lower-case letter or `_`, then lower-case letters, digits, `_`, `.` and
/// `-`, at most 32 characters, with the trailing `$` of machine accounts.
/// Anything else may be a piece of a hash (upper case, `/`, `$`) and is
/// never let out of the parser.
fn could_be_user_name(s: &str) -> bool {
    let body = s.strip_suffix('$').unwrap_or(s);
    let mut chars = body.chars();
    s.len() <= 32
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
}

/// Traditional DES: 2 characters of salt and 11 of hash.
fn is_des(s: &str) -> bool {
    s.chars().count() == 13 && s.chars().all(is_crypt_char)
}

/// BSDi extended DES: `_`, 4 characters of rounds, 4 of salt, 11 of hash.
fn is_bsdi(s: &str) -> bool {
    s.strip_prefix('_')
        .is_some_and(|rest| rest.chars().count() == 19 && rest.chars().all(is_crypt_char))
}

/// An age field: empty is `None`; otherwise a whole number (shadow reads it
/// with strtol, so a sign is allowed: `-1` is seen in the wild).
fn days(s: &str) -> Result<Option<i64>, ()> {
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i64>().map(Some).map_err(|_| ())
}

/// `(scheme, locked, never_set)` of a password field.
fn classify(field: &str) -> (&'static str, bool, bool) {
    if field.is_empty() {
        return ("empty", false, false);
    }
    let locked = field.starts_with('!');
    let never_set = field == "!" || field == "!!";
    // `passwd -l` prepends `!!`, `usermod -L` one `!`: the hash follows.
    let hash = field.trim_start_matches('!');
    (scheme_of(hash), locked, never_set)
}

/// The line `upcheck collect` writes in place of a line of /etc/shadow that
/// is not an account line, none of whose bytes it copies.
pub const UNREADABLE: &str = "<unreadable>";

/// The schemes a `<redacted-SCHEME>` password field names (what `collect`
/// writes for a hash); older collectors wrote `$6$<redacted>` and
/// `<redacted-des>`, which read the same.
const SCHEMES: [&str; 12] = [
    "sha512",
    "sha256",
    "md5",
    "bcrypt",
    "yescrypt",
    "gost-yescrypt",
    "scrypt",
    "sha1",
    "sun-md5",
    "bsdi",
    "des",
    "unknown",
];

/// A shadow line as an excerpt may show it: the account when it is a
/// valid account name, the password field cut to its lock marks and
/// scheme, and the age fields when they are numbers; every
/// other field is [`REDACTED`], since a broken line may hold a hash or salt
/// in any field.
pub fn shown_line(line: &str) -> String {
    let fields: Vec<&str> = line.split(':').collect();
    if fields.len() < 2 {
        return REDACTED.to_string();
    }
    let account = if could_be_user_name(fields[0]) && !is_bsdi(fields[0]) {
        fields[0].to_string()
    } else {
        REDACTED.to_string()
    };
    let password = shown_password(fields[1]);
    let ages = fields[2..].iter().map(|f| {
        let number = f.strip_prefix('-').unwrap_or(f);
        if number.bytes().all(|b| b.is_ascii_digit()) && f.len() <= 20 {
            *f
        } else {
            REDACTED
        }
    });
    [account.as_str(), &password]
        .into_iter()
        .chain(ages)
        .collect::<Vec<_>>()
        .join(":")
}

/// The password field cut to its lock marks and scheme (`!$6$<redacted>`,
/// `<redacted-des>`); the markers that hold no password (`*`, `x`, `LK`,
/// `NP`, empty) are kept, any other text (a clear-text password) goes.
fn shown_password(field: &str) -> String {
    let hash = field.trim_start_matches('!');
    let locks = &field[..field.len() - hash.len()];
    match scheme_of(hash) {
        "none" if matches!(hash, "" | "*" | "x" | "LK" | "NP" | "*LK*" | "*NP*") => field.into(),
        "none" => format!("{locks}{REDACTED}"),
        _ if hash.starts_with('$') => {
            // The scheme id (`6`, `2b`, `sha1`); a longer one is no id.
            match hash[1..].split(['$', ',']).next() {
                Some(id) if id.len() <= 4 && id.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                    format!("{locks}${id}${REDACTED}")
                }
                _ => format!("{locks}{REDACTED}"),
            }
        }
        scheme => format!("{locks}<redacted-{scheme}>"),
    }
}

fn scheme_of(hash: &str) -> &'static str {
    if let Some(scheme) = hash
        .strip_prefix("<redacted-")
        .and_then(|s| s.strip_suffix('>'))
    {
        return SCHEMES
            .iter()
            .find(|s| **s == scheme)
            .copied()
            .unwrap_or("unknown");
    }
    if let Some(rest) = hash.strip_prefix('$') {
        // Sun MD5 writes `$md5$…` or `$md5,rounds=N$…`.
        if rest.starts_with("md5$") || rest.starts_with("md5,") {
            return "sun-md5";
        }
        let Some((id, _)) = rest.split_once('$') else {
            return "unknown";
        };
        return match id {
            "6" => "sha512",
            "5" => "sha256",
            "1" => "md5",
            "2a" | "2b" | "2y" | "2x" => "bcrypt",
            "y" => "yescrypt",
            "gy" => "gost-yescrypt",
            "7" => "scrypt",
            "sha1" => "sha1",
            _ => "unknown",
        };
    }
    if is_bsdi(hash) {
        return "bsdi";
    }
    if is_des(hash) {
        return "des";
    }
    "none"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{
        junk, lcg_junk, malformed, not_applicable, parse_every_prefix, parsed,
    };

    fn one(line: &str) -> ShadowEntry {
        let r = parsed(&parse(line), line);
        assert_eq!(r.len(), 1, "{line}");
        r.into_iter().next().unwrap()
    }

    fn scheme(field: &str) -> String {
        one(&format!("user:{field}:19000:0:99999:7:::")).scheme
    }

    #[test]
    fn every_crypt_prefix_names_its_scheme() {
        let cases = [
            ("$6$FAKESALT$FAKEHASHBODY", "sha512"),
            ("$6$rounds=5000$FAKESALT$FAKEHASHBODY", "sha512"),
            ("$5$FAKESALT$FAKEHASHBODY", "sha256"),
            ("$1$FAKESALT$FAKEHASHBODY", "md5"),
            ("$2a$10$FAKESALTFAKESALTFAKEHASHBODY", "bcrypt"),
            ("$2b$12$FAKESALTFAKESALTFAKEHASHBODY", "bcrypt"),
            ("$2y$10$FAKESALTFAKESALTFAKEHASHBODY", "bcrypt"),
            ("$2x$10$FAKESALTFAKESALTFAKEHASHBODY", "bcrypt"),
            ("$y$j9T$FAKESALT$FAKEHASHBODY", "yescrypt"),
            ("$gy$j9T$FAKESALT$FAKEHASHBODY", "gost-yescrypt"),
            ("$7$CU..../....FAKESALT$FAKEHASHBODY", "scrypt"),
            ("$sha1$40000$FAKESALT$FAKEHASHBODY", "sha1"),
            ("$md5$FAKESALT$FAKEHASHBODY", "sun-md5"),
            ("$md5,rounds=5000$FAKESALT$FAKEHASHBODY", "sun-md5"),
            ("_J9..FAKEfakeHASHbod", "bsdi"),
            ("abFAKEHASH/.9", "des"),
            ("", "empty"),
            ("*", "none"),
            ("!!", "none"),
            ("!", "none"),
            ("x", "none"),
            ("LK", "none"),
            ("NP", "none"),
            ("*LK*", "none"),
            ("!*", "none"),
            ("not a hash", "none"),
            ("_J9..tooshort", "none"),
            ("abFAKEHASH/.9x", "none"),
            ("$3$$FAKEHASHBODY", "unknown"),
            ("$2$10$FAKEHASHBODY", "unknown"),
            ("$argon2id$v=19$FAKEHASHBODY", "unknown"),
            ("$6", "unknown"),
            ("$", "unknown"),
        ];
        for (field, expected) in cases {
            assert_eq!(scheme(field), expected, "{field:?}");
        }
    }

    #[test]
    fn locked_and_never_set() {
        let e = one("alice:!$6$FAKESALT$FAKEHASHBODY:19000:0:99999:7:::");
        assert_eq!(
            (e.scheme.as_str(), e.locked, e.never_set),
            ("sha512", true, false)
        );
        let e = one("bob:!!$1$FAKESALT$FAKEHASHBODY:19000:0:99999:7:::");
        assert_eq!(
            (e.scheme.as_str(), e.locked, e.never_set),
            ("md5", true, false)
        );
        let e = one("apache:!!:19500::::::");
        assert_eq!(
            (e.scheme.as_str(), e.locked, e.never_set),
            ("none", true, true)
        );
        let e = one("svc:!:19500:0:99999:7:::");
        assert_eq!(
            (e.scheme.as_str(), e.locked, e.never_set),
            ("none", true, true)
        );
        let e = one("bin:*:19000:0:99999:7:::");
        assert_eq!(
            (e.scheme.as_str(), e.locked, e.never_set),
            ("none", false, false)
        );
        let e = one("guest::19000:0:99999:7:::");
        assert_eq!(
            (e.scheme.as_str(), e.locked, e.never_set),
            ("empty", false, false)
        );
        let e = one("olddes:!abFAKEHASH/.9:19000:0:99999:7:::");
        assert_eq!(
            (e.scheme.as_str(), e.locked, e.never_set),
            ("des", true, false)
        );
    }

    #[test]
    fn collected_forms_read_as_their_scheme() {
        for name in SCHEMES {
            assert_eq!(scheme(&format!("<redacted-{name}>")), name);
            let e = one(&format!("u:!<redacted-{name}>:19000:0:99999:7:::"));
            assert_eq!((e.scheme.as_str(), e.locked), (name, true));
        }
        assert_eq!(scheme("<redacted-argon2>"), "unknown");
        // Written by earlier versions of `upcheck collect`.
        assert_eq!(scheme("$6$<redacted>"), "sha512");
        assert_eq!(scheme("!$y$<redacted>"), "yescrypt");

        let text = format!("bin:*:1:0:99999:7:::\n{UNREADABLE}\n");
        let m = malformed(&parse(&text), "unreadable marker");
        assert_eq!(m.line, 2);
        assert!(m.reason.contains("not an account line"), "{}", m.reason);
    }

    #[test]
    fn ages_are_read_and_empty_ages_are_none() {
        let e = one("root:$6$FAKESALT$FAKEHASHBODY:19723:1:90:14:30:20000:");
        assert_eq!(e.account, "root");
        assert_eq!(e.line, 1);
        assert_eq!(e.last_change_days, Some(19723));
        assert_eq!(e.min_days, Some(1));
        assert_eq!(e.max_days, Some(90));
        assert_eq!(e.warn_days, Some(14));
        assert_eq!(e.inactive_days, Some(30));
        assert_eq!(e.expire_days, Some(20000));

        let e = one("daemon:*:17834:0:99999:7:::");
        assert_eq!(
            (e.last_change_days, e.min_days, e.max_days, e.warn_days),
            (Some(17834), Some(0), Some(99999), Some(7))
        );
        assert_eq!((e.inactive_days, e.expire_days), (None, None));

        let e = one("nobody:*::::::");
        assert_eq!(
            [
                e.last_change_days,
                e.min_days,
                e.max_days,
                e.warn_days,
                e.inactive_days,
                e.expire_days
            ],
            [None; 6]
        );
        // libuser writes -1 for "not set" in some fields; it is kept as printed.
        let e = one("lu:!!:19000:-1:-1:-1:-1:-1:");
        assert_eq!((e.min_days, e.expire_days), (Some(-1), Some(-1)));
        // lastchg 0 forces a password change at the next login.
        assert_eq!(
            one("tmp:$6$FAKESALT$FAKEHASHBODY:0:0:99999:7:::").last_change_days,
            Some(0)
        );
    }

    #[test]
    fn eight_fields_crlf_and_blank_lines_are_accepted() {
        let text = "root:$6$FAKESALT$FAKEHASHBODY:19723:0:99999:7::\r\n\r\n  \nbin:*:19000:0:99999:7:::\r\n";
        let r = parsed(&parse(text), "crlf");
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].account.as_str(), r[0].line), ("root", 1));
        assert_eq!(r[0].expire_days, None);
        assert_eq!((r[1].account.as_str(), r[1].line), ("bin", 4));
        assert_eq!(r[1].expire_days, None);
    }

    #[test]
    fn a_typical_rhel_file() {
        let text = "\
root:$6$FAKESALT$FAKEHASHBODY:19723:0:99999:7:::
bin:*:18353:0:99999:7:::
daemon:*:18353:0:99999:7:::
sshd:!!:19500::::::
tekelec:$5$FAKESALT$FAKEHASHBODY:19600:7:90:7:::
admusr:!$y$j9T$FAKESALT$FAKEHASHBODY:19650:0:99999:7::20100:
";
        let r = parsed(&parse(text), "rhel");
        let got: Vec<(&str, &str, bool, bool)> = r
            .iter()
            .map(|e| (e.account.as_str(), e.scheme.as_str(), e.locked, e.never_set))
            .collect();
        assert_eq!(
            got,
            [
                ("root", "sha512", false, false),
                ("bin", "none", false, false),
                ("daemon", "none", false, false),
                ("sshd", "none", true, true),
                ("tekelec", "sha256", false, false),
                ("admusr", "yescrypt", true, false),
            ]
        );
        assert_eq!(r[5].expire_days, Some(20100));
        assert_eq!(r[4].max_days, Some(90));
    }

    #[test]
    fn too_few_or_too_many_fields_is_malformed_naming_the_account() {
        let text = "root:$6$FAKESALT$FAKEHASHBODY:19723:0:99999:7:::\nbob:$6$FAKESALT$FAKEHASHBODY:19723:0\n";
        let m = malformed(&parse(text), "short");
        assert_eq!(m.line, 2);
        assert!(m.reason.contains("\"bob\""), "{}", m.reason);
        assert!(
            m.reason.contains("4 colon-separated fields"),
            "{}",
            m.reason
        );

        let m = malformed(&parse("bob:x:1:2:3:4:5:6:7:8\n"), "long");
        assert_eq!(m.line, 1);
        assert!(m.reason.contains("10 colon-separated"), "{}", m.reason);

        let m = malformed(&parse("just-a-word\n"), "one field");
        assert!(m.reason.contains("\"just-a-word\""), "{}", m.reason);
        assert!(m.reason.contains("1 colon-separated"), "{}", m.reason);
    }

    #[test]
    fn a_non_numeric_age_is_malformed_naming_account_and_field() {
        let fields = ["19723", "0", "99999", "7", "", ""];
        for (i, name) in AGE_FIELDS.iter().enumerate() {
            let mut f = fields;
            f[i] = "soon";
            let line = format!("carol:$6$FAKESALT$FAKEHASHBODY:{}:", f.join(":"));
            let m = malformed(&parse(&format!("bin:*:1:0:99999:7:::\n{line}\n")), name);
            assert_eq!(m.line, 2, "{name}");
            assert!(m.reason.contains("\"carol\""), "{}", m.reason);
            assert!(
                m.reason.contains(&format!("field {} ({name})", i + 3)),
                "{}",
                m.reason
            );
            assert!(!m.reason.contains("soon"), "{}", m.reason);
        }
        for bad in ["1.5", "1e3", " 7", "0x10", "99999999999999999999"] {
            let m = malformed(&parse(&format!("dave:*:{bad}:0:99999:7:::")), bad);
            assert!(m.reason.contains("last_change_days"), "{bad}: {}", m.reason);
        }
    }

    #[test]
    fn a_first_field_that_cannot_be_a_user_name_is_malformed_and_not_quoted() {
        // The account is missing: everything slid one field left.
        let m = malformed(
            &parse("$6$SLIDSALT$SLIDHASHBODY:19723:0:99999:7:::\n"),
            "slid",
        );
        assert!(m.reason.contains("not a user name"), "{}", m.reason);
        assert!(!m.reason.contains("SLID"), "{}", m.reason);
        // A bare hash on a line of its own.
        let m = malformed(&parse("$6$BARESALT$BAREHASHBODY\n"), "bare");
        assert!(m.reason.contains("not shown"), "{}", m.reason);
        assert!(!m.reason.contains("BARE"), "{}", m.reason);
        // The account field lost: the day count sits in the password field.
        let m = malformed(&parse("abfakehashx.9:19723:0:99999:7:::\n"), "slid des");
        assert!(m.reason.contains("holds a number"), "{}", m.reason);
        assert!(!m.reason.contains("abfake"), "{}", m.reason);
        // A DES hash with upper case is no account name.
        let m = malformed(&parse("abFAKEHASHx.9:x:0:99999:7:::\n"), "des name");
        assert!(m.reason.contains("not a user name"), "{}", m.reason);
        assert!(!m.reason.contains("abFAKE"), "{}", m.reason);
        // … or, with an empty day count, nothing at all.
        let m = malformed(&parse("abfakehashx.9::0:99999:7:::\n"), "slid des empty");
        assert!(m.reason.contains("looks like a DES hash"), "{}", m.reason);
        let m = malformed(&parse("_J9..FAKEfakeHASHbod::0:99999:7:::\n"), "slid bsdi");
        assert!(m.reason.contains("not a user name"), "{}", m.reason);
        // A 13-character name is a name when its password field is one; a
        // message about its line does not quote it.
        let e = one("administrator:$6$FAKESALT$FAKEHASHBODY:19723:0:99999:7:::");
        assert_eq!(
            (e.account.as_str(), e.scheme.as_str()),
            ("administrator", "sha512")
        );
        let m = malformed(
            &parse("administrator:*:soon:0:99999:7:::\n"),
            "des-shaped name",
        );
        assert!(m.reason.contains("not shown"), "{}", m.reason);
        // Machine accounts keep their trailing `$`.
        assert_eq!(one("host01$:*:19000:0:99999:7:::").account, "host01$");
    }

    #[test]
    fn collector_messages_are_not_applicable_without_quoting_the_file() {
        let na = not_applicable(&parse("cat: /etc/shadow: Permission denied\n"), "denied");
        assert_eq!(na.kind, Absence::ToolMissing);
        assert_eq!(na.line, Some(1));
        assert_eq!(
            na.reason,
            "the collector could not read the file: Permission denied"
        );
        let na = not_applicable(&parse(""), "empty");
        assert_eq!(na.kind, Absence::Empty);
        let na = not_applicable(&parse("\r\n \n"), "blank");
        assert_eq!(na.kind, Absence::Empty);
    }

    /// Distinctive fake salts and hash bodies; none may show up in any output.
    const SECRETS: [&str; 17] = [
        "Qx7SALTsha512",
        "ZZbodySHA512zz9Kq",
        "Wv3SALTsha256",
        "YYbodySHA256yy",
        "Md5SaLt",
        "BODYmd5XqXq",
        "BcRyPtSaLtBcRyPtSaLtBODYbcryptBODYbcrypt",
        "YeSsAlT",
        "YESbodyYESbody",
        "RoUnDsSaLt",
        "ROUNDSbodyROUNDS",
        "_J9..BsDiBoDyXyZ123.",
        "dEsBoDy/.9aZQ",
        "dEsNoSlAsH9.Q",
        "LoCkEdSaLt",
        "LOCKEDbodyLOCKED",
        "GoStSaLt",
    ];

    fn secret_file() -> String {
        "\
root:$6$Qx7SALTsha512$ZZbodySHA512zz9Kq:19723:0:99999:7:::
app:$5$Wv3SALTsha256$YYbodySHA256yy:19723:0:99999:7:::
old:$1$Md5SaLt$BODYmd5XqXq:19723:0:99999:7:::
bc:$2b$12$BcRyPtSaLtBcRyPtSaLtBODYbcryptBODYbcrypt:19723:0:99999:7:::
yes:$y$j9T$YeSsAlT$YESbodyYESbody:19723:0:99999:7:::
rounds:$6$rounds=656000$RoUnDsSaLt$ROUNDSbodyROUNDS:19723:0:99999:7:::
bsdi:_J9..BsDiBoDyXyZ123.:19723:0:99999:7:::
des:dEsBoDy/.9aZQ:19723:0:99999:7:::
des2:dEsNoSlAsH9.Q:19723:0:99999:7:::
locked:!!$6$LoCkEdSaLt$LOCKEDbodyLOCKED:19723:0:99999:7:::
gost:$gy$j9T$GoStSaLt$GOSTbodyGOST:19723:0:99999:7:::
"
        .to_string()
    }

    fn assert_no_secret(out: &Outcome<Vec<ShadowEntry>>, what: &str) {
        let json = serde_json::to_string(out).unwrap();
        let debug = format!("{out:?}");
        let pretty = format!("{out:#?}");
        for s in SECRETS
            .iter()
            .chain(&["GOSTbodyGOST", "j9T", "656000", "rounds="])
        {
            for (form, text) in [("json", &json), ("debug", &debug), ("pretty", &pretty)] {
                assert!(!text.contains(s), "{what}: {form} holds {s:?}: {text}");
            }
        }
    }

    #[test]
    fn no_hash_or_salt_ever_leaves_the_parser() {
        let good = secret_file();
        let out = parse(&good);
        let schemes: Vec<String> = parsed(&out, "secrets")
            .into_iter()
            .map(|e| e.scheme)
            .collect();
        assert_eq!(
            schemes,
            [
                "sha512",
                "sha256",
                "md5",
                "bcrypt",
                "yescrypt",
                "sha512",
                "bsdi",
                "des",
                "des",
                "sha512",
                "gost-yescrypt"
            ]
        );
        assert_no_secret(&out, "parsed");

        let mut variants: Vec<String> = Vec::new();
        for line in good.lines() {
            let fields: Vec<&str> = line.split(':').collect();
            let (name, hash) = (fields[0], fields[1]);
            variants.extend([
                // Too few fields, with and without the account.
                format!("{name}:{hash}:19723"),
                format!("{hash}:19723:0:99999:7:::"),
                format!("{hash}::0:99999:7:::"),
                hash.to_string(),
                format!("{hash}:{hash}:{hash}"),
                // Too many fields.
                format!("{line}:{hash}"),
                // Hash where an age belongs, in every age field.
                format!("{name}:{hash}:{hash}:0:99999:7:::"),
                format!("{name}:{hash}:19723:{hash}:99999:7:::"),
                format!("{name}:{hash}:19723:0:{hash}:7:::"),
                format!("{name}:{hash}:19723:0:99999:{hash}:::"),
                format!("{name}:{hash}:19723:0:99999:7:{hash}::"),
                format!("{name}:{hash}:19723:0:99999:7::{hash}:"),
                // Collector-message look-alikes that carry a hash.
                format!("{name}:{hash}: Permission denied"),
                format!("{hash} not found"),
            ]);
            // A hash in the account column beside a well-formed rest of the
            // line. A DES hash without `/` there is indistinguishable from a
            // 13-character user name, so that one case is left out.
            if hash != "dEsNoSlAsH9.Q" {
                variants.extend([
                    format!("{hash}:x:19723:0:99999:7:::"),
                    format!("{hash}:{hash}:19723:0:99999:7::"),
                ]);
            }
        }
        for v in &variants {
            for text in [v.clone(), format!("{good}{v}\n"), format!("{v}\n{good}")] {
                let out = parse(&text);
                assert_no_secret(&out, v);
            }
        }
        // Every prefix of the good file (cut lines, half hashes).
        for (i, _) in good.char_indices() {
            assert_no_secret(&parse(&good[..i]), "prefix");
        }
    }

    #[test]
    fn never_panics_on_truncated_junk_or_non_ascii_input() {
        let mut inputs: Vec<String> = vec![
            "jörg:$6$sälz$häsh:19000:0:99999:7:::\n".into(),
            "用户:!!:19000::::::\n".into(),
            "é:é:é:é:é:é:é:é:é\n".into(),
            "x:_ééééééééééééééééééé:1:1:1:1:1:1:\n".into(),
            "x:éééééééééééé::::::\n".into(),
            "\u{feff}root:*:1:2:3:4:5:6:\n".into(),
            "::::::::\n:::::::::::::::\n:\n".into(),
            "a:$:9223372036854775807:-9223372036854775808:+1:-0:::\n".into(),
            "\u{0}:\u{0}:\u{0}:\u{0}:\u{0}:\u{0}:\u{0}:\u{0}\n".into(),
            secret_file(),
        ];
        for seed in 1..=8 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 2048)).into_owned());
            inputs.push(String::from_utf8_lossy(&lcg_junk(seed as u32, 2048)).into_owned());
            let colons: String = String::from_utf8_lossy(&junk(seed, 512))
                .chars()
                .map(|c| if (c as u32).is_multiple_of(5) { ':' } else { c })
                .collect();
            inputs.push(colons);
        }
        parse_every_prefix(&inputs, parse);
    }

    #[test]
    fn serialises_as_tagged_outcome() {
        let json = serde_json::to_value(parse("root:!!:19000::::::\n")).unwrap();
        assert_eq!(json["outcome"], "parsed");
        assert_eq!(json["records"][0]["scheme"], "none");
        assert_eq!(json["records"][0]["never_set"], true);
        assert_eq!(json["records"][0]["min_days"], serde_json::Value::Null);
    }
}
