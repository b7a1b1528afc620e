//! Helpers shared by the `provisioning` rules: which calls are the cookbook's removed helpers,
//! where a statement stands (its enclosing statements), and short snippets for messages.

use fwmigrate_rule::ast::{self, Expr, Stmt};
use fwmigrate_rule::parser::CookbookSymbol;
use fwmigrate_rule::{Context, Ranged, TextRange};

/// Whether a call's callee resolves to the cookbook utils symbol `name` (`docs/behaviour.md`,
/// "Name resolution").
pub fn calls_utils(ctx: &Context, call: &ast::ExprCall, name: &str) -> bool {
    ctx.semantic
        .resolve_call(call)
        .is_some_and(|s| s.is_utils(name))
}

/// The cookbook utils symbol a call's callee resolves to, if any.
pub fn utils_callee(ctx: &Context, call: &ast::ExprCall) -> Option<String> {
    match ctx.semantic.resolve_call(call)? {
        CookbookSymbol::Utils(name) => Some(name),
        _ => None,
    }
}

/// A short, single-line rendering of a piece of source for messages.
pub fn snippet(ctx: &Context, range: TextRange) -> String {
    let text = ctx.slice(range);
    let collapsed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() > 48 {
        let cut: String = collapsed.chars().take(45).collect();
        format!("{cut}...")
    } else {
        collapsed
    }
}

/// The callee as written (`setup_infra`, `utils.setup_infra`), for messages.
pub fn callee_text<'a>(ctx: &Context<'a>, call: &ast::ExprCall) -> &'a str {
    ctx.slice(call.func.range())
}

/// The statement bodies directly owned by a compound statement.
pub fn child_bodies(stmt: &Stmt) -> Vec<&[Stmt]> {
    match stmt {
        Stmt::FunctionDef(s) => vec![&s.body],
        Stmt::ClassDef(s) => vec![&s.body],
        Stmt::If(s) => {
            let mut v: Vec<&[Stmt]> = vec![&s.body];
            v.extend(s.elif_else_clauses.iter().map(|c| c.body.as_slice()));
            v
        }
        Stmt::For(s) => vec![&s.body, &s.orelse],
        Stmt::While(s) => vec![&s.body, &s.orelse],
        Stmt::With(s) => vec![&s.body],
        Stmt::Try(s) => {
            let mut v: Vec<&[Stmt]> = vec![&s.body];
            v.extend(s.handlers.iter().map(|h| match h {
                ast::ExceptHandler::ExceptHandler(h) => h.body.as_slice(),
            }));
            v.push(&s.orelse);
            v.push(&s.finalbody);
            v
        }
        Stmt::Match(s) => s.cases.iter().map(|c| c.body.as_slice()).collect(),
        _ => Vec::new(),
    }
}

/// The chain of statements (outermost first) whose ranges contain `range`.
pub fn statement_path(suite: &[Stmt], range: TextRange) -> Vec<&Stmt> {
    let mut out = Vec::new();
    let mut body = suite;
    'outer: loop {
        for stmt in body {
            if stmt.range().contains_range(range) {
                out.push(stmt);
                for child in child_bodies(stmt) {
                    if child.iter().any(|s| s.range().contains_range(range)) {
                        body = child;
                        continue 'outer;
                    }
                }
                break 'outer;
            }
        }
        break;
    }
    out
}

/// Whether `expr` is the literal `None`.
pub fn is_none(expr: &Expr) -> bool {
    expr.is_none_literal_expr()
}

/// Whether `expr` is the literal `False`.
pub fn is_false(expr: &Expr) -> bool {
    matches!(expr, Expr::BooleanLiteral(b) if !b.value)
}

/// Whether `expr` is the literal `True`.
pub fn is_true(expr: &Expr) -> bool {
    matches!(expr, Expr::BooleanLiteral(b) if b.value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fwmigrate_rule::parser::{ParsedFile, SourceKind};

    #[test]
    fn statement_path_follows_nested_blocks() {
        let src =
            "def f():\n    with a:\n        if b:\n            x = g()\n        y = 1\nz = 2\n";
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let start = src.find("g()").unwrap() as u32;
        let range = TextRange::new(start.into(), (start + 3).into());
        let kinds: Vec<&str> = statement_path(file.suite(), range)
            .iter()
            .map(|s| match s {
                Stmt::FunctionDef(_) => "def",
                Stmt::With(_) => "with",
                Stmt::If(_) => "if",
                Stmt::Assign(_) => "assign",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["def", "with", "if", "assign"]);
        let z = src.find("z =").unwrap() as u32;
        let path = statement_path(file.suite(), TextRange::new(z.into(), (z + 1).into()));
        assert_eq!(path.len(), 1);
    }
}
