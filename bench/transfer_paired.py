#!/usr/bin/env python3
"""Paired NDCG@10 differences of `metarec transfer` runs: for every target in a folder of
{target}-full-seed{N}-*.json (or any *.json with one seed each), the per-seed differences of each
model to target-only and to pretrain-finetune, their mean and the paired t statistic.
Usage: python3 bench/transfer_paired.py docs/results/transfer/full"""
import glob
import json
import math
import os
import statistics
import sys

folder = sys.argv[1] if len(sys.argv) > 1 else "docs/results/transfer/full"
scores = {}  # target -> model -> seed -> ndcg@10
for path in sorted(glob.glob(os.path.join(folder, "*-seed*.json"))):
    document = json.load(open(path))
    target = os.path.basename(document["dataset"]) if "dataset" in document else os.path.basename(path).split("-")[0]
    for row in document["results"]:
        scores.setdefault(target, {}).setdefault(row["model"], {})[row["seed"]] = row["ndcg@10"]


def paired(a, b):
    seeds = sorted(set(a) & set(b))
    d = [a[s] - b[s] for s in seeds]
    if len(d) < 2:
        return f"{d[0]:+.4f} (1 seed)" if d else "-"
    sd = statistics.stdev(d)
    t = statistics.mean(d) / (sd / math.sqrt(len(d))) if sd > 0 else float("inf")
    return f"{statistics.mean(d):+.4f} ({', '.join(f'{x:+.4f}' for x in d)}; t {t:.2f}, {sum(x > 0 for x in d)}/{len(d)} seeds ahead)"


for target, models in scores.items():
    print(f"== {target}: seeds {sorted(models.get('target-only', {}))}")
    for model, by_seed in models.items():
        print(f"  {model:18s} mean NDCG@10 {statistics.mean(by_seed.values()):.4f}")
    for model in models:
        if model == "target-only":
            continue
        print(f"  {model:18s} - target-only       {paired(models[model], models['target-only'])}")
        if model != "pretrain-finetune" and "pretrain-finetune" in models:
            print(f"  {model:18s} - pretrain-finetune {paired(models[model], models['pretrain-finetune'])}")
