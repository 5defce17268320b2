/**
 * Node splits: the check every split read or given goes through (no overlap, no repeat, no id out of
 * range), boolean masks to indices, and random splits for graphs that come without one.
 */
import { DTypeError, Generator, ShapeError, Tensor, ValueError } from '@tensorloom/core-tensor';
import { SplitError, type SplitPart, type SplitProblem } from './errors.js';

const PARTS: readonly SplitPart[] = ['train', 'val', 'test'];
/** How many offending ids a `SplitError` lists per problem. */
const SHOWN = 5;

/** A split as node rows (any array-like of numbers); a missing part is empty. */
export type SplitIndices = Partial<Record<SplitPart, ArrayLike<number>>>;

/**
 * Checks a split of `numNodes` nodes: every id an integer in `[0, numNodes)`, no id twice in one
 * part, no id in two parts. Throws one `SplitError` listing every problem, each with the parts it
 * concerns, how many nodes and the first few ids (`problems` holds them for code). `source` names
 * where the split came from in the message (a file, a dataset).
 *
 * @example
 * checkSplit({ train: [0, 1], val: [1], test: [7] }, 5, 'split.json');
 * // SplitError: split.json: the split is inconsistent: train and val share 1 node (1); test holds 1 id outside [0, 5) (7)
 */
export function checkSplit(split: SplitIndices, numNodes: number, source = 'split'): void {
  if (!Number.isInteger(numNodes) || numNodes < 0) throw new ValueError(`checkSplit: numNodes must be an integer ≥ 0, got ${numNodes}`);
  // One bit per part: the parts seen so far for each node.
  const seen = new Uint8Array(numNodes);
  const problems: SplitProblem[] = [];
  const overlaps = new Map<string, { parts: [SplitPart, SplitPart]; count: number; first: number[] }>();
  for (const [p, part] of PARTS.entries()) {
    const ids = split[part] ?? [];
    const outside: number[] = [];
    const repeated: number[] = [];
    let outsideCount = 0;
    let repeatedCount = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!(Number.isInteger(id) && id >= 0 && id < numNodes)) {
        if (outsideCount++ < SHOWN) outside.push(id);
        continue;
      }
      const mask = seen[id]!;
      if (mask & (1 << p)) {
        if (repeatedCount++ < SHOWN) repeated.push(id);
        continue;
      }
      for (let q = 0; q < p; q++) {
        if (!(mask & (1 << q))) continue;
        const key = `${q}${p}`;
        const entry = overlaps.get(key) ?? { parts: [PARTS[q]!, part], count: 0, first: [] };
        if (entry.count++ < SHOWN) entry.first.push(id);
        overlaps.set(key, entry);
      }
      seen[id] = mask | (1 << p);
    }
    if (outsideCount > 0) problems.push({ kind: 'out-of-range', parts: [part], count: outsideCount, first: outside });
    if (repeatedCount > 0) problems.push({ kind: 'repeated', parts: [part], count: repeatedCount, first: repeated });
  }
  problems.push(...[...overlaps.values()].map((o) => ({ kind: 'overlap' as const, ...o })));
  if (problems.length === 0) return;
  const list = (p: SplitProblem): string => `${p.first.join(', ')}${p.count > p.first.length ? ', …' : ''}`;
  const nodes = (count: number, noun = 'node'): string => `${count} ${noun}${count === 1 ? '' : 's'}`;
  const described = problems.map((p) =>
    p.kind === 'overlap'
      ? `${p.parts[0]} and ${p.parts[1]} share ${nodes(p.count)} (${list(p)})`
      : p.kind === 'repeated'
        ? `${p.parts[0]} lists ${nodes(p.count)} more than once (${list(p)})`
        : `${p.parts[0]} holds ${nodes(p.count, 'id')} outside [0, ${numNodes}) (${list(p)})`,
  );
  throw new SplitError(`${source}: the split is inconsistent: ${described.join('; ')}`, problems);
}

/**
 * Node rows from boolean masks (PyG's `train_mask`, `val_mask`, `test_mask`; any array-like of
 * booleans or 0/1 of length `numNodes`), checked by `checkSplit`: masks that overlap are a
 * `SplitError` naming the parts, a mask of another length a `ShapeError`.
 *
 * @example splitFromMasks({ train: [true, false, false], test: [false, false, true] }, 3) // { train: [0], val: [], test: [2] }
 */
export function splitFromMasks(
  masks: Partial<Record<SplitPart, ArrayLike<boolean | number>>>,
  numNodes: number,
): Record<SplitPart, Int32Array> {
  const out = { train: new Int32Array(0), val: new Int32Array(0), test: new Int32Array(0) };
  for (const part of PARTS) {
    const mask = masks[part];
    if (mask === undefined) continue;
    if (mask.length !== numNodes) throw new ShapeError(`splitFromMasks: the ${part} mask has ${mask.length} entries for ${numNodes} nodes`);
    const rows: number[] = [];
    for (let i = 0; i < mask.length; i++) if (mask[i]) rows.push(i);
    out[part] = Int32Array.from(rows);
  }
  checkSplit(out, numNodes, 'splitFromMasks');
  return out;
}

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
