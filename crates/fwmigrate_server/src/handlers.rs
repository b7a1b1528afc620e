//! The message loop's handlers: typed dispatch of requests and notifications (by lsp-types'
//! methods and params), the document notifications, which keep the [`Store`] and schedule
//! lints, and the start of the requests that lint (see [`requests`]).

use std::sync::Arc;

use crossbeam_channel::Sender;
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId};
use lsp_types::notification as note;
use lsp_types::request as req;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    ExecuteCommandParams, Url,
};
use serde_json::{Value, json};

use crate::actions::{APPLY_AUTOFIX, FIX_ALL_KIND};
use crate::adapter;
use crate::capabilities::{self, ClientSupport};
use crate::requests::{self, Running};
use crate::settings::ClientSettings;
use crate::shared::Shared;
use crate::snapshot::Snapshot;
use crate::store::Store;

pub struct Server {
    shared: Arc<Shared>,
    store: Store,
    settings: ClientSettings,
    support: ClientSupport,
    /// Where changed documents go to be linted (the lint worker's queue).
    lints: Sender<Snapshot>,
    running: Running,
    shutdown: bool,
}

impl Server {
    /// The server as `initialize` with `params` sets it up; it sends through `shared` and
    /// schedules lints on `lints`.
    pub fn new(params: &Value, shared: Arc<Shared>, lints: Sender<Snapshot>) -> Self {
        let mut server = Self {
            shared,
            store: Store::new(capabilities::workspace_folders(params)),
            settings: ClientSettings::default(),
            support: ClientSupport::from_params(params),
            lints,
            running: Running::default(),
            shutdown: false,
        };
        if let Some(options) = params.get("initializationOptions") {
            server.set_settings(options);
        }
        server
    }

    pub fn support(&self) -> &ClientSupport {
        &self.support
    }

    /// What `exit` makes of the session: `Ok` after `shutdown`.
    pub fn exit_status(&self) -> Result<(), String> {
        if self.shutdown {
            Ok(())
        } else {
            Err("exit without shutdown".into())
        }
    }

    pub fn error(&self, id: RequestId, code: i32, message: String) {
        self.shared.error(id, code, message);
    }

    pub fn handle(&mut self, message: Message) {
        match message {
            Message::Request(r) => self.request(r),
            Message::Notification(n) => self.notification(n),
            // Answers to our requests (`workspace/applyEdit`, registrations).
            Message::Response(r) => {
                if let Some(e) = r.error {
                    eprintln!(
                        "fwmigrate server: the client refused a request: {}",
                        e.message
                    );
                }
            }
        }
    }

    fn request(&mut self, r: Request) {
        if self.shutdown {
            return self.error(
                r.id,
                ErrorCode::InvalidRequest as i32,
                format!("{}: the server is shutting down", r.method),
            );
        }
        let id = r.id.clone();
        let method = r.method.clone();
        let result = match method.as_str() {
            m if is_request::<req::Shutdown>(m) => {
                self.shutdown = true;
                self.shared.respond(id, Value::Null);
                Ok(())
            }
            m if is_request::<req::Initialize>(m) => {
                self.error(
                    id,
                    ErrorCode::InvalidRequest as i32,
                    "initialize: the server is already initialized".into(),
                );
                Ok(())
            }
            m if is_request::<req::CodeActionRequest>(m) => {
                params::<req::CodeActionRequest>(r).map(|p| self.code_action(id, p))
            }
            m if is_request::<req::CodeActionResolveRequest>(m) => {
                params::<req::CodeActionResolveRequest>(r).map(|p| self.resolve(id, p))
            }
            m if is_request::<req::ExecuteCommand>(m) => {
                params::<req::ExecuteCommand>(r).map(|p| self.execute_command(id, p))
            }
            _ => {
                self.error(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("unknown method {method}"),
                );
                Ok(())
            }
        };
        if let Err((id, e)) = result {
            self.error(
                id,
                ErrorCode::InvalidParams as i32,
                format!("{method}: invalid params: {e}"),
            );
        }
    }

    fn notification(&mut self, n: Notification) {
        let method = n.method.clone();
        let result = match method.as_str() {
            m if is::<note::Initialized>(m) => {
                self.register_watchers();
                Ok(())
            }
            m if is::<note::DidOpenTextDocument>(m) => {
                extract::<note::DidOpenTextDocument>(n).map(|p| self.did_open(p))
            }
            m if is::<note::DidChangeTextDocument>(m) => {
                extract::<note::DidChangeTextDocument>(n).map(|p| self.did_change(p))
            }
            m if is::<note::DidSaveTextDocument>(m) => {
                extract::<note::DidSaveTextDocument>(n).map(|p| self.did_save(p))
            }
            m if is::<note::DidCloseTextDocument>(m) => {
                extract::<note::DidCloseTextDocument>(n).map(|p| self.did_close(p))
            }
            m if is::<note::DidChangeConfiguration>(m) => {
                let settings = n.params.get("settings").cloned().unwrap_or(Value::Null);
                self.set_settings(&settings);
                self.relint_all();
                Ok(())
            }
            m if is::<note::DidChangeWatchedFiles>(m) => {
                self.relint_all();
                Ok(())
            }
            m if is::<note::Cancel>(m) => {
                let id = n.params.get("id").cloned().unwrap_or(Value::Null);
                if let Ok(id) = serde_json::from_value::<RequestId>(id) {
                    self.running.cancel(&id);
                }
                Ok(())
            }
            // Other notifications (`$/setTrace`, ...) need nothing.
            _ => Ok(()),
        };
        if let Err(e) = result {
            eprintln!("fwmigrate server: ignoring a malformed {method}: {e}");
        }
    }

    fn set_settings(&mut self, value: &Value) {
        let (settings, errors) = ClientSettings::from_value(value);
        for e in errors {
            self.shared
                .show_error(format!("ignoring an editor setting: {e}"));
        }
        if settings != ClientSettings::default() {
            eprintln!(
                "fwmigrate server: editor settings: {:?}, sdkVersion {:?}",
                settings.overrides, settings.sdk_version
            );
        }
        self.settings = settings;
    }

    /// Ask the client to tell us when a configuration file changes (if it can).
    fn register_watchers(&self) {
        if !self.support.watch_files {
            return;
        }
        let watchers: Vec<Value> = adapter::SETTINGS_FILES
            .iter()
            .map(|g| json!({ "globPattern": g }))
            .collect();
        self.shared.request(
            <req::RegisterCapability as req::Request>::METHOD,
            json!({ "registrations": [{
                "id": "fwmigrate-configuration-files",
                "method": <note::DidChangeWatchedFiles as note::Notification>::METHOD,
                "registerOptions": { "watchers": watchers },
            }]}),
        );
    }

    fn snapshot(&self, uri: &Url) -> Option<Snapshot> {
        self.store
            .snapshot(uri, &self.settings.overrides, self.support.encoding)
    }

    fn schedule(&self, uri: &Url) {
        if let Some(s) = self.snapshot(uri) {
            let _ = self.lints.send(s);
        }
    }

    fn relint_all(&self) {
        self.shared.resolvers.clear();
        self.shared.forget_shown_errors();
        for uri in self.store.uris() {
            self.schedule(uri);
        }
    }

    fn did_open(&mut self, p: DidOpenTextDocumentParams) {
        let doc = p.text_document;
        self.shared.set_version(&doc.uri, doc.version);
        self.store
            .open(doc.uri.clone(), doc.text, doc.version, doc.language_id);
        self.schedule(&doc.uri);
    }

    fn did_change(&mut self, p: DidChangeTextDocumentParams) {
        let uri = p.text_document.uri;
        let version = p.text_document.version;
        if !self
            .store
            .change(&uri, p.content_changes, version, self.support.encoding)
        {
            eprintln!("fwmigrate server: change to a document that is not open: {uri}");
            return;
        }
        self.shared.set_version(&uri, version);
        self.schedule(&uri);
    }

    fn did_save(&mut self, p: DidSaveTextDocumentParams) {
        let uri = p.text_document.uri;
        let is_config = uri
            .path_segments()
            .and_then(|mut s| s.next_back())
            .is_some_and(adapter::is_settings_file);
        if is_config {
            self.relint_all();
        } else {
            self.schedule(&uri);
        }
    }

    fn did_close(&mut self, p: DidCloseTextDocumentParams) {
        let uri = p.text_document.uri;
        self.store.close(&uri);
        self.shared.close(uri);
    }

    fn code_action(&self, id: RequestId, p: CodeActionParams) {
        let Some(snapshot) = self.snapshot(&p.text_document.uri) else {
            return self.shared.respond(id, Vec::<CodeActionOrCommand>::new());
        };
        let cached = self.shared.findings_at(&snapshot.uri, snapshot.version);
        let work = requests::code_actions(snapshot, cached, self.shared.clone(), self.support, &p);
        self.running.spawn(id, &self.shared.outbox, work);
    }

    fn resolve(&self, id: RequestId, action: CodeAction) {
        let uri = action
            .data
            .as_ref()
            .and_then(|d| d.get("uri"))
            .and_then(Value::as_str)
            .and_then(|u| Url::parse(u).ok());
        let is_fix_all = action.kind.as_ref().map(CodeActionKind::as_str) == Some(FIX_ALL_KIND);
        let snapshot = uri.as_ref().and_then(|u| self.snapshot(u));
        let (Some(snapshot), true) = (snapshot, is_fix_all) else {
            return self.shared.respond(id, action);
        };
        let work =
            requests::resolve_fix_all(action, snapshot, self.shared.clone(), self.support.edits);
        self.running.spawn(id, &self.shared.outbox, work);
    }

    fn execute_command(&self, id: RequestId, p: ExecuteCommandParams) {
        if p.command != APPLY_AUTOFIX {
            return self.error(
                id,
                ErrorCode::InvalidParams as i32,
                format!("unknown command {}", p.command),
            );
        }
        // Arguments: `[{ "uri": ..., "version": ... }]` (as ruff's `ruff.applyAutofix`), or the
        // uri alone.
        let uri = p
            .arguments
            .first()
            .and_then(|a| a.get("uri").or(Some(a)))
            .and_then(Value::as_str)
            .and_then(|u| Url::parse(u).ok());
        let Some(snapshot) = uri.as_ref().and_then(|u| self.snapshot(u)) else {
            return self.error(
                id,
                ErrorCode::InvalidParams as i32,
                format!("{APPLY_AUTOFIX}: expected [{{\"uri\": ...}}] naming an open document"),
            );
        };
        if !self.support.apply_edit {
            return self.error(
                id,
                ErrorCode::RequestFailed as i32,
                "the client cannot apply edits (workspace/applyEdit)".into(),
            );
        }
        let work = requests::apply_autofix(snapshot, self.shared.clone(), self.support.edits);
        self.running.spawn(id, &self.shared.outbox, work);
    }
}

/// Whether `method` is request `R`'s.
pub fn is_request<R: req::Request>(method: &str) -> bool {
    method == R::METHOD
}

/// Whether `method` is notification `N`'s.
pub fn is<N: note::Notification>(method: &str) -> bool {
    method == N::METHOD
}

/// The parameters of notification `N`.
fn extract<N: note::Notification>(n: Notification) -> Result<N::Params, String> {
    n.extract(N::METHOD).map_err(|e| e.to_string())
}

/// Parameters of request `R`, or its id and why they do not fit.
fn params<R: req::Request>(r: Request) -> Result<R::Params, (RequestId, String)> {
    let id = r.id.clone();
    serde_json::from_value(r.params).map_err(|e| (id, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam_channel::Receiver;
    use lsp_server::Response;

    use crate::transport::memory::{self, Sent};

    struct Harness {
        server: Server,
        sent: Sent,
        lints: Receiver<Snapshot>,
    }

    fn harness(params: Value) -> Harness {
        let (outbox, sent) = memory::outbox();
        let (tx, lints) = crossbeam_channel::unbounded();
        let server = Server::new(&params, Arc::new(Shared::new(outbox)), tx);
        Harness {
            server,
            sent,
            lints,
        }
    }

    impl Harness {
        fn request(&mut self, id: i32, method: &str, params: Value) -> Response {
            let request = Request::new(RequestId::from(id), method.into(), params);
            self.server.handle(Message::Request(request));
            match self.sent.take().as_slice() {
                [Message::Response(r)] => r.clone(),
                other => panic!("expected one response, got {other:?}"),
            }
        }

        fn notify(&mut self, method: &str, params: Value) {
            let n = Notification::new(method.into(), params);
            self.server.handle(Message::Notification(n));
        }

        fn scheduled(&self) -> Vec<(String, i32, String)> {
            self.lints
                .try_iter()
                .map(|s| (s.uri.to_string(), s.version, s.text.to_string()))
                .collect()
        }
    }

    fn error_of(r: &Response) -> (i32, &str) {
        let e = r.error.as_ref().expect("an error response");
        (e.code, &e.message)
    }

    const URI: &str = "untitled:Untitled-1";

    fn open(h: &mut Harness, uri: &str, text: &str) {
        h.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": uri, "languageId": "python", "version": 1, "text": text,
            }}),
        );
    }

    #[test]
    fn an_unknown_method_is_not_found() {
        let mut h = harness(json!({}));
        let r = h.request(1, "textDocument/hover", json!({}));
        assert_eq!(r.id, RequestId::from(1));
        assert_eq!(
            error_of(&r),
            (
                ErrorCode::MethodNotFound as i32,
                "unknown method textDocument/hover"
            )
        );
    }

    #[test]
    fn requests_after_shutdown_are_refused() {
        let mut h = harness(json!({}));
        assert!(h.server.exit_status().is_err());
        let r = h.request(1, "shutdown", Value::Null);
        assert!(r.error.is_none());
        // `"result": null` (read back as `None`).
        assert_eq!(r.result.unwrap_or_default(), Value::Null);
        assert!(h.server.exit_status().is_ok());
        for method in ["textDocument/codeAction", "shutdown", "no/such"] {
            let r = h.request(2, method, json!({}));
            assert_eq!(
                error_of(&r),
                (
                    ErrorCode::InvalidRequest as i32,
                    format!("{method}: the server is shutting down").as_str()
                )
            );
        }
    }

    #[test]
    fn a_second_initialize_and_bad_params_are_refused() {
        let mut h = harness(json!({}));
        let r = h.request(1, "initialize", json!({ "capabilities": {} }));
        assert_eq!(
            error_of(&r),
            (
                ErrorCode::InvalidRequest as i32,
                "initialize: the server is already initialized"
            )
        );
        let r = h.request(2, "textDocument/codeAction", json!({ "textDocument": 3 }));
        let (code, message) = error_of(&r);
        assert_eq!(code, ErrorCode::InvalidParams as i32);
        assert!(message.starts_with("textDocument/codeAction: invalid params: "));
        let r = h.request(3, "workspace/executeCommand", json!({ "command": "x" }));
        assert_eq!(
            error_of(&r),
            (ErrorCode::InvalidParams as i32, "unknown command x")
        );
    }

    #[test]
    fn opening_and_changing_schedule_the_new_version() {
        let mut h = harness(json!({}));
        open(&mut h, URI, "x = 1\n");
        assert_eq!(h.scheduled(), [(URI.into(), 1, "x = 1\n".into())]);
        h.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": URI, "version": 2 },
                "contentChanges": [{
                    "range": { "start": { "line": 0, "character": 4 },
                               "end": { "line": 0, "character": 5 } },
                    "text": "2",
                }],
            }),
        );
        assert_eq!(h.scheduled(), [(URI.into(), 2, "x = 2\n".into())]);
        // A change to a document that is not open, and a malformed one, are ignored.
        h.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": "untitled:other", "version": 2 },
                "contentChanges": [{ "text": "y" }],
            }),
        );
        h.notify("textDocument/didChange", json!({ "textDocument": 1 }));
        assert!(h.scheduled().is_empty());
        // Saving lints the document again.
        h.notify(
            "textDocument/didSave",
            json!({ "textDocument": { "uri": URI } }),
        );
        assert_eq!(h.scheduled(), [(URI.into(), 2, "x = 2\n".into())]);
        assert!(h.sent.take().is_empty());
    }

    #[test]
    fn closing_clears_the_diagnostics_and_forgets_the_document() {
        let mut h = harness(json!({}));
        open(&mut h, URI, "x = 1\n");
        h.scheduled();
        h.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": URI } }),
        );
        let sent = h.sent.take();
        let [Message::Notification(n)] = sent.as_slice() else {
            panic!("expected the cleared diagnostics, got {sent:?}");
        };
        assert_eq!(n.method, "textDocument/publishDiagnostics");
        assert_eq!(n.params, json!({ "uri": URI, "diagnostics": [] }));
        // No more actions for it, and nothing to lint.
        let r = h.request(
            4,
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": URI },
                "range": { "start": { "line": 0, "character": 0 },
                           "end": { "line": 0, "character": 0 } },
                "context": { "diagnostics": [] },
            }),
        );
        assert_eq!(r.result, Some(json!([])));
        h.notify("workspace/didChangeWatchedFiles", json!({ "changes": [] }));
        assert!(h.scheduled().is_empty());
    }

    #[test]
    fn a_configuration_change_lints_every_document_again() {
        let mut h = harness(json!({}));
        open(&mut h, URI, "a\n");
        open(&mut h, "untitled:Untitled-2", "b\n");
        h.scheduled();
        h.notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "fwmigrate": { "target": "not-a-release" } } }),
        );
        let mut relinted: Vec<_> = h.scheduled().into_iter().map(|(u, ..)| u).collect();
        relinted.sort();
        assert_eq!(relinted, [URI, "untitled:Untitled-2"]);
        let sent = h.sent.take();
        let [Message::Notification(n)] = sent.as_slice() else {
            panic!("expected the rejected setting, got {sent:?}");
        };
        assert_eq!(n.method, "window/showMessage");
        let message = n.params["message"].as_str().unwrap();
        assert!(message.starts_with("fwmigrate: ignoring an editor setting: "));
        // A saved configuration file lints every document again too.
        h.notify(
            "textDocument/didSave",
            json!({ "textDocument": { "uri": "file:///w/pyproject.toml" } }),
        );
        assert_eq!(h.scheduled().len(), 2);
    }

    #[test]
    fn watchers_are_registered_when_the_client_can_take_them() {
        let mut h = harness(json!({}));
        h.notify("initialized", json!({}));
        assert!(h.sent.take().is_empty());
        let mut h = harness(json!({ "capabilities": { "workspace": {
            "didChangeWatchedFiles": { "dynamicRegistration": true },
        }}}));
        h.notify("initialized", json!({}));
        let sent = h.sent.take();
        let [Message::Request(r)] = sent.as_slice() else {
            panic!("expected a registration, got {sent:?}");
        };
        assert_eq!(r.method, "client/registerCapability");
        let registration = &r.params["registrations"][0];
        assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
        let globs = registration["registerOptions"]["watchers"]
            .as_array()
            .unwrap();
        assert_eq!(globs.len(), adapter::SETTINGS_FILES.len());
        assert_eq!(globs[0]["globPattern"], adapter::SETTINGS_FILES[0]);
    }

    #[test]
    fn unknown_notifications_and_answers_to_our_requests_send_nothing() {
        let mut h = harness(json!({}));
        h.notify("$/setTrace", json!({ "value": "off" }));
        h.notify("$/cancelRequest", json!({ "id": 99 }));
        h.server.handle(Message::Response(Response::new_err(
            RequestId::from("fwmigrate-1".to_string()),
            1,
            "no".into(),
        )));
        assert!(h.sent.take().is_empty());
        assert!(h.scheduled().is_empty());
    }

    #[test]
    fn the_apply_autofix_command_needs_an_open_document_and_a_capable_client() {
        let mut h = harness(json!({}));
        let command =
            |uri: &str| json!({ "command": APPLY_AUTOFIX, "arguments": [{ "uri": uri }] });
        let r = h.request(1, "workspace/executeCommand", command(URI));
        assert_eq!(error_of(&r).0, ErrorCode::InvalidParams as i32);
        open(&mut h, URI, "x = 1\n");
        let r = h.request(2, "workspace/executeCommand", command(URI));
        assert_eq!(
            error_of(&r),
            (
                ErrorCode::RequestFailed as i32,
                "the client cannot apply edits (workspace/applyEdit)"
            )
        );
    }

    #[test]
    fn initialization_options_are_the_editor_settings() {
        let h = harness(json!({ "initializationOptions": { "target": "nope" } }));
        let sent = h.sent.take();
        assert_eq!(sent.len(), 1, "{sent:?}");
        let h = harness(json!({ "initializationOptions": { "select": ["FW0"] } }));
        assert!(h.sent.take().is_empty());
        assert_eq!(
            h.server.settings.overrides.select,
            Some(vec!["FW0".to_string()])
        );
    }
}
