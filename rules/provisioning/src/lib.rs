//! Rule family `provisioning`: `setup_infra` and `ResourceCleanup` removal.

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
