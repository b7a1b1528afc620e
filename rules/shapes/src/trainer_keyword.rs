//! The one implementation behind FW202 and FW203: a keyword on the cookbook's trainer config
//! (`TrainerConfig(...)` / legacy `InfraConfig(...)`) that the training shape makes pointless,
//! reported with an unsafe fix that deletes it.

use fwmigrate_rule::message::{callee_text, snippet};
use fwmigrate_rule::parser::edits::delete_argument;
use fwmigrate_rule::walk::{for_each_call, is_none, keyword};
use fwmigrate_rule::{Context, Finding, Fix, Ranged, Rule, RuleMeta};

use crate::common::trainer_class;

/// A rule that reports `keyword=` on the trainer config.
pub struct TrainerKeyword {
    pub meta: &'static RuleMeta,
    /// The keyword reported (`node_count`).
    pub keyword: &'static str,
    /// Report it only in a call that also sets `training_shape_id=` (to anything but `None`).
    pub requires_shape: bool,
    /// The message, from the quoted keyword and callee (`` `node_count=2` on `TrainerConfig(...)` ``)
    /// and, with `requires_shape`, the quoted shape keyword.
    pub message: fn(what: &str, shape: Option<&str>) -> String,
    /// Why the deletion is unsafe.
    pub reason: &'static str,
}

impl Rule for TrainerKeyword {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        // Before the move to SDK provisioning the old surface is the target's own API.
        if !fwmigrate_rule::provisions_through_sdk(ctx.target) {
            return;
        }
        for_each_call(ctx.file.suite(), |call| {
            if trainer_class(ctx, call).is_none() {
                return;
            }
            let Some(kw) = keyword(call, self.keyword) else {
                return;
            };
            let shape = keyword(call, "training_shape_id").filter(|k| !is_none(&k.value));
            if self.requires_shape && shape.is_none() {
                return;
            }
            let what = format!(
                "`{}` on `{}(...)`",
                snippet(ctx, kw.range()),
                callee_text(ctx, call)
            );
            let shape = shape
                .filter(|_| self.requires_shape)
                .map(|k| snippet(ctx, k.range()));
            let message = (self.message)(&what, shape.as_deref());
            let edit = delete_argument(ctx.file, &call.arguments, kw.range());
            let fix = Fix::unsafe_edits(format!("Delete `{}=`", self.keyword), vec![edit])
                .with_reason(self.reason);
            findings.push(Finding::new(self.meta, kw.range(), message).with_fix(fix));
        });
    }
}
