//! Helpers shared by the integration tests.

/// A deterministic stream (xorshift64): the seed alone fixes every case. Each test adds the
/// draws it needs (`impl Rng` in the test file).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    /// The next value of the stream.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
