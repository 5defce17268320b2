/**
 * The benchmark data, identical in every implementation: a 32-bit linear congruential stream
 * `s ← (1664525·s + 1013904223) mod 2³²` (python/bench_torch.py computes the same stream), turned
 * into floats in [−1, 1) for GEMM operands and into token ids for the char-LSTM batches. Benchmarks
 * need no statistical quality, only the same numbers everywhere.
 */

/** The next state of the stream. */
export function lcgNext(state: number): number {
  return (Math.imul(state, 1664525) + 1013904223) >>> 0;
}

/** `size` floats in [−1, 1): element i is `s_{i+1} / 2³¹ − 1` for the stream started at `seed`. */
export function lcgFloats(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let state = seed >>> 0;
  for (let i = 0; i < size; i++) {
    state = lcgNext(state);
    out[i] = state / 2147483648 - 1;
  }
  return out;
}

/** `size` token ids in [0, vocab): element i is `⌊s_{i+1} · vocab / 2³²⌋`. */
export function lcgTokens(size: number, vocab: number, seed: number): Int32Array {
  const out = new Int32Array(size);
  let state = seed >>> 0;
  for (let i = 0; i < size; i++) {
    state = lcgNext(state);
    out[i] = Math.floor((state * vocab) / 4294967296);
  }
  return out;
}

/** One char-LSTM batch, batch-major: `inputs[b·T + t]` and `targets[b·T + t]` (the next token). */
export interface TokenBatch {
  batch: number;
  seq: number;
  inputs: Int32Array;
  targets: Int32Array;
}

/**
 * The training batches of the char-LSTM workloads: batch j (0-based) cuts a stream seeded with
 * `j + 1` of `batch·(seq + 1)` tokens into `batch` rows of `seq + 1`; a row's first `seq` tokens are
 * the inputs and its last `seq` the targets.
 */
export function tokenBatches(options: { batch: number; seq: number; vocab: number; count: number }): TokenBatch[] {
  const { batch, seq, vocab, count } = options;
  const batches: TokenBatch[] = [];
  for (let j = 0; j < count; j++) {
    const stream = lcgTokens(batch * (seq + 1), vocab, j + 1);
    const inputs = new Int32Array(batch * seq);
    const targets = new Int32Array(batch * seq);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < seq; t++) {
        inputs[b * seq + t] = stream[b * (seq + 1) + t]!;
        targets[b * seq + t] = stream[b * (seq + 1) + t + 1]!;
      }
    }
    batches.push({ batch, seq, inputs, targets });
  }
  return batches;
}

/** `[rows, cols]` row-major → `[cols, rows]` row-major. */
export function transposeInt(data: Int32Array, rows: number, cols: number): Int32Array {
  const out = new Int32Array(data.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  }
  return out;
}
