//! FW201–FW206 in provisioning YAML files: the same problems as in Python, on the keys of the
//! sections a recipe reads (see `fwmigrate_yaml::provision`). A section no recipe names is read
//! by nothing and not checked.

use fwmigrate_rule::yaml::{YamlCx, YamlRule};
use fwmigrate_rule::{Applicability, Edit, Finding, Fix, RuleMeta, Severity, TextRange, TextSize};
use fwmigrate_yaml::EntryRef;
use fwmigrate_yaml::provision::SectionKind;

const FED: &[SectionKind] = &[
    SectionKind::Common,
    SectionKind::Recipe,
    SectionKind::Trainer,
    SectionKind::Deployment,
    SectionKind::Nested,
];

/// FW201: `accelerator_type:` / `accelerator_count:` where a config class receives them.
pub static FW201: YamlRule = YamlRule {
    meta: &crate::fw201::META,
    check: |cx, findings| {
        let rejected = &cx.file.model.rejected_everywhere;
        for (_, r) in cx.keys(FED) {
            let key = cx.key(r);
            if !crate::fw201::FIELDS.contains(&key) {
                continue;
            }
            let target = cx.ctx.target;
            let (effect, severity) = if rejected.iter().any(|k| k == key) {
                (
                    format!("makes provision.py raise TypeError at {target}"),
                    Severity::Error,
                )
            } else {
                (
                    format!("is accepted and ignored at {target}"),
                    Severity::Warning,
                )
            };
            let message = format!(
                "`{}` {effect}: {}. Delete it.",
                cx.written(r),
                crate::fw201::ADVICE
            );
            findings.push(
                cx.finding(&crate::fw201::META, r, message)
                    .with_severity(severity)
                    .with_fix_opt(cx.delete(r, Applicability::Safe)),
            );
        }
    },
};

/// FW202 / FW203: a trainer key the training shape makes pointless, unless it is null.
fn trainer_key(
    cx: &YamlCx,
    findings: &mut Vec<Finding>,
    meta: &'static RuleMeta,
    key: &str,
    why: &str,
) {
    for (_, r) in cx.keys(&[SectionKind::Trainer]) {
        if cx.key(r) != key || cx.is_null(r) {
            continue;
        }
        let message = format!("`{}` in a trainer section: {why}", cx.written(r));
        let fix = cx
            .delete(r, Applicability::Unsafe)
            .map(|f| f.with_reason("the training shape decides it instead; review the shape"));
        findings.push(cx.finding(meta, r, message).with_fix_opt(fix));
    }
}

pub static FW202: YamlRule = YamlRule {
    meta: &crate::fw202::META,
    check: |cx, findings| {
        trainer_key(
            cx,
            findings,
            &crate::fw202::META,
            "node_count",
            "the training shape sets the node count.",
        );
    },
};

pub static FW203: YamlRule = YamlRule {
    meta: &crate::fw203::META,
    check: |cx, findings| {
        trainer_key(
            cx,
            findings,
            &crate::fw203::META,
            "custom_image_tag",
            "the training shape pins the trainer image; a hand-set tag overrides it.",
        );
    },
};

/// FW204: a hand-set deployment shape or accelerator in a deployment section.
pub static FW204: YamlRule = YamlRule {
    meta: &crate::fw204::META,
    check: |cx, findings| {
        for (_, r) in cx.keys(&[SectionKind::Deployment]) {
            if cx.is_null(r) {
                continue;
            }
            let written = cx.written(r);
            let target = cx.ctx.target;
            let finding = match cx.key(r) {
                "deployment_accelerator_type" => cx
                    .finding(
                        &crate::fw204::META,
                        r,
                        format!(
                            "`{written}` is ignored at {target}: the deployment shape the SDK \
                             resolves decides the accelerator. Delete it."
                        ),
                    )
                    .with_fix_opt(cx.delete(r, Applicability::Safe)),
                "deployment_shape" => cx.finding(
                    &crate::fw204::META,
                    r,
                    format!(
                        "`{written}` pins the deployment shape by hand: leave it null, the SDK \
                         resolves the versioned deployment shape from the training profile."
                    ),
                ),
                _ => continue,
            };
            findings.push(finding);
        }
    },
};

/// The training shape keys: a trainer's own and its reference's.
fn shape_keys<'a>(cx: &'a YamlCx) -> impl Iterator<Item = (EntryRef, &'a str)> + 'a {
    cx.keys(&[SectionKind::Trainer, SectionKind::Reference])
        .into_iter()
        .filter(|(kind, r)| {
            let key = cx.key(*r);
            key == "training_shape_id"
                || (*kind == SectionKind::Trainer && key == "reference_training_shape_id")
        })
        .filter_map(|(_, r)| cx.value(r).map(|v| (r, v)))
}

/// FW205: a training shape pinned to `/versions/<n>`.
pub static FW205: YamlRule = YamlRule {
    meta: &crate::fw205::META,
    check: |cx, findings| {
        for (r, value) in shape_keys(cx) {
            let Some((suffix, version)) = crate::fw205::versioned_training_shape(value) else {
                continue;
            };
            let message = format!(
                "`{}` pins training shape version {version}: the SDK resolves the latest \
                 validated version; use the unversioned name.",
                cx.written(r)
            );
            let fix = unpin(cx, r, suffix);
            findings.push(
                cx.finding(&crate::fw205::META, r, message)
                    .with_fix_opt(fix),
            );
        }
    },
};

/// Strip `/versions/<n>` from the value as written (plain or quoted, on one line).
fn unpin(cx: &YamlCx, r: EntryRef, suffix: &str) -> Option<Fix> {
    let node = cx.file.yaml.node(cx.file.yaml.entry(r).value);
    let written = &cx.ctx.text[node.range];
    let at = written.rfind(suffix)?;
    if written.contains('\n')
        || !written[at + suffix.len()..]
            .trim_matches(['"', '\''])
            .is_empty()
    {
        return None;
    }
    let start = node.range.start() + TextSize::new(at as u32);
    let range = TextRange::at(start, TextSize::new(suffix.len() as u32));
    Some(
        Fix::unsafe_edits(format!("Remove `{suffix}`"), vec![Edit::deletion(range)])
            .with_reason("the run then uses the shape's current version instead of the pinned one"),
    )
}

/// FW206: a short training shape id (not `accounts/<a>/trainingShapes/<s>`).
pub static FW206: YamlRule = YamlRule {
    meta: &crate::fw206::META,
    check: |cx, findings| {
        for (r, value) in shape_keys(cx) {
            if value.is_empty() || crate::fw206::is_full_shape_name(value) {
                continue;
            }
            let message = format!(
                "`{}` is not a full training shape name: the SDK expects \
                 `accounts/<account>/trainingShapes/<shape>`.",
                cx.written(r)
            );
            findings.push(cx.finding(&crate::fw206::META, r, message));
        }
    },
};
