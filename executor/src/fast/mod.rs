//! The fast path: wasmtime configured for determinism. It gives the output in the happy path;
//! the VM is replayed only when a dispute needs state hashes.
//!
//! Determinism settings: NaN canonicalisation on; every proposal outside the profile off (SIMD,
//! relaxed SIMD, threads, GC, exceptions, tail calls, memory64, multi-memory, …); every module
//! checked by the VM's loader first, so both engines accept exactly the same programs; the
//! VM's memory and table bounds through a [`wasmtime::ResourceLimiter`]; the `opml` host
//! interface with the VM's trap conditions.
//!
//! **Fuel is only an approximation of the VM's step count.** wasmtime charges about one unit
//! per wasm operator (plus one per 32 bytes a host call moves; a bulk memory operation costs
//! one unit whatever its length), while the VM counts lowered instructions (branch stack
//! adjustments, parameter moves, one step per 32-byte leaf of a bulk operation, soft-float
//! routines). Fuel is usually below the step count, so a run that exhausts its fuel
//! would exhaust the same number of VM steps too, but a run close to the bound can only be
//! decided by the VM. Likewise the call depth at which wasmtime overflows its stack differs
//! from `Limits::max_call_depth`.

mod host;
mod patch;
mod trap;

use crate::{Error, Result, RunStatus};
use host::HostState;
use opml_vm::{Limits, ValType, Value};
use wasmtime::{Config, Extern, Instance, Linker, Module, OperatorCost, Store, Val, WasmFeatures};

pub use trap::trap_status;

/// The profile of docs/profile.md: core wasm plus these proposals. Reference types only for
/// the encodings the profile admits (typed `select` of numbers, `ref.func` element
/// expressions, over-long `call_indirect` immediates): the VM loader, which every module
/// passes first, rejects any real use of references.
fn profile() -> WasmFeatures {
    WasmFeatures::REFERENCE_TYPES
        | WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::FLOATS
}

/// Bytes of native stack wasm may use; calls run on a thread with twice this much.
/// (Must stay below wasmtime's `async_stack_size`, 2 MiB, even with async off.)
const WASM_STACK: usize = (2 << 20) - (64 << 10);

/// A wasmtime engine with the determinism settings and the `opml` linker. Cheap to clone.
#[derive(Clone)]
pub struct FastEngine {
    engine: wasmtime::Engine,
    linker: Linker<HostState>,
}

impl std::fmt::Debug for FastEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastEngine").finish_non_exhaustive()
    }
}

impl FastEngine {
    /// Builds the engine.
    pub fn new() -> Result<Self> {
        let mut config = Config::new();
        config
            .cranelift_nan_canonicalization(true)
            .consume_fuel(true)
            .max_wasm_stack(WASM_STACK)
            .wasm_features(WasmFeatures::all(), false)
            .wasm_features(profile(), true)
            .wasm_simd(false)
            .wasm_relaxed_simd(false)
            .wasm_tail_call(false)
            .wasm_multi_memory(false)
            .wasm_memory64(false)
            .wasm_extended_const(false)
            .wasm_custom_page_sizes(false)
            .wasm_wide_arithmetic(false)
            .operator_cost(fuel_costs());
        let engine = wasmtime::Engine::new(&config).map_err(|e| Error::Engine(format!("{e:#}")))?;
        let linker = host::linker(&engine).map_err(|e| Error::Engine(format!("{e:#}")))?;
        Ok(Self { engine, linker })
    }

    /// Validates `wasm` (binary) against the profile and `limits` with the VM's own loader, so
    /// both engines accept exactly the same programs, then compiles it.
    pub fn compile(&self, wasm: &[u8], limits: Limits) -> Result<FastModule> {
        opml_vm::Program::load_with_entry(wasm, limits, opml_vm::Entry::Instantiate)?;
        self.compile_unchecked(wasm)
    }

    /// Compiles `wasm` without the VM's profile check: wasmtime's own validation with the
    /// features above, and the limits applied at instantiation only.
    pub fn compile_unchecked(&self, wasm: &[u8]) -> Result<FastModule> {
        let patched = patch::export_memory(wasm);
        let module = Module::new(&self.engine, &patched.bytes)
            .map_err(|e| Error::Compile(format!("{e:#}")))?;
        Ok(FastModule {
            engine: self.clone(),
            module,
            memory_export: patched.memory_export,
        })
    }
}

/// Default fuel costs, except that bulk memory operations and `memory.grow` cost one unit
/// whatever their length: wasmtime would charge per byte *before* the bounds check, so a huge
/// out-of-bounds `memory.copy` would run out of fuel where the VM traps at once.
fn fuel_costs() -> OperatorCost {
    let mut cost = OperatorCost::new();
    cost.variable.memory_copy_per_byte = 0;
    cost.variable.memory_fill_per_byte = 0;
    cost.variable.memory_init_per_byte = 0;
    cost.variable.memory_grow_per_page = 0;
    cost
}

/// A compiled module, instantiated afresh for each run.
#[derive(Debug, Clone)]
pub struct FastModule {
    engine: FastEngine,
    module: Module,
    memory_export: Option<String>,
}

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

/// An exported function's name and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedFunc {
    /// The export name.
    pub name: String,
    /// Parameter types (`None` for a type outside the profile).
    pub params: Vec<Option<ValType>>,
    /// Result types.
    pub results: Vec<Option<ValType>>,
}

impl FastModule {
    /// The exported functions, in export order.
    pub fn exported_funcs(&self) -> Vec<ExportedFunc> {
        self.module
            .exports()
            .filter_map(|e| {
                let f = e.ty().func()?.clone();
                Some(ExportedFunc {
                    name: e.name().to_string(),
                    params: f.params().map(|p| val_type(&p)).collect(),
                    results: f.results().map(|r| val_type(&r)).collect(),
                })
            })
            .collect()
    }

    /// Instantiates the module (running its start function) with `input` for the host
    /// interface and at most `max_fuel` fuel. A trap during instantiation is
    /// [`Instantiated::Trapped`]; a link failure is an [`Error`].
    pub fn instantiate(&self, input: &[u8], limits: Limits, max_fuel: u64) -> Result<Instantiated> {
        if u32::try_from(input.len()).is_err() {
            return Err(Error::Args("input longer than 2^32 - 1 bytes".into()));
        }
        let state = HostState {
            input: input.to_vec(),
            output: Vec::new(),
            limits,
            memory_export: self.memory_export.clone(),
        };
        let mut store = Store::new(&self.engine.engine, state);
        store.limiter(|s| s);
        store
            .set_fuel(max_fuel)
            .map_err(|e| Error::Engine(format!("{e:#}")))?;
        let linker = &self.engine.linker;
        let module = &self.module;
        let res = on_big_stack(|| linker.instantiate(&mut store, module))?;
        let fuel = max_fuel - store.get_fuel().unwrap_or(0);
        match res {
            Ok(instance) => Ok(Instantiated::Ready(FastInstance {
                store,
                instance,
                memory_export: self.memory_export.clone(),
            })),
            Err(e) => match trap_status(&e, fuel == 0) {
                Some(status) => Ok(Instantiated::Trapped {
                    status,
                    fuel,
                    output: store.into_data().output,
                }),
                None => Err(Error::Link(format!("{e:#}"))),
            },
        }
    }
}

/// The outcome of instantiation.
#[derive(Debug)]
pub enum Instantiated {
    /// Ready for calls.
    Ready(FastInstance),
    /// The start function or an active segment trapped (or ran out of fuel).
    Trapped {
        /// How it ended.
        status: RunStatus,
        /// Fuel used.
        fuel: u64,
        /// Output written before the trap.
        output: Vec<u8>,
    },
}

/// A live instance that keeps its state across calls (the spec runner's model).
pub struct FastInstance {
    store: Store<HostState>,
    instance: Instance,
    memory_export: Option<String>,
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
        let res = on_big_stack(|| func.call(&mut *store, &args, &mut results))?;
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

/// Runs `f` on a thread whose stack holds [`WASM_STACK`] of wasm frames with room to spare,
/// so deep recursion ends in a `CallStackExhausted` trap, not a host stack overflow.
fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> Result<T> {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(2 * WASM_STACK + (1 << 20))
            .spawn_scoped(s, f)
            .map(|h| h.join())
    })
    .map_err(|e| Error::Engine(format!("cannot spawn the wasm thread: {e}")))?
    .map_err(|p| std::panic::resume_unwind(p))
}

fn val_type(ty: &wasmtime::ValType) -> Option<ValType> {
    Some(match ty {
        wasmtime::ValType::I32 => ValType::I32,
        wasmtime::ValType::I64 => ValType::I64,
        wasmtime::ValType::F32 => ValType::F32,
        wasmtime::ValType::F64 => ValType::F64,
        _ => return None,
    })
}

fn to_val(v: Value) -> Val {
    match v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(x) => Val::F32(x),
        Value::F64(x) => Val::F64(x),
    }
}

fn from_val(v: &Val) -> Option<Value> {
    Some(match *v {
        Val::I32(x) => Value::I32(x),
        Val::I64(x) => Value::I64(x),
        Val::F32(x) => Value::F32(x),
        Val::F64(x) => Value::F64(x),
        _ => return None,
    })
}
