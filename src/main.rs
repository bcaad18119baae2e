//! upcheck: an offline pre-/post-upgrade checker. `main` only maps the
//! outcome of a command to the process exit code.

use std::process::ExitCode;

// Evaluation allocates heavily in small pieces from every worker thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    upcheck::cli::main()
}
