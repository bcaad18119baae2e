//! The JSON report: every evaluation, passing ones included (compliance
//! needs them), with the stamps of the run. Also renders a diff.

use super::pieces::{nested_formatter, write_array};
use super::{Digests, PolicyFiles, Provenance, Report, Summary, Tool};
use crate::engine::shard::ShardData;
use crate::model::Evaluations;
use crate::model::evaluations::{Json, PlainJson};
use serde::Serialize;
use std::io::Write;

/// Pretty-printed JSON of a report (or a diff), ending in a newline.
pub fn render_json<T: Serialize>(report: &T) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        // Serialising plain data cannot fail; say so loudly if it ever does.
        format!("{{\"error\": \"cannot serialise the report: {e}\"}}")
    });
    text.push('\n');
    text
}

/// The same JSON as [`render_json`], written as it is serialised.
pub fn write_json<T: Serialize>(report: &T, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}

/// The report's fields as JSON writes them, the evaluations left empty:
/// [`write_report_json`] writes them in their place.
#[derive(Serialize)]
struct Head<'a> {
    schema_version: &'a str,
    tool: &'a Tool,
    phase: &'a str,
    #[serde(flatten)]
    provenance: &'a Provenance,
    policy_files: &'a PolicyFiles,
    summary: &'a Summary,
    #[serde(skip_serializing_if = "Digests::is_empty")]
    digests: &'a Digests,
    evaluations: [(); 0],
    #[serde(skip_serializing_if = "Option::is_none")]
    shard: &'a Option<ShardData>,
}

/// Where the evaluations go in the head's text.
const EMPTY_EVALUATIONS: &str = "\n  \"evaluations\": []";

/// The bytes of [`write_json`] of a report, its evaluations rendered in
/// parallel (in the current rayon pool) a piece at a time
/// (`super::pieces`): serialising a million evaluations one after the
/// other was a serial tail of a large run. Each evaluation is written
/// alone, indented as the array element it is: a plain one from its parts
/// (`Evaluations::json`, [`write_plain_element`]), a whole one by serde.
pub fn write_report_json(report: &Report, out: &mut (dyn Write + Send)) -> std::io::Result<()> {
    let head = Head {
        schema_version: report.schema_version,
        tool: &report.tool,
        phase: report.phase,
        provenance: &report.provenance,
        policy_files: &report.policy_files,
        summary: &report.summary,
        digests: &report.digests,
        evaluations: [],
        shard: &report.shard,
    };
    let text = serde_json::to_string_pretty(&head)?;
    let end = text
        .find(EMPTY_EVALUATIONS)
        .map(|at| at + EMPTY_EVALUATIONS.len())
        .ok_or_else(|| std::io::Error::other("the report has no evaluations field"))?;
    // Up to `"evaluations": `, the list, then what follows its `[]`.
    out.write_all(&text.as_bytes()[..end - 2])?;
    write_evaluations(&report.evaluations, out)?;
    out.write_all(&text.as_bytes()[end..])?;
    out.write_all(b"\n")
}

/// The array of evaluations, two levels deep: a plain one written from
/// its parts (`Evaluations::json`, [`write_plain_element`]), a whole one
/// by serde.
fn write_evaluations(
    evaluations: &Evaluations,
    out: &mut (dyn Write + Send),
) -> std::io::Result<()> {
    let element = |i: usize, buf: &mut Vec<u8>| match evaluations.json(i) {
        Json::Plain(plain) => write_plain_element(&plain, buf),
        whole @ Json::Whole(_) => {
            let formatter = nested_formatter(2)?;
            Ok(whole.serialize(&mut serde_json::Serializer::with_formatter(buf, formatter))?)
        }
    };
    write_array(evaluations.len(), 2, element, out)
}

/// A plain evaluation (most of a large report) as [`nested_formatter`]
/// writes it two levels deep, its keys written as they stand and its
/// strings escaped only when they need it: serde's escaping of every key
/// and value, byte by byte, was most of the rendering.
fn write_plain_element(plain: &PlainJson, buf: &mut Vec<u8>) -> std::io::Result<()> {
    const KEY: &[u8] = b",\n      \"";
    buf.extend_from_slice(b"{\n      \"code\": ");
    buf.extend_from_slice(itoa::Buffer::new().format(plain.code).as_bytes());
    let entry = |buf: &mut Vec<u8>, key: &str, value: &str| {
        buf.extend_from_slice(KEY);
        buf.extend_from_slice(key.as_bytes());
        buf.extend_from_slice(b"\": ");
        write_json_str(buf, value)
    };
    entry(buf, "name", plain.name)?;
    entry(buf, "severity", plain.severity.as_str())?;
    entry(buf, "status", plain.status.as_str())?;
    entry(buf, "node", plain.node)?;
    entry(buf, "scope", plain.scope.as_str())?;
    if let Some(site) = plain.site {
        entry(buf, "site", site)?;
    }
    if let Some(cluster) = plain.cluster {
        entry(buf, "cluster", cluster)?;
    }
    entry(buf, "message", plain.message)?;
    buf.extend_from_slice(b",\n      \"evidence\": []");
    buf.extend_from_slice(b",\n      \"fingerprint\": \"");
    buf.extend_from_slice(&plain.fingerprint.digits());
    buf.extend_from_slice(b"\"\n    }");
    Ok(())
}

/// `text` as a JSON string: as it stands when no byte of it needs an
/// escape (none below a space, no quote, no backslash), else as serde
/// escapes it.
fn write_json_str(buf: &mut Vec<u8>, text: &str) -> std::io::Result<()> {
    if text.bytes().all(|b| b >= b' ' && b != b'"' && b != b'\\') {
        buf.push(b'"');
        buf.extend_from_slice(text.as_bytes());
        buf.push(b'"');
        return Ok(());
    }
    Ok(serde_json::to_writer(buf, text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parallel(report: &Report) -> String {
        let mut out = Vec::new();
        write_report_json(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_parallel_writer_writes_what_serde_writes() {
        for nodes in [0, 1, 3, 700] {
            let mut report = crate::report::complexity::report(nodes);
            assert_eq!(parallel(&report), render_json(&report), "{nodes} nodes");
            report.shard = Some(ShardData {
                index: 1,
                count: 2,
                fleet: "fleet".into(),
                selection: crate::policy::Selection::default(),
                roots: vec![],
                nodes: vec![],
                keys: vec!["a".into(), "b".into()],
            });
            assert_eq!(
                parallel(&report),
                render_json(&report),
                "{nodes} nodes, shard"
            );
        }
    }

    /// Strings that need escapes (quotes, backslashes, control bytes) and
    /// some that do not (other scripts, a DEL byte), with and without a
    /// site and cluster: the plain writer writes what serde writes.
    #[test]
    fn a_plain_element_is_written_as_serde_writes_it() {
        use crate::model::{Scope, Severity, Status, fingerprint};
        let texts = [
            "",
            "plain",
            "a \"quoted\" word",
            "back\\slash",
            "tab\there\nnewline\r\u{1}\u{1f}",
            "ünïcødé ✓ 日本",
            "del \u{7f} byte",
        ];
        for (i, text) in texts.iter().enumerate() {
            let other = texts[(i + 3) % texts.len()];
            let place = (i % 2 == 0).then_some(other);
            let plain = PlainJson {
                code: 10_000 + i as u32,
                name: text,
                severity: Severity::ALL[i % Severity::ALL.len()],
                status: [Status::Pass, Status::NotApplicable][i % 2],
                node: other,
                scope: Scope::Node,
                site: place,
                cluster: place.map(|_| *text),
                message: text,
                evidence: [],
                fingerprint: fingerprint(10_000, text, ""),
            };
            let mut fast = Vec::new();
            write_plain_element(&plain, &mut fast).unwrap();
            let mut serde = Vec::new();
            let formatter = nested_formatter(2).unwrap();
            (Json::Plain(plain))
                .serialize(&mut serde_json::Serializer::with_formatter(
                    &mut serde, formatter,
                ))
                .unwrap();
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                String::from_utf8(serde).unwrap()
            );
        }
    }
}
