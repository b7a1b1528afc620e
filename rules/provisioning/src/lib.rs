//! Rule family `provisioning`: `setup_infra` and `ResourceCleanup` removal. Each rule is
//! documented in `docs/rules/` (generated from its `RuleMeta`); what all rules share is in
//! `docs/behaviour.md`.

use fwmigrate_rule::Rule;

pub mod fw101;
pub mod fw102;
pub mod fw103;
pub mod fw104;
mod setup_infra;

/// Every rule of this family, in code order.
pub static RULES: &[&'static dyn Rule] = &[
    &fw101::SetupInfra,
    &fw102::ResourceCleanup,
    &fw103::CreateBaseReference,
    &fw104::RemovedHelper,
];
