//! End-to-end: a spec whose prompt the project does not have, over
//! JSON-RPC against the built server. The quick fix creates the prompt
//! from its template (one workspace edit: the file created, its text
//! inserted), asks the client to show it, the spec's diagnostic goes and
//! "Work this spec" comes back; the REAL chant 0.23.2 then works the spec
//! with that prompt, and the scripted agent (`tests/walkthrough/claude.sh`)
//! gets it with every variable filled. What a client may be sent follows
//! what it declared (resource operations, `window/showDocument`, watched
//! files).

#[path = "walkthrough/harness.rs"]
mod harness;
mod support;

use chant_lsp::ide::prompt_templates::{prompt_file, CHANT_VARIABLES};
use harness::*;
use serde_json::{json, Value};
use support::*;

const A: &str = "2026-01-01-001-abc";

/// The spec of the walkthrough's first phase, as the seed writes it (but
/// `status: pending`: chant 0.23.2 knows no `ready`).
fn triage_spec() -> String {
    spec(
        "Triage issue #1234: Data lost on concurrent writes",
        "prompt: triage\nlabels:\n  - triage\n  - issue-1234\ntarget_files:\n  - .chant/triage/issue-1234.md\n",
        &[
            "Issue categorized",
            "Priority assigned",
            "Missing information identified",
            "Recommendation provided",
        ],
    )
}

fn spec_status(client: &LspClient, uri: &str) -> Value {
    client.request_ok("chant/specStatus", json!({"textDocument": {"uri": uri}}))
}

/// "Work this spec" in `chant/specStatus`: (enabled, reason).
fn work_status(client: &LspClient, uri: &str) -> (bool, Option<String>) {
    let status = spec_status(client, uri);
    let work = status["commands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "Work this spec")
        .unwrap_or_else(|| panic!("no Work this spec in {status}"))
        .clone();
    (
        work["enabled"].as_bool().unwrap(),
        work["reason"].as_str().map(str::to_string),
    )
}

/// The quick fixes offered on the `prompt:` value, with the spec's
/// diagnostics there in the context, as editors send them.
fn prompt_fixes(client: &LspClient, uri: &str, value: &str) -> Vec<Value> {
    let range = client.range_of(uri, &format!("prompt: {value}"));
    let diagnostics: Vec<Value> = client
        .wait_for_diagnostics(uri)
        .into_iter()
        .filter(|d| d["range"]["start"]["line"] == range["start"]["line"])
        .collect();
    client
        .request_ok(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range,
                   "context": {"diagnostics": diagnostics, "only": ["quickfix"]}}),
        )
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn titles(actions: &[Value]) -> Vec<&str> {
    actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect()
}

fn has_unknown_prompt(diagnostics: &[Value]) -> bool {
    diagnostics
        .iter()
        .any(|d| d["code"] == "chant/unknown-prompt")
}

#[test]
fn the_created_prompt_is_shown_and_chant_works_the_spec_with_it() {
    let Some(w) = Walk::start("the_created_prompt_is_shown_and_chant_works_the_spec_with_it")
    else {
        return;
    };
    w.commit_specs(&[(A, &triage_spec())]);
    let uri = w.spec_uri(A);
    w.client.did_open_from_disk(&uri);

    // Before: flagged, and chant would be refused.
    let diagnostics = w.client.wait_for_diagnostics(&uri);
    let flagged: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "chant/unknown-prompt")
        .collect();
    assert_eq!(flagged.len(), 1, "{diagnostics:#?}");
    assert_eq!(flagged[0]["range"], range(3, 8, 3, 14));
    let (enabled, reason) = work_status(&w.client, &uri);
    assert!(!enabled);
    assert!(
        reason
            .as_deref()
            .unwrap()
            .starts_with("Prompt not found: triage. There is no .chant/prompts/triage.md"),
        "{reason:?}"
    );

    // The fixes: create it, or use one of the project's prompts for work.
    let actions = prompt_fixes(&w.client, &uri, "triage");
    assert_eq!(
        titles(&actions),
        [
            "Create prompt `triage` (.chant/prompts/triage.md)",
            "Use prompt `review`",
            "Use prompt `standard`",
            "Use prompt `research`",
        ]
    );
    let prompt_uri = w.ws.uri(".chant/prompts/triage.md");
    let prompt_path = w.ws.join(".chant/prompts/triage.md");
    let template = prompt_file("triage", "\n").text;
    let create = &actions[0];
    assert_eq!(create["kind"], "quickfix");
    assert_eq!(create["diagnostics"], json!([flagged[0]]));
    assert_eq!(
        create["edit"],
        json!({"documentChanges": [
            {"kind": "create", "uri": prompt_uri,
             "options": {"overwrite": false, "ignoreIfExists": false}},
            {"textDocument": {"uri": prompt_uri, "version": null},
             "edits": [{"range": range(0, 0, 0, 0), "newText": template}]}
        ]})
    );
    assert_eq!(
        create["command"],
        json!({"title": format!("Open {}", prompt_path.display()),
               "command": "chant.open", "arguments": [prompt_uri]})
    );

    // The client applies the edit, then runs the command.
    w.client.apply_edit(&create["edit"]).unwrap();
    assert_eq!(w.ws.read(".chant/prompts/triage.md"), template);
    w.client
        .did_change_watched_files(&[(prompt_uri.as_str(), FILE_CREATED)]);
    let shown = w
        .execute("chant.open", create["command"]["arguments"].clone())
        .unwrap();
    assert_eq!(shown, json!({"uri": prompt_uri, "shown": true}));
    assert_eq!(
        w.client.server_requests("window/showDocument"),
        [json!({"uri": prompt_uri, "external": false, "takeFocus": true})]
    );

    // The spec's diagnostic goes; "Work this spec" is offered again.
    w.client
        .wait_for_diagnostics_matching(&uri, |d| !has_unknown_prompt(d));
    assert_eq!(work_status(&w.client, &uri), (true, None));
    assert!(prompt_fixes(&w.client, &uri, "triage").is_empty());

    // The walkthrough's `chant work <id> --prompt triage`: offered, and
    // chant accepts the prompt and gives it to the agent, filled.
    assert!(
        w.enabled_offers(&uri)
            .contains(&"Work with prompt triage".to_string()),
        "{:?}",
        w.offers(&uri)
    );
    let (answer, progress) = w.run("chant.work", json!([uri, {"prompt": "triage"}]));
    assert_eq!(
        answer["arguments"],
        json!(["work", A, "--no-watch", "--prompt=triage"])
    );
    assert_eq!(progress.last().unwrap()["message"], "completed");
    assert_eq!(w.agent_runs(), [A]);
    let chant_said: Vec<String> = w
        .client
        .notifications("window/logMessage")
        .iter()
        .filter_map(|p| p["message"].as_str().map(str::to_string))
        .collect();
    assert!(
        !chant_said.iter().any(|m| m.contains("Prompt not found")),
        "{chant_said:#?}"
    );
    let given = w.agent_prompt(A);
    let expected = render(
        &template,
        &[
            ("project.name", &w.name),
            ("spec.id", A),
            (
                "spec.title",
                "Triage issue #1234: Data lost on concurrent writes",
            ),
            ("spec.description", spec_body(&triage_spec())),
            ("spec.path", &format!(".chant/specs/{A}.md")),
            ("spec.target_files", ".chant/triage/issue-1234.md"),
        ],
    );
    assert!(
        given.starts_with(&expected),
        "the agent got:\n{given}\n\nexpected it to start with:\n{expected}"
    );
    assert!(!given.contains("{{"), "{given}");
    assert!(w.spec(A).contains("status: completed"), "{}", w.spec(A));
    w.shutdown();
}

/// Each kind of work, by a name that asks for it loosely: the prompt made
/// from its template reaches the agent with chant's variables filled.
#[test]
fn every_template_reaches_the_agent_with_chants_variables_filled() {
    let Some(w) = Walk::start("every_template_reaches_the_agent_with_chants_variables_filled")
    else {
        return;
    };
    // (name, template, target file); the harness's project has `research`
    // and `review` prompts already, so those kinds are asked for by other
    // names.
    let kinds = [
        ("reproduce", "reproduce", "tests/regression/issue_1234.rs"),
        (
            "investigate",
            "research",
            ".chant/research/issue-1234-rca.md",
        ),
        ("implementation", "implement", "src/store.rs"),
        ("code-review", "review", ".chant/reviews/issue-1234.md"),
        ("documentation", "documentation", "docs/storage.md"),
        ("release", "generic", "CHANGELOG.md"),
    ];
    let specs: Vec<(String, String, String)> = kinds
        .iter()
        .enumerate()
        .map(|(i, (name, _, target))| {
            let id = format!("2026-01-02-00{}-k{i}x", i + 1);
            let title = format!("Phase {i}: {name} for issue #1234");
            let text = spec(
                &title,
                &format!(
                    "prompt: {name}
target_files:
  - {target}
"
                ),
                &["The work is done", "The result is committed"],
            );
            (id, title, text)
        })
        .collect();
    let committed: Vec<(&str, &str)> = specs
        .iter()
        .map(|(id, _, text)| (id.as_str(), text.as_str()))
        .collect();
    w.commit_specs(&committed);
    for ((name, template, target), (id, title, text)) in kinds.iter().zip(&specs) {
        let uri = w.spec_uri(id);
        w.client.did_open_from_disk(&uri);
        let actions = prompt_fixes(&w.client, &uri, name);
        let title_of_fix = match name == template {
            true => format!("Create prompt `{name}` (.chant/prompts/{name}.md)"),
            false => format!(
                "Create prompt `{name}` (.chant/prompts/{name}.md) from the {template} template"
            ),
        };
        assert_eq!(titles(&actions)[0], title_of_fix);
        w.client.apply_edit(&actions[0]["edit"]).unwrap();
        let prompt = w.ws.read(&format!(".chant/prompts/{name}.md"));
        assert!(
            prompt.contains(&format!(
                "# Written by chant-lsp from its {template} template"
            )),
            "{prompt}"
        );
        w.client.did_change_watched_files(&[(
            w.ws.uri(&format!(".chant/prompts/{name}.md")).as_str(),
            FILE_CREATED,
        )]);
        w.client
            .wait_for_diagnostics_matching(&uri, |d| !has_unknown_prompt(d));

        let mark = w.agent_runs().len();
        w.run("chant.work", json!([uri]));
        assert_eq!(w.agent_runs()[mark..], [id.as_str()], "{name}");
        let given = w.agent_prompt(id);
        let expected = render(
            &prompt,
            &[
                ("project.name", &w.name),
                ("spec.id", id),
                ("spec.title", title),
                ("spec.description", spec_body(text)),
                ("spec.path", &format!(".chant/specs/{id}.md")),
                ("spec.target_files", target),
            ],
        );
        assert!(
            given.starts_with(&expected),
            "{name}: the agent got:\n{given}\n\nexpected it to start with:\n{expected}"
        );
        assert!(
            !given.contains("{{") && !given.contains("}}"),
            "{name}: {given}"
        );
        assert!(
            w.spec(id).contains("status: completed"),
            "{name}: {}",
            w.spec(id)
        );
    }
    w.shutdown();
}

/// A prompt's body (after chant's frontmatter split) with chant's variables
/// replaced as `substitute` in chant's src/prompt.rs replaces them.
fn render(prompt: &str, values: &[(&str, &str)]) -> String {
    let rest = prompt.trim().strip_prefix("---").unwrap();
    let end = rest.find("---").unwrap();
    let mut body = rest[end + 3..].trim_start().to_string();
    for (name, value) in values {
        assert!(CHANT_VARIABLES.contains(name), "{name}");
        body = body.replace(&format!("{{{{{name}}}}}"), value);
    }
    body
}

/// A spec's body as chant reads it: after the frontmatter, trimmed.
fn spec_body(text: &str) -> &str {
    let rest = text.trim().strip_prefix("---").unwrap();
    let end = rest.find("---").unwrap();
    rest[end + 3..].trim_start()
}

/// A chant project with the prompts `standard` and `research`, and a spec
/// for each `(id, prompt)`, served to a client with `patch` applied to its
/// capabilities; the specs are open and diagnosed.
fn project(specs: &[(&str, &str)], patch: Value) -> (TempWorkspace, LspClient) {
    let ws = TempWorkspace::new();
    ws.chant_init("project:\n  name: demo\n");
    ws.write(
        ".chant/prompts/standard.md",
        "---\nname: standard\npurpose: Implement the spec\n---\nImplement {{spec.title}}.\n",
    );
    ws.write(
        ".chant/prompts/research.md",
        "---\nname: research\npurpose: Research a question\n---\nResearch {{spec.title}}.\n",
    );
    for (id, prompt) in specs {
        ws.write(
            &format!(".chant/specs/{id}.md"),
            spec(
                "Triage the report",
                &format!("prompt: {prompt}\n"),
                &["done"],
            ),
        );
    }
    let mut opts = ClientOptions::for_folder(ws.path());
    opts.capabilities_patch = Some(patch);
    opts.settings = json!({"commands": {"enabled": true}});
    let client = LspClient::start(opts);
    for (id, _) in specs {
        let uri = ws.uri(&format!(".chant/specs/{id}.md"));
        client.did_open_from_disk(&uri);
        client.wait_for_diagnostics_matching(&uri, has_unknown_prompt);
    }
    (ws, client)
}

/// A client that watches no files (Neovim on Linux): the prompt becomes
/// known when the editor opens it (after the quick fix made it) or saves
/// it, and the spec's diagnostic goes.
#[test]
fn without_file_watching_an_opened_or_saved_prompt_is_seen() {
    let (ws, client) = project(
        &[(A, "triage"), ("2026-01-01-002-def", "review")],
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": false}}}),
    );
    assert!(
        client.registrations().is_empty(),
        "{:?}",
        client.registrations()
    );
    let uri = ws.uri(&format!(".chant/specs/{A}.md"));
    let actions = prompt_fixes(&client, &uri, "triage");
    let create = actions
        .iter()
        .find(|a| a["title"] == "Create prompt `triage` (.chant/prompts/triage.md)")
        .unwrap();
    client.apply_edit(&create["edit"]).unwrap();
    let prompt_uri = ws.uri(".chant/prompts/triage.md");
    client.did_open_from_disk(&prompt_uri);
    client.wait_for_diagnostics_matching(&uri, |d| !has_unknown_prompt(d));
    assert_eq!(work_status(&client, &uri), (true, None));

    // A prompt written in the editor: unknown while only in the buffer,
    // known once saved.
    let other = ws.uri(".chant/specs/2026-01-01-002-def.md");
    let review = ws.uri(".chant/prompts/review.md");
    client.did_open(
        &review,
        "markdown",
        "---\npurpose: Review\n---\nReview {{spec.title}}.\n",
    );
    client.wait_idle();
    assert!(has_unknown_prompt(&client.wait_for_diagnostics(&other)));
    client.did_save(&review);
    client.wait_for_diagnostics_matching(&other, |d| !has_unknown_prompt(d));
    assert_eq!(work_status(&client, &other), (true, None));
    client.shutdown();
}

/// Only what the client declared: no file created for a client that
/// cannot create files, no `chant.open` for one that cannot be asked to
/// show a document.
#[test]
fn what_a_client_gets_follows_what_it_declared() {
    // Creates files, cannot show documents: the edit, no command.
    let (ws, client) = project(&[(A, "triage")], json!({"window": {"showDocument": null}}));
    let uri = ws.uri(&format!(".chant/specs/{A}.md"));
    let actions = prompt_fixes(&client, &uri, "triage");
    assert_eq!(
        titles(&actions),
        [
            "Create prompt `triage` (.chant/prompts/triage.md)",
            "Use prompt `standard`",
            "Use prompt `research`",
        ]
    );
    assert!(actions[0]["edit"].is_object());
    assert!(actions[0].get("command").is_none(), "{}", actions[0]);
    // Asked anyway, it says it did not show the file.
    let prompt_uri = ws.uri(".chant/prompts/standard.md");
    let answer = client.request_ok(
        "workspace/executeCommand",
        json!({"command": "chant.open", "arguments": [prompt_uri]}),
    );
    assert_eq!(answer, json!({"uri": prompt_uri, "shown": false}));
    assert!(client.server_requests("window/showDocument").is_empty());
    client.shutdown();

    // Renames and deletes files but does not create them: no Create.
    let (ws, client) = project(
        &[(A, "triage")],
        json!({"workspace": {"workspaceEdit": {"resourceOperations": ["rename", "delete"]}}}),
    );
    let uri = ws.uri(&format!(".chant/specs/{A}.md"));
    let actions = prompt_fixes(&client, &uri, "triage");
    assert_eq!(
        titles(&actions),
        ["Use prompt `standard`", "Use prompt `research`"]
    );
    client.shutdown();

    // No versioned edits: no Create, and "Use prompt" through
    // chant.applyFix, which checks the version.
    let (ws, client) = project(
        &[(A, "triage")],
        json!({"workspace": {"workspaceEdit": {"documentChanges": false}}}),
    );
    let uri = ws.uri(&format!(".chant/specs/{A}.md"));
    let actions = prompt_fixes(&client, &uri, "triage");
    assert_eq!(
        titles(&actions),
        ["Use prompt `standard`", "Use prompt `research`"]
    );
    assert_eq!(
        actions[0]["command"],
        json!({"title": "Use prompt `standard`", "command": "chant.applyFix",
               "arguments": [{"uri": uri, "version": 1,
                              "edits": [{"range": range(3, 8, 3, 14), "newText": "standard"}]}]})
    );
    client.shutdown();
}

#[test]
fn chant_open_refuses_what_it_cannot_show() {
    let (ws, client) = project(&[(A, "triage")], json!({}));
    let refusal = |arguments: Value| -> String {
        client
            .request(
                "workspace/executeCommand",
                json!({"command": "chant.open", "arguments": arguments}),
            )
            .unwrap_err()
            .message
    };
    assert_eq!(
        refusal(json!([])),
        "The first argument of chant.open must be the URI (a string) of the file to show."
    );
    assert_eq!(
        refusal(json!(["https://example.com/x.md"])),
        "`https://example.com/x.md` is not a file URI: chant runs only on files of the workspace."
    );
    let outside = tempfile::tempdir().unwrap();
    let elsewhere = outside.path().join("x.md");
    std::fs::write(&elsewhere, "x\n").unwrap();
    assert_eq!(
        refusal(json!([file_uri(&elsewhere)])),
        format!(
            "{} is outside this workspace's folders: chant runs only in projects of the workspace.",
            elsewhere.display()
        )
    );
    assert_eq!(
        refusal(json!([ws.uri(".chant/prompts/nope.md")])),
        format!(
            "{} does not exist.",
            ws.join(".chant/prompts/nope.md").display()
        )
    );
    assert_eq!(
        refusal(json!([ws.uri(".chant/prompts")])),
        format!(
            "{} is not a file that can be opened for editing.",
            ws.join(".chant/prompts").display()
        )
    );
    assert_eq!(
        refusal(json!([ws.uri(".chant/prompts/standard.md"), {"line": 3}])),
        "chant.open: unknown field `line`, there are no fields."
    );
    assert!(client.server_requests("window/showDocument").is_empty());
    let shown = client.request_ok(
        "workspace/executeCommand",
        json!({"command": "chant.open", "arguments": [ws.uri(".chant/prompts/standard.md")]}),
    );
    assert_eq!(
        shown,
        json!({"uri": ws.uri(".chant/prompts/standard.md"), "shown": true})
    );
    client.shutdown();
}
