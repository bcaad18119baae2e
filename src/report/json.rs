//! The JSON report: every evaluation, passing ones included (compliance
//! needs them), with the stamps of the run. Also renders a diff.

use super::pieces::write_pieces;
use super::{Digests, PolicyFiles, Provenance, Report, Summary, Tool};
use crate::engine::shard::ShardData;
use crate::model::Evaluations;
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

/// Evaluations rendered as one piece (see `super::pieces`).
const PIECE: usize = 256;

/// Where the evaluations go in the head's text.
const EMPTY_EVALUATIONS: &str = "\n  \"evaluations\": []";

/// The bytes of [`write_json`] of a report, its evaluations rendered in
/// parallel (in the current rayon pool) a piece at a time
/// (`super::pieces`): serialising a million evaluations one after the
/// other was a serial tail of a large run. Each evaluation is serialised alone (a plain one from its parts,
/// `Evaluations::json`) and indented as the array element it is (JSON strings hold no raw newline, so
/// indenting after each newline is exact).
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

/// `[`, the elements, `]`, as serde_json's pretty printer writes an array
/// two levels deep.
fn write_evaluations(
    evaluations: &Evaluations,
    out: &mut (dyn Write + Send),
) -> std::io::Result<()> {
    if evaluations.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    let count = evaluations.len();
    write_pieces(
        count.div_ceil(PIECE),
        |piece| render_elements(evaluations, piece * PIECE..((piece + 1) * PIECE).min(count)),
        out,
    )?;
    out.write_all(b"\n  ]")
}

/// Each evaluation of `part` as an element of the array: a comma unless it
/// is the first, a newline, four spaces, its pretty JSON with every line
/// indented.
fn render_elements(
    evaluations: &Evaluations,
    part: std::ops::Range<usize>,
) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(part.len() * 512);
    let mut one = Vec::with_capacity(1024);
    for i in part {
        buf.extend_from_slice(if i == 0 { b"\n    " } else { b",\n    " });
        one.clear();
        serde_json::to_writer_pretty(&mut one, &evaluations.json(i))?;
        for line in one.split_inclusive(|&b| b == b'\n') {
            buf.extend_from_slice(line);
            if line.ends_with(b"\n") {
                buf.extend_from_slice(b"    ");
            }
        }
    }
    Ok(buf)
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
}
