#!/usr/bin/env python3
"""The forecasting recipe of `tensorloom gnn forecast` written again in plain PyTorch: the reference
that tensorloom's GConvGRU, GConvLSTM, TGCN and DCRNN forecasters are measured against.

The models are PyTorch Geometric Temporal's (torch_geometric_temporal/nn/recurrent/gconv_gru.py,
gconv_lstm.py, temporalgcn.py, dcrnn.py) and their examples' `RecurrentGCN` read-out
(cell -> ReLU -> Linear(hidden, 1)), written here in plain torch with the same parameter names and
initialisations (torch_geometric is not installed, and not needed):
- ChebConv (PyG): K bias-free Linear maps `lins.k` (Glorot) and a bias (zeros) over the Chebyshev
  basis T_0 = x, T_1 = L̂x, T_k = 2L̂T_{k-1} - T_{k-2}, where L̂ = 2L/λmax - I with the 'sym'
  Laplacian L = I - D^-1/2 A D^-1/2 of the graph without its self-loops (degrees over the source
  row) and λmax = 2: L̂ = -D^-1/2 A D^-1/2. With K = 1 only T_0 = x is left, and the convolution
  is a plain linear map that ignores the graph.
- GConvGRU: z, r, h̃ gates each of a ChebConv of x plus a ChebConv of h (of h*r for h̃).
- GConvLSTM: i, f, c, o gates of ChebConvs of x and h, peepholes w_c_* (Glorot) on c for i, f, o,
  biases b_* (zeros).
- TGCN: GCNConv (remaining self-loops added with weight 1, symmetric normalisation over the target's
  degree, `lin` Glorot, bias zeros) of x per gate, concatenated with h (h*r for h̃) and mapped by
  torch.nn.Linear(2·hidden, hidden).
- DCRNN: DConv of [x, h] per gate, weight [2, K, in + hidden, hidden] (xavier_uniform), bias zeros,
  computed as PyG Temporal computes it: out-degree and in-degree from the dense adjacency,
  norm_out = 1/deg_out[row] and norm_in = 1/deg_in[row] per edge of edge_index, messages along the
  edges scaled by norm_out, and along the edges of the transposed adjacency (in its row-major
  order) scaled by norm_in *in edge_index's order*, as PyG Temporal pairs them; the edge weights
  enter through the degrees only; the recurrence T_k = 2·P·T_{k-1} - T_{k-2} keeps T_{k-2} = x.

Recipe (tensorloom's `trainForecaster`): Adam lr 0.01, 200 epochs, each epoch one step on the mean
over the training snapshots of the per-snapshot MSE (PyG Temporal's examples write
mean((ŷ - y)²) with ŷ [N, 1] and y [N], which broadcasts to N² pairs; here each prediction meets its
own target), the state carried through the training sequence from zeros (`--state reset`: zeros
before every snapshot), `--bptt N` truncating backpropagation; then the training sequence once more
without gradients, and the test snapshots continuing from the state it ends in. Hidden 32, K 2.

Usage (a python with torch, e.g. Debian's python3-torch; from the repository root):
  /usr/bin/python3 apps/bench/python/forecast_torch.py [DATA.json] --models gconv-gru --seeds 0,1,2 [--epochs 200]
      [--lr 0.01] [--hidden 32] [--k 2] [--lags 4] [--train-ratio 0.9] [--state carry|reset] [--bptt N]
      [--dtype float32|float64] [--threads 1]
  DATA.json: chickenpox.json (edges, FX) or pedalme_london.json (edges, weights, X); default
  chickenpox.json under $TENSORLOOM_DATA/temporal, else the first ../shared/data/temporal upwards.
  Progress goes to stderr; stdout gets one JSON object: per model, per-seed test MSE, mean ± sample
  std, seconds per epoch.

  /usr/bin/python3 apps/bench/python/forecast_torch.py [DATA.json] --check WEIGHTS.safetensors --model NAME
      --snapshots S --epochs E [--state ...] [--bptt N]
  Loads a forecaster's state dict (written by tensorloom) and prints, as JSON, the predictions of the
  initial weights over the first S snapshots (state from zeros) and the training loss of each of E
  epochs on them: tensorloom's test compares both (float64).
"""
import argparse
import json
import math
import os
import struct
import sys
import time

MODELS = ("gconv-gru", "gconv-lstm", "tgcn", "dcrnn")


# ---- data ------------------------------------------------------------------------------------------
def default_data_path():
    """$TENSORLOOM_DATA/temporal/chickenpox.json, else the first ../shared/data/temporal/chickenpox.json upwards."""
    env = os.environ.get("TENSORLOOM_DATA")
    roots = [os.path.abspath(env)] if env else []
    here = os.getcwd()
    while True:
        roots.append(os.path.abspath(os.path.join(here, "..", "shared", "data")))
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    for root in roots:
        path = os.path.join(root, "temporal", "chickenpox.json")
        if os.path.isfile(path):
            return path
    return None


def load_signal(torch, path, lags, dtype):
    """PyG Temporal's loaders: the series (chickenpox `FX`, PedalMe `X`) as lagged snapshots,
    features[t, n, l] = series[t + l, n], targets[t, n] = series[t + lags, n]; the edges as listed,
    weights all 1 (chickenpox) or `weights` (PedalMe)."""
    with open(path) as f:
        raw = json.load(f)
    series = torch.tensor(raw["FX"] if "FX" in raw else raw["X"], dtype=dtype)
    edge_index = torch.tensor(raw["edges"], dtype=torch.int64).t().contiguous()
    weights = raw.get("weights")
    edge_weight = torch.tensor(weights, dtype=dtype) if weights is not None else torch.ones(edge_index.shape[1], dtype=dtype)
    steps = series.shape[0] - lags
    features = torch.stack([series[t:t + lags].t() for t in range(steps)])
    targets = series[lags:].clone()
    names = None
    if "node_ids" in raw:
        names = [name for name, _ in sorted(raw["node_ids"].items(), key=lambda item: item[1])]
    return {"edge_index": edge_index, "edge_weight": edge_weight, "features": features, "targets": targets,
            "num_nodes": series.shape[1], "names": names}


def split_signal(signal, train_ratio):
    """PyG Temporal's temporal_signal_split: the first int(ratio * T) snapshots train."""
    cut = int(train_ratio * signal["features"].shape[0])
    train = dict(signal, features=signal["features"][:cut], targets=signal["targets"][:cut])
    test = dict(signal, features=signal["features"][cut:], targets=signal["targets"][cut:])
    return train, test


# ---- graph operators: dense [N, N] matrices P with (P x)[i] = sum over edges j -> i ------------------
def propagation(torch, source, target, norm, n, dtype):
    matrix = torch.zeros(n, n, dtype=dtype)
    matrix.index_put_((target, source), norm.to(dtype), accumulate=True)
    return matrix


def cheb_operator(torch, edge_index, edge_weight, n):
    """L̂ = 2L/λmax - I with λmax = 2 and PyG's 'sym' L (get_laplacian, self-loops removed): -D^-1/2 A D^-1/2."""
    keep = edge_index[0] != edge_index[1]
    row, col = edge_index[0][keep], edge_index[1][keep]
    weight = edge_weight[keep]
    deg = torch.zeros(n, dtype=edge_weight.dtype).index_add_(0, row, weight)
    inv_sqrt = deg.pow(-0.5)
    inv_sqrt[torch.isinf(inv_sqrt)] = 0
    # L's diagonal is 1, so L̂'s is 2·1/2 - 1 = 0: only the off-diagonal entries remain.
    return propagation(torch, row, col, -inv_sqrt[row] * weight * inv_sqrt[col], n, edge_weight.dtype)


def gcn_operator(torch, edge_index, edge_weight, n):
    """PyG's gcn_norm: add_remaining_self_loops (weight 1 where a node has none, its own where it has
    one), degrees over the target, D^-1/2 (A + I) D^-1/2."""
    row, col = edge_index
    loop = row == col
    loop_weight = torch.ones(n, dtype=edge_weight.dtype)
    loop_weight[row[loop]] = edge_weight[loop]
    nodes = torch.arange(n)
    row = torch.cat([row[~loop], nodes])
    col = torch.cat([col[~loop], nodes])
    weight = torch.cat([edge_weight[~loop], loop_weight])
    deg = torch.zeros(n, dtype=edge_weight.dtype).index_add_(0, col, weight)
    inv_sqrt = deg.pow(-0.5)
    inv_sqrt[torch.isinf(inv_sqrt)] = 0
    return propagation(torch, row, col, inv_sqrt[row] * weight * inv_sqrt[col], n, edge_weight.dtype)


def dconv_operators(torch, edge_index, edge_weight, n):
    """PyG Temporal's DConv.forward, step by step (see the module docstring)."""
    row, col = edge_index
    adj = torch.zeros(n, n, dtype=edge_weight.dtype)
    adj.index_put_((row, col), edge_weight, accumulate=True)  # to_dense_adj
    deg_out = adj.sum(1)
    deg_in = adj.sum(0)
    norm_out = torch.reciprocal(deg_out)[row]
    norm_in = torch.reciprocal(deg_in)[row]
    reverse = adj.t().nonzero().t()  # dense_to_sparse(adj.T): row-major order of the transpose
    if reverse.shape[1] != row.shape[0]:
        raise ValueError("DConv as PyG Temporal computes it pairs the %d edges' norm_in with the %d non-zeros of the "
                         "adjacency; they differ (duplicate or zero-weight edges)" % (row.shape[0], reverse.shape[1]))
    forward = propagation(torch, row, col, norm_out, n, edge_weight.dtype)
    backward = propagation(torch, reverse[0], reverse[1], norm_in, n, edge_weight.dtype)
    return forward, backward


# ---- layers and cells ------------------------------------------------------------------------------
def glorot_(torch, tensor):
    """PyG's glorot: U(±sqrt(6 / (size(-2) + size(-1))))."""
    bound = math.sqrt(6.0 / (tensor.size(-2) + tensor.size(-1)))
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)


def build_model(torch, name, in_channels, hidden, K, dtype):
    nn = torch.nn

    class ChebConv(nn.Module):
        def __init__(self, fan_in, fan_out):
            super().__init__()
            self.lins = nn.ModuleList([nn.Linear(fan_in, fan_out, bias=False) for _ in range(K)])
            self.bias = nn.Parameter(torch.zeros(fan_out))
            for lin in self.lins:
                glorot_(torch, lin.weight)

        def forward(self, x, lap):
            tx0, out = x, self.lins[0](x)
            if K > 1:
                tx1 = lap @ x
                out = out + self.lins[1](tx1)
                for lin in self.lins[2:]:
                    tx2 = 2.0 * (lap @ tx1) - tx0
                    out = out + lin(tx2)
                    tx0, tx1 = tx1, tx2
            return out + self.bias

    class GCNConv(nn.Module):
        def __init__(self, fan_in, fan_out):
            super().__init__()
            self.lin = nn.Linear(fan_in, fan_out, bias=False)
            self.bias = nn.Parameter(torch.zeros(fan_out))
            glorot_(torch, self.lin.weight)

        def forward(self, x, adj):
            return adj @ self.lin(x) + self.bias

    class DConv(nn.Module):
        def __init__(self, fan_in, fan_out):
            super().__init__()
            self.weight = nn.Parameter(torch.empty(2, K, fan_in, fan_out))
            self.bias = nn.Parameter(torch.zeros(fan_out))
            nn.init.xavier_uniform_(self.weight)

        def forward(self, x, ops):
            forward_op, backward_op = ops
            w = self.weight
            out = x @ w[0][0] + x @ w[1][0]
            if K > 1:
                t1o, t1i = forward_op @ x, backward_op @ x
                out = out + t1o @ w[0][1] + t1i @ w[1][1]
                t0 = x
                for k in range(2, K):
                    t2o = 2.0 * (forward_op @ t1o) - t0
                    t2i = 2.0 * (backward_op @ t1i) - t0
                    out = out + t2o @ w[0][k] + t2i @ w[1][k]
                    t0, t1o, t1i = x, t2o, t2i  # PyG Temporal's Tx_0 = Tx_1, and its Tx_1 stays x
            return out + self.bias

    class GConvGRU(nn.Module):
        states = 1

        def __init__(self):
            super().__init__()
            for gate in ("z", "r", "h"):
                setattr(self, "conv_x_" + gate, ChebConv(in_channels, hidden))
                setattr(self, "conv_h_" + gate, ChebConv(hidden, hidden))

        @staticmethod
        def prepare(edge_index, edge_weight, n):
            return cheb_operator(torch, edge_index, edge_weight, n)

        def step(self, x, lap, state):
            (h,) = state
            z = torch.sigmoid(self.conv_x_z(x, lap) + self.conv_h_z(h, lap))
            r = torch.sigmoid(self.conv_x_r(x, lap) + self.conv_h_r(h, lap))
            h_tilde = torch.tanh(self.conv_x_h(x, lap) + self.conv_h_h(h * r, lap))
            return [z * h + (1 - z) * h_tilde]

    class GConvLSTM(nn.Module):
        states = 2

        def __init__(self):
            super().__init__()
            for gate in ("i", "f", "c", "o"):
                setattr(self, "conv_x_" + gate, ChebConv(in_channels, hidden))
                setattr(self, "conv_h_" + gate, ChebConv(hidden, hidden))
                if gate != "c":
                    setattr(self, "w_c_" + gate, nn.Parameter(glorot_(torch, torch.empty(1, hidden))))
                setattr(self, "b_" + gate, nn.Parameter(torch.zeros(1, hidden)))

        @staticmethod
        def prepare(edge_index, edge_weight, n):
            return cheb_operator(torch, edge_index, edge_weight, n)

        def step(self, x, lap, state):
            h, c = state
            i = torch.sigmoid(self.conv_x_i(x, lap) + self.conv_h_i(h, lap) + self.w_c_i * c + self.b_i)
            f = torch.sigmoid(self.conv_x_f(x, lap) + self.conv_h_f(h, lap) + self.w_c_f * c + self.b_f)
            t = torch.tanh(self.conv_x_c(x, lap) + self.conv_h_c(h, lap) + self.b_c)
            c = f * c + i * t
            o = torch.sigmoid(self.conv_x_o(x, lap) + self.conv_h_o(h, lap) + self.w_c_o * c + self.b_o)
            return [o * torch.tanh(c), c]

    class TGCN(nn.Module):
        states = 1

        def __init__(self):
            super().__init__()
            for gate in ("z", "r", "h"):
                setattr(self, "conv_" + gate, GCNConv(in_channels, hidden))
                setattr(self, "linear_" + gate, nn.Linear(2 * hidden, hidden))

        @staticmethod
        def prepare(edge_index, edge_weight, n):
            return gcn_operator(torch, edge_index, edge_weight, n)

        def step(self, x, adj, state):
            (h,) = state
            z = torch.sigmoid(self.linear_z(torch.cat([self.conv_z(x, adj), h], 1)))
            r = torch.sigmoid(self.linear_r(torch.cat([self.conv_r(x, adj), h], 1)))
            h_tilde = torch.tanh(self.linear_h(torch.cat([self.conv_h(x, adj), h * r], 1)))
            return [z * h + (1 - z) * h_tilde]

    class DCRNN(nn.Module):
        states = 1

        def __init__(self):
            super().__init__()
            for gate in ("z", "r", "h"):
                setattr(self, "conv_x_" + gate, DConv(in_channels + hidden, hidden))

        @staticmethod
        def prepare(edge_index, edge_weight, n):
            return dconv_operators(torch, edge_index, edge_weight, n)

        def step(self, x, ops, state):
            (h,) = state
            z = torch.sigmoid(self.conv_x_z(torch.cat([x, h], 1), ops))
            r = torch.sigmoid(self.conv_x_r(torch.cat([x, h], 1), ops))
            h_tilde = torch.tanh(self.conv_x_h(torch.cat([x, h * r], 1), ops))
            return [z * h + (1 - z) * h_tilde]

    cells = {"gconv-gru": GConvGRU, "gconv-lstm": GConvLSTM, "tgcn": TGCN, "dcrnn": DCRNN}

    class RecurrentGCN(nn.Module):
        def __init__(self):
            super().__init__()
            self.recurrent = cells[name]()
            self.linear = nn.Linear(hidden, 1)

        def forward(self, features, graph, state=None, reset=False, bptt=None):
            """features [T, N, F] -> (predictions [T, N], the state after the last snapshot)."""
            n = features.shape[1]
            zero = [torch.zeros(n, hidden, dtype=features.dtype) for _ in range(self.recurrent.states)]
            state = list(state) if state is not None else zero
            outputs = []
            for t in range(features.shape[0]):
                if reset:
                    state = zero
                elif bptt is not None and t > 0 and t % bptt == 0:
                    state = [s.detach() for s in state]
                state = self.recurrent.step(features[t], graph, state)
                outputs.append(state[0])
            hidden_states = torch.stack(outputs) if outputs else torch.zeros(0, n, hidden, dtype=features.dtype)
            return self.linear(torch.relu(hidden_states)).squeeze(-1), state

    return RecurrentGCN().to(dtype)


# ---- the recipe ------------------------------------------------------------------------------------
def train_forecaster(torch, model, signal, epochs, lr, reset=False, bptt=None, on_epoch=None):
    """Adam, one step per epoch on the mean of the per-snapshot MSEs; returns the losses and the
    state the training sequence ends in with the trained weights (None with reset)."""
    graph = model.recurrent.prepare(signal["edge_index"], signal["edge_weight"], signal["num_nodes"])
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        optimizer.zero_grad()
        predictions, _ = model(signal["features"], graph, reset=reset, bptt=bptt)
        loss = ((predictions - signal["targets"]) ** 2).mean()
        value = loss.item()
        if not math.isfinite(value):
            raise FloatingPointError("epoch %d: the training loss is %s; training stopped (lower --lr)" % (epoch, value))
        loss.backward()
        optimizer.step()
        losses.append(value)
        if on_epoch:
            on_epoch(epoch, value, time.perf_counter() - started)
    with torch.no_grad():
        _, state = model(signal["features"], graph, reset=reset)
    return losses, (None if reset else state)


def evaluate_forecaster(torch, model, signal, state=None, reset=False):
    graph = model.recurrent.prepare(signal["edge_index"], signal["edge_weight"], signal["num_nodes"])
    with torch.no_grad():
        predictions, state = model(signal["features"], graph, state=state, reset=reset)
        return ((predictions - signal["targets"]) ** 2).mean().item(), predictions, state


# ---- safetensors (no python package here: the header is JSON after its u64 length) -----------------
def read_safetensors(torch, path):
    dtypes = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64}
    with open(path, "rb") as f:
        blob = f.read()
    (size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + size])
    base = 8 + size
    out = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        chunk = bytearray(blob[base + begin:base + end])
        tensor = torch.frombuffer(chunk, dtype=dtypes[info["dtype"]]) if chunk else torch.zeros(0, dtype=dtypes[info["dtype"]])
        out[key] = tensor.reshape(info["shape"]).clone()
    return out


# ---- command line ----------------------------------------------------------------------------------
def parse_seeds(text):
    if ".." in text:
        lo, hi = text.split("..")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def mean_std(values):
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, 0.0
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def log(message):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def run_check(torch, args, signal):
    """Initial-weights predictions and per-epoch training losses of a given state dict (see the docstring)."""
    weights = read_safetensors(torch, args.check)
    snapshots = args.snapshots or signal["features"].shape[0]
    part = dict(signal, features=signal["features"][:snapshots], targets=signal["targets"][:snapshots])
    model = build_model(torch, args.model, signal["features"].shape[2], args.hidden, args.k, signal["features"].dtype)
    model.load_state_dict({key: value.to(signal["features"].dtype) for key, value in weights.items()}, strict=True)
    graph = model.recurrent.prepare(part["edge_index"], part["edge_weight"], part["num_nodes"])
    with torch.no_grad():
        predictions, _ = model(part["features"], graph, reset=args.state == "reset")
    losses = []
    if args.epochs > 0:
        losses, _ = train_forecaster(torch, model, part, args.epochs, args.lr, reset=args.state == "reset", bptt=args.bptt)
    print(json.dumps({"model": args.model, "snapshots": snapshots, "predictions": predictions.tolist(), "losses": losses}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", help="chickenpox.json or pedalme_london.json (default: chickenpox.json in the data root)")
    parser.add_argument("--models", default="gconv-gru", help="comma-separated: " + ", ".join(MODELS))
    parser.add_argument("--model", help="--check: the model of the weights")
    parser.add_argument("--seeds", default="0,1,2", help="0,1,2 or 0..9")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--k", type=int, default=2)
    parser.add_argument("--lags", type=int, default=4)
    parser.add_argument("--train-ratio", type=float, default=0.9)
    parser.add_argument("--state", choices=("carry", "reset"), default="carry")
    parser.add_argument("--bptt", type=int, default=None, help="truncate backpropagation every N snapshots")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--check", help="a forecaster's weights (safetensors): print its predictions and training losses")
    parser.add_argument("--snapshots", type=int, default=None, help="--check: the first S snapshots")
    args = parser.parse_args()
    if args.state == "reset" and args.bptt is not None:
        parser.error("--bptt applies to --state carry")
    for name in [args.model] if args.check else args.models.split(","):
        if name not in MODELS:
            parser.error("unknown model %r (models: %s)" % (name, ", ".join(MODELS)))

    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import torch

    torch.set_num_threads(args.threads)
    dtype = torch.float64 if args.check or args.dtype == "float64" else torch.float32
    path = args.data or default_data_path()
    if path is None or not os.path.isfile(path):
        parser.error("no data: give chickenpox.json, or set TENSORLOOM_DATA to the folder holding temporal/chickenpox.json")
    signal = load_signal(torch, path, args.lags, dtype)
    if args.check:
        run_check(torch, args, signal)
        return
    train, test = split_signal(signal, args.train_ratio)
    log("%s: %d nodes, %d edges, %d snapshots (%d train, %d test), lags %d" % (
        os.path.basename(path), signal["num_nodes"], signal["edge_index"].shape[1], signal["features"].shape[0],
        train["features"].shape[0], test["features"].shape[0], args.lags))
    results = {}
    reset = args.state == "reset"
    for name in args.models.split(","):
        per_seed, seconds = [], []
        for seed in parse_seeds(args.seeds):
            torch.manual_seed(seed)
            model = build_model(torch, name, args.lags, args.hidden, args.k, dtype)
            started = time.perf_counter()

            def on_epoch(epoch, loss, _seconds, seed=seed):
                if epoch % max(1, args.epochs // 10) == 0 or epoch == args.epochs:
                    log("  %s seed %d: epoch %d/%d  loss %.4f" % (name, seed, epoch, args.epochs, loss))

            losses, state = train_forecaster(torch, model, train, args.epochs, args.lr, reset=reset, bptt=args.bptt, on_epoch=on_epoch)
            seconds.append((time.perf_counter() - started) / args.epochs)
            mse, _, _ = evaluate_forecaster(torch, model, test, state=state, reset=reset)
            per_seed.append(mse)
            log("%s seed %d: test MSE %.4f  train loss %.4f  %.1f ms/epoch" % (name, seed, mse, losses[-1], 1000 * seconds[-1]))
        mean, std = mean_std(per_seed)
        log("%s: test MSE %.4f ± %.4f (mean ± sample std over %d seeds)" % (name, mean, std, len(per_seed)))
        results[name] = {"perSeed": per_seed, "mean": mean, "std": std, "secondsPerEpoch": sum(seconds) / len(seconds)}
    print(json.dumps({
        "data": os.path.basename(path), "seeds": parse_seeds(args.seeds), "torch": torch.__version__, "threads": args.threads,
        "recipe": {"epochs": args.epochs, "lr": args.lr, "hidden": args.hidden, "K": args.k, "lags": args.lags,
                   "trainRatio": args.train_ratio, "state": args.state, "bptt": args.bptt, "dtype": args.dtype},
        "models": results,
    }))


if __name__ == "__main__":
    main()
