//! `upcheck collect`: a native snapshot of the Linux host it runs on. Runs
//! the commands of the input table (those installed), each with a timeout,
//! copies the table's files, and writes node.json. Password hashes
//! never leave the host: /etc/shadow is written as a derived file that
//! holds each account's name, hash scheme and ages ([`shadow`]).

use serde_json::{Map, Value, json};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod script;
pub mod shadow;

pub use script::script;

use crate::snapshot::{MAX_INPUT_BYTES, NODE_MARKER};

/// The host's shadow file.
pub const SHADOW_FILE: &str = "/etc/shadow";

/// Where TPD stages the upgrade ISOs.
pub const UPGRADE_DIR: &str = "/var/TKLC/upgrade";

/// One command to run, and the file its output goes to.
struct Planned {
    file: String,
    argv: Vec<String>,
    env: Vec<(String, String)>,
    timeout: Duration,
}

/// What to collect and where.
pub struct Options {
    pub out: PathBuf,
    /// node.json fields given on the command line (site, cluster, role…).
    pub identity: Map<String, Value>,
    pub timeout: Duration,
    /// Timeout of one `md5sum` of a staged ISO.
    pub hash_timeout: Duration,
    pub hash_iso: bool,
    /// The folder whose ISOs --hash-iso hashes ([`UPGRADE_DIR`]).
    pub upgrade_dir: PathBuf,
    /// The shadow file to derive etc/shadow from ([`SHADOW_FILE`]).
    pub shadow_file: PathBuf,
    /// The input table whose commands run and files are copied: the
    /// built-in inputs and those of the `--rules` folders.
    pub inputs: crate::inputs::Catalog,
}

/// What one run did, for the summary line and the tests.
#[derive(Debug, Default)]
pub struct Summary {
    pub commands_run: usize,
    pub commands_absent: Vec<String>,
    pub commands_failed: Vec<String>,
    pub files_copied: usize,
}

/// Why a snapshot could not be written or packed (the commands it runs
/// may fail: that is recorded in the snapshot, not an error).
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("{} is not empty: collect writes a fresh snapshot", .0.display())]
    NotEmpty(PathBuf),
    /// A file or folder of the snapshot, or the archive packed from it.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: no folder name to pack under", .0.display())]
    NoName(PathBuf),
}

impl CollectError {
    fn io(path: &Path) -> impl Fn(std::io::Error) -> CollectError + Copy + '_ {
        move |source| CollectError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Writes the snapshot under `options.out` (created; must be empty or new).
pub fn collect(options: &Options) -> Result<Summary, CollectError> {
    let out = &options.out;
    if out.exists()
        && std::fs::read_dir(out)
            .map_err(CollectError::io(out))?
            .next()
            .is_some()
    {
        return Err(CollectError::NotEmpty(out.clone()));
    }
    let write = |rel: &str, bytes: &[u8]| {
        let path = out.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(CollectError::io(parent))?;
        }
        std::fs::write(&path, bytes).map_err(CollectError::io(&path))
    };
    let mut summary = Summary::default();
    let collected_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let table = &options.inputs;
    for planned in planned_runs(table, options) {
        run_one(planned, &write, &mut summary)?;
    }
    for path in table.copied_files() {
        if let Some(bytes) = read_small(Path::new(path)) {
            write(path.trim_start_matches('/'), &bytes)?;
            summary.files_copied += 1;
        }
    }
    if let Some(bytes) = read_small(&options.shadow_file) {
        let text = String::from_utf8_lossy(&bytes);
        write("etc/shadow", shadow::derive(&text).as_bytes())?;
        summary.files_copied += 1;
    }
    let identity = identity(options, collected_at);
    write(
        NODE_MARKER,
        format!("{:#}\n", Value::Object(identity)).as_bytes(),
    )?;
    Ok(summary)
}

/// The commands of the input table whose `only_if` holds, then with
/// --hash-iso one md5sum per staged ISO.
fn planned_runs(table: &crate::inputs::Catalog, options: &Options) -> Vec<Planned> {
    let mut runs: Vec<Planned> = table
        .commands()
        .into_iter()
        .map(|input| &input.collect)
        .filter(|c| c.only_if.as_deref().is_none_or(|p| Path::new(p).exists()))
        .map(|c| Planned {
            file: c.command_file().unwrap_or_default(),
            argv: c.argv.clone(),
            env: c.env.clone().into_iter().collect(),
            timeout: options.timeout,
        })
        .collect();
    if options.hash_iso {
        let mut isos = staged_isos(&options.upgrade_dir);
        if isos.is_empty() {
            // As an unmatched shell glob runs it: md5sum's "No such file or
            // directory" about the pattern records that no image is staged,
            // which 20006 and 20031 judge (no output would leave them unknown).
            isos.push(format!("{}/*.iso", options.upgrade_dir.display()));
        }
        for iso in isos {
            runs.push(Planned {
                file: format!("md5sum_{}", iso.replace('/', ".")),
                argv: vec!["md5sum".into(), iso],
                env: vec![],
                timeout: options.hash_timeout,
            });
        }
    }
    runs
}

/// Runs one command when it is installed, and writes its output and status.
fn run_one(
    planned: Planned,
    write: &impl Fn(&str, &[u8]) -> Result<(), CollectError>,
    summary: &mut Summary,
) -> Result<(), CollectError> {
    let Planned {
        file,
        argv,
        env,
        timeout,
    } = planned;
    if find_program(&argv[0]).is_none() {
        summary.commands_absent.push(argv.join(" "));
        return Ok(());
    }
    let ran = run(&argv, &env, timeout);
    summary.commands_run += 1;
    if ran.status != Some(0) {
        summary.commands_failed.push(argv.join(" "));
    }
    // As `2>&1` would leave it, with the error above the output: the
    // parsers read daemon and collector errors from the same file.
    if !ran.timed_out {
        let mut text = ran.stderr.clone();
        text.extend_from_slice(&ran.stdout);
        write(&format!("commands/{file}"), &text)?;
    }
    let status = json!({
        "command": argv.join(" "),
        "exit_status": ran.status,
        "timed_out": ran.timed_out,
        "timeout_s": timeout.as_secs(),
        "duration_ms": ran.elapsed.as_millis() as u64,
        "stderr": String::from_utf8_lossy(&ran.stderr),
    });
    write(
        &format!("status/{file}.json"),
        format!("{status:#}\n").as_bytes(),
    )
}

/// node.json: what this host says of itself, then the fields given on
/// the command line, which win.
fn identity(options: &Options, collected_at: String) -> Map<String, Value> {
    let mut identity = Map::new();
    if let Some(host) = hostname() {
        identity.insert("hostname".into(), json!(host));
    }
    identity.insert("platform".into(), json!("linux"));
    identity.insert("collected_at".into(), json!(collected_at));
    if let Some(kernel) = read_small(Path::new("/proc/sys/kernel/osrelease")) {
        let kernel = String::from_utf8_lossy(&kernel).trim().to_string();
        identity.insert("versions".into(), json!({ "kernel": kernel }));
    }
    identity.insert("labels".into(), json!({ "collector": "upcheck collect" }));
    if !options.identity.contains_key("collected_at") {
        // This host's own clock: it cannot show this host's skew.
        identity.insert("collected_at_clock".into(), json!("node"));
    }
    identity.extend(options.identity.clone());
    identity
}

/// Packs the node folder `dir` as `dir.tar.gz` (the folder as its top
/// entry) and removes the folder.
pub fn pack(dir: &Path) -> Result<PathBuf, CollectError> {
    let name = dir
        .file_name()
        .ok_or_else(|| CollectError::NoName(dir.to_path_buf()))?;
    let mut target = dir.as_os_str().to_owned();
    target.push(".tar.gz");
    let target = PathBuf::from(target);
    let fail = CollectError::io(&target);
    // A temporary file renamed into place: whatever sits at the target (a
    // symbolic link planted there, an old archive) is replaced, never
    // written through.
    let folder = target.parent().filter(|p| !p.as_os_str().is_empty());
    let tmp = tempfile::NamedTempFile::new_in(folder.unwrap_or(Path::new("."))).map_err(fail)?;
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        tmp,
        flate2::Compression::default(),
    ));
    // Links in the folder are archived as links, not as what they name.
    tar.follow_symlinks(false);
    tar.append_dir_all(name, dir).map_err(fail)?;
    let tmp = tar.into_inner().map_err(fail)?.finish().map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(fail)?;
    }
    tmp.persist(&target).map_err(|e| fail(e.error))?;
    std::fs::remove_dir_all(dir).map_err(CollectError::io(dir))?;
    Ok(target)
}

/// A file's bytes when it exists and is within the input size limit.
fn read_small(path: &Path) -> Option<Vec<u8>> {
    let meta = std::fs::metadata(path).ok()?;
    (meta.is_file() && meta.len() <= MAX_INPUT_BYTES)
        .then(|| std::fs::read(path).ok())
        .flatten()
}

fn hostname() -> Option<String> {
    let bytes = read_small(Path::new("/proc/sys/kernel/hostname"))
        .or_else(|| read_small(Path::new("/etc/hostname")))?;
    let name = String::from_utf8_lossy(&bytes).trim().to_string();
    (!name.is_empty()).then_some(name)
}

/// The ISO images staged for the upgrade, sorted.
fn staged_isos(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let mut isos: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("iso")))
        .map(|p| p.display().to_string())
        .collect();
    isos.sort();
    isos
}

/// Folders searched after PATH: the sbin folders root's PATH has (hwclock,
/// syscheck), and those of the TPD and Policy Management tools.
const EXTRA_PATH: [&str; 4] = [
    "/usr/sbin",
    "/sbin",
    "/usr/TKLC/plat/bin",
    "/opt/camiant/bin",
];

/// The program on PATH (or the path given), else in [`EXTRA_PATH`].
fn find_program(name: &str) -> Option<PathBuf> {
    if name.contains('/') {
        return Path::new(name).is_file().then(|| PathBuf::from(name));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(EXTRA_PATH.map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

struct Ran {
    status: Option<i32>,
    timed_out: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    elapsed: Duration,
}

/// Runs a command with no input, killing it at the timeout.
fn run(argv: &[String], env: &[(String, String)], timeout: Duration) -> Ran {
    let start = Instant::now();
    let program = find_program(&argv[0]).unwrap_or_else(|| PathBuf::from(&argv[0]));
    let child = Command::new(program)
        .args(&argv[1..])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return Ran {
                status: None,
                timed_out: false,
                stdout: vec![],
                stderr: format!("{}: {e}\n", argv[0]).into_bytes(),
                elapsed: start.elapsed(),
            };
        }
    };
    // Drained on threads so that a full pipe cannot stall the command.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(p) = pipe {
                let _ = p.take(MAX_INPUT_BYTES).read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status.code(),
            Ok(None) if start.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                timed_out = true;
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => break None,
        }
    };
    Ran {
        status,
        timed_out,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        elapsed: start.elapsed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn pack_replaces_a_symlink_at_the_archive_path_instead_of_writing_through_it() {
        let dir = tempfile::tempdir().unwrap();
        let node = dir.path().join("node");
        std::fs::create_dir(&node).unwrap();
        std::fs::write(node.join("node.json"), b"{}").unwrap();
        // A link planted where the archive goes, naming a file to clobber.
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join("node.tar.gz")).unwrap();
        let packed = pack(&node).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        let meta = std::fs::symlink_metadata(&packed).unwrap();
        assert!(meta.is_file(), "{meta:?}");
        assert!(!node.exists());
    }

    /// `collect --hash-iso` of `staged` into `out`.
    fn hash_iso_options(staged: &Path, out: &Path) -> Options {
        Options {
            out: out.to_path_buf(),
            identity: Map::new(),
            timeout: Duration::from_secs(20),
            hash_timeout: Duration::from_secs(20),
            hash_iso: true,
            upgrade_dir: staged.to_path_buf(),
            shadow_file: PathBuf::from(SHADOW_FILE),
            inputs: crate::inputs::builtin().clone(),
        }
    }

    #[test]
    fn hash_iso_records_the_md5_of_each_staged_image() {
        let dir = tempfile::tempdir().unwrap();
        let staged = dir.path().join("upgrade");
        std::fs::create_dir(&staged).unwrap();
        std::fs::write(staged.join("mpe-12.1.2-x86_64.iso"), b"not really an image").unwrap();
        std::fs::write(staged.join("notes.txt"), b"not an image").unwrap();
        let out = dir.path().join("node");
        collect(&hash_iso_options(&staged, &out)).unwrap();
        let iso = staged.join("mpe-12.1.2-x86_64.iso").display().to_string();
        let file = out.join(format!("commands/md5sum_{}", iso.replace('/', ".")));
        let text = std::fs::read_to_string(&file).unwrap();
        let md5 = md5_hex(b"not really an image");
        assert_eq!(text, format!("{md5}  {iso}\n"));
        let hashed: Vec<_> = std::fs::read_dir(out.join("commands"))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("md5sum_"))
            .collect();
        assert_eq!(hashed.len(), 1, "only the .iso is hashed");
    }

    #[test]
    fn hash_iso_without_an_image_records_that_none_is_staged() {
        let dir = tempfile::tempdir().unwrap();
        let staged = dir.path().join("upgrade");
        std::fs::create_dir(&staged).unwrap();
        let out = dir.path().join("node");
        collect(&hash_iso_options(&staged, &out)).unwrap();
        let pattern = format!("{}/*.iso", staged.display());
        let file = out.join(format!("commands/md5sum_{}", pattern.replace('/', ".")));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("No such file or directory"), "{text}");
        let (nodes, _) = crate::snapshot::discover(&[out]);
        let mut facts = crate::facts::NodeFacts::new(&nodes[0]);
        assert_eq!(facts.get("staged_isos"), Ok(serde_json::json!([])));
    }

    fn md5_hex(bytes: &[u8]) -> String {
        use md5::{Digest, Md5};
        crate::model::hex(&Md5::digest(bytes))
    }

    #[test]
    fn a_command_past_its_timeout_is_killed() {
        let ran = run(
            &["sleep".into(), "5".into()],
            &[],
            Duration::from_millis(200),
        );
        assert!(ran.timed_out);
        assert!(ran.elapsed < Duration::from_secs(4));
    }

    #[test]
    fn exit_status_and_stderr_are_kept() {
        let ran = run(
            &["ls".into(), "/no/such/folder".into()],
            &[("LC_ALL".into(), "C".into())],
            Duration::from_secs(10),
        );
        assert_ne!(ran.status, Some(0));
        assert!(String::from_utf8_lossy(&ran.stderr).contains("No such file"));
    }
}
