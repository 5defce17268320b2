"""sample-A on the PyTorch side of apps/bench (imported by bench_torch.py).

The textgen default model in plain torch -- nn.Embedding(80, 64), nn.LSTM(64, 128, 2), nn.Linear(128, 80),
PyTorch's own init -- and the loop a PyTorch user writes to generate: every sequence starts from the
same seed token, each step runs the last drawn tokens through the model with the carried (h, c),
and draws the next ones with torch.multinomial(torch.softmax(logits, -1), 1), under torch.no_grad()
and in eval mode. chars/s = batch * length / time.
"""


def build_char_model(torch, spec):
    """Embedding -> stacked LSTM (time-major) -> Linear, the sizes of the spec."""
    nn = torch.nn

    class CharModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(spec["vocab"], spec["embedding"])
            self.lstm = nn.LSTM(spec["embedding"], spec["hidden"], spec["layers"])
            self.linear = nn.Linear(spec["hidden"], spec["vocab"])

        def step(self, tokens, state):
            """tokens [B] -> (logits [B, V], state)."""
            output, state = self.lstm(self.embedding(tokens).unsqueeze(0), state)
            return self.linear(output[0]), state

    return CharModel()


def sample(torch, model, spec):
    """[batch, length] token ids drawn from the model, starting from spec["seedToken"]."""
    temperature = spec["temperature"]
    tokens = torch.full((spec["batch"],), spec["seedToken"], dtype=torch.int64)
    state = None
    drawn = []
    with torch.no_grad():
        for _ in range(spec["length"]):
            logits, state = model.step(tokens, state)
            if temperature != 1:
                logits = logits / temperature
            tokens = torch.multinomial(torch.softmax(logits, -1), 1).squeeze(1)
            drawn.append(tokens)
    return torch.stack(drawn, 1)


def run_sample(torch, spec, timing, label, time_runs, log):
    """Times the generation of batch * length characters; returns (chars/s, timing)."""
    torch.manual_seed(spec["seed"])
    model = build_char_model(torch, spec)
    model.eval()
    result = {"shape": None}

    def run():
        result["shape"] = tuple(sample(torch, model, spec).shape)

    def on_slow(phase, index, seconds):
        log("    %s: %s run %d: %.1f s" % (label, phase, index + 1, seconds))

    t = time_runs(run, timing, on_slow)
    if result["shape"] != (spec["batch"], spec["length"]):
        raise RuntimeError("%s: drew %s tokens, expected %s" % (spec["name"], result["shape"], (spec["batch"], spec["length"])))
    return spec["batch"] * spec["length"] / t["best"], t
