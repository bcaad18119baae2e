//! No password hash body leaves upcheck: every output format, over every
//! fixture fleet that holds a shadow file, and over a malformed shadow.

use crate::common::{run, stderr, stdout};
use std::path::{Path, PathBuf};

/// All that upcheck with `args` writes, stdout then stderr.
fn written(args: &[&str]) -> String {
    let out = run(args);
    stdout(&out) + &stderr(&out)
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
            written(&["check", fleet, "--format", "json"]),
            written(&["check", fleet, "--show-passing"]),
            written(&["facts", node.to_str().unwrap()]),
            written(&["parse", "shadow", node.join("etc/shadow").to_str().unwrap()]),
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
        written(&["check", fleet, "--format", "json"]),
        written(&["check", fleet]),
        written(&["facts", node.to_str().unwrap()]),
        written(&["parse", "shadow", node.join("etc/shadow").to_str().unwrap()]),
    ] {
        for secret in ["LeakySalt", "LEAKYHASHBODY", "abDESLEAKYXYZ"] {
            assert!(!output.contains(secret), "`{secret}` leaked:\n{output}");
        }
    }
    let json = written(&["check", fleet, "--format", "json"]);
    assert!(json.contains("\"code\": 90002"), "{json}");
    // The age that is not a number could be anything: it goes too.
    assert!(
        json.contains("admusr:<redacted-des>:<redacted>:0:99999:7:::"),
        "{json}"
    );
}

/// Secrets in the forms configuration files, command lines and logs write
/// them, each with a value of its own, and what a report shows instead.
const PLANTED: [(&str, &str, &str); 10] = [
    ("password=", "PlAnTzero0", "password=<redacted>"),
    ("passwd: ", "PlAnTone1", "passwd: <redacted>"),
    ("mysql --password ", "PlAnTtwo2", "--password <redacted>"),
    ("DB_PASSWORD=", "PlAnTthree3", "DB_PASSWORD=<redacted>"),
    ("bindpw ", "PlAnTfour4", "bindpw <redacted>"),
    (
        "snmp-server community ",
        "PlAnTfive5",
        "community <redacted>",
    ),
    (
        "enable secret 5 ",
        "PlAnTsix6",
        "enable secret 5 <redacted>",
    ),
    (
        "-----BEGIN RSA PRIVATE KEY-----MIIE",
        "PlAnTseven7",
        "-----BEGIN RSA PRIVATE KEY-----<redacted>",
    ),
    ("Authorization: Bearer ", "PlAnTeight8", "Bearer <redacted>"),
    ("client_secret: ", "PlAnTnine9", "client_secret: <redacted>"),
];

/// A copy of `from` in `to`, links kept as links, with a secret planted as
/// the first line of every input file: a parser that cannot read it quotes
/// it, and evidence shows the line.
fn copy_planting(from: &Path, to: &Path, planted: &mut usize) {
    std::fs::create_dir_all(to).unwrap();
    let mut entries: Vec<_> = std::fs::read_dir(from).unwrap().flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let (path, target) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&path).unwrap(), &target).unwrap();
        } else if kind.is_dir() {
            copy_planting(&path, &target, planted);
        } else if name == "node.json" || name.ends_with(".md") || name.ends_with(".toml") {
            std::fs::copy(&path, &target).unwrap();
        } else {
            let (before, secret, _) = PLANTED[*planted % PLANTED.len()];
            *planted += 1;
            let mut text = format!("{before}{secret}\n").into_bytes();
            text.extend(std::fs::read(&path).unwrap());
            std::fs::write(&target, text).unwrap();
        }
    }
}

#[test]
fn no_planted_secret_in_any_output_of_any_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("fixtures");
    let mut planted = 0;
    copy_planting(Path::new("fixtures"), &copy, &mut planted);
    assert!(planted > 1000, "{planted} files");
    let fleet = copy.to_str().unwrap();
    let reports = dir.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    let formats = ["json", "junit", "sarif", "markdown", "html"];
    let mut args = vec!["check", fleet, "--show-passing"];
    let targets: Vec<String> = formats
        .iter()
        .map(|f| format!("{f}={}", reports.join(f).display()))
        .collect();
    for t in &targets {
        args.extend(["--report", t.as_str()]);
    }
    let mut outputs = vec![("table and stderr".to_string(), written(&args))];
    for f in formats {
        outputs.push((
            f.to_string(),
            std::fs::read_to_string(reports.join(f)).unwrap(),
        ));
    }
    outputs.push(("diff".into(), written(&["diff", "fixtures", fleet])));
    for (what, output) in &outputs {
        assert!(!output.is_empty(), "{what}");
        for (_, secret, _) in PLANTED {
            assert!(
                !output.contains(secret),
                "{what} shows `{secret}`: {}",
                output
                    .lines()
                    .filter(|l| l.contains(secret))
                    .take(3)
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
    // Every form was quoted somewhere, and redacted there.
    let json = &outputs[1].1;
    for (_, _, shown) in PLANTED {
        assert!(json.contains(shown), "no excerpt shows `{shown}`");
    }
}
