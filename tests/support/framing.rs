//! `Content-Length` framing of JSON-RPC messages over a byte stream.

use serde_json::Value;

/// `Content-Length: N\r\n\r\n{json}`.
pub fn encode_message(msg: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(msg).expect("serialize message");
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(&body);
    out
}

/// Incremental parser for `Content-Length` framed messages. Feed it bytes as they come (any
/// split), then take whole messages with `next_message`.
#[derive(Default)]
pub struct FrameParser {
    buf: Vec<u8>,
}

impl FrameParser {
    pub fn new() -> FrameParser {
        FrameParser::default()
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received but not yet part of a whole message.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// `None` until a whole message is buffered. `Some(Err)` is a protocol violation (a header
    /// without Content-Length, a bad header line, a body that is not JSON); the offending bytes
    /// are dropped.
    pub fn next_message(&mut self) -> Option<Result<Value, String>> {
        let header_end = match find(&self.buf, b"\r\n\r\n") {
            Some(i) => i,
            None => {
                if self.buf.len() > 16 * 1024 {
                    let head =
                        String::from_utf8_lossy(&self.buf[..200.min(self.buf.len())]).into_owned();
                    self.buf.clear();
                    return Some(Err(format!("no end of headers within 16 KiB: {head:?}")));
                }
                return None;
            }
        };
        let header = String::from_utf8_lossy(&self.buf[..header_end]).into_owned();
        let mut length = None;
        for line in header.split("\r\n") {
            let Some((name, value)) = line.split_once(':') else {
                self.buf.drain(..header_end + 4);
                return Some(Err(format!("bad header line {line:?} in {header:?}")));
            };
            let value = value.trim();
            if name.trim().eq_ignore_ascii_case("content-length") {
                match value.parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => {
                        self.buf.drain(..header_end + 4);
                        return Some(Err(format!("bad Content-Length {value:?}")));
                    }
                }
            } else if name.trim().eq_ignore_ascii_case("content-type") {
                let v = value.to_ascii_lowercase();
                if v.contains("charset") && !(v.contains("utf-8") || v.contains("utf8")) {
                    self.buf.drain(..header_end + 4);
                    return Some(Err(format!("unsupported Content-Type {value:?}")));
                }
            }
        }
        let Some(length) = length else {
            self.buf.drain(..header_end + 4);
            return Some(Err(format!("header without Content-Length: {header:?}")));
        };
        let start = header_end + 4;
        if self.buf.len() < start + length {
            return None;
        }
        let body: Vec<u8> = self.buf[start..start + length].to_vec();
        self.buf.drain(..start + length);
        Some(serde_json::from_slice(&body).map_err(|e| {
            format!(
                "body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&body)
            )
        }))
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
