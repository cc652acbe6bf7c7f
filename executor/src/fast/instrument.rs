//! What a boundary hash needs that wasmtime does not expose (`docs/machine.md` §9, "How the fast
//! path computes boundaries"): every mutable global gets an export, and every `data.drop` also
//! sets a flag global of its segment, itself exported. What the guard against segments longer
//! on the VM needs ("Fuel and the segment bound"): every `memory.fill`, `memory.copy` and
//! `memory.init` first adds its length to an exported `i64` counter (the VM takes a step per
//! leaf where wasmtime charges one unit of fuel), through a scratch local appended to the
//! function's locals. The code is otherwise unchanged: the added globals and locals come after
//! the module's own, so no index moves, and the added instructions (`i32.const 1`, `global.set`
//! after each `data.drop`; `local.tee`, `global.get`, `local.get`, `i64.extend_i32_u`,
//! `i64.add`, `global.set` before each bulk operation) cannot trap.

use super::patch::{leb, push_leb, push_section, sections};
use wasmparser::{Operator, Parser, Payload, TypeRef};

/// Export name prefix of the mutable globals (`__opml_global_<k>`, `k` in lowered order).
const GLOBAL_EXPORT: &str = "__opml_global_";
/// Export name prefix of the dropped flags (`__opml_dropped_<segment index>`).
const DROPPED_EXPORT: &str = "__opml_dropped_";
/// Export name of the bulk byte counter.
const BULK_EXPORT: &str = "__opml_bulk_bytes";

/// The exports an instrumented module adds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StateExports {
    /// The mutable globals' export names, in lowered order (their index order).
    pub(crate) globals: Vec<String>,
    /// For each data segment some `data.drop` names: its index and its flag's export name (the
    /// flag is `i32` 1 once dropped). A segment no code drops is never dropped.
    pub(crate) dropped: Vec<(u32, String)>,
    /// The export name of the `i64` counter of bytes `memory.fill`, `memory.copy` and
    /// `memory.init` were asked to move; `None` in a module without them (none moved).
    pub(crate) bulk_bytes: Option<String>,
    /// The most values any function type takes or returns (at least 1): the most a branch or a
    /// return keeps while the VM drops what lies under them.
    pub(crate) max_arity: u64,
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
    imported_funcs: u32,
    /// `(params, results)` of each type.
    types: Vec<(u32, u32)>,
    /// The type of each defined function.
    funcs: Vec<u32>,
    /// Mutability of each defined global.
    mutable: Vec<bool>,
    export_names: Vec<String>,
    bodies: Vec<Body>,
}

/// Where a function body is instrumented.
#[derive(Default)]
struct Body {
    /// Absolute offsets: where each `data.drop` ends (and its segment), where each bulk
    /// operation starts (`None`), in code order.
    edits: Vec<(usize, Option<u32>)>,
    /// Where the locals declarations end, their groups and the locals they declare.
    locals_end: usize,
    groups: u64,
    declared: u64,
}

impl Scan {
    fn has_bulk(&self) -> bool {
        self.bodies
            .iter()
            .any(|b| b.edits.iter().any(|e| e.1.is_none()))
    }
}

fn scan(wasm: &[u8]) -> Option<Scan> {
    let mut s = Scan::default();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    let t = t.ok()?;
                    s.types
                        .push((t.params().len() as u32, t.results().len() as u32));
                }
            }
            Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    match import.ok()?.ty {
                        TypeRef::Global(_) => s.imported_globals += 1,
                        TypeRef::Func(_) => s.imported_funcs += 1,
                        _ => {}
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for f in r {
                    s.funcs.push(f.ok()?);
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
                let mut b = Body::default();
                let mut locals = body.get_binary_reader();
                b.groups = u64::from(locals.read_var_u32().ok()?);
                for _ in 0..b.groups {
                    b.declared += u64::from(locals.read_var_u32().ok()?);
                    locals.read::<wasmparser::ValType>().ok()?;
                }
                b.locals_end = locals.original_position();
                let mut ops = body.get_operators_reader().ok()?;
                while !ops.eof() {
                    let at = ops.original_position();
                    match ops.read().ok()? {
                        Operator::DataDrop { data_index } => {
                            b.edits.push((ops.original_position(), Some(data_index)));
                        }
                        Operator::MemoryFill { .. }
                        | Operator::MemoryCopy { .. }
                        | Operator::MemoryInit { .. } => b.edits.push((at, None)),
                        _ => {}
                    }
                }
                s.bodies.push(b);
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
        .any(|n| n.starts_with(GLOBAL_EXPORT) || n.starts_with(DROPPED_EXPORT) || n == BULK_EXPORT)
    {
        return None;
    }
    let mut dropped: Vec<u32> = s
        .bodies
        .iter()
        .flat_map(|b| b.edits.iter().filter_map(|e| e.1))
        .collect();
    dropped.sort_unstable();
    dropped.dedup();
    let first_flag = s.imported_globals + s.mutable.len() as u32;
    let flag_of = |seg: u32| first_flag + dropped.binary_search(&seg).unwrap_or(0) as u32;
    let bulk = s.has_bulk();
    let counter = first_flag + dropped.len() as u32;

    let max_arity = s.types.iter().map(|&(p, r)| p.max(r)).max().unwrap_or(0);
    let mut exports = StateExports {
        max_arity: u64::from(max_arity.max(1)),
        ..StateExports::default()
    };
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
    if bulk {
        export_entry(&mut new_exports, BULK_EXPORT, counter);
        exports.bulk_bytes = Some(BULK_EXPORT.to_string());
    }
    if new_exports.is_empty() {
        return Some(Instrumented {
            bytes: wasm.to_vec(),
            exports,
        });
    }
    let n_exports = exports.globals.len() + exports.dropped.len() + usize::from(bulk);
    // A flag: (mut i32) initialised to 0; the counter: (mut i64) initialised to 0.
    let mut new_globals: Vec<u8> = dropped
        .iter()
        .flat_map(|_| [0x7f, 0x01, 0x41, 0x00, 0x0b])
        .collect();
    if bulk {
        new_globals.extend_from_slice(&[0x7e, 0x01, 0x42, 0x00, 0x0b]);
    }
    let n_globals = dropped.len() + usize::from(bulk);

    let mut out = Vec::with_capacity(wasm.len() + new_exports.len() + 64);
    out.extend_from_slice(&wasm[..8]);
    let (mut globals_done, mut exports_done) = (n_globals == 0, false);
    for sec in layout {
        let contents = &wasm[sec.body..sec.end];
        // Sections that must come after globals / exports: start, element, data count, code,
        // data (and exports for globals).
        if !globals_done && matches!(sec.id, 7..=12) {
            push_section(&mut out, 6, &extend_vec(&[0], &new_globals, n_globals)?);
            globals_done = true;
        }
        if !exports_done && matches!(sec.id, 8..=12) {
            push_section(&mut out, 7, &extend_vec(&[0], &new_exports, n_exports)?);
            exports_done = true;
        }
        match sec.id {
            6 if !globals_done => {
                let body = extend_vec(contents, &new_globals, n_globals)?;
                push_section(&mut out, 6, &body);
                globals_done = true;
            }
            7 => {
                let body = extend_vec(contents, &new_exports, n_exports)?;
                push_section(&mut out, 7, &body);
                exports_done = true;
            }
            10 if n_globals > 0 => {
                let body = code_section(wasm, &sec, &s, &flag_of, counter)?;
                push_section(&mut out, 10, &body);
            }
            _ => out.extend_from_slice(&wasm[sec.start..sec.end]),
        }
    }
    if !globals_done {
        push_section(&mut out, 6, &extend_vec(&[0], &new_globals, n_globals)?);
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

/// wasmtime's bound on a function's locals (the VM's is `2^16`): a function that needs a
/// scratch local beyond it is not instrumented.
const MAX_LOCALS: u64 = 50_000;

/// The code section with `i32.const 1; global.set flag` after every `data.drop`, and the bulk
/// counter's update (through a scratch `i32` local appended to the function's) before every
/// bulk operation.
fn code_section(
    wasm: &[u8],
    sec: &super::patch::Section,
    s: &Scan,
    flag_of: &dyn Fn(u32) -> u32,
    counter: u32,
) -> Option<Vec<u8>> {
    let (count, n) = leb(wasm, sec.body)?;
    let mut out = Vec::with_capacity(sec.end - sec.body + 64);
    push_leb(&mut out, count);
    let mut pos = sec.body + n;
    for i in 0..usize::try_from(count).ok()? {
        let (size, n) = leb(wasm, pos)?;
        let start = pos + n;
        let end = start.checked_add(usize::try_from(size).ok()?)?;
        let b = s.bodies.get(i)?;
        let mut body = Vec::with_capacity(end - start + b.edits.len() * 16);
        let mut at = start;
        let mut scratch = None;
        if b.edits.iter().any(|e| e.1.is_none()) {
            let params = u64::from(s.types.get(*s.funcs.get(i)? as usize)?.0);
            let index = params + b.declared;
            if index >= MAX_LOCALS {
                return None;
            }
            let (_, n) = leb(wasm, start)?;
            push_leb(&mut body, b.groups + 1);
            body.extend_from_slice(wasm.get(start + n..b.locals_end)?);
            body.extend_from_slice(&[0x01, 0x7f]);
            at = b.locals_end;
            scratch = Some(index);
        }
        for &(edit, seg) in &b.edits {
            body.extend_from_slice(wasm.get(at..edit)?);
            match (seg, scratch) {
                (Some(seg), _) => {
                    body.extend_from_slice(&[0x41, 0x01, 0x24]);
                    push_leb(&mut body, u64::from(flag_of(seg)));
                }
                (None, Some(t)) => {
                    // [.. n] -> counter += n -> [.. n]
                    body.push(0x22);
                    push_leb(&mut body, t);
                    body.push(0x23);
                    push_leb(&mut body, u64::from(counter));
                    body.push(0x20);
                    push_leb(&mut body, t);
                    body.extend_from_slice(&[0xad, 0x7c, 0x24]);
                    push_leb(&mut body, u64::from(counter));
                }
                (None, None) => return None,
            }
            at = edit;
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

    /// Bulk operations add their lengths to the counter, in functions with params and locals
    /// (the scratch local comes after them), beside a `data.drop` flag.
    #[test]
    fn counts_the_bytes_bulk_operations_move() {
        let wasm = wat::parse_str(
            r#"(module (memory 1) (data $d "abcdef") (global $g (mut i32) (i32.const 0))
              (func (export "f") (param $p i32) (local $l i64) (local $m i32)
                (local.set $l (i64.const 5)) (local.set $m (i32.const 9))
                (memory.fill (i32.const 0) (i32.const 7) (local.get $p))
                (memory.copy (i32.const 100) (i32.const 0) (i32.const 50))
                (memory.init $d (i32.const 200) (i32.const 1) (i32.const 3))
                (data.drop $d)
                (global.set $g (i32.add (local.get $m) (i32.wrap_i64 (local.get $l)))))
              (func (export "g") (result i32 i32 i32) (i32.const 1) (i32.const 2) (i32.const 3))
              (func (export "h") (memory.fill (i32.const 0) (i32.const 0) (i32.const 54))))"#,
        )
        .unwrap();
        let ins = instrument(&wasm).unwrap();
        assert_eq!(ins.exports.bulk_bytes.as_deref(), Some(BULK_EXPORT));
        assert_eq!(ins.exports.max_arity, 3);
        let (mut store, inst) = instance(&ins.bytes);
        let f = inst.get_typed_func::<i32, ()>(&mut store, "f").unwrap();
        f.call(&mut store, 1000).unwrap();
        assert_eq!(global(&mut store, &inst, BULK_EXPORT), 1053);
        assert_eq!(global(&mut store, &inst, "__opml_dropped_0"), 1);
        assert_eq!(global(&mut store, &inst, "__opml_global_0"), 14);
        let h = inst.get_typed_func::<(), ()>(&mut store, "h").unwrap();
        h.call(&mut store, ()).unwrap();
        assert_eq!(global(&mut store, &inst, BULK_EXPORT), 1107);
        // Without bulk operations: no counter.
        let plain = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
        let ins = instrument(&plain).unwrap();
        assert_eq!((ins.exports.bulk_bytes, ins.exports.max_arity), (None, 1));
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
