//! The chant invocations the core decides on, and what may reach chant's
//! command line: every value is validated first, and the command is an
//! argument vector (never a shell line). Flag values are passed as
//! `--flag=value`, so a value can never be read as another flag.

use std::fmt;

use crate::spec::id::is_safe_id;

/// One chant invocation the server makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChantCommand {
    /// `chant work <id> --no-watch [--prompt=NAME] [--skip-criteria]`
    Work {
        id: String,
        prompt: Option<String>,
        /// `--skip-criteria`: skip chant's quality gate.
        skip_quality: bool,
    },
    /// `chant approve <id> --by=NAME`
    Approve { id: String, by: String },
    /// `chant reject <id> --by=NAME --reason=TEXT`
    Reject {
        id: String,
        by: String,
        reason: String,
    },
    /// `chant add [--prompt=NAME] [--needs-approval] -- TITLE`
    Add {
        title: String,
        prompt: Option<String>,
        needs_approval: bool,
    },
    /// `chant merge <id> --yes`
    Merge { id: String },
    /// `chant merge --all --yes`
    MergeAll,
    /// `chant archive <id>`
    Archive { id: String },
    /// `chant reset <id>`
    Reset { id: String },
    /// `chant cancel <id> --yes [--delete]`
    Cancel { id: String, delete: bool },
    /// `chant verify <id>`
    Verify { id: String },
    /// `chant split <id>`
    Split { id: String },
}

/// How the runs of one command follow each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chain {
    /// One run.
    Single,
    /// `chant reset <id>`, then `chant work <id>` if the reset worked.
    ResetThenWork,
    /// `chant archive <id>` for each completed spec with the label; the
    /// others are `refused` (ID, why) before anything runs.
    ArchiveByLabel {
        label: String,
        refused: Vec<(String, String)>,
    },
}

impl Chain {
    /// Whether the next run follows one that ended so (`done`: it did
    /// what it was asked to).
    pub fn goes_on(&self, done: bool) -> bool {
        match self {
            Chain::Single => false,
            Chain::ResetThenWork => done,
            Chain::ArchiveByLabel { .. } => true,
        }
    }
}

/// What one editor command runs: chant's steps in order, how they chain,
/// and what is asked before they start. Decided by `ide::commands`, run by
/// `runner::job`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunPlan {
    /// The progress title: `chant work <id>`, `chant archive (label walk)`.
    pub title: String,
    pub steps: Vec<ChantCommand>,
    pub chain: Chain,
    /// Asked before anything runs; the steps run only on its `yes`.
    pub confirm: Option<Confirm>,
    /// `chant add`: the type and labels the new spec gets (chant add has
    /// no flags for them).
    pub new_spec: Option<NewSpec>,
    /// Files in the way of a merge (changed since "Apply agent changes")
    /// are stashed; without it the merge is refused, naming them.
    pub stash: bool,
    pub scope: Scope,
}

/// What a plan is about: one spec (one run at a time per spec file) or
/// the whole project (one at a time per project).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Spec { id: String },
    Project,
}

/// A question asked before a plan runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub message: String,
    pub yes: String,
    pub no: String,
    /// Said when the user does not answer `yes`.
    pub declined: String,
}

/// The type and labels of the spec `chant add` creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSpec {
    pub title: String,
    /// None: the user is asked (chant's types are the choices).
    pub spec_type: Option<String>,
    pub labels: Vec<String>,
}

impl RunPlan {
    /// One chant run about one spec.
    pub fn single(id: &str, command: ChantCommand) -> RunPlan {
        RunPlan {
            title: command.label(),
            steps: vec![command],
            chain: Chain::Single,
            confirm: None,
            new_spec: None,
            stash: false,
            scope: Scope::Spec { id: id.to_string() },
        }
    }
}

/// A value that must not reach chant, with what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidArgument {
    SpecId(String),
    Prompt(String),
    Approver(String),
    Reason(String),
    Title(String),
    Label(String),
    SpecType(String),
}

impl fmt::Display for InvalidArgument {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            InvalidArgument::SpecId(id) => write!(
                f,
                "The spec ID {id:?} cannot be passed to chant safely: IDs may hold only letters, digits, `-`, `_` and `.`, must not start with `-` or `.`, and must not contain `..`. Rename the spec file."
            ),
            InvalidArgument::Prompt(name) => write!(
                f,
                "The prompt name {name:?} cannot be passed to chant safely: prompt names may hold only letters, digits, `-`, `_` and `.`, must not start with `-` or `.`, and must not contain `..`."
            ),
            InvalidArgument::Approver(why) => write!(f, "Invalid approver name: {why}."),
            InvalidArgument::Reason(why) => write!(f, "Invalid rejection reason: {why}."),
            InvalidArgument::Title(why) => write!(f, "Invalid spec title: {why}."),
            InvalidArgument::Label(why) => write!(f, "Invalid label: {why}."),
            InvalidArgument::SpecType(value) => write!(
                f,
                "Invalid spec type {value:?}: chant knows {}.",
                SPEC_TYPES
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// Longest approver name accepted.
const MAX_NAME: usize = 200;
/// Longest rejection reason accepted.
const MAX_REASON: usize = 10_000;
/// Longest spec title accepted.
const MAX_TITLE: usize = 500;
/// Longest label accepted.
const MAX_LABEL: usize = 100;

/// The spec types chant knows, in the order editors offer them.
pub const SPEC_TYPES: [&str; 6] = [
    "code",
    "task",
    "research",
    "documentation",
    "driver",
    "group",
];

/// A prompt name that names a file in `.chant/prompts` and reads as one
/// argument: the same rule as spec IDs.
pub fn is_safe_prompt_name(name: &str) -> bool {
    is_safe_id(name)
}

/// A name for `--by`: trimmed, not empty, one line, no control characters.
pub fn validate_approver(name: &str) -> Result<String, InvalidArgument> {
    let name = name.trim();
    if name.is_empty() {
        return Err(InvalidArgument::Approver("the name is empty".into()));
    }
    if name.chars().count() > MAX_NAME {
        return Err(InvalidArgument::Approver(format!(
            "the name is longer than {MAX_NAME} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(InvalidArgument::Approver(
            "the name holds a line break or another control character".into(),
        ));
    }
    Ok(name.to_string())
}

/// A reason for `--reason`: trimmed, not empty; line breaks and tabs are
/// fine, other control characters are not.
pub fn validate_reason(reason: &str) -> Result<String, InvalidArgument> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(InvalidArgument::Reason(
            "a reason is required: say why the spec is rejected".into(),
        ));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(InvalidArgument::Reason(format!(
            "the reason is longer than {MAX_REASON} characters"
        )));
    }
    if reason
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err(InvalidArgument::Reason(
            "the reason holds a control character".into(),
        ));
    }
    Ok(reason.to_string())
}

/// A title for `chant add`: trimmed, not empty, one line (chant writes it
/// as the `# ` line), no control characters.
pub fn validate_title(title: &str) -> Result<String, InvalidArgument> {
    let title = title.trim();
    if title.is_empty() {
        return Err(InvalidArgument::Title("the title is empty".into()));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(InvalidArgument::Title(format!(
            "the title is longer than {MAX_TITLE} characters"
        )));
    }
    if title.chars().any(char::is_control) {
        return Err(InvalidArgument::Title(
            "the title holds a line break or another control character (chant writes it as one `# ` line)".into(),
        ));
    }
    Ok(title.to_string())
}

/// A label for a spec's `labels:`: trimmed, not empty, one line, no
/// control characters, and no `---` (chant ends the frontmatter at the
/// first `---` it finds, even inside a value).
pub fn validate_label(label: &str) -> Result<String, InvalidArgument> {
    let label = label.trim();
    if label.is_empty() {
        return Err(InvalidArgument::Label("the label is empty".into()));
    }
    if label.chars().count() > MAX_LABEL {
        return Err(InvalidArgument::Label(format!(
            "{label:?} is longer than {MAX_LABEL} characters"
        )));
    }
    if label.chars().any(char::is_control) {
        return Err(InvalidArgument::Label(format!(
            "{label:?} holds a line break or another control character"
        )));
    }
    if label.contains("---") {
        return Err(InvalidArgument::Label(format!(
            "{label:?} holds `---`, where chant would end the frontmatter"
        )));
    }
    Ok(label.to_string())
}

/// A spec type chant knows.
pub fn validate_spec_type(value: &str) -> Result<&'static str, InvalidArgument> {
    SPEC_TYPES
        .iter()
        .find(|t| **t == value.trim())
        .copied()
        .ok_or_else(|| InvalidArgument::SpecType(value.to_string()))
}

fn check_id(id: &str) -> Result<String, InvalidArgument> {
    if is_safe_id(id) {
        Ok(id.to_string())
    } else {
        Err(InvalidArgument::SpecId(id.to_string()))
    }
}

fn check_prompt(prompt: Option<&str>) -> Result<Option<String>, InvalidArgument> {
    match prompt {
        Some(p) if is_safe_prompt_name(p) => Ok(Some(p.to_string())),
        Some(p) => Err(InvalidArgument::Prompt(p.to_string())),
        None => Ok(None),
    }
}

impl ChantCommand {
    pub fn work(id: &str, prompt: Option<&str>) -> Result<ChantCommand, InvalidArgument> {
        ChantCommand::work_with(id, prompt, false)
    }

    /// `chant work`, with `--skip-criteria` when `skip_quality`.
    pub fn work_with(
        id: &str,
        prompt: Option<&str>,
        skip_quality: bool,
    ) -> Result<ChantCommand, InvalidArgument> {
        Ok(ChantCommand::Work {
            id: check_id(id)?,
            prompt: check_prompt(prompt)?,
            skip_quality,
        })
    }

    pub fn approve(id: &str, by: &str) -> Result<ChantCommand, InvalidArgument> {
        Ok(ChantCommand::Approve {
            id: check_id(id)?,
            by: validate_approver(by)?,
        })
    }

    pub fn reject(id: &str, by: &str, reason: &str) -> Result<ChantCommand, InvalidArgument> {
        Ok(ChantCommand::Reject {
            id: check_id(id)?,
            by: validate_approver(by)?,
            reason: validate_reason(reason)?,
        })
    }

    pub fn add(
        title: &str,
        prompt: Option<&str>,
        needs_approval: bool,
    ) -> Result<ChantCommand, InvalidArgument> {
        Ok(ChantCommand::Add {
            title: validate_title(title)?,
            prompt: check_prompt(prompt)?,
            needs_approval,
        })
    }

    pub fn merge(id: &str) -> Result<ChantCommand, InvalidArgument> {
        Ok(ChantCommand::Merge { id: check_id(id)? })
    }

    pub fn archive(id: &str) -> Result<ChantCommand, InvalidArgument> {
        Ok(ChantCommand::Archive { id: check_id(id)? })
    }

    pub fn reset(id: &str) -> Result<ChantCommand, InvalidArgument> {
        Ok(ChantCommand::Reset { id: check_id(id)? })
    }

    pub fn cancel(id: &str, delete: bool) -> Result<ChantCommand, InvalidArgument> {
        Ok(ChantCommand::Cancel {
            id: check_id(id)?,
            delete,
        })
    }

    pub fn verify(id: &str) -> Result<ChantCommand, InvalidArgument> {
        Ok(ChantCommand::Verify { id: check_id(id)? })
    }

    pub fn split(id: &str) -> Result<ChantCommand, InvalidArgument> {
        Ok(ChantCommand::Split { id: check_id(id)? })
    }

    /// The spec the command is about (None for `add` and `merge --all`).
    pub fn spec_id(&self) -> Option<&str> {
        match self {
            ChantCommand::Work { id, .. }
            | ChantCommand::Approve { id, .. }
            | ChantCommand::Reject { id, .. }
            | ChantCommand::Merge { id }
            | ChantCommand::Archive { id }
            | ChantCommand::Reset { id }
            | ChantCommand::Cancel { id, .. }
            | ChantCommand::Verify { id }
            | ChantCommand::Split { id } => Some(id),
            ChantCommand::Add { .. } | ChantCommand::MergeAll => None,
        }
    }

    /// The spec ID, or "" for commands about no single spec.
    pub fn id(&self) -> &str {
        self.spec_id().unwrap_or("")
    }

    /// The subcommand: `work`, `approve`, `merge`...
    pub fn verb(&self) -> &'static str {
        match self {
            ChantCommand::Work { .. } => "work",
            ChantCommand::Approve { .. } => "approve",
            ChantCommand::Reject { .. } => "reject",
            ChantCommand::Add { .. } => "add",
            ChantCommand::Merge { .. } | ChantCommand::MergeAll => "merge",
            ChantCommand::Archive { .. } => "archive",
            ChantCommand::Reset { .. } => "reset",
            ChantCommand::Cancel { .. } => "cancel",
            ChantCommand::Verify { .. } => "verify",
            ChantCommand::Split { .. } => "split",
        }
    }

    /// How the command is named to the user: `chant work <id>`,
    /// `chant merge --all`, `chant add`, `chant cancel <id> --delete`.
    pub fn label(&self) -> String {
        match self {
            ChantCommand::MergeAll => "chant merge --all".into(),
            ChantCommand::Add { .. } => "chant add".into(),
            ChantCommand::Cancel { id, delete: true } => format!("chant cancel {id} --delete"),
            other => format!("chant {} {}", other.verb(), other.id()),
        }
    }

    /// The arguments after the program name.
    pub fn argv(&self) -> Vec<String> {
        let s = |v: &str| v.to_string();
        match self {
            ChantCommand::Work {
                id,
                prompt,
                skip_quality,
            } => {
                let mut argv = vec![s("work"), id.clone(), s("--no-watch")];
                if let Some(prompt) = prompt {
                    argv.push(format!("--prompt={prompt}"));
                }
                if *skip_quality {
                    argv.push(s("--skip-criteria"));
                }
                argv
            }
            ChantCommand::Approve { id, by } => {
                vec![s("approve"), id.clone(), format!("--by={by}")]
            }
            ChantCommand::Reject { id, by, reason } => vec![
                s("reject"),
                id.clone(),
                format!("--by={by}"),
                format!("--reason={reason}"),
            ],
            ChantCommand::Add {
                title,
                prompt,
                needs_approval,
            } => {
                let mut argv = vec![s("add")];
                if let Some(prompt) = prompt {
                    argv.push(format!("--prompt={prompt}"));
                }
                if *needs_approval {
                    argv.push(s("--needs-approval"));
                }
                // After `--`, a title that starts with `-` is still the title.
                argv.push(s("--"));
                argv.push(title.clone());
                argv
            }
            ChantCommand::Merge { id } => vec![s("merge"), id.clone(), s("--yes")],
            ChantCommand::MergeAll => vec![s("merge"), s("--all"), s("--yes")],
            ChantCommand::Archive { id } => vec![s("archive"), id.clone()],
            ChantCommand::Reset { id } => vec![s("reset"), id.clone()],
            ChantCommand::Cancel { id, delete } => {
                let mut argv = vec![s("cancel"), id.clone(), s("--yes")];
                if *delete {
                    argv.push(s("--delete"));
                }
                argv
            }
            ChantCommand::Verify { id } => vec![s("verify"), id.clone()],
            ChantCommand::Split { id } => vec![s("split"), id.clone()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_vectors() {
        let work = ChantCommand::work("2026-01-01-001-abc", None).unwrap();
        assert_eq!(work.argv(), ["work", "2026-01-01-001-abc", "--no-watch"]);
        let work = ChantCommand::work("2026-01-01-001-abc", Some("standard")).unwrap();
        assert_eq!(
            work.argv(),
            [
                "work",
                "2026-01-01-001-abc",
                "--no-watch",
                "--prompt=standard"
            ]
        );
        let approve = ChantCommand::approve("x.1", " Ada Lovelace ").unwrap();
        assert_eq!(approve.argv(), ["approve", "x.1", "--by=Ada Lovelace"]);
        let reject = ChantCommand::reject("x", "-Ada", "- too vague\n- no tests").unwrap();
        assert_eq!(
            reject.argv(),
            [
                "reject",
                "x",
                "--by=-Ada",
                "--reason=- too vague\n- no tests"
            ]
        );
        assert_eq!(reject.id(), "x");
        assert_eq!(reject.verb(), "reject");
    }

    #[test]
    fn walkthrough_argument_vectors() {
        let id = "2026-01-01-001-abc";
        let argv = |c: Result<ChantCommand, InvalidArgument>| c.unwrap().argv();
        assert_eq!(
            argv(ChantCommand::work_with(id, Some("research"), true)),
            [
                "work",
                id,
                "--no-watch",
                "--prompt=research",
                "--skip-criteria"
            ]
        );
        assert_eq!(
            argv(ChantCommand::add("-rf --all", Some("standard"), true)),
            [
                "add",
                "--prompt=standard",
                "--needs-approval",
                "--",
                "-rf --all"
            ]
        );
        assert_eq!(
            argv(ChantCommand::add(" T ", None, false)),
            ["add", "--", "T"]
        );
        assert_eq!(argv(ChantCommand::merge(id)), ["merge", id, "--yes"]);
        assert_eq!(ChantCommand::MergeAll.argv(), ["merge", "--all", "--yes"]);
        assert_eq!(argv(ChantCommand::archive(id)), ["archive", id]);
        assert_eq!(argv(ChantCommand::reset(id)), ["reset", id]);
        assert_eq!(
            argv(ChantCommand::cancel(id, false)),
            ["cancel", id, "--yes"]
        );
        assert_eq!(
            argv(ChantCommand::cancel(id, true)),
            ["cancel", id, "--yes", "--delete"]
        );
        assert_eq!(argv(ChantCommand::verify(id)), ["verify", id]);
        assert_eq!(argv(ChantCommand::split(id)), ["split", id]);
        assert_eq!(ChantCommand::MergeAll.label(), "chant merge --all");
        assert_eq!(
            ChantCommand::cancel(id, true).unwrap().label(),
            format!("chant cancel {id} --delete")
        );
        assert_eq!(ChantCommand::MergeAll.spec_id(), None);
        for bad in ["-rf", "a b", "../x", ""] {
            assert!(ChantCommand::merge(bad).is_err());
            assert!(ChantCommand::archive(bad).is_err());
            assert!(ChantCommand::reset(bad).is_err());
            assert!(ChantCommand::cancel(bad, true).is_err());
            assert!(ChantCommand::verify(bad).is_err());
            assert!(ChantCommand::split(bad).is_err());
            assert!(ChantCommand::add("T", Some(bad), false).is_err());
        }
    }

    #[test]
    fn titles_labels_and_types() {
        assert!(validate_title("  ").is_err());
        assert!(validate_title("one\ntwo").is_err());
        assert!(validate_title(&"t".repeat(501)).is_err());
        assert_eq!(validate_title(" Add --all ").unwrap(), "Add --all");
        assert!(validate_label("a---b").is_err());
        assert!(validate_label("a\nb").is_err());
        assert!(validate_label(" ").is_err());
        assert_eq!(validate_label(" walk ").unwrap(), "walk");
        assert_eq!(validate_spec_type("research"), Ok("research"));
        let bad = validate_spec_type("conflict").unwrap_err().to_string();
        assert_eq!(
            bad,
            "Invalid spec type \"conflict\": chant knows `code`, `task`, `research`, `documentation`, `driver`, `group`."
        );
    }

    #[test]
    fn malicious_ids_and_prompts_are_refused() {
        for bad in [
            "-rf", "a;b", "a b", "../x", "a..b", "", "$(rm)", "a\nb", ".hidden",
        ] {
            assert_eq!(
                ChantCommand::work(bad, None),
                Err(InvalidArgument::SpecId(bad.into())),
                "{bad:?}"
            );
            assert_eq!(
                ChantCommand::work("ok", Some(bad)),
                Err(InvalidArgument::Prompt(bad.into())),
                "{bad:?}"
            );
            assert!(ChantCommand::approve(bad, "Ada").is_err());
        }
        let message = InvalidArgument::SpecId("-rf".into()).to_string();
        assert!(message.contains("\"-rf\""), "{message}");
    }

    #[test]
    fn approver_and_reason_rules() {
        assert!(validate_approver("  ").is_err());
        assert!(validate_approver("Ada\nEvil").is_err());
        assert!(validate_approver(&"a".repeat(201)).is_err());
        assert_eq!(validate_approver("José Núñez").unwrap(), "José Núñez");
        assert!(validate_reason("").is_err());
        assert!(validate_reason("bad\u{0}").is_err());
        assert_eq!(
            validate_reason(" line 1\nline 2 ").unwrap(),
            "line 1\nline 2"
        );
        let empty = validate_reason(" ").unwrap_err().to_string();
        assert!(empty.contains("a reason is required"), "{empty}");
    }
}
