//! What can be wrong with an input file, located at its file and line.

use std::fmt;
use std::path::PathBuf;

/// One problem with the input table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// A site `inputs/` folder or file that cannot be read.
    Unreadable { path: PathBuf, reason: String },
    /// Not TOML, or TOML that breaks the input schema (an unknown key, a
    /// missing one, a value of the wrong type).
    Syntax {
        origin: String,
        line: usize,
        message: String,
    },
    /// Well-formed, but a value the table cannot use (a bad path pattern,
    /// a command without its place in the run…).
    Invalid {
        origin: String,
        line: usize,
        message: String,
    },
    /// Two files declare the same input name.
    Duplicate {
        name: String,
        first: String,
        second: String,
    },
}

impl InputError {
    /// The file to blame and the line in it, when one is known.
    pub fn location(&self) -> (String, Option<usize>) {
        match self {
            InputError::Unreadable { path, .. } => (path.display().to_string(), None),
            InputError::Syntax { origin, line, .. } | InputError::Invalid { origin, line, .. } => {
                (origin.clone(), Some(*line))
            }
            InputError::Duplicate { second, .. } => (second.clone(), Some(1)),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Unreadable { path, reason } => {
                write!(f, "{}: cannot read: {reason}", path.display())
            }
            InputError::Syntax {
                origin,
                line,
                message,
            }
            | InputError::Invalid {
                origin,
                line,
                message,
            } => write!(f, "{origin}:{line}: {message}"),
            InputError::Duplicate {
                name,
                first,
                second,
            } => write!(
                f,
                "{second}:1: input `{name}` is already declared by {first}; a site input \
                 cannot replace a built-in one: give it another name"
            ),
        }
    }
}

impl std::error::Error for InputError {}

/// Every problem met while loading the table, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadErrors(pub Vec<InputError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for LoadErrors {}
