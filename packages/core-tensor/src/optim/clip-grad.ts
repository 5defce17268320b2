/** Gradient clipping, in place on `param.grad`: by global norm and by value. */
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor.js';

export interface ClipGradNormOptions {
  /** The p of the p-norm: a number (Infinity allowed) or 'inf' (the largest |g|). Default 2. */
  normType?: number | 'inf';
  /** Throw ValueError when the total norm is NaN or ±Infinity. Default false. */
  errorIfNonfinite?: boolean;
}

function gradsOf(params: Tensor | Iterable<Tensor>): Tensor[] {
  const list = params instanceof Tensor ? [params] : Array.from(params);
  const grads: Tensor[] = [];
  for (const p of list) if (p.grad !== null) grads.push(p.grad);
  return grads;
}

/** ‖x‖_p of a flat array, as `torch.linalg.vector_norm` (p = 0 counts non-zeros, ±∞ take max/min |x|). */
function vectorNorm(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (p === Infinity || p === -Infinity) {
    let best = p === Infinity ? 0 : Infinity;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(values[i]!);
      if (Number.isNaN(a)) return NaN;
      best = p === Infinity ? Math.max(best, a) : Math.min(best, a);
    }
    return best;
  }
  let total = 0;
  if (p === 0) {
    for (let i = 0; i < n; i++) if (values[i] !== 0) total += 1;
    return total;
  }
  if (p === 2) {
    for (let i = 0; i < n; i++) total += values[i]! * values[i]!;
    return Math.sqrt(total);
  }
  if (p === 1) {
    for (let i = 0; i < n; i++) total += Math.abs(values[i]!);
    return total;
  }
  for (let i = 0; i < n; i++) total += Math.abs(values[i]!) ** p;
  return total ** (1 / p);
}

/**
 * Rescales the gradients of `params` so that their global p-norm is at most `maxNorm`, as
 * PyTorch's `clip_grad_norm_`. The norm is taken over all gradients together, as if they were
 * concatenated into one vector (PyTorch's norm of the per-tensor norms):
 *
 * ```
 * total = ‖(‖g₁‖_p, ‖g₂‖_p, …)‖_p        (max |g| when p = ∞)
 * c = maxNorm / (total + 1e-6);  g ← c·g for every gradient, only when c < 1
 * ```
 *
 * Parameters whose `grad` is null are ignored (no gradients: the norm is 0). A non-finite total
 * either throws (with `errorIfNonfinite`) or, as in PyTorch, propagates NaN into the gradients.
 *
 * @returns The total norm of the gradients before clipping.
 * @example
 * loss.backward();
 * const norm = optim.clipGradNorm(model.parameters(), 1.0);
 * opt.step();
 */
export function clipGradNorm(params: Tensor | Iterable<Tensor>, maxNorm: number, options: ClipGradNormOptions = {}): number {
  const { normType = 2, errorIfNonfinite = false } = options;
  const p = normType === 'inf' ? Infinity : normType;
  if (typeof p !== 'number' || Number.isNaN(p)) {
    throw new ValueError(`clipGradNorm: normType must be a number or 'inf', got ${String(normType)}`);
  }
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm)) {
    throw new ValueError(`clipGradNorm: maxNorm must be a number, got ${String(maxNorm)}`);
  }
  const grads = gradsOf(params);
  if (grads.length === 0) return 0;
  const total = vectorNorm(
    grads.map((g) => vectorNorm(g.data, p)),
    p,
  );
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new ValueError(
      `clipGradNorm: the total norm of order ${String(normType)} of the gradients is non-finite ` +
        `(${total}), so it cannot be clipped; pass { errorIfNonfinite: false } to clip anyway`,
    );
  }
  const coefficient = maxNorm / (total + 1e-6);
  // PyTorch clamps the coefficient to at most 1 and multiplies, so a NaN coefficient spreads.
  if (coefficient < 1 || Number.isNaN(coefficient)) {
    for (const g of grads) {
      const data = g.data;
      for (let i = 0; i < data.length; i++) data[i] = data[i]! * coefficient;
    }
  }
  return total;
}

/**
 * Clamps every gradient of `params` into [−clipValue, clipValue] in place, as PyTorch's
 * `clip_grad_value_` (NaN stays NaN). Parameters whose `grad` is null are ignored.
 *
 * @example
 * loss.backward();
 * optim.clipGradValue(model.parameters(), 0.5);
 */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue)) {
    throw new ValueError(`clipGradValue: clipValue must be a number, got ${String(clipValue)}`);
  }
  const low = -clipValue;
  const high = clipValue;
  for (const g of gradsOf(params)) {
    const data = g.data;
    // clamp(x, min, max) = min(max(x, min), max), as torch.clamp (so min > max gives max).
    for (let i = 0; i < data.length; i++) data[i] = Math.min(Math.max(data[i]!, low), high);
  }
}
