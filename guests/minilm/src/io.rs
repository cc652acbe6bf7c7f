//! The request and the two answers: JSON embeddings and similarities, or the ABI encoding of
//! `(uint8 best, int32[] scores)` for contracts.

use serde::Deserialize;

/// Most texts in one request.
pub const MAX_TEXTS: usize = 8;

/// What to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `{"dim":…,"embeddings":[…],"similarity":[…]}`.
    Json,
    /// `abi.encode(uint8 best, int32[] scores)`: the label (texts 1..) closest to the query
    /// (text 0) and each label's cosine times 10^6, rounded.
    Classify,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    texts: Vec<String>,
    #[serde(default)]
    mode: Option<String>,
}

/// A parsed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The answer wanted.
    pub mode: Mode,
    /// 1 to [`MAX_TEXTS`] texts (at least 2 in classify mode: the query and a label).
    pub texts: Vec<String>,
}

/// Parses `{"texts":[…]}` or `{"mode":"classify","texts":[query, label, …]}`.
pub fn parse_request(input: &[u8]) -> Result<Request, &'static str> {
    const BAD: &str = "input must be a JSON object with texts (1 to 8 strings) and optionally mode embed or classify (then 2 to 8 texts: the query, then the labels)";
    let raw: Raw = serde_json::from_slice(input).map_err(|_| BAD)?;
    let mode = match raw.mode.as_deref() {
        None | Some("embed") => Mode::Json,
        Some("classify") => Mode::Classify,
        Some(_) => return Err(BAD),
    };
    let min = if mode == Mode::Classify { 2 } else { 1 };
    if raw.texts.len() < min || raw.texts.len() > MAX_TEXTS {
        return Err(BAD);
    }
    Ok(Request {
        mode,
        texts: raw.texts,
    })
}

/// The cosine matrix of unit vectors: dot products, each summed in order.
pub fn similarity(embeddings: &[Vec<f32>]) -> Vec<Vec<f32>> {
    embeddings
        .iter()
        .map(|a| {
            embeddings
                .iter()
                .map(|b| crate::kernels::dot(a, b))
                .collect()
        })
        .collect()
}

fn push_f32(out: &mut String, v: f32) {
    if v.is_finite() {
        out.push_str(ryu::Buffer::new().format_finite(v));
    } else {
        out.push_str("null");
    }
}

fn push_rows(out: &mut String, rows: &[Vec<f32>]) {
    out.push('[');
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        for (j, &v) in row.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            push_f32(out, v);
        }
        out.push(']');
    }
    out.push(']');
}

/// The JSON answer; every number is the shortest decimal that reads back as the same f32.
pub fn render_json(embeddings: &[Vec<f32>]) -> String {
    let dim = embeddings.first().map_or(0, Vec::len);
    let mut out = String::with_capacity(embeddings.len() * dim * 12 + 64);
    out.push_str("{\"dim\":");
    out.push_str(itoa(dim as u64).as_str());
    out.push_str(",\"embeddings\":");
    push_rows(&mut out, embeddings);
    out.push_str(",\"similarity\":");
    push_rows(&mut out, &similarity(embeddings));
    out.push('}');
    out
}

fn itoa(v: u64) -> String {
    let mut s = String::new();
    let mut d = 1;
    while v / d >= 10 {
        d *= 10;
    }
    while d > 0 {
        s.push(char::from(b'0' + ((v / d) % 10) as u8));
        d /= 10;
    }
    s
}

/// A label's score: the cosine times 10^6, rounded half away from zero.
pub fn score(cos: f32) -> i32 {
    // |cos| <= 1 (up to rounding), so the product fits an i32 by far.
    libm::round(f64::from(cos) * 1e6) as i32
}

/// `(best, scores)` for a query (embedding 0) and labels (the rest): `best` is the first label
/// with the highest cosine.
pub fn classify(embeddings: &[Vec<f32>]) -> (u8, Vec<i32>) {
    let Some((query, labels)) = embeddings.split_first() else {
        return (0, Vec::new());
    };
    let cos: Vec<f32> = labels
        .iter()
        .map(|l| crate::kernels::dot(query, l))
        .collect();
    let mut best = 0;
    for (i, &c) in cos.iter().enumerate() {
        if c > cos[best] {
            best = i;
        }
    }
    (best as u8, cos.into_iter().map(score).collect())
}

/// `abi.encode(uint8 best, int32[] scores)`: head (best, offset 0x40), then the array's length
/// and its elements, each a 32-byte big-endian two's-complement word.
pub fn abi_encode(best: u8, scores: &[i32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 * (3 + scores.len()));
    let mut word = |v: i64| {
        let fill = if v < 0 { 0xff } else { 0 };
        out.extend_from_slice(&[fill; 24]);
        out.extend_from_slice(&v.to_be_bytes());
    };
    word(i64::from(best));
    word(0x40);
    word(scores.len() as i64);
    for &s in scores {
        word(i64::from(s));
    }
    out
}

/// `{"error":"…"}` (messages are literals without quotes or backslashes).
pub fn render_error(msg: &str) -> String {
    let mut s = String::from("{\"error\":\"");
    s.push_str(msg);
    s.push_str("\"}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same bytes `contracts/test/protocol/Classify.t.sol` decodes with Solidity's
    /// `abi.decode(output, (uint8, int32[]))`: the two sides agree on the classify output.
    const GOLDEN: &str = concat!(
        "0000000000000000000000000000000000000000000000000000000000000002",
        "0000000000000000000000000000000000000000000000000000000000000040",
        "0000000000000000000000000000000000000000000000000000000000000003",
        "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffb",
        "00000000000000000000000000000000000000000000000000000000000c6539",
        "00000000000000000000000000000000000000000000000000000000000f423f",
    );

    #[test]
    fn abi_encoding_matches_solidity_golden() {
        let hex: String = abi_encode(2, &[-5, 812_345, 999_999])
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, GOLDEN);
    }
}
