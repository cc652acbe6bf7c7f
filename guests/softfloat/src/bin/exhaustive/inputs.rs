//! Seeded inputs for the random part of the check: uniform bit patterns mixed with patterns
//! aimed at the edges (subnormals, zeros, infinities, NaN payloads, exponent boundaries,
//! operands with few significant bits, and pairs that nearly cancel).

/// splitmix64: tiny, seedable, and good enough to spread bit patterns.
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator for chunk `chunk` of the run seeded by `seed`, independent of threads.
    pub(crate) fn new(seed: u64, chunk: u64) -> Self {
        let mut r = Rng(seed ^ chunk.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        r.next();
        r
    }

    /// The next 64 random bits.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// One bit pattern of a format with `p` fraction bits in a `w`-bit container (in a u64).
pub(crate) fn edge_bits(r: &mut Rng, w: u32, p: u32) -> u64 {
    let emax = (1u64 << (w - 1 - p)) - 1;
    let bias = emax >> 1;
    let frac_mask = (1u64 << p) - 1;
    let x = r.next();
    let y = r.next();
    let sign = (x & 1) << (w - 1);
    let exp = match (x >> 1) % 8 {
        0 => 0,
        1 => 1 + (y >> 40) % 3,
        2 => emax,
        3 => emax - 1 - (y >> 40) % 3,
        4 => bias - 2 + (y >> 40) % 5,
        5 => bias + 24 + (y >> 40) % 44, // near the integer limits (2^24 .. 2^67)
        _ => (y >> 40) % (emax + 1),
    };
    let frac = match (x >> 4) % 6 {
        0 => y & frac_mask & !((1u64 << ((x >> 8) % u64::from(p))) - 1),
        1 => (y & frac_mask) >> ((x >> 8) % u64::from(p)),
        2 => 0,
        3 => frac_mask - ((x >> 8) % 4),
        _ => y & frac_mask,
    };
    let bits = sign | (exp << p) | frac;
    if w == 32 { bits & 0xffff_ffff } else { bits }
}

/// An input pair: half uniform bits, half edge patterns, some pairs close to each other.
pub(crate) fn pair(r: &mut Rng, w: u32, p: u32) -> (u64, u64) {
    let mask = if w == 32 { 0xffff_ffff } else { u64::MAX };
    let k = r.next();
    let a = if k & 1 == 0 {
        r.next() & mask
    } else {
        edge_bits(r, w, p)
    };
    let b = match (k >> 1) % 8 {
        0..=2 => r.next() & mask,
        3..=5 => edge_bits(r, w, p),
        // Near a or -a: cancellation and ties in add/sub, equal operands in compares.
        _ => {
            (a ^ ((k >> 4 & 1) << (w - 1)))
                .wrapping_add((k >> 8) % 9)
                .wrapping_sub(4)
                & mask
        }
    };
    if k >> 5 & 1 == 0 { (a, b) } else { (b, a) }
}
