import type { FloatDType } from '../dtype.js';
import { IndexError, ShapeError, fmtShape } from '../errors.js';
import { embedding } from '../ops/indexing.js';
import type { Generator } from '../random/generator.js';
import { shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkSize } from './checks.js';
import { normal_ } from './init.js';
import { Module } from './module.js';

export interface EmbeddingOptions {
  /** Size of the dictionary: indices run over 0..numEmbeddings−1. */
  numEmbeddings: number;
  /** Size of each embedding vector. */
  embeddingDim: number;
  /**
   * An index whose row is zero at init and receives no gradient (a padding token). Negative
   * values count from the end. Default: none.
   */
  paddingIdx?: number;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for the initial (and any re-drawn) weights. Default: the global one. */
  generator?: Generator;
  /**
   * Start from this `[numEmbeddings, embeddingDim]` float tensor (its storage is shared, not
   * copied; its dtype wins over `dtype`) instead of drawing the weights; the padding row is
   * not zeroed. `resetParameters()` still re-draws it. Default: none.
   */
  weight?: Tensor;
}

export interface FromPretrainedOptions {
  /** Keep the weights fixed (`requiresGrad = false`). Default true. */
  freeze?: boolean;
  /** As `EmbeddingOptions.paddingIdx`; the given row is not zeroed. Default: none. */
  paddingIdx?: number;
}

/**
 * A lookup table: `y[…, :] = W[indices[…], :]`.
 *
 * - Options: `numEmbeddings`, `embeddingDim`, `paddingIdx` (default none), `dtype` (default
 *   'float32'), `generator`.
 * - Shapes: indices int32 of any shape `[*]`, y is `[*, embeddingDim]`.
 * - Parameters: `weight` `[numEmbeddings, embeddingDim]`.
 * - Init: N(0, 1), then the `paddingIdx` row set to zero. That row gets no gradient.
 * - A recurrent layer (`@tensorloom/rnn`, `@tensorloom/lstm`) that reads the output directly folds
 *   its input projection into the table: `(W·W_ihᵀ)[indices]`, V rows of GEMM instead of one per
 *   index (see `embeddingSource`, `embeddingProjection`).
 *
 * @example
 * const embed = new Embedding({ numEmbeddings: 10, embeddingDim: 3, paddingIdx: 0 });
 * embed.call(tensor([[1, 2], [0, 9]], { dtype: 'int32' })).shape  // [2, 2, 3]
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** The padding row, normalised to a non-negative index, or undefined. */
  readonly paddingIdx: number | undefined;
  readonly generator: Generator | undefined;

  constructor(options: EmbeddingOptions) {
    super();
    const { numEmbeddings, embeddingDim, dtype = 'float32', generator } = options;
    checkSize('Embedding', 'numEmbeddings', numEmbeddings);
    checkSize('Embedding', 'embeddingDim', embeddingDim);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = normalisePaddingIdx(numEmbeddings, options.paddingIdx);
    this.generator = generator;
    const { weight } = options;
    if (weight === undefined) {
      this.registerParameter('weight', Tensor.empty([numEmbeddings, embeddingDim], dtype));
      this.resetParameters();
    } else {
      if (!shapesEqual(weight.shape, [numEmbeddings, embeddingDim])) {
        throw new ShapeError(`Embedding: weight must be [${numEmbeddings}, ${embeddingDim}], got ${fmtShape(weight.shape)}`);
      }
      this.registerParameter('weight', weight.detach());
    }
  }

  /**
   * An embedding whose weight is `embeddings` (`[numEmbeddings, embeddingDim]`, float; its
   * storage is shared, not copied), frozen unless `freeze: false`.
   * @example Embedding.fromPretrained(tensor([[1, 2], [3, 4]]))
   */
  static fromPretrained(embeddings: Tensor, options: FromPretrainedOptions = {}): Embedding {
    if (embeddings.ndim !== 2) {
      throw new ShapeError(
        `Embedding.fromPretrained: embeddings must be 2-D [numEmbeddings, embeddingDim], got ${fmtShape(embeddings.shape)}`,
      );
    }
    const [numEmbeddings, embeddingDim] = embeddings.shape as [number, number];
    const layer = new Embedding({ numEmbeddings, embeddingDim, paddingIdx: options.paddingIdx, weight: embeddings });
    layer.weight.requiresGrad = !(options.freeze ?? true);
    return layer;
  }

  /** `[numEmbeddings, embeddingDim]`. */
  get weight(): Tensor {
    return this.getParameter('weight')!;
  }

  protected override resetOwnParameters(generator: Generator | undefined = this.generator): void {
    const weight = this.weight;
    normal_(weight, { generator });
    if (this.paddingIdx !== undefined) {
      const start = this.paddingIdx * this.embeddingDim;
      weight.data.fill(0, start, start + this.embeddingDim);
    }
  }

  forward(indices: Tensor): Tensor {
    return embedding(this.weight, indices, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    const padding = this.paddingIdx === undefined ? '' : `, paddingIdx=${this.paddingIdx}`;
    return `numEmbeddings=${this.numEmbeddings}, embeddingDim=${this.embeddingDim}${padding}`;
  }
}

function normalisePaddingIdx(numEmbeddings: number, paddingIdx: number | undefined): number | undefined {
  if (paddingIdx === undefined) return undefined;
  if (!Number.isInteger(paddingIdx) || paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings) {
    throw new IndexError(`Embedding: paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings - 1}], got ${paddingIdx}`);
  }
  return paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
}
