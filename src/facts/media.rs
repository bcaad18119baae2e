//! Upgrade media: the ISO images staged in /var/TKLC/upgrade, the vendor's
//! checksum file, and the verdict of comparing the two. ISOs are read only
//! by `iso_checksums`, and only those the checksum file lists with an md5.

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use regex::Regex;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value as Json;

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, outcome_problem};
use super::spec::{Build, FactSpec, FileSource, to_fact, typed};
use crate::facts::file_digest;
use crate::parse::Outcome;
use crate::parse::linux::checksum_list::{self, ChecksumEntry, ChecksumList};
use crate::snapshot::Node;
use crate::snapshot::folder_index::Kind;

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
    schema: typed::<Vec<StagedIso>>,
};

pub const CHECKSUM_FILE: FactSpec = FactSpec {
    name: "checksum_file",
    always: false,
    build: Build::Node(build_checksum_file),
    diff: None,
    inputs: &["checksum-file"],
    summary: "The vendor's md5sum.out as read: its entries and the lines in no known form.",
    schema: typed::<ChecksumFile>,
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
    schema: typed::<Vec<IsoChecksum>>,
};

/// A `staged_isos` row.
#[derive(Serialize, JsonSchema)]
struct StagedIso<'s> {
    /// file name, e.g. cmp-12.1.2.0.0_22.1.0-x86_64.iso
    name: &'s str,
    /// path on the node, e.g. /var/TKLC/upgrade/<name>
    path: &'s str,
    /// bytes, when the image is in the snapshot
    size: Option<u64>,
    /// cmp, mpe, mpe-li or mra, from the name; null for other names
    kind: Option<String>,
    /// release from the name, e.g. 12.1.2.0.0_22.1.0
    release: Option<&'s str>,
    /// the image itself is in the snapshot (else only its md5 is)
    shipped: bool,
    /// {file, line}
    source: &'s FileSource,
}

/// The `checksum_file` fact.
#[derive(Serialize, JsonSchema)]
struct ChecksumFile<'l> {
    /// the file read
    file: &'l str,
    /// one per checksum line:
    entries: Vec<ChecksumLine<'l>>,
    /// lines in no known form, digests of no known length:
    problems: Vec<ChecksumProblem<'l>>,
}

#[derive(Serialize, JsonSchema)]
struct ChecksumLine<'l> {
    /// the file named, as written (may be relative, or a path on the
    /// machine that built the list)
    name: &'l str,
    /// `md5`, `sha1`, `sha224`, `sha256`, `sha384` or `sha512`
    algorithm: &'l str,
    /// lower-case hex
    digest: &'l str,
    /// `gnu`, `gnu-escaped`, `bsd` or `unseparated`
    form: &'l str,
    /// {file, line}
    source: FileSource,
}

#[derive(Serialize, JsonSchema)]
struct ChecksumProblem<'l> {
    /// 1-based line
    line: usize,
    /// what is wrong with it
    reason: &'l str,
    /// {file, line}
    source: FileSource,
}

/// An `iso_checksums` row.
#[derive(Serialize, JsonSchema)]
struct IsoChecksum<'s> {
    /// file name
    name: &'s str,
    /// cmp, mpe, mpe-li or mra, from the name
    kind: Option<String>,
    /// the image is staged on the node
    present: bool,
    /// md5sum.out has a line for it
    listed: bool,
    /// algorithm of that line (md5, sha256, …)
    algorithm: Option<&'static str>,
    /// digest from md5sum.out, lowercase hex
    expected: Option<&'s str>,
    /// md5 of the image; null when it could not be read or was not needed
    computed: Option<String>,
    /// the image file, or the commands/md5sum_… output it came from
    /// (relative to the node folder)
    computed_from: Option<String>,
    /// how the md5 was had (null without one)
    digest_origin: Option<DigestOrigin>,
    /// why there is no md5: unreadable, truncated, changed while read
    error: Option<String>,
    /// {file, line}: the md5sum.out line, else the image
    source: FileSource,
}

/// How an image's md5 was had.
#[derive(Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum DigestOrigin {
    /// the image hashed in this run
    Computed,
    /// the digest cache of `--cache DIR` had it
    Cached,
    /// the md5 the collector recorded on the node, preferred to hashing
    /// the copy
    Recorded,
}

impl From<file_digest::Origin> for DigestOrigin {
    fn from(origin: file_digest::Origin) -> Self {
        match origin {
            file_digest::Origin::Computed => DigestOrigin::Computed,
            file_digest::Origin::Cached => DigestOrigin::Cached,
        }
    }
}

/// `<kind>-<release>[-<arch>].iso`, as Policy Management names its images.
static ISO_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(cmp|mpe-li|mpe|mra)-([0-9][0-9A-Za-z._]*?)(?:-(?:x86_64|i686|i386))?\.iso$")
        .expect("valid regex")
});

fn kind_and_release(name: &str) -> (Option<String>, Option<&str>) {
    match ISO_NAME.captures(name) {
        Some(c) => (
            Some(c[1].to_lowercase()),
            c.get(2).map(|release| release.as_str()),
        ),
        None => (None, None),
    }
}

fn is_iso(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".iso")
}

/// The images in the upgrade folder `dir`: (name, path, the path with
/// every link resolved inside the node's folder), regular files only.
/// The node's listing answers for the folder and its files when it can.
fn staged_files(node: &Node, dir: &Path) -> Result<Vec<(String, PathBuf, PathBuf)>, FactProblem> {
    let resolved = |(n, p): (String, PathBuf)| {
        let real = crate::snapshot::confined::resolve(&node.dir, &p).ok()?;
        let meta = real.symlink_metadata().ok()?;
        meta.is_file().then_some((n, p, real))
    };
    if let Some(children) = node.listed_children(dir) {
        let images = children.into_iter().filter(|(n, _)| is_iso(n));
        return Ok(images
            .filter_map(|(n, kind)| {
                let p = dir.join(&n);
                match kind {
                    Kind::File => Some((n, p.clone(), p)),
                    Kind::Link => resolved((n, p)),
                    Kind::Dir | Kind::Other => None,
                }
            })
            .collect());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| FactProblem::Unreadable {
        path: dir.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(entries
        .filter_map(Result::ok)
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(n, _)| is_iso(n))
        .filter_map(resolved)
        .collect())
}

/// An input as `NodeFacts::parse` gives it: the path shown and the
/// parser's outcome.
type Parsed<T> = Result<(String, Outcome<T>), FactProblem>;

/// One staged image and where its md5 can come from.
struct Staged {
    name: String,
    /// From the name: [`kind_and_release`], matched once per image.
    kind: Option<String>,
    release: Option<String>,
    path: String,
    size: Option<u64>,
    /// The image in the snapshot, when shipped.
    file: Option<PathBuf>,
    /// An md5 recorded on the node: (digest, shown output file, line).
    recorded: Option<(String, String, usize)>,
    source: FileSource,
}

impl Staged {
    /// An image of the upgrade folder by its name, with no file, size or
    /// recorded md5 yet.
    fn named(name: String, source: FileSource) -> Staged {
        let (kind, release) = kind_and_release(&name);
        Staged {
            path: format!("/{UPGRADE_DIR}/{name}"),
            release: release.map(str::to_string),
            kind,
            name,
            size: None,
            file: None,
            recorded: None,
            source,
        }
    }
}

/// The staged images, listed once per node: `staged_isos` and
/// `iso_checksums` are both built from them.
fn staged_once(facts: &mut NodeFacts) -> Arc<Result<Vec<Staged>, FactProblem>> {
    facts.derived("staged images", staged)
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
        let mut names = staged_files(facts.node, &dir)?;
        names.sort();
        for (name, path, real) in names {
            let size = std::fs::metadata(&real).ok().map(|m| m.len());
            let shown = path.display().to_string();
            found.push(Staged {
                size,
                file: Some(real),
                ..Staged::named(name, FileSource::whole(shown))
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
        add_recorded(facts, &output, &mut found)?;
    }
    Ok(found)
}

/// The md5s a `commands/md5sum_…` output recorded on the node for images in
/// the upgrade folder: set on the image already `found`, else a row of
/// their own (the image was hashed where it lies, not copied).
fn add_recorded(
    facts: &mut NodeFacts,
    output: &Path,
    found: &mut Vec<Staged>,
) -> Result<(), FactProblem> {
    let (shown, outcome) = facts.parse_file(output, checksum_list::parse)?;
    let Some(list) = outcome.records() else {
        if let Some(problem) = outcome_problem(&shown, &outcome) {
            return Err(problem);
        }
        return Ok(());
    };
    for entry in list.entries.iter().filter(|e| e.algorithm == "md5") {
        let name = checksum_list::basename(&entry.name).to_string();
        // A relative name was given from inside the upgrade folder.
        let in_upgrade_dir = entry.name.contains("TKLC/upgrade/") || !entry.name.contains('/');
        if !is_iso(&name) || !in_upgrade_dir {
            continue;
        }
        let recorded = (entry.digest.clone(), shown.clone(), entry.line);
        if let Some(s) = found.iter_mut().find(|s| s.name == name) {
            s.recorded = s.recorded.take().or(Some(recorded));
            continue;
        }
        found.push(Staged {
            recorded: Some(recorded),
            ..Staged::named(name, FileSource::line(&shown, entry.line))
        });
    }
    Ok(())
}

pub fn build_staged_isos(facts: &mut NodeFacts) -> FactResult {
    let staged = staged_once(facts);
    let staged = staged.as_ref().as_ref().map_err(Clone::clone)?;
    let rows: Vec<StagedIso> = staged
        .iter()
        .map(|s| StagedIso {
            name: &s.name,
            path: &s.path,
            size: s.size,
            kind: s.kind.clone(),
            release: s.release.as_deref(),
            shipped: s.file.is_some(),
            source: &s.source,
        })
        .collect();
    to_fact(&rows)
}

/// md5sum.out parsed, once per node: `checksum_file` and `iso_checksums`
/// are both built from it.
fn checksum_list_once(facts: &mut NodeFacts) -> Arc<Parsed<ChecksumList>> {
    facts.derived("checksum-file parsed", |facts| {
        facts.parse("checksum-file", checksum_list::parse)
    })
}

pub fn build_checksum_file(facts: &mut NodeFacts) -> FactResult {
    let parsed = checksum_list_once(facts);
    let (shown, outcome) = parsed.as_ref().as_ref().map_err(Clone::clone)?;
    let Some(list) = outcome.records() else {
        return Err(outcome_problem(shown, outcome).expect("not parsed"));
    };
    to_fact(&ChecksumFile {
        file: shown,
        entries: list
            .entries
            .iter()
            .map(|e| ChecksumLine {
                name: &e.name,
                algorithm: e.algorithm,
                digest: &e.digest,
                form: e.form,
                source: FileSource::line(shown, e.line),
            })
            .collect(),
        problems: list
            .problems
            .iter()
            .map(|p| ChecksumProblem {
                line: p.line,
                reason: &p.reason,
                source: FileSource::line(shown, p.line),
            })
            .collect(),
    })
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
/// origin.
type Digest = (file_digest::DigestResult, String, DigestOrigin);

pub fn build_iso_checksums(facts: &mut NodeFacts) -> FactResult {
    let parsed = checksum_list_once(facts);
    let (shown, outcome) = parsed.as_ref().as_ref().map_err(Clone::clone)?;
    let Some(list) = outcome.records() else {
        return Err(outcome_problem(shown, outcome).expect("not parsed"));
    };
    let entries = &list.entries;
    let staged = staged_once(facts);
    let staged = staged.as_ref().as_ref().map_err(Clone::clone)?;

    // Hash, in one parallel batch, the shipped images listed with an md5
    // whose md5 the collector did not record on the node: that one was
    // taken from the image in place, and spares reading the copy.
    let to_hash: Vec<(usize, PathBuf)> = staged
        .iter()
        .enumerate()
        .filter(|(_, s)| listing_for(entries, s).is_some_and(|e| e.algorithm == "md5"))
        .filter(|(_, s)| s.recorded.is_none())
        .filter_map(|(i, s)| s.file.clone().map(|f| (i, f)))
        .collect();
    let paths: Vec<PathBuf> = to_hash.iter().map(|(_, p)| p.clone()).collect();
    let digests = file_digest::md5_files(&paths);
    // Per staged image: its md5 (or why there is none), where it came
    // from, and how it was had.
    let mut computed: Vec<Option<Digest>> = staged.iter().map(|_| None).collect();
    for ((i, path), (digest, origin)) in to_hash.iter().zip(digests) {
        computed[*i] = Some((digest, path.display().to_string(), origin.into()));
    }

    let mut items = Vec::new();
    for (s, computed) in staged.iter().zip(computed) {
        let entry = listing_for(entries, s);
        let digest = match (computed, &s.recorded, entry) {
            (Some(found), _, _) => Some(found),
            (None, Some((d, out, _)), Some(e)) if e.algorithm == "md5" => {
                Some((Ok(d.clone()), out.clone(), DigestOrigin::Recorded))
            }
            _ => None,
        };
        let kind = s.kind.clone();
        let from = digest.as_ref().map(|(_, f, _)| facts.node_relative(f));
        let origin = digest.as_ref().map(|(_, _, o)| *o);
        let digest = digest.map(|(d, _, _)| d);
        items.push(IsoChecksum {
            name: &s.name,
            kind,
            present: true,
            listed: entry.is_some(),
            algorithm: entry.map(|e| e.algorithm),
            expected: entry.map(|e| e.digest.as_str()),
            computed: digest.as_ref().and_then(|d| d.as_ref().ok()).cloned(),
            computed_from: from,
            digest_origin: origin,
            error: digest
                .as_ref()
                .and_then(|d| d.as_ref().err())
                .map(ToString::to_string),
            source: entry.map_or_else(|| s.source.clone(), |e| FileSource::line(shown, e.line)),
        });
    }
    // Listed images that are not staged.
    for e in entries {
        let name = checksum_list::basename(&e.name);
        if staged.iter().any(|s| s.path == e.name || s.name == name) {
            continue;
        }
        let (kind, _) = kind_and_release(name);
        items.push(IsoChecksum {
            name,
            kind,
            present: false,
            listed: true,
            algorithm: Some(e.algorithm),
            expected: Some(&e.digest),
            computed: None,
            computed_from: None,
            digest_origin: None,
            error: None,
            source: FileSource::line(shown, e.line),
        });
    }
    to_fact(&items)
}

/// The ISO digests a node's `iso_checksums` used, when a rule read it:
/// (the file the digest came from, as shown in findings; its origin).
pub fn digests_used(facts: &NodeFacts) -> Vec<(String, String)> {
    let Some(Ok(fact)) = facts.cache.get(ISO_CHECKSUMS.name) else {
        return vec![];
    };
    let Json::Array(items) = &**fact else {
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
