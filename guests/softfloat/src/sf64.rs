//! binary64 (`f64`) routines on `u64` bit patterns.

use crate::kernels::{div_sig64 as div_sig, sqrt_sig64 as sqrt_sig};

crate::format::format_core!(U = u64, W = 64, P = 52, mul_wide = crate::wide::mul_wide64);
crate::arith::arith_ops!();
crate::misc::misc_ops!();
crate::convert::convert_core!();
