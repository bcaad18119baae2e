//! upcheck: an offline pre-/post-upgrade checker. `main` only maps the
//! outcome of a command to the process exit code.

use std::process::ExitCode;

// Evaluation allocates heavily in small pieces from every worker thread.
#[global_allocator]
static ALLOCATOR: upcheck::cli::allocator::Mimalloc = upcheck::cli::allocator::Mimalloc;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e` of the
/// bundled mimalloc 3; the test below checks it is that option).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    return_freed_memory_promptly();
    upcheck::cli::main()
}

/// A run frees each node's working memory (facts, CEL values) as it goes;
/// mimalloc 3 keeps freed pages a second before returning them, which held
/// a 20,000-node run about 25 MB above what it uses (docs/performance.md).
/// 10 ms is mimalloc 2's delay. `MIMALLOC_PURGE_DELAY` set by the caller wins.
fn return_freed_memory_promptly() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: a plain setter of a process-wide option, called before any
        // other thread exists (the setter is not thread safe).
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 10) }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_option_set_is_mimalloc_s_purge_delay() {
        // Only the purge delay defaults to 1000 (ms) in mimalloc 3; tests
        // never run `main`, so this is the default, unless the caller set it.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // SAFETY: reads a process-wide option.
            let delay = unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) };
            assert_eq!(delay, 1000);
        }
    }
}
