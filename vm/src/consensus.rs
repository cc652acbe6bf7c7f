//! The consensus constants that are not per opcode, per trap code or per state field: the
//! machine version, the domain tags of every hash and the trees' depths. The Solidity side's
//! `contracts/src/lib/Consensus.sol` and the docs tables are generated from these
//! ([`crate::generated`]); changing one is a new machine version.

/// The machine version this crate implements (`docs/machine.md`).
pub const MACHINE_VERSION: u8 = 2;

/// Prefix of the state hash.
pub const TAG_STATE: &[u8] = b"opml/state/v2:";
/// Prefix of the program hash.
pub const TAG_PROGRAM: &[u8] = b"opml/program/v2:";
/// Prefix of the program id a registration returns (`docs/machine.md` §7).
pub const TAG_PROGRAM_ID: &[u8] = b"opml/program-id/v2:";
/// Prefix of an instruction leaf.
pub const TAG_INSTR: &[u8] = b"opml/instr:";
/// Prefix of a value leaf (locals, globals).
pub const TAG_VALUE: &[u8] = b"opml/value:";
/// Prefix of a 32-byte leaf (memory, input, segment bytes).
pub const TAG_BYTES: &[u8] = b"opml/bytes:";
/// Prefix of a table slot leaf.
pub const TAG_TABLE: &[u8] = b"opml/table:";
/// Prefix of a data segment leaf.
pub const TAG_SEGMENT: &[u8] = b"opml/segment:";
/// Prefix of a Merkle node.
pub const TAG_NODE: &[u8] = b"opml/node:";
/// Prefix of a value or aux stack push.
pub const TAG_STACK: &[u8] = b"opml/stack:";
/// Prefix of a frame stack push.
pub const TAG_FRAME: &[u8] = b"opml/frame:";
/// Prefix of an output block fold.
pub const TAG_OUTPUT: &[u8] = b"opml/output:";

/// Every domain tag with its name (`TAG_<NAME>` in Solidity), in the order above.
pub const TAGS: &[(&str, &[u8])] = &[
    ("STATE", TAG_STATE),
    ("PROGRAM", TAG_PROGRAM),
    ("PROGRAM_ID", TAG_PROGRAM_ID),
    ("INSTR", TAG_INSTR),
    ("VALUE", TAG_VALUE),
    ("BYTES", TAG_BYTES),
    ("TABLE", TAG_TABLE),
    ("SEGMENT", TAG_SEGMENT),
    ("NODE", TAG_NODE),
    ("STACK", TAG_STACK),
    ("FRAME", TAG_FRAME),
    ("OUTPUT", TAG_OUTPUT),
];

/// Depth of the memory, input and segment-bytes trees (4 GiB of 32-byte leaves).
pub const BYTES_DEPTH: u32 = 27;
/// Depth of the locals, globals, table and data-segment trees.
pub const SMALL_DEPTH: u32 = 16;
/// Bytes in a memory, input or segment leaf.
pub const LEAF_BYTES: u32 = 32;
/// Bytes in a wasm page.
pub const PAGE_BYTES: u32 = 65536;
/// Bytes of an encoded instruction (`op:u16 ‖ imm:u64`).
pub const INSTR_BYTES: u32 = 10;
/// Deepest segment (`segment_depth` is 1 to this).
pub const MAX_SEGMENT_DEPTH: u8 = 63;
/// The segment depth a program gets when its [`crate::Limits`] do not say otherwise.
pub const DEFAULT_SEGMENT_DEPTH: u8 = 32;

/// The trees of the state: name, leaf kind, depth (`docs/machine.md` §3).
pub const TREES: &[(&str, &str, &str)] = &[
    (
        "code",
        "instructions",
        "`code_depth` (in the state): the least `d ≥ 1` with `2^d ≥ len(code)`",
    ),
    (
        "locals (one per frame)",
        "values, local `i` at leaf `i`",
        "16",
    ),
    ("globals", "mutable globals in lowered order", "16"),
    ("table", "table slots", "16"),
    (
        "memory",
        "32-byte leaves: leaf `i` holds bytes `[32i, 32i+32)`",
        "27 (4 GiB)",
    ),
    ("input", "32-byte leaves of the input, zero-padded", "27"),
    (
        "data segments",
        "one leaf per data segment (active and dropped ones: length 0, root of empty bytes)",
        "16",
    ),
    ("one segment's bytes", "32-byte leaves, zero-padded", "27"),
];
