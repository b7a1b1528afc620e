//! Recognising calls of the Fireworks cookbook and SDK: a callee counts only when it resolves
//! through the file's imports, so a local look-alike never does.

use crate::api::sdk;
use crate::semantic::CookbookSymbol;
use crate::{Context, ast};

/// Whether a call's callee resolves to the cookbook utils symbol `name` (`setup_infra`,
/// `InfraConfig`, ...).
pub fn calls_utils(ctx: &Context, call: &ast::ExprCall, name: &str) -> bool {
    ctx.semantic
        .resolve_call(call)
        .is_some_and(|s| s.is_utils(name))
}

/// `expr` as a call of the cookbook utils symbol `name`, if it is one.
pub fn as_utils_call<'a>(
    ctx: &Context,
    expr: &'a ast::Expr,
    name: &str,
) -> Option<&'a ast::ExprCall> {
    match expr {
        ast::Expr::Call(call) if calls_utils(ctx, call, name) => Some(call),
        _ => None,
    }
}

/// The cookbook utils symbol a call's callee resolves to, if any.
pub fn utils_callee(ctx: &Context, call: &ast::ExprCall) -> Option<String> {
    match ctx.semantic.resolve_call(call)? {
        CookbookSymbol::Utils(name) => Some(name),
        _ => None,
    }
}

/// Whether a call constructs the cookbook's `DeployConfig`.
pub fn is_deploy_config(ctx: &Context, call: &ast::ExprCall) -> bool {
    calls_utils(ctx, call, "DeployConfig")
}

/// Whether `expr` is an instance of a cookbook or SDK class: its type is known from the API
/// tables, at the target or in the legacy cookbook the code was written against (see
/// `fwmigrate_semantic::types`). A receiver of the user's own class, or of unknown type, is not.
pub fn has_tabled_type(ctx: &Context, expr: &ast::Expr) -> bool {
    let types = ctx.types();
    [sdk::view(ctx.target, ctx.sdk_version), sdk::legacy_view()]
        .iter()
        .any(|view| types.class_of(expr, ctx.semantic, view).is_some())
}

/// A call of `promote_checkpoint`: `<x>.promote_checkpoint(...)` on a receiver whose type the
/// tables know (a cookbook or SDK object), or a bare name that resolves to the cookbook or the SDK.
pub fn is_promote_checkpoint(ctx: &Context, call: &ast::ExprCall) -> bool {
    match call.func.as_ref() {
        ast::Expr::Attribute(attr) => {
            attr.attr.id.as_str() == "promote_checkpoint"
                && ctx.semantic.imports_fireworks()
                && has_tabled_type(ctx, &attr.value)
        }
        ast::Expr::Name(_) => matches!(
            ctx.semantic.resolve_call(call),
            Some(CookbookSymbol::Utils(n) | CookbookSymbol::Sdk(n)) if n == "promote_checkpoint"
        ),
        _ => false,
    }
}
