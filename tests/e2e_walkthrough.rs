//! End-to-end: chant's whole walkthrough from the editor (add, work,
//! approve, merge, merge all, archive, archive by label, reset, cancel,
//! delete, verify, split, the agent's log, drivers), over JSON-RPC against
//! the built server and the REAL chant 0.23.2 (`tests/support/real_chant.rs`;
//! a test fails when it is absent, unless the run opted out with
//! `CHANT_LSP_SKIP_REAL_CHANT=1`), with a scripted agent named
//! `claude` on PATH, in temporary git repositories made by `chant init`
//! (`tests/walkthrough/harness.rs`).
//!
//! Tests wait for events (the end of a progress, messages, requests, the
//! server idle), never for time.

#[path = "walkthrough/harness.rs"]
mod harness;
mod support;

use harness::*;
use serde_json::{json, Value};
use support::*;

// ---------------------------------------------------------------------------
// add

#[test]
fn add_writes_the_spec_then_its_type_and_labels_and_shows_it() {
    let Some(w) = Walk::start("add_writes_the_spec_then_its_type_and_labels_and_shows_it") else {
        return;
    };
    let mark = w.client.mark();
    let (answer, progress) = w.run(
        "chant.add",
        json!([w.root_uri(), {
            "title": "-- Research the options",
            "type": "research",
            "prompt": "research",
            "labels": ["walk", "phase 1", "true"],
            "needsApproval": true
        }]),
    );
    assert_eq!(
        answer["arguments"],
        json!([
            "add",
            "--prompt=research",
            "--needs-approval",
            "--",
            "-- Research the options"
        ])
    );
    let id = w.chant_calls().len();
    assert_eq!(id, 1);
    let added: Vec<String> = std::fs::read_dir(w.ws.join(".chant/specs"))
        .unwrap()
        .flatten()
        .map(|e| {
            e.file_name()
                .to_string_lossy()
                .trim_end_matches(".md")
                .to_string()
        })
        .collect();
    assert_eq!(added.len(), 1, "{added:?}");
    let id = &added[0];
    assert!(id.starts_with(&format!("{}-001-", today())), "{id}");
    let uri = w.spec_uri(id);
    assert_eq!(progress[0]["title"], "chant add");
    assert_eq!(
        progress.last().unwrap()["message"],
        format!("added {id} ({})", w.spec_uri(id))
    );
    // chant's file, committed, plus the type and labels the editor set
    // (the test client writes edits of files that are not open to disk).
    assert_eq!(
        w.git(&["show", &format!("HEAD:.chant/specs/{id}.md")]),
        "---\ntype: code\nstatus: pending\nprompt: research\napproval:\n  required: true\n  status: pending\n---\n\n# -- Research the options\n"
    );
    assert_eq!(
        w.spec(id),
        "---\ntype: research\nstatus: pending\nlabels:\n- walk\n- phase 1\n- \"true\"\nprompt: research\napproval:\n  required: true\n  status: pending\n---\n\n# -- Research the options\n"
    );
    assert_eq!(
        w.git(&["log", "-1", "--format=%s"]).trim(),
        format!("chant: Add spec {id}")
    );
    let message = w.outcome_after(mark, "Added spec");
    assert_eq!(message["type"], 3);
    assert_eq!(
        message["message"],
        format!(
            "Added spec {id} ({uri}) (commit {}). Its `type: research` and `labels: [walk, phase 1, true]` are set in the editor, not saved yet (chant add has no flags for them, and chant committed the spec as it wrote it): save the file to keep them.",
            w.short("HEAD")
        )
    );
    // Shown, the cursor after the title.
    let shown = w.client.server_requests("window/showDocument");
    assert_eq!(
        shown,
        [json!({
            "uri": uri,
            "external": false,
            "takeFocus": true,
            "selection": range(13, 25, 13, 25)
        })]
    );
    w.shutdown();
}

#[test]
fn add_asks_for_a_missing_type_and_refuses_a_missing_title() {
    let Some(w) = Walk::start("add_asks_for_a_missing_type_and_refuses_a_missing_title") else {
        return;
    };
    // No title: refused, nothing runs (a title cannot be asked for).
    let refusal = w.refusal("chant.add", json!([w.root_uri(), {"type": "code"}]));
    assert_eq!(
        refusal,
        "A title is required to add a spec: pass it as {\"title\": \"...\"} in the second argument. The language server cannot ask for text (the protocol has no input box); the chant editor extensions ask for it."
    );
    // No type: asked; dismissed, nothing is added.
    let mark = w.client.mark();
    w.execute("chant.add", json!([w.root_uri(), {"title": "Greet"}]))
        .unwrap();
    let message = w.outcome_after(mark, "No spec was added");
    assert_eq!(
        message["message"],
        "No spec was added: no type was chosen for \"Greet\"."
    );
    assert_eq!(
        w.answers.asked()[0],
        json!({
            "type": 3,
            "message": "What type of spec is \"Greet\"?",
            "actions": [{"title": "code"}, {"title": "task"}, {"title": "research"}, {"title": "documentation"}, {"title": "driver"}, {"title": "group"}]
        })
    );
    assert!(w.chant_calls().is_empty());
    // Answered: that type.
    w.answers.push(Some("task"));
    let (_, progress) = w.run("chant.add", json!([w.root_uri(), {"title": "Greet"}]));
    let end = progress.last().unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    let id = end
        .strip_prefix("added ")
        .and_then(|r| r.split(' ').next())
        .unwrap()
        .to_string();
    assert_eq!(
        w.spec(&id),
        "---\ntype: task\nstatus: pending\n---\n\n# Greet\n"
    );
    assert_eq!(w.chant_calls(), [["add", "--", "Greet"]]);
    w.shutdown();
}

// ---------------------------------------------------------------------------
// work, merge

const A: &str = "2026-02-01-001-aaa";
const B: &str = "2026-02-01-002-bbb";
const C: &str = "2026-02-01-003-ccc";

/// What the outcome of a merge says when chant stopped on its own
/// bookkeeping in spec `id` and the editor merged it (the merge commit
/// found by its message).
fn bookkeeping_note(w: &Walk, id: &str) -> String {
    let commit = w.git(&[
        "log",
        "-1",
        "--format=%h",
        "--grep",
        &format!("^Merge chant/{id}$"),
    ]);
    format!(
        " chant stopped merging chant/{id} on its own bookkeeping in .chant/specs/{id}.md: the agent ticked the criteria on the branch, chant wrote the transcript and completion fields on the main branch. The editor merged it itself, with every criterion ticked on the branch and every line the main branch added since the agent started (8 lines), checked that chant reads the result, and committed \"Merge chant/{id}\" ({}).",
        commit.trim()
    )
}

#[test]
fn work_then_merge_cleanly() {
    let Some(w) = Walk::start("work_then_merge_cleanly") else {
        return;
    };
    w.commit_specs(&[(A, &spec("Add the greeting", "", &["hello.txt exists"]))]);
    w.agent_writes(A, &[("hello.txt", "hello\n")]);
    let uri = w.spec_uri(A);
    w.client.did_open_from_disk(&uri);
    let asked = w.answers.asked().len();
    let (answer, progress) = w.run("chant.work", json!([uri]));
    assert_eq!(answer["arguments"], json!(["work", A, "--no-watch"]));
    assert_eq!(progress.last().unwrap()["message"], "completed");
    let offer = offer_after(&w, asked);
    assert_eq!(
        offer["actions"],
        json!([{"title": "Review changes"}, {"title": "Apply agent changes"}, {"title": "Merge"}])
    );
    let commits: Vec<String> = w
        .git(&[
            "log",
            &format!("chant/{A}"),
            "--format=%h",
            "--grep",
            &format!("chant({A}):"),
            "--reverse",
        ])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(
        offer["message"],
        format!(
            "`chant work {A}` finished: the spec is completed (commits {}). The agent's changes are on branch chant/{A}, not in your checkout: \"Review changes\" shows what it changed, \"Apply agent changes\" brings them into the editor to edit, \"Merge\" merges the branch into main.",
            commits.join(", ")
        )
    );
    assert_eq!(w.client.buffer(&uri), w.spec(A));
    assert!(!w.ws.exists("hello.txt"));
    // Completed, its branch not merged: merge and verify are offered,
    // archive is refused with chant's reason.
    w.client.wait_for_diagnostics(&uri);
    assert_eq!(
        w.enabled_offers(&uri),
        [
            "Approve spec".to_string(),
            "Reject spec...".to_string(),
            format!("Review changes (chant/{A})"),
            format!("Apply agent changes (chant/{A})"),
            format!("Merge branch chant/{A}"),
            "Verify spec".to_string(),
            "Delete spec...".to_string(),
            "Show agent log".to_string(),
        ]
    );
    assert_eq!(
        w.disabled_reason(&uri, "Archive spec"),
        format!("Cannot archive spec '{A}': feature branch 'chant/{A}' has not been merged to main. Merge it first (\"Merge branch chant/{A}\"), or archive it anyway from a terminal with `chant archive {A} --force`.")
    );
    let mark = w.client.mark();
    let refreshes = w
        .client
        .server_requests("workspace/inlayHint/refresh")
        .len();
    let before = w.short("HEAD");
    let (answer, progress) = w.run("chant.merge", json!([uri]));
    // The spec's inlay hint said "chant is running": the client is asked
    // to request the hints again once the run is over.
    assert!(
        w.client
            .server_requests("workspace/inlayHint/refresh")
            .len()
            > refreshes,
        "no workspace/inlayHint/refresh after the run"
    );
    assert_eq!(answer["arguments"], json!(["merge", A, "--yes"]));
    let merged: Vec<String> = w
        .git(&[
            "log",
            "--reverse",
            "--format=%h",
            &format!("{before}..HEAD"),
        ])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(merged.len(), 3, "{merged:?}");
    assert_eq!(progress.last().unwrap()["message"], "merged");
    let message = w.outcome_after(mark, "Merged");
    // The agent ticked the criterion on its branch (as chant's prompt
    // says) while chant wrote the transcript after it on main: chant's
    // merge stops on that, and the editor merges the spec itself.
    assert_eq!(
        message["message"],
        format!(
            "Merged chant/{A} into main (commits {}). chant stopped merging chant/{A} on its own bookkeeping in .chant/specs/{A}.md: the agent ticked the criteria on the branch, chant wrote the transcript and completion fields on the main branch. The editor merged it itself, with every criterion ticked on the branch and every line the main branch added since the agent started (8 lines), checked that chant reads the result, and committed \"Merge chant/{A}\" ({}).",
            merged.join(", "),
            merged[2]
        )
    );
    assert_eq!(w.ws.read("hello.txt"), "hello\n");
    // Nothing lost: the main branch's spec (its transcript, its completion
    // fields) with the branch's tick; chant reads it and counts it done.
    let on_main = w.git(&["show", &format!("{before}:.chant/specs/{A}.md")]);
    assert_eq!(w.spec(A), on_main.trim_end());
    assert!(w.spec(A).contains("- [x] hello.txt exists"));
    assert!(w.spec(A).contains("## Agent Output"));
    assert!(!w.spec(A).contains("<<<<<<<"));
    assert_eq!(
        w.git(&["status", "--porcelain", "--untracked-files=no"]),
        ""
    );
    let lint: Value = serde_json::from_str(&w.chant(&["lint", "--format", "json"])).unwrap();
    assert_eq!(lint["failed"], 0, "{lint}");
    assert_eq!(w.client.buffer(&uri), w.spec(A));
    assert_eq!(
        w.git(&["log", "-1", "--format=%s"]).trim(),
        format!("Merge chant/{A}")
    );
    w.client.wait_for_diagnostics(&uri);
    let enabled = w.enabled_offers(&uri);
    assert!(enabled.contains(&"Archive spec".to_string()), "{enabled:?}");
    assert!(
        !enabled.iter().any(|t| t.starts_with("Merge branch")),
        "{enabled:?}"
    );
    assert_eq!(
        w.chant_calls(),
        [vec!["work", A, "--no-watch"], vec!["merge", A, "--yes"]]
    );
    w.shutdown();
}

#[test]
fn a_merge_with_conflicts_names_each_file_and_what_to_do() {
    let Some(w) = Walk::start("a_merge_with_conflicts_names_each_file_and_what_to_do") else {
        return;
    };
    w.commit_specs(&[(A, &spec("Reword the readme", "", &["README.md says hello"]))]);
    w.agent_writes(
        A,
        &[
            ("README.md", "# Demo\n\nhello from the agent\n"),
            ("notes.txt", "notes\n"),
        ],
    );
    let uri = w.spec_uri(A);
    w.run("chant.work", json!([uri]));
    // Meanwhile on main, the same line changed.
    w.ws.write("README.md", "# Demo\n\nhello from the user\n");
    w.git(&["commit", "-qam", "user edit"]);
    let head = w.short("HEAD");
    let asked = w.answers.asked().len();
    let (_, progress) = w.run("chant.merge", json!([uri]));
    assert_eq!(progress.last().unwrap()["message"], "conflicts");
    let offer = offer_after(&w, asked);
    assert_eq!(offer["type"], 1);
    assert_eq!(
        offer["message"],
        format!("`chant merge {A}` stopped: merging chant/{A} into main conflicts in .chant/specs/{A}.md, README.md. chant aborted the merge, so your checkout is as it was and chant/{A} keeps the agent's work. To merge by hand: `git merge chant/{A}`, resolve the conflicts in .chant/specs/{A}.md, README.md, `git add` them and run `git merge --continue` (or `git merge --abort`). Or let chant rebase the branch and resolve the conflicts with its agent: `chant merge {A} --rebase --auto`. Or \"Apply agent changes\" brings the branch's changes into the editor, merged with yours where they do not overlap.")
    );
    assert_eq!(offer["actions"], json!([{"title": "Apply agent changes"}]));
    // Nothing changed in the checkout; the offers stay.
    assert_eq!(w.short("HEAD"), head);
    assert_eq!(
        w.git(&["status", "--porcelain", "--untracked-files=no"]),
        ""
    );
    w.client.did_open_from_disk(&uri);
    w.client.wait_for_diagnostics(&uri);
    let enabled = w.enabled_offers(&uri);
    assert!(
        enabled.contains(&format!("Apply agent changes (chant/{A})")),
        "{enabled:?}"
    );
    assert!(
        enabled.contains(&format!("Merge branch chant/{A}")),
        "{enabled:?}"
    );
    // Merge All stops at the same spec and says so.
    let mark = w.client.mark();
    let (_, progress) = w.run("chant.mergeAll", json!([]));
    assert_eq!(progress.last().unwrap()["message"], "conflicts");
    assert_eq!(
        w.outcome_after(mark, "stopped at spec")["message"],
        format!("`chant merge --all` stopped at spec {A}: merging its branch into main conflicts in .chant/specs/{A}.md, README.md. chant aborted that merge, so your checkout is as it was. Merge {A} on its own (\"Merge branch\" on the spec, or `git merge` its branch and resolve .chant/specs/{A}.md, README.md by hand), or let chant rebase it and resolve the conflicts with its agent: `chant merge {A} --rebase --auto`. The specs after it were not merged: run Merge All again once it is.")
    );
    assert_eq!(w.short("HEAD"), head);
    w.shutdown();
}

// ---------------------------------------------------------------------------
// archive

#[test]
fn archive_is_refused_unmerged_then_moves_the_spec_and_its_dependents_follow() {
    let Some(w) =
        Walk::start("archive_is_refused_unmerged_then_moves_the_spec_and_its_dependents_follow")
    else {
        return;
    };
    w.commit_specs(&[
        (A, &spec("Add the greeting", "", &["hello.txt exists"])),
        (
            B,
            &spec(
                "Use the greeting",
                &format!("depends_on:\n- {A}\n"),
                &["it greets"],
            ),
        ),
    ]);
    let (a, b) = (w.spec_uri(A), w.spec_uri(B));
    w.run("chant.work", json!([a]));
    // Not merged yet: refused with chant's reason, nothing runs.
    let refusal = w.refusal("chant.archive", json!([a]));
    assert_eq!(
        refusal,
        format!("Cannot archive spec '{A}': feature branch 'chant/{A}' has not been merged to main. Merge it first (\"Merge branch chant/{A}\"), or archive it anyway from a terminal with `chant archive {A} --force`.")
    );
    assert_eq!(
        w.refusal("chant.archive", json!([b])),
        "chant archive archives only completed specs, and this one is pending: it would say \"No specs to archive.\" and do nothing."
    );
    w.run("chant.merge", json!([a]));
    // Both open: the archived spec's buffer must not keep it in the index.
    w.client.did_open_from_disk(&a);
    w.client.did_open_from_disk(&b);
    let codes = |diagnostics: &[Value]| -> Vec<String> {
        diagnostics
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    };
    // (chant grades the one-criterion spec Review: its quality hints.)
    assert_eq!(
        codes(&w.client.wait_for_diagnostics(&b)),
        [
            "chant/quality-confidence",
            "chant/quality-criteria",
            "chant/unchecked-criterion"
        ]
    );
    let mark = w.client.mark();
    let (answer, progress) = w.run("chant.archive", json!([a]));
    assert_eq!(answer["arguments"], json!(["archive", A]));
    assert_eq!(progress.last().unwrap()["message"], "archived");
    let archived = format!(".chant/archive/2026-02-01/{A}.md");
    assert_eq!(
        w.outcome_after(mark, "Archived")["message"],
        format!("Archived spec {A}: chant moved it to {archived}. chant did not commit the move (it saw other uncommitted changes, the move itself included): commit it when you are ready.")
    );
    assert!(!w.ws.exists(&Walk::spec_rel(A)));
    assert!(w.ws.exists(&archived));
    // The dependent's diagnostics, links and definitions follow the spec
    // into the archive.
    let diagnostics = w.client.wait_for_diagnostics_matching(&b, |d| {
        d.iter().any(|d| d["code"] == "chant/archived-dependency")
    });
    assert_eq!(
        codes(&diagnostics),
        [
            "chant/archived-dependency",
            "chant/quality-confidence",
            "chant/quality-criteria",
            "chant/unchecked-criterion"
        ],
        "{diagnostics:?}"
    );
    assert_eq!(diagnostics[0]["range"], w.client.range_of(&b, A));
    let at = w.client.position_of(&b, A);
    let definition = w.client.request_ok(
        "textDocument/definition",
        json!({"textDocument": {"uri": b}, "position": at}),
    );
    assert_eq!(definition["uri"], w.ws.uri(&archived));
    let links = w.client.request_ok(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": b}}),
    );
    assert!(
        links
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["target"] == w.ws.uri(&archived)),
        "{links}"
    );
    w.shutdown();
}

#[test]
fn archive_by_label_archives_each_completed_spec_and_says_why_not_the_others() {
    let Some(w) =
        Walk::start("archive_by_label_archives_each_completed_spec_and_says_why_not_the_others")
    else {
        return;
    };
    let labelled = |title: &str| spec(title, "labels:\n- walk\n", &["done"]);
    w.commit_specs(&[
        (A, &labelled("First")),
        (B, &labelled("Second")),
        (C, &labelled("Third")),
        ("2026-02-01-004-ddd", &spec("Fourth", "", &["done"])),
    ]);
    w.run("chant.work", json!([w.spec_uri(A)]));
    w.run("chant.merge", json!([w.spec_uri(A)]));
    w.run("chant.work", json!([w.spec_uri(B)]));
    w.run("chant.work", json!([w.spec_uri("2026-02-01-004-ddd")]));
    w.run("chant.merge", json!([w.spec_uri("2026-02-01-004-ddd")]));
    let mark = w.client.mark();
    let (answer, progress) = w.run(
        "chant.archiveByLabel",
        json!([w.root_uri(), {"label": "walk"}]),
    );
    assert_eq!(answer["arguments"], json!(["archive", A]));
    assert_eq!(answer["runs"], json!([["archive", A], ["archive", B]]));
    assert_eq!(progress[0]["title"], "chant archive (label walk)");
    assert_eq!(
        progress.last().unwrap()["message"],
        "archived 1, not archived 2"
    );
    assert_eq!(
        w.outcome_after(mark, "with label")["message"],
        format!("Archived 1 spec with label `walk`: {A}. Not archived: {C} (pending: chant archives only completed specs); {B} (Cannot archive spec '{B}': feature branch 'chant/{B}' has not been merged to main). chant did not commit the moves: commit them when you are ready.")
    );
    assert!(w.ws.exists(&format!(".chant/archive/2026-02-01/{A}.md")));
    assert!(w.ws.exists(&Walk::spec_rel(B)));
    assert!(w.ws.exists(&Walk::spec_rel("2026-02-01-004-ddd")));
    let calls = w.chant_calls();
    assert_eq!(
        &calls[calls.len() - 2..],
        [vec!["archive", A], vec!["archive", B]]
    );
    // A label no spec has, and labels that cannot be labels.
    assert_eq!(
        w.refusal("chant.archiveByLabel", json!([w.root_uri(), {"label": "nope"}])),
        "No spec in this project has the label `nope` (specs in .chant/specs with `labels:` holding it)."
    );
    assert_eq!(
        w.refusal(
            "chant.archiveByLabel",
            json!([w.root_uri(), {"label": "a---b"}])
        ),
        "Invalid label: \"a---b\" holds `---`, where chant would end the frontmatter."
    );
    // Helix runs a command picked from its list with no arguments: the
    // workspace's only project is meant, and the label is asked.
    // (The archive's moves committed first: chant merges into a clean tree.)
    w.git(&["add", "-A"]);
    w.git(&["commit", "-qm", "Archive the walk"]);
    let (answer, _) = w.run("chant.mergeAll", json!([]));
    assert_eq!(answer["arguments"], json!(["merge", "--all", "--yes"]));
    let before = w.answers.asked().len();
    w.answers.push(Some("walk"));
    let (answer, _) = w.run("chant.archiveByLabel", json!([]));
    let asked = &w.answers.asked()[before];
    assert_eq!(
        asked["message"],
        "Archive the completed specs with which label?"
    );
    assert_eq!(asked["actions"], json!([{"title": "walk"}]));
    assert_eq!(answer["arguments"], json!(["archive", B]));
    assert!(w.ws.exists(&format!(".chant/archive/2026-02-01/{B}.md")));
    w.shutdown();
}

// ---------------------------------------------------------------------------
// reset, cancel, delete

#[test]
fn a_failed_spec_is_reset_and_worked_again_with_another_prompt() {
    let Some(w) = Walk::start("a_failed_spec_is_reset_and_worked_again_with_another_prompt") else {
        return;
    };
    w.commit_specs(&[(A, &spec("Add the greeting", "", &["hello.txt exists"]))]);
    let uri = w.spec_uri(A);
    assert_eq!(
        w.refusal("chant.reset", json!([uri])),
        format!("Spec '{A}' is not in failed or in_progress state (current: Pending): chant reset only resets failed specs.")
    );
    w.agent_mode(A, "fail");
    let mark = w.client.mark();
    let (_, progress) = w.run("chant.work", json!([uri]));
    assert_eq!(progress.last().unwrap()["message"], "failed");
    assert_eq!(
        w.outcome_after(mark, "failed")["message"],
        format!("`chant work {A}` failed (exit code 1): Error: Agent exited with status: exit status: 1\n\nStderr:\nagent: failing on purpose. chant leaves behind the spec with `status: failed`, the worktree /tmp/chant-{}-{A} and the branch chant/{A}. \"Reset spec\" puts it back to `pending`. Remove the worktree with `git worktree remove --force /tmp/chant-{}-{A}` when you no longer need it. The branch holds the agent's work so far (delete it with `git branch -D chant/{A}`).", w.name, w.name)
    );
    w.client.did_open_from_disk(&uri);
    w.client.wait_for_diagnostics(&uri);
    let enabled = w.enabled_offers(&uri);
    assert!(
        enabled.contains(&"Reset and work again".to_string()),
        "{enabled:?}"
    );
    assert!(enabled.contains(&"Reset spec".to_string()), "{enabled:?}");
    w.agent_mode(A, "ok");
    let asked = w.answers.asked().len();
    let (answer, progress) = w.run(
        "chant.reset",
        json!([uri, {"work": true, "prompt": "review"}]),
    );
    assert_eq!(
        answer["runs"],
        json!([["reset", A], ["work", A, "--no-watch", "--prompt=review"]])
    );
    assert_eq!(progress[0]["title"], format!("chant reset {A} and work"));
    assert_eq!(progress.last().unwrap()["message"], "completed");
    let message = offer_after(&w, asked);
    assert!(
        message["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Reset spec {A}: its status is pending. `chant work {A}` finished: the spec is completed (commits ")),
        "{message}"
    );
    assert!(
        w.agent_prompt(A)
            .starts_with(&format!("TASK: work (review) on {A}")),
        "{}",
        w.agent_prompt(A)
    );
    assert_eq!(w.agent_runs(), [A, A]);
    assert_eq!(w.client.buffer(&uri), w.spec(A));
    assert!(w.spec(A).contains("status: completed"));
    w.shutdown();
}

#[test]
fn cancel_is_soft_and_delete_needs_the_users_confirmation() {
    let Some(w) = Walk::start("cancel_is_soft_and_delete_needs_the_users_confirmation") else {
        return;
    };
    w.commit_specs(&[
        (A, &spec("First", "", &["done"])),
        (
            B,
            &spec("Second", &format!("depends_on:\n- {A}\n"), &["done"]),
        ),
        (C, &spec("Third", "", &["done"])),
    ]);
    // A spec others depend on: refused, as chant refuses it.
    assert_eq!(
        w.refusal("chant.cancel", json!([w.spec_uri(A)])),
        format!("Spec '{A}' is a dependency for: {B}. chant cancel refuses it (its `--skip-checks` overrides that, from a terminal); remove it from their `depends_on` first.")
    );
    let mark = w.client.mark();
    let (answer, progress) = w.run("chant.cancel", json!([w.spec_uri(B)]));
    assert_eq!(answer["arguments"], json!(["cancel", B, "--yes"]));
    assert_eq!(progress.last().unwrap()["message"], "cancelled");
    assert_eq!(
        w.outcome_after(mark, "Cancelled")["message"],
        format!("Cancelled spec {B} (`status: cancelled`); the file stays, uncommitted.")
    );
    assert_eq!(
        w.spec(B),
        format!("---\ntype: code\nstatus: cancelled\ndepends_on:\n- {A}\n---\n# Second\n\n## Acceptance Criteria\n\n- [ ] done")
    );
    assert_eq!(
        w.refusal("chant.cancel", json!([w.spec_uri(B)])),
        format!("Spec '{B}' is already cancelled.")
    );
    // Delete: asked first; without "Delete" nothing runs.
    let calls = w.chant_calls().len();
    let mark = w.client.mark();
    let answer = w
        .execute("chant.cancel", json!([w.spec_uri(C), {"delete": true}]))
        .unwrap();
    assert_eq!(answer["confirmation"], true);
    assert_eq!(
        answer["arguments"],
        json!(["cancel", C, "--yes", "--delete"])
    );
    assert_eq!(
        w.outcome_after(mark, "not deleted")["message"],
        format!("Spec {C} was not deleted.")
    );
    let question = w.answers.asked().last().unwrap().clone();
    assert_eq!(
        question,
        json!({
            "type": 2,
            "message": format!("Delete spec {C}? chant cancel --delete removes .chant/specs/{C}.md and its agent log from disk (the deletion is not committed; git still has the committed file)."),
            "actions": [{"title": "Delete"}, {"title": "Cancel"}]
        })
    );
    assert_eq!(w.chant_calls().len(), calls);
    assert!(w.ws.exists(&Walk::spec_rel(C)));
    w.answers.push(Some("Delete"));
    let mark = w.client.mark();
    let (_, progress) = w.run("chant.cancel", json!([w.spec_uri(C), {"delete": true}]));
    assert_eq!(progress.last().unwrap()["message"], "deleted");
    assert_eq!(
        w.outcome_after(mark, "Deleted")["message"],
        format!("Deleted spec {C}: chant removed .chant/specs/{C}.md and its log (not committed).")
    );
    assert!(!w.ws.exists(&Walk::spec_rel(C)));
    assert_eq!(
        w.chant_calls().last().unwrap(),
        &["cancel", C, "--yes", "--delete"]
    );
    w.shutdown();
}

// ---------------------------------------------------------------------------
// verify, split, the log

#[test]
fn verify_split_and_the_agents_log() {
    let Some(w) = Walk::start("verify_split_and_the_agents_log") else {
        return;
    };
    w.commit_specs(&[
        (
            A,
            &spec(
                "Add the greeting",
                "",
                &["hello.txt exists", "it is tested"],
            ),
        ),
        (
            B,
            &spec(
                "Greet everyone",
                "",
                &["it greets", "it has tests", "it is documented"],
            ),
        ),
    ]);
    let (a, b) = (w.spec_uri(A), w.spec_uri(B));
    assert_eq!(
        w.refusal("chant.showLog", json!([a])),
        format!("There is no agent log for spec {A} (.chant/logs/{A}.log): chant writes it when the agent runs (\"Work this spec\").")
    );
    assert_eq!(
        w.refusal("chant.verify", json!([a])),
        format!("Spec {A} is not completed (status: pending): chant verify checks only completed specs.")
    );
    w.run("chant.work", json!([a]));
    // The log.
    let answer = w.execute("chant.showLog", json!([a])).unwrap();
    let log_uri = w.ws.uri(&format!(".chant/logs/{A}.log"));
    assert_eq!(
        answer,
        json!({"uri": log_uri, "shown": true, "running": false})
    );
    assert_eq!(
        w.client
            .server_requests("window/showDocument")
            .last()
            .unwrap(),
        &json!({"uri": log_uri, "external": false, "takeFocus": true})
    );
    let log = w.ws.read(&format!(".chant/logs/{A}.log"));
    assert!(log.contains(&format!("agent: done with {A}")), "{log}");
    // Verify.
    let mark = w.client.mark();
    let (answer, progress) = w.run("chant.verify", json!([a]));
    assert_eq!(answer["arguments"], json!(["verify", A]));
    assert_eq!(progress.last().unwrap()["message"], "passed");
    assert_eq!(
        w.outcome_after(mark, "Verified")["message"],
        format!(
            "Verified spec {A}: every acceptance criterion passed (`verification_status: passed`)."
        )
    );
    let verified = normalize(&w.spec(A));
    assert!(
        verified.contains("last_verified: <UTC>\nverification_status: passed\n"),
        "{verified}"
    );
    // Split.
    let mark = w.client.mark();
    let (answer, progress) = w.run("chant.split", json!([b]));
    assert_eq!(answer["arguments"], json!(["split", B]));
    assert_eq!(progress.last().unwrap()["message"], "split into 2");
    assert_eq!(
        w.outcome_after(mark, "Split spec")["message"],
        format!("Split spec {B} into 2 members: {B}.1, {B}.2. {B} is now of type group. The new files are not committed.")
    );
    assert!(
        w.spec(B).starts_with(&format!(
            "---\ntype: group\nstatus: pending\ndepends_on:\n- {B}.1\n- {B}.2\n"
        )),
        "{}",
        w.spec(B)
    );
    assert!(w
        .spec(&format!("{B}.1"))
        .contains(&format!("# Part 1 of {B}")));
    assert_eq!(
        w.refusal("chant.split", json!([b])),
        format!("chant split refuses it: \"Cannot split blocked spec\" (chant counts it as blocked: it waits for dependencies or approval). Only pending specs are split.")
    );
    w.shutdown();
}

// ---------------------------------------------------------------------------
// the whole walkthrough

#[test]
fn the_whole_walkthrough() {
    let Some(w) = Walk::start("the_whole_walkthrough") else {
        return;
    };
    let root = w.root_uri();
    // 1. A spec per phase, each added from the editor.
    let (_, p) = w.run(
        "chant.add",
        json!([root, {"title": "Research the greeting", "type": "research", "labels": ["walk"]}]),
    );
    let research = added_id(&p);
    let (_, p) = w.run(
        "chant.add",
        json!([root, {"title": "Implement the greeting", "type": "code", "labels": ["walk"], "needsApproval": true}]),
    );
    let implement = added_id(&p);
    let (_, p) = w.run(
        "chant.add",
        json!([root, {"title": "Review the greeting", "type": "task", "labels": ["walk"]}]),
    );
    let review = added_id(&p);
    assert_eq!(
        w.spec(&research),
        "---\ntype: research\nstatus: pending\nlabels:\n- walk\n---\n\n# Research the greeting\n"
    );
    assert_eq!(
        w.spec(&implement),
        "---\ntype: code\nstatus: pending\nlabels:\n- walk\napproval:\n  required: true\n  status: pending\n---\n\n# Implement the greeting\n"
    );
    assert_eq!(
        w.spec(&review),
        "---\ntype: task\nstatus: pending\nlabels:\n- walk\n---\n\n# Review the greeting\n"
    );
    assert_eq!(w.client.server_requests("window/showDocument").len(), 3);

    // 2. The user writes them: criteria, dependencies, sources.
    let (r, i, v) = (
        w.spec_uri(&research),
        w.spec_uri(&implement),
        w.spec_uri(&review),
    );
    edit_and_save(
        &w,
        &r,
        "---\ntype: research\nstatus: pending\nlabels:\n- walk\ninformed_by:\n- README.md\norigin:\n- README.md\ntarget_files:\n- notes.md\n---\n\n# Research the greeting\n\n## Acceptance Criteria\n\n- [ ] notes.md lists the options\n",
    );
    edit_and_save(
        &w,
        &i,
        &format!("---\ntype: code\nstatus: pending\ndepends_on:\n- {research}\nlabels:\n- walk\napproval:\n  required: true\n  status: pending\n---\n\n# Implement the greeting\n\n## Acceptance Criteria\n\n- [ ] hello.txt greets\n"),
    );
    edit_and_save(
        &w,
        &v,
        &format!("---\ntype: task\nstatus: pending\ndepends_on:\n- {implement}\nlabels:\n- walk\n---\n\n# Review the greeting\n\n## Acceptance Criteria\n\n- [ ] review.md says yes\n"),
    );
    w.git(&["commit", "-qam", "the walkthrough's specs"]);
    assert_eq!(
        w.disabled_reason(&i, "Work this spec"),
        "This spec requires approval before work can begin (`approval.required: true`): approve it first (\"Approve spec\")."
    );
    w.agent_writes(&research, &[("notes.md", "# Options\n\n- say hello\n")]);
    w.agent_writes(&implement, &[("hello.txt", "hello\n")]);
    w.agent_writes(&review, &[("review.md", "yes\n")]);

    // 3. Research, with the research prompt.
    let (answer, p) = w.run("chant.work", json!([r, {"prompt": "research"}]));
    assert_eq!(
        answer["arguments"],
        json!(["work", research, "--no-watch", "--prompt=research"])
    );
    assert_eq!(p.last().unwrap()["message"], "completed");
    // chant's prompt, then the worktree chant describes to the agent.
    let prompt = w.agent_prompt(&research);
    assert!(
        prompt.starts_with(&format!(
            "TASK: work (research) on {research}: Research the greeting\n\n## Execution Environment\n\nYou are running in an **isolated worktree**:\n- **Working directory:** `/tmp/chant-{}-{research}`\n- **Branch:** `chant/{research}`\n",
            w.name
        )),
        "{prompt}"
    );
    let commits = branch_commits(&w, &research);
    assert_eq!(commits.len(), 2);
    assert_eq!(
        normalize(&w.spec(&research)),
        format!("---\ntype: research\nstatus: completed\nlabels:\n- walk\ntarget_files:\n- notes.md\nbranch: chant/{research}\ncommits:\n- {}\n- {}\ncompleted_at: <UTC>\ninformed_by:\n- README.md\norigin:\n- README.md\n---\n# Research the greeting\n\n## Acceptance Criteria\n\n- [x] notes.md lists the options\n\n## Agent Output\n\n<UTC>\n\n```\nagent: working on {research}\nagent: done with {research}```\n", yaml_scalar(&commits[0]), yaml_scalar(&commits[1]))
    );
    assert_eq!(w.client.buffer(&r), w.spec(&research));

    // 4. Approve the implementation, then work it.
    let mark = w.client.mark();
    let (answer, p) = w.run("chant.approve", json!([i, {"by": "Ada Lovelace"}]));
    assert_eq!(
        answer["arguments"],
        json!(["approve", implement, "--by=Ada Lovelace"])
    );
    assert_eq!(p.last().unwrap()["message"], "approved");
    assert_eq!(
        w.outcome_after(mark, "Approved")["message"],
        format!(
            "Approved spec {implement} as Ada Lovelace (commit {}).",
            w.short("HEAD")
        )
    );
    assert_eq!(
        normalize(&w.spec(&implement)),
        // chant writes the status it computed when it loaded the spec
        // (blocked: it needed approval then).
        format!("---\ntype: code\nstatus: blocked\ndepends_on:\n- {research}\nlabels:\n- walk\napproval:\n  required: true\n  status: approved\n  by: Ada Lovelace\n  at: <UTC>\n---\n# Implement the greeting\n\n## Acceptance Criteria\n\n- [ ] hello.txt greets\n\n## Approval Discussion\n\n**Ada Lovelace** - <LOCAL> - APPROVED")
    );
    assert_eq!(w.client.buffer(&i), w.spec(&implement));
    let (_, p) = w.run("chant.work", json!([i]));
    assert_eq!(p.last().unwrap()["message"], "completed");
    // chant's own standard prompt, as `chant init` wrote it.
    let prompt = w.agent_prompt(&implement);
    assert!(prompt.starts_with("# Execute Spec\n"), "{prompt}");
    assert!(
        prompt.contains(&format!(
            "**Check off** each acceptance criterion in `.chant/specs/{implement}.md`"
        )),
        "{prompt}"
    );

    // 5. Review, with the review prompt.
    let (_, p) = w.run("chant.work", json!([v, {"prompt": "review"}]));
    assert_eq!(p.last().unwrap()["message"], "completed");
    assert!(w.agent_prompt(&review).starts_with("TASK: work (review)"));
    assert_eq!(
        w.agent_runs(),
        [research.clone(), implement.clone(), review.clone()]
    );
    for id in [&research, &implement, &review] {
        assert!(w.spec(id).contains("status: completed"), "{id}");
    }
    assert!(!w.ws.exists("hello.txt"));

    // 6. Merge them all.
    let before = w.short("HEAD");
    let mark = w.client.mark();
    let (answer, p) = w.run("chant.mergeAll", json!([root]));
    assert_eq!(answer["arguments"], json!(["merge", "--all", "--yes"]));
    assert_eq!(p.last().unwrap()["message"], "merged 3");
    let merged: Vec<String> = w
        .git(&[
            "log",
            "--reverse",
            "--format=%h",
            &format!("{before}..HEAD"),
        ])
        .lines()
        .map(str::to_string)
        .collect();
    // The research and review specs end with their criteria: chant's
    // transcript lands right after the agent's ticks, chant's merge stops,
    // and the editor merges those two itself. The implementation spec ends
    // with its approval discussion and merges cleanly.
    // (in the order chant merged them: it reads the specs in the order the
    // file system lists them)
    let mut resolved = [research.clone(), review.clone()];
    let order = w.git(&[
        "log",
        "--reverse",
        "--format=%s",
        &format!("{before}..HEAD"),
    ]);
    resolved.sort_by_key(|id| order.find(&format!("Merge chant/{id}")));
    assert_eq!(
        w.outcome_after(mark, "Merged 3")["message"],
        format!(
            "Merged 3 branches into main: {research}, {implement}, {review} ({} new commits).{}{}",
            merged.len(),
            bookkeeping_note(&w, &resolved[0]),
            bookkeeping_note(&w, &resolved[1])
        )
    );
    assert_eq!(w.ws.read("notes.md"), "# Options\n\n- say hello\n");
    assert_eq!(w.ws.read("hello.txt"), "hello\n");
    assert_eq!(w.ws.read("review.md"), "yes\n");

    // 7. Archive the phase by its label.
    let mark = w.client.mark();
    let (answer, p) = w.run("chant.archiveByLabel", json!([root, {"label": "walk"}]));
    let mut ids = vec![research.clone(), implement.clone(), review.clone()];
    ids.sort();
    assert_eq!(
        answer["runs"],
        json!(ids
            .iter()
            .map(|id| vec!["archive".to_string(), id.clone()])
            .collect::<Vec<_>>())
    );
    assert_eq!(p.last().unwrap()["message"], "archived 3, not archived 0");
    assert_eq!(
        w.outcome_after(mark, "with label")["message"],
        format!("Archived 3 specs with label `walk`: {}. chant did not commit the moves: commit them when you are ready.", ids.join(", "))
    );
    for id in &ids {
        assert!(!w.ws.exists(&Walk::spec_rel(id)), "{id}");
        assert!(
            w.ws.exists(&format!(".chant/archive/{}/{id}.md", today())),
            "{id}"
        );
    }
    // Every call chant got, in order.
    let calls = w.chant_calls();
    let verbs: Vec<&str> = calls.iter().map(|c| c[0].as_str()).collect();
    assert_eq!(
        verbs,
        [
            // `chant merge --all` again after each spec the editor merged.
            "add", "add", "add", "work", "approve", "work", "work", "merge", "merge", "merge",
            "archive", "archive", "archive"
        ]
    );
    w.shutdown();
}

// ---------------------------------------------------------------------------
// drivers

const D: &str = "2026-02-01-009-drv";

fn driver_project(w: &Walk) {
    let member = |n: u32| {
        spec(
            &format!("Member {n}"),
            "",
            &[&format!("member {n} is done")],
        )
    };
    let (m1, m2, m3) = (member(1), member(2), member(3));
    let (d1, d2, d3) = (format!("{D}.1"), format!("{D}.2"), format!("{D}.3"));
    w.commit_specs(&[
        (
            D,
            "---\ntype: driver\nstatus: pending\n---\n# The driver\n\nDrive the three members.\n",
        ),
        (&d1, &m1),
        (&d2, &m2),
        (&d3, &m3),
    ]);
}

#[test]
fn working_a_driver_runs_its_members_as_a_chain() {
    let Some(w) = Walk::start("working_a_driver_runs_its_members_as_a_chain") else {
        return;
    };
    driver_project(&w);
    let mark = w.client.mark();
    let (answer, progress) = w.run("chant.work", json!([w.spec_uri(D)]));
    assert_eq!(answer["arguments"], json!(["work", D, "--no-watch"]));
    assert_eq!(
        progress.last().unwrap()["message"],
        "3 members: 3 completed, 0 failed"
    );
    // The progress names the member chant works on.
    let reports: Vec<String> = progress
        .iter()
        .filter(|p| p["kind"] == "report")
        .map(|p| p["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        reports.iter().any(|r| r.starts_with(&format!("{D}.2: "))),
        "{reports:?}"
    );
    assert_eq!(
        w.outcome_after(mark, "as a chain")["message"],
        format!("`chant work {D}` ran the spec's 3 members as a chain. Members: {D}.1 completed, {D}.2 completed and {D}.3 completed.")
    );
    assert_eq!(
        w.agent_runs(),
        [format!("{D}.1"), format!("{D}.2"), format!("{D}.3")]
    );
    assert!(w.spec(D).contains("status: completed"));
    w.shutdown();
}

#[test]
fn a_chain_that_loops_after_a_failed_member_is_stopped() {
    let Some(w) = Walk::start("a_chain_that_loops_after_a_failed_member_is_stopped") else {
        return;
    };
    driver_project(&w);
    w.agent_mode(&format!("{D}.2"), "fail");
    let mark = w.client.mark();
    let (_, progress) = w.run("chant.work", json!([w.spec_uri(D)]));
    assert_eq!(
        progress.last().unwrap()["message"],
        "stopped: chant was looping"
    );
    let message = w.outcome_after(mark, "kept skipping");
    assert!(
        message["message"].as_str().unwrap().starts_with(&format!(
            "`chant work {D}` kept skipping the rest of the group after a member failed, without end (chant 0.23.2's chain loops there), so it was stopped: chant and the processes it started were killed. Members: {D}.1 completed, {D}.2 failed and {D}.3 not run (pending)."
        )),
        "{message}"
    );
    // The flood reached the log once, with its count.
    let log: Vec<String> = w
        .client
        .notifications("window/logMessage")
        .iter()
        .filter_map(|p| p["message"].as_str().map(str::to_string))
        .collect();
    let skips = log
        .iter()
        .filter(|l| l.contains(&format!("Skipping {D}.2: group {D} has failures")))
        .count();
    assert!(skips < 10, "{skips} skip lines logged");
    assert!(
        log.iter().any(|l| l.contains("(the line above, ")),
        "{log:?}"
    );
    w.shutdown();
}

// ---------------------------------------------------------------------------
// while chant runs

/// The hover on `status` of a spec chant runs for.
fn status_hover(w: &Walk, uri: &str) -> String {
    let at = w.client.position_of(uri, "status");
    let hover = w.client.request_ok(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": at}),
    );
    hover["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[test]
fn while_chant_runs_the_spec_says_so_and_shows_the_agents_log() {
    let Some(w) = Walk::start("while_chant_runs_the_spec_says_so_and_shows_the_agents_log") else {
        return;
    };
    w.commit_specs(&[
        (A, &spec("Add the greeting", "", &["hello.txt exists"])),
        (
            B,
            &spec(
                "Use the greeting",
                &format!("depends_on:\n- {A}\n"),
                &["it greets"],
            ),
        ),
    ]);
    let (a, b) = (w.spec_uri(A), w.spec_uri(B));
    w.client.did_open_from_disk(&b);
    // Readiness, before anything runs: on the hover and after `status:`.
    let hover = status_hover(&w, &b);
    assert!(
        hover.ends_with(&format!(
            "**For chant:** blocked: waiting for {A} (pending)."
        )),
        "{hover}"
    );
    let hints = |uri: &str| -> Vec<String> {
        w.client
            .request_ok(
                "textDocument/inlayHint",
                json!({"textDocument": {"uri": uri}, "range": range(0, 0, 20, 0)}),
            )
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["label"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        hints(&b),
        [
            format!("blocked: waiting for {A} (pending)"),
            "Add the greeting · pending".to_string()
        ]
    );
    // A run that hangs in its agent.
    w.agent_mode(A, "hang");
    w.client.did_open_from_disk(&a);
    let answer = w.execute("chant.work", json!([a])).unwrap();
    let token = answer["token"].as_str().unwrap().to_string();
    let log = format!(".chant/logs/{A}.log");
    wait_for(|| w.ws.exists(&log) && w.ws.read(&log).contains("agent: hanging"));
    let hover = status_hover(&w, &a);
    assert!(
        hover.contains(&format!("chant is running for this spec. The last lines of the agent's log (`{log}`):\n\n```text\n")),
        "{hover}"
    );
    assert!(
        hover.contains(&format!("agent: working on {A}\nagent: hanging\n```")),
        "{hover}"
    );
    assert_eq!(hints(&a), ["chant is running"]);
    // Cancelled from its progress: chant and the agent stop.
    w.client
        .notify("window/workDoneProgress/cancel", json!({"token": token}));
    let progress = w.client.wait_for_progress_end(token.as_str(), RUN_TIMEOUT);
    assert_eq!(progress.last().unwrap()["message"], "cancelled");
    w.client.wait_idle();
    assert!(!status_hover(&w, &a).contains("chant is running"));
    w.shutdown();
}

/// Waits until `ready` holds (files chant writes as it goes).
fn wait_for(ready: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + RUN_TIMEOUT;
    while !ready() {
        assert!(std::time::Instant::now() < deadline, "timed out");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// An agent that commits everything (`git add -A`, as "verify git status is
/// clean" invites) commits the deletions of the other specs chant removed
/// from its worktree. Merged, they would delete those specs from main, or
/// conflict where main changed them: the editor keeps them and says so.
#[test]
fn a_merge_keeps_the_specs_an_agent_that_commits_everything_deleted() {
    let Some(w) = Walk::start("a_merge_keeps_the_specs_an_agent_that_commits_everything_deleted")
    else {
        return;
    };
    w.commit_specs(&[
        (A, &spec("Add the greeting", "", &["hello.txt exists"])),
        (B, &spec("Write the docs", "", &["docs exist"])),
        (C, &spec("Add a test", "", &["a test exists"])),
    ]);
    w.agent_writes(A, &[("hello.txt", "hello\n")]);
    w.agent_mode(A, "commit-all");
    let uri = w.spec_uri(A);
    w.run("chant.work", json!([uri]));
    // The branch really deletes B and C (what chant's worktree isolation
    // and the agent's `git add -A` made of them).
    let deleted = w.git(&[
        "diff",
        "--name-only",
        "--diff-filter=D",
        &format!("main...chant/{A}"),
    ]);
    assert_eq!(
        deleted.lines().collect::<Vec<_>>(),
        [Walk::spec_rel(B), Walk::spec_rel(C)]
    );
    // Meanwhile main changes C: merging the deletion would conflict
    // (modify/delete); B, unchanged, would silently go.
    let c_text = w.spec(C).replace("Add a test", "Add a regression test");
    w.ws.write(&Walk::spec_rel(C), &c_text);
    w.git(&["commit", "-qam", "retitle C"]);
    let (b_text, c_text) = (w.spec(B), w.spec(C));
    let mark = w.client.mark();
    let (_, progress) = w.run("chant.merge", json!([uri]));
    assert_eq!(progress.last().unwrap()["message"], "merged");
    let message = w.outcome_after(mark, "Merged")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains(&format!(
            " chant/{A} deleted 2 other specs that chant had only removed from the agent's worktree ({}, {}): the editor restored them on the branch before merging, so they are kept on the main branch.",
            Walk::spec_rel(B),
            Walk::spec_rel(C)
        )),
        "{message}"
    );
    assert_eq!(w.spec(B), b_text);
    assert_eq!(w.spec(C), c_text);
    assert_eq!(w.ws.read("hello.txt"), "hello\n");
    assert_eq!(
        w.git(&["status", "--porcelain", "--untracked-files=no"]),
        ""
    );
    // The restoring commit is on the branch, named for what it did.
    let subject = w.git(&["log", "-1", "--format=%s", &format!("chant/{A}")]);
    assert_eq!(subject.trim(), format!("Keep the specs chant/{A} deleted"));
    w.shutdown();
}

/// "Apply agent changes" writes the branch's files into the checkout;
/// merging the branch then finds them in its way. Those identical to the
/// branch's are put back; one the user changed since stops the merge
/// before chant runs, and "Stash them and merge" stashes it and merges.
#[test]
fn apply_then_merge() {
    for mode in ["ok", "commit-all"] {
        let Some(w) = Walk::start(&format!("apply_then_merge_{}", mode.replace('-', "_"))) else {
            return;
        };
        w.commit_specs(&[
            (A, &spec("Add the greeting", "", &["hello.txt exists"])),
            (B, &spec("Add the farewell", "", &["bye.txt exists"])),
        ]);
        w.agent_mode(A, mode);
        w.agent_mode(B, mode);
        w.agent_writes(A, &[("hello.txt", "hello\n")]);
        w.agent_writes(B, &[("bye.txt", "bye\n")]);
        let (a, b) = (w.spec_uri(A), w.spec_uri(B));
        w.run("chant.work", json!([a]));
        w.run("chant.work", json!([b]));
        // Apply both; the user then changes bye.txt.
        for uri in [&a, &b] {
            let answer = w.execute("chant.applyAgentChanges", json!([uri])).unwrap();
            assert_eq!(answer["started"], true, "{answer}");
            w.client.wait_idle();
        }
        assert_eq!(w.ws.read("hello.txt"), "hello\n", "{mode}");
        w.ws.write("bye.txt", "bye, edited\n");
        // Merging A: hello.txt is the branch's, out of the way.
        let mark = w.client.mark();
        let (_, progress) = w.run("chant.merge", json!([a]));
        let message = w.outcome_after(mark, "erge")["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            progress.last().unwrap()["message"],
            "merged",
            "{mode}: {message}"
        );
        assert!(
            message.contains(" Put back 1 file \"Apply agent changes\" had written, identical to the branch's (the merge wrote them again): hello.txt."),
            "{mode}: {message}"
        );
        assert_eq!(w.ws.read("hello.txt"), "hello\n");
        // Merging B: bye.txt differs, nothing merges, chant is not run.
        let calls = w.chant_calls().len();
        let asked = w.answers.asked().len();
        w.answers.push(Some("Stash them and merge"));
        let (answer, progress) = w.run("chant.merge", json!([b]));
        assert_eq!(progress.last().unwrap()["message"], "files in the way");
        let offer = offer_after(&w, asked);
        assert_eq!(
            offer["message"],
            format!("Merging chant/{B} would overwrite 1 file in your checkout that differ from the branch's (bye.txt): probably \"Apply agent changes\" brought them in and you changed them since. Nothing was merged. Commit or stash them, or \"Stash them and merge\" (`git stash pop` brings them back afterwards).")
        );
        assert_eq!(offer["actions"], json!([{"title": "Stash them and merge"}]));
        // The offer taken: stashed, merged (another run, its own progress).
        let first = answer["token"].clone();
        let title = format!("chant merge {B}");
        let begin = w.client.wait_for_notification(
            "$/progress",
            |p| {
                p["token"] != first
                    && p.pointer("/value/kind").and_then(Value::as_str) == Some("begin")
                    && p.pointer("/value/title").and_then(Value::as_str) == Some(title.as_str())
            },
            RUN_TIMEOUT,
        );
        let p = w
            .client
            .wait_for_progress_end(begin["token"].clone(), RUN_TIMEOUT);
        assert_eq!(p.last().unwrap()["message"], "merged");
        w.client.wait_idle();
        let merges: Vec<Vec<String>> = w.chant_calls()[calls..].to_vec();
        assert_eq!(
            merges,
            [vec![
                "merge".to_string(),
                B.to_string(),
                "--yes".to_string()
            ]]
        );
        assert_eq!(w.ws.read("bye.txt"), "bye\n");
        let stash = w.git(&["stash", "list"]);
        assert!(
            stash.contains(&format!("chant-lsp: in the way of merging chant/{B}")),
            "{stash}"
        );
        w.git(&["checkout", "stash@{0}^3", "--", "bye.txt"]);
        assert_eq!(
            w.ws.read("bye.txt"),
            "bye, edited\n",
            "the user's version is in the stash"
        );
        w.shutdown();
    }
}
