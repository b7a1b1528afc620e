//! Looking names up in the embedded API tables.
//!
//! An [`ApiView`] pairs one cookbook release with one SDK release (the cookbook calls the SDK, and
//! user code imports both). [`ApiView::resolve`] follows a dotted name through modules,
//! re-exports and classes to what it is at that release, and says when it does not exist.
//! Anything the tables cannot see through (a module or class outside them, a value, a decorator
//! that may change a signature) is [`Resolved::Unknown`]: the rules never report on it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::OnceLock;
use std::thread::LocalKey;

use crate::history::{History, Releases};
use crate::tables::{Class, Function, MethodKind, Module, Param, ParamKind, Signature, Symbol};

/// One package at one release: a view of its [`History`], decoded one module at a time on first
/// use, so a run that checks a few files pays for a few modules, not for every release.
#[derive(Debug)]
pub struct LazyTable {
    history: &'static History,
    release: usize,
}

impl LazyTable {
    /// The module with this exact path.
    pub fn module(&self, path: &str) -> Option<&'static Module> {
        self.history.module(path, self.release)
    }

    /// Whether the module could bind `name`, judged from its text without decoding it. `false`
    /// is certain; `true` may not be (another release may be the one that binds it).
    pub fn may_bind(&self, path: &str, name: &str) -> bool {
        self.key(path).is_some() && self.history.may_bind(path, name)
    }

    /// The module path as stored (a `&'static str`), when this release has it.
    pub fn key(&self, path: &str) -> Option<&'static str> {
        let key = self.history.key(path)?;
        self.history
            .module_releases(key)
            .is_some_and(|r| r.contains(self.release))
            .then_some(key)
    }

    /// Every module path of this release, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &'static str> + '_ {
        let history = self.history;
        let release = self.release;
        history.paths().filter(move |p| {
            history
                .module_releases(p)
                .is_some_and(|r| r.contains(release))
        })
    }

    /// The release index in its history.
    pub fn release(&self) -> usize {
        self.release
    }

    pub fn history(&self) -> &'static History {
        self.history
    }
}

/// The embedded histories.
const COOKBOOK_TEXT: &str = include_str!("../data/cookbook.history");
const SDK_TEXT: &str = include_str!("../data/sdk.history");

fn parsed(cell: &'static OnceLock<History>, text: &'static str) -> &'static History {
    // Embedded at build time (or loaded by `crate::data::load`) and checked by this crate's
    // tests: a failure is a build defect.
    cell.get_or_init(|| History::parse(text).expect("API history is valid"))
}

/// The cookbook at every snapshot of the registry (same order).
pub fn cookbook_history() -> &'static History {
    static CELL: OnceLock<History> = OnceLock::new();
    parsed(&CELL, crate::data::text("cookbook.history", COOKBOOK_TEXT))
}

/// `fireworks-ai` (with the `tinker` modules its classes build on) at every tabled release.
pub fn sdk_history() -> &'static History {
    static CELL: OnceLock<History> = OnceLock::new();
    parsed(&CELL, crate::data::text("sdk.history", SDK_TEXT))
}

fn views(
    cell: &'static OnceLock<Box<[LazyTable]>>,
    history: &'static History,
) -> &'static [LazyTable] {
    cell.get_or_init(|| {
        (0..history.len())
            .map(|release| LazyTable { history, release })
            .collect()
    })
}

/// The cookbook's table at snapshot `i`.
pub fn cookbook_table(i: usize) -> &'static LazyTable {
    static CELL: OnceLock<Box<[LazyTable]>> = OnceLock::new();
    &views(&CELL, cookbook_history())[i]
}

/// The SDK's table at release `i` (of [`crate::sdk_versions`]).
pub fn sdk_table(i: usize) -> &'static LazyTable {
    static CELL: OnceLock<Box<[LazyTable]>> = OnceLock::new();
    &views(&CELL, sdk_history())[i]
}

/// The cookbook package every table is written in terms of.
pub const COOKBOOK_PACKAGE: &str = "training";
/// The SDK package the SDK tables cover.
pub const SDK_PACKAGE: &str = "fireworks.training.sdk";

/// The two packages the tables follow, each with a history of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Axis {
    /// The cookbook, at every snapshot of the registry.
    Cookbook,
    /// `fireworks-ai` (with the `tinker` modules its classes build on), at every tabled release.
    Sdk,
}

impl Axis {
    /// The history a table path belongs to (`None` outside both packages).
    pub fn of(path: &str) -> Option<Axis> {
        let under = |p: &str| path == p || path.strip_prefix(p).is_some_and(|r| r.starts_with('.'));
        if under(COOKBOOK_PACKAGE) {
            Some(Axis::Cookbook)
        } else if under("fireworks") || under("tinker") {
            Some(Axis::Sdk)
        } else {
            None
        }
    }

    pub fn history(self) -> &'static History {
        match self {
            Axis::Cookbook => cookbook_history(),
            Axis::Sdk => sdk_history(),
        }
    }

    /// The view of release `i` of this axis, with the newest release of the other one.
    pub fn view_at(self, i: usize) -> ApiView {
        match self {
            Axis::Cookbook => ApiView::new(cookbook_table(i), sdk_table(sdk_history().len() - 1)),
            Axis::Sdk => ApiView::new(
                cookbook_table(crate::Target::latest().index()),
                sdk_table(i),
            ),
        }
    }
}

/// The releases of its package's history where the dotted `path` exists: a module, a name a
/// module binds, or an attribute of a class (looked up as at that release).
pub fn releases_with(path: &str) -> Releases {
    // A pure function of the embedded histories: see [`memoized`].
    thread_local! {
        static MEMO: RefCell<Memo<(), Releases>> = RefCell::default();
    }
    memoized(&MEMO, (), path, || releases_with_uncached(path))
}

fn releases_with_uncached(path: &str) -> Releases {
    let Some(axis) = Axis::of(path) else {
        return Releases::default();
    };
    let history = axis.history();
    if let Some(r) = history.module_releases(path) {
        return r.clone();
    }
    let Some((owner, name)) = path.rsplit_once('.') else {
        return Releases::default();
    };
    if history.key(owner).is_some() {
        return history.name_releases(owner, name);
    }
    // Deeper: an attribute of a class (or of something a module binds). Only the releases whose
    // module binds the first name after it can have it.
    let parts: Vec<&str> = path.split('.').collect();
    let Some(n) = (1..parts.len())
        .rev()
        .find(|n| history.key(&parts[..*n].join(".")).is_some())
    else {
        return Releases::default();
    };
    let candidates = history.name_releases(&parts[..n].join("."), parts[n]);
    Releases::from_indices(candidates.indices().filter(|i| {
        !matches!(
            axis.view_at(*i).resolve(path),
            Resolved::Missing { .. } | Resolved::Unknown
        )
    }))
}

/// The cookbook utils name that attribute `attr` of recipe module `recipe` re-exports at some
/// release (`rl_loop.InfraConfig` is `training.utils.InfraConfig` where `rl_loop` imported it).
pub fn recipe_reexport(recipe: &str, attr: &str) -> Option<&'static str> {
    if attr == "Config" || attr == "main" || attr.starts_with('_') {
        return None;
    }
    let module = format!("{COOKBOOK_PACKAGE}.recipes.{recipe}");
    let history = cookbook_history();
    // Newest first: the latest re-export of that name decides.
    for (releases, _) in history.name_versions(&module, attr).iter().rev() {
        let release = releases.indices().last()?;
        let Some(Symbol::Ref { to }) = history
            .module(&module, release)
            .and_then(|m| m.names.get(attr))
        else {
            continue;
        };
        if to.starts_with("training.utils.") {
            return to.rsplit('.').next();
        }
    }
    None
}

/// Answers per dotted path, in groups named by typed ids (a [`ViewId`], a [`ClassId`], or `()`
/// for questions that do not depend on the tables in force), at most `limit` of them in all:
/// the answer that would go past the limit starts the memo over. So a process that lives long
/// (the language server) or checks many files keeps its memory flat whatever it is asked.
#[derive(Debug)]
pub struct Memo<G, V> {
    groups: HashMap<G, HashMap<Box<str>, V>>,
    len: usize,
    limit: usize,
}

/// How many answers a [`Memo`] keeps before it starts over.
pub const MEMO_LIMIT: usize = 1 << 14;

impl<G, V> Default for Memo<G, V> {
    fn default() -> Self {
        Self::with_limit(MEMO_LIMIT)
    }
}

impl<G, V> Memo<G, V> {
    /// An empty memo that keeps at most `limit` answers (at least one).
    pub fn with_limit(limit: usize) -> Self {
        Self {
            groups: HashMap::new(),
            len: 0,
            limit: limit.max(1),
        }
    }

    /// How many answers it keeps.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<G: Hash + Eq, V> Memo<G, V> {
    pub fn get(&self, group: &G, path: &str) -> Option<&V> {
        self.groups.get(group)?.get(path)
    }

    /// Keep `value` as the answer for `path` in `group` (starting over first when full).
    pub fn insert(&mut self, group: G, path: &str, value: V) {
        if self.len >= self.limit {
            self.groups.clear();
            self.len = 0;
        }
        if self
            .groups
            .entry(group)
            .or_default()
            .insert(path.into(), value)
            .is_none()
        {
            self.len += 1;
        }
    }
}

/// The answer `memo` keeps for `path` in `group`, worked out by `work` on a miss.
///
/// For questions about the embedded tables that files ask again and again. Those tables never
/// change while the process runs, so an answer is a pure function of its group and path and
/// may outlive any one run: each thread keeps its own memo (no lock), bounded by
/// [`MEMO_LIMIT`]. Caches of anything else (a run's settings, a file) belong to that run.
pub fn memoized<G: Hash + Eq, V: Clone>(
    memo: &'static LocalKey<RefCell<Memo<G, V>>>,
    group: G,
    path: &str,
    work: impl FnOnce() -> V,
) -> V {
    let hit = memo.with_borrow(|m| m.get(&group, path).cloned());
    if let Some(hit) = hit {
        return hit;
    }
    let answer = work();
    memo.with_borrow_mut(|m| m.insert(group, path, answer.clone()));
    answer
}

/// What a dotted name is at one release.
#[derive(Debug, Clone)]
pub enum Resolved<'a> {
    Module {
        path: String,
        module: &'a Module,
    },
    Class(ClassRef<'a>),
    Function {
        /// The module the function is defined in (for its return annotation).
        home: String,
        function: &'a Function,
        /// The class when it is a method reached through its class.
        owner: Option<ClassRef<'a>>,
    },
    /// A constant, a variable or an attribute that exists but has no table entry of its own.
    Value,
    /// `name` does not exist in `owner` (a module or class path).
    Missing {
        owner: String,
        name: String,
    },
    /// Outside what the tables can see.
    Unknown,
}

/// A class with the module it is defined in.
#[derive(Debug, Clone, Copy)]
pub struct ClassRef<'a> {
    pub home: &'a str,
    pub name: &'a str,
    pub class: &'a Class,
}

impl ClassRef<'_> {
    pub fn path(&self) -> String {
        format!("{}.{}", self.home, self.name)
    }
}

impl ClassRef<'static> {
    /// Which class this is, without building its path.
    pub fn id(&self) -> ClassId {
        ClassId {
            home: self.home,
            name: self.name,
        }
    }
}

/// A tabled class: the module that defines it and its name there (what [`ClassRef::path`]
/// spells out). Within one [`ViewId`] it names one class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClassId {
    home: &'static str,
    name: &'static str,
}

/// Which two tables an [`ApiView`] reads: a cookbook release and an SDK release, as indices
/// into their histories. Answers that depend on the tables in force are kept under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ViewId {
    pub cookbook: u16,
    pub sdk: u16,
}

/// What an attribute is on a class (searched along its bases).
#[derive(Debug, Clone)]
pub enum Member<'a> {
    Method {
        function: &'a Function,
        owner: ClassRef<'a>,
    },
    /// A field, class attribute, instance attribute or nested class.
    Attr,
    Missing,
    Unknown,
}

/// One cookbook release and one SDK release.
#[derive(Debug, Clone, Copy)]
pub struct ApiView {
    tables: [&'static LazyTable; 2],
}

/// Enum attributes every member and the class have.
const ENUM_API: &[&str] = &[
    "name",
    "value",
    "_name_",
    "_value_",
    "__members__",
    "_member_map_",
    "_member_names_",
    "_value2member_map_",
    "_missing_",
    "_generate_next_value_",
];

impl ApiView {
    pub fn new(cookbook: &'static LazyTable, sdk: &'static LazyTable) -> Self {
        // The tables are told apart by position (see [`ApiView::id`]).
        debug_assert!(std::ptr::eq(cookbook.history, cookbook_history()));
        debug_assert!(std::ptr::eq(sdk.history, sdk_history()));
        Self {
            tables: [cookbook, sdk],
        }
    }

    /// Which two tables this view reads (for caches keyed by the tables in force).
    pub fn id(&self) -> ViewId {
        let [cookbook, sdk] = self.tables;
        let index = |t: &LazyTable| u16::try_from(t.release).expect("fewer than 65536 releases");
        ViewId {
            cookbook: index(cookbook),
            sdk: index(sdk),
        }
    }

    /// Every module path of both tables.
    pub fn module_paths(&self) -> impl Iterator<Item = &'static str> {
        let tables: [&'static LazyTable; 2] = self.tables;
        tables.into_iter().flat_map(|t| t.paths())
    }

    /// The module with this exact path.
    pub fn module(&self, path: &str) -> Option<&'static Module> {
        let tables: [&'static LazyTable; 2] = self.tables;
        tables.into_iter().find_map(|t| t.module(path))
    }

    /// Whether `module.name` can resolve to anything: the module may bind the name, or a
    /// submodule of that name exists. Decodes nothing; `false` is certain.
    pub fn may_resolve(&self, module: &str, name: &str) -> bool {
        self.tables.iter().any(|t| {
            t.may_bind(module, name)
                || t.key(module).is_some() && t.key(&format!("{module}.{name}")).is_some()
        })
    }

    /// Whether `path` lies inside a package the tables cover (a missing name there is reported;
    /// outside, nothing is known).
    pub fn covers(&self, path: &str) -> bool {
        let mut prefix = path;
        loop {
            if self.module(prefix).is_some() {
                return true;
            }
            match prefix.rsplit_once('.') {
                Some((parent, _)) => prefix = parent,
                None => return false,
            }
        }
    }

    /// What a dotted name is.
    ///
    /// The answer depends only on the two tables and the path, and the same few paths are asked
    /// about in file after file, so each thread remembers its answers ([`memoized`]: a pure
    /// function of the embedded tables).
    pub fn resolve(&self, path: &str) -> Resolved<'static> {
        thread_local! {
            static MEMO: RefCell<Memo<ViewId, Resolved<'static>>> = RefCell::default();
        }
        memoized(&MEMO, self.id(), path, || self.resolve_depth(path, 0))
    }

    fn resolve_depth(&self, path: &str, depth: usize) -> Resolved<'static> {
        if depth > 24 {
            return Resolved::Unknown;
        }
        let parts: Vec<&str> = path.split('.').collect();
        // The shortest prefix that is a module (the package root); from there names are looked
        // up as Python does: `training.utils.timer` is the function `training.utils` binds, not
        // the submodule of that name.
        let Some((n, module)) =
            (1..=parts.len()).find_map(|n| self.module(&parts[..n].join(".")).map(|m| (n, m)))
        else {
            return Resolved::Unknown;
        };
        let mut current = Resolved::Module {
            path: parts[..n].join("."),
            module,
        };
        let mut i = n;
        while i < parts.len() {
            let name = parts[i];
            let rest = &parts[i + 1..];
            current = match current {
                Resolved::Module {
                    path: owner,
                    module,
                } => match module.names.get(name) {
                    // `from training.utils.timer import Timer`: the import system finds the
                    // submodule even where the package binds `timer` to a function of it.
                    Some(_)
                        if !rest.is_empty()
                            && self.module(&format!("{owner}.{name}")).is_some() =>
                    {
                        let path = format!("{owner}.{name}");
                        let module = self.module(&path).expect("checked");
                        Resolved::Module { path, module }
                    }
                    // A value named like a submodule (a lazy `__getattr__` that imports it).
                    Some(Symbol::Value { .. })
                        if self.module(&format!("{owner}.{name}")).is_some() =>
                    {
                        let path = format!("{owner}.{name}");
                        let module = self.module(&path).expect("checked");
                        Resolved::Module { path, module }
                    }
                    Some(Symbol::Module { to }) if self.module(to).is_some() => Resolved::Module {
                        path: to.clone(),
                        module: self.module(to).expect("checked"),
                    },
                    Some(Symbol::Ref { to }) | Some(Symbol::Module { to }) => {
                        let mut target = to.clone();
                        for r in rest {
                            target.push('.');
                            target.push_str(r);
                        }
                        return self.resolve_depth(&target, depth + 1);
                    }
                    Some(Symbol::Class(class)) => Resolved::Class(ClassRef {
                        home: self.home_of(&owner),
                        name: self.name_in(&owner, name),
                        class,
                    }),
                    Some(Symbol::Function(function)) => Resolved::Function {
                        home: owner,
                        function,
                        owner: None,
                    },
                    Some(Symbol::Value { .. }) => Resolved::Value,
                    None if module.open => Resolved::Unknown,
                    // A submodule is importable whether or not its package binds it.
                    None if self.module(&format!("{owner}.{name}")).is_some() => {
                        let path = format!("{owner}.{name}");
                        let module = self.module(&path).expect("checked");
                        Resolved::Module { path, module }
                    }
                    None => Resolved::Missing {
                        owner,
                        name: name.to_string(),
                    },
                },
                Resolved::Class(class) => match self.member(class, name) {
                    Member::Method { function, owner } => Resolved::Function {
                        home: owner.home.to_string(),
                        function,
                        owner: Some(owner),
                    },
                    Member::Attr => Resolved::Value,
                    Member::Missing => Resolved::Missing {
                        owner: class.path(),
                        name: name.to_string(),
                    },
                    Member::Unknown => Resolved::Unknown,
                },
                _ => return Resolved::Unknown,
            };
            // The first missing name is the answer, however long the rest of the path.
            if matches!(current, Resolved::Missing { .. }) {
                return current;
            }
            i += 1;
        }
        current
    }

    /// The `&'static str` of a module path known to the tables (for [`ClassRef::home`]).
    fn home_of(&self, path: &str) -> &'static str {
        self.tables.iter().find_map(|t| t.key(path)).unwrap_or("")
    }

    fn name_in(&self, module: &str, name: &str) -> &'static str {
        self.module(module)
            .and_then(|m| m.names.get_key_value(name).map(|(k, _)| k.as_str()))
            .unwrap_or("")
    }

    /// The classes a class inherits from, itself first (depth-first, each once). `None` when a
    /// base is outside the tables (other than the well-known ones [`BaseKind`] describes).
    pub fn mro(&self, class: ClassRef<'static>) -> (Vec<ClassRef<'static>>, Vec<BaseKind>) {
        let mut out: Vec<ClassRef<'static>> = Vec::new();
        let mut externals = Vec::new();
        let mut stack = vec![class];
        while let Some(c) = stack.pop() {
            if out.iter().any(|o| std::ptr::eq(o.class, c.class)) {
                continue;
            }
            out.push(c);
            for base in c.class.bases.iter().rev() {
                match self.resolve(base) {
                    Resolved::Class(b) => stack.push(b),
                    _ => externals.push(BaseKind::of(base)),
                }
            }
        }
        (out, externals)
    }

    /// An attribute of a class, along its bases.
    pub fn member(&self, class: ClassRef<'static>, name: &str) -> Member<'static> {
        let (mro, externals) = self.mro(class);
        for c in &mro {
            if let Some(function) = c.class.methods.get(name) {
                return Member::Method {
                    function,
                    owner: *c,
                };
            }
            if c.class.fields.iter().any(|f| f.name == name)
                || c.class.attrs.iter().any(|a| a == name)
            {
                return Member::Attr;
            }
        }
        if name.starts_with("__") && name.ends_with("__") {
            return Member::Unknown;
        }
        if mro.iter().any(|c| c.class.open) {
            return Member::Unknown;
        }
        for kind in &externals {
            match kind {
                BaseKind::Object | BaseKind::Transparent => {}
                BaseKind::Enum if ENUM_API.contains(&name) => return Member::Attr,
                BaseKind::Enum => {}
                // `class E(str, Enum)`: the value type's methods are all lower case; a member
                // name is upper case.
                BaseKind::ValueType if name.chars().any(|c| c.is_ascii_lowercase()) => {
                    return Member::Unknown;
                }
                BaseKind::ValueType => {}
                _ => return Member::Unknown,
            }
        }
        Member::Missing
    }

    /// The class of an instance attribute or property, from its annotation (`infra.policy` is a
    /// `ReconnectableClient` when `Infra` declares `policy: ReconnectableClient`).
    pub fn attribute_class(
        &self,
        class: ClassRef<'static>,
        name: &str,
    ) -> Option<ClassRef<'static>> {
        let (mro, _) = self.mro(class);
        for c in &mro {
            if let Some(f) = c.class.fields.iter().find(|f| f.name == name) {
                return self.annotation_class(c.home, f.ty.as_deref()?);
            }
            if let Some(m) = c.class.methods.get(name) {
                return match m.kind {
                    Some(MethodKind::Property) => self.annotation_class(c.home, m.ret.as_deref()?),
                    _ => None,
                };
            }
        }
        None
    }

    /// The constructor's signature (without `self`), when the tables show it.
    pub fn constructor(&self, class: ClassRef<'static>) -> Option<Signature> {
        let (mro, externals) = self.mro(class);
        for c in &mro {
            if let Some(new) = c.class.methods.get("__new__") {
                // `__new__` without an `__init__` of the same class decides the signature.
                if c.class.methods.contains_key("__init__") {
                    return None;
                }
                return new
                    .sig
                    .as_deref()
                    .map(|s| Signature::parse(s).without_first());
            }
            if let Some(init) = c.class.methods.get("__init__") {
                return init
                    .sig
                    .as_deref()
                    .map(|s| Signature::parse(s).without_first());
            }
            if let Some(dc) = c.class.dataclass
                && !dc.no_init
            {
                return Some(self.dataclass_signature(&mro));
            }
        }
        let mut constructor = None;
        let is_enum = externals.contains(&BaseKind::Enum);
        for kind in &externals {
            match kind {
                BaseKind::Object | BaseKind::Transparent => {}
                BaseKind::ValueType if is_enum => {}
                BaseKind::Pydantic => constructor = Some(self.pydantic_signature(&mro)),
                BaseKind::Enum => {
                    // `EnumType.__call__`: look a member up by value (or make a new enum).
                    constructor = Some(Signature::parse(
                        "value, names=, *, module=, qualname=, type=, start=, boundary=",
                    ))
                }
                BaseKind::NamedTuple => {
                    let fields = &mro[0].class.fields;
                    constructor = Some(Signature {
                        params: fields
                            .iter()
                            .map(|f| Param {
                                name: f.name.clone(),
                                kind: ParamKind::PositionalOrKeyword,
                                default: f.default,
                            })
                            .collect(),
                    });
                }
                _ => return None,
            }
        }
        Some(constructor.unwrap_or_default())
    }

    fn dataclass_signature(&self, mro: &[ClassRef<'static>]) -> Signature {
        // Fields in definition order from the most basic dataclass down; a redefinition keeps
        // the first position.
        let mut fields: Vec<(String, bool, bool, bool)> = Vec::new();
        for c in mro.iter().rev() {
            let Some(dc) = c.class.dataclass else {
                continue;
            };
            for f in &c.class.fields {
                let entry = (
                    f.name.clone(),
                    f.default,
                    f.no_init,
                    f.kw_only || dc.kw_only,
                );
                match fields.iter_mut().find(|e| e.0 == f.name) {
                    Some(e) => *e = entry,
                    None => fields.push(entry),
                }
            }
        }
        let mut params: Vec<Param> = Vec::new();
        for kw in [false, true] {
            for (name, default, no_init, kw_only) in &fields {
                if *no_init || *kw_only != kw {
                    continue;
                }
                params.push(Param {
                    name: name.clone(),
                    kind: if kw {
                        ParamKind::KeywordOnly
                    } else {
                        ParamKind::PositionalOrKeyword
                    },
                    default: *default,
                });
            }
        }
        Signature { params }
    }

    fn pydantic_signature(&self, mro: &[ClassRef<'static>]) -> Signature {
        let mut params: Vec<Param> = Vec::new();
        for c in mro.iter().rev() {
            for f in &c.class.fields {
                let name = f.alias.clone().unwrap_or_else(|| f.name.clone());
                if name.starts_with('_') {
                    continue;
                }
                let param = Param {
                    name,
                    kind: ParamKind::KeywordOnly,
                    default: f.default,
                };
                match params.iter_mut().find(|p| p.name == param.name) {
                    Some(p) => *p = param,
                    None => params.push(param),
                }
            }
        }
        // Unknown keywords are dropped silently unless the model forbids extras (pydantic's
        // default is `ignore`), and kept with `allow`: either way the call binds.
        let forbid = mro
            .iter()
            .find_map(|c| c.class.extra.as_deref())
            .is_some_and(|e| e == "forbid");
        if !forbid {
            params.push(Param {
                name: "data".to_string(),
                kind: ParamKind::VarKeyword,
                default: false,
            });
        }
        Signature { params }
    }

    /// The class a return annotation (or other annotation) written in module `home` names.
    /// `Optional[X]`, `X | None` and quoted names are looked through.
    pub fn annotation_class(&self, home: &str, annotation: &str) -> Option<ClassRef<'static>> {
        let mut text = annotation.trim().trim_matches(|c| c == '"' || c == '\'');
        for wrapper in ["Optional[", "typing.Optional["] {
            if let Some(inner) = text.strip_prefix(wrapper).and_then(|t| t.strip_suffix(']')) {
                text = inner;
            }
        }
        if let Some((left, right)) = text.split_once('|') {
            let (l, r) = (left.trim(), right.trim());
            text = if r == "None" {
                l
            } else if l == "None" {
                r
            } else {
                return None;
            };
        }
        let text = text.trim_matches(|c| c == '"' || c == '\'');
        if text.is_empty()
            || !text
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        {
            return None;
        }
        let (first, rest) = text.split_once('.').unwrap_or((text, ""));
        let module = self.module(home)?;
        let base = match module.names.get(first)? {
            Symbol::Ref { to } | Symbol::Module { to } => to.clone(),
            Symbol::Class(_) => format!("{home}.{first}"),
            _ => return None,
        };
        let path = if rest.is_empty() {
            base
        } else {
            format!("{base}.{rest}")
        };
        match self.resolve(&path) {
            Resolved::Class(c) => Some(c),
            _ => None,
        }
    }

    /// The class an instance gets from calling `resolved` (a constructor or a function or method
    /// with a return annotation naming a tabled class).
    pub fn returned_class(&self, resolved: &Resolved<'static>) -> Option<ClassRef<'static>> {
        match resolved {
            Resolved::Class(c) => Some(*c),
            Resolved::Function { home, function, .. } => {
                let ret = function.ret.as_deref()?;
                if ret == "Self" || ret.ends_with(".Self") {
                    return None;
                }
                self.annotation_class(home, ret)
            }
            _ => None,
        }
    }
}

/// A base class outside the tables that the lookups still understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseKind {
    Object,
    /// `Generic[...]`, `Protocol`, `ABC`: no attributes or constructor of interest.
    Transparent,
    Pydantic,
    NamedTuple,
    Enum,
    /// `str` or `int` (the value type of an enum such as `class E(str, Enum)`).
    ValueType,
    Other,
}

impl BaseKind {
    fn of(path: &str) -> BaseKind {
        match path {
            "builtins.object" | "object" => BaseKind::Object,
            "typing.Generic" | "typing.Protocol" | "typing_extensions.Protocol" | "abc.ABC" => {
                BaseKind::Transparent
            }
            "pydantic.BaseModel" | "pydantic.main.BaseModel" => BaseKind::Pydantic,
            "typing.NamedTuple" => BaseKind::NamedTuple,
            "enum.Enum" | "enum.IntEnum" | "enum.StrEnum" => BaseKind::Enum,
            "builtins.str" | "builtins.int" => BaseKind::ValueType,
            _ => BaseKind::Other,
        }
    }
}

/// Signature of a function or method as called: bound methods and class methods lose their
/// first parameter.
pub fn call_signature(function: &Function, through_instance: bool) -> Option<Signature> {
    let sig = Signature::parse(function.sig.as_deref()?);
    Some(match function.kind {
        Some(MethodKind::Staticmethod) => sig,
        Some(MethodKind::Classmethod) => sig.without_first(),
        Some(MethodKind::Property) => return None,
        None if through_instance => sig.without_first(),
        None => sig,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> ApiView {
        crate::sdk::view(crate::Target::named("2026.08"), "1.2.30".parse().unwrap())
    }

    #[test]
    fn memoized_answers_once_and_stays_bounded() {
        thread_local! {
            static MEMO: RefCell<Memo<u8, usize>> = RefCell::default();
        }
        let calls = std::cell::Cell::new(0);
        let ask = |group: u8, path: &str| {
            memoized(&MEMO, group, path, || {
                calls.set(calls.get() + 1);
                path.len()
            })
        };
        assert_eq!(ask(0, "a.b"), 3);
        assert_eq!(ask(0, "a.b"), 3);
        assert_eq!(calls.get(), 1);
        // Groups keep apart.
        assert_eq!(ask(1, "a.b"), 3);
        assert_eq!(calls.get(), 2);
        // Full, whatever the groups: it starts over.
        for i in 2..MEMO_LIMIT {
            ask((i % 7) as u8, &format!("p{i}"));
        }
        assert_eq!(MEMO.with_borrow(Memo::len), MEMO_LIMIT);
        assert_eq!(calls.get(), MEMO_LIMIT);
        ask(2, "one.more");
        assert_eq!(MEMO.with_borrow(Memo::len), 1);
        assert_eq!(MEMO.with_borrow(|m| m.get(&0, "a.b").copied()), None);
        assert_eq!(ask(0, "a.b"), 3);
        assert_eq!(calls.get(), MEMO_LIMIT + 2);
    }

    #[test]
    fn a_view_is_named_by_its_releases() {
        let a = crate::sdk::view(crate::Target::named("2026.08"), "1.2.30".parse().unwrap());
        let b = crate::sdk::view(crate::Target::named("2026.08"), "1.2.24".parse().unwrap());
        let c = crate::sdk::view(crate::Target::named("2026.06"), "1.2.30".parse().unwrap());
        assert_eq!(a.id(), view().id());
        assert_eq!(a.id().cookbook, b.id().cookbook);
        assert_ne!(a.id().sdk, b.id().sdk);
        assert_eq!(a.id().sdk, c.id().sdk);
        assert_ne!(a.id().cookbook, c.id().cookbook);
        let sdk: crate::SdkVersion = "1.2.30".parse().unwrap();
        assert_eq!(usize::from(a.id().sdk), sdk.table_index());
        assert_eq!(
            usize::from(a.id().cookbook),
            crate::Target::named("2026.08").index()
        );
    }

    #[test]
    fn every_embedded_table_decodes() {
        for (history, count) in [
            (cookbook_history(), crate::registry().cookbook.len()),
            (sdk_history(), crate::sdk_versions().len()),
        ] {
            // One release per registry entry, in the same order.
            assert_eq!(history.len(), count);
            for release in 0..history.len() {
                let table = if std::ptr::eq(history, cookbook_history()) {
                    cookbook_table(release)
                } else {
                    sdk_table(release)
                };
                assert!(table.paths().next().is_some(), "release {release}");
                for path in table.paths() {
                    assert!(table.module(path).is_some(), "{release}: {path}");
                }
            }
        }
        let names: Vec<&str> = crate::registry()
            .cookbook
            .iter()
            .map(|s| s.tag.as_str())
            .collect();
        assert_eq!(cookbook_history().releases(), &names[..]);
    }

    #[test]
    fn resolves_through_reexports() {
        let v = view();
        let Resolved::Class(c) = v.resolve("training.utils.DeployConfig") else {
            panic!("{:?}", v.resolve("training.utils.DeployConfig"))
        };
        assert_eq!(c.path(), "training.utils.config.DeployConfig");
        let sig = v.constructor(c).unwrap();
        assert!(sig.param("deployment_id").is_some());
        assert!(sig.param("create_deployment").is_none());
        assert!(matches!(
            v.resolve("training.utils.setup_infra"),
            Resolved::Missing { .. }
        ));
        assert!(matches!(
            v.resolve("training.utils.opd"),
            Resolved::Missing { .. }
        ));
        // The first missing name answers for a longer path too.
        assert!(matches!(
            v.resolve("training.utils.opd.sampling"),
            Resolved::Missing { ref owner, ref name } if owner == "training.utils" && name == "opd"
        ));
        assert!(matches!(v.resolve("numpy.array"), Resolved::Unknown));
    }

    #[test]
    fn trainer_config_rejects_accelerators_at_2026_08() {
        let v = view();
        let Resolved::Class(c) = v.resolve("training.utils.TrainerConfig") else {
            panic!()
        };
        let sig = v.constructor(c).unwrap();
        assert!(sig.param("accelerator_type").is_none());
        assert!(sig.param("training_shape_id").is_some());
        assert!(!sig.has_var_keyword());
    }
}
