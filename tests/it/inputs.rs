//! `upcheck inputs list|check` and site inputs in `--rules DIR/inputs/`:
//! the built-in table checks clean, and a broken site file stops every
//! command that loads it with its file and line (exit 2).

use crate::common::{json_of, run, stderr, stdout};
use std::path::Path;

const SITE_INPUT: &str = r#"description = "Patch states of another vendor's NMS"

[paths]
native = ["exports/nms-patches.csv"]

[collect]
how = "the NMS's patch view, exported to CSV"
"#;

/// A site folder holding `inputs/<name>.toml` with `text`.
fn site(dir: &Path, name: &str, text: &str) -> String {
    let inputs = dir.join("inputs");
    std::fs::create_dir_all(&inputs).unwrap();
    std::fs::write(inputs.join(format!("{name}.toml")), text).unwrap();
    dir.display().to_string()
}

#[test]
fn the_built_in_table_checks_clean() {
    let out = run(&["inputs", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains(": 0 error(s)"), "{}", stdout(&out));
}

#[test]
fn the_list_gives_paths_per_layout_and_how_each_is_collected() {
    let list = json_of(&run(&["inputs", "list", "--format", "json"]));
    let ntpq = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "ntpq")
        .unwrap();
    assert_eq!(ntpq["paths"]["native"][0], "commands/ntpq_-np");
    assert_eq!(ntpq["paths"]["sos"][0], "sos_commands/ntp/ntpq_-pn");
    assert_eq!(ntpq["collect"]["file"], "commands/ntpq_-np");
    let table = stdout(&run(&["inputs", "list"]));
    assert!(table.contains("chronyc -n sources"), "{table}");
}

#[test]
fn a_site_input_is_listed_and_an_unread_one_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path(), "nms-patches", SITE_INPUT);
    let list = stdout(&run(&["inputs", "list", "--rules", &site]));
    assert!(list.contains("exports/nms-patches.csv"), "{list}");
    let out = run(&["inputs", "check", "--rules", &site]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nms-patches.toml:1: no fact or rule reads input `nms-patches`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_broken_site_file_is_named_with_its_line_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let broken = SITE_INPUT.replace("how = ", "command = \"nmscli\"\nhow = ");
    let site = site(dir.path(), "nms-patches", &broken);
    let file = Path::new(&site).join("inputs/nms-patches.toml");
    let expected = format!("{}:7: unknown field `command`", file.display());
    for args in [
        vec!["inputs", "check", "--rules", &site],
        vec!["inputs", "list", "--rules", &site],
        vec!["check", "fixtures/demo", "--rules", &site],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&expected),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
}

#[test]
fn a_site_input_may_not_take_a_built_in_name() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path(), "alarms", SITE_INPUT);
    let out = run(&["inputs", "check", "--rules", &site]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("embedded:inputs/alarms.toml"), "{err}");
    assert!(
        err.contains("inputs/alarms.toml:1: input `alarms` is already declared"),
        "{err}"
    );
}
