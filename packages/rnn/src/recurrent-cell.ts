/**
 * The base of every single-step cell module (`RNNCell`, `GRUCell`, `LSTMCell`,
 * `PeepholeLSTMCell`): one `CellKind.step` on one batch of inputs, for loops the caller writes
 * itself (sampling, attention decoders). It owns what the cells share: the kind's parameters
 * under their base names, initialisation, shape checks and unbatched input.
 */
import {
  DTypeError,
  Generator,
  ShapeError,
  Tensor,
  ValueError,
  fmtShape,
  linear,
  nn,
  select,
  unsqueeze,
  zeros,
  type FloatDType,
} from '@tensorloom/core-tensor';
import type { CellDims, CellKind } from './cell-kind.js';
import { applyForgetBias, assertForgetBias, assertRecurrentInit, initRecurrentParameter, type RecurrentInit } from './recurrent-init.js';

export interface RecurrentCellOptions {
  /** Features of the input `x`. */
  inputSize: number;
  /** Features of the hidden state. */
  hiddenSize: number;
  /** Learn the kind's biases (`bias_ih`, `bias_hh`, …). Default true. */
  bias?: boolean;
  /** Initialisation scheme (see `initRecurrentParameter`). Default 'uniform' (PyTorch's U(−1/√H, 1/√H)). */
  init?: RecurrentInit;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for initialisation. Default: the global one. */
  generator?: Generator;
  /** Cells with a forget gate (LSTM): the forget bias set after any init (see `RecurrentLayerOptions`). */
  forgetBias?: number;
}

/**
 * The base of single-step cells over a `CellKind`. It registers the parameters of
 * `kind.parameterShapes` under their base names, in the kind's order and without the layers'
 * `_l{k}` suffix (PyTorch's cell names: `weight_ih` `[c·H, I]`, `weight_hh` `[c·H, H]`, `bias_ih`,
 * `bias_hh` `[c·H]`, or other recurrent weights such as the peephole `weight_ch`), draws them with
 * `initRecurrentParameter` under `init` (default 'uniform': every parameter from U(−1/√H, 1/√H)),
 * and runs one step with `stepState(x, state)`: x `[B, I]` or unbatched `[I]`, each state
 * `[B, size]` or `[size]`, zeros when absent.
 *
 * Subclasses give `forward` its public signature and expose their recurrent weights as getters;
 * `weight_ih` and `bias_ih`, which every kind has, are here. A cell's state dict loads into a
 * one-layer `RecurrentLayer` of the same kind by adding `_l0` to each key.
 *
 * @example
 * class GRUCell extends RecurrentCell<[Tensor, Tensor?], Tensor> {
 *   constructor(options: RecurrentCellOptions) { super(gruKind, options); }
 *   forward(x: Tensor, h?: Tensor): Tensor { return this.stepState(x, [h])[0]!; }
 * }
 */
export abstract class RecurrentCell<In extends unknown[], Out> extends nn.Module<In, Out> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly hasBias: boolean;
  readonly init: RecurrentInit;
  /** The forget bias set after init, or undefined (PyTorch's behaviour). */
  readonly forgetBias: number | undefined;
  readonly generator: Generator | undefined;
  /** What one step computes (the cell's parameters, state and update). */
  readonly kind: CellKind;
  /** The kind's parameter names, absent ones (no bias) included, in registration order. */
  private readonly baseNames: readonly string[];

  protected constructor(kind: CellKind, options: RecurrentCellOptions) {
    super();
    const { inputSize, hiddenSize, bias = true, init = 'uniform', dtype = 'float32', generator, forgetBias } = options;
    for (const [name, v] of [
      ['inputSize', inputSize],
      ['hiddenSize', hiddenSize],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ValueError(`${this.typeName}: ${name} must be a positive integer, got ${v}`);
    }
    assertRecurrentInit(this.typeName, init);
    assertForgetBias(this.typeName, forgetBias, kind.forgetGateBlock, bias);
    this.kind = kind;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.hasBias = bias;
    this.init = init;
    this.forgetBias = forgetBias;
    this.generator = generator;
    const shapes = kind.parameterShapes(this.dims);
    this.baseNames = Object.keys(shapes);
    for (const [name, shape] of Object.entries(shapes)) {
      this.registerParameter(name, shape === null ? null : Tensor.empty(shape, dtype));
    }
    this.resetParameters();
  }

  /** `[c·H, I]`: the input weights, gate blocks packed in the kind's order. */
  get weight_ih(): Tensor {
    return this.getParameter('weight_ih')!;
  }

  /** `[c·H]`, or null without bias. */
  get bias_ih(): Tensor | null {
    return this.getParameter('bias_ih');
  }

  private get dims(): CellDims {
    return { inputSize: this.inputSize, hiddenSize: this.hiddenSize, bias: this.hasBias, projSize: 0 };
  }

  protected override resetOwnParameters(generator: Generator | undefined = this.generator): void {
    const { forgetBias } = this;
    const block = this.kind.forgetGateBlock;
    for (const [name, p] of this.namedParameters({ recurse: false })) {
      initRecurrentParameter(name, p, this.init, this.hiddenSize, generator);
      if (forgetBias !== undefined && block !== undefined) applyForgetBias(name, p, block, this.hiddenSize, forgetBias);
    }
  }

  /**
   * One step from `x` (`[B, I]`, or `[I]` unbatched) and the state tensors in `kind.stateNames`
   * order (`[B, size]`, or `[size]`; undefined = zeros; a float state of another dtype is cast
   * to x's, as the layers do). Returns the new state, batched as `x` is.
   */
  protected stepState(x: Tensor, state: ReadonlyArray<Tensor | undefined>): Tensor[] {
    const name = this.typeName;
    if (x.dtype === 'int32') throw new DTypeError(`${name}: expected a float input, got int32`);
    if (x.ndim !== 1 && x.ndim !== 2)
      throw new ShapeError(`${name}: expected an input [B, ${this.inputSize}] or [${this.inputSize}], got ${fmtShape(x.shape)}`);
    if (x.shape[x.ndim - 1] !== this.inputSize)
      throw new ShapeError(`${name}: expected input features ${this.inputSize}, got ${fmtShape(x.shape)}`);
    const unbatched = x.ndim === 1;
    const xb = unbatched ? unsqueeze(x, 0) : x;
    const batch = xb.shape[0]!;
    const sizes = this.kind.stateSizes(this.dims);
    const current = this.kind.stateNames.map((stateName, i) => {
      const size = sizes[i]!;
      const given = state[i];
      if (given === undefined) return zeros([batch, size], { dtype: xb.dtype });
      const expected = unbatched ? [size] : [batch, size];
      if (given.ndim !== expected.length || given.shape.some((v, k) => v !== expected[k])) {
        throw new ShapeError(
          `${name}: expected state '${stateName}' of shape ${fmtShape(expected)} ` +
            `(as the input ${fmtShape(x.shape)}), got ${fmtShape(given.shape)}`,
        );
      }
      if (given.dtype === 'int32') throw new DTypeError(`${name}: expected a float state '${stateName}', got int32`);
      const cast = given.dtype === xb.dtype ? given : given.to(xb.dtype);
      return unbatched ? unsqueeze(cast, 0) : cast;
    });
    const params: Record<string, Tensor | null> = {};
    for (const base of this.baseNames) params[base] = this.getParameter(base);
    const next = this.kind.step(linear(xb, this.weight_ih, this.bias_ih), current, params);
    return unbatched ? next.map((s) => select(s, 0, 0)) : next;
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}`, `${this.hiddenSize}`];
    if (!this.hasBias) parts.push('bias=false');
    if (this.init !== 'uniform') parts.push(`init=${this.init}`);
    if (this.forgetBias !== undefined) parts.push(`forgetBias=${this.forgetBias}`);
    return parts.join(', ');
  }
}
