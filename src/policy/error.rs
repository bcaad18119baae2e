//! What goes wrong reading the operator's policy: upcheck.toml, waivers,
//! a baseline report and `--severity` arguments. Each error names the file
//! and, when one is known, the line.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A file that cannot be read; `what` names it when the path does not.
    #[error("{}: cannot read{what}: {source}", path.display())]
    Read {
        path: PathBuf,
        what: &'static str,
        source: std::io::Error,
    },
    /// A mistake in a file, at its line when one is known.
    #[error("{}{}: {problem}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    At {
        path: PathBuf,
        line: Option<usize>,
        problem: String,
    },
    /// A `CODE=LEVEL` override that is not one.
    #[error("`{arg}`: {problem}")]
    Override { arg: String, problem: String },
}

impl PolicyError {
    /// A TOML error at its line.
    pub fn toml(path: &std::path::Path, text: &str, e: &toml::de::Error) -> PolicyError {
        PolicyError::At {
            path: path.to_path_buf(),
            line: e.span().map(|s| super::line_at(text, s.start)),
            problem: e.message().trim().to_string(),
        }
    }

    pub fn at(path: &std::path::Path, line: Option<usize>, problem: impl Into<String>) -> Self {
        PolicyError::At {
            path: path.to_path_buf(),
            line,
            problem: problem.into(),
        }
    }
}
