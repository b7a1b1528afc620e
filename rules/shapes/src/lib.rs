//! Rule family `shapes`: manual infrastructure fields that training and deployment shapes now
//! own. Each rule is documented in `docs/rules/` (generated from its `RuleMeta`); what all rules
//! share is in `docs/behaviour.md`.

use fwmigrate_rule::{Rule, TextRule};

mod common;
pub mod fw201;
pub mod fw202;
pub mod fw203;
pub mod fw204;
pub mod fw205;
pub mod fw206;
mod trainer_keyword;
pub mod yaml;

/// Every rule of this family, in code order.
pub static RULES: &[&'static dyn Rule] = &[
    &fw201::TrainerAccelerator,
    &fw202::TRAINER_NODE_COUNT,
    &fw203::TRAINER_IMAGE_TAG,
    &fw204::DeploymentManualInfra,
    &fw205::PinnedShapeVersion,
    &fw206::ShortShapeId,
];

/// The same rules over provisioning YAML files, in code order.
pub static YAML_RULES: &[&'static dyn TextRule] = &[
    &yaml::FW201,
    &yaml::FW202,
    &yaml::FW203,
    &yaml::FW204,
    &yaml::FW205,
    &yaml::FW206,
];
