/**
 * The character-level language model of the course (Assignment 2, Part 2): embedding → stacked
 * LSTM → linear, predicting the next character at every step.
 */
import {
  DTypeError,
  ShapeError,
  Tensor,
  ValueError,
  defaultGenerator,
  dropout,
  fmtShape,
  lstmStepper,
  nn,
  transpose,
  zeros,
  type FloatDType,
  type Generator,
  type LSTMStepper,
} from '@tensorloom/core-tensor';
import { LSTM } from '@tensorloom/lstm';
import type { RecurrentInit } from '@tensorloom/rnn';

/** The model's hyper-parameters: what a checkpoint's `config.json` stores to rebuild it. */
export interface TextGenerationModelConfig {
  /** V, the number of token ids (the tokenizer's `vocabSize`). */
  vocabSize: number;
  /** E, the size of each character's embedding. */
  embeddingDim: number;
  /** H, the LSTM's hidden size. */
  hiddenSize: number;
  /** L, the stacked LSTM layers. */
  numLayers: number;
  /** Dropout probability between the LSTM layers and before the linear layer (training only). */
  dropout: number;
  /** The LSTM's initialisation (`@tensorloom/rnn`'s `RecurrentInit`). */
  init: RecurrentInit;
  /** The LSTM's forget-gate bias after init, or null for PyTorch's behaviour. */
  forgetBias: number | null;
  /** Parameter dtype. */
  dtype: FloatDType;
}

export interface TextGenerationModelOptions {
  /** V, the number of token ids (the tokenizer's `vocabSize`). Required. */
  vocabSize: number;
  /** E. Default 64. */
  embeddingDim?: number;
  /** H. Default 128 (the course's). */
  hiddenSize?: number;
  /** L. Default 2 (the course's). */
  numLayers?: number;
  /** Dropout between the LSTM layers and before the linear layer, in training mode. Default 0. */
  dropout?: number;
  /** The LSTM's init. Default 'uniform' (PyTorch's U(−1/√H, 1/√H)). */
  init?: RecurrentInit;
  /** The LSTM's forget-gate bias after init (1 is common). Default none (PyTorch's behaviour). */
  forgetBias?: number | null;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for init and dropout. Default: the global one. Checkpoints save its state. */
  generator?: Generator;
}

/** The recurrent state carried between calls: `h` and `c`, each `[L, B, H]`. */
export interface TextGenerationState {
  h: Tensor;
  c: Tensor;
}

export interface TextGenerationOutput {
  /** Unnormalised next-character scores: `[B, T, V]` from `forward`, `[B, V]` from `step`. */
  logits: Tensor;
  /** The state after the last step, to pass to the next call. */
  state: TextGenerationState;
}

/** The defaults of `TextGenerationModelOptions`, as a config without `vocabSize`. */
export const DEFAULT_MODEL_CONFIG: Omit<TextGenerationModelConfig, 'vocabSize'> = Object.freeze({
  embeddingDim: 64,
  hiddenSize: 128,
  numLayers: 2,
  dropout: 0,
  init: 'uniform',
  forgetBias: null,
  dtype: 'float32',
});

/**
 * A character-level language model: `logits = linear(dropout(LSTM(embedding(tokens))))`.
 *
 * ```
 * e_t = E[x_t]                                   (embedding.weight [V, E])
 * h_t^(1..L), c_t^(1..L) = LSTM(e_t, state)      (L layers, dropout p between them)
 * logits_t = W·dropout(h_t^(L)) + b              (linear.weight [V, H], linear.bias [V])
 * p(x_{t+1} | x_≤t) = softmax(logits_t)
 * ```
 *
 * - Options (defaults): `vocabSize` (required), `embeddingDim` 64, `hiddenSize` 128,
 *   `numLayers` 2, `dropout` 0, `init` 'uniform', `forgetBias` none, `dtype` 'float32',
 *   `generator` the global one (init and dropout; checkpoints save its state).
 * - `forward(tokens, state?)`: int32 tokens `[B, T]` (batch-first) → `{ logits [B, T, V],
 *   state }`; the state `{ h, c }` (each `[L, B, H]`, zeros when omitted) carries over to the next
 *   call. `step(tokens [B], state?)` runs one step → `{ logits [B, V], state }`, for sampling.
 * - Parameters under PyTorch's names: `embedding.weight` `[V, E]`, `lstm.weight_ih_l{k}`,
 *   `lstm.weight_hh_l{k}`, `lstm.bias_ih_l{k}`, `lstm.bias_hh_l{k}` (gates i, f, g, o), and
 *   `linear.weight` `[V, H]`, `linear.bias` `[V]`: a PyTorch module with attributes `embedding`
 *   (`nn.Embedding`), `lstm` (`nn.LSTM(batch_first=True)`) and `linear` (`nn.Linear`) loads
 *   the same state dict.
 * - Init: PyTorch's defaults (embedding N(0, 1), LSTM U(−1/√H, 1/√H), linear
 *   U(−1/√H, 1/√H)); `init` changes the LSTM's.
 *
 * @example
 * const model = new TextGenerationModel({ vocabSize: tokenizer.vocabSize, generator: new Generator(0) });
 * const { logits, state } = model.call(batch.inputs);  // [64, 30, V]
 * const next = model.step(tensor([3], { dtype: 'int32' }), state); // logits [1, V]
 */
export class TextGenerationModel extends nn.Module<[Tensor, TextGenerationState?], TextGenerationOutput> {
  /** The hyper-parameters (JSON-safe). */
  readonly config: Readonly<TextGenerationModelConfig>;
  /** The generator of init and dropout. */
  readonly generator: Generator;

  constructor(options: TextGenerationModelOptions) {
    super();
    const d = DEFAULT_MODEL_CONFIG;
    const config: TextGenerationModelConfig = {
      vocabSize: options.vocabSize,
      embeddingDim: options.embeddingDim ?? d.embeddingDim,
      hiddenSize: options.hiddenSize ?? d.hiddenSize,
      numLayers: options.numLayers ?? d.numLayers,
      dropout: options.dropout ?? d.dropout,
      init: options.init ?? d.init,
      forgetBias: options.forgetBias ?? d.forgetBias,
      dtype: options.dtype ?? d.dtype,
    };
    const { vocabSize, embeddingDim, hiddenSize, numLayers, dropout: p, init, forgetBias, dtype } = config;
    for (const [name, value] of [
      ['vocabSize', vocabSize],
      ['embeddingDim', embeddingDim],
      ['hiddenSize', hiddenSize],
      ['numLayers', numLayers],
    ] as const) {
      if (!Number.isInteger(value) || value < 1)
        throw new ValueError(`TextGenerationModel: ${name} must be a positive integer, got ${value}`);
    }
    if (!(p >= 0 && p < 1)) throw new ValueError(`TextGenerationModel: dropout must be in [0, 1), got ${p}`);
    this.config = Object.freeze(config);
    const generator = options.generator ?? defaultGenerator;
    this.generator = generator;
    this.registerModule('embedding', new nn.Embedding({ numEmbeddings: vocabSize, embeddingDim, dtype, generator }));
    this.registerModule(
      'lstm',
      new LSTM({
        inputSize: embeddingDim,
        hiddenSize,
        numLayers,
        dropout: p,
        init,
        dtype,
        generator,
        ...(forgetBias === null ? {} : { forgetBias }),
      }),
    );
    this.registerModule('linear', new nn.Linear({ inFeatures: hiddenSize, outFeatures: vocabSize, dtype, generator }));
  }

  /** A model with a saved config (from a checkpoint's `config.json`); weights freshly drawn. */
  static fromConfig(config: TextGenerationModelConfig, options: { generator?: Generator } = {}): TextGenerationModel {
    return new TextGenerationModel({ ...config, ...options });
  }

  get embedding(): nn.Embedding {
    return this.getSubmodule('embedding') as nn.Embedding;
  }

  get lstm(): LSTM {
    return this.getSubmodule('lstm') as LSTM;
  }

  get linear(): nn.Linear {
    return this.getSubmodule('linear') as nn.Linear;
  }

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  /** The zero state for `batchSize` sequences: `h`, `c` each `[L, B, H]`. */
  initialState(batchSize: number): TextGenerationState {
    const { numLayers, hiddenSize, dtype } = this.config;
    return { h: zeros([numLayers, batchSize, hiddenSize], { dtype }), c: zeros([numLayers, batchSize, hiddenSize], { dtype }) };
  }

  /** int32 tokens `[B, T]` → `{ logits [B, T, V], state }`. */
  forward(tokens: Tensor, state?: TextGenerationState): TextGenerationOutput {
    this.checkTokens('forward', tokens, 2, '[B, T]');
    const out = this.forwardTimeMajor(transpose(tokens, 0, 1), state);
    return { logits: transpose(out.logits, 0, 1), state: out.state };
  }

  /**
   * The same computation on time-major tokens `[T, B]` → logits `[T, B, V]`: the LSTM's own
   * layout, which saves the two transposes of `forward` (the trainer uses it). The LSTM reads the
   * embedding's output directly, so with more tokens than V its first layer looks its input
   * projection up in `E·W_ihᵀ` instead of multiplying every embedded token (see `RecurrentLayer`).
   */
  forwardTimeMajor(tokens: Tensor, state?: TextGenerationState): TextGenerationOutput {
    this.checkTokens('forwardTimeMajor', tokens, 2, '[T, B]');
    const embedded = this.embedding.call(tokens); // [T, B, E]
    const { output, state: next } = this.lstm.call(embedded, state === undefined ? {} : { state });
    const p = this.config.dropout;
    const features = p > 0 && this.training ? dropout(output, p, { training: true, generator: this.generator }) : output;
    return { logits: this.linear.call(features), state: next as TextGenerationState };
  }

  /** One step: int32 tokens `[B]` (the current characters) → `{ logits [B, V], state }`. */
  step(tokens: Tensor, state?: TextGenerationState): TextGenerationOutput {
    this.checkTokens('step', tokens, 1, '[B]');
    const out = this.forwardTimeMajor(tokens.reshape([1, tokens.shape[0]!]), state);
    return { logits: out.logits.reshape([tokens.shape[0]!, this.vocabSize]), state: out.state };
  }

  /**
   * A stepper of this model for `batchSize` rows (core-tensor's `lstmStepper`): what generation
   * runs. It copies the weights once (the wasm backend packs them into its memory), folds the
   * embedding into layer 0's input projection (`E·W_ihᵀ + b`, a row per token), and then runs each
   * step, every layer and the head, as one backend call: `stepper.step(tokens [B])` → logits
   * `[B, V]`. The same numbers as `step` in eval mode, to rounding; no dropout, no gradients. Later
   * changes to the weights do not reach it; `dispose()` it when done.
   *
   * @example
   * const stepper = model.createStepper(64);
   * const logits = stepper.step(new Int32Array(64)); // [64·V], overwritten by the next step
   * stepper.dispose();
   */
  createStepper(batchSize: number): LSTMStepper {
    const lstm = this.lstm;
    return lstmStepper({
      embedding: this.embedding.weight,
      layers: Array.from({ length: this.config.numLayers }, (_, k) => ({
        weightIH: lstm.getParameter(`weight_ih_l${k}`)!,
        weightHH: lstm.getParameter(`weight_hh_l${k}`)!,
        biasIH: lstm.getParameter(`bias_ih_l${k}`),
        biasHH: lstm.getParameter(`bias_hh_l${k}`),
      })),
      head: { weight: this.linear.weight, bias: this.linear.bias },
      batchSize,
    });
  }

  private checkTokens(op: string, tokens: Tensor, ndim: number, expected: string): void {
    if (!(tokens instanceof Tensor)) throw new ValueError(`TextGenerationModel.${op}: expected an int32 Tensor of tokens ${expected}`);
    if (tokens.dtype !== 'int32') throw new DTypeError(`TextGenerationModel.${op}: expected int32 tokens, got ${tokens.dtype}`);
    if (tokens.ndim !== ndim)
      throw new ShapeError(`TextGenerationModel.${op}: expected tokens of shape ${expected}, got ${fmtShape(tokens.shape)}`);
  }

  override extraRepr(): string {
    const { vocabSize, embeddingDim, hiddenSize, numLayers, dropout: p } = this.config;
    return (
      `vocabSize=${vocabSize}, embeddingDim=${embeddingDim}, hiddenSize=${hiddenSize}, ` +
      `numLayers=${numLayers}${p > 0 ? `, dropout=${p}` : ''}`
    );
  }
}
