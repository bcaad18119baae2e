//! One self-contained HTML page (inline CSS and script, nothing fetched):
//! a legend, filters by site, cluster, node, severity, status and code, a
//! grid of tiles (one per node and per cluster, site or fleet group,
//! coloured by the worst failing severity, the problems first and worst
//! first, the clean ones folded), every evaluation with its evidence and
//! remediation, and the provenance of the run. Tiles and rows are rendered
//! here, so the page reads without script; the script only filters them.

use super::pieces::write_pieces;
use super::{Report, subject_heading, subject_ranges};
use crate::model::{Brief, Evaluation, Scope, Severity, Status};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::io;
use std::ops::Range;

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// The tile classes from worst to best: what orders the grid and the rows.
const CLASSES: [&str; 6] = ["critical", "major", "minor", "info", "unknown", "ok"];

/// Subjects whose rows are rendered as one piece (see `super::pieces`).
const SUBJECTS_PER_PIECE: usize = 32;

/// One node, or one cluster, site or fleet group, told from the briefs of
/// its evaluations: they are made whole only while its rows are written.
struct Subject<'a> {
    /// Its position in report order: the id of its rows (`subject-3`).
    index: usize,
    /// The positions of its evaluations in the report.
    evaluations: Range<usize>,
    head: Brief<'a>,
    failed: usize,
    unknown: usize,
    class: &'static str,
    site: Option<&'a str>,
    cluster: Option<&'a str>,
}

/// The subjects, problems first and worst first, then report order. A
/// cluster group is placed in its members' site, so that the site filter
/// keeps it.
fn subjects(report: &Report) -> Vec<Subject<'_>> {
    let all = &report.evaluations;
    let site_of_cluster: BTreeMap<&str, &str> = all
        .briefs()
        .filter(|e| e.scope == Scope::Node)
        .filter_map(|e| Some((&**e.cluster?, &**e.site?)))
        .collect();
    let mut subjects: Vec<Subject> = subject_ranges(all)
        .into_iter()
        .enumerate()
        .map(|(index, evaluations)| {
            let head = all.brief(evaluations.start);
            let cluster = head.cluster.map(|c| &**c);
            let site = (head.site.map(|s| &**s))
                .or_else(|| cluster.and_then(|c| site_of_cluster.get(c).copied()));
            let count = |status| {
                (evaluations.clone())
                    .filter(|&i| all.brief(i).status == status)
                    .count()
            };
            Subject {
                index,
                class: worst_class(evaluations.clone().map(|i| all.brief(i))),
                failed: count(Status::Fail),
                unknown: count(Status::Unknown),
                evaluations,
                head,
                site,
                cluster,
            }
        })
        .collect();
    subjects.sort_by_key(|s| rank(s.class));
    subjects
}

fn rank(class: &str) -> usize {
    CLASSES.iter().position(|c| *c == class).unwrap_or(0)
}

/// The page of [`write_html`], whole.
pub fn render_html(report: &Report) -> String {
    let mut out = Vec::new();
    // Writing into a Vec<u8> cannot fail, and the page is UTF-8.
    let _ = write_html(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// The page, written as it is rendered: the rows of its subjects, which
/// hold every evaluation, rendered in parallel (in the current rayon pool)
/// a few subjects at a time.
pub fn write_html(report: &Report, out: &mut (dyn io::Write + Send)) -> io::Result<()> {
    write_html_in(report, out, SUBJECTS_PER_PIECE)
}

fn write_html_in(
    report: &Report,
    out: &mut (dyn io::Write + Send),
    subjects_per_piece: usize,
) -> io::Result<()> {
    let subjects = subjects(report);
    let mut head = String::new();
    let title = format!("upcheck {} check", report.phase);
    let _ = write!(
        head,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        esc(&title)
    );
    let _ = writeln!(
        head,
        "<header>\n<h1>{}</h1>\n<p id=\"summary\">{}</p>\n</header>",
        esc(&title),
        esc(&report.summary_line())
    );
    legend(&mut head, &subjects);
    filters(&mut head, report, &subjects);
    grid(&mut head, &subjects);
    head.push_str(
        "<section id=\"rows\">\n<h2>Evaluations</h2>\n\
         <table id=\"evaluations\">\n<thead><tr><th>subject</th><th>code</th><th>name</th>\
         <th>severity</th><th>status</th><th>finding</th></tr></thead>\n",
    );
    out.write_all(head.as_bytes())?;
    let pieces: Vec<&[Subject]> = subjects.chunks(subjects_per_piece.max(1)).collect();
    write_pieces(
        pieces.len(),
        |piece| {
            let mut rows = String::new();
            for s in pieces[piece] {
                subject_rows(&mut rows, report, s);
            }
            Ok(rows.into_bytes())
        },
        out,
    )?;
    let mut tail = String::from("</table>\n</section>\n");
    provenance(&mut tail, report);
    let _ = write!(tail, "<script>\n{SCRIPT}</script>\n</body>\n</html>\n");
    out.write_all(tail.as_bytes())
}

/// `critical` … `info` for the worst failure, `unknown` when only checks
/// were left undecided, `ok` otherwise: the class that colours a tile.
fn worst_class<'a>(subject: impl Iterator<Item = Brief<'a>> + Clone) -> &'static str {
    let worst = (subject.clone())
        .filter(|e| e.status == Status::Fail)
        .map(|e| e.severity)
        .max();
    match worst {
        Some(s) => s.as_str(),
        None if subject.into_iter().any(|e| e.status == Status::Unknown) => "unknown",
        None => "ok",
    }
}

fn subject_id(index: usize) -> String {
    format!("subject-{index}")
}

/// What each tile colour means, with how many tiles have it.
fn legend(out: &mut String, subjects: &[Subject]) {
    out.push_str("<ul id=\"legend\"><li>tiles by worst failure:</li>");
    for class in CLASSES {
        let tiles = subjects.iter().filter(|s| s.class == class).count();
        let meaning = match class {
            "unknown" => " (no failure, a check undecided)",
            "ok" => " (no failure, no unknown)",
            _ => "",
        };
        let _ = write!(
            out,
            "<li data-class=\"{class}\"><span class=\"swatch sev-{class}\"></span>\
             <strong>{class}</strong>{meaning} <span class=\"n\">{tiles}</span></li>"
        );
    }
    out.push_str("</ul>\n");
}

/// The tiles of the subjects with a problem, then the clean ones folded.
fn grid(out: &mut String, subjects: &[Subject]) {
    let (clean, problems): (Vec<&Subject>, Vec<&Subject>) =
        subjects.iter().partition(|s| s.class == "ok");
    let _ = writeln!(
        out,
        "<section id=\"grid\">\n<h2>Nodes and groups</h2>\n<div class=\"tiles\" id=\"problem-tiles\">{}</div>",
        problems.iter().map(|s| tile(s)).collect::<String>()
    );
    let _ = writeln!(
        out,
        "<details id=\"clean\"><summary><span id=\"clean-shown\">{n}</span> of {n} with no failure \
         and no unknown</summary><div class=\"tiles\">{}</div></details>\n</section>",
        clean.iter().map(|s| tile(s)).collect::<String>(),
        n = clean.len(),
    );
}

fn tile(s: &Subject) -> String {
    let head = &s.head;
    // A group's tile names its scope: `cluster mra-east`, `fleet fixtures/demo`.
    let (label, place) = match head.scope {
        Scope::Node => (
            head.node.to_string(),
            [s.site, s.cluster]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" / "),
        ),
        scope => (format!("{} {}", scope.as_str(), head.node), String::new()),
    };
    // A group's label already says what it is; only a node names its place.
    let place = if place.is_empty() {
        place
    } else {
        format!("<span class=\"place\">{}</span>", esc(&place))
    };
    format!(
        "<a class=\"tile sev-{class}\" href=\"#{id}\" data-worst=\"{class}\" data-subject=\"{}\" \
         data-rows=\"{id}\"><span class=\"name\">{}</span>{place}\
         <span class=\"counts\">{} failed, {} unknown</span></a>",
        esc(head.node),
        esc(&label),
        s.failed,
        s.unknown,
        class = s.class,
        id = subject_id(s.index),
    )
}

/// A `<select>` of `id` offering "any" and each value.
fn select<'a>(out: &mut String, label: &str, id: &str, values: impl Iterator<Item = &'a str>) {
    let _ = write!(
        out,
        "<label>{label} <select id=\"{id}\"><option value=\"\">any</option>"
    );
    for v in values {
        let _ = write!(out, "<option value=\"{0}\">{0}</option>", esc(v));
    }
    out.push_str("</select></label>\n");
}

fn filters(out: &mut String, report: &Report, subjects: &[Subject]) {
    out.push_str("<section id=\"filters\">\n<h2>Filters</h2>\n<p>");
    let sites: BTreeSet<&str> = subjects.iter().filter_map(|s| s.site).collect();
    let clusters: BTreeSet<&str> = subjects.iter().filter_map(|s| s.cluster).collect();
    select(out, "site", "filter-site", sites.into_iter());
    select(out, "cluster", "filter-cluster", clusters.into_iter());
    out.push_str(
        "<label>node or group <input id=\"filter-node\" type=\"search\" \
         placeholder=\"part of a name\"></label></p>\n<p>",
    );
    select(
        out,
        "severity",
        "filter-severity",
        Severity::ALL.iter().map(|s| s.as_str()),
    );
    out.push_str(
        "<label>status <select id=\"filter-status\">\
         <option value=\"problems\" selected>fail, unknown, waived</option>\
         <option value=\"\">any</option>",
    );
    for s in Status::ALL {
        let _ = write!(out, "<option value=\"{s}\">{s}</option>");
    }
    out.push_str("</select></label>\n");
    out.push_str(
        "<label>code or name <input id=\"filter-code\" type=\"search\" \
         placeholder=\"20002, 2xxxx, patch\"></label></p>\n",
    );
    let _ = writeln!(
        out,
        "<p><span id=\"shown-count\">{}</span> of <span id=\"total-count\">{}</span> evaluations shown</p>\n</section>",
        report
            .evaluations
            .briefs()
            .filter(|e| matches!(e.status, Status::Fail | Status::Unknown | Status::Waived))
            .count(),
        report.evaluations.len()
    );
}

/// A subject's rows, its evaluations made whole while they are written.
fn subject_rows(out: &mut String, report: &Report, s: &Subject) {
    let evaluations: Vec<_> = (s.evaluations.clone())
        .map(|i| report.evaluations.get(i))
        .collect();
    let _ = writeln!(
        out,
        "<tbody id=\"{}\" data-subject=\"{}\" data-site=\"{}\" data-cluster=\"{}\">\
         <tr class=\"subject\"><th colspan=\"6\">{}</th></tr>",
        subject_id(s.index),
        esc(s.head.node),
        esc(s.site.unwrap_or_default()),
        esc(s.cluster.unwrap_or_default()),
        esc(&subject_heading(&evaluations[0]))
    );
    for e in &evaluations {
        row(out, e);
    }
    out.push_str("</tbody>\n");
}

fn row(out: &mut String, e: &Evaluation) {
    let hidden = if matches!(e.status, Status::Fail | Status::Unknown | Status::Waived) {
        ""
    } else {
        " hidden"
    };
    let _ = write!(
        out,
        "<tr class=\"evaluation status-{status}\" data-severity=\"{sev}\" data-status=\"{status}\" \
         data-code=\"{code}\" data-name=\"{name}\"{hidden}><td>{node}</td><td>{code}</td><td>{name}</td>\
         <td class=\"sev\"><span class=\"sev-{sev}\">{sev}</span></td><td>{status}</td><td>{tag}{message}",
        status = e.status,
        sev = e.severity,
        code = e.code,
        name = esc(&e.name),
        node = esc(&e.node),
        tag = esc(super::baseline_tag(e)),
        message = esc(&e.message),
    );
    if let Some(w) = &e.waiver {
        let _ = write!(
            out,
            "<p class=\"waiver\">{}</p>",
            esc(&super::waiver_text(w))
        );
    }
    let has_details = !e.evidence.is_empty() || !e.caused_by.is_empty() || e.status == Status::Fail;
    if has_details {
        out.push_str("<details><summary>evidence and remediation</summary>");
        if !e.evidence.is_empty() {
            out.push_str("<ul class=\"evidence\">");
            for ev in &e.evidence {
                let place = ev.place();
                let _ = write!(out, "<li><code>{}</code>", esc(&place));
                if let Some(x) = &ev.excerpt {
                    let _ = write!(out, " <code>{}</code>", esc(x));
                }
                if !ev.context.is_empty() {
                    let _ = write!(out, "<pre>{}</pre>", esc(&ev.context.join("\n")));
                }
                out.push_str("</li>");
            }
            out.push_str("</ul>");
        }
        for cause in &e.caused_by {
            let _ = write!(
                out,
                "<p class=\"cause\">caused by {} on {}</p>",
                cause.code,
                esc(&cause.node)
            );
        }
        if e.status == Status::Fail && !e.remediation.is_empty() {
            let _ = write!(
                out,
                "<p class=\"remediation\"><strong>fix:</strong> {}</p>",
                esc(e.remediation.trim())
            );
        }
        out.push_str("</details>");
    }
    out.push_str("</td></tr>\n");
}

fn provenance(out: &mut String, report: &Report) {
    let p = &report.provenance;
    let _ = writeln!(
        out,
        "<section id=\"provenance\">\n<h2>Provenance</h2>\n<dl>\
         <dt>tool</dt><dd>{} {}</dd><dt>phase</dt><dd>{}</dd>\
         <dt>rules digest</dt><dd><code>{}</code></dd>\
         <dt>inputs digest</dt><dd><code>{}</code></dd>\
         <dt>generated at</dt><dd>{}</dd>\
         <dt>command line</dt><dd><code>{}</code></dd></dl>\n</section>",
        report.tool.name,
        report.tool.version,
        report.phase,
        esc(&p.rules_digest),
        esc(&p.inputs_digest),
        esc(&p.generated_at),
        esc(&p.command_line.join(" ")),
    );
}

/// Text for HTML content and quoted attributes; control characters, which
/// HTML forbids, are shown as in the other formats.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in crate::model::quote::xml_safe(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(report: &Report, subjects_per_piece: usize, threads: usize) -> String {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut out = Vec::new();
        pool.install(|| write_html_in(report, &mut out, subjects_per_piece))
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_page_is_the_same_however_its_rows_are_cut_and_rendered() {
        for nodes in [0, 1, 3, 300] {
            let mut report = crate::report::complexity::report(nodes);
            for (i, e) in report.evaluations.wholes_mut().enumerate() {
                if i % 2 == 0 {
                    e.message = format!("escape \u{1b}[31m <&> {i}").into();
                }
            }
            let whole = written(&report, usize::MAX, 1);
            assert!(whole.ends_with("</html>\n"), "{whole}");
            assert_eq!(whole.matches("<tbody").count(), nodes + nodes.div_ceil(2));
            for (subjects_per_piece, threads) in [(1, 1), (1, 8), (7, 2), (SUBJECTS_PER_PIECE, 8)] {
                assert!(
                    written(&report, subjects_per_piece, threads) == whole,
                    "{nodes} nodes, {subjects_per_piece} subjects a piece, {threads} threads"
                );
            }
        }
    }

    #[test]
    fn escaping_covers_content_and_attributes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(esc("a\u{1b}[2Jb\u{0}"), "a\\e[2Jb\\0");
    }
}
