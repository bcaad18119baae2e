//! Keeps secrets out of every output: evidence excerpts pass through here.

use regex::Regex;
use std::sync::LazyLock;

/// What stands where a secret was.
pub const REDACTED: &str = "<redacted>";

/// crypt(3) hashes: `$id$[params$]salt$hash`, as in /etc/shadow.
static CRYPT_HASH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$(1|2[abxy]?|5|6|7|y|gy|sha1|md5)\$[^\s:]+").expect("valid regex")
});

/// Secret values in the forms configuration files, command lines and logs
/// write them, each with the part to keep in group 1: `password=…`,
/// `passwd: …`, `DB_PASSWORD=…`, `--password …`, `bindpw …`, `snmp-server
/// community …`, `secret …`, `Authorization: Basic …`, `Bearer …`, and the
/// password of `scheme://user:password@host`; group 2, where there is one,
/// is kept after the secret.
static SECRET_VALUES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // A key that names a secret, then `=` or `:`; the key may be part
        // of a longer name (`DB_PASSWORD`, `ldap_bind_secret`, `api-token`).
        r#"(?i)(\b[\w.-]*(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|community|bindpw|rootpw|credentials?)[\w.-]*\s*[=:]\s*)(?:"[^"]*"?|'[^']*'?|[^\s,;&]+)"#,
        // An option that takes a secret as its next word.
        r"(?i)(--?[\w-]*(?:password|passwd|passphrase|secret|token|api-?key|community)[\w-]*(?:\s+|=))[^\s-]\S*",
        // Keywords followed by the secret itself (ldap.conf, snmpd.conf,
        // network device configurations: `enable secret 5 …`, `username x
        // password 7 …`). A bare `password` or `secret` is a word of prose
        // too (`password hash`), so those need the type digit or `enable`.
        r"(?i)(\b(?:bindpw|rootpw|(?:ro|rw)?community)\s+)[^\s=:]\S*",
        r"(?i)(\b(?:secret|password|key-string)\s+[0-9]\s+)\S+",
        r"(?i)(\benable\s+(?:secret|password)\s+(?:[0-9]\s+)?)\S+",
        r"(?i)(\bauthorization\s*[:=]\s*(?:basic|digest|negotiate)\s+)\S+",
        r"(?i)(\bbearer\s+)[\w.~+/=-]+",
        r"([a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+(@)",
    ]
    .into_iter()
    .map(|re| Regex::new(re).expect("valid regex"))
    .collect()
});

/// A PEM private key, whole or cut short, on one line (a key pasted into a
/// setting with `\n` escapes) or several.
static PRIVATE_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?s)(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----).*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)",
    )
    .expect("valid regex")
});

/// A word every secret form above holds: most text has none, and one pass
/// over it then spares the ten patterns.
static HINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)pass|pwd|secret|token|api.?key|key-string|communit|bindpw|rootpw|credential|authoriz|bearer|://|\$|private key",
    )
    .expect("valid regex")
});

/// A line of `path` as it may be shown: in shadow files only what the
/// shadow parser lets out (a DES hash has no `$` to spot it by, and a hash
/// may sit in any field of a broken line), elsewhere `redact`.
pub fn redact_in(path: &str, line: &str) -> String {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    if file == "shadow" || file == "gshadow" {
        return crate::parse::linux::shadow::shown_line(line);
    }
    redact(line)
}

/// The line with hash bodies and secret values replaced by `<redacted>`;
/// the hash scheme and the name of a setting stay visible, since that is
/// what rules judge and what tells a reader which line it is.
pub fn redact(line: &str) -> String {
    if !HINT.is_match(line) {
        return line.to_string();
    }
    let mut text = PRIVATE_KEY.replace_all(line, "$1<redacted>").into_owned();
    text = CRYPT_HASH
        .replace_all(&text, "$$$1$$<redacted>")
        .into_owned();
    for re in SECRET_VALUES.iter() {
        if let std::borrow::Cow::Owned(t) = re.replace_all(&text, "$1<redacted>$2") {
            text = t;
        }
    }
    text
}

/// The lines (1-based, inclusive) of each PEM private key block of `text`,
/// from its BEGIN line to its END line or the end of the text.
pub fn private_key_blocks(text: &str) -> Vec<(usize, usize)> {
    let mut blocks = Vec::new();
    if !text.contains("PRIVATE KEY-----") {
        return blocks;
    }
    let mut start = None;
    let mut last = 0;
    for (i, line) in text.lines().enumerate() {
        last = i + 1;
        if start.is_none() && line.contains("-----BEGIN") && line.contains("PRIVATE KEY-----") {
            start = Some(last);
        }
        if let Some(first) = start
            && line.contains("-----END")
        {
            blocks.push((first, last));
            start = None;
        }
    }
    if let Some(first) = start {
        blocks.push((first, last));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_bodies_are_removed_and_schemes_kept() {
        let line = "root:$6$Xy7kQ2mZ$abcdefghijklmnopqrstuvwxyz0123456789:19800:0:99999:7:::";
        let r = redact(line);
        assert_eq!(r, "root:$6$<redacted>:19800:0:99999:7:::");
        assert!(!r.contains("Xy7kQ2mZ"));
        assert_eq!(redact("admusr:!$1$abcd$efgh:1"), "admusr:!$1$<redacted>:1");
    }

    #[test]
    fn shadow_lines_lose_the_whole_password_field() {
        assert_eq!(
            redact_in("n/etc/shadow", "root:abJ0dEsHaShXy:19800:0"),
            "root:<redacted-des>:19800:0"
        );
        assert_eq!(redact_in("etc/shadow", "root:hunter2"), "root:<redacted>");
        // A hash in any field, a piece of one as the name, a bad id.
        assert_eq!(
            redact_in("etc/shadow", "root::$6$SaLt$HaSh:19800:0:99999:7:::"),
            "root::<redacted>:19800:0:99999:7:::"
        );
        assert_eq!(
            redact_in("etc/shadow", "Xy7kQ2mZab/c:*:1:$1$SaLt$HaSh:abc.def/x:-1::"),
            "<redacted>:*:1:<redacted>:<redacted>:-1::"
        );
        assert_eq!(
            redact_in("etc/shadow", "bob:!!$6$SaLt$HaSh:1"),
            "bob:!!$6$<redacted>:1"
        );
        assert_eq!(
            redact_in("etc/shadow", "bob:$LongSecretNoDollar:1"),
            "bob:<redacted>:1"
        );
        assert_eq!(redact_in("etc/shadow", "abJ0dEsHaShXy"), "<redacted>");
        assert_eq!(
            redact_in("etc/login.defs", "ENCRYPT_METHOD MD5"),
            "ENCRYPT_METHOD MD5"
        );
    }

    #[test]
    fn secret_forms_are_removed_and_their_names_kept() {
        for (line, kept) in [
            ("password=hunter2", "password=<redacted>"),
            ("passwd: hunter2", "passwd: <redacted>"),
            ("DB_PASSWORD=hunter2", "DB_PASSWORD=<redacted>"),
            (
                "export db_password='two words'",
                "export db_password=<redacted>",
            ),
            (
                "mysql --password hunter2 -u root",
                "mysql --password <redacted> -u root",
            ),
            ("mysql --password=hunter2", "mysql --password=<redacted>"),
            ("bindpw hunter2", "bindpw <redacted>"),
            (
                "snmp-server community hunter2 RO",
                "snmp-server community <redacted> RO",
            ),
            (
                "rocommunity hunter2 default",
                "rocommunity <redacted> default",
            ),
            ("enable secret 5 hunter2", "enable secret 5 <redacted>"),
            (
                "username admin password 7 0822455D0A16",
                "username admin password 7 <redacted>",
            ),
            ("client_secret: hunter2", "client_secret: <redacted>"),
            (
                "Authorization: Bearer eyJhbGciOi.x-y_z",
                "Authorization: Bearer <redacted>",
            ),
            (
                "Authorization: Basic dXNlcjpodW50ZXIy",
                "Authorization: Basic <redacted>",
            ),
            (
                "GET https://admin:hunter2@example.net/x",
                "GET https://admin:<redacted>@example.net/x",
            ),
            (
                "key: \"-----BEGIN RSA PRIVATE KEY-----\\nMIIEhunter2\\n-----END RSA PRIVATE KEY-----\"",
                "key: \"-----BEGIN RSA PRIVATE KEY-----<redacted>\"",
            ),
            (
                "-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1r",
                "-----BEGIN OPENSSH PRIVATE KEY-----<redacted>",
            ),
        ] {
            assert_eq!(redact(line), kept, "{line}");
        }
        // Prose about passwords is not a secret.
        for prose in [
            "account root has a md5 password hash",
            "the password of admusr expires on day 20100",
            "password never set (!!)",
        ] {
            assert_eq!(redact(prose), prose);
        }
    }

    #[test]
    fn private_key_blocks_are_found_by_line() {
        let text = "a\n-----BEGIN PRIVATE KEY-----\nMIIE\nabcd\n-----END PRIVATE KEY-----\nb\n-----BEGIN EC PRIVATE KEY-----\nxyz\n";
        assert_eq!(private_key_blocks(text), [(2, 5), (7, 8)]);
        assert!(private_key_blocks("no key here").is_empty());
    }

    #[test]
    fn secret_settings_are_removed() {
        assert_eq!(
            redact("snmp community = public"),
            "snmp community = <redacted>"
        );
        assert_eq!(redact("Password: hunter2"), "Password: <redacted>");
        assert_eq!(redact("plain text line"), "plain text line");
    }
}
