//! Spec values to ours, and results against expectations (NaN patterns included).

use opml_executor::Value;
use wast::WastArg;
use wast::core::{NanPattern, WastArgCore, WastRetCore};

/// An argument of the profile's types, or `None` (v128, references).
pub(crate) fn arg(a: &WastArg<'_>) -> Option<Value> {
    let WastArg::Core(core) = a else { return None };
    Some(match core {
        WastArgCore::I32(x) => Value::I32(*x),
        WastArgCore::I64(x) => Value::I64(*x),
        WastArgCore::F32(f) => Value::F32(f.bits),
        WastArgCore::F64(f) => Value::F64(f.bits),
        _ => return None,
    })
}

/// Whether `v` matches the expectation: `Some(bool)`, or `None` for a type outside the profile.
pub(crate) fn matches(v: Value, want: &WastRetCore<'_>) -> Option<bool> {
    Some(match (want, v) {
        (WastRetCore::I32(w), Value::I32(x)) => *w == x,
        (WastRetCore::I64(w), Value::I64(x)) => *w == x,
        (WastRetCore::F32(p), Value::F32(x)) => match p {
            NanPattern::CanonicalNan => x & 0x7fff_ffff == 0x7fc0_0000,
            NanPattern::ArithmeticNan => x & 0x7fc0_0000 == 0x7fc0_0000,
            NanPattern::Value(w) => w.bits == x,
        },
        (WastRetCore::F64(p), Value::F64(x)) => match p {
            NanPattern::CanonicalNan => x & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
            NanPattern::ArithmeticNan => x & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
            NanPattern::Value(w) => w.bits == x,
        },
        (WastRetCore::Either(alts), v) => {
            let mut any_supported = false;
            for alt in alts {
                match matches(v, alt) {
                    Some(true) => return Some(true),
                    Some(false) => any_supported = true,
                    None => {}
                }
            }
            if !any_supported {
                return None;
            }
            false
        }
        (
            WastRetCore::I32(_) | WastRetCore::I64(_) | WastRetCore::F32(_) | WastRetCore::F64(_),
            _,
        ) => false,
        _ => return None,
    })
}

/// Whether a trap message of ours and the spec's expected message agree: one is a prefix of
/// the other (`uninitialized element 2` vs `uninitialized element`).
pub(crate) fn trap_message_matches(ours: &str, expected: &str) -> bool {
    expected.starts_with(ours) || ours.starts_with(expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wast::token::{F32, F64};

    #[test]
    fn nan_patterns() {
        let canon = WastRetCore::F32(NanPattern::CanonicalNan);
        let arith = WastRetCore::F32(NanPattern::ArithmeticNan);
        assert_eq!(matches(Value::F32(0x7fc0_0000), &canon), Some(true));
        assert_eq!(matches(Value::F32(0xffc0_0000), &canon), Some(true));
        assert_eq!(matches(Value::F32(0x7fc0_0001), &canon), Some(false));
        assert_eq!(matches(Value::F32(0x7fc0_0001), &arith), Some(true));
        assert_eq!(matches(Value::F32(0x7f80_0001), &arith), Some(false));
        let c64 = WastRetCore::F64(NanPattern::CanonicalNan);
        assert_eq!(matches(Value::F64(0xfff8_0000_0000_0000), &c64), Some(true));
        let exact = WastRetCore::F64(NanPattern::Value(F64 { bits: 5 }));
        assert_eq!(matches(Value::F64(5), &exact), Some(true));
        assert_eq!(
            matches(
                Value::F32(5),
                &WastRetCore::F32(NanPattern::Value(F32 { bits: 5 }))
            ),
            Some(true)
        );
        assert_eq!(matches(Value::I64(5), &WastRetCore::I32(5)), Some(false));
    }

    #[test]
    fn trap_messages() {
        assert!(trap_message_matches(
            "uninitialized element",
            "uninitialized element 2"
        ));
        assert!(trap_message_matches("unreachable", "unreachable executed"));
        assert!(!trap_message_matches(
            "integer overflow",
            "integer divide by zero"
        ));
    }
}
