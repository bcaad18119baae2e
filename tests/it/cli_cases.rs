//! The user-facing command lines as files: each `tests/cmd/<case>.toml`
//! holds the arguments and the exit code, and `<case>.stdout` /
//! `<case>.stderr` what upcheck writes, so a change of output shows as a
//! diff in review. Paths in them are relative: the cases run from the
//! repository root (`fs.cwd`) or from their own `<case>.in/` folder.
//! After an intended change, `TRYCMD=overwrite cargo test --test it
//! cli_cases` rewrites the outputs; review them with `git diff`.

use crate::common::EPOCH;
use std::path::PathBuf;

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin("upcheck", PathBuf::from(env!("CARGO_BIN_EXE_upcheck")))
        // The report time, and a table width that is not the terminal's.
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("COLUMNS", "140")
        .case("tests/cmd/*.toml");
}
