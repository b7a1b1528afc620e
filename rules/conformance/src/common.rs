//! What the conformance rules share: the tables in force for a file, and where a name went.

use fwmigrate_rule::Context;
use fwmigrate_rule::api::index::{ApiView, COOKBOOK_PACKAGE, Resolved, SDK_PACKAGE, table};
use fwmigrate_rule::api::{SDK_VERSIONS, sdk};

/// Words without which a file imports neither the cookbook nor the SDK (a vendored cookbook
/// root such as `tinker_cookbook.fireworks` names one of them too).
pub const NEEDLES: &[&str] = &["training.", "training import", "fireworks", "cookbook"];

/// Whether a table path lies in the cookbook's or the SDK's packages (not the bare `training`).
pub fn in_scope(path: &str) -> bool {
    let under = |p: &str| path == p || path.starts_with(&format!("{p}."));
    (under(COOKBOOK_PACKAGE) && path != COOKBOOK_PACKAGE) || under(SDK_PACKAGE)
}

/// The cookbook release and SDK release this file is checked against.
pub fn view(ctx: &Context) -> ApiView {
    sdk::view(ctx.target, ctx.sdk_version)
}

/// `target 2026.08 with SDK 1.2.30`, for messages.
pub fn at(ctx: &Context) -> String {
    format!(
        "target {} with fireworks-ai {}",
        ctx.target, ctx.sdk_version
    )
}

/// Every cookbook table, the target's first.
const COOKBOOK_TABLES: &[&str] = &[
    "cookbook-legacy",
    "cookbook-2026.06",
    "cookbook-2026.08",
    "cookbook-opd",
];

/// Whether the dotted name exists at some release fwmigrate knows (any cookbook release, any SDK
/// table). A missing name is reported only then: a name no release ever had is more likely the
/// user's own package that happens to be called `training` than a cookbook name.
pub fn known_somewhere(path: &str) -> bool {
    let cookbook = COOKBOOK_TABLES.iter().filter_map(|t| table(t));
    let sdk = SDK_VERSIONS
        .iter()
        .filter_map(|v| table(&format!("sdk-{v}")));
    let sdk_first = table(&format!("sdk-{}", SDK_VERSIONS[SDK_VERSIONS.len() - 1]));
    cookbook.chain(sdk).any(|t| {
        let view = ApiView::new(t, sdk_first.unwrap_or(t));
        !matches!(
            view.resolve(path),
            Resolved::Missing { .. } | Resolved::Unknown
        )
    })
}

/// Modules renamed between releases, with the same contents (RULES FW601): old → new.
pub const MODULE_RENAMES: &[(&str, &str)] = &[
    (
        "training.recipes.opd_loop",
        "training.recipes.distillation_loop",
    ),
    ("training.utils.opd", "training.utils.distillation"),
];

/// The renamed module path, when `path` is or lies inside a renamed module.
pub fn renamed_module(path: &str) -> Option<String> {
    MODULE_RENAMES.iter().find_map(|(old, new)| {
        let rest = path.strip_prefix(old)?;
        (rest.is_empty() || rest.starts_with('.')).then(|| format!("{new}{rest}"))
    })
}

/// Where a name that `owner` no longer has lives at the target: the modules of the same package
/// that define (or re-export) a name of the same kind. Package `__init__` modules come first.
pub fn moved_to(view: &ApiView, owner: &str, name: &str) -> Vec<String> {
    let package = owner.split('.').take(2).collect::<Vec<_>>().join(".");
    let legacy = sdk::legacy_view();
    let old_kind = kind(&legacy.resolve(&format!("{owner}.{name}")));
    let mut found: Vec<String> = Vec::new();
    for module in view.module_paths() {
        if module != package && !module.starts_with(&format!("{package}.")) {
            continue;
        }
        if module == owner || found.iter().any(|f| f == module) {
            continue;
        }
        let k = kind(&view.resolve(&format!("{module}.{name}")));
        if k.is_some() && (old_kind.is_none() || k == old_kind) {
            found.push(module.to_string());
        }
    }
    found.sort_by_key(|m| (m.matches('.').count(), m.clone()));
    found
}

fn kind(resolved: &Resolved) -> Option<&'static str> {
    match resolved {
        Resolved::Class(_) => Some("class"),
        Resolved::Function { .. } => Some("function"),
        Resolved::Module { .. } => Some("module"),
        _ => None,
    }
}
