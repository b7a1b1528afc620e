//! The requests that lint, each on a thread of its own so that a large file never blocks the
//! message loop: code actions, resolving the fix-all action and the `fwmigrate.applyAutofix`
//! command. [`Running`] runs them and honours `$/cancelRequest`; the functions below are the
//! work they do on a snapshot.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use lsp_server::{ErrorCode, Message, RequestId, Response};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams};
use serde_json::{Value, json};

use crate::actions::{self, EditSupport, FIX_ALL_KIND};
use crate::adapter::Finding;
use crate::capabilities::ClientSupport;
use crate::shared::Shared;
use crate::snapshot::Snapshot;
use crate::transport::Outbox;

/// Stack size of the threads that parse and lint (deeply nested code recurses deeply; the memory
/// is only reserved, as on the command line).
pub const WORKER_STACK: usize = 256 << 20;

/// Error code for a request that was cancelled (LSP `RequestCancelled`).
const REQUEST_CANCELLED: i32 = -32800;

/// What a request thread computes; the flag is raised when the client cancels the request.
pub type Work<T> = Box<dyn FnOnce(&AtomicBool) -> Result<T, String> + Send>;

/// Requests running on their own threads, with their cancellation flags.
#[derive(Clone, Default)]
pub struct Running(Arc<Mutex<HashMap<RequestId, Arc<AtomicBool>>>>);

impl Running {
    fn flags(&self) -> std::sync::MutexGuard<'_, HashMap<RequestId, Arc<AtomicBool>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Run `work` on a thread of its own and send its answer; the answer is dropped for
    /// `RequestCancelled` when the client cancels the request meanwhile, `RequestFailed` carries
    /// its error and a panic is an `InternalError`.
    pub fn spawn<T: serde::Serialize + 'static>(
        &self,
        id: RequestId,
        outbox: &Outbox,
        work: Work<T>,
    ) -> Option<JoinHandle<()>> {
        let flag = Arc::new(AtomicBool::new(false));
        self.flags().insert(id.clone(), flag.clone());
        let running = self.clone();
        let outbox = outbox.clone();
        let spawned = std::thread::Builder::new()
            .name("fwmigrate-request".into())
            .stack_size(WORKER_STACK)
            .spawn(move || {
                let result = catch_unwind(AssertUnwindSafe(|| work(&flag)));
                running.flags().remove(&id);
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
        spawned
            .map_err(|e| eprintln!("fwmigrate server: cannot start a thread: {e}"))
            .ok()
    }

    /// `$/cancelRequest`: raise the flag of request `id`, if it is still running.
    pub fn cancel(&self, id: &RequestId) {
        if let Some(flag) = self.flags().get(id) {
            flag.store(true, Ordering::SeqCst);
        }
    }
}

/// `textDocument/codeAction`: the quick fixes of the findings in the range (from `cached`, the
/// findings published for this version, when there are some), then the fix-all action.
pub fn code_actions(
    snapshot: Snapshot,
    cached: Option<Arc<Vec<Finding>>>,
    shared: Arc<Shared>,
    support: ClientSupport,
    p: &CodeActionParams,
) -> Work<Vec<CodeActionOrCommand>> {
    let only = p.context.only.clone();
    let range = p.range;
    Box::new(move |cancelled| {
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
                action.edit = Some(snapshot.fix_all_edit(&shared, support.edits)?);
            }
            actions.push(CodeActionOrCommand::CodeAction(action));
        }
        Ok(actions)
    })
}

/// `codeAction/resolve` of the fix-all action: its edit.
pub fn resolve_fix_all(
    mut action: CodeAction,
    snapshot: Snapshot,
    shared: Arc<Shared>,
    edits: EditSupport,
) -> Work<CodeAction> {
    Box::new(move |_| {
        action.edit = Some(snapshot.fix_all_edit(&shared, edits)?);
        Ok(action)
    })
}

/// `fwmigrate.applyAutofix`: send the fix-all edit to the client with `workspace/applyEdit`
/// (when there is one).
pub fn apply_autofix(snapshot: Snapshot, shared: Arc<Shared>, edits: EditSupport) -> Work<Value> {
    Box::new(move |_| {
        let edit = snapshot.fix_all_edit(&shared, edits)?;
        let has_edits =
            edit.changes.as_ref().is_some_and(|c| !c.is_empty()) || edit.document_changes.is_some();
        if has_edits {
            shared.request(
                req::ApplyWorkspaceEdit::METHOD,
                json!({ "label": "fwmigrate: Fix all auto-fixable problems", "edit": edit }),
            );
        }
        Ok(Value::Null)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::memory::{self, Sent};

    fn answer(sent: &Sent) -> Response {
        match sent.take().as_slice() {
            [Message::Response(r)] => r.clone(),
            other => panic!("expected one response, got {other:?}"),
        }
    }

    fn run<T: serde::Serialize + 'static>(work: Work<T>) -> Response {
        let (outbox, sent) = memory::outbox();
        let running = Running::default();
        running
            .spawn(RequestId::from(1), &outbox, work)
            .unwrap()
            .join()
            .unwrap();
        assert!(
            running.flags().is_empty(),
            "a finished request is forgotten"
        );
        answer(&sent)
    }

    #[test]
    fn a_request_answers_its_result_or_its_error() {
        let ok = run(Box::new(|_| Ok(json!([1, 2]))));
        assert_eq!(
            (ok.id, ok.result),
            (RequestId::from(1), Some(json!([1, 2])))
        );
        let failed = run::<Value>(Box::new(|_| Err("cannot fix".into())));
        let e = failed.error.unwrap();
        assert_eq!(e.code, ErrorCode::RequestFailed as i32);
        assert_eq!(e.message, "cannot fix");
    }

    #[test]
    fn a_panic_is_an_internal_error() {
        let r = run::<Value>(Box::new(|_| panic!("boom")));
        let e = r.error.unwrap();
        assert_eq!(e.code, ErrorCode::InternalError as i32);
        assert_eq!(e.message, "internal error: boom");
    }

    #[test]
    fn a_cancelled_request_answers_request_cancelled() {
        let (outbox, sent) = memory::outbox();
        let running = Running::default();
        let (started, wait_started) = crossbeam_channel::bounded(1);
        let id = RequestId::from("r".to_string());
        let thread = running
            .spawn(
                id.clone(),
                &outbox,
                Box::new(move |cancelled: &AtomicBool| {
                    started.send(()).unwrap();
                    while !cancelled.load(Ordering::SeqCst) {
                        std::thread::yield_now();
                    }
                    Ok(json!("done anyway"))
                }),
            )
            .unwrap();
        wait_started.recv().unwrap();
        // Another id cancels nothing.
        running.cancel(&RequestId::from(2));
        assert!(!running.flags()[&id].load(Ordering::SeqCst));
        running.cancel(&id);
        thread.join().unwrap();
        let r = answer(&sent);
        assert_eq!(r.id, id);
        assert_eq!(r.result, None);
        assert_eq!(r.error.unwrap().code, REQUEST_CANCELLED);
        // Cancelling a finished request is harmless.
        running.cancel(&id);
        assert!(sent.take().is_empty());
    }
}
