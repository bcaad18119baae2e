//! contrib/ansible/collect.yml against this machine under three inventory
//! names: `localhost` with the binary, `second-node` with the sh collector,
//! and `broken`, whose collection fails. The two nodes land in
//! FLEET/<site>/<host>.tar.gz and in the fleet report; the broken host is
//! named at the end and stops neither the others nor the check.
//!
//! Needs ansible-core (scripts/test installs it from PyPI when missing). When
//! it cannot be installed, scripts/test sets UPCHECK_SKIP_ANSIBLE to the
//! reason and this test prints a SKIPPED line.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const SKIP_VAR: &str = "UPCHECK_SKIP_ANSIBLE";

fn ansible_playbook() -> Option<&'static str> {
    if Command::new("ansible-playbook")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Some("ansible-playbook");
    }
    if let Some(why) = std::env::var_os(SKIP_VAR) {
        eprintln!(
            "\n*** SKIPPED tests/it/ansible.rs: ansible-core could not be installed: {} ***\n",
            why.to_string_lossy()
        );
        return None;
    }
    panic!(
        "no ansible-playbook on PATH: scripts/test installs ansible-core (pip install ansible-core); \
         set {SKIP_VAR}=REASON to skip this test knowingly"
    );
}

fn python() -> String {
    let out = Command::new("sh")
        .args(["-c", "command -v python3"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn the_playbook_collects_each_host_and_checks_the_fleet() {
    let Some(playbook_cmd) = ansible_playbook() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("inventory");
    std::fs::write(
        &inventory,
        format!(
            "localhost ansible_connection=local upcheck_site=site-east upcheck_role=server upcheck_cluster=lab\n\
             second-node ansible_connection=local upcheck_collector=script upcheck_site=site-west upcheck_role=server\n\
             broken ansible_connection=local upcheck_collector=script upcheck_timeout=soon\n\
             [all:vars]\n\
             ansible_python_interpreter={}\n",
            python()
        ),
    )
    .unwrap();
    let fleet = dir.path().join("fleet");
    let playbook = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/ansible/collect.yml");
    let ran = Command::new(playbook_cmd)
        .arg("-i")
        .arg(&inventory)
        .arg(&playbook)
        .arg("-e")
        .arg(format!("fleet_dir={}", fleet.display()))
        .arg("-e")
        .arg(format!("upcheck_binary={}", env!("CARGO_BIN_EXE_upcheck")))
        .arg("-e")
        .arg(r#"{"upcheck_reports": ["junit=report.xml"]}"#)
        .env("ANSIBLE_LOCAL_TEMP", dir.path().join("ansible-tmp"))
        .env("ANSIBLE_NOCOLOR", "1")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&ran.stdout);

    // The broken host fails the run at the end, after the check.
    assert_eq!(ran.status.code(), Some(2), "{log}");
    assert!(
        log.contains("not collected (the others were, and were checked): broken: Collect"),
        "{log}"
    );
    assert!(log.contains("collected 2 of 3 host(s)"), "{log}");

    assert!(fleet.join("site-east/localhost.tar.gz").is_file(), "{log}");
    assert!(
        fleet.join("site-west/second-node.tar.gz").is_file(),
        "{log}"
    );
    assert!(fleet.join("report.xml").is_file(), "{log}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(fleet.join("report.json")).unwrap()).unwrap();
    let nodes: BTreeSet<&str> = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["scope"] == "node")
        .filter_map(|e| e["node"].as_str())
        .collect();
    assert_eq!(nodes, BTreeSet::from(["localhost", "second-node"]));
    for e in report["evaluations"].as_array().unwrap() {
        assert!(
            ![90001, 90002].contains(&e["code"].as_u64().unwrap()),
            "{e}"
        );
    }
}
