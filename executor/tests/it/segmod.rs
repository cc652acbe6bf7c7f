//! Random segmented programs for the boundary-hash differential: what a boundary hash covers
//! (memory written, grown, filled, copied and initialised; passive and active segments dropped;
//! mutable globals of every type among immutable ones, NaN payloads included; output written
//! across 32-byte blocks and segments; input read) changed at random between boundaries. Some
//! modules have no `segment` (one segment), no memory, a start function, or end in a trap.

use std::fmt::Write;

/// A seeded xorshift64* generator: the same seed gives the same module on every machine.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
}

/// A generated program and its input.
pub(crate) struct Case {
    /// The module, in the text format.
    pub(crate) wat: String,
    /// The request input.
    pub(crate) input: Vec<u8>,
}

#[derive(Clone, Copy, PartialEq)]
enum Ty {
    I32,
    I64,
    F32,
    F64,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
        }
    }
}

struct Global {
    ty: Ty,
    mutable: bool,
}

struct Data {
    len: u64,
}

/// What the generator knows while it writes the program, in execution order.
struct Gen {
    rng: Rng,
    /// Initial memory size in bytes (memory only grows, so this much is always addressable).
    mem: u64,
    globals: Vec<Global>,
    data: Vec<Data>,
    dropped: Vec<bool>,
}

/// The random program of `seed`.
pub(crate) fn case(seed: u64) -> Case {
    let mut rng = Rng::new(seed);
    let pages = if rng.chance(8) { 0 } else { 1 + rng.below(2) };
    let mut g = Gen {
        mem: pages * 65536,
        globals: Vec::new(),
        data: Vec::new(),
        dropped: Vec::new(),
        rng,
    };
    let rng = &mut g.rng;
    let segmented = !rng.chance(5);
    let segments = 1 + rng.below(6);
    let n_globals = rng.below(7) as usize;
    // The segment counter sits among the other globals, so lowered order is exercised.
    let counter_at = rng.below(n_globals as u64 + 1) as usize;
    let mut m = String::from(
        "(module\n  (import \"opml\" \"input_len\" (func $len (result i32)))\n  \
         (import \"opml\" \"input_read\" (func $read (param i32 i32 i32)))\n  \
         (import \"opml\" \"output_write\" (func $out (param i32 i32)))\n",
    );
    if pages > 0 {
        match rng.below(3) {
            0 => writeln!(m, "  (memory {pages})").unwrap(),
            _ => writeln!(m, "  (memory {pages} {})", pages + rng.below(3)).unwrap(),
        }
    }
    for i in 0..=n_globals {
        if i == counter_at {
            m.push_str("  (global $n (mut i32) (i32.const 0))\n");
        }
        if i == n_globals {
            break;
        }
        let ty = [Ty::I32, Ty::I64, Ty::F32, Ty::F64][g.rng.below(4) as usize];
        let mutable = !g.rng.chance(4);
        let init = g.constant(ty);
        let t = if mutable {
            format!("(mut {})", ty.name())
        } else {
            ty.name().to_string()
        };
        writeln!(m, "  (global $g{i} {t} {init})").unwrap();
        g.globals.push(Global { ty, mutable });
    }
    let n_data = g.rng.below(5);
    for i in 0..n_data {
        let len = if g.rng.chance(4) {
            0
        } else {
            1 + g.rng.below(80)
        };
        let bytes: String = (0..len)
            .map(|_| format!("\\{:02x}", g.rng.below(256)))
            .collect();
        let passive = g.mem == 0 || !g.rng.chance(3);
        if passive {
            writeln!(m, "  (data $d{i} \"{bytes}\")").unwrap();
        } else {
            let at = g.rng.below(g.mem - len);
            writeln!(m, "  (data $d{i} (i32.const {at}) \"{bytes}\")").unwrap();
        }
        g.data.push(Data { len });
        // Active segments are dropped at instantiation.
        g.dropped.push(!passive);
    }
    if g.rng.chance(3) {
        let body = g.ops();
        writeln!(m, "  (func $init (local i32) {body})\n  (start $init)").unwrap();
    }
    if segmented {
        m.push_str("  (func (export \"segment\") (result i32) (local i32)\n");
        for k in 0..segments {
            let body = g.ops();
            writeln!(
                m,
                "    (if (i32.eq (global.get $n) (i32.const {k})) (then {body}))"
            )
            .unwrap();
        }
        // Any non-zero result yields (-1 and 7 as well as 1).
        let more = [1, -1, 7][g.rng.below(3) as usize];
        writeln!(
            m,
            "    (global.set $n (i32.add (global.get $n) (i32.const 1)))\n    \
             (select (i32.const {more}) (i32.const 0) (i32.lt_u (global.get $n) (i32.const {segments}))))"
        )
        .unwrap();
    } else {
        m.push_str("  (func (export \"main\") (local i32)\n");
        for _ in 0..segments {
            let body = g.ops();
            writeln!(m, "    {body}").unwrap();
        }
        m.push_str("  )\n");
    }
    m.push_str(")\n");
    let input = (0..g.rng.below(100)).map(|_| g.rng.next() as u8).collect();
    Case { wat: m, input }
}

impl Gen {
    /// A constant of type `ty`, NaN payloads and signed zeros included.
    fn constant(&mut self, ty: Ty) -> String {
        let r = &mut self.rng;
        match ty {
            Ty::I32 => format!("(i32.const {})", r.next() as i32),
            Ty::I64 => format!("(i64.const {})", r.next() as i64),
            Ty::F32 => match r.below(4) {
                0 => format!("(f32.const nan:0x{:x})", 1 + r.below((1 << 22) - 1)),
                1 => "(f32.const -0)".into(),
                _ => format!("(f32.const {})", r.next() as i16),
            },
            Ty::F64 => match r.below(4) {
                0 => format!("(f64.const -nan:0x{:x})", 1 + r.below((1 << 51) - 1)),
                1 => "(f64.const -0)".into(),
                _ => format!("(f64.const {}.25)", r.next() as i32),
            },
        }
    }

    /// A value of type `ty`: a constant, a float with its bits from an integer, a NaN an
    /// operation makes (canonical on both engines), or arithmetic over a global or memory.
    fn value(&mut self, ty: Ty) -> String {
        let any_global = self.rng.below(self.globals.len() as u64 + 1) as usize;
        let same_ty = self
            .globals
            .get(any_global)
            .filter(|g| g.ty == ty)
            .is_some();
        let load = self.mem >= 8;
        let addr = if load {
            self.rng.below(self.mem - 8)
        } else {
            0
        };
        let c = self.constant(ty);
        let t = ty.name();
        match self.rng.below(6) {
            0 if same_ty => format!("({t}.add (global.get $g{any_global}) {c})"),
            1 if load => format!("({t}.load (i32.const {addr}))"),
            2 if ty == Ty::F32 => format!(
                "(f32.reinterpret_i32 (i32.const {}))",
                self.rng.next() as i32
            ),
            2 if ty == Ty::F64 => format!(
                "(f64.reinterpret_i64 (i64.const {}))",
                self.rng.next() as i64
            ),
            3 if matches!(ty, Ty::F32 | Ty::F64) => {
                format!("({t}.div ({t}.const 0) ({t}.const 0))")
            }
            4 if matches!(ty, Ty::F32 | Ty::F64) => format!("({t}.sqrt {c})"),
            4 => format!("({t}.mul {c} {})", self.constant(ty)),
            _ => c,
        }
    }

    /// One to six statements.
    fn ops(&mut self) -> String {
        let n = 1 + self.rng.below(6);
        let mut out = String::new();
        for _ in 0..n {
            let op = self.op();
            out.push_str(&op);
            out.push(' ');
        }
        if self.rng.chance(40) {
            out.push_str("(unreachable)");
        }
        out
    }

    fn op(&mut self) -> String {
        let mem = self.mem;
        if mem == 0 {
            return match self.rng.below(3) {
                0 => "(call $out (i32.const 0) (i32.const 0))".into(),
                _ => self.global_set(),
            };
        }
        let r = &mut self.rng;
        match r.below(12) {
            0 => {
                let (store, ty, w) = [
                    ("i32.store", Ty::I32, 4),
                    ("i64.store", Ty::I64, 8),
                    ("i32.store8", Ty::I32, 1),
                    ("i32.store16", Ty::I32, 2),
                    ("i64.store32", Ty::I64, 4),
                    ("f32.store", Ty::F32, 4),
                    ("f64.store", Ty::F64, 8),
                ][r.below(7) as usize];
                let off = r.below(40);
                let at = r.below(mem - w - off);
                let v = self.value(ty);
                format!("({store} offset={off} (i32.const {at}) {v})")
            }
            // The top of memory, wherever growth has put it.
            1 => format!(
                "(i64.store (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const {})) (i64.const {}))",
                8 + r.below(100),
                r.next() as i64
            ),
            2 => format!(
                "(i32.store (i32.const {}) (memory.grow (i32.const {})))",
                r.below(mem - 4),
                r.below(3)
            ),
            3 => {
                let n = r.below(300.min(mem));
                format!(
                    "(memory.fill (i32.const {}) (i32.const {}) (i32.const {n}))",
                    r.below(mem - n + 1),
                    r.below(256)
                )
            }
            4 => {
                let n = r.below(300.min(mem));
                format!(
                    "(memory.copy (i32.const {}) (i32.const {}) (i32.const {n}))",
                    r.below(mem - n + 1),
                    r.below(mem - n + 1)
                )
            }
            5 | 6 if !self.data.is_empty() => {
                let i = r.below(self.data.len() as u64) as usize;
                if r.chance(2) {
                    self.dropped[i] = true;
                    return format!("(data.drop $d{i})");
                }
                // memory.init of a live segment (a dropped one only with length 0).
                let len = if self.dropped[i] { 0 } else { self.data[i].len };
                let n = r.below(len + 1);
                let s = r.below(len - n + 1);
                format!(
                    "(memory.init $d{i} (i32.const {}) (i32.const {s}) (i32.const {n}))",
                    r.below(mem - n + 1)
                )
            }
            7 => {
                let n = r.below(70.min(mem));
                format!(
                    "(call $out (i32.const {}) (i32.const {n}))",
                    r.below(mem - n + 1)
                )
            }
            8 if mem >= 100 => format!(
                "(call $read (i32.const {}) (i32.const 0) (call $len))",
                r.below(mem - 100)
            ),
            9 => {
                let count = 1 + r.below(40);
                let base = r.below(mem - 4 * count);
                let k = r.next() as i32;
                format!(
                    "(local.set 0 (i32.const 0)) (loop $l (i32.store (i32.add (i32.const {base}) \
                     (i32.mul (local.get 0) (i32.const 4))) (i32.mul (local.get 0) (i32.const {k}))) \
                     (local.set 0 (i32.add (local.get 0) (i32.const 1))) \
                     (br_if $l (i32.lt_u (local.get 0) (i32.const {count}))))"
                )
            }
            _ => self.global_set(),
        }
    }

    fn global_set(&mut self) -> String {
        let mutable: Vec<usize> = (0..self.globals.len())
            .filter(|&i| self.globals[i].mutable)
            .collect();
        if mutable.is_empty() {
            return "(nop)".into();
        }
        let i = mutable[self.rng.below(mutable.len() as u64) as usize];
        let v = self.value(self.globals[i].ty);
        format!("(global.set $g{i} {v})")
    }
}
