#![doc = include_str!("../README.md")]
#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]

mod out;
mod segments;
mod sys;

pub use out::OutBuf;
#[doc(hidden)]
pub use segments::Slot;
pub use segments::{Flow, Segmented, run_to_end};

#[cfg(not(target_arch = "wasm32"))]
pub use sys::host;

/// Why an input request could not be served. Checked before calling the host, so a guest can
/// answer bad input with an error message instead of a trap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputError {
    /// The input has `actual` bytes, the guest wanted `expected`.
    WrongLength {
        /// Bytes the guest wanted.
        expected: usize,
        /// Bytes the request carries.
        actual: usize,
    },
    /// `offset + len` lies past the end of the input.
    OutOfBounds,
}

/// Length of the request input in bytes.
pub fn input_len() -> usize {
    // The host never reports a negative length (inputs are below 2^31 bytes).
    usize::try_from(sys::input_len()).unwrap_or(0)
}

/// Copies input bytes `[offset, offset + buf.len())` into `buf`.
pub fn read_input_at(offset: usize, buf: &mut [u8]) -> Result<(), InputError> {
    let end = offset
        .checked_add(buf.len())
        .ok_or(InputError::OutOfBounds)?;
    if end > input_len() {
        return Err(InputError::OutOfBounds);
    }
    if !buf.is_empty() {
        // In bounds of the input (checked above), which is below 2^31 bytes.
        sys::input_read(buf.as_mut_ptr(), offset as i32, buf.len() as i32);
    }
    Ok(())
}

/// Reads the whole input into `buf` if it fits; returns the input length.
pub fn read_input_into(buf: &mut [u8]) -> Result<usize, InputError> {
    let n = input_len();
    let expected = buf.len();
    let dst = buf.get_mut(..n).ok_or(InputError::WrongLength {
        expected,
        actual: n,
    })?;
    read_input_at(0, dst)?;
    Ok(n)
}

/// Reads an input of exactly `N` bytes.
pub fn read_input_exact<const N: usize>() -> Result<[u8; N], InputError> {
    let actual = input_len();
    if actual != N {
        return Err(InputError::WrongLength {
            expected: N,
            actual,
        });
    }
    let mut buf = [0u8; N];
    read_input_at(0, &mut buf)?;
    Ok(buf)
}

/// Appends `bytes` to the request's output.
pub fn write_output(bytes: &[u8]) {
    // Slices in wasm32 linear memory are shorter than 2^31 bytes in practice (memory is capped
    // far below that by the machine's limits).
    if !bytes.is_empty() {
        sys::output_write(bytes.as_ptr(), bytes.len() as i32);
    }
}

/// Stops the program with a trap (the machine's `Unreachable` trap code).
pub fn abort() -> ! {
    sys::abort()
}

/// Exports `$f` as the program's entry point `main` (type `[] -> []`).
///
/// A Rust function literally named `main` may be renamed by the toolchain, so the exported
/// symbol is set by name instead. On non-wasm targets this expands to nothing.
#[macro_export]
macro_rules! entry {
    ($f:path) => {
        #[cfg(target_arch = "wasm32")]
        #[unsafe(export_name = "main")]
        extern "C" fn __opml_guest_main() {
            $f()
        }
    };
}

// With `std`, std provides the panic handler (also an `unreachable` trap: guests build with
// `panic = "abort"`), and a second one would not link.
#[cfg(all(target_arch = "wasm32", not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    sys::abort()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounds_checked() {
        host::set_input(b"abcdef");
        assert_eq!(input_len(), 6);
        let mut b = [0u8; 3];
        assert_eq!(read_input_at(2, &mut b), Ok(()));
        assert_eq!(&b, b"cde");
        assert_eq!(read_input_at(4, &mut b), Err(InputError::OutOfBounds));
        assert_eq!(
            read_input_at(usize::MAX, &mut b),
            Err(InputError::OutOfBounds)
        );
        assert_eq!(read_input_exact::<6>(), Ok(*b"abcdef"));
        assert_eq!(
            read_input_exact::<5>(),
            Err(InputError::WrongLength {
                expected: 5,
                actual: 6
            })
        );
        let mut big = [0u8; 10];
        assert_eq!(read_input_into(&mut big), Ok(6));
        assert_eq!(&big[..6], b"abcdef");
        assert!(read_input_into(&mut b).is_err());
    }

    #[test]
    fn output_appends() {
        host::set_input(&[]);
        write_output(b"ab");
        write_output(b"");
        write_output(b"c");
        assert_eq!(host::take_output(), b"abc");
        assert_eq!(host::take_output(), b"");
    }
}
