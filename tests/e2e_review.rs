//! End to end: "Review changes" over JSON-RPC against the built server and
//! the REAL chant 0.23.2 with the scripted agent
//! (`tests/walkthrough/harness.rs`; a test skips loudly when chant is
//! absent): the review document's exact content (the agent's files with
//! their hunks, the commits, what the agent said, chant's spec files apart,
//! the specs an agent that commits everything deleted flagged), shown with
//! `window/showDocument` and written under the user's cache, read-only;
//! taken from the message that ends the run; `chant/fileAt`; what is
//! refused and why (no branch, commands off, merged); the agent's log
//! opened while the run lasts.

#[path = "walkthrough/harness.rs"]
mod harness;
mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use harness::*;
use serde_json::{json, Value};
use support::*;

const A: &str = "2026-03-01-001-aaa";
const B: &str = "2026-03-01-002-bbb";
const C: &str = "2026-03-01-003-ccc";

/// Waits until `ready` holds.
fn wait_for(what: &str, ready: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + RUN_TIMEOUT;
    while !ready() {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn lens_titles(w: &Walk, uri: &str) -> Vec<String> {
    w.client
        .request_ok(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap().to_string())
        .collect()
}

fn file_at(w: &Walk, rev: &str, path: &str) -> Result<Value, RpcError> {
    w.client.request(
        "chant/fileAt",
        json!({"root": w.root_uri(), "spec": A, "rev": rev, "path": path}),
    )
}

/// The document the review shows, exactly: the hashes and the transcript
/// are what git and chant made of this run.
fn expected_document(w: &Walk) -> String {
    let base = w.git(&["merge-base", "main", &format!("chant/{A}")]);
    let commits = branch_commits(w, A);
    assert_eq!(commits.len(), 2, "{commits:?}");
    format!(
        r#"# Review of spec {A}: Add the greeting
# Branch chant/{A} against main: from their merge base {base} to {head}.
#
# 2 commits:
#   {c0} chant({A}): update spec status to in_progress
#   {c1} chant({A}): agent work
#
# What the agent said (the spec's ## Agent Output on main):
#   agent: working on {A}
#   agent: done with {A}
#
# The agent's work: 2 files, +3 -0
#   M README.md (+2)
#   A hello.txt (+1)
# chant's bookkeeping (spec files): 1 file, +3 -2
#   M .chant/specs/{A}.md (+3 -2)
# ⚠ The branch deletes 2 other specs: chant removes every other spec from the agent's worktree, and the agent committed their deletion (it committed everything). Merged as it is, chant/{A} would delete them from main; the editor's Merge restores them on the branch first.
#   D .chant/specs/{B}.md
#   D .chant/specs/{C}.md
#
# Next (the spec's code actions, or these commands):
#   Approve spec: chant.approve
#   Reject spec...: chant.reject (asks for the reason)
#   Apply agent changes (chant/{A}): chant.applyAgentChanges
#   Merge branch chant/{A}: chant.merge
#
diff --git a/README.md b/README.md
--- a/README.md
+++ b/README.md
@@ -1 +1,3 @@
 # Demo
+
+Says hello.
diff --git a/hello.txt b/hello.txt
new file mode 100644
--- /dev/null
+++ b/hello.txt
@@ -0,0 +1 @@
+hello
# ---- chant's bookkeeping: spec files ----
diff --git a/.chant/specs/{A}.md b/.chant/specs/{A}.md
--- a/.chant/specs/{A}.md
+++ b/.chant/specs/{A}.md
@@ -1,9 +1,10 @@
 ---
 type: code
-status: pending
+status: in_progress
+branch: chant/{A}
 ---
 # Add the greeting
 
 ## Acceptance Criteria
 
-- [ ] hello.txt exists
+- [x] hello.txt exists
\ No newline at end of file
"#,
        base = &base.trim()[..7],
        head = w.short(&format!("chant/{A}")),
        c0 = commits[0],
        c1 = commits[1],
    )
}

#[test]
fn the_review_of_a_run_shows_every_file_and_offers_the_next_step() {
    let Some(w) = Walk::start("the_review_of_a_run_shows_every_file_and_offers_the_next_step")
    else {
        return;
    };
    w.commit_specs(&[
        (A, &spec("Add the greeting", "", &["hello.txt exists"])),
        (B, &spec("Write the docs", "", &["docs exist"])),
        (C, &spec("Add a test", "", &["a test exists"])),
    ]);
    w.agent_writes(
        A,
        &[
            ("hello.txt", "hello\n"),
            ("README.md", "# Demo\n\nSays hello.\n"),
        ],
    );
    w.agent_mode(A, "commit-all");
    let uri = w.spec_uri(A);
    // No branch yet: not offered, and refused with what to do.
    assert!(!w.offers(&uri).iter().any(|(t, _)| t.starts_with("Review")));
    assert_eq!(
        w.refusal("chant.review", json!([uri])),
        format!("There is no branch chant/{A}: the agent's changes live there after \"Work this spec\" runs. Run the spec first.")
    );

    // The run's end offers the review first; taken, the server shows it.
    let asked = w.answers.asked().len();
    w.answers.push(Some("Review changes"));
    w.run("chant.work", json!([uri]));
    let offer = offer_after(&w, asked);
    assert_eq!(
        offer["actions"],
        json!([{"title": "Review changes"}, {"title": "Apply agent changes"}, {"title": "Merge"}])
    );
    wait_for("the review shown", || {
        !w.client.server_requests("window/showDocument").is_empty()
    });
    let shown = w.client.server_requests("window/showDocument")[0].clone();
    assert_eq!(shown["takeFocus"], true);
    let document = uri_path(shown["uri"].as_str().unwrap());
    let cache = w.scratch.path().join("home/.cache/chant-lsp/review");
    assert!(document.starts_with(&cache), "{}", document.display());
    assert_eq!(
        document.file_name().unwrap().to_str(),
        Some(format!("{A}.diff").as_str())
    );
    assert_eq!(
        std::fs::read_to_string(&document).unwrap(),
        expected_document(&w)
    );
    let mode = std::fs::metadata(&document).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o444, "the review document is read-only");
    // Nothing of it in the project.
    assert_eq!(w.git(&["status", "--porcelain"]), "");

    // The message that opens it offers the next steps (a rejection needs a
    // reason, which a message cannot ask for: the document names it).
    wait_for("the review's message", || {
        w.answers.asked().len() > asked + 1
    });
    let message = w.answers.asked()[asked + 1].clone();
    assert_eq!(
        message["message"],
        format!("Review of spec {A} (2 commits on chant/{A}): the agent's work is 2 files, +3 -0, with 1 spec file of chant's bookkeeping apart. ⚠ The branch deletes 2 other specs: chant removes every other spec from the agent's worktree, and the agent committed their deletion (it committed everything). Merged as it is, chant/{A} would delete them from main; the editor's Merge restores them on the branch first.")
    );
    assert_eq!(
        message["actions"],
        json!([
            {"title": "Approve spec"},
            {"title": format!("Apply agent changes (chant/{A})")},
            {"title": format!("Merge branch chant/{A}")}
        ])
    );

    // Offered as a code action and a lens.
    w.client.wait_for_diagnostics(&uri);
    assert!(w
        .enabled_offers(&uri)
        .contains(&format!("Review changes (chant/{A})")));
    assert!(lens_titles(&w, &uri).contains(&"⎇ Review changes".to_string()));

    // Asked without opening: the same document, the summary, the next
    // steps with their arguments; nothing shown.
    let answer = w
        .execute("chant.review", json!([uri, {"open": false}]))
        .unwrap();
    assert_eq!(answer["shown"], false);
    assert_eq!(answer["uri"], shown["uri"]);
    assert_eq!(w.client.server_requests("window/showDocument").len(), 1);
    let review = &answer["review"];
    assert_eq!(review["branch"], format!("chant/{A}"));
    assert_eq!(
        review["head"],
        w.git(&["rev-parse", &format!("chant/{A}")]).trim()
    );
    let files: Vec<(&str, &str, &str)> = review["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["status"].as_str().unwrap(),
                f["role"].as_str().unwrap(),
            )
        })
        .collect();
    let (spec_a, spec_b, spec_c) = (Walk::spec_rel(A), Walk::spec_rel(B), Walk::spec_rel(C));
    assert_eq!(
        files,
        [
            ("README.md", "modified", "work"),
            ("hello.txt", "added", "work"),
            (spec_a.as_str(), "modified", "spec"),
            (spec_b.as_str(), "deleted", "deletedSpec"),
            (spec_c.as_str(), "deleted", "deletedSpec"),
        ]
    );
    assert_eq!(review["deletedSpecs"], json!([spec_b, spec_c]));
    assert_eq!(
        answer["next"][1],
        json!({"title": "Reject spec...", "command": "chant.reject", "arguments": [uri]})
    );

    // Each side of a file, at the review's revisions only.
    let base = review["base"].as_str().unwrap();
    assert_eq!(
        file_at(&w, base, "README.md").unwrap(),
        json!({"kind": "text", "text": "# Demo\n"})
    );
    assert_eq!(
        file_at(&w, &format!("chant/{A}"), "README.md").unwrap(),
        json!({"kind": "text", "text": "# Demo\n\nSays hello.\n"})
    );
    assert_eq!(
        file_at(&w, base, "hello.txt").unwrap(),
        json!({"kind": "missing"})
    );
    assert_eq!(
        file_at(&w, "HEAD~1", "README.md").unwrap_err().message,
        format!("`HEAD~1` is not a revision of this review: only the main branch (main), the agent's branch (chant/{A}) or their merge base ({base}) are read.")
    );
    assert_eq!(
        file_at(&w, "main", "../outside").unwrap_err().message,
        "`../outside` is not a path inside the project: give it relative to the project root, without `..`."
    );

    // Running chant (so git) off: offered disabled, refused, saying why.
    w.client
        .change_settings(json!({"commands": {"enabled": false}, "approverName": "Ada"}));
    w.client.wait_idle();
    let off = format!("Reviewing the agent's changes reads its branch with git, and the language server runs nothing, not even git, while running chant from the editor is off for this workspace. If you trust this workspace, set `chant.commands.enabled` to true; or compare from a terminal: `git diff main...chant/{A}`.");
    assert_eq!(
        w.disabled_reason(&uri, &format!("Review changes (chant/{A})")),
        off
    );
    assert_eq!(w.refusal("chant.review", json!([uri])), off);
    assert_eq!(file_at(&w, "main", "README.md").unwrap_err().message, off);
    w.client
        .change_settings(json!({"commands": {"enabled": true}, "approverName": "Ada"}));
    w.client.wait_idle();

    // Merged: nothing left to review.
    w.run("chant.merge", json!([uri]));
    assert!(!w.offers(&uri).iter().any(|(t, _)| t.starts_with("Review")));
    assert_eq!(
        w.refusal("chant.review", json!([uri])),
        format!("Branch chant/{A} is merged into main: its changes are on main already (`git log main` shows them).")
    );
    w.shutdown();
}

fn uri_path(uri: &str) -> PathBuf {
    PathBuf::from(uri.strip_prefix("file://").unwrap())
}

/// "Show agent log" while chant runs: the answer says the log still grows
/// (an editor follows it); once the run is over, it does not.
#[test]
fn the_agents_log_while_the_run_lasts() {
    let Some(w) = Walk::start("the_agents_log_while_the_run_lasts") else {
        return;
    };
    w.commit_specs(&[(A, &spec("Add the greeting", "", &["hello.txt exists"]))]);
    w.agent_mode(A, "hang");
    let uri = w.spec_uri(A);
    w.client.did_open_from_disk(&uri);
    let answer = w.execute("chant.work", json!([uri])).unwrap();
    let token = answer["token"].as_str().unwrap().to_string();
    let log = format!(".chant/logs/{A}.log");
    wait_for("the agent's log", || {
        w.ws.exists(&log) && w.ws.read(&log).contains("agent: hanging")
    });
    let shown = w.execute("chant.showLog", json!([uri])).unwrap();
    assert_eq!(
        shown,
        json!({"uri": w.ws.uri(&log), "shown": true, "running": true})
    );
    w.client
        .notify("window/workDoneProgress/cancel", json!({"token": token}));
    w.client.wait_for_progress_end(token.as_str(), RUN_TIMEOUT);
    w.client.wait_idle();
    let after = w.execute("chant.showLog", json!([uri])).unwrap();
    assert_eq!(after["running"], false);
    w.shutdown();
}
