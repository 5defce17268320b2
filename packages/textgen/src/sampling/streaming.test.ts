import { Generator, ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { bigramModel } from '../../test/bigram-model.js';
import { TextGenerationModel } from '../model.js';
import { CharTokenizer } from '../tokenizer.js';
import { BEAM_SEARCH_BYTES_PER_CHARACTER, beamSearch, beamSearchBytes } from './beam-search.js';
import { generate, startGeneration } from './generate.js';

const tokenizer = CharTokenizer.fromText('abcdefghij ');
const randomModel = (seed: number) =>
  new TextGenerationModel({ vocabSize: tokenizer.vocabSize, embeddingDim: 6, hiddenSize: 12, generator: new Generator(seed) });

describe('startGeneration, the incremental form of generate', () => {
  it('gives the prompt first, then generate’s characters and log-probabilities one at a time', () => {
    const model = randomModel(1);
    const options = { length: 40, sampling: { strategy: 'top-p', p: 0.9, temperature: 1.3 } as const };
    const { prompt, steps } = startGeneration(model, tokenizer, { ...options, generator: new Generator(4) });
    const tokens = [...steps];
    const whole = generate(model, tokenizer, { ...options, generator: new Generator(4) });
    expect(prompt).toBe(whole.prompt);
    expect(tokens.map((t) => t.char).join('')).toBe(whole.completion);
    expect(Int32Array.from(tokens.map((t) => t.id))).toEqual(whole.tokens);
    expect(tokens.reduce((sum, t) => sum + t.logProb, 0)).toBeCloseTo(whole.logProb, 10);
  });

  it('computes a character only when asked: leaving the loop stops the model and frees its stepper', () => {
    const model = randomModel(2);
    let calls = 0;
    let disposed = 0;
    const createStepper = model.createStepper.bind(model);
    model.createStepper = (batchSize: number) => {
      const stepper = createStepper(batchSize);
      const step = stepper.step.bind(stepper);
      const dispose = stepper.dispose.bind(stepper);
      stepper.step = (tokens: Int32Array) => {
        calls++;
        return step(tokens);
      };
      stepper.dispose = () => {
        disposed++;
        dispose();
      };
      return stepper;
    };
    const { steps } = startGeneration(model, tokenizer, { prompt: 'a', length: 1e12 });
    expect(calls).toBe(0); // nothing runs before the first character is asked for
    let taken = 0;
    for (const token of steps) {
      expect(tokenizer.chars).toContain(token.char);
      if (++taken === 50) break;
    }
    expect(calls).toBe(50); // the prompt's one character, then 49 fed back (the 50th is never fed)
    expect(disposed).toBe(1);
    expect(model.training).toBe(true); // the mode it found
  });

  it('takes any length a number counts exactly, and refuses beyond 2^53 − 1', () => {
    const model = randomModel(3);
    expect(() => startGeneration(model, tokenizer, { length: Number.MAX_SAFE_INTEGER })).not.toThrow();
    expect(() => startGeneration(model, tokenizer, { length: 2 ** 53 })).toThrow(ValueError);
    expect(() => startGeneration(model, tokenizer, { length: 1e300 })).toThrow(ValueError);
  });
});

describe('beamSearch memory', () => {
  // After 'a': b is likelier than c, but c is almost always followed by d (as in beam-search.test.ts).
  const transitions = [
    [0.05, 0.5, 0.3, 0.1, 0.05],
    [0.3, 0.05, 0.05, 0.35, 0.25],
    [0.02, 0.03, 0.05, 0.8, 0.1],
    [0.25, 0.15, 0.2, 0.3, 0.1],
    [0.1, 0.4, 0.2, 0.1, 0.2],
  ];

  it('keeps beams as back-pointers and reads out what a search keeping every beam’s characters finds', () => {
    const { model, tokenizer: chars } = bigramModel(['a', 'b', 'c', 'd', 'e'], transitions);
    for (const beamWidth of [1, 2, 3, 7]) {
      const found = beamSearch(model, chars, { prompt: 'a', length: 9, beamWidth });
      const expected = referenceBeams(transitions, 0, 9, beamWidth);
      expect(found.beams.map((b) => b.completion)).toEqual(expected.map((b) => b.ids.map((id) => 'abcde'[id]).join('')));
      found.beams.forEach((b, k) => expect(b.logProb).toBeCloseTo(expected[k]!.logProb, 6));
      found.beams.forEach((b) => expect(chars.decode(b.tokens)).toBe(b.completion));
    }
  });

  it('says what it needs, and refuses with a ValueError a search no array can hold, before running the model', () => {
    expect(beamSearchBytes(1_000_000, 5)).toBe(5_000_000 * BEAM_SEARCH_BYTES_PER_CHARACTER);
    const model = randomModel(5);
    let calls = 0;
    const forward = model.forward.bind(model);
    model.forward = (...args: Parameters<typeof model.forward>) => {
      calls++;
      return forward(...args);
    };
    expect(() => beamSearch(model, tokenizer, { prompt: 'a', length: 2 ** 40, beamWidth: 5 })).toThrow(ValueError);
    expect(() => beamSearch(model, tokenizer, { prompt: 'a', length: 2 ** 40, beamWidth: 5 })).toThrow(/length .* beamWidth 5/);
    expect(calls).toBe(0);
  });
});

/** Beam search over a bigram table, each beam keeping its whole list of ids (the textbook form). */
function referenceBeams(p: number[][], first: number, length: number, width: number): { ids: number[]; logProb: number }[] {
  let beams = [{ ids: [] as number[], last: first, logProb: 0 }];
  for (let t = 0; t < length; t++) {
    const candidates = beams.flatMap((beam, parent) => p[beam.last]!.map((q, id) => ({ parent, id, logProb: beam.logProb + Math.log(q) })));
    candidates.sort((x, y) => y.logProb - x.logProb || x.parent - y.parent || x.id - y.id);
    beams = candidates.slice(0, width).map((c) => ({ ids: [...beams[c.parent]!.ids, c.id], last: c.id, logProb: c.logProb }));
  }
  return beams;
}
