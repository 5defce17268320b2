/**
 * Text generation from a trained model: warm the state up on a prompt (or a random first
 * character, as the course does), then draw one character at a time, carrying the state.
 */
import {
  NonFiniteError,
  Tensor,
  ValueError,
  assertFiniteParameters,
  defaultGenerator,
  noGrad,
  type Generator,
} from '@tensorloom/core-tensor';
import type { TextGenerationModel, TextGenerationState } from '../model.js';
import type { CharTokenizer } from '../tokenizer.js';
import { RowSampler } from './row-sampler.js';
import { samplingDistribution, type SamplingStrategy } from './strategy.js';
import { openStepper, type TokenStepper } from './token-stepper.js';

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
  /**
   * Generate from weights or outputs that hold NaN or an infinity too (garbage text) rather than
   * refuse them with `NonFiniteError`. Default false.
   */
  allowNonFinite?: boolean;
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
 * character) runs through the model's stepper (`model.createStepper(1)`: the weights uploaded once,
 * each step one backend call) a character at a time, then each character is chosen from the last
 * step's logits by `sampling` (default greedy; see `SamplingStrategy` for temperature — both
 * conventions —, top-k and top-p) and fed back, carrying the LSTM state. Eval-mode numbers (no
 * dropout), no gradients; the model's mode is left as it was. The same generator state gives the
 * same text. `generateBatch` draws B texts side by side.
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
 * the model runs. Breaking out of the loop stops generation. Memory stays bounded whatever the
 * `length`: nothing is kept from one step to the next but the model's state.
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
 * Generation one character at a time, synchronously: validates the options, picks the prompt (the
 * random first character when none is given) and returns it with a lazy iterator of the generated
 * characters, each computed when asked for. This is the loop behind `generate` (which keeps them
 * all) and `streamGenerate` (async); iterating it keeps nothing but the model's state, so any
 * `length` runs in bounded memory, and leaving the loop early stops the generation. The model's
 * stepper is made when the first character is asked for, with the weights as they are then, and
 * disposed when the loop ends (or left, by `break` or `return`).
 *
 * @example
 * const { prompt, steps } = startGeneration(model, tokenizer, { length: 1e9, generator: new Generator(0) });
 * process.stdout.write(prompt);
 * for (const { char } of steps) process.stdout.write(char); // better: write in chunks
 */
export function startGeneration(
  model: TextGenerationModel,
  tokenizer: CharTokenizer,
  options: GenerateOptions = {},
): { prompt: string; steps: IterableIterator<GeneratedToken> } {
  const { length = DEFAULT_GENERATE_LENGTH, sampling = { strategy: 'greedy' }, generator = defaultGenerator } = options;
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new ValueError(`generate: length must be an integer from 0 to 2^53 − 1 (Number.MAX_SAFE_INTEGER), got ${length}`);
  }
  checkVocabulary('generate', model, tokenizer);
  const checked = options.allowNonFinite !== true;
  if (checked) checkFiniteWeights('generate', model);
  samplingDistribution([0], sampling); // validates the strategy before anything runs
  const prompt = options.prompt ?? randomFirstCharacter(tokenizer, generator);
  const promptIds = encodePrompt('generate', tokenizer, prompt);
  return { prompt, steps: runSteps(model, tokenizer, promptIds, length, sampling, generator, checked) };
}

function* runSteps(
  model: TextGenerationModel,
  tokenizer: CharTokenizer,
  promptIds: Int32Array,
  length: number,
  sampling: SamplingStrategy,
  generator: Generator,
  checked: boolean,
): IterableIterator<GeneratedToken> {
  if (length === 0) return;
  // Per step nothing is allocated but what the stepper returns (nothing, for a model's own stepper).
  const chars = Array.from({ length: model.vocabSize }, (_, id) => tokenizer.decode([id]));
  const sampler = new RowSampler(sampling, model.vocabSize);
  const stepper = openStepper(model, 1);
  try {
    const token = Int32Array.of(0);
    let logits = warmUpStepper(stepper, [promptIds]);
    for (let t = 0; t < length; t++) {
      if (checked) checkFiniteOutput('generate', model, logits, `at character ${t + 1}`);
      const id = sampler.draw(logits, 0, generator);
      yield { id, char: chars[id]!, logProb: sampler.logProb };
      token[0] = id;
      if (t + 1 < length) logits = stepper.step(token);
    }
  } finally {
    stepper.dispose();
  }
}

/**
 * Feeds the prompts through `stepper` a position at a time (row r gets `prompts[r]`; all of one
 * length ≥ 1) and returns the logits after the last.
 */
export function warmUpStepper(stepper: TokenStepper, prompts: readonly Int32Array[]): ArrayLike<number> {
  const tokens = new Int32Array(prompts.length);
  let logits: ArrayLike<number> = [];
  for (let i = 0; i < prompts[0]!.length; i++) {
    for (let r = 0; r < prompts.length; r++) tokens[r] = prompts[r]![i]!;
    logits = stepper.step(tokens);
  }
  return logits;
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

/**
 * log softmax of one logit vector, in float64: `out[i] = x_i − m − log Σ_j exp(x_j − m)` (m the
 * max), the float64 `logSoftmax` kernel's formula and order of operations (so the same numbers),
 * without a tensor. A NaN makes all NaN.
 */
export function logProbsOf(logits: ArrayLike<number>): Float64Array {
  const out = new Float64Array(logits.length);
  const n = logits.length;
  let m = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = logits[i]!;
    if (v > m || v !== v) m = v;
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(logits[i]! - m);
  const logSum = Math.log(s);
  for (let i = 0; i < n; i++) out[i] = logits[i]! - m - logSum;
  return out;
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

/**
 * Refuses an output (logits, a loss) that is NaN or infinite although the weights are finite: they
 * are then so large that the forward pass overflows (a diverged run). `NonFiniteError` with
 * `what: 'loss'` (the model's log-likelihood cannot be computed), naming the largest weight.
 */
export function checkFiniteOutput(op: string, model: TextGenerationModel, values: ArrayLike<number>, where: string): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i]!)) continue;
    let largest = { name: '', value: 0 };
    for (const [name, p] of model.namedParameters()) {
      for (const v of p.data) if (Math.abs(v) > Math.abs(largest.value)) largest = { name, value: v };
    }
    throw new NonFiniteError(
      `${op}: the model's output is ${values[i]} ${where} although its weights are finite: they are too large for its ` +
        `forward pass (up to ${largest.value} in '${largest.name}'), as a diverged run (too high a learning rate) leaves them`,
      { step: undefined, what: 'loss', parameter: undefined, value: values[i]!, index: undefined },
    );
  }
}

/**
 * Refuses a model whose weights hold a NaN or an infinity (`NonFiniteError` naming the parameter):
 * its every prediction would be NaN, read as garbage text or a NaN loss without a word.
 */
export function checkFiniteWeights(op: string, model: TextGenerationModel): void {
  assertFiniteParameters(op, model.namedParameters(), '; a diverged run (too high a learning rate) leaves such weights');
}

export function checkVocabulary(op: string, model: TextGenerationModel, tokenizer: CharTokenizer): void {
  if (model.vocabSize !== tokenizer.vocabSize) {
    throw new ValueError(
      `${op}: the model predicts ${model.vocabSize} ids but the tokenizer has ` +
        `${tokenizer.vocabSize}; use the tokenizer the model was trained with`,
    );
  }
}
