//! Where a statement stands: the blocks a compound statement owns, the chain of statements that
//! enclose a range, and a table of every statement with its block ([`Statements`]).

use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

/// Where a statement stands: the block that holds it and its neighbours.
#[derive(Debug, Clone, Copy)]
pub struct StatementInfo {
    pub range: TextRange,
    /// Range covering the whole block (first to last statement) the statement belongs to.
    pub block: TextRange,
    pub index: usize,
    pub block_len: usize,
    /// The body of the innermost function that contains the statement (first to last statement).
    pub scope: Option<TextRange>,
    /// Depth of nesting (0 = module level).
    pub depth: usize,
}

/// Every statement of a module, at any depth, with where it stands.
#[derive(Debug, Clone, Default)]
pub struct Statements {
    /// By start, the longer range first on a tie.
    statements: Vec<StatementInfo>,
}

impl Statements {
    /// The statements of `suite` and of every block nested in it.
    pub fn new(suite: &[Stmt]) -> Self {
        let mut statements = Vec::new();
        collect(suite, None, 0, &mut statements);
        statements.sort_by_key(|s| (s.range.start(), std::cmp::Reverse(s.range.end())));
        Self { statements }
    }

    /// Innermost statement whose range contains `offset`... preferring the deepest one.
    pub fn statement_at(&self, offset: TextSize) -> Option<&StatementInfo> {
        self.statements
            .iter()
            .filter(|s| s.range.contains_inclusive(offset))
            .max_by_key(|s| s.depth)
    }

    /// The statement with exactly this range.
    pub fn statement(&self, range: TextRange) -> Option<&StatementInfo> {
        let i = self
            .statements
            .partition_point(|s| s.range.start() < range.start());
        self.statements[i..]
            .iter()
            .take_while(|s| s.range.start() == range.start())
            .find(|s| s.range == range)
    }
}

fn collect(body: &[Stmt], scope: Option<TextRange>, depth: usize, out: &mut Vec<StatementInfo>) {
    let (Some(first), Some(last)) = (body.first(), body.last()) else {
        return;
    };
    let block = TextRange::new(first.start(), last.end());
    for (index, stmt) in body.iter().enumerate() {
        out.push(StatementInfo {
            range: stmt.range(),
            block,
            index,
            block_len: body.len(),
            scope,
            depth,
        });
    }
    for stmt in body {
        let inner = match stmt {
            Stmt::FunctionDef(func) => Some(match (func.body.first(), func.body.last()) {
                (Some(first), Some(last)) => TextRange::new(first.start(), last.end()),
                _ => func.range,
            }),
            _ => scope,
        };
        for child in child_bodies(stmt) {
            collect(child, inner, depth + 1, out);
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ParsedFile, SourceKind};

    #[test]
    fn statement_table() {
        let src = "if x:\n    a = 1\n    b = 2\nc = 3\n";
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let statements = Statements::new(file.suite());
        let b = statements
            .statement_at(TextSize::new(src.find("b =").unwrap() as u32))
            .unwrap();
        assert_eq!((b.index, b.block_len, b.depth), (1, 2, 1));
        assert_eq!(
            b.block,
            TextRange::new(
                TextSize::new(src.find("a =").unwrap() as u32),
                TextSize::new(src.find("\nc").unwrap() as u32),
            )
        );
        let c = statements
            .statement_at(TextSize::new(src.find("c =").unwrap() as u32))
            .unwrap();
        assert_eq!((c.index, c.block_len, c.depth), (1, 2, 0));
        assert_eq!(statements.statement(c.range).map(|s| s.index), Some(1));
        assert!(
            statements
                .statement(TextRange::empty(c.range.start()))
                .is_none()
        );
    }

    #[test]
    fn statement_scope_is_the_innermost_function_body() {
        let src = "def f():\n    class C:\n        x = 1\n    def g():\n        y = 2\nz = 3\n";
        let file = ParsedFile::parse(src, SourceKind::Python).unwrap();
        let statements = Statements::new(file.suite());
        let at = |needle: &str| {
            statements
                .statement_at(TextSize::new(src.find(needle).unwrap() as u32))
                .unwrap()
        };
        let f_body = TextRange::new(
            TextSize::new(src.find("class").unwrap() as u32),
            TextSize::new(src.find("\nz").unwrap() as u32),
        );
        let g_body = TextRange::new(
            TextSize::new(src.find("y =").unwrap() as u32),
            TextSize::new(src.find("\nz").unwrap() as u32),
        );
        assert_eq!((at("x =").scope, at("x =").depth), (Some(f_body), 2));
        assert_eq!((at("y =").scope, at("y =").depth), (Some(g_body), 2));
        assert_eq!(at("z =").scope, None);
    }

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
