//! What the integration tests share: the binary under test as a command,
//! its output read back, and fixture trees copied to a temporary place.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

/// The report time of every run unless a test sets its own: 2026-11-19,
/// so reports (and waiver expiry) do not change with the day.
pub const EPOCH: &str = "1795161600";

/// The upcheck binary of this build, with the report time fixed and the
/// table at the width of a pipe (unless a test sets `COLUMNS`).
pub fn upcheck() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_upcheck"));
    cmd.env("SOURCE_DATE_EPOCH", EPOCH).env_remove("COLUMNS");
    cmd
}

/// Runs upcheck with `args` and waits for it.
pub fn run(args: &[&str]) -> Output {
    run_on(EPOCH, args)
}

/// Runs upcheck with `args` as on the day `epoch` (seconds since 1970), for
/// what depends on the date, such as waiver expiry.
pub fn run_on(epoch: &str, args: &[&str]) -> Output {
    upcheck()
        .env("SOURCE_DATE_EPOCH", epoch)
        .args(args)
        .output()
        .expect("upcheck runs")
}

/// What a run wrote on stdout, invalid UTF-8 replaced.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What a run wrote on stderr, invalid UTF-8 replaced.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The JSON on stdout; a failure shows what came out instead.
pub fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(out), stderr(out)))
}

/// `upcheck check ARGS --format json`: the report and the exit code.
pub fn check_json(args: &[&str]) -> (Value, i32) {
    let out = upcheck()
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("upcheck runs");
    (json_of(&out), out.status.code().expect("upcheck exits"))
}

/// The evaluations of a JSON report.
pub fn evaluations(report: &Value) -> &Vec<Value> {
    report["evaluations"].as_array().expect("evaluations")
}

/// Copies a folder, keeping links as links (some fixtures hold loops).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if kind.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}
