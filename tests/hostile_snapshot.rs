//! Snapshots are untrusted: a FIFO, a link to a device, to `/` or to the
//! host's `/etc/shadow`, a link loop or a dangling link, in a folder or in
//! an archive. Each case is built here, at test time, from the intact node
//! of fixtures/bad-input; none is committed. upcheck must finish quickly,
//! read nothing of the host, and report each case where it is.

use serde_json::Value;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const INTACT: &str = "fixtures/bad-input/fleet/intact";

/// Every hostile run must end well within this; a hang fails the test
/// instead of the test binary.
const DEADLINE: Duration = Duration::from_secs(60);

/// Runs upcheck, killing it at the deadline.
fn upcheck(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_upcheck"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1795161600")
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
    let out = upcheck(&args);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)))
}

/// Copies a folder, keeping links as links.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if kind.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
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
    let facts = upcheck(&["facts", dir.to_str().unwrap()]);
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
