//! Hashes the files given on the command line with upcheck's ISO hashing
//! (parallel, largest first) and prints the wall time and throughput as one
//! JSON line; `scripts/bench_md5.py` runs it beside GNU md5sum.

use std::path::PathBuf;
use std::time::Instant;

use upcheck::file_digest::Md5Cache;

fn main() {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: md5_throughput FILE...");
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
    for (path, digest) in paths.iter().zip(&digests) {
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
