//! FW203 `trainer-image-tag`: `custom_image_tag=` next to a training shape.

use fwmigrate_rule::{ALL_TARGETS, Applicability, RuleCode, RuleMeta, Severity};

use crate::trainer_keyword::TrainerKeyword;

/// The rule: `custom_image_tag=` on the trainer config.
pub static TRAINER_IMAGE_TAG: TrainerKeyword = TrainerKeyword {
    meta: &META,
    keyword: "custom_image_tag",
    requires_shape: true,
    message: |what, shape| {
        format!(
            "{what} next to `{}`: the training shape owns the trainer image. Delete the tag to \
             run the image the shape was validated with.",
            shape.unwrap_or_default()
        )
    },
    reason: "the trainer will run the shape's image instead of the custom tag",
};

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW203"),
    name: "trainer-image-tag",
    family: fwmigrate_rule::Family::Shapes,
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &["custom_image_tag"],
    summary: "`custom_image_tag=` on a trainer config that also sets `training_shape_id`: the shape owns the image.",
    explanation: r#"## What it finds

`custom_image_tag=` passed to the cookbook's `TrainerConfig(...)` or legacy
`InfraConfig(...)` in a call that also sets `training_shape_id=` (to anything but `None`).
Without a shape in the same call there is no finding: the tag may be what the trainer runs.

## Why it matters

A validated training shape pins the trainer image. A custom tag next to it either conflicts with
the shape or silently runs an image the shape was not validated with.

## What counts as the cookbook's config

Only a callee that resolves to `TrainerConfig` / `InfraConfig` from a cookbook utils module
(plain, aliased, module-qualified, or imported inside a function). Look-alikes and unresolved
callees get no finding.

## Fix safety

**Unsafe**: the fix deletes the keyword; unsafe because the trainer then runs the shape's image
instead of the one the script asked for.

## Example

```python
# before
TrainerConfig(training_shape_id=SHAPE, custom_image_tag="2026-05-01")
# after (--unsafe-fixes)
TrainerConfig(training_shape_id=SHAPE)
```
"#,
};
