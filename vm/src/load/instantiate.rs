//! Instantiation: the initial memory, table, globals and data segments (docs/machine.md §4).
//!
//! Order as in wasm 2.0: active element segments, then active data segments, each in module
//! order; the first one out of bounds stops instantiation and sets the program's init trap
//! (earlier writes stay, later segments are not applied).

use super::error::{LoadError, Result};
use super::module::Module;
use crate::{Limits, TableEntry, TrapCode};

/// Pages the memory tree can hold (4 GiB).
const MAX_PAGES: u32 = 1 << 16;

/// The instantiated initial state's program-defined parts.
pub(crate) struct Instance {
    pub(crate) memory: Vec<u8>,
    pub(crate) memory_pages: u32,
    pub(crate) max_pages: u32,
    pub(crate) globals: Vec<u64>,
    pub(crate) table: Vec<Option<TableEntry>>,
    pub(crate) segments: Vec<Vec<u8>>,
    pub(crate) init_trap: Option<TrapCode>,
}

/// Instantiates `m`; `entry(f)` is `(pc, n_locals)` of defined function `f`.
pub(crate) fn instantiate(
    m: &Module<'_>,
    limits: &Limits,
    entry: &dyn Fn(u32) -> Option<(u32, u32)>,
) -> Result<Instance> {
    let (memory_pages, max_pages) = match m.memory {
        None => (0, 0),
        Some((initial, max)) => {
            let cap = limits.max_memory_pages.min(MAX_PAGES);
            let declared = max.map_or(cap, |x| u32::try_from(x).unwrap_or(u32::MAX));
            (initial, declared.min(cap).max(initial))
        }
    };
    let mut inst = Instance {
        memory: vec![0; memory_pages as usize * 65536],
        memory_pages,
        max_pages,
        globals: m
            .globals
            .iter()
            .filter(|g| g.mutable)
            .map(|g| g.value)
            .collect(),
        table: vec![None; m.table_size.unwrap_or(0) as usize],
        segments: m
            .data
            .iter()
            .map(|d| {
                if d.active.is_some() {
                    Vec::new()
                } else {
                    d.bytes.to_vec()
                }
            })
            .collect(),
        init_trap: None,
    };
    for seg in &m.elems {
        let Some(at) = seg.active else { continue };
        let mut entries = Vec::with_capacity(seg.items.len());
        for item in &seg.items {
            entries.push(match *item {
                None => None,
                Some(f) => Some(table_entry(m, f, seg.offset, entry)?),
            });
        }
        if inst.init_trap.is_some() {
            continue;
        }
        let end = u64::from(at) + entries.len() as u64;
        if end > inst.table.len() as u64 {
            inst.init_trap = Some(TrapCode::TableOutOfBounds);
            continue;
        }
        inst.table[at as usize..end as usize].copy_from_slice(&entries);
    }
    for seg in &m.data {
        let Some(at) = seg.active else { continue };
        if inst.init_trap.is_some() {
            break;
        }
        let end = u64::from(at) + seg.bytes.len() as u64;
        if end > inst.memory.len() as u64 {
            inst.init_trap = Some(TrapCode::MemoryOutOfBounds);
            break;
        }
        inst.memory[at as usize..end as usize].copy_from_slice(seg.bytes);
    }
    Ok(inst)
}

/// The table slot for function `f`: host imports cannot be placed in the table.
fn table_entry(
    m: &Module<'_>,
    f: u32,
    offset: usize,
    entry: &dyn Fn(u32) -> Option<(u32, u32)>,
) -> Result<TableEntry> {
    let (pc, n_locals) = entry(f).ok_or_else(|| {
        LoadError::unsupported(
            "host-import-reference",
            offset,
            "a host import in the table",
        )
    })?;
    let ty = m.func_types.get(f as usize).copied();
    let type_id = ty.and_then(|t| m.type_ids.get(t as usize).copied());
    let type_id = type_id.ok_or_else(|| LoadError::invalid(offset, "unknown function"))?;
    Ok(TableEntry {
        type_id,
        pc,
        n_locals,
    })
}
