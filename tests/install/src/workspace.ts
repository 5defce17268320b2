/** The workspace's public packages, packed as `pnpm publish` would pack them, and small process helpers. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKSPACE = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export interface PublicPackage {
  name: string;
  dir: string;
  /** The subpaths of its exports map (`'.'`, `'./node'`, …), without `./package.json`. */
  entries: string[];
}

/** Every package under packages/ and apps/ that is not private: what gets published. */
export function publicPackages(): PublicPackage[] {
  const found: PublicPackage[] = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(WORKSPACE, group)).sort()) {
      const dir = join(WORKSPACE, group, name);
      let manifest: { name: string; private?: boolean; exports?: Record<string, unknown> };
      try {
        manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      if (manifest.private) continue;
      const entries = Object.keys(manifest.exports ?? { '.': null }).filter((entry) => entry !== './package.json');
      found.push({ name: manifest.name, dir, entries });
    }
  }
  return found;
}

/** The import specifier of an exports-map subpath: `'@tensorloom/graph'` + `'./node'` → `'@tensorloom/graph/node'`. */
export function specifierOf(name: string, entry: string): string {
  return entry === '.' ? name : `${name}/${entry.slice(2)}`;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs a command to its end (or its timeout) and returns what it printed. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; timeoutSeconds?: number; env?: NodeJS.ProcessEnv },
): RunResult {
  const started = performance.now();
  const result: SpawnSyncReturns<string> = spawnSync(command, args, {
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: (options.timeoutSeconds ?? 600) * 1000,
    maxBuffer: 64 * 1024 * 1024,
    env: options.env ?? process.env,
  });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, seconds: (performance.now() - started) / 1000 };
}

/** `run` that throws with the command's output when it does not exit 0. */
export function runOk(command: string, args: readonly string[], options: { cwd: string; timeoutSeconds?: number }): RunResult {
  const result = run(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/**
 * The first fenced code block in `markdown` whose language is `js` (what a README offers as its first
 * example), or undefined.
 */
export function firstJsExample(markdown: string): string | undefined {
  const match = /^```js\n([\s\S]*?)^```/m.exec(markdown);
  return match?.[1];
}
