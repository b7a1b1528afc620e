//! The semantic layer of fwmigrate: what the names of a parsed file stand for.
//!
//! Built on the syntax of [`fwmigrate_parser`] and on the API tables of [`fwmigrate_api`] (as
//! `ruff_python_semantic` is built on `ruff_python_ast`):
//!
//! - [`Semantic`]: which local names are bound to the Fireworks cookbook or SDK
//!   (`docs/behaviour.md`, "Name resolution"), as [`Binding`]s and [`CookbookSymbol`]s, for the
//!   cookbook roots of [`SemanticSettings`];
//! - [`types`]: which tabled class a receiver is an instance of;
//! - the edits that follow from bindings: [`imports`] to add, rename or remove imports, and
//!   [`names`] to find where a name is used and pick fresh local names for generated code.

pub mod imports;
mod model;
pub mod names;
pub mod types;

pub use model::{Binding, CookbookSymbol, Semantic, SemanticSettings};
