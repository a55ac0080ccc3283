//! End-to-end: the built server over JSON-RPC on stdio, publishing
//! diagnostics for real files in temporary chant projects.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::*;

const CONFIG: &str = "project:\n  name: demo\n";

fn project() -> TempWorkspace {
    let ws = TempWorkspace::new();
    ws.chant_init(CONFIG);
    ws.write(
        ".chant/prompts/standard.md",
        "---\nname: standard\npurpose: Implement the spec\n---\nDo {{spec.title}}\n",
    );
    ws
}

/// Waits until the server has nothing scheduled (`chant/serverStatus`);
/// returns (analyses, publications) so far.
fn wait_idle(client: &LspClient) -> (u64, u64) {
    let status = client.wait_idle();
    (
        status["analyses"].as_u64().unwrap(),
        status["publications"].as_u64().unwrap(),
    )
}

fn start(ws: &TempWorkspace, encodings: Vec<&'static str>) -> LspClient {
    let mut opts = ClientOptions::for_folder(ws.path());
    opts.position_encodings = encodings;
    LspClient::start(opts)
}

/// Settings with the diagnostics of closed specs switched off (given both
/// ways, so they hold from the start).
fn start_open_only(ws: &TempWorkspace) -> LspClient {
    let settings = json!({"diagnostics": {"workspace": false}});
    let mut opts = ClientOptions::for_folder(ws.path());
    opts.settings = settings.clone();
    opts.initialization_options = Some(settings);
    LspClient::start(opts)
}

/// The full diagnostics of an open spec: a spec opened while the workspace
/// is being indexed first gets an early analysis (what it can know alone),
/// which the full one replaces; once the server is idle, the newest
/// publication is the full one.
fn full_diagnostics(client: &LspClient, uri: &str) -> Vec<Value> {
    client.wait_idle();
    client.wait_for_diagnostics(uri)
}

/// (code, [l1, c1, l2, c2], severity) of each diagnostic, in order.
fn summary(diagnostics: &[Value]) -> Vec<(String, [u64; 4], u64)> {
    diagnostics
        .iter()
        .map(|d| {
            let r = &d["range"];
            (
                d["code"].as_str().unwrap().to_string(),
                [
                    r["start"]["line"].as_u64().unwrap(),
                    r["start"]["character"].as_u64().unwrap(),
                    r["end"]["line"].as_u64().unwrap(),
                    r["end"]["character"].as_u64().unwrap(),
                ],
                d["severity"].as_u64().unwrap(),
            )
        })
        .collect()
}

const ERROR: u64 = 1;
const INFO: u64 = 3;

/// A spec whose problems sit after emoji and CJK on CRLF lines.
const UNICODE_SPEC: &str = "---\r\ntype: code\r\nstatus: opne\r\ndepends_on: [\"😀-missing\"]\r\n---\r\n# 标题 😀 title\r\n\r\n## Acceptance Criteria\r\n\r\n- [ ] 做 😀 thing\r\n";

fn unicode_expectations(encoding: &str) -> Vec<(String, [u64; 4], u64)> {
    // Columns of `😀-missing` and of the end of the criterion line per encoding.
    let (dep_end, item_end) = match encoding {
        "utf-8" => (26, 20),
        "utf-16" => (24, 16),
        _ => (23, 15),
    };
    vec![
        ("chant/unknown-status".into(), [2, 8, 2, 12], ERROR),
        (
            "chant/unknown-dependency".into(),
            [3, 14, 3, dep_end],
            ERROR,
        ),
        (
            "chant/unchecked-criterion".into(),
            [9, 0, 9, item_end],
            INFO,
        ),
    ]
}

#[test]
fn exact_ranges_in_every_encoding_with_emoji_cjk_and_crlf() {
    for encoding in ["utf-8", "utf-16", "utf-32"] {
        let ws = project();
        let uri = ws.uri(".chant/specs/2026-01-01-001-abc.md");
        ws.write(".chant/specs/2026-01-01-001-abc.md", UNICODE_SPEC);
        let client = start(&ws, vec![encoding]);
        assert_eq!(client.server_capabilities()["positionEncoding"], encoding);
        client.did_open(&uri, "markdown", UNICODE_SPEC);
        let diagnostics = full_diagnostics(&client, &uri);
        assert_eq!(
            summary(&diagnostics),
            unicode_expectations(encoding),
            "{encoding}"
        );
        let status = &diagnostics[0];
        assert_eq!(status["source"], "chant");
        assert_eq!(
            status["message"],
            "Unknown status `opne`: chant rejects the whole file (\"Failed to parse spec frontmatter\"). Did you mean `open`? Valid values: `pending`, `in_progress`, `paused`, `completed`, `failed`, `needs_attention`, `ready`, `blocked` or `cancelled`."
                .replace("Did you mean `open`? ", "Did you mean `pending`? ")
        );
        assert_eq!(status["data"]["fix"]["edits"][0]["newText"], "pending");
        client.shutdown();
    }
}

#[test]
fn a_utf16_client_is_answered_in_utf16_when_it_offers_nothing_else() {
    let ws = project();
    let client = start(&ws, vec![]);
    assert!(client.server_capabilities()["positionEncoding"] == "utf-16");
    client.shutdown();
}

#[test]
fn three_hundred_incremental_changes_end_like_a_fresh_open() {
    let ws = project();
    let rel = ".chant/specs/2026-01-01-002-xyz.md";
    let start_text = "---\nstatus: pending\n---\n# Title 😀\n\n## Acceptance Criteria\n\n";
    ws.write(rel, start_text);
    let uri = ws.uri(rel);
    let client = start(&ws, vec!["utf-16"]);
    client.did_open(&uri, "markdown", start_text);
    for i in 0..300u32 {
        let text = client.buffer(&uri);
        let lines = text.split('\n').count() as u32;
        // Append a criterion, type into it, or tick the previous one.
        let change = match i % 3 {
            0 => (
                range(lines - 1, 0, lines - 1, 0),
                format!("- [ ] item {i} 中\n"),
            ),
            1 => (range(lines - 2, 6, lines - 2, 6), "😀 ".to_string()),
            _ => (range(lines - 2, 3, lines - 2, 4), "x".to_string()),
        };
        client.did_change(&uri, vec![change]);
    }
    assert_eq!(client.version(&uri), 301);
    let incremental = client.wait_for_diagnostics(&uri);
    let final_text = client.buffer(&uri);
    assert_eq!(final_text.matches("- [x]").count(), 100);
    assert_eq!(final_text.matches("- [ ]").count(), 0);
    // The same text opened fresh under another name gives the same diagnostics.
    let other_rel = ".chant/specs/2026-01-01-003-xyz.md";
    let other = ws.uri(other_rel);
    client.did_open(&other, "markdown", &final_text);
    let fresh = client.wait_for_diagnostics(&other);
    assert_eq!(summary(&incremental), summary(&fresh));
    // 100 ticked criteria is above chant's complexity threshold.
    assert!(
        summary(&fresh)
            .iter()
            .any(|d| d.0 == "chant/too-many-criteria"),
        "{:?}",
        summary(&fresh)
    );
    client.shutdown();
}

#[test]
fn a_spec_created_on_disk_resolves_an_unknown_dependency() {
    let ws = project();
    let rel = ".chant/specs/2026-01-01-004-aaa.md";
    // Graded Ready by chant (no quality hints): only the dependency matters.
    let text = "---\ndepends_on: [2026-01-01-005-bbb]\n---\n# Needs bbb\n\n## Acceptance Criteria\n\n- [x] Add a\n- [x] Fix b\n";
    ws.write(rel, text);
    let uri = ws.uri(rel);
    let client = start(&ws, vec!["utf-16"]);
    client.did_open(&uri, "markdown", text);
    let before = full_diagnostics(&client, &uri);
    assert_eq!(
        summary(&before),
        vec![(
            "chant/unknown-dependency".to_string(),
            [1, 13, 1, 31],
            ERROR
        )]
    );

    ws.write(
        ".chant/specs/2026-01-01-005-bbb.md",
        "---\nstatus: completed\n---\n# bbb\n",
    );
    client.did_change_watched_files(&[(&ws.uri(".chant/specs/2026-01-01-005-bbb.md"), 1)]);
    let after = client.wait_for_diagnostics_matching(&uri, |d| d.is_empty());
    assert!(after.is_empty());

    // Deleting it brings the error back.
    ws.remove(".chant/specs/2026-01-01-005-bbb.md");
    client.did_change_watched_files(&[(&ws.uri(".chant/specs/2026-01-01-005-bbb.md"), 3)]);
    let again = client.wait_for_diagnostics_matching(&uri, |d| !d.is_empty());
    assert_eq!(summary(&again)[0].0, "chant/unknown-dependency");
    client.shutdown();
}

#[test]
fn the_server_registers_narrow_file_watchers() {
    let ws = project();
    let client = start(&ws, vec!["utf-16"]);
    let registration =
        client.wait_for_registration("workspace/didChangeWatchedFiles", Duration::from_secs(10));
    let watchers = &registration["registerOptions"]["watchers"];
    assert_eq!(watchers[0]["globPattern"], "**/.chant/**/*.md");
    assert_eq!(watchers[1], json!({"globPattern": "**/*", "kind": 5}));
    client.shutdown();
}

#[test]
fn an_open_dependency_edited_in_the_editor_updates_its_dependents() {
    let ws = project();
    let dep_rel = ".chant/specs/2026-01-01-006-dep.md";
    let dep_text =
        "---\nstatus: in_progress\n---\n# The dependency\n\n## Acceptance Criteria\n\n- [x] a\n";
    let main_rel = ".chant/specs/2026-01-01-007-main.md";
    // Graded Ready by chant (no quality hints).
    let main_text = "---\ndepends_on:\n  - 2026-01-01-006-dep\n---\n# Main\n\n## Acceptance Criteria\n\n- [x] Add b\n- [x] Fix c\n";
    ws.write(dep_rel, dep_text);
    ws.write(main_rel, main_text);
    let (dep, main) = (ws.uri(dep_rel), ws.uri(main_rel));
    let client = start(&ws, vec!["utf-8"]);
    client.did_open(&main, "markdown", main_text);
    let before = full_diagnostics(&client, &main);
    assert_eq!(
        summary(&before),
        vec![("chant/unmet-dependency".to_string(), [2, 4, 2, 22], INFO)]
    );
    assert_eq!(
        before[0]["message"],
        "`2026-01-01-006-dep` (The dependency) is in_progress: this spec is blocked until it is completed, and `chant work` refuses it (unless `--skip-deps`)."
    );
    client.did_open(&dep, "markdown", dep_text);
    client.replace_first(&dep, "in_progress", "completed");
    let after = client.wait_for_diagnostics_matching(&main, |d| d.is_empty());
    assert!(after.is_empty());
    client.shutdown();
}

#[test]
fn settings_switch_a_code_off_and_on() {
    let ws = project();
    let rel = ".chant/specs/2026-01-01-008-set.md";
    // Graded Ready by chant (no quality hints): two unchecked criteria only.
    let text = "---\nstatus: pending\n---\n# Settings\n\n## Acceptance Criteria\n\n- [ ] Add one\n- [ ] Add two\n";
    ws.write(rel, text);
    let uri = ws.uri(rel);
    let client = start(&ws, vec!["utf-16"]);
    client.did_open(&uri, "markdown", text);
    let before = client.wait_for_diagnostics(&uri);
    assert_eq!(before.len(), 2);
    client.change_settings(json!({"diagnostics": {"disabled": ["chant/unchecked-criterion"]}}));
    let off = client.wait_for_diagnostics_matching(&uri, |d| d.is_empty());
    assert!(off.is_empty());
    client.change_settings(json!({"diagnostics": {"disabled": []}}));
    let on = client.wait_for_diagnostics_matching(&uri, |d| d.len() == 2);
    assert_eq!(on.len(), 2);
    client.shutdown();
}

#[test]
fn only_spec_files_get_spec_diagnostics() {
    let ws = project();
    let readme = ws.uri("README.md");
    let notes = ws.uri("docs/notes.md");
    let spec_rel = ".chant/specs/2026-01-01-009-only.md";
    let text = "no title and status: bogus\n";
    ws.write("README.md", text);
    ws.write(spec_rel, text);
    let spec = ws.uri(spec_rel);
    let client = start(&ws, vec!["utf-16"]);
    client.did_open(&readme, "markdown", text);
    client.did_open(&notes, "markdown", text);
    client.did_open(&spec, "markdown", text);
    let spec_diagnostics = client.wait_for_diagnostics(&spec);
    assert_eq!(summary(&spec_diagnostics)[0].0, "chant/missing-title");
    // Nothing is scheduled any more: the other files never get any.
    wait_idle(&client);
    assert!(client.diagnostics_history(&readme).is_empty());
    assert!(client.diagnostics_history(&notes).is_empty());
    client.shutdown();
}

/// Closing a spec clears its diagnostics when only open specs are
/// diagnosed; otherwise its file's diagnostics replace the buffer's.
#[test]
fn closing_a_spec_clears_its_diagnostics() {
    let ws = project();
    let rel = ".chant/specs/2026-01-01-00a-cls.md";
    let text = "---\nstatus: nope\n---\n# T\n";
    ws.write(rel, text);
    let uri = ws.uri(rel);
    let client = start_open_only(&ws);
    client.did_open(&uri, "markdown", "---\nstatus: nope\n---\nno title\n");
    assert!(!client.wait_for_diagnostics(&uri).is_empty());
    client.did_close(&uri);
    let cleared = client.wait_for_diagnostics_matching(&uri, |d| d.is_empty());
    assert!(cleared.is_empty());
    client.shutdown();

    let client = start(&ws, vec!["utf-16"]);
    client.did_open(&uri, "markdown", "---\nstatus: nope\n---\nno title\n");
    let open = full_diagnostics(&client, &uri);
    assert!(open.iter().any(|d| d["code"] == "chant/missing-title"));
    client.did_close(&uri);
    wait_idle(&client);
    let last = client.diagnostics_history(&uri).pop().unwrap();
    assert_eq!(last.version, None, "the file's, not a document version's");
    let codes: Vec<&str> = last
        .diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["chant/unknown-status", "chant/no-criteria"]);
    client.shutdown();
}

#[test]
fn bad_positions_and_unknown_documents_never_break_the_server() {
    let ws = project();
    let rel = ".chant/specs/2026-01-01-00b-bad.md";
    let text = "---\nstatus: pending\n---\n# 😀\n";
    ws.write(rel, text);
    let uri = ws.uri(rel);
    let client = start(&ws, vec!["utf-16"]);
    client.did_open(&uri, "markdown", text);
    client.wait_for_diagnostics(&uri);
    // A change inside the surrogate pair of 😀 and one far past the end, sent raw
    // (the test client refuses to build them itself).
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": range(3, 3, 3, 3), "text": "X"},
            {"range": range(99, 5, 120, 0), "text": "\n## Acceptance Criteria\n"}
        ]}),
    );
    // A change to a document that was never opened.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ws.uri(".chant/specs/never.md"), "version": 3}, "contentChanges": [{"text": "x"}]}),
    );
    let log = client.wait_for_notification(
        "window/logMessage",
        |p| {
            p["message"]
                .as_str()
                .is_some_and(|m| m.contains("not open"))
        },
        Duration::from_secs(10),
    );
    assert!(log["message"].as_str().unwrap().contains("never.md"));
    // The server is alive and answers.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let history = client.diagnostics_history(&uri);
        if history.iter().any(|p| p.version == Some(2)) {
            let last = history.last().unwrap();
            let codes: Vec<_> = last
                .diagnostics
                .iter()
                .map(|d| d["code"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(
                codes,
                [
                    "chant/quality-splittability",
                    "chant/quality-confidence",
                    "chant/no-criteria"
                ]
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no diagnostics for version 2"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = client.shutdown();
    assert!(status.success());
}

#[test]
fn requests_after_shutdown_are_refused_and_exit_ends_the_process() {
    let ws = project();
    let client = start(&ws, vec!["utf-16"]);
    client.request_ok("shutdown", Value::Null);
    let after = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": ws.uri("x.md")}, "position": pos(0, 0)}),
    );
    assert_eq!(after.unwrap_err().code, -32600);
    client.notify("exit", Value::Null);
    assert!(client.wait_exit(Duration::from_secs(10)).is_some());
}

/// Two open specs with the same ID in nested folders each get a diagnostic
/// naming the other, and the server settles: analysing one never makes the
/// other look changed again.
#[test]
fn duplicate_ids_are_reported_and_settle() {
    let ws = project();
    let text = "---\nstatus: pending\n---\n# Same\n\n## Acceptance Criteria\n\n- [x] done\n";
    ws.write(".chant/specs/one/2026-01-01-00d-dup.md", text);
    ws.write(".chant/specs/two/2026-01-01-00d-dup.md", text);
    let a = ws.uri(".chant/specs/one/2026-01-01-00d-dup.md");
    let b = ws.uri(".chant/specs/two/2026-01-01-00d-dup.md");
    let client = start(&ws, vec!["utf-16"]);
    client.did_open(&a, "markdown", text);
    client.did_open(&b, "markdown", text);
    for (uri, other) in [(&a, "two"), (&b, "one")] {
        let diagnostics = full_diagnostics(&client, uri);
        let duplicate = diagnostics
            .iter()
            .find(|d| d["code"] == "chant/duplicate-spec-id")
            .unwrap_or_else(|| panic!("{diagnostics:?}"));
        assert!(
            duplicate["message"]
                .as_str()
                .unwrap()
                .contains(&format!("`.chant/specs/{other}/2026-01-01-00d-dup.md`")),
            "{duplicate}"
        );
    }
    // A loop would never let the server be idle.
    let settled = wait_idle(&client);
    assert_eq!(wait_idle(&client), settled);
    client.shutdown();
}

/// A spec closed right after a change gets its diagnostics cleared (only
/// open specs diagnosed) or its file's (every spec diagnosed), and no
/// analysis of the buffer finishing later publishes for it again.
#[test]
fn nothing_is_published_for_a_closed_spec() {
    let ws = project();
    let rel = ".chant/specs/2026-01-01-00e-cls.md";
    let text = "---\nstatus: nope\n---\n# T\n";
    ws.write(rel, text);
    let uri = ws.uri(rel);
    for workspace in [false, true] {
        let client = if workspace {
            start(&ws, vec!["utf-16"])
        } else {
            start_open_only(&ws)
        };
        client.did_open(&uri, "markdown", text);
        assert!(!client.wait_for_diagnostics(&uri).is_empty());
        for _ in 0..20 {
            client.replace_first(&uri, "# T", "# T!");
            client.did_close(&uri);
            client.did_open_from_disk(&uri);
        }
        client.replace_first(&uri, "# T", "# T!");
        client.did_close(&uri);
        wait_idle(&client);
        let history = client.diagnostics_history(&uri);
        let last = history.last().unwrap();
        assert_eq!(last.version, None, "{history:?}");
        let codes: Vec<&str> = last
            .diagnostics
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        let expected: &[&str] = if workspace {
            &["chant/unknown-status", "chant/no-criteria"]
        } else {
            &[]
        };
        assert_eq!(codes, expected, "{history:?}");
        client.shutdown();
    }
}

/// A client that answers `workspace/configuration` with null keeps the
/// settings it sent in `initializationOptions`.
#[test]
fn initialization_options_hold_when_the_client_has_no_configuration() {
    let ws = project();
    let rel = ".chant/specs/2026-01-01-00f-opt.md";
    ws.write(
        rel,
        // Graded Ready by chant (no quality hints).
        "---\nstatus: pending\nprompt: standard\n---\n# T\n\n## Acceptance Criteria\n\n- [ ] Add x\n- [ ] Fix y\n",
    );
    let mut opts = ClientOptions::for_folder(ws.path());
    opts.settings = Value::Null;
    opts.initialization_options = Some(json!({
        "commands": {"enabled": true},
        "path": "/nonexistent/chant",
        "diagnostics": {"disabled": ["chant/unchecked-criterion"]}
    }));
    let client = LspClient::start(opts);
    wait_idle(&client);
    let uri = ws.uri(rel);
    client.did_open_from_disk(&uri);
    // The disabled code stays disabled...
    assert!(client.wait_for_diagnostics(&uri).is_empty());
    // ...and commands stay enabled: the refusal is about chant, not trust.
    let error = client
        .request(
            "workspace/executeCommand",
            json!({"command": "chant.work", "arguments": [uri]}),
        )
        .unwrap_err();
    assert!(
        error.message.contains("chant was not found"),
        "{}",
        error.message
    );
    client.shutdown();
}

/// `chant.diagnostics.debounceMs`: changes made while the user types fast
/// are analysed once, when the typing has paused that long; never sooner.
/// (A lower bound only: a slow machine makes it later, never earlier.)
#[test]
fn the_debounce_setting_holds_a_burst_of_changes_until_typing_pauses() {
    let ws = project();
    let rel = ".chant/specs/2026-01-01-001-abc.md";
    ws.write(
        rel,
        "---\nstatus: pending\n---\n# Title\n\n## Acceptance Criteria\n\n- [x] done\n",
    );
    let debounce = Duration::from_secs(10); // the most the server allows
    let settings = json!({"diagnostics": {"debounceMs": debounce.as_millis() as u64}});
    let mut opts = ClientOptions::for_folder(ws.path());
    opts.settings = settings.clone();
    opts.initialization_options = Some(settings);
    let client = LspClient::start(opts);
    let uri = ws.uri(rel);
    client.did_open_from_disk(&uri);
    wait_idle(&client);
    // A first change after a quiet moment: analysed without waiting.
    client.replace_first(&uri, "pending", "opne");
    client.wait_for_diagnostics(&uri);
    let (analyses, _) = wait_idle(&client);
    // A burst: each change comes while the user is typing.
    let burst = std::time::Instant::now();
    client.replace_first(&uri, "opne", "compl");
    client.replace_first(&uri, "compl", "complet");
    client.replace_first(&uri, "complet", "completed");
    let (after, _) = wait_idle(&client);
    let waited = burst.elapsed();
    assert!(
        waited >= debounce,
        "the burst was analysed {waited:?} after it began, before the {debounce:?} debounce"
    );
    assert_eq!(after, analyses + 1, "one analysis for the whole burst");
    let versions: Vec<Option<i64>> = client
        .diagnostics_history(&uri)
        .iter()
        .map(|p| p.version)
        .collect();
    assert_eq!(versions.last(), Some(&Some(5)), "{versions:?}");
    assert!(
        !versions.contains(&Some(3)) && !versions.contains(&Some(4)),
        "{versions:?}"
    );
    assert!(client.shutdown().success());
}

/// (spec, chant rule) pairs of a `chant lint --format json` report, or of a
/// `chant-lsp check --format json` report (diagnostics that mirror a rule).
fn rule_pairs(report: &Value, rule_key: &str) -> std::collections::BTreeSet<(String, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| {
            Some((
                d["spec_id"].as_str()?.to_string(),
                d[rule_key].as_str()?.to_string(),
            ))
        })
        .collect()
}

/// The user's global chant config (`~/.config/chant/config.md`) is merged
/// under the project's as chant merges it (a section the project has
/// replaces the global one whole; a broken layer discards both): for each
/// pair of configs, `chant-lsp check` finds exactly the (spec, rule) pairs
/// the real `chant lint` finds with the same home, and the server shows the
/// global config's required field.
#[test]
fn the_global_chant_config_is_merged_under_the_projects_as_chant_does() {
    let Some(chant) = support::real_chant::real_chant(
        "the_global_chant_config_is_merged_under_the_projects_as_chant_does",
    ) else {
        return;
    };
    let bare = "---\nstatus: pending\n---\n# Bare\n\n## Acceptance Criteria\n\n- [ ] Add one\n- [ ] Add two\n";
    let labelled = "---\nstatus: pending\nlabels: [x]\n---\n# Labelled\n\n## Acceptance Criteria\n\n- [ ] Add one\n";
    // (global, project, the (spec, rule) pairs both must find)
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);
    let cases: [Case; 4] = [
        // The global config's requirement holds in a project without one.
        (
            "enterprise:\n  required: [labels]\n",
            "project:\n  name: g\n",
            &[("2026-01-01-001-bar", "required")],
        ),
        // The project's `lint:` replaces the global one whole; the global
        // `enterprise:` still holds.
        (
            "enterprise:\n  required: [labels]\nlint:\n  thresholds:\n    complexity_criteria: 0\n",
            "project:\n  name: g\nlint:\n  thresholds:\n    complexity_criteria: 5\n",
            &[("2026-01-01-001-bar", "required")],
        ),
        // Only the global `lint:`: its threshold counts.
        (
            "lint:\n  thresholds:\n    complexity_criteria: 1\n",
            "project:\n  name: g\n",
            &[("2026-01-01-001-bar", "complexity")],
        ),
        // A broken global config: chant drops the whole config, the
        // project's requirement included.
        (
            "lint:\n  thresholds: ~\n",
            "project:\n  name: g\nenterprise:\n  required: [labels]\n",
            &[],
        ),
    ];
    for (n, (global, project, expected)) in cases.iter().enumerate() {
        let ws = TempWorkspace::new();
        ws.chant_init(project);
        ws.write(".chant/specs/2026-01-01-001-bar.md", bare);
        ws.write(".chant/specs/2026-01-01-002-lab.md", labelled);
        let home = tempfile::tempdir().unwrap();
        let config = home.path().join(".config/chant/config.md");
        std::fs::create_dir_all(config.parent().unwrap()).unwrap();
        std::fs::write(&config, format!("---\n{global}---\n")).unwrap();
        let lint = support::real_chant::chant_command(&chant, ws.path(), home.path())
            .args(["lint", "--format", "json"])
            .output()
            .unwrap();
        let chants: Value = serde_json::from_slice(&lint.stdout).unwrap_or_else(|e| {
            panic!(
                "case {n}: chant lint: {e}: {}",
                String::from_utf8_lossy(&lint.stderr)
            )
        });
        let check = std::process::Command::new(env!("CARGO_BIN_EXE_chant-lsp"))
            .args(["check", "--format", "json"])
            .arg(ws.path())
            .env("HOME", home.path())
            .output()
            .unwrap();
        let ours: Value = serde_json::from_slice(&check.stdout).unwrap();
        let expected: std::collections::BTreeSet<(String, String)> = expected
            .iter()
            .map(|(s, r)| (s.to_string(), r.to_string()))
            .collect();
        assert_eq!(
            rule_pairs(&chants, "rule"),
            expected,
            "case {n}: chant lint {chants:#}"
        );
        assert_eq!(
            rule_pairs(&ours, "chant_rule"),
            expected,
            "case {n}: check {ours:#}"
        );
        if n == 0 {
            // The server reads the same global config.
            let mut opts = ClientOptions::for_folder(ws.path());
            opts.env
                .push(("HOME".into(), home.path().display().to_string()));
            let client = LspClient::start(opts);
            let uri = ws.uri(".chant/specs/2026-01-01-001-bar.md");
            client.did_open_from_disk(&uri);
            let codes: Vec<String> = full_diagnostics(&client, &uri)
                .iter()
                .map(|d| d["code"].as_str().unwrap().to_string())
                .collect();
            assert!(
                codes.contains(&"chant/missing-required-field".to_string()),
                "{codes:?}"
            );
            assert!(client.shutdown().success());
        }
    }
}
