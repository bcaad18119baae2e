//! The HTML report in a real browser: headless chromium loads the demo
//! fleet's page, runs its script, and the DOM it renders is checked against
//! the JSON report of the same run (tiles, rows, the filters and the URL
//! hash that carries them); a screenshot goes to target/html-report.png.
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
const BROWSER_DEADLINE: Duration = Duration::from_secs(60);

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
                url.push(byte as char)
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
    let user = r#"<script>
var severity = document.getElementById("filter-severity");
severity.value = "major";
severity.dispatchEvent(new Event("change"));
var code = document.getElementById("filter-code");
code.value = "2xxxx";
code.dispatchEvent(new Event("input"));
document.body.dataset.hashAfterChange = location.hash;
location.hash = "status=unknown";
</script>
</body>"#;
    let page = report.dir.path().join("acted-on.html");
    let html = std::fs::read_to_string(&report.html).unwrap();
    assert!(html.contains("</body>"));
    std::fs::write(&page, html.replacen("</body>", user, 1)).unwrap();

    let dom = rendered_dom(&browser, &page, "");
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
        "--window-size=1280,1800".to_string(),
        "--virtual-time-budget=5000".to_string(),
    ];
    run_browser(&browser, &args, &file_url(&report.html, ""));

    let png = std::fs::read(&screenshot)
        .unwrap_or_else(|e| panic!("no screenshot at {}: {e}", screenshot.display()));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let dimension = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!(&png[12..16], b"IHDR");
    assert_eq!((dimension(16), dimension(20)), (1280, 1800));
    assert!(
        (20_000..20_000_000).contains(&png.len()),
        "{} bytes: a blank or broken page?",
        png.len()
    );
}
