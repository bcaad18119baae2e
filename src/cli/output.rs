//! Writing results: to stdout, or to a file that appears whole or not at
//! all (a temporary file in the same folder, then a rename).
//!
//! The rename is only for regular files. A path that names something else
//! (`/dev/null`, a FIFO, a terminal) is written in place, never replaced:
//! as root a rename over `/dev/null` would turn the device into a file. A
//! symbolic link is followed, so the file it names is replaced and the link
//! stays. An existing file keeps its permissions (and, where the writer may
//! set it, its owner); a new file is 0644.

use std::fs::{File, Metadata, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let (path, existing) = resolve(path)?;
    if let Some(meta) = &existing
        && !meta.is_file()
    {
        if meta.is_dir() {
            return Err(std::io::Error::other(format!(
                "{} is a folder, not a file",
                path.display()
            )));
        }
        let mut file = OpenOptions::new().write(true).open(&path)?;
        return write_through(&mut file, write);
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let replaced = existing.as_ref().and_then(|_| hold(&path));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    write_through(&mut WriteBack::new(tmp.as_file_mut()), write)?;
    keep_or_set_permissions(tmp.as_file(), existing.as_ref())?;
    tmp.as_file().sync_all()?;
    tmp.persist(&path).map_err(|e| e.error)?;
    // The replaced file's blocks and cached pages are freed when its last
    // handle closes (a large report's take a tenth of a second): on the
    // pool, while the run ends.
    if let Some(replaced) = replaced {
        rayon::spawn(move || drop(replaced));
    }
    Ok(())
}

/// A handle on the file at `path` (`O_PATH`: no permission needed), so
/// that a rename over it does not free it; `None` when it cannot be had.
fn hold(path: &Path) -> Option<std::os::fd::OwnedFd> {
    use rustix::fs::{Mode, OFlags};
    rustix::fs::open(path, OFlags::PATH | OFlags::CLOEXEC, Mode::empty()).ok()
}

/// The path to write (a symbolic link's target) and what is there now.
fn resolve(path: &Path) -> std::io::Result<(PathBuf, Option<Metadata>)> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((path.to_path_buf(), None)),
        Err(e) => Err(e),
        Ok(meta) if meta.file_type().is_symlink() => {
            let target = std::fs::canonicalize(path).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!(
                        "{} is a symbolic link to nothing readable: {e}",
                        path.display()
                    ),
                )
            })?;
            let meta = std::fs::metadata(&target)?;
            Ok((target, Some(meta)))
        }
        Ok(meta) => Ok((path.to_path_buf(), Some(meta))),
    }
}

/// Written as it is rendered: a large report is never held whole in memory.
fn write_through(
    file: &mut (impl Write + Send),
    write: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    write(&mut out)?;
    out.flush()
}

/// Bytes written to a new file before the kernel is asked to start
/// writing them to disk (whole pages: a page still being filled is not
/// sent).
const WRITE_BACK_EVERY: u64 = 8 << 20;

/// A new file written from its start, its bytes sent to disk as they come
/// (each [`WRITE_BACK_EVERY`] bytes, without waiting): the `fsync` that
/// makes the file durable before its rename then waits for the last bytes
/// only, instead of for the whole report after it is rendered.
struct WriteBack<'a> {
    file: &'a mut File,
    written: u64,
    sent: u64,
}

impl<'a> WriteBack<'a> {
    fn new(file: &'a mut File) -> Self {
        WriteBack {
            file,
            written: 0,
            sent: 0,
        }
    }

    /// Starts writing the whole pages from `sent` on to disk; where the
    /// kernel cannot, the `fsync` writes them.
    #[cfg(target_os = "linux")]
    fn send(&mut self) {
        use std::os::fd::AsRawFd;
        let end = self.written & !4095;
        if let (Ok(offset), Ok(len)) = (
            libc::off64_t::try_from(self.sent),
            libc::off64_t::try_from(end - self.sent),
        ) {
            // SAFETY: a system call on a descriptor we hold open; it
            // touches no memory of ours.
            unsafe {
                libc::sync_file_range(
                    self.file.as_raw_fd(),
                    offset,
                    len,
                    libc::SYNC_FILE_RANGE_WRITE,
                );
            }
        }
        self.sent = end;
    }

    #[cfg(not(target_os = "linux"))]
    fn send(&mut self) {
        self.sent = self.written;
    }
}

impl Write for WriteBack<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        if self.written - self.sent >= WRITE_BACK_EVERY {
            self.send();
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Temporary files are private (0600); a new report is not, and a report
/// that replaces a file takes over its mode and owner.
fn keep_or_set_permissions(tmp: &File, existing: Option<&Metadata>) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        match existing {
            None => tmp.set_permissions(std::fs::Permissions::from_mode(0o644))?,
            Some(meta) => {
                // Only root may give a file away; others keep it as theirs.
                let _ = std::os::unix::fs::fchown(tmp, Some(meta.uid()), Some(meta.gid()));
                tmp.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))?;
            }
        }
    }
    #[cfg(not(unix))]
    if let Some(meta) = existing {
        tmp.set_permissions(meta.permissions())?;
    }
    Ok(())
}

/// Prints to stdout; a closed pipe (`| head`) is not an error. The writer
/// may be handed to another thread (a report written while it is
/// rendered), so stdout is locked at each write of the buffer, not held.
pub fn print(
    write: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Columns a terminal table may take: `COLUMNS` when set to a number (as
/// shells export it, and as a test or a narrow CI log asks), else the
/// width of the terminal when the table goes to stdout and stdout is one,
/// else [`crate::report::DEFAULT_WIDTH`].
pub fn table_width(to_stdout: bool) -> usize {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0);
    let terminal = || {
        to_stdout
            .then(|| comfy_table::Table::new().width())
            .flatten()
            .filter(|w| *w > 0)
            .map(usize::from)
    };
    columns
        .or_else(terminal)
        .unwrap_or(crate::report::DEFAULT_WIDTH)
}

/// `--color WHEN`, for every later [`color`].
pub fn set_color(when: clap::ColorChoice) {
    let choice = match when {
        clap::ColorChoice::Auto => anstream::ColorChoice::Auto,
        clap::ColorChoice::Always => anstream::ColorChoice::Always,
        clap::ColorChoice::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}

/// Whether a table is coloured: `--color always|never`, else (`auto`)
/// only on stdout, and there as anstream reads the terminal, NO_COLOR,
/// CLICOLOR and CLICOLOR_FORCE.
pub fn color(to_stdout: bool) -> bool {
    use anstream::ColorChoice;
    match ColorChoice::global() {
        ColorChoice::Always | ColorChoice::AlwaysAnsi => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_stdout && anstream::AutoStream::choice(&std::io::stdout()) != ColorChoice::Never
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_file_replaced_whole_while_sent_to_disk_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, "the old report").unwrap();
        // More than two write-back rounds, in pieces that do not fall on
        // page boundaries.
        let piece: Vec<u8> = (0..4099u32).map(|i| (i % 251) as u8).collect();
        let count = (2 * WRITE_BACK_EVERY as usize) / piece.len() + 7;
        write_atomically(&path, |out| {
            (0..count).try_for_each(|_| out.write_all(&piece))
        })
        .unwrap();
        let written = std::fs::read(&path).unwrap();
        assert_eq!(written.len(), count * piece.len());
        assert!(written.chunks(piece.len()).all(|c| c == piece));
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left");
    }
}
