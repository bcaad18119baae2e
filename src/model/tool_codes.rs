//! Codes 9xxxx: findings of the tool about its own inputs and policy files.
//! Those about inputs are `unknown` evaluations (something could not be
//! checked, and says why); those about waivers fail, so a waiver cannot
//! outlive its purpose unseen.

use crate::model::quote::clip_message;
use crate::model::redact::redact;
use crate::model::{Chain, Evaluation, Evidence, Scope, Severity, Status, fingerprint};

pub struct ToolCode {
    pub code: u32,
    pub name: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub explanation: &'static str,
    pub remediation: &'static str,
}

pub const SNAPSHOT_UNREADABLE: u32 = 90001;
pub const INPUT_MALFORMED: u32 = 90002;
pub const INPUT_UNREADABLE: u32 = 90003;
pub const RULE_ERROR: u32 = 90004;
pub const WAIVER_EXPIRED: u32 = 90005;
pub const WAIVER_UNUSED: u32 = 90006;
pub const LINK_REFUSED: u32 = 90007;
pub const INPUT_NOT_REGULAR: u32 = 90008;
pub const NODE_INPUT_LIMIT: u32 = 90009;
pub const HOSTNAME_AMBIGUOUS: u32 = 90010;
pub const EXPORT_ROW_UNMATCHED: u32 = 90011;

pub const TOOL_CODES: &[ToolCode] = &[
    ToolCode {
        code: SNAPSHOT_UNREADABLE,
        name: "snapshot-unreadable",
        title: "A snapshot, its node.json or the fleet's plan.toml cannot be read",
        severity: Severity::Major,
        explanation: "A path given on the command line does not exist, a folder cannot be walked, \
            a node.json is not a JSON object, or plan.toml is not valid TOML. The message names the \
            file and, where the parser knows it, the line. Checks of that node (or fleet) that need \
            the broken file are unknown; the run goes on with the rest.",
        remediation: "Fix or re-collect the named file, then run the check again.",
    },
    ToolCode {
        code: INPUT_MALFORMED,
        name: "input-malformed",
        title: "A collected file does not have the format its name promises",
        severity: Severity::Major,
        explanation: "The parser for the input rejected a line: a row with missing columns, a \
            value that is not a number, a file cut off by the collector. Every rule that needs the \
            input is unknown on that node. `upcheck parse KIND FILE` shows what the parser makes of \
            the file.",
        remediation: "Re-run the collector for the named command and check the file is complete.",
    },
    ToolCode {
        code: INPUT_UNREADABLE,
        name: "input-unreadable",
        title: "A collected file cannot be read, or holds only a collector error",
        severity: Severity::Major,
        explanation: "The file exists but reading it failed (permissions, a dangling link, larger \
            than the 64 MiB limit for one input), or the collector wrote its own error instead of \
            the command's output (`command not found`, an empty file).",
        remediation: "Re-collect the file as a user who can run the command and read the file.",
    },
    ToolCode {
        code: RULE_ERROR,
        name: "rule-evaluation-error",
        title: "A rule's expression failed while evaluating",
        severity: Severity::Major,
        explanation: "A CEL expression of the rule raised an error on this node's facts: a field \
            that is absent, a type mismatch (CEL does not mix int and double in arithmetic: use \
            `double(x)`), a division by zero. The rule's own evaluation is unknown with the same \
            reason.",
        remediation: "Fix the rule (see docs/writing-rules.md) or the input it read; \
            `upcheck facts NODE_DIR` shows the facts the expression saw.",
    },
    ToolCode {
        code: WAIVER_EXPIRED,
        name: "waiver-expired",
        title: "A waiver has expired",
        severity: Severity::Minor,
        explanation: "A `[[waiver]]` of waivers.toml is past its `expires` date (the date of the \
            run, SOURCE_DATE_EPOCH when set, decides). It no longer applies: the failures it \
            covered fail again, and this finding names the waiver, its line and how many failures \
            it would have covered.",
        remediation: "Fix the waived problem, or renew the waiver with a new expiry, reason and \
            approver.",
    },
    ToolCode {
        code: WAIVER_UNUSED,
        name: "waiver-unused",
        title: "A waiver matches no failure",
        severity: Severity::Info,
        explanation: "A live waiver of waivers.toml covers a rule that ran, but no failure of that \
            rule matched its node pattern or cluster: the problem is gone, or the pattern is \
            wrong. Waivers of rules that did not run (another phase, `--select`) are not judged.",
        remediation: "Remove the waiver, or correct its `node` or `cluster`.",
    },
    ToolCode {
        code: LINK_REFUSED,
        name: "snapshot-link-refused",
        title: "A link in a snapshot leads out of it, or to a folder discovery does not enter",
        severity: Severity::Major,
        explanation: "Links in a snapshot are resolved inside the node's own folder (or the \
            archive), never by the host's rules: a link that is absolute (`/etc/shadow`, `/`, \
            `/dev/zero`) or climbs out with `..` would read the host upcheck runs on, not the \
            node. Such a link is never followed or read; the input it stands for is unknown. \
            Discovery does not follow links either: a link to a folder or an archive met while \
            walking a fleet is reported here, so no node is dropped unseen.",
        remediation: "Re-collect with the link's target copied in place (`cp -L`), or give the \
            linked folder on the command line.",
    },
    ToolCode {
        code: INPUT_NOT_REGULAR,
        name: "input-not-regular-file",
        title: "A snapshot entry named like an input is a FIFO, socket or device",
        severity: Severity::Major,
        explanation: "Only regular files are inputs. A FIFO would block the read forever, a \
            device (`/dev/zero`) never ends; they are never opened. The input counts as \
            unreadable: the rules that need it are unknown.",
        remediation: "Re-collect the named file as a regular file.",
    },
    ToolCode {
        code: NODE_INPUT_LIMIT,
        name: "node-input-limit",
        title: "A node's inputs would hold more memory than the limit per node",
        severity: Severity::Major,
        explanation: "upcheck holds the text of every input a node's rules read until the node is \
            done; their total is bounded per node (256 MiB unless `--max-node-input-mib` says \
            otherwise), and the nodes evaluated at once are limited so that the whole run stays \
            under `--max-input-mib` (4096 MiB by default). The file that would pass the node's \
            limit is not read, and the rules that need it are unknown.",
        remediation: "Check why the inputs are that large (a runaway log, a wrong file \
            collected), or raise `--max-node-input-mib`.",
    },
    ToolCode {
        code: HOSTNAME_AMBIGUOUS,
        name: "hostname-ambiguous",
        title: "Two nodes of a fleet share a hostname, or a node's hostname is empty",
        severity: Severity::Major,
        explanation: "Reports, waivers, baselines and the pre/post comparison know a node by its \
            hostname: two snapshots under one name would have their results merged, and an \
            empty name matches nothing. The finding names every snapshot concerned. The nodes \
            are still checked.",
        remediation: "Fix `hostname` in the node.json of the snapshots named (or remove the \
            duplicate snapshot).",
    },
    ToolCode {
        code: EXPORT_ROW_UNMATCHED,
        name: "export-row-unmatched",
        title: "Rows of an NMS/DC export name an NE that has no snapshot",
        severity: Severity::Minor,
        explanation: "An export that covers many NEs (the NE list, the patch list, the task log, \
            the board storage of the DC or NMS) is split by its NE name/ID column and each row \
            is judged on the NE node it names. Rows that name no node of the fleet (by hostname, \
            or `ne_name` / `ne_id` of node.json), or that name no NE at all in a file shared by \
            many NEs, are checked on no node: this finding names the file, the NE and the lines. \
            See docs/snapshot-format.md, \"One NMS export for many NEs\".",
        remediation: "Collect a snapshot of the NE (a node.json with its hostname, or its NMS name \
            as `ne_name` or ID as `ne_id`), or correct the NE value in the export.",
    },
];

pub fn tool_code(code: u32) -> Option<&'static ToolCode> {
    TOOL_CODES.iter().find(|t| t.code == code)
}

/// An `unknown` evaluation of tool code `code`, with the code's name,
/// severity and remediation.
pub fn tool_evaluation(
    code: u32,
    node: &str,
    scope: Scope,
    key: &str,
    message: String,
    evidence: Vec<Evidence>,
) -> Evaluation {
    let tool = tool_code(code).expect("tool codes are defined");
    Evaluation {
        code,
        name: tool.name.into(),
        severity: tool.severity,
        status: Status::Unknown,
        node: node.into(),
        scope,
        site: None,
        cluster: None,
        // Tool messages quote paths, parser reasons and run-time errors.
        message: redact(&clip_message(&message)).into(),
        evidence,
        remediation: tool.remediation.into(),
        caused_by: vec![],
        fingerprint: fingerprint(code, node, key),
        waiver: None,
        baseline: None,
        key: key.into(),
        chain: Chain::Unlinked,
    }
}
