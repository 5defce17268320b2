/**
 * Recurrent steppers: a token model (embedding → stacked LSTM → linear head) stepped one token per
 * row at a time, for generation, with its weights handed to the backend once instead of on every
 * step. Stepping the model's modules instead costs a dozen ops per step, each copying (and, for the
 * GEMMs, packing) the same weights into the wasm memory again: at textgen's default model (64 → 2 ×
 * LSTM 128 → 80) and batch 1, ~175 µs per character, most of it copies, packing and op overhead.
 * Inference only: nothing is recorded for autograd.
 */
import { noGrad } from '../autograd.js';
import type { LSTMStepperKernel } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { isFloatDType, type FloatArray, type FloatDType } from '../dtype.js';
import { BackendError, DTypeError, IndexError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { add } from './arithmetic.js';
import { linear } from './matmul.js';

/** The weights of one LSTM layer, under PyTorch's names and shapes (gates packed i, f, g, o). */
export interface LSTMStepperLayerWeights {
  /** W_ih `[4H, in]`: in = E for layer 0, H above. */
  weightIH: Tensor;
  /** W_hh `[4H, H]`. */
  weightHH: Tensor;
  /** b_ih `[4H]` (default none). */
  biasIH?: Tensor | null;
  /** b_hh `[4H]` (default none). */
  biasHH?: Tensor | null;
}

/** Options of {@link lstmStepper}. */
export interface LSTMStepperOptions {
  /** The embedding table `[V, E]`: token t's input is row t. */
  embedding: Tensor;
  /** The L ≥ 1 stacked layers (unidirectional, no projection). */
  layers: readonly LSTMStepperLayerWeights[];
  /** The linear head: weight `[O, H]`, bias `[O]` (default none). */
  head: { weight: Tensor; bias?: Tensor | null };
  /** B, the rows every step advances (sequences generated side by side). */
  batchSize: number;
}

/** The state of a stepper: h and c, `[L, B, H]` each, as `nn.LSTM` carries it. */
export interface LSTMStepperState {
  h: Tensor;
  c: Tensor;
}

function expectShape(name: string, x: Tensor, shape: readonly number[]): void {
  if (x.ndim !== shape.length || x.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(`lstmStepper: expected ${name} of shape ${fmtShape(shape)}, got ${fmtShape(x.shape)}`);
  }
}

/**
 * An embedding → L-layer LSTM → linear model stepped B rows at a time (see {@link lstmStepper}).
 * It holds copies of the weights taken when it was made (training the model afterwards does not
 * change it) and the state, on the backend that was current then; `dispose()` frees them (the
 * wasm backend's memory region; a stepper that is garbage-collected undisposed is freed too, later).
 */
export class LSTMStepper {
  /** B. */
  readonly batchSize: number;
  /** L. */
  readonly numLayers: number;
  /** H. */
  readonly hiddenSize: number;
  /** V, the token ids accepted. */
  readonly vocabSize: number;
  /** O, the logits per row. */
  readonly outputSize: number;
  readonly dtype: FloatDType;
  private kernel: LSTMStepperKernel | null;
  private readonly logits: FloatArray;

  /** Made by {@link lstmStepper}. */
  constructor(
    kernel: LSTMStepperKernel,
    sizes: { batchSize: number; numLayers: number; hiddenSize: number; vocabSize: number; outputSize: number },
    dtype: FloatDType,
  ) {
    this.kernel = kernel;
    this.batchSize = sizes.batchSize;
    this.numLayers = sizes.numLayers;
    this.hiddenSize = sizes.hiddenSize;
    this.vocabSize = sizes.vocabSize;
    this.outputSize = sizes.outputSize;
    this.dtype = dtype;
    const size = this.batchSize * this.outputSize;
    this.logits = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
  }

  /** Whether `dispose()` has run. */
  get disposed(): boolean {
    return this.kernel === null;
  }

  /**
   * One step of every row: `tokens` (B ids in [0, V)) in, logits `[B, O]` out, row-major, in the
   * stepper's own array, which the next step overwrites (copy what you keep). Throws `ShapeError`
   * for a wrong count, `IndexError` for an id out of range, `BackendError` after `dispose()`.
   */
  step(tokens: Int32Array): FloatArray {
    const kernel = this.live('step');
    if (tokens.length !== this.batchSize) {
      throw new ShapeError(`LSTMStepper.step: expected ${this.batchSize} tokens (one per row), got ${tokens.length}`);
    }
    for (let r = 0; r < tokens.length; r++) {
      const t = tokens[r]!;
      if (!(t >= 0 && t < this.vocabSize)) {
        throw new IndexError(`LSTMStepper.step: token ${t} of row ${r} is out of range for a vocabulary of ${this.vocabSize}`);
      }
    }
    kernel.step(tokens, this.logits);
    return this.logits;
  }

  /** A copy of the state: h and c, `[L, B, H]` each. */
  getState(): LSTMStepperState {
    const kernel = this.live('getState');
    const shape = [this.numLayers, this.batchSize, this.hiddenSize];
    const h = Tensor.empty(shape, this.dtype);
    const c = Tensor.empty(shape, this.dtype);
    kernel.readState(h.data as FloatArray, c.data as FloatArray);
    return { h, c };
  }

  /** Sets the state (h and c `[L, B, H]`, cast to the stepper's dtype), e.g. from a forward pass over a prompt. */
  setState(state: LSTMStepperState): void {
    const kernel = this.live('setState');
    const shape = [this.numLayers, this.batchSize, this.hiddenSize];
    const arrays = [state.h, state.c].map((x, i) => {
      if (!(x instanceof Tensor)) throw new ValueError('LSTMStepper.setState: expected { h, c } tensors');
      if (!isFloatDType(x.dtype)) throw new DTypeError(`LSTMStepper.setState: expected a float state, got ${x.dtype}`);
      if (x.ndim !== 3 || x.shape.some((d, k) => d !== shape[k])) {
        throw new ShapeError(`LSTMStepper.setState: expected ${i === 0 ? 'h' : 'c'} of shape ${fmtShape(shape)}, got ${fmtShape(x.shape)}`);
      }
      return (x.dtype === this.dtype ? x.data : x.to(this.dtype).data) as FloatArray;
    });
    kernel.writeState(arrays[0]!, arrays[1]!);
  }

  /** Sets the state to zeros (a new sequence). */
  resetState(): void {
    const kernel = this.live('resetState');
    const zeros =
      this.dtype === 'float32'
        ? new Float32Array(this.numLayers * this.batchSize * this.hiddenSize)
        : new Float64Array(this.numLayers * this.batchSize * this.hiddenSize);
    kernel.writeState(zeros, zeros);
  }

  /** Frees the weights and state the backend holds. Disposing twice does nothing. */
  dispose(): void {
    this.kernel?.dispose();
    this.kernel = null;
  }

  private live(op: string): LSTMStepperKernel {
    if (this.kernel === null) throw new BackendError(`LSTMStepper.${op}: the stepper was disposed`);
    return this.kernel;
  }
}

/**
 * A stepper of the token model `logits = head(LSTM(embedding(tokens)))` for `batchSize` rows:
 *
 * ```
 * gates⁰ = T[x_t] + h⁰·W_hh⁰ᵀ          T = E·W_ih⁰ᵀ + b_ih⁰ + b_hh⁰   [V, 4H], built once
 * gatesᵏ = hᵏ⁻¹·W_ihᵏᵀ + hᵏ·W_hhᵏᵀ + b_ihᵏ + b_hhᵏ                        (k ≥ 1)
 * c = σ(f) ⊙ c + σ(i) ⊙ tanh(g),  h = σ(o) ⊙ tanh(c)                       (PyTorch's LSTM cell)
 * logits = h^(L−1)·Wᵀ + b
 * ```
 *
 * Layer 0's input projection is a row of the folded table T per token (V = 80 rows against one
 * product per step). The state starts at zero. The backend (`Backend.createLstmStepper`) keeps the
 * weights: the wasm backend (float32) packs them into its memory once and runs a whole step in one
 * call; float64 and other backends step in js. Equal to stepping the modules (`nn.Embedding`, the
 * LSTM, `nn.Linear`) up to rounding. All weights must share one float dtype (`DTypeError`).
 *
 * @example
 * const stepper = lstmStepper({ embedding: E, layers: [{ weightIH, weightHH, biasIH, biasHH }], head: { weight, bias }, batchSize: 1 });
 * const logits = stepper.step(Int32Array.of(3)); // [1, O]
 * stepper.dispose();
 */
export function lstmStepper(options: LSTMStepperOptions): LSTMStepper {
  const { embedding, layers, head, batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ValueError(`lstmStepper: batchSize must be a positive integer, got ${batchSize}`);
  if (layers.length === 0) throw new ValueError('lstmStepper: expected at least one LSTM layer');
  if (embedding.ndim !== 2) throw new ShapeError(`lstmStepper: expected an embedding of shape [V, E], got ${fmtShape(embedding.shape)}`);
  const [vocabSize, embeddingDim] = embedding.shape as [number, number];
  const hiddenSize = layers[0]!.weightHH.shape[1] ?? 0;
  if (!Number.isInteger(hiddenSize) || hiddenSize < 1) {
    throw new ShapeError(
      `lstmStepper: expected weightHH of layer 0 of shape [4H, H] with H ≥ 1, got ${fmtShape(layers[0]!.weightHH.shape)}`,
    );
  }
  const H4 = 4 * hiddenSize;
  const dtype = embedding.dtype;
  if (!isFloatDType(dtype)) throw new DTypeError(`lstmStepper: expected a float embedding, got ${dtype}`);
  const tensors: Tensor[] = [embedding, head.weight];
  layers.forEach((layer, k) => {
    expectShape(`weightIH of layer ${k}`, layer.weightIH, [H4, k === 0 ? embeddingDim : hiddenSize]);
    expectShape(`weightHH of layer ${k}`, layer.weightHH, [H4, hiddenSize]);
    tensors.push(layer.weightIH, layer.weightHH);
    for (const [name, bias] of [
      ['biasIH', layer.biasIH],
      ['biasHH', layer.biasHH],
    ] as const) {
      if (bias === null || bias === undefined) continue;
      expectShape(`${name} of layer ${k}`, bias, [H4]);
      tensors.push(bias);
    }
  });
  if (head.weight.ndim !== 2 || head.weight.shape[1] !== hiddenSize) {
    throw new ShapeError(`lstmStepper: expected a head weight of shape [O, ${hiddenSize}], got ${fmtShape(head.weight.shape)}`);
  }
  const outputSize = head.weight.shape[0]!;
  if (head.bias !== null && head.bias !== undefined) {
    expectShape('head bias', head.bias, [outputSize]);
    tensors.push(head.bias);
  }
  for (const t of tensors) {
    if (t.dtype !== dtype) throw new DTypeError(`lstmStepper: every weight must be ${dtype} (the embedding's dtype), got a ${t.dtype} one`);
  }
  const biasOf = (layer: LSTMStepperLayerWeights): Tensor | null => {
    const { biasIH, biasHH } = layer;
    if (biasIH && biasHH) return add(biasIH, biasHH);
    return biasIH ?? biasHH ?? null;
  };
  const kernel = noGrad(() => {
    const table = linear(embedding, layers[0]!.weightIH, biasOf(layers[0]!));
    return getBackend().createLstmStepper({
      inputTable: table.data as FloatArray,
      tokens: vocabSize,
      layers: layers.map((layer, k) => ({
        weightIH: k === 0 ? null : (layer.weightIH.data as FloatArray),
        weightHH: layer.weightHH.data as FloatArray,
        bias: k === 0 ? null : ((biasOf(layer)?.data as FloatArray | undefined) ?? null),
      })),
      hidden: hiddenSize,
      headWeight: head.weight.data as FloatArray,
      headBias: (head.bias?.data as FloatArray | undefined) ?? null,
      outputs: outputSize,
      rows: batchSize,
    });
  });
  return new LSTMStepper(kernel, { batchSize, numLayers: layers.length, hiddenSize, vocabSize, outputSize }, dtype);
}
