//! Differential testing against the real chant 0.23.2.
//!
//! `lint_verdicts_agree_with_real_chant`: thousands of seeded mutations of
//! the corpus's real specs (and of its config), batched into projects; each
//! project is checked by `chant lint --format json` (run once per project)
//! and by chant-lsp's `check` (the library, as the binary runs it). The
//! test requires, spec by spec, the same parse verdict and the same set of
//! (spec, rule) pairs, where chant-lsp's pairs are its diagnostics whose
//! `chant_rule()` names a rule. It prints the agreement figures even when it
//! passes, and a minimized reproduction of each kind of disagreement.
//!
//! `refusals_agree_with_real_chant` (in `differential/refusals.rs`): what the
//! editor predicts `chant work`, `chant approve` and `chant reject` refuse,
//! against what chant does.
//!
//! `drift_agrees_with_real_chant` (in `differential/drift.rs`): which
//! completed specs the editor marks as drifted, against `chant drift`.
//!
//! `quality_agrees_with_real_chant` (in `differential/quality.rs`): every
//! quality grade and light, against `chant lint --verbose` and the grades
//! `chant work`'s gate computes (`chant mcp`'s `chant_lint`), on the corpus
//! and on generated specs.
//!
//! Each fails when the real chant cannot be found (`tests/support/real_chant.rs`),
//! unless `CHANT_LSP_SKIP_REAL_CHANT=1`, which records the skip.
//! Environment: `CHANT_REAL` (a chant binary), `CHANT_VENDOR_DIR`,
//! `CHANT_LSP_CORPUS` (the corpus folder, default `tests/corpus/chant-workspace`),
//! `CHANT_DIFF_SEED` (default 1), `CHANT_DIFF_PROJECTS` (spec projects, default 8).

mod support;

#[path = "differential/drift.rs"]
mod drift;
#[path = "differential/mutator.rs"]
mod mutator;
#[path = "differential/project.rs"]
mod project;
#[path = "differential/quality.rs"]
mod quality;
#[path = "differential/refusals.rs"]
mod refusals;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use mutator::{Context, Extras, Rng};
use project::{corpus, Outcome, Project, SpecFile};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Specs per config-variant project.
const CONFIG_PROJECT_SPECS: usize = 90;

#[test]
fn lint_verdicts_agree_with_real_chant() {
    let Some(chant) = support::real_chant::real_chant("lint_verdicts_agree_with_real_chant") else {
        return;
    };
    let corpus = corpus("lint_verdicts_agree_with_real_chant");
    let started = Instant::now();
    let seed = env_number("CHANT_DIFF_SEED", 1);
    let spec_projects = env_number("CHANT_DIFF_PROJECTS", 8) as usize;
    let mut rng = Rng::new(seed);
    let ids: Vec<String> = corpus.specs.keys().cloned().collect();

    let mut projects = Vec::new();
    // Spec projects: the whole corpus, about half of it mutated, and files
    // chant lists differently (dotfiles, subfolders, a folder named `.md`).
    for p in 0..spec_projects {
        let mut project = Project::new(format!("specs-{p}"), corpus.config.clone(), &corpus);
        for id in &ids {
            let text = corpus.specs[id].clone();
            if rng.chance(50) {
                let mut extras = Extras::default();
                let (classes, text) = mutate_spec(&mut rng, &text, id, &ids, &mut extras);
                project.add_spec(id, SpecFile::Text(text), classes);
                project.extras.extend(extras.files);
            } else {
                project.add_spec(id, SpecFile::Text(text), Vec::new());
            }
        }
        add_odd_files(&mut rng, &mut project, &ids);
        projects.push(project);
    }
    // Config projects: each config variant with a sample of the corpus.
    for n in 0..mutator_config_variants() {
        let (name, config) = mutator::config_variant(&mut rng, &corpus.config, n);
        let mut project = Project::new(format!("config-{n}-{name}"), config, &corpus);
        for _ in 0..CONFIG_PROJECT_SPECS {
            let id = rng.pick(&ids);
            let text = corpus.specs[&id].clone();
            if rng.chance(30) {
                let mut extras = Extras::default();
                let (classes, text) = mutate_spec(&mut rng, &text, &id, &ids, &mut extras);
                project.add_spec(&id, SpecFile::Text(text), classes);
                project.extras.extend(extras.files);
            } else {
                project.add_spec(&id, SpecFile::Text(text), vec!["config".into()]);
            }
        }
        projects.push(project);
    }

    let mut totals = Totals::default();
    let mut disagreements: Vec<(usize, String)> = Vec::new();
    let outcomes: Vec<(Outcome, Outcome)> = projects
        .iter()
        .map(|project| project.run_both(&chant))
        .collect();
    for (p, (project, (theirs, ours))) in projects.iter().zip(&outcomes).enumerate() {
        for id in project.linted_ids() {
            let chant_rules = theirs.rules(&id);
            let our_rules = ours.rules(&id);
            totals.specs += 1;
            if project.classes(&id).iter().any(|c| c != "config") {
                totals.mutated += 1;
            }
            let parse_agrees = chant_rules.contains("parse") == our_rules.contains("parse");
            totals.parse_agree += usize::from(parse_agrees);
            totals.spec_agree += usize::from(chant_rules == our_rules);
            totals.chant_pairs += chant_rules.len();
            totals.our_pairs += our_rules.len();
            totals.common_pairs += chant_rules.intersection(&our_rules).count();
            if chant_rules != our_rules {
                for class in project.classes(&id) {
                    *totals.by_class.entry(class.clone()).or_default() += 1;
                }
                disagreements.push((p, id.clone()));
            }
        }
        // Pairs chant-lsp claims on files chant does not lint.
        for (id, rules) in &ours.rules_by_id {
            if !project.linted_ids().contains(id) && !rules.is_empty() {
                totals.claims_on_unlinted += 1;
                disagreements.push((p, id.clone()));
            }
        }
    }
    let elapsed = started.elapsed();
    totals.print(projects.len(), elapsed);

    if disagreements.is_empty() {
        return;
    }
    // A minimized reproduction of the first disagreements, one per
    // combination of mutation classes.
    let mut shown = BTreeSet::new();
    let mut reports = Vec::new();
    for (p, id) in &disagreements {
        let key = projects[*p].classes(id).join("+");
        if !shown.insert(key) || reports.len() >= 6 {
            continue;
        }
        reports.push(projects[*p].minimize(&chant, id));
    }
    panic!(
        "{} specs where chant-lsp and chant 0.23.2 disagree; minimized reproductions:\n\n{}",
        disagreements.len(),
        reports.join("\n\n")
    );
}

fn mutator_config_variants() -> usize {
    // The targeted variants, the config without frontmatter, and random
    // damage to the corpus config.
    29 + 1 + env_number("CHANT_DIFF_RANDOM_CONFIGS", 10) as usize
}

fn mutate_spec(
    rng: &mut Rng,
    text: &str,
    id: &str,
    ids: &[String],
    extras: &mut Extras,
) -> (Vec<String>, String) {
    let mut text = text.to_string();
    let mut classes = Vec::new();
    let rounds = 1 + usize::from(rng.chance(35)) + usize::from(rng.chance(15));
    for _ in 0..rounds {
        let cx = Context { ids, id };
        let (class, out) = mutator::mutate(rng, &text, &cx, extras);
        classes.push(class);
        text = out;
    }
    classes.sort();
    classes.dedup();
    (classes, text)
}

/// Files that are not plain top-level specs: editor lock files and drafts
/// (dotfiles chant lints), specs in subfolders (chant lint skips them),
/// dangling links.
fn add_odd_files(rng: &mut Rng, project: &mut Project, ids: &[String]) {
    for _ in 0..6 {
        let id = rng.pick(ids);
        let text = project.spec_text(&id).unwrap_or_default();
        match rng.below(9) {
            6 => {
                let mut bytes = text.clone().into_bytes();
                let at = rng.below(bytes.len().max(1)).min(bytes.len());
                bytes.insert(at, 0xff);
                project.add_spec(
                    &format!("{id}-latin1"),
                    SpecFile::Bytes(bytes),
                    vec!["invalid-utf8".into()],
                );
            }
            7 => project.add_spec(
                &format!("{id}-empty"),
                SpecFile::Text(rng.pick(&["", "\n", "   ", "---", "---\n---"]).to_string()),
                vec!["empty".into()],
            ),
            0 => project.add_spec(
                &format!(".#{id}"),
                SpecFile::DanglingLink,
                vec!["lock-link".into()],
            ),
            1 => project.add_spec(
                &format!(".#{id}"),
                SpecFile::Text(text),
                vec!["lock-file".into()],
            ),
            2 => project.add_spec(".draft", SpecFile::Text(text), vec!["dotfile".into()]),
            3 => project.add_spec(
                &format!("sub/{id}-nested"),
                SpecFile::Text(text.replace("status: completed", "status: pending")),
                vec!["nested".into()],
            ),
            4 => {
                // A top-level spec that depends on a nested one.
                let nested = format!("{id}-n");
                project.add_spec(
                    &format!("sub/{nested}"),
                    SpecFile::Text(text.clone()),
                    vec!["nested".into()],
                );
                let dependent = mutator::set_field(&text, "depends_on", &format!("[{nested}]"));
                project.add_spec(
                    &format!("{id}-dep"),
                    SpecFile::Text(dependent),
                    vec!["depends-on-nested".into()],
                );
            }
            _ => project.add_spec(
                &format!("{id}-copy"),
                SpecFile::Text(text),
                vec!["copy".into()],
            ),
        }
    }
}

#[derive(Default)]
struct Totals {
    specs: usize,
    mutated: usize,
    parse_agree: usize,
    spec_agree: usize,
    chant_pairs: usize,
    our_pairs: usize,
    common_pairs: usize,
    claims_on_unlinted: usize,
    by_class: BTreeMap<String, usize>,
}

impl Totals {
    fn print(&self, projects: usize, elapsed: std::time::Duration) {
        let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
        let union = self.chant_pairs + self.our_pairs - self.common_pairs;
        eprintln!("differential (chant 0.23.2): {projects} projects, {} specs linted by chant ({} mutated), {:.1} s", self.specs, self.mutated, elapsed.as_secs_f64());
        eprintln!(
            "  parse verdicts agree:        {}/{} = {:.2} %",
            self.parse_agree,
            self.specs,
            pct(self.parse_agree, self.specs)
        );
        eprintln!(
            "  lint results agree (spec):   {}/{} = {:.2} %",
            self.spec_agree,
            self.specs,
            pct(self.spec_agree, self.specs)
        );
        eprintln!(
            "  (spec, rule) pairs agree:    {}/{} = {:.2} % (chant {}, chant-lsp {})",
            self.common_pairs,
            union,
            pct(self.common_pairs, union),
            self.chant_pairs,
            self.our_pairs
        );
        eprintln!(
            "  chant rules claimed on files chant lint does not read: {}",
            self.claims_on_unlinted
        );
        if !self.by_class.is_empty() {
            eprintln!("  disagreeing specs by mutation class: {:?}", self.by_class);
        }
    }
}

/// Used by `refusals.rs` too.
pub fn set_field(text: &str, key: &str, value: &str) -> String {
    mutator::set_field(text, key, value)
}
