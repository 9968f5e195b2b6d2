#!/usr/bin/env bash
# The redelivery storm at full size: 100,000 events (METAREC_STORM_EVENTS), 20% duplicated, in
# random order, through the Interactions function on the embedded default, against one in-order
# delivery; prints the figures. Usage: bench/redelivery-storm.sh [events]
set -euo pipefail
cd "$(dirname "$0")/.."
METAREC_STORM_EVENTS=${1:-100000} dotnet test tests/MetaRec.Functions.Tests -c Release \
  --filter "FullyQualifiedName~RedeliveryStorm" --logger "console;verbosity=detailed" | grep -E "events for|Total tests|Passed:|Failed:|\[FAIL\]"
