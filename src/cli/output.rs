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
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    write_through(tmp.as_file_mut(), write)?;
    keep_or_set_permissions(tmp.as_file(), existing.as_ref())?;
    tmp.as_file().sync_all()?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(())
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
    file: &mut File,
    write: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    write(&mut out)?;
    out.flush()
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
