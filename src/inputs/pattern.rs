//! Candidate path patterns: a path relative to the node folder, which may
//! be a shell glob (`*`, `?`, `**`, `{a,b}`, `[…]`) and may hold
//! `<NAME>` placeholders that the fact reading the input fills in at run
//! time (`<fleet>`, the fleet root; `<PATCH_HISTORY_DIR>`, a folder
//! patch.conf names; `<path>`, each staged image).

use globset::{GlobBuilder, GlobMatcher};

/// Why `pattern` is no valid candidate path, if it is not.
pub fn problem(pattern: &str) -> Option<String> {
    if pattern.is_empty() {
        return Some("an empty path".into());
    }
    if pattern.starts_with('/') {
        return Some(format!(
            "`{pattern}` is absolute: paths are relative to the node folder"
        ));
    }
    if pattern.contains('\\') {
        return Some(format!("`{pattern}` holds `\\`: separate folders with `/`"));
    }
    if pattern
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Some(format!(
            "`{pattern}` has an empty, `.` or `..` part: name the file inside the node folder"
        ));
    }
    let Some(filled) = fill_placeholders(pattern) else {
        return Some(format!(
            "`{pattern}` has a malformed placeholder: write `<NAME>` (letters, digits, `_`)"
        ));
    };
    (matcher_of(&filled).err()).map(|e| format!("`{filled}` is no valid glob: {}", e.kind()))
}

/// Whether `pattern` names one file as written: no glob, no placeholder.
pub fn is_literal(pattern: &str) -> bool {
    !pattern.contains(['*', '?', '[', '{', '<'])
}

/// A matcher for a glob without placeholders (`None` for one with them:
/// what they stand for is known only at run time).
pub fn matcher(pattern: &str) -> Option<GlobMatcher> {
    if pattern.contains('<') {
        return None;
    }
    matcher_of(pattern).ok()
}

fn matcher_of(pattern: &str) -> Result<GlobMatcher, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
}

/// `pattern` with each `<NAME>` placeholder replaced by a plain word, or
/// `None` when a placeholder is malformed (then [`problem`] says so).
fn fill_placeholders(pattern: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('>')?;
        let name = &after[..close];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        out.push_str("placeholder");
        rest = &after[close + 1..];
    }
    if rest.contains('>') {
        return None;
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_s_patterns_are_valid() {
        for p in [
            "commands/date_-u_+%s.%N",
            "var/camiant/backup/local_archive/{serverbackup,systembackup}/*",
            "pds/**",
            "<fleet>/backup-repository.csv",
            "<PATCH_HISTORY_DIR>/*",
            "commands/md5sum_<path>",
        ] {
            assert_eq!(problem(p), None, "{p}");
        }
    }

    #[test]
    fn bad_patterns_say_why() {
        for (p, why) in [
            ("/etc/shadow", "absolute"),
            ("etc/../shadow", "`..`"),
            ("etc\\shadow", "`\\`"),
            ("exports/{a,b", "no valid glob"),
            ("", "empty"),
        ] {
            let problem = problem(p).unwrap_or_default();
            assert!(problem.contains(why), "{p}: {problem}");
        }
        for p in ["commands/md5sum_<pa th>", "commands/md5sum_<path", "a>b"] {
            assert!(
                problem(p).unwrap_or_default().contains("placeholder"),
                "{p}"
            );
        }
    }

    #[test]
    fn only_globs_without_placeholders_get_a_matcher() {
        assert!(matcher("pds/**").unwrap().is_match("pds/PATCH/PA1.E"));
        assert!(!matcher("var/log/*").unwrap().is_match("var/log/a/b"));
        assert!(matcher("<fleet>/x.csv").is_none());
        assert!(is_literal("etc/shadow"));
        assert!(!is_literal("pds/**"));
    }
}
