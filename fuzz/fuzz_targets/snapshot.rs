//! The snapshot reader, folder and archive, on hostile trees: the first
//! byte picks the form (even: the tar read in place as an archive; odd:
//! unpacked into a folder with its links, FIFOs and devices), the rest is a
//! tar stream. The body is `upcheck::snapshot::fuzz::fuzz_one`, which the
//! main crate's tests also run on the seeds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| upcheck::snapshot::fuzz::fuzz_one(data));
