/**
 * Loss, accuracy and bits per character of a model on a text: the sequential pass over
 * non-overlapping windows, each from the zero state (as training sees them), or, with
 * `carryState`, the text read as contiguous streams whose state carries from window to window.
 */
import { Tensor, ValueError, argmax, crossEntropy, transpose } from '@tensorloom/core-tensor';
import { DEFAULT_SEQ_LENGTH, TextDataset } from './dataset.js';
import type { TextGenerationModel } from './model.js';
import { checkFiniteOutput, checkFiniteWeights, checkVocabulary, inEvalMode } from './sampling/generate.js';
import type { CharTokenizer } from './tokenizer.js';

/** The default windows per evaluation batch. */
export const DEFAULT_EVAL_BATCH_SIZE = 128;

export interface EvaluateOptions {
  /** Windows per forward pass. Default 128. */
  batchSize?: number;
  /** Evaluate only the first this-many batches (a quick estimate). Default: the whole pass. */
  maxBatches?: number;
  /** Encodes a string `data` (required then; must match the model's vocabulary). */
  tokenizer?: CharTokenizer;
  /** T of the windows when `data` is a string. Default 30. */
  seqLength?: number;
  /**
   * Carry the LSTM state across windows (default false). The text is cut into `batchSize`
   * contiguous streams (fewer when it is short), read T characters at a time, each window
   * starting from the state the previous one ended in: every character but each stream's first
   * is predicted from all the text before it in its stream — the usual definition of a language
   * model's bits per character on a text. The last `n mod streams` characters are left out.
   * Without it, every window starts from the zero state (the course's windows, as in training).
   */
  carryState?: boolean;
  /** Give NaN figures for weights or an output that are not finite rather than refuse them (`NonFiniteError`). Default false. */
  allowNonFinite?: boolean;
}

/** What `evaluate` measures. */
export interface EvaluationResult {
  /** Mean cross-entropy per predicted character, in nats. */
  loss: number;
  /** Fraction of characters whose most likely prediction is right. */
  accuracy: number;
  /** loss / ln 2: the bits an ideal coder would spend per character with the model. */
  bitsPerChar: number;
  /** exp(loss). */
  perplexity: number;
  /** The number of predicted characters. */
  characters: number;
}

/**
 * Evaluates `model` on `data` (a `TextDataset`, or a string with `options.tokenizer`): every
 * window of the sequential pass (offsets 0, T, 2T, …; see `TextDataset.sequentialBatches`) is run
 * from the zero state with teacher forcing, in eval mode (no dropout) without gradients.
 *
 * - loss = (1/N) Σ −log p(x_{t+1} | x_≤t) over the N predicted characters (nats);
 * - accuracy = the fraction where argmax p is x_{t+1};
 * - bitsPerChar = loss / ln 2; perplexity = e^loss.
 *
 * @example
 * const { loss, accuracy, bitsPerChar } = evaluate(model, validation);
 * evaluate(model, 'Call me Ishmael.', { tokenizer, seqLength: 8 });
 */
export function evaluate(model: TextGenerationModel, data: TextDataset | string, options: EvaluateOptions = {}): EvaluationResult {
  const { batchSize = DEFAULT_EVAL_BATCH_SIZE, maxBatches, tokenizer, seqLength = DEFAULT_SEQ_LENGTH } = options;
  const checked = options.allowNonFinite !== true;
  if (checked) checkFiniteWeights('evaluate', model);
  let dataset: TextDataset;
  if (typeof data === 'string') {
    if (tokenizer === undefined) throw new ValueError('evaluate: a text needs options.tokenizer to encode it');
    checkVocabulary('evaluate', model, tokenizer);
    dataset = TextDataset.fromText(data, tokenizer, { seqLength });
  } else if (data instanceof TextDataset) {
    dataset = data;
  } else {
    throw new ValueError('evaluate: expected a TextDataset or a string');
  }
  if (dataset.numSequentialWindows === 0) {
    throw new ValueError(
      `evaluate: the text has ${dataset.length} characters, fewer than seqLength + 1 = ${dataset.seqLength + 1} needed for one window`,
    );
  }
  let lossSum = 0;
  let correct = 0;
  let characters = 0;
  if (options.carryState === true) {
    const stats = inEvalMode(model, () => streamingPass(model, dataset, batchSize, maxBatches));
    const loss = stats.lossSum / stats.characters;
    if (checked) checkFiniteOutput('evaluate', model, [loss], 'as the loss');
    return {
      loss,
      accuracy: stats.correct / stats.characters,
      bitsPerChar: loss / Math.LN2,
      perplexity: Math.exp(loss),
      characters: stats.characters,
    };
  }
  inEvalMode(model, () => {
    for (const batch of dataset.sequentialBatches(batchSize, maxBatches === undefined ? {} : { maxBatches })) {
      const stats = windowLoss(model, batch.inputs, batch.targets, 'sum');
      lossSum += stats.loss.item();
      correct += stats.correct;
      characters += stats.count;
    }
  });
  const loss = lossSum / characters;
  if (checked) checkFiniteOutput('evaluate', model, [loss], 'as the loss');
  return { loss, accuracy: correct / characters, bitsPerChar: loss / Math.LN2, perplexity: Math.exp(loss), characters };
}

/**
 * Teacher-forced cross-entropy of a batch of windows (int32 `[B, T]` inputs and targets) from the
 * zero state, on `[T·B, V]` logits through core-tensor's fused cross-entropy, with the count of
 * correct argmax predictions. `reduction` 'mean' (training) or 'sum' (evaluation).
 */
export function windowLoss(
  model: TextGenerationModel,
  inputs: Tensor,
  targets: Tensor,
  reduction: 'mean' | 'sum',
): { loss: Tensor; correct: number; count: number } {
  const { logits } = model.forwardTimeMajor(transpose(inputs, 0, 1)); // [T, B, V]
  const flatLogits = logits.reshape([-1, model.vocabSize]);
  const flatTargets = transpose(targets, 0, 1).reshape([-1]);
  const loss = crossEntropy(flatLogits, flatTargets, { reduction });
  const predicted = argmax(flatLogits.detach(), 1).data;
  const expected = flatTargets.data;
  let correct = 0;
  for (let i = 0; i < expected.length; i++) if (predicted[i] === expected[i]) correct++;
  return { loss, correct, count: expected.length };
}

/**
 * The stateful pass of `evaluate({ carryState: true })`: `streams` contiguous pieces of the text,
 * `[T, streams]` time-major windows, the state handed from each window to the next.
 */
function streamingPass(
  model: TextGenerationModel,
  dataset: TextDataset,
  batchSize: number,
  maxBatches: number | undefined,
): { lossSum: number; correct: number; characters: number } {
  const { ids, seqLength } = dataset;
  const predictions = ids.length - 1;
  const streams = Math.max(1, Math.min(batchSize, Math.floor(predictions / seqLength)));
  const streamLength = Math.floor(predictions / streams);
  let state: Parameters<TextGenerationModel['forwardTimeMajor']>[1];
  let lossSum = 0;
  let correct = 0;
  let characters = 0;
  let batches = 0;
  for (let start = 0; start < streamLength; start += seqLength) {
    if (maxBatches !== undefined && batches >= maxBatches) break;
    const steps = Math.min(seqLength, streamLength - start);
    const inputs = new Int32Array(steps * streams);
    const targets = new Int32Array(steps * streams);
    for (let t = 0; t < steps; t++) {
      for (let b = 0; b < streams; b++) {
        const at = b * streamLength + start + t;
        inputs[t * streams + b] = ids[at]!;
        targets[t * streams + b] = ids[at + 1]!;
      }
    }
    const out = model.forwardTimeMajor(new Tensor(inputs, [steps, streams], 'int32'), state);
    state = out.state;
    const flatLogits = out.logits.reshape([-1, model.vocabSize]);
    lossSum += crossEntropy(flatLogits, new Tensor(targets, [steps * streams], 'int32'), { reduction: 'sum' }).item();
    const predicted = argmax(flatLogits, 1).data;
    for (let i = 0; i < targets.length; i++) if (predicted[i] === targets[i]) correct++;
    characters += targets.length;
    batches++;
  }
  return { lossSum, correct, characters };
}
