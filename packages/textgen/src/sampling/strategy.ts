/**
 * Turning one step's logits into the next character: greedy, temperature (in both conventions),
 * top-k and top-p (nucleus). Pure functions over plain arrays, so they can be tested on a fixed
 * logit vector.
 */
import { ValueError, type Generator } from '@tensorloom/core-tensor';

/**
 * The temperature of a sampling strategy, in one of two conventions (give at most one; neither
 * means 1, the model's own distribution):
 *
 * - `temperature: T` **divides** the logits, `p_i = softmax(x / T)_i` — PyTorch's, Hugging Face's
 *   and most libraries' convention. T < 1 sharpens, T > 1 flattens; T = 0 is greedy.
 * - `inverseTemperature: τ` **multiplies** the logits, `p_i = exp(τ·x_i) / Σ_j exp(τ·x_j)` — the
 *   course sheet's τ. τ > 1 sharpens, τ < 1 flattens, τ = 0 is uniform; τ = 1/T.
 *
 * So the sheet's τ = 2 is `{ inverseTemperature: 2 }`, the same as `{ temperature: 0.5 }`.
 */
export interface Tempering {
  /** T ≥ 0: sample from softmax(logits / T). T = 0 picks the argmax. Default 1. */
  temperature?: number;
  /** τ ≥ 0 (or Infinity = greedy): sample from softmax(τ · logits), the course sheet's convention. */
  inverseTemperature?: number;
}

/** How to choose each generated character (beam search is `beamSearch`). */
export type SamplingStrategy =
  /** Always the most likely character (the lowest id among ties). */
  | { strategy: 'greedy' }
  /** Draw from the whole tempered softmax. */
  | ({ strategy: 'temperature' } & Tempering)
  /** Draw from the k most likely characters only, renormalised (after tempering). */
  | ({ strategy: 'top-k'; k: number } & Tempering)
  /**
   * Nucleus sampling: draw from the smallest set of most likely characters whose probability
   * (after tempering) adds up to at least p, renormalised.
   */
  | ({ strategy: 'top-p'; p: number } & Tempering);

/** The names `strategy` takes (beam search is the separate `beamSearch`). */
export const SAMPLING_STRATEGIES = ['greedy', 'temperature', 'top-k', 'top-p'] as const;

/**
 * Validates a strategy and resolves its tempering to one multiplier β (the inverse temperature):
 * `temperature: T` gives β = 1/T, `inverseTemperature: τ` gives β = τ. β = Infinity is greedy.
 */
export function resolveStrategy(strategy: SamplingStrategy): { kind: SamplingStrategy['strategy']; beta: number; k: number; p: number } {
  const op = 'sampling';
  if (strategy === null || typeof strategy !== 'object')
    throw new ValueError(`${op}: expected a strategy object such as { strategy: 'greedy' }`);
  const kind = strategy.strategy;
  if (!(SAMPLING_STRATEGIES as readonly string[]).includes(kind)) {
    throw new ValueError(`${op}: unknown strategy '${String(kind)}': expected one of ${SAMPLING_STRATEGIES.join(', ')}`);
  }
  if (kind === 'greedy') return { kind, beta: Infinity, k: 1, p: 1 };
  const { temperature, inverseTemperature } = strategy;
  if (temperature !== undefined && inverseTemperature !== undefined) {
    throw new ValueError(
      `${op}: give temperature (divides the logits) or inverseTemperature (multiplies them), ` +
        `not both: got temperature ${temperature} and inverseTemperature ${inverseTemperature}`,
    );
  }
  let beta = 1;
  if (temperature !== undefined) {
    if (!(temperature >= 0) || !Number.isFinite(temperature))
      throw new ValueError(`${op}: temperature must be a finite number ≥ 0, got ${temperature}`);
    beta = temperature === 0 ? Infinity : 1 / temperature;
  } else if (inverseTemperature !== undefined) {
    if (!(inverseTemperature >= 0)) throw new ValueError(`${op}: inverseTemperature must be ≥ 0, got ${inverseTemperature}`);
    beta = inverseTemperature;
  }
  let k = Infinity;
  let p = 1;
  if (kind === 'top-k') {
    k = (strategy as { k: number }).k;
    if (!Number.isInteger(k) || k < 1) throw new ValueError(`${op}: top-k needs an integer k ≥ 1, got ${k}`);
  } else if (kind === 'top-p') {
    p = (strategy as { p: number }).p;
    if (!(p > 0 && p <= 1)) throw new ValueError(`${op}: top-p needs p in (0, 1], got ${p}`);
  }
  return { kind, beta, k, p };
}

/**
 * The distribution a strategy draws the next character from, given one step's logits (length V):
 * tempered softmax (see `Tempering`), then the top-k or top-p filter, renormalised. Greedy (and
 * T = 0 or τ = ∞) puts all mass on the argmax (the lowest index among ties). Computed in float64.
 *
 * @example
 * samplingDistribution([1, 2, 3], { strategy: 'temperature', temperature: 2 }) // softmax([0.5, 1, 1.5])
 * samplingDistribution([1, 2, 3], { strategy: 'top-k', k: 1 })                 // [0, 0, 1]
 */
export function samplingDistribution(logits: ArrayLike<number>, strategy: SamplingStrategy): Float64Array {
  const resolved = resolveStrategy(strategy);
  if (logits.length === 0) throw new ValueError('samplingDistribution: the logits are empty');
  const probs = new Float64Array(logits.length);
  samplingDistributionInto(logits, 0, logits.length, resolved, probs);
  return probs;
}

/**
 * `samplingDistribution` of the `n` logits from `offset` (one row of a batch's `[B, V]`) for an
 * already resolved strategy, written into `probs[0, n)`: the same numbers, without allocating (but
 * for the sort of top-k and top-p). Returns the normaliser `Σ_j exp(β(x_j − max))` before any
 * filter (NaN when greedy). Throws `ValueError` for a NaN logit unless greedy.
 */
export function samplingDistributionInto(
  logits: ArrayLike<number>,
  offset: number,
  n: number,
  resolved: ReturnType<typeof resolveStrategy>,
  probs: Float64Array,
): number {
  const { beta, k, p } = resolved;
  if (beta === Infinity) {
    probs.fill(0, 0, n);
    probs[argmaxOf(logits, offset, n)] = 1;
    return NaN;
  }
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = logits[offset + i]!;
    if (Number.isNaN(v)) throw new ValueError(`samplingDistribution: logit ${i} is NaN`);
    if (v > max) max = v;
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    // exp(β(x − max)): the max's term is 1, so the sum is ≥ 1 (no overflow, no 0/0).
    const e = beta === 0 ? 1 : Math.exp(beta * (logits[offset + i]! - max));
    probs[i] = e;
    total += e;
  }
  for (let i = 0; i < n; i++) probs[i] = probs[i]! / total;
  if (k < n || p < 1) keepTop(probs.subarray(0, n), k, p);
  return total;
}

/**
 * Draws the next character's id from `samplingDistribution(logits, strategy)` with `generator`
 * (one uniform draw; greedy draws nothing). The same generator state gives the same id.
 */
export function sampleFromLogits(logits: ArrayLike<number>, strategy: SamplingStrategy, generator: Generator): number {
  const probs = samplingDistribution(logits, strategy);
  if (strategy.strategy === 'greedy') return argmaxOf(probs);
  return drawIndex(probs, generator);
}

/** Inverse-CDF draw from normalised `probs` (the first `n`, default all; zero entries are never picked). */
export function drawIndex(probs: ArrayLike<number>, generator: Generator, n = probs.length): number {
  let target = generator.random();
  let last = -1;
  for (let i = 0; i < n; i++) {
    const q = probs[i]!;
    if (q <= 0) continue;
    last = i;
    target -= q;
    if (target < 0) return i;
  }
  return last; // rounding left a sliver at the end: the last possible index
}

/** Index (from `offset`) of the largest of the `n` values from `offset` (default all; the first among ties). */
export function argmaxOf(values: ArrayLike<number>, offset = 0, n = values.length - offset): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (values[offset + i]! > values[offset + best]!) best = i;
  return best;
}

/**
 * Zeroes all but the k most likely entries and then all but the nucleus of mass p (the most
 * likely entries, in order, up to and including the one whose cumulative probability reaches p),
 * and renormalises. Ties are ordered by index, so the result is deterministic.
 */
function keepTop(probs: Float64Array, k: number, p: number): void {
  const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]! || a - b);
  const limit = Math.min(k, order.length);
  let kept = 0;
  let cumulative = 0;
  // The mass of the top-k set, to measure p against (Hugging Face's order: top-k, then top-p).
  let topMass = 0;
  for (let r = 0; r < limit; r++) topMass += probs[order[r]!]!;
  for (let r = 0; r < limit; r++) {
    kept++;
    cumulative += probs[order[r]!]! / topMass;
    if (cumulative >= p) break;
  }
  let total = 0;
  for (let r = 0; r < kept; r++) total += probs[order[r]!]!;
  const keep = new Uint8Array(probs.length);
  for (let r = 0; r < kept; r++) keep[order[r]!] = 1;
  for (let i = 0; i < probs.length; i++) probs[i] = keep[i] ? probs[i]! / total : 0;
}
