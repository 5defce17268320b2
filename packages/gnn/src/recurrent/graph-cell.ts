/**
 * Recurrent graph cells: a recurrent cell whose gates are graph convolutions, stepped over a
 * sequence of node-feature snapshots on one graph (Seo et al. 2018's GConvGRU and GConvLSTM,
 * Zhao et al. 2019's TGCN, Li et al. 2018's DCRNN; PyTorch Geometric Temporal's layers). A cell
 * does one step; `kind` binds it to a graph as a `CellKind` of `@tensorloom/rnn`, so the one
 * unroller every recurrent layer uses runs it over the snapshots (and backpropagation through time
 * is what the tape does); `unrollGraphCell` adds the graph, the zero state and truncated BPTT.
 */
import { Tensor, ValueError, concat, narrow, nn, zeros, type FloatDType } from '@tensorloom/core-tensor';
import { unroll, type CellKind } from '@tensorloom/rnn';
import { checkEdgeIndex, checkEdgeWeight } from '../edges.js';

/** Options of a cell's one-step `forward`. */
export interface RecurrentGraphStepOptions {
  /** One weight per edge, `[E]`, of the cell's dtype. Default: all ones. */
  edgeWeight?: Tensor | null;
  /** The state before the step, `[N, outChannels]` tensors in `stateNames` order. Default: zeros. */
  state?: readonly Tensor[] | null;
}

/**
 * The base of the recurrent graph cells. A subclass registers its convolutions and parameters,
 * and implements `prepareGraph` (what its convolutions need from the graph, built once per
 * sequence: normalised weights, a sparse matrix) and `stepOn` (one step on that prepared graph).
 *
 * - `forward(x, edgeIndex, { edgeWeight, state })`: one snapshot, x `[N, inChannels]`, edgeIndex
 *   int32 `[2, E]` → the new state, `[N, outChannels]` tensors in `stateNames` order (the first
 *   is the output h).
 * - `kind(edgeIndex, edgeWeight, numNodes)`: the cell bound to one graph as a `CellKind`, for
 *   `unroll` of `@tensorloom/rnn` (its `xProj` is the snapshot's features `[N, inChannels]`).
 * - `zeroState(numNodes)`: the zero state.
 */
export abstract class RecurrentGraphCell<G = unknown> extends nn.Module<[Tensor, Tensor, RecurrentGraphStepOptions?], Tensor[]> {
  /** Features per node of each snapshot. */
  abstract readonly inChannels: number;
  /** Features per node of the hidden state (and of the output). */
  abstract readonly outChannels: number;
  /** The state tensors, output first: `['h']` or `['h', 'c']`. */
  abstract readonly stateNames: readonly string[];

  /** What the convolutions need from the graph, built once per sequence (inputs checked by the caller). */
  protected abstract prepareGraph(edgeIndex: Tensor, edgeWeight: Tensor | null, numNodes: number): G;

  /** One step: x `[N, inChannels]`, the prepared graph, the state → the new state (output first). */
  protected abstract stepOn(x: Tensor, graph: G, state: readonly Tensor[]): Tensor[];

  /** The dtype of the cell's parameters. */
  protected get dtype(): FloatDType {
    const first = this.parameters()[0];
    return (first?.dtype ?? 'float32') as FloatDType;
  }

  forward(x: Tensor, edgeIndex: Tensor, options: RecurrentGraphStepOptions = {}): Tensor[] {
    const numNodes = this.checkSnapshot(x, 2);
    const graph = this.prepare(edgeIndex, options.edgeWeight ?? null, numNodes);
    return this.stepOn(x, graph, this.initialState(options.state ?? null, numNodes));
  }

  /** The zero state for `numNodes` nodes. */
  zeroState(numNodes: number): Tensor[] {
    return this.stateNames.map(() => zeros([numNodes, this.outChannels], { dtype: this.dtype }));
  }

  /** The cell bound to one graph, as a `CellKind` that `unroll` of `@tensorloom/rnn` steps. */
  kind(edgeIndex: Tensor, edgeWeight: Tensor | null, numNodes: number): CellKind {
    const graph = this.prepare(edgeIndex, edgeWeight, numNodes);
    const sizes = this.stateNames.map(() => this.outChannels);
    return {
      name: this.typeName,
      chunks: 1,
      stateNames: this.stateNames,
      parameterShapes: () => ({}),
      stateSizes: () => sizes,
      step: (x, state) => this.stepOn(x, graph, state),
    };
  }

  /** Checks x's rank and width; returns the number of nodes. */
  protected checkSnapshot(x: Tensor, rank: 2 | 3): number {
    const op = this.typeName;
    if (!(x instanceof Tensor)) throw new ValueError(`${op}: x must be a Tensor, got ${typeof x}`);
    const what = rank === 2 ? '[N, inChannels]' : '[T, N, inChannels]';
    if (x.shape.length !== rank || x.shape[rank - 1] !== this.inChannels)
      throw new ValueError(`${op}: x must be ${what} with inChannels ${this.inChannels}, got [${x.shape.join(', ')}]`);
    return x.shape[rank - 2]!;
  }

  /** The state given (checked against the cell and `numNodes`), or zeros. */
  initialState(state: readonly Tensor[] | null, numNodes: number): Tensor[] {
    if (state === null) return this.zeroState(numNodes);
    const op = this.typeName;
    if (state.length !== this.stateNames.length)
      throw new ValueError(`${op}: the state has ${this.stateNames.length} tensors (${this.stateNames.join(', ')}), got ${state.length}`);
    state.forEach((s, i) => {
      if (s.shape.length !== 2 || s.shape[0] !== numNodes || s.shape[1] !== this.outChannels)
        throw new ValueError(`${op}: state ${this.stateNames[i]} must be [${numNodes}, ${this.outChannels}], got [${s.shape.join(', ')}]`);
    });
    return [...state];
  }

  private prepare(edgeIndex: Tensor, edgeWeight: Tensor | null, numNodes: number): G {
    checkEdgeIndex(this.typeName, edgeIndex, numNodes);
    checkEdgeWeight(this.typeName, edgeWeight, edgeIndex.shape[1]!, this.dtype);
    return this.prepareGraph(edgeIndex, edgeWeight, numNodes);
  }
}

/** Options of {@link unrollGraphCell}. */
export interface UnrollGraphCellOptions {
  /** One weight per edge, `[E]`. Default: all ones. */
  edgeWeight?: Tensor | null;
  /** The state before the first snapshot. Default: zeros. */
  state?: readonly Tensor[] | null;
  /**
   * Truncated backpropagation through time: the state is detached from the tape after every
   * `detachEvery` snapshots, so gradients flow back at most that far (the values are unchanged).
   * Default: never (full BPTT over the sequence).
   */
  detachEvery?: number;
}

/**
 * Runs `cell` over the snapshots `xs` `[T, N, inChannels]` of one graph, the state carried from
 * each snapshot to the next: `{ output [T, N, outChannels] (h after every snapshot), state }`. The
 * graph's normalisation is built once for the whole sequence.
 *
 * @example
 * const cell = new GConvGRU(4, 32, 2);
 * const { output, state } = unrollGraphCell(cell, xs, edgeIndex, { detachEvery: 52 });
 */
export function unrollGraphCell(
  cell: RecurrentGraphCell,
  xs: Tensor,
  edgeIndex: Tensor,
  options: UnrollGraphCellOptions = {},
): { output: Tensor; state: Tensor[] } {
  const { detachEvery } = options;
  if (detachEvery !== undefined && !(Number.isInteger(detachEvery) && detachEvery >= 1))
    throw new ValueError(`unrollGraphCell: detachEvery must be a positive integer, got ${String(detachEvery)}`);
  if (!(xs instanceof Tensor) || xs.shape.length !== 3 || xs.shape[2] !== cell.inChannels)
    throw new ValueError(
      `unrollGraphCell: xs must be [T, N, ${cell.inChannels}] (snapshots × nodes × inChannels), got ` +
        (xs instanceof Tensor ? `[${xs.shape.join(', ')}]` : typeof xs),
    );
  const [steps, numNodes] = xs.shape as [number, number, number];
  const kind = cell.kind(edgeIndex, options.edgeWeight ?? null, numNodes);
  let state = cell.initialState(options.state ?? null, numNodes);
  if (steps === 0) return unroll(kind, xs, state, {});
  const chunk = detachEvery ?? steps;
  const outputs: Tensor[] = [];
  for (let start = 0; start < steps; start += chunk) {
    const length = Math.min(chunk, steps - start);
    const result = unroll(kind, length === steps ? xs : narrow(xs, 0, start, length), state, {});
    outputs.push(result.output);
    // Between chunks the state keeps its values and drops its history: gradients stop here.
    state = start + length < steps ? result.state.map((s) => s.detach()) : result.state;
  }
  return { output: outputs.length === 1 ? outputs[0]! : concat(outputs, 0), state };
}
