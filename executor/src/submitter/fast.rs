//! The fast path behind the roles: wasmtime with the VM's determinism settings.

use opml_protocol::agent::FastPath;

use crate::fast::FastEngine;
use crate::{Entry, RunOptions, RunStatus, run_fast};

/// [`FastPath`] over one wasmtime engine.
pub struct WasmtimeFastPath {
    engine: FastEngine,
}

impl std::fmt::Debug for WasmtimeFastPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WasmtimeFastPath")
    }
}

impl WasmtimeFastPath {
    /// Builds the engine once.
    pub fn new() -> crate::Result<Self> {
        Ok(Self {
            engine: FastEngine::new()?,
        })
    }
}

impl FastPath for WasmtimeFastPath {
    fn output(
        &self,
        wasm: &[u8],
        input: &[u8],
        max_steps: u64,
    ) -> opml_protocol::Result<Option<Vec<u8>>> {
        // Fuel only approximates VM steps: allow slack; the VM replay decides near the bound.
        let opts = RunOptions {
            max_steps: max_steps.saturating_mul(4),
            ..RunOptions::default()
        };
        let sub = run_fast(&self.engine, wasm, input, &Entry::Main, &opts)
            .map_err(|e| opml_protocol::Error::Program(e.to_string()))?;
        Ok((sub.status == RunStatus::Halted).then_some(sub.output))
    }
}
