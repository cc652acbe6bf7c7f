//! How an output is printed, the same for `opml run` and `opml request --wait`: hex, then
//! decoded as JSON, else as UTF-8 text, when it is either.

/// The output lines: `output (N bytes): HEX`, then `output (json): …` or `output (utf-8): …`.
pub(crate) fn output_lines(output: &[u8]) -> Vec<String> {
    let mut lines = vec![format!(
        "output ({} bytes): {}",
        output.len(),
        hex::encode(output)
    )];
    if let Ok(text) = std::str::from_utf8(output) {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(json) if !text.trim().is_empty() => lines.push(format!("output (json): {json}")),
            _ if !text.is_empty() => lines.push(format!("output (utf-8): {text}")),
            _ => {}
        }
    }
    lines
}

/// The output as JSON fields: `output_hex`, and `output_json` or `output_utf8` when it is
/// either.
pub(crate) fn output_json(output: &[u8]) -> serde_json::Value {
    let mut v = serde_json::json!({ "output_hex": format!("0x{}", hex::encode(output)) });
    if let Ok(text) = std::str::from_utf8(output) {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(json) if !text.trim().is_empty() => v["output_json"] = json,
            _ if !text.is_empty() => v["output_utf8"] = text.into(),
            _ => {}
        }
    }
    v
}
