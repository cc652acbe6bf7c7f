//! The Solidity opcode constants, generated from `opml_vm::isa::Opcode` (the only definition).
//!
//! `contracts/src/lib/Opcodes.sol` is this function's output, committed; the test
//! `opcodes_sol_is_generated` fails when it drifts, and `OPML_BLESS=1` rewrites it.

use opml_vm::isa::Opcode;
use std::fmt::Write as _;

/// Path of the generated file, relative to the repository root.
pub const OPCODES_SOL: &str = "contracts/src/lib/Opcodes.sol";

/// The text of `Opcodes.sol`: one `OP_<Name>` constant per opcode, a validity bitmap and a
/// two-bit-per-opcode table of how many values each pops (what its proof reveals).
pub fn opcodes_solidity() -> String {
    let mut valid = [0u64; 4];
    let mut pops = [[0u64; 4]; 2];
    let mut s = String::new();
    s.push_str(
        "// SPDX-License-Identifier: MIT OR Apache-2.0\n\
         // GENERATED from vm/src/isa.rs by `OPML_BLESS=1 cargo test -p opml-stepcheck opcodes`.\n\
         // Do not edit: the opcode numbering is consensus data defined once, in Rust.\n\
         pragma solidity ^0.8.20;\n\n\
         /// @title Opcodes\n\
         /// @notice The lowered opcode numbering of `vm/src/isa.rs`, and how many values each pops.\n\
         library Opcodes {\n",
    );
    for &op in Opcode::ALL {
        let n = op as u16;
        let _ = writeln!(
            s,
            "    uint256 internal constant OP_{} = 0x{:02x};",
            op.name(),
            n
        );
        // Every opcode is below 256 (checked by the test); the tables below rely on it.
        let n = usize::from(n);
        valid[n / 64] |= 1 << (n % 64);
        let (half, idx) = (n / 128, n % 128);
        pops[half][idx / 32] |= u64::from(op.pops() & 3) << (2 * (idx % 32));
    }
    let word = |w: [u64; 4]| format!("0x{:016x}{:016x}{:016x}{:016x}", w[3], w[2], w[1], w[0]);
    let _ = write!(
        s,
        "\n    /// @notice Bit `op` is set for every defined opcode.\n\
         \x20   uint256 internal constant VALID = {};\n\
         \x20   /// @notice Two bits per opcode `0..128`: values popped.\n\
         \x20   uint256 internal constant POPS_LO = {};\n\
         \x20   /// @notice Two bits per opcode `128..256`: values popped.\n\
         \x20   uint256 internal constant POPS_HI = {};\n\n\
         \x20   /// @notice Whether `op` is a defined opcode.\n\
         \x20   function isValid(uint256 op) internal pure returns (bool) {{\n\
         \x20       return op < 256 && (VALID >> op) & 1 == 1;\n\
         \x20   }}\n\n\
         \x20   /// @notice How many values `op` pops from the value stack (`op` must be valid).\n\
         \x20   function pops(uint256 op) internal pure returns (uint256) {{\n\
         \x20       return op < 128 ? (POPS_LO >> (2 * op)) & 3 : (POPS_HI >> (2 * (op - 128))) & 3;\n\
         \x20   }}\n\
         }}\n",
        word(valid),
        word(pops[0]),
        word(pops[1]),
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opcodes_fit_the_tables() {
        for &op in Opcode::ALL {
            assert!(
                (op as u16) < 256,
                "{} does not fit the 8-bit tables",
                op.name()
            );
            assert!(op.pops() <= 3, "{} pops more than 3", op.name());
        }
    }

    /// `AluBase.sol` selects an operation by its offset from `Eqz`: the i32 and i64 groups
    /// must list their shared operations in the same order.
    #[test]
    fn i32_and_i64_share_one_operation_order() {
        let (e32, e64) = (Opcode::I32Eqz as u16, Opcode::I64Eqz as u16);
        for k in 0..=(Opcode::I32Rotr as u16 - e32) {
            let a = Opcode::from_u16(e32 + k).expect("i32 op");
            let b = Opcode::from_u16(e64 + k).expect("i64 op");
            assert_eq!(a.name().replacen("I32", "I64", 1), b.name(), "offset {k}");
        }
    }

    #[test]
    fn opcodes_sol_is_generated() {
        let path = crate::repo_root().join(OPCODES_SOL);
        let want = opcodes_solidity();
        if std::env::var_os("OPML_BLESS").is_some() {
            std::fs::write(&path, &want).expect("write Opcodes.sol");
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{OPCODES_SOL} differs from vm/src/isa.rs; regenerate with \
             `OPML_BLESS=1 cargo test -p opml-stepcheck opcodes`"
        );
    }
}
