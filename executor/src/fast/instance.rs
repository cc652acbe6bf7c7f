//! A live instance: calls on it keep memory and globals (the spec runner's model).

use super::host::HostState;
use super::stack::on_big_stack;
use super::{from_val, to_val, trap_status, val_type};
use crate::{Error, Result, RunStatus};
use opml_vm::Value;
use std::sync::Arc;
use wasmtime::{Extern, Instance, Store, Val};

/// The result of one call on a [`FastInstance`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// How the call ended.
    pub status: RunStatus,
    /// Its results (empty unless halted).
    pub results: Vec<Value>,
    /// Fuel the call used.
    pub fuel: u64,
}

/// A live instance that keeps its state across calls (the spec runner's model).
pub struct FastInstance {
    pub(super) store: Store<HostState>,
    pub(super) instance: Instance,
    pub(super) memory_export: Option<Arc<str>>,
    pub(super) state_exports: Option<Arc<super::instrument::StateExports>>,
}

impl std::fmt::Debug for FastInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastInstance").finish_non_exhaustive()
    }
}

impl FastInstance {
    /// Calls the export `name` with `args` and at most `max_fuel` fuel.
    pub fn invoke(&mut self, name: &str, args: &[Value], max_fuel: u64) -> Result<Invocation> {
        let func = self
            .instance
            .get_func(&mut self.store, name)
            .ok_or_else(|| Error::Entry(format!("no exported function `{name}`")))?;
        let ty = func.ty(&self.store);
        let params: Vec<_> = ty.params().collect();
        if params.len() != args.len()
            || params
                .iter()
                .zip(args)
                .any(|(p, a)| val_type(p) != Some(a.ty()))
        {
            return Err(Error::Args(format!(
                "`{name}` takes ({}), given {} argument(s)",
                params
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                args.len()
            )));
        }
        let mut results: Vec<Val> = ty.results().map(|_| Val::I32(0)).collect();
        if ty.results().any(|r| val_type(&r).is_none()) {
            return Err(Error::Entry(format!(
                "`{name}` returns a type outside the profile"
            )));
        }
        let args: Vec<Val> = args.iter().map(|&a| to_val(a)).collect();
        self.store
            .set_fuel(max_fuel)
            .map_err(|e| Error::Engine(format!("{e:#}")))?;
        let store = &mut self.store;
        let res = on_big_stack(|| func.call(&mut *store, &args, &mut results));
        let fuel = max_fuel - self.store.get_fuel().unwrap_or(0);
        match res {
            Ok(()) => Ok(Invocation {
                status: RunStatus::Halted,
                results: results.iter().filter_map(from_val).collect(),
                fuel,
            }),
            Err(e) => match trap_status(&e, false) {
                Some(status) => Ok(Invocation {
                    status,
                    results: Vec::new(),
                    fuel,
                }),
                None => Err(Error::Engine(format!("{e:#}"))),
            },
        }
    }

    /// The value of the exported global `name`.
    pub fn global(&mut self, name: &str) -> Result<Value> {
        let global = self
            .instance
            .get_global(&mut self.store, name)
            .ok_or_else(|| Error::Entry(format!("no exported global `{name}`")))?;
        from_val(&global.get(&mut self.store)).ok_or_else(|| {
            Error::Unsupported(format!("global `{name}` has a type outside the profile"))
        })
    }

    /// Whether the instance exports a function `name` of type `[] -> []`.
    pub fn has_nullary_func(&mut self, name: &str) -> bool {
        self.instance
            .get_func(&mut self.store, name)
            .is_some_and(|f| {
                let ty = f.ty(&self.store);
                ty.params().len() == 0 && ty.results().len() == 0
            })
    }

    /// Bytes the instance's `memory.fill`, `memory.copy` and `memory.init` were asked to move
    /// so far (their lengths, counted by the instrumentation; 0 in a module without them).
    pub fn bulk_bytes(&mut self) -> Result<u64> {
        let Some(name) = self
            .state_exports
            .as_ref()
            .and_then(|e| e.bulk_bytes.clone())
        else {
            return Ok(0);
        };
        match self.global(&name)? {
            Value::I64(v) => Ok(v as u64),
            v => Err(Error::Engine(format!("bulk counter of type {:?}", v.ty()))),
        }
    }

    /// Fuel not yet used of the last bound set (by instantiation or [`FastInstance::invoke`]).
    pub fn fuel_left(&self) -> u64 {
        self.store.get_fuel().unwrap_or(0)
    }

    /// The bytes written through `opml.output_write` so far.
    pub fn output(&self) -> &[u8] {
        &self.store.data().output
    }

    /// A copy of linear memory 0, if the module has one.
    pub fn memory(&mut self) -> Option<Vec<u8>> {
        let name = self.memory_export.as_deref()?;
        match self.instance.get_export(&mut self.store, name) {
            Some(Extern::Memory(m)) => Some(m.data(&self.store).to_vec()),
            _ => None,
        }
    }
}
