//! Why a model could not be packed.

/// A packing failure: bad model files or a guest build that cannot take the blob.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `model.safetensors` is not a valid safetensors file.
    #[error("safetensors: {0}")]
    Safetensors(#[from] safetensors::SafeTensorError),
    /// A JSON file (config, tokenizer) does not parse.
    #[error("{file}: {source}")]
    Json {
        /// Which file.
        file: &'static str,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The model is not the architecture the guest implements.
    #[error("unsupported model: {0}")]
    Unsupported(String),
    /// The guest build does not parse.
    #[error("guest wasm: {0}")]
    Wasm(#[from] wasmparser::BinaryReaderError),
    /// A check of a packed program failed.
    #[error("check: {0}")]
    Check(String),
    /// An engine failed (the host's failure, not the guest's).
    #[error(transparent)]
    Executor(#[from] opml_executor::Error),
    /// The guest build's layout leaves no room for the blob.
    #[error("guest wasm: {0}")]
    Layout(String),
}

/// The crate's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
