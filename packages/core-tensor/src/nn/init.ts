/**
 * Weight initialisation, as PyTorch's `torch.nn.init`: every function fills a tensor in place
 * (under `noGrad`, so parameters stay leaves) and returns it. Random ones take a `generator`
 * (default: the global one, seeded by `manualSeed`). Names follow PyTorch's, in camelCase with
 * the trailing underscore that marks an in-place function.
 */
import { noGrad } from '../autograd.js';
import { isFloatDType } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import type { Tensor } from '../tensor.js';
import { normalCdf, normalQuantile } from './normal-distribution.js';

/** The non-linearities `calculateGain` knows, by PyTorch's names. */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';

/** Which fan a Kaiming init keeps the variance of: the forward pass's or the backward pass's. */
export type FanMode = 'fanIn' | 'fanOut';

export interface GeneratorOption {
  /** The generator to draw from. Default: the global one. */
  generator?: Generator;
}

/**
 * The recommended gain for a non-linearity, as `torch.nn.init.calculate_gain`:
 * linear, conv and sigmoid 1; tanh 5/3; relu √2; leaky_relu √(2 / (1 + slope²)) with
 * `param` the negative slope (default 0.01); selu 3/4.
 * @example calculateGain('leaky_relu', Math.sqrt(5))  // √(1/3)
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'conv_transpose1d':
    case 'conv_transpose2d':
    case 'conv_transpose3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope)) {
        throw new ValueError(`calculateGain: negative slope ${String(slope)} is not a finite number`);
      }
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ValueError(`calculateGain: unsupported nonlinearity '${String(nonlinearity)}'`);
  }
}

/**
 * The fans of a weight, as PyTorch: for shape `[out, in, ...kernel]`, `fanIn = in · ∏kernel`
 * and `fanOut = out · ∏kernel` (the receptive field multiplies both). Needs at least 2 dims.
 * @example computeFans(zeros([4, 3]))  // { fanIn: 3, fanOut: 4 }
 */
export function computeFans(tensor: Tensor): { fanIn: number; fanOut: number } {
  if (tensor.ndim < 2) {
    throw new ShapeError(`computeFans: fan in and fan out need a tensor with at least 2 dimensions, got ${fmtShape(tensor.shape)}`);
  }
  let receptiveField = 1;
  for (let d = 2; d < tensor.ndim; d++) receptiveField *= tensor.shape[d]!;
  return { fanIn: tensor.shape[1]! * receptiveField, fanOut: tensor.shape[0]! * receptiveField };
}

function assertFloatTensor(op: string, t: Tensor): void {
  if (!isFloatDType(t.dtype)) throw new DTypeError(`${op}: expected a float32 or float64 tensor, got ${t.dtype}`);
}

function fillWith(t: Tensor, draw: () => number): Tensor {
  noGrad(() => {
    const data = t.data;
    for (let i = 0; i < data.length; i++) data[i] = draw();
  });
  return t;
}

/**
 * Fills `t` with draws from U(a, b).
 * @param options `a` (default 0), `b` (default 1), `generator`.
 * @example uniform_(zeros([3, 4]), { a: -0.1, b: 0.1 })
 */
export function uniform_(t: Tensor, options: { a?: number; b?: number } & GeneratorOption = {}): Tensor {
  const { a = 0, b = 1, generator = defaultGenerator } = options;
  assertFloatTensor('uniform_', t);
  if (!(a <= b)) throw new ValueError(`uniform_: expected a <= b, got a=${a}, b=${b}`);
  return fillWith(t, () => generator.uniform(a, b));
}

/**
 * Fills `t` with draws from N(mean, std²).
 * @param options `mean` (default 0), `std` (default 1, non-negative), `generator`.
 * @example normal_(zeros([3, 4]), { std: 0.02 })
 */
export function normal_(t: Tensor, options: { mean?: number; std?: number } & GeneratorOption = {}): Tensor {
  const { mean = 0, std = 1, generator = defaultGenerator } = options;
  assertFloatTensor('normal_', t);
  if (!(std >= 0)) throw new ValueError(`normal_: std must be non-negative, got ${std}`);
  return fillWith(t, () => generator.normal(mean, std));
}

/**
 * Fills `t` with draws from N(mean, std²) truncated to [a, b], by inverting the normal CDF on a
 * uniform draw between Φ((a−mean)/std) and Φ((b−mean)/std) (one draw per element, as PyTorch).
 * @param options `mean` 0, `std` 1, `a` −2, `b` 2, `generator`.
 * @example truncNormal_(zeros([3, 4]), { std: 0.02, a: -0.04, b: 0.04 })
 */
export function truncNormal_(t: Tensor, options: { mean?: number; std?: number; a?: number; b?: number } & GeneratorOption = {}): Tensor {
  const { mean = 0, std = 1, a = -2, b = 2, generator = defaultGenerator } = options;
  assertFloatTensor('truncNormal_', t);
  if (!(std > 0)) throw new ValueError(`truncNormal_: std must be positive, got ${std}`);
  if (!(a <= b)) throw new ValueError(`truncNormal_: expected a <= b, got a=${a}, b=${b}`);
  let alpha = (a - mean) / std;
  let beta = (b - mean) / std;
  // Work in the lower tail, where Φ is small and keeps its precision; flip the draws back.
  const flip = alpha > 0;
  if (flip) [alpha, beta] = [-beta, -alpha];
  const lo = normalCdf(alpha);
  const hi = normalCdf(beta);
  return fillWith(t, () => {
    const z = normalQuantile(generator.uniform(lo, hi));
    const x = mean + std * (flip ? -z : z);
    return Math.min(Math.max(x, a), b);
  });
}

/** Fills `t` with `value`. */
export function constant_(t: Tensor, value: number): Tensor {
  noGrad(() => t.data.fill(value));
  return t;
}

/** Fills `t` with zeros. */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fills `t` with ones. */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** Fills a 2-D `t` with the identity (ones on the main diagonal of a rectangular matrix). */
export function eye_(t: Tensor): Tensor {
  if (t.ndim !== 2) throw new ShapeError(`eye_: expected a 2-D tensor, got ${fmtShape(t.shape)}`);
  const [rows, cols] = t.shape as [number, number];
  noGrad(() => {
    t.data.fill(0);
    for (let i = 0; i < Math.min(rows, cols); i++) t.data[i * cols + i] = 1;
  });
  return t;
}

/**
 * Glorot / Xavier uniform: U(−bound, bound) with `bound = gain · √(6 / (fanIn + fanOut))`.
 * @param options `gain` (default 1), `generator`.
 * @example xavierUniform_(zeros([20, 10]), { gain: calculateGain('tanh') })
 */
export function xavierUniform_(t: Tensor, options: { gain?: number } & GeneratorOption = {}): Tensor {
  const { gain = 1, generator } = options;
  const { fanIn, fanOut } = computeFans(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, { a: -bound, b: bound, generator });
}

/**
 * Glorot / Xavier normal: N(0, std²) with `std = gain · √(2 / (fanIn + fanOut))`.
 * @param options `gain` (default 1), `generator`.
 */
export function xavierNormal_(t: Tensor, options: { gain?: number } & GeneratorOption = {}): Tensor {
  const { gain = 1, generator } = options;
  const { fanIn, fanOut } = computeFans(t);
  return normal_(t, { std: gain * Math.sqrt(2 / (fanIn + fanOut)), generator });
}

export interface KaimingOptions extends GeneratorOption {
  /** The negative slope of the leaky ReLU that follows (used only with 'leaky_relu'). Default 0. */
  a?: number;
  /** 'fanIn' (default) keeps the forward variance; 'fanOut' the backward one. */
  mode?: FanMode;
  /** Default 'leaky_relu' (with a = 0 that is ReLU's gain √2). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, t: Tensor, options: KaimingOptions): number {
  const { a = 0, mode = 'fanIn', nonlinearity = 'leaky_relu' } = options;
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new ValueError(`${op}: mode must be 'fanIn' or 'fanOut', got '${String(mode)}'`);
  const fans = computeFans(t);
  const fan = mode === 'fanIn' ? fans.fanIn : fans.fanOut;
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/**
 * He / Kaiming uniform: U(−bound, bound) with `bound = gain · √(3 / fan)`, gain from
 * `calculateGain(nonlinearity, a)` and fan by `mode`. A tensor with no elements is left alone.
 * Linear's weight init is `kaimingUniform_(w, { a: √5 })`, i.e. U(−1/√in, 1/√in).
 * @example kaimingUniform_(zeros([64, 32]), { nonlinearity: 'relu' })
 */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  if (t.size === 0) return t;
  const bound = Math.sqrt(3) * kaimingStd('kaimingUniform_', t, options);
  return uniform_(t, { a: -bound, b: bound, generator: options.generator });
}

/**
 * He / Kaiming normal: N(0, std²) with `std = gain / √fan` (see `kaimingUniform_`).
 * @example kaimingNormal_(zeros([64, 32]), { mode: 'fanOut', nonlinearity: 'relu' })
 */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  if (t.size === 0) return t;
  return normal_(t, { std: kaimingStd('kaimingNormal_', t, options), generator: options.generator });
}

/**
 * A (semi-)orthogonal matrix, as `torch.nn.init.orthogonal_`: `t` is viewed as
 * `[rows, cols]` with `rows = shape[0]`; a `[rows, cols]` standard normal matrix (transposed
 * when wide) is factored as QR and Q, made unique by giving R a positive diagonal, is scaled by
 * `gain`. Tall results have orthonormal columns (QᵀQ = I), wide ones orthonormal rows.
 * The QR runs in float64 by modified Gram–Schmidt with re-orthogonalisation, which yields that
 * positive-diagonal Q directly.
 * @param options `gain` (default 1), `generator`.
 * @example orthogonal_(zeros([40, 10]))
 */
export function orthogonal_(t: Tensor, options: { gain?: number } & GeneratorOption = {}): Tensor {
  const { gain = 1, generator = defaultGenerator } = options;
  assertFloatTensor('orthogonal_', t);
  if (t.ndim < 2) throw new ShapeError(`orthogonal_: expected a tensor with at least 2 dimensions, got ${fmtShape(t.shape)}`);
  if (t.size === 0) return t;
  const rows = t.shape[0]!;
  const cols = t.size / rows;
  const draws = new Float64Array(rows * cols);
  for (let i = 0; i < draws.length; i++) draws[i] = generator.normal();
  // Factor the tall one of A [rows, cols] and Aᵀ; store it column-major as m columns of length n.
  const wide = rows < cols;
  const n = wide ? cols : rows;
  const m = wide ? rows : cols;
  const q = new Float64Array(n * m); // column j at q[j*n .. j*n+n)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = draws[r * cols + c]!;
      if (wide) q[r * n + c] = v;
      else q[c * n + r] = v;
    }
  }
  gramSchmidt(q, n, m);
  noGrad(() => {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) t.data[r * cols + c] = gain * (wide ? q[r * n + c]! : q[c * n + r]!);
    }
  });
  return t;
}

/** Orthonormalises the m columns (each of length n ≥ m) of `q` in place, twice for stability. */
function gramSchmidt(q: Float64Array, n: number, m: number): void {
  for (let j = 0; j < m; j++) {
    const vj = j * n;
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        const vi = i * n;
        let dot = 0;
        for (let k = 0; k < n; k++) dot += q[vi + k]! * q[vj + k]!;
        for (let k = 0; k < n; k++) q[vj + k] = q[vj + k]! - dot * q[vi + k]!;
      }
    }
    let norm = 0;
    for (let k = 0; k < n; k++) norm += q[vj + k]! * q[vj + k]!;
    norm = Math.sqrt(norm);
    // A zero column has measure zero for Gaussian draws; PyTorch's sign(0) = 0 zeroes it too.
    const scale = norm > 0 ? 1 / norm : 0;
    for (let k = 0; k < n; k++) q[vj + k] = q[vj + k]! * scale;
  }
}
