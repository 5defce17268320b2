import {
  DTypeError,
  Generator,
  IndexError,
  SparseCSR,
  ValueError,
  concat,
  noGrad,
  sigmoid,
  tanh,
  zeros,
  type Tensor,
} from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { MESSY_NODES, MESSY_PAIRS, edgeIndexOf, rand64, weights64 } from '../../test/graphs.js';
import { unrollGraphCell } from './graph-cell.js';
import {
  ParityReport,
  checkCellCase,
  checkFloat32Case,
  fixtureStateDict,
  loadTemporalFixture,
  recordedOps,
  roundTripStateDict,
} from './temporal-parity-support.js';
import { TGCN, type TGCNOptions } from './tgcn.js';

const report = new ParityReport();
afterAll(() => report.print());
const fixture = await loadTemporalFixture('cells');
const edgeIndex = edgeIndexOf(MESSY_PAIRS);

/** A float64 cell with non-zero biases, so that they are tested. */
function cell64(seed: number, options: TGCNOptions = {}): TGCN {
  const cell = new TGCN(2, 3, { dtype: 'float64', generator: new Generator(seed), ...options });
  noGrad(() => {
    for (const [key, p] of cell.namedParameters()) if (key.endsWith('bias')) p.data.set(rand64([3], seed + key.length).data);
  });
  return cell;
}

describe('TGCN', () => {
  it('is PyG Temporal’s GRU over [GCNConv(X), H]: one step equals its convolutions and linear maps applied as PyG Temporal does', () => {
    const cell = cell64(1, { improved: true });
    const x = rand64([MESSY_NODES, 2], 2);
    const h = rand64([MESSY_NODES, 3], 3);
    const edgeWeight = weights64(MESSY_PAIRS.length, 4);
    const [next] = cell.call(x, edgeIndex, { edgeWeight, state: [h] });
    const sub = (name: string) => cell.getSubmodule(name) as { call(...args: unknown[]): Tensor };
    const conv = (gate: string) => sub(`conv_${gate}`).call(x, edgeIndex, { edgeWeight });
    const z = sigmoid(sub('linear_z').call(concat([conv('z'), h], 1)));
    const r = sigmoid(sub('linear_r').call(concat([conv('r'), h], 1)));
    const candidate = tanh(sub('linear_h').call(concat([conv('h'), h.mul(r)], 1)));
    expectClose(next!, z.mul(h).add(z.neg().add(1).mul(candidate)), { atol: 1e-12 });
  });

  it('passes gradcheck for one step in x, the state, the edge weights and every parameter', () => {
    const cell = cell64(5);
    const x = rand64([MESSY_NODES, 2], 6, true);
    const h = rand64([MESSY_NODES, 3], 7, true);
    const w = weights64(MESSY_PAIRS.length, 8, true);
    const step = (a?: Tensor, b?: Tensor, c?: Tensor) => cell.call(a!, edgeIndex, { edgeWeight: c!, state: [b!] })[0]!;
    expect(gradcheck(step, [x, h, w, ...cell.parameters()])).toBe(true);
  });

  it.each([
    ['with self-loops of weight 2', { improved: true }],
    ['without self-loops (the isolated node has degree 0)', { addSelfLoops: false }],
  ] as const)('passes gradcheck over a 3-step unroll %s in xs, h0, the edge weights and every parameter', (_, options) => {
    const cell = cell64(9, options);
    const xs = rand64([3, MESSY_NODES, 2], 10, true);
    const h0 = rand64([MESSY_NODES, 3], 11, true);
    const w = weights64(MESSY_PAIRS.length, 12, true);
    const run = (a?: Tensor, b?: Tensor, c?: Tensor) => unrollGraphCell(cell, a!, edgeIndex, { edgeWeight: c!, state: [b!] }).output;
    expect(gradcheck(run, [xs, h0, w, ...cell.parameters()])).toBe(true);
  });

  it('normalises the graph once per sequence, and records 23 ops per step (17 without bias)', () => {
    let prepared = 0;
    class CountingTGCN extends TGCN {
      protected override prepareGraph(...args: [Tensor, Tensor | null, number]): SparseCSR {
        prepared++;
        return super.prepareGraph(...args);
      }
    }
    const cell = new CountingTGCN(2, 3, { dtype: 'float64' });
    unrollGraphCell(cell, rand64([6, MESSY_NODES, 2], 13), edgeIndex, { detachEvery: 2 });
    expect(prepared).toBe(1);
    for (const [bias, count] of [
      [true, 23],
      [false, 17],
    ] as const) {
      const kind = new TGCN(2, 3, { dtype: 'float64', bias }).kind(edgeIndex, null, MESSY_NODES);
      const [h] = kind.step(rand64([MESSY_NODES, 2], 14, true), [rand64([MESSY_NODES, 3], 15, true)], {});
      expect(recordedOps(h!)).toHaveLength(count);
    }
  });

  it('has PyG Temporal’s state dict: conv_z (bias, lin.weight), linear_z, then r and h; bias: false drops every bias', () => {
    const cell = new TGCN(5, 4);
    const gate = (g: string) => [
      [`conv_${g}.bias`, [4]],
      [`conv_${g}.lin.weight`, [4, 5]],
      [`linear_${g}.weight`, [4, 8]],
      [`linear_${g}.bias`, [4]],
    ];
    expect(Object.entries(cell.stateDict()).map(([key, t]) => [key, t.shape])).toEqual([...gate('z'), ...gate('r'), ...gate('h')]);
    expect(Object.keys(new TGCN(5, 4, { bias: false }).stateDict())).toEqual(
      ['z', 'r', 'h'].flatMap((g) => [`conv_${g}.lin.weight`, `linear_${g}.weight`]),
    );
  });

  it('initialises as PyG Temporal, reproducibly: Glorot-uniform convolutions with zero bias, PyTorch’s Linear init', () => {
    const a = new TGCN(30, 20, { generator: new Generator(3) });
    const b = new TGCN(30, 20, { generator: new Generator(3) });
    expect(Object.values(a.stateDict()).map((t) => Array.from(t.data))).toEqual(
      Object.values(b.stateDict()).map((t) => Array.from(t.data)),
    );
    const largest = (key: string) => Math.max(...Array.from(a.stateDict()[key]!.data).map(Math.abs));
    expect(largest('conv_r.lin.weight')).toBeLessThanOrEqual(Math.sqrt(6 / 50));
    expect(largest('conv_r.lin.weight')).toBeGreaterThan(0.9 * Math.sqrt(6 / 50));
    expect(largest('conv_r.bias')).toBe(0);
    // kaiming_uniform(a = √5) and U(±1/√fanIn): both bounded by 1/√40.
    expect(largest('linear_h.weight')).toBeLessThanOrEqual(1 / Math.sqrt(40));
    expect(largest('linear_h.bias')).toBeGreaterThan(0);
  });

  it('throws typed errors for bad input', () => {
    expect(() => new TGCN(0, 3)).toThrow(ValueError);
    expect(() => new TGCN(2, 3, { improved: true, addSelfLoops: true }).call(zeros([3, 2]), edgeIndex)).toThrow(IndexError);
    const cell = new TGCN(2, 3, { dtype: 'float64' });
    const x = zeros([MESSY_NODES, 2], { dtype: 'float64' });
    expect(() => cell.call(zeros([MESSY_NODES, 3], { dtype: 'float64' }), edgeIndex)).toThrow(
      /x must be \[N, inChannels\] with inChannels 2/,
    );
    expect(() => cell.call(x, edgeIndex, { state: [zeros([MESSY_NODES, 2], { dtype: 'float64' })] })).toThrow(/state h must be \[6, 3\]/);
    expect(() => cell.call(x, edgeIndex, { edgeWeight: zeros([MESSY_PAIRS.length]) })).toThrow(DTypeError);
    expect(() => unrollGraphCell(cell, x, edgeIndex)).toThrow(/xs must be \[T, N, 2\]/);
  });
});

describe('TGCN matches PyTorch (temporal-tgcn-dcrnn-cells.safetensors)', () => {
  const { tensors } = fixture;
  const cases = Object.fromEntries(Object.entries(fixture.cases).filter(([, c]) => c.layer === 'TGCN'));
  const all = Object.values(cases);

  it('covers edge weights, improved, no self-loops, no bias, duplicate edges, an isolated node and truncated BPTT', () => {
    expect(all.some((c) => c.graph === 'messy' && c.edgeWeight)).toBe(true);
    expect(all.some((c) => c.options.improved === true)).toBe(true);
    expect(all.some((c) => c.options.addSelfLoops === false)).toBe(true);
    expect(all.some((c) => c.options.bias === false)).toBe(true);
    expect(all.some((c) => typeof c.detachEvery === 'number')).toBe(true);
  });

  it.each(Object.keys(cases))(
    'TGCN case %s: outputs over 5 snapshots and the gradients of xs, h0, the edge weights and every parameter',
    (name) => {
      const testCase = cases[name]!;
      const make = () => new TGCN(3, 4, { dtype: 'float64', ...testCase.options });
      const cell = make();
      checkCellCase(report, cell, tensors, name, testCase);
      roundTripStateDict(cell, make(), tensors, name);
      expect(Object.keys(fixtureStateDict(tensors, name, testCase))).toEqual(Object.keys(cell.stateDict()));
    },
  );

  it.each(Object.keys(cases))('TGCN case %s in float32 agrees with the float64 reference to float32 precision', (name) => {
    const testCase = cases[name]!;
    checkFloat32Case(new TGCN(3, 4, { ...testCase.options }), tensors, name, testCase);
  });
});
