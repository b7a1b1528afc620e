//! Rule family `conformance`: everything the target rejects.
//!
//! The other families port constructs someone listed; these rules check every resolved cookbook
//! or SDK import, attribute and call against API tables generated from the real source of the
//! target release and the selected SDK release (`fwmigrate_api::tables`), so that nothing the
//! target rejects goes unreported. See `docs/` for each rule.

use fwmigrate_rule::{Rule, TextRule};

pub mod bind;
pub mod common;
pub mod fw601;
pub mod fw602;
pub mod fw603;
pub mod fw604;
pub mod fw605;
pub mod fw606;
pub mod fw607;

/// Every rule of this family, in code order.
pub static RULES: &[&'static dyn Rule] = &[
    &fw601::MissingName,
    &fw602::MissingAttribute,
    &fw603::ArgumentsDoNotBind,
    &fw604::SdkDeprecated,
    &fw605::SdkBehaviourChange,
];

/// The rules over provisioning YAML files, in code order.
pub static TEXT_RULES: &[&'static dyn TextRule] = &[&fw606::RULE, &fw607::RULE];
