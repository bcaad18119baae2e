//! Upgrade media: the ISO images staged in /var/TKLC/upgrade, the vendor's
//! checksum file, and the verdict of comparing the two. ISOs are read only
//! by `iso_checksums`, and only those the checksum file lists with an md5.

use std::path::PathBuf;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Value as Json, json};

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, outcome_problem};
use super::spec::{Build, FactSpec, Fields, source};
use crate::facts::file_digest;
use crate::parse::linux::checksum_list::{self, ChecksumEntry};

/// Where TPD servers keep the ISO of the release they upgrade to.
pub const UPGRADE_DIR: &str = "var/TKLC/upgrade";
/// Output files of `md5sum /var/TKLC/upgrade/<iso>` run on the node.
const MD5SUM_COMMAND_PREFIX: &str = "md5sum_";

pub const STAGED_ISOS: FactSpec = FactSpec {
    name: "staged_isos",
    always: false,
    build: Build::Node(build_staged_isos),
    diff: None,
    inputs: &["upgrade-dir", "md5sum-on-node"],
    summary: "The ISO images staged in /var/TKLC/upgrade: the `*.iso` files of the snapshot's \
              var/TKLC/upgrade/, and those a `commands/md5sum_…` output names when the collector \
              hashed on the node instead of copying the image. Missing when the snapshot has \
              neither: a var/TKLC/upgrade/ without any image (md5sum.out alone) does not show \
              that none is staged, a `md5sum /var/TKLC/upgrade/*.iso` output saying \
              `No such file or directory` does.",
    fields: Fields::Listed(&[
        (
            "name",
            "string",
            "file name, e.g. cmp-12.1.2.0.0_22.1.0-x86_64.iso",
        ),
        (
            "path",
            "string",
            "path on the node, e.g. /var/TKLC/upgrade/<name>",
        ),
        (
            "size",
            "int|null",
            "bytes, when the image is in the snapshot",
        ),
        (
            "kind",
            "string|null",
            "cmp, mpe, mpe-li or mra, from the name; null for other names",
        ),
        (
            "release",
            "string|null",
            "release from the name, e.g. 12.1.2.0.0_22.1.0",
        ),
        (
            "shipped",
            "bool",
            "the image itself is in the snapshot (else only its md5 is)",
        ),
        ("source", "map", "{file, line}"),
    ]),
};

pub const CHECKSUM_FILE: FactSpec = FactSpec {
    name: "checksum_file",
    always: false,
    build: Build::Node(build_checksum_file),
    diff: None,
    inputs: &["checksum-file"],
    summary: "The vendor's md5sum.out as read: its entries and the lines in no known form.",
    fields: Fields::Listed(&[
        ("file", "string", "the file read"),
        (
            "entries",
            "list",
            "{name, algorithm, digest, form, source}: one per checksum line",
        ),
        (
            "problems",
            "list",
            "{line, reason, source}: lines in no known form, digests of no known length",
        ),
    ]),
};

pub const ISO_CHECKSUMS: FactSpec = FactSpec {
    name: "iso_checksums",
    always: false,
    build: Build::Node(build_iso_checksums),
    diff: None,
    inputs: &["checksum-file", "upgrade-dir", "md5sum-on-node"],
    summary: "Each staged ISO and each ISO md5sum.out lists, matched by path and then by file \
              name (vendor files carry build-machine paths), with the expected md5 and the md5 \
              of the image: recorded on the node when the collector hashed it there, else \
              computed here (or taken from the digest cache).",
    fields: Fields::Listed(&[
        ("name", "string", "file name"),
        (
            "kind",
            "string|null",
            "cmp, mpe, mpe-li or mra, from the name",
        ),
        ("present", "bool", "the image is staged on the node"),
        ("listed", "bool", "md5sum.out has a line for it"),
        (
            "algorithm",
            "string|null",
            "algorithm of that line (md5, sha256, …)",
        ),
        (
            "expected",
            "string|null",
            "digest from md5sum.out, lowercase hex",
        ),
        (
            "computed",
            "string|null",
            "md5 of the image; null when it could not be read or was not needed",
        ),
        (
            "computed_from",
            "string|null",
            "the image file, or the commands/md5sum_… output it came from (relative to the node folder)",
        ),
        (
            "digest_origin",
            "string|null",
            "computed (the image hashed in this run), cached (the digest cache of `--cache DIR` had it) or recorded (the md5 the collector recorded on the node, preferred to hashing the copy)",
        ),
        (
            "error",
            "string|null",
            "why there is no md5: unreadable, truncated, changed while read",
        ),
        (
            "source",
            "map",
            "{file, line}: the md5sum.out line, else the image",
        ),
    ]),
};

/// `<kind>-<release>[-<arch>].iso`, as Policy Management names its images.
static ISO_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(cmp|mpe-li|mpe|mra)-([0-9][0-9A-Za-z._]*?)(?:-(?:x86_64|i686|i386))?\.iso$")
        .expect("valid regex")
});

fn kind_and_release(name: &str) -> (Json, Json) {
    match ISO_NAME.captures(name) {
        Some(c) => (json!(c[1].to_lowercase()), json!(&c[2])),
        None => (Json::Null, Json::Null),
    }
}

fn is_iso(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".iso")
}

/// One staged image and where its md5 can come from.
struct Staged {
    name: String,
    path: String,
    size: Option<u64>,
    /// The image in the snapshot, when shipped.
    file: Option<PathBuf>,
    /// An md5 recorded on the node: (digest, shown output file, line).
    recorded: Option<(String, String, usize)>,
    source: Json,
}

fn staged(facts: &mut NodeFacts) -> Result<Vec<Staged>, FactProblem> {
    let dir = facts.node.dir.join(UPGRADE_DIR);
    let commands = facts.node.dir.join("commands");
    let mut found: Vec<Staged> = Vec::new();
    let dir_present = facts.node.is_dir(&dir);
    if dir_present && facts.node.archive.is_some() {
        // Hashing an image means streaming it out of the archive; the md5
        // recorded on the node (collect --hash-iso) is the way to ship it.
        return Err(FactProblem::Unreadable {
            path: dir.display().to_string(),
            reason: crate::snapshot::archive_note("upgrade-dir"),
        });
    }
    if dir_present {
        let node = facts.node;
        let mut names: Vec<(String, PathBuf, PathBuf)> = std::fs::read_dir(&dir)
            .map_err(|e| FactProblem::Unreadable {
                path: dir.display().to_string(),
                reason: e.to_string(),
            })?
            .filter_map(Result::ok)
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .filter(|(n, _)| is_iso(n))
            // Regular files only, links resolved inside the node's folder.
            .filter_map(|(n, p)| {
                let real = crate::snapshot::confined::resolve(&node.dir, &p).ok()?;
                let meta = real.symlink_metadata().ok()?;
                meta.is_file().then_some((n, p, real))
            })
            .collect();
        names.sort();
        for (name, path, real) in names {
            let size = std::fs::metadata(&real).ok().map(|m| m.len());
            let shown = path.display().to_string();
            found.push(Staged {
                path: format!("/{UPGRADE_DIR}/{name}"),
                name,
                size,
                file: Some(real),
                recorded: None,
                source: json!({ "file": shown, "line": null }),
            });
        }
    }
    let prefix = format!("commands/{MD5SUM_COMMAND_PREFIX}");
    let mut outputs: Vec<PathBuf> = facts
        .files()
        .iter()
        .filter(|f| f.starts_with(&prefix))
        .map(|f| commands.join(&f["commands/".len()..]))
        .collect();
    outputs.sort();
    // A folder without any image (md5sum.out alone) does not show that none
    // is staged: images are large and often left out of a copy. The md5sum
    // output ("No such file or directory") does.
    if found.is_empty() && outputs.is_empty() {
        return Err(FactProblem::Missing {
            input: "staged ISOs".into(),
            looked_for: vec![
                format!("{UPGRADE_DIR}/*.iso"),
                format!("commands/{MD5SUM_COMMAND_PREFIX}<path>"),
            ],
        });
    }
    for output in outputs {
        let (shown, outcome) = facts.parse_file(&output, checksum_list::parse)?;
        let Some(list) = outcome.records() else {
            if let Some(problem) = outcome_problem(&shown, &outcome) {
                return Err(problem);
            }
            continue;
        };
        for entry in list.entries.iter().filter(|e| e.algorithm == "md5") {
            let name = checksum_list::basename(&entry.name).to_string();
            // A relative name was given from inside the upgrade folder.
            let in_upgrade_dir = entry.name.contains("TKLC/upgrade/") || !entry.name.contains('/');
            if !is_iso(&name) || !in_upgrade_dir {
                continue;
            }
            let recorded = (entry.digest.clone(), shown.clone(), entry.line);
            match found.iter_mut().find(|s| s.name == name) {
                Some(s) => s.recorded = s.recorded.take().or(Some(recorded)),
                None => found.push(Staged {
                    path: format!("/{UPGRADE_DIR}/{name}"),
                    name,
                    size: None,
                    file: None,
                    recorded: Some(recorded),
                    source: source(&shown, entry.line),
                }),
            }
        }
    }
    Ok(found)
}

pub fn build_staged_isos(facts: &mut NodeFacts) -> FactResult {
    let staged = staged(facts)?;
    Ok(Json::Array(
        staged
            .iter()
            .map(|s| {
                let (kind, release) = kind_and_release(&s.name);
                json!({
                    "name": s.name,
                    "path": s.path,
                    "size": s.size,
                    "kind": kind,
                    "release": release,
                    "shipped": s.file.is_some(),
                    "source": s.source,
                })
            })
            .collect(),
    ))
}

pub fn build_checksum_file(facts: &mut NodeFacts) -> FactResult {
    let (shown, outcome) = facts.parse("checksum-file", checksum_list::parse)?;
    let Some(list) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    Ok(json!({
        "file": shown,
        "entries": list.entries.iter().map(|e| json!({
            "name": e.name,
            "algorithm": e.algorithm,
            "digest": e.digest,
            "form": e.form,
            "source": source(&shown, e.line),
        })).collect::<Vec<_>>(),
        "problems": list.problems.iter().map(|p| json!({
            "line": p.line,
            "reason": p.reason,
            "source": source(&shown, p.line),
        })).collect::<Vec<_>>(),
    }))
}

/// The checksum line for a staged image: the same path first, else the
/// same file name.
fn listing_for<'e>(entries: &'e [ChecksumEntry], staged: &Staged) -> Option<&'e ChecksumEntry> {
    entries.iter().find(|e| e.name == staged.path).or_else(|| {
        entries
            .iter()
            .find(|e| checksum_list::basename(&e.name) == staged.name)
    })
}

/// An image's md5 (or why there is none), the file it came from, and its
/// origin (computed, cached, recorded).
type Digest = (file_digest::DigestResult, String, &'static str);

pub fn build_iso_checksums(facts: &mut NodeFacts) -> FactResult {
    let (shown, outcome) = facts.parse("checksum-file", checksum_list::parse)?;
    let Some(list) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    let entries = list.entries.clone();
    let staged = staged(facts)?;

    // Hash, in one parallel batch, the shipped images listed with an md5
    // whose md5 the collector did not record on the node: that one was
    // taken from the image in place, and spares reading the copy.
    let to_hash: Vec<(usize, PathBuf)> = staged
        .iter()
        .enumerate()
        .filter(|(_, s)| listing_for(&entries, s).is_some_and(|e| e.algorithm == "md5"))
        .filter(|(_, s)| s.recorded.is_none())
        .filter_map(|(i, s)| s.file.clone().map(|f| (i, f)))
        .collect();
    let paths: Vec<PathBuf> = to_hash.iter().map(|(_, p)| p.clone()).collect();
    let digests = file_digest::md5_files(&paths);
    // Per staged image: its md5 (or why there is none), where it came
    // from, and how it was had.
    let mut computed: Vec<Option<Digest>> = staged.iter().map(|_| None).collect();
    for ((i, path), (digest, origin)) in to_hash.iter().zip(digests) {
        computed[*i] = Some((digest, path.display().to_string(), origin.as_str()));
    }

    let mut items = Vec::new();
    for (s, computed) in staged.iter().zip(computed) {
        let entry = listing_for(&entries, s);
        let digest = match (computed, &s.recorded, entry) {
            (Some(found), _, _) => Some(found),
            (None, Some((d, out, _)), Some(e)) if e.algorithm == "md5" => {
                Some((Ok(d.clone()), out.clone(), "recorded"))
            }
            _ => None,
        };
        let (kind, _) = kind_and_release(&s.name);
        let from = digest.as_ref().map(|(_, f, _)| facts.node_relative(f));
        let origin = digest.as_ref().map(|(_, _, o)| *o);
        let digest = digest.map(|(d, _, _)| d);
        items.push(json!({
            "name": s.name,
            "kind": kind,
            "present": true,
            "listed": entry.is_some(),
            "algorithm": entry.map(|e| e.algorithm),
            "expected": entry.map(|e| e.digest.clone()),
            "computed": digest.as_ref().and_then(|d| d.as_ref().ok()),
            "computed_from": from,
            "digest_origin": origin,
            "error": digest.as_ref().and_then(|d| d.as_ref().err()).map(ToString::to_string),
            "source": entry.map_or_else(|| s.source.clone(), |e| source(&shown, e.line)),
        }));
    }
    // Listed images that are not staged.
    for e in &entries {
        let name = checksum_list::basename(&e.name);
        if staged.iter().any(|s| s.path == e.name || s.name == name) {
            continue;
        }
        let (kind, _) = kind_and_release(name);
        items.push(json!({
            "name": name,
            "kind": kind,
            "present": false,
            "listed": true,
            "algorithm": e.algorithm,
            "expected": e.digest,
            "computed": null,
            "computed_from": null,
            "digest_origin": null,
            "error": null,
            "source": source(&shown, e.line),
        }));
    }
    Ok(Json::Array(items))
}

/// The ISO digests a node's `iso_checksums` used, when a rule read it:
/// (the file the digest came from, as shown in findings; its origin).
pub fn digests_used(facts: &NodeFacts) -> Vec<(String, String)> {
    let Some(Ok(Json::Array(items))) = facts.cache.get(ISO_CHECKSUMS.name) else {
        return vec![];
    };
    items
        .iter()
        .filter_map(|item| {
            let from = item["computed_from"].as_str()?;
            let origin = item["digest_origin"].as_str()?;
            let shown = facts.node.dir.join(from).display().to_string();
            Some((shown, origin.to_string()))
        })
        .collect()
}
