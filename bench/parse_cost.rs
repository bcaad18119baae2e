//! What upcheck's parsers cost per file, parsing alone (no process start,
//! no reading): each file is parsed repeatedly for at least 0.2 s and the
//! mean is printed as one JSON line per file. bench/run.py compares these
//! with insights-core's parsers on the same files.
//!
//!     cargo run --release --example parse_cost -- ntpq|df FILE...

use std::time::{Duration, Instant};
use upcheck::parse::{linux::df, time::ntpq};

// The allocator the upcheck binary runs with (src/main.rs).
#[global_allocator]
static ALLOCATOR: upcheck::cli::allocator::Mimalloc = upcheck::cli::allocator::Mimalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let kind = args.next().unwrap_or_default();
    let parse: fn(&str) -> bool = match kind.as_str() {
        "ntpq" => |t| ntpq::parse(t).records().is_some(),
        "df" => |t| df::parse(t).records().is_some(),
        _ => {
            eprintln!("usage: parse_cost ntpq|df FILE...");
            std::process::exit(2);
        }
    };
    for file in args {
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{file}: {e}");
                continue;
            }
        };
        let parsed = parse(&text);
        let start = Instant::now();
        let mut runs = 0u64;
        while start.elapsed() < Duration::from_millis(200) {
            std::hint::black_box(parse(std::hint::black_box(&text)));
            runs += 1;
        }
        let us = start.elapsed().as_secs_f64() * 1e6 / runs as f64;
        println!(r#"{{"file": {file:?}, "parsed": {parsed}, "us": {us:.3}}}"#);
    }
}
