//! Reading modules (binary or text) and values in the CLI's `type:value` form.

use crate::{Error, Result, Value};
use std::path::Path;

/// Reads a module from a file: binary wasm, or the text format (`.wat`), which is compiled.
pub fn read_module(path: &Path) -> Result<Vec<u8>> {
    wasm_from_bytes(&std::fs::read(path)?)
}

/// Binary wasm as is; anything else is parsed as the text format.
pub fn wasm_from_bytes(bytes: &[u8]) -> Result<Vec<u8>> {
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes.to_vec());
    }
    wat::parse_bytes(bytes)
        .map(|b| b.into_owned())
        .map_err(|e| Error::Wat(e.to_string()))
}

/// Formats a value as `i32:-5`, `i64:7`, `f32:0x3f800000`, `f64:0x3ff0000000000000`:
/// integers signed decimal, floats as their bits in hex.
pub fn format_value(v: Value) -> String {
    match v {
        Value::I32(x) => format!("i32:{x}"),
        Value::I64(x) => format!("i64:{x}"),
        Value::F32(x) => format!("f32:{x:#010x}"),
        Value::F64(x) => format!("f64:{x:#018x}"),
    }
}

/// Parses a value in the form [`format_value`] prints. Integers may also be given in hex
/// (`i32:0xffffffff`) or unsigned decimal (`i32:4294967295`), two's complement; floats may
/// also be decimal (`f32:1.5`).
pub fn parse_value(s: &str) -> Result<Value> {
    let bad = || {
        Error::Args(format!(
            "bad value `{s}` (expected e.g. i32:-5, i64:7, f32:0x3f800000)"
        ))
    };
    let (ty, v) = s.split_once(':').ok_or_else(bad)?;
    let hex = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X"));
    Ok(match (ty, hex) {
        ("i32", Some(h)) => Value::I32(u32::from_str_radix(h, 16).map_err(|_| bad())? as i32),
        ("i32", None) => Value::I32(
            v.parse()
                .or_else(|_| v.parse::<u32>().map(|u| u as i32))
                .map_err(|_| bad())?,
        ),
        ("i64", Some(h)) => Value::I64(u64::from_str_radix(h, 16).map_err(|_| bad())? as i64),
        ("i64", None) => Value::I64(
            v.parse()
                .or_else(|_| v.parse::<u64>().map(|u| u as i64))
                .map_err(|_| bad())?,
        ),
        ("f32", Some(h)) => Value::F32(u32::from_str_radix(h, 16).map_err(|_| bad())?),
        ("f32", None) => Value::F32(v.parse::<f32>().map_err(|_| bad())?.to_bits()),
        ("f64", Some(h)) => Value::F64(u64::from_str_radix(h, 16).map_err(|_| bad())?),
        ("f64", None) => Value::F64(v.parse::<f64>().map_err(|_| bad())?.to_bits()),
        _ => return Err(bad()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        for v in [
            Value::I32(-5),
            Value::I64(7),
            Value::F32(0x3f80_0000),
            Value::F64(0x3ff0_0000_0000_0000),
        ] {
            assert_eq!(parse_value(&format_value(v)).unwrap(), v);
        }
        assert_eq!(format_value(Value::F32(1)), "f32:0x00000001");
        assert_eq!(
            format_value(Value::F64(0x3ff0_0000_0000_0000)),
            "f64:0x3ff0000000000000"
        );
    }

    #[test]
    fn alternative_forms() {
        assert_eq!(parse_value("i32:0xffffffff").unwrap(), Value::I32(-1));
        assert_eq!(parse_value("i32:4294967295").unwrap(), Value::I32(-1));
        assert_eq!(
            parse_value("i64:18446744073709551615").unwrap(),
            Value::I64(-1)
        );
        assert_eq!(parse_value("f32:1").unwrap(), Value::F32(0x3f80_0000));
        for bad in [
            "",
            "i32",
            "i32:",
            "x:1",
            "i32:1.5",
            "i64:0xzz",
            "i32:99999999999",
        ] {
            assert!(parse_value(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wat_or_binary() {
        let wasm = wasm_from_bytes(b"(module)").unwrap();
        assert!(wasm.starts_with(b"\0asm"));
        assert_eq!(wasm_from_bytes(&wasm).unwrap(), wasm);
        assert!(matches!(wasm_from_bytes(b"(modul"), Err(Error::Wat(_))));
    }
}
