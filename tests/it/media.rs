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
