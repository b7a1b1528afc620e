//! Rule family `checkpoints`: promoting checkpoints to models. Each rule is documented in
//! `docs/rules/` (generated from its `RuleMeta`); what all rules share is in `docs/behaviour.md`.

use fwmigrate_rule::Rule;

pub mod fw401;
pub mod fw402;
pub mod sanitize;

/// Every rule of this family, in code order.
pub static RULES: &[&'static dyn Rule] = &[&fw401::InvalidOutputModelId, &fw402::PromotePositional];
