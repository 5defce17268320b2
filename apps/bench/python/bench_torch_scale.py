"""The synthetic data of apps/bench on the PyTorch side (imported by bench_torch.py): PubMed-shaped
features for gcn-pubmed and the power-law graphs of gcn-scale.

- synthetic_features: the values of fillSyntheticFeatures in src/synthetic.ts (LCG stream, entry k
  non-zero when s_{k+1} < T = floor(density * 2^32), value (s_{k+1} + 1) / T, rows divided by their sums),
  built a chunk of rows at a time so no stream of N*F states is ever held.
- gcn-scale: the graph file the orchestrator wrote (src/powerlaw.ts: four int32 header words, then
  the E sources and the E targets), the dense LCG features of fillScaleFeatures (the stream seeded
  with seed + 1, s / 2^31 - 1) written chunk by chunk into one float32 tensor, the labels of
  fillScaleLabels (lcg_tokens(N, classes, seed + 2)), the first trainPerClass * classes nodes as
  the training set, and the GCN epoch of bench_torch.py.
"""
import math

from bench_data import lcg_states, lcg_tokens

GRAPH_FILE_MAGIC = 0x31474C54
CHUNK = 1 << 20  # states per chunk: 8 MB of uint64


def lcg_chunks(total, seed):
    """The states s_1 .. s_total of the stream seeded with `seed`, as uint64 arrays of up to CHUNK."""
    state = seed
    done = 0
    while done < total:
        size = min(CHUNK, total - done)
        states = lcg_states(size, state)
        state = int(states[-1])
        done += size
        yield states


def synthetic_features(np, num_nodes, spec):
    """[num_nodes, numFeatures] float32: the synthetic features of a GnnSpec's syntheticFeatures."""
    width = spec["numFeatures"]
    threshold = math.floor(spec["density"] * 4294967296)
    out = np.empty((num_nodes, width), dtype=np.float32)
    rows_per_chunk = max(1, CHUNK // width)
    row = 0
    state = spec["seed"]
    while row < num_nodes:
        rows = min(rows_per_chunk, num_nodes - row)
        states = lcg_states(rows * width, state)
        state = int(states[-1])
        values = np.where(states < threshold, (states.astype(np.float64) + 1.0) / threshold, 0.0).reshape(rows, width)
        sums = values.sum(axis=1, keepdims=True)
        out[row:row + rows] = np.divide(values, sums, out=np.zeros_like(values), where=sums != 0)
        row += rows
    return out


def read_graph_file(np, path):
    """(num_nodes, source int32 [E], target int32 [E]) from a graph file of src/powerlaw.ts."""
    words = np.fromfile(path, dtype="<i4")
    if words.size < 4 or int(words[0]) != GRAPH_FILE_MAGIC or int(words[1]) != 1:
        raise ValueError("%s is not a graph file of src/powerlaw.ts" % path)
    num_nodes, num_edges = int(words[2]), int(words[3])
    if words.size != 4 + 2 * num_edges:
        raise ValueError("%s holds %d words, expected %d" % (path, words.size, 4 + 2 * num_edges))
    return num_nodes, words[4:4 + num_edges], words[4 + num_edges:]


def scale_data(torch, spec, graph_file):
    """The data dict of bench_torch.build_gcn for a gcn-scale workload, plus train and y."""
    import numpy as np

    num_nodes, source, target = read_graph_file(np, graph_file)
    if num_nodes != spec["nodes"]:
        raise ValueError("%s has %d nodes, the workload %d" % (graph_file, num_nodes, spec["nodes"]))
    edge_index = torch.from_numpy(np.stack([source, target]).astype(np.int64))
    del source, target
    width = spec["features"]
    x = torch.empty(num_nodes, width)
    flat = x.view(-1).numpy()
    done = 0
    for states in lcg_chunks(num_nodes * width, spec["seed"] + 1):
        flat[done:done + states.size] = states.astype(np.float64) / 2147483648.0 - 1.0
        done += states.size
    y = torch.from_numpy(lcg_tokens(num_nodes, spec["classes"], spec["seed"] + 2))
    train = torch.arange(min(num_nodes, spec["trainPerClass"] * spec["classes"]), dtype=torch.int64)
    return {"x": x, "y": y, "edge_index": edge_index, "train": train, "num_nodes": num_nodes,
            "num_classes": spec["classes"], "num_edges": int(edge_index.shape[1])}
