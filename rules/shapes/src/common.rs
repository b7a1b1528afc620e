//! Helpers shared by the `shapes` rules: which calls are the cookbook's trainer config
//! constructions, what a local variable was bound to, and deleting a statement or keyword.

use fwmigrate_rule::ast::{self, Expr, Stmt};
use fwmigrate_rule::parser::TokenKind;
use fwmigrate_rule::parser::edits::{StatementDeletion, delete_argument, delete_statement};
use fwmigrate_rule::semantic::CookbookSymbol;
use fwmigrate_rule::walk::{for_each_expr_in, for_each_stmt};
use fwmigrate_rule::{Applicability, Context, Edit, Fix, Ranged, TextRange, TextSize};

/// The cookbook class a call constructs, when it is `TrainerConfig(...)` or the legacy
/// `InfraConfig(...)` from a cookbook utils module (`docs/behaviour.md`, "Name resolution").
/// Calls whose callee does not resolve (a local class, another library) return `None`.
pub fn trainer_class(ctx: &Context, call: &ast::ExprCall) -> Option<&'static str> {
    match ctx.semantic.resolve_call(call)? {
        CookbookSymbol::Utils(name) if name == "TrainerConfig" => Some("TrainerConfig"),
        CookbookSymbol::Utils(name) if name == "InfraConfig" => Some("InfraConfig"),
        _ => None,
    }
}

/// What a local variable holds, as far as its bindings in one scope tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarKind {
    /// Every binding in the scope is a construction of (or an annotation with) this symbol.
    Known(CookbookSymbol),
    /// The variable is bound in the scope, but not (only) to one cookbook construction.
    Other,
    /// No binding of the name in this scope.
    Unbound,
}

/// One binding of a plain name: `x = Call(...)`, `x: T = ...`, or a parameter.
#[derive(Debug)]
struct VarBinding {
    scope: Option<TextRange>,
    name: String,
    symbol: Option<CookbookSymbol>,
}

/// The bindings of plain local names in a file, by scope, to answer "is `cfg` a recipe
/// `Config(...)`?" without type inference.
#[derive(Debug, Default)]
pub struct LocalVars {
    bindings: Vec<VarBinding>,
}

impl LocalVars {
    pub fn new(ctx: &Context) -> Self {
        let mut bindings = Vec::new();
        for_each_stmt(ctx.file.suite(), |stmt| match stmt {
            Stmt::Assign(assign) => {
                let scope = ctx.semantic.function_at(stmt.start());
                for target in &assign.targets {
                    collect_targets(ctx, target, Some(&assign.value), scope, &mut bindings);
                }
            }
            Stmt::AnnAssign(assign) => {
                let scope = ctx.semantic.function_at(stmt.start());
                if let Expr::Name(name) = assign.target.as_ref() {
                    let symbol = ctx.semantic.resolve(&assign.annotation).or_else(|| {
                        assign
                            .value
                            .as_deref()
                            .and_then(|v| construction_symbol(ctx, v))
                    });
                    bindings.push(VarBinding {
                        scope,
                        name: name.id.to_string(),
                        symbol,
                    });
                }
            }
            Stmt::AugAssign(assign) => {
                let scope = ctx.semantic.function_at(stmt.start());
                collect_targets(ctx, &assign.target, None, scope, &mut bindings);
            }
            Stmt::For(stmt_for) => {
                let scope = ctx.semantic.function_at(stmt.start());
                collect_targets(ctx, &stmt_for.target, None, scope, &mut bindings);
            }
            Stmt::With(with) => {
                let scope = ctx.semantic.function_at(stmt.start());
                for item in &with.items {
                    if let Some(vars) = &item.optional_vars {
                        collect_targets(ctx, vars, None, scope, &mut bindings);
                    }
                }
            }
            Stmt::FunctionDef(func) => {
                let (Some(first), Some(last)) = (func.body.first(), func.body.last()) else {
                    return;
                };
                let scope = Some(TextRange::new(first.start(), last.end()));
                for param in func.parameters.iter() {
                    let param = param.as_parameter();
                    bindings.push(VarBinding {
                        scope,
                        name: param.name.id.to_string(),
                        symbol: param
                            .annotation
                            .as_deref()
                            .and_then(|a| ctx.semantic.resolve(a)),
                    });
                }
            }
            _ => {}
        });
        // Walrus targets bind too; they are never a construction we can vouch for.
        fwmigrate_rule::walk::for_each_expr(ctx.file.suite(), |expr| {
            if let Expr::Named(named) = expr
                && let Expr::Name(name) = named.target.as_ref()
            {
                bindings.push(VarBinding {
                    scope: ctx.semantic.function_at(expr.start()),
                    name: name.id.to_string(),
                    symbol: None,
                });
            }
        });
        Self { bindings }
    }

    /// What `name` holds when read at `offset`: its bindings in the innermost function scope,
    /// or, when that scope does not bind it, at module level.
    pub fn kind_at(&self, ctx: &Context, name: &str, offset: TextSize) -> VarKind {
        let scope = ctx.semantic.function_at(offset);
        let kind = self.kind_in(name, scope);
        if kind == VarKind::Unbound && scope.is_some() {
            return self.kind_in(name, None);
        }
        kind
    }

    fn kind_in(&self, name: &str, scope: Option<TextRange>) -> VarKind {
        let mut found: Option<&CookbookSymbol> = None;
        let mut any = false;
        for b in self
            .bindings
            .iter()
            .filter(|b| b.scope == scope && b.name == name)
        {
            any = true;
            match (&b.symbol, found) {
                (None, _) => return VarKind::Other,
                (Some(s), None) => found = Some(s),
                (Some(s), Some(f)) if s == f => {}
                _ => return VarKind::Other,
            }
        }
        match found {
            Some(s) => VarKind::Known(s.clone()),
            None if any => VarKind::Other,
            None => VarKind::Unbound,
        }
    }
}

/// The cookbook symbol a value constructs (`Config(...)` → the recipe config).
fn construction_symbol(ctx: &Context, value: &Expr) -> Option<CookbookSymbol> {
    match value {
        Expr::Call(call) => ctx.semantic.resolve_call(call),
        _ => None,
    }
}

fn collect_targets(
    ctx: &Context,
    target: &Expr,
    value: Option<&Expr>,
    scope: Option<TextRange>,
    out: &mut Vec<VarBinding>,
) {
    match target {
        Expr::Name(name) => out.push(VarBinding {
            scope,
            name: name.id.to_string(),
            symbol: value.and_then(|v| construction_symbol(ctx, v)),
        }),
        Expr::Tuple(t) => t
            .elts
            .iter()
            .for_each(|e| collect_targets(ctx, e, None, scope, out)),
        Expr::List(l) => l
            .elts
            .iter()
            .for_each(|e| collect_targets(ctx, e, None, scope, out)),
        Expr::Starred(s) => collect_targets(ctx, &s.value, None, scope, out),
        _ => {}
    }
}

/// Whether an expression contains a walrus (deleting it would drop a binding).
pub fn contains_walrus(expr: &Expr) -> bool {
    let mut found = false;
    for_each_expr_in(expr, |e| found |= e.is_named_expr());
    found
}

/// The fix that deletes the keyword `kw` (named `name`) from `call`: safe, unless its value binds a
/// name with `:=` (the binding would go with it).
pub fn delete_keyword_fix(
    ctx: &Context,
    call: &ast::ExprCall,
    kw: &ast::Keyword,
    name: &str,
) -> Fix {
    let edit = delete_argument(ctx.file, &call.arguments, kw.range());
    let fix = Fix::safe(format!("Delete `{name}=`"), vec![edit]);
    if contains_walrus(&kw.value) {
        fix.with_applicability(Applicability::Unsafe)
            .with_reason("the value binds a name with `:=`")
    } else {
        fix
    }
}

/// Delete a statement like [`delete_statement`], and also one that shares its line with another
/// statement through `;` (`x = 1; cfg.trainer.accelerator_type = "H100"`): the statement and its
/// separator go, the neighbour stays.
pub fn delete_stmt(ctx: &Context, stmt: TextRange) -> Option<StatementDeletion> {
    if let Some(deletion) = delete_statement(ctx.file, ctx.semantic.statements(), stmt) {
        return Some(deletion);
    }
    let block = ctx.semantic.statement(stmt)?.block;
    let range = match (
        ctx.file.prev_token(stmt.start()),
        ctx.file.next_token(stmt.end()),
    ) {
        // `a; stmt` (maybe followed by more): remove `; stmt`.
        (Some((TokenKind::Semi, semi)), _) => TextRange::new(semi.start(), stmt.end()),
        // `stmt; b`: remove `stmt; ` up to the next statement.
        (_, Some((TokenKind::Semi, semi))) => {
            let next = ctx.file.next_token(semi.end())?;
            if matches!(next.0, TokenKind::Newline | TokenKind::EndOfFile) {
                TextRange::new(stmt.start(), semi.end())
            } else {
                TextRange::new(stmt.start(), next.1.start())
            }
        }
        _ => return None,
    };
    Some(StatementDeletion {
        edit: Edit::deletion(range),
        block,
    })
}
