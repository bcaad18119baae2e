//! The policy of a check run: which failures count and how much. Settings
//! come from `upcheck.toml` at the fleet root, and command-line flags win
//! over them: `--fail-on`, `--allow-unknown`, `--select`, `--ignore` and
//! `--severity CODE=LEVEL|off`.

pub mod baseline;
mod error;
mod selection;
pub mod waivers;

pub use error::PolicyError;
pub use selection::Selection;

use crate::model::{Evaluations, Severity};
use clap::ValueEnum;
use clap::builder::PossibleValue;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The lowest failing severity that makes the exit code 1 (`--fail-on`,
/// `fail_on`); `never` (no severity) is a report that must not gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailOn(pub Option<Severity>);

impl FailOn {
    pub const DEFAULT: FailOn = FailOn(Some(Severity::Major));
}

impl ValueEnum for FailOn {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            FailOn(Some(Severity::Critical)),
            FailOn(Some(Severity::Major)),
            FailOn(Some(Severity::Minor)),
            FailOn(Some(Severity::Info)),
            FailOn(None),
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        match self.0 {
            Some(severity) => severity.to_possible_value(),
            None => Some(PossibleValue::new("never")),
        }
    }
}

/// The settings file a fleet root may hold.
pub const CONFIG_FILE: &str = "upcheck.toml";

/// `upcheck.toml`: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetConfig {
    /// critical, major, minor, info or never.
    pub fail_on: Option<String>,
    pub allow_unknown: Option<bool>,
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Code or family → critical, major, minor, info or off.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    /// The waivers file, relative to upcheck.toml (default: waivers.toml
    /// beside it).
    pub waivers: Option<PathBuf>,
    /// Where the file was read from; not a key.
    #[serde(skip)]
    pub path: PathBuf,
}

impl FleetConfig {
    /// `upcheck.toml` in `root`, when there is one. A file that is not
    /// valid is an error naming the file and line.
    pub fn find(root: &Path) -> Result<Option<FleetConfig>, PolicyError> {
        let path = root.join(CONFIG_FILE);
        if !path.is_file() {
            return Ok(None);
        }
        FleetConfig::load(&path).map(Some)
    }

    pub fn load(path: &Path) -> Result<FleetConfig, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
            path: path.to_path_buf(),
            what: "",
            source,
        })?;
        let mut config: FleetConfig =
            toml::from_str(&text).map_err(|e| PolicyError::toml(path, &text, &e))?;
        config.path = path.to_path_buf();
        Ok(config)
    }

    /// The severity overrides as `CODE=LEVEL` arguments, so the file and
    /// the command line share one parser.
    pub fn severity_args(&self) -> Vec<String> {
        self.severity
            .iter()
            .map(|(code, level)| format!("{code}={level}"))
            .collect()
    }
}

/// The 1-based line of a byte offset into `text` (a TOML span's start).
#[allow(clippy::naive_bytecount)] // not worth the bytecount crate
pub fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// What `--severity` does to a code or family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeverityOverride {
    Level(Severity),
    /// The rule does not run.
    Off,
}

/// `CODE=LEVEL|off` overrides in the order given; a later one wins.
#[derive(Debug, Clone, Default)]
pub struct SeverityOverrides(Vec<(String, SeverityOverride)>);

impl SeverityOverrides {
    /// Parses `30002=minor`, `5xxxx=off`, …; an error names the argument.
    pub fn parse(args: &[String]) -> Result<SeverityOverrides, PolicyError> {
        let mut out = Vec::new();
        for arg in args {
            let bad = |problem: String| PolicyError::Override {
                arg: arg.clone(),
                problem,
            };
            let (code, level) = arg
                .split_once('=')
                .ok_or_else(|| bad("expected CODE=LEVEL (e.g. 30002=minor or 5xxxx=off)".into()))?;
            let code = code.trim();
            if !is_code_pattern(code) {
                return Err(bad(format!(
                    "`{code}` is not a code or family (use 40001, 4 or 4xxxx)"
                )));
            }
            let level = match level.trim() {
                "off" => SeverityOverride::Off,
                "critical" => SeverityOverride::Level(Severity::Critical),
                "major" => SeverityOverride::Level(Severity::Major),
                "minor" => SeverityOverride::Level(Severity::Minor),
                "info" => SeverityOverride::Level(Severity::Info),
                other => {
                    return Err(bad(format!(
                        "`{other}` is not a severity (critical, major, minor, info or off)"
                    )));
                }
            };
            out.push((code.to_string(), level));
        }
        Ok(SeverityOverrides(out))
    }

    /// The code patterns the overrides name, for checking them against the catalog.
    pub fn patterns(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(code, _)| code)
    }

    /// Appends `later`, whose entries win over these.
    #[must_use]
    pub fn then(mut self, later: SeverityOverrides) -> SeverityOverrides {
        self.0.extend(later.0);
        self
    }

    /// What applies to `code`: the last matching override.
    pub fn get(&self, code: u32) -> Option<SeverityOverride> {
        self.0
            .iter()
            .rev()
            .find(|(pattern, _)| code_matches(pattern, code))
            .map(|(_, o)| *o)
    }

    /// Of `codes`, those turned off: the run ignores them.
    pub fn off(&self, codes: impl IntoIterator<Item = u32>) -> Vec<String> {
        codes
            .into_iter()
            .filter(|c| self.get(*c) == Some(SeverityOverride::Off))
            .map(|c| c.to_string())
            .collect()
    }

    /// Sets the overridden severity on the evaluations of each code.
    pub fn apply(&self, evaluations: &mut Evaluations) {
        evaluations.set_severity(|code| match self.get(code) {
            Some(SeverityOverride::Level(level)) => Some(level),
            _ => None,
        });
    }
}

/// `40001`, a family `4` / `4xxxx`, or any prefix of digits.
pub fn is_code_pattern(p: &str) -> bool {
    let digits = p.trim().trim_end_matches(['x', 'X']);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) && p.trim().len() <= 5
}

/// Whether `code` is `pattern` or in its family.
pub fn code_matches(pattern: &str, code: u32) -> bool {
    let prefix = pattern.trim().trim_end_matches(['x', 'X']);
    !prefix.is_empty() && code.to_string().starts_with(prefix)
}

/// Patterns that match none of `codes`, each with the nearest codes when
/// some are close ("did you mean 40001?"): a pattern that selects nothing
/// is a mistake, and a CI job that runs nothing must not look clean.
pub fn unmatched_patterns<'a>(
    patterns: impl IntoIterator<Item = &'a String>,
    codes: &[u32],
) -> Vec<String> {
    patterns
        .into_iter()
        .filter(|p| !codes.iter().any(|&c| code_matches(p, c)))
        .map(|p| {
            let p = p.trim();
            // Nearest first, and within a distance the same family first.
            let mut near: Vec<(usize, usize, u32)> = codes
                .iter()
                .map(|&c| {
                    let code = c.to_string();
                    let shared = p.chars().zip(code.chars()).take_while(|(a, b)| a == b);
                    (
                        strsim::levenshtein(p, &code),
                        usize::MAX - shared.count(),
                        c,
                    )
                })
                .filter(|&(d, _, _)| d <= 1)
                .collect();
            near.sort_unstable();
            let near: Vec<String> = near.iter().take(3).map(|n| n.2.to_string()).collect();
            match near.as_slice() {
                [] => format!("`{p}`"),
                [one] => format!("`{p}` (did you mean {one}?)"),
                [first @ .., last] => {
                    format!("`{p}` (did you mean {} or {last}?)", first.join(", "))
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_pattern_that_matches_no_code_is_named_with_the_nearest_codes() {
        let codes = [40001, 40002, 40004, 90001];
        let given = args(&["4", "40003", "7xxxx", "90001", "12345"]);
        assert_eq!(
            unmatched_patterns(&given, &codes),
            vec![
                "`40003` (did you mean 40001, 40002 or 40004?)".to_string(),
                "`7xxxx`".to_string(),
                "`12345`".to_string(),
            ]
        );
    }

    #[test]
    fn overrides_take_codes_and_families_and_the_last_one_wins() {
        let o =
            SeverityOverrides::parse(&args(&["3xxxx=minor", "30003=critical", "5=off"])).unwrap();
        assert_eq!(o.get(30002), Some(SeverityOverride::Level(Severity::Minor)));
        assert_eq!(
            o.get(30003),
            Some(SeverityOverride::Level(Severity::Critical))
        );
        assert_eq!(o.get(50001), Some(SeverityOverride::Off));
        assert_eq!(o.get(40001), None);
        assert_eq!(o.off([30002, 50001, 50002]), vec!["50001", "50002"]);
        let later = SeverityOverrides::parse(&args(&["50002=major"])).unwrap();
        let o = o.then(later);
        assert_eq!(o.get(50002), Some(SeverityOverride::Level(Severity::Major)));
        assert_eq!(o.off([30002, 50001, 50002]), vec!["50001"]);
    }

    #[test]
    fn bad_overrides_name_the_argument() {
        for (arg, says) in [
            ("30002", "expected CODE=LEVEL"),
            ("3000x2=minor", "not a code or family"),
            ("30002=low", "`low` is not a severity"),
        ] {
            let e = SeverityOverrides::parse(&args(&[arg]))
                .unwrap_err()
                .to_string();
            assert!(e.contains(says) && e.contains(arg), "{arg}: {e}");
        }
    }

    #[test]
    fn a_bad_config_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(&path, "fail_on = \"major\"\n\nfail_ob = 1\n").unwrap();
        let e = FleetConfig::find(dir.path()).unwrap_err().to_string();
        assert!(e.contains("upcheck.toml:3:"), "{e}");
        assert!(e.contains("fail_ob"), "{e}");
        std::fs::write(&path, "fail_on = \"minor\"\n[severity]\n30002 = \"info\"\n").unwrap();
        let config = FleetConfig::find(dir.path()).unwrap().unwrap();
        assert_eq!(config.severity_args(), vec!["30002=info".to_string()]);
        assert!(
            FleetConfig::find(&dir.path().join("none"))
                .unwrap()
                .is_none()
        );
    }
}
