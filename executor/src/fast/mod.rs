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
//!
//! **Cost.** A module is compiled and linked once ([`FastModule`] holds a
//! [`wasmtime::InstancePre`]); a run then costs an instantiation (a store, a copy-on-write map
//! of the initial memory: about 10–20 µs) plus the call, which runs on the caller's own stack
//! (see `stack.rs`). Linear memory accesses carry no bounds checks: wasmtime's 64-bit default
//! reserves 4 GiB plus guard pages per memory, and the VM's page limit is enforced on
//! `memory.grow`. Fuel metering costs a few percent (`cargo run --release -p opml-bench`).

mod boundary;
mod cache;
mod host;
mod instance;
mod instrument;
mod patch;
mod stack;
mod trap;

use crate::{Error, Result, RunStatus};
use host::HostState;
use opml_vm::{Limits, ValType, Value};
use stack::{WASM_STACK, on_big_stack};
use std::sync::Arc;
use wasmtime::{
    Config, InstancePre, Linker, Module, OperatorCost, OptLevel, Store, Val, WasmFeatures,
};

pub use boundary::BoundaryHasher;
pub(crate) use boundary::boundary_machine;
pub use cache::ModuleCache;
pub use instance::{FastInstance, Invocation};
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

/// The fast path's wasmtime configuration: the determinism settings above and fuel metering.
/// Public so that the benchmarks can measure variants of exactly this configuration (such as
/// the cost of fuel); [`FastEngine::new`] is the only engine the roles use.
pub fn config() -> Config {
    let mut config = Config::new();
    config
        // Speed is wasmtime's default; spelled out because the fast path exists for speed.
        .cranelift_opt_level(OptLevel::Speed)
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
    config
}

/// A wasmtime engine with the determinism settings and the `opml` linker. Cheap to clone.
#[derive(Clone)]
pub struct FastEngine {
    engine: wasmtime::Engine,
    linker: Linker<HostState>,
    cache: Option<ModuleCache>,
}

impl std::fmt::Debug for FastEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastEngine").finish_non_exhaustive()
    }
}

impl FastEngine {
    /// Builds the engine.
    pub fn new() -> Result<Self> {
        let engine =
            wasmtime::Engine::new(&config()).map_err(|e| Error::Engine(format!("{e:#}")))?;
        let linker = host::linker(&engine).map_err(|e| Error::Engine(format!("{e:#}")))?;
        Ok(Self {
            engine,
            linker,
            cache: None,
        })
    }

    /// This engine keeping compiled modules in `cache`: a program compiled once is loaded from
    /// there afterwards ([`FastModule::from_cache`]).
    pub fn with_cache(mut self, cache: ModuleCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Validates `wasm` (binary) against the profile and `limits` with the VM's own loader, so
    /// both engines accept exactly the same programs, then compiles it.
    pub fn compile(&self, wasm: &[u8], limits: Limits) -> Result<FastModule> {
        opml_vm::Program::load_with_entry(wasm, limits, opml_vm::Entry::Instantiate)?;
        self.compile_unchecked(wasm)
    }

    /// Compiles `wasm` without the VM's profile check: wasmtime's own validation with the
    /// features above, and the limits applied at instantiation only. Imports are resolved here,
    /// once; a module whose imports the `opml` linker cannot satisfy still compiles, and each
    /// instantiation then fails with [`Error::Link`].
    pub fn compile_unchecked(&self, wasm: &[u8]) -> Result<FastModule> {
        let patched = patch::export_memory(wasm);
        // Exports for the boundary hashes (mutable globals, dropped segments); a module that
        // cannot be instrumented still runs, without boundary hashes.
        let (bytes, state_exports) = match instrument::instrument(&patched.bytes) {
            Some(i) => (i.bytes, Some(Arc::new(i.exports))),
            None => (patched.bytes, None),
        };
        let entry = self
            .cache
            .as_ref()
            .map(|c| (c, c.entry(&self.engine, &bytes)));
        let cached = entry
            .as_ref()
            .and_then(|(_, path)| ModuleCache::load(&self.engine, path));
        let from_cache = cached.is_some();
        let module = match cached {
            Some(m) => m,
            None => {
                let m = Module::new(&self.engine, &bytes)
                    .map_err(|e| Error::Compile(format!("{e:#}")))?;
                if let Some((cache, path)) = &entry {
                    cache.store(&m, path);
                }
                m
            }
        };
        let pre = self
            .linker
            .instantiate_pre(&module)
            .map_err(|e| format!("{e:#}"));
        Ok(FastModule {
            engine: self.engine.clone(),
            module,
            pre: Arc::new(pre),
            memory_export: patched.memory_export.map(Arc::from),
            state_exports,
            from_cache,
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

/// A compiled module with its imports resolved, instantiated afresh for each run. Cheap to
/// clone; instantiation maps the compiled code and a copy-on-write memory image, so a run
/// costs a few microseconds before the guest's own work.
#[derive(Clone)]
pub struct FastModule {
    engine: wasmtime::Engine,
    module: Module,
    /// The module linked against the `opml` host functions, or why it does not link.
    pre: Arc<std::result::Result<InstancePre<HostState>, String>>,
    memory_export: Option<Arc<str>>,
    /// The instrumentation's exports, if the module could be instrumented.
    state_exports: Option<Arc<instrument::StateExports>>,
    from_cache: bool,
}

impl std::fmt::Debug for FastModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastModule")
            .field("memory_export", &self.memory_export)
            .finish_non_exhaustive()
    }
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
    /// The most values any of the module's function types takes or returns (at least 1), for
    /// the bound on VM steps per fuel; `None` when the module could not be instrumented.
    pub fn max_arity(&self) -> Option<u64> {
        self.state_exports.as_ref().map(|e| e.max_arity)
    }

    /// Whether the compiled code came from the engine's [`ModuleCache`] rather than a compile.
    pub fn from_cache(&self) -> bool {
        self.from_cache
    }

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
        let pre = match &*self.pre {
            Ok(pre) => pre,
            Err(e) => return Err(Error::Link(e.clone())),
        };
        let state = HostState {
            input: input.to_vec(),
            output: Vec::new(),
            limits,
            memory_export: self.memory_export.clone(),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| s);
        store
            .set_fuel(max_fuel)
            .map_err(|e| Error::Engine(format!("{e:#}")))?;
        let res = on_big_stack(|| pre.instantiate(&mut store));
        let fuel = max_fuel - store.get_fuel().unwrap_or(0);
        match res {
            Ok(instance) => Ok(Instantiated::Ready(FastInstance {
                store,
                instance,
                memory_export: self.memory_export.clone(),
                state_exports: self.state_exports.clone(),
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
