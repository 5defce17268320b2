/**
 * Random node splits for graphs that come without one.
 */
import { DTypeError, Generator, ShapeError, Tensor, ValueError } from '@tensorloom/core-tensor';

/** Rows of each part of a split, ascending. */
export interface StratifiedSplit {
  train: number[];
  val: number[];
  test: number[];
}

export interface StratifiedSplitOptions {
  /** Training nodes per class (fewer when a class is small: one node of each class is left for evaluation). */
  trainPerClass: number;
  /** Validation nodes, drawn from the rest (at most half of it). */
  valSize: number;
  /** Seed of the draw. */
  seed: number;
}

/**
 * A seeded stratified split of the labelled rows, as Planetoid's public split is shaped (PyG's
 * `RandomNodeSplit('test_rest')`): `trainPerClass` nodes of each class train (at most all but
 * one of the class), `valSize` of the remaining labelled nodes validate (at most half of them),
 * the rest test. Unlabelled rows (−1) are in no split.
 *
 * Typed errors: a DTypeError for labels that are not int32, a ShapeError for labels that are not
 * 1-D, a ValueError for a negative or fractional option.
 *
 * @example
 * stratifiedSplit(Int32Array.from([0, 0, 1, 1, 1]), { trainPerClass: 1, valSize: 1, seed: 0 });
 * // { train: [1, 2], val: [3], test: [0, 4] }
 */
export function stratifiedSplit(labels: Int32Array | Tensor, options: StratifiedSplitOptions): StratifiedSplit {
  const op = 'stratifiedSplit';
  if (labels instanceof Tensor) {
    if (labels.dtype !== 'int32') throw new DTypeError(`${op}: labels must be int32 classes (−1: unlabelled), got ${labels.dtype}`);
    if (labels.ndim !== 1) throw new ShapeError(`${op}: labels must be 1-D [numNodes], got [${labels.shape.join(', ')}]`);
  }
  for (const name of ['trainPerClass', 'valSize', 'seed'] as const) {
    const value = options[name];
    if (!Number.isInteger(value) || value < 0) throw new ValueError(`${op}: ${name} must be an integer ≥ 0, got ${String(value)}`);
  }
  if (labels instanceof Tensor) labels = labels.data as Int32Array;
  const generator = new Generator(options.seed);
  const byClass = new Map<number, number[]>();
  labels.forEach((label, row) => {
    if (label >= 0) byClass.set(label, [...(byClass.get(label) ?? []), row]);
  });
  const shuffle = (rows: readonly number[]) => Array.from(generator.permutation(rows.length), (i) => rows[i]!);
  const train: number[] = [];
  const rest: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = shuffle(byClass.get(label)!);
    const take = Math.min(options.trainPerClass, Math.max(1, rows.length - 1));
    train.push(...rows.slice(0, take));
    rest.push(...rows.slice(take));
  }
  const pool = shuffle(rest);
  const valCount = Math.min(options.valSize, Math.floor(pool.length / 2));
  const byRow = (a: number, b: number) => a - b;
  return { train: train.sort(byRow), val: pool.slice(0, valCount).sort(byRow), test: pool.slice(valCount).sort(byRow) };
}
