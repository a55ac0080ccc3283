//! A review of an agent's branch as the editor shows it (`ide::review`):
//! the document in unified diff form, exactly; the message that opens it;
//! the summary an editor that shows the files itself gets; the next steps
//! it offers, which are the spec's own offers.

use chant_lsp::analysis::review::{
    Body, ChangeStatus, Commit, FileDiff, Hunk, Review, Role, Summary, SummarySource,
};
use chant_lsp::ide::commands::{SpecCommand, SpecView};
use chant_lsp::ide::review::{message, next_steps, render, summarize};

use crate::fixture::Fixture;

const ID: &str = "2026-02-01-001-cur";

fn completed() -> Fixture {
    Fixture::new("---\nstatus: completed\nbranch: chant/2026-02-01-001-cur\n---\n# Add the greeting\n\n## Acceptance Criteria\n\n- [x] hello.txt exists\n")
}

fn file(
    path: &str,
    status: ChangeStatus,
    role: Role,
    counts: (usize, usize),
    body: Body,
) -> FileDiff {
    FileDiff {
        path: path.into(),
        status,
        role,
        insertions: counts.0,
        deletions: counts.1,
        modes: match status {
            ChangeStatus::Added => vec!["new file mode 100644".into()],
            _ => Vec::new(),
        },
        body,
    }
}

fn hunks(header: &str, lines: &str) -> Body {
    Body::Hunks(vec![Hunk {
        header: header.into(),
        lines: lines.into(),
    }])
}

fn review() -> Review {
    use ChangeStatus::*;
    Review {
        id: ID.into(),
        spec_path: format!(".chant/specs/{ID}.md"),
        title: Some("Add the greeting".into()),
        branch: format!("chant/{ID}"),
        main: "main".into(),
        base: "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into(),
        head: "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into(),
        commits: vec![Commit {
            hash: "2222222".into(),
            subject: format!("chant({ID}): agent work"),
        }],
        files: vec![
            file(
                "hello.txt",
                Added,
                Role::Work,
                (1, 0),
                hunks("@@ -0,0 +1 @@", "+hello\n"),
            ),
            file("logo.png", Added, Role::Work, (0, 0), Body::Binary),
            file(
                "src/big.rs",
                Modified,
                Role::Work,
                (30000, 2),
                Body::TooLarge,
            ),
            file(
                ".chant/specs/2026-02-01-001-cur.md",
                Modified,
                Role::Spec,
                (1, 1),
                hunks(
                    "@@ -8 +8 @@",
                    "-- [ ] hello.txt exists\n+- [x] hello.txt exists\n",
                ),
            ),
            file(
                ".chant/specs/2026-02-01-002-bbb.md",
                Deleted,
                Role::DeletedSpec,
                (0, 9),
                Body::Flagged,
            ),
        ],
        summary: Some(Summary {
            source: SummarySource::SpecOnMain,
            lines: vec!["agent: working on it".into(), "agent: done".into()],
            omitted: 3,
        }),
    }
}

fn view(f: &Fixture) -> SpecView<'_> {
    SpecView {
        agent_branch: Some("chant/2026-02-01-001-cur"),
        branch_merged: Some(false),
        ..f.view()
    }
}

#[test]
fn the_review_document() {
    let f = completed();
    let next = next_steps(&view(&f));
    expect![[r#"
        # Review of spec 2026-02-01-001-cur: Add the greeting
        # Branch chant/2026-02-01-001-cur against main: from their merge base 1111111 to 2222222.
        #
        # 1 commit:
        #   2222222 chant(2026-02-01-001-cur): agent work
        #
        # What the agent said (the spec's ## Agent Output on main):
        #   (3 lines before these left out)
        #   agent: working on it
        #   agent: done
        #
        # The agent's work: 3 files, +30001 -2
        #   A hello.txt (+1)
        #   A logo.png (binary)
        #   M src/big.rs (+30000 -2)
        # chant's bookkeeping (spec files): 1 file, +1 -1
        #   M .chant/specs/2026-02-01-001-cur.md (+1 -1)
        # ⚠ The branch deletes 1 other spec: chant removes every other spec from the agent's worktree, and the agent committed their deletion (it committed everything). Merged as it is, chant/2026-02-01-001-cur would delete it from main; the editor's Merge restores it on the branch first.
        #   D .chant/specs/2026-02-01-002-bbb.md
        #
        # Next (the spec's code actions, or these commands):
        #   Approve spec: chant.approve
        #   Reject spec...: chant.reject (asks for the reason)
        #   Apply agent changes (chant/2026-02-01-001-cur): chant.applyAgentChanges
        #   Merge branch chant/2026-02-01-001-cur: chant.merge
        #
        diff --git a/hello.txt b/hello.txt
        new file mode 100644
        --- /dev/null
        +++ b/hello.txt
        @@ -0,0 +1 @@
        +hello
        diff --git a/logo.png b/logo.png
        new file mode 100644
        Binary files /dev/null and b/logo.png differ
        diff --git a/src/big.rs b/src/big.rs
        # Not shown: 30002 changed lines are too many for this document; compare the file side by side.
        # ---- chant's bookkeeping: spec files ----
        diff --git a/.chant/specs/2026-02-01-001-cur.md b/.chant/specs/2026-02-01-001-cur.md
        --- a/.chant/specs/2026-02-01-001-cur.md
        +++ b/.chant/specs/2026-02-01-001-cur.md
        @@ -8 +8 @@
        -- [ ] hello.txt exists
        +- [x] hello.txt exists
    "#]]
    .assert_eq(&render(&review(), &next));
}

#[test]
fn the_message_and_the_summary() {
    let r = review();
    assert_eq!(
        message(&r),
        "Review of spec 2026-02-01-001-cur (1 commit on chant/2026-02-01-001-cur): the agent's work is 3 files, +30001 -2, with 1 spec file of chant's bookkeeping apart. ⚠ The branch deletes 1 other spec: chant removes every other spec from the agent's worktree, and the agent committed their deletion (it committed everything). Merged as it is, chant/2026-02-01-001-cur would delete it from main; the editor's Merge restores it on the branch first."
    );
    let summary = serde_json::to_value(summarize(&r)).unwrap();
    assert_eq!(
        summary["deletedSpecs"],
        serde_json::json!([".chant/specs/2026-02-01-002-bbb.md"])
    );
    assert_eq!(
        summary["files"][1],
        serde_json::json!({"path": "logo.png", "status": "added", "role": "work", "insertions": 0, "deletions": 0, "binary": true})
    );
    assert_eq!(summary["agent"]["source"], "specOnMain");
    assert_eq!(summary["base"], r.base.as_str());
    assert_eq!(summary["specPath"], ".chant/specs/2026-02-01-001-cur.md");
}

#[test]
fn no_next_step_while_running_chant_is_off_or_merged() {
    let f = completed();
    let off = SpecView {
        commands_enabled: false,
        ..view(&f)
    };
    assert!(next_steps(&off).is_empty());
    let merged = SpecView {
        branch_merged: Some(true),
        ..view(&f)
    };
    let steps: Vec<SpecCommand> = next_steps(&merged).into_iter().map(|o| o.command).collect();
    assert_eq!(
        steps,
        [
            SpecCommand::Approve { by: None },
            SpecCommand::Reject {
                by: None,
                reason: None
            },
            SpecCommand::ApplyAgentChanges
        ]
    );
}

#[test]
fn a_review_without_work_or_summary() {
    let r = Review {
        files: vec![],
        summary: None,
        title: None,
        commits: vec![],
        ..review()
    };
    expect![[r#"
        # Review of spec 2026-02-01-001-cur
        # Branch chant/2026-02-01-001-cur against main: from their merge base 1111111 to 2222222.
        #
        # 0 commits:
        #
        # What the agent said: nothing recorded (no ## Agent Output in the spec on main, no agent log).
        #
        # The agent's work: no file changed outside .chant/.
        #
    "#]]
    .assert_eq(&render(&r, &[]));
}

#[test]
fn file_at_reads_the_reviews_branches_only_while_git_may_run() {
    use chant_lsp::ide::review::file_at_branches;
    let f = completed();
    assert_eq!(
        file_at_branches(&f.index, ID, true),
        Ok((format!("chant/{ID}"), "main".to_string()))
    );
    assert_eq!(
        file_at_branches(&f.index, ID, false),
        Err(format!("Reviewing the agent's changes reads its branch with git, and the language server runs nothing, not even git, while running chant from the editor is off for this workspace. If you trust this workspace, set `chant.commands.enabled` to true; or compare from a terminal: `git diff main...chant/{ID}`."))
    );
    assert!(file_at_branches(&f.index, "../x", true)
        .unwrap_err()
        .contains("cannot be passed to chant safely"));
}
