/**
 * Activation layers: parameter-free modules around the activation ops, for use in `Sequential`.
 * Each maps a float tensor of any shape to one of the same shape.
 */
import { ValueError } from '../errors.js';
import { elu, gelu, leakyRelu, relu, sigmoid, silu, softplus, tanh } from '../ops/activation.js';
import { logSoftmax, softmax } from '../ops/softmax.js';
import type { Tensor } from '../tensor.js';
import { Module, formatNumber } from './module.js';

/**
 * `y = max(0, x)`. Shape: any → same.
 * @example new ReLU().call(tensor([-1, 2]))  // [0, 2]
 */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/**
 * `y = tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)`. Shape: any → same.
 * @example new Tanh().call(tensor([0]))  // [0]
 */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/**
 * `y = σ(x) = 1 / (1 + e⁻ˣ)`. Shape: any → same.
 * @example new Sigmoid().call(tensor([0]))  // [0.5]
 */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/**
 * SiLU (swish): `y = x·σ(x)`. Shape: any → same.
 * @example new SiLU().call(tensor([1]))  // [0.7311]
 */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

export interface GELUOptions {
  /** 'none' (default): exact `x·Φ(x)`; 'tanh': `x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`. */
  approximate?: 'none' | 'tanh';
}

/**
 * GELU: `y = x·Φ(x)`, Φ the standard normal CDF (or its tanh approximation).
 * Options: `approximate` (default 'none'). Shape: any → same.
 * @example new GELU({ approximate: 'tanh' }).call(tensor([1]))  // [0.8412]
 */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';

  constructor(options: GELUOptions = {}) {
    super();
    const { approximate = 'none' } = options;
    if (approximate !== 'none' && approximate !== 'tanh')
      throw new ValueError(`GELU: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
    this.approximate = approximate;
  }

  forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

export interface LeakyReLUOptions {
  /** Slope for x < 0. Default 0.01. */
  negativeSlope?: number;
}

/**
 * `y = x` for x ≥ 0, `negativeSlope·x` otherwise. Options: `negativeSlope` (default 0.01).
 * Shape: any → same.
 * @example new LeakyReLU({ negativeSlope: 0.2 }).call(tensor([-1, 2]))  // [-0.2, 2]
 */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;

  constructor(options: LeakyReLUOptions = {}) {
    super();
    this.negativeSlope = options.negativeSlope ?? 0.01;
  }

  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negativeSlope=${formatNumber(this.negativeSlope)}`;
  }
}

export interface ELUOptions {
  /** The saturation value −α for x → −∞. Default 1. */
  alpha?: number;
}

/**
 * `y = x` for x > 0, `α·(eˣ − 1)` otherwise. Options: `alpha` (default 1). Shape: any → same.
 * @example new ELU().call(tensor([-1, 2]))  // [-0.6321, 2]
 */
export class ELU extends Module {
  readonly alpha: number;

  constructor(options: ELUOptions = {}) {
    super();
    this.alpha = options.alpha ?? 1;
  }

  forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${formatNumber(this.alpha)}`;
  }
}

export interface SoftplusOptions {
  /** Sharpness β. Default 1. */
  beta?: number;
  /** Above `β·x > threshold` the layer is linear. Default 20. */
  threshold?: number;
}

/**
 * `y = log(1 + e^(βx)) / β` (x itself where βx > threshold). Options: `beta` (default 1),
 * `threshold` (default 20). Shape: any → same.
 * @example new Softplus().call(tensor([0]))  // [0.6931]
 */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;

  constructor(options: SoftplusOptions = {}) {
    super();
    this.beta = options.beta ?? 1;
    this.threshold = options.threshold ?? 20;
  }

  forward(x: Tensor): Tensor {
    return softplus(x, { beta: this.beta, threshold: this.threshold });
  }

  override extraRepr(): string {
    return `beta=${formatNumber(this.beta)}, threshold=${formatNumber(this.threshold)}`;
  }
}

export interface SoftmaxOptions {
  /** The axis that sums to one (negative counts from the end). */
  dim: number;
}

/**
 * `y_i = e^(x_i) / Σ_j e^(x_j)` along `dim` (computed stably). Options: `dim` (required: PyTorch's
 * implicit choice is deprecated). Shape: any → same.
 * @example new Softmax({ dim: -1 }).call(tensor([[1, 1]]))  // [[0.5, 0.5]]
 */
export class Softmax extends Module {
  readonly dim: number;

  constructor(options: SoftmaxOptions) {
    super();
    this.dim = checkDim('Softmax', options?.dim);
  }

  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/**
 * `y_i = x_i − log Σ_j e^(x_j)` along `dim` (computed stably). Options: `dim` (required).
 * Shape: any → same.
 * @example new LogSoftmax({ dim: 1 }).call(logits)  // log-probabilities per row
 */
export class LogSoftmax extends Module {
  readonly dim: number;

  constructor(options: SoftmaxOptions) {
    super();
    this.dim = checkDim('LogSoftmax', options?.dim);
  }

  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

function checkDim(op: string, dim: number | undefined): number {
  if (!Number.isInteger(dim)) throw new ValueError(`${op}: dim must be an integer, got ${String(dim)}`);
  return dim!;
}
