//! Differential: wasm-smith modules of the profile, run by the VM (lowering + soft-float +
//! machine) and by wasmi, must agree on every export's results and on whether it traps.
//! Bounded (a fixed seed, a few hundred modules, small step and fuel budgets).

use opml_vm::{Entry, Limits, Machine, Program, Status, ValType, Value};
use std::sync::Arc;

mod common;
use common::Rng;

const MODULES: usize = 400;
const VM_STEPS: u64 = 400_000;
const FUEL: u64 = 100_000;

fn config() -> wasm_smith::Config {
    wasm_smith::Config {
        canonicalize_nans: true,
        export_everything: true,
        disallow_traps: true,
        min_funcs: 1,
        ..opml_vm::smith::profile_config()
    }
}

fn to_wasmi(v: Value) -> wasmi::Val {
    match v {
        Value::I32(x) => wasmi::Val::I32(x),
        Value::I64(x) => wasmi::Val::I64(x),
        Value::F32(x) => wasmi::Val::F32(wasmi::F32::from_bits(x)),
        Value::F64(x) => wasmi::Val::F64(wasmi::F64::from_bits(x)),
    }
}

fn from_wasmi(v: &wasmi::Val) -> Option<Value> {
    Some(match v {
        wasmi::Val::I32(x) => Value::I32(*x),
        wasmi::Val::I64(x) => Value::I64(*x),
        wasmi::Val::F32(x) => Value::F32(x.to_bits()),
        wasmi::Val::F64(x) => Value::F64(x.to_bits()),
        _ => return None,
    })
}

impl Rng {
    fn arg(&mut self, t: ValType) -> Value {
        match t {
            ValType::I32 => Value::I32(self.next() as i32 % 9),
            ValType::I64 => Value::I64(self.next() as i64 % 9),
            ValType::F32 => Value::F32(0x3f80_0000 | (self.next() % 4096) as u32),
            ValType::F64 => Value::F64(0x3ff0_0000_0000_0000 | (self.next() % 4096)),
        }
    }
}

/// Outcome of one module: `(exports compared, skipped as out of budget)`.
fn compare(bytes: &[u8], rng: &mut Rng) -> (usize, bool) {
    let limits = Limits {
        max_memory_pages: 8,
        max_call_depth: 300,
        max_table_size: 64,
        max_code_len: 1 << 20,
        ..Limits::default()
    };
    let Ok(p) = Program::load_with_entry(bytes, limits, Entry::Instantiate) else {
        return (0, false);
    };
    let p = Arc::new(p);
    let mut cfg = wasmi::Config::default();
    cfg.consume_fuel(true);
    let engine = wasmi::Engine::new(&cfg);
    let module = wasmi::Module::new(&engine, bytes).expect("wasmi accepts what the VM loads");
    let mut store = wasmi::Store::new(&engine, ());
    store.set_fuel(FUEL).unwrap();
    let inst = wasmi::Linker::<()>::new(&engine).instantiate_and_start(&mut store, &module);
    let mut vm = Machine::new(&p, &[]);
    vm.run(VM_STEPS);
    let inst = match (inst, vm.status()) {
        (_, Status::Running) => return (0, true),
        (Err(e), _) if e.to_string().contains("fuel") => return (0, true),
        (Ok(i), Status::Halted) => i,
        (Err(_), Status::Trapped) => return (0, false),
        (i, s) => panic!(
            "instantiation: wasmi {:?}, vm {s:?} {:?}",
            i.err(),
            vm.trap_code()
        ),
    };
    let names: Vec<String> = module
        .exports()
        .filter(|x| x.ty().func().is_some())
        .map(|x| x.name().to_string())
        .collect();
    let mut compared = 0;
    for name in names {
        let e = p.export(&name).expect("the VM lists every function export");
        let args: Vec<Value> = e.params.iter().map(|t| rng.arg(*t)).collect();
        let wargs: Vec<wasmi::Val> = args.iter().map(|a| to_wasmi(*a)).collect();
        let mut outs: Vec<wasmi::Val> = e
            .results
            .iter()
            .map(|t| to_wasmi(Value::from_bits(*t, 0)))
            .collect();
        store.set_fuel(FUEL).unwrap();
        let got = inst
            .get_func(&store, &name)
            .unwrap()
            .call(&mut store, &wargs, &mut outs);
        vm.invoke_export(&name, &args).unwrap();
        vm.run(VM_STEPS);
        match (got, vm.status()) {
            (_, Status::Running) => return (compared, true),
            (Err(e), _) if e.to_string().contains("fuel") => return (compared, true),
            (Ok(()), Status::Halted) => {
                let want: Vec<Value> = outs.iter().filter_map(from_wasmi).collect();
                assert_eq!(vm.results(), want, "export {name}{args:?}");
            }
            (Err(_), Status::Trapped) => {}
            (w, s) => panic!(
                "export {name}{args:?}: wasmi {w:?}, vm {s:?} {:?}",
                vm.trap_code()
            ),
        }
        compared += 1;
    }
    (compared, false)
}

#[test]
fn vm_agrees_with_wasmi_on_wasm_smith_modules() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let (mut compared, mut skipped, mut generated) = (0, 0, 0);
    for case in 0..MODULES {
        let data: Vec<u8> = (0..4096).map(|_| rng.next() as u8).collect();
        let Ok(m) = wasm_smith::Module::new(config(), &mut arbitrary::Unstructured::new(&data))
        else {
            continue;
        };
        generated += 1;
        let bytes = m.to_bytes();
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| compare(&bytes, &mut rng)));
        match outcome {
            Ok((n, skip)) => {
                compared += n;
                skipped += usize::from(skip);
            }
            Err(e) => {
                let path = std::env::temp_dir().join(format!("opml-differential-{case}.wasm"));
                let _ = std::fs::write(&path, &bytes);
                std::panic::resume_unwind(e);
            }
        }
    }
    println!("generated {generated}, exports compared {compared}, out of budget {skipped}");
    assert!(compared >= 100, "too few exports compared ({compared})");
}
