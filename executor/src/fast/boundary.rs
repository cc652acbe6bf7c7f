//! Boundary hashes on the fast path (`docs/machine.md` §9): the state hash of a canonical
//! yielded or halted boundary from wasmtime's own memory, mutable globals, dropped data
//! segments, input and output, without the VM. Incremental: memory is kept as a shadow copy
//! whose changed 32-byte leaves alone are rehashed ([`MemoryTree`]), the output chain folds only
//! new blocks ([`OutputTracker`]), the globals and segments roots are recomputed only when a
//! value or a flag changed.

use super::FastInstance;
use crate::{Error, Result};
use opml_vm::commit::{Boundary, MemoryTree, OutputTracker, globals_root, input_commitment};
use opml_vm::{B256, BoundaryParts, Machine, Program, StateFields, Status};
use std::sync::Arc;
use wasmtime::{Extern, Memory, Val};

/// Computes the boundary hashes of one run of one program on one input.
#[derive(Debug)]
pub struct BoundaryHasher {
    program: Arc<Program>,
    memory: MemoryTree,
    input: (B256, u32),
    output: OutputTracker,
    /// The last globals and their root.
    globals: Option<(Vec<u64>, B256)>,
    /// The last dropped segments and their root.
    segments: Option<(Vec<u32>, B256)>,
}

impl BoundaryHasher {
    /// A hasher for `program` (loaded with `Entry::Main`: its code, segment `pc` and `Halt` are
    /// part of every boundary) run on `input`.
    pub fn new(program: Arc<Program>, input: &[u8]) -> Self {
        Self {
            program,
            memory: MemoryTree::default(),
            input: input_commitment(input),
            output: OutputTracker::default(),
            globals: None,
            segments: None,
        }
    }

    /// The state hash of `instance` standing at a boundary with `status` (yielded between two
    /// `segment` calls, or halted after the entry returned). Calls must follow the run: memory,
    /// output and dropped segments are compared with the last call's.
    pub fn hash(&mut self, instance: &mut FastInstance, status: Status) -> Result<B256> {
        Ok(self.fields(instance, status)?.hash())
    }

    /// The state fields of `instance` standing at a boundary with `status`, as
    /// [`BoundaryHasher::hash`] hashes them (`.hash()` is the hash): what a submitter posts as
    /// the final state of a halted run.
    pub fn fields(&mut self, instance: &mut FastInstance, status: Status) -> Result<StateFields> {
        let (globals, dropped) = read_globals(instance)?;
        let globals_root = match &self.globals {
            Some((last, root)) if *last == globals => *root,
            _ => {
                let root = globals_root(&globals);
                self.globals = Some((globals, root));
                root
            }
        };
        let segments_root = match &self.segments {
            Some((last, root)) if *last == dropped => *root,
            _ => {
                let root = self
                    .program
                    .segments_root(|i| dropped.binary_search(&(i as u32)).is_ok());
                self.segments = Some((dropped, root));
                root
            }
        };
        let memory = memory_of(instance);
        let bytes = memory.map_or(&[][..], |m| m.data(&instance.store));
        let memory_root = self.memory.update(bytes);
        let memory_pages = (bytes.len() / 65536) as u32;
        let (output_chain, output_pending, output_len) =
            self.output.update(&instance.store.data().output);
        let b = Boundary {
            status,
            memory_root,
            memory_pages,
            globals_root,
            segments_root,
            input_root: self.input.0,
            input_len: self.input.1,
            output_chain,
            output_pending,
            output_len,
        };
        self.program.boundary_fields(&b).ok_or_else(|| {
            Error::Unsupported(format!(
                "no canonical {} boundary in this program",
                status.name()
            ))
        })
    }
}

/// The VM machine of `program` on `input` standing at the boundary `instance` stands at, with
/// `status` (yielded or halted): its memory, mutable globals, dropped segments and output are
/// the instance's (`Machine::at_boundary`).
pub(crate) fn boundary_machine(
    instance: &mut FastInstance,
    program: &Arc<Program>,
    input: &[u8],
    status: Status,
) -> Result<Machine> {
    let (globals, dropped) = read_globals(instance)?;
    let memory = memory_of(instance);
    let parts = BoundaryParts {
        status,
        memory: memory.map_or(&[][..], |m| m.data(&instance.store)),
        globals: &globals,
        dropped: &dropped,
        output: &instance.store.data().output,
    };
    Machine::at_boundary(program, input, &parts)
        .map_err(|e| Error::Unsupported(format!("the fast path's boundary: {e}")))
}

/// The mutable globals' values (lowered order) and the dropped data segments (ascending), read
/// through the instrumentation's exports.
fn read_globals(instance: &mut FastInstance) -> Result<(Vec<u64>, Vec<u32>)> {
    let exports = instance.state_exports.clone().ok_or_else(|| {
        Error::Unsupported("boundaries of a module that could not be instrumented".into())
    })?;
    let mut globals = Vec::with_capacity(exports.globals.len());
    for name in &exports.globals {
        globals.push(global_bits(instance, name)?);
    }
    let mut dropped = Vec::new();
    for (seg, name) in &exports.dropped {
        if global_bits(instance, name)? != 0 {
            dropped.push(*seg);
        }
    }
    Ok((globals, dropped))
}

/// Linear memory 0, if the module has one.
fn memory_of(instance: &mut FastInstance) -> Option<Memory> {
    let name = instance.memory_export.as_deref()?;
    match instance.instance.get_export(&mut instance.store, name) {
        Some(Extern::Memory(m)) => Some(m),
        _ => None,
    }
}

/// A global's value as the machine holds it: 32-bit types zero-extended, floats as their bits.
fn global_bits(instance: &mut FastInstance, name: &str) -> Result<u64> {
    let global = instance
        .instance
        .get_global(&mut instance.store, name)
        .ok_or_else(|| Error::Engine(format!("instrumented global `{name}` missing")))?;
    match global.get(&mut instance.store) {
        Val::I32(v) => Ok(u64::from(v as u32)),
        Val::I64(v) => Ok(v as u64),
        Val::F32(bits) => Ok(u64::from(bits)),
        Val::F64(bits) => Ok(bits),
        _ => Err(Error::Unsupported(format!(
            "global `{name}` has a type outside the profile"
        ))),
    }
}
