//! Load errors: every way a byte string can fail to become a [`crate::Program`].

/// Why a wasm binary cannot be loaded. Offsets are byte offsets into the binary that was
/// loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Malformed or invalid WebAssembly (wasmparser's message).
    #[error("invalid wasm at byte offset {offset:#x}: {message}")]
    Invalid {
        /// Where.
        offset: usize,
        /// wasmparser's description.
        message: String,
    },
    /// Valid wasm, but outside the deterministic profile (see `docs/profile.md`).
    #[error("unsupported feature `{feature}` at byte offset {offset:#x}: {detail}")]
    Unsupported {
        /// The proposal or feature, e.g. `simd`, `threads`, `reference-types`.
        feature: &'static str,
        /// Where.
        offset: usize,
        /// What exactly was found.
        detail: String,
    },
    /// An import other than the `opml` host functions with their exact types.
    #[error("import `{module}.{name}` at byte offset {offset:#x} rejected: {reason}")]
    Import {
        /// The import's module name.
        module: String,
        /// The import's field name.
        name: String,
        /// Where.
        offset: usize,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// A bound of [`crate::Limits`] or of the machine's trees is exceeded.
    #[error("limit exceeded at byte offset {offset:#x}: {what}")]
    Limit {
        /// Where (the item that went over).
        offset: usize,
        /// Which bound, with the figures.
        what: String,
    },
    /// The requested entry function is missing or does not fit.
    #[error("entry: {reason}")]
    Entry {
        /// What is wrong.
        reason: String,
    },
}

/// The crate-internal result alias for loading.
pub(crate) type Result<T, E = LoadError> = core::result::Result<T, E>;

impl LoadError {
    /// Maps a wasmparser error: a missing wasm feature becomes [`LoadError::Unsupported`].
    pub(crate) fn from_wasmparser(e: &wasmparser::BinaryReaderError) -> Self {
        let offset = e.offset();
        let message = e.message().to_string();
        if let Some(f) = e.missing_wasm_feature() {
            return LoadError::Unsupported {
                feature: feature_name(f),
                offset,
                detail: message,
            };
        }
        match feature_from_message(&message) {
            Some(feature) => LoadError::Unsupported {
                feature,
                offset,
                detail: message,
            },
            None => LoadError::Invalid { offset, message },
        }
    }

    /// A feature outside the profile.
    pub(crate) fn unsupported(
        feature: &'static str,
        offset: usize,
        detail: impl Into<String>,
    ) -> Self {
        LoadError::Unsupported {
            feature,
            offset,
            detail: detail.into(),
        }
    }

    /// An invalid construct found by the loader itself.
    pub(crate) fn invalid(offset: usize, message: impl Into<String>) -> Self {
        LoadError::Invalid {
            offset,
            message: message.into(),
        }
    }

    /// A limit exceeded.
    pub(crate) fn limit(offset: usize, what: impl Into<String>) -> Self {
        LoadError::Limit {
            offset,
            what: what.into(),
        }
    }
}

impl From<wasmparser::BinaryReaderError> for LoadError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        LoadError::from_wasmparser(&e)
    }
}

/// A stable name for a wasmparser feature flag.
fn feature_name(f: wasmparser::WasmFeatures) -> &'static str {
    use wasmparser::WasmFeatures as F;
    const NAMES: &[(F, &str)] = &[
        (F::SIMD, "simd"),
        (F::RELAXED_SIMD, "relaxed-simd"),
        (F::THREADS, "threads"),
        (F::SHARED_EVERYTHING_THREADS, "shared-everything-threads"),
        (F::MEMORY64, "memory64"),
        (F::MULTI_MEMORY, "multi-memory"),
        (F::REFERENCE_TYPES, "reference-types"),
        (F::GC, "gc"),
        (F::GC_TYPES, "reference-types"),
        (F::FUNCTION_REFERENCES, "function-references"),
        (F::EXCEPTIONS, "exceptions"),
        (F::LEGACY_EXCEPTIONS, "legacy-exceptions"),
        (F::TAIL_CALL, "tail-call"),
        (F::EXTENDED_CONST, "extended-const"),
        (F::COMPONENT_MODEL, "component-model"),
        (F::MEMORY_CONTROL, "memory-control"),
        (F::CUSTOM_PAGE_SIZES, "custom-page-sizes"),
        (F::STACK_SWITCHING, "stack-switching"),
        (F::WIDE_ARITHMETIC, "wide-arithmetic"),
        (F::MULTI_VALUE, "multi-value"),
        (F::BULK_MEMORY, "bulk-memory"),
        (F::SATURATING_FLOAT_TO_INT, "saturating-float-to-int"),
        (F::SIGN_EXTENSION, "sign-extension"),
        (F::MUTABLE_GLOBAL, "mutable-global"),
        (F::FLOATS, "floats"),
    ];
    NAMES
        .iter()
        .find(|(flag, _)| f.intersects(*flag))
        .map_or("unknown", |(_, n)| n)
}

/// Some wasmparser feature errors carry no flag; recognise them by message.
fn feature_from_message(m: &str) -> Option<&'static str> {
    let m = m.to_ascii_lowercase();
    const KEYS: &[(&str, &str)] = &[
        ("relaxed simd", "relaxed-simd"),
        ("simd", "simd"),
        ("shared", "threads"),
        ("threads", "threads"),
        ("memory64", "memory64"),
        ("64-bit", "memory64"),
        ("multiple memories", "multi-memory"),
        ("multi-memory", "multi-memory"),
        ("exception", "exceptions"),
        ("tail call", "tail-call"),
        ("component", "component-model"),
        ("gc ", "gc"),
        ("function references", "function-references"),
        ("extended const", "extended-const"),
        ("not enabled", "unknown"),
    ];
    KEYS.iter().find(|(k, _)| m.contains(k)).map(|(_, f)| *f)
}
