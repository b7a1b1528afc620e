//! Rule family `sdk`. See `../shared/spec/RULES.md`.

use fwmigrate_rule::TextRule;

/// Every rule of this family, in code order.
pub static TEXT_RULES: &[&'static dyn TextRule] = &[];
