//! What the `setup_infra(...)` call itself passes: its keywords, what makes them unfit for the
//! rewrite, and the job ids it reattaches to (moved into the trainer config).

use fwmigrate_rule::ast::{self, Expr, Keyword};
use fwmigrate_rule::parser::edits::{apply_edits_in, insert_keywords_first};
use fwmigrate_rule::semantic::CookbookSymbol;
use fwmigrate_rule::walk::{is_false, is_none, is_true, keyword, keyword_name};
use fwmigrate_rule::{Context, Ranged, Target, api};

use super::uses::Uses;

/// A keyword that was passed with a value other than `None`.
pub fn given<'a>(call: &'a ast::ExprCall, name: &str) -> Option<&'a Keyword> {
    keyword(call, name).filter(|k| !is_none(&k.value))
}

/// A flag keyword (`needs_inference=`, `needs_reference=`) passed with a value other than the
/// literal `False`.
pub fn flag<'a>(call: &'a ast::ExprCall, name: &str) -> Option<&'a Keyword> {
    keyword(call, name).filter(|k| !is_false(&k.value))
}

/// The name of `build_service_client`'s LoRA rank parameter at `target`.
pub fn lora_param(target: Target) -> &'static str {
    let has_max = target
        .release()
        .function("build_service_client")
        .is_some_and(|p| p.iter().any(|p| p.name == "max_lora_rank"));
    if has_max {
        "max_lora_rank"
    } else {
        "lora_rank"
    }
}

/// Why the call's own arguments keep it from being rewritten (empty when they do not).
pub fn argument_problems(ctx: &Context, call: &ast::ExprCall) -> Vec<String> {
    let mut problems = Vec::new();
    if !call.arguments.args.is_empty() || call.arguments.keywords.iter().any(|k| k.arg.is_none()) {
        problems.push("it passes positional or `**` arguments".to_string());
    }
    let legacy: Vec<&str> = api::legacy()
        .function("setup_infra")
        .map(|p| p.iter().map(|p| p.name.as_str()).collect())
        .unwrap_or_default();
    for kw in &call.arguments.keywords {
        if let Some(name) = keyword_name(kw)
            && !legacy.is_empty()
            && !legacy.contains(&name)
        {
            problems.push(format!("`{name}=` is not a `setup_infra` parameter"));
        }
    }
    for required in ["base_model", "infra_cfg", "api_key"] {
        if keyword(call, required).is_none() {
            problems.push(format!("it does not pass `{required}=`"));
        }
    }
    if reattach_ids(call).next().is_some() && trainer_with_ids(ctx, call).is_none() {
        let fields = reattach_ids(call)
            .map(|(field, _)| format!("{field}=..."))
            .collect::<Vec<_>>()
            .join(", ");
        problems.push(format!(
            "it reattaches to existing jobs and `infra_cfg=` is not an inline config: move the ids into the trainer config, `TrainerConfig({fields})`"
        ));
    }
    if flag(call, "needs_inference").is_some() && given(call, "deploy_cfg").is_none() {
        problems.push(
            "it asks for inference without a `deploy_cfg=`: pass `deployment=DeployConfig(...)` to `build_service_client`"
                .to_string(),
        );
    }
    if given(call, "on_status").is_some() {
        problems.push(
            "`on_status=` has no equivalent: the service reports progress in its logs".to_string(),
        );
    }
    problems
}

/// Why the way the result is read keeps the call from being rewritten: the legacy result held
/// `None` for what was not asked for, where the service raises instead.
pub fn result_problems(call: &ast::ExprCall, uses: &Uses) -> Vec<String> {
    let literal_true = |name: &str| keyword(call, name).is_some_and(|k| is_true(&k.value));
    let mut problems = Vec::new();
    if !literal_true("needs_inference")
        && (uses.uses("deployment_id")
            || uses.uses("inference_model")
            || uses.uses("deployment_shape"))
    {
        problems.push(
            "it reads deployment values without `needs_inference=True` (they may have been `None`)"
                .to_string(),
        );
    }
    if !literal_true("needs_reference") && (uses.uses("reference") || uses.uses("reference_job_id"))
    {
        problems.push(
            "it reads the reference without `needs_reference=True` (it may have been `None`)"
                .to_string(),
        );
    }
    problems
}

/// `policy_job_id=` / `reference_job_id=` of the call, as `TrainerConfig` fields and values.
pub fn reattach_ids(call: &ast::ExprCall) -> impl Iterator<Item = (&'static str, &Expr)> {
    [
        ("policy_job_id", "job_id"),
        ("reference_job_id", "reference_job_id"),
    ]
    .into_iter()
    .filter_map(move |(old, field)| given(call, old).map(|k| (field, &k.value)))
}

/// The text of an inline `infra_cfg=InfraConfig(...)` / `TrainerConfig(...)` with the job ids the
/// call reattaches to moved in (first, in the order `job_id`, `reference_job_id`). `None` when
/// there is nothing to move, or the config is not an inline cookbook construction that can take
/// them.
pub fn trainer_with_ids(ctx: &Context, call: &ast::ExprCall) -> Option<String> {
    let ids: Vec<(&str, &Expr)> = reattach_ids(call).collect();
    if ids.is_empty() {
        return None;
    }
    let Expr::Call(cfg) = &keyword(call, "infra_cfg")?.value else {
        return None;
    };
    if !matches!(
        ctx.semantic.resolve_call(cfg)?,
        CookbookSymbol::Utils(name) if name == "InfraConfig" || name == "TrainerConfig"
    ) {
        return None;
    }
    if !cfg.arguments.args.is_empty()
        || cfg
            .arguments
            .keywords
            .iter()
            .any(|k| k.arg.is_none() || ids.iter().any(|(f, _)| keyword_name(k) == Some(*f)))
    {
        return None;
    }
    let added: Vec<String> = ids
        .iter()
        .map(|(field, v)| format!("{field}={}", ctx.slice(v.range())))
        .collect();
    if cfg.arguments.is_empty() {
        return Some(format!(
            "{}({})",
            ctx.slice(cfg.func.range()),
            added.join(", ")
        ));
    }
    let edit = insert_keywords_first(ctx.file, &cfg.arguments, &added)?;
    Some(apply_edits_in(ctx.source(), cfg.range(), &[edit]))
}
