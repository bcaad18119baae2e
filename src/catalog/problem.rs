//! A problem with a rule file.

use std::fmt;

/// A problem with a rule file, located at a line when one is to blame.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub origin: String,
    pub line: Option<usize>,
    pub message: String,
    pub warning: bool,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.warning { "warning" } else { "error" };
        match self.line {
            Some(l) => write!(f, "{kind}: {}:{l}: {}", self.origin, self.message),
            None => write!(f, "{kind}: {}: {}", self.origin, self.message),
        }
    }
}

impl Problem {
    pub fn error(origin: &str, line: Option<usize>, message: String) -> Problem {
        Problem {
            origin: origin.to_string(),
            line,
            message,
            warning: false,
        }
    }
}
