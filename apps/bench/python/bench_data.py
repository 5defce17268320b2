"""The benchmark data of apps/bench on the PyTorch side: the 32-bit LCG stream of src/data.ts,
s <- (1664525 s + 1013904223) mod 2^32, as floats in [-1, 1), token ids and char-LSTM batches."""

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
