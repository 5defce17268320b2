#!/usr/bin/env python3
"""The PyTorch side of apps/bench.

Runs one job and prints one report line, as src/child.ts does for the Node implementations:

    python3 bench_torch.py '<job json>'     one workload (see src/protocol.ts for the format)
    python3 bench_torch.py --probe          torch's version, or why it does not load

The data is the same linear congruential stream as src/data.ts, so every implementation multiplies
the same matrices and trains on the same batches. Thread counts are set before torch is imported
(OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS) and again with torch.set_num_threads.
"""
import json
import os
import resource
import sys
import time

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


# ---- data: s <- (1664525 s + 1013904223) mod 2^32, as in src/data.ts -------------------------
A_LCG = 1664525
C_LCG = 1013904223
MASK = 0xFFFFFFFF


def lcg_states(size, seed):
    """States s_1 .. s_size of the stream started at seed, as uint64 (vectorised by blocks)."""
    import numpy as np

    block = max(1, min(size, 4096))
    first = np.empty(block, dtype=np.uint64)
    state = seed & MASK
    for i in range(block):
        state = (A_LCG * state + C_LCG) & MASK
        first[i] = state
    out = np.empty(size, dtype=np.uint64)
    out[:block] = first[:block]
    # Jumping `block` steps at once: s_{i+L} = a^L s_i + c (a^{L-1} + ... + 1) mod 2^32.
    a_jump, c_jump = 1, 0
    for _ in range(block):
        a_jump, c_jump = (A_LCG * a_jump) & MASK, (A_LCG * c_jump + C_LCG) & MASK
    a_jump, c_jump = np.uint64(a_jump), np.uint64(c_jump)
    mask = np.uint64(MASK)
    start = block
    while start < size:
        end = min(size, start + block)
        prev = out[start - block:end - block]
        out[start:end] = (prev * a_jump + c_jump) & mask
        start = end
    return out


def lcg_floats(size, seed):
    import numpy as np

    return (lcg_states(size, seed).astype(np.float64) / 2147483648.0 - 1.0).astype(np.float32)


def lcg_tokens(size, vocab, seed):
    import numpy as np

    return ((lcg_states(size, seed) * np.uint64(vocab)) >> np.uint64(32)).astype(np.int64)


def token_batches(batch, seq, vocab, count):
    """As tokenBatches in src/data.ts: (inputs [B, T], targets [B, T]) per batch."""
    batches = []
    for j in range(count):
        rows = lcg_tokens(batch * (seq + 1), vocab, j + 1).reshape(batch, seq + 1)
        batches.append((rows[:, :seq].copy(), rows[:, 1:].copy()))
    return batches


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
        else:
            report({"status": "unavailable", "reason": "bench_torch.py has no workload kind %r" % spec["kind"]})
            return
    except Exception as error:  # noqa: BLE001 - reported to the orchestrator, which prints it
        report({"status": "failed", "error": "%s: %s" % (type(error).__name__, error), "peakRssMiB": peak_rss_mib()})
        return
    report({"status": "ok", "value": value, "runs": t["runs"], "bestSeconds": t["best"], "medianSeconds": t["median"],
            "fromWarmup": t["fromWarmup"], "peakRssMiB": peak_rss_mib(), "baselineRssMiB": baseline,
            "versions": versions(torch)})


if __name__ == "__main__":
    main()
