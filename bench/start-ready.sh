#!/usr/bin/env bash
# Process start -> ready on the embedded default: the standalone host started N times (default
# 10) over a folder with a promoted LiMAML model (ml-latest-small, 9,742 items); each time, the
# seconds until /api/ready answers 200 (model loaded) and until the first recommendation is
# served. Prints each start and the medians. Usage: bench/start-ready.sh [starts]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
starts=${1:-10}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet build "$root/src/MetaRec.Cli" -c Release -v q -nologo >/dev/null
dotnet build "$root/src/MetaRec.Functions" -c Release -v q -nologo >/dev/null
metarec="$root/src/MetaRec.Cli/bin/Release/net10.0/metarec"
"$metarec" train --family limaml --epochs 1 --out "$work/ckpt" | tail -1
"$metarec" models register --checkpoint "$work/ckpt" --version v1 --storage-folder "$work/store" >/dev/null
"$metarec" models promote limaml v1 --storage-folder "$work/store" >/dev/null
python3 - "$root/src/MetaRec.Functions/bin/Release/net10.0/MetaRec.Functions" "$work/store" "$starts" <<'PY'
import os, socket, statistics, subprocess, sys, time, urllib.request, urllib.error
app, store, starts = sys.argv[1], sys.argv[2], int(sys.argv[3])
def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
def ok(url):
    try:
        return urllib.request.urlopen(url, timeout=2).status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False
ready, first = [], []
for n in range(starts):
    port = free_port(); base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, MetaRec__Storage__Folder=store, MetaRec__Timers__Enabled="false", Logging__LogLevel__Default="Warning")
    t0 = time.monotonic()
    proc = subprocess.Popen([app, "--urls", base], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not ok(base + "/api/ready"):
            if time.monotonic() - t0 > 60: raise SystemExit("not ready within 60 s")
            time.sleep(0.01)
        ready.append(time.monotonic() - t0)
        while not ok(base + f"/api/users/start-{n}/recommendations?k=10"):
            time.sleep(0.01)
        first.append(time.monotonic() - t0)
        print(f"start {n + 1}: ready {ready[-1]:.2f} s, first recommendation {first[-1]:.2f} s")
    finally:
        proc.terminate(); proc.wait()
print(f"process start -> ready: median {statistics.median(ready):.2f} s (min {min(ready):.2f}, max {max(ready):.2f}); "
      f"-> first recommendation served: median {statistics.median(first):.2f} s (max {max(first):.2f}); {starts} starts")
PY
