//! The body of the `snapshot` fuzz target (fuzz/fuzz_targets/snapshot.rs)
//! and its seeds: the snapshot reader, folder and archive, on hostile
//! trees. The input's first byte picks the form, the rest is a tar stream:
//! even, the tar is read in place as an archive; odd, it is unpacked into a
//! folder first, keeping what a hostile snapshot would hold: links to any
//! target (`/`, `/etc/shadow`), FIFOs, and devices (as links to
//! `/dev/zero`, which a test cannot create). Then every node is found and
//! every fact of it built, which reads every input.

use crate::snapshot;
use std::io::Read;
use std::path::{Component, Path};

/// Runs the reader on one input. Panics only when the reader does; a
/// hang is the fuzzer's timeout.
pub fn fuzz_one(data: &[u8]) {
    let Some((&mode, tar)) = data.split_first() else {
        return;
    };
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let root = if mode % 2 == 0 {
        let path = dir.path().join("snapshot.tar");
        if std::fs::write(&path, tar).is_err() {
            return;
        }
        path
    } else {
        let root = dir.path().join("fleet");
        unpack(tar, &root);
        root
    };
    read_everything(&root);
}

/// Discovery, then every fact of every node (and its file listing).
fn read_everything(root: &Path) {
    let (nodes, _problems) = snapshot::discover(&[root.to_path_buf()]);
    let _ = snapshot::name_clashes(&nodes);
    for node in &nodes {
        let _ = node.files();
        let _ = crate::facts::all_facts(node, &serde_json::json!({}), None);
    }
}

/// Unpacks the tar into `root` as a hostile collector would have left it,
/// but without ever writing outside `root`: an entry under a link, or
/// whose name climbs out, is skipped, and no file is created through a
/// link.
fn unpack(tar: &[u8], root: &Path) {
    if std::fs::create_dir_all(root).is_err() {
        return;
    }
    let mut archive = tar::Archive::new(tar);
    let Ok(entries) = archive.entries() else {
        return;
    };
    for entry in entries {
        let Ok(mut entry) = entry else {
            return;
        };
        let Ok(name) = entry.path().map(std::borrow::Cow::into_owned) else {
            continue;
        };
        let Some(path) = inside(root, &name) else {
            continue;
        };
        let kind = entry.header().entry_type();
        let link = entry
            .link_name()
            .ok()
            .flatten()
            .map(std::borrow::Cow::into_owned);
        let mut data = Vec::new();
        if entry.read_to_end(&mut data).is_err() {
            return;
        }
        let _ = create(&path, kind, link.as_deref(), &data);
    }
}

/// `root` joined with `name`, when `name` is relative, never climbs, and
/// no folder on the way is a link (writing there would leave `root`).
fn inside(root: &Path, name: &Path) -> Option<std::path::PathBuf> {
    let mut path = root.to_path_buf();
    for part in name.components() {
        match part {
            Component::Normal(p) => {
                if path
                    .symlink_metadata()
                    .is_ok_and(|m| m.file_type().is_symlink())
                {
                    return None;
                }
                path.push(p);
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    (path != root).then_some(path)
}

fn create(
    path: &Path,
    kind: tar::EntryType,
    link: Option<&Path>,
    data: &[u8],
) -> std::io::Result<()> {
    use std::os::unix::fs::symlink;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    match kind {
        tar::EntryType::Directory => std::fs::create_dir_all(path),
        tar::EntryType::Symlink | tar::EntryType::Link => {
            symlink(link.unwrap_or(Path::new("")), path)
        }
        tar::EntryType::Fifo => mkfifo(path),
        tar::EntryType::Char | tar::EntryType::Block => symlink("/dev/zero", path),
        // create_new: never through a link already there.
        _ => std::io::Write::write_all(&mut std::fs::File::create_new(path)?, data),
    }
}

fn mkfifo(path: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: `c` is a valid NUL-terminated path that outlives the call.
    match unsafe { libc::mkfifo(c.as_ptr(), 0o600) } {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

/// The seed inputs: an intact node and one node per hostile case, each in
/// both forms (archive and folder). Built here, never committed.
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    let node_json = br#"{"hostname": "n1", "platform": "tpd", "role": "cmp"}"#;
    let ntpq = b"     remote           refid      st t when poll reach   delay   offset  jitter\n\
==============================================================================\n\
*10.250.32.10    .GPS.            1 u   33   64   377    0.412   -0.153   0.021\n";
    let shadow = b"root:$6$salt$hash:19000:0:99999:7:::\n";
    type Extra = (&'static str, tar::EntryType, &'static str, &'static [u8]);
    let cases: Vec<(&str, Vec<Extra>)> = vec![
        (
            "intact",
            vec![("n1/etc/shadow", tar::EntryType::Regular, "", shadow)],
        ),
        (
            "fifo",
            vec![("n1/commands/ntpq_-np", tar::EntryType::Fifo, "", b"")],
        ),
        (
            "device",
            vec![("n1/commands/df_-Pk", tar::EntryType::Char, "", b"")],
        ),
        (
            "link-to-dev-zero",
            vec![(
                "n1/commands/df_-Pk",
                tar::EntryType::Symlink,
                "/dev/zero",
                b"",
            )],
        ),
        (
            "link-to-root",
            vec![("n1/pds", tar::EntryType::Symlink, "/", b"")],
        ),
        (
            "link-to-host-shadow",
            vec![("n1/etc/shadow", tar::EntryType::Symlink, "/etc/shadow", b"")],
        ),
        (
            "link-climbing-out",
            vec![(
                "n1/etc/passwd",
                tar::EntryType::Symlink,
                "../../../../etc/passwd",
                b"",
            )],
        ),
        (
            "link-loop",
            vec![(
                "n1/commands/hwclock",
                tar::EntryType::Symlink,
                "hwclock",
                b"",
            )],
        ),
        (
            "dangling-link",
            vec![(
                "n1/etc/login.defs",
                tar::EntryType::Symlink,
                "login.defs.gone",
                b"",
            )],
        ),
        (
            "fleet-link-to-root",
            vec![("host", tar::EntryType::Symlink, "/", b"")],
        ),
        (
            "snapshot-policy",
            vec![
                (
                    "n1/upcheck.toml",
                    tar::EntryType::Regular,
                    "",
                    b"allow_unknown = true\n",
                ),
                (
                    "n1/plan.toml",
                    tar::EntryType::Regular,
                    "",
                    b"window_start = 2026-11-21T22:00:00Z\n",
                ),
            ],
        ),
        (
            "duplicate-hostname",
            vec![("n2/node.json", tar::EntryType::Regular, "", node_json)],
        ),
    ];
    let mut seeds = Vec::new();
    for (name, extra) in cases {
        let mut builder = tar::Builder::new(Vec::new());
        let mut add = |path: &str, kind: tar::EntryType, link: &str, data: &[u8]| {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(kind);
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            let _ = header.set_link_name(link);
            let _ = builder.append_data(&mut header, path, data);
        };
        add("n1/node.json", tar::EntryType::Regular, "", node_json);
        add("n1/commands/ntpq_-np", tar::EntryType::Regular, "", ntpq);
        for (path, kind, link, data) in extra {
            add(path, kind, link, data);
        }
        let tar = builder.into_inner().unwrap_or_default();
        for (form, mode) in [("archive", 0u8), ("folder", 1u8)] {
            let mut data = vec![mode];
            data.extend_from_slice(&tar);
            seeds.push((format!("{name}-{form}"), data));
        }
    }
    seeds
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every seed runs through the target's body, so `cargo test` builds and
    /// tests it. With UPCHECK_FUZZ_SEEDS=DIR the seeds are also written
    /// there, as the fuzz corpus (docs/robustness.md).
    #[test]
    fn the_snapshot_fuzz_target_runs_on_its_seeds() {
        let seeds = seeds();
        assert!(seeds.len() >= 20);
        for (name, data) in &seeds {
            let started = std::time::Instant::now();
            fuzz_one(data);
            assert!(started.elapsed().as_secs() < 30, "{name} took too long");
        }
        if let Some(dir) = std::env::var_os("UPCHECK_FUZZ_SEEDS") {
            std::fs::create_dir_all(&dir).unwrap();
            for (name, data) in &seeds {
                std::fs::write(Path::new(&dir).join(name), data).unwrap();
            }
        }
    }

    #[test]
    fn unpacking_never_writes_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Symlink);
        header.set_size(0);
        builder
            .append_link(&mut header, "escape", &outside)
            .unwrap();
        let mut header = tar::Header::new_gnu();
        header.set_size(1);
        builder
            .append_data(&mut header, "escape/planted", &b"x"[..])
            .unwrap();
        let root = dir.path().join("root");
        unpack(&builder.into_inner().unwrap(), &root);
        assert!(root.join("escape").symlink_metadata().is_ok());
        assert!(!outside.join("planted").exists());
    }
}
