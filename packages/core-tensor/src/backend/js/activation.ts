/**
 * The js backend's fused activation gradients (see `Backend.activationBackward`): one loop per
 * activation over x, y and g, in place of the compare, select and multiply kernels (and their
 * three temporary arrays) the composed gradient ran. The products are taken in doubles and rounded
 * once into out.
 */
import type { ActivationBackwardArgs } from '../backend.js';

/** The gradient of relu, leakyRelu or elu from its input, output and output gradient. */
export function activationBackward({ op, x, y, g, out, p0 }: ActivationBackwardArgs): void {
  const n = out.length;
  switch (op) {
    case 'relu':
      // `!(y > 0)` would send NaN to 0; the rule is `y ≤ 0 → 0`, so NaN passes g.
      for (let i = 0; i < n; i++) out[i] = y[i]! <= 0 ? 0 : g[i]!;
      return;
    case 'leakyRelu':
      for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? g[i]! : p0 * g[i]!;
      return;
    case 'elu':
      for (let i = 0; i < n; i++) out[i] = x[i]! <= 0 ? g[i]! * (y[i]! + p0) : g[i]!;
      return;
  }
}
