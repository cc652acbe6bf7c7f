//! The model blob: weights and vocabulary, spliced into the program as one data segment at
//! [`BLOB_ADDR`] by `opml-modelpack` (the committed guest carries none). Format (every integer
//! u32 little-endian; offsets in bytes from the blob's start):
//!
//! | word | field |
//! | --- | --- |
//! | 0–1 | magic `OPMLBRT1` |
//! | 2–7 | hidden, layers, heads, intermediate, vocab size, max positions |
//! | 8–11 | `[CLS]`, `[SEP]`, `[UNK]` ids, WordPiece's max input chars per word |
//! | 12 | offset of the token string offsets (vocab + 1 words, into the string bytes) |
//! | 13 | offset of the token string bytes (UTF-8, in id order, continuation tokens with `##`) |
//! | 14 | offset of the ids sorted by their string bytes (vocab words) |
//! | 15 | offset of the tensors (f32, contiguous, in [`Weights`]' order) |
//! | 16 | the blob's length in bytes |

/// Where the packer places the blob: above the guest's data and stack (checked by the packer),
/// below the pages the allocator grows into (it grows from the initial memory's end).
pub const BLOB_ADDR: usize = 4 << 20;
/// The magic, as the first two words.
pub const MAGIC: [u8; 8] = *b"OPMLBRT1";
/// Header words.
pub const HEADER_WORDS: usize = 17;

/// The model's shape, from the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Hidden size H.
    pub hidden: usize,
    /// Encoder layers.
    pub layers: usize,
    /// Attention heads (H divisible by heads).
    pub heads: usize,
    /// Feed-forward size.
    pub intermediate: usize,
    /// Vocabulary size.
    pub vocab: usize,
    /// Position embeddings.
    pub max_positions: usize,
}

/// One encoder layer's tensors (PyTorch `Linear` layout: `[out, in]` row-major).
#[derive(Debug, Clone, Copy)]
pub struct Layer {
    /// Query, key and value weights stacked: `[3H, H]`.
    pub qkv_w: &'static [f32],
    /// Their biases: `[3H]`.
    pub qkv_b: &'static [f32],
    /// Attention output projection `[H, H]` and bias.
    pub out_w: &'static [f32],
    /// Bias of the attention output projection.
    pub out_b: &'static [f32],
    /// LayerNorm after attention: weight and bias `[H]`.
    pub ln1_w: &'static [f32],
    /// Bias of the LayerNorm after attention.
    pub ln1_b: &'static [f32],
    /// Feed-forward up projection `[I, H]`.
    pub up_w: &'static [f32],
    /// Its bias `[I]`.
    pub up_b: &'static [f32],
    /// Feed-forward down projection `[H, I]`.
    pub down_w: &'static [f32],
    /// Its bias `[H]`.
    pub down_b: &'static [f32],
    /// LayerNorm after the feed-forward block.
    pub ln2_w: &'static [f32],
    /// Its bias.
    pub ln2_b: &'static [f32],
}

/// Every tensor, in blob order.
#[derive(Debug, Clone)]
pub struct Weights {
    /// Token embeddings `[vocab, H]`.
    pub word: &'static [f32],
    /// Position embeddings `[max_positions, H]`.
    pub position: &'static [f32],
    /// Token type 0's embedding `[H]` (every token is of type 0).
    pub token_type: &'static [f32],
    /// Embedding LayerNorm weight.
    pub ln_w: &'static [f32],
    /// Embedding LayerNorm bias.
    pub ln_b: &'static [f32],
    /// The encoder layers.
    pub layers: Vec<Layer>,
}

/// The vocabulary.
#[derive(Debug, Clone)]
pub struct Vocab {
    offsets: &'static [u32],
    strings: &'static [u8],
    sorted: &'static [u32],
    /// `[CLS]`.
    pub cls: u32,
    /// `[SEP]`.
    pub sep: u32,
    /// `[UNK]`.
    pub unk: u32,
    /// Longer words (in chars) become `[UNK]`.
    pub max_word_chars: usize,
}

impl Vocab {
    /// The bytes of token `id`.
    pub fn token(&self, id: u32) -> &'static [u8] {
        let i = id as usize;
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => self.strings.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The id of the token spelled `bytes`.
    pub fn lookup(&self, bytes: &[u8]) -> Option<u32> {
        self.sorted
            .binary_search_by(|&id| self.token(id).cmp(bytes))
            .ok()
            .and_then(|i| self.sorted.get(i).copied())
    }
}

/// The parsed blob.
#[derive(Debug, Clone)]
pub struct Model {
    /// Shape.
    pub config: Config,
    /// Tensors.
    pub weights: Weights,
    /// Tokenizer vocabulary.
    pub vocab: Vocab,
}

/// Parses a blob given as words; `Err` names what is wrong.
pub fn parse(words: &'static [u32]) -> Result<Model, &'static str> {
    const BAD: &str = "the model blob is malformed";
    let h = words.get(..HEADER_WORDS).ok_or(BAD)?;
    let w = |i: usize| h[i] as usize;
    if h[0].to_le_bytes() != MAGIC[..4] || h[1].to_le_bytes() != MAGIC[4..] {
        return Err("no model in this program (build it with scripts/models.sh)");
    }
    let config = Config {
        hidden: w(2),
        layers: w(3),
        heads: w(4),
        intermediate: w(5),
        vocab: w(6),
        max_positions: w(7),
    };
    let (hid, inter) = (config.hidden, config.intermediate);
    if hid == 0 || config.heads == 0 || hid % config.heads != 0 || config.max_positions < 2 {
        return Err(BAD);
    }
    if w(16) != words.len() * 4 {
        return Err(BAD);
    }
    let bytes = |off: usize| -> Result<&'static [u32], &'static str> {
        if !off.is_multiple_of(4) {
            return Err(BAD);
        }
        words.get(off / 4..).ok_or(BAD)
    };
    let offsets = bytes(w(12))?.get(..config.vocab + 1).ok_or(BAD)?;
    let sorted = bytes(w(14))?.get(..config.vocab).ok_or(BAD)?;
    let strings_words = bytes(w(13))?;
    let strings_len = *offsets.last().ok_or(BAD)? as usize;
    let strings = words_as_bytes(strings_words)
        .get(..strings_len)
        .ok_or(BAD)?;
    let vocab = Vocab {
        offsets,
        strings,
        sorted,
        cls: h[8],
        sep: h[9],
        unk: h[10],
        max_word_chars: w(11),
    };
    let mut rest = words_as_f32(bytes(w(15))?);
    let mut take = |n: usize| -> Result<&'static [f32], &'static str> {
        if n > rest.len() {
            return Err(BAD);
        }
        let (a, b) = rest.split_at(n);
        rest = b;
        Ok(a)
    };
    let word = take(config.vocab * hid)?;
    let position = take(config.max_positions * hid)?;
    let token_type = take(hid)?;
    let ln_w = take(hid)?;
    let ln_b = take(hid)?;
    let mut layers = Vec::with_capacity(config.layers);
    for _ in 0..config.layers {
        layers.push(Layer {
            qkv_w: take(3 * hid * hid)?,
            qkv_b: take(3 * hid)?,
            out_w: take(hid * hid)?,
            out_b: take(hid)?,
            ln1_w: take(hid)?,
            ln1_b: take(hid)?,
            up_w: take(inter * hid)?,
            up_b: take(inter)?,
            down_w: take(hid * inter)?,
            down_b: take(hid)?,
            ln2_w: take(hid)?,
            ln2_b: take(hid)?,
        });
    }
    if vocab.cls as usize >= config.vocab
        || vocab.sep as usize >= config.vocab
        || vocab.unk as usize >= config.vocab
    {
        return Err(BAD);
    }
    let weights = Weights {
        word,
        position,
        token_type,
        ln_w,
        ln_b,
        layers,
    };
    Ok(Model {
        config,
        weights,
        vocab,
    })
}

fn words_as_f32(w: &'static [u32]) -> &'static [f32] {
    // SAFETY: u32 and f32 have the same size and alignment and every bit pattern is a valid f32;
    // the result borrows the same memory for the same lifetime.
    unsafe { core::slice::from_raw_parts(w.as_ptr().cast::<f32>(), w.len()) }
}

fn words_as_bytes(w: &'static [u32]) -> &'static [u8] {
    // SAFETY: any initialised memory is valid as bytes; u8 has alignment 1; same lifetime.
    unsafe { core::slice::from_raw_parts(w.as_ptr().cast::<u8>(), w.len() * 4) }
}

/// The program's blob: on wasm32 the memory at [`BLOB_ADDR`]; natively, what [`set_native`] set.
#[cfg(target_arch = "wasm32")]
pub fn words() -> Result<&'static [u32], &'static str> {
    const NONE: &str = "no model in this program (build it with scripts/models.sh)";
    let mem = core::arch::wasm32::memory_size(0) * 65536;
    let header_end = BLOB_ADDR + HEADER_WORDS * 4;
    if mem < header_end {
        return Err(NONE);
    }
    let base = BLOB_ADDR as *const u32;
    // SAFETY: [BLOB_ADDR, BLOB_ADDR + 68) lies in memory (checked above) and is 4-aligned; it
    // is not written by anything (the allocator only uses pages grown past the initial memory,
    // the stack and statics lie below BLOB_ADDR).
    let header = unsafe { core::slice::from_raw_parts(base, HEADER_WORDS) };
    let len = header[16] as usize;
    if !len.is_multiple_of(4) || len < HEADER_WORDS * 4 || mem - BLOB_ADDR < len {
        return Err(NONE);
    }
    // SAFETY: as above, for the blob's full length, which is in memory (checked).
    Ok(unsafe { core::slice::from_raw_parts(base, len / 4) })
}

#[cfg(not(target_arch = "wasm32"))]
static NATIVE: std::sync::Mutex<Option<&'static [u32]>> = std::sync::Mutex::new(None);

/// Sets the blob native runs read (tests, the native baseline); leaks a copy.
#[cfg(not(target_arch = "wasm32"))]
pub fn set_native(bytes: &[u8]) {
    let words: Vec<u32> = bytes
        .chunks(4)
        .map(|c| {
            let mut w = [0u8; 4];
            w[..c.len()].copy_from_slice(c);
            u32::from_le_bytes(w)
        })
        .collect();
    *NATIVE.lock().unwrap_or_else(|e| e.into_inner()) = Some(Vec::leak(words));
}

/// The program's blob: on wasm32 the memory at [`BLOB_ADDR`]; natively, what [`set_native`] set.
#[cfg(not(target_arch = "wasm32"))]
pub fn words() -> Result<&'static [u32], &'static str> {
    NATIVE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .ok_or("no model set (blob::set_native)")
}
