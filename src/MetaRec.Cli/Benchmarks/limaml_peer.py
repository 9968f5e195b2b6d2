#!/usr/bin/env python3
"""PyTorch peer of `metarec bench --limaml`: the LiMAML refresh and scoring in plain PyTorch.

Same network as the limaml family (weights stored (in, out)): item side = item embedding and
the genre projection averaged over the item's genres; meta block = user-field embeddings and
the mean item embedding of the support items -> meta_fc1 (ReLU) -> meta_fc2 = meta embedding;
global block = [meta embedding | item features] -> fc1 (ReLU) -> fc2 (ReLU) -> out.

Refresh: first-order MAML on meta_fc1/meta_fc2 (plain SGD, torch.autograd.grad without
create_graph) on the mean BCE-with-logits support loss, then the meta block once; the embedding
is returned as a Python list. Scoring: the cached embedding (a list) and the global block over
the candidates, sigmoid, back to a list; full-catalogue top-10 scores every item and takes
torch.topk(10). Each timed call builds its input tensors from Python lists, as the TorchSharp
model builds them from managed arrays. Configurations are interleaved round by round.
Prints one JSON object on stdout.
"""

import argparse
import json
import platform
import random
import statistics
import time

import torch
import torch.nn.functional as F


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=120)
    parser.add_argument("--items", type=int, default=9742)
    parser.add_argument("--genres", type=int, default=20)
    parser.add_argument("--user-fields", default="7,2,21")
    parser.add_argument("--supports", default="10,50,100")
    parser.add_argument("--inner-steps", default="1,3,5")
    parser.add_argument("--inner-lr", type=float, default=0.5)
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--dim", type=int, default=32)
    parser.add_argument("--meta-hidden", type=int, default=64)
    parser.add_argument("--embedding-size", type=int, default=32)
    parser.add_argument("--hidden1", type=int, default=64)
    parser.add_argument("--hidden2", type=int, default=64)
    return parser.parse_args()


def summary(samples):
    ordered = sorted(samples)
    rank = max(0, -(-95 * len(ordered) // 100) - 1)
    return {"samples": len(ordered), "median_ms": statistics.median(ordered), "p95_ms": ordered[rank],
            "mean_ms": statistics.fmean(ordered), "min_ms": ordered[0]}


def linear(inputs, outputs):
    bound = 1.0 / inputs ** 0.5
    return (torch.empty(inputs, outputs).uniform_(-bound, bound), torch.empty(outputs).uniform_(-bound, bound))


class Network:
    def __init__(self, args, fields):
        g = torch.Generator().manual_seed(1)
        self.item_embedding = torch.randn(args.items, args.dim, generator=g) * 0.1
        self.projection = torch.randn(args.genres, args.dim, generator=g) * 0.1
        self.fields = [torch.randn(c, args.dim, generator=g) * 0.1 for c in fields]
        features = torch.zeros(args.items, args.genres)
        rnd = random.Random(7)
        for item in range(args.items):
            for _ in range(1 + rnd.randrange(3)):
                features[item, rnd.randrange(args.genres)] = 1.0
        self.item_features = features
        self.meta = [*linear(args.dim * (len(fields) + 1), args.meta_hidden), *linear(args.meta_hidden, args.embedding_size)]
        self.fc1 = linear(args.embedding_size + 2 * args.dim, args.hidden1)
        self.fc2 = linear(args.hidden1, args.hidden2)
        self.out = linear(args.hidden2, 1)

    def encode(self, items):
        features = self.item_features.index_select(0, items)
        genres = features @ self.projection / features.sum(-1, keepdim=True).clamp_min(1.0)
        return torch.cat([self.item_embedding.index_select(0, items), genres], -1)

    def user_input(self, fields, history):
        parts = [table[fields[f]] for f, table in enumerate(self.fields)]
        parts.append(self.item_embedding.index_select(0, history).mean(0))
        return torch.cat(parts, -1)

    @staticmethod
    def meta_block(user, w1, b1, w2, b2):
        return F.relu(user @ w1 + b1) @ w2 + b2

    def global_block(self, embedding, encoded):
        x = torch.cat([embedding.expand(encoded.shape[0], -1), encoded], -1)
        h = F.relu(x @ self.fc1[0] + self.fc1[1])
        h = F.relu(h @ self.fc2[0] + self.fc2[1])
        return (h @ self.out[0] + self.out[1]).squeeze(-1)

    def refresh(self, fields, items, labels, steps, lr):
        items_t = torch.tensor(items, dtype=torch.long)
        labels_t = torch.tensor(labels, dtype=torch.float32)
        fields_t = torch.tensor(fields, dtype=torch.long)
        user = self.user_input(fields_t, items_t)
        encoded = self.encode(items_t)
        fast = [w.detach().clone().requires_grad_() for w in self.meta]
        for _ in range(steps):
            logits = self.global_block(self.meta_block(user, *fast), encoded)
            loss = F.binary_cross_entropy_with_logits(logits, labels_t)
            grads = torch.autograd.grad(loss, fast)
            fast = [(w - lr * g).detach().requires_grad_() for w, g in zip(fast, grads)]
        with torch.no_grad():
            return self.meta_block(user, *fast).tolist()

    def score(self, embedding, items):
        with torch.inference_mode():
            return torch.sigmoid(self.global_block(torch.tensor(embedding), self.encode(torch.tensor(items, dtype=torch.long)))).tolist()

    def top(self, embedding, items, k):
        with torch.inference_mode():
            scores = torch.sigmoid(self.global_block(torch.tensor(embedding), self.encode(torch.tensor(items, dtype=torch.long))))
            return torch.topk(scores, k).indices.tolist()


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    fields = [int(c) for c in args.user_fields.split(",")]
    supports = [int(s) for s in args.supports.split(",")]
    steps_list = [int(s) for s in args.inner_steps.split(",")]
    net = Network(args, fields)
    rnd = random.Random(31)
    users = []
    for _ in range(64):
        users.append(([rnd.randrange(c) for c in fields],
                      [rnd.randrange(args.items) for _ in range(max(supports))],
                      [float(rnd.random() < 0.5) for _ in range(max(supports))]))
    candidates = [[rnd.randrange(args.items) for _ in range(args.candidates)] for _ in range(64)]
    catalogue = list(range(args.items))

    refresh = {(s, k): [] for k in steps_list for s in supports}
    score, top = [], []
    for round_ in range(args.warmup + args.repeats):
        timed = round_ >= args.warmup
        user_fields, items, labels = users[round_ % len(users)]
        embedding = None
        for k in steps_list:
            for s in supports:
                start = time.perf_counter()
                state = net.refresh(user_fields, items[:s], labels[:s], k, args.inner_lr)
                elapsed = (time.perf_counter() - start) * 1e3
                if timed:
                    refresh[(s, k)].append(elapsed)
                if s == 50 and k == 3 or embedding is None:
                    embedding = state
        start = time.perf_counter()
        scores = net.score(embedding, candidates[round_ % len(candidates)])
        elapsed = (time.perf_counter() - start) * 1e3
        assert len(scores) == args.candidates
        if timed:
            score.append(elapsed)
        start = time.perf_counter()
        best = net.top(embedding, catalogue, args.top)
        elapsed = (time.perf_counter() - start) * 1e3
        assert len(best) == args.top
        if timed:
            top.append(elapsed)

    print(json.dumps({
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "refresh": [{"support": s, "inner_steps": k, "refresh": summary(refresh[(s, k)])} for k in steps_list for s in supports],
        "score": summary(score),
        "catalogue_top": summary(top),
    }))


if __name__ == "__main__":
    main()
