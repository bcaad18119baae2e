//! Hashes the files given on the command line with upcheck's ISO hashing
//! (parallel, largest first) and prints the wall time and throughput as one
//! JSON line; `bench/md5.py` runs it beside GNU md5sum. With
//! `--in-memory` it times the md5 core alone on a buffer.

use std::path::PathBuf;
use std::time::Instant;

use md5::{Digest, Md5};
use upcheck::facts::file_digest::Md5Cache;

/// The md5 core alone: 256 MiB hashed from memory, no reading.
fn in_memory() {
    let bytes = vec![0x5Au8; 256 << 20];
    let start = Instant::now();
    let digest = Md5::digest(&bytes);
    let seconds = start.elapsed().as_secs_f64();
    std::hint::black_box(digest);
    println!(
        "{{\"files\": 0, \"bytes\": {}, \"seconds\": {seconds:.6}, \"mb_per_s\": {:.1}}}",
        bytes.len(),
        bytes.len() as f64 / 1e6 / seconds
    );
}

fn main() {
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    if args.first().is_some_and(|a| a == "--in-memory") {
        return in_memory();
    }
    let paths: Vec<PathBuf> = args.into_iter().map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: md5_throughput FILE... | md5_throughput --in-memory");
        std::process::exit(2);
    }
    let bytes: u64 = paths
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    // A fresh cache: every run reads every file.
    let cache = Md5Cache::default();
    let start = Instant::now();
    let digests = cache.md5_files(&paths);
    let seconds = start.elapsed().as_secs_f64();
    for (path, (digest, _)) in paths.iter().zip(&digests) {
        if let Err(reason) = digest {
            eprintln!("{}: {reason}", path.display());
            std::process::exit(1);
        }
    }
    println!(
        "{{\"files\": {}, \"bytes\": {bytes}, \"seconds\": {seconds:.6}, \"mb_per_s\": {:.1}}}",
        paths.len(),
        bytes as f64 / 1e6 / seconds
    );
}
