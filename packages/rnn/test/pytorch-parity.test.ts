/**
 * tensorloom's RNN, GRU, RNNCell and GRUCell against PyTorch 1.13: the fixtures in test/fixtures/
 * were written by make_fixtures.py (see the README there). Each case loads PyTorch's state dict
 * strictly, runs forward and backward, and compares the output, the final state and the gradients
 * of every parameter, the input and the initial state, float32 on both sides, to
 * |actual − expected| ≤ 1e-6 + 1e-5·|expected|.
 *
 * Set TENSORLOOM_PARITY_REPORT=1 to print the largest errors per group.
 */
import { fileURLToPath } from 'node:url';
import { loadSafetensors, type Tensor } from '@tensorloom/core-tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { GRU, GRUCell, RNN, RNNCell } from '../src/index.js';
import {
  ParityReport,
  casesOf,
  checkCellCase,
  checkLayerCase,
  checkLayerMaskCase,
  type CellCase,
  type LayerCase,
} from './parity-helpers.js';

const fixture = (name: string) => loadSafetensors(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));
const rnnFixture = await fixture('rnn.safetensors');
const gruFixture = await fixture('gru.safetensors');
const cellFixture = await fixture('cells.safetensors');

const report = new ParityReport();
afterAll(() => report.print());

/** The property every fixture must cover, so a regenerated file cannot silently drop a case. */
function expectCoverage(cases: Record<string, LayerCase>): void {
  const all = Object.values(cases);
  expect(all.some((c) => c.options.numLayers === 1)).toBe(true);
  expect(all.some((c) => c.options.numLayers === 2)).toBe(true);
  expect(all.some((c) => c.options.bidirectional)).toBe(true);
  expect(all.some((c) => c.options.batchFirst)).toBe(true);
  expect(all.some((c) => !c.options.bias)).toBe(true);
  expect(all.some((c) => c.initialState)).toBe(true);
  expect(all.some((c) => !c.initialState)).toBe(true);
  expect(all.some((c) => c.unbatched)).toBe(true);
  expect(all.some((c) => c.lengths !== null && c.options.bidirectional && c.options.numLayers === 2)).toBe(true);
  expect(all.some((c) => c.lengths !== null && c.options.batchFirst)).toBe(true);
}

describe('RNN matches PyTorch nn.RNN (rnn.safetensors)', () => {
  const { tensors, metadata } = rnnFixture;
  const cases = casesOf<LayerCase>(metadata);

  it('covers tanh and relu with layers 1 and 2, bidirectional, batchFirst, no bias, initial states, unbatched and packed inputs', () => {
    for (const nonlinearity of ['tanh', 'relu']) {
      expectCoverage(Object.fromEntries(Object.entries(cases).filter(([, c]) => c.options.nonlinearity === nonlinearity)));
    }
  });

  it.each(Object.keys(cases))('RNN case %s: output, h_n and the gradients of every parameter, the input and h0', (name) => {
    const testCase = cases[name]!;
    const layer = new RNN({ ...testCase.options, nonlinearity: testCase.options.nonlinearity ?? 'tanh' });
    checkLayerCase(report, `RNN ${testCase.options.nonlinearity}`, layer, ['h'], tensors, name, testCase);
  });

  const packed = Object.keys(cases).filter((name) => cases[name]!.lengths !== null);
  it.each(packed)('RNN case %s with a mask instead of lengths: the same output and h_n', (name) => {
    const testCase = cases[name]!;
    const layer = new RNN({ ...testCase.options, nonlinearity: testCase.options.nonlinearity ?? 'tanh' });
    checkLayerMaskCase(report, `RNN ${testCase.options.nonlinearity}`, layer, ['h'], tensors, name, testCase);
  });
});

describe('GRU matches PyTorch nn.GRU (gru.safetensors)', () => {
  const { tensors, metadata } = gruFixture;
  const cases = casesOf<LayerCase>(metadata);

  it('covers layers 1 and 2, bidirectional, batchFirst, no bias, initial states, unbatched and packed inputs', () => {
    expectCoverage(cases);
  });

  it.each(Object.keys(cases))('GRU case %s: output, h_n and the gradients of every parameter, the input and h0', (name) => {
    const testCase = cases[name]!;
    checkLayerCase(report, 'GRU', new GRU(testCase.options), ['h'], tensors, name, testCase);
  });

  const packed = Object.keys(cases).filter((name) => cases[name]!.lengths !== null);
  it.each(packed)('GRU case %s with a mask instead of lengths: the same output and h_n', (name) => {
    const testCase = cases[name]!;
    checkLayerMaskCase(report, 'GRU', new GRU(testCase.options), ['h'], tensors, name, testCase);
  });
});

describe('RNNCell and GRUCell match PyTorch over three carried steps (cells.safetensors)', () => {
  const { tensors, metadata } = cellFixture;
  const cases = casesOf<CellCase>(metadata);

  it('covers both cells, both nonlinearities, with and without bias and initial state, batched and unbatched', () => {
    const all = Object.values(cases);
    for (const cell of ['RNNCell', 'GRUCell'] as const) {
      const ofCell = all.filter((c) => c.cell === cell);
      expect(ofCell.some((c) => !c.options.bias)).toBe(true);
      expect(ofCell.some((c) => !c.initialState)).toBe(true);
      expect(ofCell.some((c) => c.unbatched)).toBe(true);
    }
    expect(new Set(all.filter((c) => c.cell === 'RNNCell').map((c) => c.options.nonlinearity))).toEqual(new Set(['tanh', 'relu']));
  });

  it.each(Object.keys(cases))('cell case %s: every step’s h and the gradients of every parameter, the input and h0', (name) => {
    const testCase = cases[name]!;
    const { cell: kind, options } = testCase;
    if (kind === 'RNNCell') {
      const cell = new RNNCell({ ...options, nonlinearity: options.nonlinearity ?? 'tanh' });
      const step = (x: Tensor, state: Tensor[] | undefined) => [cell.forward(x, state?.[0])];
      checkCellCase(report, `RNNCell ${options.nonlinearity}`, cell, step, ['h'], tensors, name, testCase);
    } else {
      const cell = new GRUCell(options);
      const step = (x: Tensor, state: Tensor[] | undefined) => [cell.forward(x, state?.[0])];
      checkCellCase(report, 'GRUCell', cell, step, ['h'], tensors, name, testCase);
    }
  });
});
