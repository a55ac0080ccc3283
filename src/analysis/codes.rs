//! Every diagnostic the server can report: its stable code, default
//! severity, and the chant lint rule it mirrors (if chant has one).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "info",
            Severity::Hint => "hint",
        }
    }
}

macro_rules! codes {
    ($($variant:ident => $code:literal, $severity:ident, $rule:expr, $summary:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable code users see and disable, e.g. `chant/unknown-status`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// The `chant lint` rule this mirrors, as chant names it.
            pub fn chant_rule(self) -> Option<&'static str> {
                match self { $(Code::$variant => $rule,)* }
            }

            /// One line on what the diagnostic is about.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }
        }
    };
}

codes! {
    YamlSyntax => "chant/yaml-syntax", Error, Some("parse"), "The frontmatter is not valid YAML.";
    NotAMapping => "chant/not-a-mapping", Error, Some("parse"), "The frontmatter is not a map of fields.";
    UnknownType => "chant/unknown-type", Error, Some("parse"), "`type` is not one of chant's types.";
    UnknownStatus => "chant/unknown-status", Error, Some("parse"), "`status` is not one of chant's statuses.";
    UnknownVerificationStatus => "chant/unknown-verification-status", Error, Some("parse"), "`verification_status` is not passed, failed or partial.";
    UnknownApprovalStatus => "chant/unknown-approval-status", Error, Some("parse"), "`approval.status` is not pending, approved or rejected.";
    WrongType => "chant/wrong-type", Error, Some("parse"), "A field has a value of the wrong type.";
    DuplicateKey => "chant/duplicate-key", Error, Some("parse"), "A field is given twice.";
    InvalidUtf8 => "chant/invalid-utf8", Error, Some("parse"), "The file is not UTF-8 text.";
    FileTooLarge => "chant/file-too-large", Warning, None, "The file is too large to analyse.";
    FileOutsideProject => "chant/file-outside-project", Warning, None, "The spec file is a link that leads outside the project, so it is not read.";
    UnreadableFile => "chant/unreadable-file", Error, Some("parse"), "The file cannot be read: a FIFO, a device, a folder, or no permission.";
    UnknownKey => "chant/unknown-key", Warning, None, "chant does not know this field and ignores it.";
    UnclosedFrontmatter => "chant/unclosed-frontmatter", Warning, None, "The frontmatter has no closing `---`, so chant ignores it.";
    LateFrontmatter => "chant/late-frontmatter", Warning, None, "A frontmatter block that does not start the file is body text to chant.";
    FrontmatterCut => "chant/frontmatter-cut", Warning, None, "A `---` inside a line ends the frontmatter there.";
    ByteOrderMark => "chant/byte-order-mark", Warning, None, "A byte order mark hides the frontmatter from chant.";
    MissingTitle => "chant/missing-title", Error, Some("title"), "The body has no `# ` title line.";
    TitleInCodeFence => "chant/title-in-code-fence", Warning, None, "chant takes a `# ` line inside a code block as the title.";
    UnknownDependency => "chant/unknown-dependency", Error, Some("dependency"), "A `depends_on` ID names no spec chant can find.";
    ArchivedDependency => "chant/archived-dependency", Error, Some("dependency"), "A `depends_on` ID names an archived spec, which chant treats as unknown.";
    UnknownMember => "chant/unknown-member", Error, Some("dependency"), "A `members` ID names no spec.";
    DuplicateSpecId => "chant/duplicate-spec-id", Warning, None, "Another spec file in `.chant/specs` has the same ID.";
    SelfDependency => "chant/self-dependency", Warning, None, "The spec depends on itself and can never start.";
    UnmetDependency => "chant/unmet-dependency", Information, None, "A dependency is not completed yet, so `chant work` refuses this spec.";
    MissingRequiredField => "chant/missing-required-field", Error, Some("required"), "A field that config `enterprise.required` asks for is missing.";
    TypeMissingField => "chant/type-missing-field", Warning, Some("type"), "A documentation or research spec lacks a field its type wants.";
    EmptyMembers => "chant/empty-members", Warning, Some("type"), "A driver or group spec lists no members.";
    TooManyCriteria => "chant/too-many-criteria", Warning, Some("complexity"), "More acceptance criteria than the complexity threshold.";
    TooManyFiles => "chant/too-many-files", Warning, Some("complexity"), "More target files than the complexity threshold.";
    TooManyWords => "chant/too-many-words", Warning, Some("complexity"), "A body longer than the complexity threshold.";
    MentionsSpec => "chant/mentions-spec", Warning, Some("coupling"), "The body mentions another spec ID instead of using `depends_on`.";
    ModelWaste => "chant/model-waste", Warning, Some("modelwaste"), "An expensive model on a simple spec.";
    IncompleteApproval => "chant/incomplete-approval", Error, Some("approval"), "The approval fields contradict each other.";
    MissingOutputSchema => "chant/missing-output-schema", Error, Some("output"), "A completed spec's `output_schema` file does not exist.";
    OutputMismatch => "chant/output-mismatch", Error, Some("output"), "A completed spec's agent log does not satisfy its `output_schema`.";
    MissingFile => "chant/missing-file", Warning, None, "A path in the frontmatter does not exist.";
    PathOutsideRoot => "chant/path-outside-root", Warning, None, "A path leads outside the chant project.";
    TracksNoMatch => "chant/tracks-no-match", Warning, None, "A `tracks` glob matches no file.";
    UnknownPrompt => "chant/unknown-prompt", Error, None, "`prompt` names no file in `.chant/prompts/`.";
    UncheckedCriterion => "chant/unchecked-criterion", Information, None, "An acceptance criterion chant counts as not done.";
    NoCriteria => "chant/no-criteria", Warning, None, "No acceptance criteria: `chant work` refuses the spec.";
    UncountedCheckbox => "chant/uncounted-checkbox", Warning, None, "A checkbox chant does not count (`* [ ]`, `+ [ ]`, `1. [ ]`).";
    CheckboxInTildeFence => "chant/checkbox-in-tilde-fence", Information, None, "A checkbox inside a `~~~` block, which chant counts anyway.";
    IgnoredCriteriaHeading => "chant/ignored-criteria-heading", Warning, None, "A criteria heading chant does not use.";
    UnclosedFence => "chant/unclosed-fence", Warning, None, "A code fence chant never sees closed hides the rest of the file.";
    ReadyStatus => "chant/ready-status", Warning, None, "`status: ready` has no transitions: `chant work` fails on it.";
    CompletedWithUnchecked => "chant/completed-with-unchecked", Warning, None, "A completed spec with unchecked criteria.";
    ApprovalBlocksWork => "chant/approval-blocks-work", Information, None, "Approval is required and not given, so `chant work` refuses the spec.";
    QualityComplexity => "chant/quality-complexity", Hint, None, "chant grades the spec's complexity C or D: its suggestion, where the size comes from.";
    QualityConfidence => "chant/quality-confidence", Hint, None, "chant grades the spec's confidence C or D (bullets, imperative verbs, vague phrases): its suggestion.";
    VaguePhrase => "chant/vague-phrase", Hint, None, "A phrase chant counts as vague language against the spec's confidence.";
    QualityCriteria => "chant/quality-criteria", Hint, None, "chant grades the spec's acceptance criteria below A: its suggestion to add some.";
    QualitySplittability => "chant/quality-splittability", Hint, None, "chant grades the spec's splittability C or D: its suggestion (`target_files`, `##` sections, coupling phrases).";
    QualityIsolation => "chant/quality-isolation", Hint, None, "chant grades the isolation of the spec's members C or D: its suggestion.";
    Drift => "chant/drift", Warning, None, "A completed spec's `tracks`, `origin` or `informed_by` files changed after its `completed_at`.";
    DriftInvalidPattern => "chant/drift-invalid-pattern", Warning, None, "A completed spec's pattern that `chant drift` cannot expand: the whole command fails on it.";
    TooManyDiagnostics => "chant/too-many-diagnostics", Information, None, "More diagnostics than a file shows: one counts those left out (as severe as the most severe of them).";
    DriftNotChecked => "chant/drift-not-checked", Information, None, "A completed spec's pattern that names more files than chant-lsp expands, so its drift is not checked.";
}

impl Code {
    /// Whether the diagnostic needs the project's index (other specs, the
    /// prompts, the list of project files) to be right. The editor's first
    /// analysis of a spec, made before the index is ready, leaves these out
    /// rather than report them wrongly (an "unknown dependency" that only
    /// is not indexed yet).
    pub fn needs_index(self) -> bool {
        matches!(
            self,
            Code::UnknownDependency
                | Code::ArchivedDependency
                | Code::UnknownMember
                | Code::DuplicateSpecId
                | Code::SelfDependency
                | Code::UnmetDependency
                | Code::TracksNoMatch
                | Code::UnknownPrompt
                // Whether the spec has members decides which hints apply.
                | Code::QualityComplexity
                | Code::QualityConfidence
                | Code::VaguePhrase
                | Code::QualityCriteria
                | Code::QualitySplittability
                | Code::QualityIsolation
        )
    }

    pub fn parse(code: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == code || c.as_str().strip_prefix("chant/") == Some(code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_prefixed() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(code.as_str().starts_with("chant/"));
            assert!(seen.insert(code.as_str()), "{}", code.as_str());
        }
        assert_eq!(Code::parse("unknown-status"), Some(Code::UnknownStatus));
        assert_eq!(
            Code::parse("chant/unknown-status"),
            Some(Code::UnknownStatus)
        );
    }
}
