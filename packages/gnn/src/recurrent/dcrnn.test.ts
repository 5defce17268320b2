import { DTypeError, Generator, IndexError, ValueError, concat, noGrad, sigmoid, tanh, zeros, type Tensor } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { MESSY_NODES, MESSY_PAIRS, edgeIndexOf, rand64, weights64 } from '../../test/graphs.js';
import { DConv, type DiffusionGraph } from './dconv.js';
import { DCRNN, type DCRNNOptions } from './dcrnn.js';
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

const report = new ParityReport();
afterAll(() => report.print());
const fixture = await loadTemporalFixture('cells');
const edgeIndex = edgeIndexOf(MESSY_PAIRS);
/** MESSY_PAIRS without its duplicate 0 → 1, plus 5 → 3 from a node that nothing enters: PyG Temporal's positional pairing, 1/0 → 0. */
const DIRECTED_PAIRS: Array<[number, number]> = [...MESSY_PAIRS.filter((_, e) => e !== 9), [5, 3]];

/** A float64 cell with non-zero biases, so that they are tested. */
function cell64(K: number, seed: number, options: DCRNNOptions = {}): DCRNN {
  const cell = new DCRNN(2, 3, K, { dtype: 'float64', generator: new Generator(seed), ...options });
  noGrad(() => {
    for (const [key, p] of cell.namedParameters()) if (key.endsWith('bias')) p.data.set(rand64([3], seed + key.length).data);
  });
  return cell;
}

describe('DCRNN', () => {
  it('is PyG Temporal’s GRU of DConv gates: one step equals its three DConv layers applied as PyG Temporal does', () => {
    const cell = cell64(3, 1);
    const x = rand64([MESSY_NODES, 2], 2);
    const h = rand64([MESSY_NODES, 3], 3);
    const edgeWeight = weights64(MESSY_PAIRS.length, 4);
    const [next] = cell.call(x, edgeIndex, { edgeWeight, state: [h] });
    const conv = (gate: string, input: Tensor) => (cell.getSubmodule(`conv_x_${gate}`) as DConv).call(input, edgeIndex, { edgeWeight });
    const z = sigmoid(conv('z', concat([x, h], 1)));
    const r = sigmoid(conv('r', concat([x, h], 1)));
    const candidate = tanh(conv('h', concat([x, h.mul(r)], 1)));
    expectClose(next!, z.mul(h).add(z.neg().add(1).mul(candidate)), { atol: 1e-12 });
  });

  it.each([1, 2, 3])('passes gradcheck for one step with K = %i in x, the state, the edge weights and every parameter', (K) => {
    const cell = cell64(K, 5 + K);
    const x = rand64([MESSY_NODES, 2], 6, true);
    const h = rand64([MESSY_NODES, 3], 7, true);
    const w = weights64(DIRECTED_PAIRS.length, 8, true);
    const directed = edgeIndexOf(DIRECTED_PAIRS);
    const step = (a?: Tensor, b?: Tensor, c?: Tensor) => cell.call(a!, directed, { edgeWeight: c!, state: [b!] })[0]!;
    expect(gradcheck(step, [x, h, w, ...cell.parameters()])).toBe(true);
  });

  it.each([2, 3])('passes gradcheck over a 3-step unroll with K = %i in xs, h0, the edge weights and every parameter', (K) => {
    const cell = cell64(K, 9);
    const xs = rand64([3, MESSY_NODES, 2], 10, true);
    const h0 = rand64([MESSY_NODES, 3], 11, true);
    const w = weights64(MESSY_PAIRS.length, 12, true);
    const run = (a?: Tensor, b?: Tensor, c?: Tensor) => unrollGraphCell(cell, a!, edgeIndex, { edgeWeight: c!, state: [b!] }).output;
    expect(gradcheck(run, [xs, h0, w, ...cell.parameters()])).toBe(true);
  });

  it('builds the diffusion operators once per sequence, and records 26 + 4(K − 2) ops a step (22 for K = 1, 3 fewer without bias)', () => {
    let prepared = 0;
    class CountingDCRNN extends DCRNN {
      protected override prepareGraph(...args: [Tensor, Tensor | null, number]): DiffusionGraph {
        prepared++;
        return super.prepareGraph(...args);
      }
    }
    unrollGraphCell(new CountingDCRNN(2, 3, 2, { dtype: 'float64' }), rand64([6, MESSY_NODES, 2], 13), edgeIndex, { detachEvery: 2 });
    expect(prepared).toBe(1);
    for (const [K, bias, count] of [
      [1, true, 22],
      [2, true, 26],
      [3, true, 30],
      [2, false, 23],
    ] as const) {
      const kind = new DCRNN(2, 3, K, { dtype: 'float64', bias }).kind(edgeIndex, null, MESSY_NODES);
      const [h] = kind.step(rand64([MESSY_NODES, 2], 14, true), [rand64([MESSY_NODES, 3], 15, true)], {});
      expect(recordedOps(h!), `K = ${K}, bias ${bias}`).toHaveLength(count);
    }
  });

  it('has PyG Temporal’s state dict: conv_x_z, conv_x_r, conv_x_h, each weight [2, K, in + out, out] and bias [out]', () => {
    const cell = new DCRNN(5, 4, 3);
    expect(Object.entries(cell.stateDict()).map(([key, t]) => [key, t.shape])).toEqual(
      ['z', 'r', 'h'].flatMap((g) => [
        [`conv_x_${g}.weight`, [2, 3, 9, 4]],
        [`conv_x_${g}.bias`, [4]],
      ]),
    );
    expect(Object.keys(new DCRNN(5, 4, 3, { bias: false }).stateDict())).toEqual(['conv_x_z.weight', 'conv_x_r.weight', 'conv_x_h.weight']);
    const a = new DCRNN(5, 4, 2, { generator: new Generator(2) });
    const b = new DCRNN(5, 4, 2, { generator: new Generator(2) });
    expect(Object.values(a.stateDict()).map((t) => Array.from(t.data))).toEqual(
      Object.values(b.stateDict()).map((t) => Array.from(t.data)),
    );
  });

  it('stays finite where PyG Temporal gives inf (a node that only sends) and over an isolated node', () => {
    const cell = cell64(3, 16);
    const xs = rand64([4, MESSY_NODES, 2], 17, true);
    const { output } = unrollGraphCell(cell, xs, edgeIndexOf(DIRECTED_PAIRS));
    output.sum().backward();
    for (const t of [output, xs.grad!, ...cell.parameters().map((p) => p.grad!)])
      expect(Array.from(t.data).every(Number.isFinite)).toBe(true);
  });

  it('throws typed errors for bad input', () => {
    expect(() => new DCRNN(2, 3, 0)).toThrow(/DCRNN: K must be a positive integer/);
    expect(() => new DCRNN(2, 0, 2)).toThrow(ValueError);
    const cell = new DCRNN(2, 3, 2, { dtype: 'float64' });
    const x = zeros([MESSY_NODES, 2], { dtype: 'float64' });
    expect(() => cell.call(zeros([MESSY_NODES, 5], { dtype: 'float64' }), edgeIndex)).toThrow(
      /x must be \[N, inChannels\] with inChannels 2/,
    );
    expect(() => cell.call(zeros([3, 2], { dtype: 'float64' }), edgeIndex)).toThrow(IndexError);
    expect(() => cell.call(x, edgeIndex, { state: [zeros([MESSY_NODES, 3], { dtype: 'float64' }), x] })).toThrow(/the state has 1 tensors/);
    expect(() => cell.call(x, edgeIndex, { edgeWeight: zeros([MESSY_PAIRS.length]) })).toThrow(DTypeError);
  });
});

describe('DCRNN matches PyTorch (temporal-tgcn-dcrnn-cells.safetensors)', () => {
  const { tensors } = fixture;
  const cases = Object.fromEntries(Object.entries(fixture.cases).filter(([, c]) => c.layer === 'DCRNN'));
  const all = Object.values(cases);

  it('covers K = 1 … 3, weights, no bias, truncated BPTT, PyG Temporal’s defined graphs and our choices where it is not', () => {
    expect(new Set(all.map((c) => c.options.K))).toEqual(new Set([1, 2, 3]));
    expect(all.some((c) => c.options.bias === false)).toBe(true);
    expect(all.some((c) => typeof c.detachEvery === 'number')).toBe(true);
    expect(all.some((c) => c.pygTemporalDefined && c.graph === 'directed' && c.options.K! > 1)).toBe(true);
    expect(all.filter((c) => !c.pygTemporalDefined).map((c) => c.graph)).toEqual(expect.arrayContaining(['messy', 'source_only']));
  });

  it.each(Object.keys(cases))(
    'DCRNN case %s: outputs over 5 snapshots and the gradients of xs, h0, the edge weights and every parameter',
    (name) => {
      const testCase = cases[name]!;
      const make = () => new DCRNN(3, 4, testCase.options.K!, { dtype: 'float64', bias: testCase.options.bias ?? true });
      const cell = make();
      checkCellCase(report, cell, tensors, name, testCase);
      roundTripStateDict(cell, make(), tensors, name);
      expect(Object.keys(fixtureStateDict(tensors, name, testCase))).toEqual(Object.keys(cell.stateDict()));
    },
  );

  it.each(Object.keys(cases))('DCRNN case %s in float32 agrees with the float64 reference to float32 precision', (name) => {
    const testCase = cases[name]!;
    checkFloat32Case(new DCRNN(3, 4, testCase.options.K!, { bias: testCase.options.bias ?? true }), tensors, name, testCase);
  });
});
