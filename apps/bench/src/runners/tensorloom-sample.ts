/**
 * tensorloom's `sample-A`: generating from `@tensorloom/textgen`'s `TextGenerationModel` with its
 * default architecture, as a user would. Batch 1 is textgen's own `generate` (a one-character
 * prompt, then `length` characters drawn at temperature 1; it runs the model `length` times). textgen
 * has no batched generation, so batch 64 is the loop a user writes with the public pieces:
 * `model.step` on the last characters with the carried state and `sampleFromLogits` per row, in eval
 * mode under `noGrad`.
 */
import * as core from '@tensorloom/core-tensor';
import { CharTokenizer, TextGenerationModel, generate, sampleFromLogits, type SamplingStrategy } from '@tensorloom/textgen';
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
 * `spec.seedToken`: `[batch, length]` ids, row-major. Batch 1 goes through `generate`.
 */
export function sampleBatch(model: TextGenerationModel, spec: SampleSpec, generator: core.Generator): Int32Array {
  const sampling: SamplingStrategy = { strategy: 'temperature', temperature: spec.temperature };
  if (spec.batch === 1) {
    const tokenizer = benchTokenizer(spec.vocab);
    const prompt = tokenizer.decode([spec.seedToken]);
    return generate(model, tokenizer, { prompt, length: spec.length, sampling, generator }).tokens;
  }
  const { batch, length, vocab } = spec;
  const out = new Int32Array(batch * length);
  const wasTraining = model.training;
  model.eval();
  try {
    core.noGrad(() => {
      let tokens = core.tensor(new Int32Array(batch).fill(spec.seedToken), { dtype: 'int32', shape: [batch] });
      let state = model.initialState(batch);
      for (let t = 0; t < length; t++) {
        const step = model.step(tokens, state);
        state = step.state;
        const logits = step.logits.data;
        const next = new Int32Array(batch);
        for (let b = 0; b < batch; b++) {
          next[b] = sampleFromLogits(logits.subarray(b * vocab, (b + 1) * vocab), sampling, generator);
          out[b * length + t] = next[b]!;
        }
        tokens = core.tensor(next, { dtype: 'int32', shape: [batch] });
      }
    });
  } finally {
    if (wasTraining) model.train();
  }
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
    note: spec.batch === 1 ? 'textgen generate()' : 'model.step + sampleFromLogits per row (textgen has no batched generate)',
  };
}
