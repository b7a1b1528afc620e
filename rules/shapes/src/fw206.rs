//! FW206 `short-shape-id`: a training shape given by a short id.

use fwmigrate_rule::ast::Expr;
use fwmigrate_rule::message::{callee_text, snippet};
use fwmigrate_rule::walk::{for_each_call, fstring_pieces, keyword_name};
use fwmigrate_rule::{ALL_TARGETS, Context, Finding, Ranged, Rule, RuleCode, RuleMeta, Severity};

pub struct ShortShapeId;

const KEYWORDS: &[&str] = &[
    "training_shape_id",
    "reference_training_shape_id",
    "ref_training_shape_id",
];

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW206"),
    name: "short-shape-id",
    family: fwmigrate_rule::Family::Shapes,
    severity: Severity::Error,
    fix: None,
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &["training_shape_id"],
    summary: "A training shape passed as a short id instead of `accounts/<a>/trainingShapes/<s>`.",
    explanation: r#"## What it finds

A string literal passed as `training_shape_id=`, `reference_training_shape_id=` or
`ref_training_shape_id=` that is not a full training shape name
`accounts/<a>/trainingShapes/<s>` (a versioned name is full too; FW205 reports the version). An
f-string is reported when its leading literal text already rules out the `accounts/` prefix
(`f"ts-{size}-policy"`). Empty strings and non-literal values are not checked.

## Why it matters

The SDK rejects short ids such as `"ts-qwen3-8b-policy"`; the run fails at provisioning time,
after the script has already done its setup work.

## What counts as a shape keyword

The keyword must belong to a call whose callee resolves to the cookbook or the SDK
(`TrainerConfig`, `InfraConfig`, `create_trainer_job`, SDK classes, ...; plain, aliased or
module-qualified). Another library's `training_shape_id=` is left alone.

## Fix safety

**None**: only you know the account that owns the shape. Public shapes live under
`accounts/fireworks/trainingShapes/`.

## Example

```python
# before
TrainerConfig(training_shape_id="ts-qwen3-8b-policy")
# after (by hand)
TrainerConfig(training_shape_id="accounts/fireworks/trainingShapes/ts-qwen3-8b-policy")
```
"#,
};

/// `accounts/<a>/trainingShapes/<s>`, optionally followed by `/versions/<v>`.
pub fn is_full_shape_name(value: &str) -> bool {
    let parts: Vec<&str> = value.split('/').collect();
    let base = parts.len() >= 4
        && parts[0] == "accounts"
        && parts[2] == "trainingShapes"
        && !parts[1].is_empty()
        && !parts[3].is_empty();
    base && (parts.len() == 4
        || (parts.len() == 6 && parts[4] == "versions" && !parts[5].is_empty()))
}

/// The literal text an f-string starts with, if it starts with literal text.
fn fstring_prefix(expr: &Expr) -> Option<String> {
    let Expr::FString(f) = expr else {
        return None;
    };
    Some(
        fstring_pieces(f)
            .into_iter()
            .map_while(|piece| piece)
            .collect(),
    )
}

impl Rule for ShortShapeId {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        for_each_call(ctx.file.suite(), |call| {
            if ctx.semantic.resolve_call(call).is_none() {
                return;
            }
            for kw in &call.arguments.keywords {
                if !keyword_name(kw).is_some_and(|n| KEYWORDS.contains(&n)) {
                    continue;
                }
                let suggestion = match &kw.value {
                    Expr::StringLiteral(s) => {
                        let value = s.value.to_str();
                        if value.is_empty() || is_full_shape_name(value) {
                            continue;
                        }
                        if value.contains('/') || value.chars().any(char::is_whitespace) {
                            "`accounts/<account>/trainingShapes/<shape>`".to_string()
                        } else {
                            format!("`accounts/<account>/trainingShapes/{value}`")
                        }
                    }
                    value @ Expr::FString(_) => {
                        let Some(prefix) = fstring_prefix(value) else {
                            continue;
                        };
                        let compatible = prefix.starts_with("accounts/")
                            || "accounts/".starts_with(prefix.as_str());
                        if compatible {
                            continue;
                        }
                        "`accounts/<account>/trainingShapes/<shape>`".to_string()
                    }
                    _ => continue,
                };
                let message = format!(
                    "`{}` on `{}(...)` is not a full training shape name: the SDK rejects short \
                     ids. Pass {suggestion} (public shapes are under \
                     `accounts/fireworks/trainingShapes/`).",
                    snippet(ctx, kw.range()),
                    callee_text(ctx, call)
                );
                findings.push(Finding::new(&META, kw.value.range(), message));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::is_full_shape_name;

    #[test]
    fn full_names() {
        assert!(is_full_shape_name(
            "accounts/fireworks/trainingShapes/qwen3-8b"
        ));
        assert!(is_full_shape_name(
            "accounts/fireworks/trainingShapes/qwen3-8b/versions/7"
        ));
        assert!(!is_full_shape_name("ts-qwen3-8b-policy"));
        assert!(!is_full_shape_name("fireworks/trainingShapes/qwen3-8b"));
        assert!(!is_full_shape_name("accounts/fireworks/trainingShapes/"));
        assert!(!is_full_shape_name("accounts/fireworks/deploymentShapes/q"));
        assert!(!is_full_shape_name("accounts/fireworks/trainingShapes/q/x"));
    }
}
