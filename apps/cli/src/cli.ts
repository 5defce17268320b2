/**
 * The command framework every `tensorloom` command uses, so all of them behave alike:
 * `--help`; `--json` prints the final result as one JSON object on the last line of stdout while
 * progress goes to stderr; exit code 0 on success, 1 on failure, 2 on bad usage with a one-line
 * message naming the flag.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TensorloomError } from '@tensorloom/core-tensor';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { description: string; valueName?: string };

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CommandContext {
  stdout: Output;
  stderr: Output;
  /** True under `--json`: human output is suppressed, the result goes to stdout as JSON. */
  json: boolean;
  /** Human-readable output (stdout, suppressed under --json). */
  print(line: string): void;
  /** Progress and diagnostics (stderr, always). */
  log(line: string): void;
  /**
   * The exit code when `run` returns normally: 0 unless the command sets it (an interrupted run
   * sets 128 + the signal's number, after saving).
   */
  exitCode?: number;
}

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Command {
  /** Words after `tensorloom`, e.g. `['demo']` or `['seq', 'train']`. */
  path: readonly string[];
  summary: string;
  /** Extra help text shown under the options. */
  details?: string;
  options: Record<string, OptionSpec>;
  run(values: OptionValues, ctx: CommandContext): Promise<Record<string, unknown>>;
}

/** Bad usage: exit code 2 with a one-line message. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const COMMON: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'Show this help and exit.' },
  json: { type: 'boolean', description: 'Print the final result as one JSON object on the last line of stdout.' },
};

export function formatHelp(command: Command, globalOptions: Record<string, OptionSpec> = {}): string {
  const all = { ...command.options, ...globalOptions, ...COMMON };
  const rows = Object.entries(all).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
    const dflt = spec.default !== undefined && spec.type === 'string' ? ` (default: ${String(spec.default)})` : '';
    return [flag, `${spec.description}${dflt}`] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return [
    `Usage: tensorloom ${command.path.join(' ')} [options]`,
    '',
    command.summary,
    '',
    'Options:',
    ...rows.map(([f, d]) => `  ${f.padEnd(width)}${d}`),
    ...(command.details ? ['', command.details] : []),
    '',
  ].join('\n');
}

function formatTopHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length)) + 2;
  return [
    'Usage: tensorloom <command> [options]',
    '',
    'Recurrent and graph neural networks in TypeScript.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.path.join(' ').padEnd(width)}${c.summary}`),
    '',
    "Run 'tensorloom <command> --help' for a command's options.",
    '',
  ].join('\n');
}

/**
 * Options every command takes on top of its own (the compute backend), with the hooks that apply
 * them before the command runs and release them after.
 */
export interface GlobalOptions {
  options: Record<string, OptionSpec>;
  /** Applies the global options; its result is merged into the command's JSON result. */
  setup(values: OptionValues): Promise<Record<string, unknown>>;
  teardown?(): Promise<void>;
}

/** Runs the CLI and returns the exit code (0 success, 1 failure, 2 bad usage). */
export async function runCli(
  argv: readonly string[],
  commands: readonly Command[],
  io: { stdout: Output; stderr: Output },
  globals?: GlobalOptions,
): Promise<number> {
  const common = { ...COMMON, ...(globals?.options ?? {}) };
  // `pnpm demo -- --steps 5` hands the separator through: a lone `--` carries no meaning here.
  argv = argv.filter((a) => a !== '--');
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) break;
    words.push(a);
  }
  const match = [...commands].sort((a, b) => b.path.length - a.path.length).find((c) => c.path.every((w, i) => words[i] === w));
  if (!match) {
    if (words.length === 0 || argv.includes('--help') || argv.includes('-h')) {
      io.stdout.write(formatTopHelp(commands));
      return words.length === 0 && !(argv.includes('--help') || argv.includes('-h')) ? 2 : 0;
    }
    // A command group without its subcommand (`tensorloom textgen`): name the subcommands.
    const group = commands.filter((c) => c.path.length > words.length && words.every((w, i) => c.path[i] === w));
    if (words.length > 0 && group.length > 0) {
      const names = group.map((c) => c.path.slice(words.length).join(' '));
      io.stderr.write(
        `tensorloom ${words.join(' ')}: expected a subcommand (${names.join(', ')}); ` +
          `run 'tensorloom ${words.join(' ')} ${names[0]} --help' for its options\n`,
      );
      return 2;
    }
    io.stderr.write(`tensorloom: unknown command '${words.join(' ')}'; run 'tensorloom --help' for the list\n`);
    return 2;
  }
  const rest = joinNegativeValues(argv.slice(match.path.length), { ...match.options, ...common });
  let values: OptionValues;
  try {
    const options = Object.fromEntries(
      Object.entries({ ...match.options, ...common }).map(([k, spec]) => {
        const { description: _d, valueName: _v, ...rest } = spec;
        return [k, rest];
      }),
    ) as ParseArgsConfig['options'];
    values = parseArgs({ args: [...rest], options, strict: true, allowPositionals: false }).values as OptionValues;
  } catch (error) {
    io.stderr.write(`tensorloom ${match.path.join(' ')}: ${oneLine(error)}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(formatHelp(match, globals?.options));
    return 0;
  }
  const json = values.json === true;
  const ctx: CommandContext = {
    stdout: io.stdout,
    stderr: io.stderr,
    json,
    print: (line) => {
      if (!json) io.stdout.write(`${line}\n`);
    },
    log: (line) => {
      io.stderr.write(`${line}\n`);
    },
  };
  try {
    const runtime = globals ? await globals.setup(values) : {};
    const result = await match.run(values, ctx);
    if (json) io.stdout.write(`${JSON.stringify({ ...result, ...runtime })}\n`);
    return ctx.exitCode ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`tensorloom ${match.path.join(' ')}: ${oneLine(error)}\n`);
      return 2;
    }
    io.stderr.write(`tensorloom ${match.path.join(' ')}: error: ${failureText(error)}\n`);
    if (process.env.TENSORLOOM_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return 1;
  } finally {
    await globals?.teardown?.();
  }
}

/**
 * `--steps -5` as `--steps=-5`: parseArgs reads a value that starts with '-' as another option
 * ("argument is ambiguous"), so a negative number would never reach the flag's own range check.
 */
function joinNegativeValues(args: readonly string[], options: Record<string, OptionSpec>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const spec = arg.startsWith('--') ? options[arg.slice(2)] : undefined;
    if (spec?.type === 'string' && next !== undefined && /^-\d|^-\.\d|^-Infinity$|^-inf$/i.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!;
}

/**
 * What a failure prints: a typed library error in full, since its further lines are the details
 * the user acts on (`loadStateDict: 9 problem(s) …` then one line per problem), each indented
 * under the first; any other error's first line.
 */
function failureText(error: unknown): string {
  if (!(error instanceof TensorloomError)) return oneLine(error);
  const [first, ...rest] = error.message.trimEnd().split('\n');
  return [first, ...rest.map((line) => (line.startsWith(' ') ? line : `  ${line}`))].join('\n');
}

// ---- typed option readers: each names its flag in the usage error ---------------------------------

export function intOption(values: OptionValues, name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = String(raw);
  const v = Number(text);
  if (!/^[+-]?\d+$/.test(text.trim()) || !Number.isSafeInteger(v)) throw new UsageError(`--${name} expects an integer, got '${text}'`);
  if (range.min !== undefined && v < range.min) throw new UsageError(`--${name} must be at least ${range.min}, got ${v}`);
  if (range.max !== undefined && v > range.max) throw new UsageError(`--${name} must be at most ${range.max}, got ${v}`);
  return v;
}

export function floatOption(
  values: OptionValues,
  name: string,
  fallback: number,
  range: { min?: number; max?: number; exclusiveMin?: boolean } = {},
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = String(raw);
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name} expects a number, got '${text}'`);
  if (range.min !== undefined && (range.exclusiveMin ? v <= range.min : v < range.min)) {
    throw new UsageError(`--${name} must be ${range.exclusiveMin ? 'greater than' : 'at least'} ${range.min}, got ${v}`);
  }
  if (range.max !== undefined && v > range.max) throw new UsageError(`--${name} must be at most ${range.max}, got ${v}`);
  return v;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const raw = values[name];
  return raw === undefined ? undefined : String(raw);
}
