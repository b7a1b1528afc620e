//! FW103 `create-base-reference`: `<client>.create_base_reference()` and the cookbook's
//! `make_reference_client(...)`.

use fwmigrate_rule::ast::Expr;
use fwmigrate_rule::walk::for_each_call;
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta, Severity,
};

use fwmigrate_rule::cookbook::{calls_utils, has_tabled_type};
use fwmigrate_rule::message::callee_text;

pub struct CreateBaseReference;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW103"),
    name: "create-base-reference",
    family: fwmigrate_rule::Family::Provisioning,
    severity: Severity::Error,
    fix: Some(Applicability::DisplayOnly),
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &["create_base_reference", "make_reference_client"],
    summary: "`client.create_base_reference()` / `make_reference_client(...)`: create the reference through the service.",
    explanation: r#"## What it finds

Calls of `<client>.create_base_reference()` (the legacy `ReconnectableClient` method that opened
a base-weights reference on the policy's trainer), and calls of the cookbook's
`make_reference_client(...)` (never public, but listed in the migration guide).
`create_base_reference()` is a method, so its receiver cannot be resolved: it is reported only
in files that import the cookbook or the Fireworks SDK, and never on a method of an object that
comes from another imported module.

## Why it matters

Both are gone at the target release (`AttributeError` / `ImportError`). The SDK-managed service
decides whether the reference shares the policy trainer (LoRA) or needs a separate frozen
trainer, and cleans it up on `service.close()`.

## Fix safety

**Display-only**: the replacement needs the `service` that replaces `setup_infra(...)`
(see FW101) and the base model, which the call site does not show.

## Example

```python
# before
reference = policy.create_base_reference()

# after
reference = ReconnectableClient.from_training_client(
    service.create_reference_client(base_model, lora_rank=0),
    base_model=base_model,
    base_only=True,
    job_id=service.reference_client_job_id,
    service=service,
)
```
"#,
};

const SUGGESTION: &str = "reference = ReconnectableClient.from_training_client(
    service.create_reference_client(base_model, lora_rank=0),
    base_model=base_model,
    base_only=True,
    job_id=service.reference_client_job_id,
    service=service,
)";

impl Rule for CreateBaseReference {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        // Before the move to SDK provisioning the old surface is the target's own API.
        if !fwmigrate_rule::provisions_through_sdk(ctx.target) {
            return;
        }
        let target = ctx.target;
        let cookbook = ctx.semantic.imports_fireworks();
        for_each_call(ctx.file.suite(), |call| {
            let what = if calls_utils(ctx, call, "make_reference_client") {
                format!(
                    "`{}()` no longer exists at {target}",
                    callee_text(ctx, call)
                )
            } else if let Expr::Attribute(attr) = call.func.as_ref() {
                if attr.attr.id.as_str() != "create_base_reference" || !cookbook {
                    return;
                }
                // Only on a cookbook or SDK object (a client from `setup_infra(...)`, an annotated
                // parameter): another library's method of the same name is not ours.
                if !has_tabled_type(ctx, &attr.value) {
                    return;
                }
                format!(
                    "`{}()` no longer exists at {target} (clients have no `create_base_reference`)",
                    ctx.slice(call.func.range())
                )
            } else {
                return;
            };
            findings.push(
                Finding::new(
                    &META,
                    call.range(),
                    format!(
                        "{what}: create the frozen reference through the SDK-managed service, `service.create_reference_client(base_model, lora_rank=0)`, wrapped by `ReconnectableClient.from_training_client(..., base_only=True, job_id=service.reference_client_job_id, service=service)`"
                    ),
                )
                .with_fix(Fix::display_only(
                    "Create the reference with `service.create_reference_client(...)`",
                    Some(SUGGESTION.to_string()),
                    "needs the `service` that replaces `setup_infra(...)` (FW101) and the base model",
                )),
            );
        });
    }
}
