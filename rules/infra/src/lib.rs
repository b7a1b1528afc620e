//! Rule family `infra`: porting recipe launches to the SDK-managed cookbook (FW001–FW007).
//! Each rule is documented in `docs/rules/` (generated from its `RuleMeta`); what all rules share
//! is in `docs/behaviour.md`.

mod common;
mod fw001;
mod fw002;
mod fw003;
mod fw004;
mod fw005;
mod fw006;
mod fw007;

use fwmigrate_rule::Rule;

pub use fw001::InfraConfigRule;
pub use fw002::InfraKeyword;
pub use fw003::WeightSyncConfigRule;
pub use fw004::JobIdIntoTrainer;
pub use fw005::RemovedConfigField;
pub use fw006::RecipeMainManagers;
pub use fw007::UnusedManager;

/// Every rule of this family, in code order.
pub static RULES: &[&'static dyn Rule] = &[
    &InfraConfigRule,
    &InfraKeyword,
    &WeightSyncConfigRule,
    &JobIdIntoTrainer,
    &RemovedConfigField,
    &RecipeMainManagers,
    &UnusedManager,
];
