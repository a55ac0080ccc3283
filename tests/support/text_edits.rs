//! Applying `didChange` changes and `TextEdit`s to a text, as an editor does.

use serde_json::{json, Value};

use super::positions::{pos_at, range_offsets, PositionEncoding};

/// Applies one `didChange`-style change (range in `enc`).
pub fn apply_change(
    text: &str,
    range: &Value,
    new_text: &str,
    enc: PositionEncoding,
) -> Result<String, String> {
    let (s, e) = range_offsets(text, range, enc)?;
    let mut out = String::with_capacity(text.len() + new_text.len());
    out.push_str(&text[..s]);
    out.push_str(new_text);
    out.push_str(&text[e..]);
    Ok(out)
}

/// Applies `TextEdit`s (`{range, newText}`) that all refer to the ORIGINAL text and must not
/// overlap (LSP rule). Insertions at one position keep their array order.
pub fn apply_text_edits(
    text: &str,
    edits: &[Value],
    enc: PositionEncoding,
) -> Result<String, String> {
    plan_text_edits(text, edits, enc).map(|(t, _)| t)
}

/// Returns the new text plus the same edits as sequential `(range, text)` changes (last to
/// first, so each range is valid when applied one after another), for `didChange`.
pub fn plan_text_edits(
    text: &str,
    edits: &[Value],
    enc: PositionEncoding,
) -> Result<(String, Vec<(Value, String)>), String> {
    let mut spans = Vec::with_capacity(edits.len());
    for (idx, edit) in edits.iter().enumerate() {
        if edit.get("snippet").is_some() {
            return Err("snippet text edits are not supported by this client".into());
        }
        let range = edit
            .get("range")
            .ok_or_else(|| format!("text edit without range: {edit}"))?;
        let new_text = edit
            .get("newText")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("text edit without newText: {edit}"))?;
        let (s, e) = range_offsets(text, range, enc)?;
        spans.push((s, e, idx, new_text));
    }
    spans.sort_by_key(|&(s, e, idx, _)| (s, e, idx));
    for w in spans.windows(2) {
        if w[0].1 > w[1].0 {
            return Err(format!(
                "overlapping text edits: {} and {}",
                edits[w[0].2], edits[w[1].2]
            ));
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for &(s, e, _, t) in &spans {
        out.push_str(&text[at..s]);
        out.push_str(t);
        at = e;
    }
    out.push_str(&text[at..]);
    let seq = spans
        .iter()
        .rev()
        .map(|&(s, e, _, t)| {
            let (a, b) = (pos_at(text, s, enc), pos_at(text, e, enc));
            (json!({"start": a, "end": b}), t.to_string())
        })
        .collect();
    Ok((out, seq))
}
