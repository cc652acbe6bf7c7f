//! Golden `{pre, proof, post}` vectors: made by the Rust prover, replayed by forge tests
//! (`contracts/test/verifier/Golden.t.sol`) from `contracts/test/golden/<group>.json`.

use std::collections::BTreeMap;
use std::path::Path;

use opml_vm::isa::Opcode;

use crate::diff::group_of;
use crate::{Error, Result};

/// One step: what the verifier must return for `(pre, proof)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vector {
    /// Where it came from (`program@step`).
    pub name: String,
    /// The opcode executed (`None` for a step decided by the state alone, whose proof is the
    /// packed state).
    pub op: Option<Opcode>,
    /// Pre-state hash.
    pub pre: [u8; 32],
    /// The proof bytes.
    pub proof: Vec<u8>,
    /// Post-state hash.
    pub post: [u8; 32],
}

fn hex0x(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

/// Keeps one vector per shape of each opcode, grouped: a shape is the post-state's status
/// (running, halted, trapped, yielded) and the proof length (one or two memory leaves, a bulk
/// step with or without bytes left, a table slot or none), at most `per_op` shapes per opcode.
/// Crafted code (names starting with [`CRAFTED`]) goes to its own group: the step that ends
/// each case (its answer, `docs/machine.md` §5.6).
#[derive(Debug, Default)]
pub struct VectorSet {
    per_op: usize,
    by_group: BTreeMap<&'static str, Vec<Vector>>,
    shapes: BTreeMap<Opcode, Vec<(u8, usize)>>,
}

/// Name prefix of the crafted-code cases' vectors, and their group file.
pub const CRAFTED: &str = "crafted";

/// The group files, in order: the opcode groups, then crafted code.
pub fn group_files() -> impl Iterator<Item = &'static str> {
    opml_vm::isa::GROUPS.iter().map(|g| g.name).chain([CRAFTED])
}

impl VectorSet {
    /// A set keeping up to `per_op` shapes per opcode.
    pub fn new(per_op: usize) -> Self {
        Self {
            per_op,
            ..Default::default()
        }
    }

    /// Offers a vector; kept if it shows a new shape of its opcode.
    pub fn offer(&mut self, v: Vector) {
        if v.name.starts_with(CRAFTED) {
            if v.post[0] != 0 {
                self.by_group.entry(CRAFTED).or_default().push(v.clone());
            }
            // The lowering never emits some opcodes (`Trap`): their crafted steps are also
            // their group's vectors, so every opcode has one.
            if v.op.is_none_or(|op| self.shapes.contains_key(&op)) {
                return;
            }
        }
        let Some(op) = v.op else { return };
        let shapes = self.shapes.entry(op).or_default();
        let shape = (v.post[0], v.proof.len());
        if shapes.len() < self.per_op && !shapes.contains(&shape) {
            shapes.push(shape);
            self.by_group
                .entry(group_of(op as u16))
                .or_default()
                .push(v);
        }
    }

    /// Opcodes with at least one vector.
    pub fn opcodes(&self) -> impl Iterator<Item = Opcode> + '_ {
        self.shapes.keys().copied()
    }

    /// Vectors kept.
    pub fn len(&self) -> usize {
        self.by_group.values().map(Vec::len).sum()
    }

    /// Whether no vector was kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes one JSON file per group into `dir`, in the shape forge's `parseJson*` reads:
    /// parallel arrays `names`, `ops`, `pre`, `proof`, `post`.
    pub fn write(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io(dir.display().to_string(), e))?;
        for (group, vs) in &self.by_group {
            let json = serde_json::json!({
                "names": vs.iter().map(|v| v.name.clone()).collect::<Vec<_>>(),
                "ops": vs.iter().map(|v| v.op.map_or(NO_OP, |o| o as u16)).collect::<Vec<_>>(),
                "pre": vs.iter().map(|v| hex0x(&v.pre)).collect::<Vec<_>>(),
                "proof": vs.iter().map(|v| hex0x(&v.proof)).collect::<Vec<_>>(),
                "post": vs.iter().map(|v| hex0x(&v.post)).collect::<Vec<_>>(),
            });
            let path = dir.join(format!("{group}.json"));
            let text = serde_json::to_string_pretty(&json)
                .map_err(|e| Error::Vector(path.display().to_string(), e.to_string()))?;
            std::fs::write(&path, text + "\n")
                .map_err(|e| Error::Io(path.display().to_string(), e))?;
        }
        Ok(())
    }
}

/// The `ops` entry of a vector without an opcode.
const NO_OP: u16 = 0xffff;

/// Reads back every vector of the group files in `dir`.
pub fn read_dir(dir: &Path) -> Result<Vec<Vector>> {
    let mut out = Vec::new();
    for group in group_files() {
        let path = dir.join(format!("{group}.json"));
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Io(name.clone(), e))?;
        let j: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| Error::Vector(name.clone(), e.to_string()))?;
        let bad = |what: &str| Error::Vector(name.clone(), format!("bad or missing {what}"));
        let arr = |k: &str| j[k].as_array().cloned().ok_or_else(|| bad(k));
        let (names, ops, pre, proof, post) = (
            arr("names")?,
            arr("ops")?,
            arr("pre")?,
            arr("proof")?,
            arr("post")?,
        );
        for (i, name) in names.iter().enumerate() {
            let hexv = |a: &[serde_json::Value], k: &str| -> Result<Vec<u8>> {
                let s = a.get(i).and_then(|v| v.as_str()).ok_or_else(|| bad(k))?;
                hex::decode(s.trim_start_matches("0x")).map_err(|_| bad(k))
            };
            let h32 = |a: &[serde_json::Value], k: &str| -> Result<[u8; 32]> {
                hexv(a, k)?.try_into().map_err(|_| bad(k))
            };
            let n = ops
                .get(i)
                .and_then(|v| v.as_u64())
                .and_then(|n| u16::try_from(n).ok())
                .ok_or_else(|| bad("ops"))?;
            let op = match n {
                NO_OP => None,
                n => Some(Opcode::from_u16(n).ok_or_else(|| bad("ops"))?),
            };
            out.push(Vector {
                name: name.as_str().unwrap_or_default().to_string(),
                op,
                pre: h32(&pre, "pre")?,
                proof: hexv(&proof, "proof")?,
                post: h32(&post, "post")?,
            });
        }
    }
    Ok(out)
}
