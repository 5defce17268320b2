/**
 * The seeds of a multi-seed run, one way for every command: `--seeds` names them (a seed `0`, a
 * list `0,1,2`, a range `0..9`), `--num-seeds K` counts them (the seeds 0 … K−1).
 */
import { UsageError, stringOption, type OptionSpec, type OptionValues } from './cli.js';

const MAX_SEEDS = 10_000;

/**
 * The seeds `text` names: one seed (`'0'`), a comma-separated list (`'0,1,2'`) or an inclusive
 * range (`'0..9'`). Bad input is a `UsageError` naming the flag.
 *
 * @example parseSeeds('0..9')  // [0, 1, …, 9]
 * @example parseSeeds('0')     // [0]
 */
export function parseSeeds(text: string, flag = 'seeds'): number[] {
  const raw = text.trim();
  const range = /^(\d+)\s*\.\.\s*(\d+)$/.exec(raw);
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    if (to < from) throw new UsageError(`--${flag}: the range '${raw}' runs backwards`);
    if (to - from >= MAX_SEEDS) throw new UsageError(`--${flag}: the range '${raw}' holds more than ${MAX_SEEDS} seeds`);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || !Number.isSafeInteger(Number(p)))) {
    throw new UsageError(`--${flag} expects a seed (0), a comma-separated list (0,1,2) or a range (0..9), got '${text}'`);
  }
  const seeds = parts.map(Number);
  if (new Set(seeds).size !== seeds.length) throw new UsageError(`--${flag} lists a seed twice: '${text}'`);
  return seeds;
}

/**
 * The `--seeds` and `--num-seeds` flags. `fallback` (the seeds when neither is given) is in the help
 * text, not a parser default, so that giving both flags can be told apart from giving one.
 */
export function seedOptions(fallback: string): Record<'seeds' | 'num-seeds', OptionSpec> {
  return {
    seeds: {
      type: 'string',
      description: `Seeds: one (0), a list (0,1,2) or a range (0..9); one run each (default: ${fallback}).`,
      valueName: 'SEEDS',
    },
    'num-seeds': { type: 'string', description: 'Instead of --seeds: K runs, with the seeds 0 … K−1.', valueName: 'K' },
  };
}

/** The seeds of `--seeds` or `--num-seeds` (not both), `fallback` when neither is given. */
export function seedsFrom(values: OptionValues, fallback: string): number[] {
  const count = stringOption(values, 'num-seeds');
  if (count === undefined) return parseSeeds(stringOption(values, 'seeds') ?? fallback);
  if (values.seeds !== undefined) throw new UsageError('--seeds and --num-seeds both choose the seeds; give one');
  if (!/^\d+$/.test(count.trim()) || Number(count) < 1 || Number(count) > MAX_SEEDS) {
    throw new UsageError(`--num-seeds expects a count between 1 and ${MAX_SEEDS}, got '${count}'`);
  }
  return Array.from({ length: Number(count) }, (_, i) => i);
}
