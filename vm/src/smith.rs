//! wasm-smith configured for the deterministic profile (`docs/profile.md`), so every random-module
//! test in the workspace generates from one definition. Callers override only the shape they need
//! (sizes, exports, traps) with struct update syntax:
//!
//! ```
//! let config = wasm_smith::Config { disallow_traps: true, ..opml_vm::smith::profile_config() };
//! assert!(!config.simd_enabled);
//! ```

/// The profile's features on, everything outside it off; no imports, at most one memory of at
/// most 4 pages and one table of at most 64 elements.
pub fn profile_config() -> wasm_smith::Config {
    wasm_smith::Config {
        // In the profile.
        multi_value_enabled: true,
        bulk_memory_enabled: true,
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        // Outside it.
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        reference_types_enabled: false,
        gc_enabled: false,
        exceptions_enabled: false,
        tail_call_enabled: false,
        memory64_enabled: false,
        extended_const_enabled: false,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        // The host interface is the only import a program may have; generated modules use none.
        max_imports: 0,
        max_memories: 1,
        max_memory32_bytes: 4 * 65536,
        max_tables: 1,
        max_table_elements: 64,
        ..wasm_smith::Config::default()
    }
}
