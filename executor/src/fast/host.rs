//! The `opml` host interface for wasmtime (docs/machine.md §6) and the resource limiter that
//! applies the VM's [`Limits`]. Same trap conditions as the VM, checked in the same order.

use opml_vm::{Limits, TrapCode};
use std::sync::Arc;
use wasmtime::{Caller, Extern, Linker, ResourceLimiter};

/// A guest fault raised by a host function, carried through wasmtime's error as a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.spec_message())]
pub(crate) struct HostTrap(pub(crate) TrapCode);

/// Per-store state: the request input, the output so far, and the limits.
#[derive(Debug)]
pub(crate) struct HostState {
    pub(crate) input: Vec<u8>,
    pub(crate) output: Vec<u8>,
    pub(crate) limits: Limits,
    /// Export name of memory 0 (see `patch`).
    pub(crate) memory_export: Option<Arc<str>>,
}

impl ResourceLimiter for HostState {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let limit = u64::from(self.limits.max_memory_pages) * 65536;
        Ok(desired as u64 <= limit)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired as u64 <= u64::from(self.limits.max_table_size))
    }
}

/// Fuel charged per 32-byte block a host call moves, so fuel tracks the VM's per-leaf steps.
fn charge_blocks(caller: &mut Caller<'_, HostState>, len: u64) -> wasmtime::Result<()> {
    let cost = len / 32;
    let fuel = caller.get_fuel()?;
    if fuel < cost {
        caller.set_fuel(0)?;
        return Err(wasmtime::Trap::OutOfFuel.into());
    }
    caller.set_fuel(fuel - cost)
}

fn memory(caller: &mut Caller<'_, HostState>) -> Option<wasmtime::Memory> {
    let name = caller.data().memory_export.clone()?;
    match caller.get_export(&name) {
        Some(Extern::Memory(m)) => Some(m),
        _ => None,
    }
}

/// Checks `ptr + len <= memory size` in u64, as the VM does.
fn check_memory(caller: &mut Caller<'_, HostState>, ptr: u64, len: u64) -> wasmtime::Result<()> {
    let size = memory(caller).map_or(0, |m| m.data_size(&*caller) as u64);
    if ptr + len > size {
        return Err(HostTrap(TrapCode::MemoryOutOfBounds).into());
    }
    Ok(())
}

fn input_read(
    mut caller: Caller<'_, HostState>,
    ptr: i32,
    offset: i32,
    len: i32,
) -> wasmtime::Result<()> {
    let (ptr, offset, len) = (ptr as u32 as u64, offset as u32 as u64, len as u32 as u64);
    if offset + len > caller.data().input.len() as u64 {
        return Err(HostTrap(TrapCode::InputOutOfBounds).into());
    }
    check_memory(&mut caller, ptr, len)?;
    charge_blocks(&mut caller, len)?;
    if len == 0 {
        return Ok(());
    }
    let mem = memory(&mut caller).ok_or(HostTrap(TrapCode::MemoryOutOfBounds))?;
    let (data, state) = mem.data_and_store_mut(&mut caller);
    // Bounds checked above; all values fit in usize on the 64-bit hosts wasmtime supports.
    let (ptr, offset, len) = (ptr as usize, offset as usize, len as usize);
    data[ptr..ptr + len].copy_from_slice(&state.input[offset..offset + len]);
    Ok(())
}

fn output_write(mut caller: Caller<'_, HostState>, ptr: i32, len: i32) -> wasmtime::Result<()> {
    let (ptr, len) = (ptr as u32 as u64, len as u32 as u64);
    check_memory(&mut caller, ptr, len)?;
    charge_blocks(&mut caller, len)?;
    if len == 0 {
        return Ok(());
    }
    let mem = memory(&mut caller).ok_or(HostTrap(TrapCode::MemoryOutOfBounds))?;
    let (data, state) = mem.data_and_store_mut(&mut caller);
    let (ptr, len) = (ptr as usize, len as usize);
    state.output.extend_from_slice(&data[ptr..ptr + len]);
    Ok(())
}

/// A linker that provides exactly the `opml` imports; any other import fails to link.
pub(crate) fn linker(engine: &wasmtime::Engine) -> wasmtime::Result<Linker<HostState>> {
    let mut linker = Linker::new(engine);
    linker.func_wrap("opml", "input_len", |caller: Caller<'_, HostState>| {
        caller.data().input.len() as u32 as i32
    })?;
    linker.func_wrap("opml", "input_read", input_read)?;
    linker.func_wrap("opml", "output_write", output_write)?;
    Ok(linker)
}
