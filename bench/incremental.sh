#!/usr/bin/env bash
# ASMG's incremental protocol on ml-100k and ml-latest-small, 3 seeds, and the generator's cost
# as the base model grows. Writes JSON beside docs/results/incremental.md; prints the tables.
# Usage: bench/incremental.sh [datasets folder]   (default ../shared/datasets)
set -euo pipefail
cd "$(dirname "$0")/.."
datasets=${1:-../shared/datasets}
out=docs/results/incremental
mkdir -p "$out"
dotnet build src/MetaRec.Cli -c Release -v quiet -nologo >/dev/null
metarec() { dotnet src/MetaRec.Cli/bin/Release/net10.0/metarec.dll "$@"; }
for data in ml-100k ml-latest-small; do
  metarec incremental --data "$datasets/$data" --seeds 1-3 --set asmg.lr=0.01 --json "$out/$data.json"
done
# The paper's MovieLens base learning rate (1e-3) on ml-100k.
metarec incremental --data "$datasets/ml-100k" --seeds 1-3 --set asmg.lr=0.001 --json "$out/ml-100k-lr0.001.json"
# Cost as the base model grows (embedding size), GRU multi only, one seed.
for dim in 8 16 32; do
  metarec incremental --data "$datasets/ml-100k" --seeds 1 --methods gru-multi --set asmg.lr=0.01 --set asmg.dim=$dim --json "$out/cost-dim$dim.json"
done
