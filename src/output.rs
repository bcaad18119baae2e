//! Writing results: to stdout, or to a file that appears whole or not at
//! all (a temporary file in the same folder, then a rename).

use std::io::Write;
use std::path::Path;

pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    // Written as it is rendered: a large report is never held whole in memory.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
    write(&mut out)?;
    out.flush()?;
    drop(out);
    // Temporary files are private (0600); a report is not.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Prints to stdout; a closed pipe (`| head`) is not an error.
pub fn print(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write(&mut out).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
