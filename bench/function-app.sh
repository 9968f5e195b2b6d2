#!/usr/bin/env bash
# Function-app figures on this machine: recommend throughput and latency (wrk), event-to-updated-
# recommendation latency and events per second through the standalone path, embedded (channel +
# folder) and with Azurite (Storage queue + Blob/Table). Personalized recommend load runs twice: with
# the per-user result cache (default) and with it off (ResultCacheCapacity=0). Prints medians and percentiles.
#
#   bench/function-app.sh [--duration 15] [--connections 16] [--skip-azurite]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
duration=15 connections=16 azurite=1
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --skip-azurite) azurite=0; shift ;;
    *) echo "error: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "error: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
work="$(mktemp -d)"; app_pid=""; app_url=""; azurite_pid=""
cleanup() { [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null; [ -n "$azurite_pid" ] && kill "$azurite_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

dotnet build "$root/src/MetaRec.Cli" -c Release -v q -nologo >/dev/null
dotnet build "$root/src/MetaRec.Functions" -c Release -v q -nologo >/dev/null
metarec="$root/src/MetaRec.Cli/bin/Release/net10.0/metarec"
app="$root/src/MetaRec.Functions/bin/Release/net10.0/MetaRec.Functions"

echo "== training a LiMAML model on ml-latest-small (9,742 items) =="
"$metarec" train --family limaml --epochs 3 --out "$work/ckpt" | tail -1

start_app() { # log name, then env assignments for the app; sets app_pid and app_url
  local name="$1"; shift
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  env "$@" MetaRec__Interactions__RefreshInterval=00:00:00 MetaRec__Limits__RequestsPerSecond=0 Logging__LogLevel__Default=Warning "$app" --urls "http://127.0.0.1:$port" >"$work/$name.log" 2>&1 &
  app_pid=$! app_url="http://127.0.0.1:$port"
}
stop_app() { kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=""; }

run_case() { # name, then env assignments for the app
  local name="$1"; shift
  # Result cache on (the default): events, then personalized (repeated reads) and cold recommend load.
  start_app "$name" "$@"
  python3 "$root/bench/function_app.py" --url "$app_url" --name "$name" --duration "$duration" --connections "$connections" --items "$work/ckpt/manifest.json"
  stop_app
  # The same stored users, the app restarted with the result cache off: every request scores the catalogue.
  start_app "$name-nocache" "$@" MetaRec__Scoring__ResultCacheCapacity=0
  python3 "$root/bench/function_app.py" --url "$app_url" --name "$name" --duration "$duration" --connections "$connections" --items "$work/ckpt/manifest.json" --result-cache off
  stop_app
}

echo "== embedded default: folder storage, in-process channel =="
"$metarec" models register --checkpoint "$work/ckpt" --version v1 --storage-folder "$work/store" >/dev/null
"$metarec" models promote limaml v1 --storage-folder "$work/store" >/dev/null
run_case embedded MetaRec__Storage__Folder="$work/store"

if [ "$azurite" = 1 ]; then
  echo "== Azurite: Blob registry and windows, Table states, Storage queue trigger =="
  exe="$root/tests/MetaRec.Testing/node_modules/.bin/azurite"
  [ -x "$exe" ] || (cd "$root/tests/MetaRec.Testing" && npm ci --silent >/dev/null)
  "$exe" --silent --skipApiVersionCheck --location "$work/azurite" --blobPort 20000 --queuePort 20001 --tablePort 20002 >/dev/null 2>&1 &
  azurite_pid=$!
  sleep 3
  cs="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:20000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:20001/devstoreaccount1;TableEndpoint=http://127.0.0.1:20002/devstoreaccount1;"
  "$metarec" models register --checkpoint "$work/ckpt" --version v1 --storage-connection-string "$cs" >/dev/null
  "$metarec" models promote limaml v1 --storage-connection-string "$cs" >/dev/null
  run_case azurite MetaRec__Storage__Backend=azure MetaRec__Storage__ConnectionString="$cs" MetaRec__Standalone__Trigger=queue MetaRec__Standalone__PollInterval=00:00:00.020
fi
