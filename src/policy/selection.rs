//! Which codes a run keeps: `--select`, `--ignore` and severity `off`,
//! carried as given so that a shard report can hand them to `merge`.

use super::{code_matches, is_code_pattern};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which codes a run keeps: `40001`, a family `4` / `4xxxx`, or any prefix.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    /// Tool findings (9xxxx) say why something could not be checked, so
    /// `--select` never hides them; only `--ignore` does.
    pub fn keeps(&self, code: u32) -> bool {
        let selected = self.select.is_empty()
            || code / 10000 == 9
            || self.select.iter().any(|p| code_matches(p, code));
        selected && !self.ignore.iter().any(|p| code_matches(p, code))
    }

    /// Patterns that are not codes or code prefixes.
    pub fn invalid(&self) -> Vec<String> {
        self.select
            .iter()
            .chain(&self.ignore)
            .filter(|p| !is_code_pattern(p))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_by_code_family_and_prefix() {
        let s = Selection {
            select: vec!["4xxxx".into()],
            ignore: vec!["40005".into()],
        };
        assert!(s.keeps(40001));
        assert!(!s.keeps(40005));
        assert!(!s.keeps(30001));
        let s = Selection {
            select: vec!["3".into(), "20002".into()],
            ignore: vec![],
        };
        assert!(s.keeps(30003) && s.keeps(20002) && !s.keeps(20003));
        assert!(s.keeps(90002), "tool findings survive --select");
        let s = Selection {
            select: vec![],
            ignore: vec!["9".into()],
        };
        assert!(!s.keeps(90002) && s.keeps(40001));
        let bad = Selection {
            select: vec!["ntp".into(), "4xxxx".into(), "400011".into()],
            ignore: vec![],
        };
        assert_eq!(bad.invalid(), vec!["ntp".to_string(), "400011".to_string()]);
    }
}
