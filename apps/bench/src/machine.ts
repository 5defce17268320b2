// The machine facts of the results header.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { BenchHeader } from './results.js';

/** CPU model, cores, memory, platform, Node version and load average now. */
export function machineInfo(): BenchHeader['machine'] {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage: os.loadavg(),
  };
}

/** The repository's commit (`abc1234`, `+ local changes` when the tree differs), or undefined outside git. */
export function gitRevision(cwd: string): string | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() !== '';
    return dirty ? `${commit} + local changes` : commit;
  } catch {
    return undefined;
  }
}
