#!/usr/bin/env bash
# Benchmark fwmigrate against `rg -l` (same needles) and `ruff check --select F401` on this
# machine's Python standard library and site-packages copied COPIES times with LEGACY legacy
# cookbook scripts mixed in; then `--apply` throughput on APPLY legacy scripts and peak memory.
#
#   bench/run.sh                     # everything, defaults below
#   COPIES=1 ROUNDS=1 bench/run.sh  # a quicker run
#
# Needs: hyperfine and ripgrep (apt-get install -y hyperfine ripgrep), GNU time
# (apt-get install -y time), ruff (pip install ruff), python3, cargo.
# Work folder: $FWMIGRATE_BENCH_DIR (default: $TMPDIR/fwmigrate-bench); the corpus is rebuilt
# only when its parameters change. Acceptance inputs come from $FWMIGRATE_SHARED or ../shared
# when present, else only the rule fixtures in the repository are used.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
COPIES="${COPIES:-5}"
LEGACY="${LEGACY:-300}"
APPLY="${APPLY:-1000}"
RUNS="${RUNS:-3}"
ROUNDS="${ROUNDS:-3}"
WORK="${FWMIGRATE_BENCH_DIR:-${TMPDIR:-/tmp}/fwmigrate-bench}"
CORPUS="$WORK/corpus-x$COPIES"

for tool in hyperfine rg ruff python3 cargo; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (see the header of $0)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install -y time)" >&2; exit 2; }

echo "==> cargo build --release"
cargo build --release -q -p fwmigrate
FW="$ROOT/target/release/fwmigrate"

mkdir -p "$WORK"
STAMP="copies=$COPIES legacy=$LEGACY python=$(python3 -c 'import sys; print(sys.version.split()[0])')"
if [ "$(cat "$CORPUS/.stamp" 2>/dev/null)" != "$STAMP" ]; then
    echo "==> building the corpus in $CORPUS"
    python3 bench/make_corpus.py scan "$CORPUS" --copies "$COPIES" --legacy "$LEGACY"
    echo "$STAMP" > "$CORPUS/.stamp"
fi
python3 bench/make_corpus.py apply "$WORK/apply-src" --legacy "$APPLY"
# YAML files that are not provisioning configs, as repositories hold them: what they add to a
# check is the line scan of each (measured below).
YAMLS="${YAMLS:-10000}"
if [ "$(cat "$CORPUS-yaml/.stamp" 2>/dev/null)" != "$STAMP yamls=$YAMLS" ]; then
    # The same tree (hard links) with the YAML files in a folder of its own: one root, as
    # the scan above, so that the only difference is the YAML files.
    rm -rf "$CORPUS-yaml"
    cp -al "$CORPUS" "$CORPUS-yaml"
    python3 bench/make_corpus.py yaml "$CORPUS-yaml/yaml-files" --legacy "$YAMLS"
    echo "$STAMP yamls=$YAMLS" > "$CORPUS-yaml/.stamp"
fi

# The needles of every Python rule, as fwmigrate's prefilter uses them.
mapfile -t NEEDLES < <(python3 bench/make_corpus.py needles)
RG="rg -l -F"
for n in "${NEEDLES[@]}"; do RG+=" -e $(printf %q "$n")"; done
RG+=" -g *.py -g *.pyi -g *.ipynb $CORPUS"
RUFF="ruff check --select F401 --no-cache --config exclude=[] --exit-zero -q $CORPUS"
CHECK="$FW --check --no-progress --quiet --exit-zero $CORPUS"
NOPF="env FWMIGRATE_NO_PREFILTER=1 $CHECK"

echo
echo "==> what each tool walks (Python files)"
n_fw=$($FW --show-files "$CORPUS" | grep -cE '\.(py|pyi|ipynb)$' || true)
n_ruff=$(ruff check --select F401 --no-cache --config 'exclude=[]' --show-files "$CORPUS" 2>/dev/null | grep -cE '\.(py|pyi|ipynb)$' || true)
n_rg=$(rg --files -g '*.py' -g '*.pyi' -g '*.ipynb' "$CORPUS" | wc -l)
echo "fwmigrate $n_fw, ruff $n_ruff, rg $n_rg"
echo "corpus: $(du -sh --apparent-size "$CORPUS" | cut -f1) in $n_rg files; $(nproc) cores"
echo "rg command: $RG"

# The machine's speed drifts (shared hosts): the four commands run side by side in ROUNDS
# rounds, and each ratio is taken within a round, then the median over the rounds is reported.
rm -f "$WORK"/scan-*.json
for round in $(seq 1 "$ROUNDS"); do
    echo
    echo "==> scan, round $round of $ROUNDS: hyperfine, $RUNS runs each after a warm-up"
    hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$WORK/scan-$round.json" \
        -n "fwmigrate --check" "$CHECK" \
        -n "rg -l (same needles)" "$RG" \
        -n "ruff check --select F401" "$RUFF" \
        -n "fwmigrate --check, FWMIGRATE_NO_PREFILTER=1" "$NOPF"
done

echo
echo "==> $YAMLS unrelated YAML files added to the scan"
hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$WORK/yaml.json" \
    -n "fwmigrate --check" "$CHECK" \
    -n "fwmigrate --check, with the YAML files" "$FW --check --no-progress --quiet --exit-zero $CORPUS-yaml"

echo
echo "==> apply: $APPLY legacy scripts"
hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$WORK/apply.json" \
    --prepare "bash -c 'rm -rf $WORK/apply && cp -r $WORK/apply-src $WORK/apply'" \
    -n "fwmigrate --apply" "$FW --apply --quiet --exit-zero --no-progress $WORK/apply"

echo
echo "==> peak memory (GNU time -v)"
peak() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}'; }
MEM=$(peak $CHECK)
MEM_NOPF=$(peak env FWMIGRATE_NO_PREFILTER=1 $CHECK)
echo "fwmigrate --check: $MEM KB; with FWMIGRATE_NO_PREFILTER=1: $MEM_NOPF KB"

python3 - "$WORK" "$ROUNDS" "$APPLY" "$MEM" "$MEM_NOPF" <<'EOF'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
n, mem, mem_nopf = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
scans = [{r["command"]: r for r in json.load(open(f"{work}/scan-{i}.json"))["results"]}
         for i in range(1, rounds + 1)]
apply = json.load(open(f"{work}/apply.json"))["results"][0]
yaml_runs = json.load(open(f"{work}/yaml.json"))["results"]
FW, RG, RUFF = "fwmigrate --check", "rg -l (same needles)", "ruff check --select F401"
NOPF = "fwmigrate --check, FWMIGRATE_NO_PREFILTER=1"
mean = lambda name: statistics.mean(t for s in scans for t in s[name]["times"])
ratio = lambda a, b, key="mean": statistics.median(s[a][key] / s[b][key] for s in scans)
per_round = lambda a, b: ", ".join(f"{s[a]['mean'] / s[b]['mean']:.2f}" for s in scans)
fw_rg, nopf_ruff, fw_ruff = ratio(FW, RG), ratio(NOPF, RUFF), ratio(FW, RUFF)
ok = lambda b: "ok" if b else "MISSED"
print()
print(f"Ratios: the median over {rounds} rounds of each round's ratio of mean times.")
print()
print("| measurement | value | target |")
print("|---|---|---|")
print(f"| `fwmigrate --check` / `rg -l` | {mean(FW):.2f} s / {mean(RG):.2f} s; **{fw_rg:.2f}x** (rounds: {per_round(FW, RG)}; user CPU {ratio(FW, RG, 'user'):.2f}x) | <= 1.0x ({ok(fw_rg <= 1.0)}) |")
print(f"| `FWMIGRATE_NO_PREFILTER=1 fwmigrate --check` / `ruff check --select F401` | {mean(NOPF):.2f} s / {mean(RUFF):.2f} s; **{nopf_ruff:.2f}x** (rounds: {per_round(NOPF, RUFF)}) | <= 0.7x ({ok(nopf_ruff <= 0.7)}) |")
print(f"| `fwmigrate --check` / `ruff check --select F401` | {mean(FW):.2f} s / {mean(RUFF):.2f} s; **{fw_ruff:.2f}x** | |")
print(f"| peak memory, `fwmigrate --check` | **{mem / 1024:.0f} MB** (no prefilter: {mem_nopf / 1024:.0f} MB) | < 150 MB ({ok(mem < 150 * 1024)}) |")
print(f"| YAML files that are not provisioning configs added to the scan | {yaml_runs[0]['mean']:.2f} s / {yaml_runs[1]['mean']:.2f} s: **{(yaml_runs[1]['mean'] / yaml_runs[0]['mean'] - 1) * 100:+.0f}%** | <= +10% ({ok(yaml_runs[1]['mean'] <= 1.1 * yaml_runs[0]['mean'])}) |")
print(f"| `fwmigrate --apply`, {n} legacy scripts | {apply['mean']:.2f} s = **{n / apply['mean']:.0f} files/s** | |")
EOF
