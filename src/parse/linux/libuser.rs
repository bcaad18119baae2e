//! `/etc/libuser.conf`: the INI file of libuser (`lusermod`, `lpasswd`,
//! `luseradd`, and the account code of RHEL tools built on it).
//!
//! ```text
//! [defaults]
//! # The default (/usr/lib*/libuser) is usually correct
//! crypt_style = sha512
//! modules = files shadow
//! ```
//!
//! `[section]` headers, `key = value` settings (whitespace around `=` and at
//! the ends of the value removed; the value may be empty or hold spaces and
//! further `=`), comment lines starting with `#` or `;`, and blank lines.
//! Settings before the first header get section `""`. Every setting is kept,
//! in file order; note that libuser itself matches sections and keys without
//! regard to case and, for a key set twice, uses the first value. Without
//! `[defaults] crypt_style`, libuser takes the scheme from the login.defs
//! named by `[import] login_defs` (`ENCRYPT_METHOD`, else `MD5_CRYPT_ENAB`).

use serde::Serialize;

use crate::parse::{Outcome, collector_message, numbered_lines};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IniSetting {
    /// 1-based line.
    pub line: usize,
    pub section: String,
    pub key: String,
    pub value: String,
}

pub fn parse(text: &str) -> Outcome<Vec<IniSetting>> {
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let mut settings = Vec::new();
    let mut section = String::new();
    for (no, line) in numbered_lines(text) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            let Some(name) = header.strip_suffix(']') else {
                return Outcome::malformed(
                    no,
                    format!("section header {line:?} does not end with ']'"),
                );
            };
            let name = name.trim();
            if name.is_empty() || name.contains(['[', ']']) {
                return Outcome::malformed(no, format!("{line:?} is not a section name"));
            }
            section = name.to_string();
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Outcome::malformed(
                no,
                format!("{line:?} is neither a [section] header nor key = value"),
            );
        };
        let key = key.trim();
        if key.is_empty() {
            return Outcome::malformed(no, format!("{line:?} has no key before '='"));
        }
        settings.push(IniSetting {
            line: no,
            section: section.clone(),
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

    /// The eight settings of the upstream file, at the given lines, with its
    /// `crypt_style`.
    fn upstream(lines: [usize; 8], crypt_style: &str) -> Vec<IniSetting> {
        let rows = [
            ("import", "login_defs", "/etc/login.defs"),
            ("import", "default_useradd", "/etc/default/useradd"),
            ("defaults", "crypt_style", crypt_style),
            ("defaults", "modules", "files shadow"),
            ("defaults", "create_modules", "files shadow"),
            ("userdefaults", "LU_USERNAME", "%n"),
            ("userdefaults", "LU_GIDNUMBER", "%u"),
            ("groupdefaults", "LU_GROUPNAME", "%n"),
        ];
        lines
            .into_iter()
            .zip(rows)
            .map(|(line, (section, key, value))| IniSetting {
                line,
                section: section.into(),
                key: key.into(),
                value: value.into(),
            })
            .collect()
    }

    #[test]
    fn every_libuser_conf_sample_has_its_expected_outcome() {
        for (name, text) in samples("libuser-conf") {
            let out = parse(&text);
            let s = parsed(&out, &name);
            // Commented-out settings (`# LU_SHADOWMAX = 99999`) are not
            // settings: each file holds exactly eight.
            match name.as_str() {
                "libuser-conf-upstream-2007-md5.txt" => {
                    assert_eq!(s, upstream([9, 10, 20, 21, 22, 27, 29, 46], "md5"));
                }
                "libuser-conf-upstream-2011-sha512.txt" => {
                    assert_eq!(s, upstream([9, 10, 20, 21, 22, 27, 30, 47], "sha512"));
                }
                "libuser-conf-upstream-2021-yescrypt.txt" => {
                    assert_eq!(s, upstream([9, 10, 20, 21, 22, 27, 30, 47], "yescrypt"));
                }
                other => panic!("sample {other} has no expectation: add one to this test"),
            }
        }
    }

    #[test]
    fn sections_keys_and_values() {
        let text = "\
top = level
; a semicolon comment
[defaults]
  crypt_style=SHA512  \r
hash_rounds_min = 5000
mailspooldir =
[ ldap ]
binddn = cn=Manager,dc=example,dc=com
userBranch = ou=People   # kept: libuser has no inline comments
";
        let s = parsed(&parse(text), "ini");
        let got: Vec<(usize, &str, &str, &str)> = s
            .iter()
            .map(|x| (x.line, x.section.as_str(), x.key.as_str(), x.value.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (1, "", "top", "level"),
                (4, "defaults", "crypt_style", "SHA512"),
                (5, "defaults", "hash_rounds_min", "5000"),
                (6, "defaults", "mailspooldir", ""),
                (8, "ldap", "binddn", "cn=Manager,dc=example,dc=com"),
                (
                    9,
                    "ldap",
                    "userBranch",
                    "ou=People   # kept: libuser has no inline comments"
                ),
            ]
        );
    }

    #[test]
    fn a_key_set_twice_is_kept_twice_in_order() {
        let text = "[defaults]\ncrypt_style = md5\ncrypt_style = sha512\n";
        let s = parsed(&parse(text), "twice");
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].line, s[0].value.as_str()), (2, "md5"));
        assert_eq!((s[1].line, s[1].value.as_str()), (3, "sha512"));
    }

    #[test]
    fn a_line_that_is_not_ini_is_malformed() {
        for (line, says) in [
            ("crypt_style sha512", "neither"),
            ("[defaults", "does not end"),
            ("[]", "not a section name"),
            ("[a]b]", "not a section name"),
            ("= sha512", "no key"),
            ("ENCRYPT_METHOD SHA512", "neither"),
        ] {
            let text = format!("[defaults]\nmodules = files\n{line}\n");
            let m = malformed(&parse(&text), line);
            assert_eq!(m.line, 3, "{line}");
            assert!(m.reason.contains(says), "{line}: {}", m.reason);
        }
    }

    #[test]
    fn collector_messages_are_not_applicable() {
        let na = not_applicable(
            &parse("cat: /etc/libuser.conf: No such file or directory\n"),
            "missing",
        );
        assert_eq!(na.kind, Absence::ToolMissing);
        assert_eq!(not_applicable(&parse(""), "empty").kind, Absence::Empty);
        assert!(parsed(&parse("# nothing set\n"), "comments only").is_empty());
    }

    #[test]
    fn serialises_as_tagged_outcome() {
        let json = serde_json::to_value(parse("[defaults]\ncrypt_style = sha512\n")).unwrap();
        assert_eq!(json["outcome"], "parsed");
        assert_eq!(json["records"][0]["section"], "defaults");
        assert_eq!(json["records"][0]["key"], "crypt_style");
        assert_eq!(json["records"][0]["value"], "sha512");
        assert_eq!(json["records"][0]["line"], 2);
    }

    #[test]
    fn never_panics_on_truncated_junk_or_non_ascii_input() {
        let mut inputs: Vec<String> = vec![
            "[défauts]\nclé = välue\n".into(),
            "[日本]\n鍵=値\n".into(),
            "[\n]\n[[]]\n=\n==\n[é\n".into(),
            "\u{feff}[defaults]\n\u{0}=\u{0}\n".into(),
        ];
        for seed in 1..=8 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 2048)).into_owned());
            inputs.push(String::from_utf8_lossy(&lcg_junk(seed as u32, 2048)).into_owned());
        }
        for (_, text) in samples("libuser-conf") {
            inputs.push(text);
        }
        parse_every_prefix(&inputs, parse);
    }
}
