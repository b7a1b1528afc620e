//! The analysis and rewrite of one `setup_infra(...)` call site (FW101, and FW102's view of the
//! `with ResourceCleanup(...)` around it).
//!
//! The canonical shape that gets an (unsafe) fix:
//!
//! ```python
//! with ResourceCleanup(rlor_mgr, deploy_mgr) as cleanup:      # optional
//!     infra = setup_infra(..., cleanup=cleanup)
//!     ...  # `infra` used only as infra.policy / .reference / .policy_job_id / ...
//! ```
//!
//! becomes
//!
//! ```python
//! service = build_service_client(...)
//! try:
//!     policy_client = ReconnectableClient.from_training_client(service.create_training_client(...), ...)
//!     ...  # infra.policy -> policy_client, infra.policy_job_id -> service.trainer_job_id, ...
//! finally:
//!     service.close()
//! ```
//!
//! Values that `build_service_client` requires and `setup_infra` never took:
//! - `base_url`: the `base_url=` the `rlor_mgr` passed to `setup_infra` was built with (when it is
//!   a `TrainerJobManager(...)` built in the same function), else
//!   `os.environ.get("FIREWORKS_BASE_URL", "https://api.fireworks.ai")`, which is what the SDK
//!   itself falls back to (and what `TrainerJobManager` used by default);
//! - `additional_headers`: the manager's `additional_headers=`, else `None` (the SDK accepts it);
//! - `tokenizer_model`: `<deploy_cfg>.tokenizer_model` when a `DeployConfig` variable is passed
//!   (`DeployConfig.tokenizer_model` is the same tokenizer), else `None` (the SDK accepts it;
//!   `setup_infra` had no tokenizer either);
//! - `max_lora_rank` / `lora_rank`, `max_context_length`, `learning_rate`: `setup_infra`'s own
//!   defaults (`0`, `None`, `1e-5`) when the call leaves them out.

use std::collections::HashSet;

use fwmigrate_rule::ast::visitor::{self, Visitor};
use fwmigrate_rule::ast::{self, Expr, ExprContext, Keyword, Stmt};
use fwmigrate_rule::parser::edits::{ArgumentPosition, apply_edits, insert_argument};
use fwmigrate_rule::parser::imports::{
    add_from_import, add_module_import, remove_bindings, replace_from_names,
};
use fwmigrate_rule::parser::source::{
    full_line_end, indentation_at, is_at_line_start, is_blank_line, line_end, line_start,
};
use fwmigrate_rule::parser::{Binding, CookbookSymbol, SourceKind, TokenKind};
use fwmigrate_rule::walk::{for_each_stmt, keyword_name};
use fwmigrate_rule::{Context, Edit, Ranged, Target, TextRange, TextSize, api};

use crate::common::{calls_utils, is_false, is_none, is_true, snippet, statement_path};

/// Attributes of the legacy `Infra` result that have a service equivalent.
pub const INFRA_ATTRS: &[&str] = &[
    "policy",
    "reference",
    "policy_job_id",
    "reference_job_id",
    "deployment_id",
    "inference_model",
    "deployment_shape",
];

const DEFAULT_BASE_URL: &str =
    r#"os.environ.get("FIREWORKS_BASE_URL", "https://api.fireworks.ai")"#;

/// What FW101 (and FW102) know about one `setup_infra(...)` call.
pub struct Analysis {
    pub message: String,
    /// The suggested code (the generated replacement, or a template).
    pub suggestion: String,
    /// The edits of the unsafe fix, or why the call site is not the canonical shape.
    pub fix: Result<Rewrite, String>,
}

pub struct Rewrite {
    pub edits: Vec<Edit>,
    /// The `with ResourceCleanup(...)` statement the fix removes, if any.
    pub removes_with: Option<TextRange>,
}

/// One `build_service_client(...)` keyword: its name and value text.
struct ServiceKw {
    name: &'static str,
    value: String,
    /// The keyword of the old call it came from (its trailing comment travels with it).
    origin: Option<TextRange>,
}

/// How the `Infra` result is used after the call.
#[derive(Default)]
struct Uses {
    attrs: Vec<(TextRange, &'static str)>,
    /// Every known attribute read, also where the use is not rewritable (for the message).
    seen: Vec<&'static str>,
    problems: Vec<String>,
}

impl Uses {
    fn uses(&self, attr: &str) -> bool {
        self.attrs.iter().any(|(_, a)| *a == attr)
    }
}

fn kw_of<'a>(call: &'a ast::ExprCall, name: &str) -> Option<&'a Keyword> {
    call.arguments
        .keywords
        .iter()
        .find(|k| keyword_name(k) == Some(name))
}

/// A keyword that was passed with a value other than `None`.
fn given<'a>(call: &'a ast::ExprCall, name: &str) -> Option<&'a Keyword> {
    kw_of(call, name).filter(|k| !is_none(&k.value))
}

fn lora_param(target: Target) -> &'static str {
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

pub fn analyze(ctx: &Context, call: &ast::ExprCall) -> Analysis {
    let target = ctx.target;
    let mut problems: Vec<String> = Vec::new();

    // --- The call's own arguments.
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
        if kw_of(call, required).is_none() {
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
    let wants_inference = kw_of(call, "needs_inference").is_some_and(|k| !is_false(&k.value));
    if wants_inference && given(call, "deploy_cfg").is_none() {
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

    // --- Message keywords (RULES: filled from the call's own arguments).
    let v = |name: &str| kw_of(call, name).map(|k| snippet(ctx, k.value.range()));
    let lora = lora_param(target);
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
    let inference = kw_of(call, "needs_inference").filter(|k| !is_false(&k.value));
    let deploy_given = given(call, "deploy_cfg").is_some();
    if let (Some(x), Some(_), true) = (v("deploy_cfg"), inference, deploy_given) {
        listed.push(format!("deployment={x}"));
    }
    if let Some(k) = kw_of(call, "needs_reference").filter(|k| !is_false(&k.value)) {
        listed.push(format!(
            "reference_required={}",
            snippet(ctx, k.value.range())
        ));
    }
    if let Some(x) = v("api_key") {
        listed.push(format!("api_key={x}"));
    }

    // --- Where the call stands.
    let site = Site::find(ctx, call);
    let (target_name, uses) = match &site {
        Ok(site) => (Some(site.name.clone()), site.uses(ctx)),
        Err(reason) => {
            problems.push(reason.clone());
            (None, Uses::default())
        }
    };
    problems.extend(uses.problems.iter().cloned());
    if let Ok(site) = &site {
        problems.extend(site.problems.iter().cloned());
        // The legacy result held `None` for what was not asked for; the service raises instead.
        let literal_true = |name: &str| kw_of(call, name).is_some_and(|k| is_true(&k.value));
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
        if !literal_true("needs_reference")
            && (uses.uses("reference") || uses.uses("reference_job_id"))
        {
            problems.push(
                "it reads the reference without `needs_reference=True` (it may have been `None`)"
                    .to_string(),
            );
        }
    }

    // --- Attribute mapping for the message.
    let owner = target_name.as_deref().unwrap_or("infra");
    let base = v("base_model").unwrap_or_else(|| "base_model".to_string());
    let rank = v("lora_rank").unwrap_or_else(|| "0".to_string());
    let mapping = |attr: &str| -> String {
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
    };
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
        .map(|a| format!("`{owner}.{a}` → {}", mapping(a)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut dropped: Vec<&str> = Vec::new();
    for name in ["rlor_mgr", "deploy_mgr", "role_prefix", "cleanup"] {
        if kw_of(call, name).is_some() {
            dropped.push(name);
        }
    }
    let dropped_text = if dropped.is_empty() {
        String::new()
    } else {
        format!(
            "; {} no longer needed (the service provisions, names and cleans up its own jobs)",
            join_words(
                &dropped
                    .iter()
                    .map(|d| format!("`{d}=`"))
                    .collect::<Vec<_>>(),
                "is",
                "are"
            )
        )
    };
    let callee = ctx.slice(call.func.range());
    let callee_note = if callee == "setup_infra" || callee.ends_with(".setup_infra") {
        String::new()
    } else {
        " (the cookbook's `setup_infra`)".to_string()
    };
    let message = format!(
        "`{}()`{callee_note} no longer exists at {target}: build the SDK-managed service with `build_service_client({})` (it also needs `base_url=`, `tokenizer_model=` and `additional_headers=`), then replace {attrs_text}, and call `service.close()` when done{dropped_text}",
        ctx.slice(call.func.range()),
        if listed.is_empty() {
            "...".to_string()
        } else {
            listed.join(", ")
        },
    );

    let generated = match &site {
        Ok(site) => generate(ctx, call, site, &uses, &problems),
        Err(reason) => Err(reason.clone()),
    };
    match generated {
        Ok((rewrite, suggestion)) => Analysis {
            message,
            suggestion,
            fix: Ok(rewrite),
        },
        Err(reason) => Analysis {
            message,
            suggestion: template(ctx, call, target),
            fix: Err(if reason.starts_with("not rewritten automatically") {
                reason
            } else {
                format!("not rewritten automatically: {reason}")
            }),
        },
    }
}

fn join_words(items: &[String], one: &str, many: &str) -> String {
    match items.len() {
        0 => String::new(),
        1 => format!("{} {one}", items[0]),
        n => format!("{} and {} {many}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// The suggestion for a call site that is not the canonical shape.
fn template(ctx: &Context, call: &ast::ExprCall, target: Target) -> String {
    let kws = service_keywords(ctx, call, target, None, false);
    let mut out = String::from("service = build_service_client(\n");
    for kw in &kws {
        out.push_str(&format!("    {}={},\n", kw.name, collapse(&kw.value)));
    }
    out.push_str(")\ntry:\n");
    let lora =
        kw_of(call, "lora_rank").map_or("0".to_string(), |k| collapse(ctx.slice(k.value.range())));
    let base = kw_of(call, "base_model").map_or("base_model".to_string(), |k| {
        collapse(ctx.slice(k.value.range()))
    });
    out.push_str(&format!(
        "    policy_client = ReconnectableClient.from_training_client(\n        service.create_training_client({base}, lora_rank={lora}),\n        base_model={base},\n        job_id=service.trainer_job_id,\n        service=service,\n    )\n"
    ));
    out.push_str("    ...  # use policy_client, service.trainer_job_id, service.deployment_id, ...\nfinally:\n    service.close()");
    out
}

/// An argument's source, to be placed inside another call's parentheses, on one line: outside
/// string literals, a run of whitespace (line breaks and backslash continuations included)
/// becomes one space; strings are copied as written. Text on one line, or holding a comment or
/// an f-string (which can nest quotes), is kept as written: line breaks are valid inside the
/// parentheses it goes to.
fn collapse(text: &str) -> String {
    if !text.contains(['\n', '\r']) {
        return text.to_string();
    }
    let b = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut space = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            quote @ (b'\'' | b'"') => {
                let prefix = &b[..i];
                let start = prefix
                    .iter()
                    .rposition(|c| !c.is_ascii_alphabetic())
                    .map_or(0, |p| p + 1);
                if prefix[start..]
                    .iter()
                    .any(|c| matches!(c, b'f' | b'F' | b't' | b'T'))
                {
                    return text.to_string();
                }
                let triple = b[i..].starts_with(&[quote; 3]);
                let mut j = i + if triple { 3 } else { 1 };
                loop {
                    match b.get(j) {
                        None => return text.to_string(),
                        Some(b'\\') => j += 2,
                        Some(&c) if c == quote && (!triple || b[j..].starts_with(&[quote; 3])) => {
                            j += if triple { 3 } else { 1 };
                            break;
                        }
                        Some(b'\n' | b'\r') if !triple => return text.to_string(),
                        Some(_) => j += 1,
                    }
                }
                if space && !out.is_empty() {
                    out.push(b' ');
                }
                space = false;
                out.extend_from_slice(&b[i..j]);
                i = j;
            }
            b'#' => return text.to_string(),
            b'\\' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                space = true;
                i += 1;
            }
            c => {
                if space && !out.is_empty() {
                    out.push(b' ');
                }
                space = false;
                out.push(c);
                i += 1;
            }
        }
    }
    // Only ASCII bytes were dropped or added: the text is still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// The `build_service_client(...)` keywords for this call, in the signature's order.
/// `manager`: the `TrainerJobManager(...)` call the `rlor_mgr` comes from, if known.
fn service_keywords(
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
    let from = |name: &str| kw_of(call, name).map(|k| (text(k), Some(k.range)));
    let inference = kw_of(call, "needs_inference").filter(|k| !is_false(&k.value));
    let deployment: Option<(String, Option<TextRange>)> =
        match (inference, given(call, "deploy_cfg")) {
            (Some(flag), Some(deploy)) if is_true(&flag.value) => {
                Some((text(deploy), Some(deploy.range)))
            }
            (Some(flag), Some(deploy)) => Some((
                format!("{} if {} else None", text(deploy), text(flag)),
                Some(deploy.range),
            )),
            _ => None,
        };
    let manager_kw = |name: &str, index: usize| -> Option<String> {
        let m = manager?;
        kw_of(m, name)
            .map(|k| ctx.slice(k.value.range()).to_string())
            .or_else(|| {
                m.arguments
                    .args
                    .get(index)
                    .map(|a| ctx.slice(a.range()).to_string())
            })
    };
    let mut out = Vec::new();
    for param in params {
        let (value, origin) = match param {
            "api_key" => match from("api_key") {
                Some((v, o)) => (v, o),
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
            "base_model" => match from("base_model") {
                Some((v, o)) => (v, o),
                None => continue,
            },
            "tokenizer_model" => {
                let value = match (inference, kw_of(call, "deploy_cfg")) {
                    (Some(flag), Some(deploy))
                        if is_true(&flag.value) && deploy.value.is_name_expr() =>
                    {
                        format!("{}.tokenizer_model", text(deploy))
                    }
                    _ => "None".to_string(),
                };
                (value, None)
            }
            "lora_rank" | "max_lora_rank" => match from("lora_rank") {
                Some((v, o)) => (v, o),
                None => ("0".to_string(), None),
            },
            "max_context_length" => match from("max_seq_len") {
                Some((v, o)) => (v, o),
                None => ("None".to_string(), None),
            },
            "learning_rate" => match from("learning_rate") {
                Some((v, o)) => (v, o),
                None => ("1e-5".to_string(), None),
            },
            "trainer" => match (from("infra_cfg"), trainer_with_ids(ctx, call)) {
                (Some((_, o)), Some(with_ids)) => (with_ids, o),
                (Some((v, o)), None) => (v, o),
                (None, _) => continue,
            },
            "deployment" => match &deployment {
                Some((v, o)) => (v.clone(), *o),
                None => continue,
            },
            "reference_required" => match kw_of(call, "needs_reference") {
                Some(k) if !is_false(&k.value) => (text(k), Some(k.range)),
                _ => continue,
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

/// `policy_job_id=` / `reference_job_id=` of the call, as `TrainerConfig` fields and value texts.
fn reattach_ids(call: &ast::ExprCall) -> impl Iterator<Item = (&'static str, &Expr)> {
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
fn trainer_with_ids(ctx: &Context, call: &ast::ExprCall) -> Option<String> {
    let ids: Vec<(&str, &Expr)> = reattach_ids(call).collect();
    if ids.is_empty() {
        return None;
    }
    let value = &kw_of(call, "infra_cfg")?.value;
    let Expr::Call(cfg) = value else {
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
    let mut edits = Vec::new();
    for arg in added.iter().rev() {
        edits.push(insert_argument(
            ctx.file,
            &cfg.arguments,
            arg,
            ArgumentPosition::First,
        ));
    }
    // Several insertions at one point: in order.
    let edits = merge_insertions_in_order(edits);
    let relative: Vec<Edit> = edits
        .into_iter()
        .map(|e| Edit::replacement(e.range - cfg.start(), e.content))
        .collect();
    Some(apply_edits(ctx.slice(cfg.range()), &relative))
}

/// Insertions at one point, concatenated in reverse of the order they were made (the first made
/// ends up last, as `ArgumentPosition::First` insertions stack).
fn merge_insertions_in_order(edits: Vec<Edit>) -> Vec<Edit> {
    let mut out: Vec<Edit> = Vec::new();
    for e in edits {
        match out
            .iter_mut()
            .find(|p| p.range == e.range && e.range.is_empty())
        {
            Some(prev) => prev.content = format!("{}{}", e.content, prev.content),
            None => out.push(e),
        }
    }
    out
}

/// The statement the call is assigned in, and its surroundings.
struct Site<'a> {
    stmt: &'a Stmt,
    name: String,
    /// The statements after the assignment in its block.
    rest: &'a [Stmt],
    /// The block holding the assignment.
    block: &'a [Stmt],
    /// In a notebook: the end of the call's cell.
    cell_end: Option<TextSize>,
    /// The enclosing `with ResourceCleanup(...) [as cleanup]:` the fix removes.
    with: Option<&'a ast::StmtWith>,
    /// The function body (or `None` for module level) the call is in.
    scope: Option<TextRange>,
    problems: Vec<String>,
}

impl<'a> Site<'a> {
    fn find(ctx: &Context<'a>, call: &ast::ExprCall) -> Result<Site<'a>, String> {
        let path = statement_path(ctx.file.suite(), call.range());
        let Some(&stmt) = path.last() else {
            return Err("it is not inside a statement".to_string());
        };
        let (target, value) = match stmt {
            Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], Some(a.value.as_ref())),
            Stmt::AnnAssign(a) => (a.target.as_ref(), a.value.as_deref()),
            _ => return Err("its result is not assigned to a variable".to_string()),
        };
        if value.map(Ranged::range) != Some(call.range()) {
            return Err("the call is not the whole value of its assignment".to_string());
        }
        let Expr::Name(name) = target else {
            return Err("its result is not assigned to a single name".to_string());
        };
        let text = ctx.source();
        let rest_of_line = &text[usize::from(stmt.end())..usize::from(line_end(text, stmt.end()))];
        let trimmed = rest_of_line.trim_start();
        if !is_at_line_start(text, stmt.start())
            || !(trimmed.is_empty() || trimmed.starts_with('#'))
        {
            return Err("the assignment shares its line with another statement".to_string());
        }
        // In a class body the result is an attribute that methods may read as `self.<name>`.
        let in_class = path
            .iter()
            .rev()
            .skip(1)
            .find(|s| matches!(s, Stmt::FunctionDef(_) | Stmt::ClassDef(_)))
            .is_some_and(|s| matches!(s, Stmt::ClassDef(_)));
        if in_class {
            return Err("it is assigned in a class body".to_string());
        }
        let parent = path.len().checked_sub(2).map(|i| path[i]);
        let block: &[Stmt] = match parent {
            Some(p) => crate::common::child_bodies(p)
                .into_iter()
                .find(|b| b.iter().any(|s| std::ptr::eq(s, stmt)))
                .unwrap_or(&[]),
            None => ctx.file.suite(),
        };
        let Some(index) = block.iter().position(|s| std::ptr::eq(s, stmt)) else {
            return Err("its block could not be found".to_string());
        };
        let mut rest = &block[index + 1..];
        // In a notebook the rewrite stays within the call's cell: the rest of the module goes on
        // in later cells, which must not be merged (a use there makes the site non-canonical).
        let mut cell_end = None;
        if let SourceKind::Notebook(cells) = ctx.file.kind()
            && let Some(cell) = cells.iter().find(|c| c.contains_range(stmt.range()))
        {
            let n = rest.iter().take_while(|s| s.end() <= cell.end()).count();
            rest = &rest[..n];
            cell_end = Some(cell.end());
        }
        let scope = ctx.semantic.statement(stmt.range()).and_then(|i| i.scope);
        let mut problems = Vec::new();

        // The enclosing `with`.
        let mut with = None;
        let cleanup_kw = kw_of(call, "cleanup").filter(|k| !is_none(&k.value));
        if let Some(Stmt::With(w)) = parent {
            let cleanup_item = w.items.iter().find(|item| {
                matches!(&item.context_expr, Expr::Call(c) if calls_utils(ctx, c, "ResourceCleanup"))
            });
            if let Some(item) = cleanup_item {
                if w.is_async || w.items.len() != 1 {
                    problems.push(
                        "its `with` statement manages other context managers too".to_string(),
                    );
                } else if !is_at_line_start(text, w.body[0].start()) {
                    problems.push("the `with` body is on the header's line".to_string());
                } else {
                    let as_name = match item.optional_vars.as_deref() {
                        None => None,
                        Some(Expr::Name(n)) => Some(n),
                        Some(_) => {
                            problems.push("`ResourceCleanup` is bound to a pattern".to_string());
                            None
                        }
                    };
                    if let Some(n) = as_name {
                        let allowed: Vec<TextRange> = std::iter::once(n.range)
                            .chain(cleanup_kw.map(|k| k.value.range()))
                            .collect();
                        let other = uses_in_scope(ctx, n.id.as_str(), scope)
                            .into_iter()
                            .filter(|r| !allowed.contains(r))
                            .count();
                        if other > 0 {
                            problems.push(format!(
                                "`{}` (the `ResourceCleanup`) is used for more than `cleanup=`; move its registrations to the service options first (see FW102)",
                                n.id
                            ));
                        }
                    }
                    if let Some(k) = cleanup_kw {
                        let matches =
                            matches!((&k.value, as_name), (Expr::Name(v), Some(n)) if v.id == n.id);
                        if !matches {
                            problems.push(
                                "`cleanup=` is not the `ResourceCleanup` of the enclosing `with`"
                                    .to_string(),
                            );
                        }
                    }
                    with = Some(w);
                }
            }
        }
        // The rewrite moves and re-indents whole lines; a backslash continuation joins lines it
        // would treat as separate.
        let region = TextRange::new(
            with.map_or(stmt.start(), |w| w.start()),
            rest.last().map_or(stmt.end(), |s| s.end()),
        );
        if ctx.file.has_line_continuation(region) {
            problems.push("a backslash continues a line in the code it would rewrite".to_string());
        }
        if with.is_none() && cleanup_kw.is_some() && problems.is_empty() {
            problems.push(
                "`cleanup=` is not the `ResourceCleanup` of a `with` directly around the call"
                    .to_string(),
            );
        }
        Ok(Site {
            stmt,
            name: name.id.to_string(),
            rest,
            block,
            cell_end,
            with,
            scope,
            problems,
        })
    }

    /// Every use of the result name: it must be `name.<known attribute>` in the statements after
    /// the assignment, not in a nested function, and must not escape through `return`/`yield`.
    fn uses(&self, ctx: &Context) -> Uses {
        let mut uses = Uses::default();
        let mut collector = AttrCollector {
            name: &self.name,
            nested: 0,
            escaping: 0,
            found: Vec::new(),
            aliases: HashSet::new(),
            alias_escapes: false,
            pass: 0,
        };
        for pass in 0..2 {
            collector.pass = pass;
            collector.found.clear();
            collector.visit_body(self.rest);
        }
        let target_range = match self.stmt {
            Stmt::Assign(a) => a.targets[0].range(),
            Stmt::AnnAssign(a) => a.target.range(),
            _ => TextRange::default(),
        };
        let mut bad = false;
        for r in uses_in_scope(ctx, &self.name, self.scope) {
            if r == target_range {
                continue;
            }
            if let Some(attr) = collector
                .found
                .iter()
                .find(|f| f.name == r)
                .and_then(|f| f.attr)
                && !uses.seen.contains(&attr)
            {
                uses.seen.push(attr);
            }
            match collector.found.iter().find(|f| f.name == r) {
                Some(f) if f.attr.is_some() && !f.nested && !f.escaping => {
                    if let Some(attr) = f.attr {
                        uses.attrs.push((f.expr, attr));
                    }
                }
                Some(f) if f.nested => {
                    bad = bad
                        || {
                            uses.problems.push(format!(
                        "`{}` is used inside a nested function, which may outlive `service.close()`",
                        self.name
                    ));
                            true
                        }
                }
                Some(f) if f.escaping => {
                    bad = bad
                        || {
                            uses.problems.push(format!(
                        "`{}` leaves the block (`return`/`yield`), but the service is closed when the block ends",
                        self.name
                    ));
                            true
                        }
                }
                _ => {
                    bad = bad
                        || {
                            uses.problems.push(format!(
                        "`{0}` is used other than through `{0}.policy`, `.reference`, `.policy_job_id`, `.reference_job_id`, `.deployment_id`, `.inference_model` or `.deployment_shape` after the call",
                        self.name
                    ));
                            true
                        }
                }
            }
        }
        if collector.alias_escapes && !bad {
            uses.problems.push(format!(
                "a client taken from `{}` leaves the block (`return`/`yield`), but the service is closed when the block ends",
                self.name
            ));
        }
        uses
    }
}

/// Uses of `name` within a scope (a function body), or anywhere for module level.
fn uses_in_scope(ctx: &Context, name: &str, scope: Option<TextRange>) -> Vec<TextRange> {
    ctx.semantic
        .name_uses(name)
        .iter()
        .copied()
        .filter(|r| scope.is_none_or(|s| s.contains_range(*r)))
        .collect()
}

struct Found {
    /// The `Name` node.
    name: TextRange,
    /// The `name.attr` expression, when it is a load of a known attribute.
    expr: TextRange,
    attr: Option<&'static str>,
    nested: bool,
    escaping: bool,
}

struct AttrCollector<'n> {
    name: &'n str,
    nested: usize,
    escaping: usize,
    found: Vec<Found>,
    /// Names assigned from an expression that mentions the result (`policy = infra.policy`).
    aliases: HashSet<String>,
    alias_escapes: bool,
    pass: usize,
}

impl<'a> Visitor<'a> for AttrCollector<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {
                self.nested += 1;
                visitor::walk_stmt(self, stmt);
                self.nested -= 1;
            }
            Stmt::Return(_) => {
                self.escaping += 1;
                visitor::walk_stmt(self, stmt);
                self.escaping -= 1;
            }
            Stmt::Assign(a) if self.pass == 0 => {
                if mentions(&a.value, self.name, &self.aliases) {
                    for t in &a.targets {
                        if let Expr::Name(n) = t {
                            self.aliases.insert(n.id.to_string());
                        }
                    }
                }
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => {
                self.nested += 1;
                visitor::walk_expr(self, expr);
                self.nested -= 1;
                return;
            }
            Expr::Yield(_) | Expr::YieldFrom(_) => {
                self.escaping += 1;
                visitor::walk_expr(self, expr);
                self.escaping -= 1;
                return;
            }
            Expr::Attribute(attr) => {
                if let Expr::Name(n) = attr.value.as_ref()
                    && n.id.as_str() == self.name
                {
                    let known = INFRA_ATTRS
                        .iter()
                        .copied()
                        .find(|a| *a == attr.attr.id.as_str())
                        .filter(|_| attr.ctx == ExprContext::Load);
                    self.found.push(Found {
                        name: n.range,
                        expr: attr.range,
                        attr: known,
                        nested: self.nested > 0,
                        escaping: self.escaping > 0,
                    });
                    return;
                }
            }
            Expr::Name(n) => {
                if self.escaping > 0 && self.aliases.contains(n.id.as_str()) {
                    self.alias_escapes = true;
                }
                if n.id.as_str() == self.name {
                    self.found.push(Found {
                        name: n.range,
                        expr: n.range,
                        attr: None,
                        nested: self.nested > 0,
                        escaping: self.escaping > 0,
                    });
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

fn mentions(expr: &Expr, name: &str, aliases: &HashSet<String>) -> bool {
    let mut found = false;
    struct M<'n> {
        name: &'n str,
        aliases: &'n HashSet<String>,
        found: &'n mut bool,
    }
    impl<'a> Visitor<'a> for M<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(n) = expr
                && (n.id.as_str() == self.name || self.aliases.contains(n.id.as_str()))
            {
                *self.found = true;
            }
            visitor::walk_expr(self, expr);
        }
    }
    M {
        name,
        aliases,
        found: &mut found,
    }
    .visit_expr(expr);
    found
}

/// The indentation unit of the file: the shortest indentation of an indented statement.
fn indent_unit(ctx: &Context) -> String {
    let text = ctx.source();
    let mut best: Option<&str> = None;
    for_each_stmt(ctx.file.suite(), |stmt| {
        if !is_at_line_start(text, stmt.start()) {
            return;
        }
        let ind = indentation_at(text, stmt.start());
        if !ind.is_empty() && best.is_none_or(|b| ind.len() < b.len()) {
            best = Some(ind);
        }
    });
    best.unwrap_or("    ").to_string()
}

/// Ranges of string tokens that span lines: lines starting inside them are left alone.
fn multiline_strings(ctx: &Context) -> Vec<TextRange> {
    let text = ctx.source();
    ctx.file
        .tokens()
        .iter()
        .filter(|t| {
            matches!(
                t.kind(),
                TokenKind::String | TokenKind::FStringMiddle | TokenKind::TStringMiddle
            )
        })
        .map(Ranged::range)
        .filter(|r| text[*r].contains(['\n', '\r']))
        .collect()
}

enum Reindent<'u> {
    Keep,
    Add(&'u str),
    /// Remove the unit that follows the given prefix.
    Remove {
        prefix: &'u str,
        unit: &'u str,
    },
}

/// The text of `region` with `inner` edits applied and every line re-indented.
fn rewrite_region(
    ctx: &Context,
    region: TextRange,
    inner: &[Edit],
    reindent: Reindent,
    strings: &[TextRange],
) -> String {
    let text = ctx.source();
    let mut edits: Vec<Edit> = inner
        .iter()
        .filter(|e| region.contains_range(e.range))
        .cloned()
        .collect();
    let mut p = region.start();
    while p < region.end() {
        let next = full_line_end(text, p);
        let in_string = strings.iter().any(|s| s.start() < p && p < s.end());
        // A line inside an edit, or deleted whole by one, keeps no indentation of its own; an
        // edit that merely starts the line (`infra.policy...` at column 0) does not count.
        let covered = inner.iter().any(|e| {
            !e.range.is_empty()
                && (e.range.start() < p && p < e.range.end()
                    || e.range.start() == p && e.content.is_empty())
        });
        if !in_string && !covered && !is_blank_line(text, p) {
            let line = &text[usize::from(p)..usize::from(line_end(text, p))];
            match reindent {
                Reindent::Keep => {}
                Reindent::Add(unit) => edits.push(Edit::insertion(p, unit)),
                Reindent::Remove { prefix, unit } => {
                    if line.starts_with(prefix) && line[prefix.len()..].starts_with(unit) {
                        let at = p + TextSize::of(prefix);
                        edits.push(Edit::deletion(TextRange::at(at, TextSize::of(unit))));
                    }
                }
            }
        }
        if next <= p {
            break;
        }
        p = next;
    }
    let relative: Vec<Edit> = edits
        .into_iter()
        .map(|e| Edit::replacement(e.range - region.start(), e.content))
        .collect();
    apply_edits(&text[region], &relative)
}

/// A fresh local name based on `base`, unused in the scope and distinct from `taken`.
fn fresh_name(
    ctx: &Context,
    base: &str,
    scope: Option<TextRange>,
    taken: &mut Vec<String>,
) -> String {
    let free = |name: &str, taken: &[String]| {
        !taken.iter().any(|t| t == name)
            && uses_in_scope(ctx, name, scope).is_empty()
            && !ctx.semantic.bindings().iter().any(|b| b.name == name)
    };
    let mut name = base.to_string();
    let mut n = 2;
    while !free(&name, taken) {
        name = format!("{base}_{n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// How to refer to a cookbook utils symbol at `offset`, and the import edit it needs.
fn utils_symbol(
    ctx: &Context,
    call: &ast::ExprCall,
    sym: &'static str,
    offset: TextSize,
) -> Result<(String, Option<&'static str>), String> {
    if let Some(local) = ctx.semantic.local_name_for_utils(sym, offset) {
        return Ok((local, None));
    }
    // `utils.setup_infra(...)` with `utils` the cookbook's utils package: `utils.<sym>`.
    if let Expr::Attribute(attr) = call.func.as_ref()
        && let Some(q) = ctx.semantic.qualified_name(&attr.value)
    {
        let root = ctx.semantic.file_root();
        if q == format!("{root}.utils")
            && matches!(
                ctx.semantic.resolve(&attr.value),
                Some(CookbookSymbol::UtilsModule)
            )
        {
            return Ok((format!("{}.{sym}", ctx.slice(attr.value.range())), None));
        }
    }
    if !ctx.semantic.name_uses(sym).is_empty()
        || ctx.semantic.bindings().iter().any(|b| b.name == sym)
    {
        return Err(format!(
            "the name `{sym}` is already used for something else in this file"
        ));
    }
    Ok((sym.to_string(), Some(sym)))
}

/// The import edits: add `add` to `from <module> import ...` and remove `removed`. When one
/// statement both gains and loses names, its name list is rewritten as a whole.
fn import_changes(ctx: &Context, module: &str, add: &[&str], removed: &[&Binding]) -> Vec<Edit> {
    let existing = ctx.file.suite().iter().find_map(|s| match s {
        Stmt::ImportFrom(i)
            if i.level == 0
                && i.module.as_ref().is_some_and(|m| m.id.as_str() == module)
                && !i.names.iter().any(|a| a.name.id.as_str() == "*") =>
        {
            Some(i)
        }
        _ => None,
    });
    let in_existing = |b: &&Binding| existing.is_some_and(|i| b.stmt_range == i.range);
    let mut edits = Vec::new();
    match existing {
        Some(import) if !add.is_empty() && removed.iter().any(in_existing) => {
            let mut names: Vec<String> = import
                .names
                .iter()
                .filter(|a| !removed.iter().any(|b| b.alias_range == a.range))
                .map(|a| ctx.slice(a.range).to_string())
                .collect();
            let bare: Vec<&str> = import.names.iter().map(|a| a.name.id.as_str()).collect();
            let sorted = bare.windows(2).all(|w| w[0] <= w[1]);
            for name in add {
                let at = if sorted {
                    names
                        .iter()
                        .position(|n| n.as_str() > *name)
                        .unwrap_or(names.len())
                } else {
                    names.len()
                };
                names.insert(at, (*name).to_string());
            }
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            edits.extend(replace_from_names(ctx.file, import, &names));
            let others: Vec<&Binding> = removed
                .iter()
                .copied()
                .filter(|b| !in_existing(b))
                .collect();
            edits.extend(remove_bindings(ctx.file, ctx.semantic, &others));
        }
        _ => {
            for name in add {
                edits.push(add_from_import(ctx.file, module, name));
            }
            edits.extend(remove_bindings(ctx.file, ctx.semantic, removed));
        }
    }
    edits
}

/// `os` as a local name, and the import edit it needs.
fn os_module(ctx: &Context, offset: TextSize) -> Result<(String, Option<Edit>), String> {
    if let Some(b) = ctx.semantic.binding_at("os", offset)
        && b.qualified == "os"
        && !b.is_from
    {
        return Ok(("os".to_string(), None));
    }
    if let Some(b) = ctx
        .semantic
        .bindings()
        .iter()
        .find(|b| b.qualified == "os" && !b.is_from && b.scope.is_none())
        && ctx
            .semantic
            .binding_at(&b.name, offset)
            .is_some_and(|v| v.alias_range == b.alias_range)
    {
        return Ok((b.name.clone(), None));
    }
    if !ctx.semantic.name_uses("os").is_empty()
        || ctx.semantic.bindings().iter().any(|b| b.name == "os")
    {
        return Err("the name `os` is used for something else in this file".to_string());
    }
    let edit = add_module_import(ctx.file, "os");
    Ok(("os".to_string(), Some(edit)))
}

/// The `TrainerJobManager(...)` call that built the `rlor_mgr` passed to `setup_infra`, when it is
/// an assignment in the same block before the call.
fn manager_call<'a>(
    ctx: &Context<'a>,
    call: &ast::ExprCall,
    site: &Site<'a>,
) -> Option<&'a ast::ExprCall> {
    let Expr::Name(mgr) = &kw_of(call, "rlor_mgr")?.value else {
        return None;
    };
    let mut found = None;
    let outer: &[Stmt] = match site.with {
        Some(w) => {
            // The `with` is in the enclosing block; search the whole function/module.
            let _ = w;
            ctx.file.suite()
        }
        None => site.block,
    };
    for_each_stmt(outer, |stmt| {
        if let Stmt::Assign(a) = stmt
            && stmt.start() < call.start()
            && ctx.semantic.statement(stmt.range()).and_then(|i| i.scope) == site.scope
            && a.targets.len() == 1
            && matches!(&a.targets[0], Expr::Name(n) if n.id == mgr.id)
            && let Expr::Call(c) = a.value.as_ref()
            && ctx
                .semantic
                .resolve_call(c)
                .is_some_and(|s| s.sdk_name() == Some("TrainerJobManager"))
        {
            found = Some(c);
        }
    });
    let c = found?;
    // Only simple values that still mean the same at the call site.
    let simple = |e: &Expr| {
        matches!(
            e,
            Expr::StringLiteral(_) | Expr::Name(_) | Expr::Attribute(_) | Expr::NoneLiteral(_)
        )
    };
    let ok = c.arguments.keywords.iter().all(|k| simple(&k.value))
        && c.arguments.args.iter().all(simple);
    ok.then_some(c)
}

fn generate(
    ctx: &Context,
    call: &ast::ExprCall,
    site: &Site,
    uses: &Uses,
    problems: &[String],
) -> Result<(Rewrite, String), String> {
    if let Some(p) = problems.first() {
        return Err(format!("not rewritten automatically: {p}"));
    }
    let text = ctx.source();
    let target = ctx.target;
    let nl = ctx.file.line_ending().as_str();
    let stmt = site.stmt;

    // Layout.
    let (ind, unit, region_start) = match site.with {
        Some(w) => {
            let with_ind = indentation_at(text, w.start()).to_string();
            let body_ind = indentation_at(text, stmt.start());
            let Some(unit) = body_ind
                .strip_prefix(with_ind.as_str())
                .filter(|u| !u.is_empty())
            else {
                return Err(
                    "not rewritten automatically: the `with` body's indentation is unusual"
                        .to_string(),
                );
            };
            if !is_at_line_start(text, w.start()) {
                return Err("not rewritten automatically: the `with` shares its line".to_string());
            }
            (with_ind, unit.to_string(), line_start(text, w.start()))
        }
        None => (
            indentation_at(text, stmt.start()).to_string(),
            indent_unit(ctx),
            line_start(text, stmt.start()),
        ),
    };
    let last = site.rest.last().unwrap_or(stmt);
    let region_end =
        full_line_end(text, last.end()).min(site.cell_end.unwrap_or(TextSize::new(u32::MAX)));
    let region = TextRange::new(region_start, region_end);
    let offset = call.start();

    // Names.
    let mut taken: Vec<String> = Vec::new();
    let service = fresh_name(ctx, "service", site.scope, &mut taken);
    let uses_policy = uses.uses("policy");
    let uses_reference = uses.uses("reference") || uses.uses("reference_job_id");
    let wrap_reference = uses.uses("reference");
    let split_policy = uses_reference && target == Target::V2026_08;
    let policy_raw =
        split_policy.then(|| fresh_name(ctx, "policy_training_client", site.scope, &mut taken));
    // `policy = infra.policy` as the only use: the client takes that name, the statement goes.
    let policy_alias = uses_policy
        .then(|| alias_statement(ctx, site, uses, "policy", &taken))
        .flatten();
    if let Some((name, _)) = &policy_alias {
        taken.push(name.clone());
    }
    let reference_alias = wrap_reference
        .then(|| alias_statement(ctx, site, uses, "reference", &taken))
        .flatten();
    if let Some((name, _)) = &reference_alias {
        taken.push(name.clone());
    }
    let policy_name = match &policy_alias {
        Some((name, _)) => Some(name.clone()),
        None => uses_policy.then(|| fresh_name(ctx, "policy_client", site.scope, &mut taken)),
    };
    let reference_name = match &reference_alias {
        Some((name, _)) => Some(name.clone()),
        None => wrap_reference.then(|| fresh_name(ctx, "reference_client", site.scope, &mut taken)),
    };
    let inference_name = uses
        .uses("inference_model")
        .then(|| fresh_name(ctx, "inference_model", site.scope, &mut taken));

    // Imports to add.
    let mut to_add: Vec<&'static str> = Vec::new();
    let mut import_edits: Vec<Edit> = Vec::new();
    let (bsc, add) = utils_symbol(ctx, call, "build_service_client", offset)
        .map_err(|e| format!("not rewritten automatically: {e}"))?;
    to_add.extend(add);
    let rc = if uses_policy || wrap_reference {
        let (rc, add) = utils_symbol(ctx, call, "ReconnectableClient", offset)
            .map_err(|e| format!("not rewritten automatically: {e}"))?;
        to_add.extend(add);
        rc
    } else {
        String::new()
    };
    let manager = manager_call(ctx, call, site);
    let cleanup = kw_of(call, "cleanup").is_some_and(|k| !is_none(&k.value)) && site.with.is_some();
    let mut kws = service_keywords(ctx, call, target, manager, cleanup);
    if kws.iter().any(|k| k.value == DEFAULT_BASE_URL) {
        let (os, e) =
            os_module(ctx, offset).map_err(|e| format!("not rewritten automatically: {e}"))?;
        import_edits.extend(e);
        for k in &mut kws {
            if k.value == DEFAULT_BASE_URL {
                k.value = k.value.replacen("os.", &format!("{os}."), 1);
            }
        }
    }

    // Imports to remove: `setup_infra` / `ResourceCleanup` when their only uses go away.
    let mut removed: Vec<&Binding> = Vec::new();
    let mut consider = |func: &Expr| {
        if let Expr::Name(n) = func {
            // The callee is the name's only use: the import goes with it.
            let all_inside = ctx
                .semantic
                .name_uses(n.id.as_str())
                .iter()
                .all(|r| *r == n.range);
            if all_inside && let Some(b) = ctx.semantic.binding_at(n.id.as_str(), n.start()) {
                removed.push(b);
            }
        }
    };
    consider(&call.func);
    if let Some(w) = site.with
        && let Expr::Call(c) = &w.items[0].context_expr
    {
        consider(&c.func);
    }
    let module = format!("{}.utils", ctx.semantic.file_root());
    to_add.sort_unstable();
    import_edits.extend(import_changes(ctx, &module, &to_add, &removed));
    let import_edits = merge_insertions(import_edits);
    let (inner_removals, outer_edits): (Vec<Edit>, Vec<Edit>) = import_edits
        .into_iter()
        .partition(|e| !e.range.is_empty() && region.contains_range(e.range));
    let overlaps = |e: &Edit| {
        if e.range.is_empty() {
            region.start() < e.range.start() && e.range.start() < region.end()
        } else {
            e.range.intersect(region).is_some_and(|r| !r.is_empty())
        }
    };
    if outer_edits.iter().any(overlaps) {
        return Err(
            "not rewritten automatically: an import it changes stands in the rewritten block"
                .to_string(),
        );
    }

    let strings = multiline_strings(ctx);
    let mut out = String::new();

    // 1. Comments of the removed `with` header, then the body before the call, dedented.
    let mut carried: Vec<&str> = Vec::new();
    let stmt_line = line_start(text, stmt.start());
    if let Some(w) = site.with {
        let header = TextRange::new(region_start, line_start(text, w.body[0].start()));
        for c in ctx.file.comments_in(header) {
            carried.push(ctx.file.slice(*c));
        }
        for c in &carried {
            out.push_str(&format!("{ind}{c}{nl}"));
        }
        let before = TextRange::new(line_start(text, w.body[0].start()), stmt_line);
        out.push_str(&rewrite_region(
            ctx,
            before,
            &inner_removals,
            Reindent::Remove {
                prefix: &ind,
                unit: &unit,
            },
            &strings,
        ));
    }

    // 2. The service.
    let call_comments: Vec<TextRange> = ctx.file.comments_in(call.range()).to_vec();
    let mut used_comments: Vec<TextRange> = Vec::new();
    let mut kw_lines: Vec<String> = Vec::new();
    // Comments inside a copied value stay in it.
    for kw in &kws {
        if let Some(origin) = kw.origin {
            used_comments.extend(call_comments.iter().filter(|c| origin.contains_range(**c)));
        }
    }
    let call_keywords: Vec<TextRange> = call.arguments.keywords.iter().map(|k| k.range).collect();
    for kw in &kws {
        if let Some(origin) = kw.origin {
            // Own-line comments right before the old keyword go before the new one.
            for c in &call_comments {
                let own_line = is_at_line_start(text, c.start());
                let next_kw = call_keywords.iter().find(|k| k.start() >= c.end());
                if own_line && next_kw == Some(&origin) && !used_comments.contains(c) {
                    kw_lines.push(format!("{ind}{unit}{}", ctx.file.slice(*c)));
                    used_comments.push(*c);
                }
            }
        }
        let mut line = format!(
            "{ind}{unit}{}={},",
            kw.name,
            reindent_value(ctx, &kw.value, kw.origin, &format!("{ind}{unit}"))
        );
        if let Some(origin) = kw.origin {
            // A comment on the same line right after the old keyword travels with it.
            let eol = line_end(text, origin.end());
            if let Some(c) = call_comments
                .iter()
                .find(|c| c.start() >= origin.end() && c.end() <= eol)
            {
                let between = &text[usize::from(origin.end())..usize::from(c.start())];
                if between.trim().trim_start_matches(',').trim().is_empty() {
                    line.push_str(&format!("  {}", ctx.file.slice(*c)));
                    used_comments.push(*c);
                }
            }
        }
        kw_lines.push(line);
    }
    for c in &call_comments {
        if !used_comments.contains(c) {
            out.push_str(&format!("{ind}{}{nl}", ctx.file.slice(*c)));
        }
    }
    let trailing = {
        let eol = line_end(text, stmt.end());
        ctx.file
            .comments_in(TextRange::new(stmt.end(), eol))
            .first()
            .map(|c| format!("  {}", ctx.file.slice(*c)))
            .unwrap_or_default()
    };
    let mut service_text = format!("{service} = {bsc}({nl}");
    for line in &kw_lines {
        service_text.push_str(line);
        service_text.push_str(nl);
    }
    service_text.push_str(&format!("{ind})"));
    out.push_str(&format!("{ind}{service_text}{trailing}{nl}"));
    out.push_str(&format!("{ind}try:{nl}"));

    // 3. The clients, at the start of the `try:` body.
    let i2 = format!("{ind}{unit}");
    let i3 = format!("{ind}{unit}{unit}");
    let value = |name: &str| kw_of(call, name).map(|k| collapse(ctx.slice(k.value.range())));
    let base = value("base_model").unwrap_or_else(|| "base_model".to_string());
    let lora = value("lora_rank");
    let lora_arg = lora.clone().unwrap_or_else(|| "0".to_string());
    let timeout = value("step_timeout").filter(|t| t != "None");
    let mut prologue = String::new();
    let create_policy = format!("{service}.create_training_client({base}, lora_rank={lora_arg})");
    let policy_inner = match &policy_raw {
        Some(raw) => {
            prologue.push_str(&format!("{i2}{raw} = {create_policy}{nl}"));
            raw.clone()
        }
        None => create_policy.clone(),
    };
    let wrap = |inner: &str, job: &str, base_only: bool, with_lora: bool| -> String {
        let mut s =
            format!("{rc}.from_training_client({nl}{i3}{inner},{nl}{i3}base_model={base},{nl}");
        if with_lora && let Some(l) = &lora {
            s.push_str(&format!("{i3}lora_rank={l},{nl}"));
        }
        s.push_str(&format!("{i3}job_id={service}.{job},{nl}"));
        if let Some(t) = &timeout {
            s.push_str(&format!("{i3}default_timeout={t},{nl}"));
        }
        s.push_str(&format!("{i3}service={service},{nl}"));
        if base_only {
            s.push_str(&format!("{i3}base_only=True,{nl}"));
        }
        s.push_str(&format!("{i2})"));
        s
    };
    match &policy_name {
        Some(p) => prologue.push_str(&format!(
            "{i2}{p} = {}{nl}",
            wrap(&policy_inner, "trainer_job_id", false, true)
        )),
        None if policy_raw.is_none() => prologue.push_str(&format!("{i2}{create_policy}{nl}")),
        None => {}
    }
    if uses_reference {
        let mut create_ref =
            format!("{service}.create_reference_client({base}, lora_rank={lora_arg}");
        if let Some(raw) = &policy_raw {
            create_ref.push_str(&format!(", policy_client={raw}"));
        }
        create_ref.push(')');
        match &reference_name {
            Some(r) => prologue.push_str(&format!(
                "{i2}{r} = {}{nl}",
                wrap(&create_ref, "reference_client_job_id", true, false)
            )),
            None => prologue.push_str(&format!("{i2}{create_ref}{nl}")),
        }
    }
    if let Some(m) = &inference_name {
        prologue.push_str(&format!(
            "{i2}{m} = {service}.create_deployment_sampler().model{nl}"
        ));
    }
    out.push_str(&prologue);

    // 4. The rest of the block, with the attribute rewrites, inside the `try:`.
    let rest_start = full_line_end(text, stmt.end());
    let mut inner: Vec<Edit> = inner_removals.clone();
    let alias_stmts: Vec<TextRange> = policy_alias
        .iter()
        .chain(reference_alias.iter())
        .map(|(_, stmt)| *stmt)
        .collect();
    for stmt in &alias_stmts {
        inner.push(Edit::deletion(TextRange::new(
            line_start(text, stmt.start()),
            full_line_end(text, stmt.end()),
        )));
    }
    for (range, attr) in &uses.attrs {
        if alias_stmts.iter().any(|s| s.contains_range(*range)) {
            continue;
        }
        let replacement = match *attr {
            "policy" => policy_name.clone().unwrap_or_default(),
            "reference" => reference_name.clone().unwrap_or_default(),
            "policy_job_id" => format!("{service}.trainer_job_id"),
            "reference_job_id" => format!("{service}.reference_client_job_id"),
            "deployment_id" => format!("{service}.deployment_id"),
            "deployment_shape" => format!("{service}.deployment_shape"),
            _ => inference_name.clone().unwrap_or_default(),
        };
        inner.push(Edit::replacement(*range, replacement));
    }
    let rest = TextRange::new(rest_start.min(region_end), region_end);
    let reindent = if site.with.is_some() {
        Reindent::Keep
    } else {
        Reindent::Add(&unit)
    };
    let mut rest_text = rewrite_region(ctx, rest, &inner, reindent, &strings);
    let ends_with_newline = rest_text.ends_with('\n')
        || rest_text.ends_with('\r')
        || (rest.is_empty() && text[..usize::from(region_end)].ends_with(['\n', '\r']));
    if !ends_with_newline {
        rest_text.push_str(nl);
    }
    out.push_str(&rest_text);
    out.push_str(&format!("{ind}finally:{nl}{ind}{unit}{service}.close()"));
    if ends_with_newline {
        out.push_str(nl);
    }

    let mut edits = vec![Edit::replacement(region, out)];
    edits.extend(outer_edits);

    // The suggestion: the generated statements, unindented.
    let mut suggestion = format!("{service} = {bsc}(\n");
    for kw in &kws {
        suggestion.push_str(&format!("    {}={},\n", kw.name, collapse(&kw.value)));
    }
    suggestion.push_str(")\ntry:\n");
    for line in prologue.lines() {
        let line = line.strip_prefix(ind.as_str()).unwrap_or(line);
        let line = line
            .strip_prefix(unit.as_str())
            .map_or(line.to_string(), |l| format!("    {l}"));
        suggestion.push_str(&line.replace(unit.as_str(), "    "));
        suggestion.push('\n');
    }
    suggestion.push_str(
        "    ...\nfinally:\n    service.close()"
            .replace("service.close", &format!("{service}.close"))
            .as_str(),
    );

    Ok((
        Rewrite {
            edits,
            removes_with: site.with.map(|w| w.range),
        },
        suggestion,
    ))
}

/// A keyword value's text, its continuation lines moved to the new keyword's indentation.
fn reindent_value(
    ctx: &Context,
    value: &str,
    origin: Option<TextRange>,
    new_indent: &str,
) -> String {
    let Some(origin) = origin else {
        return value.to_string();
    };
    if !value.contains(['\n', '\r']) {
        return value.to_string();
    }
    let text = ctx.source();
    if !is_at_line_start(text, origin.start())
        || !multiline_strings(ctx)
            .iter()
            .all(|s| !origin.contains_range(*s))
    {
        return value.to_string();
    }
    let old = indentation_at(text, origin.start());
    let mut out = String::new();
    for (i, line) in value.split_inclusive('\n').enumerate() {
        if i > 0
            && let Some(rest) = line.strip_prefix(old)
        {
            out.push_str(new_indent);
            out.push_str(rest);
            continue;
        }
        out.push_str(line);
    }
    out
}

/// Insertions at the same point (two names added to one import line) become one edit.
fn merge_insertions(edits: Vec<Edit>) -> Vec<Edit> {
    let mut out: Vec<Edit> = Vec::new();
    for e in edits {
        if let Some(prev) = out
            .iter_mut()
            .find(|p| p.range == e.range && e.range.is_empty())
        {
            // Two new `from M import X` lines of one module become one line; other insertions at
            // one point are kept in order.
            let merged = match (split_from_line(&prev.content), split_from_line(&e.content)) {
                (Some((m1, n1, end1)), Some((m2, n2, _))) if m1 == m2 => {
                    Some(format!("from {m1} import {n1}, {n2}{end1}"))
                }
                _ => None,
            };
            match merged {
                Some(m) => prev.content = m,
                None => prev.content.push_str(&e.content),
            }
            continue;
        }
        if let Some(prev) = out.iter_mut().find(|p| p.conflicts_with(&e)) {
            let _ = prev;
            continue;
        }
        out.push(e);
    }
    out
}

/// `from M import N<newline>` → `(M, N, newline)`.
fn split_from_line(line: &str) -> Option<(&str, &str, &str)> {
    let rest = line.strip_prefix("from ")?;
    let (module, rest) = rest.split_once(" import ")?;
    let name_end = rest.find(['\r', '\n'])?;
    let (name, end) = rest.split_at(name_end);
    (!name.contains(',') && !name.contains(' ')).then_some((module, name, end))
}

/// A statement `NAME = <result>.<attr>` among the statements after the call, when it is the only
/// use of that attribute, stands on its own line, and `NAME` is bound nowhere else in the scope
/// and not used before it: the client can be created under `NAME` directly.
fn alias_statement(
    ctx: &Context,
    site: &Site,
    uses: &Uses,
    attr: &str,
    taken: &[String],
) -> Option<(String, TextRange)> {
    let text = ctx.source();
    let mut attr_uses = uses.attrs.iter().filter(|(_, a)| *a == attr);
    let (only, _) = attr_uses.next()?;
    if attr_uses.next().is_some() {
        return None;
    }
    let stmt = site.rest.iter().find(|s| s.range().contains_range(*only))?;
    let Stmt::Assign(assign) = stmt else {
        return None;
    };
    let [Expr::Name(target)] = assign.targets.as_slice() else {
        return None;
    };
    if assign.value.range() != *only {
        return None;
    }
    let name = target.id.as_str();
    if taken.iter().any(|t| t == name) || ctx.semantic.bindings().iter().any(|b| b.name == name) {
        return None;
    }
    let rest_of_line = &text[usize::from(stmt.end())..usize::from(line_end(text, stmt.end()))];
    if !is_at_line_start(text, stmt.start()) || !rest_of_line.trim().is_empty() {
        return None;
    }
    // Every other use of `name` in the scope comes after this statement and is a load.
    let ok = uses_in_scope(ctx, name, site.scope)
        .iter()
        .all(|r| *r == target.range || r.start() >= stmt.end());
    if !ok {
        return None;
    }
    let mut stored_elsewhere = false;
    fwmigrate_rule::walk::for_each_expr(ctx.file.suite(), |e| {
        if let Expr::Name(n) = e
            && n.id.as_str() == name
            && n.range != target.range
            && n.ctx != ExprContext::Load
            && site.scope.is_none_or(|s| s.contains_range(n.range))
        {
            stored_elsewhere = true;
        }
    });
    (!stored_elsewhere).then(|| (name.to_string(), stmt.range()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_lines_split_and_merge() {
        assert_eq!(
            split_from_line("from training.utils import X\r\n"),
            Some(("training.utils", "X", "\r\n"))
        );
        assert_eq!(split_from_line("import os\n"), None);
        assert_eq!(split_from_line("from a import X, Y\n"), None);
        let at = TextSize::new(5);
        let merged = merge_insertions(vec![
            Edit::insertion(at, "from training.utils import A\n"),
            Edit::insertion(at, "from training.utils import b\n"),
            Edit::insertion(TextSize::new(9), ", C"),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].content, "from training.utils import A, b\n");
        let kept = merge_insertions(vec![
            Edit::insertion(at, "import os\n"),
            Edit::insertion(at, "from training.utils import A\n"),
        ]);
        assert_eq!(kept[0].content, "import os\nfrom training.utils import A\n");
    }

    #[test]
    fn collapse_changes_layout_only() {
        assert_eq!(collapse("args.base_model"), "args.base_model");
        // One line: kept, even with odd spacing.
        assert_eq!(collapse("f('a  b')"), "f('a  b')");
        assert_eq!(collapse("a  +  b"), "a  +  b");
        // Several lines: one line; a backslash continuation goes; strings stay as written.
        assert_eq!(collapse("args\\\n.base_model"), "args .base_model");
        assert_eq!(collapse("(a +\n    b)"), "(a + b)");
        assert_eq!(collapse("a + \\\r\n b"), "a + b");
        assert_eq!(
            collapse("f(\n  'x  y', \"a\\\"  b\")"),
            "f( 'x  y', \"a\\\"  b\")"
        );
        assert_eq!(collapse("g(\n  '''x\n  y''',\n)"), "g( '''x\n  y''', )");
        assert_eq!(collapse("h(\n  r'\\\\'  ,\n 'é  ')"), "h( r'\\\\' , 'é  ')");
        // A comment, an f-string, an unterminated string: kept as written.
        assert_eq!(collapse("(a  # why\n)"), "(a  # why\n)");
        assert_eq!(collapse("f(\n  f'{x}  y')"), "f(\n  f'{x}  y')");
        assert_eq!(collapse("(\n 'a"), "(\n 'a");
    }
}
