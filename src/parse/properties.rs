//! Property tests of every parser: arbitrary bytes and mutated real
//! samples never make a parser panic or hang, and every answer is one of
//! the three outcomes with its line inside the text.
//!
//! The case count per parser and per strategy is 64, so the suite stays
//! fast; `PROPTEST_CASES=10000 cargo test --lib parse::properties` runs a
//! longer search (see docs/robustness.md).

use std::collections::HashSet;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::Outcome;
use super::kind::{ParseKind, check_verdict};
use super::testing::{doc_text_blocks, samples};

/// Cases per parser and per strategy unless PROPTEST_CASES says otherwise.
const DEFAULT_CASES: u32 = 64;

/// Far above what any parser needs for a few kilobytes, even in a debug
/// build on a busy machine: past it the parser is taken to hang.
const TIME_LIMIT: Duration = Duration::from_secs(10);

/// Where the seeds of each parser's mutations come from: the real-world
/// samples of its format, when there are some, and the ```text examples of
/// its module's documentation. The match has no catch-all arm, so a new
/// parser kind does not compile until it is given its seeds here.
fn seed_sources(kind: ParseKind) -> (&'static [&'static str], &'static str) {
    use ParseKind::*;
    match kind {
        Ntpq => (&["ntpq-pn"], include_str!("time/ntpq.rs")),
        ChronycSources => (&["chronyc-sources"], include_str!("time/chronyc.rs")),
        ChronycTracking => (&["chronyc-tracking"], include_str!("time/chronyc.rs")),
        Df => (&["df"], include_str!("linux/df.rs")),
        Hwclock => (&["hwclock"], include_str!("time/hwclock.rs")),
        Date => (&["date"], include_str!("time/date.rs")),
        Timedatectl => (&["timedatectl"], include_str!("time/timedatectl.rs")),
        Patches => (&[], include_str!("vendor/patches.rs")),
        Shadow => (&[], include_str!("linux/shadow.rs")),
        LoginDefs => (&["login-defs"], include_str!("linux/login_defs.rs")),
        Libuser => (&["libuser-conf"], include_str!("linux/libuser.rs")),
        Pam => (&["pam-system-auth"], include_str!("linux/pam.rs")),
        ChecksumList => (&["md5sum"], include_str!("linux/checksum_list.rs")),
        Syscheck => (&[], include_str!("vendor/syscheck.rs")),
        LsListing => (&[], include_str!("linux/ls_listing.rs")),
        Alarms => (&[], include_str!("vendor/alarms.rs")),
        UpgradeLog => (&[], include_str!("vendor/upgrade_log.rs")),
        DcTasks => (&[], include_str!("vendor/dc_tasks.rs")),
        NeStorage => (&[], include_str!("vendor/ne_storage.rs")),
        Ping => (&[], include_str!("linux/ping.rs")),
        NeCommunication => (&[], include_str!("vendor/ne_comm.rs")),
        PackageListing => (&[], include_str!("linux/package_listing.rs")),
        AmoPatchCatalog => (&[], include_str!("vendor/amo_patch_catalog.rs")),
        AmoPatchFile => (&[], include_str!("vendor/amo_patch_file.rs")),
        InstalledAps => (&[], include_str!("vendor/installed_aps.rs")),
        PrsmPrsus => (&[], include_str!("vendor/prsm_prsus.rs")),
        PrsmDests => (&[], include_str!("vendor/prsm_dests.rs")),
        PrsmLoads => (&[], include_str!("vendor/prsm_loads.rs")),
        PrsmImages => (&[], include_str!("vendor/prsm_images.rs")),
        PrsmSpm301 => (&[], include_str!("vendor/prsm_spm301.rs")),
        PrsmAutoproc => (&[], include_str!("vendor/prsm_autoproc.rs")),
        PatchConf => (&[], include_str!("vendor/patch_conf.rs")),
        PatchHistory => (&[], include_str!("vendor/patch_record.rs")),
        PatchManifest => (&[], include_str!("vendor/patch_record.rs")),
        PatchLog => (&[], include_str!("vendor/patch_log.rs")),
        PatchErr => (&[], include_str!("vendor/patch_err.rs")),
        SshKeyCheck => (&[], include_str!("vendor/ssh_key_check.rs")),
        ClusterConfig => (&[], include_str!("vendor/cluster_config.rs")),
        AppRev => (&[], include_str!("vendor/app_rev.rs")),
        AuditLog => (&[], include_str!("vendor/audit_log.rs")),
    }
}

/// The texts a parser's mutations start from.
fn seeds(kind: ParseKind) -> Vec<String> {
    let (dirs, source) = seed_sources(kind);
    let mut texts: Vec<String> = dirs
        .iter()
        .flat_map(|d| samples(d).into_iter().map(|(_, text)| text))
        .collect();
    texts.extend(doc_text_blocks(source));
    texts
}

/// One edit of a text's bytes. Positions are taken modulo the length, so
/// any edit applies to any text.
#[derive(Debug, Clone)]
enum Mutation {
    FlipBit { at: usize, bit: u8 },
    Delete { at: usize, len: usize },
    Insert { at: usize, bytes: Vec<u8> },
    Truncate { at: usize },
    DuplicateLine { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        any::<usize>().prop_map(|at| Mutation::DuplicateLine { at }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let pos = |at: usize, len: usize| if len == 0 { 0 } else { at % len };
    match m {
        Mutation::FlipBit { at, bit } => {
            if !bytes.is_empty() {
                let i = pos(*at, bytes.len());
                bytes[i] ^= 1 << bit;
            }
        }
        Mutation::Delete { at, len } => {
            let start = pos(*at, bytes.len());
            let end = (start + len).min(bytes.len());
            bytes.drain(start..end);
        }
        Mutation::Insert { at, bytes: new } => {
            let i = pos(*at, bytes.len() + 1);
            bytes.splice(i..i, new.iter().copied());
        }
        Mutation::Truncate { at } => bytes.truncate(pos(*at, bytes.len() + 1)),
        Mutation::DuplicateLine { at } => {
            let starts: Vec<usize> = std::iter::once(0)
                .chain(
                    bytes
                        .iter()
                        .enumerate()
                        .filter(|(_, b)| **b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .filter(|&i| i < bytes.len())
                .collect();
            if starts.is_empty() {
                return;
            }
            let start = starts[pos(*at, starts.len())];
            let end = bytes[start..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |i| start + i + 1);
            let line = bytes[start..end].to_vec();
            bytes.splice(start..start, line);
        }
    }
}

/// Lossy UTF-8, as `snapshot::read_input` reads a collected file.
fn text_of(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The parser's verdict on `text`, run on its own thread so that a panic
/// is caught and a hang is cut at [`TIME_LIMIT`] (the thread is left
/// behind; the test fails).
fn verdict_in_time(kind: ParseKind, text: &str) -> Result<Outcome<()>, String> {
    let (send, receive) = mpsc::channel();
    let owned = text.to_string();
    thread::spawn(move || {
        let _ = send.send(kind.verdict(&owned));
    });
    match receive.recv_timeout(TIME_LIMIT) {
        Ok(verdict) => Ok(verdict),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("took more than {TIME_LIMIT:?}")),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("panicked".into()),
    }
}

fn check(kind: ParseKind, text: &str) -> Result<(), TestCaseError> {
    let verdict = verdict_in_time(kind, text)
        .map_err(|why| TestCaseError::fail(format!("{}: {why}", kind.name())))?;
    check_verdict(text, &verdict)
        .map_err(|why| TestCaseError::fail(format!("{}: {why}", kind.name())))
}

fn runner() -> TestRunner {
    // Config::default() reads PROPTEST_CASES; without it, DEFAULT_CASES.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    TestRunner::new(Config {
        cases,
        max_shrink_iters: 256,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Runs `strategy` for every parser kind, naming the kind on failure.
fn for_every_kind<S: Strategy>(
    strategy: impl Fn(ParseKind) -> S,
    test: impl Fn(ParseKind, S::Value) -> Result<(), TestCaseError>,
) {
    for &kind in ParseKind::all() {
        runner()
            .run(&strategy(kind), |value| test(kind, value))
            .unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
    }
}

#[test]
fn arbitrary_bytes_are_parsed_not_applicable_or_malformed() {
    for_every_kind(
        |_| prop::collection::vec(any::<u8>(), 0..2048),
        |kind, bytes| check(kind, &text_of(&bytes)),
    );
}

#[test]
fn mutated_samples_are_parsed_not_applicable_or_malformed() {
    for_every_kind(
        |kind| {
            let seeds = seeds(kind);
            (
                prop::sample::select(seeds),
                prop::collection::vec(mutation(), 1..8),
            )
        },
        |kind, (seed, mutations)| {
            let mut bytes = seed.into_bytes();
            for m in &mutations {
                apply(&mut bytes, m);
            }
            check(kind, &text_of(&bytes))
        },
    );
}

#[test]
fn every_parser_kind_has_seeds_and_its_own_name() {
    let mut names = HashSet::new();
    for &kind in ParseKind::all() {
        assert!(!seeds(kind).is_empty(), "{}: no seeds", kind.name());
        assert!(names.insert(kind.name()), "{}: name twice", kind.name());
    }
    assert_eq!(names.len(), ParseKind::all().len());
}

#[test]
fn the_seeds_themselves_pass_the_checks() {
    for &kind in ParseKind::all() {
        for seed in seeds(kind) {
            check(kind, &seed).unwrap_or_else(|e| panic!("{e}\n{seed}"));
        }
    }
}

#[test]
fn the_checks_reject_a_line_outside_the_text() {
    let two_lines = "a\nb\n";
    assert!(check_verdict(two_lines, &Outcome::malformed(2, "x")).is_ok());
    assert!(check_verdict(two_lines, &Outcome::malformed(3, "x")).is_err());
    assert!(check_verdict(two_lines, &Outcome::malformed(0, "x")).is_err());
    assert!(check_verdict("", &Outcome::malformed(1, "x")).is_ok());
}

#[test]
fn mutations_edit_as_named() {
    let edit = |m: Mutation| {
        let mut b = b"one\ntwo\n".to_vec();
        apply(&mut b, &m);
        text_of(&b)
    };
    assert_eq!(edit(Mutation::FlipBit { at: 0, bit: 5 }), "One\ntwo\n");
    assert_eq!(edit(Mutation::Delete { at: 1, len: 2 }), "o\ntwo\n");
    assert_eq!(
        edit(Mutation::Insert {
            at: 4,
            bytes: vec![0xff]
        }),
        "one\n\u{fffd}two\n"
    );
    assert_eq!(edit(Mutation::Truncate { at: 5 }), "one\nt");
    assert_eq!(edit(Mutation::DuplicateLine { at: 1 }), "one\ntwo\ntwo\n");
}

#[test]
fn the_fuzz_target_runs_every_parser() {
    // The fuzz target's body over a few inputs per kind: the first byte
    // picks the kind, so this reaches every parser without libFuzzer.
    for first in 0..ParseKind::all().len() as u8 {
        for seed in 1..=4 {
            let mut data = vec![first];
            data.extend(super::testing::junk(seed, 256));
            super::kind::fuzz_one(&data);
        }
    }
    super::kind::fuzz_one(&[]);
}
