//! The client's answers to requests from the server: configuration, registrations,
//! progress, `workspace/applyEdit`, message boxes (a test's responder first).

use std::panic::{catch_unwind, AssertUnwindSafe};

use serde_json::{json, Value};

use super::options::ApplyEditMode;
use super::rpc::RpcError;
use super::state::{lock, EditRecord, Inner};

impl Inner {
    pub(super) fn answer_server_request(&self, id: Value, method: &str, params: &Value) {
        let custom = {
            let r = lock(&self.responder);
            r.as_ref()
                .map(|f| catch_unwind(AssertUnwindSafe(|| f(method, params))))
        };
        let answer = match custom {
            Some(Ok(Some(a))) => Some(a),
            Some(Err(_)) => {
                self.protocol_error(format!("the test's responder panicked on `{method}`"));
                Some(Err(RpcError::new(-32603, "test responder panicked")))
            }
            _ => self.default_answer(method, params),
        };
        if let Some(answer) = answer {
            let msg = match answer {
                Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
                Err(e) => json!({"jsonrpc": "2.0", "id": id, "error": e.to_value()}),
            };
            self.try_send(&msg);
        }
    }

    fn default_answer(&self, method: &str, params: &Value) -> Option<Result<Value, RpcError>> {
        match method {
            "workspace/configuration" => {
                let settings = lock(&self.settings).clone();
                let items = params
                    .get("items")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let answers: Vec<Value> = items
                    .iter()
                    .map(|item| match item.get("section").and_then(Value::as_str) {
                        Some("chant") => settings.clone(),
                        Some(s) if s.starts_with("chant.") => {
                            let mut v = &settings;
                            for part in s["chant.".len()..].split('.') {
                                v = v.get(part).unwrap_or(&Value::Null);
                            }
                            v.clone()
                        }
                        None => json!({"chant": settings}),
                        _ => Value::Null,
                    })
                    .collect();
                Some(Ok(Value::Array(answers)))
            }
            "client/registerCapability" => {
                let regs = params
                    .get("registrations")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                lock(&self.state).registrations.extend(regs);
                self.changed.notify_all();
                Some(Ok(Value::Null))
            }
            "client/unregisterCapability" => {
                // The protocol spells it `unregisterations`.
                let gone: Vec<Value> = params
                    .get("unregisterations")
                    .or_else(|| params.get("unregistrations"))
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let ids: Vec<&Value> = gone.iter().filter_map(|u| u.get("id")).collect();
                lock(&self.state)
                    .registrations
                    .retain(|r| !ids.contains(&r.get("id").unwrap_or(&Value::Null)));
                self.changed.notify_all();
                Some(Ok(Value::Null))
            }
            "window/workDoneProgress/create" => {
                lock(&self.state)
                    .progress_tokens
                    .push(params.get("token").cloned().unwrap_or(Value::Null));
                self.changed.notify_all();
                Some(Ok(Value::Null))
            }
            "workspace/applyEdit" => self.answer_apply_edit(params),
            "window/showMessageRequest" => Some(Ok(params
                .get("actions")
                .and_then(Value::as_array)
                .and_then(|a| a.first().cloned())
                .unwrap_or(Value::Null))),
            "window/showDocument" => Some(Ok(json!({"success": true}))),
            "workspace/codeLens/refresh"
            | "workspace/inlayHint/refresh"
            | "workspace/diagnostic/refresh"
            | "workspace/semanticTokens/refresh"
            | "workspace/inlineValue/refresh"
            | "workspace/foldingRange/refresh" => Some(Ok(Value::Null)),
            _ => Some(Err(RpcError::method_not_found(method))),
        }
    }

    /// The user's typing: a full-text `didChange` with a new version (which
    /// it returns).
    fn type_in(&self, uri: &str, needle: &str, replacement: &str) -> Option<i64> {
        let mut docs = lock(&self.docs);
        let Some(doc) = docs.get_mut(&super::workspace::normalize_uri(uri)) else {
            drop(docs);
            self.protocol_error(format!("typing in {uri}: it is not open"));
            return None;
        };
        if !doc.text.contains(needle) {
            let text = doc.text.clone();
            drop(docs);
            self.protocol_error(format!("typing in {uri}: no {needle:?} in {text:?}"));
            return None;
        }
        doc.text = doc.text.replacen(needle, replacement, 1);
        doc.version += 1;
        self.notify_raw(
            "textDocument/didChange",
            json!({"textDocument": {"uri": doc.uri, "version": doc.version},
                   "contentChanges": [{"text": doc.text}]}),
        );
        Some(doc.version)
    }

    fn record_edit(&self, params: &Value, applied: bool, failure_reason: Option<String>) {
        lock(&self.state).edits.push(EditRecord {
            params: params.clone(),
            applied,
            failure_reason,
        });
        self.changed.notify_all();
    }

    fn answer_apply_edit(&self, params: &Value) -> Option<Result<Value, RpcError>> {
        let typing = lock(&self.typing_before_apply).take();
        if let Some((uri, needle, replacement)) = typing {
            if let Some(version) = self.type_in(&uri, &needle, &replacement) {
                // As an editor's answer comes after its own `didChange` was
                // taken: once the server published diagnostics for the new
                // version, it holds the new text.
                let key = super::workspace::normalize_uri(&uri);
                let seen = self.wait_until(self.timeout, |st| {
                    st.diagnostics
                        .get(&key)
                        .is_some_and(|ps| ps.iter().any(|p| p.version == Some(version)))
                        .then_some(())
                });
                if seen.is_err() {
                    self.protocol_error(format!(
                        "no diagnostics for version {version} of {uri} after the typing"
                    ));
                }
            }
        }
        let mode = *lock(&self.apply_edit);
        match mode {
            ApplyEditMode::Hang => {
                self.record_edit(
                    params,
                    false,
                    Some("not answered (ApplyEditMode::Hang)".into()),
                );
                None
            }
            ApplyEditMode::Reject => {
                let reason = "rejected by the test client (ApplyEditMode::Reject)".to_string();
                self.record_edit(params, false, Some(reason.clone()));
                Some(Ok(json!({"applied": false, "failureReason": reason})))
            }
            ApplyEditMode::ApplyAndAccept => {
                let edit = params.get("edit").cloned().unwrap_or(Value::Null);
                let result = self.apply_workspace_edit(&edit);
                let answer = match &result {
                    Ok(()) => json!({"applied": true}),
                    Err((idx, reason)) => {
                        let mut a = json!({"applied": false, "failureReason": reason});
                        if let Some(i) = idx {
                            a["failedChange"] = json!(i);
                        }
                        a
                    }
                };
                self.record_edit(params, result.is_ok(), result.err().map(|e| e.1));
                Some(Ok(answer))
            }
        }
    }
}
