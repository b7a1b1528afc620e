//! FW202 `trainer-node-count`: `node_count=` on the trainer config.

use fwmigrate_rule::{ALL_TARGETS, Applicability, RuleCode, RuleMeta, Severity};

use crate::trainer_keyword::TrainerKeyword;

/// The rule: `node_count=` on the trainer config.
pub static TRAINER_NODE_COUNT: TrainerKeyword = TrainerKeyword {
    meta: &META,
    keyword: "node_count",
    requires_shape: false,
    message: |what, _| {
        format!(
            "{what} is ignored by the current SDK: the training shape decides the node count. \
             Delete it, and pick a larger training shape if you need more capacity."
        )
    },
    reason: "removes a value the script set; check the shape's capacity",
};

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW202"),
    name: "trainer-node-count",
    family: fwmigrate_rule::Family::Shapes,
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &["node_count"],
    summary: "`node_count=` on the trainer config is ignored by the current SDK.",
    explanation: r#"## What it finds

`node_count=` passed to the cookbook's `TrainerConfig(...)` or legacy
`InfraConfig(...)`.

## Why it matters

The current SDK ignores the field: the training shape decides how many nodes a trainer gets. A
script that sets it suggests a multi-node run that does not happen.

## What counts as the cookbook's config

Only a callee that resolves to `TrainerConfig` / `InfraConfig` from a cookbook utils module
(plain, aliased, module-qualified, or imported inside a function). A local class of the same
name or a callee that does not resolve gets no finding; so does the SDK's own
`TrainerJobConfig`, which is not this config.

## Fix safety

**Unsafe**: the fix deletes the keyword. It is unsafe because it removes a value the author chose:
check that the training shape gives the capacity you expect (pick a larger shape if not).

## Example

```python
# before
TrainerConfig(training_shape_id=SHAPE, node_count=2)
# after (--unsafe-fixes)
TrainerConfig(training_shape_id=SHAPE)
```
"#,
};
