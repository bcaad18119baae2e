//! What can be wrong with a rule's CEL expression or message template.

use cel::ExecutionError;

/// Why an expression or a message template could not be compiled or
/// evaluated. A compile error's text carries CEL's `<input>:LINE:COL`, which
/// the catalog turns into a line of the rule file.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum ExprError {
    #[error("{0}")]
    Compile(String),
    #[error("{0}")]
    Eval(#[from] ExecutionError),
    /// A condition or `for_each` gave a value of another type.
    #[error("expected {expected}, got {got}")]
    Type { expected: &'static str, got: String },
    #[error("unclosed `{{` at offset {0}")]
    Unclosed(usize),
    #[error("unmatched `}}` at offset {0}")]
    Unmatched(usize),
    #[error("in placeholder {{{expr}}}: {source}")]
    Placeholder {
        expr: String,
        source: Box<ExprError>,
    },
}
