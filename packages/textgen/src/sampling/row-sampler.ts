/**
 * Choosing the next character of each row of a step's logits `[B, V]` without allocating per row:
 * the loop of `generate` (B = 1) and `generateBatch`, where at B = 64 and V = 80 a tempered softmax,
 * a draw and a log-probability run 64 times a step.
 */
import type { Generator } from '@tensorloom/core-tensor';
import { argmaxOf, drawIndex, resolveStrategy, samplingDistributionInto, type SamplingStrategy } from './strategy.js';

/**
 * Draws ids from rows of logits by a strategy, with the numbers and the generator draws of
 * `samplingDistribution` followed by `drawIndex` (one uniform draw per row; greedy draws nothing,
 * T = 0 under another strategy draws one and takes the argmax), and gives each drawn id's
 * log-probability under the model's own (untempered) softmax in `logProb`.
 */
export class RowSampler {
  /** log p of the id `draw` returned last, under the untempered softmax (nats; NaN when a logit is NaN). */
  logProb = 0;
  private readonly resolved: ReturnType<typeof resolveStrategy>;
  private readonly greedy: boolean;
  private readonly probs: Float64Array;

  constructor(
    strategy: SamplingStrategy,
    private readonly vocab: number,
  ) {
    this.resolved = resolveStrategy(strategy);
    this.greedy = strategy.strategy === 'greedy';
    this.probs = new Float64Array(vocab);
  }

  /** The next id from the V logits at `offset` (row r of `[B, V]` at r·V); sets `logProb`. */
  draw(logits: ArrayLike<number>, offset: number, generator: Generator): number {
    const n = this.vocab;
    if (this.greedy) {
      const id = argmaxOf(logits, offset, n);
      this.logProb = logProbOf(logits, offset, n, id);
      return id;
    }
    const total = samplingDistributionInto(logits, offset, n, this.resolved, this.probs);
    const id = drawIndex(this.probs, generator, n);
    // At β = 1 the normaliser is the untempered softmax's (the same exps, summed in the same order).
    this.logProb =
      this.resolved.beta === 1 ? logits[offset + id]! - maxOf(logits, offset, n) - Math.log(total) : logProbOf(logits, offset, n, id);
    return id;
  }
}

/** The max of n values (NaN when one is NaN), as the float64 `logSoftmax` kernel takes it. */
function maxOf(logits: ArrayLike<number>, offset: number, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = logits[offset + i]!;
    if (v > m || v !== v) m = v;
  }
  return m;
}

/** `x_id − m − log Σ_j exp(x_j − m)` (m the max): the float64 `logSoftmax` kernel's formula and order, for one entry. */
function logProbOf(logits: ArrayLike<number>, offset: number, n: number, id: number): number {
  const m = maxOf(logits, offset, n);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(logits[offset + i]! - m);
  return logits[offset + id]! - m - Math.log(s);
}
