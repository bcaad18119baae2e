//! `qpSSHKeyProv.pl --check` output: the check of the SSH keys exchanged
//! from the primary active CMP with every server of the Policy Management
//! topology (upgrade procedure §6.1.1 step 7, §7.1.1 step 6, §8.1.1 and
//! §9.1.1 step 4). The procedure's example of a good run:
//!
//! ```text
//! Connecting to admusr@mpe-1c (10.250.11.3) ...
//! Connecting to admusr@cmp-1b (10.250.11.2) ...
//! Connecting to admusr@mra-1a (10.250.11.4) ...
//! [13/16] Provisioning SSH keys on mra-1b (10.250.11.5) ...
//! [14/16] Provisioning SSH keys on mra-1a (10.250.11.4) ...
//! [15/16] Provisioning SSH keys on mpe-1c (10.250.11.3) ...
//! [16/16] Provisioning SSH keys on cmp-1b (10.250.11.2) ...
//! SSH keys are OK.
//! ```
//!
//! # Lines
//!
//! Leading and trailing blanks, CR line ends and blank lines are ignored.
//!
//! - `Connecting to USER@HOST (ADDRESS) ...`: a server the script reached
//!   for; the address in parentheses and the dots are optional.
//! - `[N/M] Provisioning SSH keys on HOST (ADDRESS) ...`: key `N` of `M`
//!   provisioned; `N` and `M` are integers, `1 <= N <= M`.
//! - `SSH keys are OK` (case-insensitive, with or without the final dot):
//!   the verdict of a good run. The run is good only when it is the last
//!   line of the output: a message after it (an error of a later server)
//!   means the check did not end well.
//! - Any other line is kept as a message in file order: the script's and
//!   ssh's errors (`Permission denied (publickey,password).`,
//!   `ssh: connect to host mpe-1c port 22: Connection timed out`) are the
//!   evidence of a bad run, so they are never skipped.
//!
//! A `Connecting to` line without `USER@HOST`, or a `[N/M]` counter that is
//! no pair of integers with `1 <= N <= M`, makes the file Malformed at that
//! line. An empty file, or one holding only a collector message (`bash:
//! qpSSHKeyProv.pl: command not found`), is NotApplicable.

use serde::Serialize;

use crate::parse::{Outcome, clipped, collector_message, numbered_lines};

/// What one run of the check printed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SshKeyCheck {
    /// `Connecting to` lines.
    pub connections: Vec<Peer>,
    /// `[N/M] Provisioning SSH keys on` lines.
    pub provisioned: Vec<Peer>,
    /// Lines that are none of the known forms, in file order.
    pub messages: Vec<Message>,
    /// The last non-blank line says `SSH keys are OK`.
    pub ok: bool,
    /// The last non-blank line, trimmed.
    pub last: Message,
}

/// A server named by the output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Peer {
    /// 1-based line.
    pub line: usize,
    pub user: Option<String>,
    pub host: String,
    pub address: Option<String>,
    /// `(N, M)` of a `[N/M]` counter.
    pub step: Option<(u32, u32)>,
}

/// A line kept as printed (trimmed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    pub line: usize,
    pub text: String,
}

/// Parses the output of `qpSSHKeyProv.pl --check`.
pub fn parse(text: &str) -> Outcome<SshKeyCheck> {
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let mut check = SshKeyCheck {
        connections: Vec::new(),
        provisioned: Vec::new(),
        messages: Vec::new(),
        ok: false,
        last: Message {
            line: 1,
            text: String::new(),
        },
    };
    for (no, raw) in numbered_lines(text) {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        check.last = Message {
            line: no,
            text: clipped(line, 300),
        };
        check.ok = is_ok(line);
        if let Some(rest) = line.strip_prefix("Connecting to ") {
            match peer(no, rest, None, true) {
                Some(p) => check.connections.push(p),
                None => {
                    return Outcome::malformed(
                        no,
                        format!(
                            "`Connecting to` names no USER@HOST: `{}`",
                            clipped(line, 80)
                        ),
                    );
                }
            }
        } else if let Some(rest) = line.strip_prefix('[') {
            match provisioning(no, rest) {
                Ok(p) => check.provisioned.push(p),
                Err(why) => return Outcome::malformed(no, why),
            }
        } else if !check.ok {
            check.messages.push(check.last.clone());
        }
    }
    Outcome::parsed(check)
}

/// `SSH keys are OK` with or without its dot.
fn is_ok(line: &str) -> bool {
    line.trim_end_matches('.')
        .trim_end()
        .eq_ignore_ascii_case("SSH keys are OK")
}

/// `N/M] Provisioning SSH keys on HOST (ADDRESS) ...` after the `[`.
fn provisioning(no: usize, rest: &str) -> Result<Peer, String> {
    let Some((counter, tail)) = rest.split_once(']') else {
        return Err(format!("`[` without `]`: `[{}`", clipped(rest, 80)));
    };
    let step = counter
        .split_once('/')
        .and_then(|(n, m)| Some((n.trim().parse::<u32>().ok()?, m.trim().parse::<u32>().ok()?)))
        .filter(|&(n, m)| n >= 1 && n <= m)
        .ok_or_else(|| {
            format!(
                "`[{}]` is no counter N/M with 1 <= N <= M",
                clipped(counter, 40)
            )
        })?;
    let tail = tail.trim_start();
    let host_part = ["Provisioning SSH keys on", "Provisioning SSH key on"]
        .iter()
        .find_map(|p| tail.strip_prefix(p))
        .ok_or_else(|| format!("a counter before `{}`", clipped(tail, 60)))?;
    peer(no, host_part, Some(step), false)
        .ok_or_else(|| "`Provisioning SSH keys on` names no server".to_string())
}

/// `[USER@]HOST [(ADDRESS)] [...]`; `needs_user` for `Connecting to`.
fn peer(no: usize, text: &str, step: Option<(u32, u32)>, needs_user: bool) -> Option<Peer> {
    let text = text.trim().trim_end_matches('.').trim_end();
    let (target, address) = match text.split_once('(') {
        Some((t, a)) => (t.trim(), a.split(')').next().map(|a| a.trim().to_string())),
        None => (text, None),
    };
    let (user, host) = match target.split_once('@') {
        Some((u, h)) => (Some(u.to_string()), h.to_string()),
        None if needs_user => return None,
        None => (None, target.to_string()),
    };
    let valid = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace);
    if !valid(&host) || user.as_deref().is_some_and(|u| !valid(u)) {
        return None;
    }
    Some(Peer {
        line: no,
        user,
        host,
        address: address.filter(|a| !a.is_empty()),
        step,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{self, doc_text_blocks, junk, parse_every_prefix, parsed};

    fn check(text: &str) -> SshKeyCheck {
        parsed(&parse(text), text)
    }

    #[test]
    fn the_documented_run_is_ok() {
        let blocks = doc_text_blocks(include_str!("ssh_key_check.rs"));
        let run = check(&blocks[0]);
        assert!(run.ok);
        assert_eq!(run.connections.len(), 3);
        assert_eq!(run.connections[0].user.as_deref(), Some("admusr"));
        assert_eq!(run.connections[0].host, "mpe-1c");
        assert_eq!(run.connections[0].address.as_deref(), Some("10.250.11.3"));
        assert_eq!(run.provisioned.len(), 4);
        assert_eq!(run.provisioned[3].step, Some((16, 16)));
        assert_eq!(run.provisioned[3].host, "cmp-1b");
        assert!(run.messages.is_empty());
        assert_eq!(run.last.line, 8);
    }

    #[test]
    fn the_seed_example_with_masked_addresses_and_crlf_is_ok() {
        let text = "Connecting to root@mpe-1c (10.250.zz.zz) ...\r\n\
                    [16/16] Provisioning SSH keys on cmp-1b (10.250.xx.xx) ...  \r\n\
                    \r\n  SSH keys are OK  \r\n\r\n";
        let run = check(text);
        assert!(run.ok);
        assert_eq!(run.connections[0].user.as_deref(), Some("root"));
        assert_eq!(run.last.line, 4);
    }

    #[test]
    fn an_error_after_the_verdict_or_without_it_is_not_ok() {
        let text = "Connecting to admusr@mpe-1c (10.250.11.3) ...\n\
                    Permission denied (publickey,password).\n\
                    [1/2] Provisioning SSH keys on mpe-1c (10.250.11.3) ...\n";
        let run = check(text);
        assert!(!run.ok);
        assert_eq!(run.messages.len(), 1);
        assert_eq!(run.messages[0].line, 2);
        let late = "SSH keys are OK.\nssh: connect to host mra-1a port 22: Connection timed out\n";
        let run = check(late);
        assert!(!run.ok);
        assert_eq!(run.last.line, 2);
        assert!(run.last.text.contains("timed out"));
    }

    #[test]
    fn a_stray_line_before_the_output_is_a_message() {
        let text = "Warning: Permanently added 'mpe-1c' (RSA) to the list of known hosts.\n\
                    Connecting to admusr@mpe-1c ...\nSSH keys are OK.\n";
        let run = check(text);
        assert!(run.ok);
        assert_eq!(run.messages.len(), 1);
        assert_eq!(run.connections[0].address, None);
    }

    #[test]
    fn bad_lines_are_malformed_at_their_line() {
        for (text, line, needle) in [
            ("Connecting to mpe-1c (10.0.0.1) ...\n", 1, "USER@HOST"),
            (
                "SSH keys are OK\n[3/2] Provisioning SSH keys on a ...\n",
                2,
                "1 <= N <= M",
            ),
            ("\n[x/2] Provisioning SSH keys on a ...\n", 2, "counter"),
            ("[1/2 Provisioning SSH keys on a\n", 1, "without `]`"),
            ("[1/2] Provisioning SSH keys on \n", 1, "names no server"),
            ("[1/2] Copying keys to a\n", 1, "a counter before"),
        ] {
            let m = testing::malformed(&parse(text), text);
            assert_eq!(m.line, line, "{text:?}");
            assert!(m.reason.contains(needle), "{text:?}: {}", m.reason);
        }
    }

    #[test]
    fn collector_messages_are_not_applicable() {
        let na = testing::not_applicable(&parse(""), "empty");
        assert_eq!(na.kind, Absence::Empty);
        let text = "bash: qpSSHKeyProv.pl: command not found\n";
        let na = testing::not_applicable(&parse(text), text);
        assert_eq!(na.kind, Absence::ToolMissing);
    }

    #[test]
    fn junk_and_cut_output_never_panic() {
        let mut texts: Vec<String> = (1..=16)
            .map(|s| String::from_utf8_lossy(&junk(s, 400)).into_owned())
            .collect();
        texts.extend(doc_text_blocks(include_str!("ssh_key_check.rs")));
        texts.push("[/]\n[1/]\n[]\nConnecting to @\nConnecting to a@ (\n".into());
        parse_every_prefix(&texts, parse);
    }
}
