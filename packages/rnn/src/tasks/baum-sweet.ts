import { defaultGenerator, type Generator } from '@tensorloom/core-tensor';
import { checkBatchSize, checkLength, makeBatch, type SequenceTask, type SequenceTaskOptions } from './sequence-task.js';

/**
 * The Baum–Sweet value of a natural number (OEIS A086747): 1 when its binary representation has
 * no block of consecutive zeros of odd length, else 0. By convention `baumSweet(0) = 1` (the empty
 * representation has no block at all).
 *
 * @example baumSweet(4) // 1 (100: one block "00")
 * @example baumSweet(5) // 0 (101: one block "0")
 */
export function baumSweet(n: number): 0 | 1 {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`baumSweet: expected a non-negative safe integer, got ${n}`);
  let run = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) {
    if (v % 2 === 0) run++;
    else {
      if (run % 2 === 1) return 0;
      run = 0;
    }
  }
  // The scan ends at the leading 1, which closes the last block.
  return 1;
}

/** The number of binary digits of n ≥ 1 (`bitLength(10 ** 4) = 14`). */
export function bitLength(n: number): number {
  let bits = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) bits++;
  return bits;
}

/**
 * The course's Baum–Sweet task: the binary representation of a natural number below 10^L is
 * read digit by digit; the label is its Baum–Sweet value (1 iff no block of consecutive zeros
 * has odd length).
 *
 * - Input: int32 `[B, T]` with `T = bitLength(10^L)` (L = 4 gives 14, L = 6 gives 20), most
 *   significant bit first, left-padded: symbol 0 = padding, 1 = bit 0, 2 = bit 1
 *   (`numInputSymbols = 3`), as the course's one-hot `[none, zero, one]` encoding.
 * - Label: 0 or 1 (`numClasses = 2`), balanced: each example's class is drawn with probability
 *   1/2, then a number uniform among those in 1..10^L−1 with that label. (The course rejects
 *   label-0 numbers with a fixed probability, 0.016724, to balance roughly; Baum–Sweet numbers
 *   get rarer as L grows, so tensorloom samples each class exactly: label 0 by rejection, label 1
 *   by counting the valid binary strings below 10^L.)
 * - `length`: L, an integer in 1..15 (so that 10^L is an exact double).
 *
 * @example
 * const task = baumSweetTask({ length: 4 });
 * task.inputLength // 14
 * const { inputs, targets } = task.sample(128, new Generator(0));
 */
export function baumSweetTask(options: SequenceTaskOptions): SequenceTask {
  const { length } = options;
  checkLength('baumSweetTask', length, { min: 1, max: 15 });
  const limit = 10 ** length;
  const inputLength = bitLength(limit);
  const counter = new BaumSweetCounter(limit - 1);
  return {
    name: 'baum-sweet',
    length,
    inputLength,
    numInputSymbols: 3,
    numClasses: 2,
    sample(batchSize: number, generator: Generator = defaultGenerator) {
      checkBatchSize('baumSweetTask', batchSize);
      const inputs = new Int32Array(batchSize * inputLength);
      const targets = new Int32Array(batchSize);
      for (let b = 0; b < batchSize; b++) {
        const label = generator.random() < 0.5 ? 1 : 0;
        let n: number;
        if (label === 1) n = counter.sample(generator);
        else {
          do n = generator.integer(1, limit);
          while (baumSweet(n) !== 0);
        }
        encodeBinary(n, inputs, b * inputLength, inputLength);
        targets[b] = label;
      }
      return makeBatch(inputs, targets, batchSize, inputLength);
    },
  };
}

/**
 * Writes n's binary digits, most significant first and right-aligned in `width` slots, as the
 * symbols 1 (bit 0) and 2 (bit 1); the slots before them get the padding symbol 0.
 */
export function encodeBinary(n: number, out: Int32Array, offset: number, width: number): void {
  let v = n;
  for (let i = width - 1; i >= 0; i--) {
    if (v > 0) {
      out[offset + i] = (v % 2) + 1;
      v = Math.floor(v / 2);
    } else out[offset + i] = 0;
  }
  if (v > 0) throw new RangeError(`encodeBinary: ${n} does not fit in ${width} bits`);
}

/**
 * Counts and samples uniformly the numbers in 1..max whose Baum–Sweet value is 1, by dynamic
 * programming over the bits of `max` from the most significant: the state is whether the number
 * has started (leading zeros are not a block), whether the current block of zeros is odd, and
 * whether the prefix still equals max's prefix (so the next bit is bounded by max's bit).
 */
class BaumSweetCounter {
  private readonly bits: number[];
  /** completions[pos][state]: valid ways to fill bits pos.. from `state` (see `stateIndex`). */
  private readonly completions: Float64Array[];

  constructor(max: number) {
    this.bits = [];
    for (let v = max; v > 0; v = Math.floor(v / 2)) this.bits.unshift(v % 2);
    const k = this.bits.length;
    this.completions = Array.from({ length: k + 1 }, () => new Float64Array(8));
    for (let state = 0; state < 8; state++) {
      const { started, odd } = decode(state);
      this.completions[k]![state] = started && !odd ? 1 : 0;
    }
    for (let pos = k - 1; pos >= 0; pos--) {
      for (let state = 0; state < 8; state++) {
        let total = 0;
        for (const bit of [0, 1]) {
          const next = this.next(pos, state, bit);
          if (next >= 0) total += this.completions[pos + 1]![next]!;
        }
        this.completions[pos]![state] = total;
      }
    }
  }

  /** How many numbers in 1..max have Baum–Sweet value 1. */
  get count(): number {
    return this.completions[0]![stateIndex(false, false, true)]!;
  }

  /** A number drawn uniformly among those counted. */
  sample(generator: Generator): number {
    let state = stateIndex(false, false, true);
    let value = 0;
    for (let pos = 0; pos < this.bits.length; pos++) {
      const zero = this.next(pos, state, 0);
      const one = this.next(pos, state, 1);
      const ways0 = zero >= 0 ? this.completions[pos + 1]![zero]! : 0;
      const ways1 = one >= 0 ? this.completions[pos + 1]![one]! : 0;
      const bit = generator.integer(0, ways0 + ways1) < ways0 ? 0 : 1;
      state = bit === 0 ? zero : one;
      value = value * 2 + bit;
    }
    return value;
  }

  /** The state after writing `bit` at `pos`, or −1 when that bit is not allowed. */
  private next(pos: number, state: number, bit: number): number {
    const { started, odd, tight } = decode(state);
    if (tight && bit > this.bits[pos]!) return -1;
    const stillTight = tight && bit === this.bits[pos];
    if (!started) return stateIndex(bit === 1, false, stillTight);
    if (bit === 1) return odd ? -1 : stateIndex(true, false, stillTight);
    return stateIndex(true, !odd, stillTight);
  }
}

function stateIndex(started: boolean, odd: boolean, tight: boolean): number {
  return (started ? 4 : 0) + (odd ? 2 : 0) + (tight ? 1 : 0);
}

function decode(state: number): { started: boolean; odd: boolean; tight: boolean } {
  return { started: (state & 4) !== 0, odd: (state & 2) !== 0, tight: (state & 1) !== 0 };
}

/** @internal For tests: the number of Baum–Sweet numbers in 1..max and a uniform sampler of them. */
export function baumSweetCounter(max: number): { count: number; sample(generator: Generator): number } {
  return new BaumSweetCounter(max);
}
