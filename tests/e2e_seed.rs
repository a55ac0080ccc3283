//! chant's "Complete Walkthrough", end to end from the editor, against the
//! real chant 0.23.2 with an agent that does what chant's prompt tells it
//! (ticks the criteria in its spec and commits). Five specs added from the
//! editor with the walkthrough's titles, types and labels; their
//! frontmatter as the walkthrough writes it (`status: ready`, `prompt:
//! triage`..., `informed_by` chains, `target_files`); the editor's fixes
//! applied (`ready` to `pending`, each missing prompt created from its
//! template); each phase worked with its prompt; the research previewed in
//! a hover where the fix links it; the fix approved after the review; Merge
//! All; archive by label. Every spec archived, nothing lost, no conflict
//! left.

#[path = "walkthrough/harness.rs"]
mod harness;
mod support;

use harness::*;
use serde_json::{json, Value};
use support::*;

/// One phase of the walkthrough: the spec the user adds, and what the
/// agent leaves on its branch.
struct Phase {
    title: &'static str,
    spec_type: &'static str,
    labels: [&'static str; 2],
    prompt: &'static str,
    /// The frontmatter lines after `prompt:` (`{triage}`... stand for the
    /// earlier specs' IDs).
    head: &'static str,
    body: &'static str,
    /// The agent's output: (file, text).
    output: &'static [(&'static str, &'static str)],
}

const TRIAGE_OUT: &str = "# Triage: Issue #1234\n\n## Recommendation\n\n**needs-reproduction**\n";
const TEST_OUT: &str = "//! Regression test for issue #1234\n\n#[test]\nfn issue_1234_concurrent_write_causes_data_loss() {}\n";
const RCA_OUT: &str = "# Root Cause Analysis: Issue #1234\n\n## Recommendation\n\n**Approach 2: Write-then-Rename**\n";
const PERSIST_OUT: &str =
    "pub fn persist() {\n    // write to a temporary file, then rename it\n}\n";
const STORE_OUT: &str = "pub struct Store;\n// per-key locks\n";
const REVIEW_OUT: &str = "# Review: Issue #1234 Fix\n\n**Verdict: APPROVED**\n";

const PHASES: [Phase; 5] = [
    Phase {
        title: "Triage issue #1234: Data lost on concurrent writes",
        spec_type: "task",
        labels: ["triage", "issue-1234"],
        prompt: "triage",
        head: "target_files:\n  - .chant/triage/issue-1234.md\n",
        body: "## Issue Summary\n\nUser reports data loss/corruption when writing to same key from multiple\nterminals simultaneously. Describes truncated data (\"valu\" instead of\n\"value1\") and empty results.\n\n## Acceptance Criteria\n\n- [ ] Issue categorized\n- [ ] Priority assigned\n- [ ] Missing information identified\n- [ ] Recommendation provided\n",
        output: &[(".chant/triage/issue-1234.md", TRIAGE_OUT)],
    },
    Phase {
        title: "Reproduce issue #1234: Concurrent write data loss",
        spec_type: "task",
        labels: ["reproduction", "issue-1234"],
        prompt: "reproduce",
        head: "informed_by:\n  - .chant/specs/{triage}.md\n  - .chant/triage/issue-1234.md\ntarget_files:\n  - tests/regression/issue_1234_test.rs\n",
        body: "## Context\n\nTriage confirmed this is a bug with clear reproduction steps.\nNeed to create a failing test before research.\n\n## Acceptance Criteria\n\n- [ ] Minimal test case demonstrates the bug\n- [ ] Test fails consistently\n- [ ] Test is self-contained\n- [ ] Environment documented in comments\n",
        output: &[("tests/regression/issue_1234_test.rs", TEST_OUT)],
    },
    Phase {
        title: "Research root cause: issue #1234 concurrent write data loss",
        spec_type: "task",
        labels: ["research", "issue-1234"],
        prompt: "research",
        head: "informed_by:\n  - .chant/specs/{reproduce}.md\n  - tests/regression/issue_1234_test.rs\n  - docs/architecture/storage.md\n  - src/storage/store.rs\n  - src/storage/persist.rs\ntarget_files:\n  - .chant/research/issue-1234-rca.md\n",
        body: "## Context\n\nReproduction test confirms data corruption during concurrent writes.\nNeed to understand why before fixing.\n\n## Research Questions\n\n- [ ] Where exactly does corruption occur?\n- [ ] What synchronization exists currently?\n- [ ] Why does it fail under concurrency?\n- [ ] What are the fix options?\n\n## Acceptance Criteria\n\n- [ ] Root cause identified with code references\n- [ ] Multiple approaches evaluated\n- [ ] Recommended approach justified\n- [ ] Edge cases documented\n",
        output: &[(".chant/research/issue-1234-rca.md", RCA_OUT)],
    },
    Phase {
        title: "Fix issue #1234: Atomic writes for concurrent access",
        spec_type: "code",
        labels: ["fix", "issue-1234"],
        prompt: "implement",
        head: "informed_by:\n  - .chant/specs/{research}.md\n  - .chant/research/issue-1234-rca.md\ntarget_files:\n  - src/storage/persist.rs\n  - src/storage/store.rs\n  - tests/regression/issue_1234_test.rs\n",
        body: "## Context\n\nResearch recommends write-then-rename with per-key locking.\nSee `.chant/research/issue-1234-rca.md`.\n\n## Acceptance Criteria\n\n- [ ] Atomic write-then-rename implemented\n- [ ] Per-key in-memory locking added\n- [ ] Reproduction test passes\n- [ ] Edge cases handled (cleanup, permissions)\n- [ ] All existing tests pass\n- [ ] Release notes added\n\n## Release Notes\n\n<!-- To be filled after implementation -->\n",
        output: &[
            ("src/storage/persist.rs", PERSIST_OUT),
            ("src/storage/store.rs", STORE_OUT),
        ],
    },
    Phase {
        title: "Review fix for issue #1234",
        spec_type: "task",
        labels: ["review", "issue-1234"],
        prompt: "review",
        head: "informed_by:\n  - .chant/specs/{reproduce}.md\n  - .chant/specs/{implement}.md\n  - tests/regression/issue_1234_test.rs\ntarget_files:\n  - .chant/reviews/issue-1234-review.md\n",
        body: "## Acceptance Criteria\n\n- [ ] Reproduction test passes\n- [ ] All tests pass\n- [ ] Code follows research recommendation\n- [ ] Edge cases handled\n- [ ] Documentation adequate\n",
        output: &[(".chant/reviews/issue-1234-review.md", REVIEW_OUT)],
    },
];

/// The spec as the walkthrough writes it, the earlier specs' IDs filled.
fn seed_text(phase: &Phase, ids: &[String]) -> String {
    let names = ["triage", "reproduce", "research", "implement", "review"];
    let mut head = phase.head.to_string();
    for (name, id) in names.iter().zip(ids) {
        head = head.replace(&format!("{{{name}}}"), id);
    }
    format!(
        "---\ntype: {}\nstatus: ready\nprompt: {}\nlabels:\n  - {}\n  - {}\n{head}---\n\n# {}\n\n{}",
        phase.spec_type, phase.prompt, phase.labels[0], phase.labels[1], phase.title, phase.body
    )
}

/// The code actions at the first range holding `needle`, with the spec's
/// diagnostics there, as an editor asks.
fn fixes_at(w: &Walk, uri: &str, needle: &str) -> Vec<Value> {
    let range = w.client.range_of(uri, needle);
    let diagnostics: Vec<Value> = w
        .client
        .wait_for_diagnostics(uri)
        .into_iter()
        .filter(|d| d["range"]["start"]["line"] == range["start"]["line"])
        .collect();
    w.client
        .request_ok(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range,
                   "context": {"diagnostics": diagnostics, "only": ["quickfix"]}}),
        )
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = diagnostics
        .iter()
        .filter(|d| d["severity"].as_u64() != Some(4))
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect();
    out.sort();
    out
}

/// Apply the code action titled `title` among `actions`, and save what it
/// changed (the spec; a created prompt is written by the edit itself).
fn apply(w: &Walk, uri: &str, actions: &[Value], title: &str) {
    let action = actions
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no {title:?} among {actions:#?}"));
    w.client.apply_edit(&action["edit"]).unwrap();
    w.client.did_save(uri);
    w.client.did_change_watched_files(&[(uri, FILE_CHANGED)]);
    w.client.wait_idle();
}

#[test]
fn the_complete_walkthrough_from_the_editor() {
    walkthrough("ok");
}

/// The same with an agent that commits everything (`git add -A`), the
/// other specs chant removed from its worktree included.
#[test]
fn the_complete_walkthrough_with_an_agent_that_commits_everything() {
    walkthrough("commit-all");
}

fn walkthrough(mode: &str) {
    let Some(w) = Walk::start_with(
        &format!("the_complete_walkthrough_{}", mode.replace('-', "_")),
        Options {
            files: vec![
                (
                    "docs/architecture/storage.md".into(),
                    "# Storage\n\nOne file per key.\n".into(),
                ),
                ("src/storage/store.rs".into(), "pub struct Store;\n".into()),
                (
                    "src/storage/persist.rs".into(),
                    "pub fn persist() {}\n".into(),
                ),
            ],
            ..Options::default()
        },
    ) else {
        return;
    };
    // The walkthrough's prompts are not chant's: none of them exists.
    w.git(&[
        "rm",
        "-q",
        ".chant/prompts/research.md",
        ".chant/prompts/review.md",
    ]);
    w.git(&["commit", "-qm", "only chant's own prompts"]);
    w.client.did_change_watched_files(&[
        (
            w.ws.uri(".chant/prompts/research.md").as_str(),
            FILE_DELETED,
        ),
        (w.ws.uri(".chant/prompts/review.md").as_str(), FILE_DELETED),
    ]);
    w.client.wait_idle();
    let root = w.root_uri();

    // 1. Five specs added from the editor, with the walkthrough's titles,
    // types and labels; then their frontmatter and body as it writes them.
    let mut ids: Vec<String> = Vec::new();
    for phase in &PHASES {
        let (_, progress) = w.run(
            "chant.add",
            json!([root, {"title": phase.title, "type": phase.spec_type, "labels": phase.labels}]),
        );
        let id = added_id(&progress);
        let uri = w.spec_uri(&id);
        // The editor set its type and labels (chant add has no flags for
        // them; the test client writes edits of files that are not open).
        assert!(
            w.spec(&id)
                .contains(&format!("type: {}\n", phase.spec_type)),
            "{}",
            w.spec(&id)
        );
        assert!(w.spec(&id).contains(&format!("- {}\n", phase.labels[0])));
        ids.push(id);
        edit_and_save(&w, &uri, &seed_text(phase, &ids));
        w.agent_writes(ids.last().unwrap(), phase.output);
        w.agent_mode(ids.last().unwrap(), mode);
    }
    let uris: Vec<String> = ids.iter().map(|id| w.spec_uri(id)).collect();

    // 2. What the editor says of them, and its fixes.
    for (phase, uri) in PHASES.iter().zip(&uris) {
        let diagnostics = w.client.wait_for_diagnostics(uri);
        let found = codes(&diagnostics);
        assert!(
            found.contains(&"chant/ready-status".to_string()),
            "{found:?}"
        );
        assert!(
            found.contains(&"chant/unknown-prompt".to_string()),
            "{found:?}"
        );
        let ready = fixes_at(&w, uri, "status: ready");
        apply(&w, uri, &ready, "Change to `pending`");
        let prompt = fixes_at(&w, uri, &format!("prompt: {}", phase.prompt));
        let create = format!("Create prompt `{0}` (.chant/prompts/{0}.md)", phase.prompt);
        apply(&w, uri, &prompt, &create);
        w.client.did_change_watched_files(&[(
            w.ws.uri(&format!(".chant/prompts/{}.md", phase.prompt))
                .as_str(),
            FILE_CREATED,
        )]);
        w.client.wait_idle();
        let left = codes(&w.client.wait_for_diagnostics(uri));
        assert!(
            !left.contains(&"chant/ready-status".to_string()),
            "{left:?}"
        );
        assert!(
            !left.contains(&"chant/unknown-prompt".to_string()),
            "{left:?}"
        );
        assert!(
            w.enabled_offers(uri)
                .contains(&format!("Work with prompt {}", phase.prompt)),
            "{:?}",
            w.offers(uri)
        );
    }

    // 3. Each phase worked with its prompt (`chant work <id> --prompt X`).
    let work = |i: usize| {
        let (answer, progress) =
            w.run("chant.work", json!([uris[i], {"prompt": PHASES[i].prompt}]));
        assert_eq!(
            answer["arguments"],
            json!([
                "work",
                ids[i],
                "--no-watch",
                format!("--prompt={}", PHASES[i].prompt)
            ])
        );
        assert_eq!(
            progress.last().unwrap()["message"],
            "completed",
            "{}",
            PHASES[i].prompt
        );
        // The agent got the prompt the editor created, filled by chant.
        let given = w.agent_prompt(&ids[i]);
        assert!(given.contains(PHASES[i].title), "{given}");
        assert!(!given.contains("{{"), "{given}");
    };
    for i in 0..3 {
        work(i);
    }

    // 4. The fix links the research: brought into the editor ("Apply agent
    // changes"), it is previewed where the fix names it.
    let (fix, research) = (&uris[3], &uris[2]);
    let rca = ".chant/research/issue-1234-rca.md";
    let edits = w.client.edits().len();
    let answer = w
        .execute("chant.applyAgentChanges", json!([research]))
        .unwrap();
    assert_eq!(answer["created"], json!([rca]), "{answer}");
    w.client.wait_for_edits(edits + 1, RUN_TIMEOUT);
    assert_eq!(w.ws.read(rca), RCA_OUT);
    w.client
        .did_change_watched_files(&[(w.ws.uri(rca).as_str(), FILE_CREATED)]);
    w.client.wait_idle();
    let at = w.client.range_of(fix, &format!("  - {rca}"));
    let hover = w.client.request_ok(
        "textDocument/hover",
        json!({"textDocument": {"uri": fix},
               "position": {"line": at["start"]["line"], "character": 8}}),
    );
    assert_eq!(
        hover["contents"]["value"],
        format!("**Root Cause Analysis: Issue #1234**  \n`{rca}`\n\n---\n\n## Recommendation\n\n**Approach 2: Write-then-Rename**")
    );

    // 5. The fix, then its review.
    work(3);
    work(4);

    // 6. The fix approved after the review (a completed spec: chant
    // approves it and records the review).
    let (answer, progress) = w.run("chant.approve", json!([fix, {"by": "maintainer-name"}]));
    assert_eq!(
        answer["arguments"],
        json!(["approve", ids[3], "--by=maintainer-name"])
    );
    assert_eq!(progress.last().unwrap()["message"], "approved");
    assert!(w
        .spec(&ids[3])
        .contains("status: approved\n  by: maintainer-name\n"));

    // 7. Merge all.
    let mark = w.client.mark();
    let (_, progress) = w.run("chant.mergeAll", json!([root]));
    let message = w.outcome_after(mark, "erge")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(progress.last().unwrap()["message"], "merged 5", "{message}");
    if mode == "commit-all" {
        // Each branch deleted the four other specs (all added before any work): the
        // editor kept them on the main branch.
        let kept = message
            .matches("that chant had only removed from the agent's worktree")
            .count();
        assert_eq!(kept, 5, "{message}");
    }
    for (id, phase) in ids.iter().zip(&PHASES) {
        for (file, text) in phase.output {
            assert_eq!(&w.ws.read(file), text, "{file} of {id}");
        }
        assert!(!w.spec(id).contains("<<<<<<<"), "{id}");
        assert!(w.spec(id).contains("status: completed"), "{id}");
        assert!(
            !w.spec(id).contains("- [ ]"),
            "{id}: every criterion ticked"
        );
    }

    // 8. Archive by label.
    let (answer, progress) = w.run(
        "chant.archiveByLabel",
        json!([root, {"label": "issue-1234"}]),
    );
    assert_eq!(answer["runs"].as_array().unwrap().len(), 5, "{answer}");
    assert_eq!(
        progress.last().unwrap()["message"],
        "archived 5, not archived 0"
    );
    for (id, phase) in ids.iter().zip(&PHASES) {
        assert!(!w.ws.exists(&Walk::spec_rel(id)), "{id}");
        let archived = w.ws.read(&format!(".chant/archive/{}/{id}.md", today()));
        assert!(archived.contains(phase.title), "{id}");
    }

    // Nothing lost, no conflict left.
    let unmerged = w.git(&["diff", "--name-only", "--diff-filter=U"]);
    assert_eq!(unmerged, "");
    let grep = std::process::Command::new("git")
        .args(["grep", "-l", "^<<<<<<<"])
        .current_dir(w.ws.path())
        .output()
        .unwrap();
    assert!(
        grep.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&grep.stdout)
    );
    // The checkout holds what was committed, the moves chant archive staged
    // (it leaves committing them to the user) and the prompts the editor
    // created (the user's to commit).
    let status: Vec<String> = w
        .git(&["status", "--porcelain"])
        .lines()
        .map(str::to_string)
        .collect();
    let mut expected: Vec<String> = ids
        .iter()
        .map(|id| {
            format!(
                "R  .chant/specs/{id}.md -> .chant/archive/{}/{id}.md",
                today()
            )
        })
        .collect();
    let mut prompts: Vec<String> = PHASES
        .iter()
        .map(|p| format!("?? .chant/prompts/{}.md", p.prompt))
        .collect();
    prompts.sort();
    expected.extend(prompts);
    assert_eq!(status, expected);
    w.shutdown();
}
