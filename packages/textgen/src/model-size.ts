/**
 * What the character model (embedding → LSTM stack → linear) and a training step on it hold, from
 * its sizes alone: for checking a size before anything is allocated (a checkpoint's config, a
 * command's flags). Closed forms, so that any size, however absurd, is answered at once.
 */
import { lstmParameterCount } from '@tensorloom/lstm';
import type { TextGenerationModelConfig } from './model.js';

/** The sizes the memory depends on. */
export type TextModelSizes = Pick<TextGenerationModelConfig, 'vocabSize' | 'embeddingDim' | 'hiddenSize' | 'numLayers'>;

/** Elements (not bytes) of the model's parameters and of one training step's activations. */
export interface TextModelMemory {
  /** V·E + the LSTM's (PyTorch's two biases) + H·V + V. */
  parameters: number;
  /** Its largest parameter tensor: the embedding, a layer's 4H × max(E, H) weights, or the read-out. */
  largestParameter: number;
  /** A step's activations forward and their gradients backward: 2·B·T·(E + 8·L·H + 3·V). */
  activations: number;
  /** Its largest activation tensor: B·T·max(4H, V) (the gates, or the logits). */
  largestActivation: number;
}

/**
 * The elements the model holds, and those a step over `batch` windows of `seqLength` holds.
 * @example textModelMemory({ vocabSize: 83, embeddingDim: 64, hiddenSize: 128, numLayers: 2 }, { batch: 64, seqLength: 30 }).parameters
 */
export function textModelMemory(sizes: TextModelSizes, step: { batch: number; seqLength: number }): TextModelMemory {
  const { vocabSize: V, embeddingDim: E, hiddenSize: H, numLayers: L } = sizes;
  const { batch: B, seqLength: T } = step;
  return {
    parameters: V * E + lstmParameterCount({ inputSize: E, hiddenSize: H, layers: L, outputSize: V }),
    largestParameter: Math.max(V * E, 4 * H * Math.max(E, H), H * V),
    activations: 2 * B * T * (E + 8 * L * H + 3 * V),
    largestActivation: B * T * Math.max(4 * H, V),
  };
}
