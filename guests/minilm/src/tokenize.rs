//! BERT-uncased tokenization exactly as `tokenizer.json` describes it for this model (Hugging
//! Face `tokenizers`: `BertNormalizer` with clean_text, handle_chinese_chars, lowercase and
//! accent stripping, `BertPreTokenizer`, `WordPiece` with `##` continuations), then
//! `[CLS] … [SEP]` truncated to at most [`MAX_TOKENS`] tokens, no padding.
//!
//! Unicode properties come from `unicode-general-category` and `unicode-normalization` (NFD);
//! `tokenizers` uses older tables, so characters assigned in recent Unicode versions may be
//! treated differently. Text in scripts assigned long ago tokenizes identically.

use crate::blob::Vocab;
use unicode_general_category::{GeneralCategory as G, get_general_category};
use unicode_normalization::UnicodeNormalization;

/// Most tokens of one text, `[CLS]` and `[SEP]` included (sentence-transformers' max_seq_length).
pub const MAX_TOKENS: usize = 256;

/// `\t`, `\n`, `\r` and Unicode whitespace.
fn is_whitespace(c: char) -> bool {
    c.is_whitespace()
}

/// Control-like characters removed by clean_text: categories Cc, Cf, Cn, Co, Cs, except the
/// three whitespace controls.
fn is_control(c: char) -> bool {
    if matches!(c, '\t' | '\n' | '\r') {
        return false;
    }
    matches!(
        get_general_category(c),
        G::Control | G::Format | G::Unassigned | G::PrivateUse | G::Surrogate
    )
}

/// The CJK ideograph blocks that BERT splits into single characters.
fn is_chinese(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F | 0x2B920..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

/// ASCII punctuation or a Unicode punctuation category (Pc Pd Pe Pf Pi Po Ps).
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            get_general_category(c),
            G::ConnectorPunctuation
                | G::DashPunctuation
                | G::ClosePunctuation
                | G::FinalPunctuation
                | G::InitialPunctuation
                | G::OtherPunctuation
                | G::OpenPunctuation
        )
}

/// BertNormalizer: clean, space out CJK, strip accents (NFD, drop Mn), lowercase.
pub fn normalize(text: &str) -> String {
    let mut spaced = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || is_control(c) {
            continue;
        }
        let c = if is_whitespace(c) { ' ' } else { c };
        if is_chinese(c) {
            spaced.push(' ');
            spaced.push(c);
            spaced.push(' ');
        } else {
            spaced.push(c);
        }
    }
    let mut out = String::with_capacity(spaced.len());
    for c in spaced
        .nfd()
        .filter(|&c| get_general_category(c) != G::NonspacingMark)
    {
        out.extend(c.to_lowercase());
    }
    out
}

/// BertPreTokenizer: split on whitespace (dropped) and around each punctuation character.
pub fn pre_tokenize(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if is_whitespace(c) || is_punctuation(c) {
            if let Some(s) = start.take() {
                words.push(&text[s..i]);
            }
            if !is_whitespace(c) {
                words.push(&text[i..i + c.len_utf8()]);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        words.push(&text[s..]);
    }
    words
}

/// WordPiece: greedy longest match, continuations prefixed `##`; a word with no full
/// segmentation, or longer than the limit, is one `[UNK]`.
pub fn word_piece(word: &str, vocab: &Vocab, out: &mut Vec<u32>) {
    if word.chars().count() > vocab.max_word_chars {
        out.push(vocab.unk);
        return;
    }
    let first = out.len();
    let mut candidate = Vec::with_capacity(word.len() + 2);
    let mut start = 0;
    while start < word.len() {
        let mut end = word.len();
        let mut found = None;
        while start < end {
            candidate.clear();
            if start > 0 {
                candidate.extend_from_slice(b"##");
            }
            candidate.extend_from_slice(&word.as_bytes()[start..end]);
            if let Some(id) = vocab.lookup(&candidate) {
                found = Some(id);
                break;
            }
            // Back off by one character.
            end -= word[..end].chars().next_back().map_or(1, char::len_utf8);
        }
        match found {
            Some(id) => {
                out.push(id);
                start = end;
            }
            None => {
                out.truncate(first);
                out.push(vocab.unk);
                return;
            }
        }
    }
}

/// The token ids of one text: `[CLS]`, at most `MAX_TOKENS - 2` word pieces, `[SEP]`.
pub fn tokenize(text: &str, vocab: &Vocab, max_tokens: usize) -> Vec<u32> {
    let normalized = normalize(text);
    let mut ids = vec![vocab.cls];
    for word in pre_tokenize(&normalized) {
        word_piece(word, vocab, &mut ids);
        if ids.len() > max_tokens - 1 {
            break;
        }
    }
    ids.truncate(max_tokens - 1);
    ids.push(vocab.sep);
    ids
}
