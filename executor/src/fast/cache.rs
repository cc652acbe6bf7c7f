//! A directory of compiled modules, so that a program is compiled once per machine rather than
//! on every run (the 91 MB minilm program takes seconds to compile). An entry is wasmtime's
//! `Module::serialize`, named by the Keccak-256 of the module bytes and a hash of the engine's
//! compatibility settings (wasmtime version, configuration, host CPU features), so another
//! build or configuration never picks up a stale entry. Written to a temporary file and renamed,
//! so an entry is whole or absent; any cache failure falls back to compiling.

use sha3::{Digest, Keccak256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// Where compiled modules are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleCache {
    dir: PathBuf,
}

impl ModuleCache {
    /// A cache in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The user's cache: `$OPML_CACHE_DIR/modules`, else `$XDG_CACHE_HOME/opml/modules`, else
    /// `$HOME/.cache/opml/modules`; `None` if none of these is set.
    pub fn user() -> Option<Self> {
        let env = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let base = env("OPML_CACHE_DIR")
            .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("opml")))
            .or_else(|| env("HOME").map(|d| d.join(".cache").join("opml")))?;
        Some(Self::new(base.join("modules")))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub(super) fn entry(&self, engine: &wasmtime::Engine, wasm: &[u8]) -> PathBuf {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        let key = Keccak256::digest(wasm);
        self.dir.join(format!(
            "{}-{:016x}.cwasm",
            hex_string(&key[..16]),
            h.finish()
        ))
    }

    /// The module at `path`, if it is there and this engine accepts it.
    pub(super) fn load(engine: &wasmtime::Engine, path: &Path) -> Option<wasmtime::Module> {
        let bytes = std::fs::read(path).ok()?;
        // SAFETY: wasmtime requires the bytes to come from `Module::serialize`; entries are only
        // written by `store` below, whole (temporary file + rename), in a directory of the
        // user's own. wasmtime checks the header, its version and the engine's settings.
        unsafe { wasmtime::Module::deserialize(engine, &bytes) }.ok()
    }

    /// Stores `module` at `path`; failures are ignored (the cache is only an optimisation).
    pub(super) fn store(&self, module: &wasmtime::Module, path: &Path) {
        let Ok(bytes) = module.serialize() else {
            return;
        };
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, &bytes).is_err() || std::fs::rename(&tmp, path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
