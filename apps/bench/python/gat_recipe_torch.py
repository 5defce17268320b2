"""The GAT recipe of `recipeFor('gat', dataset)` written again in plain PyTorch, to measure what the
recipe itself reaches on Cora and CiteSeer with another implementation and another random stream.

Why: tensorloom's GAT is checked layer by layer against PyTorch (test/pytorch-parity.test.ts), but a
10- or 100-seed mean of test accuracy can still differ from the paper's figure for reasons outside
any one layer (the training loop, the selection rule, the random stream). This script is the
recipe's second, independent implementation: if its mean over many seeds matches tensorloom's, the
gap to the paper is the recipe's and not tensorloom's.

The model is the GAT authors' (PetarV-/GAT, utils/layers.py `attn_head`, models/gat.py), written as
tensorloom's `GATConv` with `dropoutPlacement: 'per-head'` and `attentionBias: true`:
- per head: dropout(x) -> Θ_h x (no bias); scores a_srcᵀΘx_j + b_src + a_dstᵀΘx_i + b_dst,
  LeakyReLU(0.2), softmax over each node's in-neighbours and itself; dropout on the coefficients
  and on Θx (the weighed features); sum; a bias per output channel;
- 8 heads × 8 channels, concatenated, ELU; then 1 head (8 averaged on PubMed) with the classes;
- initial weights as PyG's `glorot` (uniform ±sqrt(6 / (rows + cols)) of the last two axes), score
  biases and biases zero; features row-normalised and used as a sparse matrix (the same draws in
  law as a dense dropout: a dropped zero is still zero);
- Adam (lr 0.005, L2 5e-4 on every parameter through the gradient, as the authors' l2_loss);
- up to 1000 epochs, patience 100, the validation accuracy and loss measured without dropout after
  each step, and the selection rule of tensorloom's `ModelSelector`: 'accuracy-and-loss' (the
  authors' rule) except on CiteSeer, 'latest-accuracy'.

Usage (from the repository root; a python with torch, e.g. Debian's python3-torch; reads ../shared/data
or $TENSORLOOM_DATA):
  /usr/bin/python3 apps/bench/python/gat_recipe_torch.py citeseer 0..99 [--threads 1] [--csv FILE]
Prints one line per seed (test accuracy, validation accuracy of the kept weights, epochs, the kept
epoch) and the mean ± sample std.
"""
import argparse
import math
import sys
import time

from bench_torch import DatasetMissing, attend, load_planetoid  # this folder


def parse_seeds(text):
    if ".." in text:
        lo, hi = text.split("..")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def load(torch, name):
    """The Planetoid folder as apps/bench reads it (bench_torch.load_planetoid: row-normalised
    features as a sparse COO tensor, both directions of every edge), plus one self-loop per node."""
    try:
        data = load_planetoid(torch, name, sparse=True)
    except DatasetMissing as error:
        sys.exit("gat_recipe_torch: %s" % error)
    # Every edge and one self-loop per node, sorted by (source, target).
    pairs = sorted(set(map(tuple, data["edge_index"].t().tolist())) | {(i, i) for i in range(data["num_nodes"])})
    data["src"], data["dst"] = torch.tensor(pairs, dtype=torch.int64).t()
    data["n"], data["num_features"] = data["num_nodes"], data["x"].shape[1]
    return data


def build(torch, data, heads, hidden, out_heads, p):
    nn, F = torch.nn, torch.nn.functional
    n, src, dst = data["n"], data["src"], data["dst"]

    def glorot(*shape):
        bound = math.sqrt(6.0 / (shape[-2] + shape[-1]))
        return nn.Parameter(torch.empty(*shape).uniform_(-bound, bound))

    class Head(nn.Module):
        """A GATConv with the authors' per-head dropouts and score biases."""

        def __init__(self, fan_in, channels, heads, concat, sparse_input):
            super().__init__()
            self.heads, self.channels, self.concat, self.sparse_input = heads, channels, concat, sparse_input
            self.weight = glorot(heads * channels, fan_in)
            self.att_src, self.att_dst = glorot(1, heads, channels), glorot(1, heads, channels)
            self.att_src_bias, self.att_dst_bias = nn.Parameter(torch.zeros(heads)), nn.Parameter(torch.zeros(heads))
            self.bias = nn.Parameter(torch.zeros(heads * channels if concat else channels))

        def project(self, x):
            c = self.channels
            if not self.training:
                return torch.sparse.mm(x, self.weight.t()) if self.sparse_input else x @ self.weight.t()
            parts = []
            for h in range(self.heads):
                w = self.weight[h * c:(h + 1) * c]
                if self.sparse_input:
                    dropped = torch.sparse_coo_tensor(x.indices(), F.dropout(x.values(), p, True), x.shape)
                    parts.append(torch.sparse.mm(dropped, w.t()))
                else:
                    parts.append(F.dropout(x, p, True) @ w.t())
            return torch.cat(parts, dim=1)

        def forward(self, x):
            h = self.project(x).view(n, self.heads, self.channels)
            score_src = (h * self.att_src).sum(-1) + self.att_src_bias
            score_dst = (h * self.att_dst).sum(-1) + self.att_dst_bias
            out = attend(torch, src, dst, h, score_src, score_dst, p, self.training, feature_dropout=p)
            out = out.reshape(n, -1) if self.concat else out.mean(1)
            return out + self.bias

    class GAT(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = Head(data["num_features"], hidden, heads, True, True)
            self.conv2 = Head(hidden * heads, data["num_classes"], out_heads, False, False)

        def forward(self, x):
            return self.conv2(F.elu(self.conv1(x)))

    return GAT()


class Selector:
    """tensorloom's ModelSelector, for the two criteria the GAT recipe uses."""

    def __init__(self, criterion):
        self.criterion, self.best_acc, self.best_loss = criterion, -math.inf, math.inf

    def offer(self, acc, loss):
        if self.criterion == "latest-accuracy":
            better = acc >= self.best_acc
            if better:
                self.best_acc = acc
            return better, better
        up, down = acc >= self.best_acc, loss <= self.best_loss
        self.best_acc, self.best_loss = max(self.best_acc, acc), min(self.best_loss, loss)
        return up and down, up or down


def run(torch, data, seed, args):
    F = torch.nn.functional
    torch.manual_seed(seed)
    pubmed = args.dataset == "pubmed"
    model = build(torch, data, 8, 8, 8 if pubmed else 1, 0.6)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01 if pubmed else 0.005, weight_decay=1e-3 if pubmed else 5e-4)
    selector = Selector("latest-accuracy" if args.dataset == "citeseer" else "accuracy-and-loss")
    x, y = data["x"], data["y"]
    kept, best_epoch, kept_val, waited, epoch = None, 0, 0.0, 0, 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x)[data["train"]], y[data["train"]])
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            logits = model(x)[data["val"]]
            val_loss = F.cross_entropy(logits, y[data["val"]]).item()
            val_acc = (logits.argmax(1) == y[data["val"]]).float().mean().item()
        keep, progress = selector.offer(val_acc, val_loss)
        if keep:
            kept, best_epoch, kept_val = {k: v.clone() for k, v in model.state_dict().items()}, epoch, val_acc
        waited = 0 if progress else waited + 1
        if waited >= args.patience:
            break
    model.load_state_dict(kept)
    model.eval()
    with torch.no_grad():
        logits = model(x)[data["test"]]
    return (logits.argmax(1) == y[data["test"]]).float().mean().item(), kept_val, epoch, best_epoch


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", choices=["cora", "citeseer", "pubmed"])
    parser.add_argument("seeds", type=parse_seeds)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--patience", type=int, default=100)
    parser.add_argument("--csv", help="append seed,testAccuracy,epochs,bestEpoch,valAccuracy rows to this file")
    args = parser.parse_args()
    import warnings

    import torch

    warnings.filterwarnings("ignore", message="scatter_reduce")
    torch.set_num_threads(args.threads)
    data = load(torch, args.dataset)
    accuracies = []
    for seed in args.seeds:
        start = time.time()
        acc, val, epochs, best = run(torch, data, seed, args)
        accuracies.append(acc)
        print("seed %d: test %.1f%%  val %.1f%%  epochs %d  best epoch %d  (%.1f ms/epoch)" % (seed, 100 * acc, 100 * val, epochs, best, 1000 * (time.time() - start) / epochs), flush=True)
        if args.csv:
            with open(args.csv, "a") as f:
                f.write("%d,%.6f,%d,%d,%.6f\n" % (seed, acc, epochs, best, val))
    mean = sum(accuracies) / len(accuracies)
    std = math.sqrt(sum((a - mean) ** 2 for a in accuracies) / (len(accuracies) - 1)) if len(accuracies) > 1 else 0.0
    print("%s GAT (PyTorch %s), seeds %s: %.2f ± %.2f%% over %d runs" % (args.dataset, torch.__version__, sys.argv[2], 100 * mean, 100 * std, len(accuracies)))


if __name__ == "__main__":
    main()
