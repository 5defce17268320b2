/**
 * The command line of `pnpm bench`.
 */
import { parseArgs } from 'node:util';

/** A bad command line; `main` prints the message and the usage and exits with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What the command line asks for. */
export interface BenchOptions {
  /** The subset that finishes in about 6 minutes (GEMM 128×1280×4096, char-LSTM A, sample-A), with shorter timing. */
  quick: boolean;
  /** Workload selectors (`gemm`, `gemm-128x1280x4096`, `gemm-64x192x512-NT`, `lstm-A`, `gcn-cora`); empty: all. */
  only: string[];
  /** Implementation selectors (`tensorloom`, `tfjs-wasm`, `pytorch-2t`, `brainjs`); empty: all. */
  impls: string[];
  /** Folder for latest.json and latest.md. */
  outDir: string | undefined;
  /** Time budget of one workload × implementation, in seconds; the job is stopped after 2× that. */
  maxSeconds: number | undefined;
  /** The Python that has torch. */
  python: string | undefined;
  /** Print the plan and stop. */
  list: boolean;
  help: boolean;
}

/** The usage text. */
export const USAGE = `usage: pnpm bench [--quick] [--only <workload,...>] [--impl <impl,...>]
                  [--max-seconds <s>] [--python <path>] [--out <dir>] [--list]

  --quick           the 128x1280x4096 GEMMs, char-LSTM config A and sample-A, shorter timing (about 6 min)
  --only <list>     workloads or prefixes: gemm, gemm-1024x1024x1024, gemm-64x512x1024-TN, lstm, lstm-A, lstm-B,
                    sample-A, gcn-cora, gat-cora, gcn-pubmed (these read ../shared/data or $TENSORLOOM_DATA),
                    gcn-scale (gcn-scale-1e4, -1e5, -1e6; --quick leaves 1e6 out unless named in full)
  --impl <list>     implementations or prefixes: tensorloom, tensorloom-js, tensorloom-wasm-1t,
                    tensorloom-wasm-2t, tfjs, tfjs-cpu, tfjs-wasm, brainjs, pytorch, pytorch-1t, pytorch-2t
  --max-seconds <s> time budget of one workload x implementation (default 300, --quick 30)
  --python <path>   the python with torch (default: $TENSORLOOM_BENCH_PYTHON, /usr/bin/python3, python3)
  --out <dir>       where latest.json and latest.md go (default: apps/bench/results)
  --list            print the planned runs and exit
`;

function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Parses the arguments after the script name. Throws `UsageError` on unknown or malformed flags. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string', multiple: true },
        impl: { type: 'string', multiple: true },
        out: { type: 'string' },
        'max-seconds': { type: 'string' },
        python: { type: 'string' },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  let maxSeconds: number | undefined;
  if (values['max-seconds'] !== undefined) {
    maxSeconds = Number(values['max-seconds']);
    if (!Number.isFinite(maxSeconds) || maxSeconds <= 0)
      throw new UsageError(`--max-seconds must be a positive number, got '${values['max-seconds']}'`);
  }
  const only = (values.only ?? []).flatMap(splitList);
  const impls = (values.impl ?? []).flatMap(splitList);
  if (values.only !== undefined && only.length === 0) throw new UsageError('--only needs at least one workload');
  if (values.impl !== undefined && impls.length === 0) throw new UsageError('--impl needs at least one implementation');
  return {
    quick: values.quick ?? false,
    only,
    impls,
    outDir: values.out,
    maxSeconds,
    python: values.python,
    list: values.list ?? false,
    help: values.help ?? false,
  };
}

/** Whether `name` is picked by `selector`: equal, or a prefix ending at a `-`. */
export function matchesSelector(name: string, selector: string): boolean {
  return name === selector || name.startsWith(`${selector}-`);
}
