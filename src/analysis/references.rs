//! References from the frontmatter to the rest of the workspace: spec IDs in
//! `depends_on` and `members`, paths, `tracks` globs and the prompt.

use super::{Code, Cx, Diagnostic, FixKind, PathState, Sink, SpecLookup};
use crate::spec::fields;
use crate::spec::frontmatter::{SpecStatus, SpecType};
use crate::spec::id::driver_of;
use crate::text::TextRange;

pub(super) fn check(cx: &Cx, out: &mut Sink) {
    duplicate_id(cx, out);
    let v = cx.model.values();
    // Values come from what chant read; a range is looked up in the YAML
    // outline only when there is something to report.
    if let Some(ids) = &v.depends_on {
        for (i, id) in ids.iter().enumerate() {
            dependency(cx, id, &|| cx.item_range("depends_on", i, id), out);
        }
    }
    member_of_blocked_driver(cx, out);
    if let Some(ids) = &v.members {
        for (i, id) in ids.iter().enumerate() {
            member(cx, id, &|| cx.item_range("members", i, id), out);
        }
    }
    for (key, paths) in [
        ("informed_by", &v.informed_by),
        ("context", &v.context),
        ("origin", &v.origin),
    ] {
        for (i, path) in paths
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, p)| !p.is_empty())
        {
            path_exists(cx, key, path, &|| cx.item_range(key, i, path), out);
        }
    }
    for (i, path) in v.target_files.iter().flatten().enumerate() {
        if cx.ws.escapes_root(path) {
            out.push(outside(
                key_path("target_files", path),
                cx.item_range("target_files", i, path),
            ));
        }
    }
    if let Some(schema) = &v.output_schema {
        if v.status != SpecStatus::Completed {
            let range = cx.field_or_spec("output_schema");
            if cx.ws.escapes_root(schema) {
                out.push(outside(key_path("output_schema", schema), range));
            } else if cx.ws.path_state(schema) == PathState::Missing {
                out.push(Diagnostic::new(
                    Code::MissingFile,
                    range,
                    format!("`{schema}` does not exist (relative to the project root): once the spec is completed, chant lint reports \"Output schema file not found\"."),
                ));
            }
        }
    }
    for (i, pattern) in v
        .tracks
        .iter()
        .flatten()
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
    {
        tracks(cx, pattern, &|| cx.item_range("tracks", i, pattern), out);
    }
    if let Some(prompt) = &v.prompt {
        if !cx.ws.prompt_exists(prompt) {
            let range = cx.field_or_spec("prompt");
            let names = cx.ws.prompt_names();
            let mut d = Diagnostic::new(
                Code::UnknownPrompt,
                range.clone(),
                format!("No prompt `{prompt}` in .chant/prompts/: `chant work` would mark this spec in_progress and then fail with \"Prompt not found: {prompt}\"."),
            );
            if let Some(meant) = fields::closest(prompt, names.iter().map(String::as_str)) {
                d.message.push_str(&format!(" Did you mean `{meant}`?"));
                let content = content_range(cx, "prompt").unwrap_or(range);
                d = d.with_fix(
                    FixKind::ReplaceValue {
                        with: meant.to_string(),
                    },
                    content,
                    meant.to_string(),
                );
            }
            out.push(d);
        }
    }
}

fn content_range(cx: &Cx, key: &str) -> Option<TextRange> {
    let value = cx.model.frontmatter.outline().entry(key)?.value.as_ref()?;
    value.as_scalar().map(|_| value.content_range())
}

fn dependency(cx: &Cx, id: &str, range: &dyn Fn() -> TextRange, out: &mut Sink) {
    let lookup = cx.ws.lookup_spec(id);
    let blocked = "chant lint reports an error, and this spec stays blocked";
    let d = match lookup {
        SpecLookup::Found { .. } if id == cx.spec.id => Diagnostic::new(
            Code::SelfDependency,
            range(),
            "This spec depends on itself: it is blocked until it is completed, so it can never start. Remove this entry.",
        ),
        SpecLookup::Found { status, title } => {
            if status.satisfies_dependents() || !cx.model.values().status.is_workable() {
                return;
            }
            let named = title.map(|t| format!(" ({t})")).unwrap_or_default();
            Diagnostic::new(
                Code::UnmetDependency,
                range(),
                format!("`{id}`{named} is {}: this spec is blocked until it is completed, and `chant work` refuses it (unless `--skip-deps`).", status.as_str()),
            )
        }
        SpecLookup::Archived { path } => Diagnostic::new(
            Code::ArchivedDependency,
            range(),
            format!("Unknown dependency `{id}`: that spec is archived ({}), and chant does not resolve archived specs: {blocked}. If its work is done, remove it from `depends_on`.", path.display()),
        ),
        SpecLookup::Unparseable => Diagnostic::new(
            Code::UnknownDependency,
            range(),
            format!("Unknown dependency `{id}`: its file exists but chant cannot parse it, so chant treats it as unknown: {blocked}. Fix that spec's frontmatter."),
        ),
        SpecLookup::Nested { path } => Diagnostic::new(
            Code::UnknownDependency,
            range(),
            format!("Unknown dependency `{id}`: that spec is in a subfolder ({}), and `chant lint` reads only the top level of .chant/specs: {blocked}.", path.display()),
        ),
        SpecLookup::Missing => {
            let mut d = Diagnostic::new(
                Code::UnknownDependency,
                range(),
                format!("Unknown dependency `{id}`: no spec with this ID in .chant/specs: {blocked}."),
            );
            if let Some(meant) = cx.ws.closest_spec_id(id) {
                d.message.push_str(&format!(" Did you mean `{meant}`?"));
                d = d.with_fix(FixKind::ReplaceValue { with: meant.clone() }, range(), meant);
            }
            d
        }
    };
    out.push(d);
}

/// chant computes a member as blocked while its driver has unmet
/// dependencies, even when the member itself has none.
fn member_of_blocked_driver(cx: &Cx, out: &mut Sink) {
    let Some(driver) = driver_of(cx.spec.id) else {
        return;
    };
    if !cx.model.values().status.is_workable() {
        return;
    }
    if !matches!(cx.ws.lookup_spec(driver), SpecLookup::Found { .. }) {
        return;
    }
    for dep in cx.ws.dependencies_of(driver) {
        let state = match cx.ws.lookup_spec(&dep) {
            SpecLookup::Found { status, .. } if status.satisfies_dependents() => continue,
            SpecLookup::Found { status, .. } => format!("is {}", status.as_str()),
            SpecLookup::Archived { .. } => "is archived, which chant treats as unknown".into(),
            _ => "is unknown".into(),
        };
        out.push(Diagnostic::new(
            Code::UnmetDependency,
            cx.spec_anchor(),
            format!("Its driver `{driver}` has an unmet dependency (`{dep}` {state}): chant computes this member as blocked, and `chant work` refuses it (unless `--skip-deps`)."),
        ));
        return;
    }
}

fn member(cx: &Cx, id: &str, range: &dyn Fn() -> TextRange, out: &mut Sink) {
    let why = match cx.ws.lookup_spec(id) {
        SpecLookup::Found { .. } => return,
        SpecLookup::Archived { .. } => {
            "that spec is archived, and chant does not resolve archived specs"
        }
        SpecLookup::Unparseable => "its file exists but chant cannot parse it",
        SpecLookup::Nested { .. } => {
            "that spec is in a subfolder, which `chant lint` does not read"
        }
        SpecLookup::Missing => "no spec with this ID in .chant/specs",
    };
    out.push(Diagnostic::new(
        Code::UnknownMember,
        range(),
        format!("Unknown member spec `{id}`: {why}. chant lint reports an error."),
    ));
}

fn path_exists(cx: &Cx, key: &str, path: &str, range: &dyn Fn() -> TextRange, out: &mut Sink) {
    if cx.ws.escapes_root(path) {
        out.push(outside(key_path(key, path), range()));
        return;
    }
    if cx.ws.path_state(path) == PathState::Missing {
        out.push(Diagnostic::new(
            Code::MissingFile,
            range(),
            format!("`{path}` does not exist (paths in `{key}` are relative to the project root): the agent will not get this file."),
        ));
    }
}

fn tracks(cx: &Cx, pattern: &str, range: &dyn Fn() -> TextRange, out: &mut Sink) {
    if cx.ws.escapes_root(pattern) {
        out.push(outside(key_path("tracks", pattern), range()));
        return;
    }
    // chant's idea of a glob (`*`, `?` or `[`), expanded as `chant drift`
    // expands it, so this check and drift agree on every entry.
    let what = if pattern.contains(['*', '?', '[']) {
        if let Some(refused) = super::drift::refused_pattern(pattern) {
            format!("is not a valid glob ({refused})")
        } else {
            let expansion = cx.ws.expand(pattern);
            if !expansion.files.is_empty() || !expansion.complete {
                // A match, or too many files to tell: nothing to say.
                return;
            }
            "matches no file".to_string()
        }
    } else if cx.ws.path_state(pattern) != PathState::Missing {
        return;
    } else {
        "does not exist".to_string()
    };
    let kind = if cx.model.values().r#type == SpecType::Documentation {
        "documentation spec"
    } else {
        "spec"
    };
    out.push(Diagnostic::new(
        Code::TracksNoMatch,
        range(),
        format!(
            "`{pattern}` {what} (relative to the project root): this {kind} tracks nothing there."
        ),
    ));
}

fn key_path(key: &str, path: &str) -> String {
    format!("`{path}` in `{key}`")
}

fn outside(what: String, range: TextRange) -> Diagnostic {
    Diagnostic::new(
        Code::PathOutsideRoot,
        range,
        format!("{what} leads outside the chant project: chant resolves paths from the project root, and the agent works in a worktree of this repository only."),
    )
}

/// Most other files a duplicate-ID diagnostic names; the rest are counted.
const MAX_NAMED_FILES: usize = 3;

/// Another file in `.chant/specs` (or a subfolder) has this spec's ID.
fn duplicate_id(cx: &Cx, out: &mut Sink) {
    let (files, total) = cx.ws.spec_files(cx.spec.id, MAX_NAMED_FILES + 1);
    if total < 2 {
        return;
    }
    let own = cx.spec.path;
    let is_own = |f: &&std::path::PathBuf| own.is_some_and(|own| own.ends_with(f));
    let others: Vec<String> = files
        .iter()
        .filter(|f| !is_own(f))
        .take(MAX_NAMED_FILES)
        .map(|f| format!("`{}`", f.display()))
        .collect();
    if others.is_empty() {
        return;
    }
    // The spec's own file is one of them (the index knows it first), unless
    // all were listed and it is not there.
    let count_others = if files.iter().any(|f| is_own(&f)) || total > files.len() {
        total - 1
    } else {
        total
    };
    let mut named = others.join(", ");
    if count_others > others.len() {
        named.push_str(&format!(
            " and {} more",
            super::thousands(count_others - others.len())
        ));
    }
    out.push(Diagnostic::new(
        Code::DuplicateSpecId,
        cx.spec_anchor(),
        format!(
            "Another spec file has the ID `{}`: {}. chant finds specs by ID and takes whichever file it reads first (the order depends on the file system), so `chant work {}` may run the other one. Rename one of the files.",
            cx.spec.id,
            named,
            cx.spec.id
        ),
    ));
}
