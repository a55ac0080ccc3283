//! Where the rules put a spec's diagnostics: the codes the user switched
//! off are dropped as they come, and past [`MAX_DIAGNOSTICS`] the rest are
//! only counted, so one file's diagnostics take bounded memory whatever
//! its size (a spec with 100,000 unchecked criteria keeps 1,000 and one
//! summary).

use std::collections::BTreeMap;

use super::{thousands, Code, Diagnostic, Filter, Severity};
use crate::text::TextRange;

/// Most diagnostics one file gets; one more says how many were left out.
pub const MAX_DIAGNOSTICS: usize = 1_000;

pub struct Sink<'f> {
    kept: Vec<Diagnostic>,
    filter: &'f Filter,
    /// Left out past the cap: how many of each code, the most severe,
    /// and where the first of them is.
    dropped: BTreeMap<Code, usize>,
    dropped_severity: Severity,
    first_dropped: Option<TextRange>,
}

impl<'f> Sink<'f> {
    pub fn new(filter: &'f Filter) -> Sink<'f> {
        Sink {
            kept: Vec::new(),
            filter,
            dropped: BTreeMap::new(),
            dropped_severity: Severity::Hint,
            first_dropped: None,
        }
    }

    pub fn push(&mut self, d: Diagnostic) {
        if !self.filter.allows(d.code) {
            return;
        }
        if self.kept.len() < MAX_DIAGNOSTICS {
            self.kept.push(d);
            return;
        }
        *self.dropped.entry(d.code).or_default() += 1;
        // `Severity` orders Error first.
        self.dropped_severity = self.dropped_severity.min(d.severity);
        self.first_dropped.get_or_insert(d.range);
    }

    /// The diagnostics kept, then one that counts those left out (as
    /// severe as the most severe of them, so an error past the cap still
    /// fails `check`).
    pub fn finish(self) -> Vec<Diagnostic> {
        let mut out = self.kept;
        let total: usize = self.dropped.values().sum();
        if let Some(range) = self.first_dropped.filter(|_| total > 0) {
            let mut counts: Vec<(Code, usize)> = self.dropped.into_iter().collect();
            counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let each: Vec<String> = counts
                .iter()
                .map(|(code, n)| format!("{} {}", thousands(*n), code.as_str()))
                .collect();
            out.push(
                Diagnostic::new(
                    Code::TooManyDiagnostics,
                    range,
                    format!(
                        "And {} more diagnostics in this file, not shown ({}): chant-lsp shows the first {} of a file. The first of them is here.",
                        thousands(total),
                        each.join(", "),
                        thousands(MAX_DIAGNOSTICS)
                    ),
                )
                .severity(self.dropped_severity),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_cap_one_diagnostic_counts_the_rest() {
        let filter = Filter::default();
        let mut sink = Sink::new(&filter);
        for i in 0..MAX_DIAGNOSTICS + 99_000 {
            sink.push(Diagnostic::new(Code::UncheckedCriterion, i..i + 1, "x"));
        }
        sink.push(Diagnostic::new(Code::UnknownDependency, 5..6, "y"));
        let out = sink.finish();
        assert_eq!(out.len(), MAX_DIAGNOSTICS + 1);
        let summary = out.last().unwrap();
        assert_eq!(summary.code, Code::TooManyDiagnostics);
        assert_eq!(summary.severity, Severity::Error);
        assert_eq!(summary.range, MAX_DIAGNOSTICS..MAX_DIAGNOSTICS + 1);
        assert_eq!(
            summary.message,
            "And 99,001 more diagnostics in this file, not shown (99,000 chant/unchecked-criterion, 1 chant/unknown-dependency): chant-lsp shows the first 1,000 of a file. The first of them is here."
        );
    }

    #[test]
    fn switched_off_codes_take_no_room() {
        let (filter, _) = Filter::new(["unchecked-criterion"]);
        let mut sink = Sink::new(&filter);
        for i in 0..5 * MAX_DIAGNOSTICS {
            sink.push(Diagnostic::new(Code::UncheckedCriterion, i..i, "x"));
        }
        sink.push(Diagnostic::new(Code::MissingTitle, 0..0, "y"));
        let out = sink.finish();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, Code::MissingTitle);
    }
}
