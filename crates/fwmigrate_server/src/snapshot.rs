//! A document at one version, with what linting it needs: what the lint worker and the request
//! threads take away from the message loop, and what they compute from it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;

use lsp_types::{Url, WorkspaceEdit};

use crate::actions::{self, EditSupport, Located};
use crate::adapter::{self, Finding, Overrides};
use crate::document::{Encoding, LineIndex};
use crate::shared::Shared;

#[derive(Clone)]
pub struct Snapshot {
    pub uri: Url,
    pub version: i32,
    pub text: Arc<str>,
    pub index: Arc<LineIndex>,
    /// The file the settings are resolved for (an unsaved Python buffer: one in the workspace).
    pub path: Option<PathBuf>,
    /// The workspace folder the document belongs to: its project folder when no configuration
    /// file governs it.
    pub workspace: PathBuf,
    pub overrides: Overrides,
    pub encoding: Encoding,
}

impl Snapshot {
    pub fn located(&self) -> Located<'_> {
        Located {
            uri: &self.uri,
            version: self.version,
            text: &self.text,
            index: &self.index,
            encoding: self.encoding,
        }
    }

    /// The settings for this document; `None` (after telling the user) when its configuration
    /// is broken, or when it is no file fwmigrate checks.
    pub fn settings(&self, shared: &Shared) -> Option<adapter::DocumentSettings> {
        let path = self.path.as_ref()?;
        match adapter::settings_for(path, &self.overrides, &self.workspace, &shared.resolvers) {
            Ok(s) => s.is_checked().then_some(s),
            Err(e) => {
                shared.show_error(e);
                None
            }
        }
    }

    pub fn findings(&self, shared: &Shared) -> Vec<Finding> {
        match (&self.path, self.settings(shared)) {
            (Some(path), Some(settings)) => adapter::check(path, &self.text, &settings),
            _ => Vec::new(),
        }
    }

    /// The lint worker's job: lint the document and publish its diagnostics, if it is still
    /// at this version. A panic becomes an FW999 diagnostic.
    pub fn lint(self, shared: &Shared) {
        if !shared.is_current(&self.uri, self.version) {
            return;
        }
        let findings = match catch_unwind(AssertUnwindSafe(|| self.findings(shared))) {
            Ok(f) => f,
            Err(panic) => vec![adapter::internal_error(&fwmigrate_engine::panic_message(
                panic.as_ref(),
            ))],
        };
        shared.publish(&self.located(), findings);
    }

    /// The edit of the fix-all action: what `fwmigrate --apply` would write, as line edits.
    pub fn fix_all_edit(
        &self,
        shared: &Shared,
        support: EditSupport,
    ) -> Result<WorkspaceEdit, String> {
        let (Some(path), Some(settings)) = (&self.path, self.settings(shared)) else {
            return Ok(WorkspaceEdit::default());
        };
        let fixed = adapter::fix_all(path, &self.text, &settings)
            .map_err(|what| format!("FW999: internal error while fixing this file ({what})"))?;
        let Some(fixed) = fixed else {
            return Ok(WorkspaceEdit::default());
        };
        let edits = actions::diff_edits(&self.text, &fixed);
        Ok(actions::workspace_edit(&self.located(), &edits, support))
    }
}
