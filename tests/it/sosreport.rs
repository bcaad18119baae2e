//! A real sosreport of this machine, taken by Debian's `sos` with the
//! plugins the catalog reads, checked by upcheck: the df, login.defs and PAM
//! inputs are recognised and no evaluation is unknown for malformed input.
//!
//! Needs root and the `sosreport` package (scripts/test installs it). When
//! either is missing the test fails and says what to do; with
//! UPCHECK_SKIP_SOSREPORT=1 it prints a SKIPPED line instead.

use crate::common::upcheck;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const PLUGINS: &str = "ntp,chrony,filesys,date,login,pam,logs,host";
const SKIP_VAR: &str = "UPCHECK_SKIP_SOSREPORT";

/// Why sos cannot run here, if it cannot.
fn missing_prerequisite() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the effective user of this process.
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    if !root {
        return Some("sos report needs root: run scripts/test as root".into());
    }
    let sos = Command::new("sos").arg("--help").output();
    if sos.is_err() {
        return Some(
            "no `sos` on PATH: apt-get install -y sosreport (scripts/test does it as root)".into(),
        );
    }
    None
}

/// Whether the test may go on; fails loudly unless the skip is explicit.
fn prerequisites_met() -> bool {
    let Some(why) = missing_prerequisite() else {
        return true;
    };
    if std::env::var_os(SKIP_VAR).is_some() {
        eprintln!("\n*** SKIPPED tests/it/sosreport.rs: {why} ({SKIP_VAR} is set) ***\n");
        return false;
    }
    panic!("{why}; or set {SKIP_VAR}=1 to skip this test knowingly");
}

/// One sos run for the whole file: (temp dir kept alive, archive, extracted folder).
fn report() -> &'static (tempfile::TempDir, PathBuf, PathBuf) {
    static REPORT: OnceLock<(tempfile::TempDir, PathBuf, PathBuf)> = OnceLock::new();
    REPORT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("sos")
            .args(["report", "--batch", "--tmp-dir"])
            .arg(dir.path())
            .args(["-o", PLUGINS])
            .output()
            .expect("sos runs");
        assert!(
            out.status.success(),
            "sos report failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let archive = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(".tar.xz"))
            .expect("sos wrote a .tar.xz");
        let extracted = dir.path().join("extracted");
        std::fs::create_dir(&extracted).unwrap();
        let tar = Command::new("tar")
            .arg("xf")
            .arg(&archive)
            .arg("-C")
            .arg(&extracted)
            .status()
            .unwrap();
        assert!(tar.success());
        let folder = std::fs::read_dir(&extracted)
            .unwrap()
            .map(|e| e.unwrap().path())
            .next()
            .expect("the archive holds the report folder");
        (dir, archive, folder)
    })
}

fn upcheck_json(args: &[&str], path: &Path) -> Value {
    let out = upcheck().args(args).arg(path).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "upcheck {args:?} {}: {e}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn sos_inputs_are_recognised() {
    if !prerequisites_met() {
        return;
    }
    let (_, _, folder) = report();
    let facts = upcheck_json(&["facts"], folder);
    assert_eq!(facts["node"]["platform"], "linux");
    assert!(facts["node"]["hostname"].is_string(), "{}", facts["node"]);
    assert!(
        facts["node"]["collected_at"].is_string(),
        "{}",
        facts["node"]
    );
    let filesystems = facts["filesystems"].as_array().expect("df -al parsed");
    assert!(filesystems.iter().any(|f| f["mount"] == "/"));
    let inodes = facts["inodes"].as_array().expect("df -ali parsed");
    assert!(!inodes.is_empty());
    assert!(
        facts["login_defs"]["source"]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("etc/login.defs")),
        "{}",
        facts["login_defs"]
    );
    let pam = facts["pam_password"].as_array().expect("a PAM file parsed");
    assert!(pam.iter().any(|l| l["scheme"].is_string()), "{pam:?}");
}

#[test]
fn no_evaluation_is_unknown_for_malformed_input() {
    if !prerequisites_met() {
        return;
    }
    let (_, _, folder) = report();
    let report = upcheck_json(&["check", "--format", "json"], folder);
    let evaluations = report["evaluations"].as_array().unwrap();
    assert!(evaluations.iter().any(|e| e["status"] == "pass"));
    for e in evaluations {
        assert_ne!(e["code"], 90002, "malformed input: {e}");
        assert_ne!(e["code"], 90001, "unreadable snapshot: {e}");
        if e["status"] == "unknown" {
            let message = e["message"].as_str().unwrap();
            assert!(!message.contains("malformed"), "{e}");
        }
    }
}

#[test]
fn folder_and_archive_give_the_same_evaluations() {
    if !prerequisites_met() {
        return;
    }
    let (_, archive, folder) = report();
    let name = folder.file_name().unwrap().to_string_lossy().into_owned();
    let in_archive = archive.join(&name);
    let rows = |path: &Path, node_dir: &Path| -> Vec<(Value, Value, Value, String)> {
        let shown = node_dir.display().to_string();
        upcheck_json(&["check", "--format", "json"], path)["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let message = e["message"].as_str().unwrap().replace(&shown, "REPORT");
                // A fleet is named by the path given, folder or archive.
                let subject = match e["scope"].as_str() {
                    Some("fleet") => Value::from("FLEET"),
                    _ => e["node"].clone(),
                };
                (e["code"].clone(), subject, e["status"].clone(), message)
            })
            .collect()
    };
    let from_folder = rows(folder, folder);
    let from_archive = rows(archive, &in_archive);
    assert!(!from_folder.is_empty());
    assert_eq!(from_folder, from_archive);
}
