//! No password hash body leaves upcheck: every output format, over every
//! fixture fleet that holds a shadow file, and over a malformed shadow.

use std::path::{Path, PathBuf};
use std::process::Command;

fn upcheck(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_upcheck"))
        .args(args)
        .output()
        .expect("upcheck runs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The secret parts of every password field of a shadow file: salt and
/// hash of `$id$salt$hash`, or the whole field of a DES-style hash.
fn secrets(shadow: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(shadow).unwrap();
    let mut out = Vec::new();
    for line in text.lines() {
        let field = line.split(':').nth(1).unwrap_or("").trim_start_matches('!');
        if field.starts_with('$') {
            // `$id$[params$]salt$hash`: everything after the id.
            out.extend(
                field
                    .split('$')
                    .skip(2)
                    .filter(|p| p.len() >= 4)
                    .map(str::to_string),
            );
        } else if field.len() >= 4 {
            out.push(field.to_string());
        }
    }
    out
}

/// Node folders (holding node.json) under `dir` that have etc/shadow.
fn shadow_nodes(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.join("node.json").is_file() {
            if path.join("etc/shadow").is_file() {
                found.push(path);
            }
        } else if entry.file_type().is_ok_and(|t| t.is_dir()) {
            // Not through symlinks: fixtures/bad-input holds a symlink loop.
            shadow_nodes(&path, found);
        }
    }
}

#[test]
fn no_hash_body_in_any_output() {
    let mut nodes = Vec::new();
    shadow_nodes(Path::new("fixtures"), &mut nodes);
    assert!(
        nodes.len() >= 10,
        "only {} fixture nodes hold a shadow file",
        nodes.len()
    );
    for node in &nodes {
        let secrets = secrets(&node.join("etc/shadow"));
        assert!(
            !secrets.is_empty() || node.to_string_lossy().contains("none"),
            "{}",
            node.display()
        );
        let fleet = node.parent().unwrap().to_str().unwrap();
        let outputs = [
            upcheck(&["check", fleet, "--format", "json"]),
            upcheck(&["check", fleet, "--show-passing"]),
            upcheck(&["facts", node.to_str().unwrap()]),
            upcheck(&["parse", "shadow", node.join("etc/shadow").to_str().unwrap()]),
        ];
        for output in &outputs {
            for secret in &secrets {
                assert!(
                    !output.contains(secret.as_str()),
                    "{}: `{secret}` leaked:\n{output}",
                    node.display()
                );
            }
        }
    }
}

#[test]
fn a_malformed_shadow_line_is_reported_without_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("n1");
    std::fs::create_dir_all(node.join("etc")).unwrap();
    std::fs::write(
        node.join("node.json"),
        r#"{"hostname": "n1", "platform": "tpd", "collected_at": "2026-11-20T08:00:00Z"}"#,
    )
    .unwrap();
    std::fs::write(
        node.join("etc/shadow"),
        "root:$6$LeakySalt$LEAKYHASHBODYzzzzzzzz:20400:0:99999:7:::\nadmusr:abDESLEAKYXYZ:notanumber:0:99999:7:::\n",
    )
    .unwrap();
    let fleet = dir.path().to_str().unwrap();
    for output in [
        upcheck(&["check", fleet, "--format", "json"]),
        upcheck(&["check", fleet]),
        upcheck(&["facts", node.to_str().unwrap()]),
        upcheck(&["parse", "shadow", node.join("etc/shadow").to_str().unwrap()]),
    ] {
        for secret in ["LeakySalt", "LEAKYHASHBODY", "abDESLEAKYXYZ"] {
            assert!(!output.contains(secret), "`{secret}` leaked:\n{output}");
        }
    }
    let json = upcheck(&["check", fleet, "--format", "json"]);
    assert!(json.contains("\"code\": 90002"), "{json}");
    // The age that is not a number could be anything: it goes too.
    assert!(
        json.contains("admusr:<redacted-des>:<redacted>:0:99999:7:::"),
        "{json}"
    );
}
