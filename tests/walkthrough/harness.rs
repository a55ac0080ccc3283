//! The walkthrough's harness, shared by `e2e_walkthrough.rs` and
//! `e2e_commands.rs`: a chant project made by the REAL chant's `chant init`
//! in a new git repository, a scripted agent named `claude` on PATH
//! (`claude.sh`), chant behind a wrapper that logs every call's arguments,
//! a private home, and a server over it all.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use regex::Regex;
use serde_json::{json, Value};

use crate::support::real_chant::real_chant;
use crate::support::*;

/// A chant run can take a while on a loaded machine.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(180);

/// The scripted agent. chant runs it as `claude --print ... "Read and
/// execute the task in .chant/tmp/<id>-prompt.md"` (in the worktree for
/// `chant work`, in the project for `verify` and `split`), with
/// `CHANT_SPEC_ID` and `CHANT_SPEC_FILE`. It keeps a copy of the prompt,
/// then does what it asks: verify (a verification summary that passes
/// every criterion), split (two members), or work as chant's standard
/// prompt says: the files of `$AGENT_DIR/write-<id>/` (else
/// `done-<id>.txt`), every criterion ticked in the spec the prompt names
/// (`.chant/specs/<id>.md` in its folder), committed as `chant(<id>): agent
/// work`. `$AGENT_DIR/mode-<id>` (or `mode`) says `ok`, `commit-all` (as
/// `ok`, committing with `git add -A`, the other specs chant removed from
/// the worktree included), `fail` (exit 1 after its lines) or `hang`
/// (sleeps until killed).
pub const CLAUDE: &str = include_str!("claude.sh");

/// chant as the server runs it: each call's arguments go to
/// `$CHANT_ARGV_LOG` (one record per call, arguments separated by 0x1f,
/// records ended by 0x1e), then the real chant runs.
pub fn chant_wrapper(real: &Path) -> String {
    format!(
        "#!/bin/sh\n{{ for a in \"$@\"; do printf '%s\\037' \"$a\"; done; printf '\\036'; }} >> \"$CHANT_ARGV_LOG\"\nexec '{}' \"$@\"\n",
        real.display()
    )
}

pub fn write_executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
}

/// Prompts the tests add to those `chant init` writes (chant's own
/// `standard`, `split`, `verify`, `merge-conflict`, `ollama`): the agent
/// works by them as by chant's standard prompt.
pub const PROMPTS: &[(&str, &str)] = &[
    (
        "research",
        "---\nname: research\npurpose: Research a question\n---\nTASK: work (research) on {{spec.id}}: {{spec.title}}\n",
    ),
    (
        "review",
        "---\nname: review\npurpose: Review a change\n---\nTASK: work (review) on {{spec.id}}: {{spec.title}}\n",
    ),
];

/// How the test answers the server's questions (`showMessageRequest`): each
/// request takes the next answer (None: dismissed); with none left, it is
/// dismissed.
#[derive(Clone, Default)]
pub struct Answers {
    pub queue: Arc<Mutex<VecDeque<Option<String>>>>,
    pub asked: Arc<Mutex<Vec<Value>>>,
}

impl Answers {
    pub fn push(&self, answer: Option<&str>) {
        self.queue
            .lock()
            .unwrap()
            .push_back(answer.map(str::to_string));
    }

    pub fn asked(&self) -> Vec<Value> {
        self.asked.lock().unwrap().clone()
    }
}

pub struct Walk {
    pub ws: TempWorkspace,
    pub scratch: tempfile::TempDir,
    pub client: LspClient,
    pub answers: Answers,
    /// chant's `project.name`: unique, so worktrees (`/tmp/chant-<name>-<id>`)
    /// never meet across tests.
    pub name: String,
}

pub struct Options {
    /// The `chant` settings (`workspace/configuration` and
    /// `initializationOptions`).
    pub settings: Value,
    /// Deep-merged into the client's capabilities.
    pub capabilities: Option<Value>,
    /// More environment for the server (after the harness's own, so it can
    /// override it: `PATH`).
    pub env: Vec<(String, String)>,
    /// Files written and committed with the project (relative path, text).
    pub files: Vec<(String, String)>,
    /// Folders put first on the server's `PATH` (not on the harness's own,
    /// which sets the project up).
    pub server_path: Vec<std::path::PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            settings: json!({"commands": {"enabled": true}, "approverName": "Ada"}),
            capabilities: None,
            env: Vec::new(),
            files: Vec::new(),
            server_path: Vec::new(),
        }
    }
}

/// The environment chant, git and the agent see: a private home, a fixed
/// git identity.
pub fn base_env(scratch: &Path) -> Vec<(String, String)> {
    let home = scratch.join("home");
    vec![
        ("HOME".into(), home.display().to_string()),
        (
            "XDG_CONFIG_HOME".into(),
            home.join(".config").display().to_string(),
        ),
        ("GIT_AUTHOR_NAME".into(), "Test User".into()),
        ("GIT_AUTHOR_EMAIL".into(), "test@example.com".into()),
        ("GIT_COMMITTER_NAME".into(), "Test User".into()),
        ("GIT_COMMITTER_EMAIL".into(), "test@example.com".into()),
        ("GIT_CONFIG_NOSYSTEM".into(), "1".into()),
        ("NO_COLOR".into(), "1".into()),
        (
            "PATH".into(),
            format!(
                "{}:{}",
                scratch.join("bin").display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        ),
        (
            "CHANT_ARGV_LOG".into(),
            scratch.join("argv.log").display().to_string(),
        ),
        (
            "AGENT_DIR".into(),
            scratch.join("agent").display().to_string(),
        ),
    ]
}

impl Walk {
    /// A chant project made by `chant init` in a new git repository, its
    /// prompts committed, and a server over it. Without the real chant it
    /// fails, or, when the run opted out (`CHANT_LSP_SKIP_REAL_CHANT=1`),
    /// answers None once the skip is recorded.
    pub fn start(test: &str) -> Option<Walk> {
        Walk::start_with(test, Options::default())
    }

    pub fn start_with(test: &str, options: Options) -> Option<Walk> {
        let real = real_chant(test)?;
        let scratch = tempfile::tempdir().unwrap();
        for dir in ["home", "bin", "agent"] {
            std::fs::create_dir_all(scratch.path().join(dir)).unwrap();
        }
        write_executable(&scratch.path().join("bin/chant"), &chant_wrapper(&real));
        write_executable(&scratch.path().join("bin/claude"), CLAUDE);
        let ws = TempWorkspace::new();
        let name = format!(
            "walk{}",
            ws.path()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_lowercase()
        );
        let env = base_env(scratch.path());
        let run = |program: &str, args: &[&str]| {
            let out = Command::new(program)
                .args(args)
                .current_dir(ws.path())
                .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .stdin(Stdio::null())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{program} {args:?}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run("git", &["init", "-q", "-b", "main"]);
        run("git", &["config", "user.name", "Test User"]);
        run("git", &["config", "user.email", "test@example.com"]);
        run("git", &["config", "commit.gpgsign", "false"]);
        ws.write("README.md", "# Demo\n");
        run("git", &["add", "-A"]);
        run("git", &["commit", "-q", "-m", "initial"]);
        run("chant", &["init", "--name", &name]);
        for (prompt, text) in PROMPTS {
            ws.write(&format!(".chant/prompts/{prompt}.md"), text);
        }
        for (rel, text) in &options.files {
            ws.write(rel, text);
        }
        run("git", &["add", "-A"]);
        run("git", &["commit", "-q", "-m", "chant project"]);
        // The argv log records the server's calls only.
        let _ = std::fs::remove_file(scratch.path().join("argv.log"));

        let mut opts = ClientOptions::for_folder(ws.path());
        opts.env = env;
        for (key, value) in options.env {
            opts.env.retain(|(k, _)| *k != key);
            opts.env.push((key, value));
        }
        opts.capabilities_patch = options.capabilities;
        if !options.server_path.is_empty() {
            for (key, value) in opts.env.iter_mut() {
                if key == "PATH" {
                    let first: Vec<String> = options
                        .server_path
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect();
                    *value = format!("{}:{value}", first.join(":"));
                }
            }
        }
        opts.settings = options.settings.clone();
        opts.initialization_options = Some(options.settings);
        let client = LspClient::start(opts);
        let answers = Answers::default();
        let responder = answers.clone();
        client.set_responder(Box::new(move |method, params| {
            if method == "window/showMessageRequest" {
                responder.asked.lock().unwrap().push(params.clone());
                let answer = responder.queue.lock().unwrap().pop_front().flatten();
                return Some(Ok(match answer {
                    Some(title) => json!({"title": title}),
                    None => Value::Null,
                }));
            }
            None
        }));
        Some(Walk {
            ws,
            scratch,
            client,
            answers,
            name,
        })
    }

    pub fn root_uri(&self) -> String {
        self.ws.uri("")
    }

    pub fn spec_rel(id: &str) -> String {
        format!(".chant/specs/{id}.md")
    }

    pub fn spec_uri(&self, id: &str) -> String {
        self.ws.uri(&Walk::spec_rel(id))
    }

    pub fn spec(&self, id: &str) -> String {
        self.ws.read(&Walk::spec_rel(id))
    }

    /// Write specs and commit them (as a user would before working them).
    pub fn commit_specs(&self, specs: &[(&str, &str)]) {
        for (id, text) in specs {
            self.ws.write(&Walk::spec_rel(id), text);
        }
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", "specs"]);
        let uris: Vec<String> = specs.iter().map(|(id, _)| self.spec_uri(id)).collect();
        let changes: Vec<(&str, u32)> = uris.iter().map(|u| (u.as_str(), FILE_CREATED)).collect();
        self.client.did_change_watched_files(&changes);
        self.client.wait_idle();
    }

    pub fn git(&self, args: &[&str]) -> String {
        self.ws.git(args)
    }

    /// The real chant's standard output, run in the project (not through
    /// the server, not logged as one of its calls).
    pub fn chant(&self, args: &[&str]) -> String {
        let real = real_chant("chant").expect("the real chant");
        let out = Command::new(real)
            .args(args)
            .current_dir(self.ws.path())
            .envs(base_env(self.scratch.path()))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The real chant run in the project as the editor runs it (no
    /// terminal): whether it succeeded, and all it printed.
    pub fn chant_status(&self, args: &[&str]) -> (bool, String) {
        let real = real_chant("chant").expect("the real chant");
        let out = Command::new(real)
            .args(args)
            .current_dir(self.ws.path())
            .envs(base_env(self.scratch.path()))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let mut said = String::from_utf8_lossy(&out.stdout).into_owned();
        said.push_str(&String::from_utf8_lossy(&out.stderr));
        (out.status.success(), said)
    }

    pub fn execute(&self, command: &str, arguments: Value) -> Result<Value, RpcError> {
        self.client.request(
            "workspace/executeCommand",
            json!({"command": command, "arguments": arguments}),
        )
    }

    /// Run a command to its end: its answer and its progress.
    pub fn run(&self, command: &str, arguments: Value) -> (Value, Vec<Value>) {
        let answer = self
            .execute(command, arguments.clone())
            .unwrap_or_else(|e| panic!("{command} {arguments} refused: {e}"));
        assert_eq!(answer["started"], true, "{answer}");
        let token = answer["token"].as_str().unwrap().to_string();
        let progress = self
            .client
            .wait_for_progress_end(token.as_str(), RUN_TIMEOUT);
        self.client.wait_idle();
        (answer, progress)
    }

    /// The message that ends the run of a command (started after `mark`):
    /// a `showMessage`, or a `showMessageRequest` when it offers something.
    pub fn outcome_after(&self, mark: u64, needle: &str) -> Value {
        let needle = needle.to_string();
        self.client.wait_for_notification_after(
            mark,
            "window/showMessage",
            move |p| p["message"].as_str().is_some_and(|m| m.contains(&needle)),
            RUN_TIMEOUT,
        )
    }

    /// The error message of a refused command.
    pub fn refusal(&self, command: &str, arguments: Value) -> String {
        match self.execute(command, arguments.clone()) {
            Ok(answer) => panic!("{command} {arguments} was not refused: {answer}"),
            Err(e) => e.message,
        }
    }

    /// The argument vectors chant was called with by the server (not
    /// chant's own calls to itself as git's merge driver), in order.
    pub fn chant_calls(&self) -> Vec<Vec<String>> {
        let log = std::fs::read(self.scratch.path().join("argv.log")).unwrap_or_default();
        String::from_utf8_lossy(&log)
            .split('\u{1e}')
            .filter(|r| !r.is_empty())
            .map(|r| {
                r.split('\u{1f}')
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .filter(|argv| argv.first().map(String::as_str) != Some("merge-driver"))
            .collect()
    }

    /// The specs the agent ran for, in order.
    pub fn agent_runs(&self) -> Vec<String> {
        std::fs::read_to_string(self.scratch.path().join("agent/runs"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The prompt chant gave the agent for a spec.
    pub fn agent_prompt(&self, id: &str) -> String {
        std::fs::read_to_string(self.scratch.path().join(format!("agent/prompts/{id}.md")))
            .unwrap_or_default()
    }

    pub fn agent_mode(&self, id: &str, mode: &str) {
        std::fs::write(self.scratch.path().join(format!("agent/mode-{id}")), mode).unwrap();
    }

    /// Files the agent deletes (and commits) when it works `id`.
    pub fn agent_deletes(&self, id: &str, files: &[&str]) {
        std::fs::write(
            self.scratch.path().join(format!("agent/delete-{id}")),
            files.iter().map(|f| format!("{f}\n")).collect::<String>(),
        )
        .unwrap();
    }

    /// Files the agent writes (and commits) when it works `id`.
    pub fn agent_writes(&self, id: &str, files: &[(&str, &str)]) {
        let dir = self.scratch.path().join(format!("agent/write-{id}"));
        for (rel, text) in files {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    /// Code actions (commands) offered at the top of a spec, with the
    /// reason of those that are disabled.
    pub fn offers(&self, uri: &str) -> Vec<(String, Option<String>)> {
        if !self.client.is_open(uri) {
            self.client.did_open_from_disk(uri);
        }
        let answer = self.client.request_ok(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": range(0, 0, 0, 0),
                "context": {"diagnostics": []}
            }),
        );
        answer
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|a| a.get("kind").is_none())
            .map(|a| {
                (
                    a["title"].as_str().unwrap().to_string(),
                    a["disabled"]["reason"].as_str().map(str::to_string),
                )
            })
            .collect()
    }

    pub fn enabled_offers(&self, uri: &str) -> Vec<String> {
        self.offers(uri)
            .into_iter()
            .filter(|(_, why)| why.is_none())
            .map(|(t, _)| t)
            .collect()
    }

    /// The reason an offer is disabled.
    pub fn disabled_reason(&self, uri: &str, title: &str) -> String {
        self.offers(uri)
            .into_iter()
            .find(|(t, _)| t == title)
            .unwrap_or_else(|| panic!("no offer {title:?} on {uri}"))
            .1
            .unwrap_or_else(|| panic!("{title:?} is enabled on {uri}"))
    }

    pub fn short(&self, rev: &str) -> String {
        self.git(&["rev-parse", "--short", rev]).trim().to_string()
    }

    pub fn shutdown(self) {
        let Walk { client, name, .. } = self;
        client.shutdown();
        // Worktrees chant left in /tmp for this project.
        for entry in std::fs::read_dir("/tmp").into_iter().flatten().flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.starts_with(&format!("chant-{name}-")) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// Timestamps chant writes, replaced by placeholders.
pub fn normalize(text: &str) -> String {
    let utc =
        Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})").unwrap();
    let local = Regex::new(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}").unwrap();
    let text = utc.replace_all(text, "<UTC>");
    local.replace_all(&text, "<LOCAL>").into_owned()
}

/// A spec chant works as it is.
pub fn spec(title: &str, head: &str, criteria: &[&str]) -> String {
    let items: String = criteria.iter().map(|c| format!("- [ ] {c}\n")).collect();
    format!("---\ntype: code\nstatus: pending\n{head}---\n# {title}\n\n## Acceptance Criteria\n\n{items}")
}

pub fn today() -> String {
    let out = Command::new("date").arg("+%Y-%m-%d").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The outcome message of the run that ends after `mark`: the offer when
/// there is one, else the message.
pub fn offer_after(w: &Walk, before: usize) -> Value {
    let asked = w.answers.asked();
    assert!(asked.len() > before, "no offer: {asked:?}");
    asked[before].clone()
}

/// The ID in the end message of a `chant.add` progress.
pub fn added_id(progress: &[Value]) -> String {
    let end = progress.last().unwrap()["message"].as_str().unwrap();
    end.strip_prefix("added ")
        .and_then(|r| r.split(' ').next())
        .unwrap_or_else(|| panic!("not an add: {end}"))
        .to_string()
}

/// Replace a spec's buffer and save it, as a user editing it would.
pub fn edit_and_save(w: &Walk, uri: &str, text: &str) {
    if !w.client.is_open(uri) {
        w.client.did_open_from_disk(uri);
    }
    w.client.did_change_full(uri, text);
    w.client.did_save(uri);
    w.client.did_change_watched_files(&[(uri, FILE_CHANGED)]);
    w.client.wait_idle();
}

/// chant's `chant(<id>):` commits on branch `chant/<id>`, oldest first.
pub fn branch_commits(w: &Walk, id: &str) -> Vec<String> {
    w.git(&[
        "log",
        &format!("chant/{id}"),
        "--format=%h",
        "--grep",
        &format!("chant({id}):"),
        "--reverse",
    ])
    .lines()
    .map(str::to_string)
    .collect()
}

/// A string as chant's YAML writer puts it in a list: a hash of digits only
/// (`5394405`) is quoted so that it stays a string.
pub fn yaml_scalar(text: &str) -> String {
    serde_yaml_ng::to_string(text)
        .expect("a string serializes")
        .trim_end()
        .to_string()
}
