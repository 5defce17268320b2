import { Generator, ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { bigramModel } from '../../test/bigram-model.js';
import { beamSearch } from './beam-search.js';
import { generate } from './generate.js';

// After 'a': b is likelier than c, but everything after b is uncertain while c is almost always
// followed by d. Greedy takes a→b→(1/3): 0.6·0.34 = 0.204; the best two characters are c, d: 0.4·0.9 = 0.36.
const CHARS = ['a', 'b', 'c', 'd', 'e'];
const TRANSITIONS = [
  [0, 0.6, 0.4, 0, 0],
  [0.34, 0, 0, 0.33, 0.33],
  [0, 0, 0, 0.9, 0.1],
  [0.2, 0.2, 0.2, 0.2, 0.2],
  [0.2, 0.2, 0.2, 0.2, 0.2],
];

describe('beamSearch', () => {
  it('finds the most likely sequence where greedy decoding does not', () => {
    const { model, tokenizer } = bigramModel(CHARS, TRANSITIONS);
    const greedy = generate(model, tokenizer, { prompt: 'a', length: 2 });
    expect(greedy.completion).toBe('ba');
    expect(greedy.logProb).toBeCloseTo(Math.log(0.6 * 0.34), 6);
    const beam = beamSearch(model, tokenizer, { prompt: 'a', length: 2, beamWidth: 2 });
    expect(beam.completion).toBe('cd');
    expect(beam.text).toBe('acd');
    expect(beam.logProb).toBeCloseTo(Math.log(0.4 * 0.9), 6);
    expect(beam.beams.map((b) => b.completion)).toEqual(['cd', 'ba']);
    // Width 1 is greedy decoding.
    expect(beamSearch(model, tokenizer, { prompt: 'a', length: 2, beamWidth: 1 }).completion).toBe('ba');
  });

  it('with a beam as wide as all prefixes, equals the exhaustive search over every sequence', () => {
    const generator = new Generator(3);
    const v = CHARS.length;
    const transitions = Array.from({ length: v }, () => {
      const row = Array.from({ length: v }, () => generator.random() ** 3);
      const total = row.reduce((a, b) => a + b, 0);
      return row.map((p) => p / total);
    });
    const { model, tokenizer } = bigramModel(CHARS, transitions);
    let best = { sequence: '', logProb: -Infinity };
    for (let i = 0; i < v ** 3; i++) {
      const ids = [Math.floor(i / 25) % 5, Math.floor(i / 5) % 5, i % 5];
      let logProb = 0;
      let previous = 0; // the prompt 'a'
      for (const id of ids) {
        logProb += Math.log(transitions[previous]![id]!);
        previous = id;
      }
      if (logProb > best.logProb) best = { sequence: ids.map((id) => CHARS[id]).join(''), logProb };
    }
    const beam = beamSearch(model, tokenizer, { prompt: 'a', length: 3, beamWidth: 25 });
    expect(beam.completion).toBe(best.sequence);
    expect(beam.logProb).toBeCloseTo(best.logProb, 5);
    // Beams come out best first.
    for (let k = 1; k < beam.beams.length; k++) expect(beam.beams[k]!.logProb).toBeLessThanOrEqual(beam.beams[k - 1]!.logProb);
  });

  it('rejects a bad length or beam width with ValueError', () => {
    const { model, tokenizer } = bigramModel(CHARS, TRANSITIONS);
    expect(() => beamSearch(model, tokenizer, { length: 0 })).toThrow(ValueError);
    expect(() => beamSearch(model, tokenizer, { beamWidth: 0 })).toThrow(ValueError);
  });
});
