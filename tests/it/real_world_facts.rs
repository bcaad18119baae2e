//! Real command outputs from ../shared/real-world through the fact layer:
//! what the rules would see of a node that printed exactly that.

use serde_json::Value;
use std::path::Path;
use upcheck::facts::{FactProblem, NodeFacts};
use upcheck::snapshot;

const SAMPLES: &str = "../shared/real-world";

/// Facts of a one-node snapshot holding the given files.
fn fact(files: &[(&str, &Path)], name: &str) -> Result<Value, FactProblem> {
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("n");
    std::fs::create_dir_all(node.join("commands")).unwrap();
    std::fs::create_dir_all(node.join("etc/pam.d")).unwrap();
    std::fs::write(
        node.join("node.json"),
        r#"{"hostname": "n", "platform": "linux", "collected_at": "2019-10-02T02:54:30Z"}"#,
    )
    .unwrap();
    for (rel, sample) in files {
        std::fs::copy(sample, node.join(rel)).unwrap();
    }
    let (nodes, _) = snapshot::discover(&[dir.path().to_path_buf()]);
    NodeFacts::new(&nodes[0]).get(name)
}

fn sample(kind: &str, file: &str) -> std::path::PathBuf {
    Path::new(SAMPLES).join(kind).join(file)
}

#[test]
fn every_ntpq_sample_gives_a_time_fact() {
    // file -> (synchronised, running)
    let expected = [
        ("ntpq-p-jc-centos77.txt", false, true),
        ("ntpq-p-jc-ubuntu1804-truncated-names.txt", true, true),
        ("ntpq-p-ntpsec-refclocks.txt", true, true),
        ("ntpq-pn-ic-doc-ipv6.txt", true, true),
        ("ntpq-pn-ic-test-connection-refused.txt", false, false),
        ("ntpq-pn-ic-test-init-unreachable.txt", false, true),
        ("ntpq-pn-ic-test-ntpd-output.txt", true, true),
        ("ntpq-pn-jc-centos77.txt", true, true),
        ("ntpq-pn-jc-ubuntu1804-pool.txt", true, true),
    ];
    let mut seen = 0;
    for entry in std::fs::read_dir(Path::new(SAMPLES).join("ntpq-pn")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let (_, synced, running) = expected
            .iter()
            .find(|(f, ..)| *f == name)
            .unwrap_or_else(|| panic!("no expectation for {name}"));
        let time = fact(&[("commands/ntpq_-np", &sample("ntpq-pn", &name))], "time")
            .unwrap_or_else(|p| panic!("{name}: {}", p.describe()));
        assert_eq!(time["daemon"], "ntpd", "{name}");
        assert_eq!(time["synchronised"], *synced, "{name}");
        assert_eq!(time["running"], *running, "{name}");
        seen += 1;
    }
    assert_eq!(seen, expected.len());
}

#[test]
fn pool_rows_are_not_peers() {
    let time = fact(
        &[(
            "commands/ntpq_-np",
            &sample("ntpq-pn", "ntpq-pn-jc-ubuntu1804-pool.txt"),
        )],
        "time",
    )
    .unwrap();
    let peers = time["peers"].as_array().unwrap();
    let pools = peers.iter().filter(|p| p["pool"] == true).count();
    assert_eq!(pools, 5);
    assert_eq!(time["selected"]["remote"], "209.51.161.238");
}

#[test]
fn every_chronyc_sources_sample_gives_a_time_fact() {
    let expected: &[(&str, Option<bool>)] = &[
        (
            "chronyc-n-sources-sos-rhcos-all-unreachable.txt",
            Some(false),
        ),
        ("chronyc-sources-chrony-manual-2012.txt", Some(true)),
        ("chronyc-sources-chrony-manual-v1.txt", Some(true)),
        ("chronyc-sources-chrony-manual-v4.txt", Some(true)),
        ("chronyc-sources-ic-doc.txt", Some(true)),
        ("chronyc-sources-ic-test-collapsed-spacing.txt", Some(true)),
        // The collector could not run chronyc: no fact, never a pass.
        ("chronyc-sources-ica-rhel67-binary-missing.txt", None),
        ("chronyc-sources-ica-rhel7.txt", Some(true)),
    ];
    let mut seen = 0;
    for entry in std::fs::read_dir(Path::new(SAMPLES).join("chronyc-sources")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let (_, synced) = expected
            .iter()
            .find(|(f, _)| *f == name)
            .unwrap_or_else(|| panic!("no expectation for {name}"));
        let time = fact(
            &[(
                "commands/chronyc_-n_sources",
                &sample("chronyc-sources", &name),
            )],
            "time",
        );
        match synced {
            Some(s) => {
                let time = time.unwrap_or_else(|p| panic!("{name}: {}", p.describe()));
                assert_eq!(time["daemon"], "chronyd", "{name}");
                assert_eq!(time["synchronised"], *s, "{name}");
            }
            None => assert!(
                matches!(time, Err(FactProblem::Unreadable { .. })),
                "{name}: {time:?}"
            ),
        }
        seen += 1;
    }
    assert_eq!(seen, expected.len());
}

#[test]
fn every_timedatectl_sample_judges_a_host_without_ntpq_or_chronyc() {
    // file -> (daemon, running); every real sample is synchronised.
    let expected = [
        ("timedatectl-hotsos-ceph-mon.txt", "NTP service", false),
        ("timedatectl-hotsos-kubernetes.txt", "NTP service", true),
        ("timedatectl-hotsos-openstack.txt", "NTP service", true),
        ("timedatectl-hotsos-rabbitmq.txt", "NTP service", false),
        ("timedatectl-hotsos-vault.txt", "NTP service", false),
        ("timedatectl-ic-test-est.txt", "NTP service", true),
        (
            "timedatectl-ic-test-rhel7-ansi-warning.txt",
            "NTP service",
            true,
        ),
        ("timedatectl-ic-test-rhel7-dst.txt", "NTP service", true),
        (
            "timedatectl-ic-test-rtc-local-warning.txt",
            "NTP service",
            true,
        ),
        ("timedatectl-jc-centos77.txt", "NTP service", true),
        ("timedatectl-jc-rtc-local.txt", "NTP service", true),
        ("timedatectl-jc-ubuntu1804.txt", "systemd-timesyncd", true),
    ];
    let mut seen = 0;
    for entry in std::fs::read_dir(Path::new(SAMPLES).join("timedatectl")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let time = fact(
            &[
                ("commands/timedatectl", &sample("timedatectl", &name)),
                // What collect leaves on a host without chrony.
                (
                    "commands/chronyc_-n_sources",
                    &sample(
                        "chronyc-sources",
                        "chronyc-sources-ica-rhel67-binary-missing.txt",
                    ),
                ),
            ],
            "time",
        );
        seen += 1;
        if name == "timedatectl-timesync-status-jc.txt" {
            // `timedatectl timesync-status`, not the status: no fact.
            assert!(
                matches!(time, Err(FactProblem::Malformed { .. })),
                "{time:?}"
            );
            continue;
        }
        let (_, daemon, running) = expected
            .iter()
            .find(|(f, ..)| *f == name)
            .unwrap_or_else(|| panic!("no expectation for {name}"));
        let time = time.unwrap_or_else(|p| panic!("{name}: {}", p.describe()));
        assert_eq!(time["daemon"], *daemon, "{name}");
        assert_eq!(time["running"], *running, "{name}");
        assert_eq!(time["synchronised"], true, "{name}");
        assert_eq!(time["peers_listed"], false, "{name}");
        let file = time["status_source"]["file"].as_str().unwrap();
        assert!(file.ends_with("commands/timedatectl"), "{name}: {file}");
    }
    assert_eq!(seen, expected.len() + 1);
}

#[test]
fn ntpq_listing_peers_wins_over_timedatectl() {
    let time = fact(
        &[
            (
                "commands/ntpq_-np",
                &sample("ntpq-pn", "ntpq-pn-jc-centos77.txt"),
            ),
            (
                "commands/timedatectl",
                &sample("timedatectl", "timedatectl-jc-centos77.txt"),
            ),
        ],
        "time",
    )
    .unwrap();
    assert_eq!(time["daemon"], "ntpd");
    assert_eq!(time["peers_listed"], true);
}

#[test]
fn chrony_tracking_not_synchronised_wins_over_sources() {
    let time = fact(
        &[
            (
                "commands/chronyc_-n_sources",
                &sample("chronyc-sources", "chronyc-sources-ic-doc.txt"),
            ),
            (
                "commands/chronyc_tracking",
                &sample(
                    "chronyc-tracking",
                    "chronyc-tracking-sos-rhcos-not-synchronised.txt",
                ),
            ),
        ],
        "time",
    )
    .unwrap();
    assert_eq!(time["synchronised"], false);
    assert_eq!(time["leap_status"], "Not synchronised");
    assert_eq!(time["status_source"]["line"], 13);
}

#[test]
fn rhcos_hardware_clock_is_five_seconds_behind() {
    // date and hwclock from the same sosreport, taken in one run.
    let rtc = fact(
        &[
            ("commands/date", &sample("date", "date-sos-rhcos.txt")),
            (
                "commands/hwclock",
                &sample("hwclock", "hwclock-sos-rhcos.txt"),
            ),
        ],
        "rtc",
    )
    .unwrap();
    let drift = rtc["drift_s"].as_f64().unwrap();
    assert!((drift + 5.058).abs() < 0.01, "{drift}");
}

#[test]
fn hwclock_without_rtc_is_not_applicable_and_missing_binary_unknown() {
    let date = sample("date", "date-sos-rhcos.txt");
    let no_rtc = fact(
        &[
            ("commands/date", &date),
            (
                "commands/hwclock",
                &sample("hwclock", "hwclock-hotsos-rabbitmq.txt"),
            ),
        ],
        "rtc",
    );
    assert!(
        matches!(no_rtc, Err(FactProblem::NotApplicable { .. })),
        "{no_rtc:?}"
    );
    let no_binary = fact(
        &[
            ("commands/date", &date),
            (
                "commands/hwclock",
                &sample("hwclock", "hwclock-hotsos-sunbeam.txt"),
            ),
        ],
        "rtc",
    );
    assert!(
        matches!(no_binary, Err(FactProblem::Unreadable { .. })),
        "{no_binary:?}"
    );
}

#[test]
fn every_df_sample_lands_in_the_right_fact() {
    for entry in std::fs::read_dir(Path::new(SAMPLES).join("df")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let inodes = name.starts_with("df-li") || name.starts_with("df-ali");
        let (rel, fact_name) = if inodes {
            ("commands/df_-Pi", "inodes")
        } else {
            ("commands/df_-Pk", "filesystems")
        };
        let rows =
            fact(&[(rel, &path)], fact_name).unwrap_or_else(|p| panic!("{name}: {}", p.describe()));
        let rows = rows.as_array().unwrap();
        assert!(!rows.is_empty(), "{name}");
        // Every sample has at least one real filesystem that rules judge.
        assert!(rows.iter().any(|r| r["pseudo"] == false), "{name}");
        for r in rows {
            let mount = r["mount"].as_str().unwrap();
            assert!(mount.starts_with('/'), "{name}: mount {mount:?}");
        }
    }
}

#[test]
fn real_hashing_policies_read_as_the_tools_apply_them() {
    let login_defs = |f: &str| {
        fact(
            &[("etc/login.defs", &sample("login-defs", f))],
            "login_defs",
        )
        .unwrap()["effective"]
            .clone()
    };
    assert_eq!(login_defs("login-defs-centos7-hardened.txt"), "SHA512");
    assert_eq!(login_defs("login-defs-ubuntu-hotsos.txt"), "SHA512");
    // Upstream ships ENCRYPT_METHOD commented out: shadow-utils falls back to DES.
    assert_eq!(login_defs("login-defs-shadow-upstream.txt"), "DES");

    let libuser = |f: &str| {
        fact(
            &[("etc/libuser.conf", &sample("libuser-conf", f))],
            "libuser",
        )
        .unwrap()["crypt_style"]
            .clone()
    };
    assert_eq!(libuser("libuser-conf-upstream-2007-md5.txt"), "md5");
    assert_eq!(libuser("libuser-conf-upstream-2011-sha512.txt"), "sha512");
    assert_eq!(
        libuser("libuser-conf-upstream-2021-yescrypt.txt"),
        "yescrypt"
    );

    let pam = |f: &str| {
        fact(
            &[("etc/pam.d/system-auth", &sample("pam-system-auth", f))],
            "pam_password",
        )
    };
    let md5 = pam("system-auth-ac-centos7-md5.txt").unwrap();
    assert_eq!(md5[0]["scheme"], "md5");
    assert_eq!(md5[0]["source"]["line"], 15);
    let rhcos = pam("system-auth-sos-rhcos-authselect.txt").unwrap();
    assert_eq!(rhcos[0]["scheme"], "sha512");
    // The collector masked the password lines: unknown, never a pass.
    assert!(matches!(
        pam("password-auth-ica-rhel7.txt"),
        Err(FactProblem::Malformed { line: 14, .. })
    ));
}
