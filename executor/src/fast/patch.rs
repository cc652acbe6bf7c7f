//! Exporting linear memory under a reserved name, so the host functions and the caller can reach
//! it: wasmtime only exposes exported memories, while the VM reads memory 0 whether exported or
//! not. The patch touches only the export section; the code is unchanged.

/// The name memory 0 is exported under when the module does not export it itself.
pub(crate) const MEMORY_EXPORT: &str = "__opml_memory";

/// How the patched module exposes memory 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Patched {
    /// The module bytes, with an export of memory 0 added if needed.
    pub(crate) bytes: Vec<u8>,
    /// The export name of memory 0, if the module has a memory.
    pub(crate) memory_export: Option<String>,
}

/// Adds an export of memory 0 when the module defines a memory and does not export it.
/// Malformed input comes back unchanged (wasmtime then reports the error).
pub(crate) fn export_memory(wasm: &[u8]) -> Patched {
    let unchanged = Patched {
        bytes: wasm.to_vec(),
        memory_export: None,
    };
    let Some(sections) = sections(wasm) else {
        return unchanged;
    };
    let has_memory = sections
        .iter()
        .any(|s| s.id == 5 && leb(wasm, s.body).is_some_and(|(n, _)| n > 0));
    if !has_memory {
        return unchanged;
    }
    let export = sections.iter().find(|s| s.id == 7);
    if let Some(sec) = export {
        match exported_memory0(&wasm[sec.body..sec.end]) {
            Some(Some(name)) => {
                return Patched {
                    bytes: wasm.to_vec(),
                    memory_export: Some(name),
                };
            }
            Some(None) => {}
            None => return unchanged,
        }
    }
    let mut entry = Vec::new();
    push_leb(&mut entry, MEMORY_EXPORT.len() as u64);
    entry.extend_from_slice(MEMORY_EXPORT.as_bytes());
    entry.extend_from_slice(&[0x02, 0x00]);
    let mut out = Vec::with_capacity(wasm.len() + 32);
    match export {
        Some(sec) => {
            let Some((count, n)) = leb(wasm, sec.body) else {
                return unchanged;
            };
            let mut body = Vec::new();
            push_leb(&mut body, count + 1);
            body.extend_from_slice(&wasm[sec.body + n..sec.end]);
            body.extend_from_slice(&entry);
            out.extend_from_slice(&wasm[..sec.start]);
            push_section(&mut out, 7, &body);
            out.extend_from_slice(&wasm[sec.end..]);
        }
        None => {
            // Before the first section that must follow exports: start, element, data count,
            // code, data.
            let at = sections
                .iter()
                .find(|s| matches!(s.id, 8..=12))
                .map_or(wasm.len(), |s| s.start);
            let mut body = vec![1];
            body.extend_from_slice(&entry);
            out.extend_from_slice(&wasm[..at]);
            push_section(&mut out, 7, &body);
            out.extend_from_slice(&wasm[at..]);
        }
    }
    Patched {
        bytes: out,
        memory_export: Some(MEMORY_EXPORT.to_string()),
    }
}

pub(super) struct Section {
    pub(super) id: u8,
    pub(super) start: usize,
    pub(super) body: usize,
    pub(super) end: usize,
}

pub(super) fn sections(wasm: &[u8]) -> Option<Vec<Section>> {
    if wasm.len() < 8 || wasm[..4] != *b"\0asm" || wasm[4..8] != [1, 0, 0, 0] {
        return None;
    }
    let mut out = Vec::new();
    let mut pos = 8;
    while pos < wasm.len() {
        let id = wasm[pos];
        let (size, n) = leb(wasm, pos + 1)?;
        let body = pos + 1 + n;
        let end = body.checked_add(usize::try_from(size).ok()?)?;
        if end > wasm.len() {
            return None;
        }
        out.push(Section {
            id,
            start: pos,
            body,
            end,
        });
        pos = end;
    }
    Some(out)
}

/// `Some(Some(name))` if memory 0 is exported, `Some(None)` if not, `None` if malformed.
fn exported_memory0(body: &[u8]) -> Option<Option<String>> {
    let (count, mut pos) = leb(body, 0)?;
    for _ in 0..count {
        let (len, n) = leb(body, pos)?;
        let name_start = pos + n;
        let name_end = name_start.checked_add(usize::try_from(len).ok()?)?;
        let name = body.get(name_start..name_end)?;
        let kind = *body.get(name_end)?;
        let (index, n) = leb(body, name_end + 1)?;
        pos = name_end + 1 + n;
        if kind == 0x02 && index == 0 {
            return Some(Some(String::from_utf8(name.to_vec()).ok()?));
        }
    }
    Some(None)
}

/// An unsigned LEB128 of at most 5 bytes at `pos`: (value, length).
pub(super) fn leb(bytes: &[u8], pos: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for i in 0..5 {
        let b = *bytes.get(pos + i)?;
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

pub(super) fn push_leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

pub(super) fn push_section(out: &mut Vec<u8>, id: u8, body: &[u8]) {
    out.push(id);
    push_leb(out, body.len() as u64);
    out.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn exports(wasm: &[u8]) -> Vec<String> {
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(&engine, wasm).expect("valid");
        module.exports().map(|e| e.name().to_string()).collect()
    }

    #[test]
    fn adds_export_section() {
        let wasm = wat::parse_str("(module (memory 1) (func) (start 0))").unwrap();
        let p = export_memory(&wasm);
        assert_eq!(p.memory_export.as_deref(), Some(MEMORY_EXPORT));
        assert_eq!(exports(&p.bytes), vec![MEMORY_EXPORT.to_string()]);
    }

    #[test]
    fn extends_export_section() {
        let wasm = wat::parse_str(r#"(module (memory 1) (func (export "f")))"#).unwrap();
        let p = export_memory(&wasm);
        assert_eq!(
            exports(&p.bytes),
            vec!["f".to_string(), MEMORY_EXPORT.to_string()]
        );
    }

    #[test]
    fn keeps_existing_export() {
        let wasm = wat::parse_str(r#"(module (memory (export "mem") 1))"#).unwrap();
        let p = export_memory(&wasm);
        assert_eq!(p.bytes, wasm);
        assert_eq!(p.memory_export.as_deref(), Some("mem"));
    }

    #[test]
    fn no_memory_no_change() {
        let wasm = wat::parse_str("(module (func))").unwrap();
        assert_eq!(
            export_memory(&wasm),
            Patched {
                bytes: wasm,
                memory_export: None
            }
        );
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut wasm = b"\0asm\x01\0\0\0".to_vec();
            wasm.extend_from_slice(&bytes);
            let _ = export_memory(&wasm);
            let _ = export_memory(&bytes);
        }
    }
}
