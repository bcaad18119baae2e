//! `/etc/login.defs`: shadow-utils' site settings, one `KEY value` per line.
//!
//! ```text
//! # Use SHA512 to encrypt password.
//! ENCRYPT_METHOD SHA512
//! PASS_MAX_DAYS   99999
//! ENV_PATH        PATH=/bin:/usr/bin
//! ```
//!
//! The key is the first word; the value is the rest of the line with the
//! surrounding whitespace (spaces or tabs) removed, so it may hold spaces or
//! be empty. Keys are kept as printed (upper case by convention). Lines whose
//! first non-blank character is `#` are comments; a `#` later in the line is
//! part of the value, as shadow reads it.
//!
//! shadow-utils reads the file top to bottom and a later setting of a key
//! replaces an earlier one: every setting is kept here, in file order, so the
//! last record with a key is the one in force. shadow also ignores a key
//! with no value and drops double quotes around a value; both are kept as
//! printed here (`value` empty, quotes included).

use serde::Serialize;

use crate::parse::{Outcome, collector_message, numbered_lines};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting {
    /// 1-based line.
    pub line: usize,
    pub key: String,
    pub value: String,
}

pub fn parse(text: &str) -> Outcome<Vec<Setting>> {
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let mut settings = Vec::new();
    for (no, line) in numbered_lines(text) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once([' ', '\t']).unwrap_or((line, ""));
        if !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Outcome::malformed(
                no,
                format!("{key:?} is not a login.defs key (letters, digits and _)"),
            );
        }
        settings.push(Setting {
            line: no,
            key: key.to_string(),
            value: value.trim().to_string(),
        });
    }
    Outcome::parsed(settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{
        junk, lcg_junk, malformed, not_applicable, parse_every_prefix, parsed, samples,
    };

    /// The setting in force for `key`: the last one.
    fn last<'a>(s: &'a [Setting], key: &str) -> Option<&'a Setting> {
        s.iter().rev().find(|x| x.key == key)
    }

    fn value<'a>(s: &'a [Setting], key: &str) -> Option<&'a str> {
        last(s, key).map(|x| x.value.as_str())
    }

    #[test]
    fn every_login_defs_sample_has_its_expected_outcome() {
        for (name, text) in samples("login-defs") {
            let out = parse(&text);
            let s = parsed(&out, &name);
            // No sample sets a key twice or leaves a value empty.
            for (i, a) in s.iter().enumerate() {
                assert!(!a.value.is_empty(), "{name}: {a:?}");
                assert!(s[i + 1..].iter().all(|b| b.key != a.key), "{name}: {a:?}");
            }
            match name.as_str() {
                "login-defs-centos7-hardened.txt" => {
                    assert_eq!(s.len(), 17);
                    // Printed as `ENCRYPT_METHOD SHA512 ` (trailing space).
                    let e = last(&s, "ENCRYPT_METHOD").unwrap();
                    assert_eq!((e.line, e.value.as_str()), (71, "SHA512"));
                    assert_eq!(value(&s, "MD5_CRYPT_ENAB"), None);
                    assert_eq!(value(&s, "PASS_MAX_DAYS"), Some("28"));
                    assert_eq!(value(&s, "PASS_MIN_LEN"), Some("8"));
                    assert_eq!(value(&s, "UMASK"), Some("022"));
                    assert_eq!(value(&s, "MAIL_DIR"), Some("/var/spool/mail"));
                }
                "login-defs-rhel6-hardened.txt" => {
                    assert_eq!(s.len(), 13);
                    let e = last(&s, "ENCRYPT_METHOD").unwrap();
                    assert_eq!((e.line, e.value.as_str()), (64, "SHA512"));
                    assert_eq!(value(&s, "MD5_CRYPT_ENAB"), None);
                    assert_eq!(value(&s, "PASS_MAX_DAYS"), Some("28"));
                    assert_eq!(value(&s, "PASS_WARN_AGE"), Some("15"));
                    // Tabs and spaces mixed between key and value.
                    assert_eq!(value(&s, "UID_MIN"), Some("500"));
                    assert_eq!(value(&s, "UMASK"), Some("027"));
                    let t = last(&s, "LOGIN_TIMEOUT").unwrap();
                    assert_eq!((t.line, t.value.as_str()), (67, "900"));
                }
                "login-defs-shadow-upstream.txt" => {
                    assert_eq!(s.len(), 53);
                    // Only mentioned in comments (`#ENCRYPT_METHOD SHA512`).
                    assert_eq!(value(&s, "ENCRYPT_METHOD"), None);
                    assert_eq!(value(&s, "MD5_CRYPT_ENAB"), None);
                    assert_eq!(value(&s, "SHA_CRYPT_MIN_ROUNDS"), None);
                    assert_eq!(
                        value(&s, "ENV_SUPATH"),
                        Some("PATH=/sbin:/bin:/usr/sbin:/usr/bin")
                    );
                    assert_eq!(value(&s, "SUB_UID_MAX"), Some("600100000"));
                    assert_eq!(value(&s, "PASS_MIN_LEN"), Some("5"));
                    let p = last(&s, "PREVENT_NO_AUTH").unwrap();
                    assert_eq!((p.line, p.value.as_str()), (497, "superuser"));
                }
                "login-defs-ubuntu-hotsos.txt" => {
                    assert_eq!(s.len(), 29);
                    let e = last(&s, "ENCRYPT_METHOD").unwrap();
                    assert_eq!((e.line, e.value.as_str()), (279, "SHA512"));
                    // Only as a comment: `#MD5_CRYPT_ENAB	no`.
                    assert_eq!(value(&s, "MD5_CRYPT_ENAB"), None);
                    assert_eq!(value(&s, "PASS_MAX_DAYS"), Some("99999"));
                    assert_eq!(value(&s, "MAIL_DIR"), Some("/var/mail"));
                }
                other => panic!("sample {other} has no expectation: add one to this test"),
            }
        }
    }

    #[test]
    fn a_later_setting_of_a_key_is_kept_after_the_earlier_one() {
        let text = "ENCRYPT_METHOD MD5\nMD5_CRYPT_ENAB yes\n\nENCRYPT_METHOD SHA512\n";
        let s = parsed(&parse(text), "twice");
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].line, s[0].value.as_str()), (1, "MD5"));
        let e = last(&s, "ENCRYPT_METHOD").unwrap();
        assert_eq!((e.line, e.value.as_str()), (4, "SHA512"));
    }

    #[test]
    fn values_keep_inner_spaces_and_may_be_empty() {
        let text = "  ENV_PATH\tPATH=/bin:/usr/bin  \nUSERDEL_CMD /usr/sbin/userdel_local --keep  x\nCONSOLE_GROUPS\nMAIL_DIR \"/var/mail\"\nUMASK 077 # tighter\r\n";
        let s = parsed(&parse(text), "values");
        assert_eq!(value(&s, "ENV_PATH"), Some("PATH=/bin:/usr/bin"));
        assert_eq!(
            value(&s, "USERDEL_CMD"),
            Some("/usr/sbin/userdel_local --keep  x")
        );
        assert_eq!(value(&s, "CONSOLE_GROUPS"), Some(""));
        assert_eq!(value(&s, "MAIL_DIR"), Some("\"/var/mail\""));
        assert_eq!(value(&s, "UMASK"), Some("077 # tighter"));
        assert_eq!(s[0].line, 1);
        assert_eq!(s[4].line, 5);
    }

    #[test]
    fn comments_and_blank_lines_are_skipped() {
        let text = "#ENCRYPT_METHOD MD5\n   # indented comment\n\n\t\nPASS_MAX_DAYS 90\n";
        let s = parsed(&parse(text), "comments");
        assert_eq!(
            s,
            [Setting {
                line: 5,
                key: "PASS_MAX_DAYS".into(),
                value: "90".into()
            }]
        );
        assert!(parsed(&parse("# only a comment\n"), "only comment").is_empty());
    }

    #[test]
    fn a_line_that_is_not_key_value_is_malformed() {
        for (line, shown) in [
            ("ENCRYPT_METHOD=SHA512", "ENCRYPT_METHOD=SHA512"),
            ("[defaults]", "[defaults]"),
            ("PASS-MAX-DAYS 90", "PASS-MAX-DAYS"),
            ("ÉNCRYPT_METHOD SHA512", "ÉNCRYPT_METHOD"),
        ] {
            let text = format!("UMASK 022\n{line}\nPASS_MAX_DAYS 90\n");
            let m = malformed(&parse(&text), line);
            assert_eq!(m.line, 2, "{line}");
            assert!(m.reason.contains(shown), "{line}: {}", m.reason);
        }
        // `crypt_style = md5` reads as key `crypt_style`, value `= md5`.
        let s = parsed(&parse("crypt_style = md5\n"), "ini line");
        assert_eq!(s[0].value, "= md5");
    }

    #[test]
    fn collector_messages_are_not_applicable() {
        let na = not_applicable(
            &parse("cat: /etc/login.defs: No such file or directory\n"),
            "missing",
        );
        assert_eq!(na.kind, Absence::ToolMissing);
        assert_eq!(not_applicable(&parse(""), "empty").kind, Absence::Empty);
        assert_eq!(
            not_applicable(&parse(" \n\n"), "blank").kind,
            Absence::Empty
        );
    }

    #[test]
    fn serialises_as_tagged_outcome() {
        let json = serde_json::to_value(parse("ENCRYPT_METHOD SHA512\n")).unwrap();
        assert_eq!(json["outcome"], "parsed");
        assert_eq!(json["records"][0]["key"], "ENCRYPT_METHOD");
        assert_eq!(json["records"][0]["value"], "SHA512");
        assert_eq!(json["records"][0]["line"], 1);
    }

    #[test]
    fn never_panics_on_truncated_junk_or_non_ascii_input() {
        let mut inputs: Vec<String> = vec![
            "MAIL_DIR /var/spöol/mäil\n".into(),
            "KEY\u{3000}value\u{3000}\n".into(),
            "KEY\u{a0}value\n".into(),
            "日本 語\n".into(),
            "\u{feff}ENCRYPT_METHOD SHA512\n".into(),
            "\u{0}\u{1}\n\t\n#\n".into(),
        ];
        for seed in 1..=8 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 2048)).into_owned());
            inputs.push(String::from_utf8_lossy(&lcg_junk(seed as u32, 2048)).into_owned());
        }
        for (_, text) in samples("login-defs") {
            inputs.push(text);
        }
        parse_every_prefix(&inputs, parse);
    }
}
