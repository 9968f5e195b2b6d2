#!/usr/bin/env bash
# MetaRec VQ's leave-one-domain-out protocol on the three Amazon domains: for each target, the
# other two are the sources; each pair at the limited-target regime (10% of the target's
# training users) and at full target data; all six models, seeds 1-3, paired. Writes
# docs/results/transfer/{target}-{10|full}.json and .log, then the tables of
# docs/results/transfer.md (bench/transfer_tables.py).
# With regime "choices": the settings MetaRec VQ leaves open, measured on Beauty at 10%: the
# similarity sign (raw beside the default aligned, seeds 1-3), second order beside first (seed
# 1), and a full softmax beside sampled negatives for the backbone (seed 1, one after the other).
# Usage: bench/transfer.sh [datasets folder] [regime: 10|full|all|choices] [targets...]
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
mkdir -p "$out" "$out/choices"
dotnet build src/MetaRec.Cli -c Release -v quiet -nologo >/dev/null
metarec() { dotnet src/MetaRec.Cli/bin/Release/net10.0/metarec.dll "$@"; }
if [ "$regime" = choices ]; then
  a="$datasets/amazon"
  common=(--sources "$a/Sports_and_Outdoors.txt,$a/Toys_and_Games.txt" --target "$a/Beauty.txt" --target-fraction 0.1)
  metarec transfer "${common[@]}" --models metarec-vq --seeds 1-3 --set metarec-vq.similarity=raw --json "$out/choices/Beauty-10-raw.json" | tee "$out/choices/Beauty-10-raw.log"
  metarec transfer "${common[@]}" --models metarec-vq --seeds 1 --set metarec-vq.first_order=false --json "$out/choices/Beauty-10-second-order.json" | tee "$out/choices/Beauty-10-second-order.log"
  metarec transfer "${common[@]}" --models target-only --seeds 1 --json "$out/choices/Beauty-10-sampled.json" | tee "$out/choices/Beauty-10-sampled.log"
  metarec transfer "${common[@]}" --models target-only --seeds 1 --set target-only.loss=softmax --json "$out/choices/Beauty-10-softmax.json" | tee "$out/choices/Beauty-10-softmax.log"
  python3 bench/transfer_tables.py "$out/choices"
  exit 0
fi
for target in "${targets[@]}"; do
  sources=$(printf '%s\n' "${all[@]}" | grep -vx "$target" | sed "s|^|$datasets/amazon/|; s|$|.txt|" | paste -sd,)
  for fraction in 0.1 1; do
    name=$([ "$fraction" = 1 ] && echo full || echo 10)
    if [ "$regime" != all ] && [ "$regime" != "$name" ]; then continue; fi
    # At full target data validation flattens for longer than the limited regime's patience of 8
    # checks (docs/results/transfer.md, "Full target data"): validate every 200 steps, patience 10.
    settings=()
    [ "$name" = full ] && settings=(--set validate_every=200 --set patience=10)
    echo "== $target ($name) from $sources"
    metarec transfer --sources "$sources" --target "$datasets/amazon/$target.txt" --target-fraction $fraction \
      --seeds 1-3 "${settings[@]}" --json "$out/$target-$name.json" | tee "$out/$target-$name.log"
  done
done
python3 bench/transfer_tables.py "$out"
