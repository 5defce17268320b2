/**
 * The machinery shared by every multi-layer recurrent layer (`RNN`, `GRU`, `LSTM`, `PeepholeLSTM`):
 * PyTorch's parameter names and order, initialisation, layers, directions, `batchFirst`, dropout
 * between layers, initial and final states, and variable-length batches. What a step computes
 * comes from the layer's `CellKind`.
 */
import {
  DTypeError,
  type EmbeddingSource,
  Generator,
  IndexError,
  ShapeError,
  Tensor,
  ValueError,
  concat,
  dropout,
  embeddingProjection,
  embeddingSource,
  fmtShape,
  linear,
  nn,
  select,
  stack,
  tensor,
  transpose,
  unsqueeze,
  zeros,
  type FloatDType,
} from '@tensorloom/core-tensor';
import type { CellDims, CellKind } from './cell-kind.js';
import { applyForgetBias, assertForgetBias, assertRecurrentInit, initRecurrentParameter, type RecurrentInit } from './recurrent-init.js';
import { unroll } from './unroll.js';

// `RecurrentInit` lives with the init function; re-exported beside the layer options that use it.
export type { RecurrentInit } from './recurrent-init.js';

export interface RecurrentLayerOptions {
  /** Features of each input step (the last axis of the input). */
  inputSize: number;
  /** Features of the hidden state. */
  hiddenSize: number;
  /** Stacked layers; layer k > 0 reads layer k−1's output. Default 1. */
  numLayers?: number;
  /** Learn `bias_ih` and `bias_hh`. Default true. */
  bias?: boolean;
  /** Input and output are `[B, T, F]` instead of `[T, B, F]`. Default false. */
  batchFirst?: boolean;
  /** Dropout probability on each layer's output except the last (training mode only). Default 0. */
  dropout?: number;
  /** Run a second, reversed pass per layer and concatenate the two outputs. Default false. */
  bidirectional?: boolean;
  /** Initialisation scheme. Default 'uniform' (PyTorch's). */
  init?: RecurrentInit;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for initialisation and dropout. Default: the global one. */
  generator?: Generator;
  /**
   * Cells with a forget gate (LSTM): after any init, the forget block of `bias_ih` is set to this
   * and that of `bias_hh` to 0. Default: none (PyTorch's behaviour).
   */
  forgetBias?: number;
}

/** The state of a layer: one tensor per state name, each `[numLayers·numDirections, B, size]` (or `[L·D, size]` unbatched). */
export type LayerState<Names extends string> = Record<Names, Tensor>;

export interface RecurrentForwardOptions<Names extends string> {
  /** The initial state; missing tensors are zeros. */
  state?: Partial<LayerState<Names>>;
  /**
   * The real length of each sequence of the batch (padding at the end), `B` integers in 0..T.
   * Padded steps do not update the state and give zero outputs.
   */
  lengths?: readonly number[] | Tensor;
  /** A validity mask instead of lengths: `[B, T]` with `batchFirst`, else `[T, B]`; nonzero = real step. */
  mask?: Tensor;
}

export interface RecurrentOutput<Names extends string> {
  /** `[T, B, D·outputSize]` (`[B, T, …]` with batchFirst): the last layer's output at every step. */
  output: Tensor;
  /** The final state of every layer and direction, ordered as PyTorch's `h_n`: layer-major, forward before reverse. */
  state: LayerState<Names>;
}

/**
 * The base of the multi-layer recurrent layers over a `CellKind`: registers, per layer k and
 * direction, the kind's parameters under PyTorch's names (`weight_ih_l{k}`, `bias_hh_l{k}_reverse`,
 * …), initialises them with `initRecurrentParameter` under `init` (default 'uniform':
 * U(−1/√H, 1/√H)), and runs `forward(input [T, B, I], { state?, lengths?, mask? })` to
 * `{ output [T, B, D·outputSize], state }` through `unroll`. A layer is a thin subclass.
 *
 * When the input is the output of an embedding lookup itself (`nn.Embedding`, `embedding`; nothing
 * in between) with more tokens than table rows, layer 0 takes its input projection from the table:
 * `(E·W_ihᵀ)[tokens]` (`embeddingProjection`), V rows of GEMM instead of T·B, forward and
 * backward; the gradient reaches E through the table. Same values to rounding. Measured on
 * char-LSTM config A (V 80, E 64, H 128, T = B = 64, wasm, 1 thread): about 75 → 56 ms per step.
 *
 * @example
 * class GRU extends RecurrentLayer<'h'> {
 *   constructor(options: RecurrentLayerOptions) { super(gruKind, options); }
 * }
 */
export abstract class RecurrentLayer<Names extends string> extends nn.Module<
  [Tensor, RecurrentForwardOptions<Names>?],
  RecurrentOutput<Names>
> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly hasBias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  readonly init: RecurrentInit;
  /** The forget bias set after init, or undefined (PyTorch's behaviour). */
  readonly forgetBias: number | undefined;
  readonly generator: Generator | undefined;
  /** What one step computes (the cell's parameters, state and update). */
  readonly kind: CellKind;
  /** Base parameter names of one layer-direction, in registration order. */
  private readonly baseNames: string[];

  protected constructor(kind: CellKind, options: RecurrentLayerOptions & { projSize?: number }) {
    super();
    const typeName = kind.name;
    const {
      inputSize,
      hiddenSize,
      numLayers = 1,
      bias = true,
      batchFirst = false,
      dropout: p = 0,
      bidirectional = false,
      projSize = 0,
      init = 'uniform',
      dtype = 'float32',
      generator,
      forgetBias,
    } = options;
    for (const [name, v, min] of [
      ['inputSize', inputSize, 1],
      ['hiddenSize', hiddenSize, 1],
      ['numLayers', numLayers, 1],
      ['projSize', projSize, 0],
    ] as const) {
      if (!Number.isInteger(v) || v < min) throw new ValueError(`${typeName}: ${name} must be an integer ≥ ${min}, got ${v}`);
    }
    if (projSize >= hiddenSize)
      throw new ValueError(`${typeName}: projSize must be smaller than hiddenSize (${hiddenSize}), got ${projSize}`);
    if (!(p >= 0 && p <= 1)) throw new ValueError(`${typeName}: dropout must be in [0, 1], got ${p}`);
    assertRecurrentInit(typeName, init);
    assertForgetBias(typeName, forgetBias, kind.forgetGateBlock, bias);
    this.kind = kind;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.hasBias = bias;
    this.batchFirst = batchFirst;
    this.dropout = p;
    this.bidirectional = bidirectional;
    this.projSize = projSize;
    this.init = init;
    this.forgetBias = forgetBias;
    this.generator = generator;
    const directions = bidirectional ? 2 : 1;
    const outSize = projSize > 0 ? projSize : hiddenSize;
    this.baseNames = [];
    for (let layer = 0; layer < numLayers; layer++) {
      const dims: CellDims = { inputSize: layer === 0 ? inputSize : outSize * directions, hiddenSize, bias, projSize };
      const shapes = kind.parameterShapes(dims);
      if (layer === 0) this.baseNames.push(...Object.keys(shapes));
      for (let d = 0; d < directions; d++) {
        for (const [base, shape] of Object.entries(shapes)) {
          this.registerParameter(this.paramName(base, layer, d), shape === null ? null : Tensor.empty(shape, dtype));
        }
      }
    }
    this.resetParameters();
  }

  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Size of each step's output per direction (projSize when projecting, else hiddenSize). */
  get outputSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  /** PyTorch's name of a parameter: `weight_ih_l0`, `bias_hh_l1_reverse`, … */
  paramName(base: string, layer: number, direction: number): string {
    return `${base}_l${layer}${direction === 1 ? '_reverse' : ''}`;
  }

  /** The parameters of one layer-direction by base name. */
  layerParameters(layer: number, direction: number): Record<string, Tensor | null> {
    const out: Record<string, Tensor | null> = {};
    for (const base of this.baseNames) out[base] = this.getParameter(this.paramName(base, layer, direction));
    return out;
  }

  protected override resetOwnParameters(generator: Generator | undefined = this.generator): void {
    const { forgetBias } = this;
    const block = this.kind.forgetGateBlock;
    for (const [name, p] of this.namedParameters({ recurse: false })) {
      initRecurrentParameter(name, p, this.init, this.hiddenSize, generator);
      if (forgetBias !== undefined && block !== undefined) applyForgetBias(name, p, block, this.hiddenSize, forgetBias);
    }
  }

  forward(input: Tensor, options: RecurrentForwardOptions<Names> = {}): RecurrentOutput<Names> {
    const name = this.kind.name;
    if (input.dtype === 'int32') throw new DTypeError(`${name}: expected a float input, got int32`);
    const unbatched = input.ndim === 2;
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new ShapeError(
        `${name}: expected an input of rank 3 ([${this.batchFirst ? 'B, T' : 'T, B'}, ` +
          `${this.inputSize}]) or 2 ([T, ${this.inputSize}]), got ${fmtShape(input.shape)}`,
      );
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${name}: expected input features ${this.inputSize}, got ${fmtShape(input.shape)}`);
    }
    // Work in [T, B, F]. Layer 0 reading an embedding's output skips it: its projection is a lookup.
    const fold = this.embeddingFold(input, unbatched);
    let x: Tensor | undefined =
      fold !== undefined ? undefined : unbatched ? unsqueeze(input, 1) : this.batchFirst ? transpose(input, 0, 1) : input;
    const [steps, batch] = unbatched
      ? [input.shape[0]!, 1]
      : this.batchFirst
        ? [input.shape[1]!, input.shape[0]!]
        : [input.shape[0]!, input.shape[1]!];
    const dtype = input.dtype;
    const mask = this.buildMask(options, steps, batch, unbatched, dtype);
    const directions = this.numDirections;
    const stateNames = this.kind.stateNames;
    const dims: CellDims = { inputSize: this.inputSize, hiddenSize: this.hiddenSize, bias: this.hasBias, projSize: this.projSize };
    const sizes = this.kind.stateSizes(dims);
    const initial = stateNames.map((s, i) => this.initialState(options.state?.[s as Names], s, sizes[i]!, batch, unbatched, dtype));
    const finals: Tensor[][] = stateNames.map(() => []);
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outputs: Tensor[] = [];
      for (let d = 0; d < directions; d++) {
        const params = this.layerParameters(layer, d);
        // b_ih goes to unroll apart: the fused sequence adds it in its kernel, the steps add it first.
        const xProj =
          layer === 0 && fold !== undefined
            ? embeddingProjection(fold.weight, fold.indices, params.weight_ih!, { paddingIdx: fold.paddingIdx })
            : linear(x!, params.weight_ih!);
        const start = initial.map((s) => select(s, 0, layer * directions + d));
        const result = unroll(this.kind, xProj, start, params, {
          reverse: d === 1,
          inputBias: params.bias_ih ?? null,
          ...(mask ? { mask } : {}),
        });
        outputs.push(result.output);
        result.state.forEach((s, i) => finals[i]!.push(s));
      }
      x = directions === 2 ? concat(outputs, -1) : outputs[0]!;
      if (layer < this.numLayers - 1 && this.dropout > 0 && this.training) {
        x = dropout(x, this.dropout, { training: true, ...(this.generator ? { generator: this.generator } : {}) });
      }
    }
    const state = {} as LayerState<Names>;
    stateNames.forEach((s, i) => {
      const stacked = stack(finals[i]!, 0);
      state[s as Names] = unbatched ? select(stacked, 1, 0) : stacked;
    });
    const last = x!; // set by every layer
    const output = unbatched ? select(last, 1, 0) : this.batchFirst ? transpose(last, 0, 1) : last;
    return { output, state };
  }

  /**
   * The embedding lookup `input` is, as time-major `[T, B]` indices, when layer 0 can take its
   * input projection from the table (`embeddingProjection`): `input` is the very tensor an
   * embedding returned (nothing in between), in the layer's dtype, with fewer table rows than
   * steps × batch, and nobody asked for its gradient (`retainGrad`: the fold bypasses it).
   * Otherwise undefined, and the layer multiplies the input itself.
   */
  private embeddingFold(input: Tensor, unbatched: boolean): EmbeddingSource | undefined {
    const source = input.retainsGrad ? undefined : embeddingSource(input);
    const weightIh = this.getParameter(this.paramName('weight_ih', 0, 0));
    if (source === undefined || weightIh === null || source.weight.dtype !== weightIh.dtype) return undefined;
    const { indices } = source;
    if (source.weight.shape[0]! >= indices.size || indices.ndim !== input.ndim - 1) return undefined;
    if (unbatched) return { ...source, indices: indices.reshape([indices.size, 1]) };
    return this.batchFirst ? { ...source, indices: transpose(indices, 0, 1) } : source;
  }

  private initialState(
    given: Tensor | undefined,
    stateName: string,
    size: number,
    batch: number,
    unbatched: boolean,
    dtype: Tensor['dtype'],
  ): Tensor {
    const layers = this.numLayers * this.numDirections;
    const expected = unbatched ? [layers, size] : [layers, batch, size];
    if (given === undefined) return zeros([layers, batch, size], { dtype });
    if (given.shape.length !== expected.length || given.shape.some((v, i) => v !== expected[i])) {
      throw new ShapeError(
        `${this.kind.name}: expected initial state '${stateName}' of shape ${fmtShape(expected)}, got ${fmtShape(given.shape)}`,
      );
    }
    const g = given.dtype === dtype ? given : given.to(dtype);
    return unbatched ? unsqueeze(g, 1) : g;
  }

  private buildMask(
    options: RecurrentForwardOptions<Names>,
    steps: number,
    batch: number,
    unbatched: boolean,
    dtype: Tensor['dtype'],
  ): Tensor | undefined {
    const name = this.kind.name;
    if (options.lengths !== undefined && options.mask !== undefined) throw new ValueError(`${name}: pass lengths or mask, not both`);
    if (options.lengths !== undefined) {
      const lengths = options.lengths instanceof Tensor ? Array.from(options.lengths.data) : [...options.lengths];
      if (lengths.length !== batch) throw new ShapeError(`${name}: expected ${batch} lengths (one per sequence), got ${lengths.length}`);
      const m = new Array<number>(steps * batch).fill(0);
      lengths.forEach((len, b) => {
        if (!Number.isInteger(len) || len < 0 || len > steps)
          throw new IndexError(`${name}: lengths must be integers in 0..${steps}, got ${len} for sequence ${b}`);
        for (let t = 0; t < len; t++) m[t * batch + b] = 1;
      });
      return tensor(m, { shape: [steps, batch, 1], dtype });
    }
    if (options.mask !== undefined) {
      const given = options.mask;
      const expected = unbatched ? [steps] : this.batchFirst ? [batch, steps] : [steps, batch];
      if (given.shape.length !== expected.length || given.shape.some((v, i) => v !== expected[i])) {
        throw new ShapeError(`${name}: expected a mask of shape ${fmtShape(expected)}, got ${fmtShape(given.shape)}`);
      }
      const tb = unbatched ? unsqueeze(given, 1) : this.batchFirst ? transpose(given, 0, 1) : given;
      return unsqueeze(tb.ne(0), 2).to(dtype);
    }
    return undefined;
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}`, `${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`numLayers=${this.numLayers}`);
    if (!this.hasBias) parts.push('bias=false');
    if (this.batchFirst) parts.push('batchFirst=true');
    if (this.dropout !== 0) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push('bidirectional=true');
    if (this.projSize !== 0) parts.push(`projSize=${this.projSize}`);
    if (this.forgetBias !== undefined) parts.push(`forgetBias=${this.forgetBias}`);
    return parts.join(', ');
  }
}
