//! Diagnostics: what chant will accept, reject and count in one spec, at
//! exact places. Pure: a spec model and the facts about its workspace in, a
//! list of diagnostics out. The same function serves the editor and
//! `chant-lsp check`, so both always agree.

pub mod codes;
pub mod command;
mod criteria;
pub mod drift;
mod frontmatter;
mod layout;
pub mod lifecycle;
mod lint;
pub mod output;
pub mod quality;
pub mod readiness;
mod references;
pub mod review;
mod sink;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

pub use codes::{Code, Severity};
use sink::Sink;
pub use sink::MAX_DIAGNOSTICS;

use crate::spec::config::ChantConfig;
use crate::spec::frontmatter::SpecStatus;
use crate::spec::SpecModel;
use crate::text::TextRange;
use crate::vfs::ReadError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub range: TextRange,
    pub message: String,
    /// A text edit that fixes the problem, when there is an obvious one.
    pub fix: Option<Fix>,
    /// True when `chant lint` does not report this (spec, rule) pair even
    /// though the code mirrors one of its rules: the spec is not read by
    /// the full `chant lint` (it sits in a subfolder of `.chant/specs`), or
    /// chant cannot parse it (then chant reports only `parse`). See
    /// [`Diagnostic::chant_rule`].
    pub extra: bool,
}

/// An edit to the spec's own text that resolves a diagnostic: what it
/// does (typed, so no one reads intent back from a title) and the edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub kind: FixKind,
    pub edits: Vec<(TextRange, String)>,
}

/// What a quick fix does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixKind {
    /// Replace a value (a typo in an enum, a prompt or a spec ID).
    ReplaceValue {
        with: String,
    },
    /// Rename a key (a misspelt field).
    RenameKey {
        to: String,
    },
    /// Add a field with a value chant accepts.
    AddField {
        name: String,
    },
    AddTitle,
    AddCriterion,
    TickCriterion,
    /// Rewrite a checkbox chant does not count as `- [ ]`.
    CountCheckbox,
    /// Rewrite a heading as `## Acceptance Criteria`.
    CriteriaHeading,
    /// Put a closing fence on its own line.
    CloseFence,
    RemoveByteOrderMark,
}

impl FixKind {
    /// The title the user picks the fix by.
    pub fn title(&self) -> String {
        match self {
            FixKind::ReplaceValue { with } => format!("Change to `{with}`"),
            FixKind::RenameKey { to } => format!("Rename to `{to}`"),
            FixKind::AddField { name } => format!("Add `{name}`"),
            FixKind::AddTitle => "Add a title".into(),
            FixKind::AddCriterion => "Add an acceptance criterion".into(),
            FixKind::TickCriterion => "Tick this criterion".into(),
            FixKind::CountCheckbox => "Write it as `- [ ]`".into(),
            FixKind::CriteriaHeading => "Write it as `## Acceptance Criteria`".into(),
            FixKind::CloseFence => "Put the closing ``` on its own line".into(),
            FixKind::RemoveByteOrderMark => "Remove the byte order mark".into(),
        }
    }
}

impl Diagnostic {
    fn new(code: Code, range: TextRange, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            range,
            message: message.into(),
            fix: None,
            extra: false,
        }
    }

    /// The `chant lint` rule that reports this problem, exactly when the
    /// full `chant lint` (run at the root) reports this (spec, rule) pair;
    /// `None` for everything chant-lsp reports beyond it.
    pub fn chant_rule(&self) -> Option<&'static str> {
        if self.extra {
            None
        } else {
            self.code.chant_rule()
        }
    }

    fn with_fix(mut self, kind: FixKind, range: TextRange, text: impl Into<String>) -> Self {
        self.fix = Some(Fix {
            kind,
            edits: vec![(range, text.into())],
        });
        self
    }

    fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// What a spec ID resolves to, as chant's lint sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecLookup {
    /// A top-level spec that chant parses.
    Found {
        status: SpecStatus,
        title: Option<String>,
    },
    /// A top-level spec file chant cannot parse.
    Unparseable,
    /// A spec in a subfolder of `.chant/specs`, which `chant lint` never reads.
    Nested {
        path: PathBuf,
    },
    Archived {
        path: PathBuf,
    },
    Missing,
}

/// What a path in the frontmatter points at, resolved against the chant root
/// (where chant runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathState {
    File,
    Directory,
    Missing,
}

/// Facts about the rest of the workspace that the rules need. Implemented by
/// the workspace index; tests implement it with plain maps.
pub trait WorkspaceFacts {
    fn config(&self) -> &ChantConfig;
    fn lookup_spec(&self, id: &str) -> SpecLookup;
    fn prompt_exists(&self, name: &str) -> bool;
    /// Names of the prompts that have a file, for suggestions.
    fn prompt_names(&self) -> Vec<String>;
    /// A known spec ID close to `id` (a likely typo), for suggestions.
    fn closest_spec_id(&self, id: &str) -> Option<String>;
    fn path_state(&self, relative: &str) -> PathState;
    /// True when the path leads outside the chant root (`..`, absolute, or a
    /// symlink out).
    fn escapes_root(&self, relative: &str) -> bool;
    /// The `depends_on` of a spec (for a member's driver).
    fn dependencies_of(&self, id: &str) -> Vec<String>;
    /// The spec files (relative to the root) that claim this ID, top level
    /// first: the first `limit` of them, and how many there are (one,
    /// unless a subfolder of `.chant/specs` holds another with that name).
    fn spec_files(&self, id: &str, limit: usize) -> (Vec<PathBuf>, usize);
    /// The regular files a `tracks`/`origin`/`informed_by` entry names, as
    /// `chant drift` expands it (a glob when it holds `*`, `?` or `[`,
    /// else a literal path), with their modification times. Paths are as
    /// chant prints them (the pattern's own spelling, relative to the root).
    /// The same answer serves drift and the `tracks` check, so they agree.
    fn expand(&self, _pattern: &str) -> Arc<Expansion> {
        Arc::new(Expansion {
            files: Vec::new(),
            complete: true,
        })
    }
    /// Whether the full `chant lint` reads the spec with this ID: a
    /// `*.md` file directly in `.chant/specs` (dotfiles included), not one
    /// in a subfolder. Diagnostics on specs it does not read are extras
    /// ([`Diagnostic::chant_rule`] is `None`).
    fn chant_lints(&self, id: &str) -> bool {
        let _ = id;
        true
    }
    /// The text of a file of the project (relative to the root), when it
    /// is a regular file that can be read; for the `output` rule's schema
    /// and agent log.
    fn read_file(&self, relative: &str) -> Option<String> {
        let _ = relative;
        None
    }
    /// IDs of the specs chant counts as members of `driver`: every spec it
    /// can parse (any folder of `.chant/specs`) whose ID is `<driver>.`
    /// followed by at least one character.
    fn member_ids(&self, driver: &str) -> Vec<String> {
        let _ = driver;
        Vec::new()
    }
    /// The members `driver.1` … `driver.(n-1)` (exactly those IDs) that are
    /// missing or not completed ([`WorkspaceFacts::status_anywhere`]), in
    /// order: the first `limit` of them with their status, and how many
    /// there are. The index answers without looking at each one, so the
    /// readiness of every member of a 5,000-member driver stays linear.
    fn unfinished_earlier_members(&self, driver: &str, n: u32, limit: usize) -> EarlierMembers {
        let mut earlier = EarlierMembers::default();
        for i in 1..n {
            let id = format!("{driver}.{i}");
            let status = self.status_anywhere(&id);
            if status != Some(SpecStatus::Completed) {
                earlier.total += 1;
                if earlier.first.len() < limit {
                    earlier.first.push((id, status));
                }
            }
        }
        earlier
    }
    /// The status of a spec chant can parse, in any folder of
    /// `.chant/specs` (as `chant work` loads them; `chant lint` sees only
    /// the top level, which is [`WorkspaceFacts::lookup_spec`]).
    fn status_anywhere(&self, id: &str) -> Option<SpecStatus> {
        match self.lookup_spec(id) {
            SpecLookup::Found { status, .. } => Some(status),
            _ => None,
        }
    }
}

/// A member's earlier members that are not completed (see
/// [`WorkspaceFacts::unfinished_earlier_members`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EarlierMembers {
    /// The first ones, with their status (None: missing).
    pub first: Vec<(String, Option<SpecStatus>)>,
    /// How many there are in all.
    pub total: usize,
}

/// What a `tracks`/`origin`/`informed_by` entry names (see
/// [`WorkspaceFacts::expand`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    pub files: Vec<ModifiedFile>,
    /// False when a cap stopped the expansion (a pattern that names too
    /// much of the tree): `files` then holds only whole matches found
    /// before it stopped, and an empty list says nothing.
    pub complete: bool,
}

/// The entries of a spec's `tracks`, `origin` and `informed_by` that its
/// diagnosis expands ([`WorkspaceFacts::expand`]): every `tracks` glob (the
/// `tracks` check), and every entry of a spec drift looks at. A caller
/// that holds a lock while diagnosing expands these first, without it.
pub fn expanded_patterns(model: &SpecModel) -> Vec<String> {
    let v = model.values();
    let mut out: Vec<String> = v
        .tracks
        .iter()
        .flatten()
        .filter(|p| p.contains(['*', '?', '[']))
        .cloned()
        .collect();
    if drift::looks_at(model) {
        out.extend(
            [&v.tracks, &v.origin, &v.informed_by]
                .into_iter()
                .flatten()
                .flatten()
                .filter(|p| !p.is_empty())
                .cloned(),
        );
    }
    out.sort();
    out.dedup();
    out
}

/// A file a spec tracks, and when it was last modified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModifiedFile {
    pub path: String,
    pub modified: Option<std::time::SystemTime>,
}

/// Which spec is being diagnosed.
#[derive(Debug, Clone, Copy)]
pub struct SpecContext<'a> {
    pub id: &'a str,
    /// Its file (absolute), when it has one.
    pub path: Option<&'a std::path::Path>,
}

/// Every diagnostic for one spec, in text order (at most
/// [`MAX_DIAGNOSTICS`] and one that counts the rest).
pub fn diagnose(
    text: &str,
    model: &SpecModel,
    spec: SpecContext,
    ws: &dyn WorkspaceFacts,
) -> Vec<Diagnostic> {
    diagnose_filtered(text, model, spec, ws, &Filter::default())
}

/// [`diagnose`], without the codes `filter` switches off (which then take
/// no room under the cap).
pub fn diagnose_filtered(
    text: &str,
    model: &SpecModel,
    spec: SpecContext,
    ws: &dyn WorkspaceFacts,
    filter: &Filter,
) -> Vec<Diagnostic> {
    let mut out = Sink::new(filter);
    let cx = Cx {
        text,
        model,
        spec,
        ws,
    };
    layout::check(&cx, &mut out);
    frontmatter::check(&cx, &mut out);
    lint::check(&cx, &mut out);
    references::check(&cx, &mut out);
    criteria::check(&cx, &mut out);
    quality::hints::check(&cx, &mut out);
    drift::check(&cx, &mut out);
    let mut out = out.finish();
    let linted = chant_lints(spec, ws);
    let parsed = model.chant_accepts();
    for d in &mut out {
        // chant reports only `parse` for a spec it cannot parse, and
        // nothing at all for a spec it does not read.
        d.extra = !linted || (!parsed && d.code.chant_rule() != Some("parse"));
    }
    out.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    out
}

/// Whether the full `chant lint` reads this spec: a `*.md` directly in
/// `.chant/specs` (by its path when known, else as the workspace knows the ID).
pub fn chant_lints(spec: SpecContext, ws: &dyn WorkspaceFacts) -> bool {
    match spec.path {
        Some(path) => path
            .parent()
            .is_some_and(|dir| dir.ends_with(".chant/specs")),
        None => ws.chant_lints(spec.id),
    }
}

/// The diagnostic for a spec file chant-lsp could not read.
pub fn unreadable(error: &ReadError) -> Diagnostic {
    match error {
        ReadError::NotUtf8 { valid_up_to } => Diagnostic::new(
            Code::InvalidUtf8,
            *valid_up_to..*valid_up_to,
            format!(
                "This file is not UTF-8 text (invalid byte at offset {valid_up_to}): chant cannot read it and reports a parse error."
            ),
        ),
        ReadError::TooLarge { bytes, limit } => Diagnostic::new(
            Code::FileTooLarge,
            0..0,
            format!(
                "This file is {bytes} bytes, more than the {} chant-lsp analyses, so it is not checked.",
                crate::vfs::human_bytes(*limit)
            ),
        ),
        ReadError::OutsideProject => Diagnostic::new(
            Code::FileOutsideProject,
            0..0,
            "This spec file is a link that leads outside the project: chant-lsp does not read files outside the project, so it is not checked.",
        ),
        other => Diagnostic::new(
            Code::UnreadableFile,
            0..0,
            format!("This file cannot be read: {other}."),
        ),
    }
}

/// Drops diagnostics whose codes the user switched off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    disabled: HashSet<Code>,
}

impl Filter {
    /// Accepts codes with or without the `chant/` prefix; returns the names
    /// it did not recognise.
    pub fn new<S: AsRef<str>>(disabled: impl IntoIterator<Item = S>) -> (Filter, Vec<String>) {
        let mut filter = Filter::default();
        let mut unknown = Vec::new();
        for name in disabled {
            match Code::parse(name.as_ref()) {
                Some(code) => {
                    filter.disabled.insert(code);
                }
                None => unknown.push(name.as_ref().to_string()),
            }
        }
        (filter, unknown)
    }

    pub fn allows(&self, code: Code) -> bool {
        !self.disabled.contains(&code)
    }

    pub fn apply(&self, diagnostics: &mut Vec<Diagnostic>) {
        diagnostics.retain(|d| self.allows(d.code));
    }
}

/// Shared inputs of the rule modules.
struct Cx<'a> {
    text: &'a str,
    model: &'a SpecModel,
    spec: SpecContext<'a>,
    ws: &'a dyn WorkspaceFacts,
}

impl Cx<'_> {
    /// Where a diagnostic about the whole spec goes: the title, else the
    /// first line of the file.
    fn spec_anchor(&self) -> TextRange {
        if let Some(title) = &self.model.body.title {
            return title.range.clone();
        }
        let start = self.model.layout.trimmed.start;
        let end = self.text[start..]
            .find(['\n', '\r'])
            .map_or(self.text.len(), |n| start + n);
        start..end
    }

    /// The key range of a top-level field, if written.
    fn key_range(&self, key: &str) -> Option<TextRange> {
        self.model
            .frontmatter
            .outline()
            .entry(key)
            .map(|e| e.key_range.clone())
    }

    /// The value range of a top-level field, else its key.
    fn value_range(&self, key: &str) -> Option<TextRange> {
        let entry = self.model.frontmatter.outline().entry(key)?;
        Some(
            entry
                .value
                .as_ref()
                .map_or(entry.key_range.clone(), |v| v.range.clone()),
        )
    }

    /// Where to say something about a field: its value, else the spec.
    fn field_or_spec(&self, key: &str) -> TextRange {
        self.value_range(key).unwrap_or_else(|| self.spec_anchor())
    }

    /// Where item `index` of a list field sits, holding `value` (else the
    /// first item that holds it: the list's items as chant reads them may
    /// be fewer than the lines); a scalar field's content; else the field.
    fn item_range(&self, key: &str, index: usize, value: &str) -> TextRange {
        let outline = self.model.frontmatter.outline();
        let Some(node) = outline.entry(key).and_then(|e| e.value.as_ref()) else {
            return self.field_or_spec(key);
        };
        let holds =
            |n: &crate::syntax::yaml::YamlNode| n.as_scalar().is_some_and(|s| s.text == value);
        match &node.kind {
            crate::syntax::yaml::YamlKind::Scalar(_) => node.content_range(),
            crate::syntax::yaml::YamlKind::Sequence { items, .. } => items
                .get(index)
                .filter(|n| holds(n))
                .or_else(|| items.iter().find(|n| holds(n)))
                .map_or_else(|| node.range.clone(), |n| n.content_range()),
            _ => node.range.clone(),
        }
    }
}

/// `99,000`: a count as people read it.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 criterion`, `2 criteria`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `a, b or c`
fn word_list<S: AsRef<str>>(words: &[S]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{}`", w.as_ref())).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {}", rest.join(", "), last),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

const CHANT_REJECTS: &str = "chant rejects the whole file (\"Failed to parse spec frontmatter\")";
