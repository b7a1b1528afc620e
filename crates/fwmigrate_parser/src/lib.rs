//! The parsing layer of fwmigrate.
//!
//! Wraps Astral's `ruff_python_parser` / `ruff_python_ast` / `ruff_text_size` (pinned exact
//! versions) and gives rules what they need:
//!
//! - [`ParsedFile`]: the module AST, its tokens, comment ranges and a line index;
//! - [`Semantic`]: which local names are bound to the Fireworks cookbook or SDK
//!   (`docs/behaviour.md`);
//! - [`Edit`] and the helpers in [`edits`] and [`imports`] to delete an argument or a statement
//!   cleanly, insert a keyword in the style of its neighbours, and add, rename or remove imports;
//! - [`layout`] to move code to another indentation, and [`names`] to pick fresh local names for
//!   generated code;
//! - [`statements`] to find the statements that enclose a range, and where each statement stands
//!   (its block, index and depth).

pub mod edits;
pub mod imports;
pub mod layout;
pub mod names;
mod parsed;
mod semantic;
pub mod source;
pub mod statements;
pub mod types;

pub use edits::Edit;
pub use parsed::{ParseFailure, ParsedFile, SourceKind};
pub use semantic::{Binding, CookbookSymbol, Semantic, SemanticSettings};
pub use source::{LineEnding, LineIndex, SourceLocation};

pub use ruff_python_ast as ast;
pub use ruff_python_ast::token::{Token, TokenKind, Tokens};
pub use ruff_text_size::{Ranged, TextLen, TextRange, TextSize};
