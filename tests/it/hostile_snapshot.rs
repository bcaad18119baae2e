//! Snapshots are untrusted: a FIFO, a link to a device, to `/` or to the
//! host's `/etc/shadow`, a link loop or a dangling link, in a folder or in
//! an archive. Each case is built here, at test time, from the intact node
//! of fixtures/bad-input; none is committed. upcheck must finish quickly,
//! read nothing of the host, and report each case where it is.

use crate::common::{copy_tree, upcheck};
use serde_json::Value;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const INTACT: &str = "fixtures/bad-input/fleet/intact";

/// Every hostile run must end well within this; a hang fails the test
/// instead of the test binary.
const DEADLINE: Duration = Duration::from_mins(1);

/// Runs upcheck, killing it at the deadline.
fn run_bounded(args: &[&str]) -> Output {
    let mut child = upcheck()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("upcheck runs");
    let start = Instant::now();
    // Drain stdout on a thread so a large report cannot block the child.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).unwrap();
        buf
    });
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > DEADLINE {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("upcheck {args:?} still running after {DEADLINE:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut out = child.wait_with_output().unwrap();
    out.stdout = reader.join().unwrap();
    out
}

fn check_json(paths: &[&Path]) -> Value {
    let mut args = vec!["check", "--format", "json", "--phase", "pre"];
    let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    let out = run_bounded(&args);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)))
}

/// The intact node copied to `fleet/name`, with hostname `name`.
fn node(fleet: &Path, name: &str) -> PathBuf {
    let dir = fleet.join(name);
    copy_tree(Path::new(INTACT), &dir);
    let identity = std::fs::read_to_string(dir.join("node.json"))
        .unwrap()
        .replace("\"intact\"", &format!("\"{name}\""));
    std::fs::write(dir.join("node.json"), identity).unwrap();
    dir
}

/// Replaces the file `rel` of `dir` with a link to `target`.
fn link(dir: &Path, rel: &str, target: &str) {
    let path = dir.join(rel);
    let _ = std::fs::remove_file(&path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    symlink(target, path).unwrap();
}

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

fn evaluations<'a>(report: &'a Value, node: &str) -> Vec<&'a Value> {
    report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"] == node)
        .collect()
}

/// The one evaluation of `code` on `node`.
fn eval<'a>(report: &'a Value, code: u64, node: &str) -> &'a Value {
    let found: Vec<&Value> = evaluations(report, node)
        .into_iter()
        .filter(|e| e["code"] == code)
        .collect();
    assert_eq!(found.len(), 1, "{code} on {node}: {found:#?}");
    found[0]
}

/// The tool finding of `code` on `node`: unknown, its message, located at
/// `path`; and the checks of the input unknown.
fn assert_refused(
    report: &Value,
    node: &str,
    code: u64,
    path: &Path,
    reason: &str,
    unknown: &[u64],
) {
    let finding = eval(report, code, node);
    assert_eq!(finding["status"], "unknown", "{finding}");
    assert_eq!(
        finding["message"],
        format!("{} is unreadable: {reason}", path.display()),
        "{finding}"
    );
    assert_eq!(finding["evidence"][0]["path"], path.display().to_string());
    for code in unknown {
        assert_eq!(
            eval(report, *code, node)["status"],
            "unknown",
            "{code} on {node}"
        );
    }
}

/// Nothing of the host's account files in the report.
fn assert_no_host_accounts(report: &Value) {
    let text = report.to_string();
    for host_line in ["root:x:0:0", "daemon:x:", "/usr/sbin/nologin", "/bin/bash"] {
        assert!(
            !text.contains(host_line),
            "host data in the report: {host_line}"
        );
    }
}

#[test]
fn a_fifo_named_like_an_input_is_never_opened() {
    let temp = tempfile::tempdir().unwrap();
    let dir = node(temp.path(), "fifo");
    let fifo = dir.join("commands/ntpq_-np");
    mkfifo(&fifo);
    let report = check_json(&[temp.path()]);
    assert_refused(
        &report,
        "fifo",
        90008,
        &fifo,
        "is a FIFO (named pipe), not a regular file: not opened",
        &[40001, 40002],
    );
    // The node's other inputs are read as on the intact node.
    assert_eq!(eval(&report, 30001, "fifo")["status"], "pass");
}

#[test]
fn a_link_to_a_device_is_refused_not_read_without_limit() {
    let temp = tempfile::tempdir().unwrap();
    let dir = node(temp.path(), "zero");
    link(&dir, "commands/df_-Pk", "/dev/zero");
    let report = check_json(&[temp.path()]);
    assert_refused(
        &report,
        "zero",
        90007,
        &dir.join("commands/df_-Pk"),
        "link commands/df_-Pk -> /dev/zero leads out of the node's folder: not followed",
        &[30001],
    );
}

#[test]
fn a_link_to_the_host_root_is_neither_walked_nor_read() {
    let temp = tempfile::tempdir().unwrap();
    let fleet = temp.path().join("fleet");
    let dir = node(&fleet, "rooted");
    // Inside the node: a whole subtree the file listing (pds/**, logs)
    // would walk, and an input behind it.
    link(&dir, "pds", "/");
    link(&dir, "var/log", "/var/log");
    link(&dir, "etc/login.defs", "../pds/etc/login.defs");
    // In the fleet: discovery would walk the host from here.
    symlink("/", fleet.join("host-root")).unwrap();
    let report = check_json(&[&fleet]);
    assert_refused(
        &report,
        "rooted",
        90007,
        &dir.join("etc/login.defs"),
        "link pds -> / leads out of the node's folder: not followed",
        &[50005],
    );
    let walk = eval(
        &report,
        90007,
        &fleet.join("host-root").display().to_string(),
    );
    assert_eq!(
        walk["message"],
        format!(
            "{}: link to a folder (/): discovery does not follow links; give the target on the \
             command line to check it",
            fleet.join("host-root").display()
        )
    );
    assert_eq!(report["summary"]["nodes"], 1, "no node found on the host");
    assert_no_host_accounts(&report);
    // `upcheck facts` lists no host file either.
    let facts = run_bounded(&["facts", dir.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&facts.stdout);
    assert!(
        !text.contains("/etc/passwd") && !text.contains("root:"),
        "{text}"
    );
}

#[test]
fn a_link_to_the_host_shadow_or_passwd_is_refused_in_folders_and_archives() {
    let temp = tempfile::tempdir().unwrap();
    let fleet = temp.path().join("fleet");
    let dir = node(&fleet, "shadowed");
    link(&dir, "etc/shadow", "/etc/shadow");
    link(&dir, "node.json.d", "/etc/passwd");
    let archive = temp.path().join("shadowed.tar");
    tar_of(&dir, "shadowed", &archive);

    let report = check_json(&[&fleet]);
    let reason = "link etc/shadow -> /etc/shadow leads out of the node's folder: not followed";
    assert_refused(
        &report,
        "shadowed",
        90007,
        &dir.join("etc/shadow"),
        reason,
        &[50001],
    );
    assert_no_host_accounts(&report);

    let report = check_json(&[&archive]);
    let in_archive = archive.join("shadowed/etc/shadow");
    assert_refused(&report, "shadowed", 90007, &in_archive, reason, &[50001]);
    assert_no_host_accounts(&report);
}

/// A tar of `dir` under `top`, links kept as links.
fn tar_of(dir: &Path, top: &str, out: &Path) {
    let mut builder = tar::Builder::new(std::fs::File::create(out).unwrap());
    builder.follow_symlinks(false);
    builder.append_dir_all(top, dir).unwrap();
    builder.finish().unwrap();
}

#[test]
fn loops_and_dangling_links_read_the_same_in_a_folder_and_an_archive() {
    let temp = tempfile::tempdir().unwrap();
    let fleet = temp.path().join("fleet");
    let dir = node(&fleet, "links");
    link(&dir, "commands/ntpq_-np", "ntpq_-np");
    link(&dir, "etc/shadow", "shadow.not-collected");
    let archive = temp.path().join("links.tar");
    tar_of(&dir, "links", &archive);
    let cases = [
        (
            "commands/ntpq_-np",
            "link loop: more than 40 links followed",
            40001,
        ),
        (
            "etc/shadow",
            "dangling link: etc/shadow -> shadow.not-collected, which does not exist in the snapshot",
            50001,
        ),
    ];
    for (root, node_dir) in [(&fleet, dir.clone()), (&archive, archive.join("links"))] {
        let report = check_json(&[root]);
        for (rel, reason, code) in cases {
            let finding: Vec<&Value> = evaluations(&report, "links")
                .into_iter()
                .filter(|e| {
                    e["code"] == 90003
                        && e["evidence"][0]["path"] == node_dir.join(rel).display().to_string()
                })
                .collect();
            assert_eq!(finding.len(), 1, "{}: {rel}", root.display());
            assert_eq!(
                finding[0]["message"],
                format!("{} is unreadable: {reason}", node_dir.join(rel).display())
            );
            assert_eq!(eval(&report, code, "links")["status"], "unknown");
        }
    }
}

/// Appends valid rows to `file` until it holds at least `bytes`.
fn grow(file: &Path, row: &str, bytes: usize) -> u64 {
    let mut text = std::fs::read_to_string(file).unwrap();
    while text.len() < bytes {
        text.push_str(row);
    }
    std::fs::write(file, &text).unwrap();
    text.len() as u64
}

const NTPQ_ROW: &str =
    "+10.250.32.11    10.250.1.5       2 u   12   64   377    0.530    0.287   0.044\n";
const DF_ROW: &str =
    "/dev/mapper/vgroot-plat_root         1015704    305840    709864      31% /\n";

#[test]
fn a_node_holds_no_more_input_than_its_limit() {
    let temp = tempfile::tempdir().unwrap();
    let dir = node(temp.path(), "big");
    let ntpq = dir.join("commands/ntpq_-np");
    let size = grow(&ntpq, NTPQ_ROW, 2 << 20);
    let fleet = temp.path().display().to_string();
    let out = run_bounded(&[
        "check",
        "--format",
        "json",
        "--max-node-input-mib",
        "1",
        &fleet,
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    // What is left of the MiB once the node's small inputs are read.
    let finding = eval(&report, 90009, "big");
    let message = finding["message"].as_str().unwrap();
    let prefix = format!(
        "{} is unreadable: file is {size} bytes, more than the ",
        ntpq.display()
    );
    let left: u64 = message
        .strip_prefix(&prefix)
        .and_then(|m| {
            m.strip_suffix(" bytes the node's inputs may still hold (--max-node-input-mib)")
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{message}"));
    assert!(left <= 1 << 20 && left > 1000 << 10, "{left}");
    assert_eq!(finding["status"], "unknown");
    assert_eq!(eval(&report, 40001, "big")["status"], "unknown");
    assert_eq!(eval(&report, 30001, "big")["status"], "pass");
    assert_eq!(out.status.code(), Some(3), "unknown, never a silent pass");
}

#[test]
fn the_inputs_a_node_holds_add_up_against_its_limit() {
    let temp = tempfile::tempdir().unwrap();
    let dir = node(temp.path(), "two");
    grow(&dir.join("commands/ntpq_-np"), NTPQ_ROW, 700 << 10);
    grow(&dir.join("commands/df_-Pk"), DF_ROW, 700 << 10);
    let fleet = temp.path().display().to_string();
    let out = run_bounded(&[
        "check",
        "--format",
        "json",
        "--max-node-input-mib",
        "1",
        &fleet,
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Each fits alone; the one read second does not fit beside the first.
    let refused: Vec<&Value> = evaluations(&report, "two")
        .into_iter()
        .filter(|e| e["code"] == 90009)
        .collect();
    assert_eq!(refused.len(), 1, "{refused:#?}");
    let path = refused[0]["evidence"][0]["path"].as_str().unwrap();
    assert!(path.ends_with("commands/ntpq_-np") || path.ends_with("commands/df_-Pk"));
}

#[test]
fn a_node_limit_above_the_run_limit_is_refused() {
    let out = run_bounded(&[
        "check",
        "--max-node-input-mib",
        "512",
        "--max-input-mib",
        "256",
        INTACT,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "upcheck: --max-node-input-mib 512 is more than --max-input-mib 256\n"
    );
}

fn policy_files(report: &Value) -> &Value {
    &report["policy_files"]
}

#[test]
fn a_snapshots_own_policy_files_are_never_loaded() {
    let temp = tempfile::tempdir().unwrap();
    let fleet = temp.path().join("fleet");
    let dir = node(&fleet, "self-waiving");
    // Something to hide: an unreadable input (unknown, exit 3).
    link(&dir, "etc/shadow", "shadow.not-collected");
    std::fs::write(
        dir.join("upcheck.toml"),
        "allow_unknown = true\nignore = [\"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("waivers.toml"),
        "[[waiver]]\ncode = 90003\nnode = \"*\"\nreason = \"x\"\napprover = \"x\"\nexpires = 2099-01-01\n",
    )
    .unwrap();
    std::fs::write(dir.join("plan.toml"), "from_the_snapshot = true\n").unwrap();

    let out = run_bounded(&["check", "--format", "json", dir.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "the snapshot's policy switched nothing off"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        *policy_files(&report),
        serde_json::json!({"config": null, "waivers": null, "plans": []})
    );
    assert_eq!(eval(&report, 90003, "self-waiving")["status"], "unknown");

    // The operator's files at the fleet root are loaded and named.
    std::fs::write(fleet.join("upcheck.toml"), "fail_on = \"critical\"\n").unwrap();
    std::fs::write(
        fleet.join("plan.toml"),
        "window_start = 2026-11-21T22:00:00Z\n",
    )
    .unwrap();
    let report = check_json(&[&fleet]);
    assert_eq!(
        *policy_files(&report),
        serde_json::json!({
            "config": fleet.join("upcheck.toml").display().to_string(),
            "waivers": null,
            "plans": [fleet.join("plan.toml").display().to_string()],
        })
    );
}

#[test]
fn the_plan_is_looked_for_in_the_path_given_never_above_it() {
    let temp = tempfile::tempdir().unwrap();
    // A plan.toml above the path given (as `/plan.toml` could be).
    std::fs::write(
        temp.path().join("plan.toml"),
        "window_start = 2026-11-21T22:00:00Z\n",
    )
    .unwrap();
    let site = temp.path().join("site");
    node(&site, "n1");
    let report = check_json(&[&site]);
    assert_eq!(policy_files(&report)["plans"], serde_json::json!([]));
    // Given on purpose, it applies.
    let plan = temp.path().join("plan.toml").display().to_string();
    let out = run_bounded(&[
        "check",
        "--format",
        "json",
        "--plan",
        &plan,
        site.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(policy_files(&report)["plans"], serde_json::json!([plan]));
}

#[test]
fn duplicate_and_empty_hostnames_are_a_located_fleet_finding() {
    let temp = tempfile::tempdir().unwrap();
    let fleet = temp.path().join("fleet");
    let a = node(&fleet, "twin");
    let b = fleet.join("twin-copy");
    copy_tree(&a, &b);
    let empty = node(&fleet, "nameless");
    let identity = std::fs::read_to_string(empty.join("node.json"))
        .unwrap()
        .replace("\"nameless\"", "\"\"");
    std::fs::write(empty.join("node.json"), identity).unwrap();

    let report = check_json(&[&fleet]);
    let twin = eval(&report, 90010, "twin");
    let (a, b) = (a.join("node.json"), b.join("node.json"));
    assert_eq!(twin["status"], "unknown");
    assert_eq!(twin["scope"], "fleet");
    assert_eq!(
        twin["message"],
        format!(
            "hostname `twin` is given by 2 node snapshots: {}, {}; their results would merge \
             under one name",
            a.display(),
            b.display()
        )
    );
    let located: Vec<&str> = twin["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(located, [a.to_str().unwrap(), b.to_str().unwrap()]);
    let file = empty.join("node.json");
    let nameless = eval(&report, 90010, file.to_str().unwrap());
    assert_eq!(
        nameless["message"],
        format!("{}: the hostname is empty", file.display())
    );
}
