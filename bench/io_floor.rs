//! The I/O floor of a fleet check: walk the same tree and read every file,
//! in parallel, doing nothing with the bytes. `upcheck check` is measured
//! against this (bench/run.py): what it costs beyond reading its inputs.
//!
//!     cargo run --release --example io_floor -- FLEET_DIR

use rayon::prelude::*;
use std::path::PathBuf;

fn main() {
    let Some(root) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: io_floor FLEET_DIR");
        std::process::exit(2);
    };
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect();
    let bytes: u64 = files
        .par_iter()
        .map(|f| std::fs::read(f).map_or(0, |b| b.len() as u64))
        .sum();
    println!("{} files, {bytes} bytes", files.len());
}
