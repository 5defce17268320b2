/**
 * Internal: sizes read from files are checked against the memory budget before anything of that
 * size is allocated, so a file that claims 10¹² nodes is a `GraphSizeError` naming the field and the
 * bytes, not `Invalid typed array length` or a machine driven into swap.
 */
import { MAX_TYPED_ARRAY_LENGTH, formatBytes, memoryBudgetBytes } from '@tensorloom/core-tensor';
import { GraphSizeError } from './errors.js';

/** One array a load will allocate: what it is, its elements and the bytes of one element. */
export interface PlannedArray {
  what: string;
  elements: number;
  bytesPerElement: number;
}

/**
 * Throws a `GraphSizeError` naming `field` (what claimed the size, e.g. `meta.json numNodes 1000000000000`)
 * when `arrays` need more than `maxBytes` (default: 90 % of the machine's memory) or one of them more
 * elements than a typed array can hold. Returns the planned bytes.
 */
export function checkPlannedSize(op: string, field: string, arrays: readonly PlannedArray[], maxBytes?: number): number {
  const budget = maxBytes ?? memoryBudgetBytes();
  const bytes = arrays.reduce((sum, a) => sum + a.elements * a.bytesPerElement, 0);
  const largest = [...arrays].sort((a, b) => b.elements - a.elements)[0];
  const parts = arrays.map((a) => `${a.what} ${formatBytes(a.elements * a.bytesPerElement)}`).join(', ');
  if (bytes > budget) {
    throw new GraphSizeError(
      `${op}: ${field} would need about ${formatBytes(bytes)} of memory (${parts}), more than the ${formatBytes(budget)} allowed`,
      field,
      bytes,
      budget,
    );
  }
  if (largest !== undefined && largest.elements > MAX_TYPED_ARRAY_LENGTH) {
    throw new GraphSizeError(
      `${op}: ${field} would make ${largest.what} ${largest.elements} elements long, ` +
        `more than one array can hold (${MAX_TYPED_ARRAY_LENGTH})`,
      field,
      bytes,
      budget,
    );
  }
  return bytes;
}
