//! Integer opcode semantics as small pure functions over the machine's `u64` representation
//! (i32 operands are the low 32 bits; i32 results are zero-extended).

use crate::TrapCode;

/// A result that may trap.
pub(crate) type Trapping = Result<u64, TrapCode>;

#[inline(always)]
fn b(x: bool) -> u64 {
    x as u64
}
#[inline(always)]
fn w(x: u32) -> u64 {
    x as u64
}

macro_rules! cmp32 {
    ($($name:ident($a:ident, $bb:ident) = $e:expr;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(x: u64, y: u64) -> u64 {
            let ($a, $bb) = (x as u32, y as u32);
            b($e)
        }
    )*};
}
macro_rules! cmp64 {
    ($($name:ident($a:ident, $bb:ident) = $e:expr;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name($a: u64, $bb: u64) -> u64 {
            b($e)
        }
    )*};
}

cmp32! {
    i32_eq(a, c) = a == c;
    i32_ne(a, c) = a != c;
    i32_lt_s(a, c) = (a as i32) < (c as i32);
    i32_lt_u(a, c) = a < c;
    i32_gt_s(a, c) = (a as i32) > (c as i32);
    i32_gt_u(a, c) = a > c;
    i32_le_s(a, c) = (a as i32) <= (c as i32);
    i32_le_u(a, c) = a <= c;
    i32_ge_s(a, c) = (a as i32) >= (c as i32);
    i32_ge_u(a, c) = a >= c;
}
cmp64! {
    i64_eq(a, c) = a == c;
    i64_ne(a, c) = a != c;
    i64_lt_s(a, c) = (a as i64) < (c as i64);
    i64_lt_u(a, c) = a < c;
    i64_gt_s(a, c) = (a as i64) > (c as i64);
    i64_gt_u(a, c) = a > c;
    i64_le_s(a, c) = (a as i64) <= (c as i64);
    i64_le_u(a, c) = a <= c;
    i64_ge_s(a, c) = (a as i64) >= (c as i64);
    i64_ge_u(a, c) = a >= c;
}

macro_rules! bin32 {
    ($($name:ident($a:ident, $bb:ident) = $e:expr;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(x: u64, y: u64) -> u64 {
            let ($a, $bb) = (x as u32, y as u32);
            w($e)
        }
    )*};
}
macro_rules! bin64 {
    ($($name:ident($a:ident, $bb:ident) = $e:expr;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name($a: u64, $bb: u64) -> u64 {
            $e
        }
    )*};
}

bin32! {
    i32_add(a, c) = a.wrapping_add(c);
    i32_sub(a, c) = a.wrapping_sub(c);
    i32_mul(a, c) = a.wrapping_mul(c);
    i32_and(a, c) = a & c;
    i32_or(a, c) = a | c;
    i32_xor(a, c) = a ^ c;
    i32_shl(a, c) = a.wrapping_shl(c);
    i32_shr_s(a, c) = (a as i32).wrapping_shr(c) as u32;
    i32_shr_u(a, c) = a.wrapping_shr(c);
    i32_rotl(a, c) = a.rotate_left(c % 32);
    i32_rotr(a, c) = a.rotate_right(c % 32);
}
bin64! {
    i64_add(a, c) = a.wrapping_add(c);
    i64_sub(a, c) = a.wrapping_sub(c);
    i64_mul(a, c) = a.wrapping_mul(c);
    i64_and(a, c) = a & c;
    i64_or(a, c) = a | c;
    i64_xor(a, c) = a ^ c;
    i64_shl(a, c) = a.wrapping_shl(c as u32);
    i64_shr_s(a, c) = (a as i64).wrapping_shr(c as u32) as u64;
    i64_shr_u(a, c) = a.wrapping_shr(c as u32);
    i64_rotl(a, c) = a.rotate_left((c % 64) as u32);
    i64_rotr(a, c) = a.rotate_right((c % 64) as u32);
}

macro_rules! un {
    ($($name:ident($a:ident) = $e:expr;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name($a: u64) -> u64 {
            $e
        }
    )*};
}

un! {
    i32_eqz(a) = b(a as u32 == 0);
    i32_clz(a) = w((a as u32).leading_zeros());
    i32_ctz(a) = w((a as u32).trailing_zeros());
    i32_popcnt(a) = w((a as u32).count_ones());
    i32_wrap_i64(a) = w(a as u32);
    i32_extend8_s(a) = w(a as u8 as i8 as i32 as u32);
    i32_extend16_s(a) = w(a as u16 as i16 as i32 as u32);
    i64_eqz(a) = b(a == 0);
    i64_clz(a) = w(a.leading_zeros());
    i64_ctz(a) = w(a.trailing_zeros());
    i64_popcnt(a) = w(a.count_ones());
    i64_extend_i32_s(a) = a as u32 as i32 as i64 as u64;
    i64_extend_i32_u(a) = w(a as u32);
    i64_extend8_s(a) = a as u8 as i8 as i64 as u64;
    i64_extend16_s(a) = a as u16 as i16 as i64 as u64;
    i64_extend32_s(a) = a as u32 as i32 as i64 as u64;
}

/// i32.div_s
#[inline(always)]
pub(crate) fn i32_div_s(x: u64, y: u64) -> Trapping {
    let (a, c) = (x as u32 as i32, y as u32 as i32);
    if c == 0 {
        return Err(TrapCode::IntegerDivideByZero);
    }
    a.checked_div(c)
        .map(|r| w(r as u32))
        .ok_or(TrapCode::IntegerOverflow)
}
/// i32.div_u
#[inline(always)]
pub(crate) fn i32_div_u(x: u64, y: u64) -> Trapping {
    (x as u32)
        .checked_div(y as u32)
        .map(w)
        .ok_or(TrapCode::IntegerDivideByZero)
}
/// i32.rem_s (`MIN % -1 = 0`)
#[inline(always)]
pub(crate) fn i32_rem_s(x: u64, y: u64) -> Trapping {
    let (a, c) = (x as u32 as i32, y as u32 as i32);
    if c == 0 {
        return Err(TrapCode::IntegerDivideByZero);
    }
    Ok(w(a.wrapping_rem(c) as u32))
}
/// i32.rem_u
#[inline(always)]
pub(crate) fn i32_rem_u(x: u64, y: u64) -> Trapping {
    (x as u32)
        .checked_rem(y as u32)
        .map(w)
        .ok_or(TrapCode::IntegerDivideByZero)
}
/// i64.div_s
#[inline(always)]
pub(crate) fn i64_div_s(x: u64, y: u64) -> Trapping {
    let (a, c) = (x as i64, y as i64);
    if c == 0 {
        return Err(TrapCode::IntegerDivideByZero);
    }
    a.checked_div(c)
        .map(|r| r as u64)
        .ok_or(TrapCode::IntegerOverflow)
}
/// i64.div_u
#[inline(always)]
pub(crate) fn i64_div_u(x: u64, y: u64) -> Trapping {
    x.checked_div(y).ok_or(TrapCode::IntegerDivideByZero)
}
/// i64.rem_s (`MIN % -1 = 0`)
#[inline(always)]
pub(crate) fn i64_rem_s(x: u64, y: u64) -> Trapping {
    let (a, c) = (x as i64, y as i64);
    if c == 0 {
        return Err(TrapCode::IntegerDivideByZero);
    }
    Ok(a.wrapping_rem(c) as u64)
}
/// i64.rem_u
#[inline(always)]
pub(crate) fn i64_rem_u(x: u64, y: u64) -> Trapping {
    x.checked_rem(y).ok_or(TrapCode::IntegerDivideByZero)
}

#[cfg(test)]
mod tests {
    use super::*;

    const M32: u64 = 0x8000_0000;
    const NEG1_32: u64 = 0xffff_ffff;

    #[test]
    fn division_traps_and_edges() {
        assert_eq!(i32_div_s(M32, NEG1_32), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_div_s(5, 0), Err(TrapCode::IntegerDivideByZero));
        assert_eq!(i32_rem_s(M32, NEG1_32), Ok(0));
        assert_eq!(i32_div_s(NEG1_32 - 6, 2), Ok(0xffff_fffd)); // -7 / 2 = -3
        assert_eq!(i32_rem_s(NEG1_32 - 6, 2), Ok(NEG1_32)); // -7 % 2 = -1
        assert_eq!(i32_div_u(NEG1_32, 2), Ok(0x7fff_ffff));
        assert_eq!(i32_rem_u(7, 0), Err(TrapCode::IntegerDivideByZero));
        assert_eq!(i64_div_s(1 << 63, u64::MAX), Err(TrapCode::IntegerOverflow));
        assert_eq!(i64_rem_s(1 << 63, u64::MAX), Ok(0));
        assert_eq!(i64_div_u(9, 0), Err(TrapCode::IntegerDivideByZero));
        assert_eq!(i64_rem_u(9, 4), Ok(1));
    }

    #[test]
    fn results_stay_zero_extended() {
        assert_eq!(i32_add(NEG1_32, 2), 1);
        assert_eq!(i32_sub(0, 1), NEG1_32);
        assert_eq!(i32_mul(0x1_0000, 0x1_0000), 0);
        assert_eq!(i32_shr_s(M32, 31), NEG1_32);
        assert_eq!(i32_extend8_s(0x80), 0xffff_ff80);
        assert_eq!(i32_extend16_s(0x8000), 0xffff_8000);
        assert_eq!(i32_wrap_i64(u64::MAX), NEG1_32);
    }

    #[test]
    fn shifts_and_rotates_take_count_modulo_width() {
        assert_eq!(i32_shl(1, 33), 2);
        assert_eq!(i32_shr_u(4, 34), 1);
        assert_eq!(i32_rotl(M32, 33), 1);
        assert_eq!(i32_rotr(1, 65), M32);
        assert_eq!(i64_shl(1, 65), 2);
        assert_eq!(i64_shr_s(1 << 63, 127), u64::MAX);
        assert_eq!(i64_rotl(1 << 63, 65), 1);
        assert_eq!(i64_rotr(1, 129), 1 << 63);
    }

    #[test]
    fn comparisons_and_unary() {
        assert_eq!(i32_lt_s(NEG1_32, 0), 1);
        assert_eq!(i32_lt_u(NEG1_32, 0), 0);
        assert_eq!(i32_ge_s(0, NEG1_32), 1);
        assert_eq!(i64_gt_s(u64::MAX, 0), 0);
        assert_eq!(i64_le_u(0, u64::MAX), 1);
        assert_eq!(i32_clz(0), 32);
        assert_eq!(i32_ctz(0), 32);
        assert_eq!(i64_clz(0), 64);
        assert_eq!(i64_popcnt(u64::MAX), 64);
        assert_eq!(i32_eqz(1 << 32), 1); // only the low 32 bits count
        assert_eq!(i64_extend_i32_s(NEG1_32), u64::MAX);
        assert_eq!(i64_extend_i32_u(NEG1_32), NEG1_32);
        assert_eq!(i64_extend32_s(M32), 0xffff_ffff_8000_0000);
        assert_eq!(i64_extend16_s(0x8000), 0xffff_ffff_ffff_8000);
        assert_eq!(i64_extend8_s(0x7f), 0x7f);
    }
}
