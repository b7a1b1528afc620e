"""Where the real source comes from, and how it is made importable.

* The cookbook at a release: a folder that contains the `training` package. The releases come
  from the git bundle of the cookbook's history (one tag per snapshot): it is cloned once into
  `<cache>/cookbook-history` and each tag used is exported once into `<cache>/cookbook/<tag>/`.
  A folder of release folders (`--cookbook-src`) can stand in for it.
* The releases themselves (tags, aliases, the SDK range of each) are fwmigrate's own data,
  `crates/fwmigrate_api/data/releases.json`.
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

RELEASES = Path(__file__).resolve().parents[2] / "crates/fwmigrate_api/data/releases.json"


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


# ---------------------------------------------------------------------------------------------
# Releases and their source


def _version_key(version: str) -> tuple:
    """`1.2.0a74` < `1.2.0` < `1.2.30` (enough of PEP 440 for the SDK's versions)."""
    found = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)(?:a(\d+))?", version)
    if not found:
        raise ValueError(f"unexpected version {version}")
    major, minor, micro, alpha = found.groups()
    return (int(major), int(minor), int(micro), int(alpha) if alpha else 1 << 30)


class Releases:
    """The cookbook's snapshots in order, their SDK ranges and the SDK versions fwmigrate knows."""

    def __init__(self, path: Path = RELEASES) -> None:
        import json

        data = json.loads(path.read_text())
        self.cookbook: list[dict] = data["cookbook"]
        self.sdk: list[str] = data["sdk"]
        self.roles: dict[str, str] = data.get("roles", {})
        self.order = {c["tag"]: i for i, c in enumerate(self.cookbook)}
        self.by_tag = {c["tag"]: c for c in self.cookbook}

    def resolve(self, name: str) -> str:
        """A tag, a tag without `cookbook-v`, an alias or a role (`legacy`) -> the tag."""
        if name in self.by_tag:
            return name
        if name in self.roles:
            return self.roles[name]
        for c in self.cookbook:
            if name in c.get("aliases", ()) or c["tag"] == f"cookbook-v{name}":
                return c["tag"]
        raise KeyError(f"unknown cookbook release {name}")

    def lower_bound(self, tag: str) -> str | None:
        """The lower bound of the tag's SDK range (`>=X`)."""
        found = re.search(r">=\s*([\w.]+)", self.by_tag[tag].get("sdk", ""))
        return found.group(1) if found else None

    def oldest_sdk(self, tag: str) -> str | None:
        """The oldest SDK version the tag admits: the lower bound of its range when fwmigrate
        knows it or the range predates what it knows (a weekly snapshot), else the oldest known
        version inside the range."""
        low = self.lower_bound(tag)
        if low is None:
            return None
        if low in self.sdk or _version_key(low) < _version_key(self.sdk[0]):
            return low
        return next((v for v in self.sdk if _version_key(v) >= _version_key(low)), None)


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], capture_output=True, text=True)


def ensure_history(bundle: Path, cache: Path) -> Path:
    """A clone of the history bundle in the cache (made once)."""
    clone = cache / "cookbook-history"
    if (clone / ".git").is_dir():
        return clone
    if not bundle.is_file():
        raise Unavailable(f"no cookbook history bundle at {bundle}")
    tmp = clone.with_name(f"{clone.name}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    done = _git("clone", "-q", str(bundle), str(tmp))
    if done.returncode != 0:
        raise Unavailable(f"cannot clone {bundle}: {done.stderr.strip()}")
    try:
        tmp.rename(clone)
    except OSError:  # another process made it meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
    return clone


def ensure_tree(bundle: Path, cache: Path, tag: str) -> Path:
    """`<cache>/cookbook/<tag>`, holding the tag's `training` folder (exported once)."""
    tree = cache / "cookbook" / tag
    if (tree / ".complete").exists():
        return tree
    clone = ensure_history(bundle, cache)
    tmp = tree.with_name(f"{tag}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(clone), "archive", tag, "training"],
                             capture_output=True)
    if archive.returncode != 0:
        raise Unavailable(f"cannot export {tag}: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive.stdout, check=True)
    (tmp / ".complete").write_text("")
    shutil.rmtree(tree, ignore_errors=True)
    try:
        tmp.rename(tree)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
    return tree
