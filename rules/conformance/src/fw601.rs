//! FW601 `missing-name`: an import of a cookbook or SDK module or name that the target does not
//! have (an `ImportError`).

use fwmigrate_rule::api::REMOVED_UTILS;
use fwmigrate_rule::api::index::{ApiView, COOKBOOK_PACKAGE, Resolved};
use fwmigrate_rule::ast::{self, Stmt};
use fwmigrate_rule::semantic::types::to_table_path;
use fwmigrate_rule::walk::for_each_stmt;
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Edit, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta,
    Severity, TextRange,
};

use crate::common::{NEEDLES, at, history_note, in_scope, moved, seen, view};

pub struct MissingName;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW601"),
    name: "missing-name",
    family: fwmigrate_rule::Family::Conformance,
    severity: Severity::Error,
    fix: Some(Applicability::Safe),
    targets: ALL_TARGETS,
    requires_import: true,
    needles: NEEDLES,
    summary: "An import of a cookbook or SDK module or name that does not exist at the target.",
    explanation: r#"## What it finds

An import of a module or name of the cookbook (`training.utils`,
`training.recipes`, `training.provision`, `training.renderer`, under any configured cookbook root)
or of the SDK (`fireworks.training.sdk`) that does not exist at the target release (with the
selected SDK version, `--sdk-version`). Each missing name is reported at its place in the
import, also when a rule of the families that port the removal (FW101–FW104 for `setup_infra`,
`ResourceCleanup` and the other removed helpers) reports its uses: the import is the first line
Python rejects. The fix that ports the uses drops the import too, and the finding goes with it.
An import of a removed helper that nothing uses is FW104's (one finding there, not two).

The target's place in the cookbook's history decides: a name that a snapshot at or before the
target had (any tagged release, or the cookbook of a week before the first tag) is reported with
the last snapshot that had it (`last in cookbook-v2026.05.30.2`, `last in the cookbook of
2026-03-22`); a name only newer releases have is reported as too new (`first in
cookbook-v2026.07.23.2, newer than the target`). A name no cookbook or SDK release ever had is
never reported: it is more likely a package of your own that happens to be called `training`.
Modules of the cookbook outside its packages (`training.examples`, `training.tests`) are
unknown, not missing.

## Why it matters

It is an `ImportError` at the target, before any of the script runs.

## Fix safety

**Safe** when the history shows a move that the target has: a module renamed with its
contents (`training.recipes.opd_loop` → `training.recipes.distillation_loop` and
`training.utils.opd` → `training.utils.distillation`, renamed on 2026-06-04), or a name whose
only new home, with the same kind (class, function) and a compatible signature, is one other
module, when the import names only that one name: the module in the import is rewritten. The
moves are generated with the tables from the history, not listed by hand. Otherwise no fix: the
message says when the name was last seen and, for a removed helper, which rule covers its uses.
For an SDK name that an earlier SDK release had (`install_tinker_service_client`, the module
`fireworks.training.sdk.tinker_compat`), it names the release that removed it: "removed in
fireworks-ai 1.2.25 (1.2.24 still has it)".

## Example

```python
# before
from training.recipes.opd_loop import Config, main
# after
from training.recipes.distillation_loop import Config, main
```
"#,
};

/// The rule that covers the uses of a removed utils name.
fn covering_rule(name: &str) -> &'static str {
    match name {
        "setup_infra" => "FW101",
        "ResourceCleanup" => "FW102",
        "make_reference_client" => "FW103",
        _ => "FW104",
    }
}

/// A missing module or name worth reporting: one that some release of its package had.
fn missing(ctx: &Context, view: &ApiView, path: &str) -> Option<(String, String)> {
    match view.resolve(path) {
        Resolved::Missing { owner, name }
            if owner != COOKBOOK_PACKAGE && seen(ctx, &format!("{owner}.{name}")).is_some() =>
        {
            Some((owner, name))
        }
        _ => None,
    }
}

/// `; last in …` (or `; first in …`) and a full stop.
fn ending(ctx: &Context, path: &str) -> String {
    format!("{}.", history_note(ctx, path).unwrap_or_default())
}

/// The user's spelling of a table path (their cookbook root instead of `training`).
fn respell(user: &str, table_user: &str, new_table: &str) -> String {
    let root_len = user.len() - (table_user.len() - COOKBOOK_PACKAGE.len());
    if table_user.starts_with(COOKBOOK_PACKAGE) && new_table.starts_with(COOKBOOK_PACKAGE) {
        format!(
            "{}{}",
            &user[..root_len],
            &new_table[COOKBOOK_PACKAGE.len()..]
        )
    } else {
        new_table.to_string()
    }
}

impl Rule for MissingName {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        let view = view(ctx);
        for_each_stmt(ctx.file.suite(), |stmt| match stmt {
            Stmt::ImportFrom(import) if import.level == 0 => {
                check_from(ctx, &view, import, findings)
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let user = alias.name.as_str();
                    let path = to_table_path(ctx.semantic, user);
                    if !in_scope(&path) {
                        continue;
                    }
                    if let Some((owner, name)) = missing(ctx, &view, &path) {
                        let renamed = moved(ctx, &view, &path);
                        let mut message = format!(
                            "`import {user}`: `{owner}` has no module `{name}` at {} (an ImportError)",
                            at(ctx)
                        );
                        let fix = match &renamed {
                            Some(new) => {
                                message.push_str(&format!("; it was renamed to `{new}`."));
                                // Without an alias the uses spell the old path: no automatic fix.
                                alias.asname.as_ref().map(|_| {
                                    Fix::safe(
                                        format!("Import `{new}`"),
                                        vec![Edit::replacement(
                                            alias.name.range(),
                                            respell(user, &path, new),
                                        )],
                                    )
                                })
                            }
                            None => {
                                message.push_str(&ending(ctx, &format!("{owner}.{name}")));
                                None
                            }
                        };
                        findings
                            .push(Finding::new(&META, alias.range(), message).with_fix_opt(fix));
                    }
                }
            }
            _ => {}
        });
    }
}

fn check_from(
    ctx: &Context,
    view: &ApiView,
    import: &ast::StmtImportFrom,
    findings: &mut Vec<Finding>,
) {
    let Some(module) = &import.module else {
        return;
    };
    let user = module.as_str();
    let path = to_table_path(ctx.semantic, user);
    if !in_scope(&path) {
        return;
    }
    if let Some((owner, name)) = missing(ctx, view, &path) {
        let mut message = format!(
            "`from {user} import ...`: `{owner}` has no module `{name}` at {} (an ImportError)",
            at(ctx)
        );
        let fix = match moved(ctx, view, &path) {
            Some(new) => {
                message.push_str(&format!("; it was renamed to `{new}`."));
                Some(Fix::safe(
                    format!("Import from `{new}`"),
                    vec![Edit::replacement(
                        module.range(),
                        respell(user, &path, &new),
                    )],
                ))
            }
            None => {
                message.push_str(&ending(ctx, &format!("{owner}.{name}")));
                None
            }
        };
        findings.push(Finding::new(&META, module.range(), message).with_fix_opt(fix));
        return;
    }
    if !matches!(view.resolve(&path), Resolved::Module { .. }) {
        return;
    }
    for alias in &import.names {
        let name = alias.name.as_str();
        if name == "*" {
            continue;
        }
        let full = format!("{path}.{name}");
        let Some((owner, missing_name)) = missing(ctx, view, &full) else {
            continue;
        };
        if owner != path || missing_name != name {
            continue;
        }
        findings.push(missing_name_finding(ctx, view, import, alias, user, &path));
    }
}

fn missing_name_finding(
    ctx: &Context,
    view: &ApiView,
    import: &ast::StmtImportFrom,
    alias: &ast::Alias,
    user: &str,
    path: &str,
) -> Finding {
    let name = alias.name.as_str();
    let mut message = format!(
        "`{name}` is not in `{user}` at {} (an ImportError)",
        at(ctx)
    );
    let full = format!("{path}.{name}");
    let mut fix = None;
    let new_home = moved(ctx, view, &full).and_then(|to| Some(to.rsplit_once('.')?.0.to_string()));
    if let Some(to) = new_home {
        let new_module = respell(user, path, &to);
        message.push_str(&format!("; it is in `{to}` now."));
        let range: TextRange = import.module.as_ref().map_or(alias.range(), Ranged::range);
        fix = Some(if import.names.len() == 1 {
            Fix::safe(
                format!("Import `{name}` from `{new_module}`"),
                vec![Edit::replacement(range, new_module.clone())],
            )
        } else {
            let asname = alias
                .asname
                .as_ref()
                .map(|a| format!(" as {a}"))
                .unwrap_or_default();
            Fix::display_only(
                format!("Import `{name}` from `{new_module}`"),
                Some(format!("from {new_module} import {name}{asname}")),
                "the import names other names too: move this one by hand",
            )
        });
    } else {
        message.push_str(&history_note(ctx, &full).unwrap_or_default());
        if REMOVED_UTILS.contains(&name) {
            message.push_str(&format!(
                ": it was removed with the move to SDK-managed provisioning ({} covers its uses)",
                covering_rule(name)
            ));
        }
        message.push('.');
    }
    // The import is the first line Python rejects: reported whatever other rules report at the
    // uses, and whatever their fixes would do (after they apply, the import is gone and so is
    // this finding).
    Finding::new(&META, alias.range(), message)
        .with_fix_opt(fix)
        .reported_whatever_fixes()
}
