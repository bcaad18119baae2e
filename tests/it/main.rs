//! The integration tests, as one test binary: one build and one link of the
//! library instead of one per file. Each module is one subject (`cli`,
//! `diff`, a fixture fleet…); `common` holds what they share. Run one
//! subject with `cargo test --test it cli::`, one test by its full name.

mod common;

mod ansible;
mod archives;
mod bad_input;
mod catalog;
mod ci_examples;
mod cli;
mod cli_cases;
mod cluster_patch;
mod code_list;
mod collect;
mod diff;
mod dms_prsm;
mod docs_fresh;
mod fixture_readmes;
mod fleet_time;
mod hostile_output;
mod hostile_snapshot;
mod html_browser;
mod huawei_osn6800;
mod init;
mod inputs;
mod media;
mod missing_inputs;
mod openscape4000;
mod oracle_pm;
mod oracle_procedure;
mod patch_state;
mod policy;
mod portable;
mod real_world_facts;
mod report_formats;
mod report_schema;
mod report_snapshots;
mod rule_findings;
mod secrets;
mod shard_merge;
mod site_rules;
mod sos_layout;
mod sosreport;
mod structure;
mod table;
mod verbose;
