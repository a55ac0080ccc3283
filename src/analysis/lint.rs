//! chant's own lint rules (`chant lint`), with chant's thresholds and
//! conditions, placed where the problem is.

use std::collections::BTreeSet;

use super::{count, Code, Cx, Diagnostic, FixKind, PathState, Sink};
use crate::spec::edit;
use crate::spec::fields;
use crate::spec::frontmatter::{ApprovalStatus, SpecStatus, SpecType};
use crate::spec::id::driver_of;

pub(super) fn check(cx: &Cx, out: &mut Sink) {
    title(cx, out);
    required(cx, out);
    spec_type(cx, out);
    complexity(cx, out);
    coupling(cx, out);
    model_waste(cx, out);
    approval(cx, out);
    output(cx, out);
}

fn title(cx: &Cx, out: &mut Sink) {
    if let Some(title) = &cx.model.body.title {
        if let Some(real) = &cx.model.body.title_in_code {
            let instead = match real {
                Some(real) => format!(", not `{real}`"),
                None => String::new(),
            };
            out.push(Diagnostic::new(
                Code::TitleInCodeFence,
                title.range.clone(),
                format!(
                    "chant takes the title from the first line that starts with `# `, even inside a code fence: this spec's title is `{}`{instead}. Move the code block below the title.",
                    title.text
                ),
            ));
        }
        return;
    }
    let at = cx.model.layout.body.start;
    out.push(
        Diagnostic::new(
            Code::MissingTitle,
            cx.spec_anchor(),
            "Missing title: chant takes the title from the first line that starts with `# `. chant lint reports \"Missing title\" and `chant work` refuses to start.",
        )
        .with_fix(FixKind::AddTitle, at..at, {
            // The file's own line break, so a CRLF file stays CRLF.
            let nl = crate::spec::edit::line_break(cx.text);
            format!("# Title{nl}{nl}")
        }),
    );
}

/// chant's `has_frontmatter_field`: type and status always count as
/// present; `derived_fields`, `public` and `retry_state` never do (chant's
/// list leaves them out, so requiring them always fails).
fn has_field(cx: &Cx, name: &str) -> bool {
    let v = cx.model.values();
    match name {
        "type" | "status" => true,
        "depends_on" => v.depends_on.is_some(),
        "labels" => v.labels.is_some(),
        "target_files" => v.target_files.is_some(),
        "context" => v.context.is_some(),
        "prompt" => v.prompt.is_some(),
        "branch" => v.branch.is_some(),
        "commits" => v.commits.is_some(),
        "completed_at" => v.completed_at.is_some(),
        "model" => v.model.is_some(),
        "tracks" => v.tracks.is_some(),
        "informed_by" => v.informed_by.is_some(),
        "origin" => v.origin.is_some(),
        "schedule" => v.schedule.is_some(),
        "source_branch" => v.source_branch.is_some(),
        "target_branch" => v.target_branch.is_some(),
        "conflicting_files" => v.conflicting_files.is_some(),
        "blocked_specs" => v.blocked_specs.is_some(),
        "original_spec" => v.original_spec.is_some(),
        "last_verified" => v.last_verified.is_some(),
        "verification_status" => v.verification_status.is_some(),
        "verification_failures" => v.verification_failures.is_some(),
        "replayed_at" => v.replayed_at.is_some(),
        "replay_count" => v.replay_count.is_some(),
        "original_completed_at" => v.original_completed_at.is_some(),
        "approval" => v.approval.is_some(),
        "members" => v.members.is_some(),
        "output_schema" => v.output_schema.is_some(),
        _ => false,
    }
}

fn required(cx: &Cx, out: &mut Sink) {
    for name in &cx.ws.config().enterprise_required {
        if has_field(cx, name) {
            continue;
        }
        let range = match &cx.model.layout.frontmatter {
            Some(block) => block.opening.clone(),
            None => cx.spec_anchor(),
        };
        let known = if matches!(name.as_str(), "derived_fields" | "public" | "retry_state") {
            " (chant never counts this field as present, even when it is written: no spec can satisfy it; check the config)".to_string()
        } else if fields::field_info(name).is_some() {
            String::new()
        } else {
            " (chant has no such field, so no spec can satisfy it: check the config)".to_string()
        };
        let mut d = Diagnostic::new(
            Code::MissingRequiredField,
            range,
            format!("Missing required field `{name}`: config `enterprise.required` asks for it, and chant lint reports an error{known}."),
        );
        // A value chant accepts for the field's type, in the file's style
        // (none for the fields chant never counts: adding them cannot help).
        let never_counted = matches!(name.as_str(), "derived_fields" | "public" | "retry_state");
        let fix = (!never_counted)
            .then(|| edit::add_field(cx.text, cx.model, name))
            .flatten();
        if let Some((range, text)) = fix {
            d = d.with_fix(
                FixKind::AddField {
                    name: name.to_string(),
                },
                range,
                text,
            );
        }
        out.push(d);
    }
}

fn spec_type(cx: &Cx, out: &mut Sink) {
    let v = cx.model.values();
    let type_range = cx.field_or_spec("type");
    let mut missing = |what: &str, why: &str| {
        out.push(Diagnostic::new(
            Code::TypeMissingField,
            type_range.clone(),
            format!("{what}: {why} (chant lint warns)."),
        ));
    };
    match v.r#type {
        SpecType::Documentation => {
            if v.tracks.is_none() {
                missing(
                    "Documentation spec without `tracks`",
                    "list the source files it documents",
                );
            }
            if v.target_files.is_none() {
                missing(
                    "Documentation spec without `target_files`",
                    "list the documents it writes",
                );
            }
        }
        SpecType::Research => {
            if v.informed_by.is_none() && v.origin.is_none() {
                missing(
                    "Research spec without `informed_by` or `origin`",
                    "say what the research starts from",
                );
            }
            if v.target_files.is_none() {
                missing(
                    "Research spec without `target_files`",
                    "list the files the research writes",
                );
            }
        }
        SpecType::Driver | SpecType::Group if v.members.as_ref().is_some_and(Vec::is_empty) => {
            out.push(Diagnostic::new(
                    Code::EmptyMembers,
                    cx.field_or_spec("members"),
                    format!("A {} spec with an empty `members` list (chant lint warns): list its member spec IDs, or remove the field.", v.r#type.as_str()),
                ));
        }
        _ => {}
    }
}

fn complexity(cx: &Cx, out: &mut Sink) {
    let t = &cx.ws.config().thresholds;
    let body = &cx.model.body;
    let criteria = body.total_checkboxes();
    if criteria > t.complexity_criteria {
        let range = body
            .criteria
            .as_ref()
            .map_or_else(|| cx.spec_anchor(), |c| c.heading.clone());
        out.push(Diagnostic::new(
            Code::TooManyCriteria,
            range,
            format!(
                "{criteria} acceptance criteria (more than {}): chant lint warns the spec may be too complex for one agent run. Consider `chant split {}`.",
                t.complexity_criteria, cx.spec.id
            ),
        ));
    }
    if let Some(files) = &cx.model.values().target_files {
        if files.len() > t.complexity_files {
            out.push(Diagnostic::new(
                Code::TooManyFiles,
                cx.field_or_spec("target_files"),
                format!(
                    "{} target files (more than {}): chant lint warns the spec touches too many files. Consider `chant split {}`.",
                    files.len(),
                    t.complexity_files,
                    cx.spec.id
                ),
            ));
        }
    }
    if cx.ws.config().word_rule_enabled() && body.word_count > t.complexity_words {
        out.push(Diagnostic::new(
            Code::TooManyWords,
            cx.spec_anchor(),
            format!(
                "The body is {} words (more than {}): chant lint warns it may be too complex. Consider `chant split {}`.",
                body.word_count, t.complexity_words, cx.spec.id
            ),
        ));
    }
}

fn coupling(cx: &Cx, out: &mut Sink) {
    let v = cx.model.values();
    if matches!(v.r#type, SpecType::Driver | SpecType::Group) {
        return;
    }
    let own = cx.spec.id;
    let driver = driver_of(own);
    let flagged: BTreeSet<&str> = cx
        .model
        .body
        .mentions
        .iter()
        .map(|m| m.id.as_str())
        .filter(|id| !id.starts_with(own) && !own.starts_with(id))
        .filter(|id| match driver {
            Some(driver) => driver_of(id) == Some(driver),
            None => true,
        })
        .collect();
    for mention in cx
        .model
        .body
        .mentions
        .iter()
        .filter(|m| flagged.contains(m.id.as_str()))
    {
        let message = if driver.is_some() {
            format!("The body mentions sibling spec `{}`: member specs should be independent (chant lint warns). Use `depends_on` for an order between them.", mention.id)
        } else {
            format!("The body mentions spec `{}`: chant lint warns about coupling. If this spec needs it first, put it in `depends_on`.", mention.id)
        };
        out.push(Diagnostic::new(
            Code::MentionsSpec,
            mention.range.clone(),
            message,
        ));
    }
}

fn model_waste(cx: &Cx, out: &mut Sink) {
    let v = cx.model.values();
    let Some(model) = &v.model else { return };
    let lower = model.to_lowercase();
    if !(lower.contains("opus") || lower.contains("sonnet")) {
        return;
    }
    if matches!(
        v.r#type,
        SpecType::Driver | SpecType::Group | SpecType::Research
    ) {
        return;
    }
    let t = &cx.ws.config().thresholds;
    let criteria = cx.model.body.total_checkboxes();
    let files = v.target_files.as_ref().map_or(0, Vec::len);
    let words = cx.model.body.word_count;
    if criteria <= t.simple_criteria && files <= t.simple_files && words <= t.simple_words {
        out.push(Diagnostic::new(
            Code::ModelWaste,
            cx.field_or_spec("model"),
            format!(
                "`{model}` on a spec this simple ({}, {}, {}): chant lint suggests a cheaper model such as haiku.",
                count(criteria, "criterion", "criteria"),
                count(files, "file", "files"),
                count(words, "word", "words")
            ),
        ));
    }
}

fn approval(cx: &Cx, out: &mut Sink) {
    let Some(approval) = &cx.model.values().approval else {
        return;
    };
    let range = cx.key_range("approval").unwrap_or_else(|| cx.spec_anchor());
    let status = approval.status.as_str();
    if matches!(
        approval.status,
        ApprovalStatus::Approved | ApprovalStatus::Rejected
    ) {
        if approval.by.is_none() {
            out.push(Diagnostic::new(
                Code::IncompleteApproval,
                range.clone(),
                format!("Approval is {status} but `approval.by` is missing: chant lint reports an error. `chant {} --by NAME` writes both `by` and `at`.", if status == "approved" { "approve" } else { "reject" }),
            ));
        }
        if approval.at.is_none() {
            out.push(Diagnostic::new(
                Code::IncompleteApproval,
                range.clone(),
                format!("Approval is {status} but the `approval.at` timestamp is missing: chant lint reports an error."),
            ));
        }
    }
    if approval.status == ApprovalStatus::Pending && approval.by.is_some() {
        out.push(Diagnostic::new(
            Code::IncompleteApproval,
            range,
            "`approval.by` is set but the approval status is still pending: chant lint reports an error.",
        ));
    }
}

fn output(cx: &Cx, out: &mut Sink) {
    let v = cx.model.values();
    if v.status != SpecStatus::Completed {
        return;
    }
    let Some(schema) = &v.output_schema else {
        return;
    };
    if !chant_path_exists(cx, schema) {
        out.push(Diagnostic::new(
            Code::MissingOutputSchema,
            cx.field_or_spec("output_schema"),
            format!("Output schema file not found: `{schema}` (relative to the project root). chant lint reports an error for a completed spec."),
        ));
        return;
    }
    // With an agent log, chant also checks the log's JSON against the schema.
    let log_path = format!(".chant/logs/{}.log", cx.spec.id);
    let Some(log) = cx.ws.read_file(&log_path) else {
        return;
    };
    let schema_text = cx.ws.read_file(schema);
    if let Some(problem) = super::output::validate_log(schema_text.as_deref().ok_or(()), &log) {
        out.push(Diagnostic::new(
            Code::OutputMismatch,
            cx.field_or_spec("output_schema"),
            format!("{problem} (the JSON in `{log_path}` against `{schema}`): chant lint reports an error."),
        ));
    }
}

/// Whether a path exists as the operating system sees it from the root, as
/// chant checks it: an empty path does not, nor does `file/` (a file
/// followed by a slash), and every folder on the way must be a folder.
fn chant_path_exists(cx: &Cx, path: &str) -> bool {
    if path.is_empty() || cx.ws.escapes_root(path) {
        return false;
    }
    let parts: Vec<&str> = path.split('/').collect();
    let mut prefix = String::new();
    for (i, part) in parts.iter().enumerate() {
        if !prefix.is_empty() || path.starts_with('/') {
            prefix.push('/');
        }
        prefix.push_str(part);
        let last = i + 1 == parts.len();
        if part.is_empty() || *part == "." || *part == ".." {
            // `a//b`, `a/./b`, a trailing `/`: what comes before must be a folder.
            if i > 0
                && cx.ws.path_state(prefix.trim_end_matches(['/', '.'])) != PathState::Directory
            {
                return false;
            }
            continue;
        }
        match cx.ws.path_state(&prefix) {
            PathState::Missing => return false,
            PathState::File if !last => return false,
            _ => {}
        }
    }
    true
}
