//! What the lint worker and the request threads share with the message loop: the way out, the
//! current version of each open document (so that a result for an older one is dropped), the
//! findings last published, and the settings resolvers.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use lsp_server::{Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::{Diagnostic, MessageType, PublishDiagnosticsParams, ShowMessageParams, Url};
use serde_json::Value;

use crate::actions::{self, Located};
use crate::adapter::{self, Finding};
use crate::transport::Outbox;

pub struct Shared {
    pub outbox: Outbox,
    state: Mutex<State>,
    /// Ids of our requests to the client.
    next_request: AtomicU64,
    /// One settings resolver per workspace folder and editor settings, kept until a
    /// configuration or dependency file changes.
    pub resolvers: adapter::Resolvers,
}

#[derive(Default)]
struct State {
    /// The current version of every open document.
    versions: HashMap<Url, i32>,
    /// The findings last published for a document, at their version.
    findings: HashMap<Url, (i32, Arc<Vec<Finding>>)>,
    /// Configuration errors already shown to the user.
    shown_errors: HashSet<String>,
}

impl Shared {
    pub fn new(outbox: Outbox) -> Self {
        Self {
            outbox,
            state: Mutex::new(State::default()),
            next_request: AtomicU64::new(1),
            resolvers: adapter::Resolvers::default(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `uri` is open at `version` now (opened or changed).
    pub fn set_version(&self, uri: &Url, version: i32) {
        self.state().versions.insert(uri.clone(), version);
    }

    /// Whether `uri` is open at `version`.
    pub fn is_current(&self, uri: &Url, version: i32) -> bool {
        self.state().versions.get(uri) == Some(&version)
    }

    /// The findings published for `uri` at `version`, if that is what was published last.
    pub fn findings_at(&self, uri: &Url, version: i32) -> Option<Arc<Vec<Finding>>> {
        self.state()
            .findings
            .get(uri)
            .filter(|(v, _)| *v == version)
            .map(|(_, f)| f.clone())
    }

    /// `uri` was closed: forget it and clear its diagnostics.
    pub fn close(&self, uri: Url) {
        let mut state = self.state();
        state.versions.remove(&uri);
        state.findings.remove(&uri);
        // Sent under the lock: a publication of the worker cannot overtake it.
        self.notify(
            note::PublishDiagnostics::METHOD,
            PublishDiagnosticsParams::new(uri, Vec::new(), None),
        );
    }

    /// Show every configuration error again (the configuration changed).
    pub fn forget_shown_errors(&self) {
        self.state().shown_errors.clear();
    }

    pub fn respond(&self, id: RequestId, result: impl serde::Serialize) {
        self.outbox
            .send(Message::Response(Response::new_ok(id, result)));
    }

    pub fn error(&self, id: RequestId, code: i32, message: String) {
        self.outbox
            .send(Message::Response(Response::new_err(id, code, message)));
    }

    /// Send a request to the client (its answer is only logged when it is an error).
    pub fn request(&self, method: &str, params: Value) {
        let n = self.next_request.fetch_add(1, Ordering::SeqCst);
        self.outbox.send(Message::Request(Request::new(
            RequestId::from(format!("fwmigrate-{n}")),
            method.into(),
            params,
        )));
    }

    pub fn notify(&self, method: &str, params: impl serde::Serialize) {
        self.outbox.send(Message::Notification(Notification::new(
            method.into(),
            params,
        )));
    }

    /// Publish `findings` for the document `at`, unless it changed or closed meanwhile.
    pub fn publish(&self, at: &Located, findings: Vec<Finding>) {
        let diagnostics: Vec<Diagnostic> = findings
            .iter()
            .map(|f| actions::diagnostic(f, at))
            .collect();
        let mut state = self.state();
        if state.versions.get(at.uri) != Some(&at.version) {
            return;
        }
        state
            .findings
            .insert(at.uri.clone(), (at.version, Arc::new(findings)));
        // Sent under the lock: a close (which clears the diagnostics) cannot overtake it.
        self.notify(
            note::PublishDiagnostics::METHOD,
            PublishDiagnosticsParams::new(at.uri.clone(), diagnostics, Some(at.version)),
        );
    }

    /// Show a configuration error once (until the configuration changes).
    pub fn show_error(&self, message: String) {
        if self.state().shown_errors.insert(message.clone()) {
            eprintln!("fwmigrate server: {message}");
            self.notify(
                note::ShowMessage::METHOD,
                ShowMessageParams {
                    typ: MessageType::ERROR,
                    message: format!("fwmigrate: {message}"),
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::Severity;
    use crate::document::{Encoding, LineIndex};
    use crate::transport::memory::{self, Sent};

    const TEXT: &str = "import training\nx = 1\n";

    fn shared() -> (Shared, Sent) {
        let (outbox, sent) = memory::outbox();
        (Shared::new(outbox), sent)
    }

    fn finding() -> Finding {
        Finding {
            code: fwmigrate_rule::RuleCode::new("FW001"),
            name: "legacy-import",
            severity: Severity::Error,
            message: "legacy".into(),
            range: 7..15,
            fix: None,
        }
    }

    fn publish(shared: &Shared, uri: &Url, version: i32) {
        let index = LineIndex::new(TEXT);
        let at = Located {
            uri,
            version,
            text: TEXT,
            index: &index,
            encoding: Encoding::Utf16,
        };
        shared.publish(&at, vec![finding()]);
    }

    fn notifications(sent: &Sent) -> Vec<Notification> {
        sent.take()
            .into_iter()
            .map(|m| match m {
                Message::Notification(n) => n,
                other => panic!("not a notification: {other:?}"),
            })
            .collect()
    }

    fn uri() -> Url {
        Url::parse("file:///w/a.py").unwrap()
    }

    #[test]
    fn findings_of_the_current_version_are_published_and_kept() {
        let (shared, sent) = shared();
        let uri = uri();
        shared.set_version(&uri, 3);
        publish(&shared, &uri, 3);
        let sent = notifications(&sent);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].method, "textDocument/publishDiagnostics");
        let params: PublishDiagnosticsParams =
            serde_json::from_value(sent[0].params.clone()).unwrap();
        assert_eq!(params.version, Some(3));
        assert_eq!(params.diagnostics.len(), 1);
        assert_eq!(
            params.diagnostics[0].range.start,
            lsp_types::Position::new(0, 7)
        );
        assert_eq!(*shared.findings_at(&uri, 3).unwrap(), vec![finding()]);
        assert!(shared.findings_at(&uri, 2).is_none());
    }

    #[test]
    fn findings_of_an_older_version_or_a_closed_document_are_dropped() {
        let (shared, sent) = shared();
        let uri = uri();
        shared.set_version(&uri, 2);
        shared.set_version(&uri, 3);
        assert!(shared.is_current(&uri, 3) && !shared.is_current(&uri, 2));
        publish(&shared, &uri, 2);
        assert!(sent.take().is_empty());
        assert!(shared.findings_at(&uri, 2).is_none());
        // Never opened.
        let other = Url::parse("file:///w/b.py").unwrap();
        publish(&shared, &other, 1);
        assert!(sent.take().is_empty());

        publish(&shared, &uri, 3);
        shared.close(uri.clone());
        let sent_now = notifications(&sent);
        assert_eq!(sent_now.len(), 2);
        // Closing clears the diagnostics, without a version.
        assert_eq!(
            sent_now[1].params,
            serde_json::json!({ "uri": uri, "diagnostics": [] })
        );
        assert!(!shared.is_current(&uri, 3));
        assert!(shared.findings_at(&uri, 3).is_none());
        publish(&shared, &uri, 3);
        assert!(sent.take().is_empty());
    }

    #[test]
    fn a_configuration_error_is_shown_once_until_forgotten() {
        let (shared, sent) = shared();
        shared.show_error("bad target".into());
        shared.show_error("bad target".into());
        shared.show_error("bad select".into());
        let shown = notifications(&sent);
        assert_eq!(shown.len(), 2);
        assert_eq!(shown[0].method, "window/showMessage");
        assert_eq!(
            shown[0].params,
            serde_json::json!({ "type": 1, "message": "fwmigrate: bad target" })
        );
        shared.forget_shown_errors();
        shared.show_error("bad target".into());
        assert_eq!(notifications(&sent).len(), 1);
    }

    #[test]
    fn our_requests_have_ids_of_their_own() {
        let (shared, sent) = shared();
        shared.request("client/registerCapability", Value::Null);
        shared.request("workspace/applyEdit", Value::Null);
        let ids: Vec<RequestId> = sent
            .take()
            .into_iter()
            .map(|m| match m {
                Message::Request(r) => r.id,
                other => panic!("not a request: {other:?}"),
            })
            .collect();
        assert_eq!(
            ids,
            [
                RequestId::from("fwmigrate-1".to_string()),
                RequestId::from("fwmigrate-2".to_string())
            ]
        );
    }
}
