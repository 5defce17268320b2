/**
 * Memory bounds for loaders. A size read from a file (a tensor's shape, a model's hidden size) is
 * checked against these before any typed array is allocated, so a damaged or hostile file ends in
 * a typed error naming the field and the bytes, not in `Invalid typed array length` or a machine
 * driven into swap. Browser-safe: `node:os` is asked for lazily.
 */
import { nodeBuiltin } from '../environment.js';

/** Elements one typed array can hold in V8 (2³²); one more is `Invalid typed array length`. */
export const MAX_TYPED_ARRAY_LENGTH = 2 ** 32;

/**
 * Bytes a loader may plan to allocate: 90 % of the machine's memory in Node, unbounded where the
 * runtime does not say (a browser), where the per-array limit (`MAX_TYPED_ARRAY_LENGTH`) still holds.
 */
export function memoryBudgetBytes(): number {
  const os = nodeBuiltin<typeof import('node:os')>('node:os');
  return os === undefined ? Number.POSITIVE_INFINITY : Math.floor(os.totalmem() * 0.9);
}

/**
 * A byte count as people read it, in decimal units: `512 bytes`, `1.2 MB`, `3.2 TB`.
 * @example formatBytes(3_200_000_000) // '3.2 GB'
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} bytes`;
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} bytes` : `${value.toPrecision(value >= 100 ? 3 : 2)} ${units[unit]}`;
}
