//! How the legacy `Infra` result is read after the call: which of its attributes, whether every
//! use can be rewritten (no nested function, no `return`/`yield`, nothing but known attributes),
//! and `NAME = infra.policy` statements whose name the new client can take over.

use std::collections::HashSet;

use fwmigrate_rule::ast::visitor::{self, Visitor};
use fwmigrate_rule::ast::{Expr, ExprContext, Stmt};
use fwmigrate_rule::parser::source::{is_at_line_start, line_end};
use fwmigrate_rule::semantic::names::uses_in_scope;
use fwmigrate_rule::walk::{for_each_expr, for_each_expr_in};
use fwmigrate_rule::{Context, Ranged, TextRange};

use super::site::Site;

/// Attributes of the legacy `Infra` result that have a service equivalent.
pub const INFRA_ATTRS: &[&str] = &[
    "policy",
    "reference",
    "policy_job_id",
    "reference_job_id",
    "deployment_id",
    "inference_model",
    "deployment_shape",
];

/// How the `Infra` result is used after the call.
#[derive(Default)]
pub struct Uses {
    /// The rewritable reads: each `name.<attr>` expression and its attribute.
    pub attrs: Vec<(TextRange, &'static str)>,
    /// Every known attribute read, also where the use is not rewritable (for the message).
    pub seen: Vec<&'static str>,
    /// Why a use cannot be rewritten.
    pub problems: Vec<String>,
}

impl Uses {
    /// Whether a rewritable read of `attr` exists.
    pub fn uses(&self, attr: &str) -> bool {
        self.attrs.iter().any(|(_, a)| *a == attr)
    }
}

/// Every use of the site's result name: it must be `name.<known attribute>` in the statements
/// after the assignment, not in a nested function, and must not escape through `return`/`yield`
/// (neither may a name assigned from it). Only the first unfit use is reported.
pub fn collect(ctx: &Context, site: &Site) -> Uses {
    let mut collector = AttrCollector {
        name: &site.name,
        nested: 0,
        escaping: 0,
        found: Vec::new(),
        aliases: HashSet::new(),
        alias_escapes: false,
        pass: 0,
    };
    // The first pass learns the aliases, the second sees whether they escape.
    for pass in 0..2 {
        collector.pass = pass;
        collector.found.clear();
        collector.visit_body(site.rest);
    }
    let target_range = match site.stmt {
        Stmt::Assign(a) => a.targets[0].range(),
        Stmt::AnnAssign(a) => a.target.range(),
        _ => TextRange::default(),
    };
    let name = &site.name;
    let mut uses = Uses::default();
    let mut problem: Option<String> = None;
    for r in uses_in_scope(ctx.semantic, name, site.scope) {
        if r == target_range {
            continue;
        }
        let found = collector.found.iter().find(|f| f.name == r);
        if let Some(attr) = found.and_then(|f| f.attr)
            && !uses.seen.contains(&attr)
        {
            uses.seen.push(attr);
        }
        match found {
            Some(f) if f.attr.is_some() && !f.nested && !f.escaping => {
                if let Some(attr) = f.attr {
                    uses.attrs.push((f.expr, attr));
                }
            }
            Some(f) if f.nested => {
                problem.get_or_insert_with(|| format!(
                    "`{name}` is used inside a nested function, which may outlive `service.close()`"
                ));
            }
            Some(f) if f.escaping => {
                problem.get_or_insert_with(|| format!(
                    "`{name}` leaves the block (`return`/`yield`), but the service is closed when the block ends"
                ));
            }
            _ => {
                problem.get_or_insert_with(|| format!(
                    "`{name}` is used other than through `{name}.policy`, `.reference`, `.policy_job_id`, `.reference_job_id`, `.deployment_id`, `.inference_model` or `.deployment_shape` after the call"
                ));
            }
        }
    }
    match problem {
        Some(p) => uses.problems.push(p),
        None if collector.alias_escapes => uses.problems.push(format!(
            "a client taken from `{name}` leaves the block (`return`/`yield`), but the service is closed when the block ends"
        )),
        None => {}
    }
    uses
}

/// A statement `NAME = <result>.<attr>` among the statements after the call, when it is the only
/// use of that attribute, stands on its own line, and `NAME` is bound nowhere else in the scope
/// and not used before it: the client can be created under `NAME` directly. Returns `NAME` and
/// the statement's range.
pub fn alias_statement(
    ctx: &Context,
    site: &Site,
    uses: &Uses,
    attr: &str,
    taken: &[String],
) -> Option<(String, TextRange)> {
    let text = ctx.source();
    let mut attr_uses = uses.attrs.iter().filter(|(_, a)| *a == attr);
    let (only, _) = attr_uses.next()?;
    if attr_uses.next().is_some() {
        return None;
    }
    let stmt = site.rest.iter().find(|s| s.range().contains_range(*only))?;
    let Stmt::Assign(assign) = stmt else {
        return None;
    };
    let [Expr::Name(target)] = assign.targets.as_slice() else {
        return None;
    };
    if assign.value.range() != *only {
        return None;
    }
    let name = target.id.as_str();
    if taken.iter().any(|t| t == name) || ctx.semantic.bindings().iter().any(|b| b.name == name) {
        return None;
    }
    let rest_of_line = &text[usize::from(stmt.end())..usize::from(line_end(text, stmt.end()))];
    if !is_at_line_start(text, stmt.start()) || !rest_of_line.trim().is_empty() {
        return None;
    }
    // Every other use of `name` in the scope comes after this statement and is a load.
    let ok = uses_in_scope(ctx.semantic, name, site.scope)
        .iter()
        .all(|r| *r == target.range || r.start() >= stmt.end());
    if !ok {
        return None;
    }
    let mut stored_elsewhere = false;
    for_each_expr(ctx.file.suite(), |e| {
        if let Expr::Name(n) = e
            && n.id.as_str() == name
            && n.range != target.range
            && n.ctx != ExprContext::Load
            && site.scope.is_none_or(|s| s.contains_range(n.range))
        {
            stored_elsewhere = true;
        }
    });
    (!stored_elsewhere).then(|| (name.to_string(), stmt.range()))
}

/// One mention of the result name.
struct Found {
    /// The `Name` node.
    name: TextRange,
    /// The `name.attr` expression, when it is a load of a known attribute.
    expr: TextRange,
    attr: Option<&'static str>,
    nested: bool,
    escaping: bool,
}

/// Collects the mentions of the result name, and whether names assigned from it escape.
struct AttrCollector<'n> {
    name: &'n str,
    nested: usize,
    escaping: usize,
    found: Vec<Found>,
    /// Names assigned from an expression that mentions the result (`policy = infra.policy`).
    aliases: HashSet<String>,
    alias_escapes: bool,
    pass: usize,
}

impl AttrCollector<'_> {
    fn record(&mut self, name: TextRange, expr: TextRange, attr: Option<&'static str>) {
        self.found.push(Found {
            name,
            expr,
            attr,
            nested: self.nested > 0,
            escaping: self.escaping > 0,
        });
    }
}

impl<'a> Visitor<'a> for AttrCollector<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {
                self.nested += 1;
                visitor::walk_stmt(self, stmt);
                self.nested -= 1;
            }
            Stmt::Return(_) => {
                self.escaping += 1;
                visitor::walk_stmt(self, stmt);
                self.escaping -= 1;
            }
            Stmt::Assign(a) if self.pass == 0 => {
                if mentions(&a.value, self.name, &self.aliases) {
                    for t in &a.targets {
                        if let Expr::Name(n) = t {
                            self.aliases.insert(n.id.to_string());
                        }
                    }
                }
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => {
                self.nested += 1;
                visitor::walk_expr(self, expr);
                self.nested -= 1;
                return;
            }
            Expr::Yield(_) | Expr::YieldFrom(_) => {
                self.escaping += 1;
                visitor::walk_expr(self, expr);
                self.escaping -= 1;
                return;
            }
            Expr::Attribute(attr) => {
                if let Expr::Name(n) = attr.value.as_ref()
                    && n.id.as_str() == self.name
                {
                    let known = INFRA_ATTRS
                        .iter()
                        .copied()
                        .find(|a| *a == attr.attr.id.as_str())
                        .filter(|_| attr.ctx == ExprContext::Load);
                    self.record(n.range, attr.range, known);
                    return;
                }
            }
            Expr::Name(n) => {
                if self.escaping > 0 && self.aliases.contains(n.id.as_str()) {
                    self.alias_escapes = true;
                }
                if n.id.as_str() == self.name {
                    self.record(n.range, n.range, None);
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// Whether `expr` mentions `name` or one of its `aliases`.
fn mentions(expr: &Expr, name: &str, aliases: &HashSet<String>) -> bool {
    let mut found = false;
    for_each_expr_in(expr, |e| {
        if let Expr::Name(n) = e
            && (n.id.as_str() == name || aliases.contains(n.id.as_str()))
        {
            found = true;
        }
    });
    found
}
