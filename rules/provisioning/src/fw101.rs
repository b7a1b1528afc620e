//! FW101 `setup-infra`: calls of the removed `setup_infra(...)`.

use fwmigrate_rule::walk::for_each_call;
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta, Severity,
    TextRange, TextSize,
};

use crate::setup_infra::analyze;
use fwmigrate_rule::cookbook::calls_utils;

pub struct SetupInfra;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW101"),
    name: "setup-infra",
    family: fwmigrate_rule::Family::Provisioning,
    severity: Severity::Error,
    fix: Some(Applicability::Unsafe),
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &["setup_infra"],
    summary: "`setup_infra(...)` is gone: provision through the SDK-managed service (`build_service_client`).",
    explanation: r#"## What it finds

Calls of the cookbook's `setup_infra(...)` (imported from a cookbook utils module such as
`training.utils` or `training.utils.rl`, aliased or module-qualified, imports inside functions
included). A local function of the same name is not reported.

## Why it matters

`setup_infra` was removed when provisioning moved behind the SDK: the script fails with an
`ImportError`. The replacement is the SDK-managed service built by the cookbook wrapper
`build_service_client(...)`; it creates the trainer, the reference and the deployment, and
cleans them up on `service.close()`. (For most scripts the recommended path is a recipe `Config`
plus `main(cfg)`.)

The message is written for the call site: it lists the `build_service_client(...)` keywords
filled from the call's own arguments (`base_model`, `lora_rank` → `max_lora_rank` at `2026.08`,
`max_seq_len` → `max_context_length`, `learning_rate`, `infra_cfg` → `trainer=`, `deploy_cfg` →
`deployment=` when `needs_inference`, `needs_reference` → `reference_required=`, `api_key`) and
how each attribute of the returned object maps:

| legacy | replacement |
|---|---|
| `infra.policy` | `ReconnectableClient.from_training_client(service.create_training_client(base_model, lora_rank=...), base_model=..., job_id=service.trainer_job_id, service=service)` |
| `infra.reference` | `service.create_reference_client(base_model, lora_rank=...)`, wrapped the same way with `base_only=True`, `job_id=service.reference_client_job_id` |
| `infra.policy_job_id` | `service.trainer_job_id` |
| `infra.reference_job_id` | `service.reference_client_job_id` |
| `infra.deployment_id` | `service.deployment_id` |
| `infra.deployment_shape` | `service.deployment_shape` |
| `infra.inference_model` | `service.create_deployment_sampler().model` |

`rlor_mgr=`, `deploy_mgr=` and `role_prefix=` have no equivalent: the service provisions, names
and cleans up its own jobs.

## Fix safety

**Unsafe** for the canonical shape, display-only for anything else. The canonical shape is one
`x = setup_infra(...)` on its own line, optionally directly inside
`with ResourceCleanup(...) as cleanup:` (whose `cleanup` is used for nothing but
`cleanup=cleanup`), and `x` used afterwards in the same block only through the attributes above.
The fix

- replaces the assignment with `service = build_service_client(...)`; the values the old call
  never had are filled in as follows: `base_url=` is the `base_url=` of the `TrainerJobManager`
  passed as `rlor_mgr` (when it is built in the same function), else
  `os.environ.get("FIREWORKS_BASE_URL", "https://api.fireworks.ai")` (the SDK's own fallback, and
  the manager's old default); `additional_headers=` the manager's, else `None`;
  `tokenizer_model=` is `<deploy_cfg>.tokenizer_model` when a `DeployConfig` variable is passed,
  else `None`; `max_lora_rank=`/`lora_rank=`, `max_context_length=` and `learning_rate=` default
  to `setup_infra`'s own defaults (`0`, `None`, `1e-5`);
- creates the clients at the start of a `try:` around the rest of the block, with
  `finally: service.close()`; at `2026.08` the reference is created with
  `policy_client=` (the SDK requires it for multi-LoRA services);
- removes the `with ResourceCleanup(...)` (its body is dedented); when `cleanup=` was passed,
  `cleanup_trainer_on_close=True` (and at `2026.08`, with a deployment,
  `cleanup_deployment_on_close="scale_to_zero"`) keep the old clean-up behaviour;
- moves `policy_job_id=` / `reference_job_id=` (reattaching to existing jobs) into an inline
  `infra_cfg=InfraConfig(...)` / `TrainerConfig(...)` as `job_id=` / `reference_job_id=`;
- rewrites the attribute uses and adds the imports (`build_service_client`,
  `ReconnectableClient`, `os`), removing `setup_infra` / `ResourceCleanup` imports that become
  unused.

It is unsafe because the service provisions lazily (at `create_training_client`) and closes its
clients when the block ends. Anything else (the result passed on, returned, used in a nested
function, a reattachment whose `infra_cfg=` is a variable, `on_status=`, positional arguments,
`.reference` read without `needs_reference=True`, a class body, a `with` that manages more than
the `ResourceCleanup`, ...) gets a
display-only suggestion with the generated code.

## Example

```python
# before
with ResourceCleanup(rlor_mgr, deploy_mgr) as cleanup:
    infra = setup_infra(
        rlor_mgr=rlor_mgr,
        deploy_mgr=deploy_mgr,
        base_model=base_model,
        infra_cfg=infra_cfg,
        role_prefix="sft",
        api_key=api_key,
        cleanup=cleanup,
    )
    train(infra.policy)

# after (--unsafe-fixes, target 2026.08)
service = build_service_client(
    api_key=api_key,
    base_url=os.environ.get("FIREWORKS_BASE_URL", "https://api.fireworks.ai"),
    additional_headers=None,
    base_model=base_model,
    tokenizer_model=None,
    max_lora_rank=0,
    max_context_length=None,
    learning_rate=1e-5,
    trainer=infra_cfg,
    cleanup_trainer_on_close=True,
)
try:
    policy_client = ReconnectableClient.from_training_client(
        service.create_training_client(base_model, lora_rank=0),
        base_model=base_model,
        job_id=service.trainer_job_id,
        service=service,
    )
    train(policy_client)
finally:
    service.close()
```
"#,
};

impl Rule for SetupInfra {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        // Before the move to SDK provisioning the old surface is the target's own API.
        if !fwmigrate_rule::provisions_through_sdk(ctx.target) {
            return;
        }
        // One rewrite per file and pass: rewrites re-indent whole blocks.
        let whole_file = TextRange::up_to(TextSize::of(ctx.source()));
        for_each_call(ctx.file.suite(), |call| {
            if !calls_utils(ctx, call, "setup_infra") {
                return;
            }
            let analysis = analyze(ctx, call);
            let title = "Replace `setup_infra(...)` with `build_service_client(...)` and the service's clients";
            let fix = match analysis.fix {
                Ok(rewrite) => Fix::unsafe_edits(title, rewrite.edits)
                    .with_suggestion(analysis.suggestion)
                    .with_reason(
                        "the service provisions lazily and closes its clients when the block ends",
                    )
                    .with_isolation(Some(whole_file)),
                Err(reason) => Fix::display_only(title, Some(analysis.suggestion), reason),
            };
            findings.push(Finding::new(&META, call.range(), analysis.message).with_fix(fix));
        });
    }
}
