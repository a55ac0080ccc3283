//! A job without JSON-RPC: `runner::job` runs a plan and reports to a sink
//! this test implements with plain vectors (as the server implements it
//! with LSP). With the stand-in chant for what it can be made to do (a
//! process that is killed, an exit it chooses) and the real chant 0.23.2
//! for what chant does (add, a chain of runs).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use chant_lsp::analysis::command::{Chain, ChantCommand, Confirm, NewSpec, RunPlan, Scope};
use chant_lsp::runner::job::{self, Answer, Event, Job, JobEnd, JobReport, Sink};
use chant_lsp::runner::outcome::Offer;
use chant_lsp::runner::registry::RunRegistry;
use chant_lsp::spec::config::ChantConfig;
use support::real_chant::{chant_command, real_chant};
use support::TempWorkspace;

const ID: &str = "2026-01-01-001-abc";
const SPEC: &str = "---\ntype: code\nstatus: pending\n---\n# Add the greeting\n\nWrite hello.txt.\n\n## Acceptance Criteria\n\n- [ ] hello.txt exists\n";

/// What a job told its sink, in order.
#[derive(Default)]
struct Recorder {
    answers: Mutex<Vec<Answer>>,
    asked: Mutex<Vec<(String, Vec<String>)>>,
    events: Mutex<Vec<Event>>,
    settled: Mutex<Vec<JobReport>>,
    finished: Mutex<Vec<JobReport>>,
}

impl Sink for Recorder {
    async fn ask(&self, message: String, choices: Vec<String>, _warning: bool) -> Answer {
        self.asked.lock().unwrap().push((message, choices));
        let mut answers = self.answers.lock().unwrap();
        match answers.is_empty() {
            true => Answer::Dismissed,
            false => answers.remove(0),
        }
    }

    async fn event(&self, event: Event) {
        self.events.lock().unwrap().push(event);
    }

    async fn settle(&self, report: &mut JobReport) {
        self.settled.lock().unwrap().push(report.clone());
    }

    async fn finished(&self, report: JobReport) {
        self.finished.lock().unwrap().push(report);
    }
}

impl Recorder {
    fn answering(answers: Vec<Answer>) -> Recorder {
        Recorder {
            answers: Mutex::new(answers),
            ..Recorder::default()
        }
    }

    fn end(&self) -> JobEnd {
        let finished = self.finished.lock().unwrap();
        assert_eq!(finished.len(), 1, "one end");
        finished[0].end.clone()
    }

    fn logged(&self) -> Vec<String> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                Event::Log { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }
}

/// The stand-in chant, built once per test binary.
fn stand_in() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "stand-in-chant"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo build -p stand-in-chant");
        assert!(status.success(), "cargo build -p stand-in-chant failed");
        let built = Path::new(env!("CARGO_BIN_EXE_chant-lsp"))
            .parent()
            .unwrap()
            .join("chant");
        assert!(built.is_file(), "no stand-in chant at {}", built.display());
        built
    })
}

fn project() -> TempWorkspace {
    let ws = TempWorkspace::new();
    ws.chant_init("project:\n  name: jobs\n");
    ws.write(
        ".chant/prompts/standard.md",
        "---\nname: standard\npurpose: Implement the spec\n---\nDo {{spec.title}}\n",
    );
    ws.write(&format!(".chant/specs/{ID}.md"), SPEC);
    ws.git_init();
    ws
}

fn job(ws: &TempWorkspace, plan: RunPlan, program: &Path) -> Job {
    Job {
        plan,
        root: ws.path().to_path_buf(),
        spec: Some(ws.join(&format!(".chant/specs/{ID}.md"))),
        config: ChantConfig::default(),
        program: program.to_path_buf(),
        supervisor: PathBuf::from(env!("CARGO_BIN_EXE_chant-lsp")),
        timeout: None,
    }
}

fn run(job: Job, sink: &Recorder) {
    let registry = RunRegistry::default();
    let handle = registry.register(&job.key()).expect("registered");
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(job::run(job, handle, sink));
    assert!(registry.running().is_empty(), "the job gave up its place");
}

#[test]
fn a_work_job_reports_its_run_and_what_it_touched() {
    let ws = project();
    let plan = RunPlan::single(ID, ChantCommand::work(ID, Some("standard")).unwrap());
    let sink = Recorder::default();
    // The stand-in's knobs are read from the job's environment: none here.
    run(job(&ws, plan, stand_in()), &sink);
    let events = sink.events.lock().unwrap().clone();
    assert_eq!(
        events[0],
        Event::Begin {
            title: format!("chant work {ID}")
        }
    );
    let logged = sink.logged();
    assert_eq!(
        logged[0],
        format!(
            "[chant work {ID}] running {} [\"work\",\"{ID}\",\"--no-watch\",\"--prompt=standard\"] in {}",
            stand_in().display(),
            ws.path().display()
        )
    );
    assert!(
        logged.contains(&format!(
            "[chant work {ID}] stand-in agent: working on {ID} (line 3 of 3)"
        )),
        "{logged:#?}"
    );
    assert_eq!(
        logged.last().unwrap(),
        &format!("[chant work {ID}] exit code 0")
    );
    let JobEnd::Ran {
        outcome,
        shutting_down: false,
    } = sink.end()
    else {
        panic!("{:?}", sink.end());
    };
    assert!(outcome.done, "{outcome:?}");
    assert_eq!(
        outcome.offers,
        [Offer::Review, Offer::ApplyAgentChanges, Offer::Merge],
        "{outcome:?}"
    );
    let settled = sink.settled.lock().unwrap();
    assert_eq!(settled.len(), 1);
    let spec = ws.join(&format!(".chant/specs/{ID}.md"));
    assert!(
        settled[0].touched.contains(&spec),
        "{:?}",
        settled[0].touched
    );
    assert!(settled[0].removed.is_empty());
    assert!(ws
        .read(&format!(".chant/specs/{ID}.md"))
        .contains("status: completed"));
}

#[test]
fn a_declined_confirmation_runs_nothing() {
    let ws = project();
    let mut plan = RunPlan::single(ID, ChantCommand::cancel(ID, true).unwrap());
    plan.confirm = Some(Confirm {
        message: "Delete?".into(),
        yes: "Delete".into(),
        no: "Cancel".into(),
        declined: "Not deleted.".into(),
    });
    let sink = Recorder::answering(vec![Answer::Chose("Cancel".into())]);
    run(job(&ws, plan, stand_in()), &sink);
    assert_eq!(
        *sink.asked.lock().unwrap(),
        vec![(
            "Delete?".to_string(),
            vec!["Delete".to_string(), "Cancel".to_string()]
        )]
    );
    assert_eq!(sink.end(), JobEnd::Declined("Not deleted.".into()));
    assert!(sink.events.lock().unwrap().is_empty(), "nothing began");
    assert!(sink.settled.lock().unwrap().is_empty());
    assert!(ws.exists(&format!(".chant/specs/{ID}.md")));
}

#[test]
fn a_program_that_cannot_start_is_said_so() {
    let ws = project();
    let plan = RunPlan::single(ID, ChantCommand::verify(ID).unwrap());
    let sink = Recorder::default();
    let missing = ws.join("no-such-chant");
    run(job(&ws, plan, &missing), &sink);
    let JobEnd::NotStarted(message) = sink.end() else {
        panic!("{:?}", sink.end());
    };
    assert!(
        message.starts_with(&format!("Could not start chant ({}): ", missing.display())),
        "{message}"
    );
    assert!(
        message.ends_with(". Check the `chant.path` setting."),
        "{message}"
    );
}

/// The real chant in a new git repository (with its own identity):
/// `chant init --minimal`, then specs, committed.
fn real_project(chant: &Path, specs: &[(&str, &str)]) -> TempWorkspace {
    let ws = TempWorkspace::new();
    ws.write("README.md", "# Demo\n");
    ws.git_init();
    let home = tempfile::tempdir().unwrap();
    let init = chant_command(chant, ws.path(), home.path())
        .args(["init", "--minimal", "--name", "jobs"])
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    for (id, text) in specs {
        ws.write(&format!(".chant/specs/{id}.md"), text);
    }
    ws.git(&["add", "-A"]);
    ws.git(&["commit", "-q", "-m", "specs"]);
    ws
}

#[test]
fn add_asks_the_type_and_reports_the_new_spec() {
    let Some(chant) = real_chant("add_asks_the_type_and_reports_the_new_spec") else {
        return;
    };
    let ws = real_project(&chant, &[]);
    let command = ChantCommand::add("Triage the report", None, false).unwrap();
    let plan = RunPlan {
        title: command.label(),
        steps: vec![command],
        chain: Chain::Single,
        confirm: None,
        stash: false,
        new_spec: Some(NewSpec {
            title: "Triage the report".into(),
            spec_type: None,
            labels: vec!["triage".into()],
        }),
        scope: Scope::Project,
    };
    let sink = Recorder::answering(vec![Answer::Chose("task".into())]);
    let mut job = job(&ws, plan, &chant);
    job.spec = None;
    run(job, &sink);
    let asked = sink.asked.lock().unwrap().clone();
    assert_eq!(asked[0].0, "What type of spec is \"Triage the report\"?");
    assert_eq!(
        asked[0].1,
        [
            "code",
            "task",
            "research",
            "documentation",
            "driver",
            "group"
        ]
    );
    let finished = sink.finished.lock().unwrap();
    let (id, spec) = finished[0].created.clone().expect("a new spec");
    assert_eq!(
        spec,
        NewSpec {
            title: "Triage the report".into(),
            spec_type: Some("task".into()),
            labels: vec!["triage".into()],
        }
    );
    let path = ws.join(&format!(".chant/specs/{id}.md"));
    assert!(
        finished[0].touched.contains(&path),
        "{:?}",
        finished[0].touched
    );
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("# Triage the report"));
}

#[test]
fn a_chain_goes_on_after_each_archive_and_says_what_it_did() {
    let Some(chant) = real_chant("a_chain_goes_on_after_each_archive_and_says_what_it_did") else {
        return;
    };
    let done = |title: &str| {
        format!("---\ntype: code\nstatus: completed\nlabels:\n- walk\n---\n# {title}\n\n## Acceptance Criteria\n\n- [x] done\n")
    };
    let (a, b) = ("2026-01-01-001-aaa", "2026-01-01-002-bbb");
    let ws = real_project(&chant, &[(a, &done("A")), (b, &done("B"))]);
    let steps = vec![
        ChantCommand::archive(a).unwrap(),
        ChantCommand::archive(b).unwrap(),
    ];
    let plan = RunPlan {
        title: "chant archive (label walk)".into(),
        steps,
        chain: Chain::ArchiveByLabel {
            label: "walk".into(),
            refused: vec![(
                "2026-01-01-003-ccc".into(),
                "pending: chant archives only completed specs".into(),
            )],
        },
        confirm: None,
        new_spec: None,
        stash: false,
        scope: Scope::Project,
    };
    let sink = Recorder::default();
    let mut job = job(&ws, plan, &chant);
    job.spec = None;
    run(job, &sink);
    let reports: Vec<Event> = sink
        .events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, Event::Report(t) if t.contains("/2: ")))
        .cloned()
        .collect();
    assert_eq!(
        reports,
        vec![
            Event::Report(format!("1/2: chant archive {a}")),
            Event::Report(format!("2/2: chant archive {b}")),
        ]
    );
    let JobEnd::Ran { outcome, .. } = sink.end() else {
        panic!("{:?}", sink.end());
    };
    assert!(
        outcome.text.starts_with(&format!(
            "Archived 2 specs with label `walk`: {a}, {b}. Not archived: 2026-01-01-003-ccc (pending: chant archives only completed specs)."
        )),
        "{}",
        outcome.text
    );
    let finished = sink.finished.lock().unwrap();
    let removed = &finished[0].removed;
    assert_eq!(
        removed,
        &vec![
            ws.join(&format!(".chant/specs/{a}.md")),
            ws.join(&format!(".chant/specs/{b}.md"))
        ]
    );
    for id in [a, b] {
        assert!(!ws.exists(&format!(".chant/specs/{id}.md")));
    }
}
