//! The machine's float opcodes (hardware IEEE + canonical NaN, `vm/src/machine/float.rs`)
//! against the soft-float library (`vm/softfloat/softfloat.wasm`, integer code only, so
//! independent of the host's float unit) run in wasmi: every one of its 66 routines, on every
//! edge class and seeded random operands; results and trap codes must be equal.

use std::sync::Arc;

use opml_vm::{Entry, Limits, Machine, Program, Status, ValType, Value};

mod common;
use common::Rng;

const LIBRARY: &[u8] = include_bytes!("../softfloat/softfloat.wasm");
const RANDOM_PER_ROUTINE: usize = 3000;

/// The wasm operator of a routine and the type of each operand (`name` is the operator with
/// `.` replaced by `_`: `f32_add`, `i64_trunc_sat_f64_u`).
fn operator(name: &str, params: usize) -> (String, &'static str) {
    let parts: Vec<&str> = name.split('_').collect();
    let op = format!("{}.{}", parts[0], parts[1..].join("_"));
    // The operand type: the source of a conversion, else the routine's own type.
    let src = parts
        .iter()
        .skip(1)
        .find(|p| matches!(**p, "f32" | "f64" | "i32" | "i64"))
        .copied()
        .unwrap_or(parts[0]);
    let ty = match src {
        "f32" => "f32",
        "f64" => "f64",
        "i32" => "i32",
        _ => "i64",
    };
    let _ = params;
    (op, ty)
}

fn int_of(float: &str) -> &'static str {
    if float == "f32" { "i32" } else { "i64" }
}

/// A module exporting, under each routine's name, the same integer signature computed with the
/// float instruction itself.
fn module_text(routines: &[(String, Vec<ValType>, ValType)]) -> String {
    let mut wat = String::from("(module\n");
    for (name, params, result) in routines {
        let (op, operand) = operator(name, params.len());
        let ps: Vec<String> = params
            .iter()
            .map(|t| format!("{t:?}").to_lowercase())
            .collect();
        let args: Vec<String> = (0..params.len())
            .map(|k| {
                if operand.starts_with('f') {
                    format!(
                        "({operand}.reinterpret_{} (local.get {k}))",
                        int_of(operand)
                    )
                } else {
                    format!("(local.get {k})")
                }
            })
            .collect();
        let mut body = format!("({op} {})", args.join(" "));
        let res_ty = name.split('_').next().unwrap_or("i32");
        let is_cmp = ["eq", "ne", "lt", "gt", "le", "ge"]
            .iter()
            .any(|c| name.ends_with(&format!("_{c}")));
        if res_ty.starts_with('f') && !is_cmp {
            body = format!("({}.reinterpret_{res_ty} {body})", int_of(res_ty));
        }
        let r = format!("{result:?}").to_lowercase();
        wat.push_str(&format!(
            "  (func (export \"{name}\") (param {}) (result {r}) {body})\n",
            ps.join(" ")
        ));
    }
    wat.push(')');
    wat
}

/// Edge values of a 32- or 64-bit operand: zeros, subnormals, normals at the extremes, infinities,
/// NaNs with payloads, integers at conversion bounds, ties.
fn edges(bits: u32) -> Vec<u64> {
    let mut v: Vec<u64> = if bits == 32 {
        vec![
            0,
            0x8000_0000,
            1,
            0x8000_0001,
            0x007f_ffff,
            0x8080_0000,
            0x0080_0000,
            0x7f7f_ffff,
            0xff7f_ffff,
            0x7f80_0000,
            0xff80_0000,
            0x7fc0_0000,
            0xffc0_0000,
            0x7f80_0001,
            0x7fbf_ffff,
            0xffc1_2345,
            0x3f80_0000,
            0xbf80_0000,
            0x3f00_0000,
            0x3fc0_0000,
            0x4020_0000,
            0xbfc0_0000,
            0x4f00_0000,
            0xcf00_0000,
            0x4f80_0000,
            0x5f00_0000,
            0xdf00_0000,
            0x5f80_0000,
            0x4eff_ffff,
            0x4b80_0001,
            0x3eaa_aaab,
            0x7fff_ffff,
            0x8000_0000_u64,
            0xffff_ffff,
        ]
    } else {
        vec![
            0,
            1 << 63,
            1,
            (1 << 63) | 1,
            0x000f_ffff_ffff_ffff,
            0x0010_0000_0000_0000,
            0x7fef_ffff_ffff_ffff,
            0xffef_ffff_ffff_ffff,
            0x7ff0_0000_0000_0000,
            0xfff0_0000_0000_0000,
            0x7ff8_0000_0000_0000,
            0xfff8_0000_0000_0000,
            0x7ff0_0000_0000_0001,
            0x7ff4_0000_0000_0000,
            0x3ff0_0000_0000_0000,
            0xbff0_0000_0000_0000,
            0x3fe0_0000_0000_0000,
            0x3ff8_0000_0000_0000,
            0x41e0_0000_0000_0000,
            0xc1e0_0000_0000_0000,
            0x41df_ffff_ffe0_0000,
            0xc1e0_0000_0020_0000,
            0x41f0_0000_0000_0000,
            0x43e0_0000_0000_0000,
            0xc3e0_0000_0000_0000,
            0x43f0_0000_0000_0000,
            0x3810_0000_0000_0000,
            0x47ef_ffff_e000_0000,
            0x47ef_ffff_f000_0000,
            0x36a0_0000_0000_0000,
            0x3690_0000_0000_0001,
            0x7fff_ffff_ffff_ffff,
            u64::MAX,
            0x8000_0000,
            0x7fff_ffff,
            0xffff_ffff,
            0x0020_0000_0000_0001,
        ]
    };
    v.sort_unstable();
    v.dedup();
    v
}

impl Rng {
    /// Half uniform patterns, half near an edge.
    fn operand(&mut self, bits: u32, edges: &[u64]) -> u64 {
        let mask = if bits == 32 { 0xffff_ffff } else { u64::MAX };
        let x = self.next();
        if x & 1 == 0 {
            (x >> 1) & mask
        } else {
            let e = edges[(x >> 8) as usize % edges.len()];
            e.wrapping_add((x >> 40) % 5).wrapping_sub(2) & mask
        }
    }
}

fn value(t: ValType, bits: u64) -> Value {
    Value::from_bits(t, bits)
}

fn to_wasmi(v: Value) -> wasmi::Val {
    match v {
        Value::I32(x) => wasmi::Val::I32(x),
        Value::I64(x) => wasmi::Val::I64(x),
        Value::F32(x) => wasmi::Val::F32(wasmi::F32::from_bits(x)),
        Value::F64(x) => wasmi::Val::F64(wasmi::F64::from_bits(x)),
    }
}

fn bits(v: &wasmi::Val) -> u64 {
    match v {
        wasmi::Val::I32(x) => *x as u32 as u64,
        wasmi::Val::I64(x) => *x as u64,
        _ => panic!("the library returns integers"),
    }
}

#[test]
fn float_opcodes_equal_the_soft_float_library() {
    // The library in wasmi, its two trap imports recording the code before `unreachable`.
    let engine = wasmi::Engine::default();
    let lib = wasmi::Module::new(&engine, LIBRARY).expect("the library parses");
    let mut store = wasmi::Store::new(&engine, 0u8);
    let mut linker = wasmi::Linker::<u8>::new(&engine);
    linker
        .func_wrap(
            "opml_softfloat",
            "trap_invalid_conversion",
            |mut c: wasmi::Caller<'_, u8>| {
                *c.data_mut() = 5;
            },
        )
        .unwrap()
        .func_wrap(
            "opml_softfloat",
            "trap_integer_overflow",
            |mut c: wasmi::Caller<'_, u8>| {
                *c.data_mut() = 4;
            },
        )
        .unwrap();
    let inst = linker.instantiate_and_start(&mut store, &lib).unwrap();
    let int = |t: &wasmi::ValType| match t {
        wasmi::ValType::I32 => ValType::I32,
        _ => ValType::I64,
    };
    let routines: Vec<(String, Vec<ValType>, ValType)> = lib
        .exports()
        .filter_map(|e| {
            let f = e.ty().func()?;
            let params = f.params().iter().map(int).collect();
            let result = int(f.results().first()?);
            Some((e.name().to_string(), params, result))
        })
        .collect();
    assert_eq!(routines.len(), 66, "every routine of docs/floats.md");

    // The same signatures computed by the machine's float opcodes.
    let wat = module_text(&routines);
    let bytes = wat::parse_str(&wat).expect("the test module parses");
    let p =
        Arc::new(Program::load_with_entry(&bytes, Limits::default(), Entry::Instantiate).unwrap());
    let mut vm = Machine::new(&p, &[]);
    vm.run(100);
    let float_ops = p.code().iter().filter(|i| i.op as u16 >= 0xb0).count();
    assert!(
        float_ops >= 60,
        "the module uses the float opcodes ({float_ops})"
    );

    let mut rng = Rng(0x6f70_6d6c_666c_6f61);
    let mut compared = 0usize;
    for (name, params, result) in &routines {
        let width = |t: &ValType| if *t == ValType::I32 { 32 } else { 64 };
        let e: Vec<Vec<u64>> = params.iter().map(|t| edges(width(t))).collect();
        let mut cases: Vec<Vec<u64>> = Vec::new();
        if params.len() == 1 {
            cases.extend(e[0].iter().map(|&x| vec![x]));
        } else {
            for &x in &e[0] {
                cases.extend(e[1].iter().map(|&y| vec![x, y]));
            }
        }
        for _ in 0..RANDOM_PER_ROUTINE {
            cases.push(
                params
                    .iter()
                    .zip(&e)
                    .map(|(t, ed)| rng.operand(width(t), ed))
                    .collect(),
            );
        }
        let f = inst.get_func(&store, name).unwrap();
        for args in cases {
            let vals: Vec<Value> = params
                .iter()
                .zip(&args)
                .map(|(t, &a)| value(*t, a))
                .collect();
            let wargs: Vec<wasmi::Val> = vals.iter().map(|v| to_wasmi(*v)).collect();
            let mut out = [to_wasmi(value(*result, 0))];
            *store.data_mut() = 0;
            let want = f
                .call(&mut store, &wargs, &mut out)
                .map(|()| bits(&out[0]))
                .map_err(|_| *store.data());
            vm.invoke_export(name, &vals).unwrap();
            vm.run(100);
            let got = match vm.status() {
                Status::Halted => Ok(vm.results()[0].to_bits()),
                Status::Trapped => Err(vm.trap_code().map_or(0, |t| t as u8)),
                s => panic!("{name}{args:x?}: {s:?}"),
            };
            assert_eq!(got, want, "{name}({args:#x?})");
            compared += 1;
        }
    }
    println!(
        "{compared} float cases compared over {} routines",
        routines.len()
    );
    assert!(compared > 100_000);
}
