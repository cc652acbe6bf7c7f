//! The executor's own failures. Guest faults are not errors: they are [`crate::RunStatus::Trapped`].

use opml_vm::LoadError;

/// Why a program could not be run at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The VM loader rejected the wasm (outside the profile, malformed, over the limits).
    #[error("load: {0}")]
    Load(LoadError),
    /// wasmtime rejected the wasm at compile time (malformed, invalid or outside the profile).
    #[error("compile: {0}")]
    Compile(String),
    /// The module cannot be instantiated for a reason that is not a guest trap: an import
    /// other than the `opml` host interface, or memory/table beyond the limits.
    #[error("link: {0}")]
    Link(String),
    /// No export to call: `main`/`_start` of type `[] -> []`, or the named one.
    #[error("entry: {0}")]
    Entry(String),
    /// Arguments that do not match the export's parameters.
    #[error("arguments: {0}")]
    Args(String),
    /// A `.wat` file that does not parse.
    #[error("wat: {0}")]
    Wat(String),
    /// Reading a file failed.
    #[error("io: {0}")]
    Io(std::io::Error),
    /// The engine failed for a reason of its own (out of host memory, a bug).
    #[error("engine: {0}")]
    Engine(String),
    /// An operation the engine does not support (e.g. reading a global on the VM).
    #[error("unsupported: {0}")]
    Unsupported(String),
}

// Manual `From`s: the message already includes the cause, so it is not chained as a source
// (anyhow's `{:#}` would print it twice).
impl From<LoadError> for Error {
    fn from(e: LoadError) -> Self {
        Error::Load(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

impl Error {
    /// Whether trying again may succeed: only host-side failures (I/O, engine resources)
    /// are; anything about the program itself fails the same way every time.
    pub fn retryable(&self) -> bool {
        matches!(self, Error::Io(_) | Error::Engine(_))
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_split() {
        assert!(Error::Engine("oom".into()).retryable());
        assert!(!Error::Compile("bad".into()).retryable());
        assert!(!Error::Entry("none".into()).retryable());
    }
}
