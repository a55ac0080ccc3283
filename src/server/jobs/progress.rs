//! `$/progress` for a chant run, when the client shows progress and
//! accepts the token in time.

use std::time::Duration;

use tower_lsp_server::ls_types::notification::Progress as ProgressNotification;
use tower_lsp_server::ls_types::request::WorkDoneProgressCreate;
use tower_lsp_server::ls_types::*;

use super::super::session::Session;

/// How long to wait for the client to accept a progress token.
const CREATE_TIMEOUT: Duration = Duration::from_secs(10);

/// A progress the client accepted.
pub struct Progress {
    token: ProgressToken,
}

impl Progress {
    pub async fn begin(session: &Session, token: &str, title: &str) -> Option<Progress> {
        if !session.caps().progress {
            return None;
        }
        let token = ProgressToken::String(token.to_string());
        let created = tokio::time::timeout(
            CREATE_TIMEOUT,
            session
                .client()
                .send_request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                    token: token.clone(),
                }),
        )
        .await;
        if !matches!(created, Ok(Ok(()))) {
            return None;
        }
        let progress = Progress { token };
        progress
            .send(
                session,
                WorkDoneProgress::Begin(WorkDoneProgressBegin {
                    title: title.to_string(),
                    cancellable: Some(true),
                    message: Some("starting".into()),
                    percentage: None,
                }),
            )
            .await;
        Some(progress)
    }

    async fn send(&self, session: &Session, value: WorkDoneProgress) {
        session
            .client()
            .send_notification::<ProgressNotification>(ProgressParams {
                token: self.token.clone(),
                value: ProgressParamsValue::WorkDone(value),
            })
            .await;
    }

    pub async fn report(&self, session: &Session, message: String) {
        self.send(
            session,
            WorkDoneProgress::Report(WorkDoneProgressReport {
                cancellable: Some(true),
                message: Some(message),
                percentage: None,
            }),
        )
        .await;
    }

    pub async fn end(&self, session: &Session, message: String) {
        self.send(
            session,
            WorkDoneProgress::End(WorkDoneProgressEnd {
                message: Some(message),
            }),
        )
        .await;
    }
}
