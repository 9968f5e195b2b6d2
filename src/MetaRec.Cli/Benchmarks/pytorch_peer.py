#!/usr/bin/env python3
"""PyTorch peer of `metarec bench`: the same MAML meta-training step in plain PyTorch.

Same network as the MetaRec embedding-MLP families (item embedding, genre projection averaged
over an item's genres, one embedding per user field, concatenated -> fc1 -> ReLU -> fc2 ->
ReLU -> out + user bias, weights stored (in, out)), same shapes, same step, in two variants:

- batched: tasks of a batch are vectorised (adaptive weights get a leading task dimension,
  matmul on them is a bmm), the inner loop is SGD on the summed per-task support losses;
- looped: a Python loop over the tasks, each adapted on its own support set, the way most MAML
  code is written.

Both take the inner gradients through torch.autograd.grad(create_graph=not first_order) and an
Adam outer step on the mean query loss over every parameter. Each timed step also builds its
batch tensors from Python lists, as the TorchSharp step builds them from managed lists.

Configurations (and variants) are interleaved, one step of each per round. Prints one JSON
object on stdout: torch version, threads, the BLAS torch calls (library, version, threads,
environment), the 1024^3 matmul rate and, per configuration and variant, step time median /
p95 and tasks per second at both.
"""

import argparse
import ctypes
import json
import math
import os
import platform
import random
import re
import statistics
import subprocess
import time

import torch
import torch.nn.functional as F

# (family, inner steps, first order): the configurations `metarec bench` times.
CASES = [
    ("mpp", 1, False),
    ("mpp", 5, False),
    ("melu", 1, False),
    ("melu", 5, False),
    ("melu", 1, True),
    ("melu", 5, True),
]

# Adapted parameters and inner learning rate per family (the families' defaults).
FAMILIES = {
    "mpp": (["out_weight", "out_bias", "user_bias"], 0.5),
    "melu": (["fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias", "out_weight", "out_bias"], 0.1),
}

DISTINCT_BATCHES = 8

VARIANTS = ["batched", "looped"]

# Thread settings of the BLAS and OpenMP pools, recorded with the report.
THREAD_VARIABLES = ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--tasks", type=int, default=32)
    parser.add_argument("--support", type=int, default=50)
    parser.add_argument("--query", type=int, default=10)
    parser.add_argument("--embedding-dim", type=int, default=32)
    parser.add_argument("--hidden1", type=int, default=64)
    parser.add_argument("--hidden2", type=int, default=64)
    parser.add_argument("--items", type=int, default=3706)
    parser.add_argument("--genres", type=int, default=18)
    parser.add_argument("--user-fields", default="7,2,21")
    parser.add_argument("--outer-lr", type=float, default=1e-3)
    parser.add_argument("--variant", choices=VARIANTS + ["both"], default="both",
                        help="batched over tasks (bmm), looped over tasks, or both interleaved")
    args = parser.parse_args()
    if args.threads < 1 or args.repeats < 1 or args.warmup < 0:
        parser.error("--threads and --repeats must be >= 1, --warmup >= 0")
    args.user_fields = [int(c) for c in args.user_fields.split(",") if c]
    return args


def catalogue(items, genres, rng):
    """(items, genres) multi-hot genres, one to three per item."""
    features = torch.zeros(items, genres)
    for item in range(items):
        for _ in range(1 + rng.randrange(3)):
            features[item, rng.randrange(genres)] = 1.0
    return features


def users(count, features, cardinalities, support, query, rng):
    """Tasks as (fields, support [(item, label)], query [(item, label)]) from a hidden taste over genres."""
    items, genres = features.shape
    rows = features.tolist()
    tasks = []
    for _ in range(count):
        fields = [rng.randrange(c) for c in cardinalities]
        taste = [rng.random() * 2 - 1 for _ in range(genres)]

        def draw():
            item = rng.randrange(items)
            score = sum(f * t for f, t in zip(rows[item], taste))
            return item, 1.0 if score + (rng.random() - 0.5) * 0.5 > 0 else 0.0

        tasks.append((fields, [draw() for _ in range(support)], [draw() for _ in range(query)]))
    return tasks


def padded(batch, which):
    """(tasks, length) items, labels, mask and (tasks, fields) user fields for support (1) or query (2)."""
    length = max(1, max(len(task[which]) for task in batch))
    items, labels, mask = [], [], []
    for task in batch:
        examples = task[which]
        pad = length - len(examples)
        items.append([i for i, _ in examples] + [0] * pad)
        labels.append([y for _, y in examples] + [0.0] * pad)
        mask.append([1.0] * len(examples) + [0.0] * pad)
    return (
        torch.tensor(items, dtype=torch.long),
        torch.tensor(labels, dtype=torch.float32),
        torch.tensor(mask, dtype=torch.float32),
        torch.tensor([task[0] for task in batch], dtype=torch.long),
    )


def parameters(args, genres):
    """Every parameter by its MetaRec name, initialised as EmbeddingMlp does."""
    def linear(name, inputs, outputs):
        bound = 1.0 / math.sqrt(inputs)
        params[name + "_weight"] = (torch.rand(inputs, outputs) * 2 - 1) * bound
        params[name + "_bias"] = (torch.rand(outputs) * 2 - 1) * bound

    dim = args.embedding_dim
    params = {
        "item_embedding": torch.randn(args.items, dim) * 0.1,
        "item_feature_projection": torch.randn(genres, dim) * 0.1,
    }
    for f, cardinality in enumerate(args.user_fields):
        params[f"user_field_{f}"] = torch.randn(cardinality, dim) * 0.1
    inputs = dim * (2 + len(args.user_fields))
    linear("fc1", inputs, args.hidden1)
    linear("fc2", args.hidden1, args.hidden2)
    linear("out", args.hidden2, 1)
    params["user_bias"] = torch.zeros(1)
    return {name: p.contiguous().requires_grad_() for name, p in params.items()}


def encode(weights, features, items, fields, field_count):
    """(tasks, length) -> (tasks, length, dim * (2 + fields))."""
    tasks, length = items.shape
    flat = items.reshape(-1)
    parts = [weights["item_embedding"].index_select(0, flat).view(tasks, length, -1)]
    genres = features.index_select(0, flat).view(tasks, length, -1)
    parts.append(torch.matmul(genres, weights["item_feature_projection"]) / genres.sum(-1, keepdim=True).clamp_min(1))
    for f in range(field_count):
        field = weights[f"user_field_{f}"].index_select(0, fields.select(1, f))
        parts.append(field.unsqueeze(1).expand(tasks, length, -1))
    return torch.cat(parts, -1)


def linear(x, weight, bias):
    """x (tasks, length, in) @ W (in, out) or (tasks, in, out) + b (out) or (tasks, out)."""
    return torch.matmul(x, weight) + (bias.unsqueeze(1) if bias.dim() == 2 else bias)


def decode(encoded, weights):
    """(tasks, length, features) -> (tasks, length) logits."""
    h = F.relu(linear(encoded, weights["fc1_weight"], weights["fc1_bias"]))
    h = F.relu(linear(h, weights["fc2_weight"], weights["fc2_bias"]))
    logits = linear(h, weights["out_weight"], weights["out_bias"]).squeeze(-1)
    bias = weights["user_bias"]
    return logits + (bias if bias.dim() == 2 else bias.unsqueeze(0))


def task_losses(logits, labels, mask):
    """Masked mean BCE per task: (tasks, length) -> (tasks)."""
    per_example = F.binary_cross_entropy_with_logits(logits, labels, reduction="none")
    return (per_example * mask).sum(1) / mask.sum(1).clamp_min(1)


def batched_step(params, optimizer, features, field_count, batch, adaptive, inner_steps, inner_lr, first_order):
    """One outer step: adapt every task on its support set, Adam on the mean query loss."""
    s_items, s_labels, s_mask, s_fields = padded(batch, 1)
    q_items, q_labels, q_mask, q_fields = padded(batch, 2)
    tasks = len(batch)
    fast = dict(params)
    for name in adaptive:
        fast[name] = params[name].unsqueeze(0).expand(tasks, *params[name].shape)
    encoded = encode(fast, features, s_items, s_fields, field_count)
    for _ in range(inner_steps):
        loss = task_losses(decode(encoded, fast), s_labels, s_mask).sum()
        inputs = [fast[name] for name in adaptive]
        grads = torch.autograd.grad(loss, inputs, retain_graph=True, create_graph=not first_order)
        for name, weight, grad in zip(adaptive, inputs, grads):
            fast[name] = weight - inner_lr * (grad if not first_order else grad.detach())
    query_loss = task_losses(decode(encode(fast, features, q_items, q_fields, field_count), fast), q_labels, q_mask).mean()
    optimizer.zero_grad()
    query_loss.backward()
    optimizer.step()
    return query_loss.item()


def looped_step(params, optimizer, features, field_count, batch, adaptive, inner_steps, inner_lr, first_order):
    """One outer step, one task at a time: adapt each task's own copy of the adaptive weights on
    its support set, sum the query losses, Adam on their mean."""
    total = 0
    for task in batch:
        s_items, s_labels, s_mask, s_fields = padded([task], 1)
        q_items, q_labels, q_mask, q_fields = padded([task], 2)
        fast = dict(params)
        encoded = encode(fast, features, s_items, s_fields, field_count)
        for _ in range(inner_steps):
            loss = task_losses(decode(encoded, fast), s_labels, s_mask).sum()
            inputs = [fast[name] for name in adaptive]
            grads = torch.autograd.grad(loss, inputs, retain_graph=True, create_graph=not first_order)
            for name, weight, grad in zip(adaptive, inputs, grads):
                fast[name] = weight - inner_lr * (grad if not first_order else grad.detach())
        total = total + task_losses(decode(encode(fast, features, q_items, q_fields, field_count), fast), q_labels, q_mask).sum()
    query_loss = total / len(batch)
    optimizer.zero_grad()
    query_loss.backward()
    optimizer.step()
    return query_loss.item()


STEPS = {"batched": batched_step, "looped": looped_step}


def matmul_probe(size, repeats):
    """Median milliseconds of a size^3 float32 matmul (2 warm-up runs)."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    samples = []
    with torch.no_grad():
        for i in range(2 + repeats):
            start = time.perf_counter()
            torch.mm(a, b)
            if i >= 2:
                samples.append((time.perf_counter() - start) * 1e3)
    return statistics.median(samples)


def blas_report():
    """The BLAS this process has loaded (call after a matmul): the file behind libblas.so.3, its
    Debian package and version, the library's own configuration and thread count, torch's
    build-time BLAS_INFO and the thread variables."""
    with open("/proc/self/maps", encoding="utf-8") as maps:
        mapped = sorted({line.split()[-1] for line in maps
                         if line.rstrip().endswith(".so") or ".so." in line.split()[-1]})
    loaded = [path for path in mapped if any(k in os.path.basename(path) for k in ("blas", "blis", "mkl"))]
    library = next((path for path in loaded if os.path.basename(path).startswith("libblas.so")), None)
    config = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    report = {
        "library": library,
        "real_path": os.path.realpath(library) if library else None,
        "package": None,
        "version": None,
        "threads": None,
        "loaded": loaded,
        "torch_blas_info": config.group(1) if config else None,
        "environment": {name: os.environ[name] for name in THREAD_VARIABLES if name in os.environ},
    }
    if library:
        report["package"] = debian_package(library)
        handle = ctypes.CDLL(library)
        # OpenBLAS and BLIS say what they are; the reference BLAS has no such call.
        if hasattr(handle, "openblas_get_config"):
            handle.openblas_get_config.restype = ctypes.c_char_p
            report["version"] = handle.openblas_get_config().decode()
            report["threads"] = handle.openblas_get_num_threads()
        elif hasattr(handle, "bli_info_get_version_str"):
            handle.bli_info_get_version_str.restype = ctypes.c_char_p
            report["version"] = "BLIS " + handle.bli_info_get_version_str().decode()
            report["threads"] = handle.bli_thread_get_num_threads()
    return report


def debian_package(path):
    """'package version' of the Debian package that owns path (or its target), else None."""
    for candidate in (path, os.path.realpath(path)):
        try:
            owner = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True, check=True)
            package = owner.stdout.split(":")[0].strip()
            version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                                     capture_output=True, text=True, check=True).stdout.strip()
            return f"{package} {version}"
        except (OSError, subprocess.CalledProcessError):
            continue
    return None


def percentile95(samples):
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    rng = random.Random(7)
    torch.manual_seed(1)
    features = catalogue(args.items, args.genres, rng)
    tasks = users(DISTINCT_BATCHES * args.tasks, features, args.user_fields, args.support, args.query, rng)
    batches = [tasks[i:i + args.tasks] for i in range(0, len(tasks), args.tasks)]
    variants = VARIANTS if args.variant == "both" else [args.variant]
    # Configurations are interleaved (one step of each per round), as in `metarec bench`.
    runs = []
    for family, inner_steps, first_order in CASES:
        adaptive, inner_lr = FAMILIES[family]
        for variant in variants:
            torch.manual_seed(1)
            params = parameters(args, args.genres)
            runs.append((variant, family, inner_steps, first_order, adaptive, inner_lr, params,
                         torch.optim.Adam(params.values(), lr=args.outer_lr), []))
    for i in range(args.warmup + args.repeats):
        batch = batches[i % len(batches)]
        for variant, family, inner_steps, first_order, adaptive, inner_lr, params, optimizer, samples in runs:
            start = time.perf_counter()
            loss = STEPS[variant](params, optimizer, features, len(args.user_fields), batch,
                                  adaptive, inner_steps, inner_lr, first_order)
            elapsed = (time.perf_counter() - start) * 1e3
            if not math.isfinite(loss):
                raise RuntimeError(f"{family} ({variant}) diverged (loss {loss})")
            if i >= args.warmup:
                samples.append(elapsed)
    results = []
    for variant, family, inner_steps, first_order, _, _, _, _, samples in runs:
        median, p95 = statistics.median(samples), percentile95(samples)
        results.append({
            "variant": variant,
            "family": family,
            "inner_steps": inner_steps,
            "first_order": first_order,
            "tasks_per_step": args.tasks,
            "step_ms_median": median,
            "step_ms_p95": p95,
            "tasks_per_second_median": args.tasks * 1e3 / median,
            "tasks_per_second_p95": args.tasks * 1e3 / p95,
        })
    matmul_ms = matmul_probe(1024, max(3, args.repeats // 2))
    print(json.dumps({
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "blas": blas_report(),
        "matmul_gflops": 2 * 1024 ** 3 / (matmul_ms * 1e6),
        "results": results,
    }))


if __name__ == "__main__":
    main()
