//! Every format renders in time linear in the fleet: 4× the nodes in
//! less than 6× the time (a quadratic part shows as up to 16×). Measured
//! as the fastest of interleaved repetitions in process, and again, longer,
//! before it fails, so that a loaded machine cannot fail a linear format.

use super::*;
use crate::model::{Chain, Evidence, fingerprint};
use std::time::{Duration, Instant};

/// A report of `nodes` nodes in two-node clusters and fifty-node sites,
/// each node with passing checks, a root cause and the failures it
/// causes, an unknown with evidence; each cluster a failure without
/// evidence (located at a member's file).
pub(super) fn report(nodes: usize) -> Report {
    let mut evaluations = Vec::new();
    let mut places = BTreeMap::new();
    let evaluation = |code, node: &str, scope, status, cluster: &str, site: &str| Evaluation {
        code,
        name: "check".into(),
        severity: Severity::Major,
        status,
        node: node.into(),
        scope,
        site: Some(site.into()),
        cluster: Some(cluster.into()),
        message: "no finding".into(),
        evidence: vec![],
        remediation: "fix it".into(),
        caused_by: vec![],
        fingerprint: fingerprint(code, node, ""),
        waiver: None,
        baseline: None,
        key: "".into(),
        chain: Chain::Unlinked,
    };
    for i in 0..nodes {
        let (node, cluster, site) = (
            format!("n{i}"),
            format!("c{}", i / 2),
            format!("s{}", i / 50),
        );
        places.insert(node.clone(), format!("fleet/{node}/node.json"));
        let add = |code, status| evaluation(code, &node, Scope::Node, status, &cluster, &site);
        for code in 10000..10030 {
            evaluations.push(add(code, Status::Pass));
        }
        let mut root = add(40001, Status::Fail);
        root.chain = Chain::RootCause;
        evaluations.push(root);
        for code in 40002..40008 {
            let mut symptom = add(code, Status::Fail);
            symptom.caused_by = vec![Cause {
                code: 40001,
                node: node.as_str().into(),
            }];
            symptom.chain = Chain::Consequence;
            evaluations.push(symptom);
        }
        let mut unknown = add(50001, Status::Unknown);
        unknown.evidence = vec![Evidence {
            path: format!("fleet/{node}/commands/ntpq_-np"),
            line: Some(3),
            excerpt: Some("x".into()),
            context: vec![],
        }];
        evaluations.push(unknown);
    }
    for c in 0..nodes.div_ceil(2) {
        let cluster = format!("c{c}");
        let site = format!("s{}", c * 2 / 50);
        evaluations.push(evaluation(
            20016,
            &cluster,
            Scope::Cluster,
            Status::Fail,
            &cluster,
            &site,
        ));
    }
    let provenance = Provenance {
        rules_digest: "sha256:0".into(),
        inputs_digest: "sha256:0".into(),
        generated_at: "2026-11-21T00:00:00Z".into(),
        command_line: vec!["upcheck".into(), "check".into()],
    };
    let mut report = Report::new(Phase::Pre, provenance, vec![], nodes, evaluations.into());
    report.places = Places { nodes: places };
    report
}

/// Every format, written as `check` writes it (JSON, JUnit, HTML and
/// SARIF streamed in pieces, the others rendered whole).
const FORMATS: &[(&str, ReportFormat)] = &[
    ("table", ReportFormat::Table),
    ("json", ReportFormat::Json),
    ("junit", ReportFormat::Junit),
    ("sarif", ReportFormat::Sarif),
    ("markdown", ReportFormat::Markdown),
    ("html", ReportFormat::Html),
    ("github", ReportFormat::Github),
    ("gitlab", ReportFormat::Gitlab),
];

fn written(format: ReportFormat, report: &Report) -> Vec<u8> {
    let options = TableOptions {
        width: DEFAULT_WIDTH,
        ..Default::default()
    };
    let mut out = Vec::new();
    format.write(report, options, &mut out).unwrap();
    out
}

fn time(format: ReportFormat, report: &Report) -> Duration {
    let start = Instant::now();
    std::hint::black_box(written(format, report));
    start.elapsed()
}

/// The fastest of `repetitions` interleaved renderings of the small and
/// the large report: a loaded machine only ever slows a rendering down,
/// so the fastest is the one closest to the work itself.
fn fastest(
    format: ReportFormat,
    small: &Report,
    large: &Report,
    repetitions: usize,
) -> (Duration, Duration) {
    let (mut s, mut l) = (Duration::MAX, Duration::MAX);
    for _ in 0..repetitions {
        s = s.min(time(format, small));
        l = l.min(time(format, large));
    }
    (s, l)
}

#[test]
fn every_format_renders_four_times_the_nodes_in_less_than_six_times_the_time() {
    let (small, large) = (report(150), report(600));
    for &(name, format) in FORMATS {
        let ratio = |(s, l): (Duration, Duration)| l.as_secs_f64() / s.as_secs_f64();
        let (mut s, mut l) = fastest(format, &small, &large, 5);
        // Over the bound: measured again, three times longer, before it
        // fails, so that a burst of load cannot fail a linear format.
        if ratio((s, l)) >= 6.0 {
            (s, l) = fastest(format, &small, &large, 15);
        }
        let ratio = ratio((s, l));
        eprintln!("{name}: {ratio:.2} ({s:?} → {l:?})");
        assert!(
            ratio < 6.0,
            "{name}: 4× the nodes took {ratio:.1}× the time ({s:?} → {l:?})"
        );
    }
}
