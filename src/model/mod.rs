//! The vocabulary shared by the catalog, the engine and the reporters:
//! severities, phases, scopes, statuses and the evaluation record.

pub mod compact_json;
pub mod evaluations;
pub mod quote;
pub mod redact;
pub mod tool_codes;
pub mod vocabulary;

use clap::ValueEnum;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

pub use evaluations::{Brief, Evaluations};

/// The tool's name and version, stamped on reports and diffs.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Tool {
    #[schemars(extend("const" = "upcheck"))]
    pub name: &'static str,
    pub version: &'static str,
}

pub const TOOL: Tool = Tool {
    name: env!("CARGO_PKG_NAME"),
    version: env!("CARGO_PKG_VERSION"),
};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    ValueEnum,
    JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Minor,
    Major,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::Major,
        Severity::Minor,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Minor => "minor",
            Severity::Major => "major",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    ValueEnum,
    JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Pre,
    Post,
    Diagnose,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pre => "pre",
            Phase::Post => "post",
            Phase::Diagnose => "diagnose",
        }
    }
}

/// What one evaluation covers: one node, or a group of nodes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Node,
    Cluster,
    Site,
    Fleet,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Node => "node",
            Scope::Cluster => "cluster",
            Scope::Site => "site",
            Scope::Fleet => "fleet",
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Fail,
    Unknown,
    Waived,
    Pass,
    NotApplicable,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Fail,
        Status::Unknown,
        Status::Waived,
        Status::Pass,
        Status::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::NotApplicable => "not-applicable",
            Status::Waived => "waived",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a snapshot that shows why an evaluation ended as it did.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// Lines around `line` (log matches), `>` marking the line itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<String>,
}

impl Evidence {
    /// `path:line`, or the path alone when no line applies.
    pub fn place(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.path),
            None => self.path.clone(),
        }
    }
}

/// A root cause of a failure: a failing evaluation of `code` on `node`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct Cause {
    pub code: u32,
    pub node: Arc<str>,
}

/// The outcome of one rule on one node or group. Deserialised from shard
/// reports by `merge`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Evaluation {
    /// Five-digit rule code; 9xxxx are the tool's own findings.
    #[schemars(range(min = 10000, max = 99999))]
    pub code: u32,
    /// The rule's name. Shared with the rule and the node (`Arc`): every
    /// evaluation of a large run stays in memory, and these repeat in all
    /// of them.
    #[schemars(regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub name: Arc<str>,
    pub severity: Severity,
    pub status: Status,
    /// Hostname, or the group name for cluster, site and fleet scope.
    pub node: Arc<str>,
    pub scope: Scope,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<Arc<str>>,
    /// What was found. Shared where many evaluations say the same ("no finding").
    pub message: Arc<str>,
    pub evidence: Vec<Evidence>,
    /// The rule's, shared; empty unless the evaluation failed.
    #[serde(default, skip_serializing_if = "str_is_empty")]
    pub remediation: Arc<str>,
    /// Root causes found on the same node: failures this one follows from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caused_by: Vec<Cause>,
    /// md5 over code, node and the failing item: stable across rewordings.
    pub fingerprint: Fingerprint,
    /// The waiver that covers this failure (status `waived`). Boxed: few
    /// evaluations have one, and every evaluation stays in memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Box<WaiverNote>>,
    /// With `--baseline`: whether a failing, waived or unknown evaluation
    /// was in the baseline report with the same status (`known`) or not
    /// (`new`). Only new failures and new unknowns decide the exit code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineState>,
    /// The stable part of the fingerprint: which item of the rule failed.
    #[serde(skip)]
    pub key: Box<str>,
    /// Place in a chain of causes, for ranking: root causes first.
    #[serde(skip)]
    pub chain: Chain,
}

/// The waiver of a waived failure, as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WaiverNote {
    pub reason: String,
    pub approver: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// The day the waiver was written (YYYY-MM-DD).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub created: Option<String>,
    /// The last day the waiver applies (YYYY-MM-DD).
    #[schemars(extend("format" = "date"))]
    pub expires: String,
    /// Where the waiver is written: the waivers file and the line of its
    /// `[[waiver]]` header.
    #[schemars(with = "WaiverSource")]
    pub source: Evidence,
}

/// The JSON of a waiver's `source`: an `Evidence` that always has a line
/// and never an excerpt or context. Only the schema uses it.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct WaiverSource {
    /// The waivers file.
    path: String,
    /// The line of the waiver's `[[waiver]]` header.
    #[schemars(range(min = 1))]
    line: usize,
}

/// A failure compared with a baseline report, by fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BaselineState {
    New,
    Known,
}

/// Where an evaluation stands in a chain of causes on its node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Chain {
    /// A failure another failure is caused by, itself caused by none.
    RootCause,
    /// A failure caused by another.
    Consequence,
    #[default]
    Unlinked,
}

impl Evaluation {
    /// Order used by every reporter: nodes first (by name), then groups;
    /// within one, root causes, then their consequences, then the rest,
    /// each by code and the failing item, so output never depends on threads.
    pub fn sort_key(&self) -> (Scope, &str, Chain, u32, &str, Status, &str) {
        (
            self.scope,
            &self.node,
            self.chain,
            self.code,
            &self.key,
            self.status,
            &self.message,
        )
    }
}

fn str_is_empty(s: &Arc<str>) -> bool {
    s.is_empty()
}

/// md5 over code, node and the stable locator of the item — never over the
/// message, so rewording a rule keeps fingerprints.
pub fn fingerprint(code: u32, node: &str, key: &str) -> Fingerprint {
    use md5::{Digest, Md5};
    let mut h = Md5::new();
    // The code's decimal digits, without a String per evaluation.
    h.update(itoa::Buffer::new().format(code).as_bytes());
    h.update([0]);
    h.update(node.as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    Fingerprint(h.finalize().into())
}

/// An evaluation's fingerprint: kept as its 16 bytes (every evaluation of
/// a run stays in memory), written as 32 lowercase hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint([u8; 16]);

impl Fingerprint {
    /// The 32 lowercase hex digits.
    pub fn digits(&self) -> [u8; 32] {
        let mut digits = [0u8; 32];
        for (pair, &byte) in digits.chunks_exact_mut(2).zip(&self.0) {
            pair.copy_from_slice(&hex_pair(byte));
        }
        digits
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(std::str::from_utf8(&self.digits()).map_err(|_| fmt::Error)?)
    }
}

/// A fingerprint that is not 32 lowercase hex digits.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("fingerprint `{0}` is not 32 hex digits")]
pub struct FingerprintError(String);

impl std::str::FromStr for Fingerprint {
    type Err = FingerprintError;
    fn from_str(s: &str) -> Result<Self, FingerprintError> {
        let bad = || FingerprintError(s.to_string());
        if s.len() != 32 || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(bad());
        }
        let mut bytes = [0u8; 16];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(Fingerprint(bytes))
    }
}

/// Written as a plain string: a report writes one per evaluation, and
/// going through the formatter cost a sixth of rendering one.
impl Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let digits = self.digits();
        let text = std::str::from_utf8(&digits).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(text)
    }
}

impl JsonSchema for Fingerprint {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Fingerprint".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "pattern": "^[0-9a-f]{32}$" })
    }
}

impl<'de> Deserialize<'de> for Fingerprint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Lowercase hex, two digits a byte. Written digit by digit: a `{:02x}`
/// per byte went through the formatter 32 times for each input digest
/// and each fingerprint of a report.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for [high, low] in bytes.iter().map(|&b| hex_pair(b)) {
        out.push(char::from(high));
        out.push(char::from(low));
    }
    out
}

/// The two lowercase hex digits of a byte.
fn hex_pair(byte: u8) -> [u8; 2] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    [
        DIGITS[usize::from(byte >> 4)],
        DIGITS[usize::from(byte & 0xf)],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every evaluation of a run is held until the report is written, about
    /// a million at 20,000 nodes: each byte here is a megabyte of peak
    /// memory there (docs/performance.md). Shared text stays `Arc`'d and
    /// rare parts boxed.
    #[test]
    fn an_evaluation_does_not_grow() {
        let size = std::mem::size_of::<Evaluation>();
        assert!(size <= 200, "an Evaluation is {size} bytes");
    }

    #[test]
    fn hex_is_two_lowercase_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        let bytes: [u8; 16] = core::array::from_fn(|i| (i * 17) as u8);
        assert_eq!(Fingerprint(bytes).to_string(), hex(&bytes));
        assert_eq!(hex(&bytes), "00112233445566778899aabbccddeeff");
    }

    #[test]
    fn a_fingerprint_is_the_md5_of_code_node_and_key() {
        use md5::{Digest, Md5};
        for code in [0, 7, 10, 20002, 90001, u32::MAX] {
            let text = format!("{code}\0ne-a\0board 3");
            let expected: [u8; 16] = Md5::digest(text.as_bytes()).into();
            assert_eq!(fingerprint(code, "ne-a", "board 3"), Fingerprint(expected));
        }
    }

    #[test]
    fn fingerprints_read_back_as_written_and_refuse_anything_else() {
        let f = fingerprint(20002, "ne-a", "board 3");
        let text = f.to_string();
        assert_eq!(text.len(), 32);
        assert_eq!(text.parse::<Fingerprint>(), Ok(f));
        assert_eq!(serde_json::to_string(&f).unwrap(), format!("\"{text}\""));
        let back: Fingerprint = serde_json::from_str(&format!("\"{text}\"")).unwrap();
        assert_eq!(back, f);
        for bad in [
            "fp",
            "+123456789abcdef0123456789abcdef",
            &text.to_uppercase(),
            &text[1..],
        ] {
            assert!(bad.parse::<Fingerprint>().is_err(), "{bad}");
        }
    }
}
