//! The raw host interface: the `opml` imports on wasm32, a per-thread stand-in elsewhere.

#[cfg(target_arch = "wasm32")]
mod imp {
    #[link(wasm_import_module = "opml")]
    unsafe extern "C" {
        #[link_name = "input_len"]
        fn opml_input_len() -> i32;
        #[link_name = "input_read"]
        fn opml_input_read(ptr: *mut u8, offset: i32, len: i32);
        #[link_name = "output_write"]
        fn opml_output_write(ptr: *const u8, len: i32);
    }

    pub(crate) fn input_len() -> i32 {
        // SAFETY: the import takes no arguments and has no memory effect.
        unsafe { opml_input_len() }
    }

    pub(crate) fn input_read(ptr: *mut u8, offset: i32, len: i32) {
        // SAFETY: callers pass a writable buffer of `len` bytes; the host writes only there and
        // traps (never corrupts memory) when the range is invalid.
        unsafe { opml_input_read(ptr, offset, len) }
    }

    pub(crate) fn output_write(ptr: *const u8, len: i32) {
        // SAFETY: callers pass a readable buffer of `len` bytes; the host only reads it.
        unsafe { opml_output_write(ptr, len) }
    }

    pub(crate) fn abort() -> ! {
        core::arch::wasm32::unreachable()
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use std::cell::RefCell;

    thread_local! {
        static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
        static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }

    pub(crate) fn input_len() -> i32 {
        INPUT.with(|i| i32::try_from(i.borrow().len()).unwrap_or(i32::MAX))
    }

    pub(crate) fn input_read(ptr: *mut u8, offset: i32, len: i32) {
        INPUT.with(|i| {
            let i = i.borrow();
            let (o, n) = (offset as usize, len as usize);
            let src = &i[o..o + n];
            // SAFETY: callers pass a writable buffer of `len` bytes that does not overlap the
            // thread-local input.
            unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), ptr, n) }
        })
    }

    pub(crate) fn output_write(ptr: *const u8, len: i32) {
        // SAFETY: callers pass a readable buffer of `len` bytes.
        let src = unsafe { std::slice::from_raw_parts(ptr, len as usize) };
        OUTPUT.with(|o| o.borrow_mut().extend_from_slice(src))
    }

    pub(crate) fn abort() -> ! {
        panic!("guest aborted (a trap on the machine)")
    }

    /// The native stand-in for the host, for unit tests and native baselines: each thread has its
    /// own input and output.
    pub mod host {
        /// Sets this thread's request input and clears its output.
        pub fn set_input(bytes: &[u8]) {
            super::INPUT.with(|i| *i.borrow_mut() = bytes.to_vec());
            super::OUTPUT.with(|o| o.borrow_mut().clear());
        }

        /// Returns and clears this thread's output.
        pub fn take_output() -> Vec<u8> {
            super::OUTPUT.with(|o| std::mem::take(&mut *o.borrow_mut()))
        }
    }
}

pub(crate) use imp::{abort, input_len, input_read, output_write};

#[cfg(not(target_arch = "wasm32"))]
pub use imp::host;
