import type { FloatDType } from '../dtype.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { add, div, mul, sub } from '../ops/arithmetic.js';
import { mean, variance } from '../ops/reduce.js';
import { sqrt } from '../ops/unary.js';
import { Tensor } from '../tensor.js';
import { checkSize } from './checks.js';
import { ones_, zeros_ } from './init.js';
import { Module, formatNumber } from './module.js';

export interface LayerNormOptions {
  /** The trailing shape normalised over (a number is a 1-D shape): the last `k` axes of x. */
  normalizedShape: number | readonly number[];
  /** Added to the variance for stability. Default 1e-5. */
  eps?: number;
  /** Learn a per-element scale (`weight`) and shift (`bias`). Default true. */
  elementwiseAffine?: boolean;
  /** Learn the shift (only with `elementwiseAffine`). Default true. */
  bias?: boolean;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
}

/**
 * Layer normalisation over the trailing `normalizedShape` axes:
 * `y = (x − E[x]) / √(Var[x] + eps) · γ + β`, with the mean and the biased variance (divided by
 * n, as PyTorch) taken over those axes for each leading index.
 *
 * - Options: `normalizedShape`, `eps` (default 1e-5), `elementwiseAffine` (default true), `bias`
 *   (default true), `dtype` (default 'float32').
 * - Shapes: x is `[*, ...normalizedShape]`, y has x's shape.
 * - Parameters: `weight` γ and `bias` β, each of `normalizedShape` (null when not learnt).
 * - Init: γ = 1, β = 0.
 *
 * @example
 * const norm = new LayerNorm({ normalizedShape: 4 });
 * norm.call(randn([2, 3, 4])).shape  // [2, 3, 4]
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;

  constructor(options: LayerNormOptions) {
    super();
    const { eps = 1e-5, elementwiseAffine = true, bias = true, dtype = 'float32' } = options;
    const shape = typeof options.normalizedShape === 'number' ? [options.normalizedShape] : [...options.normalizedShape];
    if (shape.length === 0) throw new ValueError('LayerNorm: normalizedShape must have at least one axis');
    for (const d of shape) checkSize('LayerNorm', 'normalizedShape', d);
    if (!(eps >= 0)) throw new ValueError(`LayerNorm: eps must be non-negative, got ${eps}`);
    this.normalizedShape = Object.freeze(shape);
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.registerParameter('weight', elementwiseAffine ? Tensor.empty(shape, dtype) : null);
    this.registerParameter('bias', elementwiseAffine && bias ? Tensor.empty(shape, dtype) : null);
    this.resetParameters();
  }

  /** γ, of `normalizedShape`; null without `elementwiseAffine`. */
  get weight(): Tensor | null {
    return this.getParameter('weight');
  }

  /** β, of `normalizedShape`; null without `elementwiseAffine` or with `bias: false`. */
  get bias(): Tensor | null {
    return this.getParameter('bias');
  }

  protected override resetOwnParameters(): void {
    const { weight, bias } = this;
    if (weight !== null) ones_(weight);
    if (bias !== null) zeros_(bias);
  }

  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    const trailing = x.shape.slice(x.ndim - k);
    if (x.ndim < k || trailing.some((d, i) => d !== this.normalizedShape[i])) {
      throw new ShapeError(`LayerNorm: input ${fmtShape(x.shape)} must end with the normalized shape ${fmtShape(this.normalizedShape)}`);
    }
    const axes = Array.from({ length: k }, (_, i) => x.ndim - k + i);
    const mu = mean(x, axes, { keepdim: true });
    const sigma2 = variance(x, axes, { keepdim: true, correction: 0 });
    let y = div(sub(x, mu), sqrt(add(sigma2, this.eps)));
    const { weight, bias } = this;
    if (weight !== null) y = mul(y, weight);
    if (bias !== null) y = add(y, bias);
    return y;
  }

  override extraRepr(): string {
    return `normalizedShape=${fmtShape(this.normalizedShape)}, eps=${formatNumber(this.eps)}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}
