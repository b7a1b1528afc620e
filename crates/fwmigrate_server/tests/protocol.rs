//! The language server over its real framing: initialize, document sync, diagnostics, code
//! actions, commands, cancellation, shutdown, and its survival of bad input.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

mod common;
use common::{Client, LEGACY, apply_edits, codes_and_starts, edits_for, uri};

fn codes(params: &Value) -> Vec<String> {
    codes_and_starts(params).into_iter().map(|c| c.0).collect()
}

fn line_of(text: &str, needle: &str) -> u64 {
    text.lines().position(|l| l.contains(needle)).expect(needle) as u64
}

/// A folder of its own for each test's documents (configuration is looked up above them).
fn workspace() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// The settings the server (started without a workspace folder, so in its working directory)
/// uses for `path`.
fn settings_for(path: &Path) -> fwmigrate_server::adapter::DocumentSettings {
    let workspace = std::env::current_dir().unwrap();
    fwmigrate_server::adapter::settings_for(
        path,
        &Default::default(),
        &workspace,
        &Default::default(),
    )
    .unwrap()
}

#[test]
fn initialize_announces_incremental_sync_and_the_actions() {
    let (client, result) = Client::start(json!({}), Value::Null);
    let caps = &result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental: {caps}");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    let kinds = caps["codeActionProvider"]["codeActionKinds"]
        .as_array()
        .unwrap();
    assert!(kinds.contains(&json!("quickfix")));
    assert!(kinds.contains(&json!("source.fixAll.fwmigrate")));
    assert_eq!(
        caps["executeCommandProvider"]["commands"],
        json!(["fwmigrate.applyAutofix"])
    );
    assert_eq!(result["serverInfo"]["name"], "fwmigrate");
    client.stop().unwrap();

    // UTF-8 positions when the client offers them.
    let (client, result) = Client::start(
        json!({"general": {"positionEncodings": ["utf-16", "utf-8"]}}),
        Value::Null,
    );
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    client.stop().unwrap();
}

#[test]
fn diagnostics_on_open_carry_codes_severities_ranges_and_links() {
    let dir = workspace();
    let path = dir.path().join("launch.py");
    let u = uri(&path);
    let (mut client, _) = Client::start(json!({}), Value::Null);
    client.open(&u, LEGACY);
    let params = client.diagnostics(&u);
    assert_eq!(params["version"], 1);
    let got = codes(&params);
    for code in [
        "FW001", "FW002", "FW003", "FW004", "FW006", "FW101", "FW102",
    ] {
        assert!(got.iter().any(|c| c == code), "{code} missing from {got:?}");
    }
    // The same findings as the engine reports for the file, in the same order.
    let expected: Vec<&str> = fwmigrate_server::adapter::check(&path, LEGACY, &settings_for(&path))
        .iter()
        .map(|f| f.code.as_str())
        .collect();
    assert_eq!(got, expected);

    let diags = params["diagnostics"].as_array().unwrap();
    let fw002 = diags.iter().find(|d| d["code"] == "FW002").unwrap();
    let line = line_of(LEGACY, "infra=InfraConfig(");
    assert_eq!(
        fw002["range"]["start"],
        json!({"line": line, "character": 8})
    );
    assert_eq!(fw002["range"]["end"]["line"], line + 3, "{fw002}");
    assert_eq!(fw002["severity"], 1);
    assert_eq!(fw002["source"], "fwmigrate");
    let href = fw002["codeDescription"]["href"].as_str().unwrap();
    assert!(
        href.starts_with("https://github.com/fwmigrate/fwmigrate/")
            && href.ends_with("/docs/rules/FW002.md"),
        "{href}"
    );
    let fw001 = diags.iter().find(|d| d["code"] == "FW001").unwrap();
    assert_eq!(fw001["severity"], 2, "FW001 is a warning");
    // A display-only suggestion is in the message.
    let fw102 = diags.iter().find(|d| d["code"] == "FW102").unwrap();
    let message = fw102["message"].as_str().unwrap();
    assert!(
        message.contains("\nhelp: ") && message.contains("service.close()"),
        "{message}"
    );
    client.stop().unwrap();
}

#[test]
fn incremental_changes_update_the_diagnostics_by_version() {
    let dir = workspace();
    let u = uri(&dir.path().join("launch.py"));
    let (mut client, _) = Client::start(json!({}), Value::Null);
    client.open(&u, LEGACY);
    assert!(codes(&client.diagnostics_at(&u, 1)).contains(&"FW003".to_string()));

    // Delete the `weight_sync=...` line, and rename `infra=` in the same notification (the
    // second change is located in the text the first one left).
    let ws = line_of(LEGACY, "weight_sync=WeightSyncConfig(");
    let infra = line_of(LEGACY, "infra=InfraConfig(");
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": u, "version": 2},
            "contentChanges": [
                {"range": {"start": {"line": ws, "character": 0}, "end": {"line": ws + 1, "character": 0}}, "text": ""},
                {"range": {"start": {"line": infra, "character": 8}, "end": {"line": infra, "character": 13}}, "text": "trainer"},
            ],
        }),
    );
    let after = codes(&client.diagnostics_at(&u, 2));
    assert!(!after.contains(&"FW003".to_string()), "{after:?}");
    assert!(!after.contains(&"FW002".to_string()), "{after:?}");
    assert!(after.contains(&"FW004".to_string()), "{after:?}");

    // A burst of changes: diagnostics end at the last version, and never go back to an older
    // one (stale results are dropped).
    // (One line above it was deleted.)
    let main_line = line_of(LEGACY, "return rl_loop.main(cfg") - 1;
    for v in 3..=8 {
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": u, "version": v},
                "contentChanges": [{"range": {"start": {"line": main_line, "character": 0}, "end": {"line": main_line, "character": 0}}, "text": "    # edit\n"}],
            }),
        );
    }
    let last = client.diagnostics_at(&u, 8);
    // Whatever else was published came before v8, in order.
    let others: Vec<i64> = client
        .drain(Duration::from_millis(300))
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .map(|m| m["params"]["version"].as_i64().unwrap())
        .collect();
    assert!(
        others.iter().all(|&v| v < 8) && others.windows(2).all(|w| w[0] < w[1]),
        "{others:?}"
    );
    // The FW006 finding moved down by the six inserted lines.
    let starts = codes_and_starts(&last);
    assert!(
        starts
            .iter()
            .any(|(c, l, _)| c == "FW006" && *l == main_line + 6),
        "{starts:?}"
    );
    client.stop().unwrap();
}

#[test]
fn code_actions_quick_fixes_and_suppressions() {
    let dir = workspace();
    let u = uri(&dir.path().join("launch.py"));
    let (mut client, _) = Client::start(json!({}), Value::Null);
    client.open(&u, LEGACY);
    client.diagnostics(&u);
    let actions_at = |client: &mut Client, needle: &str| -> Vec<Value> {
        let line = line_of(LEGACY, needle);
        let ch = LEGACY
            .lines()
            .nth(line as usize)
            .unwrap()
            .find(needle)
            .unwrap() as u64;
        let pos = json!({"line": line, "character": ch});
        let id = client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u}, "range": {"start": pos, "end": pos}, "context": {"diagnostics": []}}),
        );
        client.result(id).as_array().unwrap().clone()
    };
    let titles = |actions: &[Value]| -> Vec<String> {
        actions
            .iter()
            .map(|a| a["title"].as_str().unwrap().to_string())
            .collect()
    };

    // A safe fix: the preferred quick fix, and it does what it says.
    let actions = actions_at(&mut client, "infra=InfraConfig(");
    let fix = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("fwmigrate (FW002)")
        })
        .unwrap_or_else(|| panic!("{:?}", titles(&actions)));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"][0]["code"], "FW002");
    let fixed = apply_edits(LEGACY, &edits_for(&fix["edit"], &u));
    assert!(fixed.contains("        trainer=InfraConfig(\n"), "{fixed}");
    // The suppression: a comment at the end of the line.
    let disable = actions
        .iter()
        .find(|a| a["title"] == "fwmigrate: Disable FW002 for this line")
        .unwrap_or_else(|| panic!("{:?}", titles(&actions)));
    assert_eq!(disable["isPreferred"], false);
    let suppressed = apply_edits(LEGACY, &edits_for(&disable["edit"], &u));
    assert!(
        suppressed.contains("        infra=InfraConfig(  # fwmigrate: ignore[FW002]\n"),
        "{suppressed}"
    );
    // ... which suppresses the finding, and a second code joins the same comment.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"text": suppressed}]}),
    );
    let d = client.diagnostics_at(&u, 2);
    assert!(!codes(&d).contains(&"FW002".to_string()));
    let line = line_of(&suppressed, "infra=InfraConfig(");
    let pos = json!({"line": line, "character": 15});
    let id = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": {"start": pos, "end": pos}, "context": {"diagnostics": [], "only": ["quickfix"]}}),
    );
    let actions = client.result(id).as_array().unwrap().clone();
    let disable = actions
        .iter()
        .find(|a| a["title"] == "fwmigrate: Disable FW001 for this line")
        .unwrap_or_else(|| panic!("{:?}", titles(&actions)));
    let merged = apply_edits(&suppressed, &edits_for(&disable["edit"], &u));
    assert!(
        merged.contains("        infra=InfraConfig(  # fwmigrate: ignore[FW002, FW001]\n"),
        "{merged}"
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 3}, "contentChanges": [{"text": LEGACY}]}),
    );
    client.diagnostics_at(&u, 3);

    // An unsafe fix: offered, labelled, never preferred.
    let actions = actions_at(&mut client, "setup_infra(\n".trim_end());
    let unsafe_fix = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("fwmigrate (FW101)")
        })
        .unwrap_or_else(|| panic!("{:?}", titles(&actions)));
    assert!(unsafe_fix["title"].as_str().unwrap().ends_with("(unsafe)"));
    assert_eq!(unsafe_fix["isPreferred"], false);

    // A display-only suggestion: no fix action, only the suppression.
    let actions = actions_at(&mut client, "ResourceCleanup(rlor_mgr");
    let t = titles(&actions);
    assert!(
        !t.iter().any(|t| t.starts_with("fwmigrate (FW102)")),
        "{t:?}"
    );
    assert!(
        t.contains(&"fwmigrate: Disable FW102 for this line".to_string()),
        "{t:?}"
    );
    client.stop().unwrap();
}

fn fix_all_request(client: &mut Client, u: &str) -> Value {
    let pos = json!({"line": 0, "character": 0});
    let id = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": {"start": pos, "end": pos},
               "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let actions = client.result(id);
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.fwmigrate");
    actions[0].clone()
}

#[test]
fn fix_all_applies_every_safe_fix() {
    let dir = workspace();
    let path = dir.path().join("launch.py");
    let u = uri(&path);
    let expected = fwmigrate_server::adapter::fix_all(&path, LEGACY, &settings_for(&path))
        .unwrap()
        .expect("the fixture has safe fixes");
    assert!(!expected.contains("weight_sync=") && expected.contains("trainer=TrainerConfig("));
    assert!(
        expected.contains("setup_infra("),
        "the unsafe FW101 fix is not applied"
    );

    // A client without `codeAction/resolve`: the edit comes with the action.
    let (mut client, _) = Client::start(json!({}), Value::Null);
    client.open(&u, LEGACY);
    let action = fix_all_request(&mut client, &u);
    let edits = edits_for(&action["edit"], &u);
    assert!(
        edits.len() > 1,
        "line edits, not one replacement: {edits:?}"
    );
    assert_eq!(apply_edits(LEGACY, &edits), expected);
    client.stop().unwrap();

    // With `resolve` and versioned edits: the edit comes from `codeAction/resolve`.
    let caps = json!({
        "workspace": {"workspaceEdit": {"documentChanges": true}},
        "textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}}},
    });
    let (mut client, _) = Client::start(caps, Value::Null);
    client.open(&u, LEGACY);
    let action = fix_all_request(&mut client, &u);
    assert!(action.get("edit").is_none(), "{action}");
    let id = client.request("codeAction/resolve", action);
    let resolved = client.result(id);
    let change = &resolved["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], 1);
    assert_eq!(
        apply_edits(LEGACY, &edits_for(&resolved["edit"], &u)),
        expected
    );
    client.stop().unwrap();
}

#[test]
fn the_apply_autofix_command_sends_the_edit() {
    let dir = workspace();
    let path = dir.path().join("launch.py");
    let u = uri(&path);
    let (mut client, _) = Client::start(json!({"workspace": {"applyEdit": true}}), Value::Null);
    client.open(&u, LEGACY);
    let id = client.request(
        "workspace/executeCommand",
        json!({"command": "fwmigrate.applyAutofix", "arguments": [{"uri": u, "version": 1}]}),
    );
    let apply = client.wait_for("workspace/applyEdit", |m| {
        m["method"] == "workspace/applyEdit"
    });
    let expected = fwmigrate_server::adapter::fix_all(&path, LEGACY, &settings_for(&path))
        .unwrap()
        .unwrap();
    assert_eq!(
        apply_edits(LEGACY, &edits_for(&apply["params"]["edit"], &u)),
        expected
    );
    client.send(json!({"jsonrpc": "2.0", "id": apply["id"], "result": {"applied": true}}));
    assert_eq!(client.result(id), Value::Null);
    // An unknown command is an error, not a crash.
    let id = client.request(
        "workspace/executeCommand",
        json!({"command": "fwmigrate.nope"}),
    );
    assert_eq!(client.response(id)["error"]["code"], -32602);
    client.stop().unwrap();
}

#[test]
fn a_cancelled_request_answers_request_cancelled() {
    let dir = workspace();
    let u = uri(&dir.path().join("big.py"));
    // Large enough that fixing it takes a while (long after the cancellation arrives).
    let big = LEGACY.repeat(10);
    let (mut client, _) = Client::start(json!({}), Value::Null);
    client.open(&u, &big);
    let pos = json!({"line": 0, "character": 0});
    let id = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": {"start": pos, "end": pos},
               "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    client.notify("$/cancelRequest", json!({"id": id}));
    let r = client.response(id);
    assert_eq!(r["error"]["code"], -32800, "{r}");
    // Cancelling something unknown is harmless.
    client.notify("$/cancelRequest", json!({"id": 999}));
    client.stop().unwrap();
}

#[test]
fn shutdown_then_exit_is_a_clean_stop_and_exit_alone_is_not() {
    let (client, _) = Client::start(json!({}), Value::Null);
    assert_eq!(client.stop(), Ok(()));

    let (mut client, _) = Client::start(json!({}), Value::Null);
    client.notify("exit", Value::Null);
    assert!(client.join().is_err());

    // Requests after shutdown are refused; the input ending stops the server too.
    let (mut client, _) = Client::start(json!({}), Value::Null);
    let id = client.request("shutdown", Value::Null);
    client.result(id);
    let id = client.request("textDocument/codeAction", json!({}));
    assert_eq!(client.response(id)["error"]["code"], -32600);
    client.close_input();
    assert_eq!(client.join(), Ok(()));
}

#[test]
fn requests_before_initialize_are_refused() {
    let mut client = Client::spawn();
    let id = client.request("textDocument/codeAction", json!({}));
    assert_eq!(client.response(id)["error"]["code"], -32002);
    client.initialize(json!({}), Value::Null);
    client.stop().unwrap();
}

#[test]
fn the_server_survives_malformed_messages() {
    let dir = workspace();
    let u = uri(&dir.path().join("launch.py"));
    let (mut client, _) = Client::start(json!({}), Value::Null);
    // Not JSON: a parse error without an id.
    client.send_raw(b"Content-Length: 9\r\n\r\n{\"id\": 1,");
    let r = client.wait_for("parse error", |m| m["error"]["code"] == -32700);
    assert_eq!(r["id"], Value::Null);
    // JSON, but no message: answered under its id.
    client.send(json!({"jsonrpc": "2.0", "id": 77, "method": 5}));
    assert_eq!(client.response(77)["error"]["code"], -32600);
    // A header without a length, then a good message.
    client.send_raw(b"Content-Type: nothing\r\n\r\n");
    // Parameters of the wrong shape.
    let id = client.request("textDocument/codeAction", json!({"textDocument": 3}));
    let r = client.response(id);
    assert_eq!(r["error"]["code"], -32602, "{r}");
    client.notify("textDocument/didOpen", json!({"textDocument": "nonsense"}));
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 9}, "contentChanges": []}),
    );
    // Still serving.
    client.open(&u, LEGACY);
    assert!(!codes(&client.diagnostics(&u)).is_empty());
    client.stop().unwrap();
}

#[test]
fn unknown_methods_are_answered_and_unknown_notifications_ignored() {
    let (mut client, _) = Client::start(json!({}), Value::Null);
    let id = client.request("textDocument/hover", json!({}));
    assert_eq!(client.response(id)["error"]["code"], -32601);
    client.notify("$/setTrace", json!({"value": "off"}));
    client.notify("fwmigrate/somethingNew", json!({}));
    let id = client.request("initialize", json!({"capabilities": {}}));
    assert_eq!(client.response(id)["error"]["code"], -32600);
    client.stop().unwrap();
}

#[test]
fn a_syntax_error_gets_fw000_and_the_server_goes_on() {
    let dir = workspace();
    let u = uri(&dir.path().join("broken.py"));
    let (mut client, _) = Client::start(json!({}), Value::Null);
    let broken = "from training.utils import InfraConfig\n\ncfg = InfraConfig(\n";
    client.open(&u, broken);
    let params = client.diagnostics(&u);
    assert_eq!(codes(&params), ["FW000"]);
    assert!(
        params["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("syntax error")
    );
    // Fixed by the next edit.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 0}}, "text": ")\n"}]}),
    );
    assert_eq!(codes(&client.diagnostics_at(&u, 2)), ["FW001"]);
    // Closing clears them.
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    assert_eq!(client.diagnostics(&u)["diagnostics"], json!([]));
    client.stop().unwrap();
}

#[test]
fn configuration_files_and_editor_settings_apply_as_on_the_command_line() {
    let dir = workspace();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.fwmigrate]\nselect = [\"FW0\"]\n",
    )
    .unwrap();
    let u = uri(&dir.path().join("launch.py"));
    let (mut client, _) = Client::start(
        json!({}),
        json!({"ignore": ["FW006"], "sdkVersion": "1.2.9"}),
    );
    client.open(&u, LEGACY);
    let got = codes(&client.diagnostics(&u));
    // The file's selection, less what the editor ignores (as `--ignore FW006` would).
    assert_eq!(got, ["FW001", "FW004", "FW002", "FW001", "FW003"]);

    // New settings re-lint the open documents; a bad value is reported and left out.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"fwmigrate": {"ignore": ["FW001"], "target": "2031.01"}}}),
    );
    let msg = client.wait_for("window/showMessage", |m| {
        m["method"] == "window/showMessage"
    });
    assert!(
        msg["params"]["message"]
            .as_str()
            .unwrap()
            .contains("2031.01"),
        "{msg}"
    );
    let got = codes(&client.diagnostics(&u));
    assert_eq!(got, ["FW004", "FW002", "FW003", "FW006", "FW006"]);

    // A broken configuration file: no diagnostics, and the user is told.
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.fwmigrate]\nignor = 3\n",
    )
    .unwrap();
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": []}));
    let msg = client.wait_for("window/showMessage", |m| {
        m["method"] == "window/showMessage"
    });
    assert!(
        msg["params"]["message"].as_str().unwrap().contains("ignor"),
        "{msg}"
    );
    assert_eq!(client.diagnostics(&u)["diagnostics"], json!([]));

    // An excluded file is not checked, as with ruff's server.
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.fwmigrate]\nextend-exclude = [\"launch.py\"]\n",
    )
    .unwrap();
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": []}));
    assert_eq!(client.diagnostics(&u)["diagnostics"], json!([]));
    client.stop().unwrap();
}

#[test]
fn saving_rechecks_and_a_saved_configuration_rechecks_every_document() {
    let dir = workspace();
    let a = uri(&dir.path().join("a.py"));
    let b = uri(&dir.path().join("b.py"));
    let (mut client, _) = Client::start(
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
        Value::Null,
    );
    // A client that can watch files is asked to watch the configuration files.
    let register = client.wait_for("client/registerCapability", |m| {
        m["method"] == "client/registerCapability"
    });
    let watchers = &register["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert_eq!(
        watchers[0]["globPattern"], "**/pyproject.toml",
        "{register}"
    );
    client.send(json!({"jsonrpc": "2.0", "id": register["id"], "result": null}));

    client.open(&a, LEGACY);
    client.open(&b, LEGACY);
    assert!(codes(&client.diagnostics(&a)).contains(&"FW002".to_string()));
    assert!(codes(&client.diagnostics(&b)).contains(&"FW002".to_string()));
    client.notify("textDocument/didSave", json!({"textDocument": {"uri": a}}));
    let again = client.diagnostics(&a);
    assert_eq!(again["version"], 1);

    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.fwmigrate]\nignore = [\"FW002\"]\n",
    )
    .unwrap();
    let config = uri(&dir.path().join("pyproject.toml"));
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": config}}),
    );
    assert!(!codes(&client.diagnostics(&a)).contains(&"FW002".to_string()));
    assert!(!codes(&client.diagnostics(&b)).contains(&"FW002".to_string()));
    client.stop().unwrap();
}

/// `ttl_seconds=` on `save_state` raises from fireworks-ai 1.2.25 (FW605).
const TTL: &str = r#"from fireworks.training.sdk import FiretitanServiceClient

service = FiretitanServiceClient.from_firetitan_config(api_key="k", base_model="m")
client = service.create_training_client("m", lora_rank=16)
client.save_state("step-11", ttl_seconds=3600)
"#;

#[test]
fn each_workspace_folders_pin_sets_its_default_sdk_version() {
    let (pinned, plain) = (workspace(), workspace());
    let requirements = pinned.path().join("requirements.txt");
    std::fs::write(&requirements, "fireworks-ai==1.2.9\n").unwrap();
    let mut client = Client::spawn();
    let folders = json!([
        {"uri": uri(plain.path()), "name": "plain"},
        {"uri": uri(pinned.path()), "name": "pinned"},
    ]);
    let id = client.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "workspaceFolders": folders, "capabilities": {}}),
    );
    client.result(id);
    client.notify("initialized", json!({}));

    // The pinned folder's documents are checked at fireworks-ai 1.2.9, the other's at the
    // newest known release.
    let a = uri(&pinned.path().join("train.py"));
    let b = uri(&plain.path().join("train.py"));
    client.open(&a, TTL);
    assert!(!codes(&client.diagnostics(&a)).contains(&"FW605".to_string()));
    client.open(&b, TTL);
    assert!(codes(&client.diagnostics(&b)).contains(&"FW605".to_string()));

    // Saving a new pin rechecks.
    std::fs::write(&requirements, "fireworks-ai==1.2.25\n").unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&requirements)}}),
    );
    let again = client.diagnostics(&a);
    let ttl = again["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "FW605")
        .unwrap_or_else(|| panic!("{again}"));
    assert!(
        ttl["message"]
            .as_str()
            .unwrap()
            .contains("at fireworks-ai 1.2.25"),
        "{ttl}"
    );
    client.stop().unwrap();
}
