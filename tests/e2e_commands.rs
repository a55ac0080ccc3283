//! End-to-end: running chant from the editor (`chant.work`, `chant.approve`,
//! `chant.reject`, `chant.applyAgentChanges`, and every other command's
//! refusals), the code actions that offer them and the quick fixes, over
//! JSON-RPC against the built server and the REAL chant 0.23.2 with a
//! scripted agent (`tests/walkthrough/harness.rs`; a test fails when chant
//! is absent, unless the run opted out with `CHANT_LSP_SKIP_REAL_CHANT=1`). What the real chant cannot do on demand (hangs, kills,
//! a chant held at a gate) is in `e2e_faults.rs`, with the stand-in chant.

#[path = "walkthrough/harness.rs"]
mod harness;
mod support;

use harness::*;
use serde_json::{json, Value};
use support::*;

const A: &str = "2026-01-01-001-abc";

fn greeting() -> String {
    spec("Add the greeting", "", &["hello.txt exists"])
}

#[test]
fn work_reports_progress_and_brings_chants_rewrite_into_the_buffer() {
    let Some(w) = Walk::start("work_reports_progress_and_brings_chants_rewrite_into_the_buffer")
    else {
        return;
    };
    w.commit_specs(&[(A, &greeting())]);
    w.agent_writes(A, &[("hello.txt", "hello\n")]);
    let uri = w.spec_uri(A);
    w.client.did_open_from_disk(&uri);
    let asked = w.answers.asked().len();
    let (answer, progress) = w.run("chant.work", json!([uri]));
    assert_eq!(answer["arguments"], json!(["work", A, "--no-watch"]));

    // The buffer says what chant wrote, through a versioned, minimal edit.
    let disk = w.spec(A);
    assert_eq!(w.client.buffer(&uri), disk);
    let commits = branch_commits(&w, A);
    assert_eq!(
        normalize(&disk),
        format!(
            "---\ntype: code\nstatus: completed\nbranch: chant/{A}\ncommits:\n- {}\n- {}\ncompleted_at: <UTC>\n---\n# Add the greeting\n\n## Acceptance Criteria\n\n- [x] hello.txt exists\n\n## Agent Output\n\n<UTC>\n\n```\nagent: working on {A}\nagent: done with {A}```\n",
            yaml_scalar(&commits[0]), yaml_scalar(&commits[1])
        )
    );
    let edits = w.client.edits();
    assert_eq!(edits.len(), 1);
    assert!(edits[0].applied);
    let change = &edits[0].params["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], 1);
    let title_line = 4; // "# Add the greeting" is untouched
    for edit in change["edits"].as_array().unwrap() {
        let (start, end) = (&edit["range"]["start"], &edit["range"]["end"]);
        assert!(
            end["line"].as_u64() < Some(title_line) || start["line"].as_u64() > Some(title_line),
            "{edit}"
        );
    }

    // Progress: begin (cancellable), reports of output lines, end.
    assert_eq!(progress[0]["kind"], "begin");
    assert_eq!(progress[0]["title"], format!("chant work {A}"));
    assert_eq!(progress[0]["cancellable"], true);
    assert_eq!(progress.last().unwrap()["kind"], "end");
    assert_eq!(progress.last().unwrap()["message"], "completed");
    let reports: Vec<&str> = progress
        .iter()
        .filter(|p| p["kind"] == "report")
        .map(|p| p["message"].as_str().unwrap())
        .collect();
    assert!(!reports.is_empty());
    let log: Vec<String> = w
        .client
        .notifications("window/logMessage")
        .iter()
        .filter_map(|p| p["message"].as_str().map(str::to_string))
        .collect();
    for report in &reports {
        assert!(
            log.contains(&format!("[chant work {A}] {report}")),
            "{report} is not an output line"
        );
    }
    // chant's output is in the log, in order.
    let agent: Vec<&String> = log
        .iter()
        .filter(|l| l.starts_with(&format!("[chant work {A}] agent:")))
        .collect();
    assert_eq!(
        agent,
        [
            &format!("[chant work {A}] agent: working on {A}"),
            &format!("[chant work {A}] agent: done with {A}"),
        ]
    );
    assert!(
        log.contains(&format!("[chant work {A}] Commit: {}", commits[1])),
        "{log:?}"
    );

    // The outcome names the commits and offers the agent's changes.
    let offer = offer_after(&w, asked);
    assert_eq!(offer["type"], 3);
    assert_eq!(
        offer["message"],
        format!(
            "`chant work {A}` finished: the spec is completed (commits {}, {}). The agent's changes are on branch chant/{A}, not in your checkout: \"Review changes\" shows what it changed, \"Apply agent changes\" brings them into the editor to edit, \"Merge\" merges the branch into main.",
            commits[0], commits[1]
        )
    );
    assert_eq!(
        offer["actions"],
        json!([{"title": "Review changes"}, {"title": "Apply agent changes"}, {"title": "Merge"}])
    );
    assert_eq!(w.chant_calls(), [["work", A, "--no-watch"]]);
    // The index saw the new status: the spec is no longer workable.
    w.client.wait_for_diagnostics(&uri);
    assert_eq!(
        w.enabled_offers(&uri),
        [
            "Approve spec".to_string(),
            "Reject spec...".into(),
            format!("Review changes (chant/{A})"),
            format!("Apply agent changes (chant/{A})"),
            format!("Merge branch chant/{A}"),
            "Verify spec".into(),
            "Delete spec...".into(),
            "Show agent log".into(),
        ]
    );
    assert!(w
        .disabled_reason(&uri, "Work this spec")
        .starts_with("This spec is completed"),);
    w.shutdown();
}

#[test]
fn accepting_the_offer_applies_the_agents_changes() {
    let Some(w) = Walk::start("accepting_the_offer_applies_the_agents_changes") else {
        return;
    };
    w.commit_specs(&[(A, &greeting())]);
    w.agent_writes(A, &[("hello.txt", "hello\n")]);
    w.answers.push(Some("Apply agent changes"));
    let mark = w.client.mark();
    w.run("chant.work", json!([w.spec_uri(A), {"prompt": "standard"}]));
    assert_eq!(
        w.outcome_after(mark, "Brought the agent's changes")["message"],
        format!("Brought the agent's changes from chant/{A} into the editor: created hello.txt. Review them, then save (or undo).")
    );
    assert_eq!(w.ws.read("hello.txt"), "hello\n");
    assert_eq!(
        w.chant_calls(),
        [["work", A, "--no-watch", "--prompt=standard"]]
    );
    w.shutdown();
}

#[test]
fn a_failed_run_reports_chants_error() {
    let Some(w) = Walk::start("a_failed_run_reports_chants_error") else {
        return;
    };
    w.commit_specs(&[(A, &greeting())]);
    w.agent_mode(A, "fail");
    let uri = w.spec_uri(A);
    w.client.did_open_from_disk(&uri);
    let mark = w.client.mark();
    let (_, progress) = w.run("chant.work", json!([uri]));
    assert_eq!(progress.last().unwrap()["message"], "failed");
    let message = w.outcome_after(mark, "failed");
    assert_eq!(message["type"], 1);
    let worktree = format!("/tmp/chant-{}-{A}", w.name);
    assert_eq!(
        message["message"],
        format!(
            "`chant work {A}` failed (exit code 1): Error: Agent exited with status: exit status: 1\n\nStderr:\nagent: failing on purpose. chant leaves behind the spec with `status: failed`, the worktree {worktree} and the branch chant/{A}. \"Reset spec\" puts it back to `pending`. Remove the worktree with `git worktree remove --force {worktree}` when you no longer need it. The branch holds the agent's work so far (delete it with `git branch -D chant/{A}`)."
        )
    );
    // chant's `failed` status is in the buffer too.
    let expected = format!("---\ntype: code\nstatus: failed\nbranch: chant/{A}\n---\n# Add the greeting\n\n## Acceptance Criteria\n\n- [ ] hello.txt exists");
    assert_eq!(w.spec(A), expected);
    assert_eq!(w.client.buffer(&uri), expected);
    w.shutdown();
}

#[test]
fn a_spec_with_unsaved_changes_is_refused() {
    let Some(w) = Walk::start("a_spec_with_unsaved_changes_is_refused") else {
        return;
    };
    w.commit_specs(&[(A, &greeting())]);
    let uri = w.spec_uri(A);
    w.client.did_open_from_disk(&uri);
    w.client
        .replace_first(&uri, "hello.txt exists", "hello.txt exists and greets");
    let unsaved = format!(
        "{} has unsaved changes: chant reads the spec from disk and rewrites it, so running now would throw your edits away. Save the file, then run the command again.",
        w.ws.join(&Walk::spec_rel(A)).display()
    );
    for (command, args) in [
        ("chant.work", json!([uri])),
        ("chant.approve", json!([uri])),
        ("chant.reject", json!([uri, {"reason": "no"}])),
        ("chant.merge", json!([uri])),
        ("chant.archive", json!([uri])),
        ("chant.reset", json!([uri])),
        ("chant.cancel", json!([uri])),
        ("chant.verify", json!([uri])),
        ("chant.split", json!([uri])),
    ] {
        let error = w.execute(command, args).unwrap_err();
        assert_eq!(error.code, -32803, "{command}");
        assert_eq!(error.message, unsaved, "{command}");
    }
    // Commands about the whole project name every unsaved spec.
    for (command, args) in [
        ("chant.mergeAll", json!([w.root_uri()])),
        (
            "chant.archiveByLabel",
            json!([w.root_uri(), {"label": "x"}]),
        ),
    ] {
        assert_eq!(
            w.refusal(command, args),
            format!(
                "These specs have unsaved changes: {}. chant rewrites and moves specs on disk, so running now would throw your edits away. Save them, then run the command again.",
                w.ws.join(&Walk::spec_rel(A)).display()
            ),
            "{command}"
        );
    }
    assert!(w.chant_calls().is_empty());
    w.shutdown();
}

#[test]
fn apply_agent_changes_creates_modifies_and_deletes_files() {
    let Some(w) = Walk::start_with(
        "apply_agent_changes_creates_modifies_and_deletes_files",
        Options {
            files: vec![
                ("src/edit.txt".into(), "one\ntwo\nthree\n".into()),
                ("src/drop.txt".into(), "drop me\n".into()),
                ("src/keep.txt".into(), "keep\n".into()),
            ],
            ..Options::default()
        },
    ) else {
        return;
    };
    w.commit_specs(&[(A, &greeting())]);
    w.agent_writes(
        A,
        &[
            ("src/new.txt", "brand new\n"),
            ("src/edit.txt", "one\ntwo\nTHREE\n"),
        ],
    );
    w.agent_deletes(A, &["src/drop.txt"]);
    let uri = w.spec_uri(A);
    // No branch yet: no action, and the command says what to do.
    assert!(!w
        .offers(&uri)
        .iter()
        .any(|(t, _)| t.starts_with("Apply agent changes")));
    assert_eq!(
        w.refusal("chant.applyAgentChanges", json!([uri])),
        format!("There is no branch chant/{A}: the agent's changes live there after \"Work this spec\" runs. Run the spec first.")
    );
    w.run("chant.work", json!([uri]));
    assert!(w
        .enabled_offers(&uri)
        .contains(&format!("Apply agent changes (chant/{A})")));

    // The user has an unsaved change in a file the agent also changed.
    let edit_uri = w.ws.uri("src/edit.txt");
    w.client.did_open_from_disk(&edit_uri);
    w.client.replace_first(&edit_uri, "one", "ONE");
    let before = w.client.edits().len();
    let mark = w.client.mark();
    let answer = w.execute("chant.applyAgentChanges", json!([uri])).unwrap();
    assert_eq!(
        answer,
        json!({
            "started": true,
            "branch": format!("chant/{A}"),
            "created": ["src/new.txt"],
            "modified": ["src/edit.txt"],
            "deleted": ["src/drop.txt"],
            "conflicts": [],
            "skipped": []
        })
    );
    assert_eq!(
        w.outcome_after(mark, "Brought the agent's changes")["message"],
        format!("Brought the agent's changes from chant/{A} into the editor: created src/new.txt; modified src/edit.txt; deleted src/drop.txt. Review them, then save (or undo).")
    );
    let edits = w.client.edits();
    assert_eq!(edits.len(), before + 1);
    let record = edits.last().unwrap();
    assert!(record.applied, "{:?}", record.failure_reason);
    assert_eq!(
        record.params["label"],
        format!("Apply agent changes from chant/{A}")
    );
    let kinds: Vec<Value> = record.params["edit"]["documentChanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.get("kind").cloned().unwrap_or(json!("edit")))
        .collect();
    // In git's order: src/drop.txt, src/edit.txt, src/new.txt.
    assert_eq!(
        kinds,
        [
            json!("delete"),
            json!("edit"),
            json!("create"),
            json!("edit")
        ]
    );
    assert_eq!(w.ws.read("src/new.txt"), "brand new\n");
    // Merged into the unsaved buffer; the disk keeps the saved text.
    assert_eq!(w.client.buffer(&edit_uri), "ONE\ntwo\nTHREE\n");
    assert_eq!(w.ws.read("src/edit.txt"), "one\ntwo\nthree\n");
    assert!(!w.ws.exists("src/drop.txt"));
    assert_eq!(w.ws.read("src/keep.txt"), "keep\n");
    // chant's own files on the branch are never applied.
    assert!(w.spec(A).contains("status: completed"));
    // Applying again: nothing left to bring in.
    assert_eq!(
        w.refusal("chant.applyAgentChanges", json!([uri])),
        format!("The workspace already has the agent's changes from chant/{A}.")
    );
    w.shutdown();
}

#[test]
fn approve_and_reject_with_and_without_a_reason() {
    // No approver setting (the name comes from git), and a client without
    // window.workDoneProgress: no progress, only messages.
    let Some(w) = Walk::start_with(
        "approve_and_reject_with_and_without_a_reason",
        Options {
            settings: json!({"commands": {"enabled": true}}),
            capabilities: Some(json!({"window": {"workDoneProgress": false}})),
            ..Options::default()
        },
    ) else {
        return;
    };
    w.commit_specs(&[(
        A,
        &spec(
            "Add the greeting",
            "approval:\n  required: true\n",
            &["hello.txt exists"],
        ),
    )]);
    let uri = w.spec_uri(A);
    w.client.did_open_from_disk(&uri);
    let enabled = w.enabled_offers(&uri);
    assert!(enabled.contains(&"Approve spec".to_string()), "{enabled:?}");
    assert!(
        enabled.contains(&"Reject spec...".to_string()),
        "{enabled:?}"
    );

    // Approver from `git config user.name`.
    let mark = w.client.mark();
    let answer = w.execute("chant.approve", json!([uri])).unwrap();
    assert_eq!(answer["arguments"], json!(["approve", A, "--by=Test User"]));
    let message = w.outcome_after(mark, "Approved spec");
    assert_eq!(
        message["message"],
        format!(
            "Approved spec {A} as Test User (commit {}).",
            w.short("HEAD")
        )
    );
    w.client.wait_idle();
    let approved = "---\ntype: code\nstatus: blocked\napproval:\n  required: true\n  status: approved\n  by: Test User\n  at: <UTC>\n---\n# Add the greeting\n\n## Acceptance Criteria\n\n- [ ] hello.txt exists\n\n## Approval Discussion\n\n**Test User** - <LOCAL> - APPROVED";
    assert_eq!(normalize(&w.client.buffer(&uri)), approved);
    assert_eq!(w.client.buffer(&uri), w.spec(A));
    assert!(w.client.progress_tokens().is_empty());
    assert!(w
        .client
        .server_requests("window/workDoneProgress/create")
        .is_empty());

    // Approving again changes nothing, so it is refused.
    assert_eq!(
        w.refusal("chant.approve", json!([uri])),
        "This spec is already approved by Test User: chant approve would change nothing."
    );
    // Reject needs a reason.
    for args in [json!([uri]), json!([uri, {"reason": "  "}])] {
        let error = w.execute("chant.reject", args).unwrap_err();
        assert_eq!(error.code, -32803);
        assert_eq!(
            error.message,
            "A reason is required to reject a spec: pass it as {\"reason\": \"...\"} in the second argument (the chant editor extensions ask for it)."
        );
    }
    let mark = w.client.mark();
    let answer = w
        .execute(
            "chant.reject",
            json!([uri, {"reason": "Needs tests", "by": "Reviewer"}]),
        )
        .unwrap();
    assert_eq!(
        answer["arguments"],
        json!(["reject", A, "--by=Reviewer", "--reason=Needs tests"])
    );
    let message = w.outcome_after(mark, "Rejected spec");
    assert_eq!(
        message["message"],
        format!(
            "Rejected spec {A} as Reviewer (commit {}).",
            w.short("HEAD")
        )
    );
    w.client.wait_idle();
    let rejected = "---\ntype: code\nstatus: pending\napproval:\n  required: true\n  status: rejected\n  by: Reviewer\n  at: <UTC>\n---\n# Add the greeting\n\n## Acceptance Criteria\n\n- [ ] hello.txt exists\n\n## Approval Discussion\n\n**Test User** - <LOCAL> - APPROVED\n\n**Reviewer** - <LOCAL> - REJECTED\nNeeds tests";
    assert_eq!(normalize(&w.client.buffer(&uri)), rejected);
    assert_eq!(w.client.buffer(&uri), w.spec(A));
    assert_eq!(
        w.chant_calls(),
        [
            vec!["approve", A, "--by=Test User"],
            vec!["reject", A, "--by=Reviewer", "--reason=Needs tests"],
        ]
    );
    w.shutdown();
}

#[test]
fn malicious_ids_labels_titles_and_prompts_never_reach_chant() {
    let Some(w) = Walk::start("malicious_ids_labels_titles_and_prompts_never_reach_chant") else {
        return;
    };
    let bad_ids = ["-rf", "a;b", "a b", "a..b"];
    for id in bad_ids {
        w.ws.write(&Walk::spec_rel(id), greeting());
    }
    w.commit_specs(&[(A, &greeting())]);
    for id in bad_ids {
        let uri = w.ws.uri(&Walk::spec_rel(id));
        for (command, args) in [
            ("chant.work", json!([uri])),
            ("chant.approve", json!([uri])),
            ("chant.reject", json!([uri, {"reason": "no"}])),
            ("chant.applyAgentChanges", json!([uri])),
            ("chant.merge", json!([uri])),
            ("chant.archive", json!([uri])),
            ("chant.reset", json!([uri])),
            ("chant.cancel", json!([uri])),
            ("chant.cancel", json!([uri, {"delete": true}])),
            ("chant.verify", json!([uri])),
            ("chant.split", json!([uri])),
        ] {
            let error = w.execute(command, args).unwrap_err();
            assert_eq!(error.code, -32803, "{command} {id}");
            assert!(
                error.message.contains(&format!("{id:?}"))
                    && error.message.to_lowercase().contains("rename"),
                "{command} {id}: {}",
                error.message
            );
        }
        // No command is offered for such a spec: each is disabled, saying why.
        let offers = w.offers(&uri);
        assert!(
            offers.iter().all(|(_, why)| why
                .as_deref()
                .is_some_and(|w| w.contains("cannot be passed to chant safely"))),
            "{offers:?}"
        );
    }
    let uri = w.spec_uri(A);
    for prompt in ["-rf", "a;b", "a b", "../x", "--skip-approval"] {
        let expected = format!("The prompt name {prompt:?} cannot be passed to chant safely: prompt names may hold only letters, digits, `-`, `_` and `.`, must not start with `-` or `.`, and must not contain `..`.");
        assert_eq!(
            w.refusal("chant.work", json!([uri, {"prompt": prompt}])),
            expected
        );
        assert_eq!(
            w.refusal(
                "chant.add",
                json!([w.root_uri(), {"title": "T", "type": "code", "prompt": prompt}])
            ),
            expected
        );
    }
    for by in ["Ada\nEvil", "\u{7}bell"] {
        assert_eq!(
            w.refusal("chant.approve", json!([uri, {"by": by}])),
            "Invalid approver name: the name holds a line break or another control character."
        );
    }
    assert_eq!(
        w.refusal("chant.add", json!([w.root_uri(), {"title": "one\n---\ntwo", "type": "code"}])),
        "Invalid spec title: the title holds a line break or another control character (chant writes it as one `# ` line)."
    );
    assert_eq!(
        w.refusal("chant.add", json!([w.root_uri(), {"title": "T", "type": "conflict"}])),
        "Invalid spec type \"conflict\": chant knows `code`, `task`, `research`, `documentation`, `driver`, `group`."
    );
    for label in ["a---b", "a\nb", " "] {
        let refusal = w.refusal(
            "chant.add",
            json!([w.root_uri(), {"title": "T", "type": "code", "labels": [label]}]),
        );
        assert!(refusal.starts_with("Invalid label: "), "{refusal}");
        let refusal = w.refusal(
            "chant.archiveByLabel",
            json!([w.root_uri(), {"label": label}]),
        );
        assert!(refusal.starts_with("Invalid label: "), "{refusal}");
    }
    // A title that reads as a flag is still the title: it goes after `--`.
    let (answer, _) = w.run(
        "chant.add",
        json!([w.root_uri(), {"title": "--all -rf", "type": "code"}]),
    );
    assert_eq!(answer["arguments"], json!(["add", "--", "--all -rf"]));
    // Nothing else reached chant.
    assert_eq!(w.chant_calls(), [["add", "--", "--all -rf"]]);
    w.shutdown();
}

#[test]
fn refusals_say_what_to_do() {
    let Some(w) = Walk::start_with(
        "refusals_say_what_to_do",
        Options {
            settings: json!({}),
            ..Options::default()
        },
    ) else {
        return;
    };
    let done =
        "---\ntype: code\nstatus: completed\n---\n# Done\n\n## Acceptance Criteria\n\n- [x] done\n";
    let vague = "---\ntype: code\nstatus: pending\n---\n# Vague\n";
    let group = "---\ntype: group\nstatus: pending\n---\n# Split already\n\n## Acceptance Criteria\n\n- [ ] x\n";
    let running =
        "---\ntype: code\nstatus: in_progress\n---\n# Stuck\n\n## Acceptance Criteria\n\n- [ ] x\n";
    let cancelled =
        "---\ntype: code\nstatus: cancelled\n---\n# Dropped\n\n## Acceptance Criteria\n\n- [ ] x\n";
    let approval = "---\ntype: code\nstatus: completed\napproval:\n  required: true\n---\n# Unapproved\n\n## Acceptance Criteria\n\n- [x] x\n";
    let [d, v, g, r, c, a, m] = [
        "2026-01-01-002-don",
        "2026-01-01-003-vag",
        "2026-01-01-004-grp",
        "2026-01-01-005-run",
        "2026-01-01-006-can",
        "2026-01-01-007-apr",
        "2026-01-01-004-grp.1",
    ];
    w.commit_specs(&[
        (A, &greeting()),
        (d, done),
        (v, vague),
        (g, group),
        (r, running),
        (c, cancelled),
        (a, approval),
        (m, &greeting()),
    ]);
    let uri = w.spec_uri(A);
    // Commands are off unless the workspace is trusted.
    let off = "Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true.";
    assert_eq!(w.refusal("chant.work", json!([uri])), off);
    w.client
        .change_settings(json!({"commands": {"enabled": true}, "path": "/nonexistent/chant"}));
    w.client.wait_idle();
    assert_eq!(
        w.refusal("chant.work", json!([uri])),
        "chant was not found (setting `chant.path` is `/nonexistent/chant`): install chant, or set `chant.path` to the chant executable."
    );
    w.client
        .change_settings(json!({"commands": {"enabled": true}, "approverName": "Ada"}));
    w.client.wait_idle();
    let s = |id: &str| w.spec_uri(id);
    let cases: Vec<(&str, Value, String)> = vec![
        ("chant.work", json!([s(d)]), "This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.".into()),
        ("chant.work", json!([uri, {"prompt": "missing"}]), "Prompt not found: missing. There is no .chant/prompts/missing.md, and chant would mark the spec in_progress before failing. Create that prompt or choose another one (\"Work with prompt ...\").".into()),
        ("chant.work", json!([w.ws.uri("README.md")]), format!("{} is not a chant spec: specs are the .md files in .chant/specs/.", w.ws.join("README.md").display())),
        ("chant.merge", json!([uri]), format!("There is no branch chant/{A} to merge: chant creates it when \"Work this spec\" runs the agent (chant merge would say \"No completed specs with branches to merge.\" and do nothing).")),
        ("chant.archive", json!([uri]), "chant archive archives only completed specs, and this one is pending: it would say \"No specs to archive.\" and do nothing.".into()),
        ("chant.archive", json!([s(c)]), format!("chant archive refuses a cancelled spec (\"Spec '{c}' must be completed to archive (current: Cancelled)\"): only completed specs are archived.")),
        ("chant.reset", json!([uri]), format!("Spec '{A}' is not in failed or in_progress state (current: Pending): chant reset only resets failed specs.")),
        ("chant.reset", json!([s(r)]), format!("chant reset cannot move spec '{r}' from in_progress to pending (\"Failed to transition spec to Pending: Invalid transition from InProgress to Pending\"), and it removes the run's worktree first. If no run is going on, set `status: failed`, save, and reset it then.")),
        ("chant.reset", json!([uri, {"prompt": "review"}]), "A prompt is only used when the spec is worked again: pass {\"work\": true} with it.".into()),
        ("chant.cancel", json!([s(m)]), format!("Cannot cancel member spec '{m}'. Cancel the driver spec '{g}' instead.")),
        ("chant.cancel", json!([s(r)]), format!("Spec '{r}' is in progress: chant cancel refuses it (its `--skip-checks` overrides that, from a terminal). Reset it first (\"Reset spec\").")),
        ("chant.cancel", json!([s(d)]), "chant cannot move a spec from `completed` to cancelled (\"Invalid transition from Completed to Cancelled\").".into()),
        ("chant.cancel", json!([s(c)]), format!("Spec '{c}' is already cancelled.")),
        ("chant.cancel", json!([s(r), {"delete": true}]), format!("Spec '{r}' is in progress: chant delete refuses it (its `--skip-checks` overrides that, from a terminal). Reset it first (\"Reset spec\").")),
        ("chant.verify", json!([uri]), format!("Spec {A} is not completed (status: pending): chant verify checks only completed specs.")),
        ("chant.split", json!([s(d)]), "chant split refuses it: \"Cannot split completed spec\". Only pending specs are split.".into()),
        ("chant.split", json!([s(g)]), "This spec is already split (`type: group`): chant split says \"Spec is already split\".".into()),
        ("chant.showLog", json!([uri]), format!("There is no agent log for spec {A} (.chant/logs/{A}.log): chant writes it when the agent runs (\"Work this spec\").")),
        ("chant.add", json!([w.root_uri(), {"type": "code"}]), "A title is required to add a spec: pass it as {\"title\": \"...\"} in the second argument. The language server cannot ask for text (the protocol has no input box); the chant editor extensions ask for it.".into()),
        ("chant.archiveByLabel", json!([w.root_uri(), {"label": "none"}]), "No spec in this project has the label `none` (specs in .chant/specs with `labels:` holding it).".into()),
        // A project on disk outside the workspace's folders is not the
        // editor's to run chant in.
        ("chant.merge", json!([format!("file://{}/.chant/specs/{A}.md", w.scratch.path().display())]), format!("{}/.chant/specs/{A}.md is outside this workspace's folders: chant runs only in projects of the workspace.", w.scratch.path().display())),
        ("chant.mergeAll", json!([format!("file://{}", w.scratch.path().display())]), format!("{} is outside this workspace's folders: chant runs only in projects of the workspace.", w.scratch.path().display())),
    ];
    for (command, args, expected) in cases {
        let error = w
            .execute(command, args.clone())
            .err()
            .unwrap_or_else(|| panic!("{command} {args} was not refused"));
        assert_eq!(error.code, -32803, "{command} {args}");
        assert_eq!(error.message, expected, "{command} {args}");
    }
    // The quality gate, in chant's terms, and the way past it.
    let gate = w.refusal("chant.work", json!([s(v)]));
    assert!(gate.starts_with("chant grades this spec "), "{gate}");
    assert!(
        gate.ends_with(
            "Improve the spec, or work it anyway, skipping the quality check (`--skip-criteria`)."
        ),
        "{gate}"
    );
    assert!(w
        .enabled_offers(&s(v))
        .contains(&"Work anyway (skip the quality check)".to_string()));
    // Malformed arguments.
    for (command, args, expected) in [
        ("chant.nope", json!([uri]), "Unknown command `chant.nope`: chant-lsp runs chant.work, chant.workWith, chant.approve, chant.reject, chant.applyAgentChanges, chant.add, chant.merge, chant.mergeAll, chant.archive, chant.archiveByLabel, chant.reset, chant.cancel, chant.verify, chant.split, chant.showLog, chant.review, chant.applyFix, chant.open."),
        ("chant.work", json!([]), "The first argument must be a URI (a string): the spec file's, or for project commands the project folder's."),
        ("chant.archiveByLabel", json!([w.root_uri(), {"label": 7}]), "Option `label` of chant.archiveByLabel: invalid type: integer `7`, expected a string."),
        ("chant.cancel", json!([uri, {"delete": "yes"}]), "Option `delete` of chant.cancel: invalid type: string \"yes\", expected a boolean."),
        ("chant.add", json!([w.root_uri(), {"title": "T", "labels": "walk"}]), "Option `labels` of chant.add: invalid type: string \"walk\", expected a sequence."),
        ("chant.work", json!([uri, {"promt": "standard"}]), "chant.work: unknown field `promt`, expected `prompt` or `skipQuality`."),
        ("chant.merge", json!(["http://example.com/.chant/specs/a.md"]), "`http://example.com/.chant/specs/a.md` is not a file URI: chant runs only on files of the workspace."),
        ("chant.mergeAll", json!(["untitled:Untitled-1"]), "`untitled:Untitled-1` is not a file URI: chant runs only on files of the workspace."),
    ] {
        let error = w.execute(command, args).unwrap_err();
        assert_eq!(error.code, -32602, "{command}");
        assert_eq!(error.message, expected, "{command}");
    }
    assert!(w.chant_calls().is_empty());
    // Past the quality gate.
    let (answer, progress) = w.run("chant.work", json!([s(v), {"skipQuality": true}]));
    assert_eq!(
        answer["arguments"],
        json!(["work", v, "--no-watch", "--skip-criteria"])
    );
    assert_eq!(progress.last().unwrap()["message"], "completed");
    assert!(w.spec(v).contains("status: completed"));
    // A merge of a spec that needs approval.
    w.git(&["branch", &format!("chant/{a}")]);
    w.git(&["checkout", "-q", &format!("chant/{a}")]);
    w.ws.write("x.txt", "x\n");
    w.git(&["add", "x.txt"]);
    w.git(&["commit", "-qm", "agent"]);
    w.git(&["checkout", "-q", "main"]);
    assert_eq!(
        w.refusal("chant.merge", json!([s(a)])),
        "This spec requires approval before its branch is merged: chant merge refuses it (\"Cannot merge: 1 spec(s) require approval\"). Approve it first (\"Approve spec\")."
    );
    // The commands are advertised.
    let caps = w.client.server_capabilities();
    assert_eq!(
        caps["executeCommandProvider"]["commands"],
        json!([
            "chant.work",
            "chant.workWith",
            "chant.approve",
            "chant.reject",
            "chant.applyAgentChanges",
            "chant.add",
            "chant.merge",
            "chant.mergeAll",
            "chant.archive",
            "chant.archiveByLabel",
            "chant.reset",
            "chant.cancel",
            "chant.verify",
            "chant.split",
            "chant.showLog",
            "chant.review",
            "chant.applyFix",
            "chant.open"
        ])
    );
    w.shutdown();
}

/// Applies a code action's workspace edit through the test client, as an
/// editor would when the user picks it.
fn apply_action(w: &Walk, action: &Value) {
    let edit = action["edit"].clone();
    for change in edit["documentChanges"].as_array().unwrap() {
        let uri = change["textDocument"]["uri"].as_str().unwrap();
        assert_eq!(
            change["textDocument"]["version"],
            w.client.version(uri),
            "{change}"
        );
        let text = w.client.buffer(uri);
        let new_text = apply_text_edits(
            &text,
            change["edits"].as_array().unwrap(),
            w.client.encoding(),
        )
        .unwrap();
        w.client.did_change_full(uri, &new_text);
    }
}

/// Code actions for a range, with the diagnostics on its lines in the
/// context, as editors send them.
fn code_actions(w: &Walk, uri: &str, range: Value) -> Vec<Value> {
    let (first, last) = (range["start"]["line"].clone(), range["end"]["line"].clone());
    let diagnostics: Vec<Value> = w
        .client
        .wait_for_diagnostics(uri)
        .into_iter()
        .filter(|d| {
            d["range"]["start"]["line"].as_u64() <= last.as_u64()
                && d["range"]["end"]["line"].as_u64() >= first.as_u64()
        })
        .collect();
    w.client
        .request_ok(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": diagnostics}}),
        )
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn action<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| {
            let titles: Vec<&Value> = actions.iter().map(|a| &a["title"]).collect();
            panic!("no action {title:?} in {titles:?}")
        })
}

#[test]
fn quick_fixes_edit_the_current_version_in_the_users_style() {
    let Some(w) = Walk::start_with(
        "quick_fixes_edit_the_current_version_in_the_users_style",
        Options {
            files: vec![(
                ".chant/config.md".into(),
                "---\nproject:\n  name: demo\nenterprise:\n  required: [labels, verification_status]\n---\n# Config\n".into(),
            )],
            ..Options::default()
        },
    ) else {
        return;
    };
    let other = "2026-01-01-002-dep";
    let text = format!(
        "---\r\ntype: research\r\nstatus: pendin\r\nlabels: ['a']\r\ninformed_by:\r\n  - notes/missing.md\r\n---\r\n# Research\r\n\r\nSee {other} first.\r\n\r\n## Acceptance Criteria\r\n\r\n- [ ] one\r\n- [x] two\r\n"
    );
    w.commit_specs(&[
        (A, &text),
        (
            other,
            "---\ntype: code\n---\n# Dep\n\n## Acceptance Criteria\n\n- [ ] x\n",
        ),
    ]);
    let uri = w.spec_uri(A);
    w.client.did_open_from_disk(&uri);

    // A diagnostic's own fix, versioned.
    let actions = code_actions(&w, &uri, w.client.range_of(&uri, "pendin"));
    let fix = action(&actions, "Change to `pending`");
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["diagnostics"][0]["code"], "chant/unknown-status");
    apply_action(&w, fix);
    assert!(w.client.buffer(&uri).contains("status: pending\r\n"));

    // Move the mentioned ID into depends_on (flow style, like `labels`).
    let actions = code_actions(&w, &uri, w.client.range_of(&uri, other));
    apply_action(
        &w,
        action(&actions, &format!("Move `{other}` into `depends_on`")),
    );
    let text = w.client.buffer(&uri);
    assert!(
        text.contains(&format!("depends_on: ['{other}']\r\n---")),
        "{text}"
    );
    assert!(text.contains("See first.\r\n"), "{text}");

    // The required field, with a value chant accepts, in CRLF.
    let actions = code_actions(&w, &uri, range(0, 0, 0, 3));
    apply_action(&w, action(&actions, "Add `verification_status`"));
    let text = w.client.buffer(&uri);
    assert!(
        text.contains("verification_status: passed\r\n---"),
        "{text}"
    );

    // Tick and untick the criterion under the cursor.
    let actions = code_actions(&w, &uri, w.client.range_of(&uri, "two"));
    apply_action(&w, action(&actions, "Untick this criterion"));
    let actions = code_actions(&w, &uri, w.client.range_of(&uri, "one"));
    // The diagnostic's fix ticks it; there is no second "tick" action.
    let ticks = actions
        .iter()
        .filter(|a| a["title"] == "Tick this criterion")
        .count();
    assert_eq!(ticks, 1);
    apply_action(&w, action(&actions, "Tick this criterion"));
    assert_eq!(
        w.client.buffer(&uri),
        format!("---\r\ntype: research\r\nstatus: pending\r\nlabels: ['a']\r\ninformed_by:\r\n  - notes/missing.md\r\ndepends_on: ['{other}']\r\nverification_status: passed\r\n---\r\n# Research\r\n\r\nSee first.\r\n\r\n## Acceptance Criteria\r\n\r\n- [x] one\r\n- [ ] two\r\n")
    );

    // Create the missing informed_by file (a resource operation).
    let actions = code_actions(&w, &uri, w.client.range_of(&uri, "notes/missing.md"));
    let create = action(&actions, "Create `notes/missing.md`");
    assert_eq!(
        create["edit"]["documentChanges"],
        json!([{"kind": "create", "uri": w.ws.uri("notes/missing.md"), "options": {"overwrite": false, "ignoreIfExists": false}}])
    );
    assert!(w.chant_calls().is_empty());

    // The real chant judges the result, saved: it loads the spec, and its
    // lint finds neither a parse error nor a missing required field (the
    // status and both fields the config requires were fixed).
    w.client.did_save(&uri);
    let chant =
        support::real_chant::real_chant("quick_fixes_edit_the_current_version_in_the_users_style")
            .expect("the walk runs on the real chant");
    let home = tempfile::tempdir().unwrap();
    let show = support::real_chant::chant_command(&chant, w.ws.path(), home.path())
        .args(["show", A])
        .output()
        .unwrap();
    assert!(
        show.status.success(),
        "{}",
        String::from_utf8_lossy(&show.stderr)
    );
    let lint = support::real_chant::chant_command(&chant, w.ws.path(), home.path())
        .args(["lint", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&lint.stdout).unwrap();
    let rules: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["spec_id"] == A)
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert!(
        !rules.contains(&"parse") && !rules.contains(&"required"),
        "chant lint after the fixes: {report:#}"
    );
    w.shutdown();
}

#[test]
fn run_actions_follow_what_chant_would_accept() {
    let Some(w) = Walk::start("run_actions_follow_what_chant_would_accept") else {
        return;
    };
    let approval = spec(
        "Needs approval",
        "approval:\n  required: true\n",
        &["it is approved first"],
    );
    let approved = spec(
        "Approved",
        "approval:\n  required: true\n  status: approved\n  by: Ada\n  at: 2026-01-01T00:00:00Z\n",
        &["it was approved"],
    );
    let completed = "---\ntype: code\nstatus: completed\n---\n# Done\n\n## Acceptance Criteria\n\n- [x] it is done\n";
    let blocked = spec(
        "Later",
        &format!("depends_on: [{A}]\n"),
        &["it comes later"],
    );
    let [p, o, d, b] = [
        "2026-01-01-002-apr",
        "2026-01-01-003-oka",
        "2026-01-01-004-don",
        "2026-01-01-005-blk",
    ];
    w.commit_specs(&[
        (A, &greeting()),
        (p, &approval),
        (o, &approved),
        (d, completed),
        (b, &blocked),
    ]);
    let uri = w.spec_uri(A);
    assert_eq!(
        w.enabled_offers(&uri),
        [
            "Work this spec",
            "Work with…",
            "Work with prompt research",
            "Work with prompt review",
            "Work with prompt standard",
            "Split spec",
        ]
    );
    let work = code_actions(&w, &uri, range(0, 0, 0, 0))
        .into_iter()
        .find(|a| a["title"] == "Work with prompt standard")
        .unwrap();
    assert_eq!(
        work["command"],
        json!({"title": "Work with prompt standard", "command": "chant.work", "arguments": [uri, {"prompt": "standard"}]})
    );
    // Cancel is refused while others depend on it.
    assert_eq!(
        w.disabled_reason(&uri, "Cancel spec"),
        format!("Spec '{A}' is a dependency for: {b}. chant cancel refuses it (its `--skip-checks` overrides that, from a terminal); remove it from their `depends_on` first.")
    );
    assert_eq!(
        w.enabled_offers(&w.spec_uri(p)),
        [
            "Approve spec",
            "Reject spec...",
            "Cancel spec",
            "Delete spec..."
        ]
    );
    assert_eq!(
        w.enabled_offers(&w.spec_uri(o)),
        [
            "Work this spec",
            "Work with…",
            "Work with prompt research",
            "Work with prompt review",
            "Work with prompt standard",
            "Reject spec...",
            "Split spec",
            "Cancel spec",
            "Delete spec...",
        ]
    );
    // chant approves and rejects completed specs too (a review after the
    // work).
    assert_eq!(
        w.enabled_offers(&w.spec_uri(d)),
        [
            "Approve spec",
            "Reject spec...",
            "Archive spec",
            "Verify spec",
            "Delete spec..."
        ]
    );
    assert_eq!(
        w.enabled_offers(&w.spec_uri(b)),
        ["Cancel spec", "Delete spec..."]
    );
    // What is not available is shown disabled, with chant's reason.
    assert_eq!(
        w.disabled_reason(&w.spec_uri(b), "Work this spec"),
        format!("This spec is blocked by dependencies that are not completed: {A} (pending). chant work refuses it until they are completed (for `chant work`, a cancelled dependency blocks too).")
    );
    assert!(w
        .disabled_reason(&w.spec_uri(d), "Work this spec")
        .starts_with("This spec is completed"));
    assert!(w
        .disabled_reason(&w.spec_uri(p), "Work this spec")
        .contains("requires approval before work can begin"));
    // The lens shows what is available, but no code-action-only command.
    let lenses = w.client.request_ok(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": w.spec_uri(d)}}),
    );
    let titles: Vec<&str> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["completed · 1/1", "⌫ Archive", "✔ Verify"]);
    // chant/specStatus lists every command, with why and where it is shown.
    let status = w.client.request_ok(
        "chant/specStatus",
        json!({"textDocument": {"uri": w.spec_uri(d)}}),
    );
    let archive = status["commands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["command"] == "chant.archive")
        .unwrap()
        .clone();
    assert_eq!(
        archive,
        json!({"command": "chant.archive", "title": "Archive spec", "arguments": [w.spec_uri(d)], "enabled": true, "reason": null, "lens": true})
    );
    assert!(w.chant_calls().is_empty());
    w.shutdown();
}

/// With commands off (the default), nothing runs: not chant, and not even
/// git, which code actions would use to look for the agent's branch. The
/// agent's log still opens: that runs nothing.
#[test]
fn commands_off_runs_nothing_not_even_git() {
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("git.log");
    let real_git = String::from_utf8(
        std::process::Command::new("which")
            .arg("git")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string();
    write_executable(
        &bin.path().join("git"),
        &format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nexec '{real_git}' \"$@\"\n",
            log.display()
        ),
    );
    let Some(w) = Walk::start_with(
        "commands_off_runs_nothing_not_even_git",
        Options {
            settings: json!({}),
            files: vec![(format!(".chant/logs/{A}.log"), "agent: hello\n".into())],
            server_path: vec![bin.path().to_path_buf()],
            ..Options::default()
        },
    ) else {
        return;
    };
    w.commit_specs(&[(A, &greeting())]);
    w.git(&["branch", &format!("chant/{A}")]);
    let uri = w.spec_uri(A);
    let offers = w.offers(&uri);
    assert!(
        !offers
            .iter()
            .any(|(t, _)| t.starts_with("Apply agent changes")),
        "{offers:?}"
    );
    let off = "Running chant from the editor is off for this workspace: chant runs an agent that changes files and commits. If you trust this workspace, set `chant.commands.enabled` to true.";
    for (title, why) in &offers {
        match title.as_str() {
            "Show agent log" => assert_eq!(why, &None),
            _ => assert_eq!(why.as_deref(), Some(off), "{title}"),
        }
    }
    for (command, args) in [
        ("chant.work", json!([uri])),
        ("chant.applyAgentChanges", json!([uri])),
        ("chant.approve", json!([uri])),
        ("chant.merge", json!([uri])),
        ("chant.archive", json!([uri])),
        ("chant.reset", json!([uri])),
        ("chant.cancel", json!([uri])),
        ("chant.verify", json!([uri])),
        ("chant.split", json!([uri])),
        (
            "chant.add",
            json!([w.root_uri(), {"title": "T", "type": "code"}]),
        ),
        ("chant.mergeAll", json!([w.root_uri()])),
        (
            "chant.archiveByLabel",
            json!([w.root_uri(), {"label": "x"}]),
        ),
    ] {
        assert_eq!(w.refusal(command, args), off, "{command}");
    }
    // Opening the log runs nothing.
    let answer = w.execute("chant.showLog", json!([uri])).unwrap();
    assert_eq!(answer["shown"], true);
    w.client.wait_idle();
    assert!(
        !log.exists(),
        "git ran: {}",
        std::fs::read_to_string(&log).unwrap()
    );
    assert!(w.chant_calls().is_empty());
    w.shutdown();
}

/// chant's `approval.rejection_action` (config) after `chant.reject`: what
/// chant made of the project reaches the editor and the index. With
/// `dependency`, a new fix spec the rejected one now depends on (so it is
/// blocked until the fix is done); with `group`, the rejected spec turned
/// into a driver with one member per criterion.
#[test]
fn rejection_action_dependency_and_group_reach_the_buffer_and_the_index() {
    for action in ["dependency", "group"] {
        let test = format!("rejection_action_{action}_reaches_the_buffer_and_the_index");
        let Some(w) = Walk::start_with(
            &test,
            Options {
                files: vec![(
                    ".chant/config.md".into(),
                    format!("---\nproject:\n  name: demo\napproval:\n  rejection_action: {action}\n---\n# Config\n"),
                )],
                ..Options::default()
            },
        ) else {
            return;
        };
        let text = spec(
            "Needs approval",
            "approval:\n  required: true\n",
            &["Add the parser", "Fix the lexer"],
        );
        w.commit_specs(&[(A, &text)]);
        let uri = w.spec_uri(A);
        w.client.did_open_from_disk(&uri);
        w.run(
            "chant.reject",
            json!([uri, {"reason": "needs tests", "by": "Test User"}]),
        );
        // The buffer holds what chant wrote.
        let disk = w.spec(A);
        assert_eq!(w.client.buffer(&uri), disk, "{action}");
        let list = w.client.request_ok("chant/specList", json!({}));
        let specs: Vec<(String, String)> = list["projects"][0]["specs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["id"].as_str().unwrap().to_string(),
                    format!(
                        "{}: {}",
                        s["readiness"].as_str().unwrap(),
                        s["reason"].as_str().unwrap()
                    ),
                )
            })
            .collect();
        let on_disk: Vec<String> = std::fs::read_dir(w.ws.join(".chant/specs"))
            .unwrap()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().to_string();
                name.strip_suffix(".md").map(str::to_string)
            })
            .filter(|id| id != A)
            .collect();
        match action {
            "dependency" => {
                // One fix spec, which the rejected spec now depends on.
                assert_eq!(on_disk.len(), 1, "{on_disk:?}");
                let fix = &on_disk[0];
                assert!(
                    w.spec(fix)
                        .contains(&format!("# Fix rejection issues for {A}")),
                    "{}",
                    w.spec(fix)
                );
                assert!(disk.contains(&format!("depends_on:\n- {fix}\n")), "{disk}");
                let mut expected = vec![
                    (A.to_string(), "rejected: rejected by Test User".to_string()),
                    // This project's config names no default prompt and
                    // has no bootstrap.md: chant work would fail on it.
                    (
                        fix.clone(),
                        "refused: prompt not found: bootstrap".to_string(),
                    ),
                ];
                expected.sort();
                let mut specs = specs.clone();
                specs.sort();
                assert_eq!(specs, expected);
            }
            _ => {
                // A driver with one member per criterion.
                assert!(disk.contains("type: driver\n"), "{disk}");
                let mut members = on_disk.clone();
                members.sort();
                assert_eq!(members, [format!("{A}.1"), format!("{A}.2")]);
                assert!(w.spec(&format!("{A}.1")).contains("# Add the parser"));
                let ids: Vec<&str> = specs.iter().map(|(id, _)| id.as_str()).collect();
                for member in &members {
                    assert!(ids.contains(&member.as_str()), "{specs:?}");
                }
            }
        }
        w.shutdown();
    }
}

/// "Work with…": one lens beside "▶ Work"; the server asks which prompt
/// (`window/showMessageRequest`, one action per work prompt of the
/// project) and runs the real chant with the one chosen.
#[test]
fn work_with_asks_for_the_prompt_and_runs_chant_with_it() {
    let Some(w) = Walk::start("work_with_asks_for_the_prompt_and_runs_chant_with_it") else {
        return;
    };
    let criteria = [
        "Add hello.txt",
        "Add a greeting line",
        "Add a test",
        "Add a note",
    ];
    w.commit_specs(&[(A, &spec("Add the greeting", "", &criteria))]);
    w.agent_writes(A, &[("hello.txt", "hello\n")]);
    let uri = w.spec_uri(A);
    w.client.did_open_from_disk(&uri);
    w.client.wait_idle();
    let lenses = w.client.request_ok(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let titles: Vec<&str> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "pending · 0/4 · 🟢 Ready · ready",
            "▶ Work",
            "▶ Work with…",
            "⑃ Split"
        ]
    );
    let asked = w.answers.asked().len();
    w.answers.push(Some("standard"));
    let (answer, _) = w.run("chant.workWith", json!([uri]));
    assert_eq!(
        answer["arguments"],
        json!(["work", A, "--no-watch", "--prompt=standard"])
    );
    // The prompt first; the run's outcome (with its next steps) after.
    let questions = w.answers.asked();
    assert_eq!(
        questions[asked]["message"],
        format!("Work spec {A} with which prompt?")
    );
    let actions: Vec<&str> = questions[asked]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["research", "review", "standard"]);
    assert_eq!(
        w.chant_calls(),
        [["work", A, "--no-watch", "--prompt=standard"]]
    );
    assert!(w.spec(A).contains("status: completed"), "{}", w.spec(A));
    w.shutdown();
}

/// `chant/specStatus` carries chant's letters, and a spec chant grades
/// Refine is "refused", never "ready"; the real chant refuses to work it
/// without a terminal, as the reason says.
#[test]
fn spec_status_says_refine_and_chant_refuses_it() {
    let Some(w) = Walk::start("spec_status_says_refine_and_chant_refuses_it") else {
        return;
    };
    let criteria: Vec<String> = (1..=12).map(|i| format!("Add part {i}")).collect();
    let criteria: Vec<&str> = criteria.iter().map(String::as_str).collect();
    w.commit_specs(&[(A, &spec("Add the parts", "", &criteria))]);
    let uri = w.spec_uri(A);
    w.client.did_open_from_disk(&uri);
    w.client.wait_idle();
    let status = w
        .client
        .request_ok("chant/specStatus", json!({"textDocument": {"uri": uri}}));
    assert_eq!(status["readiness"], "refused", "{status}");
    assert_eq!(
        status["reason"],
        "Refine: complexity D (12 criteria) — Work anyway skips the quality check"
    );
    assert_eq!(
        status["quality"],
        json!({"light": "Refine", "complexity": "D", "confidence": "A", "splittability": "C",
               "acQuality": "A", "isolation": null, "summary": "Refine: complexity D (12 criteria)"})
    );
    // The real chant, run as the editor runs it (no terminal), refuses it.
    let (ok, said) = w.chant_status(&["work", A, "--no-watch"]);
    assert!(!ok, "{said}");
    assert!(
        said.contains("Cannot proceed in non-interactive mode with quality issues"),
        "{said}"
    );
    w.shutdown();
}
