//! The SSH key check run on the primary active CMP before the CMP upgrade
//! (`qpSSHKeyProv.pl --check`). It is run on one CMP for the whole
//! topology, so the file sits in one node's snapshot only: the fact is
//! present on every node, with `collected` false where there is no file, and
//! the rule that reads it combines the nodes of the fleet.

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, outcome_problem};
use super::spec::{Build, FactSpec, Source, to_fact, typed};
use crate::parse::vendor::ssh_key_check;
use schemars::JsonSchema;
use serde::Serialize;

pub const SSH_KEY_CHECK: FactSpec = FactSpec {
    name: "ssh_key_check",
    always: false,
    build: Build::Node(build),
    diff: None,
    inputs: &["ssh-key-check"],
    summary: "The output of `qpSSHKeyProv.pl --check`: the servers it reached and whether it \
              ended in `SSH keys are OK`.",
    schema: typed::<SshKeyCheck>,
};

/// The `ssh_key_check` fact.
#[derive(Serialize, JsonSchema, Default)]
struct SshKeyCheck<'r> {
    /// the snapshot holds the check's output (false: no file; the rest is
    /// then null or empty)
    collected: bool,
    /// the output read
    file: Option<String>,
    /// the last line of the output is `SSH keys are OK`
    ok: Option<bool>,
    /// the last line printed
    last: Option<Message<'r>>,
    /// the servers named by `Connecting to` and `Provisioning SSH keys on`
    /// lines, each once, in order
    servers: Vec<&'r str>,
    /// the other lines (errors of the script or of ssh)
    messages: Vec<Message<'r>>,
}

/// A line of the output.
#[derive(Serialize, JsonSchema)]
struct Message<'r> {
    /// the line as printed
    text: &'r str,
    /// {file, line}
    source: Source,
}

impl<'r> Message<'r> {
    fn of(file: &str, m: &'r ssh_key_check::Message) -> Self {
        Message {
            text: &m.text,
            source: Source::new(file, m.line),
        }
    }
}

pub fn build(facts: &mut NodeFacts) -> FactResult {
    let (shown, outcome) = match facts.parse("ssh-key-check", ssh_key_check::parse) {
        Ok(read) => read,
        Err(FactProblem::Missing { .. }) => return to_fact(&SshKeyCheck::default()),
        Err(other) => return Err(other),
    };
    let Some(run) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    let mut servers: Vec<&str> = Vec::new();
    for peer in run.connections.iter().chain(&run.provisioned) {
        if !servers.contains(&peer.host.as_str()) {
            servers.push(&peer.host);
        }
    }
    to_fact(&SshKeyCheck {
        collected: true,
        file: Some(shown.clone()),
        ok: Some(run.ok),
        last: Some(Message::of(&shown, &run.last)),
        servers,
        messages: run
            .messages
            .iter()
            .map(|m| Message::of(&shown, m))
            .collect(),
    })
}
