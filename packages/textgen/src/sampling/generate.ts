/**
 * Text generation from a trained model: warm the state up on a prompt (or a random first
 * character, as the course does), then draw one character at a time, carrying the state.
 */
import { Tensor, ValueError, defaultGenerator, logSoftmax, noGrad, type Generator } from '@tensorloom/core-tensor';
import type { TextGenerationModel, TextGenerationState } from '../model.js';
import type { CharTokenizer } from '../tokenizer.js';
import { drawIndex, argmaxOf, samplingDistribution, type SamplingStrategy } from './strategy.js';

/** The course's sentence length. */
export const DEFAULT_GENERATE_LENGTH = 30;

export interface GenerateOptions {
  /** Characters to generate after the prompt. Default 30. */
  length?: number;
  /**
   * Text to complete ("Sleeping beauty is"): it is fed through the model first, so the state
   * and the first prediction are conditioned on all of it. Default: one character drawn uniformly
   * from the vocabulary (not `<unk>`) with `generator`, as the course starts its sentences.
   */
  prompt?: string;
  /** How each character is chosen. Default `{ strategy: 'greedy' }`. */
  sampling?: SamplingStrategy;
  /** The source of randomness (the random first character and the draws). Default: the global one. */
  generator?: Generator;
}

/** One generated text. */
export interface GenerateResult {
  /** The prompt as given (or the random first character). */
  prompt: string;
  /** The generated characters (`length` of them). */
  completion: string;
  /** `prompt + completion`. */
  text: string;
  /** The completion's ids. */
  tokens: Int32Array;
  /** Σ log p(completion_t | …) under the model's own (untempered) softmax, in nats. */
  logProb: number;
}

/** One generated character, as the stream and the step loop see it. */
export interface GeneratedToken {
  id: number;
  char: string;
  /** log p of this character under the model's own softmax (nats). */
  logProb: number;
}

/**
 * Generates `length` characters after a prompt. The prompt (default: a random vocabulary
 * character) runs through the model in one call, then each character is chosen from the last
 * step's logits by `sampling` (default greedy; see `SamplingStrategy` for temperature — both
 * conventions —, top-k and top-p) and fed back, carrying the LSTM state. Runs in eval mode without
 * gradients and restores the model's mode. The same generator state gives the same text.
 *
 * @example
 * const { text } = generate(model, tokenizer, {
 *   prompt: 'Sleeping beauty is',
 *   length: 60,
 *   sampling: { strategy: 'temperature', temperature: 0.5 },  // = { inverseTemperature: 2 }
 *   generator: new Generator(42),
 * });
 */
export function generate(model: TextGenerationModel, tokenizer: CharTokenizer, options: GenerateOptions = {}): GenerateResult {
  const { prompt, steps } = startGeneration(model, tokenizer, options);
  const ids: number[] = [];
  const chars: string[] = [];
  let logProb = 0;
  for (const token of steps) {
    ids.push(token.id);
    chars.push(token.char);
    logProb += token.logProb;
  }
  const completion = chars.join('');
  return { prompt, completion, text: prompt + completion, tokens: Int32Array.from(ids), logProb };
}

/**
 * `generate` as an async stream of the completion's characters, one per step, for printing while
 * the model runs. Breaking out of the loop stops generation.
 *
 * @example
 * for await (const char of streamGenerate(model, tokenizer, { prompt: 'Call me', length: 200 })) process.stdout.write(char);
 */
export async function* streamGenerate(
  model: TextGenerationModel,
  tokenizer: CharTokenizer,
  options: GenerateOptions = {},
): AsyncGenerator<string, void, undefined> {
  const { steps } = startGeneration(model, tokenizer, options);
  let lastYield = performance.now();
  for (const token of steps) {
    yield token.char;
    if (performance.now() - lastYield >= 50) {
      // Each step is synchronous work: let timers, signal handlers and I/O run now and then.
      await new Promise((resolve) => setTimeout(resolve, 0));
      lastYield = performance.now();
    }
  }
}

/**
 * The step loop behind `generate` and `streamGenerate`: validates the options, picks the prompt
 * and returns it with a lazy iterator of the generated characters.
 */
export function startGeneration(
  model: TextGenerationModel,
  tokenizer: CharTokenizer,
  options: GenerateOptions = {},
): { prompt: string; steps: IterableIterator<GeneratedToken> } {
  const { length = DEFAULT_GENERATE_LENGTH, sampling = { strategy: 'greedy' }, generator = defaultGenerator } = options;
  if (!Number.isInteger(length) || length < 0) throw new ValueError(`generate: length must be an integer ≥ 0, got ${length}`);
  checkVocabulary('generate', model, tokenizer);
  samplingDistribution([0], sampling); // validates the strategy before anything runs
  const prompt = options.prompt ?? randomFirstCharacter(tokenizer, generator);
  const promptIds = encodePrompt('generate', tokenizer, prompt);
  return { prompt, steps: runSteps(model, tokenizer, promptIds, length, sampling, generator) };
}

function* runSteps(
  model: TextGenerationModel,
  tokenizer: CharTokenizer,
  promptIds: Int32Array,
  length: number,
  sampling: SamplingStrategy,
  generator: Generator,
): IterableIterator<GeneratedToken> {
  if (length === 0) return;
  let { logits, state } = warmUp(model, promptIds);
  for (let t = 0; t < length; t++) {
    const logp = logProbsOf(logits);
    const probs = samplingDistribution(logits, sampling);
    const id = sampling.strategy === 'greedy' ? argmaxOf(probs) : drawIndex(probs, generator);
    yield { id, char: tokenizer.decode([id]), logProb: logp[id]! };
    if (t + 1 < length) ({ logits, state } = advance(model, Int32Array.of(id), state));
  }
}

/** Runs `promptIds` through the model in eval mode: the last step's logits (length V) and the state. */
export function warmUp(model: TextGenerationModel, promptIds: Int32Array): { logits: Float64Array; state: TextGenerationState } {
  return inEvalMode(model, () => {
    const tokens = Tensor.empty([1, promptIds.length], 'int32');
    tokens.data.set(promptIds);
    const { logits, state } = model.forward(tokens);
    const v = model.vocabSize;
    return { logits: Float64Array.from(logits.data.subarray((promptIds.length - 1) * v)), state };
  });
}

/** One step for a batch of one: the next logits (length V) and state. */
function advance(
  model: TextGenerationModel,
  ids: Int32Array,
  state: TextGenerationState,
): { logits: Float64Array; state: TextGenerationState } {
  return inEvalMode(model, () => {
    const tokens = Tensor.empty([ids.length], 'int32');
    tokens.data.set(ids);
    const out = model.step(tokens, state);
    return { logits: Float64Array.from(out.logits.data), state: out.state };
  });
}

/** Runs `fn` in eval mode without gradients, then restores the model's mode. */
export function inEvalMode<T>(model: TextGenerationModel, fn: () => T): T {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(fn);
  } finally {
    if (wasTraining) model.train();
  }
}

/** log softmax of one logit vector, in float64. */
export function logProbsOf(logits: ArrayLike<number>): Float64Array {
  const t = new Tensor(Float64Array.from(logits), [logits.length], 'float64');
  return logSoftmax(t, 0).data as Float64Array;
}

/** One character drawn uniformly from the tokenizer's characters (never `<unk>`). */
export function randomFirstCharacter(tokenizer: CharTokenizer, generator: Generator): string {
  if (tokenizer.chars.length === 0) throw new ValueError('generate: the vocabulary has no characters to start from');
  return tokenizer.chars[generator.integer(0, tokenizer.chars.length)]!;
}

export function encodePrompt(op: string, tokenizer: CharTokenizer, prompt: string): Int32Array {
  if (typeof prompt !== 'string' || prompt.length === 0) throw new ValueError(`${op}: the prompt must be a non-empty string`);
  return tokenizer.encode(prompt);
}

export function checkVocabulary(op: string, model: TextGenerationModel, tokenizer: CharTokenizer): void {
  if (model.vocabSize !== tokenizer.vocabSize) {
    throw new ValueError(
      `${op}: the model predicts ${model.vocabSize} ids but the tokenizer has ` +
        `${tokenizer.vocabSize}; use the tokenizer the model was trained with`,
    );
  }
}
