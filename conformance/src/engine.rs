//! One instance type over both engines, for the spec runner and the differential test.

use opml_executor::fast::{FastEngine, FastInstance, Instantiated};
use opml_executor::vm::{VmInstance, VmInstantiated};
use opml_executor::{Engine, Error, Limits, Result, RunStatus, Value};

/// Everything needed to instantiate modules on one engine.
#[derive(Debug, Clone)]
pub struct Runner {
    engine: Engine,
    fast: Option<FastEngine>,
    /// Bounds for every module.
    pub limits: Limits,
    /// Step bound (fuel on the fast path) for instantiation and for each call.
    pub max_steps: u64,
}

/// A live instance on either engine.
#[derive(Debug)]
pub enum Instance {
    /// On wasmtime.
    Fast(FastInstance),
    /// On the VM.
    Vm(Box<VmInstance>),
}

/// How one call (or an instantiation) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Halted, trapped or out of steps.
    pub status: RunStatus,
    /// The results when halted.
    pub results: Vec<Value>,
}

impl Runner {
    /// A runner for `engine` with the given bounds.
    pub fn new(engine: Engine, limits: Limits, max_steps: u64) -> Result<Self> {
        let fast = match engine {
            Engine::Fast => Some(FastEngine::new()?),
            Engine::Vm => None,
        };
        Ok(Self {
            engine,
            fast,
            limits,
            max_steps,
        })
    }

    /// The engine this runner uses.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Instantiates `wasm` with `input`: the instance, or how instantiation stopped (a trap in
    /// the start function or an active segment). A module the engine rejects is an error.
    pub fn instantiate(
        &self,
        wasm: &[u8],
        input: &[u8],
    ) -> Result<std::result::Result<Instance, RunStatus>> {
        match &self.fast {
            Some(fast) => match fast.compile(wasm, self.limits)?.instantiate(
                input,
                self.limits,
                self.max_steps,
            )? {
                Instantiated::Ready(i) => Ok(Ok(Instance::Fast(i))),
                Instantiated::Trapped { status, .. } => Ok(Err(status)),
            },
            None => match VmInstance::instantiate(wasm, input, self.limits, self.max_steps)? {
                VmInstantiated::Ready(i) => Ok(Ok(Instance::Vm(i))),
                VmInstantiated::Trapped { status, .. } => Ok(Err(status)),
            },
        }
    }

    /// Calls `name` on `instance`.
    pub fn invoke(&self, instance: &mut Instance, name: &str, args: &[Value]) -> Result<Call> {
        Ok(match instance {
            Instance::Fast(i) => {
                let c = i.invoke(name, args, self.max_steps)?;
                Call {
                    status: c.status,
                    results: c.results,
                }
            }
            Instance::Vm(i) => {
                let c = i.invoke(name, args, self.max_steps)?;
                Call {
                    status: c.status,
                    results: c.results,
                }
            }
        })
    }
}

impl Instance {
    /// The exported global `name` (fast path only: the VM has no global reads).
    pub fn global(&mut self, name: &str) -> Result<Value> {
        match self {
            Instance::Fast(i) => i.global(name),
            Instance::Vm(_) => Err(Error::Unsupported("reading globals on the VM".into())),
        }
    }

    /// Linear memory now, if the module has one.
    pub fn memory(&mut self) -> Option<Vec<u8>> {
        match self {
            Instance::Fast(i) => i.memory(),
            Instance::Vm(i) => Some(i.memory().to_vec()),
        }
    }
}
