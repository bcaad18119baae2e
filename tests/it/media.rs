//! ISO verification end to end: the cases that leave 20008 unknown rather
//! than failed or passed, which a fires/passes fixture cannot hold.

use crate::common::{check_json, evaluations};
use md5::Digest;
use serde_json::Value;

const NODE_JSON: &str = r#"{"hostname": "cmp1", "role": "cmp", "platform": "tpd"}"#;
const ISO: &str = "cmp-12.1.2.0.0_22.1.0-x86_64.iso";

/// An ISO 9660 image header that declares `blocks` blocks of 2048 bytes,
/// cut to `len` bytes.
fn iso_image(blocks: u32, len: usize) -> Vec<u8> {
    let mut bytes = vec![0x5A; (blocks as usize * 2048).max(len)];
    let pvd = 16 * 2048;
    bytes[pvd] = 1;
    bytes[pvd + 1..pvd + 6].copy_from_slice(b"CD001");
    bytes[pvd + 80..pvd + 84].copy_from_slice(&blocks.to_le_bytes());
    bytes[pvd + 128..pvd + 130].copy_from_slice(&2048u16.to_le_bytes());
    bytes.truncate(len);
    bytes
}

fn check_20008(files: &[(&str, Vec<u8>)]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    for (rel, bytes) in files {
        let path = dir.path().join("cmp1").join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let (report, _) = check_json(&["--select", "20008", dir.path().to_str().unwrap()]);
    evaluations(&report)
        .iter()
        .filter(|e| e["code"] == 20008)
        .cloned()
        .collect()
}

#[test]
fn a_truncated_image_is_unknown_with_the_reason() {
    let listing = format!("0123456789abcdef0123456789abcdef  {ISO}\n");
    let evals = check_20008(&[
        ("node.json", NODE_JSON.into()),
        ("var/camiant/tmp/md5sum.out", listing.into_bytes()),
        (&format!("var/TKLC/upgrade/{ISO}"), iso_image(40, 36 * 2048)),
    ]);
    assert_eq!(evals.len(), 1, "{evals:?}");
    assert_eq!(evals[0]["status"], "unknown");
    let message = evals[0]["message"].as_str().unwrap();
    assert!(
        message.contains("truncated: 73728 of the 81920 bytes"),
        "{message}"
    );
}

#[test]
fn an_unlisted_image_is_unknown_and_a_listed_one_still_checked() {
    let image = iso_image(20, 20 * 2048);
    let digest = upcheck::model::hex(&md5::Md5::digest(&image));
    let listing = format!("{digest}  /home/build/iso/{ISO}\n");
    let evals = check_20008(&[
        ("node.json", NODE_JSON.into()),
        ("var/TKLC/upgrade/md5sum.out", listing.into_bytes()),
        (&format!("var/TKLC/upgrade/{ISO}"), image),
        ("var/TKLC/upgrade/extra-tools.iso", b"not listed".to_vec()),
    ]);
    let status = |name: &str| {
        evals
            .iter()
            .find(|e| e["message"].as_str().unwrap().starts_with(name))
            .map(|e| e["status"].as_str().unwrap().to_string())
    };
    assert_eq!(status("extra-tools.iso").as_deref(), Some("unknown"));
    // A listed image that matches adds no finding; the run holds no failure.
    assert!(evals.iter().all(|e| e["status"] != "fail"), "{evals:?}");
}

#[test]
fn without_a_checksum_file_the_check_is_unknown_not_passed() {
    let evals = check_20008(&[
        ("node.json", NODE_JSON.into()),
        (&format!("var/TKLC/upgrade/{ISO}"), iso_image(20, 20 * 2048)),
    ]);
    assert_eq!(evals.len(), 1);
    assert_eq!(evals[0]["status"], "unknown");
    assert!(evals[0]["message"].as_str().unwrap().contains("md5sum.out"));
}

/// The `digests` of the JSON report of `check --select 20008 DIR ARGS`.
fn digests_of_a_run(dir: &std::path::Path, args: &[&str]) -> Value {
    let dir = dir.to_str().unwrap();
    let (report, _) = check_json(&[&["--select", "20008"], args, &[dir]].concat());
    report["digests"].clone()
}

#[test]
fn a_second_run_with_the_digest_cache_hashes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = dir.path().join("fleet");
    let image = iso_image(40, 40 * 2048);
    let md5 = upcheck::model::hex(&md5::Md5::digest(&image));
    for node in ["cmp1", "cmp2"] {
        let folder = fleet.join(node);
        std::fs::create_dir_all(folder.join("var/TKLC/upgrade")).unwrap();
        std::fs::create_dir_all(folder.join("var/camiant/tmp")).unwrap();
        std::fs::write(folder.join("node.json"), NODE_JSON.replace("cmp1", node)).unwrap();
        std::fs::write(
            folder.join("var/camiant/tmp/md5sum.out"),
            format!("{md5}  {ISO}\n"),
        )
        .unwrap();
        std::fs::write(folder.join("var/TKLC/upgrade").join(ISO), &image).unwrap();
    }
    let cache = dir.path().join("cache");
    let cache_arg = cache.to_str().unwrap();
    let image_of = |node: &str| {
        fleet
            .join(node)
            .join("var/TKLC/upgrade")
            .join(ISO)
            .display()
            .to_string()
    };
    let both = serde_json::json!([image_of("cmp1"), image_of("cmp2")]);

    let first = digests_of_a_run(&fleet, &["--cache", cache_arg]);
    assert_eq!(first["computed"], both, "{first}");
    assert_eq!(first["cached"], serde_json::json!([]));
    let second = digests_of_a_run(&fleet, &["--cache", cache_arg]);
    assert_eq!(
        second["computed"],
        serde_json::json!([]),
        "nothing hashed: {second}"
    );
    assert_eq!(second["cached"], both);

    // The md5 recorded on the node is preferred to hashing the copy.
    std::fs::create_dir_all(fleet.join("cmp1/commands")).unwrap();
    let output = fleet.join("cmp1/commands/md5sum_.var.TKLC.upgrade.iso");
    std::fs::write(&output, format!("{md5}  /var/TKLC/upgrade/{ISO}\n")).unwrap();
    let third = digests_of_a_run(&fleet, &[]);
    assert_eq!(
        third["recorded"],
        serde_json::json!([output.display().to_string()])
    );
    assert_eq!(third["computed"], serde_json::json!([image_of("cmp2")]));
}
