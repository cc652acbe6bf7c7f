//! Small hand-written programs that together execute every opcode, every trap and every bulk
//! path (forward and backward copies, straddling accesses, output folding).

/// The host imports every program below may use.
const IMPORTS: &str = r#"
  (import "opml" "input_len" (func $input_len (result i32)))
  (import "opml" "input_read" (func $input_read (param i32 i32 i32)))
  (import "opml" "output_write" (func $output_write (param i32 i32)))
"#;

/// The main program: i32/i64 ALU on several operand pairs, straddling loads and stores, bulk
/// ops, host I/O, branches, calls, and a few float ops.
const OPS: &str = r#"
  (memory 1 3)
  (global $acc (mut i32) (i32.const 0))
  (global $g64 (mut i64) (i64.const 7))
  (type $un (func (param i32) (result i32)))
  (type $bin (func (param i32 i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $sq $neg)
  (data $seg "passive segment bytes: more than thirty-two of them, to cross leaves")
  (data (i32.const 1000) "active data")
  (func $sq (type $un) (i32.mul (local.get 0) (local.get 0)))
  (func $neg (type $un) (i32.sub (i32.const 0) (local.get 0)))
  (func $mix (param $x i32)
    (global.set $acc (i32.xor (i32.rotl (global.get $acc) (i32.const 5)) (local.get $x))))
  (func $mix64 (param $x i64)
    (call $mix (i32.wrap_i64 (local.get $x)))
    (call $mix (i32.wrap_i64 (i64.shr_u (local.get $x) (i64.const 32)))))
  (func $i32ops (param $a i32) (param $b i32)
    (call $mix (i32.eqz (local.get $a)))
    (call $mix (i32.eq (local.get $a) (local.get $b)))
    (call $mix (i32.ne (local.get $a) (local.get $b)))
    (call $mix (i32.lt_s (local.get $a) (local.get $b)))
    (call $mix (i32.lt_u (local.get $a) (local.get $b)))
    (call $mix (i32.gt_s (local.get $a) (local.get $b)))
    (call $mix (i32.gt_u (local.get $a) (local.get $b)))
    (call $mix (i32.le_s (local.get $a) (local.get $b)))
    (call $mix (i32.le_u (local.get $a) (local.get $b)))
    (call $mix (i32.ge_s (local.get $a) (local.get $b)))
    (call $mix (i32.ge_u (local.get $a) (local.get $b)))
    (call $mix (i32.clz (local.get $a)))
    (call $mix (i32.ctz (local.get $a)))
    (call $mix (i32.popcnt (local.get $a)))
    (call $mix (i32.add (local.get $a) (local.get $b)))
    (call $mix (i32.sub (local.get $a) (local.get $b)))
    (call $mix (i32.mul (local.get $a) (local.get $b)))
    (call $mix (i32.div_s (local.get $a) (local.get $b)))
    (call $mix (i32.div_u (local.get $a) (local.get $b)))
    (call $mix (i32.rem_s (local.get $a) (local.get $b)))
    (call $mix (i32.rem_u (local.get $a) (local.get $b)))
    (call $mix (i32.and (local.get $a) (local.get $b)))
    (call $mix (i32.or (local.get $a) (local.get $b)))
    (call $mix (i32.xor (local.get $a) (local.get $b)))
    (call $mix (i32.shl (local.get $a) (local.get $b)))
    (call $mix (i32.shr_s (local.get $a) (local.get $b)))
    (call $mix (i32.shr_u (local.get $a) (local.get $b)))
    (call $mix (i32.rotl (local.get $a) (local.get $b)))
    (call $mix (i32.rotr (local.get $a) (local.get $b)))
    (call $mix (i32.extend8_s (local.get $a)))
    (call $mix (i32.extend16_s (local.get $a))))
  (func $i64ops (param $a i64) (param $b i64)
    (call $mix (i64.eqz (local.get $a)))
    (call $mix (i64.eq (local.get $a) (local.get $b)))
    (call $mix (i64.ne (local.get $a) (local.get $b)))
    (call $mix (i64.lt_s (local.get $a) (local.get $b)))
    (call $mix (i64.lt_u (local.get $a) (local.get $b)))
    (call $mix (i64.gt_s (local.get $a) (local.get $b)))
    (call $mix (i64.gt_u (local.get $a) (local.get $b)))
    (call $mix (i64.le_s (local.get $a) (local.get $b)))
    (call $mix (i64.le_u (local.get $a) (local.get $b)))
    (call $mix (i64.ge_s (local.get $a) (local.get $b)))
    (call $mix (i64.ge_u (local.get $a) (local.get $b)))
    (call $mix64 (i64.clz (local.get $a)))
    (call $mix64 (i64.ctz (local.get $a)))
    (call $mix64 (i64.popcnt (local.get $a)))
    (call $mix64 (i64.add (local.get $a) (local.get $b)))
    (call $mix64 (i64.sub (local.get $a) (local.get $b)))
    (call $mix64 (i64.mul (local.get $a) (local.get $b)))
    (call $mix64 (i64.div_s (local.get $a) (local.get $b)))
    (call $mix64 (i64.div_u (local.get $a) (local.get $b)))
    (call $mix64 (i64.rem_s (local.get $a) (local.get $b)))
    (call $mix64 (i64.rem_u (local.get $a) (local.get $b)))
    (call $mix64 (i64.and (local.get $a) (local.get $b)))
    (call $mix64 (i64.or (local.get $a) (local.get $b)))
    (call $mix64 (i64.xor (local.get $a) (local.get $b)))
    (call $mix64 (i64.shl (local.get $a) (local.get $b)))
    (call $mix64 (i64.shr_s (local.get $a) (local.get $b)))
    (call $mix64 (i64.shr_u (local.get $a) (local.get $b)))
    (call $mix64 (i64.rotl (local.get $a) (local.get $b)))
    (call $mix64 (i64.rotr (local.get $a) (local.get $b)))
    (call $mix64 (i64.extend_i32_s (i32.wrap_i64 (local.get $a))))
    (call $mix64 (i64.extend_i32_u (i32.wrap_i64 (local.get $a))))
    (call $mix64 (i64.extend8_s (local.get $a)))
    (call $mix64 (i64.extend16_s (local.get $a)))
    (call $mix64 (i64.extend32_s (local.get $a))))
  (func $memops (param $p i32) (param $v i64)
    (i64.store (local.get $p) (local.get $v))
    (i32.store offset=9 (local.get $p) (i32.wrap_i64 (local.get $v)))
    (i32.store8 offset=17 (local.get $p) (i32.const 0x1ff))
    (i32.store16 offset=19 (local.get $p) (i32.const 0x1fedc))
    (i64.store8 offset=22 (local.get $p) (local.get $v))
    (i64.store16 offset=23 (local.get $p) (local.get $v))
    (i64.store32 offset=25 (local.get $p) (local.get $v))
    (call $mix (i32.load (local.get $p)))
    (call $mix64 (i64.load offset=1 (local.get $p)))
    (call $mix (i32.load8_s offset=2 (local.get $p)))
    (call $mix (i32.load8_u offset=3 (local.get $p)))
    (call $mix (i32.load16_s offset=4 (local.get $p)))
    (call $mix (i32.load16_u offset=5 (local.get $p)))
    (call $mix64 (i64.load8_s offset=6 (local.get $p)))
    (call $mix64 (i64.load8_u offset=7 (local.get $p)))
    (call $mix64 (i64.load16_s offset=8 (local.get $p)))
    (call $mix64 (i64.load16_u offset=9 (local.get $p)))
    (call $mix64 (i64.load32_s offset=10 (local.get $p)))
    (call $mix64 (i64.load32_u offset=11 (local.get $p))))
  (func $pick (param $i i32) (result i32)
    (block $d (block $c (block $b (block $a
      (br_table $a $b $c $d (local.get $i)))
      (return (i32.const 10)))
      (return (i32.const 20)))
      (return (i32.const 30)))
    (i32.const 40))
  (func $keep (param $x i32) (result i32)
    ;; a branch that keeps one value and drops two below it: MoveToAux/Drop/MoveFromAux
    (block $out (result i32)
      (i32.const 1) (i32.const 2) (local.get $x)
      (br_if $out (i32.const 1))
      (drop) (drop)))
  (func $floats (param $x i32)
    (call $mix (i32.reinterpret_f32 (f32.add (f32.convert_i32_s (local.get $x)) (f32.const 1.5))))
    (call $mix64 (i64.reinterpret_f64 (f64.mul (f64.convert_i32_u (local.get $x)) (f64.const -0.25))))
    (call $mix (i32.trunc_f32_s (f32.sqrt (f32.const 1e6)))))
  (func (export "main")
    (local $i i32) (local $n i32)
    (call $i32ops (i32.const 7) (i32.const 3))
    (call $i32ops (i32.const -8) (i32.const 35))
    (call $i32ops (i32.const 0x12345678) (i32.const -5))
    (call $i32ops (i32.const 0) (i32.const 1))
    (call $mix (i32.rem_s (i32.const 0x80000000) (i32.const -1)))
    (call $i64ops (i64.const 7) (i64.const 3))
    (call $i64ops (i64.const -0x123456789abcdef) (i64.const 67))
    (call $i64ops (i64.const 0) (i64.const -1))
    (call $mix64 (i64.rem_s (i64.const 0x8000000000000000) (i64.const -1)))
    (call $memops (i32.const 27) (i64.const 0x0123456789abcdef))
    (call $memops (i32.const 64) (i64.const -2))
    (global.set $g64 (i64.add (global.get $g64) (i64.const 1)))
    (call $mix64 (global.get $g64))
    ;; branches and calls
    (local.set $i (i32.const 0))
    (loop $l
      (call $mix (call $pick (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 5))))
    (call $mix (call $keep (i32.const 9)))
    (call $mix (select (i32.const 3) (i32.const 4) (local.get $i)))
    (call $mix (select (i32.const 3) (i32.const 4) (i32.const 0)))
    (if (i32.eqz (local.get $i)) (then (call $mix (i32.const 1))) (else (call $mix (i32.const 2))))
    (call $mix (call_indirect (type $un) (i32.const 6) (i32.const 0)))
    (call $mix (call_indirect (type $un) (i32.const 6) (i32.const 1)))
    (call $mix (local.tee $n (i32.const 11)))
    ;; memory size and growth (one success, one failure)
    (call $mix (memory.size))
    (call $mix (memory.grow (i32.const 1)))
    (call $mix (memory.grow (i32.const 5)))
    ;; bulk: fill, forward and backward copies, init from a passive segment, drop
    (memory.fill (i32.const 200) (i32.const 0xab) (i32.const 70))
    (memory.copy (i32.const 190) (i32.const 205) (i32.const 50))
    (memory.copy (i32.const 230) (i32.const 200) (i32.const 60))
    (memory.init $seg (i32.const 300) (i32.const 5) (i32.const 45))
    (data.drop $seg)
    (call $mix (i32.load (i32.const 310)))
    (call $floats (i32.const 12345))
    ;; input: length, then all of it at an unaligned address
    (local.set $n (call $input_len))
    (call $input_read (i32.const 517) (i32.const 0) (local.get $n))
    (call $input_read (i32.const 600) (i32.const 3) (i32.const 0))
    (call $mix (i32.load (i32.const 520)))
    ;; output: the accumulator, then 70 bytes from an odd address
    (i32.store (i32.const 900) (global.get $acc))
    (call $output_write (i32.const 900) (i32.const 4))
    (call $output_write (i32.const 199) (i32.const 70))
    (call $output_write (i32.const 0) (i32.const 0)))
"#;

/// Every float opcode on edge operands (NaNs with payloads, zeros, subnormals, infinities, the
/// largest finite, ties) and every conversion.
const FLOATS: &str = r#"
  (global $acc (mut i32) (i32.const 0))
  (func $mix (param $x i32)
    (global.set $acc (i32.xor (i32.rotl (global.get $acc) (i32.const 5)) (local.get $x))))
  (func $mix64 (param $x i64)
    (call $mix (i32.wrap_i64 (local.get $x)))
    (call $mix (i32.wrap_i64 (i64.shr_u (local.get $x) (i64.const 32)))))
  (func $f32ops (param $a f32) (param $b f32)
    (call $mix (f32.eq (local.get $a) (local.get $b)))
    (call $mix (f32.ne (local.get $a) (local.get $b)))
    (call $mix (f32.lt (local.get $a) (local.get $b)))
    (call $mix (f32.gt (local.get $a) (local.get $b)))
    (call $mix (f32.le (local.get $a) (local.get $b)))
    (call $mix (f32.ge (local.get $a) (local.get $b)))
    (call $mix (i32.reinterpret_f32 (f32.add (local.get $a) (local.get $b))))
    (call $mix (i32.reinterpret_f32 (f32.sub (local.get $a) (local.get $b))))
    (call $mix (i32.reinterpret_f32 (f32.mul (local.get $a) (local.get $b))))
    (call $mix (i32.reinterpret_f32 (f32.div (local.get $a) (local.get $b))))
    (call $mix (i32.reinterpret_f32 (f32.min (local.get $a) (local.get $b))))
    (call $mix (i32.reinterpret_f32 (f32.max (local.get $a) (local.get $b))))
    (call $mix (i32.reinterpret_f32 (f32.copysign (local.get $a) (local.get $b))))
    (call $mix (i32.reinterpret_f32 (f32.abs (local.get $a))))
    (call $mix (i32.reinterpret_f32 (f32.neg (local.get $a))))
    (call $mix (i32.reinterpret_f32 (f32.ceil (local.get $a))))
    (call $mix (i32.reinterpret_f32 (f32.floor (local.get $a))))
    (call $mix (i32.reinterpret_f32 (f32.trunc (local.get $a))))
    (call $mix (i32.reinterpret_f32 (f32.nearest (local.get $a))))
    (call $mix (i32.reinterpret_f32 (f32.sqrt (local.get $a))))
    (call $mix (i32.trunc_sat_f32_s (local.get $a)))
    (call $mix (i32.trunc_sat_f32_u (local.get $a)))
    (call $mix64 (i64.trunc_sat_f32_s (local.get $a)))
    (call $mix64 (i64.trunc_sat_f32_u (local.get $a)))
    (call $mix64 (i64.reinterpret_f64 (f64.promote_f32 (local.get $a)))))
  (func $f64ops (param $a f64) (param $b f64)
    (call $mix (f64.eq (local.get $a) (local.get $b)))
    (call $mix (f64.ne (local.get $a) (local.get $b)))
    (call $mix (f64.lt (local.get $a) (local.get $b)))
    (call $mix (f64.gt (local.get $a) (local.get $b)))
    (call $mix (f64.le (local.get $a) (local.get $b)))
    (call $mix (f64.ge (local.get $a) (local.get $b)))
    (call $mix64 (i64.reinterpret_f64 (f64.add (local.get $a) (local.get $b))))
    (call $mix64 (i64.reinterpret_f64 (f64.sub (local.get $a) (local.get $b))))
    (call $mix64 (i64.reinterpret_f64 (f64.mul (local.get $a) (local.get $b))))
    (call $mix64 (i64.reinterpret_f64 (f64.div (local.get $a) (local.get $b))))
    (call $mix64 (i64.reinterpret_f64 (f64.min (local.get $a) (local.get $b))))
    (call $mix64 (i64.reinterpret_f64 (f64.max (local.get $a) (local.get $b))))
    (call $mix64 (i64.reinterpret_f64 (f64.copysign (local.get $a) (local.get $b))))
    (call $mix64 (i64.reinterpret_f64 (f64.abs (local.get $a))))
    (call $mix64 (i64.reinterpret_f64 (f64.neg (local.get $a))))
    (call $mix64 (i64.reinterpret_f64 (f64.ceil (local.get $a))))
    (call $mix64 (i64.reinterpret_f64 (f64.floor (local.get $a))))
    (call $mix64 (i64.reinterpret_f64 (f64.trunc (local.get $a))))
    (call $mix64 (i64.reinterpret_f64 (f64.nearest (local.get $a))))
    (call $mix64 (i64.reinterpret_f64 (f64.sqrt (local.get $a))))
    (call $mix (i32.trunc_sat_f64_s (local.get $a)))
    (call $mix (i32.trunc_sat_f64_u (local.get $a)))
    (call $mix64 (i64.trunc_sat_f64_s (local.get $a)))
    (call $mix64 (i64.trunc_sat_f64_u (local.get $a)))
    (call $mix (i32.reinterpret_f32 (f32.demote_f64 (local.get $a)))))
  (func $convs (param $i i32) (param $l i64)
    (call $mix (i32.reinterpret_f32 (f32.convert_i32_s (local.get $i))))
    (call $mix (i32.reinterpret_f32 (f32.convert_i32_u (local.get $i))))
    (call $mix (i32.reinterpret_f32 (f32.convert_i64_s (local.get $l))))
    (call $mix (i32.reinterpret_f32 (f32.convert_i64_u (local.get $l))))
    (call $mix64 (i64.reinterpret_f64 (f64.convert_i32_s (local.get $i))))
    (call $mix64 (i64.reinterpret_f64 (f64.convert_i32_u (local.get $i))))
    (call $mix64 (i64.reinterpret_f64 (f64.convert_i64_s (local.get $l))))
    (call $mix64 (i64.reinterpret_f64 (f64.convert_i64_u (local.get $l)))))
  (func $truncs (param $a f32) (param $b f64)
    (call $mix (i32.trunc_f32_s (local.get $a)))
    (call $mix (i32.trunc_f32_u (f32.abs (local.get $a))))
    (call $mix (i32.trunc_f64_s (local.get $b)))
    (call $mix (i32.trunc_f64_u (f64.abs (local.get $b))))
    (call $mix64 (i64.trunc_f32_s (local.get $a)))
    (call $mix64 (i64.trunc_f32_u (f32.abs (local.get $a))))
    (call $mix64 (i64.trunc_f64_s (local.get $b)))
    (call $mix64 (i64.trunc_f64_u (f64.abs (local.get $b)))))
  (func (export "main")
    (call $f32ops (f32.const 1.5) (f32.const -2.25))
    (call $f32ops (f32.const nan:0x200001) (f32.const 1))
    (call $f32ops (f32.const -0) (f32.const 0))
    (call $f32ops (f32.const 0x1p-149) (f32.const -0x1p-126))
    (call $f32ops (f32.const inf) (f32.const -inf))
    (call $f32ops (f32.const 0x1.fffffep+127) (f32.const 0x1p+127))
    (call $f32ops (f32.const -nan) (f32.const nan:0x1))
    (call $f32ops (f32.const 2.5) (f32.const 3.5))
    (call $f32ops (f32.const -7.5) (f32.const 0x1.8p+23))
    (call $f64ops (f64.const 1.5) (f64.const -2.25))
    (call $f64ops (f64.const nan:0x8000000000001) (f64.const 1))
    (call $f64ops (f64.const -0) (f64.const 0))
    (call $f64ops (f64.const 0x1p-1074) (f64.const -0x1p-1022))
    (call $f64ops (f64.const inf) (f64.const -inf))
    (call $f64ops (f64.const 0x1.fffffffffffffp+1023) (f64.const 0x1p+1023))
    (call $f64ops (f64.const -nan) (f64.const nan:0x1))
    (call $f64ops (f64.const 2.5) (f64.const 3.5))
    (call $f64ops (f64.const -0.5) (f64.const 0x1p+52))
    (call $convs (i32.const -7) (i64.const -9))
    (call $convs (i32.const 0x7fffffff) (i64.const 0x7fffffffffffffff))
    (call $convs (i32.const 16777217) (i64.const -1))
    (call $truncs (f32.const -1000.75) (f64.const 123456789.5))
    (call $truncs (f32.const 0x1.fffffep+30) (f64.const -2147483648.9))
    (i32.store (i32.const 0) (global.get $acc))
    (call $output_write (i32.const 0) (i32.const 4)))
"#;

/// A segmented program (`docs/machine.md` §9): `segment` runs four times, yielding between
/// calls, writing a byte of output each time.
const SEGMENTS: &str = r#"
  (global $n (mut i32) (i32.const 0))
  (func (export "segment") (result i32)
    (global.set $n (i32.add (global.get $n) (i32.const 1)))
    (i32.store8 (i32.const 0) (i32.add (global.get $n) (i32.const 48)))
    (call $output_write (i32.const 0) (i32.const 1))
    (i32.lt_u (global.get $n) (i32.const 4)))
"#;

/// One-fault programs: `(name, body of main, extra module fields, max_call_depth)`.
const TRAPS: &[(&str, &str, &str)] = &[
    ("unreachable", "(unreachable)", ""),
    (
        "div_s_zero",
        "(drop (i32.div_s (i32.const 1) (i32.const 0)))",
        "",
    ),
    (
        "div_s_overflow",
        "(drop (i32.div_s (i32.const 0x80000000) (i32.const -1)))",
        "",
    ),
    (
        "div_u_zero",
        "(drop (i32.div_u (i32.const 1) (i32.const 0)))",
        "",
    ),
    (
        "rem_s_zero",
        "(drop (i32.rem_s (i32.const 1) (i32.const 0)))",
        "",
    ),
    (
        "rem_u_zero",
        "(drop (i32.rem_u (i32.const 1) (i32.const 0)))",
        "",
    ),
    (
        "i64_div_s_overflow",
        "(drop (i64.div_s (i64.const 0x8000000000000000) (i64.const -1)))",
        "",
    ),
    (
        "i64_div_s_zero",
        "(drop (i64.div_s (i64.const 1) (i64.const 0)))",
        "",
    ),
    (
        "i64_div_u_zero",
        "(drop (i64.div_u (i64.const 1) (i64.const 0)))",
        "",
    ),
    (
        "i64_rem_s_zero",
        "(drop (i64.rem_s (i64.const 1) (i64.const 0)))",
        "",
    ),
    (
        "i64_rem_u_zero",
        "(drop (i64.rem_u (i64.const 1) (i64.const 0)))",
        "",
    ),
    ("load_oob", "(drop (i32.load (i32.const 65534)))", ""),
    (
        "load_oob_offset",
        "(drop (i64.load offset=65530 (i32.const 0)))",
        "",
    ),
    (
        "store_oob",
        "(i32.store16 (i32.const 65535) (i32.const 1))",
        "",
    ),
    (
        "fill_oob",
        "(memory.fill (i32.const 65000) (i32.const 1) (i32.const 1000))",
        "",
    ),
    (
        "copy_oob",
        "(memory.copy (i32.const 0) (i32.const 65000) (i32.const 1000))",
        "",
    ),
    (
        "init_oob",
        "(memory.init $s (i32.const 0) (i32.const 2) (i32.const 10))",
        r#"(data $s "short")"#,
    ),
    (
        "input_oob",
        "(call $input_read (i32.const 0) (i32.const 1) (i32.const 100))",
        "",
    ),
    (
        "input_mem_oob",
        "(call $input_read (i32.const 65535) (i32.const 0) (i32.const 2))",
        "",
    ),
    (
        "output_oob",
        "(call $output_write (i32.const 65535) (i32.const 2))",
        "",
    ),
    (
        "undefined_element",
        "(drop (call_indirect (type $un) (i32.const 1) (i32.const 7)))",
        "(table 2 funcref) (elem (i32.const 0) $f)",
    ),
    (
        "uninitialized_element",
        "(drop (call_indirect (type $un) (i32.const 1) (i32.const 1)))",
        "(table 2 funcref) (elem (i32.const 0) $f)",
    ),
    (
        "type_mismatch",
        "(call_indirect (type $nil) (i32.const 0))",
        "(type $nil (func)) (table 2 funcref) (elem (i32.const 0) $f)",
    ),
    ("stack_exhausted", "(call $rec)", "(func $rec (call $rec))"),
    (
        "trunc_i32_f32_s_nan",
        "(drop (i32.trunc_f32_s (f32.const -nan:0x1)))",
        "",
    ),
    (
        "trunc_i32_f32_s_range",
        "(drop (i32.trunc_f32_s (f32.const -1e30)))",
        "",
    ),
    (
        "trunc_i32_f32_u_nan",
        "(drop (i32.trunc_f32_u (f32.const -nan:0x1)))",
        "",
    ),
    (
        "trunc_i32_f32_u_range",
        "(drop (i32.trunc_f32_u (f32.const -1)))",
        "",
    ),
    (
        "trunc_i32_f64_s_nan",
        "(drop (i32.trunc_f64_s (f64.const -nan:0x2)))",
        "",
    ),
    (
        "trunc_i32_f64_s_range",
        "(drop (i32.trunc_f64_s (f64.const -1e30)))",
        "",
    ),
    (
        "trunc_i32_f64_u_nan",
        "(drop (i32.trunc_f64_u (f64.const -nan:0x2)))",
        "",
    ),
    (
        "trunc_i32_f64_u_range",
        "(drop (i32.trunc_f64_u (f64.const -1)))",
        "",
    ),
    (
        "trunc_i64_f32_s_nan",
        "(drop (i64.trunc_f32_s (f32.const -nan:0x1)))",
        "",
    ),
    (
        "trunc_i64_f32_s_range",
        "(drop (i64.trunc_f32_s (f32.const -1e30)))",
        "",
    ),
    (
        "trunc_i64_f32_u_nan",
        "(drop (i64.trunc_f32_u (f32.const -nan:0x1)))",
        "",
    ),
    (
        "trunc_i64_f32_u_range",
        "(drop (i64.trunc_f32_u (f32.const -1)))",
        "",
    ),
    (
        "trunc_i64_f64_s_nan",
        "(drop (i64.trunc_f64_s (f64.const -nan:0x2)))",
        "",
    ),
    (
        "trunc_i64_f64_s_range",
        "(drop (i64.trunc_f64_s (f64.const -1e30)))",
        "",
    ),
    (
        "trunc_i64_f64_u_nan",
        "(drop (i64.trunc_f64_u (f64.const -nan:0x2)))",
        "",
    ),
    (
        "trunc_i64_f64_u_range",
        "(drop (i64.trunc_f64_u (f64.const -1)))",
        "",
    ),
];

/// `(name, wat, input)` for every program here.
pub fn programs() -> Vec<(String, String, Vec<u8>)> {
    let input: Vec<u8> = (0u8..77).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
    let mut out = vec![(
        "ops".to_string(),
        format!("(module {IMPORTS} {OPS})"),
        input,
    )];
    out.push((
        "floats".to_string(),
        format!("(module {IMPORTS} (memory 1) {FLOATS})"),
        Vec::new(),
    ));
    out.push((
        "segments".to_string(),
        format!("(module {IMPORTS} (memory 1) {SEGMENTS})"),
        Vec::new(),
    ));
    for (name, body, fields) in TRAPS {
        let wat = format!(
            "(module {IMPORTS} (memory 1 1) (type $un (func (param i32) (result i32)))
               (func $f (type $un) (local.get 0)) {fields}
               (func (export \"main\") {body}))"
        );
        out.push((format!("trap_{name}"), wat, vec![1, 2, 3]));
    }
    out
}

/// The call depth the trap programs run with, so `stack_exhausted` ends quickly.
pub const SMALL_CALL_DEPTH: u32 = 24;
