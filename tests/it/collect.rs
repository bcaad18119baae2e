//! `upcheck collect` on this machine, then `upcheck check` on the result:
//! the host's own df, login.defs and PAM files are read, no evaluation is
//! unknown for malformed input, no password hash is written, and the
//! --archive form evaluates as the folder does. The sh collector
//! (`collect --print-script`), run under dash and busybox sh, writes a
//! snapshot with the same facts. And the shadow file both derive from
//! crafted lines holds no byte of a hash.
//!
//! Needs root (to read /etc/shadow and the hardware clock as a real
//! collection would). Without root the test fails and says so; with
//! UPCHECK_SKIP_COLLECT=1 it prints a SKIPPED line instead. The crafted
//! shadow test needs no root.

use crate::common::{json_of, upcheck};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};

const SKIP_VAR: &str = "UPCHECK_SKIP_COLLECT";

fn prerequisites_met() -> bool {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the effective user of this process.
    if std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0) {
        return true;
    }
    let why = "upcheck collect is tested as root (it reads /etc/shadow): run scripts/test as root";
    if std::env::var_os(SKIP_VAR).is_some() {
        eprintln!("\n*** SKIPPED tests/it/collect.rs: {why} ({SKIP_VAR} is set) ***\n");
        return false;
    }
    panic!("{why}; or set {SKIP_VAR}=1 to skip this test knowingly");
}

/// upcheck with `args`, then `path`.
fn run_on_path(args: &[&str], path: &Path) -> Output {
    upcheck().args(args).arg(path).output().unwrap()
}

const IDENTITY: [&str; 6] = ["--role", "server", "--cluster", "lab", "--timeout", "20"];

fn collect(out: &Path, extra: &[&str]) {
    let mut args = vec!["collect"];
    args.extend(IDENTITY);
    args.extend(extra);
    args.push("--out");
    let ran = run_on_path(&args, out);
    assert!(
        ran.status.success(),
        "collect failed: {}",
        String::from_utf8_lossy(&ran.stderr)
    );
}

/// The shells the sh collector is run under (scripts/test installs busybox).
const SHELLS: [&[&str]; 2] = [&["dash"], &["busybox", "sh"]];

/// `upcheck collect --print-script`, written to `dir/collect.sh`.
fn print_script(dir: &Path) -> std::path::PathBuf {
    let printed = upcheck()
        .args(["collect", "--print-script"])
        .output()
        .unwrap();
    assert!(printed.status.success());
    let script = dir.join("collect.sh");
    std::fs::write(&script, &printed.stdout).unwrap();
    script
}

/// The sh collector under `shell`, with the options `collect` is given.
fn script_collect(shell: &[&str], script: &Path, out: &Path, extra: &[&str]) {
    let ran = Command::new(shell[0])
        .args(&shell[1..])
        .arg(script)
        .args(IDENTITY)
        .args(extra)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap_or_else(|e| panic!("{shell:?}: {e} (scripts/test installs it)"));
    assert!(
        ran.status.success(),
        "{shell:?} collect.sh failed: {}",
        String::from_utf8_lossy(&ran.stderr)
    );
}

#[test]
fn a_collected_snapshot_is_checked() {
    if !prerequisites_met() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("this-host");
    collect(&node, &[]);

    let identity: Value =
        serde_json::from_str(&std::fs::read_to_string(node.join("node.json")).unwrap()).unwrap();
    assert_eq!(identity["platform"], "linux");
    assert_eq!(identity["role"], "server");
    assert_eq!(identity["cluster"], "lab");
    assert!(identity["hostname"].is_string());
    assert!(identity["collected_at"].is_string());
    // Without --collected-at the time is this host's: it says so.
    assert_eq!(identity["collected_at_clock"], "node");
    let status: Value =
        serde_json::from_str(&std::fs::read_to_string(node.join("status/df_-Pk.json")).unwrap())
            .unwrap();
    assert_eq!(status["command"], "df -Pk");
    assert_eq!(status["exit_status"], 0);
    assert_eq!(status["timed_out"], false);

    // Only the scheme of each hash is written.
    let shadow = std::fs::read_to_string(node.join("etc/shadow")).expect("shadow derived as root");
    for line in shadow.lines() {
        let field = line.split(':').nth(1).unwrap_or("");
        let hash = field.trim_start_matches('!');
        assert!(
            matches!(hash, "" | "*" | "!") || hash.starts_with("<redacted-"),
            "a hash was written for {}",
            line.split(':').next().unwrap_or("")
        );
    }

    let facts = json_of(&run_on_path(&["facts"], &node));
    assert!(
        facts["filesystems"]
            .as_array()
            .is_some_and(|f| !f.is_empty()),
        "{}",
        facts["filesystems"]
    );
    assert!(
        facts["inodes"].as_array().is_some_and(|f| !f.is_empty()),
        "{}",
        facts["inodes"]
    );
    assert!(
        facts["clock"]["system_epoch"].is_number(),
        "{}",
        facts["clock"]
    );
    assert!(
        facts["login_defs"]["effective"].is_string(),
        "{}",
        facts["login_defs"]
    );
    assert!(facts["accounts"].is_array(), "{}", facts["accounts"]);

    let report = json_of(&run_on_path(&["check", "--format", "json"], &node));
    for e in report["evaluations"].as_array().unwrap() {
        assert_ne!(e["code"], 90002, "malformed input: {e}");
        assert_ne!(e["code"], 90001, "unreadable snapshot: {e}");
        if e["status"] == "unknown" {
            assert!(!e["message"].as_str().unwrap().contains("malformed"), "{e}");
        }
    }
}

#[test]
fn an_archived_collection_evaluates_as_its_folder() {
    if !prerequisites_met() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("packed");
    collect(&node, &["--archive"]);
    let archive = dir.path().join("packed.tar.gz");
    assert!(archive.is_file());
    assert!(!node.exists(), "the folder is removed once packed");

    let unpacked = dir.path().join("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    let tar = Command::new("tar")
        .arg("xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&unpacked)
        .status()
        .unwrap();
    assert!(tar.success());
    let rows = |path: &Path| -> Vec<(Value, Value, Value)> {
        json_of(&run_on_path(&["check", "--format", "json"], path))["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["scope"] == "node")
            .map(|e| (e["code"].clone(), e["node"].clone(), e["status"].clone()))
            .collect()
    };
    let folder = rows(&unpacked.join("packed"));
    assert!(!folder.is_empty());
    assert_eq!(rows(&archive), folder);
}

/// Crafted shadow lines, each with its own secret of upper-case letters
/// (crypt characters that no derived line holds), drawn at test time.
fn crafted_shadow() -> (String, Vec<String>) {
    use std::hash::{BuildHasher, RandomState};
    let state = RandomState::new();
    let secret = |i: usize, len: usize| -> String {
        (0..len)
            .map(|j| (b'A' + (state.hash_one((i, j)) % 26) as u8) as char)
            .collect()
    };
    let s: Vec<String> = (0..10).map(|i| secret(i, 16)).collect();
    let des = secret(10, 13);
    let text = format!(
        "alice:$6${s0}${s1}:19723:0:99999:7:::\n\
         bob:!$y$j9T${s2}${s3}:19723:0:99999:7::20100:\n\
         carol:{des}:19723:0:99999:7:::\n\
         $6${s4}${s5}:19723:0:99999:7:::\n\
         dave:*:19723:0:99999:7:::$6${s6}\n\
         erin:{s7}:19723:0:99999:7:::\n\
         frank:$6${s8}:19723:0\n\
         grace:$6${s9}\n\
         {des}:19723:0:99999:7:::\n\
         heidi:!!:19723::::::\n\
         ivan:*:-:0:99999:7:::\n",
        s0 = s[0],
        s1 = s[1],
        s2 = s[2],
        s3 = s[3],
        s4 = s[4],
        s5 = s[5],
        s6 = s[6],
        s7 = s[7],
        s8 = s[8],
        s9 = s[9],
    );
    (text, s.into_iter().chain([des]).collect())
}

/// What `collect` must write for [`crafted_shadow`]: normal, locked, DES,
/// shifted, reserved-field, plain-text, malformed, and the two halves of a
/// wrapped line, then a password never set and a `-` for a day count.
const CRAFTED_DERIVED: &str = "\
alice:<redacted-sha512>:19723:0:99999:7:::
bob:!<redacted-yescrypt>:19723:0:99999:7::20100:
carol:<redacted-des>:19723:0:99999:7:::
<unreadable>
dave:*:19723:0:99999:7:::
erin:*:19723:0:99999:7:::
<unreadable>
<unreadable>
<unreadable>
heidi:!!:19723::::::
<unreadable>
";

#[test]
fn no_byte_of_a_crafted_hash_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (text, secrets) = crafted_shadow();
    let source = dir.path().join("shadow");
    std::fs::write(&source, &text).unwrap();
    let source = source.display().to_string();
    let extra = ["--shadow-file", source.as_str()];
    let script = print_script(dir.path());
    let mut nodes = vec![("upcheck collect".to_string(), dir.path().join("binary"))];
    collect(&nodes[0].1, &extra);
    for (i, shell) in SHELLS.iter().enumerate() {
        let node = dir.path().join(format!("script-{i}"));
        script_collect(shell, &script, &node, &extra);
        nodes.push((format!("collect.sh under {shell:?}"), node));
    }

    for (collector, node) in nodes {
        let derived = std::fs::read_to_string(node.join("etc/shadow")).unwrap();
        assert_eq!(derived, CRAFTED_DERIVED, "{collector}");
        assert!(
            !derived.bytes().any(|b| b.is_ascii_uppercase()),
            "{collector} wrote a byte of a secret"
        );
        for secret in &secrets {
            assert!(!derived.contains(secret.as_str()), "{collector}");
        }
        // The parser reads the derived file and names the first bad line.
        let facts = json_of(&run_on_path(&["parse", "shadow"], &node.join("etc/shadow")));
        assert_eq!(facts["outcome"], "malformed", "{collector}: {facts}");
        assert_eq!(facts["line"], 4, "{collector}: {facts}");
    }
}

/// `upcheck facts` of a node with what differs between two collections a
/// few seconds apart taken out: times, disk usage, the node's folder and
/// the collector's name.
fn comparable_facts(node: &Path) -> Value {
    const CHANGING: [&str; 13] = [
        "collected_at",
        "collected_day",
        "collected_epoch",
        "collected_at_epoch",
        "system_epoch",
        "offset_s",
        "avail_kib",
        "used_kib",
        "use_pct",
        "ifree",
        "iused",
        "iuse_pct",
        "collector",
    ];
    fn scrub(value: &mut Value, folder: &str) {
        match value {
            Value::Object(map) => {
                map.retain(|k, _| !CHANGING.contains(&k.as_str()));
                map.values_mut().for_each(|v| scrub(v, folder));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| scrub(v, folder)),
            Value::String(s) => *s = s.replace(folder, "NODE"),
            _ => {}
        }
    }
    let mut facts = json_of(&run_on_path(&["facts"], node));
    // The `date` output itself is a time.
    facts["clock"]["text"].take();
    scrub(&mut facts, &node.display().to_string());
    facts
}

#[test]
fn the_sh_collector_snapshot_has_the_binary_s_facts() {
    if !prerequisites_met() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = print_script(dir.path());
    let binary = dir.path().join("binary");
    // This host stages no ISO image: both record md5sum's "No such file or
    // directory", so that the staging rules judge it.
    collect(&binary, &["--hash-iso"]);
    let expected = comparable_facts(&binary);
    assert!(expected["accounts"].is_array(), "{}", expected["accounts"]);
    if !Path::new("/var/TKLC/upgrade").exists() {
        assert_eq!(expected["staged_isos"], json!([]));
    }
    for (i, shell) in SHELLS.iter().enumerate() {
        let node = dir.path().join(format!("script-{i}"));
        script_collect(shell, &script, &node, &["--hash-iso"]);
        assert_eq!(comparable_facts(&node), expected, "{shell:?}");
        let identity: Value =
            serde_json::from_str(&std::fs::read_to_string(node.join("node.json")).unwrap())
                .unwrap();
        assert_eq!(identity["labels"]["collector"], "upcheck collect.sh");
        let status: Value = serde_json::from_str(
            &std::fs::read_to_string(node.join("status/df_-Pk.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(
            (
                &status["command"],
                &status["exit_status"],
                &status["timed_out"]
            ),
            (&json!("df -Pk"), &json!(0), &json!(false))
        );
        let report = json_of(&run_on_path(&["check", "--format", "json"], &node));
        for e in report["evaluations"].as_array().unwrap() {
            assert!(
                ![90001, 90002].contains(&e["code"].as_u64().unwrap()),
                "{e}"
            );
        }
    }

    // --archive packs DIR.tar.gz as the binary does.
    let packed = dir.path().join("packed");
    script_collect(SHELLS[0], &script, &packed, &["--archive"]);
    assert!(!packed.exists());
    let archive = dir.path().join("packed.tar.gz");
    let facts = json_of(&run_on_path(&["check", "--format", "json"], &archive));
    assert!(
        facts["evaluations"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );
}

/// A site input with a command: `collect --rules DIR` runs it, and the sh
/// collector printed with `--rules DIR` runs it too; without the flag
/// neither does.
#[test]
fn collect_runs_the_commands_of_site_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("inputs")).unwrap();
    std::fs::write(
        site.join("inputs/node-name.toml"),
        "description = \"The node's name as uname prints it.\"\n\
         unread = \"kept for the operator\"\n\
         [paths]\nnative = [\"commands/uname_-n\"]\n\
         [collect]\nhow = \"uname -n\"\nargv = [\"uname\", \"-n\"]\norder = 90\n",
    )
    .unwrap();
    let script = |extra: &[&Path]| {
        let printed = upcheck()
            .args(["collect", "--print-script"])
            .args(extra.iter().flat_map(|d| [Path::new("--rules"), *d]))
            .output()
            .unwrap();
        assert!(
            printed.status.success(),
            "{}",
            String::from_utf8_lossy(&printed.stderr)
        );
        String::from_utf8(printed.stdout).unwrap()
    };
    let line = "run_command 'uname_-n' '' '' 'uname' '-n'";
    assert!(script(&[&site]).contains(line));
    assert!(!script(&[]).contains("uname_-n"));
    if !prerequisites_met() {
        return;
    }
    let node = dir.path().join("node");
    collect(&node, &["--rules", site.to_str().unwrap()]);
    let name = std::fs::read_to_string(node.join("commands/uname_-n")).unwrap();
    assert!(!name.trim().is_empty(), "{name:?}");
}
