//! The unsafe rewrite of a canonical call site: where the new code goes and how it is indented,
//! the names it binds, the imports it adds and removes, and the block it produces
//! (`service = build_service_client(...)`, then `try:` around the clients and the rest of the
//! block, then `finally: service.close()`).

use fwmigrate_rule::api::index::Resolved;
use fwmigrate_rule::api::tables::Signature;
use fwmigrate_rule::api::{SdkVersion, sdk};
use fwmigrate_rule::ast::{self, Expr};
use fwmigrate_rule::parser::layout::{Reindent, indent_unit, multiline_strings, rewrite_region};
use fwmigrate_rule::parser::source::{full_line_end, indentation_at, is_at_line_start, line_start};
use fwmigrate_rule::semantic::imports::{
    merge_import_insertions, module_name_at, update_from_import,
};
use fwmigrate_rule::semantic::names::fresh_name;
use fwmigrate_rule::semantic::{Binding, CookbookSymbol};
use fwmigrate_rule::{Context, Edit, Ranged, TextRange, TextSize};

use super::Rewrite;
use super::call::given;
use super::code::{clients, service_statement, suggestion};
use super::service::{DEFAULT_BASE_URL, ServiceKw, service_keywords};
use super::site::Site;
use super::uses::{Uses, alias_statement};

/// Where the rewrite goes and how it is indented.
pub struct Layout {
    /// The indentation of the new statements (that of the removed `with`, else the call's).
    pub ind: String,
    /// One level of indentation (the `with` body's, else the file's unit).
    pub unit: String,
    /// The whole lines rewritten: from the `with` (or the assignment) to the end of the block.
    pub region: TextRange,
    pub nl: &'static str,
}

impl Layout {
    fn new(ctx: &Context, site: &Site) -> Result<Self, String> {
        let text = ctx.source();
        let stmt = site.stmt;
        let (ind, unit, region_start) = match site.with {
            Some(w) => {
                let with_ind = indentation_at(text, w.start()).to_string();
                let body_ind = indentation_at(text, stmt.start());
                let Some(unit) = body_ind
                    .strip_prefix(with_ind.as_str())
                    .filter(|u| !u.is_empty())
                else {
                    return Err("the `with` body's indentation is unusual".to_string());
                };
                if !is_at_line_start(text, w.start()) {
                    return Err("the `with` shares its line".to_string());
                }
                (with_ind, unit.to_string(), line_start(text, w.start()))
            }
            None => (
                indentation_at(text, stmt.start()).to_string(),
                indent_unit(ctx.file),
                line_start(text, stmt.start()),
            ),
        };
        let last = site.rest.last().unwrap_or(stmt);
        let region_end =
            full_line_end(text, last.end()).min(site.cell_end.unwrap_or(TextSize::new(u32::MAX)));
        Ok(Self {
            ind,
            unit,
            region: TextRange::new(region_start, region_end),
            nl: ctx.file.line_ending().as_str(),
        })
    }

    /// The indentation `depth` levels inside the new statements.
    pub fn indent(&self, depth: usize) -> String {
        format!("{}{}", self.ind, self.unit.repeat(depth))
    }
}

/// The local names the generated code binds.
pub struct Names {
    pub service: String,
    /// The unwrapped policy training client, when the reference is created from it
    /// (`policy_client=`, at 2026.08).
    pub policy_raw: Option<String>,
    /// The wrapped policy client, when `.policy` is read.
    pub policy: Option<String>,
    /// The wrapped reference client, when `.reference` is read.
    pub reference: Option<String>,
    /// Whether the reference is created (`.reference` or `.reference_job_id` is read).
    pub creates_reference: bool,
    /// The inference model name, when `.inference_model` is read.
    pub inference: Option<String>,
    /// `NAME = <result>.policy` / `.reference` statements whose `NAME` a client takes over.
    pub alias_stmts: Vec<TextRange>,
}

/// Whether the rewrite builds the reference client from the policy client
/// (`create_reference_client(..., policy_client=...)`): when every SDK release the target admits
/// takes that keyword, that is, when its oldest one does.
fn reference_from_policy(ctx: &Context) -> bool {
    let Ok(oldest) = ctx.target.min_sdk_version().parse::<SdkVersion>() else {
        return false;
    };
    let path = "fireworks.training.sdk.FiretitanServiceClient.create_reference_client";
    match sdk::view(ctx.target, oldest).resolve(path) {
        Resolved::Function { function, .. } => function
            .sig
            .as_deref()
            .is_some_and(|sig| Signature::parse(sig).param("policy_client").is_some()),
        _ => false,
    }
}

impl Names {
    fn choose(ctx: &Context, site: &Site, uses: &Uses) -> Self {
        let mut taken: Vec<String> = Vec::new();
        let fresh =
            |base: &str, taken: &mut Vec<String>| fresh_name(ctx.semantic, base, site.scope, taken);
        let service = fresh("service", &mut taken);
        let uses_policy = uses.uses("policy");
        let wraps_reference = uses.uses("reference");
        let creates_reference = wraps_reference || uses.uses("reference_job_id");
        let policy_raw = (creates_reference && reference_from_policy(ctx))
            .then(|| fresh("policy_training_client", &mut taken));
        // `policy = infra.policy` as the only use: the client takes that name, the statement goes.
        let policy_alias = uses_policy
            .then(|| alias_statement(ctx, site, uses, "policy", &taken))
            .flatten();
        if let Some((name, _)) = &policy_alias {
            taken.push(name.clone());
        }
        let reference_alias = wraps_reference
            .then(|| alias_statement(ctx, site, uses, "reference", &taken))
            .flatten();
        if let Some((name, _)) = &reference_alias {
            taken.push(name.clone());
        }
        let policy = match &policy_alias {
            Some((name, _)) => Some(name.clone()),
            None => uses_policy.then(|| fresh("policy_client", &mut taken)),
        };
        let reference = match &reference_alias {
            Some((name, _)) => Some(name.clone()),
            None => wraps_reference.then(|| fresh("reference_client", &mut taken)),
        };
        let inference = uses
            .uses("inference_model")
            .then(|| fresh("inference_model", &mut taken));
        let alias_stmts = policy_alias
            .iter()
            .chain(reference_alias.iter())
            .map(|(_, stmt)| *stmt)
            .collect();
        Self {
            service,
            policy_raw,
            policy,
            reference,
            creates_reference,
            inference,
            alias_stmts,
        }
    }

    /// What replaces a read of `<result>.<attr>`.
    fn replacement(&self, attr: &str) -> String {
        let service = &self.service;
        match attr {
            "policy" => self.policy.clone().unwrap_or_default(),
            "reference" => self.reference.clone().unwrap_or_default(),
            "policy_job_id" => format!("{service}.trainer_job_id"),
            "reference_job_id" => format!("{service}.reference_client_job_id"),
            "deployment_id" => format!("{service}.deployment_id"),
            "deployment_shape" => format!("{service}.deployment_shape"),
            _ => self.inference.clone().unwrap_or_default(),
        }
    }
}

/// The names the generated code refers to, and the import edits it needs.
pub struct Imports {
    /// How `build_service_client` is spelled at the call.
    pub build_service_client: String,
    /// How `ReconnectableClient` is spelled at the call (empty when no client is wrapped).
    pub reconnectable_client: String,
    /// Import removals inside the rewritten region (applied as the region is rewritten).
    inner: Vec<Edit>,
    /// Import edits outside the region.
    outer: Vec<Edit>,
}

/// Everything the new code is made from.
pub struct Plan {
    pub layout: Layout,
    pub names: Names,
    pub imports: Imports,
    /// The `build_service_client(...)` keywords.
    pub kws: Vec<ServiceKw>,
    /// The file's multi-line strings (their lines are never re-indented).
    pub strings: Vec<TextRange>,
}

impl Plan {
    fn new<'a>(
        ctx: &Context<'a>,
        call: &ast::ExprCall,
        site: &Site<'a>,
        uses: &Uses,
    ) -> Result<Self, String> {
        let layout = Layout::new(ctx, site)?;
        let names = Names::choose(ctx, site, uses);
        let cleanup = given(call, "cleanup").is_some() && site.with.is_some();
        let manager = site.manager_call(ctx, call);
        let mut kws = service_keywords(ctx, call, ctx.target, manager, cleanup);
        let imports = imports(ctx, call, site, &names, layout.region, &mut kws)?;
        Ok(Self {
            layout,
            names,
            imports,
            kws,
            strings: multiline_strings(ctx.file),
        })
    }
}

/// The rewrite of a canonical call site, and the suggestion showing the generated code. `Err`
/// says why the site cannot be rewritten after all.
pub fn generate<'a>(
    ctx: &Context<'a>,
    call: &ast::ExprCall,
    site: &Site<'a>,
    uses: &Uses,
) -> Result<(Rewrite, String), String> {
    let plan = Plan::new(ctx, call, site, uses)?;
    let Layout { ind, unit, nl, .. } = &plan.layout;
    let mut out = String::new();
    // 1. Comments of the removed `with` header, then the body before the call, dedented.
    if let Some(w) = site.with {
        out.push_str(&with_body_before_call(ctx, site, w, &plan));
    }
    // 2. The service.
    out.push_str(&service_statement(ctx, call, site.stmt, &plan));
    out.push_str(&format!("{ind}try:{nl}"));
    // 3. The clients, at the start of the `try:` body.
    let prologue = clients(ctx, call, &plan);
    out.push_str(&prologue);
    // 4. The rest of the block, with the attribute rewrites, inside the `try:`.
    let (rest, ends_with_newline) = rest_of_block(ctx, site, uses, &plan);
    out.push_str(&rest);
    if !ends_with_newline {
        out.push_str(nl);
    }
    out.push_str(&format!(
        "{ind}finally:{nl}{ind}{unit}{}.close()",
        plan.names.service
    ));
    if ends_with_newline {
        out.push_str(nl);
    }
    let suggestion = suggestion(&plan, &prologue);
    let mut edits = vec![Edit::replacement(plan.layout.region, out)];
    edits.extend(plan.imports.outer);
    let rewrite = Rewrite {
        edits,
        removes_with: site.with.map(|w| w.range),
    };
    Ok((rewrite, suggestion))
}

/// The comments of the removed `with` header, then the `with` body up to the call, dedented.
fn with_body_before_call(ctx: &Context, site: &Site, w: &ast::StmtWith, plan: &Plan) -> String {
    let text = ctx.source();
    let Layout { ind, unit, nl, .. } = &plan.layout;
    let mut out = String::new();
    let body_start = line_start(text, w.body[0].start());
    let header = TextRange::new(plan.layout.region.start(), body_start);
    for c in ctx.file.comments_in(header) {
        out.push_str(&format!("{ind}{}{nl}", ctx.file.slice(*c)));
    }
    let before = TextRange::new(body_start, line_start(text, site.stmt.start()));
    let dedent = Reindent::Remove { prefix: ind, unit };
    out.push_str(&rewrite_region(
        ctx.file,
        before,
        &plan.imports.inner,
        dedent,
        &plan.strings,
    ));
    out
}

/// The statements after the call, with the attribute reads rewritten and the alias statements
/// gone, re-indented into the `try:` (unless the removed `with` already indented them); and
/// whether the region ended with a line break (the `finally:` keeps that).
fn rest_of_block(ctx: &Context, site: &Site, uses: &Uses, plan: &Plan) -> (String, bool) {
    let text = ctx.source();
    let names = &plan.names;
    let region_end = plan.layout.region.end();
    let mut inner: Vec<Edit> = plan.imports.inner.clone();
    for stmt in &names.alias_stmts {
        inner.push(Edit::deletion(TextRange::new(
            line_start(text, stmt.start()),
            full_line_end(text, stmt.end()),
        )));
    }
    for (range, attr) in &uses.attrs {
        if !names.alias_stmts.iter().any(|s| s.contains_range(*range)) {
            inner.push(Edit::replacement(*range, names.replacement(attr)));
        }
    }
    let rest_start = full_line_end(text, site.stmt.end());
    let rest = TextRange::new(rest_start.min(region_end), region_end);
    let reindent = match site.with {
        Some(_) => Reindent::Keep,
        None => Reindent::Add(&plan.layout.unit),
    };
    let rest_text = rewrite_region(ctx.file, rest, &inner, reindent, &plan.strings);
    let ends_with_newline = rest_text.ends_with(['\n', '\r'])
        || (rest.is_empty() && text[..usize::from(region_end)].ends_with(['\n', '\r']));
    (rest_text, ends_with_newline)
}

/// The imports: `build_service_client` and `ReconnectableClient` (unless already in scope), `os`
/// for the default base URL (renaming it in `kws` when it is imported under another name), and
/// the removal of the `setup_infra` / `ResourceCleanup` imports whose only use goes away.
fn imports(
    ctx: &Context,
    call: &ast::ExprCall,
    site: &Site,
    names: &Names,
    region: TextRange,
    kws: &mut [ServiceKw],
) -> Result<Imports, String> {
    let offset = call.start();
    let mut to_add: Vec<&'static str> = Vec::new();
    let mut edits: Vec<Edit> = Vec::new();
    let (bsc, add) = utils_symbol(ctx, call, "build_service_client", offset)?;
    to_add.extend(add);
    let rc = if names.policy.is_some() || names.reference.is_some() {
        let (rc, add) = utils_symbol(ctx, call, "ReconnectableClient", offset)?;
        to_add.extend(add);
        rc
    } else {
        String::new()
    };
    if kws.iter().any(|k| k.value == DEFAULT_BASE_URL) {
        let (os, edit) = module_name_at(ctx.file, ctx.semantic, "os", offset)?;
        edits.extend(edit);
        for k in kws.iter_mut().filter(|k| k.value == DEFAULT_BASE_URL) {
            k.value = k.value.replacen("os.", &format!("{os}."), 1);
        }
    }
    let mut removed: Vec<&Binding> = Vec::new();
    removed.extend(only_use_import(ctx, &call.func));
    if let Some(w) = site.with
        && let Expr::Call(c) = &w.items[0].context_expr
    {
        removed.extend(only_use_import(ctx, &c.func));
    }
    let module = format!("{}.utils", ctx.semantic.file_root());
    to_add.sort_unstable();
    edits.extend(update_from_import(
        ctx.file,
        ctx.semantic,
        &module,
        &to_add,
        &removed,
    ));
    let (inner, outer): (Vec<Edit>, Vec<Edit>) = merge_import_insertions(edits)
        .into_iter()
        .partition(|e| !e.range.is_empty() && region.contains_range(e.range));
    let overlaps = |e: &Edit| {
        if e.range.is_empty() {
            region.start() < e.range.start() && e.range.start() < region.end()
        } else {
            e.range.intersect(region).is_some_and(|r| !r.is_empty())
        }
    };
    if outer.iter().any(overlaps) {
        return Err("an import it changes stands in the rewritten block".to_string());
    }
    Ok(Imports {
        build_service_client: bsc,
        reconnectable_client: rc,
        inner,
        outer,
    })
}

/// The import binding of a callee name whose only use is this callee (its import goes with it).
fn only_use_import<'a>(ctx: &Context<'a>, func: &Expr) -> Option<&'a Binding> {
    let Expr::Name(n) = func else {
        return None;
    };
    let only_use = ctx
        .semantic
        .name_uses(n.id.as_str())
        .iter()
        .all(|r| *r == n.range);
    if !only_use {
        return None;
    }
    ctx.semantic.binding_at(n.id.as_str(), n.start())
}

/// How to refer to the cookbook utils symbol `sym` at `offset`, and the name to import for it
/// (`None` when it is already in scope).
fn utils_symbol(
    ctx: &Context,
    call: &ast::ExprCall,
    sym: &'static str,
    offset: TextSize,
) -> Result<(String, Option<&'static str>), String> {
    if let Some(local) = ctx.semantic.local_name_for_utils(sym, offset) {
        return Ok((local, None));
    }
    // `utils.setup_infra(...)` with `utils` the cookbook's utils package: `utils.<sym>`.
    if let Expr::Attribute(attr) = call.func.as_ref()
        && let Some(q) = ctx.semantic.qualified_name(&attr.value)
    {
        let root = ctx.semantic.file_root();
        if q == format!("{root}.utils")
            && matches!(
                ctx.semantic.resolve(&attr.value),
                Some(CookbookSymbol::UtilsModule)
            )
        {
            return Ok((format!("{}.{sym}", ctx.slice(attr.value.range())), None));
        }
    }
    if !ctx.semantic.name_uses(sym).is_empty()
        || ctx.semantic.bindings().iter().any(|b| b.name == sym)
    {
        return Err(format!(
            "the name `{sym}` is already used for something else in this file"
        ));
    }
    Ok((sym.to_string(), Some(sym)))
}
