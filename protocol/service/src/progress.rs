//! How a long VM replay reports its progress. The service only counts steps; showing them
//! (a bar on a terminal, sparse log lines otherwise) is the binary's business.

/// Where a replay's progress goes.
pub trait Progress: Send + Sync {
    /// Starts reporting `what` (e.g. "VM replay of digits") towards `total` steps when known.
    /// The callback receives the steps done so far; dropping it ends the report.
    fn start(&self, what: &str, total: Option<u64>) -> Box<dyn FnMut(u64) + Send>;
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _what: &str, _total: Option<u64>) -> Box<dyn FnMut(u64) + Send> {
        Box::new(|_| {})
    }
}
