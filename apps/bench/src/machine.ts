// The machine facts of the results header.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { BenchHeader } from './results.js';

/**
 * The vector instruction sets in a Linux `/proc/cpuinfo` text's first `flags` (x86) or `Features`
 * (Arm) line, in the order listed: SSE4, AVX, AVX2, FMA, every AVX-512 subset, NEON/ASIMD. PyTorch's
 * kernels (and so its side of every ratio) change with them; wasm SIMD is 128-bit whatever they are.
 *
 * @example simdFlags('flags\t: fpu sse4_2 avx avx2 fma avx512f') // ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f']
 */
export function simdFlags(cpuinfo: string): string[] {
  const line = /^(?:flags|Features)\s*:(.*)$/m.exec(cpuinfo);
  if (line === null) return [];
  return line[1]!
    .trim()
    .split(/\s+/)
    .filter((flag) => /^(?:sse4_[12]|avx|avx2|fma|avx512\w*|avx_vnni|neon|asimd\w*|sve\w*)$/.test(flag));
}

/** The SIMD flags of this machine's CPU, or undefined where `/proc/cpuinfo` cannot be read (not Linux). */
function machineSimd(): string[] | undefined {
  try {
    return simdFlags(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return undefined;
  }
}

/** CPU model and SIMD flags, cores, memory, platform, Node version and load average now. */
export function machineInfo(): BenchHeader['machine'] {
  const cpus = os.cpus();
  const simd = machineSimd();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    ...(simd === undefined ? {} : { simd }),
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
