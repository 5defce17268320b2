import { dropout } from '../ops/dropout.js';
import type { Generator } from '../random/generator.js';
import type { Tensor } from '../tensor.js';
import { checkProbability } from './checks.js';
import { Module, formatNumber } from './module.js';

export interface DropoutOptions {
  /** Probability of zeroing an element. Default 0.5. */
  p?: number;
  /** Generator for the masks. Default: the global one. */
  generator?: Generator;
}

/**
 * Dropout: in training mode each element is zeroed with probability p and the survivors are
 * scaled by 1/(1 − p), so `E[y] = x`; in evaluation mode (`eval()`) it is the identity.
 *
 * - Options: `p` (default 0.5), `generator` (default the global one).
 * - Shapes: any → the same.
 * - No parameters.
 *
 * @example
 * const drop = new Dropout({ p: 0.1 });
 * drop.call(x);         // masked while training
 * drop.eval().call(x);  // x unchanged
 */
export class Dropout extends Module {
  readonly p: number;
  readonly generator: Generator | undefined;

  constructor(options: DropoutOptions = {}) {
    super();
    const { p = 0.5, generator } = options;
    checkProbability('Dropout', 'p', p);
    this.p = p;
    this.generator = generator;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training, generator: this.generator });
  }

  override extraRepr(): string {
    return `p=${formatNumber(this.p)}`;
  }
}
