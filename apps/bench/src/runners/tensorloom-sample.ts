/**
 * tensorloom's `sample-A`: generating from `@tensorloom/textgen`'s `TextGenerationModel` with its
 * default architecture, as a user would. Batch 1 is textgen's own `generate` (a one-character
 * prompt, then `length` characters drawn at temperature 1), batch > 1 its `generateBatch` with the
 * same prompt for every row. Both step the model's stepper (`model.createStepper`: the weights
 * uploaded to the backend once per generation, each step one call) and draw each row from the
 * softmax, with the log-probability and the finiteness check of every step that users get.
 */
import * as core from '@tensorloom/core-tensor';
import { CharTokenizer, TextGenerationModel, generate, generateBatch, type SamplingStrategy } from '@tensorloom/textgen';
import { timeRuns } from '../measure.js';
import type { SampleSpec } from '../workloads.js';
import type { RunContext, RunOutput } from './runner.js';

/** A tokenizer of `vocab` printable characters from U+0020 (id 0 is the space), for `generate`. */
export function benchTokenizer(vocab: number): CharTokenizer {
  return new CharTokenizer(Array.from({ length: vocab }, (_, id) => String.fromCharCode(32 + id)));
}

/** The model of `spec`: textgen's defaults but for the sizes the spec names (the same, for `sample-A`). */
export function sampleModel(spec: SampleSpec): TextGenerationModel {
  return new TextGenerationModel({ vocabSize: spec.vocab, embeddingDim: spec.embedding, hiddenSize: spec.hidden, numLayers: spec.layers });
}

/**
 * Draws `spec.length` characters for each of `spec.batch` sequences, all starting from
 * `spec.seedToken`: `[batch, length]` ids, row-major. Batch 1 goes through `generate`, more
 * through `generateBatch`.
 */
export function sampleBatch(model: TextGenerationModel, spec: SampleSpec, generator: core.Generator): Int32Array {
  const sampling: SamplingStrategy = { strategy: 'temperature', temperature: spec.temperature };
  const tokenizer = benchTokenizer(spec.vocab);
  const prompt = tokenizer.decode([spec.seedToken]);
  const { batch, length } = spec;
  if (batch === 1) return generate(model, tokenizer, { prompt, length, sampling, generator }).tokens;
  const rows = generateBatch(model, tokenizer, { batchSize: batch, prompt, length, sampling, generator });
  const out = new Int32Array(batch * length);
  rows.forEach((row, b) => out.set(row.tokens, b * length));
  return out;
}

/** Times the generation of `spec.batch · spec.length` characters. */
export async function runTensorloomSample(spec: SampleSpec, context: RunContext): Promise<RunOutput> {
  const model = sampleModel(spec);
  const generator = new core.Generator(spec.seed);
  let drawn = 0;
  const timing = await timeRuns(
    () => {
      drawn = sampleBatch(model, spec, generator).length;
    },
    context.timing,
    ({ phase, index, seconds }) => context.log(`${phase} run ${index + 1}: ${seconds.toFixed(1)} s`),
  );
  if (drawn !== spec.batch * spec.length) throw new Error(`${spec.name}: drew ${drawn} characters, expected ${spec.batch * spec.length}`);
  return {
    value: (spec.batch * spec.length) / timing.bestSeconds,
    timing,
    note: spec.batch === 1 ? 'textgen generate()' : 'textgen generateBatch()',
  };
}
