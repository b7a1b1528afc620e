//! The code the rewrite generates: the `service = build_service_client(...)` statement (the
//! comments of the old call travel with the keywords they stood by), the clients created at the
//! start of the `try:`, and the unindented suggestion shown with the fix.

use fwmigrate_rule::ast::{self, Stmt};
use fwmigrate_rule::parser::layout::{collapse, reindent_value};
use fwmigrate_rule::parser::source::{is_at_line_start, line_end};
use fwmigrate_rule::walk::keyword;
use fwmigrate_rule::{Context, Ranged, TextRange};

use super::rewrite::Plan;
use super::service::ServiceKw;

/// The `service = build_service_client(...)` statement at the rewrite's indentation, one keyword
/// a line, preceded by the comments of the old call that belong to no keyword.
pub fn service_statement(ctx: &Context, call: &ast::ExprCall, stmt: &Stmt, plan: &Plan) -> String {
    let text = ctx.source();
    let (ind, nl) = (&plan.layout.ind, plan.layout.nl);
    let call_comments: Vec<TextRange> = ctx.file.comments_in(call.range()).to_vec();
    let (kw_lines, used_comments) = keyword_lines(ctx, call, &call_comments, plan);
    let mut out = String::new();
    for c in &call_comments {
        if !used_comments.contains(c) {
            out.push_str(&format!("{ind}{}{nl}", ctx.file.slice(*c)));
        }
    }
    let trailing = ctx
        .file
        .comments_in(TextRange::new(stmt.end(), line_end(text, stmt.end())))
        .first()
        .map(|c| format!("  {}", ctx.file.slice(*c)))
        .unwrap_or_default();
    let service = &plan.names.service;
    let bsc = &plan.imports.build_service_client;
    out.push_str(&format!("{ind}{service} = {bsc}({nl}"));
    for line in &kw_lines {
        out.push_str(line);
        out.push_str(nl);
    }
    out.push_str(&format!("{ind}){trailing}{nl}"));
    out
}

/// The keyword lines of the new call, and the comments of the old call they carry: the comments
/// inside a copied value, own-line comments right before the old keyword, and a comment after
/// the old keyword on its line.
fn keyword_lines(
    ctx: &Context,
    call: &ast::ExprCall,
    call_comments: &[TextRange],
    plan: &Plan,
) -> (Vec<String>, Vec<TextRange>) {
    let text = ctx.source();
    let indent = plan.layout.indent(1);
    let mut used: Vec<TextRange> = Vec::new();
    // Comments inside a copied value stay in it.
    for origin in plan.kws.iter().filter_map(|kw| kw.origin) {
        used.extend(call_comments.iter().filter(|c| origin.contains_range(**c)));
    }
    let call_keywords: Vec<TextRange> = call.arguments.keywords.iter().map(|k| k.range).collect();
    let mut lines: Vec<String> = Vec::new();
    for kw in &plan.kws {
        if let Some(origin) = kw.origin {
            for c in call_comments {
                let own_line = is_at_line_start(text, c.start());
                let next_kw = call_keywords.iter().find(|k| k.start() >= c.end());
                if own_line && next_kw == Some(&origin) && !used.contains(c) {
                    lines.push(format!("{indent}{}", ctx.file.slice(*c)));
                    used.push(*c);
                }
            }
        }
        let value = reindent_value(ctx.file, &kw.value, kw.origin, &indent, &plan.strings);
        let mut line = format!("{indent}{}={value},", kw.name);
        if let Some(c) = kw.origin.and_then(|o| comment_after(ctx, o, call_comments)) {
            line.push_str(&format!("  {}", ctx.file.slice(c)));
            used.push(c);
        }
        lines.push(line);
    }
    (lines, used)
}

/// A comment on the line of the old keyword `origin`, with nothing but its comma between them.
fn comment_after(ctx: &Context, origin: TextRange, comments: &[TextRange]) -> Option<TextRange> {
    let text = ctx.source();
    let eol = line_end(text, origin.end());
    let c = comments
        .iter()
        .find(|c| c.start() >= origin.end() && c.end() <= eol)?;
    let between = &text[usize::from(origin.end())..usize::from(c.start())];
    between
        .trim()
        .trim_start_matches(',')
        .trim()
        .is_empty()
        .then_some(*c)
}

/// The clients created at the start of the `try:` body: the (wrapped) policy client, the
/// reference client (from the policy's training client at 2026.08), the inference model name.
pub fn clients(ctx: &Context, call: &ast::ExprCall, plan: &Plan) -> String {
    let names = &plan.names;
    let service = &names.service;
    let nl = plan.layout.nl;
    let i2 = plan.layout.indent(1);
    let value = |name: &str| keyword(call, name).map(|k| collapse(ctx.slice(k.value.range())));
    let base = value("base_model").unwrap_or_else(|| "base_model".to_string());
    let lora = value("lora_rank");
    let lora_arg = lora.clone().unwrap_or_else(|| "0".to_string());
    let wrap = Wrap {
        rc: &plan.imports.reconnectable_client,
        service,
        base: &base,
        lora: lora.as_deref(),
        timeout: value("step_timeout").filter(|t| t != "None"),
        i2: &i2,
        i3: &plan.layout.indent(2),
        nl,
    };
    let mut out = String::new();
    let create_policy = format!("{service}.create_training_client({base}, lora_rank={lora_arg})");
    let policy_inner = match &names.policy_raw {
        Some(raw) => {
            out.push_str(&format!("{i2}{raw} = {create_policy}{nl}"));
            raw.clone()
        }
        None => create_policy.clone(),
    };
    match &names.policy {
        Some(p) => out.push_str(&format!(
            "{i2}{p} = {}{nl}",
            wrap.client(&policy_inner, "trainer_job_id", false)
        )),
        None if names.policy_raw.is_none() => out.push_str(&format!("{i2}{create_policy}{nl}")),
        None => {}
    }
    if names.creates_reference {
        let mut create_ref =
            format!("{service}.create_reference_client({base}, lora_rank={lora_arg}");
        if let Some(raw) = &names.policy_raw {
            create_ref.push_str(&format!(", policy_client={raw}"));
        }
        create_ref.push(')');
        match &names.reference {
            Some(r) => out.push_str(&format!(
                "{i2}{r} = {}{nl}",
                wrap.client(&create_ref, "reference_client_job_id", true)
            )),
            None => out.push_str(&format!("{i2}{create_ref}{nl}")),
        }
    }
    if let Some(m) = &names.inference {
        out.push_str(&format!(
            "{i2}{m} = {service}.create_deployment_sampler().model{nl}"
        ));
    }
    out
}

/// `ReconnectableClient.from_training_client(...)` around a training client.
struct Wrap<'w> {
    rc: &'w str,
    service: &'w str,
    base: &'w str,
    lora: Option<&'w str>,
    timeout: Option<String>,
    i2: &'w str,
    i3: &'w str,
    nl: &'w str,
}

impl Wrap<'_> {
    /// The wrapped client: the policy (`base_only` false) passes its LoRA rank, the reference is
    /// `base_only=True`.
    fn client(&self, inner: &str, job: &str, base_only: bool) -> String {
        let Wrap {
            rc,
            service,
            base,
            i2,
            i3,
            nl,
            ..
        } = self;
        let mut s =
            format!("{rc}.from_training_client({nl}{i3}{inner},{nl}{i3}base_model={base},{nl}");
        if !base_only && let Some(l) = self.lora {
            s.push_str(&format!("{i3}lora_rank={l},{nl}"));
        }
        s.push_str(&format!("{i3}job_id={service}.{job},{nl}"));
        if let Some(t) = &self.timeout {
            s.push_str(&format!("{i3}default_timeout={t},{nl}"));
        }
        s.push_str(&format!("{i3}service={service},{nl}"));
        if base_only {
            s.push_str(&format!("{i3}base_only=True,{nl}"));
        }
        s.push_str(&format!("{i2})"));
        s
    }
}

/// The suggestion shown with the fix: the generated statements, unindented, four spaces a level.
pub fn suggestion(plan: &Plan, prologue: &str) -> String {
    let (ind, unit) = (&plan.layout.ind, &plan.layout.unit);
    let service = &plan.names.service;
    let mut out = format!("{service} = {}(\n", plan.imports.build_service_client);
    for kw in &plan.kws {
        out.push_str(&keyword_line(kw));
    }
    out.push_str(")\ntry:\n");
    for line in prologue.lines() {
        let line = line.strip_prefix(ind.as_str()).unwrap_or(line);
        let line = line
            .strip_prefix(unit.as_str())
            .map_or(line.to_string(), |l| format!("    {l}"));
        out.push_str(&line.replace(unit.as_str(), "    "));
        out.push('\n');
    }
    out.push_str(&format!("    ...\nfinally:\n    {service}.close()"));
    out
}

/// A keyword of a suggested `build_service_client(...)`, on one line.
pub fn keyword_line(kw: &ServiceKw) -> String {
    format!("    {}={},\n", kw.name, collapse(&kw.value))
}
