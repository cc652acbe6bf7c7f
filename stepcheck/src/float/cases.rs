//! Operands for the float differentials: seeded random cases that favour the edge classes
//! (±0, subnormals, ±inf, quiet and signalling NaNs with payloads, ties at every rounding
//! position, overflow and underflow thresholds, the integer bounds of every conversion), and a
//! fixed table of edge values tried in every combination.

use super::ops::{FloatOp, Ty};

/// One instruction's operands: `x0` is the top of the stack; a binary op computes `x1 op x0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Case {
    /// The opcode.
    pub op: u16,
    /// The top value.
    pub x0: u64,
    /// The value below it (0 for a unary op).
    pub x1: u64,
}

/// SplitMix64: small, seeded, good enough to spread cases.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`; the tiny modulo bias does not matter here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// The layout of a float format.
#[derive(Debug, Clone, Copy)]
struct Fmt {
    frac: u32,
    exp: u32,
}

impl Fmt {
    fn of(ty: Ty) -> Fmt {
        match ty {
            Ty::F32 | Ty::I32 => Fmt { frac: 23, exp: 8 },
            Ty::F64 | Ty::I64 => Fmt { frac: 52, exp: 11 },
        }
    }
    fn emax(self) -> u64 {
        (1 << self.exp) - 1
    }
    fn bias(self) -> u64 {
        self.emax() >> 1
    }
    fn sign(self) -> u64 {
        1 << (self.frac + self.exp)
    }
    fn mask(self) -> u64 {
        u64::MAX >> (63 - self.frac - self.exp)
    }
    fn frac_mask(self) -> u64 {
        (1 << self.frac) - 1
    }
    fn pack(self, sign: bool, exp: u64, frac: u64) -> u64 {
        (if sign { self.sign() } else { 0 }) | (exp << self.frac) | (frac & self.frac_mask())
    }
    fn exp_of(self, x: u64) -> u64 {
        (x >> self.frac) & self.emax()
    }
}

/// The random case generator.
#[derive(Debug, Clone)]
pub struct CaseGen {
    rng: Rng,
}

impl CaseGen {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        CaseGen {
            rng: Rng::new(seed),
        }
    }

    /// Random operands for `op`.
    pub fn case(&mut self, op: FloatOp) -> Case {
        let (x0, x1) = if op.binary {
            self.pair(op.arg)
        } else if op.arg == Ty::I32 || op.arg == Ty::I64 {
            (self.int(op.arg.bits()), 0)
        } else if self.rng.below(8) == 0 {
            (self.square(op.arg), 0)
        } else {
            (self.float(op.arg), 0)
        };
        Case {
            op: op.code,
            x0,
            x1,
        }
    }

    /// A fraction field that often sits on, just above or just below a rounding boundary at a
    /// random position `p` (a tie when bit `p` alone remains below the result's last bit).
    fn fraction(&mut self, f: Fmt) -> u64 {
        let r = self.rng.next_u64() & f.frac_mask();
        let p = self.rng.below(u64::from(f.frac));
        let high = r & !((2 << p) - 1);
        match self.rng.below(10) {
            0 | 1 => r,
            2 => 0,
            3 => f.frac_mask(),
            4 => self.few_bits(f.frac),
            5 => high | (1 << p),
            6 => high | (1 << p) | 1,
            7 => high | ((1 << p) - 1),
            8 => high | (1 << p) | (r & ((1 << p) - 1)),
            _ => f.frac_mask() ^ (1 << p),
        }
    }

    /// One to three random bits among the low `width` bits, often at the top.
    fn few_bits(&mut self, width: u32) -> u64 {
        let mut v = 0u64;
        for _ in 0..=self.rng.below(3) {
            v |= 1 << self.rng.below(u64::from(width));
        }
        if self.rng.below(2) == 0 {
            v <<= v.leading_zeros() - (64 - width);
        }
        v
    }

    /// Exponent fields where things happen: subnormal and overflow edges, 1.0, the integer
    /// bounds of the conversions, and (f64) the edges of the f32 range for demote.
    fn interesting_exp(&mut self, f: Fmt) -> u64 {
        let (b, e, m) = (f.bias(), f.emax(), u64::from(f.frac));
        let near = self.rng.below(5); // 0..=4, centred by -2 below
        let at = match self.rng.below(7) {
            0 => self.rng.pick(&[0, 1, 2, e - 1, e - 2]),
            1 => {
                b + self
                    .rng
                    .pick(&[0, 1, 22, 23, 24, 30, 31, 32, 33, 51, 52, 53, 62, 63, 64, 65])
            }
            2 => b - self.rng.pick(&[1, 2, m, m + 1, m + 2]),
            3 if f.exp == 11 => b + 127 + near - 2,
            4 if f.exp == 11 => b - 126 - self.rng.below(26),
            _ => (b + near).saturating_sub(2),
        };
        at.min(e - 1)
    }

    /// A float pattern of type `ty`, mostly finite with structured fractions.
    pub fn float(&mut self, ty: Ty) -> u64 {
        let f = Fmt::of(ty);
        let sign = self.rng.below(2) == 0;
        match self.rng.below(16) {
            0 | 1 => self.rng.next_u64() & f.mask(),
            2 => self.special(f, sign),
            3 => f.pack(sign, 0, self.fraction(f)),
            4 | 5 => {
                let exp = self.interesting_exp(f);
                f.pack(sign, exp, self.fraction(f))
            }
            _ => {
                let exp = self.rng.below(f.emax());
                f.pack(sign, exp, self.fraction(f))
            }
        }
    }

    /// Zero, infinity, or a NaN: quiet or signalling, with a random, minimal or full payload.
    fn special(&mut self, f: Fmt, sign: bool) -> u64 {
        let quiet = 1 << (f.frac - 1);
        let payload = match self.rng.below(3) {
            0 => 1,
            1 => quiet - 1,
            _ => self.rng.next_u64() & (quiet - 1),
        };
        match self.rng.below(5) {
            0 => f.pack(sign, 0, 0),
            1 => f.pack(sign, f.emax(), 0),
            2 => f.pack(sign, f.emax(), quiet),
            3 => f.pack(sign, f.emax(), quiet | payload),
            _ => f.pack(sign, f.emax(), payload.max(1)),
        }
    }

    /// The square of a value with a short significand: sqrt's exact cases.
    fn square(&mut self, ty: Ty) -> u64 {
        let f = Fmt::of(ty);
        let short = self.few_bits(f.frac / 2);
        let exp = f.bias() + self.rng.below(f.bias()) - f.bias() / 2;
        let root = f.pack(false, exp, short << (f.frac - f.frac / 2));
        match ty {
            Ty::F32 => {
                let r = f32::from_bits(root as u32);
                u64::from((r * r).to_bits())
            }
            _ => {
                let r = f64::from_bits(root);
                (r * r).to_bits()
            }
        }
    }

    /// A significand with exactly `n` significant bits (`1 <= n <= frac + 1`), as a fraction
    /// field (hidden bit dropped).
    fn short_sig(&mut self, f: Fmt, n: u32) -> u64 {
        let odd = (self.rng.next_u64() | 1 | (1 << (n - 1))) & ((1u64 << n) - 1).max(1);
        (odd << (f.frac + 1 - n)) & f.frac_mask()
    }

    /// Two operands `(x0, x1)` of type `ty` for a binary op.
    pub fn pair(&mut self, ty: Ty) -> (u64, u64) {
        let f = Fmt::of(ty);
        let a = self.float(ty);
        let ea = f.exp_of(a);
        let b = match self.rng.below(10) {
            0..=2 => self.float(ty),
            // Nearly equal or nearly opposite: cancellation, comparisons, min/max of neighbours.
            3 => {
                let d = self.rng.below(9).wrapping_sub(4);
                let flip = if self.rng.below(2) == 0 { f.sign() } else { 0 };
                (a.wrapping_add(d) ^ flip) & f.mask()
            }
            // Exponents a few places apart: additions that round at every position.
            4 => {
                let d = self.rng.below(u64::from(f.frac) + 4).min(ea);
                let exp = if self.rng.below(8) == 0 {
                    ea.saturating_sub(self.rng.below(200))
                } else {
                    ea - d
                };
                f.pack(self.rng.below(2) == 0, exp, self.fraction(f))
            }
            // Products and quotients at the overflow and underflow thresholds.
            5 | 6 => {
                let (bias, e, m) = (f.bias() as i64, f.emax() as i64, i64::from(f.frac));
                let slack = self.rng.below(5) as i64 - 2;
                let deep = self.rng.below(m as u64 + 3) as i64;
                let ea = ea as i64;
                let want = match self.rng.below(4) {
                    0 => e + bias - ea + slack,    // a * b near overflow
                    1 => bias - ea - deep + slack, // a * b subnormal or just normal
                    2 => ea + bias - e + slack,    // a / b near overflow
                    _ => ea + bias + deep + slack, // a / b subnormal or just normal
                };
                let exp = if (0..e).contains(&want) {
                    want as u64
                } else {
                    self.rng.below(e as u64)
                };
                let frac = if self.rng.below(2) == 0 {
                    let n = 1 + self.rng.below(5) as u32;
                    self.short_sig(f, n)
                } else {
                    self.fraction(f)
                };
                f.pack(self.rng.below(2) == 0, exp, frac)
            }
            // Short significands whose product is one bit too long: exact ties in mul.
            7 => {
                let n1 = 1 + self.rng.below(u64::from(f.frac)) as u32;
                let n2 = (f.frac + 2 + self.rng.below(2) as u32)
                    .saturating_sub(n1)
                    .clamp(1, f.frac + 1);
                let a2 = f.pack(a & f.sign() != 0, ea.max(1), self.short_sig(f, n1));
                let exp = self.rng.below(f.emax() - 1) + 1;
                let b2 = f.pack(self.rng.below(2) == 0, exp, self.short_sig(f, n2));
                return (b2, a2);
            }
            8 => {
                let sign = self.rng.below(2) == 0;
                self.special(f, sign)
            }
            _ => a,
        };
        if self.rng.below(2) == 0 {
            (a, b)
        } else {
            (b, a)
        }
    }

    /// An integer of `bits` bits (zero-extended): bounds, powers of two and their neighbours,
    /// and values that sit on the f32 and f64 rounding boundaries.
    pub fn int(&mut self, bits: u32) -> u64 {
        let mask = if bits == 64 {
            u64::MAX
        } else {
            (1 << bits) - 1
        };
        let v = match self.rng.below(8) {
            0 | 1 => self.rng.next_u64(),
            2 => {
                let half = 1u64 << (bits - 1);
                self.rng
                    .pick(&[0, 1, mask, half - 1, half, half + 1, mask - 1, 2])
            }
            3 => {
                let k = self.rng.below(u64::from(bits));
                (1u64 << k).wrapping_add(self.rng.below(7)).wrapping_sub(3)
            }
            _ => {
                // A value of bit length `len` whose bits below the f32 or f64 rounding
                // position form a tie or its neighbours.
                let len = 1 + self.rng.below(u64::from(bits)) as u32;
                let keep = if self.rng.below(2) == 0 { 24 } else { 53 };
                let top = 1u64 << (len - 1);
                let r = self.rng.next_u64() & (top | (top - 1)) | top;
                if len <= keep {
                    r
                } else {
                    let p = len - keep - 1; // the half-unit bit
                    let high = r & !((2u64 << p) - 1);
                    match self.rng.below(4) {
                        0 => high | (1 << p),
                        1 => high | (1 << p) | 1,
                        2 => high | ((1 << p) - 1),
                        _ => r,
                    }
                }
            }
        };
        let v = if self.rng.below(4) == 0 {
            v.wrapping_neg()
        } else {
            v
        };
        v & mask
    }
}

/// Seeded random cases that cycle through the float opcodes in numeric order.
#[derive(Debug, Clone)]
pub struct RoundRobin {
    g: CaseGen,
    ops: Vec<FloatOp>,
    next: usize,
}

impl RoundRobin {
    /// Cases from `seed`, starting at the first float opcode.
    pub fn new(seed: u64) -> Self {
        RoundRobin {
            g: CaseGen::new(seed),
            ops: FloatOp::all(),
            next: 0,
        }
    }

    /// The next `n` cases.
    pub fn batch(&mut self, n: usize) -> Vec<Case> {
        (0..n)
            .map(|_| {
                let op = self.ops[self.next];
                self.next = (self.next + 1) % self.ops.len();
                self.g.case(op)
            })
            .collect()
    }
}

/// Edge values of a float type: zeros, subnormal and normal limits, small integers and
/// halves, infinities, NaNs (quiet, signalling, negative, with payloads), and the integer bounds
/// of the conversions with their neighbours.
pub fn edge_floats(ty: Ty) -> Vec<u64> {
    let f = Fmt::of(ty);
    let b = f.bias();
    let quiet = 1 << (f.frac - 1);
    let mut v = vec![
        0,
        1,
        2,
        3,
        f.frac_mask(),
        f.frac_mask() - 1,
        f.pack(false, 1, 0),
        f.pack(false, 1, 1),
        f.pack(false, f.emax() - 1, f.frac_mask()),
        f.pack(false, f.emax() - 1, 0),
        f.pack(false, f.emax(), 0),
        f.pack(false, f.emax(), quiet),
        f.pack(false, f.emax(), quiet | 1),
        f.pack(false, f.emax(), 1),
        f.pack(false, f.emax(), quiet - 1),
        f.pack(false, b, 0),                     // 1
        f.pack(false, b, 1),                     // 1 + ulp
        f.pack(false, b - 1, f.frac_mask()),     // 1 - ulp/2
        f.pack(false, b - 1, 0),                 // 0.5
        f.pack(false, b, 1 << (f.frac - 1)),     // 1.5
        f.pack(false, b + 1, 1 << (f.frac - 2)), // 2.5
        f.pack(false, b - 2, 1 << (f.frac - 1)), // 0.375
        f.pack(false, b + u64::from(f.frac), 0), // 2^frac: the first integer-only binade
        f.pack(false, b + u64::from(f.frac) - 1, f.frac_mask()),
    ];
    for k in [31u64, 32, 63, 64] {
        v.push(f.pack(false, b + k, 0));
        v.push(f.pack(false, b + k, 1));
        v.push(f.pack(false, b + k - 1, f.frac_mask()));
    }
    let negated: Vec<u64> = v.iter().map(|x| x | f.sign()).collect();
    v.extend(negated);
    v
}

/// Edge values of an integer type (zero-extended): 0, ±1, the signed and unsigned bounds, and
/// the first integers f32 and f64 cannot represent.
pub fn edge_ints(bits: u32) -> Vec<u64> {
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    };
    let half = 1u64 << (bits - 1);
    let mut v = vec![0, 1, 2, mask, mask - 1, half, half - 1, half + 1];
    for k in [24u32, 25, 53, 54] {
        if k < bits {
            v.extend([(1u64 << k) - 1, 1 << k, (1 << k) + 1, (1 << k) + 3]);
        }
    }
    let negated: Vec<u64> = v.iter().map(|x| x.wrapping_neg() & mask).collect();
    v.extend(negated);
    v.sort_unstable();
    v.dedup();
    v
}

/// Every edge value for a unary op, every pair of edge values for a binary op.
pub fn edge_cases(op: FloatOp) -> Vec<Case> {
    let values = match op.arg {
        Ty::I32 | Ty::I64 => edge_ints(op.arg.bits()),
        ty => edge_floats(ty),
    };
    if !op.binary {
        return values
            .iter()
            .map(|&x0| Case {
                op: op.code,
                x0,
                x1: 0,
            })
            .collect();
    }
    let mut v = Vec::with_capacity(values.len() * values.len());
    for &x1 in &values {
        for &x0 in &values {
            v.push(Case {
                op: op.code,
                x0,
                x1,
            });
        }
    }
    v
}
