//! Integer-only IEEE-754 routines for every float instruction of core wasm.
//!
//! The opml VM proves steps without float arithmetic, so its loader lowers each float
//! instruction to a call into this library, compiled to integer-only wasm
//! (`vm/softfloat/softfloat.wasm`). The fast path runs hardware floats in wasmtime with NaN
//! canonicalisation, so every routine is bit-exact with that: correctly rounded (nearest, ties
//! to even), subnormals kept, and any NaN an arithmetic operation produces is the canonical
//! NaN. `abs`, `neg` and `copysign` are bitwise and keep NaN payloads. See `docs/floats.md`.
//!
//! Values travel as bits: `f32` as `u32`, `f64` as `u64`, `i32`/`i64` as `u32`/`u64`.
#![cfg_attr(not(test), no_std)]

mod arith;
mod format;
mod kernels;
mod misc;
mod wide;

pub mod convert;
pub mod sf32;
pub mod sf64;

#[cfg(target_arch = "wasm32")]
mod exports;

#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
