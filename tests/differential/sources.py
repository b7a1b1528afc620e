"""Where the real source comes from, and how it is made importable.

* The cookbook at a release: a folder that contains the `training` package.
* The SDK at a version: the `fireworks-ai` wheel, unpacked (a folder that contains
  `fireworks/training/sdk`). Wheels are looked for in the folders named by
  `FWMIGRATE_DIFFERENTIAL_WHEELS` (separated by the path separator), then in the cache, then
  fetched with `pip download --no-deps` into the cache.
* tinker, for the SDK versions that import the real one (they pin it in their metadata); later
  versions vendor it, and the cookbook's own `import tinker` then gets a stub.

Only `fireworks/training/...` of the SDK wheel is imported: `fireworks/__init__.py` (the REST
API client) is not run, as the package `fireworks` is registered without executing it.
"""

from __future__ import annotations

import importlib.machinery
import os
import re
import shutil
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import stubs


class Unavailable(Exception):
    """A wheel could not be found nor fetched (offline): the test is skipped."""


def _find_wheel(folder: Path, dist: str, version: str) -> Path | None:
    found = sorted(folder.glob(f"{dist.replace('-', '_')}-{version}-*.whl"))
    return found[0] if found else None


def ensure_wheel(dist: str, version: str, cache: Path) -> Path:
    """The folder where `dist==version` is unpacked, fetching the wheel when needed."""
    unpacked = cache / "unpacked" / f"{dist}-{version}"
    if (unpacked / ".complete").exists():
        return unpacked
    wheel = None
    for folder in os.environ.get("FWMIGRATE_DIFFERENTIAL_WHEELS", "").split(os.pathsep):
        if folder and Path(folder).is_dir():
            wheel = _find_wheel(Path(folder), dist, version)
            if wheel:
                break
    downloads = cache / "wheels"
    if wheel is None and downloads.is_dir():
        wheel = _find_wheel(downloads, dist, version)
    if wheel is None:
        downloads.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
               "--timeout", "30", "--retries", "1", "--only-binary", ":all:",
               "--dest", str(downloads), f"{dist}=={version}"]
        done = subprocess.run(cmd, capture_output=True, text=True)
        wheel = _find_wheel(downloads, dist, version)
        if done.returncode != 0 or wheel is None:
            raise Unavailable(f"cannot fetch {dist}=={version}: {done.stderr.strip()[-400:]}")
    tmp = unpacked.with_name(unpacked.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp)
    (tmp / ".complete").write_text("")
    shutil.rmtree(unpacked, ignore_errors=True)
    tmp.rename(unpacked)
    return unpacked


def pinned_tinker(sdk: Path) -> str | None:
    """The `tinker==X` that the SDK wheel's metadata pins, or None (it vendors its own)."""
    for meta in sdk.glob("fireworks_ai-*.dist-info/METADATA"):
        found = re.search(r"^Requires-Dist: tinker==([\w.]+)", meta.read_text(), re.M)
        if found:
            return found.group(1)
    return None


# The SDK's generated protobuf modules need the real runtime to define their messages.
PROTOBUF = "6.33.6"


def activate(cookbook: Path, sdk: Path, extra: dict[str, Path]) -> None:
    """Make `training`, `fireworks.training` and the `extra` packages (import name -> unpacked
    wheel) importable, everything else outside the standard library a stub."""
    keep = {"training", "fireworks", *extra}
    for folder in extra.values():
        sys.path.insert(0, str(folder))
    sys.path.insert(0, str(sdk))
    sys.path.insert(0, str(cookbook))
    stubs.install(keep)
    package = types.ModuleType("fireworks")
    package.__path__ = [str(sdk / "fireworks")]
    package.__spec__ = importlib.machinery.ModuleSpec("fireworks", None, is_package=True)
    package.__spec__.submodule_search_locations = package.__path__
    package.__file__ = None
    sys.modules["fireworks"] = package


def prepare(cookbook: Path, sdk_version: str, cache: Path) -> tuple[Path, dict[str, Path]]:
    """Fetch (when needed) the SDK wheel, the tinker it pins and protobuf; return the SDK's
    folder and the real packages to import (import name -> folder)."""
    if not (cookbook / "training" / "__init__.py").is_file():
        raise Unavailable(f"no cookbook package at {cookbook}")
    sdk = ensure_wheel("fireworks-ai", sdk_version, cache)
    protobuf = ensure_wheel("protobuf", PROTOBUF, cache)
    extra = {"google.protobuf": protobuf, "google._upb": protobuf}
    pin = pinned_tinker(sdk)
    if pin:
        extra["tinker"] = ensure_wheel("tinker", pin, cache)
    return sdk, extra
