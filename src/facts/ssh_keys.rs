//! The SSH key check run on the primary active CMP before the CMP upgrade
//! (`qpSSHKeyProv.pl --check`). It is run on one CMP for the whole
//! topology, so the file sits in one node's snapshot only: the fact is
//! present on every node, with `collected` false where there is no file, and
//! the rule that reads it combines the nodes of the fleet.

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, outcome_problem};
use super::spec::{Build, FactSpec, Fields, source};
use crate::parse::vendor::ssh_key_check;
use serde_json::json;

pub const SSH_KEY_CHECK: FactSpec = FactSpec {
    name: "ssh_key_check",
    always: false,
    build: Build::Node(build),
    diff: None,
    inputs: &["ssh-key-check"],
    summary: "The output of `qpSSHKeyProv.pl --check`: the servers it reached and whether it \
              ended in `SSH keys are OK`.",
    fields: Fields::Listed(&[
        (
            "collected",
            "bool",
            "the snapshot holds the check's output (false: no file; the rest is then null or empty)",
        ),
        ("file", "string|null", "the output read"),
        (
            "ok",
            "bool|null",
            "the last line of the output is `SSH keys are OK`",
        ),
        ("last", "map|null", "{text, source}: the last line printed"),
        (
            "servers",
            "list",
            "the servers named by `Connecting to` and `Provisioning SSH keys on` lines, each once, in order",
        ),
        (
            "messages",
            "list",
            "{text, source}: the other lines (errors of the script or of ssh)",
        ),
    ]),
};

pub fn build(facts: &mut NodeFacts) -> FactResult {
    let (shown, outcome) = match facts.parse("ssh-key-check", ssh_key_check::parse) {
        Ok(read) => read,
        Err(FactProblem::Missing { .. }) => {
            return Ok(json!({
                "collected": false, "file": null, "ok": null, "last": null,
                "servers": [], "messages": [],
            }));
        }
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
    let message =
        |m: &ssh_key_check::Message| json!({ "text": m.text, "source": source(&shown, m.line) });
    Ok(json!({
        "collected": true,
        "file": shown,
        "ok": run.ok,
        "last": message(&run.last),
        "servers": servers,
        "messages": run.messages.iter().map(message).collect::<Vec<_>>(),
    }))
}
