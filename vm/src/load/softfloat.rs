//! Linking the soft-float routine library: only the routines a program needs, and their
//! callees, lowered after the program's functions (docs/machine.md §2, docs/profile.md).

use super::error::{LoadError, Result};
use super::lower::{Callee, Emitter, lower_function};
use super::module::{Module, Role};
use super::ops::Routine;
use crate::Limits;
use std::collections::{BTreeMap, BTreeSet};
use wasmparser::Operator;

/// The library linked into every program, once engineer D's build is committed
/// (`vm/softfloat/softfloat.wasm`). `None` until then: programs using float arithmetic fail
/// to load with [`LoadError::SoftFloat`].
pub(crate) const LIBRARY: Option<&[u8]> = Some(include_bytes!("../../softfloat/softfloat.wasm"));

/// The lowered library routines: library function index → `(pc, n_locals)`.
pub(crate) type LibPcs = BTreeMap<u32, (u32, u32)>;

/// Lowers the routines that `e.calls` needs from `library` into `e`; returns where each
/// lowered library function starts and the export index for each routine name.
pub(crate) fn link(
    e: &mut Emitter,
    library: Option<&[u8]>,
    limits: &Limits,
) -> Result<(LibPcs, BTreeMap<&'static str, u32>)> {
    let mut needed: Vec<(Routine, usize)> = Vec::new();
    for (_, callee) in &e.calls {
        if let Callee::Float(r, offset) = *callee
            && !needed.iter().any(|(n, _)| n.0 == r.0)
        {
            needed.push((r, offset));
        }
    }
    let mut routines = BTreeMap::new();
    let Some(&((first, _), offset)) = needed.first() else {
        return Ok((LibPcs::new(), routines));
    };
    let Some(bytes) = library else {
        return Err(LoadError::SoftFloat {
            routine: first.to_string(),
            offset,
            reason: "no soft-float library is linked into this build".into(),
        });
    };
    let lib_err = |e: LoadError| LoadError::SoftFloat {
        routine: "(library)".into(),
        offset: 0,
        reason: format!("the soft-float library does not load: {e}"),
    };
    let mut lib = Module::parse(bytes, Role::SoftFloat, limits).map_err(lib_err)?;
    let mut work = Vec::new();
    for ((name, (params, result)), offset) in needed {
        let err = |reason: &str| LoadError::SoftFloat {
            routine: name.to_string(),
            offset,
            reason: reason.to_string(),
        };
        let f = lib.exports.iter().find(|x| x.0 == name).map(|x| x.1);
        let f = f.ok_or_else(|| err("the library does not export it"))?;
        if f < lib.n_imports() {
            return Err(err("the library exports an import under this name"));
        }
        let sig = lib.func_sig(f).ok_or_else(|| err("no signature"))?;
        if sig.params != params || sig.results != [result] {
            return Err(err("the library's routine has the wrong signature"));
        }
        routines.insert(name, f);
        work.push(f);
    }
    // Close over direct calls, then lower in library index order (deterministic).
    let mut reachable = BTreeSet::new();
    while let Some(f) = work.pop() {
        if f < lib.n_imports() || !reachable.insert(f) {
            continue;
        }
        let body = lib
            .bodies
            .get((f - lib.n_imports()) as usize)
            .ok_or_else(|| lib_err(LoadError::invalid(0, "missing body")))?;
        let mut ops = body
            .body
            .get_operators_reader()
            .map_err(|e| lib_err(e.into()))?;
        while !ops.eof() {
            if let Operator::Call { function_index } = ops.read().map_err(|e| lib_err(e.into()))? {
                work.push(function_index);
            }
        }
    }
    let names: BTreeMap<u32, &str> = lib
        .exports
        .iter()
        .map(|(n, f, _)| (*f, n.as_str()))
        .collect();
    let bodies = std::mem::take(&mut lib.bodies);
    let mut pcs = LibPcs::new();
    for (i, body) in bodies.into_iter().enumerate() {
        let f = lib.n_imports() + i as u32;
        if !reachable.contains(&f) {
            continue;
        }
        let pc = e.code.len() as u32;
        let label = names
            .get(&f)
            .map_or_else(|| format!("library function {f}"), |n| n.to_string());
        let n_locals = lower_function(e, &lib, f, body, &label).map_err(|err| match err {
            LoadError::SoftFloat { .. } | LoadError::Limit { .. } => err,
            other => lib_err(other),
        })?;
        pcs.insert(f, (pc, n_locals));
    }
    Ok((pcs, routines))
}
