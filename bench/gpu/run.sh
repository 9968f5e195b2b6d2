#!/usr/bin/env bash
# On the GPU machine, from the repository root: bash .gpu/run.sh (built by
# bench/train-device.sh --bundle). Trains mpp on ml-100k three times per device against the
# machine's PyTorch libtorch and leaves logs, nvidia-smi and figures.txt in $OUT.
# LIBTORCH (default: python3's torch/lib) and DEVICES (default: "cpu cuda") override.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here/out}
mkdir -p "$out"
dn=$(mktemp -d) && tar xJf "$here/dotnet.tar.xz" -C "$dn"
TL=${LIBTORCH:-$(python3 -c "import torch,os;print(os.path.dirname(torch.__file__)+'/lib')")}
export LD_LIBRARY_PATH=$TL:${LD_LIBRARY_PATH:-} DOTNET_ROOT=$dn
{ nvidia-smi; python3 -c "import torch;print('torch', torch.__version__, 'cuda', torch.version.cuda)"; } > "$out/machine.txt" 2>&1
for device in ${DEVICES:-cpu cuda}; do
  for run in 1 2 3; do
    "$dn/dotnet" "$here/app/metarec.dll" train --data "$here/ml-100k" --family mpp --epochs 5 --patience 5 \
      --device "$device" --libtorch "$TL" --out "$out/ckpt-$device-$run" > "$out/train-$device-$run.log" 2>&1
    echo "$device run $run: exit $?" >> "$out/figures.txt"
    grep -h "^libtorch \|examples/s\|^wrote\|^error" "$out/train-$device-$run.log" >> "$out/figures.txt"
  done
  rm -rf "$out"/ckpt-"$device"-*/model.bin
done
cat "$out/figures.txt"
