//! The HTML report in a real browser: headless chromium loads the demo
//! fleet's page, runs its script, and the DOM it renders is checked against
//! the JSON report of the same run (tiles, their order and legend, rows,
//! the filters, the tiles that follow them and the URL hash that carries
//! them); a screenshot goes to target/html-report.png, and with
//! `UPCHECK_UPDATE_DOCS=1` to docs/html-report.png, which the README shows.
//!
//! Needs chromium: `UPCHECK_CHROMIUM`, else `chromium` or `chromium-browser`
//! on PATH (scripts/test installs Debian's). Without one the tests fail,
//! unless `UPCHECK_SKIP_BROWSER_TEST=1`, which skips them loudly.

use crate::common::upcheck;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A browser that hangs fails the test instead of hanging it.
const BROWSER_DEADLINE: Duration = Duration::from_mins(1);

struct DemoReport {
    dir: tempfile::TempDir,
    html: PathBuf,
    json: Value,
}

impl DemoReport {
    fn write() -> DemoReport {
        let dir = tempfile::tempdir().unwrap();
        let html = dir.path().join("report.html");
        let json_path = dir.path().join("report.json");
        let out = upcheck()
            .args(["check", "fixtures/demo", "--format", "json", "--output"])
            .arg(&json_path)
            .arg("--report")
            .arg(format!("html={}", html.display()))
            .env("SOURCE_DATE_EPOCH", "1767225600")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "the demo has findings: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json = serde_json::from_str(&std::fs::read_to_string(json_path).unwrap()).unwrap();
        DemoReport { dir, html, json }
    }

    fn evaluations(&self) -> &[Value] {
        self.json["evaluations"].as_array().unwrap()
    }

    fn count(&self, keep: impl Fn(&Value) -> bool) -> usize {
        self.evaluations().iter().filter(|e| keep(e)).count()
    }
}

fn str_of<'a>(e: &'a Value, field: &str) -> &'a str {
    e[field].as_str().unwrap_or_default()
}

fn code_of(e: &Value) -> String {
    match &e["code"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The chromium to run, or None when the tests are skipped on purpose.
fn browser() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("UPCHECK_CHROMIUM") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "UPCHECK_CHROMIUM={} is not a file",
            path.display()
        );
        return Some(path);
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        ["chromium", "chromium-browser"].iter().find_map(|name| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file())
        })
    });
    if on_path.is_some() {
        return on_path;
    }
    if std::env::var("UPCHECK_SKIP_BROWSER_TEST").as_deref() == Ok("1") {
        // Straight to stderr: eprintln! of a passing test is captured and never shown.
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED: the HTML report was NOT checked in a browser: no chromium found \
             and UPCHECK_SKIP_BROWSER_TEST=1 ***\n"
        );
        return None;
    }
    panic!(
        "no chromium to load the HTML report: run scripts/test (it installs Debian's chromium), \
         install chromium or chromium-browser, or set UPCHECK_CHROMIUM to a chromium binary"
    );
}

/// `file://` URL of an absolute path, with `fragment` (no `#`) appended.
fn file_url(path: &Path, fragment: &str) -> String {
    let mut url = String::from("file://");
    for byte in path.to_str().unwrap().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                url.push(byte as char);
            }
            _ => url.push_str(&format!("%{byte:02X}")),
        }
    }
    if !fragment.is_empty() {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

/// Runs headless chromium on `url` with `args` and a fresh profile; returns
/// what it printed on stdout. Output goes to files, so a large DOM cannot
/// fill a pipe while we wait.
fn run_browser(browser: &Path, args: &[String], url: &str) -> String {
    let scratch = tempfile::tempdir().unwrap();
    let stdout_path = scratch.path().join("stdout");
    let stderr_path = scratch.path().join("stderr");
    let mut child = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu"])
        .arg(format!(
            "--user-data-dir={}",
            scratch.path().join("profile").display()
        ))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(File::create(&stdout_path).unwrap())
        .stderr(File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BROWSER_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{} did not finish within {BROWSER_DEADLINE:?} on {url}; killed it",
                browser.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    assert!(status.success(), "chromium {status} on {url}:\n{stderr}");
    std::fs::read_to_string(&stdout_path).unwrap()
}

/// The DOM chromium holds once the page's script has run.
fn rendered_dom(browser: &Path, page: &Path, fragment: &str) -> Html {
    let args = [
        "--virtual-time-budget=5000".to_string(),
        "--dump-dom".to_string(),
    ];
    let dom = run_browser(browser, &args, &file_url(page, fragment));
    assert!(
        dom.contains("id=\"evaluations\""),
        "chromium rendered no report:\n{}",
        &dom[..dom.len().min(2000)]
    );
    Html::parse_document(&dom)
}

fn select<'a>(dom: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    dom.select(&Selector::parse(css).unwrap()).collect()
}

fn text_of(dom: &Html, css: &str) -> String {
    let found = select(dom, css);
    assert_eq!(found.len(), 1, "{css}");
    found[0].text().collect()
}

fn visible_rows(dom: &Html) -> Vec<ElementRef<'_>> {
    select(dom, "tr.evaluation:not([hidden])")
}

fn shown_count(dom: &Html) -> usize {
    text_of(dom, "#shown-count").parse().unwrap()
}

fn attr<'a>(row: &ElementRef<'a>, name: &str) -> &'a str {
    row.value().attr(name).unwrap_or_default()
}

/// The tile classes from worst to best, as the page orders them.
const CLASSES: [&str; 6] = ["critical", "major", "minor", "info", "unknown", "ok"];

fn is_problem(e: &Value) -> bool {
    matches!(str_of(e, "status"), "fail" | "unknown" | "waived")
}

/// The site the page places an evaluation in: its own, else (a cluster
/// group's) that of its cluster's nodes.
fn site_of<'a>(report: &'a DemoReport, e: &'a Value) -> &'a str {
    if let Some(site) = e["site"].as_str() {
        return site;
    }
    let cluster = str_of(e, "cluster");
    report
        .evaluations()
        .iter()
        .find(|n| {
            str_of(n, "scope") == "node" && str_of(n, "cluster") == cluster && !cluster.is_empty()
        })
        .map(|n| str_of(n, "site"))
        .unwrap_or_default()
}

/// The subjects (tile names) of the evaluations `keep` holds.
fn subjects_of(report: &DemoReport, keep: impl Fn(&Value) -> bool) -> BTreeSet<&str> {
    report
        .evaluations()
        .iter()
        .filter(|e| keep(e))
        .map(|e| str_of(e, "node"))
        .collect()
}

fn visible_tiles(dom: &Html) -> BTreeSet<&str> {
    select(dom, "a.tile:not([hidden])")
        .iter()
        .map(|t| attr(t, "data-subject"))
        .collect()
}

/// The page with `script` run after its own (as a user acting on it, or
/// to read what the browser computed into `body`'s data attributes).
fn rendered_with(browser: &Path, report: &DemoReport, script: &str, fragment: &str) -> Html {
    let page = report.dir.path().join("acted-on.html");
    let html = std::fs::read_to_string(&report.html).unwrap();
    assert!(html.contains("</body>"));
    let script = format!("<script>\n{script}\n</script>\n</body>");
    std::fs::write(&page, html.replacen("</body>", &script, 1)).unwrap();
    rendered_dom(browser, &page, fragment)
}

#[test]
fn the_rendered_page_has_a_tile_per_subject_and_a_row_per_evaluation() {
    let Some(browser) = browser() else { return };
    let report = DemoReport::write();
    let dom = rendered_dom(&browser, &report.html, "");

    let subjects: BTreeSet<(&str, &str)> = report
        .evaluations()
        .iter()
        .map(|e| (str_of(e, "scope"), str_of(e, "node")))
        .collect();
    let groups = subjects
        .iter()
        .filter(|(scope, _)| *scope != "node")
        .count();
    let nodes = report.json["summary"]["nodes"].as_u64().unwrap() as usize;
    assert!(groups > 0, "the demo has cluster, site or fleet rules");
    assert_eq!(select(&dom, "a.tile").len(), nodes + groups);

    let tile_class = |node: &str| -> String {
        let tiles = select(&dom, &format!("a.tile[data-subject=\"{node}\"]"));
        assert_eq!(tiles.len(), 1, "tiles of {node}");
        attr(&tiles[0], "class").to_string()
    };
    let node_names: BTreeSet<&str> = report
        .evaluations()
        .iter()
        .filter(|e| str_of(e, "scope") == "node")
        .map(|e| str_of(e, "node"))
        .collect();
    let critical = report
        .evaluations()
        .iter()
        .find(|e| {
            str_of(e, "scope") == "node"
                && str_of(e, "status") == "fail"
                && str_of(e, "severity") == "critical"
        })
        .map(|e| str_of(e, "node"))
        .expect("a node of the demo fails a critical rule");
    assert!(tile_class(critical).contains("sev-critical"), "{critical}");
    let clean = node_names
        .iter()
        .find(|node| {
            !report.evaluations().iter().any(|e| {
                str_of(e, "node") == **node && matches!(str_of(e, "status"), "fail" | "unknown")
            })
        })
        .expect("a node of the demo is clean");
    assert!(tile_class(clean).contains("sev-ok"), "{clean}");

    let evaluations = report.evaluations().len();
    assert_eq!(select(&dom, "tr.evaluation").len(), evaluations);
    assert_eq!(text_of(&dom, "#total-count"), evaluations.to_string());

    // No hash: the problems (fail, unknown, waived) are shown.
    let problems = report.count(|e| matches!(str_of(e, "status"), "fail" | "unknown" | "waived"));
    assert!(problems > 0 && problems < evaluations);
    assert_eq!(visible_rows(&dom).len(), problems);
    assert_eq!(shown_count(&dom), problems);
}

#[test]
fn filters_in_the_url_hash_are_applied_on_load() {
    let Some(browser) = browser() else { return };
    let report = DemoReport::write();

    let dom = rendered_dom(&browser, &report.html, "severity=critical&status=fail");
    let critical_failures =
        report.count(|e| str_of(e, "status") == "fail" && str_of(e, "severity") == "critical");
    let failures = report.count(|e| str_of(e, "status") == "fail");
    assert!(critical_failures > 0 && critical_failures < failures);
    let rows = visible_rows(&dom);
    assert_eq!(rows.len(), critical_failures);
    assert_eq!(shown_count(&dom), critical_failures);
    for row in &rows {
        assert_eq!(attr(row, "data-severity"), "critical");
        assert_eq!(attr(row, "data-status"), "fail");
    }
    // Only the subjects with a shown row keep their heading.
    let headed: BTreeSet<(&str, &str)> = report
        .evaluations()
        .iter()
        .filter(|e| str_of(e, "status") == "fail" && str_of(e, "severity") == "critical")
        .map(|e| (str_of(e, "scope"), str_of(e, "node")))
        .collect();
    let headings = dom
        .select(&scraper::Selector::parse("tr.subject:not([hidden])").unwrap())
        .count();
    assert_eq!(headings, headed.len());

    // `status=` is any status, so passing time checks show too.
    let dom = rendered_dom(&browser, &report.html, "code=4xxxx&status=");
    let time_checks = report.count(|e| code_of(e).starts_with('4'));
    let rows = visible_rows(&dom);
    assert!(time_checks > 0);
    assert_eq!(rows.len(), time_checks);
    assert_eq!(shown_count(&dom), time_checks);
    assert!(
        rows.iter()
            .all(|row| attr(row, "data-code").starts_with('4')),
        "only 4xxxx rows are visible"
    );
}

#[test]
fn changing_a_filter_writes_the_hash_and_a_new_hash_is_applied() {
    let Some(browser) = browser() else { return };
    let report = DemoReport::write();
    // Acts as a user would after the page's own script ran: change two
    // controls, note the hash, then follow a shared link's hash.
    let user = r#"
var severity = document.getElementById("filter-severity");
severity.value = "major";
severity.dispatchEvent(new Event("change"));
var code = document.getElementById("filter-code");
code.value = "2xxxx";
code.dispatchEvent(new Event("input"));
document.body.dataset.hashAfterChange = location.hash;
location.hash = "status=unknown";"#;
    let dom = rendered_with(&browser, &report, user, "");
    let body = select(&dom, "body");
    assert_eq!(
        attr(&body[0], "data-hash-after-change"),
        "#severity=major&code=2xxxx"
    );
    let unknown = report.count(|e| str_of(e, "status") == "unknown");
    assert!(unknown > 0);
    let rows = visible_rows(&dom);
    assert_eq!(rows.len(), unknown);
    assert_eq!(shown_count(&dom), unknown);
    assert!(rows.iter().all(|row| attr(row, "data-status") == "unknown"));
}

#[test]
fn problems_come_first_worst_first_under_a_legend_of_the_tiles() {
    let Some(browser) = browser() else { return };
    let report = DemoReport::write();
    let dom = rendered_dom(&browser, &report.html, "");

    let tiles = select(&dom, "a.tile");
    let rank = |tile: &ElementRef| {
        let class = attr(tile, "data-worst");
        CLASSES.iter().position(|c| *c == class).unwrap()
    };
    let ranks: Vec<usize> = tiles.iter().map(rank).collect();
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "worst first: {ranks:?}"
    );
    assert!(ranks.contains(&0) && ranks.contains(&5), "{ranks:?}");
    // The clean tiles are folded away from the problems.
    let clean = select(&dom, "#clean a.tile");
    assert_eq!(clean.len(), ranks.iter().filter(|r| **r == 5).count());
    assert!(clean.iter().all(|t| attr(t, "data-worst") == "ok"));
    assert!(
        select(&dom, "#problem-tiles a.tile")
            .iter()
            .all(|t| attr(t, "data-worst") != "ok")
    );
    assert_eq!(select(&dom, "details#clean[open]").len(), 0);
    // The rows follow the tiles' order.
    let bodies: Vec<&str> = select(&dom, "#evaluations tbody")
        .iter()
        .map(|b| attr(b, "id"))
        .collect();
    let rows_of_tiles: Vec<&str> = tiles.iter().map(|t| attr(t, "data-rows")).collect();
    assert_eq!(bodies, rows_of_tiles);

    for class in CLASSES {
        let legend = text_of(&dom, &format!("#legend li[data-class=\"{class}\"] .n"));
        let of_class = tiles
            .iter()
            .filter(|t| attr(t, "data-worst") == class)
            .count();
        assert_eq!(legend, of_class.to_string(), "legend of {class}");
    }
    let critical = subjects_of(&report, |e| {
        str_of(e, "status") == "fail" && str_of(e, "severity") == "critical"
    });
    assert_eq!(
        text_of(&dom, "#legend li[data-class=\"critical\"] .n"),
        critical.len().to_string()
    );
}

#[test]
fn the_place_filter_keeps_a_site_a_node_and_the_tiles_follow_every_filter() {
    let Some(browser) = browser() else { return };
    let report = DemoReport::write();
    let site = report
        .evaluations()
        .iter()
        .find(|e| str_of(e, "status") == "fail" && str_of(e, "severity") == "critical")
        .map(|e| site_of(&report, e))
        .expect("a critical failure");
    assert!(!site.is_empty());

    let dom = rendered_dom(&browser, &report.html, &format!("site={site}"));
    let in_site = report.count(|e| is_problem(e) && site_of(&report, e) == site);
    let elsewhere = report.count(|e| is_problem(e) && site_of(&report, e) != site);
    assert!(
        in_site > 0 && elsewhere > 0,
        "the demo has problems at two sites"
    );
    assert_eq!(visible_rows(&dom).len(), in_site);
    assert_eq!(shown_count(&dom), in_site);
    assert_eq!(
        visible_tiles(&dom),
        subjects_of(&report, |e| site_of(&report, e) == site)
    );

    // With a severity too, only the tiles with a row shown remain.
    let dom = rendered_dom(
        &browser,
        &report.html,
        &format!("site={site}&severity=critical&status=fail"),
    );
    let critical_here = subjects_of(&report, |e| {
        site_of(&report, e) == site
            && str_of(e, "status") == "fail"
            && str_of(e, "severity") == "critical"
    });
    assert!(!critical_here.is_empty());
    assert_eq!(visible_tiles(&dom), critical_here);

    // A clean node asked for by name: its tile shows, its fold opens.
    let clean = select(&dom, "#clean a.tile")
        .iter()
        .map(|t| attr(t, "data-subject").to_string())
        .find(|name| !name.contains('/'))
        .expect("a clean subject");
    let dom = rendered_dom(&browser, &report.html, &format!("node={clean}"));
    let named = subjects_of(&report, |e| str_of(e, "node").contains(clean.as_str()));
    assert!(named.contains(clean.as_str()));
    assert_eq!(visible_tiles(&dom), named);
    assert_eq!(select(&dom, "details#clean[open]").len(), 1);
    let clean_shown = select(&dom, "#clean a.tile:not([hidden])").len();
    assert!(clean_shown >= 1);
    assert_eq!(text_of(&dom, "#clean-shown"), clean_shown.to_string());
}

#[test]
fn failing_severities_are_coloured_and_hidden_tiles_take_no_room() {
    let Some(browser) = browser() else { return };
    let report = DemoReport::write();
    let probe = r#"
var colour = function (css) {
  var found = document.querySelector(css);
  return found ? getComputedStyle(found).backgroundColor : "missing";
};
var data = document.body.dataset;
data.criticalFail = colour('tr.status-fail[data-severity="critical"] td.sev span');
data.criticalPass = colour('tr.status-pass[data-severity="critical"] td.sev span');
data.legendCritical = colour('#legend li[data-class="critical"] .swatch');
var hidden = document.querySelector("a.tile[hidden]");
data.hiddenTile = hidden ? getComputedStyle(hidden).display : "missing";
"#;
    let dom = rendered_with(&browser, &report, probe, "severity=critical&status=fail");
    let body = &select(&dom, "body")[0];
    let red = "rgb(215, 38, 61)";
    assert_eq!(attr(body, "data-critical-fail"), red);
    assert_eq!(attr(body, "data-legend-critical"), red);
    assert_eq!(attr(body, "data-critical-pass"), "rgba(0, 0, 0, 0)");
    assert_eq!(attr(body, "data-hidden-tile"), "none");
}

/// The screenshot's size: the legend, filters, tiles and the first rows.
const SCREENSHOT: (u32, u32) = (1200, 900);
/// The copy the README shows, refreshed with UPCHECK_UPDATE_DOCS=1.
const DOCS_SCREENSHOT: &str = "docs/html-report.png";

/// The PNG's width and height, after checking it is one.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let dimension = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (dimension(16), dimension(20))
}

#[test]
fn a_screenshot_of_the_page_is_saved() {
    let Some(browser) = browser() else { return };
    let report = DemoReport::write();
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    std::fs::create_dir_all(target).unwrap();
    let screenshot = target.join("html-report.png");
    // A stale screenshot must not pass for this run's.
    let _ = std::fs::remove_file(&screenshot);
    let args = [
        format!("--screenshot={}", screenshot.display()),
        format!("--window-size={},{}", SCREENSHOT.0, SCREENSHOT.1),
        "--virtual-time-budget=5000".to_string(),
        "--hide-scrollbars".to_string(),
    ];
    run_browser(&browser, &args, &file_url(&report.html, ""));

    let png = std::fs::read(&screenshot)
        .unwrap_or_else(|e| panic!("no screenshot at {}: {e}", screenshot.display()));
    assert_eq!(png_size(&png), SCREENSHOT);
    assert!(
        (20_000..20_000_000).contains(&png.len()),
        "{} bytes: a blank or broken page?",
        png.len()
    );
    if std::env::var_os("UPCHECK_UPDATE_DOCS").is_some() {
        std::fs::write(DOCS_SCREENSHOT, &png).unwrap();
    }
}

/// The README shows the browser test's screenshot, kept small (fonts
/// differ between machines, so it is refreshed on request, not compared).
#[test]
fn the_readme_shows_the_screenshot() {
    let png = std::fs::read(DOCS_SCREENSHOT).expect(
        "docs/html-report.png: run UPCHECK_UPDATE_DOCS=1 cargo test --test it html_browser::",
    );
    assert_eq!(png_size(&png), SCREENSHOT);
    assert!(
        png.len() < 400_000,
        "{} bytes: keep the README light",
        png.len()
    );
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(
        readme.contains("](docs/html-report.png)"),
        "README links the screenshot"
    );
}
