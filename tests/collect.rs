//! `upcheck collect` on this machine, then `upcheck check` on the result:
//! the host's own df, login.defs and PAM files are read, no evaluation is
//! unknown for malformed input, no password hash is written, and the
//! --archive form evaluates as the folder does.
//!
//! Needs root (to read /etc/shadow and the hardware clock as a real
//! collection would). Without root the test fails and says so; with
//! UPCHECK_SKIP_COLLECT=1 it prints a SKIPPED line instead.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const SKIP_VAR: &str = "UPCHECK_SKIP_COLLECT";

fn prerequisites_met() -> bool {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the effective user of this process.
    if std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0) {
        return true;
    }
    let why = "upcheck collect is tested as root (it reads /etc/shadow): run scripts/test as root";
    if std::env::var_os(SKIP_VAR).is_some() {
        eprintln!("\n*** SKIPPED tests/collect.rs: {why} ({SKIP_VAR} is set) ***\n");
        return false;
    }
    panic!("{why}; or set {SKIP_VAR}=1 to skip this test knowingly");
}

fn upcheck(args: &[&str], path: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_upcheck"))
        .args(args)
        .arg(path)
        .output()
        .unwrap()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn collect(out: &Path, extra: &[&str]) {
    let mut args = vec![
        "collect",
        "--role",
        "server",
        "--cluster",
        "lab",
        "--timeout",
        "20",
    ];
    args.extend(extra);
    args.push("--out");
    let ran = upcheck(&args, out);
    assert!(
        ran.status.success(),
        "collect failed: {}",
        String::from_utf8_lossy(&ran.stderr)
    );
}

#[test]
fn a_collected_snapshot_is_checked() {
    if !prerequisites_met() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("this-host");
    collect(&node, &[]);

    let identity: Value =
        serde_json::from_str(&std::fs::read_to_string(node.join("node.json")).unwrap()).unwrap();
    assert_eq!(identity["platform"], "linux");
    assert_eq!(identity["role"], "server");
    assert_eq!(identity["cluster"], "lab");
    assert!(identity["hostname"].is_string());
    assert!(identity["collected_at"].is_string());
    let status: Value =
        serde_json::from_str(&std::fs::read_to_string(node.join("status/df_-Pk.json")).unwrap())
            .unwrap();
    assert_eq!(status["command"], "df -Pk");
    assert_eq!(status["exit_status"], 0);
    assert_eq!(status["timed_out"], false);

    // Only the scheme of each hash is written.
    let shadow = std::fs::read_to_string(node.join("etc/shadow")).expect("shadow copied as root");
    for line in shadow.lines() {
        let field = line.split(':').nth(1).unwrap_or("");
        let hash = field.trim_start_matches('!');
        assert!(
            hash.len() <= 1 || hash.ends_with("<redacted>") || hash.starts_with("<redacted-"),
            "a hash was written for {}",
            line.split(':').next().unwrap_or("")
        );
    }

    let facts = json_of(&upcheck(&["facts"], &node));
    assert!(
        facts["filesystems"]
            .as_array()
            .is_some_and(|f| !f.is_empty()),
        "{}",
        facts["filesystems"]
    );
    assert!(
        facts["inodes"].as_array().is_some_and(|f| !f.is_empty()),
        "{}",
        facts["inodes"]
    );
    assert!(
        facts["clock"]["system_epoch"].is_number(),
        "{}",
        facts["clock"]
    );
    assert!(
        facts["login_defs"]["effective"].is_string(),
        "{}",
        facts["login_defs"]
    );
    assert!(facts["accounts"].is_array(), "{}", facts["accounts"]);

    let report = json_of(&upcheck(&["check", "--format", "json"], &node));
    for e in report["evaluations"].as_array().unwrap() {
        assert_ne!(e["code"], 90002, "malformed input: {e}");
        assert_ne!(e["code"], 90001, "unreadable snapshot: {e}");
        if e["status"] == "unknown" {
            assert!(!e["message"].as_str().unwrap().contains("malformed"), "{e}");
        }
    }
}

#[test]
fn an_archived_collection_evaluates_as_its_folder() {
    if !prerequisites_met() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("packed");
    collect(&node, &["--archive"]);
    let archive = dir.path().join("packed.tar.gz");
    assert!(archive.is_file());
    assert!(!node.exists(), "the folder is removed once packed");

    let unpacked = dir.path().join("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    let tar = Command::new("tar")
        .arg("xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&unpacked)
        .status()
        .unwrap();
    assert!(tar.success());
    let rows = |path: &Path| -> Vec<(Value, Value, Value)> {
        json_of(&upcheck(&["check", "--format", "json"], path))["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["scope"] == "node")
            .map(|e| (e["code"].clone(), e["node"].clone(), e["status"].clone()))
            .collect()
    };
    let folder = rows(&unpacked.join("packed"));
    assert!(!folder.is_empty());
    assert_eq!(rows(&archive), folder);
}
