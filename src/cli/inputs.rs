//! `upcheck inputs list|check`: the input table, built-in and site.

use super::args::Format;
use super::{Error, Exit, Outcome, emit, load_catalog};
use crate::inputs::{self, Catalog, Input, check};
use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum InputsCommand {
    /// List the inputs: description, paths per layout, how each is collected.
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Add the site inputs of DIR/inputs/.
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
    /// Check the input table: every file loads (valid paths, commands and
    /// copies landing where discovery looks), no two inputs claim one
    /// path, every input is read by a fact or a rule, every table's
    /// examples give their rows.
    Check {
        /// Add the site inputs of DIR/inputs/ (and the rules of DIR).
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
}

pub(super) fn run(command: InputsCommand) -> Outcome {
    match command {
        InputsCommand::List { format, rules } => list(format, &rules),
        InputsCommand::Check { rules } => check(&rules),
    }
}

/// The built-in inputs and those of the site folders; a broken site file
/// is a usage error (exit 2) naming its file and line.
pub(super) fn load_inputs(dirs: &[PathBuf]) -> Result<Catalog, Error> {
    Catalog::load(dirs).map_err(|errors| {
        for e in &errors.0 {
            eprintln!("error: {e}");
        }
        Error::Inputs
    })
}

fn list(format: Format, dirs: &[PathBuf]) -> Outcome {
    let table = load_inputs(dirs)?;
    let text = match format {
        Format::Json => {
            let list: Vec<serde_json::Value> = table.iter().map(input_json).collect();
            let mut t = serde_json::to_string_pretty(&list).unwrap_or_default();
            t.push('\n');
            t
        }
        Format::Table => {
            let mut out = comfy_table::Table::new();
            out.load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
                .set_header(["input", "description", "native", "sosreport", "collected"]);
            for input in table.iter() {
                out.add_row([
                    input.name.clone(),
                    input.description.clone(),
                    input.paths.native.join("\n"),
                    input.paths.sos.join("\n"),
                    collected(input),
                ]);
            }
            format!("{out}\n{} input(s)\n", table.iter().count())
        }
    };
    emit(&text, None)?;
    Ok(Exit::Clean)
}

/// How the collectors obtain an input: the command they run, the files
/// they copy, else the way to obtain it by hand.
fn collected(input: &Input) -> String {
    let c = &input.collect;
    if !c.argv.is_empty() {
        let mut line = c.argv.join(" ");
        if let Some(path) = &c.only_if {
            line.push_str(&format!(" (where {path} exists)"));
        }
        return line;
    }
    if !c.copy.is_empty() {
        return format!("copy {}", c.copy.join(", "));
    }
    format!("by hand: {}", c.how)
}

fn input_json(input: &Input) -> serde_json::Value {
    let c = &input.collect;
    json!({
        "name": input.name,
        "description": input.description,
        "origin": input.origin,
        "paths": {
            "native": input.paths.native,
            "sos": input.paths.sos,
            "sos_note": input.paths.sos_note,
            "archive_note": input.paths.archive_note,
        },
        "collect": {
            "how": c.how,
            "argv": c.argv,
            "file": c.command_file().map(|f| format!("commands/{f}")),
            "order": c.order,
            "env": c.env,
            "only_if": c.only_if,
            "copy": c.copy,
        },
        "unread": input.unread,
    })
}

/// Exit 0 when clean, else 2, as `rules check`.
fn check(dirs: &[PathBuf]) -> Outcome {
    let table = match Catalog::load(dirs) {
        Ok(t) => t,
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("error: {e}");
            }
            let _ = emit(
                &format!("input table: {} error(s) loading\n", errors.0.len()),
                None,
            );
            return Ok(Exit::Errors);
        }
    };
    let rules = load_catalog(dirs)?;
    let findings = check::run(&check::Context {
        inputs: &table,
        rules: &rules,
    });
    for f in &findings {
        eprintln!("{f}");
    }
    let summary = format!(
        "{} input(s) checked, {} check(s): {} error(s)\n",
        table.iter().count(),
        inputs::check::CHECKS.len(),
        findings.len()
    );
    emit(&summary, None)?;
    Ok(if findings.is_empty() {
        Exit::Clean
    } else {
        Exit::Errors
    })
}
