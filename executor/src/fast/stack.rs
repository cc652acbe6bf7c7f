//! Native stack for wasm calls. wasmtime bounds the wasm frames of a call to [`WASM_STACK`]
//! below the stack pointer at entry, but the thread must really have that much (plus room for
//! host functions and trap handling), or deep recursion would overflow the host stack instead
//! of ending in a `CallStackExhausted` trap.
//!
//! Spawning a thread per call guaranteed that but cost 0.1 ms or more, more than instantiating
//! and running a small model. Instead, a call runs on the caller's stack when it has
//! [`NEEDED`] bytes left (the main thread's 8 MiB does), and otherwise on a fresh stack
//! segment of that size on the same thread (an mmap, no thread).

/// Bytes of native stack wasm may use (`Config::max_wasm_stack`). It must stay below
/// wasmtime's `async_stack_size`, 2 MiB, even with async off.
pub(crate) const WASM_STACK: usize = (2 << 20) - (64 << 10);

/// Stack a call needs: twice the wasm bound, plus 1 MiB for host code.
const NEEDED: usize = 2 * WASM_STACK + (1 << 20);

/// Runs `f` with at least [`NEEDED`] bytes of stack.
pub(crate) fn on_big_stack<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(NEEDED, NEEDED, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_thread_gets_a_big_stack() {
        let t = std::thread::Builder::new().stack_size(256 << 10).spawn(|| {
            on_big_stack(|| stacker::remaining_stack().is_some_and(|r| r >= NEEDED - (64 << 10)))
        });
        assert!(t.expect("spawn").join().expect("join"));
    }
}
