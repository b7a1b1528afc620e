//! The message loop: `initialize`, then every message to the handlers until `exit`, with the
//! lint worker started beside it.

use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message, RequestId, Response};
use lsp_types::notification as note;
use lsp_types::request as req;
use serde_json::Value;

use crate::capabilities;
use crate::handlers::{Server, is, is_request};
use crate::requests::WORKER_STACK;
use crate::scheduling::{self, Debouncer};
use crate::shared::Shared;
use crate::snapshot::Snapshot;
use crate::transport::{Outbox, read_loop};

/// How long a document must stay unchanged before it is linted. Changes that arrive within
/// this time of each other are linted once, at their last version.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// A document waits at most this long for a quiet moment while it keeps changing.
const MAX_DEBOUNCE: Duration = Duration::from_millis(200);

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
    let shared = Arc::new(Shared::new(outbox.clone()));
    let lints = start_lint_worker(shared.clone())?;
    let mut server = Server::new(&params, shared, lints);
    let result = capabilities::initialize_result(server.support());
    outbox.send(Message::Response(Response::new_ok(id, result)));
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

/// The lint worker: takes the newest snapshot of each document once it has been quiet for
/// [`DEBOUNCE`], lints it and publishes the result if the document is still at that version.
/// It stops when the returned queue is dropped.
fn start_lint_worker(shared: Arc<Shared>) -> Result<Sender<Snapshot>, String> {
    let (lints, jobs) = crossbeam_channel::unbounded::<Snapshot>();
    std::thread::Builder::new()
        .name("fwmigrate-lint".into())
        .stack_size(WORKER_STACK)
        .spawn(move || {
            let debouncer = Debouncer::new(DEBOUNCE, MAX_DEBOUNCE);
            scheduling::run(&jobs, debouncer, |s| s.uri.clone(), |s| s.lint(&shared));
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    Ok(lints)
}
