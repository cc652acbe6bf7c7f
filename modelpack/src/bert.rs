//! The BERT blob (format: `guests/minilm/src/blob.rs`) from `config.json`, `model.safetensors`
//! and `tokenizer.json`, refusing any model the guest does not implement exactly.

use crate::{Error, Result};
use opml_minilm::blob::{HEADER_WORDS, MAGIC};
use safetensors::{Dtype, SafeTensors};
use serde::Deserialize;
use serde_json::Value;

pub use opml_minilm::blob::BLOB_ADDR;

#[derive(Deserialize)]
struct Config {
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    vocab_size: usize,
    max_position_embeddings: usize,
    layer_norm_eps: f64,
    hidden_act: String,
    #[serde(default = "absolute")]
    position_embedding_type: String,
}

fn absolute() -> String {
    "absolute".into()
}

fn unsupported(what: impl Into<String>) -> Error {
    Error::Unsupported(what.into())
}

fn json(file: &'static str, bytes: &[u8]) -> Result<Value> {
    serde_json::from_slice(bytes).map_err(|source| Error::Json { file, source })
}

/// Checks that `tokenizer.json` is BERT-uncased WordPiece as the guest implements it and returns
/// its vocabulary, token strings in id order. Truncation and padding are ignored: the guest
/// truncates at 256 tokens and never pads, as sentence-transformers does.
fn vocabulary(tokenizer: &Value) -> Result<Vec<String>> {
    let field = |path: &[&str]| {
        path.iter()
            .try_fold(tokenizer, |v, k| v.get(k))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let want = |path: &[&str], v: Value| -> Result<()> {
        let got = field(path);
        if got == v {
            Ok(())
        } else {
            Err(unsupported(format!(
                "tokenizer {}: {got}, want {v}",
                path.join(".")
            )))
        }
    };
    want(&["normalizer", "type"], "BertNormalizer".into())?;
    want(&["normalizer", "clean_text"], true.into())?;
    want(&["normalizer", "handle_chinese_chars"], true.into())?;
    want(&["normalizer", "lowercase"], true.into())?;
    // Unset means "as lowercase", i.e. stripped.
    if !matches!(
        field(&["normalizer", "strip_accents"]),
        Value::Null | Value::Bool(true)
    ) {
        return Err(unsupported("tokenizer: strip_accents must be null or true"));
    }
    want(&["pre_tokenizer", "type"], "BertPreTokenizer".into())?;
    want(&["model", "type"], "WordPiece".into())?;
    want(&["model", "unk_token"], "[UNK]".into())?;
    want(&["model", "continuing_subword_prefix"], "##".into())?;
    let vocab = field(&["model", "vocab"]);
    let vocab = vocab
        .as_object()
        .ok_or_else(|| unsupported("tokenizer: model.vocab is not an object"))?;
    let mut by_id: Vec<Option<String>> = vec![None; vocab.len()];
    for (token, id) in vocab {
        let slot = id
            .as_u64()
            .and_then(|i| by_id.get_mut(usize::try_from(i).ok()?))
            .ok_or_else(|| unsupported(format!("tokenizer: id of {token:?} out of range")))?;
        if slot.replace(token.clone()).is_some() {
            return Err(unsupported(format!(
                "tokenizer: id of {token:?} used twice"
            )));
        }
    }
    // Every slot is filled: as many distinct ids below len as entries.
    Ok(by_id.into_iter().flatten().collect())
}

fn tensor(st: &SafeTensors<'_>, name: &str, shape: &[usize], out: &mut Vec<u8>) -> Result<()> {
    let t = st.tensor(name)?;
    if t.dtype() != Dtype::F32 || t.shape() != shape {
        return Err(unsupported(format!(
            "{name}: {:?} {:?}, want F32 {shape:?}",
            t.dtype(),
            t.shape()
        )));
    }
    out.extend_from_slice(t.data());
    Ok(())
}

/// Only row 0 of a `[rows, n]` tensor (the token type every token has).
fn first_row(st: &SafeTensors<'_>, name: &str, n: usize, out: &mut Vec<u8>) -> Result<()> {
    let t = st.tensor(name)?;
    if t.dtype() != Dtype::F32 || t.shape().len() != 2 || t.shape()[1] != n {
        return Err(unsupported(format!("{name}: want F32 [_, {n}]")));
    }
    out.extend_from_slice(&t.data()[..4 * n]);
    Ok(())
}

fn pad32(v: &mut Vec<u8>) {
    v.resize(v.len().next_multiple_of(32), 0);
}

/// The blob of a BERT model (sentence-transformers' files: `config.json`, `model.safetensors`
/// with tensor names without the `bert.` prefix, `tokenizer.json`).
pub fn bert_blob(config: &[u8], safetensors: &[u8], tokenizer: &[u8]) -> Result<Vec<u8>> {
    let c: Config = serde_json::from_slice(config).map_err(|source| Error::Json {
        file: "config.json",
        source,
    })?;
    if c.hidden_act != "gelu" || c.position_embedding_type != "absolute" {
        return Err(unsupported("want hidden_act gelu and absolute positions"));
    }
    if c.layer_norm_eps != 1e-12 {
        return Err(unsupported("want layer_norm_eps 1e-12"));
    }
    let (h, inter) = (c.hidden_size, c.intermediate_size);
    if h == 0 || c.num_attention_heads == 0 || h % c.num_attention_heads != 0 {
        return Err(unsupported("hidden size not divisible by the heads"));
    }
    let tokens = vocabulary(&json("tokenizer.json", tokenizer)?)?;
    if tokens.len() != c.vocab_size {
        return Err(unsupported(
            "tokenizer and config disagree on the vocabulary size",
        ));
    }
    let id = |t: &str| {
        tokens
            .iter()
            .position(|x| x == t)
            .ok_or_else(|| unsupported(format!("tokenizer: no {t}")))
    };
    let (cls, sep, unk) = (id("[CLS]")?, id("[SEP]")?, id("[UNK]")?);
    let max_chars = json("tokenizer.json", tokenizer)?
        .pointer("/model/max_input_chars_per_word")
        .and_then(Value::as_u64)
        .unwrap_or(100);

    // Vocabulary: string offsets, strings, ids sorted by their bytes.
    let mut offsets = vec![0u32];
    let mut strings = Vec::new();
    for t in &tokens {
        strings.extend_from_slice(t.as_bytes());
        offsets.push(u32::try_from(strings.len()).map_err(|_| unsupported("vocabulary too big"))?);
    }
    let mut sorted: Vec<u32> = (0..tokens.len() as u32).collect();
    sorted.sort_by(|&a, &b| {
        tokens[a as usize]
            .as_bytes()
            .cmp(tokens[b as usize].as_bytes())
    });

    let mut body = vec![0u8; HEADER_WORDS * 4];
    pad32(&mut body);
    let words = |v: &[u32]| v.iter().flat_map(|w| w.to_le_bytes()).collect::<Vec<u8>>();
    let offsets_off = body.len();
    body.extend(words(&offsets));
    pad32(&mut body);
    let strings_off = body.len();
    body.extend(&strings);
    pad32(&mut body);
    let sorted_off = body.len();
    body.extend(words(&sorted));
    pad32(&mut body);
    let tensors_off = body.len();

    let st = SafeTensors::deserialize(safetensors)?;
    tensor(
        &st,
        "embeddings.word_embeddings.weight",
        &[c.vocab_size, h],
        &mut body,
    )?;
    tensor(
        &st,
        "embeddings.position_embeddings.weight",
        &[c.max_position_embeddings, h],
        &mut body,
    )?;
    first_row(&st, "embeddings.token_type_embeddings.weight", h, &mut body)?;
    tensor(&st, "embeddings.LayerNorm.weight", &[h], &mut body)?;
    tensor(&st, "embeddings.LayerNorm.bias", &[h], &mut body)?;
    for l in 0..c.num_hidden_layers {
        let p = format!("encoder.layer.{l}.");
        let n = |s: &str| format!("{p}{s}");
        for part in ["query", "key", "value"] {
            tensor(
                &st,
                &n(&format!("attention.self.{part}.weight")),
                &[h, h],
                &mut body,
            )?;
        }
        for part in ["query", "key", "value"] {
            tensor(
                &st,
                &n(&format!("attention.self.{part}.bias")),
                &[h],
                &mut body,
            )?;
        }
        tensor(&st, &n("attention.output.dense.weight"), &[h, h], &mut body)?;
        tensor(&st, &n("attention.output.dense.bias"), &[h], &mut body)?;
        tensor(
            &st,
            &n("attention.output.LayerNorm.weight"),
            &[h],
            &mut body,
        )?;
        tensor(&st, &n("attention.output.LayerNorm.bias"), &[h], &mut body)?;
        tensor(&st, &n("intermediate.dense.weight"), &[inter, h], &mut body)?;
        tensor(&st, &n("intermediate.dense.bias"), &[inter], &mut body)?;
        tensor(&st, &n("output.dense.weight"), &[h, inter], &mut body)?;
        tensor(&st, &n("output.dense.bias"), &[h], &mut body)?;
        tensor(&st, &n("output.LayerNorm.weight"), &[h], &mut body)?;
        tensor(&st, &n("output.LayerNorm.bias"), &[h], &mut body)?;
    }
    pad32(&mut body);

    let as_u32 = |v: usize| u32::try_from(v).map_err(|_| unsupported("blob over 4 GiB"));
    let mut header = Vec::with_capacity(HEADER_WORDS);
    header.push(u32::from_le_bytes(
        MAGIC[..4].try_into().unwrap_or_default(),
    ));
    header.push(u32::from_le_bytes(
        MAGIC[4..].try_into().unwrap_or_default(),
    ));
    for v in [
        h,
        c.num_hidden_layers,
        c.num_attention_heads,
        inter,
        c.vocab_size,
        c.max_position_embeddings,
        cls,
        sep,
        unk,
        usize::try_from(max_chars).unwrap_or(usize::MAX),
        offsets_off,
        strings_off,
        sorted_off,
        tensors_off,
        body.len(),
    ] {
        header.push(as_u32(v)?);
    }
    body[..HEADER_WORDS * 4].copy_from_slice(&words(&header));
    Ok(body)
}
