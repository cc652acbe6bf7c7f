//! Programs compiled for the fast path, once per program: the 91 MB MiniLM program takes
//! seconds to compile, a request a fraction of that to run. Compiled modules are also kept in
//! the user's compiled-module cache (`opml_executor::fast::ModuleCache`), so a restarted role
//! loads them instead of compiling again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use alloy::primitives::B256;
use opml_executor::FastProgram;
use opml_executor::fast::{FastEngine, ModuleCache};

use crate::programs::StoredProgram;
use crate::{Error, Result};

/// A slot per program, filled by its first use.
type Slot = Arc<Mutex<Option<Arc<FastProgram>>>>;

/// The fast path's engine and the programs compiled on it, by program hash.
pub(crate) struct Compiled {
    engine: FastEngine,
    programs: Mutex<HashMap<B256, Slot>>,
}

impl Compiled {
    /// An engine on the user's compiled-module cache (when there is one), nothing compiled.
    pub(crate) fn new() -> Result<Self> {
        Ok(Self::with_engine(match ModuleCache::user() {
            Some(cache) => FastEngine::new()?.with_cache(cache),
            None => FastEngine::new()?,
        }))
    }

    /// Nothing compiled yet, on `engine`.
    pub(crate) fn with_engine(engine: FastEngine) -> Self {
        Self {
            engine,
            programs: Mutex::default(),
        }
    }

    /// `prog` compiled for the fast path: compiled (or loaded from the cache) on its first use,
    /// then shared by every request, boundary run and segment. Blocking: call it off the
    /// runtime's threads.
    pub(crate) fn program(&self, prog: &StoredProgram) -> Result<Arc<FastProgram>> {
        let poisoned = || Error::Program("a lock of the compiled programs is poisoned".into());
        let slot = {
            let mut m = self.programs.lock().map_err(|_| poisoned())?;
            Arc::clone(m.entry(prog.hash).or_default())
        };
        // Held while compiling: another request for the same program waits for this one
        // rather than compiling it a second time.
        let mut slot = slot.lock().map_err(|_| poisoned())?;
        if let Some(fp) = &*slot {
            return Ok(Arc::clone(fp));
        }
        let t0 = std::time::Instant::now();
        // The role's own load of the program (its roots already computed) is shared.
        let fp = FastProgram::with_program(&self.engine, &prog.wasm, Arc::clone(&prog.program))?;
        let fp = Arc::new(fp);
        tracing::info!(
            program = %prog.name,
            from_cache = fp.from_cache(),
            secs = t0.elapsed().as_secs_f64(),
            "program compiled for the fast path"
        );
        *slot = Some(Arc::clone(&fp));
        Ok(fp)
    }

    /// Programs compiled so far.
    #[cfg(test)]
    pub(crate) fn count(&self) -> usize {
        self.programs.lock().map_or(0, |m| {
            m.values()
                .filter(|s| s.lock().is_ok_and(|s| s.is_some()))
                .count()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = r#"(module (global $n (mut i32) (i32.const 0))
        (func (export "segment") (result i32)
            global.get $n i32.const 1 i32.add global.set $n
            global.get $n i32.const 2 i32.lt_u))"#;

    #[test]
    fn a_program_is_compiled_once_and_shared() {
        let compiled = Compiled::with_engine(FastEngine::new().unwrap());
        let wasm = wat::parse_str(TWO).unwrap();
        let prog = StoredProgram::with_segment_depth("two", wasm.clone(), 8).unwrap();
        let a = compiled.program(&prog).unwrap();
        let b = compiled.program(&prog).unwrap();
        assert!(Arc::ptr_eq(&a, &b), "the first compile, reused");
        assert!(
            Arc::ptr_eq(a.program(), &prog.program),
            "the role's load, shared"
        );
        assert_eq!(compiled.count(), 1);
        // Another registration of the same code (another hash) is another program.
        let other = StoredProgram::with_segment_depth("two", wasm, 9).unwrap();
        let c = compiled.program(&other).unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(c.program().segment_depth(), 9);
        assert_eq!(compiled.count(), 2);
    }
}
