//! The options each command takes as JSON (the object after the URI in
//! `workspace/executeCommand`'s arguments), read and written by the same
//! serde types: what an offer carries ([`options_of`]) is what a run
//! parses ([`spec_command`], [`project_command`]). An unknown option or a
//! value of the wrong type gets one precise error.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::commands::{self as names, AddRequest, ProjectCommand, SpecCommand};

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct WorkOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    skip_quality: bool,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct ApproveOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct RejectOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct ResetOptions {
    #[serde(skip_serializing_if = "is_false")]
    work: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct CancelOptions {
    #[serde(skip_serializing_if = "is_false")]
    delete: bool,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct NoOptions {}

fn is_true(b: &bool) -> bool {
    *b
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ReviewOptions {
    /// false: answer with the review, open nothing.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    open: bool,
}

impl Default for ReviewOptions {
    fn default() -> Self {
        ReviewOptions { open: true }
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct MergeOptions {
    #[serde(skip_serializing_if = "is_false")]
    stash: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct AddOptions {
    title: Option<String>,
    #[serde(rename = "type")]
    spec_type: Option<String>,
    prompt: Option<String>,
    labels: Vec<String>,
    needs_approval: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct LabelOptions {
    label: Option<String>,
}

/// The options object of a spec command, None when it has none to pass.
pub fn options_of(command: &SpecCommand) -> Option<Value> {
    let options = match command.clone() {
        SpecCommand::Work {
            prompt,
            skip_quality,
        } => json!(WorkOptions {
            prompt,
            skip_quality
        }),
        SpecCommand::Approve { by } => json!(ApproveOptions { by }),
        SpecCommand::Reject { by, reason } => json!(RejectOptions { by, reason }),
        SpecCommand::Reset { work, prompt } => json!(ResetOptions { work, prompt }),
        SpecCommand::Cancel { delete } => json!(CancelOptions { delete }),
        SpecCommand::Merge { stash } => json!(MergeOptions { stash }),
        SpecCommand::Review { open } => json!(ReviewOptions { open }),
        SpecCommand::WorkWith
        | SpecCommand::ApplyAgentChanges
        | SpecCommand::Archive
        | SpecCommand::Verify
        | SpecCommand::Split
        | SpecCommand::ShowLog => json!(NoOptions {}),
    };
    (!options.as_object().is_some_and(|o| o.is_empty())).then_some(options)
}

/// The arguments of a spec command offered on the spec at `uri`: `[uri]`,
/// or `[uri, options]` when it has options.
pub fn arguments(uri: &str, command: &SpecCommand) -> Vec<Value> {
    let uri = Value::String(uri.to_string());
    match options_of(command) {
        Some(options) => vec![uri, options],
        None => vec![uri],
    }
}

/// The spec command `name` names, with its options (`null`: none); None
/// when `name` is no spec command.
pub fn spec_command(name: &str, options: &Value) -> Option<Result<SpecCommand, String>> {
    let command = match name {
        names::WORK => typed(name, options).map(|o: WorkOptions| SpecCommand::Work {
            prompt: o.prompt,
            skip_quality: o.skip_quality,
        }),
        names::APPROVE => {
            typed(name, options).map(|o: ApproveOptions| SpecCommand::Approve { by: o.by })
        }
        names::REJECT => typed(name, options).map(|o: RejectOptions| SpecCommand::Reject {
            by: o.by,
            reason: o.reason,
        }),
        names::RESET => typed(name, options).map(|o: ResetOptions| SpecCommand::Reset {
            work: o.work,
            prompt: o.prompt,
        }),
        names::CANCEL => {
            typed(name, options).map(|o: CancelOptions| SpecCommand::Cancel { delete: o.delete })
        }
        names::MERGE => {
            typed(name, options).map(|o: MergeOptions| SpecCommand::Merge { stash: o.stash })
        }
        names::REVIEW => {
            typed(name, options).map(|o: ReviewOptions| SpecCommand::Review { open: o.open })
        }
        names::WORK_WITH
        | names::APPLY_AGENT_CHANGES
        | names::ARCHIVE
        | names::VERIFY
        | names::SPLIT
        | names::SHOW_LOG => typed(name, options).map(|_: NoOptions| match name {
            names::WORK_WITH => SpecCommand::WorkWith,
            names::APPLY_AGENT_CHANGES => SpecCommand::ApplyAgentChanges,
            names::ARCHIVE => SpecCommand::Archive,
            names::VERIFY => SpecCommand::Verify,
            names::SPLIT => SpecCommand::Split,
            _ => SpecCommand::ShowLog,
        }),
        _ => return None,
    };
    Some(command)
}

/// The project command `name` names, with its options; None when `name`
/// is no project command.
pub fn project_command(name: &str, options: &Value) -> Option<Result<ProjectCommand, String>> {
    let command = match name {
        names::ADD => typed(name, options).map(|o: AddOptions| {
            ProjectCommand::Add(AddRequest {
                title: o.title,
                spec_type: o.spec_type,
                prompt: o.prompt,
                labels: o.labels,
                needs_approval: o.needs_approval,
            })
        }),
        names::MERGE_ALL => {
            typed(name, options).map(|o: MergeOptions| ProjectCommand::MergeAll { stash: o.stash })
        }
        names::ARCHIVE_BY_LABEL => typed(name, options)
            .map(|o: LabelOptions| ProjectCommand::ArchiveByLabel { label: o.label }),
        _ => return None,
    };
    Some(command)
}

/// Checks that a command without options (`chant.open`) was given none:
/// nothing, `null` or `{}`.
pub fn no_options(command: &str, options: &Value) -> Result<(), String> {
    typed::<NoOptions>(command, options).map(|_| ())
}

/// A command's options, deserialized; the error names the option and what
/// was wrong with it.
fn typed<T: DeserializeOwned + Default>(command: &str, value: &Value) -> Result<T, String> {
    if value.is_null() {
        return Ok(T::default());
    }
    if !value.is_object() {
        return Err(format!(
            "The options of {command} must be an object, not {value}."
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        // An unknown option names itself.
        if path == "." || inner.starts_with("unknown field") {
            format!("{command}: {inner}.")
        } else {
            format!("Option `{path}` of {command}: {inner}.")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every offer's options parse back into the command offered.
    #[test]
    fn options_parse_back_into_their_command() {
        let some = |s: &str| Some(s.to_string());
        for command in [
            SpecCommand::Work {
                prompt: None,
                skip_quality: false,
            },
            SpecCommand::Work {
                prompt: some("research"),
                skip_quality: true,
            },
            SpecCommand::Approve { by: some("Ada") },
            SpecCommand::Reject {
                by: None,
                reason: some("too vague"),
            },
            SpecCommand::ApplyAgentChanges,
            SpecCommand::Merge { stash: false },
            SpecCommand::Merge { stash: true },
            SpecCommand::Reset {
                work: true,
                prompt: some("standard"),
            },
            SpecCommand::Cancel { delete: true },
            SpecCommand::Cancel { delete: false },
            SpecCommand::ShowLog,
            SpecCommand::Review { open: true },
            SpecCommand::Review { open: false },
        ] {
            let options = options_of(&command).unwrap_or(Value::Null);
            let back = spec_command(command.name(), &options).unwrap().unwrap();
            assert_eq!(back, command, "{options}");
        }
        assert_eq!(options_of(&SpecCommand::Merge { stash: false }), None);
        assert_eq!(options_of(&SpecCommand::Review { open: true }), None);
        assert_eq!(
            options_of(&SpecCommand::Review { open: false }),
            Some(json!({"open": false}))
        );
    }

    #[test]
    fn bad_options_get_one_precise_error() {
        let spec = |name: &str, options: Value| spec_command(name, &options).unwrap().unwrap_err();
        assert_eq!(
            spec("chant.cancel", json!({"delete": "yes"})),
            "Option `delete` of chant.cancel: invalid type: string \"yes\", expected a boolean."
        );
        assert_eq!(
            spec("chant.work", json!({"promt": "x"})),
            "chant.work: unknown field `promt`, expected `prompt` or `skipQuality`."
        );
        assert_eq!(
            spec("chant.merge", json!(3)),
            "The options of chant.merge must be an object, not 3."
        );
        let project = project_command("chant.archiveByLabel", &json!({"label": 7}));
        assert_eq!(
            project.unwrap().unwrap_err(),
            "Option `label` of chant.archiveByLabel: invalid type: integer `7`, expected a string."
        );
        assert!(spec_command("chant.nope", &Value::Null).is_none());
        assert_eq!(no_options("chant.open", &json!({})), Ok(()));
        assert_eq!(no_options("chant.open", &Value::Null), Ok(()));
        assert_eq!(
            no_options("chant.open", &json!({"line": 3})),
            Err("chant.open: unknown field `line`, there are no fields.".into())
        );
        assert!(project_command("chant.work", &Value::Null).is_none());
    }
}
