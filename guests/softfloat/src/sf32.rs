//! binary32 (`f32`) routines on `u32` bit patterns.

use crate::kernels::{div_sig32 as div_sig, sqrt_sig32 as sqrt_sig};

crate::format::format_core!(U = u32, W = 32, P = 23, mul_wide = crate::wide::mul_wide32);
crate::arith::arith_ops!();
crate::misc::misc_ops!();
crate::convert::convert_core!();
