//! `upcheck init [DIR]`: a commented upcheck.toml and plan.toml to start a
//! fleet folder from. Every active key holds its default, every other key
//! is an example to uncomment; tests/it/init.rs loads both as written and
//! with every example uncommented.

use super::output::write_atomically;
use super::{Error, Exit, Outcome};
use crate::policy::CONFIG_FILE;
use crate::snapshot::{PLAN_FILE, is_node_dir};
use std::path::{Path, PathBuf};

pub const UPCHECK_TOML: &str = include_str!("init/upcheck.toml");
pub const PLAN_TOML: &str = include_str!("init/plan.toml");

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// The fleet folder to write them in (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite an upcheck.toml or plan.toml that is already there.
    #[arg(long)]
    pub force: bool,
}

pub(super) fn init(args: InitArgs) -> Outcome {
    let dir = &args.dir;
    // Policy inside a node snapshot is the snapshot's, never read.
    if is_node_dir(dir) {
        return Err(Error::Usage(format!(
            "{} is a node snapshot, whose upcheck.toml and plan.toml are never read; \
             give the fleet folder that holds it",
            dir.display()
        )));
    }
    let files = [(CONFIG_FILE, UPCHECK_TOML), (PLAN_FILE, PLAN_TOML)];
    let existing: Vec<String> = files
        .iter()
        .map(|(name, _)| dir.join(name))
        .filter(|path| path.exists())
        .map(|path| path.display().to_string())
        .collect();
    if !existing.is_empty() && !args.force {
        let verb = if existing.len() == 1 {
            "exists"
        } else {
            "exist"
        };
        return Err(Error::Usage(format!(
            "{} {verb}: nothing written (give --force to overwrite)",
            existing.join(" and ")
        )));
    }
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.clone(),
        source,
    })?;
    for (name, text) in files {
        write(&dir.join(name), text)?;
    }
    eprintln!(
        "upcheck: edit them, then run `upcheck check {}` (with -v to see them loaded)",
        dir.display()
    );
    Ok(Exit::Clean)
}

fn write(path: &Path, text: &str) -> Result<(), Error> {
    write_atomically(path, |out| out.write_all(text.as_bytes())).map_err(|source| {
        Error::Write {
            path: path.to_path_buf(),
            source,
        }
    })?;
    eprintln!("upcheck: wrote {}", path.display());
    Ok(())
}
