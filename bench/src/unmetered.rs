//! The fast path's own wasmtime configuration with fuel metering turned off, for one figure:
//! what the fuel bound costs. The roles never run without fuel; this lives in the bench only.

use anyhow::Result;
use wasmtime::{Caller, Engine, Extern, InstancePre, Linker, Memory, Module, Store, TypedFunc};

/// Per-run host state: the request input and the output written so far.
pub(crate) struct Host {
    input: Vec<u8>,
    output: Vec<u8>,
}

fn memory(caller: &mut Caller<'_, Host>) -> wasmtime::Result<Memory> {
    match caller.get_export("memory") {
        Some(Extern::Memory(m)) => Ok(m),
        _ => Err(wasmtime::Error::msg("guest exports no memory")),
    }
}

fn input_read(mut caller: Caller<'_, Host>, ptr: i32, off: i32, len: i32) -> wasmtime::Result<()> {
    let mem = memory(&mut caller)?;
    let (ptr, off, len) = (
        ptr as u32 as usize,
        off as u32 as usize,
        len as u32 as usize,
    );
    let (data, host) = mem.data_and_store_mut(&mut caller);
    let src = host
        .input
        .get(off..off + len)
        .ok_or_else(|| wasmtime::Error::msg("input out of bounds"))?;
    data.get_mut(ptr..ptr + len)
        .ok_or_else(|| wasmtime::Error::msg("out of bounds memory access"))?
        .copy_from_slice(src);
    Ok(())
}

fn output_write(mut caller: Caller<'_, Host>, ptr: i32, len: i32) -> wasmtime::Result<()> {
    let mem = memory(&mut caller)?;
    let (ptr, len) = (ptr as u32 as usize, len as u32 as usize);
    let (data, host) = mem.data_and_store_mut(&mut caller);
    let src = data
        .get(ptr..ptr + len)
        .ok_or_else(|| wasmtime::Error::msg("out of bounds memory access"))?;
    host.output.extend_from_slice(src);
    Ok(())
}

/// A module compiled with `opml_executor::fast::config()` minus fuel, linked once.
pub(crate) struct Unmetered {
    engine: Engine,
    pre: InstancePre<Host>,
}

/// An instance ready to run `main`.
pub(crate) struct Ready {
    store: Store<Host>,
    main: TypedFunc<(), ()>,
}

impl Unmetered {
    pub(crate) fn new(wasm: &[u8]) -> Result<Self> {
        let mut config = opml_executor::fast::config();
        config.consume_fuel(false);
        let engine = Engine::new(&config)?;
        let module = Module::new(&engine, wasm)?;
        let mut linker = Linker::new(&engine);
        linker.func_wrap("opml", "input_len", |c: Caller<'_, Host>| {
            c.data().input.len() as u32 as i32
        })?;
        linker.func_wrap("opml", "input_read", input_read)?;
        linker.func_wrap("opml", "output_write", output_write)?;
        let pre = linker.instantiate_pre(&module)?;
        Ok(Self { engine, pre })
    }

    pub(crate) fn instantiate(&self, input: &[u8]) -> Result<Ready> {
        let host = Host {
            input: input.to_vec(),
            output: Vec::new(),
        };
        let mut store = Store::new(&self.engine, host);
        let instance = self.pre.instantiate(&mut store)?;
        let main = instance.get_typed_func(&mut store, "main")?;
        Ok(Ready { store, main })
    }
}

impl Ready {
    /// Runs `main` on the calling thread (the bench's main thread has stack enough) and
    /// returns the output.
    pub(crate) fn run(&mut self) -> Result<Vec<u8>> {
        self.main.call(&mut self.store, ())?;
        Ok(std::mem::take(&mut self.store.data_mut().output))
    }
}
