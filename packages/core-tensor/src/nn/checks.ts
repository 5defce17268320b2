/** Option checks shared by the layers (internal to nn). */
import { ValueError } from '../errors.js';

/** Throws a ValueError unless `value` is a non-negative integer. */
export function checkSize(op: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new ValueError(`${op}: ${name} must be a non-negative integer, got ${String(value)}`);
}

/** Throws a ValueError unless `value` is a probability in [0, 1]. */
export function checkProbability(op: string, name: string, value: number): void {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1))
    throw new ValueError(`${op}: ${name} must be a probability in [0, 1], got ${String(value)}`);
}
