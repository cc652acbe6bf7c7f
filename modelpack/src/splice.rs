//! Splices a blob into a guest build: the blob becomes one more active data segment at
//! [`BLOB_ADDR`], the memory's minimum grows to cover it and its maximum is set to the minimum
//! plus the working pages, so the program itself bounds its memory. Every other section is
//! copied byte for byte, so the result depends only on the two inputs.

use crate::{BLOB_ADDR, Error, Result};
use wasm_encoder::{ConstExpr, DataSection, MemorySection, MemoryType, RawSection, Section};
use wasmparser::{DataKind, MemorySectionReader, Operator, Parser, Payload};

const PAGE: u64 = 65536;

/// Pages a BERT guest needs beyond its blob for `tokens` tokens at most: the activations of one
/// text (`h`, `wide`, `tmp`, scores, transposed values, in f32) plus the allocator's slack and
/// the token ids, with margin.
pub fn working_pages(tokens: u64, hidden: u64, intermediate: u64) -> u32 {
    let floats =
        tokens * (2 * hidden + intermediate.max(3 * hidden)) + tokens * tokens + tokens * 64;
    let bytes = floats * 4 * 2 + (4 << 20);
    u32::try_from(bytes.div_ceil(PAGE)).unwrap_or(u32::MAX)
}

fn layout(msg: impl Into<String>) -> Error {
    Error::Layout(msg.into())
}

/// The constant offset of an active segment (`i32.const n`).
fn const_offset(expr: &wasmparser::ConstExpr<'_>) -> Result<u64> {
    let mut ops = expr.get_operators_reader();
    match (ops.read()?, ops.read()?) {
        (Operator::I32Const { value }, Operator::End) => Ok(u64::from(value as u32)),
        _ => Err(layout("a data segment's offset is not an i32 constant")),
    }
}

fn memory(reader: MemorySectionReader<'_>, min_pages: u64, working: u32) -> Result<MemorySection> {
    let mems: Vec<_> = reader.into_iter().collect::<Result<_, _>>()?;
    let [m] = mems.as_slice() else {
        return Err(layout("want exactly one memory"));
    };
    if m.memory64 || m.shared || m.page_size_log2.is_some() {
        return Err(layout("want a plain 32-bit memory"));
    }
    if m.initial * PAGE > BLOB_ADDR as u64 {
        return Err(layout(format!(
            "the guest's initial memory ({} pages) reaches past the blob address {BLOB_ADDR:#x}",
            m.initial
        )));
    }
    let mut s = MemorySection::new();
    s.memory(MemoryType {
        minimum: min_pages,
        maximum: Some(min_pages + u64::from(working)),
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    Ok(s)
}

/// `guest` with `blob` at [`BLOB_ADDR`] and `working` pages of memory above it.
pub fn splice(guest: &[u8], blob: &[u8], working: u32) -> Result<Vec<u8>> {
    let end = BLOB_ADDR as u64 + blob.len() as u64;
    let min_pages = end.div_ceil(PAGE);
    if min_pages + u64::from(working) > 65536 {
        return Err(layout("blob and working memory exceed 4 GiB"));
    }
    let mut out = Vec::with_capacity(guest.len() + blob.len() + 64);
    let mut saw_data = false;
    let mut saw_memory = false;
    for payload in Parser::new(0).parse_all(guest) {
        let payload = payload?;
        match &payload {
            Payload::Version { range, .. } => out.extend_from_slice(&guest[range.clone()]),
            Payload::MemorySection(r) => {
                saw_memory = true;
                memory(r.clone(), min_pages, working)?.append_to(&mut out);
            }
            Payload::DataCountSection { count, .. } => {
                wasm_encoder::DataCountSection { count: count + 1 }.append_to(&mut out);
            }
            Payload::DataSection(r) => {
                saw_data = true;
                let mut s = DataSection::new();
                for d in r.clone() {
                    let d = d?;
                    match d.kind {
                        DataKind::Passive => {
                            s.passive(d.data.iter().copied());
                        }
                        DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => {
                            let at = const_offset(&offset_expr)?;
                            if at + d.data.len() as u64 > BLOB_ADDR as u64 {
                                return Err(layout("the guest's data reaches the blob address"));
                            }
                            s.active(
                                memory_index,
                                &ConstExpr::i32_const(at as i32),
                                d.data.iter().copied(),
                            );
                        }
                    }
                }
                s.active(
                    0,
                    &ConstExpr::i32_const(BLOB_ADDR as i32),
                    blob.iter().copied(),
                );
                s.append_to(&mut out);
            }
            Payload::CodeSectionEntry(_) => {}
            Payload::End(_) => {}
            p => {
                if let Some((id, range)) = p.as_section() {
                    RawSection {
                        id,
                        data: &guest[range],
                    }
                    .append_to(&mut out);
                }
            }
        }
    }
    if !saw_memory || !saw_data {
        return Err(layout("the guest has no memory or no data section"));
    }
    Ok(out)
}
