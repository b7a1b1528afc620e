//! FW605 `sdk-behaviour-change`: what fails, or no longer does what it did, at the selected SDK
//! release.

use fwmigrate_rule::api::index::{ApiView, COOKBOOK_PACKAGE, Resolved, SDK_PACKAGE};
use fwmigrate_rule::ast::visitor::{self, Visitor};
use fwmigrate_rule::ast::{self, Expr, FStringPart, InterpolatedStringElement, Stmt};
use fwmigrate_rule::semantic::names::strip_module_prefix;
use fwmigrate_rule::semantic::types::{TypeIndex, table_path};
use fwmigrate_rule::walk::{for_each_call, for_each_stmt};
use fwmigrate_rule::{ALL_TARGETS, Context, Finding, Ranged, Rule, RuleCode, RuleMeta, Severity};

use crate::common::{Callee, NEEDLES, argument, bound_value, callee, is_none, positional, view};

pub struct SdkBehaviourChange;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW605"),
    name: "sdk-behaviour-change",
    family: fwmigrate_rule::Family::Conformance,
    severity: Severity::Error,
    fix: None,
    targets: ALL_TARGETS,
    requires_import: true,
    needles: NEEDLES,
    summary: "SDK usage that fails, or no longer does what it did, at the selected fireworks-ai release.",
    explanation: r#"## What it finds

Code that worked with older `fireworks-ai` releases and fails, or silently does something else,
at the selected release (`--sdk-version`; default: what the project's own `fireworks-ai` pin
admits, else the newest known release in the target's range). Each fact was read in the SDK's
source; the messages quote its errors.

- From 1.2.25, `ttl_seconds=` (or its positional slot) on `FiretitanTrainingClient.save_state`,
  `save_state_async`, `save_weights_for_sampler`, `save_weights_for_sampler_async` and
  `save_weights_for_sampler_ext` raises `NotImplementedError`: "Fireworks training does not
  support checkpoint ttl_seconds. Checkpoint retention is managed separately from save
  operations."
- From 1.2.25, `project_id=` on `FiretitanServiceClient(...)` (or its second positional
  argument) and on `FiretitanServiceClient.from_firetitan_config(...)` raises
  `NotImplementedError`: "Fireworks training does not support Tinker project assignment."
- From 1.2.25, `except tinker.APIStatusError` (or any other exception class of `tinker`) around
  a call of the SDK or the cookbook no longer catches the SDK's errors: the SDK raises its own
  classes (`fireworks.training.sdk.APIStatusError`, ...) and no longer installs `tinker`. This
  finding is a **warning**; the others are errors.
- From 1.2.10, a checkpoint path with a scheme (`gs://...`, `s3://...`; `cross_job://` is the
  one accepted) or an absolute path (`/mnt/ckpt/step-10`) passed to `load_state`,
  `load_state_with_optimizer` (and their `_async` forms) or `resolve_checkpoint_path` raises
  `ValueError`: "checkpoint path must be a logical name or opaque cross_job:// reference".
  1.2.9 passed such paths through. The path must be a string literal, an f-string whose literal
  start shows it, or a name assigned once to one.

Methods are matched only on receivers of known type (assigned from an SDK or cookbook call whose
return type the tables know, or annotated), and keywords only on calls whose callee resolves:
the user's own `save_state` or `load_state` is never reported. A `None` literal counts as not
given.

The SDK functions removed in 1.2.25 (`install_tinker_service_client`,
`patched_tinker_service_client`, `restore_tinker_service_client`, the module
`fireworks.training.sdk.tinker_compat`, and the methods `save_weights_and_get_sampling_client`,
`..._async` and `..._submit`) are reported by FW601 (the import) and FW602 (the attribute or
method), whose messages name the release that removed them ("removed in fireworks-ai 1.2.25
(1.2.24 still has it)"). This rule does not report them again: one problem, one finding.

fwmigrate knows the SDK from its tabled releases (1.2.0a74, 1.2.9, 1.2.10, 1.2.12, 1.2.25,
1.2.30); a release between two of them is checked as the older one. "From 1.2.25" means: the
1.2.25 wheel has it and the 1.2.12 wheel does not.

## Why it matters

These are failures the script meets only at run time, often after minutes of provisioning, or
(for the `except`) error handling that silently stops working.

## Fix safety

**None**: what to do instead (drop the TTL and manage retention separately, drop the project,
catch the SDK's classes, pass a logical checkpoint name) depends on the run.

## Example

```python
training_client = service.create_training_client(base_model, lora_rank=16)
training_client.save_state("step-10", ttl_seconds=3600)  # FW605 at fireworks-ai 1.2.25 and later
training_client.load_state("gs://bucket/run/step-10")  # FW605 at fireworks-ai 1.2.10 and later
```
"#,
};

const TTL_MESSAGE: &str = "Fireworks training does not support checkpoint ttl_seconds. Checkpoint retention is managed separately from save operations.";
const PROJECT_MESSAGE: &str = "Fireworks training does not support Tinker project assignment. Use Fireworks account and trainer identifiers.";
const PATH_MESSAGE: &str =
    "checkpoint path must be a logical name or opaque cross_job:// reference";

/// `FiretitanTrainingClient` methods that reject `ttl_seconds` from 1.2.25.
const TTL_METHODS: &[&str] = &[
    "save_state",
    "save_state_async",
    "save_weights_for_sampler",
    "save_weights_for_sampler_async",
    "save_weights_for_sampler_ext",
];

/// `FiretitanTrainingClient` methods that validate their checkpoint reference from 1.2.10, with
/// the parameter that holds it.
const PATH_METHODS: &[(&str, &str)] = &[
    ("load_state", "path"),
    ("load_state_async", "path"),
    ("load_state_with_optimizer", "path"),
    ("load_state_with_optimizer_async", "path"),
    ("resolve_checkpoint_path", "checkpoint_name"),
];

/// `tinker`'s exception classes (tinker 0.22.2 and 0.23.0, the releases the SDK pinned before
/// 1.2.25), with the SDK's own class of the same role and the exported class that catches it
/// when the SDK does not export that one.
const TINKER_EXCEPTIONS: &[(&str, &str, &str)] = &[
    ("TinkerError", "TrainingError", "TrainingError"),
    ("APIError", "APIError", "TrainingError"),
    ("APIStatusError", "APIStatusError", "APIError"),
    ("APIConnectionError", "APIConnectionError", "APIError"),
    ("APITimeoutError", "APITimeoutError", "APIConnectionError"),
    (
        "APIResponseValidationError",
        "APIResponseValidationError",
        "APIError",
    ),
    ("BadRequestError", "BadRequestError", "APIStatusError"),
    (
        "AuthenticationError",
        "AuthenticationError",
        "APIStatusError",
    ),
    (
        "PermissionDeniedError",
        "PermissionDeniedError",
        "APIStatusError",
    ),
    ("NotFoundError", "NotFoundError", "APIStatusError"),
    ("ConflictError", "ConflictError", "APIStatusError"),
    (
        "UnprocessableEntityError",
        "UnprocessableEntityError",
        "APIStatusError",
    ),
    ("RateLimitError", "RateLimitError", "APIStatusError"),
    (
        "InternalServerError",
        "InternalServerError",
        "APIStatusError",
    ),
    ("RequestFailedError", "RequestFailedError", "TrainingError"),
    ("SidecarError", "SidecarError", "TrainingError"),
    (
        "SidecarStartupError",
        "SidecarStartupError",
        "TrainingError",
    ),
    ("SidecarDiedError", "SidecarDiedError", "TrainingError"),
    ("SidecarIPCError", "SidecarIPCError", "TrainingError"),
];

impl Rule for SdkBehaviourChange {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        let (from_1_2_10, from_1_2_25) = (
            ctx.sdk_version
                .at_least(fwmigrate_rule::SdkVersion::new(1, 2, 10)),
            ctx.sdk_version
                .at_least(fwmigrate_rule::SdkVersion::new(1, 2, 25)),
        );
        if !from_1_2_10 {
            return;
        }
        let view = view(ctx);
        let types = ctx.types();
        for_each_call(ctx.file.suite(), |call| {
            let Some(callee) = callee(ctx, &view, types, call) else {
                return;
            };
            if from_1_2_25 {
                ttl_seconds(ctx, &callee, call, findings);
                project_id(ctx, &callee, call, findings);
            }
            checkpoint_path(ctx, &callee, call, findings);
        });
        if from_1_2_25 {
            for_each_stmt(ctx.file.suite(), |stmt| {
                if let Stmt::Try(t) = stmt {
                    tinker_handlers(ctx, &view, types, t, findings);
                }
            });
        }
    }
}

fn ttl_seconds(ctx: &Context, callee: &Callee, call: &ast::ExprCall, findings: &mut Vec<Finding>) {
    let Some(method) = TTL_METHODS
        .iter()
        .find(|m| callee.is_sdk("FiretitanTrainingClient", m))
    else {
        return;
    };
    let Some((value, range)) = argument(callee.sig.as_ref(), call, "ttl_seconds") else {
        return;
    };
    if is_none(ctx, value) {
        return;
    }
    findings.push(Finding::new(
        &META,
        range,
        format!(
            "`{method}(...)`: `ttl_seconds` raises NotImplementedError at fireworks-ai {} (from 1.2.25): \"{TTL_MESSAGE}\"",
            ctx.sdk_version
        ),
    ));
}

fn project_id(ctx: &Context, callee: &Callee, call: &ast::ExprCall, findings: &mut Vec<Finding>) {
    let found = if callee.is_sdk("FiretitanServiceClient", "") {
        // `__init__(self, *args, api_key=None, **kwargs)` reads `project_id` from the keywords or
        // the second positional argument (tinker's `ServiceClient(user_metadata, project_id)`).
        argument(None, call, "project_id").or_else(|| positional(call, 1).map(|e| (e, e.range())))
    } else if callee.is_sdk("FiretitanServiceClient", "from_firetitan_config") {
        argument(None, call, "project_id")
    } else {
        return;
    };
    let Some((value, range)) = found else {
        return;
    };
    if is_none(ctx, value) {
        return;
    }
    findings.push(Finding::new(
        &META,
        range,
        format!(
            "`{}(...)`: `project_id` raises NotImplementedError at fireworks-ai {} (from 1.2.25): \"{PROJECT_MESSAGE}\"",
            ctx.slice(call.func.range()),
            ctx.sdk_version
        ),
    ));
}

fn checkpoint_path(
    ctx: &Context,
    callee: &Callee,
    call: &ast::ExprCall,
    findings: &mut Vec<Finding>,
) {
    let Some((method, param)) = PATH_METHODS
        .iter()
        .find(|(m, _)| callee.is_sdk("FiretitanTrainingClient", m))
    else {
        return;
    };
    let Some((value, range)) = argument(callee.sig.as_ref(), call, param) else {
        return;
    };
    let Some(start) = literal_start(bound_value(ctx, value)) else {
        return;
    };
    // The SDK strips the reference, accepts `cross_job://<job>/<name>`, and rejects an absolute
    // path or any other `scheme://`.
    let start = start.trim_start();
    let what = if start.starts_with("cross_job://") {
        return;
    } else if start.starts_with('/') {
        "an absolute path"
    } else if has_scheme(start) {
        "a path with a scheme"
    } else {
        return;
    };
    findings.push(Finding::new(
        &META,
        range,
        format!(
            "`{method}` is given {what}, which fireworks-ai {} rejects with a ValueError (from 1.2.10): \"{PATH_MESSAGE}\"; pass the checkpoint's logical name (what `save_state` returned) or a `cross_job://` reference.",
            ctx.sdk_version
        ),
    ));
}

/// The literal text a string starts with: a whole string literal, or the start of an f-string
/// up to its first replacement field.
fn literal_start(expr: &Expr) -> Option<String> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        Expr::FString(f) => {
            let mut prefix = String::new();
            for part in f.value.iter() {
                match part {
                    FStringPart::Literal(lit) => prefix.push_str(&lit.value),
                    FStringPart::FString(fs) => {
                        for element in fs.elements.iter() {
                            match element {
                                InterpolatedStringElement::Literal(lit) => {
                                    prefix.push_str(&lit.value)
                                }
                                InterpolatedStringElement::Interpolation(_) => {
                                    return Some(prefix);
                                }
                            }
                        }
                    }
                }
            }
            Some(prefix)
        }
        _ => None,
    }
}

/// Whether a text starts with `scheme://`, as the SDK matches it (`^[A-Za-z][A-Za-z0-9+.-]*://`).
fn has_scheme(text: &str) -> bool {
    let Some((scheme, _)) = text.split_once("://") else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
}

/// `except tinker.APIStatusError:` on a `try:` whose body calls the SDK or the cookbook.
fn tinker_handlers(
    ctx: &Context,
    view: &ApiView,
    types: &TypeIndex,
    stmt: &ast::StmtTry,
    findings: &mut Vec<Finding>,
) {
    let mut tinker: Vec<(&Expr, &str, &str, &str)> = Vec::new();
    for handler in &stmt.handlers {
        let ast::ExceptHandler::ExceptHandler(h) = handler;
        let Some(ty) = h.type_.as_deref() else {
            continue;
        };
        let classes: Vec<&Expr> = match ty {
            Expr::Tuple(t) => t.elts.iter().collect(),
            other => vec![other],
        };
        // A handler that also names an SDK class was written for both.
        let names_sdk = classes
            .iter()
            .any(|c| table_path(ctx.semantic, c).is_some_and(|p| inside(&p, SDK_PACKAGE)));
        if names_sdk {
            continue;
        }
        for class in classes {
            if let Some((old, new, base)) = tinker_exception(ctx, class) {
                tinker.push((class, old, new, base));
            }
        }
    }
    if tinker.is_empty() || !calls_fireworks(ctx, view, types, &stmt.body) {
        return;
    }
    for (class, old, new, base) in tinker {
        let exported = |name: &str| {
            matches!(
                view.resolve(&format!("{SDK_PACKAGE}.{name}")),
                Resolved::Class(_)
            )
        };
        let instead = if exported(new) {
            format!("catch `{SDK_PACKAGE}.{new}`")
        } else if exported(base) {
            format!(
                "catch `{SDK_PACKAGE}.{base}` (the SDK's `{new}` derives from it and is not exported)"
            )
        } else {
            "catch the SDK's exception classes".to_string()
        };
        findings.push(
            Finding::new(
                &META,
                class.range(),
                format!(
                    "`except {}` no longer catches the SDK's errors at fireworks-ai {}: from 1.2.25 the SDK raises its own classes instead of `tinker.{old}` (and no longer installs `tinker`); {instead}.",
                    ctx.slice(class.range()),
                    ctx.sdk_version
                ),
            )
            .with_severity(Severity::Warning),
        );
    }
}

/// The `tinker` exception class an expression names, with its SDK counterparts.
fn tinker_exception(
    ctx: &Context,
    expr: &Expr,
) -> Option<(&'static str, &'static str, &'static str)> {
    let qualified = ctx.semantic.qualified_name(expr)?;
    let rest = qualified.strip_prefix("tinker.")?;
    let name = rest.strip_prefix("_exceptions.").unwrap_or(rest);
    TINKER_EXCEPTIONS
        .iter()
        .find(|(old, _, _)| *old == name)
        .copied()
}

/// Whether a `try:` body calls the SDK, or a cookbook function (which calls the SDK), outside
/// nested function and class bodies.
fn calls_fireworks(ctx: &Context, view: &ApiView, types: &TypeIndex, body: &[Stmt]) -> bool {
    struct Calls<'a, 'b> {
        ctx: &'b Context<'a>,
        view: &'b ApiView,
        types: &'b TypeIndex<'b>,
        found: bool,
    }
    impl<'x> Visitor<'x> for Calls<'_, '_> {
        fn visit_stmt(&mut self, stmt: &'x Stmt) {
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) && !self.found {
                visitor::walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'x Expr) {
            if self.found || expr.is_lambda_expr() {
                return;
            }
            if let Expr::Call(call) = expr
                && let Some(callee) = callee(self.ctx, self.view, self.types, call)
            {
                let sdk = inside(&callee.path, SDK_PACKAGE);
                let cookbook_function = inside(&callee.path, COOKBOOK_PACKAGE)
                    && !matches!(self.view.resolve(&callee.path), Resolved::Class(_));
                if sdk || cookbook_function {
                    self.found = true;
                    return;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut v = Calls {
        ctx,
        view,
        types,
        found: false,
    };
    v.visit_body(body);
    v.found
}

/// Whether the dotted name lies strictly inside `package`.
fn inside(path: &str, package: &str) -> bool {
    strip_module_prefix(path, package).is_some_and(|rest| !rest.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::check_at;
    use fwmigrate_rule::Target;

    const SCRIPT: &str = "\
import tinker
from fireworks.training.sdk import FiretitanServiceClient
service = FiretitanServiceClient.from_firetitan_config(api_key='k', base_model='m')
client = service.create_training_client('m', lora_rank=16)
client.load_state('gs://bucket/run/step-10')
client.save_state('step-11', ttl_seconds=3600)
FiretitanServiceClient(api_key='k', project_id='p')
try:
    client.optim_step(None)
except tinker.RateLimitError:
    pass
";

    fn found(sdk: &str) -> Vec<(usize, Severity)> {
        check_at(&SdkBehaviourChange, SCRIPT, Target::named("2026.08"), sdk)
            .into_iter()
            .map(|f| {
                let line = SCRIPT[..usize::from(f.range.start())].lines().count();
                (line, f.severity.unwrap_or(META.severity))
            })
            .collect()
    }

    #[test]
    fn version_gates() {
        // 1.2.9 accepted bucket paths, TTLs, projects and tinker's exceptions.
        assert_eq!(found("1.2.9"), []);
        // 1.2.10 and 1.2.12 (and 1.2.20, which has 1.2.12's surface) reject the bucket path.
        assert_eq!(found("1.2.10"), [(5, Severity::Error)]);
        assert_eq!(found("1.2.20"), [(5, Severity::Error)]);
        // 1.2.25 rejects the TTL and the project, and raises its own exceptions.
        assert_eq!(
            found("1.2.25"),
            [
                (5, Severity::Error),
                (6, Severity::Error),
                (7, Severity::Error),
                (10, Severity::Warning)
            ]
        );
    }

    #[test]
    fn suggests_the_exported_class() {
        let findings = check_at(
            &SdkBehaviourChange,
            SCRIPT,
            Target::named("2026.08"),
            "1.2.30",
        );
        let except = findings.last().unwrap();
        assert!(
            except.message.contains(
                "catch `fireworks.training.sdk.APIStatusError` (the SDK's `RateLimitError` derives from it"
            ),
            "{}",
            except.message
        );
    }

    #[test]
    fn schemes_as_the_sdk_matches_them() {
        assert!(has_scheme("gs://b/x"));
        assert!(has_scheme("s3+v2://b/x"));
        assert!(!has_scheme("step-10"));
        assert!(!has_scheme("accounts/a/run-1/step"));
        assert!(!has_scheme("cross_job://job/step"));
        assert!(!has_scheme("1gs://x"));
    }
}
