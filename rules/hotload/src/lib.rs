//! Rule family `hotload`: weight-sync (hot-load) bucket settings that conflict with each other
//! or that the SDK-managed path ignores. Each rule is documented in `docs/rules/` (generated from
//! its `RuleMeta`); what all rules share is in `docs/behaviour.md`.

use fwmigrate_rule::Rule;

mod common;
pub mod fw301;
pub mod fw302;
pub mod fw303;

/// Every rule of this family, in code order.
pub static RULES: &[&'static dyn Rule] = &[
    &fw301::HotloadScopeMixup,
    &fw302::HotloadBucketConflict,
    &fw303::PerDeploymentScope,
];
