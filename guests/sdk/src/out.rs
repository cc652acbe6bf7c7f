//! A fixed-capacity output buffer with the integer formatting a JSON answer needs.

/// Bytes collected on the stack and written with one host call ([`OutBuf::flush`]).
///
/// Writes past the capacity are dropped and remembered ([`OutBuf::overflowed`]), so formatting
/// never panics; size the buffer for the largest answer.
#[derive(Debug, Clone)]
pub struct OutBuf<const N: usize> {
    buf: [u8; N],
    len: usize,
    overflowed: bool,
}

impl<const N: usize> Default for OutBuf<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> OutBuf<N> {
    /// An empty buffer.
    pub const fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
            overflowed: false,
        }
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Whether a write did not fit.
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// Appends raw bytes (all or nothing).
    pub fn push_bytes(&mut self, bytes: &[u8]) {
        match self.buf.get_mut(self.len..self.len + bytes.len()) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                self.len += bytes.len();
            }
            None => self.overflowed = true,
        }
    }

    /// Appends a string verbatim (no JSON escaping: pass literals).
    pub fn push_str(&mut self, s: &str) {
        self.push_bytes(s.as_bytes());
    }

    /// Appends `v` in decimal.
    pub fn push_u64(&mut self, mut v: u64) {
        // Filled from the right; u64::MAX has 20 digits.
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        for d in digits.iter_mut().rev() {
            *d = b'0' + (v % 10) as u8;
            start -= 1;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.push_bytes(digits.get(start..).unwrap_or(&[]));
    }

    /// Appends `v` in decimal.
    pub fn push_u32(&mut self, v: u32) {
        self.push_u64(u64::from(v));
    }

    /// Appends `v` in decimal, with a leading `-` when negative.
    pub fn push_i64(&mut self, v: i64) {
        if v < 0 {
            self.push_str("-");
        }
        self.push_u64(v.unsigned_abs());
    }

    /// Appends `v` in decimal, with a leading `-` when negative.
    pub fn push_i32(&mut self, v: i32) {
        self.push_i64(i64::from(v));
    }

    /// Appends `bytes` as lowercase hex.
    pub fn push_hex(&mut self, bytes: &[u8]) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for &b in bytes {
            self.push_bytes(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
    }

    /// Writes the buffer to the request's output and empties it.
    pub fn flush(&mut self) {
        crate::write_output(self.as_bytes());
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::OutBuf;

    #[test]
    fn formats_integers() {
        let mut o = OutBuf::<128>::new();
        o.push_i32(0);
        o.push_str(",");
        o.push_i32(-7);
        o.push_str(",");
        o.push_i64(i64::MIN);
        o.push_str(",");
        o.push_u64(u64::MAX);
        o.push_str(",");
        o.push_u32(1234);
        o.push_str(",");
        o.push_hex(&[0x0f, 0xa0]);
        assert_eq!(
            o.as_bytes(),
            b"0,-7,-9223372036854775808,18446744073709551615,1234,0fa0"
        );
        assert!(!o.overflowed());
    }

    #[test]
    fn overflow_is_dropped_not_a_panic() {
        let mut o = OutBuf::<4>::new();
        o.push_str("abc");
        o.push_str("de");
        assert_eq!(o.as_bytes(), b"abc");
        assert!(o.overflowed());
        o.push_str("d");
        assert_eq!(o.as_bytes(), b"abcd");
    }

    #[test]
    fn flush_writes_and_empties() {
        crate::host::set_input(&[]);
        let mut o = OutBuf::<8>::new();
        o.push_str("hi");
        o.flush();
        assert!(o.as_bytes().is_empty());
        assert_eq!(crate::host::take_output(), b"hi");
    }
}
