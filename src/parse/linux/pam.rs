//! PAM service files under `/etc/pam.d/`: `system-auth`, `password-auth`
//! (RHEL, authconfig or authselect), `common-password` (Debian) and the like.
//!
//! ```text
//! #%PAM-1.0
//! auth        required      pam_env.so
//! password    sufficient    pam_unix.so sha512 shadow nullok try_first_pass use_authtok
//! -session    optional      pam_systemd.so
//! session     [success=1 default=ignore] pam_succeed_if.so service in crond quiet use_uid
//! account     include       password-auth
//! @include common-password
//! ```
//!
//! A line is `type control module [args…]`. The type is `auth`, `account`,
//! `password` or `session` (any case; kept in lower case), optionally
//! prefixed with `-` (do not log a module that fails to load). The control is
//! a keyword (`required`, `requisite`, `sufficient`, `optional`, `include`,
//! `substack`) or a bracketed `[value=action …]` list, which holds spaces and
//! is kept whole as printed. For `include` and `substack` the module is the
//! name of the included file. Debian's `@include file` is kept with kind
//! `@include`, the file as module and an empty control.
//!
//! Read as libpam reads it: everything from a `#` to the end of the line is
//! a comment (so is a line starting with one), and a line ending in `\`
//! continues on the next, the backslash counting as a space; a line with a
//! comment ends the continuation. An argument starting with `[` runs to the
//! first `]` not written `\]` and may hold spaces; it is kept as printed.
//!
//! Not read: `/etc/pam.conf`, whose lines start with a service name
//! (`vsftpd auth required pam_unix.so`). A line masked by a collector
//! (`password ******** ********`) is Malformed: the stack it belonged to
//! cannot be known.

use serde::Serialize;

use crate::parse::{Outcome, collector_message, numbered_lines};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PamLine {
    /// 1-based line (the first, when continued with `\`).
    pub line: usize,
    /// `auth`, `account`, `password` or `session`, without a leading `-`;
    /// or `@include`.
    pub kind: String,
    /// The type had a leading `-`.
    pub optional_module: bool,
    /// `required`, `sufficient`, `include`, `[success=1 default=ignore]`, …
    /// as printed; empty for `@include`.
    pub control: String,
    /// `pam_unix.so` (or a path to it); for `include`, `substack` and
    /// `@include` the included file.
    pub module: String,
    pub args: Vec<String>,
}

const TYPES: [&str; 4] = ["auth", "account", "password", "session"];
const CONTROLS: [&str; 6] = [
    "required",
    "requisite",
    "sufficient",
    "optional",
    "include",
    "substack",
];

pub fn parse(text: &str) -> Outcome<Vec<PamLine>> {
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let mut entries = Vec::new();
    // A line being continued with `\`: where it started and what it holds.
    let mut pending: Option<(usize, String)> = None;
    for (no, raw) in numbered_lines(text) {
        let (content, commented) = match raw.split_once('#') {
            Some((before, _)) => (before, true),
            None => (raw, false),
        };
        let (start, mut logical) = pending.take().unwrap_or((no, String::new()));
        // libpam does not continue a line that holds a comment.
        let continued = if commented {
            None
        } else {
            content.trim_end_matches([' ', '\t']).strip_suffix('\\')
        };
        if let Some(body) = continued {
            logical.push_str(body);
            logical.push(' ');
            pending = Some((start, logical));
            continue;
        }
        logical.push_str(content);
        if logical.trim().is_empty() {
            continue;
        }
        match entry(start, &logical) {
            Ok(e) => entries.push(e),
            Err(reason) => return Outcome::malformed(start, reason),
        }
    }
    if let Some((start, _)) = pending {
        return Outcome::malformed(
            start,
            "the line ends with '\\' but the file ends before it continues",
        );
    }
    Outcome::parsed(entries)
}

fn entry(line: usize, text: &str) -> Result<PamLine, String> {
    let tokens = tokens(text)?;
    let mut rest = tokens.iter().map(String::as_str);
    let Some(first) = rest.next() else {
        return Err("the line holds no type".into());
    };
    if first == "@include" {
        let Some(file) = rest.next() else {
            return Err("@include names no file".into());
        };
        return Ok(PamLine {
            line,
            kind: first.to_string(),
            optional_module: false,
            control: String::new(),
            module: file.to_string(),
            args: rest.map(str::to_string).collect(),
        });
    }

    let (optional_module, kind) = match first.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, first),
    };
    let kind = kind.to_ascii_lowercase();
    if !TYPES.contains(&kind.as_str()) {
        let hint = match tokens.get(1) {
            Some(second) if is_type(second) => {
                ": this is the /etc/pam.conf layout (service name first), not a /etc/pam.d file"
            }
            _ => "",
        };
        return Err(format!(
            "{first:?} is not a PAM type (auth, account, password, session){hint}"
        ));
    }

    let Some(control) = rest.next() else {
        return Err(format!("{kind} line has no control and no module"));
    };
    check_control(control)?;
    let Some(module) = rest.next() else {
        return Err(format!("{kind} {control} line names no module"));
    };
    Ok(PamLine {
        line,
        kind,
        optional_module,
        control: control.to_string(),
        module: module.to_string(),
        args: rest.map(str::to_string).collect(),
    })
}

fn is_type(token: &str) -> bool {
    let t = token
        .strip_prefix('-')
        .unwrap_or(token)
        .to_ascii_lowercase();
    TYPES.contains(&t.as_str())
}

/// A control keyword (any case, as libpam compares them) or a bracketed
/// list of `value=action` pairs.
fn check_control(control: &str) -> Result<(), String> {
    if CONTROLS.iter().any(|c| c.eq_ignore_ascii_case(control)) {
        return Ok(());
    }
    if let Some(inner) = control.strip_prefix('[').and_then(|c| c.strip_suffix(']')) {
        let pairs: Vec<&str> = inner.split_whitespace().collect();
        let well_formed = |p: &&str| {
            p.split_once('=')
                .is_some_and(|(v, a)| !v.is_empty() && !a.is_empty())
        };
        if !pairs.is_empty() && pairs.iter().all(well_formed) {
            return Ok(());
        }
        return Err(format!(
            "control {control:?}: the brackets must hold value=action pairs"
        ));
    }
    // The insights collector masks every line that mentions a password.
    if control.len() >= 3 && control.chars().all(|c| c == '*') {
        return Err(format!(
            "control {control:?}: the line was masked by the collector, so what it configured is unknown"
        ));
    }
    Err(format!(
        "control {control:?} is not required, requisite, sufficient, optional, include, substack or [value=action …]"
    ))
}

/// Splits a logical line into tokens as libpam does: whitespace separated,
/// except that a token starting with `[` runs to the first `]` that is not
/// written `\]`, spaces included. Tokens are kept as printed.
fn tokens(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_whitespace() {
            chars.next();
            continue;
        }
        let mut token = String::new();
        if c == '[' {
            let mut closed = false;
            let mut escaped = false;
            for c in chars.by_ref() {
                token.push(c);
                if c == ']' && !escaped {
                    closed = true;
                    break;
                }
                escaped = c == '\\';
            }
            if !closed {
                return Err(format!("{token:?} opens '[' but never closes it"));
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_ascii_whitespace() {
                    break;
                }
                token.push(c);
                chars.next();
            }
        }
        out.push(token);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{
        junk, lcg_junk, malformed, not_applicable, parse_every_prefix, parsed, sample, samples,
    };

    fn pam(line: usize, kind: &str, control: &str, module: &str, args: &[&str]) -> PamLine {
        PamLine {
            line,
            kind: kind.into(),
            optional_module: false,
            control: control.into(),
            module: module.into(),
            args: args.iter().map(ToString::to_string).collect(),
        }
    }

    /// The `password … pam_unix.so` lines.
    fn unix_password(lines: &[PamLine]) -> Vec<&PamLine> {
        lines
            .iter()
            .filter(|l| l.kind == "password" && l.module == "pam_unix.so")
            .collect()
    }

    fn kinds(lines: &[PamLine]) -> Vec<&str> {
        lines.iter().map(|l| l.kind.as_str()).collect()
    }

    /// The session lines RHEL 7 authconfig writes, from line `at`.
    fn rhel7_sessions(at: usize) -> Vec<PamLine> {
        vec![
            pam(at, "session", "optional", "pam_keyinit.so", &["revoke"]),
            pam(at + 1, "session", "required", "pam_limits.so", &[]),
            PamLine {
                optional_module: true,
                ..pam(at + 2, "session", "optional", "pam_systemd.so", &[])
            },
            pam(
                at + 3,
                "session",
                "[success=1 default=ignore]",
                "pam_succeed_if.so",
                &["service", "in", "crond", "quiet", "use_uid"],
            ),
            pam(at + 4, "session", "required", "pam_unix.so", &[]),
        ]
    }

    #[test]
    fn every_pam_sample_has_its_expected_outcome() {
        for (name, text) in samples("pam-system-auth") {
            let out = parse(&text);
            match name.as_str() {
                "login-pam-ic-test.txt" => {
                    let r = parsed(&out, &name);
                    assert_eq!(r.len(), 9);
                    assert_eq!(
                        r[0],
                        pam(
                            2,
                            "auth",
                            "[user_unknown=ignore success=ok ignore=ignore default=bad]",
                            "pam_securetty.so",
                            &[]
                        )
                    );
                    assert_eq!(r[1], pam(3, "auth", "substack", "system-auth", &[]));
                    // The password stack is system-auth's: no pam_unix here.
                    assert_eq!(r[5], pam(7, "password", "include", "system-auth", &[]));
                    assert!(unix_password(&r).is_empty());
                    assert_eq!(
                        r[6],
                        pam(9, "session", "required", "pam_selinux.so", &["close"])
                    );
                }
                "pam-conf-ic-test.txt" => {
                    // /etc/pam.conf, not a pam.d file: every line starts with
                    // a service name (`vsftpd auth required …`).
                    let m = malformed(&out, &name);
                    assert_eq!(m.line, 2);
                    assert!(m.reason.contains("\"vsftpd\""), "{}", m.reason);
                    assert!(m.reason.contains("/etc/pam.conf layout"), "{}", m.reason);
                }
                "password-auth-ic-test.txt" => {
                    let r = parsed(&out, &name);
                    assert_eq!(r.len(), 17);
                    assert_eq!(
                        unix_password(&r),
                        [&pam(
                            17,
                            "password",
                            "sufficient",
                            "pam_unix.so",
                            &[
                                "sha512",
                                "shadow",
                                "nullok",
                                "try_first_pass",
                                "use_authtok"
                            ]
                        )]
                    );
                    assert_eq!(
                        r[4],
                        pam(
                            8,
                            "auth",
                            "[default=die]",
                            "pam_faillock.so",
                            &[
                                "authfail",
                                "deny=3",
                                "unlock_time=604800",
                                "fail_interval=900"
                            ]
                        )
                    );
                    assert_eq!(r[10].module, "pam_cracklib.so");
                    assert_eq!(r[10].args.last().map(String::as_str), Some("minlen=12"));
                    assert!(r.iter().all(|l| !l.optional_module));
                }
                "password-auth-ica-rhel67.txt" | "password-auth-ica-rhel7.txt" => {
                    // The insights collector replaced every word of the
                    // password lines with `********`: the password stack of
                    // these hosts is unknown.
                    let m = malformed(&out, &name);
                    assert_eq!(m.line, 14);
                    assert!(m.reason.contains("masked by the collector"), "{}", m.reason);
                }
                "sshd-pam-ic-doc.txt" => {
                    let r = parsed(&out, &name);
                    assert_eq!(r.len(), 15);
                    assert_eq!(r[1], pam(3, "auth", "substack", "password-auth", &[]));
                    assert_eq!(
                        r[3],
                        PamLine {
                            optional_module: true,
                            ..pam(6, "auth", "optional", "pam_reauthorize.so", &["prepare"])
                        }
                    );
                    assert_eq!(r[6], pam(9, "password", "include", "password-auth", &[]));
                    assert!(unix_password(&r).is_empty());
                    let last = r.last().unwrap();
                    assert_eq!((last.line, last.optional_module), (20, true));
                    assert_eq!(r[9].args, ["open", "env_params"]);
                    assert_eq!(r[9].line, 14);
                }
                "system-auth-ac-centos7-md5.txt" => {
                    let r = parsed(&out, &name);
                    assert_eq!(r.len(), 16);
                    // The weak hash this sample was kept for.
                    assert_eq!(
                        unix_password(&r),
                        [&pam(
                            15,
                            "password",
                            "sufficient",
                            "pam_unix.so",
                            &[
                                "md5",
                                "shadow",
                                "nullok",
                                "try_first_pass",
                                "use_authtok",
                                "remember=5"
                            ]
                        )]
                    );
                    // `authtok_type=` with an empty value is an argument as printed.
                    assert_eq!(r[8].args.last().map(String::as_str), Some("authtok_type="));
                    assert_eq!(r[11..], rhel7_sessions(18)[..]);
                }
                "system-auth-ac-rhel6-hardened.txt" => {
                    let r = parsed(&out, &name);
                    assert_eq!(r.len(), 16);
                    assert_eq!(
                        unix_password(&r),
                        [&pam(
                            16,
                            "password",
                            "sufficient",
                            "pam_unix.so",
                            &[
                                "sha512",
                                "shadow",
                                "nullok",
                                "try_first_pass",
                                "use_authtok",
                                "remember=5"
                            ]
                        )]
                    );
                    assert_eq!(r[9].module, "pam_cracklib.so");
                    assert!(r[9].args.iter().any(|a| a == "reject_username"));
                    assert_eq!(r.last().unwrap().line, 22);
                }
                "system-auth-sos-rhcos-authselect.txt" => {
                    let r = parsed(&out, &name);
                    assert_eq!(r.len(), 12);
                    assert_eq!(
                        kinds(&r),
                        [
                            "auth", "auth", "auth", "account", "password", "password", "password",
                            "session", "session", "session", "session", "session"
                        ]
                    );
                    // authselect orders the arguments differently from authconfig.
                    assert_eq!(
                        unix_password(&r),
                        [&pam(
                            11,
                            "password",
                            "sufficient",
                            "pam_unix.so",
                            &[
                                "try_first_pass",
                                "use_authtok",
                                "nullok",
                                "sha512",
                                "shadow"
                            ]
                        )]
                    );
                    assert_eq!(r[7..], rhel7_sessions(14)[..]);
                }
                "system-auth-tcb-centos7-hardened.txt" => {
                    // No `#%PAM-1.0` header: the file starts with a rule.
                    let r = parsed(&out, &name);
                    assert_eq!(r.len(), 19);
                    assert_eq!(r[0].line, 1);
                    assert_eq!(
                        unix_password(&r),
                        [&pam(
                            15,
                            "password",
                            "sufficient",
                            "pam_unix.so",
                            &[
                                "sha512",
                                "shadow",
                                "nullok",
                                "try_first_pass",
                                "use_authtok"
                            ]
                        )]
                    );
                    assert_eq!(
                        r[11],
                        pam(
                            14,
                            "password",
                            "requisite",
                            "pam_pwhistory.so",
                            &["debug", "use_authtok", "remember=5", "retry=5"]
                        )
                    );
                    assert_eq!(
                        r[1],
                        pam(
                            2,
                            "auth",
                            "required",
                            "pam_tally2.so",
                            &["deny=5", "unlock_time=1200"]
                        )
                    );
                    assert_eq!(r[14..], rhel7_sessions(18)[..]);
                }
                other => panic!("sample {other} has no expectation: add one to this test"),
            }
        }
    }

    #[test]
    fn the_masked_samples_read_up_to_the_masked_line() {
        // What precedes the masked lines is ordinary PAM.
        let text = sample("pam-system-auth", "password-auth-ica-rhel7.txt");
        let head: String = text.lines().take(13).flat_map(|l| [l, "\n"]).collect();
        let r = parsed(&parse(&head), "head");
        assert_eq!(r.len(), 8);
        assert_eq!(
            r[2],
            pam(
                6,
                "auth",
                "requisite",
                "pam_succeed_if.so",
                &["uid", ">=", "1000", "quiet_success"]
            )
        );
    }

    #[test]
    fn debian_include_lines() {
        let text = "\
# /etc/pam.d/passwd
@include common-password
password [success=1 default=ignore] pam_unix.so obscure yescrypt
password requisite pam_deny.so
";
        let r = parsed(&parse(text), "debian");
        assert_eq!(r[0], pam(2, "@include", "", "common-password", &[]));
        assert_eq!(
            r[1],
            pam(
                3,
                "password",
                "[success=1 default=ignore]",
                "pam_unix.so",
                &["obscure", "yescrypt"]
            )
        );
        let m = malformed(&parse("@include\n"), "bare include");
        assert_eq!(m.line, 1);
        assert!(m.reason.contains("no file"), "{}", m.reason);
    }

    #[test]
    fn comments_anywhere_and_continued_lines() {
        let text = "\
#%PAM-1.0
password sufficient pam_unix.so sha512 shadow # remember=5 was here
password    requisite   pam_pwquality.so \\
            retry=3 \\
\tminlen=14
  # indented comment
session required pam_limits.so \\   
session required pam_unix.so\r
";
        let r = parsed(&parse(text), "continued");
        assert_eq!(
            r,
            [
                pam(
                    2,
                    "password",
                    "sufficient",
                    "pam_unix.so",
                    &["sha512", "shadow"]
                ),
                pam(
                    3,
                    "password",
                    "requisite",
                    "pam_pwquality.so",
                    &["retry=3", "minlen=14"]
                ),
                // A backslash followed by trailing blanks still continues;
                // the next line becomes arguments, as libpam reads it.
                pam(
                    7,
                    "session",
                    "required",
                    "pam_limits.so",
                    &["session", "required", "pam_unix.so"]
                ),
            ]
        );
        // A comment ends a continuation.
        let text = "auth required pam_env.so \\ # note\nauth required pam_deny.so\n";
        let r = parsed(&parse(text), "comment ends");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].args, ["\\"]);
        assert_eq!(r[1].line, 2);
        // A continuation that runs off the end of the file.
        let m = malformed(
            &parse("auth required pam_env.so\nauth required \\\n"),
            "eof",
        );
        assert_eq!(m.line, 2);
        assert!(m.reason.contains("file ends"), "{}", m.reason);
    }

    #[test]
    fn bracketed_controls_and_arguments_are_single_tokens() {
        let text = "\
auth [success=done new_authtok_reqd=done default=die] pam_x.so [query=select a from b where c = 'd'] plain
auth [default=1\tignore=ignore] pam_y.so [a\\]b c] tail
session [success=1 default=ignore]pam_z.so
";
        let r = parsed(&parse(text), "brackets");
        assert_eq!(
            r[0].control,
            "[success=done new_authtok_reqd=done default=die]"
        );
        assert_eq!(
            r[0].args,
            ["[query=select a from b where c = 'd']", "plain"]
        );
        assert_eq!(r[1].control, "[default=1\tignore=ignore]");
        assert_eq!(r[1].args, ["[a\\]b c]", "tail"]);
        // libpam ends the bracket token at `]`, space or not.
        assert_eq!(r[2].module, "pam_z.so");
        // `[` inside a word is an ordinary character.
        let r = parsed(&parse("auth required pam_x.so a=[b c]\n"), "inner");
        assert_eq!(r[0].args, ["a=[b", "c]"]);
    }

    #[test]
    fn types_and_controls_are_read_without_regard_to_case() {
        let r = parsed(
            &parse("-AUTH Sufficient pam_sss.so\nPassword REQUIRED pam_deny.so\n"),
            "case",
        );
        assert_eq!((r[0].kind.as_str(), r[0].optional_module), ("auth", true));
        assert_eq!(r[0].control, "Sufficient");
        assert_eq!(
            (r[1].kind.as_str(), r[1].control.as_str()),
            ("password", "REQUIRED")
        );
    }

    #[test]
    fn unreadable_lines_are_malformed_with_their_line() {
        for (line, says) in [
            ("authentication required pam_unix.so", "not a PAM type"),
            ("- required pam_unix.so", "not a PAM type"),
            ("auth", "no control"),
            ("auth required", "names no module"),
            (
                "session requried pam_unix.so",
                "\"requried\" is not required",
            ),
            ("auth [default=die pam_faillock.so", "never closes"),
            ("auth [] pam_faillock.so", "value=action"),
            ("auth [die] pam_faillock.so", "value=action"),
            ("auth [=die] pam_faillock.so", "value=action"),
            ("password ******** ********", "masked by the collector"),
            ("password required pam_unix.so [sha512", "never closes"),
            ("sshd auth required pam_unix.so", "/etc/pam.conf layout"),
        ] {
            let text = format!("#%PAM-1.0\nauth required pam_env.so\n{line}\n");
            let m = malformed(&parse(&text), line);
            assert_eq!(m.line, 3, "{line}");
            assert!(m.reason.contains(says), "{line}: {}", m.reason);
        }
        // Continued lines report the line they start on.
        let m = malformed(&parse("auth \\\n required\n"), "continued");
        assert_eq!(m.line, 1);
    }

    #[test]
    fn collector_messages_are_not_applicable() {
        let na = not_applicable(
            &parse("cat: /etc/pam.d/system-auth: No such file or directory\n"),
            "missing",
        );
        assert_eq!(na.kind, Absence::ToolMissing);
        assert_eq!(not_applicable(&parse(""), "empty").kind, Absence::Empty);
        assert!(parsed(&parse("#%PAM-1.0\n"), "header only").is_empty());
    }

    #[test]
    fn serialises_as_tagged_outcome() {
        let json = serde_json::to_value(parse("-session optional pam_systemd.so debug\n")).unwrap();
        assert_eq!(json["outcome"], "parsed");
        let rec = &json["records"][0];
        assert_eq!(rec["kind"], "session");
        assert_eq!(rec["optional_module"], true);
        assert_eq!(rec["control"], "optional");
        assert_eq!(rec["module"], "pam_systemd.so");
        assert_eq!(rec["args"][0], "debug");
    }

    #[test]
    fn never_panics_on_truncated_junk_or_non_ascii_input() {
        let mut inputs: Vec<String> = vec![
            "auth required pam_ünix.so ärg=ü\n".into(),
            "auth [défault=dïe] pam_x.so\n".into(),
            "auth [日本=語] pam_x.so [引数 です]\n".into(),
            "password [\\]\n[\\\n]\\\n\\\n#\\\n".into(),
            "\u{feff}auth required pam_env.so\n".into(),
            "-\n@\n-@include\n[\n]\n\\\n".into(),
            "auth\u{3000}required\u{a0}pam_env.so\n".into(),
        ];
        for seed in 1..=8 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 2048)).into_owned());
            inputs.push(String::from_utf8_lossy(&lcg_junk(seed as u32, 2048)).into_owned());
        }
        for (_, text) in samples("pam-system-auth") {
            inputs.push(text);
        }
        parse_every_prefix(&inputs, parse);
    }
}
