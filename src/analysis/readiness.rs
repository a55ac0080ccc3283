//! What chant would stop on, checked before running it, so the user gets a
//! message that says what to do instead of a half-done run (chant marks a
//! spec in_progress before some of its own checks). Follows chant.md
//! section 6 (`chant work` step 1) and section 3 (status transitions).

use crate::analysis::{quality, SpecLookup, WorkspaceFacts};
use crate::spec::frontmatter::{ApprovalStatus, SpecStatus, SpecType};
use crate::spec::id::driver_of;
use crate::spec::SpecModel;

/// Most specs a reason, a refusal or a plan names; the rest are counted
/// ("… and 4,994 more"), so no sentence grows with the project.
pub const MAX_NAMED: usize = 5;

/// The first [`MAX_NAMED`] of `total` items, then how many more there are.
fn named(items: impl IntoIterator<Item = String>, total: usize) -> String {
    let shown: Vec<String> = items.into_iter().take(MAX_NAMED).collect();
    match total.saturating_sub(shown.len()) {
        0 => shown.join(", "),
        more => format!(
            "{} and {} more",
            shown.join(", "),
            crate::analysis::thousands(more)
        ),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

/// chant cannot load the spec at all.
pub(crate) fn parse_problem(text: &str, model: &SpecModel) -> Option<String> {
    let first = model.frontmatter.rejections.first()?;
    Some(format!(
        "chant cannot read this spec's frontmatter (it stops with \"Failed to parse spec frontmatter\"): {} (line {}). Fix the errors marked in the editor, save, and try again.",
        first.detail,
        line_of(text, first.range.start)
    ))
}

/// Where a spec stands, as chant sees it when it loads the spec: whether
/// it can be worked now, and if not, what it waits for. The code lens, the
/// hover on `status`, the inlay hint, the code actions and the editors'
/// status all come from this one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// chant cannot load the spec (its frontmatter does not parse).
    Unreadable,
    Completed,
    Cancelled,
    InProgress,
    /// Waiting for dependencies (its own, or its driver's).
    Blocked {
        /// Its dependencies that are not completed, the first of its
        /// earlier members that are not (at most [`MAX_NAMED`] of those),
        /// and its driver's dependencies.
        waiting_for: Vec<Waiting>,
        /// Earlier members not completed beyond those in `waiting_for`: a
        /// driver's 5,000th member waits for 4,999, named by none.
        more_earlier: usize,
    },
    /// `approval.required` and not approved yet.
    NeedsApproval,
    Rejected {
        by: Option<String>,
    },
    /// A failed run: reset it or work it again.
    Failed,
    /// Its status lets it run, yet `chant work` would refuse it (the
    /// quality gate, a missing prompt, no title, ...): never "ready".
    Refused(Box<WorkRefusal>),
    Ready,
}

/// One spec another waits for before `chant work` runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub id: String,
    /// Its status, when chant finds it.
    pub status: Option<SpecStatus>,
    /// An earlier member of the same driver, not a `depends_on` entry.
    pub earlier_member: bool,
    /// A dependency of the spec's driver (`chant work` checks them when it
    /// moves a member to in_progress), not one of its own.
    pub of_driver: Option<String>,
}

impl Waiting {
    fn describe(&self) -> String {
        if let Some(driver) = &self.of_driver {
            let status = self.status.map_or("unknown to chant", |s| s.as_str());
            return format!(
                "{} ({status}, a dependency of its driver {driver})",
                self.id
            );
        }
        match (self.status, self.earlier_member) {
            (Some(status), false) => format!("{} ({})", self.id, status.as_str()),
            (None, false) => format!("{} (unknown to chant)", self.id),
            (Some(status), true) => format!("{} ({}, an earlier member)", self.id, status.as_str()),
            (None, true) => format!("{} (missing, an earlier member)", self.id),
        }
    }
}

impl Readiness {
    /// One or two words: `ready`, `blocked`, `needs approval`...
    pub fn label(&self) -> &'static str {
        match self {
            Readiness::Unreadable => "unreadable",
            Readiness::Completed => "completed",
            Readiness::Cancelled => "cancelled",
            Readiness::InProgress => "in progress",
            Readiness::Blocked { .. } => "blocked",
            Readiness::NeedsApproval => "needs approval",
            Readiness::Rejected { .. } => "rejected",
            Readiness::Failed => "failed",
            Readiness::Refused(_) => "refused",
            Readiness::Ready => "ready",
        }
    }

    /// A stable machine name for editors: `ready`, `blocked`, `needs_approval`...
    pub fn name(&self) -> &'static str {
        match self {
            Readiness::Unreadable => "unreadable",
            Readiness::Completed => "completed",
            Readiness::Cancelled => "cancelled",
            Readiness::InProgress => "in_progress",
            Readiness::Blocked { .. } => "blocked",
            Readiness::NeedsApproval => "needs_approval",
            Readiness::Rejected { .. } => "rejected",
            Readiness::Failed => "failed",
            Readiness::Refused(_) => "refused",
            Readiness::Ready => "ready",
        }
    }

    /// Why, in a sentence fragment: "waiting for 2026-01-29-002-def (in_progress)".
    pub fn reason(&self) -> String {
        match self {
            Readiness::Unreadable => "chant cannot read its frontmatter".into(),
            Readiness::Completed => "completed".into(),
            Readiness::Cancelled => "cancelled".into(),
            Readiness::InProgress => "a run is in progress (status: in_progress)".into(),
            Readiness::Blocked {
                waiting_for,
                more_earlier,
            } => format!(
                "waiting for {}",
                named(
                    waiting_for.iter().map(Waiting::describe),
                    waiting_for.len() + more_earlier
                )
            ),
            Readiness::NeedsApproval => "needs approval before work can begin".into(),
            Readiness::Rejected { by: Some(by) } => format!("rejected by {by}"),
            Readiness::Rejected { by: None } => "rejected".into(),
            Readiness::Failed => "the last run failed: work it again, or reset it".into(),
            Readiness::Refused(refusal) => refusal.short.clone(),
            Readiness::Ready => "ready to work".into(),
        }
    }
}

/// Where the spec `id` stands for `chant work`: the checks `work_refusal`
/// makes, as data (a member waits for its own `depends_on` and for the
/// earlier members of its driver; a dependency counts as met only when it
/// is completed). A spec whose status lets it run is `Ready` only when
/// [`work_refusal_of`], the answer that decides whether Work is offered,
/// has nothing against it.
pub fn assess(text: &str, model: &SpecModel, id: &str, ws: &dyn WorkspaceFacts) -> Readiness {
    let status = assess_status(model, id, ws);
    if !matches!(status, Readiness::Ready | Readiness::Failed) {
        return status;
    }
    match work_refusal_of(text, model, id, ws, WorkOptions::default()) {
        Some(refusal) => Readiness::Refused(Box::new(refusal)),
        None => status,
    }
}

/// [`assess`] from the status, approval and dependencies alone.
fn assess_status(model: &SpecModel, id: &str, ws: &dyn WorkspaceFacts) -> Readiness {
    if !model.chant_accepts() {
        return Readiness::Unreadable;
    }
    let v = model.values();
    match v.status {
        SpecStatus::Completed => return Readiness::Completed,
        SpecStatus::Cancelled => return Readiness::Cancelled,
        SpecStatus::InProgress => return Readiness::InProgress,
        _ => {}
    }
    let approval = v.approval.as_ref().filter(|a| a.required);
    if let Some(approval) = approval.filter(|a| a.status == ApprovalStatus::Rejected) {
        return Readiness::Rejected {
            by: approval.by.clone(),
        };
    }
    let (waiting, more_earlier) = waiting_for(id, v.depends_on.as_deref().unwrap_or_default(), ws);
    if !waiting.is_empty() {
        return Readiness::Blocked {
            waiting_for: waiting,
            more_earlier,
        };
    }
    if approval.is_some_and(|a| a.status != ApprovalStatus::Approved) {
        return Readiness::NeedsApproval;
    }
    if v.status == SpecStatus::Failed {
        return Readiness::Failed;
    }
    Readiness::Ready
}

/// The prompt `chant work` would use (chant.md section 5).
pub fn chosen_prompt(
    model: &SpecModel,
    ws: &dyn WorkspaceFacts,
    prompt_override: Option<&str>,
) -> String {
    let v = model.values();
    if let Some(p) = prompt_override {
        return p.to_string();
    }
    if let Some(p) = &v.prompt {
        return p.clone();
    }
    if v.r#type == SpecType::Documentation && ws.prompt_exists("documentation") {
        return "documentation".into();
    }
    ws.config()
        .default_prompt
        .clone()
        .unwrap_or_else(|| "bootstrap".into())
}

/// How `chant work` is asked to run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WorkOptions<'a> {
    /// `--prompt NAME`.
    pub prompt: Option<&'a str>,
    /// `--skip-criteria`: skips chant's quality gate, and with it the
    /// status precondition (a completed, cancelled or in-progress spec then
    /// fails a step later, when chant cannot move it to in_progress).
    pub skip_quality: bool,
    /// The spec's grades when they are at hand (a caller deciding many
    /// commands on one spec grades it once); None: graded here.
    pub graded: Option<&'a quality::Quality>,
}

/// Why `chant work` would refuse (or fail early on) this spec, if it would.
pub fn work_refusal(
    text: &str,
    model: &SpecModel,
    id: &str,
    ws: &dyn WorkspaceFacts,
    prompt_override: Option<&str>,
) -> Option<String> {
    work_refusal_with(
        text,
        model,
        id,
        ws,
        WorkOptions {
            prompt: prompt_override,
            ..WorkOptions::default()
        },
    )
}

/// Why `chant work <id> --no-watch` (with `options`), run without a
/// terminal, would stop before running the agent (or fail right after
/// marking the spec in_progress, as a missing prompt does). The checks
/// follow chant 0.23.2's order: config, the spec itself, drivers (see
/// [`work_plan`]), the lint of the spec (title, unknown dependencies),
/// status, approval, dependencies and earlier siblings not completed, the
/// quality gate, the move to in_progress, the prompt.
pub fn work_refusal_with(
    text: &str,
    model: &SpecModel,
    id: &str,
    ws: &dyn WorkspaceFacts,
    options: WorkOptions,
) -> Option<String> {
    work_refusal_of(text, model, id, ws, options).map(|r| r.message)
}

/// [`work_refusal_with`], with the refusal's short form.
pub fn work_refusal_of(
    text: &str,
    model: &SpecModel,
    id: &str,
    ws: &dyn WorkspaceFacts,
    options: WorkOptions,
) -> Option<WorkRefusal> {
    let refuse = |short: String, message: String| Some(WorkRefusal::new(short, message));
    if let Some(problem) = &ws.config().problem {
        return refuse("chant cannot load its config".into(), format!("chant cannot load its config ({problem}): every `chant work` stops with \"Failed to parse config frontmatter\". Fix .chant/config.md, save, and try again."));
    }
    if let Some(problem) = parse_problem(text, model) {
        return refuse("chant cannot read its frontmatter".into(), problem);
    }
    let v = model.values();
    match work_plan(model, id, ws, options) {
        WorkPlan::Single => {}
        WorkPlan::NoMembers => return refuse("a driver with no members".into(), format!("This {} spec has no member specs (`{id}.1`, ...): chant work refuses an empty driver (\"Cannot execute an empty driver\"). Create its members first.", v.r#type.as_str())),
        WorkPlan::AllCompleted { members } => return refuse("every member is completed".into(), format!("Every member of this driver ({}) is completed: chant work has nothing to run.", members.len())),
        WorkPlan::Chain { members } => {
            if let Some(first) = members.iter().find(|m| m.skipped.is_none()) {
                return first.fails.as_ref().map(|why| WorkRefusal::new(format!("its first member, {}, would fail", first.id), format!("chant work runs this spec's members as a chain, and the first it would run, {}, fails before its agent starts: {why}. (chant 0.23.2 then keeps looking for a spec to run and does not stop.)", first.id)));
            }
            let why = named(
                members
                    .iter()
                    .map(|m| format!("{} ({})", m.id, m.skipped.as_deref().unwrap_or(""))),
                members.len(),
            );
            return refuse("none of its members can run now".into(), format!("chant work runs this spec's members as a chain, and none of them can run now: {why}. (chant then goes on with other ready specs of the project, or keeps looping.)"));
        }
    }
    if model.body.title.is_none() {
        return refuse("no title".into(), "This spec has no title (a line starting with `# `): chant work lints it first and stops with \"Missing title\". Add a title, save, and try again.".into());
    }
    let deps = v.depends_on.clone().unwrap_or_default();
    let unknown: Vec<&String> = deps
        .iter()
        .filter(|d| !matches!(ws.lookup_spec(d), SpecLookup::Found { .. }))
        .collect();
    if !unknown.is_empty() {
        let names = named(unknown.iter().map(|s| s.to_string()), unknown.len());
        return refuse(format!("unknown dependencies: {names}"), format!(
            "chant work lints this spec first and stops on unknown dependencies: {}. Fix `depends_on` (the IDs must name specs directly in .chant/specs), save, and try again.",
            named(unknown.iter().map(|s| s.to_string()), unknown.len())
        ));
    }
    if !options.skip_quality {
        match v.status {
            SpecStatus::Completed => return refuse("completed".into(), "This spec is completed: chant work refuses completed specs. To run it again, set `status: pending`, save, and try again.".into()),
            SpecStatus::Cancelled => return refuse("cancelled".into(), "This spec is cancelled: chant work refuses cancelled specs. To run it, set `status: pending`, save, and try again.".into()),
            SpecStatus::InProgress => return refuse("in progress".into(), format!("This spec is already in progress (`status: in_progress`): chant work refuses it. If no run is going on (an earlier run was stopped), set `status: failed` or `pending`, save, and try again; the branch chant/{id} from that run may still hold its work.")),
            _ => {}
        }
    }
    if let Some(approval) = v.approval.as_ref().filter(|a| a.required) {
        match approval.status {
            ApprovalStatus::Approved => {}
            ApprovalStatus::Rejected => {
                let by = approval
                    .by
                    .as_ref()
                    .map(|b| format!(" by {b}"))
                    .unwrap_or_default();
                return refuse(format!("rejected{by}"), format!("This spec was rejected{by}: chant work refuses it until it is approved. Address the feedback, then approve it (\"Approve spec\")."));
            }
            ApprovalStatus::Pending => {
                return refuse("needs approval".into(), "This spec requires approval before work can begin (`approval.required: true`): approve it first (\"Approve spec\").".into());
            }
        }
    }
    if let Some(blockers) = blocking(id, &deps, ws) {
        return refuse(format!("blocked by {blockers}"), format!(
            "This spec is blocked by dependencies that are not completed: {blockers}. chant work refuses it until they are completed (for `chant work`, a cancelled dependency blocks too)."
        ));
    }
    if !options.skip_quality {
        let graded;
        let quality = match options.graded {
            Some(quality) => quality,
            None => {
                graded = quality::assess(text, model, ws.config());
                &graded
            }
        };
        if quality.refused_without_terminal() {
            let mut refusal = WorkRefusal::new(
                format!("{} — Work anyway skips the quality check", quality.summary()),
                format!(
                "chant grades this spec {}: run without a terminal, chant work refuses it (\"Cannot proceed in non-interactive mode with quality issues\"). Improve the spec, or work it anyway, skipping the quality check (`--skip-criteria`).",
                quality.summary()
            ));
            refusal.quality_gate = true;
            return Some(refusal);
        }
    }
    match v.status {
        SpecStatus::Ready => return refuse("`status: ready` cannot start".into(), "`status: ready` has no transition to in_progress, so chant work fails on it. Set `status: pending`, save, and try again.".into()),
        SpecStatus::Completed | SpecStatus::Cancelled => {
            return refuse(format!("`status: {}` cannot start", v.status.as_str()), format!("chant cannot move a spec from `{}` to in_progress, so chant work fails on it even when the quality check is skipped. Set `status: pending`, save, and try again.", v.status.as_str()))
        }
        _ => {}
    }
    let drivers = driver_waits_for(id, ws);
    if !drivers.is_empty() {
        let names = named(drivers.iter().map(Waiting::describe), drivers.len());
        return refuse(format!("waiting for its driver's dependencies: {names}"), format!(
            "This member waits for its driver's dependencies: {}. chant work stops when it moves the spec to in_progress (\"Dependencies not met\") until they are completed or cancelled.",
            named(drivers.iter().map(Waiting::describe), drivers.len())
        ));
    }
    let prompt = chosen_prompt(model, ws, options.prompt);
    if !ws.prompt_exists(&prompt) {
        return refuse(format!("prompt not found: {prompt}"), format!(
            "Prompt not found: {prompt}. There is no .chant/prompts/{prompt}.md, and chant would mark the spec in_progress before failing. Create that prompt or choose another one (\"Work with prompt ...\")."
        ));
    }
    None
}

/// Why `chant work` would not run a spec now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkRefusal {
    /// A few words for a lens or an inlay hint: "no title", "prompt not
    /// found: triage", "Refine: complexity D (12 criteria) — Work anyway
    /// skips the quality check".
    pub short: String,
    /// What to tell the user: chant's words and what to do.
    pub message: String,
    /// The first check that refuses is chant's quality gate
    /// (`--skip-criteria` passes it).
    pub quality_gate: bool,
}

impl WorkRefusal {
    fn new(short: String, message: String) -> WorkRefusal {
        WorkRefusal {
            short,
            message,
            quality_gate: false,
        }
    }
}

/// What `chant work` waits for (dependencies are checked with `--skip-deps`
/// absent): each `depends_on` entry that is not completed (cancelled ones
/// included), and for a member `X.N`, the earlier siblings `X.1` ..
/// `X.(N-1)` that are missing or not completed (the first [`MAX_NAMED`] of
/// them; the second value counts the others).
fn waiting_for(id: &str, deps: &[String], ws: &dyn WorkspaceFacts) -> (Vec<Waiting>, usize) {
    // Unknown dependencies were refused by the lint already; the rest are
    // looked up as chant work loads specs, in every folder.
    let mut out: Vec<Waiting> = deps
        .iter()
        .filter_map(|dep| {
            let status = ws.status_anywhere(dep);
            (status != Some(SpecStatus::Completed)).then(|| Waiting {
                id: dep.clone(),
                status,
                earlier_member: false,
                of_driver: None,
            })
        })
        .collect();
    let mut more_earlier = 0;
    if let (Some(driver), Some(n)) = (driver_of(id), member_number(id)) {
        let earlier = ws.unfinished_earlier_members(driver, n, MAX_NAMED);
        more_earlier = earlier.total - earlier.first.len();
        out.extend(earlier.first.into_iter().map(|(id, status)| Waiting {
            id,
            status,
            earlier_member: true,
            of_driver: None,
        }));
    }
    out.extend(driver_waits_for(id, ws));
    (out, more_earlier)
}

/// For a member, its driver's dependencies (other than the driver's own
/// members) that are neither completed nor cancelled: chant's `is_blocked`,
/// which `chant work` checks when it moves the member to in_progress
/// ("Dependencies not met: Spec has unmet dependencies").
fn driver_waits_for(id: &str, ws: &dyn WorkspaceFacts) -> Vec<Waiting> {
    let Some(driver) = driver_of(id) else {
        return Vec::new();
    };
    let member_prefix = format!("{driver}.");
    ws.dependencies_of(driver)
        .into_iter()
        .filter(|dep| !dep.starts_with(&member_prefix))
        .filter_map(|dep| {
            let status = ws.status_anywhere(&dep);
            (!matches!(status, Some(SpecStatus::Completed | SpecStatus::Cancelled))).then(|| {
                Waiting {
                    id: dep,
                    status,
                    earlier_member: false,
                    of_driver: Some(driver.to_string()),
                }
            })
        })
        .collect()
}

/// The status chant gives a spec when it loads it (`apply_blocked_status`):
/// a pending or blocked spec becomes `blocked` while chant's `is_blocked`
/// holds and `pending` otherwise. Commands that check the status they load
/// (`chant split`) see this one, not the file's.
pub fn status_on_load(model: &SpecModel, id: &str, ws: &dyn WorkspaceFacts) -> SpecStatus {
    let v = model.values();
    match v.status {
        SpecStatus::Pending | SpecStatus::Blocked if blocked_on_load(model, id, ws) => {
            SpecStatus::Blocked
        }
        SpecStatus::Pending | SpecStatus::Blocked => SpecStatus::Pending,
        status => status,
    }
}

/// chant's `Spec::is_blocked`, which differs from what `chant work` checks
/// first: a cancelled dependency counts as met, earlier members do not
/// count, and a pending spec that needs approval is blocked. (A member
/// also waits for its driver's dependencies, which `chant work` checks too,
/// when it moves the spec to in_progress.)
fn blocked_on_load(model: &SpecModel, id: &str, ws: &dyn WorkspaceFacts) -> bool {
    !blocked_on_load_because(model, id, ws).is_empty()
}

const NEEDS_APPROVAL: &str = "it needs approval";

/// Why chant's `is_blocked` holds, one reason each: "waiting for X
/// (pending)", "waiting for Y (in_progress, a dependency of its driver
/// D)", "it needs approval". Empty when it does not.
fn blocked_on_load_because(model: &SpecModel, id: &str, ws: &dyn WorkspaceFacts) -> Vec<String> {
    let v = model.values();
    let unmet = |dep: &&String| {
        !matches!(
            ws.status_anywhere(dep),
            Some(SpecStatus::Completed | SpecStatus::Cancelled)
        )
    };
    let describe = |dep: &String| {
        Waiting {
            id: dep.clone(),
            status: ws.status_anywhere(dep),
            earlier_member: false,
            of_driver: None,
        }
        .describe()
    };
    let mut because = Vec::new();
    let own: Vec<&String> = v
        .depends_on
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter(unmet)
        .collect();
    if !own.is_empty() {
        because.push(format!(
            "waiting for {}",
            named(own.iter().map(|d| describe(d)), own.len())
        ));
    }
    let drivers = driver_waits_for(id, ws);
    if !drivers.is_empty() {
        because.push(format!(
            "waiting for {}",
            named(drivers.iter().map(Waiting::describe), drivers.len())
        ));
    }
    if v.status == SpecStatus::Pending
        && v.approval
            .as_ref()
            .is_some_and(|a| a.required && a.status != ApprovalStatus::Approved)
    {
        because.push(NEEDS_APPROVAL.to_string());
    }
    because
}

/// Where `chant list` (which shows the status chant gives a spec on load,
/// [`status_on_load`]) disagrees with `chant work`'s `readiness` (the
/// spec's [`assess`]), the sentence that says so; None where they agree.
pub fn list_disagreement(
    model: &SpecModel,
    id: &str,
    ws: &dyn WorkspaceFacts,
    readiness: &Readiness,
) -> Option<String> {
    if !model.chant_accepts() {
        return None;
    }
    let approval_said = matches!(
        readiness,
        Readiness::NeedsApproval | Readiness::Rejected { .. }
    );
    match (status_on_load(model, id, ws), readiness) {
        (SpecStatus::Blocked, Readiness::Blocked { .. }) => None,
        (SpecStatus::Blocked, _) => {
            // The readiness stopped before the dependencies (a rejected
            // spec) or at the approval: the list's other reasons, if any.
            let because: Vec<String> = blocked_on_load_because(model, id, ws)
                .into_iter()
                .filter(|why| !(approval_said && why == NEEDS_APPROVAL))
                .collect();
            (!because.is_empty())
                .then(|| format!("`chant list` shows it as blocked ({}).", because.join("; ")))
        }
        (
            SpecStatus::Pending,
            Readiness::Blocked {
                waiting_for,
                more_earlier,
            },
        ) => {
            let mut differences = Vec::new();
            if waiting_for
                .iter()
                .any(|w| !w.earlier_member && w.status == Some(SpecStatus::Cancelled))
            {
                differences.push("counts a cancelled dependency as met");
            }
            if *more_earlier > 0 || waiting_for.iter().any(|w| w.earlier_member) {
                differences.push("does not wait for earlier members");
            }
            Some(format!(
                "`chant list` shows it as pending: unlike `chant work`, it {}.",
                differences.join(" and ")
            ))
        }
        _ => None,
    }
}

/// [`waiting_for`] as the refusal names them (the first few, and how many
/// more); None when nothing blocks.
fn blocking(id: &str, deps: &[String], ws: &dyn WorkspaceFacts) -> Option<String> {
    let (waiting, more_earlier) = waiting_for(id, deps, ws);
    let own: Vec<&Waiting> = waiting.iter().filter(|w| w.of_driver.is_none()).collect();
    (!own.is_empty()).then(|| named(own.iter().map(|w| w.describe()), own.len() + more_earlier))
}

/// The number of a member ID (`X.3` → 3, `X.3.1` → 3).
fn member_number(id: &str) -> Option<u32> {
    let (_, suffix) = id.split_once('.')?;
    let digits: String = suffix.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// What `chant work <id>` does with a spec: work it alone, or, for a driver,
/// a group, or any spec that has members (files named `<id>.<anything>`),
/// run its members as a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkPlan {
    Single,
    /// A driver with no members: chant refuses it.
    NoMembers,
    /// Every member is completed: chant says so and runs nothing.
    AllCompleted {
        members: Vec<String>,
    },
    /// The members in the order chant takes them (by member number), each
    /// with what chant does with it. After the last one, chant goes on
    /// with every other ready spec of the project, as `chant work --chain`
    /// does.
    Chain {
        members: Vec<PlannedMember>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedMember {
    pub id: String,
    /// Why chant skips it, when it does (it runs the rest).
    pub skipped: Option<String>,
    /// For the first member chant would run: why it fails before its agent
    /// starts (chant then marks the group failed, skips the rest, and in
    /// 0.23.2 keeps looking for a spec to run for ever).
    pub fails: Option<String>,
}

/// What `chant work <id>` would do with this spec (see [`WorkPlan`]).
pub fn work_plan(
    model: &SpecModel,
    id: &str,
    ws: &dyn WorkspaceFacts,
    options: WorkOptions,
) -> WorkPlan {
    let mut members = ws.member_ids(id);
    let is_group = matches!(model.values().r#type, SpecType::Driver | SpecType::Group);
    if !is_group && members.is_empty() {
        return WorkPlan::Single;
    }
    if members.is_empty() {
        return WorkPlan::NoMembers;
    }
    members.sort_by(|a, b| compare_member_ids(a, b));
    // chant work loads specs from every folder of .chant/specs.
    let status = |m: &str| ws.status_anywhere(m);
    if members
        .iter()
        .all(|m| status(m) == Some(SpecStatus::Completed))
    {
        return WorkPlan::AllCompleted { members };
    }
    let driver_deps: Vec<String> = model.values().depends_on.clone().unwrap_or_default();
    let done_or_cancelled = |d: &str| {
        matches!(
            status(d),
            Some(SpecStatus::Completed | SpecStatus::Cancelled)
        )
    };
    // The members `<id>.<i>` not completed so far, by number: the members
    // come in that order, so a member's earlier ones are a prefix of it
    // (one pass, whatever the number of members).
    let mut unfinished: Vec<(u32, &str)> = Vec::new();
    let prefix = format!("{id}.");
    let members = members
        .iter()
        .map(|m| {
            let blockers: Vec<String> = ws
                .dependencies_of(m)
                .into_iter()
                .chain(
                    driver_deps
                        .iter()
                        .filter(|d| !(d.starts_with(&prefix) && d.len() > prefix.len()))
                        .cloned(),
                )
                .filter(|d| !done_or_cancelled(d))
                .collect();
            let number = member_number(m);
            let earlier: &[(u32, &str)] = match number {
                Some(n) => &unfinished[..unfinished.partition_point(|(i, _)| *i < n)],
                None => &[],
            };
            let earlier = (!earlier.is_empty())
                .then(|| named(earlier.iter().map(|(_, s)| s.to_string()), earlier.len()));
            let skipped = match status(m) {
                Some(SpecStatus::Cancelled) => Some("cancelled".to_string()),
                Some(SpecStatus::Completed) if !options.skip_quality => {
                    Some("completed".to_string())
                }
                Some(SpecStatus::Completed) => None,
                Some(SpecStatus::Pending | SpecStatus::Failed) | None => {
                    if !blockers.is_empty() {
                        Some(format!(
                            "blocked by {}",
                            named(blockers.iter().cloned(), blockers.len())
                        ))
                    } else if let Some(earlier) = earlier {
                        Some(format!("waits for {earlier}"))
                    } else if !ws.member_ids(m).is_empty() {
                        Some("it has members of its own".into())
                    } else {
                        None
                    }
                }
                Some(other) => Some(format!("`{}`, not pending", other.as_str())),
            };
            // `chant work` waits for `<id>.<i>` exactly (the sibling it
            // names), when it is one of the members and not completed.
            if let Some(n) = number.filter(|n| *m == format!("{id}.{n}")) {
                if status(m) != Some(SpecStatus::Completed) {
                    unfinished.push((n, m.as_str()));
                }
            }
            PlannedMember {
                id: m.clone(),
                skipped,
                fails: None,
            }
        })
        .collect::<Vec<_>>();
    let mut members = members;
    if let Some(first) = members.iter_mut().find(|m| m.skipped.is_none()) {
        first.fails = member_failure(&first.id, ws);
    }
    WorkPlan::Chain { members }
}

/// Why chant's chain fails to start a member's agent, as far as the
/// workspace tells: its lint (title, unknown dependencies), dependencies
/// not completed, and the prompt (in a chain chant takes the spec's
/// `prompt`, else config `defaults.prompt`, else `bootstrap`, without the
/// documentation default; a member's own `prompt` is not known here).
fn member_failure(id: &str, ws: &dyn WorkspaceFacts) -> Option<String> {
    match ws.lookup_spec(id) {
        SpecLookup::Found { title: None, .. } => return Some("no title".into()),
        SpecLookup::Found { .. } => {}
        _ => return None,
    }
    for dep in ws.dependencies_of(id) {
        match ws.lookup_spec(&dep) {
            SpecLookup::Found {
                status: SpecStatus::Completed,
                ..
            } => {}
            SpecLookup::Found { status, .. } => {
                return Some(format!("dependency {dep} is {}", status.as_str()))
            }
            _ => return Some(format!("unknown dependency {dep}")),
        }
    }
    let prompt = ws
        .config()
        .default_prompt
        .clone()
        .unwrap_or_else(|| "bootstrap".into());
    (!ws.prompt_exists(&prompt)).then(|| format!("Prompt not found: {prompt}"))
}

/// chant's order of member IDs: by member number, then by the rest.
fn compare_member_ids(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |id: &str| (member_number(id).unwrap_or(u32::MAX), id.to_string());
    key(a).cmp(&key(b))
}

/// Why `chant approve` would fail or do nothing.
pub fn approve_refusal(text: &str, model: &SpecModel) -> Option<String> {
    if let Some(problem) = parse_problem(text, model) {
        return Some(problem);
    }
    let approval = model.values().approval.as_ref()?;
    (approval.status == ApprovalStatus::Approved).then(|| {
        let by = approval
            .by
            .as_ref()
            .map(|b| format!(" by {b}"))
            .unwrap_or_default();
        format!("This spec is already approved{by}: chant approve would change nothing.")
    })
}

/// Why `chant reject` would fail.
pub fn reject_refusal(text: &str, model: &SpecModel) -> Option<String> {
    parse_problem(text, model)
}

/// [`reject_refusal`], knowing the workspace: chant reject also loads the
/// config first and stops when it cannot (chant approve does not).
pub fn reject_refusal_in(text: &str, model: &SpecModel, ws: &dyn WorkspaceFacts) -> Option<String> {
    if let Some(problem) = &ws.config().problem {
        return Some(format!("chant cannot load its config ({problem}): `chant reject` stops with \"Failed to parse config frontmatter\". Fix .chant/config.md first."));
    }
    reject_refusal(text, model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::PathState;
    use crate::spec::config::ChantConfig;
    use std::collections::HashMap;

    struct Ws {
        config: ChantConfig,
        specs: HashMap<&'static str, SpecStatus>,
        prompts: Vec<&'static str>,
    }

    impl WorkspaceFacts for Ws {
        fn config(&self) -> &ChantConfig {
            &self.config
        }
        fn lookup_spec(&self, id: &str) -> SpecLookup {
            match self.specs.get(id) {
                Some(status) => SpecLookup::Found {
                    status: *status,
                    title: None,
                },
                None => SpecLookup::Missing,
            }
        }
        fn prompt_exists(&self, name: &str) -> bool {
            self.prompts.contains(&name)
        }
        fn prompt_names(&self) -> Vec<String> {
            self.prompts.iter().map(|p| p.to_string()).collect()
        }
        fn closest_spec_id(&self, _: &str) -> Option<String> {
            None
        }
        fn path_state(&self, _: &str) -> PathState {
            PathState::Missing
        }
        fn escapes_root(&self, _: &str) -> bool {
            false
        }
        fn dependencies_of(&self, _: &str) -> Vec<String> {
            Vec::new()
        }
        fn member_ids(&self, driver: &str) -> Vec<String> {
            let prefix = format!("{driver}.");
            self.specs
                .keys()
                .filter(|id| id.starts_with(&prefix) && id.len() > prefix.len())
                .map(|id| id.to_string())
                .collect()
        }
        fn spec_files(&self, _: &str, _: usize) -> (Vec<std::path::PathBuf>, usize) {
            (Vec::new(), 0)
        }
    }

    fn ws() -> Ws {
        Ws {
            config: ChantConfig::parse("---\ndefaults:\n  prompt: standard\n---\n"),
            specs: HashMap::from([
                ("done", SpecStatus::Completed),
                ("open", SpecStatus::Pending),
            ]),
            prompts: vec!["standard", "documentation"],
        }
    }

    fn work(text: &str) -> Option<String> {
        work_refusal(text, &SpecModel::parse(text), "x", &ws(), None)
    }

    const CRITERIA: &str = "\n\n## Acceptance Criteria\n\n- [ ] it works\n";

    #[test]
    fn a_workable_spec_passes() {
        assert_eq!(
            work(&format!("---\ndepends_on: [done]\n---\n# T{CRITERIA}")),
            None
        );
    }

    #[test]
    fn each_refusal_says_why() {
        let cases = [
            ("---\nstatus: opne\n---\n# T", "line 2"),
            ("---\nstatus: pending\n---\nno title", "no title"),
            (
                "---\ndepends_on: [nope]\n---\n# T",
                "unknown dependencies: nope",
            ),
            ("---\nstatus: completed\n---\n# T", "is completed"),
            ("---\nstatus: cancelled\n---\n# T", "is cancelled"),
            ("---\nstatus: in_progress\n---\n# T", "already in progress"),
            (
                "---\napproval:\n  required: true\n---\n# T",
                "requires approval",
            ),
            (
                "---\napproval:\n  required: true\n  status: rejected\n  by: Bo\n---\n# T",
                "rejected by Bo",
            ),
            ("---\ndepends_on: [open]\n---\n# T", "open (pending)"),
            ("---\nstatus: ready\n---\n# T", "status: ready"),
            ("---\nprompt: nope\n---\n# T", "Prompt not found: nope"),
        ];
        for (head, expected) in cases {
            let text = format!("{head}{CRITERIA}");
            let refusal = work(&text).unwrap_or_default();
            assert!(refusal.contains(expected), "{head:?}: {refusal}");
        }
        let refusal = work("---\nstatus: pending\n---\n# T\n").unwrap();
        assert!(refusal.contains("acceptance criteria D"), "{refusal}");
        let text = format!("# T{CRITERIA}");
        let model = SpecModel::parse(&text);
        assert!(work_refusal(&text, &model, "x", &ws(), Some("missing"))
            .unwrap()
            .contains("Prompt not found: missing"));
        assert_eq!(
            work_refusal(&text, &model, "x", &ws(), Some("standard")),
            None
        );
    }

    fn work_with(text: &str, ws: &Ws, skip_quality: bool) -> Option<String> {
        work_id(text, ws, "x.2", skip_quality)
    }

    fn work_id(text: &str, ws: &Ws, id: &str, skip_quality: bool) -> Option<String> {
        let options = WorkOptions {
            skip_quality,
            ..WorkOptions::default()
        };
        work_refusal_with(text, &SpecModel::parse(text), id, ws, options)
    }

    #[test]
    fn the_quality_gate_and_skipping_it() {
        let ws = ws();
        let mut many = String::from("---\n---\n# T\n\n## Acceptance Criteria\n\n");
        for i in 0..9 {
            many.push_str(&format!("- [ ] add {i}\n"));
        }
        let refusal = work_id(&many, &ws, "x", false).unwrap_or_default();
        assert!(
            refusal.contains("Refine: complexity D (9 criteria)"),
            "{refusal}"
        );
        // x.2 needs x.1 completed.
        let mut ws = ws;
        ws.specs.insert("x.1", SpecStatus::Completed);
        assert_eq!(work_with(&many, &ws, true), None);
        // Skipping the check also skips the status precondition, but chant
        // still cannot move a completed spec to in_progress.
        let done = many.replace("---\n---", "---\nstatus: completed\n---");
        assert!(work_with(&done, &ws, true).unwrap().contains("cannot move"));
    }

    #[test]
    fn dependencies_as_chant_work_checks_them() {
        let mut ws = ws();
        ws.specs.insert("gone", SpecStatus::Cancelled);
        let text = format!("---\ndepends_on: [gone]\n---\n# T{CRITERIA}");
        assert!(work_id(&text, &ws, "x", false)
            .unwrap()
            .contains("gone (cancelled)"));
        // A member waits for its earlier siblings.
        let text = format!("# T{CRITERIA}");
        assert!(work_with(&text, &ws, false)
            .unwrap()
            .contains("x.1 (missing, an earlier member)"));
        let broken = Ws {
            config: ChantConfig::parse("---\nlint: {disable: ~}\n---\n"),
            ..ws
        };
        assert!(work_with(&text, &broken, false)
            .unwrap()
            .contains("cannot load its config"));
    }

    #[test]
    fn drivers_run_their_members_as_a_chain() {
        let plan = |text: &str, ws: &Ws| {
            work_plan(&SpecModel::parse(text), "d", ws, WorkOptions::default())
        };
        let driver = "---\ntype: driver\n---\n# D\n";
        let mut ws = ws();
        assert_eq!(plan(driver, &ws), WorkPlan::NoMembers);
        assert!(work_id(driver, &ws, "d", false)
            .unwrap()
            .contains("empty driver"));
        // A plain spec with member files is a chain too, in member order.
        ws.specs.insert("d.10", SpecStatus::Pending);
        ws.specs.insert("d.2", SpecStatus::Completed);
        ws.specs.insert("d.1", SpecStatus::Cancelled);
        let WorkPlan::Chain { members } = plan("# plain\n", &ws) else {
            panic!("not a chain");
        };
        let order: Vec<(&str, Option<&str>)> = members
            .iter()
            .map(|m| (m.id.as_str(), m.skipped.as_deref()))
            .collect();
        assert_eq!(
            order,
            [
                ("d.1", Some("cancelled")),
                ("d.2", Some("completed")),
                ("d.10", Some("waits for d.1"))
            ]
        );
        assert!(work_id("# plain\n", &ws, "d", false)
            .unwrap()
            .contains("none of them can run now"));
        // The first member it would run has no title: chant fails on it.
        ws.specs.insert("d.1", SpecStatus::Completed);
        assert!(work_id("# plain\n", &ws, "d", false)
            .unwrap()
            .contains("the first it would run, d.10"));
        ws.specs.insert("d.10", SpecStatus::Completed);
        ws.specs.insert("d.1", SpecStatus::Completed);
        assert!(matches!(plan(driver, &ws), WorkPlan::AllCompleted { .. }));
    }

    #[test]
    fn the_prompt_chant_would_choose() {
        let ws = ws();
        let pick = |text: &str| chosen_prompt(&SpecModel::parse(text), &ws, None);
        assert_eq!(pick("---\nprompt: mine\n---\n# T"), "mine");
        assert_eq!(pick("---\ntype: documentation\n---\n# T"), "documentation");
        assert_eq!(pick("# T"), "standard");
        let bare = Ws {
            config: ChantConfig::default(),
            ..ws
        };
        assert_eq!(
            chosen_prompt(&SpecModel::parse("# T"), &bare, None),
            "bootstrap"
        );
    }

    #[test]
    fn approve_and_reject_refusals() {
        let approved =
            "---\napproval:\n  required: true\n  status: approved\n  by: Ada\n  at: x\n---\n# T";
        assert!(approve_refusal(approved, &SpecModel::parse(approved))
            .unwrap()
            .contains("already approved by Ada"));
        assert_eq!(reject_refusal(approved, &SpecModel::parse(approved)), None);
        let pending = "---\napproval:\n  required: true\n---\n# T";
        assert_eq!(approve_refusal(pending, &SpecModel::parse(pending)), None);
        let broken = "---\ntype: nope\n---\n# T";
        assert!(reject_refusal(broken, &SpecModel::parse(broken)).is_some());
    }
}
