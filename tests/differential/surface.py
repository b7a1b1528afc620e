"""The public surface of the imported cookbook and SDK: modules, names, callables, signatures.

Everything here is read from the live objects (`inspect`), never from the source text.
"""

from __future__ import annotations

import importlib
import inspect
import keyword
import os
import sys
import traceback
from dataclasses import dataclass, field
from typing import Any

import stubs

# The packages under test, and the roots whose objects count as theirs.
PACKAGES = ("training", "fireworks.training.sdk")
ROOTS = ("training", "fireworks.training")
# Modules that are part of neither tabled surface (tests, examples, `python -m` entry points).
SKIPPED_PARTS = {"tests", "examples", "__main__", "conftest"}


def in_roots(module: str | None) -> bool:
    return isinstance(module, str) and any(
        module == root or module.startswith(root + ".") for root in ROOTS
    )


def is_public_module(name: str) -> bool:
    parts = name.split(".")
    return not any(p.startswith("_") or p in SKIPPED_PARTS or p.startswith("test_") for p in parts)


@dataclass
class Surface:
    modules: dict[str, Any] = field(default_factory=dict)  # name -> module object
    failed: dict[str, str] = field(default_factory=dict)  # name -> error (last line)


def module_names(package: str) -> list[str]:
    """`package` and every public module under it, found on the file system (namespace
    packages, folders without `__init__.py` such as the cookbook's `training/recipes`, count)."""
    pkg = importlib.import_module(package)
    names = {package}
    for base in pkg.__path__:
        base = os.path.abspath(base)
        for folder, dirs, files in os.walk(base):
            dirs[:] = sorted(d for d in dirs if d.isidentifier())
            rel = os.path.relpath(folder, base)
            prefix = package if rel == "." else package + "." + rel.replace(os.sep, ".")
            names.add(prefix)
            for file in files:
                stem, ext = os.path.splitext(file)
                if ext == ".py" and stem != "__init__" and stem.isidentifier():
                    names.add(f"{prefix}.{stem}")
    return sorted(n for n in names if is_public_module(n))


def import_all() -> Surface:
    surface = Surface()
    for package in PACKAGES:
        try:
            names = module_names(package)
        except Exception as error:  # the package itself does not import
            surface.failed[package] = _last_line(error)
            continue
        for name in names:
            if name in surface.modules or name in surface.failed:
                continue
            try:
                surface.modules[name] = importlib.import_module(name)
            except BaseException as error:  # noqa: BLE001 - any failure is reported
                surface.failed[name] = _last_line(error)
    return surface


def _last_line(error: BaseException) -> str:
    text = "".join(traceback.format_exception_only(type(error), error)).strip()
    return text.splitlines()[-1] if text else type(error).__name__


def public_names(module: Any) -> list[str]:
    """`__all__` when the module declares it; else its public names that belong to the package
    (functions, classes and submodules defined in it or re-exported from the package) and
    plain values (constants). Names it imports from elsewhere (typing, the standard library,
    third-party packages) are not its own."""
    declared = getattr(module, "__all__", None)
    if isinstance(declared, (list, tuple)) and all(isinstance(n, str) for n in declared):
        return sorted({n for n in declared if has_attribute(module, n)})
    names = []
    for name, value in vars(module).items():
        if name.startswith("_"):
            continue
        if inspect.ismodule(value):
            if in_roots(value.__name__) and value.__name__ == f"{module.__name__}.{name}":
                names.append(name)
            continue
        owner = getattr(type(value), "__module__", None) if not _has_own_module(value) else None
        origin = _origin(value)
        if origin is not None:
            if in_roots(origin):
                names.append(name)
        elif owner in ("builtins", None):
            names.append(name)
    return sorted(names)


def has_attribute(module: Any, name: str) -> bool:
    try:
        getattr(module, name)
    except Exception:  # noqa: BLE001 - a lazy attribute whose import fails
        return False
    return True


def _has_own_module(value: Any) -> bool:
    return inspect.isclass(value) or inspect.isfunction(value) or inspect.isroutine(value)


def _origin(value: Any) -> str | None:
    """The module that defined a class, function or other object that records it."""
    if isinstance(value, stubs.Stub):
        return "stub"
    try:
        origin = value.__module__ if _has_own_module(value) else None
        if origin is None and not isinstance(value, (int, float, str, bytes, bool, tuple, list,
                                                     dict, set, frozenset, type(None))):
            origin = getattr(value, "__module__", None) or type(value).__module__
    except Exception:  # noqa: BLE001
        return "unknown"
    return origin if isinstance(origin, str) else None


def is_identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def params_of(sig: inspect.Signature) -> list[dict]:
    return [
        {
            "name": p.name,
            "kind": p.kind.name,
            "required": p.default is inspect.Parameter.empty
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD),
        }
        for p in sig.parameters.values()
    ]


def drop_first(sig: inspect.Signature) -> inspect.Signature:
    """The signature seen through a bound receiver (`self` / `cls` filled)."""
    params = list(sig.parameters.values())
    if params and params[0].kind in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
        params = params[1:]
    return sig.replace(parameters=params)


class NoVerdict(Exception):
    """Python cannot tell without the real third-party package (a stub is in the way)."""


def constructor_signature(cls: type) -> inspect.Signature:
    if getattr(cls, "_is_protocol", False):
        raise NoVerdict("a Protocol cannot be instantiated")
    try:
        sig = inspect.signature(cls)
    except (TypeError, ValueError):
        raise NoVerdict("no signature (the constructor is a builtin's, e.g. Exception's)") from None
    if stubs.is_stub_signature(sig):
        raise NoVerdict("constructor inherited from a stubbed third-party base")
    return sig


def lookup_static(cls: type, name: str) -> tuple[type, Any] | None:
    """The class of `cls`'s MRO that defines `name`, and the raw attribute (no descriptors run)."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass, klass.__dict__[name]
    return None


def method_kind(raw: Any) -> str | None:
    if isinstance(raw, staticmethod):
        return "static"
    if isinstance(raw, classmethod):
        return "class"
    if inspect.isfunction(raw):
        return "instance"
    return None


def method_signature(cls: type, name: str, access: str) -> inspect.Signature:
    """The signature that `cls.name(...)` (access "class") or `obj.name(...)` (access
    "instance", `obj` an instance of `cls`) binds against. Raises AttributeError when Python
    would, NoVerdict when a stub stands where the answer is."""
    found = lookup_static(cls, name)
    stubbed = [k for k in cls.__mro__ if stubs.is_stub_class(k)]
    if found is None:
        if stubbed:
            raise NoVerdict(f"not in the package's classes; the stubbed base {stubbed[0].__name__}"
                            " might have it")
        if any("__getattr__" in k.__dict__ for k in cls.__mro__[:-1]) and access == "instance":
            raise NoVerdict("the class defines __getattr__")
        raise AttributeError(f"type object '{cls.__name__}' has no attribute '{name}'")
    owner, raw = found
    if stubs.is_stub_class(owner):
        raise NoVerdict("defined by a stubbed third-party base")
    kind = method_kind(raw)
    if kind is None:
        raise NoVerdict(f"{type(raw).__name__} attribute, not a method")
    func = raw.__func__ if kind in ("static", "class") else raw
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError) as error:
        raise NoVerdict(f"no signature: {error}") from None
    if kind == "class" or (kind == "instance" and access == "instance"):
        sig = drop_first(sig)
    return sig


def public_methods(cls: type) -> dict[str, str]:
    """Public methods defined in `cls` or in its bases from the package: name -> kind."""
    methods: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not in_roots(getattr(klass, "__module__", None)) or stubs.is_stub_class(klass):
            continue
        for name, raw in klass.__dict__.items():
            if name.startswith("_"):
                continue
            kind = method_kind(raw)
            if kind is not None:
                methods[name] = kind
            else:
                methods.pop(name, None)
    # A name that a later class in the MRO (not from the package) defines hides ours.
    for name in list(methods):
        found = lookup_static(cls, name)
        if found is None or method_kind(found[1]) is None:
            methods.pop(name)
    return dict(sorted(methods.items()))


def describe(surface: Surface) -> dict:
    """A JSON-able description of the surface (for the legacy side)."""
    modules = {}
    for mod_name, module in sorted(surface.modules.items()):
        entries = {}
        for name in public_names(module):
            value = getattr(module, name)
            entry: dict[str, Any] = {"kind": "other"}
            if inspect.ismodule(value):
                entry = {"kind": "module"}
            elif inspect.isclass(value) and in_roots(value.__module__):
                entry = {"kind": "class", "defined_in": value.__module__,
                         "qualname": value.__qualname__}
                try:
                    entry["params"] = params_of(constructor_signature(value))
                except NoVerdict as why:
                    entry["no_signature"] = str(why)
                methods = {}
                for meth, kind in public_methods(value).items():
                    access = "instance" if kind == "instance" else "class"
                    try:
                        sig = method_signature(value, meth, access)
                    except (NoVerdict, AttributeError):
                        continue
                    methods[meth] = {"kind": kind, "params": params_of(sig)}
                entry["methods"] = methods
            elif inspect.isfunction(value) and in_roots(value.__module__):
                entry = {"kind": "function", "defined_in": value.__module__,
                         "qualname": value.__qualname__}
                try:
                    entry["params"] = params_of(inspect.signature(value))
                except (TypeError, ValueError) as error:
                    entry["no_signature"] = str(error)
            entries[name] = entry
        modules[mod_name] = entries
    return {"modules": modules, "failed": dict(sorted(surface.failed.items())),
            "stubbed": stubs.stubbed_packages(), "python": sys.version.split()[0]}
