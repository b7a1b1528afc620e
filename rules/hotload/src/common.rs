//! Helpers shared by the `hotload` rules.

use fwmigrate_rule::ast::{self, Expr};
use fwmigrate_rule::parser::CookbookSymbol;
use fwmigrate_rule::walk::keyword;
use fwmigrate_rule::{Context, Ranged, TextRange};

/// Whether a call constructs the cookbook's `DeployConfig` (the callee must resolve:
/// `docs/behaviour.md`, "Name resolution").
pub fn is_deploy_config(ctx: &Context, call: &ast::ExprCall) -> bool {
    ctx.semantic
        .resolve_call(call)
        .is_some_and(|s| s.is_utils("DeployConfig"))
}

/// A call of `promote_checkpoint`: any `<x>.promote_checkpoint(...)` (the SDK's client and
/// managers), or a bare name that resolves to the cookbook / SDK.
pub fn is_promote_checkpoint(ctx: &Context, call: &ast::ExprCall) -> bool {
    match call.func.as_ref() {
        Expr::Attribute(attr) => attr.attr.id.as_str() == "promote_checkpoint",
        Expr::Name(_) => matches!(
            ctx.semantic.resolve_call(call),
            Some(CookbookSymbol::Utils(n) | CookbookSymbol::Sdk(n)) if n == "promote_checkpoint"
        ),
        _ => false,
    }
}

/// The callee as written, for messages.
pub fn callee_text<'a>(ctx: &Context<'a>, call: &ast::ExprCall) -> &'a str {
    ctx.slice(call.func.range())
}

/// A short, single-line rendering of a piece of source for messages.
pub fn snippet(ctx: &Context, range: TextRange) -> String {
    let collapsed: String = ctx
        .slice(range)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if collapsed.chars().count() > 60 {
        let cut: String = collapsed.chars().take(57).collect();
        format!("{cut}...")
    } else {
        collapsed
    }
}

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
