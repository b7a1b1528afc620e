#!/usr/bin/env python3
"""Build the benchmark corpora for bench/run.sh.

  make_corpus.py scan  OUT [--copies 5] [--legacy 300]
      This machine's Python standard library and site-packages (*.py, *.pyi), copied COPIES
      times, with LEGACY legacy cookbook scripts mixed in at spread-out places.
  make_corpus.py apply OUT [--legacy 1000]
      LEGACY legacy cookbook scripts only (for --apply throughput).
  make_corpus.py needles
      The prefilter needles of every Python rule (and FW900), one per line, read from the
      rule sources, for an equivalent `rg -l` command.

Legacy scripts are variants of the acceptance inputs (../shared/acceptance/*/input/*.py, or
$FWMIGRATE_SHARED/acceptance) and of the rule fixtures (rules/*/fixtures/*.py), so the script
works from a fresh clone without the shared folder.

Folder names that fwmigrate always skips (build, dist, venv, site-packages, ...) are renamed
with a trailing underscore, so that fwmigrate, rg and ruff all walk the same files.
"""
import argparse
import os
import re
import shutil
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED = {".git", ".hg", ".svn", ".venv", "venv", "__pycache__", "node_modules", ".tox", ".nox",
           "build", "dist", "site-packages", ".mypy_cache", ".ruff_cache", ".pytest_cache",
           ".ipynb_checkpoints"}
PYTHON_FAMILIES = ["infra", "provisioning", "shapes", "hotload", "checkpoints", "conformance"]


def seeds():
    out = []
    shared = Path(os.environ.get("FWMIGRATE_SHARED") or os.environ.get("SHARED") or ROOT.parent / "shared")
    for p in sorted(shared.glob("acceptance/*/input/*.py")):
        out.append(p)
    for p in sorted(ROOT.glob("rules/*/fixtures/*.py")):
        out.append(p)
    texts = []
    for p in out:
        text = p.read_bytes()
        # Variants must be valid UTF-8 Python; skip fixtures written to be broken.
        if b"\0" in text:
            continue
        texts.append((p.stem, text))
    if not texts:
        sys.exit("make_corpus: no acceptance inputs or rule fixtures found")
    return texts


def variant(seed, i):
    name, text = seed
    nl = b"\r\n" if b"\r\n" in text else b"\n"
    header = f"# legacy script {i} (from {name})".encode() + nl
    footer = nl + nl + f"def _variant_{i}():".encode() + nl + f"    return {i}".encode() + nl
    if text.startswith(b"\xef\xbb\xbf"):
        return b"\xef\xbb\xbf" + header + text[3:] + footer
    if not text.endswith(nl):
        text += nl
    return header + text + footer


def safe_rel(rel):
    return Path(*[(part + "_" if part in SKIPPED else part) for part in rel.parts])


def python_trees():
    paths = sysconfig.get_paths()
    roots = []
    for key in ("stdlib", "purelib", "platlib"):
        p = Path(paths[key]).resolve()
        if p.is_dir() and p not in roots:
            roots.append(p)
    return roots


def scan(out, copies, legacy):
    roots = python_trees()
    files = []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            d = Path(dirpath)
            # site-packages is inside stdlib: it is copied from its own root.
            dirnames[:] = [n for n in dirnames if n != "__pycache__"
                           and (d / n).resolve() not in roots]
            for f in filenames:
                if f.endswith((".py", ".pyi")):
                    src = d / f
                    if src.is_file() and not src.is_symlink():
                        files.append((root, src))
    files.sort()
    total = 0
    for c in range(copies):
        base = out / f"copy{c}"
        for root, src in files:
            dst = base / root.name.replace("site-packages", "site_packages") / safe_rel(src.relative_to(root))
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            total += src.stat().st_size
    # Legacy scripts at spread-out folders of the copies.
    dirs = sorted({p.parent for p in out.rglob("*.py")})
    s = seeds()
    for i in range(legacy):
        d = dirs[(i * 7919) % len(dirs)]
        (d / f"legacy_launch_{i}.py").write_bytes(variant(s[i % len(s)], i))
    n = sum(1 for _ in out.rglob("*.py")) + sum(1 for _ in out.rglob("*.pyi"))
    print(f"corpus: {out}: {n} Python files, {total * 1.0 / 1e6:.0f} MB from {len(files)} files "
          f"x {copies} copies, {legacy} legacy scripts", file=sys.stderr)


def apply_corpus(out, legacy):
    s = seeds()
    for i in range(legacy):
        d = out / f"team{i % 20}" / f"project{i % 7}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"launch_{i}.py").write_bytes(variant(s[i % len(s)], i))
    print(f"corpus: {out}: {legacy} legacy scripts from {len(s)} seeds", file=sys.stderr)


def needles():
    found = []
    files = [ROOT / "crates/fwmigrate_engine/src/builtin.rs"]
    for fam in PYTHON_FAMILIES:
        files += sorted((ROOT / "rules" / fam / "src").glob("*.rs"))
    for f in files:
        text = f.read_text()
        for m in re.finditer(r'code:\s*"(FW\d+)"(.*?)needles:\s*&\[(.*?)\]', text, re.S):
            code, body = m.group(1), m.group(3)
            if f.name == "builtin.rs" and code != "FW900":
                continue
            found += re.findall(r'"((?:[^"\\]|\\.)*)"', body)
        # A family's shared needle list (`needles: NEEDLES`). An empty one (the conformance
        # family) means "every file that imports Fireworks": the import spellings of the
        # default markers stand for it.
        for m in re.finditer(r'pub const NEEDLES: &\[&str\] = &\[(.*?)\];', text, re.S):
            words = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))
            found += words or [f"{kw} {root}" for kw in ("from", "import")
                               for root in ("training", "fireworks")]
    for n in sorted(set(found)):
        print(n)


YAML_KINDS = [
    # A Kubernetes manifest.
    """apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{i}
  labels: {{app: svc-{i}, tier: backend}}
spec:
  replicas: {r}
  selector:
    matchLabels:
      app: svc-{i}
  template:
    metadata:
      labels:
        app: svc-{i}
    spec:
      containers:
        - name: app
          image: registry.example.com/svc-{i}:1.{r}.0
          resources:
            limits: {{cpu: "500m", memory: "512Mi"}}
          env:
            - name: MODE
              value: production
""",
    # A GitHub Actions workflow.
    """name: ci-{i}
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt
      - run: pytest -q tests/unit_{i}
""",
    # A Helm template: not YAML until rendered.
    """apiVersion: v1
kind: Service
metadata:
  name: {{{{ include "chart.fullname" . }}}}-{i}
spec:
  type: {{{{ .Values.service.type }}}}
  ports:
    {{{{- range .Values.service.ports }}}}
    - port: {{{{ .port }}}}
    {{{{- end }}}}
""",
]


def yaml_corpus(out, count):
    """`count` YAML files that are not provisioning configs, as a repository holds them."""
    for i in range(count):
        kind = YAML_KINDS[i % len(YAML_KINDS)]
        folder = out / f"group{i // 500}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"file{i}.yaml").write_text(kind.format(i=i, r=1 + i % 5))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["scan", "apply", "needles", "yaml"])
    ap.add_argument("out", nargs="?")
    ap.add_argument("--copies", type=int, default=5)
    ap.add_argument("--legacy", type=int)
    a = ap.parse_args()
    if a.what == "needles":
        return needles()
    out = Path(a.out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if a.what == "scan":
        scan(out, a.copies, 300 if a.legacy is None else a.legacy)
    elif a.what == "yaml":
        yaml_corpus(out, 10000 if a.legacy is None else a.legacy)
    else:
        apply_corpus(out, 1000 if a.legacy is None else a.legacy)


if __name__ == "__main__":
    main()
