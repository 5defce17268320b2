/**
 * Beam search (the course's 2019 edition): keep the `beamWidth` most likely continuations at
 * every step instead of one, scored by their total log-probability.
 */
import { Tensor, ValueError, defaultGenerator, indexSelect, type Generator } from '@tensorloom/core-tensor';
import type { TextGenerationModel, TextGenerationState } from '../model.js';
import type { CharTokenizer } from '../tokenizer.js';
import {
  DEFAULT_GENERATE_LENGTH,
  checkFiniteOutput,
  checkFiniteWeights,
  checkVocabulary,
  encodePrompt,
  inEvalMode,
  logProbsOf,
  randomFirstCharacter,
  warmUp,
  type GenerateResult,
} from './generate.js';

export interface BeamSearchOptions {
  /** Characters to generate after the prompt. Default 30. */
  length?: number;
  /** Continuations kept at every step. Default 5; 1 is greedy decoding. */
  beamWidth?: number;
  /** Text to complete. Default: one random vocabulary character drawn with `generator`. */
  prompt?: string;
  /** Draws the random first character when there is no prompt (the search itself is deterministic). */
  generator?: Generator;
}

/** One finished beam. */
export interface Beam {
  completion: string;
  tokens: Int32Array;
  /** Σ log p of its characters (nats). */
  logProb: number;
}

export interface BeamSearchResult extends GenerateResult {
  /** Every final beam, best first (the result's own fields are the best one's). */
  beams: Beam[];
}

/** `beamSearch`'s default number of beams. */
export const DEFAULT_BEAM_WIDTH = 5;

/**
 * Bytes `beamSearch` holds per generated character and beam: 8 for the search's back-pointers (a
 * parent and an id) and about 8 for each beam's result (its ids and its text).
 */
export const BEAM_SEARCH_BYTES_PER_CHARACTER = 16;

/**
 * About the memory `beamSearch` needs for `length` characters and `beamWidth` beams, in bytes.
 * Beam search does not stream: it decides each beam's characters at the end, so it holds them all.
 * @example beamSearchBytes(1_000_000, 5) // 80,000,000 (80 MB)
 */
export function beamSearchBytes(length: number, beamWidth: number): number {
  return length * beamWidth * BEAM_SEARCH_BYTES_PER_CHARACTER;
}

/**
 * Finds a high-probability completion of `length` characters by beam search: every step extends
 * each of the `beamWidth` best partial completions by every character, scores each extension by
 * its total log-probability Σ log p(x_t | x_<t) under the model, and keeps the `beamWidth` best
 * (ties: the earlier beam, then the lower id). All completions have the same length, so no length
 * normalisation is needed. The beams run as one batch; their LSTM states are reordered by
 * `indexSelect` as beams are kept or dropped. With `beamWidth: 1` it is greedy decoding.
 *
 * It does not stream: every beam's characters are known only at the end, so it holds
 * `beamSearchBytes(length, beamWidth)` (16 bytes per character and beam; a ValueError naming both
 * options when one array could not hold the search). Each step costs O(beamWidth · V) whatever the
 * length: the beams are kept as back-pointers and read out once at the end.
 *
 * @example
 * const best = beamSearch(model, tokenizer, { prompt: 'Sleeping beauty is', length: 40, beamWidth: 8 });
 * best.completion; best.logProb; best.beams.length // 8
 */
export function beamSearch(model: TextGenerationModel, tokenizer: CharTokenizer, options: BeamSearchOptions = {}): BeamSearchResult {
  const { length = DEFAULT_GENERATE_LENGTH, beamWidth = DEFAULT_BEAM_WIDTH, generator = defaultGenerator } = options;
  if (!Number.isInteger(length) || length < 1) throw new ValueError(`beamSearch: length must be an integer ≥ 1, got ${length}`);
  if (!Number.isInteger(beamWidth) || beamWidth < 1) {
    throw new ValueError(`beamSearch: beamWidth must be an integer ≥ 1, got ${beamWidth}`);
  }
  checkVocabulary('beamSearch', model, tokenizer);
  checkFiniteWeights('beamSearch', model);
  const prompt = options.prompt ?? randomFirstCharacter(tokenizer, generator);
  const promptIds = encodePrompt('beamSearch', tokenizer, prompt);
  const vocab = model.vocabSize;

  // Step t's beams as back-pointers: beam k came from beam parentOf[t·W + k] of step t − 1 by idOf[t·W + k].
  const parentOf = allocateBeams(length, beamWidth);
  const idOf = allocateBeams(length, beamWidth);
  const start = warmUp(model, promptIds);
  checkFiniteOutput('beamSearch', model, start.logits, 'at character 1');
  let beams: number[] = [0]; // each beam's total log-probability
  let nextLogProbs: Float64Array[] = [logProbsOf(start.logits)];
  let state: TextGenerationState = start.state;
  for (let t = 0; t < length; t++) {
    // Every extension of every beam, best first.
    const candidates: { parent: number; id: number; logProb: number }[] = [];
    beams.forEach((logProb, parent) => {
      const logp = nextLogProbs[parent]!;
      for (let id = 0; id < vocab; id++) candidates.push({ parent, id, logProb: logProb + logp[id]! });
    });
    candidates.sort((a, b) => b.logProb - a.logProb || a.parent - b.parent || a.id - b.id);
    const kept = candidates.slice(0, beamWidth);
    kept.forEach((c, k) => {
      parentOf[t * beamWidth + k] = c.parent;
      idOf[t * beamWidth + k] = c.id;
    });
    beams = kept.map((c) => c.logProb);
    if (t + 1 === length) break;
    const parents = Tensor.empty([kept.length], 'int32');
    parents.data.set(kept.map((c) => c.parent));
    const tokens = Tensor.empty([kept.length], 'int32');
    tokens.data.set(kept.map((c) => c.id));
    const previous = state;
    const out = inEvalMode(model, () =>
      model.step(tokens, { h: indexSelect(previous.h, 1, parents), c: indexSelect(previous.c, 1, parents) }),
    );
    state = out.state;
    checkFiniteOutput('beamSearch', model, out.logits.data, `at character ${t + 2}`);
    nextLogProbs = kept.map((_, row) => logProbsOf(out.logits.data.subarray(row * vocab, (row + 1) * vocab)));
  }
  const finished: Beam[] = beams.map((logProb, last) => {
    const tokens = new Int32Array(length);
    for (let t = length - 1, k = last; t >= 0; t--) {
      tokens[t] = idOf[t * beamWidth + k]!;
      k = parentOf[t * beamWidth + k]!;
    }
    return { completion: tokenizer.decode(tokens), tokens, logProb };
  });
  const best = finished[0]!;
  return {
    prompt,
    completion: best.completion,
    text: prompt + best.completion,
    tokens: best.tokens,
    logProb: best.logProb,
    beams: finished,
  };
}

/** The back-pointer table of `length` steps of `beamWidth` beams, or a ValueError naming both when it cannot be had. */
function allocateBeams(length: number, beamWidth: number): Int32Array {
  try {
    return new Int32Array(length * beamWidth);
  } catch {
    throw new ValueError(
      `beamSearch: length ${length} × beamWidth ${beamWidth} needs about ${beamSearchBytes(length, beamWidth).toExponential(1)} bytes, ` +
        'more than one array can hold; beam search keeps every beam until the end, so generate long texts with generate or streamGenerate',
    );
  }
}
