/**
 * The course's sequence classifier (Assignment 2, Part 1): embed each input digit, run a
 * recurrent layer over the sequence, and classify from its final state.
 */
import {
  DTypeError,
  ShapeError,
  ValueError,
  concat,
  fmtShape,
  nn,
  select,
  transpose,
  type FloatDType,
  type Generator,
  type Tensor,
} from '@tensorloom/core-tensor';
import type { RecurrentLayer } from './recurrent-layer.js';

/** Any recurrent layer (`RNN`, `GRU`, `LSTM`, `PeepholeLSTM`, …). */
export type AnyRecurrentLayer = RecurrentLayer<string>;

/** Builds the recurrent layer for a given input size (the embedding size). */
export type RecurrentLayerFactory = (options: { inputSize: number }) => AnyRecurrentLayer;

/** How the classifier initialises its embedding and head (the recurrent layer has its own `init`). */
export type ClassifierInit =
  /** Weights from Kaiming-normal (fan-in, gain √2), head bias zero: the course's choice. */
  | 'kaimingNormal'
  /** PyTorch's defaults: embedding N(0, 1), head U(−1/√fanIn, 1/√fanIn). */
  | 'default';

export interface SequenceClassifierOptions {
  /** Size of the input vocabulary (the task's `numInputSymbols`). */
  numInputSymbols: number;
  /** Number of classes (the task's `numClasses`). */
  numClasses: number;
  /**
   * The recurrent layer, or a factory called with `{ inputSize: embeddingDim }`. A layer given
   * directly fixes `embeddingDim` to its `inputSize`.
   */
  recurrent: AnyRecurrentLayer | RecurrentLayerFactory;
  /** Size of each digit's embedding. Default: the layer's `inputSize`, or 16 with a factory. */
  embeddingDim?: number;
  /** Init of the embedding and the head. Default 'kaimingNormal' (the course's). */
  init?: ClassifierInit;
  /** Parameter dtype of the embedding and head. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for the embedding and head init. Default: the global one. */
  generator?: Generator;
}

/**
 * `logits = head(finalState(recurrent(embedding(x))))`: the course's LSTM, GRU, peephole-LSTM
 * and biLSTM classifiers over any `RecurrentLayer`.
 *
 * - The final state read is the last layer's `h` at the end of the sequence. For a bidirectional
 *   layer it is the concatenation `[h_fwd(T), h_bwd(1)]` of the forward state after the last step
 *   and the backward state after the first step (the course's biLSTM), so the head reads
 *   `numDirections · outputSize` features.
 * - Options: `numInputSymbols`, `numClasses`, `recurrent` (a layer or a factory), `embeddingDim`
 *   (default: the layer's `inputSize`, or 16), `init` (default 'kaimingNormal'), `dtype`
 *   (default 'float32'), `generator`.
 * - Shapes: `x` int32 `[B, T]` (symbols in 0..numInputSymbols−1) → logits `[B, numClasses]`
 *   (feed them to `crossEntropy`; the course's log-softmax + NLL loss is the same).
 * - Parameters: `embedding.weight` `[numInputSymbols, E]`, `rnn.*` (the layer's PyTorch names),
 *   `head.weight` `[numClasses, D·H]`, `head.bias` `[numClasses]`.
 * - Init ('kaimingNormal'): embedding and head weights N(0, 2/fanIn) with fanIn their second
 *   axis, head bias 0. Build the layer with `init: 'kaimingNormal'` for the course's recurrent
 *   init too.
 *
 * @example
 * const model = new SequenceClassifier({
 *   numInputSymbols: 3,
 *   numClasses: 2,
 *   embeddingDim: 8,
 *   recurrent: ({ inputSize }) => new GRU({ inputSize, hiddenSize: 32, batchFirst: true, init: 'kaimingNormal' }),
 * });
 * model.call(tensor([[1, 2, 2, 1]], { dtype: 'int32' })).shape // [1, 2]
 */
export class SequenceClassifier extends nn.Module<[Tensor], Tensor> {
  readonly numInputSymbols: number;
  readonly numClasses: number;
  readonly embeddingDim: number;
  readonly init: ClassifierInit;

  constructor(options: SequenceClassifierOptions) {
    super();
    const { numInputSymbols, numClasses, recurrent, init = 'kaimingNormal', dtype = 'float32', generator } = options;
    for (const [name, value] of [
      ['numInputSymbols', numInputSymbols],
      ['numClasses', numClasses],
    ] as const) {
      if (!Number.isInteger(value) || value < 1)
        throw new ValueError(`SequenceClassifier: ${name} must be a positive integer, got ${value}`);
    }
    if (init !== 'kaimingNormal' && init !== 'default') throw new ValueError(`SequenceClassifier: unknown init '${String(init)}'`);
    const given = typeof recurrent === 'function' ? undefined : recurrent;
    const embeddingDim = options.embeddingDim ?? given?.inputSize ?? 16;
    if (given && given.inputSize !== embeddingDim) {
      throw new ValueError(`SequenceClassifier: the recurrent layer reads ${given.inputSize} features but embeddingDim is ${embeddingDim}`);
    }
    this.numInputSymbols = numInputSymbols;
    this.numClasses = numClasses;
    this.embeddingDim = embeddingDim;
    this.init = init;
    const Embedding = init === 'kaimingNormal' ? KaimingEmbedding : nn.Embedding;
    const Linear = init === 'kaimingNormal' ? KaimingLinear : nn.Linear;
    this.registerModule('embedding', new Embedding({ numEmbeddings: numInputSymbols, embeddingDim, dtype, generator }));
    const layer = given ?? (recurrent as RecurrentLayerFactory)({ inputSize: embeddingDim });
    if (layer.inputSize !== embeddingDim) {
      throw new ValueError(`SequenceClassifier: the factory built a layer reading ${layer.inputSize} features, expected ${embeddingDim}`);
    }
    this.registerModule('rnn', layer);
    const features = layer.numDirections * layer.outputSize;
    this.registerModule('head', new Linear({ inFeatures: features, outFeatures: numClasses, dtype, generator }));
  }

  get embedding(): nn.Embedding {
    return this.getSubmodule('embedding') as nn.Embedding;
  }

  get rnn(): AnyRecurrentLayer {
    return this.getSubmodule('rnn') as AnyRecurrentLayer;
  }

  get head(): nn.Linear {
    return this.getSubmodule('head') as nn.Linear;
  }

  /** The final-state features the head reads, `[B, D·H]`. */
  features(x: Tensor): Tensor {
    if (x.dtype !== 'int32') throw new DTypeError(`SequenceClassifier: expected int32 symbols, got ${x.dtype}`);
    if (x.ndim !== 2) throw new ShapeError(`SequenceClassifier: expected symbols of shape [B, T], got ${fmtShape(x.shape)}`);
    const rnn = this.rnn;
    const embedded = this.embedding.call(x); // [B, T, E]
    const { state } = rnn.call(rnn.batchFirst ? embedded : transpose(embedded, 0, 1));
    const h = (state as Record<string, Tensor | undefined>).h;
    if (h === undefined) throw new ValueError(`SequenceClassifier: the recurrent layer returned no 'h' state`);
    const directions = rnn.numDirections;
    const last = (rnn.numLayers - 1) * directions;
    // h_n holds forward-after-step-T then backward-after-step-1 for each layer.
    const finals = Array.from({ length: directions }, (_, d) => select(h, 0, last + d));
    return directions === 1 ? finals[0]! : concat(finals, -1);
  }

  forward(x: Tensor): Tensor {
    return this.head.call(this.features(x));
  }

  override extraRepr(): string {
    return `numInputSymbols=${this.numInputSymbols}, numClasses=${this.numClasses}, embeddingDim=${this.embeddingDim}`;
  }
}

/** An embedding initialised Kaiming-normal: N(0, 2/embeddingDim). */
class KaimingEmbedding extends nn.Embedding {
  override get typeName(): string {
    return 'Embedding';
  }

  protected override resetOwnParameters(generator: Generator | undefined = this.generator): void {
    nn.init.kaimingNormal_(this.weight, { nonlinearity: 'relu', generator });
  }
}

/** A linear layer initialised Kaiming-normal (weight N(0, 2/inFeatures), bias 0). */
class KaimingLinear extends nn.Linear {
  override get typeName(): string {
    return 'Linear';
  }

  protected override resetOwnParameters(generator: Generator | undefined = this.generator): void {
    nn.init.kaimingNormal_(this.weight, { nonlinearity: 'relu', generator });
    if (this.bias) nn.init.zeros_(this.bias);
  }
}
