//! The `opml` host interface for wasmi, so the same `.wasm` runs there side by side.

use anyhow::{Context, Result, anyhow};
use wasmi::{Caller, Engine, Extern, Linker, Memory, Module, Store};

/// Per-run host state: the request input and the output written so far.
#[derive(Default)]
pub(crate) struct HostData {
    input: Vec<u8>,
    output: Vec<u8>,
}

fn memory(caller: &Caller<'_, HostData>) -> Result<Memory, wasmi::Error> {
    match caller.get_export("memory") {
        Some(Extern::Memory(m)) => Ok(m),
        _ => Err(wasmi::Error::new("guest exports no memory")),
    }
}

/// A compiled module plus a linker with the `opml` imports.
pub(crate) struct WasmiProgram {
    engine: Engine,
    module: Module,
    linker: Linker<HostData>,
}

impl WasmiProgram {
    pub(crate) fn new(wasm: &[u8]) -> Result<Self> {
        let engine = Engine::default();
        let module = Module::new(&engine, wasm).map_err(|e| anyhow!("wasmi compile: {e}"))?;
        let mut linker = Linker::<HostData>::new(&engine);
        linker
            .func_wrap("opml", "input_len", |caller: Caller<'_, HostData>| -> i32 {
                caller.data().input.len() as i32
            })
            .map_err(|e| anyhow!("{e}"))?;
        linker
            .func_wrap(
                "opml",
                "input_read",
                |mut caller: Caller<'_, HostData>,
                 ptr: i32,
                 off: i32,
                 len: i32|
                 -> Result<(), wasmi::Error> {
                    let mem = memory(&caller)?;
                    let (ptr, off, len) = (
                        ptr as u32 as usize,
                        off as u32 as usize,
                        len as u32 as usize,
                    );
                    let chunk = caller
                        .data()
                        .input
                        .get(off..off + len)
                        .ok_or_else(|| wasmi::Error::new("input out of bounds"))?
                        .to_vec();
                    mem.write(&mut caller, ptr, &chunk)
                        .map_err(|_| wasmi::Error::new("out of bounds memory access"))
                },
            )
            .map_err(|e| anyhow!("{e}"))?;
        linker
            .func_wrap(
                "opml",
                "output_write",
                |mut caller: Caller<'_, HostData>,
                 ptr: i32,
                 len: i32|
                 -> Result<(), wasmi::Error> {
                    let mem = memory(&caller)?;
                    let mut buf = vec![0u8; len as u32 as usize];
                    mem.read(&caller, ptr as u32 as usize, &mut buf)
                        .map_err(|_| wasmi::Error::new("out of bounds memory access"))?;
                    caller.data_mut().output.extend_from_slice(&buf);
                    Ok(())
                },
            )
            .map_err(|e| anyhow!("{e}"))?;
        Ok(Self {
            engine,
            module,
            linker,
        })
    }

    /// Instantiates afresh and runs `main`; returns the output.
    pub(crate) fn run(&self, input: &[u8]) -> Result<Vec<u8>> {
        let mut store = Store::new(
            &self.engine,
            HostData {
                input: input.to_vec(),
                output: Vec::new(),
            },
        );
        let instance = self
            .linker
            .instantiate_and_start(&mut store, &self.module)
            .map_err(|e| anyhow!("wasmi instantiate: {e}"))?;
        let main = instance
            .get_typed_func::<(), ()>(&store, "main")
            .map_err(|e| anyhow!("{e}"))
            .context("export main")?;
        main.call(&mut store, ())
            .map_err(|e| anyhow!("wasmi trap: {e}"))?;
        Ok(std::mem::take(&mut store.data_mut().output))
    }
}
