//! The local program store: the wasm programs a role can run, keyed by program hash, and the
//! on-chain program ids (which add `D` and the metadata URI) resolved to them on demand.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use alloy::primitives::B256;
use opml_executor::{DeclaredBounds, RunOptions};
use opml_vm::{Machine, Program};

use crate::{Error, Result};
use opml_bindings::oracle::OpMLOracle::ProgramFields;
use opml_bindings::state::{program_fields, program_hash};

/// One program the role can run.
#[derive(Debug, Clone)]
pub struct StoredProgram {
    /// A name for logs (the file stem).
    pub name: String,
    /// The wasm bytes (for the fast path).
    pub wasm: Arc<Vec<u8>>,
    /// The loaded program (for the VM).
    pub program: Arc<Program>,
    /// Its registration fields.
    pub fields: ProgramFields,
    /// `programHash(fields)`.
    pub hash: B256,
}

impl StoredProgram {
    /// Loads `wasm` with the limits every party uses: the defaults, but the memory maximum the
    /// program itself declares (a model's weights may need more pages than the default).
    pub fn from_wasm(name: &str, wasm: Vec<u8>) -> Result<Self> {
        let limits = DeclaredBounds::of(&wasm)
            .map_err(|e| Error::Program(format!("{name}: {e}")))?
            .options(RunOptions::default())
            .limits;
        let program = Arc::new(
            Program::load(&wasm, limits).map_err(|e| Error::Program(format!("{name}: {e}")))?,
        );
        let fields = program_fields(&mut Machine::new(&program, &[]));
        let hash = program_hash(&fields);
        Ok(Self {
            name: name.to_string(),
            wasm: Arc::new(wasm),
            program,
            fields,
            hash,
        })
    }
}

/// Programs by hash.
#[derive(Debug, Clone, Default)]
pub struct ProgramStore {
    by_hash: HashMap<B256, Arc<StoredProgram>>,
}

impl ProgramStore {
    /// Loads each `.wasm` file given, or every `.wasm` file in each directory given.
    pub fn load(paths: &[impl AsRef<Path>]) -> Result<Self> {
        let mut s = Self::default();
        for p in paths {
            let p = p.as_ref();
            let files: Vec<_> = if p.is_dir() {
                let rd = std::fs::read_dir(p)
                    .map_err(|e| Error::Config(format!("{}: {e}", p.display())))?;
                let mut v: Vec<_> = rd
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|f| f.extension().is_some_and(|x| x == "wasm"))
                    .collect();
                v.sort();
                v
            } else {
                vec![p.to_path_buf()]
            };
            for f in files {
                let wasm = std::fs::read(&f)
                    .map_err(|e| Error::Config(format!("{}: {e}", f.display())))?;
                let name = f
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                s.insert(StoredProgram::from_wasm(&name, wasm)?);
            }
        }
        Ok(s)
    }

    /// Adds a program.
    pub fn insert(&mut self, p: StoredProgram) {
        self.by_hash.insert(p.hash, Arc::new(p));
    }

    /// The program with registration fields `fields`, if stored.
    pub fn by_fields(&self, fields: &ProgramFields) -> Option<Arc<StoredProgram>> {
        self.by_hash.get(&program_hash(fields)).cloned()
    }

    /// Every stored program.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<StoredProgram>> {
        self.by_hash.values()
    }

    /// Number of programs.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_is_loaded_with_the_memory_maximum_it_declares() {
        // More pages than the default limit (1024): a model's weights need this (MiniLM: 1,595).
        let wasm = wat::parse_str(r#"(module (memory 1 1600) (func (export "main")))"#).unwrap();
        let prog = StoredProgram::from_wasm("big", wasm).expect("loads with its own bound");
        assert_eq!(prog.name, "big");
    }
}
