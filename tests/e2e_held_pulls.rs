//! End-to-end: `workspace/diagnostic` requests held open while nothing
//! changed never starve the other requests. The framework runs a bounded
//! number of handlers at once (docs/architecture.md); one held pull per
//! client, the older answered when a newer comes, and `$/cancelRequest`
//! honoured on a held pull leave room for hover, cancellation and
//! `shutdown`.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::*;

const BAD: &str = "---\nstatus: nope\n---\n# Bad\n\n## Acceptance Criteria\n\n- [x] a\n";

/// A project with one spec that has a diagnostic, and a client that pulls.
fn pulling_client() -> (TempWorkspace, LspClient, String) {
    let ws = TempWorkspace::new();
    ws.chant_init("project:\n  name: demo\n");
    ws.write(".chant/specs/2026-03-01-001-bad.md", BAD);
    let uri = ws.uri(".chant/specs/2026-03-01-001-bad.md");
    let mut opts = ClientOptions::for_folder(ws.path());
    opts.capabilities_patch = Some(json!({
        "textDocument": {"diagnostic": {"dynamicRegistration": false}},
        "workspace": {"diagnostics": {"refreshSupport": true}}
    }));
    let client = LspClient::start(opts);
    client.wait_idle();
    (ws, client, uri)
}

/// `previousResultIds` that name everything the server has: a pull with
/// them waits for a change.
fn everything_known(client: &LspClient, uri: &str) -> Value {
    let first = client.request_ok(
        "workspace/diagnostic",
        json!({"identifier": "chant", "previousResultIds": []}),
    );
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{first}");
    assert_eq!(
        normalize_uri(items[0]["uri"].as_str().unwrap()),
        normalize_uri(uri)
    );
    assert_eq!(items[0]["items"][0]["code"], "chant/unknown-status");
    json!([{"uri": uri, "value": items[0]["resultId"]}])
}

/// Waits until all but one of `pending` are answered; returns the answers
/// (in request order) and the one still waiting.
fn all_but_one_answered(
    mut pending: Vec<PendingRequest>,
) -> (Vec<Result<Value, RpcError>>, PendingRequest) {
    let deadline = Instant::now() + DEFAULT_TIMEOUT;
    let mut answers: Vec<Option<Result<Value, RpcError>>> = pending.iter().map(|_| None).collect();
    loop {
        for (i, request) in pending.iter().enumerate() {
            if answers[i].is_none() {
                answers[i] = request.try_take();
            }
        }
        if answers.iter().filter(|a| a.is_none()).count() <= 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {} held pulls were answered: held pulls take every request slot",
            answers.iter().filter(|a| a.is_some()).count(),
            pending.len()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let held = answers
        .iter()
        .position(Option::is_none)
        .expect("one pull is still held");
    let last = pending.remove(held);
    answers.remove(held);
    (answers.into_iter().map(Option::unwrap).collect(), last)
}

#[test]
fn eight_held_pulls_leave_room_for_hover_cancel_and_shutdown() {
    let (_ws, client, uri) = pulling_client();
    let previous = everything_known(&client, &uri);
    let pulls: Vec<PendingRequest> = (0..8)
        .map(|_| {
            client.request_async(
                "workspace/diagnostic",
                json!({"identifier": "chant", "previousResultIds": previous}),
            )
        })
        .collect();

    // Each newer pull answers the one held before it: seven answers, all
    // "nothing differs", and one pull still held.
    let (answers, held) = all_but_one_answered(pulls);
    assert_eq!(answers.len(), 7);
    for answer in answers {
        assert_eq!(answer.unwrap(), json!({"items": []}));
    }

    // Hover is answered while the pull is held.
    client.did_open(&uri, "markdown", BAD);
    let hover = client.request_ok(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 2}}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("status"),
        "{hover}"
    );

    // $/cancelRequest ends the held pull with RequestCancelled.
    held.cancel();
    let cancelled = held
        .wait()
        .expect_err("a cancelled pull answers with an error");
    assert_eq!(cancelled.code, -32800, "{cancelled:?}");

    // A pull held at shutdown is answered, and so is shutdown.
    let last = client.request_async(
        "workspace/diagnostic",
        json!({"identifier": "chant", "previousResultIds": previous}),
    );
    let status = client.request_ok("chant/serverStatus", json!({}));
    assert!(status.is_object(), "{status}");
    let shutdown = client.request_async("shutdown", Value::Null);
    assert_eq!(shutdown.wait().unwrap(), Value::Null);
    assert_eq!(last.wait().unwrap(), json!({"items": []}));
    client.notify("exit", Value::Null);
    client.close_stdin();
    assert!(client.wait_exit(EXIT_TIMEOUT).is_some_and(|s| s.success()));
    assert!(
        client.protocol_errors().is_empty(),
        "{:?}",
        client.protocol_errors()
    );
}

#[test]
fn a_held_pull_answers_a_change_and_a_cancelled_one_never_answers_twice() {
    let (ws, client, uri) = pulling_client();
    let previous = everything_known(&client, &uri);

    // A pull cancelled while held answers once, with the cancellation.
    let cancelled = client.request_async(
        "workspace/diagnostic",
        json!({"identifier": "chant", "previousResultIds": previous}),
    );
    // A request answered after it: the pull was read and is held.
    client.request_ok("chant/serverStatus", json!({}));
    cancelled.cancel();
    assert_eq!(cancelled.wait().unwrap_err().code, -32800);

    // The next pull is held and answers the change on disk.
    let held = client.request_async(
        "workspace/diagnostic",
        json!({"identifier": "chant", "previousResultIds": previous}),
    );
    ws.write(
        ".chant/specs/2026-03-01-001-bad.md",
        // Criteria chant grades Ready: no quality hint.
        "---\nstatus: pending\n---\n# Fixed\n\n## Acceptance Criteria\n\n- [x] Add a\n- [x] Add b\n- [x] Add c\n- [x] Add d\n",
    );
    client.did_change_watched_files(&[(uri.as_str(), FILE_CHANGED)]);
    let report = held.wait().unwrap();
    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{report}");
    assert_eq!(
        normalize_uri(items[0]["uri"].as_str().unwrap()),
        normalize_uri(&uri)
    );
    assert_eq!(items[0]["kind"], "full");
    assert_eq!(items[0]["items"], json!([]));
    // No second answer to the cancelled request (shutdown fails on a
    // response to an unknown id).
    client.shutdown();
}
