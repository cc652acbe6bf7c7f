//! Engine-independent classification of a spec module by the VM's loader, the authority on the
//! profile (docs/profile.md): in the profile, out of it (with the reason), or not valid wasm.
//! It decides "skipped", so both engines skip alike.

use opml_vm::{Entry, Limits, LoadError, Program};

/// What a module is, as far as the profile goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Class {
    /// Loads: the engines must run it.
    InProfile,
    /// Valid wasm, but it needs a feature outside the profile or imports something.
    OutOfProfile {
        /// The feature, or `imports from …`.
        reason: String,
        /// The module it imports from, when that is why.
        imports_from: Option<String>,
    },
    /// Not valid wasm.
    Invalid(String),
    /// In the profile but over a bound of the limits (or another load failure).
    Rejected(String),
}

/// Classifies `wasm` under `limits`.
pub fn classify(wasm: &[u8], limits: Limits) -> Class {
    match Program::load_with_entry(wasm, limits, Entry::Instantiate) {
        Ok(_) => Class::InProfile,
        Err(LoadError::Unsupported { feature, .. }) => Class::OutOfProfile {
            reason: feature.to_string(),
            imports_from: None,
        },
        Err(LoadError::Import { module, .. }) => Class::OutOfProfile {
            reason: format!("imports from `{module}`"),
            imports_from: Some(module),
        },
        Err(LoadError::Invalid { message, .. }) => Class::Invalid(message),
        Err(e) => Class::Rejected(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wat(s: &str) -> Vec<u8> {
        let buf = wast::parser::ParseBuffer::new(s).unwrap();
        wast::parser::parse::<wast::Wat<'_>>(&buf)
            .unwrap()
            .encode()
            .unwrap()
    }

    #[test]
    fn classes() {
        let l = Limits::default();
        let fill =
            "(module (memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))";
        assert_eq!(classify(&wat(fill), l), Class::InProfile);
        let spectest = wat(r#"(module (import "spectest" "print" (func)))"#);
        assert!(matches!(
            classify(&spectest, l),
            Class::OutOfProfile { imports_from: Some(m), .. } if m == "spectest"
        ));
        let simd = wat("(module (func (result v128) (v128.const i64x2 0 0)))");
        assert!(matches!(
            classify(&simd, l),
            Class::OutOfProfile {
                imports_from: None,
                ..
            }
        ));
        assert!(matches!(
            classify(b"\0asm\x01\0\0\0\x01", l),
            Class::Invalid(_)
        ));
        let big = wat("(module (memory 2000))");
        assert!(matches!(classify(&big, l), Class::Rejected(_)));
    }
}
