//! FW007 `unused-manager`: `x = TrainerJobManager(...)` / `DeploymentManager(...)` whose target is
//! never read.

use fwmigrate_rule::ast::{self, Expr, Stmt};
use fwmigrate_rule::parser::edits::delete_statement;
use fwmigrate_rule::semantic::imports::remove_binding;
use fwmigrate_rule::{
    ALL_TARGETS, Applicability, Context, Finding, Fix, Ranged, Rule, RuleCode, RuleMeta, Severity,
    TextRange, TextSize, walk,
};

use crate::common::{binding_uses, import_binding};

pub struct UnusedManager;

pub static META: RuleMeta = RuleMeta {
    code: RuleCode::new("FW007"),
    name: "unused-manager",
    family: fwmigrate_rule::Family::Infra,
    severity: Severity::Warning,
    fix: Some(Applicability::Safe),
    targets: ALL_TARGETS,
    requires_import: true,
    needles: &["TrainerJobManager", "DeploymentManager"],
    summary: "A `TrainerJobManager`/`DeploymentManager` is created and never used.",
    explanation: r#"## What it finds

An assignment `name = TrainerJobManager(...)` or `name = DeploymentManager(...)` (the SDK
classes from `fireworks.training.sdk`, resolved through imports) inside a function, whose target
is never read in that function; or in the `if __name__ == "__main__":` block of a script, whose
target is never read anywhere in the file. Usually the follow-up of FW006: once the recipe
`main()` stops taking `rlor_mgr`/`deploy_mgr`, the managers built for it are dead code.

Left alone:

- other module-level assignments (other modules may import the name);
- tuple targets (`rlor_mgr, deploy_mgr = managers`), class attributes, `global`/`nonlocal` names;
- functions that read their locals dynamically (`locals()`, `vars()`, `globals()`, `eval`,
  `exec`);
- constructions whose arguments could have side effects: an argument must be a literal, a
  name, an attribute, a subscript of those (`os.environ["KEY"]`), an f-string over those,
  `os.environ.get(...)` / `os.getenv(...)`, or an arithmetic/boolean combination of these. Any
  other call in an argument keeps the statement.

## Why it matters

The managers are no longer needed: the recipe (or `FiretitanServiceClient`) provisions and
cleans up through the SDK. Constructing one only reads credentials.

Severity: warning, the code still runs.

## Fix safety

**Safe**: the fix deletes the statement (a block left empty gets `pass`; no double blank line is
left), and the import of the class when nothing else uses it (the whole import statement when it
was its last name). In `--check` on unmigrated code this only fires where the manager is already
unused; `--apply` picks up the rest after FW006 has removed the last use.

## Example

```python
def run(cfg):
    rlor_mgr = TrainerJobManager(api_key=os.environ["FIREWORKS_API_KEY"])
    return sft_loop.main(cfg)
```

becomes

```python
def run(cfg):
    return sft_loop.main(cfg)
```
"#,
};

impl Rule for UnusedManager {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, findings: &mut Vec<Finding>) {
        // Before the move to SDK provisioning the old surface is the target's own API.
        if !fwmigrate_rule::provisions_through_sdk(ctx.target) {
            return;
        }
        walk::for_each_stmt(ctx.file.suite(), |stmt| {
            let (target, value) = match stmt {
                Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], a.value.as_ref()),
                Stmt::AnnAssign(a) => match &a.value {
                    Some(v) => (a.target.as_ref(), v.as_ref()),
                    None => return,
                },
                _ => return,
            };
            let (Expr::Name(name), Expr::Call(call)) = (target, value) else {
                return;
            };
            let Some(class) = ctx
                .semantic
                .resolve_call(call)
                .and_then(|s| s.sdk_name().map(str::to_string))
            else {
                return;
            };
            if class != "TrainerJobManager" && class != "DeploymentManager" {
                return;
            }
            if let Some(f) = check_assignment(ctx, stmt, name, call, &class) {
                findings.push(f);
            }
        });
    }
}

fn check_assignment(
    ctx: &Context,
    stmt: &Stmt,
    name: &ast::ExprName,
    call: &ast::ExprCall,
    class: &str,
) -> Option<Finding> {
    let info = ctx.semantic.statement(stmt.range())?;
    // A function body; or, at module level, the `if __name__ == "__main__":` block of a script
    // (nothing can import a name bound there), where the whole file may read the name.
    let scope = match info.scope {
        Some(scope) => scope,
        None if in_main_block(ctx, stmt.range()) => {
            TextRange::new(TextSize::new(0), TextSize::new(ctx.source().len() as u32))
        }
        None => return None,
    };
    let id = name.id.as_str();
    if inside_class_body(ctx, stmt.range(), scope) || dynamic_or_declared(ctx, scope, id) {
        return None;
    }
    // Any read of the name in the function (nested functions and lambdas included).
    let mut read = false;
    walk::for_each_expr(ctx.file.suite(), |expr| {
        if let Expr::Name(n) = expr
            && n.id.as_str() == id
            && n.ctx != ast::ExprContext::Store
            && scope.contains_range(n.range)
        {
            read = true;
        }
    });
    if read {
        return None;
    }
    if !call.arguments.args.iter().all(side_effect_free)
        || !call
            .arguments
            .keywords
            .iter()
            .all(|k| side_effect_free(&k.value))
    {
        return None;
    }
    let deletion = delete_statement(ctx.file, ctx.semantic.statements(), stmt.range())?;
    let mut edits = vec![deletion.edit];
    if let Some(binding) = import_binding(ctx, &call.func)
        && binding_uses(ctx, binding, &[stmt.range()]) == 0
    {
        edits.extend(remove_binding(ctx.file, ctx.semantic, binding));
    }
    let message = format!(
        "`{id}` is a `{class}` that is never used: the recipe `main()` (or the SDK service \
         client) provisions and cleans up through the SDK now; delete it"
    );
    Some(
        Finding::new(&META, stmt.range(), message).with_fix(
            Fix::safe(format!("Delete the unused `{class}`"), edits)
                .with_isolation(Some(deletion.block)),
        ),
    )
}

/// Whether a module-level statement stands in a top-level `if __name__ == "__main__":` body.
fn in_main_block(ctx: &Context, stmt: TextRange) -> bool {
    ctx.file.suite().iter().any(|s| {
        let Stmt::If(if_stmt) = s else { return false };
        let is_main_test = match if_stmt.test.as_ref() {
            Expr::Compare(c) if c.comparators.len() == 1 => {
                let sides = [&c.left as &Expr, &c.comparators[0]];
                matches!(c.ops.first(), Some(ast::CmpOp::Eq))
                    && sides
                        .iter()
                        .any(|e| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__"))
                    && sides.iter().any(|e| {
                        matches!(e, Expr::StringLiteral(lit) if lit.value.to_str() == "__main__")
                    })
            }
            _ => false,
        };
        let body = match (if_stmt.body.first(), if_stmt.body.last()) {
            (Some(first), Some(last)) => TextRange::new(first.start(), last.end()),
            _ => return false,
        };
        is_main_test && body.contains_range(stmt)
    })
}

/// A statement in a class body nested in the function is a class attribute, not a local.
fn inside_class_body(ctx: &Context, stmt: TextRange, scope: TextRange) -> bool {
    let mut inside = false;
    walk::for_each_stmt(ctx.file.suite(), |s| {
        if let Stmt::ClassDef(c) = s
            && c.range.contains_range(stmt)
            && scope.contains_range(c.range)
        {
            inside = true;
        }
    });
    inside
}

/// `global`/`nonlocal` declarations of the name, or dynamic reads of locals, in the function.
fn dynamic_or_declared(ctx: &Context, scope: TextRange, id: &str) -> bool {
    let mut found = false;
    walk::for_each_stmt(ctx.file.suite(), |s| match s {
        Stmt::Global(g)
            if scope.contains_range(g.range) && g.names.iter().any(|n| n.id.as_str() == id) =>
        {
            found = true;
        }
        Stmt::Nonlocal(g)
            if scope.contains_range(g.range) && g.names.iter().any(|n| n.id.as_str() == id) =>
        {
            found = true;
        }
        _ => {}
    });
    walk::for_each_call(ctx.file.suite(), |c| {
        if let Expr::Name(n) = c.func.as_ref()
            && matches!(n.id.as_str(), "locals" | "vars" | "eval" | "exec")
            && scope.contains_range(c.range())
        {
            found = true;
        }
    });
    found
}

/// Whether evaluating an argument can have no effect beyond reading values.
fn side_effect_free(expr: &Expr) -> bool {
    match expr {
        Expr::StringLiteral(_)
        | Expr::BytesLiteral(_)
        | Expr::NumberLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::NoneLiteral(_)
        | Expr::EllipsisLiteral(_)
        | Expr::Name(_) => true,
        Expr::Attribute(a) => side_effect_free(&a.value),
        Expr::Subscript(s) => side_effect_free(&s.value) && side_effect_free(&s.slice),
        Expr::FString(f) => f.value.elements().all(|e| match e {
            ast::InterpolatedStringElement::Literal(_) => true,
            ast::InterpolatedStringElement::Interpolation(i) => side_effect_free(&i.expression),
        }),
        Expr::BinOp(b) => side_effect_free(&b.left) && side_effect_free(&b.right),
        Expr::BoolOp(b) => b.values.iter().all(side_effect_free),
        Expr::UnaryOp(u) => side_effect_free(&u.operand),
        Expr::Compare(c) => side_effect_free(&c.left) && c.comparators.iter().all(side_effect_free),
        Expr::If(i) => {
            side_effect_free(&i.test) && side_effect_free(&i.body) && side_effect_free(&i.orelse)
        }
        Expr::Tuple(t) => t.elts.iter().all(side_effect_free),
        Expr::List(l) => l.elts.iter().all(side_effect_free),
        Expr::Dict(d) => d
            .items
            .iter()
            .all(|i| i.key.as_ref().is_none_or(side_effect_free) && side_effect_free(&i.value)),
        Expr::Call(c) => {
            is_env_read(&c.func)
                && c.arguments.args.iter().all(side_effect_free)
                && c.arguments
                    .keywords
                    .iter()
                    .all(|k| side_effect_free(&k.value))
        }
        _ => false,
    }
}

/// `os.environ.get` / `os.getenv` (spelled through the `os` module).
fn is_env_read(func: &Expr) -> bool {
    match func {
        Expr::Attribute(a) => match (a.attr.id.as_str(), a.value.as_ref()) {
            ("getenv", Expr::Name(n)) => n.id.as_str() == "os",
            ("get", Expr::Attribute(inner)) => {
                inner.attr.id.as_str() == "environ"
                    && matches!(inner.value.as_ref(), Expr::Name(n) if n.id.as_str() == "os")
            }
            _ => false,
        },
        _ => false,
    }
}
