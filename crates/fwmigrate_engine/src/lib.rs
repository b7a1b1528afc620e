//! The fwmigrate engine: runs the selected rules over one file, applies fixes pass by pass until
//! nothing changes, and guarantees that a result parses (or the file is left alone).

mod builtin;
mod linter;
mod prefilter;
mod selection;
mod suppression;

pub use builtin::{BUILTIN_RULES, FW000, FW900, FW999};
pub use linter::{Diagnostic, FileOutcome, Linter, LinterSettings, MAX_PASSES, Mode, SkipReason};
pub use prefilter::Prefilter;
pub use selection::{RuleSelector, SelectionError, select_rules};
