//! How a command ends: the exit code of a command that ran to its end
//! (DESIGN §5), or the error that stopped it, said once on stderr at the
//! edge (exit 2).

use std::path::PathBuf;
use std::process::ExitCode;

/// The exit code of a command that ran to its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Nothing at or above --fail-on.
    Clean = 0,
    /// Findings at or above --fail-on; for diff, something got worse.
    Findings = 1,
    /// What `rules check` or `inputs check` checked has errors, listed on
    /// stderr; the code of a tool error too.
    Errors = 2,
    /// No such findings, but some checks were unknown.
    Unknown = 3,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// An error of the tool itself: usage, rule catalog, input table, policy
/// files, snapshots or I/O (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A mistake in the command line or in what it names.
    #[error("{0}")]
    Usage(String),
    /// The catalog's problems are listed on stderr before this.
    #[error("the rule catalog has errors; `upcheck rules check` lists them")]
    Catalog,
    /// The input table's problems are listed on stderr before this.
    #[error("the input table has errors; `upcheck inputs check` lists them")]
    Inputs,
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write to stdout: {0}")]
    Stdout(std::io::Error),
    #[error("--cache: {0}")]
    Cache(#[from] crate::facts::file_digest::CacheError),
    /// `collect` could not write or pack its snapshot.
    #[error(transparent)]
    Collect(#[from] crate::snapshot::collect::CollectError),
    #[error(transparent)]
    Diff(#[from] crate::diff::SideError),
    #[error(transparent)]
    Policy(#[from] crate::policy::PolicyError),
    #[error(transparent)]
    Merge(#[from] crate::engine::merge::MergeError),
}

/// What a command returns.
pub type Outcome = Result<Exit, Error>;
