//! Helpers shared by the `hotload` rules: the weight-sync scope a `DeployConfig(...)` runs with.

use fwmigrate_rule::ast::{self, Expr};
use fwmigrate_rule::walk::keyword;

/// The weight-sync scope a `DeployConfig(...)` call runs with, as far as the source tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `weight_sync_scope` not passed: the default, PER_TRAINER.
    DefaultPerTrainer,
    PerTrainer,
    PerDeployment,
    /// A variable, `**kwargs`, or anything else.
    Unknown,
}

/// The scope member an expression names: `WeightSyncScope.PER_TRAINER`,
/// `utils.WeightSyncScope.PER_DEPLOYMENT`, or the enum's string values.
pub fn scope_member(expr: &Expr) -> Option<Scope> {
    match expr {
        Expr::Attribute(attr) => match attr.attr.id.as_str() {
            "PER_TRAINER" => Some(Scope::PerTrainer),
            "PER_DEPLOYMENT" => Some(Scope::PerDeployment),
            _ => None,
        },
        Expr::StringLiteral(s) => match s.value.to_str() {
            "per_trainer" => Some(Scope::PerTrainer),
            "per_deployment" => Some(Scope::PerDeployment),
            _ => None,
        },
        _ => None,
    }
}

/// The scope of a `DeployConfig(...)` call. `weight_sync_scope` is the first field of
/// `DeployConfig` in every release, so a first positional argument is read as the scope.
pub fn deploy_scope(call: &ast::ExprCall) -> Scope {
    if let Some(kw) = keyword(call, "weight_sync_scope") {
        return scope_member(&kw.value).unwrap_or(Scope::Unknown);
    }
    if let Some(first) = call.arguments.args.first() {
        return scope_member(first).unwrap_or(Scope::Unknown);
    }
    if call.arguments.keywords.iter().any(|k| k.arg.is_none()) {
        return Scope::Unknown;
    }
    Scope::DefaultPerTrainer
}
