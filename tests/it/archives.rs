//! Snapshot archives read in place: a fleet folder and the same folder as a
//! .tar, .tar.gz, .tgz or .tar.xz give the same evaluations; unsafe entries
//! are refused with a message; a truncated archive is unknown for its node
//! while the run goes on.

use crate::common::upcheck;
use serde_json::Value;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

const DEMO_SITE: &str = "fixtures/demo/site-east";

fn check(path: &Path) -> Value {
    check_with(path, &[])
}

fn check_with(path: &Path, args: &[&str]) -> Value {
    let out = upcheck()
        .args(["check", "--format", "json", "-j", "1"])
        .args(args)
        .arg(path)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// (code, node, status, message) of every evaluation, with the snapshot's
/// own path written ROOT and the fleet (named by the path checked) FLEET,
/// so that a folder and an archive compare.
fn evaluations(report: &Value, checked: &Path, root: &Path) -> Vec<(u64, String, String, String)> {
    let root = root.display().to_string();
    let checked = checked.display().to_string();
    report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["code"].as_u64().unwrap(),
                e["node"].as_str().unwrap_or("").replace(&checked, "FLEET"),
                e["status"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().replace(&root, "ROOT"),
            )
        })
        .collect()
}

fn tar_of(dir: &Path, top: &str, out: impl Write) -> impl Write {
    let mut builder = tar::Builder::new(out);
    builder.append_dir_all(top, dir).unwrap();
    builder.into_inner().unwrap()
}

/// The demo site as `name` in `dir`, compressed by its extension.
fn demo_archive(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let file = File::create(&path).unwrap();
    let site = Path::new(DEMO_SITE);
    if name.ends_with(".tar.xz") {
        tar_of(site, "site-east", xz2::write::XzEncoder::new(file, 6))
            .flush()
            .unwrap();
    } else if name.ends_with(".gz") || name.ends_with(".tgz") {
        let gz = tar_of(
            site,
            "site-east",
            flate2::write::GzEncoder::new(file, flate2::Compression::default()),
        );
        drop(gz);
    } else {
        tar_of(site, "site-east", file).flush().unwrap();
    }
    path
}

#[test]
fn folder_and_archives_give_the_same_evaluations() {
    let dir = tempfile::tempdir().unwrap();
    // The plan of the demo fleet, and its backup record, apply to the
    // archives beside them.
    for file in ["plan.toml", "backup-repository.csv"] {
        std::fs::copy(Path::new("fixtures/demo").join(file), dir.path().join(file)).unwrap();
    }
    let site = Path::new(DEMO_SITE);
    // A site checked alone gets the fleet's plan only when given.
    let with_plan = check_with(site, &["--plan", "fixtures/demo/plan.toml"]);
    let folder = evaluations(&with_plan, site, site);
    assert!(folder.len() > 100);
    for name in [
        "site-east.tar",
        "site-east.tar.gz",
        "site-east.tgz",
        "site-east.tar.xz",
    ] {
        let archive = demo_archive(dir.path(), name);
        let got = evaluations(&check(&archive), &archive, &archive.join("site-east"));
        assert_eq!(got.len(), folder.len(), "{name}");
        for (a, f) in got.iter().zip(&folder) {
            assert_eq!(a, f, "{name}");
        }
    }
}

/// A tar entry written raw, so that names the tar crate would refuse
/// (`..`, absolute) can be put in.
fn raw_entry(
    builder: &mut tar::Builder<File>,
    name: &str,
    kind: tar::EntryType,
    link: &str,
    data: &[u8],
) {
    let mut header = tar::Header::new_gnu();
    let gnu = header.as_gnu_mut().unwrap();
    gnu.name[..name.len()].copy_from_slice(name.as_bytes());
    gnu.linkname[..link.len()].copy_from_slice(link.as_bytes());
    header.set_entry_type(kind);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder.append(&header, data).unwrap();
}

#[test]
fn unsafe_entries_are_refused_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil.tar");
    let mut builder = tar::Builder::new(File::create(&path).unwrap());
    let node = br#"{"hostname": "n1", "platform": "linux"}"#;
    raw_entry(
        &mut builder,
        "n1/node.json",
        tar::EntryType::Regular,
        "",
        node,
    );
    raw_entry(&mut builder, "../escape", tar::EntryType::Regular, "", b"x");
    raw_entry(
        &mut builder,
        "/etc/cron.d/evil",
        tar::EntryType::Regular,
        "",
        b"x",
    );
    raw_entry(
        &mut builder,
        "n1/etc/login.defs",
        tar::EntryType::Symlink,
        "../../../etc/login.defs",
        b"",
    );
    builder.finish().unwrap();
    drop(builder);

    let report = check(&path);
    let messages: Vec<String> = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == 90001)
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect();
    let refused = |what: &str| {
        messages
            .iter()
            .any(|m| m.contains(what) && m.contains("refused"))
    };
    assert!(refused("../escape"), "{messages:?}");
    assert!(refused("/etc/cron.d/evil"), "{messages:?}");
    // The node itself is read; its login.defs, a link out of the node, is
    // refused where a rule reads it, never read from the host.
    let on_n1 = |code: u64| {
        report["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["code"] == code && e["node"] == "n1")
            .unwrap_or_else(|| panic!("{code} evaluated on n1"))
    };
    assert_eq!(on_n1(50005)["status"], "unknown");
    assert_eq!(
        on_n1(90007)["message"],
        format!(
            "{}/n1/etc/login.defs is unreadable: link etc/login.defs -> ../../../etc/login.defs \
             leads out of the node's folder: not followed",
            path.display()
        )
    );
    assert!(!dir.path().join("escape").exists());
}

#[test]
fn a_truncated_archive_is_unknown_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("fixtures/demo/plan.toml", dir.path().join("plan.toml")).unwrap();
    let whole = demo_archive(dir.path(), "good.tar.xz");
    let bytes = std::fs::read(&whole).unwrap();
    let cut = dir.path().join("cut.tar.xz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();

    let report = check(dir.path());
    let evaluations = report["evaluations"].as_array().unwrap();
    let broken = evaluations
        .iter()
        .find(|e| e["code"] == 90001)
        .expect("90001 for the cut archive");
    let message = broken["message"].as_str().unwrap();
    assert!(message.contains("cut.tar.xz"), "{message}");
    assert!(message.contains("corrupt or truncated"), "{message}");
    let unknown_on_cut = evaluations
        .iter()
        .filter(|e| e["node"] == "cut.tar.xz" && e["status"] == "unknown")
        .count();
    assert!(
        unknown_on_cut > 10,
        "every node rule of the cut archive is unknown"
    );
    // The good archive beside it is evaluated.
    assert!(
        evaluations
            .iter()
            .any(|e| e["node"] == "mpe-east-a" && e["status"] == "pass")
    );
}

/// A fleet of `nodes` copies of the demo's nodes, packed in one archive:
/// the whole catalog reads every node's inputs from one decompression.
#[test]
fn an_archive_is_decompressed_once_per_run() {
    use upcheck::catalog::Catalog;
    use upcheck::engine::{self, RunOptions};
    use upcheck::snapshot::archive::streams_of;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fleet.tar.xz");
    let mut builder =
        tar::Builder::new(xz2::write::XzEncoder::new(File::create(&path).unwrap(), 1));
    let site = Path::new(DEMO_SITE);
    for copy in 0..4 {
        for node in std::fs::read_dir(site).unwrap() {
            let node = node.unwrap().path();
            let name = node.file_name().unwrap().to_string_lossy().to_string();
            let top = format!("fleet/c{copy}-{name}");
            builder.append_dir_all(&top, &node).unwrap();
            let json = std::fs::read_to_string(node.join("node.json")).unwrap();
            let mut meta: Value = serde_json::from_str(&json).unwrap();
            meta["hostname"] = format!("c{copy}-{name}").into();
            let bytes = serde_json::to_vec(&meta).unwrap();
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, format!("{top}/node.json"), &bytes[..])
                .unwrap();
        }
    }
    builder.into_inner().unwrap().finish().unwrap();

    let catalog = Catalog::load(&[]);
    let options = RunOptions {
        jobs: Some(2),
        ..Default::default()
    };
    let run = engine::run(std::slice::from_ref(&path), &catalog, &options);
    let nodes = 4 * std::fs::read_dir(site).unwrap().count();
    assert_eq!(run.nodes, nodes);
    assert!(run.evaluations.len() > 50 * nodes);
    assert_eq!(streams_of(&path), 1, "one pass over the archive");
}
