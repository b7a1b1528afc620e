//! Findings as LSP diagnostics, and the code actions built from them.

use std::collections::HashMap;
use std::ops::Range;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeDescription, Diagnostic,
    DiagnosticSeverity, DiagnosticTag, NumberOrString, OneOf,
    OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, Url, WorkspaceEdit,
};

use fwmigrate_engine::{FW000, FW900, FW999};
use fwmigrate_rule::RuleCode;

use crate::adapter::{self, Finding, FixKind, Severity};
use crate::document::{Encoding, LineIndex};

/// The kind of the fix-all source action.
pub const FIX_ALL_KIND: &str = "source.fixAll.fwmigrate";
/// The command that applies every safe fix to a document.
pub const APPLY_AUTOFIX: &str = "fwmigrate.applyAutofix";

/// The rule's documentation in the repository.
pub fn rule_url(code: RuleCode) -> Option<Url> {
    let repo = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    Url::parse(&format!("{repo}/blob/main/docs/rules/{code}.md")).ok()
}

/// A document's text at one version, with what locating needs.
#[derive(Clone)]
pub struct Located<'a> {
    pub uri: &'a Url,
    pub version: i32,
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub encoding: Encoding,
}

impl Located<'_> {
    fn range(&self, r: Range<usize>) -> lsp_types::Range {
        self.index.range(self.text, r, self.encoding)
    }
}

pub fn diagnostic(f: &Finding, at: &Located) -> Diagnostic {
    let mut message = f.message.clone();
    // A display-only suggestion is part of the message: it is never applied.
    if let Some(fix) = f.fix.as_ref().filter(|x| x.kind == FixKind::DisplayOnly) {
        message.push_str(&format!("\nhelp: {}", fix.title));
        for line in fix.suggestion.iter().flat_map(|s| s.lines()) {
            message.push_str(&format!("\n    {line}"));
        }
        if let Some(reason) = &fix.reason {
            message.push_str(&format!("\nnote: not applied automatically: {reason}"));
        }
    }
    Diagnostic {
        range: at.range(f.range.clone()),
        severity: Some(match f.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(f.code.to_string())),
        code_description: rule_url(f.code).map(|href| CodeDescription { href }),
        source: Some("fwmigrate".to_string()),
        message,
        related_information: None,
        tags: (f.code == FW900.code).then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

/// What the client can take.
#[derive(Debug, Clone, Copy, Default)]
pub struct EditSupport {
    /// `documentChanges` (versioned edits) rather than `changes`.
    pub document_changes: bool,
}

pub fn workspace_edit(
    at: &Located,
    edits: &[adapter::TextEdit],
    support: EditSupport,
) -> WorkspaceEdit {
    let edits: Vec<lsp_types::TextEdit> = edits
        .iter()
        .map(|e| lsp_types::TextEdit::new(at.range(e.range.clone()), e.content.clone()))
        .collect();
    if support.document_changes {
        WorkspaceEdit {
            document_changes: Some(lsp_types::DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: at.uri.clone(),
                    version: Some(at.version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(at.uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }
    }
}

/// Whether an action of `kind` was asked for (`only` absent: every kind).
pub fn wanted(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|k| {
            let k = k.as_str();
            kind == k
                || kind
                    .strip_prefix(k)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

/// Quick fixes for the findings that touch `range` (byte offsets): each finding's fix (a safe
/// one preferred, an unsafe one labelled and never preferred), then a "disable for this line"
/// action per finding.
pub fn quick_fixes(
    findings: &[Finding],
    range: Range<usize>,
    at: &Located,
    support: EditSupport,
    python: bool,
) -> Vec<CodeActionOrCommand> {
    let touching: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.range.start <= range.end && range.start <= f.range.end)
        .collect();
    let mut actions = Vec::new();
    for f in &touching {
        let Some(fix) = &f.fix else { continue };
        let title = match fix.kind {
            FixKind::Safe => format!("fwmigrate ({}): {}", f.code, fix.title),
            FixKind::Unsafe => format!("fwmigrate ({}): {} (unsafe)", f.code, fix.title),
            FixKind::DisplayOnly => continue,
        };
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic(f, at)]),
            edit: Some(workspace_edit(at, &fix.edits, support)),
            command: None,
            is_preferred: Some(fix.kind == FixKind::Safe),
            disabled: None,
            data: None,
        }));
    }
    let mut offered: Vec<(usize, RuleCode)> = Vec::new();
    for f in &touching {
        // Syntax errors and internal errors cannot be suppressed, nor can FW900 (it reports
        // suppression comments themselves).
        if [FW000.code, FW900.code, FW999.code].contains(&f.code) {
            continue;
        }
        let line = at.index.position(at.text, f.range.start, at.encoding).line as usize;
        if offered.contains(&(line, f.code)) {
            continue;
        }
        offered.push((line, f.code));
        let Some(edit) = adapter::suppression_edit(at.text, f.range.start, f.code, python) else {
            continue;
        };
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("fwmigrate: Disable {} for this line", f.code),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic(f, at)]),
            edit: Some(workspace_edit(at, &[edit], support)),
            command: None,
            is_preferred: Some(false),
            disabled: None,
            data: None,
        }));
    }
    actions
}

/// The edits that turn `old` into `new`, one per changed run of lines (so the cursor and the
/// untouched lines stay where they are).
pub fn diff_edits(old: &str, new: &str) -> Vec<adapter::TextEdit> {
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .timeout(std::time::Duration::from_secs(1))
        .diff_lines(old, new);
    let offsets = |slices: &[&str]| -> Vec<usize> {
        let mut out = Vec::with_capacity(slices.len() + 1);
        let mut at = 0;
        out.push(0);
        for s in slices {
            at += s.len();
            out.push(at);
        }
        out
    };
    let old_at = offsets(diff.old_slices());
    let new_at = offsets(diff.new_slices());
    let mut edits: Vec<adapter::TextEdit> = Vec::new();
    for op in diff.ops() {
        if op.tag() == similar::DiffTag::Equal {
            continue;
        }
        let (o, n) = (op.old_range(), op.new_range());
        let range = old_at[o.start]..old_at[o.end];
        let content = &new[new_at[n.start]..new_at[n.end]];
        match edits.last_mut() {
            // Adjacent operations (a deletion next to an insertion) make one edit.
            Some(last) if last.range.end == range.start => {
                last.range.end = range.end;
                last.content.push_str(content);
            }
            _ => edits.push(adapter::TextEdit {
                range,
                content: content.to_string(),
            }),
        }
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edits: &[adapter::TextEdit]) -> String {
        let mut out = text.to_string();
        for e in edits.iter().rev() {
            out.replace_range(e.range.clone(), &e.content);
        }
        out
    }

    #[test]
    fn diff_edits_rebuild_the_new_text() {
        let cases = [
            ("a\nb\nc\n", "a\nB\nc\n"),
            ("a\nb\nc\n", "x\na\nc\nd"),
            ("a\r\nb\r\n", "a\r\n"),
            ("", "new\n"),
            ("same\n", "same\n"),
        ];
        for (old, new) in cases {
            let edits = diff_edits(old, new);
            assert_eq!(apply(old, &edits), new, "{old:?} -> {new:?}: {edits:?}");
        }
        assert!(diff_edits("same\n", "same\n").is_empty());
        let edits = diff_edits("1\n2\n3\n4\n5\n", "1\n2\nthree\n4\n5\n");
        assert_eq!(edits.len(), 1);
        assert_eq!(edits[0].range, 4..6);
    }

    #[test]
    fn kinds_match_by_prefix() {
        let only = [CodeActionKind::SOURCE_FIX_ALL];
        assert!(wanted(Some(&only), FIX_ALL_KIND));
        assert!(!wanted(Some(&only), "quickfix"));
        assert!(wanted(Some(&[CodeActionKind::SOURCE]), FIX_ALL_KIND));
        assert!(!wanted(
            Some(&[CodeActionKind::new("source.fix")]),
            FIX_ALL_KIND
        ));
        assert!(wanted(None, "quickfix"));
    }

    #[test]
    fn rule_links_point_at_the_repository_docs() {
        let url = rule_url(RuleCode::new("FW001")).unwrap();
        assert!(url.as_str().starts_with(env!("CARGO_PKG_REPOSITORY")));
        assert!(url.as_str().ends_with("/docs/rules/FW001.md"));
    }
}
