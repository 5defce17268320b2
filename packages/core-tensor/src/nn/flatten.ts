import { flatten } from '../ops/shape.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

export interface FlattenOptions {
  /** First axis to merge. Default 1 (keeps the batch axis). */
  startDim?: number;
  /** Last axis to merge (inclusive). Default −1. */
  endDim?: number;
}

/**
 * Merges the axes `startDim..endDim` into one: `[N, C, H, W]` → `[N, C·H·W]` with the defaults.
 * Options: `startDim` (default 1), `endDim` (default −1).
 * @example new Flatten().call(zeros([2, 3, 4])).shape  // [2, 12]
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(options: FlattenOptions = {}) {
    super();
    this.startDim = options.startDim ?? 1;
    this.endDim = options.endDim ?? -1;
  }

  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}
