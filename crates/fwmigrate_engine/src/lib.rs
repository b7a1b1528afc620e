//! The fwmigrate engine: lints one document at a time (a Python file, a notebook, a dependency
//! manifest, stdin or an editor's buffer) with the selected rules, applies fixes pass by pass
//! until nothing changes, and guarantees that a result is well formed (or the document is left
//! alone).
//!
//! Modules depend on each other one way only, from the entry point down:
//! `linter` → the adapters (`python`, `notebook`, `manifest`) → `fix` (the one fix loop) →
//! `suppression`, `diagnostic`, `ruleset` → `builtin`.

mod builtin;
mod diagnostic;
mod fix;
mod linter;
mod manifest;
mod notebook;
mod panic;
mod prefilter;
mod python;
mod ruleset;
mod selection;
pub mod suppression;
mod text;
mod yaml;

pub use builtin::{BUILTIN_RULES, FW000, FW900, FW999};
pub use diagnostic::{Diagnostic, FileOutcome, Locator, NotebookCells, SkipReason};
pub use fix::{MAX_PASSES, Mode};
pub use linter::{Document, Linter, SourceType};
pub use panic::{catch_panic, panic_diagnostic, panic_finding, panic_message, split_bom};
pub use prefilter::Prefilter;
pub use ruleset::LinterSettings;
pub use selection::{RuleSelector, SelectionError, select_rules};
