//! Reading input files: the site folder, the TOML, and what each file must
//! hold to be used.

use super::{Input, InputError, InputFile, pattern};
use std::path::{Path, PathBuf};

/// The `(path, text)` of each `.toml` of a site `inputs/` folder, by name;
/// none when the folder does not exist.
pub fn read_site_folder(dir: &Path) -> Result<Vec<(String, String)>, InputError> {
    if !dir.exists() {
        return Ok(vec![]);
    }
    let unreadable = |path: &Path, e: std::io::Error| InputError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| unreadable(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| match std::fs::read_to_string(&path) {
            Ok(text) => Ok((path.display().to_string(), text)),
            Err(e) => Err(unreadable(&path, e)),
        })
        .collect()
}

/// One input file, checked; every problem found, each at its line.
pub fn parse_file(origin: &str, text: &str) -> Result<Input, Vec<InputError>> {
    let file: InputFile = toml::from_str(text).map_err(|e| {
        vec![InputError::Syntax {
            origin: origin.to_string(),
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().trim().to_string(),
        }]
    })?;
    let file_name = origin.rsplit(['/', '\\']).next().unwrap_or(origin);
    let name = file_name.strip_suffix(".toml").unwrap_or(file_name);
    let input = Input {
        name: name.to_string(),
        origin: origin.to_string(),
        description: file.description,
        unread: file.unread,
        paths: file.paths,
        collect: file.collect,
        table: file.table,
        example_lines: crate::parse::table::example_lines(text),
        source: text.to_string(),
    };
    let problems: Vec<InputError> = problems(&input)
        .into_iter()
        .map(|(needle, message)| InputError::Invalid {
            origin: origin.to_string(),
            line: line_near(text, &needle),
            message,
        })
        .collect();
    if problems.is_empty() {
        Ok(input)
    } else {
        Err(problems)
    }
}

/// What is wrong with a parsed input: (text to find its line by, message).
fn problems(input: &Input) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let name_ok = input.name.starts_with(|c: char| c.is_ascii_lowercase())
        && input
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !name_ok {
        out.push((
            String::new(),
            format!(
                "`{}` is no input name: name the file <name>.toml, with lower-case letters, digits and `-`",
                input.name
            ),
        ));
    }
    if input.description.trim().is_empty() || input.description.contains('\n') {
        out.push((
            "description".into(),
            "`description` is one line saying what the input is".into(),
        ));
    }
    if input.paths.native.is_empty() && input.paths.sos.is_empty() {
        out.push((
            "[paths]".into(),
            "`[paths]` names no file: give `native` (and `sos` when a sosreport holds it)".into(),
        ));
    }
    for path in input.paths.native.iter().chain(&input.paths.sos) {
        if let Some(why) = pattern::problem(path) {
            out.push((quoted(path), why));
        }
    }
    out.extend(collect_problems(input));
    out
}

/// What is wrong with `[collect]`: a command and the copies must land where
/// discovery looks for the input, and the sh collector must be able to
/// pass the environment as plain words.
fn collect_problems(input: &Input) -> Vec<(String, String)> {
    let collect = &input.collect;
    let native = &input.paths.native;
    let mut out = Vec::new();
    if collect.argv.is_empty() {
        if collect.order.is_some() || !collect.env.is_empty() || collect.only_if.is_some() {
            out.push((
                "[collect]".into(),
                "`order`, `env` and `only_if` apply to a command: give `argv` too".into(),
            ));
        }
    } else {
        if collect.argv.iter().any(String::is_empty) {
            out.push(("argv".into(), "`argv` holds an empty word".into()));
        }
        if collect.order.is_none() {
            out.push((
                "argv".into(),
                "a command needs `order`, its place in the run (lowest first)".into(),
            ));
        }
        let file = format!("commands/{}", collect.command_file().unwrap_or_default());
        if !native.contains(&file) {
            out.push((
                "argv".into(),
                format!("the collectors save this command as `{file}`, which `paths.native` does not name"),
            ));
        }
    }
    for (key, value) in &collect.env {
        let word = |s: &str| {
            !s.is_empty() && !s.contains(|c: char| c.is_whitespace() || "'\"\\$`=".contains(c))
        };
        if !word(key) || !word(value) {
            out.push((
                "env".into(),
                format!("`{key} = {value:?}`: the sh collector passes the environment as plain words (no space, quote, `$`, `=`)"),
            ));
        }
    }
    if let Some(path) = collect.only_if.as_deref().filter(|p| !p.starts_with('/')) {
        out.push((quoted(path), format!("`only_if` `{path}` is not absolute")));
    }
    for path in &collect.copy {
        let rel = path.trim_start_matches('/');
        if !path.starts_with('/') || path.contains(['*', '?', '[', '{', '<']) {
            out.push((
                quoted(path),
                format!("`copy` `{path}` is no absolute file path"),
            ));
        } else if !native.iter().any(|n| n == rel) {
            out.push((
                quoted(path),
                format!(
                    "the collectors copy `{path}` to `{rel}`, which `paths.native` does not name"
                ),
            ));
        }
    }
    out
}

fn quoted(value: &str) -> String {
    format!("\"{value}\"")
}

/// The line of the first occurrence of `needle` (line 1 when it is empty
/// or not found as written).
fn line_near(text: &str, needle: &str) -> usize {
    if needle.is_empty() {
        return 1;
    }
    text.find(needle).map_or(1, |at| line_of(text, at))
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |s| s.matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"description = "Patch states of another NMS"

[paths]
native = ["exports/nms-patches.csv"]

[collect]
how = "the NMS's patch view, exported to CSV"
"#;

    fn errors(text: &str) -> Vec<String> {
        parse_file("site/inputs/nms-patches.toml", text)
            .err()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_good_file_loads() {
        let input = parse_file("site/inputs/nms-patches.toml", GOOD).unwrap();
        assert_eq!(input.name, "nms-patches");
        assert_eq!(input.paths.native, ["exports/nms-patches.csv"]);
        assert!(input.paths.sos.is_empty());
    }

    #[test]
    fn an_unknown_key_is_an_error_at_its_line() {
        let bad = GOOD.replace("[collect]", "[collect]\ncommand = \"x\"");
        let errors = errors(&bad);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("site/inputs/nms-patches.toml:7: unknown field `command`"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn a_bad_path_is_an_error_at_its_line() {
        let bad = GOOD.replace(
            "\"exports/nms-patches.csv\"",
            "\"/exports/nms-patches.csv\"",
        );
        let errors = errors(&bad);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("site/inputs/nms-patches.toml:4: "),
            "{}",
            errors[0]
        );
        assert!(errors[0].contains("absolute"), "{}", errors[0]);
    }

    #[test]
    fn a_command_must_land_where_discovery_looks() {
        let bad = GOOD.replace(
            "how = ",
            "argv = [\"nmscli\", \"--patches\"]\norder = 20\nhow = ",
        );
        let errors = errors(&bad);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("`commands/nmscli_--patches`"),
            "{}",
            errors[0]
        );
        assert!(
            errors[0].starts_with("site/inputs/nms-patches.toml:7: "),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn a_command_needs_its_order_and_plain_environment() {
        let bad = GOOD
            .replace("exports/nms-patches.csv", "commands/nmscli")
            .replace(
                "how = ",
                "argv = [\"nmscli\"]\nenv = { TZ = \"a b\" }\nhow = ",
            );
        let errors = errors(&bad);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("`order`"), "{}", errors[0]);
        assert!(errors[1].contains("plain words"), "{}", errors[1]);
    }

    #[test]
    fn copies_land_where_discovery_looks() {
        let bad = GOOD.replace("how = ", "copy = [\"/etc/nms.conf\"]\nhow = ");
        let errors = errors(&bad);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("`etc/nms.conf`"), "{}", errors[0]);
    }

    #[test]
    fn a_file_name_is_an_input_name() {
        let errors: Vec<String> = parse_file("site/inputs/NMS patches.toml", GOOD)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(errors[0].contains("no input name"), "{errors:?}");
    }
}
