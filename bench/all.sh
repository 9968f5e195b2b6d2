#!/usr/bin/env bash
# Every benchmark in one run, on this machine, then one summary table of the issue-19 figures
# against their goals: meta-training against the PyTorch peer and the FLOP floor (metarec bench),
# LiMAML refresh and full-catalogue scoring (bench --limaml), the function app under wrk
# (bench/function-app.sh), and process start to ready (bench/start-ready.sh). The header names
# the commit, the machine and the load average; `metarec bench` prints the peer's BLAS and
# threads. Medians throughout; configurations interleave inside each benchmark.
#   bench/all.sh [--quick]      (--quick: smoke-test sizes, figures not for the results page)
# Needs python3-torch and libopenblas0-pthread for the peer, and wrk (apt-get install them);
# without the peer the ratios are left out and said so.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
quick=()
duration=15
starts=10
if [ "${1:-}" = "--quick" ]; then quick=(--quick); duration=3; starts=2; fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
peer=()
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "note: no python3-torch at /usr/bin/python3 (apt-get install python3-torch libopenblas0-pthread): the PyTorch peer is skipped"
  peer=(--no-peer)
fi
dotnet build src/MetaRec.Cli -c Release -v q -nologo >/dev/null
metarec() { dotnet src/MetaRec.Cli/bin/Release/net10.0/metarec.dll "$@"; }
echo "== meta-training and adaptation (metarec bench --threads 1) =="
metarec bench --threads 1 "${quick[@]}" "${peer[@]}" --json "$out/bench.json" | tee "$out/bench.txt"
echo "== LiMAML refresh and full-catalogue scoring (metarec bench --limaml --threads 1) =="
metarec bench --limaml --threads 1 "${quick[@]}" "${peer[@]}" --json "$out/limaml.json" | tee "$out/limaml.txt"
echo "== function app (bench/function-app.sh) =="
bench/function-app.sh --duration "$duration" | tee "$out/app.txt"
echo "== process start to ready (bench/start-ready.sh) =="
bench/start-ready.sh "$starts" | tee "$out/start.txt"
python3 - "$out" <<'PY'
import json, re, sys
out = sys.argv[1]
bench = json.load(open(f"{out}/bench.json"))
text = {name: open(f"{out}/{name}.txt").read() for name in ("limaml", "app", "start")}
def find(name, pattern):
    return re.search(pattern, text[name])
def yes(ok):
    return "yes" if ok else "no"
rows = []
for t in bench.get("targets", []):
    met = t.get("met")
    rows.append((t.get("target", "?"), t.get("measured", "?"), "n/a" if met is None else yes(met)))
m = find("limaml", r"top-10 of ([\d,]+) items \(cached embedding\), catalogue ranker\s*│\s*([\d.]+)\s*│\s*([\d.]+)")
rows.append(("full-catalogue top-10 ≤ 1 ms p50, one thread", f"{m.group(2)} ms p50, {m.group(3)} ms p95 over {m.group(1)} items (catalogue ranker)" if m else "not in the output", yes(float(m.group(2)) <= 1) if m else "?"))
m = find("app", r"\[embedded\] recommend k=10, 200 personalized users, result cache OFF.*?\): ([\d,]+) req/s, p50 [\d.]+\w+, p99 ([\d.]+)(ms|us)")
if m:
    rps, p99 = float(m.group(1).replace(",", "")), float(m.group(2)) / (1000 if m.group(3) == "us" else 1)
    rows.append(("personalized recommend, cache missed ≥ 2,000 req/s with p99 ≤ 20 ms", f"{m.group(1)} req/s, p99 {p99:.1f} ms", yes(rps >= 2000 and p99 <= 20)))
for backend, goal in (("embedded", 20), ("azurite", 100)):
    m = find("app", rf"\[{backend}\] event -> updated recommendation: median ([\d.]+) ms")
    if m:
        rows.append((f"event → updated recommendation p50 ≤ {goal} ms, {backend}", f"{m.group(1)} ms", yes(float(m.group(1)) <= goal)))
m = find("app", r"\[embedded\] events through the standalone path: ([\d,]+) events/s")
if m:
    rows.append(("events ingested ≥ 5,000/s, embedded", f"{m.group(1)} events/s", yes(float(m.group(1).replace(",", "")) >= 5000)))
m = find("start", r"process start -> ready: median ([\d.]+) s")
if m:
    rows.append(("process start → ready ≤ 2 s", f"median {m.group(1)} s", yes(float(m.group(1)) <= 2)))
print("\n| goal | measured | met |\n|---|---|---|")
for goal, measured, met in rows:
    print(f"| {goal} | {measured} | {met} |")
PY
