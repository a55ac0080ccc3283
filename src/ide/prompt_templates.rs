//! Prompt files for the kinds of work a spec asks for (triage, reproduce,
//! research, implement, review, documentation, and a generic one), written
//! when a spec names a prompt the project does not have. chant ships none
//! of these (its walkthrough uses them all), and `chant work` marks the
//! spec in_progress before it fails with "Prompt not found".
//!
//! Each file is what chant reads (chant 0.23.2, `src/prompt.rs`): a
//! frontmatter with `name` and `purpose`, then a body in which chant
//! replaces only its own variables ([`CHANT_VARIABLES`]). The bodies keep
//! what chant's standard prompt tells the agent: tick the criteria in
//! `{{spec.path}}`, commit as `chant(<id>): ...`. They are kept as Markdown
//! beside this module (`prompt_templates/`), with two shared parts.

use crate::spec::edit::yaml_string;

/// The template variables chant 0.23.2 fills (`substitute` in
/// `src/prompt.rs`); anything else is left in the text as it is.
pub const CHANT_VARIABLES: &[&str] = &[
    "project.name",
    "spec.id",
    "spec.title",
    "spec.description",
    "spec.path",
    "spec",
    "spec.target_files",
    "spec.context",
    "worktree.path",
    "worktree.branch",
    "worktree.isolated",
];

/// The kinds of work there is a template for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateKind {
    Triage,
    Reproduce,
    Research,
    Implement,
    Review,
    Documentation,
    /// Any other name.
    Generic,
}

impl TemplateKind {
    pub const ALL: [TemplateKind; 7] = [
        TemplateKind::Triage,
        TemplateKind::Reproduce,
        TemplateKind::Research,
        TemplateKind::Implement,
        TemplateKind::Review,
        TemplateKind::Documentation,
        TemplateKind::Generic,
    ];

    /// The template's name: the prompt name it is written for.
    pub fn name(self) -> &'static str {
        match self {
            TemplateKind::Triage => "triage",
            TemplateKind::Reproduce => "reproduce",
            TemplateKind::Research => "research",
            TemplateKind::Implement => "implement",
            TemplateKind::Review => "review",
            TemplateKind::Documentation => "documentation",
            TemplateKind::Generic => "generic",
        }
    }

    /// The prompt's `purpose` (`chant prompt list` and hovers show it).
    pub fn purpose(self) -> &'static str {
        match self {
            TemplateKind::Triage => "Assess an issue report and recommend the next step",
            TemplateKind::Reproduce => {
                "Write the smallest failing test that reproduces a reported problem"
            }
            TemplateKind::Research => {
                "Investigate a question or a root cause and write down findings and a recommendation"
            }
            TemplateKind::Implement => "Implement a change, with tests, as its spec and findings describe",
            TemplateKind::Review => "Review a change and give a verdict",
            TemplateKind::Documentation => "Write or update documentation that matches the source",
            TemplateKind::Generic => "Work a spec as it describes",
        }
    }

    /// The body, before the shared parts are put in.
    fn source(self) -> &'static str {
        match self {
            TemplateKind::Triage => include_str!("prompt_templates/triage.md"),
            TemplateKind::Reproduce => include_str!("prompt_templates/reproduce.md"),
            TemplateKind::Research => include_str!("prompt_templates/research.md"),
            TemplateKind::Implement => include_str!("prompt_templates/implement.md"),
            TemplateKind::Review => include_str!("prompt_templates/review.md"),
            TemplateKind::Documentation => include_str!("prompt_templates/documentation.md"),
            TemplateKind::Generic => include_str!("prompt_templates/generic.md"),
        }
    }

    /// The body chant sends the agent (after the frontmatter), `\n` line
    /// breaks.
    pub fn body(self) -> String {
        self.source()
            .replace(
                "@@common_start@@\n",
                include_str!("prompt_templates/common_start.md"),
            )
            .replace(
                "@@common_end@@\n",
                include_str!("prompt_templates/common_end.md"),
            )
    }
}

/// Words (or word beginnings) that name a kind of work. In a name made of
/// several words the last one that names a kind wins, as the last word of
/// an English compound is its head: `code-review` is a review,
/// `review-fix` a fix.
const WORDS: &[(&str, Match, TemplateKind)] = &[
    ("triag", Match::Prefix, TemplateKind::Triage),
    ("intake", Match::Exact, TemplateKind::Triage),
    ("assess", Match::Prefix, TemplateKind::Triage),
    ("classify", Match::Exact, TemplateKind::Triage),
    ("reproduc", Match::Prefix, TemplateKind::Reproduce),
    ("repro", Match::Prefix, TemplateKind::Reproduce),
    ("research", Match::Prefix, TemplateKind::Research),
    ("investigat", Match::Prefix, TemplateKind::Research),
    ("analys", Match::Prefix, TemplateKind::Research),
    ("analyz", Match::Prefix, TemplateKind::Research),
    ("explor", Match::Prefix, TemplateKind::Research),
    ("spike", Match::Prefix, TemplateKind::Research),
    ("rca", Match::Exact, TemplateKind::Research),
    ("implement", Match::Prefix, TemplateKind::Implement),
    ("impl", Match::Exact, TemplateKind::Implement),
    ("fix", Match::Prefix, TemplateKind::Implement),
    ("bugfix", Match::Prefix, TemplateKind::Implement),
    ("hotfix", Match::Prefix, TemplateKind::Implement),
    ("patch", Match::Exact, TemplateKind::Implement),
    ("feature", Match::Prefix, TemplateKind::Implement),
    ("develop", Match::Prefix, TemplateKind::Implement),
    ("code", Match::Exact, TemplateKind::Implement),
    ("coding", Match::Exact, TemplateKind::Implement),
    ("review", Match::Prefix, TemplateKind::Review),
    ("audit", Match::Prefix, TemplateKind::Review),
    ("qa", Match::Exact, TemplateKind::Review),
    ("document", Match::Prefix, TemplateKind::Documentation),
    ("doc", Match::Exact, TemplateKind::Documentation),
    ("docs", Match::Exact, TemplateKind::Documentation),
    ("readme", Match::Exact, TemplateKind::Documentation),
    ("guide", Match::Exact, TemplateKind::Documentation),
    ("tutorial", Match::Exact, TemplateKind::Documentation),
];

/// Stems looked for anywhere in a name whose words name no kind (words run
/// together: `codereview`, `writedocs`).
const STEMS: &[(&str, TemplateKind)] = &[
    ("triag", TemplateKind::Triage),
    ("reproduc", TemplateKind::Reproduce),
    ("repro", TemplateKind::Reproduce),
    ("research", TemplateKind::Research),
    ("investigat", TemplateKind::Research),
    ("implement", TemplateKind::Implement),
    ("fix", TemplateKind::Implement),
    ("review", TemplateKind::Review),
    ("audit", TemplateKind::Review),
    ("document", TemplateKind::Documentation),
    ("docs", TemplateKind::Documentation),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    Exact,
    Prefix,
}

/// The kind of work a prompt name asks for, matched loosely: by its words
/// (split at anything not a letter or digit, any case), else by a stem
/// anywhere in it (the rightmost), else [`TemplateKind::Generic`].
pub fn kind_for(name: &str) -> TemplateKind {
    let lower = name.to_lowercase();
    let word_kind = |word: &str| {
        WORDS
            .iter()
            .find(|(w, how, _)| match how {
                Match::Exact => word == *w,
                Match::Prefix => word.starts_with(w),
            })
            .map(|(_, _, kind)| *kind)
    };
    let by_word = lower
        .rsplit(|c: char| !c.is_alphanumeric())
        .find_map(word_kind);
    if let Some(kind) = by_word {
        return kind;
    }
    STEMS
        .iter()
        .filter_map(|(stem, kind)| lower.rfind(stem).map(|at| (at + stem.len(), *kind)))
        .max_by_key(|(end, _)| *end)
        .map_or(TemplateKind::Generic, |(_, kind)| kind)
}

/// A prompt name as a YAML value that reads back as the same string: plain
/// when it starts with a letter and YAML would not take it for anything
/// else, else double-quoted (a name such as `2024` or `0x1f`).
pub fn yaml_name(name: &str) -> String {
    if name.starts_with(|c: char| c.is_alphabetic()) {
        yaml_string(name)
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// A new prompt file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptFile {
    pub kind: TemplateKind,
    pub text: String,
}

/// The prompt file `name` gets: the template of its kind, with chant's
/// frontmatter (`name`, `purpose`, and a comment saying which template it
/// came from), its line breaks `eol` (the spec's own: `\n` or `\r\n`).
pub fn prompt_file(name: &str, eol: &str) -> PromptFile {
    let kind = kind_for(name);
    // chant ends the frontmatter at the first `---` after the opening one,
    // wherever it is: nothing in it may contain one.
    let text = format!(
        "---\nname: {}\npurpose: {}\n# Written by chant-lsp from its {} template: make it yours.\n---\n\n{}",
        yaml_name(name),
        kind.purpose(),
        kind.name(),
        kind.body()
    );
    let text = match eol {
        "\n" => text,
        eol => text.replace('\n', eol),
    };
    PromptFile { kind, text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_their_kind_loosely() {
        use TemplateKind::*;
        let cases: &[(&str, TemplateKind)] = &[
            ("triage", Triage),
            ("Triage", Triage),
            ("issue-triage", Triage),
            ("triaging", Triage),
            ("reproduce", Reproduce),
            ("reproduction", Reproduce),
            ("bug_repro", Reproduce),
            ("research", Research),
            ("investigate", Research),
            ("root-cause-analysis", Research),
            ("research-synthesis", Research),
            ("implement", Implement),
            ("implementation", Implement),
            ("fix", Implement),
            ("bugfix", Implement),
            ("review-fix", Implement),
            ("feature", Implement),
            ("review", Review),
            ("code-review", Review),
            ("codereview", Review),
            ("doc-audit", Review),
            ("documentation", Documentation),
            ("docs", Documentation),
            ("fix-docs", Documentation),
            ("writedocs", Documentation),
            ("deploy", Generic),
            ("standard2", Generic),
            ("x", Generic),
        ];
        let wrong: Vec<String> = cases
            .iter()
            .filter(|(name, kind)| kind_for(name) != *kind)
            .map(|(name, kind)| format!("{name}: {:?}, not {kind:?}", kind_for(name)))
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    /// chant's `split_frontmatter` (src/spec/parse.rs), as
    /// `syntax::layout` restates it.
    fn chant_split(content: &str) -> (Option<&str>, &str) {
        let layout = crate::syntax::layout::split(content);
        let yaml = layout.frontmatter.map(|f| &content[f.yaml]);
        (yaml, &content[layout.body])
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct ChantPromptFrontmatter {
        name: Option<String>,
        purpose: Option<String>,
        extends: Option<String>,
    }

    /// Every `{{...}}` in a text.
    fn variables(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else { break };
            out.push(&after[..end]);
            rest = &after[end + 2..];
        }
        out
    }

    #[test]
    fn every_template_is_a_prompt_chant_reads_with_only_its_variables() {
        for kind in TemplateKind::ALL {
            let name = format!("my-{}", kind.name());
            let file = prompt_file(&name, "\n");
            let (frontmatter, body) = chant_split(&file.text);
            let frontmatter: ChantPromptFrontmatter =
                serde_yaml_ng::from_str(frontmatter.expect("a frontmatter")).unwrap();
            assert_eq!(
                frontmatter,
                ChantPromptFrontmatter {
                    name: Some(name.clone()),
                    purpose: Some(kind.purpose().to_string()),
                    extends: None,
                }
            );
            assert_eq!(body, kind.body().trim_end(), "{kind:?}");
            assert!(!body.contains("@@"), "{kind:?}: a shared part left out");
            for variable in variables(body) {
                assert!(
                    CHANT_VARIABLES.contains(&variable),
                    "{kind:?}: chant does not fill {{{{{variable}}}}}"
                );
            }
            // What chant's standard prompt tells the agent, kept.
            for needle in [
                "**{{spec.title}}**\n\n{{spec.description}}\n",
                "in `{{spec.path}}` that your work meets, by changing `- [ ]` to `- [x]`",
                "`git commit -m \"chant({{spec.id}}): <description>\"`",
                "```\n{{spec.target_files}}\n```\n",
                "{{project.name}}",
            ] {
                assert!(body.contains(needle), "{kind:?} lacks {needle:?}");
            }
            assert!(
                file.text
                    .contains(&format!("from its {} template", kind.name())),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn the_file_follows_the_specs_line_breaks() {
        let lf = prompt_file("triage", "\n");
        let crlf = prompt_file("triage", "\r\n");
        assert_eq!(lf.kind, TemplateKind::Triage);
        assert_eq!(crlf.text, lf.text.replace('\n', "\r\n"));
        assert!(!crlf.text.replace("\r\n", "").contains('\n'));
        assert!(lf.text.starts_with(
            "---\nname: triage\npurpose: Assess an issue report and recommend the next step\n# Written by chant-lsp from its triage template: make it yours.\n---\n\n# Triage\n\nYou are triaging an issue for {{project.name}}:"
        ));
    }

    #[test]
    fn names_yaml_would_read_otherwise_are_quoted() {
        assert_eq!(yaml_name("triage"), "triage");
        assert_eq!(yaml_name("2024"), "\"2024\"");
        assert_eq!(yaml_name("0x1f"), "\"0x1f\"");
        assert_eq!(yaml_name("yes"), "\"yes\"");
        assert_eq!(yaml_name("null"), "\"null\"");
        for name in ["2024", "0x1f", "yes", "null", "1.5", "triage"] {
            let file = prompt_file(name, "\n");
            let (frontmatter, _) = chant_split(&file.text);
            let read: ChantPromptFrontmatter =
                serde_yaml_ng::from_str(frontmatter.unwrap()).unwrap();
            assert_eq!(read.name.as_deref(), Some(name));
        }
    }
}
