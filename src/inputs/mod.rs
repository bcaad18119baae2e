//! The input table: one `inputs/<name>.toml` per logical input, naming
//! where each snapshot layout keeps it and how `upcheck collect` (and the
//! sh collector) obtains it. Discovery, the sosreport mapping and both
//! collectors read this one table. The built-in files are embedded in the
//! binary; a site folder given with `--rules DIR` may add its own in
//! `DIR/inputs/`. docs/inputs.md documents the format field by field.

pub mod check;
pub mod docs;
mod error;
mod load;
mod pattern;

pub use error::{InputError, LoadErrors};

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/embedded_inputs.rs"));

/// The folder of a `--rules DIR` that holds its site inputs.
pub const SITE_FOLDER: &str = "inputs";

/// One logical input, as its file declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// The file's stem: what facts ask for.
    pub name: String,
    /// Where it was declared: `embedded:inputs/<name>.toml`, or the site
    /// file's path.
    pub origin: String,
    pub description: String,
    /// Why the input is collected though no fact or rule reads it.
    pub unread: Option<String>,
    pub paths: Paths,
    pub collect: Collect,
    /// The `[table]` section of a header-named vendor table, as written;
    /// its columns are read by the table parser.
    pub table: Option<toml::Table>,
    /// The line of each `[[table.examples]]`, for messages.
    pub example_lines: Vec<usize>,
    /// The file's text, to find the line of a problem the table parser
    /// meets in `table`.
    pub source: String,
}

/// An input file as written (its name is the file's).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InputFile {
    description: String,
    unread: Option<String>,
    paths: Paths,
    collect: Collect,
    table: Option<toml::Table>,
}

/// Where each layout keeps an input, best first. A snapshot archive holds
/// a native folder or a sosreport, and is read with that layout's paths.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paths {
    /// Relative to a native node folder (`<fleet>/` for the fleet root).
    pub native: Vec<String>,
    /// Relative to a sosreport; empty when sos never holds it.
    #[serde(default)]
    pub sos: Vec<String>,
    /// Why a sosreport lacks it though `sos` names a path, and what to do
    /// instead: said in the unknown of every rule that needs it.
    pub sos_note: Option<String>,
    /// Why the copy inside an archive is not read, and what to collect
    /// instead.
    pub archive_note: Option<String>,
}

/// How `upcheck collect` and the sh collector obtain an input.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collect {
    /// How to obtain it, for people: the command, the GUI export, the copy.
    pub how: String,
    /// The command the collectors run, saved as `commands/<command line>`.
    #[serde(default)]
    pub argv: Vec<String>,
    /// The command's place in the run, lowest first (with `argv`).
    pub order: Option<u32>,
    /// Extra environment of the command (`LC_ALL = "C"`).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Run the command only where this absolute path exists.
    pub only_if: Option<String>,
    /// Absolute paths the collectors copy as they are, links followed, to
    /// the same path under the node folder.
    #[serde(default)]
    pub copy: Vec<String>,
}

impl Collect {
    /// The file of `commands/` the command's output goes to: the command
    /// line with the program's folder left out, spaces turned into `_` and
    /// `/` into `.` (the sosreport convention).
    pub fn command_file(&self) -> Option<String> {
        let (program, args) = self.argv.split_first()?;
        let program = program.rsplit('/').next().unwrap_or(program);
        let words: Vec<String> = std::iter::once(program.to_string())
            .chain(args.iter().map(|a| a.replace('/', ".")))
            .collect();
        Some(words.join("_"))
    }
}

/// Every input by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    inputs: BTreeMap<String, Input>,
}

impl Catalog {
    /// The inputs embedded in the binary.
    pub fn embedded() -> Result<Catalog, LoadErrors> {
        let files = EMBEDDED_INPUTS
            .iter()
            .map(|(file, text)| (format!("embedded:inputs/{file}"), text.to_string()));
        let mut catalog = Catalog::default();
        catalog.add_files(files.collect())?;
        Ok(catalog)
    }

    /// The built-in inputs, then those of each site folder's `inputs/`
    /// (a folder without one adds nothing). A site input may not reuse a
    /// name: that is an error naming both files.
    pub fn load(site_dirs: &[PathBuf]) -> Result<Catalog, LoadErrors> {
        let mut catalog = builtin().clone();
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for dir in site_dirs {
            match load::read_site_folder(&dir.join(SITE_FOLDER)) {
                Ok(mut more) => files.append(&mut more),
                Err(e) => errors.push(e),
            }
        }
        if let Err(LoadErrors(mut more)) = catalog.add_files(files) {
            errors.append(&mut more);
        }
        if errors.is_empty() {
            Ok(catalog)
        } else {
            Err(LoadErrors(errors))
        }
    }

    /// Parses each `(origin, text)` file and adds its input.
    fn add_files(&mut self, files: Vec<(String, String)>) -> Result<(), LoadErrors> {
        let mut errors = Vec::new();
        for (origin, text) in files {
            match load::parse_file(&origin, &text) {
                Ok(input) => {
                    if let Some(old) = self.inputs.get(&input.name) {
                        errors.push(InputError::Duplicate {
                            name: input.name.clone(),
                            first: old.origin.clone(),
                            second: origin,
                        });
                        continue;
                    }
                    self.inputs.insert(input.name.clone(), input);
                }
                Err(mut problems) => errors.append(&mut problems),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(LoadErrors(errors))
        }
    }

    pub fn get(&self, name: &str) -> Option<&Input> {
        self.inputs.get(name)
    }

    /// Every input, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Input> {
        self.inputs.values()
    }

    /// The inputs the collectors run a command for, in run order.
    pub fn commands(&self) -> Vec<&Input> {
        let mut commands: Vec<&Input> =
            self.iter().filter(|i| !i.collect.argv.is_empty()).collect();
        commands.sort_by_key(|i| (i.collect.order, i.name.clone()));
        commands
    }

    /// Every absolute path the collectors copy, by input name.
    pub fn copied_files(&self) -> Vec<&str> {
        self.iter()
            .flat_map(|i| i.collect.copy.iter().map(String::as_str))
            .collect()
    }
}

/// The built-in table. The embedded files are checked by the test suite
/// (`embedded_inputs_load`), so they always load.
pub fn builtin() -> &'static Catalog {
    static BUILTIN: OnceLock<Catalog> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        Catalog::embedded().unwrap_or_else(|e| panic!("the embedded input table is broken: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_inputs_load() {
        let catalog = Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
        assert!(catalog.get("ntpq").is_some());
        assert_eq!(
            catalog.get("hwclock").unwrap().collect.command_file(),
            Some("hwclock_--show".to_string())
        );
    }

    #[test]
    fn the_clock_commands_run_first_hwclock_then_date() {
        let names: Vec<&str> = builtin()
            .commands()
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        assert_eq!(names[..2], ["hwclock", "date"]);
    }

    #[test]
    fn the_command_file_keeps_the_program_name_and_dots_slashes() {
        let collect = |argv: &[&str]| Collect {
            how: String::new(),
            argv: argv.iter().map(ToString::to_string).collect(),
            order: Some(1),
            env: BTreeMap::new(),
            only_if: None,
            copy: vec![],
        };
        assert_eq!(
            collect(&["/opt/camiant/bin/qpSSHKeyProv.pl", "--check"]).command_file(),
            Some("qpSSHKeyProv.pl_--check".into())
        );
        assert_eq!(
            collect(&["ls", "-lR", "/var/camiant"]).command_file(),
            Some("ls_-lR_.var.camiant".into())
        );
        assert_eq!(collect(&[]).command_file(), None);
    }

    #[test]
    fn a_site_input_reusing_a_built_in_name_names_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let inputs = dir.path().join(SITE_FOLDER);
        std::fs::create_dir(&inputs).unwrap();
        std::fs::write(
            inputs.join("ntpq.toml"),
            "description = \"mine\"\n[paths]\nnative = [\"exports/mine.txt\"]\n[collect]\nhow = \"by hand\"\n",
        )
        .unwrap();
        let err = Catalog::load(&[dir.path().to_path_buf()]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("embedded:inputs/ntpq.toml"), "{text}");
        assert!(
            text.contains(&inputs.join("ntpq.toml").display().to_string()),
            "{text}"
        );
    }

    #[test]
    fn a_site_input_is_added_after_the_built_in_ones() {
        let dir = tempfile::tempdir().unwrap();
        let inputs = dir.path().join(SITE_FOLDER);
        std::fs::create_dir(&inputs).unwrap();
        std::fs::write(
            inputs.join("nms-patches.toml"),
            "description = \"Patch states of another NMS\"\n[paths]\nnative = [\"exports/nms-patches.csv\"]\n[collect]\nhow = \"NMS export\"\n",
        )
        .unwrap();
        let catalog = Catalog::load(&[dir.path().to_path_buf()]).unwrap();
        let site = catalog.get("nms-patches").unwrap();
        assert_eq!(site.paths.native, ["exports/nms-patches.csv"]);
        assert!(catalog.get("ntpq").is_some());
        // A rules folder without inputs/ adds nothing.
        let bare = tempfile::tempdir().unwrap();
        assert_eq!(
            Catalog::load(&[bare.path().to_path_buf()]).unwrap(),
            *builtin()
        );
    }
}
