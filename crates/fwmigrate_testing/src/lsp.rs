//! A minimal LSP client for the tests and benchmarks that drive `fwmigrate server`: it frames
//! JSON-RPC messages with `Content-Length` headers over any pair of streams (pipes to a server
//! running in the test's process, or a child process's stdin and stdout), keeps the messages
//! that arrive while it waits for another, and reads LSP edits and diagnostics back.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long a test waits for one message (debug builds on a busy machine are slow).
pub const PATIENCE: Duration = Duration::from_secs(60);

pub struct Client {
    to_server: Option<Box<dyn Write + Send>>,
    from_server: Receiver<Value>,
    /// Messages received while waiting for others.
    backlog: Vec<Value>,
    next_id: i64,
}

/// Read framed messages from `input` into `out` until either ends.
fn read_frames(input: impl Read, out: Sender<Value>) {
    let mut input = BufReader::new(input);
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            if input.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                length = v.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.expect("Content-Length")];
        if input.read_exact(&mut body).is_err() {
            return;
        }
        let value: Value = serde_json::from_slice(&body).expect("the server sends JSON");
        if out.send(value).is_err() {
            return;
        }
    }
}

impl Client {
    /// A client that writes to `to_server` and reads `from_server` (on a thread of its own).
    /// Nothing is sent yet: see [`Client::initialize`].
    pub fn new(
        to_server: impl Write + Send + 'static,
        from_server: impl Read + Send + 'static,
    ) -> Self {
        let (tx, rx) = channel();
        std::thread::spawn(move || read_frames(from_server, tx));
        Self {
            to_server: Some(Box::new(to_server)),
            from_server: rx,
            backlog: Vec::new(),
            next_id: 1,
        }
    }

    /// `initialize` with these client capabilities and options, then `initialized`; the
    /// server's answer.
    pub fn initialize(&mut self, capabilities: Value, options: Value) -> Value {
        let id = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        let result = self.result(id);
        self.notify("initialized", json!({}));
        result
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let w = self.to_server.as_mut().expect("the input is open");
        w.write_all(bytes).unwrap();
        w.flush().unwrap();
    }

    pub fn send(&mut self, message: Value) {
        let text = message.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{text}", text.len()).as_bytes());
    }

    pub fn request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The first message (in arrival order) that satisfies `pred`; the others are kept.
    pub fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i);
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = self
                .from_server
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {what} from the server; got {:#?}", self.backlog));
            if pred(&m) {
                return m;
            }
            self.backlog.push(m);
        }
    }

    /// The first message that satisfies `pred` (see [`Client::wait_for`]).
    pub fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_for("an awaited message", pred)
    }

    /// The next message, kept ones first; `None` when none comes within `timeout`.
    pub fn next(&mut self, timeout: Duration) -> Option<Value> {
        if !self.backlog.is_empty() {
            return Some(self.backlog.remove(0));
        }
        match self.from_server.recv_timeout(timeout) {
            Ok(m) => Some(m),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => None,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                panic!("the server closed its output")
            }
        }
    }

    /// Every message that arrives within `quiet` of the previous one.
    pub fn drain(&mut self, quiet: Duration) -> Vec<Value> {
        let mut out = std::mem::take(&mut self.backlog);
        while let Ok(m) = self.from_server.recv_timeout(quiet) {
            out.push(m);
        }
        out
    }

    pub fn response(&mut self, id: i64) -> Value {
        self.wait_for(&format!("response {id}"), |m| {
            m.get("id") == Some(&json!(id)) && m.get("method").is_none()
        })
    }

    pub fn result(&mut self, id: i64) -> Value {
        let r = self.response(id);
        assert!(r.get("error").is_none(), "request {id} failed: {r}");
        r["result"].clone()
    }

    /// The next diagnostics published for `uri`.
    pub fn diagnostics(&mut self, uri: &str) -> Value {
        self.wait_for(&format!("diagnostics for {uri}"), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        })["params"]
            .clone()
    }

    /// Diagnostics for `uri` at `version`, skipping older ones.
    pub fn diagnostics_at(&mut self, uri: &str, version: i64) -> Value {
        self.wait_for(&format!("diagnostics for {uri} v{version}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        })["params"]
            .clone()
    }

    /// `didOpen` of a Python document at version 1.
    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
        );
    }

    /// `shutdown` (which must answer `null`), then `exit`.
    pub fn shutdown(&mut self) {
        let id = self.request("shutdown", Value::Null);
        assert_eq!(self.result(id), Value::Null);
        self.notify("exit", Value::Null);
    }

    /// Close the server's input.
    pub fn close_input(&mut self) {
        self.to_server = None;
    }
}

/// The `file://` URI of an absolute `path`, percent-encoded as the server's `lsp-types` URIs
/// are.
pub fn uri(path: &Path) -> String {
    url::Url::from_file_path(path)
        .unwrap_or_else(|()| panic!("not an absolute path: {}", path.display()))
        .to_string()
}

/// Apply LSP text edits (UTF-16 positions; the tests use ASCII text) to `text`.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let offset = |p: &Value| -> usize {
        let line = p["line"].as_u64().unwrap() as usize;
        let ch = p["character"].as_u64().unwrap() as usize;
        match starts.get(line) {
            Some(&s) => {
                let end = starts.get(line + 1).map_or(text.len(), |&e| e - 1);
                (s + ch).min(end)
            }
            None => text.len(),
        }
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| s.0);
    let mut out = text.to_string();
    for (s, e, t) in spans.into_iter().rev() {
        out.replace_range(s..e, &t);
    }
    out
}

/// The text edits of a workspace edit for `uri` (`changes` or `documentChanges`).
pub fn edits_for(edit: &Value, uri: &str) -> Vec<Value> {
    if let Some(changes) = edit.get("changes") {
        return changes[uri].as_array().cloned().unwrap_or_default();
    }
    edit["documentChanges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["textDocument"]["uri"] == uri)
        .flat_map(|d| d["edits"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// (code, start line, start character) of each diagnostic.
pub fn codes_and_starts(params: &Value) -> Vec<(String, u64, u64)> {
    params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["character"].as_u64().unwrap(),
            )
        })
        .collect()
}
