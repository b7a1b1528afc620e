//! `fwmigrate server` as the built binary, over stdio: the diagnostics match
//! `fwmigrate --check --output-format json`, the fix-all action matches `fwmigrate --apply`, and
//! a panic while checking a file is an FW999 diagnostic, not a dead server.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
use common::{fwmigrate, stdout};

/// The binary without the options `common::fwmigrate` adds: `server` must come first.
fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fwmigrate"));
    cmd.env_remove("FWMIGRATE_DEBUG_PANIC_ON")
        .env_remove("FWMIGRATE_NO_PREFILTER");
    cmd
}

const LEGACY: &str = include_str!("../crates/fwmigrate_server/tests/fixtures/legacy_launch.py");

struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    backlog: Vec<Value>,
    next_id: i64,
}

impl Server {
    fn start(cmd: &mut Command) -> Self {
        let mut child = cmd
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut out = BufReader::new(out);
            loop {
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if out.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if line.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = line.trim().strip_prefix("Content-Length: ") {
                        length = v.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                out.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut server = Self {
            child,
            stdin,
            messages: rx,
            backlog: Vec::new(),
            next_id: 1,
        };
        let id = server.request("initialize", json!({"processId": null, "capabilities": {}}));
        server.wait(|m| m["id"] == id);
        server.notify("initialized", json!({}));
        server
    }

    fn send(&mut self, message: Value) {
        let text = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{text}", text.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i);
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = self
                .messages
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("nothing awaited came; got {:#?}", self.backlog));
            if pred(&m) {
                return m;
            }
            self.backlog.push(m);
        }
    }

    fn open(&mut self, path: &Path, text: &str) -> String {
        let uri = format!("file://{}", path.display());
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
        );
        uri
    }

    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        self.wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
            ["params"]["diagnostics"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// `shutdown` and `exit`; the exit status.
    fn stop(mut self) -> Option<i32> {
        let id = self.request("shutdown", Value::Null);
        self.wait(|m| m["id"] == id);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// (code, line, character) from LSP diagnostics, and the same from `--check` JSON records.
fn lsp_findings(diags: &[Value]) -> Vec<(String, u64, u64, u64, u64)> {
    diags
        .iter()
        .map(|d| {
            let r = &d["range"];
            (
                d["code"].as_str().unwrap().to_string(),
                r["start"]["line"].as_u64().unwrap(),
                r["start"]["character"].as_u64().unwrap(),
                r["end"]["line"].as_u64().unwrap(),
                r["end"]["character"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn cli_findings(records: &[Value]) -> Vec<(String, u64, u64, u64, u64)> {
    records
        .iter()
        .map(|r| {
            let at = |k: &str, f: &str| r[k][f].as_u64().unwrap() - 1;
            (
                r["code"].as_str().unwrap().to_string(),
                at("location", "row"),
                at("location", "column"),
                at("end_location", "row"),
                at("end_location", "column"),
            )
        })
        .collect()
}

/// Apply LSP edits (ASCII text, so UTF-16 columns are byte columns).
fn apply(text: &str, edits: &[Value]) -> String {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let at = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        starts.get(line).map_or(text.len(), |s| {
            s + p["character"].as_u64().unwrap() as usize
        })
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                at(&e["range"]["start"]),
                at(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| s.0);
    let mut out = text.to_string();
    for (s, e, t) in spans.into_iter().rev() {
        out.replace_range(s..e, t);
    }
    out
}

#[test]
fn the_server_agrees_with_check_and_apply() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.fwmigrate]\nignore = [\"FW007\"]\n",
    )
    .unwrap();
    let path = dir.path().join("launch.py");
    std::fs::write(&path, LEGACY).unwrap();

    let check = fwmigrate()
        .current_dir(dir.path())
        .args(["--check", "--output-format", "json", "launch.py"])
        .output()
        .unwrap();
    let records: Vec<Value> = serde_json::from_slice(&check.stdout).unwrap();
    assert!(records.len() > 5, "{}", stdout(&check));

    let mut server = Server::start(&mut bin());
    let uri = server.open(&path, LEGACY);
    let diags = server.diagnostics(&uri);
    assert_eq!(lsp_findings(&diags), cli_findings(&records));

    let pos = json!({"line": 0, "character": 0});
    let id = server.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": pos, "end": pos},
               "context": {"diagnostics": [], "only": ["source.fixAll.fwmigrate"]}}),
    );
    let response = server.wait(|m| m["id"] == id);
    let edits = response["result"][0]["edit"]["changes"][&uri]
        .as_array()
        .unwrap()
        .clone();
    let fixed = apply(LEGACY, &edits);
    assert_eq!(server.stop(), Some(0));

    let apply_run = fwmigrate()
        .current_dir(dir.path())
        .args(["--apply", "launch.py"])
        .output()
        .unwrap();
    assert_eq!(
        apply_run.status.code(),
        Some(1),
        "findings remain after --apply"
    );
    assert_eq!(fixed, std::fs::read_to_string(&path).unwrap());
    assert_ne!(fixed, LEGACY);
}

/// A panic while checking one file (forced in debug builds with FWMIGRATE_DEBUG_PANIC_ON)
/// becomes an FW999 diagnostic for it, and the server goes on with the next one.
#[cfg(debug_assertions)]
#[test]
fn a_panic_is_an_fw999_diagnostic_and_the_server_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bin();
    cmd.env("FWMIGRATE_DEBUG_PANIC_ON", "boom.py");
    let mut server = Server::start(&mut cmd);
    let boom = server.open(&dir.path().join("boom.py"), LEGACY);
    let diags = server.diagnostics(&boom);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "FW999");
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("deliberate panic"),
        "{diags:?}"
    );
    // Fix-all on that file fails as a request, without taking the server down.
    let pos = json!({"line": 0, "character": 0});
    let id = server.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": boom}, "range": {"start": pos, "end": pos},
               "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let response = server.wait(|m| m["id"] == id);
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .contains("FW999"),
        "{response}"
    );
    let ok = server.open(&dir.path().join("ok.py"), LEGACY);
    let diags = server.diagnostics(&ok);
    assert!(diags.iter().any(|d| d["code"] == "FW002"), "{diags:?}");
    assert_eq!(server.stop(), Some(0));
}

/// `server` as the first argument starts the server; a folder of that name is still checked
/// when written as a path (`./server`) or after an option.
#[test]
fn a_folder_named_server_is_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("server")).unwrap();
    std::fs::write(dir.path().join("server/launch.py"), LEGACY).unwrap();
    for args in [&["./server"][..], &["--check", "server"], &["--", "server"]] {
        let out = fwmigrate()
            .current_dir(dir.path())
            .args(["--output-format", "concise"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            stdout(&out).contains("launch.py:"),
            "{args:?}: {}",
            stdout(&out)
        );
    }
    let help = bin().args(["server", "--help"]).output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("./server"), "{}", stdout(&help));
    // The server exits 1 when its client goes away without `shutdown`.
    let out = bin().arg("server").stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}
