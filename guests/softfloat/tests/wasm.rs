//! Checks the committed build `vm/softfloat/softfloat.wasm`: integer-only, the routines touch
//! no memory and no global, and every routine is exported with its integer signature.

use std::collections::{BTreeMap, BTreeSet};
use wasmparser::{ExternalKind, Operator, Parser, Payload, TypeRef, ValType};

const WASM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../vm/softfloat/softfloat.wasm"
);

/// Every routine with its expected wasm signature (`i` = i32, `I` = i64).
fn expected() -> BTreeMap<String, (String, String)> {
    let mut m = BTreeMap::new();
    let mut add = |name: String, params: &str, results: &str| {
        m.insert(name, (params.to_string(), results.to_string()));
    };
    for (f, t) in [("f32", "i"), ("f64", "I")] {
        for op in ["add", "sub", "mul", "div", "min", "max", "copysign"] {
            add(format!("{f}_{op}"), &t.repeat(2), t);
        }
        for op in ["sqrt", "ceil", "floor", "trunc", "nearest", "abs", "neg"] {
            add(format!("{f}_{op}"), t, t);
        }
        for op in ["eq", "ne", "lt", "gt", "le", "ge"] {
            add(format!("{f}_{op}"), &t.repeat(2), "i");
        }
    }
    for (i, it) in [("i32", "i"), ("i64", "I")] {
        for (f, ft) in [("f32", "i"), ("f64", "I")] {
            for s in ["s", "u"] {
                add(format!("{i}_trunc_{f}_{s}"), ft, it);
                add(format!("{i}_trunc_sat_{f}_{s}"), ft, it);
                add(format!("{f}_convert_{i}_{s}"), it, ft);
            }
        }
    }
    add("f32_demote_f64".into(), "I", "i");
    add("f64_promote_f32".into(), "i", "I");
    m
}

fn letters(types: &[ValType]) -> String {
    types
        .iter()
        .map(|t| match t {
            ValType::I32 => 'i',
            ValType::I64 => 'I',
            other => panic!("non-integer value type {other:?}"),
        })
        .collect()
}

/// Operators that read or write state other than the value stack and locals, or call
/// through a table.
fn touches_state(op: &Operator<'_>) -> bool {
    let name = format!("{op:?}");
    [
        "Load",
        "Store",
        "Memory",
        "Global",
        "Table",
        "Data",
        "Elem",
        "Atomic",
        "CallIndirect",
        "CallRef",
    ]
    .iter()
    .any(|s| name.contains(s))
}

#[test]
fn committed_wasm_is_integer_only_and_stateless() {
    let bytes = std::fs::read(WASM).expect("vm/softfloat/softfloat.wasm is committed");
    wasmparser::Validator::new()
        .validate_all(&bytes)
        .expect("valid wasm");

    let mut types = Vec::new(); // (params, results) per type index
    let mut func_types = Vec::new(); // type index per function index (imports first)
    let mut imported = Vec::new();
    let mut exports = BTreeMap::new();
    let mut bodies = Vec::new(); // (callees, touches state) per defined function
    for payload in Parser::new(0).parse_all(&bytes) {
        match payload.unwrap() {
            Payload::TypeSection(r) => {
                for ft in r.into_iter_err_on_gc_types() {
                    let ft = ft.unwrap();
                    types.push((letters(ft.params()), letters(ft.results())));
                }
            }
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.unwrap();
                    let TypeRef::Func(t) = imp.ty else {
                        panic!("unexpected non-function import {}.{}", imp.module, imp.name)
                    };
                    func_types.push(t);
                    imported.push(format!("{}.{}", imp.module, imp.name));
                }
            }
            Payload::FunctionSection(r) => func_types.extend(r.into_iter().map(Result::unwrap)),
            Payload::GlobalSection(r) => {
                for g in r {
                    letters(&[g.unwrap().ty.content_type]);
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.unwrap();
                    if e.kind == ExternalKind::Func {
                        exports.insert(e.name.to_string(), e.index);
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                for local in body.get_locals_reader().unwrap() {
                    letters(&[local.unwrap().1]);
                }
                let (mut callees, mut state) = (BTreeSet::new(), Vec::new());
                let mut ops = body.get_operators_reader().unwrap();
                while !ops.eof() {
                    let op = ops.read().unwrap();
                    let name = format!("{op:?}");
                    assert!(
                        !name.contains("F32") && !name.contains("F64"),
                        "float instruction {name}"
                    );
                    if let Operator::Call { function_index } = op {
                        callees.insert(function_index);
                    }
                    if touches_state(&op) {
                        state.push(name);
                    }
                }
                bodies.push((callees, state));
            }
            _ => {}
        }
    }

    assert_eq!(
        imported,
        [
            "opml_softfloat.trap_invalid_conversion",
            "opml_softfloat.trap_integer_overflow"
        ],
        "only the two trap imports"
    );
    for &t in &func_types[..imported.len()] {
        assert_eq!(
            types[t as usize],
            (String::new(), String::new()),
            "trap imports are [] -> []"
        );
    }

    let expected = expected();
    assert_eq!(expected.len(), 66);
    for (name, sig) in &expected {
        let idx = *exports
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not exported"));
        assert_eq!(
            &types[func_types[idx as usize] as usize], sig,
            "signature of {name}"
        );
    }

    // No memory or global access in anything reachable from the routines.
    let mut todo: Vec<u32> = expected.keys().map(|n| exports[n]).collect();
    let mut seen = BTreeSet::new();
    while let Some(f) = todo.pop() {
        if !seen.insert(f) {
            continue;
        }
        let Some(defined) = (f as usize).checked_sub(imported.len()) else {
            continue;
        };
        let (callees, state) = &bodies[defined];
        assert!(
            state.is_empty(),
            "function {f} touches memory or globals: {state:?}"
        );
        todo.extend(callees);
    }
}
