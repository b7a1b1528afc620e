//! Where the `setup_infra(...)` call stands: the assignment it is the value of, the block that
//! follows it, the `with ResourceCleanup(...)` around it, and the `TrainerJobManager(...)` its
//! `rlor_mgr=` was built with.

use fwmigrate_rule::ast::{self, Expr, Stmt};
use fwmigrate_rule::cookbook::calls_utils;
use fwmigrate_rule::parser::SourceKind;
use fwmigrate_rule::parser::source::{is_at_line_start, line_end};
use fwmigrate_rule::semantic::names::uses_in_scope;
use fwmigrate_rule::walk::{for_each_stmt, keyword};
use fwmigrate_rule::{Context, Ranged, TextRange, TextSize};

use super::call::given;
use fwmigrate_rule::parser::statements::{child_bodies, statement_path};

/// The statement the call is assigned in, and its surroundings.
pub struct Site<'a> {
    pub stmt: &'a Stmt,
    /// The variable the result is assigned to.
    pub name: String,
    /// The statements after the assignment in its block.
    pub rest: &'a [Stmt],
    /// The block holding the assignment.
    pub block: &'a [Stmt],
    /// In a notebook: the end of the call's cell.
    pub cell_end: Option<TextSize>,
    /// The enclosing `with ResourceCleanup(...) [as cleanup]:` the fix removes.
    pub with: Option<&'a ast::StmtWith>,
    /// The function body (or `None` for module level) the call is in.
    pub scope: Option<TextRange>,
    /// Why the surroundings keep the call from being rewritten.
    pub problems: Vec<String>,
}

impl<'a> Site<'a> {
    /// The site of `call`; `Err` when its result is not assigned to one variable on a line of its
    /// own (there is nothing to rewrite around).
    pub fn find(ctx: &Context<'a>, call: &ast::ExprCall) -> Result<Site<'a>, String> {
        let path = statement_path(ctx.file.suite(), call.range());
        let (stmt, name) = assignment(ctx, call, &path)?;
        let parent = path.len().checked_sub(2).map(|i| path[i]);
        let block: &[Stmt] = match parent {
            Some(p) => child_bodies(p)
                .into_iter()
                .find(|b| b.iter().any(|s| std::ptr::eq(s, stmt)))
                .unwrap_or(&[]),
            None => ctx.file.suite(),
        };
        let Some(index) = block.iter().position(|s| std::ptr::eq(s, stmt)) else {
            return Err("its block could not be found".to_string());
        };
        let mut rest = &block[index + 1..];
        // In a notebook the rewrite stays within the call's cell: the rest of the module goes on
        // in later cells, which must not be merged (a use there makes the site non-canonical).
        let mut cell_end = None;
        if let SourceKind::Notebook(cells) = ctx.file.kind()
            && let Some(cell) = cells.iter().find(|c| c.contains_range(stmt.range()))
        {
            let n = rest.iter().take_while(|s| s.end() <= cell.end()).count();
            rest = &rest[..n];
            cell_end = Some(cell.end());
        }
        let scope = ctx.semantic.statement(stmt.range()).and_then(|i| i.scope);
        let mut problems = Vec::new();
        let with = match parent {
            Some(Stmt::With(w)) => cleanup_with(ctx, call, w, scope, &mut problems),
            _ => None,
        };
        // The rewrite moves and re-indents whole lines; a backslash continuation joins lines it
        // would treat as separate.
        let region = TextRange::new(
            with.map_or(stmt.start(), |w| w.start()),
            rest.last().map_or(stmt.end(), |s| s.end()),
        );
        if ctx.file.has_line_continuation(region) {
            problems.push("a backslash continues a line in the code it would rewrite".to_string());
        }
        if with.is_none() && given(call, "cleanup").is_some() && problems.is_empty() {
            problems.push(
                "`cleanup=` is not the `ResourceCleanup` of a `with` directly around the call"
                    .to_string(),
            );
        }
        Ok(Site {
            stmt,
            name,
            rest,
            block,
            cell_end,
            with,
            scope,
            problems,
        })
    }

    /// The `TrainerJobManager(...)` call that built the `rlor_mgr` passed to `setup_infra`, when
    /// it is an assignment in the same scope before the call and its arguments are simple values
    /// that still mean the same at the call site.
    pub fn manager_call(
        &self,
        ctx: &Context<'a>,
        call: &ast::ExprCall,
    ) -> Option<&'a ast::ExprCall> {
        let Expr::Name(mgr) = &keyword(call, "rlor_mgr")?.value else {
            return None;
        };
        // With a `with`, the manager is built in an enclosing block: search the whole file.
        let outer: &[Stmt] = match self.with {
            Some(_) => ctx.file.suite(),
            None => self.block,
        };
        let mut found = None;
        for_each_stmt(outer, |stmt| {
            if let Stmt::Assign(a) = stmt
                && stmt.start() < call.start()
                && ctx.semantic.statement(stmt.range()).and_then(|i| i.scope) == self.scope
                && a.targets.len() == 1
                && matches!(&a.targets[0], Expr::Name(n) if n.id == mgr.id)
                && let Expr::Call(c) = a.value.as_ref()
                && ctx
                    .semantic
                    .resolve_call(c)
                    .is_some_and(|s| s.sdk_name() == Some("TrainerJobManager"))
            {
                found = Some(c);
            }
        });
        let c = found?;
        let simple = |e: &Expr| {
            matches!(
                e,
                Expr::StringLiteral(_) | Expr::Name(_) | Expr::Attribute(_) | Expr::NoneLiteral(_)
            )
        };
        let ok = c.arguments.keywords.iter().all(|k| simple(&k.value))
            && c.arguments.args.iter().all(simple);
        ok.then_some(c)
    }
}

/// The assignment statement (`x = setup_infra(...)` / `x: T = setup_infra(...)`, on lines of its
/// own, not in a class body) whose whole value is the call, and the name it assigns.
fn assignment<'a>(
    ctx: &Context<'a>,
    call: &ast::ExprCall,
    path: &[&'a Stmt],
) -> Result<(&'a Stmt, String), String> {
    let Some(&stmt) = path.last() else {
        return Err("it is not inside a statement".to_string());
    };
    let (target, value) = match stmt {
        Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], Some(a.value.as_ref())),
        Stmt::AnnAssign(a) => (a.target.as_ref(), a.value.as_deref()),
        _ => return Err("its result is not assigned to a variable".to_string()),
    };
    if value.map(Ranged::range) != Some(call.range()) {
        return Err("the call is not the whole value of its assignment".to_string());
    }
    let Expr::Name(name) = target else {
        return Err("its result is not assigned to a single name".to_string());
    };
    let text = ctx.source();
    let rest_of_line = &text[usize::from(stmt.end())..usize::from(line_end(text, stmt.end()))];
    let trimmed = rest_of_line.trim_start();
    if !is_at_line_start(text, stmt.start()) || !(trimmed.is_empty() || trimmed.starts_with('#')) {
        return Err("the assignment shares its line with another statement".to_string());
    }
    // In a class body the result is an attribute that methods may read as `self.<name>`.
    let in_class = path
        .iter()
        .rev()
        .skip(1)
        .find(|s| matches!(s, Stmt::FunctionDef(_) | Stmt::ClassDef(_)))
        .is_some_and(|s| matches!(s, Stmt::ClassDef(_)));
    if in_class {
        return Err("it is assigned in a class body".to_string());
    }
    Ok((stmt, name.id.to_string()))
}

/// The `with ResourceCleanup(...) [as cleanup]:` directly around the call, when the rewrite can
/// remove it; what keeps it from that goes to `problems`. `None` when the `with` manages no
/// `ResourceCleanup`, or cannot be removed.
fn cleanup_with<'a>(
    ctx: &Context,
    call: &ast::ExprCall,
    w: &'a ast::StmtWith,
    scope: Option<TextRange>,
    problems: &mut Vec<String>,
) -> Option<&'a ast::StmtWith> {
    let item = w.items.iter().find(|item| {
        matches!(&item.context_expr, Expr::Call(c) if calls_utils(ctx, c, "ResourceCleanup"))
    })?;
    if w.is_async || w.items.len() != 1 {
        problems.push("its `with` statement manages other context managers too".to_string());
        return None;
    }
    if !is_at_line_start(ctx.source(), w.body[0].start()) {
        problems.push("the `with` body is on the header's line".to_string());
        return None;
    }
    let as_name = match item.optional_vars.as_deref() {
        None => None,
        Some(Expr::Name(n)) => Some(n),
        Some(_) => {
            problems.push("`ResourceCleanup` is bound to a pattern".to_string());
            None
        }
    };
    let cleanup_kw = given(call, "cleanup");
    if let Some(n) = as_name {
        let allowed: Vec<TextRange> = std::iter::once(n.range)
            .chain(cleanup_kw.map(|k| k.value.range()))
            .collect();
        let other = uses_in_scope(ctx.semantic, n.id.as_str(), scope)
            .into_iter()
            .filter(|r| !allowed.contains(r))
            .count();
        if other > 0 {
            problems.push(format!(
                "`{}` (the `ResourceCleanup`) is used for more than `cleanup=`; move its registrations to the service options first (see FW102)",
                n.id
            ));
        }
    }
    if let Some(k) = cleanup_kw {
        let matches = matches!((&k.value, as_name), (Expr::Name(v), Some(n)) if v.id == n.id);
        if !matches {
            problems.push(
                "`cleanup=` is not the `ResourceCleanup` of the enclosing `with`".to_string(),
            );
        }
    }
    Some(w)
}
