//! The parsing layer of fwmigrate: Python syntax, with no knowledge of the cookbook.
//!
//! Wraps Astral's `ruff_python_parser` / `ruff_python_ast` / `ruff_text_size` (pinned exact
//! versions) and gives rules what they need of a file's syntax:
//!
//! - [`ParsedFile`]: the module AST, its tokens, comment ranges and a line index;
//! - [`Edit`] and the helpers in [`edits`] to delete an argument or a statement cleanly and insert
//!   a keyword in the style of its neighbours;
//! - [`layout`] to move code to another indentation;
//! - [`statements`] to find the statements that enclose a range, and where each statement stands
//!   (its block, index and depth).
//!
//! What names stand for (cookbook and SDK symbols, receiver types) and the import edits built on
//! that are the semantic layer's, in `fwmigrate_semantic`.

pub mod edits;
pub mod layout;
mod parsed;
pub mod source;
pub mod statements;

pub use edits::Edit;
pub use parsed::{ParseFailure, ParsedFile, SourceKind};
pub use source::{LineEnding, LineIndex, SourceLocation};

pub use ruff_python_ast as ast;
pub use ruff_python_ast::token::{Token, TokenKind, Tokens};
pub use ruff_text_size::{Ranged, TextLen, TextRange, TextSize};
