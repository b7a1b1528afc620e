//! The `build_service_client(...)` keywords that replace a `setup_infra(...)` call, in the
//! signature's order, each with its value text and the old keyword it came from.

use fwmigrate_rule::ast::{self, Keyword};
use fwmigrate_rule::walk::{is_true, keyword};
use fwmigrate_rule::{Context, Ranged, Target, TextRange};

use super::call::{flag, given, trainer_with_ids};

/// What the SDK falls back to without a base URL (and what `TrainerJobManager` used by default).
pub const DEFAULT_BASE_URL: &str =
    r#"os.environ.get("FIREWORKS_BASE_URL", "https://api.fireworks.ai")"#;

/// One `build_service_client(...)` keyword: its name and value text.
pub struct ServiceKw {
    pub name: &'static str,
    pub value: String,
    /// The keyword of the old call it came from (its comments travel with it).
    pub origin: Option<TextRange>,
}

/// The `build_service_client(...)` keywords for this call, in the signature's order.
/// `manager`: the `TrainerJobManager(...)` call the `rlor_mgr` comes from, if known; `cleanup`:
/// the old call cleaned up through a `ResourceCleanup` (the service keeps doing so on close).
pub fn service_keywords(
    ctx: &Context,
    call: &ast::ExprCall,
    target: Target,
    manager: Option<&ast::ExprCall>,
    cleanup: bool,
) -> Vec<ServiceKw> {
    let params: Vec<&str> = target
        .release()
        .function("build_service_client")
        .map(|p| p.iter().map(|p| p.name.as_str()).collect())
        .unwrap_or_default();
    let text = |k: &Keyword| ctx.slice(k.value.range()).to_string();
    let from = |name: &str| keyword(call, name).map(|k| (text(k), Some(k.range)));
    let or_default = |name: &str, default: &str| from(name).unwrap_or((default.to_string(), None));
    let deployment = deployment(ctx, call);
    let manager_kw =
        |name: &str, index: usize| manager.and_then(|m| manager_value(ctx, m, name, index));
    let mut out = Vec::new();
    for param in params {
        let (value, origin) = match param {
            "api_key" | "base_model" => match from(param) {
                Some(found) => found,
                None => continue,
            },
            "base_url" => (
                manager_kw("base_url", 1).unwrap_or_else(|| DEFAULT_BASE_URL.to_string()),
                None,
            ),
            "additional_headers" => (
                manager_kw("additional_headers", 2).unwrap_or_else(|| "None".to_string()),
                None,
            ),
            "tokenizer_model" => (tokenizer_model(ctx, call), None),
            "lora_rank" | "max_lora_rank" => or_default("lora_rank", "0"),
            "max_context_length" => or_default("max_seq_len", "None"),
            "learning_rate" => or_default("learning_rate", "1e-5"),
            "trainer" => match (from("infra_cfg"), trainer_with_ids(ctx, call)) {
                (Some((_, o)), Some(with_ids)) => (with_ids, o),
                (Some(found), None) => found,
                (None, _) => continue,
            },
            "deployment" => match &deployment {
                Some((v, o)) => (v.clone(), *o),
                None => continue,
            },
            "reference_required" => match flag(call, "needs_reference") {
                Some(k) => (text(k), Some(k.range)),
                None => continue,
            },
            "cleanup_trainer_on_close" if cleanup => ("True".to_string(), None),
            "cleanup_deployment_on_close" if cleanup && deployment.is_some() => {
                ("\"scale_to_zero\"".to_string(), None)
            }
            _ => continue,
        };
        out.push(ServiceKw {
            name: static_name(param),
            value,
            origin,
        });
    }
    out
}

/// `deployment=`: the `deploy_cfg=` when the call asks for inference (conditional on the flag
/// when it is not the literal `True`), with the old keyword's range.
fn deployment(ctx: &Context, call: &ast::ExprCall) -> Option<(String, Option<TextRange>)> {
    let text = |k: &Keyword| ctx.slice(k.value.range()).to_string();
    match (flag(call, "needs_inference"), given(call, "deploy_cfg")) {
        (Some(flag), Some(deploy)) if is_true(&flag.value) => {
            Some((text(deploy), Some(deploy.range)))
        }
        (Some(flag), Some(deploy)) => Some((
            format!("{} if {} else None", text(deploy), text(flag)),
            Some(deploy.range),
        )),
        _ => None,
    }
}

/// `tokenizer_model=`: `<deploy_cfg>.tokenizer_model` when a `DeployConfig` variable is passed
/// with `needs_inference=True`, else `None`.
fn tokenizer_model(ctx: &Context, call: &ast::ExprCall) -> String {
    match (flag(call, "needs_inference"), keyword(call, "deploy_cfg")) {
        (Some(flag), Some(deploy)) if is_true(&flag.value) && deploy.value.is_name_expr() => {
            format!("{}.tokenizer_model", ctx.slice(deploy.value.range()))
        }
        _ => "None".to_string(),
    }
}

/// The value the manager was built with for `name=` (or as its positional argument `index`).
fn manager_value(
    ctx: &Context,
    manager: &ast::ExprCall,
    name: &str,
    index: usize,
) -> Option<String> {
    keyword(manager, name)
        .map(|k| ctx.slice(k.value.range()).to_string())
        .or_else(|| {
            manager
                .arguments
                .args
                .get(index)
                .map(|a| ctx.slice(a.range()).to_string())
        })
}

/// The parameter name as a `'static` string (the API tables hold owned strings).
fn static_name(param: &str) -> &'static str {
    const NAMES: &[&str] = &[
        "api_key",
        "base_url",
        "inference_url",
        "additional_headers",
        "base_model",
        "tokenizer_model",
        "lora_rank",
        "max_lora_rank",
        "max_context_length",
        "learning_rate",
        "trainer",
        "deployment",
        "hotload_timeout_s",
        "cleanup_trainer_on_close",
        "cleanup_deployment_on_close",
        "reference_required",
    ];
    NAMES
        .iter()
        .copied()
        .find(|n| *n == param)
        .unwrap_or("unknown")
}
