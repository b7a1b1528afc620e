//! API tables generated from the real source of the cookbook and the SDK.
//!
//! One [`Table`] describes one source tree at one release: every module of the cookbook's
//! `training` package (or of `fireworks.training.sdk`, with the `tinker` modules its classes build
//! on), the names each module defines or re-exports, and every callable's signature. The tables
//! of every release are stored together as a [`crate::history::History`] per package, written by
//! `fwmigrate_apigen` into `data/`, committed, and embedded; a module is decoded at a release
//! only when a lookup needs it.
//!
//! Signatures are stored as compact text in Python's own notation, without annotations:
//! `"base_model, *, lora_rank=, **kwargs"`: `name=` has a default, `/` ends the positional-only
//! parameters, a bare `*` starts the keyword-only ones. Methods keep their `self`/`cls`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// One source tree at one release.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Table {
    /// Where the table comes from (`fw-ai/cookbook@76821fa1`, `fireworks-ai 1.2.30`).
    pub source: String,
    pub modules: BTreeMap<String, Module>,
}

/// A module: its names. `open` when names beyond the listed ones may exist at run time (a star
/// import from outside the table, a module-level `__getattr__`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Module {
    #[serde(default, skip_serializing_if = "is_false")]
    pub open: bool,
    /// `__all__`, when the module spells it as a literal list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<String>>,
    pub names: BTreeMap<String, Symbol>,
}

/// What a module-level name is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "k", rename_all = "lowercase")]
pub enum Symbol {
    /// Bound by an import: the dotted name it stands for (in this table or outside it).
    Ref {
        to: String,
    },
    /// A submodule (`import a.b as c`, or a package's child module).
    Module {
        to: String,
    },
    Function(Function),
    Class(Class),
    /// Any other value (a constant, an alias assigned from an expression).
    Value {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ty: Option<String>,
    },
}

/// A function or method.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Function {
    /// The signature (see the module docs); `None` when a decorator may change it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sig: Option<String>,
    /// The return annotation as written, when it names something (`ServiceClient`,
    /// `"ReconnectableClient"`, `Optional[X]` is kept as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ret: Option<String>,
    /// `classmethod`, `staticmethod` or `property` (methods only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<MethodKind>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MethodKind {
    Classmethod,
    Staticmethod,
    Property,
}

/// A class.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Class {
    /// Bases as dotted names (resolved through the module's imports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bases: Vec<String>,
    /// `@dataclass` (and its `kw_only`), or another decorator that may change the class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataclass: Option<Dataclass>,
    /// Annotated class attributes in order (dataclass and pydantic fields).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    /// Methods, properties and nested classes by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub methods: BTreeMap<String, Function>,
    /// Other class attributes (assigned values, nested classes, enum members).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Vec<String>,
    /// pydantic's `extra` setting (`forbid`, `allow`, `ignore`) when the class sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<String>,
    /// A metaclass other than `ABCMeta`, `__getattr__`, or `__slots__` tricks: attributes beyond the
    /// listed ones may exist.
    #[serde(default, skip_serializing_if = "is_false")]
    pub open: bool,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Dataclass {
    #[serde(default, skip_serializing_if = "is_false")]
    pub kw_only: bool,
    /// `init=False`: the dataclass writes no `__init__`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_init: bool,
}

/// An annotated class attribute.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Field {
    pub name: String,
    /// Has a default (a value, `field(default=...)` or `field(default_factory=...)`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub default: bool,
    /// `field(init=False)`: not a constructor parameter.
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_init: bool,
    /// `field(kw_only=True)` or after a `KW_ONLY` marker.
    #[serde(default, skip_serializing_if = "is_false")]
    pub kw_only: bool,
    /// A pydantic alias (`Field(alias=...)`): the constructor's keyword.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// The annotation as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// How a parameter binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    PositionalOnly,
    PositionalOrKeyword,
    VarPositional,
    KeywordOnly,
    VarKeyword,
}

/// One parameter of a parsed signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
    pub default: bool,
}

/// A parsed signature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signature {
    pub params: Vec<Param>,
}

impl Signature {
    /// Parse the compact text form (see the module docs).
    pub fn parse(text: &str) -> Signature {
        let mut params = Vec::new();
        let mut kind = ParamKind::PositionalOrKeyword;
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "/" => {
                    for p in &mut params {
                        let p: &mut Param = p;
                        if p.kind == ParamKind::PositionalOrKeyword {
                            p.kind = ParamKind::PositionalOnly;
                        }
                    }
                }
                "*" => kind = ParamKind::KeywordOnly,
                _ => {
                    if let Some(name) = part.strip_prefix("**") {
                        params.push(Param {
                            name: name.to_string(),
                            kind: ParamKind::VarKeyword,
                            default: false,
                        });
                    } else if let Some(name) = part.strip_prefix('*') {
                        params.push(Param {
                            name: name.to_string(),
                            kind: ParamKind::VarPositional,
                            default: false,
                        });
                        kind = ParamKind::KeywordOnly;
                    } else {
                        let (name, default) = match part.strip_suffix('=') {
                            Some(name) => (name, true),
                            None => (part, false),
                        };
                        params.push(Param {
                            name: name.to_string(),
                            kind,
                            default,
                        });
                    }
                }
            }
        }
        Signature { params }
    }

    /// The signature without its first parameter (`self` of a bound method, `cls`).
    pub fn without_first(&self) -> Signature {
        let mut params = self.params.clone();
        if params.first().is_some_and(|p| {
            matches!(
                p.kind,
                ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword
            )
        }) {
            params.remove(0);
        }
        Signature { params }
    }

    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| {
            p.name == name && !matches!(p.kind, ParamKind::VarPositional | ParamKind::VarKeyword)
        })
    }

    pub fn has_var_keyword(&self) -> bool {
        self.params.iter().any(|p| p.kind == ParamKind::VarKeyword)
    }

    pub fn has_var_positional(&self) -> bool {
        self.params
            .iter()
            .any(|p| p.kind == ParamKind::VarPositional)
    }

    /// Parameters that accept a keyword argument.
    pub fn keyword_names(&self) -> impl Iterator<Item = &str> {
        self.params
            .iter()
            .filter(|p| {
                matches!(
                    p.kind,
                    ParamKind::PositionalOrKeyword | ParamKind::KeywordOnly
                )
            })
            .map(|p| p.name.as_str())
    }

    /// How many positional arguments the signature takes at most (`None`: any number).
    pub fn max_positional(&self) -> Option<usize> {
        if self.has_var_positional() {
            return None;
        }
        Some(
            self.params
                .iter()
                .filter(|p| {
                    matches!(
                        p.kind,
                        ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword
                    )
                })
                .count(),
        )
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        let mut star_written = false;
        for (i, p) in self.params.iter().enumerate() {
            let next_is_not_po = self
                .params
                .get(i + 1)
                .is_none_or(|n| n.kind != ParamKind::PositionalOnly);
            match p.kind {
                ParamKind::VarPositional => {
                    parts.push(format!("*{}", p.name));
                    star_written = true;
                }
                ParamKind::VarKeyword => parts.push(format!("**{}", p.name)),
                ParamKind::KeywordOnly => {
                    if !star_written {
                        parts.push("*".to_string());
                        star_written = true;
                    }
                    parts.push(format!("{}{}", p.name, if p.default { "=" } else { "" }));
                }
                _ => parts.push(format!("{}{}", p.name, if p.default { "=" } else { "" })),
            }
            if p.kind == ParamKind::PositionalOnly && next_is_not_po {
                parts.push("/".to_string());
            }
        }
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_round_trips() {
        for text in [
            "",
            "self",
            "a, b=, /, c, *args, d, e=, **kw",
            "base_model, *, lora_rank=, **kwargs",
            "x, /",
            "*, a",
        ] {
            let sig = Signature::parse(text);
            assert_eq!(sig.to_string(), text, "{text}");
        }
        let sig = Signature::parse("a, b=, /, c, *args, d, e=, **kw");
        assert_eq!(sig.params[0].kind, ParamKind::PositionalOnly);
        assert_eq!(sig.params[2].kind, ParamKind::PositionalOrKeyword);
        assert_eq!(sig.params[4].kind, ParamKind::KeywordOnly);
        assert!(sig.params[5].default);
        assert_eq!(sig.max_positional(), None);
        assert_eq!(sig.keyword_names().collect::<Vec<_>>(), vec!["c", "d", "e"]);
        assert_eq!(
            Signature::parse("self, a, b=").without_first().to_string(),
            "a, b="
        );
    }
}
