//! `fwmigrate server` as the built binary, over stdio: the diagnostics match
//! `fwmigrate --check --output-format json`, the fix-all action matches `fwmigrate --apply`, and
//! a panic while checking a file is an FW999 diagnostic, not a dead server.

use std::process::{Command, Stdio};

use fwmigrate_testing::lsp::apply_edits;
use serde_json::{Value, json};

mod common;
use common::{fwmigrate, stdout};
#[path = "common/lsp.rs"]
mod lsp;
use lsp::{Server, cli_findings, lsp_findings};

/// The binary without the options `common::fwmigrate` adds: `server` must come first.
fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fwmigrate"));
    cmd.env_remove("FWMIGRATE_DEBUG_PANIC_ON")
        .env_remove("FWMIGRATE_NO_PREFILTER");
    cmd
}

const LEGACY: &str = include_str!("../crates/fwmigrate_server/tests/fixtures/legacy_launch.py");

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
    let response = server.response(id);
    let edits = response["result"][0]["edit"]["changes"][&uri]
        .as_array()
        .unwrap()
        .clone();
    let fixed = apply_edits(LEGACY, &edits);
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
    let response = server.response(id);
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
