#!/usr/bin/env bash
# Training throughput of `metarec train` (family mpp, second-order MAML) on ml-100k: examples per
# second of training steps, median over epochs after the first, three runs per device.
#
#   bench/train-device.sh [datasets]           the CPU figure on this machine
#   bench/train-device.sh --bundle [datasets]  builds .gpu/ for the GPU machine: the .NET runtime,
#                                              the tool without its CPU libtorch, ml-100k and
#                                              run.sh (bench/gpu/run.sh); then on that machine
#                                              `bash .gpu/run.sh` trains on cpu and cuda and
#                                              leaves logs and figures in $OUT (../shared/gpu/README.md)
#
# .gpu/ is kept out of git (the script adds it to .git/info/exclude): ml-100k may not be committed.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=false
if [[ ${1:-} == --bundle ]]; then bundle=true; shift; fi
datasets=${1:-../shared/datasets}
[[ -f $datasets/ml-100k/u.data ]] || { echo "error: no ml-100k under $datasets" >&2; exit 2; }
dotnet build src/MetaRec.Cli -c Release -v quiet -nologo >/dev/null
build=src/MetaRec.Cli/bin/Release/net10.0

if ! $bundle; then
  out=$(mktemp -d)
  for run in 1 2 3; do
    dotnet "$build/metarec.dll" train --data "$datasets/ml-100k" --family mpp --epochs 5 --patience 5 \
      --device cpu --out "$out/ckpt-$run" | grep "examples/s"
  done
  rm -rf "$out"
  exit 0
fi

exclude=$(git rev-parse --git-path info/exclude)
mkdir -p "$(dirname "$exclude")"
grep -qx '/.gpu/' "$exclude" 2>/dev/null || echo /.gpu/ >> "$exclude"
rm -rf .gpu && mkdir -p .gpu
dotnet_dir=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime=$(dotnet --list-runtimes | awk '/Microsoft.NETCore.App 10\./ {print $2}' | tail -1)
(cd "$dotnet_dir" && tar cJf "$OLDPWD/.gpu/dotnet.tar.xz" dotnet host "shared/Microsoft.NETCore.App/$runtime")
# The same build as the tests use, without the CPU libtorch (the GPU machine brings its own);
# TorchSharp's libLibTorchSharp.so stays, in the build's copy (its GLIBCXX need made weak when
# this machine needed that, which loads on a newer libstdc++ as well).
dotnet publish src/MetaRec.Cli -c Release -v quiet -nologo -o .gpu/app >/dev/null
native=.gpu/app/runtimes/linux-x64/native
find .gpu/app/runtimes -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} +
find "$native" -type f ! -name libLibTorchSharp.so -delete
cp "$build/runtimes/linux-x64/native/libLibTorchSharp.so" "$native/"
rm -rf .gpu/app/datasets
cp -r "$datasets/ml-100k" .gpu/ml-100k
cp bench/gpu/run.sh .gpu/run.sh
du -sh .gpu
size=$(du -sm .gpu | cut -f1)
(( size < 64 )) || { echo "error: .gpu is ${size} MiB; the device tool carries 64 MiB at most" >&2; exit 1; }
