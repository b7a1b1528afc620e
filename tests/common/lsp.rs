//! `fwmigrate server` run as a child process over stdio, driven by the shared LSP client
//! (`fwmigrate_testing::lsp::Client`), for tests/server.rs and tests/soak.rs; and the findings
//! of LSP diagnostics and of `--check` JSON, to compare them.
#![allow(dead_code)]

use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fwmigrate_testing::lsp::{Client, PATIENCE, uri};
use serde_json::{Value, json};

/// The binary as a child process, and the shared LSP client over its stdin and stdout.
pub struct Server {
    child: Child,
    lsp: Client,
}

impl Deref for Server {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.lsp
    }
}

impl DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.lsp
    }
}

impl Server {
    /// Start `cmd server` and initialize it (without client capabilities).
    pub fn start(cmd: &mut Command) -> Self {
        let mut child = cmd
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let out = child.stdout.take().unwrap();
        let mut lsp = Client::new(stdin, out);
        lsp.initialize(json!({}), Value::Null);
        Self { child, lsp }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `didOpen` of a Python document at version 1; its URI.
    pub fn open(&mut self, path: &Path, text: &str) -> String {
        let uri = uri(path);
        self.lsp.open(&uri, text);
        uri
    }

    pub fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        self.lsp.diagnostics(uri)["diagnostics"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// `shutdown` and `exit`; the exit status.
    pub fn stop(mut self) -> Option<i32> {
        self.lsp.shutdown();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// (code, start line, start character, end line, end character) of LSP diagnostics, 0-based.
pub fn lsp_findings(diags: &[Value]) -> Vec<(String, u64, u64, u64, u64)> {
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

/// The same from `--check --output-format json` records (1-based rows and columns there).
pub fn cli_findings(records: &[Value]) -> Vec<(String, u64, u64, u64, u64)> {
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
