//! What a boundary hash needs that wasmtime does not expose (`docs/machine.md` §9, "How the fast
//! path computes boundaries"): every mutable global gets an export, and every `data.drop` also
//! sets a flag global of its segment, itself exported. The code is otherwise unchanged: the flag
//! globals are appended after the module's own, so no index moves, and the two instructions
//! added after each `data.drop` (`i32.const 1`, `global.set`) cannot trap.

use super::patch::{leb, push_leb, push_section, sections};
use wasmparser::{Operator, Parser, Payload, TypeRef};

/// Export name prefix of the mutable globals (`__opml_global_<k>`, `k` in lowered order).
const GLOBAL_EXPORT: &str = "__opml_global_";
/// Export name prefix of the dropped flags (`__opml_dropped_<segment index>`).
const DROPPED_EXPORT: &str = "__opml_dropped_";

/// The exports an instrumented module adds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StateExports {
    /// The mutable globals' export names, in lowered order (their index order).
    pub(crate) globals: Vec<String>,
    /// For each data segment some `data.drop` names: its index and its flag's export name (the
    /// flag is `i32` 1 once dropped). A segment no code drops is never dropped.
    pub(crate) dropped: Vec<(u32, String)>,
}

/// An instrumented module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Instrumented {
    /// The module bytes.
    pub(crate) bytes: Vec<u8>,
    /// What it exports for the boundary hashes.
    pub(crate) exports: StateExports,
}

/// What parsing found.
#[derive(Default)]
struct Scan {
    imported_globals: u32,
    /// Mutability of each defined global.
    mutable: Vec<bool>,
    export_names: Vec<String>,
    /// Per function body: where each `data.drop` ends (absolute offset) and its segment.
    drops: Vec<Vec<(usize, u32)>>,
}

fn scan(wasm: &[u8]) -> Option<Scan> {
    let mut s = Scan::default();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    if matches!(import.ok()?.ty, TypeRef::Global(_)) {
                        s.imported_globals += 1;
                    }
                }
            }
            Payload::GlobalSection(r) => {
                for g in r {
                    s.mutable.push(g.ok()?.ty.mutable);
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    s.export_names.push(e.ok()?.name.to_string());
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut ops = body.get_operators_reader().ok()?;
                let mut drops = Vec::new();
                while !ops.eof() {
                    if let Operator::DataDrop { data_index } = ops.read().ok()? {
                        drops.push((ops.original_position(), data_index));
                    }
                }
                s.drops.push(drops);
            }
            _ => {}
        }
    }
    Some(s)
}

/// Instruments `wasm` (see the module docs); `None` when it cannot be parsed or already uses the
/// reserved export names (wasmtime then compiles it unchanged and boundaries are unavailable).
pub(crate) fn instrument(wasm: &[u8]) -> Option<Instrumented> {
    let s = scan(wasm)?;
    let layout = sections(wasm)?;
    if s.export_names
        .iter()
        .any(|n| n.starts_with(GLOBAL_EXPORT) || n.starts_with(DROPPED_EXPORT))
    {
        return None;
    }
    let mut dropped: Vec<u32> = s.drops.iter().flatten().map(|&(_, d)| d).collect();
    dropped.sort_unstable();
    dropped.dedup();
    let first_flag = s.imported_globals + s.mutable.len() as u32;
    let flag_of = |seg: u32| first_flag + dropped.binary_search(&seg).unwrap_or(0) as u32;

    let mut exports = StateExports::default();
    let mut new_exports = Vec::new();
    let mut k = 0;
    for (i, &mutable) in s.mutable.iter().enumerate() {
        if mutable {
            let name = format!("{GLOBAL_EXPORT}{k}");
            export_entry(&mut new_exports, &name, s.imported_globals + i as u32);
            exports.globals.push(name);
            k += 1;
        }
    }
    for &seg in &dropped {
        let name = format!("{DROPPED_EXPORT}{seg}");
        export_entry(&mut new_exports, &name, flag_of(seg));
        exports.dropped.push((seg, name));
    }
    if new_exports.is_empty() {
        return Some(Instrumented {
            bytes: wasm.to_vec(),
            exports,
        });
    }
    let n_exports = exports.globals.len() + exports.dropped.len();
    // A flag: (mut i32) initialised to 0.
    let new_globals: Vec<u8> = dropped
        .iter()
        .flat_map(|_| [0x7f, 0x01, 0x41, 0x00, 0x0b])
        .collect();

    let mut out = Vec::with_capacity(wasm.len() + new_exports.len() + 64);
    out.extend_from_slice(&wasm[..8]);
    let (mut globals_done, mut exports_done) = (dropped.is_empty(), false);
    let mut bodies = s.drops.iter();
    for sec in layout {
        let contents = &wasm[sec.body..sec.end];
        // Sections that must come after globals / exports: start, element, data count, code,
        // data (and exports for globals).
        if !globals_done && matches!(sec.id, 7..=12) {
            push_section(&mut out, 6, &extend_vec(&[0], &new_globals, dropped.len())?);
            globals_done = true;
        }
        if !exports_done && matches!(sec.id, 8..=12) {
            push_section(&mut out, 7, &extend_vec(&[0], &new_exports, n_exports)?);
            exports_done = true;
        }
        match sec.id {
            6 if !globals_done => {
                let body = extend_vec(contents, &new_globals, dropped.len())?;
                push_section(&mut out, 6, &body);
                globals_done = true;
            }
            7 => {
                let body = extend_vec(contents, &new_exports, n_exports)?;
                push_section(&mut out, 7, &body);
                exports_done = true;
            }
            10 if !dropped.is_empty() => {
                let body = code_section(wasm, &sec, &mut bodies, &flag_of)?;
                push_section(&mut out, 10, &body);
            }
            _ => out.extend_from_slice(&wasm[sec.start..sec.end]),
        }
    }
    if !globals_done {
        push_section(&mut out, 6, &extend_vec(&[0], &new_globals, dropped.len())?);
    }
    if !exports_done {
        push_section(&mut out, 7, &extend_vec(&[0], &new_exports, n_exports)?);
    }
    Some(Instrumented {
        bytes: out,
        exports,
    })
}

fn export_entry(out: &mut Vec<u8>, name: &str, global: u32) {
    push_leb(out, name.len() as u64);
    out.extend_from_slice(name.as_bytes());
    out.push(0x03);
    push_leb(out, u64::from(global));
}

/// A vector section's contents with `n` more entries (`entries`, encoded) at its end.
fn extend_vec(contents: &[u8], entries: &[u8], n: usize) -> Option<Vec<u8>> {
    let (count, len) = leb(contents, 0)?;
    let mut body = Vec::with_capacity(contents.len() + entries.len() + 4);
    push_leb(&mut body, count + n as u64);
    body.extend_from_slice(&contents[len..]);
    body.extend_from_slice(entries);
    Some(body)
}

/// The code section with `i32.const 1; global.set flag` after every `data.drop`.
fn code_section<'a>(
    wasm: &[u8],
    sec: &super::patch::Section,
    bodies: &mut impl Iterator<Item = &'a Vec<(usize, u32)>>,
    flag_of: &dyn Fn(u32) -> u32,
) -> Option<Vec<u8>> {
    let (count, n) = leb(wasm, sec.body)?;
    let mut out = Vec::with_capacity(sec.end - sec.body + 64);
    push_leb(&mut out, count);
    let mut pos = sec.body + n;
    for _ in 0..count {
        let (size, n) = leb(wasm, pos)?;
        let start = pos + n;
        let end = start.checked_add(usize::try_from(size).ok()?)?;
        let drops = bodies.next()?;
        let mut body = Vec::with_capacity(end - start + drops.len() * 8);
        let mut at = start;
        for &(drop_end, seg) in drops {
            body.extend_from_slice(wasm.get(at..drop_end)?);
            body.extend_from_slice(&[0x41, 0x01, 0x24]);
            push_leb(&mut body, u64::from(flag_of(seg)));
            at = drop_end;
        }
        body.extend_from_slice(wasm.get(at..end)?);
        push_leb(&mut out, body.len() as u64);
        out.extend_from_slice(&body);
        pos = end;
    }
    (pos == sec.end).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(wasm: &[u8]) -> (wasmtime::Store<()>, wasmtime::Instance) {
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(&engine, wasm).expect("instrumented module is valid");
        let mut store = wasmtime::Store::new(&engine, ());
        let inst = wasmtime::Instance::new(&mut store, &module, &[]).expect("instantiates");
        (store, inst)
    }

    fn global(store: &mut wasmtime::Store<()>, inst: &wasmtime::Instance, name: &str) -> i64 {
        match inst
            .get_global(&mut *store, name)
            .expect(name)
            .get(&mut *store)
        {
            wasmtime::Val::I32(v) => i64::from(v),
            wasmtime::Val::I64(v) => v,
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn exports_mutable_globals_and_flags_drops() {
        let wasm = wat::parse_str(
            r#"(module (memory 1)
              (global i32 (i32.const 1)) (global (mut i64) (i64.const 5))
              (global i32 (i32.const 2)) (global (mut i32) (i32.const 7))
              (data "a") (data "bc") (data "d")
              (func (export "f") (data.drop 2) (global.set 3 (i32.const 9)))
              (func (export "g") (data.drop 0) (data.drop 2)))"#,
        )
        .unwrap();
        let ins = instrument(&wasm).unwrap();
        assert_eq!(
            ins.exports.globals,
            ["__opml_global_0", "__opml_global_1"].map(String::from)
        );
        let flags: Vec<u32> = ins.exports.dropped.iter().map(|d| d.0).collect();
        assert_eq!(flags, [0, 2]);
        let (mut store, inst) = instance(&ins.bytes);
        assert_eq!(global(&mut store, &inst, "__opml_global_0"), 5);
        assert_eq!(global(&mut store, &inst, "__opml_dropped_2"), 0);
        let f = inst.get_typed_func::<(), ()>(&mut store, "f").unwrap();
        f.call(&mut store, ()).unwrap();
        assert_eq!(global(&mut store, &inst, "__opml_global_1"), 9);
        assert_eq!(global(&mut store, &inst, "__opml_dropped_2"), 1);
        assert_eq!(global(&mut store, &inst, "__opml_dropped_0"), 0);
    }

    #[test]
    fn adds_missing_sections_in_order() {
        // No global or export section; a data count section follows where they go.
        let wasm =
            wat::parse_str(r#"(module (memory 1) (data "x") (func (data.drop 0)) (start 0))"#)
                .unwrap();
        let ins = instrument(&wasm).unwrap();
        let (mut store, inst) = instance(&ins.bytes);
        assert_eq!(global(&mut store, &inst, "__opml_dropped_0"), 1);
    }

    #[test]
    fn nothing_to_add_leaves_the_module_alone() {
        let wasm = wat::parse_str(r#"(module (global i32 (i32.const 1)) (func))"#).unwrap();
        assert_eq!(instrument(&wasm).unwrap().bytes, wasm);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..96)) {
            let mut wasm = b"\0asm\x01\0\0\0".to_vec();
            wasm.extend_from_slice(&bytes);
            let _ = instrument(&wasm);
            let _ = instrument(&bytes);
        }
    }

    #[test]
    fn reserved_names_are_refused() {
        let wasm = wat::parse_str(
            r#"(module (global (export "__opml_global_0") (mut i32) (i32.const 0)))"#,
        )
        .unwrap();
        assert_eq!(instrument(&wasm), None);
    }
}
