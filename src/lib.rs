//! upcheck reads node snapshots (command outputs and copied files), builds
//! facts from them, evaluates a catalog of CEL rules, and reports coded
//! findings.

pub mod archive;
pub mod baseline;
pub mod catalog;
pub mod catalog_check;
pub mod cli;
pub mod collect;
pub mod confined;
pub mod diff;
pub mod docs;
pub mod engine;
pub mod expr;
pub mod facts;
pub mod file_digest;
pub mod log_scan;
pub mod merge;
pub mod model;
pub mod output;
pub mod parse;
pub mod policy;
pub mod procedure;
pub mod quote;
pub mod redact;
pub mod report;
pub mod shard;
pub mod shared_exports;
pub mod snapshot;
pub mod snapshot_fuzz;
pub mod sos;
pub mod tool_codes;
pub mod waivers;
