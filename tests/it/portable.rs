//! The portable binary that `scripts/build-portable` makes: it needs no
//! glibc newer than 2.17 and no shared library beyond glibc's own and
//! libgcc_s, and it runs here (`--version`, `collect`).
//!
//! The build takes minutes, so this test reads the binary that
//! `scripts/test` built when `CI` or `UPCHECK_PORTABLE=1` is set (it passes
//! the path in UPCHECK_PORTABLE_BIN). Without it the test prints a SKIPPED
//! line, except under CI, where it fails.

use crate::common::upcheck;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN_VAR: &str = "UPCHECK_PORTABLE_BIN";

/// The glibc of RHEL/OL 7, the oldest platform the binary supports.
const GLIBC_FLOOR: (u32, u32) = (2, 17);

/// The libraries every glibc system has (glibc's own, and libgcc_s, which
/// unwinding needs).
const ALLOWED_NEEDED: [&str; 7] = [
    "libc.so.6",
    "libm.so.6",
    "libgcc_s.so.1",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "ld-linux-x86-64.so.2",
];

fn portable_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(BIN_VAR) {
        return Some(PathBuf::from(path));
    }
    let why = format!(
        "no portable binary to check ({BIN_VAR} is not set): run `UPCHECK_PORTABLE=1 scripts/test --test it portable::`"
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "{why}; under CI scripts/test builds it"
    );
    eprintln!("\n*** SKIPPED tests/it/portable.rs: {why} ***\n");
    None
}

fn readelf(flag: &str, bin: &Path) -> String {
    let out = Command::new("readelf")
        .args([flag, "-W"])
        .arg(bin)
        .output()
        .expect("readelf (binutils) is needed to read the binary");
    assert!(out.status.success(), "readelf {flag} failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `GLIBC_2.17` → (2, 17); other version names → None.
fn glibc_version(name: &str) -> Option<(u32, u32)> {
    let rest = name.strip_prefix("GLIBC_")?;
    let mut parts = rest.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next().flatten().unwrap_or(0)))
}

#[test]
fn glibc_2_17_is_the_floor_and_only_system_libraries_are_needed() {
    let Some(bin) = portable_binary() else {
        return;
    };
    // The version-needs section names each symbol version the binary asks for.
    let versions: Vec<(u32, u32)> = readelf("-V", &bin)
        .split_whitespace()
        .filter_map(glibc_version)
        .collect();
    assert!(
        !versions.is_empty(),
        "no GLIBC_ versions found in the binary"
    );
    let highest = versions.iter().max().unwrap();
    assert!(
        *highest <= GLIBC_FLOOR,
        "the binary needs GLIBC_{}.{}",
        highest.0,
        highest.1
    );

    let dynamic = readelf("-d", &bin);
    let needed: Vec<&str> = dynamic
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| l.split('[').nth(1)?.split(']').next())
        .collect();
    assert!(needed.contains(&"libc.so.6"), "{needed:?}");
    for lib in &needed {
        assert!(ALLOWED_NEEDED.contains(lib), "the binary needs {lib}");
    }
}

#[test]
fn the_portable_binary_runs_and_collects_here() {
    let Some(bin) = portable_binary() else {
        return;
    };
    let version = Command::new(&bin).arg("--version").output().unwrap();
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("upcheck "));

    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("node");
    let collect = Command::new(&bin)
        .args(["collect", "--timeout", "20", "--out"])
        .arg(&node)
        .output()
        .unwrap();
    assert!(
        collect.status.success(),
        "{}",
        String::from_utf8_lossy(&collect.stderr)
    );
    // What it wrote is a snapshot the checker reads.
    let facts = upcheck().arg("facts").arg(&node).output().unwrap();
    assert!(facts.status.success());
    let facts: serde_json::Value = serde_json::from_slice(&facts.stdout).unwrap();
    assert!(
        facts["filesystems"]
            .as_array()
            .is_some_and(|f| !f.is_empty()),
        "{}",
        facts["filesystems"]
    );
}

#[test]
fn glibc_version_names_are_read() {
    assert_eq!(glibc_version("GLIBC_2.17"), Some((2, 17)));
    assert_eq!(glibc_version("GLIBC_2.2.5"), Some((2, 2)));
    assert_eq!(glibc_version("GLIBC_2.34"), Some((2, 34)));
    assert_eq!(glibc_version("GCC_3.0"), None);
    assert_eq!(glibc_version("GLIBC_PRIVATE"), None);
}
