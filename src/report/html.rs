//! One self-contained HTML page (inline CSS and script, nothing fetched):
//! a grid of nodes per site and cluster coloured by the worst failing
//! severity, filters by severity, status and code, every evaluation with
//! its evidence and remediation, and the provenance of the run. The rows
//! are rendered here, so the page reads without script; the script only
//! filters them.

use super::{Report, by_subject, subject_heading};
use crate::model::{Evaluation, Scope, Severity, Status};
use std::collections::BTreeMap;
use std::fmt::Write;

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

pub fn render_html(report: &Report) -> String {
    let mut out = String::new();
    let title = format!("upcheck {} check", report.phase);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        esc(&title)
    );
    let _ = writeln!(
        out,
        "<header>\n<h1>{}</h1>\n<p id=\"summary\">{}</p>\n</header>",
        esc(&title),
        esc(&report.summary_line())
    );
    grid(&mut out, report);
    filters(&mut out, report);
    evaluations(&mut out, report);
    provenance(&mut out, report);
    let _ = write!(out, "<script>\n{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

/// `critical` … `info` for the worst failure, `unknown` when only checks
/// were left undecided, `ok` otherwise: the class that colours a tile.
fn worst_class(subject: &[&Evaluation]) -> &'static str {
    let worst = subject
        .iter()
        .filter(|e| e.status == Status::Fail)
        .map(|e| e.severity)
        .max();
    match worst {
        Some(s) => s.as_str(),
        None if subject.iter().any(|e| e.status == Status::Unknown) => "unknown",
        None => "ok",
    }
}

fn subject_id(index: usize) -> String {
    format!("subject-{index}")
}

fn grid(out: &mut String, report: &Report) {
    // site → cluster → tiles; groups (cluster, site, fleet scope) apart.
    let mut places: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut groups: Vec<String> = Vec::new();
    for (i, subject) in by_subject(&report.evaluations).iter().enumerate() {
        let head = subject[0];
        let fails = subject.iter().filter(|e| e.status == Status::Fail).count();
        let unknown = subject
            .iter()
            .filter(|e| e.status == Status::Unknown)
            .count();
        let class = worst_class(subject);
        // A group's tile names its scope: `cluster mra-east`, `fleet fixtures/demo`.
        let label = match head.scope {
            Scope::Node => head.node.to_string(),
            scope => format!("{} {}", scope.as_str(), head.node),
        };
        let tile = format!(
            "<a class=\"tile sev-{class}\" href=\"#{}\" data-worst=\"{class}\" data-subject=\"{}\">\
             <span class=\"name\">{}</span><span class=\"counts\">{fails} failed, {unknown} unknown</span></a>",
            subject_id(i),
            esc(&head.node),
            esc(&label),
        );
        if head.scope == Scope::Node {
            let site = head.site.as_deref().unwrap_or("(no site)").to_string();
            let cluster = head
                .cluster
                .as_deref()
                .unwrap_or("(no cluster)")
                .to_string();
            places.entry((site, cluster)).or_default().push(tile);
        } else {
            groups.push(tile);
        }
    }
    out.push_str("<section id=\"grid\">\n<h2>Nodes</h2>\n");
    let mut current_site: Option<&str> = None;
    for ((site, cluster), tiles) in &places {
        if current_site != Some(site.as_str()) {
            if current_site.is_some() {
                out.push_str("</div>\n");
            }
            let _ = writeln!(out, "<div class=\"site\"><h3>site {}</h3>", esc(site));
            current_site = Some(site);
        }
        let _ = writeln!(
            out,
            "<div class=\"cluster\"><h4>cluster {}</h4><div class=\"tiles\">{}</div></div>",
            esc(cluster),
            tiles.join("")
        );
    }
    if current_site.is_some() {
        out.push_str("</div>\n");
    }
    if !groups.is_empty() {
        let _ = writeln!(
            out,
            "<div class=\"site\"><h3>groups</h3><div class=\"tiles\">{}</div></div>",
            groups.join("")
        );
    }
    out.push_str("</section>\n");
}

fn filters(out: &mut String, report: &Report) {
    out.push_str("<section id=\"filters\">\n<h2>Evaluations</h2>\n");
    out.push_str("<label>severity <select id=\"filter-severity\"><option value=\"\">any</option>");
    for s in Severity::ALL {
        let _ = write!(out, "<option value=\"{s}\">{s}</option>");
    }
    out.push_str("</select></label>\n");
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
         placeholder=\"20002, 2xxxx, patch\"></label>\n",
    );
    let _ = writeln!(
        out,
        "<p><span id=\"shown-count\">{}</span> of <span id=\"total-count\">{}</span> evaluations shown</p>\n</section>",
        report
            .evaluations
            .iter()
            .filter(|e| matches!(e.status, Status::Fail | Status::Unknown | Status::Waived))
            .count(),
        report.evaluations.len()
    );
}

fn evaluations(out: &mut String, report: &Report) {
    out.push_str(
        "<table id=\"evaluations\">\n<thead><tr><th>subject</th><th>code</th><th>name</th>\
         <th>severity</th><th>status</th><th>finding</th></tr></thead>\n",
    );
    for (i, subject) in by_subject(&report.evaluations).iter().enumerate() {
        let _ = writeln!(
            out,
            "<tbody id=\"{}\"><tr class=\"subject\"><th colspan=\"6\">{}</th></tr>",
            subject_id(i),
            esc(&subject_heading(subject[0]))
        );
        for e in subject {
            row(out, e);
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n");
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
         <td class=\"sev sev-{sev}\">{sev}</td><td>{status}</td><td>{tag}{message}",
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

    #[test]
    fn escaping_covers_content_and_attributes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(esc("a\u{1b}[2Jb\u{0}"), "a\\e[2Jb\\0");
    }
}
