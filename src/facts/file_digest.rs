//! Streaming md5 of staged images (ISO files of a gigabyte or more).
//!
//! - Files are read in 128 KiB blocks: large enough to keep system calls rare,
//!   small enough to stay in the CPU cache (8 MiB blocks measured slower).
//! - Several files are hashed in parallel, largest first, so the longest
//!   file starts at once and the short ones fill the gaps (LPT scheduling).
//! - A file is hashed once per run, however many nodes or paths name it:
//!   results are kept by device and inode, and a second caller waits for
//!   the first instead of reading the file again.
//! - An ISO 9660 image states its own size in its primary volume descriptor;
//!   a shorter file is an interrupted transfer and gets no digest.
//! - A progress bar is drawn on stderr when stderr is a terminal.
//! - With `--cache DIR`, digests outlive the run: a file whose device,
//!   inode, size and modification time (to the nanosecond) are those of a
//!   file hashed before is not read again ([`use_cache_dir`],
//!   [`save_cache`]).

use std::collections::HashMap;
use std::fs::{File, Metadata};
use std::io::{self, IsTerminal, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use md5::{Digest, Md5};

/// The lowercase hex md5 of a file, or why there is none.
pub type DigestResult = Result<String, DigestError>;

/// Why a file has no digest (the caller knows which file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// The I/O error's text (a result is shared by every node naming the
    /// file, and `io::Error` cannot be cloned).
    #[error("unreadable: {message}")]
    Unreadable {
        kind: io::ErrorKind,
        message: String,
    },
    #[error("truncated: {len} of the {declared} bytes its ISO 9660 volume descriptor declares")]
    Truncated { len: u64, declared: u64 },
    #[error("changed while being read: {read} bytes read, {expected} expected")]
    Changed { read: u64, expected: u64 },
    /// A worker ended without hashing the file (it cannot: a bug).
    #[error("not hashed")]
    NotHashed,
}

impl From<io::Error> for DigestError {
    fn from(e: io::Error) -> DigestError {
        DigestError::Unreadable {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

/// The digest cache file could not be made or written.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct CacheError {
    path: PathBuf,
    source: io::Error,
}

const BLOCK: usize = 1 << 17;

/// The identity of a file's content: device and inode where there are
/// inodes (else the canonical path), with size and modification time so a
/// reused inode number is not taken for the old file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct FileKey {
    #[cfg(unix)]
    inode: (u64, u64),
    #[cfg(not(unix))]
    path: PathBuf,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

fn file_key(path: &Path, meta: &Metadata) -> FileKey {
    FileKey {
        #[cfg(unix)]
        inode: {
            use std::os::unix::fs::MetadataExt;
            let _ = path;
            (meta.dev(), meta.ino())
        },
        #[cfg(not(unix))]
        path: path.canonicalize().unwrap_or_else(|_| path.to_path_buf()),
        len: meta.len(),
        modified: meta.modified().ok(),
    }
}

impl FileKey {
    /// `dev ino size mtime_ns`: how the digest cache file names a file.
    #[cfg(unix)]
    fn stored(&self) -> Option<String> {
        let modified = self.modified?.duration_since(std::time::UNIX_EPOCH).ok()?;
        let (dev, ino) = self.inode;
        Some(format!("{dev} {ino} {} {}", self.len, modified.as_nanos()))
    }

    #[cfg(not(unix))]
    fn stored(&self) -> Option<String> {
        None
    }
}

/// Where a digest came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The file was read and hashed in this run.
    Computed,
    /// The digest cache (`--cache DIR`) had it from an earlier run.
    Cached,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Computed => "computed",
            Origin::Cached => "cached",
        }
    }
}

type Cell = Arc<OnceLock<(DigestResult, Origin)>>;

/// Digests by file identity, and how many files were actually read.
#[derive(Default)]
pub struct Md5Cache {
    digests: Mutex<HashMap<FileKey, Cell>>,
    files_read: AtomicUsize,
    /// The digest cache of earlier runs, when one is used.
    stored: Mutex<Option<Stored>>,
}

/// The digest cache file: one `dev ino size mtime_ns md5` line per file.
struct Stored {
    file: PathBuf,
    digests: HashMap<String, String>,
}

/// The file of the digest cache in `--cache DIR`.
pub const CACHE_FILE: &str = "iso-md5.txt";

/// The cache of this run: every node's facts share it.
static RUN_CACHE: LazyLock<Md5Cache> = LazyLock::new(Md5Cache::default);

/// Whether stderr is a terminal, where the bars are drawn.
static DRAWN: LazyLock<bool> = LazyLock::new(|| io::stderr().is_terminal());

/// The bars of files being hashed, drawn only when stderr is a terminal.
static BARS: LazyLock<MultiProgress> = LazyLock::new(|| {
    let target = if *DRAWN {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    MultiProgress::with_draw_target(target)
});

/// The bar of one batch of files, `total` bytes: drawn under [`BARS`]
/// when stderr is a terminal, else a hidden bar, which queries no terminal
/// (a run hashes a batch per node).
fn progress_bar(total: u64) -> ProgressBar {
    static STYLE: LazyLock<ProgressStyle> = LazyLock::new(|| {
        ProgressStyle::with_template("md5 {bytes}/{total_bytes} {bar:30} {bytes_per_sec} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
    });
    if !*DRAWN {
        return ProgressBar::hidden();
    }
    let bar = BARS.add(ProgressBar::new(total));
    bar.set_style(STYLE.clone());
    bar
}

/// md5 of every path, in the order given, and where each came from. Files
/// are hashed in parallel, largest first; a file already hashed in this
/// run, or found in the digest cache, is not read again.
pub fn md5_files(paths: &[PathBuf]) -> Vec<(DigestResult, Origin)> {
    RUN_CACHE.md5_files(paths)
}

/// Keeps digests across runs in `dir` (created if missing): those it
/// holds are used, and [`save_cache`] writes this run's back. A cache file
/// that cannot be read is started afresh (it only saves time); its lines
/// in no known form are dropped.
pub fn use_cache_dir(dir: &Path) -> Result<(), CacheError> {
    RUN_CACHE.use_cache_dir(dir)
}

/// Writes the digests of the cache and of this run to the cache file,
/// when a cache is used.
pub fn save_cache() -> Result<(), CacheError> {
    RUN_CACHE.save_cache()
}

impl Md5Cache {
    pub fn use_cache_dir(&self, dir: &Path) -> Result<(), CacheError> {
        std::fs::create_dir_all(dir).map_err(|source| CacheError {
            path: dir.to_path_buf(),
            source,
        })?;
        let file = dir.join(CACHE_FILE);
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let digests = text
            .lines()
            .filter_map(|line| {
                let (key, md5) = line.rsplit_once(' ')?;
                let is_md5 = md5.len() == 32 && md5.bytes().all(|b| b.is_ascii_hexdigit());
                (is_md5 && key.split(' ').count() == 4).then(|| (key.to_string(), md5.to_string()))
            })
            .collect();
        *self.stored.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(Stored { file, digests });
        Ok(())
    }

    pub fn save_cache(&self) -> Result<(), CacheError> {
        let stored = self.stored.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(stored) = stored.as_ref() else {
            return Ok(());
        };
        let mut all = stored.digests.clone();
        let digests = self.digests.lock().unwrap_or_else(PoisonError::into_inner);
        for (key, cell) in digests.iter() {
            if let (Some(key), Some((Ok(md5), _))) = (key.stored(), cell.get()) {
                all.insert(key, md5.clone());
            }
        }
        let mut lines: Vec<String> = all.iter().map(|(k, v)| format!("{k} {v}\n")).collect();
        lines.sort();
        let folder = stored.file.parent().unwrap_or(Path::new("."));
        let fail = |source: io::Error| CacheError {
            path: stored.file.clone(),
            source,
        };
        let mut tmp = tempfile::NamedTempFile::new_in(folder).map_err(fail)?;
        io::Write::write_all(&mut tmp, lines.concat().as_bytes()).map_err(fail)?;
        tmp.persist(&stored.file).map_err(|e| fail(e.error))?;
        Ok(())
    }

    /// The digest the cache file holds for `key`.
    fn stored_digest(&self, key: &FileKey) -> Option<String> {
        let stored = self.stored.lock().unwrap_or_else(PoisonError::into_inner);
        stored.as_ref()?.digests.get(&key.stored()?).cloned()
    }

    pub fn md5_files(&self, paths: &[PathBuf]) -> Vec<(DigestResult, Origin)> {
        if paths.is_empty() {
            return Vec::new();
        }
        let metas: Vec<Result<Metadata, DigestError>> =
            paths.iter().map(|p| Ok(std::fs::metadata(p)?)).collect();
        let mut order: Vec<usize> = (0..paths.len()).collect();
        let size = |i: &usize| metas[*i].as_ref().map_or(0, Metadata::len);
        order.sort_by_key(|i| std::cmp::Reverse(size(i)));
        let total: u64 = order.iter().map(size).sum();
        let bar = progress_bar(total);

        let results: Vec<OnceLock<(DigestResult, Origin)>> =
            paths.iter().map(|_| OnceLock::new()).collect();
        // Each worker takes the largest file not yet started.
        let next = AtomicUsize::new(0);
        let workers = rayon::current_num_threads().min(paths.len()).max(1);
        rayon::scope(|s| {
            for _ in 0..workers {
                s.spawn(|_| {
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&i) = order.get(n) else { break };
                        let digest = match &metas[i] {
                            Ok(meta) => self.cached_md5(&paths[i], meta, &bar),
                            Err(e) => (Err(e.clone()), Origin::Computed),
                        };
                        let _ = results[i].set(digest);
                    }
                });
            }
        });
        if *DRAWN {
            bar.finish_and_clear();
            BARS.remove(&bar);
        }
        results
            .into_iter()
            .map(|r| {
                r.into_inner()
                    .unwrap_or((Err(DigestError::NotHashed), Origin::Computed))
            })
            .collect()
    }

    fn cached_md5(
        &self,
        path: &Path,
        meta: &Metadata,
        bar: &ProgressBar,
    ) -> (DigestResult, Origin) {
        let key = file_key(path, meta);
        let cell: Cell = {
            let mut map = self.digests.lock().unwrap_or_else(PoisonError::into_inner);
            map.entry(key.clone()).or_default().clone()
        };
        cell.get_or_init(|| {
            if let Some(md5) = self.stored_digest(&key) {
                bar.inc(meta.len());
                return (Ok(md5), Origin::Cached);
            }
            self.files_read.fetch_add(1, Ordering::Relaxed);
            bar.set_message(
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
            (md5_file(path, meta.len(), bar), Origin::Computed)
        })
        .clone()
    }

    /// How many files this cache has read so far.
    pub fn files_read(&self) -> usize {
        self.files_read.load(Ordering::Relaxed)
    }
}

/// Streams one file through md5. `expected_len` is the size seen before
/// reading; a file that grows or shrinks meanwhile is still being written.
fn md5_file(path: &Path, expected_len: u64, bar: &ProgressBar) -> DigestResult {
    let mut file = File::open(path)?;
    if let Some(declared) = iso_declared_size(&mut file)?
        && declared > expected_len
    {
        return Err(DigestError::Truncated {
            len: expected_len,
            declared,
        });
    }
    let mut hasher = Md5::new();
    // No larger than the file and a byte (its end then reads as such):
    // a small image needs no block zeroed in full.
    let size = usize::try_from(expected_len).map_or(BLOCK, |len| len.saturating_add(1));
    let mut buf = vec![0u8; size.min(BLOCK)];
    let mut read_total: u64 = 0;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        hasher.update(&buf[..n]);
        read_total += n as u64;
        bar.inc(n as u64);
    }
    if read_total != expected_len {
        return Err(DigestError::Changed {
            read: read_total,
            expected: expected_len,
        });
    }
    Ok(crate::model::hex(&hasher.finalize()))
}

/// Offset of the primary volume descriptor of an ISO 9660 image.
const PVD_OFFSET: u64 = 16 * 2048;

/// The image size an ISO 9660 primary volume descriptor declares (volume
/// space size × logical block size), or None when the file is no ISO image.
/// Leaves the file at its start.
fn iso_declared_size(file: &mut File) -> io::Result<Option<u64>> {
    let mut pvd = [0u8; 132];
    file.seek(SeekFrom::Start(PVD_OFFSET))?;
    let declared = match file.read_exact(&mut pvd) {
        Ok(()) => declared_size(&pvd),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => None,
        Err(e) => return Err(e),
    };
    file.seek(SeekFrom::Start(0))?;
    Ok(declared)
}

/// Reads the size fields of a primary volume descriptor (type 1, `CD001`).
/// Both fields are stored both-endian; the little-endian half is read.
fn declared_size(pvd: &[u8; 132]) -> Option<u64> {
    if pvd[0] != 1 || &pvd[1..6] != b"CD001" {
        return None;
    }
    let blocks = u32::from_le_bytes([pvd[80], pvd[81], pvd[82], pvd[83]]);
    let block_size = u16::from_le_bytes([pvd[128], pvd[129]]);
    (blocks > 0 && block_size > 0).then(|| u64::from(blocks) * u64::from(block_size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// Writes a minimal ISO 9660 header declaring `blocks` blocks of 2048 bytes,
    /// padded with `fill` up to `len` bytes: the shape of a real image, for tests
    /// and fixtures.
    fn fake_iso(blocks: u32, len: usize, fill: u8) -> Vec<u8> {
        let mut bytes = vec![fill; len.max(PVD_OFFSET as usize + 2048)];
        let pvd = &mut bytes[PVD_OFFSET as usize..];
        pvd[0] = 1;
        pvd[1..6].copy_from_slice(b"CD001");
        pvd[6] = 1;
        pvd[80..84].copy_from_slice(&blocks.to_le_bytes());
        pvd[84..88].copy_from_slice(&blocks.to_be_bytes());
        pvd[128..130].copy_from_slice(&2048u16.to_le_bytes());
        pvd[130..132].copy_from_slice(&2048u16.to_be_bytes());
        bytes.truncate(len);
        bytes
    }

    fn md5_hex(bytes: &[u8]) -> String {
        crate::model::hex(&Md5::digest(bytes))
    }

    #[test]
    fn digests_match_the_whole_content_across_block_boundaries() {
        let dir = tempfile::tempdir().unwrap();
        let sizes = [0usize, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 17];
        let mut paths = Vec::new();
        let mut contents = Vec::new();
        for (i, n) in sizes.iter().enumerate() {
            let bytes: Vec<u8> = (0..*n).map(|j| (j * 31 + i) as u8).collect();
            let p = dir.path().join(format!("f{i}"));
            fs::write(&p, &bytes).unwrap();
            paths.push(p);
            contents.push(bytes);
        }
        let got = md5_files(&paths);
        for (g, c) in got.iter().zip(&contents) {
            assert_eq!(g.0.as_deref(), Ok(md5_hex(c).as_str()));
        }
        assert_eq!(
            md5_files(&[dir.path().join("f0")])[0].0.as_deref(),
            Ok("d41d8cd98f00b204e9800998ecf8427e")
        );
    }

    #[test]
    fn a_missing_file_has_a_reason_not_a_digest() {
        let dir = tempfile::tempdir().unwrap();
        let got = md5_files(&[dir.path().join("absent.iso")]);
        let reason = got[0].0.clone().unwrap_err().to_string();
        assert!(reason.starts_with("unreadable:"), "{reason}");
    }

    #[test]
    fn a_truncated_iso_image_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let whole = fake_iso(40, 40 * 2048, 0xAB);
        let cut = &whole[..36 * 2048];
        let p_whole = dir.path().join("whole.iso");
        let p_cut = dir.path().join("cut.iso");
        fs::write(&p_whole, &whole).unwrap();
        fs::write(&p_cut, cut).unwrap();
        let got = md5_files(&[p_whole, p_cut]);
        assert_eq!(got[0].0.as_deref(), Ok(md5_hex(&whole).as_str()));
        let reason = got[1].0.clone().unwrap_err().to_string();
        assert!(
            reason.contains("truncated: 73728 of the 81920 bytes"),
            "{reason}"
        );
    }

    #[test]
    fn a_file_that_is_no_iso_image_is_hashed_as_is() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("notes.iso");
        let bytes = vec![7u8; 40_000];
        fs::write(&p, &bytes).unwrap();
        assert_eq!(
            md5_files(&[p])[0].0.as_deref(),
            Ok(md5_hex(&bytes).as_str())
        );
    }

    #[cfg(unix)]
    #[test]
    fn one_inode_is_hashed_once() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.iso");
        let b = dir.path().join("b.iso");
        fs::write(&a, b"first content").unwrap();
        fs::hard_link(&a, &b).unwrap();
        let cache = Md5Cache::default();
        let got = cache.md5_files(&[a.clone(), b.clone(), a]);
        assert_eq!(got[0], got[1]);
        assert_eq!(got[0], got[2]);
        assert_eq!(cache.files_read(), 1);
        cache.md5_files(&[b]);
        assert_eq!(cache.files_read(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_second_run_with_the_cache_hashes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = dir.path().join("cache");
        let paths: Vec<PathBuf> = (0..3)
            .map(|i| {
                let p = dir.path().join(format!("{i}.iso"));
                fs::write(&p, format!("image {i}")).unwrap();
                p
            })
            .collect();
        let first = Md5Cache::default();
        first.use_cache_dir(&cache_dir).unwrap();
        let computed = first.md5_files(&paths);
        assert!(computed.iter().all(|(_, o)| *o == Origin::Computed));
        assert_eq!(first.files_read(), 3);
        first.save_cache().unwrap();

        let second = Md5Cache::default();
        second.use_cache_dir(&cache_dir).unwrap();
        let reused = second.md5_files(&paths);
        assert_eq!(second.files_read(), 0, "nothing hashed again");
        for ((d1, _), (d2, o)) in computed.iter().zip(&reused) {
            assert_eq!(d1, d2);
            assert_eq!(*o, Origin::Cached);
        }
        // A file changed since (another size and time) is hashed again.
        std::thread::sleep(std::time::Duration::from_millis(10));
        fs::write(&paths[1], "image 1, copied again").unwrap();
        let third = Md5Cache::default();
        third.use_cache_dir(&cache_dir).unwrap();
        let got = third.md5_files(&paths);
        assert_eq!(third.files_read(), 1);
        assert_eq!(got[1].1, Origin::Computed);
        assert_eq!(
            got[1].0.as_deref(),
            Ok(md5_hex(b"image 1, copied again").as_str())
        );
    }
}
