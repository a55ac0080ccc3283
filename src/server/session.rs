//! The server's state and its one data flow: a change to a document (or to a
//! file on disk) schedules a debounced analysis on a blocking thread, whose
//! diagnostics are published with the document version they were computed for.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

use serde_json::json;
use tower_lsp_server::ls_types::{self as lsp, Uri};
use tower_lsp_server::Client;

use super::convert::TextPositions;
use super::documents::Document;
use super::projects::{Project, Projects};
use super::settings::Settings;
use crate::analysis::{self, SpecContext};
use crate::spec::SpecModel;
use crate::text::PositionEncoding;
use crate::workspace::{ChantFile, ProjectIndex, SpecEntry, SpecSummary};

/// The latest analysis of an open document, kept for requests.
#[derive(Clone)]
pub struct Analysed {
    pub version: i32,
    pub text: Arc<String>,
    pub model: Arc<SpecModel>,
}

pub struct Session {
    pub client: Client,
    docs: Mutex<HashMap<String, Document>>,
    analysed: Mutex<HashMap<String, Analysed>>,
    pub projects: Projects,
    settings: RwLock<Settings>,
    encoding: OnceLock<PositionEncoding>,
    /// Set once the workspace folders are indexed; analyses wait for it so
    /// they never report references as unknown just because indexing is
    /// still running.
    indexed: tokio::sync::watch::Sender<bool>,
    pub workspace_folders: Mutex<Vec<PathBuf>>,
    pub shutting_down: AtomicBool,
    /// The client can register file watchers dynamically.
    pub watch_dynamic: AtomicBool,
    /// What the client said about itself in `initialize`.
    pub client_capabilities: OnceLock<lsp::ClientCapabilities>,
    pub client_name: OnceLock<String>,
    watched: Mutex<WatchQueue>,
}

#[derive(Default)]
struct WatchQueue {
    paths: Vec<PathBuf>,
    flush_scheduled: bool,
}

/// An open document as requests see it: its text and model at one version.
#[derive(Clone)]
pub struct DocSnapshot {
    pub uri: Uri,
    pub path: Option<PathBuf>,
    pub kind: ChantFile,
    pub version: i32,
    pub text: Arc<String>,
    pub model: Arc<SpecModel>,
    pub project: Option<Arc<Project>>,
}

/// Documents are keyed by file path when they have one, so `file:///C%3A/x`
/// and `file:///c:/x` meet; other URIs by their text.
pub fn doc_key(uri: &Uri) -> String {
    match uri.to_file_path() {
        Some(path) => path.to_string_lossy().into_owned(),
        None => uri.as_str().to_string(),
    }
}

impl Session {
    pub fn new(client: Client) -> Session {
        Session {
            client,
            docs: Mutex::default(),
            analysed: Mutex::default(),
            projects: Projects::default(),
            settings: RwLock::new(Settings::default()),
            encoding: OnceLock::new(),
            indexed: tokio::sync::watch::channel(false).0,
            workspace_folders: Mutex::default(),
            shutting_down: AtomicBool::new(false),
            watch_dynamic: AtomicBool::new(false),
            client_capabilities: OnceLock::new(),
            client_name: OnceLock::new(),
            watched: Mutex::default(),
        }
    }

    /// The client applies `documentChanges` (versioned edits, file operations).
    pub fn supports_document_changes(&self) -> bool {
        self.client_capabilities
            .get()
            .and_then(|c| c.workspace.as_ref())
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.document_changes)
            .unwrap_or(false)
    }

    /// VS Code (and code-server) understand `editor.action.*` commands.
    pub fn client_is_vscode(&self) -> bool {
        self.client_name.get().is_some_and(|n| {
            n.contains("Visual Studio Code") || n.contains("code-server") || n.contains("VSCode")
        })
    }

    pub fn set_encoding(&self, encoding: PositionEncoding) {
        let _ = self.encoding.set(encoding);
    }

    pub fn encoding(&self) -> PositionEncoding {
        self.encoding.get().copied().unwrap_or_default()
    }

    pub fn settings(&self) -> Settings {
        self.settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_settings(&self, settings: Settings) -> bool {
        let mut current = self.settings.write().unwrap_or_else(|e| e.into_inner());
        let changed = *current != settings;
        *current = settings;
        changed
    }

    pub fn with_docs<R>(&self, f: impl FnOnce(&mut HashMap<String, Document>) -> R) -> R {
        let mut docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut docs)
    }

    pub fn mark_indexed(&self) {
        self.indexed.send_replace(true);
    }

    async fn wait_indexed(&self) {
        let mut rx = self.indexed.subscribe();
        let _ = rx.wait_for(|ready| *ready).await;
    }

    /// The latest analysis of a document, if it matches the current version.
    pub fn analysed(&self, key: &str) -> Option<Analysed> {
        let version = self.with_docs(|docs| docs.get(key).map(|d| d.version))?;
        let analysed = self.analysed.lock().unwrap_or_else(|e| e.into_inner());
        analysed.get(key).filter(|a| a.version == version).cloned()
    }

    /// The current text and model of an open document, for a request. Uses
    /// the latest analysis when it is current, else parses now.
    pub fn snapshot(
        &self,
        uri: &Uri,
    ) -> std::result::Result<DocSnapshot, tower_lsp_server::jsonrpc::Error> {
        let key = doc_key(uri);
        let Some((uri, path, kind, version, rope)) = self.with_docs(|docs| {
            docs.get(&key).map(|d| {
                (
                    d.uri.clone(),
                    d.path.clone(),
                    d.kind.clone(),
                    d.version,
                    d.rope.clone(),
                )
            })
        }) else {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "chant-lsp does not know {}: the client must open it first (textDocument/didOpen)",
                uri.as_str()
            )));
        };
        let (text, model) = match self.analysed(&key) {
            Some(a) if a.version == version => (a.text, a.model),
            _ => {
                let text = rope.to_string();
                let model = SpecModel::parse(&text);
                (Arc::new(text), Arc::new(model))
            }
        };
        let project = path.as_deref().and_then(|p| self.projects.for_path(p));
        Ok(DocSnapshot {
            uri,
            path,
            kind,
            version,
            text,
            model,
            project,
        })
    }

    /// The Markdown outline of an open document, with its tree brought up to
    /// date first (in the same order the analysis applies edits).
    pub async fn markdown_outline(
        &self,
        key: &str,
    ) -> Option<(i32, Arc<String>, crate::syntax::markdown::MarkdownOutline)> {
        let lock = self.with_docs(|docs| docs.get(key).map(|d| d.tree_lock.clone()))?;
        let _serial = lock.lock().await;
        let (version, rope, work, markdown) = self.with_docs(|docs| {
            let doc = docs.get_mut(key)?;
            Some((
                doc.version,
                doc.rope.clone(),
                doc.take_tree_work(),
                doc.markdown.clone(),
            ))
        })?;
        tokio::task::spawn_blocking(move || {
            let text = rope.to_string();
            let mut tree = markdown.lock().ok()?;
            work.apply(&mut tree, &text);
            let outline = tree.outline(&text);
            Some((version, Arc::new(text), outline))
        })
        .await
        .ok()
        .flatten()
    }

    /// Schedule diagnostics for a document after `delay`.
    pub fn schedule(self: &Arc<Self>, key: String, delay: Duration) {
        let Some(generation) = self.with_docs(|docs| docs.get(&key).map(|d| d.generation)) else {
            return;
        };
        let session = self.clone();
        tokio::spawn(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            session.analyse_and_publish(key, generation).await;
        });
    }

    /// Re-diagnose every open spec (of one project, or all) because
    /// something they may refer to changed. Each document's generation goes
    /// up, so a burst of such changes ends in one analysis per document.
    pub fn reschedule_open_specs(
        self: &Arc<Self>,
        project_root: Option<&Path>,
        except: Option<&str>,
    ) {
        let delay = self.settings().debounce;
        let keys: Vec<String> = self.with_docs(|docs| {
            docs.iter_mut()
                .filter(|(key, d)| d.is_spec() && Some(key.as_str()) != except)
                .filter(|(_, d)| match (project_root, &d.path) {
                    (Some(root), Some(path)) => path.starts_with(root),
                    (Some(_), None) => false,
                    (None, _) => true,
                })
                .map(|(key, d)| {
                    d.generation += 1;
                    key.clone()
                })
                .collect()
        });
        for key in keys {
            self.schedule(key, delay);
        }
    }

    async fn analyse_and_publish(self: &Arc<Self>, key: String, generation: u64) {
        self.wait_indexed().await;
        let snapshot = self.with_docs(|docs| {
            let doc = docs.get_mut(&key)?;
            if doc.generation != generation || !doc.is_spec() {
                return None;
            }
            Some((
                doc.uri.clone(),
                doc.path.clone(),
                doc.kind.clone(),
                doc.version,
                doc.rope.clone(),
            ))
        });
        let Some((uri, path, kind, version, rope)) = snapshot else {
            return;
        };
        let ChantFile::Spec { id, top_level, .. } = kind else {
            return;
        };
        let Some(path) = path else { return };
        let settings = self.settings();
        let encoding = self.encoding();
        let session = self.clone();
        let job = tokio::task::spawn_blocking(move || {
            let project = session.projects.for_path_or_load(&path)?;
            // chant's rules are line-based: diagnostics never wait for the
            // Markdown tree, which is reparsed when symbols or folding ask.
            let text = rope.to_string();
            let model = SpecModel::parse(&text);
            let index = project.index.read().unwrap_or_else(|e| e.into_inner());
            let mut diagnostics =
                analysis::diagnose(&text, &model, SpecContext { id: &id }, &*index);
            drop(index);
            settings.filter.apply(&mut diagnostics);
            let positions = TextPositions::new(&text, encoding);
            let lsp_diagnostics: Vec<lsp::Diagnostic> =
                diagnostics.iter().map(|d| to_lsp(d, &positions)).collect();
            let entry = SpecEntry {
                id: id.clone(),
                path: path.clone(),
                top_level,
                summary: SpecSummary::from_model(&model),
            };
            let changed = project
                .index
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .set_spec(entry);
            Some((
                lsp_diagnostics,
                Arc::new(text),
                Arc::new(model),
                project,
                changed,
            ))
        });
        let outcome = match job.await {
            Ok(Some(outcome)) => outcome,
            Ok(None) => return,
            Err(error) => {
                self.client
                    .log_message(
                        lsp::MessageType::ERROR,
                        format!("chant-lsp: analysing {} failed: {error}", uri.as_str()),
                    )
                    .await;
                return;
            }
        };
        let (diagnostics, text, model, project, changed) = outcome;
        let still_current =
            self.with_docs(|docs| docs.get(&key).is_some_and(|d| d.generation == generation));
        if !still_current {
            return;
        }
        self.analysed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                key.clone(),
                Analysed {
                    version,
                    text,
                    model,
                },
            );
        self.client
            .publish_diagnostics(uri, diagnostics, Some(version))
            .await;
        if changed {
            self.reschedule_open_specs(Some(&project.root), Some(&key));
        }
    }

    pub fn forget_analysis(&self, key: &str) {
        self.analysed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    /// Queue files that changed on disk; a burst is handled as one batch.
    pub fn files_changed(self: &Arc<Self>, paths: Vec<PathBuf>) {
        let schedule = {
            let mut queue = self.watched.lock().unwrap_or_else(|e| e.into_inner());
            queue.paths.extend(paths);
            !std::mem::replace(&mut queue.flush_scheduled, true)
        };
        if schedule {
            let session = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                session.flush_file_changes().await;
            });
        }
    }

    async fn flush_file_changes(self: &Arc<Self>) {
        let paths = {
            let mut queue = self.watched.lock().unwrap_or_else(|e| e.into_inner());
            queue.flush_scheduled = false;
            std::mem::take(&mut queue.paths)
        };
        let open: HashSet<PathBuf> =
            self.with_docs(|docs| docs.values().filter_map(|d| d.path.clone()).collect());
        let session = self.clone();
        let touched = tokio::task::spawn_blocking(move || {
            let mut touched: Vec<PathBuf> = Vec::new();
            let unique: HashSet<PathBuf> = paths.into_iter().collect();
            for path in unique {
                let Some(project) = session.projects.for_path(&path) else {
                    continue;
                };
                // An open document's buffer is the truth for it, not the disk.
                if open.contains(&path) {
                    continue;
                }
                let files = project
                    .index
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .project_files()
                    .clone();
                let update = ProjectIndex::read_update(&files, &path);
                let changed = project
                    .index
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .apply(update);
                // Any created or deleted file can resolve or break a path reference.
                if (changed || !path.exists() || path.is_file()) && !touched.contains(&project.root)
                {
                    touched.push(project.root.clone());
                }
            }
            touched
        })
        .await
        .unwrap_or_default();
        for root in touched {
            self.reschedule_open_specs(Some(&root), None);
        }
    }

    /// Re-read a closed document's file into its project's index.
    pub fn refresh_from_disk(self: &Arc<Self>, path: PathBuf) {
        // The document is closed now, so the watch queue reads it like any
        // file changed on disk.
        self.files_changed(vec![path]);
    }
}

/// One analysis diagnostic as the protocol wants it. A fix rides in `data`
/// with its edits already in protocol positions.
pub fn to_lsp(d: &analysis::Diagnostic, positions: &TextPositions) -> lsp::Diagnostic {
    let severity = match d.severity {
        analysis::Severity::Error => lsp::DiagnosticSeverity::ERROR,
        analysis::Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        analysis::Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        analysis::Severity::Hint => lsp::DiagnosticSeverity::HINT,
    };
    let data = d.fix.as_ref().map(|fix| {
        let edits: Vec<_> = fix
            .edits
            .iter()
            .map(|(range, text)| json!({"range": positions.range(range), "newText": text}))
            .collect();
        json!({"fix": {"title": fix.title, "edits": edits}})
    });
    lsp::Diagnostic {
        range: positions.range(&d.range),
        severity: Some(severity),
        code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
        code_description: None,
        source: Some("chant".into()),
        message: d.message.clone(),
        related_information: None,
        tags: None,
        data,
    }
}
