//! A minimal LSP client for the tests and the benchmark: the server runs in this process on a
//! pair of pipes, and speaks through the same framing code as over stdio.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use serde_json::{Value, json};

pub const LEGACY: &str = include_str!("../fixtures/legacy_launch.py");

/// How long a test waits for one message (debug builds on a busy machine are slow).
pub const PATIENCE: Duration = Duration::from_secs(60);

pub struct Client {
    to_server: Option<std::io::PipeWriter>,
    from_server: Receiver<Value>,
    /// Messages received while waiting for others.
    backlog: Vec<Value>,
    server: Option<JoinHandle<Result<(), String>>>,
    next_id: i64,
}

fn read_frames(input: impl Read, out: crossbeam_channel::Sender<Value>) {
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
    /// Start a server without initializing it.
    pub fn spawn() -> Self {
        let (server_in, to_server) = std::io::pipe().unwrap();
        let (from_server_raw, server_out) = std::io::pipe().unwrap();
        let server = std::thread::spawn(move || fwmigrate_server::serve(server_in, server_out));
        let (tx, rx) = crossbeam_channel::unbounded();
        std::thread::spawn(move || read_frames(from_server_raw, tx));
        Self {
            to_server: Some(to_server),
            from_server: rx,
            backlog: Vec::new(),
            server: Some(server),
            next_id: 1,
        }
    }

    /// Start and initialize a server with these client capabilities and options.
    pub fn start(capabilities: Value, options: Value) -> (Self, Value) {
        let mut client = Self::spawn();
        let result = client.initialize(capabilities, options);
        (client, result)
    }

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
            let m = self
                .from_server
                .recv_deadline(deadline)
                .unwrap_or_else(|_| panic!("no {what} from the server; got {:#?}", self.backlog));
            if pred(&m) {
                return m;
            }
            self.backlog.push(m);
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

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
        );
    }

    /// `shutdown`, `exit`, and what `serve` returned.
    pub fn stop(mut self) -> Result<(), String> {
        let id = self.request("shutdown", Value::Null);
        assert_eq!(self.result(id), Value::Null);
        self.notify("exit", Value::Null);
        self.join()
    }

    /// Wait for the server to return (after `exit`, or when its input ends).
    pub fn join(mut self) -> Result<(), String> {
        let handle = self.server.take().unwrap();
        let deadline = Instant::now() + PATIENCE;
        while !handle.is_finished() {
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(Duration::from_millis(5));
        }
        handle.join().expect("the server thread panicked")
    }

    pub fn close_input(&mut self) {
        self.to_server = None;
    }
}

/// A `file://` URI for `path`.
pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
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
