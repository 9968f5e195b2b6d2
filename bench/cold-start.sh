#!/usr/bin/env bash
# The cold-start results of docs/results/cold-start.md: every model under 5-fold cross-validation
# over users on ml-100k and ml-latest-small (one seed, paired comparisons on the same test users,
# the support-size curve), MPP's online stage under the arrival-order split, the tables and the plot.
# With "tune" first: the search of `metarec tune` on ml-100k (same budget per family, validation only).
# Usage: bench/cold-start.sh [datasets folder] [tune]
#   about 5 min per dataset for the evaluation on 2 cores; the search about 45 min.
set -euo pipefail
cd "$(dirname "$0")/.."
datasets=${1:-../shared/datasets}
out=docs/results
dotnet build src/MetaRec.Cli -c Release -v quiet -nologo >/dev/null
metarec() { dotnet src/MetaRec.Cli/bin/Release/net10.0/metarec.dll "$@"; }
if [ "${2:-}" = tune ]; then
  metarec tune --data "$datasets/ml-100k" --budget 8 --folds 5 --threads 1 --json "$out/cold-start/tune-ml-100k.json" | tee "$out/cold-start/tune-ml-100k.log"
fi
for d in ml-100k ml-latest-small; do
  metarec evaluate --data "$datasets/$d" --folds 5 --support-sizes 1,2,4,8,16,32 --threads 1 --json "$out/$d.json" | tee "$out/cold-start/$d.log"
  # Arrival order: train on the earliest 70% of users, test on the latest 20%; the online stage
  # serves them in arrival order, test then train. Seeds vary the models, not the split.
  metarec evaluate --data "$datasets/$d" --users-by-arrival --models mpp,mpp+online --seeds 1-5 --threads 1 --json "$out/cold-start/$d-arrival.json" | tee "$out/cold-start/$d-arrival.log"
done
python3 bench/cold_start_tables.py "$out/ml-100k.json" "$out/ml-latest-small.json" "$out/cold-start/ml-100k-arrival.json" "$out/cold-start/ml-latest-small-arrival.json"
dotnet run --project bench/MetaRec.Plots -c Release -- --metric gauc --out "$out/cold-start-support.png" "$out/ml-100k.json" "$out/ml-latest-small.json"
