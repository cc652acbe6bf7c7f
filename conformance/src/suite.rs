//! Where the spec suite is and which of its files are in the profile.

use std::path::{Path, PathBuf};

/// The files of the WebAssembly spec suite whose modules are (mostly) in the deterministic
/// profile. `cargo test -p opml-conformance` requires every in-profile directive in them to pass
/// on both engines. Float files are listed apart in [`FLOAT_FILES`] (see `docs/conformance.md`).
pub const IN_PROFILE: &[&str] = &[
    "address.wast",
    "align.wast",
    "binary-leb128.wast",
    "binary.wast",
    "block.wast",
    "br.wast",
    "br_if.wast",
    "br_table.wast",
    "bulk.wast",
    "call.wast",
    "call_indirect.wast",
    "comments.wast",
    "const.wast",
    "custom.wast",
    "data.wast",
    "elem.wast",
    "endianness.wast",
    "exports.wast",
    "exports0.wast",
    "fac.wast",
    "forward.wast",
    "func.wast",
    "func_ptrs.wast",
    "global.wast",
    "i32.wast",
    "i64.wast",
    "if.wast",
    "imports.wast",
    "imports0.wast",
    "imports3.wast",
    "inline-module.wast",
    "int_exprs.wast",
    "int_literals.wast",
    "labels.wast",
    "left-to-right.wast",
    "linking.wast",
    "linking0.wast",
    "linking3.wast",
    "load.wast",
    "local_get.wast",
    "local_set.wast",
    "local_tee.wast",
    "loop.wast",
    "memory.wast",
    "memory_copy.wast",
    "memory_fill.wast",
    "memory_grow.wast",
    "memory_init.wast",
    "memory_redundancy.wast",
    "memory_size.wast",
    "memory_size3.wast",
    "memory_trap.wast",
    "names.wast",
    "nop.wast",
    "return.wast",
    "select.wast",
    "skip-stack-guard-page.wast",
    "stack.wast",
    "start.wast",
    "store.wast",
    "store1.wast",
    "switch.wast",
    "table.wast",
    "token.wast",
    "traps.wast",
    "type.wast",
    "unreachable.wast",
    "unreached-invalid.wast",
    "unwind.wast",
    "utf8-custom-section-id.wast",
    "utf8-import-field.wast",
    "utf8-import-module.wast",
];

/// Float files: in the profile, run through the soft-float library on the VM.
pub const FLOAT_FILES: &[&str] = &[
    "conversions.wast",
    "f32.wast",
    "f32_bitwise.wast",
    "f32_cmp.wast",
    "f64.wast",
    "f64_bitwise.wast",
    "f64_cmp.wast",
    "float_exprs.wast",
    "float_literals.wast",
    "float_memory.wast",
    "float_misc.wast",
];

/// The spec suite directory: `$OPML_WASM_TESTSUITE`, else `../shared/wasm-testsuite` relative
/// to the repository root. `None` when it does not exist.
pub fn suite_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("OPML_WASM_TESTSUITE") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/wasm-testsuite"),
    };
    dir.is_dir().then_some(dir)
}

/// Whether a missing suite must fail the run (`CI=true`) rather than skip it.
pub fn suite_required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_disjoint_and_sorted() {
        for list in [IN_PROFILE, FLOAT_FILES] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
        }
        assert!(IN_PROFILE.iter().all(|f| !FLOAT_FILES.contains(f)));
    }
}
