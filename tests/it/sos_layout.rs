//! A sosreport folder built from the real sos outputs of ../shared/real-world
//! (a RHCOS node's report): discovered by its `sos_commands/` marker, its
//! identity read from the report, every input the catalog uses found at its
//! sos path, and the vendor rules not applicable.

use crate::common::{check_json, evaluations};
use std::path::{Path, PathBuf};
use upcheck::facts::NodeFacts;
use upcheck::snapshot::{self, Layout};

const SAMPLES: &str = "../shared/real-world";

/// (path in the report, real-world sample)
const FILES: &[(&str, &str)] = &[
    (
        "sos_commands/chrony/chronyc_-n_sources",
        "chronyc-sources/chronyc-n-sources-sos-rhcos-all-unreachable.txt",
    ),
    (
        "sos_commands/chrony/chronyc_tracking",
        "chronyc-tracking/chronyc-tracking-sos-rhcos-not-synchronised.txt",
    ),
    (
        "sos_commands/filesys/df_-al_-x_autofs",
        "df/df-al-x-autofs-sos-rhcos.txt",
    ),
    (
        "sos_commands/filesys/df_-ali_-x_autofs",
        "df/df-ali-x-autofs-sos-rhcos.txt",
    ),
    ("sos_commands/date/date", "date/date-sos-rhcos.txt"),
    ("sos_commands/date/hwclock", "hwclock/hwclock-sos-rhcos.txt"),
    (
        "etc/pam.d/system-auth",
        "pam-system-auth/system-auth-sos-rhcos-authselect.txt",
    ),
    (
        "etc/login.defs",
        "login-defs/login-defs-centos7-hardened.txt",
    ),
    (
        "etc/libuser.conf",
        "libuser-conf/libuser-conf-upstream-2011-sha512.txt",
    ),
    ("var/log/messages", "messages/messages-ica-rhel7.txt"),
];

fn sos_tree(dir: &Path) -> PathBuf {
    let report = dir.join("sosreport-master1-2019-10-02-abcdefg");
    for (rel, sample) in FILES {
        let to = report.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(Path::new(SAMPLES).join(sample), &to)
            .unwrap_or_else(|e| panic!("{sample}: {e}"));
    }
    std::fs::create_dir_all(report.join("sos_reports")).unwrap();
    std::fs::write(report.join("hostname"), "master1.example.com\n").unwrap();
    std::fs::write(
        report.join("sos_reports/manifest.json"),
        r#"{"version": "4.0", "start_time": "2019-10-02 02:54:30.120000"}"#,
    )
    .unwrap();
    report
}

#[test]
fn a_sos_folder_is_a_node_with_its_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let report = sos_tree(dir.path());
    let (nodes, problems) = snapshot::discover(&[dir.path().to_path_buf()]);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(nodes.len(), 1);
    let node = &nodes[0];
    assert_eq!(node.dir, report);
    assert_eq!(node.layout, Layout::Sos);
    assert_eq!(node.name(), "master1.example.com");
    assert_eq!(node.field("platform"), Some("linux"));
    assert!(node.identity_error.is_none());

    let mut facts = NodeFacts::new(node);
    let time = facts.get("time").unwrap();
    assert_eq!(time["daemon"], "chronyd");
    assert_eq!(time["synchronised"], false);
    let fs = facts.get("filesystems").unwrap();
    assert!(fs.as_array().unwrap().len() > 10, "{fs}");
    let inodes = facts.get("inodes").unwrap();
    assert!(inodes.as_array().unwrap().len() > 10, "{inodes}");
    assert_eq!(
        facts.get("node").unwrap()["collected_at"],
        "2019-10-02T02:54:30Z"
    );
    assert_eq!(facts.get("clock").unwrap()["offset_s"], 0.0);
    assert_eq!(facts.get("login_defs").unwrap()["effective"], "SHA512");
    assert_eq!(facts.get("libuser").unwrap()["crypt_style"], "sha512");
    let pam = facts.get("pam_password").unwrap();
    assert_eq!(pam[0]["scheme"], "sha512", "{pam}");
    assert!(facts.malformed.is_empty(), "{:?}", facts.malformed);
}

#[test]
fn node_json_beside_the_report_adds_to_its_identity() {
    let dir = tempfile::tempdir().unwrap();
    let report = sos_tree(dir.path());
    std::fs::write(
        report.join("node.json"),
        r#"{"cluster": "ocp-east", "role": "master"}"#,
    )
    .unwrap();
    let (nodes, _) = snapshot::discover(std::slice::from_ref(&report));
    assert_eq!(nodes[0].layout, Layout::Sos);
    assert_eq!(nodes[0].field("cluster"), Some("ocp-east"));
    assert_eq!(nodes[0].field("hostname"), Some("master1.example.com"));
    // The report's own start time is the node's clock…
    assert_eq!(nodes[0].field("collected_at_clock"), Some("node"));
    // …but a collected_at written beside it is the collector's.
    std::fs::write(
        report.join("node.json"),
        r#"{"collected_at": "2019-10-02T02:54:40Z"}"#,
    )
    .unwrap();
    let (nodes, _) = snapshot::discover(&[report]);
    assert_eq!(nodes[0].field("collected_at"), Some("2019-10-02T02:54:40Z"));
    assert_eq!(nodes[0].field("collected_at_clock"), None);
}

#[test]
fn the_catalog_runs_on_a_sos_folder() {
    let dir = tempfile::tempdir().unwrap();
    let report = sos_tree(dir.path());
    let (json, _) = check_json(&[report.to_str().unwrap()]);
    let evaluations = evaluations(&json);
    let status = |code: u64| {
        evaluations.iter().find(|e| e["code"] == code).map_or_else(
            || panic!("no evaluation of {code}"),
            |e| e["status"].as_str().unwrap().to_string(),
        )
    };
    // chronyd never synchronised on that node.
    assert_eq!(status(40001), "fail");
    assert_eq!(status(30002), "pass");
    assert_eq!(status(50007), "pass");
    // TPD-only: not a Linux host's business.
    assert_eq!(status(10009), "not-applicable");
    for e in evaluations {
        let message = e["message"].as_str().unwrap();
        assert!(!message.contains("malformed"), "{e}");
    }
}

#[test]
fn the_docs_name_every_sos_path() {
    let doc = std::fs::read_to_string("docs/snapshot-format.md").unwrap();
    let section = doc
        .split("## sosreport layout")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("docs/snapshot-format.md has a sosreport layout section");
    for input in upcheck::inputs::builtin().iter() {
        for path in &input.paths.sos {
            assert!(
                section.contains(&format!("`{path}`")),
                "{}: {path} is not in the docs",
                input.name
            );
        }
    }
}

#[test]
fn a_sos_report_of_a_timesyncd_host_is_judged_by_timedatectl() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("sosreport-juju-2022-02-11-xyz");
    let to = report.join("sos_commands/systemd/timedatectl");
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(
        Path::new(SAMPLES).join("timedatectl/timedatectl-hotsos-kubernetes.txt"),
        &to,
    )
    .unwrap();
    let (nodes, _) = snapshot::discover(&[dir.path().to_path_buf()]);
    let time = NodeFacts::new(&nodes[0]).get("time").unwrap();
    assert_eq!(time["daemon"], "NTP service");
    assert_eq!(time["synchronised"], true);
    assert_eq!(time["running"], true);
}

#[test]
fn the_account_rules_on_a_sos_report_say_why_shadow_is_absent() {
    let dir = tempfile::tempdir().unwrap();
    let report = sos_tree(dir.path());
    let select = "50001,50002,50003,50004";
    let (json, _) = check_json(&["--select", select, report.to_str().unwrap()]);
    let evaluations = evaluations(&json);
    assert_eq!(evaluations.len(), 4);
    for e in evaluations {
        assert_eq!(e["status"], "unknown", "{e}");
        let message = e["message"].as_str().unwrap();
        assert!(
            message.contains("sosreport has no /etc/shadow by design"),
            "{e}"
        );
        assert!(message.contains("upcheck collect"), "{e}");
    }
}
