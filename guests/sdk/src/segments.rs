//! Segmented programs: a state kept between segments and one piece of work per segment.
//!
//! Machine v2 runs a program that exports `segment: [] -> [i32]` by calling it again and again,
//! with a canonical boundary (no frames, empty stacks) between calls, until it returns zero. Memory
//! and globals survive a boundary, so the state lives in a static. [`segments!`](crate::segments)
//! writes that export for a type implementing [`Segmented`]; with the SDK feature
//! `segment-export` off (machine v1) it exports a `main` that runs every segment in one go
//! instead, so the same guest code serves both machines.

use core::cell::UnsafeCell;

/// What a segment reports to the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// More segments follow: yield, then call [`Segmented::segment`] again.
    More,
    /// The program is finished (its output written): halt.
    Done,
}

/// A program written as a sequence of segments.
pub trait Segmented {
    /// The initial state; runs inside the first segment, before its first [`segment`](Self::segment).
    fn start() -> Self;
    /// One segment's work (a layer, an operator). Keep each below the machine's segment length.
    fn segment(&mut self) -> Flow;
}

/// Runs every segment of `P` in one call (machine v1's `main`, native tests and baselines).
pub fn run_to_end<P: Segmented>() {
    let mut program = P::start();
    while program.segment() == Flow::More {}
}

/// The static holding a segmented program's state between segments (used by
/// [`segments!`](crate::segments); not public API).
#[derive(Debug)]
pub struct Slot<P>(UnsafeCell<Option<P>>);

// SAFETY: wasm32 without the atomics feature has exactly one thread, so the slot is never shared
// between threads; re-entrancy is excluded in `segment`.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
unsafe impl<P> Sync for Slot<P> {}

impl<P> Default for Slot<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P> Slot<P> {
    /// An empty slot: the program starts in its first segment.
    pub const fn new() -> Self {
        Self(UnsafeCell::new(None))
    }
}

impl<P: Segmented> Slot<P> {
    /// Runs one segment, creating the state first if needed; 1 while more segments remain, 0
    /// when done (the value the `segment` export returns).
    pub fn segment(&self) -> i32 {
        // SAFETY: the only caller is the `segment` export, which the machine calls from the
        // bootstrap with no other frame of the guest on the stack, so no other reference into
        // the slot is alive (one thread: see the `Sync` impl).
        let state = unsafe { &mut *self.0.get() };
        let program = state.get_or_insert_with(P::start);
        match program.segment() {
            Flow::More => 1,
            Flow::Done => 0,
        }
    }
}

/// Exports the segmented program `$t` (a type implementing [`Segmented`]).
///
/// With the SDK feature `segment-export`: `segment: [] -> [i32]`, one [`Segmented::segment`] per
/// call, the state kept in a static between calls. Without it: `main: [] -> []` running every
/// segment ([`run_to_end`]). On non-wasm targets this expands to nothing.
#[macro_export]
macro_rules! segments {
    ($t:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            $crate::__segments_export!($t);
        };
    };
}

#[cfg(feature = "segment-export")]
#[doc(hidden)]
#[macro_export]
macro_rules! __segments_export {
    ($t:ty) => {
        static SLOT: $crate::Slot<$t> = $crate::Slot::new();
        #[unsafe(export_name = "segment")]
        extern "C" fn __opml_guest_segment() -> i32 {
            SLOT.segment()
        }
    };
}

#[cfg(not(feature = "segment-export"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __segments_export {
    ($t:ty) => {
        #[unsafe(export_name = "main")]
        extern "C" fn __opml_guest_main() {
            $crate::run_to_end::<$t>()
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts down, writing one byte per segment.
    struct Countdown(u8);

    impl Segmented for Countdown {
        fn start() -> Self {
            Countdown(3)
        }
        fn segment(&mut self) -> Flow {
            crate::write_output(&[b'0' + self.0]);
            self.0 -= 1;
            if self.0 == 0 { Flow::Done } else { Flow::More }
        }
    }

    #[test]
    fn slot_keeps_state_between_segments() {
        crate::host::set_input(&[]);
        let slot = Slot::<Countdown>::new();
        assert_eq!([slot.segment(), slot.segment(), slot.segment()], [1, 1, 0]);
        assert_eq!(crate::host::take_output(), b"321");
    }

    #[test]
    fn run_to_end_runs_every_segment() {
        crate::host::set_input(&[]);
        run_to_end::<Countdown>();
        assert_eq!(crate::host::take_output(), b"321");
    }
}
