import type { FloatDType } from '../dtype.js';
import { linear } from '../ops/matmul.js';
import type { Generator } from '../random/generator.js';
import { Tensor } from '../tensor.js';
import { checkSize } from './checks.js';
import { computeFans, kaimingUniform_, uniform_ } from './init.js';
import { Module } from './module.js';

export interface LinearOptions {
  /** Size of each input sample (the last axis of x). */
  inFeatures: number;
  /** Size of each output sample. */
  outFeatures: number;
  /** Learn an additive bias. Default true. */
  bias?: boolean;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for the initial (and any re-drawn) weights. Default: the global one. */
  generator?: Generator;
}

/**
 * A fully connected layer: `y = x·Wᵀ + b`.
 *
 * - Options: `inFeatures`, `outFeatures`, `bias` (default true), `dtype` (default 'float32'),
 *   `generator` (default the global one).
 * - Shapes: x is `[*, inFeatures]`, y is `[*, outFeatures]` (any leading axes).
 * - Parameters: `weight` `[outFeatures, inFeatures]`, `bias` `[outFeatures]` (or null).
 * - Init (PyTorch's): weight by `kaimingUniform_(w, { a: √5 })`, which is
 *   U(−1/√inFeatures, 1/√inFeatures); bias from the same U(−1/√inFeatures, 1/√inFeatures).
 *
 * @example
 * const layer = new Linear({ inFeatures: 3, outFeatures: 2 });
 * layer.call(randn([5, 3])).shape  // [5, 2]
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly generator: Generator | undefined;

  constructor(options: LinearOptions) {
    super();
    const { inFeatures, outFeatures, bias = true, dtype = 'float32', generator } = options;
    checkSize('Linear', 'inFeatures', inFeatures);
    checkSize('Linear', 'outFeatures', outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.generator = generator;
    this.registerParameter('weight', Tensor.empty([outFeatures, inFeatures], dtype));
    this.registerParameter('bias', bias ? Tensor.empty([outFeatures], dtype) : null);
    this.resetParameters();
  }

  /** `[outFeatures, inFeatures]`. */
  get weight(): Tensor {
    return this.getParameter('weight')!;
  }

  /** `[outFeatures]`, or null when built with `bias: false`. */
  get bias(): Tensor | null {
    return this.getParameter('bias');
  }

  protected override resetOwnParameters(generator: Generator | undefined = this.generator): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5), generator });
    const bias = this.bias;
    if (bias !== null) {
      const { fanIn } = computeFans(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(bias, { a: -bound, b: bound, generator });
    }
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
