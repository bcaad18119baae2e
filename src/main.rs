//! upcheck: an offline pre-/post-upgrade checker. `main` only maps the
//! outcome of a command to the process exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    upcheck::cli::main()
}
