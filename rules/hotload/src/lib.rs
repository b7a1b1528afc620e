//! Rule family `hotload`. See `../shared/spec/RULES.md`.

use fwmigrate_rule::Rule;

/// Every rule of this family, in code order.
pub static RULES: &[&'static dyn Rule] = &[];
