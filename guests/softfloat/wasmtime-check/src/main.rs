//! Runs the committed soft-float library *as wasm* in wasmtime with NaN canonicalisation on,
//! against a module that implements every routine with the hardware float instruction it
//! replaces (also compiled by wasmtime): results and trap kinds must agree. Also prints the
//! wasm operators executed per call (wasmtime fuel), a proxy for VM steps.
//!
//! `cargo run --release --manifest-path guests/softfloat/wasmtime-check/Cargo.toml -- \
//!     vm/softfloat/softfloat.wasm [inputs per routine]`

use anyhow::{Context, Result};
use wasmtime::{Config, Engine, Instance, Linker, Module, Store, Val, ValType};

/// A routine: name, parameter types, result type, and its body as hardware float code.
struct Routine {
    name: String,
    params: Vec<ValType>,
    result: ValType,
    body: String,
}

fn routines() -> Vec<Routine> {
    let mut v = Vec::new();
    let mut add = |name: String, params: Vec<ValType>, result: ValType, body: String| {
        v.push(Routine {
            name,
            params,
            result,
            body,
        });
    };
    for (f, it, t) in [("f32", "i32", ValType::I32), ("f64", "i64", ValType::I64)] {
        let get = |n: u32| format!("local.get {n} {f}.reinterpret_{it} ");
        let (a, b) = (get(0), get(1));
        for op in ["add", "sub", "mul", "div", "min", "max", "copysign"] {
            let body = format!("{a}{b}{f}.{op} {it}.reinterpret_{f}");
            add(
                format!("{f}_{op}"),
                vec![t.clone(), t.clone()],
                t.clone(),
                body,
            );
        }
        for op in ["sqrt", "ceil", "floor", "trunc", "nearest", "abs", "neg"] {
            let body = format!("{a}{f}.{op} {it}.reinterpret_{f}");
            add(format!("{f}_{op}"), vec![t.clone()], t.clone(), body);
        }
        for op in ["eq", "ne", "lt", "gt", "le", "ge"] {
            let body = format!("{a}{b}{f}.{op}");
            add(
                format!("{f}_{op}"),
                vec![t.clone(), t.clone()],
                ValType::I32,
                body,
            );
        }
    }
    for (i, it) in [("i32", ValType::I32), ("i64", ValType::I64)] {
        for (f, fi, ft) in [("f32", "i32", ValType::I32), ("f64", "i64", ValType::I64)] {
            for s in ["s", "u"] {
                let arg = format!("local.get 0 {f}.reinterpret_{fi}");
                for trunc in ["trunc", "trunc_sat"] {
                    let body = format!("{arg} {i}.{trunc}_{f}_{s}");
                    add(
                        format!("{i}_{trunc}_{f}_{s}"),
                        vec![ft.clone()],
                        it.clone(),
                        body,
                    );
                }
                let body = format!("local.get 0 {f}.convert_{i}_{s} {fi}.reinterpret_{f}");
                add(
                    format!("{f}_convert_{i}_{s}"),
                    vec![it.clone()],
                    ft.clone(),
                    body,
                );
            }
        }
    }
    let demote = "local.get 0 f64.reinterpret_i64 f32.demote_f64 i32.reinterpret_f32";
    add(
        "f32_demote_f64".into(),
        vec![ValType::I64],
        ValType::I32,
        demote.into(),
    );
    let promote = "local.get 0 f32.reinterpret_i32 f64.promote_f32 i64.reinterpret_f64";
    add(
        "f64_promote_f32".into(),
        vec![ValType::I32],
        ValType::I64,
        promote.into(),
    );
    v
}

fn wat_type(t: &ValType) -> &'static str {
    if t.is_i32() { "i32" } else { "i64" }
}

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// f32 bits (or an i32): specials, small and large exponents, or uniform.
    fn bits32(&mut self) -> u32 {
        const SPECIALS: [u32; 21] = [
            0,
            0x8000_0000,
            0x7f80_0000,
            0xff80_0000,
            0x7fc0_0000,
            0xffc0_0000,
            0x7f80_0001,
            0xffa0_0005,
            0x7fff_ffff,
            1,
            0x807f_ffff,
            0x3f00_0000,
            0x3fc0_0000,
            0x4f00_0000,
            0xcf00_0000,
            0x4f80_0000,
            0x5f00_0000,
            0xdf00_0000,
            0x5f80_0000,
            0x3f80_0000,
            0xbf80_0000,
        ];
        let x = self.next();
        match x % 4 {
            0 => SPECIALS[(x >> 8) as usize % SPECIALS.len()],
            1 => {
                let high = if x >> 50 & 1 == 1 { 0x7f00_0000 } else { 0 };
                ((x >> 8) as u32 & 0x807f_ffff) | (((x >> 40) as u32 % 4) << 23) | high
            }
            _ => (x >> 16) as u32,
        }
    }

    /// f64 bits (or an i64): specials, chosen exponents with random fractions, or uniform.
    fn bits64(&mut self) -> u64 {
        const SPECIALS: [u64; 20] = [
            0,
            1 << 63,
            0x7ff0_0000_0000_0000,
            0xfff0_0000_0000_0000,
            0x7ff8_0000_0000_0000,
            0xfff8_0000_0000_0000,
            0x7ff0_0000_0000_0001,
            0x7ff4_0000_0000_0abc,
            1,
            0x000f_ffff_ffff_ffff,
            0x3fe0_0000_0000_0000,
            0x41e0_0000_0000_0000,
            0xc1e0_0000_0000_0000,
            0x41f0_0000_0000_0000,
            0x43e0_0000_0000_0000,
            0xc3e0_0000_0000_0000,
            0x43f0_0000_0000_0000,
            0x3ff0_0000_0000_0000,
            0x47ef_ffff_e000_0000,
            0x36a0_0000_0000_0000,
        ];
        const EXPONENTS: [u64; 11] = [
            0, 1, 0x3fe, 0x3ff, 0x41e, 0x43e, 0x7fe, 0x7ff, 0x380, 0x36a, 0x47e,
        ];
        let x = self.next();
        match x % 4 {
            0 => SPECIALS[(x >> 8) as usize % SPECIALS.len()],
            1 => (self.next() & 0x800f_ffff_ffff_ffff) | (EXPONENTS[(x >> 8) as usize % 11] << 52),
            _ => self.next(),
        }
    }
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let library = args
        .next()
        .context("usage: softfloat-wasmtime-check LIBRARY.wasm [N]")?;
    let n: u64 = args.next().map_or(Ok(200_000), |s| s.parse())?;

    let mut config = Config::new();
    config.cranelift_nan_canonicalization(true);
    config.consume_fuel(true);
    let engine = Engine::new(&config)?;
    let routines = routines();
    let mut wat = String::from("(module\n");
    for r in &routines {
        let params: Vec<_> = r.params.iter().map(wat_type).collect();
        let (name, body, result) = (&r.name, &r.body, wat_type(&r.result));
        let params = params.join(" ");
        wat += &format!("(func (export \"{name}\") (param {params}) (result {result}) {body})\n");
    }
    wat += ")";
    let hardware = Module::new(&engine, wat::parse_str(&wat)?)?;
    let soft = Module::from_file(&engine, &library)?;
    let mut store = Store::new(&engine, ());
    store.set_fuel(u64::MAX)?;
    let hardware = Instance::new(&mut store, &hardware, &[])?;
    let mut linker = Linker::new(&engine);
    linker.func_wrap(
        "opml_softfloat",
        "trap_invalid_conversion",
        || -> wasmtime::Result<()> { Err(wasmtime::Error::msg("invalid conversion to integer")) },
    )?;
    linker.func_wrap(
        "opml_softfloat",
        "trap_integer_overflow",
        || -> wasmtime::Result<()> { Err(wasmtime::Error::msg("integer overflow")) },
    )?;
    let soft = linker.instantiate(&mut store, &soft)?;

    let mut total_bad = 0;
    for (i, r) in routines.iter().enumerate() {
        let name = &r.name;
        let hw = hardware
            .get_func(&mut store, name)
            .context("hardware routine")?;
        let sf = soft
            .get_func(&mut store, name)
            .with_context(|| format!("{name} not exported"))?;
        let mut rng = Rng(0x6f70_6d6c ^ i as u64);
        let (mut bad, mut traps, mut fuel_sum, mut fuel_max) = (0u64, 0u64, 0u64, 0u64);
        for _ in 0..n {
            let args: Vec<Val> = r
                .params
                .iter()
                .map(|p| {
                    if p.is_i32() {
                        Val::I32(rng.bits32() as i32)
                    } else {
                        Val::I64(rng.bits64() as i64)
                    }
                })
                .collect();
            let zero = if r.result.is_i32() {
                Val::I32(0)
            } else {
                Val::I64(0)
            };
            let (mut h, mut s) = ([zero], [zero]);
            let hr = hw.call(&mut store, &args, &mut h);
            let before = store.get_fuel()?;
            let sr = sf.call(&mut store, &args, &mut s);
            let used = before - store.get_fuel()?;
            fuel_sum += used;
            fuel_max = fuel_max.max(used);
            let same = match (&hr, &sr) {
                (Ok(()), Ok(())) => format!("{:?}", h[0]) == format!("{:?}", s[0]),
                (Err(he), Err(se)) => {
                    traps += 1;
                    let (he, se) = (format!("{he:?}"), format!("{se:?}"));
                    ["integer overflow", "invalid conversion"]
                        .iter()
                        .all(|k| he.contains(k) == se.contains(k))
                }
                _ => false,
            };
            if !same {
                bad += 1;
                if bad <= 3 {
                    println!(
                        "MISMATCH {name} {args:?}: hardware {hr:?} {:?}, soft {sr:?} {:?}",
                        h[0], s[0]
                    );
                }
            }
        }
        total_bad += bad;
        let mean = fuel_sum as f64 / n as f64;
        println!(
            "{name:<20} {n} inputs, {traps:>6} traps on both, {bad} mismatches; wasm ops/call mean {mean:.1}, max {fuel_max}"
        );
    }
    println!("total mismatches: {total_bad}");
    if total_bad != 0 {
        std::process::exit(1);
    }
    Ok(())
}
