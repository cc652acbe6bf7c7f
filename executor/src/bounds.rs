//! The bounds a program declares for itself, so that running it needs no flags: its memory's
//! declared maximum and an optional `opml.max_steps` custom section (docs/guest-abi.md).

use crate::{Error, Limits, Result, RunOptions};
use wasmparser::{Parser, Payload};

/// The custom section holding a program's step bound: 8 bytes, a little-endian `u64`.
pub const MAX_STEPS_SECTION: &str = "opml.max_steps";

/// What a program says about its own bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeclaredBounds {
    /// The memory's declared maximum, in 64 KiB pages.
    pub max_memory_pages: Option<u32>,
    /// The `opml.max_steps` section's value.
    pub max_steps: Option<u64>,
}

impl DeclaredBounds {
    /// Reads the bounds from binary `wasm`. Only the sections are scanned, not validated (the
    /// loader does that when the program is run).
    pub fn of(wasm: &[u8]) -> Result<Self> {
        let bad = |e: wasmparser::BinaryReaderError| Error::Compile(e.to_string());
        let mut out = Self::default();
        for payload in Parser::new(0).parse_all(wasm) {
            match payload.map_err(bad)? {
                Payload::MemorySection(r) => {
                    for m in r {
                        // A maximum past 2^32 pages is not a 32-bit memory: the loader rejects it.
                        out.max_memory_pages = m
                            .map_err(bad)?
                            .maximum
                            .map(|p| u32::try_from(p).unwrap_or(u32::MAX));
                    }
                }
                Payload::CustomSection(c) if c.name() == MAX_STEPS_SECTION => {
                    let bytes: [u8; 8] = c.data().try_into().map_err(|_| {
                        Error::Compile(format!(
                            "custom section `{MAX_STEPS_SECTION}`: want 8 bytes, got {}",
                            c.data().len()
                        ))
                    })?;
                    out.max_steps = Some(u64::from_le_bytes(bytes));
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Run options for this program: `defaults` where the program declares nothing.
    pub fn options(&self, defaults: RunOptions) -> RunOptions {
        RunOptions {
            limits: Limits {
                max_memory_pages: self
                    .max_memory_pages
                    .unwrap_or(defaults.limits.max_memory_pages),
                ..defaults.limits
            },
            max_steps: self.max_steps.unwrap_or(defaults.max_steps),
        }
    }
}

/// Adds the `opml.max_steps` section to `wasm` (appended after the other sections, which stay
/// byte for byte as they are). Fails if `wasm` already has one.
pub fn with_max_steps(wasm: &[u8], max_steps: u64) -> Result<Vec<u8>> {
    if DeclaredBounds::of(wasm)?.max_steps.is_some() {
        return Err(Error::Args(format!(
            "the program already has a `{MAX_STEPS_SECTION}` section"
        )));
    }
    let mut out = wasm.to_vec();
    let name = MAX_STEPS_SECTION.as_bytes();
    let body_len = 1 + name.len() + 8;
    out.push(0); // custom section id
    leb128(&mut out, body_len as u64);
    leb128(&mut out, name.len() as u64);
    out.extend_from_slice(name);
    out.extend_from_slice(&max_steps.to_le_bytes());
    Ok(out)
}

fn leb128(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wat(s: &str) -> Vec<u8> {
        wat::parse_str(s).unwrap()
    }

    #[test]
    fn memory_maximum_and_step_section() {
        let wasm = wat("(module (memory 1 3) (func (export \"main\")))");
        let b = DeclaredBounds::of(&wasm).unwrap();
        assert_eq!(b.max_memory_pages, Some(3));
        assert_eq!(b.max_steps, None);
        let wasm = with_max_steps(&wasm, 1 << 40).unwrap();
        let b = DeclaredBounds::of(&wasm).unwrap();
        assert_eq!(b.max_steps, Some(1 << 40));
        assert_eq!(b.max_memory_pages, Some(3));
        assert!(with_max_steps(&wasm, 5).is_err(), "a second section");
        let o = b.options(RunOptions::default());
        assert_eq!(o.limits.max_memory_pages, 3);
        assert_eq!(o.max_steps, 1 << 40);
        assert_eq!(o.limits.max_call_depth, Limits::default().max_call_depth);
    }

    #[test]
    fn nothing_declared_keeps_the_defaults() {
        let wasm = wat("(module (memory 1) (func (export \"main\")))");
        let b = DeclaredBounds::of(&wasm).unwrap();
        assert_eq!(b, DeclaredBounds::default());
        assert_eq!(b.options(RunOptions::default()), RunOptions::default());
    }

    #[test]
    fn a_bad_step_section_is_an_error() {
        let mut wasm = wat("(module)");
        wasm.extend_from_slice(&[0, 15, 14]);
        wasm.extend_from_slice(MAX_STEPS_SECTION.as_bytes());
        assert!(matches!(
            DeclaredBounds::of(&wasm),
            Err(Error::Compile(m)) if m.contains("want 8 bytes")
        ));
    }
}
