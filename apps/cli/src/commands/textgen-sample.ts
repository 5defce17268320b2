/**
 * `tensorloom textgen sample`: text from a trained checkpoint, greedy, tempered (in either
 * convention), top-k, top-p or by beam search. Sampled text of any length streams to stdout in
 * bounded memory (`textgen-sample-stream.ts`); beam search, which decides at the end, is bounded
 * by the memory it needs.
 */
import { Generator } from '@tensorloom/core-tensor';
import {
  DEFAULT_BEAM_WIDTH,
  UnknownCharacterError,
  beamSearch,
  beamSearchBytes,
  type SamplingStrategy,
  type Tempering,
} from '@tensorloom/textgen';
import { UsageError, stringOption, type Command, type OptionValues } from '../cli.js';
import { checkMemory } from '../memory.js';
import { refuseNonFiniteCheckpoint } from '../non-finite.js';
import { signalExitCode } from '../interrupt.js';
import { choice, flagSetting, float, int, resolveSettings, settingOptions } from '../settings.js';
import { describeUnknown, loadCheckpointFlag } from './textgen-common.js';
import { jsonResultTerms, streamSamples, type SampledText } from './textgen-sample-stream.js';

/** What `--strategy` takes: the library's sampling strategies plus beam search. */
export const SAMPLE_STRATEGIES = ['greedy', 'temperature', 'top-k', 'top-p', 'beam'] as const;
export type SampleStrategyName = (typeof SAMPLE_STRATEGIES)[number];

/**
 * `--length`: any count a number holds exactly (sampled text streams, so a billion characters is
 * fine); beyond 2^53 − 1 a count is no longer exact.
 */
function lengthFlag(raw: string | boolean, flag: string): number {
  const text = String(raw).trim();
  if (/^\+?\d+$/.test(text) && !Number.isSafeInteger(Number(text))) {
    throw new UsageError(
      `--${flag} must be at most ${Number.MAX_SAFE_INTEGER} (2^53 − 1, the largest count a number holds exactly), got ${text}`,
    );
  }
  return int({ min: 1 })(raw, flag);
}

/** How much text: the characters after the prompt. */
const LENGTH_SETTINGS = {
  length: {
    flag: 'length',
    description: 'Characters to generate after the prompt (any number: the text streams; beam search holds it)',
    valueName: 'N',
    default: 200,
    parse: lengthFlag,
  },
};

/** How each character is chosen: the strategy and the flags of each. */
export const SAMPLING_SETTINGS = {
  strategy: {
    flag: 'strategy',
    description: `How to choose each character: ${SAMPLE_STRATEGIES.join(', ')}`,
    valueName: 'NAME',
    default: 'temperature' as SampleStrategyName,
    parse: choice(SAMPLE_STRATEGIES),
  },
  temperature: {
    flag: 'temperature',
    description: 'Divide the logits by T (default 1)',
    valueName: 'T',
    default: undefined as number | undefined,
    parse: float({ min: 0 }),
  },
  inverseTemperature: {
    flag: 'inverse-temperature',
    description: "Multiply the logits by τ (the course sheet's convention)",
    valueName: 'TAU',
    default: undefined as number | undefined,
    parse: float({ min: 0 }),
  },
  k: { flag: 'k', description: 'top-k: the characters kept', valueName: 'K', default: 10, parse: int({ min: 1 }) },
  p: { flag: 'p', description: 'top-p: the probability mass kept', valueName: 'P', default: 0.9, parse: float({ above: 0, max: 1 }) },
  beamWidth: {
    flag: 'beam-width',
    description: 'beam: continuations kept at each step',
    valueName: 'W',
    default: DEFAULT_BEAM_WIDTH,
    parse: int({ min: 1, max: 1000 }),
  },
};

/** The seed, how many texts and how they are written. */
const RUN_SETTINGS = {
  seed: { flag: 'seed', description: 'Seed of the draws and of the random first character', valueName: 'N', default: 0, parse: int() },
  count: { flag: 'count', description: 'Texts to generate', valueName: 'N', default: 1, parse: int({ min: 1, max: 10_000 }) },
  stream: flagSetting('stream', 'Write the characters as they are generated (within 20 ms), not in chunks of 65,536.'),
};

type SamplingOption = Exclude<keyof typeof SAMPLING_SETTINGS, 'strategy'>;

/** The settings each strategy accepts beyond the common ones. */
const STRATEGY_OPTIONS: Record<SampleStrategyName, readonly SamplingOption[]> = {
  greedy: [],
  temperature: ['temperature', 'inverseTemperature'],
  'top-k': ['temperature', 'inverseTemperature', 'k'],
  'top-p': ['temperature', 'inverseTemperature', 'p'],
  beam: ['beamWidth'],
};

/**
 * The sampling strategy the flags describe (beam search is separate), with each flag checked: a
 * flag the strategy does not use, or both temperature conventions, is a usage error naming it.
 */
export function samplingFromFlags(values: OptionValues): {
  name: SampleStrategyName;
  sampling: SamplingStrategy | undefined;
  beamWidth: number;
} {
  const { strategy: name } = resolveSettings(values, { strategy: SAMPLING_SETTINGS.strategy });
  const accepted = STRATEGY_OPTIONS[name];
  for (const key of ['temperature', 'inverseTemperature', 'k', 'p', 'beamWidth'] as const) {
    const { flag } = SAMPLING_SETTINGS[key];
    if (values[flag] !== undefined && !accepted.includes(key)) {
      const takes = accepted.length > 0 ? ` (it takes ${accepted.map((a) => `--${SAMPLING_SETTINGS[a].flag}`).join(', ')})` : '';
      throw new UsageError(`--${flag} does not apply to --strategy ${name}${takes}`);
    }
  }
  if (values.temperature !== undefined && values['inverse-temperature'] !== undefined) {
    throw new UsageError(
      "--temperature (divides the logits) and --inverse-temperature (multiplies them, the course sheet's τ) are two conventions " +
        'for one thing: give one',
    );
  }
  const { temperature, inverseTemperature, k, p, beamWidth } = resolveSettings(values, SAMPLING_SETTINGS);
  const tempering: Tempering = {
    ...(temperature === undefined ? {} : { temperature }),
    ...(inverseTemperature === undefined ? {} : { inverseTemperature }),
  };
  switch (name) {
    case 'greedy':
      return { name, sampling: { strategy: 'greedy' }, beamWidth };
    case 'temperature':
      return { name, sampling: { strategy: 'temperature', ...tempering }, beamWidth };
    case 'top-k':
      return { name, sampling: { strategy: 'top-k', k, ...tempering }, beamWidth };
    case 'top-p':
      return { name, sampling: { strategy: 'top-p', p, ...tempering }, beamWidth };
    case 'beam':
      return { name, sampling: undefined, beamWidth };
  }
}

/** One line describing the strategy, temperatures named in both conventions. */
export function describeSampling(name: SampleStrategyName, sampling: SamplingStrategy | undefined, beamWidth: number): string {
  if (name === 'beam') return `beam search, width ${beamWidth}`;
  if (sampling === undefined || sampling.strategy === 'greedy') return 'greedy';
  const { temperature, inverseTemperature } = sampling;
  const tempered =
    temperature !== undefined
      ? `temperature ${temperature} (softmax(logits/${temperature}); inverse temperature ${temperature === 0 ? '∞' : 1 / temperature})`
      : inverseTemperature !== undefined
        ? `inverse temperature ${inverseTemperature} (softmax(${inverseTemperature}·logits), the sheet's τ; ` +
          `temperature ${inverseTemperature === 0 ? '∞' : 1 / inverseTemperature})`
        : 'temperature 1';
  const filter = sampling.strategy === 'top-k' ? `top-k ${sampling.k}, ` : sampling.strategy === 'top-p' ? `top-p ${sampling.p}, ` : '';
  return `${filter}${tempered}`;
}

export const textgenSampleCommand: Command = {
  path: ['textgen', 'sample'],
  summary: 'Generate text from a textgen checkpoint: greedy, temperature, top-k, top-p or beam search, optionally streamed.',
  details: [
    'The prompt runs through the model first and its state carries on; without --prompt each text',
    'starts from a random vocabulary character. Temperatures come in two conventions, give one:',
    "  --temperature T            divides the logits, softmax(logits/T) (PyTorch's; T < 1 sharpens, 0 is greedy)",
    "  --inverse-temperature τ    multiplies them, softmax(τ·logits) (the course sheet's τ; τ > 1 sharpens)",
    'so --inverse-temperature 2 is --temperature 0.5. --strategy top-k keeps the k most likely characters,',
    'top-p the smallest set reaching probability p; beam keeps --beam-width continuations by total',
    'log-probability (--count ≤ width prints the best ones). The same --seed gives the same text.',
    'Any --length streams to stdout in bounded memory, with a progress line on stderr for long texts;',
    'Ctrl-C stops it (exit 130). Beam search and --json hold the whole text, so their --length is bounded by memory.',
  ].join('\n'),
  options: {
    checkpoint: { type: 'string', description: "A checkpoint directory, or a run folder (its 'latest').", valueName: 'DIR' },
    prompt: { type: 'string', description: 'Text to complete (default: a random first character).', valueName: 'TEXT' },
    ...settingOptions(LENGTH_SETTINGS),
    ...settingOptions(SAMPLING_SETTINGS),
    ...settingOptions(RUN_SETTINGS),
  },
  async run(values, ctx) {
    const dir = stringOption(values, 'checkpoint');
    if (dir === undefined) throw new UsageError('--checkpoint is required: the checkpoint directory (or run folder) to sample from');
    const { length, seed, count, stream } = resolveSettings(values, { ...LENGTH_SETTINGS, ...RUN_SETTINGS });
    const prompt = stringOption(values, 'prompt');
    if (prompt === '') throw new UsageError('--prompt must not be empty (leave it out to start from a random character)');
    const { name, sampling, beamWidth } = samplingFromFlags(values);
    if (stream && name === 'beam')
      throw new UsageError('--stream needs a strategy that picks one character at a time; beam search decides at the end');
    if (stream && ctx.json) throw new UsageError('--stream writes text as it comes and --json one object at the end: give one');
    if (name === 'beam' && count > beamWidth)
      throw new UsageError(`--count ${count} exceeds --beam-width ${beamWidth}: beam search has ${beamWidth} texts to give`);
    if (name === 'beam') checkBeamMemory(length, beamWidth);
    else if (ctx.json) checkMemory('sampling with --json', jsonResultTerms(length, count, prompt?.length ?? 1));

    const checkpoint = await loadCheckpointFlag(dir, 'checkpoint', ctx.log);
    refuseNonFiniteCheckpoint('textgen sample', checkpoint);
    const { model, tokenizer } = checkpoint;
    if (prompt !== undefined) {
      try {
        tokenizer.encode(prompt);
      } catch (error) {
        if (error instanceof UnknownCharacterError) throw new UsageError(`--prompt: ${describeUnknown(error, prompt, 'the prompt')}`);
        throw error;
      }
    }
    const generator = new Generator(seed);
    ctx.log(
      `checkpoint ${checkpoint.dir}: step ${checkpoint.step}, vocabulary ${tokenizer.vocabSize}; ` +
        `${describeSampling(name, sampling, beamWidth)}, ${length} characters, seed ${seed}`,
    );

    let results: SampledText[] = [];
    let interrupted: Record<string, unknown> = {};
    if (name === 'beam') {
      // Beam search does not stream: each beam's characters are decided at the end.
      const best = beamSearch(model, tokenizer, { length, beamWidth, generator, ...(prompt !== undefined ? { prompt } : {}) });
      results = best.beams
        .slice(0, count)
        .map((beam) => ({ prompt: best.prompt, completion: beam.completion, text: best.prompt + beam.completion, logProb: beam.logProb }));
      results.forEach((r, i) => ctx.print(i + 1 < results.length ? `${r.text}\n` : r.text));
    } else {
      const generation = { sampling: sampling!, generator, ...(prompt !== undefined ? { prompt } : {}) };
      const streamed = await streamSamples(model, tokenizer, { count, length, generation, live: stream, keep: ctx.json }, ctx);
      results = streamed.samples;
      if (streamed.interruptedBy !== null) {
        ctx.exitCode = signalExitCode(streamed.interruptedBy);
        interrupted = { interruptedBy: streamed.interruptedBy, generated: streamed.characters };
      }
    }
    return {
      checkpoint: checkpoint.dir,
      step: checkpoint.step,
      strategy: name,
      ...(sampling && sampling.strategy !== 'greedy'
        ? {
            ...(sampling.temperature !== undefined ? { temperature: sampling.temperature } : {}),
            ...(sampling.inverseTemperature !== undefined ? { inverseTemperature: sampling.inverseTemperature } : {}),
            ...(sampling.strategy === 'top-k' ? { k: sampling.k } : {}),
            ...(sampling.strategy === 'top-p' ? { p: sampling.p } : {}),
          }
        : {}),
      ...(name === 'beam' ? { beamWidth } : {}),
      length,
      seed,
      samples: results,
      ...interrupted,
    };
  },
};

/** Beam search holds every beam to the end: a usage error naming --length and --beam-width when that does not fit. */
function checkBeamMemory(length: number, beamWidth: number): void {
  const flags = [`--length ${length}`, `--beam-width ${beamWidth}`];
  try {
    checkMemory('beam search', [
      { what: 'beams', flags, elements: beamSearchBytes(length, beamWidth) / 4, largestTensor: length * beamWidth },
    ]);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(`${error.message}; beam search keeps every beam until the end, the other strategies stream any --length`);
  }
}
