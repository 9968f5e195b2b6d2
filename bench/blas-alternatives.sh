#!/usr/bin/env bash
# 1024³ float32 matmul GFLOP/s of Debian's python3-torch on each libblas.so.3 alternative
# installed (generic, OpenBLAS, BLIS...), one thread, to pick the PyTorch peer's BLAS
# (docs/results/benchmarks.md). Needs python3-torch; install libopenblas0-pthread, libopenblas0-openmp,
# libblis4-pthread or libblis4-openmp to add alternatives.
# Usage: bench/blas-alternatives.sh [python with torch, default /usr/bin/python3]
set -euo pipefail
python=${1:-/usr/bin/python3}
probe='
import time, torch
torch.set_num_threads(1)
a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
for _ in range(3): a @ b
times = []
for _ in range(15):
    t = time.perf_counter(); a @ b; times.append(time.perf_counter() - t)
times.sort()
print(f"{2 * 1024**3 / times[len(times) // 2] / 1e9:.1f} GFLOP/s (median of 15)")
'
for lib in $(update-alternatives --list libblas.so.3-x86_64-linux-gnu); do
  dir=$(dirname "$lib")
  printf '%-20s ' "$(basename "$dir")"
  LD_LIBRARY_PATH=$dir OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 BLIS_NUM_THREADS=1 "$python" -c "$probe"
done
