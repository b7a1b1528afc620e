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
//!
//! The modules: [`call`] (what the call passes), [`site`] (where it stands), [`uses`] (how its
//! result is read), [`service`] (the `build_service_client` keywords), [`message`] (the finding's
//! message and template), [`rewrite`] (the fix) and [`code`] (the text the fix generates).

mod call;
mod code;
mod message;
mod rewrite;
mod service;
mod site;
mod uses;

use fwmigrate_rule::{Context, Edit, TextRange, ast};

use site::Site;
use uses::Uses;

/// What FW101 (and FW102) know about one `setup_infra(...)` call.
pub struct Analysis {
    pub message: String,
    /// The suggested code (the generated replacement, or a template).
    pub suggestion: String,
    /// The edits of the unsafe fix, or why the call site is not the canonical shape.
    pub fix: Result<Rewrite, String>,
}

/// The unsafe fix of a canonical call site.
pub struct Rewrite {
    pub edits: Vec<Edit>,
    /// The `with ResourceCleanup(...)` statement the fix removes, if any.
    pub removes_with: Option<TextRange>,
}

/// Analyse one `setup_infra(...)` call: its message, and the rewrite when the site is the
/// canonical shape (else why not, with a template to follow by hand).
pub fn analyze(ctx: &Context, call: &ast::ExprCall) -> Analysis {
    let mut problems = call::argument_problems(ctx, call);
    let site = Site::find(ctx, call);
    let uses = match &site {
        Ok(site) => uses::collect(ctx, site),
        Err(reason) => {
            problems.push(reason.clone());
            Uses::default()
        }
    };
    problems.extend(uses.problems.iter().cloned());
    if let Ok(site) = &site {
        problems.extend(site.problems.iter().cloned());
        problems.extend(call::result_problems(call, &uses));
    }
    let owner = site.as_ref().map_or("infra", |site| site.name.as_str());
    let message = message::message(ctx, call, owner, &uses);
    let generated = match (&site, problems.first()) {
        (Err(reason), _) | (Ok(_), Some(reason)) => Err(reason.clone()),
        (Ok(site), None) => rewrite::generate(ctx, call, site, &uses),
    };
    match generated {
        Ok((rewrite, suggestion)) => Analysis {
            message,
            suggestion,
            fix: Ok(rewrite),
        },
        Err(reason) => Analysis {
            message,
            suggestion: message::template(ctx, call),
            fix: Err(format!("not rewritten automatically: {reason}")),
        },
    }
}
