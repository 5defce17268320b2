import { DTypeError, IndexError, ShapeError, Tensor, ValueError, mul, sub, tensor, zeros } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { MESSY_NODES, MESSY_PAIRS, edgeIndexOf, rand64, weights64 } from '../test/graphs.js';
import { Edges } from './edges.js';
import { MessagePassing, type Aggregation, type PropagateInputs } from './message-passing.js';

/** The base template with its default message (x_j, times the edge weight). */
class Neighbours extends MessagePassing<[Tensor, Tensor, (Tensor | null)?]> {
  constructor(aggr: Aggregation) {
    super({ aggr });
  }

  forward(x: Tensor, edgeIndex: Tensor, edgeWeight: Tensor | null = null): Tensor {
    return this.propagate(edgeIndex, { x, edgeWeight });
  }
}

/** The same message written out, so propagate takes the message → aggregate path. */
class ExplicitNeighbours extends Neighbours {
  messageCalls = 0;

  protected override message(edges: Edges, inputs: PropagateInputs): Tensor {
    this.messageCalls++;
    const xj = edges.gatherSource(inputs.x);
    return inputs.edgeWeight ? mul(xj, inputs.edgeWeight.reshape([-1, 1])) : xj;
  }
}

/** A message that reads both ends, x_j − x_i, and an update that doubles. */
class Differences extends MessagePassing<[Tensor, Tensor]> {
  forward(x: Tensor, edgeIndex: Tensor): Tensor {
    return this.propagate(edgeIndex, { x });
  }

  protected override message(edges: Edges, inputs: PropagateInputs): Tensor {
    return sub(edges.gatherSource(inputs.x), edges.gatherTarget(inputs.x));
  }

  protected override update(aggregated: Tensor): Tensor {
    return mul(aggregated, 2);
  }
}

/** Row i = ⊕ over the edges j → i of w · x_j, by loops (empty → 0). */
function reference(x: number[][], pairs: Array<[number, number]>, reduce: 'sum' | 'mean' | 'max', w?: number[]): number[][] {
  const n = x.length;
  const f = x[0]!.length;
  return Array.from({ length: n }, (_, i) => {
    const incoming = pairs.map(([s, t], e) => ({ s, t, e })).filter(({ t }) => t === i);
    if (incoming.length === 0) return new Array<number>(f).fill(0);
    return Array.from({ length: f }, (_, c) => {
      const values = incoming.map(({ s, e }) => (w ? w[e]! : 1) * x[s]![c]!);
      if (reduce === 'max') return Math.max(...values);
      const total = values.reduce((a, b) => a + b, 0);
      return reduce === 'mean' ? total / values.length : total;
    });
  });
}

describe('MessagePassing', () => {
  const edgeIndex = edgeIndexOf(MESSY_PAIRS);
  const x = rand64([MESSY_NODES, 3], 1);
  const xs = x.toArray() as number[][];

  it.each(['sum', 'mean', 'max'] as const)(
    'aggregates x_j over incoming edges with %s (duplicates count twice, an isolated node gets 0)',
    (aggr) => {
      expectClose(new Neighbours(aggr).call(x, edgeIndex), reference(xs, MESSY_PAIRS, aggr), { atol: 1e-12 });
      expectClose(new ExplicitNeighbours(aggr).call(x, edgeIndex), reference(xs, MESSY_PAIRS, aggr), { atol: 1e-12 });
    },
  );

  it("treats 'add' as 'sum', as PyG", () => {
    expect(new Neighbours('add').aggr).toBe('sum');
  });

  it.each(['sum', 'mean', 'max'] as const)(
    'scales messages by the edge weights with %s, on the sparse and the explicit path alike',
    (aggr) => {
      const w = weights64(MESSY_PAIRS.length, 2);
      const expected = reference(xs, MESSY_PAIRS, aggr, Array.from(w.data));
      expectClose(new Neighbours(aggr).call(x, edgeIndex, w), expected, { atol: 1e-12 });
      const explicit = new ExplicitNeighbours(aggr);
      expectClose(explicit.call(x, edgeIndex, w), expected, { atol: 1e-12 });
      expect(explicit.messageCalls).toBe(1);
    },
  );

  it('runs a custom message reading both ends, then the update', () => {
    const out = new Differences().call(x, edgeIndex);
    const expected = Array.from({ length: MESSY_NODES }, (_, i) =>
      [0, 1, 2].map((c) => 2 * MESSY_PAIRS.filter(([, t]) => t === i).reduce((acc, [s]) => acc + xs[s]![c]! - xs[i]![c]!, 0)),
    );
    expectClose(out, expected, { atol: 1e-12 });
  });

  it('returns zeros for a graph without edges', () => {
    const none = tensor([[], []], { dtype: 'int32' });
    expectClose(new Neighbours('sum').call(x, none), zeros([MESSY_NODES, 3], { dtype: 'float64' }));
    expectClose(new Neighbours('max').call(x, none), zeros([MESSY_NODES, 3], { dtype: 'float64' }));
  });

  it.each(['sum', 'mean', 'max'] as const)('passes gradcheck in x and the edge weights with %s', (aggr) => {
    const layer = new Neighbours(aggr);
    const xg = rand64([MESSY_NODES, 2], 3, true);
    const w = weights64(MESSY_PAIRS.length, 4, true);
    expect(gradcheck((a, b) => layer.call(a!, edgeIndex, b!), [xg, w])).toBe(true);
  });

  it('passes gradcheck through a custom message', () => {
    const layer = new Differences();
    expect(gradcheck((a) => layer.call(a!, edgeIndex), [rand64([MESSY_NODES, 2], 5, true)])).toBe(true);
  });

  it('rejects a float edge index, a wrong shape and nodes out of range with typed errors', () => {
    const layer = new Neighbours('sum');
    expect(() =>
      layer.call(
        x,
        tensor([
          [0, 1],
          [1, 0],
        ]),
      ),
    ).toThrow(DTypeError);
    expect(() => layer.call(x, tensor([[0, 1, 2]], { dtype: 'int32' }))).toThrow(ShapeError);
    expect(() => layer.call(x, tensor([0, 1], { dtype: 'int32' }))).toThrow(ShapeError);
    expect(() => layer.call(x, edgeIndexOf([[0, MESSY_NODES]]))).toThrow(IndexError);
    expect(() => layer.call(x, edgeIndexOf([[-1, 0]]))).toThrow(IndexError);
  });

  it('rejects edge weights of the wrong length or dtype', () => {
    const layer = new Neighbours('sum');
    expect(() => layer.call(x, edgeIndex, weights64(MESSY_PAIRS.length - 1, 1))).toThrow(ShapeError);
    expect(() => layer.call(x, edgeIndex, weights64(MESSY_PAIRS.length, 1).float())).toThrow(DTypeError);
  });

  it('rejects an unknown aggregation', () => {
    expect(() => new Neighbours('median' as Aggregation)).toThrow(ValueError);
  });
});

describe('Edges', () => {
  it('splits the edge index into sources and targets and gathers per edge', () => {
    const edges = Edges.fromEdgeIndex(
      'test',
      edgeIndexOf([
        [0, 1],
        [2, 1],
      ]),
      { numNodes: 3 },
    );
    expect(edges.numEdges).toBe(2);
    expect(Array.from(edges.source.data)).toEqual([0, 2]);
    expect(Array.from(edges.target.data)).toEqual([1, 1]);
    expectClose(edges.gatherSource(tensor([[10], [20], [30]])), [[10], [30]]);
    expectClose(edges.gatherTarget(tensor([[10], [20], [30]])), [[20], [20]]);
  });

  it('builds the adjacency (rows = targets) once and keeps the weighted matrix for the same values', () => {
    const edges = Edges.fromEdgeIndex(
      'test',
      edgeIndexOf([
        [2, 0],
        [0, 1],
        [1, 0],
      ]),
      { numNodes: 3 },
    );
    expect(edges.adjacency()).toBe(edges.adjacency());
    const w = tensor([1, 2, 3]);
    const a = edges.adjacency(w);
    expect(edges.adjacency(w)).toBe(a);
    expectClose(a.toDense(), [
      [0, 3, 1],
      [2, 0, 0],
      [0, 0, 0],
    ]);
  });
});
