//! Finding the compiled verifier (forge artifacts in `contracts/out/`), building it when it is
//! missing or older than its sources. Never silently skips: a failure says how to fix it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::SystemTime;

use crate::{Error, Result, repo_root};

/// The contracts the step verifier deploys, in constructor order of `StepVerifier`: the group
/// contracts of the opcode table (`opml_vm::isa::GROUPS`), in opcode order.
pub fn groups() -> impl Iterator<Item = &'static str> {
    opml_vm::isa::GROUPS.iter().map(|g| g.contract)
}
/// The dispatcher.
pub const DISPATCHER: &str = "StepVerifier";
/// The test harness over `MachineState` (program id, `S_0`, final-state checks).
pub const STATE_HARNESS: &str = "MachineStateHarness";
/// The batched harness over the verifier's float code (`floatcheck`).
pub const FLOAT_HARNESS: &str = "FloatHarness";
/// Every artifact this crate deploys; a build must produce them all.
fn all() -> impl Iterator<Item = &'static str> {
    groups().chain([DISPATCHER, STATE_HARNESS, FLOAT_HARNESS])
}
/// Sources the artifacts are built from: directories (searched recursively) and the harnesses.
const SOURCES: [&str; 4] = [
    "contracts/src/lib",
    "contracts/src/verifier",
    "contracts/test/verifier/MachineStateHarness.sol",
    "contracts/test/verifier/FloatHarness.sol",
];

const HOW: &str =
    "build them with `scripts/bootstrap.sh && (cd contracts && ../.tools/bin/forge build)`";

/// Serialises builds within this process (tests run in parallel threads).
static BUILD: Mutex<()> = Mutex::new(());

/// Path of the forge artifact of contract `name` (source file `name.sol`).
pub fn artifact_path(name: &str) -> PathBuf {
    repo_root()
        .join("contracts/out")
        .join(format!("{name}.sol"))
        .join(format!("{name}.json"))
}

/// Creation bytecode of `name`, building the contracts first when needed.
pub fn creation_code(name: &str) -> Result<Vec<u8>> {
    ensure_built()?;
    let path = artifact_path(name);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::Artifact(format!("{}: {e}; {HOW}", path.display())))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::Artifact(format!("{}: {e}", path.display())))?;
    let hex_code = json["bytecode"]["object"]
        .as_str()
        .ok_or_else(|| Error::Artifact(format!("{}: no bytecode.object", path.display())))?;
    hex::decode(hex_code.trim_start_matches("0x"))
        .map_err(|e| Error::Artifact(format!("{}: bad hex: {e}", path.display())))
}

/// Builds the contracts if an artifact is missing or older than a verifier source file.
pub fn ensure_built() -> Result<()> {
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    if !stale()? {
        return Ok(());
    }
    let root = repo_root();
    // Other test processes (nextest runs one per test) may want the same build: one at a time.
    let lock_path = root.join("target/.stepcheck-forge.lock");
    let _ = std::fs::create_dir_all(root.join("target"));
    let lock = std::fs::File::create(&lock_path)
        .map_err(|e| Error::Io(lock_path.display().to_string(), e))?;
    lock.lock()
        .map_err(|e| Error::Io(lock_path.display().to_string(), e))?;
    if !stale()? {
        return Ok(());
    }
    let forge = root.join(".tools/bin/forge");
    if !forge.exists() {
        run(
            Command::new(root.join("scripts/bootstrap.sh")).current_dir(&root),
            "scripts/bootstrap.sh",
        )?;
    }
    run(
        Command::new(&forge)
            .arg("build")
            .current_dir(root.join("contracts")),
        "forge build",
    )?;
    // forge skips unchanged sources (by content): mark the artifacts current so that a touched
    // but unchanged source does not rebuild on every run.
    let now = SystemTime::now();
    for name in all() {
        match std::fs::File::options()
            .append(true)
            .open(artifact_path(name))
        {
            Ok(f) => {
                let _ = f.set_modified(now);
            }
            Err(_) => {
                return Err(Error::Artifact(format!(
                    "{name} still missing after forge build; {HOW}"
                )));
            }
        }
    }
    Ok(())
}

fn run(cmd: &mut Command, what: &str) -> Result<()> {
    let out = cmd
        .output()
        .map_err(|e| Error::Artifact(format!("running {what}: {e}; {HOW}")))?;
    if !out.status.success() {
        return Err(Error::Artifact(format!(
            "{what} failed ({}): {}{}; {HOW}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(())
}

/// Whether some artifact is missing or older than the newest verifier source.
fn stale() -> Result<bool> {
    let root = repo_root();
    let mut newest_src = SystemTime::UNIX_EPOCH;
    for src in SOURCES {
        newest_src = newest_src.max(newest_in(&root.join(src))?);
    }
    for name in all() {
        match std::fs::metadata(artifact_path(name)).and_then(|m| m.modified()) {
            Ok(t) if t >= newest_src => {}
            _ => return Ok(true),
        }
    }
    Ok(false)
}

/// The newest modification time of `path`, or of any file below it when it is a directory.
fn newest_in(path: &Path) -> Result<SystemTime> {
    let meta = std::fs::metadata(path).map_err(|e| Error::Io(path.display().to_string(), e))?;
    let mut newest = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    if meta.is_dir() {
        let entries =
            std::fs::read_dir(path).map_err(|e| Error::Io(path.display().to_string(), e))?;
        for entry in entries.flatten() {
            newest = newest.max(newest_in(&entry.path())?);
        }
    }
    Ok(newest)
}
