"""What each release's own `provision.py` does with a provisioning YAML file, for
`tests/provision_differential.rs`.

For every tag from the first with YAML provisioning on (`training/provision/provision.py`), and
every `training/provision/*.yaml` of the tag (plus the test's own files at the tags it names),
this imports the tag's `training.provision.provision` (third-party packages stubbed, PyYAML
real), loads the file with `yaml.safe_load` and builds **every recipe of the file** as
`provision.py` does (`_select_recipe`, the mode check, `_build_recipe_config`), recording:

* the exception a recipe raises, sorted into `value` (what FW607 reports), `accelerator` (the
  TypeError of `_reject_removed_accelerator_config`: FW201 as an error), `grpo` (a ValueError of
  `validate_grpo_config`, which fwmigrate does not check yet) and `other`;
* what `_make_dataclass_config` drops (keys its class lacks), for the failure messages;
* for every key of a mapping a recipe reads (`common`, the recipe entries, the `trainers` and
  `deployments` sections a recipe names, nested mappings, mappings merged in with `<<`), whether
  its value reaches anything: the file is composed into YAML nodes, the key's value is replaced
  by a string no code expects, then the key is deleted, each time in the node graph (so an alias
  and a merge key see the change as YAML resolves them), and every recipe is built again. The
  key reaches something when either change changes a built config (its `repr`), an exception,
  or what the accelerator and GRPO checks were given; the two checks record instead of raising
  while judging, so a later class is still built. A key reaches nothing when nothing changes in
  any recipe: the dataclass dropped it, or no code read it.

The rules fwmigrate documents are applied on top: a `common` key that a recipe overrides counts
as read; a key under a key that reaches nothing is not judged (the outer key is the finding); a
section no recipe names is not judged. A recipe that raises (a ValueError) reads what it would
have read unknowably: a key it could read is `undecided` unless another recipe shows it reaches.

Work is shared: a worker process per tag imports the tag, fingerprints what the outcome depends
on (the source of `provision.py`, of the checks it calls and of every dataclass a recipe config
reaches) and judges each file once per (fingerprint, file content) in the run; the other tags
with the same pair reuse that verdict.

    provision_yaml.py --bundle B --cache C --out OUT.json [--fixtures DIR --fixture-tags T,T]

Exit status 3: a source is unavailable (the test skips).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import copy
import dataclasses
import hashlib
import inspect
import json
import os
import re
import subprocess
import sys
import tempfile
import typing
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import sources  # noqa: E402

FIRST = "cookbook-v2026.06.11.1"
UNAVAILABLE = 3
ACCELERATOR = ("accelerator_type", "accelerator_count")
SECTIONS = ("trainers", "deployments")
MERGE = "tag:yaml.org,2002:merge"
UNEXPECTED = "\u2063unexpected-value"


# ---------------------------------------------------------------------------------------------
# The worker: one tag imported, its files judged


class Recorder:
    """Patches on the imported `provision` module: what `_make_dataclass_config` drops, which
    sections are resolved, and the accelerator and GRPO checks (raising, tagged, or recording)."""

    def __init__(self, provision, config) -> None:
        self.p = provision
        self.record_only = False
        self.drops: list[tuple[str, tuple[str, ...]]] = []
        self.named: set[tuple[str, str]] = set()
        self.checks: list[str] = []
        make = provision._make_dataclass_config

        def make_dataclass_config(cls, values):
            allowed = {f.name for f in dataclasses.fields(cls)}
            dropped = tuple(sorted(k for k in values if k not in allowed))
            if dropped:
                self.drops.append((cls.__qualname__, dropped))
            return make(cls, values)

        provision._make_dataclass_config = make_dataclass_config
        resolve = provision._resolve_named_section

        def resolve_named_section(doc, section, ref):
            found = resolve(doc, section, ref)
            if isinstance(ref, str):
                self.named.add((section, ref))
            return found

        provision._resolve_named_section = resolve_named_section
        self.accelerator_fields = set(
            getattr(config, "_REMOVED_ACCELERATOR_CONFIG_FIELDS", ACCELERATOR)
        )
        for module, name, kind in (
            (provision, "_reject_removed_accelerator_config", "accelerator"),
            (config, "_reject_removed_accelerator_config", "accelerator"),
            (provision, "validate_grpo_config", "grpo"),
        ):
            original = getattr(module, name, None)
            if original is not None:
                setattr(module, name, self._check(original, kind))

    def _check(self, original, kind):
        def check(*args, **kwargs):
            try:
                return original(*args, **kwargs)
            except (TypeError, ValueError) as e:
                if kind == "accelerator":
                    values = args[0] if args else kwargs.get("values", {})
                    given = {k: repr(values[k]) for k in sorted(self.accelerator_fields) if k in values}
                    self.checks.append(f"{kind}: {e} {given}")
                else:
                    self.checks.append(f"{kind}: {e}")
                if self.record_only:
                    return None
                e.fw_kind = kind
                raise

        return check

    def build(self, doc, name: str) -> dict:
        """Build recipe `name` of `doc` as `provision.py` does; the outcome, comparable."""
        p = self.p
        self.drops, self.named, self.checks = [], set(), []
        doc = copy.deepcopy(doc)
        result, error = None, None
        try:
            if not isinstance(doc, dict):
                raise ValueError("fireworks provision config must be a YAML mapping")
            pop = getattr(p, "_pop_hydra_runtime_options", None)
            if pop is not None:
                pop(doc)
            recipe_name, recipe_cfg = p._select_recipe(doc, mode=None, recipe=name)
            mode = p._canonical_mode(
                recipe_cfg.get("mode") or p._mode_from_recipe_name(recipe_name)
            )
            if mode not in p.PROVISION_MODES:
                raise ValueError(
                    f"recipe {recipe_name!r} mode must be one of {p.PROVISION_MODES}, got {mode!r}"
                )
            result = p._build_recipe_config(
                doc, recipe_name=recipe_name, recipe_cfg=recipe_cfg, mode=mode
            )
        except Exception as e:  # noqa: BLE001 - every exception is a verdict
            kind = getattr(e, "fw_kind", None) or (
                "value" if isinstance(e, ValueError) else "other"
            )
            error = {"kind": kind, "type": type(e).__name__, "message": str(e)}
        return {
            "result": re.sub(r" at 0x[0-9a-f]+", "", repr(result)),
            "error": error,
            "checks": list(self.checks),
            "drops": list(self.drops),
            "named": sorted(self.named),
        }


def fingerprint(provision, config, script: str) -> str:
    """What a verdict depends on: this script, provision.py, the checks it calls, and the source
    of every dataclass a recipe config reaches (fields, types, defaults, `__post_init__`)."""
    parts = [script, inspect.getsource(provision)]
    for name in ("_reject_removed_accelerator_config", "validate_grpo_config"):
        fn = getattr(provision, name, None)
        if fn is not None:
            parts.append(inspect.getsource(inspect.unwrap(fn)))
    seen: list[type] = []

    def walk(cls) -> None:
        if cls in seen:
            return
        seen.append(cls)
        try:
            parts.append(inspect.getsource(cls))
        except (OSError, TypeError):
            parts.append(repr(cls))
        try:
            hints = typing.get_type_hints(cls)
        except Exception:  # noqa: BLE001
            hints = {}
        for f in dataclasses.fields(cls):
            hint = hints.get(f.name)
            for t in (hint, *typing.get_args(hint)):
                for u in (t, *typing.get_args(t)):
                    if dataclasses.is_dataclass(u) and isinstance(u, type):
                        walk(u)

    import importlib

    for mode in ("sft", "rl", "dpo", "distillation"):
        try:
            module = importlib.import_module(f"training.recipes.{mode}_loop")
        except Exception as e:  # noqa: BLE001
            parts.append(f"{mode}: {e!r}")
            continue
        walk(module.Config)
    for name in ("TrainerConfig", "DeployConfig", "ConcurrencyConfig"):
        cls = getattr(config, name, None)
        if cls is not None:
            walk(cls)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:20]


# YAML nodes ---------------------------------------------------------------------------------


def compose(text: str):
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.compose(text, Loader=loader)


def construct(node):
    import yaml

    if node is None:
        return None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def scalar(node) -> str | None:
    import yaml

    return node.value if isinstance(node, yaml.ScalarNode) else None


def pairs(node):
    """The (index, key node, value node) of a mapping node, merge keys left out."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return []
    return [(i, k, v) for i, (k, v) in enumerate(node.value) if k.tag != MERGE]


def merged_in(node):
    """The mapping nodes a mapping merges in with `<<`."""
    import yaml

    out = []
    for k, v in node.value if isinstance(node, yaml.MappingNode) else []:
        if k.tag == MERGE:
            out.extend(v.value if isinstance(v, yaml.SequenceNode) else [v])
    return [m for m in out if isinstance(m, yaml.MappingNode)]


def lookup(node, key: str):
    """The value node of `key` in a mapping node (merge keys resolved, the last one wins)."""
    found = None
    for m in merged_in(node):
        found = lookup(m, key) or found
    for _, k, v in pairs(node):
        if scalar(k) == key:
            found = v
    return found


def last_line(node) -> int:
    """The 1-based last line of a node's text."""
    end = node.end_mark
    return end.line if end.column == 0 and end.line > node.start_mark.line else end.line + 1


class Entry:
    """A key of a mapping some recipe reads: where it is and how to change its value."""

    def __init__(self, number: int, path: tuple, key, mapping_id: int, index: int) -> None:
        self.number = number
        self.path = path
        self.key = scalar(key) or ""
        self.line = key.start_mark.line + 1
        self.column = key.start_mark.column + 1
        self.mapping_id = mapping_id
        self.index = index
        self.parent: Entry | None = None


def walk_entries(root, read_roots):
    """Every key of the mappings reachable from `read_roots` (value nodes of mappings, mappings
    merged in, and items of sequences), in document order, each node once."""
    import yaml

    entries: list[Entry] = []
    seen: set[int] = set()
    order: dict[int, int] = {}

    def visit(node, path, parent) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                visit(item, path + (i,), parent)
            return
        if not isinstance(node, yaml.MappingNode):
            return
        order[id(node)] = len(order)
        for m in merged_in(node):
            visit(m, path + ("<<",), parent)
        for i, k, v in pairs(node):
            e = Entry(len(entries), path + (scalar(k),), k, order[id(node)], i)
            e.parent = parent
            entries.append(e)
            visit(v, e.path, e)

    for node, path in read_roots:
        visit(node, path, None)
    return entries


def read_roots(root, named: set[tuple[str, str]]):
    """The mappings recipes read directly: `common`, each recipe entry, the named sections."""
    roots = []
    common = lookup(root, "common")
    if common is not None:
        roots.append((common, ("common",)))
    recipes = lookup(root, "recipe")
    for _, k, v in pairs(recipes):
        roots.append((v, ("recipe", scalar(k))))
    for section, name in sorted(named):
        s = lookup(root, section)
        node = lookup(s, name) if s is not None else None
        if node is not None:
            roots.append((node, (section, name)))
    return roots


def nth_mapping(root, roots_of, number: int):
    """The mapping node numbered `number` by `walk_entries` order, in a fresh composition."""
    import yaml

    seen: set[int] = set()
    count = [0]
    found = [None]

    def visit(node) -> None:
        if found[0] is not None or id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                visit(item)
            return
        if not isinstance(node, yaml.MappingNode):
            return
        if count[0] == number:
            found[0] = node
            return
        count[0] += 1
        for m in merged_in(node):
            visit(m)
        for _, _, v in pairs(node):
            visit(v)

    for node, _ in roots_of(root):
        visit(node)
    return found[0]


def judge(rec: Recorder, text: str) -> dict:
    """The verdict on one file (see the module's docstring)."""
    import yaml

    try:
        root = compose(text)
        # Construction resolves merge keys in place: the graph walked stays unconstructed.
        doc = construct(compose(text))
    except yaml.YAMLError as e:
        return {"unreadable": str(e).splitlines()[0]}
    recipes = doc.get("recipe") if isinstance(doc, dict) else None
    names = list(recipes) if isinstance(recipes, dict) and recipes else []
    outcomes: dict[str, dict] = {}
    if not names:
        outcomes["*"] = rec.build(doc, None)
    for name in names:
        outcomes[name] = rec.build(doc, name)
    rec.record_only = True
    baseline = {name: rec.build(doc, name) for name in names}
    rec.record_only = False

    # The sections a recipe names: resolved while building, or named by a recipe that raised
    # before resolving them.
    named: set[tuple[str, str]] = set()
    static: dict[str, set[tuple[str, str]]] = {}
    for name in names:
        named |= {tuple(n) for n in outcomes[name]["named"]}
        named |= {tuple(n) for n in baseline[name]["named"]}
        static[name] = static_refs(doc, name)
    raising = [n for n in names if outcomes[n]["error"] and outcomes[n]["error"]["kind"] in ("value", "other")]
    for name in raising:
        named |= static[name]

    roots_of = lambda r: read_roots(r, named)  # noqa: E731
    entries = walk_entries(root, roots_of(root))

    def changed(number: int, mapping_number: int, index: int, how: str) -> list[str]:
        fresh = compose(text)
        mapping = nth_mapping(fresh, roots_of, mapping_number)
        key, value = mapping.value[index]
        if how == "delete":
            del mapping.value[index]
        else:
            mapping.value[index] = (key, yaml.ScalarNode("tag:yaml.org,2002:str", UNEXPECTED))
        try:
            changed_doc = construct(fresh)
        except yaml.YAMLError:
            return names
        out = []
        rec.record_only = True
        for name in names:
            if name in raising:
                continue
            got = rec.build(changed_doc, name)
            b = baseline[name]
            if (got["result"], got["error"], got["checks"]) != (b["result"], b["error"], b["checks"]):
                out.append(name)
        rec.record_only = False
        return out

    overridden = overridden_paths(doc, names)
    keys = []
    by_number: dict[int, dict] = {}
    for e in entries:
        if e.parent is not None and by_number[e.parent.number]["verdict"] in ("ignored", "outer-ignored"):
            verdict, why = "outer-ignored", "under a key that reaches nothing"
        elif e.parent is not None and by_number[e.parent.number]["verdict"] == "overridden":
            verdict, why = "overridden", "under a common key a recipe overrides"
        else:
            reached = sorted(
                set(changed(e.number, e.mapping_id, e.index, "replace"))
                | set(changed(e.number, e.mapping_id, e.index, "delete"))
            )
            if reached:
                verdict, why = "reaches", "changing it changes recipe " + ", ".join(reached)
            elif e.path[0] == "common" and e.path[1:] in overridden:
                verdict, why = "overridden", "a recipe overrides it"
            elif e.path[0] == "trainers" and e.path[2:] == ("weight_sync_deployment",) and all(
                deployment_set(doc, n) for n in names if ("trainers", e.path[1]) in static[n]
            ):
                verdict, why = "overridden", "each recipe naming the trainer sets `deployment`"
            elif raising and could_read(e, raising, static):
                verdict, why = "undecided", "recipe " + ", ".join(raising) + " raises before reading it"
            else:
                verdict, why = "ignored", drop_reason(e, outcomes, baseline)
        row = {"line": e.line, "column": e.column, "key": e.key,
               "path": ".".join(str(p) for p in e.path), "verdict": verdict, "why": why}
        by_number[e.number] = row
        keys.append(row)

    # Accelerator keys: which ones reach the accelerator check (FW201 as an error).
    rejected = []
    for e in entries:
        if e.key not in ACCELERATOR or by_number[e.number]["verdict"] == "outer-ignored":
            continue
        fresh = compose(text)
        mapping = nth_mapping(fresh, roots_of, e.mapping_id)
        del mapping.value[e.index]
        changed_doc = construct(fresh)
        rec.record_only = True
        for name in names:
            got = rec.build(changed_doc, name)
            if [c for c in got["checks"] if c.startswith("accelerator")] != [
                c for c in baseline[name]["checks"] if c.startswith("accelerator")
            ]:
                rejected.append({"line": e.line, "column": e.column, "recipe": name})
                break
        rec.record_only = False

    recipes_out = {}
    for name, o in outcomes.items():
        recipes_out[name] = {
            "error": o["error"],
            "drops": o["drops"],
            "lines": sorted(recipe_lines(root, name, static.get(name, set()), doc)),
        }
    return {"recipes": recipes_out, "keys": keys, "accelerator_rejected": rejected}


def static_refs(doc: dict, name: str) -> set[tuple[str, str]]:
    """The sections recipe `name` names, read from the file (for a recipe that raises before
    resolving them)."""
    entry = doc["recipe"].get(name)
    merged = dict(doc.get("common") or {}) if isinstance(doc.get("common"), dict) else {}
    if isinstance(entry, dict):
        merged.update(entry)
    refs: set[tuple[str, str]] = set()

    def add(section, value):
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str):
                refs.add((section, v))

    add("trainers", merged.get("trainer"))
    add("trainers", merged.get("reference_trainer"))
    add("trainers", merged.get("teacher_trainers"))
    add("deployments", merged.get("deployment"))
    trainers = doc.get("trainers") if isinstance(doc.get("trainers"), dict) else {}
    t = merged.get("trainer")
    section = trainers.get(t) if isinstance(t, str) else t
    if isinstance(section, dict):
        add("deployments", section.get("weight_sync_deployment"))
    return refs


def deployment_set(doc: dict, name: str) -> bool:
    """Recipe `name` (with `common`) names its deployment: the trainer's
    `weight_sync_deployment` is overridden (`merged.get("deployment") or ...`)."""
    entry = doc["recipe"].get(name)
    merged = dict(doc.get("common") or {}) if isinstance(doc.get("common"), dict) else {}
    if isinstance(entry, dict):
        merged.update(entry)
    return bool(merged.get("deployment"))


def could_read(e: Entry, raising: list[str], static: dict) -> bool:
    head = e.path[0]
    if head == "common":
        return True
    if head == "recipe":
        return e.path[1] in raising
    return any((head, e.path[1]) in static[r] for r in raising)


def overridden_paths(doc: dict, names: list[str]) -> set[tuple]:
    """Paths under `common` that a recipe entry overrides (deep merge: not both mappings)."""
    out: set[tuple] = set()
    common = doc.get("common") if isinstance(doc, dict) else None
    if not isinstance(common, dict):
        return out

    def walk(c: dict, r: dict, path: tuple) -> None:
        for k, v in c.items():
            if k not in r:
                continue
            if isinstance(v, dict) and isinstance(r[k], dict):
                walk(v, r[k], path + (k,))
            else:
                out.add(path + (k,))

    for name in names:
        entry = doc["recipe"].get(name)
        if isinstance(entry, dict):
            walk(common, entry, ())
    return out


def drop_reason(e: Entry, outcomes: dict, baseline: dict) -> str:
    classes = sorted({cls for o in list(outcomes.values()) + list(baseline.values())
                      for cls, keys in o["drops"] if e.key in keys})
    if classes:
        return "changing it changes nothing; dropped by " + ", ".join(classes)
    return "changing it changes nothing; no class is given it"


def recipe_lines(root, name: str, refs: set[tuple[str, str]], doc) -> set[int]:
    """The lines where a problem of recipe `name` can be: its entry, the `common` keys it does
    not override, the sections it names (the whole file when there is no recipe)."""
    if name == "*":
        return set(range(1, (last_line(root) if root is not None else 1) + 1))
    lines: set[int] = set()
    recipes = lookup(root, "recipe")
    entry = None
    for _, k, v in pairs(recipes):
        if scalar(k) == name:
            lines |= set(range(k.start_mark.line + 1, last_line(v) + 1))
            entry = doc["recipe"].get(name)
    common = lookup(root, "common")
    for _, k, v in pairs(common):
        if not (isinstance(entry, dict) and scalar(k) in entry):
            lines |= set(range(k.start_mark.line + 1, last_line(v) + 1))
    for section, ref in refs:
        s = lookup(root, section)
        node = lookup(s, ref) if s is not None else None
        if node is not None:
            for _, k, v in pairs(s):
                if scalar(k) == ref:
                    lines |= set(range(k.start_mark.line + 1, last_line(v) + 1))
    return lines


def worker(args) -> None:
    """Import one tag and judge its files (JSON on stdout: file -> verdict key)."""
    from stubs import install

    tree = Path(args.tree)
    sys.path.insert(0, str(tree))
    install({"training", "yaml", "_yaml"})
    import importlib

    provision = importlib.import_module("training.provision.provision")
    config = importlib.import_module("training.utils.config")
    script = Path(__file__).read_text()
    fp = fingerprint(provision, config, script)
    rec = Recorder(provision, config)
    claims = Path(args.claims)
    out = {}
    for path in args.files:
        text = Path(path).read_text(encoding="utf-8")
        key = f"{fp}-{hashlib.sha256(text.encode()).hexdigest()[:20]}"
        out[path] = key
        try:
            fd = os.open(claims / f"{key}.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            continue  # another tag with the same code judges it
        os.close(fd)
        verdict = judge(rec, text)
        verdict["judged_at"] = args.tag
        tmp = claims / f"{key}.json.tmp"
        tmp.write_text(json.dumps(verdict))
        tmp.rename(claims / f"{key}.json")
    print(json.dumps(out))


# ---------------------------------------------------------------------------------------------
# The driver


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--tree")
    ap.add_argument("--tag")
    ap.add_argument("--files", nargs="*", default=[])
    ap.add_argument("--claims")
    ap.add_argument("--bundle", type=Path)
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--fixtures", type=Path)
    ap.add_argument("--fixture-tags", default="")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return 0
    try:
        import yaml  # noqa: F401
    except ImportError:
        print("PyYAML is not importable", file=sys.stderr)
        return UNAVAILABLE

    releases = sources.Releases()
    tags = [c["tag"] for c in releases.cookbook]
    tags = tags[tags.index(FIRST):]
    fixture_tags = [releases.resolve(t) for t in args.fixture_tags.split(",") if t]
    fixtures = sorted(args.fixtures.glob("*.yaml")) if args.fixtures else []
    try:
        sources.ensure_history(args.bundle, args.cache)
    except sources.Unavailable as e:
        print(e, file=sys.stderr)
        return UNAVAILABLE
    args.cache.mkdir(parents=True, exist_ok=True)
    claims_dir = tempfile.TemporaryDirectory(prefix="provision-claims", dir=args.cache)
    claims = Path(claims_dir.name)

    def run(tag):
        """Export the tag (once per cache) and judge its files in a worker of its own."""
        tree = sources.ensure_tree(args.bundle, args.cache, tag)
        files = sorted((tree / "training/provision").glob("*.yaml"))
        if tag in fixture_tags:
            files += fixtures
        cmd = [sys.executable, __file__, "--worker", "--tree", str(tree), "--tag", tag,
               "--claims", str(claims), "--files", *map(str, files)]
        done = subprocess.run(cmd, capture_output=True, text=True,
                              env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        if done.returncode != 0:
            raise RuntimeError(f"{tag}: the worker failed:\n{done.stderr[-3000:]}")
        return tag, json.loads(done.stdout.strip().splitlines()[-1])

    try:
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            done = list(pool.map(run, tags))
    except sources.Unavailable as e:
        print(e, file=sys.stderr)
        return UNAVAILABLE
    runs = []
    judged = set()
    for tag, files in done:
        for path, key in files.items():
            verdict = json.loads((claims / f"{key}.json").read_text())
            judged.add(key)
            is_fixture = args.fixtures is not None and Path(path).parent == args.fixtures
            runs.append({"tag": tag, "path": path,
                         "file": Path(path).name if not is_fixture else f"fixtures/{Path(path).name}",
                         "verdict": verdict})
    claims_dir.cleanup()
    args.out.write_text(json.dumps({"runs": runs, "judged": len(judged)}, indent=1))
    print(f"{len(runs)} (tag, file) pairs over {len(tags)} tags; {len(judged)} judged once each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
