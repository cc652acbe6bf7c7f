//! The float assertions of the WebAssembly spec tests, evaluated with the soft-float routines
//! directly (the VM runs the same files through the loader). Each test module's exports that
//! are a single float operator on their parameters map to the routine of that operator;
//! `assert_return` and `assert_trap` on them are checked, everything else is skipped.
//!
//! The suite is found through `OPML_WASM_TESTSUITE` (default `../shared/wasm-testsuite` from the
//! repository root). Missing, the test is skipped with a message, unless `CI=true`.

use opml_softfloat::{convert as cv, convert::ConvError, sf32, sf64};
use std::collections::HashMap;
use std::path::PathBuf;
use wasmparser::{Operator, Parser, Payload};
use wast::core::{NanPattern, WastArgCore, WastRetCore};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastRet};

type Routine = fn(&[u64]) -> Result<u64, ConvError>;

const FILES: [&str; 7] = [
    "f32.wast",
    "f64.wast",
    "f32_cmp.wast",
    "f64_cmp.wast",
    "f32_bitwise.wast",
    "f64_bitwise.wast",
    "conversions.wast",
];

fn suite() -> Option<PathBuf> {
    let dir = match std::env::var_os("OPML_WASM_TESTSUITE") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/wasm-testsuite"),
    };
    if dir.join("f32.wast").exists() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "wasm spec testsuite missing at {} (CI=true)",
        dir.display()
    );
    eprintln!(
        "skipping: wasm spec testsuite not found at {} (set OPML_WASM_TESTSUITE)",
        dir.display()
    );
    None
}

macro_rules! routine {
    ($f:path, 1) => {
        |a: &[u64]| Ok(u64::from($f(a[0] as _)))
    };
    ($f:path, 2) => {
        |a: &[u64]| Ok(u64::from($f(a[0] as _, a[1] as _)))
    };
    ($f:path, trap) => {
        |a: &[u64]| $f(a[0] as _).map(u64::from)
    };
}

/// The library routine for a float operator; `None` for anything else.
fn routine(op: &Operator<'_>) -> Option<Routine> {
    use Operator::*;
    Some(match op {
        F32Add => routine!(sf32::add, 2),
        F32Sub => routine!(sf32::sub, 2),
        F32Mul => routine!(sf32::mul, 2),
        F32Div => routine!(sf32::div, 2),
        F32Min => routine!(sf32::min, 2),
        F32Max => routine!(sf32::max, 2),
        F32Copysign => routine!(sf32::copysign, 2),
        F32Sqrt => routine!(sf32::sqrt, 1),
        F32Ceil => routine!(sf32::ceil, 1),
        F32Floor => routine!(sf32::floor, 1),
        F32Trunc => routine!(sf32::trunc, 1),
        F32Nearest => routine!(sf32::nearest, 1),
        F32Abs => routine!(sf32::abs, 1),
        F32Neg => routine!(sf32::neg, 1),
        F32Eq => routine!(sf32::eq, 2),
        F32Ne => routine!(sf32::ne, 2),
        F32Lt => routine!(sf32::lt, 2),
        F32Gt => routine!(sf32::gt, 2),
        F32Le => routine!(sf32::le, 2),
        F32Ge => routine!(sf32::ge, 2),
        F64Add => routine!(sf64::add, 2),
        F64Sub => routine!(sf64::sub, 2),
        F64Mul => routine!(sf64::mul, 2),
        F64Div => routine!(sf64::div, 2),
        F64Min => routine!(sf64::min, 2),
        F64Max => routine!(sf64::max, 2),
        F64Copysign => routine!(sf64::copysign, 2),
        F64Sqrt => routine!(sf64::sqrt, 1),
        F64Ceil => routine!(sf64::ceil, 1),
        F64Floor => routine!(sf64::floor, 1),
        F64Trunc => routine!(sf64::trunc, 1),
        F64Nearest => routine!(sf64::nearest, 1),
        F64Abs => routine!(sf64::abs, 1),
        F64Neg => routine!(sf64::neg, 1),
        F64Eq => routine!(sf64::eq, 2),
        F64Ne => routine!(sf64::ne, 2),
        F64Lt => routine!(sf64::lt, 2),
        F64Gt => routine!(sf64::gt, 2),
        F64Le => routine!(sf64::le, 2),
        F64Ge => routine!(sf64::ge, 2),
        I32TruncF32S => routine!(cv::i32_trunc_f32_s, trap),
        I32TruncF32U => routine!(cv::i32_trunc_f32_u, trap),
        I32TruncF64S => routine!(cv::i32_trunc_f64_s, trap),
        I32TruncF64U => routine!(cv::i32_trunc_f64_u, trap),
        I64TruncF32S => routine!(cv::i64_trunc_f32_s, trap),
        I64TruncF32U => routine!(cv::i64_trunc_f32_u, trap),
        I64TruncF64S => routine!(cv::i64_trunc_f64_s, trap),
        I64TruncF64U => routine!(cv::i64_trunc_f64_u, trap),
        I32TruncSatF32S => routine!(cv::i32_trunc_sat_f32_s, 1),
        I32TruncSatF32U => routine!(cv::i32_trunc_sat_f32_u, 1),
        I32TruncSatF64S => routine!(cv::i32_trunc_sat_f64_s, 1),
        I32TruncSatF64U => routine!(cv::i32_trunc_sat_f64_u, 1),
        I64TruncSatF32S => routine!(cv::i64_trunc_sat_f32_s, 1),
        I64TruncSatF32U => routine!(cv::i64_trunc_sat_f32_u, 1),
        I64TruncSatF64S => routine!(cv::i64_trunc_sat_f64_s, 1),
        I64TruncSatF64U => routine!(cv::i64_trunc_sat_f64_u, 1),
        F32ConvertI32S => routine!(cv::f32_convert_i32_s, 1),
        F32ConvertI32U => routine!(cv::f32_convert_i32_u, 1),
        F32ConvertI64S => routine!(cv::f32_convert_i64_s, 1),
        F32ConvertI64U => routine!(cv::f32_convert_i64_u, 1),
        F64ConvertI32S => routine!(cv::f64_convert_i32_s, 1),
        F64ConvertI32U => routine!(cv::f64_convert_i32_u, 1),
        F64ConvertI64S => routine!(cv::f64_convert_i64_s, 1),
        F64ConvertI64U => routine!(cv::f64_convert_i64_u, 1),
        F32DemoteF64 => routine!(cv::f32_demote_f64, 1),
        F64PromoteF32 => routine!(cv::f64_promote_f32, 1),
        _ => return None,
    })
}

/// Exports whose body is `local.get`s, one float operator, `end`.
fn exports(binary: &[u8]) -> HashMap<String, Routine> {
    let (mut names, mut bodies) = (Vec::new(), Vec::new());
    for payload in Parser::new(0).parse_all(binary) {
        match payload.expect("spec module parses") {
            Payload::ExportSection(r) => {
                names.extend(
                    r.into_iter()
                        .map(|e| e.unwrap())
                        .map(|e| (e.name.to_string(), e.index)),
                );
            }
            Payload::CodeSectionEntry(body) => {
                let mut ops = body.get_operators_reader().unwrap();
                let mut found = Vec::new();
                while !ops.eof() {
                    match ops.read().unwrap() {
                        Operator::LocalGet { .. } | Operator::End => {}
                        op => found.push(routine(&op)),
                    }
                }
                bodies.push(match found.as_slice() {
                    [Some(r)] => Some(*r),
                    _ => None,
                });
            }
            _ => {}
        }
    }
    names
        .into_iter()
        .filter_map(|(n, i)| Some((n, bodies.get(i as usize).copied()??)))
        .collect()
}

fn arg_bits(a: &WastArg<'_>) -> u64 {
    match a {
        WastArg::Core(WastArgCore::I32(v)) => *v as u32 as u64,
        WastArg::Core(WastArgCore::I64(v)) => *v as u64,
        WastArg::Core(WastArgCore::F32(f)) => f.bits as u64,
        WastArg::Core(WastArgCore::F64(f)) => f.bits,
        other => panic!("unexpected argument {other:?}"),
    }
}

/// Whether `got` satisfies the expected result.
fn matches(expected: &WastRet<'_>, got: u64) -> bool {
    let nan32 = |canonical: bool| {
        let g = got as u32;
        g & 0x7fff_ffff > 0x7f80_0000
            && g & 0x0040_0000 != 0
            && (!canonical || g & 0x003f_ffff == 0)
    };
    let nan64 = |canonical: bool| {
        got & !(1 << 63) > 0x7ff0_0000_0000_0000
            && got & (1 << 51) != 0
            && (!canonical || got & ((1 << 51) - 1) == 0)
    };
    match expected {
        WastRet::Core(WastRetCore::I32(v)) => got == *v as u32 as u64,
        WastRet::Core(WastRetCore::I64(v)) => got == *v as u64,
        WastRet::Core(WastRetCore::F32(NanPattern::Value(f))) => got == f.bits as u64,
        WastRet::Core(WastRetCore::F32(NanPattern::CanonicalNan)) => nan32(true),
        WastRet::Core(WastRetCore::F32(NanPattern::ArithmeticNan)) => nan32(false),
        WastRet::Core(WastRetCore::F64(NanPattern::Value(f))) => got == f.bits,
        WastRet::Core(WastRetCore::F64(NanPattern::CanonicalNan)) => nan64(true),
        WastRet::Core(WastRetCore::F64(NanPattern::ArithmeticNan)) => nan64(false),
        other => panic!("unexpected result pattern {other:?}"),
    }
}

#[test]
fn spec_float_assertions() {
    let Some(dir) = suite() else { return };
    let mut failures = Vec::new();
    for file in FILES {
        let text = std::fs::read_to_string(dir.join(file)).expect("readable .wast");
        let buf = ParseBuffer::new(&text).expect("lexes");
        let wast: Wast<'_> = parser::parse(&buf).expect("parses");
        let (mut routines, mut checked, mut skipped) = (HashMap::new(), 0, 0);
        for directive in wast.directives {
            let line = |span: wast::token::Span| span.linecol_in(&text).0 + 1;
            match directive {
                WastDirective::Module(QuoteWat::Wat(mut wat)) => {
                    routines = exports(&wat.encode().expect("encodes"));
                }
                WastDirective::AssertReturn {
                    span,
                    exec: WastExecute::Invoke(inv),
                    results,
                } => {
                    let Some(r) = routines.get(inv.name) else {
                        skipped += 1;
                        continue;
                    };
                    let args: Vec<u64> = inv.args.iter().map(arg_bits).collect();
                    checked += 1;
                    match r(&args) {
                        Ok(got) if matches(&results[0], got) => {}
                        other => failures.push(format!(
                            "{file}:{}: {} {args:x?} gave {other:x?}",
                            line(span),
                            inv.name
                        )),
                    }
                }
                WastDirective::AssertTrap {
                    span,
                    exec: WastExecute::Invoke(inv),
                    message,
                } => {
                    let Some(r) = routines.get(inv.name) else {
                        skipped += 1;
                        continue;
                    };
                    let args: Vec<u64> = inv.args.iter().map(arg_bits).collect();
                    checked += 1;
                    let want = match message {
                        "integer overflow" => ConvError::IntegerOverflow,
                        "invalid conversion to integer" => ConvError::InvalidConversion,
                        other => panic!("unexpected trap message {other}"),
                    };
                    if r(&args) != Err(want) {
                        failures.push(format!(
                            "{file}:{}: {} {args:x?} should trap {message}",
                            line(span),
                            inv.name
                        ));
                    }
                }
                _ => {}
            }
        }
        println!("{file}: {checked} assertions checked, {skipped} skipped (not a float routine)");
        assert!(checked > 0, "{file}: no assertion checked");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
