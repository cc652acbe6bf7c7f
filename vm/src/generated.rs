//! The one generator of every text the Rust definitions are the source of: the Solidity
//! constants (`contracts/src/lib/Opcodes.sol`, `contracts/src/lib/Consensus.sol`) and the spec's
//! tables (`docs/isa.md`, the generated sections of `docs/machine.md`). Pure functions of the
//! definitions; `tests/generated.rs` compares each with its committed file and
//! `OPML_BLESS=1 cargo test -p opml-vm --test generated` rewrites them.

use std::fmt::Write as _;

use crate::consensus::{self, TAGS, TREES};
use crate::isa::{GROUPS, Opcode};
use crate::{StateFields, Status, TrapCode};

/// Makes a generated file's text from its committed text.
pub type Generator = fn(&str) -> String;

/// Every generated file: its path from the repository root and how to make it from what is
/// committed (the Solidity files and `isa.md` are whole; `machine.md` keeps its prose).
pub fn files() -> Vec<(&'static str, Generator)> {
    vec![
        ("contracts/src/lib/Opcodes.sol", |_| opcodes_solidity()),
        ("contracts/src/lib/Consensus.sol", |_| consensus_solidity()),
        ("docs/isa.md", |_| isa_markdown()),
        ("docs/machine.md", machine_markdown),
    ]
}

/// `MemoryOutOfBounds` → `MEMORY_OUT_OF_BOUNDS`; `float_conv` → `FLOAT_CONV`.
fn upper_snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 && !out.ends_with('_') {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

const SOL_HEADER: &str = "// SPDX-License-Identifier: MIT OR Apache-2.0\n\
     // GENERATED from the Rust definitions in vm/src by\n\
     // `OPML_BLESS=1 cargo test -p opml-vm --test generated`. Do not edit: these are consensus\n\
     // data defined once, in Rust (`vm/src/generated.rs`).\n\
     pragma solidity ^0.8.20;\n\n";

/// `Opcodes.sol`: one `OP_<Name>` constant per opcode, a validity bitmap and a two-bit-per-opcode
/// table of how many values each pops (what its proof reveals).
pub fn opcodes_solidity() -> String {
    let mut valid = [0u64; 4];
    let mut pops = [[0u64; 4]; 2];
    let mut s = String::from(SOL_HEADER);
    s.push_str(
        "/// @title Opcodes\n\
         /// @notice The lowered opcode numbering of `vm/src/isa.rs`, and how many values each pops.\n\
         library Opcodes {\n",
    );
    for &op in Opcode::ALL {
        let n = op as u16;
        let _ = writeln!(
            s,
            "    uint256 internal constant OP_{} = 0x{n:02x};",
            op.name()
        );
        // Every opcode is below 256 (`isa.rs` tests it); the tables below rely on it.
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

/// `Consensus.sol`: the machine version, statuses, trap codes, group bounds, the packed state's
/// length, widths and offsets, tree depths, domain tags and sizes.
pub fn consensus_solidity() -> String {
    let mut s = String::from(SOL_HEADER);
    s.push_str(
        "/// @title Consensus\n\
         /// @notice The constants the step verifier and the protocol share with the Rust machine\n\
         ///         (`docs/machine.md`, `docs/proof.md`).\n\
         library Consensus {\n",
    );
    let c = |s: &mut String, doc: &str, ty: &str, name: &str, v: String| {
        if !doc.is_empty() {
            let _ = writeln!(s, "    /// @notice {doc}");
        }
        let _ = writeln!(s, "    {ty} internal constant {name} = {v};");
    };
    c(
        &mut s,
        "The machine version this verifier implements.",
        "uint256",
        "MACHINE_VERSION",
        consensus::MACHINE_VERSION.to_string(),
    );

    s.push_str("\n    // ---- statuses: the first byte of a state hash -----------------------------------------\n");
    for st in Status::ALL {
        c(
            &mut s,
            "",
            "uint8",
            &format!("STATUS_{}", upper_snake(st.name())),
            (st as u8).to_string(),
        );
    }

    s.push_str("\n    // ---- trap codes ------------------------------------------------------------------------\n");
    for &t in TrapCode::ALL {
        c(
            &mut s,
            t.doc(),
            "uint8",
            &format!("TRAP_{}", upper_snake(t.name())),
            (t as u8).to_string(),
        );
    }

    s.push_str("\n    // ---- instruction groups: first opcode and one past the last ------------------------------\n");
    for g in GROUPS {
        let n = upper_snake(g.name);
        c(
            &mut s,
            "",
            "uint256",
            &format!("GROUP_{n}_FIRST"),
            format!("0x{:02x}", g.first),
        );
        c(
            &mut s,
            "",
            "uint256",
            &format!("GROUP_{n}_END"),
            format!("0x{:02x}", g.last + 1),
        );
    }

    s.push_str("\n    // ---- the packed state (docs/machine.md §4) -------------------------------------------------\n");
    c(
        &mut s,
        "Bytes of a packed state.",
        "uint256",
        "STATE_PACKED_LEN",
        StateFields::ENCODED_LEN.to_string(),
    );
    c(
        &mut s,
        "Fields in a state.",
        "uint256",
        "STATE_FIELDS",
        StateFields::LAYOUT.len().to_string(),
    );
    let widths: String = StateFields::LAYOUT
        .iter()
        .map(|f| format!("{:02x}", f.width))
        .collect();
    c(
        &mut s,
        "Byte width of each field, in order, one byte per field (left-aligned).",
        "bytes32",
        "STATE_WIDTHS",
        format!("hex\"{widths}\""),
    );
    let mut off = 0;
    for f in StateFields::LAYOUT {
        c(
            &mut s,
            "",
            "uint256",
            &format!("STATE_OFFSET_{}", upper_snake(f.name)),
            off.to_string(),
        );
        off += f.width;
    }
    c(
        &mut s,
        "Offset of the opcode in a proof: just after the packed state.",
        "uint256",
        "PROOF_OPCODE_OFFSET",
        StateFields::ENCODED_LEN.to_string(),
    );

    s.push_str("\n    // ---- trees and sizes -----------------------------------------------------------------------\n");
    c(
        &mut s,
        "Depth of the memory, input and segment-bytes trees.",
        "uint256",
        "BYTES_DEPTH",
        consensus::BYTES_DEPTH.to_string(),
    );
    c(
        &mut s,
        "Depth of the locals, globals, table and data-segment trees.",
        "uint256",
        "SMALL_DEPTH",
        consensus::SMALL_DEPTH.to_string(),
    );
    c(
        &mut s,
        "",
        "uint256",
        "LEAF_BYTES",
        consensus::LEAF_BYTES.to_string(),
    );
    c(
        &mut s,
        "",
        "uint256",
        "PAGE_BYTES",
        consensus::PAGE_BYTES.to_string(),
    );
    c(
        &mut s,
        "",
        "uint256",
        "INSTR_BYTES",
        consensus::INSTR_BYTES.to_string(),
    );
    c(
        &mut s,
        "`segment_depth` is 1 to this.",
        "uint256",
        "MAX_SEGMENT_DEPTH",
        consensus::MAX_SEGMENT_DEPTH.to_string(),
    );

    s.push_str("\n    // ---- domain tags (left-aligned) and their lengths -------------------------------------------\n");
    for (name, tag) in TAGS {
        let text = std::str::from_utf8(tag).unwrap_or("");
        c(
            &mut s,
            "",
            "bytes32",
            &format!("TAG_{name}"),
            format!("\"{text}\""),
        );
        c(
            &mut s,
            "",
            "uint256",
            &format!("TAG_{name}_LEN"),
            tag.len().to_string(),
        );
    }
    s.push_str("}\n");
    s
}

/// One Markdown table cell: no pipes, one line.
fn cell(text: &str) -> String {
    text.trim().replace('|', "\\|").replace('\n', " ")
}

/// `docs/isa.md`: the groups and every opcode with its row of the table.
pub fn isa_markdown() -> String {
    let mut out = format!(
        "# Opcodes of the lowered code, machine version {}\n\n\
         GENERATED from `vm/src/isa.rs` by `OPML_BLESS=1 cargo test -p opml-vm --test generated`.\n\
         Do not edit. Semantics: the last column (the rows' doc comments) and `docs/machine.md` §5.\n\
         Kinds: `ctl` hand-written; `un`/`bin` a pure function of the top one/two values (`x1 op x0`,\n\
         `x0` the top); `un_trap`/`bin_trap` the same, or a trap; `load`/`store` of `width` bytes.\n\n\
         ## Groups\n\n\
         | group | opcodes | verifier contract |\n| --- | --- | --- |\n",
        consensus::MACHINE_VERSION
    );
    for g in GROUPS {
        let _ = writeln!(
            out,
            "| {} | `0x{:02x}`–`0x{:02x}` | `{}` |",
            g.name, g.first, g.last, g.contract
        );
    }
    out.push_str(
        "\n## Opcodes\n\n\
         | number | name | pops | pushes | kind | semantics |\n\
         | --- | --- | --- | --- | --- | --- |\n",
    );
    for &op in Opcode::ALL {
        let kind = match op.access_width() {
            Some(w) => format!("{} {w}", op.kind().name()),
            None => op.kind().name().to_string(),
        };
        let _ = writeln!(
            out,
            "| `0x{:02x}` | `{}` | {} | {} | {kind} | {} |",
            op as u16,
            op.name(),
            op.pops(),
            op.pushes(),
            cell(op.doc())
        );
    }
    out
}

/// The generated tables of `docs/machine.md`, by section name.
fn machine_sections() -> Vec<(&'static str, String)> {
    let mut fields = String::from("| field | type | meaning |\n| --- | --- | --- |\n");
    for f in StateFields::LAYOUT {
        let _ = writeln!(fields, "| `{}` | {} | {} |", f.name, f.ty, cell(f.doc));
    }
    let _ = write!(
        fields,
        "\n{} bytes, {} fields.",
        StateFields::ENCODED_LEN,
        StateFields::LAYOUT.len()
    );
    let mut statuses = String::from("| status | number |\n| --- | --- |\n");
    for s in Status::ALL {
        let _ = writeln!(statuses, "| {} | {} |", s.name(), s as u8);
    }
    statuses.pop();
    let mut traps = String::from("| code | name | when |\n| --- | --- | --- |\n");
    for &t in TrapCode::ALL {
        let _ = writeln!(
            traps,
            "| {} | `{}` | {} |",
            t as u8,
            t.name(),
            cell(t.doc())
        );
    }
    traps.pop();
    let mut trees = String::from("| tree | depth | leaves |\n| --- | --- | --- |\n");
    for (name, leaves, depth) in TREES {
        let _ = writeln!(trees, "| {name} | {depth} | {leaves} |");
    }
    trees.pop();
    vec![
        ("tree-depths", trees),
        ("state-fields", fields),
        ("statuses", statuses),
        ("trap-codes", traps),
    ]
}

/// `docs/machine.md` with each `<!-- generated: NAME -->` … `<!-- end generated -->` section
/// replaced by its table; the prose around them is kept.
pub fn machine_markdown(current: &str) -> String {
    let mut out = current.to_string();
    for (name, table) in machine_sections() {
        let open = format!("<!-- generated: {name} -->");
        let close = "<!-- end generated -->";
        let Some(a) = out.find(&open) else { continue };
        let Some(b) = out[a..].find(close).map(|b| a + b) else {
            continue;
        };
        out.replace_range(a..b + close.len(), &format!("{open}\n{table}\n{close}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_solidity_constants() {
        assert_eq!(upper_snake("MemoryOutOfBounds"), "MEMORY_OUT_OF_BOUNDS");
        assert_eq!(upper_snake("float_conv"), "FLOAT_CONV");
        assert_eq!(upper_snake("segment_steps"), "SEGMENT_STEPS");
        assert_eq!(upper_snake("yielded"), "YIELDED");
    }

    #[test]
    fn machine_sections_are_all_marked() {
        let text = machine_markdown(
            "a\n<!-- generated: trap-codes -->\nSTALE\n<!-- end generated -->\nb\n",
        );
        assert!(text.contains("| 12 | `SegmentTooLong` |"));
        assert!(text.starts_with("a\n") && text.ends_with("\nb\n"));
        assert!(!text.contains("STALE"));
    }
}
