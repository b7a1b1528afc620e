//! `initialize`: what the client says it supports, its workspace folders, and what the server
//! announces in return.

use std::path::PathBuf;

use lsp_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    ExecuteCommandOptions, InitializeResult, PositionEncodingKind, SaveOptions, ServerCapabilities,
    ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Url,
};
use serde_json::Value;

use crate::actions::{APPLY_AUTOFIX, EditSupport, FIX_ALL_KIND};
use crate::document::Encoding;

/// What the client said it supports.
#[derive(Debug, Clone, Copy)]
pub struct ClientSupport {
    pub encoding: Encoding,
    pub edits: EditSupport,
    /// Code actions can be resolved for their `edit` (the fix-all edit is computed then).
    pub resolve_edit: bool,
    /// `workspace/applyEdit`, which the `fwmigrate.applyAutofix` command needs.
    pub apply_edit: bool,
    /// File watchers can be registered (for the configuration files).
    pub watch_files: bool,
}

impl ClientSupport {
    /// From the `initialize` params. Capabilities that do not read as lsp-types'
    /// `ClientCapabilities` count as none (the test below pins this down).
    pub fn from_params(params: &Value) -> Self {
        let caps: ClientCapabilities = params
            .get("capabilities")
            .cloned()
            .and_then(|c| serde_json::from_value(c).ok())
            .unwrap_or_default();
        Self::new(&caps)
    }

    pub fn new(caps: &ClientCapabilities) -> Self {
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

/// The workspace folders of the `initialize` params (`workspaceFolders`, else `rootUri`, else
/// the current folder); never empty.
pub fn workspace_folders(params: &Value) -> Vec<PathBuf> {
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
    folders
}

/// The answer to `initialize`: incremental sync, save notifications without the text, quick
/// fixes and the fix-all source action (resolvable), and the apply-autofix command.
pub fn initialize_result(support: &ClientSupport) -> InitializeResult {
    InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(support.encoding_kind()),
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
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::new(FIX_ALL_KIND),
                ]),
                work_done_progress_options: Default::default(),
                resolve_provider: Some(true),
            })),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn support(capabilities: Value) -> ClientSupport {
        ClientSupport::from_params(&json!({ "capabilities": capabilities }))
    }

    fn encodings(offered: &[&str]) -> Encoding {
        support(json!({ "general": { "positionEncodings": offered } })).encoding
    }

    #[test]
    fn utf8_when_offered_else_utf16_else_utf32() {
        assert_eq!(encodings(&[]), Encoding::Utf16);
        assert_eq!(encodings(&["utf-16", "utf-8"]), Encoding::Utf8);
        assert_eq!(encodings(&["utf-32", "utf-16"]), Encoding::Utf16);
        assert_eq!(encodings(&["utf-32"]), Encoding::Utf32);
        assert_eq!(encodings(&["ebcdic"]), Encoding::Utf16);
        assert_eq!(support(json!({})).encoding, Encoding::Utf16);
    }

    #[test]
    fn a_bare_client_supports_nothing_optional() {
        let s = ClientSupport::from_params(&json!({}));
        assert!(!s.edits.document_changes);
        assert!(!s.resolve_edit && !s.apply_edit && !s.watch_files);
        // A capability of the wrong shape loses the others too, but never the server.
        let odd = support(json!({ "workspace": { "applyEdit": "yes" } }));
        assert!(!odd.apply_edit);
    }

    #[test]
    fn edits_resolving_applying_and_watching_are_read() {
        let s = support(json!({
            "workspace": {
                "applyEdit": true,
                "workspaceEdit": { "documentChanges": true },
                "didChangeWatchedFiles": { "dynamicRegistration": true },
            },
            "textDocument": { "codeAction": { "resolveSupport": { "properties": ["edit"] } } },
        }));
        assert!(s.edits.document_changes && s.resolve_edit && s.apply_edit && s.watch_files);
        let other = support(json!({
            "textDocument": { "codeAction": { "resolveSupport": { "properties": ["command"] } } },
        }));
        assert!(!other.resolve_edit);
    }

    #[test]
    fn folders_come_from_workspace_folders_then_the_root() {
        let root = std::env::temp_dir();
        let a = root.join("a");
        let b = root.join("b");
        let uri = |p: &PathBuf| Url::from_file_path(p).unwrap().to_string();
        let params = json!({
            "rootUri": uri(&root),
            "workspaceFolders": [
                { "uri": uri(&a), "name": "a" },
                { "uri": "untitled:x", "name": "not a file" },
                { "uri": uri(&b), "name": "b" },
            ],
        });
        assert_eq!(workspace_folders(&params), [a, b]);
        let params = json!({ "rootUri": uri(&root), "workspaceFolders": null });
        assert_eq!(workspace_folders(&params), [root]);
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(workspace_folders(&json!({ "rootUri": null })), [cwd]);
    }

    #[test]
    fn the_server_announces_incremental_sync_the_actions_and_the_command() {
        let s = support(json!({ "general": { "positionEncodings": ["utf-8"] } }));
        let result = serde_json::to_value(initialize_result(&s)).unwrap();
        let caps = &result["capabilities"];
        assert_eq!(caps["positionEncoding"], "utf-8");
        assert_eq!(caps["textDocumentSync"]["change"], 2);
        assert_eq!(caps["textDocumentSync"]["openClose"], true);
        assert_eq!(caps["textDocumentSync"]["save"]["includeText"], false);
        assert_eq!(
            caps["codeActionProvider"]["codeActionKinds"],
            json!(["quickfix", FIX_ALL_KIND])
        );
        assert_eq!(caps["codeActionProvider"]["resolveProvider"], true);
        assert_eq!(
            caps["executeCommandProvider"]["commands"],
            json!([APPLY_AUTOFIX])
        );
        assert_eq!(result["serverInfo"]["name"], "fwmigrate");
        let utf16 = initialize_result(&support(json!({})));
        assert_eq!(
            utf16.capabilities.position_encoding,
            Some(PositionEncodingKind::UTF16)
        );
    }
}
