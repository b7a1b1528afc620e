"""Permissive stand-ins for the third-party packages the cookbook and the SDK import.

The differential test imports the real cookbook and SDK source, but not torch, transformers,
tinker_cookbook, wandb and friends: they are heavy, need native code or the network, and none of
them changes a signature that the test judges. `install()` puts a finder at the front of
`sys.meta_path` that answers every import of a top-level package that is neither in the standard
library nor in the list of real packages with a fabricated module:

* a stub module's attributes are `Stub` objects, created on first access;
* a `Stub` can be called (and returns a new `Stub`, or its single function or class argument
  unchanged, so `@torch.no_grad()` and `@register_renderer("x")` decorate as the real ones do),
  subscripted (`Tensor[int]`), combined (`X | None`), iterated, entered, awaited and compared;
* used as a base class, a `Stub` stands in for a plain class (`__mro_entries__`), so subclassing
  it never conflicts with another base's metaclass (ABCMeta, pydantic's, Enum's); a base whose
  name ends in `Error`, `Exception` or `Warning` is an `Exception`, so it can be raised and caught;
* pydantic accepts a `Stub`, and classes made from one, as a field type (any value validates).

A class whose constructor comes from a stub base has the signature `(*stub_args, **stub_kwargs)`:
`is_stub_signature()` tells it, so the test can skip it instead of judging a made-up signature.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import sysconfig
import types
from typing import Any, Iterable

STUB_ARGS = "stub_args"
STUB_KWARGS = "stub_kwargs"

# Third-party packages used as they are when installed (stubbed when not): they shape signatures
# (pydantic models' fields) and are cheap to import.
REAL = {
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "typing_extensions",
    "annotated_types",
    "typing_inspection",
}

_stubbed: set[str] = set()
_STDLIB = sorted({sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib")}) + [
    p for p in sys.path if p.endswith("lib-dynload")
]


def stubbed_packages() -> list[str]:
    """The top-level package names that were answered with a stub, sorted."""
    return sorted(_stubbed)


def _pydantic_schema(*_args: Any) -> Any:
    from pydantic_core import core_schema

    return core_schema.any_schema()


class _StubBase:
    """The root of every class made from a `Stub` used as a base."""

    __fw_stub__ = True

    def __init__(self, *stub_args: Any, **stub_kwargs: Any) -> None:
        pass

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__()

    def __class_getitem__(cls, item: Any) -> Any:
        return cls

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Stub(f"{type(self).__name__}().{name}")

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        return _pydantic_schema()


class _StubErrorBase(_StubBase, Exception):
    __fw_stub__ = True

    def __init__(self, *stub_args: Any, **stub_kwargs: Any) -> None:
        Exception.__init__(self, *stub_args)


def is_stub_class(cls: type) -> bool:
    return cls.__dict__.get("__fw_stub__", False) is True


def is_stub_signature(sig: Any) -> bool:
    """True when `sig` is the constructor signature of a stub base class."""
    names = [p.name for p in sig.parameters.values()]
    return names == [STUB_ARGS, STUB_KWARGS]


class Stub:
    """A permissive stand-in for any attribute of a stubbed package."""

    __slots__ = ("_path", "_children", "_cls")

    def __init__(self, path: str) -> None:
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_children", {})
        object.__setattr__(self, "_cls", None)

    def __repr__(self) -> str:
        return f"<stub {self._path}>"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        children = self._children
        if name not in children:
            children[name] = Stub(f"{self._path}.{name}")
        return children[name]

    def __setattr__(self, name: str, value: Any) -> None:
        self._children[name] = value

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # A decorator: `@stub` and `@stub(...)` leave the function or class as it was.
        if len(args) == 1 and not kwargs and isinstance(args[0], (types.FunctionType, type)):
            return args[0]
        return Stub(f"{self._path}()")

    def __mro_entries__(self, bases: tuple) -> tuple:
        cls = self._cls
        if cls is None:
            name = self._path.rsplit(".", 1)[-1]
            error = name.endswith(("Error", "Exception", "Warning", "Exit"))
            base = _StubErrorBase if error else _StubBase
            cls = type(name, (base,), {"__fw_stub__": True, "__module__": self._path})
            object.__setattr__(self, "_cls", cls)
        return (cls,)

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        return _pydantic_schema()

    def __getitem__(self, item: Any) -> Any:
        return self

    def __setitem__(self, key: Any, value: Any) -> None:
        pass

    def __contains__(self, item: Any) -> bool:
        return False

    def __or__(self, other: Any) -> Any:
        return self

    def __ror__(self, other: Any) -> Any:
        return self

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return True

    def __index__(self) -> int:
        return 0

    def __int__(self) -> int:
        return 0

    def __float__(self) -> float:
        return 0.0

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> bool:
        return False

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *exc: Any) -> bool:
        return False

    def __await__(self) -> Any:
        return iter(())

    def __eq__(self, other: Any) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __lt__(self, other: Any) -> bool:
        return False

    __le__ = __gt__ = __ge__ = __lt__

    def _same(self, *other: Any) -> Any:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __pow__ = _same
    __and__ = __rand__ = __xor__ = __neg__ = __pos__ = __invert__ = __matmul__ = _same


class StubModule(types.ModuleType):
    """A fabricated module: every attribute is a `Stub`; submodules are fabricated too."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__path__: list[str] = []
        self.__all__: list[str] = []
        self.__fw_stub__ = True

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = Stub(f"{self.__name__}.{name}")
        setattr(self, name, value)
        return value


class _Loader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return StubModule(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        pass


class StubFinder(importlib.abc.MetaPathFinder):
    """Answers imports of every top-level package outside `keep` with a `StubModule`."""

    def __init__(self, keep: Iterable[str]) -> None:
        installed = {name for name in REAL if importlib.machinery.PathFinder.find_spec(name)}
        self.keep = set(keep) | installed
        self.keep |= set(sys.stdlib_module_names) | set(sys.builtin_module_names)
        self.keep.add("__main__")

    def kept(self, fullname: str) -> bool:
        """`fullname` is kept, under a kept package, or the parent of one (`google` for
        `google.protobuf`)."""
        if fullname.partition(".")[0] in self.keep:
            return True
        return any(
            fullname == k or fullname.startswith(k + ".") or k.startswith(fullname + ".")
            for k in self.keep
        )

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if self.kept(fullname):
            return None
        if "." not in fullname and importlib.machinery.PathFinder.find_spec(fullname, _STDLIB):
            return None  # a private module of the standard library (`_sysconfigdata_...`)
        parent = sys.modules.get(fullname.rpartition(".")[0])
        if parent is not None and not getattr(parent, "__fw_stub__", False):
            if parent.__spec__ is not None and parent.__spec__.origin not in (None, "namespace"):
                return None  # a real package's own (missing) submodule: a real ImportError
        if parent is None or not getattr(parent, "__fw_stub__", False):
            _stubbed.add(fullname)
        return importlib.machinery.ModuleSpec(fullname, _Loader(), is_package=True)


def install(keep: Iterable[str]) -> StubFinder:
    """Stub every package except the standard library, `REAL` and `keep` (e.g. `training`)."""
    finder = StubFinder(keep)
    sys.meta_path.insert(0, finder)
    return finder
