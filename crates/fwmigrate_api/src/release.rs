//! The older rule families' view of one cookbook release: the fields of the config classes and
//! recipe `Config`s in declaration order, and the parameters of recipe `main`s and a few
//! functions, read from the generated tables ([`crate::tables`]).
//!
//! Each answer is built on first use from the modules it needs (`training.utils` and
//! `training.utils.config` for a config class, `training.recipes.<name>` for a recipe) and kept
//! for the rest of the process.

use std::sync::OnceLock;

use crate::KNOWN_RECIPES;
use crate::index::{LazyTable, cookbook_history, cookbook_table};
use crate::tables::{self, Class, Signature, Symbol};

/// The classes [`Release::class`] answers for, each looked up as `training.utils.<name>`.
pub const CLASSES: &[&str] = &[
    "InfraConfig",
    "TrainerConfig",
    "DeployConfig",
    "WeightSyncConfig",
    "WeightSyncScope",
];

/// The functions [`Release::function`] answers for, each looked up as `training.utils.<name>`;
/// `Class.method` names a method (with its `self` or `cls`).
pub const FUNCTIONS: &[&str] = &[
    "build_service_client",
    "setup_infra",
    "ReconnectableClient.__init__",
    "ReconnectableClient.from_training_client",
    "ResourceCleanup.__init__",
];

/// A constructor field of a config class (an enum's member for an enum).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    /// Has no default.
    pub required: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// Can be passed by position (positional-only or positional-or-keyword).
    Positional,
    /// Keyword-only.
    Keyword,
}

/// A named parameter (`*args` and `**kwargs` are not listed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
    /// Has no default.
    pub required: bool,
}

/// A recipe module: its `Config` fields and its `main` parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipe {
    pub config: Vec<Field>,
    pub main: Vec<Param>,
}

impl Recipe {
    pub fn has_field(&self, name: &str) -> bool {
        self.config.iter().any(|f| f.name == name)
    }

    pub fn main_param(&self, name: &str) -> Option<(usize, &Param)> {
        self.main.iter().enumerate().find(|(_, p)| p.name == name)
    }
}

/// One cookbook snapshot, as the older rule families read it.
#[derive(Debug)]
pub struct Release {
    index: usize,
    classes: [OnceLock<Option<Vec<Field>>>; CLASSES.len()],
    recipes: [OnceLock<Option<Recipe>>; KNOWN_RECIPES.len()],
    functions: [OnceLock<Option<Vec<Param>>>; FUNCTIONS.len()],
}

impl Release {
    const fn new(index: usize) -> Self {
        Self {
            index,
            classes: [const { OnceLock::new() }; CLASSES.len()],
            recipes: [const { OnceLock::new() }; KNOWN_RECIPES.len()],
            functions: [const { OnceLock::new() }; FUNCTIONS.len()],
        }
    }

    /// The snapshot at index `index` of the cookbook history (see [`crate::registry`]).
    pub fn at(index: usize) -> &'static Release {
        static ALL: OnceLock<Box<[Release]>> = OnceLock::new();
        &ALL.get_or_init(|| (0..cookbook_history().len()).map(Release::new).collect())[index]
    }

    /// Every snapshot, oldest first.
    pub fn all() -> impl Iterator<Item = &'static Release> {
        (0..cookbook_history().len()).map(Release::at)
    }

    /// The snapshot index.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The snapshot's tag (`cookbook-v2026.05.30.2`).
    pub fn name(&self) -> &'static str {
        &crate::registry().cookbook[self.index].tag
    }

    /// How messages name it: the target's alias or short tag (`2026.08`, `2026.07.23.2`), or
    /// `the cookbook of 2026-04-12` for a weekly snapshot.
    pub fn describe(&self) -> String {
        let snapshot = &crate::registry().cookbook[self.index];
        if snapshot.target {
            crate::Target::from_index(self.index).to_string()
        } else {
            snapshot.describe()
        }
    }

    fn table(&self) -> &'static LazyTable {
        cookbook_table(self.index)
    }

    /// The fields of one of [`CLASSES`] in declaration order (an enum's members), when the
    /// class exists at this release.
    pub fn class(&self, name: &str) -> Option<&[Field]> {
        let Some(i) = CLASSES.iter().position(|c| *c == name) else {
            debug_assert!(false, "`{name}` is not in CLASSES");
            return None;
        };
        self.classes[i]
            .get_or_init(|| match symbol(self.table(), &format!("{UTILS}.{name}"))? {
                Symbol::Class(class) => Some(fields(class)),
                _ => None,
            })
            .as_deref()
    }

    pub fn class_has_field(&self, class: &str, field: &str) -> bool {
        self.class(class)
            .is_some_and(|fields| fields.iter().any(|f| f.name == field))
    }

    /// The recipe module `training.recipes.<name>` (one of [`KNOWN_RECIPES`]), when it exists
    /// at this release with a `Config` class and a `main` function.
    pub fn recipe(&self, name: &str) -> Option<&Recipe> {
        let i = KNOWN_RECIPES.iter().position(|r| *r == name)?;
        self.recipes[i]
            .get_or_init(|| {
                let module = format!("{RECIPES}.{name}");
                let Symbol::Class(config) = symbol(self.table(), &format!("{module}.Config"))?
                else {
                    return None;
                };
                let Symbol::Function(main) = symbol(self.table(), &format!("{module}.main"))?
                else {
                    return None;
                };
                Some(Recipe {
                    config: fields(config),
                    main: params(main)?,
                })
            })
            .as_ref()
    }

    /// The parameters of one of [`FUNCTIONS`] in order, when it exists at this release (and
    /// no decorator hides its signature).
    pub fn function(&self, name: &str) -> Option<&[Param]> {
        let Some(i) = FUNCTIONS.iter().position(|f| *f == name) else {
            debug_assert!(false, "`{name}` is not in FUNCTIONS");
            return None;
        };
        self.functions[i]
            .get_or_init(|| {
                let function = match name.split_once('.') {
                    Some((class, method)) => {
                        match symbol(self.table(), &format!("{UTILS}.{class}"))? {
                            Symbol::Class(class) => class.methods.get(method)?,
                            _ => return None,
                        }
                    }
                    None => match symbol(self.table(), &format!("{UTILS}.{name}"))? {
                        Symbol::Function(function) => function,
                        _ => return None,
                    },
                };
                params(function)
            })
            .as_deref()
    }
}

const UTILS: &str = "training.utils";
const RECIPES: &str = "training.recipes";

/// What a dotted `module.name` path is in `table`, through the imports that re-export it.
fn symbol(table: &'static LazyTable, path: &str) -> Option<&'static Symbol> {
    let mut path = path.to_string();
    // Re-export chains are short; a cycle ends here.
    for _ in 0..8 {
        let (module, name) = path.rsplit_once('.')?;
        match table.module(module)?.names.get(name)? {
            Symbol::Ref { to } => path = to.clone(),
            symbol => return Some(symbol),
        }
    }
    None
}

/// A class's constructor fields in declaration order, or an enum's members. The classes read
/// here declare all their fields themselves (a test checks that they have no base but `Enum`).
fn fields(class: &'static Class) -> Vec<Field> {
    if class.bases.iter().any(|b| b.starts_with("enum.")) {
        return class
            .attrs
            .iter()
            .map(|name| Field {
                name: name.clone(),
                required: false,
            })
            .collect();
    }
    class
        .fields
        .iter()
        .filter(|f| !f.no_init)
        .map(|f| Field {
            name: f.name.clone(),
            required: !f.default,
        })
        .collect()
}

fn params(function: &tables::Function) -> Option<Vec<Param>> {
    let sig = Signature::parse(function.sig.as_deref()?);
    Some(
        sig.params
            .into_iter()
            .filter_map(|p| {
                let kind = match p.kind {
                    tables::ParamKind::PositionalOnly | tables::ParamKind::PositionalOrKeyword => {
                        ParamKind::Positional
                    }
                    tables::ParamKind::KeywordOnly => ParamKind::Keyword,
                    tables::ParamKind::VarPositional | tables::ParamKind::VarKeyword => {
                        return None;
                    }
                };
                Some(Param {
                    name: p.name,
                    kind,
                    required: !p.default,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{ApiView, Resolved};
    use crate::sdk::{self, SdkVersion};
    use crate::{Target, legacy};

    fn releases() -> [(&'static Release, ApiView); 3] {
        [
            (legacy(), sdk::legacy_view()),
            (
                Target::named("2026.06").release(),
                sdk::view(Target::named("2026.06"), SdkVersion::newest()),
            ),
            (
                Target::named("2026.08").release(),
                sdk::view(Target::named("2026.08"), SdkVersion::newest()),
            ),
        ]
    }

    fn names<T>(items: &[T], name: impl Fn(&T) -> &str) -> Vec<&str> {
        items.iter().map(name).collect()
    }

    /// Reading a class's own fields is its whole constructor: the field lists agree with the
    /// constructor the general lookup derives along the bases, order and defaults included.
    #[test]
    fn field_lists_are_the_constructors() {
        let mut checked = 0;
        for (release, view) in releases() {
            let mut paths: Vec<(String, &[Field])> = Vec::new();
            for class in CLASSES {
                if let Some(fields) = release.class(class) {
                    paths.push((format!("{UTILS}.{class}"), fields));
                }
            }
            for recipe in KNOWN_RECIPES {
                if let Some(r) = release.recipe(recipe) {
                    paths.push((format!("{RECIPES}.{recipe}.Config"), &r.config));
                }
            }
            for (path, fields) in paths {
                let Resolved::Class(class) = view.resolve(&path) else {
                    panic!("{path} at {}", release.name());
                };
                if class.class.bases.iter().any(|b| b.starts_with("enum.")) {
                    assert!(!fields.is_empty() && fields.iter().all(|f| !f.required));
                    continue;
                }
                assert!(
                    class.class.bases.is_empty(),
                    "{path}: {:?}",
                    class.class.bases
                );
                let sig = view.constructor(class).expect("a known constructor");
                let expected: Vec<(&str, bool)> = sig
                    .params
                    .iter()
                    .map(|p| (p.name.as_str(), !p.default))
                    .collect();
                let ours: Vec<(&str, bool)> = fields
                    .iter()
                    .map(|f| (f.name.as_str(), f.required))
                    .collect();
                assert_eq!(ours, expected, "{path} at {}", release.name());
                checked += 1;
            }
        }
        assert!(checked >= 30, "{checked}");
    }

    #[test]
    fn each_listed_name_exists_where_the_cookbook_has_it() {
        let [(legacy, _), (v06, _), (v08, _)] = releases();
        assert!(legacy.class("TrainerConfig").is_none());
        assert!(v06.class("TrainerConfig").is_some());
        assert_eq!(
            names(v08.class("WeightSyncScope").unwrap(), |f| &f.name),
            ["PER_TRAINER", "PER_DEPLOYMENT"]
        );
        for name in ["setup_infra", "ResourceCleanup.__init__"] {
            assert!(legacy.function(name).is_some(), "{name}");
            assert!(v06.function(name).is_none() && v08.function(name).is_none());
        }
        for name in [
            "build_service_client",
            "ReconnectableClient.from_training_client",
        ] {
            assert!(legacy.function(name).is_none(), "{name}");
            assert!(v06.function(name).is_some() && v08.function(name).is_some());
        }
        for release in [legacy, v06, v08] {
            let init = release.function("ReconnectableClient.__init__").unwrap();
            assert_eq!(init[0].name, "self");
            for recipe in [
                "rl_loop",
                "async_rl_loop",
                "igpo_loop",
                "dpo_loop",
                "sft_loop",
            ] {
                assert!(release.recipe(recipe).is_some(), "{recipe}");
            }
            let known = ["distillation_loop", "embedding_loop"]
                .iter()
                .filter(|r| release.recipe(r).is_some())
                .count();
            assert_eq!(known, if std::ptr::eq(release, v08) { 2 } else { 0 });
            assert!(release.recipe("experiment").is_none());
        }
    }

    #[test]
    fn parameters_keep_kind_and_defaults() {
        let build = Target::named("2026.08")
            .release()
            .function("build_service_client")
            .unwrap();
        let trainer = build.iter().find(|p| p.name == "trainer").unwrap();
        assert_eq!((trainer.kind, trainer.required), (ParamKind::Keyword, true));
        let deployment = build.iter().find(|p| p.name == "deployment").unwrap();
        assert!(!deployment.required);
        let main = &legacy().recipe("rl_loop").unwrap().main;
        assert_eq!(
            names(main, |p| &p.name)[..3],
            ["config", "rlor_mgr", "deploy_mgr"]
        );
        assert_eq!(
            (main[0].kind, main[0].required),
            (ParamKind::Positional, true)
        );
        let infra = legacy().class("InfraConfig").unwrap();
        assert_eq!(infra[0].name, "training_shape_id");
        assert!(infra.iter().all(|f| !f.required));
    }
}
