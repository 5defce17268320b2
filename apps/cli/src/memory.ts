/**
 * Bounds checked before allocating: a command estimates what its size flags will make it hold, and
 * `checkMemory` stops it with a usage error (exit 2) naming the flags and the memory it would need
 * when that is more than the machine has, or when one tensor would exceed what a typed array can
 * hold: before the first allocation, not as `Invalid typed array length` minutes later.
 */
import { totalmem } from 'node:os';
import { MAX_TYPED_ARRAY_LENGTH, formatBytes, memoryBudgetBytes } from '@tensorloom/core-tensor';
import { UsageError } from './cli.js';

/** One part of a command's memory: what it is, the flags that size it, its float32 elements. */
export interface MemoryTerm {
  what: string;
  /** The flags and their values, `--batch 64` (one string each), in the order they multiply. */
  flags: string[];
  /** Float32 elements this part holds in all (several tensors and copies). */
  elements: number;
  /** The elements of its largest single tensor (default `elements`). */
  largestTensor?: number;
}

export { formatBytes };

/** What `checkMemory` compares with: the machine's memory (a fraction of it) and a typed array's limit. */
export interface MemoryLimits {
  /** Bytes a command may plan to hold. Default 90 % of the machine's memory. */
  bytes: number;
  /** Bytes one float32 typed array can hold (2³² elements). */
  arrayBytes: number;
}

export function machineLimits(): MemoryLimits {
  return { bytes: memoryBudgetBytes(), arrayBytes: MAX_TYPED_ARRAY_LENGTH * 4 };
}

/**
 * Throws a `UsageError` when the terms need more than `limits` allow, naming the largest term's
 * flags, what it is, and the bytes. Returns the total bytes otherwise.
 * @example checkMemory('training', [{ what: 'activations', flags: ['--batch 64', '--seq 100'], elements: 1e6 }]);
 */
export function checkMemory(what: string, terms: readonly MemoryTerm[], limits: MemoryLimits = machineLimits()): number {
  const total = terms.reduce((sum, t) => sum + t.elements * 4, 0);
  const largest = [...terms].sort((a, b) => b.elements - a.elements)[0];
  const tensor = [...terms].sort((a, b) => (b.largestTensor ?? b.elements) - (a.largestTensor ?? a.elements))[0];
  if (largest !== undefined && total > limits.bytes) {
    const parts = terms.map((t) => `${t.what} ${formatBytes(t.elements * 4)}`).join(', ');
    throw new UsageError(
      `${largest.flags.join(' × ')}: ${what} would need about ${formatBytes(total)} of memory (${parts}), more than ` +
        `the ${formatBytes(limits.bytes)} this machine can give (90% of ${formatBytes(totalmem())}); make ` +
        `${largest.flags.length > 1 ? 'them' : 'it'} smaller`,
    );
  }
  if (tensor !== undefined && (tensor.largestTensor ?? tensor.elements) * 4 > limits.arrayBytes) {
    const bytes = (tensor.largestTensor ?? tensor.elements) * 4;
    throw new UsageError(
      `${tensor.flags.join(' × ')}: one tensor of the ${tensor.what} would take ${formatBytes(bytes)}, more than the ` +
        `${formatBytes(limits.arrayBytes)} one typed array can hold; make ${tensor.flags.length > 1 ? 'them' : 'it'} smaller`,
    );
  }
  return total;
}
