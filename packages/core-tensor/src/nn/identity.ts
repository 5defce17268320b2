import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

/**
 * A placeholder layer: `y = x` (the same tensor). Shape: any → same.
 * @example new Sequential(new Identity(), new ReLU())
 */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
