//! Snapshots are untrusted: what upcheck writes must stay bounded, well
//! formed and inert whatever a snapshot holds. Each test builds its hostile
//! snapshot in a temporary folder from a copy of a fixture node: a huge
//! line, control characters, terminal escape sequences, hashes where a
//! shadow file should have none; and the output files are checked not to
//! replace what is not a regular file.

use crate::common::{copy_tree, run};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A TPD node with login.defs, libuser.conf, PAM and shadow files.
const NODE: &str = "fixtures/oracle-pm/completed-post/site-1/cmp-s1-a";

/// A fleet folder in `dir` holding one copy of [`NODE`] named `name`.
fn fleet_with_node(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let fleet = dir.join("fleet");
    let node = fleet.join(name);
    copy_tree(Path::new(NODE), &node);
    (fleet, node)
}

const FORMATS: [&str; 6] = ["table", "json", "junit", "sarif", "markdown", "html"];

/// Every format of one `check` run (table on stdout with passing rows,
/// the others through `--report`), and what went to stderr.
fn every_format(fleet: &Path) -> Vec<(String, Vec<u8>)> {
    let out_dir = tempfile::tempdir().unwrap();
    let fleet = fleet.to_str().unwrap();
    let mut args = vec!["check", fleet, "--show-passing"];
    let targets: Vec<String> = FORMATS[1..]
        .iter()
        .map(|f| format!("{f}={}", out_dir.path().join(f).display()))
        .collect();
    for t in &targets {
        args.extend(["--report", t.as_str()]);
    }
    let out = run(&args);
    assert!(
        matches!(out.status.code(), Some(0..=3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut all = vec![
        ("table".to_string(), out.stdout),
        ("stderr".to_string(), out.stderr),
    ];
    for f in &FORMATS[1..] {
        all.push((
            f.to_string(),
            std::fs::read(out_dir.path().join(f)).unwrap(),
        ));
    }
    all
}

/// `facts` of the node and `parse KIND FILE`, stdout and stderr.
fn facts_and_parse(node: &Path, kind: &str, file: &str) -> Vec<(String, Vec<u8>)> {
    let facts = run(&["facts", node.to_str().unwrap()]);
    let parse = run(&["parse", kind, node.join(file).to_str().unwrap()]);
    vec![
        ("facts".into(), [facts.stdout, facts.stderr].concat()),
        (
            format!("parse {kind}"),
            [parse.stdout, parse.stderr].concat(),
        ),
    ]
}

/// The longest run of `byte` in `text`.
fn longest_run(text: &[u8], byte: u8) -> usize {
    text.split(|&b| b != byte)
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0)
}

#[test]
fn a_huge_line_is_clipped_in_every_output() {
    // A line of 1 MiB (the case of issue 16 is 64 MiB; the mechanism is
    // the same and the test stays quick). No blank and no `=`, and a `-`
    // no key starts with, so every parser quotes it as the word it could
    // not read.
    const LINE: usize = 1 << 20;
    for (file, kind) in [
        ("etc/login.defs", "login-defs"),
        ("etc/libuser.conf", "libuser"),
        ("etc/pam.d/system-auth", "pam"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (fleet, node) = fleet_with_node(dir.path(), "cmp-s1-a");
        let mut text = std::fs::read(node.join(file)).unwrap();
        text.push(b'-');
        text.extend(std::iter::repeat_n(b'Q', LINE));
        text.push(b'\n');
        std::fs::write(node.join(file), text).unwrap();

        let mut outputs = every_format(&fleet);
        outputs.extend(facts_and_parse(&node, kind, file));
        for (what, output) in &outputs {
            assert!(
                longest_run(output, b'Q') <= 200,
                "{file}: {what} quotes {} bytes of the line",
                longest_run(output, b'Q')
            );
            assert!(
                output.len() < 1 << 20,
                "{file}: {what} is {} bytes",
                output.len()
            );
        }
        let json = String::from_utf8_lossy(&outputs[2].1);
        assert!(
            json.contains(&format!("…[{} bytes]", LINE + 1)),
            "{file}: the clipped excerpt gives the line's size"
        );
    }
}

/// Characters a terminal acts on: ESC, BEL, CR, backspace, the C1 CSI.
fn terminal_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| matches!(c, '\u{1b}' | '\u{7}' | '\r' | '\u{8}' | '\u{9b}'))
        .collect()
}

const TITLE: &str = "\u{1b}]0;owned\u{7}";
const CLEAR: &str = "\u{1b}[2J\u{1b}[H";

/// A node whose folder name, host name and a malformed line carry escape
/// sequences and other control characters.
fn escaping_node(dir: &Path) -> (PathBuf, PathBuf) {
    let (fleet, node) = fleet_with_node(dir, &format!("cmp{TITLE}x"));
    let json = std::fs::read_to_string(node.join("node.json")).unwrap();
    let json = json.replace(
        "\"hostname\": \"cmp-s1-a\"",
        "\"hostname\": \"cmp\\u001b[2J\\u001b[H\\rfake\\u0000\\u0008\\u009b31m\"",
    );
    std::fs::write(node.join("node.json"), json).unwrap();
    let defs = node.join("etc/login.defs");
    let mut text = std::fs::read_to_string(&defs).unwrap();
    text.push_str(&format!("BAD\u{1}KEY{CLEAR}\u{0}\u{b}\u{c} value\r\n"));
    std::fs::write(defs, text).unwrap();
    (fleet, node)
}

#[test]
fn junit_stays_well_formed_xml_whatever_the_input_holds() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _) = escaping_node(dir.path());
    let junit = every_format(&fleet)
        .into_iter()
        .find(|(f, _)| f == "junit")
        .unwrap()
        .1;
    let junit = String::from_utf8(junit).unwrap();
    // XML 1.0 allows tab, newline and carriage return of the C0 range, and
    // no other, not even as a character reference.
    let forbidden: Vec<char> = junit
        .chars()
        .filter(|&c| (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{fffe}')
        .collect();
    assert!(forbidden.is_empty(), "{forbidden:?}");
    assert!(!junit.contains("&#"), "no character references either");
    let mut reader = quick_xml::Reader::from_str(&junit);
    let mut cases = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e))
                if e.name().as_ref() == b"testcase" =>
            {
                cases += 1;
            }
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
    assert!(cases > 10, "{cases} test cases");
    assert!(junit.contains("cmp\\e[2J\\e[H\rfake\\0\\x08"), "{junit}");
}

#[test]
fn escape_sequences_from_a_snapshot_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, node) = escaping_node(dir.path());
    let mut outputs = every_format(&fleet);
    outputs.extend(facts_and_parse(&node, "login-defs", "etc/login.defs"));
    for (what, output) in &outputs {
        if matches!(what.as_str(), "table" | "stderr" | "markdown") {
            let text = String::from_utf8_lossy(output);
            assert!(
                terminal_controls(&text).is_empty(),
                "{what}: {:?}\n{text}",
                terminal_controls(&text)
            );
        }
    }
    let table = String::from_utf8_lossy(&outputs[0].1).into_owned();
    assert!(table.contains("cmp\\e[2J\\e[H\\rfake"), "{table}");
    // The parser quotes the key as Rust does, escapes and all.
    assert!(table.contains("BAD\\u{1}KEY\\u{1b}[2J"), "{table}");
    // The folder name is the node's path in the evidence.
    assert!(table.contains("cmp\\e]0;owned\\x07x"), "{table}");
}

#[test]
fn escape_sequences_in_a_diff_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("pre");
    let after = dir.path().join("post");
    copy_tree(Path::new("fixtures/osn6800-upgrade/pre"), &before);
    copy_tree(Path::new("fixtures/osn6800-upgrade/post"), &after);
    // The host name, and the NE column of the exports that names it.
    for side in [&before, &after] {
        let json = side.join("ne-east-01/node.json");
        let text = std::fs::read_to_string(&json).unwrap().replace(
            "\"hostname\": \"ne-east-01\"",
            "\"hostname\": \"ne-east-01\\u001b]0;owned\\u0007\"",
        );
        std::fs::write(json, text).unwrap();
        for export in ["patches.csv", "alarms.csv"] {
            let csv = side.join("ne-east-01/exports").join(export);
            let text = std::fs::read_to_string(&csv)
                .unwrap()
                .replace("ne-east-01,", "ne-east-01\u{1b}]0;owned\u{7},");
            std::fs::write(csv, text).unwrap();
        }
    }
    let json = after.join("ne-east-01/node.json");
    let text = std::fs::read_to_string(&json).unwrap().replace(
        "\"running_release\": \"V100R004C04SPC800\"",
        "\"running_release\": \"V100\\u001b[2J\\rR004\"",
    );
    std::fs::write(json, text).unwrap();
    let patches = after.join("ne-east-01/exports/patches.csv");
    let text = std::fs::read_to_string(&patches)
        .unwrap()
        .replace("SPC800SPH001,V100", &format!("SPC800SPH001{CLEAR}\r,V100"));
    std::fs::write(patches, text).unwrap();

    let out = run(&["diff", before.to_str().unwrap(), after.to_str().unwrap()]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        terminal_controls(&text).is_empty(),
        "{:?}\n{text}",
        terminal_controls(&text)
    );
    assert!(text.contains("ne-east-01\\e]0;owned\\x07"), "{text}");
    assert!(text.contains("SPH001\\e[2J\\e[H on"), "{text}");
    assert!(text.contains("→ V100\\e[2J\\rR004"), "{text}");
}

/// Salts and hash bodies planted where a shadow file holds no hash: in an
/// age field, in the first field (a piece of a hash), in every field; and a
/// clear-text password, which is a well-formed line.
const SHADOW_VARIANTS: [(&str, &[&str]); 5] = [
    (
        "root::$6$PlAnTsAlTa$PLANTHASHBODYa:19723:0:99999:7:::",
        &["PlAnTsAlTa", "PLANTHASHBODYa"],
    ),
    ("PlAnTpIeCeb9Xq:x:19723:0:99999:7:::", &["PlAnTpIeCeb9Xq"]),
    (
        "admusr:!!:19723:0:$1$PlAnTsAlTc$PLANTHASHBODYc:7:::",
        &["PlAnTsAlTc", "PLANTHASHBODYc"],
    ),
    (
        "PLANTdEs/x.9Q:$6$PlAnTsAlTd$PLANTHASHBODYd:PLANTaGe:0:99999:7:::",
        &["PLANTdEs/x.9Q", "PlAnTsAlTd", "PLANTHASHBODYd", "PLANTaGe"],
    ),
    ("bob:PlAnTcLeArTeXt:19723:0:99999:7:::", &["PlAnTcLeArTeXt"]),
];

#[test]
fn a_shadow_line_lets_out_only_a_valid_account_name_and_the_scheme() {
    for (line, secrets) in SHADOW_VARIANTS {
        let dir = tempfile::tempdir().unwrap();
        let (fleet, node) = fleet_with_node(dir.path(), "cmp-s1-a");
        let shadow = node.join("etc/shadow");
        let mut text = std::fs::read_to_string(&shadow).unwrap();
        text.push_str(line);
        text.push('\n');
        std::fs::write(&shadow, text).unwrap();

        let mut outputs = every_format(&fleet);
        outputs.extend(facts_and_parse(&node, "shadow", "etc/shadow"));
        let before = dir.path().join("before");
        fleet_with_node(&before, "cmp-s1-a");
        let diff = run(&[
            "diff",
            before.join("fleet").to_str().unwrap(),
            fleet.to_str().unwrap(),
        ]);
        outputs.push(("diff".into(), [diff.stdout, diff.stderr].concat()));
        for (what, output) in &outputs {
            let output = String::from_utf8_lossy(output);
            for secret in secrets {
                assert!(
                    !output.contains(secret),
                    "{line}: {what} shows `{secret}`:\n{output}"
                );
            }
        }
        // A broken line is reported, located, with what may be shown of it.
        let json = String::from_utf8_lossy(&outputs[2].1);
        let malformed = !line.starts_with("bob:");
        assert_eq!(
            json.contains("\"code\": 90002"),
            malformed,
            "{line}: {json}"
        );
        if malformed {
            assert!(
                json.contains("etc/shadow is malformed at line"),
                "{line}: {json}"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn output_files_that_are_not_regular_files_are_written_in_place() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let fleet = "fixtures/demo";

    // A character device like /dev/null (made here, not the real one,
    // which a failing run would replace for the whole machine). Only root
    // may make one; without root a FIFO stands in for it below.
    let null = dir.path().join("null");
    let made = Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if made {
        for args in [
            vec!["check", fleet, "--output", null.to_str().unwrap()],
            vec![
                "check",
                fleet,
                "--report",
                &format!("junit={}", null.display()),
            ],
        ] {
            let out = run(&args);
            assert!(matches!(out.status.code(), Some(0..=3)), "{out:?}");
            let kind = std::fs::symlink_metadata(&null).unwrap().file_type();
            assert!(kind.is_char_device(), "{args:?} replaced the device");
        }
    }

    // A FIFO is written through: a reader gets the report.
    let fifo = dir.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo))
    };
    let out = run(&[
        "check",
        fleet,
        "--format",
        "json",
        "--output",
        fifo.to_str().unwrap(),
    ]);
    if !std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo()
    {
        // Unblock the reader before failing: it waits for a writer.
        let _ = std::fs::remove_file(&fifo);
        panic!("the FIFO was replaced by a file: {out:?}");
    }
    let read = reader.join().unwrap().unwrap();
    assert!(read.contains("\"schema_version\""), "{read}");

    // An existing file keeps its mode; a new one is 0644.
    let private = dir.path().join("private.json");
    std::fs::write(&private, "old").unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    run(&[
        "check",
        fleet,
        "--format",
        "json",
        "--output",
        private.to_str().unwrap(),
    ]);
    let meta = std::fs::metadata(&private).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(
        std::fs::read_to_string(&private)
            .unwrap()
            .contains("\"schema_version\"")
    );
    let fresh = dir.path().join("fresh.json");
    run(&[
        "check",
        fleet,
        "--format",
        "json",
        "--output",
        fresh.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
        0o644
    );

    // A symbolic link stays a link; the file it names gets the report.
    let target = dir.path().join("target.json");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    run(&[
        "check",
        fleet,
        "--format",
        "json",
        "--output",
        link.to_str().unwrap(),
    ]);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .contains("\"schema_version\"")
    );

    // A folder is refused, and stays.
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    let out = run(&["check", fleet, "--output", folder.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(folder.is_dir());
}
