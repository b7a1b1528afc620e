//! Binding a call's arguments to a signature, as Python's `inspect.Signature.bind` does.
//!
//! Only what the call spells out is judged: a `*args` in the call may fill any positional
//! parameter and a `**kwargs` any keyword, so with them nothing is reported missing.

use fwmigrate_rule::api::tables::{ParamKind, Signature};
use fwmigrate_rule::ast::{self, Expr};
use fwmigrate_rule::{Ranged, TextRange};

/// Why a call does not bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindError {
    /// `name=` matches no parameter (and there is no `**kwargs`).
    UnknownKeyword { name: String, range: TextRange },
    /// `name=` names a positional-only parameter.
    PositionalOnly { name: String, range: TextRange },
    /// `name=` is also given positionally.
    MultipleValues { name: String, range: TextRange },
    /// More positional arguments than the signature takes; `range` is the first extra one.
    TooManyPositional {
        max: usize,
        given: usize,
        range: TextRange,
    },
    /// Required parameters nothing fills.
    MissingRequired { names: Vec<String> },
}

pub fn bind(sig: &Signature, call: &ast::ExprCall) -> Vec<BindError> {
    let mut errors = Vec::new();
    let args = &call.arguments.args;
    let star_args = args.iter().any(Expr::is_starred_expr);
    let star_kwargs = call.arguments.keywords.iter().any(|k| k.arg.is_none());
    let positional: Vec<&Expr> = args.iter().filter(|a| !a.is_starred_expr()).collect();
    let slots: Vec<usize> = sig
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            matches!(
                p.kind,
                ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword
            )
        })
        .map(|(i, _)| i)
        .collect();
    let mut filled = vec![false; sig.params.len()];
    // Positional arguments before the first `*args` fill the first slots in order.
    let leading = args.iter().take_while(|a| !a.is_starred_expr()).count();
    for &slot in slots.iter().take(leading) {
        filled[slot] = true;
    }
    if !sig.has_var_positional() && positional.len() > slots.len() {
        errors.push(BindError::TooManyPositional {
            max: slots.len(),
            given: positional.len(),
            range: positional[slots.len()].range(),
        });
    }
    for keyword in &call.arguments.keywords {
        let Some(name) = keyword.arg.as_ref().map(|a| a.as_str()) else {
            continue;
        };
        let found = sig.params.iter().position(|p| {
            p.name == name && !matches!(p.kind, ParamKind::VarPositional | ParamKind::VarKeyword)
        });
        match found {
            Some(i) if sig.params[i].kind == ParamKind::PositionalOnly => {
                if !sig.has_var_keyword() {
                    errors.push(BindError::PositionalOnly {
                        name: name.to_string(),
                        range: keyword.range(),
                    });
                }
            }
            Some(i) if filled[i] => errors.push(BindError::MultipleValues {
                name: name.to_string(),
                range: keyword.range(),
            }),
            Some(i) => filled[i] = true,
            None if sig.has_var_keyword() => {}
            None => errors.push(BindError::UnknownKeyword {
                name: name.to_string(),
                range: keyword.range(),
            }),
        }
    }
    let missing: Vec<String> = sig
        .params
        .iter()
        .zip(&filled)
        .filter(|(p, filled)| {
            !**filled
                && !p.default
                && match p.kind {
                    ParamKind::PositionalOnly => !star_args,
                    ParamKind::PositionalOrKeyword => !star_args && !star_kwargs,
                    ParamKind::KeywordOnly => !star_kwargs,
                    _ => false,
                }
        })
        .map(|(p, _)| p.name.clone())
        .collect();
    if !missing.is_empty() {
        errors.push(BindError::MissingRequired { names: missing });
    }
    errors
}

/// The accepted keyword names closest to `unknown`, best first (at most `n`).
pub fn nearest<'a>(
    candidates: impl Iterator<Item = &'a str>,
    unknown: &str,
    n: usize,
) -> Vec<&'a str> {
    let limit = unknown.len().max(4) / 2 + 2;
    // A candidate whose length differs by more than the limit cannot be within it: only
    // containment can admit it, and that is cheap to test first.
    let mut scored: Vec<(usize, &str)> = candidates
        .filter_map(|c| {
            let contains = c.contains(unknown) || unknown.contains(c);
            // Lengths in characters, as the distance counts them (bytes only when both are
            // ASCII, the usual case).
            let chars = |s: &str| {
                if s.is_ascii() {
                    s.len()
                } else {
                    s.chars().count()
                }
            };
            let close = chars(c).abs_diff(chars(unknown)) <= limit;
            (contains || close)
                .then(|| (distance(c, unknown), c))
                .filter(|(d, _)| contains || *d <= limit)
        })
        .collect();
    scored.sort();
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

/// The edit distance between two names (one row of the usual table, reused). Names are
/// identifiers, nearly always ASCII and short: those are compared byte by byte on the stack.
fn distance(a: &str, b: &str) -> usize {
    const SHORT: usize = 64;
    if a.is_ascii() && b.is_ascii() && b.len() < SHORT {
        let mut row = [0usize; SHORT];
        levenshtein(a.as_bytes(), b.as_bytes(), &mut row[..=b.len()])
    } else {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        levenshtein(&a, &b, &mut vec![0; b.len() + 1])
    }
}

fn levenshtein<T: PartialEq>(a: &[T], b: &[T], row: &mut [usize]) -> usize {
    for (j, cell) in row.iter_mut().enumerate() {
        *cell = j;
    }
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j + 1] + 1).min(row[j] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use fwmigrate_rule::parser::{ParsedFile, SourceKind};
    use fwmigrate_rule::walk::for_each_call;

    fn errors(sig: &str, call: &str) -> Vec<BindError> {
        let file = ParsedFile::parse(call, SourceKind::Python).unwrap();
        let mut out = Vec::new();
        for_each_call(file.suite(), |c| out = bind(&Signature::parse(sig), c));
        out
    }

    #[test]
    fn binds_like_python() {
        assert!(errors("a, b=, *, c=", "f(1, 2, c=3)").is_empty());
        assert!(matches!(
            errors("a, b=", "f(1, 2, 3)")[0],
            BindError::TooManyPositional {
                max: 2,
                given: 3,
                ..
            }
        ));
        assert!(matches!(
            &errors("a, *, c=", "f(1, d=3)")[0],
            BindError::UnknownKeyword { name, .. } if name == "d"
        ));
        assert!(errors("a, **kw", "f(1, d=3)").is_empty());
        assert_eq!(
            errors("a, *, c", "f()"),
            vec![BindError::MissingRequired {
                names: vec!["a".into(), "c".into()]
            }]
        );
        assert!(errors("a, *, c", "f(*xs, **kw)").is_empty());
        assert!(matches!(
            &errors("a, /, b=", "f(1, a=2)")[0],
            BindError::PositionalOnly { name, .. } if name == "a"
        ));
        assert!(matches!(
            &errors("a, b=", "f(1, a=2)")[0],
            BindError::MultipleValues { name, .. } if name == "a"
        ));
        assert!(errors("*args, **kwargs", "f(1, 2, x=1)").is_empty());
    }

    #[test]
    fn edit_distance() {
        assert_eq!(distance("lora_rank", "max_lora_rank"), 4);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("same", "same"), 0);
        // Non-ASCII names count characters, not bytes.
        assert_eq!(distance("größe", "grosse"), 3);
        assert_eq!(distance("ö", "o"), 1);
        // Names longer than the stack row take the general path.
        let long = "a".repeat(80);
        assert_eq!(distance(&long, &format!("{long}b")), 1);
    }

    #[test]
    fn nearest_names() {
        let names = [
            "max_lora_rank",
            "max_context_length",
            "learning_rate",
            "base_model",
        ];
        assert_eq!(
            nearest(names.iter().copied(), "lora_rank", 2),
            vec!["max_lora_rank"]
        );
        // Four characters (eight bytes) against two: within the limit of 4.
        assert_eq!(nearest(["äöüß"].into_iter(), "ab", 2), vec!["äöüß"]);
    }
}
