//! The message loop, the lint worker and the request threads.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification as note;
use lsp_types::request as req;
use lsp_types::{
    ClientCapabilities, CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand,
    CodeActionParams, CodeActionProviderCapability, Diagnostic, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    ExecuteCommandOptions, ExecuteCommandParams, InitializeResult, MessageType,
    PositionEncodingKind, PublishDiagnosticsParams, SaveOptions, ServerCapabilities, ServerInfo,
    ShowMessageParams, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Url, WorkspaceEdit,
};
use serde_json::{Value, json};

use crate::actions::{self, APPLY_AUTOFIX, EditSupport, FIX_ALL_KIND, Located};
use crate::adapter::{self, Finding, Overrides};
use crate::document::{Document, Encoding, LineIndex};
use crate::settings::ClientSettings;
use crate::transport::{Outbox, read_loop};

/// How long a document must stay unchanged before it is linted. Changes that arrive within
/// this time of each other are linted once, at their last version.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// A document waits at most this long for a quiet moment while it keeps changing.
const MAX_DEBOUNCE: Duration = Duration::from_millis(200);

/// Stack size of the threads that parse and lint (deeply nested code recurses deeply; the memory
/// is only reserved, as on the command line).
const WORKER_STACK: usize = 256 << 20;

/// Error code for a request that was cancelled (LSP `RequestCancelled`).
const REQUEST_CANCELLED: i32 = -32800;

/// Serve one client on `input`/`output` until `exit` (or the end of the input). `Ok` when the
/// client asked for `shutdown` first.
pub fn serve(
    input: impl Read + Send + 'static,
    output: impl Write + Send + 'static,
) -> Result<(), String> {
    let outbox = Outbox::new(output);
    let (sender, receiver) = crossbeam_channel::unbounded();
    {
        let outbox = outbox.clone();
        std::thread::Builder::new()
            .name("fwmigrate-lsp-reader".into())
            .spawn(move || read_loop(input, sender, outbox))
            .map_err(|e| format!("cannot start a thread: {e}"))?;
    }
    let Some((id, params)) = wait_for_initialize(&receiver, &outbox) else {
        return Err("the client exited before initializing".into());
    };
    let mut server = Server::new(&params, outbox.clone())?;
    outbox.send(Message::Response(Response::new_ok(
        id,
        server.initialize_result(),
    )));
    for message in &receiver {
        let exit = matches!(&message, Message::Notification(n) if is::<note::Exit>(&n.method));
        if exit {
            return server.exit_status();
        }
        // One message's failure (a bug) must not take the server down.
        let method = match &message {
            Message::Request(r) => Some((r.id.clone(), r.method.clone())),
            _ => None,
        };
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| server.handle(message))) {
            let what = fwmigrate_engine::panic_message(panic.as_ref());
            eprintln!("fwmigrate server: internal error: {what}");
            if let Some((id, method)) = method {
                server.error(
                    id,
                    ErrorCode::InternalError as i32,
                    format!("internal error in {method}: {what}"),
                );
            }
        }
    }
    server.exit_status()
}

/// Answer everything before `initialize` as the protocol says; `None` when the client exits.
fn wait_for_initialize(
    receiver: &Receiver<Message>,
    outbox: &Outbox,
) -> Option<(RequestId, Value)> {
    for message in receiver {
        match message {
            Message::Request(r) if is_request::<req::Initialize>(&r.method) => {
                if r.params.is_object() {
                    return Some((r.id, r.params));
                }
                outbox.send(Message::Response(Response::new_err(
                    r.id,
                    ErrorCode::InvalidParams as i32,
                    "initialize: params must be an object".into(),
                )));
            }
            Message::Request(r) => outbox.send(Message::Response(Response::new_err(
                r.id,
                ErrorCode::ServerNotInitialized as i32,
                format!("{}: the server is not initialized yet", r.method),
            ))),
            Message::Notification(n) if is::<note::Exit>(&n.method) => return None,
            Message::Notification(_) | Message::Response(_) => {}
        }
    }
    None
}

/// What the lint worker and the request threads share with the message loop.
struct Shared {
    outbox: Outbox,
    state: Mutex<SharedState>,
    /// Ids of our requests to the client.
    next_request: AtomicU64,
    /// One settings resolver per workspace folder and editor settings, kept until a
    /// configuration or dependency file changes.
    resolvers: adapter::Resolvers,
}

#[derive(Default)]
struct SharedState {
    /// The current version of every open document.
    versions: HashMap<Url, i32>,
    /// The findings last published for a document, at their version.
    findings: HashMap<Url, (i32, Arc<Vec<Finding>>)>,
    /// Configuration errors already shown to the user.
    shown_errors: HashSet<String>,
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, SharedState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Send a request to the client (its answer is only logged when it is an error).
    fn request(&self, method: &str, params: Value) {
        let n = self.next_request.fetch_add(1, Ordering::SeqCst);
        self.outbox.send(Message::Request(Request::new(
            RequestId::from(format!("fwmigrate-{n}")),
            method.into(),
            params,
        )));
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        self.outbox.send(Message::Notification(Notification::new(
            method.into(),
            params,
        )));
    }

    /// Publish `findings` for `snapshot`, unless the document changed or closed meanwhile.
    fn publish(&self, snapshot: &Snapshot, findings: Vec<Finding>) {
        let at = snapshot.located();
        let diagnostics: Vec<Diagnostic> = findings
            .iter()
            .map(|f| actions::diagnostic(f, &at))
            .collect();
        let mut state = self.state();
        if state.versions.get(&snapshot.uri) != Some(&snapshot.version) {
            return;
        }
        state
            .findings
            .insert(snapshot.uri.clone(), (snapshot.version, Arc::new(findings)));
        // Sent under the lock: a close (which clears the diagnostics) cannot overtake it.
        self.notify(
            <note::PublishDiagnostics as note::Notification>::METHOD,
            PublishDiagnosticsParams::new(
                snapshot.uri.clone(),
                diagnostics,
                Some(snapshot.version),
            ),
        );
    }

    /// Show a configuration error once (until the configuration changes).
    fn show_error(&self, message: String) {
        if self.state().shown_errors.insert(message.clone()) {
            eprintln!("fwmigrate server: {message}");
            self.notify(
                <note::ShowMessage as note::Notification>::METHOD,
                ShowMessageParams {
                    typ: MessageType::ERROR,
                    message: format!("fwmigrate: {message}"),
                },
            );
        }
    }
}

/// A document at one version, with what linting it needs.
#[derive(Clone)]
struct Snapshot {
    uri: Url,
    version: i32,
    text: Arc<str>,
    index: Arc<LineIndex>,
    path: Option<PathBuf>,
    /// The workspace folder the document belongs to: its project folder when no configuration
    /// file governs it.
    workspace: PathBuf,
    overrides: Overrides,
    encoding: Encoding,
}

impl Snapshot {
    fn located(&self) -> Located<'_> {
        Located {
            uri: &self.uri,
            version: self.version,
            text: &self.text,
            index: &self.index,
            encoding: self.encoding,
        }
    }

    /// The settings for this document; `None` (after telling the user) when its configuration
    /// is broken, or when it is no file fwmigrate checks.
    fn settings(&self, shared: &Shared) -> Option<adapter::DocumentSettings> {
        let path = self.path.as_ref()?;
        match adapter::settings_for(path, &self.overrides, &self.workspace, &shared.resolvers) {
            Ok(s) => s.is_checked().then_some(s),
            Err(e) => {
                shared.show_error(e);
                None
            }
        }
    }

    fn findings(&self, shared: &Shared) -> Vec<Finding> {
        match (&self.path, self.settings(shared)) {
            (Some(path), Some(settings)) => adapter::check(path, &self.text, &settings),
            _ => Vec::new(),
        }
    }
}

/// The lint worker: takes the newest snapshot of each document once it has been quiet for
/// [`DEBOUNCE`], lints it and publishes the result if the document is still at that version.
fn lint_loop(jobs: Receiver<Snapshot>, shared: Arc<Shared>, debounce: Duration) {
    let mut pending: Vec<(Snapshot, Instant)> = Vec::new();
    let mut last_arrival = Instant::now();
    let add = |pending: &mut Vec<(Snapshot, Instant)>, s: Snapshot| {
        let now = Instant::now();
        match pending.iter_mut().find(|(p, _)| p.uri == s.uri) {
            Some(slot) => slot.0 = s,
            None => pending.push((s, now)),
        }
        now
    };
    loop {
        if pending.is_empty() {
            match jobs.recv() {
                Ok(s) => last_arrival = add(&mut pending, s),
                Err(_) => return,
            }
        }
        while let Ok(s) = jobs.try_recv() {
            last_arrival = add(&mut pending, s);
        }
        let oldest = pending
            .iter()
            .map(|(_, t)| *t)
            .min()
            .unwrap_or(last_arrival);
        let until = (last_arrival + debounce).min(oldest + MAX_DEBOUNCE);
        if Instant::now() < until {
            match jobs.recv_deadline(until) {
                Ok(s) => {
                    last_arrival = add(&mut pending, s);
                    continue;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        let (snapshot, _) = pending.remove(0);
        if shared.state().versions.get(&snapshot.uri) != Some(&snapshot.version) {
            continue;
        }
        let findings = match catch_unwind(AssertUnwindSafe(|| snapshot.findings(&shared))) {
            Ok(f) => f,
            Err(panic) => vec![adapter::internal_error(&fwmigrate_engine::panic_message(
                panic.as_ref(),
            ))],
        };
        shared.publish(&snapshot, findings);
    }
}

/// What the client said it supports.
#[derive(Debug, Clone, Copy)]
struct ClientSupport {
    encoding: Encoding,
    edits: EditSupport,
    resolve_edit: bool,
    apply_edit: bool,
    watch_files: bool,
}

impl ClientSupport {
    fn new(caps: &ClientCapabilities) -> Self {
        let offered = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.clone())
            .unwrap_or_default();
        // As in ruff: UTF-8 when the client can, else UTF-16 (the protocol's default).
        let encoding = if offered.contains(&PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else if offered.is_empty() || offered.contains(&PositionEncodingKind::UTF16) {
            Encoding::Utf16
        } else if offered.contains(&PositionEncodingKind::UTF32) {
            Encoding::Utf32
        } else {
            Encoding::Utf16
        };
        let workspace = caps.workspace.as_ref();
        let code_action = caps
            .text_document
            .as_ref()
            .and_then(|t| t.code_action.as_ref());
        Self {
            encoding,
            edits: EditSupport {
                document_changes: workspace
                    .and_then(|w| w.workspace_edit.as_ref())
                    .and_then(|e| e.document_changes)
                    .unwrap_or(false),
            },
            resolve_edit: code_action
                .and_then(|c| c.resolve_support.as_ref())
                .is_some_and(|r| r.properties.iter().any(|p| p == "edit")),
            apply_edit: workspace.and_then(|w| w.apply_edit).unwrap_or(false),
            watch_files: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
        }
    }

    fn encoding_kind(&self) -> PositionEncodingKind {
        match self.encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }
}

struct Server {
    shared: Arc<Shared>,
    documents: HashMap<Url, Document>,
    settings: ClientSettings,
    support: ClientSupport,
    /// The workspace folders; untitled documents are taken to live in the first.
    folders: Vec<PathBuf>,
    lints: Sender<Snapshot>,
    /// Requests running on their own threads, with their cancellation flags.
    running: Arc<Mutex<HashMap<RequestId, Arc<AtomicBool>>>>,
    shutdown: bool,
}

impl Server {
    fn new(params: &Value, outbox: Outbox) -> Result<Self, String> {
        // Fields are read one by one, so that an odd capability does not lose the others.
        let caps: ClientCapabilities = params
            .get("capabilities")
            .cloned()
            .and_then(|c| serde_json::from_value(c).ok())
            .unwrap_or_default();
        let support = ClientSupport::new(&caps);
        let to_path = |u: &Value| {
            u.as_str()
                .and_then(|u| Url::parse(u).ok())
                .and_then(|u| u.to_file_path().ok())
        };
        let mut folders: Vec<PathBuf> = params
            .get("workspaceFolders")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|f| f.get("uri").and_then(to_path))
            .collect();
        if folders.is_empty() {
            let root = params
                .get("rootUri")
                .and_then(to_path)
                .or_else(|| std::env::current_dir().ok())
                .unwrap_or_else(|| PathBuf::from("."));
            folders.push(root);
        }
        let shared = Arc::new(Shared {
            outbox,
            state: Mutex::new(SharedState::default()),
            next_request: AtomicU64::new(1),
            resolvers: adapter::Resolvers::default(),
        });
        let (lints, jobs) = crossbeam_channel::unbounded();
        {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("fwmigrate-lint".into())
                .stack_size(WORKER_STACK)
                .spawn(move || lint_loop(jobs, shared, DEBOUNCE))
                .map_err(|e| format!("cannot start a thread: {e}"))?;
        }
        let mut server = Self {
            shared,
            documents: HashMap::new(),
            settings: ClientSettings::default(),
            support,
            folders,
            lints,
            running: Arc::new(Mutex::new(HashMap::new())),
            shutdown: false,
        };
        if let Some(options) = params.get("initializationOptions") {
            server.set_settings(options);
        }
        Ok(server)
    }

    fn initialize_result(&self) -> InitializeResult {
        InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(self.support.encoding_kind()),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        will_save: None,
                        will_save_wait_until: None,
                        save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                            include_text: Some(false),
                        })),
                    },
                )),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::new(FIX_ALL_KIND),
                        ]),
                        work_done_progress_options: Default::default(),
                        resolve_provider: Some(true),
                    },
                )),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![APPLY_AUTOFIX.to_string()],
                    work_done_progress_options: Default::default(),
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "fwmigrate".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        }
    }

    fn exit_status(&self) -> Result<(), String> {
        if self.shutdown {
            Ok(())
        } else {
            Err("exit without shutdown".into())
        }
    }

    fn respond(&self, id: RequestId, result: impl serde::Serialize) {
        self.shared
            .outbox
            .send(Message::Response(Response::new_ok(id, result)));
    }

    fn error(&self, id: RequestId, code: i32, message: String) {
        self.shared
            .outbox
            .send(Message::Response(Response::new_err(id, code, message)));
    }

    fn handle(&mut self, message: Message) {
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
                self.respond(id, Value::Null);
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
                    let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
                    if let Some(flag) = running.get(&id) {
                        flag.store(true, Ordering::SeqCst);
                    }
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

    fn path_of(&self, uri: &Url, language_id: &str) -> Option<PathBuf> {
        if uri.scheme() == "file" {
            return uri.to_file_path().ok();
        }
        // An unsaved buffer: settings as for a Python file in the workspace.
        (language_id == "python").then(|| self.folders[0].join("untitled.py"))
    }

    /// The workspace folder of `path`: the innermost one holding it, else the first.
    fn workspace_of(&self, path: Option<&Path>) -> PathBuf {
        path.and_then(|p| {
            self.folders
                .iter()
                .filter(|f| p.starts_with(f))
                .max_by_key(|f| f.components().count())
        })
        .unwrap_or(&self.folders[0])
        .clone()
    }

    fn snapshot(&self, uri: &Url) -> Option<Snapshot> {
        let doc = self.documents.get(uri)?;
        let path = self.path_of(uri, &doc.language_id);
        Some(Snapshot {
            uri: uri.clone(),
            version: doc.version,
            text: doc.text.clone(),
            index: doc.index.clone(),
            workspace: self.workspace_of(path.as_deref()),
            path,
            overrides: self.settings.overrides.clone(),
            encoding: self.support.encoding,
        })
    }

    fn schedule(&self, uri: &Url) {
        if let Some(s) = self.snapshot(uri) {
            let _ = self.lints.send(s);
        }
    }

    fn relint_all(&self) {
        self.shared.resolvers.clear();
        self.shared.state().shown_errors.clear();
        for uri in self.documents.keys() {
            self.schedule(uri);
        }
    }

    fn did_open(&mut self, p: DidOpenTextDocumentParams) {
        let doc = p.text_document;
        self.shared
            .state()
            .versions
            .insert(doc.uri.clone(), doc.version);
        self.documents.insert(
            doc.uri.clone(),
            Document::new(doc.text, doc.version, doc.language_id),
        );
        self.schedule(&doc.uri);
    }

    fn did_change(&mut self, p: DidChangeTextDocumentParams) {
        let uri = p.text_document.uri;
        let Some(doc) = self.documents.get_mut(&uri) else {
            eprintln!("fwmigrate server: change to a document that is not open: {uri}");
            return;
        };
        doc.apply_changes(
            p.content_changes,
            p.text_document.version,
            self.support.encoding,
        );
        self.shared
            .state()
            .versions
            .insert(uri.clone(), p.text_document.version);
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
        self.documents.remove(&uri);
        let mut state = self.shared.state();
        state.versions.remove(&uri);
        state.findings.remove(&uri);
        self.shared.notify(
            <note::PublishDiagnostics as note::Notification>::METHOD,
            PublishDiagnosticsParams::new(uri, Vec::new(), None),
        );
    }

    /// Run `work` on a thread of its own; its answer is dropped for `RequestCancelled` when the
    /// client cancels the request meanwhile.
    fn spawn<T: serde::Serialize>(
        &self,
        id: RequestId,
        work: impl FnOnce(&AtomicBool) -> Result<T, String> + Send + 'static,
    ) {
        let flag = Arc::new(AtomicBool::new(false));
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.clone(), flag.clone());
        let running = self.running.clone();
        let outbox = self.shared.outbox.clone();
        let spawned = std::thread::Builder::new()
            .name("fwmigrate-request".into())
            .stack_size(WORKER_STACK)
            .spawn(move || {
                let result = catch_unwind(AssertUnwindSafe(|| work(&flag)));
                running
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&id);
                let response = if flag.load(Ordering::SeqCst) {
                    Response::new_err(id, REQUEST_CANCELLED, "cancelled".into())
                } else {
                    match result {
                        Ok(Ok(value)) => Response::new_ok(id, value),
                        Ok(Err(message)) => {
                            Response::new_err(id, ErrorCode::RequestFailed as i32, message)
                        }
                        Err(panic) => Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            format!(
                                "internal error: {}",
                                fwmigrate_engine::panic_message(panic.as_ref())
                            ),
                        ),
                    }
                };
                outbox.send(Message::Response(response));
            });
        if let Err(e) = spawned {
            eprintln!("fwmigrate server: cannot start a thread: {e}");
        }
    }

    fn code_action(&self, id: RequestId, p: CodeActionParams) {
        let Some(snapshot) = self.snapshot(&p.text_document.uri) else {
            return self.respond(id, Vec::<CodeActionOrCommand>::new());
        };
        let cached = self
            .shared
            .state()
            .findings
            .get(&snapshot.uri)
            .filter(|(v, _)| *v == snapshot.version)
            .map(|(_, f)| f.clone());
        let shared = self.shared.clone();
        let support = self.support;
        let only = p.context.only.clone();
        let range = p.range;
        self.spawn(id, move |cancelled| {
            let only = only.as_deref();
            let mut actions = Vec::new();
            if actions::wanted(only, CodeActionKind::QUICKFIX.as_str()) {
                let findings = match cached {
                    Some(f) => f,
                    None => Arc::new(snapshot.findings(&shared)),
                };
                let at = snapshot.located();
                let start = at.index.offset(at.text, range.start, at.encoding);
                let end = at.index.offset(at.text, range.end, at.encoding).max(start);
                let python = snapshot
                    .path
                    .as_ref()
                    .and_then(|_| snapshot.settings(&shared))
                    .is_some_and(|s| s.is_python());
                actions.extend(actions::quick_fixes(
                    &findings,
                    start..end,
                    &at,
                    support.edits,
                    python,
                ));
            }
            if cancelled.load(Ordering::SeqCst) {
                return Ok(actions);
            }
            if actions::wanted(only, FIX_ALL_KIND) && snapshot.settings(&shared).is_some() {
                let mut action = CodeAction {
                    title: "fwmigrate: Fix all auto-fixable problems".into(),
                    kind: Some(CodeActionKind::new(FIX_ALL_KIND)),
                    data: Some(json!({ "uri": snapshot.uri, "version": snapshot.version })),
                    ..CodeAction::default()
                };
                // Computed now only for clients that cannot ask for it later.
                if !support.resolve_edit {
                    action.edit = Some(fix_all_edit(&snapshot, &shared, support.edits)?);
                }
                actions.push(CodeActionOrCommand::CodeAction(action));
            }
            Ok(actions)
        });
    }

    fn resolve(&self, id: RequestId, mut action: CodeAction) {
        let uri = action
            .data
            .as_ref()
            .and_then(|d| d.get("uri"))
            .and_then(Value::as_str)
            .and_then(|u| Url::parse(u).ok());
        let is_fix_all = action.kind.as_ref().map(CodeActionKind::as_str) == Some(FIX_ALL_KIND);
        let snapshot = uri.as_ref().and_then(|u| self.snapshot(u));
        let (Some(snapshot), true) = (snapshot, is_fix_all) else {
            return self.respond(id, action);
        };
        let shared = self.shared.clone();
        let support = self.support.edits;
        self.spawn(id, move |_| {
            action.edit = Some(fix_all_edit(&snapshot, &shared, support)?);
            Ok(action)
        });
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
        let shared = self.shared.clone();
        let support = self.support.edits;
        self.spawn(id, move |_| {
            let edit = fix_all_edit(&snapshot, &shared, support)?;
            let has_edits = edit.changes.as_ref().is_some_and(|c| !c.is_empty())
                || edit.document_changes.is_some();
            if has_edits {
                shared.request(
                    <req::ApplyWorkspaceEdit as req::Request>::METHOD,
                    json!({ "label": "fwmigrate: Fix all auto-fixable problems", "edit": edit }),
                );
            }
            Ok(Value::Null)
        });
    }
}

/// The edit of the fix-all action: what `fwmigrate --apply` would write, as line edits.
fn fix_all_edit(
    snapshot: &Snapshot,
    shared: &Shared,
    support: EditSupport,
) -> Result<WorkspaceEdit, String> {
    let (Some(path), Some(settings)) = (&snapshot.path, snapshot.settings(shared)) else {
        return Ok(WorkspaceEdit::default());
    };
    let fixed = adapter::fix_all(path, &snapshot.text, &settings)
        .map_err(|what| format!("FW999: internal error while fixing this file ({what})"))?;
    let Some(fixed) = fixed else {
        return Ok(WorkspaceEdit::default());
    };
    let edits = actions::diff_edits(&snapshot.text, &fixed);
    Ok(actions::workspace_edit(
        &snapshot.located(),
        &edits,
        support,
    ))
}

/// Whether `method` is request `R`'s.
fn is_request<R: req::Request>(method: &str) -> bool {
    method == R::METHOD
}

/// Whether `method` is notification `N`'s.
fn is<N: note::Notification>(method: &str) -> bool {
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
