/**
 * Batched generation: B texts drawn side by side from one model, each step one call of the model's
 * stepper for all B rows (at B = 64 the products are GEMMs), then a draw per row.
 */
import { ValueError, defaultGenerator, type Generator } from '@tensorloom/core-tensor';
import type { TextGenerationModel } from '../model.js';
import type { CharTokenizer } from '../tokenizer.js';
import {
  DEFAULT_GENERATE_LENGTH,
  checkFiniteOutput,
  checkFiniteWeights,
  checkVocabulary,
  encodePrompt,
  randomFirstCharacter,
  warmUpStepper,
  type GenerateOptions,
  type GenerateResult,
} from './generate.js';
import { RowSampler } from './row-sampler.js';
import { resolveStrategy } from './strategy.js';
import { openStepper } from './token-stepper.js';

export interface GenerateBatchOptions extends Omit<GenerateOptions, 'prompt'> {
  /** B, the texts generated side by side. Required: a positive integer. */
  batchSize: number;
  /**
   * The text every row completes, or one per row (B of them, all of one length: the rows step
   * together). Default: one character per row drawn uniformly from the vocabulary (not `<unk>`)
   * with `generator`, row 0 first.
   */
  prompt?: string | readonly string[];
}

/**
 * Generates `batchSize` texts of `length` characters at once: the prompts run through the model's
 * stepper (`model.createStepper(B)`) a position at a time, then each step draws one character per
 * row from that row's logits by `sampling` (as `generate`: greedy by default, temperature, top-k,
 * top-p), rows in order, and feeds them all back. Row r's draws depend on the others only through
 * the shared `generator`; with B = 1 it is `generate`, draw for draw. Eval-mode numbers, no
 * gradients. Per step it allocates nothing in js at B = 64 (top-k and top-p sort per row).
 * Returns one `GenerateResult` per row; the `tokens` of all rows are views of one `[B, length]` array.
 *
 * @example
 * const texts = generateBatch(model, tokenizer, {
 *   batchSize: 64,
 *   length: 200,
 *   sampling: { strategy: 'temperature', temperature: 1 },
 *   generator: new Generator(0),
 * }).map((r) => r.text);
 */
export function generateBatch(model: TextGenerationModel, tokenizer: CharTokenizer, options: GenerateBatchOptions): GenerateResult[] {
  const op = 'generateBatch';
  const { batchSize, length = DEFAULT_GENERATE_LENGTH, sampling = { strategy: 'greedy' }, generator = defaultGenerator } = options;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new ValueError(`${op}: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new ValueError(`${op}: length must be an integer from 0 to 2^53 − 1 (Number.MAX_SAFE_INTEGER), got ${length}`);
  }
  if (batchSize * length > 2 ** 31 - 1) {
    throw new ValueError(`${op}: batchSize × length (${batchSize} × ${length}) is more characters than one Int32Array holds`);
  }
  checkVocabulary(op, model, tokenizer);
  const checked = options.allowNonFinite !== true;
  if (checked) checkFiniteWeights(op, model);
  resolveStrategy(sampling); // validates the strategy before anything runs
  const prompts = promptsOf(op, options.prompt, batchSize, tokenizer, generator);
  const promptIds = prompts.map((prompt) => encodePrompt(op, tokenizer, prompt));
  if (promptIds.some((ids) => ids.length !== promptIds[0]!.length)) {
    throw new ValueError(
      `${op}: the prompts must all have one length (the rows step together), got ${promptIds.map((ids) => ids.length).join(', ')}`,
    );
  }
  const V = model.vocabSize;
  const ids = new Int32Array(batchSize * length);
  const logProbs = new Float64Array(batchSize);
  if (length > 0) {
    const sampler = new RowSampler(sampling, V);
    const stepper = openStepper(model, batchSize);
    try {
      const tokens = new Int32Array(batchSize);
      let logits = warmUpStepper(stepper, promptIds);
      for (let t = 0; t < length; t++) {
        if (checked) checkFiniteOutput(op, model, logits, `at character ${t + 1}`);
        for (let r = 0; r < batchSize; r++) {
          const id = sampler.draw(logits, r * V, generator);
          ids[r * length + t] = id;
          logProbs[r] = logProbs[r]! + sampler.logProb;
          tokens[r] = id;
        }
        if (t + 1 < length) logits = stepper.step(tokens);
      }
    } finally {
      stepper.dispose();
    }
  }
  const chars = Array.from({ length: V }, (_, id) => tokenizer.decode([id]));
  return prompts.map((prompt, r) => {
    const row = ids.subarray(r * length, (r + 1) * length);
    const completion = Array.from(row, (id) => chars[id]!).join('');
    return { prompt, completion, text: prompt + completion, tokens: row, logProb: logProbs[r]! };
  });
}

/** The prompt of each row: the one given for all, the B given, or a random character each. */
function promptsOf(
  op: string,
  prompt: string | readonly string[] | undefined,
  batchSize: number,
  tokenizer: CharTokenizer,
  generator: Generator,
): string[] {
  if (prompt === undefined) return Array.from({ length: batchSize }, () => randomFirstCharacter(tokenizer, generator));
  if (typeof prompt === 'string') return new Array<string>(batchSize).fill(prompt);
  if (!Array.isArray(prompt) || prompt.length !== batchSize) {
    throw new ValueError(
      `${op}: expected a prompt string or ${batchSize} of them (one per row), got ${Array.isArray(prompt) ? prompt.length : typeof prompt}`,
    );
  }
  return [...prompt];
}
