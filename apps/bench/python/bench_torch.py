#!/usr/bin/env python3
"""The PyTorch side of apps/bench.

Runs one job and prints one report line, as src/child.ts does for the Node implementations:

    python3 bench_torch.py '<job json>'     one workload (see src/protocol.ts for the format)
    python3 bench_torch.py --probe          torch's version, or why it does not load

The data is the same linear congruential stream as src/data.ts, so every implementation multiplies
the same matrices and trains on the same batches; the GNN workloads read the same Cora CSV folder
as @tensorloom/graph's loadPlanetoid (TENSORLOOM_DATA, else ../shared/data from the working
directory up), and the forecasting workloads the same signal file (temporal/chickenpox.json) with the
models of forecast_torch.py; sample-A is in bench_torch_sampling.py, PubMed's synthetic features and
gcn-scale's power-law graphs in bench_torch_scale.py. PyTorch Geometric is not in Debian, so GCN and GAT are written in plain
torch. Thread counts are set before torch is imported
(OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS) and again with torch.set_num_threads.
"""
import json
import os
import resource
import sys
import time

from bench_data import lcg_floats, lcg_tokens, token_batches  # noqa: F401 - the LCG stream of src/data.ts
import bench_torch_sampling  # sample-A
import bench_torch_scale  # gcn-pubmed's synthetic features, gcn-scale

MARKER = "@@tensorloom-bench "


def report(obj):
    sys.stdout.write(MARKER + json.dumps(obj) + "\n")
    sys.stdout.flush()


def log(message):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def peak_rss_mib():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ---- timing: the loop of src/measure.ts -------------------------------------------------------
def time_runs(fn, timing, on_slow=None):
    start = time.perf_counter()
    last = 0.0
    for i in range(timing["warmup"]):
        t0 = time.perf_counter()
        fn()
        last = time.perf_counter() - t0
        if last > 2 and on_slow:
            on_slow("warm-up", i, last)
        if time.perf_counter() - start + last > timing["budgetSeconds"]:
            return {"runs": 1, "best": last, "median": last, "fromWarmup": True}
    times = []
    while len(times) < timing["maxRuns"] and (len(times) < timing["minRuns"] or sum(times) < timing["minSeconds"]):
        if times and time.perf_counter() - start + last > timing["budgetSeconds"]:
            break
        t0 = time.perf_counter()
        fn()
        last = time.perf_counter() - t0
        if last > 2 and on_slow:
            on_slow("timed", len(times), last)
        times.append(last)
    ordered = sorted(times)
    mid = len(ordered) // 2
    med = ordered[mid] if len(ordered) % 2 == 1 else (ordered[mid - 1] + ordered[mid]) / 2
    return {"runs": len(times), "best": ordered[0], "median": med, "fromWarmup": False}


# ---- workloads --------------------------------------------------------------------------------
def run_gemm(torch, spec, timing):
    m, k, n = spec["m"], spec["k"], spec["n"]
    a = torch.from_numpy(lcg_floats(m * k, 1)).reshape((k, m) if spec["transA"] else (m, k))
    b = torch.from_numpy(lcg_floats(k * n, 2)).reshape((n, k) if spec["transB"] else (k, n))
    # Transposed operands are views: BLAS reads them in place with its transpose flags.
    lhs = a.t() if spec["transA"] else a
    rhs = b.t() if spec["transB"] else b
    out = torch.empty(m, n)

    def step():
        torch.mm(lhs, rhs, out=out)

    with torch.no_grad():
        t = time_runs(step, timing)
    return 2.0 * m * k * n / t["best"] / 1e9, t


def run_char_lstm(torch, spec, timing, label):
    nn = torch.nn

    class CharLstm(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(spec["vocab"], spec["embedding"])
            self.lstm = nn.LSTM(spec["embedding"], spec["hidden"], spec["layers"])
            self.head = nn.Linear(spec["hidden"], spec["vocab"])

        def forward(self, tokens):  # [T, B] -> [T*B, vocab]
            output, _ = self.lstm(self.embedding(tokens))
            return self.head(output.reshape(-1, spec["hidden"]))

    torch.manual_seed(0)
    model = CharLstm()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = [
        (torch.from_numpy(inputs.T.copy()), torch.from_numpy(targets.T.copy()).reshape(-1))
        for inputs, targets in token_batches(spec["batch"], spec["seq"], spec["vocab"], 4)
    ]
    state = {"step": 0, "loss": float("nan")}

    def step():
        inputs, targets = batches[state["step"] % len(batches)]
        state["step"] += 1
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        state["loss"] = loss.item()

    def on_slow(phase, index, seconds):
        log("    %s: %s step %d: %.1f s (loss %.3f)" % (label, phase, index + 1, seconds, state["loss"]))

    t = time_runs(step, timing, on_slow)
    if state["loss"] != state["loss"]:
        raise RuntimeError("char-LSTM loss is NaN")
    return spec["batch"] * spec["seq"] / t["best"], t


# ---- GNN workloads: GCN and GAT on Cora, in plain torch (no PyTorch Geometric) -----------------
def data_root():
    """As dataRoot in @tensorloom/graph: $TENSORLOOM_DATA, else the first ../shared/data upwards."""
    env = os.environ.get("TENSORLOOM_DATA")
    if env:
        return os.path.abspath(env)
    here = os.getcwd()
    while True:
        candidate = os.path.abspath(os.path.join(here, "..", "shared", "data"))
        if os.path.isdir(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


class DatasetMissing(Exception):
    pass


def load_planetoid(torch, name, root=None, sparse=False, synthetic=None):
    """The CSV folder as loadPlanetoid reads it: x [N, F] (row-normalised here; with `sparse`, a
    coalesced COO tensor of its non-zeros), both directions of every listed edge (no self-loops),
    labels, and the public split (train, val, test node indices). `root` is the job's dataRoot (the
    orchestrator resolves it once for every implementation). With `synthetic` (a GnnSpec's
    syntheticFeatures) features.csv is not read: x is bench_torch_scale.synthetic_features."""
    import numpy as np

    root = root or data_root()
    folder = os.path.join(root, name) if root else None
    files = ("edges.csv", "labels.csv", "split.json", "meta.json") + (() if synthetic else ("features.csv",))
    if folder is None or not all(os.path.isfile(os.path.join(folder, f)) for f in files):
        raise DatasetMissing("%s data not found (looked in %s; set TENSORLOOM_DATA)" % (name, folder or "no ../shared/data"))
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    with open(os.path.join(folder, "split.json")) as f:
        split = json.load(f)

    def csv(file, dtype=np.int64):
        return np.loadtxt(os.path.join(folder, file), delimiter=",", skiprows=1, dtype=dtype, ndmin=2)

    n = meta["numNodes"]
    if synthetic:
        x = torch.from_numpy(bench_torch_scale.synthetic_features(np, n, synthetic))
    else:
        features = csv("features.csv", np.float64)  # node, feature[, value]
        x = np.zeros((n, meta["numFeatures"]), dtype=np.float32)
        rows, cols = features[:, 0].astype(np.int64), features[:, 1].astype(np.int64)
        x[rows, cols] = features[:, 2] if features.shape[1] > 2 else 1.0
        sums = x.sum(axis=1, keepdims=True)
        x = torch.from_numpy(np.divide(x, sums, out=np.zeros_like(x), where=sums != 0))
    if sparse:
        x = x.to_sparse().coalesce()
    labels = csv("labels.csv")
    y = np.full(n, -1, dtype=np.int64)
    y[labels[:, 0]] = labels[:, 1]
    edges = csv("edges.csv")
    pairs = {(int(s), int(t)) for s, t in edges if s != t} | {(int(t), int(s)) for s, t in edges if s != t}
    edge_index = torch.tensor(sorted(pairs), dtype=torch.int64).t().contiguous()
    return {
        "x": x,
        "y": torch.from_numpy(y),
        "edge_index": edge_index,  # [2, E]: row 0 sources, row 1 targets
        "train": torch.tensor(split["train"], dtype=torch.int64),
        "val": torch.tensor(split["val"], dtype=torch.int64),
        "test": torch.tensor(split["test"], dtype=torch.int64),
        "num_nodes": n,
        "num_classes": meta["numClasses"],
    }


def with_self_loops(torch, edge_index, n):
    loops = torch.arange(n, dtype=torch.int64)
    return torch.cat([edge_index, torch.stack([loops, loops])], dim=1)


def gcn_adjacency(torch, edge_index, n):
    """Â = D^-1/2 (A + I) D^-1/2 as a coalesced sparse COO matrix, Â[i, j] for the edge j -> i.
    (COO rather than CSR: torch 1.13's backward of torch.sparse.mm is about 2.5x faster with it on
    Cora, 0.55 against 1.4 ms, and its CSR support is marked beta.)"""
    src, dst = with_self_loops(torch, edge_index, n)
    deg = torch.zeros(n).index_add_(0, dst, torch.ones(dst.numel()))
    inv_sqrt = deg.pow(-0.5)
    values = inv_sqrt[src] * inv_sqrt[dst]
    return torch.sparse_coo_tensor(torch.stack([dst, src]), values, (n, n)).coalesce()


def project(torch, lin, x):
    """lin(x), with x dense or sparse (torch.sparse.mm; nn.Linear takes no sparse input)."""
    return torch.sparse.mm(x, lin.weight.t()) if x.is_sparse else lin(x)


def feature_dropout(torch, x, p, training):
    """Dropout on the features: on a sparse x, on its non-zeros (a dropped zero is still zero)."""
    if not x.is_sparse:
        return torch.nn.functional.dropout(x, p, training)
    return torch.sparse_coo_tensor(x.indices(), torch.nn.functional.dropout(x.values(), p, training), x.shape)


def build_gcn(torch, spec, data):
    nn, F = torch.nn, torch.nn.functional
    adjacency = gcn_adjacency(torch, data["edge_index"], data["num_nodes"])

    class GCNLayer(nn.Module):
        def __init__(self, fan_in, fan_out):
            super().__init__()
            self.lin = nn.Linear(fan_in, fan_out, bias=False)
            self.bias = nn.Parameter(torch.zeros(fan_out))
            nn.init.xavier_uniform_(self.lin.weight)

        def forward(self, x):
            return torch.sparse.mm(adjacency, project(torch, self.lin, x)) + self.bias

    class GCN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = GCNLayer(data["x"].shape[1], spec["hidden"])
            self.conv2 = GCNLayer(spec["hidden"], data["num_classes"])

        def forward(self, x):
            x = feature_dropout(torch, x, spec["dropout"], self.training)
            x = F.dropout(F.relu(self.conv1(x)), spec["dropout"], self.training)
            return self.conv2(x)

    return GCN()


def attend(torch, src, dst, h, score_src, score_dst, attention_dropout, training, feature_dropout=0.0):
    """Graph attention over the edges src → dst, h [n, heads, channels], per-node scores [n, heads]:
    LeakyReLU(0.2) of score_src[j] + score_dst[i] per edge j → i, a softmax over each destination's
    incoming edges (the max, taken without gradient, only steadies the exponent), dropout on the
    coefficients (and on h, with `feature_dropout`), and Σ_j α_ij h_j per destination: [n, heads, channels]."""
    F = torch.nn.functional
    n, heads, channels = h.shape
    e = F.leaky_relu(score_src.index_select(0, src) + score_dst.index_select(0, dst), 0.2)
    index = dst.unsqueeze(1).expand_as(e)
    with torch.no_grad():
        e_max = torch.full((n, heads), float("-inf")).scatter_reduce(0, index, e, "amax")
    e = (e - e_max.index_select(0, dst)).exp()
    alpha = e / torch.zeros(n, heads).index_add_(0, dst, e).index_select(0, dst)
    alpha = F.dropout(alpha, attention_dropout, training)
    if feature_dropout:
        h = F.dropout(h, feature_dropout, training)
    messages = h.index_select(0, src) * alpha.unsqueeze(-1)
    return torch.zeros(n, heads, channels).index_add_(0, dst, messages)


def build_gat(torch, spec, data):
    nn, F = torch.nn, torch.nn.functional
    n = data["num_nodes"]
    src, dst = with_self_loops(torch, data["edge_index"], n)

    class GATLayer(nn.Module):
        def __init__(self, fan_in, channels, heads, concat):
            super().__init__()
            self.heads, self.channels, self.concat = heads, channels, concat
            self.lin = nn.Linear(fan_in, heads * channels, bias=False)
            self.att_src = nn.Parameter(torch.empty(1, heads, channels))
            self.att_dst = nn.Parameter(torch.empty(1, heads, channels))
            self.bias = nn.Parameter(torch.zeros(heads * channels if concat else channels))
            for weight in (self.lin.weight, self.att_src, self.att_dst):
                nn.init.xavier_uniform_(weight)

        def forward(self, x):
            h = project(torch, self.lin, x).view(n, self.heads, self.channels)
            # a^T [W h_i || W h_j] = a_dst . W h_i + a_src . W h_j: one score per node, gathered per edge.
            score_src = (h * self.att_src).sum(-1)
            score_dst = (h * self.att_dst).sum(-1)
            out = attend(torch, src, dst, h, score_src, score_dst, spec["attentionDropout"], self.training)
            out = out.reshape(n, -1) if self.concat else out.mean(1)
            return out + self.bias

    class GAT(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = GATLayer(data["x"].shape[1], spec["hidden"], spec["heads"], True)
            self.conv2 = GATLayer(spec["hidden"] * spec["heads"], data["num_classes"], spec["outHeads"], False)

        def forward(self, x):
            x = feature_dropout(torch, x, spec["dropout"], self.training)
            x = F.dropout(F.elu(self.conv1(x)), spec["dropout"], self.training)
            return self.conv2(x)

    return GAT()


def run_gnn(torch, spec, timing, label, root):
    synthetic = spec.get("syntheticFeatures")
    data = load_planetoid(torch, spec["dataset"], root, sparse=spec.get("features") == "sparse", synthetic=synthetic)
    torch.manual_seed(0)
    model = (build_gcn if spec["model"] == "gcn" else build_gat)(torch, spec, data)
    value, t = time_gnn_epochs(torch, model, data, spec, timing, label)
    if synthetic:
        t["note"] = ("synthetic features (%d columns, %d%% non-zero, LCG seed %d, row-normalised) on the real graph: "
                     "our PubMed copy has no features") % (synthetic["numFeatures"], round(synthetic["density"] * 100), synthetic["seed"])
    return value, t


def time_gnn_epochs(torch, model, data, spec, timing, label):
    """Full-batch epochs: forward, cross-entropy on data["train"], backward, Adam with weight decay."""
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=spec["lr"], weight_decay=spec["weightDecay"])
    x, train = data["x"], data["train"]
    y_train = data["y"][train]
    state = {"loss": float("nan")}

    def epoch():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x)[train], y_train)
        loss.backward()
        optimizer.step()
        state["loss"] = loss.item()

    def on_slow(phase, index, seconds):
        log("    %s: %s epoch %d: %.1f s (loss %.3f)" % (label, phase, index + 1, seconds, state["loss"]))

    t = time_runs(epoch, timing, on_slow)
    if state["loss"] != state["loss"]:
        raise RuntimeError("%s loss is NaN" % spec["name"])
    return 1.0 / t["best"], t


# ---- forecasting workloads: an epoch of python/forecast_torch.py's recipe ----------------------------
def run_forecast(torch, spec, timing, label, root):
    """One training epoch of the forecaster of `spec` (forecast_torch.py's models and recipe) on the
    signal file under the data root, timed as the Node runners time theirs."""
    import forecast_torch  # this folder

    root = root or data_root()
    path = os.path.join(root, spec["dataset"]) if root else None
    if path is None or not os.path.isfile(path):
        raise DatasetMissing("%s not found (looked in %s; set TENSORLOOM_DATA)" % (spec["dataset"], root or "no ../shared/data"))
    signal = forecast_torch.load_signal(torch, path, spec["lags"], torch.float32)
    train, _ = forecast_torch.split_signal(signal, spec["trainRatio"])
    torch.manual_seed(0)
    model = forecast_torch.build_model(torch, spec["model"], spec["lags"], spec["hidden"], spec["K"], torch.float32)
    model.train()
    graph = model.recurrent.prepare(train["edge_index"], train["edge_weight"], train["num_nodes"])
    optimizer = torch.optim.Adam(model.parameters(), lr=spec["lr"])
    state = {"loss": float("nan")}

    def epoch():
        optimizer.zero_grad()
        predictions, _ = model(train["features"], graph)
        loss = ((predictions - train["targets"]) ** 2).mean()
        loss.backward()
        optimizer.step()
        state["loss"] = loss.item()

    def on_slow(phase, index, seconds):
        log("    %s: %s epoch %d: %.1f s (loss %.3f)" % (label, phase, index + 1, seconds, state["loss"]))

    t = time_runs(epoch, timing, on_slow)
    if state["loss"] != state["loss"]:
        raise RuntimeError("%s loss is NaN" % spec["name"])
    return 1.0 / t["best"], t


def set_thread_env(threads):
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)


def versions(torch):
    import numpy

    return {"torch": torch.__version__, "numpy": numpy.__version__, "python": sys.version.split()[0]}


def main():
    if len(sys.argv) < 2:
        report({"status": "failed", "error": "bench_torch.py: no job given"})
        return
    if sys.argv[1] == "--probe":
        try:
            import torch
        except Exception as error:  # noqa: BLE001 - any import failure means: no PyTorch here
            report({"status": "unavailable", "reason": "torch does not import in %s: %s" % (sys.executable, error)})
            return
        report({"status": "ok", "value": None, "runs": 0, "bestSeconds": 0, "medianSeconds": 0, "fromWarmup": False,
                "peakRssMiB": peak_rss_mib(), "baselineRssMiB": peak_rss_mib(), "versions": versions(torch)})
        return
    job = json.loads(sys.argv[1])
    threads = int(job["config"]["threads"])
    set_thread_env(threads)
    try:
        import torch
    except Exception as error:  # noqa: BLE001
        report({"status": "unavailable", "reason": "torch does not import: %s" % error})
        return
    torch.set_num_threads(threads)
    baseline = peak_rss_mib()
    spec = job["workload"]
    label = "%s × %s" % (spec["name"], job["config"]["id"])
    try:
        if spec["kind"] == "gemm":
            value, t = run_gemm(torch, spec, job["timing"])
        elif spec["kind"] == "char-lstm":
            value, t = run_char_lstm(torch, spec, job["timing"], label)
        elif spec["kind"] == "gnn":
            value, t = run_gnn(torch, spec, job["timing"], label, job.get("dataRoot"))
        elif spec["kind"] == "forecast":
            value, t = run_forecast(torch, spec, job["timing"], label, job.get("dataRoot"))
        elif spec["kind"] == "sample":
            value, t = bench_torch_sampling.run_sample(torch, spec, job["timing"], label, time_runs, log)
        elif spec["kind"] == "gnn-scale":
            torch.manual_seed(0)
            data = bench_torch_scale.scale_data(torch, spec, job["graphFile"])
            value, t = time_gnn_epochs(torch, build_gcn(torch, spec, data), data, spec, job["timing"], label)
            t["graph"] = {"nodes": data["num_nodes"], "edges": data["num_edges"]}
        else:
            report({"status": "unavailable", "scope": "workload", "reason": "bench_torch.py has no workload kind %r" % spec["kind"]})
            return
    except DatasetMissing as error:
        report({"status": "unavailable", "scope": "workload", "reason": str(error)})
        return
    except Exception as error:  # noqa: BLE001 - reported to the orchestrator, which prints it
        report({"status": "failed", "error": "%s: %s" % (type(error).__name__, error), "peakRssMiB": peak_rss_mib()})
        return
    extra = {key: t[key] for key in ("note", "graph") if key in t}
    report(dict({"status": "ok", "value": value, "runs": t["runs"], "bestSeconds": t["best"], "medianSeconds": t["median"],
                 "fromWarmup": t["fromWarmup"], "peakRssMiB": peak_rss_mib(), "baselineRssMiB": baseline,
                 "versions": versions(torch)}, **extra))


if __name__ == "__main__":
    main()
