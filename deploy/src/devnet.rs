//! The local devnet: anvil from the bootstrapped toolchain, the contracts deployed with the
//! devnet profile, programs registered with a depth that covers their sample run.

use std::path::{Path, PathBuf};

use alloy::node_bindings::{Anvil, AnvilInstance};
use alloy::primitives::B256;
use alloy::providers::DynProvider;
use opml_bindings::oracle::IOpMLOracle;
use opml_service::chain::{provider, signer_from_key};
use opml_service::programs::StoredProgram;

use crate::contracts::{self, Deployment};
use crate::{Error, Result};

/// The anvil binary: `$OPML_ANVIL`, else `.tools/bin/anvil` in this or a parent directory.
pub fn anvil_path() -> Result<PathBuf> {
    if let Ok(p) = std::env::var("OPML_ANVIL") {
        return Ok(p.into());
    }
    let mut dir = std::env::current_dir().map_err(|e| Error::Io {
        path: ".".into(),
        source: e,
    })?;
    loop {
        let p = dir.join(".tools/bin/anvil");
        if p.is_file() {
            return Ok(p);
        }
        if !dir.pop() {
            return Err(Error::Anvil(
                "anvil not found: run scripts/bootstrap.sh (it installs .tools/bin/anvil) or set OPML_ANVIL"
                    .into(),
            ));
        }
    }
}

/// Starts anvil on `port` (any free one when `None`), a block every `block_time` seconds
/// (0: a block per transaction).
pub fn start_anvil(port: Option<u16>, block_time: u64) -> Result<AnvilInstance> {
    let mut a = Anvil::new().path(anvil_path()?);
    if let Some(p) = port {
        a = a.port(p);
    }
    if block_time > 0 {
        a = a.block_time(block_time);
    }
    a.try_spawn()
        .map_err(|e| Error::Anvil(format!("starting anvil: {e}")))
}

/// Anvil account `i`'s key as hex (`0x…`): a public test key, for local chains only.
pub fn anvil_key(anvil: &AnvilInstance, i: usize) -> String {
    format!("0x{}", alloy::hex::encode(anvil.keys()[i].to_bytes()))
}

/// A sample input for a program, when the guest ships one (`guests/<name>/testdata/sample.bin`
/// beside `guests/wasm/<name>.wasm`; a `-f32` variant shares its base model's sample).
pub fn sample_input(wasm: &Path) -> Vec<u8> {
    let stem = file_stem(wasm);
    let base = stem.trim_end_matches("-f32");
    let root = wasm
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."));
    std::fs::read(root.join(base).join("testdata/sample.bin")).unwrap_or_default()
}

/// Every `.wasm` file in `dir`, sorted.
pub fn wasm_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::Io {
        path: dir.into(),
        source: e,
    })?;
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
        .collect();
    v.sort();
    Ok(v)
}

/// A program's name: its file stem.
pub fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Loads the program in `path` (named after its file).
pub fn load_program(path: &Path) -> Result<StoredProgram> {
    let wasm = std::fs::read(path).map_err(|e| Error::Io {
        path: path.into(),
        source: e,
    })?;
    Ok(StoredProgram::from_wasm(&file_stem(path), wasm)?)
}

/// A program the devnet registered.
#[derive(Debug, Clone)]
pub struct Registered {
    /// Its name (file stem).
    pub name: String,
    /// Its program id.
    pub id: B256,
    /// Steps of its run on the sample input.
    pub steps: u64,
    /// The trace depth it was registered with.
    pub depth: u8,
}

/// Deploys to `anvil` with the devnet profile (`params` applied) as account 0, tells
/// `on_deployed` (before the registrations, which run each program), and registers each
/// program with the least depth covering twice its sample run.
pub async fn deploy_and_register(
    anvil: &AnvilInstance,
    params: IOpMLOracle::Config,
    programs: &[PathBuf],
    on_deployed: impl FnOnce(&Deployment),
) -> Result<(DynProvider, Deployment, Vec<Registered>)> {
    let p = provider(&anvil.endpoint(), signer_from_key(&anvil_key(anvil, 0))?)?;
    let d = contracts::deploy(&p, params).await?;
    on_deployed(&d);
    let mut out = Vec::new();
    for path in programs {
        let prog = load_program(path)?;
        let (steps, depth) = contracts::depth_for_run(&prog, &sample_input(path));
        let uri = format!("file:{}", path.display());
        let id = contracts::register(&p, d.oracle, &prog, depth, &uri).await?;
        out.push(Registered {
            name: prog.name.clone(),
            id,
            steps,
            depth,
        });
    }
    Ok((p, d, out))
}
