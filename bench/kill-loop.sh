#!/usr/bin/env bash
# The kill loop at full size: the standalone host killed with kill -9 at random moments,
# 20 times (METAREC_KILLS), under event load and during a training run, on Azurite; prints the
# figures (events accepted and lost, the run's promotion, start-up times).
# Usage: bench/kill-loop.sh [kills]
set -euo pipefail
cd "$(dirname "$0")/.."
METAREC_KILLS=${1:-20} dotnet test tests/MetaRec.Functions.Tests -c Release \
  --filter "FullyQualifiedName~KillLoop" --logger "console;verbosity=detailed" | grep -E "kill -9s|Total tests|Passed:|Failed:|\[FAIL\]"
