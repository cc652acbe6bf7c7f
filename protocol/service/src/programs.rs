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
        Self::load(name, Arc::new(wasm), None)
    }

    /// [`StoredProgram::from_wasm`] with segment depth `D2` instead of the default: the depth
    /// a registration names (`fields.segmentDepth`, part of the program hash).
    pub fn with_segment_depth(name: &str, wasm: Vec<u8>, segment_depth: u8) -> Result<Self> {
        Self::load(name, Arc::new(wasm), Some(segment_depth))
    }

    /// This program loaded again with segment depth `segment_depth` (the wasm is shared).
    pub fn reloaded_with_segment_depth(&self, segment_depth: u8) -> Result<Self> {
        Self::load(&self.name, Arc::clone(&self.wasm), Some(segment_depth))
    }

    fn load(name: &str, wasm: Arc<Vec<u8>>, segment_depth: Option<u8>) -> Result<Self> {
        let mut limits = DeclaredBounds::of(&wasm)
            .map_err(|e| Error::Program(format!("{name}: {e}")))?
            .options(RunOptions::default())
            .limits;
        if let Some(d2) = segment_depth {
            if !(1..=63).contains(&d2) {
                return Err(Error::Program(format!(
                    "{name}: segment depth {d2} outside 1..=63"
                )));
            }
            limits.segment_depth = d2;
        }
        let program = Arc::new(
            Program::load(&wasm, limits).map_err(|e| Error::Program(format!("{name}: {e}")))?,
        );
        let fields = program_fields(&mut Machine::new(&program, &[]));
        let hash = program_hash(&fields);
        Ok(Self {
            name: name.to_string(),
            wasm,
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

    /// The program with registration fields `fields`, if stored. A program is stored with
    /// the default segment depth, which is part of its hash: one registered with another
    /// `segmentDepth` is found by its other fields, reloaded with that depth, kept if its hash
    /// is then the registration's, and remembered under that hash.
    pub fn by_fields(&mut self, fields: &ProgramFields) -> Option<Arc<StoredProgram>> {
        let hash = program_hash(fields);
        if let Some(p) = self.by_hash.get(&hash) {
            return Some(Arc::clone(p));
        }
        // Its fields with the registration's depth hash as the registration's.
        let same_but_depth = |p: &StoredProgram| {
            let mut f = p.fields.clone();
            f.segmentDepth = fields.segmentDepth;
            program_hash(&f) == hash
        };
        let reloaded = self
            .by_hash
            .values()
            .filter(|p| same_but_depth(p))
            .find_map(|p| {
                p.reloaded_with_segment_depth(fields.segmentDepth)
                    .ok()
                    .filter(|r| r.hash == hash)
            })?;
        let reloaded = Arc::new(reloaded);
        self.by_hash.insert(hash, Arc::clone(&reloaded));
        Some(reloaded)
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

    /// A segmented program: `segment` returns 0 at once.
    const SEGMENTED: &str =
        r#"(module (memory 1) (func (export "segment") (result i32) i32.const 0))"#;

    #[test]
    fn a_registration_with_another_segment_depth_finds_the_program_reloaded() {
        let wasm = wat::parse_str(SEGMENTED).unwrap();
        let mut store = ProgramStore::default();
        store.insert(StoredProgram::from_wasm("seg", wasm.clone()).unwrap());
        let registered = StoredProgram::with_segment_depth("seg", wasm, 26).unwrap();
        assert_eq!(registered.fields.segmentDepth, 26);
        assert_ne!(registered.hash, store.iter().next().unwrap().hash);
        let found = store
            .by_fields(&registered.fields)
            .expect("found by its other fields");
        assert_eq!(found.hash, registered.hash);
        assert_eq!(found.program.segment_depth(), 26);
        assert_eq!(store.len(), 2, "the reloaded program is remembered");
        // The default depth is still found as it was.
        let default = StoredProgram::from_wasm("seg", wat::parse_str(SEGMENTED).unwrap()).unwrap();
        assert_eq!(store.by_fields(&default.fields).unwrap().hash, default.hash);
    }

    #[test]
    fn a_registration_of_another_program_is_not_found_whatever_its_depth() {
        let mut store = ProgramStore::default();
        store.insert(StoredProgram::from_wasm("seg", wat::parse_str(SEGMENTED).unwrap()).unwrap());
        let other = r#"(module (memory 2) (func (export "segment") (result i32) i32.const 0))"#;
        let other =
            StoredProgram::with_segment_depth("o", wat::parse_str(other).unwrap(), 26).unwrap();
        assert!(store.by_fields(&other.fields).is_none());
        let seg = wat::parse_str(SEGMENTED).unwrap();
        assert!(StoredProgram::with_segment_depth("seg", seg, 64).is_err());
    }
}
