//! A provisioning file read as the target's `provision.py` reads it, from the release's model
//! ([`fwmigrate_api::provision::Provision`]) and its API tables: for every recipe of the file,
//! where each key's value goes, what makes `provision.py` raise, and which sections are read.
//!
//! Every recipe of the file is checked (which one a user launches is not known). A key of
//! `common` reaches nothing only when it reaches nothing in every recipe; a key of a `trainers`
//! or `deployments` section only when it reaches nothing in every recipe that names the
//! section. A section no recipe names is read by nothing and not checked. A `common` value that
//! a recipe overrides counts as read (an override is a choice, not a mistake).

use std::collections::{BTreeMap, BTreeSet};

use fwmigrate_api::index::{ApiView, Axis, Resolved};
use fwmigrate_api::provision::{Provision, RecipeModel};
use ruff_text_size::TextRange;

use crate::tree::{EntryRef, NodeId, Yaml};

/// What kind of section a mapping is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SectionKind {
    Common,
    Recipe,
    Trainer,
    Reference,
    Deployment,
    /// A nested config mapping (`concurrency:`, `wandb:`).
    Nested,
}

/// A mapping some recipe reads, with the class it feeds (`None` for a reference section).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub kind: SectionKind,
    pub mapping: NodeId,
    /// Reached through an alias: its entries are shared.
    pub shared: bool,
}

/// A key whose value reaches nothing in any recipe that reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    pub entry: EntryRef,
    /// Why, one reason per distinct cause (`rl_loop.Config has no field step_timeout`).
    pub reasons: Vec<String>,
    /// The classes that received and dropped it.
    pub classes: Vec<String>,
    /// Their fields nearest the key.
    pub nearest: Vec<String>,
    /// What the history says about the key (a field removed, and what came then).
    pub history: Option<String>,
}

/// What makes `provision.py` raise for a recipe before anything is provisioned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub range: TextRange,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Analysis {
    pub sections: Vec<Section>,
    pub ignored: Vec<Ignored>,
    pub problems: Vec<Problem>,
}

/// Read `yaml` as release `release`'s `provision.py` does, with `view` (that release's tables).
pub fn analyse(yaml: &Yaml, model: &Provision, view: &ApiView, release: usize) -> Analysis {
    let mut cx = Cx {
        yaml,
        model,
        view,
        release,
        verdicts: BTreeMap::new(),
        analysis: Analysis::default(),
        classes: BTreeMap::new(),
    };
    cx.document();
    cx.finish()
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Reaches,
    Ignored {
        reason: String,
        class: Option<String>,
    },
}

#[derive(Debug, Clone)]
struct ClassInfo {
    /// For messages: `rl_loop.Config`, `TrainerConfig`.
    short: String,
    path: String,
    home: String,
    /// Constructor keywords, with the field annotation when known.
    fields: BTreeMap<String, Option<String>>,
    /// `**kwargs`: every key is accepted.
    any: bool,
}

struct Cx<'a> {
    yaml: &'a Yaml,
    model: &'a Provision,
    view: &'a ApiView,
    release: usize,
    verdicts: BTreeMap<EntryRef, Vec<Verdict>>,
    analysis: Analysis,
    classes: BTreeMap<String, Option<ClassInfo>>,
}

/// One key of a merged mapping: the entries that set it, in merge order (the last one wins).
type Merged = Vec<(String, Vec<EntryRef>)>;

/// The entry that sets `key` in a merged mapping (the last one).
fn winner(merged: &Merged, key: &str) -> Option<EntryRef> {
    merged
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.last().copied())
}

impl<'a> Cx<'a> {
    fn document(&mut self) {
        let yaml = self.yaml;
        let Some(root) = yaml.root().filter(|&r| yaml.is_mapping(r)) else {
            return;
        };
        let Some(recipe) = yaml.get(root, "recipe") else {
            return;
        };
        let recipes = yaml.entry(recipe).value;
        let at = yaml.entry(recipe).key_range;
        if yaml.is_null(recipes) || (yaml.is_mapping(recipes) && yaml.entries(recipes).is_empty()) {
            self.problem(
                at,
                "no recipe is defined: `recipe:` has no entry".to_string(),
            );
            return;
        }
        if !yaml.is_mapping(recipes) {
            self.problem(
                at,
                "`recipe:` must be a mapping of recipe names to recipes".into(),
            );
            return;
        }
        let common = yaml.get(root, "common").and_then(|c| {
            let e = yaml.entry(c);
            if yaml.is_mapping(e.value) {
                Some((e.value, c.shared || e.alias))
            } else {
                if !yaml.is_null(e.value) {
                    self.problem(e.key_range, "`common:` must be a mapping".to_string());
                }
                None
            }
        });
        if let Some((m, shared)) = common {
            self.section(SectionKind::Common, m, shared);
        }
        let shared = yaml.entry(recipe).alias;
        for r in yaml.entries_shared(recipes, shared) {
            let e = yaml.entry(r);
            let mut sources: Vec<(NodeId, bool)> = common.into_iter().collect();
            if yaml.is_mapping(e.value) {
                self.section(SectionKind::Recipe, e.value, r.shared || e.alias);
                sources.push((e.value, r.shared || e.alias));
            } else if !yaml.is_null(e.value) {
                self.problem(e.key_range, format!("recipe `{}` must be a mapping", e.key));
                continue;
            }
            self.recipe(&e.key, e.key_range, &sources, root);
        }
    }

    fn recipe(&mut self, name: &str, at: TextRange, sources: &[(NodeId, bool)], root: NodeId) {
        let merged = self.merge(sources);
        let Some((mode, rm)) = self.recipe_mode(name, at, &merged) else {
            return;
        };
        let label = format!("recipe `{name}` (mode {mode})");
        self.recipe_problems(&merged, at, &mode, rm, &label);
        self.recipe_sections(&merged, root, &mode, rm, &label);
        self.recipe_keys(&merged, rm, &label);
    }

    /// The recipe's mode and its model; `None`, after reporting it (provision.py raises), when
    /// the mode is neither given nor implied by the name, or unknown.
    fn recipe_mode(
        &mut self,
        name: &str,
        at: TextRange,
        merged: &Merged,
    ) -> Option<(String, &'a RecipeModel)> {
        let yaml = self.yaml;
        let model = self.model;
        let mode_entry = winner(merged, "mode");
        let explicit = mode_entry.and_then(|r| yaml.string(yaml.entry(r).value));
        let mode = model
            .mode_of(name, explicit)
            .filter(|m| model.modes.contains(m));
        if let Some(found) = mode.and_then(|m| model.recipes.get(&m).map(|rm| (m, rm))) {
            return Some(found);
        }
        let (range, got) = match mode_entry {
            Some(r) => (yaml.entry(r).key_range, explicit.unwrap_or("").to_string()),
            None => (at, String::new()),
        };
        let got = if got.is_empty() {
            format!("the name `{name}` gives none")
        } else {
            format!("got `{got}`")
        };
        self.problem(
            range,
            format!(
                "recipe `{name}`: the mode must be one of {}; {got}, so provision.py raises",
                list(&model.modes)
            ),
        );
        for (_, entries) in merged {
            for r in entries {
                self.verdict(*r, Verdict::Reaches);
            }
        }
        None
    }

    /// Removed options and missing values: provision.py raises.
    fn recipe_problems(
        &mut self,
        merged: &Merged,
        at: TextRange,
        mode: &str,
        rm: &RecipeModel,
        label: &str,
    ) {
        let yaml = self.yaml;
        for (key, entries) in merged {
            if rm.rejected.contains(key) {
                let r = *entries.last().expect("a merged key has an entry");
                self.problem(
                    yaml.entry(r).key_range,
                    format!(
                        "{label}: `{key}` is no longer accepted; provision.py raises \
                         (the {mode} recipe does not take {})",
                        list(&rm.rejected)
                    ),
                );
            }
        }
        for key in self.model.required.iter().chain(&rm.required) {
            let missing = winner(merged, key).is_none_or(|r| yaml.is_missing(yaml.entry(r).value));
            if missing {
                self.problem(
                    at,
                    format!("{label}: `{key}` is required, and provision.py raises without it"),
                );
            }
        }
    }

    /// The sections the recipe names: its trainer (and the deployment the trainer names), its
    /// reference trainer and its deployment.
    fn recipe_sections(
        &mut self,
        merged: &Merged,
        root: NodeId,
        mode: &str,
        rm: &RecipeModel,
        label: &str,
    ) {
        let yaml = self.yaml;
        let trainer = winner(merged, "trainer").and_then(|r| self.reference(root, "trainers", r));
        let mut deployment_ref =
            winner(merged, "deployment").filter(|r| !yaml.is_missing(yaml.entry(*r).value));
        if let Some((m, shared)) = trainer {
            deployment_ref = deployment_ref.or(self.trainer(m, shared, label));
        }
        if let Some((m, shared)) =
            winner(merged, "reference_trainer").and_then(|r| self.reference(root, "trainers", r))
        {
            self.reference_section(m, shared);
        }
        let Some((m, shared)) = deployment_ref.and_then(|r| self.reference(root, "deployments", r))
        else {
            return;
        };
        self.section(SectionKind::Deployment, m, shared);
        let class = self.model.deployment.config.clone();
        if rm.deployment {
            self.class_keys(&[(m, shared)], &class, &[], &BTreeMap::new(), label);
        } else {
            for r in yaml.entries_shared(m, shared) {
                let reason = format!("mode {mode} uses no deployment");
                self.verdict(
                    r,
                    Verdict::Ignored {
                        reason,
                        class: None,
                    },
                );
            }
        }
    }

    /// The merged recipe entry's own keys: what provision.py uses, what the recipe `Config`
    /// takes (nested classes checked key by key), and what neither reads.
    fn recipe_keys(&mut self, merged: &Merged, rm: &RecipeModel, label: &str) {
        let yaml = self.yaml;
        let model = self.model;
        let used: BTreeSet<&String> = model.used.iter().chain(&rm.used).collect();
        let config = rm.config.clone();
        let info = self.class_info(&config);
        for (key, entries) in merged {
            let (last, shadowed) = entries.split_last().expect("a merged key has an entry");
            for r in shadowed {
                self.verdict(*r, Verdict::Reaches);
            }
            let value = yaml.entry(*last).value;
            if used.contains(key)
                || rm.rejected.contains(key)
                || model.rejected_everywhere.contains(key)
            {
                self.verdict(*last, Verdict::Reaches);
            } else if let Some(class) = rm.nested.get(key) {
                self.verdict(*last, Verdict::Reaches);
                let nested = self.mappings(entries);
                self.class_keys(&nested, class, &[], &BTreeMap::new(), label);
            } else {
                let v = self.field_verdict(info.as_ref(), key);
                if v == Verdict::Reaches && yaml.is_mapping(value) {
                    self.nested(info.as_ref(), key, entries, label);
                }
                self.verdict(*last, v);
            }
        }
    }

    /// A recipe's reference to a section: a name, or an inline mapping.
    fn reference(&mut self, root: NodeId, section: &str, r: EntryRef) -> Option<(NodeId, bool)> {
        let yaml = self.yaml;
        let e = yaml.entry(r);
        let what = &section[..section.len() - 1];
        if yaml.is_null(e.value) {
            return None;
        }
        if yaml.is_mapping(e.value) {
            return Some((e.value, r.shared || e.alias));
        }
        let Some(name) = yaml.string(e.value) else {
            self.problem(
                e.key_range,
                format!("`{}` must name a {what} (a string) or be a mapping", e.key),
            );
            return None;
        };
        let found = yaml.get(root, section).and_then(|s| {
            let sv = yaml.entry(s).value;
            yaml.is_mapping(sv)
                .then(|| yaml.get(sv, name))
                .flatten()
                .map(|n| (n, s.shared || yaml.entry(s).alias))
        });
        match found {
            None => {
                self.problem(
                    e.key_range,
                    format!(
                        "`{}: {name}` names no section of `{section}`; provision.py raises \
                         (`{what} '{name}' not found in {section}`)",
                        e.key
                    ),
                );
                None
            }
            Some((n, shared)) => {
                let ne = yaml.entry(n);
                // `values[ref] or {}`: a null section is empty.
                yaml.is_mapping(ne.value)
                    .then_some((ne.value, shared || n.shared || ne.alias))
            }
        }
    }

    /// A trainer section; returns its `weight_sync_deployment` entry, if it has one.
    fn trainer(&mut self, m: NodeId, shared: bool, label: &str) -> Option<EntryRef> {
        let yaml = self.yaml;
        self.section(SectionKind::Trainer, m, shared);
        let model = self.model;
        let mut sync = None;
        for r in yaml.entries_shared(m, shared) {
            let e = yaml.entry(r);
            if model.trainer.rejected.contains(&e.key) {
                self.problem(
                    e.key_range,
                    format!(
                        "`{}` in a trainer section makes provision.py raise; the deployment \
                         that receives hot-loaded weights is `weight_sync_deployment`",
                        e.key
                    ),
                );
            }
            if e.key == "weight_sync_deployment" && !yaml.is_missing(e.value) {
                sync = Some(r);
            }
        }
        let class = model.trainer.config.clone();
        let taken: Vec<String> = model
            .trainer
            .taken
            .iter()
            .chain(&model.trainer.rejected)
            .cloned()
            .collect();
        self.class_keys(
            &[(m, shared)],
            &class,
            &taken,
            &model.trainer.renamed,
            label,
        );
        sync
    }

    fn reference_section(&mut self, m: NodeId, shared: bool) {
        let yaml = self.yaml;
        self.section(SectionKind::Reference, m, shared);
        let read = &self.model.reference;
        for r in yaml.entries_shared(m, shared) {
            let v = if read.contains(&yaml.entry(r).key) {
                Verdict::Reaches
            } else {
                Verdict::Ignored {
                    reason: format!(
                        "a reference trainer section is read only for {}",
                        list(read)
                    ),
                    class: None,
                }
            };
            self.verdict(r, v);
        }
    }

    /// The keys of (merged) mappings that feed `class`.
    fn class_keys(
        &mut self,
        sources: &[(NodeId, bool)],
        class: &str,
        taken: &[String],
        renamed: &BTreeMap<String, String>,
        label: &str,
    ) {
        let merged = self.merge(sources);
        let info = self.class_info(class);
        for (key, entries) in &merged {
            let (last, shadowed) = entries.split_last().expect("a merged key has an entry");
            for r in shadowed {
                self.verdict(*r, Verdict::Reaches);
            }
            if taken.contains(key) || self.model.rejected_everywhere.contains(key) {
                self.verdict(*last, Verdict::Reaches);
                continue;
            }
            let field = renamed.get(key).unwrap_or(key);
            let v = self.field_verdict(info.as_ref(), field);
            if v == Verdict::Reaches && self.yaml.is_mapping(self.yaml.entry(*last).value) {
                self.nested(info.as_ref(), field, entries, label);
            }
            self.verdict(*last, v);
        }
    }

    /// A mapping value of a field typed as a dataclass feeds that class, recursively.
    fn nested(&mut self, info: Option<&ClassInfo>, field: &str, entries: &[EntryRef], label: &str) {
        let Some(info) = info else { return };
        let Some(Some(ty)) = info.fields.get(field) else {
            return;
        };
        let Some(class) = self.view.annotation_class(&info.home, ty) else {
            return;
        };
        if class.class.dataclass.is_none() {
            return;
        }
        let path = class.path();
        let sources = self.mappings(entries);
        for (m, shared) in &sources {
            self.section(SectionKind::Nested, *m, *shared);
        }
        self.class_keys(&sources, &path, &[], &BTreeMap::new(), label);
    }

    fn mappings(&self, entries: &[EntryRef]) -> Vec<(NodeId, bool)> {
        entries
            .iter()
            .filter_map(|r| {
                let e = self.yaml.entry(*r);
                self.yaml
                    .is_mapping(e.value)
                    .then_some((e.value, r.shared || e.alias))
            })
            .collect()
    }

    fn field_verdict(&self, info: Option<&ClassInfo>, key: &str) -> Verdict {
        match info {
            Some(info) if !info.any && !info.fields.contains_key(key) => Verdict::Ignored {
                reason: format!("`{}` has no field `{key}`", info.short),
                class: Some(info.path.clone()),
            },
            _ => Verdict::Reaches,
        }
    }

    /// Deep-merge mappings in order (later ones win), as `_deep_merge` does.
    fn merge(&self, sources: &[(NodeId, bool)]) -> Merged {
        let mut merged: Merged = Vec::new();
        for &(m, shared) in sources {
            for r in self.yaml.entries_shared(m, shared) {
                let key = self.yaml.entry(r).key.clone();
                // A later value wins; an earlier one stays listed (shadowed, or deep-merged
                // when both are mappings: see `mappings`).
                match merged.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, entries)) => entries.push(r),
                    None => merged.push((key, vec![r])),
                }
            }
        }
        merged
    }

    fn class_info(&mut self, path: &str) -> Option<ClassInfo> {
        if let Some(info) = self.classes.get(path) {
            return info.clone();
        }
        let info = class_info(self.view, path);
        self.classes.insert(path.to_string(), info.clone());
        info
    }

    fn section(&mut self, kind: SectionKind, mapping: NodeId, shared: bool) {
        if !self
            .analysis
            .sections
            .iter()
            .any(|s| s.mapping == mapping && s.kind == kind)
        {
            self.analysis.sections.push(Section {
                kind,
                mapping,
                shared,
            });
        }
    }

    fn verdict(&mut self, r: EntryRef, v: Verdict) {
        self.verdicts.entry(r).or_default().push(v);
    }

    fn problem(&mut self, range: TextRange, message: String) {
        let p = Problem { range, message };
        if !self.analysis.problems.contains(&p) {
            self.analysis.problems.push(p);
        }
    }

    fn finish(mut self) -> Analysis {
        let verdicts = std::mem::take(&mut self.verdicts);
        for (r, vs) in verdicts {
            if vs.contains(&Verdict::Reaches) {
                continue;
            }
            let key = self.yaml.entry(r).key.clone();
            let mut reasons: Vec<String> = Vec::new();
            let mut classes: Vec<String> = Vec::new();
            for v in vs {
                if let Verdict::Ignored { reason, class } = v {
                    if !reasons.contains(&reason) {
                        reasons.push(reason);
                    }
                    if let Some(c) = class.filter(|c| !classes.contains(c)) {
                        classes.push(c);
                    }
                }
            }
            let mut nearest: Vec<String> = Vec::new();
            let mut history = None;
            for c in &classes {
                if let Some(info) = self.class_info(c) {
                    for n in nearest_names(info.fields.keys().map(String::as_str), &key, 3) {
                        if !nearest.contains(&n.to_string()) {
                            nearest.push(n.to_string());
                        }
                    }
                }
                if history.is_none() {
                    history = field_history(c, &key, self.release);
                }
            }
            self.analysis.ignored.push(Ignored {
                entry: r,
                reasons,
                classes,
                nearest,
                history,
            });
        }
        self.analysis.problems.sort_by_key(|p| p.range.start());
        self.analysis
    }
}

/// A class's constructor keywords and field annotations at `view`.
fn class_info(view: &ApiView, path: &str) -> Option<ClassInfo> {
    let Resolved::Class(class) = view.resolve(path) else {
        return None;
    };
    let (mro, _) = view.mro(class);
    let mut types: BTreeMap<String, Option<String>> = BTreeMap::new();
    for c in mro.iter().rev() {
        for f in &c.class.fields {
            types.insert(f.name.clone(), f.ty.clone());
        }
    }
    let (fields, any) = match view.constructor(class) {
        Some(sig) => (
            sig.keyword_names()
                .map(|n| (n.to_string(), types.get(n).cloned().flatten()))
                .collect(),
            sig.has_var_keyword(),
        ),
        None if class.class.dataclass.is_some() => (types, false),
        None => return None,
    };
    let short = if class.name == "Config" {
        let module = class.home.rsplit('.').next().unwrap_or(class.home);
        format!("{module}.{}", class.name)
    } else {
        class.name.to_string()
    };
    Some(ClassInfo {
        short,
        path: class.path(),
        home: class.home.to_string(),
        fields,
        any,
    })
}

/// `; a field of TrainerConfig until cookbook-v2026.06.20.1 (gone in cookbook-v2026.07.09.1,
/// which added x)` when an older release's class had the field.
fn field_history(class: &str, field: &str, release: usize) -> Option<String> {
    let has = |i: usize| {
        class_info(&Axis::Cookbook.view_at(i), class)
            .map(|info| (info.fields.contains_key(field), info))
    };
    let last = (0..release)
        .rev()
        .find(|&i| has(i).is_some_and(|(yes, _)| yes))?;
    let registry = fwmigrate_api::registry();
    let mut note = format!(
        "`{field}` was a field until {}",
        registry.cookbook[last].describe()
    );
    if let (Some((_, before)), Some((_, after))) = (has(last), has(last + 1)) {
        let added: Vec<&String> = after
            .fields
            .keys()
            .filter(|k| !before.fields.contains_key(*k))
            .collect();
        if !added.is_empty() && added.len() <= 3 {
            let added: Vec<String> = added.iter().map(|a| format!("`{a}`")).collect();
            note.push_str(&format!(
                "; the next release, which dropped it, added {}",
                added.join(", ")
            ));
        }
    }
    Some(note)
}

/// Up to `n` names near `unknown` (edit distance within a bound, or containment).
pub fn nearest_names<'a>(
    names: impl Iterator<Item = &'a str>,
    unknown: &str,
    n: usize,
) -> Vec<&'a str> {
    let limit = unknown.chars().count().max(4) / 3 + 1;
    let mut scored: Vec<(usize, &str)> = names
        .filter_map(|c| {
            let d = distance(c, unknown);
            let contains = c.contains(unknown) || unknown.contains(c);
            (d <= limit || (contains && c.len().min(unknown.len()) >= 3)).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// `a`, `b` and `c`.
fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
