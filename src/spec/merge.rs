//! Merging a spec's branch version into the main branch's when the only
//! disagreement is chant's own bookkeeping.
//!
//! After `chant work`, the agent ticks the spec's criteria on its branch
//! (chant's prompt tells it to) while chant's finalize writes, on the main
//! branch, the completion fields and the `## Agent Output` transcript right
//! after the last criterion. chant's merge driver (`chant merge-driver`,
//! `src/merge_driver.rs` in chant) merges the frontmatter by rule but
//! leaves conflict markers in the body, and `chant merge` stops. This
//! module merges such a spec without losing anything: the frontmatter by
//! chant's rules (restated here: status the more advanced, completion
//! fields from either side, lists united), the body by a three-way merge
//! in which a criterion's tick is not a change of its text (every tick
//! from either side kept, every line either side wrote kept). Anything
//! else that both sides changed is not bookkeeping, and is left to the
//! user.

use similar::{capture_diff_slices, Algorithm, DiffOp};

use super::frontmatter::{ChantFrontmatter, SpecStatus};
use super::SpecModel;
use diffy::{ConflictStyle, MergeOptions};

/// A spec merged by [`merge_bookkeeping`], and what it kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The file as chant writes it (`---\n<yaml>---\n<body>`).
    pub text: String,
    /// Criteria ticked on the branch (`theirs`) and not on the main branch.
    pub ticks_from_branch: usize,
    /// Lines the main branch (`ours`) added to the body since the fork.
    pub lines_from_main: usize,
}

/// Why a spec's merge is not only bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotBookkeeping {
    /// One of the versions does not parse as chant parses specs.
    Unparseable(&'static str),
    /// Both sides changed the same lines of the body in other ways than
    /// ticking criteria.
    BodyConflict,
    /// The result would not be a spec chant reads, or holds a conflict
    /// marker.
    BadResult,
}

impl std::fmt::Display for NotBookkeeping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotBookkeeping::Unparseable(which) => {
                write!(f, "the {which} version of the spec does not parse")
            }
            NotBookkeeping::BodyConflict => write!(
                f,
                "both branches changed the same lines of the spec's body, and not only by ticking criteria"
            ),
            NotBookkeeping::BadResult => {
                write!(f, "the merged spec would not be one chant reads")
            }
        }
    }
}

/// chant's split of a spec file (`syntax::layout`): its YAML, if it has
/// frontmatter, and its body.
fn split(content: &str) -> (Option<&str>, &str) {
    let layout = crate::syntax::layout::split(content);
    let yaml = layout.frontmatter.map(|f| &content[f.yaml]);
    (yaml, &content[layout.body])
}

fn frontmatter(
    yaml: Option<&str>,
    which: &'static str,
) -> Result<ChantFrontmatter, NotBookkeeping> {
    match yaml.filter(|y| !y.is_empty()) {
        None => Ok(ChantFrontmatter::default()),
        Some(yaml) => serde_yaml_ng::from_str(yaml).map_err(|_| NotBookkeeping::Unparseable(which)),
    }
}

/// How advanced a status is, as chant's merge driver ranks them.
fn rank(status: SpecStatus) -> u8 {
    match status {
        SpecStatus::Cancelled => 0,
        SpecStatus::Failed => 1,
        SpecStatus::NeedsAttention => 2,
        SpecStatus::Blocked => 3,
        SpecStatus::Pending => 4,
        SpecStatus::Ready => 5,
        SpecStatus::Paused => 6,
        SpecStatus::InProgress => 7,
        SpecStatus::Completed => 8,
    }
}

/// Both lists, ours first, without repeats (chant's `merge_lists`).
fn union(ours: &Option<Vec<String>>, theirs: &Option<Vec<String>>) -> Option<Vec<String>> {
    match (ours, theirs) {
        (Some(o), Some(t)) => {
            let mut out = o.clone();
            for item in t {
                if !out.contains(item) {
                    out.push(item.clone());
                }
            }
            (!out.is_empty()).then_some(out)
        }
        (Some(o), None) => Some(o.clone()),
        (None, t) => t.clone(),
    }
}

/// chant's merge driver's frontmatter rules (`merge_frontmatter`): ours,
/// with the more advanced status, completion and verification fields taken
/// from theirs where ours has none, and lists united.
pub fn merge_frontmatter(ours: &ChantFrontmatter, theirs: &ChantFrontmatter) -> ChantFrontmatter {
    let mut out = ours.clone();
    if rank(theirs.status) > rank(ours.status) {
        out.status = theirs.status;
    }
    fn fill<T: Clone>(ours: &mut Option<T>, theirs: &Option<T>) {
        if ours.is_none() {
            ours.clone_from(theirs);
        }
    }
    fill(&mut out.completed_at, &theirs.completed_at);
    fill(&mut out.model, &theirs.model);
    fill(&mut out.branch, &theirs.branch);
    fill(&mut out.last_verified, &theirs.last_verified);
    fill(&mut out.verification_status, &theirs.verification_status);
    fill(
        &mut out.verification_failures,
        &theirs.verification_failures,
    );
    fill(&mut out.replayed_at, &theirs.replayed_at);
    fill(&mut out.replay_count, &theirs.replay_count);
    fill(
        &mut out.original_completed_at,
        &theirs.original_completed_at,
    );
    out.commits = union(&ours.commits, &theirs.commits);
    out.labels = union(&ours.labels, &theirs.labels);
    out.target_files = union(&ours.target_files, &theirs.target_files);
    out.context = union(&ours.context, &theirs.context);
    out.members = union(&ours.members, &theirs.members);
    out
}

/// The frontmatter as chant writes it.
pub fn write_frontmatter(frontmatter: &ChantFrontmatter) -> String {
    serde_yaml_ng::to_string(frontmatter).unwrap_or_default()
}

/// A body line with every checkbox unticked, and where its ticks were (the
/// index of each `- [ ]` occurrence that was ticked, and its letter).
struct Line {
    plain: String,
    ticks: Vec<(usize, char)>,
}

fn lines(body: &str) -> Vec<Line> {
    body.split_inclusive('\n')
        .map(|line| {
            let mut plain = String::with_capacity(line.len());
            let mut ticks = Vec::new();
            let mut rest = line;
            let mut box_index = 0;
            while let Some(at) = rest.find("- [") {
                let after = &rest[at + 3..];
                let mark = after.chars().next();
                let closed = after[mark.map_or(0, char::len_utf8)..].starts_with(']');
                plain.push_str(&rest[..at]);
                match mark.filter(|m| closed && matches!(m, ' ' | 'x' | 'X')) {
                    Some(mark) => {
                        if mark != ' ' {
                            ticks.push((box_index, mark));
                        }
                        box_index += 1;
                        plain.push_str("- [ ]");
                        rest = &after[2..];
                    }
                    None => {
                        plain.push_str("- [");
                        rest = after;
                    }
                }
            }
            plain.push_str(rest);
            Line { plain, ticks }
        })
        .collect()
}

/// For each line of `to`, the line of `from` it is (equal plain text, as a
/// diff pairs them), if any.
fn pair(from: &[Line], to: &[String]) -> Vec<Option<usize>> {
    let from: Vec<&str> = from.iter().map(|l| l.plain.as_str()).collect();
    let to_plain: Vec<&str> = to.iter().map(String::as_str).collect();
    let mut out = vec![None; to.len()];
    for op in capture_diff_slices(Algorithm::Myers, &from, &to_plain) {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            for i in 0..len {
                out[new_index + i] = Some(old_index + i);
            }
        }
    }
    out
}

fn with_newline(text: &str) -> String {
    if text.is_empty() || text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    }
}

/// A line-based three-way merge in which a conflict is resolved only when
/// one side's lines are all among the other's, in order (the other side
/// wrote the same and more: chant's transcript after text both sides
/// hold): the fuller side is taken, and nothing either side wrote is lost.
fn merge_lines(base: &str, ours: &str, theirs: &str) -> Option<String> {
    const MARKER: usize = 31;
    let conflicted = match MergeOptions::new()
        .set_conflict_marker_length(MARKER)
        .set_conflict_style(ConflictStyle::Merge)
        .merge(base, ours, theirs)
    {
        Ok(clean) => return Some(clean),
        Err(conflicted) => conflicted,
    };
    let marker = |c: char| c.to_string().repeat(MARKER);
    let (open, middle, close) = (marker('<'), marker('='), marker('>'));
    let mut out = String::new();
    let (mut o, mut t): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    let mut side = 0; // 0: outside a conflict, 1: ours, 2: theirs
    for line in conflicted.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        if side == 0 && bare.starts_with(&open) {
            side = 1;
        } else if side == 1 && bare == middle {
            side = 2;
        } else if side == 2 && bare.starts_with(&close) {
            let fuller = if is_subsequence(&t, &o) {
                &o
            } else if is_subsequence(&o, &t) {
                &t
            } else {
                return None;
            };
            out.extend(fuller.iter().copied());
            (o, t, side) = (Vec::new(), Vec::new(), 0);
        } else {
            match side {
                1 => o.push(line),
                2 => t.push(line),
                _ => out.push_str(line),
            }
        }
    }
    (side == 0).then_some(out)
}

/// Whether every line of `part` is in `whole`, in the same order.
fn is_subsequence(part: &[&str], whole: &[&str]) -> bool {
    let mut rest = whole.iter();
    part.iter().all(|line| rest.any(|w| w == line))
}

/// The three-way merge of the bodies, ticks aside: the bodies' texts with
/// every criterion unticked merge cleanly, and then every criterion ticked
/// on either side is ticked. Returns the body and how many ticks came from
/// the branch alone.
fn merge_bodies(
    base: &str,
    ours: &str,
    theirs: &str,
) -> Result<(String, usize, usize), NotBookkeeping> {
    let (b, o, t) = (
        lines(&with_newline(base)),
        lines(&with_newline(ours)),
        lines(&with_newline(theirs)),
    );
    let plain = |ls: &[Line]| ls.iter().map(|l| l.plain.as_str()).collect::<String>();
    let merged =
        merge_lines(&plain(&b), &plain(&o), &plain(&t)).ok_or(NotBookkeeping::BodyConflict)?;
    let merged: Vec<String> = merged.split_inclusive('\n').map(str::to_string).collect();
    let from_ours = pair(&o, &merged);
    let from_theirs = pair(&t, &merged);
    let from_base_in_ours = pair(&b, &o.iter().map(|l| l.plain.clone()).collect::<Vec<_>>());
    let mut out = String::new();
    let mut ticks_from_branch = 0;
    for (i, line) in merged.iter().enumerate() {
        let ours_ticks = from_ours[i].map(|j| o[j].ticks.as_slice()).unwrap_or(&[]);
        let theirs_ticks = from_theirs[i].map(|j| t[j].ticks.as_slice()).unwrap_or(&[]);
        let mut ticks: Vec<(usize, char)> = ours_ticks.to_vec();
        for tick in theirs_ticks {
            if !ticks.iter().any(|(n, _)| *n == tick.0) {
                ticks.push(*tick);
                ticks_from_branch += 1;
            }
        }
        out.push_str(&tick(line, &ticks));
    }
    let lines_from_main = from_base_in_ours.iter().filter(|p| p.is_none()).count();
    // chant's saved bodies end without a line break when ours does.
    if !ours.ends_with('\n') && out.ends_with('\n') {
        out.pop();
    }
    Ok((out, ticks_from_branch, lines_from_main))
}

/// `line` (every checkbox unticked) with the boxes `ticks` names ticked.
fn tick(line: &str, ticks: &[(usize, char)]) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    let mut index = 0;
    while let Some(at) = rest.find("- [ ]") {
        out.push_str(&rest[..at]);
        match ticks.iter().find(|(n, _)| *n == index) {
            Some((_, mark)) => out.push_str(&format!("- [{mark}]")),
            None => out.push_str("- [ ]"),
        }
        index += 1;
        rest = &rest[at + 5..];
    }
    out.push_str(rest);
    out
}

const MARKERS: [&str; 3] = ["<<<<<<<", "=======", ">>>>>>>"];

/// Merge a spec's `theirs` (the agent's branch) into `ours` (the main
/// branch), from their common `base`, when only chant's bookkeeping
/// differs (see the module comment).
pub fn merge_bookkeeping(base: &str, ours: &str, theirs: &str) -> Result<Merged, NotBookkeeping> {
    let (base_yaml, base_body) = split(base);
    let (ours_yaml, ours_body) = split(ours);
    let (theirs_yaml, theirs_body) = split(theirs);
    frontmatter(base_yaml, "common")?;
    let ours_fm = frontmatter(ours_yaml, "main branch's")?;
    let theirs_fm = frontmatter(theirs_yaml, "branch's")?;
    let merged_fm = merge_frontmatter(&ours_fm, &theirs_fm);
    let (body, ticks_from_branch, lines_from_main) =
        merge_bodies(base_body, ours_body, theirs_body)?;
    let text = format!("---\n{}---\n{body}", write_frontmatter(&merged_fm));
    // A marker that none of the versions held is a conflict left behind.
    let new_marker = MARKERS
        .iter()
        .any(|m| text.contains(m) && ![base, ours, theirs].iter().any(|v| v.contains(m)));
    if new_marker || !SpecModel::parse(&text).chant_accepts() {
        return Err(NotBookkeeping::BadResult);
    }
    Ok(Merged {
        text,
        ticks_from_branch,
        lines_from_main,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "---\ntype: code\nstatus: pending\ntarget_files:\n- hello.txt\n---\n# Write the greeting\n\nWrite hello.txt.\n\n## Acceptance Criteria\n\n- [ ] hello.txt exists\n- [ ] it greets the user\n";
    /// What chant's finalize committed on main (observed with chant 0.23.2).
    const MAIN: &str = "---\ntype: code\nstatus: completed\ntarget_files:\n- hello.txt\nbranch: chant/2026-12-06-001-aaa\ncommits:\n- be89d9d\n- c1d8cbe\ncompleted_at: 2026-12-06T02:20:16Z\n---\n# Write the greeting\n\nWrite hello.txt.\n\n## Acceptance Criteria\n\n- [x] hello.txt exists\n- [x] it greets the user\n\n## Agent Output\n\n2026-12-06T02:20:16Z\n\n```\nagent: working on 2026-12-06-001-aaa\nagent: done with 2026-12-06-001-aaa```";
    /// What the agent committed on its branch.
    const BRANCH: &str = "---\ntype: code\nstatus: in_progress\ntarget_files:\n- hello.txt\nbranch: chant/2026-12-06-001-aaa\n---\n# Write the greeting\n\nWrite hello.txt.\n\n## Acceptance Criteria\n\n- [x] hello.txt exists\n- [x] it greets the user";

    #[test]
    fn ticks_on_the_branch_and_the_transcript_on_main_merge() {
        let merged = merge_bookkeeping(BASE, MAIN, BRANCH).unwrap();
        assert_eq!(merged.text, MAIN);
        assert_eq!(merged.ticks_from_branch, 0);
        assert_eq!(merged.lines_from_main, 8);
    }

    #[test]
    fn a_tick_only_the_branch_made_is_kept_and_counted() {
        let main = MAIN.replace("- [x] it greets", "- [ ] it greets");
        let branch = BRANCH.replace("- [x] hello.txt", "- [X] hello.txt");
        let merged = merge_bookkeeping(BASE, &main, &branch).unwrap();
        // Main's own tick (x) stays as main wrote it; the branch's is added.
        assert_eq!(merged.text, MAIN);
        assert_eq!(merged.ticks_from_branch, 1);
    }

    #[test]
    fn lines_the_agent_added_to_the_spec_are_kept() {
        let branch = BRANCH.replace(
            "Write hello.txt.\n",
            "Write hello.txt.\n\n## Release Notes\n\nGreets every user.\n",
        );
        let merged = merge_bookkeeping(BASE, MAIN, &branch).unwrap();
        assert_eq!(
            merged.text,
            MAIN.replace(
                "Write hello.txt.\n",
                "Write hello.txt.\n\n## Release Notes\n\nGreets every user.\n"
            )
        );
    }

    #[test]
    fn the_frontmatter_follows_chants_rules() {
        let ours: ChantFrontmatter =
            serde_yaml_ng::from_str("status: in_progress\nlabels: [a]\ncommits: ['1234567']\n")
                .unwrap();
        let theirs: ChantFrontmatter = serde_yaml_ng::from_str(
            "status: completed\nlabels: [b, a]\ncommits: [abc]\nmodel: sonnet\ncompleted_at: x\n",
        )
        .unwrap();
        let merged = merge_frontmatter(&ours, &theirs);
        assert_eq!(
            write_frontmatter(&merged),
            "type: code\nstatus: completed\nlabels:\n- a\n- b\ncommits:\n- '1234567'\n- abc\ncompleted_at: x\nmodel: sonnet\n"
        );
    }

    #[test]
    fn other_changes_to_the_same_lines_are_not_bookkeeping() {
        let main = MAIN.replace("Write hello.txt.", "Write hello.txt for everyone.");
        let branch = BRANCH.replace("Write hello.txt.", "Write a friendly hello.txt.");
        assert_eq!(
            merge_bookkeeping(BASE, &main, &branch),
            Err(NotBookkeeping::BodyConflict)
        );
        assert_eq!(
            merge_bookkeeping(BASE, "---\nstatus: nope\n---\n# T", BRANCH),
            Err(NotBookkeeping::Unparseable("main branch's"))
        );
    }

    /// The user wrote the spec after `chant add` without committing it:
    /// both branches carry the whole body, the main branch with the
    /// transcript after it.
    #[test]
    fn a_body_both_sides_added_merges_when_one_holds_the_other() {
        let base = "---\ntype: code\nstatus: pending\n---\n# Write the greeting";
        let merged = merge_bookkeeping(base, MAIN, BRANCH).unwrap();
        assert_eq!(merged.text, MAIN);
        let other = BRANCH.replace("Write hello.txt.", "Write a friendly hello.txt.");
        assert_eq!(
            merge_bookkeeping(base, MAIN, &other),
            Err(NotBookkeeping::BodyConflict)
        );
    }

    #[test]
    fn boxes_are_read_as_chant_counts_them() {
        let l = lines("- [x] a - [ ] b - [X] c - [y] d - [\n");
        assert_eq!(l[0].plain, "- [ ] a - [ ] b - [ ] c - [y] d - [\n");
        assert_eq!(l[0].ticks, vec![(0, 'x'), (2, 'X')]);
        assert_eq!(
            tick(&l[0].plain, &l[0].ticks),
            "- [x] a - [ ] b - [X] c - [y] d - [\n"
        );
    }
}
