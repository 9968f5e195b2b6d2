#!/usr/bin/env bash
# MetaRec VQ's leave-one-domain-out protocol on the three Amazon domains: for each target, the
# other two are the sources; each pair at the limited-target regime (10% of the target's
# training users) and at full target data; all six models, seeds 1-3, paired. Writes
# docs/results/transfer/{target}-{10|full}.json and .log, then the tables of
# docs/results/transfer.md (bench/transfer_tables.py).
# Usage: bench/transfer.sh [datasets folder] [regime: 10|full|all] [targets...]
#   e.g. bench/transfer.sh ../shared/datasets 10 Beauty     (one pair, limited: about 40 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
datasets=${1:-../shared/datasets}
regime=${2:-all}
shift $(( $# > 2 ? 2 : $# )) || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(Beauty Sports_and_Outdoors Toys_and_Games)
all=(Beauty Sports_and_Outdoors Toys_and_Games)
out=docs/results/transfer
mkdir -p "$out"
dotnet build src/MetaRec.Cli -c Release -v quiet -nologo >/dev/null
metarec() { dotnet src/MetaRec.Cli/bin/Release/net10.0/metarec.dll "$@"; }
for target in "${targets[@]}"; do
  sources=$(printf '%s\n' "${all[@]}" | grep -vx "$target" | sed "s|^|$datasets/amazon/|; s|$|.txt|" | paste -sd,)
  for fraction in 0.1 1; do
    name=$([ "$fraction" = 1 ] && echo full || echo 10)
    if [ "$regime" != all ] && [ "$regime" != "$name" ]; then continue; fi
    echo "== $target ($name) from $sources"
    metarec transfer --sources "$sources" --target "$datasets/amazon/$target.txt" --target-fraction $fraction \
      --seeds 1-3 --json "$out/$target-$name.json" | tee "$out/$target-$name.log"
  done
done
python3 bench/transfer_tables.py "$out"
