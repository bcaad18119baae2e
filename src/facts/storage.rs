//! Filesystem space and inode facts from any `df` variant.

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, outcome_problem};
use super::spec::{Build, FactSpec, Source, to_fact, typed};
use crate::parse::Outcome;
use crate::parse::linux::df::{self, DfKind, DfRow};
use schemars::JsonSchema;
use serde::Serialize;

pub const FILESYSTEMS: FactSpec = FactSpec {
    name: "filesystems",
    always: false,
    build: Build::Node(build_filesystems),
    diff: None,
    inputs: &["df-space"],
    summary: "One entry per filesystem of `df` (any of -Pk, -P, -k, -alP, -al, -h; -h sizes \
              are rounded by df). Use `holding(filesystems, path)` for the filesystem that holds \
              a path.",
    schema: typed::<Vec<Filesystem>>,
};

pub const INODES: FactSpec = FactSpec {
    name: "inodes",
    always: false,
    build: Build::Node(build_inodes),
    diff: None,
    inputs: &["df-inodes"],
    summary: "One entry per filesystem of `df -Pi` / `df -i`.",
    schema: typed::<Vec<Inodes>>,
};

/// A `filesystems` row.
#[derive(Serialize, JsonSchema)]
struct Filesystem<'r> {
    /// device or source
    filesystem: &'r str,
    /// type, when df printed it (-T)
    fs_type: Option<&'r str>,
    /// size in KiB (null for `-`)
    size_kib: Option<u64>,
    /// used KiB
    used_kib: Option<u64>,
    /// available KiB (what an unprivileged writer gets)
    avail_kib: Option<u64>,
    /// Use% / Capacity (null for `-`)
    use_pct: Option<u8>,
    /// mount point, inner spaces kept
    mount: &'r str,
    /// a pseudo or read-only image filesystem (tmpfs, devtmpfs, iso9660,
    /// squashfs, overlay, proc, sysfs, cgroup, …, /dev/loop*) or one with
    /// no size
    pseudo: bool,
    /// {file, line}
    source: Source,
}

/// An `inodes` row.
#[derive(Serialize, JsonSchema)]
struct Inodes<'r> {
    /// device or source
    filesystem: &'r str,
    /// inode count
    inodes: Option<u64>,
    /// inodes used
    iused: Option<u64>,
    /// inodes free
    ifree: Option<u64>,
    /// IUse%; null for `-` (no inode table)
    iuse_pct: Option<u8>,
    /// mount point
    mount: &'r str,
    /// as for filesystems
    pseudo: bool,
    /// {file, line}
    source: Source,
}

/// Filesystems that hold no upgrade data: judged by type when df printed
/// one, else by the source name df shows for them.
const PSEUDO: &[&str] = &[
    "tmpfs",
    "devtmpfs",
    "iso9660",
    "squashfs",
    "overlay",
    "proc",
    "sysfs",
    "devpts",
    "cgroup",
    "cgroup2",
    "securityfs",
    "pstore",
    "bpf",
    "efivarfs",
    "configfs",
    "selinuxfs",
    "debugfs",
    "tracefs",
    "mqueue",
    "hugetlbfs",
    "fusectl",
    "autofs",
    "binfmt_misc",
    "rpc_pipefs",
    "nsfs",
    "udev",
    "none",
    "rootfs",
    "systemd-1",
    "shm",
    "ramfs",
];

fn is_pseudo(row: &DfRow) -> bool {
    let named = |s: &str| PSEUDO.contains(&s);
    let by_name = match &row.fs_type {
        Some(t) => named(t),
        None => named(&row.filesystem),
    };
    by_name
        || matches!(row.total, None | Some(0))
    // Loop devices carry read-only images (snaps, ISOs) that are always full.
    || row.filesystem.starts_with("/dev/loop")
}

fn rows(
    facts: &mut NodeFacts,
    input: &str,
    want: DfKind,
) -> Result<(String, Vec<DfRow>), FactProblem> {
    let (rel, outcome) = facts.parse(input, df::parse)?;
    match outcome {
        Outcome::Parsed { records } if records.kind == want => Ok((rel, records.rows)),
        Outcome::Parsed { records } => Err(FactProblem::Malformed {
            path: rel,
            line: records
                .rows
                .first()
                .map_or(1, |r| r.line.saturating_sub(1).max(1)),
            reason: format!(
                "expected df {want:?} columns, found {:?} columns",
                records.kind
            ),
        }),
        other => Err(outcome_problem(&rel, &other).expect("not parsed")),
    }
}

pub fn build_filesystems(facts: &mut NodeFacts) -> FactResult {
    let (rel, rows) = rows(facts, "df-space", DfKind::Space)?;
    let rows: Vec<Filesystem> = rows
        .iter()
        .map(|r| Filesystem {
            filesystem: &r.filesystem,
            fs_type: r.fs_type.as_deref(),
            size_kib: r.total,
            used_kib: r.used,
            avail_kib: r.available,
            use_pct: r.use_pct,
            mount: &r.mount,
            pseudo: is_pseudo(r),
            source: Source::new(&rel, r.line),
        })
        .collect();
    to_fact(&rows)
}

pub fn build_inodes(facts: &mut NodeFacts) -> FactResult {
    let (rel, rows) = rows(facts, "df-inodes", DfKind::Inodes)?;
    let rows: Vec<Inodes> = rows
        .iter()
        .map(|r| Inodes {
            filesystem: &r.filesystem,
            inodes: r.total,
            iused: r.used,
            ifree: r.available,
            iuse_pct: r.use_pct,
            mount: &r.mount,
            pseudo: is_pseudo(r),
            source: Source::new(&rel, r.line),
        })
        .collect();
    to_fact(&rows)
}
