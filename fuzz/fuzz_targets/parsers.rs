//! Every parser behind one target: the first byte picks the parser kind
//! (modulo their count, in `upcheck parse --help` order), the rest is the
//! file. The body is `upcheck::parse::kind::fuzz_one`, which the main
//! crate's tests also run.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| upcheck::parse::kind::fuzz_one(data));
