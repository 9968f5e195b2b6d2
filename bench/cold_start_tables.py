#!/usr/bin/env python3
"""Tables for docs/results/cold-start.md from the JSON that `metarec evaluate --json` and
`metarec tune --json` write.

Usage: bench/cold_start_tables.py evaluate.json [...]     one section per dataset
       bench/cold_start_tables.py --tune tune.json [...]  the search and its outcome

Evaluate: mean ± sample std over runs (folds x seeds) per model; then the paired comparisons
the CLI computed on the same test users (mean, 95% bootstrap interval, win rate or splits
won); a difference is marked "yes" when its interval excludes zero. Then the support-size
curve (mean over runs of GAUC with each test user's support cut to its latest n interactions).
"""
import json
import statistics
import sys

COLUMNS = [("auc", "AUC"), ("gauc", "GAUC"), ("logloss", "log loss"), ("ndcg@3", "NDCG@3"), ("ndcg@5", "NDCG@5"),
           ("catalogue-hr@10", "catalogue HR@10"), ("catalogue-ndcg@10", "catalogue NDCG@10")]


def mean_std(values):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    if len(values) < 2:
        return f"{values[0]:.4f}"
    return f"{statistics.mean(values):.4f} ± {statistics.stdev(values):.4f}"


def signed(v):
    return "-" if v is None else f"{round(v, 4) + 0.0:+.4f}"


def evaluate(path):
    d = json.load(open(path))
    rows = d["results"]
    models = list(dict.fromkeys(r["model"] for r in rows))
    runs = len([r for r in rows if r["model"] == models[0]])
    split = f"{d['folds']} folds" if d.get("folds") else "one split"
    print(f"### {d['dataset']}: {split}, {runs} runs per model, "
          f"{sum(r['testUsers'] for r in rows if r['model'] == models[0])} user tests in all (each qualifying user once per seed with folds)\n")
    print("| model | " + " | ".join(c[1] for c in COLUMNS) + " | floats stored per user | seconds per run |")
    print("|---|" + "---|" * (len(COLUMNS) + 2))
    for m in models:
        mine = [r for r in rows if r["model"] == m]
        cells = [mean_std([r[k] for r in mine]) for k, _ in COLUMNS]
        print(f"| {m} | " + " | ".join(cells) + f" | {mine[0]['adaptiveParametersPerUser']:,} | {statistics.median(r['seconds'] for r in mine):.0f} |")
    print()
    print("Paired differences A − B on the same test users (AUC: per split, splits won; others: per user, "
          "pooled over folds, share of users won with ties as half); **bold** when the 95% bootstrap interval excludes zero.\n")
    metrics = list(dict.fromkeys(c["metric"] for c in d["comparisons"]))
    print("| A − B | " + " | ".join(metrics) + " |")
    print("|---|" + "---|" * len(metrics))
    pairs = list(dict.fromkeys((c["a"], c["b"]) for c in d["comparisons"]))
    for a, b in pairs:
        cells = []
        for m in metrics:
            c = next(x for x in d["comparisons"] if x["a"] == a and x["b"] == b and x["metric"] == m)
            if c["difference"] is None:
                cells.append("-")
                continue
            n = c["wins"] + c["losses"] + c["ties"]
            won = f"{c['wins']}/{n}" if c["unit"] == "groups" else f"{(c['wins'] + 0.5 * c['ties']) / n:.0%}"
            text = f"{signed(c['difference'])} [{signed(c['low'])}, {signed(c['high'])}] {won}"
            excludes = c["low"] is not None and (c["low"] > 0 or c["high"] < 0)
            cells.append(f"**{text}**" if excludes else text)
        print(f"| {a} − {b} | " + " | ".join(cells) + " |")
    print()
    sizes = sorted({p["size"] for r in rows for p in r.get("bySupportSize", [])})
    if sizes:
        print("GAUC with each test user's support cut to its latest n interactions (mean over runs):\n")
        print("| model | " + " | ".join(f"n = {s}" for s in sizes) + " |")
        print("|---|" + "---|" * len(sizes))
        for m in models:
            mine = [r for r in rows if r["model"] == m and r.get("bySupportSize")]
            if not mine:
                continue
            cells = []
            for s in sizes:
                vals = [p["gauc"] for r in mine for p in r["bySupportSize"] if p["size"] == s and p["gauc"] is not None]
                cells.append(f"{statistics.mean(vals):.4f}" if vals else "-")
            print(f"| {m} | " + " | ".join(cells) + " |")
        print()


def tune(path):
    d = json.load(open(path))
    print(f"### Search on {d['dataset']}: {d['budget']} configurations per family, {d['folds']} folds, "
          f"seed {d['seed']}, scored by validation {d['selection']}\n")
    for f in d["families"]:
        print(f"**{f['family']}**, selected: `{f['selected']}`\n")
        print("| settings | validation (mean over folds) |")
        print("|---|---|")
        for t in sorted(f["trials"], key=lambda t: -(t["validationMean"] or -1)):
            s = " ".join(f"{k}={v}" for k, v in t["settings"].items()) or "defaults"
            print(f"| `{s}` | {t['validationMean']:.4f} |")
        test = f["test"]
        diff = test["selectedMinusDefaults"]
        print(f"\nTest, defaults → selected: AUC {test['defaults']['auc']:.4f} → {test['selected']['auc']:.4f} "
              f"({signed(diff['auc']['difference'])} [{signed(diff['auc']['low'])}, {signed(diff['auc']['high'])}]), "
              f"GAUC {test['defaults']['gauc']:.4f} → {test['selected']['gauc']:.4f} "
              f"({signed(diff['gauc']['difference'])} [{signed(diff['gauc']['low'])}, {signed(diff['gauc']['high'])}]).\n")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--tune":
        for p in args[1:]:
            tune(p)
    else:
        for p in args:
            evaluate(p)
