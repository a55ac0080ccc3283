//! `Content-Length` framing (`support::framing`): messages split at every size, several in
//! one read, and the errors a broken stream gives.

use serde_json::{json, Value};

use crate::support::*;

fn two_messages() -> (Vec<u8>, Value, Value) {
    let a = json!({"jsonrpc": "2.0", "id": 1, "result": {"text": "héllo 😀 中文"}});
    let b = json!({"jsonrpc": "2.0", "method": "window/logMessage", "params": {"type": 3, "message": "x"}});
    let body_a = serde_json::to_vec(&a).unwrap();
    let body_b = serde_json::to_vec(&b).unwrap();
    let mut bytes = Vec::new();
    // Several headers, Content-Type first, odd case on the second message.
    bytes.extend_from_slice(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n");
    bytes.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body_a.len()).as_bytes());
    bytes.extend_from_slice(&body_a);
    bytes.extend_from_slice(
        format!(
            "content-length:{}\r\nContent-Type: application/vscode-jsonrpc; charset=utf8\r\n\r\n",
            body_b.len()
        )
        .as_bytes(),
    );
    bytes.extend_from_slice(&body_b);
    (bytes, a, b)
}

#[test]
fn framing_every_chunk_size() {
    let (bytes, a, b) = two_messages();
    for chunk in 1..=bytes.len() {
        let mut p = FrameParser::new();
        let mut got = Vec::new();
        for piece in bytes.chunks(chunk) {
            p.feed(piece);
            while let Some(m) = p.next_message() {
                got.push(m.expect("valid message"));
            }
        }
        assert_eq!(got, vec![a.clone(), b.clone()], "chunk size {chunk}");
        assert_eq!(p.pending(), 0);
    }
}

#[test]
fn framing_two_splits_at_odd_places() {
    let (bytes, a, b) = two_messages();
    // Split inside the first header, inside "\r\n\r\n", inside the emoji, and between messages.
    let header_end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let emoji = bytes.windows(4).position(|w| w == "😀".as_bytes()).unwrap();
    let points = [
        3,
        header_end + 1,
        header_end + 3,
        emoji + 1,
        emoji + 2,
        bytes.len() - 5,
    ];
    for &i in &points {
        for &j in &points {
            if i >= j {
                continue;
            }
            let mut p = FrameParser::new();
            let mut got = Vec::new();
            for part in [&bytes[..i], &bytes[i..j], &bytes[j..]] {
                p.feed(part);
                while let Some(m) = p.next_message() {
                    got.push(m.unwrap());
                }
            }
            assert_eq!(got, vec![a.clone(), b.clone()], "split at {i}, {j}");
        }
    }
}

#[test]
fn framing_errors_and_encode() {
    let mut p = FrameParser::new();
    p.feed(b"Content-Type: x\r\n\r\n{}");
    assert!(p.next_message().unwrap().is_err(), "no Content-Length");

    let mut p = FrameParser::new();
    p.feed(b"Content-Length: 5\r\n\r\nnope!");
    assert!(p.next_message().unwrap().is_err(), "not JSON");

    let mut p = FrameParser::new();
    p.feed(b"hello from println\n");
    assert!(p.next_message().is_none(), "incomplete");
    p.feed(b"\r\n\r\n");
    assert!(p.next_message().unwrap().is_err(), "garbage header");

    let msg = json!({"jsonrpc": "2.0", "method": "x", "params": {"s": "é"}});
    let enc = encode_message(&msg);
    let mut p = FrameParser::new();
    p.feed(&enc);
    assert_eq!(p.next_message().unwrap().unwrap(), msg);
    assert!(String::from_utf8_lossy(&enc).starts_with(&format!(
        "Content-Length: {}\r\n\r\n",
        serde_json::to_vec(&msg).unwrap().len()
    )));
}
