"""Generate the differential cases for one target: Python scripts that use the cookbook and
the SDK, one case a line, each judged by the real Python objects at the target.

    python3 tests/differential/generate.py --bundle cookbook-history.bundle --target 2026.08 \\
        --sdk-version 1.2.30 --cache target/differential --out OUT

The cookbook at each release is exported from the git bundle of its history (one tag per
snapshot) into the cache, or read from `--cookbook-src DIR` (one folder per release, named by
tag, holding `training/`). `--target` is a tag, a tag without `cookbook-v` or an alias
(`2026.08`), resolved with fwmigrate's `releases.json`. `OUT` receives `cases_NNN.py` files, a `cases_NNN.json` sidecar for each (line -> verdict,
why, kind, subject) and `summary.json`. The exit status is 0 on success, 3 when a source is
unavailable (offline): the caller skips.

Cases:
* imports: every `from M import N` for each public name N of each public module M at each
  older snapshot (cookbook and SDK), and every such module as `import M`, judged by executing
  the statement at the target;
* calls: for each public function, class (its constructor) and method (instance, class and
  static) at the target, a call that binds, one with an unknown keyword, one with a positional
  argument too many and one without a required argument, built from its own signature; and
  for the same name at each older snapshot, a call passing every parameter of that snapshot's
  signature the way it declares it. Each is judged with `inspect.signature(...).bind(...)` on the target's
  object (and pydantic's own rule for unknown keywords, see `judge_call`).

The older snapshots ("legacy" side) are, unless `--legacy` names them: every weekly snapshot
before the first tag, the first and the last tag of each SDK range, the `legacy` release and the
target's predecessor, each with the oldest SDK its range admits. Each is read in a separate
interpreter (`--describe`) and the description is cached. Identical cases from several
snapshots are written once, credited to the newest snapshot that yields them.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import inspect
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import sources  # noqa: E402
import stubs  # noqa: E402
import surface  # noqa: E402

CASES_PER_FILE = 250
UNKNOWN_KEYWORD = "not_a_parameter"
VALUE = "None"
UNAVAILABLE = 3


@dataclass
class Case:
    group: str  # the module the case is spelled with; files group cases by it
    kind: str
    subject: str
    code: str  # the statement, one line
    verdict: str
    why: str
    needs: tuple = ()  # (module, name) imports the line relies on; ("import", module, alias)
    origin: str = ""  # the snapshot whose surface or signature the case was built from


@dataclass
class Report:
    cases: list[Case] = field(default_factory=list)
    no_verdict: Counter = field(default_factory=Counter)
    no_verdict_examples: dict = field(default_factory=dict)
    seen: set = field(default_factory=set)  # (group, code) of the cases already written

    def add(self, case: Case) -> None:
        """Add a case unless an identical one (same group and text) is already there."""
        key = (case.group, case.code)
        if key not in self.seen:
            self.seen.add(key)
            self.cases.append(case)

    def skip(self, subject: str, why: str) -> None:
        self.no_verdict[why] += 1
        self.no_verdict_examples.setdefault(why, subject)


# ---------------------------------------------------------------------------------------------
# Judging


def pydantic_ignores_extra(obj: Any) -> bool:
    """A pydantic model that drops unknown keywords instead of raising (`extra` not 'forbid')."""
    base = sys.modules.get("pydantic")
    if base is None or not inspect.isclass(obj):
        return False
    model = getattr(base, "BaseModel", None)
    if not (isinstance(model, type) and issubclass(obj, model)):
        return False
    return obj.model_config.get("extra") in (None, "ignore")


def judge_call(obj: Any, sig: inspect.Signature, npos: int, keywords: list[str]) -> tuple[str, str]:
    try:
        sig.bind(*([None] * npos), **{k: None for k in keywords})
    except TypeError as error:
        if pydantic_ignores_extra(obj) and "unexpected keyword argument" in str(error):
            unknown = [k for k in keywords if k not in sig.parameters]
            known = [k for k in keywords if k in sig.parameters]
            try:
                sig.bind(*([None] * npos), **{k: None for k in known})
            except TypeError:
                return "reject", str(error)
            return "accept", (f"pydantic model with extra='ignore' drops {unknown} "
                              f"(signature.bind: {error})")
        return "reject", str(error)
    return "accept", "binds"


def _clean(error: BaseException) -> str:
    """The error's text without the file path that CPython appends to ImportError."""
    return re.sub(r" \([^()]*\)$", "", f"{type(error).__name__}: {error}")


def judge_statement(statement: str, failed: dict[str, str]) -> tuple[str, str] | None:
    """Execute an import statement at the target. None when a stub is in the way."""
    try:
        with quiet():
            exec(compile(statement, "<case>", "exec"), {})
    except ModuleNotFoundError as error:
        return "reject", _clean(error)
    except ImportError as error:
        if str(error).startswith("cannot import name") and error.__context__ is None:
            return "reject", _clean(error)
        if isinstance(error.__context__, AttributeError) and error.__context__.__context__ is None:
            return "reject", _clean(error)
        return None
    except BaseException:  # noqa: BLE001 - a module that fails under stubs
        return None
    words = statement.split()
    module = words[1]
    if module in failed:
        return None
    return "accept", "imports"


@contextlib.contextmanager
def quiet():
    """Import-time prints of the imported code go to stderr, not into our output."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


# ---------------------------------------------------------------------------------------------
# Spelling


def root_of(module: str) -> str:
    return "fireworks.training" if module.startswith("fireworks.") else "training"


def spelling_key(module: str, defined_in: str) -> tuple:
    """Prefer the defining module or a package above it (`training.utils` for a class of
    `training.utils.config`), then a module of the object's own package; the shallowest, then
    by name."""
    above = defined_in == module or defined_in.startswith(module + ".")
    return (not above, root_of(module) != root_of(defined_in), module.count("."), module)


def is_recipe(module: str) -> bool:
    return module.startswith("training.recipes.")


def callee(module: str, name: str) -> tuple[str, tuple]:
    """How a script names `module.name`, and the import that binds it."""
    if is_recipe(module):
        alias = module.rsplit(".", 1)[1]
        return f"{alias}.{name}", (("import", module, alias),)
    return name, ((module, name),)


def call_text(func: str, npos: int, keywords: list[str]) -> str:
    args = [VALUE] * npos + [f"{k}={VALUE}" for k in keywords]
    return f"{func}({', '.join(args)})"


# ---------------------------------------------------------------------------------------------
# Calls built from a signature


def own_calls(params: list[dict]) -> list[tuple[str, int, list[str]]]:
    """(kind, positional count, keywords) for the four calls built from a signature."""
    req_pos_only = [p for p in params if p["kind"] == "POSITIONAL_ONLY" and p["required"]]
    required_kw = [p["name"] for p in params
                   if p["required"] and p["kind"] in ("POSITIONAL_OR_KEYWORD", "KEYWORD_ONLY")]
    if not all(surface.is_identifier(n) for n in required_kw):
        return []
    calls = [("binds", len(req_pos_only), required_kw),
             ("unknown-keyword", len(req_pos_only), required_kw + [UNKNOWN_KEYWORD])]
    positional = [p for p in params if p["kind"] in ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")]
    kw_only = [p["name"] for p in params if p["kind"] == "KEYWORD_ONLY" and p["required"]]
    calls.append(("too-many-positional", len(positional) + 1, kw_only))
    if req_pos_only:
        calls.append(("missing-required", len(req_pos_only) - 1, required_kw))
    elif required_kw:
        calls.append(("missing-required", 0, required_kw[1:]))
    return calls


def legacy_call(params: list[dict]) -> tuple[int, list[str]] | None:
    """Every legacy parameter, passed the way legacy declares it."""
    npos = sum(1 for p in params if p["kind"] == "POSITIONAL_ONLY")
    keywords = [p["name"] for p in params if p["kind"] in ("POSITIONAL_OR_KEYWORD", "KEYWORD_ONLY")]
    if not all(surface.is_identifier(k) for k in keywords):
        return None
    return npos, keywords


def receiver_param(name: str) -> str:
    return "obj" if name == "c" else "c"


def method_case(group: str, kind: str, subject: str, module: str, name: str, meth: str,
                access: str, npos: int, keywords: list[str], verdict: tuple[str, str]) -> Case:
    cls_text, needs = callee(module, name)
    if access == "instance":
        recv = receiver_param(name)
        head = f"({recv}: {cls_text})"
        body = call_text(f"{recv}.{meth}", npos, keywords)
    else:
        head = "()"
        body = call_text(f"{cls_text}.{meth}", npos, keywords)
    return Case(group, kind, subject, f"def case{{n}}{head}: {body}", *verdict, needs)


# ---------------------------------------------------------------------------------------------
# Generation


def target_objects(surf: surface.Surface) -> dict[int, dict]:
    """Every public function and class at the target, with every spelling that reaches it."""
    objects: dict[int, dict] = {}
    for module_name, module in sorted(surf.modules.items()):
        for name in surface.public_names(module):
            if not surface.is_identifier(name):
                continue
            value = getattr(module, name)
            if not (inspect.isclass(value) or inspect.isfunction(value)):
                continue
            if not surface.in_roots(getattr(value, "__module__", None)):
                continue
            entry = objects.setdefault(id(value), {"obj": value, "spellings": []})
            entry["spellings"].append((module_name, name))
    for entry in objects.values():
        defined_in = entry["obj"].__module__
        entry["spellings"].sort(key=lambda s: spelling_key(s[0], defined_in))
    return objects


def add_own_cases(report: Report, objects: dict[int, dict], origin: str) -> None:
    for entry in sorted(objects.values(), key=lambda e: e["spellings"][0]):
        obj = entry["obj"]
        module, name = entry["spellings"][0]
        subject = f"{module}.{name}"
        func, needs = callee(module, name)
        try:
            sig = (surface.constructor_signature(obj) if inspect.isclass(obj)
                   else inspect.signature(obj))
        except surface.NoVerdict as why:
            report.skip(subject, str(why))
            sig = None
        except (TypeError, ValueError) as error:
            report.skip(subject, f"no signature: {type(error).__name__}")
            sig = None
        if sig is not None:
            params = surface.params_of(sig)
            for kind, npos, keywords in own_calls(params):
                verdict = judge_call(obj, sig, npos, keywords)
                code = f"def case{{n}}(): {call_text(func, npos, keywords)}"
                report.add(Case(module, f"call-{kind}", subject, code, *verdict, needs, origin))
            # Other spellings of the same object (re-exports): a call that binds and one that
            # does not, so that each spelling is seen to reach the same signature.
            for other_module, other_name in entry["spellings"][1:]:
                other_func, other_needs = callee(other_module, other_name)
                for kind, npos, keywords in own_calls(params)[:2]:
                    verdict = judge_call(obj, sig, npos, keywords)
                    code = f"def case{{n}}(): {call_text(other_func, npos, keywords)}"
                    report.add(Case(other_module, f"reexport-{kind}",
                                    f"{other_module}.{other_name}", code, *verdict, other_needs,
                                    origin))
        if not inspect.isclass(obj):
            continue
        for meth, mkind in surface.public_methods(obj).items():
            access = "instance" if mkind == "instance" else "class"
            msubject = f"{subject}.{meth}"
            try:
                msig = surface.method_signature(obj, meth, access)
            except surface.NoVerdict as why:
                report.skip(msubject, str(why))
                continue
            except AttributeError:
                continue
            calls = own_calls(surface.params_of(msig))
            prefix = "method"
            if surface.lookup_static(obj, meth)[0] is not obj:
                # Inherited: the defining class has the four cases; here, that the receiver's
                # class reaches the method is enough.
                calls, prefix = calls[:2], "inherited-method"
            for kind, npos, keywords in calls:
                verdict = judge_call(None, msig, npos, keywords)
                case = method_case(module, f"{prefix}-{kind}", msubject, module, name, meth,
                                   access, npos, keywords, verdict)
                case.origin = origin
                report.add(case)


def add_legacy_cases(report: Report, legacy: dict, surf: surface.Surface, origin: str) -> None:
    # One legacy object, many spellings: group by where legacy defined it.
    groups: dict[tuple, list] = defaultdict(list)
    for module, entries in legacy["modules"].items():
        for name, entry in entries.items():
            if entry["kind"] in ("class", "function") and surface.is_identifier(name):
                groups[(entry["defined_in"], entry["qualname"])].append((module, name, entry))
    for (defined_in, _qual), spellings in sorted(groups.items()):
        spellings.sort(key=lambda s: spelling_key(s[0], defined_in))
        for module, name, entry in spellings:
            target_module = surf.modules.get(module)
            if target_module is None or not surface.has_attribute(target_module, name):
                continue
            obj = getattr(target_module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                break
        else:
            continue  # gone at the target: the import cases cover it
        subject = f"{module}.{name}"
        func, needs = callee(module, name)
        if "params" in entry and (call := legacy_call(entry["params"])) is not None:
            npos, keywords = call
            try:
                sig = (surface.constructor_signature(obj) if inspect.isclass(obj)
                       else inspect.signature(obj))
                verdict = judge_call(obj, sig, npos, keywords)
                code = f"def case{{n}}(): {call_text(func, npos, keywords)}"
                report.add(Case(module, "legacy-call", subject, code, *verdict, needs, origin))
            except surface.NoVerdict as why:
                report.skip(subject, str(why))
            except (TypeError, ValueError) as error:
                report.skip(subject, f"no signature: {type(error).__name__}")
        if not inspect.isclass(obj):
            continue
        for meth, mentry in entry.get("methods", {}).items():
            call = legacy_call(mentry["params"])
            if call is None:
                continue
            npos, keywords = call
            access = "instance" if mentry["kind"] == "instance" else "class"
            msubject = f"{subject}.{meth}"
            try:
                msig = surface.method_signature(obj, meth, access)
                verdict = judge_call(None, msig, npos, keywords)
            except surface.NoVerdict as why:
                report.skip(msubject, str(why))
                continue
            except AttributeError as error:
                verdict = ("reject", f"AttributeError: {error}")
            case = method_case(module, "legacy-method", msubject, module, name, meth, access,
                               npos, keywords, verdict)
            case.origin = origin
            report.add(case)


def add_import_cases(report: Report, legacy: dict, surf: surface.Surface, origin: str) -> None:
    for module, entries in sorted(legacy["modules"].items()):
        statements = [(f"import {module}", "import-module")]
        statements += [(f"from {module} import {name}", "import-name")
                       for name in entries if surface.is_identifier(name)]
        for statement, kind in statements:
            if ("imports", statement) in report.seen:
                continue
            verdict = judge_statement(statement, surf.failed)
            if verdict is None:
                report.skip(statement, "the import fails at the target for another reason "
                                       "(a stub is in the way)")
                continue
            report.add(Case("imports", kind, statement.split()[-1] if kind == "import-module"
                            else f"{module}.{statement.split()[-1]}", statement, *verdict,
                            origin=origin))


# ---------------------------------------------------------------------------------------------
# Output


def render(cases: list[Case], header: str) -> tuple[str, dict]:
    lines = [f"# {header}", "# Generated by tests/differential/generate.py; each case is one line."]
    imports: list[str] = []
    seen = set()
    for case in cases:
        for need in case.needs:
            if need in seen:
                continue
            seen.add(need)
            if need[0] == "import":
                imports.append(f"import {need[1]} as {need[2]}")
            else:
                imports.append(f"from {need[0]} import {need[1]}")
    lines += imports + [""]
    sidecar = {}
    for n, case in enumerate(cases, 1):
        lines.append(case.code.replace("{n}", f"_{n}"))
        sidecar[str(len(lines))] = {"verdict": case.verdict, "why": case.why, "kind": case.kind,
                                    "subject": case.subject, "from": case.origin}
    return "\n".join(lines) + "\n", sidecar


def write(report: Report, out: Path, header: str) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("cases_*"):
        old.unlink()
    by_group: dict[str, list[Case]] = defaultdict(list)
    for case in report.cases:
        by_group[case.group].append(case)
    names = []
    index = 0
    for group in sorted(by_group):
        cases = by_group[group]
        for start in range(0, len(cases), CASES_PER_FILE):
            index += 1
            text, sidecar = render(cases[start:start + CASES_PER_FILE], f"{header}; {group}")
            stem = f"cases_{index:03d}"
            (out / f"{stem}.py").write_text(text)
            (out / f"{stem}.json").write_text(json.dumps(sidecar, indent=1) + "\n")
            names.append(stem)
    return names


def tree_of(args: argparse.Namespace, tag: str, name: str | None = None) -> Path:
    """The folder holding `training/` at a release: `--cookbook-src`'s folder named as given or
    by tag, else the tag exported from the history bundle."""
    if args.cookbook_src is not None:
        for folder in (name, tag):
            if folder and (args.cookbook_src / folder / "training").is_dir():
                return (args.cookbook_src / folder).resolve()
        raise sources.Unavailable(f"no {tag} in {args.cookbook_src}")
    return sources.ensure_tree(args.bundle, args.cache, tag)


def legacy_spread(releases: sources.Releases, target: str) -> list[str]:
    """The older snapshots whose surfaces make the legacy side (see the module's doc)."""
    older = [c["tag"] for c in releases.cookbook[:releases.order[target]]
             if releases.oldest_sdk(c["tag"]) is not None]
    chosen = {t for t in older if not t.startswith("cookbook-v")}
    ranges: dict[str, list[str]] = defaultdict(list)
    for tag in older:
        if tag.startswith("cookbook-v"):
            ranges[releases.by_tag[tag]["sdk"]].append(tag)
    for tags in ranges.values():
        chosen |= {tags[0], tags[-1]}
    if releases.roles.get("legacy") in older:
        chosen.add(releases.roles["legacy"])
    if older:
        chosen.add(older[-1])
    return sorted(chosen, key=releases.order.__getitem__)


def _fingerprint(tree: Path) -> str:
    digest = hashlib.sha256(f"{tree}\n{sys.version}".encode())
    for name in ("generate.py", "surface.py", "stubs.py", "sources.py"):
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()[:16]


def describe_all(args: argparse.Namespace, legacy: list[tuple[str, str, Path]]) -> list[dict]:
    """The surface of each (tag, SDK, tree), each read by its own interpreter (another
    `training` and SDK), at most as many at once as there are processors; cached."""
    out_dir = args.cache / "described"
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{tag}+{sdk}+{_fingerprint(tree)}.json" for tag, sdk, tree in legacy]
    pending = [(item, path) for item, path in zip(legacy, paths) if not path.exists()]
    running: list[tuple] = []
    width = max(1, min(4, os.cpu_count() or 1))
    while pending or running:
        while pending and len(running) < width:
            (tag, sdk, tree), path = pending.pop(0)
            cmd = [sys.executable, str(Path(__file__).resolve()), "--describe",
                   "--cookbook-src", str(tree.parent), "--target", tree.name,
                   "--sdk-version", sdk, "--cache", str(args.cache)]
            tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
            handle = tmp.open("w")
            proc = subprocess.Popen(cmd, stdout=handle, stderr=subprocess.PIPE, text=True)
            running.append((proc, handle, tmp, path, tag))
        proc, handle, tmp, path, tag = running.pop(0)
        _, err = proc.communicate()
        handle.close()
        if proc.returncode == UNAVAILABLE:
            raise sources.Unavailable(err.strip())
        if proc.returncode != 0:
            raise RuntimeError(f"describing {tag} failed:\n{err}")
        tmp.replace(path)
    return [json.loads(path.read_text()) for path in paths]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--bundle", type=Path, help="the git bundle of the cookbook's history")
    source.add_argument("--cookbook-src", type=Path,
                        help="a folder of release folders (named by tag) holding training/")
    parser.add_argument("--target", required=True)
    parser.add_argument("--sdk-version", required=True)
    parser.add_argument("--legacy", action="append", metavar="TAG[=SDK]",
                        help="an older snapshot to build cases from (repeatable; default: a "
                             "spread of every older snapshot)")
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--describe", action="store_true",
                        help="print the surface of --target as JSON and exit")
    args = parser.parse_args()
    args.cache = args.cache.resolve()
    if args.bundle is not None:
        args.bundle = args.bundle.resolve()
    releases = sources.Releases()
    try:
        if args.describe:
            cookbook = (args.cookbook_src / args.target).resolve()
        else:
            tag = releases.resolve(args.target)
            cookbook = tree_of(args, tag, args.target)
            names = args.legacy or legacy_spread(releases, tag)
            legacy_specs = []
            for spec in names:
                name, _, sdk = spec.partition("=")
                ltag = releases.resolve(name)
                sdk = sdk or releases.oldest_sdk(ltag)
                ltree = tree_of(args, ltag, name)
                if sdk and (ltree / "training" / "__init__.py").is_file():
                    legacy_specs.append((ltag, sdk, ltree))
        sdk, extra = sources.prepare(cookbook, args.sdk_version, args.cache)
        if not args.describe:
            described = describe_all(args, legacy_specs)
    except sources.Unavailable as why:
        print(f"unavailable: {why}", file=sys.stderr)
        return UNAVAILABLE
    sources.activate(cookbook, sdk, extra)
    with quiet():
        surf = surface.import_all()
    if args.describe:
        with quiet():
            description = surface.describe(surf)
        json.dump(description, sys.stdout)
        return 0
    if args.out is None:
        parser.error("--out is required")

    report = Report()
    # Newest first: a case that several snapshots yield is credited to the newest.
    newest_first = list(zip(legacy_specs, described))[::-1]
    with quiet():
        add_own_cases(report, target_objects(surf), tag)
        for (ltag, _, _), legacy in newest_first:
            add_import_cases(report, legacy, surf, ltag)
        for (ltag, _, _), legacy in newest_first:
            add_legacy_cases(report, legacy, surf, ltag)
    header = (f"target {tag} (SDK {args.sdk_version}), built from the snapshots "
              f"{legacy_specs[0][0] if legacy_specs else '-'} to "
              f"{legacy_specs[-1][0] if legacy_specs else '-'}")
    files = write(report, args.out, header)

    counts: dict[str, Counter] = {"imports": Counter(), "calls": Counter()}
    for case in report.cases:
        counts["imports" if case.kind.startswith("import") else "calls"][case.verdict] += 1
    legacy_failed = {ltag: sorted(legacy["failed"])
                     for (ltag, _, _), legacy in zip(legacy_specs, described) if legacy["failed"]}
    summary = {
        "target": tag, "sdk_version": args.sdk_version,
        "legacy": [f"{ltag}={lsdk}" for ltag, lsdk, _ in legacy_specs], "files": len(files),
        "counts": {k: dict(sorted(v.items())) for k, v in counts.items()},
        "kinds": dict(sorted(Counter(c.kind for c in report.cases).items())),
        "from": dict(sorted(Counter(c.origin for c in report.cases).items(),
                            key=lambda kv: releases.order[kv[0]])),
        "modules": len(surf.modules),
        "failed_modules": {"target": surf.failed, "legacy": legacy_failed},
        "no_verdict": {why: {"count": n, "example": report.no_verdict_examples[why]}
                       for why, n in report.no_verdict.most_common()},
        "stubbed_packages": sorted({p for legacy in described for p in legacy["stubbed"]}
                                   | set(stubs.stubbed_packages())),
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    imports, calls = counts["imports"], counts["calls"]
    print(f"{tag} (SDK {args.sdk_version}): {len(report.cases)} cases in {len(files)} "
          f"files from {len(legacy_specs)} older snapshots; imports {imports['accept']} accept / "
          f"{imports['reject']} reject; calls {calls['accept']} accept / {calls['reject']} "
          f"reject; {sum(report.no_verdict.values())} without a verdict; modules that did not "
          f"import: {sorted(surf.failed) or 'none'} (older snapshots: "
          f"{sum(len(v) for v in legacy_failed.values())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
