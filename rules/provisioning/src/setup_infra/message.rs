//! The FW101 message for one call (the `build_service_client(...)` keywords filled from the call's
//! own arguments, how each attribute of the result maps, what is no longer needed), and the
//! template suggested where the call site is not the canonical shape.

use fwmigrate_rule::ast;
use fwmigrate_rule::message::snippet;
use fwmigrate_rule::parser::layout::collapse;
use fwmigrate_rule::walk::keyword;
use fwmigrate_rule::{Context, Ranged};

use super::call::{flag, given, lora_param, reattach_ids};
use super::code::keyword_line;
use super::service::service_keywords;
use super::uses::{INFRA_ATTRS, Uses};

/// The message for `call`, whose result is assigned to `owner` (`infra` when it is not assigned
/// to one name).
pub fn message(ctx: &Context, call: &ast::ExprCall, owner: &str, uses: &Uses) -> String {
    let target = ctx.target;
    let listed = listed_keywords(ctx, call);
    let v = |name: &str| keyword(call, name).map(|k| snippet(ctx, k.value.range()));
    let base = v("base_model").unwrap_or_else(|| "base_model".to_string());
    let rank = v("lora_rank").unwrap_or_else(|| "0".to_string());
    let shown: Vec<&str> = if uses.seen.is_empty() {
        vec!["policy", "reference", "policy_job_id"]
    } else {
        INFRA_ATTRS
            .iter()
            .copied()
            .filter(|a| uses.seen.contains(a))
            .collect()
    };
    let attrs_text = shown
        .iter()
        .map(|a| format!("`{owner}.{a}` → {}", attribute_replacement(a, &base, &rank)))
        .collect::<Vec<_>>()
        .join(", ");
    let dropped: Vec<String> = ["rlor_mgr", "deploy_mgr", "role_prefix", "cleanup"]
        .iter()
        .filter(|name| keyword(call, name).is_some())
        .map(|name| format!("`{name}=`"))
        .collect();
    let dropped_text = if dropped.is_empty() {
        String::new()
    } else {
        format!(
            "; {} no longer needed (the service provisions, names and cleans up its own jobs)",
            join_words(&dropped, "is", "are")
        )
    };
    let callee = ctx.slice(call.func.range());
    let callee_note = if callee == "setup_infra" || callee.ends_with(".setup_infra") {
        ""
    } else {
        " (the cookbook's `setup_infra`)"
    };
    format!(
        "`{callee}()`{callee_note} no longer exists at {target}: build the SDK-managed service with `build_service_client({})` (it also needs `base_url=`, `tokenizer_model=` and `additional_headers=`), then replace {attrs_text}, and call `service.close()` when done{dropped_text}",
        if listed.is_empty() {
            "...".to_string()
        } else {
            listed.join(", ")
        },
    )
}

/// The `build_service_client(...)` keywords filled from the call's own arguments, as shown in
/// the message.
fn listed_keywords(ctx: &Context, call: &ast::ExprCall) -> Vec<String> {
    let v = |name: &str| keyword(call, name).map(|k| snippet(ctx, k.value.range()));
    let lora = lora_param(ctx.target);
    let mut listed: Vec<String> = Vec::new();
    if let Some(x) = v("base_model") {
        listed.push(format!("base_model={x}"));
    }
    if let Some(x) = v("lora_rank") {
        listed.push(format!("{lora}={x}"));
    }
    if let Some(x) = v("max_seq_len") {
        listed.push(format!("max_context_length={x}"));
    }
    if let Some(x) = v("learning_rate") {
        listed.push(format!("learning_rate={x}"));
    }
    if let Some(x) = v("infra_cfg") {
        let moved: Vec<String> = reattach_ids(call)
            .map(|(field, value)| format!("{field}={}", snippet(ctx, value.range())))
            .collect();
        if moved.is_empty() {
            listed.push(format!("trainer={x}"));
        } else {
            listed.push(format!("trainer={x} (with {} in it)", moved.join(", ")));
        }
    }
    if let (Some(x), Some(_), Some(_)) = (
        v("deploy_cfg"),
        flag(call, "needs_inference"),
        given(call, "deploy_cfg"),
    ) {
        listed.push(format!("deployment={x}"));
    }
    if let Some(k) = flag(call, "needs_reference") {
        listed.push(format!(
            "reference_required={}",
            snippet(ctx, k.value.range())
        ));
    }
    if let Some(x) = v("api_key") {
        listed.push(format!("api_key={x}"));
    }
    listed
}

/// What replaces `<result>.<attr>`, for the message.
fn attribute_replacement(attr: &str, base: &str, rank: &str) -> String {
    match attr {
        "policy" => format!(
            "`ReconnectableClient.from_training_client(service.create_training_client({base}, lora_rank={rank}), base_model={base}, job_id=service.trainer_job_id, service=service)`"
        ),
        "reference" => format!(
            "`service.create_reference_client({base}, lora_rank={rank})` wrapped the same way with `base_only=True` and `job_id=service.reference_client_job_id`"
        ),
        "policy_job_id" => "`service.trainer_job_id`".to_string(),
        "reference_job_id" => "`service.reference_client_job_id`".to_string(),
        "deployment_id" => "`service.deployment_id`".to_string(),
        "deployment_shape" => "`service.deployment_shape`".to_string(),
        _ => "`service.create_deployment_sampler().model`".to_string(),
    }
}

/// `a is`, `a and b are`, `a, b and c are`.
fn join_words(items: &[String], one: &str, many: &str) -> String {
    match items.len() {
        0 => String::new(),
        1 => format!("{} {one}", items[0]),
        n => format!("{} and {} {many}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// The suggestion for a call site that is not the canonical shape: the service and the policy
/// client, around a placeholder for the rest.
pub fn template(ctx: &Context, call: &ast::ExprCall) -> String {
    let kws = service_keywords(ctx, call, ctx.target, None, false);
    let mut out = String::from("service = build_service_client(\n");
    for kw in &kws {
        out.push_str(&keyword_line(kw));
    }
    out.push_str(")\ntry:\n");
    let value = |name: &str, default: &str| {
        keyword(call, name).map_or(default.to_string(), |k| {
            collapse(ctx.slice(k.value.range()))
        })
    };
    let lora = value("lora_rank", "0");
    let base = value("base_model", "base_model");
    out.push_str(&format!(
        "    policy_client = ReconnectableClient.from_training_client(\n        service.create_training_client({base}, lora_rank={lora}),\n        base_model={base},\n        job_id=service.trainer_job_id,\n        service=service,\n    )\n"
    ));
    out.push_str("    ...  # use policy_client, service.trainer_job_id, service.deployment_id, ...\nfinally:\n    service.close()");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_joined_as_in_prose() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_words(&words(&[]), "is", "are"), "");
        assert_eq!(join_words(&words(&["`a=`"]), "is", "are"), "`a=` is");
        assert_eq!(
            join_words(&words(&["`a=`", "`b=`", "`c=`"]), "is", "are"),
            "`a=`, `b=` and `c=` are"
        );
    }
}
