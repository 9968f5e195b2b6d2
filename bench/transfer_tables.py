#!/usr/bin/env python3
"""Tables for docs/results/transfer.md from the JSON that `metarec transfer --json` writes.

Usage: bench/transfer_tables.py [folder]   (default docs/results/transfer)

Per file (one target, one regime): mean ± sample std over seeds per model and metric; the
paired NDCG@10 difference of every model to target-only and to pretrain-finetune, with its
95% t-interval over seeds (df = seeds - 1) and the seeds it wins; a difference is "beyond seed
noise" when that interval excludes zero. Then the cost: seconds per seed and ms per step of
each training stage (medians over seeds).
"""
import json
import math
import statistics
import sys
from pathlib import Path

METRICS = ["hr@5", "hr@10", "hr@20", "ndcg@5", "ndcg@10", "ndcg@20", "mrr"]
# Two-sided 95% Student t quantiles by degrees of freedom.
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}


def mean_std(values):
    if len(values) < 2:
        return f"{values[0]:.4f}"
    return f"{statistics.mean(values):.4f} ± {statistics.stdev(values):.4f}"


def paired(rows, model, baseline):
    """(mean, half-width of the 95% t-interval, wins, n) of model - baseline NDCG@10 by seed."""
    by_seed = {r["seed"]: r["ndcg@10"] for r in rows if r["model"] == baseline}
    diffs = [r["ndcg@10"] - by_seed[r["seed"]] for r in rows if r["model"] == model and r["seed"] in by_seed]
    if len(diffs) < 2:
        return None
    half = T95.get(len(diffs) - 1, 1.96) * statistics.stdev(diffs) / math.sqrt(len(diffs))
    return statistics.mean(diffs), half, sum(d > 0 for d in diffs), len(diffs)


def verdict(p):
    if p is None:
        return "-"
    mean, half, wins, n = p
    beyond = "**yes**" if mean - half > 0 else ("**worse**" if mean + half < 0 else "no")
    return f"{mean:+.4f} ± {half:.4f} ({wins}/{n}) {beyond}"


def table(document):
    rows = document["results"]
    models = list(dict.fromkeys(r["model"] for r in rows))
    out = []
    out.append("| model | seeds | " + " | ".join(m.upper() for m in METRICS) + " |")
    out.append("|---" * (len(METRICS) + 2) + "|")
    for model in models:
        mine = [r for r in rows if r["model"] == model]
        out.append(f"| {model} | {len(mine)} | " + " | ".join(mean_std([r[m] for r in mine]) for m in METRICS) + " |")
    out.append("")
    out.append("Paired NDCG@10 difference, mean ± 95% t half-width over seeds (seeds won), beyond seed noise:")
    out.append("")
    out.append("| model | vs target-only | vs pretrain-finetune |")
    out.append("|---|---|---|")
    for model in models:
        if model == "target-only":
            continue
        vs_pre = "-" if model == "pretrain-finetune" else verdict(paired(rows, model, "pretrain-finetune"))
        out.append(f"| {model} | {verdict(paired(rows, model, 'target-only'))} | {vs_pre} |")
    out.append("")
    out.append("Cost, medians over seeds (2 cores, one libtorch thread): seconds per seed (training and the full-ranking test); per stage, steps and ms per step (validations included):")
    out.append("")
    out.append("| model | s/seed | stages |")
    out.append("|---|---|---|")
    for model in models:
        mine = [r for r in rows if r["model"] == model]
        stages = {}
        for r in mine:
            for s in r.get("stages", []):
                stages.setdefault(s["stage"], []).append(s)
        text = ", ".join(
            f"{name} {statistics.median(s['steps'] for s in runs):.0f} steps × {statistics.median(1000 * s['seconds'] / max(s['steps'], 1) for s in runs):.0f} ms"
            for name, runs in stages.items()) or "not recorded"
        out.append(f"| {model} | {statistics.median(r['seconds'] for r in mine):.0f} | {text} |")
    return "\n".join(out)


def main():
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/results/transfer")
    files = sorted(folder.glob("*.json"))
    if not files:
        sys.exit(f"no transfer JSON in {folder}")
    summary = []
    for path in files:
        document = json.loads(path.read_text())
        regime = "full target data" if document["targetFraction"] >= 1 else f"{document['targetFraction']:.0%} of target training users"
        print(f"### {' + '.join(document['sources'])} → {document['dataset']}, {regime}")
        print()
        print(f"`{path.name}`; settings: {', '.join(document['settings']) or 'defaults'}")
        print()
        print(table(document))
        print()
        rows = document["results"]
        if any(r["model"] == "metarec-vq" for r in rows):
            summary.append((f"{' + '.join(document['sources'])} → {document['dataset']}", regime,
                            verdict(paired(rows, "metarec-vq", "target-only")), verdict(paired(rows, "metarec-vq", "pretrain-finetune"))))
    if summary:
        print("### Summary: metarec-vq's paired NDCG@10 difference")
        print()
        print("| pair | regime | vs target-only | vs pretrain-finetune |")
        print("|---|---|---|---|")
        for pair, regime, a, b in summary:
            print(f"| {pair} | {regime} | {a} | {b} |")
        print()


if __name__ == "__main__":
    main()
