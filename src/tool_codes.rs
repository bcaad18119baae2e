//! Codes 9xxxx: findings of the tool about its own inputs. They are always
//! `unknown` evaluations: something could not be checked, and says why.

use crate::model::Severity;

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
];

pub fn tool_code(code: u32) -> Option<&'static ToolCode> {
    TOOL_CODES.iter().find(|t| t.code == code)
}
